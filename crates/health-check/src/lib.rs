//! `health-check`: probes HTTP and TCP targets with Kubernetes-probe
//! semantics until every one is healthy, or says why not.
//!
//! - Every target is probed on its own schedule, all concurrently: after
//!   `initial_delay`, an attempt every `interval` (or with exponential
//!   backoff up to `max_interval`, with jitter), until it passes
//!   `success_threshold` times in a row.
//! - A target gives up when its attempts run out (`retries` + 1) or the
//!   next attempt could not start before the deadline. The deadline is a
//!   hard bound on the whole run: an attempt in flight when it passes is cut
//!   short. When one target gives up the run is unhealthy, and the others
//!   stop at once.
//! - Each attempt is bounded by `timeout` (connect, redirects, headers and
//!   body), through [`probe::Client`].
//!
//! The library never prints: [`run`] reports each attempt through a
//! callback and returns a [`Report`].

use probe::{Client, Evaluation, Expectation, Request, TcpTarget, check_all, tcp_probe};
use serde::Serialize;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// The shortest wait between attempts (`--interval`, `--max-interval`).
pub const MIN_INTERVAL: Duration = Duration::from_millis(100);

/// What is probed.
#[derive(Debug, Clone)]
pub enum Target {
    /// An HTTP(S) request whose response must meet every expectation.
    Http(Request),
    /// A TCP port that must accept a connection.
    Tcp(TcpTarget),
}

impl Target {
    /// How the target is shown: the URL (secrets replaced by `***`) or
    /// `tcp://host:port`.
    pub fn name(&self) -> String {
        match self {
            Target::Http(r) => r.display_url(),
            Target::Tcp(t) => t.to_string(),
        }
    }

    pub fn kind(&self) -> &'static str {
        match self {
            Target::Http(_) => "http",
            Target::Tcp(_) => "tcp",
        }
    }
}

/// How the wait between attempts grows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Backoff {
    /// Always `interval`.
    Fixed,
    /// `interval`, doubling after each failure in a row, up to
    /// `max_interval`, each wait varied by ±10 % (jitter) so many checkers
    /// do not beat in step.
    Exponential,
}

/// A run's settings. Build with [`Config::new`] and adjust the fields;
/// [`Config::validate`] checks they make sense together.
#[derive(Debug, Clone)]
pub struct Config {
    pub targets: Vec<Target>,
    /// Checked against every HTTP response.
    pub expectations: Vec<Expectation>,
    /// Bound on one attempt.
    pub timeout: Duration,
    pub interval: Duration,
    pub backoff: Backoff,
    pub max_interval: Duration,
    /// Attempts after the first; `None`: until the deadline.
    pub retries: Option<u32>,
    /// Hard bound on the whole run.
    pub deadline: Duration,
    pub initial_delay: Duration,
    /// Passes in a row that make a target healthy.
    pub success_threshold: u32,
}

impl Config {
    /// The documented defaults: timeout 5 s, interval 5 s, fixed backoff,
    /// max interval 60 s, no retry limit, deadline 5 min, no initial delay,
    /// success threshold 1.
    pub fn new(targets: Vec<Target>, expectations: Vec<Expectation>) -> Self {
        Config {
            targets,
            expectations,
            timeout: Duration::from_secs(5),
            interval: Duration::from_secs(5),
            backoff: Backoff::Fixed,
            max_interval: Duration::from_secs(60),
            retries: None,
            deadline: Duration::from_secs(300),
            initial_delay: Duration::ZERO,
            success_threshold: 1,
        }
    }

    /// The most attempts per target, when `retries` is set.
    pub fn max_attempts(&self) -> Option<u32> {
        self.retries.map(|r| r.saturating_add(1))
    }

    /// Settings that cannot work together.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.targets.is_empty() {
            return Err(ConfigError::NoTargets);
        }
        if self.deadline.is_zero() {
            return Err(ConfigError::ZeroDeadline);
        }
        if self.timeout.is_zero() {
            return Err(ConfigError::ZeroTimeout);
        }
        if self.initial_delay >= self.deadline {
            return Err(ConfigError::DelayPastDeadline {
                initial_delay: self.initial_delay,
                deadline: self.deadline,
            });
        }
        if self.success_threshold == 0 {
            return Err(ConfigError::ZeroThreshold);
        }
        if let Some(max) = self.max_attempts()
            && max < self.success_threshold
        {
            return Err(ConfigError::TooFewAttempts {
                attempts: max,
                threshold: self.success_threshold,
            });
        }
        Ok(())
    }

    /// The wait before the next attempt, after `failures_in_a_row`
    /// failures (0 after a pass); `jitter` in [0, 1) picks the variation.
    // Hand-written: a pure function the tests drive with a given jitter; backon's builders draw their own jitter and have no ±10% variation.
    pub fn wait(&self, failures_in_a_row: u32, jitter: f64) -> Duration {
        match self.backoff {
            Backoff::Fixed => self.interval,
            Backoff::Exponential => {
                let cap = self.max_interval.max(self.interval);
                let steps = failures_in_a_row.saturating_sub(1).min(40);
                let base = self.interval.as_secs_f64() * 2f64.powi(steps as i32);
                let varied = base * (0.9 + 0.2 * jitter.clamp(0.0, 1.0));
                Duration::from_secs_f64(varied.min(cap.as_secs_f64()))
            }
        }
    }
}

/// Settings that do not fit together (input errors, exit 2).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ConfigError {
    #[error("nothing to check: give at least one --url URL or --tcp HOST:PORT")]
    NoTargets,
    #[error("--deadline must be longer than 0 s, e.g. --deadline 5m")]
    ZeroDeadline,
    #[error("--timeout must be longer than 0 s, e.g. --timeout 5s")]
    ZeroTimeout,
    #[error("--success-threshold must be at least 1")]
    ZeroThreshold,
    #[error(
        "--initial-delay {} is not shorter than --deadline {}: no attempt could run",
        gha::cli::human_duration(*initial_delay),
        gha::cli::human_duration(*deadline)
    )]
    DelayPastDeadline {
        initial_delay: Duration,
        deadline: Duration,
    },
    #[error(
        "--retries allows {attempts} attempt(s), fewer than --success-threshold {threshold}: the target could never pass; raise --retries to at least {}",
        threshold - 1
    )]
    TooFewAttempts { attempts: u32, threshold: u32 },
}

impl gha::Classify for ConfigError {
    fn class(&self) -> gha::ErrorClass {
        gha::ErrorClass::Input
    }
}

/// What one attempt found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attempt {
    /// 1-based attempt number for this target.
    pub attempt: u32,
    /// When the attempt started (RFC 3339, UTC).
    pub time: String,
    /// Since the start of the run, in milliseconds.
    pub at_ms: u64,
    pub ok: bool,
    /// The HTTP status, when a response (or its headers) came.
    pub status: Option<u16>,
    /// How long the attempt took, in milliseconds.
    pub latency_ms: u64,
    /// Why there was no usable answer.
    pub error: Option<String>,
    /// `timeout`, `connection_refused`, `tls`, `dns`, `redirect_loop`, …
    pub error_kind: Option<String>,
    /// What to do about the error, when known.
    pub hint: Option<String>,
    /// Expectations that did not hold.
    pub failures: Vec<probe::Mismatch>,
    /// Notes from expectations that held (where the version was found).
    pub notes: Vec<String>,
    /// The start of the body, on one line.
    pub body_excerpt: Option<String>,
    /// The body was longer than the cap.
    pub truncated: bool,
    /// The address that accepted (TCP).
    pub address: Option<String>,
}

impl Attempt {
    /// A one-line account: `503 in 12 ms (status: expected 2xx, got 503)`,
    /// `connection refused by 127.0.0.1:8080 after 1 ms`.
    pub fn describe(&self) -> String {
        let took = gha::cli::human_duration(Duration::from_millis(self.latency_ms));
        let mut s = match (&self.error, self.status, &self.address) {
            (Some(e), _, _) => format!("{e} after {took}"),
            (None, Some(status), _) => format!("{status} in {took}"),
            (None, None, Some(addr)) => format!("connected to {addr} in {took}"),
            (None, None, None) => format!("done in {took}"),
        };
        if !self.failures.is_empty() {
            let f: Vec<String> = self.failures.iter().map(ToString::to_string).collect();
            s.push_str(&format!(" ({})", f.join("; ")));
        } else if !self.notes.is_empty() && self.ok {
            s.push_str(&format!(" ({})", self.notes.join("; ")));
        }
        s
    }
}

/// Why a target stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Ending {
    /// It passed `success_threshold` times in a row.
    Healthy,
    /// Its attempts ran out.
    RetriesExhausted,
    /// The deadline came first.
    Deadline,
    /// Another target gave up, so this one was stopped.
    Stopped,
}

/// What comes after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// Another attempt after this wait.
    Retry(Duration),
    /// The target is done.
    Done(Ending),
}

/// One attempt on one target, as it happens.
#[derive(Debug, Clone)]
pub struct AttemptEvent {
    /// Index into [`Config::targets`].
    pub target: usize,
    pub name: String,
    pub max_attempts: Option<u32>,
    pub passes_in_a_row: u32,
    pub success_threshold: u32,
    pub attempt: Attempt,
    pub next: Next,
}

/// One target's result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TargetReport {
    pub target: String,
    pub kind: &'static str,
    pub healthy: bool,
    /// Healthy, or why it stopped; `null` if it never got to finish.
    pub ending: Option<Ending>,
    pub attempts: u32,
    pub passes_in_a_row: u32,
    /// When it finished, since the start of the run, in milliseconds.
    pub elapsed_ms: u64,
    /// The last attempt.
    pub last: Option<Attempt>,
    /// The last attempt that failed (the same as `last` when unhealthy).
    pub last_failure: Option<Attempt>,
}

/// The whole run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    pub healthy: bool,
    /// Attempts over all targets.
    pub attempts: u32,
    pub elapsed_ms: u64,
    pub deadline_ms: u64,
    pub targets: Vec<TargetReport>,
}

impl Report {
    pub fn unhealthy(&self) -> impl Iterator<Item = &TargetReport> {
        self.targets.iter().filter(|t| !t.healthy)
    }
}

fn ms(d: Duration) -> u64 {
    u64::try_from(d.as_millis()).unwrap_or(u64::MAX)
}

/// A random number in [0, 1) for jitter, from the OS (0.5 if it has none).
fn jitter() -> f64 {
    getrandom::u64().map_or(0.5, |x| (x >> 11) as f64 / (1u64 << 53) as f64)
}

/// Runs one attempt against a target, bounded by `timeout`.
async fn attempt_once(
    client: &Client,
    target: &Target,
    expectations: &[Expectation],
    timeout: Duration,
    number: u32,
    run_start: Instant,
    cut_by_deadline: bool,
) -> Attempt {
    let started = Instant::now();
    let mut a = Attempt {
        attempt: number,
        time: format!("{:.3}", jiff::Timestamp::now()),
        at_ms: ms(started.duration_since(run_start)),
        ok: false,
        status: None,
        latency_ms: 0,
        error: None,
        error_kind: None,
        hint: None,
        failures: Vec::new(),
        notes: Vec::new(),
        body_excerpt: None,
        truncated: false,
        address: None,
    };
    let error = |a: &mut Attempt, e: probe::ProbeError| {
        a.error = Some(if cut_by_deadline && e.is_timeout() {
            format!("{} (cut short by the deadline)", e.message)
        } else {
            e.message.clone()
        });
        a.error_kind = Some(e.kind.name().to_owned());
        a.hint = e.hint.clone();
        a.status = e.status;
    };
    match target {
        Target::Http(req) => {
            let mut req = req.clone();
            req.timeout = Some(timeout);
            match client.send(&req).await {
                Ok(resp) => {
                    let Evaluation { notes, failures } = check_all(expectations, &resp);
                    a.ok = failures.is_empty();
                    a.status = Some(resp.status);
                    a.notes = notes;
                    a.failures = failures;
                    a.truncated = resp.truncated;
                    if !resp.body.is_empty() {
                        a.body_excerpt = Some(resp.excerpt());
                    }
                }
                Err(e) => error(&mut a, e),
            }
        }
        Target::Tcp(t) => match tcp_probe(t, timeout).await {
            Ok(c) => {
                a.ok = true;
                a.address = Some(c.addr.to_string());
            }
            Err(e) => error(&mut a, e),
        },
    }
    a.latency_ms = ms(started.elapsed());
    a
}

/// A target's progress, shared so a stopped target still reports.
#[derive(Debug, Clone)]
struct Progress {
    attempts: u32,
    passes_in_a_row: u32,
    last: Option<Attempt>,
    last_failure: Option<Attempt>,
    ending: Option<Ending>,
    elapsed_ms: u64,
}

struct TargetRun {
    index: usize,
    target: Target,
    config: Arc<Config>,
    client: Client,
    run_start: Instant,
    deadline: tokio::time::Instant,
    progress: Arc<Mutex<Progress>>,
    events: tokio::sync::mpsc::UnboundedSender<AttemptEvent>,
}

impl TargetRun {
    async fn run(self) {
        let config = &self.config;
        let delay_end = tokio::time::Instant::from_std(self.run_start) + config.initial_delay;
        tokio::time::sleep_until(delay_end.min(self.deadline)).await;
        let name = self.target.name();
        let max_attempts = config.max_attempts();
        let mut number = 0u32;
        let mut passes = 0u32;
        let mut failures = 0u32;
        loop {
            number += 1;
            let now = tokio::time::Instant::now();
            let remaining = self.deadline.saturating_duration_since(now);
            let timeout = config.timeout.min(remaining);
            let cut = timeout < config.timeout;
            let attempt = attempt_once(
                &self.client,
                &self.target,
                &config.expectations,
                timeout.max(Duration::from_millis(1)),
                number,
                self.run_start,
                cut,
            )
            .await;
            if attempt.ok {
                passes += 1;
                failures = 0;
            } else {
                passes = 0;
                failures += 1;
            }
            let next = if passes >= config.success_threshold {
                Next::Done(Ending::Healthy)
            } else if max_attempts.is_some_and(|m| number >= m) {
                Next::Done(Ending::RetriesExhausted)
            } else {
                let wait = config.wait(failures, jitter());
                if tokio::time::Instant::now() + wait >= self.deadline {
                    Next::Done(Ending::Deadline)
                } else {
                    Next::Retry(wait)
                }
            };
            {
                let mut p = self.progress.lock().unwrap_or_else(|e| e.into_inner());
                p.attempts = number;
                p.passes_in_a_row = passes;
                if !attempt.ok {
                    p.last_failure = Some(attempt.clone());
                }
                p.last = Some(attempt.clone());
                p.elapsed_ms = ms(self.run_start.elapsed());
                if let Next::Done(ending) = next {
                    p.ending = Some(ending);
                }
            }
            let _ = self.events.send(AttemptEvent {
                target: self.index,
                name: name.clone(),
                max_attempts,
                passes_in_a_row: passes,
                success_threshold: config.success_threshold,
                attempt,
                next,
            });
            match next {
                Next::Done(_) => return,
                Next::Retry(wait) => tokio::time::sleep(wait).await,
            }
        }
    }
}

/// Probes every target until all are healthy, one gives up, or the
/// deadline passes. `on_event` hears every attempt as it finishes. Needs a
/// tokio runtime (a current-thread one is enough).
pub async fn run(
    config: Config,
    client: &Client,
    on_event: &mut dyn FnMut(&AttemptEvent),
) -> Report {
    let run_start = Instant::now();
    let deadline = tokio::time::Instant::from_std(run_start) + config.deadline;
    let config = Arc::new(config);
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    let mut progress = Vec::new();
    for (index, target) in config.targets.iter().enumerate() {
        let p = Arc::new(Mutex::new(Progress {
            attempts: 0,
            passes_in_a_row: 0,
            last: None,
            last_failure: None,
            ending: None,
            elapsed_ms: 0,
        }));
        progress.push(p.clone());
        tasks.spawn(
            TargetRun {
                index,
                target: target.clone(),
                config: config.clone(),
                client: client.clone(),
                run_start,
                deadline,
                progress: p,
                events: tx.clone(),
            }
            .run(),
        );
    }
    drop(tx);
    // Every attempt ends by the deadline; the grace covers a task stuck
    // where no timer reaches (it is dropped then).
    let hard_stop = tokio::time::sleep_until(deadline + Duration::from_secs(2));
    tokio::pin!(hard_stop);
    let mut gave_up = false;
    loop {
        tokio::select! {
            biased;
            event = rx.recv() => match event {
                Some(ev) => {
                    if matches!(ev.next, Next::Done(e) if e != Ending::Healthy) {
                        gave_up = true;
                    }
                    on_event(&ev);
                    if gave_up {
                        tasks.abort_all();
                    }
                }
                None => break,
            },
            _ = &mut hard_stop => {
                tasks.abort_all();
                break;
            }
        }
    }
    while tasks.join_next().await.is_some() {}
    while let Ok(ev) = rx.try_recv() {
        on_event(&ev);
    }
    let elapsed = run_start.elapsed();
    let targets: Vec<TargetReport> = config
        .targets
        .iter()
        .zip(&progress)
        .map(|(t, p)| {
            let p = p.lock().unwrap_or_else(|e| e.into_inner()).clone();
            let ending = match p.ending {
                Some(e) => Some(e),
                None if gave_up => Some(Ending::Stopped),
                None => Some(Ending::Deadline),
            };
            TargetReport {
                target: t.name(),
                kind: t.kind(),
                healthy: ending == Some(Ending::Healthy),
                ending,
                attempts: p.attempts,
                passes_in_a_row: p.passes_in_a_row,
                elapsed_ms: if p.ending.is_some() {
                    p.elapsed_ms
                } else {
                    ms(elapsed)
                },
                last: p.last,
                last_failure: p.last_failure,
            }
        })
        .collect();
    Report {
        healthy: targets.iter().all(|t| t.healthy),
        attempts: targets.iter().map(|t| t.attempts).sum(),
        elapsed_ms: ms(elapsed),
        deadline_ms: ms(config.deadline),
        targets,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> Config {
        Config::new(
            vec![Target::Tcp(TcpTarget::parse("localhost:1").unwrap())],
            Vec::new(),
        )
    }

    #[test]
    fn defaults_are_finite() {
        let c = config();
        assert_eq!(c.deadline, Duration::from_secs(300));
        assert_eq!(c.max_attempts(), None);
        assert!(c.validate().is_ok());
    }

    #[test]
    fn fixed_backoff_is_the_interval() {
        let c = config();
        for failures in [0, 1, 5, 100] {
            assert_eq!(c.wait(failures, 0.7), Duration::from_secs(5));
        }
    }

    #[test]
    fn exponential_backoff_doubles_with_jitter_and_a_cap() {
        let mut c = config();
        c.backoff = Backoff::Exponential;
        c.interval = Duration::from_secs(1);
        c.max_interval = Duration::from_secs(10);
        // jitter 0.5 is the middle: exactly the base
        assert_eq!(c.wait(1, 0.5), Duration::from_secs(1));
        assert_eq!(c.wait(2, 0.5), Duration::from_secs(2));
        assert_eq!(c.wait(3, 0.5), Duration::from_secs(4));
        assert_eq!(c.wait(5, 0.5), Duration::from_secs(10));
        assert_eq!(c.wait(u32::MAX, 0.5), Duration::from_secs(10));
        // ±10 %
        assert_eq!(c.wait(2, 0.0), Duration::from_secs_f64(1.8));
        assert_eq!(c.wait(2, 1.0), Duration::from_secs_f64(2.2));
        // after a pass, back to the interval
        assert_eq!(c.wait(0, 0.5), Duration::from_secs(1));
        let j = jitter();
        assert!((0.0..1.0).contains(&j));
    }

    #[test]
    fn settings_that_cannot_work_are_refused() {
        let mut c = config();
        c.retries = Some(1);
        c.success_threshold = 3;
        let e = c.validate().unwrap_err();
        assert_eq!(
            e,
            ConfigError::TooFewAttempts {
                attempts: 2,
                threshold: 3
            }
        );
        assert!(e.to_string().contains("at least 2"), "{e}");
        let mut c = config();
        c.initial_delay = Duration::from_secs(300);
        assert!(matches!(
            c.validate(),
            Err(ConfigError::DelayPastDeadline { .. })
        ));
        let mut c = config();
        c.targets.clear();
        assert_eq!(c.validate(), Err(ConfigError::NoTargets));
    }

    #[test]
    fn attempts_describe_themselves() {
        let mut a = Attempt {
            attempt: 1,
            time: "2025-01-20T14:30:22.000Z".into(),
            at_ms: 0,
            ok: false,
            status: Some(503),
            latency_ms: 12,
            error: None,
            error_kind: None,
            hint: None,
            failures: vec![probe::Mismatch {
                expectation: "status".into(),
                expected: "2xx".into(),
                got: "503".into(),
            }],
            notes: Vec::new(),
            body_excerpt: None,
            truncated: false,
            address: None,
        };
        assert_eq!(a.describe(), "503 in 12 ms (status: expected 2xx, got 503)");
        a.failures.clear();
        a.error = Some("connection refused by 127.0.0.1:1".into());
        a.status = None;
        assert_eq!(
            a.describe(),
            "connection refused by 127.0.0.1:1 after 12 ms"
        );
    }
}
