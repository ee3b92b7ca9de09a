//! Running the real binary in a scrubbed environment, and reading back what
//! it wrote.

use assert_cmd::Command;
use serde_json::Value;
use std::path::{Path, PathBuf};

pub struct Fixture {
    pub dir: tempfile::TempDir,
}

impl Fixture {
    pub fn new() -> Self {
        Fixture {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Writes a spec and returns its path.
    pub fn spec(&self, name: &str, yaml: &str) -> PathBuf {
        let p = self.path(name);
        std::fs::write(&p, yaml).unwrap();
        p
    }

    /// A command for the binary: only PATH and HOME inherited; outputs and
    /// summary pointed at files in the fixture.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("smoke-test").unwrap();
        c.env_clear()
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("HOME", self.dir.path())
            .env("GITHUB_OUTPUT", self.path("github_output"))
            .env("GITHUB_STEP_SUMMARY", self.path("github_summary"))
            .current_dir(self.dir.path())
            .timeout(std::time::Duration::from_secs(120));
        c
    }

    pub fn run(&self, c: &mut Command) -> Run {
        let out = c.output().unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: parse_outputs(
                &std::fs::read_to_string(self.path("github_output")).unwrap_or_default(),
            ),
            output_file: std::fs::read_to_string(self.path("github_output")).unwrap_or_default(),
            summary: std::fs::read_to_string(self.path("github_summary")).unwrap_or_default(),
        }
    }

    /// Runs `smoke-test --spec <spec> args…` with extra env.
    pub fn smoke(&self, spec: &Path, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut c = self.cmd();
        c.arg("--spec").arg(spec).args(args);
        for (k, v) in env {
            c.env(k, v);
        }
        self.run(&mut c)
    }
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub outputs: std::collections::BTreeMap<String, String>,
    pub output_file: String,
    pub summary: String,
}

impl Run {
    pub fn report(&self) -> Value {
        let text = self.outputs.get("report").unwrap_or_else(|| {
            panic!(
                "no report output\n--- outputs\n{}\n--- stderr\n{}",
                self.output_file, self.stderr
            )
        });
        serde_json::from_str(text).expect("the report is JSON")
    }

    /// The report entry of a check, by name.
    pub fn check(&self, name: &str) -> Value {
        let report = self.report();
        report["checks"]
            .as_array()
            .unwrap_or_else(|| panic!("no checks in {report}"))
            .iter()
            .find(|c| c["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no check {name} in the report"))
    }

    pub fn all_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}",
            self.stdout, self.stderr, self.output_file, self.summary
        )
    }

    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code\n--- stdout\n{}\n--- stderr\n{}",
            self.stdout, self.stderr
        );
        self
    }
}

pub use test_kit::parse_outputs;
