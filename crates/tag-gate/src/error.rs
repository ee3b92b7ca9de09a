//! What tag-gate can fail with: [`GateError`], its class (the exit code)
//! and its hint (what to do), next to each other.

use jiff::Timestamp;
use repo::{Chain, CommitId, RepoError, Stage};
use version_stamp::BuildVersion;

use crate::advice::{BuiltBy, Searched, Suggestion, suggestions_text};
use crate::{Classify, Digest, ErrorClass, Flaw, short_time};

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
            GateError::NotAStage { chain, .. } => Some(format!(
                "use one of {}, or pass --chain with every stage in order, such as --chain {chain}",
                chain
                    .stages()
                    .iter()
                    .map(Stage::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            )),
            GateError::ImageMismatch { recorded, built, .. } => Some(format!(
                "{} itself is fine (it verifies); only the image differs: deploy {recorded}, the \
                 image recorded at build (by digest, never by a moving tag){}",
                built.as_ref().map(|b| b.tag.as_str()).unwrap_or("the stage tag"),
                built
                    .as_ref()
                    .map(|b| format!(
                        "; or rebuild and create a new build tag: version-stamp, then {}",
                        // the file form of the command, for an image
                        b.rebuild.replace("--artifact FILE", "--image REGISTRY/REPOSITORY@sha256:…")
                    ))
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
