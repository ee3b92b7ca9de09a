//! `changelog`: the notes of a range (or of the next release), as an
//! output, a file, or a section prepended to CHANGELOG.md.

use super::cli::ChangelogArgs;
use super::render::{finish_with_result, ms, next_options, token};
use gha::escape::markdown_cell;
use gha::{Failure, GithubEnv, Outcome, Outputs, Runner, Summary};
use semantic_bump::Git;
use semantic_bump::changelog::{self, Heading, Placement};
use semantic_bump::release::{Notes, notes as read_notes};
use std::process::ExitCode;
use std::time::Instant;

pub fn changelog(runner: &Runner, run_env: &GithubEnv, a: ChangelogArgs) -> ExitCode {
    let git = Git::new(".");
    let started = Instant::now();
    let opts = next_options(
        &a.version,
        "HEAD".into(),
        a.labels.clone(),
        token(runner, run_env),
        run_env.user_ssh_command,
    );
    let notes = match read_notes(&git, &opts, a.range.as_deref()) {
        Ok(n) => n,
        Err(e) => return runner.fail(&e),
    };
    let links = a.version.repository_url.as_ref();
    let body = changelog::render(
        &notes.analysis.entries,
        &changelog::Options {
            links,
            ..Default::default()
        },
    );
    let title = a
        .heading
        .clone()
        .or_else(|| notes.version.as_ref().map(ToString::to_string))
        .or_else(|| a.range.as_ref().map(|_| notes.to.clone()));
    let mut outputs = Outputs::new()
        .with("changelog", body.clone())
        .with("range", notes.range.clone())
        .with(
            "version",
            notes
                .version
                .as_ref()
                .map(ToString::to_string)
                .unwrap_or_default(),
        )
        .with("commits", notes.analysis.counts.commits)
        .with("entries", notes.analysis.entries.len())
        .with(
            "warnings",
            serde_json::to_value(&notes.analysis.warnings).unwrap_or_default(),
        );
    // The commits left out because they break a rule are named, as `next`
    // names them: the same reading, the same verdict.
    super::render::annotate_warnings(runner, &notes.analysis);
    let mut s = Summary::new();
    s.heading(
        3,
        &format!(
            "semantic-bump: release notes for `{}`",
            markdown_cell(&notes.range)
        ),
    );
    let mut written = String::new();
    if let Some(path) = &a.output {
        let result = if a.prepend {
            prepend(&git, &notes, title.as_deref(), links, path)
        } else {
            std::fs::write(path, &body)
                .map(|()| Some(Placement::NewFile))
                .map_err(|e| format!("cannot write {}: {e}", path.display()))
        };
        let placement = match result {
            Ok(p) => p,
            Err(e) => {
                return runner.fail(
                    &Failure::environment(e)
                        .with_hint("check that the directory exists and the file is writable"),
                );
            }
        };
        outputs.set("path", path.display().to_string());
        outputs.set("updated", placement.is_some());
        written = match (placement, a.prepend) {
            (None, _) if title.is_none() => {
                "; nothing to release since the last release: no section added".to_owned()
            }
            (None, _) => format!(
                "; {} already has a section for {}: left as it was",
                path.display(),
                title.as_deref().unwrap_or("")
            ),
            (Some(p), true) => format!(
                "; section {} added to {} {}",
                title.as_deref().unwrap_or(""),
                path.display(),
                p.describe()
            ),
            (Some(_), false) => format!("; written to {}", path.display()),
        };
    }
    runner.info(&format!(
        "semantic-bump: release notes for {} — {} entr{} from {} commit{} in {}{written}",
        notes.range,
        notes.analysis.entries.len(),
        if notes.analysis.entries.len() == 1 {
            "y"
        } else {
            "ies"
        },
        notes.analysis.counts.commits,
        if notes.analysis.counts.commits == 1 {
            ""
        } else {
            "s"
        },
        ms(started.elapsed())
    ));
    if !written.is_empty() {
        s.line(&markdown_cell(written.trim_start_matches("; ")));
    }
    s.raw(&format!("{body}\n"));
    // The result: the notes themselves, unless they went to --output.
    let result = a.output.is_none().then_some(body.as_str());
    finish_with_result(runner, Outcome::done(outputs).with_summary(s), result)
}

/// Inserts the section; `Ok(None)` when the version is already there or
/// there is nothing to release.
fn prepend(
    git: &Git,
    notes: &Notes,
    title: Option<&str>,
    links: Option<&changelog::Links>,
    path: &std::path::Path,
) -> Result<Option<Placement>, String> {
    let Some(title) = title else {
        return Ok(None);
    };
    let existing = match std::fs::read_to_string(path) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let date = git
        .commit_time(&notes.commit)
        .ok()
        .flatten()
        .map(changelog::utc_date);
    let heading = Heading {
        version: title.to_owned(),
        tag: notes.to.clone(),
        previous_tag: notes.from.clone(),
        date,
    };
    let section = changelog::render(
        &notes.analysis.entries,
        &changelog::Options {
            links,
            heading: Some(&heading),
            section_level: None,
        },
    );
    let p = changelog::prepend(existing.as_deref(), &section, Some(title));
    if p.placement.is_some() {
        std::fs::write(path, &p.text)
            .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    Ok(p.placement)
}
