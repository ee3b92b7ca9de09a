//! The compiled spec: checks, their requests or commands, expectations
//! and captures, and what the command line adds.

use crate::spec::raw::Loc;
use crate::template::{Template, Values};
use probe::{JsonPathExpr, Method, StatusExpect};
use regex::Regex;
use serde_json::Value;
use std::time::Duration;

/// The default bound on one HTTP request.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);
/// The default bound on one `run:` command.
pub const DEFAULT_RUN_TIMEOUT: Duration = Duration::from_secs(60);
/// The default pause between two attempts of a check.
pub const DEFAULT_RETRY_DELAY: Duration = Duration::from_secs(1);
/// The shortest pause between two attempts of a check.
pub const MIN_RETRY_DELAY: Duration = Duration::from_millis(100);
/// The most attempts a check may ask for.
pub const MAX_RETRIES: u32 = 100;

/// What the command line adds to the spec.
pub struct LoadOptions<'a> {
    /// How the file is named in messages.
    pub file: String,
    /// `--base-url`: wins over `base_url:`.
    pub base_url: Option<String>,
    /// `--var K=V`: wins over `vars:`.
    pub vars: Vec<(String, String)>,
    /// `--retries`: for checks without their own `retries:`.
    pub retries: Option<u32>,
    /// Looks up an environment variable for `${NAME}`.
    pub env: &'a dyn Fn(&str) -> Option<String>,
}

/// A spec ready to run.
#[derive(Debug, Clone)]
pub struct Spec {
    pub file: String,
    /// `--base-url`, else `base_url:` (without a trailing `/`).
    pub base_url: Option<String>,
    /// `vars:` and `--var`s, as `{{name}}` values.
    pub vars: Values,
    pub checks: Vec<Check>,
    /// For each check, the checks it waits for (indices, sorted).
    pub deps: Vec<Vec<usize>>,
    /// Values from `${ENV}` that sit in a secret header: mask them first.
    pub secrets: Vec<String>,
    /// The spec's own origins (`scheme://host:port`): the base URL's and
    /// every one written in a `url:` before its first placeholder. Requests
    /// (and so the spec's headers) go nowhere else.
    pub origins: Vec<String>,
}

/// One check.
#[derive(Debug, Clone)]
pub struct Check {
    pub name: String,
    pub loc: Loc,
    pub kind: Kind,
    pub captures: Vec<CaptureDef>,
    /// Check names given in `needs:`, with where.
    pub needs: Vec<(String, Loc)>,
    /// Extra attempts after a failure.
    pub retries: u32,
    pub retry_delay: Duration,
    /// Every `{{name}}` used, with where (and, for `run:`, every `$name`,
    /// as `$name`, which counts only when it names a capture).
    pub uses: Vec<(String, Loc)>,
    /// `{{name}}` written in a `run:` script (refused when `name` is a var
    /// or a capture: scripts are never templated).
    pub script_placeholders: Vec<(String, Loc)>,
}

#[derive(Debug, Clone)]
pub enum Kind {
    Http(HttpCheck),
    Run(RunCheck),
}

impl Check {
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Http(_) => "http",
            Kind::Run(_) => "command",
        }
    }
}

#[derive(Debug, Clone)]
pub struct HttpCheck {
    pub method: Method,
    pub target: Target,
    pub headers: Vec<Header>,
    pub query: Vec<(String, Template)>,
    pub body: Body,
    pub timeout: Duration,
    pub follow_redirects: bool,
    pub expect: HttpExpect,
    /// The origin the spec writes for this request: the base URL's for
    /// `path:`; for `url:`, that of the text before the first placeholder
    /// (`None` when a placeholder sits in the scheme or host: the URL must
    /// then be at one of [`Spec::origins`]).
    pub origin: Option<String>,
}

#[derive(Debug, Clone)]
pub enum Target {
    /// Joined to the base URL.
    Path(Template),
    /// A whole URL.
    Url(Template),
}

#[derive(Debug, Clone)]
pub struct Header {
    pub name: String,
    pub value: Template,
    /// `Authorization`, `Cookie`, a name with token/key/secret in it.
    pub secret: bool,
}

#[derive(Debug, Clone)]
pub enum Body {
    None,
    Json(JsonTemplate),
    Text(Template),
}

/// A JSON value whose strings are templates. A string that is exactly one
/// `{{name}}` takes the value's own JSON type (a captured number stays a
/// number).
#[derive(Debug, Clone, PartialEq)]
pub enum JsonTemplate {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(Template),
    Array(Vec<JsonTemplate>),
    Object(Vec<(String, JsonTemplate)>),
}

impl JsonTemplate {
    pub fn render(&self, values: &Values) -> Result<Value, String> {
        Ok(match self {
            JsonTemplate::Null => Value::Null,
            JsonTemplate::Bool(b) => Value::Bool(*b),
            JsonTemplate::Number(n) => Value::Number(n.clone()),
            JsonTemplate::String(t) => match t.sole_var() {
                Some(name) => values.get(name).cloned().ok_or_else(|| name.to_owned())?,
                None => Value::String(t.render(values)?),
            },
            JsonTemplate::Array(items) => Value::Array(
                items
                    .iter()
                    .map(|i| i.render(values))
                    .collect::<Result<_, _>>()?,
            ),
            JsonTemplate::Object(entries) => Value::Object(
                entries
                    .iter()
                    .map(|(k, v)| Ok((k.clone(), v.render(values)?)))
                    .collect::<Result<_, String>>()?,
            ),
        })
    }
}

#[derive(Debug, Clone)]
pub struct JsonExpect {
    pub path: JsonPathExpr,
    pub value: JsonTemplate,
}

#[derive(Debug, Clone)]
pub struct HttpExpect {
    /// `2xx` when not given.
    pub status: StatusExpect,
    pub headers: Vec<(String, Template)>,
    pub body_contains: Vec<Template>,
    pub body_matches: Vec<Regex>,
    pub json: Vec<JsonExpect>,
    pub max_latency: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct RunCheck {
    /// Passed to bash as it is: never templated.
    pub script: String,
    pub timeout: Duration,
    /// Captures the script refers to as `$name`, exported to it.
    pub env_names: Vec<String>,
    pub expect: RunExpect,
}

#[derive(Debug, Clone)]
pub struct RunExpect {
    pub exit: i32,
    pub stdout_contains: Vec<Template>,
    pub stdout_matches: Vec<Regex>,
    pub stderr_contains: Vec<Template>,
    /// JSONPath expectations on stdout parsed as JSON.
    pub json: Vec<JsonExpect>,
    pub max_latency: Option<Duration>,
}

#[derive(Debug, Clone)]
pub struct CaptureDef {
    pub name: String,
    pub loc: Loc,
    pub from: CaptureFrom,
}

#[derive(Debug, Clone)]
pub enum CaptureFrom {
    /// JSONPath into the body (or stdout).
    Json(JsonPathExpr),
    /// A response header (lower-case name).
    Header(String),
    /// The first group (else the whole match) in the body (or stdout).
    Regex(Regex),
}

impl CaptureFrom {
    pub fn describe(&self) -> String {
        match self {
            CaptureFrom::Json(p) => p.to_string(),
            CaptureFrom::Header(h) => format!("header {h}"),
            CaptureFrom::Regex(r) => format!("regex {}", r.as_str()),
        }
    }
}
