//! The API backend end to end through the binary, against the GitHub
//! stand-in on 127.0.0.1: no checkout, only GITHUB_TOKEN,
//! GITHUB_REPOSITORY, GITHUB_API_URL and GITHUB_GRAPHQL_URL.

use crate::support::{Run, RunFiles, bin, scrubbed};
use github_standin::{Access, Fault, NewCommit, Permission, Route, StandIn};
use serde_json::json;
use tempfile::TempDir;

const SHA_A: &str = "84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2";
const SHA_B: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
const V_A: &str = "84fb5881-20250120-143022";
const V_B: &str = "1a2b3c4d-20250121-090000";

struct Api {
    gh: StandIn,
    /// An empty directory: no checkout.
    dir: TempDir,
}

fn api() -> Api {
    let gh = StandIn::builder()
        .clock("2025-01-20T14:30:00Z".parse().unwrap())
        .start();
    for sha in [SHA_A, SHA_B] {
        gh.add_commit(NewCommit::new(&format!("feat: {}", &sha[..8])).sha(sha));
    }
    Api {
        gh,
        dir: tempfile::tempdir().unwrap(),
    }
}

impl Api {
    fn run_with(&self, args: &[&str], token: &str) -> Run {
        let home = self.dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let files = RunFiles::new(self.dir.path());
        let mut cmd = scrubbed(bin(), &home);
        cmd.current_dir(self.dir.path())
            .env("GITHUB_OUTPUT", files.output())
            .env("GITHUB_STEP_SUMMARY", files.summary());
        for (k, v) in self.gh.env() {
            cmd.env(k, v);
        }
        cmd.env("GITHUB_TOKEN", token).args(args);
        let r = files.read(cmd.output().unwrap());
        for text in [&r.stdout, &r.stderr, &r.summary] {
            assert!(!text.contains(self.gh.token()), "the token leaked: {text}");
        }
        assert!(
            !r.outputs.values().any(|v| v.contains(self.gh.token())),
            "the token leaked into an output"
        );
        r
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, self.gh.token())
    }

    fn qa_tags(&self) -> Vec<(String, String)> {
        self.gh.refs("refs/tags/qa-")
    }
}

#[test]
fn the_chain_and_deployments_through_the_api() {
    let a = api();
    let digest = format!("sha256:{}", "ab".repeat(32));
    let r = a.run(&["create", "--version", V_A, "--artifact-digest", &digest]);
    r.ok().says(&["created build-84fb5881-20250120-143022"]);
    assert_eq!(r.out("sha"), SHA_A);
    assert_eq!(r.out("created"), "true");
    let (commit, object) = a.gh.tag(&format!("build-{V_A}")).expect("tag made");
    assert_eq!(commit, SHA_A);
    assert!(
        object.expect("annotated")["message"]
            .as_str()
            .unwrap()
            .contains("shipgate.provenance/v1")
    );

    // A promotion costs a handful of requests.
    a.gh.clear_requests();
    let r = a.run(&[
        "promote",
        "--to",
        "qa",
        "--version",
        V_A,
        "--artifact-digest",
        &digest,
    ]);
    r.ok();
    assert_eq!(r.out("created"), "true");
    assert_eq!(r.out("artifact-digest"), digest);
    assert!(
        a.gh.request_count() <= 12,
        "{} requests",
        a.gh.request_count()
    );

    a.run(&["require", "--stage", "qa", "--version", V_A]).ok();
    a.run(&["promote", "--to", "prod", "--version", V_B])
        .code(1)
        .says(&[
            &format!("qa-{V_B} not found"),
            &format!("newest versions that pass qa: {V_A}"),
            &format!("tag-gate promote --to qa --version {V_B}"),
        ]);
    let r = a.run(&["latest", "--stage", "qa"]);
    r.ok();
    assert_eq!(r.out("version"), V_A);
    // Listing: a handful of requests, tag dates from GraphQL.
    a.gh.clear_requests();
    a.run(&["list", "--stage", "qa", "--json"]).ok();
    assert!(
        a.gh.request_count() <= 5,
        "{} requests",
        a.gh.request_count()
    );

    let r = a.run(&[
        "record",
        "--stage",
        "qa",
        "--version",
        V_A,
        "--status",
        "success",
        "--url",
        "https://qa.example.com",
    ]);
    r.ok();
    assert_eq!(r.out("status"), "success");
    let deployments = a.gh.deployments();
    assert_eq!(deployments.len(), 1);
    assert_eq!(deployments[0]["environment"], "qa");
    let r = a.run(&["current", "--stage", "qa"]);
    r.ok();
    assert_eq!(r.out("version"), V_A);
    // Re-running the promotion: created=false, still one tag.
    let r = a.run(&["promote", "--to", "qa", "--version", V_A]);
    r.ok();
    assert_eq!(r.out("created"), "false");
    assert_eq!(a.qa_tags().len(), 1);
}

#[test]
fn a_502_then_success_is_retried() {
    let a = api();
    a.run(&["create", "--version", V_A]).ok();
    a.gh.clear_requests();
    a.gh.fail(Route::post("git/refs"), Fault::bad_gateway());
    let r = a.run(&["promote", "--to", "qa", "--version", V_A]);
    r.ok();
    assert_eq!(r.out("created"), "true");
    let posts: Vec<u16> =
        a.gh.requests()
            .iter()
            .filter(|q| q.is(&Route::post("git/refs")))
            .map(|q| q.status)
            .collect();
    assert_eq!(posts, [502, 201]);
    assert_eq!(a.gh.pending_faults(), 0);
    assert_eq!(a.qa_tags().len(), 1);
}

#[test]
fn a_429_with_retry_after_is_waited_out() {
    let a = api();
    a.run(&["create", "--version", V_A]).ok();
    a.gh.clear_requests();
    a.gh.fail(Route::post("git/tags"), Fault::too_many_requests(1));
    let r = a.run(&["promote", "--to", "qa", "--version", V_A]);
    r.ok();
    assert_eq!(r.out("created"), "true");
    let statuses: Vec<u16> =
        a.gh.requests()
            .iter()
            .filter(|q| q.is(&Route::post("git/tags")))
            .map(|q| q.status)
            .collect();
    assert_eq!(statuses, [429, 201]);
}

#[test]
fn reference_already_exists_on_a_racing_create_is_resolved_by_reading() {
    let a = api();
    let digest = format!("sha256:{}", "ab".repeat(32));
    // Another run created build-V_A first...
    let first = a.run(&["create", "--version", V_A, "--artifact-digest", &digest]);
    first.ok();
    // ...after this run read it as absent.
    a.gh.fail(
        Route::graphql(),
        Fault::json(200, json!({ "data": { "repository": { "r0": null } } })),
    );
    let r = a.run(&["create", "--version", V_A, "--artifact-digest", &digest]);
    r.ok().says(&["created by a concurrent run first"]);
    assert_eq!(r.out("created"), "false");
    let refs: Vec<(u16, String)> =
        a.gh.requests()
            .iter()
            .filter(|q| q.is(&Route::post("git/refs")))
            .map(|q| (q.status, q.path.clone()))
            .collect();
    assert_eq!(refs.last().map(|r| r.0), Some(422), "{refs:?}");
    // The first run's tag stands.
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(r.out("record")).unwrap()["time"],
        serde_json::from_str::<serde_json::Value>(first.out("record")).unwrap()["time"]
    );
    assert_eq!(a.gh.refs("refs/tags/build-").len(), 1);

    // The same race with another digest is a closed gate.
    a.gh.fail(
        Route::graphql(),
        Fault::json(200, json!({ "data": { "repository": { "r0": null } } })),
    );
    a.run(&[
        "create",
        "--version",
        V_A,
        "--artifact-digest",
        &format!("sha256:{}", "cd".repeat(32)),
    ])
    .code(1)
    .says(&["artifact digest mismatch"]);
}

#[test]
fn bad_credentials_fail_fast_with_exit_3() {
    let a = api();
    let r = a.run_with(
        &["latest", "--stage", "qa"],
        "ghs_wrongtoken000000000000000000000000",
    );
    r.code(3).says(&["Bad credentials"]);
    assert!(!r.stderr.contains("ghs_wrongtoken"), "{}", r.stderr);
    // Not retried.
    assert!(a.gh.request_count() <= 2, "{:?}", a.gh.requests());
}

#[test]
fn a_missing_permission_is_named() {
    let a = api();
    a.run(&["create", "--version", V_A]).ok();
    a.gh.set_permission(Permission::Contents, Access::Read);
    let r = a.run(&["promote", "--to", "qa", "--version", V_A]);
    r.code(3)
        .says(&["contents: write", "Resource not accessible by integration"]);
    assert!(a.qa_tags().is_empty());

    a.gh.set_permission(Permission::Deployments, Access::Read);
    a.run(&[
        "record",
        "--stage",
        "qa",
        "--version",
        V_A,
        "--status",
        "success",
    ])
    .code(3)
    .says(&["deployments: write"]);
    // Reading needs only read.
    a.run(&["require", "--stage", "build", "--version", V_A])
        .ok();
}

#[test]
fn the_git_backend_is_not_used_without_a_checkout() {
    let a = api();
    // --backend git in an empty directory: an environment error (exit 3).
    a.run(&["latest", "--stage", "qa", "--backend", "git"])
        .code(3);
    // --backend api without a token: bad input naming GITHUB_TOKEN.
    let home = a.dir.path().join("home2");
    std::fs::create_dir_all(&home).unwrap();
    let out = scrubbed(bin(), &home)
        .current_dir(a.dir.path())
        .args(["latest", "--stage", "qa", "--backend", "api"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("GITHUB_TOKEN"));
}

#[test]
fn a_ruleset_refusal_says_so() {
    let a = api();
    a.run(&["create", "--version", V_A]).ok();
    a.run(&["promote", "--to", "qa", "--version", V_A]).ok();
    a.gh.restrict_tag_creation("prod-*");
    let r = a.run(&["promote", "--to", "prod", "--version", V_A]);
    r.code(3).says(&["ruleset"]);
    assert!(a.gh.refs("refs/tags/prod-").is_empty());
}

#[test]
fn the_token_is_masked_first_on_a_runner() {
    let a = api();
    let home = a.dir.path().join("home");
    std::fs::create_dir_all(&home).unwrap();
    let mut cmd = scrubbed(bin(), &home);
    cmd.current_dir(a.dir.path()).env("GITHUB_ACTIONS", "true");
    for (k, v) in a.gh.env() {
        cmd.env(k, v);
    }
    let out = cmd
        .args(["promote", "--to", "prod", "--version", V_A])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    let mask = format!("::add-mask::{}", a.gh.token());
    assert_eq!(stderr.lines().next(), Some(mask.as_str()), "{stderr}");
    assert_eq!(stderr.matches(a.gh.token()).count(), 1, "{stderr}");
    assert!(stderr.contains("::error title=tag-gate::"), "{stderr}");
}

/// `--api-url` (the action's `api-url`) wins over GITHUB_API_URL and loses
/// its trailing `/`, as semantic-bump's does: one rule for both tools.
#[test]
fn the_api_url_flag_wins_over_the_runner_variable() {
    let a = api();
    let dir = a.dir.path();
    let files = RunFiles::new(dir);
    let mut cmd = scrubbed(bin(), &dir.join("home"));
    cmd.current_dir(dir)
        .env("GITHUB_OUTPUT", files.output())
        .env("GITHUB_STEP_SUMMARY", files.summary());
    for (k, v) in a.gh.env() {
        cmd.env(k, v);
    }
    // Nothing listens on port 1: only the flag's URL can answer.
    cmd.env("GITHUB_API_URL", "http://127.0.0.1:1").args([
        "create",
        "--version",
        V_A,
        "--api-url",
        &format!("{}/", a.gh.url()),
    ]);
    let r = files.read(cmd.output().unwrap());
    r.ok().says(&["created build-84fb5881-20250120-143022"]);
    assert!(a.gh.tag(&format!("build-{V_A}")).is_some());

    // A bad value is refused before anything is sent, naming it.
    let r = a.run(&["create", "--version", V_A, "--api-url", "ftp://example.com"]);
    assert_eq!(r.code, 2, "{}", r.stderr);
    assert!(
        r.stderr.contains("invalid API URL 'ftp://example.com'"),
        "{}",
        r.stderr
    );
}
