//! One check to its result: its attempts with the pause between them,
//! and the captures a passing attempt reads.

use super::Ctx;
use crate::report::{CheckResult, CheckStatus, Mismatch};
use crate::spec::{CaptureDef, CaptureFrom, Kind};
use crate::template::{Values, value_text};
use probe::Response;
use serde_json::Value;
use std::time::{Duration, Instant};

use super::http::http_attempt;
use super::script::run_attempt;

/// One attempt at a check.
#[derive(Default)]
pub(super) struct Attempt {
    pub(super) failures: Vec<Mismatch>,
    pub(super) target: String,
    pub(super) http_status: Option<u16>,
    pub(super) latency: Option<Duration>,
    pub(super) exit_code: Option<i32>,
    pub(super) output: String,
    pub(super) captured: Vec<(String, Value)>,
}

impl Attempt {
    pub(super) fn fail(mut self, expectation: &str, expected: &str, got: String) -> Self {
        self.failures.push(Mismatch {
            expectation: expectation.into(),
            expected: expected.into(),
            got,
        });
        self
    }
}

/// Runs a check to its result, with its retries.
pub(super) async fn execute(
    ctx: &Ctx,
    i: usize,
    values: &Values,
) -> (CheckResult, Vec<(String, Value)>) {
    let check = &ctx.spec.checks[i];
    let started = ctx.run_start.elapsed();
    let begin = Instant::now();
    let attempts = check.retries + 1;
    let mut n = 0;
    let last = loop {
        n += 1;
        let a = match &check.kind {
            Kind::Http(h) => http_attempt(ctx, h, &check.captures, values).await,
            Kind::Run(r) => run_attempt(ctx, r, &check.captures, values).await,
        };
        if a.failures.is_empty() || n >= attempts {
            break a;
        }
        let problem = a
            .failures
            .iter()
            .map(ToString::to_string)
            .collect::<Vec<_>>()
            .join("; ");
        ctx.observer
            .retrying(&check.name, n, attempts, &problem, check.retry_delay);
        tokio::time::sleep(check.retry_delay).await;
    };
    let status = if last.failures.is_empty() {
        CheckStatus::Passed
    } else {
        CheckStatus::Failed
    };
    let captured_text = last
        .captured
        .iter()
        .map(|(k, v)| (k.clone(), value_text(v)))
        .collect();
    let result = CheckResult {
        name: check.name.clone(),
        kind: check.kind_name(),
        line: check.loc.line,
        status,
        attempts: n,
        started,
        duration: begin.elapsed(),
        target: last.target,
        http_status: last.http_status,
        latency: last.latency,
        exit_code: last.exit_code,
        failures: last.failures,
        reason: None,
        captured: captured_text,
        output: last.output,
    };
    let captures = if status == CheckStatus::Passed {
        last.captured
    } else {
        Vec::new()
    };
    (result, captures)
}

/// Reads the captures from a passing response (or a command's stdout).
pub(super) fn capture(
    ctx: &Ctx,
    a: &mut Attempt,
    captures: &[CaptureDef],
    body: &Response,
    http: Option<&Response>,
) {
    for c in captures {
        let what = format!("capture {}", c.name);
        let got: Result<Value, (String, String)> = match &c.from {
            CaptureFrom::Json(path) => match body.json() {
                Err(why) => Err((
                    format!("a value at {path}"),
                    format!(
                        "{why}: {:?}",
                        probe::excerpt(ctx.observer.redact(&body.text()).as_bytes())
                    ),
                )),
                Ok(json) => {
                    let nodes = path.query(json);
                    match nodes.as_slice() {
                        [one] => Ok((*one).clone()),
                        [] => Err((format!("a value at {path}"), format!("nothing at {path}"))),
                        many => Err((
                            format!("exactly one value at {path}"),
                            format!("{} values", many.len()),
                        )),
                    }
                }
            },
            CaptureFrom::Header(name) => match http.and_then(|r| r.header(name)) {
                Some(v) => Ok(Value::String(v.trim().to_owned())),
                None => Err((format!("a {name} header"), "no such header".into())),
            },
            CaptureFrom::Regex(re) => {
                let text = body.text();
                match re.captures(&text) {
                    Some(caps) => {
                        let matched = caps
                            .get(1)
                            .or_else(|| caps.get(0))
                            .map_or("", |group| group.as_str());
                        Ok(Value::String(matched.to_owned()))
                    }
                    None => Err((
                        format!("a match for /{}/", re.as_str()),
                        format!(
                            "no match in {:?}",
                            probe::excerpt(ctx.observer.redact(&text).as_bytes())
                        ),
                    )),
                }
            }
        };
        match got {
            Ok(v) => {
                if probe::secret::is_sensitive_param(&c.name) {
                    ctx.observer.secret(&value_text(&v));
                }
                a.captured.push((c.name.clone(), v));
            }
            Err((expected, got)) => {
                a.failures.push(Mismatch {
                    expectation: what,
                    expected,
                    got,
                });
            }
        }
    }
    if !a.failures.is_empty() {
        a.captured.clear();
    }
}
