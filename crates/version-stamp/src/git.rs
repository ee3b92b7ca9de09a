//! What version-stamp asks git: the HEAD commit, a short sha resolved to the
//! full one, a commit's committer time, the current branch. Behind a trait
//! so the logic can be tested without a repository; [`GitCli`] runs `git`.

use jiff::Timestamp;
use std::process::{Command, Stdio};

/// The questions version-stamp asks git.
pub trait Git {
    /// The full sha of `HEAD`.
    fn head(&self) -> Result<String, GitError>;
    /// The full sha of the commit `rev` names (an abbreviated sha).
    fn resolve_commit(&self, rev: &str) -> Result<String, GitError>;
    /// The committer time of commit `sha`.
    fn committer_time(&self, sha: &str) -> Result<Timestamp, GitError>;
    /// The current branch name (`HEAD` when detached).
    fn current_branch(&self) -> Result<String, GitError>;
}

/// A git command that did not give an answer.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum GitError {
    #[error("git is not installed (or not on PATH): needed to {purpose}")]
    NotFound { purpose: &'static str },

    #[error("cannot run git to {purpose}: {error}")]
    Spawn {
        purpose: &'static str,
        error: String,
    },

    #[error("`git {args}` failed ({status}) while trying to {purpose}: {stderr}")]
    Failed {
        purpose: &'static str,
        args: String,
        status: String,
        stderr: String,
    },

    #[error(
        "`git {args}` gave an answer version-stamp does not understand while trying to {purpose}: {output:?}"
    )]
    Unexpected {
        purpose: &'static str,
        args: String,
        output: String,
    },
}

impl GitError {
    /// What to do about it.
    pub fn fix(&self) -> String {
        match self {
            GitError::NotFound { .. } => "install git (actions/checkout needs it too), or pass --sha with the full 40-hex commit sha and --time now or an RFC 3339 time".into(),
            GitError::Spawn { .. } => "check that git runs in this job (`git --version`)".into(),
            GitError::Failed {
                stderr, purpose, ..
            } => {
                let s = stderr.to_ascii_lowercase();
                if s.contains("dubious ownership") {
                    "mark the checkout as safe: git config --global --add safe.directory \"$GITHUB_WORKSPACE\"".into()
                } else if s.contains("not a git repository") {
                    "run actions/checkout before this step (or run from inside the repository), or pass --sha with the full 40-hex commit sha".into()
                } else if *purpose == HEAD_PURPOSE {
                    "the repository has no commits yet: commit first, or pass --sha".into()
                } else if *purpose == BRANCH_PURPOSE {
                    "check out a branch, or use a --format without {branch}".into()
                } else if s.contains("ambiguous") {
                    "give --sha more hex digits (or the full 40)".into()
                } else {
                    "the commit is not in this clone: check out with `fetch-depth: 0` (actions/checkout), or check the sha".into()
                }
            }
            GitError::Unexpected { .. } => "check the repository with `git fsck`".into(),
        }
    }
}

const HEAD_PURPOSE: &str = "find the HEAD commit";
const BRANCH_PURPOSE: &str = "find the current branch for {branch}";

/// Runs `git` in the current directory.
#[derive(Debug, Clone, Copy, Default)]
pub struct GitCli;

impl GitCli {
    fn run(&self, purpose: &'static str, args: &[&str]) -> Result<String, GitError> {
        let out = Command::new("git")
            .args(args)
            .stdin(Stdio::null())
            .output()
            .map_err(|e| {
                if e.kind() == std::io::ErrorKind::NotFound {
                    GitError::NotFound { purpose }
                } else {
                    GitError::Spawn {
                        purpose,
                        error: e.to_string(),
                    }
                }
            })?;
        if !out.status.success() {
            let stderr = String::from_utf8_lossy(&out.stderr);
            let stderr = stderr
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join(" / ");
            return Err(GitError::Failed {
                purpose,
                args: args.join(" "),
                status: out
                    .status
                    .code()
                    .map_or_else(|| "killed".to_owned(), |c| format!("exit {c}")),
                stderr: if stderr.is_empty() {
                    "no message".into()
                } else {
                    stderr
                },
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }
}

fn is_full_sha(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

impl Git for GitCli {
    fn head(&self) -> Result<String, GitError> {
        const PURPOSE: &str = HEAD_PURPOSE;
        let args = ["rev-parse", "--verify", "HEAD^{commit}"];
        let out = self.run(PURPOSE, &args)?;
        if is_full_sha(&out) {
            Ok(out)
        } else {
            Err(GitError::Unexpected {
                purpose: PURPOSE,
                args: args.join(" "),
                output: out,
            })
        }
    }

    fn resolve_commit(&self, rev: &str) -> Result<String, GitError> {
        const PURPOSE: &str = "resolve the short sha to a full commit sha";
        let spec = format!("{rev}^{{commit}}");
        let args = ["rev-parse", "--verify", spec.as_str()];
        let out = self.run(PURPOSE, &args)?;
        if is_full_sha(&out) {
            Ok(out)
        } else {
            Err(GitError::Unexpected {
                purpose: PURPOSE,
                args: args.join(" "),
                output: out,
            })
        }
    }

    fn committer_time(&self, sha: &str) -> Result<Timestamp, GitError> {
        const PURPOSE: &str = "read the commit's committer time (--time commit)";
        // Plumbing: unaffected by log.showSignature and other porcelain config.
        let args = ["cat-file", "commit", sha];
        let out = self.run(PURPOSE, &args)?;
        parse_committer_time(&out).ok_or_else(|| GitError::Unexpected {
            purpose: PURPOSE,
            args: args.join(" "),
            output: out.lines().take(6).collect::<Vec<_>>().join("\n"),
        })
    }

    fn current_branch(&self) -> Result<String, GitError> {
        self.run(BRANCH_PURPOSE, &["rev-parse", "--abbrev-ref", "HEAD"])
    }
}

/// The committer time from a raw commit object
/// (`committer Name <email> 1737383422 +0200`).
pub fn parse_committer_time(commit: &str) -> Option<Timestamp> {
    let line = commit
        .lines()
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix("committer "))?;
    let after_email = &line[line.rfind('>')? + 1..];
    let mut fields = after_email.split_whitespace();
    let secs: i64 = fields.next()?.parse().ok()?;
    Timestamp::from_second(secs).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_committer_line() {
        let raw = "tree 4b825dc642cb6eb9a060e54bf8d69288fbee4904\n\
                   author A <a@x> 1000 +0000\n\
                   committer C <c@x> 1737383422 +0200\n\
                   \n\
                   committer <fake> 1 +0000\n";
        assert_eq!(
            parse_committer_time(raw),
            Some("2025-01-20T14:30:22Z".parse().unwrap())
        );
        assert_eq!(
            parse_committer_time("committer odd > name <c@x> 5 +0000\n"),
            Some(Timestamp::from_second(5).unwrap())
        );
        assert_eq!(parse_committer_time("tree x\n"), None);
        assert_eq!(parse_committer_time("committer C <c@x> soon\n"), None);
    }

    #[test]
    fn fixes_follow_git_messages() {
        let failed = |stderr: &str| GitError::Failed {
            purpose: "p",
            args: "rev-parse".into(),
            status: "exit 128".into(),
            stderr: stderr.into(),
        };
        assert!(
            failed("fatal: not a git repository (or any of the parent directories): .git")
                .fix()
                .contains("actions/checkout")
        );
        assert!(
            failed("fatal: detected dubious ownership in repository at '/w'")
                .fix()
                .contains("safe.directory")
        );
        assert!(
            failed("fatal: Needed a single revision")
                .fix()
                .contains("fetch-depth: 0")
        );
        assert!(
            failed("error: short object ID 84fb is ambiguous")
                .fix()
                .contains("more hex digits")
        );
        assert!(
            GitError::NotFound { purpose: "p" }
                .fix()
                .contains("install git")
        );
    }
}
