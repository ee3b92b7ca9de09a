//! GitHub Actions runner I/O for the shipgate binaries, written once:
//!
//! - [`Outputs`] → `$GITHUB_OUTPUT` (random heredoc delimiters) and `--json`;
//! - [`Summary`] → `$GITHUB_STEP_SUMMARY`, within its budget;
//! - annotations, groups and masks as workflow commands ([`Runner`]);
//! - the exit-code policy ([`ErrorClass`], [`Classify`], [`Verdict`]) with
//!   `--soft`;
//! - [`cli`]: clap errors as exit 2, and parsers for values from outside.
//!
//! Libraries return typed results; only `main.rs` builds a [`Runner`] from
//! [`Env::from_process`] and hands it what to render.

pub mod cli;
pub mod env;
pub mod escape;
pub mod exit;
pub mod file;
pub mod neutral;
pub mod output;
pub mod runner;
pub mod summary;
pub use vocab::url;

pub use env::{GithubEnv, Token};
pub use exit::{Classify, ErrorClass, Failure, Verdict};
pub use output::Outputs;
pub use runner::{Env, Level, Location, Outcome, Runner};
pub use summary::Summary;
