//! Running a workflow: triggers and inputs, static checks, jobs in `needs`
//! order, steps (`run:`, local composite actions, stubbed remote actions),
//! runner files, contexts and status functions.

use super::commands::{self, Annotation, Level, Masker};
use super::expr::{self, Ast, Contexts, Ctx, EvalError, Scope, Status, Template, Value};
use super::model::{self, Action, Job, Permissions, Step, StepBody, Workflow};
use super::stubs::{GithubInfo, StubContext, StubError};
use super::{
    Conclusion, EnvironmentRef, Event, Harness, JobResult, Refusal, RunResult, StepResult,
    TokenRequest, files, glob,
};
use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn refuse(message: impl Into<String>) -> Refusal {
    Refusal::new(message)
}

// ------------------------------------------------------------ scopes

const WORKFLOW_ENV: &[Ctx] = &[Ctx::Github, Ctx::Secrets, Ctx::Inputs, Ctx::Vars];
const RUN_NAME: &[Ctx] = &[Ctx::Github, Ctx::Inputs, Ctx::Vars];
const JOB_IF: &[Ctx] = &[Ctx::Github, Ctx::Needs, Ctx::Vars, Ctx::Inputs];
const JOB_ENV: &[Ctx] = &[
    Ctx::Github,
    Ctx::Needs,
    Ctx::Vars,
    Ctx::Secrets,
    Ctx::Inputs,
];
const JOB_OUTPUTS: &[Ctx] = &[
    Ctx::Github,
    Ctx::Needs,
    Ctx::Job,
    Ctx::Runner,
    Ctx::Env,
    Ctx::Vars,
    Ctx::Secrets,
    Ctx::Steps,
    Ctx::Inputs,
];
const STEP_IF: &[Ctx] = &[
    Ctx::Github,
    Ctx::Needs,
    Ctx::Job,
    Ctx::Runner,
    Ctx::Env,
    Ctx::Vars,
    Ctx::Steps,
    Ctx::Inputs,
];
const STEP_OTHER: &[Ctx] = JOB_OUTPUTS;
/// Composite actions never see secrets.
const COMPOSITE: &[Ctx] = STEP_IF;
const ACTION_DEFAULTS: &[Ctx] = &[
    Ctx::Github,
    Ctx::Needs,
    Ctx::Job,
    Ctx::Runner,
    Ctx::Env,
    Ctx::Vars,
];

fn lower_set<'a>(items: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    items.into_iter().map(|s| s.to_ascii_lowercase()).collect()
}

struct ScopeBase {
    steps: BTreeSet<String>,
    needs: BTreeSet<String>,
    inputs: BTreeSet<String>,
}

impl ScopeBase {
    fn scope(&self, location: String, contexts: &[Ctx], status: bool) -> Scope {
        Scope {
            location,
            contexts: contexts.to_vec(),
            status_functions: status,
            steps: self.steps.clone(),
            needs: self.needs.clone(),
            inputs: self.inputs.clone(),
        }
    }

    fn template(&self, text: &str, location: String, contexts: &[Ctx]) -> Result<(), Refusal> {
        expr::check_template(text, &self.scope(location, contexts, false))
            .map(|_| ())
            .map_err(refuse)
    }

    fn condition(&self, text: &str, location: String, contexts: &[Ctx]) -> Result<(), Refusal> {
        let ast = expr::condition(text).map_err(|m| refuse(format!("{location}: {m}")))?;
        expr::check(&ast, &self.scope(location, contexts, true)).map_err(refuse)
    }
}

/// Checks every expression of the workflow where it stands, before
/// anything runs (GitHub validates the file up front too).
fn validate_workflow(wf: &Workflow) -> Result<(), Refusal> {
    let inputs = lower_set(wf.on.dispatch_inputs.iter().map(|i| &i.name));
    let top = ScopeBase {
        steps: BTreeSet::new(),
        needs: BTreeSet::new(),
        inputs: inputs.clone(),
    };
    for (k, v) in &wf.env {
        top.template(v, format!("env.{k}"), WORKFLOW_ENV)?;
    }
    if let Some(r) = &wf.run_name {
        top.template(r, "run-name".into(), RUN_NAME)?;
    }
    if let Some(c) = &wf.concurrency {
        top.template(&c.group, "concurrency.group".into(), RUN_NAME)?;
        top.template(
            &c.cancel_in_progress,
            "concurrency.cancel-in-progress".into(),
            RUN_NAME,
        )?;
    }
    for job in &wf.jobs {
        let base = ScopeBase {
            steps: lower_set(job.steps.iter().filter_map(|s| s.id.as_ref())),
            needs: lower_set(&job.needs),
            inputs: inputs.clone(),
        };
        let at = |k: &str| format!("jobs.{}.{k}", job.id);
        if let Some(c) = &job.if_ {
            base.condition(c, at("if"), JOB_IF)?;
        }
        if let Some(n) = &job.name {
            base.template(n, at("name"), JOB_IF)?;
        }
        if let Some(e) = &job.environment {
            base.template(&e.name, at("environment.name"), JOB_IF)?;
            if let Some(u) = &e.url {
                base.template(u, at("environment.url"), STEP_IF)?;
            }
        }
        if let Some(c) = &job.concurrency {
            base.template(&c.group, at("concurrency.group"), JOB_IF)?;
            base.template(
                &c.cancel_in_progress,
                at("concurrency.cancel-in-progress"),
                JOB_IF,
            )?;
        }
        if let Some(t) = &job.timeout_minutes {
            base.template(t, at("timeout-minutes"), JOB_IF)?;
        }
        if let Some(d) = &job.defaults.working_directory {
            base.template(d, at("defaults.run.working-directory"), JOB_IF)?;
        }
        for (k, v) in &job.env {
            base.template(v, at(&format!("env.{k}")), JOB_ENV)?;
        }
        for (k, v) in &job.outputs {
            base.template(v, at(&format!("outputs.{k}")), JOB_OUTPUTS)?;
        }
        for step in &job.steps {
            validate_step(&base, step, STEP_IF, STEP_OTHER)?;
        }
    }
    Ok(())
}

fn validate_step(
    base: &ScopeBase,
    step: &Step,
    if_ctx: &[Ctx],
    other: &[Ctx],
) -> Result<(), Refusal> {
    let at = |k: &str| format!("{}.{k}", step.location);
    if let Some(c) = &step.if_ {
        base.condition(c, at("if"), if_ctx)?;
    }
    for (key, value) in [
        ("name", &step.name),
        ("continue-on-error", &step.continue_on_error),
        ("timeout-minutes", &step.timeout_minutes),
    ] {
        if let Some(v) = value {
            base.template(v, at(key), other)?;
        }
    }
    for (k, v) in &step.env {
        base.template(v, at(&format!("env.{k}")), other)?;
    }
    match &step.body {
        StepBody::Run {
            script,
            working_directory,
            ..
        } => {
            base.template(script, at("run"), other)?;
            if let Some(w) = working_directory {
                base.template(w, at("working-directory"), other)?;
            }
        }
        StepBody::Uses { with, .. } => {
            for (k, v) in with {
                base.template(v, at(&format!("with.{k}")), other)?;
            }
        }
    }
    Ok(())
}

fn validate_action(action: &Action, job_needs: &BTreeSet<String>) -> Result<(), Refusal> {
    let wrap = |r: Refusal| refuse(format!("{}: {}", action.file.display(), r.message));
    let base = ScopeBase {
        steps: lower_set(action.steps.iter().filter_map(|s| s.id.as_ref())),
        needs: job_needs.clone(),
        inputs: lower_set(action.inputs.iter().map(|i| &i.name)),
    };
    for input in &action.inputs {
        if let Some(d) = &input.default {
            base.template(d, format!("inputs.{}.default", input.name), ACTION_DEFAULTS)
                .map_err(wrap)?;
        }
    }
    for (k, v) in &action.outputs {
        base.template(v, format!("outputs.{k}.value"), COMPOSITE)
            .map_err(wrap)?;
    }
    for step in &action.steps {
        validate_step(&base, step, COMPOSITE, COMPOSITE).map_err(wrap)?;
    }
    Ok(())
}

// ------------------------------------------------------------ triggers

fn string_list(node: &super::yaml::Node, path: &str) -> Result<Vec<String>, Refusal> {
    super::yaml::At::new(node, path)
        .string_or_list()
        .map_err(refuse)
}

fn check_trigger(wf: &Workflow, event: &Event) -> Result<(), Refusal> {
    let file = wf.file.display();
    let Some(config) = wf.on.get(&event.name) else {
        return Err(refuse(format!(
            "{file} is not triggered by `{}` (on: {})",
            event.name,
            wf.on
                .events
                .iter()
                .map(|(e, _)| e.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        )));
    };
    let entries: &[(String, super::yaml::Node)] = match config {
        super::yaml::Node::Map(e) => e,
        _ => &[],
    };
    let list = |key: &str| -> Result<Option<Vec<String>>, Refusal> {
        super::yaml::get(entries, key)
            .map(|n| string_list(n, &format!("on.{}.{key}", event.name)))
            .transpose()
    };
    let no = |why: String| {
        Err(refuse(format!(
            "{file} would not run for this {} event: {why}",
            event.name
        )))
    };
    match event.name.as_str() {
        "workflow_dispatch" => Ok(()),
        "push" => {
            let (kind, name) = if let Some(b) = event.git_ref.strip_prefix("refs/heads/") {
                ("branches", b)
            } else if let Some(t) = event.git_ref.strip_prefix("refs/tags/") {
                ("tags", t)
            } else {
                return Err(refuse(format!(
                    "push of `{}`: expected refs/heads/… or refs/tags/…",
                    event.git_ref
                )));
            };
            let other = if kind == "branches" {
                "tags"
            } else {
                "branches"
            };
            let include = list(kind)?;
            let ignore = list(&format!("{kind}-ignore"))?;
            if include.is_some() && ignore.is_some() {
                return Err(refuse(format!(
                    "on.push: `{kind}` and `{kind}-ignore` cannot both be used"
                )));
            }
            let other_given = list(other)?.is_some() || list(&format!("{other}-ignore"))?.is_some();
            match (include, ignore) {
                (Some(p), _) if !glob::filter_matches(&p, name) => {
                    return no(format!("`{name}` is not in {kind} {p:?}"));
                }
                (_, Some(p)) if glob::filter_matches(&p, name) => {
                    return no(format!("`{name}` is in {kind}-ignore {p:?}"));
                }
                (None, None) if other_given => return no(format!("only {other} filters are set")),
                _ => {}
            }
            check_paths(entries, event, &file.to_string())
        }
        "pull_request" | "merge_group" => {
            let default_types: &[&str] = if event.name == "pull_request" {
                &["opened", "synchronize", "reopened"]
            } else {
                &["checks_requested"]
            };
            let types = list("types")?
                .unwrap_or_else(|| default_types.iter().map(|s| (*s).to_owned()).collect());
            let action = event.action.clone().unwrap_or_default();
            if !types.contains(&action) {
                return no(format!(
                    "activity type `{action}` is not in types {types:?}"
                ));
            }
            let base = event.base_ref.trim_start_matches("refs/heads/");
            if let Some(b) = list("branches")?
                && !glob::filter_matches(&b, base)
            {
                return no(format!("base branch `{base}` is not in branches {b:?}"));
            }
            if let Some(b) = list("branches-ignore")?
                && glob::filter_matches(&b, base)
            {
                return no(format!("base branch `{base}` is in branches-ignore {b:?}"));
            }
            check_paths(entries, event, &file.to_string())
        }
        other => Err(refuse(format!(
            "running `{other}` events is not supported by the workflow harness"
        ))),
    }
}

fn check_paths(
    entries: &[(String, super::yaml::Node)],
    event: &Event,
    file: &str,
) -> Result<(), Refusal> {
    let paths = super::yaml::get(entries, "paths");
    let ignore = super::yaml::get(entries, "paths-ignore");
    if paths.is_none() && ignore.is_none() {
        return Ok(());
    }
    let Some(changed) = &event.changed_files else {
        return Err(refuse(format!(
            "{file} filters on paths: give the event its changed files (Event::changed_files)"
        )));
    };
    if let Some(p) = paths {
        let p = string_list(p, "paths")?;
        if !changed.iter().any(|f| glob::filter_matches(&p, f)) {
            return Err(refuse(format!(
                "{file} would not run: no changed file matches paths {p:?}"
            )));
        }
    }
    if let Some(p) = ignore {
        let p = string_list(p, "paths-ignore")?;
        if changed.iter().all(|f| glob::filter_matches(&p, f)) {
            return Err(refuse(format!(
                "{file} would not run: every changed file matches paths-ignore {p:?}"
            )));
        }
    }
    Ok(())
}

/// The `inputs` context (typed) and `github.event.inputs` (strings).
fn dispatch_inputs(wf: &Workflow, event: &Event) -> Result<(Value, serde_json::Value), Refusal> {
    let declared = &wf.on.dispatch_inputs;
    if event.name != "workflow_dispatch" {
        if !event.inputs.is_empty() {
            return Err(refuse(
                "inputs can only be given to workflow_dispatch events",
            ));
        }
        return Ok((Value::Object(vec![]), serde_json::json!({})));
    }
    for (name, _) in &event.inputs {
        if !declared.iter().any(|d| &d.name == name) {
            return Err(refuse(format!(
                "Unexpected inputs provided: [\"{name}\"] (declared: {})",
                declared
                    .iter()
                    .map(|d| d.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        }
    }
    let mut typed = Vec::new();
    let mut strings = serde_json::Map::new();
    for d in declared {
        let given = event
            .inputs
            .iter()
            .rev()
            .find(|(n, _)| n == &d.name)
            .map(|(_, v)| v.clone());
        let value = match given.or_else(|| d.default.clone()) {
            Some(v) => v,
            None if d.required => {
                return Err(refuse(format!("Required input '{}' not provided", d.name)));
            }
            None => {
                let v = if d.kind == model::InputType::Boolean {
                    Value::Bool(false)
                } else {
                    Value::str("")
                };
                strings.insert(d.name.clone(), v.to_text().unwrap_or_default().into());
                typed.push((d.name.clone(), v));
                continue;
            }
        };
        let v = match &d.kind {
            model::InputType::String | model::InputType::Environment => {
                Value::String(value.clone())
            }
            model::InputType::Boolean => match value.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                other => {
                    return Err(refuse(format!(
                        "Provided value '{other}' for input '{}' is not a boolean (true or false)",
                        d.name
                    )));
                }
            },
            model::InputType::Number => {
                let n: f64 = value.trim().parse().map_err(|_| {
                    refuse(format!(
                        "Provided value '{value}' for input '{}' is not a number",
                        d.name
                    ))
                })?;
                Value::Number(n)
            }
            model::InputType::Choice(options) => {
                if !options.contains(&value) {
                    return Err(refuse(format!(
                        "Provided value '{value}' for input '{}' not in the list of allowed values {options:?}",
                        d.name
                    )));
                }
                Value::String(value.clone())
            }
        };
        strings.insert(d.name.clone(), value.into());
        typed.push((d.name.clone(), v));
    }
    Ok((Value::Object(typed), serde_json::Value::Object(strings)))
}

// ------------------------------------------------------------ the run

struct RunCtx<'a> {
    h: &'a Harness,
    wf: &'a Workflow,
    event: &'a Event,
    run_id: u64,
    run_number: u64,
    sha: String,
    event_json: serde_json::Value,
    event_path: PathBuf,
    run_dir: PathBuf,
    inputs: Value,
    workflow_name: String,
    workflow_ref: String,
    actor: String,
}

fn ref_name(git_ref: &str) -> String {
    git_ref
        .strip_prefix("refs/heads/")
        .or_else(|| git_ref.strip_prefix("refs/tags/"))
        .or_else(|| git_ref.strip_prefix("refs/pull/"))
        .unwrap_or(git_ref)
        .to_owned()
}

impl RunCtx<'_> {
    /// The `github` context; job-specific keys come from `job`.
    fn github(&self, job: Option<&JobState>, action: Option<(&str, Option<&Path>, bool)>) -> Value {
        let r = self;
        let owner =
            r.h.repository
                .split('/')
                .next()
                .unwrap_or_default()
                .to_owned();
        let mut pairs: Vec<(&str, Value)> = vec![
            ("actor", Value::str(&r.actor)),
            ("actor_id", Value::str("583231")),
            ("api_url", Value::str(&r.h.api_url)),
            ("base_ref", Value::str(&r.event.base_ref)),
            ("event", Value::from_json(&r.event_json)),
            ("event_name", Value::str(&r.event.name)),
            ("event_path", Value::str(r.event_path.to_string_lossy())),
            ("graphql_url", Value::str(&r.h.graphql_url)),
            ("head_ref", Value::str(&r.event.head_ref)),
            ("ref", Value::str(&r.event.git_ref)),
            ("ref_name", Value::str(ref_name(&r.event.git_ref))),
            ("ref_protected", Value::Bool(false)),
            (
                "ref_type",
                Value::str(if r.event.git_ref.starts_with("refs/tags/") {
                    "tag"
                } else {
                    "branch"
                }),
            ),
            ("repository", Value::str(&r.h.repository)),
            ("repository_id", Value::str("700000001")),
            ("repository_owner", Value::str(owner)),
            ("repository_owner_id", Value::str("9919")),
            ("retention_days", Value::str("90")),
            ("run_attempt", Value::str(r.event.attempt.to_string())),
            ("run_id", Value::str(r.run_id.to_string())),
            ("run_number", Value::str(r.run_number.to_string())),
            ("server_url", Value::str(&r.h.server_url)),
            ("sha", Value::str(&r.sha)),
            ("triggering_actor", Value::str(&r.actor)),
            ("workflow", Value::str(&r.workflow_name)),
            ("workflow_ref", Value::str(&r.workflow_ref)),
            ("workflow_sha", Value::str(&r.sha)),
        ];
        if let Some(js) = job {
            pairs.push(("job", Value::str(&js.job.id)));
            pairs.push(("token", Value::str(&js.token)));
            pairs.push(("workspace", Value::str(js.dirs.workspace.to_string_lossy())));
        }
        if let Some((id, path, failed)) = action {
            pairs.push(("action", Value::str(id)));
            if let Some(p) = path {
                pairs.push(("action_path", Value::str(p.to_string_lossy())));
                pairs.push((
                    "action_status",
                    Value::str(if failed { "failure" } else { "success" }),
                ));
            }
        }
        Value::object(pairs)
    }

    fn vars(&self, environment: Option<&str>) -> BTreeMap<String, String> {
        let mut v = self.h.vars.clone();
        if let Some(env) = environment.and_then(|e| self.h.env_vars.get(e)) {
            v.extend(env.clone());
        }
        v
    }
}

pub(super) fn run(h: &mut Harness, file: &Path, event: Event) -> Result<RunResult, Refusal> {
    let wf = model::load_workflow(file).map_err(refuse)?;
    check_trigger(&wf, &event)?;
    let (inputs, event_inputs) = dispatch_inputs(&wf, &event)?;
    validate_workflow(&wf)?;

    let sha = match &event.sha {
        Some(s) => s.clone(),
        None => resolve_sha(h, &event.git_ref)?,
    };
    let run_id = h.next_run_id;
    h.next_run_id += 1;
    let run_number = {
        let n = h.run_numbers.entry(file.to_path_buf()).or_insert(0);
        *n += 1;
        *n
    };
    let h: &Harness = h;
    let run_dir = h.root.path().join(format!("runs/{run_id}"));
    std::fs::create_dir_all(&run_dir).map_err(|e| refuse(e.to_string()))?;
    let actor = event.actor.clone().unwrap_or_else(|| h.actor.clone());
    let rel_file = workflow_rel_path(file);
    let event_json = event_payload(h, &event, &sha, &actor, &rel_file, event_inputs);
    let event_path = run_dir.join("event.json");
    std::fs::write(
        &event_path,
        serde_json::to_vec_pretty(&event_json).unwrap_or_default(),
    )
    .map_err(|e| refuse(e.to_string()))?;
    let workflow_name = wf.name.clone().unwrap_or_else(|| rel_file.clone());
    let rc = RunCtx {
        h,
        wf: &wf,
        event: &event,
        run_id,
        run_number,
        sha: sha.clone(),
        event_json,
        event_path,
        run_dir,
        inputs: inputs.clone(),
        workflow_name: workflow_name.clone(),
        workflow_ref: format!("{}/{rel_file}@{}", h.repository, event.git_ref),
        actor,
    };

    let mut top = Contexts::default();
    top.set(Ctx::Github, rc.github(None, None));
    top.set(Ctx::Inputs, inputs.clone());
    top.set(Ctx::Vars, string_object(&rc.vars(None)));
    let run_name = match &wf.run_name {
        Some(t) => render(t, &top, &BTreeSet::new(), &rc.vars(None))?,
        None => workflow_name.clone(),
    };
    let concurrency = match &wf.concurrency {
        Some(c) => Some((
            render(&c.group, &top, &BTreeSet::new(), &rc.vars(None))?,
            render(
                &c.cancel_in_progress,
                &top,
                &BTreeSet::new(),
                &rc.vars(None),
            )? == "true",
        )),
        None => None,
    };

    let order = job_order(&wf)?;
    let mut results: Vec<JobResult> = Vec::new();
    for idx in order {
        let job = &wf.jobs[idx];
        let result = run_job(&rc, job, &results)?;
        results.push(result);
    }
    let conclusion = if results.iter().any(|j| j.result == Conclusion::Failure) {
        Conclusion::Failure
    } else if results.iter().any(|j| j.result == Conclusion::Cancelled) {
        Conclusion::Cancelled
    } else {
        Conclusion::Success
    };
    Ok(RunResult {
        workflow: workflow_name,
        file: file.to_path_buf(),
        run_name,
        event_name: event.name.clone(),
        run_id,
        run_number,
        run_attempt: event.attempt,
        sha,
        git_ref: event.git_ref.clone(),
        inputs: inputs.to_json(),
        concurrency,
        conclusion,
        jobs: results,
    })
}

fn workflow_rel_path(file: &Path) -> String {
    let text = file.to_string_lossy();
    match text.find(".github/workflows/") {
        Some(i) => text[i..].to_owned(),
        None => file
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default(),
    }
}

fn resolve_sha(h: &Harness, git_ref: &str) -> Result<String, Refusal> {
    let Some(remote) = h
        .remotes
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(&h.repository))
        .map(|(_, v)| v)
    else {
        return Err(refuse(format!(
            "no sha for `{git_ref}`: give the event one (Event::sha) or register the repository's remote (Harness::remote)"
        )));
    };
    let out = Command::new("git")
        .arg("-C")
        .arg(remote)
        .args([
            "rev-parse",
            "--verify",
            "--quiet",
            &format!("{git_ref}^{{commit}}"),
        ])
        .output()
        .map_err(|e| refuse(format!("cannot run git: {e}")))?;
    if !out.status.success() {
        return Err(refuse(format!(
            "`{git_ref}` does not exist in {}; give the event a sha (Event::sha)",
            remote.display()
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
}

fn event_payload(
    h: &Harness,
    event: &Event,
    sha: &str,
    actor: &str,
    rel_file: &str,
    inputs: serde_json::Value,
) -> serde_json::Value {
    let (owner, name) = h.repository.split_once('/').unwrap_or((&h.repository, ""));
    let mut base = serde_json::json!({
        "repository": {
            "id": 700000001,
            "full_name": h.repository,
            "name": name,
            "owner": {"login": owner},
            "default_branch": "main",
            "html_url": format!("{}/{}", h.server_url, h.repository),
        },
        "sender": {"login": actor},
    });
    let specific = match event.name.as_str() {
        "push" => serde_json::json!({
            "ref": event.git_ref,
            "before": "0000000000000000000000000000000000000000",
            "after": sha,
            "head_commit": {"id": sha},
            "pusher": {"name": actor},
        }),
        "workflow_dispatch" => serde_json::json!({
            "ref": event.git_ref,
            "inputs": inputs,
            "workflow": rel_file,
        }),
        "pull_request" => serde_json::json!({
            "action": event.action,
            "pull_request": {"merge_commit_sha": sha},
        }),
        "merge_group" => serde_json::json!({
            "action": event.action,
            "merge_group": {"head_sha": sha, "head_ref": event.git_ref},
        }),
        _ => serde_json::json!({}),
    };
    super::merge_json(&mut base, specific);
    super::merge_json(&mut base, event.payload.clone());
    base
}

/// Jobs in `needs` order; among jobs that are ready, file order.
fn job_order(wf: &Workflow) -> Result<Vec<usize>, Refusal> {
    let mut done: Vec<usize> = Vec::new();
    while done.len() < wf.jobs.len() {
        let next = wf.jobs.iter().enumerate().find(|(i, j)| {
            !done.contains(i)
                && j.needs
                    .iter()
                    .all(|n| done.iter().any(|d| &wf.jobs[*d].id == n))
        });
        match next {
            Some((i, _)) => done.push(i),
            None => {
                let left: Vec<&str> = wf
                    .jobs
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| !done.contains(i))
                    .map(|(_, j)| j.id.as_str())
                    .collect();
                return Err(refuse(format!(
                    "the `needs:` of jobs {left:?} form a cycle"
                )));
            }
        }
    }
    Ok(done)
}

fn string_object(map: &BTreeMap<String, String>) -> Value {
    Value::Object(
        map.iter()
            .map(|(k, v)| (k.clone(), Value::str(v)))
            .collect(),
    )
}

fn pairs_object(pairs: &[(String, String)]) -> Value {
    Value::Object(
        pairs
            .iter()
            .map(|(k, v)| (k.clone(), Value::str(v)))
            .collect(),
    )
}

/// `secrets.X` and `vars.X` that the test did not register are refused:
/// GitHub would give an empty string, which hides typos.
fn check_registered(
    tpl: &Template,
    secrets: &BTreeSet<String>,
    vars: &BTreeMap<String, String>,
) -> Result<(), Refusal> {
    fn walk(ast: &Ast, found: &mut Vec<(String, String)>) {
        match ast {
            Ast::Prop(inner, name) => {
                if let Ast::Ctx(c) = inner.as_ref() {
                    found.push((c.clone(), name.clone()));
                }
                walk(inner, found);
            }
            Ast::Index(inner, idx) => {
                if let (Ast::Ctx(c), Ast::Lit(Value::String(s))) = (inner.as_ref(), idx.as_ref()) {
                    found.push((c.clone(), s.clone()));
                }
                walk(inner, found);
                walk(idx, found);
            }
            Ast::Not(a) => walk(a, found),
            Ast::And(a, b) | Ast::Or(a, b) | Ast::Cmp(_, a, b) => {
                walk(a, found);
                walk(b, found);
            }
            Ast::Call(_, args) => args.iter().for_each(|a| walk(a, found)),
            Ast::Lit(_) | Ast::Ctx(_) => {}
        }
    }
    let mut found = Vec::new();
    for ast in tpl.exprs() {
        walk(ast, &mut found);
    }
    for (ctx, name) in found {
        match ctx.as_str() {
            "secrets" if !secrets.iter().any(|s| s.eq_ignore_ascii_case(&name)) => {
                return Err(refuse(format!(
                    "`secrets.{name}` is not registered (Harness::secret / environment_secret; GitHub would give an empty string)"
                )));
            }
            "vars" if !vars.keys().any(|s| s.eq_ignore_ascii_case(&name)) => {
                return Err(refuse(format!(
                    "`vars.{name}` is not registered (Harness::var / environment_var; GitHub would give an empty string)"
                )));
            }
            _ => {}
        }
    }
    Ok(())
}

/// Renders a template; evaluation failures are refusals here (used where
/// the runner would fail the whole run or job setup).
fn render(
    text: &str,
    ctx: &Contexts,
    secrets: &BTreeSet<String>,
    vars: &BTreeMap<String, String>,
) -> Result<String, Refusal> {
    let tpl = Template::parse(text).map_err(refuse)?;
    check_registered(&tpl, secrets, vars)?;
    tpl.render(ctx).map_err(|e| refuse(e.to_string()))
}

/// What a step evaluation error means: the runner fails the step
/// (`Failed`); the harness declines (`Refused`).
enum StepError {
    Failed(String),
    Refused(Refusal),
}

impl From<Refusal> for StepError {
    fn from(r: Refusal) -> Self {
        StepError::Refused(r)
    }
}

fn eval_error(e: EvalError, location: &str) -> StepError {
    match e {
        EvalError::Refused(m) => StepError::Refused(refuse(format!("{location}: {m}"))),
        EvalError::Failed(m) => StepError::Failed(format!("{location}: {m}")),
    }
}

// ------------------------------------------------------------ jobs

struct JobDirs {
    root: PathBuf,
    workspace: PathBuf,
    temp: PathBuf,
    tool_cache: PathBuf,
    home: PathBuf,
    file_commands: PathBuf,
}

/// Process groups started by a job's steps; whatever is left is killed
/// when the job ends (and on a refusal or panic).
#[derive(Default)]
struct ProcessGroups(Vec<u32>);

fn group_alive(pgid: u32) -> bool {
    Command::new("kill")
        .args(["-0", "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

fn signal_group(pgid: u32, signal: &str) {
    let _ = Command::new("kill")
        .args(["-s", signal, "--", &format!("-{pgid}")])
        .stderr(Stdio::null())
        .status();
}

impl ProcessGroups {
    fn cleanup(&mut self) {
        let alive: Vec<u32> = self.0.drain(..).filter(|g| group_alive(*g)).collect();
        for g in &alive {
            signal_group(*g, "TERM");
        }
        let deadline = Instant::now() + Duration::from_secs(3);
        while alive.iter().any(|g| group_alive(*g)) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(20));
        }
        for g in alive.iter().filter(|g| group_alive(**g)) {
            signal_group(*g, "KILL");
        }
    }
}

impl Drop for ProcessGroups {
    fn drop(&mut self) {
        self.cleanup();
    }
}

struct JobState<'a> {
    rc: &'a RunCtx<'a>,
    job: &'a Job,
    dirs: JobDirs,
    token: String,
    secrets: BTreeMap<String, String>,
    vars: BTreeMap<String, String>,
    needs_ctx: Value,
    /// Workflow env, job env, then `$GITHUB_ENV` additions.
    env: Vec<(String, String)>,
    path_prepend: Vec<String>,
    masker: Masker,
    summary: String,
    groups: ProcessGroups,
    failed: bool,
    cancelled: bool,
    deadline: Instant,
    counter: usize,
}

fn set_pair(pairs: &mut Vec<(String, String)>, k: &str, v: &str) {
    match pairs.iter_mut().find(|(key, _)| key == k) {
        Some(slot) => slot.1 = v.to_owned(),
        None => pairs.push((k.to_owned(), v.to_owned())),
    }
}

fn job_status(failed: bool, cancelled: bool) -> &'static str {
    if cancelled {
        "cancelled"
    } else if failed {
        "failure"
    } else {
        "success"
    }
}

fn ancestors_failed(wf: &Workflow, job: &Job, done: &[JobResult]) -> bool {
    let mut stack: Vec<&String> = job.needs.iter().collect();
    let mut seen = BTreeSet::new();
    while let Some(n) = stack.pop() {
        if !seen.insert(n.clone()) {
            continue;
        }
        if done
            .iter()
            .any(|d| &d.id == n && d.result == Conclusion::Failure)
        {
            return true;
        }
        if let Some(j) = wf.jobs.iter().find(|j| &j.id == n) {
            stack.extend(j.needs.iter());
        }
    }
    false
}

fn skipped_job(job: &Job, name: String) -> JobResult {
    JobResult {
        id: job.id.clone(),
        name,
        result: Conclusion::Skipped,
        outputs: BTreeMap::new(),
        dropped_outputs: Vec::new(),
        annotations: Vec::new(),
        summary: String::new(),
        steps: Vec::new(),
        environment: None,
        permissions: None,
        concurrency: None,
        timeout_minutes: 0.0,
        token: String::new(),
        workspace: PathBuf::new(),
        runner_temp: PathBuf::new(),
    }
}

fn run_job(rc: &RunCtx<'_>, job: &Job, done: &[JobResult]) -> Result<JobResult, Refusal> {
    let at = |k: &str| format!("jobs.{}.{k}", job.id);
    let needs_ctx = Value::Object(
        job.needs
            .iter()
            .map(|n| {
                let r = done.iter().find(|d| &d.id == n);
                (
                    n.clone(),
                    Value::object([
                        (
                            "result",
                            Value::str(r.map_or("skipped", |r| r.result.as_str())),
                        ),
                        (
                            "outputs",
                            r.map_or(Value::Object(vec![]), |r| string_object(&r.outputs)),
                        ),
                    ]),
                )
            })
            .collect(),
    );
    let needs_ok = job.needs.iter().all(|n| {
        done.iter()
            .any(|d| &d.id == n && d.result == Conclusion::Success)
    });
    let no_secrets = BTreeSet::new();
    let base_vars = rc.vars(None);
    let mut jc = Contexts::default();
    jc.set(Ctx::Github, rc.github(None, None));
    jc.set(Ctx::Needs, needs_ctx.clone());
    jc.set(Ctx::Vars, string_object(&base_vars));
    jc.set(Ctx::Inputs, rc.inputs.clone());
    jc.status = Status {
        failed: ancestors_failed(rc.wf, job, done),
        cancelled: false,
        needs_succeeded: Some(needs_ok),
    };
    let display_name = match &job.name {
        Some(n) => render(n, &jc, &no_secrets, &base_vars)?,
        None => job.id.clone(),
    };
    let cond = job.if_.as_deref().unwrap_or("success()");
    let ast = implicit_success(expr::condition(cond).map_err(refuse)?);
    check_registered(
        &Template {
            parts: vec![expr::Part::Expr {
                src: cond.into(),
                ast: ast.clone(),
            }],
        },
        &no_secrets,
        &base_vars,
    )?;
    let go = expr::eval(&ast, &jc).map_err(|e| refuse(format!("{}: {e}", at("if"))))?;
    if !go.truthy() {
        return Ok(skipped_job(job, display_name));
    }

    let environment = match &job.environment {
        Some(e) => Some(EnvironmentRef {
            name: render(&e.name, &jc, &no_secrets, &base_vars)?,
            url: e.url.clone(),
        }),
        None => None,
    };
    let env_name = environment.as_ref().map(|e| e.name.clone());
    let vars = rc.vars(env_name.as_deref());
    jc.set(Ctx::Vars, string_object(&vars));
    let concurrency = match &job.concurrency {
        Some(c) => Some((
            render(&c.group, &jc, &no_secrets, &vars)?,
            render(&c.cancel_in_progress, &jc, &no_secrets, &vars)? == "true",
        )),
        None => None,
    };
    let timeout_minutes = match &job.timeout_minutes {
        Some(t) => parse_minutes(&render(t, &jc, &no_secrets, &vars)?, &at("timeout-minutes"))?,
        None => 360.0,
    };
    let permissions: Option<Permissions> = job
        .permissions
        .clone()
        .or_else(|| rc.wf.permissions.clone());

    // The machine: fresh folders, as every job runs on a new VM.
    let root = rc.run_dir.join(&job.id);
    let repo_name =
        rc.h.repository
            .split('/')
            .nth(1)
            .unwrap_or("repo")
            .to_owned();
    let dirs = JobDirs {
        workspace: root.join("work").join(&repo_name).join(&repo_name),
        temp: root.join("work/_temp"),
        tool_cache: root.join("tool_cache"),
        home: root.join("home"),
        file_commands: root.join("work/_temp/_runner_file_commands"),
        root,
    };
    for d in [
        &dirs.workspace,
        &dirs.temp,
        &dirs.tool_cache,
        &dirs.home,
        &dirs.file_commands,
    ] {
        std::fs::create_dir_all(d)
            .map_err(|e| refuse(format!("cannot create {}: {e}", d.display())))?;
    }
    if let Some(seed) = &rc.h.seed {
        copy_dir(seed, &dirs.workspace)
            .map_err(|e| refuse(format!("cannot seed the workspace: {e}")))?;
    }
    let token = match &rc.h.token_provider {
        Some(p) => p(&TokenRequest {
            run_id: rc.run_id,
            job: job.id.clone(),
            permissions: permissions.clone(),
        }),
        None => format!("ghs_{}", random_hex(18)),
    };
    let mut secrets = rc.h.secrets.clone();
    if let Some(env) = env_name.as_ref().and_then(|e| rc.h.env_secrets.get(e)) {
        secrets.extend(env.clone());
    }
    secrets.insert("GITHUB_TOKEN".into(), token.clone());
    let mut masker = Masker::default();
    for v in secrets.values() {
        masker.add(v);
    }

    let mut js = JobState {
        rc,
        job,
        dirs,
        token,
        secrets,
        vars,
        needs_ctx,
        env: Vec::new(),
        path_prepend: Vec::new(),
        masker,
        summary: String::new(),
        groups: ProcessGroups::default(),
        failed: false,
        cancelled: false,
        deadline: Instant::now() + Duration::from_secs_f64(timeout_minutes * 60.0),
        counter: 0,
    };

    // Workflow env, then job env, evaluated on the runner.
    let secret_names: BTreeSet<String> = js.secrets.keys().cloned().collect();
    let mut ec = js.base_contexts();
    ec.set(Ctx::Secrets, string_object(&js.secrets));
    for (k, v) in &rc.wf.env {
        let value = render(v, &ec, &secret_names, &js.vars)
            .map_err(|r| refuse(format!("env.{k}: {}", r.message)))?;
        set_pair(&mut js.env, k, &value);
    }
    for (k, v) in &job.env {
        let value = render(v, &ec, &secret_names, &js.vars)
            .map_err(|r| refuse(format!("{}: {}", at(&format!("env.{k}")), r.message)))?;
        set_pair(&mut js.env, k, &value);
    }

    let mut frame = Frame {
        steps: &job.steps,
        action: None,
        inputs: rc.inputs.clone(),
        caller_env: Vec::new(),
        steps_ctx: Vec::new(),
        failed: false,
        depth: 0,
        job_defaults: true,
        deadline: None,
    };
    let steps = run_steps(&mut js, &mut frame)?;

    // Job outputs, dropped when they would leak a secret.
    let mut outputs = BTreeMap::new();
    let mut dropped = Vec::new();
    let mut job_errors: Vec<Annotation> = Vec::new();
    let mut oc = js.base_contexts();
    oc.set(Ctx::Secrets, string_object(&js.secrets));
    oc.set(Ctx::Steps, Value::Object(frame.steps_ctx.clone()));
    oc.set(Ctx::Env, pairs_object(&js.env));
    for (k, v) in &job.outputs {
        let tpl = Template::parse(v).map_err(refuse)?;
        check_registered(&tpl, &secret_names, &js.vars)?;
        match tpl.render(&oc) {
            Ok(value) if js.masker.contains_secret(&value) => dropped.push(k.clone()),
            Ok(value) => {
                outputs.insert(k.clone(), value);
            }
            Err(EvalError::Refused(m)) => {
                return Err(refuse(format!("{}: {m}", at(&format!("outputs.{k}")))));
            }
            Err(EvalError::Failed(m)) => {
                // The runner reports the error and fails the job.
                js.failed = true;
                job_errors.push(Annotation::new(
                    Level::Error,
                    format!("Error when evaluating 'outputs' for job '{}': {m}", job.id),
                ));
            }
        }
    }
    js.groups.cleanup();
    let result = if js.cancelled {
        Conclusion::Cancelled
    } else if js.failed {
        Conclusion::Failure
    } else {
        Conclusion::Success
    };
    let environment = match environment {
        Some(mut e) => {
            if let Some(u) = &e.url {
                e.url = Some(render(u, &oc, &secret_names, &js.vars)?);
            }
            Some(e)
        }
        None => None,
    };
    Ok(JobResult {
        id: job.id.clone(),
        name: display_name,
        result,
        outputs,
        dropped_outputs: dropped,
        annotations: job_errors,
        summary: std::mem::take(&mut js.summary),
        steps,
        environment,
        permissions,
        concurrency,
        timeout_minutes,
        token: js.token.clone(),
        workspace: js.dirs.workspace.clone(),
        runner_temp: js.dirs.temp.clone(),
    })
}

fn parse_minutes(text: &str, location: &str) -> Result<f64, Refusal> {
    match text.trim().parse::<f64>() {
        Ok(m) if m > 0.0 && m.is_finite() => Ok(m),
        _ => Err(refuse(format!(
            "{location}: `{text}` is not a positive number of minutes"
        ))),
    }
}

/// `if:` without a status function means `success() && (…)`.
fn implicit_success(ast: Ast) -> Ast {
    if ast.has_status_function() {
        ast
    } else {
        Ast::And(
            Box::new(Ast::Call(expr::Func::Success, vec![])),
            Box::new(ast),
        )
    }
}

fn random_hex(bytes: usize) -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut out = String::new();
    let mut i = 0u64;
    while out.len() < bytes * 2 {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(i);
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_nanos())
                .unwrap_or_default(),
        );
        out.push_str(&format!("{:016x}", h.finish()));
        i += 1;
    }
    out.truncate(bytes * 2);
    out
}

fn copy_dir(from: &Path, to: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(to)?;
    for entry in std::fs::read_dir(from)? {
        let entry = entry?;
        let target = to.join(entry.file_name());
        let ty = entry.file_type()?;
        if ty.is_dir() {
            if entry.file_name() == "target" || entry.file_name() == ".git" {
                continue;
            }
            copy_dir(&entry.path(), &target)?;
        } else if ty.is_symlink() {
            let link = std::fs::read_link(entry.path())?;
            let _ = std::os::unix::fs::symlink(link, target);
        } else {
            std::fs::copy(entry.path(), target)?;
        }
    }
    Ok(())
}

// ------------------------------------------------------------ steps

/// A list of steps being run: the job's, or a composite action's.
struct Frame<'a> {
    steps: &'a [Step],
    action: Option<&'a Action>,
    /// The `inputs` context.
    inputs: Value,
    /// For a composite: the calling step's env (evaluated).
    caller_env: Vec<(String, String)>,
    steps_ctx: Vec<(String, Value)>,
    /// A step here failed (the job's status, or a composite's
    /// `github.action_status`).
    failed: bool,
    depth: usize,
    /// `defaults.run` applies (job steps, not composite steps).
    job_defaults: bool,
    /// The `timeout-minutes` of the step that called this composite
    /// action: when it ends, and the minutes for the message.
    deadline: Option<(Instant, f64)>,
}

fn earliest(a: Option<(Instant, f64)>, b: Option<(Instant, f64)>) -> Option<(Instant, f64)> {
    match (a, b) {
        (Some(x), Some(y)) => Some(if x.0 <= y.0 { x } else { y }),
        (x, None) => x,
        (None, y) => y,
    }
}

impl JobState<'_> {
    fn base_contexts(&self) -> Contexts {
        let mut c = Contexts::default();
        c.set(Ctx::Github, self.rc.github(Some(self), None));
        c.set(Ctx::Needs, self.needs_ctx.clone());
        c.set(Ctx::Vars, string_object(&self.vars));
        c.set(Ctx::Inputs, self.rc.inputs.clone());
        c.set(
            Ctx::Job,
            Value::object([(
                "status",
                Value::str(job_status(self.failed, self.cancelled)),
            )]),
        );
        c.set(
            Ctx::Runner,
            Value::object([
                ("os", Value::str("Linux")),
                ("arch", Value::str("X64")),
                ("name", Value::str("GitHub Actions 1")),
                ("environment", Value::str("github-hosted")),
                ("temp", Value::str(self.dirs.temp.to_string_lossy())),
                (
                    "tool_cache",
                    Value::str(self.dirs.tool_cache.to_string_lossy()),
                ),
            ]),
        );
        c
    }

    /// Contexts for a step of `frame`: `env` is the given pairs.
    fn step_contexts(
        &self,
        frame: &Frame<'_>,
        step_id: &str,
        env: &[(String, String)],
        secrets: bool,
    ) -> Contexts {
        let mut c = self.base_contexts();
        let action = frame.action.map(|a| a.dir.as_path());
        c.set(
            Ctx::Github,
            self.rc
                .github(Some(self), Some((step_id, action, frame.failed))),
        );
        c.set(Ctx::Steps, Value::Object(frame.steps_ctx.clone()));
        c.set(Ctx::Inputs, frame.inputs.clone());
        c.set(Ctx::Env, pairs_object(env));
        if secrets && frame.action.is_none() {
            c.set(Ctx::Secrets, string_object(&self.secrets));
        }
        c.status = Status {
            failed: if frame.action.is_some() {
                frame.failed
            } else {
                self.failed
            },
            cancelled: self.cancelled,
            needs_succeeded: None,
        };
        c
    }

    fn secret_names(&self) -> BTreeSet<String> {
        self.secrets.keys().cloned().collect()
    }

    fn eval_text(&self, text: &str, ctx: &Contexts, location: &str) -> Result<String, StepError> {
        let tpl = Template::parse(text)
            .map_err(|m| StepError::Refused(refuse(format!("{location}: {m}"))))?;
        check_registered(&tpl, &self.secret_names(), &self.vars)?;
        tpl.render(ctx).map_err(|e| eval_error(e, location))
    }
}

/// The runner's default step name.
fn default_name(step: &Step) -> String {
    match &step.body {
        StepBody::Run { script, .. } => {
            format!(
                "Run {}",
                script
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("")
                    .trim()
            )
        }
        StepBody::Uses { target, .. } => format!("Run {target}"),
    }
}

fn empty_step(step: &Step, name: String, outcome: Conclusion) -> StepResult {
    StepResult {
        id: step.id.clone(),
        name,
        uses: match &step.body {
            StepBody::Uses { target, .. } => Some(target.clone()),
            StepBody::Run { .. } => None,
        },
        outcome,
        conclusion: outcome,
        outputs: BTreeMap::new(),
        exit_code: None,
        log: String::new(),
        annotations: Vec::new(),
        groups: Vec::new(),
        debug: Vec::new(),
        summary: String::new(),
        env: BTreeMap::new(),
        missing_inputs: Vec::new(),
        timed_out: false,
        steps: Vec::new(),
    }
}

fn step_ctx_value(r: &StepResult) -> Value {
    Value::object([
        ("outputs", string_object(&r.outputs)),
        ("outcome", Value::str(r.outcome.as_str())),
        ("conclusion", Value::str(r.conclusion.as_str())),
    ])
}

fn run_steps(js: &mut JobState<'_>, frame: &mut Frame<'_>) -> Result<Vec<StepResult>, Refusal> {
    let mut results = Vec::new();
    for step in frame.steps {
        let step_id = step.id.clone().unwrap_or_else(|| "__run".into());
        let mut visible_env = js.env.clone();
        for (k, v) in &frame.caller_env {
            set_pair(&mut visible_env, k, v);
        }

        // `if:` (default `success()`); no secrets, no step env.
        let cond_ctx = js.step_contexts(frame, &step_id, &visible_env, false);
        let cond = step.if_.as_deref().unwrap_or("success()");
        let ast = implicit_success(expr::condition(cond).map_err(refuse)?);
        check_registered(
            &Template {
                parts: vec![expr::Part::Expr {
                    src: cond.into(),
                    ast: ast.clone(),
                }],
            },
            &BTreeSet::new(),
            &js.vars,
        )?;
        let location = format!("{}.if", step.location);
        let go = match expr::eval(&ast, &cond_ctx) {
            Ok(v) => Ok(v.truthy()),
            Err(EvalError::Refused(m)) => return Err(refuse(format!("{location}: {m}"))),
            Err(EvalError::Failed(m)) => Err(format!("{location}: {m}")),
        };
        let result = match go {
            Ok(false) => {
                let name = step.name.clone().unwrap_or_else(|| default_name(step));
                empty_step(step, name, Conclusion::Skipped)
            }
            Err(message) => {
                let mut r = empty_step(step, default_name(step), Conclusion::Failure);
                r.annotations.push(Annotation::new(Level::Error, message));
                r
            }
            Ok(true) => match run_step(js, frame, step, &step_id, visible_env) {
                Ok(r) => r,
                Err(StepError::Refused(r)) => {
                    return Err(refuse(format!("{}: {}", step.location, r.message)));
                }
                Err(StepError::Failed(m)) => {
                    let mut r = empty_step(step, default_name(step), Conclusion::Failure);
                    r.annotations
                        .push(Annotation::new(Level::Error, js.masker.mask(&m)));
                    r
                }
            },
        };
        if result.conclusion == Conclusion::Failure {
            frame.failed = true;
            if frame.action.is_none() {
                js.failed = true;
            }
        }
        if let Some(id) = &step.id {
            frame.steps_ctx.push((id.clone(), step_ctx_value(&result)));
        }
        results.push(result);
    }
    Ok(results)
}

fn run_step(
    js: &mut JobState<'_>,
    frame: &Frame<'_>,
    step: &Step,
    step_id: &str,
    visible_env: Vec<(String, String)>,
) -> Result<StepResult, StepError> {
    let at = |k: &str| format!("{}.{k}", step.location);
    // The step's own env, evaluated with the env it inherits.
    let ctx = js.step_contexts(frame, step_id, &visible_env, true);
    let mut step_env = Vec::new();
    for (k, v) in &step.env {
        let value = js.eval_text(v, &ctx, &at(&format!("env.{k}")))?;
        set_pair(&mut step_env, k, &value);
    }
    let mut env_all = visible_env.clone();
    for (k, v) in &step_env {
        set_pair(&mut env_all, k, v);
    }
    let ctx = js.step_contexts(frame, step_id, &env_all, true);
    let name = match &step.name {
        Some(n) => js.eval_text(n, &ctx, &at("name"))?,
        None => default_name(step),
    };
    let continue_on_error = match &step.continue_on_error {
        Some(c) => match js.eval_text(c, &ctx, &at("continue-on-error"))?.as_str() {
            "true" => true,
            "false" | "" => false,
            other => {
                return Err(StepError::Refused(refuse(format!(
                    "{}: `{other}` is not a boolean",
                    at("continue-on-error")
                ))));
            }
        },
        None => false,
    };
    let step_timeout = match &step.timeout_minutes {
        Some(t) => Some(parse_minutes(
            &js.eval_text(t, &ctx, &at("timeout-minutes"))?,
            &at("timeout-minutes"),
        )?),
        None => None,
    };
    let mut result = match &step.body {
        StepBody::Run {
            script,
            shell,
            working_directory,
        } => {
            let script = js.eval_text(script, &ctx, &at("run"))?;
            let wd = match working_directory {
                Some(w) => Some(js.eval_text(w, &ctx, &at("working-directory"))?),
                None if frame.job_defaults => match js
                    .job
                    .defaults
                    .working_directory
                    .clone()
                    .or_else(|| js.rc.wf.defaults.working_directory.clone())
                {
                    Some(w) => Some(js.eval_text(&w, &ctx, &at("working-directory"))?),
                    None => None,
                },
                None => None,
            };
            let shell = shell.clone().or_else(|| {
                if frame.job_defaults {
                    js.job
                        .defaults
                        .shell
                        .clone()
                        .or_else(|| js.rc.wf.defaults.shell.clone())
                } else {
                    None
                }
            });
            run_script(
                js,
                frame,
                step_id,
                &name,
                &script,
                shell.as_deref(),
                wd.as_deref(),
                &step_env,
                step_timeout,
            )?
        }
        StepBody::Uses { target, with } => {
            let mut with_values = Vec::new();
            for (k, v) in with {
                with_values.push((k.clone(), js.eval_text(v, &ctx, &at(&format!("with.{k}")))?));
            }
            if target.starts_with("./") || target == "." {
                run_composite(
                    js,
                    frame,
                    step,
                    step_id,
                    target,
                    &with_values,
                    &step_env,
                    &ctx,
                    step_timeout,
                )?
            } else {
                run_remote(js, frame, step_id, target, &with_values, &step_env, &ctx)?
            }
        }
    };
    result.id = step.id.clone();
    result.name = name;
    result.conclusion = if result.outcome == Conclusion::Failure && continue_on_error {
        Conclusion::Success
    } else {
        result.outcome
    };
    Ok(result)
}

#[allow(clippy::too_many_arguments)]
fn run_script(
    js: &mut JobState<'_>,
    frame: &Frame<'_>,
    step_id: &str,
    name: &str,
    script: &str,
    shell: Option<&str>,
    working_directory: Option<&str>,
    step_env: &[(String, String)],
    step_timeout: Option<f64>,
) -> Result<StepResult, StepError> {
    js.counter += 1;
    let n = js.counter;
    let fc = &js.dirs.file_commands;
    let output_file = fc.join(format!("set_output_{n}"));
    let env_file = fc.join(format!("set_env_{n}"));
    let path_file = fc.join(format!("add_path_{n}"));
    let summary_file = fc.join(format!("step_summary_{n}"));
    let state_file = fc.join(format!("save_state_{n}"));
    for f in [
        &output_file,
        &env_file,
        &path_file,
        &summary_file,
        &state_file,
    ] {
        File::create(f).map_err(|e| {
            StepError::Refused(refuse(format!("cannot create {}: {e}", f.display())))
        })?;
    }
    let script_file = js.dirs.temp.join(format!("{}.sh", random_hex(16)));
    std::fs::write(&script_file, script)
        .map_err(|e| StepError::Refused(refuse(format!("cannot write the script: {e}"))))?;
    let wd = match working_directory {
        Some(w) => js.dirs.workspace.join(w),
        None => js.dirs.workspace.clone(),
    };

    let mut env = build_env(js, frame, step_id, step_env);
    env.insert(
        "GITHUB_OUTPUT".into(),
        output_file.to_string_lossy().into_owned(),
    );
    env.insert("GITHUB_ENV".into(), env_file.to_string_lossy().into_owned());
    env.insert(
        "GITHUB_PATH".into(),
        path_file.to_string_lossy().into_owned(),
    );
    env.insert(
        "GITHUB_STEP_SUMMARY".into(),
        summary_file.to_string_lossy().into_owned(),
    );
    env.insert(
        "GITHUB_STATE".into(),
        state_file.to_string_lossy().into_owned(),
    );

    let mut result = StepResult {
        env: env.clone(),
        ..empty_step_named(name)
    };
    if !wd.is_dir() {
        result.outcome = Conclusion::Failure;
        result.annotations.push(Annotation::new(
            Level::Error,
            format!(
                "An error occurred trying to start process '/usr/bin/bash' with working directory '{}'. No such file or directory",
                wd.display()
            ),
        ));
        return Ok(result);
    }

    let log_path = js.dirs.temp.join(format!("_step_{n}.log"));
    let log = File::create(&log_path).map_err(|e| StepError::Refused(refuse(e.to_string())))?;
    let log_err = log
        .try_clone()
        .map_err(|e| StepError::Refused(refuse(e.to_string())))?;
    let mut cmd = Command::new("bash");
    match shell {
        None => {
            cmd.arg("-e");
        }
        Some(_) => {
            cmd.args(["--noprofile", "--norc", "-eo", "pipefail"]);
        }
    }
    cmd.arg(&script_file)
        .current_dir(&wd)
        .env_clear()
        .envs(&env)
        .stdin(Stdio::null())
        .stdout(Stdio::from(log))
        .stderr(Stdio::from(log_err));
    std::os::unix::process::CommandExt::process_group(&mut cmd, 0);
    let mut child = cmd
        .spawn()
        .map_err(|e| StepError::Refused(refuse(format!("cannot start bash: {e}"))))?;
    js.groups.0.push(child.id());

    let started = Instant::now();
    let step_deadline = earliest(
        frame.deadline,
        step_timeout.map(|m| (started + Duration::from_secs_f64(m * 60.0), m)),
    );
    let harness_deadline = started + js.rc.h.step_limit;
    let status = loop {
        if let Some(s) = child
            .try_wait()
            .map_err(|e| StepError::Refused(refuse(e.to_string())))?
        {
            break Some(s);
        }
        let now = Instant::now();
        if now >= harness_deadline {
            signal_group(child.id(), "KILL");
            let _ = child.wait();
            return Err(StepError::Refused(refuse(format!(
                "step {name:?} ran longer than the harness's step limit ({:?}); raise it with Harness::step_limit if that is expected",
                js.rc.h.step_limit
            ))));
        }
        if step_deadline.is_some_and(|(d, _)| now >= d) || now >= js.deadline {
            signal_group(child.id(), "TERM");
            let grace = Instant::now() + Duration::from_secs(2);
            while child.try_wait().ok().flatten().is_none() && Instant::now() < grace {
                std::thread::sleep(Duration::from_millis(10));
            }
            signal_group(child.id(), "KILL");
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(5));
    };

    let raw = String::from_utf8_lossy(&std::fs::read(&log_path).unwrap_or_default()).into_owned();
    let processed = commands::process(&raw, &mut js.masker);
    if let Some(r) = processed.refused.first() {
        return Err(StepError::Refused(refuse(r.clone())));
    }
    result.log = processed.log;
    result.annotations = processed.annotations;
    result.groups = processed.groups;
    result.debug = processed.debug;

    match status {
        Some(s) => {
            result.exit_code = s.code();
            result.outcome = if s.success() {
                Conclusion::Success
            } else {
                Conclusion::Failure
            };
            if !s.success() {
                let code = s
                    .code()
                    .map_or_else(|| "a signal".to_owned(), |c| c.to_string());
                result.annotations.push(Annotation::new(
                    Level::Error,
                    format!("Process completed with exit code {code}."),
                ));
            }
        }
        None => {
            result.timed_out = true;
            if Instant::now() >= js.deadline {
                js.cancelled = true;
                // Steps that still run after a cancellation (`always()`)
                // get time of their own.
                js.deadline = Instant::now() + Duration::from_secs(300);
                result.outcome = Conclusion::Cancelled;
                result.annotations.push(Annotation::new(
                    Level::Error,
                    format!(
                        "The job running on runner GitHub Actions 1 has exceeded the maximum execution time of {} minutes.",
                        super::expr::format_number(js_timeout_minutes(js))
                    ),
                ));
            } else {
                result.outcome = Conclusion::Failure;
                result.annotations.push(Annotation::new(
                    Level::Error,
                    format!(
                        "The action '{name}' has timed out after {} minutes.",
                        super::expr::format_number(step_deadline.map_or(0.0, |(_, m)| m))
                    ),
                ));
            }
        }
    }

    // File commands, processed whatever the exit code (as the runner does).
    let read =
        |p: &Path| String::from_utf8_lossy(&std::fs::read(p).unwrap_or_default()).into_owned();
    match files::parse_key_values(&read(&output_file)) {
        Ok(pairs) => result.outputs.extend(pairs),
        Err(m) => file_command_failed(&mut result, "output", &m),
    }
    match files::parse_env_file(&read(&env_file)) {
        Ok(pairs) => {
            for (k, v) in pairs {
                set_pair(&mut js.env, &k, &v);
            }
        }
        Err(m) => file_command_failed(&mut result, "env", &m),
    }
    files::apply_path_file(&read(&path_file), &mut js.path_prepend);
    let summary = read(&summary_file);
    if summary.len() > files::SUMMARY_LIMIT {
        result.annotations.push(Annotation::new(
            Level::Error,
            format!(
                "$GITHUB_STEP_SUMMARY upload aborted, supports content up to a size of 1024k, got {}k. For more information see: https://docs.github.com/actions/using-workflows/workflow-commands-for-github-actions#adding-a-markdown-summary",
                summary.len() / 1024
            ),
        ));
    } else if !summary.is_empty() {
        let masked = js.masker.mask(&summary);
        js.summary.push_str(&masked);
        result.summary = masked;
    }
    Ok(result)
}

fn js_timeout_minutes(js: &JobState<'_>) -> f64 {
    js.job
        .timeout_minutes
        .as_deref()
        .and_then(|t| t.trim().parse().ok())
        .unwrap_or(360.0)
}

fn file_command_failed(result: &mut StepResult, command: &str, message: &str) {
    result.outcome = Conclusion::Failure;
    result.annotations.push(Annotation::new(
        Level::Error,
        format!("Unable to process file command '{command}' successfully."),
    ));
    result
        .annotations
        .push(Annotation::new(Level::Error, message.to_owned()));
}

fn empty_step_named(name: &str) -> StepResult {
    StepResult {
        id: None,
        name: name.to_owned(),
        uses: None,
        outcome: Conclusion::Success,
        conclusion: Conclusion::Success,
        outputs: BTreeMap::new(),
        exit_code: None,
        log: String::new(),
        annotations: Vec::new(),
        groups: Vec::new(),
        debug: Vec::new(),
        summary: String::new(),
        env: BTreeMap::new(),
        missing_inputs: Vec::new(),
        timed_out: false,
        steps: Vec::new(),
    }
}

/// The environment of a step: the machine's, then workflow/job env and
/// `$GITHUB_ENV`, the calling step's env (composites), the step's env, and
/// last the runner's own variables (which cannot be overridden).
fn build_env(
    js: &JobState<'_>,
    frame: &Frame<'_>,
    step_id: &str,
    step_env: &[(String, String)],
) -> BTreeMap<String, String> {
    let rc = js.rc;
    let mut env: BTreeMap<String, String> = rc.h.runner_env.clone();
    env.insert("HOME".into(), js.dirs.home.to_string_lossy().into_owned());
    for (k, v) in js.env.iter().chain(&frame.caller_env).chain(step_env) {
        env.insert(k.clone(), v.clone());
    }
    let owner = rc.h.repository.split('/').next().unwrap_or_default();
    let s = |p: &Path| p.to_string_lossy().into_owned();
    let runtime: Vec<(&str, String)> = vec![
        ("CI", "true".into()),
        ("GITHUB_ACTIONS", "true".into()),
        ("GITHUB_ACTION", step_id.into()),
        ("GITHUB_ACTOR", rc.actor.clone()),
        ("GITHUB_ACTOR_ID", "583231".into()),
        ("GITHUB_API_URL", rc.h.api_url.clone()),
        ("GITHUB_BASE_REF", rc.event.base_ref.clone()),
        ("GITHUB_EVENT_NAME", rc.event.name.clone()),
        ("GITHUB_EVENT_PATH", s(&rc.event_path)),
        ("GITHUB_GRAPHQL_URL", rc.h.graphql_url.clone()),
        ("GITHUB_HEAD_REF", rc.event.head_ref.clone()),
        ("GITHUB_JOB", js.job.id.clone()),
        ("GITHUB_REF", rc.event.git_ref.clone()),
        ("GITHUB_REF_NAME", ref_name(&rc.event.git_ref)),
        ("GITHUB_REF_PROTECTED", "false".into()),
        (
            "GITHUB_REF_TYPE",
            if rc.event.git_ref.starts_with("refs/tags/") {
                "tag"
            } else {
                "branch"
            }
            .into(),
        ),
        ("GITHUB_REPOSITORY", rc.h.repository.clone()),
        ("GITHUB_REPOSITORY_ID", "700000001".into()),
        ("GITHUB_REPOSITORY_OWNER", owner.into()),
        ("GITHUB_REPOSITORY_OWNER_ID", "9919".into()),
        ("GITHUB_RETENTION_DAYS", "90".into()),
        ("GITHUB_RUN_ATTEMPT", rc.event.attempt.to_string()),
        ("GITHUB_RUN_ID", rc.run_id.to_string()),
        ("GITHUB_RUN_NUMBER", rc.run_number.to_string()),
        ("GITHUB_SERVER_URL", rc.h.server_url.clone()),
        ("GITHUB_SHA", rc.sha.clone()),
        ("GITHUB_TRIGGERING_ACTOR", rc.actor.clone()),
        ("GITHUB_WORKFLOW", rc.workflow_name.clone()),
        ("GITHUB_WORKFLOW_REF", rc.workflow_ref.clone()),
        ("GITHUB_WORKFLOW_SHA", rc.sha.clone()),
        ("GITHUB_WORKSPACE", s(&js.dirs.workspace)),
        ("RUNNER_ARCH", "X64".into()),
        ("RUNNER_ENVIRONMENT", "github-hosted".into()),
        ("RUNNER_NAME", "GitHub Actions 1".into()),
        ("RUNNER_OS", "Linux".into()),
        ("RUNNER_TEMP", s(&js.dirs.temp)),
        ("RUNNER_TOOL_CACHE", s(&js.dirs.tool_cache)),
        (
            "RUNNER_WORKSPACE",
            s(js.dirs.workspace.parent().unwrap_or(&js.dirs.workspace)),
        ),
    ];
    for (k, v) in runtime {
        env.insert(k.into(), v);
    }
    if let Some(action) = frame.action {
        env.insert("GITHUB_ACTION_PATH".into(), s(&action.dir));
    }
    let base_path = env.get("PATH").cloned().unwrap_or_default();
    env.insert(
        "PATH".into(),
        files::path_value(&js.path_prepend, &base_path),
    );
    env
}

#[allow(clippy::too_many_arguments)]
fn run_composite(
    js: &mut JobState<'_>,
    frame: &Frame<'_>,
    step: &Step,
    step_id: &str,
    target: &str,
    with: &[(String, String)],
    step_env: &[(String, String)],
    ctx: &Contexts,
    step_timeout: Option<f64>,
) -> Result<StepResult, StepError> {
    let dir = super::stubs::normalize(&js.dirs.workspace.join(target));
    let mut result = empty_step_named(target);
    result.uses = Some(target.to_owned());
    let action = match model::load_action(&dir) {
        Ok(Some(a)) => a,
        Ok(None) => {
            result.outcome = Conclusion::Failure;
            result.annotations.push(Annotation::new(
                Level::Error,
                format!(
                    "Can't find 'action.yml', 'action.yaml' or 'Dockerfile' under '{}'. Did you forget to run actions/checkout before running your local action?",
                    dir.display()
                ),
            ));
            return Ok(result);
        }
        Err(e) => return Err(StepError::Refused(refuse(e))),
    };
    if frame.depth + 1 > 9 {
        return Err(StepError::Refused(refuse(format!(
            "{}: composite actions nest deeper than GitHub allows (10 levels)",
            step.location
        ))));
    }
    validate_action(&action, &lower_set(&js.job.needs))?;
    let unexpected: Vec<&str> = with
        .iter()
        .filter(|(k, _)| !action.inputs.iter().any(|i| i.name.eq_ignore_ascii_case(k)))
        .map(|(k, _)| k.as_str())
        .collect();
    if !unexpected.is_empty() {
        return Err(StepError::Refused(refuse(format!(
            "Unexpected input(s) '{}', valid inputs are [{}] ({})",
            unexpected.join("', '"),
            action
                .inputs
                .iter()
                .map(|i| format!("'{}'", i.name))
                .collect::<Vec<_>>()
                .join(", "),
            action.file.display()
        ))));
    }
    let mut inputs = Vec::new();
    for input in &action.inputs {
        let given = with
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&input.name));
        let value = match (given, &input.default) {
            (Some((_, v)), _) => v.clone(),
            (None, Some(d)) => {
                let mut dctx = ctx.clone();
                dctx.values.retain(|(c, _)| ACTION_DEFAULTS.contains(c));
                js.eval_text(
                    d,
                    &dctx,
                    &format!("{}: inputs.{}.default", action.file.display(), input.name),
                )?
            }
            (None, None) => {
                if input.required {
                    result.missing_inputs.push(input.name.clone());
                }
                String::new()
            }
        };
        inputs.push((input.name.clone(), Value::String(value)));
    }

    let mut caller_env = frame.caller_env.clone();
    for (k, v) in step_env {
        set_pair(&mut caller_env, k, v);
    }
    let mut sub = Frame {
        steps: &action.steps,
        action: Some(&action),
        inputs: Value::Object(inputs),
        caller_env,
        steps_ctx: Vec::new(),
        failed: false,
        depth: frame.depth + 1,
        job_defaults: false,
        deadline: earliest(
            frame.deadline,
            step_timeout.map(|m| (Instant::now() + Duration::from_secs_f64(m * 60.0), m)),
        ),
    };
    let children = run_steps(js, &mut sub).map_err(StepError::Refused)?;

    let mut visible_env = js.env.clone();
    for (k, v) in &sub.caller_env {
        set_pair(&mut visible_env, k, v);
    }
    let octx = js.step_contexts(&sub, step_id, &visible_env, false);
    for (k, v) in &action.outputs {
        let location = format!("{}: outputs.{k}.value", action.file.display());
        match js.eval_text(v, &octx, &location) {
            Ok(value) => {
                result.outputs.insert(k.clone(), value);
            }
            Err(StepError::Failed(m)) => {
                sub.failed = true;
                result.annotations.push(Annotation::new(Level::Error, m));
            }
            Err(e) => return Err(e),
        }
    }
    result.outcome = if js.cancelled && children.iter().any(|c| c.outcome == Conclusion::Cancelled)
    {
        Conclusion::Cancelled
    } else if sub.failed {
        Conclusion::Failure
    } else {
        Conclusion::Success
    };
    result.summary = children.iter().map(|c| c.summary.as_str()).collect();
    result.steps = children;
    Ok(result)
}

fn run_remote(
    js: &mut JobState<'_>,
    frame: &Frame<'_>,
    step_id: &str,
    target: &str,
    with: &[(String, String)],
    step_env: &[(String, String)],
    ctx: &Contexts,
) -> Result<StepResult, StepError> {
    if target.starts_with("docker://") {
        return Err(StepError::Refused(refuse(format!(
            "`uses: {target}`: docker actions are not supported by the workflow harness"
        ))));
    }
    let Some((action_name, git_ref)) = target.split_once('@') else {
        return Err(StepError::Refused(refuse(format!(
            "`uses: {target}`: a remote action needs `@<ref>` (a full commit SHA)"
        ))));
    };
    let pinned = git_ref.len() == 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit());
    if !pinned && !js.rc.h.allow_unpinned {
        return Err(StepError::Refused(refuse(format!(
            "`uses: {target}` is not pinned to a full commit SHA (shipgate pins third-party actions; Harness::allow_unpinned_actions to accept)"
        ))));
    }
    let Some(stub) = js
        .rc
        .h
        .stubs
        .get(&action_name.to_ascii_lowercase())
        .cloned()
    else {
        return Err(StepError::Refused(refuse(format!(
            "`uses: {target}`: no stub is registered for `{action_name}` (Harness::stub); the harness never pretends a remote action passed"
        ))));
    };
    let declared = stub.inputs();
    let unexpected: Vec<&str> = with
        .iter()
        .filter(|(k, _)| !declared.iter().any(|(d, _)| d == k))
        .map(|(k, _)| k.as_str())
        .collect();
    if !unexpected.is_empty() {
        return Err(StepError::Refused(refuse(format!(
            "`uses: {target}`: unexpected input(s) '{}', valid inputs are [{}]",
            unexpected.join("', '"),
            declared
                .iter()
                .map(|(d, _)| format!("'{d}'"))
                .collect::<Vec<_>>()
                .join(", ")
        ))));
    }
    let mut inputs = BTreeMap::new();
    for (name, default) in &declared {
        let value = match with.iter().find(|(k, _)| k == name) {
            Some((_, v)) => v.clone(),
            None => match default {
                Some(d) => {
                    let mut dctx = ctx.clone();
                    dctx.values.retain(|(c, _)| ACTION_DEFAULTS.contains(c));
                    js.eval_text(d, &dctx, &format!("{action_name}: default of `{name}`"))?
                }
                None => String::new(),
            },
        };
        inputs.insert((*name).to_owned(), value);
    }
    let env_map = build_env(js, frame, step_id, step_env);
    let info = GithubInfo {
        repository: js.rc.h.repository.clone(),
        sha: js.rc.sha.clone(),
        ref_: js.rc.event.git_ref.clone(),
        run_id: js.rc.run_id,
        run_attempt: js.rc.event.attempt,
        server_url: js.rc.h.server_url.clone(),
        api_url: js.rc.h.api_url.clone(),
        token: js.token.clone(),
        event_name: js.rc.event.name.clone(),
        job: js.job.id.clone(),
    };
    let mut sctx = StubContext {
        uses: target,
        with: &inputs,
        workspace: &js.dirs.workspace,
        runner_temp: &js.dirs.temp,
        home: &js.dirs.home,
        env: &env_map,
        github: &info,
        artifacts: &js.rc.h.artifacts,
        remotes: &js.rc.h.remotes,
        log: Vec::new(),
        annotations: Vec::new(),
        exported_env: Vec::new(),
        added_path: Vec::new(),
        masks: Vec::new(),
    };
    let outcome = stub.run(&mut sctx);
    for m in &sctx.masks {
        js.masker.add(m);
    }
    let mut result = empty_step_named(target);
    result.uses = Some(target.to_owned());
    result.log = sctx
        .log
        .iter()
        .map(|l| format!("{}\n", js.masker.mask(l)))
        .collect();
    result.annotations = sctx
        .annotations
        .into_iter()
        .map(|mut a| {
            a.message = js.masker.mask(&a.message);
            a
        })
        .collect();
    for (k, v) in sctx.exported_env {
        set_pair(&mut js.env, &k, &v);
    }
    for p in sctx.added_path {
        files::apply_path_file(&p, &mut js.path_prepend);
    }
    match outcome {
        Ok(outputs) => {
            result.outputs = outputs;
            result.outcome = Conclusion::Success;
        }
        Err(StubError::Failed(m)) => {
            result.outcome = Conclusion::Failure;
            result
                .annotations
                .push(Annotation::new(Level::Error, js.masker.mask(&m)));
        }
        Err(StubError::Refused(m)) => return Err(StepError::Refused(refuse(m))),
    }
    Ok(result)
}
