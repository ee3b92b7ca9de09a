//! Integration tests: the real binary against real git remotes.

mod chain;
mod deployments;
mod idempotency;
mod ordering;
mod refusals;
mod shallow;
mod support;
