//! The lint commands: `lint-title`, `lint-commits` and `lint-pr` (with its
//! sticky comment and release preview): run, then render.

use super::cli::{LintCommitsArgs, LintPrArgs, LintTitleArgs, Preview};
use super::github;
use gha::escape::markdown_cell;
use gha::{
    Classify, Failure, GithubEnv, Level, Location, Outcome, Outputs, Runner, Summary, neutral,
};
use semantic_bump::changelog;
use semantic_bump::commits::{CommitsOptions, lint_commits as run_lint_commits};
use semantic_bump::lint::{LintFailure, TitleOk, TitleRules, lint_title as run_lint_title};
use semantic_bump::pr;
use semantic_bump::{Bump, Git, Labels, NextReport, Source};
use serde_json::Value;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use super::render::{
    decision_json, ms, next_options, reasons, rules, short, shown_labels, token, version_str,
};

fn title_bump(ok: &TitleOk, labels: &[String]) -> (Bump, &'static str) {
    let l = Labels::read(labels);
    if l.skip {
        (Bump::None, "label release:skip")
    } else if let Some((b, _)) = l.bump {
        (b, "label")
    } else {
        (ok.bump, "title")
    }
}

fn ignored_by(labels: &[String], ignore: &[String]) -> Option<String> {
    labels
        .iter()
        .find(|l| ignore.iter().any(|i| i.eq_ignore_ascii_case(l)))
        .cloned()
}

fn title_outputs(ok: &TitleOk, labels: &[String]) -> Outputs {
    let (bump, from) = title_bump(ok, labels);
    Outputs::new()
        .with("type", ok.ty.clone())
        .with("scope", ok.scope.clone().unwrap_or_default())
        .with("breaking", ok.breaking)
        .with("bump", bump.as_str())
        .with("bump-from", from)
        .with("skipped", false)
}

fn failure_outputs(f: &LintFailure) -> Outputs {
    Outputs::new()
        .with("rule", f.rule.id())
        .with("example", f.example.clone().unwrap_or_default())
        .with("message", f.message.clone())
        .with("skipped", false)
}

fn failure_reason(title: &str, f: &LintFailure) -> String {
    format!(
        "the title '{}' breaks the rule {}: {}. {}",
        neutral::text(title),
        f.rule.id(),
        f.message,
        f.advice()
    )
}

pub fn lint_title(runner: &Runner, a: LintTitleArgs) -> ExitCode {
    // Trailing whitespace is ignored, leading whitespace is a fault: the
    // same reading as `next` and `lint-commits` (message::parse_header).
    let title = a.title.trim_end().to_owned();
    let rules = match rules(&a.rules) {
        Ok(r) => r,
        Err(e) => return runner.fail(&e),
    };
    if let Some(l) = ignored_by(&a.labels, &a.ignore_labels) {
        return skipped(
            runner,
            &format!("label '{l}'"),
            Outputs::new().with("title", title),
        );
    }
    if a.wip && is_wip(&title) {
        return skipped(
            runner,
            "the title starts with [WIP]",
            Outputs::new().with("title", title).with("wip", true),
        );
    }
    runner.finish(title_outcome(
        runner,
        &title,
        &rules,
        &a.labels,
        Outputs::new(),
    ))
}

/// action-semantic-pull-request's work-in-progress marker: `[WIP] …`.
fn is_wip(title: &str) -> bool {
    title
        .strip_prefix("[WIP]")
        .is_some_and(|rest| rest.starts_with(char::is_whitespace))
}

/// The check skipped by an ignore label; `known` holds the outputs known
/// anyway (the title, the pull request's number).
fn skipped(runner: &Runner, why: &str, known: Outputs) -> ExitCode {
    runner.info(&format!("semantic-bump: title check skipped ({why})"));
    let mut s = Summary::new();
    s.line(&format!(
        "⏭️ **semantic-bump**: title check skipped ({})",
        markdown_cell(why)
    ));
    let mut outputs = known;
    outputs.set("skipped", true);
    outputs.set("skipped-by", why);
    runner.finish(Outcome::passed(outputs).with_summary(s))
}

fn title_outcome(
    runner: &Runner,
    title: &str,
    rules: &TitleRules,
    labels: &[String],
    extra: Outputs,
) -> Outcome {
    let mut outputs = extra;
    outputs.set("title", title);
    match run_lint_title(title, rules) {
        Ok(ok) => {
            for (k, v) in title_outputs(&ok, labels).iter() {
                outputs.set(k, v.clone());
            }
            let (bump, from) = title_bump(&ok, labels);
            runner.info(&format!(
                "semantic-bump: the title '{}' follows the rules (type {}, {} by {from})",
                neutral::text(title),
                ok.ty,
                bump
            ));
            let mut s = Summary::new();
            s.line(&format!(
                "✅ **semantic-bump**: the title `{}` follows the rules — type `{}`{}, bump **{}** (by {from})",
                markdown_cell(title),
                ok.ty,
                ok.scope
                    .as_ref()
                    .map(|sc| format!(", scope `{}`", markdown_cell(sc)))
                    .unwrap_or_default(),
                bump
            ));
            Outcome::passed(outputs).with_summary(s)
        }
        Err(f) => {
            for (k, v) in failure_outputs(&f).iter() {
                outputs.set(k, v.clone());
            }
            let mut s = Summary::new();
            s.line(&format!(
                "⛔ **semantic-bump**: the title `{}` breaks the rule **{}**: {}",
                markdown_cell(title),
                f.rule.id(),
                markdown_cell(&f.message)
            ));
            s.line(&match &f.example {
                Some(e) => format!("A valid title: `{}`", markdown_cell(e)),
                None => markdown_cell(&f.advice()),
            });
            Outcome::failed(outputs, failure_reason(title, &f)).with_summary(s)
        }
    }
}

// ---------------------------------------------------------------- lint-commits

pub fn lint_commits(runner: &Runner, a: LintCommitsArgs) -> ExitCode {
    let git = Git::new(".");
    let opts = CommitsOptions {
        range: a.range.clone(),
        prefix: a.tag_prefix.clone(),
        remote: a.remote.clone(),
        rules: match rules(&a.rules) {
            Ok(r) => r,
            Err(e) => return runner.fail(&e),
        },
    };
    let started = Instant::now();
    let report = match run_lint_commits(&git, &opts) {
        Ok(r) => r,
        Err(e) => return runner.fail(&e),
    };
    let elapsed = started.elapsed();
    let outputs = Outputs::new()
        .with("range", report.range.clone())
        .with("checked", report.checked)
        .with("failed", report.failed)
        .with("merges", report.merges)
        .with("autosquash", report.autosquash)
        .with(
            "failures",
            serde_json::to_value(&report.failures).unwrap_or(Value::Null),
        );
    let mut s = Summary::new();
    runner.info(&format!(
        "semantic-bump: {} commit{} checked in {} ({}, {}): {} failed",
        report.checked,
        if report.checked == 1 { "" } else { "s" },
        ms(elapsed),
        report.range,
        report.range_source,
        report.failed
    ));
    if report.failed == 0 {
        s.line(&format!(
            "✅ **semantic-bump**: {} commit{} in `{}` follow the rules ({} merge{} and {} fixup/squash commit{} skipped).",
            report.checked,
            if report.checked == 1 { "" } else { "s" },
            markdown_cell(&report.range),
            report.merges,
            if report.merges == 1 { "" } else { "s" },
            report.autosquash,
            if report.autosquash == 1 { "" } else { "s" },
        ));
        return runner.finish(Outcome::passed(outputs).with_summary(s));
    }
    for f in report.failures.iter().take(20) {
        runner.annotate(
            Level::Error,
            &format!(
                "{} '{}': {} [{}] — {}",
                short(&f.sha),
                neutral::text(&f.subject),
                f.failure.message,
                f.failure.rule,
                f.failure.advice()
            ),
            &Location {
                title: Some(format!("semantic-bump: {}", f.failure.rule)),
                ..Location::default()
            },
        );
    }
    s.line(&format!(
        "⛔ **semantic-bump**: {} of {} commits in `{}` break the rules",
        report.failed,
        report.checked,
        markdown_cell(&report.range)
    ));
    let rows: Vec<[String; 4]> = report
        .failures
        .iter()
        .take(50)
        .map(|f| {
            [
                short(&f.sha).to_owned(),
                f.subject.clone(),
                format!("{}: {}", f.failure.rule, f.failure.message),
                match (&f.failure.example, &f.failure.requires) {
                    (Some(e), _) => e.clone(),
                    (None, Some(r)) => format!("none: {r}"),
                    (None, None) => String::new(),
                },
            ]
        })
        .collect();
    s.table(&["commit", "subject", "rule", "valid example"], rows);
    let reason = format!(
        "{} of {} commits in {} break the conventional-commit rules (first: {} '{}': {})",
        report.failed,
        report.checked,
        report.range,
        short(&report.failures[0].sha),
        report.failures[0].subject,
        report.failures[0].failure.message
    );
    runner.finish(Outcome::failed(outputs, reason).with_summary(s))
}

// ---------------------------------------------------------------- lint-pr

pub fn lint_pr(runner: &Runner, run_env: &GithubEnv, a: LintPrArgs) -> ExitCode {
    let rules = match rules(&a.rules) {
        Ok(r) => r,
        Err(e) => return runner.fail(&e),
    };
    let token = token(runner, run_env);
    let event = match read_event(run_env) {
        Ok(e) => e,
        Err(e) => return runner.fail(&Failure::input(e)),
    };
    let Some(number) = a.pr.or(event.number) else {
        return runner.fail(&Failure::input(
            "no pull request: pass --pr NUMBER, or run on a pull_request or merge_group event",
        ));
    };
    let client = match github::client(&a.api, run_env, token.clone()) {
        Ok(c) => c,
        Err(e) => return runner.fail(&e),
    };
    let pr = match client.get(number) {
        Ok(p) => p,
        Err(e) => return runner.fail(&e),
    };
    runner.info(&format!(
        "semantic-bump: pull request #{number}: '{}' (labels: {})",
        neutral::text(&pr.title),
        shown_labels(&pr.labels)
    ));
    if let Some(l) = ignored_by(&pr.labels, &a.ignore_labels) {
        return skipped(
            runner,
            &format!("pull request #{number} has the label '{l}'"),
            Outputs::new()
                .with("pr", number)
                .with("title", pr.title.trim_end()),
        );
    }
    let title = pr.title.trim_end().to_owned();
    if a.wip && is_wip(&title) {
        return skipped(
            runner,
            &format!("pull request #{number}'s title starts with [WIP]"),
            Outputs::new()
                .with("pr", number)
                .with("title", title.as_str())
                .with("wip", true),
        );
    }
    let base = Outputs::new().with("pr", number);
    let mut outcome = title_outcome(runner, &title, &rules, &pr.labels, base);
    let post = |o: &Outcome| {
        if a.comment {
            write_comment(runner, client.as_ref(), number, o);
        }
    };
    if outcome.verdict == gha::Verdict::Passed
        && (a.validate_single_commit || a.validate_single_commit_matches_pr_title)
    {
        let commits = match client.commits(number) {
            Ok(c) => c,
            Err(e) => return runner.fail(&e),
        };
        if let Some(failed) = single_commit_failure(
            &title,
            &rules,
            pr::single_commit(&commits),
            a.validate_single_commit_matches_pr_title,
        ) {
            let (rule, message) = failed;
            outcome.outputs.set("rule", rule);
            outcome.outputs.set("message", message.as_str());
            outcome.outputs.set("example", title.as_str());
            let mut s = Summary::new();
            s.line(&format!(
                "⛔ **semantic-bump**: pull request #{number}: {}",
                markdown_cell(&message)
            ));
            let failed = Outcome::failed(outcome.outputs, message).with_summary(s);
            post(&failed);
            return runner.finish(failed);
        }
    }
    if outcome.verdict != gha::Verdict::Passed || a.preview == Preview::Never {
        post(&outcome);
        return runner.finish(outcome);
    }

    // The preview: the base branch as it is, plus this title as the squash
    // commit, with this PR's labels. Only the base's history is read: no
    // PR code is checked out or run.
    let dir = a
        .dir
        .clone()
        .or_else(|| run_env.workspace.clone())
        .unwrap_or_else(|| PathBuf::from("."));
    let Some(base_sha) = a
        .base_sha
        .clone()
        .or(event.base_sha)
        .or(pr.base_sha.clone())
    else {
        let msg = "release preview skipped: the base commit is unknown (pass --base-sha)";
        return finish_preview_error(runner, outcome, a.preview, &Failure::input(msg), &post);
    };
    let mut opts = next_options(
        &a.version,
        base_sha.clone(),
        pr.labels.clone(),
        token,
        run_env.user_ssh_command,
    );
    opts.pending = vec![format!("{title} (#{number})")];
    let git = Git::new(&dir);
    let started = Instant::now();
    let report = match semantic_bump::next::next(&git, &opts) {
        Ok(r) => r,
        Err(e) => return finish_preview_error(runner, outcome, a.preview, &e, &post),
    };
    let sentence = preview_sentence(&report);
    runner.info(&format!(
        "semantic-bump: {sentence} ({} commits on the base read in {})",
        report.analysis.counts.commits.saturating_sub(1),
        ms(started.elapsed())
    ));
    let d = &report.decision;
    let released = d.bump != Bump::None;
    outcome.outputs.set("preview", sentence.clone());
    outcome.outputs.set(
        "current",
        report
            .current
            .as_ref()
            .map_or(Value::Null, |c| Value::from(c.version.to_string())),
    );
    outcome.outputs.set(
        "next",
        if released {
            version_str(d.next.as_ref())
        } else {
            String::new()
        },
    );
    outcome.outputs.set(
        "next-tag",
        if released {
            report.next_tag.clone().unwrap_or_default()
        } else {
            String::new()
        },
    );
    outcome.outputs.set("release-bump", d.bump.as_str());
    outcome.outputs.set("decision", decision_json(d));
    let mut s = outcome.summary.clone();
    s.line(&format!("📦 {}", markdown_cell(&sentence)));
    if released {
        let cl = changelog::render(
            &report.analysis.entries,
            &changelog::Options {
                links: a.version.repository_url.as_ref(),
                ..Default::default()
            },
        );
        s.raw(&format!(
            "<details><summary>Release notes preview</summary>\n\n{cl}\n</details>\n\n"
        ));
    }
    for n in &report.notes {
        runner.warning(n);
    }
    outcome.summary = s;
    post(&outcome);
    runner.finish(outcome)
}

/// The one sticky comment: created once, then edited in place (found by
/// its hidden marker). A title that passes and releases nothing has nothing
/// to say: no comment is created, and an earlier one is edited to a
/// resolved form (kept, not deleted: the reviewers notified of the failure
/// see what became of it, and no other API call is needed). A token that
/// may not write comments gets a warning; the check still exits by its
/// verdict.
fn write_comment(runner: &Runner, client: &dyn pr::PullRequests, number: u64, o: &Outcome) {
    // The title is the PR author's text: escaped for Markdown, and its
    // `@` cannot mention anyone (a zero-width space after it).
    let text = |k: &str| {
        o.outputs
            .get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .replace('@', "@\u{200b}")
    };
    let title = text("title");
    let mut body = format!("{}\n", pr::COMMENT_MARKER);
    match &o.verdict {
        gha::Verdict::Failed(_) => {
            body.push_str(&format!(
                "### ⛔ semantic-pr: the title breaks the rule `{}`\n\n{}\n",
                text("rule"),
                markdown_cell(&text("message"))
            ));
            let example = text("example");
            if !example.is_empty() {
                body.push_str(&format!("\nA valid title: `{}`\n", markdown_cell(&example)));
            }
        }
        _ => body.push_str(&format!(
            "### ✅ semantic-pr: the title `{}` follows the rules\n",
            markdown_cell(&title)
        )),
    }
    let preview = text("preview");
    body.push_str(&if preview.is_empty() {
        "\n📦 no release preview\n".to_owned()
    } else {
        format!("\n📦 {}\n", markdown_cell(&preview))
    });
    let existing = match client.comments(number) {
        Ok(c) => c,
        Err(e) => {
            runner.warning(&format!("the pull request comment was not written: {e}"));
            return;
        }
    };
    let found = pr::sticky_comment(&existing);
    let releases = o
        .outputs
        .get("release-bump")
        .and_then(Value::as_str)
        .is_some_and(|b| b != Bump::None.as_str());
    if o.verdict == gha::Verdict::Passed && !releases {
        if found.is_none() {
            runner.info(&format!(
                "semantic-bump: no comment on #{number}: the title passes and merging it releases nothing"
            ));
            return;
        }
        body = format!(
            "{}\n### ✅ semantic-pr: resolved — the title `{}` follows the rules\n\n{}\n",
            pr::COMMENT_MARKER,
            markdown_cell(&title),
            if preview.is_empty() {
                "Nothing more to say.".to_owned()
            } else {
                format!("📦 {}", markdown_cell(&preview))
            }
        );
    }
    if found.is_some_and(|(_, b)| b == body) {
        return;
    }
    match client.put_comment(number, found.map(|(id, _)| id), &body) {
        Ok(id) => runner.info(&format!(
            "semantic-bump: {} comment {id} on #{number}",
            if found.is_some() { "edited" } else { "wrote" }
        )),
        Err(e) => runner.warning(&format!(
            "the pull request comment was not written (it needs `permissions: pull-requests: write`): {e}"
        )),
    }
}

fn finish_preview_error(
    runner: &Runner,
    mut outcome: Outcome,
    mode: Preview,
    err: &dyn Classify,
    post: &dyn Fn(&Outcome),
) -> ExitCode {
    if mode == Preview::Always {
        return runner.fail(err);
    }
    let hint = err.hint().map(|h| format!(" ({h})")).unwrap_or_default();
    let msg = format!("release preview skipped: {err}{hint}");
    runner.notice(&msg);
    outcome.outputs.set("preview", "");
    outcome.summary.line(&format!("ℹ️ {}", markdown_cell(&msg)));
    post(&outcome);
    runner.finish(outcome)
}

/// GitHub squash-merges a pull request of one commit (merge commits
/// aside) with that commit's message, not the title: its first line must
/// pass the same rules (and, when asked, be the title).
fn single_commit_failure(
    title: &str,
    rules: &TitleRules,
    single: Option<&pr::PrCommit>,
    must_match_title: bool,
) -> Option<(&'static str, String)> {
    let c = single?;
    let first = semantic_bump::message::first_line(&c.message).trim_end();
    if let Err(f) = run_lint_title(first, rules) {
        return Some((
            "single-commit",
            format!(
                "the pull request has one commit, and GitHub squash-merges it with that commit's message, not the title; its first line '{first}' ({}) breaks the rule {}: {}. Amend the commit message to match the title ('{title}'), or add another commit",
                short(&c.sha),
                f.rule,
                f.message
            ),
        ));
    }
    if must_match_title && first != title {
        return Some((
            "single-commit-title",
            format!(
                "the pull request has one commit, and GitHub squash-merges it with that commit's message, not the title: the title '{title}' and the commit's first line '{first}' ({}) differ. Make them the same, so the release says what the title says",
                short(&c.sha)
            ),
        ));
    }
    None
}

/// "merging this releases 1.3.0 — minor, from feat(api): …".
fn preview_sentence(r: &NextReport) -> String {
    let d = &r.decision;
    if d.bump == Bump::None {
        return match d.source {
            Source::SkipLabel => "merging this releases nothing: label release:skip".into(),
            _ => format!("merging this releases nothing: {}", d.detail),
        };
    }
    let version = version_str(d.next.as_ref());
    let from = match d.source {
        Source::Commits => {
            let (shown, total) = reasons(r, 1);
            match shown.first() {
                Some(e) if e.sha.is_empty() => format!(
                    "from {}",
                    semantic_bump::message::strip_pr_suffix(&e.subject)
                ),
                Some(e) => format!(
                    "from {} ({} on the base{})",
                    e.subject,
                    short(&e.sha),
                    if total > 1 {
                        format!(", and {} more", total - 1)
                    } else {
                        String::new()
                    }
                ),
                None => d.detail.clone(),
            }
        }
        _ => format!("by {}", d.detail),
    };
    format!("merging this releases {version} — {}, {from}", d.bump)
}

struct EventInfo {
    number: Option<u64>,
    base_sha: Option<String>,
}

fn read_event(run_env: &GithubEnv) -> Result<EventInfo, String> {
    let name = run_env.event_name.clone().unwrap_or_default();
    let Some(path) = run_env.event_path.clone() else {
        return Ok(EventInfo {
            number: None,
            base_sha: None,
        });
    };
    // A regular file of at most 4 MiB (never a FIFO or /dev/zero).
    let path = PathBuf::from(&path);
    let text = match gha::file::read_bounded_text(&path, gha::file::MAX_INPUT_FILE) {
        Ok(Ok(text)) => text,
        Ok(Err(_)) => {
            return Err(format!(
                "the event payload {} is not UTF-8 text",
                path.display()
            ));
        }
        Err(gha::file::ReadFileError::Io { source, .. }) => {
            return Err(format!(
                "cannot read the event payload {}: {source}",
                path.display()
            ));
        }
        Err(e) => return Err(format!("the event payload (GITHUB_EVENT_PATH) {e}")),
    };
    let payload: Value =
        serde_json::from_str(&text).map_err(|e| format!("the event payload is not JSON: {e}"))?;
    let e = pr::event_pr(&name, &payload)?;
    Ok(EventInfo {
        number: e.number,
        base_sha: e.base_sha,
    })
}
