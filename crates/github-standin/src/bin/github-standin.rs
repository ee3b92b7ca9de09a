//! `github-standin serve`: the stand-in as a server of its own, for tools
//! that cannot link the library (a workflow runner such as nektos/act).
//! Prints `GITHUB_API_URL=…` and `GITHUB_GRAPHQL_URL=…` once it listens,
//! then serves until killed, or with `--seed-stdin` until its stdin closes
//! (so it dies with the test that started it).

use clap::{Parser, Subcommand};
use github_standin::{NewCommit, NewPull, StandIn};
use serde::Deserialize;
use std::io::{BufRead, Write};
use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(version, about = "A stand-in for the GitHub API, for tests")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the REST and GraphQL API for one repository.
    Serve {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1")]
        addr: IpAddr,
        /// The port (0: a free one).
        #[arg(long, default_value_t = 0)]
        port: u16,
        /// The repository served, OWNER/NAME.
        #[arg(long, default_value = "octo-org/demo-service", value_parser = repository)]
        repository: String,
        /// The token it accepts (never printed).
        #[arg(long, env = "GITHUB_STANDIN_TOKEN", hide_env_values = true)]
        token: String,
        /// Actions artifacts: the folder of act's artifact server
        /// (`act --artifact-server-path`).
        #[arg(long)]
        artifacts_dir: Option<PathBuf>,
        /// Read seeding commands on stdin, one JSON object a line, each
        /// answered `ok` or `error: …` on stdout; exit when stdin closes.
        /// `{"commit": {"sha", "message", "parents"}}`,
        /// `{"pull": {"number", "title", "head", "head_ref"}}`,
        /// `{"expire_artifact": {"id"}}`.
        #[arg(long)]
        seed_stdin: bool,
    },
}

/// What GitHub learns without a REST route: commits arrive by `git push`
/// (the stand-in speaks no git), pull requests are opened from branches it
/// does not hold, and artifacts expire with time.
#[derive(Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
enum Seed {
    Commit {
        sha: String,
        message: String,
        parents: Vec<String>,
    },
    Pull {
        number: u64,
        title: String,
        head: String,
        head_ref: Option<String>,
    },
    ExpireArtifact {
        id: u64,
    },
}

fn repository(s: &str) -> Result<String, String> {
    match s.split_once('/') {
        Some((o, n)) if !o.is_empty() && !n.is_empty() && !n.contains('/') => Ok(s.to_owned()),
        _ => Err(format!(
            "'{s}' is not OWNER/NAME, such as octo-org/demo-service"
        )),
    }
}

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.chars().all(|c| c.is_ascii_hexdigit())
}

/// Applies one seeding line; the answer to print.
fn seed(gh: &StandIn, line: &str) -> Result<(), String> {
    let cmd: Seed = serde_json::from_str(line).map_err(|e| format!("'{line}': {e}"))?;
    match cmd {
        Seed::Commit {
            sha,
            message,
            parents,
        } => {
            if let Some(bad) = std::iter::once(&sha).chain(&parents).find(|s| !is_sha(s)) {
                return Err(format!("'{bad}' is not a commit id (40 hex digits)"));
            }
            let parents: Vec<&str> = parents.iter().map(String::as_str).collect();
            gh.add_commit(NewCommit::new(&message).sha(&sha).parents(&parents));
        }
        Seed::Pull {
            number,
            title,
            head,
            head_ref,
        } => {
            if !is_sha(&head) {
                return Err(format!("'{head}' is not a commit id (40 hex digits)"));
            }
            let mut pull = NewPull::new(number, &title).head(&head);
            if let Some(r) = head_ref {
                pull = pull.head_ref(&r);
            }
            gh.add_pull(pull);
        }
        Seed::ExpireArtifact { id } => {
            if !gh.expire_artifact(id) {
                return Err(format!("no stored artifact {id}"));
            }
        }
    }
    Ok(())
}

fn main() -> ExitCode {
    let Command::Serve {
        addr,
        port,
        repository,
        token,
        artifacts_dir,
        seed_stdin,
    } = Cli::parse().command;
    let mut builder = StandIn::builder()
        .repository(&repository)
        .token(&token)
        .addr(SocketAddr::new(addr, port));
    if let Some(dir) = artifacts_dir {
        builder = builder.artifacts_dir(dir);
    }
    let gh = match builder.try_start() {
        Ok(gh) => gh,
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "github-standin: cannot listen on {addr}:{port}: {e}"
            );
            return ExitCode::from(3);
        }
    };
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "GITHUB_API_URL={}", gh.url());
    let _ = writeln!(out, "GITHUB_GRAPHQL_URL={}", gh.graphql_url());
    let _ = out.flush();
    if !seed_stdin {
        drop(out);
        loop {
            std::thread::park();
        }
    }
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        if line.trim().is_empty() {
            continue;
        }
        let answer = match seed(&gh, &line) {
            Ok(()) => "ok".to_owned(),
            Err(e) => format!("error: {e}"),
        };
        let _ = writeln!(out, "{answer}");
        let _ = out.flush();
    }
    ExitCode::SUCCESS
}
