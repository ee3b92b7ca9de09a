//! The real `version-stamp` binary in a scrubbed environment: git fixture
//! repositories with fixed dates, event files, `$GITHUB_OUTPUT` and
//! `$GITHUB_STEP_SUMMARY` read back.

mod env;
mod events;
mod git_errors;
mod help;
mod hostile;
mod parse;
mod stamp;
mod util;
mod workflow_commands;
