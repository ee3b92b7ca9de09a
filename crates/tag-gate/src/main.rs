//! `tag-gate`: flags and the runner's variables in; stage tags, deployment
//! events, verdicts out (`$GITHUB_OUTPUT`, the job summary, `--json`, the
//! exit code).

// GateError is large on purpose (see lib.rs) and made once per run.
#![allow(clippy::result_large_err)]

use clap::{Args, Parser, Subcommand, ValueEnum};
use gha::cli::Safe;
use gha::{Classify, Env, ErrorClass, Failure, Outcome, Outputs, Runner, Summary};
use repo::api::{ApiConfig, ApiStore, DEFAULT_API_URL};
use repo::git::{GitStore, Timeouts};
use repo::{
    Chain, CommitId, DeployStatus, EnvironmentName, Provenance, Service, Stage, Store, StoredEvent,
};
use serde_json::{Value, json};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;
use tag_gate::{
    Advice, Artifact, Checked, Digest, Gate, GateError, Listing, Live, Recorded, RequireReport,
    RunInfo, TagReport, short_time,
};
use version_stamp::BuildVersion;

const TOOL: &str = "tag-gate";

mod cli_image;
use cli_image::{ImageArgs, Login};

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
struct Cli {
    #[command(subcommand)]
    command: Command,

    #[command(flatten)]
    global: Global,
}

#[derive(Args, Debug)]
struct Global {
    /// The stages, in order, comma-separated
    #[arg(long, global = true, env = "INPUT_CHAIN", value_name = "STAGES",
          default_value = "build,qa,prod", value_parser = Safe(parse_chain))]
    chain: Chain,

    /// The GitHub environment the stage's deployments are filed under (the
    /// workflow's `environment:` name) [default: the chain's STAGE=ENV,
    /// else the stage]
    #[arg(long, global = true, env = "INPUT_ENVIRONMENT", value_name = "NAME",
          value_parser = Safe(parse_environment))]
    environment: Option<EnvironmentName>,

    /// A service name (monorepos): tags become NAME/STAGE-VERSION
    #[arg(long, global = true, env = "INPUT_SERVICE", value_name = "NAME",
          value_parser = Safe(parse_service))]
    service: Option<Service>,

    /// Where records live: git (the remote), api (GitHub, no checkout
    /// needed), auto (api when GITHUB_TOKEN and a repository are set)
    #[arg(
        long,
        global = true,
        env = "INPUT_BACKEND",
        value_enum,
        default_value = "auto"
    )]
    backend: Backend,

    /// The git remote (a name or a URL) for the git backend
    #[arg(long, global = true, env = "INPUT_REMOTE", value_name = "REMOTE",
          default_value = "origin", value_parser = Safe(parse_remote))]
    remote: String,

    /// How long each git command that talks to the remote may take (git
    /// backend); then its whole process group is killed and the run fails
    /// (exit 3) naming the remote
    #[arg(long, global = true, env = "INPUT_GIT_TIMEOUT", value_name = "DURATION",
          default_value = "2m", value_parser = Safe(repo::git::parse_git_timeout))]
    git_timeout: std::time::Duration,

    /// OWNER/NAME for the api backend [default: GITHUB_REPOSITORY]
    #[arg(long, global = true, env = "INPUT_REPOSITORY", value_name = "OWNER/NAME",
          value_parser = Safe(parse_repository))]
    repository: Option<String>,

    /// A closed gate exits 0 with passed=false (bad input and a broken
    /// environment still fail)
    #[arg(long, global = true, env = "INPUT_SOFT")]
    soft: bool,

    /// Print one JSON object with every output on stdout (and nothing else)
    #[arg(long, global = true, env = "INPUT_JSON")]
    json: bool,

    /// Accept stage tags that do not verify (lightweight, no or unreadable
    /// record, commit not matching the version), with a warning each time
    #[arg(long, global = true, env = "INPUT_ALLOW_UNVERIFIED")]
    allow_unverified: bool,

    /// The workflow run writing the record
    #[arg(
        long,
        global = true,
        env = "GITHUB_RUN_ID",
        value_name = "ID",
        hide_env_values = true
    )]
    run_id: Option<u64>,

    /// The run's attempt
    #[arg(
        long,
        global = true,
        env = "GITHUB_RUN_ATTEMPT",
        value_name = "N",
        hide_env_values = true
    )]
    run_attempt: Option<u32>,

    /// The run's URL [default: from GITHUB_SERVER_URL, GITHUB_REPOSITORY,
    /// the run id and attempt]
    #[arg(long, global = true, env = "INPUT_RUN_URL", value_name = "URL",
          value_parser = Safe(parse_url))]
    run_url: Option<String>,

    /// The workflow's name
    #[arg(long, global = true, env = "GITHUB_WORKFLOW", value_name = "NAME", hide_env_values = true,
          value_parser = Safe(parse_text))]
    workflow: Option<String>,

    /// Who triggered the run
    #[arg(long, global = true, env = "GITHUB_ACTOR", value_name = "LOGIN", hide_env_values = true,
          value_parser = Safe(parse_text))]
    actor: Option<String>,
}

#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
enum Backend {
    Auto,
    Git,
    Api,
}

#[derive(Subcommand, Debug)]
enum Command {
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
    fn stage(&self) -> Option<&Stage> {
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
struct StageArg {
    /// The stage, such as qa
    #[arg(long, env = "INPUT_STAGE", value_name = "STAGE", value_parser = Safe(parse_stage))]
    stage: Stage,
}

#[derive(Args, Debug)]
struct VersionArg {
    /// The version, such as 84fb5881-20250120-143022
    #[arg(long, env = "INPUT_VERSION", value_name = "VERSION", value_parser = Safe(parse_version))]
    version: BuildVersion,
}

#[derive(Args, Debug)]
struct LimitArg {
    /// How many, newest first
    #[arg(long, env = "INPUT_LIMIT", value_name = "N", default_value = "20",
          value_parser = Safe(parse_limit))]
    limit: usize,
}

#[derive(Args, Debug)]
struct ArtifactArgs {
    /// The deployable file: its sha256 is recorded (create) or checked
    /// against the build's (promote)
    #[arg(
        long,
        env = "INPUT_ARTIFACT",
        value_name = "FILE",
        conflicts_with = "artifact_digest"
    )]
    artifact: Option<PathBuf>,
    /// The artifact's digest, sha256:HEX
    #[arg(long, env = "INPUT_ARTIFACT_DIGEST", value_name = "sha256:HEX",
          value_parser = Safe(parse_digest))]
    artifact_digest: Option<Digest>,
    /// The artifact's id in its store (an Actions artifact id)
    #[arg(long, env = "INPUT_ARTIFACT_ID", value_name = "ID", value_parser = Safe(parse_text))]
    artifact_id: Option<String>,
    /// A note kept in the record
    #[arg(long, env = "INPUT_NOTE", value_name = "TEXT", value_parser = Safe(parse_text))]
    note: Option<String>,
    #[command(flatten)]
    image: ImageArgs,
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

/// A runner variable; empty (or blank) counts as unset.
fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

// ── main ────────────────────────────────────────────────────────────────

pub fn main() -> ExitCode {
    let started = Instant::now();
    let cli: Cli = gha::cli::parse(TOOL);
    // Cancelled (SIGINT/SIGTERM/SIGHUP): git and ssh end with us.
    let _ = repo::child::end_children_on_termination();
    let g = &cli.global;
    let runner = Runner::new(TOOL, Env::from_process())
        .json(g.json)
        .soft(g.soft);
    let token = var("GITHUB_TOKEN");
    if let Some(t) = &token {
        runner.mask(t);
    }
    if g.allow_unverified {
        runner.warning(
            "--allow-unverified: stage tags that do not verify (lightweight, without a readable \
             record, or on a commit that does not match the version) are accepted",
        );
    }
    let store = match open_store(g, token) {
        Ok(s) => s,
        Err(e) => return runner.fail(e.as_ref()),
    };
    let repository = g.repository.clone().or_else(|| var("GITHUB_REPOSITORY"));
    let run_url = g.run_url.clone().or_else(|| {
        let id = g.run_id?;
        Some(RunInfo::run_url(
            &var("GITHUB_SERVER_URL").unwrap_or_else(|| "https://github.com".into()),
            repository.as_deref()?,
            id,
            g.run_attempt,
        ))
    });
    let stage = cli
        .command
        .stage()
        .unwrap_or_else(|| g.chain.first())
        .clone();
    let login = Login::from_args(
        &cli_image::image_args(&cli.command)
            .cloned()
            .unwrap_or_default(),
        &runner,
    );
    let step = cli_image::registry_step(&cli.command, &login);
    let gate = Gate::new(store.as_ref(), g.chain.clone())
        .before_tag(step.as_ref().map(|s| s as &dyn tag_gate::image::BeforeTag))
        .service(g.service.clone())
        .environment(&stage, g.environment.clone())
        .allow_unverified(g.allow_unverified)
        .run(RunInfo {
            run_id: g.run_id,
            run_attempt: g.run_attempt,
            run_url,
            workflow: g.workflow.clone(),
            actor: g.actor.clone(),
        });
    let ctx = Ctx {
        runner: &runner,
        gate: &gate,
        store: store.as_ref(),
        started,
        login: &login,
        step: step.as_ref(),
    };
    let code = ctx.dispatch(&cli.command);
    ExitCode::from(code)
}

fn open_store(g: &Global, token: Option<String>) -> Result<Box<dyn Store>, Box<dyn Classify>> {
    let repository = g.repository.clone().or_else(|| var("GITHUB_REPOSITORY"));
    let backend = match g.backend {
        Backend::Auto if token.is_some() && repository.is_some() => Backend::Api,
        Backend::Auto => Backend::Git,
        b => b,
    };
    match backend {
        Backend::Api => {
            let Some(token) = token else {
                return Err(Box::new(
                    Failure::input("--backend api needs a token: GITHUB_TOKEN is not set")
                        .with_hint("pass `token: ${{ github.token }}` to the action, or export GITHUB_TOKEN"),
                ));
            };
            let Some(repository) = repository else {
                return Err(Box::new(Failure::input(
                    "--backend api needs a repository: pass --repository OWNER/NAME (GITHUB_REPOSITORY is not set)",
                )));
            };
            let api_url = var("GITHUB_API_URL").unwrap_or_else(|| DEFAULT_API_URL.into());
            let mut config = ApiConfig::new(&api_url, &repository, &token);
            if let Some(graphql) = var("GITHUB_GRAPHQL_URL") {
                config = config.graphql_url(&graphql);
            }
            ApiStore::new(config)
                .map(|s| Box::new(s) as Box<dyn Store>)
                .map_err(|e| Box::new(e) as Box<dyn Classify>)
        }
        Backend::Git | Backend::Auto => {
            if g.repository.is_some() {
                return Err(Box::new(
                    Failure::input("--repository gates on another repository, which needs the api backend")
                        .with_hint("add --backend api (with GITHUB_TOKEN), or drop --repository to use the git remote"),
                ));
            }
            let dir = std::env::current_dir().map_err(|e| {
                Box::new(Failure::environment(format!(
                    "cannot read the current directory: {e}"
                ))) as Box<dyn Classify>
            })?;
            GitStore::open_with(dir, &g.remote, Timeouts::network(g.git_timeout))
                .map(|s| {
                    // The user's own ssh command is left alone (the deadline still holds).
                    let user_ssh = var("GIT_SSH_COMMAND").is_some() || var("GIT_SSH").is_some();
                    Box::new(s.with_user_ssh_command(user_ssh)) as Box<dyn Store>
                })
                .map_err(|e| Box::new(e) as Box<dyn Classify>)
        }
    }
}

struct Ctx<'a> {
    runner: &'a Runner,
    gate: &'a Gate<'a>,
    store: &'a dyn Store,
    started: Instant,
    login: &'a Login,
    step: Option<&'a tag_gate::image::RegistryStep<'a>>,
}

impl Ctx<'_> {
    fn took(&self) -> String {
        gha::cli::human_duration(self.started.elapsed())
    }

    fn dispatch(&self, command: &Command) -> u8 {
        match command {
            Command::Create {
                stage,
                version,
                sha,
                artifact,
            } => self.create(stage.as_ref(), &version.version, sha.as_deref(), artifact),
            Command::Require {
                stage,
                version,
                image,
            } => self.require(&stage.stage, &version.version, image),
            Command::Retag { stage, version, .. } => self.retag(&stage.stage, &version.version),
            Command::Promote {
                to,
                version,
                artifact,
            } => self.promote(to, &version.version, artifact),
            Command::Record {
                stage,
                version,
                status,
                url,
                sha,
                note,
            } => self.record(&stage.stage, &version.version, *status, url, sha, note),
            Command::Current { stage } => self.live(&stage.stage, false),
            Command::Previous { stage } => self.live(&stage.stage, true),
            Command::History { stage, limit } => self.history(&stage.stage, limit.limit),
            Command::Revoke {
                stage,
                version,
                reason,
            } => self.revoke(&stage.stage, &version.version, reason),
            Command::Latest { stage } => self.list(&stage.stage, 1, true),
            Command::List { stage, limit } => self.list(&stage.stage, limit.limit, false),
            Command::Show { stage, version } => self.show(&stage.stage, &version.version),
        }
    }

    /// A closed gate: outputs (with passed=false), the reason and the fix,
    /// a summary line. Other errors: exit 2 or 3 with their hint.
    fn refuse(&self, err: GateError, outputs: Outputs, title: &str) -> u8 {
        self.refuse_with(err, None, outputs, title)
    }

    /// [`Ctx::refuse`], adding the passing versions and the command that
    /// moves on.
    fn refuse_with(
        &self,
        err: GateError,
        advice: Option<Advice>,
        outputs: Outputs,
        title: &str,
    ) -> u8 {
        if err.class() != ErrorClass::Denied {
            return self.runner.fail_code(&err);
        }
        let lines: Vec<String> = err
            .hint()
            .into_iter()
            .chain(
                advice
                    .iter()
                    .flat_map(|a| a.to_string().lines().map(str::to_owned).collect::<Vec<_>>()),
            )
            .collect();
        let mut reason = err.to_string();
        for l in &lines {
            reason.push('\n');
            reason.push_str(l);
        }
        let mut summary = Summary::new();
        summary.heading(3, &format!("⛔ tag-gate {title}"));
        summary.line(&gha::escape::markdown_cell(&err.to_string()));
        for l in &lines {
            summary.line(&gha::escape::markdown_cell(l));
        }
        self.runner
            .finish_code(Outcome::failed(outputs, reason).with_summary(summary))
    }

    fn warn_all(&self, warnings: &[String]) {
        for w in warnings {
            self.runner.warning(w);
        }
    }

    /// The command's result on stdout (neutralised, nothing under `--json`).
    fn stdout(&self, text: &str) {
        self.runner.print(text);
    }

    fn create(
        &self,
        stage: Option<&Stage>,
        version: &BuildVersion,
        sha: Option<&str>,
        args: &ArtifactArgs,
    ) -> u8 {
        let stage = stage
            .cloned()
            .unwrap_or_else(|| self.gate.chain().first().clone());
        let artifact = match self.artifact(args) {
            Ok(a) => a,
            Err(e) => return self.runner.fail_code(&e),
        };
        // GITHUB_SHA is the built commit when it is the version's.
        let github_sha = var("GITHUB_SHA").filter(|s| version.matches_commit(s));
        let sha = sha.map(str::to_owned).or(github_sha);
        let base = base_outputs(&stage, version, &self.gate.scope(&stage).tag_name(version));
        match self.gate.create(&stage, version, sha.as_deref(), &artifact) {
            Ok(r) => self.tag_done("create", r),
            Err(e) => self.refuse(
                e,
                base,
                &format!("create {}", self.gate.scope(&stage).tag_name(version)),
            ),
        }
    }

    fn artifact(&self, args: &ArtifactArgs) -> Result<Artifact, GateError> {
        let digest = match (&args.artifact, &args.artifact_digest) {
            (Some(path), _) => {
                let started = Instant::now();
                let d = Digest::of_file(path)?;
                self.runner.info(&format!(
                    "{TOOL}: hashed {} → {d} in {}",
                    path.display(),
                    gha::cli::human_duration(started.elapsed())
                ));
                Some(d)
            }
            (None, d) => d.clone(),
        };
        Ok(Artifact {
            digest,
            id: args.artifact_id.clone(),
            note: args.note.clone(),
            image: self.pin_image(&args.image, self.step.is_none())?,
        })
    }

    fn promote(&self, to: &Stage, version: &BuildVersion, args: &ArtifactArgs) -> u8 {
        let base = base_outputs(to, version, &self.gate.scope(to).tag_name(version));
        let artifact = match self.artifact(args) {
            Ok(a) => a,
            Err(e) => return self.runner.fail_code(&e),
        };
        match self.gate.promote(to, version, &artifact) {
            Ok(r) => self.tag_done("promote", r),
            Err(e) => {
                let advice = self.gate.advise_promote(to, version, &e);
                self.refuse_with(e, advice, base, &format!("promote {version} to {to}"))
            }
        }
    }

    fn tag_done(&self, command: &str, r: TagReport) -> u8 {
        self.warn_all(&r.warnings);
        for c in &r.checked {
            self.runner
                .info(&format!("{TOOL}: ✔ {} {}", c.tag.name, checked_text(c)));
        }
        let by = r.record.as_ref().map(record_origin).unwrap_or_default();
        let line = if r.created {
            format!(
                "{TOOL}: ✔ created {} on {}{by} in {}",
                r.tag,
                r.commit,
                self.took()
            )
        } else if r.raced {
            format!(
                "{TOOL}: ✔ {} was created by a concurrent run first ({}); its record stands, created=false, in {}",
                r.tag,
                by.trim(),
                self.took()
            )
        } else {
            format!(
                "{TOOL}: ✔ {} already exists on {}{by}; nothing to do (created=false), in {}",
                r.tag,
                r.commit,
                self.took()
            )
        };
        self.runner.info(&line);
        let mut outputs = base_outputs(&r.stage, &r.version, &r.tag);
        outputs
            .set("sha", r.commit.as_str())
            .set("created", r.created)
            .set(
                "artifact-digest",
                r.artifact_digest.clone().unwrap_or_default(),
            )
            .set(
                "promoted-from",
                r.record
                    .as_ref()
                    .and_then(|p| p.promoted_from.clone())
                    .unwrap_or_default(),
            )
            .set("record", record_json(r.record.as_ref()))
            .set(
                "image",
                r.record
                    .as_ref()
                    .and_then(|p| p.image.clone())
                    .unwrap_or_default(),
            )
            .set(
                "image-digest",
                r.record
                    .as_ref()
                    .and_then(|p| p.image_digest.clone())
                    .unwrap_or_default(),
            );
        self.registry_lines(&mut outputs);
        let mut s = Summary::new();
        let icon = if r.created { "🏷️" } else { "✔" };
        s.heading(3, &format!("{icon} tag-gate {command}: `{}`", r.tag));
        let mut rows: Vec<[String; 4]> = r
            .checked
            .iter()
            .map(|c| {
                [
                    format!("`{}`", c.tag.name),
                    c.tag.commit.short(12).to_owned(),
                    c.time().map(short_time).unwrap_or_default(),
                    if c.flaw.is_some() {
                        "⚠️ unverified (allowed)".into()
                    } else {
                        "✔ verified".into()
                    },
                ]
            })
            .collect();
        rows.push([
            format!("`{}`", r.tag),
            r.commit.short(12).to_owned(),
            r.record
                .as_ref()
                .map(|p| short_time(p.time))
                .unwrap_or_default(),
            if r.created {
                "🏷️ created".into()
            } else if r.raced {
                "✔ created by a concurrent run".into()
            } else {
                "✔ already there".into()
            },
        ]);
        s.table(&["tag", "commit", "entered", "status"], rows);
        if let Some(p) = &r.record {
            s.table(&["field", "value"], record_rows(p));
        }
        self.stdout(&r.tag);
        self.runner
            .finish_code(Outcome::passed(outputs).with_summary(s))
    }

    fn require(&self, stage: &Stage, version: &BuildVersion, image: &ImageArgs) -> u8 {
        let scope = self.gate.scope(stage);
        let name = scope.tag_name(version);
        let base = base_outputs(stage, version, &name);
        match self
            .gate
            .require(stage, version)
            .and_then(|r| self.require_image(stage, version, &r, image).map(|()| r))
        {
            Ok(r) => {
                self.warn_all(&r.warnings);
                self.runner.info(&format!(
                    "{TOOL}: ✔ {} {} ({} in {})",
                    name,
                    checked_text(&r.checked),
                    self.store.describe(),
                    self.took()
                ));
                let (outputs, s) = self.checked_render("require", &r, base);
                self.stdout(&name);
                self.runner
                    .finish_code(Outcome::passed(outputs).with_summary(s))
            }
            Err(e) => {
                let advice = self.gate.advise_require(stage, version, &e);
                self.refuse_with(e, advice, base, &format!("require {name}"))
            }
        }
    }

    fn show(&self, stage: &Stage, version: &BuildVersion) -> u8 {
        let name = self.gate.scope(stage).tag_name(version);
        let base = base_outputs(stage, version, &name);
        match self.gate.show(stage, version) {
            Ok(r) => {
                match &r.checked.flaw {
                    None => self.runner.info(&format!(
                        "{TOOL}: {name} verifies ({})",
                        checked_text(&r.checked)
                    )),
                    Some(f) => self.runner.warning(&format!("{name} does not verify: {f}")),
                }
                let (mut outputs, s) = self.checked_render("show", &r, base);
                outputs.set("verified", r.checked.flaw.is_none()).set(
                    "flaw",
                    r.checked
                        .flaw
                        .as_ref()
                        .map(|f| f.to_string())
                        .unwrap_or_default(),
                );
                match (&r.checked.record, r.checked.tag.annotation()) {
                    (Some(p), _) => {
                        if !self.runner.is_json() {
                            self.runner
                                .print_json(&serde_json::to_value(p).unwrap_or_default());
                        }
                    }
                    // The message is outside text: printed line by line,
                    // neutralised (Runner::print).
                    (None, Some(a)) => self.stdout(a.message.trim_end()),
                    (None, None) => self.stdout(&format!(
                        "{name}: lightweight tag on {}",
                        r.checked.tag.commit
                    )),
                }
                self.runner
                    .finish_code(Outcome::done(outputs).with_summary(s))
            }
            Err(e) => self.refuse(e, base, &format!("show {name}")),
        }
    }

    fn checked_render(
        &self,
        command: &str,
        r: &RequireReport,
        mut outputs: Outputs,
    ) -> (Outputs, Summary) {
        let c = &r.checked;
        outputs
            .set("sha", c.tag.commit.as_str())
            .set("created", false)
            .set("artifact-digest", c.digest().unwrap_or_default())
            .set("time", c.time().map(|t| t.to_string()).unwrap_or_default())
            .set("record", record_json(c.record.as_ref()));
        let mut s = Summary::new();
        let icon = if c.flaw.is_none() { "✔" } else { "⚠️" };
        s.heading(3, &format!("{icon} tag-gate {command}: `{}`", c.tag.name));
        let mut rows = vec![
            ["commit".to_owned(), c.tag.commit.to_string()],
            [
                "verified".to_owned(),
                match &c.flaw {
                    None => "yes".to_owned(),
                    Some(f) => format!("no: {f}"),
                },
            ],
        ];
        if let Some(p) = &c.record {
            rows.extend(record_rows(p).into_iter().filter(|[k, _]| k != "commit"));
        }
        s.table(&["field", "value"], rows);
        (outputs, s)
    }

    fn list(&self, stage: &Stage, limit: usize, latest: bool) -> u8 {
        let scope = self.gate.scope(stage);
        let command = if latest { "latest" } else { "list" };
        let mut base = Outputs::new();
        base.set("stage", stage.as_str()).set("version", "");
        let result = if latest {
            self.gate.latest(stage)
        } else {
            self.gate.list(stage, limit)
        };
        let l = match result {
            Ok(l) => l,
            Err(e) => return self.refuse(e, base, &format!("{command} {scope}")),
        };
        self.warn_all(&l.warnings);
        self.listing_notes(&l);
        let newest = &l.entries[0];
        let mut outputs = base_outputs(stage, &newest.version, &newest.tag);
        outputs
            .set("sha", newest.commit.as_str())
            .set(
                "time",
                newest.time.map(|t| t.to_string()).unwrap_or_default(),
            )
            .set("artifact-digest", newest.digest.clone().unwrap_or_default())
            .set("ignored", l.ignored.len())
            .set("skipped", l.skipped.len());
        let versions: Vec<Value> = l
            .entries
            .iter()
            .map(|e| {
                json!({
                    "version": e.version.to_string(),
                    "sha": e.commit.as_str(),
                    "time": e.time.map(|t| t.to_string()),
                    "tag": e.tag,
                    "artifact_digest": e.digest,
                    "verified": e.verified,
                })
            })
            .collect();
        if !latest {
            outputs
                .set("versions", Value::Array(versions))
                .set("count", l.entries.len());
        }
        let mut s = Summary::new();
        s.heading(
            3,
            &format!(
                "tag-gate {command}: {} ({} of {} version tags shown)",
                scope.environment(),
                l.entries.len(),
                l.total
            ),
        );
        s.table(
            &["version", "commit", "entered", "digest"],
            l.entries.iter().map(|e| {
                [
                    format!("`{}`", e.version),
                    e.commit.short(12).to_owned(),
                    e.time.map(short_time).unwrap_or_default(),
                    e.digest.as_deref().map(short_digest).unwrap_or_default(),
                ]
            }),
        );
        if !l.skipped.is_empty() {
            s.table(
                &["left out", "why"],
                l.skipped
                    .iter()
                    .map(|k| [format!("`{}`", k.tag), k.reason.clone()]),
            );
        }
        self.runner.info(&format!(
            "{TOOL}: {command} {}: {} ({} in {})",
            scope.environment(),
            l.entries
                .iter()
                .map(|e| e.version.to_string())
                .collect::<Vec<_>>()
                .join(", "),
            self.store.describe(),
            self.took()
        ));
        for e in &l.entries {
            self.stdout(e.version.as_str());
        }
        self.runner
            .finish_code(Outcome::done(outputs).with_summary(s))
    }

    fn listing_notes(&self, l: &Listing) {
        if !l.ignored.is_empty() {
            let shown: Vec<&str> = l.ignored.iter().take(5).map(String::as_str).collect();
            self.runner.info(&format!(
                "{TOOL}: ignored {} tag(s) under '{}' that are not versions: {}{}",
                l.ignored.len(),
                l.scope.tag_prefix(),
                shown.join(", "),
                if l.ignored.len() > shown.len() {
                    ", …"
                } else {
                    ""
                }
            ));
        }
        for k in &l.skipped {
            self.runner
                .info(&format!("{TOOL}: left out {}: {}", k.tag, k.reason));
        }
    }

    fn record(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        status: DeployStatus,
        url: &Option<String>,
        sha: &Option<CommitId>,
        note: &Option<String>,
    ) -> u8 {
        let base = base_outputs(stage, version, "");
        match self.gate.record(
            stage,
            version,
            status,
            url.clone(),
            sha.clone(),
            note.clone(),
        ) {
            Ok(r) => self.recorded("record", r),
            Err(e) => self.refuse(e, base, &format!("record {version} in {stage}")),
        }
    }

    fn revoke(&self, stage: &Stage, version: &BuildVersion, reason: &str) -> u8 {
        let base = base_outputs(stage, version, "");
        match self.gate.revoke(stage, version, reason) {
            Ok(r) => self.recorded("revoke", r),
            Err(e) => self.refuse(e, base, &format!("revoke {version} for {stage}")),
        }
    }

    fn recorded(&self, command: &str, r: Recorded) -> u8 {
        let e = &r.event.event;
        let line = if r.created {
            format!(
                "{TOOL}: recorded {} {} in {} ({}, event {}) in {}",
                e.version,
                e.status,
                e.scope(),
                self.store.describe(),
                r.event.id,
                self.took()
            )
        } else {
            format!(
                "{TOOL}: {} is already revoked for {} (event {}); nothing to do",
                e.version,
                e.scope(),
                r.event.id
            )
        };
        self.runner.info(&line);
        let mut outputs = base_outputs(&e.stage, &e.version, "");
        outputs
            .set("status", e.status.as_str())
            .set("event-id", r.event.id.as_str())
            .set("created", r.created)
            .set(
                "sha",
                e.commit.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            )
            .set("url", e.url.clone().unwrap_or_default());
        let mut s = Summary::new();
        s.heading(
            3,
            &format!(
                "tag-gate {command}: `{}` {} in {}",
                e.version,
                e.status,
                e.scope()
            ),
        );
        s.table(
            &["time", "version", "status", "actor", "run", "note"],
            [event_row(&r.event)],
        );
        self.runner
            .finish_code(Outcome::done(outputs).with_summary(s))
    }

    fn live(&self, stage: &Stage, previous: bool) -> u8 {
        let command = if previous { "previous" } else { "current" };
        let mut base = Outputs::new();
        base.set("stage", stage.as_str()).set("version", "");
        let result = if previous {
            self.gate.previous(stage)
        } else {
            self.gate.current(stage)
        };
        let l: Live = match result {
            Ok(l) => l,
            Err(e) => return self.refuse(e, base, &format!("{command} {stage}")),
        };
        let e = &l.event.event;
        if l.revoked {
            self.runner.warning(&format!(
                "{} is live in {} but revoked for it: roll back (tag-gate previous --stage {stage})",
                e.version,
                l.scope
            ));
        }
        let mut text = format!(
            "{TOOL}: {command} in {}: {} (deployed {}",
            l.scope,
            e.version,
            short_time(e.time)
        );
        if let Some(a) = &e.actor {
            text.push_str(&format!(" by {a}"));
        }
        text.push(')');
        if previous && let Some(c) = &l.current {
            text.push_str(&format!(", before the current {c}"));
        }
        self.runner.info(&format!("{text} in {}", self.took()));
        // The stage tag only when it exists: a deployment stage (dev) need
        // not be a chain stage.
        let mut outputs = base_outputs(stage, &e.version, l.tag.as_deref().unwrap_or(""));
        outputs
            .set(
                "sha",
                e.commit.as_ref().map(|c| c.to_string()).unwrap_or_default(),
            )
            .set("time", e.time.to_string())
            .set("url", e.url.clone().unwrap_or_default())
            .set("event-id", l.event.id.as_str())
            .set("revoked", l.revoked);
        if previous {
            outputs.set(
                "current",
                l.current
                    .as_ref()
                    .map(|c| c.to_string())
                    .unwrap_or_default(),
            );
        }
        let mut s = Summary::new();
        s.heading(
            3,
            &format!("tag-gate {command}: {} → `{}`", l.scope, e.version),
        );
        s.table(
            &["time", "version", "status", "actor", "run", "note"],
            [event_row(&l.event)],
        );
        self.stdout(e.version.as_str());
        self.runner
            .finish_code(Outcome::done(outputs).with_summary(s))
    }

    fn history(&self, stage: &Stage, limit: usize) -> u8 {
        let scope = self.gate.scope(stage);
        let mut base = Outputs::new();
        base.set("stage", stage.as_str());
        let events = match self.gate.history(stage, limit) {
            Ok(e) => e,
            Err(e) => return self.refuse(e, base, &format!("history {scope}")),
        };
        self.runner.info(&format!(
            "{TOOL}: {} event(s) in {} ({} in {})",
            events.len(),
            scope,
            self.store.describe(),
            self.took()
        ));
        let list: Vec<Value> = events
            .iter()
            .map(|e| serde_json::to_value(e).unwrap_or(Value::Null))
            .collect();
        base.set("events", Value::Array(list))
            .set("count", events.len());
        let mut s = Summary::new();
        s.heading(3, &format!("tag-gate history: {scope}"));
        s.table(
            &["time", "version", "status", "actor", "run", "note"],
            events.iter().map(event_row),
        );
        for e in &events {
            self.stdout(&format!(
                "{}  {:<11}  {}",
                short_time(e.event.time),
                e.event.status.as_str(),
                e.event.version
            ));
        }
        self.runner.finish_code(Outcome::done(base).with_summary(s))
    }
}

fn base_outputs(stage: &Stage, version: &BuildVersion, tag: &str) -> Outputs {
    Outputs::new()
        .with("stage", stage.as_str())
        .with("version", version.as_str())
        .with("tag", tag)
}

fn record_json(p: Option<&Provenance>) -> Value {
    p.and_then(|p| serde_json::to_value(p).ok())
        .unwrap_or(Value::Null)
}

fn short_digest(d: &str) -> String {
    d.get(..19)
        .map(|s| format!("{s}…"))
        .unwrap_or_else(|| d.to_owned())
}

/// ` by octocat (run 42)`.
fn record_origin(p: &Provenance) -> String {
    let mut s = String::new();
    if let Some(a) = &p.actor {
        s.push_str(&format!(" by {a}"));
    }
    match (&p.run_url, p.run_id) {
        (Some(u), _) => s.push_str(&format!(" ({u})")),
        (None, Some(id)) => s.push_str(&format!(" (run {id})")),
        _ => {}
    }
    s
}

fn checked_text(c: &Checked) -> String {
    let mut s = match &c.flaw {
        None => "verified".to_owned(),
        Some(f) => format!("accepted unverified ({f})"),
    };
    s.push_str(&format!(": commit {}", c.tag.commit.short(12)));
    if let Some(d) = c.digest() {
        s.push_str(&format!(", {}", short_digest(d)));
    }
    if let Some(t) = c.time() {
        s.push_str(&format!(", since {}", short_time(t)));
    }
    if let Some(p) = &c.record {
        s.push_str(&record_origin(p));
    }
    s
}

fn record_rows(p: &Provenance) -> Vec<[String; 2]> {
    let mut rows = vec![
        ["version".to_owned(), p.version.to_string()],
        ["stage".to_owned(), p.stage.to_string()],
        ["commit".to_owned(), p.commit.to_string()],
        ["time".to_owned(), short_time(p.time)],
    ];
    let opt = |k: &str, v: Option<String>| v.map(|v| [k.to_owned(), v]);
    rows.extend(
        [
            opt("service", p.service.as_ref().map(|s| s.to_string())),
            opt("artifact digest", p.artifact_digest.clone()),
            opt("artifact id", p.artifact_id.clone()),
            opt("promoted from", p.promoted_from.clone()),
            opt("actor", p.actor.clone()),
            opt("workflow", p.workflow.clone()),
            opt("run", p.run_url.clone().or(p.run_id.map(|i| i.to_string()))),
            opt("note", p.note.clone()),
        ]
        .into_iter()
        .flatten(),
    );
    rows
}

fn event_row(e: &StoredEvent) -> [String; 6] {
    let ev = &e.event;
    [
        short_time(ev.time),
        format!("`{}`", ev.version),
        ev.status.to_string(),
        ev.actor.clone().unwrap_or_default(),
        ev.run_url
            .clone()
            .or(ev.run_id.map(|i| i.to_string()))
            .unwrap_or_default(),
        [ev.url.clone(), ev.description.clone()]
            .into_iter()
            .flatten()
            .collect::<Vec<_>>()
            .join(" · "),
    ]
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
