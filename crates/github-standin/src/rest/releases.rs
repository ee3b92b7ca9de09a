//! Releases, and the tags publishing one creates.

use super::*;

/// Creates the tag a published release needs, honouring rulesets.
pub(super) fn ensure_release_tag(
    s: &mut State,
    ctx: &Ctx,
    tag: &str,
    target: &str,
) -> Result<(), Reply> {
    let full = format!("refs/tags/{tag}");
    if s.refs.contains_key(&full) {
        return Ok(());
    }
    let Some(sha) = s.resolve_commit(target) else {
        return Err(Reply::validation(
            json!({ "resource": "Release", "code": "invalid", "field": "target_commitish" }),
            DOC_CREATE_RELEASE,
        ));
    };
    if s.tag_creation_restricted(tag) && !ctx.token.bypass_rulesets {
        return Err(Reply::json(
            422,
            json!({
                "message": "Validation Failed",
                "errors": [
                    { "resource": "Release", "code": "custom", "field": "pre_receive",
                      "message": format!("pre_receive {RULESET_MESSAGE}") },
                    { "resource": "Release", "code": "custom",
                      "message": "Published releases must have a valid tag" },
                ],
                "documentation_url": DOC_CREATE_RELEASE,
                "status": "422",
            }),
        ));
    }
    s.refs.insert(full, sha);
    Ok(())
}

pub(super) fn make_latest(s: &mut State, ctx: &Ctx, id: u64) {
    let Some(r) = s.releases.iter().find(|r| r.id == id) else {
        return;
    };
    if r.draft || r.prerelease {
        return;
    }
    match ctx.body_str("make_latest").unwrap_or("true") {
        "false" => {}
        "legacy" => {
            let newer = s.latest_release.is_none_or(|cur| {
                s.releases
                    .iter()
                    .find(|x| x.id == cur)
                    .is_none_or(|cur| cur.created_at <= r.created_at)
            });
            if newer {
                s.latest_release = Some(id);
            }
        }
        _ => s.latest_release = Some(id),
    }
}

pub(super) fn create_release(s: &mut State, ctx: &Ctx) -> Reply {
    let Some(tag) = ctx.body_str("tag_name").map(str::to_owned) else {
        return missing("tag_name", DOC_CREATE_RELEASE);
    };
    if s.releases.iter().any(|r| r.tag_name == tag) {
        return Reply::validation(
            json!({ "resource": "Release", "code": "already_exists", "field": "tag_name" }),
            DOC_CREATE_RELEASE,
        );
    }
    if let Some(m) = ctx.body_str("make_latest")
        && !["true", "false", "legacy"].contains(&m)
    {
        return Reply::validation(
            json!({ "resource": "Release", "code": "invalid", "field": "make_latest" }),
            DOC_CREATE_RELEASE,
        );
    }
    let draft = ctx.body_bool("draft").unwrap_or(false);
    let target = ctx
        .body_str("target_commitish")
        .map(str::to_owned)
        .unwrap_or_else(|| s.default_branch.clone());
    if !draft && let Err(r) = ensure_release_tag(s, ctx, &tag, &target) {
        return r;
    }
    let now = s.clock.now();
    let id = s.next_id();
    s.releases.push(Release {
        id,
        tag_name: tag.clone(),
        target_commitish: target,
        name: ctx.body_str("name").map(str::to_owned),
        body: ctx.body_str("body").map(str::to_owned),
        draft,
        prerelease: ctx.body_bool("prerelease").unwrap_or(false),
        author: ctx.token.login.clone(),
        created_at: now,
        published_at: (!draft).then_some(now),
    });
    make_latest(s, ctx, id);
    let r = s.releases.last().expect("just pushed");
    let location = format!("{}/releases/{id}", s.repo_path());
    Reply::json(201, s.release_json(r)).header("location", location)
}

pub(super) fn update_release(s: &mut State, ctx: &Ctx, id: &str) -> Reply {
    let Some(i) = s.releases.iter().position(|r| r.id.to_string() == id) else {
        return Reply::not_found(DOC_UPDATE_RELEASE);
    };
    if let Some(tag) = ctx.body_str("tag_name")
        && s.releases
            .iter()
            .any(|r| r.tag_name == tag && r.id != s.releases[i].id)
    {
        return Reply::validation(
            json!({ "resource": "Release", "code": "already_exists", "field": "tag_name" }),
            DOC_UPDATE_RELEASE,
        );
    }
    let mut r = s.releases[i].clone();
    if let Some(v) = ctx.body_str("tag_name") {
        r.tag_name = v.to_owned();
    }
    if let Some(v) = ctx.body_str("target_commitish") {
        r.target_commitish = v.to_owned();
    }
    if let Some(v) = ctx.body_str("name") {
        r.name = Some(v.to_owned());
    }
    if let Some(v) = ctx.body_str("body") {
        r.body = Some(v.to_owned());
    }
    if let Some(v) = ctx.body_bool("prerelease") {
        r.prerelease = v;
    }
    if let Some(v) = ctx.body_bool("draft") {
        r.draft = v;
    }
    if !r.draft {
        if let Err(reply) = ensure_release_tag(s, ctx, &r.tag_name, &r.target_commitish) {
            return reply;
        }
        if r.published_at.is_none() {
            r.published_at = Some(s.clock.now());
        }
    }
    let rid = r.id;
    s.releases[i] = r;
    if ctx.body_str("make_latest").is_some() || ctx.body_bool("draft") == Some(false) {
        make_latest(s, ctx, rid);
    }
    Reply::ok(s.release_json(&s.releases[i]))
}
