//! The REST routes, with GitHub's documented answers: the dispatch table
//! here, the handlers by concern in the submodules.

use crate::model::{Deployment, DeploymentStatus, Release, State, TagObject};
use crate::server::{Ctx, Reply, accepted, decode, paged, parse_query};
use crate::{Access, Permission};
use jiff::Timestamp;
use serde_json::{Value, json};

mod deployments;
mod pulls;
mod refs;
mod releases;

use deployments::*;
use pulls::*;
use refs::*;
use releases::*;

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
