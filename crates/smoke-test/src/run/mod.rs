//! Running a spec: checks start in spec order, up to `concurrency` at a
//! time, each as soon as the checks it waits for have passed (a check whose
//! dependency failed or was skipped is skipped, with the reason). Retries,
//! `--fail-fast`, and captures flowing to later checks.
//!
//! HTTP requests and their expectations are `probe`'s; this module renders
//! templates into probe requests and expectations and reads captures.

pub mod command;
pub mod reap;

use crate::report::{CheckResult, CheckStatus, Mismatch, RunReport};
use crate::spec::{Body, CaptureDef, CaptureFrom, Check, HttpCheck, Kind, RunCheck, Spec, Target};
use crate::template::{Template, Values, value_text};
use probe::{
    Client, ClientConfig, ClientError, Expectation, ExpectedValue, HeaderMap, RegexExpect,
    Response, TextMatch,
};
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

/// One attempt at a check.
#[derive(Default)]
struct Attempt {
    failures: Vec<Mismatch>,
    target: String,
    http_status: Option<u16>,
    latency: Option<Duration>,
    exit_code: Option<i32>,
    output: String,
    captured: Vec<(String, Value)>,
}

impl Attempt {
    fn fail(mut self, expectation: &str, expected: &str, got: String) -> Self {
        self.failures.push(Mismatch {
            expectation: expectation.into(),
            expected: expected.into(),
            got,
        });
        self
    }
}

/// Runs a check to its result, with its retries.
async fn execute(ctx: &Ctx, i: usize, values: &Values) -> (CheckResult, Vec<(String, Value)>) {
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

fn render(t: &Template, values: &Values) -> Result<String, String> {
    t.render(values)
        .map_err(|name| format!("no value for {{{{{name}}}}}"))
}

async fn http_attempt(
    ctx: &Ctx,
    h: &HttpCheck,
    captures: &[CaptureDef],
    values: &Values,
) -> Attempt {
    let mut a = Attempt {
        target: format!("{} {}", h.method, "(URL not built)"),
        ..Attempt::default()
    };
    // Values are encoded as one path segment or query value: they cannot
    // move the request (see `Template::render_url`).
    let url_text = match &h.target {
        Target::Path(p) => p
            .render_url(values)
            .map(|p| join_url(ctx.spec.base_url.as_deref().unwrap_or(""), &p)),
        Target::Url(u) => u.render_url(values),
    };
    let url = match url_text
        .map_err(|e| e.to_string())
        .and_then(|u| probe::parse_url(&u).map_err(|e| e.to_string()))
    {
        Ok(u) => u,
        Err(e) => return a.fail("request", "a valid URL", e),
    };
    // A `{{name | raw}}` (or a value in the host) must leave the request
    // at the origin the spec writes: the spec's headers go nowhere else.
    let origin = url.origin().ascii_serialization();
    match &h.origin {
        Some(own) if *own != origin => {
            return a.fail(
                "request",
                &format!("a URL at the spec's origin {own}"),
                format!("a URL at {origin}: a filled-in value moved the request to another origin; refused"),
            );
        }
        None if !ctx.spec.origins.contains(&origin) => {
            let own = if ctx.spec.origins.is_empty() {
                "none".to_owned()
            } else {
                ctx.spec.origins.join(", ")
            };
            return a.fail(
                "request",
                &format!("a URL at one of the spec's origins ({own})"),
                format!("a URL at {origin}: a filled-in value chose an origin the spec does not name; refused"),
            );
        }
        _ => {}
    }
    // Every header comes from the spec: none may follow a redirect to
    // another origin.
    let mut req = probe::Request::new(h.method.clone(), url)
        .timeout(h.timeout)
        .headers_stay_at_origin(true);
    let mut secrets = Vec::new();
    for header in &h.headers {
        let value = match render(&header.value, values) {
            Ok(v) => v,
            Err(e) => return a.fail("request", "every header value", e),
        };
        if header.secret {
            secrets.extend(header.value.var_values(values));
        }
        match probe::Header::new(&header.name, &value) {
            Ok(ph) => req = req.header(ph),
            Err(e) => {
                for s in &secrets {
                    ctx.observer.secret(s);
                }
                return a.fail("request", "valid headers", e.to_string());
            }
        }
    }
    for (k, v) in &h.query {
        match render(v, values) {
            Ok(v) => req = req.query(k.clone(), v),
            Err(e) => return a.fail("request", "every query value", e),
        }
    }
    match &h.body {
        Body::None => {}
        Body::Text(t) => match render(t, values) {
            Ok(b) => req = req.body(b.into_bytes()),
            Err(e) => return a.fail("request", "a body", e),
        },
        Body::Json(j) => match j.render(values) {
            Ok(v) => req = req.json(v),
            Err(name) => {
                return a.fail(
                    "request",
                    "a JSON body",
                    format!("no value for {{{{{name}}}}}"),
                );
            }
        },
    }
    // Mask before anything about this request can be printed.
    secrets.extend(req.secrets());
    for s in &secrets {
        ctx.observer.secret(s);
    }
    a.target = format!("{} {}", h.method, req.display_url());
    let client = if h.follow_redirects {
        &ctx.client
    } else {
        &ctx.no_redirects
    };
    let resp = match client.send(&req).await {
        Ok(r) => r,
        Err(e) => {
            a.latency = Some(e.elapsed);
            a.http_status = e.status;
            a.output = format!("{}\n{}", a.target, e.message);
            let got = match &e.hint {
                Some(hint) => format!("{} ({hint})", e.message),
                None => e.message.clone(),
            };
            return a.fail("response", "an HTTP response", got);
        }
    };
    a.http_status = Some(resp.status);
    a.latency = Some(resp.total);
    let shown = redacted(ctx, &resp);
    a.output = response_output(&a.target, shown.as_ref().unwrap_or(&resp));

    let mut expectations = vec![Expectation::Status(h.expect.status.clone())];
    for (name, t) in &h.expect.headers {
        let value =
            match render(t, values).and_then(|v| TextMatch::parse(&v).map_err(|e| e.to_string())) {
                Ok(v) => v,
                Err(e) => return a.fail(&format!("header {name}"), "a valid expectation", e),
            };
        expectations.push(Expectation::Header {
            name: name.clone(),
            value: Some(value),
        });
    }
    for t in &h.expect.body_contains {
        match render(t, values) {
            Ok(s) => expectations.push(Expectation::BodyContains(s)),
            Err(e) => return a.fail("body contains", "a value", e),
        }
    }
    for re in &h.expect.body_matches {
        expectations.push(Expectation::BodyMatches(RegexExpect(re.clone())));
    }
    for j in &h.expect.json {
        match j.value.render(values) {
            Ok(v) => expectations.push(Expectation::Json {
                path: j.path.clone(),
                value: Some(ExpectedValue::from_json(v)),
            }),
            Err(name) => {
                return a.fail(
                    &format!("json {}", j.path),
                    "a value",
                    format!("no value for {{{{{name}}}}}"),
                );
            }
        }
    }
    if let Some(max) = h.expect.max_latency {
        expectations.push(Expectation::MaxLatency(max));
    }
    a.failures = evaluate(&expectations, &resp, shown.as_ref(), |m| m);
    if a.failures.is_empty() {
        capture(ctx, &mut a, captures, &resp, Some(&resp));
    }
    a
}

/// A copy of `resp` whose body has the known secrets replaced, when it
/// holds any.
fn redacted(ctx: &Ctx, resp: &Response) -> Option<Response> {
    let text = resp.text();
    let shown = ctx.observer.redact(&text);
    if shown == text {
        return None;
    }
    let mut copy = Response::synthetic(resp.status, resp.headers.clone(), shown.into_bytes());
    copy.total = resp.total;
    copy.truncated = resp.truncated;
    Some(copy)
}

/// Evaluates on the real response; describes each failure from the
/// redacted copy (when there is one and it fails the same way).
fn evaluate(
    expectations: &[Expectation],
    resp: &Response,
    shown: Option<&Response>,
    rename: impl Fn(Mismatch) -> Mismatch,
) -> Vec<Mismatch> {
    use probe::expect::Check as Outcome;
    expectations
        .iter()
        .filter_map(|e| match e.check(resp) {
            Outcome::Pass { .. } => None,
            Outcome::Fail(m) => Some(rename(match shown.map(|s| e.check(s)) {
                Some(Outcome::Fail(described)) => described,
                _ => m,
            })),
        })
        .collect()
}

/// The request line, the status, the headers (secret ones as `***`) and
/// the start of the body.
fn response_output(target: &str, resp: &Response) -> String {
    let mut out = format!(
        "{target}\n{} {} in {}\n",
        resp.version,
        resp.status,
        gha::cli::human_duration(resp.total)
    );
    for (name, value) in &resp.headers {
        let shown = if probe::secret::is_sensitive_header(name.as_str()) {
            "***".into()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        out.push_str(&format!("{name}: {shown}\n"));
    }
    out.push('\n');
    out.push_str(&text_excerpt(&resp.body, resp.truncated));
    out
}

/// Up to [`OUTPUT_EXCERPT`] bytes of `bytes` as text.
fn text_excerpt(bytes: &[u8], truncated: bool) -> String {
    let cut = bytes.len() > OUTPUT_EXCERPT;
    let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(OUTPUT_EXCERPT)]).into_owned();
    if cut || truncated {
        text.push_str("\n… (cut)");
    }
    text
}

/// Reads the captures from a passing response (or a command's stdout).
fn capture(
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
                        let m = caps
                            .get(1)
                            .or_else(|| caps.get(0))
                            .map_or("", |m| m.as_str());
                        Ok(Value::String(m.to_owned()))
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

async fn run_attempt(ctx: &Ctx, r: &RunCheck, captures: &[CaptureDef], values: &Values) -> Attempt {
    let mut a = Attempt {
        target: run_target(&r.script),
        ..Attempt::default()
    };
    // Vars and the captures the script names, as environment variables.
    let mut env: Vec<(String, String)> = ctx
        .spec
        .vars
        .iter()
        .map(|(k, v)| (k.clone(), value_text(v)))
        .collect();
    for name in &r.env_names {
        match values.get(name) {
            Some(v) => env.push((name.clone(), value_text(v))),
            None => {
                return a.fail(
                    "command",
                    "every value it uses",
                    format!("no value for ${name}"),
                );
            }
        }
    }
    let out = match command::run(&r.script, &env, r.timeout, command::OUTPUT_CAP).await {
        Ok(o) => o,
        Err(e) => return a.fail("command", "bash to start", e.to_string()),
    };
    a.exit_code = out.code;
    a.latency = Some(out.elapsed);
    let status_line = match (out.timed_out, out.code, out.signal) {
        (true, _, _) => format!(
            "killed after the {} timeout",
            gha::cli::human_duration(r.timeout)
        ),
        (false, Some(c), _) => format!("exit {c}"),
        (false, None, Some(s)) => format!("killed by signal {s}"),
        (false, None, None) => "ended".into(),
    };
    let stdout_text = ctx.observer.redact(&String::from_utf8_lossy(&out.stdout));
    let stderr_text = ctx.observer.redact(&String::from_utf8_lossy(&out.stderr));
    a.output = format!(
        "$ {}\n{status_line} in {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        r.script.trim(),
        gha::cli::human_duration(out.elapsed),
        text_excerpt(stdout_text.as_bytes(), out.stdout_truncated),
        text_excerpt(stderr_text.as_bytes(), out.stderr_truncated),
    );
    if out.code != Some(r.expect.exit) {
        let got = if out.code.is_some() {
            let mut got = status_line.trim_start_matches("exit ").to_owned();
            let err = probe::excerpt(stderr_text.as_bytes());
            if !err.is_empty() {
                got.push_str(&format!(" (stderr: {err:?})"));
            }
            got
        } else {
            status_line.clone()
        };
        a = a.fail("exit", &r.expect.exit.to_string(), got);
    }
    let mut stdout = Response::synthetic(200, HeaderMap::new(), out.stdout);
    stdout.total = out.elapsed;
    stdout.truncated = out.stdout_truncated;
    let mut stderr = Response::synthetic(200, HeaderMap::new(), out.stderr);
    stderr.truncated = out.stderr_truncated;
    let stdout_shown = redacted(ctx, &stdout);
    let stderr_shown = redacted(ctx, &stderr);

    let mut on_stdout: Vec<Expectation> = Vec::new();
    for t in &r.expect.stdout_contains {
        match render(t, values) {
            Ok(s) => on_stdout.push(Expectation::BodyContains(s)),
            Err(e) => return a.fail("stdout contains", "a value", e),
        }
    }
    for re in &r.expect.stdout_matches {
        on_stdout.push(Expectation::BodyMatches(RegexExpect(re.clone())));
    }
    for j in &r.expect.json {
        match j.value.render(values) {
            Ok(v) => on_stdout.push(Expectation::Json {
                path: j.path.clone(),
                value: Some(ExpectedValue::from_json(v)),
            }),
            Err(name) => {
                return a.fail(
                    &format!("stdout json {}", j.path),
                    "a value",
                    format!("no value for {{{{{name}}}}}"),
                );
            }
        }
    }
    if let Some(max) = r.expect.max_latency {
        on_stdout.push(Expectation::MaxLatency(max));
    }
    let mut on_stderr: Vec<Expectation> = Vec::new();
    for t in &r.expect.stderr_contains {
        match render(t, values) {
            Ok(s) => on_stderr.push(Expectation::BodyContains(s)),
            Err(e) => return a.fail("stderr contains", "a value", e),
        }
    }
    let rename = |stream: &'static str| {
        move |mut m: Mismatch| {
            m.expectation = match m.expectation.as_str() {
                "body contains" => format!("{stream} contains"),
                "body matches" => format!("{stream} matches"),
                "max latency" => "max latency".into(),
                other => format!("{stream} {other}"),
            };
            m.expected = m.expected.replace("a body", "output");
            m
        }
    };
    a.failures.extend(evaluate(
        &on_stdout,
        &stdout,
        stdout_shown.as_ref(),
        rename("stdout"),
    ));
    a.failures.extend(evaluate(
        &on_stderr,
        &stderr,
        stderr_shown.as_ref(),
        rename("stderr"),
    ));
    if a.failures.is_empty() {
        capture(ctx, &mut a, captures, &stdout, None);
    }
    a
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
