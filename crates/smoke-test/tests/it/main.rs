//! The real `smoke-test` binary in a scrubbed environment against real HTTP
//! servers on 127.0.0.1, with `$GITHUB_OUTPUT`, `$GITHUB_STEP_SUMMARY` and
//! JUnit files read back.

mod cli;
mod commands;
mod e2e;
mod expectations;
mod injection;
mod junit;
mod scheduling;
mod secrets;
mod server;
mod snapshots;
mod spec_errors;
mod url_values;
mod util;
mod workflow_commands;
