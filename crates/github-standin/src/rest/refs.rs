//! Git refs and annotated tag objects, with tag rulesets.

use super::*;

pub(super) fn get_ref(s: &State, name: &str) -> Reply {
    let full = format!("refs/{name}");
    match s.refs.get(&full) {
        Some(sha) => Reply::ok(s.ref_json(&full, sha)),
        None => Reply::not_found(DOC_GET_REF),
    }
}

pub(super) fn matching_refs(s: &State, prefix: &str) -> Reply {
    let full = format!("refs/{prefix}");
    let all: Vec<Value> = s
        .refs
        .range(full.clone()..)
        .take_while(|(k, _)| k.starts_with(&full))
        .map(|(k, v)| s.ref_json(k, v))
        .collect();
    Reply::ok(Value::Array(all))
}

pub(super) fn ruleset_refusal(doc: &str) -> Reply {
    Reply::error(422, RULESET_MESSAGE, doc)
}

pub(super) fn create_ref(s: &mut State, ctx: &Ctx) -> Reply {
    let Some(name) = ctx.body_str("ref") else {
        return missing("ref", DOC_CREATE_REF);
    };
    let Some(sha) = ctx.body_str("sha") else {
        return missing("sha", DOC_CREATE_REF);
    };
    if !name.starts_with("refs/") || name.matches('/').count() < 2 || name.ends_with('/') {
        return Reply::error(422, "Reference name is invalid", DOC_CREATE_REF);
    }
    if s.object_type(sha).is_none() {
        return Reply::error(422, "Object does not exist", DOC_CREATE_REF);
    }
    if s.refs.contains_key(name) {
        return Reply::error(422, "Reference already exists", DOC_CREATE_REF);
    }
    if let Some(short) = name.strip_prefix("refs/tags/")
        && s.tag_creation_restricted(short)
        && !ctx.token.bypass_rulesets
    {
        return ruleset_refusal(DOC_CREATE_REF);
    }
    s.refs.insert(name.to_owned(), sha.to_owned());
    let url = format!("{}/git/{name}", s.repo_path());
    Reply::json(201, s.ref_json(name, sha)).header("location", url)
}

pub(super) fn is_ancestor(s: &State, old: &str, new: &str) -> bool {
    let mut stack = vec![new.to_owned()];
    let mut seen = std::collections::HashSet::new();
    while let Some(c) = stack.pop() {
        if c == old {
            return true;
        }
        if seen.insert(c.clone())
            && let Some(commit) = s.commits.get(&c)
        {
            stack.extend(commit.parents.iter().cloned());
        }
    }
    false
}

pub(super) fn update_ref(s: &mut State, ctx: &Ctx, name: &str) -> Reply {
    let full = format!("refs/{name}");
    let Some(sha) = ctx.body_str("sha") else {
        return missing("sha", DOC_UPDATE_REF);
    };
    let Some(old) = s.refs.get(&full).cloned() else {
        return Reply::error(422, "Reference does not exist", DOC_UPDATE_REF);
    };
    if s.object_type(sha).is_none() {
        return Reply::error(422, "Object does not exist", DOC_UPDATE_REF);
    }
    let force = ctx.body_bool("force").unwrap_or(false);
    let fast_forward = match (s.peel(&old), s.peel(sha)) {
        (Some(o), Some(n)) => is_ancestor(s, &o, &n),
        _ => false,
    };
    if !force && !fast_forward {
        return Reply::error(422, "Update is not a fast forward", DOC_UPDATE_REF);
    }
    s.refs.insert(full.clone(), sha.to_owned());
    Reply::ok(s.ref_json(&full, sha))
}

pub(super) fn delete_ref(s: &mut State, name: &str) -> Reply {
    match s.refs.remove(&format!("refs/{name}")) {
        Some(_) => Reply::no_content(),
        None => Reply::error(422, "Reference does not exist", DOC_DELETE_REF),
    }
}

pub(super) fn parse_time(v: Option<&Value>) -> Option<Timestamp> {
    v?.as_str()?.parse().ok()
}

pub(super) fn create_tag(s: &mut State, ctx: &Ctx) -> Reply {
    let Some(tag) = ctx.body_str("tag") else {
        return missing("tag", DOC_CREATE_TAG);
    };
    let Some(message) = ctx.body_str("message") else {
        return missing("message", DOC_CREATE_TAG);
    };
    let Some(object) = ctx.body_str("object") else {
        return missing("object", DOC_CREATE_TAG);
    };
    let Some(kind) = ctx.body_str("type") else {
        return missing("type", DOC_CREATE_TAG);
    };
    let Some(actual) = s.object_type(object) else {
        return Reply::error(422, "Object does not exist", DOC_CREATE_TAG);
    };
    if actual != kind {
        return Reply::error(
            422,
            &format!("Object type is {actual}, not {kind}"),
            DOC_CREATE_TAG,
        );
    }
    let tagger_v = ctx.body.as_ref().and_then(|b| b.get("tagger"));
    let date = match parse_time(tagger_v.and_then(|t| t.get("date"))) {
        Some(d) => d,
        None => s.clock.now(),
    };
    let name = tagger_v
        .and_then(|t| t.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(&ctx.token.login)
        .to_owned();
    let email = tagger_v
        .and_then(|t| t.get("email"))
        .and_then(Value::as_str)
        .unwrap_or(crate::model::BOT_EMAIL)
        .to_owned();
    let sha = s.object_id("tag", &format!("{tag}\n{message}"));
    let t = TagObject {
        sha: sha.clone(),
        tag: tag.to_owned(),
        message: message.to_owned(),
        tagger: Some(crate::Signature { name, email, date }),
        object_sha: object.to_owned(),
        object_type: kind.to_owned(),
    };
    let body = s.tag_json(&t);
    s.tag_objects.insert(sha.clone(), t);
    let url = format!("{}/git/tags/{sha}", s.repo_path());
    Reply::json(201, body).header("location", url)
}
