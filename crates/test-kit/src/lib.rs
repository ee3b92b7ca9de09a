//! Test glue shared by the crates' tests (a dev-dependency only): one runner
//! for our binaries that starts from a scrubbed environment, and readers for
//! what a step leaves behind — `$GITHUB_OUTPUT`, `action.yml`, workflow
//! commands on stdout. Modelled on zizmor's `tests/integration/common.rs`.

mod action;
mod commands;
mod outputs;
mod runner;

pub use action::{Action, ActionInput, ActionOutput, ActionStep, Runs, read_action};
pub use commands::{WorkflowCommand, workflow_commands};
pub use outputs::parse_outputs;
pub use runner::{Run, Runner, is_runner_variable};
