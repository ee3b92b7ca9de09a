//! Several targets, TCP targets, localhost.

use crate::util::{assert_code, health_check_cmd};
use probe::testing::{Reply, Script, TestServer, closed_port};

#[test]
fn several_targets_all_must_pass() {
    let server = TestServer::start([
        ("/a", Script::always(Reply::text(200, "ok"))),
        ("/b", Script::always(Reply::text(200, "ok"))),
        ("/down", Script::always(Reply::text(503, "down"))),
    ]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/a"),
            "--url",
            &server.url("/b"),
            "--once",
        ])
        .run();
    assert_code(&run, 0);
    assert_eq!(run.output("attempts"), "2");

    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/a"),
            "--url",
            &server.url("/down"),
            "--retries",
            "1",
            "--interval",
            "100ms",
        ])
        .run();
    assert_code(&run, 1);
    assert!(
        run.stderr.contains("unhealthy: 1 of 2 targets"),
        "{}",
        run.stderr
    );
    let report = run.report();
    assert_eq!(report["targets"][0]["healthy"], true);
    assert_eq!(report["targets"][1]["healthy"], false);
    assert_eq!(report["targets"][1]["last_failure"]["status"], 503);
    // The summary lists both.
    assert!(
        run.summary
            .contains("| Target | Result | Attempts | Status | Latency | Detail |")
    );
    assert!(run.summary.contains("✅ healthy"), "{}", run.summary);
    assert!(
        run.summary.contains("❌ no attempts left"),
        "{}",
        run.summary
    );
}

#[test]
fn targets_are_probed_concurrently() {
    use std::time::Duration;
    let server = TestServer::start([
        (
            "/slow1",
            Script::always(Reply::text(200, "ok").delayed(Duration::from_millis(1500))),
        ),
        (
            "/slow2",
            Script::always(Reply::text(200, "ok").delayed(Duration::from_millis(1500))),
        ),
        (
            "/slow3",
            Script::always(Reply::text(200, "ok").delayed(Duration::from_millis(1500))),
        ),
    ]);
    let run = health_check_cmd()
        .args([
            "--url",
            &server.url("/slow1"),
            "--url",
            &server.url("/slow2"),
            "--url",
            &server.url("/slow3"),
            "--once",
        ])
        .run();
    assert_code(&run, 0);
    assert!(
        run.elapsed < Duration::from_millis(4000),
        "{:?}",
        run.elapsed
    );
}

#[test]
fn tcp_targets() {
    let server = TestServer::start([("/", Script::always(Reply::text(200, "ok")))]);
    let open = format!("127.0.0.1:{}", server.port());
    let run = health_check_cmd().args(["--tcp", &open, "--once"]).run();
    assert_code(&run, 0);
    assert!(
        run.attempts()[0].contains(&format!("tcp://{open}: connected to {open} in ")),
        "{}",
        run.stderr
    );
    let closed = format!("127.0.0.1:{}", closed_port());
    let run = health_check_cmd()
        .args([
            "--tcp",
            &open,
            "--tcp",
            &closed,
            "--retries",
            "1",
            "--interval",
            "100ms",
        ])
        .run();
    assert_code(&run, 1);
    assert!(
        run.stderr
            .contains(&format!("tcp://{closed}: connection refused")),
        "{}",
        run.stderr
    );
    assert_eq!(run.report()["targets"][1]["kind"], "tcp");
}

#[test]
fn localhost_reaches_an_ipv4_only_server() {
    let server = TestServer::start([("/health", Script::always(Reply::text(200, "ok")))]);
    let run = health_check_cmd()
        .args([
            "--url",
            &format!("http://localhost:{}/health", server.port()),
            "--once",
        ])
        .run();
    assert_code(&run, 0);
    let run = health_check_cmd()
        .args(["--tcp", &format!("localhost:{}", server.port()), "--once"])
        .run();
    assert_code(&run, 0);
}
