//! `lint-pr` and `next --labels-from-pr` against the GitHub stand-in on
//! 127.0.0.1.

use crate::common::{Repo, json_str, parsed};
use github_standin::{Access, NewCommit, NewPull, Permission, StandIn};
use serde_json::{Value, json};

const QUEUE_SHA: &str = "0123456789abcdef0123456789abcdef01234567";

/// A base branch with v1.2.0 and a fix since.
fn base_repo() -> Repo {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.2.0");
    r.commit("fix: on main already");
    r
}

fn event_file(r: &Repo, payload: &Value) -> String {
    let p = r.tmp.path().join("event.json");
    std::fs::write(&p, payload.to_string()).unwrap();
    p.display().to_string()
}

fn lint_pr(r: &Repo, gh: &StandIn, event: (&str, &Value), args: &[&str]) -> (i32, Value, String) {
    r.reset_files();
    let mut c = r.cmd();
    for (k, v) in gh.env() {
        c.env(k, v);
    }
    c.env("GITHUB_EVENT_NAME", event.0)
        .env("GITHUB_EVENT_PATH", event_file(r, event.1))
        .env("GITHUB_WORKSPACE", &r.dir)
        .arg("lint-pr")
        .arg("--json")
        .args(args);
    parsed(c.output().unwrap())
}

fn pr_event(number: u64, stale_title: &str, base: &str) -> Value {
    json!({"action": "edited", "pull_request": {
        "number": number, "title": stale_title, "labels": [],
        "base": {"sha": base, "ref": "main"}}})
}

#[test]
fn rereads_the_title_and_previews_the_release() {
    let r = base_repo();
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(5, "feat(api): add pagination").label("area/api"));
    let (code, j, err) = lint_pr(
        &r,
        &gh,
        ("pull_request", &pr_event(5, "stale and invalid", &r.head())),
        &["--repository-url", "https://github.com/octo/shop"],
    );
    assert_eq!(code, 0, "{j}\n{err}");
    assert_eq!(
        (j["pr"].as_u64(), json_str(&j, "title")),
        (Some(5), "feat(api): add pagination")
    );
    assert_eq!(
        (
            json_str(&j, "bump"),
            json_str(&j, "next"),
            json_str(&j, "next-tag")
        ),
        ("minor", "1.3.0", "v1.3.0")
    );
    assert_eq!(
        json_str(&j, "preview"),
        "merging this releases 1.3.0 — minor, from feat(api): add pagination"
    );
    let summary = r.summary();
    assert!(
        summary.contains("📦 merging this releases 1.3.0 — minor"),
        "{summary}"
    );
    assert!(
        summary.contains("([#5](https://github.com/octo/shop/pull/5))"),
        "{summary}"
    );
    // one API request: the pull request itself
    assert_eq!(gh.request_count(), 1);
}

#[test]
fn a_fix_title_on_a_base_with_a_feature_says_where_the_minor_comes_from() {
    let r = base_repo();
    let feat = r.commit("feat: already on main");
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(6, "fix: small"));
    let (code, j, _) = lint_pr(&r, &gh, ("pull_request", &pr_event(6, "x", &r.head())), &[]);
    assert_eq!(code, 0, "{j}");
    let want = format!(
        "merging this releases 1.3.0 — minor, from feat: already on main ({} on the base)",
        &feat[..7]
    );
    assert_eq!(json_str(&j, "preview"), want);
}

#[test]
fn labels_from_the_api_drive_the_preview() {
    let r = base_repo();
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(7, "docs: readme").label("release:minor"));
    let (code, j, _) = lint_pr(
        &r,
        &gh,
        ("pull_request", &pr_event(7, "docs: readme", &r.head())),
        &[],
    );
    assert_eq!(code, 0, "{j}");
    assert_eq!(
        json_str(&j, "preview"),
        "merging this releases 1.3.0 — minor, by label `release:minor`"
    );
    gh.add_label(7, "release:skip");
    let (_, j, _) = lint_pr(
        &r,
        &gh,
        ("pull_request", &pr_event(7, "docs: readme", &r.head())),
        &[],
    );
    assert_eq!(
        json_str(&j, "preview"),
        "merging this releases nothing: label release:skip"
    );
}

#[test]
fn merge_queue_branches_name_the_pr() {
    let r = base_repo();
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(123, "perf: faster"));
    let event = json!({"action": "checks_requested", "merge_group": {
        "head_sha": QUEUE_SHA,
        "head_ref": format!("refs/heads/gh-readonly-queue/main/pr-123-{QUEUE_SHA}"),
        "base_sha": r.head(), "base_ref": "refs/heads/main"}});
    let (code, j, err) = lint_pr(&r, &gh, ("merge_group", &event), &[]);
    assert_eq!(code, 0, "{j}\n{err}");
    assert_eq!(
        (j["pr"].as_u64(), json_str(&j, "next")),
        (Some(123), "1.2.1")
    );
}

#[test]
fn a_bad_title_fails_with_a_valid_example() {
    let r = base_repo();
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(8, "Fix the login crash"));
    let (code, j, _) = lint_pr(&r, &gh, ("pull_request", &pr_event(8, "x", &r.head())), &[]);
    assert_eq!(code, 1, "{j}");
    assert_eq!(
        (json_str(&j, "rule"), json_str(&j, "example")),
        ("header-format", "fix: the login crash")
    );
    assert!(j.get("preview").is_none());
}

#[test]
fn ignore_labels_skip_bots() {
    let r = base_repo();
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(9, "Bump lodash from 4.17.20 to 4.17.21").label("dependencies"));
    let (code, j, _) = lint_pr(
        &r,
        &gh,
        ("pull_request", &pr_event(9, "x", &r.head())),
        &["--ignore-label", "dependencies"],
    );
    assert_eq!((code, j["skipped"].as_bool()), (0, Some(true)), "{j}");
    // the outputs known without the check are set all the same
    assert_eq!(
        (j["pr"].as_u64(), json_str(&j, "title")),
        (Some(9), "Bump lodash from 4.17.20 to 4.17.21"),
        "{j}"
    );
    let outputs = r.outputs();
    assert_eq!(
        (outputs["pr"].as_str(), outputs["skipped"].as_str()),
        ("9", "true"),
        "{outputs:?}"
    );
}

#[test]
fn preview_needs_a_full_clone_of_the_base() {
    let origin = base_repo();
    let bare = origin.tmp.path().join("server.git");
    origin.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let dir = origin.tmp.path().join("shallow");
    origin.git(&[
        "clone",
        "-q",
        "--depth",
        "1",
        &format!("file://{}", bare.display()),
        dir.to_str().unwrap(),
    ]);
    let shallow = origin.at(dir);
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(10, "feat: x"));
    let ev = pr_event(10, "x", &origin.head());
    // auto: the check passes, the preview is skipped with a notice
    let (code, j, err) = lint_pr(&shallow, &gh, ("pull_request", &ev), &[]);
    assert_eq!(code, 0, "{j}\n{err}");
    assert_eq!(json_str(&j, "preview"), "");
    assert!(err.contains("release preview skipped"), "{err}");
    assert!(err.contains("fetch-depth: 0"), "{err}");
    // always: the missing history is an environment failure
    let (code, j, _) = lint_pr(
        &shallow,
        &gh,
        ("pull_request", &ev),
        &["--preview", "always"],
    );
    assert_eq!(code, 3, "{j}");
    // never: not even tried
    let (code, j, err) = lint_pr(
        &shallow,
        &gh,
        ("pull_request", &ev),
        &["--preview", "never"],
    );
    assert_eq!(code, 0);
    assert!(
        j.get("preview").is_none() && !err.contains("preview"),
        "{j}"
    );
}

#[test]
fn api_failures_name_the_permission() {
    let r = base_repo();
    let gh = StandIn::builder()
        .permission(Permission::PullRequests, Access::None)
        .start();
    gh.add_pull(NewPull::new(11, "feat: x"));
    let (code, j, _) = lint_pr(
        &r,
        &gh,
        ("pull_request", &pr_event(11, "x", &r.head())),
        &[],
    );
    assert_eq!(code, 3, "{j}");
    assert!(
        j["error"]["hint"]
            .as_str()
            .unwrap_or("")
            .contains("pull-requests: read"),
        "{j}"
    );

    let gh = StandIn::start();
    let (code, j, _) = lint_pr(
        &r,
        &gh,
        ("pull_request", &pr_event(404, "x", &r.head())),
        &[],
    );
    assert_eq!(code, 3, "{j}");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("#404 was not found"),
        "{j}"
    );
}

#[test]
fn no_token_no_pr() {
    let r = base_repo();
    r.reset_files();
    let out = r
        .cmd()
        .args(["lint-pr", "--json", "--pr", "3"])
        .output()
        .unwrap();
    let (code, j, _) = parsed(out);
    assert_eq!(code, 3, "{j}");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("GITHUB_TOKEN")
    );
    let out = r
        .cmd()
        .env("GITHUB_TOKEN", "ghs_0123456789abcdef")
        .args(["lint-pr", "--json"])
        .output()
        .unwrap();
    let (code, j, _) = parsed(out);
    assert_eq!(code, 2, "{j}");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no pull request")
    );
}

#[test]
fn the_token_is_masked() {
    let r = base_repo();
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(12, "feat: x"));
    r.reset_files();
    let mut c = r.cmd();
    for (k, v) in gh.env() {
        c.env(k, v);
    }
    let out = c
        .env("GITHUB_ACTIONS", "true")
        .args(["lint-pr", "--pr", "12", "--base-sha", &r.head()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.starts_with(&format!("::add-mask::{}", gh.token())),
        "{err}"
    );
}

#[test]
fn next_reads_the_labels_of_the_merged_pr() {
    let r = base_repo();
    let merged = r.commit("docs: readme (#14)");
    let gh = StandIn::start();
    gh.add_pull(
        NewPull::new(14, "docs: readme")
            .label("release:major")
            .merged_as(&merged)
            .commits(&[&merged]),
    );
    r.reset_files();
    let mut c = r.cmd();
    for (k, v) in gh.env() {
        c.env(k, v);
    }
    let (code, j, err) = parsed(
        c.args(["next", "--json", "--labels-from-pr"])
            .output()
            .unwrap(),
    );
    assert_eq!(code, 0, "{j}\n{err}");
    assert_eq!(
        (json_str(&j, "next"), j["decision"]["source"].as_str()),
        ("2.0.0", Some("bump-label"))
    );
    assert!(err.contains("came from #14"), "{err}");

    // A commit no PR produced: no labels, the commits decide.
    let direct = base_repo();
    gh.add_commit(NewCommit::new("fix: on main already").sha(&direct.head()));
    let mut c = direct.cmd();
    for (k, v) in gh.env() {
        c.env(k, v);
    }
    let (code, j, err) = parsed(
        c.args(["next", "--json", "--labels-from-pr"])
            .output()
            .unwrap(),
    );
    assert_eq!((code, json_str(&j, "next")), (0, "1.2.1"), "{err}");
}

#[test]
fn a_payload_that_is_not_a_regular_file_or_too_big_is_bad_input_at_once() {
    let r = base_repo();
    let fifo = r.tmp.path().join("event.fifo");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let big = r.tmp.path().join("big.json");
    std::fs::write(&big, format!("{{\"x\": \"{}\"}}", "x".repeat(5 << 20))).unwrap();
    for (path, what) in [
        (fifo, "is a FIFO (named pipe), not a regular file"),
        (big, "is 5.0 MiB, more than the limit of 4 MiB"),
    ] {
        let mut c = r.cmd();
        // The FIFO would block forever without the check: the timeout ends it.
        c.env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", &path)
            .args(["lint-pr", "--pr", "5"])
            .timeout(std::time::Duration::from_secs(20));
        let (code, _, err) = parsed(c.output().unwrap());
        assert_eq!(code, 2, "{err}");
        let want = format!(
            "the event payload (GITHUB_EVENT_PATH) {} {what}",
            path.display()
        );
        assert!(err.contains(&want), "want {want:?} in {err}");
    }
}

/// action-semantic-pull-request's `validateSingleCommit` and
/// `validateSingleCommitMatchesPrTitle` (src/index.js): GitHub squash-merges
/// a one-commit pull request with the commit's message, not the title, so
/// that commit's first line is checked too (merge commits aside).
#[test]
fn a_single_commit_is_checked_like_the_title() {
    let r = base_repo();
    let gh = StandIn::start();
    let main = gh.add_commit(NewCommit::new("chore: base"));
    let bad = gh.add_commit(
        NewCommit::new("wip stuff")
            .branch("topic-5")
            .parents(&[&main]),
    );
    gh.add_pull(NewPull::new(5, "feat: add x").commits(&[&bad]));
    let ev = pr_event(5, "x", &r.head());
    let (code, j, err) = lint_pr(
        &r,
        &gh,
        ("pull_request", &ev),
        &["--validate-single-commit", "--preview", "never"],
    );
    assert_eq!(
        (code, json_str(&j, "rule")),
        (1, "single-commit"),
        "{j}\n{err}"
    );
    assert!(json_str(&j, "message").contains("'wip stuff'"), "{j}");
    // without the option the title alone decides, and the commits are not read
    let before = gh.request_count();
    let (code, _, _) = lint_pr(&r, &gh, ("pull_request", &ev), &["--preview", "never"]);
    assert_eq!(code, 0);
    assert_eq!(gh.request_count() - before, 1);

    // one good commit whose first line differs from the title
    let good = gh.add_commit(
        NewCommit::new("feat: add y\n\nbody")
            .branch("topic-6")
            .parents(&[&main]),
    );
    let merge = gh.add_commit(
        NewCommit::new("Merge branch 'main' into topic-6")
            .branch("topic-6")
            .parents(&[&good, &main]),
    );
    gh.add_pull(NewPull::new(6, "feat: add x").commits(&[&good, &merge]));
    let ev = pr_event(6, "x", &r.head());
    let (code, _, err) = lint_pr(
        &r,
        &gh,
        ("pull_request", &ev),
        &["--validate-single-commit", "--preview", "never"],
    );
    assert_eq!(code, 0, "{err}");
    let (code, j, _) = lint_pr(
        &r,
        &gh,
        ("pull_request", &ev),
        &[
            "--validate-single-commit",
            "--validate-single-commit-matches-pr-title",
            "--preview",
            "never",
        ],
    );
    assert_eq!(
        (code, json_str(&j, "rule")),
        (1, "single-commit-title"),
        "{j}"
    );

    // two commits: GitHub uses the title; nothing more to check
    let other = gh.add_commit(
        NewCommit::new("more wip")
            .branch("topic-7")
            .parents(&[&main]),
    );
    gh.add_pull(NewPull::new(7, "feat: add x").commits(&[&bad, &other]));
    let (code, _, err) = lint_pr(
        &r,
        &gh,
        ("pull_request", &pr_event(7, "x", &r.head())),
        &[
            "--validate-single-commit",
            "--validate-single-commit-matches-pr-title",
            "--preview",
            "never",
        ],
    );
    assert_eq!(code, 0, "{err}");
}

/// `--wip` on lint-pr: a `[WIP] ` title is skipped with wip=true.
#[test]
fn wip_pull_requests_are_skipped() {
    let r = base_repo();
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(9, "[WIP] feat: half"));
    let ev = pr_event(9, "x", &r.head());
    let (code, j, _) = lint_pr(&r, &gh, ("pull_request", &ev), &["--wip"]);
    assert_eq!(
        (code, j["wip"].as_bool(), j["skipped"].as_bool()),
        (0, Some(true), Some(true)),
        "{j}"
    );
    let (code, _, _) = lint_pr(&r, &gh, ("pull_request", &ev), &[]);
    assert_eq!(code, 1);
}

/// `lint-pr --comment`: one sticky comment — the first run creates it, the
/// next edits the same one (found by its hidden marker); a token that may
/// not write comments gets a warning and the step exits by its verdict.
#[test]
fn one_sticky_comment_created_then_edited() {
    let r = base_repo();
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(12, "feat(ui): dark mode"));
    let ev = pr_event(12, "x", &r.head());
    let (code, _, err) = lint_pr(&r, &gh, ("pull_request", &ev), &["--comment"]);
    assert_eq!(code, 0, "{err}");
    let first = gh.comments(12);
    assert_eq!(first.len(), 1, "{first:?}");
    assert!(
        first[0].1.starts_with("<!-- shipgate:semantic-pr -->"),
        "{first:?}"
    );
    assert!(
        first[0].1.contains("follows the rules")
            && first[0]
                .1
                .contains("merging this releases 1.3.0 — minor, from feat(ui): dark mode"),
        "{}",
        first[0].1
    );

    // the title changes: the same comment is edited
    gh.set_title(12, "feat(ui):dark mode");
    let (code, _, _) = lint_pr(&r, &gh, ("pull_request", &ev), &["--comment"]);
    assert_eq!(code, 1);
    let second = gh.comments(12);
    assert_eq!(second.len(), 1, "{second:?}");
    assert_eq!(second[0].0, first[0].0);
    assert!(
        second[0].1.contains("space-after-colon")
            && second[0].1.contains("A valid title: `feat(ui): dark mode`"),
        "{}",
        second[0].1
    );

    // a token without pull-requests: write: a warning, the verdict decides
    let gh = StandIn::builder()
        .permission(Permission::PullRequests, Access::Read)
        .permission(Permission::Issues, Access::Read)
        .start();
    gh.add_pull(NewPull::new(12, "feat(ui): dark mode"));
    let (code, _, err) = lint_pr(&r, &gh, ("pull_request", &ev), &["--comment"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("comment was not written") && err.contains("pull-requests: write"),
        "{err}"
    );
    assert!(gh.comments(12).is_empty());
}

/// `lint-pr --comment` when the title passes and merging releases nothing:
/// no comment is created; an earlier one (a failure) is edited in place to
/// a resolved form, not left saying the title is wrong. A token without
/// `pull-requests: write` on a failing title: a warning, exit 1 by the
/// verdict.
#[test]
fn sticky_comment_resolved_when_there_is_nothing_to_say() {
    // nothing to release on the base since v1.2.0
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.2.0");
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(14, "docs: the readme"));
    let ev = pr_event(14, "x", &r.head());
    let (code, j, err) = lint_pr(&r, &gh, ("pull_request", &ev), &["--comment"]);
    assert_eq!(
        (code, json_str(&j, "release-bump")),
        (0, "none"),
        "{j}{err}"
    );
    assert!(gh.comments(14).is_empty(), "{:?}", gh.comments(14));
    assert!(err.contains("no comment on #14"), "{err}");

    // a failure writes one
    gh.set_title(14, "docs:the readme");
    let (code, _, _) = lint_pr(&r, &gh, ("pull_request", &ev), &["--comment"]);
    assert_eq!(code, 1);
    let failed = gh.comments(14);
    assert_eq!(failed.len(), 1, "{failed:?}");
    assert!(failed[0].1.contains("space-after-colon"), "{}", failed[0].1);

    // fixed, still releasing nothing: the same comment, resolved
    gh.set_title(14, "docs: the readme");
    let (code, _, err) = lint_pr(&r, &gh, ("pull_request", &ev), &["--comment"]);
    assert_eq!(code, 0, "{err}");
    let resolved = gh.comments(14);
    assert_eq!(resolved.len(), 1, "{resolved:?}");
    assert_eq!(resolved[0].0, failed[0].0);
    let body = &resolved[0].1;
    assert!(
        body.starts_with("<!-- shipgate:semantic-pr -->")
            && body.contains("resolved — the title `docs: the readme` follows the rules")
            && !body.contains("space-after-colon"),
        "{body}"
    );
    // and without a preview at all (--preview never): resolved too
    gh.set_title(14, "feat: a feature");
    let (code, _, _) = lint_pr(
        &r,
        &gh,
        ("pull_request", &ev),
        &["--comment", "--preview", "never"],
    );
    assert_eq!(code, 0);
    let again = gh.comments(14);
    assert_eq!(again.len(), 1);
    assert!(
        again[0]
            .1
            .contains("resolved — the title `feat: a feature`"),
        "{}",
        again[0].1
    );

    // read-only token, failing title: warned, the verdict decides
    let gh = StandIn::builder()
        .permission(Permission::PullRequests, Access::Read)
        .permission(Permission::Issues, Access::Read)
        .start();
    gh.add_pull(NewPull::new(14, "docs:the readme"));
    let (code, _, err) = lint_pr(&r, &gh, ("pull_request", &ev), &["--comment"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("comment was not written") && err.contains("pull-requests: write"),
        "{err}"
    );
    assert!(gh.comments(14).is_empty());
}
