pub mod health_check;
pub mod semantic_bump;
pub mod smoke_test;
pub mod tag_gate;
pub mod version_stamp;

pub fn rt() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

pub fn http() -> reqwest::Client {
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder().timeout(std::time::Duration::from_secs(5)).build().unwrap()
}
