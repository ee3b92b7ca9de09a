//! Integration tests: the real binary against real git remotes.

mod chain;
mod idempotency;
mod ordering;
mod refusals;
mod support;
