//! The GitHub API backend: [`ApiStore`] implements [`Store`] over the REST
//! and GraphQL APIs through octocrab, so a promotion job needs no checkout.
//!
//! The interface is synchronous: the store runs a current-thread tokio
//! runtime of its own and blocks on it (do not call it from inside another
//! tokio runtime).
//!
//! Requests are a budget (`GITHUB_TOKEN` gets 1,000 an hour per
//! repository), so reads go through GraphQL where one query replaces many
//! REST calls:
//!
//! | operation | requests |
//! |---|---|
//! | [`Store::list_tags`] | 1 GraphQL query per 100 tags under the prefix (`refs(refPrefix:, query:, orderBy: TAG_COMMIT_DATE)`; dates are tagger dates, ordering is the caller's) |
//! | [`Store::read_tags`] | 1 GraphQL query per 50 names |
//! | [`Store::create_tag`] | 2 (tag object, ref); +1 read when the name is taken |
//! | [`Store::resolve_commit`] | 1 |
//! | [`Store::append_event`] | in progress / revoked: 2 (deployment, status), +1 to resolve the commit when the event has none; an outcome: 2 (find its deployment, status), +1 per earlier live deployment made inactive in a production environment, +1 to mark the job's own deployment when there is one |
//! | a promotion (resolve, read 2 tags, events, record start and outcome, tag) | 9 |
//! | [`Store::list_events`] | 1 GraphQL query per 100 deployments of the environment |
//!
//! Deployment events map onto GitHub Deployments: the environment is the
//! scope's (the one the chain or `--environment` names, else `qa`,
//! `shop/qa`), `ref` is the commit, the payload is the event itself
//! (schema `shipgate.deployment/v1`), `production_environment` is the
//! chain's last stage. `in_progress` creates a deployment with an
//! `in_progress` status; `success`/`failure` add a status to the newest
//! unfinished deployment of that version (or create one); a success is
//! written with `auto_inactive`, and in a production environment (which
//! GitHub leaves alone) the earlier successful deployments are made
//! `inactive` here. A revocation is a deployment with task
//! `shipgate:revoke` and an `inactive` status saying why. Deployments
//! without a shipgate payload (such as those Actions creates for
//! `environment:` jobs) are never read as events; the one of the recording
//! run's job gets a status naming the version and commit deployed.
//!
//! Events are ordered as GitHub ordered them: by deployment id (ids only
//! grow), then by each deployment's statuses (GraphQL gives statuses no
//! number and whole-second `createdAt`s; one second keeps the life cycle's
//! order). The runner's clock (an event's `time`) never takes part.
//!
//! Failures say what to do: 401 → the token; 403 "Resource not accessible
//! by integration" → the `permissions:` entry to add; a ruleset refusal →
//! a ruleset blocks the tag, and a GitHub App token on its bypass list can
//! pass. The token is never part of any message.

mod client;
mod events;
mod extras;
mod tags;

pub use client::{RetryPolicy, Stats, Token, default_graphql_url};
pub use extras::{
    MakeLatest, NewRelease, PullCommit, PullRequest, Release, ReleaseCreated, ReleaseUpdate,
};

use crate::{
    CommitId, Created, DeploymentEvent, ListedTag, NewTag, RepoError, Scope, Store, StoredEvent,
    Tag,
};
use client::{Client, Resp};
use std::fmt;
use std::future::Future;

/// The public GitHub API.
pub const DEFAULT_API_URL: &str = "https://api.github.com";

/// Everything the API backend needs, from `main.rs` (which reads the
/// environment): `GITHUB_API_URL`, `GITHUB_GRAPHQL_URL`,
/// `GITHUB_REPOSITORY` (or `--repository`), `GITHUB_TOKEN`.
#[derive(Clone)]
pub struct ApiConfig {
    /// `https://api.github.com`, or `https://HOST/api/v3`.
    pub api_url: String,
    /// Derived from `api_url` when `None` (see [`default_graphql_url`]).
    pub graphql_url: Option<String>,
    /// `OWNER/NAME`.
    pub repository: String,
    pub token: String,
    pub retry: RetryPolicy,
}

impl fmt::Debug for ApiConfig {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiConfig")
            .field("api_url", &self.api_url)
            .field("graphql_url", &self.graphql_url)
            .field("repository", &self.repository)
            .field("token", &"***")
            .field("retry", &self.retry)
            .finish()
    }
}

impl ApiConfig {
    pub fn new(api_url: &str, repository: &str, token: &str) -> Self {
        ApiConfig {
            api_url: api_url.into(),
            graphql_url: None,
            repository: repository.into(),
            token: token.into(),
            retry: RetryPolicy::default(),
        }
    }

    pub fn graphql_url(mut self, url: &str) -> Self {
        self.graphql_url = Some(url.into());
        self
    }

    pub fn retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }
}

/// The API store every tool builds, with one set of rules: the API URL
/// given (flag, else `GITHUB_API_URL`) without a trailing `/`, else the
/// public API; the GraphQL URL when given, else derived from the API URL.
pub fn open(
    api_url: Option<&str>,
    graphql_url: Option<&str>,
    repository: &str,
    token: &str,
) -> Result<ApiStore, RepoError> {
    let api_url = api_url
        .map(|u| u.trim().trim_end_matches('/'))
        .filter(|u| !u.is_empty())
        .unwrap_or(DEFAULT_API_URL);
    let mut config = ApiConfig::new(api_url, repository, token);
    if let Some(g) = graphql_url
        .map(|u| u.trim().trim_end_matches('/'))
        .filter(|u| !u.is_empty())
    {
        config = config.graphql_url(g);
    }
    ApiStore::new(config)
}

/// Splits and checks `OWNER/NAME`.
pub fn parse_repository(s: &str) -> Result<(String, String), RepoError> {
    let t = s.trim();
    let bad = || RepoError::InvalidInput {
        what: "repository",
        value: t.to_owned(),
        expected: "OWNER/NAME, such as octo-org/shop".into(),
    };
    let (owner, name) = t.split_once('/').ok_or_else(bad)?;
    let owner_ok = !owner.is_empty()
        && owner.len() <= 39
        && owner
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    let name_ok = !name.is_empty()
        && name.len() <= 100
        && name != "."
        && name != ".."
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'));
    if owner_ok && name_ok {
        Ok((owner.to_owned(), name.to_owned()))
    } else {
        Err(bad())
    }
}

/// The GitHub API backend. See the module docs.
pub struct ApiStore {
    client: Client,
    owner: String,
    name: String,
    rt: tokio::runtime::Runtime,
}

impl fmt::Debug for ApiStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ApiStore")
            .field("repository", &format!("{}/{}", self.owner, self.name))
            .field("client", &self.client)
            .finish()
    }
}

impl ApiStore {
    /// Checks the configuration (URLs, repository, token) and sets up the
    /// client. Sends nothing.
    pub fn new(config: ApiConfig) -> Result<Self, RepoError> {
        let (owner, name) = parse_repository(&config.repository)?;
        let token = Token::new(&config.token)?;
        let graphql_url = config
            .graphql_url
            .clone()
            .filter(|u| !u.trim().is_empty())
            .unwrap_or_else(|| default_graphql_url(&config.api_url));
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| RepoError::Io {
                context: "starting the async runtime for the GitHub API".into(),
                source: e,
            })?;
        let client = {
            let _guard = rt.enter();
            Client::new(&config.api_url, &graphql_url, token, config.retry.clone())?
        };
        Ok(ApiStore {
            client,
            owner,
            name,
            rt,
        })
    }

    /// `OWNER/NAME`.
    pub fn repository(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    /// Requests sent so far (retries included), retries, time waited.
    pub fn stats(&self) -> Stats {
        self.client.stats()
    }

    fn block_on<F: Future>(&self, f: F) -> F::Output {
        self.rt.block_on(f)
    }

    /// A URL under `/repos/OWNER/NAME`.
    fn repo_url(&self, rest: &str) -> String {
        self.client
            .url(&format!("/repos/{}/{}{rest}", self.owner, self.name))
    }

    /// An error for an answer the operation did not expect, with the fix
    /// where one is known.
    fn unexpected(&self, resp: &Resp, action: &str, permission: &'static str) -> RepoError {
        let message = self.client.redact(&resp.message());
        match resp.status {
            403 => RepoError::PermissionDenied {
                action: action.to_owned(),
                permission: resp
                    .header("x-accepted-github-permissions")
                    .and_then(permission_entry)
                    .unwrap_or(permission),
                detail: format!("{} answered 403: {message}", resp.request),
            },
            404 => self.repository_not_found(resp),
            422 if is_rule_refusal(&message) => RepoError::RuleRefused {
                action: action.to_owned(),
                detail: format!(
                    "{message} (a ruleset restricts creating this ref; a GitHub App token listed \
                     as a bypass actor of the ruleset can create it)"
                ),
            },
            status => RepoError::Api {
                request: resp.request.clone(),
                status: Some(status),
                message,
            },
        }
    }

    fn repository_not_found(&self, resp: &Resp) -> RepoError {
        RepoError::NotFound {
            what: "repository",
            name: self.repository(),
            hint: Some(format!(
                "{} answered 404: check --repository (GITHUB_REPOSITORY) and GITHUB_API_URL; \
                 a token only sees the repositories it was granted (a workflow's GITHUB_TOKEN: \
                 its own repository)",
                resp.request
            )),
        }
    }
}

/// Whether a 422 message is a ruleset (or tag protection) refusal.
pub(crate) fn is_rule_refusal(message: &str) -> bool {
    let m = message.to_ascii_lowercase();
    m.contains("repository rule violations")
        || m.contains("gh013")
        || m.contains("rule violation")
        || m.contains("protected tag")
        || m.contains("creations being restricted")
}

/// The workflow `permissions:` entry for an `x-accepted-github-permissions`
/// value (`contents=write; pull_requests=read` → the first set's first).
fn permission_entry(accepted: &str) -> Option<&'static str> {
    let first = accepted.split(';').next()?.split(',').next()?.trim();
    let (name, level) = first.split_once('=')?;
    Some(match (name.trim(), level.trim()) {
        ("contents", "read") => "contents: read",
        ("contents", "write") => "contents: write",
        ("deployments", "read") => "deployments: read",
        ("deployments", "write") => "deployments: write",
        ("pull_requests", "read") => "pull-requests: read",
        ("pull_requests", "write") => "pull-requests: write",
        ("issues", "read") => "issues: read",
        ("issues", "write") => "issues: write",
        ("actions", "read") => "actions: read",
        ("actions", "write") => "actions: write",
        ("statuses", "read") => "statuses: read",
        ("statuses", "write") => "statuses: write",
        ("checks", "read") => "checks: read",
        ("checks", "write") => "checks: write",
        ("metadata", _) => "contents: read",
        _ => return None,
    })
}

impl Store for ApiStore {
    fn describe(&self) -> String {
        format!(
            "GitHub API {}/{} ({})",
            self.owner,
            self.name,
            self.client.api_url()
        )
    }

    fn list_tags(&self, prefix: &str) -> Result<Vec<ListedTag>, RepoError> {
        self.block_on(self.list_tags_async(prefix))
    }

    fn read_tags(&self, names: &[&str]) -> Result<Vec<Option<Tag>>, RepoError> {
        self.block_on(self.read_tags_async(names))
    }

    fn create_tag(&self, tag: &NewTag) -> Result<Created, RepoError> {
        self.block_on(self.create_tag_async(tag))
    }

    fn resolve_commit(&self, rev: &str) -> Result<Option<CommitId>, RepoError> {
        self.block_on(self.resolve_commit_async(rev))
    }

    fn append_event(&self, event: &DeploymentEvent) -> Result<StoredEvent, RepoError> {
        self.block_on(self.append_event_async(event))
    }

    fn list_events(
        &self,
        scope: &Scope,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, RepoError> {
        self.block_on(self.list_events_async(scope, limit))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repositories() {
        assert_eq!(
            parse_repository(" octo-org/shop.api ").unwrap(),
            ("octo-org".into(), "shop.api".into())
        );
        for bad in ["", "octo", "/x", "o/", "o/r/x", "o o/r", "o/..", "o/r?x"] {
            let e = parse_repository(bad).unwrap_err();
            assert!(e.to_string().contains("OWNER/NAME"), "{bad}: {e}");
        }
    }

    #[test]
    fn permission_entries() {
        assert_eq!(permission_entry("contents=write"), Some("contents: write"));
        assert_eq!(
            permission_entry("pull_requests=read; contents=read"),
            Some("pull-requests: read")
        );
        assert_eq!(
            permission_entry("deployments=write,contents=read"),
            Some("deployments: write")
        );
        assert_eq!(permission_entry("garbage"), None);
    }

    #[test]
    fn rule_refusals() {
        assert!(is_rule_refusal(
            "Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n"
        ));
        assert!(is_rule_refusal(
            "GH013: Repository rule violations found for refs/tags/prod-x."
        ));
        assert!(!is_rule_refusal("Reference already exists"));
    }

    #[test]
    fn config_debug_hides_the_token() {
        let c = ApiConfig::new("https://api.github.com", "o/r", "ghp_verysecret");
        assert!(!format!("{c:?}").contains("verysecret"));
        let store = ApiStore::new(c).unwrap();
        assert!(!format!("{store:?}").contains("verysecret"));
        assert_eq!(store.describe(), "GitHub API o/r (https://api.github.com)");
    }
}
