//! `lint-title` and `lint-commits` through the binary.

use crate::common::{Repo, json_str, parsed};
use serde_json::Value;

fn lint_title(r: &Repo, args: &[&str]) -> (i32, Value, String) {
    r.reset_files();
    parsed(
        r.cmd()
            .arg("lint-title")
            .arg("--json")
            .args(args)
            .output()
            .unwrap(),
    )
}

#[test]
fn titles_table() {
    let r = Repo::new();
    // (title, extra args, exit code, rule on failure, bump on success)
    let cases: &[(&str, &[&str], i32, &str, &str)] = &[
        ("feat(api): add pagination", &[], 0, "", "minor"),
        ("feat!: drop v1", &[], 0, "", "major"),
        ("FIX: shouting is fine", &[], 0, "", "patch"),
        ("docs: typo", &[], 0, "", "none"),
        // A revert is worth what it undoes.
        ("Revert \"feat(api): add pagination\"", &[], 0, "", "minor"),
        ("Revert \"docs: typo\"", &[], 0, "", "none"),
        ("Add login page", &[], 1, "header-format", ""),
        ("feat:missing space", &[], 1, "space-after-colon", ""),
        ("feat:  two spaces", &[], 1, "space-after-colon", ""),
        (
            "feat (api): space before scope",
            &[],
            1,
            "header-format",
            "",
        ),
        ("feat(): empty scope", &[], 1, "header-format", ""),
        ("feature: not a type", &[], 1, "type-enum", ""),
        ("wip: custom", &["--types", "feat,fix,wip"], 0, "", "none"),
        (
            "docs: not allowed here",
            &["--types", "feat,fix"],
            1,
            "type-enum",
            "",
        ),
        (
            "feat: no scope",
            &["--require-scope"],
            1,
            "scope-required",
            "",
        ),
        ("feat(db): x", &["--scopes", "api,ui"], 1, "scope-enum", ""),
        // scopes are patterns matched as written (case-sensitive)
        ("feat(API): x", &["--scopes", "api,ui"], 1, "scope-enum", ""),
        ("feat(api,ui): x", &["--scopes", "api\nui"], 0, "", "minor"),
        (
            "feat(api): Capital",
            &["--subject-pattern", "^[a-z].*"],
            1,
            "subject-pattern",
            "",
        ),
        (
            "feat(api): lower",
            &["--subject-pattern", "^[a-z].*"],
            0,
            "",
            "minor",
        ),
        ("fix: x", &["--label", "release:major"], 0, "", "major"),
        ("feat: x", &["--label", "release:skip"], 0, "", "none"),
    ];
    let mut failures = Vec::new();
    for (title, args, code, rule, bump) in cases {
        let mut all = vec![*title];
        all.extend_from_slice(args);
        let (got, j, err) = lint_title(&r, &all);
        let ok = got == *code
            && if *code == 0 {
                json_str(&j, "bump") == *bump && j["passed"] == true
            } else {
                json_str(&j, "rule") == *rule && j["passed"] == false
            };
        if !ok {
            failures.push(format!("{title:?} {args:?}: exit {got}, {j}, {err}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn a_failure_names_the_rule_and_shows_a_valid_example() {
    let r = Repo::new();
    r.reset_files();
    let out = r
        .cmd()
        .env("GITHUB_ACTIONS", "true")
        .args(["lint-title", "Fix login crash"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "::error title=semantic-bump::the title 'Fix login crash' breaks the rule header-format"
        ),
        "{err}"
    );
    assert!(err.contains("A valid title: fix: login crash"), "{err}");
    let outputs = r.outputs();
    assert_eq!(outputs["passed"], "false");
    assert_eq!(outputs["rule"], "header-format");
    assert_eq!(outputs["example"], "fix: login crash");
    assert!(
        r.summary().contains("A valid title: `fix: login crash`"),
        "{}",
        r.summary()
    );
}

#[test]
fn soft_failures_exit_0() {
    let r = Repo::new();
    let (code, j, _) = lint_title(&r, &["nope", "--soft"]);
    assert_eq!((code, j["passed"].as_bool()), (0, Some(false)));
}

#[test]
fn ignore_labels_skip_the_check() {
    let r = Repo::new();
    let (code, j, _) = lint_title(
        &r,
        &[
            "Bump lodash",
            "--ignore-label",
            "dependencies",
            "--label",
            "Dependencies",
        ],
    );
    assert_eq!(
        (code, j["skipped"].as_bool(), j["passed"].as_bool()),
        (0, Some(true), Some(true))
    );
}

#[test]
fn a_bad_regex_exits_2() {
    let r = Repo::new();
    let out = r
        .cmd()
        .args(["lint-title", "feat: x", "--subject-pattern", "(unclosed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    // the pattern, the position and what is wrong
    assert!(
        err.contains("the pattern '(unclosed' does not compile (at character 1): unclosed group"),
        "{err}"
    );
}

#[test]
fn the_title_comes_from_the_env_twin() {
    let r = Repo::new();
    let out = r
        .cmd()
        .env("INPUT_TITLE", "feat: from the environment  ")
        .args(["lint-title", "--json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Leading whitespace is a fault everywhere (git keeps it in a commit,
    // and `next` would not count that commit).
    let out = r
        .cmd()
        .env("INPUT_TITLE", "  feat: from the environment")
        .args(["lint-title", "--json"])
        .output()
        .unwrap();
    let (code, j, _) = parsed(out);
    assert_eq!(
        (code, json_str(&j, "rule")),
        (1, "leading-whitespace"),
        "{j}"
    );
    assert_eq!(json_str(&j, "example"), "feat: from the environment");
}

/// The preview promise: a title that passes bumps, once squash-merged, by
/// exactly what lint-title said.
#[test]
fn a_passing_title_bumps_as_previewed() {
    for title in [
        "feat!: x",
        "feat(api): y",
        "fix: z",
        "perf: w",
        "docs: v",
        "Refactor!: u",
    ] {
        let r = Repo::new();
        r.commit("chore: initial");
        r.tag("v1.0.0");
        let (code, lint, _) = lint_title(&r, &[title]);
        assert_eq!(code, 0, "{title}");
        r.commit(&format!("{title} (#7)"));
        let next = r.next_ok(&[]);
        assert_eq!(json_str(&lint, "bump"), json_str(&next, "bump"), "{title}");
    }
}

fn lint_commits(r: &Repo, args: &[&str]) -> (i32, Value, String) {
    r.reset_files();
    parsed(
        r.cmd()
            .arg("lint-commits")
            .arg("--json")
            .args(args)
            .output()
            .unwrap(),
    )
}

#[test]
fn commits_since_the_last_tag() {
    let r = Repo::new();
    r.commit("Initial import, before conventions");
    r.tag("v1.0.0");
    r.commit("feat: a");
    r.commit("fixup! feat: a");
    r.git(&["checkout", "-q", "-b", "topic"]);
    r.commit("fix: b\n\nBREAKING CHANGE: c");
    r.git(&["checkout", "-q", "main"]);
    r.git(&[
        "merge",
        "-q",
        "--no-ff",
        "topic",
        "-m",
        "Merge branch 'topic'",
    ]);
    let (code, j, err) = lint_commits(&r, &[]);
    assert_eq!(code, 0, "{j} {err}");
    assert_eq!(
        (
            j["checked"].as_u64(),
            j["merges"].as_u64(),
            j["autosquash"].as_u64()
        ),
        (Some(2), Some(1), Some(1))
    );
    assert_eq!(json_str(&j, "range"), "v1.0.0..HEAD");

    r.commit("feat: x\n\nbreaking change: lower case");
    r.commit("Update docs");
    let (code, j, _) = lint_commits(&r, &[]);
    assert_eq!(code, 1, "{j}");
    assert_eq!(j["failed"], 2);
    let rules: Vec<&str> = j["failures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["header-format", "breaking-footer-case"]);
    assert_eq!(j["failures"][0]["example"], "docs: Update docs");
}

#[test]
fn commits_in_a_given_range_and_annotations() {
    let r = Repo::new();
    let a = r.commit("nope");
    r.commit("feat: fine");
    r.commit("also:nope");
    r.reset_files();
    let out = r
        .cmd()
        .env("GITHUB_ACTIONS", "true")
        .args(["lint-commits", "--range", &format!("{a}..HEAD")])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("::error title=semantic-bump%3A space-after-colon::"),
        "{err}"
    );
    assert!(r.summary().contains("1 of 2 commits"), "{}", r.summary());
    let (code, _, _) = lint_commits(&r, &["--range", "nosuch..HEAD"]);
    assert_eq!(code, 2);
}

#[test]
fn commits_since_the_merge_base_without_tags() {
    let origin = Repo::new();
    origin.commit("chore: initial");
    let bare = origin.tmp.path().join("server.git");
    origin.git(&["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
    let dir = origin.tmp.path().join("clone");
    origin.git(&[
        "clone",
        "-q",
        &format!("file://{}", bare.display()),
        dir.to_str().unwrap(),
    ]);
    let clone = origin.at(dir);
    clone.git(&["checkout", "-q", "-b", "feature"]);
    clone.commit("feat: on the branch");
    clone.commit("bad commit");
    let (code, j, _) = lint_commits(&clone, &[]);
    assert_eq!(code, 1, "{j}");
    assert_eq!(j["checked"], 2);
    assert!(json_str(&j, "range").ends_with("..HEAD"));
}

/// Runs `lint-title` without `--json`: (exit code, stdout, stderr).
fn lint_title_plain(r: &Repo, args: &[&str]) -> (i32, String, String) {
    r.reset_files();
    let out = r.cmd().arg("lint-title").args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn the_example_passes_the_same_rules() {
    let r = Repo::new();
    // (title, rules, the example shown)
    let cases: &[(&str, &[&str], &str)] = &[
        ("fix(ui): X", &["--subject-pattern", "^[a-z]"], "fix(ui): x"),
        (
            "feat: add login",
            &["--subject-pattern", "^[A-Z].*"],
            "feat: Add login",
        ),
        (
            "feat: add login.",
            &["--subject-pattern", ".*[^.]$"],
            "feat: add login",
        ),
        (
            "Add Login page",
            &[
                "--subject-pattern",
                "^[a-z].*",
                "--require-scope",
                "--scopes",
                "api,ui",
            ],
            "feat(api): add Login page",
        ),
        (
            "fix(ui): X",
            &["--subject-pattern", "^[a-z]+ [a-z]+.*"],
            "fix(ui): describe the change",
        ),
        (
            "feat: a description that goes on and on for far too long",
            &["--subject-pattern", "^.{1,20}$"],
            "feat: a description that",
        ),
    ];
    let mut failures = Vec::new();
    for (title, rules, want) in cases {
        let mut args = vec![*title];
        args.extend_from_slice(rules);
        let (code, j, err) = lint_title(&r, &args);
        let example = json_str(&j, "example").to_owned();
        if code != 1 || example != *want {
            failures.push(format!(
                "{title:?} {rules:?}: exit {code}, example {example:?}, want {want:?}: {err}"
            ));
            continue;
        }
        // the example shown passes the very same rules
        let mut again = vec![example.as_str()];
        again.extend_from_slice(rules);
        let (code, j, err) = lint_title(&r, &again);
        if code != 0 {
            failures.push(format!(
                "the example {example:?} for {title:?} {rules:?} fails: {j} {err}"
            ));
        }
        // and the human message shows it
        let mut plain = vec![*title];
        plain.extend_from_slice(rules);
        let (_, _, err) = lint_title_plain(&r, &plain);
        if !err.contains(&format!("A valid title: {want}")) {
            failures.push(format!(
                "{title:?} {rules:?}: stderr lacks the example: {err}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn without_a_passing_example_it_says_what_the_pattern_requires() {
    let r = Repo::new();
    let (code, _, err) =
        lint_title_plain(&r, &["fix(ui): X", "--subject-pattern", "^JIRA-[0-9]+:"]);
    assert_eq!(code, 1, "{err}");
    assert!(!err.contains("A valid title"), "{err}");
    assert!(
        err.contains("the description after `fix(ui): ` must match the pattern `^JIRA-[0-9]+:`"),
        "{err}"
    );
    let outputs = r.outputs();
    assert_eq!(outputs["rule"], "subject-pattern");
    assert_eq!(outputs["example"], "");
    assert!(!r.summary().contains("A valid title"), "{}", r.summary());
    let (_, j, _) = lint_title(&r, &["fix(ui): X", "--subject-pattern", "^JIRA-[0-9]+:"]);
    assert_eq!(j["example"], "");
}
