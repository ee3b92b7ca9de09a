//! Secrets in headers and URLs are masked everywhere.

use crate::util::{Run, assert_code, health_check_cmd};
use probe::testing::{Reply, Script, TestServer};

const TOKEN: &str = "s3cr3t-t0ken-value";
const KEY: &str = "k3y-0f-the-api";
const QUERY: &str = "qu3ry-s3cret";

fn secret_free(run: &Run) {
    let text = run.all_text();
    for s in [TOKEN, KEY, QUERY] {
        assert!(!text.contains(s), "{s} leaked:\n{text}");
    }
}

fn server() -> TestServer {
    // A server that echoes the credentials it got, as some do.
    TestServer::start([(
        "/private",
        Script::always(Reply::text(
            401,
            &format!("invalid token {TOKEN} or key {KEY} ({QUERY})"),
        )),
    )])
}

#[test]
fn secrets_never_appear_in_any_output() {
    let server = server();
    let url = format!("{}?api_key={QUERY}&page=1", server.url("/private"));
    let run = health_check_cmd()
        .args([
            "--url",
            &url,
            "--once",
            "--header",
            &format!("Authorization: Bearer {TOKEN}"),
            "--header",
            &format!("X-Api-Key: {KEY}"),
        ])
        .run();
    assert_code(&run, 1);
    secret_free(&run);
    assert!(
        run.stderr.contains("invalid token *** or key *** (***)"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("api_key=***&page=1"), "{}", run.stderr);
    // The server did get them.
    let seen = &server.requests()[0];
    assert_eq!(
        seen.header("authorization"),
        Some(format!("Bearer {TOKEN}").as_str())
    );
    assert_eq!(seen.header("x-api-key"), Some(KEY));

    let run = health_check_cmd()
        .args([
            "--url",
            &url,
            "--once",
            "--json",
            "--header",
            &format!("Authorization: Bearer {TOKEN}"),
            "--header",
            &format!("X-Api-Key: {KEY}"),
        ])
        .run();
    assert_code(&run, 1);
    secret_free(&run);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["healthy"], false);
}

#[test]
fn in_actions_secrets_are_announced_as_masks_first() {
    let server = server();
    let run = health_check_cmd()
        .env("GITHUB_ACTIONS", "true")
        .env("INPUT_URL", &server.url("/private"))
        .env(
            "INPUT_HEADER",
            &format!("Authorization: Bearer {TOKEN}\nX-Api-Key: {KEY}"),
        )
        .env("INPUT_ONCE", "true")
        .run();
    assert_code(&run, 1);
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(lines[0].starts_with("::add-mask::"), "{}", run.stderr);
    assert!(
        lines.contains(&format!("::add-mask::Bearer {TOKEN}").as_str()),
        "{}",
        run.stderr
    );
    assert!(
        lines.contains(&format!("::add-mask::{TOKEN}").as_str()),
        "{}",
        run.stderr
    );
    assert!(
        lines.contains(&format!("::add-mask::{KEY}").as_str()),
        "{}",
        run.stderr
    );
    for l in &lines {
        if !l.starts_with("::add-mask::") {
            assert!(!l.contains(TOKEN) && !l.contains(KEY), "leak: {l}");
        }
    }
    assert!(
        run.stderr.contains("::error title=health-check::unhealthy"),
        "{}",
        run.stderr
    );
    assert!(!run.summary.contains(TOKEN));
    assert!(!format!("{:?}", run.outputs).contains(TOKEN));
}

#[test]
fn a_malformed_secret_header_is_not_echoed() {
    let run = health_check_cmd()
        .args([
            "--url",
            "http://127.0.0.1:1/",
            "--header",
            &format!("Authorization Bearer {TOKEN}"),
        ])
        .run();
    assert_code(&run, 2);
    assert!(
        run.stderr.contains("expected NAME: VALUE"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains(TOKEN), "{}", run.stderr);
    let run = health_check_cmd()
        .args([
            "--url",
            "http://127.0.0.1:1/",
            "--header",
            &format!("X-Api-Key: {KEY}\u{7f}"),
        ])
        .run();
    assert_code(&run, 2);
    assert!(!run.stderr.contains(KEY), "{}", run.stderr);
}
