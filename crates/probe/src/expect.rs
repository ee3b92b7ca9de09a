//! Expectations on a response. Each one evaluates to a pass (sometimes with
//! a note, e.g. where a version was found) or a [`Mismatch`] naming the
//! expectation, what was expected and what came back.
//!
//! The parts (status sets, matches, JSON paths and values) are in
//! [`model`]; this file holds [`Expectation`] and its evaluation.

mod model;

pub use model::*;

use crate::excerpt::{excerpt, one_line_text};
use crate::response::Response;
use regex::Regex;
use serde_json::Value;
use std::fmt;
use std::time::Duration;

// ---------------------------------------------------------------- expectations

/// One thing a response must satisfy.
#[derive(Debug, Clone, PartialEq)]
pub enum Expectation {
    /// The status is one of these.
    Status(StatusExpect),
    /// The header is present (`value: None`) or its value matches. Names
    /// are compared case-insensitively.
    Header {
        name: String,
        value: Option<TextMatch>,
    },
    /// The body contains this text.
    BodyContains(String),
    /// The body matches this regex somewhere.
    BodyMatches(RegexExpect),
    /// The JSON body has a node at the path (`value: None`), or every node
    /// the path selects equals the value.
    Json {
        path: JsonPathExpr,
        value: Option<ExpectedValue>,
    },
    /// The whole request (including the body) took at most this long.
    MaxLatency(Duration),
    /// The deployed version answers: the JSON field at `field` equals it,
    /// or, without a field, `$.version` when the body is JSON and has one,
    /// else the body contains the version text.
    Version {
        version: String,
        field: Option<JsonPathExpr>,
    },
}

/// A regex that compares by its pattern text.
#[derive(Debug, Clone)]
pub struct RegexExpect(pub Regex);

impl PartialEq for RegexExpect {
    fn eq(&self, other: &Self) -> bool {
        self.0.as_str() == other.0.as_str()
    }
}

impl Expectation {
    /// `--expect-json PATH=VALUE`, or `PATH` alone for "exists".
    pub fn parse_json_assertion(s: &str) -> Result<Self, ExpectError> {
        let t = s.trim();
        let (path, value) = split_json_assertion(t);
        if path.trim().is_empty() || value.is_some_and(|v| v.trim().is_empty()) {
            return Err(ExpectError::JsonAssertion(t.to_owned()));
        }
        Ok(Expectation::Json {
            path: JsonPathExpr::parse(path)?,
            value: value.map(ExpectedValue::from_text),
        })
    }

    /// A body regex (`--expect-body`).
    pub fn body_matches(pattern: &str) -> Result<Self, ExpectError> {
        Ok(Expectation::BodyMatches(RegexExpect(regex(pattern)?)))
    }

    /// The name of the expectation as failures show it: `status`,
    /// `header x-service`, `body contains`, `body matches`, `json $.ok`,
    /// `max latency`, `version`.
    pub fn name(&self) -> String {
        match self {
            Expectation::Status(_) => "status".into(),
            Expectation::Header { name, .. } => format!("header {}", name.to_ascii_lowercase()),
            Expectation::BodyContains(_) => "body contains".into(),
            Expectation::BodyMatches(_) => "body matches".into(),
            Expectation::Json { path, .. } => format!("json {path}"),
            Expectation::MaxLatency(_) => "max latency".into(),
            Expectation::Version { .. } => "version".into(),
        }
    }

    /// Evaluates the expectation against a response.
    pub fn check(&self, resp: &Response) -> Check {
        let fail = |expected: String, got: String| {
            Check::Fail(Mismatch {
                expectation: self.name(),
                expected,
                got,
            })
        };
        let cut_note = if resp.truncated {
            format!(" (body cut at {} bytes)", resp.body.len())
        } else {
            String::new()
        };
        match self {
            Expectation::Status(s) => {
                if s.matches(resp.status) {
                    Check::pass()
                } else {
                    fail(s.to_string(), resp.status.to_string())
                }
            }
            Expectation::Header { name, value } => {
                let values = resp.header_all(name);
                match (value, values.is_empty()) {
                    (None, false) => Check::pass(),
                    (None, true) => fail("present".into(), "no such header".into()),
                    (Some(_), true) => fail(
                        value.as_ref().map(ToString::to_string).unwrap_or_default(),
                        "no such header".into(),
                    ),
                    (Some(m), false) => {
                        if values.iter().any(|v| m.matches(v)) {
                            Check::pass()
                        } else {
                            let got: Vec<String> = values
                                .iter()
                                .map(|v| format!("{:?}", one_line_text(v, 120)))
                                .collect();
                            fail(m.to_string(), got.join(", "))
                        }
                    }
                }
            }
            Expectation::BodyContains(needle) => {
                if resp.text().contains(needle.as_str()) {
                    Check::pass()
                } else {
                    fail(
                        format!("a body containing {needle:?}"),
                        body_got(resp, &cut_note),
                    )
                }
            }
            Expectation::BodyMatches(RegexExpect(re)) => {
                if re.is_match(&resp.text()) {
                    Check::pass()
                } else {
                    fail(
                        format!("a body matching /{}/", re.as_str()),
                        body_got(resp, &cut_note),
                    )
                }
            }
            Expectation::Json { path, value } => {
                let json = match resp.json() {
                    Ok(j) => j,
                    Err(why) => {
                        return fail(
                            expected_json(value),
                            format!("{why}: {}", quoted_excerpt(resp)),
                        );
                    }
                };
                let nodes = path.query(json);
                if nodes.is_empty() {
                    return fail(expected_json(value), format!("nothing at {path}"));
                }
                match value {
                    None => Check::pass(),
                    Some(v) => match nodes.iter().find(|n| !v.matches(n)) {
                        None => Check::pass(),
                        Some(bad) if nodes.len() == 1 => fail(v.to_string(), short_json(bad)),
                        Some(bad) => {
                            fail(format!("{v} at all {} nodes", nodes.len()), short_json(bad))
                        }
                    },
                }
            }
            Expectation::MaxLatency(max) => {
                if resp.total <= *max {
                    Check::pass()
                } else {
                    fail(
                        format!("at most {}", vocab::human_duration(*max)),
                        vocab::human_duration(resp.total),
                    )
                }
            }
            Expectation::Version { version, field } => check_version(self, resp, version, field),
        }
    }
}

fn check_version(
    exp: &Expectation,
    resp: &Response,
    version: &str,
    field: &Option<JsonPathExpr>,
) -> Check {
    let fail = |expected: String, got: String| {
        Check::Fail(Mismatch {
            expectation: exp.name(),
            expected,
            got,
        })
    };
    let want = ExpectedValue::from_json(Value::String(version.to_owned()));
    if let Some(path) = field {
        let json = match resp.json() {
            Ok(j) => j,
            Err(why) => {
                return fail(
                    format!("{version:?} at {path}"),
                    format!("{why}: {}", quoted_excerpt(resp)),
                );
            }
        };
        return match path.query(json).first() {
            None => fail(
                format!("{version:?} at {path}"),
                format!("nothing at {path}"),
            ),
            Some(v) if want.matches(v) => Check::Pass {
                note: Some(format!("version {version} at {path}")),
            },
            Some(v) => fail(format!("{version:?} at {path}"), short_json(v)),
        };
    }
    let default_path = "$.version";
    if let Ok(json) = resp.json()
        && let Some(v) = json.get("version")
    {
        return if want.matches(v) {
            Check::Pass {
                note: Some(format!("version {version} at {default_path}")),
            }
        } else {
            fail(format!("{version:?} at {default_path}"), short_json(v))
        };
    }
    if resp.text().contains(version) {
        return Check::Pass {
            note: Some(format!("version {version} found in the body")),
        };
    }
    let where_ = if resp.json().is_ok() {
        format!("no {default_path}, and the body does not contain it")
    } else {
        "the body does not contain it".to_owned()
    };
    fail(
        format!("{version:?} at {default_path} or in the body"),
        format!("{where_}: {}", quoted_excerpt(resp)),
    )
}

fn expected_json(value: &Option<ExpectedValue>) -> String {
    match value {
        Some(v) => v.to_string(),
        None => "a value".into(),
    }
}

fn quoted_excerpt(resp: &Response) -> String {
    if resp.body.is_empty() {
        "empty body".into()
    } else {
        format!("{:?}", excerpt(&resp.body))
    }
}

fn body_got(resp: &Response, cut_note: &str) -> String {
    format!("{}{cut_note}", quoted_excerpt(resp))
}

/// The result of one expectation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Check {
    /// It holds; the note says how, when that matters (which field held
    /// the version).
    Pass {
        note: Option<String>,
    },
    Fail(Mismatch),
}

impl Check {
    fn pass() -> Self {
        Check::Pass { note: None }
    }

    pub fn is_pass(&self) -> bool {
        matches!(self, Check::Pass { .. })
    }
}

/// An expectation that did not hold.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Mismatch {
    /// Which expectation: `status`, `json $.ok`, `header x-service`, …
    pub expectation: String,
    pub expected: String,
    pub got: String,
}

/// `status: expected 2xx, got 503`
impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}: expected {}, got {}",
            self.expectation, self.expected, self.got
        )
    }
}

/// Every expectation evaluated against one response.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Evaluation {
    /// Notes from passing expectations (e.g. where the version was found).
    pub notes: Vec<String>,
    pub failures: Vec<Mismatch>,
}

impl Evaluation {
    pub fn passed(&self) -> bool {
        self.failures.is_empty()
    }
}

/// Evaluates every expectation (not stopping at the first failure).
pub fn check_all(expectations: &[Expectation], resp: &Response) -> Evaluation {
    let mut eval = Evaluation::default();
    for e in expectations {
        match e.check(resp) {
            Check::Pass { note } => eval.notes.extend(note),
            Check::Fail(m) => eval.failures.push(m),
        }
    }
    eval
}

#[cfg(test)]
mod tests;
