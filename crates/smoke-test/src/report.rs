//! What a run found: one [`CheckResult`] per check, in spec order, and the
//! JSON report (`report` output) built from them.

pub use probe::Mismatch;
use serde_json::{Map, Value, json};
use std::time::Duration;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckStatus {
    Passed,
    Failed,
    /// Not run: what it waits for failed, or `--fail-fast` stopped the run.
    Skipped,
}

impl CheckStatus {
    pub fn name(self) -> &'static str {
        match self {
            CheckStatus::Passed => "passed",
            CheckStatus::Failed => "failed",
            CheckStatus::Skipped => "skipped",
        }
    }
}

/// The result of one check (its last attempt).
#[derive(Debug, Clone, PartialEq)]
pub struct CheckResult {
    pub name: String,
    /// `http` or `command`.
    pub kind: &'static str,
    /// Where the check is in the spec.
    pub line: u64,
    pub status: CheckStatus,
    /// Attempts made (0 when skipped).
    pub attempts: u32,
    /// When it started, from the start of the run.
    pub started: Duration,
    /// From its start to its end, all attempts included.
    pub duration: Duration,
    /// `GET https://…/api/items/7` or `run: aws lambda invoke …` (secrets
    /// shown as `***`).
    pub target: String,
    /// The HTTP status of the last response.
    pub http_status: Option<u16>,
    /// The last request's or command's own time.
    pub latency: Option<Duration>,
    /// The command's exit code.
    pub exit_code: Option<i32>,
    /// Every expectation that did not hold, or why there was nothing to
    /// check (no response, command not started).
    pub failures: Vec<Mismatch>,
    /// Why it was skipped.
    pub reason: Option<String>,
    /// Values captured, in spec order.
    pub captured: Vec<(String, String)>,
    /// What it printed or received, cut short (JUnit `system-out`).
    pub output: String,
}

impl CheckResult {
    /// A check that did not run.
    pub fn skipped(
        name: &str,
        kind: &'static str,
        line: u64,
        target: String,
        reason: String,
    ) -> Self {
        CheckResult {
            name: name.to_owned(),
            kind,
            line,
            status: CheckStatus::Skipped,
            attempts: 0,
            started: Duration::ZERO,
            duration: Duration::ZERO,
            target,
            http_status: None,
            latency: None,
            exit_code: None,
            failures: Vec::new(),
            reason: Some(reason),
            captured: Vec::new(),
            output: String::new(),
        }
    }

    /// One line for humans: the failures, or the skip reason.
    pub fn problem(&self) -> Option<String> {
        match self.status {
            CheckStatus::Passed => None,
            CheckStatus::Failed => Some(
                self.failures
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join("; "),
            ),
            CheckStatus::Skipped => self.reason.clone(),
        }
    }

    pub fn to_json(&self) -> Value {
        let mut o = Map::new();
        o.insert("name".into(), self.name.clone().into());
        o.insert("kind".into(), self.kind.into());
        o.insert("line".into(), self.line.into());
        o.insert("result".into(), self.status.name().into());
        o.insert("attempts".into(), self.attempts.into());
        o.insert("started_ms".into(), ms(self.started).into());
        o.insert("duration_ms".into(), ms(self.duration).into());
        o.insert("target".into(), self.target.clone().into());
        if let Some(s) = self.http_status {
            o.insert("status".into(), s.into());
        }
        if let Some(l) = self.latency {
            o.insert("latency_ms".into(), ms(l).into());
        }
        if let Some(c) = self.exit_code {
            o.insert("exit_code".into(), c.into());
        }
        if !self.failures.is_empty() {
            o.insert(
                "failures".into(),
                Value::Array(
                    self.failures
                        .iter()
                        .map(|m| json!({"expectation": m.expectation, "expected": m.expected, "got": m.got}))
                        .collect(),
                ),
            );
        }
        if let Some(r) = &self.reason {
            o.insert("reason".into(), r.clone().into());
        }
        if !self.captured.is_empty() {
            let caps: Map<String, Value> = self
                .captured
                .iter()
                .map(|(k, v)| (k.clone(), Value::String(v.clone())))
                .collect();
            o.insert("captured".into(), Value::Object(caps));
        }
        Value::Object(o)
    }
}

/// A whole run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunReport {
    /// The spec file, as named on the command line.
    pub spec: String,
    pub base_url: Option<String>,
    /// When the run started (UTC).
    pub started_at: jiff::Timestamp,
    pub duration: Duration,
    /// In spec order.
    pub checks: Vec<CheckResult>,
    /// Set when `--fail-fast` stopped the run: the check that failed.
    pub stopped_by: Option<String>,
}

impl RunReport {
    fn count(&self, s: CheckStatus) -> usize {
        self.checks.iter().filter(|c| c.status == s).count()
    }
    pub fn passed(&self) -> usize {
        self.count(CheckStatus::Passed)
    }
    pub fn failed(&self) -> usize {
        self.count(CheckStatus::Failed)
    }
    pub fn skipped(&self) -> usize {
        self.count(CheckStatus::Skipped)
    }
    pub fn total(&self) -> usize {
        self.checks.len()
    }
    /// Every check passed.
    pub fn ok(&self) -> bool {
        self.passed() == self.total()
    }

    /// The `report` output.
    pub fn to_json(&self) -> Value {
        json!({
            "spec": self.spec,
            "base_url": self.base_url,
            "started_at": self.started_at.to_string(),
            "duration_ms": ms(self.duration),
            "passed": self.passed(),
            "failed": self.failed(),
            "skipped": self.skipped(),
            "total": self.total(),
            "stopped_by": self.stopped_by,
            "checks": self.checks.iter().map(CheckResult::to_json).collect::<Vec<_>>(),
        })
    }
}

pub(crate) fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_report_counts_and_fields() {
        let failed = CheckResult {
            status: CheckStatus::Failed,
            attempts: 2,
            http_status: Some(500),
            latency: Some(Duration::from_millis(12)),
            failures: vec![Mismatch {
                expectation: "status".into(),
                expected: "200".into(),
                got: "500".into(),
            }],
            reason: None,
            ..CheckResult::skipped("a", "http", 3, "GET http://x/".into(), String::new())
        };
        let skipped = CheckResult::skipped("b", "command", 7, "run: true".into(), "needs a".into());
        let report = RunReport {
            spec: "smoke.yml".into(),
            base_url: None,
            started_at: jiff::Timestamp::UNIX_EPOCH,
            duration: Duration::from_millis(1500),
            checks: vec![failed.clone(), skipped],
            stopped_by: None,
        };
        assert_eq!(
            (
                report.passed(),
                report.failed(),
                report.skipped(),
                report.total()
            ),
            (0, 1, 1, 2)
        );
        assert!(!report.ok());
        let j = report.to_json();
        assert_eq!(j["duration_ms"], 1500);
        assert_eq!(j["checks"][0]["failures"][0]["got"], "500");
        assert_eq!(j["checks"][0]["status"], 500);
        assert_eq!(j["checks"][1]["result"], "skipped");
        assert_eq!(j["checks"][1]["reason"], "needs a");
        assert_eq!(failed.problem().unwrap(), "status: expected 200, got 500");
    }
}
