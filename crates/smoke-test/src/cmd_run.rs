//! Loads the spec (each problem annotated at its place), runs it, writes
//! the JUnit file, and finishes with outputs, the summary and the exit code.

use super::TOOL;
use super::cli::Cli;
use super::render::{Printer, mask, redact_url, summary};
use gha::{Failure, Level, Location, Outcome, Outputs, Runner};
use smoke_test::run::{Observer, RunOptions};
use smoke_test::spec::{self, LoadOptions, Spec};
use std::process::ExitCode;
use std::sync::Arc;

/// Runs the spec `cli` names; `env` looks up `${NAME}` for the spec.
pub fn smoke_test(
    cli: &Cli,
    runner: &Arc<Runner>,
    env: &dyn Fn(&str) -> Option<String>,
) -> ExitCode {
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
    let opts = LoadOptions {
        file: file.clone(),
        base_url: cli.base_url.clone(),
        vars: cli.vars.iter().flat_map(|d| d.0.iter().cloned()).collect(),
        retries: cli.retries,
        env,
    };
    let spec = match spec::load(&source, &opts) {
        Ok(s) => s,
        Err(errors) => {
            for s in &errors.secrets {
                mask(runner, s);
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
        mask(runner, s);
    }
    run(cli, runner, spec)
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
