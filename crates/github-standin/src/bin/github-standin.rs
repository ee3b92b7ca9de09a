//! `github-standin serve`: the stand-in as a server of its own, for tools
//! that cannot link the library (a workflow runner such as nektos/act).
//! Prints `GITHUB_API_URL=…` and `GITHUB_GRAPHQL_URL=…` once it listens,
//! then serves until killed.

use clap::{Parser, Subcommand};
use github_standin::StandIn;
use std::io::Write;
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

fn main() -> ExitCode {
    let Command::Serve {
        addr,
        port,
        repository,
        token,
        artifacts_dir,
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
    drop(out);
    loop {
        std::thread::park();
    }
}
