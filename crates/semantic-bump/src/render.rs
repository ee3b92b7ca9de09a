//! Runs each command and renders its result: outputs, `--json`, the job
//! summary, annotations and the exit code.

use super::cli::{LabelsFromPr, NextArgs, RuleArgs, VersionArgs};
use super::github;
use gha::escape::markdown_cell;
use gha::{
    Classify, Failure, GithubEnv, Level, Location, Outcome, Outputs, Runner, Summary, neutral,
};
use semantic_bump::analysis::Entry;
use semantic_bump::changelog;
use semantic_bump::lint::{HeaderPattern, TitleRules};
use semantic_bump::pr;
use semantic_bump::{Bump, Decision, Git, NextOptions, NextReport, Policy};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::{Duration, Instant};

/// How many commit warnings become annotations (the rest are counted).
pub(crate) const MAX_ANNOTATIONS: usize = 10;

/// The token (trimmed, blank = unset), masked in the log.
pub(crate) fn token(runner: &Runner, run_env: &GithubEnv) -> Option<String> {
    let t = run_env.token.as_ref()?.expose().to_owned();
    runner.mask(&t);
    Some(t)
}

pub(crate) fn rules(r: &RuleArgs) -> Result<TitleRules, Failure> {
    let mut rules = TitleRules::default();
    let flat =
        |l: &[super::cli::PatternList]| l.iter().flat_map(|p| p.0.clone()).collect::<Vec<_>>();
    if !r.types.is_empty() {
        rules.types = flat(&r.types);
    }
    if !r.scopes.is_empty() {
        rules.scopes = Some(flat(&r.scopes));
    }
    rules.disallow_scopes = flat(&r.disallow_scopes);
    rules.require_scope = r.require_scope;
    rules.subject_pattern = r.subject_pattern.clone();
    rules.subject_pattern_error = r.subject_pattern_error.clone();
    if let Some(p) = &r.header_pattern {
        rules.header = Some(
            HeaderPattern::new(p.clone(), &r.header_pattern_correspondence).map_err(|e| {
                Failure::input(e).with_hint(
                    "give --header-pattern-correspondence as many names (type, scope, subject) as the pattern has groups, in order",
                )
            })?,
        );
    }
    Ok(rules)
}

pub(crate) fn policy(v: &VersionArgs) -> Policy {
    Policy {
        bump_minor_pre_major: v.bump_minor_pre_major,
        initial: v
            .initial
            .clone()
            .unwrap_or_else(|| semver::Version::new(0, 1, 0)),
        channel: v.prerelease.clone(),
    }
}

pub(crate) fn next_options(
    v: &VersionArgs,
    rev: String,
    labels: Vec<String>,
    token: Option<String>,
    user_ssh_command: bool,
) -> NextOptions {
    NextOptions {
        rev,
        prefix: v.tag_prefix.clone(),
        policy: policy(v),
        initial_explicit: v.initial.is_some(),
        labels,
        paths: v.paths.clone(),
        remote: v.remote.clone(),
        remote_token: token,
        remote_timeout: v.git_timeout,
        // The user's own ssh command is left alone (the deadline holds).
        remote_user_ssh: user_ssh_command,
        pending: Vec::new(),
    }
}

pub(crate) fn ms(d: Duration) -> String {
    gha::cli::human_duration(d)
}

// ---------------------------------------------------------------- next

pub fn next(runner: &Runner, run_env: &GithubEnv, a: NextArgs) -> ExitCode {
    let token = token(runner, run_env);
    let git = Git::new(".");
    let mut labels = a.labels.clone();
    let from_pr = match a.labels_from_pr {
        LabelsFromPr::Always => true,
        LabelsFromPr::Never => false,
        LabelsFromPr::Auto => run_env.is_push(),
    };
    if from_pr {
        match labels_of_merged_pr(runner, &git, &a.rev, &a.api, run_env, token.clone()) {
            Ok(found) => labels.extend(found),
            Err(e) => return runner.fail(e.as_ref()),
        }
    }
    let opts = next_options(
        &a.version,
        a.rev.clone(),
        labels,
        token,
        run_env.user_ssh_command,
    );
    let started = Instant::now();
    let report = match semantic_bump::next::next(&git, &opts) {
        Ok(r) => r,
        Err(e) => return runner.fail(&e),
    };
    let elapsed = started.elapsed();
    annotate_next(runner, &report);
    let (outputs, summary) = next_result(&report, &a.version, elapsed);
    runner.info(&format!(
        "semantic-bump: {} — {} commit{} read in {}",
        headline(&report, &a.version),
        report.analysis.counts.commits,
        if report.analysis.counts.commits == 1 {
            ""
        } else {
            "s"
        },
        ms(elapsed)
    ));
    let result =
        (report.decision.bump != Bump::None).then(|| version_str(report.decision.next.as_ref()));
    let a_ = &report.analysis;
    if a.strict && a_.unconventional_total > 0 {
        // Nothing ignored silently: name every commit that does not count.
        let mut outputs = outputs;
        outputs.set(
            "unconventional",
            serde_json::to_value(&a_.unconventional).unwrap_or_default(),
        );
        let mut summary = summary;
        let rows: Vec<[String; 3]> = a_
            .unconventional
            .iter()
            .take(50)
            .map(|u| {
                [
                    short(&u.sha).to_owned(),
                    u.subject.clone(),
                    format!("{}: {}", u.rule, u.message),
                ]
            })
            .collect();
        summary.line(&format!(
            "⛔ --strict: {} commit{} in the range {} not conventional commits:",
            a_.unconventional_total,
            if a_.unconventional_total == 1 {
                ""
            } else {
                "s"
            },
            if a_.unconventional_total == 1 {
                "is"
            } else {
                "are"
            },
        ));
        summary.table(&["commit", "subject", "rule"], rows);
        for u in a_.unconventional.iter().take(MAX_ANNOTATIONS) {
            runner.annotate(
                Level::Error,
                &format!(
                    "{} '{}': {} [{}]",
                    short(&u.sha),
                    u.subject,
                    u.message,
                    u.rule
                ),
                &Location {
                    title: Some(format!("semantic-bump: {}", u.rule)),
                    ..Location::default()
                },
            );
        }
        let named: Vec<String> = a_
            .unconventional
            .iter()
            .map(|u| format!("{} '{}' [{}]", short(&u.sha), u.subject, u.rule))
            .collect();
        let reason = format!(
            "--strict: {} commit{} since {} {} not conventional commits: {}",
            a_.unconventional_total,
            if a_.unconventional_total == 1 {
                ""
            } else {
                "s"
            },
            report
                .current
                .as_ref()
                .map_or("the first commit", |c| c.name.as_str()),
            if a_.unconventional_total == 1 {
                "is"
            } else {
                "are"
            },
            named.join(", ")
                + &if a_.unconventional_total > named.len() {
                    format!(" and {} more", a_.unconventional_total - named.len())
                } else {
                    String::new()
                }
        );
        return finish_with_result(
            runner,
            Outcome::failed(outputs, reason).with_summary(summary),
            None,
        );
    }
    finish_with_result(
        runner,
        Outcome::done(outputs).with_summary(summary),
        result.as_deref(),
    )
}

/// Writes the outcome ([`Runner::finish`]); then, when it succeeded and
/// without `--json`, prints the command's one result line on stdout (the
/// version, the tag, the notes) so `X=$(semantic-bump …)` captures it.
/// `None` or empty: nothing on stdout.
pub(crate) fn finish_with_result(
    runner: &Runner,
    outcome: Outcome,
    result: Option<&str>,
) -> ExitCode {
    let code = runner.finish_code(outcome);
    if code == 0
        && let Some(text) = result.filter(|t| !t.is_empty())
    {
        // Neutralised (`##[` → `##\[`, a Markdown escape): the notes render
        // the same, and no commit message commands the runner.
        runner.print(text);
    }
    ExitCode::from(code)
}

/// On a push, the labels of the pull request merged as this commit.
pub(crate) fn labels_of_merged_pr(
    runner: &Runner,
    git: &Git,
    rev: &str,
    api: &super::cli::ApiArgs,
    run_env: &GithubEnv,
    token: Option<String>,
) -> Result<Vec<String>, Box<dyn Classify>> {
    let commit = git
        .resolve(rev)
        .map_err(|e| Box::new(semantic_bump::Error::from(e)) as Box<dyn Classify>)?
        .ok_or_else(|| {
            Box::new(semantic_bump::Error::NoCommit {
                rev: rev.to_owned(),
            }) as Box<dyn Classify>
        })?;
    let client =
        github::client(api, run_env, token).map_err(|e| Box::new(e) as Box<dyn Classify>)?;
    let prs = client
        .for_commit(&commit)
        .map_err(|e| Box::new(e) as Box<dyn Classify>)?;
    match pr::merged_pr_of(&commit, &prs) {
        Some(p) => {
            runner.info(&format!(
                "semantic-bump: {} came from #{} ({}), labels: {}",
                &commit[..7],
                p.number,
                neutral::text(&p.title),
                shown_labels(&p.labels)
            ));
            Ok(p.labels.clone())
        }
        None => {
            runner.info(&format!(
                "semantic-bump: no merged pull request for {}: no labels",
                &commit[..7]
            ));
            Ok(Vec::new())
        }
    }
}

pub(crate) fn version_str(v: Option<&semver::Version>) -> String {
    v.map(ToString::to_string).unwrap_or_default()
}

pub(crate) fn headline(r: &NextReport, v: &VersionArgs) -> String {
    let cur = r
        .current
        .as_ref()
        .map(|c| c.name.clone())
        .unwrap_or_else(|| "no release yet".into());
    let d = &r.decision;
    match (&r.next_tag, d.bump) {
        (Some(tag), b) if b != Bump::None => format!("{cur} → {tag} ({b}): {}", d.detail),
        (Some(tag), _) => format!("nothing new to release: {} ({})", tag, d.detail),
        (None, _) => format!(
            "nothing to release since {cur}{}: {}",
            if v.paths.is_empty() {
                String::new()
            } else {
                format!(" in {}", v.paths.join(", "))
            },
            d.detail
        ),
    }
}

pub(crate) fn annotate_next(runner: &Runner, r: &NextReport) {
    let d = &r.decision;
    if d.leaves_zero && d.bump != Bump::None {
        runner.warning(&format!(
            "this release leaves 0.x: {} → {} ({}). If the API is not ready to be stable, pass --bump-minor-pre-major (breaking changes then bump 0.x minor versions), or label the pull request release:minor",
            r.current.as_ref().map(|c| c.name.as_str()).unwrap_or("?"),
            r.next_tag.as_deref().unwrap_or("?"),
            d.detail
        ));
    }
    for n in &r.notes {
        runner.warning(n);
    }
    annotate_warnings(runner, &r.analysis);
}

/// The commit warnings (near-misses, commits not counted), capped.
pub(crate) fn annotate_warnings(runner: &Runner, a: &semantic_bump::Analysis) {
    for w in a.warnings.iter().take(MAX_ANNOTATIONS) {
        runner.annotate(
            Level::Warning,
            &format!(
                "{} {}: {}",
                short(&w.sha),
                neutral::text(&w.subject),
                w.message
            ),
            &Location {
                title: Some(format!("semantic-bump: {}", w.kind)),
                ..Location::default()
            },
        );
    }
    if a.warnings_total > MAX_ANNOTATIONS {
        runner.warning(&format!(
            "{} more commit warnings (see --json)",
            a.warnings_total - MAX_ANNOTATIONS
        ));
    }
}

pub(crate) fn short(sha: &str) -> &str {
    if sha.is_empty() {
        "(this PR)"
    } else {
        &sha[..sha.len().min(7)]
    }
}

/// The commits that set the commit-derived level (newest first), capped.
pub(crate) fn reasons(r: &NextReport, cap: usize) -> (Vec<&Entry>, usize) {
    let level = r.analysis.bump();
    let all: Vec<&Entry> = r
        .analysis
        .entries
        .iter()
        .filter(|e| level != Bump::None && e.bump == level)
        .collect();
    let total = all.len();
    (all.into_iter().take(cap).collect(), total)
}

pub(crate) fn decision_json(d: &Decision) -> Value {
    json!({
        "source": d.source,
        "rule": d.rule.id(),
        "rule-text": d.rule.describe(),
        "detail": d.detail,
        "first-release": d.first_release,
        "leaves-zero": d.leaves_zero,
        "already-tagged": d.already_tagged.as_ref().map(ToString::to_string),
    })
}

pub(crate) fn next_result(
    r: &NextReport,
    v: &VersionArgs,
    elapsed: Duration,
) -> (Outputs, Summary) {
    let d = &r.decision;
    let released = d.bump != Bump::None;
    let current = r.current.as_ref().map(|c| &c.version);
    let next = d.next.as_ref().or(current);
    let next_tag = r
        .next_tag
        .clone()
        .or_else(|| r.current.as_ref().map(|c| c.name.clone()))
        .unwrap_or_default();
    let changelog = if released {
        changelog::render(
            &r.analysis.entries,
            &changelog::Options {
                links: v.repository_url.as_ref(),
                ..Default::default()
            },
        )
    } else {
        String::new()
    };
    let (shown, total) = reasons(r, 100);
    let reasons_json: Vec<Value> = shown
        .iter()
        .map(|e| {
            json!({
                "sha": e.sha,
                "short-sha": e.short_sha(),
                // the first line as git holds it, not a rebuilt header
                "commit": e.subject,
                "bump": e.bump,
                "rule": e.rule.id(),
                "rule-text": e.rule.describe(),
            })
        })
        .collect();
    let prerelease = released && next.is_some_and(|n| !n.pre.is_empty());
    let outputs = Outputs::new()
        .with(
            "current",
            current.map_or(Value::Null, |c| Value::from(c.to_string())),
        )
        .with(
            "current-tag",
            r.current
                .as_ref()
                .map_or(Value::Null, |c| Value::from(c.name.clone())),
        )
        .with("next", version_str(next))
        .with("next-tag", next_tag)
        .with("bump", d.bump.as_str())
        .with("prerelease", prerelease)
        .with(
            "channel",
            v.prerelease
                .as_ref()
                .map(|c| c.to_string())
                .unwrap_or_default(),
        )
        .with("breaking", released && r.analysis.breaking())
        .with("commits", r.analysis.counts.commits)
        .with("first-release", released && d.first_release)
        .with("changelog", changelog.clone())
        .with("commit", r.commit.clone())
        .with("decision", decision_json(d))
        .with("reasons", Value::Array(reasons_json))
        .with("reasons-total", total)
        .with(
            "counts",
            serde_json::to_value(&r.analysis.counts).unwrap_or(Value::Null),
        )
        .with(
            "release-as",
            serde_json::to_value(&r.analysis.release_as).unwrap_or(Value::Null),
        )
        .with(
            "warnings",
            serde_json::to_value(&r.analysis.warnings).unwrap_or(Value::Null),
        )
        .with("notes", r.notes.clone());

    let mut s = Summary::new();
    let cur = r
        .current
        .as_ref()
        .map(|c| format!("`{}`", c.name))
        .unwrap_or_else(|| "no release yet".into());
    if released {
        s.heading(
            3,
            &format!(
                "semantic-bump: {cur} → `{}` ({})",
                r.next_tag.as_deref().unwrap_or(""),
                d.bump
            ),
        );
    } else {
        s.heading(3, &format!("semantic-bump: nothing to release ({cur})"));
    }
    s.line(&format!(
        "**Why:** {} — {}",
        markdown_cell(&d.detail),
        d.rule.describe()
    ));
    if !shown.is_empty() {
        let rows: Vec<[String; 3]> = shown
            .iter()
            .take(20)
            .map(|e| {
                [
                    short(&e.sha).to_owned(),
                    e.subject.clone(),
                    e.rule.describe().to_owned(),
                ]
            })
            .collect();
        s.table(&["commit", "change", "rule"], rows);
        if total > 20 {
            s.line(&format!("…and {} more at this level.", total - 20));
        }
    }
    let c = &r.analysis.counts;
    s.line(&format!(
        "{} commit{} read in {}: {} conventional, {} not conventional, {} merge{}, {} cancelled by reverts.",
        c.commits,
        if c.commits == 1 { "" } else { "s" },
        ms(elapsed),
        c.conventional,
        c.non_conventional,
        c.merges,
        if c.merges == 1 { "" } else { "s" },
        c.cancelled
    ));
    for n in &r.notes {
        s.line(&format!("⚠️ {}", markdown_cell(n)));
    }
    if released {
        s.raw(&format!(
            "<details><summary>Changelog</summary>\n\n{changelog}\n</details>\n\n"
        ));
    }
    (outputs, s)
}

// ---------------------------------------------------------------- lint-title

/// Labels from a pull request (outside text), each on one line.
pub(crate) fn shown_labels(labels: &[String]) -> String {
    if labels.is_empty() {
        "none".to_owned()
    } else {
        labels
            .iter()
            .map(|l| neutral::text(l))
            .collect::<Vec<_>>()
            .join(", ")
    }
}
