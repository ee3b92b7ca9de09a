//! Messages users read, as snapshot files under `tests/it/snapshots/`, so a
//! reviewer sees their change in the diff (`SNAPSHOTS=overwrite` to update).

use crate::util::Fixture;

#[test]
fn help() {
    let fixture = Fixture::new();
    let out = fixture.cmd().arg("--help").output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    snapbox::assert_data_eq!(
        String::from_utf8_lossy(&out.stdout).into_owned(),
        snapbox::file!["snapshots/help.txt"]
    );
}

/// A spec with an unknown field: its place, a caret under it and the
/// nearest known field, exit 2.
#[test]
fn an_unknown_spec_field() {
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "spec.yml",
        "base_url: http://127.0.0.1:1\nchecks:\n  - name: home\n    request: { path: / }\n    expct: { status: 200 }\n",
    );
    let out = fixture.cmd().arg("--spec").arg(&spec).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr).replace(&*spec.to_string_lossy(), "[SPEC]");
    snapbox::assert_data_eq!(err, snapbox::file!["snapshots/unknown-field.txt"]);
}
