//! `version-stamp parse`: a version typed by a person, validated before a
//! promotion workflow uses it anywhere.

use crate::util::{Sandbox, texts};

#[test]
fn trims_surrounding_whitespace_and_prints_the_version() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .args(["parse", "  84fb5881-20250120-143022 \t\n"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "84fb5881-20250120-143022\n");
    assert!(stderr.contains("'84fb5881-20250120-143022' is a valid version: commit 84fb5881, built 2025-01-20T14:30:22Z"), "{stderr}");
    let o = sb.outputs();
    assert_eq!(o["version"], "84fb5881-20250120-143022");
    assert_eq!(o["short-sha"], "84fb5881");
    assert_eq!(o["timestamp"], "2025-01-20T14:30:22Z");
    assert!(
        sb.summary()
            .contains("| `84fb5881-20250120-143022` | `84fb5881` | 2025-01-20T14:30:22Z |")
    );
}

#[test]
fn json_shape() {
    let sb = Sandbox::new();
    let full = "84fb5881aaaabbbbccccddddeeeeffff00001111";
    let out = sb
        .cmd(&sb.work())
        .env("INPUT_VERSION", format!("\n{full}-20240229-000000  "))
        .args(["parse", "--json"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(
        v,
        serde_json::json!({
            "schema": 1,
            "version": format!("{full}-20240229-000000"),
            "short-sha": full,
            "timestamp": "2024-02-29T00:00:00Z",
        })
    );
    // --json after the version too, as the contract writes it.
    let out = sb
        .cmd(&sb.work())
        .args(["parse", "84fb588-20250120-143022", "--json"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["short-sha"], "84fb588");
}

#[test]
fn a_missing_version_is_bad_input() {
    let sb = Sandbox::new();
    for env in ["", "   "] {
        let out = sb
            .cmd(&sb.work())
            .env("INPUT_VERSION", env)
            .env("GITHUB_ACTIONS", "true")
            .arg("parse")
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2));
        let stderr = texts(&out).1;
        assert!(stderr.contains("::error title=version-stamp::"), "{stderr}");
        assert!(stderr.contains("<VERSION>"), "{stderr}");
    }
}

#[test]
fn stamp_flags_do_not_mix_with_parse() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .args(["--service", "shop", "parse", "84fb5881-20250120-143022"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
