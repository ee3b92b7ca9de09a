//! Integration tests of the repo crate: one binary, a module per backend.

mod api;
mod documented;
mod order;
