//! Where tags, commits and deployment records live, behind one interface.
//!
//! [`Store`] is what `tag-gate` needs from a repository: stage tags (the
//! eligibility record: "version V passed stage S"), the commits they point
//! at, and deployment events (what is live where). Two backends implement
//! it:
//!
//! - [`git::GitStore`]: the git CLI against a remote (`origin` by default):
//!   `git ls-remote`, one `git fetch` of just the refs it needs into a
//!   private namespace, `git push`;
//! - `api::ApiStore` (crates/repo/src/api/): the GitHub REST and GraphQL API,
//!   so a promotion job needs no checkout.
//!
//! The trait is synchronous: the git path needs no async runtime, and the
//! API backend runs its own current-thread runtime inside.
//!
//! The domain types every backend shares ([`Stage`], [`Chain`], [`Scope`],
//! [`Provenance`], [`DeploymentEvent`]) live in [`model`].

pub mod child;
pub mod git;
pub mod model;

// The GitHub API backend (`src/api/`).
pub mod api;

pub use model::{
    Chain, ChainError, CommitId, DEPLOYMENT_SCHEMA, DeployStatus, DeploymentEvent, EnvironmentName,
    PROVENANCE_SCHEMA, Person, Provenance, RecordError, Scope, Service, Stage, StoredEvent,
    event_order,
};

use jiff::Timestamp;
use std::time::Duration;
use vocab::{Classify, ErrorClass};

/// A tag as the repository holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// The short name, without `refs/tags/` (e.g. `qa-84fb5881-20250120-143022`,
    /// or `shop/qa-…` with a service).
    pub name: String,
    /// The object the tag finally points at, after peeling nested tags: a
    /// commit for every tag shipgate writes.
    pub commit: CommitId,
    /// Annotated (with its tag object) or lightweight.
    pub kind: TagKind,
}

impl Tag {
    /// The annotation, if this is an annotated tag.
    pub fn annotation(&self) -> Option<&Annotation> {
        match &self.kind {
            TagKind::Annotated(a) => Some(a),
            TagKind::Lightweight => None,
        }
    }

    /// Whether the tag is lightweight (no tag object, hence no record).
    pub fn is_lightweight(&self) -> bool {
        matches!(self.kind, TagKind::Lightweight)
    }

    /// The tagger date, if annotated and the tag object has one.
    pub fn tagger_date(&self) -> Option<Timestamp> {
        self.annotation().and_then(|a| a.date)
    }
}

/// What kind of tag it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TagKind {
    /// A bare ref to a commit: no tagger, no date, no message.
    Lightweight,
    /// A tag object.
    Annotated(Annotation),
}

/// The tag object of an annotated tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    /// The id of the tag object itself.
    pub object: String,
    /// The tagger line, when present.
    pub tagger: Option<Person>,
    /// The tagger date: when the tag was made (the time it entered its
    /// stage, unless the record says otherwise).
    pub date: Option<Timestamp>,
    /// The full message (for shipgate tags: a human line, then the
    /// provenance JSON; a signature may follow).
    pub message: String,
}

/// A tag as [`Store::list_tags`] returns it: enough to order and filter a
/// stage's tags without reading each one. Read the full tag (message,
/// record) of the candidates with [`Store::read_tags`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListedTag {
    /// The short name, without `refs/tags/`.
    pub name: String,
    /// The object the tag finally points at (peeled).
    pub commit: CommitId,
    /// The tag object's id; `None` for a lightweight tag.
    pub object: Option<String>,
    /// The tagger date of an annotated tag: the time it entered its stage.
    /// `None` for a lightweight tag (or a tag object without a tagger).
    pub date: Option<Timestamp>,
}

impl ListedTag {
    pub fn is_lightweight(&self) -> bool {
        self.object.is_none()
    }
}

/// An annotated tag to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewTag {
    /// Short name, without `refs/tags/`; already checked by the caller.
    pub name: String,
    /// The commit it points at (full id).
    pub commit: CommitId,
    /// The tag message (the provenance record).
    pub message: String,
    /// The tagger date to write (the record's `time`).
    pub time: Timestamp,
}

/// The result of [`Store::create_tag`]. Tags are never moved or deleted: if
/// the name is taken, the tag that stands is read back and returned, and the
/// caller decides whether it agrees with what it wanted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Created {
    /// This call created the tag.
    Created(Tag),
    /// The name was already taken (before, or by a racing writer); this is
    /// the tag that stands.
    AlreadyExists(Tag),
}

impl Created {
    pub fn tag(&self) -> &Tag {
        match self {
            Created::Created(t) | Created::AlreadyExists(t) => t,
        }
    }
    pub fn was_created(&self) -> bool {
        matches!(self, Created::Created(_))
    }
}

/// The result of moving a floating tag (`v1`, `v1.3`): the one kind of tag
/// shipgate moves (semantic-bump `release --floating-tags`). Floating tags
/// are lightweight refs straight at the commit; only that ref is
/// force-updated, and only if it still points where it was read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovedTag {
    /// The short name, without `refs/tags/`.
    pub name: String,
    /// The commit it pointed at before (peeled), `None` if it was new.
    pub previous: Option<CommitId>,
    /// Whether the ref changed (`false`: it already pointed at the commit,
    /// as a lightweight tag).
    pub moved: bool,
}

/// Where tags, commits and deployment events live.
///
/// Every method is one logical request to the repository: backends batch and
/// paginate inside (the git backend with one `ls-remote`/`fetch`, the API
/// backend with GraphQL), so callers never loop per tag.
pub trait Store {
    /// Where the records live, for humans: `git remote origin (URL)`,
    /// `GitHub API OWNER/NAME`.
    fn describe(&self) -> String;

    /// Every tag whose name starts with `prefix` (e.g. `qa-`, `shop/qa-`),
    /// each with its kind, peeled commit and tagger date, in one request
    /// (pagination inside). Names that do not parse as versions are
    /// returned too: the caller ignores and counts them. Order is
    /// unspecified. Messages are not included: read the candidates with
    /// [`Store::read_tags`].
    fn list_tags(&self, prefix: &str) -> Result<Vec<ListedTag>, RepoError>;

    /// Reads the named tags fully, in one round trip where the backend can;
    /// `None` where a tag does not exist. The result has one entry per name,
    /// in order.
    fn read_tags(&self, names: &[&str]) -> Result<Vec<Option<Tag>>, RepoError>;

    /// Reads one tag fully; `None` if it does not exist.
    fn read_tag(&self, name: &str) -> Result<Option<Tag>, RepoError> {
        Ok(self.read_tags(&[name])?.pop().flatten())
    }

    /// Creates an annotated tag, race-safe: never moves or deletes a tag.
    /// When the name is taken, the tag that stands is read back and returned
    /// as [`Created::AlreadyExists`].
    fn create_tag(&self, tag: &NewTag) -> Result<Created, RepoError>;

    /// Resolves a commit given as a full or abbreviated hex id: its full id,
    /// or `None` when the repository has no such commit.
    fn resolve_commit(&self, rev: &str) -> Result<Option<CommitId>, RepoError>;

    /// Appends a deployment event (append-only; never rewrites an earlier
    /// one). Returns it as stored, with its id.
    fn append_event(&self, event: &DeploymentEvent) -> Result<StoredEvent, RepoError>;

    /// The events of a scope (service + stage), newest first (see
    /// [`event_order`]); at most `limit` of them when given.
    fn list_events(
        &self,
        scope: &Scope,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, RepoError>;
}

impl<S: Store + ?Sized> Store for Box<S> {
    fn describe(&self) -> String {
        (**self).describe()
    }
    fn list_tags(&self, prefix: &str) -> Result<Vec<ListedTag>, RepoError> {
        (**self).list_tags(prefix)
    }
    fn read_tags(&self, names: &[&str]) -> Result<Vec<Option<Tag>>, RepoError> {
        (**self).read_tags(names)
    }
    fn read_tag(&self, name: &str) -> Result<Option<Tag>, RepoError> {
        (**self).read_tag(name)
    }
    fn create_tag(&self, tag: &NewTag) -> Result<Created, RepoError> {
        (**self).create_tag(tag)
    }
    fn resolve_commit(&self, rev: &str) -> Result<Option<CommitId>, RepoError> {
        (**self).resolve_commit(rev)
    }
    fn append_event(&self, event: &DeploymentEvent) -> Result<StoredEvent, RepoError> {
        (**self).append_event(event)
    }
    fn list_events(
        &self,
        scope: &Scope,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, RepoError> {
        (**self).list_events(scope, limit)
    }
}

/// What a backend can fail with. The class (and so the exit code) follows
/// from the variant; the hint says what to do.
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    /// A value given to the store is malformed (exit 2).
    #[error("invalid {what} '{value}': expected {expected}")]
    InvalidInput {
        what: &'static str,
        value: String,
        expected: String,
    },

    /// A named thing the caller gave does not exist (a remote, a
    /// repository, a commit a tag should point at). Exit 2: the input names
    /// something that is not there.
    #[error("{what} not found: {name}")]
    NotFound {
        what: &'static str,
        name: String,
        hint: Option<String>,
    },

    /// Not inside a git repository (git backend).
    #[error("not a git repository: {dir}")]
    NotARepository { dir: String },

    /// The repository is shallow or lacks history the operation needs.
    #[error("{detail}")]
    Shallow { detail: String },

    /// A git command failed.
    #[error("`git {command}` failed{}: {stderr}", exit_code_text(*.code))]
    Git {
        command: String,
        code: Option<i32>,
        stderr: String,
    },

    /// A git command did not finish in time; its whole process group was
    /// killed.
    #[error("{}", git_timeout_text(.command, .remote.as_deref(), *.after, .stderr.as_deref()))]
    GitTimeout {
        /// The command, credentials removed (`ls-remote -- URL`).
        command: String,
        /// The remote it talked to (`origin (URL)`, credentials removed);
        /// `None` for a local command.
        remote: Option<String>,
        after: Duration,
        /// What git had printed by then (an excerpt), if anything.
        stderr: Option<String>,
    },

    /// git itself could not be run.
    #[error("cannot run git: {detail}")]
    GitUnavailable { detail: String },

    /// The token or credentials lack a permission (API 403, git push
    /// refused for authentication).
    #[error("permission denied: {action}: {detail}")]
    PermissionDenied {
        /// What was attempted ("create tag qa-…", "read deployments").
        action: String,
        /// The `permissions:` entry that grants it (`contents: write`).
        permission: &'static str,
        detail: String,
    },

    /// A repository rule (ruleset, protected tag) refused the write.
    #[error("a repository rule refused {action}: {detail}")]
    RuleRefused { action: String, detail: String },

    /// No usable credentials (missing or invalid token, no git credentials).
    #[error("not authenticated: {detail}")]
    Unauthenticated { detail: String },

    /// The API's rate limit is exhausted.
    #[error("rate limit exhausted{}: {detail}", reset_text(.reset))]
    RateLimited {
        reset: Option<Timestamp>,
        detail: String,
    },

    /// The GitHub API failed (after retries).
    #[error("GitHub API {request} failed{}: {message}", status_text(*.status))]
    Api {
        request: String,
        status: Option<u16>,
        message: String,
    },

    /// Data read from the repository is not what it must be (an unreadable
    /// tag object, a ref pointing nowhere).
    #[error("unreadable {what}: {detail}")]
    Corrupt { what: String, detail: String },

    /// A local I/O failure (temporary files, spawning).
    #[error("{context}: {source}")]
    Io {
        context: String,
        #[source]
        source: std::io::Error,
    },
}

fn git_timeout_text(
    command: &str,
    remote: Option<&str>,
    after: Duration,
    stderr: Option<&str>,
) -> String {
    let after = vocab::human_duration(after);
    let op = command.split_whitespace().next().unwrap_or("git");
    let mut text = match remote {
        Some(remote) => format!(
            "the git remote {remote} did not answer within {after} (`git {op}` was stopped at the deadline)"
        ),
        None => format!("`git {command}` did not finish within {after}"),
    };
    if let Some(s) = stderr {
        text.push_str("; git printed: ");
        text.push_str(s);
    }
    text
}

fn exit_code_text(code: Option<i32>) -> String {
    match code {
        Some(c) => format!(" (exit {c})"),
        None => " (killed by a signal)".into(),
    }
}

fn status_text(status: Option<u16>) -> String {
    status.map(|s| format!(" (HTTP {s})")).unwrap_or_default()
}

fn reset_text(reset: &Option<Timestamp>) -> String {
    reset
        .map(|t| format!(" until {}", t.strftime("%Y-%m-%dT%H:%M:%SZ")))
        .unwrap_or_default()
}

impl Classify for RepoError {
    fn class(&self) -> ErrorClass {
        match self {
            RepoError::InvalidInput { .. } | RepoError::NotFound { .. } => ErrorClass::Input,
            RepoError::NotARepository { .. }
            | RepoError::Shallow { .. }
            | RepoError::Git { .. }
            | RepoError::GitTimeout { .. }
            | RepoError::GitUnavailable { .. }
            | RepoError::PermissionDenied { .. }
            | RepoError::RuleRefused { .. }
            | RepoError::Unauthenticated { .. }
            | RepoError::RateLimited { .. }
            | RepoError::Api { .. }
            | RepoError::Corrupt { .. }
            | RepoError::Io { .. } => ErrorClass::Environment,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            RepoError::NotFound { hint, .. } => hint.clone(),
            RepoError::NotARepository { .. } => Some(
                "run actions/checkout first, or use --backend api (GITHUB_TOKEN and \
                 GITHUB_REPOSITORY) so no checkout is needed"
                    .into(),
            ),
            RepoError::Shallow { .. } => Some("use actions/checkout with `fetch-depth: 0`".into()),
            RepoError::Git { stderr, .. } => git_hint(stderr),
            RepoError::GitTimeout {
                remote: Some(_), ..
            } => Some(
                "check the remote's URL and that this runner can reach it (network, firewall, \
                 ssh host and port); for a slow but working remote raise --git-timeout \
                 (input git-timeout)"
                    .into(),
            ),
            RepoError::GitTimeout { remote: None, .. } => Some(
                "a local git command hung: check the repository (locks, a very large or \
                 damaged object store)"
                    .into(),
            ),
            RepoError::GitUnavailable { .. } => {
                Some("install git, or use --backend api (no checkout needed)".into())
            }
            RepoError::PermissionDenied { permission, .. } => Some(format!(
                "grant the job `permissions: {permission}` (and pass a token that has it)"
            )),
            RepoError::RuleRefused { .. } => Some(
                "a ruleset or tag protection blocks this ref: allow tag creation for the \
                 token's actor (bypass list), or use a token (GitHub App) that may bypass it"
                    .into(),
            ),
            RepoError::Unauthenticated { .. } => Some(
                "pass a token: `token: ${{ github.token }}` (GITHUB_TOKEN), or keep the \
                 credentials actions/checkout persists"
                    .into(),
            ),
            RepoError::RateLimited { .. } => {
                Some("wait for the reset, or use a token with a larger budget (GitHub App)".into())
            }
            RepoError::InvalidInput { .. }
            | RepoError::Api { .. }
            | RepoError::Corrupt { .. }
            | RepoError::Io { .. } => None,
        }
    }
}

/// What to do about a git failure, from what git printed.
pub fn git_hint(stderr: &str) -> Option<String> {
    let s = stderr.to_ascii_lowercase();
    if s.contains("permission to") && s.contains("denied")
        || s.contains("the requested url returned error: 403")
        || s.contains("write access to repository not granted")
    {
        Some(
            "the credentials may not push: grant the job `permissions: contents: write`, \
             and keep actions/checkout's credentials (persist-credentials) or use \
             --backend api"
                .into(),
        )
    } else if s.contains("could not read username")
        || s.contains("authentication failed")
        || s.contains("terminal prompts disabled")
        || s.contains("returned error: 401")
    {
        Some(
            "git has no credentials for the remote: use actions/checkout (it stores the \
             token), or --backend api with GITHUB_TOKEN"
                .into(),
        )
    } else if s.contains("rule violations")
        || s.contains("protected ref")
        || s.contains("gh013")
        || s.contains("cannot create ref") && (s.contains("ruleset") || s.contains("protected"))
    {
        Some(
            "a repository ruleset or tag protection blocks this ref: let the token's actor \
             bypass it, or use a token that may"
                .into(),
        )
    } else if s.contains("does not appear to be a git repository")
        || s.contains("no such remote")
        || s.contains("repository not found")
    {
        Some("check --remote (a remote name or URL) and that the repository exists".into())
    } else if s.contains("shallow") {
        Some("use actions/checkout with `fetch-depth: 0`".into())
    } else if s.contains("timed out") || s.contains("operation too slow") {
        // ssh's ConnectTimeout and curl's low-speed limit, both set from
        // --git-timeout.
        Some(
            "the remote did not answer in time: check the network and the remote URL; for a \
             slow but working remote raise --git-timeout (input git-timeout)"
                .into(),
        )
    } else if s.contains("could not resolve host")
        || s.contains("connection refused")
        || s.contains("unable to access")
    {
        Some("the remote is unreachable: check the network and the remote URL".into())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes() {
        let git = RepoError::Git {
            command: "push origin".into(),
            code: Some(128),
            stderr: "remote: Permission to o/r.git denied to github-actions[bot].".into(),
        };
        assert_eq!(git.class(), ErrorClass::Environment);
        assert!(git.hint().unwrap().contains("contents: write"));
        assert_eq!(
            git.to_string(),
            "`git push origin` failed (exit 128): remote: Permission to o/r.git denied to github-actions[bot]."
        );
        let missing = RepoError::NotFound {
            what: "commit",
            name: "abc".into(),
            hint: None,
        };
        assert_eq!(missing.class(), ErrorClass::Input);
        let perm = RepoError::PermissionDenied {
            action: "create deployment".into(),
            permission: "deployments: write",
            detail: "Resource not accessible by integration".into(),
        };
        assert_eq!(perm.class(), ErrorClass::Environment);
        assert!(
            perm.hint()
                .unwrap()
                .contains("permissions: deployments: write")
        );
    }

    #[test]
    fn git_hints() {
        assert!(
            git_hint("fatal: could not read Username for 'https://github.com'")
                .unwrap()
                .contains("credentials")
        );
        assert!(
            git_hint("remote: error: GH013: Repository rule violations found for refs/tags/qa-x")
                .unwrap()
                .contains("ruleset")
        );
        assert!(
            git_hint("fatal: 'nope' does not appear to be a git repository")
                .unwrap()
                .contains("--remote")
        );
        assert_eq!(git_hint("something else"), None);
    }
}
