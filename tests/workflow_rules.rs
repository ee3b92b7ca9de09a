//! What nektos/act cannot check (tests/e2e.rs runs the workflows under it):
//! act ignores `permissions:`, `environment:` and `concurrency:` and gives
//! every job one token. These checks read the YAML (serde-saphyr, no
//! execution):
//!
//! - every key is one GitHub documents for its place (unknown keys refused);
//! - `permissions: {}` at the top; every job of the pipeline workflows, the
//!   templates and ci.yml grants exactly what its steps need, by the table in
//!   [`needs`] (what each shipgate command needs, as the action READMEs say);
//! - a job that records deployments (`tag-gate record`) runs in an
//!   `environment:` and queues on a job-level `concurrency:` group naming it,
//!   never cancelled; a job that records none has no `environment:`;
//! - a `with:` key of a shipgate action is one of its inputs, and a
//!   `steps.ID.outputs.NAME` of a shipgate action step is one of its outputs.

use serde::Deserialize;
use serde_json::Value;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
#[allow(dead_code)] // read by serde: the keys a workflow may have
struct Workflow {
    name: Option<String>,
    #[serde(rename = "run-name")]
    run_name: Option<String>,
    on: Value,
    permissions: Option<Value>,
    env: Option<BTreeMap<String, Value>>,
    defaults: Option<Value>,
    concurrency: Option<Value>,
    jobs: BTreeMap<String, Job>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[allow(dead_code)]
struct Job {
    name: Option<String>,
    runs_on: Value,
    timeout_minutes: Option<Value>,
    permissions: Option<BTreeMap<String, String>>,
    needs: Option<Value>,
    #[serde(rename = "if")]
    if_: Option<Value>,
    outputs: Option<BTreeMap<String, String>>,
    environment: Option<Value>,
    concurrency: Option<Value>,
    env: Option<BTreeMap<String, Value>>,
    defaults: Option<Value>,
    strategy: Option<Value>,
    continue_on_error: Option<Value>,
    steps: Vec<Step>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
#[allow(dead_code)]
struct Step {
    id: Option<String>,
    name: Option<String>,
    uses: Option<String>,
    with: Option<BTreeMap<String, Value>>,
    run: Option<String>,
    shell: Option<String>,
    env: Option<BTreeMap<String, Value>>,
    #[serde(rename = "if")]
    if_: Option<Value>,
    continue_on_error: Option<Value>,
    working_directory: Option<String>,
    timeout_minutes: Option<Value>,
}

#[derive(Debug, Deserialize)]
struct Action {
    #[serde(default)]
    inputs: BTreeMap<String, Value>,
    #[serde(default)]
    outputs: BTreeMap<String, Value>,
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn yaml_files(dir: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join(dir))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
}

fn workflow(path: &Path) -> Workflow {
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The shipgate action a `uses:` names (`tag-gate`, `setup` for the root
/// action), local (`./actions/X`) or as the templates spell it
/// (`OWNER/shipgate/actions/X@v1`).
fn shipgate_action(uses: &str) -> Option<String> {
    let path = uses
        .strip_prefix("./shipgate")
        .or_else(|| uses.strip_prefix('.'))
        .or_else(|| {
            uses.strip_prefix("OWNER/shipgate")
                .map(|r| r.split('@').next().unwrap_or(""))
        })?;
    match path.trim_end_matches('/') {
        "" => Some("setup".into()),
        p => p.strip_prefix("/actions/").map(str::to_owned),
    }
}

fn action_yml(name: &str) -> Action {
    let path = if name == "setup" {
        root().join("action.yml")
    } else {
        root().join("actions").join(name).join("action.yml")
    };
    serde_saphyr::from_str(&std::fs::read_to_string(&path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn with<'a>(step: &'a Step, key: &str) -> &'a str {
    step.with
        .as_ref()
        .and_then(|w| w.get(key))
        .and_then(Value::as_str)
        .unwrap_or("")
}

/// What one step needs of the job's token: (scope, level).
fn needs(step: &Step) -> Vec<(&'static str, &'static str)> {
    const READ: &str = "read";
    const WRITE: &str = "write";
    let uses = step.uses.as_deref().unwrap_or("");
    if uses.starts_with("actions/checkout@") {
        return vec![("contents", READ)];
    }
    if uses.starts_with("actions/download-artifact@") {
        // another run's artifacts go through the REST API
        return if with(step, "run-id").is_empty() {
            vec![]
        } else {
            vec![("actions", READ)]
        };
    }
    if uses.starts_with("docker/build-push-action@") {
        // pushes the image to the registry (GHCR: the job's token)
        return vec![("packages", WRITE)];
    }
    if let Some(action) = shipgate_action(uses) {
        // moving or reading the registry's tags with the job's token (GHCR)
        let registry = if with(step, "retag") == "true" || with(step, "command") == "retag" {
            vec![("packages", WRITE)]
        } else if !with(step, "image").is_empty() {
            vec![("packages", READ)]
        } else {
            vec![]
        };
        let git_or_api = match action.as_str() {
            "tag-gate" if with(step, "backend") == "git" => vec![],
            // actions/tag-gate/README.md, "Permissions" (the api backend)
            "tag-gate" => match with(step, "command") {
                // a tag and its record; promote honours revocations
                "create" | "promote" => vec![("contents", WRITE), ("deployments", READ)],
                "record" | "revoke" => vec![("deployments", WRITE)],
                // tags, and revocations (deployment events)
                "require" | "latest" | "list" => vec![("contents", READ), ("deployments", READ)],
                "show" => vec![("contents", READ)],
                "current" | "previous" | "history" => vec![("deployments", READ)],
                // reads STAGE-V (and with `previous`, the deployments); the
                // registry's permission (packages) is the image step's
                "retag" => vec![("contents", READ), ("deployments", READ)],
                other => panic!("tag-gate command {other:?} is not in the table"),
            },
            // a given title is checked without the API
            "semantic-pr" if !with(step, "title").is_empty() => vec![],
            "semantic-pr" => vec![("pull-requests", READ)],
            "semantic-bump" => vec![("contents", READ)],
            _ => vec![],
        };
        return [git_or_api, registry].concat();
    }
    // scripts that call the API with the job's token
    let token = step
        .env
        .iter()
        .flatten()
        .any(|(_, v)| v.as_str().is_some_and(|v| v.contains("github.token")));
    let run = step.run.as_deref().unwrap_or("");
    let mut out = Vec::new();
    if token && run.contains("/releases") {
        out.push(("contents", WRITE));
    }
    if token && run.contains("/environments/") {
        out.push(("actions", READ));
    }
    out
}

fn required(job: &Job) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for step in &job.steps {
        for (scope, level) in needs(step) {
            let entry = out.entry(scope.into()).or_insert_with(|| level.into());
            if level == "write" {
                *entry = level.into();
            }
        }
    }
    out
}

/// The workflows whose jobs must grant exactly what the table says.
fn checked_workflows() -> Vec<PathBuf> {
    let mut files = yaml_files("examples/workflows");
    files.extend(
        yaml_files(".github/workflows")
            .into_iter()
            .filter(|p| !p.ends_with("release.yml")),
    );
    files
}

#[test]
fn every_workflow_parses_with_known_keys_only_and_no_top_level_grant() {
    let mut files = yaml_files(".github/workflows");
    files.extend(yaml_files("examples/workflows"));
    for path in files {
        let wf = workflow(&path);
        assert_eq!(
            wf.permissions,
            Some(serde_json::json!({})),
            "{}: `permissions: {{}}` at the top, granted per job",
            path.display()
        );
    }
}

#[test]
fn unknown_keys_are_refused() {
    let text = "on: push\njobs:\n  a:\n    runs-on: x\n    enviroment: qa\n    steps: []\n";
    let err = serde_saphyr::from_str::<Workflow>(text)
        .unwrap_err()
        .to_string();
    assert!(err.contains("enviroment"), "{err}");
}

#[test]
fn every_job_grants_exactly_what_its_steps_need() {
    let mut wrong = Vec::new();
    for path in checked_workflows() {
        for (id, job) in workflow(&path).jobs {
            let granted = job.permissions.clone().unwrap_or_default();
            let needed = required(&job);
            if granted != needed {
                wrong.push(format!(
                    "{} job {id}: grants {granted:?}, its steps need {needed:?}",
                    path.display()
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_table_catches_a_missing_grant() {
    let text = "steps:\n  - uses: ./actions/tag-gate\n    with: { command: require }\n  - uses: ./actions/tag-gate\n    with: { command: record }\nruns-on: x\n";
    let job: Job = serde_saphyr::from_str(text).unwrap();
    let needed = required(&job);
    assert_eq!(needed.get("deployments").map(String::as_str), Some("write"));
    assert_eq!(needed.get("contents").map(String::as_str), Some("read"));
}

#[test]
fn deploying_jobs_run_in_an_environment_and_queue() {
    let mut wrong = Vec::new();
    for path in checked_workflows() {
        for (id, job) in workflow(&path).jobs {
            let deploys = job.steps.iter().any(|s| {
                s.uses.as_deref().and_then(shipgate_action).as_deref() == Some("tag-gate")
                    && with(s, "command") == "record"
                    && with(s, "backend") != "git"
            });
            let where_ = format!("{} job {id}", path.display());
            match (&job.environment, deploys) {
                (None, false) => {}
                (Some(_), false) => wrong.push(format!(
                    "{where_}: an environment, but no deployment recorded"
                )),
                (None, true) => wrong.push(format!(
                    "{where_}: records deployments outside an environment"
                )),
                (Some(env), true) => {
                    let name = env
                        .get("name")
                        .or(Some(env))
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    let group = job
                        .concurrency
                        .as_ref()
                        .and_then(|c| c.get("group"))
                        .and_then(Value::as_str)
                        .unwrap_or("");
                    let cancel = job
                        .concurrency
                        .as_ref()
                        .and_then(|c| c.get("cancel-in-progress"));
                    if !group.contains(name) || name.is_empty() {
                        wrong.push(format!("{where_}: concurrency group {group:?} does not name environment {name:?}"));
                    }
                    if cancel != Some(&Value::Bool(false)) {
                        wrong.push(format!("{where_}: a deploy must never be cancelled (cancel-in-progress: false), got {cancel:?}"));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn shipgate_action_inputs_and_outputs_exist() {
    let mut wrong = Vec::new();
    let output_ref =
        regex::Regex::new(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)").unwrap();
    for path in checked_workflows() {
        let text = std::fs::read_to_string(&path).unwrap();
        for (id, job) in workflow(&path).jobs {
            let mut by_step = BTreeMap::new();
            for step in &job.steps {
                let Some(name) = step.uses.as_deref().and_then(shipgate_action) else {
                    continue;
                };
                let action = action_yml(&name);
                for key in step.with.iter().flatten().map(|(k, _)| k) {
                    if !action.inputs.contains_key(key) {
                        wrong.push(format!(
                            "{} job {id}: {name} has no input {key:?}",
                            path.display()
                        ));
                    }
                }
                if let Some(sid) = &step.id {
                    by_step.insert(sid.clone(), (name, action.outputs));
                }
            }
            // references inside this job's YAML text
            let job_text = serde_json::to_string(&job_value(&text, &id)).unwrap();
            for cap in output_ref.captures_iter(&job_text) {
                if let Some((name, outputs)) = by_step.get(&cap[1])
                    && !outputs.contains_key(&cap[2])
                {
                    wrong.push(format!(
                        "{} job {id}: steps.{}.outputs.{} — {name} has no such output",
                        path.display(),
                        &cap[1],
                        &cap[2]
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

fn job_value(text: &str, id: &str) -> Value {
    let all: Value = serde_saphyr::from_str(text).unwrap();
    all["jobs"][id].clone()
}

/// `needs.JOB.outputs.NAME` names an output JOB declares (act and GitHub
/// both read a misspelt one as an empty string).
#[test]
fn job_outputs_read_through_needs_exist() {
    let needs_ref =
        regex::Regex::new(r"needs\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)").unwrap();
    let mut wrong = Vec::new();
    for path in checked_workflows() {
        let text = std::fs::read_to_string(&path).unwrap();
        let wf = workflow(&path);
        for cap in needs_ref.captures_iter(&text) {
            let declared = wf
                .jobs
                .get(&cap[1])
                .and_then(|j| j.outputs.as_ref())
                .is_some_and(|o| o.contains_key(&cap[2]));
            if !declared {
                wrong.push(format!(
                    "{}: needs.{}.outputs.{} is not declared",
                    path.display(),
                    &cap[1],
                    &cap[2]
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}
