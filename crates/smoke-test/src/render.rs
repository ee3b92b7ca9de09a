//! What a run shows: progress lines per check, the job summary, and which
//! values are masked.

use super::TOOL;
use gha::{Level, Location, Runner, Summary};
use smoke_test::report::{CheckResult, CheckStatus, RunReport};
use smoke_test::run::Observer;
use std::sync::Arc;
use std::time::Duration;

/// The fewest characters a value needs to be masked: masking `a` or `42`
/// would turn every line into asterisks and hide nothing of worth.
const MIN_SECRET_CHARS: usize = 4;

pub fn mask(runner: &Runner, secret: &str) {
    if secret.trim().chars().count() >= MIN_SECRET_CHARS {
        runner.mask(secret);
    }
}

/// The job summary: a headline and one row per check.
pub fn summary(report: &RunReport) -> Summary {
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
pub struct Printer {
    pub runner: Arc<Runner>,
    pub file: String,
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

/// A URL as it may be shown (password and secret query values as `***`).
pub fn redact_url(s: &str) -> String {
    match probe::Url::parse(s) {
        Ok(u) => probe::secret::display_url(&u),
        Err(_) => s.to_owned(),
    }
}
