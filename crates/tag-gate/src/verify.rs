//! Verification: a stage tag checked against its name and its record
//! ([`Gate::check`]), the versions that pass a stage ([`Gate::list`]), and
//! the `require`/`show`/`latest`/`list` commands.

use jiff::Timestamp;
use repo::{
    CommitId, DeployStatus, ListedTag, Provenance, RecordError, Scope, Stage, StoredEvent, Tag,
};
use std::collections::HashMap;
use std::fmt;
use version_stamp::BuildVersion;

use crate::advice::Searched;
use crate::{Gate, GateError};

/// A stage's version tags, newest first, and the names under its prefix
/// that are not versions.
type Ranked = (Vec<(BuildVersion, ListedTag)>, Vec<String>);

/// How many candidates a search for passing versions reads at most.
pub(crate) const SCAN_LIMIT: usize = 200;

/// Why a stage tag does not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Flaw {
    /// A lightweight tag: no tag object, so no record and no tagger.
    Lightweight,
    /// The message holds no readable provenance record.
    Unreadable(RecordError),
    /// The record is about something else than its tag name says.
    RecordMismatch {
        field: &'static str,
        recorded: String,
        expected: String,
    },
    /// The record names another commit than the tag points at.
    RecordCommit {
        recorded: CommitId,
        tagged: CommitId,
    },
    /// The tag points at a commit that does not start with V's short sha.
    ShortSha { commit: CommitId, short: String },
}

impl fmt::Display for Flaw {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Flaw::Lightweight => f.write_str(
                "it is a lightweight tag (no tag object, so no provenance record and no tagger)",
            ),
            Flaw::Unreadable(e) => write!(f, "its provenance record is unreadable: {e}"),
            Flaw::RecordMismatch {
                field,
                recorded,
                expected,
            } => write!(
                f,
                "its record's {field} is '{recorded}', expected '{expected}'"
            ),
            Flaw::RecordCommit { recorded, tagged } => write!(
                f,
                "its record names commit {recorded} but the tag points at {tagged}"
            ),
            Flaw::ShortSha { commit, short } => write!(
                f,
                "it points at commit {commit}, which does not start with the version's short sha {short}"
            ),
        }
    }
}

/// A stage tag that was checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub tag: Tag,
    pub version: BuildVersion,
    /// The record, when it verified (or, unverified, still parsed).
    pub record: Option<Provenance>,
    /// Set when the tag did not verify and `--allow-unverified` let it pass.
    pub flaw: Option<Flaw>,
}

impl Checked {
    /// When the version entered the stage: the record's time, else the
    /// tagger date.
    pub fn time(&self) -> Option<Timestamp> {
        self.record
            .as_ref()
            .map(|r| r.time)
            .or_else(|| self.tag.tagger_date())
    }

    pub fn digest(&self) -> Option<&str> {
        self.record
            .as_ref()
            .and_then(|r| r.artifact_digest.as_deref())
    }
}

/// The result of `require` and `show`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequireReport {
    pub scope: Scope,
    pub checked: Checked,
    pub warnings: Vec<String>,
}

/// A version in a stage, for `latest` and `list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub version: BuildVersion,
    pub tag: String,
    pub commit: CommitId,
    pub time: Option<Timestamp>,
    pub digest: Option<String>,
    /// False only under `--allow-unverified`.
    pub verified: bool,
}

/// A tag under a stage's prefix that was left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    pub tag: String,
    pub reason: String,
}

/// The result of `latest` and `list`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listing {
    pub scope: Scope,
    /// Newest first (by the time each entered the stage).
    pub entries: Vec<Entry>,
    /// Tags under the prefix whose rest is not a version (`prod-eu-…`).
    pub ignored: Vec<String>,
    /// Version tags left out: not verified, or revoked.
    pub skipped: Vec<Skipped>,
    /// Version tags under the prefix in all.
    pub total: usize,
    /// Whether every version tag was considered, or the scan stopped at
    /// its limit before finding enough.
    pub searched: Searched,
    pub warnings: Vec<String>,
}

impl Gate<'_> {
    /// Checks a stage tag against its name and its record.
    pub fn check(
        &self,
        scope: &Scope,
        version: &BuildVersion,
        tag: &Tag,
    ) -> Result<Provenance, (Flaw, Option<Provenance>)> {
        let Some(a) = tag.annotation() else {
            return Err((Flaw::Lightweight, None));
        };
        let record =
            Provenance::from_message(&a.message).map_err(|e| (Flaw::Unreadable(e), None))?;
        let mismatch = |field, recorded: String, expected: String| Flaw::RecordMismatch {
            field,
            recorded,
            expected,
        };
        let flaw = if record.version != *version {
            Some(mismatch(
                "version",
                record.version.to_string(),
                version.to_string(),
            ))
        } else if record.stage != scope.stage {
            Some(mismatch(
                "stage",
                record.stage.to_string(),
                scope.stage.to_string(),
            ))
        } else if record.service != scope.service {
            Some(mismatch(
                "service",
                record
                    .service
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
                scope
                    .service
                    .as_ref()
                    .map(|s| s.to_string())
                    .unwrap_or_default(),
            ))
        } else if record.commit != tag.commit {
            Some(Flaw::RecordCommit {
                recorded: record.commit.clone(),
                tagged: tag.commit.clone(),
            })
        } else if !version.matches_commit(tag.commit.as_str()) {
            Some(Flaw::ShortSha {
                commit: tag.commit.clone(),
                short: version.short_sha().to_owned(),
            })
        } else {
            None
        };
        match flaw {
            Some(f) => Err((f, Some(record))),
            None => Ok(record),
        }
    }

    /// [`Gate::check`], failing closed unless `--allow-unverified`.
    pub(crate) fn accept(
        &self,
        scope: &Scope,
        version: &BuildVersion,
        tag: Tag,
        warnings: &mut Vec<String>,
    ) -> Result<Checked, GateError> {
        match self.check(scope, version, &tag) {
            Ok(record) => Ok(Checked {
                tag,
                version: version.clone(),
                record: Some(record),
                flaw: None,
            }),
            Err((flaw, record)) => {
                if !self.allow_unverified {
                    return Err(GateError::Unverified {
                        tag: tag.name.clone(),
                        flaw,
                    });
                }
                warnings.push(format!(
                    "--allow-unverified: accepting {} although {flaw}",
                    tag.name
                ));
                Ok(Checked {
                    tag,
                    version: version.clone(),
                    record,
                    flaw: Some(flaw),
                })
            }
        }
    }

    /// Revocations for a scope, by version (the newest for each).
    pub(crate) fn revocations(
        &self,
        scope: &Scope,
    ) -> Result<HashMap<BuildVersion, StoredEvent>, GateError> {
        let mut out = HashMap::new();
        for e in self.store.list_events(scope, None)? {
            if e.event.status == DeployStatus::Revoked {
                out.entry(e.event.version.clone()).or_insert(e);
            }
        }
        Ok(out)
    }

    pub(crate) fn revoked_error(&self, scope: &Scope, revocation: &StoredEvent) -> GateError {
        GateError::Revoked {
            version: revocation.event.version.clone(),
            stage: scope.environment(),
            reason: revocation
                .event
                .description
                .clone()
                .unwrap_or_else(|| "no reason given".into()),
            actor: revocation.event.actor.clone(),
            at: revocation.event.time,
        }
    }

    /// The stage's version tags, newest first, and the names ignored.
    fn ranked(&self, scope: &Scope) -> Result<Ranked, GateError> {
        let mut ranked = Vec::new();
        let mut ignored = Vec::new();
        let prefix = scope.tag_prefix();
        for t in self.store.list_tags(&prefix)? {
            // Scope::version_of, without building the prefix per tag.
            let version = t
                .name
                .strip_prefix(prefix.as_str())
                .filter(|rest| rest.trim() == *rest)
                .and_then(|rest| BuildVersion::parse(rest).ok());
            match version {
                Some(v) => ranked.push((v, t)),
                None => ignored.push(t.name),
            }
        }
        // By the time the version entered the stage (tagger date), never by
        // name; tags without a date (lightweight) last.
        ranked.sort_by(|(va, a), (vb, b)| {
            b.date
                .is_some()
                .cmp(&a.date.is_some())
                .then_with(|| b.date.cmp(&a.date))
                .then_with(|| vb.cmp(va))
        });
        ignored.sort();
        Ok((ranked, ignored))
    }

    /// The newest versions that pass a stage (verified, not revoked), at
    /// most `want`, reading candidates in batches.
    pub(crate) fn passing(
        &self,
        scope: &Scope,
        want: usize,
        revoked: &HashMap<BuildVersion, StoredEvent>,
    ) -> Result<Listing, GateError> {
        let (ranked, ignored) = self.ranked(scope)?;
        let total = ranked.len();
        let mut entries = Vec::new();
        let mut skipped = Vec::new();
        let mut warnings = Vec::new();
        let mut read = 0;
        let batch = want.clamp(8, 100);
        while entries.len() < want && read < ranked.len() && read < SCAN_LIMIT.max(want) {
            let chunk = &ranked[read..(read + batch).min(ranked.len())];
            read += chunk.len();
            let names: Vec<&str> = chunk.iter().map(|(_, t)| t.name.as_str()).collect();
            let tags = self.store.read_tags(&names)?;
            for ((version, listed), tag) in chunk.iter().zip(tags) {
                if entries.len() >= want {
                    break;
                }
                let Some(tag) = tag else {
                    // Deleted between the listing and the read.
                    skipped.push(Skipped {
                        tag: listed.name.clone(),
                        reason: "it disappeared while being read".into(),
                    });
                    continue;
                };
                if let Some(e) = revoked.get(version) {
                    skipped.push(Skipped {
                        tag: listed.name.clone(),
                        reason: self.revoked_error(scope, e).to_string(),
                    });
                    continue;
                }
                match self.accept(scope, version, tag, &mut warnings) {
                    Ok(c) => entries.push(Entry {
                        version: version.clone(),
                        tag: c.tag.name.clone(),
                        commit: c.tag.commit.clone(),
                        time: c.time(),
                        digest: c.digest().map(str::to_owned),
                        verified: c.flaw.is_none(),
                    }),
                    Err(GateError::Unverified { tag, flaw }) => skipped.push(Skipped {
                        tag,
                        reason: flaw.to_string(),
                    }),
                    Err(e) => return Err(e),
                }
            }
        }
        let searched = if entries.len() < want && read < ranked.len() {
            Searched::Newest(read)
        } else {
            Searched::All
        };
        Ok(Listing {
            scope: scope.clone(),
            entries,
            ignored,
            skipped,
            total,
            searched,
            warnings,
        })
    }

    /// `require --stage S --version V`: the tag exists, verifies, and V is
    /// not revoked for S.
    pub fn require(
        &self,
        stage: &Stage,
        version: &BuildVersion,
    ) -> Result<RequireReport, GateError> {
        self.known(stage)?;
        let scope = self.scope(stage);
        let name = scope.tag_name(version);
        let Some(tag) = self.store.read_tag(&name)? else {
            return Err(self.not_passed(&scope, version));
        };
        let mut warnings = Vec::new();
        let checked = self.accept(&scope, version, tag, &mut warnings)?;
        if let Some(e) = self.revocations(&scope)?.get(version) {
            return Err(self.revoked_error(&scope, e));
        }
        Ok(RequireReport {
            scope,
            checked,
            warnings,
        })
    }

    /// `show --stage S --version V`: the tag and its record, verified or
    /// not (the flaw is reported, not an error).
    pub fn show(&self, stage: &Stage, version: &BuildVersion) -> Result<RequireReport, GateError> {
        self.known(stage)?;
        let scope = self.scope(stage);
        let name = scope.tag_name(version);
        let Some(tag) = self.store.read_tag(&name)? else {
            return Err(self.not_passed(&scope, version));
        };
        let checked = match self.check(&scope, version, &tag) {
            Ok(record) => Checked {
                tag,
                version: version.clone(),
                record: Some(record),
                flaw: None,
            },
            Err((flaw, record)) => Checked {
                tag,
                version: version.clone(),
                record,
                flaw: Some(flaw),
            },
        };
        Ok(RequireReport {
            scope,
            checked,
            warnings: Vec::new(),
        })
    }

    /// `latest --stage S`: the version most recently promoted into S that
    /// verifies and is not revoked for S.
    pub fn latest(&self, stage: &Stage) -> Result<Listing, GateError> {
        self.list(stage, 1)
    }

    /// `list --stage S --limit N`: newest first.
    pub fn list(&self, stage: &Stage, limit: usize) -> Result<Listing, GateError> {
        self.known(stage)?;
        let scope = self.scope(stage);
        let revoked = self.revocations(&scope)?;
        let listing = self.passing(&scope, limit.max(1), &revoked)?;
        if listing.entries.is_empty() {
            return Err(GateError::NoVersions {
                stage: scope.environment(),
                ignored: listing.ignored.len(),
                skipped: listing.skipped.len(),
            });
        }
        Ok(listing)
    }
}
