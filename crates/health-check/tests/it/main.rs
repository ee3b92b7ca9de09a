//! The real `health-check` binary in a scrubbed environment, against
//! scripted servers on 127.0.0.1; `$GITHUB_OUTPUT` and
//! `$GITHUB_STEP_SUMMARY` read back.

mod action;
mod bodies;
mod inputs;
mod output;
mod schedule;
mod secrets;
mod snapshots;
mod targets;
mod tls;
mod util;
mod workflow_commands;
