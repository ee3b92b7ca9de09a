//! What a target answers: bodies that never end, trickle, are huge, are not
//! UTF-8, redirect forever; JSON fields and versions.

use crate::util::{assert_code, health_check_cmd};
use probe::testing::{Reply, Script, TestServer};
use serde_json::json;
use std::time::Duration;

#[test]
fn an_endless_body_is_read_up_to_the_cap() {
    let server = TestServer::start([("/endless", Script::always(Reply::Endless { status: 200 }))]);
    let url = server.url("/endless");
    let run = health_check_cmd().args(["--url", &url, "--once"]).run();
    assert_code(&run, 0);
    assert_eq!(run.report()["targets"][0]["last"]["truncated"], true);
    let run = health_check_cmd()
        .args(["--url", &url, "--once", "--expect-body", "healthy"])
        .run();
    assert_code(&run, 1);
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    assert!(
        run.stderr.contains("(body cut at 1048576 bytes)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_trickling_body_times_out() {
    let server = TestServer::start([(
        "/trickle",
        Script::always(Reply::Trickle {
            status: 200,
            chunk: b"still going ".to_vec(),
            every: Duration::from_millis(100),
        }),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/trickle"),
            "--once",
            "--timeout",
            "700ms",
        ])
        .run();
    assert_code(&run, 1);
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    assert!(
        run.stderr
            .contains("timed out after 700 ms reading the body (200, "),
        "{}",
        run.stderr
    );
    assert_eq!(run.report()["targets"][0]["last"]["status"], 200);
}

#[test]
fn a_huge_body_is_cut_not_swallowed() {
    let server = TestServer::start([(
        "/big",
        Script::always(Reply::bytes(200, vec![b'{'; 8 * 1024 * 1024])),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/big"),
            "--once",
            "--expect-json",
            "$.ok=true",
        ])
        .run();
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("the body is not JSON"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("it was cut at 1048576 bytes"),
        "{}",
        run.stderr
    );
    // The report stays small: an excerpt, not the body.
    assert!(run.output("report").len() < 10_000);
}

#[test]
fn invalid_utf8_is_shown_lossily() {
    let server = TestServer::start([(
        "/bin",
        Script::always(Reply::bytes(500, b"\xff\xfe broken \x00\x1b[2J".to_vec())),
    )]);
    let run = health_check_cmd()
        .args(["--url", &server.url("/bin"), "--once"])
        .run();
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("body \"\u{fffd}\u{fffd} broken [2J\""),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains('\u{1b}'), "escape codes pass through");
    let ok = TestServer::start([(
        "/bin",
        Script::always(Reply::bytes(200, b"\xff status=ok".to_vec())),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &ok.url("/bin"),
            "--once",
            "--expect-body",
            "status=(ok|up)",
        ])
        .run();
    assert_code(&run, 0);
}

#[test]
fn a_redirect_loop_is_unhealthy() {
    let server = TestServer::start([
        ("/a", Script::always(Reply::redirect("/b"))),
        ("/b", Script::always(Reply::redirect("/a"))),
    ]);
    let run = health_check_cmd()
        .args(["--url", &server.url("/a"), "--once"])
        .run();
    assert_code(&run, 1);
    assert!(run.stderr.contains("redirect loop: "), "{}", run.stderr);
    assert_eq!(
        run.report()["targets"][0]["last"]["error_kind"],
        "redirect_loop"
    );
}

#[test]
fn redirects_are_followed() {
    let server = TestServer::start([
        ("/", Script::always(Reply::redirect("/health"))),
        ("/health", Script::always(Reply::text(200, "ok"))),
    ]);
    let run = health_check_cmd()
        .args(["--url", &server.url("/"), "--once"])
        .run();
    assert_code(&run, 0);
}

#[test]
fn a_wrong_json_field_names_path_expected_and_got() {
    let server = TestServer::start([(
        "/health",
        Script::always(Reply::json(
            200,
            json!({"status": "down", "checks": {"db": false}}),
        )),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/health"),
            "--once",
            "--expect-json",
            "$.status=up",
            "--expect-json",
            "$.checks.db=true",
        ])
        .run();
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("json $.status: expected \"up\", got \"down\"; json $.checks.db: expected true, got false"),
        "{}",
        run.stderr
    );
    let failures = &run.report()["targets"][0]["last"]["failures"];
    assert_eq!(failures[0]["expectation"], "json $.status");
    assert_eq!(failures[0]["expected"], "\"up\"");
    assert_eq!(failures[0]["got"], "\"down\"");
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/health"),
            "--once",
            "--expect-json",
            "$.checks.db=false",
            "--expect-json",
            "$.checks",
        ])
        .run();
    assert_code(&run, 0);
}

#[test]
fn the_old_version_answers_then_the_new_one() {
    let server = TestServer::start([(
        "/version",
        Script::sequence(vec![
            Reply::json(200, json!({"version": "84fb5881-20250120-143022"})),
            Reply::json(200, json!({"version": "84fb5881-20250120-143022"})),
            Reply::json(200, json!({"version": "9c0ffee1-20250121-090000"})),
        ]),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/version"),
            "--expect-version",
            "9c0ffee1-20250121-090000",
            "--interval",
            "100ms",
        ])
        .run();
    assert_code(&run, 0);
    assert_eq!(run.output("attempts"), "3");
    let lines = run.attempts();
    assert!(
        lines[0].contains(
            "(version: expected \"9c0ffee1-20250121-090000\" at $.version, got \"84fb5881-20250120-143022\")"
        ),
        "{}",
        lines[0]
    );
    assert!(
        lines[2].contains("(version 9c0ffee1-20250121-090000 at $.version) — healthy"),
        "{}",
        lines[2]
    );
    assert_eq!(
        run.report()["targets"][0]["last"]["notes"][0],
        "version 9c0ffee1-20250121-090000 at $.version"
    );
}

#[test]
fn the_version_field_and_the_body_fallback() {
    let server = TestServer::start([
        (
            "/info",
            Script::always(Reply::json(
                200,
                json!({"build": {"id": "1.4.0"}, "version": "api-v2"}),
            )),
        ),
        (
            "/text",
            Script::always(Reply::text(200, "shop 1.4.0 (commit abc)")),
        ),
    ]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/info"),
            "--once",
            "--expect-version",
            "1.4.0",
            "--version-field",
            "$.build.id",
        ])
        .run();
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("version 1.4.0 at $.build.id"),
        "{}",
        run.stderr
    );
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/text"),
            "--once",
            "--expect-version",
            "1.4.0",
        ])
        .run();
    assert_code(&run, 0);
    assert!(
        run.stderr.contains("version 1.4.0 found in the body"),
        "{}",
        run.stderr
    );
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/text"),
            "--once",
            "--expect-version",
            "1.5.0",
        ])
        .run();
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("the body does not contain it"),
        "{}",
        run.stderr
    );
    // --version-field without --expect-version is refused.
    let run = health_check_cmd()
        .args(["--url", &server.url("/text"), "--version-field", "$.v"])
        .run();
    assert_code(&run, 2);
}

#[test]
fn status_lists_and_classes() {
    let server = TestServer::start([("/made", Script::always(Reply::text(204, "")))]);
    let url = server.url("/made");
    assert_code(
        &health_check_cmd()
            .args(["--url", &url, "--once", "--expect-status", "200,204"])
            .run(),
        0,
    );
    assert_code(
        &health_check_cmd()
            .args(["--url", &url, "--once", "--expect-status", "201|3xx"])
            .run(),
        1,
    );
    assert_code(
        &health_check_cmd()
            .args(["--url", &url, "--once", "--expect-status", "2XX"])
            .run(),
        0,
    );
}

#[test]
fn methods_are_sent() {
    let server = TestServer::start([("/h", Script::always(Reply::text(200, "")))]);
    let run = health_check_cmd()
        .args(["--url", &server.url("/h"), "--once", "--method", "head"])
        .run();
    assert_code(&run, 0);
    assert_eq!(server.requests()[0].method, "HEAD");
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/h"),
            "--once",
            "--method",
            "HEAD",
            "--expect-body",
            "x",
        ])
        .run();
    assert_code(&run, 2);
}
