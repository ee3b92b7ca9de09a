//! Flags and their env twins; bad input exits 2 naming the value.

use crate::util::{assert_code, health_check_cmd};
use probe::testing::{Reply, Script, TestServer};

#[test]
fn env_twins_take_lists_one_per_line() {
    let server = TestServer::start([
        (
            "/a",
            Script::always(Reply::json(200, serde_json::json!({"ok": true, "n": 2}))),
        ),
        (
            "/b",
            Script::always(Reply::json(200, serde_json::json!({"ok": true, "n": 2}))),
        ),
    ]);
    let run = health_check_cmd()
        .env(
            "INPUT_URL",
            &format!("{}\n\n  {}  \n", server.url("/a"), server.url("/b")),
        )
        .env(
            "INPUT_TCP",
            &format!("127.0.0.1:{}, 127.0.0.1:{}", server.port(), server.port()),
        )
        .env("INPUT_EXPECT_JSON", "$.ok=true\n$.n=2")
        .env("INPUT_HEADER", "X-One: 1\nX-Two: a, b")
        .env("INPUT_ONCE", "true")
        .env("INPUT_SOFT", "false")
        .env("INPUT_INSECURE", "false")
        .env("INPUT_JSON", "")
        .env("INPUT_RETRIES", "")
        .env("INPUT_METHOD", "")
        .env("INPUT_CA_CERT", "")
        .env("INPUT_EXPECT_VERSION", "")
        .env("INPUT_VERSION_FIELD", "")
        .env("INPUT_EXPECT_STATUS", " 200 ")
        .run();
    assert_code(&run, 0);
    assert_eq!(run.output("attempts"), "4");
    let seen = server.requests();
    assert_eq!(seen.len(), 2);
    assert!(seen.iter().all(|r| r.header("x-two") == Some("a, b")));
}

#[test]
fn commas_split_url_lists_only_before_a_scheme() {
    let server = TestServer::start([
        ("/a", Script::always(Reply::text(200, "ok"))),
        ("/b", Script::always(Reply::text(200, "ok"))),
    ]);
    let run = health_check_cmd()
        .env(
            "INPUT_URL",
            &format!("{}?ids=1,2,{}", server.url("/a"), server.url("/b")),
        )
        .env("INPUT_ONCE", "true")
        .run();
    assert_code(&run, 0);
    assert_eq!(run.output("attempts"), "2");
    assert_eq!(
        server.requests()[0].target.replace("%2C", ","),
        "/a?ids=1,2"
    );
}

#[test]
fn bad_values_exit_2_naming_the_value() {
    let cases: &[(&[&str], &str)] = &[
        (
            &["--url", "http://127.0.0.1:1/", "--expect-status", "abc"],
            "invalid status 'abc'",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--expect-json", "ok=true"],
            "invalid JSONPath 'ok'",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--expect-body", "("],
            "invalid regex '('",
        ),
        (
            &["--url", "ftp://example.com/"],
            "the scheme must be http or https",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--timeout", "5 parsecs"],
            "invalid duration",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--deadline", "0s"],
            "expected a positive duration",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--interval", "0s"],
            "'0s' is below the floor of 100 ms: expected at least 100ms",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--interval", "99ms"],
            "'99ms' is below the floor of 100 ms",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--max-interval", "10ms"],
            "'10ms' is below the floor of 100 ms",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--backoff", "linear"],
            "expected fixed or exponential",
        ),
        (
            &["--url", "http://127.0.0.1:1/", "--success-threshold", "0"],
            "expected at least 1",
        ),
        (&["--tcp", "db"], "invalid TCP target 'db'"),
        (
            &[
                "--url",
                "http://127.0.0.1:1/",
                "--initial-delay",
                "10s",
                "--deadline",
                "5s",
            ],
            "is not shorter than --deadline",
        ),
        (
            &[
                "--url",
                "http://127.0.0.1:1/",
                "--retries",
                "1",
                "--success-threshold",
                "3",
            ],
            "raise --retries to at least 2",
        ),
        (
            &["--tcp", "127.0.0.1:1", "--expect-json", "$.ok=true"],
            "apply to --url targets",
        ),
        (&[], "--url <URL>"),
        (
            &["--url", "http://127.0.0.1:1/", "--bogus"],
            "unexpected argument '--bogus'",
        ),
    ];
    for (args, needle) in cases {
        let run = health_check_cmd().args(*args).run();
        assert_code(&run, 2);
        assert!(run.stderr.contains(needle), "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn a_newline_in_a_value_cannot_forge_a_workflow_command() {
    let run = health_check_cmd()
        .env("GITHUB_ACTIONS", "true")
        .args([
            "--url",
            "http://127.0.0.1:1/",
            "--expect-status",
            "abc\n::error::forged",
        ])
        .run();
    assert_code(&run, 2);
    assert!(
        !run.stderr.lines().any(|l| l.starts_with("::error::forged")),
        "{}",
        run.stderr
    );
}

#[test]
fn help_and_version() {
    let run = health_check_cmd().args(["--help"]).run();
    assert_code(&run, 0);
    for flag in [
        "--url",
        "--tcp",
        "--expect-status",
        "--expect-body",
        "--expect-json",
        "--expect-version",
        "--version-field",
        "--method",
        "--header",
        "--timeout",
        "--interval",
        "--backoff",
        "--max-interval",
        "--retries",
        "--deadline",
        "--initial-delay",
        "--success-threshold",
        "--once",
        "--insecure",
        "--ca-cert",
        "--soft",
        "--json",
    ] {
        assert!(run.stdout.contains(flag), "{flag} missing from --help");
    }
    assert!(
        run.stdout.contains("[env: INPUT_EXPECT_STATUS=]"),
        "{}",
        run.stdout
    );
    let run = health_check_cmd().args(["--version"]).run();
    assert_code(&run, 0);
    assert!(run.stdout.starts_with("health-check "));
}

#[test]
fn bad_status_error_snapshot() {
    let run = health_check_cmd()
        .args(["--url", "http://127.0.0.1:1/", "--expect-status", "20x"])
        .run();
    assert_code(&run, 2);
    snapbox::assert_data_eq!(
        run.stderr,
        snapbox::str![[r#"
error: invalid value for '--expect-status <200,204|2xx>': invalid status '20x': expected codes, ranges or classes separated by , or |, e.g. 200, 200,204, 2xx, 200-299 or 200,204|3xx

"#]]
    );
}
