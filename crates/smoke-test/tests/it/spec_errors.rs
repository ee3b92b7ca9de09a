//! Every kind of spec error exits 2 with file:line:col (and an `::error`
//! annotation with file, line and col in Actions), before anything runs.

use crate::server::Server;
use crate::util::Fixture;

/// (case, spec, expected `file:line:col: message` prefix)
fn cases(url: &str) -> Vec<(&'static str, String, &'static str)> {
    vec![
        (
            "yaml syntax",
            "checks:\n  - name: a\n    run: \"unclosed\n".into(),
            ":4:1: ",
        ),
        (
            "unknown key",
            format!(
                "base_url: {url}\nchecks:\n  - name: a\n    request: {{ path: / }}\n    expct: {{ status: 200 }}\n"
            ),
            ":5:5: unknown field `expct`, expected one of name, request, run, timeout, expect, capture, needs, retries, retry_delay (did you mean `expect`?)",
        ),
        (
            "bad value",
            format!(
                "base_url: {url}\nchecks:\n  - name: a\n    request: {{ path: / }}\n    expect: {{ status: 2xy }}\n"
            ),
            ":5:23: invalid status '2xy'",
        ),
        (
            "bad duration",
            format!(
                "base_url: {url}\ndefaults: {{ timeout: soon }}\nchecks:\n  - {{ name: a, request: {{ path: / }} }}\n"
            ),
            ":2:22: defaults.timeout: invalid duration 'soon'",
        ),
        (
            "retry delay below the floor",
            format!(
                "base_url: {url}\nchecks:\n  - {{ name: a, request: {{ path: / }}, retries: 3, retry_delay: 0.01 }}\n"
            ),
            ":3:63: retry_delay '0.01' is below the floor of 100 ms: expected at least 100ms, such as 1s",
        ),
        (
            "unknown filter",
            format!(
                "base_url: {url}\nvars: {{ id: x }}\nchecks:\n  - {{ name: a, request: {{ path: \"/i/{{{{id | upper}}}}\" }} }}\n"
            ),
            ":4:37: unknown filter 'upper' in {{id | upper}}: the only filter is raw, as in {{id | raw}}",
        ),
        (
            "unset env",
            "base_url: ${SMOKE_NOT_SET}\nchecks:\n  - { name: a, request: { path: / } }\n".into(),
            ":1:11: environment variable SMOKE_NOT_SET is not set (or empty)",
        ),
        (
            "unset env mid-string",
            format!(
                "base_url: {url}\ndefaults:\n  headers: {{ Authorization: \"Bearer ${{SMOKE_TOKEN_NOT_SET}}\" }}\nchecks:\n  - {{ name: a, request: {{ path: / }} }}\n"
            ),
            ":3:37: environment variable SMOKE_TOKEN_NOT_SET is not set",
        ),
        (
            "unknown placeholder",
            format!(
                "base_url: {url}\nchecks:\n  - {{ name: a, request: {{ path: \"/items/{{{{item_id}}}}\" }} }}\n"
            ),
            ":3:41: unknown name {{item_id}}",
        ),
        (
            "cycle",
            format!(
                "base_url: {url}\nchecks:\n  - {{ name: a, request: {{ path: \"/{{{{y}}}}\" }}, capture: {{ x: $.x }} }}\n  - {{ name: b, request: {{ path: \"/{{{{x}}}}\" }}, capture: {{ y: $.y }} }}\n"
            ),
            ":3:5: checks wait for each other in a cycle: 'a' → 'b' → 'a'",
        ),
        (
            "wrong kind",
            "checks:\n  - name: a\n    run: 'true'\n    expect: { status: 200 }\n".into(),
            ":4:23: `status` does not apply to a `run:` check",
        ),
        (
            "bad regex",
            format!(
                "base_url: {url}\nchecks:\n  - {{ name: a, request: {{ path: / }}, expect: {{ body_matches: 'a(' }} }}\n"
            ),
            ":3:62: invalid body_matches regex 'a(': unclosed group",
        ),
        (
            "bad JSONPath",
            format!(
                "base_url: {url}\nchecks:\n  - {{ name: a, request: {{ path: / }}, expect: {{ json: {{ '$..[': 1 }} }} }}\n"
            ),
            ":3:56: invalid JSONPath '$..['",
        ),
        (
            "no checks",
            "checks: []\n".into(),
            ":1:9: `checks:` is empty",
        ),
        ("not a mapping", "- just a list\n".into(), ":1:1: "),
    ]
}

#[test]
fn every_error_class_has_file_line_and_column() {
    let server = Server::start();
    for (case, yaml, want) in cases(&server.url) {
        let fixture = Fixture::new();
        let spec = fixture.spec("smoke.yml", &yaml);
        let run = fixture.smoke(&spec, &[], &[]);
        assert_eq!(run.code, 2, "{case}: {}", run.stderr);
        let expected = format!("smoke-test: error: {}{want}", spec.display());
        assert!(
            run.stderr.contains(&expected),
            "{case}: want {expected:?} in\n{}",
            run.stderr
        );
        // A caret under the place.
        assert!(
            run.stderr.contains(" | "),
            "{case}: no snippet\n{}",
            run.stderr
        );
        assert!(!run.summary.is_empty(), "{case}: no summary");
    }
    assert!(server.log().is_empty(), "a check ran: {:?}", server.log());
}

#[test]
fn in_actions_errors_are_annotations_with_file_line_and_col() {
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "smoke.yml",
        "checks:\n  - name: a\n    run: 'true'\n    expct: {}\n",
    );
    let run = fixture.smoke(&spec, &["--json"], &[("GITHUB_ACTIONS", "true")]);
    run.assert_code(2);
    let line = run
        .stderr
        .lines()
        .find(|l| l.starts_with("::error title=smoke-test%3A invalid spec,"))
        .unwrap_or_else(|| panic!("no annotation in\n{}", run.stderr));
    let file = spec
        .display()
        .to_string()
        .replace(':', "%3A")
        .replace(',', "%2C");
    assert!(
        line.starts_with(&format!(
            "::error title=smoke-test%3A invalid spec,file={file},line=4,col=5::unknown field `expct`"
        )),
        "{line}"
    );
    // --json: the error object on stdout, nothing else.
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["error"]["code"], 2);
    assert!(
        json["error"]["message"]
            .as_str()
            .unwrap()
            .contains(":4:5: unknown field `expct`")
    );
}

#[test]
fn all_problems_are_reported_at_once() {
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "smoke.yml",
        "checks:\n  - { name: a, run: 'true', timeout: x }\n  - { name: b, run: 'true', retries: many }\n",
    );
    let run = fixture.smoke(&spec, &[], &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(":2:38: timeout: invalid duration 'x'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(":3:38: invalid retries 'many'"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("(and 1 more problem)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_missing_spec_file_is_bad_input() {
    let fixture = Fixture::new();
    let run = fixture.smoke(&fixture.path("nope.yml"), &[], &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("cannot read the spec"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_spec_that_is_not_a_regular_file_or_too_big_is_refused_at_once() {
    let fixture = Fixture::new();
    let fifo = fixture.path("spec.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let big = fixture.spec("big.yml", &format!("# {}\n", "x".repeat(5 * 1024 * 1024)));
    for (path, what) in [
        (
            std::path::PathBuf::from("/dev/zero"),
            "is a character device, not a regular file",
        ),
        (fifo, "is a FIFO (named pipe), not a regular file"),
        (big, "is 5.0 MiB, more than the limit of 4 MiB"),
    ] {
        let mut c = fixture.cmd();
        // Without the check, /dev/zero grows until killed and the FIFO
        // blocks forever: the bound below ends the test either way.
        c.timeout(std::time::Duration::from_secs(20));
        c.arg("--spec").arg(&path);
        let start = std::time::Instant::now();
        let run = fixture.run(&mut c);
        let took = start.elapsed();
        run.assert_code(2);
        let want = format!("the spec {} {what}", path.display());
        assert!(
            run.stderr.contains(&want),
            "want {want:?} in\n{}",
            run.stderr
        );
        assert!(run.stderr.contains("4 MiB"), "{}", run.stderr);
        // Measured: about 5–20 ms; generous under load, far below "never".
        assert!(took < std::time::Duration::from_secs(10), "{took:?}");
    }
}
