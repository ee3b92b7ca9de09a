//! A `run:` check's attempt: the command's exit code and output held
//! against the expectations.

use super::attempt::{Attempt, capture};
use super::http::{evaluate, redacted, render, text_excerpt};
use super::{Ctx, command, run_target};
use crate::report::Mismatch;
use crate::spec::{CaptureDef, RunCheck};
use crate::template::{Values, value_text};
use probe::{Expectation, ExpectedValue, HeaderMap, RegexExpect, Response};

pub(super) async fn run_attempt(
    ctx: &Ctx,
    r: &RunCheck,
    captures: &[CaptureDef],
    values: &Values,
) -> Attempt {
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
