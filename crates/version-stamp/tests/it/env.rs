//! Env twins: an action passes every input through `env:`, so an input left
//! empty arrives as an empty variable and must behave as unset.

use crate::util::{Repo, Sandbox, texts};

const DATE: &str = "2025-01-20T16:30:22+02:00";

#[test]
fn empty_twins_behave_as_unset() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let sha = repo.commit("feat: x", DATE);
    for empty in ["", "  ", "\n"] {
        let out = sb
            .cmd(&repo.dir)
            .env("INPUT_SHA", empty)
            .env("INPUT_TIME", empty)
            .env("INPUT_SHA_LENGTH", empty)
            .env("INPUT_FORMAT", empty)
            .env("INPUT_SERVICE", empty)
            .env("INPUT_JSON", empty)
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{empty:?}: {stderr}");
        let o = sb.outputs();
        assert_eq!(o["sha"], sha, "{empty:?}: git HEAD, as with no --sha");
        assert_eq!(o["short-sha"].len(), 8, "{empty:?}: default --sha-length");
        assert!(
            o["build-tag"].starts_with("build-"),
            "{empty:?}: no service"
        );
        assert_eq!(o["artifact-name"], "");
        assert_eq!(stdout.trim(), o["version"], "{empty:?}: not JSON");
    }
}

#[test]
fn twins_carry_inputs_trimmed() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let sha = repo.commit("feat: x", DATE);
    let out = sb
        .cmd(&repo.dir)
        .env("INPUT_SHA", format!(" {} \n", &sha[..9]))
        .env("INPUT_TIME", " commit ")
        .env("INPUT_SHA_LENGTH", " 10 ")
        .env("INPUT_FORMAT", " {sha}-{date}-{time} ")
        .env("INPUT_SERVICE", " shop ")
        .env("INPUT_JSON", "true")
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let version = format!("{}-20250120-143022", &sha[..10]);
    assert_eq!(v["version"], version);
    assert_eq!(v["sha"], sha);
    assert_eq!(v["build-tag"], format!("shop/build-{version}"));
    // A flag wins over its twin.
    let out = sb
        .cmd(&repo.dir)
        .env("INPUT_SHA_LENGTH", "10")
        .env("INPUT_JSON", "false")
        .args(["--sha-length", "7", "--time", "commit"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(texts(&out).0, format!("{}-20250120-143022\n", &sha[..7]));
}

#[test]
fn unrelated_runner_variables_that_are_empty_are_ignored() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let sha = repo.commit("feat: x", DATE);
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_SHA", "")
        .env("GITHUB_EVENT_NAME", "")
        .env("GITHUB_EVENT_PATH", "")
        .env("GITHUB_RUN_NUMBER", "")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", texts(&out).1);
    assert_eq!(sb.outputs()["sha"], sha);
}
