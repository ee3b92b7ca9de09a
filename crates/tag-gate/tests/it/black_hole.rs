//! A remote that never answers (issue 17, finding 4): every git command
//! has a deadline (`--git-timeout`), the run ends soon after it with exit 3
//! naming the remote, and no git, ssh or helper process is left running —
//! neither after the deadline nor after tag-gate itself is terminated.

use crate::support::{Fixture, RunFiles, version_of};
use std::io::Read;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::time::{Duration, Instant};

/// Far beyond any deadline used here: a run that takes this long waited
/// for the remote.
const HUNG: Duration = Duration::from_secs(60);

/// A TCP port that accepts connections and never says a word (an ssh
/// black hole).
fn black_hole() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for conn in listener.incoming() {
            held.push(conn);
        }
    });
    port
}

/// A word no other process has in its command line.
fn unique(what: &str) -> String {
    let n = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!("{what}{}{n:09}", std::process::id())
}

/// The live (not zombie) processes whose command line holds `marker`.
fn alive_with(marker: &str) -> Vec<String> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
        let path = entry.path();
        let Ok(cmdline) = std::fs::read(path.join("cmdline")) else {
            continue;
        };
        let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
        if !cmdline.contains(marker) {
            continue;
        }
        let zombie = std::fs::read_to_string(path.join("stat"))
            .ok()
            .and_then(|s| {
                s.rsplit_once(')')
                    .map(|(_, r)| r.trim_start().starts_with('Z'))
            })
            .unwrap_or(true);
        if !zombie {
            found.push(cmdline);
        }
    }
    found
}

/// Waits (a little) for the processes holding `marker` to be gone, then
/// says which are still there.
fn left_running(marker: &str) -> Vec<String> {
    let until = Instant::now() + Duration::from_secs(2);
    loop {
        let left = alive_with(marker);
        if left.is_empty() || Instant::now() > until {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A fake `ssh` (given as `GIT_SSH_COMMAND`) that never answers: it
/// sleeps `sleep 300.<marker digits>`. With `serve_fetch`, it serves
/// `git-upload-pack` from the local path in the URL (reads work) and hangs
/// only on `git-receive-pack` (a push).
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

/// Runs tag-gate to its end (at most [`HUNG`], else it is killed and the
/// test fails); the run and how long it took.
fn run_bounded(
    fixture: &Fixture,
    args: &[&str],
    env: &[(&str, &str)],
) -> (crate::support::Run, Duration) {
    let (mut cmd, files) = fixture.command(&fixture.work, args, env);
    let started = Instant::now();
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_bounded(&mut child, HUNG);
    (files.read(out), started.elapsed())
}

fn wait_bounded(child: &mut Child, limit: Duration) -> std::process::Output {
    let read = |pipe: Option<Box<dyn Read + Send>>| {
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            buf
        })
    };
    let stdout = read(
        child
            .stdout
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let stderr = read(
        child
            .stderr
            .take()
            .map(|p| Box::new(p) as Box<dyn Read + Send>),
    );
    let until = Instant::now() + limit;
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > until {
            let _ = child.kill();
            let _ = child.wait();
            panic!("tag-gate was still waiting after {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    std::process::Output {
        status,
        stdout: stdout.join().unwrap(),
        stderr: stderr.join().unwrap(),
    }
}

#[test]
fn a_silent_ssh_remote_ends_soon_after_the_deadline_naming_the_remote() {
    let fixture = Fixture::new();
    let port = black_hole();
    let marker = unique("silent-remote-");
    let remote = format!("ssh://git@127.0.0.1:{port}/{marker}.git");
    let (r, took) = run_bounded(
        &fixture,
        &[
            "latest",
            "--stage",
            "qa",
            "--backend",
            "git",
            "--remote",
            &remote,
            "--git-timeout",
            "2s",
        ],
        &[],
    );
    r.code(3)
        .says(&[&format!("127.0.0.1:{port}/{marker}.git"), "--git-timeout"]);
    // The user part of the URL is not shown.
    assert!(!r.stderr.contains("git@127.0.0.1"), "{}", r.stderr);
    assert!(took < HUNG / 2, "took {took:?}");
    let left = left_running(&marker);
    assert!(left.is_empty(), "still running: {left:?}");
}

#[test]
fn a_user_ssh_command_that_never_answers_is_killed_at_the_deadline_with_its_children() {
    let fixture = Fixture::new();
    let marker = unique("hung-ssh-");
    let sleep = format!("300.{}", unique(""));
    let ssh = fake_ssh(fixture.dir.path(), &sleep, false);
    let remote = format!("ssh://git@127.0.0.1:1/{marker}.git");
    let (r, took) = run_bounded(
        &fixture,
        &[
            "latest",
            "--stage",
            "qa",
            "--backend",
            "git",
            "--remote",
            &remote,
        ],
        &[
            ("INPUT_GIT_TIMEOUT", "2s"),
            ("GIT_SSH_COMMAND", ssh.to_str().unwrap()),
            ("GIT_SSH_VARIANT", "ssh"),
        ],
    );
    r.code(3).says(&[
        &format!("the git remote ssh://***@127.0.0.1:1/{marker}.git did not answer within 2 s"),
        "git ls-remote",
        "raise --git-timeout",
    ]);
    assert!(took < HUNG / 2, "took {took:?}");
    // Neither git nor the fake ssh nor its sleep.
    let left = [left_running(&marker), left_running(&sleep)].concat();
    assert!(left.is_empty(), "still running: {left:?}");
}

#[test]
fn a_push_that_never_ends_is_killed_at_the_deadline_naming_the_remote() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: one");
    let sleep = format!("300.{}", unique(""));
    // Reads are served; the push (git-receive-pack) hangs.
    let ssh = fake_ssh(fixture.dir.path(), &sleep, true);
    let remote = format!("ssh://git@fakehost{}", fixture.remote.display());
    let (r, took) = run_bounded(
        &fixture,
        &[
            "create",
            "--version",
            &version_of(&sha),
            "--backend",
            "git",
            "--remote",
            &remote,
            "--git-timeout",
            // The reads before the push must fit, even on a loaded machine.
            "5s",
        ],
        &[
            ("GIT_SSH_COMMAND", ssh.to_str().unwrap()),
            ("GIT_SSH_VARIANT", "ssh"),
        ],
    );
    r.code(3).says(&[
        &format!(
            "the git remote ssh://***@fakehost{} did not answer within 5 s",
            fixture.remote.display()
        ),
        "git push",
    ]);
    assert!(took < HUNG / 2, "took {took:?}");
    let left = left_running(&sleep);
    assert!(left.is_empty(), "still running: {left:?}");
    assert!(
        fixture.remote_tags().is_empty(),
        "{:?}",
        fixture.remote_tags()
    );
}

#[test]
fn terminating_tag_gate_ends_its_git_and_ssh_children() {
    let fixture = Fixture::new();
    let marker = unique("cancelled-");
    let sleep = format!("300.{}", unique(""));
    let ssh = fake_ssh(fixture.dir.path(), &sleep, false);
    let remote = format!("ssh://git@127.0.0.1:1/{marker}.git");
    let (mut cmd, _files): (_, RunFiles) = fixture.command(
        &fixture.work,
        &[
            "latest",
            "--stage",
            "qa",
            "--backend",
            "git",
            "--remote",
            &remote,
        ],
        &[
            ("GIT_SSH_COMMAND", ssh.to_str().unwrap()),
            ("GIT_SSH_VARIANT", "ssh"),
        ],
    );
    let mut child = cmd
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Waiting on the remote: the fake ssh is asleep.
    let until = Instant::now() + Duration::from_secs(30);
    while alive_with(&sleep).is_empty() {
        assert!(Instant::now() < until, "the fake ssh never started");
        std::thread::sleep(Duration::from_millis(20));
    }
    // As the runner cancels a step.
    let status = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let _ = wait_bounded(&mut child, Duration::from_secs(20));
    let left = [left_running(&marker), left_running(&sleep)].concat();
    assert!(left.is_empty(), "still running: {left:?}");
}

#[test]
fn a_configured_core_ssh_command_is_kept_and_still_bounded() {
    let fixture = Fixture::new();
    let marker = unique("configured-ssh-");
    let sleep = format!("300.{}", unique(""));
    let ssh = fake_ssh(fixture.dir.path(), &sleep, false);
    fixture.git(&["config", "core.sshCommand", ssh.to_str().unwrap()]);
    fixture.git(&["config", "ssh.variant", "ssh"]);
    let remote = format!("ssh://git@127.0.0.1:1/{marker}.git");
    let (r, _) = run_bounded(
        &fixture,
        &[
            "latest",
            "--stage",
            "qa",
            "--backend",
            "git",
            "--remote",
            &remote,
            "--git-timeout",
            "2s",
        ],
        &[],
    );
    // The configured command ran (and hung): not shipgate's own ssh, which
    // port 1 would have refused at once.
    r.code(3)
        .says(&["did not answer within 2 s", "git ls-remote"]);
    let left = [left_running(&marker), left_running(&sleep)].concat();
    assert!(left.is_empty(), "still running: {left:?}");
}
