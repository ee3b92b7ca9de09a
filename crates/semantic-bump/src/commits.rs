//! `lint-commits`: every commit of a range checked by the title rules and
//! the spec's body and footer rules, streamed like `next`.
//!
//! The default range is what the next release would contain (since the
//! highest stable version tag reachable from `HEAD`); without such a tag,
//! what the branch adds to the remote's default branch (since their merge
//! base); without either, the whole history.

use crate::git::{Git, LogSpec};
use crate::lint::{LintFailure, TitleRules, is_autosquash, lint_commit};
use crate::next::Inventory;
use crate::version::TagPrefix;
use crate::{Error, message};
use serde::Serialize;
use std::collections::HashSet;

/// How many failures are kept in full (the rest are counted).
pub const MAX_FAILURES: usize = 200;

#[derive(Debug, Clone)]
pub struct CommitsOptions {
    /// `A..B`; `None`: the default range.
    pub range: Option<String>,
    pub prefix: TagPrefix,
    pub remote: String,
    pub rules: TitleRules,
}

/// One commit that failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitFailure {
    pub sha: String,
    pub subject: String,
    #[serde(flatten)]
    pub failure: LintFailure,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct CommitsReport {
    /// The range as checked (`v1.2.0..HEAD`, `HEAD`).
    pub range: String,
    /// Why this range (`--range`, `since v1.2.0`, …).
    pub range_source: String,
    pub checked: usize,
    pub merges: usize,
    pub autosquash: usize,
    pub failed: usize,
    pub failures: Vec<CommitFailure>,
}

/// Parses `A..B` (`A..` means `A..HEAD`).
pub fn parse_range(range: &str) -> Result<(String, String), Error> {
    let bad = |why: &str| Error::BadRange {
        range: range.to_owned(),
        why: why.to_owned(),
    };
    if range.contains("...") {
        return Err(bad("a symmetric difference (A...B) is not a release range"));
    }
    let (a, b) = range.split_once("..").ok_or_else(|| bad("expected A..B"))?;
    let (a, b) = (a.trim(), b.trim());
    if a.is_empty() {
        return Err(bad("the start of the range is missing"));
    }
    for part in [a, b] {
        if part.starts_with('-') || part.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(bad("a revision cannot start with '-' or hold spaces"));
        }
    }
    Ok((
        a.to_owned(),
        if b.is_empty() { "HEAD" } else { b }.to_owned(),
    ))
}

pub fn lint_commits(git: &Git, opts: &CommitsOptions) -> Result<CommitsReport, Error> {
    let state = git.state("HEAD")?.ok_or_else(|| Error::NotARepository {
        dir: git.dir().display().to_string(),
    })?;
    let head = state
        .commit
        .ok_or_else(|| Error::NoCommit { rev: "HEAD".into() })?;

    let (from, exclude, range, source) = match &opts.range {
        Some(r) => {
            let (a, b) = parse_range(r)?;
            let resolve = |rev: &str| -> Result<String, Error> {
                git.resolve(rev)?.ok_or_else(|| Error::BadRange {
                    range: r.clone(),
                    why: format!("'{rev}' does not name a commit here"),
                })
            };
            (
                resolve(&b)?,
                Some(resolve(&a)?),
                r.clone(),
                "--range".to_owned(),
            )
        }
        None => {
            if state.shallow {
                return Err(Error::Shallow);
            }
            let inv = Inventory::new(&git.tags()?, &opts.prefix);
            let reachable: HashSet<String> = if inv.versions.is_empty() {
                HashSet::new()
            } else {
                git.merged_tags(&head, opts.prefix.as_str())?
                    .into_iter()
                    .collect()
            };
            let last = inv
                .versions
                .iter()
                .find(|t| t.version.pre.is_empty() && reachable.contains(&t.name));
            if let Some(t) = last {
                (
                    head.clone(),
                    Some(t.commit.clone()),
                    format!("{}..HEAD", t.name),
                    format!("since the last release {}", t.name),
                )
            } else if let Some(base) = git.default_branch_base(&opts.remote, &head)? {
                let short = &base[..base.len().min(7)];
                (
                    head.clone(),
                    Some(base.clone()),
                    format!("{short}..HEAD"),
                    format!("since the merge base with {}'s default branch", opts.remote),
                )
            } else {
                (
                    head.clone(),
                    None,
                    "HEAD".to_owned(),
                    "no release tag and no remote default branch: the whole history".to_owned(),
                )
            }
        }
    };

    let mut report = CommitsReport {
        range,
        range_source: source,
        checked: 0,
        merges: 0,
        autosquash: 0,
        failed: 0,
        failures: Vec::new(),
    };
    let spec = LogSpec {
        from: &from,
        exclude: exclude.as_deref(),
        boundary: false,
        paths: &[],
    };
    let mut stream = git.log(&spec)?;
    while let Some(r) = stream.next_record()? {
        if r.parents > 1 {
            report.merges += 1;
            continue;
        }
        let subject = message::first_line(&r.message);
        if is_autosquash(subject) {
            report.autosquash += 1;
            continue;
        }
        report.checked += 1;
        if let Err(failure) = lint_commit(&r.message, &opts.rules) {
            report.failed += 1;
            if report.failures.len() < MAX_FAILURES {
                report.failures.push(CommitFailure {
                    sha: r.sha.to_owned(),
                    subject: subject.to_owned(),
                    failure,
                });
            }
        }
    }
    stream.finish()?;
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(
            parse_range("v1.0.0..HEAD").unwrap(),
            ("v1.0.0".into(), "HEAD".into())
        );
        assert_eq!(parse_range("abc..").unwrap(), ("abc".into(), "HEAD".into()));
        for bad in ["v1", "..HEAD", "a...b", "-x..HEAD", "a b..c"] {
            assert!(parse_range(bad).is_err(), "{bad}");
        }
    }
}
