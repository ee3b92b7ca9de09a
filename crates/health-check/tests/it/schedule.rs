//! Attempts, thresholds, retries, deadlines, --once.

use crate::util::{assert_code, health_check_cmd};
use probe::testing::{Reply, Script, TestServer, closed_port};
use std::time::Duration;

#[test]
fn a_slow_start_becomes_healthy() {
    let server = TestServer::start([(
        "/health",
        Script::sequence(vec![
            Reply::text(503, "starting"),
            Reply::text(503, "starting"),
            Reply::text(200, "ok"),
        ]),
    )]);
    let url = server.url("/health");
    let run = health_check_cmd()
        .args(["--url", &url, "--interval", "100ms"])
        .run();
    assert_code(&run, 0);
    assert_eq!(run.output("healthy"), "true");
    assert_eq!(run.output("attempts"), "3");
    assert_eq!(run.output("passed"), "true");
    let lines = run.attempts();
    assert_eq!(lines.len(), 3, "{}", run.stderr);
    assert!(
        lines[0].starts_with(&format!("attempt 1 {url}: 503 in ")),
        "{}",
        lines[0]
    );
    assert!(
        lines[0].ends_with("(status: expected 2xx, got 503) — next in 100 ms"),
        "{}",
        lines[0]
    );
    assert!(lines[2].ends_with("— healthy"), "{}", lines[2]);
    assert!(
        run.stderr.contains("healthy: 1 target in "),
        "{}",
        run.stderr
    );
}

#[test]
fn never_healthy_gives_up_when_retries_run_out() {
    let server = TestServer::start([("/health", Script::always(Reply::text(503, "db down")))]);
    let url = server.url("/health");
    let run = health_check_cmd()
        .args(["--url", &url, "--interval", "100ms", "--retries", "2"])
        .run();
    assert_code(&run, 1);
    assert_eq!(run.output("healthy"), "false");
    assert_eq!(run.output("passed"), "false");
    assert_eq!(run.output("attempts"), "3");
    assert_eq!(server.hits("/health"), 3);
    let lines = run.attempts();
    assert!(lines[2].starts_with("attempt 3/3 "), "{}", lines[2]);
    assert!(lines[2].ends_with("— no attempts left"), "{}", lines[2]);
    // The last failure: status, body excerpt, time.
    assert!(
        run.stderr.contains("unhealthy: 1 of 1 target after"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(&format!("{url}: 503 in ")),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("body \"db down\"; at 20"),
        "{}",
        run.stderr
    );
    let report = run.report();
    let t = &report["targets"][0];
    assert_eq!(t["ending"], "retries_exhausted");
    assert_eq!(t["last_failure"]["status"], 503);
    assert_eq!(t["last_failure"]["body_excerpt"], "db down");
}

#[test]
fn a_slow_reply_times_out() {
    let server = TestServer::start([(
        "/slow",
        Script::always(Reply::text(200, "late").delayed(Duration::from_secs(30))),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/slow"),
            "--timeout",
            "300ms",
            "--retries",
            "1",
            "--interval",
            "100ms",
        ])
        .run();
    assert_code(&run, 1);
    assert!(run.elapsed < Duration::from_secs(10), "{:?}", run.elapsed);
    assert!(
        run.stderr
            .contains("no response within 300 ms from 127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert_eq!(run.report()["targets"][0]["last"]["error_kind"], "timeout");
}

#[test]
fn connection_refused_is_unhealthy_and_fast() {
    let url = format!("http://127.0.0.1:{}/health", closed_port());
    let run = health_check_cmd().args(["--url", &url, "--once"]).run();
    assert_code(&run, 1);
    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
    assert!(
        run.stderr.contains("connection refused by 127.0.0.1:"),
        "{}",
        run.stderr
    );
    assert_eq!(
        run.report()["targets"][0]["last"]["error_kind"],
        "connection_refused"
    );
}

#[test]
fn the_deadline_ends_the_run() {
    let server = TestServer::start([("/health", Script::always(Reply::text(503, "no")))]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/health"),
            "--interval",
            "200ms",
            "--deadline",
            "2s",
        ])
        .run();
    assert_code(&run, 1);
    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
    assert!(
        run.elapsed >= Duration::from_millis(1500),
        "{:?}",
        run.elapsed
    );
    let last = *run.attempts().last().unwrap();
    assert!(
        last.ends_with("— deadline (2 s) reached, giving up"),
        "{last}"
    );
    assert_eq!(run.report()["targets"][0]["ending"], "deadline");
}

#[test]
fn the_deadline_cuts_an_attempt_in_flight() {
    let server = TestServer::start([(
        "/slow",
        Script::always(Reply::text(200, "late").delayed(Duration::from_secs(30))),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/slow"),
            "--timeout",
            "20s",
            "--deadline",
            "2s",
        ])
        .run();
    assert_code(&run, 1);
    assert!(run.elapsed < Duration::from_secs(5), "{:?}", run.elapsed);
    assert!(
        run.stderr.contains("(cut short by the deadline)"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_initial_delay_comes_first() {
    let server = TestServer::start([("/health", Script::always(Reply::text(200, "ok")))]);
    let run = health_check_cmd()
        .args(["--url", &server.url("/health"), "--initial-delay", "500ms"])
        .run();
    assert_code(&run, 0);
    assert!(
        run.elapsed >= Duration::from_millis(500),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn the_success_threshold_needs_passes_in_a_row() {
    let server = TestServer::start([(
        "/flaky",
        Script::cycle(vec![Reply::text(200, "ok"), Reply::text(503, "no")]),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/flaky"),
            "--success-threshold",
            "2",
            "--retries",
            "5",
            "--interval",
            "100ms",
        ])
        .run();
    assert_code(&run, 1);
    assert_eq!(run.output("attempts"), "6");
    assert!(
        run.attempts()[0].ends_with("— 1/2 passes in a row, next in 100 ms"),
        "{}",
        run.stderr
    );

    let server = TestServer::start([(
        "/settling",
        Script::sequence(vec![
            Reply::text(200, "ok"),
            Reply::text(503, "no"),
            Reply::text(200, "ok"),
        ]),
    )]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/settling"),
            "--success-threshold",
            "2",
            "--interval",
            "100ms",
        ])
        .run();
    assert_code(&run, 0);
    assert_eq!(run.output("attempts"), "4");
    let lines = run.attempts();
    assert!(
        lines[3].ends_with("— healthy (2/2 passes in a row)"),
        "{}",
        lines[3]
    );
}

#[test]
fn exponential_backoff_waits_longer_each_time() {
    let server = TestServer::start([("/health", Script::always(Reply::text(503, "no")))]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/health"),
            "--interval",
            "100ms",
            "--backoff",
            "exponential",
            "--max-interval",
            "250ms",
            "--retries",
            "3",
        ])
        .run();
    assert_code(&run, 1);
    let waits: Vec<&str> = run
        .attempts()
        .iter()
        .filter_map(|l| l.rsplit_once("next in ").map(|(_, w)| w))
        .collect();
    assert_eq!(waits.len(), 3, "{}", run.stderr);
    let ms = |w: &str| w.trim_end_matches(" ms").parse::<u64>().unwrap();
    assert!((90..=110).contains(&ms(waits[0])), "{waits:?}");
    assert!((180..=220).contains(&ms(waits[1])), "{waits:?}");
    assert_eq!(ms(waits[2]), 250, "{waits:?}");
}

#[test]
fn once_is_one_attempt() {
    let server = TestServer::start([
        ("/ok", Script::always(Reply::text(200, "ok"))),
        ("/bad", Script::always(Reply::text(500, "boom"))),
    ]);
    let run = health_check_cmd()
        .args(["--url", &server.url("/ok"), "--once"])
        .run();
    assert_code(&run, 0);
    assert_eq!(run.output("attempts"), "1");
    assert!(
        run.attempts()[0].starts_with("attempt 1/1 "),
        "{}",
        run.stderr
    );
    let run = health_check_cmd()
        .args(["--url", &server.url("/bad"), "--once"])
        .run();
    assert_code(&run, 1);
    assert_eq!(server.hits("/bad"), 1);
    let run = health_check_cmd()
        .args(["--url", &server.url("/ok"), "--once", "--retries", "3"])
        .run();
    assert_code(&run, 2);
    assert!(
        run.stderr.contains("--once makes exactly one attempt"),
        "{}",
        run.stderr
    );
}
