//! What a wait shows: one progress line per attempt, each target's ending,
//! and the job summary.

use gha::Summary;
use health_check::{AttemptEvent, Ending, Next, Report, TargetReport};
use std::time::Duration;

pub fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

/// `attempt 3/10 https://…/health: 503 in 120 ms (status: expected 2xx, got 503) — next in 5 s`
pub fn progress_line(ev: &AttemptEvent, deadline: Duration) -> String {
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

pub fn ending_text(t: &TargetReport, deadline: Duration) -> String {
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
pub fn last_failure_line(t: &TargetReport, deadline: Duration) -> String {
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

pub fn summary(report: &Report, n_targets: usize) -> Summary {
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
