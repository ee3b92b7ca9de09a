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

use crate::child::ChildError;
use crate::model::{CommitId, DeploymentEvent, Person, Scope, StoredEvent, event_order};
use crate::{Annotation, Created, ListedTag, MovedTag, NewTag, RepoError, Store, Tag, TagKind};
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

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
    let d = gha::cli::duration(s)?;
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

/// Every ref of the remote, sorted by name.
#[derive(Debug, Default)]
struct Listing {
    refs: Vec<RemoteRef>,
}

impl Listing {
    fn new(mut refs: Vec<RemoteRef>) -> Self {
        // ls-remote prints refs sorted already.
        if !refs.is_sorted_by(|a, b| a.name <= b.name) {
            refs.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        }
        Listing { refs }
    }

    /// The refs whose name starts with `prefix`, in name order.
    fn with_prefix(&self, prefix: &str) -> &[RemoteRef] {
        let start = self.refs.partition_point(|r| r.name.as_str() < prefix);
        let len = self.refs[start..].partition_point(|r| r.name.starts_with(prefix));
        &self.refs[start..start + len]
    }

    /// The ref named exactly `name`.
    fn get(&self, name: &str) -> Option<&RemoteRef> {
        self.refs
            .binary_search_by(|r| r.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.refs[i])
    }
}

/// One ref as `git ls-remote` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RemoteRef {
    name: String,
    oid: String,
    /// The peeled object for a ref pointing at a tag object.
    peeled: Option<String>,
}

impl RemoteRef {
    /// The object the ref finally points at.
    fn target(&self) -> &str {
        self.peeled.as_deref().unwrap_or(&self.oid)
    }
}

/// A git object as `cat-file --batch` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct RawObject {
    kind: String,
    data: Vec<u8>,
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

    // ── running git ─────────────────────────────────────────────────────

    fn run(&self, args: &[&str], stdin: Option<&[u8]>, op: Op) -> Result<Vec<u8>, RepoError> {
        self.run_env(args, stdin, op, &[])
    }

    fn run_env(
        &self,
        args: &[&str],
        stdin: Option<&[u8]>,
        op: Op,
        env: &[(&str, String)],
    ) -> Result<Vec<u8>, RepoError> {
        let (code, stdout, stderr) = self.exec(args, stdin, op, env)?;
        if code == Some(0) {
            Ok(stdout)
        } else {
            Err(RepoError::Git {
                command: shown_command(args),
                code,
                stderr: excerpt(&String::from_utf8_lossy(&stderr)),
            })
        }
    }

    /// Runs git; returns (exit code, stdout, stderr). `None` as the code:
    /// killed by a signal.
    fn exec(
        &self,
        args: &[&str],
        stdin: Option<&[u8]>,
        op: Op,
        env: &[(&str, String)],
    ) -> Result<Finished, RepoError> {
        let mut cmd = Command::new(&self.git);
        cmd.current_dir(&self.dir)
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GCM_INTERACTIVE", "never")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env("LC_ALL", "C")
            .env("LANGUAGE", "C");
        let deadline = match op {
            Op::Local => self.timeouts.local,
            Op::Network => {
                let (config, net_env) = network_limits(self.timeouts.network, self.user_ssh());
                cmd.args(config).envs(net_env);
                self.timeouts.network
            }
        };
        cmd.args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        match crate::child::run(cmd, stdin, deadline) {
            Ok(out) => Ok((out.code, out.stdout, out.stderr)),
            Err(ChildError::Spawn { source, .. }) => Err(RepoError::GitUnavailable {
                detail: format!("{}: {source}", self.git.display()),
            }),
            Err(ChildError::TimedOut { after, stderr }) => {
                let stderr = String::from_utf8_lossy(&stderr);
                Err(RepoError::GitTimeout {
                    command: shown_command(args),
                    remote: (op == Op::Network).then(|| self.remote_shown()),
                    after,
                    stderr: (!stderr.trim().is_empty()).then(|| excerpt(&stderr)),
                })
            }
            Err(e @ (ChildError::Wait { .. } | ChildError::Ending)) => Err(RepoError::Io {
                context: format!("`git {}`", shown_command(args)),
                source: std::io::Error::other(e.to_string()),
            }),
        }
    }

    // ── reading the remote ──────────────────────────────────────────────

    /// `git ls-remote <remote> <patterns>`, peeled lines folded in.
    fn ls_remote(&self, patterns: &[String]) -> Result<Vec<RemoteRef>, RepoError> {
        let mut args: Vec<&str> = vec!["ls-remote", "--", &self.remote];
        args.extend(patterns.iter().map(String::as_str));
        let out = self.run(&args, None, Op::Network)?;
        Ok(parse_ls_remote(&String::from_utf8_lossy(&out)))
    }

    /// The remote's refs: one `git ls-remote` of everything, kept until
    /// the next write. (`ls-remote` matches patterns on the client, so a
    /// listing by pattern costs a full listing anyway: one listing serves
    /// the deployment events, the stage tags and the tags read.)
    fn listing(&self) -> Result<std::sync::Arc<Listing>, RepoError> {
        let mut slot = self
            .listing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(l) = slot.as_ref() {
            return Ok(l.clone());
        }
        let listed = std::sync::Arc::new(Listing::new(self.ls_remote(&[])?));
        *slot = Some(listed.clone());
        Ok(listed)
    }

    /// Forgets the listing: called before every push, so that whatever is
    /// read after a write (the tag that stands after a refused create)
    /// comes from the remote again.
    fn forget_listing(&self) {
        *self
            .listing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Which of `oids` the local repository has.
    fn present(&self, oids: &[&str]) -> Result<HashSet<String>, RepoError> {
        if oids.is_empty() {
            return Ok(HashSet::new());
        }
        let mut input = String::with_capacity(oids.len() * 41);
        for o in oids {
            input.push_str(o);
            input.push('\n');
        }
        let out = self.run(
            &[
                "cat-file",
                "--batch-check=%(objectname) %(objecttype)",
                "--buffer",
            ],
            Some(input.as_bytes()),
            Op::Local,
        )?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| {
                let (oid, kind) = l.split_once(' ')?;
                (kind != "missing").then(|| oid.to_owned())
            })
            .collect())
    }

    /// Fetches the objects of the given remote refs (names) without
    /// writing any ref.
    fn fetch_pack(&self, wants: &[&str], depth1: bool) -> Result<(), RepoError> {
        if wants.is_empty() {
            return Ok(());
        }
        let mut args = vec!["fetch-pack", "--stdin", "--no-progress", "--thin"];
        if depth1 {
            args.push("--depth=1");
        }
        // fetch-pack takes no `--`: a URL that looks like an option is refused.
        if self.fetch_url.starts_with('-') {
            return Err(RepoError::InvalidInput {
                what: "remote URL",
                value: self.fetch_url.clone(),
                expected: "a URL or a path, not an option".into(),
            });
        }
        args.push(&self.fetch_url);
        let mut input = String::new();
        for w in wants {
            input.push_str(w);
            input.push('\n');
        }
        self.run(&args, Some(input.as_bytes()), Op::Network)
            .map(drop)
            .map_err(|e| match e {
                RepoError::Git { code, stderr, .. } => RepoError::Git {
                    command: format!(
                        "fetch-pack {} ({} refs)",
                        redact_url(&self.fetch_url),
                        wants.len()
                    ),
                    code,
                    stderr,
                },
                other => other,
            })
    }

    /// Makes sure the objects the given refs point at are here: in a
    /// shallow clone, refs whose commit is missing come with `--depth=1`
    /// (that cuts nothing already here); the rest without a depth (only
    /// the tag objects travel).
    fn ensure_objects(&self, refs: &[&RemoteRef]) -> Result<(), RepoError> {
        let wanted: Vec<&str> = refs.iter().map(|r| r.oid.as_str()).collect();
        let here = self.present(&wanted)?;
        let missing: Vec<&RemoteRef> = refs
            .iter()
            .copied()
            .filter(|r| !here.contains(&r.oid))
            .collect();
        self.fetch_missing(&missing)
    }

    /// Fetches the objects of refs known to be missing here (see
    /// [`GitStore::ensure_objects`]).
    fn fetch_missing(&self, missing: &[&RemoteRef]) -> Result<(), RepoError> {
        if missing.is_empty() {
            return Ok(());
        }
        if !self.shallow {
            let names: Vec<&str> = missing.iter().map(|r| r.name.as_str()).collect();
            return self.fetch_pack(&names, false);
        }
        let targets: Vec<&str> = missing.iter().filter_map(|r| r.peeled.as_deref()).collect();
        let targets_here = self.present(&targets)?;
        let (deep, shallow): (Vec<&RemoteRef>, Vec<&RemoteRef>) = missing
            .iter()
            .partition(|r| r.peeled.is_none() || !targets_here.contains(r.target()));
        let deep: Vec<&str> = deep.iter().map(|r| r.name.as_str()).collect();
        let shallow: Vec<&str> = shallow.iter().map(|r| r.name.as_str()).collect();
        self.fetch_pack(&deep, true)?;
        self.fetch_pack(&shallow, false)
    }

    /// Reads objects with one `cat-file --batch`; `None` for missing ones.
    fn read_objects(&self, oids: &[&str]) -> Result<Vec<Option<RawObject>>, RepoError> {
        if oids.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = String::with_capacity(oids.len() * 41);
        for o in oids {
            input.push_str(o);
            input.push('\n');
        }
        let out = self.run(
            &["cat-file", "--batch", "--buffer"],
            Some(input.as_bytes()),
            Op::Local,
        )?;
        parse_batch(&out, oids.len()).map_err(|detail| RepoError::Corrupt {
            what: "git cat-file --batch output".into(),
            detail,
        })
    }

    /// Reads tag objects into tags (`refs` point at tag objects).
    fn read_tag_objects(&self, refs: &[&RemoteRef]) -> Result<Vec<Tag>, RepoError> {
        let oids: Vec<&str> = refs.iter().map(|r| r.oid.as_str()).collect();
        let objects = self.read_objects(&oids)?;
        refs.iter()
            .zip(objects)
            .map(|(r, obj)| {
                let name = short_tag_name(&r.name).to_owned();
                let commit = commit_id(r.target(), &r.name)?;
                match obj {
                    Some(obj) if obj.kind == "tag" => {
                        let raw = parse_tag_object(&obj.data);
                        Ok(Tag {
                            name,
                            commit,
                            kind: TagKind::Annotated(Annotation {
                                object: r.oid.clone(),
                                tagger: raw.tagger.as_ref().map(|(p, _)| p.clone()),
                                date: raw.tagger.map(|(_, t)| t),
                                message: raw.message,
                            }),
                        })
                    }
                    Some(obj) => Err(RepoError::Corrupt {
                        what: format!("tag {name}"),
                        detail: format!("{} is a {}, expected a tag object", r.oid, obj.kind),
                    }),
                    None => Err(RepoError::Corrupt {
                        what: format!("tag {name}"),
                        detail: format!("the tag object {} could not be fetched", r.oid),
                    }),
                }
            })
            .collect()
    }

    /// Pushes `oid` to `refname` on the remote, never forcing. Returns the
    /// porcelain status flag of the ref (`*` new, `=` up to date, `!`
    /// rejected) and git's stderr when the push failed.
    fn push(&self, oid: &str, refname: &str) -> Result<PushResult, RepoError> {
        self.push_with_lease(oid, refname, None)
    }

    /// [`GitStore::push`], or with `lease` (the oid the remote ref must
    /// still have, `""` for "must not exist") a forced update of that one
    /// ref, `--force-with-lease=<ref>:<lease>`.
    fn push_with_lease(
        &self,
        oid: &str,
        refname: &str,
        lease: Option<&str>,
    ) -> Result<PushResult, RepoError> {
        self.forget_listing();
        let spec = format!("{oid}:{refname}");
        let lease_arg = lease.map(|l| format!("--force-with-lease={refname}:{l}"));
        let mut args = vec![
            "-c",
            "push.gpgSign=false",
            "-c",
            "push.followTags=false",
            "push",
            "--porcelain",
            "--no-verify",
            "--no-recurse-submodules",
        ];
        if let Some(l) = &lease_arg {
            args.push(l);
        }
        args.extend(["--", &self.remote, &spec]);
        let (code, stdout, stderr) = self.exec(&args, None, Op::Network, &[])?;
        let stdout = String::from_utf8_lossy(&stdout);
        let flag = stdout.lines().find_map(|l| {
            let mut parts = l.split('\t');
            let flag = parts.next()?;
            let spec = parts.next()?;
            (spec.ends_with(&format!(":{refname}")) && flag.len() == 1)
                .then(|| flag.chars().next().unwrap_or('!'))
        });
        let stderr = String::from_utf8_lossy(&stderr).into_owned();
        Ok(PushResult {
            ok: code == Some(0),
            code,
            flag,
            detail: excerpt(&format!("{stdout}\n{stderr}")),
        })
    }

    /// Points the floating tag `name` (`v1`, `v1.3`) at `commit` on the
    /// remote, as a lightweight tag: the one forced push shipgate makes,
    /// of that ref only, leased on the value just read (a racing mover
    /// makes this fail rather than be overwritten blindly).
    pub fn move_tag(&self, name: &str, commit: &CommitId) -> Result<MovedTag, RepoError> {
        version_stamp::refname::check_tag_name(name).map_err(|e| RepoError::InvalidInput {
            what: "tag name",
            value: name.to_owned(),
            expected: e.to_string(),
        })?;
        check_pattern_safe(name)?;
        let refname = format!("refs/tags/{name}");
        let refs = self.ls_remote(&[refname.clone(), format!("{refname}^{{}}")])?;
        let current = refs.iter().find(|r| r.name == refname);
        let previous = current
            .map(|r| commit_id(r.target(), &r.name))
            .transpose()?;
        if let Some(r) = current
            && r.peeled.is_none()
            && r.oid == commit.as_str()
        {
            return Ok(MovedTag {
                name: name.to_owned(),
                previous,
                moved: false,
            });
        }
        if !self.ensure_commit_here(commit)? {
            return Err(RepoError::NotFound {
                what: "commit",
                name: commit.to_string(),
                hint: Some(format!(
                    "neither this repository nor {} has it: push it first",
                    self.remote
                )),
            });
        }
        let lease = current.map(|r| r.oid.clone()).unwrap_or_default();
        let pushed = self.push_with_lease(commit.as_str(), &refname, Some(&lease))?;
        if !pushed.ok {
            return Err(push_error(&self.remote, &refname, &pushed));
        }
        Ok(MovedTag {
            name: name.to_owned(),
            previous,
            moved: true,
        })
    }

    fn ensure_commit_here(&self, commit: &CommitId) -> Result<bool, RepoError> {
        if !self.present(&[commit.as_str()])?.is_empty() {
            return Ok(true);
        }
        match self.fetch_pack(&[commit.as_str()], self.shallow) {
            Ok(()) => Ok(!self.present(&[commit.as_str()])?.is_empty()),
            Err(RepoError::Git { stderr, .. }) if is_unknown_object(&stderr) => Ok(false),
            Err(e) => Err(e),
        }
    }

    fn git_date_env(&self, time: Timestamp) -> Vec<(&'static str, String)> {
        let who = self.identity();
        let date = format!("@{} +0000", time.as_second());
        vec![
            ("GIT_AUTHOR_NAME", who.name.clone()),
            ("GIT_AUTHOR_EMAIL", who.email.clone()),
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_NAME", who.name.clone()),
            ("GIT_COMMITTER_EMAIL", who.email.clone()),
            ("GIT_COMMITTER_DATE", date),
        ]
    }

    /// Where a scope's events live: by service and stage, whatever
    /// GitHub environment the stage is named after (a ref name cannot hold
    /// every environment name).
    fn events_prefix(scope: &Scope) -> String {
        format!("{DEPLOYMENTS_NAMESPACE}{}/", scope.key())
    }
}

/// A finished git child: exit code (`None`: killed by a signal), stdout,
/// stderr.
type Finished = (Option<i32>, Vec<u8>, Vec<u8>);

#[derive(Debug)]
struct PushResult {
    ok: bool,
    code: Option<i32>,
    flag: Option<char>,
    detail: String,
}

impl Store for GitStore {
    fn describe(&self) -> String {
        format!("git remote {}", self.remote_shown())
    }

    fn list_tags(&self, prefix: &str) -> Result<Vec<ListedTag>, RepoError> {
        check_pattern_safe(prefix)?;
        let full = format!("refs/tags/{prefix}");
        let listing = self.listing()?;
        let refs = listing.with_prefix(&full);
        let mut cache = DateCache::load(&self.cache_path);
        let unknown: Vec<&RemoteRef> = refs
            .iter()
            .filter(|r| r.peeled.is_some() && !cache.contains(&r.oid))
            .collect();
        if !unknown.is_empty() {
            // Read first: the objects usually are here (a checkout that
            // fetched tags, an earlier run); only the missing ones are
            // fetched, then read.
            let oids: Vec<&str> = unknown.iter().map(|r| r.oid.as_str()).collect();
            let mut objects = self.read_objects(&oids)?;
            let missing: Vec<usize> = (0..objects.len())
                .filter(|&i| objects[i].is_none())
                .collect();
            if !missing.is_empty() {
                let refs: Vec<&RemoteRef> = missing.iter().map(|&i| unknown[i]).collect();
                self.fetch_missing(&refs)?;
                let oids: Vec<&str> = refs.iter().map(|r| r.oid.as_str()).collect();
                for (i, obj) in missing.iter().zip(self.read_objects(&oids)?) {
                    objects[*i] = obj;
                }
            }
            for (r, obj) in unknown.iter().zip(objects) {
                let date = match obj {
                    Some(o) if o.kind == "tag" => tagger_date(&o.data),
                    Some(o) => {
                        return Err(RepoError::Corrupt {
                            what: format!("tag {}", short_tag_name(&r.name)),
                            detail: format!("{} is a {}, expected a tag object", r.oid, o.kind),
                        });
                    }
                    None => {
                        return Err(RepoError::Corrupt {
                            what: format!("tag {}", short_tag_name(&r.name)),
                            detail: format!("the tag object {} could not be fetched", r.oid),
                        });
                    }
                };
                cache.insert(r.oid.clone(), date);
            }
            cache.save();
        }
        refs.iter()
            .map(|r| {
                Ok(ListedTag {
                    name: short_tag_name(&r.name).to_owned(),
                    commit: commit_id(r.target(), &r.name)?,
                    object: r.peeled.as_ref().map(|_| r.oid.clone()),
                    date: if r.peeled.is_some() {
                        cache.get(&r.oid)
                    } else {
                        None
                    },
                })
            })
            .collect()
    }

    fn read_tags(&self, names: &[&str]) -> Result<Vec<Option<Tag>>, RepoError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        for n in names {
            check_pattern_safe(n)?;
        }
        let listing = self.listing()?;
        let by_name: HashMap<&str, &RemoteRef> = names
            .iter()
            .filter_map(|n| Some((*n, listing.get(&format!("refs/tags/{n}"))?)))
            .collect();
        let annotated: Vec<&RemoteRef> = names
            .iter()
            .filter_map(|n| by_name.get(n).copied())
            .filter(|r| r.peeled.is_some())
            .collect();
        self.ensure_objects(&annotated)?;
        let mut read: HashMap<String, Tag> = self
            .read_tag_objects(&annotated)?
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        names
            .iter()
            .map(|n| {
                let Some(r) = by_name.get(n) else {
                    return Ok(None);
                };
                if r.peeled.is_some() {
                    Ok(read.remove(*n))
                } else {
                    Ok(Some(Tag {
                        name: (*n).to_owned(),
                        commit: commit_id(&r.oid, &r.name)?,
                        kind: TagKind::Lightweight,
                    }))
                }
            })
            .collect()
    }

    fn create_tag(&self, tag: &NewTag) -> Result<Created, RepoError> {
        version_stamp::refname::check_tag_name(&tag.name).map_err(|e| RepoError::InvalidInput {
            what: "tag name",
            value: tag.name.clone(),
            expected: e.to_string(),
        })?;
        if !self.ensure_commit_here(&tag.commit)? {
            return Err(RepoError::NotFound {
                what: "commit",
                name: tag.commit.to_string(),
                hint: Some(format!(
                    "neither this repository nor {} has it: push it first",
                    self.remote
                )),
            });
        }
        let who = self.identity();
        let body = format!(
            "object {}\ntype commit\ntag {}\ntagger {} <{}> {} +0000\n\n{}",
            tag.commit,
            tag.name,
            clean_ident(&who.name),
            clean_ident(&who.email),
            tag.time.as_second(),
            tag.message
        );
        let oid =
            String::from_utf8_lossy(&self.run(&["mktag"], Some(body.as_bytes()), Op::Local)?)
                .trim()
                .to_owned();
        let refname = format!("refs/tags/{}", tag.name);
        let pushed = self.push(&oid, &refname)?;
        if pushed.ok && pushed.flag != Some('=') {
            let raw = parse_tag_object(body.as_bytes());
            return Ok(Created::Created(Tag {
                name: tag.name.clone(),
                commit: tag.commit.clone(),
                kind: TagKind::Annotated(Annotation {
                    object: oid,
                    tagger: raw.tagger.as_ref().map(|(p, _)| p.clone()),
                    date: raw.tagger.map(|(_, t)| t),
                    message: raw.message,
                }),
            }));
        }
        // Refused (or already there): read back what stands.
        match self.read_tag(&tag.name)? {
            Some(existing) => Ok(Created::AlreadyExists(existing)),
            None => Err(push_error(&self.remote, &refname, &pushed)),
        }
    }

    fn resolve_commit(&self, rev: &str) -> Result<Option<CommitId>, RepoError> {
        let rev = rev.trim();
        if !(4..=64).contains(&rev.len()) || !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(RepoError::InvalidInput {
                what: "commit",
                value: rev.to_owned(),
                expected: "a commit id (4 to 40 hex digits), such as 84fb5881".into(),
            });
        }
        let rev = rev.to_ascii_lowercase();
        let local = |store: &Self| -> Result<Option<CommitId>, RepoError> {
            let spec = format!("{rev}^{{commit}}");
            let (code, out, err) = store.exec(
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    "--end-of-options",
                    &spec,
                ],
                None,
                Op::Local,
                &[],
            )?;
            match code {
                Some(0) => Ok(CommitId::parse(String::from_utf8_lossy(&out).trim()).ok()),
                _ if String::from_utf8_lossy(&err).contains("ambiguous") => {
                    Err(RepoError::InvalidInput {
                        what: "commit",
                        value: rev.clone(),
                        expected: "an unambiguous commit id: give more hex digits".into(),
                    })
                }
                _ => Ok(None),
            }
        };
        if let Some(c) = local(self)? {
            return Ok(Some(c));
        }
        let Ok(full) = CommitId::parse(&rev) else {
            // An abbreviated id cannot be fetched by itself.
            return Ok(None);
        };
        if self.ensure_commit_here(&full)? {
            local(self)
        } else {
            Ok(None)
        }
    }

    fn append_event(&self, event: &DeploymentEvent) -> Result<StoredEvent, RepoError> {
        let tree = String::from_utf8_lossy(&self.run(
            &["hash-object", "-t", "tree", "-w", "--stdin"],
            Some(b""),
            Op::Local,
        )?)
        .trim()
        .to_owned();
        let message = event.to_message();
        let env = self.git_date_env(event.time);
        let commit = String::from_utf8_lossy(&self.run_env(
            &[
                "-c",
                "commit.gpgSign=false",
                "commit-tree",
                &tree,
                "-F",
                "-",
            ],
            Some(message.as_bytes()),
            Op::Local,
            &env,
        )?)
        .trim()
        .to_owned();
        let prefix = Self::events_prefix(&event.scope());
        let mut last = None;
        for attempt in 0..SEQUENCE_ATTEMPTS {
            if attempt > 0 {
                // Racing writers that keep colliding spread out: a pause
                // that grows with the attempt, offset by this event's own
                // commit id (which differs between writers).
                let spread = u64::from_str_radix(commit.get(..4).unwrap_or("0"), 16).unwrap_or(0);
                std::thread::sleep(std::time::Duration::from_millis(
                    10 * attempt as u64 + spread % 40,
                ));
            }
            // The remote as it is now, not as this process last read it.
            self.forget_listing();
            let listing = self.listing()?;
            let there = listing.with_prefix(&prefix);
            if let Some(r) = there.iter().find(|r| r.oid == commit) {
                // This very event is there already (a retried write).
                return Ok(StoredEvent {
                    id: r.name[prefix.len()..].to_owned(),
                    event: event.clone(),
                });
            }
            let next = there
                .iter()
                .filter_map(|r| sequence_of(&r.name[prefix.len()..]))
                .max()
                .map_or(1, |n| n + 1);
            let id = sequence_id(next);
            let refname = format!("{prefix}{id}");
            // Only if the ref does not exist: a concurrent writer that took
            // this number first makes this push fail, and the next round
            // takes the number after it.
            let pushed = self.push_with_lease(&commit, &refname, Some(""))?;
            if pushed.ok {
                return Ok(StoredEvent {
                    id,
                    event: event.clone(),
                });
            }
            // Refused because another writer took the number: try the next.
            // Refused for anything else (credentials, a rule): say so now.
            if self.listing()?.get(&refname).is_none() {
                return Err(push_error(&self.remote, &refname, &pushed));
            }
            last = Some((refname, pushed));
        }
        match last {
            Some((refname, pushed)) => Err(push_error(&self.remote, &refname, &pushed)),
            None => Err(RepoError::Corrupt {
                what: prefix,
                detail: "no attempt was made to write the event".into(),
            }),
        }
    }

    fn list_events(
        &self,
        scope: &Scope,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, RepoError> {
        let prefix = Self::events_prefix(scope);
        let listing = self.listing()?;
        let mut refs: Vec<&RemoteRef> = listing
            .with_prefix(&prefix)
            .iter()
            .filter(|r| {
                r.name
                    .strip_prefix(&prefix)
                    .is_some_and(|id| !id.is_empty() && !id.contains('/'))
            })
            .collect();
        refs.sort_by(|a, b| b.name.cmp(&a.name));
        if let Some(n) = limit {
            refs.truncate(n);
        }
        self.ensure_objects(&refs)?;
        let oids: Vec<&str> = refs.iter().map(|r| r.oid.as_str()).collect();
        let objects = self.read_objects(&oids)?;
        let mut events = Vec::with_capacity(refs.len());
        for (r, obj) in refs.iter().zip(objects) {
            let id = r.name[prefix.len()..].to_owned();
            let unreadable = |detail: String| RepoError::Corrupt {
                what: format!("deployment event {}", r.name),
                detail,
            };
            let obj = obj.ok_or_else(|| unreadable(format!("{} could not be fetched", r.oid)))?;
            if obj.kind != "commit" {
                return Err(unreadable(format!(
                    "{} is a {}, expected a commit",
                    r.oid, obj.kind
                )));
            }
            let message = commit_message(&obj.data);
            let event =
                DeploymentEvent::from_message(&message).map_err(|e| unreadable(e.to_string()))?;
            if !event.scope().same_stage(scope) {
                return Err(unreadable(format!(
                    "it records {} but is filed under {}",
                    event.scope(),
                    scope
                )));
            }
            events.push(StoredEvent { id, event });
        }
        events.sort_by(event_order);
        Ok(events)
    }
}

fn push_error(remote: &str, refname: &str, pushed: &PushResult) -> RepoError {
    RepoError::Git {
        command: format!("push {remote} {refname}"),
        code: pushed.code,
        stderr: pushed.detail.clone(),
    }
}

/// `refs/tags/x` → `x`.
fn short_tag_name(refname: &str) -> &str {
    refname.strip_prefix("refs/tags/").unwrap_or(refname)
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

/// How many numbers a write tries before giving up on a crowd of
/// concurrent writers.
const SEQUENCE_ATTEMPTS: usize = 24;

/// `seq-000000000042`: sorts like the number, and after every legacy
/// time-based id (`2025…`).
fn sequence_id(n: u64) -> String {
    format!("seq-{n:012}")
}

/// The number of a `seq-` id; `None` for a legacy id.
fn sequence_of(id: &str) -> Option<u64> {
    id.strip_prefix("seq-")?.parse().ok()
}

/// The id of an event written before the sequence: the UTC time to the
/// nanosecond, then the first 12 digits of the event commit (kept to read
/// old records and in tests).
#[cfg_attr(not(test), allow(dead_code))]
fn event_id(time: Timestamp, commit: &str) -> String {
    let t = time.to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{}.{:09}Z-{}",
        t.strftime("%Y%m%dT%H%M%S"),
        time.subsec_nanosecond(),
        &commit[..12.min(commit.len())]
    )
}

fn shown_command(args: &[&str]) -> String {
    let mut shown = Vec::new();
    let mut skip_config = false;
    for a in args {
        if skip_config {
            skip_config = false;
            continue;
        }
        if *a == "-c" {
            skip_config = true;
            continue;
        }
        shown.push(redact_url(a));
    }
    shown.join(" ")
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

/// The end of what git printed: the last lines, at most 2000 bytes, with
/// credentials removed.
fn excerpt(text: &str) -> String {
    let lines: Vec<&str> = text
        .lines()
        .map(str::trim_end)
        .filter(|l| !l.trim().is_empty())
        .collect();
    let start = lines.len().saturating_sub(12);
    let mut s = redact_url(&lines[start..].join("\n"));
    if s.len() > 2000 {
        let mut cut = s.len() - 2000;
        while !s.is_char_boundary(cut) {
            cut += 1;
        }
        s = format!("…{}", &s[cut..]);
    }
    if s.is_empty() {
        "(git printed nothing)".into()
    } else {
        s
    }
}

fn is_unknown_object(stderr: &str) -> bool {
    let s = stderr.to_ascii_lowercase();
    s.contains("not our ref")
        || s.contains("no such remote ref")
        || s.contains("couldn't find remote ref")
        || s.contains("unadvertised object")
        || s.contains("not found")
        || s.contains("bad object")
}

// ── parsing git's output ────────────────────────────────────────────────

fn parse_ls_remote(text: &str) -> Vec<RemoteRef> {
    let mut refs: Vec<RemoteRef> = Vec::with_capacity(text.len() / 100);
    // git prints a peeled line right after its ref; the index is only
    // built if one ever is not.
    let mut index: Option<HashMap<String, usize>> = None;
    for line in text.lines() {
        let Some((oid, name)) = line.split_once('\t') else {
            continue;
        };
        if let Some(base) = name.strip_suffix("^{}") {
            let at = match refs.last() {
                Some(last) if last.name == base => Some(refs.len() - 1),
                _ => index
                    .get_or_insert_with(|| {
                        refs.iter()
                            .enumerate()
                            .map(|(i, r)| (r.name.clone(), i))
                            .collect()
                    })
                    .get(base)
                    .copied(),
            };
            if let Some(i) = at {
                refs[i].peeled = Some(oid.to_owned());
            }
            continue;
        }
        if let Some(index) = index.as_mut() {
            index.insert(name.to_owned(), refs.len());
        }
        refs.push(RemoteRef {
            name: name.to_owned(),
            oid: oid.to_owned(),
            peeled: None,
        });
    }
    refs
}

fn parse_batch(out: &[u8], count: usize) -> Result<Vec<Option<RawObject>>, String> {
    let mut objects = Vec::with_capacity(count);
    let mut pos = 0;
    while pos < out.len() {
        let nl = out[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("a header line without its end")?;
        let header = String::from_utf8_lossy(&out[pos..pos + nl]).into_owned();
        pos += nl + 1;
        let parts: Vec<&str> = header.split(' ').collect();
        match parts.as_slice() {
            [_, "missing"] | [_, "ambiguous"] => objects.push(None),
            [_, kind, size] => {
                let size: usize = size.parse().map_err(|_| format!("bad header '{header}'"))?;
                if pos + size > out.len() {
                    return Err(format!("'{header}' runs past the end of the output"));
                }
                objects.push(Some(RawObject {
                    kind: (*kind).to_owned(),
                    data: out[pos..pos + size].to_vec(),
                }));
                pos += size + 1;
            }
            _ => return Err(format!("unexpected line '{header}'")),
        }
    }
    if objects.len() != count {
        return Err(format!("{} objects for {count} requests", objects.len()));
    }
    Ok(objects)
}

#[derive(Debug, Default)]
struct RawTag {
    tagger: Option<(Person, Timestamp)>,
    message: String,
}

fn parse_tag_object(data: &[u8]) -> RawTag {
    let text = String::from_utf8_lossy(data);
    let (headers, message) = match text.split_once("\n\n") {
        Some((h, m)) => (h, m),
        None => (text.as_ref(), ""),
    };
    let tagger = headers
        .lines()
        .find_map(|l| l.strip_prefix("tagger "))
        .and_then(parse_ident)
        .and_then(|(p, t)| t.map(|t| (p, t)));
    RawTag {
        tagger,
        message: message.to_owned(),
    }
}

/// The tagger date of a tag object, from its headers only (the message,
/// often the larger part, is not decoded).
fn tagger_date(data: &[u8]) -> Option<Timestamp> {
    let end = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(data.len());
    let headers = String::from_utf8_lossy(&data[..end]);
    headers
        .lines()
        .find_map(|l| l.strip_prefix("tagger "))
        .and_then(parse_ident)
        .and_then(|(_, t)| t)
}

fn commit_message(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data);
    match text.split_once("\n\n") {
        Some((_, m)) => m.to_owned(),
        None => String::new(),
    }
}

/// `Name <email> 1700000000 +0000` → the person and the time.
fn parse_ident(line: &str) -> Option<(Person, Option<Timestamp>)> {
    let open = line.find('<')?;
    let close = open + line[open..].find('>')?;
    let name = line[..open].trim().to_owned();
    let email = line[open + 1..close].trim().to_owned();
    let mut rest = line[close + 1..].split_whitespace();
    let time = rest
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| Timestamp::from_second(s).ok());
    Some((Person { name, email }, time))
}

// ── the tagger-date cache ───────────────────────────────────────────────

/// Tagger dates by tag object id. A tag object never changes, so an entry
/// never goes stale; a lost or damaged file only costs a re-read.
struct DateCache {
    path: PathBuf,
    map: HashMap<String, Option<i64>>,
    dirty: bool,
}

impl DateCache {
    fn load(path: &Path) -> Self {
        let mut map = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                let Some((oid, date)) = line.split_once(' ') else {
                    continue;
                };
                if !(oid.len() == 40 || oid.len() == 64)
                    || !oid.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    continue;
                }
                let date = match date {
                    "-" => None,
                    d => match d.parse::<i64>() {
                        Ok(s) => Some(s),
                        Err(_) => continue,
                    },
                };
                map.insert(oid.to_owned(), date);
            }
        }
        DateCache {
            path: path.to_owned(),
            map,
            dirty: false,
        }
    }

    fn contains(&self, oid: &str) -> bool {
        self.map.contains_key(oid)
    }

    fn get(&self, oid: &str) -> Option<Timestamp> {
        self.map
            .get(oid)
            .copied()
            .flatten()
            .and_then(|s| Timestamp::from_second(s).ok())
    }

    fn insert(&mut self, oid: String, date: Option<Timestamp>) {
        self.map.insert(oid, date.map(|t| t.as_second()));
        self.dirty = true;
    }

    /// Best effort: a cache that cannot be written is only slower.
    fn save(&self) {
        if !self.dirty {
            return;
        }
        let Some(dir) = self.path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let mut text = String::with_capacity(self.map.len() * 52);
        for (oid, date) in &self.map {
            text.push_str(oid);
            text.push(' ');
            match date {
                Some(s) => text.push_str(&s.to_string()),
                None => text.push('-'),
            }
            text.push('\n');
        }
        let tmp = dir.join(format!(
            ".tag-dates-{}-{}.tmp",
            std::process::id(),
            Timestamp::now().as_nanosecond()
        ));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &self.path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}

#[cfg(test)]
mod tests;
