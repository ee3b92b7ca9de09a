//! Running a spec: checks start in spec order, up to `concurrency` at a
//! time, each as soon as the checks it waits for have passed (a check whose
//! dependency failed or was skipped is skipped, with the reason). Retries,
//! `--fail-fast`, and captures flowing to later checks.
//!
//! HTTP requests and their expectations are `probe`'s; this module renders
//! templates into probe requests and expectations and reads captures.
//!
//! Here the scheduler; one check's attempts and retries in `attempt`, an
//! HTTP attempt in `http`, a `run:` attempt in `script` (its process in
//! [`command`]).

mod attempt;
pub mod command;
mod http;
pub mod reap;
mod script;

use crate::report::{CheckResult, CheckStatus, Mismatch, RunReport};
use crate::spec::{Check, Kind, Spec, Target};
use crate::template::Values;
use attempt::execute;
use probe::{Client, ClientConfig, ClientError};
use serde_json::Value;
use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::task::JoinSet;

/// How much of a body or of a command's output a report keeps (JUnit
/// `system-out`).
pub const OUTPUT_EXCERPT: usize = 4096;

/// Told about a run as it goes (`main` prints; the library never does).
pub trait Observer: Send + Sync {
    /// A value to mask before anything else is printed: a secret header's
    /// value filled in at run time, a capture named like a secret.
    fn secret(&self, value: &str);
    /// An attempt failed and the check will be tried again.
    fn retrying(&self, check: &str, attempt: u32, attempts: u32, problem: &str, delay: Duration);
    /// A check has its result (passed, failed or skipped).
    fn finished(&self, result: &CheckResult);
    /// `text` with every secret known so far replaced (`***`). Failure
    /// messages and excerpts are made from redacted text, so cutting them
    /// short can never leave part of a secret behind.
    fn redact(&self, text: &str) -> String {
        text.to_owned()
    }
}

/// How to run.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Checks running at once (at least 1).
    pub concurrency: usize,
    /// Stop at the first failure: start nothing more, cancel what runs.
    pub fail_fast: bool,
}

struct Ctx {
    spec: Arc<Spec>,
    client: Client,
    /// For requests with `follow_redirects: false`.
    no_redirects: Client,
    observer: Arc<dyn Observer>,
    run_start: Instant,
}

/// Runs every check of the spec.
pub async fn run(
    spec: Arc<Spec>,
    opts: &RunOptions,
    observer: Arc<dyn Observer>,
) -> Result<RunReport, ClientError> {
    let config = ClientConfig {
        reuse_connections: true,
        ..ClientConfig::default()
    };
    let ctx = Arc::new(Ctx {
        client: Client::new(config.clone())?,
        no_redirects: Client::new(ClientConfig {
            max_redirects: 0,
            ..config
        })?,
        spec: spec.clone(),
        observer: observer.clone(),
        run_start: Instant::now(),
    });
    let started_at = jiff::Timestamp::now();
    let n = spec.checks.len();
    let concurrency = opts.concurrency.max(1);
    let mut results: Vec<Option<CheckResult>> = vec![None; n];
    let mut started = vec![false; n];
    let mut values: Values = spec.vars.clone();
    let mut running: JoinSet<(CheckResult, Vec<(String, Value)>)> = JoinSet::new();
    let mut task_index: HashMap<tokio::task::Id, usize> = HashMap::new();
    let mut stopped_by: Option<String> = None;

    loop {
        // Skip what waits for a check that did not pass.
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..n {
                if started[i] || results[i].is_some() {
                    continue;
                }
                let blocked = spec.deps[i].iter().copied().find(|&d| {
                    results[d]
                        .as_ref()
                        .is_some_and(|r| r.status != CheckStatus::Passed)
                });
                if let Some(d) = blocked {
                    let reason = blocked_reason(&spec, i, d, &results);
                    let r = skipped(&spec.checks[i], &spec, reason);
                    observer.finished(&r);
                    results[i] = Some(r);
                    changed = true;
                }
            }
        }
        // Start what is ready, in spec order.
        if stopped_by.is_none() {
            for i in 0..n {
                if running.len() >= concurrency {
                    break;
                }
                if started[i] || results[i].is_some() {
                    continue;
                }
                let ready = spec.deps[i].iter().all(|&d| {
                    results[d]
                        .as_ref()
                        .is_some_and(|r| r.status == CheckStatus::Passed)
                });
                if ready {
                    started[i] = true;
                    let ctx = ctx.clone();
                    let snapshot = Arc::new(values.clone());
                    let handle = running.spawn(async move { execute(&ctx, i, &snapshot).await });
                    task_index.insert(handle.id(), i);
                }
            }
        }
        let Some(joined) = running.join_next_with_id().await else {
            break;
        };
        let (i, result, captures) = match joined {
            Ok((id, (result, captures))) => (task_index[&id], result, captures),
            Err(e) => {
                let i = task_index[&e.id()];
                let check = &spec.checks[i];
                let r = if e.is_cancelled() {
                    let by = stopped_by.clone().unwrap_or_default();
                    skipped(
                        check,
                        &spec,
                        format!("cancelled: --fail-fast stopped the run after '{by}' failed"),
                    )
                } else {
                    let mut r = skipped(check, &spec, String::new());
                    r.status = CheckStatus::Failed;
                    r.reason = None;
                    r.failures.push(Mismatch {
                        expectation: "check".into(),
                        expected: "to run to its end".into(),
                        got: format!("an internal error: {e}"),
                    });
                    r
                };
                (i, r, Vec::new())
            }
        };
        if result.status == CheckStatus::Passed {
            values.extend(captures);
        }
        let failed = result.status == CheckStatus::Failed;
        observer.finished(&result);
        results[i] = Some(result);
        if failed && opts.fail_fast && stopped_by.is_none() {
            stopped_by = Some(spec.checks[i].name.clone());
            running.abort_all();
        }
    }

    let checks = results
        .into_iter()
        .enumerate()
        .map(|(i, r)| {
            r.unwrap_or_else(|| {
                let by = stopped_by.clone().unwrap_or_default();
                let r = skipped(
                    &spec.checks[i],
                    &spec,
                    format!("not run: --fail-fast stopped the run after '{by}' failed"),
                );
                observer.finished(&r);
                r
            })
        })
        .collect();
    Ok(RunReport {
        spec: spec.file.clone(),
        base_url: spec.base_url.clone(),
        started_at,
        duration: ctx.run_start.elapsed(),
        checks,
        stopped_by,
    })
}

/// Why check `i` cannot run: what it takes from check `d`, which did not
/// pass.
fn blocked_reason(spec: &Spec, i: usize, d: usize, results: &[Option<CheckResult>]) -> String {
    let dep = &spec.checks[d];
    let how = match results[d].as_ref().map(|r| r.status) {
        Some(CheckStatus::Skipped) => "was skipped",
        _ => "failed",
    };
    let mut names: Vec<String> = Vec::new();
    for (name, _) in &spec.checks[i].uses {
        let (shown, bare) = match name.strip_prefix('$') {
            Some(b) => (format!("${b}"), b),
            None => (format!("{{{{{name}}}}}"), name.as_str()),
        };
        if dep.captures.iter().any(|c| c.name == bare) && !names.contains(&shown) {
            names.push(shown);
        }
    }
    if names.is_empty() {
        format!("not run: it needs '{}', which {how}", dep.name)
    } else {
        format!(
            "not run: it uses {} captured by '{}', which {how}",
            names.join(", "),
            dep.name
        )
    }
}

fn skipped(check: &Check, spec: &Spec, reason: String) -> CheckResult {
    CheckResult::skipped(
        &check.name,
        check.kind_name(),
        check.loc.line,
        describe_target(check, spec),
        reason,
    )
}

/// The check's target before any value is filled in (for skipped checks).
fn describe_target(check: &Check, spec: &Spec) -> String {
    match &check.kind {
        Kind::Http(h) => {
            let target = match &h.target {
                Target::Path(p) => join_url(spec.base_url.as_deref().unwrap_or(""), &p.source()),
                Target::Url(u) => u.source(),
            };
            format!("{} {}", h.method, redact_url_text(&target))
        }
        Kind::Run(r) => run_target(&r.script),
    }
}

fn redact_url_text(s: &str) -> String {
    match probe::Url::parse(s) {
        Ok(u) => probe::secret::display_url(&u),
        Err(_) => s.to_owned(),
    }
}

fn run_target(script: &str) -> String {
    let first = script
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .trim();
    let mut shown: String = first.chars().take(80).collect();
    if shown.len() < first.len() || script.trim().lines().count() > 1 {
        shown.push('…');
    }
    format!("run: {shown}")
}

/// `base` + `/` + `path`, with exactly one `/` between them.
pub fn join_url(base: &str, path: &str) -> String {
    if path.is_empty() {
        return base.to_owned();
    }
    if path.starts_with('?') {
        return format!("{base}{path}");
    }
    format!(
        "{}/{}",
        base.trim_end_matches('/'),
        path.trim_start_matches('/')
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_join_with_one_slash() {
        assert_eq!(join_url("http://h", "/a"), "http://h/a");
        assert_eq!(join_url("http://h/", "a"), "http://h/a");
        assert_eq!(join_url("http://h/shop", "/api/v"), "http://h/shop/api/v");
        assert_eq!(join_url("http://h", ""), "http://h");
        assert_eq!(join_url("http://h/x", "?q=1"), "http://h/x?q=1");
    }

    #[test]
    fn run_targets_are_short() {
        assert_eq!(run_target("echo hi"), "run: echo hi");
        assert_eq!(run_target("\n  set -x\n  echo hi\n"), "run: set -x…");
        assert_eq!(run_target(&"x".repeat(100)).chars().count(), 5 + 80 + 1);
    }
}
