//! Issue 17: what a target answers and what a flag is given never make the
//! runner read a workflow command out of health-check's output (findings 2
//! and 3, by the runner's own rules: `gha::neutral::forged`), and secrets in
//! a URL are never echoed (finding 6).

use crate::util::{Run, assert_code, health_check_cmd};
use probe::testing::{Reply, Script, TestServer};

const MARK: &str = "PWN";

const HOSTILE: &[&str] = &[
    "##[error]PWN",
    "##[add-mask]PWN",
    "##[stop-commands]PWN",
    "ok ##[set-output name=x]PWN",
    "\r::error::PWN",
    "  ::error ::PWN",
    "a\n  ::warning::PWN",
];

#[track_caller]
fn assert_clean(what: &str, run: &Run) {
    // The runner reads both streams (not the summary file).
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let forged = gha::neutral::forged(text, MARK);
        assert!(
            forged.is_empty(),
            "{what}: {stream} has {forged:#?}\n{text}"
        );
    }
}

#[test]
fn response_bodies_and_headers_cannot_forge_a_workflow_command() {
    let body = HOSTILE.join("\n");
    let server = TestServer::start([
        (
            "/text",
            Script::always(Reply::text(503, &body).header("x-note", "##[add-mask]PWN")),
        ),
        (
            "/json",
            Script::always(Reply::json(
                200,
                serde_json::json!({"v": body, "s": "##[error]PWN"}),
            )),
        ),
    ]);
    for args in [
        vec!["--url", &server.url("/text")],
        vec![
            "--url",
            &server.url("/text"),
            "--expect-status",
            "503",
            "--expect-body",
            "healthy",
        ],
        vec!["--url", &server.url("/json"), "--expect-json", "$.s=ok"],
        vec!["--url", &server.url("/json"), "--expect-json", "$.v=ok"],
        vec![
            "--url",
            &server.url("/json"),
            "--expect-version",
            "1.0",
            "--version-field",
            "$.s",
        ],
    ] {
        for json in [false, true] {
            let mut run = health_check_cmd()
                .env("GITHUB_ACTIONS", "true")
                .args(&args)
                .args(["--once"]);
            if json {
                run = run.args(["--json"]);
            }
            let run = run.run();
            let what = format!("{args:?} json={json}");
            assert_code(&run, 1);
            assert_clean(&what, &run);
        }
    }
}

#[test]
fn invalid_values_cannot_forge_a_workflow_command() {
    for hostile in HOSTILE {
        for args in [
            vec!["--url", hostile],
            vec!["--url", "http://127.0.0.1:1/", "--timeout", hostile],
            vec!["--url", "http://127.0.0.1:1/", "--expect-status", hostile],
            vec!["--url", "http://127.0.0.1:1/", "--expect-json", hostile],
            vec!["--url", "http://127.0.0.1:1/", "--header", hostile],
            vec!["--url", "http://127.0.0.1:1/", "--method", hostile],
            vec!["--url", "http://127.0.0.1:1/", hostile],
        ] {
            let run = health_check_cmd()
                .env("GITHUB_ACTIONS", "true")
                .args(&args)
                .args(["--once"])
                .run();
            let what = format!("{args:?}");
            assert_ne!(run.code, 0, "{what}");
            assert_clean(&what, &run);
        }
    }
}

#[test]
fn secrets_in_a_malformed_url_are_not_echoed() {
    for url in [
        "http://x:99999/?token=S3CR3T",
        "http://[x/?token=S3CR3T",
        "ftp://u:S3CR3T@x/",
        "http://u:S3CR3T@exa mple/",
    ] {
        let run = health_check_cmd().args(["--url", url, "--once"]).run();
        assert_code(&run, 2);
        assert!(
            !run.all_text().contains("S3CR3T"),
            "{url}:\n{}",
            run.all_text()
        );
    }
}
