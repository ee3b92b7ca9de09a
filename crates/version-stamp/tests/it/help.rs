//! Help and version text (snapshots: `SNAPSHOTS=overwrite` to update).

use crate::util::{Sandbox, texts};

#[test]
fn help() {
    let sb = Sandbox::new();
    let out = sb.cmd(&sb.work()).arg("--help").output().unwrap();
    assert!(out.status.success());
    snapbox::assert_data_eq!(texts(&out).0, snapbox::file!["snapshots/help.txt"]);
}

#[test]
fn parse_help() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .args(["parse", "--help"])
        .output()
        .unwrap();
    assert!(out.status.success());
    snapbox::assert_data_eq!(texts(&out).0, snapbox::file!["snapshots/parse-help.txt"]);
}

#[test]
fn version() {
    let sb = Sandbox::new();
    let out = sb.cmd(&sb.work()).arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(
        texts(&out).0,
        format!("version-stamp {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn unknown_flags_are_bad_input() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .env("GITHUB_ACTIONS", "true")
        .arg("--shaa")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        texts(&out)
            .1
            .contains("::error title=version-stamp::unexpected argument '--shaa'")
    );
}

/// A refusal users read: a version in the wrong form names the value and
/// the form expected, exit 2.
#[test]
fn a_bad_version_refusal() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .args(["parse", "84fb5881-20251320-143022"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    snapbox::assert_data_eq!(texts(&out).1, snapbox::file!["snapshots/bad-version.txt"]);
}
