//! Scalars and templates: `${ENV}` expansion, `{{name}}` placeholders,
//! durations, counts, regexes, JSONPath and JSON bodies.

use super::Compiler;
use crate::spec::raw::{self, Loc, Node, NodeKind, OneOrMany, Text};
use crate::spec::*;
use crate::template::{self, Part, Template, Token, Values};
use probe::JsonPathExpr;
use regex::Regex;
use std::time::Duration;

impl Compiler<'_> {
    /// Expands `${ENV}` in `t` and parses `{{name}}` (when `vars`).
    pub(super) fn template(&mut self, t: &Text, vars: bool) -> (Template, Vec<(String, Loc)>) {
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
    pub(super) fn plain(&mut self, t: &Text) -> String {
        let (tpl, _) = self.template(t, false);
        tpl.render(&Values::new()).unwrap_or_default()
    }

    /// [`Compiler::plain`], or `None` when expanding it failed (already
    /// reported: no second error about the same value).
    pub(super) fn expanded(&mut self, t: &Text) -> Option<String> {
        let before = self.errors.len();
        let s = self.plain(t);
        (self.errors.len() == before).then_some(s)
    }

    pub(super) fn duration(&mut self, t: &Text, what: &str) -> Option<Duration> {
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
    pub(super) fn retry_delay(&mut self, t: &Text, what: &str) -> Option<Duration> {
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

    pub(super) fn count(&mut self, t: &Text, what: &str) -> Option<u32> {
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

    pub(super) fn boolean(&mut self, t: &Text, what: &str) -> Option<bool> {
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

    pub(super) fn regex(&mut self, t: &Text, what: &str) -> Option<Regex> {
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

    pub(super) fn json_path(&mut self, t: &Text) -> Option<JsonPathExpr> {
        let s = self.expanded(t)?;
        match JsonPathExpr::parse(&s) {
            Ok(p) => Some(p),
            Err(e) => {
                self.err(t.loc, e.to_string());
                None
            }
        }
    }

    pub(super) fn json_template(
        &mut self,
        n: &Node,
        uses: &mut Vec<(String, Loc)>,
    ) -> JsonTemplate {
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

    pub(super) fn templates(
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

    pub(super) fn regexes(&mut self, list: &Option<OneOrMany>, what: &str) -> Vec<Regex> {
        list.iter()
            .flat_map(|l| l.items.iter())
            .filter_map(|t| self.regex(t, what))
            .collect()
    }

    pub(super) fn json_expects(
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

    pub(super) fn header_name(&mut self, t: &Text) -> Option<String> {
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
}
