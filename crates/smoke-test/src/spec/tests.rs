use super::*;
use crate::template::{Part, Template, Values};
use probe::StatusExpect;
use std::time::Duration;
fn env(name: &str) -> Option<String> {
    match name {
        "BASE_URL" => Some("http://127.0.0.1:9/".into()),
        "API_TOKEN" => Some("s3cr3t-t0ken".into()),
        "EMPTY" => Some(String::new()),
        _ => None,
    }
}

fn load_with(src: &str, vars: &[(&str, &str)], base: Option<&str>) -> Result<Spec, SpecErrors> {
    let opts = LoadOptions {
        file: "smoke.yml".into(),
        base_url: base.map(str::to_owned),
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
        retries: None,
        env: &env,
    };
    load(src, &opts)
}

fn errors(src: &str) -> Vec<String> {
    load_with(src, &[], None)
        .err()
        .unwrap_or_else(|| panic!("expected errors for:\n{src}"))
        .errors
        .iter()
        .map(ToString::to_string)
        .collect()
}

const DESIGN_EXAMPLE: &str = r#"base_url: ${BASE_URL}          # --base-url wins
defaults:
  timeout: 5s
  headers: { Authorization: "Bearer ${API_TOKEN}" }
checks:
  - name: version
    request: { method: GET, path: /api/version }
    expect:
      status: 200              # or [200, 204], or "2xx"
      headers: { x-service: shop }
      json: { "$.version": "1.2.3" }
      max_latency: 2s
  - name: create item
    request: { method: POST, path: /api/items, json: { name: widget, tags: [a, b] } }
    expect: { status: 201, body_contains: widget }
    capture: { item_id: "$.id" }
  - name: read item            # waits for "create item": it uses {{item_id}}
    request: { path: "/api/items/{{item_id}}" }
    expect: { status: 200, json: { "$.tags[1]": b }, body_matches: "wid.et" }
  - name: lambda invoke
    run: echo '"ok"'
    expect: { exit: 0, stdout_contains: '"ok"' }
"#;

#[test]
fn the_design_example_compiles() {
    let spec = load_with(DESIGN_EXAMPLE, &[], None).unwrap();
    assert_eq!(spec.base_url.as_deref(), Some("http://127.0.0.1:9"));
    assert_eq!(spec.checks.len(), 4);
    assert_eq!(spec.deps, vec![vec![], vec![], vec![1], vec![]]);
    assert_eq!(spec.secrets, ["s3cr3t-t0ken", "Bearer s3cr3t-t0ken"]);
    let Kind::Http(h) = &spec.checks[0].kind else {
        panic!()
    };
    assert_eq!(h.timeout, Duration::from_secs(5));
    assert_eq!(h.headers.len(), 1);
    assert!(h.headers[0].secret);
    assert_eq!(h.expect.status, StatusExpect::codes(&[200]));
    assert_eq!(h.expect.max_latency, Some(Duration::from_secs(2)));
    assert_eq!(h.expect.json[0].path.as_str(), "$.version");
    assert_eq!(
        h.expect.json[0].value,
        JsonTemplate::String(Template::literal("1.2.3"))
    );
    let Kind::Http(read) = &spec.checks[2].kind else {
        panic!()
    };
    let Target::Path(p) = &read.target else {
        panic!()
    };
    assert_eq!(p.source(), "/api/items/{{item_id}}");
    assert_eq!(read.expect.status.to_string(), "200");
    let Kind::Run(run) = &spec.checks[3].kind else {
        panic!()
    };
    assert_eq!(run.script, "echo '\"ok\"'");
    assert_eq!(run.timeout, DEFAULT_RUN_TIMEOUT);
    assert_eq!(spec.checks[1].captures[0].name, "item_id");
    assert_eq!(spec.checks[0].loc.line, 6);
}

#[test]
fn base_url_flag_wins() {
    let spec = load_with(DESIGN_EXAMPLE, &[], Some("https://qa.example.com/shop/")).unwrap();
    assert_eq!(
        spec.base_url.as_deref(),
        Some("https://qa.example.com/shop")
    );
}

#[test]
fn unset_env_is_located_exactly() {
    let e = errors("checks:\n  - name: a\n    request: { path: \"/x/${NOPE}\" }\n");
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("smoke.yml:3:26: environment variable NOPE is not set"),
        "{e:?}"
    );
    let e = errors("base_url: ${EMPTY}\nchecks:\n  - { name: a, run: 'true' }\n");
    assert!(
        e[0].starts_with("smoke.yml:1:11: environment variable EMPTY"),
        "{e:?}"
    );
}

#[test]
fn env_defaults_and_escapes() {
    let spec = load_with(
        "base_url: ${NOPE:-http://127.0.0.1:1}\nchecks:\n  - name: a\n    request: { path: \"/$${literal}\" }\n",
        &[],
        None,
    )
    .unwrap();
    assert_eq!(spec.base_url.as_deref(), Some("http://127.0.0.1:1"));
    let Kind::Http(h) = &spec.checks[0].kind else {
        panic!()
    };
    let Target::Path(p) = &h.target else { panic!() };
    assert_eq!(p.render(&Values::new()).unwrap(), "/${literal}");
}

#[test]
fn env_values_are_never_placeholders() {
    let spec = load_with(
        "base_url: http://127.0.0.1:1\nchecks:\n  - name: a\n    request: { path: /x, headers: { X-Api-Key: \"${API_TOKEN}\" } }\n",
        &[],
        None,
    )
    .unwrap();
    assert_eq!(spec.secrets, ["s3cr3t-t0ken"]);
}

#[test]
fn every_error_class_has_a_place() {
    let cases: &[(&str, &str)] = &[
        (
            "checks:\n  - name: a\n    expct: {}\n",
            "smoke.yml:3:5: unknown field `expct`, expected one of name, request, run, timeout, expect, capture, needs, retries, retry_delay (did you mean `expect`?)",
        ),
        ("checks:\n  - name: a\n    run: [\n", "smoke.yml:3:10: "),
        (
            "checks:\n  - { name: a, request: { url: 'http://x' }, expect: { status: 2xy } }\n",
            "smoke.yml:2:64: invalid status '2xy'",
        ),
        (
            "checks:\n  - { name: a, run: x, timeout: fast }\n",
            "smoke.yml:2:33: timeout: invalid duration 'fast'",
        ),
        (
            "checks:\n  - { name: a, run: x, expect: { stdout_matches: '(' } }\n",
            "smoke.yml:2:50: invalid stdout_matches regex '(': unclosed group",
        ),
        (
            "checks:\n  - { name: a, run: x, capture: { id: '$.[' } }\n",
            "smoke.yml:2:39: invalid JSONPath '$.['",
        ),
        (
            "checks:\n  - { name: a, run: x, expect: { status: 200 } }\n",
            "smoke.yml:2:42: `status` does not apply to a `run:` check",
        ),
        (
            "base_url: http://h\nchecks:\n  - { name: a, request: { path: '/{{ x }}' } }\n",
            "smoke.yml:3:35: unknown name {{x}}: no check captures it and no var defines it (none are defined)",
        ),
        (
            "checks:\n  - { name: a }\n",
            "smoke.yml:2:5: check 'a' needs `request:`",
        ),
        (
            "checks:\n  - { name: a, run: x }\n  - { name: a, run: y }\n",
            "smoke.yml:3:13: duplicate check name 'a'",
        ),
        (
            "checks:\n  - { name: a, request: { path: /x } }\n",
            "smoke.yml:2:5: check 'a' uses `path:` but no base URL",
        ),
        (
            "checks:\n  - { name: a, run: x, needs: b }\n",
            "smoke.yml:2:31: `needs:` names no check called 'b'",
        ),
        ("checks: []\n", "smoke.yml:1:9: `checks:` is empty"),
        ("", "smoke.yml: the spec is empty"),
        (
            "checks:\n  - { name: a, run: x, retries: -1 }\n",
            "smoke.yml:2:33: invalid retries '-1'",
        ),
        (
            "checks:\n  - { name: a, run: x, expect: { exit: 300 } }\n",
            "smoke.yml:2:40: invalid exit '300'",
        ),
        (
            "checks:\n  - { name: a, run: x, capture: { 'a-b': $.x } }\n",
            "smoke.yml:2:35: invalid capture name 'a-b'",
        ),
        (
            "checks:\n  - { name: a, url: x }\n",
            "smoke.yml:2:16: unknown field `url`",
        ),
        (
            "checks:\n  - { name: a, request: { url: 'ftp://x' } }\n",
            "smoke.yml:2:32: url: invalid URL 'ftp://x/': the scheme must be http or https",
        ),
        (
            "checks:\n  - { name: a, request: { url: 'http://x', method: 'G T' } }\n",
            "smoke.yml:2:52: invalid HTTP method 'G T'",
        ),
    ];
    for (src, want) in cases {
        let e = errors(src);
        assert!(
            e.iter().any(|m| m.starts_with(want)),
            "{src:?}: want {want:?}, got {e:?}"
        );
    }
}

#[test]
fn malformed_env_reference() {
    let e = errors("base_url: 'http://${API TOKEN}'\nchecks:\n  - { name: a, run: x }\n");
    assert!(
        e[0].starts_with("smoke.yml:1:19: malformed environment reference '${API TOKEN}'"),
        "{e:?}"
    );
}

#[test]
fn run_scripts_are_not_expanded_or_templated() {
    let spec = load_with(
        "checks:\n  - { name: a, run: x, capture: { id: $.id } }\n  - { name: b, run: 'echo \"$id\" ${HOME} ${NOPE}' }\n",
        &[],
        None,
    )
    .unwrap();
    let Kind::Run(run) = &spec.checks[1].kind else {
        panic!()
    };
    assert_eq!(run.script, "echo \"$id\" ${HOME} ${NOPE}");
    assert_eq!(run.env_names, ["id"]);
    assert_eq!(spec.deps[1], [0]);
    let e = errors(
        "checks:\n  - { name: a, run: x, capture: { id: $.id } }\n  - { name: b, run: 'echo {{id}}' }\n",
    );
    assert!(
        e[0].starts_with("smoke.yml:3:27: `run:` commands are never templated"),
        "{e:?}"
    );
    // Other braces (Go templates, JSON) are fine.
    load_with(
        "checks:\n  - { name: b, run: \"docker inspect -f '{{.State}}' {{range}}\" }\n",
        &[],
        None,
    )
    .unwrap();
}

#[test]
fn dependencies_follow_captures_not_file_order() {
    let src = "base_url: http://127.0.0.1:1\nchecks:\n  - { name: read, request: { path: '/items/{{id}}' } }\n  - { name: login, request: { path: /login }, capture: { token: $.token } }\n  - { name: create, request: { path: /items, headers: { Authorization: 'Bearer {{token}}' } }, capture: { id: $.id } }\n  - { name: last, run: 'true', needs: [read] }\n";
    let spec = load_with(src, &[], None).unwrap();
    assert_eq!(spec.deps, vec![vec![2], vec![], vec![1], vec![0]]);
}

#[test]
fn cycles_and_self_use_are_refused() {
    let src = "base_url: http://127.0.0.1:1\nchecks:\n  - { name: a, request: { path: '/{{y}}' }, capture: { x: $.x } }\n  - { name: b, request: { path: '/{{x}}' }, capture: { y: $.y } }\n";
    let e = errors(src);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(e[0].contains("cycle: 'a' → 'b' → 'a'"), "{e:?}");
    assert!(e[0].starts_with("smoke.yml:3:5:"), "{e:?}");
    let e = errors(
        "base_url: http://127.0.0.1:1\nchecks:\n  - { name: a, request: { path: '/{{x}}' }, capture: { x: $.x } }\n",
    );
    assert!(e[0].contains("which it captures itself"), "{e:?}");
}

#[test]
fn vars_fill_placeholders_and_clash_with_captures() {
    let src = "vars: { v: from-spec }\nbase_url: http://127.0.0.1:1\nchecks:\n  - { name: a, request: { path: '/{{v}}/{{w}}' } }\n";
    let spec = load_with(src, &[("w", "cli"), ("v", "flag")], None).unwrap();
    assert_eq!(spec.vars["v"], "flag");
    assert_eq!(spec.vars["w"], "cli");
    let e = errors("vars: { id: 1 }\nchecks:\n  - { name: a, run: x, capture: { id: $.id } }\n");
    assert!(e[0].contains("capture 'id' has the name of a var"), "{e:?}");
}

#[test]
fn errors_carry_a_snippet() {
    let e = load_with("checks:\n  - name: a\n    expct: {}\n", &[], None)
        .unwrap_err()
        .errors;
    assert_eq!(
        e[0].snippet.as_deref(),
        Some("  |\n3 |     expct: {}\n  |     ^")
    );
}

#[test]
fn json_templates_keep_types() {
    let mut values = Values::new();
    values.insert("n".into(), serde_json::json!(5));
    let t = JsonTemplate::Object(vec![
        (
            "id".into(),
            JsonTemplate::String(Template {
                parts: vec![Part::Var("n".into())],
            }),
        ),
        (
            "s".into(),
            JsonTemplate::String(Template {
                parts: vec![Part::Lit("#".into()), Part::Var("n".into())],
            }),
        ),
    ]);
    assert_eq!(
        t.render(&values).unwrap(),
        serde_json::json!({"id": 5, "s": "#5"})
    );
}

#[test]
fn cycle_finder() {
    assert_eq!(find_cycle(&[vec![1], vec![2], vec![]]), None);
    assert_eq!(find_cycle(&[vec![], vec![2], vec![1]]), Some(vec![1, 2]));
    assert_eq!(find_cycle(&[vec![0]]), Some(vec![0]));
}
