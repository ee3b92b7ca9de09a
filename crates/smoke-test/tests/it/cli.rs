//! Flags, env twins, --json, --soft, --base-url, help.

use crate::server::Server;
use crate::util::Fixture;

fn version_spec(fixture: &Fixture, base: &str) -> std::path::PathBuf {
    fixture.spec(
        "smoke.yml",
        &format!(
            "base_url: {base}\nchecks:\n  - {{ name: version, request: {{ path: /api/version }}, expect: {{ json: {{ $.version: '{{{{want}}}}' }} }} }}\n"
        ),
    )
}

#[test]
fn help_and_version() {
    let fixture = Fixture::new();
    let mut c = fixture.cmd();
    let out = fixture.run(c.arg("--help"));
    out.assert_code(0);
    assert!(out.stdout.contains("--spec <FILE>"));
    assert!(out.stdout.contains("Exit codes: 0 every check passed"));
    let mut c = fixture.cmd();
    let out = fixture.run(c.arg("--version"));
    out.assert_code(0);
    assert!(out.stdout.starts_with("smoke-test "));
}

#[test]
fn base_url_flag_wins_over_the_spec() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = version_spec(&fixture, "http://127.0.0.1:1");
    let run = fixture.smoke(
        &spec,
        &[
            "--base-url",
            &format!("{}/", server.url),
            "--var",
            "want=1.2.3",
        ],
        &[],
    );
    run.assert_code(0);
    assert_eq!(server.log(), ["GET /api/version"]);
    assert_eq!(run.report()["base_url"], server.url);
}

#[test]
fn env_twins_work_like_flags() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = version_spec(&fixture, "http://127.0.0.1:1");
    let mut c = fixture.cmd();
    c.env("INPUT_SPEC", format!("  {}  ", spec.display()))
        .env("INPUT_BASE_URL", &server.url)
        .env(
            "INPUT_VARS",
            "# the expected version\nwant=1.2.3\n\nother = x\n",
        )
        .env("INPUT_CONCURRENCY", "")
        .env("INPUT_JUNIT", "")
        .env("INPUT_FAIL_FAST", "false")
        .env("INPUT_RETRIES", "")
        .env("INPUT_SOFT", "false")
        .env("INPUT_JSON", "false");
    let run = fixture.run(&mut c);
    run.assert_code(0);
    assert_eq!(run.outputs["passed"], "true");
}

#[test]
fn bad_flags_exit_2_without_echoing_values() {
    let fixture = Fixture::new();
    let spec = fixture.spec("smoke.yml", "checks:\n  - { name: a, run: 'true' }\n");
    for (args, want) in [
        (
            vec!["--concurrency", "0"],
            "expected a whole number from 1 to 1024",
        ),
        (
            vec!["--retries", "lots"],
            "expected a whole number from 0 to 100",
        ),
        (vec!["--base-url", "qa.example.com"], "invalid URL"),
        (vec!["--var", "not a pair"], "expected K=V"),
        (vec!["--var", "bad-name=hunter2"], "invalid name 'bad-name'"),
        (vec!["--nope"], "unexpected argument"),
    ] {
        let run = fixture.smoke(&spec, &args, &[("GITHUB_ACTIONS", "true")]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stderr.contains(want), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("::error title=smoke-test::"),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("hunter2"));
    }
}

#[test]
fn json_prints_one_object_with_every_output() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = version_spec(&fixture, &server.url);
    let run = fixture.smoke(&spec, &["--json", "--var", "want=1.2.3"], &[]);
    run.assert_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).expect("one JSON object");
    assert_eq!(json["schema"], 1);
    assert_eq!(json["passed"], true);
    assert_eq!(json["failed"], 0);
    assert_eq!(json["skipped"], 0);
    assert_eq!(json["total"], 1);
    assert_eq!(json["report"]["checks"][0]["name"], "version");
    assert!(run.stderr.contains("✓ version"));
}

#[test]
fn soft_turns_a_failure_into_passed_false() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = version_spec(&fixture, &server.url);
    let run = fixture.smoke(&spec, &["--soft", "--var", "want=9.9.9"], &[]);
    run.assert_code(0);
    assert_eq!(run.outputs["passed"], "false");
    assert_eq!(run.outputs["failed"], "1");
    assert!(
        run.stderr
            .contains("json $.version: expected \"9.9.9\", got \"1.2.3\""),
        "{}",
        run.stderr
    );
    // --soft does not soften bad input.
    let bad = fixture.spec("bad.yml", "checks: [\n");
    fixture.smoke(&bad, &["--soft"], &[]).assert_code(2);
}

#[test]
fn the_summary_is_a_table() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = version_spec(&fixture, &server.url);
    let run = fixture.smoke(&spec, &["--var", "want=0.0.1"], &[]);
    run.assert_code(1);
    assert!(
        run.summary
            .contains("### ❌ smoke-test: 0 of 1 checks passed"),
        "{}",
        run.summary
    );
    assert!(
        run.summary.contains("| version | ❌ failed | GET "),
        "{}",
        run.summary
    );
    assert!(
        run.summary
            .contains("json $.version: expected \"0.0.1\", got \"1.2.3\""),
        "{}",
        run.summary
    );
}
