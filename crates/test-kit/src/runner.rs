//! One runner for our binaries: a scrubbed environment (no `GITHUB_*`,
//! `RUNNER_*`, `INPUT_*`, `CI` from the machine running the tests), what the
//! test sets, and optionally `GITHUB_OUTPUT`/`GITHUB_STEP_SUMMARY` pointed at
//! temp files read back after the run.

use crate::parse_outputs;
use std::collections::BTreeMap;
use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Whether an inherited variable is one of the runner's (and so scrubbed).
pub fn is_runner_variable(name: &str) -> bool {
    name == "CI"
        || name.starts_with("GITHUB_")
        || name.starts_with("RUNNER_")
        || name.starts_with("INPUT_")
}

/// A run of a binary, built up then started with [`Runner::run`].
pub struct Runner {
    command: Command,
    files: Option<tempfile::TempDir>,
}

impl Runner {
    /// `program` (e.g. `env!("CARGO_BIN_EXE_health-check")`) with the
    /// runner's variables removed from the inherited environment.
    pub fn new(program: impl AsRef<OsStr>) -> Self {
        let mut command = Command::new(program);
        for (name, _) in std::env::vars_os() {
            if name.to_str().is_some_and(is_runner_variable) {
                command.env_remove(&name);
            }
        }
        Runner {
            command,
            files: None,
        }
    }

    /// Points `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` at fresh temp files.
    pub fn with_step_files(mut self) -> Self {
        let dir = tempfile::tempdir().expect("a temp dir for the step files");
        self.command
            .env("GITHUB_OUTPUT", dir.path().join("output"))
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary"));
        self.files = Some(dir);
        self
    }

    pub fn arg(mut self, arg: impl AsRef<OsStr>) -> Self {
        self.command.arg(arg);
        self
    }

    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        self.command.args(args);
        self
    }

    pub fn env(mut self, name: impl AsRef<OsStr>, value: impl AsRef<OsStr>) -> Self {
        self.command.env(name, value);
        self
    }

    pub fn env_remove(mut self, name: impl AsRef<OsStr>) -> Self {
        self.command.env_remove(name);
        self
    }

    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Self {
        self.command.current_dir(dir);
        self
    }

    /// The underlying command, for what the builder does not cover.
    pub fn command(&mut self) -> &mut Command {
        &mut self.command
    }

    /// Starts the binary, waits, and reads back what it wrote.
    pub fn run(mut self) -> Run {
        let out = self
            .command
            .output()
            .unwrap_or_else(|e| panic!("start {:?}: {e}", self.command.get_program()));
        let read = |name: &str| {
            self.files
                .as_ref()
                .and_then(|dir| std::fs::read_to_string(dir.path().join(name)).ok())
                .unwrap_or_default()
        };
        let output_file = read("output");
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: parse_outputs(&output_file),
            output_file,
            summary: read("summary"),
            files: self.files,
        }
    }
}

/// What one run left behind.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    /// `$GITHUB_OUTPUT` parsed (empty without [`Runner::with_step_files`]).
    pub outputs: BTreeMap<String, String>,
    /// `$GITHUB_OUTPUT` as written.
    pub output_file: String,
    pub summary: String,
    files: Option<tempfile::TempDir>,
}

impl Run {
    /// An output by name; panics with the outputs and stderr if absent.
    #[track_caller]
    pub fn output(&self, name: &str) -> &str {
        self.outputs.get(name).unwrap_or_else(|| {
            panic!(
                "no output {name}: {:?}\nstderr:\n{}",
                self.outputs, self.stderr
            )
        })
    }

    /// The step files' directory, if any.
    pub fn files_dir(&self) -> Option<PathBuf> {
        self.files.as_ref().map(|d| d.path().to_owned())
    }

    /// Asserts the exit code, showing stdout and stderr when it differs.
    #[track_caller]
    pub fn assert_code(&self, code: i32) -> &Self {
        assert_eq!(
            self.code, code,
            "exit code {} (wanted {code})\nstderr:\n{}\nstdout:\n{}",
            self.code, self.stderr, self.stdout
        );
        self
    }
}

#[cfg(test)]
mod tests {
    use super::{Runner, is_runner_variable};

    #[test]
    fn runner_variables_are_recognised() {
        for name in ["CI", "GITHUB_TOKEN", "RUNNER_TEMP", "INPUT_TIMEOUT"] {
            assert!(is_runner_variable(name), "{name}");
        }
        for name in ["PATH", "HOME", "CIRCLECI", "MY_GITHUB_TOKEN"] {
            assert!(!is_runner_variable(name), "{name}");
        }
    }

    #[test]
    fn step_files_are_read_back() {
        let run = Runner::new("sh")
            .with_step_files()
            .args(["-c", "echo 'a=1' >> \"$GITHUB_OUTPUT\"; echo '# hi' >> \"$GITHUB_STEP_SUMMARY\"; echo out; exit 3"])
            .run();
        run.assert_code(3);
        assert_eq!(run.output("a"), "1");
        assert_eq!(run.summary, "# hi\n");
        assert_eq!(run.stdout, "out\n");
    }
}
