//! smoke-test: runs a YAML spec of named checks — HTTP requests and `run:`
//! commands with expectations — concurrently, in dependency order.
//!
//! - [`spec`]: the YAML model, `${ENV}` expansion, `{{name}}` templates and
//!   the dependency graph, with every error at its file:line:col;
//! - [`run`]: the scheduler, HTTP checks (through `probe`) and `run:`
//!   commands;
//! - [`report`] and [`junit`]: what a run found, as JSON and JUnit XML.
//!
//! The library never prints and never reads the environment: `main.rs`
//! does, and hears about a run through [`run::Observer`].

pub mod junit;
pub mod report;
pub mod run;
pub mod spec;
pub mod template;
