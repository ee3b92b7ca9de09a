//! `smoke.yml` is run against the real service by a small interpreter of
//! the spec subset it uses (any other key fails the test), so the spec and
//! the service cannot drift apart. smoke-test itself runs it end to end in
//! the pipeline workflows.

use crate::support::Service;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::Path;

fn spec_text() -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("smoke.yml")).unwrap()
}

fn expand_env(text: &str, env: &BTreeMap<&str, &str>) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find("${") {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').expect("unclosed ${") + start;
        let name = &rest[start + 2..end];
        out.push_str(
            env.get(name)
                .unwrap_or_else(|| panic!("spec uses unset ${{{name}}}")),
        );
        rest = &rest[end + 1..];
    }
    out + rest
}

fn keys_within(v: &Value, allowed: &[&str], what: &str) {
    for k in v
        .as_object()
        .unwrap_or_else(|| panic!("{what} is not a map"))
        .keys()
    {
        assert!(
            allowed.contains(&k.as_str()),
            "{what}: key `{k}` is outside the interpreted subset"
        );
    }
}

fn json_path<'a>(doc: &'a Value, path: &str) -> Option<&'a Value> {
    let mut cur = doc;
    let rest = path.strip_prefix('$').expect("JSONPath starts with $");
    for seg in rest.split('.').skip(1) {
        let (name, index) = match seg.split_once('[') {
            Some((n, i)) => (n, Some(i.trim_end_matches(']').parse::<usize>().unwrap())),
            None => (seg, None),
        };
        cur = cur.get(name)?;
        if let Some(i) = index {
            cur = cur.get(i)?;
        }
    }
    Some(cur)
}

fn yaml_scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Runs the spec; returns the names of the checks that failed, with why.
fn run_spec(svc: &Service, expected_version: &str) -> Vec<String> {
    let env = BTreeMap::from([("EXPECTED_VERSION", expected_version)]);
    let spec: Value = serde_saphyr::from_str(&expand_env(&spec_text(), &env)).unwrap();
    keys_within(&spec, &["defaults", "checks"], "spec");
    keys_within(&spec["defaults"], &["timeout"], "defaults");
    let mut vars: BTreeMap<String, String> = BTreeMap::new();
    let mut failures = Vec::new();
    for check in spec["checks"].as_array().unwrap() {
        keys_within(check, &["name", "request", "expect", "capture"], "check");
        let name = check["name"].as_str().unwrap();
        let req = &check["request"];
        keys_within(req, &["method", "path", "json"], name);
        let mut path = req["path"].as_str().unwrap().to_owned();
        for (k, v) in &vars {
            path = path.replace(&format!("{{{{{k}}}}}"), v);
        }
        assert!(
            !path.contains("{{"),
            "{name}: unresolved placeholder in {path}"
        );
        let reply = match req["method"].as_str().unwrap() {
            "GET" => svc.get(&path),
            "POST" => svc.post_json(&path, &req["json"].to_string()),
            m => panic!("{name}: method {m} outside the subset"),
        };
        let expect = &check["expect"];
        keys_within(
            expect,
            &[
                "status",
                "headers",
                "json",
                "max_latency",
                "body_contains",
                "body_matches",
            ],
            name,
        );
        let body_text = String::from_utf8_lossy(&reply.body).into_owned();
        let mut fail = |why: String| failures.push(format!("{name}: {why}"));
        if expect["status"].as_u64() != Some(u64::from(reply.status)) {
            fail(format!("status {} != {}", reply.status, expect["status"]));
            continue;
        }
        if let Some(headers) = expect.get("headers").and_then(Value::as_object) {
            for (k, v) in headers {
                if reply.header(k) != Some(&yaml_scalar_text(v)) {
                    fail(format!("header {k}: {:?}", reply.header(k)));
                }
            }
        }
        if let Some(needle) = expect.get("body_contains").and_then(Value::as_str) {
            if !body_text.contains(needle) {
                fail(format!("body lacks {needle}"));
            }
        }
        if let Some(re) = expect.get("body_matches").and_then(Value::as_str) {
            if !regex::Regex::new(re).unwrap().is_match(&body_text) {
                fail(format!("body does not match {re}"));
            }
        }
        if let Some(paths) = expect.get("json").and_then(Value::as_object) {
            let doc = reply.json();
            for (p, want) in paths {
                let got = json_path(&doc, p).map(yaml_scalar_text);
                if got.as_deref() != Some(yaml_scalar_text(want).as_str()) {
                    fail(format!("{p}: {got:?} != {want}"));
                }
            }
        }
        if let Some(captures) = check.get("capture").and_then(Value::as_object) {
            let doc = reply.json();
            for (k, p) in captures {
                let v = json_path(&doc, p.as_str().unwrap())
                    .unwrap_or_else(|| panic!("{name}: capture {p} found nothing"));
                vars.insert(k.clone(), yaml_scalar_text(v));
            }
        }
    }
    failures
}

#[test]
fn the_smoke_spec_passes_against_the_service() {
    let version = "84fb5881-20250120-143022";
    let svc = Service::start(&["--version-string", version]);
    assert_eq!(run_spec(&svc, version), Vec::<String>::new());
    // It really created an item with the version as its second tag.
    let items = svc.get("/api/items").json();
    assert_eq!(items["items"][0]["tags"][1], version);
}

#[test]
fn the_smoke_spec_catches_the_old_version_still_answering() {
    let svc = Service::start(&["--version-string", "old-version"]);
    let failures = run_spec(&svc, "84fb5881-20250120-143022");
    assert!(
        failures.iter().any(|f| f.starts_with("health: $.version")),
        "{failures:?}"
    );
    assert!(
        failures.iter().any(|f| f.starts_with("version: $.version")),
        "{failures:?}"
    );
}

#[test]
fn the_smoke_spec_catches_an_unhealthy_deploy() {
    let svc = Service::start(&["--unhealthy", "--version-string", "v"]);
    let failures = run_spec(&svc, "v");
    assert_eq!(failures, ["health: status 503 != 200"]);
}

#[test]
fn the_spec_uses_the_expected_version_placeholder() {
    let text = spec_text();
    assert!(text.contains("\"${EXPECTED_VERSION}\""));
    assert!(text.contains("capture: { item_id: \"$.id\" }"));
    assert!(text.contains("/api/items/{{item_id}}"));
}
