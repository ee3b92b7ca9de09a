//! A stand-in for the GitHub API, for tests: a real HTTP server on
//! `127.0.0.1:<random port>` (tokio on its own thread, so synchronous tests
//! can use it) that keeps one repository in memory and answers with the
//! documented REST and GraphQL shapes: status codes, JSON fields, and the
//! headers clients act on (`x-ratelimit-*`, `retry-after`, `link`,
//! `x-github-request-id`, `x-accepted-github-permissions`).
//!
//! ```no_run
//! use github_standin::{Fault, Route, StandIn};
//! let gh = StandIn::start();
//! let sha = gh.commit("feat: first");
//! gh.fail(Route::post("git/refs"), Fault::LostReply);
//! // point the code under test at gh.url(), gh.graphql_url(), gh.token(),
//! // gh.repository(); then:
//! assert!(gh.request_count() < 10);
//! # let _ = sha;
//! ```
//!
//! What it serves (under `/repos/{owner}/{repo}/`, and
//! `/repositories/{id}/` which `link` headers use):
//!
//! | route | notes |
//! |---|---|
//! | `GET /repos/{o}/{r}` | the repository |
//! | `GET git/ref/{ref}` | one ref, 404 when absent |
//! | `GET git/matching-refs/{prefix}` | every match in one reply |
//! | `POST git/refs`, `PATCH`/`DELETE git/refs/{ref}` | 422 "Reference already exists"; rulesets |
//! | `POST git/tags`, `GET git/tags/{sha}` | tag objects |
//! | `GET commits/{ref}`, `GET git/commits/{sha}` | commits; short shas, branches, tags |
//! | `GET commits/{sha}/pulls` | PRs associated with a commit, paged |
//! | `GET pulls/{n}`, `GET issues/{n}/labels` | PRs and their labels |
//! | `GET pulls/{n}/commits` | the PR's commits (those the stand-in holds), paged |
//! | `GET`/`POST issues/{n}/comments`, `PATCH issues/comments/{id}` | comments on a PR; writing needs `pull_requests` or `issues` write |
//! | `POST`/`GET deployments`, `GET deployments/{id}` | filters, `per_page`/`page`, `link` |
//! | `POST`/`GET deployments/{id}/statuses` | `auto_inactive` as documented |
//! | `POST`/`GET releases`, `GET releases/latest`, `GET releases/tags/{tag}`, `GET`/`PATCH releases/{id}` | 422 `already_exists` |
//! | `GET actions/runs/{id}/artifacts`, `GET actions/artifacts/{id}`, `GET actions/artifacts/{id}/zip` | from [`Builder::artifacts_dir`] (act's artifact server folder); the zip is a 302 to its bytes, 410 once [`StandIn::expire_artifact`] |
//! | `POST /graphql` | `repository { refs(…) }` and `repository { deployments(…) }`, cursor paging |
//!
//! `github-standin serve` runs it as a process of its own (for tools that
//! cannot link this library), printing `GITHUB_API_URL=…` when it listens;
//! with `--seed-stdin` it takes commits, pull requests and artifact expiry
//! as JSON lines on stdin (GitHub has no REST route for them) and exits
//! when stdin closes.
//!
//! Tokens: `Authorization: Bearer <t>` or `token <t>`; a wrong one gets 401
//! "Bad credentials". Each token has fine-grained permissions (all `write`
//! by default); a request beyond them gets 403 "Resource not accessible by
//! integration". Rulesets restrict tag creation (422 "Repository rule
//! violations found"), except for a bypass token.
//!
//! Faults ([`Fault`]) queue per [`Route`] or globally and are consumed one
//! per matching request. Every request is logged ([`LoggedRequest`]), so a
//! test can count them.

mod artifacts;
mod fault;
mod graphql;
mod model;
mod rest;
mod seed;
mod server;

pub use fault::{Fault, Route};
pub use model::Signature;
pub use seed::{Access, LoggedRequest, NewCommit, NewPull, NewToken, Permission};

use jiff::Timestamp;
use model::{Clock, Commit, Pull, RateLimit, Release, Ruleset, State, TagObject, TokenGrant};
use serde_json::Value;
use std::collections::{BTreeMap, HashMap};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;

/// How to start a stand-in.
#[derive(Debug, Clone)]
pub struct Builder {
    owner: String,
    name: String,
    token: Option<String>,
    clock: Option<Timestamp>,
    frozen: bool,
    permissions: HashMap<Permission, Access>,
    rate_limit: u64,
    default_branch: String,
    addr: Option<SocketAddr>,
    artifacts_dir: Option<std::path::PathBuf>,
}

impl Builder {
    /// `OWNER/NAME`.
    pub fn repository(mut self, full: &str) -> Self {
        if let Some((o, n)) = full.split_once('/') {
            self.owner = o.into();
            self.name = n.into();
        }
        self
    }
    /// The token the repository accepts (default: a random `ghs_…`).
    pub fn token(mut self, token: &str) -> Self {
        self.token = Some(token.into());
        self
    }
    /// A fixed clock start; every reading moves it on one second.
    /// Default: the real time in whole seconds, as GitHub's timestamps
    /// (objects made in one second share it; it never goes back).
    pub fn clock(mut self, start: Timestamp) -> Self {
        self.clock = Some(start);
        self.frozen = false;
        self
    }
    /// A clock that always reads `at`: everything happens in one second
    /// (GitHub's `created_at` has whole seconds, so fast writes share one).
    pub fn frozen_clock(mut self, at: Timestamp) -> Self {
        self.clock = Some(at);
        self.frozen = true;
        self
    }
    /// The main token's permission (default: `write` for all).
    pub fn permission(mut self, p: Permission, a: Access) -> Self {
        self.permissions.insert(p, a);
        self
    }
    /// The primary rate limit per hour (default 5000); at 0 remaining
    /// requests get the documented 403.
    pub fn rate_limit(mut self, per_hour: u64) -> Self {
        self.rate_limit = per_hour;
        self
    }
    pub fn default_branch(mut self, name: &str) -> Self {
        self.default_branch = name.into();
        self
    }
    /// The address to listen on (default `127.0.0.1:0`, a free port).
    pub fn addr(mut self, addr: SocketAddr) -> Self {
        self.addr = Some(addr);
        self
    }
    /// Serves the Actions artifacts found in `dir`, laid out as nektos/act's
    /// artifact server (`--artifact-server-path`) stores them:
    /// `DIR/<run id>/<name>/<name>.zip` (see the artifact routes).
    pub fn artifacts_dir(mut self, dir: impl Into<std::path::PathBuf>) -> Self {
        self.artifacts_dir = Some(dir.into());
        self
    }

    /// Binds the address (default `127.0.0.1:0`) and starts serving on a
    /// thread of its own.
    ///
    /// # Panics
    /// When the address cannot be bound; [`Builder::try_start`] returns
    /// the error instead.
    pub fn start(self) -> StandIn {
        self.try_start().expect("bind the stand-in's address")
    }

    /// [`Builder::start`], with the bind error returned.
    pub fn try_start(self) -> std::io::Result<StandIn> {
        let listener = std::net::TcpListener::bind(
            self.addr
                .unwrap_or_else(|| SocketAddr::from(([127, 0, 0, 1], 0))),
        )?;
        let addr = listener.local_addr()?;
        let salt = server::random_u64();
        let token = self.token.unwrap_or_else(|| {
            let mut t = String::from("ghs_");
            let mut x = salt;
            const ALPHABET: &[u8] =
                b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
            for _ in 0..36 {
                x = x
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                t.push(char::from(ALPHABET[((x >> 33) % 62) as usize]));
            }
            t
        });
        let reset = Timestamp::now().as_second() + 3600;
        let state = State {
            owner: self.owner,
            name: self.name,
            repo_id: 1_296_269,
            base_url: format!("http://{addr}"),
            default_branch: self.default_branch,
            tokens: vec![TokenGrant {
                token: token.clone(),
                permissions: self.permissions,
                bypass_rulesets: false,
                login: model::BOT_LOGIN.into(),
            }],
            commits: HashMap::new(),
            refs: BTreeMap::new(),
            tag_objects: HashMap::new(),
            deployments: Vec::new(),
            environments: BTreeMap::new(),
            pulls: BTreeMap::new(),
            releases: Vec::new(),
            latest_release: None,
            rulesets: Vec::new(),
            issues_disabled: false,
            comments: Vec::new(),
            faults: fault::Queues::default(),
            log: Vec::new(),
            clock: Clock {
                fixed: self.clock,
                frozen: self.frozen,
                last: None,
            },
            next_id: 1000,
            core: RateLimit {
                limit: self.rate_limit,
                used: 0,
                reset,
            },
            graphql: RateLimit {
                limit: self.rate_limit,
                used: 0,
                reset,
            },
            request_seq: 0,
            salt,
            artifacts_dir: self.artifacts_dir,
            expired_artifacts: std::collections::HashSet::new(),
        };
        let shared = Arc::new(server::Shared {
            state: Mutex::new(state),
        });
        let (shutdown, thread) = server::spawn(listener, shared.clone());
        Ok(StandIn {
            shared,
            addr,
            token,
            shutdown: Some(shutdown),
            thread: Some(thread),
        })
    }
}

/// A running stand-in. Dropping it stops the server.
pub struct StandIn {
    shared: Arc<server::Shared>,
    addr: SocketAddr,
    token: String,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<JoinHandle<()>>,
}

impl std::fmt::Debug for StandIn {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StandIn").field("addr", &self.addr).finish()
    }
}

impl Drop for StandIn {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl StandIn {
    /// A stand-in for `octo-org/demo-service` with a random token.
    pub fn start() -> Self {
        Self::builder().start()
    }

    pub fn builder() -> Builder {
        Builder {
            owner: "octo-org".into(),
            name: "demo-service".into(),
            token: None,
            clock: None,
            frozen: false,
            permissions: Permission::ALL
                .iter()
                .map(|p| (*p, Access::Write))
                .collect(),
            rate_limit: 5000,
            default_branch: "main".into(),
            addr: None,
            artifacts_dir: None,
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.shared.lock()
    }

    /// `http://127.0.0.1:PORT`: the value for `GITHUB_API_URL`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// `http://127.0.0.1:PORT/graphql`: the value for `GITHUB_GRAPHQL_URL`.
    pub fn graphql_url(&self) -> String {
        format!("http://{}/graphql", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The token the repository accepts.
    pub fn token(&self) -> &str {
        &self.token
    }

    /// `OWNER/NAME`.
    pub fn repository(&self) -> String {
        let s = self.state();
        format!("{}/{}", s.owner, s.name)
    }

    /// The variables a tool run against this stand-in needs:
    /// `GITHUB_API_URL`, `GITHUB_GRAPHQL_URL`, `GITHUB_SERVER_URL`,
    /// `GITHUB_REPOSITORY`, `GITHUB_TOKEN`.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GITHUB_API_URL", self.url()),
            ("GITHUB_GRAPHQL_URL", self.graphql_url()),
            ("GITHUB_SERVER_URL", self.url()),
            ("GITHUB_REPOSITORY", self.repository()),
            ("GITHUB_TOKEN", self.token.clone()),
        ]
    }

    /// Reads the stand-in's clock (advances it by a second).
    pub fn now(&self) -> Timestamp {
        self.state().clock.now()
    }

    /// Marks an Actions artifact as past its retention: listed with
    /// `expired: true`, its download answers 410. Returns whether an
    /// artifact with that id is stored (see [`Builder::artifacts_dir`]).
    pub fn expire_artifact(&self, id: u64) -> bool {
        let mut s = self.state();
        s.expired_artifacts.insert(id);
        let dir = s.artifacts_dir.clone();
        drop(s);
        dir.is_some_and(|d| artifacts::stored_ids(&d).contains(&id))
    }

    // ---- seeding ----

    /// Adds a commit on the default branch; returns its id.
    pub fn commit(&self, message: &str) -> String {
        self.add_commit(NewCommit::new(message))
    }

    /// Adds a commit; returns its id.
    pub fn add_commit(&self, c: NewCommit) -> String {
        let mut s = self.state();
        let branch = c.branch.unwrap_or_else(|| s.default_branch.clone());
        let head_ref = format!("refs/heads/{branch}");
        let parents = c
            .parents
            .unwrap_or_else(|| s.refs.get(&head_ref).cloned().into_iter().collect());
        let date = match c.date {
            Some(d) => d,
            None => s.clock.now(),
        };
        let sha = match c.sha {
            Some(sha) => {
                assert!(
                    sha.len() == 40 && sha.chars().all(|ch| ch.is_ascii_hexdigit()),
                    "a commit id is 40 hex digits, got {sha:?}"
                );
                sha
            }
            None => s.object_id("commit", &c.message),
        };
        let tree = s.object_id("tree", &sha);
        let sig = Signature {
            name: "Mona Lisa Octocat".into(),
            email: "mona@example.com".into(),
            date,
        };
        s.commits.insert(
            sha.clone(),
            Commit {
                sha: sha.clone(),
                tree,
                message: c.message,
                author: sig.clone(),
                committer: sig,
                parents,
            },
        );
        s.refs.insert(head_ref, sha.clone());
        sha
    }

    /// Adds a lightweight tag (a bare ref).
    pub fn lightweight_tag(&self, name: &str, commit: &str) {
        let mut s = self.state();
        assert!(s.commits.contains_key(commit), "no commit {commit}");
        s.refs.insert(format!("refs/tags/{name}"), commit.into());
    }

    /// Adds an annotated tag (tag object + ref) of a commit, or of another
    /// tag object (a nested tag); returns the tag object's id.
    pub fn annotated_tag(
        &self,
        name: &str,
        target: &str,
        message: &str,
        date: Timestamp,
    ) -> String {
        let mut s = self.state();
        let object_type = s
            .object_type(target)
            .unwrap_or_else(|| panic!("no commit or tag object {target}"));
        let sha = s.object_id("tag", message);
        s.tag_objects.insert(
            sha.clone(),
            TagObject {
                sha: sha.clone(),
                tag: name.into(),
                message: message.into(),
                tagger: Some(Signature {
                    name: model::BOT_LOGIN.into(),
                    email: model::BOT_EMAIL.into(),
                    date,
                }),
                object_sha: target.into(),
                object_type: object_type.into(),
            },
        );
        s.refs.insert(format!("refs/tags/{name}"), sha.clone());
        sha
    }

    /// Adds a pull request; returns its number.
    pub fn add_pull(&self, p: NewPull) -> u64 {
        let mut s = self.state();
        let created_at = s.clock.now();
        let merged_at = p.merge_commit.as_ref().map(|_| created_at);
        let head_sha = match p.head_sha.or_else(|| p.commits.last().cloned()) {
            Some(h) => h,
            None => s.object_id("commit", &p.title),
        };
        let mut commits = p.commits;
        if !commits.contains(&head_sha) {
            commits.push(head_sha.clone());
        }
        let id = s.next_id();
        let base_ref = s.default_branch.clone();
        s.pulls.insert(
            p.number,
            Pull {
                number: p.number,
                id,
                title: p.title,
                body: p.body,
                state: if merged_at.is_some() {
                    "closed"
                } else {
                    "open"
                }
                .into(),
                draft: p.draft,
                user: p.user,
                labels: p.labels,
                head_ref: p.head_ref,
                head_sha,
                base_ref,
                merge_commit_sha: p.merge_commit,
                merged_at,
                created_at,
                commits,
            },
        );
        p.number
    }

    /// Edits a pull request's title (as a user would between two runs).
    pub fn set_title(&self, number: u64, title: &str) {
        let mut s = self.state();
        let pull = s.pulls.get_mut(&number).expect("no such pull request");
        pull.title = title.into();
    }

    /// Adds a label to a pull request.
    pub fn add_label(&self, number: u64, label: &str) {
        let mut s = self.state();
        let pull = s.pulls.get_mut(&number).expect("no such pull request");
        if !pull.labels.iter().any(|l| l == label) {
            pull.labels.push(label.into());
        }
    }

    /// A tag ruleset restricting creation of tags matching `pattern`
    /// (fnmatch on the short name: `prod-*`, `**/prod-*`, `~ALL`).
    pub fn restrict_tag_creation(&self, pattern: &str) {
        self.state().rulesets.push(Ruleset {
            pattern: pattern.into(),
        });
    }

    /// Turns the repository's issues off (Settings → Features): the issue
    /// endpoints answer 410 Gone, as GitHub documents.
    pub fn disable_issues(&self) {
        self.state().issues_disabled = true;
    }

    /// Sets a permission of the main token.
    pub fn set_permission(&self, p: Permission, a: Access) {
        self.state().tokens[0].permissions.insert(p, a);
    }

    /// Adds another accepted token; returns it.
    pub fn add_token(&self, t: NewToken) -> String {
        let mut s = self.state();
        let token = format!("ghs_extra{:016x}{}", s.salt, s.tokens.len());
        s.tokens.push(TokenGrant {
            token: token.clone(),
            permissions: t.permissions,
            bypass_rulesets: t.bypass_rulesets,
            login: t.login,
        });
        token
    }

    // ---- faults ----

    /// The comments on issue or pull request `n`, oldest first: (id, body).
    pub fn comments(&self, n: u64) -> Vec<(u64, String)> {
        self.state()
            .comments
            .iter()
            .filter(|c| c.issue == n)
            .map(|c| (c.id, c.body.clone()))
            .collect()
    }

    /// Queues a fault for the next request matching `route`.
    pub fn fail(&self, route: Route, fault: Fault) {
        self.state().faults.push(route, fault);
    }

    /// Queues the same fault for the next `times` matching requests.
    pub fn fail_times(&self, route: Route, fault: Fault, times: usize) {
        let mut s = self.state();
        for _ in 0..times {
            s.faults.push(route.clone(), fault.clone());
        }
    }

    /// Queues a fault for the next request of any route (after routed ones).
    pub fn fail_any(&self, fault: Fault) {
        self.state().faults.push_global(fault);
    }

    /// Faults not yet consumed.
    pub fn pending_faults(&self) -> usize {
        self.state().faults.pending()
    }

    pub fn clear_faults(&self) {
        self.state().faults.clear();
    }

    // ---- the request log ----

    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.state().log.clone()
    }

    pub fn request_count(&self) -> usize {
        self.state().log.len()
    }

    /// How many logged requests match `route`.
    pub fn count(&self, route: &Route) -> usize {
        self.state().log.iter().filter(|r| r.is(route)).count()
    }

    pub fn clear_requests(&self) {
        self.state().log.clear();
    }

    // ---- inspection ----

    /// Ref names (full, `refs/tags/…`) under a prefix, with what they point at.
    pub fn refs(&self, prefix: &str) -> Vec<(String, String)> {
        self.state()
            .refs
            .range(prefix.to_owned()..)
            .take_while(|(k, _)| k.starts_with(prefix))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// A tag: the commit it peels to, and its tag object as the API renders
    /// it (`None` for a lightweight tag).
    pub fn tag(&self, name: &str) -> Option<(String, Option<Value>)> {
        let s = self.state();
        let target = s.refs.get(&format!("refs/tags/{name}"))?;
        let commit = s.peel(target)?;
        let object = s.tag_objects.get(target).map(|t| s.tag_json(t));
        Some((commit, object))
    }

    /// Every deployment, newest first, as `GET /deployments` renders them.
    pub fn deployments(&self) -> Vec<Value> {
        let s = self.state();
        s.deployments
            .iter()
            .rev()
            .map(|d| s.deployment_json(d))
            .collect()
    }

    /// A deployment's statuses, newest first.
    pub fn deployment_statuses(&self, id: u64) -> Vec<Value> {
        let s = self.state();
        s.deployments
            .iter()
            .find(|d| d.id == id)
            .map(|d| {
                d.statuses
                    .iter()
                    .rev()
                    .map(|st| s.status_json(d, st))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every release, newest first.
    pub fn releases(&self) -> Vec<Value> {
        let s = self.state();
        s.releases.iter().rev().map(|r| s.release_json(r)).collect()
    }

    /// The release marked latest, if any.
    pub fn latest_release(&self) -> Option<Value> {
        let s = self.state();
        let id = s.latest_release?;
        s.releases
            .iter()
            .find(|r| r.id == id)
            .map(|r| s.release_json(r))
    }

    /// Adds a deployment made by someone else (such as the one Actions
    /// creates for a job with `environment:`); returns its id.
    pub fn add_deployment(
        &self,
        environment: &str,
        commit: &str,
        task: &str,
        payload: Value,
    ) -> u64 {
        let mut s = self.state();
        let sha = s.resolve_commit(commit).expect("no such commit");
        s.ensure_environment(environment);
        let now = s.clock.now();
        let id = s.next_id();
        s.deployments.push(model::Deployment {
            id,
            sha,
            git_ref: commit.into(),
            task: task.into(),
            payload,
            environment: environment.into(),
            original_environment: environment.into(),
            description: None,
            transient_environment: false,
            production_environment: environment == "production",
            creator: model::BOT_LOGIN.into(),
            created_at: now,
            updated_at: now,
            statuses: Vec::new(),
        });
        id
    }

    /// Adds a status to a deployment (no `auto_inactive` side effects).
    pub fn add_deployment_status(&self, id: u64, state: &str, description: &str) {
        self.add_deployment_status_logged(id, state, description, "");
    }

    /// [`StandIn::add_deployment_status`] with a `log_url` (a job's
    /// deployment links to its run).
    pub fn add_deployment_status_logged(
        &self,
        id: u64,
        state: &str,
        description: &str,
        log_url: &str,
    ) {
        let mut s = self.state();
        let now = s.clock.now();
        let sid = s.next_id();
        let d = s
            .deployments
            .iter_mut()
            .find(|d| d.id == id)
            .expect("no such deployment");
        d.updated_at = now;
        d.statuses.push(model::DeploymentStatus {
            id: sid,
            state: state.into(),
            description: description.into(),
            environment: d.environment.clone(),
            log_url: log_url.into(),
            environment_url: String::new(),
            creator: model::BOT_LOGIN.into(),
            created_at: now,
        });
    }

    /// Creates (or replaces the rules of) an environment, as Settings →
    /// Environments does: `reviewers` are the logins of its required
    /// reviewers (none: no `required_reviewers` rule), `wait_timer` minutes
    /// add a `wait_timer` rule.
    pub fn add_environment(&self, name: &str, reviewers: &[&str], wait_timer: Option<u32>) {
        let mut s = self.state();
        s.ensure_environment(name);
        if let Some(e) = s.environments.get_mut(name) {
            e.reviewers = reviewers.iter().map(|r| (*r).to_owned()).collect();
            e.wait_timer = wait_timer;
        }
    }

    /// Every environment, by name, as `GET /environments` renders them.
    pub fn environments(&self) -> Vec<Value> {
        let s = self.state();
        s.environments
            .values()
            .map(|e| s.environment_json(e))
            .collect()
    }

    /// Adds a published release (and its tag, lightweight, when missing).
    pub fn add_release(&self, tag: &str, name: &str, body: &str) -> u64 {
        let mut s = self.state();
        let now = s.clock.now();
        let id = s.next_id();
        let tag_ref = format!("refs/tags/{tag}");
        if !s.refs.contains_key(&tag_ref) {
            let head = s
                .refs
                .get(&format!("refs/heads/{}", s.default_branch))
                .cloned()
                .expect("add a commit before a release");
            s.refs.insert(tag_ref, head);
        }
        let target = s.default_branch.clone();
        s.releases.push(Release {
            id,
            tag_name: tag.into(),
            target_commitish: target,
            name: Some(name.into()),
            body: Some(body.into()),
            draft: false,
            prerelease: false,
            author: model::BOT_LOGIN.into(),
            created_at: now,
            published_at: Some(now),
        });
        s.latest_release = Some(id);
        id
    }
}
