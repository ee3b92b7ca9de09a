//! A workflow harness: runs a workflow's jobs and our composite actions the
//! way GitHub's runner does, for end-to-end tests on a machine without a
//! runner. Use it as `mod harness;` from an integration test file.
//!
//! It implements exactly the runner rules shipgate's files rely on, and
//! refuses everything else it meets: an unknown key, event, expression,
//! function, context or feature is a [`Refusal`] (a test failure with a
//! clear message), never a silent pass.
//!
//! ```ignore
//! let mut h = Harness::new();
//! h.repository("octo/shop").remote("octo/shop", &bare_repo).standard_stubs();
//! h.runner_env("SHIPGATE_BIN_DIR", bin_dir);
//! let run = h.run(".github/workflows/promote-qa.yml",
//!                 Event::workflow_dispatch("main").input("artifact_version", v))?;
//! run.assert_success();
//! assert_eq!(run.job("deploy").step("promote").output("tag"), format!("qa-{v}"));
//! ```
//!
//! What is implemented (see each module for details):
//! - workflows: `name`, `run-name`, `on` (`push`, `pull_request`,
//!   `merge_group`, `workflow_dispatch` inputs with types/defaults/required;
//!   branch/tag/type filters), `permissions`, `concurrency`, `env`,
//!   `defaults.run`, `jobs` with `needs` (topological order; a job whose
//!   needs did not all succeed is skipped unless its `if:` uses a status
//!   function), `if`, `environment`, `outputs` (dropped when they contain a
//!   secret, as on GitHub), `runs-on` (required, ignored), `timeout-minutes`,
//!   `steps` (`id`, `name`, `if`, `run`, `shell: bash`, `env`, `with`,
//!   `uses`, `continue-on-error`, `working-directory`, `timeout-minutes`);
//! - `uses: ./path` composite actions (nested too) with `GITHUB_ACTION_PATH`,
//!   `inputs`, their own `steps`, `outputs.*.value`; remote `uses:` only
//!   through registered [`stubs`];
//! - `run:` as `bash -e {0}` (no shell) or `bash --noprofile --norc -eo
//!   pipefail {0}` (`shell: bash`), in its own process group; runner files
//!   `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_PATH`, `GITHUB_STEP_SUMMARY`,
//!   `GITHUB_STATE`; the runner's environment variables; workflow commands
//!   and masks ([`commands`]); expressions ([`expr`]);
//! - results per job and per step ([`RunResult`], [`JobResult`],
//!   [`StepResult`]). At the end of each job, processes the steps left
//!   behind are killed (the runner's orphan cleanup).

// Shared by several test binaries, each using a part of it.
#![allow(dead_code, unused_imports)]

pub mod commands;
mod exec;
pub mod expr;
pub mod files;
pub mod glob;
pub mod model;
pub mod stubs;
pub mod yaml;

pub use commands::{Annotation, Level};
pub use model::{EnvironmentRef, Permissions};
pub use stubs::{
    ActionStub, Artifact, ArtifactStore, Checkout, DownloadArtifact, FnStub, GithubInfo,
    StubContext, StubError, UploadArtifact,
};

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

/// The harness declined to go on: something in the files (or the test) is
/// outside what it implements. A test failure, with the reason.
#[derive(Clone, PartialEq, Eq)]
pub struct Refusal {
    pub message: String,
}

impl Refusal {
    pub fn new(message: impl Into<String>) -> Self {
        Self {
            message: message.into(),
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "workflow harness refused: {}", self.message)
    }
}

// `unwrap()` prints Debug: make it the readable message.
impl fmt::Debug for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl std::error::Error for Refusal {}

/// A job's or a step's result, as GitHub names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Conclusion {
    Success,
    Failure,
    Cancelled,
    Skipped,
}

impl Conclusion {
    pub fn as_str(self) -> &'static str {
        match self {
            Conclusion::Success => "success",
            Conclusion::Failure => "failure",
            Conclusion::Cancelled => "cancelled",
            Conclusion::Skipped => "skipped",
        }
    }
}

impl fmt::Display for Conclusion {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One step's result (composite actions hold their steps in `steps`).
#[derive(Debug, Clone)]
pub struct StepResult {
    pub id: Option<String>,
    /// The displayed name (`name:`, else `Run <first line>` / `Run <uses>`).
    pub name: String,
    pub uses: Option<String>,
    /// Before `continue-on-error`.
    pub outcome: Conclusion,
    /// After `continue-on-error`.
    pub conclusion: Conclusion,
    pub outputs: BTreeMap<String, String>,
    pub exit_code: Option<i32>,
    /// The step's log as the runner shows it, masked.
    pub log: String,
    pub annotations: Vec<Annotation>,
    pub groups: Vec<String>,
    pub debug: Vec<String>,
    /// What this step appended to `$GITHUB_STEP_SUMMARY` (masked).
    pub summary: String,
    /// The environment a `run:` step ran with (empty for others).
    pub env: BTreeMap<String, String>,
    /// Required inputs of a composite action that were not given (GitHub
    /// does not enforce them either).
    pub missing_inputs: Vec<String>,
    pub timed_out: bool,
    /// Steps of a composite action.
    pub steps: Vec<StepResult>,
}

impl StepResult {
    /// An output, or a panic listing the outputs there are.
    pub fn output(&self, key: &str) -> &str {
        self.outputs.get(key).map_or_else(
            || {
                panic!(
                    "step {:?} has no output `{key}` (outputs: {:?})\n{}",
                    self.name,
                    self.outputs.keys().collect::<Vec<_>>(),
                    self.log
                )
            },
            String::as_str,
        )
    }

    pub fn errors(&self) -> Vec<&Annotation> {
        self.annotations
            .iter()
            .filter(|a| a.level == Level::Error)
            .collect()
    }

    /// A step of a composite action, by id or name.
    pub fn step(&self, key: &str) -> &StepResult {
        find_step(&self.steps, key).unwrap_or_else(|| {
            panic!(
                "composite step {:?} has no step {key:?} ({:?})",
                self.name,
                self.steps.iter().map(|s| &s.name).collect::<Vec<_>>()
            )
        })
    }
}

fn find_step<'a>(steps: &'a [StepResult], key: &str) -> Option<&'a StepResult> {
    steps
        .iter()
        .find(|s| s.id.as_deref() == Some(key))
        .or_else(|| steps.iter().find(|s| s.name == key))
}

/// One job's result.
#[derive(Debug, Clone)]
pub struct JobResult {
    pub id: String,
    pub name: String,
    pub result: Conclusion,
    pub outputs: BTreeMap<String, String>,
    /// Outputs GitHub would drop because they contain a secret.
    pub dropped_outputs: Vec<String>,
    /// Job-level errors (an output that failed to evaluate).
    pub annotations: Vec<Annotation>,
    /// The job summary: every step's `$GITHUB_STEP_SUMMARY`, in order.
    pub summary: String,
    pub steps: Vec<StepResult>,
    pub environment: Option<EnvironmentRef>,
    /// The job's effective `permissions:` (job level, else workflow level;
    /// `None`: the repository default).
    pub permissions: Option<Permissions>,
    /// Evaluated `concurrency:` (group, cancel-in-progress).
    pub concurrency: Option<(String, bool)>,
    pub timeout_minutes: f64,
    /// The `GITHUB_TOKEN` this job got.
    pub token: String,
    pub workspace: PathBuf,
    pub runner_temp: PathBuf,
}

impl JobResult {
    /// A step by id or displayed name.
    pub fn step(&self, key: &str) -> &StepResult {
        find_step(&self.steps, key).unwrap_or_else(|| {
            panic!(
                "job {} has no step {key:?} (steps: {:?})",
                self.id,
                self.steps
                    .iter()
                    .map(|s| s.id.clone().unwrap_or_else(|| s.name.clone()))
                    .collect::<Vec<_>>()
            )
        })
    }

    pub fn output(&self, key: &str) -> &str {
        self.outputs.get(key).map_or_else(
            || panic!("job {} has no output `{key}` ({:?})", self.id, self.outputs),
            String::as_str,
        )
    }
}

/// A whole run.
#[derive(Debug, Clone)]
pub struct RunResult {
    pub workflow: String,
    pub file: PathBuf,
    pub run_name: String,
    pub event_name: String,
    pub run_id: u64,
    pub run_number: u64,
    pub run_attempt: u32,
    pub sha: String,
    pub git_ref: String,
    /// The `inputs` context (typed: booleans are booleans).
    pub inputs: serde_json::Value,
    pub concurrency: Option<(String, bool)>,
    pub conclusion: Conclusion,
    /// Jobs in the order they ran (skipped ones included).
    pub jobs: Vec<JobResult>,
}

impl RunResult {
    pub fn job(&self, id: &str) -> &JobResult {
        self.jobs.iter().find(|j| j.id == id).unwrap_or_else(|| {
            panic!(
                "no job {id:?} in this run ({:?})\n{}",
                self.jobs.iter().map(|j| &j.id).collect::<Vec<_>>(),
                self.trace()
            )
        })
    }

    pub fn succeeded(&self) -> bool {
        self.conclusion == Conclusion::Success
    }

    /// Panics with the whole trace unless the run succeeded.
    pub fn assert_success(&self) {
        assert!(
            self.succeeded(),
            "run of {} concluded {}\n{}",
            self.file.display(),
            self.conclusion,
            self.trace()
        );
    }

    /// Every job and step with its result, outputs, annotations and log.
    pub fn trace(&self) -> String {
        let mut out = format!(
            "== {} ({}) run {} #{}: {}\n",
            self.workflow, self.event_name, self.run_id, self.run_number, self.conclusion
        );
        for job in &self.jobs {
            out.push_str(&format!(
                "-- job {} ({}): {}\n",
                job.id, job.name, job.result
            ));
            if !job.outputs.is_empty() {
                out.push_str(&format!("   outputs: {:?}\n", job.outputs));
            }
            for step in &job.steps {
                trace_step(step, 1, &mut out);
            }
        }
        out
    }
}

fn trace_step(step: &StepResult, depth: usize, out: &mut String) {
    let pad = "   ".repeat(depth);
    out.push_str(&format!(
        "{pad}step {}{}: outcome {}, conclusion {}{}\n",
        step.name,
        step.id
            .as_ref()
            .map(|i| format!(" (id {i})"))
            .unwrap_or_default(),
        step.outcome,
        step.conclusion,
        step.exit_code
            .map(|c| format!(", exit {c}"))
            .unwrap_or_default()
    ));
    if !step.outputs.is_empty() {
        out.push_str(&format!("{pad}  outputs: {:?}\n", step.outputs));
    }
    for a in &step.annotations {
        out.push_str(&format!("{pad}  {:?}: {}\n", a.level, a.message));
    }
    for line in step.log.lines() {
        out.push_str(&format!("{pad}  | {line}\n"));
    }
    for s in &step.steps {
        trace_step(s, depth + 1, out);
    }
}

/// What triggers a run.
#[derive(Debug, Clone)]
pub struct Event {
    pub(crate) name: String,
    pub(crate) git_ref: String,
    pub(crate) sha: Option<String>,
    pub(crate) inputs: Vec<(String, String)>,
    pub(crate) payload: serde_json::Value,
    pub(crate) changed_files: Option<Vec<String>>,
    pub(crate) actor: Option<String>,
    pub(crate) action: Option<String>,
    pub(crate) head_ref: String,
    pub(crate) base_ref: String,
    pub(crate) attempt: u32,
}

fn full_ref(branch_or_ref: &str) -> String {
    if branch_or_ref.starts_with("refs/") {
        branch_or_ref.to_owned()
    } else {
        format!("refs/heads/{branch_or_ref}")
    }
}

impl Event {
    fn base(name: &str, git_ref: String) -> Self {
        Self {
            name: name.into(),
            git_ref,
            sha: None,
            inputs: Vec::new(),
            payload: serde_json::json!({}),
            changed_files: None,
            actor: None,
            action: None,
            head_ref: String::new(),
            base_ref: String::new(),
            attempt: 1,
        }
    }

    /// A push to a branch (`main`) or a full ref (`refs/tags/v1.0.0`).
    pub fn push(branch_or_ref: &str) -> Self {
        Self::base("push", full_ref(branch_or_ref))
    }

    /// A manual run on a branch; add inputs with [`Event::input`] (strings,
    /// as the API and UI send them).
    pub fn workflow_dispatch(branch_or_ref: &str) -> Self {
        Self::base("workflow_dispatch", full_ref(branch_or_ref))
    }

    /// A pull request event: `action` (`opened`, `synchronize`, …), the PR
    /// number, its head branch and base branch. `GITHUB_REF` is
    /// `refs/pull/N/merge`; set the merge commit with [`Event::sha`].
    pub fn pull_request(action: &str, number: u64, head: &str, base: &str) -> Self {
        let mut e = Self::base("pull_request", format!("refs/pull/{number}/merge"));
        e.action = Some(action.into());
        e.head_ref = head.into();
        e.base_ref = base.into();
        e.payload = serde_json::json!({
            "number": number,
            "pull_request": {
                "number": number,
                "title": "",
                "labels": [],
                "head": {"ref": head},
                "base": {"ref": base},
            }
        });
        e
    }

    /// A merge queue run for a base branch.
    pub fn merge_group(base: &str) -> Self {
        let mut e = Self::base(
            "merge_group",
            format!(
                "refs/heads/gh-readonly-queue/{base}/pr-1-0000000000000000000000000000000000000000"
            ),
        );
        e.action = Some("checks_requested".into());
        e.base_ref = base.into();
        e.payload = serde_json::json!({
            "merge_group": {"base_ref": full_ref(base), "head_ref": ""}
        });
        e
    }

    pub fn input(mut self, name: &str, value: &str) -> Self {
        self.inputs.push((name.into(), value.into()));
        self
    }

    pub fn sha(mut self, sha: &str) -> Self {
        self.sha = Some(sha.into());
        self
    }

    pub fn actor(mut self, actor: &str) -> Self {
        self.actor = Some(actor.into());
        self
    }

    /// A pull request's title (payload `pull_request.title`).
    pub fn title(mut self, title: &str) -> Self {
        self.payload["pull_request"]["title"] = title.into();
        self
    }

    /// Adds a label to the pull request payload.
    pub fn label(mut self, name: &str) -> Self {
        if let Some(labels) = self.payload["pull_request"]["labels"].as_array_mut() {
            labels.push(serde_json::json!({"name": name}));
        }
        self
    }

    /// Files the event changed, for `paths:` filters.
    pub fn changed_files(mut self, files: &[&str]) -> Self {
        self.changed_files = Some(files.iter().map(|s| (*s).to_owned()).collect());
        self
    }

    /// Merges extra fields into the event payload (`GITHUB_EVENT_PATH`,
    /// `github.event`).
    pub fn payload(mut self, extra: serde_json::Value) -> Self {
        merge_json(&mut self.payload, extra);
        self
    }

    /// The run attempt (`GITHUB_RUN_ATTEMPT`), 1 by default.
    pub fn attempt(mut self, attempt: u32) -> Self {
        self.attempt = attempt;
        self
    }
}

fn merge_json(base: &mut serde_json::Value, extra: serde_json::Value) {
    match (base, extra) {
        (serde_json::Value::Object(b), serde_json::Value::Object(e)) => {
            for (k, v) in e {
                merge_json(b.entry(k).or_insert(serde_json::Value::Null), v);
            }
        }
        (slot, v) => *slot = v,
    }
}

/// What the token provider learns about a job's `GITHUB_TOKEN`.
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub run_id: u64,
    pub job: String,
    /// `None`: the repository's default permissions.
    pub permissions: Option<Permissions>,
}

type TokenProvider = dyn Fn(&TokenRequest) -> String;

/// The harness: a fake GitHub (repository, secrets, variables, artifact
/// store, remote actions) around a fake runner. One per test.
pub struct Harness {
    pub(crate) root: tempfile::TempDir,
    pub(crate) repository: String,
    pub(crate) remotes: BTreeMap<String, PathBuf>,
    pub(crate) secrets: BTreeMap<String, String>,
    pub(crate) vars: BTreeMap<String, String>,
    pub(crate) env_secrets: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) env_vars: BTreeMap<String, BTreeMap<String, String>>,
    pub(crate) runner_env: BTreeMap<String, String>,
    pub(crate) stubs: BTreeMap<String, Arc<dyn ActionStub>>,
    pub(crate) artifacts: ArtifactStore,
    pub(crate) next_run_id: u64,
    pub(crate) run_numbers: BTreeMap<PathBuf, u64>,
    pub(crate) server_url: String,
    pub(crate) api_url: String,
    pub(crate) graphql_url: String,
    pub(crate) actor: String,
    pub(crate) allow_unpinned: bool,
    pub(crate) step_limit: Duration,
    pub(crate) token_provider: Option<Box<TokenProvider>>,
    pub(crate) seed: Option<PathBuf>,
}

impl Default for Harness {
    fn default() -> Self {
        Self::new()
    }
}

impl Harness {
    pub fn new() -> Self {
        let root = tempfile::Builder::new()
            .prefix("shipgate-harness-")
            .tempdir()
            .expect("create the harness folder");
        let artifacts = ArtifactStore::new(root.path().join("artifacts"));
        let mut runner_env = BTreeMap::new();
        // The machine's environment a hosted runner would have: PATH and
        // the toolchains; HOME is per job (see exec).
        let host_home = std::env::var("HOME").unwrap_or_default();
        runner_env.insert(
            "PATH".into(),
            std::env::var("PATH").unwrap_or_else(|_| "/usr/local/bin:/usr/bin:/bin".into()),
        );
        runner_env.insert(
            "CARGO_HOME".into(),
            std::env::var("CARGO_HOME").unwrap_or_else(|_| format!("{host_home}/.cargo")),
        );
        runner_env.insert(
            "RUSTUP_HOME".into(),
            std::env::var("RUSTUP_HOME").unwrap_or_else(|_| format!("{host_home}/.rustup")),
        );
        runner_env.insert("LANG".into(), "C.UTF-8".into());
        Self {
            root,
            repository: "octo-org/shipgate-demo".into(),
            remotes: BTreeMap::new(),
            secrets: BTreeMap::new(),
            vars: BTreeMap::new(),
            env_secrets: BTreeMap::new(),
            env_vars: BTreeMap::new(),
            runner_env,
            stubs: BTreeMap::new(),
            artifacts,
            next_run_id: 9_000_000_001,
            run_numbers: BTreeMap::new(),
            server_url: "https://github.com".into(),
            api_url: "https://api.github.com".into(),
            graphql_url: "https://api.github.com/graphql".into(),
            actor: "octocat".into(),
            allow_unpinned: false,
            step_limit: Duration::from_secs(600),
            token_provider: None,
            seed: None,
        }
    }

    /// The harness's own folder (runs, artifacts); removed on drop.
    pub fn root(&self) -> &Path {
        self.root.path()
    }

    /// `GITHUB_REPOSITORY` (`owner/name`).
    pub fn repository(&mut self, owner_repo: &str) -> &mut Self {
        self.repository = owner_repo.into();
        self
    }

    /// A local git folder (bare or not) that `actions/checkout` clones for
    /// `owner/repo`; also used to resolve an event's sha.
    pub fn remote(&mut self, owner_repo: &str, git_dir: impl AsRef<Path>) -> &mut Self {
        self.remotes
            .insert(owner_repo.into(), git_dir.as_ref().to_path_buf());
        self
    }

    /// A repository secret (`secrets.NAME`); masked in every log.
    pub fn secret(&mut self, name: &str, value: &str) -> &mut Self {
        self.secrets.insert(name.into(), value.into());
        self
    }

    /// A repository variable (`vars.NAME`).
    pub fn var(&mut self, name: &str, value: &str) -> &mut Self {
        self.vars.insert(name.into(), value.into());
        self
    }

    /// A secret of a deployment environment (wins over the repository's).
    pub fn environment_secret(&mut self, environment: &str, name: &str, value: &str) -> &mut Self {
        self.env_secrets
            .entry(environment.into())
            .or_default()
            .insert(name.into(), value.into());
        self
    }

    pub fn environment_var(&mut self, environment: &str, name: &str, value: &str) -> &mut Self {
        self.env_vars
            .entry(environment.into())
            .or_default()
            .insert(name.into(), value.into());
        self
    }

    /// A variable of the runner machine's environment (every step sees it
    /// unless the workflow overrides it), e.g. `SHIPGATE_BIN_DIR`.
    pub fn runner_env(&mut self, name: &str, value: impl AsRef<std::ffi::OsStr>) -> &mut Self {
        self.runner_env
            .insert(name.into(), value.as_ref().to_string_lossy().into_owned());
        self
    }

    /// `GITHUB_SERVER_URL`, `GITHUB_API_URL`, `GITHUB_GRAPHQL_URL` (e.g. a
    /// local stand-in on 127.0.0.1).
    pub fn urls(&mut self, server: &str, api: &str, graphql: &str) -> &mut Self {
        self.server_url = server.trim_end_matches('/').into();
        self.api_url = api.trim_end_matches('/').into();
        self.graphql_url = graphql.into();
        self
    }

    /// `GITHUB_ACTOR` for events that do not set their own.
    pub fn actor(&mut self, actor: &str) -> &mut Self {
        self.actor = actor.into();
        self
    }

    /// Registers a stub for a remote action (`owner/repo` or
    /// `owner/repo/path`, without `@ref`).
    pub fn stub(&mut self, action: &str, stub: impl ActionStub + 'static) -> &mut Self {
        self.stubs
            .insert(action.to_ascii_lowercase(), Arc::new(stub));
        self
    }

    /// `actions/checkout`, `actions/upload-artifact`,
    /// `actions/download-artifact`.
    pub fn standard_stubs(&mut self) -> &mut Self {
        self.stub("actions/checkout", Checkout)
            .stub("actions/upload-artifact", UploadArtifact)
            .stub("actions/download-artifact", DownloadArtifact)
    }

    /// Accepts remote actions pinned to a tag or branch (refused by
    /// default: shipgate pins third-party actions to full commit SHAs).
    pub fn allow_unpinned_actions(&mut self) -> &mut Self {
        self.allow_unpinned = true;
        self
    }

    /// The longest a single step may run before the harness gives up (a
    /// safety net for hung tests; the workflow's own `timeout-minutes` are
    /// honoured separately). Default 10 minutes.
    pub fn step_limit(&mut self, limit: Duration) -> &mut Self {
        self.step_limit = limit;
        self
    }

    /// Chooses each job's `GITHUB_TOKEN` (e.g. one registered with a local
    /// API stand-in with the job's permissions). Default: a random
    /// `ghs_…` string.
    pub fn token_provider(&mut self, f: impl Fn(&TokenRequest) -> String + 'static) -> &mut Self {
        self.token_provider = Some(Box::new(f));
        self
    }

    /// Copies this folder into every job's workspace before its first step
    /// (as if checkout had run) — for tests of local actions without git.
    pub fn seed_workspace(&mut self, dir: impl AsRef<Path>) -> &mut Self {
        self.seed = Some(dir.as_ref().to_path_buf());
        self
    }

    pub fn artifacts(&self) -> &ArtifactStore {
        &self.artifacts
    }

    /// Runs a workflow file for an event.
    pub fn run(&mut self, workflow: impl AsRef<Path>, event: Event) -> Result<RunResult, Refusal> {
        exec::run(self, workflow.as_ref(), event)
    }

    /// Runs workflow text (written to a file under the harness folder).
    pub fn run_yaml(&mut self, yaml: &str, event: Event) -> Result<RunResult, Refusal> {
        // Same text, same file: run numbers count per workflow file.
        use std::hash::{Hash, Hasher};
        let mut hasher = std::hash::DefaultHasher::new();
        yaml.hash(&mut hasher);
        let dir = self.root.path().join("inline");
        std::fs::create_dir_all(&dir).map_err(|e| Refusal::new(e.to_string()))?;
        let file = dir.join(format!("workflow-{:016x}.yml", hasher.finish()));
        std::fs::write(&file, yaml).map_err(|e| Refusal::new(e.to_string()))?;
        self.run(file, event)
    }
}
