//! Output: the refusal (reason, fix, summary), each command's result as
//! `$GITHUB_OUTPUT` values, log lines, stdout and the job summary.

use gha::{Classify, ErrorClass, Outcome, Outputs, Summary};
use repo::{Provenance, Scope, Stage, StoredEvent};
use serde_json::{Value, json};
use tag_gate::{
    Advice, Checked, GateError, Listing, Live, Recorded, RequireReport, TagReport, short_time,
};
use version_stamp::BuildVersion;

use super::{Ctx, TOOL};

impl Ctx<'_> {
    /// A closed gate: outputs (with passed=false), the reason and the fix,
    /// a summary line. Other errors: exit 2 or 3 with their hint.
    pub(super) fn refuse(&self, err: GateError, outputs: Outputs, title: &str) -> u8 {
        self.refuse_with(err, None, outputs, title)
    }

    /// [`Ctx::refuse`], adding the passing versions and the command that
    /// moves on.
    pub(super) fn refuse_with(
        &self,
        err: GateError,
        advice: Option<Advice>,
        outputs: Outputs,
        title: &str,
    ) -> u8 {
        if err.class() != ErrorClass::Denied {
            return self.runner.fail_code(&err);
        }
        let lines: Vec<String> = err
            .hint()
            .into_iter()
            .chain(
                advice
                    .iter()
                    .flat_map(|a| a.to_string().lines().map(str::to_owned).collect::<Vec<_>>()),
            )
            .collect();
        let mut reason = err.to_string();
        for line in &lines {
            reason.push('\n');
            reason.push_str(line);
        }
        let mut summary = Summary::new();
        summary.heading(3, &format!("⛔ tag-gate {title}"));
        summary.line(&gha::escape::markdown_cell(&err.to_string()));
        for line in &lines {
            summary.line(&gha::escape::markdown_cell(line));
        }
        self.runner
            .finish_code(Outcome::failed(outputs, reason).with_summary(summary))
    }

    pub(super) fn warn_all(&self, warnings: &[String]) {
        for w in warnings {
            self.runner.warning(w);
        }
    }

    /// The command's result on stdout (neutralised, nothing under `--json`).
    pub(super) fn stdout(&self, text: &str) {
        self.runner.print(text);
    }

    pub(super) fn tag_done(&self, command: &str, report: TagReport) -> u8 {
        self.warn_all(&report.warnings);
        for c in &report.checked {
            self.runner
                .info(&format!("{TOOL}: ✔ {} {}", c.tag.name, checked_text(c)));
        }
        let origin = report
            .record
            .as_ref()
            .map(record_origin)
            .unwrap_or_default();
        let line = if report.created {
            format!(
                "{TOOL}: ✔ created {} on {}{origin} in {}",
                report.tag,
                report.commit,
                self.took()
            )
        } else if report.raced {
            format!(
                "{TOOL}: ✔ {} was created by a concurrent run first ({}); its record stands, created=false, in {}",
                report.tag,
                origin.trim(),
                self.took()
            )
        } else {
            format!(
                "{TOOL}: ✔ {} already exists on {}{origin}; nothing to do (created=false), in {}",
                report.tag,
                report.commit,
                self.took()
            )
        };
        let mut outputs = base_outputs(&report.stage, &report.version, &report.tag);
        // the registry moved first (the git tag is written once it agrees):
        // its lines come first too
        self.registry_lines(&mut outputs);
        self.runner.info(&line);
        outputs
            .set("sha", report.commit.as_str())
            .set("created", report.created)
            .set(
                "artifact-digest",
                report.artifact_digest.clone().unwrap_or_default(),
            )
            .set(
                "promoted-from",
                report
                    .record
                    .as_ref()
                    .and_then(|p| p.promoted_from.clone())
                    .unwrap_or_default(),
            )
            .set("record", record_json(report.record.as_ref()))
            .set(
                "image",
                report
                    .record
                    .as_ref()
                    .and_then(|p| p.image.clone())
                    .unwrap_or_default(),
            )
            .set(
                "image-digest",
                report
                    .record
                    .as_ref()
                    .and_then(|p| p.image_digest.clone())
                    .unwrap_or_default(),
            );
        let mut summary = Summary::new();
        let icon = if report.created { "🏷️" } else { "✔" };
        summary.heading(3, &format!("{icon} tag-gate {command}: `{}`", report.tag));
        let mut rows: Vec<[String; 4]> = report
            .checked
            .iter()
            .map(|c| {
                [
                    format!("`{}`", c.tag.name),
                    c.tag.commit.short(12).to_owned(),
                    c.time().map(short_time).unwrap_or_default(),
                    if c.flaw.is_some() {
                        "⚠️ unverified (allowed)".into()
                    } else {
                        "✔ verified".into()
                    },
                ]
            })
            .collect();
        rows.push([
            format!("`{}`", report.tag),
            report.commit.short(12).to_owned(),
            report
                .record
                .as_ref()
                .map(|p| short_time(p.time))
                .unwrap_or_default(),
            if report.created {
                "🏷️ created".into()
            } else if report.raced {
                "✔ created by a concurrent run".into()
            } else {
                "✔ already there".into()
            },
        ]);
        summary.table(&["tag", "commit", "entered", "status"], rows);
        if let Some(p) = &report.record {
            summary.table(&["field", "value"], record_rows(p));
        }
        self.stdout(&report.tag);
        self.runner
            .finish_code(Outcome::passed(outputs).with_summary(summary))
    }

    pub(super) fn checked_render(
        &self,
        command: &str,
        report: &RequireReport,
        mut outputs: Outputs,
    ) -> (Outputs, Summary) {
        let checked = &report.checked;
        outputs
            .set("sha", checked.tag.commit.as_str())
            .set("created", false)
            .set("artifact-digest", checked.digest().unwrap_or_default())
            .set(
                "time",
                checked.time().map(|t| t.to_string()).unwrap_or_default(),
            )
            .set("record", record_json(checked.record.as_ref()));
        let mut summary = Summary::new();
        let icon = if checked.flaw.is_none() {
            "✔"
        } else {
            "⚠️"
        };
        summary.heading(
            3,
            &format!("{icon} tag-gate {command}: `{}`", checked.tag.name),
        );
        let mut rows = vec![
            ["commit".to_owned(), checked.tag.commit.to_string()],
            [
                "verified".to_owned(),
                match &checked.flaw {
                    None => "yes".to_owned(),
                    Some(f) => format!("no: {f}"),
                },
            ],
        ];
        if let Some(p) = &checked.record {
            rows.extend(record_rows(p).into_iter().filter(|[k, _]| k != "commit"));
        }
        summary.table(&["field", "value"], rows);
        (outputs, summary)
    }

    pub(super) fn listing_notes(&self, listing: &Listing) {
        if !listing.ignored.is_empty() {
            let shown: Vec<&str> = listing.ignored.iter().take(5).map(String::as_str).collect();
            self.runner.info(&format!(
                "{TOOL}: ignored {} tag(s) under '{}' that are not versions: {}{}",
                listing.ignored.len(),
                listing.scope.tag_prefix(),
                shown.join(", "),
                if listing.ignored.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            ));
        }
        for skipped in &listing.skipped {
            self.runner.info(&format!(
                "{TOOL}: left out {}: {}",
                skipped.tag, skipped.reason
            ));
        }
    }

    pub(super) fn recorded(&self, command: &str, recorded: Recorded) -> u8 {
        let event = &recorded.event.event;
        let line = if recorded.created {
            format!(
                "{TOOL}: recorded {} {} in {} ({}, event {}) in {}",
                event.version,
                event.status,
                event.scope(),
                self.store.describe(),
                recorded.event.id,
                self.took()
            )
        } else {
            format!(
                "{TOOL}: {} is already revoked for {} (event {}); nothing to do",
                event.version,
                event.scope(),
                recorded.event.id
            )
        };
        self.runner.info(&line);
        let mut outputs = base_outputs(&event.stage, &event.version, "");
        outputs
            .set("status", event.status.as_str())
            .set("event-id", recorded.event.id.as_str())
            .set("created", recorded.created)
            .set(
                "sha",
                event
                    .commit
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            )
            .set("url", event.url.clone().unwrap_or_default());
        let mut summary = Summary::new();
        summary.heading(
            3,
            &format!(
                "tag-gate {command}: `{}` {} in {}",
                event.version,
                event.status,
                event.scope()
            ),
        );
        summary.table(
            &["time", "version", "status", "actor", "run", "note"],
            [event_row(&recorded.event)],
        );
        self.runner
            .finish_code(Outcome::done(outputs).with_summary(summary))
    }

    /// The registry's part of a report: what was retagged.
    pub(super) fn registry_lines(&self, outputs: &mut gha::Outputs) {
        let Some(step) = self.step else {
            outputs.set("retagged", "");
            return;
        };
        let done = step.retagged();
        for r in &done {
            let what = if r.moved {
                "now names"
            } else {
                "already named"
            };
            self.runner
                .info(&format!("{TOOL}: ✔ {} {what} {}", r.target, r.digest));
        }
        if let Some(image) = step.served() {
            if done.is_empty() {
                self.runner
                    .info(&format!("{TOOL}: ✔ the registry serves {image}"));
            }
        }
        outputs.set(
            "retagged",
            done.iter()
                .map(|r| r.target.to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
    }

    /// `latest` and `list`: the newest version's outputs (and with `list`
    /// every version's), the table, one version per stdout line.
    pub(super) fn listed(
        &self,
        command: &str,
        stage: &Stage,
        scope: &Scope,
        latest: bool,
        listing: Listing,
    ) -> u8 {
        self.warn_all(&listing.warnings);
        self.listing_notes(&listing);
        let newest = &listing.entries[0];
        let mut outputs = base_outputs(stage, &newest.version, &newest.tag);
        outputs
            .set("sha", newest.commit.as_str())
            .set(
                "time",
                newest.time.map(|t| t.to_string()).unwrap_or_default(),
            )
            .set("artifact-digest", newest.digest.clone().unwrap_or_default())
            .set("ignored", listing.ignored.len())
            .set("skipped", listing.skipped.len());
        let versions: Vec<Value> = listing
            .entries
            .iter()
            .map(|e| {
                json!({
                    "version": e.version.to_string(),
                    "sha": e.commit.as_str(),
                    "time": e.time.map(|t| t.to_string()),
                    "tag": e.tag,
                    "artifact_digest": e.digest,
                    "verified": e.verified,
                })
            })
            .collect();
        if !latest {
            outputs
                .set("versions", Value::Array(versions))
                .set("count", listing.entries.len());
        }
        let mut summary = Summary::new();
        summary.heading(
            3,
            &format!(
                "tag-gate {command}: {} ({} of {} version tags shown)",
                scope.environment(),
                listing.entries.len(),
                listing.total
            ),
        );
        summary.table(
            &["version", "commit", "entered", "digest"],
            listing.entries.iter().map(|e| {
                [
                    format!("`{}`", e.version),
                    e.commit.short(12).to_owned(),
                    e.time.map(short_time).unwrap_or_default(),
                    e.digest.as_deref().map(short_digest).unwrap_or_default(),
                ]
            }),
        );
        if !listing.skipped.is_empty() {
            summary.table(
                &["left out", "why"],
                listing
                    .skipped
                    .iter()
                    .map(|skipped| [format!("`{}`", skipped.tag), skipped.reason.clone()]),
            );
        }
        self.runner.info(&format!(
            "{TOOL}: {command} {}: {} ({} in {})",
            scope.environment(),
            listing
                .entries
                .iter()
                .map(|e| e.version.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            self.store.describe(),
            self.took()
        ));
        for e in &listing.entries {
            self.stdout(e.version.as_str());
        }
        self.runner
            .finish_code(Outcome::done(outputs).with_summary(summary))
    }

    /// `require` passed: the log line, outputs, summary, the tag on stdout.
    pub(super) fn required(&self, name: &str, report: RequireReport, base: Outputs) -> u8 {
        self.warn_all(&report.warnings);
        self.runner.info(&format!(
            "{TOOL}: ✔ {} {} ({} in {})",
            name,
            checked_text(&report.checked),
            self.store.describe(),
            self.took()
        ));
        let (outputs, summary) = self.checked_render("require", &report, base);
        self.stdout(name);
        self.runner
            .finish_code(Outcome::passed(outputs).with_summary(summary))
    }

    /// `show`: whether it verifies, the record on stdout (JSON), outputs.
    pub(super) fn shown(&self, name: &str, report: RequireReport, base: Outputs) -> u8 {
        match &report.checked.flaw {
            None => self.runner.info(&format!(
                "{TOOL}: {name} verifies ({})",
                checked_text(&report.checked)
            )),
            Some(f) => self.runner.warning(&format!("{name} does not verify: {f}")),
        }
        let (mut outputs, summary) = self.checked_render("show", &report, base);
        outputs.set("verified", report.checked.flaw.is_none()).set(
            "flaw",
            report
                .checked
                .flaw
                .as_ref()
                .map(|f| f.to_string())
                .unwrap_or_default(),
        );
        match (&report.checked.record, report.checked.tag.annotation()) {
            (Some(p), _) => {
                if !self.runner.is_json() {
                    self.runner
                        .print_json(&serde_json::to_value(p).unwrap_or_default());
                }
            }
            // The message is outside text: printed line by line,
            // neutralised (Runner::print).
            (None, Some(a)) => self.stdout(a.message.trim_end()),
            (None, None) => self.stdout(&format!(
                "{name}: lightweight tag on {}",
                report.checked.tag.commit
            )),
        }
        self.runner
            .finish_code(Outcome::done(outputs).with_summary(summary))
    }

    /// `current` and `previous`: the version and the event that made it live.
    pub(super) fn live_done(&self, command: &str, stage: &Stage, previous: bool, live: Live) -> u8 {
        let event = &live.event.event;
        if live.revoked {
            self.runner.warning(&format!(
                "{} is live in {} but revoked for it: roll back (tag-gate previous --stage {stage})",
                event.version,
                live.scope
            ));
        }
        let mut text = format!(
            "{TOOL}: {command} in {}: {} (deployed {}",
            live.scope,
            event.version,
            short_time(event.time)
        );
        if let Some(a) = &event.actor {
            text.push_str(&format!(" by {a}"));
        }
        text.push(')');
        if previous && let Some(c) = &live.current {
            text.push_str(&format!(", before the current {c}"));
        }
        self.runner.info(&format!("{text} in {}", self.took()));
        // The stage tag only when it exists: a deployment stage (dev) need
        // not be a chain stage.
        let mut outputs = base_outputs(stage, &event.version, live.tag.as_deref().unwrap_or(""));
        outputs
            .set(
                "sha",
                event
                    .commit
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            )
            .set("time", event.time.to_string())
            .set("url", event.url.clone().unwrap_or_default())
            .set("event-id", live.event.id.as_str())
            .set("revoked", live.revoked);
        if previous {
            outputs.set(
                "current",
                live.current
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            );
        }
        let mut summary = Summary::new();
        summary.heading(
            3,
            &format!("tag-gate {command}: {} → `{}`", live.scope, event.version),
        );
        summary.table(
            &["time", "version", "status", "actor", "run", "note"],
            [event_row(&live.event)],
        );
        self.stdout(event.version.as_str());
        self.runner
            .finish_code(Outcome::done(outputs).with_summary(summary))
    }

    /// `history`: the events, newest first.
    pub(super) fn history_done(
        &self,
        scope: &Scope,
        mut base: Outputs,
        events: Vec<StoredEvent>,
    ) -> u8 {
        self.runner.info(&format!(
            "{TOOL}: {} event(s) in {} ({} in {})",
            events.len(),
            scope,
            self.store.describe(),
            self.took()
        ));
        let list: Vec<Value> = events
            .iter()
            .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
            .collect();
        base.set("events", Value::Array(list))
            .set("count", events.len());
        let mut summary = Summary::new();
        summary.heading(3, &format!("tag-gate history: {scope}"));
        summary.table(
            &["time", "version", "status", "actor", "run", "note"],
            events.iter().map(event_row),
        );
        for e in &events {
            self.stdout(&format!(
                "{}  {:<11}  {}",
                short_time(e.event.time),
                e.event.status.as_str(),
                e.event.version
            ));
        }
        self.runner
            .finish_code(Outcome::done(base).with_summary(summary))
    }
}

pub(super) fn base_outputs(stage: &Stage, version: &BuildVersion, tag: &str) -> Outputs {
    Outputs::new()
        .with("stage", stage.as_str())
        .with("version", version.as_str())
        .with("tag", tag)
}

pub(super) fn record_json(record: Option<&Provenance>) -> Value {
    record
        .and_then(|record| serde_json::to_value(record).ok())
        .unwrap_or(Value::Null)
}

pub(super) fn short_digest(digest: &str) -> String {
    digest
        .get(..19)
        .map(|short| format!("{short}…"))
        .unwrap_or_else(|| digest.to_owned())
}

/// ` by octocat (run 42)`.
pub(super) fn record_origin(record: &Provenance) -> String {
    let mut origin = String::new();
    if let Some(actor) = &record.actor {
        origin.push_str(&format!(" by {actor}"));
    }
    match (&record.run_url, record.run_id) {
        (Some(url), _) => origin.push_str(&format!(" ({url})")),
        (None, Some(id)) => origin.push_str(&format!(" (run {id})")),
        _ => {}
    }
    origin
}

pub(super) fn checked_text(checked: &Checked) -> String {
    let mut text = match &checked.flaw {
        None => "verified".to_owned(),
        Some(flaw) => format!("accepted unverified ({flaw})"),
    };
    text.push_str(&format!(": commit {}", checked.tag.commit.short(12)));
    if let Some(digest) = checked.digest() {
        text.push_str(&format!(", {}", short_digest(digest)));
    }
    if let Some(time) = checked.time() {
        text.push_str(&format!(", since {}", short_time(time)));
    }
    if let Some(record) = &checked.record {
        text.push_str(&record_origin(record));
    }
    text
}

pub(super) fn record_rows(record: &Provenance) -> Vec<[String; 2]> {
    let mut rows = vec![
        ["version".to_owned(), record.version.to_string()],
        ["stage".to_owned(), record.stage.to_string()],
        ["commit".to_owned(), record.commit.to_string()],
        ["time".to_owned(), short_time(record.time)],
    ];
    let opt = |k: &str, v: Option<String>| v.map(|v| [k.to_owned(), v]);
    rows.extend(
        [
            opt("service", record.service.as_ref().map(|s| s.to_string())),
            opt("artifact digest", record.artifact_digest.clone()),
            opt("artifact id", record.artifact_id.clone()),
            opt("promoted from", record.promoted_from.clone()),
            opt("actor", record.actor.clone()),
            opt("workflow", record.workflow.clone()),
            opt(
                "run",
                record
                    .run_url
                    .clone()
                    .or(record.run_id.map(|i| i.to_string())),
            ),
            opt("note", record.note.clone()),
        ]
        .into_iter()
        .flatten(),
    );
    rows
}

pub(super) fn event_row(stored: &StoredEvent) -> [String; 6] {
    let event = &stored.event;
    [
        short_time(event.time),
        format!("`{}`", event.version),
        event.status.to_string(),
        event.actor.clone().unwrap_or_default(),
        event
            .run_url
            .clone()
            .or(event.run_id.map(|i| i.to_string()))
            .unwrap_or_default(),
        [event.url.clone(), event.description.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
    ]
}
