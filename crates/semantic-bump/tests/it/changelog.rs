//! `changelog`: the notes of any range, and the section prepended to an
//! existing CHANGELOG.md without touching the rest.

use crate::common::{Repo, json_str, parsed};
use serde_json::Value;

fn changelog(r: &Repo, args: &[&str]) -> (i32, Value, String) {
    r.reset_files();
    parsed(
        r.cmd()
            .arg("changelog")
            .arg("--json")
            .args(args)
            .output()
            .unwrap(),
    )
}

fn ok(r: &Repo, args: &[&str]) -> Value {
    let (code, j, err) = changelog(r, args);
    assert_eq!(code, 0, "changelog {args:?} failed: {err}\n{j}");
    j
}

fn history(messages: &[&str]) -> Repo {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.2.0");
    for m in messages {
        r.commit(m);
    }
    r
}

#[test]
fn a_range_is_exactly_its_commits() {
    // a production deploy: from the previous prod commit to this one
    let r = history(&["feat: before prod"]);
    let prod = r.head();
    r.commit("fix: after prod");
    r.tag("v1.2.1");
    r.commit("feat(api): newest");
    let range = format!("{}..HEAD", &prod[..10]);
    let j = ok(&r, &["--range", &range]);
    let cl = json_str(&j, "changelog");
    assert!(
        cl.contains("- **api:** newest") && cl.contains("- after prod"),
        "{cl}"
    );
    assert!(!cl.contains("before prod"), "{cl}");
    assert_eq!(
        (j["commits"].as_u64(), json_str(&j, "range")),
        (Some(2), range.as_str())
    );
    // the range's end carries a version tag: that is the version
    let j = ok(&r, &["--range", "v1.2.0..v1.2.1"]);
    assert_eq!(json_str(&j, "version"), "1.2.1");
    assert_eq!(
        json_str(&j, "changelog"),
        format!(
            "### Features\n\n- before prod ({})\n\n### Bug Fixes\n\n- after prod ({})\n",
            &prod[..7],
            &r.git(&["rev-parse", "v1.2.1"])[..7]
        )
    );
}

#[test]
fn without_a_range_it_is_nexts_changelog() {
    let r = history(&["fix: a", "feat(api): b (#12)", "docs: c"]);
    let url = ["--repository-url", "https://github.com/octo/shop"];
    let j = ok(&r, &url);
    let n = r.next_ok(&url);
    assert_eq!(json_str(&j, "changelog"), json_str(&n, "changelog"));
    assert_eq!(
        (json_str(&j, "version"), json_str(&j, "range")),
        ("1.3.0", "v1.2.0..HEAD")
    );
    let out = r.outputs();
    assert_eq!(
        out["changelog"].trim_end(),
        json_str(&n, "changelog").trim_end()
    );
}

#[test]
fn merge_commits_and_their_branch_commits_count_once() {
    let r = history(&[]);
    r.git(&["checkout", "-q", "-b", "topic"]);
    let a = r.commit("feat: from the branch");
    r.commit("fix: also from the branch");
    r.git(&["checkout", "-q", "main"]);
    r.commit("docs: on main");
    // the same change cherry-picked onto main before the merge
    r.git(&["cherry-pick", "-x", &a]);
    r.git(&[
        "merge",
        "-q",
        "--no-ff",
        "topic",
        "-m",
        "Merge pull request #5 from octo/topic\n\nfeat: from the branch",
    ]);
    let j = ok(&r, &[]);
    let cl = json_str(&j, "changelog");
    assert_eq!(cl.matches("from the branch").count(), 2, "{cl}");
    assert_eq!(cl.matches("- from the branch").count(), 1, "{cl}");
    assert_eq!(cl.matches("- also from the branch").count(), 1, "{cl}");
}

const OLD: &str = "# Changelog\n\nAll notable changes to this project are documented here.  \nÜnïcode, trailing spaces, *emphasis*.\n\n<!-- shipgate:changelog -->\n\n## [1.2.0](https://github.com/octo/shop/compare/v1.1.0...v1.2.0) (2023-01-01)\n\n### Features\n\n- hand-edited line\t(tab)\n\n\n## 1.1.0\n\n- no trailing newline";

#[test]
fn prepend_into_an_existing_changelog_leaves_the_rest_byte_identical() {
    let r = history(&["feat(api): pagination"]);
    let file = r.dir.join("CHANGELOG.md");
    std::fs::write(&file, OLD).unwrap();
    let args = [
        "--output",
        "CHANGELOG.md",
        "--prepend",
        "--repository-url",
        "https://github.com/octo/shop",
    ];
    let j = ok(&r, &args);
    assert_eq!(
        (j["updated"].as_bool(), json_str(&j, "path")),
        (Some(true), "CHANGELOG.md")
    );
    let new = std::fs::read_to_string(&file).unwrap();
    let cut = OLD.find("<!-- shipgate:changelog -->\n").unwrap() + 28;
    assert!(new.starts_with(&OLD[..cut]), "{new}");
    assert!(new.ends_with(&OLD[cut..]), "{new}");
    let inserted = &new[cut..new.len() - (OLD.len() - cut)];
    let date =
        semantic_bump::changelog::utc_date(r.git(&["log", "-1", "--format=%ct"]).parse().unwrap());
    let sha = r.head();
    assert_eq!(
        inserted,
        format!(
            "\n## [1.3.0](https://github.com/octo/shop/compare/v1.2.0...v1.3.0) ({date})\n\n### Features\n\n- **api:** pagination ([{}](https://github.com/octo/shop/commit/{sha}))\n",
            &sha[..7]
        )
    );

    // again, and after tagging it (a re-run at the release commit): no
    // second section
    let j = ok(&r, &args);
    assert_eq!(j["updated"], false);
    r.tag("v1.3.0");
    let j = ok(&r, &args);
    assert_eq!(
        (j["updated"].as_bool(), json_str(&j, "version")),
        (Some(false), "1.3.0")
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), new);
}

#[test]
fn prepend_without_a_marker_and_into_a_missing_file() {
    let r = history(&["fix: a"]);
    let kac = "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2023-01-01\n\n- old\n";
    std::fs::write(r.dir.join("CHANGELOG.md"), kac).unwrap();
    ok(&r, &["--output", "CHANGELOG.md", "--prepend"]);
    let new = std::fs::read_to_string(r.dir.join("CHANGELOG.md")).unwrap();
    let at = new.find("## 1.2.1 (").unwrap();
    assert_eq!(&new[..at], "# Changelog\n\n## [Unreleased]\n\n");
    assert!(
        new.ends_with("\n\n## [1.2.0] - 2023-01-01\n\n- old\n"),
        "{new}"
    );

    let (code, j, _) = changelog(&r, &["--output", "docs/NEW.md", "--prepend"]);
    assert_eq!(code, 3, "no docs/ directory: {j}");
    std::fs::create_dir(r.dir.join("docs")).unwrap();
    ok(
        &r,
        &[
            "--output",
            "docs/NEW.md",
            "--prepend",
            "--heading",
            "2.0.0-beta",
        ],
    );
    let new = std::fs::read_to_string(r.dir.join("docs/NEW.md")).unwrap();
    assert!(
        new.starts_with("# Changelog\n\n<!-- shipgate:changelog -->\n\n## 2.0.0-beta ("),
        "{new}"
    );
}

#[test]
fn output_without_prepend_writes_the_notes() {
    let r = history(&["perf: faster"]);
    let j = ok(&r, &["--output", "notes.md"]);
    let text = std::fs::read_to_string(r.dir.join("notes.md")).unwrap();
    assert_eq!(text, json_str(&j, "changelog"));
    assert!(text.starts_with("### Performance\n"), "{text}");
}

#[test]
fn bad_input_exits_2() {
    let r = history(&["fix: a"]);
    for (args, needle) in [
        (
            vec!["--range", "nope..HEAD"],
            "'nope' does not name a commit",
        ),
        (vec!["--range", "v1.2.0...HEAD"], "symmetric difference"),
        (vec!["--prepend"], "--output"),
    ] {
        let (code, _, err) = changelog(&r, &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
}

#[test]
fn stdout_is_the_notes_unless_they_go_to_a_file() {
    let r = history(&["feat(api): pagination", "fix: crash"]);
    let run = |args: &[&str]| {
        r.reset_files();
        let out = r.cmd().arg("changelog").args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&[]);
    assert_eq!(code, 0, "{err}");
    let want = r.outputs()["changelog"].clone();
    assert!(want.contains("- **api:** pagination"), "{want}");
    assert_eq!(out.trim_end(), want.trim_end(), "{err}");
    assert!(err.contains("release notes for"), "{err}");
    // --output: the notes are in the file, stdout stays empty
    let file = r.tmp.path().join("NOTES.md");
    let (code, out, err) = run(&["--output", file.to_str().unwrap()]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
    assert!(
        std::fs::read_to_string(&file)
            .unwrap()
            .contains("pagination")
    );
    // --json: only the JSON
    let (code, out, _) = run(&["--json"]);
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert!(json_str(&j, "changelog").contains("pagination"));
}
