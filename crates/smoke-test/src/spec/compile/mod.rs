//! From the raw YAML to a [`Spec`]: the top level and each check here;
//! values and templates in [`values`], the two kinds of check in [`http`]
//! and [`run`], the dependency graph in [`resolve`], located errors in
//! [`diagnostics`].

mod diagnostics;
mod http;
mod resolve;
mod run;
mod values;

use crate::spec::raw::{self, Loc};
use crate::spec::*;
use crate::template::{self, Template, Values};
use serde_json::Value;
use std::collections::HashMap;
use std::time::Duration;

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
}

impl Compiler<'_> {
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
