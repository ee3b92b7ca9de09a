//! The spec as written: a serde model of the YAML with a source location on
//! every value, and `deny_unknown_fields` everywhere, so a typo such as
//! `expct` is an error with its line and column.
//!
//! Scalars stay text here ([`Text`]); `${ENV}` expansion, `{{name}}`
//! templates and value parsing (durations, statuses, regexes, JSONPath)
//! happen when the spec is compiled, so every error can point at its value.

use serde::Deserialize;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::Spanned;
use std::fmt;

/// Where a value starts in the spec file (1-based line and column, and the
/// byte offset when known).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Loc {
    pub line: u64,
    pub col: u64,
    pub offset: Option<usize>,
}

impl Loc {
    pub(crate) fn of<T>(s: &Spanned<T>) -> Self {
        let at = s.referenced;
        Loc {
            line: at.line(),
            col: at.column(),
            offset: at.span().byte_offset().map(|o| o as usize),
        }
    }
}

/// A scalar written in the spec, as text (YAML `5`, `true` and `1.10` stay
/// exactly as written), with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Text {
    pub value: String,
    pub loc: Loc,
}

impl<'de> Deserialize<'de> for Text {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<String>::deserialize(d)?;
        Ok(Text {
            loc: Loc::of(&s),
            value: s.value,
        })
    }
}

/// A mapping with its order and the location of every key.
#[derive(Debug, Clone, PartialEq)]
pub struct Map<V> {
    pub loc: Loc,
    pub entries: Vec<(Text, V)>,
}

impl<V> Default for Map<V> {
    fn default() -> Self {
        Map {
            loc: Loc::default(),
            entries: Vec::new(),
        }
    }
}

struct Entries<V>(Vec<(Text, V)>);

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Entries<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct EntriesVisitor<V>(std::marker::PhantomData<V>);
        impl<'de, V: Deserialize<'de>> Visitor<'de> for EntriesVisitor<V> {
            type Value = Entries<V>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a mapping")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = map.next_key::<Text>()? {
                    let v = map.next_value::<V>()?;
                    entries.push((k, v));
                }
                Ok(Entries(entries))
            }
        }
        d.deserialize_map(EntriesVisitor(std::marker::PhantomData))
    }
}

impl<'de, V: Deserialize<'de>> Deserialize<'de> for Map<V> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<Entries<V>>::deserialize(d)?;
        Ok(Map {
            loc: Loc::of(&s),
            entries: s.value.0,
        })
    }
}

/// One value or a list of them (`status: 200` or `status: [200, 204]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OneOrMany {
    pub loc: Loc,
    pub items: Vec<Text>,
}

enum OneOrManyInner {
    One(String),
    Many(Vec<Text>),
}

impl<'de> Deserialize<'de> for OneOrManyInner {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = OneOrManyInner;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a value or a list of values")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(OneOrManyInner::One(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(OneOrManyInner::One(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(OneOrManyInner::One(v.to_string()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(OneOrManyInner::One(v.to_string()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                Ok(OneOrManyInner::One(v.to_string()))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(OneOrManyInner::One(v.to_string()))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(t) = seq.next_element::<Text>()? {
                    items.push(t);
                }
                Ok(OneOrManyInner::Many(items))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for OneOrMany {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<OneOrManyInner>::deserialize(d)?;
        let loc = Loc::of(&s);
        let items = match s.value {
            OneOrManyInner::One(value) => vec![Text { value, loc }],
            OneOrManyInner::Many(items) => items,
        };
        Ok(OneOrMany { loc, items })
    }
}

/// Any YAML value (a JSON body, an expected JSON value), with locations.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub loc: Loc,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Seq(Vec<Node>),
    Map(Vec<(Text, Node)>),
}

impl<'de> Deserialize<'de> for NodeKind {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = NodeKind;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(NodeKind::Null)
            }
            fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
                Ok(NodeKind::Null)
            }
            fn visit_some<D2: Deserializer<'de>>(self, d: D2) -> Result<Self::Value, D2::Error> {
                NodeKind::deserialize(d)
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(NodeKind::Bool(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
                Ok(NodeKind::Number(v.into()))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(NodeKind::Number(v.into()))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
                serde_json::Number::from_f64(v)
                    .map(NodeKind::Number)
                    .ok_or_else(|| {
                        E::custom("a number that JSON can represent (not NaN or infinity)")
                    })
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(NodeKind::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(NodeKind::String(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut items = Vec::new();
                while let Some(n) = seq.next_element::<Node>()? {
                    items.push(n);
                }
                Ok(NodeKind::Seq(items))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut entries = Vec::new();
                while let Some(k) = map.next_key::<Text>()? {
                    let v = map.next_value::<Node>()?;
                    entries.push((k, v));
                }
                Ok(NodeKind::Map(entries))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<NodeKind>::deserialize(d)?;
        Ok(Node {
            loc: Loc::of(&s),
            kind: s.value,
        })
    }
}

/// The whole spec file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Spec {
    pub base_url: Option<Text>,
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub vars: Map<Text>,
    pub checks: Spanned<Vec<Spanned<Check>>>,
}

/// `defaults:` applied to every check.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Defaults {
    /// HTTP request timeout.
    pub timeout: Option<Text>,
    /// `run:` command timeout.
    pub run_timeout: Option<Text>,
    #[serde(default)]
    pub headers: Map<Text>,
    pub retries: Option<Text>,
    pub retry_delay: Option<Text>,
}

/// One check: an HTTP `request:` or a `run:` command.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub name: Text,
    pub request: Option<Spanned<Request>>,
    pub run: Option<Text>,
    pub timeout: Option<Text>,
    pub expect: Option<Spanned<Expect>>,
    #[serde(default)]
    pub capture: Map<Capture>,
    pub needs: Option<OneOrMany>,
    pub retries: Option<Text>,
    pub retry_delay: Option<Text>,
}

/// `request:` of an HTTP check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Request {
    pub method: Option<Text>,
    pub path: Option<Text>,
    pub url: Option<Text>,
    #[serde(default)]
    pub headers: Map<Text>,
    #[serde(default)]
    pub query: Map<Text>,
    pub json: Option<Node>,
    pub body: Option<Text>,
    pub timeout: Option<Text>,
    pub follow_redirects: Option<Text>,
}

/// `expect:` of a check.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Expect {
    pub status: Option<OneOrMany>,
    #[serde(default)]
    pub headers: Map<Text>,
    pub body_contains: Option<OneOrMany>,
    pub body_matches: Option<OneOrMany>,
    #[serde(default)]
    pub json: Map<Node>,
    pub max_latency: Option<Text>,
    pub exit: Option<Text>,
    pub stdout_contains: Option<OneOrMany>,
    pub stdout_matches: Option<OneOrMany>,
    pub stderr_contains: Option<OneOrMany>,
}

/// Where a captured value comes from: `"$.id"` (JSONPath into the body, or
/// into a command's stdout), or `{ header: location }`, `{ json: "$.id" }`,
/// `{ regex: "id=(\\d+)" }` (first group, else the whole match).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Capture {
    pub loc: Loc,
    pub source: CaptureSource,
    pub expr: Text,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CaptureSource {
    Json,
    Header,
    Regex,
}

enum CaptureInner {
    Path(String),
    From(CaptureSource, Text),
}

const CAPTURE_SOURCES: &[&str] = &["json", "header", "regex"];

impl<'de> Deserialize<'de> for CaptureInner {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = CaptureInner;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str(
                    "a JSONPath such as \"$.id\", or one of { json: PATH }, { header: NAME }, { regex: RE }",
                )
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(CaptureInner::Path(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
                Ok(CaptureInner::Path(v))
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let Some(key) = map.next_key::<String>()? else {
                    return Err(de::Error::invalid_length(0, &self));
                };
                let source = match key.as_str() {
                    "json" => CaptureSource::Json,
                    "header" => CaptureSource::Header,
                    "regex" => CaptureSource::Regex,
                    other => return Err(de::Error::unknown_field(other, CAPTURE_SOURCES)),
                };
                let expr = map.next_value::<Text>()?;
                if let Some(extra) = map.next_key::<String>()? {
                    return Err(de::Error::custom(format_args!(
                        "a capture has exactly one source; remove `{extra}`"
                    )));
                }
                Ok(CaptureInner::From(source, expr))
            }
        }
        d.deserialize_any(V)
    }
}

impl<'de> Deserialize<'de> for Capture {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = Spanned::<CaptureInner>::deserialize(d)?;
        let loc = Loc::of(&s);
        Ok(match s.value {
            CaptureInner::Path(value) => Capture {
                loc,
                source: CaptureSource::Json,
                expr: Text { value, loc },
            },
            CaptureInner::From(source, expr) => Capture { loc, source, expr },
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(yaml: &str) -> Result<Spec, serde_saphyr::Error> {
        serde_saphyr::from_str(yaml)
    }

    #[test]
    fn scalars_stay_as_written() {
        let spec = parse("vars: { a: 1.10, b: true, c: 0x1F, d: '5' }\nchecks: []\n").unwrap();
        let values: Vec<_> = spec
            .vars
            .entries
            .iter()
            .map(|(_, v)| v.value.as_str())
            .collect();
        assert_eq!(values, ["1.10", "true", "0x1F", "5"]);
        let (k, v) = &spec.vars.entries[0];
        assert_eq!((k.loc.line, k.loc.col), (1, 9));
        assert_eq!((v.loc.line, v.loc.col), (1, 12));
        assert_eq!(v.loc.offset, Some(11));
    }

    #[test]
    fn nodes_keep_types_and_locations() {
        let spec = parse(
            "checks:\n  - name: x\n    request:\n      json: { name: widget, n: 3, tags: [a, b], ok: true, none: null }\n",
        )
        .unwrap();
        let check = &spec.checks.value[0].value;
        let json = check.request.as_ref().unwrap().value.json.as_ref().unwrap();
        let NodeKind::Map(entries) = &json.kind else {
            panic!("{json:?}")
        };
        assert_eq!(entries[0].1.kind, NodeKind::String("widget".into()));
        assert_eq!(entries[1].1.kind, NodeKind::Number(3.into()));
        assert!(matches!(&entries[2].1.kind, NodeKind::Seq(v) if v.len() == 2));
        assert_eq!(entries[3].1.kind, NodeKind::Bool(true));
        assert_eq!(entries[4].1.kind, NodeKind::Null);
        assert_eq!(entries[0].1.loc.line, 4);
    }

    #[test]
    fn unknown_keys_are_located() {
        let err = parse("checks:\n  - name: x\n    expct: { status: 200 }\n").unwrap_err();
        let loc = err.location().unwrap();
        assert_eq!((loc.line(), loc.column()), (3, 5));
        assert!(err.to_string().contains("expct"), "{err}");
    }

    #[test]
    fn status_one_or_many() {
        let spec = parse(
            "checks:\n  - name: a\n    expect: { status: 200 }\n  - name: b\n    expect: { status: [200, '2xx'] }\n",
        )
        .unwrap();
        let s0 = spec.checks.value[0]
            .value
            .expect
            .as_ref()
            .unwrap()
            .value
            .status
            .clone()
            .unwrap();
        assert_eq!(s0.items.len(), 1);
        assert_eq!(s0.items[0].value, "200");
        let s1 = spec.checks.value[1]
            .value
            .expect
            .as_ref()
            .unwrap()
            .value
            .status
            .clone()
            .unwrap();
        let v: Vec<_> = s1.items.iter().map(|t| t.value.as_str()).collect();
        assert_eq!(v, ["200", "2xx"]);
    }

    #[test]
    fn captures_in_both_forms() {
        let spec = parse(
            "checks:\n  - name: a\n    capture: { id: $.id, loc: { header: location }, n: { regex: 'n=(\\d+)' } }\n",
        )
        .unwrap();
        let caps = &spec.checks.value[0].value.capture.entries;
        assert_eq!(caps[0].1.source, CaptureSource::Json);
        assert_eq!(caps[0].1.expr.value, "$.id");
        assert_eq!(caps[1].1.source, CaptureSource::Header);
        assert_eq!(caps[1].1.expr.value, "location");
        assert_eq!(caps[2].1.source, CaptureSource::Regex);
        let err = parse("checks:\n  - name: a\n    capture: { id: { jsn: $.id } }\n").unwrap_err();
        assert!(err.to_string().contains("jsn"), "{err}");
    }

    #[test]
    fn duplicate_keys_are_errors() {
        let err = parse("checks:\n  - name: a\n    name: b\n").unwrap_err();
        assert_eq!(err.location().unwrap().line(), 3);
    }
}
