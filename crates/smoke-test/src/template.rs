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
    /// `{{name}}`, filled at run time.
    Var(String),
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
            Part::Var(n) => Some(n.as_str()),
            _ => None,
        })
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
            [Part::Var(n)] => Some(n),
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
                Part::Var(n) => match values.get(n) {
                    Some(v) => out.push_str(&value_text(v)),
                    None => return Err(n.clone()),
                },
            }
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
    /// `{{name}}`.
    Var {
        name: String,
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
                if is_name(inner) {
                    flush(&mut tokens, &mut lit);
                    tokens.push(Token::Var {
                        name: inner.to_owned(),
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
