//! `POST /graphql`: enough of GitHub's schema for the queries shipgate
//! sends, read from the query text (arguments, variables, aliases):
//!
//! - `repository(owner:, name:) { refs(refPrefix:, query:, first:, after:,
//!   orderBy: {field: TAG_COMMIT_DATE|ALPHABETICAL, direction:}) { … } }`
//! - `repository(owner:, name:) { deployments(environments:, first:, after:,
//!   orderBy: {field: CREATED_AT, direction:}) { nodes { … statuses(first:)
//!   { … } } } }`
//!
//! Every node carries all the fields shipgate may select (a superset of the
//! selection), with the documented names and types. `TAG_COMMIT_DATE` is
//! implemented as documented ("underlying commit date"), which is *not* the
//! tagger date: clients must not rely on it to order by when a tag was made.

use crate::model::{Deployment, DeploymentStatus, State, TokenGrant, iso};
use crate::server::Reply;
use crate::{Access, Permission};
use serde_json::{Map, Value, json};

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Name(String),
    Var(String),
    Str(String),
    Num(String),
    Punct(char),
}

fn tokenize(q: &str) -> Vec<Tok> {
    let chars: Vec<char> = q.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() || c == ',' {
            i += 1;
        } else if c == '#' {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                if chars[i] == '\\' && i + 1 < chars.len() {
                    i += 1;
                    s.push(match chars[i] {
                        'n' => '\n',
                        't' => '\t',
                        other => other,
                    });
                } else {
                    s.push(chars[i]);
                }
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if c == '$' || c.is_alphabetic() || c == '_' {
            let start = if c == '$' { i + 1 } else { i };
            let mut j = start;
            while j < chars.len() && (chars[j].is_alphanumeric() || chars[j] == '_') {
                j += 1;
            }
            let word: String = chars[start..j].iter().collect();
            out.push(if c == '$' {
                Tok::Var(word)
            } else {
                Tok::Name(word)
            });
            i = j;
        } else if c.is_ascii_digit() || c == '-' {
            let mut j = i + 1;
            while j < chars.len() && (chars[j].is_ascii_digit() || chars[j] == '.') {
                j += 1;
            }
            out.push(Tok::Num(chars[i..j].iter().collect()));
            i = j;
        } else if c == '.' {
            // `... on Tag`
            i += 1;
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    out
}

struct Parser<'a> {
    toks: &'a [Tok],
    pos: usize,
    vars: &'a Map<String, Value>,
}

impl Parser<'_> {
    fn value(&mut self) -> Value {
        let t = self.toks.get(self.pos).cloned();
        self.pos += 1;
        match t {
            Some(Tok::Var(v)) => self.vars.get(&v).cloned().unwrap_or(Value::Null),
            Some(Tok::Str(s)) => Value::String(s),
            Some(Tok::Num(n)) => n
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| n.parse::<f64>().map(Value::from))
                .unwrap_or(Value::Null),
            Some(Tok::Name(n)) => match n.as_str() {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                "null" => Value::Null,
                _ => Value::String(n),
            },
            Some(Tok::Punct('[')) => {
                let mut items = Vec::new();
                while !matches!(self.toks.get(self.pos), Some(Tok::Punct(']')) | None) {
                    items.push(self.value());
                }
                self.pos += 1;
                Value::Array(items)
            }
            Some(Tok::Punct('{')) => {
                let mut obj = Map::new();
                while let Some(Tok::Name(k)) = self.toks.get(self.pos).cloned() {
                    self.pos += 1;
                    if self.toks.get(self.pos) == Some(&Tok::Punct(':')) {
                        self.pos += 1;
                    }
                    obj.insert(k, self.value());
                }
                self.pos += 1;
                Value::Object(obj)
            }
            _ => Value::Null,
        }
    }

    fn args(&mut self) -> Map<String, Value> {
        let mut out = Map::new();
        if self.toks.get(self.pos) != Some(&Tok::Punct('(')) {
            return out;
        }
        self.pos += 1;
        while let Some(Tok::Name(k)) = self.toks.get(self.pos).cloned() {
            self.pos += 1;
            if self.toks.get(self.pos) == Some(&Tok::Punct(':')) {
                self.pos += 1;
            }
            out.insert(k, self.value());
        }
        out
    }
}

/// A field occurrence in the query: its response key (alias or name) and
/// its arguments.
struct Call {
    key: String,
    args: Map<String, Value>,
}

/// Finds the first selection of `field` (skipping the operation's own
/// variable definitions) and reads its arguments.
fn find_call(toks: &[Tok], vars: &Map<String, Value>, field: &str) -> Option<Call> {
    find_calls(toks, vars, field, false).into_iter().next()
}

/// Every selection of `field`, with arguments (only those with an argument
/// list when `with_args`).
fn find_calls(toks: &[Tok], vars: &Map<String, Value>, field: &str, with_args: bool) -> Vec<Call> {
    let start = toks.iter().position(|t| *t == Tok::Punct('{')).unwrap_or(0);
    (start..toks.len())
        .filter(|&i| {
            toks[i] == Tok::Name(field.into())
                && !(i > 0 && matches!(toks[i - 1], Tok::Var(_)))
                && !matches!(toks.get(i + 1), Some(Tok::Punct(':')))
                && (!with_args || toks.get(i + 1) == Some(&Tok::Punct('(')))
        })
        .map(|at| {
            let key = match (at.checked_sub(2).map(|i| &toks[i]), toks.get(at - 1)) {
                (Some(Tok::Name(alias)), Some(Tok::Punct(':'))) => alias.clone(),
                _ => field.to_owned(),
            };
            let mut p = Parser {
                toks,
                pos: at + 1,
                vars,
            };
            Call {
                key,
                args: p.args(),
            }
        })
        .collect()
}

fn graphql_error(message: &str, kind: Option<&str>, path: &[&str]) -> Value {
    let mut e = json!({ "message": message, "locations": [{ "line": 1, "column": 1 }] });
    if let Some(k) = kind {
        e["type"] = json!(k);
    }
    if !path.is_empty() {
        e["path"] = json!(path);
    }
    e
}

/// The cursors' base64: standard alphabet, padded on encode, lenient on
/// decode (padding optional, trailing bits allowed) as the stand-in has been.
const CURSOR_B64: base64::engine::GeneralPurpose = base64::engine::GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    base64::engine::GeneralPurposeConfig::new()
        .with_decode_padding_mode(base64::engine::DecodePaddingMode::Indifferent)
        .with_decode_allow_trailing_bits(true),
);

fn base64(bytes: &[u8]) -> String {
    use base64::Engine as _;
    CURSOR_B64.encode(bytes)
}

fn unbase64(s: &str) -> Option<Vec<u8>> {
    use base64::Engine as _;
    CURSOR_B64.decode(s).ok()
}

fn cursor(offset: usize) -> String {
    base64(format!("cursor:v2:{offset}").as_bytes())
}

fn uncursor(c: &str) -> Option<usize> {
    let raw = String::from_utf8(unbase64(c)?).ok()?;
    raw.strip_prefix("cursor:v2:")?.parse().ok()
}

/// `first`/`last`/`after` on a connection: the window of `total` items,
/// or a GraphQL error.
fn window(
    args: &Map<String, Value>,
    connection: &str,
    total: usize,
) -> Result<(usize, usize), String> {
    let first = args.get("first").and_then(Value::as_i64);
    let last = args.get("last").and_then(Value::as_i64);
    let after = match args.get("after") {
        None | Some(Value::Null) => 0,
        Some(Value::String(c)) => uncursor(c)
            .map(|o| o + 1)
            .ok_or_else(|| format!("`{c}` does not appear to be a valid cursor."))?,
        Some(_) => return Err("after: expected a cursor string".into()),
    };
    match (first, last) {
        (None, None) => Err(format!(
            "You must provide a `first` or `last` value to properly paginate the `{connection}` connection."
        )),
        (Some(n), _) if !(0..=100).contains(&n) => Err(format!(
            "Requesting {n} records on the `{connection}` connection exceeds the `first` limit of 100 records."
        )),
        (_, Some(n)) if !(0..=100).contains(&n) => Err(format!(
            "Requesting {n} records on the `{connection}` connection exceeds the `last` limit of 100 records."
        )),
        (Some(n), _) => {
            let start = after.min(total);
            Ok((start, (start + n as usize).min(total)))
        }
        (None, Some(n)) => Ok((
            total.saturating_sub(n as usize).max(after.min(total)),
            total,
        )),
    }
}

fn connection(nodes: Vec<Value>, start: usize, end: usize, total: usize) -> Value {
    let edges: Vec<Value> = nodes
        .iter()
        .enumerate()
        .map(|(i, n)| json!({ "cursor": cursor(start + i), "node": n }))
        .collect();
    json!({
        "totalCount": total,
        "nodes": nodes,
        "edges": edges,
        "pageInfo": {
            "hasNextPage": end < total,
            "hasPreviousPage": start > 0,
            "startCursor": (end > start).then(|| cursor(start)),
            "endCursor": (end > start).then(|| cursor(end - 1)),
        }
    })
}

pub(crate) fn handle(s: &mut State, token: &TokenGrant, body: Option<&Value>) -> Reply {
    let Some(query) = body.and_then(|b| b.get("query")).and_then(Value::as_str) else {
        return Reply::ok(json!({ "errors": [graphql_error(
            "A query attribute must be specified and must be a string.", None, &[])] }));
    };
    let empty = Map::new();
    let vars = body
        .and_then(|b| b.get("variables"))
        .and_then(Value::as_object)
        .unwrap_or(&empty);
    let toks = tokenize(query);
    if toks.first() == Some(&Tok::Name("mutation".into())) {
        return Reply::ok(json!({ "errors": [graphql_error(
            "the stand-in answers queries only", None, &[])] }));
    }
    let Some(repo) = find_call(&toks, vars, "repository") else {
        return Reply::ok(json!({ "errors": [graphql_error(
            "the stand-in answers `repository { refs | deployments }` queries only", None, &[])] }));
    };
    let owner = repo.args.get("owner").and_then(Value::as_str).unwrap_or("");
    let name = repo.args.get("name").and_then(Value::as_str).unwrap_or("");
    if !owner.eq_ignore_ascii_case(&s.owner) || !name.eq_ignore_ascii_case(&s.name) {
        return Reply::ok(json!({
            "data": { repo.key.clone(): null },
            "errors": [graphql_error(
                &format!("Could not resolve to a Repository with the name '{owner}/{name}'."),
                Some("NOT_FOUND"), &[&repo.key])],
        }));
    }
    let mut repo_obj = Map::new();
    let mut errors = Vec::new();
    repo_obj.insert(
        "nameWithOwner".into(),
        json!(format!("{}/{}", s.owner, s.name)),
    );
    if let Some(call) = find_call(&toks, vars, "refs") {
        let v = if token.access(Permission::Contents) < Access::Read {
            errors.push(graphql_error(
                "Resource not accessible by integration",
                Some("FORBIDDEN"),
                &[&repo.key, &call.key],
            ));
            Value::Null
        } else {
            match refs(s, &call.args, target_depth(&toks)) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(graphql_error(&e, None, &[&repo.key, &call.key]));
                    Value::Null
                }
            }
        };
        repo_obj.insert(call.key, v);
    }
    for call in find_calls(&toks, vars, "ref", true) {
        let v = if token.access(Permission::Contents) < Access::Read {
            errors.push(graphql_error(
                "Resource not accessible by integration",
                Some("FORBIDDEN"),
                &[&repo.key, &call.key],
            ));
            Value::Null
        } else {
            one_ref(s, &call.args, target_depth(&toks))
        };
        repo_obj.insert(call.key, v);
    }
    if let Some(call) = find_call(&toks, vars, "deployments") {
        let statuses = find_call(&toks, vars, "statuses").map(|c| c.args);
        let v = if token.access(Permission::Deployments) < Access::Read {
            errors.push(graphql_error(
                "Resource not accessible by integration",
                Some("FORBIDDEN"),
                &[&repo.key, &call.key],
            ));
            Value::Null
        } else {
            match deployments(s, &call.args, statuses.as_ref()) {
                Ok(v) => v,
                Err(e) => {
                    errors.push(graphql_error(&e, None, &[&repo.key, &call.key]));
                    Value::Null
                }
            }
        };
        repo_obj.insert(call.key, v);
    }
    let mut out = json!({ "data": { repo.key: Value::Object(repo_obj) } });
    if !errors.is_empty() {
        out["errors"] = Value::Array(errors);
    }
    Reply::ok(out)
}

fn order(args: &Map<String, Value>) -> (String, bool) {
    let o = args.get("orderBy");
    let field = o
        .and_then(|o| o.get("field"))
        .and_then(Value::as_str)
        .unwrap_or("")
        .to_owned();
    let desc = o
        .and_then(|o| o.get("direction"))
        .and_then(Value::as_str)
        .is_some_and(|d| d == "DESC");
    (field, desc)
}

fn commit_node(s: &State, sha: &str) -> Value {
    match s.commits.get(sha) {
        Some(c) => json!({
            "__typename": "Commit",
            "id": State::node_id("C", sha),
            "oid": sha,
            "abbreviatedOid": &sha[..7.min(sha.len())],
            "committedDate": iso(c.committer.date),
            "authoredDate": iso(c.author.date),
            "message": c.message,
        }),
        None => json!({ "__typename": "Commit", "oid": sha }),
    }
}

/// How deeply the query nests `target { … }` selections: a tag object's
/// `target` is only answered as deep as it was asked for.
fn target_depth(toks: &[Tok]) -> usize {
    let mut stack: Vec<bool> = Vec::new();
    let mut max = 0;
    for (i, t) in toks.iter().enumerate() {
        match t {
            Tok::Punct('{') => {
                let is_target = i > 0 && toks[i - 1] == Tok::Name("target".into());
                stack.push(is_target);
                max = max.max(stack.iter().filter(|b| **b).count());
            }
            Tok::Punct('}') => {
                stack.pop();
            }
            _ => {}
        }
    }
    max
}

fn object_node(s: &State, sha: &str, level: usize, max: usize) -> Value {
    match s.tag_objects.get(sha) {
        Some(t) => json!({
            "__typename": "Tag",
            "id": State::node_id("TAG", sha),
            "oid": sha,
            "name": t.tag,
            "message": t.message,
            "tagger": t.tagger.as_ref().map(|g| json!({
                "name": g.name,
                "email": g.email,
                "date": g.date.strftime("%Y-%m-%dT%H:%M:%S+00:00").to_string(),
            })),
            "target": if level < max { object_node(s, &t.object_sha, level + 1, max) } else { Value::Null },
        }),
        None => commit_node(s, sha),
    }
}

fn refs(s: &State, args: &Map<String, Value>, depth: usize) -> Result<Value, String> {
    let prefix = args
        .get("refPrefix")
        .and_then(Value::as_str)
        .ok_or("Argument 'refPrefix' on Field 'refs' has an invalid value (null). Expected type 'String!'.")?;
    let query = args.get("query").and_then(Value::as_str).unwrap_or("");
    let mut items: Vec<(&String, &String)> = s
        .refs
        .range(prefix.to_owned()..)
        .take_while(|(k, _)| k.starts_with(prefix))
        .filter(|(k, _)| k[prefix.len()..].contains(query))
        .collect();
    let (field, desc) = order(args);
    if field == "TAG_COMMIT_DATE" {
        let date = |sha: &String| {
            s.peel(sha)
                .and_then(|c| s.commits.get(&c))
                .map(|c| c.committer.date)
        };
        items.sort_by(|a, b| date(a.1).cmp(&date(b.1)).then_with(|| a.0.cmp(b.0)));
    }
    if desc {
        items.reverse();
    }
    let total = items.len();
    let (start, end) = window(args, "refs", total)?;
    let nodes: Vec<Value> = items[start..end]
        .iter()
        .map(|(full, sha)| {
            json!({
                "id": State::node_id("REF", full),
                "name": &full[prefix.len()..],
                "prefix": prefix,
                "target": object_node(s, sha, 1, depth),
            })
        })
        .collect();
    Ok(connection(nodes, start, end, total))
}

/// `ref(qualifiedName:)`: a full name first, then `refs/heads/`, then
/// `refs/tags/`; `null` when there is no such ref.
fn one_ref(s: &State, args: &Map<String, Value>, depth: usize) -> Value {
    let q = args
        .get("qualifiedName")
        .and_then(Value::as_str)
        .unwrap_or("");
    let found = [
        q.to_owned(),
        format!("refs/heads/{q}"),
        format!("refs/tags/{q}"),
    ]
    .into_iter()
    .find_map(|full| s.refs.get(&full).map(|sha| (full, sha)));
    match found {
        Some((full, sha)) => {
            let (prefix, name) = ["refs/heads/", "refs/tags/"]
                .iter()
                .find_map(|p| full.strip_prefix(p).map(|n| (*p, n)))
                .unwrap_or(("refs/", full.trim_start_matches("refs/")));
            json!({
                "id": State::node_id("REF", &full),
                "name": name,
                "prefix": prefix,
                "target": object_node(s, sha, 1, depth),
            })
        }
        None => Value::Null,
    }
}

fn status_node(st: &DeploymentStatus) -> Value {
    json!({
        "id": State::node_id("DES", &st.id.to_string()),
        "state": st.state.to_ascii_uppercase(),
        "description": st.description,
        "environment": st.environment,
        "environmentUrl": st.environment_url,
        "logUrl": st.log_url,
        "createdAt": iso(st.created_at),
        "updatedAt": iso(st.created_at),
        "creator": { "login": st.creator },
    })
}

fn deployment_state(d: &Deployment) -> &'static str {
    match d.statuses.last().map(|s| s.state.as_str()) {
        None | Some("pending") => "PENDING",
        Some("success") => "ACTIVE",
        Some("inactive") if d.transient_environment => "DESTROYED",
        Some("inactive") => "INACTIVE",
        Some("failure") => "FAILURE",
        Some("error") => "ERROR",
        Some("in_progress") => "IN_PROGRESS",
        Some("queued") => "QUEUED",
        Some(_) => "PENDING",
    }
}

fn deployments(
    s: &State,
    args: &Map<String, Value>,
    status_args: Option<&Map<String, Value>>,
) -> Result<Value, String> {
    let envs: Option<Vec<&str>> = args
        .get("environments")
        .and_then(Value::as_array)
        .map(|a| a.iter().filter_map(Value::as_str).collect());
    let mut items: Vec<&Deployment> = s
        .deployments
        .iter()
        .filter(|d| {
            envs.as_ref()
                .is_none_or(|e| e.contains(&d.environment.as_str()))
        })
        .collect();
    let (_, desc) = order(args);
    if desc {
        items.reverse();
    }
    let total = items.len();
    let (start, end) = window(args, "deployments", total)?;
    let mut nodes = Vec::new();
    for d in &items[start..end] {
        let git_ref = ["refs/heads/", "refs/tags/"].iter().find_map(|p| {
            s.refs
                .contains_key(&format!("{p}{}", d.git_ref))
                .then(|| json!({ "name": d.git_ref, "prefix": p }))
        });
        let statuses = match status_args {
            Some(a) => {
                let n = d.statuses.len();
                let (st, en) = window(a, "statuses", n)?;
                let nodes = d.statuses[st..en].iter().map(status_node).collect();
                connection(nodes, st, en, n)
            }
            None => Value::Null,
        };
        nodes.push(json!({
            "id": State::node_id("DE", &d.id.to_string()),
            "databaseId": d.id,
            "environment": d.environment,
            "originalEnvironment": d.original_environment,
            "latestEnvironment": d.environment,
            "task": d.task,
            "payload": d.payload.to_string(),
            "description": d.description,
            "commitOid": d.sha,
            "commit": { "oid": d.sha },
            "ref": git_ref,
            "createdAt": iso(d.created_at),
            "updatedAt": iso(d.updated_at),
            "state": deployment_state(d),
            "latestStatus": d.statuses.last().map(status_node),
            "statuses": statuses,
            "creator": { "login": d.creator },
        }));
    }
    Ok(connection(nodes, start, end, total))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trip() {
        for s in ["", "a", "ab", "abc", "cursor:v2:123"] {
            assert_eq!(unbase64(&base64(s.as_bytes())).unwrap(), s.as_bytes());
        }
        assert_eq!(base64(b"abc"), "YWJj");
        assert_eq!(base64(b"ab"), "YWI=");
        assert_eq!(uncursor(&cursor(42)), Some(42));
        assert_eq!(uncursor("bm9wZQ=="), None);
    }

    #[test]
    fn reads_arguments_variables_and_aliases() {
        let q = r#"query($owner: String!, $name: String!, $after: String) {
            repository(owner: $owner, name: $name) {
              tags: refs(refPrefix: "refs/tags/", query: "qa-", first: 100, after: $after,
                         orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) {
                nodes { name target { __typename ... on Tag { oid } } }
              }
            }
        }"#;
        let vars = json!({ "owner": "o", "name": "r", "after": null });
        let vars = vars.as_object().unwrap();
        let toks = tokenize(q);
        let repo = find_call(&toks, vars, "repository").unwrap();
        assert_eq!(repo.key, "repository");
        assert_eq!(repo.args["owner"], "o");
        let refs = find_call(&toks, vars, "refs").unwrap();
        assert_eq!(refs.key, "tags");
        assert_eq!(refs.args["refPrefix"], "refs/tags/");
        assert_eq!(refs.args["first"], 100);
        assert_eq!(refs.args["after"], Value::Null);
        assert_eq!(refs.args["orderBy"]["field"], "TAG_COMMIT_DATE");
        assert_eq!(refs.args["orderBy"]["direction"], "DESC");
    }

    #[test]
    fn windows() {
        let args = |v: Value| v.as_object().unwrap().clone();
        assert_eq!(window(&args(json!({"first": 2})), "refs", 5), Ok((0, 2)));
        assert_eq!(
            window(&args(json!({"first": 2, "after": cursor(1)})), "refs", 5),
            Ok((2, 4))
        );
        assert_eq!(window(&args(json!({"last": 2})), "refs", 5), Ok((3, 5)));
        assert!(window(&args(json!({})), "refs", 5).is_err());
        assert!(
            window(&args(json!({"first": 101})), "refs", 5)
                .unwrap_err()
                .contains("limit of 100")
        );
    }
}
