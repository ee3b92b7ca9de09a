//! tag-gate: stage tags as the audit trail of what passed each stage, and
//! deployment events as the record of what is live where.
//!
//! - **Eligibility**: an annotated tag `S-V` (`NAME/S-V` with a service)
//!   says "version V passed stage S". Its message is a provenance record
//!   ([`repo::Provenance`]). Created once, never moved or deleted.
//! - **Deployment**: append-only events ([`repo::DeploymentEvent`]):
//!   `record`, `revoke`, and what `current`/`previous`/`history` read.
//!
//! [`Gate`] holds the logic over any [`Store`]; it returns typed reports
//! and errors and never prints. `main.rs` renders them.

// A gate error is made once per run and carries what the message needs
// (the passing versions, the fix); its size costs nothing.
#![allow(clippy::result_large_err)]

use jiff::Timestamp;
use repo::{
    Chain, CommitId, Created, DEPLOYMENT_SCHEMA, DeployStatus, DeploymentEvent, EnvironmentName,
    ListedTag, NewTag, PROVENANCE_SCHEMA, Provenance, RecordError, RepoError, Scope, Service,
    Stage, Store, StoredEvent, Tag,
};
use sha2::{Digest as _, Sha256};
use std::collections::{HashMap, HashSet};
use std::fmt;
use std::io::Read;
use std::path::Path;
use version_stamp::BuildVersion;

pub use gha::{Classify, ErrorClass};

pub mod image;

/// A stage's version tags, newest first, and the names under its prefix
/// that are not versions.
type Ranked = (Vec<(BuildVersion, ListedTag)>, Vec<String>);

/// How many candidates a search for passing versions reads at most.
const SCAN_LIMIT: usize = 200;

/// How many passing versions an error message names.
const SUGGESTIONS: usize = 3;

// ── values from outside ─────────────────────────────────────────────────

/// An artifact digest: `sha256:` and 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest(String);

impl Digest {
    /// Parses `sha256:HEX` (or bare 64-digit HEX), trimmed, any case.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let hex = t
            .strip_prefix("sha256:")
            .or_else(|| t.strip_prefix("SHA256:"))
            .unwrap_or(t);
        if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Digest(format!("sha256:{}", hex.to_ascii_lowercase())))
        } else {
            Err(format!(
                "invalid artifact digest '{}': expected sha256: and 64 hex digits, such as sha256:{}",
                t.escape_default(),
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            ))
        }
    }

    /// The sha256 of everything `reader` yields, read in chunks.
    pub fn of_reader(mut reader: impl Read) -> std::io::Result<Self> {
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
        }
        let hex: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Digest(format!("sha256:{hex}")))
    }

    /// The sha256 of a file (the deployable artifact itself).
    pub fn of_file(path: &Path) -> Result<Self, GateError> {
        let file = std::fs::File::open(path).map_err(|e| GateError::Artifact {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(GateError::Artifact {
                path: path.display().to_string(),
                detail: "it is a directory: pass the archive you deploy".into(),
            });
        }
        Self::of_reader(std::io::BufReader::new(file)).map_err(|e| GateError::Artifact {
            path: path.display().to_string(),
            detail: e.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Who and what is writing a record: the workflow run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    pub run_id: Option<u64>,
    pub run_attempt: Option<u32>,
    pub run_url: Option<String>,
    pub workflow: Option<String>,
    pub actor: Option<String>,
}

impl RunInfo {
    /// `https://github.com/OWNER/NAME/actions/runs/ID[/attempts/N]`.
    pub fn run_url(server: &str, repository: &str, run_id: u64, attempt: Option<u32>) -> String {
        let mut url = format!(
            "{}/{repository}/actions/runs/{run_id}",
            server.trim_end_matches('/')
        );
        if let Some(a) = attempt {
            url.push_str(&format!("/attempts/{a}"));
        }
        url
    }
}

// ── errors ──────────────────────────────────────────────────────────────

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

fn suggestions_text(stage: &str, list: &[Suggestion], searched: &Searched) -> String {
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

/// What tag-gate can fail with. The class decides the exit code: a closed
/// gate is [`ErrorClass::Denied`] (exit 1, `--soft` makes it 0 with
/// `passed=false`), bad input exit 2, a broken environment exit 3.
#[derive(Debug, thiserror::Error)]
pub enum GateError {
    #[error(transparent)]
    Repo(#[from] RepoError),

    /// The stage tag a check needs is not there.
    #[error("{tag} not found: version {version} has not passed {stage}; {}", suggestions_text(.stage, .passing, .searched))]
    NotPassed {
        tag: String,
        stage: String,
        version: BuildVersion,
        passing: Vec<Suggestion>,
        searched: Searched,
        fix: String,
    },

    /// The tag is there but does not verify.
    #[error("{tag} does not verify: {flaw}")]
    Unverified { tag: String, flaw: Flaw },

    /// Two stages' tags of one version point at different commits.
    #[error(
        "{tag} points at commit {commit}, but {other_tag} points at {other_commit}: one version, one commit"
    )]
    StagesDisagree {
        tag: String,
        commit: CommitId,
        other_tag: String,
        other_commit: CommitId,
    },

    /// The digest given differs from the one recorded.
    #[error(
        "artifact digest mismatch for {version}: {tag} records {recorded}, but {given} was given: this is not the artifact that was built"
    )]
    DigestMismatch {
        version: BuildVersion,
        tag: String,
        recorded: String,
        given: Digest,
        /// Where the recorded artifact came from (the record's artifact
        /// id and run), when `tag` is the build's and verifies.
        built: Option<BuiltBy>,
    },

    /// A digest was given but nothing was recorded to compare it with.
    #[error("{tag} records no artifact digest, so the artifact's digest {given} cannot be checked")]
    NoRecordedDigest { tag: String, given: Digest },

    /// The version is revoked for the stage.
    #[error("version {version} is revoked for {stage}{}: {reason}", by_text(.actor, .at))]
    Revoked {
        version: BuildVersion,
        stage: String,
        reason: String,
        actor: Option<String>,
        at: Timestamp,
    },

    /// The tag exists on another commit (or with another digest).
    #[error(
        "{tag} already exists on commit {existing}, not on {wanted}: stage tags are never moved"
    )]
    TagOnOtherCommit {
        tag: String,
        existing: CommitId,
        wanted: CommitId,
    },

    /// The version's short sha and the commit disagree.
    #[error("commit {commit} does not start with version {version}'s short sha {}", .version.short_sha())]
    VersionCommitMismatch {
        version: BuildVersion,
        commit: CommitId,
    },

    /// No commit for the version (or `--sha`).
    #[error("commit {rev} not found in {place}")]
    CommitNotFound { rev: String, place: String },

    /// `promote --to` the first stage, or `create` a later one.
    #[error("{stage} is {what}")]
    WrongCommand {
        stage: String,
        what: String,
        fix: String,
    },

    /// Nothing passed the stage (latest, list).
    #[error("no version has passed {stage} yet{}", skipped_text(*.ignored, *.skipped))]
    NoVersions {
        stage: String,
        ignored: usize,
        skipped: usize,
    },

    /// Nothing deployed (current, previous).
    #[error("{what}")]
    NoDeployment { what: String },

    /// The artifact file cannot be read.
    #[error("cannot hash the artifact {path}: {detail}")]
    Artifact { path: String, detail: String },

    /// A value that is not acceptable in this context.
    #[error("{0}")]
    Input(String),

    /// A `--stage`/`--to` that the chain does not have.
    #[error("'{stage}' is not a stage of {chain}")]
    NotAStage { stage: String, chain: Chain },

    /// The image given is not the one recorded at build.
    #[error("{version}: the image {given} is not the one recorded at build in {tag} ({recorded})")]
    ImageMismatch {
        version: BuildVersion,
        tag: String,
        recorded: String,
        given: String,
        built: Option<BuiltBy>,
    },

    /// An image check on a version whose record has no image.
    #[error("{tag} records no container image, so {given} cannot be checked against the build")]
    NoRecordedImage { tag: String, given: String },

    /// The registry no longer serves the recorded image.
    #[error(
        "{image}: the registry no longer serves the image recorded for {version} at build \
         ({tag}); it was deleted, most likely by a retention policy"
    )]
    ImageNotServed {
        image: String,
        version: BuildVersion,
        tag: String,
    },

    /// The registry failed (credentials, network, a bad reference).
    #[error(transparent)]
    Registry(#[from] registry::RegistryError),
}

fn by_text(actor: &Option<String>, at: &Timestamp) -> String {
    match actor {
        Some(a) => format!(" (by {a} at {})", short_time(*at)),
        None => format!(" (at {})", short_time(*at)),
    }
}

fn skipped_text(ignored: usize, skipped: usize) -> String {
    let mut parts = Vec::new();
    if skipped > 0 {
        parts.push(format!(
            "{skipped} tag(s) that do not verify or are revoked"
        ));
    }
    if ignored > 0 {
        parts.push(format!("{ignored} name(s) that are not versions, ignored"));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join("; "))
    }
}

impl Classify for GateError {
    fn class(&self) -> ErrorClass {
        match self {
            GateError::Repo(e) => e.class(),
            GateError::NotPassed { .. }
            | GateError::Unverified { .. }
            | GateError::StagesDisagree { .. }
            | GateError::DigestMismatch { .. }
            | GateError::NoRecordedDigest { .. }
            | GateError::Revoked { .. }
            | GateError::TagOnOtherCommit { .. }
            | GateError::VersionCommitMismatch { .. }
            | GateError::NoVersions { .. }
            | GateError::NoDeployment { .. }
            | GateError::ImageMismatch { .. }
            | GateError::NoRecordedImage { .. }
            | GateError::ImageNotServed { .. } => ErrorClass::Denied,
            GateError::Registry(e) => e.class(),
            GateError::CommitNotFound { .. }
            | GateError::WrongCommand { .. }
            | GateError::Artifact { .. }
            | GateError::Input(_)
            | GateError::NotAStage { .. } => ErrorClass::Input,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            GateError::Repo(e) => e.hint(),
            GateError::NotAStage { chain, .. } => Some(format!(
                "use one of {}, or pass --chain with every stage in order, such as --chain {chain}",
                chain
                    .stages()
                    .iter()
                    .map(Stage::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            GateError::NotPassed { fix, .. } => Some(format!("to fix: {fix}")),
            GateError::Unverified { flaw, .. } => Some(match flaw {
                Flaw::Lightweight | Flaw::Unreadable(_) => {
                    "stage tags are written by tag-gate (create/promote) with a provenance \
                     record; a hand-made tag is refused. --allow-unverified accepts it \
                     (loudly), if you must"
                        .into()
                }
                _ => "the tag and its record disagree: find out who made it before \
                      trusting it; --allow-unverified accepts it (loudly), if you must"
                    .into(),
            }),
            GateError::StagesDisagree { .. } => Some(
                "a version is built once: rebuild from the right commit under a new version".into(),
            ),
            GateError::DigestMismatch { built, .. } => Some(match built {
                Some(b) => format!(
                    "{} itself is fine (it verifies); only the artifact differs: deploy the \
                     artifact recorded at build: download {} from the build run{}, and pass \
                     that file; or rebuild and create a new build tag: version-stamp, then {}",
                    b.tag,
                    b.artifact_id
                        .as_ref()
                        .map(|id| format!("artifact {id} (by its artifact id)"))
                        .unwrap_or_else(|| "it by its artifact id".into()),
                    b.run.as_ref().map(|r| format!(" {r}")).unwrap_or_default(),
                    b.rebuild
                ),
                None => "deploy the artifact recorded at build (download it by its id from the \
                         build run), or build a new version"
                    .into(),
            }),
            GateError::NoRecordedDigest { .. } => Some(
                "record the digest at build (tag-gate create --artifact FILE), or promote \
                 without --artifact-digest"
                    .into(),
            ),
            GateError::Revoked { .. } => {
                Some("promote a newer version (tag-gate list shows what passes)".into())
            }
            GateError::TagOnOtherCommit { .. } => {
                Some("a version names one commit: stamp a new version for this commit".into())
            }
            GateError::VersionCommitMismatch { .. } => Some(
                "the version's first part is the commit's short sha: pass the matching --sha, \
                 or stamp a version for this commit (version-stamp)"
                    .into(),
            ),
            GateError::CommitNotFound { .. } => Some(
                "push the commit first, or pass the full 40-digit --sha of a commit the \
                 repository has"
                    .into(),
            ),
            GateError::WrongCommand { fix, .. } => Some(fix.clone()),
            GateError::NoVersions { .. } => None,
            GateError::NoDeployment { .. } => Some(
                "deployments are recorded with `tag-gate record --stage S --version V --status \
                 success`"
                    .into(),
            ),
            GateError::Artifact { .. } | GateError::Input(_) => None,
            GateError::ImageMismatch { recorded, built, .. } => Some(format!(
                "{} itself is fine (it verifies); only the image differs: deploy {recorded}, the \
                 image recorded at build (by digest, never by a moving tag){}",
                built.as_ref().map(|b| b.tag.as_str()).unwrap_or("the stage tag"),
                built
                    .as_ref()
                    .map(|b| format!("; or rebuild and create a new build tag: version-stamp, then {}", b.rebuild))
                    .unwrap_or_default()
            )),
            GateError::NoRecordedImage { .. } => Some(
                "record the image at build (tag-gate create --image REGISTRY/REPOSITORY@sha256:…), \
                 or drop --image/--retag for this version"
                    .into(),
            ),
            GateError::ImageNotServed { version, .. } => Some(format!(
                "rebuild: re-run the build for the commit of {version}, push the image and create \
                 a new version (version-stamp, then tag-gate create --image …), then promote that; \
                 keep stage tags out of the retention policy. --no-registry-check skips this check"
            )),
            GateError::Registry(e) => e.hint(),
        }
    }
}

// ── reports ─────────────────────────────────────────────────────────────

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

/// The result of `create` or `promote`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagReport {
    pub stage: Stage,
    pub version: BuildVersion,
    pub tag: String,
    pub commit: CommitId,
    /// Whether this run created the tag (false: it was there, or a racing
    /// run created it first).
    pub created: bool,
    /// True when a racing run created the tag between our check and our
    /// write: its record stands.
    pub raced: bool,
    /// The record that stands (this run's, or the one found).
    pub record: Option<Provenance>,
    pub artifact_digest: Option<String>,
    /// The stages checked on the way (promote).
    pub checked: Vec<Checked>,
    /// Loud notes (`--allow-unverified`).
    pub warnings: Vec<String>,
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

/// The result of `current` and `previous`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub scope: Scope,
    /// The event that made the version live.
    pub event: StoredEvent,
    /// The current version (for `previous`: the one it is previous to).
    pub current: Option<BuildVersion>,
    pub revoked: bool,
    /// The stage tag of the event's version (`S-V`), only when it exists.
    pub tag: Option<String>,
}

/// The result of `record` and `revoke`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub event: StoredEvent,
    /// False when `revoke` found the version already revoked.
    pub created: bool,
}

// ── the gate ────────────────────────────────────────────────────────────

/// The logic of every command, over a [`Store`].
pub struct Gate<'s> {
    store: &'s dyn Store,
    chain: Chain,
    service: Option<Service>,
    allow_unverified: bool,
    run: RunInfo,
    now: Timestamp,
    /// `--environment`: the GitHub environment of one stage, over the
    /// chain's.
    environment: Option<(Stage, EnvironmentName)>,
    before_tag: Option<&'s dyn image::BeforeTag>,
}

/// What a promotion or creation is asked to record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Artifact {
    pub digest: Option<Digest>,
    pub id: Option<String>,
    pub note: Option<String>,
    /// A container image, pinned by digest (see [`image`]).
    pub image: Option<registry::ImageRef>,
}

impl<'s> Gate<'s> {
    pub fn new(store: &'s dyn Store, chain: Chain) -> Self {
        Gate {
            store,
            chain,
            service: None,
            allow_unverified: false,
            run: RunInfo::default(),
            now: Timestamp::now(),
            environment: None,
            before_tag: None,
        }
    }

    /// Files `stage`'s deployments under `environment` (`--environment`),
    /// whatever the chain names.
    pub fn environment(mut self, stage: &Stage, environment: Option<EnvironmentName>) -> Self {
        self.environment = environment.map(|e| (stage.clone(), e));
        self
    }

    /// Refuses a stage the chain does not have (exit 2).
    pub fn known(&self, stage: &Stage) -> Result<(), GateError> {
        match self.chain.position(stage) {
            Some(_) => Ok(()),
            None => Err(GateError::NotAStage {
                stage: stage.to_string(),
                chain: self.chain.clone(),
            }),
        }
    }

    /// What runs once a promotion's checks passed and before its stage tag
    /// is written (the registry check and retag, see [`image`]).
    pub fn before_tag(mut self, step: Option<&'s dyn image::BeforeTag>) -> Self {
        self.before_tag = step;
        self
    }

    pub fn service(mut self, service: Option<Service>) -> Self {
        self.service = service;
        self
    }

    pub fn allow_unverified(mut self, on: bool) -> Self {
        self.allow_unverified = on;
        self
    }

    pub fn run(mut self, run: RunInfo) -> Self {
        self.run = run;
        self
    }

    /// The clock (tests pin it).
    pub fn now(mut self, now: Timestamp) -> Self {
        self.now = now;
        self
    }

    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// A stage's scope: its service, its environment (`--environment`,
    /// else the chain's `STAGE=ENV`), production when it is the last.
    pub fn scope(&self, stage: &Stage) -> Scope {
        let environment = match &self.environment {
            Some((s, e)) if s == stage => Some(e.clone()),
            _ => self.chain.environment(stage).cloned(),
        };
        Scope::new(self.service.clone(), stage.clone())
            .with_environment(environment)
            .with_production(self.chain.is_last(stage))
    }

    /// The record's time: now, to the second.
    fn record_time(&self) -> Timestamp {
        Timestamp::from_second(self.now.as_second()).unwrap_or(self.now)
    }

    /// The command (with `--service` when set) that fixes a missing tag.
    fn fix_command(&self, stage: &Stage, version: &BuildVersion) -> String {
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
    fn accept(
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
    fn revocations(&self, scope: &Scope) -> Result<HashMap<BuildVersion, StoredEvent>, GateError> {
        let mut out = HashMap::new();
        for e in self.store.list_events(scope, None)? {
            if e.event.status == DeployStatus::Revoked {
                out.entry(e.event.version.clone()).or_insert(e);
            }
        }
        Ok(out)
    }

    fn revoked_error(&self, scope: &Scope, e: &StoredEvent) -> GateError {
        GateError::Revoked {
            version: e.event.version.clone(),
            stage: scope.environment(),
            reason: e
                .event
                .description
                .clone()
                .unwrap_or_else(|| "no reason given".into()),
            actor: e.event.actor.clone(),
            at: e.event.time,
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
    fn passing(
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

    /// The newest versions that pass a stage, and how far the search got
    /// (a failed search is said so, never worded as "nothing passes").
    fn suggestions(&self, scope: &Scope) -> (Vec<Suggestion>, Searched) {
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
    fn alternatives(
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
            )
    }

    fn service_flag(&self) -> String {
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
    fn built_by(&self, c: &Checked) -> Option<BuiltBy> {
        if c.flaw.is_some() {
            return None;
        }
        let r = c.record.as_ref()?;
        Some(BuiltBy {
            tag: c.tag.name.clone(),
            artifact_id: r.artifact_id.clone(),
            run: r
                .run_url
                .clone()
                .or_else(|| r.run_id.map(|id| id.to_string())),
            rebuild: format!(
                "tag-gate create --stage {} --version NEW --artifact FILE{}",
                self.chain.first(),
                self.service_flag()
            ),
        })
    }

    fn new_version_fix(&self) -> String {
        format!(
            "build a new version and promote it: version-stamp, then tag-gate create --stage {} --version NEW --artifact FILE{}",
            self.chain.first(),
            self.service_flag()
        )
    }

    fn not_passed(&self, scope: &Scope, version: &BuildVersion) -> GateError {
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

    // ── commands ────────────────────────────────────────────────────────

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

    /// `create --stage FIRST --version V`: the first stage's tag, with the
    /// build's provenance record.
    pub fn create(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        sha: Option<&str>,
        artifact: &Artifact,
    ) -> Result<TagReport, GateError> {
        if stage != self.chain.first() {
            return Err(match self.chain.position(stage) {
                Some(_) => GateError::WrongCommand {
                    stage: stage.to_string(),
                    what: format!(
                        "not the first stage of the chain {}: a version enters it by promotion",
                        self.chain
                    ),
                    fix: format!("use: {}", self.fix_command(stage, version)),
                },
                None => GateError::NotAStage {
                    stage: stage.to_string(),
                    chain: self.chain.clone(),
                },
            });
        }
        let scope = self.scope(stage);
        let rev = sha.unwrap_or(version.short_sha());
        let commit = self
            .store
            .resolve_commit(rev)?
            .ok_or_else(|| GateError::CommitNotFound {
                rev: rev.to_owned(),
                place: self.store.describe(),
            })?;
        if !version.matches_commit(commit.as_str()) {
            return Err(GateError::VersionCommitMismatch {
                version: version.clone(),
                commit,
            });
        }
        let name = scope.tag_name(version);
        let record = Provenance {
            schema: PROVENANCE_SCHEMA.into(),
            version: version.clone(),
            stage: stage.clone(),
            service: self.service.clone(),
            commit: commit.clone(),
            artifact_digest: artifact.digest.as_ref().map(|d| d.to_string()),
            artifact_id: artifact.id.clone(),
            run_id: self.run.run_id,
            run_attempt: self.run.run_attempt,
            run_url: self.run.run_url.clone(),
            workflow: self.run.workflow.clone(),
            actor: self.run.actor.clone(),
            time: self.record_time(),
            promoted_from: None,
            note: artifact.note.clone(),
            image: artifact.image.as_ref().map(ToString::to_string),
            image_digest: artifact
                .image
                .as_ref()
                .and_then(|i| i.digest())
                .map(|d| d.to_string()),
        };
        let mut warnings = Vec::new();
        let report = if let Some(existing) = self.store.read_tag(&name)? {
            self.agree(
                &scope,
                version,
                existing,
                &commit,
                artifact.digest.as_ref(),
                false,
                Vec::new(),
                &mut warnings,
            )?
        } else {
            self.write(
                &scope,
                version,
                record,
                Vec::new(),
                artifact.digest.as_ref(),
                warnings,
            )?
        };
        if let Some(given) = &artifact.image {
            image::same_image(version, &report.tag, report.record.as_ref(), given, None)?;
        }
        Ok(report)
    }

    /// Creates the tag with its record; a lost race ends in [`Gate::agree`].
    fn write(
        &self,
        scope: &Scope,
        version: &BuildVersion,
        record: Provenance,
        checked: Vec<Checked>,
        digest: Option<&Digest>,
        mut warnings: Vec<String>,
    ) -> Result<TagReport, GateError> {
        let name = scope.tag_name(version);
        let new = NewTag {
            name: name.clone(),
            commit: record.commit.clone(),
            message: record.to_message(&name),
            time: record.time,
        };
        match self.store.create_tag(&new)? {
            Created::Created(tag) => Ok(TagReport {
                raced: false,
                stage: scope.stage.clone(),
                version: version.clone(),
                tag: tag.name,
                commit: tag.commit,
                created: true,
                artifact_digest: record.artifact_digest.clone(),
                record: Some(record),
                checked,
                warnings,
            }),
            Created::AlreadyExists(existing) => {
                let commit = record.commit.clone();
                self.agree(
                    scope,
                    version,
                    existing,
                    &commit,
                    digest,
                    true,
                    checked,
                    &mut warnings,
                )
            }
        }
    }

    /// A tag that is already there: fine (created=false) when it names
    /// the same commit and digest; a closed gate otherwise.
    #[allow(clippy::too_many_arguments)]
    fn agree(
        &self,
        scope: &Scope,
        version: &BuildVersion,
        existing: Tag,
        commit: &CommitId,
        digest: Option<&Digest>,
        raced: bool,
        checked: Vec<Checked>,
        warnings: &mut Vec<String>,
    ) -> Result<TagReport, GateError> {
        if existing.commit != *commit {
            return Err(GateError::TagOnOtherCommit {
                tag: existing.name.clone(),
                existing: existing.commit.clone(),
                wanted: commit.clone(),
            });
        }
        let found = self.accept(scope, version, existing, warnings)?;
        if let Some(given) = digest {
            match found.digest() {
                Some(recorded) if recorded == given.as_str() => {}
                Some(recorded) => {
                    return Err(GateError::DigestMismatch {
                        version: version.clone(),
                        tag: found.tag.name.clone(),
                        recorded: recorded.to_owned(),
                        given: given.clone(),
                        built: self.built_by(&found),
                    });
                }
                None => {
                    return Err(GateError::NoRecordedDigest {
                        tag: found.tag.name.clone(),
                        given: given.clone(),
                    });
                }
            }
        }
        Ok(TagReport {
            raced,
            stage: scope.stage.clone(),
            version: version.clone(),
            tag: found.tag.name.clone(),
            commit: found.tag.commit.clone(),
            created: false,
            artifact_digest: found.digest().map(str::to_owned),
            record: found.record.clone(),
            checked,
            warnings: std::mem::take(warnings),
        })
    }

    /// `promote --to S --version V`: every earlier stage's tag there,
    /// verified and on one commit; the digest (when given) the build's;
    /// V not revoked for S. Then S's tag on that commit.
    pub fn promote(
        &self,
        to: &Stage,
        version: &BuildVersion,
        artifact: &Artifact,
    ) -> Result<TagReport, GateError> {
        let pos = match self.chain.position(to) {
            Some(0) => {
                return Err(GateError::WrongCommand {
                    stage: to.to_string(),
                    what: format!(
                        "the first stage of the chain {}: nothing comes before it",
                        self.chain
                    ),
                    fix: format!("use: {}", self.fix_command(to, version)),
                });
            }
            Some(p) => p,
            None => {
                return Err(GateError::NotAStage {
                    stage: to.to_string(),
                    chain: self.chain.clone(),
                });
            }
        };
        let target = self.scope(to);
        let earlier: Vec<Scope> = self.chain.stages()[..pos]
            .iter()
            .map(|s| self.scope(s))
            .collect();
        let mut names: Vec<String> = earlier.iter().map(|s| s.tag_name(version)).collect();
        names.push(target.tag_name(version));
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut tags = self.store.read_tags(&refs)?;
        let existing_target = tags.pop().flatten();

        // The previous stage first (its absence is the usual refusal), then
        // every earlier one.
        let mut warnings = Vec::new();
        let mut checked: Vec<Checked> = Vec::with_capacity(earlier.len());
        let mut order: Vec<usize> = (0..earlier.len()).collect();
        order.rotate_right(1);
        let mut slots: Vec<Option<Checked>> = vec![None; earlier.len()];
        for i in order {
            let Some(tag) = tags[i].take() else {
                return Err(self.not_passed(&earlier[i], version));
            };
            slots[i] = Some(self.accept(&earlier[i], version, tag, &mut warnings)?);
        }
        checked.extend(slots.into_iter().flatten());
        let first = &checked[0];
        for c in &checked[1..] {
            if c.tag.commit != first.tag.commit {
                return Err(GateError::StagesDisagree {
                    tag: c.tag.name.clone(),
                    commit: c.tag.commit.clone(),
                    other_tag: first.tag.name.clone(),
                    other_commit: first.tag.commit.clone(),
                });
            }
        }
        // The build's digest is the one; later records must carry it too.
        let built = first.digest().map(str::to_owned);
        for c in &checked[1..] {
            if let (Some(b), Some(d)) = (&built, c.digest())
                && b != d
            {
                return Err(GateError::DigestMismatch {
                    version: version.clone(),
                    tag: c.tag.name.clone(),
                    recorded: d.to_owned(),
                    given: Digest(b.clone()),
                    built: None,
                });
            }
        }
        if let Some(given) = &artifact.digest {
            match &built {
                Some(b) if b == given.as_str() => {}
                Some(b) => {
                    return Err(GateError::DigestMismatch {
                        version: version.clone(),
                        tag: first.tag.name.clone(),
                        recorded: b.clone(),
                        given: given.clone(),
                        built: self.built_by(first),
                    });
                }
                None => {
                    return Err(GateError::NoRecordedDigest {
                        tag: first.tag.name.clone(),
                        given: given.clone(),
                    });
                }
            }
        }
        if let Some(e) = self.revocations(&target)?.get(version) {
            return Err(self.revoked_error(&target, e));
        }
        self.image_gate(to, version, first, artifact)?;
        let commit = first.tag.commit.clone();
        if let Some(existing) = existing_target {
            return self.agree(
                &target,
                version,
                existing,
                &commit,
                artifact.digest.as_ref(),
                false,
                checked,
                &mut warnings,
            );
        }
        let previous = &checked[checked.len() - 1];
        let build_record = first.record.as_ref();
        let record = Provenance {
            schema: PROVENANCE_SCHEMA.into(),
            version: version.clone(),
            stage: to.clone(),
            service: self.service.clone(),
            commit,
            artifact_digest: built,
            artifact_id: artifact
                .id
                .clone()
                .or_else(|| build_record.and_then(|r| r.artifact_id.clone())),
            run_id: self.run.run_id,
            run_attempt: self.run.run_attempt,
            run_url: self.run.run_url.clone(),
            workflow: self.run.workflow.clone(),
            actor: self.run.actor.clone(),
            time: self.record_time(),
            promoted_from: Some(previous.tag.name.clone()),
            note: artifact.note.clone(),
            image: build_record.and_then(|r| r.image.clone()),
            image_digest: build_record.and_then(|r| r.image_digest.clone()),
        };
        self.write(
            &target,
            version,
            record,
            checked,
            artifact.digest.as_ref(),
            warnings,
        )
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

    /// `record --stage S --version V --status …`.
    pub fn record(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        status: DeployStatus,
        url: Option<String>,
        commit: Option<CommitId>,
        description: Option<String>,
    ) -> Result<Recorded, GateError> {
        self.known(stage)?;
        if status == DeployStatus::Revoked {
            return Err(GateError::Input(
                "invalid status 'revoked' for record: use `tag-gate revoke --stage S --version V --reason TEXT`".into(),
            ));
        }
        if let Some(c) = &commit
            && !version.matches_commit(c.as_str())
        {
            return Err(GateError::VersionCommitMismatch {
                version: version.clone(),
                commit: c.clone(),
            });
        }
        // `--sha` defaults to the version's commit: its short sha resolved
        // to the full id, else the build tag's commit (a shallow clone may
        // lack an older commit), else none is recorded.
        let commit = match commit {
            Some(c) => Some(c),
            None => self.version_commit(version)?,
        };
        let event = self.event(stage, version, status, url, commit, description);
        let stored = self.store.append_event(&event)?;
        Ok(Recorded {
            event: stored,
            created: true,
        })
    }

    /// The full commit of a version: its short sha resolved by the store,
    /// else the commit its first stage's tag points at; `None` when neither
    /// knows it.
    fn version_commit(&self, version: &BuildVersion) -> Result<Option<CommitId>, GateError> {
        if let Some(c) = self.store.resolve_commit(version.short_sha())?
            && version.matches_commit(c.as_str())
        {
            return Ok(Some(c));
        }
        let build = self.scope(self.chain.first()).tag_name(version);
        Ok(self
            .store
            .read_tag(&build)?
            .map(|t| t.commit)
            .filter(|c| version.matches_commit(c.as_str())))
    }

    /// The stage tag of a version, when it exists: not every deployed
    /// version has passed the stage (a failed deploy, a manual one).
    fn existing_tag(
        &self,
        scope: &Scope,
        version: &BuildVersion,
    ) -> Result<Option<String>, GateError> {
        let name = scope.tag_name(version);
        Ok(self.store.read_tag(&name)?.map(|_| name))
    }

    fn event(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        status: DeployStatus,
        url: Option<String>,
        commit: Option<CommitId>,
        description: Option<String>,
    ) -> DeploymentEvent {
        let scope = self.scope(stage);
        DeploymentEvent {
            schema: DEPLOYMENT_SCHEMA.into(),
            service: self.service.clone(),
            stage: stage.clone(),
            environment: scope.environment,
            production: scope.production,
            version: version.clone(),
            status,
            commit,
            url,
            time: self.now,
            actor: self.run.actor.clone(),
            run_id: self.run.run_id,
            run_attempt: self.run.run_attempt,
            run_url: self.run.run_url.clone(),
            workflow: self.run.workflow.clone(),
            description,
        }
    }

    /// `revoke --stage S --version V --reason TEXT`: marks V bad for S.
    /// Revoking again is a no-op (created=false).
    pub fn revoke(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        reason: &str,
    ) -> Result<Recorded, GateError> {
        self.known(stage)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(GateError::Input(
                "empty reason: say why the version is bad, such as --reason 'corrupts orders (INC-42)'".into(),
            ));
        }
        let scope = self.scope(stage);
        if let Some(e) = self.revocations(&scope)?.remove(version) {
            return Ok(Recorded {
                event: e,
                created: false,
            });
        }
        let event = self.event(
            stage,
            version,
            DeployStatus::Revoked,
            None,
            None,
            Some(reason.to_owned()),
        );
        Ok(Recorded {
            event: self.store.append_event(&event)?,
            created: true,
        })
    }

    /// `history --stage S --limit N`: events, newest first.
    pub fn history(&self, stage: &Stage, limit: usize) -> Result<Vec<StoredEvent>, GateError> {
        self.known(stage)?;
        Ok(self.store.list_events(&self.scope(stage), Some(limit))?)
    }

    /// `current` and `previous` from one read of the events.
    fn live(
        &self,
        stage: &Stage,
    ) -> Result<(Scope, Vec<StoredEvent>, HashSet<BuildVersion>), GateError> {
        self.known(stage)?;
        let scope = self.scope(stage);
        let events = self.store.list_events(&scope, None)?;
        let revoked: HashSet<BuildVersion> = events
            .iter()
            .filter(|e| e.event.status == DeployStatus::Revoked)
            .map(|e| e.event.version.clone())
            .collect();
        // Each version's latest deployment, in newest-first order.
        let mut seen = HashSet::new();
        let latest: Vec<StoredEvent> = events
            .into_iter()
            .filter(|e| e.event.status != DeployStatus::Revoked)
            .filter(|e| seen.insert(e.event.version.clone()))
            .collect();
        Ok((scope, latest, revoked))
    }

    /// `current --stage S`: the version whose latest deployment succeeded
    /// most recently.
    pub fn current(&self, stage: &Stage) -> Result<Live, GateError> {
        let (scope, latest, revoked) = self.live(stage)?;
        let event = latest
            .into_iter()
            .find(|e| e.event.status == DeployStatus::Success)
            .ok_or_else(|| GateError::NoDeployment {
                what: format!("no version is live in {}: no deployment to it has succeeded (as the latest deployment of its version)", scope.environment()),
            })?;
        Ok(Live {
            revoked: revoked.contains(&event.event.version),
            current: Some(event.event.version.clone()),
            tag: self.existing_tag(&scope, &event.event.version)?,
            scope,
            event,
        })
    }

    /// `previous --stage S`: the version live before the current one,
    /// skipping failed and revoked ones: the rollback target.
    pub fn previous(&self, stage: &Stage) -> Result<Live, GateError> {
        let (scope, latest, revoked) = self.live(stage)?;
        let mut live = latest
            .into_iter()
            .filter(|e| e.event.status == DeployStatus::Success);
        let Some(current) = live.next() else {
            return Err(GateError::NoDeployment {
                what: format!(
                    "no version is live in {}, so there is no previous one",
                    scope.environment()
                ),
            });
        };
        let event = live
            .find(|e| !revoked.contains(&e.event.version))
            .ok_or_else(|| GateError::NoDeployment {
                what: format!(
                    "no version was live in {} before {} (leaving out failed and revoked ones): nothing to roll back to",
                    scope.environment(),
                    current.event.version
                ),
            })?;
        Ok(Live {
            tag: self.existing_tag(&scope, &event.event.version)?,
            scope,
            event,
            current: Some(current.event.version),
            revoked: false,
        })
    }
}

/// `2025-01-20 14:30:22 UTC`.
pub fn short_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests;
