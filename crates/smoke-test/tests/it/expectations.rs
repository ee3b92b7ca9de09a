//! Every failure names the check, the expectation, what was expected and
//! what came back.

use crate::server::Server;
use crate::util::Fixture;

#[test]
fn each_expectation_reports_expected_and_got() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "exp.yml",
        &format!(
            r#"base_url: {}
checks:
  - name: status
    request: {{ path: /fail }}
    expect: {{ status: [200, 204] }}
  - name: header
    request: {{ path: /api/version }}
    expect: {{ headers: {{ x-service: cart, x-missing: "/^a/" }} }}
  - name: body
    request: {{ path: /api/version }}
    expect: {{ body_contains: [shop, cart], body_matches: "^<html" }}
  - name: json
    request: {{ path: /api/version }}
    expect: {{ json: {{ "$.version": "2.0.0", "$.nothing": 1 }} }}
  - name: latency
    request: {{ path: "/slow?ms=400" }}
    expect: {{ max_latency: 100ms }}
  - name: redirect kept
    request: {{ path: /redirect, follow_redirects: false }}
    expect: {{ status: 302, headers: {{ location: /api/version }} }}
  - name: redirect followed
    request: {{ path: /redirect }}
    expect: {{ status: 200, json: {{ $.service: shop }} }}
  - name: post text
    request: {{ method: put, url: "{}/echo", body: "raw {{{{v}}}}", query: {{ a: "1 2" }} }}
    expect: {{ status: 405 }}
"#,
            server.url, server.url
        ),
    );
    let run = fixture.smoke(&spec, &["--var", "v=x"], &[]);
    run.assert_code(1);
    let f = |name: &str| -> Vec<(String, String, String)> {
        run.check(name)["failures"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["expectation"].as_str().unwrap().to_owned(),
                    m["expected"].as_str().unwrap().to_owned(),
                    m["got"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    };
    let s = |a: &str, b: &str, c: &str| (a.to_owned(), b.to_owned(), c.to_owned());
    assert_eq!(f("status"), [s("status", "200 or 204", "500")]);
    assert_eq!(
        f("header"),
        [
            s("header x-service", "\"cart\"", "\"shop\""),
            s("header x-missing", "a match for /^a/", "no such header")
        ]
    );
    assert_eq!(
        f("body"),
        [
            s(
                "body contains",
                "a body containing \"cart\"",
                "\"{\\\"service\\\":\\\"shop\\\",\\\"version\\\":\\\"1.2.3\\\"}\""
            ),
            s(
                "body matches",
                "a body matching /^<html/",
                "\"{\\\"service\\\":\\\"shop\\\",\\\"version\\\":\\\"1.2.3\\\"}\""
            )
        ]
    );
    assert_eq!(
        f("json"),
        [
            s("json $.version", "\"2.0.0\"", "\"1.2.3\""),
            s("json $.nothing", "1", "nothing at $.nothing")
        ]
    );
    let latency = f("latency");
    assert_eq!(latency[0].0, "max latency");
    assert_eq!(latency[0].1, "at most 100 ms");
    assert_eq!(run.check("redirect kept")["result"], "passed");
    assert_eq!(run.check("redirect followed")["result"], "passed");
    assert_eq!(run.check("post text")["result"], "passed");
    assert!(
        run.check("post text")["target"]
            .as_str()
            .unwrap()
            .ends_with("/echo?a=1+2")
    );
    // The human lines name the check and each expectation.
    assert!(run.stderr.contains("✗ status — GET "), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("    status: expected 200 or 204, got 500"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("smoke-test: error: 5 of 8 checks failed"),
        "{}",
        run.stderr
    );
}

#[test]
fn in_actions_each_failed_check_is_an_annotation_at_its_line() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "exp.yml",
        &format!(
            "base_url: {}\nchecks:\n  - {{ name: ok, request: {{ path: /api/version }} }}\n  - name: broken\n    request: {{ path: /fail }}\n",
            server.url
        ),
    );
    let run = fixture.smoke(&spec, &[], &[("GITHUB_ACTIONS", "true")]);
    run.assert_code(1);
    let file = spec
        .display()
        .to_string()
        .replace(':', "%3A")
        .replace(',', "%2C");
    let want = format!(
        "::error title=smoke-test%3A broken,file={file},line=4::check 'broken' failed: status: expected 2xx, got 500"
    );
    assert!(run.stderr.contains(&want), "{want}\n{}", run.stderr);
}
