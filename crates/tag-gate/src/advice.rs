//! What a refusal adds so its reader can move on: the newest versions
//! that pass ([`Suggestion`], [`Advice`]) and the command that fixes it.

use jiff::Timestamp;
use repo::{Scope, Stage};
use std::fmt;
use version_stamp::BuildVersion;

use crate::verify::Checked;
use crate::{Classify, ErrorClass, Gate, GateError, short_time};

/// How many passing versions an error message names.
const SUGGESTIONS: usize = 3;

/// A version that passes a stage, as messages name it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Suggestion {
    pub version: BuildVersion,
    pub time: Option<Timestamp>,
}

impl fmt::Display for Suggestion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.time {
            Some(t) => write!(f, "{} (since {})", self.version, short_time(t)),
            None => write!(f, "{}", self.version),
        }
    }
}

/// Where a build's recorded artifact came from, for a digest mismatch's
/// fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltBy {
    /// The build tag (verified).
    pub tag: String,
    pub artifact_id: Option<String>,
    /// The build run's URL, else `run ID`.
    pub run: Option<String>,
    /// The command that builds a new version's tag.
    pub rebuild: String,
}

/// How far a search for passing versions got, so that an empty list is
/// never worded as "nothing passes" when the search did not look at
/// everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Searched {
    /// Every version tag under the stage's prefix was considered.
    #[default]
    All,
    /// Only the newest N version tags were read (the scan limit).
    Newest(usize),
    /// The search itself failed.
    Failed(String),
}

pub(crate) fn suggestions_text(stage: &str, list: &[Suggestion], searched: &Searched) -> String {
    if !list.is_empty() {
        return format!(
            "newest versions that pass {stage}: {}",
            list.iter()
                .map(|s| s.to_string())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    match searched {
        Searched::All => format!("no version passes {stage} yet"),
        Searched::Newest(n) => format!(
            "none of the newest {n} version tags under {stage} passes (older ones were not \
             read; tag-gate list --limit N reads further)"
        ),
        Searched::Failed(e) => {
            format!("the versions that pass {stage} could not be listed: {e}")
        }
    }
}

/// What a refusal adds so that its reader can move on: the newest versions
/// that pass the stage the command needed, and the command that uses one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Advice {
    /// The stage (with its service) the versions pass, as messages name it.
    pub stage: String,
    /// Versions that pass `stage`, other than the one refused.
    pub passing: Vec<Suggestion>,
    /// The refused version passes `stage` itself (so it is not in
    /// `passing`); with what to say about it.
    pub itself: Option<String>,
    pub searched: Searched,
    pub fix: String,
}

impl fmt::Display for Advice {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.itself, self.passing.is_empty()) {
            (Some(note), true) => write!(f, "{note}; no other version passes {}", self.stage)?,
            (Some(note), false) => write!(
                f,
                "{note}; besides it, {}",
                suggestions_text(&self.stage, &self.passing, &self.searched)
            )?,
            (None, _) => f.write_str(&suggestions_text(
                &self.stage,
                &self.passing,
                &self.searched,
            ))?,
        }
        write!(f, "\nto fix: {}", self.fix)
    }
}

impl Gate<'_> {
    /// The command (with `--service` when set) that fixes a missing tag.
    pub(crate) fn fix_command(&self, stage: &Stage, version: &BuildVersion) -> String {
        let svc = self
            .service
            .as_ref()
            .map(|s| format!(" --service {s}"))
            .unwrap_or_default();
        if stage == self.chain.first() {
            format!("tag-gate create --stage {stage} --version {version} --artifact FILE{svc}")
        } else {
            format!("tag-gate promote --to {stage} --version {version}{svc}")
        }
    }

    /// The newest versions that pass a stage, and how far the search got
    /// (a failed search is said so, never worded as "nothing passes").
    pub(crate) fn suggestions(&self, scope: &Scope) -> (Vec<Suggestion>, Searched) {
        let found = self
            .revocations(scope)
            .and_then(|revoked| self.passing(scope, SUGGESTIONS, &revoked));
        match found {
            Ok(l) => (
                l.entries
                    .into_iter()
                    .map(|e| Suggestion {
                        version: e.version,
                        time: e.time,
                    })
                    .collect(),
                l.searched,
            ),
            Err(e) => (Vec::new(), Searched::Failed(e.to_string())),
        }
    }

    /// The newest versions passing `from` (verified, not revoked for it
    /// nor for `target`), leaving out `version`; and whether `version`
    /// itself passes `from` (verified, not revoked for `from`).
    pub(crate) fn alternatives(
        &self,
        from: &Scope,
        target: &Scope,
        version: &BuildVersion,
    ) -> Result<(Vec<Suggestion>, Searched, bool), GateError> {
        let own = self.revocations(from)?;
        let mut revoked = own.clone();
        if target != from {
            revoked.extend(self.revocations(target)?);
        }
        let listing = self.passing(from, SUGGESTIONS + 1, &revoked)?;
        let mut itself = listing.entries.iter().any(|e| e.version == *version);
        if !itself && !own.contains_key(version) {
            // Not among the newest (or revoked for the target only): read
            // its own tag.
            let scope_tag = from.tag_name(version);
            if let Some(tag) = self.store.read_tag(&scope_tag)? {
                itself = self.check(from, version, &tag).is_ok();
            }
        }
        let passing = listing
            .entries
            .into_iter()
            .filter(|e| e.version != *version)
            .take(SUGGESTIONS)
            .map(|e| Suggestion {
                version: e.version,
                time: e.time,
            })
            .collect();
        Ok((passing, listing.searched, itself))
    }

    /// Whether a refusal needs [`Advice`]: a closed gate that does not
    /// already name the passing versions and the fix.
    fn needs_advice(err: &GateError) -> bool {
        err.class() == ErrorClass::Denied
            && !matches!(
                err,
                GateError::NotPassed { .. }
                    | GateError::NoVersions { .. }
                    | GateError::NoDeployment { .. }
                    // the version is fine: its hint names the image to deploy
                    | GateError::ImageMismatch { .. }
            )
    }

    pub(crate) fn service_flag(&self) -> String {
        self.service
            .as_ref()
            .map(|s| format!(" --service {s}"))
            .unwrap_or_default()
    }

    /// For a refused `promote --to S --version V`: the newest versions that
    /// passed the stage before S (and are not revoked for S), and the
    /// command that promotes the newest of them. `None` when the refusal
    /// says so itself, or the lookup fails.
    pub fn advise_promote(
        &self,
        to: &Stage,
        version: &BuildVersion,
        err: &GateError,
    ) -> Option<Advice> {
        if !Self::needs_advice(err) {
            return None;
        }
        let pos = self.chain.position(to).filter(|p| *p > 0)?;
        let from = self.scope(&self.chain.stages()[pos - 1]);
        let (passing, searched, itself) =
            self.alternatives(&from, &self.scope(to), version).ok()?;
        let svc = self.service_flag();
        let other = passing.first().map(|p| {
            format!(
                "promote a version that passes {}: tag-gate promote --to {to} --version {}{svc}",
                from.environment(),
                p.version,
            )
        });
        let (itself, fix) = match err {
            // The version is fine; the file is not the one built.
            GateError::DigestMismatch { built: Some(_), .. } => (
                Some(format!(
                    "{version} passes {} itself: only the artifact differs",
                    from.environment()
                )),
                format!(
                    "promote {version} with the artifact that was built: tag-gate promote --to \
                     {to} --version {version} --artifact FILE{svc} (FILE downloaded from the \
                     build run); or {}",
                    other.unwrap_or_else(|| self.new_version_fix())
                ),
            ),
            _ => (
                itself.then(|| {
                    format!(
                        "{version} passes {} itself, but is refused as said above",
                        from.environment()
                    )
                }),
                other.unwrap_or_else(|| self.new_version_fix()),
            ),
        };
        Some(Advice {
            stage: from.environment(),
            passing,
            itself,
            searched,
            fix,
        })
    }

    /// For a refused `require --stage S --version V`: the newest versions
    /// that pass S, and the command that checks the newest of them.
    pub fn advise_require(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        err: &GateError,
    ) -> Option<Advice> {
        if !Self::needs_advice(err) {
            return None;
        }
        let scope = self.scope(stage);
        let (passing, searched, itself) = self.alternatives(&scope, &scope, version).ok()?;
        let fix = match passing.first() {
            Some(p) => format!(
                "use a version that passes {}: tag-gate require --stage {stage} --version {}{}",
                scope.environment(),
                p.version,
                self.service_flag()
            ),
            None => self.new_version_fix(),
        };
        Some(Advice {
            stage: scope.environment(),
            passing,
            itself: itself.then(|| {
                format!(
                    "{version} passes {} itself, but is refused as said above",
                    scope.environment()
                )
            }),
            searched,
            fix,
        })
    }

    /// Where a verified build tag's artifact came from, for a digest
    /// mismatch's fix.
    pub(crate) fn built_by(&self, checked: &Checked) -> Option<BuiltBy> {
        if checked.flaw.is_some() {
            return None;
        }
        let record = checked.record.as_ref()?;
        Some(BuiltBy {
            tag: checked.tag.name.clone(),
            artifact_id: record.artifact_id.clone(),
            run: record
                .run_url
                .clone()
                .or_else(|| record.run_id.map(|id| id.to_string())),
            rebuild: format!(
                "tag-gate create --stage {} --version NEW --artifact FILE{}",
                self.chain.first(),
                self.service_flag()
            ),
        })
    }

    pub(crate) fn new_version_fix(&self) -> String {
        format!(
            "build a new version and promote it: version-stamp, then tag-gate create --stage {} --version NEW --artifact FILE{}",
            self.chain.first(),
            self.service_flag()
        )
    }

    pub(crate) fn not_passed(&self, scope: &Scope, version: &BuildVersion) -> GateError {
        let (passing, searched) = self.suggestions(scope);
        GateError::NotPassed {
            tag: scope.tag_name(version),
            stage: scope.environment(),
            version: version.clone(),
            passing,
            searched,
            fix: self.fix_command(&scope.stage, version),
        }
    }
}
