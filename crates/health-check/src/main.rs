//! `health-check`: flags and the runner's variables in; one progress line
//! per attempt on stderr; the verdict as outputs, a job summary table,
//! `--json` and the exit code.

mod cli;
mod cmd_check;
mod render;

use cli::Cli;
use gha::{Env, Runner};
use std::process::ExitCode;

const TOOL: &str = "health-check";

pub fn main() -> ExitCode {
    let cli: Cli = gha::cli::parse(TOOL);
    let runner = Runner::new(TOOL, Env::from_process())
        .json(cli.json)
        .soft(cli.soft);
    ExitCode::from(cmd_check::check(&runner, cli))
}
