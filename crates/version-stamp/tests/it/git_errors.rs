//! When git cannot answer: exit 3, with the fix.

use crate::util::{Repo, Sandbox, texts};

fn assert_env_error(out: &std::process::Output, needles: &[&str]) {
    let (stdout, stderr) = texts(out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stdout.is_empty(), "{stdout}");
    let annotation = stderr
        .lines()
        .find(|l| l.starts_with("::error title=version-stamp::"))
        .unwrap_or_else(|| panic!("no annotation in {stderr}"));
    for n in needles {
        assert!(annotation.contains(n), "{n:?} not in {annotation}");
    }
}

#[test]
fn outside_a_repository() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_env_error(
        &out,
        &[
            "find the HEAD commit",
            "not a git repository",
            "fix: run actions/checkout",
        ],
    );
    assert!(sb.summary().contains("environment"));
}

#[test]
fn git_missing() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .env("GITHUB_ACTIONS", "true")
        .env("PATH", sb.path("empty-bin"))
        .args(["--sha", "84fb5881"])
        .output()
        .unwrap();
    assert_env_error(
        &out,
        &[
            "git is not installed",
            "resolve the short sha",
            "fix: install git",
        ],
    );
}

#[test]
fn an_unknown_short_sha_or_a_missing_commit() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    repo.commit("feat: x", "2025-01-20T16:30:22+02:00");
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_ACTIONS", "true")
        .args(["--sha", "0000000"])
        .output()
        .unwrap();
    assert_env_error(
        &out,
        &["rev-parse --verify 0000000^{commit}", "fetch-depth: 0"],
    );

    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_ACTIONS", "true")
        .args(["--sha", &"1".repeat(40), "--time", "commit"])
        .output()
        .unwrap();
    assert_env_error(&out, &["committer time", "fetch-depth: 0"]);
}

#[test]
fn a_repository_without_commits() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_ACTIONS", "true")
        .output()
        .unwrap();
    assert_env_error(&out, &["no commits yet"]);
}

#[test]
fn errors_in_json_mode_are_json_too() {
    let sb = Sandbox::new();
    let out = sb.cmd(&sb.work()).arg("--json").output().unwrap();
    assert_eq!(out.status.code(), Some(3));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["schema"], 1);
    assert_eq!(v["error"]["code"], 3);
    assert_eq!(v["error"]["class"], "environment");
    assert!(
        v["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("actions/checkout")
    );
}
