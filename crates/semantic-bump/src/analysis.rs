//! The commits of a range, folded one at a time (newest first, as `git log`
//! streams them) into what `next` and the changelog need: the commits that
//! bump, revert cancellation, a `Release-As:` footer, counts and warnings.
//! Nothing else of a commit is kept.

use crate::message::{self, Header, NotConventional};
use crate::rules::{Bump, Rule, header_bump, type_bump};
use crate::version::parse_release_as;
use semver::Version;
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// How many warnings are kept in full (the rest are counted).
pub const MAX_WARNINGS: usize = 50;

/// A commit that counts: it bumps, breaks, or reverts a released change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Entry {
    /// Full commit id; empty for a commit that does not exist yet (the PR
    /// title in a preview).
    pub sha: String,
    /// The first line, as git holds it.
    pub subject: String,
    /// The type, lower-cased (`revert` for reverts of released changes).
    #[serde(rename = "type")]
    pub ty: String,
    pub scope: Option<String>,
    /// The description, without a trailing `(#12)`.
    pub description: String,
    /// The breaking change's text, if the commit breaks.
    pub breaking: Option<String>,
    /// The pull request number from a trailing `(#12)`.
    pub pr: Option<u64>,
    pub bump: Bump,
    pub rule: Rule,
}

impl Entry {
    /// The first 7 hex digits of the commit, or "" when there is none yet.
    pub fn short_sha(&self) -> &str {
        &self.sha[..self.sha.len().min(7)]
    }

    /// `type(scope)!: description`, as a person would quote the commit.
    pub fn header(&self) -> String {
        let scope = self
            .scope
            .as_ref()
            .map(|s| format!("({s})"))
            .unwrap_or_default();
        let bang = if self.rule == Rule::BreakingBang {
            "!"
        } else {
            ""
        };
        format!("{}{scope}{bang}: {}", self.ty, self.description)
    }
}

/// The `Release-As:` footer that applies: the newest one in the range.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReleaseAs {
    pub sha: String,
    pub subject: String,
    pub value: String,
    /// `None` when the value is not a version (a warning says so).
    #[serde(serialize_with = "ser_opt_version")]
    pub version: Option<Version>,
}

fn ser_opt_version<S: serde::Serializer>(v: &Option<Version>, s: S) -> Result<S::Ok, S::Error> {
    match v {
        Some(v) => s.serialize_str(&v.to_string()),
        None => s.serialize_none(),
    }
}

/// Something in a commit worth telling the user.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Warning {
    pub sha: String,
    pub subject: String,
    /// A stable id (`lowercase-breaking-footer`, `not-conventional-body`…).
    pub kind: &'static str,
    pub message: String,
}

/// A commit in the range that is not a conventional commit (what
/// `next --strict` names).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Unconventional {
    pub sha: String,
    pub subject: String,
    /// The rule it breaks (`header-format`, `space-after-colon`…).
    pub rule: &'static str,
    pub message: &'static str,
}

/// How many commits that are not conventional are kept in full.
pub const MAX_UNCONVENTIONAL: usize = 200;

/// What the range holds.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub struct Counts {
    /// Every commit in the range (merges included).
    pub commits: usize,
    pub merges: usize,
    pub conventional: usize,
    pub non_conventional: usize,
    /// Effective reverts.
    pub reverts: usize,
    /// Commits cancelled out: reverted inside the range, or reverts of those.
    pub cancelled: usize,
    /// Commits that bump (the changelog's lines).
    pub bumping: usize,
    pub breaking: usize,
    /// Conventional commits by lower-cased type.
    pub by_type: BTreeMap<String, usize>,
}

/// The folded range.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Analysis {
    pub counts: Counts,
    /// Newest first.
    pub entries: Vec<Entry>,
    pub release_as: Option<ReleaseAs>,
    pub warnings: Vec<Warning>,
    pub warnings_total: usize,
    /// Commits that look like conventional commits but break a header or
    /// message rule, so they count for nothing (each has a warning).
    pub not_counted: usize,
    /// Every commit of the range that is not a conventional commit (merges
    /// and `Revert "…"` commits aside), capped at [`MAX_UNCONVENTIONAL`];
    /// `counts.non_conventional` has the total.
    pub unconventional: Vec<Unconventional>,
    /// How many there are in all.
    pub unconventional_total: usize,
}

impl Analysis {
    /// The highest bump among the commits (before the 0.x rule).
    pub fn bump(&self) -> Bump {
        self.entries
            .iter()
            .map(|e| e.bump)
            .max()
            .unwrap_or(Bump::None)
    }

    pub fn breaking(&self) -> bool {
        self.entries.iter().any(|e| e.breaking.is_some())
    }
}

#[derive(Debug)]
struct PendingRevert {
    sha: String,
    subject: String,
    /// The commits it names (`This reverts commit <sha>`, `Refs:`).
    targets: Vec<String>,
    /// The quoted header's own bump and breaking text, when it can be read
    /// (the fallback when the named commit is not found).
    quoted: Option<(Bump, Option<String>)>,
    /// The target was found (and cancelled) inside the range.
    matched: bool,
}

/// Folds commits, newest first.
#[derive(Debug, Default)]
pub struct Analyzer {
    analysis: Analysis,
    /// Reverted commit ids by their first 7 hex digits → (id or prefix, revert).
    reverted_shas: HashMap<String, Vec<(String, usize)>>,
    /// Reverted first lines (without `(#12)`) → reverts, newest last.
    reverted_headers: HashMap<String, Vec<usize>>,
    reverts: Vec<PendingRevert>,
}

impl Analyzer {
    pub fn new() -> Self {
        Self::default()
    }

    /// Folds one commit. `sha` may be empty for a commit that does not
    /// exist yet (a PR title in a preview); `parents` is the number of
    /// parents (more than one: a merge, ignored but counted).
    pub fn push(&mut self, sha: &str, parents: usize, message: &str) {
        let counts = &mut self.analysis.counts;
        counts.commits += 1;
        if parents > 1 {
            counts.merges += 1;
            // A revert of a merge cancels against it; the merged commits stay.
            if let Some(r) = self.take_reverted_sha(sha) {
                self.reverts[r].matched = true;
                self.analysis.counts.cancelled += 1;
            }
            return;
        }

        let m = message::parse(message);
        let cancelled_by = self.take_reverted_sha(sha).or_else(|| {
            let key = message::strip_pr_suffix(m.subject);
            let stack = self.reverted_headers.get_mut(key)?;
            let r = stack.pop();
            if stack.is_empty() {
                self.reverted_headers.remove(key);
            }
            r
        });
        if let Some(r) = cancelled_by {
            // Reverted inside the range: neither counts (and if this is a
            // revert itself, what it reverted stands).
            self.reverts[r].matched = true;
            self.analysis.counts.cancelled += 1;
            match &m.header {
                Ok(_) => self.analysis.counts.conventional += 1,
                Err(why) if m.revert.is_none() => self.unconventional(sha, m.subject, *why),
                Err(_) => self.analysis.counts.non_conventional += 1,
            }
            return;
        }

        if let Some(rev) = &m.revert {
            let idx = self.reverts.len();
            let quoted = rev.header.and_then(|h| level_of(h).ok());
            self.reverts.push(PendingRevert {
                sha: sha.to_owned(),
                subject: m.subject.to_owned(),
                targets: rev.shas.iter().map(|s| s.to_ascii_lowercase()).collect(),
                quoted,
                matched: false,
            });
            if rev.shas.is_empty() {
                if let Some(h) = rev.header {
                    self.reverted_headers
                        .entry(message::strip_pr_suffix(h).to_owned())
                        .or_default()
                        .push(idx);
                }
            } else {
                for s in &rev.shas {
                    let s = s.to_ascii_lowercase();
                    self.reverted_shas
                        .entry(s[..7].to_owned())
                        .or_default()
                        .push((s, idx));
                }
            }
            self.analysis.counts.reverts += 1;
            match &m.header {
                Ok(_) => self.analysis.counts.conventional += 1,
                Err(_) => self.analysis.counts.non_conventional += 1,
            }
            return;
        }

        for note in &m.notes {
            self.warn(sha, m.subject, note.id(), note.describe().to_owned());
        }
        match &m.header {
            Ok(h) => {
                self.analysis.counts.conventional += 1;
                *self
                    .analysis
                    .counts
                    .by_type
                    .entry(h.ty_lower())
                    .or_default() += 1;
                let first_release_as = m.release_as.filter(|_| self.analysis.release_as.is_none());
                if let Some(value) = first_release_as {
                    let version = parse_release_as(value);
                    if version.is_none() {
                        self.warn(
                            sha,
                            m.subject,
                            "invalid-release-as",
                            format!(
                                "`Release-As: {value}` is not a version (expected X.Y.Z): ignored"
                            ),
                        );
                    }
                    self.analysis.release_as = Some(ReleaseAs {
                        sha: sha.to_owned(),
                        subject: m.subject.to_owned(),
                        value: value.to_owned(),
                        version,
                    });
                }
                let (bump, rule) = header_bump(h);
                if bump > Bump::None {
                    self.push_entry(sha, m.subject, h, bump, rule);
                }
            }
            Err(why) => {
                self.unconventional(sha, m.subject, *why);
                if why.is_near_miss() {
                    // The same verdict `lint-commits` gives, named by its rule.
                    self.analysis.not_counted += 1;
                    self.warn(
                        sha,
                        m.subject,
                        "not-conventional",
                        format!("not counted: {} [{}]", why.describe(), why.rule_id()),
                    );
                }
            }
        }
    }

    fn push_entry(&mut self, sha: &str, subject: &str, h: &Header<'_>, bump: Bump, rule: Rule) {
        // `feat!: x (#12)`: the changelog adds the PR link itself.
        let breaking = h
            .breaking_text()
            .map(|t| message::strip_pr_suffix(t).to_owned());
        if breaking.is_some() {
            self.analysis.counts.breaking += 1;
        }
        self.analysis.counts.bumping += 1;
        self.analysis.entries.push(Entry {
            sha: sha.to_owned(),
            subject: subject.to_owned(),
            ty: h.ty_lower(),
            scope: h.scope.map(str::to_owned),
            description: message::strip_pr_suffix(h.description).to_owned(),
            breaking,
            pr: message::pr_number(h.description),
            bump,
            rule,
        });
    }

    fn unconventional(&mut self, sha: &str, subject: &str, why: NotConventional) {
        self.analysis.counts.non_conventional += 1;
        if sha.is_empty() {
            return;
        }
        self.analysis.unconventional_total += 1;
        if self.analysis.unconventional.len() < MAX_UNCONVENTIONAL {
            self.analysis.unconventional.push(Unconventional {
                sha: sha.to_owned(),
                subject: subject.to_owned(),
                rule: why.rule_id(),
                message: why.describe(),
            });
        }
    }

    fn take_reverted_sha(&mut self, sha: &str) -> Option<usize> {
        if sha.len() < 7 || self.reverted_shas.is_empty() {
            return None;
        }
        let key = sha[..7].to_ascii_lowercase();
        let list = self.reverted_shas.get_mut(&key)?;
        let pos = list.iter().position(|(prefix, _)| {
            sha.len() >= prefix.len() && sha[..prefix.len()].eq_ignore_ascii_case(prefix)
        })?;
        let (_, r) = list.swap_remove(pos);
        if list.is_empty() {
            self.reverted_shas.remove(&key);
        }
        Some(r)
    }

    fn warn(&mut self, sha: &str, subject: &str, kind: &'static str, message: String) {
        self.analysis.warnings_total += 1;
        if self.analysis.warnings.len() < MAX_WARNINGS {
            self.analysis.warnings.push(Warning {
                sha: sha.to_owned(),
                subject: subject.to_owned(),
                kind,
                message,
            });
        }
    }

    /// Ends the range without a repository to look reverted commits up in
    /// (reverts of released changes fall back to their quoted header).
    pub fn finish(self) -> Analysis {
        self.finish_with(|_| None)
    }

    /// Ends the range: a revert whose target was not in it undoes a
    /// released change, and is worth what that change was worth — read
    /// from the commit it names (`lookup` gives a commit's message by id),
    /// else from the header it quotes, else a patch.
    pub fn finish_with(mut self, mut lookup: impl FnMut(&str) -> Option<String>) -> Analysis {
        let reverts = std::mem::take(&mut self.reverts);
        for r in reverts {
            if r.matched {
                self.analysis.counts.cancelled += 1;
                continue;
            }
            let named = r
                .targets
                .iter()
                .find_map(|t| lookup(t))
                .map(|msg| level_of_message(&msg));
            let (bump, breaking) = match (named, r.quoted) {
                (Some(level), _) => level,
                (None, Some(level)) => level,
                (None, None) => (Bump::Patch, None),
            };
            if bump == Bump::None {
                continue;
            }
            self.analysis.counts.bumping += 1;
            if breaking.is_some() {
                self.analysis.counts.breaking += 1;
            }
            let description = message::strip_pr_suffix(&r.subject).to_owned();
            let pr = message::pr_number(&r.subject);
            let (scope, description) = match message::parse(&r.subject).header {
                Ok(h) if h.ty.eq_ignore_ascii_case("revert") => (
                    h.scope.map(str::to_owned),
                    message::strip_pr_suffix(h.description).to_owned(),
                ),
                _ => (None, description),
            };
            self.analysis.entries.push(Entry {
                sha: r.sha,
                subject: r.subject,
                ty: "revert".into(),
                scope,
                description,
                breaking,
                pr,
                bump,
                rule: Rule::RevertOfReleased,
            });
        }
        self.analysis
    }
}

/// What a header is worth, and its breaking text (a revert's quoted
/// header is read through to what it reverts).
fn level_of(header: &str) -> Result<(Bump, Option<String>), ()> {
    if let Some(inner) = message::quoted_revert(header) {
        // A revert of a revert re-applies: worth what the inner one is.
        return level_of(inner);
    }
    let h = message::parse_header(header).map_err(|_| ())?;
    let bump = if h.bang {
        Bump::Major
    } else {
        type_bump(h.ty).0
    };
    let breaking = h
        .bang
        .then(|| message::strip_pr_suffix(h.description).to_owned());
    Ok((bump, breaking))
}

/// What a whole commit message is worth (its footers count): a commit that
/// is not conventional releases nothing.
fn level_of_message(msg: &str) -> (Bump, Option<String>) {
    let m = message::parse(msg);
    if let Some(rev) = &m.revert {
        return rev
            .header
            .and_then(|h| level_of(h).ok())
            .unwrap_or((Bump::Patch, None));
    }
    match &m.header {
        Ok(h) => (
            header_bump(h).0,
            h.breaking_text()
                .map(|t| message::strip_pr_suffix(t).to_owned()),
        ),
        Err(_) => (Bump::None, None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "aaaaaaa000000000000000000000000000000001";
    const B: &str = "bbbbbbb000000000000000000000000000000002";
    const C: &str = "ccccccc000000000000000000000000000000003";
    const D: &str = "ddddddd000000000000000000000000000000004";

    fn fold(commits: &[(&str, usize, &str)]) -> Analysis {
        let mut a = Analyzer::new();
        for (sha, parents, msg) in commits {
            a.push(sha, *parents, msg);
        }
        a.finish()
    }

    #[test]
    fn bumps_and_counts() {
        let a = fold(&[
            (A, 1, "feat(api): add x (#12)"),
            (B, 2, "Merge pull request #3 from x/y\n\nfeat!: not counted"),
            (C, 1, "Update readme"),
            (D, 1, "docs: y"),
        ]);
        assert_eq!(a.bump(), Bump::Minor);
        assert_eq!(a.counts.commits, 4);
        assert_eq!(a.counts.merges, 1);
        assert_eq!(a.counts.non_conventional, 1);
        assert_eq!(a.counts.conventional, 2);
        assert_eq!(a.entries.len(), 1);
        let e = &a.entries[0];
        assert_eq!((e.description.as_str(), e.pr), ("add x", Some(12)));
        assert_eq!(e.header(), "feat(api): add x");
    }

    #[test]
    fn a_revert_in_range_cancels_out() {
        let revert = format!("Revert \"feat: x\"\n\nThis reverts commit {B}.\n");
        let a = fold(&[(A, 1, &revert), (B, 1, "feat: x"), (C, 1, "fix: y")]);
        assert_eq!(a.bump(), Bump::Patch);
        assert_eq!(a.counts.cancelled, 2);
    }

    #[test]
    fn a_revert_of_a_released_change_is_worth_that_change() {
        // Not found in the repository: the quoted header decides.
        let revert = format!("Revert \"feat: x\"\n\nThis reverts commit {D}.\n");
        let a = fold(&[(A, 1, &revert), (B, 1, "docs: y")]);
        assert_eq!(a.bump(), Bump::Minor);
        assert_eq!(a.entries[0].rule, Rule::RevertOfReleased);
        // ...but reverting released docs releases nothing.
        let revert = format!("Revert \"docs: x\"\n\nThis reverts commit {D}.\n");
        assert_eq!(fold(&[(A, 1, &revert)]).bump(), Bump::None);
        // The named commit, when found, decides over the quoted text.
        let mut an = Analyzer::new();
        an.push(
            A,
            1,
            &format!("Revert \"chore: x\"\n\nThis reverts commit {D}.\n"),
        );
        let a = an.finish_with(|sha| (sha == D).then(|| "fix: x\n".to_owned()));
        assert_eq!(
            (a.bump(), a.entries[0].rule),
            (Bump::Patch, Rule::RevertOfReleased)
        );
        // Nothing readable at all: a patch.
        assert_eq!(fold(&[(A, 1, "revert: something")]).bump(), Bump::Patch);
    }

    #[test]
    fn a_revert_of_a_revert_restores() {
        let r1 = format!("Revert \"feat: x\"\n\nThis reverts commit {C}.\n");
        let r2 = format!("Reapply \"feat: x\"\n\nThis reverts commit {B}.\n");
        let a = fold(&[(A, 1, &r2), (B, 1, &r1), (C, 1, "feat: x")]);
        assert_eq!(a.bump(), Bump::Minor);
        assert_eq!(a.entries.len(), 1);
        assert_eq!(a.entries[0].sha, C);
    }

    #[test]
    fn github_revert_prs_match_by_subject() {
        let a = fold(&[
            (A, 1, "Revert \"feat(api): add x\" (#13)\n\nReverts o/r#12"),
            (B, 1, "feat(api): add x (#12)"),
        ]);
        assert_eq!(a.bump(), Bump::None);
        assert_eq!(a.counts.cancelled, 2);
    }

    #[test]
    fn abbreviated_shas_in_refs() {
        let a = fold(&[
            (A, 1, "revert: feat: x\n\nRefs: ccccccc"),
            (C, 1, "feat: x"),
        ]);
        assert_eq!(a.bump(), Bump::None);
    }

    #[test]
    fn the_newest_release_as_wins() {
        let a = fold(&[
            (A, 1, "chore: again\n\nRelease-As: 3.0.0"),
            (B, 1, "chore: release\n\nRelease-As: 2.0.0"),
        ]);
        let r = a.release_as.unwrap();
        assert_eq!(r.sha, A);
        assert_eq!(r.version, Some(Version::new(3, 0, 0)));
    }

    #[test]
    fn warnings_are_counted_and_capped() {
        let mut an = Analyzer::new();
        for _ in 0..(MAX_WARNINGS + 5) {
            an.push(A, 1, "feat: x\nglued");
        }
        let a = an.finish();
        assert_eq!(a.warnings.len(), MAX_WARNINGS);
        assert_eq!(a.warnings_total, MAX_WARNINGS + 5);
        assert_eq!(a.warnings[0].kind, "not-conventional");
    }
}
