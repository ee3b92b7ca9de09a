//! Fixtures: a sandbox (home, output and summary files), git repositories
//! with fixed dates, and a scrubbed command.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command as StdCommand;

pub const BIN: &str = env!("CARGO_BIN_EXE_version-stamp");

/// A time zone far from UTC, set on every run to prove the tool ignores it.
pub const ODD_TZ: &str = "Pacific/Kiritimati";

/// A temporary world: a home without git config, the runner's files.
pub struct Sandbox {
    pub root: tempfile::TempDir,
}

impl Sandbox {
    pub fn new() -> Self {
        let root = tempfile::tempdir().unwrap();
        std::fs::create_dir(root.path().join("home")).unwrap();
        std::fs::create_dir(root.path().join("work")).unwrap();
        std::fs::create_dir(root.path().join("empty-bin")).unwrap();
        Sandbox { root }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.root.path().join(name)
    }

    /// A directory that is not a git repository.
    pub fn work(&self) -> PathBuf {
        self.path("work")
    }

    pub fn output_file(&self) -> PathBuf {
        self.path("github_output")
    }

    pub fn summary_file(&self) -> PathBuf {
        self.path("step_summary")
    }

    /// The binary with nothing inherited: PATH, HOME, an odd TZ, git with
    /// no system or global config, and the runner's two files. Runs in
    /// `dir`.
    pub fn cmd(&self, dir: &Path) -> assert_cmd::Command {
        let mut cmd = assert_cmd::Command::new(BIN);
        cmd.env_clear()
            .current_dir(dir)
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.path("home"))
            .env("TZ", ODD_TZ)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GITHUB_OUTPUT", self.output_file())
            .env("GITHUB_STEP_SUMMARY", self.summary_file());
        cmd
    }

    /// `$GITHUB_OUTPUT` as a map (`k=v` lines and heredocs).
    pub fn outputs(&self) -> BTreeMap<String, String> {
        let text = std::fs::read_to_string(self.output_file()).unwrap_or_default();
        parse_output_file(&text)
    }

    pub fn summary(&self) -> String {
        std::fs::read_to_string(self.summary_file()).unwrap_or_default()
    }

    /// Writes an event payload and returns its path.
    pub fn event(&self, json: &serde_json::Value) -> PathBuf {
        let path = self.path("event.json");
        std::fs::write(&path, serde_json::to_vec(json).unwrap()).unwrap();
        path
    }
}

pub fn parse_output_file(text: &str) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        if let Some((key, delim)) = line.split_once("<<") {
            let mut value = Vec::new();
            for l in lines.by_ref() {
                if l == delim {
                    break;
                }
                value.push(l);
            }
            map.insert(key.to_owned(), value.join("\n"));
        } else if let Some((k, v)) = line.split_once('=') {
            map.insert(k.to_owned(), v.to_owned());
        } else {
            panic!("malformed GITHUB_OUTPUT line: {line:?}");
        }
    }
    map
}

/// A git repository in the sandbox, built with fixed dates.
pub struct Repo {
    pub dir: PathBuf,
    home: PathBuf,
}

impl Repo {
    pub fn new(sandbox: &Sandbox, name: &str) -> Self {
        let dir = sandbox.path(name);
        std::fs::create_dir(&dir).unwrap();
        let repo = Repo {
            dir,
            home: sandbox.path("home"),
        };
        repo.git(&["init", "-q", "-b", "main"]);
        repo
    }

    /// Runs git in the repository (no identity configured but given here)
    /// and returns its trimmed stdout.
    pub fn git(&self, args: &[&str]) -> String {
        self.git_at(args, "2025-01-20T16:30:22+02:00")
    }

    fn git_at(&self, args: &[&str], date: &str) -> String {
        let out = StdCommand::new("git")
            .env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_CONFIG_GLOBAL", "/dev/null")
            .env("GIT_AUTHOR_NAME", "Fixture")
            .env("GIT_AUTHOR_EMAIL", "fixture@example.invalid")
            .env("GIT_COMMITTER_NAME", "Fixture")
            .env("GIT_COMMITTER_EMAIL", "fixture@example.invalid")
            .env("GIT_AUTHOR_DATE", date)
            .env("GIT_COMMITTER_DATE", date)
            .current_dir(&self.dir)
            .args(args)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap().trim().to_owned()
    }

    /// An empty commit with a conventional message at `date` (ISO 8601
    /// with an offset); returns its full sha.
    pub fn commit(&self, message: &str, date: &str) -> String {
        self.git_at(&["commit", "-q", "--allow-empty", "-m", message], date);
        self.git(&["rev-parse", "HEAD"])
    }
}

/// Stdout and stderr of a finished run, as text.
pub fn texts(out: &std::process::Output) -> (String, String) {
    (
        String::from_utf8(out.stdout.clone()).unwrap(),
        String::from_utf8(out.stderr.clone()).unwrap(),
    )
}

/// The nine outputs, in the documented order.
pub const OUTPUTS: [&str; 9] = [
    "version",
    "sha",
    "short-sha",
    "timestamp",
    "build-tag",
    "qa-tag",
    "prod-tag",
    "artifact-name",
    "image-tag",
];
