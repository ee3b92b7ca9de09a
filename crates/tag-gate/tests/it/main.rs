//! Integration tests: the real binary against real git remotes.

mod chain;
mod refusals;
mod support;
