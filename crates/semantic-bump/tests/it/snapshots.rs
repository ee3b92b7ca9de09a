//! Messages users read, as snapshot files under `tests/it/snapshots/`, so a
//! reviewer sees their change in the diff (`SNAPSHOTS=overwrite` to update).

use crate::common::Repo;

fn texts(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn help() {
    let r = Repo::new();
    let out = r.cmd().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    snapbox::assert_data_eq!(texts(&out).0, snapbox::file!["snapshots/help.txt"]);
}

#[test]
fn lint_title_help() {
    let r = Repo::new();
    let out = r.cmd().args(["lint-title", "--help"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    snapbox::assert_data_eq!(
        texts(&out).0,
        snapbox::file!["snapshots/lint-title-help.txt"]
    );
}

/// A title that breaks the rules: the rule, the title and a valid example.
#[test]
fn a_failing_title() {
    let r = Repo::new();
    let out = r
        .cmd()
        .args(["lint-title", "Fix login crash"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    snapbox::assert_data_eq!(texts(&out).1, snapbox::file!["snapshots/failing-title.txt"]);
}

/// Bad input: a subject pattern that is not a regex, exit 2.
#[test]
fn a_bad_subject_pattern() {
    let r = Repo::new();
    let out = r
        .cmd()
        .args(["lint-title", "feat: x", "--subject-pattern", "(unclosed"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    snapbox::assert_data_eq!(
        texts(&out).1,
        snapbox::file!["snapshots/bad-subject-pattern.txt"]
    );
}
