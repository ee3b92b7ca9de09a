//! Integration tests: the real binary on real git repositories.

mod actions;
mod black_hole;
mod changelog;
mod common;
mod fuzz;
mod lint;
mod next;
mod peers;
mod pr;
mod release;
mod snapshots;
mod verdict;
mod workflow_commands;
