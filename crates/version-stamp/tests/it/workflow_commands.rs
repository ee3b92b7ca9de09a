//! Issue 17, findings 2 and 3: no value from outside makes the runner read a
//! workflow command out of what version-stamp prints (both forms: `::` after
//! leading whitespace, `##[` anywhere), by the runner's own parsing rules
//! (`gha::neutral::forged`).

use crate::util::{Sandbox, texts};

const FULL: &str = "84fb5881aaaabbbbccccddddeeeeffff00001111";
const MARK: &str = "PWN";

const HOSTILE: &[&str] = &[
    "##[error]PWN",
    "##[add-mask]PWN",
    "##[stop-commands]PWN",
    "x ##[set-output name=x]PWN",
    "\r::error::PWN",
    "  ::error ::PWN",
    "a\n  ::warning::PWN",
];

fn assert_clean(what: &str, stdout: &str, stderr: &str, summary: &str) {
    for (stream, text) in [("stdout", stdout), ("stderr", stderr), ("summary", summary)] {
        let forged = gha::neutral::forged(text, MARK);
        assert!(
            forged.is_empty(),
            "{what}: {stream} has {forged:#?}\n{text}"
        );
    }
}

#[test]
fn invalid_values_cannot_forge_a_workflow_command() {
    for hostile in HOSTILE {
        for args in [
            vec!["--sha", hostile],
            vec!["--time", hostile],
            vec!["--format", hostile],
            vec!["--service", hostile],
            vec!["parse", hostile],
            // clap's own rendering: an unknown argument, and a value
            // outside a fixed set
            vec![hostile],
            vec!["--nope", hostile],
        ] {
            let sb = Sandbox::new();
            let mut cmd = sb.cmd(&sb.work());
            cmd.env("GITHUB_ACTIONS", "true");
            if args[0] != "parse" {
                cmd.args(["--sha", FULL, "--time", "2025-01-20T14:30:22Z"]);
            }
            let out = cmd.args(&args).output().unwrap();
            let (stdout, stderr) = texts(&out);
            let what = format!("{args:?}");
            assert_eq!(out.status.code(), Some(2), "{what}\n{stderr}");
            assert_clean(&what, &stdout, &stderr, &sb.summary());
        }
    }
}
