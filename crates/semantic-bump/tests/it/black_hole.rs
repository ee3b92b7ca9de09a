//! A remote that never answers (issue 17, finding 4): asking it for tags
//! (`next` in a clone without tags) and pushing a release to it both end
//! at `--git-timeout` with exit 3 naming the remote, and leave no git or
//! ssh process running.

use crate::common::{Repo, json_str, parsed};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// Far beyond the deadlines used here: a run that takes this long waited
/// for the remote (assert_cmd kills it then).
const HUNG: Duration = Duration::from_secs(60);

fn unique() -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{}{n:09}", std::process::id())
}

/// The live (not zombie) processes whose command line holds `marker`,
/// after giving them a moment to go.
fn left_running(marker: &str) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(cmdline) = std::fs::read(path.join("cmdline")) else {
                continue;
            };
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            let zombie = std::fs::read_to_string(path.join("stat"))
                .ok()
                .and_then(|s| {
                    s.rsplit_once(')')
                        .map(|(_, r)| r.trim_start().starts_with('Z'))
                })
                .unwrap_or(true);
            if cmdline.contains(marker) && !zombie {
                found.push(cmdline);
            }
        }
        if found.is_empty() || Instant::now() > until {
            return found;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A fake `ssh` (as `GIT_SSH_COMMAND`) that sleeps `sleep <sleep>`
/// instead of answering; with `serve_fetch` it serves `git-upload-pack`
/// from the local path in the URL and hangs only on a push.
fn fake_ssh(dir: &Path, sleep: &str, serve_fetch: bool) -> PathBuf {
    let script = dir.join(format!("fake-ssh-{sleep}"));
    let serve = if serve_fetch {
        "case \"$last\" in git-upload-pack*) eval \"exec git ${last#git-}\" ;; esac\n"
    } else {
        ""
    };
    std::fs::write(
        &script,
        format!("#!/bin/sh\nfor last; do :; done\n{serve}sleep {sleep}\n"),
    )
    .unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn asking_a_silent_remote_for_tags_ends_at_the_deadline_naming_it() {
    let r = Repo::new();
    r.commit("feat: a");
    let marker = format!("silent-{}", unique());
    r.git(&[
        "remote",
        "add",
        "origin",
        &format!("ssh://git@fakehost/{marker}.git"),
    ]);
    let sleep = format!("300.{}", unique());
    let ssh = fake_ssh(r.tmp.path(), &sleep, false);
    let started = Instant::now();
    let out = r
        .cmd()
        .args(["next", "--json", "--git-timeout", "2s"])
        .env("GIT_SSH_COMMAND", &ssh)
        .env("GIT_SSH_VARIANT", "ssh")
        .timeout(HUNG)
        .output()
        .unwrap();
    let took = started.elapsed();
    let (code, j, _) = parsed(out);
    assert_eq!(code, 3, "{j}");
    let message = json_str(&j["error"], "message");
    for part in [
        &format!("the remote 'origin' (ssh://***@fakehost/{marker}.git)"),
        "got no answer within 2 s",
    ] {
        assert!(message.contains(part), "{part:?} not in {message}");
    }
    assert!(
        json_str(&j["error"], "hint").contains("raise --git-timeout"),
        "{j}"
    );
    assert!(took < HUNG / 2, "took {took:?}");
    let left = [left_running(&marker), left_running(&sleep)].concat();
    assert!(left.is_empty(), "still running: {left:?}");
}

#[test]
fn a_release_push_that_never_ends_is_killed_at_the_deadline_naming_the_remote() {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.2.0");
    r.commit("feat: b");
    let bare = r.tmp.path().join("remote.git");
    r.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    r.git(&["push", "-q", bare.to_str().unwrap(), "main", "--tags"]);
    let url = format!("ssh://git@fakehost{}", bare.display());
    r.git(&["remote", "add", "origin", &url]);
    let sleep = format!("300.{}", unique());
    // Reads are served; the push (git-receive-pack) hangs.
    let ssh = fake_ssh(r.tmp.path(), &sleep, true);
    let started = Instant::now();
    let out = r
        .cmd()
        .args(["release", "--json", "--backend", "git"])
        // The reads before the push must fit, even on a loaded machine.
        .env("INPUT_GIT_TIMEOUT", "5s")
        .env("GIT_SSH_COMMAND", &ssh)
        .env("GIT_SSH_VARIANT", "ssh")
        .timeout(HUNG)
        .output()
        .unwrap();
    let took = started.elapsed();
    let (code, j, err) = parsed(out);
    assert_eq!(code, 3, "{j}\n{err}");
    let shown = format!("{j}\n{err}");
    for part in [
        &format!(
            "the git remote origin (ssh://***@fakehost{})",
            bare.display()
        ),
        "did not answer within 5 s",
        "git push",
    ] {
        assert!(shown.contains(part), "{part:?} not in {shown}");
    }
    assert!(took < HUNG / 2, "took {took:?}");
    let left = left_running(&sleep);
    assert!(left.is_empty(), "still running: {left:?}");
    let tags = r.git(&["ls-remote", "--tags", bare.to_str().unwrap()]);
    assert!(!tags.contains("v1.3.0"), "{tags}");
}
