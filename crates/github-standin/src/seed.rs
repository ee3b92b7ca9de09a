//! The values a test seeds the stand-in with and reads back: permissions
//! and tokens, commits, pull requests, and the request log.

use super::*;

/// A fine-grained permission, as in a workflow's `permissions:`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Permission {
    Contents,
    Deployments,
    PullRequests,
    Issues,
    Metadata,
    /// Workflow runs and their artifacts; environments are read with it too.
    Actions,
}

impl Permission {
    /// The name GitHub uses (`pull_requests`).
    pub fn name(self) -> &'static str {
        match self {
            Permission::Contents => "contents",
            Permission::Deployments => "deployments",
            Permission::PullRequests => "pull_requests",
            Permission::Issues => "issues",
            Permission::Metadata => "metadata",
            Permission::Actions => "actions",
        }
    }

    pub(crate) const ALL: [Permission; 6] = [
        Permission::Contents,
        Permission::Deployments,
        Permission::PullRequests,
        Permission::Issues,
        Permission::Metadata,
        Permission::Actions,
    ];
}

/// An access level; `Write` includes `Read`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Access {
    None,
    Read,
    Write,
}

impl Access {
    pub fn name(self) -> &'static str {
        match self {
            Access::None => "none",
            Access::Read => "read",
            Access::Write => "write",
        }
    }
}

/// One request as the stand-in received it.
#[derive(Debug, Clone, PartialEq)]
pub struct LoggedRequest {
    pub method: String,
    /// The path, as sent (percent-encoded).
    pub path: String,
    /// The query string, if any.
    pub query: Option<String>,
    /// The JSON body, if there was one that parsed.
    pub body: Option<Value>,
    /// The status answered; 0 when the connection was dropped unanswered.
    pub status: u16,
    /// The fault applied to it, if any (`"lost reply"`, `"reply 502"`…).
    pub fault: Option<String>,
    /// Whether it carried a token the stand-in knows.
    pub authenticated: bool,
}

impl LoggedRequest {
    /// Whether this request matches a route (same rules as faults).
    pub fn is(&self, route: &Route) -> bool {
        route.matches(
            &self.method,
            &self.path,
            server::repo_rel(&self.path).as_deref(),
        )
    }

    /// The value of a query parameter, decoded.
    pub fn query_param(&self, name: &str) -> Option<String> {
        server::parse_query(self.query.as_deref())
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    }
}

/// A commit to add to the repository.
#[derive(Debug, Clone)]
pub struct NewCommit {
    pub(crate) message: String,
    pub(crate) sha: Option<String>,
    pub(crate) date: Option<Timestamp>,
    pub(crate) parents: Option<Vec<String>>,
    pub(crate) branch: Option<String>,
}

impl NewCommit {
    pub fn new(message: &str) -> Self {
        NewCommit {
            message: message.into(),
            sha: None,
            date: None,
            parents: None,
            branch: None,
        }
    }
    /// A chosen id (40 hex digits), e.g. to match a version's short sha.
    pub fn sha(mut self, sha: &str) -> Self {
        self.sha = Some(sha.to_ascii_lowercase());
        self
    }
    /// Author and committer date (default: the stand-in's clock).
    pub fn date(mut self, date: Timestamp) -> Self {
        self.date = Some(date);
        self
    }
    /// Parents (default: the branch's head).
    pub fn parents(mut self, parents: &[&str]) -> Self {
        self.parents = Some(parents.iter().map(|p| (*p).to_owned()).collect());
        self
    }
    /// The branch it lands on (default: the default branch, `main`).
    pub fn branch(mut self, branch: &str) -> Self {
        self.branch = Some(branch.into());
        self
    }
}

/// A pull request to add.
#[derive(Debug, Clone)]
pub struct NewPull {
    pub(crate) number: u64,
    pub(crate) title: String,
    pub(crate) body: Option<String>,
    pub(crate) labels: Vec<String>,
    pub(crate) head_sha: Option<String>,
    pub(crate) head_ref: String,
    pub(crate) merge_commit: Option<String>,
    pub(crate) commits: Vec<String>,
    pub(crate) draft: bool,
    pub(crate) user: String,
}

impl NewPull {
    pub fn new(number: u64, title: &str) -> Self {
        NewPull {
            number,
            title: title.into(),
            body: None,
            labels: Vec::new(),
            head_sha: None,
            head_ref: format!("topic-{number}"),
            merge_commit: None,
            commits: Vec::new(),
            draft: false,
            user: "octocat".into(),
        }
    }
    pub fn body(mut self, body: &str) -> Self {
        self.body = Some(body.into());
        self
    }
    pub fn label(mut self, label: &str) -> Self {
        self.labels.push(label.into());
        self
    }
    pub fn labels(mut self, labels: &[&str]) -> Self {
        self.labels.extend(labels.iter().map(|l| (*l).to_owned()));
        self
    }
    /// Open, with this head commit.
    pub fn head(mut self, sha: &str) -> Self {
        self.head_sha = Some(sha.into());
        self
    }
    pub fn head_ref(mut self, name: &str) -> Self {
        self.head_ref = name.into();
        self
    }
    /// Merged, as this commit on the base branch (a merge, squash or
    /// rebase result): `GET /commits/{sha}/pulls` finds the PR from it.
    pub fn merged_as(mut self, sha: &str) -> Self {
        self.merge_commit = Some(sha.into());
        self
    }
    /// Commits the PR carries (also associated with it).
    pub fn commits(mut self, shas: &[&str]) -> Self {
        self.commits.extend(shas.iter().map(|s| (*s).to_owned()));
        self
    }
    pub fn draft(mut self) -> Self {
        self.draft = true;
        self
    }
    pub fn user(mut self, login: &str) -> Self {
        self.user = login.into();
        self
    }
}

/// Extra tokens, with their own permissions.
#[derive(Debug, Clone)]
pub struct NewToken {
    pub(crate) permissions: HashMap<Permission, Access>,
    pub(crate) bypass_rulesets: bool,
    pub(crate) login: String,
}

impl NewToken {
    /// A token with every permission at `write`.
    pub fn write_all() -> Self {
        NewToken {
            permissions: Permission::ALL
                .iter()
                .map(|p| (*p, Access::Write))
                .collect(),
            bypass_rulesets: false,
            login: model::BOT_LOGIN.into(),
        }
    }
    /// A token with no permission but `metadata: read`.
    pub fn none() -> Self {
        NewToken {
            permissions: HashMap::from([(Permission::Metadata, Access::Read)]),
            bypass_rulesets: false,
            login: model::BOT_LOGIN.into(),
        }
    }
    pub fn permission(mut self, p: Permission, a: Access) -> Self {
        self.permissions.insert(p, a);
        self
    }
    /// A GitHub App listed as a ruleset bypass actor.
    pub fn bypass_rulesets(mut self) -> Self {
        self.bypass_rulesets = true;
        self.login = "shipgate-app[bot]".into();
        self
    }
}
