//! `release` and `changelog`: which version a commit releases (or already
//! released: a re-run), the range its notes cover, and what else the
//! release touches: whether it is GitHub's latest, and which floating tags
//! (`v1`, `v1.3`) follow it. Pure planning over [`next`](crate::next); the
//! binary does the writing.

use crate::Error;
use crate::analysis::Analysis;
use crate::git::Git;
use crate::next::{self, Inventory, NextOptions, NextReport, VersionTag};
use crate::rules::Bump;
use crate::version::TagPrefix;
use semver::Version;

/// A version to release at a commit.
#[derive(Debug, Clone)]
pub struct Target {
    pub version: Version,
    pub tag: String,
    /// The commit released.
    pub commit: String,
    /// The tag already exists, on this very commit (a re-run, or the tag
    /// was made by hand): nothing to create, only to complete.
    pub already_tagged: bool,
    /// The release the notes start from (`None`: the first release).
    pub previous: Option<VersionTag>,
    /// The commits since `previous`: the notes.
    pub analysis: Analysis,
    /// The highest stable version of the repository (under the prefix), so
    /// GitHub should mark it latest.
    pub latest: bool,
    /// The floating tags that follow this version, and the ones held back
    /// because a higher version owns them (`v1` stays on 1.4.0 when 1.3.5 is
    /// released).
    pub floating: Floating,
}

impl Target {
    pub fn prerelease(&self) -> bool {
        !self.version.pre.is_empty()
    }
}

/// Floating tags of a release.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Floating {
    /// Tags to point at the release's commit.
    pub follow: Vec<String>,
    /// (tag, the higher version that keeps it).
    pub held: Vec<(String, Version)>,
}

/// What `release` found.
#[derive(Debug, Clone)]
pub enum Plan {
    Release(Box<Target>, NextReport),
    /// Nothing to release (and nothing released here before).
    Nothing(NextReport),
}

/// Decides what releasing `opts.rev` means: the next version when the
/// commits call for one; the version already tagged on the commit when it
/// has one (a re-run, which then only completes what is missing); else
/// nothing.
pub fn plan(git: &Git, opts: &NextOptions) -> Result<Plan, Error> {
    let report = next::next(git, opts)?;
    let inv = Inventory::new(&git.tags()?, &opts.prefix);
    let d = &report.decision;
    let (version, already, previous, analysis) = if d.bump != Bump::None {
        let Some(v) = d.next.clone() else {
            return Ok(Plan::Nothing(report));
        };
        (v, false, report.current.clone(), report.analysis.clone())
    } else if let Some(v) = d.already_tagged.clone() {
        (v, true, report.current.clone(), report.analysis.clone())
    } else if let Some(cur) = report
        .current
        .as_ref()
        .filter(|c| c.commit == report.commit && opts.policy.channel.is_none())
    {
        // This commit is the release already: the notes run from the one
        // before it.
        let reachable = git.merged_tags(&report.commit, opts.prefix.as_str())?;
        let previous = inv
            .stable()
            .filter(|t| t.version < cur.version && reachable.contains(&t.name))
            .max_by(|a, b| a.version.cmp(&b.version))
            .cloned();
        let analysis = next::analyze(
            git,
            &report.commit,
            previous.as_ref().map(|p| p.commit.as_str()),
            &opts.paths,
        )?;
        (cur.version.clone(), true, previous, analysis)
    } else {
        return Ok(Plan::Nothing(report));
    };
    let versions: Vec<Version> = inv.versions.iter().map(|t| t.version.clone()).collect();
    let target = Target {
        tag: opts.prefix.tag(&version),
        commit: report.commit.clone(),
        already_tagged: already,
        previous,
        analysis,
        latest: is_latest(&version, &versions),
        floating: floating(&opts.prefix, &version, &versions),
        version,
    };
    Ok(Plan::Release(Box::new(target), report))
}

/// What release notes cover.
#[derive(Debug, Clone)]
pub struct Notes {
    /// The range as people read it (`v1.2.0..v1.3.0`, `a1b2c3d..HEAD`).
    pub range: String,
    /// The start, for a compare link (a tag, or the revision as given).
    pub from: Option<String>,
    /// The end, for a compare link (the version's tag, or the revision).
    pub to: String,
    /// The commit at the end.
    pub commit: String,
    /// The version these notes are for: next's, or the one tagged at the
    /// end of the range. `None`: nothing to release (without a range), or
    /// no version tag at the end of the range.
    pub version: Option<Version>,
    pub analysis: Analysis,
}

/// The notes of a range `A..B` (every commit B reaches and A does not,
/// limited to `opts.paths`), or without one, of the next release (or of
/// the release already tagged on `opts.rev`: a re-run gets the same notes).
pub fn notes(git: &Git, opts: &NextOptions, range: Option<&str>) -> Result<Notes, Error> {
    let Some(range) = range else {
        return Ok(match plan(git, opts)? {
            Plan::Release(t, _) => Notes {
                range: format!(
                    "{}..{}",
                    t.previous.as_ref().map_or("", |p| p.name.as_str()),
                    if t.already_tagged {
                        t.tag.as_str()
                    } else {
                        &opts.rev
                    }
                )
                .trim_start_matches("..")
                .to_owned(),
                from: t.previous.as_ref().map(|p| p.name.clone()),
                to: t.tag.clone(),
                commit: t.commit.clone(),
                version: Some(t.version.clone()),
                analysis: t.analysis,
            },
            Plan::Nothing(r) => Notes {
                range: match &r.current {
                    Some(c) => format!("{}..{}", c.name, opts.rev),
                    None => opts.rev.clone(),
                },
                from: r.current.as_ref().map(|c| c.name.clone()),
                to: opts.rev.clone(),
                commit: r.commit.clone(),
                version: None,
                analysis: r.analysis,
            },
        });
    };
    let (a, b) = crate::commits::parse_range(range)?;
    let state = git.state(&b)?.ok_or_else(|| Error::NotARepository {
        dir: git.dir().display().to_string(),
    })?;
    if state.shallow {
        return Err(Error::Shallow);
    }
    let resolve = |rev: &str| -> Result<String, Error> {
        git.resolve(rev)?.ok_or_else(|| Error::BadRange {
            range: range.to_owned(),
            why: format!("'{rev}' does not name a commit here"),
        })
    };
    let (from, to) = (resolve(&a)?, resolve(&b)?);
    let analysis = next::analyze(git, &to, Some(&from), &opts.paths)?;
    let inv = Inventory::new(&git.tags()?, &opts.prefix);
    let at_end = inv
        .versions
        .iter()
        .filter(|t| t.commit == to)
        .max_by(|x, y| {
            (x.version.pre.is_empty(), &x.version).cmp(&(y.version.pre.is_empty(), &y.version))
        });
    let end_name = match at_end {
        Some(t) => t.name.clone(),
        None if b == "HEAD" => to[..to.len().min(7)].to_owned(),
        None => b.clone(),
    };
    Ok(Notes {
        range: range.to_owned(),
        from: Some(a),
        to: end_name,
        commit: to,
        version: at_end.map(|t| t.version.clone()),
        analysis,
    })
}

/// Whether `v` is the highest stable version among `existing` (and itself):
/// GitHub's `make_latest`. A prerelease never is.
pub fn is_latest(v: &Version, existing: &[Version]) -> bool {
    v.pre.is_empty() && existing.iter().filter(|e| e.pre.is_empty()).all(|e| e <= v)
}

/// The floating tags of a stable version `v`: `vX` follows the highest
/// stable `X.*`, `vX.Y` the highest stable `X.Y.*`. Prereleases move none.
pub fn floating(prefix: &TagPrefix, v: &Version, existing: &[Version]) -> Floating {
    let mut out = Floating::default();
    if !v.pre.is_empty() {
        return out;
    }
    let [major, minor] = prefix.floating_tags(v);
    let stable = || existing.iter().filter(|e| e.pre.is_empty());
    for (tag, same) in [
        (
            major,
            &(|e: &Version| e.major == v.major) as &dyn Fn(&Version) -> bool,
        ),
        (minor, &|e: &Version| {
            e.major == v.major && e.minor == v.minor
        }),
    ] {
        match stable().filter(|e| same(e) && *e > v).max() {
            Some(higher) => out.held.push((tag, higher.clone())),
            None => out.follow.push(tag),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn latest_is_the_highest_stable() {
        let existing = [v("1.2.0"), v("1.4.0"), v("2.0.0-rc.1")];
        assert!(is_latest(&v("1.5.0"), &existing));
        assert!(is_latest(&v("1.4.0"), &existing));
        assert!(!is_latest(&v("1.3.5"), &existing));
        assert!(!is_latest(&v("2.0.0-rc.2"), &existing));
        assert!(is_latest(&v("0.1.0"), &[]));
    }

    #[test]
    fn floating_tags_follow_the_highest_of_their_line() {
        let p: TagPrefix = "v".parse().unwrap();
        let existing = [v("1.3.4"), v("1.4.0"), v("2.0.0")];
        let f = floating(&p, &v("1.3.5"), &existing);
        assert_eq!(f.follow, ["v1.3"]);
        assert_eq!(f.held, [("v1".to_owned(), v("1.4.0"))]);
        let f = floating(&p, &v("2.1.0"), &existing);
        assert_eq!(f.follow, ["v2", "v2.1"]);
        assert!(floating(&p, &v("2.1.0-rc.1"), &existing).follow.is_empty());
        let api: TagPrefix = "api-v".parse().unwrap();
        assert_eq!(
            floating(&api, &v("0.3.0"), &[]).follow,
            ["api-v0", "api-v0.3"]
        );
    }
}
