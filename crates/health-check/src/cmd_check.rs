//! Builds the targets and the schedule from the flags, waits, and finishes
//! with outputs, the summary and the exit code.

use super::cli::Cli;
use super::render::{last_failure_line, plural, progress_line, summary};
use gha::{Failure, Outcome, Outputs, Runner};
use health_check::{Config, Target, TargetReport};
use probe::{CaCert, Client, ClientConfig, Expectation, Header, Method, Request, TcpTarget, Url};
use std::time::Duration;

/// Waits for the targets `cli` names; the exit code.
pub fn check(runner: &Runner, cli: Cli) -> u8 {
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
