//! `smoke-test`: flags and the environment in; one line per check on
//! stderr, JUnit XML, the job summary, outputs and the exit code out.

mod cli;
mod cmd_run;
mod render;

use cli::Cli;
use gha::{Env, Runner};
use std::process::ExitCode;
use std::sync::Arc;

const TOOL: &str = "smoke-test";

pub fn main() -> ExitCode {
    let cli: Cli = gha::cli::parse(TOOL);
    let runner = Arc::new(
        Runner::new(TOOL, Env::from_process())
            .json(cli.json)
            .soft(cli.soft),
    );
    // `${NAME}` in the spec: read here, the library never reads the
    // environment.
    let env_lookup = |name: &str| std::env::var(name).ok();
    cmd_run::smoke_test(&cli, &runner, &env_lookup)
}
