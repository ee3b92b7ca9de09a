//! Integration tests: the real binary against real git remotes.

mod action;
mod api;
mod black_hole;
mod chain;
mod deployments;
mod environments;
mod help;
mod idempotency;
mod image;
mod input;
mod ordering;
mod refusals;
mod shallow;
mod stages;
mod support;
mod workflow_commands;
