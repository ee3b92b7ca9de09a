//! Help text (snapshots: `SNAPSHOTS=overwrite` to update), so a reviewer
//! sees every change to it in the diff.

use crate::support::Fixture;

fn help(args: &[&str]) -> String {
    let fixture = Fixture::new();
    let r = fixture.tag_gate(args);
    r.ok();
    assert!(r.stderr.is_empty(), "{}", r.stderr);
    r.stdout
}

#[test]
fn top_level_help() {
    let text = help(&["--help"]);
    for line in [
        "Usage: tag-gate [OPTIONS] <COMMAND>",
        "Exit codes: 0 ok",
        "tag-gate promote --to prod --version",
    ] {
        assert!(text.contains(line), "{line:?} missing from:\n{text}");
    }
    snapbox::assert_data_eq!(text, snapbox::file!["snapshots/help.txt"]);
}

#[test]
fn promote_help() {
    snapbox::assert_data_eq!(
        help(&["promote", "--help"]),
        snapbox::file!["snapshots/promote-help.txt"]
    );
}

#[test]
fn version() {
    let text = help(&["--version"]);
    assert_eq!(
        text.trim(),
        format!("tag-gate {}", env!("CARGO_PKG_VERSION"))
    );
}
