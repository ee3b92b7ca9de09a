//! `run:` checks: bash with errexit and pipefail, exit codes, output
//! expectations, captures from stdout, timeouts that kill the whole group.

use crate::server::Server;
use crate::util::Fixture;
use std::time::{Duration, Instant};

#[test]
fn command_expectations_and_captures() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "cmd.yml",
        &format!(
            r#"base_url: {}
checks:
  - name: invoke
    run: |
      echo '{{"statusCode": 200, "body": {{"id": 7}}}}'
      echo 'warming up' >&2
    expect:
      exit: 0
      json: {{ "$.statusCode": 200 }}
      stdout_matches: '"id": \d+'
      stderr_contains: warming
      max_latency: 10s
    capture: {{ lambda_id: "$.body.id" }}
  - name: use it over HTTP
    request: {{ path: "/text?body=item-{{{{lambda_id}}}}" }}
    expect: {{ body_contains: item-7 }}
  - name: pipefail
    run: 'false | cat'
    expect: {{ exit: 1 }}
  - name: errexit
    run: |
      false
      echo unreachable
    expect: {{ exit: 1 }}
  - name: wrong exit
    run: 'echo oops >&2; exit 4'
  - name: wrong output
    run: 'echo hello'
    expect: {{ stdout_contains: goodbye, json: {{ $.x: 1 }} }}
"#,
            server.url
        ),
    );
    let run = fixture.smoke(&spec, &[], &[]);
    run.assert_code(1);
    assert_eq!(run.check("invoke")["captured"]["lambda_id"], "7");
    assert_eq!(run.check("use it over HTTP")["result"], "passed");
    assert_eq!(run.check("pipefail")["result"], "passed");
    assert_eq!(run.check("errexit")["result"], "passed");
    let wrong = run.check("wrong exit");
    assert_eq!(wrong["exit_code"], 4);
    assert_eq!(wrong["failures"][0]["expectation"], "exit");
    assert_eq!(wrong["failures"][0]["expected"], "0");
    assert_eq!(wrong["failures"][0]["got"], "4 (stderr: \"oops\")");
    let out = run.check("wrong output");
    assert_eq!(out["failures"][0]["expectation"], "stdout contains");
    assert_eq!(
        out["failures"][0]["expected"],
        "output containing \"goodbye\""
    );
    assert_eq!(out["failures"][0]["got"], "\"hello\"");
    assert_eq!(out["failures"][1]["expectation"], "stdout json $.x");
    assert!(
        run.stderr
            .contains("✗ wrong exit — run: echo oops >&2; exit 4 → exit 4"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("    exit: expected 0, got 4 (stderr: \"oops\")"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_timeout_kills_the_whole_process_group() {
    let fixture = Fixture::new();
    let marker = fixture.path("survivor");
    let spec = fixture.spec(
        "timeout.yml",
        &format!(
            "defaults: {{ run_timeout: 500ms }}\nchecks:\n  - name: hangs\n    run: '(sleep 2; touch {}) & sleep 60'\n  - {{ name: own timeout, run: 'sleep 60', timeout: 300ms }}\n",
            marker.display()
        ),
    );
    let started = Instant::now();
    let run = fixture.smoke(&spec, &[], &[]);
    run.assert_code(1);
    assert!(started.elapsed() < Duration::from_secs(10));
    let hangs = run.check("hangs");
    assert_eq!(
        hangs["failures"][0]["got"],
        "killed after the 500 ms timeout"
    );
    assert_eq!(
        run.check("own timeout")["failures"][0]["got"],
        "killed after the 300 ms timeout"
    );
    std::thread::sleep(Duration::from_millis(2500));
    assert!(
        !marker.exists(),
        "a process of the group outlived the timeout"
    );
}

#[test]
fn commands_inherit_the_environment() {
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "env.yml",
        "checks:\n  - { name: env, run: 'test \"$SMOKE_FROM_OUTSIDE\" = yes', expect: { exit: 0 } }\n",
    );
    fixture
        .smoke(&spec, &[], &[("SMOKE_FROM_OUTSIDE", "yes")])
        .assert_code(0);
    fixture.smoke(&spec, &[], &[]).assert_code(1);
}
