//! The command line: clap's types (each flag with its `INPUT_*` twin) and
//! the value parsers that refuse a bad value naming what was expected.

use clap::{Args, Parser, Subcommand, ValueEnum};
use gha::cli::Safe;
use registry::{ImageRef, RegistryError};
use repo::{Chain, CommitId, DeployStatus, EnvironmentName, Service, Stage};
use std::path::PathBuf;
use tag_gate::Digest;
use tag_gate::image::TagTemplate;
use version_stamp::BuildVersion;

use super::TOOL;

/// Stage tags as the audit trail of what passed each stage (build, qa,
/// prod), deployment records of what is live where, and gates that refuse
/// to skip a stage.
#[derive(Parser, Debug)]
#[command(
    name = TOOL,
    version,
    after_help = "\
Tags: an annotated tag S-V (NAME/S-V with --service) says \"version V passed
stage S\"; its message is a provenance record (shipgate.provenance/v1).
Created once, never moved. Deployment events are separate and append-only.

Exit codes: 0 ok · 1 the gate is closed (the message names what is wrong,
the newest versions that pass, and the command that fixes it; --soft makes
it 0 with passed=false) · 2 bad input · 3 git, the API or the environment
failed (with the fix).

Examples:
  tag-gate create --stage build --version 84fb5881-20250120-143022 --artifact dist/app.tar.gz
  tag-gate require --stage qa --version 84fb5881-20250120-143022
  tag-gate promote --to prod --version 84fb5881-20250120-143022
  tag-gate record --stage prod --version 84fb5881-20250120-143022 --status success
  tag-gate latest --stage qa
  tag-gate previous --stage prod     # the rollback target
  tag-gate promote --to qa --version 84fb5881-20250120-143022 --retag   # with --image at create
  tag-gate retag --stage prod --version \"$(tag-gate previous --stage prod)\"  # roll the image back"
)]
pub(super) struct Cli {
    #[command(subcommand)]
    pub(super) command: Command,

    #[command(flatten)]
    pub(super) global: Global,
}

#[derive(Args, Debug)]
pub(super) struct Global {
    /// The stages, in order, comma-separated
    #[arg(long, global = true, env = "INPUT_CHAIN", value_name = "STAGES",
          default_value = "build,qa,prod", value_parser = Safe(parse_chain))]
    pub(super) chain: Chain,

    /// The GitHub environment the stage's deployments are filed under (the
    /// workflow's `environment:` name) [default: the chain's STAGE=ENV,
    /// else the stage]
    #[arg(long, global = true, env = "INPUT_ENVIRONMENT", value_name = "NAME",
          value_parser = Safe(parse_environment))]
    pub(super) environment: Option<EnvironmentName>,

    /// A service name (monorepos): tags become NAME/STAGE-VERSION
    #[arg(long, global = true, env = "INPUT_SERVICE", value_name = "NAME",
          value_parser = Safe(parse_service))]
    pub(super) service: Option<Service>,

    /// Where records live: git (the remote), api (GitHub, no checkout
    /// needed), auto (api when GITHUB_TOKEN and a repository are set)
    #[arg(
        long,
        global = true,
        env = "INPUT_BACKEND",
        value_enum,
        default_value = "auto"
    )]
    pub(super) backend: Backend,

    /// The git remote (a name or a URL) for the git backend
    #[arg(long, global = true, env = "INPUT_REMOTE", value_name = "REMOTE",
          default_value = "origin", value_parser = Safe(parse_remote))]
    pub(super) remote: String,

    /// How long each git command that talks to the remote may take (git
    /// backend); then its whole process group is killed and the run fails
    /// (exit 3) naming the remote
    #[arg(long, global = true, env = "INPUT_GIT_TIMEOUT", value_name = "DURATION",
          default_value = "2m", value_parser = Safe(repo::git::parse_git_timeout))]
    pub(super) git_timeout: std::time::Duration,

    /// OWNER/NAME for the api backend [default: GITHUB_REPOSITORY]
    #[arg(long, global = true, env = "INPUT_REPOSITORY", value_name = "OWNER/NAME",
          value_parser = Safe(parse_repository))]
    pub(super) repository: Option<String>,

    /// The REST API base URL for the api backend [default: GITHUB_API_URL,
    /// else https://api.github.com]
    #[arg(long, global = true, env = "INPUT_API_URL", value_name = "URL",
          value_parser = Safe(gha::cli::api_url))]
    pub(super) api_url: Option<String>,

    /// A closed gate exits 0 with passed=false (bad input and a broken
    /// environment still fail)
    #[arg(long, global = true, env = "INPUT_SOFT")]
    pub(super) soft: bool,

    /// Print one JSON object with every output on stdout (and nothing else)
    #[arg(long, global = true, env = "INPUT_JSON")]
    pub(super) json: bool,

    /// Accept stage tags that do not verify (lightweight, no or unreadable
    /// record, commit not matching the version), with a warning each time
    #[arg(long, global = true, env = "INPUT_ALLOW_UNVERIFIED")]
    pub(super) allow_unverified: bool,

    /// The workflow run writing the record
    #[arg(
        long,
        global = true,
        env = "GITHUB_RUN_ID",
        value_name = "ID",
        hide_env_values = true
    )]
    pub(super) run_id: Option<u64>,

    /// The run's attempt
    #[arg(
        long,
        global = true,
        env = "GITHUB_RUN_ATTEMPT",
        value_name = "N",
        hide_env_values = true
    )]
    pub(super) run_attempt: Option<u32>,

    /// The run's URL [default: from GITHUB_SERVER_URL, GITHUB_REPOSITORY,
    /// the run id and attempt]
    #[arg(long, global = true, env = "INPUT_RUN_URL", value_name = "URL",
          value_parser = Safe(parse_url))]
    pub(super) run_url: Option<String>,

    /// The workflow's name
    #[arg(long, global = true, env = "GITHUB_WORKFLOW", value_name = "NAME", hide_env_values = true,
          value_parser = Safe(parse_text))]
    pub(super) workflow: Option<String>,

    /// Who triggered the run
    #[arg(long, global = true, env = "GITHUB_ACTOR", value_name = "LOGIN", hide_env_values = true,
          value_parser = Safe(parse_text))]
    pub(super) actor: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Backend {
    Auto,
    Git,
    Api,
}

#[derive(Subcommand, Debug)]
pub(super) enum Command {
    /// Create the first stage's tag (build-V) with the build's provenance
    /// record. Already there on the same commit and digest: created=false.
    Create {
        /// The stage [default: the chain's first]
        #[arg(long, env = "INPUT_STAGE", value_parser = Safe(parse_stage))]
        stage: Option<Stage>,
        #[command(flatten)]
        version: VersionArg,
        /// The commit (4 to 40 hex digits) [default: GITHUB_SHA when it
        /// matches the version, else the version's short sha]
        #[arg(long, env = "INPUT_SHA", value_name = "SHA", value_parser = Safe(parse_sha))]
        sha: Option<String>,
        #[command(flatten)]
        artifact: ArtifactArgs,
    },
    /// Exit 0 if STAGE-V exists, verifies and V is not revoked for STAGE;
    /// else 1, naming what is wrong, the newest versions that pass, and the
    /// command that fixes it.
    Require {
        #[command(flatten)]
        stage: StageArg,
        #[command(flatten)]
        version: VersionArg,
        #[command(flatten)]
        image: ImageArgs,
    },
    /// Point STAGE's registry tags (--retag-tags) at the image recorded for
    /// V in STAGE-V (V must have passed STAGE). With the version `previous`
    /// names, this rolls the image back.
    Retag {
        #[command(flatten)]
        stage: StageArg,
        #[command(flatten)]
        version: VersionArg,
        #[command(flatten)]
        image: ImageArgs,
    },
    /// Promote V into a stage: every earlier stage's tag verified and on
    /// one commit, the digest (when given) the build's, V not revoked for
    /// the stage. Re-running, or racing, ends with one tag and exit 0.
    Promote {
        /// The stage to promote into
        #[arg(long, env = "INPUT_TO", value_name = "STAGE", value_parser = Safe(parse_stage))]
        to: Stage,
        #[command(flatten)]
        version: VersionArg,
        #[command(flatten)]
        artifact: ArtifactArgs,
    },
    /// Write a deployment event: V deployed to STAGE, with this outcome.
    Record {
        #[command(flatten)]
        stage: StageArg,
        #[command(flatten)]
        version: VersionArg,
        /// in_progress, success or failure
        #[arg(long, env = "INPUT_STATUS", value_name = "STATUS", value_parser = Safe(parse_status))]
        status: DeployStatus,
        /// The environment's URL
        #[arg(long, env = "INPUT_URL", value_name = "URL", value_parser = Safe(parse_url))]
        url: Option<String>,
        /// The commit deployed (40 hex digits) [default: the version's]
        #[arg(long, env = "INPUT_SHA", value_name = "SHA", value_parser = Safe(parse_commit))]
        sha: Option<CommitId>,
        /// A note kept with the event
        #[arg(long, env = "INPUT_NOTE", value_name = "TEXT", value_parser = Safe(parse_text))]
        note: Option<String>,
    },
    /// The version whose latest deployment to STAGE succeeded most recently.
    Current {
        #[command(flatten)]
        stage: StageArg,
    },
    /// The version live in STAGE before the current one, skipping failed
    /// and revoked ones: the rollback target.
    Previous {
        #[command(flatten)]
        stage: StageArg,
    },
    /// STAGE's deployment events, newest first.
    History {
        #[command(flatten)]
        stage: StageArg,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Mark V bad for STAGE: promote, require, latest and previous refuse it.
    Revoke {
        #[command(flatten)]
        stage: StageArg,
        #[command(flatten)]
        version: VersionArg,
        /// Why (kept in the record)
        #[arg(long, env = "INPUT_REASON", value_name = "TEXT", value_parser = Safe(parse_text))]
        reason: String,
    },
    /// The version most recently promoted into STAGE (by the time it
    /// entered the stage, never by name) that verifies and is not revoked.
    Latest {
        #[command(flatten)]
        stage: StageArg,
    },
    /// STAGE's versions, newest first (by the time each entered it).
    List {
        #[command(flatten)]
        stage: StageArg,
        #[command(flatten)]
        limit: LimitArg,
    },
    /// Print the provenance record of STAGE-V, and whether it verifies.
    Show {
        #[command(flatten)]
        stage: StageArg,
        #[command(flatten)]
        version: VersionArg,
    },
}

impl Command {
    /// The stage the command acts on (`--stage`, `--to`); `None` for
    /// `create` without `--stage` (the chain's first).
    pub(super) fn stage(&self) -> Option<&Stage> {
        match self {
            Command::Create { stage, .. } => stage.as_ref(),
            Command::Promote { to, .. } => Some(to),
            Command::Require { stage, .. }
            | Command::Retag { stage, .. }
            | Command::Record { stage, .. }
            | Command::Current { stage }
            | Command::Previous { stage }
            | Command::History { stage, .. }
            | Command::Revoke { stage, .. }
            | Command::Latest { stage }
            | Command::List { stage, .. }
            | Command::Show { stage, .. } => Some(&stage.stage),
        }
    }
}

#[derive(Args, Debug)]
pub(super) struct StageArg {
    /// The stage, such as qa
    #[arg(long, env = "INPUT_STAGE", value_name = "STAGE", value_parser = Safe(parse_stage))]
    pub(super) stage: Stage,
}

#[derive(Args, Debug)]
pub(super) struct VersionArg {
    /// The version, such as 84fb5881-20250120-143022
    #[arg(long, env = "INPUT_VERSION", value_name = "VERSION", value_parser = Safe(parse_version))]
    pub(super) version: BuildVersion,
}

#[derive(Args, Debug)]
pub(super) struct LimitArg {
    /// How many, newest first
    #[arg(long, env = "INPUT_LIMIT", value_name = "N", default_value = "20",
          value_parser = Safe(parse_limit))]
    pub(super) limit: usize,
}

#[derive(Args, Debug)]
pub(super) struct ArtifactArgs {
    /// The deployable file: its sha256 is recorded (create) or checked
    /// against the build's (promote)
    #[arg(
        long,
        env = "INPUT_ARTIFACT",
        value_name = "FILE",
        conflicts_with = "artifact_digest"
    )]
    pub(super) artifact: Option<PathBuf>,
    /// The artifact's digest, sha256:HEX
    #[arg(long, env = "INPUT_ARTIFACT_DIGEST", value_name = "sha256:HEX",
          value_parser = Safe(parse_digest))]
    pub(super) artifact_digest: Option<Digest>,
    /// The artifact's id in its store (an Actions artifact id)
    #[arg(long, env = "INPUT_ARTIFACT_ID", value_name = "ID", value_parser = Safe(parse_text))]
    pub(super) artifact_id: Option<String>,
    /// A note kept in the record
    #[arg(long, env = "INPUT_NOTE", value_name = "TEXT", value_parser = Safe(parse_text))]
    pub(super) note: Option<String>,
    #[command(flatten)]
    pub(super) image: ImageArgs,
}

#[derive(Args, Debug, Clone)]
pub(super) struct ImageArgs {
    /// A container image, REGISTRY/REPOSITORY@sha256:… (or :TAG, resolved
    /// to its manifest digest through the registry): recorded (create) or
    /// checked against the build's (promote, require)
    #[arg(long, env = "INPUT_IMAGE", value_name = "IMAGE", value_parser = Safe(parse_image))]
    pub(super) image: Option<ImageRef>,
    /// Do not ask the registry whether it still serves the image's digest
    #[arg(long, env = "INPUT_NO_REGISTRY_CHECK")]
    pub(super) no_registry_check: bool,
    /// promote: point the registry tags (--retag-tags) at the build's image
    /// digest before the stage's git tag is created
    #[arg(long, env = "INPUT_RETAG")]
    pub(super) retag: bool,
    /// The registry tags --retag (and `retag`) move, comma-separated, with
    /// {stage} and {version}
    #[arg(long, env = "INPUT_RETAG_TAGS", value_name = "TAGS",
          default_value = "{stage},{stage}-{version}", value_parser = Safe(parse_tags))]
    pub(super) retag_tags: TagList,
    /// Registry username [default: the Docker config file's, or for ghcr.io
    /// GITHUB_ACTOR with GITHUB_TOKEN]
    #[arg(long, env = "INPUT_REGISTRY_USERNAME", value_name = "NAME",
          requires = "registry_password", value_parser = Safe(parse_username))]
    pub(super) registry_username: Option<String>,
    /// Registry password or token (masked)
    #[arg(
        long,
        env = "INPUT_REGISTRY_PASSWORD",
        value_name = "SECRET",
        hide_env_values = true,
        requires = "registry_username"
    )]
    pub(super) registry_password: Option<String>,
    /// The bound on one registry request (auth included); 5xx, 429 and
    /// connection failures are tried 4 times in all, so a silent registry
    /// fails after about 4 x this (exit 3)
    #[arg(long, env = "INPUT_REGISTRY_TIMEOUT", value_name = "DURATION",
          default_value = "30s", value_parser = Safe(parse_registry_timeout))]
    pub(super) registry_timeout: std::time::Duration,
}

/// A command without image flags: no image, the defaults.
impl Default for ImageArgs {
    fn default() -> Self {
        ImageArgs {
            image: None,
            no_registry_check: false,
            retag: false,
            retag_tags: TagList::default(),
            registry_username: None,
            registry_password: None,
            registry_timeout: std::time::Duration::from_secs(30),
        }
    }
}

/// `--registry-timeout`: 1 s to 10 min.
fn parse_registry_timeout(s: &str) -> Result<std::time::Duration, String> {
    let d = gha::cli::duration(s)?;
    if !(std::time::Duration::from_secs(1)..=std::time::Duration::from_secs(600)).contains(&d) {
        return Err(format!(
            "invalid registry timeout '{}': expected a duration from 1s to 10m, such as 30s",
            s.trim()
        ));
    }
    Ok(d)
}

/// The registry tags to move (one clap value: a comma-separated list).
#[derive(Debug, Clone)]
pub(super) struct TagList(pub(super) Vec<TagTemplate>);

impl Default for TagList {
    fn default() -> Self {
        TagList(TagTemplate::defaults())
    }
}

fn parse_tags(s: &str) -> Result<TagList, String> {
    TagTemplate::parse_list(s).map(TagList)
}

fn parse_image(s: &str) -> Result<ImageRef, String> {
    s.parse().map_err(|e: RegistryError| e.to_string())
}

fn parse_username(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("an empty value; expected a username".into());
    }
    Ok(t.to_owned())
}

// ── value parsers ───────────────────────────────────────────────────────

fn parse_chain(s: &str) -> Result<Chain, String> {
    Chain::parse(s).map_err(|e| e.to_string())
}

fn parse_environment(s: &str) -> Result<EnvironmentName, String> {
    EnvironmentName::parse(s)
}

fn parse_stage(s: &str) -> Result<Stage, String> {
    Stage::parse(s).map_err(|e| format!("invalid stage: {e}"))
}

fn parse_service(s: &str) -> Result<Service, String> {
    Service::parse(s).map_err(|e| format!("invalid service name: {e}"))
}

fn parse_version(s: &str) -> Result<BuildVersion, String> {
    BuildVersion::parse(s).map_err(|e| e.to_string())
}

fn parse_digest(s: &str) -> Result<Digest, String> {
    Digest::parse(s)
}

fn parse_status(s: &str) -> Result<DeployStatus, String> {
    match s.parse::<DeployStatus>()? {
        DeployStatus::Revoked => Err(
            "invalid status 'revoked': expected in_progress, success or failure (to revoke, use `tag-gate revoke`)"
                .into(),
        ),
        status => Ok(status),
    }
}

fn parse_commit(s: &str) -> Result<CommitId, String> {
    CommitId::parse(s)
}

fn parse_sha(s: &str) -> Result<String, String> {
    let t = s.trim();
    if (4..=64).contains(&t.len()) && t.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(format!(
            "invalid commit '{}': expected 4 to 40 hex digits, such as 84fb5881",
            t.escape_default()
        ))
    }
}

fn parse_limit(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=10_000).contains(&n) => Ok(n),
        _ => Err(format!(
            "invalid limit '{}': expected a number from 1 to 10000, such as 20",
            s.trim().escape_default()
        )),
    }
}

fn parse_remote(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.starts_with('-') || t.chars().any(|c| c.is_control()) {
        Err(format!(
            "invalid remote '{}': expected a remote's name or a URL, such as origin",
            t.escape_default()
        ))
    } else {
        Ok(t.to_owned())
    }
}

fn parse_repository(s: &str) -> Result<String, String> {
    repo::api::parse_repository(s)
        .map(|(o, n)| format!("{o}/{n}"))
        .map_err(|e| e.to_string())
}

fn parse_url(s: &str) -> Result<String, String> {
    let t = s.trim();
    let ok = (t.starts_with("https://") || t.starts_with("http://"))
        && t.len() > "https://".len()
        && !t.chars().any(|c| c.is_whitespace() || c.is_control());
    if ok {
        Ok(t.to_owned())
    } else {
        Err(format!(
            "invalid URL '{}': expected http(s)://…, such as https://qa.example.com",
            t.escape_default()
        ))
    }
}

/// Free text kept in records: trimmed, one line per control rules.
fn parse_text(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("expected a value, got an empty string".into());
    }
    if t.chars().any(|c| c.is_control() && c != '\n' && c != '\t') {
        return Err("control characters are not allowed".into());
    }
    if t.len() > 4096 {
        return Err(format!("{} bytes; at most 4096 are kept", t.len()));
    }
    Ok(t.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn the_command_line_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn statuses_exclude_revoked() {
        assert_eq!(parse_status("success"), Ok(DeployStatus::Success));
        assert!(
            parse_status("revoked")
                .unwrap_err()
                .contains("tag-gate revoke")
        );
        assert!(parse_status("done").is_err());
    }

    #[test]
    fn limits_and_urls() {
        assert_eq!(parse_limit(" 5 "), Ok(5));
        assert!(parse_limit("0").is_err());
        assert!(parse_url("https://qa.example.com/x").is_ok());
        assert!(parse_url("javascript:alert(1)").is_err());
        assert!(parse_url("https://a b").is_err());
        assert!(parse_sha("84FB5881").is_ok());
        assert!(parse_sha("HEAD").is_err());
        assert!(parse_remote("--upload-pack=x").is_err());
    }
}
