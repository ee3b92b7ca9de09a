//! `health-check`: flags and the runner's variables in; one progress line
//! per attempt on stderr; the verdict as outputs, a job summary table,
//! `--json` and the exit code.

use clap::{ArgAction, ArgGroup, Parser};
use gha::cli::Safe;
use gha::{Env, Failure, Outcome, Outputs, Runner, Summary};
use health_check::{AttemptEvent, Backoff, Config, Ending, Next, Report, Target, TargetReport};
use probe::{
    CaCert, Client, ClientConfig, Expectation, Header, JsonPathExpr, Method, Request, StatusExpect,
    TcpTarget, Url,
};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

const TOOL: &str = "health-check";

/// Waits until every target is healthy — Kubernetes-probe semantics, all
/// targets at once, never longer than --deadline — or says why not.
#[derive(Parser, Debug)]
#[command(
    name = TOOL,
    version,
    group(ArgGroup::new("targets").required(true).multiple(true).args(["url", "tcp"])),
    after_help = "\
Every value can also come from an environment variable INPUT_<FLAG> (e.g.
INPUT_EXPECT_STATUS); list flags (--url, --tcp, --header, --expect-json)
take one value per line there (--url and --tcp also split on commas).

Outputs: healthy, attempts, elapsed-ms, report (JSON of every target's last
attempt), passed.
Exit codes: 0 healthy (or --soft) · 1 unhealthy: refused, timed out or
answered wrongly (each target's last failure is shown) · 2 bad input ·
3 the tool's own environment failed.

Examples:
  health-check --url https://shop.example.com/health --deadline 3m
  health-check --url http://localhost:8080/api/version \\
      --expect-version 84fb5881-20250120-143022 --success-threshold 3
  health-check --url http://localhost:8080/health --expect-json '$.db=up' --once
  health-check --tcp db.internal:5432 --tcp cache.internal:6379 --interval 2s"
)]
struct Cli {
    /// An HTTP(S) URL to probe (repeatable)
    #[arg(long, env = "INPUT_URL", value_name = "URL", action = ArgAction::Append, value_parser = Safe(parse_urls))]
    url: Vec<Vec<Url>>,

    /// A TCP port that must accept connections, as HOST:PORT (repeatable)
    #[arg(long, env = "INPUT_TCP", value_name = "HOST:PORT", action = ArgAction::Append, value_parser = Safe(parse_tcps))]
    tcp: Vec<Vec<TcpTarget>>,

    /// Statuses that pass: codes, ranges and classes separated by , or |
    #[arg(long, env = "INPUT_EXPECT_STATUS", value_name = "200,204|2xx", default_value = "2xx", value_parser = Safe(parse_status))]
    expect_status: StatusExpect,

    /// A regex the body must match somewhere
    #[arg(long, env = "INPUT_EXPECT_BODY", value_name = "REGEX", value_parser = Safe(parse_body_regex))]
    expect_body: Option<Expectation>,

    /// PATH=VALUE: the JSON body's value at an RFC 9535 JSONPath (PATH alone:
    /// it must exist); VALUE is JSON or text (`$.ok=true`, `$.version=1.2.3`)
    #[arg(long, env = "INPUT_EXPECT_JSON", value_name = "PATH=VALUE", action = ArgAction::Append, value_parser = Safe(parse_json_assertions))]
    expect_json: Vec<Vec<Expectation>>,

    /// The version that must answer: the JSON field at --version-field, or
    /// by default $.version if the body is JSON and has it, else anywhere in
    /// the body
    #[arg(long, env = "INPUT_EXPECT_VERSION", value_name = "VERSION", value_parser = Safe(gha::cli::trimmed))]
    expect_version: Option<String>,

    /// The JSONPath of the version field, e.g. $.build.version
    #[arg(long, env = "INPUT_VERSION_FIELD", value_name = "PATH", requires = "expect_version", value_parser = Safe(parse_path))]
    version_field: Option<JsonPathExpr>,

    /// The HTTP method
    #[arg(long, env = "INPUT_METHOD", value_name = "METHOD", default_value = "GET", value_parser = Safe(parse_method))]
    method: Method,

    /// A request header, NAME: VALUE (repeatable). Values of Authorization,
    /// Cookie and names containing token, key or secret are masked
    #[arg(long, env = "INPUT_HEADER", value_name = "NAME: VALUE", action = ArgAction::Append, value_parser = Safe(parse_headers))]
    header: Vec<Vec<Header>>,

    /// Bound on one attempt: connect, redirects, headers and body
    #[arg(long, env = "INPUT_TIMEOUT", value_name = "DURATION", default_value = "5s", value_parser = Safe(positive_duration))]
    timeout: Duration,

    /// Wait between attempts (the first wait with exponential backoff)
    #[arg(long, env = "INPUT_INTERVAL", value_name = "DURATION", default_value = "5s", value_parser = Safe(interval))]
    interval: Duration,

    /// How the wait grows after failures: fixed, or exponential (doubling,
    /// ±10 % jitter, up to --max-interval)
    #[arg(long, env = "INPUT_BACKOFF", value_name = "fixed|exponential", default_value = "fixed", value_parser = Safe(parse_backoff))]
    backoff: Backoff,

    /// The longest wait with exponential backoff
    #[arg(long, env = "INPUT_MAX_INTERVAL", value_name = "DURATION", default_value = "60s", value_parser = Safe(interval))]
    max_interval: Duration,

    /// Attempts after the first, per target [default: until the deadline]
    #[arg(long, env = "INPUT_RETRIES", value_name = "N", value_parser = Safe(parse_count))]
    retries: Option<u32>,

    /// Hard bound on the whole run; an attempt in flight is cut short
    #[arg(long, env = "INPUT_DEADLINE", value_name = "DURATION", default_value = "5m", value_parser = Safe(positive_duration))]
    deadline: Duration,

    /// Wait before the first attempt
    #[arg(long, env = "INPUT_INITIAL_DELAY", value_name = "DURATION", default_value = "0s", value_parser = Safe(gha::cli::duration))]
    initial_delay: Duration,

    /// Passes in a row that make a target healthy
    #[arg(long, env = "INPUT_SUCCESS_THRESHOLD", value_name = "N", default_value = "1", value_parser = Safe(parse_threshold))]
    success_threshold: u32,

    /// One attempt per target, exit 0 or 1: for a container HEALTHCHECK
    #[arg(long, env = "INPUT_ONCE", action = ArgAction::SetTrue, value_parser = Safe(parse_bool))]
    once: bool,

    /// Do not verify TLS certificates or host names (tests only)
    #[arg(long, env = "INPUT_INSECURE", action = ArgAction::SetTrue, value_parser = Safe(parse_bool))]
    insecure: bool,

    /// Trust the CA certificates in this PEM file, besides the system's
    #[arg(long, env = "INPUT_CA_CERT", value_name = "FILE")]
    ca_cert: Option<PathBuf>,

    /// Unhealthy exits 0 with passed=false and healthy=false
    #[arg(long, env = "INPUT_SOFT", action = ArgAction::SetTrue, value_parser = Safe(parse_bool))]
    soft: bool,

    /// Print one JSON object with every output on stdout (and nothing else)
    #[arg(long, env = "INPUT_JSON", action = ArgAction::SetTrue, value_parser = Safe(parse_bool))]
    json: bool,
}

/// Lines of a list value, without blanks and `#` comments.
fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// URLs, one per line; a comma starts a new URL only when an http(s)://
/// follows it (a comma inside a query stays).
fn parse_urls(s: &str) -> Result<Vec<Url>, String> {
    let mut out = Vec::new();
    for line in lines(s) {
        let mut pieces: Vec<String> = Vec::new();
        for piece in line.split(',') {
            let t = piece.trim_start();
            let starts_url = t.starts_with("http://") || t.starts_with("https://");
            match pieces.last_mut() {
                Some(last) if !starts_url => {
                    last.push(',');
                    last.push_str(piece);
                }
                _ => pieces.push(piece.to_owned()),
            }
        }
        for p in pieces {
            if p.trim().is_empty() {
                continue;
            }
            out.push(probe::parse_url(&p).map_err(|e| e.to_string())?);
        }
    }
    if out.is_empty() {
        return Err("expected a URL such as https://example.com/health".into());
    }
    Ok(out)
}

fn parse_tcps(s: &str) -> Result<Vec<TcpTarget>, String> {
    let targets: Vec<TcpTarget> = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| TcpTarget::parse(p).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    if targets.is_empty() {
        return Err("expected HOST:PORT, e.g. localhost:5432".into());
    }
    Ok(targets)
}

fn parse_headers(s: &str) -> Result<Vec<Header>, String> {
    lines(s)
        .map(|l| Header::parse(l).map_err(|e| e.to_string()))
        .collect()
}

fn parse_json_assertions(s: &str) -> Result<Vec<Expectation>, String> {
    lines(s)
        .map(|l| Expectation::parse_json_assertion(l).map_err(|e| e.to_string()))
        .collect()
}

fn parse_status(s: &str) -> Result<StatusExpect, String> {
    StatusExpect::parse(s).map_err(|e| e.to_string())
}

fn parse_body_regex(s: &str) -> Result<Expectation, String> {
    Expectation::body_matches(s).map_err(|e| e.to_string())
}

fn parse_path(s: &str) -> Result<JsonPathExpr, String> {
    JsonPathExpr::parse(s).map_err(|e| e.to_string())
}

fn parse_method(s: &str) -> Result<Method, String> {
    probe::parse_method(s).map_err(|e| e.to_string())
}

fn positive_duration(s: &str) -> Result<Duration, String> {
    let d = gha::cli::duration(s)?;
    if d.is_zero() {
        return Err(format!(
            "'{}' is zero: expected a positive duration such as 5s",
            s.trim()
        ));
    }
    Ok(d)
}

/// A wait between attempts: at least [`health_check::MIN_INTERVAL`], so a
/// typo such as `0s` cannot hammer the service.
fn interval(s: &str) -> Result<Duration, String> {
    let d = gha::cli::duration(s)?;
    if d < health_check::MIN_INTERVAL {
        return Err(format!(
            "'{}' is below the floor of {}: expected at least 100ms, such as 5s",
            s.trim(),
            gha::cli::human_duration(health_check::MIN_INTERVAL)
        ));
    }
    Ok(d)
}

fn parse_backoff(s: &str) -> Result<Backoff, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "fixed" => Ok(Backoff::Fixed),
        "exponential" | "exp" => Ok(Backoff::Exponential),
        other => Err(format!("'{other}': expected fixed or exponential")),
    }
}

fn parse_count(s: &str) -> Result<u32, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("'{}': expected a whole number such as 10", s.trim()))
}

fn parse_threshold(s: &str) -> Result<u32, String> {
    match parse_count(s)? {
        0 => Err("'0': expected at least 1".into()),
        n => Ok(n),
    }
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Ok(true),
        "false" | "no" | "0" | "off" | "" => Ok(false),
        other => Err(format!("'{other}': expected true or false")),
    }
}

pub fn main() -> ExitCode {
    let cli: Cli = gha::cli::parse(TOOL);
    let runner = Runner::new(TOOL, Env::from_process())
        .json(cli.json)
        .soft(cli.soft);
    ExitCode::from(check(&runner, cli))
}

fn check(runner: &Runner, cli: Cli) -> u8 {
    let headers: Vec<Header> = cli.header.into_iter().flatten().collect();
    let urls: Vec<Url> = cli.url.into_iter().flatten().collect();
    let tcps: Vec<TcpTarget> = cli.tcp.into_iter().flatten().collect();
    let requests: Vec<Request> = urls
        .into_iter()
        .map(|url| {
            headers
                .iter()
                .fold(Request::new(cli.method.clone(), url), |r, h| {
                    r.header(h.clone())
                })
        })
        .collect();
    // Secrets first: nothing is printed before they are masked.
    for req in &requests {
        for secret in req.secrets() {
            runner.mask(&secret);
        }
    }

    let mut expectations = vec![Expectation::Status(cli.expect_status)];
    let body_checks =
        cli.expect_body.is_some() || !cli.expect_json.is_empty() || cli.expect_version.is_some();
    expectations.extend(cli.expect_body);
    expectations.extend(cli.expect_json.into_iter().flatten());
    if let Some(version) = cli.expect_version {
        expectations.push(Expectation::Version {
            version,
            field: cli.version_field,
        });
    }
    if requests.is_empty() && (body_checks || !headers.is_empty()) {
        return runner.fail_code(&Failure::input(
            "--expect-body, --expect-json, --expect-version and --header apply to --url targets, and there is none",
        ));
    }
    if cli.method == Method::HEAD && body_checks {
        return runner.fail_code(&Failure::input(
            "--method HEAD gets no body, so --expect-body, --expect-json and --expect-version cannot pass: use GET",
        ));
    }

    let mut targets: Vec<Target> = requests.into_iter().map(Target::Http).collect();
    targets.extend(tcps.into_iter().map(Target::Tcp));
    let mut config = Config::new(targets, expectations);
    config.timeout = cli.timeout;
    config.interval = cli.interval;
    config.backoff = cli.backoff;
    config.max_interval = cli.max_interval;
    config.retries = cli.retries;
    config.deadline = cli.deadline;
    config.initial_delay = cli.initial_delay;
    config.success_threshold = cli.success_threshold;
    if cli.once {
        if cli.retries.is_some_and(|r| r > 0) || cli.success_threshold > 1 {
            return runner.fail_code(&Failure::input(
                "--once makes exactly one attempt: drop --retries and --success-threshold, or drop --once",
            ));
        }
        config.retries = Some(0);
        config.success_threshold = 1;
    }
    if let Err(e) = config.validate() {
        return runner.fail_code(&e);
    }

    let mut ca_certs = Vec::new();
    if let Some(path) = &cli.ca_cert {
        match CaCert::from_file(path) {
            Ok(ca) => ca_certs.push(ca),
            Err(e) => return runner.fail_code(&e),
        }
    }
    if cli.insecure {
        runner.warning(if ca_certs.is_empty() {
            "TLS verification is off (--insecure): any certificate is accepted"
        } else {
            "TLS verification is off (--insecure): --ca-cert is ignored"
        });
    }
    let client = match Client::new(ClientConfig {
        connect_timeout: cli.timeout,
        timeout: cli.timeout,
        insecure: cli.insecure,
        ca_certs,
        user_agent: concat!("shipgate-health-check/", env!("CARGO_PKG_VERSION")).into(),
        ..ClientConfig::default()
    }) {
        Ok(c) => c,
        Err(e) => return runner.fail_code(&e),
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            return runner.fail_code(&Failure::environment(format!(
                "cannot start the async runtime: {e}"
            )));
        }
    };

    let deadline = config.deadline;
    let n_targets = config.targets.len();
    let report = rt.block_on(health_check::run(config, &client, &mut |ev| {
        runner.info(&progress_line(ev, deadline));
    }));
    // A system resolver call still running must not hold the exit.
    rt.shutdown_background();

    let summary = summary(&report, n_targets);
    let outputs = Outputs::new()
        .with("healthy", report.healthy)
        .with("attempts", report.attempts)
        .with("elapsed-ms", report.elapsed_ms)
        .with(
            "report",
            serde_json::to_value(&report).unwrap_or(serde_json::Value::Null),
        );
    let took = gha::cli::human_duration(Duration::from_millis(report.elapsed_ms));
    if report.healthy {
        runner.info(&format!(
            "healthy: {} in {took}, {} attempt{}",
            plural(n_targets, "target"),
            report.attempts,
            if report.attempts == 1 { "" } else { "s" }
        ));
        runner.finish_code(Outcome::passed(outputs).with_summary(summary))
    } else {
        let bad: Vec<&TargetReport> = report.unhealthy().collect();
        let mut reason = format!(
            "unhealthy: {} of {} after {took}",
            bad.len(),
            plural(n_targets, "target")
        );
        for t in &bad {
            reason.push('\n');
            reason.push_str(&last_failure_line(t, deadline));
        }
        runner.finish_code(Outcome::failed(outputs, reason).with_summary(summary))
    }
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `attempt 3/10 https://…/health: 503 in 120 ms (status: expected 2xx, got 503) — next in 5 s`
fn progress_line(ev: &AttemptEvent, deadline: Duration) -> String {
    let number = match ev.max_attempts {
        Some(max) => format!("{}/{max}", ev.attempt.attempt),
        None => ev.attempt.attempt.to_string(),
    };
    let threshold = ev.success_threshold;
    let next = match ev.next {
        Next::Retry(wait) if ev.attempt.ok => format!(
            "{}/{threshold} passes in a row, next in {}",
            ev.passes_in_a_row,
            gha::cli::human_duration(wait)
        ),
        Next::Retry(wait) => format!("next in {}", gha::cli::human_duration(wait)),
        Next::Done(Ending::Healthy) if threshold > 1 => {
            format!("healthy ({threshold}/{threshold} passes in a row)")
        }
        Next::Done(Ending::Healthy) => "healthy".into(),
        Next::Done(Ending::RetriesExhausted) => "no attempts left".into(),
        Next::Done(Ending::Deadline) => format!(
            "deadline ({}) reached, giving up",
            gha::cli::human_duration(deadline)
        ),
        Next::Done(Ending::Stopped) => "stopped".into(),
    };
    format!(
        "attempt {number} {}: {} — {next}",
        ev.name,
        ev.attempt.describe()
    )
}

fn ending_text(t: &TargetReport, deadline: Duration) -> String {
    match t.ending {
        Some(Ending::Healthy) => "healthy".into(),
        Some(Ending::RetriesExhausted) => "no attempts left".into(),
        Some(Ending::Deadline) | None => {
            format!("deadline {} reached", gha::cli::human_duration(deadline))
        }
        Some(Ending::Stopped) => "stopped: another target is unhealthy".into(),
    }
}

/// `http://…/health: 503 in 12 ms (status: expected 2xx, got 503); body "…"; at 2025-…Z (attempt 7); deadline 2 s reached`
fn last_failure_line(t: &TargetReport, deadline: Duration) -> String {
    let mut line = format!("{}: ", t.target);
    match t.last_failure.as_ref().or(t.last.as_ref()) {
        Some(a) => {
            line.push_str(&a.describe());
            if let Some(body) = &a.body_excerpt {
                line.push_str(&format!("; body {body:?}"));
            }
            line.push_str(&format!("; at {} (attempt {})", a.time, a.attempt));
            if let Some(h) = &a.hint {
                line.push_str(&format!("; {h}"));
            }
        }
        None => line.push_str("no attempt finished"),
    }
    line.push_str(&format!("; {}", ending_text(t, deadline)));
    line
}

fn summary(report: &Report, n_targets: usize) -> Summary {
    let mut s = Summary::new();
    s.heading(
        3,
        if report.healthy {
            "✅ health-check: healthy"
        } else {
            "❌ health-check: unhealthy"
        },
    );
    s.line(&format!(
        "{} · {} attempts · {} (deadline {})",
        plural(n_targets, "target"),
        report.attempts,
        gha::cli::human_duration(Duration::from_millis(report.elapsed_ms)),
        gha::cli::human_duration(Duration::from_millis(report.deadline_ms)),
    ));
    let deadline = Duration::from_millis(report.deadline_ms);
    let rows: Vec<Vec<String>> = report
        .targets
        .iter()
        .map(|t| {
            let last = t.last.as_ref();
            let shown = if t.healthy {
                last
            } else {
                t.last_failure.as_ref().or(last)
            };
            let result = if t.healthy {
                "✅ healthy".to_owned()
            } else {
                format!("❌ {}", ending_text(t, deadline))
            };
            let status = shown
                .and_then(|a| a.status)
                .map_or_else(|| "–".to_owned(), |s| s.to_string());
            let latency = shown.map_or_else(
                || "–".to_owned(),
                |a| gha::cli::human_duration(Duration::from_millis(a.latency_ms)),
            );
            let detail = match shown {
                None => "no attempt finished".to_owned(),
                Some(a) if t.healthy => a.notes.join("; "),
                Some(a) => {
                    let mut d = match &a.error {
                        Some(e) => e.clone(),
                        None => a
                            .failures
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    };
                    if let Some(b) = &a.body_excerpt {
                        d.push_str(&format!(" — body: {b}"));
                    }
                    d.push_str(&format!(" — at {}", a.time));
                    d
                }
            };
            vec![
                format!("`{}`", t.target.replace('`', "'")),
                result,
                t.attempts.to_string(),
                status,
                latency,
                detail,
            ]
        })
        .collect();
    s.table(
        &[
            "Target", "Result", "Attempts", "Status", "Latency", "Detail",
        ],
        rows,
    );
    s
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
    fn url_lists_split_on_lines_and_scheme_commas() {
        let urls = parse_urls(
            "https://a.example/health\n\n# comment\nhttp://b.example/x?ids=1,2, https://c.example/",
        )
        .unwrap();
        let texts: Vec<&str> = urls.iter().map(Url::as_str).collect();
        assert_eq!(
            texts,
            [
                "https://a.example/health",
                "http://b.example/x?ids=1,2",
                "https://c.example/"
            ]
        );
        assert!(parse_urls("ftp://x").is_err());
        assert!(parse_urls("  \n ").is_err());
    }

    #[test]
    fn tcp_lists_split_on_commas_and_whitespace() {
        let t = parse_tcps("db:5432, cache:6379\n[::1]:80").unwrap();
        assert_eq!(t.len(), 3);
        assert!(parse_tcps("db").is_err());
    }

    #[test]
    fn header_and_json_lists_split_on_lines_only() {
        let h = parse_headers("Accept: a, b\nX-Api-Key: k").unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].value(), "a, b");
        let j = parse_json_assertions("$.tags=[\"a\",\"b\"]\n$.ok=true").unwrap();
        assert_eq!(j.len(), 2);
    }

    #[test]
    fn booleans_from_actions() {
        assert_eq!(parse_bool("true"), Ok(true));
        assert_eq!(parse_bool(" False "), Ok(false));
        assert!(parse_bool("maybe").is_err());
    }
}
