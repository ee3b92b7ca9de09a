//! Issue 17: pull request titles and labels, commit subjects and bodies and
//! flag values never make the runner read a workflow command out of
//! semantic-bump's output (findings 2 and 3, by the runner's own rules:
//! `gha::neutral::forged`); credentials in GITHUB_API_URL are refused and
//! never shown (finding 6).

use crate::common::Repo;
use github_standin::{NewPull, StandIn};
use serde_json::json;

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

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
    files: String,
}

fn run(r: &Repo, c: &mut assert_cmd::Command) -> Out {
    r.reset_files();
    let out = c.env("GITHUB_ACTIONS", "true").output().unwrap();
    let read = |p: std::path::PathBuf| std::fs::read_to_string(p).unwrap_or_default();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        files: format!("{}\n{}", read(r.output_file()), read(r.summary_file())),
    }
}

#[track_caller]
fn assert_clean(what: &str, out: &Out) {
    // The runner reads both streams (not the summary or output files).
    for (stream, text) in [("stdout", &out.stdout), ("stderr", &out.stderr)] {
        let forged = gha::neutral::forged(text, MARK);
        assert!(
            forged.is_empty(),
            "{what}: {stream} has {forged:#?}\n{text}"
        );
    }
}

#[test]
fn titles_cannot_forge_a_workflow_command() {
    let r = Repo::new();
    for hostile in HOSTILE {
        for title in [
            hostile.to_string(),
            format!("feat: {hostile}"),
            format!("feat!: x\n{hostile}"),
        ] {
            for json in [false, true] {
                let mut c = r.cmd();
                c.args(["lint-title", &title]);
                if json {
                    c.arg("--json");
                }
                let out = run(&r, &mut c);
                assert_clean(&format!("{title:?} json={json}"), &out);
            }
        }
    }
}

#[test]
fn pull_request_titles_and_labels_cannot_forge_a_workflow_command() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.2.0");
    let gh = StandIn::start();
    let mut n = 1;
    for hostile in HOSTILE {
        for title in [hostile.to_string(), format!("feat: {hostile}")] {
            gh.add_pull(
                NewPull::new(n, &title)
                    .label(hostile)
                    .label("release:minor"),
            );
            let event = r.tmp.path().join("event.json");
            std::fs::write(
                &event,
                json!({"action": "edited", "pull_request": {
                    "number": n, "title": title, "labels": [{"name": hostile}],
                    "base": {"sha": r.head(), "ref": "main"}}})
                .to_string(),
            )
            .unwrap();
            let mut c = r.cmd();
            c.envs(gh.env())
                .env("GITHUB_EVENT_NAME", "pull_request")
                .env("GITHUB_EVENT_PATH", &event)
                .env("GITHUB_WORKSPACE", &r.dir)
                .args(["lint-pr", "--pr", &n.to_string()]);
            let out = run(&r, &mut c);
            assert_clean(&format!("#{n} {title:?}"), &out);
            n += 1;
        }
    }
}

#[test]
fn commit_messages_cannot_forge_a_workflow_command() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.2.0");
    for hostile in HOSTILE {
        r.commit(&format!(
            "feat: {hostile}\n\nbody {hostile}\n\nRefs: #1\n  ::error file=x::PWN"
        ));
        r.commit(&format!("{hostile}\n\n{hostile}"));
        r.commit(&format!(
            "fix(x): y\n\nBREAKING CHANGE: z\n{hostile}\n  ::error ::PWN"
        ));
    }
    for args in [
        &["next"][..],
        &["next", "--json"],
        &["changelog"],
        &["changelog", "--json"],
        &["lint-commits", "--range", "v1.2.0..HEAD"],
        &["lint-commits", "--range", "v1.2.0..HEAD", "--json"],
    ] {
        let out = run(&r, r.cmd().args(args));
        assert!(matches!(out.code, 0 | 1), "{args:?}: {}", out.stderr);
        assert_clean(&format!("{args:?}"), &out);
    }
}

#[test]
fn invalid_values_cannot_forge_a_workflow_command() {
    let r = Repo::new();
    r.commit("chore: initial");
    for hostile in HOSTILE {
        for args in [
            &["next", "--tag-prefix", hostile][..],
            &["next", "--prerelease", hostile],
            &["next", "--label", hostile],
            &["next", "--rev", hostile],
            &["next", &format!("--labels-from-pr={hostile}")],
            &["changelog", "--range", hostile],
            // a pattern: exit 1 when it compiles (it matches no type), 2 when not
            &["lint-title", "feat: x", "--types", hostile],
            &["next", hostile],
            &[hostile],
        ] {
            // Refused (exit 2), or taken as data (a label is any text).
            let out = run(&r, r.cmd().args(args));
            let allowed: &[i32] = if args[0] == "lint-title" {
                &[1, 2]
            } else {
                &[0, 2]
            };
            assert!(allowed.contains(&out.code), "{args:?}: {}", out.stderr);
            assert_clean(&format!("{args:?}"), &out);
        }
    }
}

#[test]
fn credentials_in_the_api_url_are_refused_and_never_shown() {
    let r = Repo::new();
    r.commit("chore: initial");
    let gh = StandIn::start();
    gh.add_pull(NewPull::new(1, "feat: x"));
    for url in [
        "http://u:PW5ecret@127.0.0.1:1",
        "https://x-access-token:PW5ecret@api.github.com",
    ] {
        for args in [&["lint-pr", "--pr", "1"][..], &["next", "--labels-from-pr"]] {
            let mut c = r.cmd();
            c.envs(gh.env())
                .env("GITHUB_API_URL", url)
                .env("GITHUB_EVENT_NAME", "pull_request")
                .args(args);
            let out = run(&r, &mut c);
            let all = format!("{}\n{}\n{}", out.stdout, out.stderr, out.files);
            assert_eq!(out.code, 2, "{url} {args:?}: {all}");
            assert!(!all.contains("PW5ecret"), "{url} {args:?}: {all}");
            assert!(all.contains("without credentials"), "{all}");
        }
        let mut c = r.cmd();
        c.envs(gh.env())
            .args(["lint-pr", "--pr", "1", "--api-url", url]);
        let out = run(&r, &mut c);
        let all = format!("{}\n{}\n{}", out.stdout, out.stderr, out.files);
        assert_eq!(out.code, 2, "--api-url {url}: {all}");
        assert!(!all.contains("PW5ecret"), "--api-url {url}: {all}");
    }
}
