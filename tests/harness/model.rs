//! Workflow and composite-action files, read strictly: every key is known,
//! or named as unsupported, or the file is refused.

use super::yaml::{At, Node, get};
use std::path::{Path, PathBuf};

/// The workflow keys the harness implements.
const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "run-name",
    "on",
    "permissions",
    "concurrency",
    "env",
    "defaults",
    "jobs",
];
const JOB_KEYS: &[&str] = &[
    "name",
    "needs",
    "if",
    "runs-on",
    "environment",
    "outputs",
    "env",
    "defaults",
    "timeout-minutes",
    "permissions",
    "concurrency",
    "steps",
];
const JOB_UNSUPPORTED: &[&str] = &[
    "strategy",
    "container",
    "services",
    "uses",
    "with",
    "secrets",
    "continue-on-error",
    "snapshot",
];
const STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "if",
    "run",
    "shell",
    "env",
    "with",
    "uses",
    "continue-on-error",
    "working-directory",
    "timeout-minutes",
];
const COMPOSITE_STEP_KEYS: &[&str] = &[
    "id",
    "name",
    "if",
    "run",
    "shell",
    "env",
    "with",
    "uses",
    "continue-on-error",
    "working-directory",
];

/// Events GitHub knows; only some can be run by the harness.
const KNOWN_EVENTS: &[&str] = &[
    "branch_protection_rule",
    "check_run",
    "check_suite",
    "create",
    "delete",
    "deployment",
    "deployment_status",
    "discussion",
    "discussion_comment",
    "fork",
    "gollum",
    "issue_comment",
    "issues",
    "label",
    "merge_group",
    "milestone",
    "page_build",
    "public",
    "pull_request",
    "pull_request_review",
    "pull_request_review_comment",
    "pull_request_target",
    "push",
    "registry_package",
    "release",
    "repository_dispatch",
    "schedule",
    "status",
    "watch",
    "workflow_call",
    "workflow_dispatch",
    "workflow_run",
];

pub const PERMISSION_SCOPES: &[&str] = &[
    "actions",
    "attestations",
    "checks",
    "contents",
    "deployments",
    "discussions",
    "id-token",
    "issues",
    "models",
    "packages",
    "pages",
    "pull-requests",
    "repository-projects",
    "security-events",
    "statuses",
];

#[derive(Debug, Clone)]
pub struct Workflow {
    pub file: PathBuf,
    pub name: Option<String>,
    pub run_name: Option<String>,
    pub on: Triggers,
    pub permissions: Option<Permissions>,
    pub concurrency: Option<Concurrency>,
    pub env: Vec<(String, String)>,
    pub defaults: RunDefaults,
    pub jobs: Vec<Job>,
}

#[derive(Debug, Clone, Default)]
pub struct Triggers {
    /// Every declared event with its configuration node.
    pub events: Vec<(String, Node)>,
    pub dispatch_inputs: Vec<DispatchInput>,
}

impl Triggers {
    pub fn get(&self, event: &str) -> Option<&Node> {
        self.events.iter().find(|(e, _)| e == event).map(|(_, n)| n)
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum InputType {
    String,
    Boolean,
    Number,
    Environment,
    Choice(Vec<String>),
}

#[derive(Debug, Clone)]
pub struct DispatchInput {
    pub name: String,
    pub required: bool,
    pub default: Option<String>,
    pub kind: InputType,
}

/// `permissions:` — a shorthand or a scope map.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Permissions {
    ReadAll,
    WriteAll,
    /// Scope → `read` / `write` / `none`; scopes not listed are `none`.
    Scopes(Vec<(String, String)>),
}

impl Permissions {
    /// The level granted for a scope (`none` when not granted).
    pub fn level(&self, scope: &str) -> &str {
        match self {
            Permissions::ReadAll => "read",
            Permissions::WriteAll => "write",
            Permissions::Scopes(s) => s
                .iter()
                .find(|(k, _)| k == scope)
                .map_or("none", |(_, v)| v.as_str()),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Concurrency {
    pub group: String,
    /// A template (`true`, `false`, or `${{ … }}`).
    pub cancel_in_progress: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunDefaults {
    pub shell: Option<String>,
    pub working_directory: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub id: String,
    pub name: Option<String>,
    pub needs: Vec<String>,
    pub if_: Option<String>,
    pub environment: Option<EnvironmentRef>,
    pub outputs: Vec<(String, String)>,
    pub env: Vec<(String, String)>,
    pub defaults: RunDefaults,
    pub timeout_minutes: Option<String>,
    pub permissions: Option<Permissions>,
    pub concurrency: Option<Concurrency>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvironmentRef {
    pub name: String,
    pub url: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Step {
    /// For messages: `jobs.build.steps[2]`.
    pub location: String,
    pub id: Option<String>,
    pub name: Option<String>,
    pub if_: Option<String>,
    pub body: StepBody,
    pub env: Vec<(String, String)>,
    pub continue_on_error: Option<String>,
    pub timeout_minutes: Option<String>,
}

#[derive(Debug, Clone)]
pub enum StepBody {
    Run {
        script: String,
        shell: Option<String>,
        working_directory: Option<String>,
    },
    Uses {
        target: String,
        with: Vec<(String, String)>,
    },
}

#[derive(Debug, Clone)]
pub struct Action {
    pub dir: PathBuf,
    pub file: PathBuf,
    pub name: String,
    pub inputs: Vec<ActionInput>,
    pub outputs: Vec<(String, String)>,
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone)]
pub struct ActionInput {
    pub name: String,
    pub required: bool,
    pub default: Option<String>,
}

fn valid_id(id: &str) -> bool {
    let mut chars = id.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

fn read(file: &Path) -> Result<Node, String> {
    let text = std::fs::read_to_string(file)
        .map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    super::yaml::parse(&text).map_err(|e| format!("{}: invalid YAML: {e}", file.display()))
}

pub fn load_workflow(file: &Path) -> Result<Workflow, String> {
    let root = read(file)?;
    parse_workflow(&root, file).map_err(|e| format!("{}: {e}", file.display()))
}

fn parse_workflow(root: &Node, file: &Path) -> Result<Workflow, String> {
    let top = At::new(root, "");
    let entries = top.map(WORKFLOW_KEYS, &[])?;
    let on = get(entries, "on").ok_or("missing `on:`")?;
    let jobs_node = get(entries, "jobs").ok_or("missing `jobs:`")?;
    let text = |key: &str| -> Result<Option<String>, String> {
        get(entries, key)
            .map(|n| At::new(n, key).text())
            .transpose()
    };
    let mut jobs = Vec::new();
    for (id, node) in At::new(jobs_node, "jobs").entries()? {
        if !valid_id(id) {
            return Err(format!(
                "jobs.{id}: a job id starts with a letter or `_` and holds only letters, digits, `-` and `_`"
            ));
        }
        jobs.push(parse_job(id, node)?);
    }
    if jobs.is_empty() {
        return Err("`jobs:` is empty".into());
    }
    for job in &jobs {
        for need in &job.needs {
            if !jobs.iter().any(|j| &j.id == need) {
                return Err(format!("jobs.{}.needs: unknown job `{need}`", job.id));
            }
        }
    }
    Ok(Workflow {
        file: file.to_owned(),
        name: text("name")?,
        run_name: text("run-name")?,
        on: parse_triggers(on)?,
        permissions: get(entries, "permissions")
            .map(|n| parse_permissions(n, "permissions"))
            .transpose()?,
        concurrency: get(entries, "concurrency")
            .map(|n| parse_concurrency(n, "concurrency"))
            .transpose()?,
        env: get(entries, "env")
            .map(|n| At::new(n, "env").string_map())
            .transpose()?
            .unwrap_or_default(),
        defaults: get(entries, "defaults")
            .map(|n| parse_defaults(n, "defaults"))
            .transpose()?
            .unwrap_or_default(),
        jobs,
    })
}

fn parse_triggers(node: &Node) -> Result<Triggers, String> {
    let mut t = Triggers::default();
    let names: Vec<(String, Node)> = match node {
        Node::Str(s) => vec![(s.clone(), Node::Null)],
        Node::Seq(items) => items
            .iter()
            .enumerate()
            .map(|(i, n)| {
                let p = format!("on[{i}]");
                Ok((At::new(n, &p).string()?, Node::Null))
            })
            .collect::<Result<_, String>>()?,
        Node::Map(entries) => entries.clone(),
        other => {
            return Err(format!(
                "on: expected an event, a list or a mapping, found {}",
                other.kind()
            ));
        }
    };
    for (event, config) in names {
        if !KNOWN_EVENTS.contains(&event.as_str()) {
            return Err(format!("on: unknown event `{event}`"));
        }
        let path = format!("on.{event}");
        let at = At::new(&config, &path);
        match event.as_str() {
            "push" if config != Node::Null => {
                at.map(
                    &[
                        "branches",
                        "branches-ignore",
                        "tags",
                        "tags-ignore",
                        "paths",
                        "paths-ignore",
                    ],
                    &[],
                )?;
            }
            "pull_request" | "pull_request_target" if config != Node::Null => {
                at.map(
                    &[
                        "types",
                        "branches",
                        "branches-ignore",
                        "paths",
                        "paths-ignore",
                    ],
                    &[],
                )?;
            }
            "merge_group" if config != Node::Null => {
                at.map(&["types", "branches"], &[])?;
            }
            "workflow_dispatch" if config != Node::Null => {
                let entries = at.map(&["inputs"], &[])?;
                if let Some(inputs) = get(entries, "inputs") {
                    let ipath = format!("{path}.inputs");
                    for (name, spec) in At::new(inputs, &ipath).entries()? {
                        t.dispatch_inputs
                            .push(parse_dispatch_input(name, spec, &ipath)?);
                    }
                }
            }
            _ => {}
        }
        t.events.push((event, config));
    }
    Ok(t)
}

fn parse_dispatch_input(name: &str, spec: &Node, parent: &str) -> Result<DispatchInput, String> {
    let path = format!("{parent}.{name}");
    let at = At::new(spec, &path);
    let entries = at.map(
        &["description", "required", "default", "type", "options"],
        &[],
    )?;
    let required = get(entries, "required")
        .map(|n| At::new(n, &format!("{path}.required")).bool())
        .transpose()?
        .unwrap_or(false);
    let default = get(entries, "default")
        .map(|n| At::new(n, &format!("{path}.default")).text())
        .transpose()?;
    let kind = match get(entries, "type")
        .map(|n| At::new(n, &format!("{path}.type")).string())
        .transpose()?
        .as_deref()
    {
        None | Some("string") => InputType::String,
        Some("boolean") => InputType::Boolean,
        Some("number") => InputType::Number,
        Some("environment") => InputType::Environment,
        Some("choice") => {
            let p = format!("{path}.options");
            let options = get(entries, "options")
                .ok_or_else(|| format!("{path}: a choice input needs `options:`"))?;
            let options: Vec<String> = At::new(options, &p)
                .seq()?
                .iter()
                .map(|o| At::new(o, &p).text())
                .collect::<Result<_, _>>()?;
            if let Some(d) = &default
                && !options.contains(d)
            {
                return Err(format!(
                    "{path}: the default `{d}` is not one of the options"
                ));
            }
            InputType::Choice(options)
        }
        Some(other) => return Err(format!("{path}.type: unknown input type `{other}`")),
    };
    if !matches!(kind, InputType::Choice(_)) && get(entries, "options").is_some() {
        return Err(format!("{path}: `options:` only applies to `type: choice`"));
    }
    Ok(DispatchInput {
        name: name.to_owned(),
        required,
        default,
        kind,
    })
}

fn parse_permissions(node: &Node, path: &str) -> Result<Permissions, String> {
    match node {
        Node::Str(s) if s == "read-all" => Ok(Permissions::ReadAll),
        Node::Str(s) if s == "write-all" => Ok(Permissions::WriteAll),
        Node::Str(s) => Err(format!(
            "{path}: expected read-all, write-all or a mapping, found `{s}`"
        )),
        Node::Map(_) => {
            let at = At::new(node, path);
            let entries = at.map(PERMISSION_SCOPES, &[])?;
            let mut scopes = Vec::new();
            for (scope, level) in entries {
                let level = At::new(level, &format!("{path}.{scope}")).string()?;
                let allowed: &[&str] = if scope == "id-token" {
                    &["write", "none"]
                } else {
                    &["read", "write", "none"]
                };
                if !allowed.contains(&level.as_str()) {
                    return Err(format!(
                        "{path}.{scope}: `{level}` is not a permission level ({})",
                        allowed.join(", ")
                    ));
                }
                scopes.push((scope.clone(), level));
            }
            Ok(Permissions::Scopes(scopes))
        }
        other => Err(format!(
            "{path}: expected read-all, write-all or a mapping, found {}",
            other.kind()
        )),
    }
}

fn parse_concurrency(node: &Node, path: &str) -> Result<Concurrency, String> {
    match node {
        Node::Map(_) => {
            let entries = At::new(node, path).map(&["group", "cancel-in-progress"], &[])?;
            let group =
                get(entries, "group").ok_or_else(|| format!("{path}: `group:` is required"))?;
            Ok(Concurrency {
                group: At::new(group, &format!("{path}.group")).text()?,
                cancel_in_progress: get(entries, "cancel-in-progress")
                    .map(|n| At::new(n, &format!("{path}.cancel-in-progress")).text())
                    .transpose()?
                    .unwrap_or_else(|| "false".into()),
            })
        }
        other => Ok(Concurrency {
            group: At::new(other, path).text()?,
            cancel_in_progress: "false".into(),
        }),
    }
}

fn parse_defaults(node: &Node, path: &str) -> Result<RunDefaults, String> {
    let entries = At::new(node, path).map(&["run"], &[])?;
    let Some(run) = get(entries, "run") else {
        return Ok(RunDefaults::default());
    };
    let rpath = format!("{path}.run");
    let entries = At::new(run, &rpath).map(&["shell", "working-directory"], &[])?;
    let shell = get(entries, "shell")
        .map(|n| At::new(n, &format!("{rpath}.shell")).string())
        .transpose()?;
    if let Some(s) = &shell {
        check_shell(s, &format!("{rpath}.shell"))?;
    }
    Ok(RunDefaults {
        shell,
        working_directory: get(entries, "working-directory")
            .map(|n| At::new(n, &format!("{rpath}.working-directory")).text())
            .transpose()?,
    })
}

fn check_shell(shell: &str, path: &str) -> Result<(), String> {
    if shell == "bash" {
        Ok(())
    } else {
        Err(format!(
            "{path}: shell `{shell}` is not supported by the workflow harness (only `bash`)"
        ))
    }
}

fn parse_job(id: &str, node: &Node) -> Result<Job, String> {
    let path = format!("jobs.{id}");
    let entries = At::new(node, &path).map(JOB_KEYS, JOB_UNSUPPORTED)?;
    let sub = |key: &str| format!("{path}.{key}");
    if get(entries, "runs-on").is_none() {
        return Err(format!("{path}: `runs-on:` is required"));
    }
    let steps_node =
        get(entries, "steps").ok_or_else(|| format!("{path}: `steps:` is required"))?;
    let steps_path = sub("steps");
    let steps = At::new(steps_node, &steps_path)
        .seq()?
        .iter()
        .enumerate()
        .map(|(i, s)| parse_step(s, &format!("{steps_path}[{i}]"), false))
        .collect::<Result<Vec<_>, _>>()?;
    check_unique_ids(&steps, &path)?;
    let environment = match get(entries, "environment") {
        None => None,
        Some(Node::Map(_)) => {
            let n = get(entries, "environment").unwrap_or(&Node::Null);
            let p = sub("environment");
            let e = At::new(n, &p).map(&["name", "url", "deployment"], &[])?;
            Some(EnvironmentRef {
                name: At::new(
                    get(e, "name").ok_or_else(|| format!("{p}: `name:` is required"))?,
                    &p,
                )
                .text()?,
                url: get(e, "url").map(|u| At::new(u, &p).text()).transpose()?,
            })
        }
        Some(n) => Some(EnvironmentRef {
            name: At::new(n, &sub("environment")).text()?,
            url: None,
        }),
    };
    Ok(Job {
        id: id.to_owned(),
        name: get(entries, "name")
            .map(|n| At::new(n, &sub("name")).text())
            .transpose()?,
        needs: get(entries, "needs")
            .map(|n| At::new(n, &sub("needs")).string_or_list())
            .transpose()?
            .unwrap_or_default(),
        if_: get(entries, "if")
            .map(|n| At::new(n, &sub("if")).text())
            .transpose()?,
        environment,
        outputs: get(entries, "outputs")
            .map(|n| At::new(n, &sub("outputs")).string_map())
            .transpose()?
            .unwrap_or_default(),
        env: get(entries, "env")
            .map(|n| At::new(n, &sub("env")).string_map())
            .transpose()?
            .unwrap_or_default(),
        defaults: get(entries, "defaults")
            .map(|n| parse_defaults(n, &sub("defaults")))
            .transpose()?
            .unwrap_or_default(),
        timeout_minutes: get(entries, "timeout-minutes")
            .map(|n| At::new(n, &sub("timeout-minutes")).text())
            .transpose()?,
        permissions: get(entries, "permissions")
            .map(|n| parse_permissions(n, &sub("permissions")))
            .transpose()?,
        concurrency: get(entries, "concurrency")
            .map(|n| parse_concurrency(n, &sub("concurrency")))
            .transpose()?,
        steps,
    })
}

fn check_unique_ids(steps: &[Step], path: &str) -> Result<(), String> {
    let mut seen = std::collections::BTreeSet::new();
    for s in steps {
        if let Some(id) = &s.id
            && !seen.insert(id.to_ascii_lowercase())
        {
            return Err(format!("{path}: the step id `{id}` is used twice"));
        }
    }
    Ok(())
}

fn parse_step(node: &Node, path: &str, composite: bool) -> Result<Step, String> {
    let keys = if composite {
        COMPOSITE_STEP_KEYS
    } else {
        STEP_KEYS
    };
    let unsupported: &[&str] = if composite { &["timeout-minutes"] } else { &[] };
    let entries = At::new(node, path).map(keys, unsupported)?;
    let sub = |key: &str| format!("{path}.{key}");
    let text = |key: &str| -> Result<Option<String>, String> {
        get(entries, key)
            .map(|n| At::new(n, &sub(key)).text())
            .transpose()
    };
    let id = get(entries, "id")
        .map(|n| At::new(n, &sub("id")).string())
        .transpose()?;
    if let Some(id) = &id
        && !valid_id(id)
    {
        return Err(format!(
            "{path}.id: `{id}` is not a valid id (a letter or `_` first, then letters, digits, `-`, `_`)"
        ));
    }
    let body = match (get(entries, "run"), get(entries, "uses")) {
        (Some(_), Some(_)) => {
            return Err(format!("{path}: a step has `run:` or `uses:`, not both"));
        }
        (None, None) => return Err(format!("{path}: a step needs `run:` or `uses:`")),
        (Some(run), None) => {
            if get(entries, "with").is_some() {
                return Err(format!("{path}: `with:` only applies to `uses:` steps"));
            }
            let shell = text("shell")?;
            match &shell {
                Some(s) => check_shell(s, &sub("shell"))?,
                None if composite => {
                    return Err(format!(
                        "{path}: `shell:` is required for `run:` steps in a composite action"
                    ));
                }
                None => {}
            }
            StepBody::Run {
                script: At::new(run, &sub("run")).text()?,
                shell,
                working_directory: text("working-directory")?,
            }
        }
        (None, Some(uses)) => {
            for key in ["shell", "working-directory"] {
                if get(entries, key).is_some() {
                    return Err(format!("{path}: `{key}:` only applies to `run:` steps"));
                }
            }
            StepBody::Uses {
                target: At::new(uses, &sub("uses")).string()?,
                with: get(entries, "with")
                    .map(|n| At::new(n, &sub("with")).string_map())
                    .transpose()?
                    .unwrap_or_default(),
            }
        }
    };
    Ok(Step {
        location: path.to_owned(),
        id,
        name: text("name")?,
        if_: text("if")?,
        body,
        env: get(entries, "env")
            .map(|n| At::new(n, &sub("env")).string_map())
            .transpose()?
            .unwrap_or_default(),
        continue_on_error: text("continue-on-error")?,
        timeout_minutes: text("timeout-minutes")?,
    })
}

/// Loads `action.yml` (or `action.yaml`) from a folder. `Ok(None)` when
/// neither exists (the runner fails the step then).
pub fn load_action(dir: &Path) -> Result<Option<Action>, String> {
    let file = ["action.yml", "action.yaml"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file());
    let Some(file) = file else {
        return Ok(None);
    };
    let root = read(&file)?;
    parse_action(&root, dir, &file)
        .map(Some)
        .map_err(|e| format!("{}: {e}", file.display()))
}

fn parse_action(root: &Node, dir: &Path, file: &Path) -> Result<Action, String> {
    let entries = At::new(root, "").map(
        &[
            "name",
            "description",
            "author",
            "inputs",
            "outputs",
            "runs",
            "branding",
        ],
        &[],
    )?;
    let name = get(entries, "name")
        .ok_or("`name:` is required")
        .and_then(|n| {
            At::new(n, "name")
                .text()
                .map_err(|_| "`name:` must be a string")
        })?;
    let mut inputs = Vec::new();
    if let Some(node) = get(entries, "inputs") {
        for (input, spec) in At::new(node, "inputs").entries()? {
            let p = format!("inputs.{input}");
            let e = At::new(spec, &p).map(
                &["description", "required", "default", "deprecationMessage"],
                &[],
            )?;
            inputs.push(ActionInput {
                name: input.clone(),
                required: get(e, "required")
                    .map(|n| At::new(n, &format!("{p}.required")).bool())
                    .transpose()?
                    .unwrap_or(false),
                default: get(e, "default")
                    .map(|n| At::new(n, &format!("{p}.default")).text())
                    .transpose()?,
            });
        }
    }
    let mut outputs = Vec::new();
    if let Some(node) = get(entries, "outputs") {
        for (output, spec) in At::new(node, "outputs").entries()? {
            let p = format!("outputs.{output}");
            let e = At::new(spec, &p).map(&["description", "value"], &[])?;
            let value = get(e, "value")
                .ok_or_else(|| format!("{p}: a composite action's output needs `value:`"))?;
            outputs.push((
                output.clone(),
                At::new(value, &format!("{p}.value")).text()?,
            ));
        }
    }
    let runs = get(entries, "runs").ok_or("`runs:` is required")?;
    let r = At::new(runs, "runs").map(
        &[
            "using",
            "steps",
            "main",
            "pre",
            "post",
            "image",
            "args",
            "entrypoint",
            "env",
            "pre-if",
            "post-if",
            "pre-entrypoint",
            "post-entrypoint",
        ],
        &[],
    )?;
    let using = get(r, "using")
        .ok_or("runs: `using:` is required")
        .and_then(|n| {
            At::new(n, "runs.using")
                .string()
                .map_err(|_| "runs.using must be a string")
        })?;
    if using != "composite" {
        return Err(format!(
            "runs.using: `{using}` actions are not supported by the workflow harness (only composite; register a stub for remote ones)"
        ));
    }
    for key in [
        "main",
        "pre",
        "post",
        "image",
        "args",
        "entrypoint",
        "env",
        "pre-if",
        "post-if",
        "pre-entrypoint",
        "post-entrypoint",
    ] {
        if get(r, key).is_some() {
            return Err(format!("runs.{key}: not valid for a composite action"));
        }
    }
    let steps_node = get(r, "steps").ok_or("runs: `steps:` is required")?;
    let steps = At::new(steps_node, "runs.steps")
        .seq()?
        .iter()
        .enumerate()
        .map(|(i, s)| parse_step(s, &format!("runs.steps[{i}]"), true))
        .collect::<Result<Vec<_>, _>>()?;
    check_unique_ids(&steps, "runs.steps")?;
    Ok(Action {
        dir: dir.to_owned(),
        file: file.to_owned(),
        name,
        inputs,
        outputs,
        steps,
    })
}
