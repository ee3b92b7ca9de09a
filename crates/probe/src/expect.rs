//! Expectations on a response. Each one evaluates to a pass (sometimes with
//! a note, e.g. where a version was found) or a [`Mismatch`] naming the
//! expectation, what was expected and what came back.

use crate::excerpt::{excerpt, one_line_text};
use crate::response::Response;
use regex::Regex;
use serde_json::Value;
use serde_json_path::JsonPath;
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// An expectation that cannot be built from what was given (input error).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExpectError {
    #[error(
        "invalid status '{0}': expected codes, ranges or classes separated by , or |, e.g. 200, 200,204, 2xx, 200-299 or 200,204|3xx"
    )]
    Status(String),
    #[error(
        "invalid JSONPath '{path}': {reason}; expected an RFC 9535 path such as $.status or $.items[0].id"
    )]
    JsonPath { path: String, reason: String },
    #[error(
        "invalid JSON expectation '{0}': expected PATH=VALUE, e.g. $.status=ok, $.ok=true or $.items[0].id=7 (or PATH alone: it must exist)"
    )]
    JsonAssertion(String),
    #[error("invalid regex '{pattern}': {reason}")]
    Regex { pattern: String, reason: String },
}

impl vocab::Classify for ExpectError {
    fn class(&self) -> vocab::ErrorClass {
        vocab::ErrorClass::Input
    }
}

// ---------------------------------------------------------------- status

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum StatusItem {
    Code(u16),
    Range(u16, u16),
    /// `2xx`: the hundreds digit.
    Class(u16),
}

impl fmt::Display for StatusItem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusItem::Code(c) => write!(f, "{c}"),
            StatusItem::Range(a, b) => write!(f, "{a}-{b}"),
            StatusItem::Class(c) => write!(f, "{c}xx"),
        }
    }
}

/// Which statuses pass: codes, ranges and classes (`200`, `200-299`,
/// `2xx`), any of which may match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusExpect {
    items: Vec<StatusItem>,
}

impl StatusExpect {
    /// Parses `200`, `200,204`, `2xx`, `200-299`, `200,204|2xx`: items
    /// separated by `,`, `|` or spaces; classes in any case (`2XX`).
    pub fn parse(s: &str) -> Result<Self, ExpectError> {
        let bad = || ExpectError::Status(s.trim().to_owned());
        let mut items = Vec::new();
        for part in s
            .split([',', '|', ' ', '\n', '\t'])
            .map(str::trim)
            .filter(|p| !p.is_empty())
        {
            let lower = part.to_ascii_lowercase();
            let item = if let Some(d) = lower.strip_suffix("xx") {
                match d {
                    "1" | "2" | "3" | "4" | "5" => StatusItem::Class(d.parse().unwrap_or(0)),
                    _ => return Err(bad()),
                }
            } else if let Some((a, b)) = lower.split_once('-') {
                let (a, b) = (code(a).ok_or_else(bad)?, code(b).ok_or_else(bad)?);
                if a > b {
                    return Err(bad());
                }
                StatusItem::Range(a, b)
            } else {
                StatusItem::Code(code(&lower).ok_or_else(bad)?)
            };
            items.push(item);
        }
        if items.is_empty() {
            return Err(bad());
        }
        Ok(StatusExpect { items })
    }

    /// Exactly these codes.
    pub fn codes(codes: &[u16]) -> Self {
        StatusExpect {
            items: codes.iter().map(|&c| StatusItem::Code(c)).collect(),
        }
    }

    /// `2xx`.
    pub fn success() -> Self {
        StatusExpect {
            items: vec![StatusItem::Class(2)],
        }
    }

    pub fn matches(&self, status: u16) -> bool {
        self.items.iter().any(|i| match *i {
            StatusItem::Code(c) => c == status,
            StatusItem::Range(a, b) => (a..=b).contains(&status),
            StatusItem::Class(d) => status / 100 == d,
        })
    }
}

fn code(s: &str) -> Option<u16> {
    let t = s.trim();
    if t.len() != 3 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok().filter(|c| (100..=599).contains(c))
}

/// `200`, `200, 204`, `200, 204 or 2xx`.
impl fmt::Display for StatusExpect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<String> = self.items.iter().map(ToString::to_string).collect();
        match parts.as_slice() {
            [] => Ok(()),
            [one] => f.write_str(one),
            [init @ .., last] => write!(f, "{} or {last}", init.join(", ")),
        }
    }
}

impl FromStr for StatusExpect {
    type Err = ExpectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StatusExpect::parse(s)
    }
}

/// From YAML/JSON: a number (`200`), a string (`"2xx"`, `"200,204"`), or a
/// list of either (`[200, 204]`, `[200, "3xx"]`).
impl<'de> serde::Deserialize<'de> for StatusExpect {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum One {
            Num(u64),
            Text(String),
        }
        #[derive(serde::Deserialize)]
        #[serde(untagged)]
        enum Form {
            One(One),
            Many(Vec<One>),
        }
        let text = |o: One| match o {
            One::Num(n) => n.to_string(),
            One::Text(t) => t,
        };
        let joined = match Form::deserialize(d)? {
            Form::One(o) => text(o),
            Form::Many(v) => v.into_iter().map(text).collect::<Vec<_>>().join(","),
        };
        StatusExpect::parse(&joined).map_err(serde::de::Error::custom)
    }
}

// ---------------------------------------------------------------- text

/// How a header value is matched: exactly, or by a regex written between
/// slashes (`/^shop-\d+$/`).
#[derive(Debug, Clone)]
pub enum TextMatch {
    Exact(String),
    Regex(Regex),
}

impl TextMatch {
    /// `/re/` is a regex; anything else an exact value (trimmed).
    pub fn parse(s: &str) -> Result<Self, ExpectError> {
        let t = s.trim();
        if t.len() >= 2 && t.starts_with('/') && t.ends_with('/') {
            return Ok(TextMatch::Regex(regex(&t[1..t.len() - 1])?));
        }
        Ok(TextMatch::Exact(t.to_owned()))
    }

    pub fn matches(&self, text: &str) -> bool {
        match self {
            TextMatch::Exact(e) => text.trim() == e,
            TextMatch::Regex(r) => r.is_match(text),
        }
    }
}

impl fmt::Display for TextMatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TextMatch::Exact(e) => write!(f, "{e:?}"),
            TextMatch::Regex(r) => write!(f, "a match for /{}/", r.as_str()),
        }
    }
}

impl PartialEq for TextMatch {
    fn eq(&self, other: &Self) -> bool {
        match (self, other) {
            (TextMatch::Exact(a), TextMatch::Exact(b)) => a == b,
            (TextMatch::Regex(a), TextMatch::Regex(b)) => a.as_str() == b.as_str(),
            _ => false,
        }
    }
}

/// Compiles a regex, as an input error when it does not compile.
pub fn regex(pattern: &str) -> Result<Regex, ExpectError> {
    Regex::new(pattern).map_err(|e| ExpectError::Regex {
        pattern: pattern.to_owned(),
        reason: e.to_string().lines().last().unwrap_or("").trim().to_owned(),
    })
}

// ---------------------------------------------------------------- JSON

/// An RFC 9535 JSONPath with the text it was written as.
#[derive(Debug, Clone)]
pub struct JsonPathExpr {
    path: JsonPath,
    text: String,
}

impl JsonPathExpr {
    pub fn parse(s: &str) -> Result<Self, ExpectError> {
        let t = s.trim();
        let path = JsonPath::parse(t).map_err(|e| ExpectError::JsonPath {
            path: t.to_owned(),
            reason: e.to_string(),
        })?;
        Ok(JsonPathExpr {
            path,
            text: t.to_owned(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The nodes the path selects.
    pub fn query<'a>(&self, value: &'a Value) -> Vec<&'a Value> {
        self.path.query(value).all()
    }
}

impl fmt::Display for JsonPathExpr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl PartialEq for JsonPathExpr {
    fn eq(&self, other: &Self) -> bool {
        self.text == other.text
    }
}

impl FromStr for JsonPathExpr {
    type Err = ExpectError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        JsonPathExpr::parse(s)
    }
}

/// An expected JSON value, compared with sensible coercion of scalars:
/// `true` matches the boolean and the string `"true"`, `1.2.3` the string,
/// `200` the number and the string `"200"`, `1.0` the number `1`. Arrays and
/// objects compare element by element with the same rule.
#[derive(Debug, Clone, PartialEq)]
pub struct ExpectedValue {
    value: Value,
    /// The text as written on a command line, when it was.
    raw: Option<String>,
}

impl ExpectedValue {
    /// A value from a typed source (YAML, JSON).
    pub fn from_json(value: Value) -> Self {
        ExpectedValue { value, raw: None }
    }

    /// A value written as text (`--expect-json $.ok=true`): JSON when it
    /// parses as JSON (`true`, `7`, `"quoted"`, `[1,2]`), else a string.
    pub fn from_text(text: &str) -> Self {
        let t = text.trim();
        let value = serde_json::from_str(t).unwrap_or_else(|_| Value::String(t.to_owned()));
        ExpectedValue {
            value,
            raw: Some(t.to_owned()),
        }
    }

    pub fn value(&self) -> &Value {
        &self.value
    }

    /// Does `got` match?
    pub fn matches(&self, got: &Value) -> bool {
        // Text against a string field: the text as written (`1.20` is not
        // the version `1.2`).
        if let (Some(raw), Value::String(s)) = (&self.raw, got) {
            return s.trim() == raw || self.value == *got;
        }
        values_match(&self.value, got)
    }
}

impl fmt::Display for ExpectedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&short_json(&self.value))
    }
}

/// JSON equality with scalar coercion (see [`ExpectedValue`]).
pub fn values_match(expected: &Value, got: &Value) -> bool {
    match (expected, got) {
        (Value::Array(a), Value::Array(b)) => {
            a.len() == b.len() && a.iter().zip(b).all(|(x, y)| values_match(x, y))
        }
        (Value::Object(a), Value::Object(b)) => {
            a.len() == b.len()
                && a.iter()
                    .all(|(k, v)| b.get(k).is_some_and(|w| values_match(v, w)))
        }
        (Value::Number(a), Value::Number(b)) => numbers_equal(a, b),
        (Value::String(s), other) | (other, Value::String(s))
            if matches!(other, Value::Number(_) | Value::Bool(_) | Value::Null) =>
        {
            scalar_matches_text(other, s.trim())
        }
        _ => expected == got,
    }
}

fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
}

fn scalar_matches_text(v: &Value, s: &str) -> bool {
    match v {
        Value::Number(n) => {
            n.to_string() == s
                || s.parse::<serde_json::Number>()
                    .is_ok_and(|m| numbers_equal(n, &m))
        }
        Value::Bool(b) => s.eq_ignore_ascii_case(if *b { "true" } else { "false" }),
        Value::Null => s == "null" || s == "~",
        _ => false,
    }
}

/// Compact JSON on one line, cut to 120 characters.
fn short_json(v: &Value) -> String {
    one_line_text(&v.to_string(), 120)
}

/// Splits `PATH=VALUE` at the first `=` outside brackets and quotes, so a
/// filter such as `$.items[?@.name=='x'].ok=true` keeps its own `=`s.
pub fn split_json_assertion(s: &str) -> (&str, Option<&str>) {
    let mut depth = 0i32;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '\'' | '"' => quote = Some(c),
            '[' | '(' => depth += 1,
            ']' | ')' => depth -= 1,
            '=' if depth <= 0 => return (&s[..i], Some(&s[i + 1..])),
            _ => {}
        }
    }
    (s, None)
}

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
mod tests {
    use super::*;
    use reqwest::header::{HeaderMap, HeaderValue};
    use serde_json::json;

    fn resp(status: u16, body: &str) -> Response {
        Response::synthetic(status, HeaderMap::new(), body)
    }

    #[test]
    fn status_forms() {
        let s = StatusExpect::parse("200,204|3xx").unwrap();
        assert!(s.matches(200) && s.matches(204) && s.matches(302));
        assert!(!s.matches(201) && !s.matches(404));
        assert_eq!(s.to_string(), "200, 204 or 3xx");
        let r = StatusExpect::parse(" 200-299 ").unwrap();
        assert!(r.matches(250) && !r.matches(300));
        assert!(StatusExpect::parse("2XX").unwrap().matches(299));
        for bad in [
            "", "abc", "2x", "6xx", "0xx", "99", "600", "300-200", "20a", "2000", ", |",
        ] {
            assert!(StatusExpect::parse(bad).is_err(), "{bad}");
        }
        let e = StatusExpect::parse("abc").unwrap_err().to_string();
        assert!(e.contains("'abc'") && e.contains("2xx"), "{e}");
    }

    #[test]
    fn status_from_yaml_like_values() {
        let one: StatusExpect = serde_json::from_value(json!(201)).unwrap();
        assert_eq!(one, StatusExpect::codes(&[201]));
        let many: StatusExpect = serde_json::from_value(json!([200, "3xx"])).unwrap();
        assert!(many.matches(200) && many.matches(301));
        let text: StatusExpect = serde_json::from_value(json!("2xx")).unwrap();
        assert_eq!(text, StatusExpect::success());
        assert!(serde_json::from_value::<StatusExpect>(json!("nope")).is_err());
    }

    #[test]
    fn status_failure_names_expected_and_got() {
        let c = Expectation::Status(StatusExpect::success()).check(&resp(503, ""));
        let Check::Fail(m) = c else { panic!() };
        assert_eq!(m.to_string(), "status: expected 2xx, got 503");
    }

    #[test]
    fn value_coercion() {
        let t = |text: &str, got: Value| ExpectedValue::from_text(text).matches(&got);
        assert!(t("true", json!(true)));
        assert!(t("true", json!("true")));
        assert!(!t("true", json!(false)));
        assert!(t("1.2.3", json!("1.2.3")));
        assert!(t("200", json!(200)));
        assert!(t("200", json!("200")));
        assert!(t("1.0", json!(1)));
        assert!(t("1.20", json!("1.20")));
        assert!(!t("1.20", json!("1.2")));
        assert!(t("null", json!(null)));
        assert!(t("[1, \"a\"]", json!([1, "a"])));
        assert!(t("{\"a\": 1}", json!({"a": 1})));
        assert!(!t("{\"a\": 1}", json!({"a": 1, "b": 2})));
        assert!(t("\"quoted\"", json!("quoted")));
        assert!(!t("ok", json!("OK")));
        let y = |v: Value, got: Value| ExpectedValue::from_json(v).matches(&got);
        assert!(y(json!("1.2.3"), json!("1.2.3")));
        assert!(y(json!(1.5), json!("1.5")));
        assert!(y(json!("true"), json!(true)));
        assert!(y(json!(["a", 2]), json!(["a", "2"])));
        assert!(!y(json!(1), json!(2)));
        assert!(y(json!(u64::MAX), json!(u64::MAX)));
    }

    #[test]
    fn json_assertions_split_outside_brackets() {
        assert_eq!(split_json_assertion("$.ok=true"), ("$.ok", Some("true")));
        assert_eq!(
            split_json_assertion("$.items[?@.name=='a=b'].ok=yes"),
            ("$.items[?@.name=='a=b'].ok", Some("yes"))
        );
        assert_eq!(split_json_assertion("$.a"), ("$.a", None));
        assert_eq!(split_json_assertion("$.q=a=b"), ("$.q", Some("a=b")));
    }

    #[test]
    fn json_expectations() {
        let body = r#"{"ok": true, "version": "1.2.3", "items": [{"id": 1, "tags": ["a", "b"]}, {"id": 2, "tags": []}], "n": 3}"#;
        let r = resp(200, body);
        let check = |s: &str| Expectation::parse_json_assertion(s).unwrap().check(&r);
        assert!(check("$.ok=true").is_pass());
        assert!(check("$.version=1.2.3").is_pass());
        assert!(check("$.items[0].tags[1]=b").is_pass());
        assert!(check("$.n=3").is_pass());
        assert!(check("$.items[?@.id==2].tags=[]").is_pass());
        assert!(check("$.items").is_pass());
        let Check::Fail(m) = check("$.ok=false") else {
            panic!()
        };
        assert_eq!(m.to_string(), "json $.ok: expected false, got true");
        let Check::Fail(m) = check("$.missing=1") else {
            panic!()
        };
        assert_eq!(m.got, "nothing at $.missing");
        let Check::Fail(m) = check("$.items[*].id=1") else {
            panic!()
        };
        assert_eq!(m.expected, "1 at all 2 nodes");
        assert_eq!(m.got, "2");
        let html = resp(200, "<html>oops</html>");
        let Check::Fail(m) = Expectation::parse_json_assertion("$.ok=true")
            .unwrap()
            .check(&html)
        else {
            panic!()
        };
        assert!(m.got.starts_with("the body is not JSON"), "{m}");
        assert!(m.got.contains("<html>oops</html>"), "{m}");
    }

    #[test]
    fn bad_json_assertions_are_input_errors() {
        for bad in ["", "=1", "$.ok=", "$[", "ok=true"] {
            let e = Expectation::parse_json_assertion(bad).unwrap_err();
            assert_eq!(
                vocab::Classify::class(&e),
                vocab::ErrorClass::Input,
                "{bad}"
            );
        }
    }

    #[test]
    fn headers_exact_or_regex() {
        let mut h = HeaderMap::new();
        h.insert("x-service", HeaderValue::from_static("shop-42"));
        let r = Response::synthetic(200, h, "");
        let e = |name: &str, v: Option<&str>| Expectation::Header {
            name: name.into(),
            value: v.map(|v| TextMatch::parse(v).unwrap()),
        };
        assert!(e("X-Service", Some("shop-42")).check(&r).is_pass());
        assert!(e("x-service", Some("/^shop-\\d+$/")).check(&r).is_pass());
        assert!(e("x-service", None).check(&r).is_pass());
        let Check::Fail(m) = e("x-service", Some("shop")).check(&r) else {
            panic!()
        };
        assert_eq!(
            m.to_string(),
            "header x-service: expected \"shop\", got \"shop-42\""
        );
        let Check::Fail(m) = e("x-other", None).check(&r) else {
            panic!()
        };
        assert_eq!(m.got, "no such header");
    }

    #[test]
    fn body_checks() {
        let r = resp(200, "status: all good\n");
        assert!(
            Expectation::BodyContains("all good".into())
                .check(&r)
                .is_pass()
        );
        assert!(
            Expectation::body_matches("all\\s+good")
                .unwrap()
                .check(&r)
                .is_pass()
        );
        let Check::Fail(m) = Expectation::body_matches("^down").unwrap().check(&r) else {
            panic!()
        };
        assert_eq!(
            m.to_string(),
            "body matches: expected a body matching /^down/, got \"status: all good\""
        );
        assert!(Expectation::body_matches("(").is_err());
    }

    #[test]
    fn version_sources() {
        let v = |version: &str, field: Option<&str>| Expectation::Version {
            version: version.into(),
            field: field.map(|f| JsonPathExpr::parse(f).unwrap()),
        };
        let json = resp(200, r#"{"version": "1.2.3", "build": {"tag": "abc"}}"#);
        assert_eq!(
            v("1.2.3", None).check(&json),
            Check::Pass {
                note: Some("version 1.2.3 at $.version".into())
            }
        );
        let Check::Fail(m) = v("1.2.4", None).check(&json) else {
            panic!()
        };
        assert_eq!(
            m.to_string(),
            "version: expected \"1.2.4\" at $.version, got \"1.2.3\""
        );
        assert!(v("abc", Some("$.build.tag")).check(&json).is_pass());
        let Check::Fail(m) = v("abc", Some("$.build.nope")).check(&json) else {
            panic!()
        };
        assert_eq!(m.got, "nothing at $.build.nope");
        let text = resp(200, "app 84fb5881-20250120-143022 up");
        assert_eq!(
            v("84fb5881-20250120-143022", None).check(&text),
            Check::Pass {
                note: Some("version 84fb5881-20250120-143022 found in the body".into())
            }
        );
        let Check::Fail(m) = v("new", None).check(&text) else {
            panic!()
        };
        assert!(m.got.starts_with("the body does not contain it"), "{m}");
        let other_json = resp(200, r#"{"status": "ok"}"#);
        let Check::Fail(m) = v("9", None).check(&other_json) else {
            panic!()
        };
        assert!(m.got.starts_with("no $.version"), "{m}");
    }

    #[test]
    fn latency() {
        let r = resp(200, "");
        assert!(
            Expectation::MaxLatency(Duration::from_secs(1))
                .check(&r)
                .is_pass()
        );
    }

    #[test]
    fn check_all_collects_every_failure() {
        let r = resp(500, "{}");
        let eval = check_all(
            &[
                Expectation::Status(StatusExpect::success()),
                Expectation::parse_json_assertion("$.ok=true").unwrap(),
                Expectation::BodyContains("{}".into()),
            ],
            &r,
        );
        assert!(!eval.passed());
        assert_eq!(eval.failures.len(), 2);
    }
}
