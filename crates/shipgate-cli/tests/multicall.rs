//! The multi-call binary, run for real: under each tool's name (a symlink,
//! as the release archive holds; a copy, as on Windows) and as
//! `shipgate TOOL …`, it is that tool.
#![cfg(unix)]

use std::path::Path;
use std::process::{Command, Output};

const TOOLS: [&str; 5] = [
    "version-stamp",
    "tag-gate",
    "semantic-bump",
    "health-check",
    "smoke-test",
];
const VERSION: &str = env!("CARGO_PKG_VERSION");

fn shipgate() -> &'static Path {
    Path::new(env!("CARGO_BIN_EXE_shipgate"))
}

fn run(program: &Path, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn under_a_tools_name_it_is_that_tool() {
    let dir = tempfile::tempdir().unwrap();
    for tool in TOOLS {
        let link = dir.path().join(tool);
        std::os::unix::fs::symlink(shipgate(), &link).unwrap();
        let copy = dir.path().join(format!("copy/{tool}"));
        std::fs::create_dir_all(copy.parent().unwrap()).unwrap();
        std::fs::copy(shipgate(), &copy).unwrap();
        for program in [&link, &copy] {
            let out = run(program, &["--version"]);
            assert!(out.status.success(), "{program:?}: {}", text(&out.stderr));
            assert_eq!(text(&out.stdout), format!("{tool} {VERSION}\n"));
            // its own usage, its own flags
            let out = run(program, &["--no-such-flag"]);
            assert_eq!(out.status.code(), Some(2), "{tool}");
            assert!(
                text(&out.stderr).contains(&format!("Usage: {tool}")),
                "{tool}: {}",
                text(&out.stderr)
            );
        }
    }
}

#[test]
fn shipgate_tool_runs_the_tool() {
    for tool in TOOLS {
        let out = run(shipgate(), &[tool, "--version"]);
        assert!(out.status.success(), "{tool}: {}", text(&out.stderr));
        assert_eq!(text(&out.stdout), format!("{tool} {VERSION}\n"));
    }
    let out = run(
        shipgate(),
        &[
            "version-stamp",
            "parse",
            "84fb5881-20250120-143022",
            "--json",
        ],
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["version"], "84fb5881-20250120-143022");
    assert_eq!(json["short-sha"], "84fb5881");

    let out = run(shipgate(), &["tag-gate", "bogus"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("Usage: tag-gate"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn shipgate_alone_names_the_tools() {
    let out = run(shipgate(), &["--version"]);
    assert!(out.status.success());
    assert_eq!(text(&out.stdout), format!("shipgate {VERSION}\n"));
    let out = run(shipgate(), &["--help"]);
    assert!(out.status.success());
    for tool in TOOLS {
        assert!(text(&out.stdout).contains(tool), "{}", text(&out.stdout));
    }

    let out = run(shipgate(), &[]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("name a tool: one of version-stamp, tag-gate"),
        "{}",
        text(&out.stderr)
    );
    let out = run(shipgate(), &["tag_gate", "create"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        text(&out.stderr).contains("unknown tool 'tag_gate': expected one of"),
        "{}",
        text(&out.stderr)
    );
    assert!(out.stdout.is_empty());
}
