//! Fixtures: a bare remote, a working clone, and the real binary run in a
//! scrubbed environment (no `GITHUB_*`, `RUNNER_*`, `CI`, `INPUT_*`, no git
//! identity, `HOME` in a temp dir), its outputs and summary read back.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use tempfile::TempDir;

/// The committer and author date of fixture commits (fixed, so commit ids
/// depend only on the content).
pub const DATE: &str = "2025-01-20T14:30:22Z";

/// The result of one run of the binary.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub outputs: BTreeMap<String, String>,
    pub summary: String,
}

impl Run {
    /// The value of an output (panics when absent, naming what was there).
    pub fn out(&self, key: &str) -> &str {
        self.outputs
            .get(key)
            .unwrap_or_else(|| panic!("no output {key:?} in {:?}\n{}", self.outputs, self.stderr))
    }

    #[track_caller]
    pub fn code(&self, want: i32) -> &Self {
        assert_eq!(
            self.code, want,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.code(0)
    }

    /// stderr contains every one of `parts`.
    #[track_caller]
    pub fn says(&self, parts: &[&str]) -> &Self {
        for p in parts {
            assert!(
                self.stderr.contains(p),
                "stderr lacks {p:?}\n--- stderr\n{}",
                self.stderr
            );
        }
        self
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }
}

pub use test_kit::parse_outputs;

/// The binary under test.
pub fn bin() -> PathBuf {
    assert_cmd::cargo::cargo_bin("tag-gate")
}

/// A command with nothing inherited but `PATH`: no runner variables, no
/// git identity, no system or global git config.
pub fn scrubbed(program: impl AsRef<std::ffi::OsStr>, home: &Path) -> Command {
    let mut c = Command::new(program);
    c.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join(".config"))
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("LC_ALL", "C")
        .stdin(Stdio::null());
    c
}

/// A temp dir holding `remote.git` (bare, origin), `work` (a clone with
/// commits on main), and an empty `home`.
pub struct Fixture {
    pub dir: TempDir,
    pub home: PathBuf,
    pub remote: PathBuf,
    pub work: PathBuf,
    files: u32,
}

impl Fixture {
    pub fn new() -> Self {
        let dir = tempfile::tempdir().expect("temp dir");
        let home = dir.path().join("home");
        let remote = dir.path().join("remote.git");
        let work = dir.path().join("work");
        std::fs::create_dir_all(&home).unwrap();
        std::fs::create_dir_all(&work).unwrap();
        let fixture = Fixture {
            dir,
            home,
            remote,
            work,
            files: 0,
        };
        fixture.git_in(
            fixture.dir.path(),
            &["init", "-q", "--bare", "-b", "main", "remote.git"],
        );
        fixture.git(&["init", "-q", "-b", "main"]);
        fixture.git(&["remote", "add", "origin", fixture.remote.to_str().unwrap()]);
        fixture
    }

    /// `file://` URL of the remote.
    pub fn remote_url(&self) -> String {
        format!("file://{}", self.remote.display())
    }

    /// Runs fixture git (with an identity and fixed dates) in `dir`.
    pub fn git_in(&self, dir: &Path, args: &[&str]) -> String {
        self.git_dated(dir, args, DATE)
    }

    pub fn git_dated(&self, dir: &Path, args: &[&str], date: &str) -> String {
        let out = scrubbed("git", &self.home)
            .current_dir(dir)
            .env("GIT_AUTHOR_NAME", "Fixture")
            .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
            .env("GIT_COMMITTER_NAME", "Fixture")
            .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .args(args)
            .output()
            .expect("git runs");
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    pub fn git(&self, args: &[&str]) -> String {
        self.git_in(&self.work, args)
    }

    /// git in the bare remote.
    pub fn remote_git(&self, args: &[&str]) -> String {
        self.git_in(&self.remote, args)
    }

    /// A new commit on main, pushed; its id.
    pub fn commit(&mut self, message: &str) -> String {
        self.files += 1;
        let name = format!("file{}.txt", self.files);
        std::fs::write(self.work.join(&name), format!("{message}\n")).unwrap();
        self.git(&["add", &name]);
        self.git(&["commit", "-q", "-m", message]);
        self.git(&["push", "-q", "origin", "HEAD:refs/heads/main"]);
        self.git(&["rev-parse", "HEAD"])
    }

    /// Every tag on the remote: name → object id (tag object or commit).
    pub fn remote_tags(&self) -> BTreeMap<String, String> {
        self.remote_git(&[
            "for-each-ref",
            "--format=%(refname:strip=2) %(objectname)",
            "refs/tags",
        ])
        .lines()
        .filter_map(|l| l.split_once(' '))
        .map(|(n, o)| (n.to_owned(), o.to_owned()))
        .collect()
    }

    /// Every ref on the remote (tags, branches, deployment events).
    pub fn remote_refs(&self) -> BTreeMap<String, String> {
        self.remote_git(&["for-each-ref", "--format=%(refname) %(objectname)"])
            .lines()
            .filter_map(|l| l.split_once(' '))
            .map(|(n, o)| (n.to_owned(), o.to_owned()))
            .collect()
    }

    /// The binary, run in `work`, with `GITHUB_OUTPUT` and
    /// `GITHUB_STEP_SUMMARY` set.
    pub fn tag_gate(&self, args: &[&str]) -> Run {
        self.tag_gate_in(&self.work, args, &[])
    }

    pub fn tag_gate_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        self.tag_gate_in(&self.work, args, env)
    }

    pub fn tag_gate_in(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let (mut cmd, files) = self.command(dir, args, env);
        let out = cmd.output().expect("tag-gate runs");
        files.read(out)
    }

    /// The command (not started) and the files its outputs go to.
    pub fn command(&self, dir: &Path, args: &[&str], env: &[(&str, &str)]) -> (Command, RunFiles) {
        let files = RunFiles::new(self.dir.path());
        let mut cmd = scrubbed(bin(), &self.home);
        cmd.current_dir(dir)
            .env("GITHUB_OUTPUT", &files.output)
            .env("GITHUB_STEP_SUMMARY", &files.summary)
            .args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        (cmd, files)
    }
}

/// A run's `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` files.
pub struct RunFiles {
    _dir: TempDir,
    output: PathBuf,
    summary: PathBuf,
}

impl RunFiles {
    pub fn new(base: &Path) -> Self {
        let dir = tempfile::tempdir_in(base).unwrap();
        let output = dir.path().join("output");
        let summary = dir.path().join("summary.md");
        std::fs::write(&output, "").unwrap();
        std::fs::write(&summary, "").unwrap();
        RunFiles {
            _dir: dir,
            output,
            summary,
        }
    }

    pub fn output(&self) -> &Path {
        &self.output
    }

    pub fn summary(&self) -> &Path {
        &self.summary
    }

    pub fn read(self, out: Output) -> Run {
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: parse_outputs(&std::fs::read_to_string(&self.output).unwrap_or_default()),
            summary: std::fs::read_to_string(&self.summary).unwrap_or_default(),
        }
    }
}

/// `SHORT-20250120-143022` for a commit id.
pub fn version_of(sha: &str) -> String {
    format!("{}-20250120-143022", &sha[..8])
}

pub fn sha256_hex(data: &[u8]) -> String {
    use sha2::Digest as _;
    sha2::Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A provenance record message, as tag-gate writes it, for tags the tests
/// make by hand with chosen times.
pub fn record_message(tag: &str, stage: &str, version: &str, commit: &str, time: &str) -> String {
    let record = serde_json::json!({
        "schema": "shipgate.provenance/v1",
        "version": version,
        "stage": stage,
        "commit": commit,
        "artifact_digest": null,
        "artifact_id": null,
        "run_id": null,
        "run_attempt": null,
        "run_url": null,
        "workflow": null,
        "actor": null,
        "time": time,
        "promoted_from": null,
    });
    format!(
        "{tag}: {version} passed {stage}\n\n{}\n",
        serde_json::to_string_pretty(&record).unwrap()
    )
}
