//! Bad input exits 2 naming the value and what was expected, before
//! anything is written.

use crate::support::{Fixture, version_of};

/// A fixture with one built version, and the refs on its remote.
fn built() -> (Fixture, String) {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: one");
    let v = version_of(&sha);
    fixture.tag_gate(&["create", "--version", &v]).ok();
    (fixture, v)
}

#[track_caller]
fn refused(fixture: &Fixture, args: &[&str], names: &[&str]) {
    let before = fixture.remote_refs();
    let r = fixture.tag_gate(args);
    r.code(2).says(names);
    assert_eq!(fixture.remote_refs(), before, "nothing written by {args:?}");
    assert!(r.stdout.is_empty(), "{}", r.stdout);
}

#[test]
fn malformed_versions() {
    let (fixture, v) = built();
    let expected = "expected SHA-YYYYMMDD-HHMMSS";
    refused(
        &fixture,
        &["promote", "--to", "qa", "--version", "$(id)"],
        &[
            "invalid version '$(id)'",
            expected,
            "84fb5881-20250120-143022",
        ],
    );
    refused(
        &fixture,
        &["require", "--stage", "qa", "--version", "a..b"],
        &["'a..b'", expected],
    );
    let month13 = format!("{}-20251301-120000", &v[..8]);
    refused(
        &fixture,
        &["promote", "--to", "qa", "--version", &month13],
        &[&format!("'{month13}'"), "there is no month 13"],
    );
    // --soft softens a closed gate, never bad input.
    refused(
        &fixture,
        &["require", "--stage", "qa", "--version", "$(id)", "--soft"],
        &["invalid version '$(id)'"],
    );
    // Through the action's env twin too, trimmed first.
    let r = fixture.tag_gate_env(
        &["promote", "--to", "qa"],
        &[("INPUT_VERSION", "  ; rm -rf / ")],
    );
    r.code(2).says(&["invalid version", "rm -rf"]);
    let r = fixture.tag_gate_env(
        &["promote", "--to", "qa"],
        &[("INPUT_VERSION", &format!("  {v}\n"))],
    );
    r.ok();
    assert_eq!(r.out("version"), v);
}

#[test]
fn malformed_stages_digests_and_commands() {
    let (fixture, v) = built();
    refused(
        &fixture,
        &["require", "--stage", "q a", "--version", &v],
        &["invalid stage", "'q a' contains a space"],
    );
    refused(
        &fixture,
        &[
            "promote",
            "--to",
            "qa",
            "--version",
            &v,
            "--artifact-digest",
            "md5:abc",
        ],
        &[
            "invalid artifact digest 'md5:abc'",
            "expected sha256: and 64 hex digits",
        ],
    );
    refused(
        &fixture,
        &[
            "promote",
            "--to",
            "qa",
            "--version",
            &v,
            "--artifact-digest",
            &format!("sha256:{}", "g".repeat(64)),
        ],
        &["invalid artifact digest", "sha256:e3b0c442"],
    );
    refused(
        &fixture,
        &["deploy", "--stage", "qa"],
        &["unrecognized subcommand 'deploy'"],
    );
    refused(&fixture, &["require", "--stage", "qa"], &["--version"]);
    refused(
        &fixture,
        &["list", "--stage", "qa", "--limit", "0"],
        &["invalid limit '0'"],
    );
    refused(
        &fixture,
        &[
            "record",
            "--stage",
            "qa",
            "--version",
            &v,
            "--status",
            "done",
        ],
        &["'done'"],
    );
    refused(
        &fixture,
        &[
            "require",
            "--stage",
            "qa",
            "--version",
            &v,
            "--remote=--upload-pack=touch /tmp/x",
        ],
        &[
            "invalid remote '--upload-pack=touch /tmp/x'",
            "such as origin",
        ],
    );
    // A missing artifact file names the file.
    refused(
        &fixture,
        &[
            "promote",
            "--to",
            "qa",
            "--version",
            &v,
            "--artifact",
            "missing.tar.gz",
        ],
        &["cannot hash the artifact missing.tar.gz"],
    );
}

#[test]
fn hostile_values_never_become_workflow_commands() {
    let (fixture, v) = built();
    let r = fixture.tag_gate_env(
        &["require", "--stage", "qa", "--version", "x\n::error::pwned"],
        &[("GITHUB_ACTIONS", "true")],
    );
    r.code(2);
    assert!(
        !r.stderr.lines().any(|l| l.starts_with("::error::pwned")),
        "{}",
        r.stderr
    );
    let _ = v;
}

#[test]
fn a_missing_remote_is_an_environment_error() {
    let (fixture, v) = built();
    let r = fixture.tag_gate(&[
        "require",
        "--stage",
        "build",
        "--version",
        &v,
        "--remote",
        "file:///nonexistent/remote.git",
    ]);
    r.code(3);
    // Not a git repository at all.
    let dir = tempfile::tempdir().unwrap();
    let r = fixture.tag_gate_in(dir.path(), &["latest", "--stage", "qa"], &[]);
    r.code(3);
}
