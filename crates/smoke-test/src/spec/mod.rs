//! The spec, compiled: `${ENV}` expanded, templates parsed, values
//! validated, the dependency graph checked. Every problem is a
//! [`SpecError`] with the file, line and column of the value at fault, and
//! all of them are collected before the spec is refused.

pub mod raw;

use crate::template::{self, Part, Template, Token, Values};
use probe::{JsonPathExpr, Method, StatusExpect};
use raw::{Loc, Node, NodeKind, OneOrMany, Text};
use regex::Regex;
use serde_json::Value;
use std::collections::{BTreeSet, HashMap};
use std::fmt;
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

/// A problem in the spec, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: String,
    /// 1-based; 0 when the problem has no place (an empty file).
    pub line: u64,
    pub col: u64,
    pub message: String,
    /// The source lines around the place, with a caret, when available.
    pub snippet: Option<String>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            )
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

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

/// A spec that cannot run: every problem found, and the secrets met on the
/// way (to mask before the problems are shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors {
    pub errors: Vec<SpecError>,
    pub secrets: Vec<String>,
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [] => f.write_str("invalid spec"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(
                f,
                "{first} (and {} more problem{})",
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for SpecErrors {}

impl gha::Classify for SpecErrors {
    fn class(&self) -> gha::ErrorClass {
        gha::ErrorClass::Input
    }
}

/// Parses and compiles a spec. `source` is the file's text.
pub fn load(source: &str, opts: &LoadOptions<'_>) -> Result<Spec, SpecErrors> {
    let mut c = Compiler::new(source, opts);
    if source.trim().is_empty() {
        return Err(SpecErrors {
            errors: vec![c.error_at(
                Loc::default(),
                "the spec is empty: it needs at least `checks:` with one check".into(),
            )],
            secrets: Vec::new(),
        });
    }
    let raw: raw::Spec = match serde_saphyr::from_str(source) {
        Ok(r) => r,
        Err(e) => {
            return Err(SpecErrors {
                errors: vec![c.yaml_error(&e)],
                secrets: Vec::new(),
            });
        }
    };
    let spec = c.compile(raw);
    if c.errors.is_empty() {
        Ok(spec)
    } else {
        c.errors.sort_by_key(|e| (e.line, e.col));
        Err(SpecErrors {
            errors: c.errors,
            secrets: spec.secrets,
        })
    }
}

struct Compiler<'a> {
    file: String,
    source: &'a str,
    line_starts: Vec<usize>,
    opts: &'a LoadOptions<'a>,
    errors: Vec<SpecError>,
    secrets: Vec<String>,
}

impl<'a> Compiler<'a> {
    fn new(source: &'a str, opts: &'a LoadOptions<'a>) -> Self {
        let mut line_starts = vec![0];
        line_starts.extend(source.match_indices('\n').map(|(i, _)| i + 1));
        Compiler {
            file: opts.file.clone(),
            source,
            line_starts,
            opts,
            errors: Vec::new(),
            secrets: Vec::new(),
        }
    }

    fn error_at(&self, loc: Loc, message: String) -> SpecError {
        SpecError {
            file: self.file.clone(),
            line: loc.line,
            col: loc.col,
            snippet: self.snippet(loc),
            message,
        }
    }

    fn err(&mut self, loc: Loc, message: impl Into<String>) {
        let e = self.error_at(loc, message.into());
        self.errors.push(e);
    }

    /// The line of `loc` with a caret under its column.
    fn snippet(&self, loc: Loc) -> Option<String> {
        if loc.line == 0 {
            return None;
        }
        let idx = usize::try_from(loc.line - 1).ok()?;
        let start = *self.line_starts.get(idx)?;
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.source.len(), |e| e - 1);
        let line = self.source.get(start..end)?.trim_end_matches('\r');
        let gutter = loc.line.to_string();
        let pad = " ".repeat(gutter.len());
        let caret = " ".repeat(usize::try_from(loc.col.saturating_sub(1)).unwrap_or(0));
        Some(format!("{pad} |\n{gutter} | {line}\n{pad} | {caret}^"))
    }

    fn yaml_error(&self, e: &serde_saphyr::Error) -> SpecError {
        let loc = e
            .location()
            .map(|l| Loc {
                line: l.line(),
                col: l.column(),
                offset: None,
            })
            .unwrap_or_default();
        let message = yaml_message(e);
        self.error_at(loc, message)
    }

    /// Line and column of a byte offset.
    fn loc_of_offset(&self, offset: usize) -> Loc {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.source[start..offset].chars().count() + 1;
        Loc {
            line: line as u64,
            col: col as u64,
            offset: Some(offset),
        }
    }

    /// Where `raw` (found at byte `at` of the value) is in the source: the
    /// same occurrence after the value's start; else the value's start.
    fn locate(&self, value_loc: Loc, value: &str, raw: &str, at: usize) -> Loc {
        let Some(start) = value_loc.offset else {
            return value_loc;
        };
        let nth = value[..at].matches(raw).count();
        self.source
            .get(start..)
            .and_then(|rest| rest.match_indices(raw).nth(nth))
            .map_or(value_loc, |(i, _)| self.loc_of_offset(start + i))
    }

    /// Expands `${ENV}` in `t` and parses `{{name}}` (when `vars`).
    fn template(&mut self, t: &Text, vars: bool) -> (Template, Vec<(String, Loc)>) {
        let mut parts = Vec::new();
        let mut uses = Vec::new();
        for token in template::scan(&t.value, true, vars) {
            match token {
                Token::Lit(s) => parts.push(Part::Lit(s)),
                Token::Var {
                    name,
                    filter,
                    at,
                    raw,
                } => {
                    let loc = self.locate(t.loc, &t.value, &raw, at);
                    uses.push((name.clone(), loc));
                    match filter.as_deref() {
                        None => parts.push(Part::Var(name)),
                        Some("raw") => parts.push(Part::Raw(name)),
                        Some(other) => {
                            self.err(
                                loc,
                                format!(
                                    "unknown filter '{other}' in {raw}: the only filter is raw, as in {{{{{name} | raw}}}}"
                                ),
                            );
                            parts.push(Part::Var(name));
                        }
                    }
                }
                Token::Env {
                    name,
                    default,
                    at,
                    raw,
                } => {
                    let value = (self.opts.env)(&name).filter(|v| !v.is_empty());
                    match (value, default) {
                        (Some(v), _) => parts.push(Part::Env { name, value: v }),
                        (None, Some(d)) => parts.push(Part::Lit(d)),
                        (None, None) => {
                            let loc = self.locate(t.loc, &t.value, &raw, at);
                            self.err(
                                loc,
                                format!(
                                    "environment variable {name} is not set (or empty): set it, give a default with ${{{name}:-value}}, or write $${{{name}}} for a literal ${{{name}}}"
                                ),
                            );
                        }
                    }
                }
                Token::BadEnv { at, raw } => {
                    let loc = self.locate(t.loc, &t.value, &raw, at);
                    self.err(
                        loc,
                        format!(
                            "malformed environment reference '{raw}': expected ${{NAME}} or ${{NAME:-default}} (NAME: letters, digits, _), or $${{ for a literal ${{"
                        ),
                    );
                }
            }
        }
        (Template { parts }, uses)
    }

    /// A value with `${ENV}` expanded and no placeholders (durations,
    /// numbers, regexes, paths).
    fn plain(&mut self, t: &Text) -> String {
        let (tpl, _) = self.template(t, false);
        tpl.render(&Values::new()).unwrap_or_default()
    }

    /// [`Compiler::plain`], or `None` when expanding it failed (already
    /// reported: no second error about the same value).
    fn expanded(&mut self, t: &Text) -> Option<String> {
        let before = self.errors.len();
        let s = self.plain(t);
        (self.errors.len() == before).then_some(s)
    }

    fn duration(&mut self, t: &Text, what: &str) -> Option<Duration> {
        let s = self.expanded(t)?;
        match gha::cli::duration(&s) {
            Ok(d) if d.is_zero() => {
                self.err(t.loc, format!("{what} must be more than 0, e.g. 5s"));
                None
            }
            Ok(d) => Some(d),
            Err(e) => {
                self.err(t.loc, format!("{what}: {e}"));
                None
            }
        }
    }

    /// A pause between attempts: at least [`MIN_RETRY_DELAY`].
    fn retry_delay(&mut self, t: &Text, what: &str) -> Option<Duration> {
        let d = self.duration(t, what)?;
        if d < MIN_RETRY_DELAY {
            let s = self.plain(t);
            self.err(
                t.loc,
                format!(
                    "{what} '{}' is below the floor of {}: expected at least 100ms, such as 1s",
                    s.trim(),
                    gha::cli::human_duration(MIN_RETRY_DELAY)
                ),
            );
            return None;
        }
        Some(d)
    }

    fn count(&mut self, t: &Text, what: &str) -> Option<u32> {
        let s = self.expanded(t)?;
        match s.trim().parse::<u32>() {
            Ok(n) if n <= MAX_RETRIES => Some(n),
            _ => {
                self.err(
                    t.loc,
                    format!("invalid {what} '{s}': expected a whole number from 0 to {MAX_RETRIES}, e.g. 3"),
                );
                None
            }
        }
    }

    fn boolean(&mut self, t: &Text, what: &str) -> Option<bool> {
        match self.expanded(t)?.trim() {
            "true" => Some(true),
            "false" => Some(false),
            other => {
                self.err(
                    t.loc,
                    format!("invalid {what} '{other}': expected true or false"),
                );
                None
            }
        }
    }

    fn regex(&mut self, t: &Text, what: &str) -> Option<Regex> {
        let s = self.expanded(t)?;
        match Regex::new(&s) {
            Ok(r) => Some(r),
            Err(e) => {
                let detail = e.to_string();
                let last = detail.lines().last().unwrap_or("").trim();
                let last = last.strip_prefix("error: ").unwrap_or(last).to_owned();
                self.err(t.loc, format!("invalid {what} '{s}': {last}"));
                None
            }
        }
    }

    fn json_path(&mut self, t: &Text) -> Option<JsonPathExpr> {
        let s = self.expanded(t)?;
        match JsonPathExpr::parse(&s) {
            Ok(p) => Some(p),
            Err(e) => {
                self.err(t.loc, e.to_string());
                None
            }
        }
    }

    fn json_template(&mut self, n: &Node, uses: &mut Vec<(String, Loc)>) -> JsonTemplate {
        match &n.kind {
            NodeKind::Null => JsonTemplate::Null,
            NodeKind::Bool(b) => JsonTemplate::Bool(*b),
            NodeKind::Number(x) => JsonTemplate::Number(x.clone()),
            NodeKind::String(s) => {
                let (t, u) = self.template(
                    &Text {
                        value: s.clone(),
                        loc: n.loc,
                    },
                    true,
                );
                uses.extend(u);
                JsonTemplate::String(t)
            }
            NodeKind::Seq(items) => {
                JsonTemplate::Array(items.iter().map(|i| self.json_template(i, uses)).collect())
            }
            NodeKind::Map(entries) => JsonTemplate::Object(
                entries
                    .iter()
                    .map(|(k, v)| (self.plain(k), self.json_template(v, uses)))
                    .collect(),
            ),
        }
    }

    fn templates(
        &mut self,
        list: &Option<OneOrMany>,
        uses: &mut Vec<(String, Loc)>,
    ) -> Vec<Template> {
        list.iter()
            .flat_map(|l| l.items.iter())
            .map(|t| {
                let (tpl, u) = self.template(t, true);
                uses.extend(u);
                tpl
            })
            .collect()
    }

    fn regexes(&mut self, list: &Option<OneOrMany>, what: &str) -> Vec<Regex> {
        list.iter()
            .flat_map(|l| l.items.iter())
            .filter_map(|t| self.regex(t, what))
            .collect()
    }

    fn json_expects(
        &mut self,
        map: &raw::Map<Node>,
        uses: &mut Vec<(String, Loc)>,
    ) -> Vec<JsonExpect> {
        let mut out = Vec::new();
        for (k, v) in &map.entries {
            let value = self.json_template(v, uses);
            if let Some(path) = self.json_path(k) {
                out.push(JsonExpect { path, value });
            }
        }
        out
    }

    fn header_name(&mut self, t: &Text) -> Option<String> {
        let name = self.expanded(t)?.trim().to_owned();
        let ok = !name.is_empty()
            && name
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b));
        if ok {
            Some(name)
        } else {
            self.err(
                t.loc,
                format!("invalid header name '{name}': expected letters, digits and -, e.g. X-Request-Id"),
            );
            None
        }
    }

    fn compile(&mut self, raw: raw::Spec) -> Spec {
        // Base URL: --base-url wins.
        let base_url = match (&self.opts.base_url, &raw.base_url) {
            (Some(b), _) => Some(b.trim_end_matches('/').to_owned()),
            (None, Some(t)) => match self.expanded(t) {
                None => None,
                Some(s) => {
                    let s = s.trim();
                    match probe::parse_url(s) {
                        Ok(url) => {
                            self.secrets.extend(probe::secret::url_secrets(&url));
                            Some(s.trim_end_matches('/').to_owned())
                        }
                        Err(e) => {
                            self.err(t.loc, format!("base_url: {e}"));
                            None
                        }
                    }
                }
            },
            (None, None) => None,
        };

        // Vars: the spec's, then --var.
        let mut vars = Values::new();
        for (k, v) in &raw.vars.entries {
            let name = self.plain(k);
            if !template::is_name(&name) {
                self.err(k.loc, format!("invalid var name '{name}': expected letters, digits and _, starting with a letter or _ (e.g. item_id)"));
                continue;
            }
            let value = self.plain(v);
            vars.insert(name, Value::String(value));
        }
        for (k, v) in &self.opts.vars {
            vars.insert(k.clone(), Value::String(v.clone()));
        }

        // Defaults.
        let d = &raw.defaults;
        let timeout = d
            .timeout
            .as_ref()
            .and_then(|t| self.duration(t, "defaults.timeout"))
            .unwrap_or(DEFAULT_TIMEOUT);
        let run_timeout = d
            .run_timeout
            .as_ref()
            .and_then(|t| self.duration(t, "defaults.run_timeout"))
            .unwrap_or(DEFAULT_RUN_TIMEOUT);
        let default_retries = d.retries.as_ref().and_then(|t| self.count(t, "retries"));
        let retries = self.opts.retries.or(default_retries).unwrap_or(0);
        let retry_delay = d
            .retry_delay
            .as_ref()
            .and_then(|t| self.retry_delay(t, "defaults.retry_delay"))
            .unwrap_or(DEFAULT_RETRY_DELAY);
        let mut default_headers = Vec::new();
        for (k, v) in &raw.defaults.headers.entries {
            let (value, uses) = self.template(v, true);
            if let Some(name) = self.header_name(k) {
                default_headers.push((name, value, uses));
            }
        }

        if raw.checks.value.is_empty() {
            let loc = Loc::of(&raw.checks);
            self.err(loc, "`checks:` is empty: add at least one check");
        }

        let mut checks = Vec::new();
        let mut names: HashMap<String, Loc> = HashMap::new();
        for sc in &raw.checks.value {
            let rc = &sc.value;
            let check_loc = Loc::of(sc);
            let name = self.plain(&rc.name).trim().to_owned();
            if name.is_empty() {
                self.err(rc.name.loc, "a check needs a non-empty `name:`");
            } else if let Some(first) = names.get(&name) {
                self.err(
                    rc.name.loc,
                    format!(
                        "duplicate check name '{name}' (first at line {}): names must be unique",
                        first.line
                    ),
                );
            } else {
                names.insert(name.clone(), rc.name.loc);
            }
            if let Some(check) = self.check(
                rc,
                name,
                check_loc,
                &CheckDefaults {
                    timeout,
                    run_timeout,
                    retries,
                    retry_delay,
                    headers: &default_headers,
                },
            ) {
                checks.push(check);
            }
        }

        let mut secrets = Vec::new();
        for s in std::mem::take(&mut self.secrets) {
            if !s.is_empty() && !secrets.contains(&s) {
                secrets.push(s);
            }
        }
        // Vars known now that fill a secret header: secrets too.
        for check in &checks {
            if let Kind::Http(h) = &check.kind {
                for header in h.headers.iter().filter(|h| h.secret) {
                    for v in header.value.var_values(&vars) {
                        if !v.is_empty() && !secrets.contains(&v) {
                            secrets.push(v);
                        }
                    }
                }
            }
        }
        // Origins: the base URL's, then each request's literal one.
        let mut origins: Vec<String> = Vec::new();
        let base_origin = base_url.as_deref().and_then(origin_of);
        origins.extend(base_origin.clone());
        for check in &mut checks {
            if let Kind::Http(h) = &mut check.kind {
                h.origin = match &h.target {
                    Target::Path(_) => base_origin.clone(),
                    Target::Url(t) => origin_of(&t.literal_prefix()),
                };
                if let Some(o) = &h.origin
                    && !origins.contains(o)
                {
                    origins.push(o.clone());
                }
            }
        }
        let mut spec = Spec {
            file: self.file.clone(),
            base_url,
            vars,
            checks,
            deps: Vec::new(),
            secrets,
            origins,
        };
        if self.errors.is_empty() {
            self.resolve(&mut spec);
        }
        spec
    }

    fn check(
        &mut self,
        rc: &raw::Check,
        name: String,
        loc: Loc,
        d: &CheckDefaults<'_>,
    ) -> Option<Check> {
        let mut uses = Vec::new();
        let mut script_placeholders = Vec::new();
        let expect = rc.expect.as_ref().map(|e| &e.value);
        let retries = match &rc.retries {
            Some(t) => self.count(t, "retries").unwrap_or(0),
            None => d.retries,
        };
        let retry_delay = rc
            .retry_delay
            .as_ref()
            .and_then(|t| self.retry_delay(t, "retry_delay"))
            .unwrap_or(d.retry_delay);
        let needs: Vec<(String, Loc)> = rc
            .needs
            .iter()
            .flat_map(|n| n.items.iter())
            .map(|t| (self.plain(t).trim().to_owned(), t.loc))
            .collect();
        let check_timeout = rc
            .timeout
            .as_ref()
            .and_then(|t| self.duration(t, "timeout"));

        let kind = match (&rc.request, &rc.run) {
            (Some(_), Some(run)) => {
                self.err(
                    run.loc,
                    format!(
                        "check '{name}' has both `request:` and `run:`: a check is one or the other"
                    ),
                );
                return None;
            }
            (None, None) => {
                self.err(
                    loc,
                    format!(
                        "check '{name}' needs `request:` (an HTTP check) or `run:` (a command)"
                    ),
                );
                return None;
            }
            (Some(req), None) => {
                if let Some(e) = expect {
                    self.only_for(e, false);
                }
                Kind::Http(self.http(
                    &req.value,
                    Loc::of(req),
                    expect,
                    check_timeout,
                    d,
                    &mut uses,
                ))
            }
            (None, Some(run)) => {
                if let Some(e) = expect {
                    self.only_for(e, true);
                }
                Kind::Run(self.run(
                    run,
                    expect,
                    check_timeout,
                    d,
                    &mut uses,
                    &mut script_placeholders,
                ))
            }
        };

        let mut captures = Vec::new();
        for (k, cap) in &rc.capture.entries {
            let cname = self.plain(k);
            if !template::is_name(&cname) {
                self.err(k.loc, format!("invalid capture name '{cname}': expected letters, digits and _, starting with a letter or _ (e.g. item_id)"));
                continue;
            }
            let from = match cap.source {
                raw::CaptureSource::Json => self.json_path(&cap.expr).map(CaptureFrom::Json),
                raw::CaptureSource::Header => {
                    if matches!(kind, Kind::Run(_)) {
                        self.err(cap.loc, "a `run:` check has no headers to capture: capture from its stdout with a JSONPath or { regex: ... }");
                        None
                    } else {
                        self.header_name(&cap.expr)
                            .map(|h| CaptureFrom::Header(h.to_ascii_lowercase()))
                    }
                }
                raw::CaptureSource::Regex => self
                    .regex(&cap.expr, "capture regex")
                    .map(CaptureFrom::Regex),
            };
            if let Some(from) = from {
                captures.push(CaptureDef {
                    name: cname,
                    loc: k.loc,
                    from,
                });
            }
        }

        Some(Check {
            name,
            loc,
            kind,
            captures,
            needs,
            retries,
            retry_delay,
            uses,
            script_placeholders,
        })
    }

    /// Refuses expectations that do not apply to the kind of check.
    fn only_for(&mut self, e: &raw::Expect, run: bool) {
        let http_only: [(&str, Option<Loc>); 4] = [
            ("status", e.status.as_ref().map(|x| x.loc)),
            (
                "headers",
                (!e.headers.entries.is_empty()).then_some(e.headers.loc),
            ),
            ("body_contains", e.body_contains.as_ref().map(|x| x.loc)),
            ("body_matches", e.body_matches.as_ref().map(|x| x.loc)),
        ];
        let run_only: [(&str, Option<Loc>); 4] = [
            ("exit", e.exit.as_ref().map(|x| x.loc)),
            ("stdout_contains", e.stdout_contains.as_ref().map(|x| x.loc)),
            ("stdout_matches", e.stdout_matches.as_ref().map(|x| x.loc)),
            ("stderr_contains", e.stderr_contains.as_ref().map(|x| x.loc)),
        ];
        let (wrong, kind, other) = if run {
            (http_only, "a `run:` check", "`request:` checks")
        } else {
            (run_only, "a `request:` check", "`run:` checks")
        };
        for (key, loc) in wrong {
            if let Some(loc) = loc {
                self.err(
                    loc,
                    format!("`{key}` does not apply to {kind}; it is for {other}"),
                );
            }
        }
    }

    fn http(
        &mut self,
        r: &raw::Request,
        loc: Loc,
        expect: Option<&raw::Expect>,
        check_timeout: Option<Duration>,
        d: &CheckDefaults<'_>,
        uses: &mut Vec<(String, Loc)>,
    ) -> HttpCheck {
        let method = match &r.method {
            Some(t) => match self.expanded(t) {
                Some(m) => probe::parse_method(&m).unwrap_or_else(|e| {
                    self.err(t.loc, e.to_string());
                    Method::GET
                }),
                None => Method::GET,
            },
            None => Method::GET,
        };
        let target = match (&r.path, &r.url) {
            (Some(p), None) => {
                let (t, u) = self.template(p, true);
                uses.extend(u);
                Target::Path(t)
            }
            (None, Some(url)) => {
                let before = self.errors.len();
                let (t, u) = self.template(url, true);
                uses.extend(u);
                if t.vars().next().is_none() && self.errors.len() == before {
                    let lit = t.render(&Values::new()).unwrap_or_default();
                    match probe::parse_url(&lit) {
                        Ok(u) => self.secrets.extend(probe::secret::url_secrets(&u)),
                        Err(e) => self.err(
                            url.loc,
                            format!("url: {e}; use `path:` for a path under base_url"),
                        ),
                    }
                }
                Target::Url(t)
            }
            (Some(p), Some(_)) => {
                self.err(
                    p.loc,
                    "a request has `path:` (under base_url) or `url:` (a whole URL), not both",
                );
                Target::Path(Template::default())
            }
            (None, None) => {
                self.err(loc, "a request needs `path:` (under base_url) or `url:`");
                Target::Path(Template::default())
            }
        };
        // Headers: defaults, then the check's (same name replaces).
        let mut with_uses: Vec<(Header, Vec<(String, Loc)>)> = Vec::new();
        let add = |list: &mut Vec<(Header, Vec<(String, Loc)>)>,
                   name: String,
                   value: Template,
                   u: Vec<(String, Loc)>| {
            list.retain(|(h, _)| !h.name.eq_ignore_ascii_case(&name));
            let secret = is_secret_header(&name);
            list.push((
                Header {
                    name,
                    value,
                    secret,
                },
                u,
            ));
        };
        for (name, value, u) in d.headers {
            add(&mut with_uses, name.clone(), value.clone(), u.clone());
        }
        for (k, v) in &r.headers.entries {
            let (value, u) = self.template(v, true);
            if let Some(name) = self.header_name(k) {
                add(&mut with_uses, name, value, u);
            }
        }
        let mut headers = Vec::new();
        // A value cut short by a failed `${ENV}` is no secret ("Bearer ").
        let clean = self.errors.is_empty();
        for (h, u) in with_uses {
            if h.secret {
                self.secrets.extend(h.value.env_values().map(str::to_owned));
                if h.value.vars().next().is_none() && clean {
                    let value = h.value.render(&Values::new()).unwrap_or_default();
                    self.secrets.extend(probe::secret::header_secrets(&value));
                }
            }
            uses.extend(u);
            headers.push(h);
        }
        let mut query = Vec::new();
        for (k, v) in &r.query.entries {
            let (t, u) = self.template(v, true);
            uses.extend(u);
            let name = self.plain(k);
            if probe::secret::is_sensitive_param(&name) {
                self.secrets.extend(t.env_values().map(str::to_owned));
            }
            query.push((name, t));
        }
        let body = match (&r.json, &r.body) {
            (Some(j), None) => Body::Json(self.json_template(j, uses)),
            (None, Some(b)) => {
                let (t, u) = self.template(b, true);
                uses.extend(u);
                Body::Text(t)
            }
            (Some(j), Some(_)) => {
                self.err(j.loc, "a request has `json:` or `body:`, not both");
                Body::None
            }
            (None, None) => Body::None,
        };
        let timeout = match (&r.timeout, check_timeout) {
            (Some(t), None) => self.duration(t, "request.timeout"),
            (None, Some(t)) => Some(t),
            (Some(t), Some(_)) => {
                self.err(
                    t.loc,
                    "timeout given twice: in `request:` and on the check; keep one",
                );
                None
            }
            (None, None) => None,
        }
        .unwrap_or(d.timeout);
        let follow_redirects = r
            .follow_redirects
            .as_ref()
            .and_then(|t| self.boolean(t, "follow_redirects"))
            .unwrap_or(true);

        let expect = match expect {
            Some(e) => {
                let status = match &e.status {
                    Some(st) => {
                        let mut texts = Vec::new();
                        for item in &st.items {
                            let Some(text) = self.expanded(item) else {
                                continue;
                            };
                            match StatusExpect::parse(&text) {
                                Ok(_) => texts.push(text),
                                Err(m) => self.err(item.loc, m.to_string()),
                            }
                        }
                        if st.items.is_empty() {
                            self.err(st.loc, "`status: []` accepts nothing: give a code, a list or a class such as 2xx");
                        }
                        StatusExpect::parse(&texts.join(","))
                            .unwrap_or_else(|_| StatusExpect::success())
                    }
                    None => StatusExpect::success(),
                };
                let mut headers = Vec::new();
                for (k, v) in &e.headers.entries {
                    let before = self.errors.len();
                    let (t, u) = self.template(v, true);
                    uses.extend(u);
                    if t.vars().next().is_none() && self.errors.len() == before {
                        let lit = t.render(&Values::new()).unwrap_or_default();
                        if let Err(e) = probe::TextMatch::parse(&lit) {
                            self.err(v.loc, e.to_string());
                        }
                    }
                    if let Some(name) = self.header_name(k) {
                        headers.push((name.to_ascii_lowercase(), t));
                    }
                }
                HttpExpect {
                    status,
                    headers,
                    body_contains: self.templates(&e.body_contains, uses),
                    body_matches: self.regexes(&e.body_matches, "body_matches regex"),
                    json: self.json_expects(&e.json, uses),
                    max_latency: e
                        .max_latency
                        .as_ref()
                        .and_then(|t| self.duration(t, "max_latency")),
                }
            }
            None => HttpExpect {
                status: StatusExpect::success(),
                headers: Vec::new(),
                body_contains: Vec::new(),
                body_matches: Vec::new(),
                json: Vec::new(),
                max_latency: None,
            },
        };
        HttpCheck {
            method,
            target,
            headers,
            query,
            body,
            timeout,
            follow_redirects,
            expect,
            origin: None,
        }
    }

    fn run(
        &mut self,
        script: &Text,
        expect: Option<&raw::Expect>,
        check_timeout: Option<Duration>,
        d: &CheckDefaults<'_>,
        uses: &mut Vec<(String, Loc)>,
        placeholders: &mut Vec<(String, Loc)>,
    ) -> RunCheck {
        if script.value.trim().is_empty() {
            self.err(script.loc, "`run:` is empty: give a bash command");
        }
        // `{{name}}` is never pasted into a script: refuse it where it would
        // look like a placeholder, so nobody believes it is filled.
        for token in template::scan(&script.value, false, true) {
            if let Token::Var { name, at, raw, .. } = token {
                let loc = self.locate(script.loc, &script.value, &raw, at);
                placeholders.push((name, loc));
            }
        }
        // Which `$name`s it refers to is settled in `resolve`, when every
        // capture is known.
        for name in template::shell_refs(&script.value) {
            let braced = format!("${{{name}");
            let plain = format!("${name}");
            let found = [braced, plain]
                .into_iter()
                .find_map(|raw| script.value.find(&raw).map(|at| (at, raw)));
            let loc = found.map_or(script.loc, |(at, raw)| {
                self.locate(script.loc, &script.value, &raw, at)
            });
            uses.push((format!("${name}"), loc));
        }
        let expect = match expect {
            Some(e) => {
                let exit = match &e.exit {
                    Some(t) => {
                        let s = self.plain(t);
                        match s.trim().parse::<i32>() {
                            Ok(n) if (0..=255).contains(&n) => n,
                            _ => {
                                self.err(t.loc, format!("invalid exit '{s}': expected an exit code from 0 to 255, e.g. 0"));
                                0
                            }
                        }
                    }
                    None => 0,
                };
                RunExpect {
                    exit,
                    stdout_contains: self.templates(&e.stdout_contains, uses),
                    stdout_matches: self.regexes(&e.stdout_matches, "stdout_matches regex"),
                    stderr_contains: self.templates(&e.stderr_contains, uses),
                    json: self.json_expects(&e.json, uses),
                    max_latency: e
                        .max_latency
                        .as_ref()
                        .and_then(|t| self.duration(t, "max_latency")),
                }
            }
            None => RunExpect {
                exit: 0,
                stdout_contains: Vec::new(),
                stdout_matches: Vec::new(),
                stderr_contains: Vec::new(),
                json: Vec::new(),
                max_latency: None,
            },
        };
        RunCheck {
            script: script.value.clone(),
            timeout: check_timeout.unwrap_or(d.run_timeout),
            env_names: Vec::new(),
            expect,
        }
    }
    /// Links uses to captures and `needs:` to checks, and refuses unknown
    /// names, self-references and cycles.
    fn resolve(&mut self, spec: &mut Spec) {
        let mut captured: HashMap<String, usize> = HashMap::new();
        for (i, check) in spec.checks.iter().enumerate() {
            for cap in &check.captures {
                if spec.vars.contains_key(&cap.name) {
                    self.err(
                        cap.loc,
                        format!(
                            "capture '{}' has the name of a var: rename one of them",
                            cap.name
                        ),
                    );
                } else if let Some(&j) = captured.get(&cap.name) {
                    let other = spec.checks[j].name.clone();
                    self.err(
                        cap.loc,
                        format!("'{}' is already captured by check '{other}': capture names must be unique", cap.name),
                    );
                } else {
                    captured.insert(cap.name.clone(), i);
                }
            }
        }
        let index: HashMap<&str, usize> = spec
            .checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let mut deps = vec![BTreeSet::new(); spec.checks.len()];
        let mut errors = Vec::new();
        let mut env_names = vec![Vec::new(); spec.checks.len()];
        for (i, check) in spec.checks.iter().enumerate() {
            if spec.base_url.is_none() {
                if let Kind::Http(HttpCheck {
                    target: Target::Path(_),
                    ..
                }) = check.kind
                {
                    errors.push((
                        check.loc,
                        format!("check '{}' uses `path:` but no base URL is set: add `base_url:` to the spec or pass --base-url", check.name),
                    ));
                }
            }
            for (name, loc) in &check.uses {
                if let Some(shell) = name.strip_prefix('$') {
                    if let Some(&j) = captured.get(shell) {
                        if j == i {
                            errors.push((
                                *loc,
                                format!(
                                    "check '{}' uses ${shell}, which it captures itself",
                                    check.name
                                ),
                            ));
                        } else {
                            deps[i].insert(j);
                            if !env_names[i].iter().any(|n| n == shell) {
                                env_names[i].push(shell.to_owned());
                            }
                        }
                    }
                    continue;
                }
                if spec.vars.contains_key(name) {
                    continue;
                }
                match captured.get(name) {
                    Some(&j) if j == i => errors.push((
                        *loc,
                        format!("check '{}' uses {{{{{name}}}}}, which it captures itself: a check can only use values captured before it runs", check.name),
                    )),
                    Some(&j) => {
                        deps[i].insert(j);
                    }
                    None => errors.push((
                        *loc,
                        format!(
                            "unknown name {{{{{name}}}}}: no check captures it and no var defines it ({}); capture it, add it to `vars:`, or pass --var {name}=VALUE",
                            known_names(&spec.vars, &captured)
                        ),
                    )),
                }
            }
            for (name, loc) in &check.script_placeholders {
                if spec.vars.contains_key(name) || captured.contains_key(name) {
                    errors.push((
                        *loc,
                        format!("`run:` commands are never templated: write \"${name}\" (an environment variable) instead of {{{{{name}}}}}"),
                    ));
                }
            }
            for (name, loc) in &check.needs {
                match index.get(name.as_str()) {
                    Some(&j) if j == i => {
                        errors.push((*loc, format!("check '{name}' cannot need itself")))
                    }
                    Some(&j) => {
                        deps[i].insert(j);
                    }
                    None => errors.push((*loc, format!("`needs:` names no check called '{name}'"))),
                }
            }
        }
        for (loc, message) in errors {
            self.err(loc, message);
        }
        for (check, names) in spec.checks.iter_mut().zip(env_names) {
            if let Kind::Run(run) = &mut check.kind {
                run.env_names = names;
            }
        }
        spec.deps = deps.into_iter().map(|d| d.into_iter().collect()).collect();
        if let Some(cycle) = find_cycle(&spec.deps) {
            let names: Vec<String> = cycle
                .iter()
                .chain(cycle.first())
                .map(|&i| format!("'{}'", spec.checks[i].name))
                .collect();
            let loc = spec.checks[cycle[0]].loc;
            self.err(
                loc,
                format!(
                    "checks wait for each other in a cycle: {} (each uses a value the next one captures, or `needs:` it); break the cycle",
                    names.join(" → ")
                ),
            );
        }
    }
}

/// A cycle in a dependency graph (`deps[i]` = what `i` waits for), as the
/// checks along it, starting from the lowest index on it.
pub fn find_cycle(deps: &[Vec<usize>]) -> Option<Vec<usize>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        Open,
        Done,
    }
    fn visit(
        n: usize,
        deps: &[Vec<usize>],
        mark: &mut [Mark],
        stack: &mut Vec<usize>,
    ) -> Option<Vec<usize>> {
        mark[n] = Mark::Open;
        stack.push(n);
        for &m in &deps[n] {
            match mark[m] {
                Mark::Open => {
                    let at = stack.iter().position(|&s| s == m).unwrap_or(0);
                    let mut cycle = stack[at..].to_vec();
                    // Waiting order reads better forwards: a needs b needs c.
                    let min = cycle
                        .iter()
                        .enumerate()
                        .min_by_key(|(_, v)| **v)
                        .map_or(0, |(i, _)| i);
                    cycle.rotate_left(min);
                    return Some(cycle);
                }
                Mark::New => {
                    if let Some(c) = visit(m, deps, mark, stack) {
                        return Some(c);
                    }
                }
                Mark::Done => {}
            }
        }
        stack.pop();
        mark[n] = Mark::Done;
        None
    }
    let mut mark = vec![Mark::New; deps.len()];
    for n in 0..deps.len() {
        if mark[n] == Mark::New {
            let mut stack = Vec::new();
            if let Some(c) = visit(n, deps, &mut mark, &mut stack) {
                return Some(c);
            }
        }
    }
    None
}

/// A default header: its name, its value, and the names its value uses.
type DefaultHeader = (String, Template, Vec<(String, Loc)>);

struct CheckDefaults<'a> {
    timeout: Duration,
    run_timeout: Duration,
    retries: u32,
    retry_delay: Duration,
    headers: &'a [DefaultHeader],
}

/// `scheme://host:port` of a URL, when the text is one (http or https).
pub fn origin_of(url: &str) -> Option<String> {
    probe::parse_url(url)
        .ok()
        .filter(|u| u.host_str().is_some_and(|h| !h.is_empty()))
        .map(|u| u.origin().ascii_serialization())
}

fn is_secret_header(name: &str) -> bool {
    probe::secret::is_sensitive_header(name)
}

/// serde-saphyr's message without its own location and snippet (we add
/// ours), with serde's wording made friendlier.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // Drop a trailing " at line X column Y".
    let cut = first
        .rfind(" at line ")
        .filter(|&i| first[i..].contains("column"))
        .map_or(first, |i| &first[..i]);
    let message = cut.trim_end_matches(':').to_owned();
    match did_you_mean(&message) {
        Some(s) => format!("{message} (did you mean `{s}`?)"),
        None => message,
    }
}

/// For serde's "unknown field `expct`, expected one of a, b, c": the
/// closest known field, when it is close.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let list = rest
        .split_once("expected one of ")
        .map(|(_, l)| l)
        .or_else(|| rest.split_once("expected ").map(|(_, l)| l))?;
    list.split(", ")
        .map(|c| c.trim_matches('`'))
        .map(|c| (edit_distance(field, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_owned())
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1];
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur.push(sub.min(prev[j + 1] + 1).min(cur[j] + 1));
        }
        prev = cur;
    }
    prev[b.len()]
}

/// Names that are defined, for "did you mean" lists.
fn known_names(vars: &Values, captures: &HashMap<String, usize>) -> String {
    let names: BTreeSet<&str> = vars
        .keys()
        .map(String::as_str)
        .chain(captures.keys().map(String::as_str))
        .collect();
    if names.is_empty() {
        "none are defined".into()
    } else {
        format!(
            "defined: {}",
            names.into_iter().collect::<Vec<_>>().join(", ")
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(name: &str) -> Option<String> {
        match name {
            "BASE_URL" => Some("http://127.0.0.1:9/".into()),
            "API_TOKEN" => Some("s3cr3t-t0ken".into()),
            "EMPTY" => Some(String::new()),
            _ => None,
        }
    }

    fn load_with(src: &str, vars: &[(&str, &str)], base: Option<&str>) -> Result<Spec, SpecErrors> {
        let opts = LoadOptions {
            file: "smoke.yml".into(),
            base_url: base.map(str::to_owned),
            vars: vars
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect(),
            retries: None,
            env: &env,
        };
        load(src, &opts)
    }

    fn errors(src: &str) -> Vec<String> {
        load_with(src, &[], None)
            .err()
            .unwrap_or_else(|| panic!("expected errors for:\n{src}"))
            .errors
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    const DESIGN_EXAMPLE: &str = r#"base_url: ${BASE_URL}          # --base-url wins
defaults:
  timeout: 5s
  headers: { Authorization: "Bearer ${API_TOKEN}" }
checks:
  - name: version
    request: { method: GET, path: /api/version }
    expect:
      status: 200              # or [200, 204], or "2xx"
      headers: { x-service: shop }
      json: { "$.version": "1.2.3" }
      max_latency: 2s
  - name: create item
    request: { method: POST, path: /api/items, json: { name: widget, tags: [a, b] } }
    expect: { status: 201, body_contains: widget }
    capture: { item_id: "$.id" }
  - name: read item            # waits for "create item": it uses {{item_id}}
    request: { path: "/api/items/{{item_id}}" }
    expect: { status: 200, json: { "$.tags[1]": b }, body_matches: "wid.et" }
  - name: lambda invoke
    run: echo '"ok"'
    expect: { exit: 0, stdout_contains: '"ok"' }
"#;

    #[test]
    fn the_design_example_compiles() {
        let spec = load_with(DESIGN_EXAMPLE, &[], None).unwrap();
        assert_eq!(spec.base_url.as_deref(), Some("http://127.0.0.1:9"));
        assert_eq!(spec.checks.len(), 4);
        assert_eq!(spec.deps, vec![vec![], vec![], vec![1], vec![]]);
        assert_eq!(spec.secrets, ["s3cr3t-t0ken", "Bearer s3cr3t-t0ken"]);
        let Kind::Http(h) = &spec.checks[0].kind else {
            panic!()
        };
        assert_eq!(h.timeout, Duration::from_secs(5));
        assert_eq!(h.headers.len(), 1);
        assert!(h.headers[0].secret);
        assert_eq!(h.expect.status, StatusExpect::codes(&[200]));
        assert_eq!(h.expect.max_latency, Some(Duration::from_secs(2)));
        assert_eq!(h.expect.json[0].path.as_str(), "$.version");
        assert_eq!(
            h.expect.json[0].value,
            JsonTemplate::String(Template::literal("1.2.3"))
        );
        let Kind::Http(read) = &spec.checks[2].kind else {
            panic!()
        };
        let Target::Path(p) = &read.target else {
            panic!()
        };
        assert_eq!(p.source(), "/api/items/{{item_id}}");
        assert_eq!(read.expect.status.to_string(), "200");
        let Kind::Run(run) = &spec.checks[3].kind else {
            panic!()
        };
        assert_eq!(run.script, "echo '\"ok\"'");
        assert_eq!(run.timeout, DEFAULT_RUN_TIMEOUT);
        assert_eq!(spec.checks[1].captures[0].name, "item_id");
        assert_eq!(spec.checks[0].loc.line, 6);
    }

    #[test]
    fn base_url_flag_wins() {
        let spec = load_with(DESIGN_EXAMPLE, &[], Some("https://qa.example.com/shop/")).unwrap();
        assert_eq!(
            spec.base_url.as_deref(),
            Some("https://qa.example.com/shop")
        );
    }

    #[test]
    fn unset_env_is_located_exactly() {
        let e = errors("checks:\n  - name: a\n    request: { path: \"/x/${NOPE}\" }\n");
        assert_eq!(e.len(), 1);
        assert!(
            e[0].starts_with("smoke.yml:3:26: environment variable NOPE is not set"),
            "{e:?}"
        );
        let e = errors("base_url: ${EMPTY}\nchecks:\n  - { name: a, run: 'true' }\n");
        assert!(
            e[0].starts_with("smoke.yml:1:11: environment variable EMPTY"),
            "{e:?}"
        );
    }

    #[test]
    fn env_defaults_and_escapes() {
        let spec = load_with(
            "base_url: ${NOPE:-http://127.0.0.1:1}\nchecks:\n  - name: a\n    request: { path: \"/$${literal}\" }\n",
            &[],
            None,
        )
        .unwrap();
        assert_eq!(spec.base_url.as_deref(), Some("http://127.0.0.1:1"));
        let Kind::Http(h) = &spec.checks[0].kind else {
            panic!()
        };
        let Target::Path(p) = &h.target else { panic!() };
        assert_eq!(p.render(&Values::new()).unwrap(), "/${literal}");
    }

    #[test]
    fn env_values_are_never_placeholders() {
        let spec = load_with(
            "base_url: http://127.0.0.1:1\nchecks:\n  - name: a\n    request: { path: /x, headers: { X-Api-Key: \"${API_TOKEN}\" } }\n",
            &[],
            None,
        )
        .unwrap();
        assert_eq!(spec.secrets, ["s3cr3t-t0ken"]);
    }

    #[test]
    fn every_error_class_has_a_place() {
        let cases: &[(&str, &str)] = &[
            (
                "checks:\n  - name: a\n    expct: {}\n",
                "smoke.yml:3:5: unknown field `expct`, expected one of name, request, run, timeout, expect, capture, needs, retries, retry_delay (did you mean `expect`?)",
            ),
            ("checks:\n  - name: a\n    run: [\n", "smoke.yml:3:10: "),
            (
                "checks:\n  - { name: a, request: { url: 'http://x' }, expect: { status: 2xy } }\n",
                "smoke.yml:2:64: invalid status '2xy'",
            ),
            (
                "checks:\n  - { name: a, run: x, timeout: fast }\n",
                "smoke.yml:2:33: timeout: invalid duration 'fast'",
            ),
            (
                "checks:\n  - { name: a, run: x, expect: { stdout_matches: '(' } }\n",
                "smoke.yml:2:50: invalid stdout_matches regex '(': unclosed group",
            ),
            (
                "checks:\n  - { name: a, run: x, capture: { id: '$.[' } }\n",
                "smoke.yml:2:39: invalid JSONPath '$.['",
            ),
            (
                "checks:\n  - { name: a, run: x, expect: { status: 200 } }\n",
                "smoke.yml:2:42: `status` does not apply to a `run:` check",
            ),
            (
                "base_url: http://h\nchecks:\n  - { name: a, request: { path: '/{{ x }}' } }\n",
                "smoke.yml:3:35: unknown name {{x}}: no check captures it and no var defines it (none are defined)",
            ),
            (
                "checks:\n  - { name: a }\n",
                "smoke.yml:2:5: check 'a' needs `request:`",
            ),
            (
                "checks:\n  - { name: a, run: x }\n  - { name: a, run: y }\n",
                "smoke.yml:3:13: duplicate check name 'a'",
            ),
            (
                "checks:\n  - { name: a, request: { path: /x } }\n",
                "smoke.yml:2:5: check 'a' uses `path:` but no base URL",
            ),
            (
                "checks:\n  - { name: a, run: x, needs: b }\n",
                "smoke.yml:2:31: `needs:` names no check called 'b'",
            ),
            ("checks: []\n", "smoke.yml:1:9: `checks:` is empty"),
            ("", "smoke.yml: the spec is empty"),
            (
                "checks:\n  - { name: a, run: x, retries: -1 }\n",
                "smoke.yml:2:33: invalid retries '-1'",
            ),
            (
                "checks:\n  - { name: a, run: x, expect: { exit: 300 } }\n",
                "smoke.yml:2:40: invalid exit '300'",
            ),
            (
                "checks:\n  - { name: a, run: x, capture: { 'a-b': $.x } }\n",
                "smoke.yml:2:35: invalid capture name 'a-b'",
            ),
            (
                "checks:\n  - { name: a, url: x }\n",
                "smoke.yml:2:16: unknown field `url`",
            ),
            (
                "checks:\n  - { name: a, request: { url: 'ftp://x' } }\n",
                "smoke.yml:2:32: url: invalid URL 'ftp://x/': the scheme must be http or https",
            ),
            (
                "checks:\n  - { name: a, request: { url: 'http://x', method: 'G T' } }\n",
                "smoke.yml:2:52: invalid HTTP method 'G T'",
            ),
        ];
        for (src, want) in cases {
            let e = errors(src);
            assert!(
                e.iter().any(|m| m.starts_with(want)),
                "{src:?}: want {want:?}, got {e:?}"
            );
        }
    }

    #[test]
    fn malformed_env_reference() {
        let e = errors("base_url: 'http://${API TOKEN}'\nchecks:\n  - { name: a, run: x }\n");
        assert!(
            e[0].starts_with("smoke.yml:1:19: malformed environment reference '${API TOKEN}'"),
            "{e:?}"
        );
    }

    #[test]
    fn run_scripts_are_not_expanded_or_templated() {
        let spec = load_with(
            "checks:\n  - { name: a, run: x, capture: { id: $.id } }\n  - { name: b, run: 'echo \"$id\" ${HOME} ${NOPE}' }\n",
            &[],
            None,
        )
        .unwrap();
        let Kind::Run(run) = &spec.checks[1].kind else {
            panic!()
        };
        assert_eq!(run.script, "echo \"$id\" ${HOME} ${NOPE}");
        assert_eq!(run.env_names, ["id"]);
        assert_eq!(spec.deps[1], [0]);
        let e = errors(
            "checks:\n  - { name: a, run: x, capture: { id: $.id } }\n  - { name: b, run: 'echo {{id}}' }\n",
        );
        assert!(
            e[0].starts_with("smoke.yml:3:27: `run:` commands are never templated"),
            "{e:?}"
        );
        // Other braces (Go templates, JSON) are fine.
        load_with(
            "checks:\n  - { name: b, run: \"docker inspect -f '{{.State}}' {{range}}\" }\n",
            &[],
            None,
        )
        .unwrap();
    }

    #[test]
    fn dependencies_follow_captures_not_file_order() {
        let src = "base_url: http://127.0.0.1:1\nchecks:\n  - { name: read, request: { path: '/items/{{id}}' } }\n  - { name: login, request: { path: /login }, capture: { token: $.token } }\n  - { name: create, request: { path: /items, headers: { Authorization: 'Bearer {{token}}' } }, capture: { id: $.id } }\n  - { name: last, run: 'true', needs: [read] }\n";
        let spec = load_with(src, &[], None).unwrap();
        assert_eq!(spec.deps, vec![vec![2], vec![], vec![1], vec![0]]);
    }

    #[test]
    fn cycles_and_self_use_are_refused() {
        let src = "base_url: http://127.0.0.1:1\nchecks:\n  - { name: a, request: { path: '/{{y}}' }, capture: { x: $.x } }\n  - { name: b, request: { path: '/{{x}}' }, capture: { y: $.y } }\n";
        let e = errors(src);
        assert_eq!(e.len(), 1, "{e:?}");
        assert!(e[0].contains("cycle: 'a' → 'b' → 'a'"), "{e:?}");
        assert!(e[0].starts_with("smoke.yml:3:5:"), "{e:?}");
        let e = errors(
            "base_url: http://127.0.0.1:1\nchecks:\n  - { name: a, request: { path: '/{{x}}' }, capture: { x: $.x } }\n",
        );
        assert!(e[0].contains("which it captures itself"), "{e:?}");
    }

    #[test]
    fn vars_fill_placeholders_and_clash_with_captures() {
        let src = "vars: { v: from-spec }\nbase_url: http://127.0.0.1:1\nchecks:\n  - { name: a, request: { path: '/{{v}}/{{w}}' } }\n";
        let spec = load_with(src, &[("w", "cli"), ("v", "flag")], None).unwrap();
        assert_eq!(spec.vars["v"], "flag");
        assert_eq!(spec.vars["w"], "cli");
        let e =
            errors("vars: { id: 1 }\nchecks:\n  - { name: a, run: x, capture: { id: $.id } }\n");
        assert!(e[0].contains("capture 'id' has the name of a var"), "{e:?}");
    }

    #[test]
    fn errors_carry_a_snippet() {
        let e = load_with("checks:\n  - name: a\n    expct: {}\n", &[], None)
            .unwrap_err()
            .errors;
        assert_eq!(
            e[0].snippet.as_deref(),
            Some("  |\n3 |     expct: {}\n  |     ^")
        );
    }

    #[test]
    fn json_templates_keep_types() {
        let mut values = Values::new();
        values.insert("n".into(), serde_json::json!(5));
        let t = JsonTemplate::Object(vec![
            (
                "id".into(),
                JsonTemplate::String(Template {
                    parts: vec![Part::Var("n".into())],
                }),
            ),
            (
                "s".into(),
                JsonTemplate::String(Template {
                    parts: vec![Part::Lit("#".into()), Part::Var("n".into())],
                }),
            ),
        ]);
        assert_eq!(
            t.render(&values).unwrap(),
            serde_json::json!({"id": 5, "s": "#5"})
        );
    }

    #[test]
    fn cycle_finder() {
        assert_eq!(find_cycle(&[vec![1], vec![2], vec![]]), None);
        assert_eq!(find_cycle(&[vec![], vec![2], vec![1]]), Some(vec![1, 2]));
        assert_eq!(find_cycle(&[vec![0]]), Some(vec![0]));
    }
}
