//! The REST routes, with GitHub's documented answers.

use crate::model::{Deployment, DeploymentStatus, Release, State, TagObject};
use crate::server::{Ctx, Reply, accepted, decode, paged, parse_query};
use crate::{Access, Permission};
use jiff::Timestamp;
use serde_json::{Value, json};

const DOC_REPO: &str = "https://docs.github.com/rest/repos/repos#get-a-repository";
const DOC_GET_REF: &str = "https://docs.github.com/rest/git/refs#get-a-reference";
const DOC_MATCHING: &str = "https://docs.github.com/rest/git/refs#list-matching-references";
const DOC_CREATE_REF: &str = "https://docs.github.com/rest/git/refs#create-a-reference";
const DOC_UPDATE_REF: &str = "https://docs.github.com/rest/git/refs#update-a-reference";
const DOC_DELETE_REF: &str = "https://docs.github.com/rest/git/refs#delete-a-reference";
const DOC_CREATE_TAG: &str = "https://docs.github.com/rest/git/tags#create-a-tag-object";
const DOC_GET_TAG: &str = "https://docs.github.com/rest/git/tags#get-a-tag";
const DOC_GIT_COMMIT: &str = "https://docs.github.com/rest/git/commits#get-a-commit-object";
const DOC_COMMIT: &str = "https://docs.github.com/rest/commits/commits#get-a-commit";
const DOC_COMMIT_PULLS: &str =
    "https://docs.github.com/rest/commits/commits#list-pull-requests-associated-with-a-commit";
const DOC_PULL: &str = "https://docs.github.com/rest/pulls/pulls#get-a-pull-request";
const DOC_COMMENTS: &str = "https://docs.github.com/rest/issues/comments#list-issue-comments";
const DOC_CREATE_COMMENT: &str =
    "https://docs.github.com/rest/issues/comments#create-an-issue-comment";
const DOC_UPDATE_COMMENT: &str =
    "https://docs.github.com/rest/issues/comments#update-an-issue-comment";
const DOC_PULL_COMMITS: &str =
    "https://docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request";
const DOC_LABELS: &str = "https://docs.github.com/rest/issues/labels#list-labels-for-an-issue";
const DOC_DEPLOYMENTS: &str =
    "https://docs.github.com/rest/deployments/deployments#list-deployments";
const DOC_CREATE_DEPLOYMENT: &str =
    "https://docs.github.com/rest/deployments/deployments#create-a-deployment";
const DOC_DEPLOYMENT: &str =
    "https://docs.github.com/rest/deployments/deployments#get-a-deployment";
const DOC_STATUSES: &str =
    "https://docs.github.com/rest/deployments/statuses#list-deployment-statuses";
const DOC_CREATE_STATUS: &str =
    "https://docs.github.com/rest/deployments/statuses#create-a-deployment-status";
const DOC_ENVIRONMENT: &str =
    "https://docs.github.com/rest/deployments/environments#get-an-environment";
const DOC_ENVIRONMENTS: &str =
    "https://docs.github.com/rest/deployments/environments#list-environments";
const DOC_RELEASES: &str = "https://docs.github.com/rest/releases/releases#list-releases";
const DOC_CREATE_RELEASE: &str = "https://docs.github.com/rest/releases/releases#create-a-release";
const DOC_RELEASE: &str = "https://docs.github.com/rest/releases/releases#get-a-release";
const DOC_RELEASE_BY_TAG: &str =
    "https://docs.github.com/rest/releases/releases#get-a-release-by-tag-name";
const DOC_LATEST_RELEASE: &str =
    "https://docs.github.com/rest/releases/releases#get-the-latest-release";
const DOC_UPDATE_RELEASE: &str = "https://docs.github.com/rest/releases/releases#update-a-release";

const RULESET_MESSAGE: &str =
    "Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n";

const DEPLOYMENT_STATES: [&str; 7] = [
    "error",
    "failure",
    "inactive",
    "in_progress",
    "queued",
    "pending",
    "success",
];

use Access::{Read, Write};
use Permission::{Actions, Contents, Deployments, Issues, Metadata, PullRequests};

pub(crate) fn route(
    s: &mut State,
    method: &str,
    path: &str,
    query: Option<&str>,
    body: Option<Value>,
    token: crate::model::TokenGrant,
) -> Reply {
    if path == "/rate_limit" && method == "GET" {
        return rate_limit(s);
    }
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let rel_raw = match segs.as_slice() {
        ["repos", owner, name, rest @ ..]
            if decode(owner).eq_ignore_ascii_case(&s.owner)
                && decode(name).eq_ignore_ascii_case(&s.name) =>
        {
            rest.join("/")
        }
        ["repositories", id, rest @ ..] if *id == s.repo_id.to_string() => rest.join("/"),
        ["repos", ..] | ["repositories", ..] => return Reply::not_found(DOC_REPO),
        _ => return Reply::not_found("https://docs.github.com/rest"),
    };
    let rel: Vec<String> = if rel_raw.is_empty() {
        Vec::new()
    } else {
        rel_raw.split('/').map(decode).collect()
    };
    let ctx = Ctx {
        method: method.to_owned(),
        rel,
        rel_raw,
        query: parse_query(query),
        body,
        token,
    };
    let (perm, reply) = dispatch(s, &ctx);
    match perm {
        Some(p) => reply.header("x-accepted-github-permissions", accepted(p)),
        None => reply,
    }
}

type Perm = Option<&'static [(Permission, Access)]>;

fn dispatch(s: &mut State, ctx: &Ctx) -> (Perm, Reply) {
    let segs: Vec<&str> = ctx.rel.iter().map(String::as_str).collect();
    macro_rules! with {
        ($perm:expr, $doc:expr, $body:expr) => {{
            const P: &[(Permission, Access)] = $perm;
            let reply = match ctx.require(P, $doc) {
                Ok(()) => $body,
                Err(r) => r,
            };
            (Some(P), reply)
        }};
    }
    match (ctx.method.as_str(), segs.as_slice()) {
        ("GET", []) => with!(&[(Metadata, Read)], DOC_REPO, Reply::ok(s.repo_json())),
        ("GET", ["git", "ref", rest @ ..]) if !rest.is_empty() => {
            with!(
                &[(Contents, Read)],
                DOC_GET_REF,
                get_ref(s, &rest.join("/"))
            )
        }
        ("GET", ["git", "matching-refs", rest @ ..]) => with!(
            &[(Contents, Read)],
            DOC_MATCHING,
            matching_refs(s, &rest.join("/"))
        ),
        ("POST", ["git", "refs"]) => {
            with!(&[(Contents, Write)], DOC_CREATE_REF, create_ref(s, ctx))
        }
        ("PATCH", ["git", "refs", rest @ ..]) if !rest.is_empty() => with!(
            &[(Contents, Write)],
            DOC_UPDATE_REF,
            update_ref(s, ctx, &rest.join("/"))
        ),
        ("DELETE", ["git", "refs", rest @ ..]) if !rest.is_empty() => with!(
            &[(Contents, Write)],
            DOC_DELETE_REF,
            delete_ref(s, &rest.join("/"))
        ),
        ("POST", ["git", "tags"]) => {
            with!(&[(Contents, Write)], DOC_CREATE_TAG, create_tag(s, ctx))
        }
        ("GET", ["git", "tags", sha]) => with!(&[(Contents, Read)], DOC_GET_TAG, {
            match s.tag_objects.get(*sha) {
                Some(t) => Reply::ok(s.tag_json(t)),
                None => Reply::not_found(DOC_GET_TAG),
            }
        }),
        ("GET", ["git", "commits", sha]) => with!(&[(Contents, Read)], DOC_GIT_COMMIT, {
            match s.commits.get(*sha) {
                Some(c) => Reply::ok(s.git_commit_json(c)),
                None => Reply::not_found(DOC_GIT_COMMIT),
            }
        }),
        ("GET", ["commits", rev, "pulls"]) => with!(
            &[(PullRequests, Read)],
            DOC_COMMIT_PULLS,
            commit_pulls(s, ctx, rev)
        ),
        ("GET", ["commits", rev]) => with!(&[(Contents, Read)], DOC_COMMIT, {
            match s.resolve_commit(rev).and_then(|sha| s.commits.get(&sha)) {
                Some(c) => Reply::ok(s.commit_json(c)),
                None => Reply::error(422, &format!("No commit found for SHA: {rev}"), DOC_COMMIT),
            }
        }),
        ("GET", ["issues", n, "comments"]) => {
            with!(&[(Issues, Read), (PullRequests, Read)], DOC_COMMENTS, {
                let n = n.parse::<u64>().unwrap_or(0);
                let items = s
                    .comments
                    .iter()
                    .filter(|c| c.issue == n)
                    .map(|c| s.comment_json(c))
                    .collect();
                paged(s, ctx, items)
            })
        }
        ("POST", ["issues", n, "comments"]) => {
            with!(
                &[(Issues, Write), (PullRequests, Write)],
                DOC_CREATE_COMMENT,
                {
                    match (n.parse::<u64>(), ctx.body_str("body")) {
                        (Ok(n), Some(body)) if s.pulls.contains_key(&n) => {
                            let id = s.next_id();
                            let c = crate::model::IssueComment {
                                id,
                                issue: n,
                                body: body.to_owned(),
                                user: "github-actions[bot]".into(),
                            };
                            let v = s.comment_json(&c);
                            s.comments.push(c);
                            Reply::json(201, v)
                        }
                        (_, None) => Reply::error(
                            422,
                            "Invalid request.\n\n\"body\" wasn't supplied.",
                            DOC_CREATE_COMMENT,
                        ),
                        _ => Reply::not_found(DOC_CREATE_COMMENT),
                    }
                }
            )
        }
        ("PATCH", ["issues", "comments", id]) => {
            with!(
                &[(Issues, Write), (PullRequests, Write)],
                DOC_UPDATE_COMMENT,
                {
                    let id = id.parse::<u64>().unwrap_or(0);
                    let body = ctx.body_str("body").map(str::to_owned);
                    match (s.comments.iter().position(|c| c.id == id), body) {
                        (Some(i), Some(body)) => {
                            s.comments[i].body = body;
                            let c = s.comments[i].clone();
                            Reply::ok(s.comment_json(&c))
                        }
                        (Some(_), None) => Reply::error(
                            422,
                            "Invalid request.\n\n\"body\" wasn't supplied.",
                            DOC_UPDATE_COMMENT,
                        ),
                        (None, _) => Reply::not_found(DOC_UPDATE_COMMENT),
                    }
                }
            )
        }
        // The PR's commits, oldest first, each as `GET commits/{sha}` gives
        // it; paged (GitHub lists at most 250).
        ("GET", ["pulls", n, "commits"]) => with!(&[(PullRequests, Read)], DOC_PULL_COMMITS, {
            match n.parse::<u64>().ok().and_then(|n| s.pulls.get(&n)) {
                Some(p) => {
                    let commits = p
                        .commits
                        .iter()
                        .filter_map(|sha| s.commits.get(sha))
                        .take(250)
                        .map(|c| s.commit_json(c))
                        .collect();
                    paged(s, ctx, commits)
                }
                None => Reply::not_found(DOC_PULL_COMMITS),
            }
        }),
        ("GET", ["pulls", n]) => with!(&[(PullRequests, Read)], DOC_PULL, {
            match n.parse::<u64>().ok().and_then(|n| s.pulls.get(&n)) {
                Some(p) => Reply::ok(s.pull_json(p, true)),
                None => Reply::not_found(DOC_PULL),
            }
        }),
        ("GET", ["issues", n, "labels"]) => {
            with!(&[(Issues, Read), (PullRequests, Read)], DOC_LABELS, {
                if s.issues_disabled {
                    return (
                        Some(&[(Issues, Read), (PullRequests, Read)]),
                        Reply::error(410, "Issues are disabled for this repo", DOC_LABELS),
                    );
                }
                match n.parse::<u64>().ok().and_then(|n| s.pulls.get(&n)) {
                    Some(p) => {
                        let labels = p.labels.iter().map(|l| s.label_json(l)).collect();
                        paged(s, ctx, labels)
                    }
                    None => Reply::not_found(DOC_LABELS),
                }
            })
        }
        ("GET", ["deployments"]) => with!(
            &[(Deployments, Read)],
            DOC_DEPLOYMENTS,
            list_deployments(s, ctx)
        ),
        ("POST", ["deployments"]) => with!(
            &[(Deployments, Write)],
            DOC_CREATE_DEPLOYMENT,
            create_deployment(s, ctx)
        ),
        ("GET", ["deployments", id]) => with!(&[(Deployments, Read)], DOC_DEPLOYMENT, {
            match find_deployment(s, id) {
                Some(i) => Reply::ok(s.deployment_json(&s.deployments[i])),
                None => Reply::not_found(DOC_DEPLOYMENT),
            }
        }),
        ("GET", ["deployments", id, "statuses"]) => {
            with!(&[(Deployments, Read)], DOC_STATUSES, {
                match find_deployment(s, id) {
                    Some(i) => {
                        let d = &s.deployments[i];
                        let all = d
                            .statuses
                            .iter()
                            .rev()
                            .map(|st| s.status_json(d, st))
                            .collect();
                        paged(s, ctx, all)
                    }
                    None => Reply::not_found(DOC_STATUSES),
                }
            })
        }
        ("POST", ["deployments", id, "statuses"]) => with!(
            &[(Deployments, Write)],
            DOC_CREATE_STATUS,
            create_status(s, ctx, id)
        ),
        ("GET", ["deployments", id, "statuses", sid]) => {
            with!(&[(Deployments, Read)], DOC_STATUSES, {
                let found = find_deployment(s, id).and_then(|i| {
                    let d = &s.deployments[i];
                    d.statuses
                        .iter()
                        .find(|st| st.id.to_string() == *sid)
                        .map(|st| s.status_json(d, st))
                });
                match found {
                    Some(v) => Reply::ok(v),
                    None => Reply::not_found(DOC_STATUSES),
                }
            })
        }
        ("GET", ["environments"]) => with!(&[(Actions, Read)], DOC_ENVIRONMENTS, {
            let all: Vec<Value> = s
                .environments
                .values()
                .map(|e| s.environment_json(e))
                .collect();
            Reply::ok(json!({ "total_count": all.len(), "environments": all }))
        }),
        ("GET", ["environments", rest @ ..]) if !rest.is_empty() => {
            with!(&[(Actions, Read)], DOC_ENVIRONMENT, {
                match s.find_environment(&rest.join("/")) {
                    Some(e) => Reply::ok(s.environment_json(e)),
                    None => Reply::not_found(DOC_ENVIRONMENT),
                }
            })
        }
        ("GET", ["releases"]) => with!(&[(Contents, Read)], DOC_RELEASES, {
            let all = s.releases.iter().rev().map(|r| s.release_json(r)).collect();
            paged(s, ctx, all)
        }),
        ("POST", ["releases"]) => with!(
            &[(Contents, Write)],
            DOC_CREATE_RELEASE,
            create_release(s, ctx)
        ),
        ("GET", ["releases", "latest"]) => with!(&[(Contents, Read)], DOC_LATEST_RELEASE, {
            match s
                .latest_release
                .and_then(|id| s.releases.iter().find(|r| r.id == id))
            {
                Some(r) => Reply::ok(s.release_json(r)),
                None => Reply::not_found(DOC_LATEST_RELEASE),
            }
        }),
        ("GET", ["releases", "tags", rest @ ..]) if !rest.is_empty() => {
            with!(&[(Contents, Read)], DOC_RELEASE_BY_TAG, {
                let tag = rest.join("/");
                match s.releases.iter().find(|r| r.tag_name == tag && !r.draft) {
                    Some(r) => Reply::ok(s.release_json(r)),
                    None => Reply::not_found(DOC_RELEASE_BY_TAG),
                }
            })
        }
        ("GET", ["releases", id]) => with!(&[(Contents, Read)], DOC_RELEASE, {
            match s.releases.iter().find(|r| r.id.to_string() == *id) {
                Some(r) => Reply::ok(s.release_json(r)),
                None => Reply::not_found(DOC_RELEASE),
            }
        }),
        ("PATCH", ["releases", id]) => with!(
            &[(Contents, Write)],
            DOC_UPDATE_RELEASE,
            update_release(s, ctx, id)
        ),
        ("GET", ["actions", ..]) => {
            let reply = match ctx.require(
                crate::artifacts::READ,
                "https://docs.github.com/rest/actions/artifacts",
            ) {
                Ok(()) => crate::artifacts::route(s, ctx, &segs),
                Err(r) => r,
            };
            (Some(crate::artifacts::READ), reply)
        }
        _ => (None, Reply::not_found("https://docs.github.com/rest")),
    }
}

fn rate_limit(s: &State) -> Reply {
    let one = |l: &crate::model::RateLimit| json!({ "limit": l.limit, "used": l.used, "remaining": l.remaining(), "reset": l.reset });
    Reply::ok(json!({
        "resources": { "core": one(&s.core), "graphql": one(&s.graphql) },
        "rate": one(&s.core),
    }))
}

/// `Invalid request.\n\n"field" wasn't supplied.`
fn missing(field: &str, doc: &str) -> Reply {
    Reply::error(
        422,
        &format!("Invalid request.\n\n\"{field}\" wasn't supplied."),
        doc,
    )
}

fn get_ref(s: &State, name: &str) -> Reply {
    let full = format!("refs/{name}");
    match s.refs.get(&full) {
        Some(sha) => Reply::ok(s.ref_json(&full, sha)),
        None => Reply::not_found(DOC_GET_REF),
    }
}

fn matching_refs(s: &State, prefix: &str) -> Reply {
    let full = format!("refs/{prefix}");
    let all: Vec<Value> = s
        .refs
        .range(full.clone()..)
        .take_while(|(k, _)| k.starts_with(&full))
        .map(|(k, v)| s.ref_json(k, v))
        .collect();
    Reply::ok(Value::Array(all))
}

fn ruleset_refusal(doc: &str) -> Reply {
    Reply::error(422, RULESET_MESSAGE, doc)
}

fn create_ref(s: &mut State, ctx: &Ctx) -> Reply {
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

fn is_ancestor(s: &State, old: &str, new: &str) -> bool {
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

fn update_ref(s: &mut State, ctx: &Ctx, name: &str) -> Reply {
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

fn delete_ref(s: &mut State, name: &str) -> Reply {
    match s.refs.remove(&format!("refs/{name}")) {
        Some(_) => Reply::no_content(),
        None => Reply::error(422, "Reference does not exist", DOC_DELETE_REF),
    }
}

fn parse_time(v: Option<&Value>) -> Option<Timestamp> {
    v?.as_str()?.parse().ok()
}

fn create_tag(s: &mut State, ctx: &Ctx) -> Reply {
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

fn commit_pulls(s: &State, ctx: &Ctx, rev: &str) -> Reply {
    // Documented: 409 Conflict for an empty repository (nothing pushed, no
    // pull requests seeded either).
    if s.commits.is_empty() && s.refs.is_empty() && s.pulls.is_empty() {
        return Reply::error(409, "Git Repository is empty.", DOC_COMMIT_PULLS);
    }
    let Some(sha) = s.resolve_commit(rev).or_else(|| {
        // A PR's head may not be on a branch the stand-in knows.
        s.pulls
            .values()
            .find(|p| p.commits.iter().any(|c| c == rev))
            .map(|_| rev.to_owned())
    }) else {
        return Reply::error(
            422,
            &format!("No commit found for SHA: {rev}"),
            DOC_COMMIT_PULLS,
        );
    };
    let found: Vec<Value> = s
        .pulls
        .values()
        .rev()
        .filter(|p| p.merge_commit_sha.as_deref() == Some(sha.as_str()) || p.commits.contains(&sha))
        .map(|p| s.pull_json(p, false))
        .collect();
    paged(s, ctx, found)
}

fn find_deployment(s: &State, id: &str) -> Option<usize> {
    let id: u64 = id.parse().ok()?;
    s.deployments.iter().position(|d| d.id == id)
}

fn list_deployments(s: &State, ctx: &Ctx) -> Reply {
    let want = |key: &str, have: &str| ctx.param(key).is_none_or(|v| v == have);
    let all: Vec<Value> = s
        .deployments
        .iter()
        .rev()
        .filter(|d| {
            want("sha", &d.sha)
                && want("ref", &d.git_ref)
                && want("task", &d.task)
                && want("environment", &d.environment)
        })
        .map(|d| s.deployment_json(d))
        .collect();
    paged(s, ctx, all)
}

fn create_deployment(s: &mut State, ctx: &Ctx) -> Reply {
    let Some(git_ref) = ctx.body_str("ref") else {
        return missing("ref", DOC_CREATE_DEPLOYMENT);
    };
    let Some(sha) = s.resolve_commit(git_ref) else {
        return Reply::error(
            422,
            &format!("No ref found for: {git_ref}"),
            DOC_CREATE_DEPLOYMENT,
        );
    };
    let body = ctx.body.as_ref();
    let environment = ctx
        .body_str("environment")
        .unwrap_or("production")
        .to_owned();
    let payload = match body.and_then(|b| b.get("payload")) {
        None | Some(Value::Null) => json!({}),
        Some(Value::String(text)) if text.is_empty() => json!({}),
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Some(v) => v.clone(),
    };
    s.ensure_environment(&environment);
    let now = s.clock.now();
    let id = s.next_id();
    let d = Deployment {
        id,
        sha,
        git_ref: git_ref.to_owned(),
        task: ctx.body_str("task").unwrap_or("deploy").to_owned(),
        payload,
        original_environment: environment.clone(),
        production_environment: ctx
            .body_bool("production_environment")
            .unwrap_or(environment == "production"),
        environment,
        description: ctx.body_str("description").map(str::to_owned),
        transient_environment: ctx.body_bool("transient_environment").unwrap_or(false),
        creator: ctx.token.login.clone(),
        created_at: now,
        updated_at: now,
        statuses: Vec::new(),
    };
    let body = s.deployment_json(&d);
    s.deployments.push(d);
    Reply::json(201, body)
}

fn create_status(s: &mut State, ctx: &Ctx, id: &str) -> Reply {
    let Some(i) = find_deployment(s, id) else {
        return Reply::not_found(DOC_CREATE_STATUS);
    };
    let Some(state) = ctx.body_str("state") else {
        return missing("state", DOC_CREATE_STATUS);
    };
    if !DEPLOYMENT_STATES.contains(&state) {
        return Reply::validation(
            json!({ "resource": "DeploymentStatus", "code": "custom", "field": "state",
                    "message": "state is not included in the list" }),
            DOC_CREATE_STATUS,
        );
    }
    let description = ctx.body_str("description").unwrap_or("").to_owned();
    if description.chars().count() > 140 {
        return Reply::validation(
            json!({ "resource": "DeploymentStatus", "code": "custom", "field": "description",
                    "message": "description is too long (maximum is 140 characters)" }),
            DOC_CREATE_STATUS,
        );
    }
    let now = s.clock.now();
    let sid = s.next_id();
    let log_url = ctx
        .body_str("log_url")
        .or_else(|| ctx.body_str("target_url"))
        .unwrap_or("")
        .to_owned();
    let environment = ctx
        .body_str("environment")
        .map(str::to_owned)
        .unwrap_or_else(|| s.deployments[i].environment.clone());
    let status = DeploymentStatus {
        id: sid,
        state: state.to_owned(),
        description,
        environment: environment.clone(),
        log_url,
        environment_url: ctx.body_str("environment_url").unwrap_or("").to_owned(),
        creator: ctx.token.login.clone(),
        created_at: now,
    };
    {
        let d = &mut s.deployments[i];
        d.environment = environment.clone();
        d.updated_at = now;
        d.statuses.push(status.clone());
    }
    // auto_inactive (default true): a success marks earlier successful,
    // non-transient, non-production deployments of the environment inactive.
    if state == "success" && ctx.body_bool("auto_inactive").unwrap_or(true) {
        let this = s.deployments[i].id;
        let mut marks = Vec::new();
        for (j, d) in s.deployments.iter().enumerate() {
            if d.id != this
                && d.environment == environment
                && !d.transient_environment
                && !d.production_environment
                && d.statuses.last().is_some_and(|st| st.state == "success")
            {
                marks.push(j);
            }
        }
        for j in marks {
            let sid = s.next_id();
            let d = &mut s.deployments[j];
            let st = DeploymentStatus {
                id: sid,
                state: "inactive".into(),
                description: String::new(),
                environment: d.environment.clone(),
                log_url: String::new(),
                environment_url: String::new(),
                creator: ctx.token.login.clone(),
                created_at: now,
            };
            d.statuses.push(st);
            d.updated_at = now;
        }
    }
    let d = &s.deployments[i];
    Reply::json(201, s.status_json(d, &status))
}

/// Creates the tag a published release needs, honouring rulesets.
fn ensure_release_tag(s: &mut State, ctx: &Ctx, tag: &str, target: &str) -> Result<(), Reply> {
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

fn make_latest(s: &mut State, ctx: &Ctx, id: u64) {
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

fn create_release(s: &mut State, ctx: &Ctx) -> Reply {
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

fn update_release(s: &mut State, ctx: &Ctx, id: &str) -> Reply {
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
