//! The in-memory repository the stand-in serves, and how its objects render
//! as GitHub's documented JSON.

use crate::fault::Queues;
use crate::{Access, LoggedRequest, Permission};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, HashMap};

/// `github-actions[bot]`, the user behind `GITHUB_TOKEN`.
pub(crate) const BOT_LOGIN: &str = "github-actions[bot]";
pub(crate) const BOT_ID: u64 = 41_898_282;
pub(crate) const BOT_EMAIL: &str = "41898282+github-actions[bot]@users.noreply.github.com";

/// A name, an email and a date: a commit's author or committer, a tagger.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub name: String,
    pub email: String,
    pub date: Timestamp,
}

impl Signature {
    pub(crate) fn json(&self) -> Value {
        json!({ "name": self.name, "email": self.email, "date": iso(self.date) })
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Commit {
    pub sha: String,
    pub tree: String,
    pub message: String,
    pub author: Signature,
    pub committer: Signature,
    pub parents: Vec<String>,
}

/// A comment on an issue or pull request.
#[derive(Debug, Clone)]
pub(crate) struct IssueComment {
    pub id: u64,
    pub issue: u64,
    pub body: String,
    pub user: String,
}

#[derive(Debug, Clone)]
pub(crate) struct TagObject {
    pub sha: String,
    pub tag: String,
    pub message: String,
    pub tagger: Option<Signature>,
    pub object_sha: String,
    pub object_type: String,
}

#[derive(Debug, Clone)]
pub(crate) struct Deployment {
    pub id: u64,
    pub sha: String,
    pub git_ref: String,
    pub task: String,
    pub payload: Value,
    pub environment: String,
    pub original_environment: String,
    pub description: Option<String>,
    pub transient_environment: bool,
    pub production_environment: bool,
    pub creator: String,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// Oldest first.
    pub statuses: Vec<DeploymentStatus>,
}

#[derive(Debug, Clone)]
pub(crate) struct Environment {
    pub id: u64,
    pub name: String,
    /// Logins of the required reviewers (empty: no such rule).
    pub reviewers: Vec<String>,
    pub wait_timer: Option<u32>,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub(crate) struct DeploymentStatus {
    pub id: u64,
    pub state: String,
    pub description: String,
    pub environment: String,
    pub log_url: String,
    pub environment_url: String,
    pub creator: String,
    pub created_at: Timestamp,
}

#[derive(Debug, Clone)]
pub(crate) struct Pull {
    pub number: u64,
    pub id: u64,
    pub title: String,
    pub body: Option<String>,
    pub state: String,
    pub draft: bool,
    pub user: String,
    pub labels: Vec<String>,
    pub head_ref: String,
    pub head_sha: String,
    pub base_ref: String,
    pub merge_commit_sha: Option<String>,
    pub merged_at: Option<Timestamp>,
    pub created_at: Timestamp,
    /// Commits the PR carries (its head history); used for
    /// `GET /commits/{sha}/pulls`.
    pub commits: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Release {
    pub id: u64,
    pub tag_name: String,
    pub target_commitish: String,
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    pub author: String,
    pub created_at: Timestamp,
    pub published_at: Option<Timestamp>,
}

/// A tag ruleset: creations of matching tags are restricted.
#[derive(Debug, Clone)]
pub(crate) struct Ruleset {
    /// fnmatch-style pattern on the tag's short name (`*` within a path
    /// segment, `**` across them).
    pub pattern: String,
}

#[derive(Debug, Clone)]
pub(crate) struct TokenGrant {
    pub token: String,
    pub permissions: HashMap<Permission, Access>,
    pub bypass_rulesets: bool,
    pub login: String,
}

impl TokenGrant {
    pub fn access(&self, p: Permission) -> Access {
        self.permissions.get(&p).copied().unwrap_or(Access::None)
    }
}

/// The stand-in's clock. GitHub's timestamps have whole seconds, and many
/// objects made in one second share one: so does the real-time clock here
/// (it never goes back). A fixed start (tests that want distinct times)
/// moves on one second per reading; a frozen one never moves.
#[derive(Debug, Clone)]
pub(crate) struct Clock {
    pub fixed: Option<Timestamp>,
    pub frozen: bool,
    pub last: Option<Timestamp>,
}

impl Clock {
    pub fn now(&mut self) -> Timestamp {
        let next = match (self.fixed, self.frozen) {
            (Some(t), true) => t,
            (Some(t), false) => match self.last {
                Some(last) if last >= t => last + jiff::SignedDuration::from_secs(1),
                _ => t,
            },
            (None, _) => {
                let now = Timestamp::now();
                let now = Timestamp::from_second(now.as_second()).unwrap_or(now);
                self.last.map_or(now, |last| last.max(now))
            }
        };
        self.last = Some(next);
        next
    }
}

#[derive(Debug, Clone)]
pub(crate) struct RateLimit {
    pub limit: u64,
    pub used: u64,
    pub reset: i64,
}

impl RateLimit {
    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }
}

pub(crate) struct State {
    pub owner: String,
    pub name: String,
    pub repo_id: u64,
    pub base_url: String,
    pub default_branch: String,
    pub tokens: Vec<TokenGrant>,
    pub commits: HashMap<String, Commit>,
    pub refs: BTreeMap<String, String>,
    pub tag_objects: HashMap<String, TagObject>,
    pub deployments: Vec<Deployment>,
    /// By name. GitHub creates one when a deployment names a new one.
    pub environments: BTreeMap<String, Environment>,
    pub pulls: BTreeMap<u64, Pull>,
    /// Issue (and pull request) comments, oldest first.
    pub comments: Vec<IssueComment>,
    pub releases: Vec<Release>,
    pub latest_release: Option<u64>,
    pub rulesets: Vec<Ruleset>,
    /// Issues turned off: issue endpoints answer 410.
    pub issues_disabled: bool,
    pub faults: Queues,
    pub log: Vec<LoggedRequest>,
    pub clock: Clock,
    pub next_id: u64,
    pub core: RateLimit,
    pub graphql: RateLimit,
    pub request_seq: u64,
    pub salt: u64,
    /// Where Actions artifacts are read from (act's artifact server folder).
    pub artifacts_dir: Option<std::path::PathBuf>,
    /// Artifact ids past their retention: listed `expired`, download 410.
    pub expired_artifacts: std::collections::HashSet<u64>,
}

impl State {
    pub fn next_id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// The environment of that name, created (without rules) when new.
    /// GitHub's names are case-insensitive: `Production` is `production`.
    pub fn ensure_environment(&mut self, name: &str) {
        if self.find_environment(name).is_none() {
            let now = self.clock.now();
            let id = self.next_id();
            self.environments.insert(
                name.to_owned(),
                Environment {
                    id,
                    name: name.to_owned(),
                    reviewers: Vec::new(),
                    wait_timer: None,
                    created_at: now,
                },
            );
        }
    }

    pub fn find_environment(&self, name: &str) -> Option<&Environment> {
        self.environments
            .values()
            .find(|e| e.name.eq_ignore_ascii_case(name))
    }

    /// `GET /repos/{o}/{r}/environments/{name}`, as documented: the rules
    /// (`wait_timer`, `required_reviewers` with its `reviewers`) and no
    /// branch policy.
    pub fn environment_json(&self, e: &Environment) -> Value {
        let repo = self.repo_path();
        let mut rules = Vec::new();
        if let Some(minutes) = e.wait_timer {
            rules.push(json!({
                "id": e.id * 10 + 1,
                "node_id": Self::node_id("GA", &(e.id * 10 + 1).to_string()),
                "type": "wait_timer",
                "wait_timer": minutes,
            }));
        }
        if !e.reviewers.is_empty() {
            rules.push(json!({
                "id": e.id * 10 + 2,
                "node_id": Self::node_id("GA", &(e.id * 10 + 2).to_string()),
                "type": "required_reviewers",
                "prevent_self_review": false,
                "reviewers": e.reviewers.iter().map(|r| json!({
                    "type": "User",
                    "reviewer": self.user_json(r),
                })).collect::<Vec<_>>(),
            }));
        }
        json!({
            "id": e.id,
            "node_id": Self::node_id("EN", &e.id.to_string()),
            "name": e.name,
            "url": format!("{repo}/environments/{}", e.name),
            "html_url": self.html_url(&format!("deployments/activity_log?environments_filter={}", e.name)),
            "created_at": iso(e.created_at),
            "updated_at": iso(e.created_at),
            "can_admins_bypass": true,
            "protection_rules": rules,
            "deployment_branch_policy": null,
        })
    }

    /// A fresh object id: 40 hex digits, derived from the content and a
    /// counter so two identical objects still differ.
    pub fn object_id(&mut self, kind: &str, content: &str) -> String {
        let n = self.next_id();
        let mut h = Sha256::new();
        h.update(kind.as_bytes());
        h.update(self.salt.to_le_bytes());
        h.update(n.to_le_bytes());
        h.update(content.as_bytes());
        let hex: String = h.finalize().iter().map(|b| format!("{b:02x}")).collect();
        hex[..40].to_owned()
    }

    pub fn repo_path(&self) -> String {
        format!("{}/repos/{}/{}", self.base_url, self.owner, self.name)
    }

    pub fn node_id(prefix: &str, id: &str) -> String {
        format!("{prefix}_kwDO{}", hex_upper(id))
    }

    /// The commit a ref, branch, tag or (abbreviated) sha names, peeling
    /// tag objects.
    pub fn resolve_commit(&self, rev: &str) -> Option<String> {
        let rev = rev.strip_prefix("refs/").map_or(rev, |r| r);
        for candidate in [
            format!("refs/{rev}"),
            format!("refs/heads/{rev}"),
            format!("refs/tags/{rev}"),
        ] {
            if let Some(sha) = self.refs.get(&candidate) {
                return self.peel(sha);
            }
        }
        if self.commits.contains_key(rev) {
            return Some(rev.to_owned());
        }
        let lower = rev.to_ascii_lowercase();
        if lower.len() >= 4 && lower.len() < 40 && lower.chars().all(|c| c.is_ascii_hexdigit()) {
            let mut found = self.commits.keys().filter(|k| k.starts_with(&lower));
            if let (Some(one), None) = (found.next(), found.next()) {
                return Some(one.clone());
            }
        }
        None
    }

    /// Follows tag objects to the commit at the end.
    pub fn peel(&self, sha: &str) -> Option<String> {
        let mut sha = sha.to_owned();
        for _ in 0..16 {
            if self.commits.contains_key(&sha) {
                return Some(sha);
            }
            sha = self.tag_objects.get(&sha)?.object_sha.clone();
        }
        None
    }

    pub fn object_type(&self, sha: &str) -> Option<&'static str> {
        if self.commits.contains_key(sha) {
            Some("commit")
        } else if self.tag_objects.contains_key(sha) {
            Some("tag")
        } else {
            None
        }
    }

    pub fn object_url(&self, sha: &str) -> String {
        match self.object_type(sha) {
            Some("tag") => format!("{}/git/tags/{sha}", self.repo_path()),
            _ => format!("{}/git/commits/{sha}", self.repo_path()),
        }
    }

    pub fn ref_json(&self, full: &str, sha: &str) -> Value {
        json!({
            "ref": full,
            "node_id": Self::node_id("REF", full),
            "url": format!("{}/git/{}", self.repo_path(), full),
            "object": {
                "sha": sha,
                "type": self.object_type(sha).unwrap_or("commit"),
                "url": self.object_url(sha),
            }
        })
    }

    pub fn tag_json(&self, t: &TagObject) -> Value {
        json!({
            "node_id": Self::node_id("TAG", &t.sha),
            "sha": t.sha,
            "url": format!("{}/git/tags/{}", self.repo_path(), t.sha),
            "tag": t.tag,
            "message": t.message,
            "tagger": t.tagger.as_ref().map(Signature::json),
            "object": {
                "sha": t.object_sha,
                "type": t.object_type,
                "url": self.object_url(&t.object_sha),
            },
            "verification": unsigned(),
        })
    }

    /// `GET /git/commits/{sha}`.
    pub fn git_commit_json(&self, c: &Commit) -> Value {
        let repo = self.repo_path();
        json!({
            "sha": c.sha,
            "node_id": Self::node_id("C", &c.sha),
            "url": format!("{repo}/git/commits/{}", c.sha),
            "html_url": self.html_url(&format!("commit/{}", c.sha)),
            "author": c.author.json(),
            "committer": c.committer.json(),
            "message": c.message,
            "tree": { "sha": c.tree, "url": format!("{repo}/git/trees/{}", c.tree) },
            "parents": c.parents.iter().map(|p| json!({
                "sha": p,
                "url": format!("{repo}/git/commits/{p}"),
                "html_url": self.html_url(&format!("commit/{p}")),
            })).collect::<Vec<_>>(),
            "verification": unsigned(),
        })
    }

    /// `GET /commits/{ref}`.
    pub fn comment_json(&self, c: &IssueComment) -> Value {
        let repo = self.repo_path();
        json!({
            "id": c.id,
            "node_id": Self::node_id("IC", &c.id.to_string()),
            "url": format!("{repo}/issues/comments/{}", c.id),
            "html_url": self.html_url(&format!("pull/{}#issuecomment-{}", c.issue, c.id)),
            "issue_url": format!("{repo}/issues/{}", c.issue),
            "body": c.body,
            "user": { "login": c.user, "type": "Bot" },
        })
    }

    pub fn commit_json(&self, c: &Commit) -> Value {
        let repo = self.repo_path();
        json!({
            "sha": c.sha,
            "node_id": Self::node_id("C", &c.sha),
            "url": format!("{repo}/commits/{}", c.sha),
            "html_url": self.html_url(&format!("commit/{}", c.sha)),
            "comments_url": format!("{repo}/commits/{}/comments", c.sha),
            "commit": {
                "url": format!("{repo}/git/commits/{}", c.sha),
                "author": c.author.json(),
                "committer": c.committer.json(),
                "message": c.message,
                "tree": { "sha": c.tree, "url": format!("{repo}/git/trees/{}", c.tree) },
                "comment_count": 0,
                "verification": unsigned(),
            },
            "author": null,
            "committer": null,
            "parents": c.parents.iter().map(|p| json!({
                "sha": p,
                "url": format!("{repo}/commits/{p}"),
                "html_url": self.html_url(&format!("commit/{p}")),
            })).collect::<Vec<_>>(),
            "stats": { "total": 0, "additions": 0, "deletions": 0 },
            "files": [],
        })
    }

    pub fn html_url(&self, rest: &str) -> String {
        format!("{}/{}/{}/{rest}", self.base_url, self.owner, self.name)
    }

    pub fn user_json(&self, login: &str) -> Value {
        let (id, kind) = if login == BOT_LOGIN {
            (BOT_ID, "Bot")
        } else {
            (
                u64::from(
                    login
                        .bytes()
                        .fold(7u32, |a, b| a.wrapping_mul(31).wrapping_add(u32::from(b))),
                ),
                "User",
            )
        };
        json!({
            "login": login,
            "id": id,
            "node_id": Self::node_id("U", login),
            "type": kind,
            "site_admin": false,
            "url": format!("{}/users/{}", self.base_url, login),
            "html_url": format!("{}/{}", self.base_url, login),
        })
    }

    pub fn deployment_json(&self, d: &Deployment) -> Value {
        let repo = self.repo_path();
        json!({
            "url": format!("{repo}/deployments/{}", d.id),
            "id": d.id,
            "node_id": Self::node_id("DE", &d.id.to_string()),
            "sha": d.sha,
            "ref": d.git_ref,
            "task": d.task,
            "payload": d.payload,
            "original_environment": d.original_environment,
            "environment": d.environment,
            "description": d.description,
            "creator": self.user_json(&d.creator),
            "created_at": iso(d.created_at),
            "updated_at": iso(d.updated_at),
            "statuses_url": format!("{repo}/deployments/{}/statuses", d.id),
            "repository_url": repo,
            "transient_environment": d.transient_environment,
            "production_environment": d.production_environment,
            "performed_via_github_app": null,
        })
    }

    pub fn status_json(&self, d: &Deployment, s: &DeploymentStatus) -> Value {
        let repo = self.repo_path();
        json!({
            "url": format!("{repo}/deployments/{}/statuses/{}", d.id, s.id),
            "id": s.id,
            "node_id": Self::node_id("DES", &s.id.to_string()),
            "state": s.state,
            "creator": self.user_json(&s.creator),
            "description": s.description,
            "environment": s.environment,
            "target_url": s.log_url,
            "log_url": s.log_url,
            "environment_url": s.environment_url,
            "created_at": iso(s.created_at),
            "updated_at": iso(s.created_at),
            "deployment_url": format!("{repo}/deployments/{}", d.id),
            "repository_url": repo,
            "performed_via_github_app": null,
        })
    }

    pub fn label_json(&self, name: &str) -> Value {
        let digest = Sha256::digest(name.as_bytes());
        let color: String = digest[..3].iter().map(|b| format!("{b:02x}")).collect();
        let id = u64::from_le_bytes(digest[3..11].try_into().unwrap_or([0; 8])) >> 12;
        json!({
            "id": id,
            "node_id": Self::node_id("LA", name),
            "url": format!("{}/labels/{}", self.repo_path(), crate::server::encode_segment(name)),
            "name": name,
            "color": color,
            "default": false,
            "description": null,
        })
    }

    /// A pull request; `full` adds the fields only `GET /pulls/{n}` has.
    pub fn pull_json(&self, p: &Pull, full: bool) -> Value {
        let repo = self.repo_path();
        let repo_json = json!({
            "id": self.repo_id,
            "name": self.name,
            "full_name": format!("{}/{}", self.owner, self.name),
            "owner": self.user_json(&self.owner),
        });
        let mut v = json!({
            "url": format!("{repo}/pulls/{}", p.number),
            "id": p.id,
            "node_id": Self::node_id("PR", &p.number.to_string()),
            "html_url": self.html_url(&format!("pull/{}", p.number)),
            "issue_url": format!("{repo}/issues/{}", p.number),
            "number": p.number,
            "state": p.state,
            "locked": false,
            "title": p.title,
            "user": self.user_json(&p.user),
            "body": p.body,
            "labels": p.labels.iter().map(|l| self.label_json(l)).collect::<Vec<_>>(),
            "created_at": iso(p.created_at),
            "updated_at": iso(p.merged_at.unwrap_or(p.created_at)),
            "closed_at": p.merged_at.map(iso),
            "merged_at": p.merged_at.map(iso),
            "merge_commit_sha": p.merge_commit_sha,
            "draft": p.draft,
            "head": {
                "label": format!("{}:{}", self.owner, p.head_ref),
                "ref": p.head_ref,
                "sha": p.head_sha,
                "user": self.user_json(&self.owner),
                "repo": repo_json.clone(),
            },
            "base": {
                "label": format!("{}:{}", self.owner, p.base_ref),
                "ref": p.base_ref,
                "sha": self.refs.get(&format!("refs/heads/{}", p.base_ref)).cloned().unwrap_or_default(),
                "user": self.user_json(&self.owner),
                "repo": repo_json,
            },
            "author_association": "MEMBER",
        });
        if let (true, Some(obj)) = (full, v.as_object_mut()) {
            obj.insert("merged".into(), json!(p.merged_at.is_some()));
            obj.insert("mergeable".into(), Value::Null);
            obj.insert("comments".into(), json!(0));
            obj.insert("commits".into(), json!(p.commits.len()));
            obj.insert("additions".into(), json!(0));
            obj.insert("deletions".into(), json!(0));
            obj.insert("changed_files".into(), json!(0));
            obj.insert(
                "merged_by".into(),
                if p.merged_at.is_some() {
                    self.user_json(&p.user)
                } else {
                    Value::Null
                },
            );
        }
        v
    }

    pub fn release_json(&self, r: &Release) -> Value {
        let repo = self.repo_path();
        let tag = crate::server::encode_segment(&r.tag_name);
        json!({
            "url": format!("{repo}/releases/{}", r.id),
            "html_url": self.html_url(&format!("releases/tag/{tag}")),
            "assets_url": format!("{repo}/releases/{}/assets", r.id),
            "upload_url": format!("{}/repos/{}/{}/releases/{}/assets{{?name,label}}", self.base_url, self.owner, self.name, r.id),
            "tarball_url": format!("{repo}/tarball/{tag}"),
            "zipball_url": format!("{repo}/zipball/{tag}"),
            "id": r.id,
            "node_id": Self::node_id("RE", &r.id.to_string()),
            "tag_name": r.tag_name,
            "target_commitish": r.target_commitish,
            "name": r.name,
            "body": r.body,
            "draft": r.draft,
            "prerelease": r.prerelease,
            "immutable": false,
            "created_at": iso(r.created_at),
            "published_at": r.published_at.map(iso),
            "author": self.user_json(&r.author),
            "assets": [],
        })
    }

    pub fn repo_json(&self) -> Value {
        json!({
            "id": self.repo_id,
            "node_id": Self::node_id("R", &self.repo_id.to_string()),
            "name": self.name,
            "full_name": format!("{}/{}", self.owner, self.name),
            "private": true,
            "owner": self.user_json(&self.owner),
            "html_url": self.html_url("").trim_end_matches('/'),
            "url": self.repo_path(),
            "default_branch": self.default_branch,
            "visibility": "private",
        })
    }

    /// Whether a ruleset restricts creating this tag.
    pub fn tag_creation_restricted(&self, short: &str) -> bool {
        self.rulesets.iter().any(|r| glob_match(&r.pattern, short))
    }
}

/// `verification` for an unsigned object.
fn unsigned() -> Value {
    json!({ "verified": false, "reason": "unsigned", "signature": null, "payload": null, "verified_at": null })
}

/// RFC 3339 with a `Z`, whole seconds, as GitHub writes times.
pub(crate) fn iso(t: Timestamp) -> String {
    t.strftime("%Y-%m-%dT%H:%M:%SZ").to_string()
}

fn hex_upper(s: &str) -> String {
    s.bytes().take(12).map(|b| format!("{b:02X}")).collect()
}

/// fnmatch as rulesets use it (Ruby's `File.fnmatch` with `FNM_PATHNAME`):
/// `*` matches within a path segment, `**/` zero or more segments, `?` one
/// character, `[...]` a class; `~ALL` every name, `~DEFAULT_BRANCH` no tag.
pub(crate) fn glob_match(pattern: &str, name: &str) -> bool {
    match pattern {
        "~ALL" => true,
        "~DEFAULT_BRANCH" => false,
        _ => globset::GlobBuilder::new(pattern)
            .literal_separator(true)
            .build()
            // A pattern GitHub would refuse matches nothing but itself.
            .map_or(pattern == name, |g| g.compile_matcher().is_match(name)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn globs() {
        assert!(glob_match("prod-*", "prod-abc"));
        assert!(!glob_match("prod-*", "svc/prod-abc"));
        assert!(glob_match("**/prod-*", "svc/prod-abc"));
        assert!(glob_match("*", "v1"));
        assert!(!glob_match("*", "a/b"));
        assert!(glob_match("**", "a/b"));
        assert!(glob_match("~ALL", "anything/at/all"));
        assert!(glob_match("v?", "v1"));
        assert!(!glob_match("v?", "v10"));
        // GitHub's ruleset docs (fnmatch, File::FNM_PATHNAME)
        assert!(glob_match("releases/**/*", "releases/v1/final"));
        assert!(glob_match("releases/**/*", "releases/v1"));
        assert!(!glob_match("releases/*", "releases/v1/final"));
        assert!(glob_match("v[0-9]*", "v1.2.3"));
        assert!(!glob_match("v[0-9]*", "vx"));
        assert!(glob_match("**/prod-*", "prod-abc"));
        assert!(!glob_match("~DEFAULT_BRANCH", "main"));
    }

    #[test]
    fn clock_moves_forward() {
        let start: Timestamp = "2025-01-20T14:30:22Z".parse().unwrap();
        let mut c = Clock {
            fixed: Some(start),
            frozen: false,
            last: None,
        };
        assert_eq!(c.now(), start);
        assert_eq!(iso(c.now()), "2025-01-20T14:30:23Z");
        let mut frozen = Clock {
            fixed: Some(start),
            frozen: true,
            last: None,
        };
        assert_eq!(frozen.now(), start);
        assert_eq!(frozen.now(), start);
        // The real clock: whole seconds, never back, shared by fast reads.
        let mut real = Clock {
            fixed: None,
            frozen: false,
            last: None,
        };
        let a = real.now();
        let b = real.now();
        assert!(b >= a);
        assert_eq!(a.subsec_nanosecond(), 0);
    }
}
