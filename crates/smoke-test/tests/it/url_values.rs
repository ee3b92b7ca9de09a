//! A value filled into a URL never moves the request: captures and `--var`s
//! are encoded as one path segment or query value, `{{name | raw}}` must
//! keep the spec's origin, and the spec's headers never reach another
//! origin. Two servers: the second one must never hear from the spec.

use crate::util::Fixture;
use probe::testing::{Reply, Script, TestServer};
use serde_json::json;

const TOKEN: &str = "Bearer tok-must-stay-home";

fn first_server(captures: serde_json::Value) -> TestServer {
    TestServer::start([("/start", Script::always(Reply::json(200, captures)))])
}

#[test]
fn a_captured_userinfo_trick_never_reaches_another_host() {
    let other = TestServer::start(Vec::<(String, Script)>::new());
    let loc = format!("@127.0.0.1:{}/x", other.port());
    let home = first_server(json!({ "loc": loc }));
    let fixture = Fixture::new();
    let p1 = home.port();
    let spec = fixture.spec(
        "smoke.yml",
        &format!(
            r#"defaults:
  headers: {{ Authorization: "${{API_TOKEN}}" }}
checks:
  - name: start
    request: {{ url: "http://127.0.0.1:{p1}/start" }}
    capture: {{ loc: $.loc }}
  - name: encoded
    request: {{ url: "http://127.0.0.1:{p1}{{{{loc}}}}" }}
  - name: raw
    request: {{ url: "http://127.0.0.1:{p1}{{{{loc | raw}}}}" }}
"#
        ),
    );
    let run = fixture.smoke(&spec, &["--concurrency", "1"], &[("API_TOKEN", TOKEN)]);
    run.assert_code(1);
    assert!(
        other.requests().is_empty(),
        "the other host was asked: {:?}",
        other.requests()
    );
    assert_eq!(run.check("start")["result"], "passed");
    assert_eq!(run.check("encoded")["result"], "failed");
    let raw = run.check("raw");
    assert_eq!(raw["result"], "failed");
    let why = raw["failures"].to_string();
    let own = format!("http://127.0.0.1:{p1}");
    let moved = format!("http://127.0.0.1:{}", other.port());
    assert!(
        why.contains(&own) && why.contains(&moved),
        "the failure names both origins: {why}"
    );
    // Only /start reached the spec's own server: nothing else was sent.
    let targets: Vec<String> = home.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(targets, ["/start"]);
}

#[test]
fn a_captured_path_is_one_segment() {
    let home = TestServer::start([
        (
            "/start",
            Script::always(Reply::json(
                200,
                json!({ "id": "../../admin?x=1#f", "up": "..", "q": "a&admin=1#x" }),
            )),
        ),
        ("/admin", Script::always(Reply::text(200, "admin"))),
    ]);
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "smoke.yml",
        r#"base_url: ${BASE}/api
defaults:
  headers: { Authorization: "${API_TOKEN}" }
checks:
  - name: start
    request: { url: "${BASE}/start" }
    capture: { id: $.id, up: $.up, q: $.q }
  - name: item
    request: { path: "/items/{{id}}" }
    expect: { status: 404 }
  - name: dot segment
    request: { path: "/items/{{up}}/x" }
  - name: query
    request: { path: "/search?q={{q}}&n={{id}}" }
    expect: { status: 404 }
"#,
    );
    let base = home.url("");
    let run = fixture.smoke(
        &spec,
        &["--concurrency", "1"],
        &[("API_TOKEN", TOKEN), ("BASE", &base)],
    );
    run.assert_code(1);
    assert_eq!(run.check("item")["result"], "passed", "{}", run.stderr);
    assert_eq!(run.check("query")["result"], "passed", "{}", run.stderr);
    let dots = run.check("dot segment");
    assert_eq!(dots["result"], "failed");
    assert!(
        dots["failures"]
            .to_string()
            .contains("{{up}} makes the path segment '..'"),
        "{dots}"
    );
    let targets: Vec<String> = home.requests().into_iter().map(|r| r.target).collect();
    assert_eq!(
        targets,
        [
            "/start",
            "/api/items/..%2F..%2Fadmin%3Fx%3D1%23f",
            "/api/search?q=a%26admin%3D1%23x&n=..%2F..%2Fadmin%3Fx%3D1%23f",
        ]
    );
    assert_eq!(home.hits("/admin"), 0);
}

#[test]
fn a_var_in_the_host_must_name_one_of_the_specs_origins() {
    let other = TestServer::start(Vec::<(String, Script)>::new());
    let home = first_server(json!({}));
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "smoke.yml",
        r#"base_url: ${BASE}
defaults:
  headers: { X-Tenant: "acme-prod" }
checks:
  - name: whole url from a var
    request: { url: "{{target | raw}}/start" }
  - name: host from a var
    request: { url: "http://{{host | raw}}/start" }
"#,
    );
    let base = home.url("");
    // Pointing at the spec's own origin works; anywhere else is refused.
    let run = fixture.smoke(
        &spec,
        &[
            "--var",
            &format!("target={base}"),
            "--var",
            &format!("host={}", home.addr()),
        ],
        &[("BASE", &base)],
    );
    run.assert_code(0);
    let elsewhere = other.url("");
    let run = fixture.smoke(
        &spec,
        &[
            "--var",
            &format!("target={elsewhere}"),
            "--var",
            &format!("host={}", other.addr()),
        ],
        &[("BASE", &base)],
    );
    run.assert_code(1);
    let why = run.check("whole url from a var")["failures"].to_string();
    assert!(why.contains(&elsewhere) && why.contains(&base), "{why}");
    assert!(other.requests().is_empty(), "{:?}", other.requests());
}

#[test]
fn the_specs_headers_never_follow_a_redirect_to_another_origin() {
    let other = TestServer::start([("/landing", Script::always(Reply::text(200, "ok")))]);
    let home = TestServer::start([(
        "/go",
        Script::always(Reply::redirect(&other.url("/landing"))),
    )]);
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "smoke.yml",
        r#"base_url: ${BASE}
checks:
  - name: go
    request:
      path: /go
      headers: { Authorization: "${API_TOKEN}", X-Tenant: "acme-prod-7f3a" }
"#,
    );
    let base = home.url("");
    let run = fixture.smoke(&spec, &[], &[("API_TOKEN", TOKEN), ("BASE", &base)]);
    run.assert_code(0);
    let sent = home.requests();
    assert_eq!(sent[0].header("x-tenant"), Some("acme-prod-7f3a"));
    let landed = other.requests();
    assert_eq!(landed.len(), 1);
    assert_eq!(landed[0].header("authorization"), None);
    assert_eq!(landed[0].header("x-tenant"), None, "{:?}", landed[0]);
}
