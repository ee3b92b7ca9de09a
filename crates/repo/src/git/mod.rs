//! The git-CLI backend: tags and deployment events on a git remote.
//!
//! - Reads ask the remote first (`git ls-remote`: names, tag objects and
//!   peeled commits in one round trip), then fetch only the objects the
//!   local repository lacks, with one `git fetch-pack` that writes no ref at
//!   all (the user's tags and branches are never touched), and read them
//!   with one `git cat-file --batch`.
//! - In a shallow clone (actions/checkout's default `fetch-depth: 1`),
//!   commits the repository lacks are fetched with `--depth=1` on their own,
//!   so the history already there is never cut shorter.
//! - Tagger dates are cached by tag object id under
//!   `$GIT_COMMON_DIR/shipgate/` (a tag object never changes), so listing a
//!   stage again costs about one `ls-remote`.
//! - Writes build the object locally (`git mktag`, `git commit-tree`) and
//!   `git push` it as a new ref. A push never forces: a tag that exists on
//!   the remote is read back and returned, never moved.
//! - Deployment events are parentless commits (empty tree, the event as
//!   message) under `refs/shipgate/deployments/<stage>/<id>` (with a
//!   service: `<service>/<stage>/`), the id being the remote's own sequence
//!   `seq-<n>` (12 digits): one more than the highest there at write time,
//!   pushed only if that ref does not exist yet (a lost race takes the next
//!   number). The order of events is the order the remote accepted them,
//!   whatever the writers' clocks say; every event is a new ref, and
//!   nothing is ever rewritten. (Events written before the sequence have
//!   time-based ids, `20250120T143022.000000000Z-<commit>`, and sort
//!   before every `seq-` id.)
//!
//! Every git child runs with a deadline, in a process group of its own
//! that is killed whole at the deadline and when we end ([`crate::child`]),
//! with no terminal prompts and the C locale. Commands that talk to the
//! remote also get git's own stall limits ([`network_limits`]: HTTP low
//! speed, ssh connect and keep-alive timeouts, ssh batch mode). A failure
//! is [`RepoError::Git`] (environment, exit 3) with an excerpt of what git
//! printed; a remote that does not answer in time is
//! [`RepoError::GitTimeout`], naming the remote.

//!
//! Here the store and its options; git children in `process`, reading the
//! remote in `remote` (with the tagger-date cache in `date_cache`), tag
//! reads and writes in `tags`, floating tags in `floating`, deployment
//! events in `events`.

mod date_cache;
mod events;
mod floating;
mod process;
mod remote;
mod tags;

use crate::model::{CommitId, DeploymentEvent, Person, Scope, StoredEvent};
use crate::{Created, ListedTag, NewTag, RepoError, Store, Tag};
use std::path::{Path, PathBuf};
use std::time::Duration;

use date_cache::DateCache;
use process::{excerpt, is_unknown_object};
use remote::{Listing, RemoteRef, commit_message, parse_ident, parse_tag_object, tagger_date};
use tags::{PushResult, push_error, short_tag_name};

/// The namespace deployment events live in on the remote.
pub const DEPLOYMENTS_NAMESPACE: &str = "refs/shipgate/deployments/";

/// How long one git command that talks to the remote may take, unless
/// told otherwise (`--git-timeout`).
pub const DEFAULT_NETWORK_TIMEOUT: Duration = Duration::from_secs(120);

/// How long git commands may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Timeouts {
    /// Each command that talks to the remote (`ls-remote`, `fetch-pack`,
    /// `push`).
    pub network: Duration,
    /// Each local command (`cat-file`, `mktag`, `rev-parse`…).
    pub local: Duration,
}

impl Default for Timeouts {
    fn default() -> Self {
        Timeouts {
            network: DEFAULT_NETWORK_TIMEOUT,
            local: Duration::from_secs(120),
        }
    }
}

impl Timeouts {
    /// `network` for each remote command; local commands keep their own
    /// bound, never shorter than `network`.
    pub fn network(network: Duration) -> Self {
        Timeouts {
            network,
            local: Timeouts::default().local.max(network),
        }
    }
}

/// Parses `--git-timeout`: a duration (`30s`, `2m`, `1m30s`) from 1 s to
/// 6 h.
pub fn parse_git_timeout(s: &str) -> Result<Duration, String> {
    let d = vocab::duration(s)?;
    if !(Duration::from_secs(1)..=Duration::from_secs(6 * 3600)).contains(&d) {
        return Err(format!(
            "invalid git timeout '{}': expected a duration from 1s to 6h, such as 30s or 2m",
            s.trim()
        ));
    }
    Ok(d)
}

/// Whether git talks to the remote (the deadline then names the remote,
/// and git's own stall limits are set).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Local,
    Network,
}

/// The `-c` options and environment that make git itself give up on a
/// stalled remote before `deadline` ends it: HTTP below 1000 bytes/s for
/// half the deadline (at most 30 s), and — unless the user chose the ssh
/// command (`user_ssh`: `GIT_SSH_COMMAND`, `GIT_SSH` or `core.sshCommand`)
/// — ssh with a connect timeout, keep-alives and no prompts
/// (`BatchMode`). `GIT_TERMINAL_PROMPT=0` always.
///
/// HTTP limits go in as `-c` options, so a user's own
/// `GIT_HTTP_LOW_SPEED_*` variables still win.
pub fn network_limits(
    deadline: Duration,
    user_ssh: bool,
) -> (Vec<String>, Vec<(&'static str, String)>) {
    let secs = |d: Duration, lo: u64, hi: u64| d.as_secs().clamp(lo, hi);
    let half = secs(deadline / 2, 1, 30);
    let alive = secs(deadline / 6, 1, 15);
    let config = vec![
        "-c".to_owned(),
        "http.lowSpeedLimit=1000".to_owned(),
        "-c".to_owned(),
        format!("http.lowSpeedTime={half}"),
    ];
    let mut env = vec![("GIT_TERMINAL_PROMPT", "0".to_owned())];
    if !user_ssh {
        env.push((
            "GIT_SSH_COMMAND",
            format!(
                "ssh -o ConnectTimeout={half} -o ServerAliveInterval={alive} \
                 -o ServerAliveCountMax=3 -o BatchMode=yes"
            ),
        ));
    }
    (config, env)
}

/// The git-CLI backend. See the module documentation.
#[derive(Debug)]
pub struct GitStore {
    dir: PathBuf,
    git: PathBuf,
    remote: String,
    /// What `fetch-pack` talks to: the remote's URL.
    fetch_url: String,
    shallow: bool,
    cache_path: PathBuf,
    timeouts: Timeouts,
    /// The user chose the ssh command (`GIT_SSH_COMMAND`, `GIT_SSH`, as
    /// the binary read them): it is left alone.
    user_ssh_env: bool,
    /// `core.sshCommand` is set (read before the first remote command).
    ssh_configured: std::sync::OnceLock<bool>,
    identity: std::sync::OnceLock<Person>,
    /// The remote's refs, listed once (one `ls-remote`) and served to every
    /// read until this store writes (a push clears it, so what is read
    /// after a write is the remote's again).
    listing: std::sync::Mutex<Option<std::sync::Arc<Listing>>>,
}

impl GitStore {
    /// Opens the repository around `dir`, talking to `remote` (a remote's
    /// name, such as `origin`, or a URL).
    pub fn open(dir: impl Into<PathBuf>, remote: &str) -> Result<Self, RepoError> {
        Self::open_with(dir, remote, Timeouts::default())
    }

    /// [`GitStore::open`] with chosen timeouts.
    pub fn open_with(
        dir: impl Into<PathBuf>,
        remote: &str,
        timeouts: Timeouts,
    ) -> Result<Self, RepoError> {
        let dir = dir.into();
        let remote = remote.trim().to_owned();
        if remote.is_empty() || remote.starts_with('-') || remote.contains(['\n', '\r', '\0']) {
            return Err(RepoError::InvalidInput {
                what: "remote",
                value: remote,
                expected: "a remote's name, such as origin, or a URL".into(),
            });
        }
        let mut store = GitStore {
            dir,
            git: PathBuf::from("git"),
            fetch_url: remote.clone(),
            remote,
            shallow: false,
            cache_path: PathBuf::new(),
            timeouts,
            user_ssh_env: false,
            ssh_configured: std::sync::OnceLock::new(),
            identity: std::sync::OnceLock::new(),
            listing: std::sync::Mutex::new(None),
        };
        let out = match store.run(
            &["rev-parse", "--git-common-dir", "--is-shallow-repository"],
            None,
            Op::Local,
        ) {
            Ok(out) => out,
            Err(RepoError::Git { stderr, .. }) if stderr.contains("not a git repository") => {
                return Err(RepoError::NotARepository {
                    dir: store.dir.display().to_string(),
                });
            }
            Err(e) => return Err(e),
        };
        let text = String::from_utf8_lossy(&out);
        let mut lines = text.lines();
        let common = lines.next().unwrap_or(".git");
        store.shallow = lines.next() == Some("true");
        let common = Path::new(common);
        let common = if common.is_absolute() {
            common.to_owned()
        } else {
            store.dir.join(common)
        };
        store.cache_path = common.join("shipgate").join("tag-dates-v1");
        if !looks_like_url(&store.remote) {
            match store.run(
                &["remote", "get-url", "--", &store.remote.clone()],
                None,
                Op::Local,
            ) {
                Ok(url) => {
                    store.fetch_url = String::from_utf8_lossy(&url).trim().to_owned();
                }
                Err(RepoError::Git { .. }) => {
                    let known = store
                        .run(&["remote"], None, Op::Local)
                        .map(|o| {
                            String::from_utf8_lossy(&o)
                                .split_whitespace()
                                .collect::<Vec<_>>()
                                .join(", ")
                        })
                        .unwrap_or_default();
                    return Err(RepoError::NotFound {
                        what: "git remote",
                        name: store.remote.clone(),
                        hint: Some(if known.is_empty() {
                            "this repository has no remotes: pass --remote URL, or use \
                             --backend api"
                                .into()
                        } else {
                            format!("known remotes: {known}; or pass --remote URL")
                        }),
                    });
                }
                Err(e) => return Err(e),
            }
        }
        Ok(store)
    }

    /// Uses another git executable (tests).
    pub fn with_git(mut self, git: impl Into<PathBuf>) -> Self {
        self.git = git.into();
        self
    }

    /// Says that the user chose the ssh command through the environment
    /// (`GIT_SSH_COMMAND` or `GIT_SSH` set): shipgate then does not set
    /// its own (timeouts still apply). The library reads no environment
    /// variable; the binary does.
    pub fn with_user_ssh_command(mut self, set: bool) -> Self {
        self.user_ssh_env = set;
        self
    }

    /// Whether shipgate leaves the ssh command alone: the user chose it
    /// (environment or `core.sshCommand`), or the remote does not use ssh
    /// (then `core.sshCommand` is not even read: one git process less).
    fn user_ssh(&self) -> bool {
        self.user_ssh_env
            || !may_use_ssh(&self.fetch_url)
            || *self.ssh_configured.get_or_init(|| {
                self.exec(
                    &["config", "--get", "core.sshCommand"],
                    None,
                    Op::Local,
                    &[],
                )
                .is_ok_and(|(code, out, _)| code == Some(0) && !out.trim_ascii().is_empty())
            })
    }

    /// The remote as messages name it: `origin (URL)` or the URL, without
    /// credentials.
    fn remote_shown(&self) -> String {
        if self.fetch_url == self.remote {
            redact_url(&self.remote)
        } else {
            format!("{} ({})", self.remote, redact_url(&self.fetch_url))
        }
    }

    /// Whether the local repository is a shallow clone.
    pub fn is_shallow(&self) -> bool {
        self.shallow
    }

    /// The identity written into tags and events: git's own when it has
    /// one, else `github-actions[bot]`.
    pub fn identity(&self) -> &Person {
        self.identity.get_or_init(|| {
            self.run(
                &[
                    "-c",
                    "user.useConfigOnly=true",
                    "var",
                    "GIT_COMMITTER_IDENT",
                ],
                None,
                Op::Local,
            )
            .ok()
            .and_then(|out| parse_ident(String::from_utf8_lossy(&out).trim()))
            .map(|(p, _)| p)
            .filter(|p| !p.name.trim().is_empty() && !p.email.trim().is_empty())
            .unwrap_or_else(Person::github_actions_bot)
        })
    }

    /// Where a scope's events live: by service and stage, whatever
    /// GitHub environment the stage is named after (a ref name cannot hold
    /// every environment name).
    fn events_prefix(scope: &Scope) -> String {
        format!("{DEPLOYMENTS_NAMESPACE}{}/", scope.key())
    }
}

impl Store for GitStore {
    fn describe(&self) -> String {
        format!("git remote {}", self.remote_shown())
    }

    fn list_tags(&self, prefix: &str) -> Result<Vec<ListedTag>, RepoError> {
        self.tags_with_prefix(prefix)
    }

    fn read_tags(&self, names: &[&str]) -> Result<Vec<Option<Tag>>, RepoError> {
        self.tags_named(names)
    }

    fn create_tag(&self, tag: &NewTag) -> Result<Created, RepoError> {
        self.push_new_tag(tag)
    }

    fn resolve_commit(&self, rev: &str) -> Result<Option<CommitId>, RepoError> {
        self.commit_named(rev)
    }

    fn append_event(&self, event: &DeploymentEvent) -> Result<StoredEvent, RepoError> {
        self.push_event(event)
    }

    fn list_events(
        &self,
        scope: &Scope,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, RepoError> {
        self.events_in(scope, limit)
    }
}

fn commit_id(oid: &str, refname: &str) -> Result<CommitId, RepoError> {
    CommitId::parse(oid).map_err(|e| RepoError::Corrupt {
        what: refname.to_owned(),
        detail: e,
    })
}

/// A remote given as a URL or a path, not as a remote's name.
fn looks_like_url(remote: &str) -> bool {
    remote.contains("://")
        || remote.contains(':')
        || remote.starts_with('/')
        || remote.starts_with('.')
        || remote.starts_with('~')
        || remote.contains('\\')
}

/// Whether git may reach `url` through ssh: `ssh://`, `git+ssh://`,
/// `ssh+git://`, or the scp form `host:path` (not a local path, not
/// `file://`, `http(s)://` or `git://`).
fn may_use_ssh(url: &str) -> bool {
    if let Some((scheme, _)) = url.split_once("://") {
        return scheme.to_ascii_lowercase().contains("ssh");
    }
    // scp form: a colon before any slash (git's own rule).
    match (url.find(':'), url.find('/')) {
        (Some(colon), Some(slash)) => colon < slash,
        (Some(_), None) => true,
        _ => false,
    }
}

/// Names used as `ls-remote` patterns must not carry glob characters.
fn check_pattern_safe(s: &str) -> Result<(), RepoError> {
    if s.is_empty()
        || s.contains([
            '*', '?', '[', ']', '\\', '\n', '\r', '\0', ' ', '^', '~', ':',
        ])
        || s.starts_with('-')
    {
        return Err(RepoError::InvalidInput {
            what: "tag name",
            value: s.to_owned(),
            expected: "a tag name or prefix without glob characters, such as qa-".into(),
        });
    }
    Ok(())
}

fn clean_ident(s: &str) -> String {
    s.chars()
        .filter(|c| !matches!(c, '<' | '>' | '\n' | '\r' | '\0'))
        .collect::<String>()
        .trim()
        .to_owned()
}

/// Removes credentials from URLs (`https://user:token@host` → `https://***@host`).
pub fn redact_url(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find("://") {
        let (head, tail) = rest.split_at(i + 3);
        out.push_str(head);
        let end = tail
            .find(|c: char| c == '/' || c.is_whitespace())
            .unwrap_or(tail.len());
        match tail[..end].rfind('@') {
            Some(at) => {
                out.push_str("***");
                out.push_str(&tail[at..end]);
            }
            None => out.push_str(&tail[..end]),
        }
        rest = &tail[end..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests;
