//! Messages users read, as snapshot files under `tests/it/snapshots/`, so a
//! reviewer sees their change in the diff (`SNAPSHOTS=overwrite` to update).

use crate::util::{assert_code, health_check_cmd};

#[test]
fn help_snapshot() {
    let run = health_check_cmd().args(["--help"]).run();
    assert_code(&run, 0);
    snapbox::assert_data_eq!(run.stdout, snapbox::file!["snapshots/help.txt"]);
}

#[test]
fn bad_timeout_refusal_snapshot() {
    let run = health_check_cmd()
        .args(["--url", "http://127.0.0.1:1/", "--timeout", "5 parsecs"])
        .run();
    assert_code(&run, 2);
    snapbox::assert_data_eq!(run.stderr, snapbox::file!["snapshots/bad-timeout.txt"]);
}

#[test]
fn bad_url_refusal_snapshot() {
    let run = health_check_cmd().args(["--url", "not a url"]).run();
    assert_code(&run, 2);
    snapbox::assert_data_eq!(run.stderr, snapbox::file!["snapshots/bad-url.txt"]);
}

#[test]
fn bad_interval_refusal_snapshot() {
    let run = health_check_cmd()
        .args(["--url", "http://127.0.0.1:1/", "--interval", "soon"])
        .run();
    assert_code(&run, 2);
    snapbox::assert_data_eq!(run.stderr, snapbox::file!["snapshots/bad-interval.txt"]);
}
