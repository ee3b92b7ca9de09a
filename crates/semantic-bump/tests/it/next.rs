//! `next` on real repositories: every rule of DESIGN.md's semantic-bump
//! section, one table row or test each.

use crate::common::{Repo, json_str};
use serde_json::Value;

/// A repository with `v{base}` tagged on a first commit, then `messages`
/// committed in order (oldest first).
fn history(base: &str, messages: &[&str]) -> Repo {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag(&format!("v{base}"));
    for m in messages {
        r.commit(m);
    }
    r
}

struct Case {
    name: &'static str,
    base: &'static str,
    messages: &'static [&'static str],
    args: &'static [&'static str],
    next: &'static str,
    bump: &'static str,
    rule: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "fix is a patch",
        base: "1.2.3",
        messages: &["fix: a"],
        args: &[],
        next: "1.2.4",
        bump: "patch",
        rule: "type-fix",
    },
    Case {
        name: "perf is a patch",
        base: "1.2.3",
        messages: &["perf(db): faster"],
        args: &[],
        next: "1.2.4",
        bump: "patch",
        rule: "type-perf",
    },
    Case {
        name: "feat is a minor",
        base: "1.2.3",
        messages: &["fix: a", "feat(api): b", "docs: c"],
        args: &[],
        next: "1.3.0",
        bump: "minor",
        rule: "type-feat",
    },
    Case {
        name: "types compare case-insensitively",
        base: "1.2.3",
        messages: &["Feat: shouting"],
        args: &[],
        next: "1.3.0",
        bump: "minor",
        rule: "type-feat",
    },
    Case {
        name: "FIX in capitals",
        base: "1.2.3",
        messages: &["FIX: shouting"],
        args: &[],
        next: "1.2.4",
        bump: "patch",
        rule: "type-fix",
    },
    Case {
        name: "a bang is major",
        base: "1.2.3",
        messages: &["feat!: drop v1"],
        args: &[],
        next: "2.0.0",
        bump: "major",
        rule: "breaking-bang",
    },
    Case {
        name: "a bang on any type is major",
        base: "1.2.3",
        messages: &["chore(deps)!: drop node 16"],
        args: &[],
        next: "2.0.0",
        bump: "major",
        rule: "breaking-bang",
    },
    Case {
        name: "footer-only breaking is major",
        base: "1.2.3",
        messages: &["fix: a\n\nBREAKING CHANGE: the flag is gone"],
        args: &[],
        next: "2.0.0",
        bump: "major",
        rule: "breaking-footer",
    },
    Case {
        name: "BREAKING-CHANGE is a synonym",
        base: "1.2.3",
        messages: &["fix: a\n\nBREAKING-CHANGE: the flag is gone"],
        args: &[],
        next: "2.0.0",
        bump: "major",
        rule: "breaking-footer",
    },
    Case {
        name: "lower-case breaking change is not breaking",
        base: "1.2.3",
        messages: &["feat: a\n\nbreaking change: not by the spec"],
        args: &[],
        next: "1.3.0",
        bump: "minor",
        rule: "type-feat",
    },
    Case {
        name: "BREAKING CHANGE inside the body is text",
        base: "1.2.3",
        messages: &["fix: a\n\nwhy:\nBREAKING CHANGE: mid-paragraph\nmore"],
        args: &[],
        next: "1.2.4",
        bump: "patch",
        rule: "type-fix",
    },
    Case {
        name: "a merge commit's message is ignored",
        base: "1.2.3",
        // (the merge itself is built by hand in its own test; here: a
        // non-conventional commit is ignored too)
        messages: &["Update README", "fix: a"],
        args: &[],
        next: "1.2.4",
        bump: "patch",
        rule: "type-fix",
    },
    Case {
        name: "0.x breaking goes to 1.0.0 by default",
        base: "0.4.1",
        messages: &["feat!: stable now"],
        args: &[],
        next: "1.0.0",
        bump: "major",
        rule: "breaking-bang",
    },
    Case {
        name: "0.x breaking with --bump-minor-pre-major stays in 0.x",
        base: "0.4.1",
        messages: &["feat!: still moving"],
        args: &["--bump-minor-pre-major"],
        next: "0.5.0",
        bump: "minor",
        rule: "breaking-pre-major",
    },
    Case {
        name: "0.x feat is a minor",
        base: "0.4.1",
        messages: &["feat: a"],
        args: &[],
        next: "0.5.0",
        bump: "minor",
        rule: "type-feat",
    },
    Case {
        name: "Release-As sets the version",
        base: "1.2.3",
        messages: &["feat: a", "chore: release 3.0.0\n\nRelease-As: 3.0.0"],
        args: &[],
        next: "3.0.0",
        bump: "major",
        rule: "release-as",
    },
    Case {
        name: "Release-As inside the body is text",
        base: "1.2.3",
        messages: &["fix: a\n\nplan:\nRelease-As: 3.0.0\nlater on"],
        args: &[],
        next: "1.2.4",
        bump: "patch",
        rule: "type-fix",
    },
    Case {
        name: "release:skip beats everything",
        base: "1.2.3",
        messages: &["feat!: a", "chore: x\n\nRelease-As: 5.0.0"],
        args: &["--label", "release:skip", "--label", "release:major"],
        next: "1.2.3",
        bump: "none",
        rule: "label-release-skip",
    },
    Case {
        name: "Release-As beats a bump label",
        base: "1.2.3",
        messages: &["chore: x\n\nRelease-As: 1.5.0"],
        args: &["--label", "release:major"],
        next: "1.5.0",
        bump: "minor",
        rule: "release-as",
    },
    Case {
        name: "a bump label beats the commits (down)",
        base: "1.2.3",
        messages: &["feat!: a"],
        args: &["--label", "release:patch"],
        next: "1.2.4",
        bump: "patch",
        rule: "label-release-bump",
    },
    Case {
        name: "a bump label beats the commits (up)",
        base: "1.2.3",
        messages: &["docs: a"],
        args: &["--label", "bug,release:minor"],
        next: "1.3.0",
        bump: "minor",
        rule: "label-release-bump",
    },
    Case {
        name: "nothing releasable",
        base: "1.2.3",
        messages: &[
            "docs: a",
            "chore: b",
            "refactor: c",
            "Merge-free non-conventional",
        ],
        args: &[],
        next: "1.2.3",
        bump: "none",
        rule: "type-other",
    },
];

#[test]
fn the_rules_table() {
    let mut failures = Vec::new();
    for c in CASES {
        let r = history(c.base, c.messages);
        let j = r.next_ok(c.args);
        let got = (
            json_str(&j, "next"),
            json_str(&j, "bump"),
            j["decision"]["rule"].as_str().unwrap_or(""),
        );
        if got != (c.next, c.bump, c.rule) {
            failures.push(format!(
                "{}: want ({}, {}, {}), got {got:?}",
                c.name, c.next, c.bump, c.rule
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn outputs_summary_and_reasons() {
    let r = history(
        "1.2.3",
        &["fix: a", "feat(api): add pagination (#12)", "docs: c"],
    );
    let j = r.next_ok(&["--repository-url", "https://github.com/octo/shop"]);
    assert_eq!(j["schema"], 1);
    assert_eq!(json_str(&j, "current"), "1.2.3");
    assert_eq!(json_str(&j, "current-tag"), "v1.2.3");
    assert_eq!(json_str(&j, "next-tag"), "v1.3.0");
    assert_eq!(j["commits"], 3);
    assert_eq!(j["breaking"], false);
    assert_eq!(j["prerelease"], false);
    assert_eq!(j["decision"]["source"], "commits");
    let reasons = j["reasons"].as_array().unwrap();
    assert_eq!(reasons.len(), 1);
    // the first line as git holds it
    assert_eq!(reasons[0]["commit"], "feat(api): add pagination (#12)");
    assert_eq!(reasons[0]["rule"], "type-feat");
    let cl = json_str(&j, "changelog");
    assert!(
        cl.contains("### Features\n\n- **api:** add pagination ([#12](https://github.com/octo/shop/pull/12)) ([")
            && cl.contains("https://github.com/octo/shop/commit/"),
        "{cl}"
    );
    assert!(cl.find("### Features").unwrap() < cl.find("### Bug Fixes").unwrap());

    let out = r.outputs();
    for key in [
        "current",
        "next",
        "next-tag",
        "bump",
        "prerelease",
        "breaking",
        "commits",
        "changelog",
    ] {
        assert!(out.contains_key(key), "missing output {key}: {out:?}");
    }
    assert_eq!(out["next"], "1.3.0");
    assert_eq!(out["bump"], "minor");
    assert_eq!(out["changelog"].trim_end(), cl.trim_end());
    let summary = r.summary();
    assert!(summary.contains("`v1.2.3` → `v1.3.0` (minor)"), "{summary}");
    assert!(summary.contains("feat(api): add pagination"), "{summary}");
}

#[test]
fn breaking_changes_come_first_in_the_changelog() {
    let r = history(
        "1.2.3",
        &["feat: x", "fix(core)!: y\n\nBREAKING CHANGE: z is gone"],
    );
    let j = r.next_ok(&[]);
    let cl = json_str(&j, "changelog");
    assert!(
        cl.starts_with("### ⚠ BREAKING CHANGES\n\n- **core:** z is gone ("),
        "{cl}"
    );
    assert_eq!(j["breaking"], true);
}

#[test]
fn merge_commits_are_ignored_but_counted() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.0.0");
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.commit("fix: on the branch");
    r.git(&["checkout", "-q", "main"]);
    r.commit("docs: on main");
    r.git(&[
        "merge",
        "-q",
        "--no-ff",
        "topic",
        "-m",
        "feat!: a merge message that looks breaking",
    ]);
    let j = r.next_ok(&[]);
    assert_eq!(
        (json_str(&j, "next"), json_str(&j, "bump")),
        ("1.0.1", "patch")
    );
    assert_eq!(j["counts"]["merges"], 1);
    assert_eq!(j["commits"], 3);
}

#[test]
fn reverts_inside_the_range_cancel_out() {
    let r = history("1.0.0", &["fix: small"]);
    let feat = r.commit("feat: risky");
    r.git(&["revert", "--no-edit", &feat]);
    let j = r.next_ok(&[]);
    assert_eq!(
        (json_str(&j, "next"), json_str(&j, "bump")),
        ("1.0.1", "patch")
    );
    assert_eq!(j["counts"]["cancelled"], 2);
    assert!(!json_str(&j, "changelog").contains("risky"));

    // Reapplying the revert brings the feature back.
    let revert = r.head();
    r.git(&["revert", "--no-edit", &revert]);
    let j = r.next_ok(&[]);
    assert_eq!(json_str(&j, "next"), "1.1.0");
}

#[test]
fn a_github_revert_pr_cancels_by_subject() {
    let r = history("1.0.0", &["fix: small", "feat(api): add x (#12)"]);
    r.commit("Revert \"feat(api): add x\" (#13)\n\nReverts octo/shop#12");
    let j = r.next_ok(&[]);
    assert_eq!(json_str(&j, "next"), "1.0.1");
}

#[test]
fn a_revert_of_a_released_feature_is_worth_a_feature() {
    let r = Repo::new();
    r.commit("chore: initial");
    let feat = r.commit("feat: released");
    r.tag("v1.1.0");
    r.git(&["revert", "--no-edit", &feat]);
    let j = r.next_ok(&[]);
    assert_eq!(
        (json_str(&j, "next"), j["decision"]["rule"].as_str()),
        ("1.2.0", Some("revert-of-released"))
    );
    assert_eq!(j["reasons"][0]["rule"], "revert-of-released");
    assert!(
        json_str(&j, "changelog").contains("### Reverts"),
        "{}",
        json_str(&j, "changelog")
    );
}

/// Issue 11, bug 3: GitHub writes `This reverts commit <sha>` into a
/// squash merge's body for every reverted commit of the branch; the header
/// decides what the squash merge is.
#[test]
fn a_squash_merge_quoting_a_revert_is_what_its_header_says() {
    let r = history("1.4.0", &[]);
    let sha = "0123456789abcdef0123456789abcdef01234567";
    r.commit(&format!(
        "feat(changelog, config)!: one config for both (#1319)\n\n* feat: a\n\n* Revert \"feat: a\"\n\nThis reverts commit {sha}.\n"
    ));
    let j = r.next_ok(&[]);
    assert_eq!(
        (
            json_str(&j, "next"),
            json_str(&j, "bump"),
            j["breaking"].as_bool()
        ),
        ("2.0.0", "major", Some(true)),
        "{j}"
    );
    assert_eq!(j["counts"]["reverts"], 0);
    // the PR number once, not `(#1319) (#1319)`
    let cl = json_str(&j, "changelog");
    assert!(cl.contains("one config for both (#1319) ("), "{cl}");
    assert!(!cl.contains("(#1319) (#1319)"), "{cl}");

    // docs and chore squash merges that quote reverts release nothing
    let r = history("1.4.0", &[]);
    r.commit(&format!(
        "docs: guide (#7)\n\n* Revert \"docs: a\"\n\nThis reverts commit {sha}.\n"
    ));
    r.commit("chore: \"revert chore: deploy pages once\"");
    let j = r.next_ok(&[]);
    assert_eq!(json_str(&j, "bump"), "none", "{j}");
}

/// What a revert undoes is read from the commit it names: inside the range
/// they cancel; before the range the revert is worth that commit's level
/// (nothing for a type that releases nothing); not found, the quoted header.
#[test]
fn a_revert_is_worth_the_commit_it_names() {
    // before the range: the named commit's level, whatever the quote says
    let r = Repo::new();
    r.commit("chore: initial");
    let docs = r.commit("docs: released docs");
    let fix = r.commit("fix: released fix");
    r.tag("v1.0.0");
    r.commit(&format!(
        "Revert \"feat: misquoted\"\n\nThis reverts commit {docs}.\n"
    ));
    let j = r.next_ok(&[]);
    assert_eq!(json_str(&j, "bump"), "none", "{j}");
    r.commit(&format!("revert: the fix\n\nRefs: {}\n", &fix[..10]));
    let j = r.next_ok(&[]);
    assert_eq!(
        (json_str(&j, "bump"), json_str(&j, "next")),
        ("patch", "1.0.1"),
        "{j}"
    );

    // not found: the quoted header decides
    let r = history("1.0.0", &[]);
    r.commit(
        "Revert \"feat: gone\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.\n",
    );
    assert_eq!(json_str(&r.next_ok(&[]), "bump"), "minor");

    // inside the range: they cancel, by sha
    let r = history("1.0.0", &["fix: keep"]);
    let feat = r.commit("feat: temporary");
    r.commit(&format!("revert: temporary\n\nRefs: {feat}\n"));
    let j = r.next_ok(&[]);
    assert_eq!(
        (json_str(&j, "bump"), j["counts"]["cancelled"].as_u64()),
        ("patch", Some(2))
    );
}

#[test]
fn leaving_zero_x_warns_in_actions() {
    let r = history("0.9.0", &["feat!: stable api"]);
    r.reset_files();
    let out = r
        .cmd()
        .env("GITHUB_ACTIONS", "true")
        .arg("next")
        .output()
        .unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("::warning title=semantic-bump::this release leaves 0.x: v0.9.0 → v1.0.0"),
        "{err}"
    );
    assert_eq!(r.outputs()["next"], "1.0.0");
    // …and not when the flag keeps it in 0.x.
    let out = r
        .cmd()
        .env("GITHUB_ACTIONS", "true")
        .args(["next", "--bump-minor-pre-major"])
        .output()
        .unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("leaves 0.x"));
}

#[test]
fn warnings_for_near_misses() {
    let r = history(
        "1.0.0",
        &["feat: x\n\nbreaking change: lower", "fix: y\nglued body"],
    );
    let j = r.next_ok(&[]);
    let kinds: Vec<&str> = j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"lowercase-breaking-footer"), "{kinds:?}");
    assert!(kinds.contains(&"not-conventional"), "{kinds:?}");
    assert_eq!(j["counts"]["non-conventional"], 1);
}

#[test]
fn prerelease_channels() {
    let r = history("1.2.0", &["feat: a"]);
    let first = r.next_ok(&["--prerelease", "dev"]);
    assert_eq!(
        (json_str(&first, "next"), first["prerelease"].as_bool()),
        ("1.3.0-dev.1", Some(true))
    );
    assert_eq!(json_str(&first, "channel"), "dev");
    r.tag("v1.3.0-dev.1");
    r.commit("fix: b");
    r.tag("v1.3.0-dev.2");
    r.commit("fix: c");
    // one past the highest on the channel
    assert_eq!(
        json_str(&r.next_ok(&["--prerelease", "dev"]), "next"),
        "1.3.0-dev.3"
    );
    // channels number separately
    assert_eq!(
        json_str(&r.next_ok(&["--prerelease", "rc"]), "next"),
        "1.3.0-rc.1"
    );
    // a breaking commit moves the target
    r.commit("refactor!: rename everything");
    assert_eq!(
        json_str(&r.next_ok(&["--prerelease", "dev"]), "next"),
        "2.0.0-dev.1"
    );
    // a stable release ignores prerelease tags as its base
    r.tag("v2.0.0-dev.1");
    let stable = r.next_ok(&[]);
    assert_eq!(
        (json_str(&stable, "current"), json_str(&stable, "next")),
        ("1.2.0", "2.0.0")
    );
    assert_eq!(stable["prerelease"], false);
    // already tagged on this commit: nothing new
    let again = r.next_ok(&["--prerelease", "dev"]);
    assert_eq!(
        (json_str(&again, "bump"), json_str(&again, "next")),
        ("none", "2.0.0-dev.1")
    );
}

#[test]
fn tags_on_unmerged_branches_are_ignored() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.0.0");
    r.git(&["checkout", "-q", "-b", "experiment"]);
    r.commit("feat!: experiment");
    r.tag("v2.0.0");
    r.git(&["checkout", "-q", "main"]);
    r.commit("fix: on main");
    let j = r.next_ok(&[]);
    assert_eq!(
        (json_str(&j, "current"), json_str(&j, "next")),
        ("1.0.0", "1.0.1")
    );
    let notes = j["notes"].to_string();
    assert!(notes.contains("v2.0.0 is not reachable"), "{notes}");
}

#[test]
fn the_next_tag_on_another_branch_is_a_conflict() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.0.0");
    r.git(&["checkout", "-q", "-b", "hotfix"]);
    r.commit("fix: hot");
    r.tag("v1.0.1");
    r.git(&["checkout", "-q", "main"]);
    r.commit("fix: also");
    let (code, j, err) = r.next(&[]);
    assert_eq!(code, 1, "{j}");
    let msg = j["error"]["message"].as_str().unwrap();
    assert!(msg.contains("v1.0.1 already exists"), "{msg}");
    // what is there: every tag of the line, on which commit
    assert!(
        msg.contains("v1.0.1 on ") && msg.contains("(another branch)"),
        "{msg}"
    );
    assert!(
        msg.contains("v1.0.0 on ") && msg.contains("(in its history)"),
        "{msg}"
    );
    // never advise deleting a release; the safe ways on
    let all = format!("{j}{err}");
    assert!(
        !all.contains("--delete") && !all.contains("delete"),
        "{all}"
    );
    for way in ["--rev ", "Release-As", "--initial"] {
        assert!(all.contains(way), "{way}: {all}");
    }
}

#[test]
fn head_behind_a_later_tag_is_not_an_unmerged_branch() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.0.0");
    let old = r.commit("fix: old");
    r.commit("feat: later");
    r.tag("v1.1.0");
    let j = r.next_ok(&["--rev", &old]);
    let notes = j["notes"].to_string();
    assert!(notes.contains("v1.1.0 is on a later commit"), "{notes}");
    assert!(!notes.contains("unmerged"), "{notes}");
    assert_eq!(json_str(&j, "next"), "1.0.1");
}

#[test]
fn head_at_the_tag_releases_nothing() {
    let r = history("1.0.0", &["feat: a"]);
    r.tag("v1.1.0");
    let j = r.next_ok(&[]);
    assert_eq!(
        (
            json_str(&j, "current"),
            json_str(&j, "next"),
            json_str(&j, "bump")
        ),
        ("1.1.0", "1.1.0", "none")
    );
    assert_eq!(j["commits"], 0);
    assert_eq!(json_str(&j, "changelog"), "");
}

#[test]
fn non_version_tags_are_ignored_and_the_highest_version_wins() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.9.0");
    r.commit("chore: x");
    r.tag("v1.10.0");
    r.tag("vnext");
    r.tag("v1.11");
    r.tag("latest");
    r.annotated("deploy-2025");
    r.commit("fix: a");
    let j = r.next_ok(&[]);
    assert_eq!(
        (json_str(&j, "current"), json_str(&j, "next")),
        ("1.10.0", "1.10.1")
    );
    assert!(
        j["notes"].to_string().contains("not a version"),
        "{}",
        j["notes"]
    );
}

#[test]
fn annotated_tags_count() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.annotated("v3.1.4");
    r.commit("feat: a");
    assert_eq!(json_str(&r.next_ok(&[]), "next"), "3.2.0");
}

#[test]
fn monorepo_paths_and_prefixes() {
    let r = Repo::new();
    r.commit_in("packages/api/a.txt", "chore: api init");
    r.commit_in("packages/web/a.txt", "chore: web init");
    r.tag("api-v1.0.0");
    r.tag("web-v2.0.0");
    r.commit_in("packages/web/b.txt", "feat(web): big");
    r.commit_in("packages/api/b.txt", "fix(api): small");
    r.commit_in("README.md", "feat: root only");
    let api = r.next_ok(&["--tag-prefix", "api-v", "--path", "packages/api"]);
    assert_eq!(
        (json_str(&api, "next-tag"), api["commits"].as_u64()),
        ("api-v1.0.1", Some(1))
    );
    let web = r.next_ok(&["--tag-prefix", "web-v", "--path", "packages/web"]);
    assert_eq!(json_str(&web, "next-tag"), "web-v2.1.0");
    let both = r.next_ok(&[
        "--tag-prefix",
        "api-v",
        "--path",
        "packages/api,packages/web",
    ]);
    assert_eq!(json_str(&both, "next"), "1.1.0");
}

#[test]
fn first_release_without_a_remote() {
    let r = Repo::new();
    r.commit("feat: first");
    let j = r.next_ok(&[]);
    assert_eq!(
        (
            json_str(&j, "next"),
            json_str(&j, "next-tag"),
            j["current"].is_null(),
            j["first-release"].as_bool()
        ),
        ("0.1.0", "v0.1.0", true, Some(true))
    );
    assert_eq!(j["decision"]["rule"], "initial");
    assert_eq!(
        json_str(&r.next_ok(&["--initial", "1.0.0"]), "next"),
        "1.0.0"
    );
    assert_eq!(
        json_str(&r.next_ok(&["--initial", "v2.0.0"]), "next"),
        "2.0.0"
    );
}

/// A bare "server" with history and tags, and a clone of it.
fn remote_and_clone(tags: bool, clone_args: &[&str]) -> (Repo, Repo) {
    let origin = Repo::new();
    origin.commit("chore: initial");
    if tags {
        origin.tag("v1.0.0");
    }
    origin.commit("feat: a");
    origin.commit("fix: b");
    let bare = origin.tmp.path().join("server.git");
    origin.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let clone_dir = origin.tmp.path().join("clone");
    let url = format!("file://{}", bare.display());
    let mut args = vec!["clone", "-q"];
    args.extend_from_slice(clone_args);
    args.push(&url);
    args.push(clone_dir.to_str().unwrap());
    origin.git(&args);
    let clone = origin.at(clone_dir);
    (origin, clone)
}

#[test]
fn a_shallow_clone_exits_3_with_fetch_depth_0() {
    let (_origin, clone) = remote_and_clone(true, &["--depth", "1"]);
    let (code, j, _) = clone.next(&[]);
    assert_eq!(code, 3, "{j}");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("shallow clone")
    );
    assert!(
        j["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("fetch-depth: 0")
    );
}

#[test]
fn a_clone_without_tags_is_not_a_first_release() {
    let (_origin, clone) = remote_and_clone(true, &["--no-tags"]);
    let (code, j, _) = clone.next(&[]);
    assert_eq!(code, 3, "{j}");
    let msg = j["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("no tags, but the remote 'origin' has 1 (e.g. v1.0.0)"),
        "{msg}"
    );
    assert!(
        j["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("fetch-depth: 0")
    );
    // A full clone of the same remote works.
    let (_o, full) = remote_and_clone(true, &[]);
    assert_eq!(json_str(&full.next_ok(&[]), "next"), "1.1.0");
}

#[test]
fn a_remote_without_tags_is_a_first_release() {
    let (_origin, clone) = remote_and_clone(false, &[]);
    let j = clone.next_ok(&[]);
    assert_eq!(
        (json_str(&j, "next"), j["first-release"].as_bool()),
        ("0.1.0", Some(true))
    );
}

#[test]
fn an_unreachable_remote_is_not_a_first_release() {
    let r = Repo::new();
    r.commit("feat: a");
    r.git(&["remote", "add", "origin", "file:///nonexistent/server.git"]);
    let (code, j, _) = r.next(&[]);
    assert_eq!(code, 3, "{j}");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("asking the remote 'origin'")
    );
}

#[test]
fn versions_under_another_prefix_are_named() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("1.4.0");
    r.commit("feat: a");
    let (code, j, _) = r.next(&[]);
    assert_eq!(code, 2, "{j}");
    let msg = j["error"]["message"].as_str().unwrap();
    assert!(
        msg.contains("no tag starts with the prefix 'v', but 1 tag looks like versions: 1.4.0"),
        "{msg}"
    );
    assert!(
        j["error"]["hint"]
            .as_str()
            .unwrap()
            .contains("--tag-prefix ''")
    );
    // the bare prefix, given as the action passes it
    let j = r.next_ok(&["--tag-prefix", "''"]);
    assert_eq!(json_str(&j, "next-tag"), "1.5.0");
    // an explicit --initial starts a new series, with a warning
    let j = r.next_ok(&["--initial", "0.1.0"]);
    assert_eq!(json_str(&j, "next-tag"), "v0.1.0");
    assert!(j["notes"].to_string().contains("1.4.0"));
}

#[test]
fn not_a_repository_and_no_commits() {
    let r = Repo::new();
    let (code, j, _) = r.next(&[]);
    assert_eq!(code, 3, "{j}");
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("no commits yet")
    );
    let outside = tempfile::tempdir().unwrap();
    let out = r
        .cmd()
        .current_dir(outside.path())
        .args(["next", "--json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        j["error"]["message"]
            .as_str()
            .unwrap()
            .contains("not inside a git repository")
    );
}

#[test]
fn bad_input_exits_2() {
    let r = history("1.0.0", &["fix: a"]);
    for args in [
        vec!["next", "--tag-prefix", "v*"],
        vec!["next", "--prerelease", "dev.1"],
        vec!["next", "--initial", "1.0"],
        vec!["next", "--repository-url", "ftp://x/o/r"],
        vec!["next", "--path", "/abs"],
        vec!["next", "--rev", "--all"],
        vec!["next", "--bogus"],
    ] {
        let out = r.cmd().args(&args).output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(2),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let out = r
        .cmd()
        .args(["next", "--rev", "no-such-branch"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn env_twins_and_empty_inputs() {
    let r = history("1.0.0", &["feat: a"]);
    let out = r
        .cmd()
        .args(["next", "--json"])
        .env("INPUT_TAG_PREFIX", "v")
        .env("INPUT_PRERELEASE", "")
        .env("INPUT_INITIAL", "  ")
        .env("INPUT_LABEL", "release:patch")
        .env("INPUT_BUMP_MINOR_PRE_MAJOR", "false")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let j: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json_str(&j, "next"), "1.0.1");
}

#[test]
fn rev_previews_an_older_commit() {
    let r = history("1.0.0", &["fix: a"]);
    let at = r.head();
    r.commit("feat: b");
    let j = r.next_ok(&["--rev", &at]);
    assert_eq!(
        (json_str(&j, "next"), json_str(&j, "commit")),
        ("1.0.1", at.as_str())
    );
}

/// Runs the binary without `--json`: (exit code, stdout, stderr).
fn plain(r: &Repo, args: &[&str]) -> (i32, String, String) {
    r.reset_files();
    let out = r.cmd().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn stdout_is_the_next_version_alone() {
    // NEXT=$(semantic-bump next)
    let r = history("1.2.3", &["feat(api): b"]);
    let (code, out, err) = plain(&r, &["next"]);
    assert_eq!((code, out.as_str()), (0, "1.3.0\n"), "{err}");
    assert!(err.contains("v1.2.3 → v1.3.0 (minor)"), "{err}");
    // a prerelease, without the tag prefix
    let (code, out, err) = plain(&r, &["next", "--prerelease", "dev"]);
    assert_eq!((code, out.as_str()), (0, "1.3.0-dev.1\n"), "{err}");
    // --json: only the JSON on stdout
    let (code, out, _) = plain(&r, &["next", "--json"]);
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(json_str(&j, "next"), "1.3.0");
    // nothing to release: nothing on stdout
    let r = history("1.2.3", &["docs: a"]);
    let (code, out, err) = plain(&r, &["next"]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(err.contains("nothing to release"), "{err}");
    // an error: nothing on stdout either
    let (code, out, _) = plain(&r, &["next", "--rev", "nope"]);
    assert_ne!(code, 0);
    assert_eq!(out, "");
}

/// `next --strict`: nothing ignored silently. Every commit of the range
/// that is not a conventional commit is named, and the step fails.
#[test]
fn strict_names_every_commit_that_is_not_conventional() {
    let r = history("1.0.0", &["feat: good"]);
    let update = r.commit("Update readme");
    let spaced = r.commit("fix:typo");
    let feat = r.commit("feat: x");
    r.git(&["revert", "--no-edit", &feat]); // a `Revert "…"` commit is fine
    let (code, j, err) = r.next(&["--strict"]);
    assert_eq!(code, 1, "{j}\n{err}");
    let named: Vec<(&str, &str)> = j["unconventional"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| (u["sha"].as_str().unwrap(), u["rule"].as_str().unwrap()))
        .collect();
    assert_eq!(
        named,
        [
            (spaced.as_str(), "space-after-colon"),
            (update.as_str(), "header-format")
        ]
    );
    assert_eq!(j["passed"], false, "{j}");
    assert!(
        err.contains("--strict: 2 commits")
            && err.contains(&update[..7])
            && err.contains("'fix:typo'"),
        "{err}"
    );
    // without --strict: the version, and a warning for the near miss only
    let j = r.next_ok(&[]);
    assert_eq!(json_str(&j, "next"), "1.1.0");
    // a clean range passes --strict
    let r = history("1.0.0", &["feat: good", "docs: fine"]);
    let (code, j, _) = r.next(&["--strict"]);
    assert_eq!((code, json_str(&j, "next")), (0, "1.1.0"), "{j}");
}
