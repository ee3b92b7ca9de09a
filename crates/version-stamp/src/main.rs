//! `version-stamp`: flags and the runner's variables in, the version and its
//! tags out (stdout, `$GITHUB_OUTPUT`, the job summary, `--json`).

use clap::{Parser, Subcommand};
use gha::cli::Safe;
use gha::{Env, GithubEnv, Outcome, Runner, Summary};
use std::process::ExitCode;
use std::time::Instant;
use version_stamp::{
    BuildVersion, DEFAULT_FORMAT, EventPayload, GitCli, Github, Inputs, Sha, Template, TimeSpec,
};

const TOOL: &str = "version-stamp";

/// One build version per commit, `{sha}-{date}-{time}` in UTC (such as
/// 84fb5881-20250120-143022), and the tags and artifact name that follow
/// from it.
#[derive(Parser, Debug)]
#[command(
    name = TOOL,
    version,
    args_conflicts_with_subcommands = true,
    after_help = "\
Outputs: version, sha, short-sha, timestamp, build-tag, qa-tag, prod-tag,
artifact-name. Without --json the version is printed on stdout.
Exit codes: 0 ok · 2 bad input (the message names the value and the form
expected) · 3 git or the runner's environment failed (with the fix).

Examples:
  version-stamp                         # 84fb5881-20250120-143022
  version-stamp --time commit --service shop --json
  version-stamp --format '{branch}.{run}-{sha}'
  version-stamp parse ' 84fb5881-20250120-143022 '"
)]
struct Cli {
    /// The commit to stamp: 4 to 64 hex digits; a short sha is resolved with
    /// git [default: the commit the event is about: the pull request's head
    /// on pull_request*, head_sha on workflow_run, else GITHUB_SHA, else git
    /// HEAD]
    #[arg(long, env = "INPUT_SHA", value_name = "SHA", value_parser = Safe(parse_sha))]
    sha: Option<Sha>,

    /// The moment the version records, always in UTC: `now`, `commit` (the
    /// committer time: stable across re-runs) or an RFC 3339 time such as
    /// 2025-01-20T16:30:22+02:00
    #[arg(
        long,
        env = "INPUT_TIME",
        value_name = "now|commit|RFC3339",
        default_value = "now",
        value_parser = Safe(parse_time)
    )]
    time: TimeSpec,

    /// How many hex digits of the commit {sha} holds (7 to 40)
    #[arg(
        long,
        env = "INPUT_SHA_LENGTH",
        value_name = "N",
        default_value = "8",
        value_parser = Safe(version_stamp::sha_length)
    )]
    sha_length: usize,

    /// The version template: {sha}, {date} (YYYYMMDD), {time} (HHMMSS),
    /// {run} (GITHUB_RUN_NUMBER), {branch} (the branch name made safe) and
    /// the characters A-Z a-z 0-9 . _ -
    #[arg(
        long,
        env = "INPUT_FORMAT",
        value_name = "TEMPLATE",
        default_value = DEFAULT_FORMAT,
        value_parser = Safe(parse_template)
    )]
    format: Template,

    /// A service name: tags become NAME/build-V, NAME/qa-V, NAME/prod-V and
    /// artifact-name service-NAME-V.tar.gz
    #[arg(long, env = "INPUT_SERVICE", value_name = "NAME", value_parser = Safe(version_stamp::service))]
    service: Option<String>,

    /// The container image tag a build pushes (output image-tag):
    /// {version}, {short-sha} and the characters A-Z a-z 0-9 . _ -
    #[arg(
        long,
        env = "INPUT_IMAGE_TAG",
        value_name = "TEMPLATE",
        default_value = "{version}"
    )]
    image_tag: String,

    /// Print one JSON object with every output on stdout (and nothing else)
    #[arg(long, env = "INPUT_JSON", global = true)]
    json: bool,

    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Validate a version that came from outside (a workflow_dispatch
    /// input; surrounding whitespace is trimmed) and print its parts:
    /// version, short-sha, timestamp. Anything else exits 2.
    Parse {
        /// The version, such as 84fb5881-20250120-143022
        #[arg(env = "INPUT_VERSION", value_name = "VERSION", value_parser = Safe(parse_version))]
        version: BuildVersion,
    },
}

fn parse_sha(s: &str) -> Result<Sha, String> {
    s.parse()
}

fn parse_time(s: &str) -> Result<TimeSpec, String> {
    s.parse()
}

fn parse_template(s: &str) -> Result<Template, String> {
    s.parse::<Template>().map_err(|e| e.to_string())
}

fn parse_version(s: &str) -> Result<BuildVersion, String> {
    BuildVersion::parse(s).map_err(|e| e.to_string())
}

pub fn main() -> ExitCode {
    let started = Instant::now();
    let cli: Cli = gha::cli::parse(TOOL);
    let runner = Runner::new(TOOL, Env::from_process()).json(cli.json);
    let code = match cli.command {
        Some(Command::Parse { version }) => parse(&runner, &version),
        None => stamp(&runner, cli, GithubEnv::from_process(), started),
    };
    ExitCode::from(code)
}

fn stamp(runner: &Runner, cli: Cli, run_env: GithubEnv, started: Instant) -> u8 {
    let event_name = run_env.event_name;
    // GithubEnv read it as UTF-8, so the path converts back losslessly.
    let event = match run_env.event_path.map(|p| p.display().to_string()) {
        Some(path)
            if version_stamp::needs_event_payload(event_name.as_deref(), cli.sha.is_some()) =>
        {
            // A regular file of at most 4 MiB (never a FIFO or /dev/zero).
            match gha::file::read_bounded_text(
                std::path::Path::new(&path),
                gha::file::MAX_INPUT_FILE,
            ) {
                Ok(Ok(json)) => EventPayload::Read { path, json },
                Ok(Err(_)) => EventPayload::Unreadable {
                    path,
                    error: "it is not UTF-8 text".into(),
                },
                Err(gha::file::ReadFileError::Io { source, .. }) => EventPayload::Unreadable {
                    path,
                    error: source.to_string(),
                },
                // Not a regular file, or too big: bad input (exit 2).
                Err(e) => {
                    let failure =
                        gha::Failure::input(format!("the event payload (GITHUB_EVENT_PATH) {e}"));
                    return runner.fail_code(&failure);
                }
            }
        }
        _ => EventPayload::None,
    };
    let inputs = Inputs {
        sha: cli.sha,
        time: cli.time,
        sha_length: cli.sha_length,
        format: cli.format,
        service: cli.service,
        image_tag: cli.image_tag.trim().to_owned(),
        now: jiff::Timestamp::now(),
        github: Github {
            event_name,
            event,
            sha: run_env.sha,
            run_number: run_env.run_number,
            head_ref: run_env.head_ref,
            ref_name: run_env.ref_name,
        },
    };
    let stamp = match version_stamp::stamp(&inputs, &GitCli) {
        Ok(s) => s,
        Err(e) => return runner.fail_code(&e),
    };
    runner.info(&format!(
        "{TOOL}: {}  (commit {} from {}; time {} from {}) in {}",
        stamp.version,
        stamp.short_sha,
        stamp.sha_source,
        stamp.timestamp,
        match stamp.time {
            TimeSpec::Now => "now",
            TimeSpec::Commit => "the committer time",
            TimeSpec::At(_) => "--time",
        },
        gha::cli::human_duration(started.elapsed())
    ));
    if stamp.build_version.is_none() {
        runner.warning(&format!(
            "the version '{}' is not in the default form SHA-YYYYMMDD-HHMMSS: `version-stamp parse` and tag-gate will not accept it",
            stamp.version
        ));
    }
    let code = runner.finish_code(Outcome::done(stamp.outputs()).with_summary(stamp.summary()));
    if code == 0 {
        runner.print(&stamp.version);
    }
    code
}

fn parse(runner: &Runner, version: &BuildVersion) -> u8 {
    runner.info(&format!(
        "{TOOL}: '{version}' is a valid version: commit {}, built {}",
        version.short_sha(),
        version.timestamp()
    ));
    let mut summary = Summary::new();
    summary.heading(3, &format!("version-stamp parse: `{version}`"));
    summary.table(
        &["version", "short sha", "timestamp"],
        [[
            format!("`{version}`"),
            format!("`{}`", version.short_sha()),
            version.timestamp().to_string(),
        ]],
    );
    let code = runner
        .finish_code(Outcome::done(version_stamp::parse_outputs(version)).with_summary(summary));
    if code == 0 {
        runner.print(version.as_ref());
    }
    code
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }
}
