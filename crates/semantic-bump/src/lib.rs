//! semantic-bump: the next semantic version from conventional commits.
//!
//! - [`next`] — the highest stable version tag reachable from a commit, the
//!   commits since it (one streaming `git log`), and the decision
//!   ([`decide`]) with its reasons;
//! - [`lint`] — the semantic PR title check and `lint-commits`, sharing the
//!   parser ([`message`]) and the bump rules ([`rules`]) with `next`;
//! - [`changelog`] — Markdown release notes;
//! - [`pr`] — pull requests: the event, the merge queue, the API seam.
//!
//! The library never prints and never reads the environment.

pub mod analysis;
pub mod changelog;
pub mod commits;
pub mod decide;
pub mod git;
pub mod lint;
pub mod message;
pub mod next;
pub mod pattern;
pub mod pr;
pub mod release;
pub mod rules;
pub mod version;

use gha::{Classify, ErrorClass};

pub use analysis::{Analysis, Entry};
pub use decide::{Decision, Labels, Policy, Source};
pub use git::{Git, GitError};
pub use next::{NextOptions, NextReport};
pub use rules::{Bump, Rule};
pub use version::{Channel, TagPrefix};

/// Everything that can stop a command.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{dir} is not inside a git repository")]
    NotARepository { dir: String },

    #[error("'{rev}' does not name a commit{}", if .rev == "HEAD" { " (the repository has no commits yet)" } else { "" })]
    NoCommit { rev: String },

    #[error(
        "this is a shallow clone: the commits since the last release, and the tags, may be missing"
    )]
    Shallow,

    #[error(
        "this clone has no tags, but the remote '{remote}' has {count} (e.g. {example}): a clone without tags would look like a first release"
    )]
    TagsNotFetched {
        remote: String,
        count: usize,
        example: String,
    },

    #[error(
        "this clone has no tags, and asking the remote '{remote}' ({url}) whether it has any failed: {detail}"
    )]
    RemoteUnknown {
        remote: String,
        /// Its URL, credentials removed.
        url: String,
        detail: String,
        /// The remote did not answer within `--git-timeout`.
        timed_out: bool,
    },

    #[error("no tag starts with the prefix '{prefix}', but {count} tag{} look{} like versions: {examples}", if *.count == 1 { "" } else { "s" }, if *.count == 1 { "s" } else { "" })]
    PrefixMismatch {
        prefix: String,
        count: usize,
        examples: String,
        /// The prefix those tags use, if they share one.
        suggestion: Option<String>,
    },

    #[error("the next tag {tag} already exists, on commit {} (not this one, and not in its history){}", short(.commit), if .line.is_empty() { String::new() } else { format!("; the tags of that version line: {}", .line.join(", ")) })]
    NextTagExists {
        tag: String,
        commit: String,
        /// Every tag of the version line (`v1.3.0 on abc1234 (in this
        /// commit's history)`), when known.
        line: Vec<String>,
    },

    #[error("invalid range '{range}': {why}")]
    BadRange { range: String, why: String },

    #[error(transparent)]
    Git(#[from] GitError),

    #[error("{0}")]
    Api(#[from] pr::ApiError),

    #[error("{0}")]
    Event(String),
}

fn short(sha: &str) -> &str {
    &sha[..sha.len().min(7)]
}

impl Classify for Error {
    fn class(&self) -> ErrorClass {
        match self {
            Error::PrefixMismatch { .. } | Error::BadRange { .. } => ErrorClass::Input,
            Error::NoCommit { rev } if rev != "HEAD" => ErrorClass::Input,
            Error::NextTagExists { .. } => ErrorClass::Denied,
            Error::Api(e) => e.class(),
            _ => ErrorClass::Environment,
        }
    }

    fn hint(&self) -> Option<String> {
        Some(match self {
            Error::NotARepository { .. } => {
                "check the repository out first (actions/checkout with fetch-depth: 0)".into()
            }
            Error::NoCommit { rev } if rev == "HEAD" => {
                "commit something first, or check out a branch with history".into()
            }
            Error::NoCommit { .. } => "give a branch, tag or commit id that exists here".into(),
            Error::Shallow => {
                "use `fetch-depth: 0` on actions/checkout (or run `git fetch --unshallow --tags`)"
                    .into()
            }
            Error::TagsNotFetched { .. } => {
                "use `fetch-depth: 0` on actions/checkout, which fetches every tag (or run `git fetch --tags`)"
                    .into()
            }
            Error::RemoteUnknown { timed_out: true, .. } => {
                "check the remote's URL and that this runner can reach it (network, firewall, ssh host and port); for a slow but working remote raise --git-timeout (input git-timeout); or fetch the tags (`fetch-depth: 0` on actions/checkout) so the remote need not be asked".into()
            }
            Error::RemoteUnknown { .. } => {
                "fetch the tags (`fetch-depth: 0` on actions/checkout, or `git fetch --tags`), or give the token so the remote can be asked; for a first release without a remote, remove the remote".into()
            }
            Error::PrefixMismatch { suggestion, .. } => match suggestion {
                Some(p) => format!(
                    "pass --tag-prefix '{p}' if those are your releases, or --initial X.Y.Z to start a new series under this prefix"
                ),
                None => "pass the --tag-prefix your release tags use, or --initial X.Y.Z to start a new series under this prefix".into(),
            },
            // A published release tag is never to be moved or deleted:
            // the ways on leave it where it is.
            Error::NextTagExists { tag, commit, .. } => format!(
                "{tag} is a release already made from {}: leave it where it is. If it is this work's release (a release job that tagged its own bump commit), release from that commit (`--rev {}`) or merge the branch that holds it; to release past it, add a footer `Release-As: X.Y.Z` with a higher version to a commit; to start a separate series, use another --tag-prefix with --initial X.Y.Z",
                short(commit),
                short(commit)
            ),
            Error::BadRange { .. } => "write the range as A..B, such as v1.2.0..HEAD".into(),
            Error::Api(e) => return e.hint(),
            _ => return None,
        })
    }
}
