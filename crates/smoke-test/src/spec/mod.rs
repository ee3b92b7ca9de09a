//! The spec, compiled: `${ENV}` expanded, templates parsed, values
//! validated, the dependency graph checked. Every problem is a
//! [`SpecError`] with the file, line and column of the value at fault, and
//! all of them are collected before the spec is refused.

pub mod raw;

mod compile;
mod error;
mod graph;
mod model;

pub use compile::{load, origin_of};
pub use error::{SpecError, SpecErrors};
pub use graph::find_cycle;
pub use model::*;

#[cfg(test)]
mod tests;
