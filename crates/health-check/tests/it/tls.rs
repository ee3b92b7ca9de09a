//! HTTPS with a certificate from a test CA: untrusted, --insecure, --ca-cert.

use crate::util::{assert_code, health_check_cmd};
use probe::testing::{Reply, Script, TestCa, TestServer};

#[test]
fn an_untrusted_certificate_is_unhealthy_with_a_hint() {
    let ca = TestCa::new();
    let server = TestServer::start_tls([("/h", Script::always(Reply::text(200, "ok")))], &ca);
    let run = health_check_cmd()
        .args(["--url", &server.url("/h"), "--once"])
        .run();
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("TLS handshake with 127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("--ca-cert FILE"), "{}", run.stderr);
    assert_eq!(run.report()["targets"][0]["last"]["error_kind"], "tls");
}

#[test]
fn insecure_accepts_any_certificate_and_says_so() {
    let ca = TestCa::new();
    let server = TestServer::start_tls([("/h", Script::always(Reply::text(200, "ok")))], &ca);
    let run = health_check_cmd()
        .args(["--url", &server.url("/h"), "--once", "--insecure"])
        .run();
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("TLS verification is off (--insecure)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_ca_certificate_file_is_trusted() {
    let ca = TestCa::new();
    let server = TestServer::start_tls([("/h", Script::always(Reply::text(200, "ok")))], &ca);
    let dir = tempfile::tempdir().unwrap();
    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, &ca.ca_pem).unwrap();
    let run = health_check_cmd()
        .args(["--url", &server.url("/h"), "--once", "--ca-cert"])
        .args([&pem])
        .run();
    assert_code(&run, 0);
    // localhost is in the certificate too
    let run = health_check_cmd()
        .args([
            "--url",
            &format!("https://localhost:{}/h", server.port()),
            "--once",
            "--ca-cert",
        ])
        .args([&pem])
        .run();
    assert_code(&run, 0);
}

#[test]
fn a_bad_ca_file_is_bad_input() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.pem");
    let run = health_check_cmd()
        .args(["--url", "https://127.0.0.1:1/", "--ca-cert"])
        .args([&missing])
        .run();
    assert_code(&run, 2);
    assert!(
        run.stderr.contains("cannot read the CA certificate file"),
        "{}",
        run.stderr
    );
    let junk = dir.path().join("junk.pem");
    std::fs::write(&junk, "hello").unwrap();
    let run = health_check_cmd()
        .args(["--url", "https://127.0.0.1:1/", "--ca-cert"])
        .args([&junk])
        .run();
    assert_code(&run, 2);
    assert!(
        run.stderr.contains("is not a PEM certificate"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_a_system_ca_store_http_works_and_https_needs_ca_cert() {
    let ca = TestCa::new();
    let tls = TestServer::start_tls([("/h", Script::always(Reply::text(200, "ok")))], &ca);
    let plain = TestServer::start([("/h", Script::always(Reply::text(200, "ok")))]);
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let none = dir.path().join("none.pem");
    let pem = dir.path().join("ca.pem");
    std::fs::write(&pem, &ca.ca_pem).unwrap();
    let no_store = |args: &[&str]| {
        health_check_cmd()
            .env("SSL_CERT_FILE", none.to_str().unwrap())
            .env("SSL_CERT_DIR", empty.to_str().unwrap())
            .args(args)
            .run()
    };
    // A scratch image: http:// needs no CA store at all.
    assert_code(&no_store(&["--url", &plain.url("/h"), "--once"]), 0);
    let run = no_store(&["--url", &tls.url("/h"), "--once"]);
    assert_code(&run, 1);
    assert!(
        run.stderr
            .contains("no CA certificates found on this system"),
        "{}",
        run.stderr
    );
    let run = no_store(&[
        "--url",
        &tls.url("/h"),
        "--once",
        "--ca-cert",
        pem.to_str().unwrap(),
    ]);
    assert_code(&run, 0);
}
