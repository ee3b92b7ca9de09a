//! `smoke-test`: flags and the environment in; one line per check on
//! stderr, JUnit XML, the job summary, outputs and the exit code out.

use clap::Parser;
use gha::cli::Safe;
use gha::{Env, Failure, Level, Location, Outcome, Outputs, Runner, Summary};
use smoke_test::report::{CheckResult, CheckStatus, RunReport};
use smoke_test::run::{Observer, RunOptions};
use smoke_test::spec::{self, LoadOptions, Spec};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

const TOOL: &str = "smoke-test";

/// Runs a YAML spec of named checks — HTTP requests and bash commands with
/// expectations — against a deployed service, concurrently, each check
/// waiting for the checks whose captured values it uses.
#[derive(Parser, Debug)]
#[command(
    name = TOOL,
    version,
    after_help = "\
Spec (YAML):
  base_url: ${BASE_URL}
  defaults: { timeout: 5s, headers: { Authorization: \"Bearer ${API_TOKEN}\" } }
  checks:
    - name: create item
      request: { method: POST, path: /api/items, json: { name: widget } }
      expect: { status: 201, body_contains: widget }
      capture: { item_id: \"$.id\" }
    - name: read item
      request: { path: \"/api/items/{{item_id}}\" }
      expect: { status: 200, json: { \"$.name\": widget } }
    - name: cli
      run: ./cli get \"$item_id\"
      expect: { exit: 0, stdout_contains: widget }

${NAME} is read from the environment when the spec is loaded (unset or empty
is an error; ${NAME:-default}; $${ is a literal ${). {{name}} is a --var, a
`vars:` entry or a capture; in a URL it is encoded as one path segment or
query value ({{name | raw}}: as it is, at the spec's origin). run: commands are never templated: they get vars
and captures as environment variables ($item_id).

Outputs: passed (true/false), failed, skipped, total, report (JSON).
Exit codes: 0 every check passed · 1 a check failed or was skipped · 2 bad
input (an invalid spec: file:line:col) · 3 the environment failed.

Examples:
  smoke-test --spec smoke.yml --base-url https://qa.example.com
  smoke-test --spec smoke.yml --var stage=qa --concurrency 16 --junit smoke.xml
  smoke-test --spec smoke.yml --retries 3 --fail-fast --json"
)]
struct Cli {
    /// The spec file (YAML)
    #[arg(long, env = "INPUT_SPEC", value_name = "FILE", value_parser = Safe(spec_path))]
    spec: PathBuf,

    /// The URL `path:` checks are under (wins over the spec's base_url:),
    /// such as https://qa.example.com
    #[arg(long, env = "INPUT_BASE_URL", value_name = "URL", value_parser = Safe(base_url))]
    base_url: Option<String>,

    /// Defines {{K}} for the spec (and $K for run: commands); repeatable. In
    /// the env twin INPUT_VARS: one K=V per line
    #[arg(long = "var", env = "INPUT_VARS", value_name = "K=V", value_parser = Safe(var_defs))]
    vars: Vec<VarDefs>,

    /// How many checks run at once (1 to 1024)
    #[arg(
        long,
        env = "INPUT_CONCURRENCY",
        value_name = "N",
        default_value = "8",
        value_parser = Safe(concurrency)
    )]
    concurrency: usize,

    /// Write a JUnit XML report here (one testcase per check)
    #[arg(long, env = "INPUT_JUNIT", value_name = "FILE", value_parser = Safe(file_path))]
    junit: Option<PathBuf>,

    /// Stop at the first failed check: start no more, cancel what runs
    #[arg(long, env = "INPUT_FAIL_FAST")]
    fail_fast: bool,

    /// Attempts after a failure, for checks without their own `retries:`
    /// (0 to 100; wins over defaults.retries)
    #[arg(long, env = "INPUT_RETRIES", value_name = "N", value_parser = Safe(retries))]
    retries: Option<u32>,

    /// A failed check exits 0 with passed=false (bad input still exits 2)
    #[arg(long, env = "INPUT_SOFT")]
    soft: bool,

    /// Print one JSON object with every output on stdout (and nothing else)
    #[arg(long, env = "INPUT_JSON")]
    json: bool,
}

/// `--var` values: one or more `K=V` (one per line).
#[derive(Debug, Clone)]
struct VarDefs(Vec<(String, String)>);

fn spec_path(s: &str) -> Result<PathBuf, String> {
    let t = gha::cli::trimmed(s).map_err(|_| "expected a spec file, e.g. smoke.yml".to_owned())?;
    Ok(PathBuf::from(t))
}

fn file_path(s: &str) -> Result<PathBuf, String> {
    let t = gha::cli::trimmed(s).map_err(|_| "expected a file path, e.g. smoke.xml".to_owned())?;
    Ok(PathBuf::from(t))
}

fn base_url(s: &str) -> Result<String, String> {
    let t = s.trim();
    probe::parse_url(t).map_err(|e| e.to_string())?;
    Ok(t.trim_end_matches('/').to_owned())
}

fn concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{}': expected a whole number from 1 to 1024, e.g. 8",
            s.trim()
        )),
    }
}

fn retries(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if n <= spec::MAX_RETRIES => Ok(n),
        _ => Err(format!(
            "'{}': expected a whole number from 0 to {}, e.g. 3",
            s.trim(),
            spec::MAX_RETRIES
        )),
    }
}

/// `K=V` lines; blank lines and `#` comments are skipped. The value is
/// never echoed in an error: it may be a secret.
fn var_defs(s: &str) -> Result<VarDefs, String> {
    let mut out = Vec::new();
    for (n, line) in s.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!(
                "line {}: expected K=V, e.g. item_id=42 (one per line)",
                n + 1
            ));
        };
        let k = k.trim();
        if !smoke_test::template::is_name(k) {
            let shown: String = k.chars().take(40).collect();
            return Err(format!(
                "line {}: invalid name '{shown}': expected letters, digits and _, starting with a letter or _, e.g. item_id=42",
                n + 1
            ));
        }
        out.push((k.to_owned(), v.trim().to_owned()));
    }
    if out.is_empty() {
        return Err("expected K=V, e.g. item_id=42".into());
    }
    Ok(VarDefs(out))
}

pub fn main() -> ExitCode {
    let cli: Cli = gha::cli::parse(TOOL);
    let runner = Arc::new(
        Runner::new(TOOL, Env::from_process())
            .json(cli.json)
            .soft(cli.soft),
    );
    if let Some(path) = &cli.junit
        && let Err(e) = smoke_test::junit::check_path(path)
    {
        return runner.fail(&e);
    }
    let file = cli.spec.display().to_string();
    // A regular file of at most 4 MiB: never /dev/zero, a FIFO or a
    // directory.
    let source = match gha::file::read_bounded_text(&cli.spec, gha::file::MAX_INPUT_FILE) {
        Ok(Ok(s)) => s,
        Ok(Err(_)) => {
            return runner.fail(&Failure::input(format!(
                "the spec {file} is not UTF-8 text"
            )));
        }
        Err(gha::file::ReadFileError::Io { source, .. }) => {
            return runner.fail(
                &Failure::input(format!("cannot read the spec {file}: {source}"))
                    .with_hint("pass --spec with the path of a YAML spec, e.g. --spec smoke.yml"),
            );
        }
        Err(e) => {
            return runner.fail(&Failure::input(format!("the spec {e}")));
        }
    };
    let env_lookup = |name: &str| std::env::var(name).ok();
    let opts = LoadOptions {
        file: file.clone(),
        base_url: cli.base_url.clone(),
        vars: cli.vars.iter().flat_map(|d| d.0.iter().cloned()).collect(),
        retries: cli.retries,
        env: &env_lookup,
    };
    let spec = match spec::load(&source, &opts) {
        Ok(s) => s,
        Err(errors) => {
            for s in &errors.secrets {
                mask(&runner, s);
            }
            for e in &errors.errors {
                let at = Location {
                    title: Some(format!("{TOOL}: invalid spec")),
                    file: Some(e.file.clone()),
                    line: (e.line > 0).then_some(e.line),
                    col: (e.line > 0).then_some(e.col),
                };
                runner.annotate(Level::Error, &e.message, &at);
                if let (Some(snippet), false) = (&e.snippet, runner.in_actions()) {
                    runner.info(snippet);
                }
            }
            return runner.fail(&errors);
        }
    };
    for s in &spec.secrets {
        mask(&runner, s);
    }
    run(&cli, &runner, spec)
}

/// The fewest characters a value needs to be masked: masking `a` or `42`
/// would turn every line into asterisks and hide nothing of worth.
const MIN_SECRET_CHARS: usize = 4;

fn mask(runner: &Runner, secret: &str) {
    if secret.trim().chars().count() >= MIN_SECRET_CHARS {
        runner.mask(secret);
    }
}

fn run(cli: &Cli, runner: &Arc<Runner>, spec: Spec) -> ExitCode {
    let total = spec.checks.len();
    runner.info(&format!(
        "{TOOL}: {total} check{} from {}{}, {} at a time",
        if total == 1 { "" } else { "s" },
        spec.file,
        spec.base_url
            .as_deref()
            .map(|b| format!(" against {}", redact_url(b)))
            .unwrap_or_default(),
        cli.concurrency
    ));
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return runner.fail(&Failure::environment(format!(
                "cannot start the async runtime: {e}"
            )));
        }
    };
    let observer: Arc<dyn Observer> = Arc::new(Printer {
        runner: runner.clone(),
        file: spec.file.clone(),
    });
    let opts = RunOptions {
        concurrency: cli.concurrency,
        fail_fast: cli.fail_fast,
    };
    let report = match rt.block_on(smoke_test::run::run(Arc::new(spec), &opts, observer)) {
        Ok(r) => r,
        Err(e) => return runner.fail(&e),
    };
    if let Some(path) = &cli.junit {
        let xml = runner.redact(&smoke_test::junit::render(&report));
        if let Err(e) = smoke_test::junit::write(path, &xml) {
            return runner.fail(&e);
        }
    }
    runner.info(&format!(
        "{TOOL}: {} passed, {} failed, {} skipped of {} in {}{}",
        report.passed(),
        report.failed(),
        report.skipped(),
        report.total(),
        gha::cli::human_duration(report.duration),
        report
            .stopped_by
            .as_deref()
            .map(|s| format!(" (--fail-fast: stopped after '{s}')"))
            .unwrap_or_default()
    ));
    let outputs = Outputs::new()
        .with("failed", report.failed())
        .with("skipped", report.skipped())
        .with("total", report.total())
        .with("report", report.to_json());
    let summary = summary(&report);
    let outcome = if report.ok() {
        Outcome::passed(outputs)
    } else {
        let mut reason = format!(
            "{} of {} checks failed",
            report.failed() + report.skipped(),
            report.total()
        );
        if report.skipped() > 0 {
            reason = format!(
                "{} of {} checks did not pass ({} failed, {} skipped)",
                report.failed() + report.skipped(),
                report.total(),
                report.failed(),
                report.skipped()
            );
        }
        Outcome::failed(outputs, reason)
    };
    runner.finish(outcome.with_summary(summary))
}

fn redact_url(s: &str) -> String {
    match probe::Url::parse(s) {
        Ok(u) => probe::secret::display_url(&u),
        Err(_) => s.to_owned(),
    }
}

/// The job summary: a headline and one row per check.
fn summary(report: &RunReport) -> Summary {
    let mut s = Summary::new();
    let icon = if report.ok() { "✅" } else { "❌" };
    s.heading(
        3,
        &format!(
            "{icon} smoke-test: {} of {} checks passed",
            report.passed(),
            report.total()
        ),
    );
    let mut line = format!(
        "`{}` · {} failed · {} skipped · {}",
        report.spec,
        report.failed(),
        report.skipped(),
        gha::cli::human_duration(report.duration)
    );
    if let Some(base) = &report.base_url {
        line.push_str(&format!(" · {}", redact_url(base)));
    }
    s.line(&line);
    let rows: Vec<[String; 5]> = report
        .checks
        .iter()
        .map(|c| {
            let result = match c.status {
                CheckStatus::Passed => "✅ passed",
                CheckStatus::Failed => "❌ failed",
                CheckStatus::Skipped => "⏭️ skipped",
            };
            let mut detail = c.problem().unwrap_or_default();
            if c.attempts > 1 {
                detail = format!("{detail} ({} attempts)", c.attempts)
                    .trim()
                    .to_owned();
            }
            [
                c.name.clone(),
                result.to_owned(),
                c.target.clone(),
                time_of(c),
                detail,
            ]
        })
        .collect();
    s.table(&["check", "result", "target", "time", "details"], rows);
    s
}

fn time_of(c: &CheckResult) -> String {
    match c.status {
        CheckStatus::Skipped => "–".into(),
        _ => gha::cli::human_duration(c.latency.unwrap_or(c.duration)),
    }
}

/// Prints progress through the runner (masked, on stderr).
struct Printer {
    runner: Arc<Runner>,
    file: String,
}

impl Observer for Printer {
    fn secret(&self, value: &str) {
        mask(&self.runner, value);
    }

    fn redact(&self, text: &str) -> String {
        self.runner.redact(text)
    }

    fn retrying(&self, check: &str, attempt: u32, attempts: u32, problem: &str, delay: Duration) {
        self.runner.info(&format!(
            "  ↻ {}: attempt {attempt} of {attempts} failed ({problem}); again in {}",
            gha::neutral::text(check),
            gha::cli::human_duration(delay)
        ));
    }

    fn finished(&self, c: &CheckResult) {
        // A check name is outside text: shown on one line, line breaks as `\n`.
        let name = gha::neutral::text(&c.name);
        match c.status {
            CheckStatus::Passed => {
                let what = match (c.http_status, c.exit_code) {
                    (Some(s), _) => format!(" → {s}"),
                    (None, Some(code)) => format!(" → exit {code}"),
                    _ => String::new(),
                };
                self.runner
                    .info(&format!("✓ {name} — {}{what} ({})", c.target, time_of(c)));
            }
            CheckStatus::Failed => {
                let what = match (c.http_status, c.exit_code) {
                    (Some(s), _) => format!(" → {s}"),
                    (None, Some(code)) => format!(" → exit {code}"),
                    _ => String::new(),
                };
                let attempts = if c.attempts > 1 {
                    format!(", {} attempts", c.attempts)
                } else {
                    String::new()
                };
                self.runner.info(&format!(
                    "✗ {name} — {}{what} ({}{attempts})",
                    c.target,
                    time_of(c)
                ));
                for m in &c.failures {
                    self.runner.info(&format!("    {m}"));
                }
                if self.runner.in_actions() {
                    let message = c
                        .failures
                        .iter()
                        .map(ToString::to_string)
                        .collect::<Vec<_>>()
                        .join("\n");
                    self.runner.annotate(
                        Level::Error,
                        &format!("check '{name}' failed: {message}"),
                        &Location {
                            title: Some(format!("{TOOL}: {name}")),
                            file: Some(self.file.clone()),
                            line: Some(c.line),
                            col: None,
                        },
                    );
                }
            }
            CheckStatus::Skipped => {
                self.runner.info(&format!(
                    "− {name} — skipped: {}",
                    c.reason.as_deref().unwrap_or("")
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn var_lines() {
        let d = var_defs("a=1\n\n# comment\n  b = x=y  \n").unwrap();
        assert_eq!(d.0, [("a".into(), "1".into()), ("b".into(), "x=y".into())]);
        let e = var_defs("a=1\nnope").unwrap_err();
        assert!(e.starts_with("line 2: expected K=V"), "{e}");
        let e = var_defs("a-b=secret").unwrap_err();
        assert!(!e.contains("secret"), "{e}");
        assert!(var_defs("  \n").is_err());
    }

    #[test]
    fn numbers_at_the_edge() {
        assert_eq!(concurrency(" 32 "), Ok(32));
        assert!(concurrency("0").is_err());
        assert!(concurrency("many").is_err());
        assert_eq!(retries("3"), Ok(3));
        assert!(retries("101").is_err());
        assert_eq!(
            base_url(" http://127.0.0.1:8080/ ").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(base_url("127.0.0.1:8080").is_err());
    }
}
