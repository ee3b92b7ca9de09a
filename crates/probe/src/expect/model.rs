//! The parts an expectation is made of, parsed from outside: status sets
//! (`200`, `2xx`, `200-299`), text and regex matches, JSON paths and the
//! values expected at them, and the errors bad ones give.

use crate::excerpt::one_line_text;
use regex::Regex;
use serde_json::Value;
use serde_json_path::JsonPath;
use std::fmt;
use std::str::FromStr;

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

pub(super) fn code(s: &str) -> Option<u16> {
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

pub(super) fn numbers_equal(a: &serde_json::Number, b: &serde_json::Number) -> bool {
    if let (Some(x), Some(y)) = (a.as_i64(), b.as_i64()) {
        return x == y;
    }
    if let (Some(x), Some(y)) = (a.as_u64(), b.as_u64()) {
        return x == y;
    }
    matches!((a.as_f64(), b.as_f64()), (Some(x), Some(y)) if x == y)
}

pub(super) fn scalar_matches_text(v: &Value, s: &str) -> bool {
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
pub(super) fn short_json(v: &Value) -> String {
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
