//! Integration tests: the real `demo-service` binary on 127.0.0.1, raw
//! HTTP/1.1 over TCP, `deploy.sh`, and the smoke spec.

mod cli;
mod deploy;
mod service;
mod smoke_spec;
mod support;
