//! Integration tests: the real binary against real git remotes.

mod action;
mod api;
mod chain;
mod deployments;
mod help;
mod idempotency;
mod image;
mod input;
mod ordering;
mod refusals;
mod shallow;
mod support;
