//! Issue 17: response bodies, check names and flag values never make the
//! runner read a workflow command out of smoke-test's output (findings 2
//! and 3, by the runner's own rules: `gha::neutral::forged`), and secrets in
//! a URL are never echoed (finding 6).

use crate::server::Server;
use crate::util::{Fixture, Run};

const MARK: &str = "PWN";

const HOSTILE: &[&str] = &[
    "##[error]PWN",
    "##[add-mask]PWN",
    "##[stop-commands]PWN",
    "ok ##[set-output name=x]PWN",
    "\r::error::PWN",
    "  ::error ::PWN",
    "a\n  ::warning::PWN",
];

#[track_caller]
fn assert_clean(what: &str, run: &Run) {
    // The runner reads both streams (not the summary or output files).
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let forged = gha::neutral::forged(text, MARK);
        assert!(
            forged.is_empty(),
            "{what}: {stream} has {forged:#?}\n{text}"
        );
    }
}

fn pct(s: &str) -> String {
    s.bytes().map(|b| format!("%{b:02X}")).collect()
}

#[test]
fn responses_and_check_names_cannot_forge_a_workflow_command() {
    let server = Server::start();
    let fixture = Fixture::new();
    let body = HOSTILE.join("\n");
    let yaml = format!(
        r#"base_url: {url}
checks:
  - name: body
    request: {{ path: "/text?body={body}" }}
    expect: {{ body_contains: healthy }}
  - name: json
    request: {{ method: POST, path: /echo, body: {body_json} }}
    expect: {{ json: {{ "$.body": ok }} }}
  - name: {name_json}
    request: {{ path: "/text?body=x" }}
    expect: {{ status: 500 }}
  - name: stdout
    run: {shell}
    expect: {{ stdout_contains: healthy }}
"#,
        url = server.url,
        body = pct(&body),
        body_json = serde_json::to_string(&body).unwrap(),
        name_json = serde_json::to_string(&format!("n{body}")).unwrap(),
        shell = serde_json::to_string(&format!(
            "printf '{}\\n'",
            body.replace('\r', "\\r").replace('\n', "\\n")
        ))
        .unwrap(),
    );
    let spec = fixture.spec("hostile.yml", &yaml);
    for args in [&[][..], &["--json"]] {
        let run = fixture.smoke(&spec, args, &[("GITHUB_ACTIONS", "true")]);
        run.assert_code(1);
        assert_clean(&format!("{args:?}"), &run);
    }
}

#[test]
fn invalid_values_cannot_forge_a_workflow_command() {
    let fixture = Fixture::new();
    let spec = fixture.spec("ok.yml", "checks:\n  - name: a\n    run: 'true'\n");
    for hostile in HOSTILE {
        for args in [
            vec!["--base-url", hostile],
            vec!["--var", hostile],
            vec!["--retries", hostile],
            vec![hostile],
        ] {
            let run = fixture.smoke(&spec, &args, &[("GITHUB_ACTIONS", "true")]);
            let what = format!("{args:?}");
            run.assert_code(2);
            assert_clean(&what, &run);
        }
    }
}

#[test]
fn secrets_in_a_malformed_base_url_are_not_echoed() {
    let fixture = Fixture::new();
    let spec = fixture.spec("ok.yml", "checks:\n  - name: a\n    run: 'true'\n");
    for url in [
        "http://x:99999/?token=S3CR3T",
        "http://[x/?token=S3CR3T",
        "ftp://u:S3CR3T@x/",
        "http://u:S3CR3T@exa mple/",
    ] {
        let run = fixture.smoke(&spec, &["--base-url", url], &[]);
        run.assert_code(2);
        assert!(
            !run.all_text().contains("S3CR3T"),
            "{url}:\n{}",
            run.all_text()
        );
    }
}
