//! `next`: the highest stable version tag reachable from the commit, the
//! commits since it, and the decision.
//!
//! Git work, in the common case: `rev-parse` (shallow? which commit?),
//! `for-each-ref` (every tag, no history walk), and ONE `git log
//! --boundary TAG..HEAD` streamed through the [`Analyzer`]. The boundary
//! marks prove the tag reachable for free (a reachable tag is always a
//! boundary commit of its own range); only when it is not (the highest tag
//! sits on an unmerged branch) does a `for-each-ref --merged` walk run, and
//! the log runs again from the right tag. With `--path`, boundaries say
//! nothing about reachability, so `--merged` runs first.

use crate::analysis::{Analysis, Analyzer};
use crate::decide::{Decision, Labels, Policy, decide};
use crate::git::{Git, LogSpec, RawTag};
use crate::version::TagPrefix;
use crate::{Error, GitError};
use semver::Version;
use std::collections::HashSet;
use std::time::Duration;

/// What `next` needs to know.
#[derive(Debug, Clone)]
pub struct NextOptions {
    /// The commit to release (default `HEAD`).
    pub rev: String,
    pub prefix: TagPrefix,
    pub policy: Policy,
    /// `--initial` was given: with no tag under the prefix, this really is
    /// a first release even though other version-like tags exist.
    pub initial_explicit: bool,
    /// The pull request's labels (`release:*`).
    pub labels: Vec<String>,
    /// Only commits touching these (repository-relative) paths.
    pub paths: Vec<String>,
    /// The remote asked when the clone has no tags at all.
    pub remote: String,
    /// A token for asking that remote (GitHub's `x-access-token`).
    pub remote_token: Option<String>,
    /// How long asking the remote may take (then git and ssh are killed).
    pub remote_timeout: Duration,
    /// The user chose the ssh command (`GIT_SSH_COMMAND`, `GIT_SSH`): it
    /// gets no timeouts of ours (the deadline still holds).
    pub remote_user_ssh: bool,
    /// Messages on top of `rev` that are not commits yet (a PR title, for a
    /// preview), newest first.
    pub pending: Vec<String>,
}

impl Default for NextOptions {
    fn default() -> Self {
        NextOptions {
            rev: "HEAD".into(),
            prefix: TagPrefix::default(),
            policy: Policy::default(),
            initial_explicit: false,
            labels: Vec::new(),
            paths: Vec::new(),
            remote: "origin".into(),
            remote_token: None,
            remote_timeout: repo::git::DEFAULT_NETWORK_TIMEOUT,
            remote_user_ssh: false,
            pending: Vec::new(),
        }
    }
}

/// A version tag under the prefix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VersionTag {
    pub name: String,
    pub version: Version,
    pub commit: String,
}

/// The repository's tags, sorted out.
#[derive(Debug, Clone, Default)]
pub struct Inventory {
    /// Every version under the prefix (stable and prerelease), highest first.
    pub versions: Vec<VersionTag>,
    /// Tags not under the prefix whose name ends in a version: (prefix, name).
    pub elsewhere: Vec<(String, String)>,
    /// Tags under the prefix that are not versions (or not on a commit).
    pub ignored: Vec<String>,
    /// Floating tags under the prefix (`v1`, `v1.3`: what `release
    /// --floating-tags` moves), neither versions nor noise.
    pub floating: Vec<String>,
    pub total: usize,
}

impl Inventory {
    pub fn new(tags: &[RawTag], prefix: &TagPrefix) -> Self {
        let mut inv = Inventory {
            total: tags.len(),
            ..Inventory::default()
        };
        for t in tags {
            match (prefix.version_of(&t.name), &t.commit) {
                (Some(version), Some(commit)) => inv.versions.push(VersionTag {
                    name: t.name.clone(),
                    version,
                    commit: commit.clone(),
                }),
                (Some(_), None) => inv.ignored.push(t.name.clone()),
                (None, _) => {
                    if prefix.is_floating(&t.name) {
                        inv.floating.push(t.name.clone());
                    } else if t.name.starts_with(prefix.as_str()) && !prefix.as_str().is_empty() {
                        inv.ignored.push(t.name.clone());
                    } else if let Some(p) = version_suffix_prefix(&t.name) {
                        inv.elsewhere.push((p.to_owned(), t.name.clone()));
                    } else if prefix.as_str().is_empty() {
                        inv.ignored.push(t.name.clone());
                    }
                }
            }
        }
        inv.versions
            .sort_by(|a, b| b.version.cmp(&a.version).then_with(|| a.name.cmp(&b.name)));
        inv
    }

    pub fn stable(&self) -> impl Iterator<Item = &VersionTag> {
        self.versions.iter().filter(|t| t.version.pre.is_empty())
    }
}

/// The text before a trailing version in a tag name (`release-1.2.0` →
/// `release-`), if the name ends in one.
fn version_suffix_prefix(name: &str) -> Option<&str> {
    let bytes = name.as_bytes();
    (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit() && (i == 0 || !bytes[i - 1].is_ascii_digit()))
        .find(|&i| Version::parse(&name[i..]).is_ok())
        .map(|i| &name[..i])
}

/// What `next` found and decided.
#[derive(Debug, Clone)]
pub struct NextReport {
    /// The commit released.
    pub commit: String,
    /// The last stable release (`None`: first release).
    pub current: Option<VersionTag>,
    pub analysis: Analysis,
    pub decision: Decision,
    /// `prefix + next`, when something is released (or already tagged).
    pub next_tag: Option<String>,
    /// Things to tell the user about the tags and the decision.
    pub notes: Vec<String>,
    /// How many tags are under the prefix, and how many of those are not
    /// versions.
    pub version_tags: usize,
    pub ignored_tags: usize,
}

/// Runs `next`.
pub fn next(git: &Git, opts: &NextOptions) -> Result<NextReport, Error> {
    let state = git.state(&opts.rev)?.ok_or_else(|| Error::NotARepository {
        dir: git.dir().display().to_string(),
    })?;
    let commit = state.commit.ok_or_else(|| Error::NoCommit {
        rev: opts.rev.clone(),
    })?;
    if state.shallow {
        return Err(Error::Shallow);
    }
    let raw = git.tags()?;
    let inv = Inventory::new(&raw, &opts.prefix);
    let mut notes = Vec::new();

    if inv.versions.is_empty() {
        if !inv.elsewhere.is_empty() {
            let err = prefix_mismatch(&opts.prefix, &inv.elsewhere);
            if !opts.initial_explicit {
                return Err(err);
            }
            notes.push(format!("{err}: starting a new series at --initial"));
        }
        if raw.is_empty() {
            check_remote_has_no_tags(git, opts)?;
        }
    }

    let mut reachable: Option<HashSet<String>> = None;
    if !opts.paths.is_empty() && inv.stable().next().is_some() {
        reachable = Some(
            git.merged_tags(&commit, opts.prefix.as_str())?
                .into_iter()
                .collect(),
        );
    }
    let (current, analysis) = loop {
        let candidate = inv
            .stable()
            .find(|t| reachable.as_ref().is_none_or(|r| r.contains(&t.name)));
        let Some(cand) = candidate else {
            let spec = LogSpec {
                from: &commit,
                exclude: None,
                boundary: false,
                paths: &opts.paths,
            };
            break (None, fold(git, &spec, &opts.pending, None)?.0);
        };
        if cand.commit == commit {
            break (Some(cand.clone()), fold_pending(&opts.pending));
        }
        let check = reachable.is_none();
        let spec = LogSpec {
            from: &commit,
            exclude: Some(&cand.commit),
            boundary: check,
            paths: &opts.paths,
        };
        let (analysis, saw) = fold(
            git,
            &spec,
            &opts.pending,
            check.then_some(cand.commit.as_str()),
        )?;
        if !check || saw {
            break (Some(cand.clone()), analysis);
        }
        // The highest tag is on a branch this commit does not contain.
        reachable = Some(
            git.merged_tags(&commit, opts.prefix.as_str())?
                .into_iter()
                .collect(),
        );
    };

    if let Some(r) = &reachable {
        let above: Vec<&str> = inv
            .stable()
            .filter(|t| !r.contains(&t.name))
            .filter(|t| current.as_ref().is_none_or(|c| t.version > c.version))
            .map(|t| t.name.as_str())
            .collect();
        // A tag on a later commit (HEAD is simply behind it) is not a tag on
        // an unmerged branch: say which is which.
        let mut later = Vec::new();
        let mut elsewhere = Vec::new();
        for name in &above {
            let on = inv.versions.iter().find(|t| t.name == *name);
            let ahead = match on {
                Some(t) if later.len() + elsewhere.len() < 10 => {
                    git.is_ancestor(&commit, &t.commit)?
                }
                _ => false,
            };
            if ahead {
                later.push(*name);
            } else {
                elsewhere.push(*name);
            }
        }
        if !later.is_empty() {
            notes.push(format!(
                "{} {} on a later commit: {} is behind {} (an older commit is checked out): ignored",
                list(&later, 5),
                if later.len() == 1 { "is" } else { "are" },
                opts.rev,
                if later.len() == 1 { "it" } else { "them" },
            ));
        }
        if !elsewhere.is_empty() {
            notes.push(format!(
                "{} {} not reachable from {} (tags on unmerged branches): ignored",
                list(&elsewhere, 5),
                if elsewhere.len() == 1 { "is" } else { "are" },
                opts.rev
            ));
        }
    }

    let labels = Labels::read(&opts.labels);
    let existing: Vec<Version> = inv.versions.iter().map(|t| t.version.clone()).collect();
    let at_head: Vec<Version> = inv
        .versions
        .iter()
        .filter(|t| t.commit == commit)
        .map(|t| t.version.clone())
        .collect();
    let decision = decide(
        current.as_ref().map(|c| &c.version),
        &analysis,
        &labels,
        &opts.policy,
        &existing,
        &at_head,
    );
    let next_tag = decision.next.as_ref().map(|v| opts.prefix.tag(v));
    let clash = next_tag
        .as_ref()
        .filter(|_| decision.bump != crate::Bump::None)
        .and_then(|tag| inv.versions.iter().find(|t| &t.name == tag))
        .filter(|t| t.commit != commit);
    if let Some(clash) = clash {
        // Say what is there: every tag of that version line, on which
        // commit, and whether this commit holds it.
        let mut line = Vec::new();
        for t in inv.versions.iter().filter(|t| {
            t.version.major == clash.version.major && t.version.minor == clash.version.minor
        }) {
            let place = if t.commit == commit {
                "this commit"
            } else if git.is_ancestor(&t.commit, &commit)? {
                "in its history"
            } else if git.is_ancestor(&commit, &t.commit)? {
                "a later commit: this one is behind it"
            } else {
                "another branch"
            };
            line.push(format!(
                "{} on {} ({place})",
                t.name,
                &t.commit[..t.commit.len().min(7)]
            ));
        }
        return Err(Error::NextTagExists {
            tag: clash.name.clone(),
            commit: clash.commit.clone(),
            line,
        });
    }
    if !inv.ignored.is_empty() {
        notes.push(format!(
            "{} tag{} under the prefix '{}' {} not a version: ignored ({})",
            inv.ignored.len(),
            if inv.ignored.len() == 1 { "" } else { "s" },
            opts.prefix,
            if inv.ignored.len() == 1 { "is" } else { "are" },
            list(
                &inv.ignored.iter().map(String::as_str).collect::<Vec<_>>(),
                3
            )
        ));
    }
    notes.extend(decision.notes.iter().cloned());
    Ok(NextReport {
        commit,
        current,
        analysis,
        decision,
        next_tag,
        notes,
        version_tags: inv.versions.len(),
        ignored_tags: inv.ignored.len(),
    })
}

/// The analysis of the commits `from` reaches and `exclude` does not (one
/// streaming `git log`), limited to `paths` when given.
pub fn analyze(
    git: &Git,
    from: &str,
    exclude: Option<&str>,
    paths: &[String],
) -> Result<Analysis, GitError> {
    let spec = LogSpec {
        from,
        exclude,
        boundary: false,
        paths,
    };
    Ok(fold(git, &spec, &[], None)?.0)
}

fn fold_pending(pending: &[String]) -> Analysis {
    let mut an = Analyzer::new();
    for p in pending {
        an.push("", 1, p);
    }
    an.finish()
}

/// Streams `git log` through the analyzer; reports whether `boundary_of`
/// showed up as a boundary commit.
fn fold(
    git: &Git,
    spec: &LogSpec<'_>,
    pending: &[String],
    boundary_of: Option<&str>,
) -> Result<(Analysis, bool), GitError> {
    let mut an = Analyzer::new();
    for p in pending {
        an.push("", 1, p);
    }
    let mut stream = git.log(spec)?;
    let mut saw = false;
    while let Some(r) = stream.next_record()? {
        if r.boundary {
            saw |= boundary_of == Some(r.sha);
            continue;
        }
        an.push(r.sha, r.parents, &r.message);
    }
    stream.finish()?;
    // Reverts of commits before the range: read the commit they name.
    let mut failed = None;
    let analysis = an.finish_with(|sha| match git.commit_message(sha) {
        Ok(m) => m,
        Err(e) => {
            failed.get_or_insert(e);
            None
        }
    });
    if let Some(e) = failed {
        return Err(e);
    }
    Ok((analysis, saw))
}

/// The clone has no tags at all: a first release, or a clone made without
/// them? Ask the remote (`git ls-remote --tags`); no remote at all means a
/// local repository, which may well be new.
fn check_remote_has_no_tags(git: &Git, opts: &NextOptions) -> Result<(), Error> {
    let Some(url) = git.remote_url(&opts.remote)? else {
        return Ok(());
    };
    let user_ssh = opts.remote_user_ssh || git.ssh_command_configured();
    let ask = |token| git.remote_tags(&opts.remote, token, opts.remote_timeout, user_ssh);
    let mut result = ask(None);
    // A remote that did not answer is not asked again.
    if let (Err(e), Some(token)) = (&result, &opts.remote_token)
        && !matches!(e, GitError::Timeout { .. })
    {
        result = ask(Some(token));
    }
    match result {
        Ok(tags) if tags.is_empty() => Ok(()),
        Ok(tags) => Err(Error::TagsNotFetched {
            remote: opts.remote.clone(),
            count: tags.len(),
            example: tags[..tags.len().min(3)].join(", "),
        }),
        Err(e) => Err(Error::RemoteUnknown {
            remote: opts.remote.clone(),
            url: repo::git::redact_url(&url),
            timed_out: matches!(e, GitError::Timeout { .. }),
            detail: e.to_string(),
        }),
    }
}

fn prefix_mismatch(prefix: &TagPrefix, elsewhere: &[(String, String)]) -> Error {
    let names: Vec<&str> = elsewhere.iter().map(|(_, n)| n.as_str()).collect();
    let first = &elsewhere[0].0;
    let suggestion = elsewhere
        .iter()
        .all(|(p, _)| p == first)
        .then(|| first.clone());
    Error::PrefixMismatch {
        prefix: prefix.to_string(),
        count: names.len(),
        examples: list(&names, 5),
        suggestion,
    }
}

fn list(items: &[&str], max: usize) -> String {
    let mut s = items
        .iter()
        .take(max)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > max {
        s.push_str(&format!(" and {} more", items.len() - max));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(name: &str) -> RawTag {
        RawTag {
            name: name.into(),
            commit: Some("c".repeat(40)),
        }
    }

    #[test]
    fn inventory_sorts_tags_out() {
        let p: TagPrefix = "v".parse().unwrap();
        let inv = Inventory::new(
            &[
                raw("v1.2.0"),
                raw("v1.10.0"),
                raw("v2.0.0-rc.1"),
                raw("vnext"),
                raw("v1.2"),
                raw("v1"),
                raw("v01"),
                raw("1.5.0"),
                raw("release-3.0.0"),
                raw("latest"),
                RawTag {
                    name: "v9.9.9".into(),
                    commit: None,
                },
            ],
            &p,
        );
        let names: Vec<&str> = inv.versions.iter().map(|t| t.name.as_str()).collect();
        assert_eq!(names, ["v2.0.0-rc.1", "v1.10.0", "v1.2.0"]);
        assert_eq!(inv.stable().next().unwrap().name, "v1.10.0");
        assert_eq!(inv.ignored, ["vnext", "v01", "v9.9.9"]);
        assert_eq!(inv.floating, ["v1.2", "v1"]);
        assert_eq!(
            inv.elsewhere,
            [
                ("".to_owned(), "1.5.0".to_owned()),
                ("release-".to_owned(), "release-3.0.0".to_owned())
            ]
        );
    }

    #[test]
    fn version_suffixes() {
        assert_eq!(version_suffix_prefix("api-v1.2.3"), Some("api-v"));
        assert_eq!(version_suffix_prefix("1.2.3"), Some(""));
        assert_eq!(version_suffix_prefix("v12"), None);
        assert_eq!(version_suffix_prefix("build-84fb5881-20250120"), None);
    }

    #[test]
    fn prefix_mismatch_suggests_the_common_prefix() {
        let e = prefix_mismatch(
            &"v".parse().unwrap(),
            &[("".into(), "1.0.0".into()), ("".into(), "1.1.0".into())],
        );
        let Error::PrefixMismatch {
            suggestion, count, ..
        } = &e
        else {
            panic!()
        };
        assert_eq!((suggestion.as_deref(), *count), (Some(""), 2));
        assert!(e.to_string().contains("1.0.0, 1.1.0"));
    }
}
