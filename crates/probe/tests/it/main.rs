//! probe against real servers on 127.0.0.1.

mod client;
mod tcp;

/// A current-thread runtime, as the binaries use.
pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap()
}
