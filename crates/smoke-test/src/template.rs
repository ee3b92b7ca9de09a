//! Text with `${ENV}` and `{{name}}` in it.
//!
//! Two passes over every string value of the spec, after YAML parsing (so a
//! value can never change the structure of the spec):
//!
//! - `${NAME}` is replaced once, when the spec is loaded, by the environment
//!   variable `NAME`; `${NAME:-default}` uses `default` when `NAME` is unset
//!   or empty; an unset or empty `NAME` without a default is an error; `$${`
//!   is a literal `${`.
//! - `{{name}}` (spaces inside allowed) is filled at run time from `--var`s,
//!   `vars:` and captures. Any other `{{` is literal text.
//! - In a URL (`url:`, `path:`), a value is percent-encoded as one path
//!   segment or one query value ([`Template::render_url`]), so it cannot
//!   move the request: `/`, `?`, `#`, `@`, `%` arrive encoded and a value
//!   that would make a `.` or `..` segment is refused. `{{name | raw}}`
//!   pastes the value as it is; the caller then checks that the URL's origin
//!   is still the one written in the spec.
//!
//! The value an environment variable brings in is literal: a `{{x}}` inside
//! it is not a placeholder.

use serde_json::Value;
use std::collections::HashMap;

/// A piece of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Part {
    /// Text as written in the spec.
    Lit(String),
    /// The value of an environment variable (kept apart so a secret header
    /// can mask exactly it).
    Env { name: String, value: String },
    /// `{{name}}`, filled at run time (percent-encoded in a URL).
    Var(String),
    /// `{{name | raw}}`: filled as it is, even in a URL.
    Raw(String),
}

/// Why a URL template could not be filled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UrlFillError {
    /// No value for this name.
    Missing(String),
    /// The value makes a `.` or `..` path segment (which would move the
    /// request up the path).
    DotSegment { name: String, segment: String },
}

impl std::fmt::Display for UrlFillError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            UrlFillError::Missing(n) => write!(f, "no value for {{{{{n}}}}}"),
            UrlFillError::DotSegment { name, segment } => write!(
                f,
                "{{{{{name}}}}} makes the path segment '{segment}', which would move the request up the path; refused"
            ),
        }
    }
}

/// Where in a URL the text being written sits.
#[derive(Clone, Copy, PartialEq, Eq)]
enum UrlPart {
    Path,
    Query,
    Fragment,
}

/// A string from the spec, ready to be filled in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Template {
    pub parts: Vec<Part>,
}

/// The values `{{name}}` refers to: vars (strings) and captures (JSON).
pub type Values = HashMap<String, Value>;

impl Template {
    /// A template without placeholders.
    pub fn literal(s: impl Into<String>) -> Self {
        Template {
            parts: vec![Part::Lit(s.into())],
        }
    }

    /// The names of the `{{placeholders}}`, in order.
    pub fn vars(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Var(n) | Part::Raw(n) => Some(n.as_str()),
            _ => None,
        })
    }

    /// The text before the first placeholder (literal and `${ENV}` text).
    pub fn literal_prefix(&self) -> String {
        self.parts
            .iter()
            .map_while(|p| match p {
                Part::Lit(s) | Part::Env { value: s, .. } => Some(s.as_str()),
                Part::Var(_) | Part::Raw(_) => None,
            })
            .collect()
    }

    /// The values of the environment variables used in it.
    pub fn env_values(&self) -> impl Iterator<Item = &str> {
        self.parts.iter().filter_map(|p| match p {
            Part::Env { value, .. } => Some(value.as_str()),
            _ => None,
        })
    }

    /// `Some(name)` when the template is exactly one `{{name}}`.
    pub fn sole_var(&self) -> Option<&str> {
        match self.parts.as_slice() {
            [Part::Var(n) | Part::Raw(n)] => Some(n),
            _ => None,
        }
    }

    /// The text as written, with placeholders as `{{name}}` (for reports).
    pub fn source(&self) -> String {
        self.parts
            .iter()
            .map(|p| match p {
                Part::Lit(s) => s.clone(),
                Part::Env { name, .. } => format!("${{{name}}}"),
                Part::Var(n) => format!("{{{{{n}}}}}"),
                Part::Raw(n) => format!("{{{{{n} | raw}}}}"),
            })
            .collect()
    }

    /// Fills the placeholders. A missing value is the name that is missing
    /// (the scheduler makes sure that cannot happen).
    pub fn render(&self, values: &Values) -> Result<String, String> {
        let mut out = String::new();
        for p in &self.parts {
            match p {
                Part::Lit(s) | Part::Env { value: s, .. } => out.push_str(s),
                Part::Var(n) | Part::Raw(n) => match values.get(n) {
                    Some(v) => out.push_str(&value_text(v)),
                    None => return Err(n.clone()),
                },
            }
        }
        Ok(out)
    }

    /// Fills the placeholders of a URL (or of a path under the base URL):
    /// each `{{name}}` value is percent-encoded as one path segment (before
    /// the first `?`) or one query value (after it), keeping only the
    /// unreserved characters `A-Z a-z 0-9 - . _ ~`; a value that makes a
    /// whole `.` or `..` segment is refused. `{{name | raw}}` is pasted as
    /// it is (the caller checks the origin of the result).
    pub fn render_url(&self, values: &Values) -> Result<String, UrlFillError> {
        let mut out = String::new();
        let mut part = UrlPart::Path;
        // Where the current path segment starts in `out`, and the encoded
        // placeholder in it, if any.
        let mut seg_start = 0;
        let mut seg_var: Option<&str> = None;
        let close_segment = |out: &str, seg_start: usize, seg_var: Option<&str>| {
            let Some(name) = seg_var else {
                return Ok(());
            };
            let segment = &out[seg_start..];
            let lower = segment.to_ascii_lowercase().replace("%2e", ".");
            if lower == "." || lower == ".." {
                return Err(UrlFillError::DotSegment {
                    name: name.to_owned(),
                    segment: segment.to_owned(),
                });
            }
            Ok(())
        };
        for p in &self.parts {
            let (text, encoded_var) = match p {
                Part::Lit(s) | Part::Env { value: s, .. } => (s.clone(), None),
                Part::Raw(n) => match values.get(n) {
                    Some(v) => (value_text(v), None),
                    None => return Err(UrlFillError::Missing(n.clone())),
                },
                Part::Var(n) => match values.get(n) {
                    Some(v) => (encode_component(&value_text(v)), Some(n.as_str())),
                    None => return Err(UrlFillError::Missing(n.clone())),
                },
            };
            if encoded_var.is_some() {
                // Encoded text has no `/`, `?` or `#`: it stays in the part
                // and the segment it was written in.
                out.push_str(&text);
                if part == UrlPart::Path {
                    seg_var = seg_var.or(encoded_var);
                }
                continue;
            }
            for c in text.chars() {
                match (part, c) {
                    (UrlPart::Path, '/' | '\\' | '?' | '#') => {
                        close_segment(&out, seg_start, seg_var)?;
                        seg_var = None;
                        part = match c {
                            '?' => UrlPart::Query,
                            '#' => UrlPart::Fragment,
                            _ => UrlPart::Path,
                        };
                        out.push(c);
                        seg_start = out.len();
                    }
                    (UrlPart::Query, '#') => {
                        part = UrlPart::Fragment;
                        out.push(c);
                    }
                    _ => out.push(c),
                }
            }
        }
        if part == UrlPart::Path {
            close_segment(&out, seg_start, seg_var)?;
        }
        Ok(out)
    }

    /// The values that filled the placeholders (to mask them when the
    /// template is a secret header).
    pub fn var_values(&self, values: &Values) -> Vec<String> {
        self.vars()
            .filter_map(|n| values.get(n))
            .map(value_text)
            .collect()
    }
}

/// Percent-encodes everything but the unreserved characters of RFC 3986
/// (`A-Z a-z 0-9 - . _ ~`): the result is one path segment or one query
/// value, whatever the input. (Hand-written: eight lines, and the exact set
/// matters more than a dependency's idea of a "path segment" set.)
pub fn encode_component(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, UNRESERVED).to_string()
}

/// RFC 3986's unreserved characters stay; every other byte is `%XX`.
const UNRESERVED: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~');

/// A value as text: strings as they are, anything else as compact JSON.
pub fn value_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A token of a scanned string, with its byte position in the value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Lit(String),
    /// `${NAME}` or `${NAME:-default}`.
    Env {
        name: String,
        default: Option<String>,
        at: usize,
        raw: String,
    },
    /// `{{name}}` or `{{name | filter}}`.
    Var {
        name: String,
        /// The filter after `|`, when there is one (only `raw` is valid).
        filter: Option<String>,
        at: usize,
        raw: String,
    },
    /// A `${` that is not `${NAME}`.
    BadEnv {
        at: usize,
        raw: String,
    },
}

/// Is `s` a valid variable name: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_name(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// Splits a string into literal text, `${ENV}` and `{{name}}` tokens.
/// With `vars` false, `{{` is always literal (for `run:` scripts).
pub fn scan(s: &str, envs: bool, vars: bool) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut lit = String::new();
    let mut i = 0;
    let bytes = s.as_bytes();
    while i < s.len() {
        let rest = &s[i..];
        if envs && rest.starts_with("$${") {
            lit.push_str("${");
            i += 3;
            continue;
        }
        if envs && rest.starts_with("${") {
            let close = rest.find('}');
            let inner = close.map(|c| &rest[2..c]);
            let parsed = inner.and_then(|inner| {
                let (name, default) = match inner.split_once(":-") {
                    Some((n, d)) => (n, Some(d.to_owned())),
                    None => (inner, None),
                };
                is_name(name).then(|| (name.to_owned(), default))
            });
            match (parsed, close) {
                (Some((name, default)), Some(c)) => {
                    flush(&mut tokens, &mut lit);
                    tokens.push(Token::Env {
                        name,
                        default,
                        at: i,
                        raw: rest[..=c].to_owned(),
                    });
                    i += c + 1;
                }
                _ => {
                    flush(&mut tokens, &mut lit);
                    let end = close.map_or(rest.len().min(40), |c| c + 1);
                    let mut end = end.min(rest.len());
                    while !rest.is_char_boundary(end) {
                        end -= 1;
                    }
                    tokens.push(Token::BadEnv {
                        at: i,
                        raw: rest[..end].to_owned(),
                    });
                    i += 2;
                }
            }
            continue;
        }
        if vars && rest.starts_with("{{") {
            if let Some(c) = rest[2..].find("}}") {
                let inner = rest[2..2 + c].trim();
                let (name, filter) = match inner.split_once('|') {
                    Some((n, f)) => (n.trim(), Some(f.trim())),
                    None => (inner, None),
                };
                if is_name(name) && filter.is_none_or(is_name) {
                    flush(&mut tokens, &mut lit);
                    tokens.push(Token::Var {
                        name: name.to_owned(),
                        filter: filter.map(str::to_owned),
                        at: i,
                        raw: rest[..c + 4].to_owned(),
                    });
                    i += c + 4;
                    continue;
                }
            }
        }
        // Copy one character.
        let len = utf8_len(bytes[i]);
        lit.push_str(&s[i..i + len]);
        i += len;
    }
    flush(&mut tokens, &mut lit);
    tokens
}

fn utf8_len(first: u8) -> usize {
    match first {
        0x00..=0x7F => 1,
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        _ => 4,
    }
}

fn flush(tokens: &mut Vec<Token>, lit: &mut String) {
    if !lit.is_empty() {
        tokens.push(Token::Lit(std::mem::take(lit)));
    }
}

/// The names a `run:` script refers to as `$name` or `${name}` (to know
/// which captures it waits for). Single-quoted text counts too: the script
/// may hand it to another shell.
pub fn shell_refs(script: &str) -> Vec<String> {
    let mut names = Vec::new();
    let b = script.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'$' {
            let (start, braced) = if b.get(i + 1) == Some(&b'{') {
                (i + 2, true)
            } else {
                (i + 1, false)
            };
            let mut end = start;
            while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                end += 1;
            }
            let name = &script[start..end];
            let closed =
                !braced || matches!(b.get(end), Some(b'}' | b':' | b'-' | b'#' | b'%' | b'/'));
            if is_name(name) && closed && !names.iter().any(|n| n == name) {
                names.push(name.to_owned());
            }
            i = end.max(i + 1);
        } else {
            i += 1;
        }
    }
    names
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_component_keeps_only_the_unreserved_characters() {
        assert_eq!(
            encode_component("a b/c?d#e&f=g%h@i:j~k-l.m_nü"),
            "a%20b%2Fc%3Fd%23e%26f%3Dg%25h%40i%3Aj~k-l.m_n%C3%BC"
        );
    }

    use super::*;
    use serde_json::json;

    fn lit(s: &str) -> Token {
        Token::Lit(s.into())
    }

    #[test]
    fn scans_env_vars_and_placeholders() {
        let t = scan("Bearer ${API_TOKEN} for {{ item_id }}!", true, true);
        assert_eq!(
            t,
            vec![
                lit("Bearer "),
                Token::Env {
                    name: "API_TOKEN".into(),
                    default: None,
                    at: 7,
                    raw: "${API_TOKEN}".into()
                },
                lit(" for "),
                Token::Var {
                    name: "item_id".into(),
                    filter: None,
                    at: 24,
                    raw: "{{ item_id }}".into()
                },
                lit("!"),
            ]
        );
    }

    #[test]
    fn escapes_and_defaults() {
        assert_eq!(
            scan("$${HOME} costs $5", true, true),
            vec![lit("${HOME} costs $5")]
        );
        assert_eq!(
            scan("${PORT:-8080}", true, true),
            vec![Token::Env {
                name: "PORT".into(),
                default: Some("8080".into()),
                at: 0,
                raw: "${PORT:-8080}".into()
            }]
        );
    }

    #[test]
    fn malformed_env_references_are_tokens() {
        let t = scan("x ${API TOKEN} y", true, true);
        assert!(matches!(&t[1], Token::BadEnv { at: 2, raw } if raw == "${API TOKEN}"));
        let t = scan("${unclosed", true, true);
        assert!(matches!(&t[0], Token::BadEnv { at: 0, .. }));
    }

    #[test]
    fn other_braces_are_literal() {
        assert_eq!(
            scan("{{}} {{a b}} {x}", true, true),
            vec![lit("{{}} {{a b}} {x}")]
        );
        assert_eq!(scan("{{x}}", true, false), vec![lit("{{x}}")]);
        assert_eq!(scan("${X}", false, true), vec![lit("${X}")]);
    }

    #[test]
    fn unicode_survives() {
        assert_eq!(scan("café → {{x}}", true, true)[0], lit("café → "));
    }

    #[test]
    fn renders_values() {
        let t = Template {
            parts: vec![
                Part::Lit("/items/".into()),
                Part::Var("id".into()),
                Part::Env {
                    name: "E".into(),
                    value: "{{id}}".into(),
                },
            ],
        };
        let mut v = Values::new();
        v.insert("id".into(), json!(42));
        assert_eq!(t.render(&v).unwrap(), "/items/42{{id}}");
        assert_eq!(t.source(), "/items/{{id}}${E}");
        assert_eq!(t.render(&Values::new()), Err("id".into()));
        v.insert("id".into(), json!("a b"));
        assert_eq!(t.render(&v).unwrap(), "/items/a b{{id}}");
    }

    fn url(parts: Vec<Part>, values: &[(&str, Value)]) -> Result<String, UrlFillError> {
        let values: Values = values
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.clone()))
            .collect();
        Template { parts }.render_url(&values)
    }

    #[test]
    fn url_values_are_one_segment_or_one_query_value() {
        let id = ("id", json!("../../admin?x=1#f"));
        assert_eq!(
            url(
                vec![Part::Lit("/items/".into()), Part::Var("id".into())],
                std::slice::from_ref(&id)
            )
            .unwrap(),
            "/items/..%2F..%2Fadmin%3Fx%3D1%23f"
        );
        assert_eq!(
            url(
                vec![Part::Lit("/s?q=".into()), Part::Var("id".into())],
                std::slice::from_ref(&id)
            )
            .unwrap(),
            "/s?q=..%2F..%2Fadmin%3Fx%3D1%23f"
        );
        let at = ("loc", json!("@evil:1/x %é\\"));
        assert_eq!(
            url(
                vec![Part::Lit("http://h".into()), Part::Var("loc".into())],
                std::slice::from_ref(&at)
            )
            .unwrap(),
            "http://h%40evil%3A1%2Fx%20%25%C3%A9%5C"
        );
        // raw is pasted as it is; numbers as JSON text.
        assert_eq!(
            url(
                vec![Part::Lit("http://h".into()), Part::Raw("loc".into())],
                &[at]
            )
            .unwrap(),
            "http://h@evil:1/x %é\\"
        );
        assert_eq!(
            url(
                vec![Part::Lit("/n/".into()), Part::Var("n".into())],
                &[("n", json!(4.5))]
            )
            .unwrap(),
            "/n/4.5"
        );
        assert_eq!(
            url(vec![Part::Var("x".into())], &[]),
            Err(UrlFillError::Missing("x".into()))
        );
    }

    #[test]
    fn url_values_making_dot_segments_are_refused() {
        for (lit_before, value, lit_after) in [
            ("/a/", "..", "/b"),
            ("/a/", ".", ""),
            ("/a/.", ".", "?x"),
            ("/a/%2e", ".", "#f"),
        ] {
            let got = url(
                vec![
                    Part::Lit(lit_before.into()),
                    Part::Var("v".into()),
                    Part::Lit(lit_after.into()),
                ],
                &[("v", json!(value))],
            );
            assert!(
                matches!(got, Err(UrlFillError::DotSegment { .. })),
                "{lit_before}{value}{lit_after}: {got:?}"
            );
        }
        // Not a whole segment, or in the query: fine.
        assert_eq!(
            url(
                vec![
                    Part::Lit("/a/".into()),
                    Part::Var("v".into()),
                    Part::Lit(".json?q=".into()),
                    Part::Var("v".into())
                ],
                &[("v", json!(".."))]
            )
            .unwrap(),
            "/a/...json?q=.."
        );
    }

    #[test]
    fn filters_are_scanned() {
        assert_eq!(
            scan("/x/{{ loc | raw }}", true, true)[1],
            Token::Var {
                name: "loc".into(),
                filter: Some("raw".into()),
                at: 3,
                raw: "{{ loc | raw }}".into()
            }
        );
        assert!(
            matches!(&scan("{{a|upper}}", true, true)[0], Token::Var { filter: Some(f), .. } if f == "upper")
        );
        assert_eq!(
            scan("{{a|}} {{|a}}", true, true),
            vec![lit("{{a|}} {{|a}}")]
        );
        let t = Template {
            parts: vec![Part::Lit("/".into()), Part::Raw("p".into())],
        };
        assert_eq!(t.source(), "/{{p | raw}}");
        assert_eq!(t.vars().collect::<Vec<_>>(), ["p"]);
        assert_eq!(t.literal_prefix(), "/");
    }

    #[test]
    fn names() {
        assert!(is_name("item_id"));
        assert!(is_name("_x1"));
        assert!(!is_name("1x"));
        assert!(!is_name("a-b"));
        assert!(!is_name(""));
    }

    #[test]
    fn shell_references() {
        assert_eq!(
            shell_refs("echo $item_id ${token} ${n:-1} $1 $$ ${#x} $a_b-c \"$q\""),
            ["item_id", "token", "n", "a_b", "q"]
        );
    }
}
