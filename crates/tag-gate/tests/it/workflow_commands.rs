//! Issue 17: tag messages and flag values never make the
//! runner read a workflow command out of tag-gate's output (findings 2 and
//! 3, by the runner's own rules: `gha::neutral::forged`); credentials in
//! GITHUB_API_URL are refused and never shown (finding 6).

use crate::support::{Fixture, Run, bin, scrubbed, version_of};

const MARK: &str = "PWN";

const HOSTILE: &[&str] = &[
    "##[error]PWN",
    "##[add-mask]PWN",
    "##[stop-commands]PWN",
    "ok ##[set-output name=x]PWN",
    "\r::error::PWN",
    "  ::error ::PWN",
    "a\n  ::warning::PWN",
];

const ACTIONS: (&str, &str) = ("GITHUB_ACTIONS", "true");

#[track_caller]
fn assert_clean(what: &str, run: &Run) {
    // The runner reads both streams (not the summary or output files).
    for (stream, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        let forged = gha::neutral::forged(text, MARK);
        assert!(
            forged.is_empty(),
            "{what}: {stream} has {forged:#?}\n{text}"
        );
    }
}

#[test]
fn tag_messages_cannot_forge_a_workflow_command() {
    let mut fixture = Fixture::new();
    let message = format!("release notes\r::error::PWN\n{}", HOSTILE.join("\n"));
    let mut versions = Vec::new();
    for i in 0..2 {
        let sha = fixture.commit(&format!("feat: {i}"));
        let v = version_of(&sha);
        // A hand-made stage tag: its message is whatever its author wrote.
        fixture.git(&["tag", "-a", &format!("qa-{v}"), "-m", &message, &sha]);
        fixture.git(&["tag", "-a", &format!("build-{v}"), "-m", &message, &sha]);
        versions.push(v);
    }
    fixture.git(&["push", "-q", "origin", "--tags"]);
    for v in &versions {
        for args in [
            &["show", "--stage", "qa", "--version", v][..],
            &["show", "--stage", "qa", "--version", v, "--json"],
            &["show", "--stage", "build", "--version", v],
            &["require", "--stage", "qa", "--version", v],
            &["promote", "--to", "prod", "--version", v],
            &["latest", "--stage", "qa"],
            &["list", "--stage", "qa"],
        ] {
            let run = fixture.tag_gate_env(args, &[ACTIONS]);
            assert_clean(&format!("{args:?}"), &run);
        }
    }
}

#[test]
fn invalid_values_cannot_forge_a_workflow_command() {
    let mut fixture = Fixture::new();
    let v = version_of(&fixture.commit("feat: one"));
    for hostile in HOSTILE {
        for args in [
            &["latest", "--stage", hostile][..],
            &["show", "--stage", "qa", "--version", hostile],
            &["latest", "--stage", "qa", "--backend", hostile],
            &[
                "record",
                "--stage",
                "prod",
                "--version",
                &v,
                "--status",
                hostile,
            ],
            &[
                "record",
                "--stage",
                "prod",
                "--version",
                &v,
                "--status",
                "success",
                "--url",
                hostile,
            ],
            &["latest", "--stage", "qa", hostile],
            &[hostile],
        ] {
            let run = fixture.tag_gate_env(args, &[ACTIONS]);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert_clean(&format!("{args:?}"), &run);
        }
    }
}

#[test]
fn credentials_in_the_api_url_are_refused_and_never_shown() {
    let dir = tempfile::tempdir().unwrap();
    for url in [
        "http://u:PW5ecret@127.0.0.1:1",
        "https://x-access-token:PW5ecret@api.github.com",
    ] {
        let out = scrubbed(bin(), dir.path())
            .current_dir(dir.path())
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_TOKEN", "ghs_0123456789abcdef")
            .env("GITHUB_REPOSITORY", "octo-org/shop")
            .env("GITHUB_API_URL", url)
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary"))
            .env("GITHUB_OUTPUT", dir.path().join("output"))
            .args(["latest", "--stage", "qa", "--backend", "api"])
            .output()
            .unwrap();
        let all = format!(
            "{}\n{}\n{}\n{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr),
            std::fs::read_to_string(dir.path().join("summary")).unwrap_or_default(),
            std::fs::read_to_string(dir.path().join("output")).unwrap_or_default(),
        );
        assert_eq!(out.status.code(), Some(2), "{url}: {all}");
        assert!(!all.contains("PW5ecret"), "{url}: {all}");
        assert!(all.contains("without credentials"), "{url}: {all}");
    }
}
