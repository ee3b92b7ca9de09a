//! Integration tests: the real binary on real git repositories.

mod actions;
mod common;
mod lint;
mod next;
mod pr;
mod release;
