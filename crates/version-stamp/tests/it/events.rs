//! The commit the event is about: the pull request's head (not the merge
//! commit GITHUB_SHA names), a workflow_run's head_sha, else GITHUB_SHA.

use crate::util::{Repo, Sandbox, texts};
use serde_json::json;

const DATE: &str = "2025-01-20T16:30:22+02:00";

/// A repository with two commits: `head` (the PR head) and `merge` (what
/// GITHUB_SHA would name on a pull_request event).
fn fixture(sb: &Sandbox) -> (Repo, String, String) {
    let repo = Repo::new(sb, "repo");
    let head = repo.commit("feat: the pull request", DATE);
    let merge = repo.commit("Merge abc into def", "2025-02-01T08:00:00Z");
    (repo, head, merge)
}

#[test]
fn pull_request_events_stamp_the_head() {
    let sb = Sandbox::new();
    let (repo, head, merge) = fixture(&sb);
    for event in ["pull_request", "pull_request_target", "pull_request_review"] {
        let path = sb.event(&json!({
            "action": "synchronize",
            "number": 7,
            "pull_request": {"number": 7, "head": {"sha": head, "ref": "feature/x"},
                             "base": {"sha": merge, "ref": "main"}},
        }));
        let out = sb
            .cmd(&repo.dir)
            .env("GITHUB_EVENT_NAME", event)
            .env("GITHUB_EVENT_PATH", &path)
            .env("GITHUB_SHA", &merge)
            .env("GITHUB_HEAD_REF", "feature/x")
            .env("GITHUB_REF_NAME", "7/merge")
            .args([
                "--time",
                "commit",
                "--format",
                "{sha}-{date}-{time}-{branch}",
            ])
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{event}: {stderr}");
        assert_eq!(
            stdout.trim(),
            format!("{}-20250120-143022-feature-x", &head[..8]),
            "{event}"
        );
        assert_eq!(sb.outputs()["sha"], head);
        assert!(stderr.contains("the pull request's head"), "{stderr}");
    }
}

#[test]
fn workflow_run_events_stamp_the_head_sha() {
    let sb = Sandbox::new();
    let (repo, head, merge) = fixture(&sb);
    let path =
        sb.event(&json!({"workflow_run": {"id": 1, "head_sha": head, "head_branch": "main"}}));
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_EVENT_NAME", "workflow_run")
        .env("GITHUB_EVENT_PATH", &path)
        .env("GITHUB_SHA", &merge)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", texts(&out).1);
    assert_eq!(sb.outputs()["sha"], head);
    assert!(texts(&out).1.contains("workflow_run's head_sha"));
}

#[test]
fn other_events_stamp_github_sha() {
    let sb = Sandbox::new();
    let (repo, head, merge) = fixture(&sb);
    // Even with a pull_request-looking payload: a push is about GITHUB_SHA.
    let path = sb.event(&json!({"pull_request": {"head": {"sha": head}}}));
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_EVENT_NAME", "push")
        .env("GITHUB_EVENT_PATH", &path)
        .env("GITHUB_SHA", &merge)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", texts(&out).1);
    assert_eq!(sb.outputs()["sha"], merge);
    assert!(texts(&out).1.contains("from GITHUB_SHA"));
}

#[test]
fn the_sha_flag_wins_over_the_event() {
    let sb = Sandbox::new();
    let (repo, head, merge) = fixture(&sb);
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_EVENT_NAME", "pull_request")
        // Unreadable payload: not even read, since --sha says which commit.
        .env("GITHUB_EVENT_PATH", sb.path("missing.json"))
        .env("GITHUB_SHA", &merge)
        .args(["--sha", &head[..10]])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", texts(&out).1);
    assert_eq!(sb.outputs()["sha"], head);
}

#[test]
fn a_pull_request_without_its_payload_is_an_environment_error() {
    let sb = Sandbox::new();
    let (repo, _, merge) = fixture(&sb);
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", sb.path("missing.json"))
        .env("GITHUB_SHA", &merge)
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stdout.is_empty());
    assert!(
        stderr.contains("::error title=version-stamp::the pull_request event payload at "),
        "{stderr}"
    );
    assert!(stderr.contains("cannot be read"), "{stderr}");
    assert!(stderr.contains("--sha"), "{stderr}");
    assert!(!sb.outputs().contains_key("version"));

    let path = sb.event(&json!({"action": "opened"}));
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_EVENT_NAME", "pull_request")
        .env("GITHUB_EVENT_PATH", &path)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(texts(&out).1.contains("has no pull_request.head.sha"));
}

#[test]
fn a_payload_that_is_not_a_regular_file_or_too_big_is_bad_input_at_once() {
    let sb = Sandbox::new();
    let (repo, _, merge) = fixture(&sb);
    let fifo = sb.path("event.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let big = sb.path("big.json");
    std::fs::write(&big, format!("{{\"x\": \"{}\"}}", "x".repeat(5 << 20))).unwrap();
    for (path, what) in [
        (fifo, "is a FIFO (named pipe), not a regular file"),
        (big, "is 5.0 MiB, more than the limit of 4 MiB"),
    ] {
        // The FIFO would block forever without the check: the timeout ends it.
        let out = sb
            .cmd(&repo.dir)
            .env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", &path)
            .env("GITHUB_SHA", &merge)
            .timeout(std::time::Duration::from_secs(20))
            .output()
            .unwrap();
        let (_, stderr) = texts(&out);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let want = format!(
            "the event payload (GITHUB_EVENT_PATH) {} {what}",
            path.display()
        );
        assert!(stderr.contains(&want), "want {want:?} in {stderr}");
    }
}
