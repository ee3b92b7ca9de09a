//! YAML → an ordered tree ([`Node`]) with strict, path-named accessors.
//!
//! serde-saphyr parses (YAML 1.2: `on` is a string key, `yes` is a string);
//! the tree keeps mapping order (jobs run in file order among equals) and
//! refuses duplicate keys. Every accessor names the path of the offending
//! node (`jobs.build.steps[2].with`), because the harness refuses rather
//! than guesses.

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Vec<(String, Node)>),
}

impl Node {
    pub fn kind(&self) -> &'static str {
        match self {
            Node::Null => "null",
            Node::Bool(_) => "a boolean",
            Node::Int(_) | Node::Float(_) => "a number",
            Node::Str(_) => "a string",
            Node::Seq(_) => "a sequence",
            Node::Map(_) => "a mapping",
        }
    }

    /// The scalar as the runner reads it in `env:`, `with:` and friends:
    /// strings as they are, booleans `true`/`false`, numbers in their
    /// shortest form (so `3.10` reads `3.1`, as on GitHub).
    pub fn scalar_text(&self) -> Option<String> {
        match self {
            Node::Str(s) => Some(s.clone()),
            Node::Bool(b) => Some(b.to_string()),
            Node::Int(i) => Some(i.to_string()),
            Node::Float(f) => Some(super::expr::format_number(*f)),
            Node::Null => Some(String::new()),
            Node::Seq(_) | Node::Map(_) => None,
        }
    }

    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Node::Null => serde_json::Value::Null,
            Node::Bool(b) => (*b).into(),
            Node::Int(i) => (*i).into(),
            Node::Float(f) => serde_json::Number::from_f64(*f)
                .map_or(serde_json::Value::Null, serde_json::Value::Number),
            Node::Str(s) => s.clone().into(),
            Node::Seq(items) => items.iter().map(Node::to_json).collect(),
            Node::Map(entries) => entries
                .iter()
                .map(|(k, v)| (k.clone(), v.to_json()))
                .collect::<serde_json::Map<_, _>>()
                .into(),
        }
    }
}

/// Parses YAML text into a tree. Booleans are YAML 1.2's only (`true`,
/// `false`): GitHub reads `on:` and `yes` as strings.
pub fn parse(text: &str) -> Result<Node, String> {
    let options = serde_saphyr::options! { strict_booleans: true };
    serde_saphyr::from_str_with_options::<Node>(text, options).map_err(|e| e.to_string())
}

impl<'de> Deserialize<'de> for Node {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(NodeVisitor)
    }
}

struct NodeVisitor;

impl<'de> Visitor<'de> for NodeVisitor {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Node, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node, E> {
        Ok(Node::Int(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Node, E> {
        i64::try_from(v)
            .map(Node::Int)
            .or(Ok(Node::Float(v as f64)))
    }
    fn visit_i128<E>(self, v: i128) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }
    fn visit_u128<E>(self, v: u128) -> Result<Node, E> {
        Ok(i64::try_from(v).map_or(Node::Float(v as f64), Node::Int))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node, E> {
        Ok(Node::Float(v))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node, E> {
        Ok(Node::Str(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Node, E> {
        Ok(Node::Str(v))
    }
    fn visit_char<E>(self, v: char) -> Result<Node, E> {
        Ok(Node::Str(v.to_string()))
    }
    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node, E> {
        Ok(Node::Null)
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Node, D::Error> {
        Node::deserialize(d)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<Node>()? {
            items.push(item);
        }
        Ok(Node::Seq(items))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(String, Node)> = Vec::new();
        while let Some(key) = map.next_key::<Node>()? {
            let key = key.scalar_text().ok_or_else(|| {
                de::Error::custom(format!(
                    "a mapping key is {}, expected a scalar",
                    key.kind()
                ))
            })?;
            let value = map.next_value::<Node>()?;
            if entries.iter().any(|(k, _)| *k == key) {
                return Err(de::Error::custom(format!("duplicate key `{key}`")));
            }
            entries.push((key, value));
        }
        Ok(Node::Map(entries))
    }
}

/// A node with the path that reached it, for messages.
#[derive(Clone, Copy)]
pub struct At<'a> {
    pub node: &'a Node,
    pub path: &'a str,
}

impl<'a> At<'a> {
    pub fn new(node: &'a Node, path: &'a str) -> Self {
        Self { node, path }
    }

    pub fn err(&self, message: impl fmt::Display) -> String {
        if self.path.is_empty() {
            message.to_string()
        } else {
            format!("{}: {message}", self.path)
        }
    }

    /// The mapping's entries, checking every key against `allowed`, and
    /// naming the keys the harness deliberately does not implement.
    pub fn map(
        &self,
        allowed: &[&str],
        unsupported: &[&str],
    ) -> Result<&'a [(String, Node)], String> {
        let Node::Map(entries) = self.node else {
            return Err(self.err(format!("expected a mapping, found {}", self.node.kind())));
        };
        for (k, _) in entries {
            if unsupported.contains(&k.as_str()) {
                return Err(self.err(format!(
                    "`{k}` is not supported by the workflow harness (it implements only what shipgate's files use)"
                )));
            }
            if !allowed.contains(&k.as_str()) {
                return Err(self.err(format!(
                    "unknown key `{k}` (expected one of: {})",
                    allowed.join(", ")
                )));
            }
        }
        Ok(entries)
    }

    pub fn entries(&self) -> Result<&'a [(String, Node)], String> {
        match self.node {
            Node::Map(entries) => Ok(entries),
            Node::Null => Ok(&[]),
            other => Err(self.err(format!("expected a mapping, found {}", other.kind()))),
        }
    }

    pub fn seq(&self) -> Result<&'a [Node], String> {
        match self.node {
            Node::Seq(items) => Ok(items),
            other => Err(self.err(format!("expected a sequence, found {}", other.kind()))),
        }
    }

    /// A scalar read as text (see [`Node::scalar_text`]).
    pub fn text(&self) -> Result<String, String> {
        self.node
            .scalar_text()
            .ok_or_else(|| self.err(format!("expected a scalar, found {}", self.node.kind())))
    }

    pub fn string(&self) -> Result<String, String> {
        match self.node {
            Node::Str(s) => Ok(s.clone()),
            other => Err(self.err(format!("expected a string, found {}", other.kind()))),
        }
    }

    pub fn bool(&self) -> Result<bool, String> {
        match self.node {
            Node::Bool(b) => Ok(*b),
            other => Err(self.err(format!("expected true or false, found {}", other.kind()))),
        }
    }

    /// A string or a list of strings (`needs: a` / `needs: [a, b]`).
    pub fn string_or_list(&self) -> Result<Vec<String>, String> {
        match self.node {
            Node::Str(s) => Ok(vec![s.clone()]),
            Node::Seq(items) => items
                .iter()
                .enumerate()
                .map(|(i, n)| {
                    let p = format!("{}[{i}]", self.path);
                    At::new(n, &p).string()
                })
                .collect(),
            other => Err(self.err(format!(
                "expected a string or a list of strings, found {}",
                other.kind()
            ))),
        }
    }

    /// A `name: scalar` mapping (`env:`, `with:`, `outputs:`), in order.
    pub fn string_map(&self) -> Result<Vec<(String, String)>, String> {
        self.entries()?
            .iter()
            .map(|(k, v)| {
                let p = format!("{}.{k}", self.path);
                Ok((k.clone(), At::new(v, &p).text()?))
            })
            .collect()
    }
}

pub fn get<'a>(entries: &'a [(String, Node)], key: &str) -> Option<&'a Node> {
    entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
}
