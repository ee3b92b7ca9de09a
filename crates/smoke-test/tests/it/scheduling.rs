//! Dependency order, real concurrency, --fail-fast and retries.

use crate::server::Server;
use crate::util::Fixture;
use std::time::{Duration, Instant};

#[test]
fn dependencies_decide_the_order_not_the_file() {
    let server = Server::start();
    let fixture = Fixture::new();
    // File order: read, audit, create, login. Dependency order: login →
    // create → read → audit.
    let spec = fixture.spec(
        "order.yml",
        &format!(
            r#"base_url: {}
checks:
  - name: read
    request: {{ path: "/api/items/{{{{id}}}}", headers: {{ X-Session: "{{{{session}}}}" }} }}
    expect: {{ status: 200, json: {{ "$.name": "{{{{session}}}}" }} }}
  - name: audit
    run: 'test "$id" = 1 && echo "audited $id"'
    needs: read
    expect: {{ stdout_contains: "audited 1" }}
  - name: create
    request: {{ method: POST, path: /api/items, json: {{ name: "{{{{session}}}}" }} }}
    expect: {{ status: 201 }}
    capture: {{ id: $.id }}
  - name: login
    request: {{ path: /slow?ms=300 }}
    capture: {{ session: {{ regex: 'slept_(ms)' }} }}
"#,
            server.url
        ),
    );
    let run = fixture.smoke(&spec, &["--concurrency", "8"], &[]);
    run.assert_code(0);
    let log = server.log();
    assert_eq!(
        log,
        ["GET /slow?ms=300", "POST /api/items", "GET /api/items/1"],
        "{log:?}"
    );
    let end = |name: &str| {
        let c = run.check(name);
        c["started_ms"].as_u64().unwrap() + c["duration_ms"].as_u64().unwrap()
    };
    let start = |name: &str| run.check(name)["started_ms"].as_u64().unwrap();
    assert!(start("create") + 1 >= end("login"));
    assert!(start("read") + 1 >= end("create"));
    assert!(start("audit") + 1 >= end("read"));
    // Results stay in spec order.
    let names: Vec<String> = run.report()["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(names, ["read", "audit", "create", "login"]);
}

fn slow_spec(fixture: &Fixture, url: &str, n: usize, ms: u64) -> std::path::PathBuf {
    let mut yaml = format!("base_url: {url}\nchecks:\n");
    for i in 0..n {
        yaml.push_str(&format!(
            "  - {{ name: slow {i}, request: {{ path: '/slow?ms={ms}&i={i}' }} }}\n"
        ));
    }
    fixture.spec("slow.yml", &yaml)
}

#[test]
fn checks_run_concurrently_up_to_the_limit() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = slow_spec(&fixture, &server.url, 6, 1000);
    let started = Instant::now();
    let run = fixture.smoke(&spec, &["--concurrency", "6"], &[]);
    let took = started.elapsed();
    run.assert_code(0);
    assert_eq!(server.max_in_flight(), 6);
    // Six one-second requests side by side: about one second, far from six.
    assert!(took < Duration::from_millis(4500), "took {took:?}");
    let report_ms = run.report()["duration_ms"].as_u64().unwrap();
    assert!((1000..4000).contains(&report_ms), "{report_ms}");
}

#[test]
fn concurrency_is_a_ceiling() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = slow_spec(&fixture, &server.url, 6, 300);
    let run = fixture.smoke(&spec, &[], &[("INPUT_CONCURRENCY", "2")]);
    run.assert_code(0);
    assert_eq!(server.max_in_flight(), 2);
    let report_ms = run.report()["duration_ms"].as_u64().unwrap();
    assert!(
        report_ms >= 900,
        "three rounds of 300 ms took {report_ms} ms"
    );
}

#[test]
fn fail_fast_stops_the_run_and_says_why() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "ff.yml",
        &format!(
            "base_url: {}\nchecks:\n  - {{ name: long, request: {{ path: '/slow?ms=5000' }} }}\n  - {{ name: broken, request: {{ path: /fail }}, expect: {{ status: 200 }} }}\n  - {{ name: later 1, request: {{ path: /api/version }} }}\n  - {{ name: later 2, run: 'true' }}\n",
            server.url
        ),
    );
    let started = Instant::now();
    let run = fixture.smoke(&spec, &["--concurrency", "2", "--fail-fast"], &[]);
    run.assert_code(1);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "waited for the slow check"
    );
    assert_eq!(run.outputs["failed"], "1");
    assert_eq!(run.outputs["skipped"], "3");
    assert_eq!(
        run.check("long")["reason"],
        "cancelled: --fail-fast stopped the run after 'broken' failed"
    );
    assert_eq!(
        run.check("later 1")["reason"],
        "not run: --fail-fast stopped the run after 'broken' failed"
    );
    assert_eq!(run.report()["stopped_by"], "broken");
    assert!(!server.log().iter().any(|l| l == "GET /api/version"));
    assert!(
        run.stderr.contains("(--fail-fast: stopped after 'broken')"),
        "{}",
        run.stderr
    );
}

#[test]
fn without_fail_fast_everything_runs() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "all.yml",
        &format!(
            "base_url: {}\nchecks:\n  - {{ name: broken, request: {{ path: /fail }}, expect: {{ status: 200 }} }}\n  - {{ name: fine, request: {{ path: /api/version }} }}\n",
            server.url
        ),
    );
    let run = fixture.smoke(
        &spec,
        &["--concurrency", "1"],
        &[("INPUT_FAIL_FAST", "false")],
    );
    run.assert_code(1);
    assert_eq!(run.check("fine")["result"], "passed");
}

#[test]
fn retries_give_a_service_a_moment() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "retry.yml",
        &format!(
            r#"base_url: {}
defaults: {{ retry_delay: 100ms }}
checks:
  - {{ name: global, request: {{ path: '/flaky?key=a&n=2' }} }}
  - {{ name: own, retries: 3, request: {{ path: '/flaky?key=b&n=3' }} }}
  - {{ name: too few, request: {{ path: '/flaky?key=c&n=5' }} }}
"#,
            server.url
        ),
    );
    let run = fixture.smoke(&spec, &["--retries", "2"], &[]);
    run.assert_code(1);
    let global = run.check("global");
    assert_eq!(
        (global["result"].as_str(), global["attempts"].as_u64()),
        (Some("passed"), Some(3))
    );
    let own = run.check("own");
    assert_eq!(
        (own["result"].as_str(), own["attempts"].as_u64()),
        (Some("passed"), Some(4))
    );
    let few = run.check("too few");
    assert_eq!(
        (few["result"].as_str(), few["attempts"].as_u64()),
        (Some("failed"), Some(3))
    );
    assert_eq!(few["failures"][0]["got"], "503");
    assert!(
        run.stderr.contains(
            "↻ too few: attempt 1 of 3 failed (status: expected 2xx, got 503); again in 100 ms"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(
        server.log().iter().filter(|l| l.contains("key=c")).count(),
        3
    );
}

#[test]
fn a_skip_propagates_down_the_chain() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "chain.yml",
        &format!(
            r#"base_url: {}
checks:
  - {{ name: a, request: {{ path: /fail }}, capture: {{ x: $.error }} }}
  - {{ name: b, request: {{ path: "/text?body={{{{x}}}}" }}, capture: {{ y: {{ regex: '.+' }} }} }}
  - {{ name: c, run: 'echo "$y"' }}
  - {{ name: d, run: 'true', needs: [c] }}
"#,
            server.url
        ),
    );
    let run = fixture.smoke(&spec, &[], &[]);
    run.assert_code(1);
    assert_eq!(run.outputs["failed"], "1");
    assert_eq!(run.outputs["skipped"], "3");
    assert_eq!(
        run.check("b")["reason"],
        "not run: it uses {{x}} captured by 'a', which failed"
    );
    assert_eq!(
        run.check("c")["reason"],
        "not run: it uses $y captured by 'b', which was skipped"
    );
    assert_eq!(
        run.check("d")["reason"],
        "not run: it needs 'c', which was skipped"
    );
    assert_eq!(server.log(), ["GET /fail"]);
}
