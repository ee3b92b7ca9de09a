//! semantic-bump: flags, environment and rendering around the library.

mod cli;
mod cmd_changelog;
mod cmd_lint;
mod cmd_release;
mod github;
mod render;

use cli::{Cli, Cmd};
use gha::{Env, GithubEnv, Runner};
use std::process::ExitCode;

pub fn main() -> ExitCode {
    let cli: Cli = gha::cli::parse("semantic-bump");
    // Cancelled (SIGINT/SIGTERM/SIGHUP): a git asking the remote, and its
    // ssh, end with us.
    let _ = repo::child::end_children_on_termination();
    let env = Env::from_process();
    let run_env = GithubEnv::from_process();
    let code = run(cli, env, &run_env);
    // A benchmark aid: this process's own peak memory (`/usr/bin/time`
    // reports the larger of it and the `git log` child's).
    if std::env::var_os("SEMANTIC_BUMP_PEAK_RSS").is_some() {
        let hwm = std::fs::read_to_string("/proc/self/status")
            .ok()
            .and_then(|s| {
                s.lines()
                    .find(|l| l.starts_with("VmHWM:"))
                    .map(str::to_owned)
            });
        #[allow(clippy::print_stderr)]
        {
            eprintln!(
                "semantic-bump: peak RSS {}",
                hwm.as_deref().unwrap_or("VmHWM: unknown")
            );
        }
    }
    code
}

fn run(cli: Cli, env: Env, run_env: &GithubEnv) -> ExitCode {
    match cli.cmd {
        Cmd::Next(a) => {
            let runner = Runner::new("semantic-bump", env).json(a.json);
            render::next(&runner, run_env, a)
        }
        Cmd::LintTitle(a) => {
            let runner = Runner::new("semantic-bump", env).json(a.json).soft(a.soft);
            cmd_lint::lint_title(&runner, a)
        }
        Cmd::LintCommits(a) => {
            let runner = Runner::new("semantic-bump", env).json(a.json).soft(a.soft);
            cmd_lint::lint_commits(&runner, a)
        }
        Cmd::LintPr(a) => {
            let runner = Runner::new("semantic-bump", env).json(a.json).soft(a.soft);
            cmd_lint::lint_pr(&runner, run_env, a)
        }
        Cmd::Changelog(a) => {
            let runner = Runner::new("semantic-bump", env).json(a.json);
            cmd_changelog::changelog(&runner, run_env, a)
        }
        Cmd::Release(a) => {
            let runner = Runner::new("semantic-bump", env).json(a.json);
            cmd_release::release(&runner, run_env, a)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, Parser};

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn parses_a_typical_invocation() {
        let cli = Cli::try_parse_from([
            "semantic-bump",
            "next",
            "--tag-prefix",
            "api-v",
            "--prerelease",
            "dev",
            "--label",
            "release:minor,bug",
            "--path",
            "packages/api",
        ])
        .unwrap();
        let Cmd::Next(a) = cli.cmd else { panic!() };
        assert_eq!(a.version.tag_prefix.as_str(), "api-v");
        assert_eq!(a.labels, ["release:minor", "bug"]);
    }
}
