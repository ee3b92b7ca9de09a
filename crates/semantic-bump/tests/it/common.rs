//! Real git repositories in temp dirs (fixed dates, no inherited config),
//! and the real binary run in a scrubbed environment.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Output;
use tempfile::TempDir;

pub const BIN: &str = env!("CARGO_BIN_EXE_semantic-bump");

/// A git repository with a deterministic history.
pub struct Repo {
    pub tmp: TempDir,
    pub dir: PathBuf,
    home: PathBuf,
    clock: std::cell::Cell<u64>,
    files: std::cell::Cell<u64>,
}

impl Repo {
    pub fn new() -> Repo {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("repo");
        let home = tmp.path().join("home");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::create_dir_all(&home).unwrap();
        let r = Repo {
            tmp,
            dir,
            home,
            clock: std::cell::Cell::new(1_700_000_000),
            files: std::cell::Cell::new(0),
        };
        r.git(&["init", "-q", "-b", "main"]);
        r
    }

    /// A repository in `dir` (a clone) sharing this one's home.
    pub fn at(&self, dir: PathBuf) -> Repo {
        Repo {
            tmp: tempfile::tempdir().unwrap(),
            dir,
            home: self.home.clone(),
            clock: std::cell::Cell::new(self.clock.get() + 1_000_000),
            files: std::cell::Cell::new(0),
        }
    }

    fn git_cmd(&self, dir: &Path) -> std::process::Command {
        let t = self.clock.get();
        self.clock.set(t + 60);
        let date = format!("{t} +0000");
        let mut c = std::process::Command::new("git");
        c.current_dir(dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_AUTHOR_NAME", "Ada")
            .env("GIT_AUTHOR_EMAIL", "ada@example.com")
            .env("GIT_COMMITTER_NAME", "Ada")
            .env("GIT_COMMITTER_EMAIL", "ada@example.com")
            .env("GIT_AUTHOR_DATE", &date)
            .env("GIT_COMMITTER_DATE", &date);
        c
    }

    /// Runs git here; panics on failure; returns trimmed stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_cmd(&self.dir).args(args).output().unwrap();
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).trim().to_owned()
    }

    /// Commits a change to a fresh file; returns the commit id.
    pub fn commit(&self, message: &str) -> String {
        let n = self.files.get() + 1;
        self.files.set(n);
        self.commit_in(&format!("f{n}.txt"), message)
    }

    /// Commits a change to `path`.
    pub fn commit_in(&self, path: &str, message: &str) -> String {
        let p = self.dir.join(path);
        if let Some(parent) = p.parent() {
            std::fs::create_dir_all(parent).unwrap();
        }
        let mut content = std::fs::read_to_string(&p).unwrap_or_default();
        content.push_str(&format!("{}\n", self.clock.get()));
        std::fs::write(&p, content).unwrap();
        self.git(&["add", "--", path]);
        self.git(&[
            "commit",
            "-q",
            "--no-verify",
            "--cleanup=verbatim",
            "-m",
            message,
        ]);
        self.head()
    }

    pub fn head(&self) -> String {
        self.git(&["rev-parse", "HEAD"])
    }

    pub fn tag(&self, name: &str) {
        self.git(&["tag", name]);
    }

    pub fn annotated(&self, name: &str) {
        self.git(&["tag", "-a", name, "-m", &format!("release {name}")]);
    }

    /// The binary, scrubbed: only PATH and HOME, plus GITHUB_OUTPUT and
    /// GITHUB_STEP_SUMMARY pointed at files of this test.
    pub fn cmd(&self) -> Command {
        let mut c = Command::new(BIN);
        c.current_dir(&self.dir)
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GITHUB_OUTPUT", self.output_file())
            .env("GITHUB_STEP_SUMMARY", self.summary_file());
        c
    }

    pub fn output_file(&self) -> PathBuf {
        self.tmp.path().join("github_output")
    }

    pub fn summary_file(&self) -> PathBuf {
        self.tmp.path().join("step_summary")
    }

    /// Clears the output and summary files between runs.
    pub fn reset_files(&self) {
        let _ = std::fs::remove_file(self.output_file());
        let _ = std::fs::remove_file(self.summary_file());
    }

    /// Runs `next --json` with extra args; returns (exit code, JSON, stderr).
    pub fn next(&self, args: &[&str]) -> (i32, Value, String) {
        self.reset_files();
        let out = self
            .cmd()
            .arg("next")
            .arg("--json")
            .args(args)
            .output()
            .unwrap();
        parsed(out)
    }

    /// `next --json` that must succeed.
    pub fn next_ok(&self, args: &[&str]) -> Value {
        let (code, json, stderr) = self.next(args);
        assert_eq!(code, 0, "next {args:?} failed: {stderr}\n{json}");
        json
    }

    /// The `$GITHUB_OUTPUT` file, as key → value (heredocs resolved).
    pub fn outputs(&self) -> std::collections::BTreeMap<String, String> {
        read_outputs(&std::fs::read_to_string(self.output_file()).unwrap_or_default())
    }

    pub fn summary(&self) -> String {
        std::fs::read_to_string(self.summary_file()).unwrap_or_default()
    }
}

pub fn parsed(out: Output) -> (i32, Value, String) {
    let code = out.status.code().unwrap_or(-1);
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (code, json, stderr)
}

pub use test_kit::parse_outputs as read_outputs;

/// `json[key]` as a string (empty when absent).
pub fn json_str<'a>(json: &'a Value, key: &str) -> &'a str {
    json[key].as_str().unwrap_or_default()
}
