use std::time::{Duration, Instant};

/// One run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub outputs: std::collections::BTreeMap<String, String>,
    pub summary: String,
    pub elapsed: Duration,
    _dir: tempfile::TempDir,
}

impl Run {
    pub fn output(&self, key: &str) -> &str {
        self.outputs.get(key).unwrap_or_else(|| {
            panic!(
                "no output {key}: {:?}\nstderr:\n{}",
                self.outputs, self.stderr
            )
        })
    }

    pub fn report(&self) -> serde_json::Value {
        serde_json::from_str(self.output("report")).unwrap()
    }

    /// The progress lines (`attempt …`).
    pub fn attempts(&self) -> Vec<&str> {
        self.stderr
            .lines()
            .filter(|l| l.starts_with("attempt "))
            .collect()
    }

    pub fn all_text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{:?}",
            self.stdout, self.stderr, self.summary, self.outputs
        )
    }
}

pub use test_kit::parse_outputs;

/// The binary with a scrubbed environment.
pub struct HealthCheckCmd {
    cmd: assert_cmd::Command,
    dir: tempfile::TempDir,
}

pub fn health_check_cmd() -> HealthCheckCmd {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = assert_cmd::Command::cargo_bin("health-check").unwrap();
    cmd.env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("GITHUB_OUTPUT", dir.path().join("output"))
        .env("GITHUB_STEP_SUMMARY", dir.path().join("summary"))
        .env("RUNNER_TEMP", dir.path().join("tmp"))
        .timeout(Duration::from_secs(60));
    HealthCheckCmd { cmd, dir }
}

impl HealthCheckCmd {
    pub fn args<I, S>(mut self, args: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: AsRef<std::ffi::OsStr>,
    {
        self.cmd.args(args);
        self
    }

    pub fn env(mut self, k: &str, v: &str) -> Self {
        self.cmd.env(k, v);
        self
    }

    pub fn run(mut self) -> Run {
        let start = Instant::now();
        let out = self.cmd.output().unwrap();
        let elapsed = start.elapsed();
        let read =
            |name: &str| std::fs::read_to_string(self.dir.path().join(name)).unwrap_or_default();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
            outputs: parse_outputs(&read("output")),
            summary: read("summary"),
            elapsed,
            _dir: self.dir,
        }
    }
}

/// Asserts the exit code, showing stderr when it differs.
#[track_caller]
pub fn assert_code(run: &Run, code: i32) {
    assert_eq!(
        run.code, code,
        "exit code {} (wanted {code})\nstderr:\n{}\nstdout:\n{}",
        run.code, run.stderr, run.stdout
    );
}
