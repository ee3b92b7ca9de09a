//! Tests of expectations: parsing the parts and evaluating them against
//! responses.

use super::*;
use reqwest::header::{HeaderMap, HeaderValue};
use serde_json::json;

fn resp(status: u16, body: &str) -> Response {
    Response::synthetic(status, HeaderMap::new(), body)
}

#[test]
fn status_forms() {
    let s = StatusExpect::parse("200,204|3xx").unwrap();
    assert!(s.matches(200) && s.matches(204) && s.matches(302));
    assert!(!s.matches(201) && !s.matches(404));
    assert_eq!(s.to_string(), "200, 204 or 3xx");
    let r = StatusExpect::parse(" 200-299 ").unwrap();
    assert!(r.matches(250) && !r.matches(300));
    assert!(StatusExpect::parse("2XX").unwrap().matches(299));
    for bad in [
        "", "abc", "2x", "6xx", "0xx", "99", "600", "300-200", "20a", "2000", ", |",
    ] {
        assert!(StatusExpect::parse(bad).is_err(), "{bad}");
    }
    let e = StatusExpect::parse("abc").unwrap_err().to_string();
    assert!(e.contains("'abc'") && e.contains("2xx"), "{e}");
}

#[test]
fn status_from_yaml_like_values() {
    let one: StatusExpect = serde_json::from_value(json!(201)).unwrap();
    assert_eq!(one, StatusExpect::codes(&[201]));
    let many: StatusExpect = serde_json::from_value(json!([200, "3xx"])).unwrap();
    assert!(many.matches(200) && many.matches(301));
    let text: StatusExpect = serde_json::from_value(json!("2xx")).unwrap();
    assert_eq!(text, StatusExpect::success());
    assert!(serde_json::from_value::<StatusExpect>(json!("nope")).is_err());
}

#[test]
fn status_failure_names_expected_and_got() {
    let c = Expectation::Status(StatusExpect::success()).check(&resp(503, ""));
    let Check::Fail(m) = c else { panic!() };
    assert_eq!(m.to_string(), "status: expected 2xx, got 503");
}

#[test]
fn value_coercion() {
    let t = |text: &str, got: Value| ExpectedValue::from_text(text).matches(&got);
    assert!(t("true", json!(true)));
    assert!(t("true", json!("true")));
    assert!(!t("true", json!(false)));
    assert!(t("1.2.3", json!("1.2.3")));
    assert!(t("200", json!(200)));
    assert!(t("200", json!("200")));
    assert!(t("1.0", json!(1)));
    assert!(t("1.20", json!("1.20")));
    assert!(!t("1.20", json!("1.2")));
    assert!(t("null", json!(null)));
    assert!(t("[1, \"a\"]", json!([1, "a"])));
    assert!(t("{\"a\": 1}", json!({"a": 1})));
    assert!(!t("{\"a\": 1}", json!({"a": 1, "b": 2})));
    assert!(t("\"quoted\"", json!("quoted")));
    assert!(!t("ok", json!("OK")));
    let y = |v: Value, got: Value| ExpectedValue::from_json(v).matches(&got);
    assert!(y(json!("1.2.3"), json!("1.2.3")));
    assert!(y(json!(1.5), json!("1.5")));
    assert!(y(json!("true"), json!(true)));
    assert!(y(json!(["a", 2]), json!(["a", "2"])));
    assert!(!y(json!(1), json!(2)));
    assert!(y(json!(u64::MAX), json!(u64::MAX)));
}

#[test]
fn json_assertions_split_outside_brackets() {
    assert_eq!(split_json_assertion("$.ok=true"), ("$.ok", Some("true")));
    assert_eq!(
        split_json_assertion("$.items[?@.name=='a=b'].ok=yes"),
        ("$.items[?@.name=='a=b'].ok", Some("yes"))
    );
    assert_eq!(split_json_assertion("$.a"), ("$.a", None));
    assert_eq!(split_json_assertion("$.q=a=b"), ("$.q", Some("a=b")));
}

#[test]
fn json_expectations() {
    let body = r#"{"ok": true, "version": "1.2.3", "items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": []}], "n": 3}"#;
    let r = resp(200, body);
    let check = |s: &str| Expectation::parse_json_assertion(s).unwrap().check(&r);
    assert!(check("$.ok=true").is_pass());
    assert!(check("$.version=1.2.3").is_pass());
    assert!(check("$.items[0].tags[1]=b").is_pass());
    assert!(check("$.n=3").is_pass());
    assert!(check("$.items[?@.id==2].tags=[]").is_pass());
    assert!(check("$.items").is_pass());
    let Check::Fail(m) = check("$.ok=false") else {
        panic!()
    };
    assert_eq!(m.to_string(), "json $.ok: expected false, got true");
    let Check::Fail(m) = check("$.missing=1") else {
        panic!()
    };
    assert_eq!(m.got, "nothing at $.missing");
    let Check::Fail(m) = check("$.items[*].id=1") else {
        panic!()
    };
    assert_eq!(m.expected, "1 at all 2 nodes");
    assert_eq!(m.got, "2");
    let html = resp(200, "<html>oops</html>");
    let Check::Fail(m) = Expectation::parse_json_assertion("$.ok=true")
        .unwrap()
        .check(&html)
    else {
        panic!()
    };
    assert!(m.got.starts_with("the body is not JSON"), "{m}");
    assert!(m.got.contains("<html>oops</html>"), "{m}");
}

#[test]
fn bad_json_assertions_are_input_errors() {
    for bad in ["", "=1", "$.ok=", "$[", "ok=true"] {
        let e = Expectation::parse_json_assertion(bad).unwrap_err();
        assert_eq!(
            vocab::Classify::class(&e),
            vocab::ErrorClass::Input,
            "{bad}"
        );
    }
}

#[test]
fn headers_exact_or_regex() {
    let mut h = HeaderMap::new();
    h.insert("x-service", HeaderValue::from_static("shop-42"));
    let r = Response::synthetic(200, h, "");
    let e = |name: &str, v: Option<&str>| Expectation::Header {
        name: name.into(),
        value: v.map(|v| TextMatch::parse(v).unwrap()),
    };
    assert!(e("X-Service", Some("shop-42")).check(&r).is_pass());
    assert!(e("x-service", Some("/^shop-\\d+$/")).check(&r).is_pass());
    assert!(e("x-service", None).check(&r).is_pass());
    let Check::Fail(m) = e("x-service", Some("shop")).check(&r) else {
        panic!()
    };
    assert_eq!(
        m.to_string(),
        "header x-service: expected \"shop\", got \"shop-42\""
    );
    let Check::Fail(m) = e("x-other", None).check(&r) else {
        panic!()
    };
    assert_eq!(m.got, "no such header");
}

#[test]
fn body_checks() {
    let r = resp(200, "status: all good\n");
    assert!(
        Expectation::BodyContains("all good".into())
            .check(&r)
            .is_pass()
    );
    assert!(
        Expectation::body_matches("all\\s+good")
            .unwrap()
            .check(&r)
            .is_pass()
    );
    let Check::Fail(m) = Expectation::body_matches("^down").unwrap().check(&r) else {
        panic!()
    };
    assert_eq!(
        m.to_string(),
        "body matches: expected a body matching /^down/, got \"status: all good\""
    );
    assert!(Expectation::body_matches("(").is_err());
}

#[test]
fn version_sources() {
    let v = |version: &str, field: Option<&str>| Expectation::Version {
        version: version.into(),
        field: field.map(|f| JsonPathExpr::parse(f).unwrap()),
    };
    let json = resp(200, r#"{"version": "1.2.3", "build": {"tag": "abc"}}"#);
    assert_eq!(
        v("1.2.3", None).check(&json),
        Check::Pass {
            note: Some("version 1.2.3 at $.version".into())
        }
    );
    let Check::Fail(m) = v("1.2.4", None).check(&json) else {
        panic!()
    };
    assert_eq!(
        m.to_string(),
        "version: expected \"1.2.4\" at $.version, got \"1.2.3\""
    );
    assert!(v("abc", Some("$.build.tag")).check(&json).is_pass());
    let Check::Fail(m) = v("abc", Some("$.build.nope")).check(&json) else {
        panic!()
    };
    assert_eq!(m.got, "nothing at $.build.nope");
    let text = resp(200, "app 84fb5881-20250120-143022 up");
    assert_eq!(
        v("84fb5881-20250120-143022", None).check(&text),
        Check::Pass {
            note: Some("version 84fb5881-20250120-143022 found in the body".into())
        }
    );
    let Check::Fail(m) = v("new", None).check(&text) else {
        panic!()
    };
    assert!(m.got.starts_with("the body does not contain it"), "{m}");
    let other_json = resp(200, r#"{"status": "ok"}"#);
    let Check::Fail(m) = v("9", None).check(&other_json) else {
        panic!()
    };
    assert!(m.got.starts_with("no $.version"), "{m}");
}

#[test]
fn latency() {
    let r = resp(200, "");
    assert!(
        Expectation::MaxLatency(Duration::from_secs(1))
            .check(&r)
            .is_pass()
    );
}

#[test]
fn check_all_collects_every_failure() {
    let r = resp(500, "{}");
    let eval = check_all(
        &[
            Expectation::Status(StatusExpect::success()),
            Expectation::parse_json_assertion("$.ok=true").unwrap(),
            Expectation::BodyContains("{}".into()),
        ],
        &r,
    );
    assert!(!eval.passed());
    assert_eq!(eval.failures.len(), 2);
}
