//! smoke-test: runs a YAML spec of named checks — HTTP requests and `run:`
//! commands with expectations — concurrently, in dependency order.

pub mod spec;
pub mod template;
