//! Secret header values (from `${ENV}`, `--var` or a capture) never appear
//! in stdout, stderr, outputs, the summary or the JUnit file — even when
//! the server echoes them back in a failing response.

use crate::server::Server;
use crate::util::Fixture;

const TOKEN: &str = "tok-5ecr3t-abcdef";
const KEY: &str = "key-from-var-98765";
const COOKIE: &str = "sess-cookie-42424";

fn spec(fixture: &Fixture, url: &str) -> std::path::PathBuf {
    fixture.spec(
        "smoke.yml",
        &format!(
            r#"base_url: {url}
defaults:
  headers: {{ Authorization: "Bearer ${{API_TOKEN}}" }}
checks:
  - name: login
    request: {{ path: "/text?body={COOKIE}" }}
    capture: {{ session_token: {{ regex: "(.+)" }} }}
  - name: echo fails
    request:
      path: /echo
      headers: {{ X-Api-Key: "{{{{api_key}}}}", Cookie: "session={{{{session_token}}}}" }}
    expect:
      status: 200
      body_contains: "this is not there"
      json: {{ "$.headers.authorization": "nope" }}
  - name: echo in a command
    run: 'echo "$session_token"; echo "{TOKEN}" >&2; exit 1'
"#
        ),
    )
}

#[test]
fn secrets_are_masked_everywhere() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = spec(&fixture, &server.url);
    let junit = fixture.path("junit.xml");
    for actions in [false, true] {
        let mut env = vec![("API_TOKEN", TOKEN)];
        if actions {
            env.push(("GITHUB_ACTIONS", "true"));
        }
        let run = fixture.smoke(
            &spec,
            &[
                "--var",
                &format!("api_key={KEY}"),
                "--junit",
                junit.to_str().unwrap(),
                "--concurrency",
                "1",
            ],
            &env,
        );
        run.assert_code(1);
        let xml = std::fs::read_to_string(&junit).unwrap();
        let everything = format!("{}\n{xml}", run.all_text());
        for secret in [TOKEN, KEY, COOKIE] {
            // In Actions the runner is told (::add-mask::); nothing else
            // shows the value.
            let leaks: Vec<&str> = everything
                .lines()
                .filter(|l| l.contains(secret) && !l.starts_with("::add-mask::"))
                .collect();
            assert!(
                leaks.is_empty(),
                "{secret} leaked (actions={actions}): {leaks:#?}"
            );
            let masks = everything.matches(&format!("::add-mask::{secret}")).count();
            assert_eq!(
                masks > 0,
                actions,
                "{secret}: masks {masks} (actions={actions})"
            );
        }
        // The failure is still explained, with *** in place of the values.
        assert!(
            run.stderr
                .contains("json $.headers.authorization: expected \"nope\", got \"***\""),
            "{}",
            run.stderr
        );
        assert!(xml.contains("***"), "{xml}");
        if actions {
            // Masks come before anything that could contain the secret.
            let first_mask = run.stderr.find("::add-mask::").unwrap();
            let first_other = run
                .stderr
                .lines()
                .position(|l| !l.starts_with("::add-mask::"))
                .unwrap();
            let first_mask_line = run.stderr[..first_mask].lines().count();
            assert!(first_mask_line <= first_other, "{}", run.stderr);
            for secret in [KEY, COOKIE] {
                let mask_at = run.stderr.find(&format!("::add-mask::{secret}")).unwrap();
                let echo_at = run.stderr.find("echo fails").unwrap();
                assert!(
                    mask_at < echo_at,
                    "{secret} masked after its check was printed"
                );
            }
        }
    }
}

#[test]
fn secrets_are_masked_in_json_mode() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = spec(&fixture, &server.url);
    let run = fixture.smoke(
        &spec,
        &["--json", "--var", &format!("api_key={KEY}")],
        &[("API_TOKEN", TOKEN)],
    );
    run.assert_code(1);
    let json: serde_json::Value =
        serde_json::from_str(&run.stdout).expect("stdout is one JSON object");
    assert_eq!(json["schema"], 1);
    assert_eq!(json["passed"], false);
    assert_eq!(json["failed"], 2);
    assert_eq!(json["total"], 3);
    for secret in [TOKEN, KEY, COOKIE] {
        assert!(!run.all_text().contains(secret), "{secret} leaked");
    }
}

#[test]
fn spec_errors_do_not_leak_env_secrets() {
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "smoke.yml",
        "base_url: http://127.0.0.1:1\ndefaults:\n  headers: { X-Auth-Token: \"${API_TOKEN}\", timeout: x }\nchecks:\n  - { name: a, request: { path: '/${API_TOKEN}' }, expect: { status: '${API_TOKEN}' } }\n",
    );
    let run = fixture.smoke(&spec, &[], &[("API_TOKEN", TOKEN)]);
    run.assert_code(2);
    assert!(
        run.stderr.contains("invalid status '***'"),
        "{}",
        run.stderr
    );
    assert!(!run.all_text().contains(TOKEN));
}
