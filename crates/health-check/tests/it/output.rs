//! --json, --soft, outputs and the summary.

use crate::util::{assert_code, health_check_cmd};
use probe::testing::{Reply, Script, TestServer};

#[test]
fn json_is_one_object_with_every_output() {
    let server = TestServer::start([(
        "/health",
        Script::always(Reply::json(200, serde_json::json!({"version": "1.0.0"}))),
    )]);
    let url = server.url("/health");
    let run = health_check_cmd()
        .args([
            "--url",
            &url,
            "--once",
            "--json",
            "--expect-version",
            "1.0.0",
        ])
        .run();
    assert_code(&run, 0);
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout).expect("stdout is one JSON object");
    assert_eq!(json["schema"], 1);
    assert_eq!(json["healthy"], true);
    assert_eq!(json["passed"], true);
    assert_eq!(json["attempts"], 1);
    assert!(json["elapsed-ms"].is_u64());
    let report = &json["report"];
    assert_eq!(report["healthy"], true);
    assert_eq!(report["attempts"], 1);
    assert_eq!(report["deadline_ms"], 300_000);
    let t = &report["targets"][0];
    assert_eq!(t["target"], url);
    assert_eq!(t["kind"], "http");
    assert_eq!(t["ending"], "healthy");
    assert_eq!(t["attempts"], 1);
    assert_eq!(t["passes_in_a_row"], 1);
    assert!(t["last_failure"].is_null());
    let last = &t["last"];
    for key in [
        "attempt",
        "time",
        "at_ms",
        "ok",
        "status",
        "latency_ms",
        "error",
        "error_kind",
        "hint",
        "failures",
        "notes",
        "body_excerpt",
        "truncated",
        "address",
    ] {
        assert!(last.get(key).is_some(), "missing {key} in {last}");
    }
    assert_eq!(last["status"], 200);
    assert_eq!(last["ok"], true);
    assert!(last["time"].as_str().unwrap().ends_with('Z'));
    // Human lines went to stderr.
    assert!(run.stderr.contains("attempt 1/1 "));
    // The same outputs reached $GITHUB_OUTPUT.
    assert_eq!(run.output("healthy"), "true");
    let from_file: serde_json::Value = serde_json::from_str(run.output("report")).unwrap();
    assert_eq!(&from_file, report);
}

#[test]
fn soft_reports_unhealthy_and_exits_0() {
    let server = TestServer::start([("/health", Script::always(Reply::text(503, "no")))]);
    let run = health_check_cmd()
        .args(["--url", &server.url("/health"), "--once", "--soft"])
        .env("GITHUB_ACTIONS", "true")
        .run();
    assert_code(&run, 0);
    assert_eq!(run.output("healthy"), "false");
    assert_eq!(run.output("passed"), "false");
    assert!(
        run.stderr
            .contains("::warning title=health-check::unhealthy"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("--soft: passed=false, exit 0"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_summary_is_a_table() {
    let server = TestServer::start([("/health", Script::always(Reply::text(200, "ok")))]);
    let url = server.url("/health");
    let run = health_check_cmd().args(["--url", &url, "--once"]).run();
    assert_code(&run, 0);
    assert!(
        run.summary.starts_with("### ✅ health-check: healthy\n"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("1 target · 1 attempts · "),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains(&format!("| `{url}` | ✅ healthy | 1 | 200 | ")),
        "{}",
        run.summary
    );
}
