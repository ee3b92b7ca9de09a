//! The git CLI, as few processes as possible: one `rev-parse`, one
//! `for-each-ref`, and ONE `git log` whose NUL-separated records are parsed
//! as they stream in (no per-commit processes, nothing collected first).

use std::borrow::Cow;
use std::ffi::OsString;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, Stdio};
use std::thread::JoinHandle;
use std::time::Duration;

/// A failure of the git CLI itself.
#[derive(Debug, thiserror::Error)]
pub enum GitError {
    #[error("cannot run git: {0} (is git installed and on PATH?)")]
    Spawn(#[source] io::Error),
    #[error("`git {args}` failed ({status}): {stderr}")]
    Failed {
        args: String,
        status: String,
        stderr: String,
    },
    #[error("`git {args}` printed something unexpected: {what}")]
    Output { args: String, what: String },
    /// The remote did not answer in time: git and its children (ssh) were
    /// killed.
    #[error("`git {args}` got no answer within {} (stopped at the deadline)", gha::cli::human_duration(*.after))]
    Timeout { args: String, after: Duration },
    #[error("reading from `git {args}`: {source}")]
    Read {
        args: String,
        #[source]
        source: io::Error,
    },
}

/// A repository on disk, driven through the git CLI.
#[derive(Debug, Clone)]
pub struct Git {
    dir: PathBuf,
    program: OsString,
}

/// What `rev-parse` says about the clone and the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoState {
    pub shallow: bool,
    /// The commit id `rev` names, or `None` when it names none (an unborn
    /// branch, a typo).
    pub commit: Option<String>,
}

/// A tag and the commit it points at (after peeling one annotated level).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawTag {
    /// Short name (without `refs/tags/`).
    pub name: String,
    /// The commit, or `None` when the tag points at something else.
    pub commit: Option<String>,
}

/// How `git log` should walk.
#[derive(Debug, Clone)]
pub struct LogSpec<'a> {
    /// The commit to start from.
    pub from: &'a str,
    /// Exclude what this commit reaches (the last release).
    pub exclude: Option<&'a str>,
    /// Also print the excluded commits at the edge of the range, marked.
    pub boundary: bool,
    /// Only commits touching these paths (repository-relative).
    pub paths: &'a [String],
}

impl Git {
    /// Git in `dir` (`git -C dir`).
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Git {
            dir: dir.into(),
            program: OsString::from("git"),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    fn command(&self) -> Command {
        let mut c = Command::new(&self.program);
        c.arg("-C")
            .arg(&self.dir)
            .args([
                "-c",
                "core.quotepath=off",
                "-c",
                "log.showSignature=false",
                "-c",
                "color.ui=never",
            ])
            .env("GIT_TERMINAL_PROMPT", "0")
            .env("GIT_OPTIONAL_LOCKS", "0")
            .env_remove("GIT_PAGER")
            .env_remove("PAGER")
            .stdin(Stdio::null());
        c
    }

    /// Runs git and returns stdout; a non-zero exit is an error (with
    /// stderr), except the exit codes listed in `ok_codes`.
    fn run(&self, args: &[&str], ok_codes: &[i32]) -> Result<(i32, String), GitError> {
        let out = self
            .command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map_err(GitError::Spawn)?;
        let code = out.status.code().unwrap_or(-1);
        if !out.status.success() && !ok_codes.contains(&code) {
            return Err(GitError::Failed {
                args: args.join(" "),
                status: out.status.to_string(),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok((code, String::from_utf8_lossy(&out.stdout).into_owned()))
    }

    /// Whether the clone is shallow, and the commit `rev` names — one
    /// process. `Ok(None)` when `dir` is not inside a git repository.
    pub fn state(&self, rev: &str) -> Result<Option<RepoState>, GitError> {
        let spec = format!("{rev}^{{commit}}");
        let args = [
            "rev-parse",
            "--is-shallow-repository",
            "--verify",
            "-q",
            spec.as_str(),
        ];
        let out = self
            .command()
            .args(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .output()
            .map_err(GitError::Spawn)?;
        let stdout = String::from_utf8_lossy(&out.stdout);
        let mut lines = stdout.lines();
        let shallow = match lines.next() {
            Some("true") => true,
            Some("false") => false,
            _ => {
                let stderr = String::from_utf8_lossy(&out.stderr);
                if stderr.contains("not a git repository") {
                    return Ok(None);
                }
                return Err(GitError::Failed {
                    args: args.join(" "),
                    status: out.status.to_string(),
                    stderr: stderr.trim().to_owned(),
                });
            }
        };
        let commit = lines
            .next()
            .map(str::trim)
            .filter(|s| is_object_id(s))
            .map(str::to_owned);
        Ok(Some(RepoState { shallow, commit }))
    }

    /// Every tag, with the commit it points at — one process, no history
    /// walk.
    pub fn tags(&self) -> Result<Vec<RawTag>, GitError> {
        let format =
            "--format=%(refname)%00%(objecttype)%00%(objectname)%00%(*objecttype)%00%(*objectname)";
        let args = ["for-each-ref", format, "refs/tags/"];
        let (_, out) = self.run(&args, &[])?;
        let mut tags = Vec::new();
        for line in out.lines() {
            let mut f = line.split('\0');
            let (Some(name), Some(ty), Some(id), Some(pty), Some(pid)) =
                (f.next(), f.next(), f.next(), f.next(), f.next())
            else {
                return Err(GitError::Output {
                    args: args.join(" "),
                    what: format!("a line without 5 fields: {line:?}"),
                });
            };
            let name = name.strip_prefix("refs/tags/").unwrap_or(name).to_owned();
            let commit = match (ty, pty) {
                ("commit", _) => Some(id.to_owned()),
                ("tag", "commit") => Some(pid.to_owned()),
                _ => None,
            };
            tags.push(RawTag { name, commit });
        }
        Ok(tags)
    }

    /// The tags whose commit `commit` reaches (a history walk: only used
    /// when the cheap path cannot tell).
    pub fn merged_tags(&self, commit: &str, prefix: &str) -> Result<Vec<String>, GitError> {
        let merged = format!("--merged={commit}");
        let pattern = if prefix.is_empty() {
            "refs/tags/".to_owned()
        } else {
            format!("refs/tags/{prefix}*")
        };
        let (_, out) = self.run(
            &[
                "for-each-ref",
                &merged,
                "--format=%(refname)",
                pattern.as_str(),
            ],
            &[],
        )?;
        Ok(out
            .lines()
            .map(|l| l.strip_prefix("refs/tags/").unwrap_or(l).to_owned())
            .collect())
    }

    /// Starts `git log` over a range; read it with [`LogStream::next_record`].
    pub fn log(&self, spec: &LogSpec<'_>) -> Result<LogStream, GitError> {
        let mut args: Vec<String> = vec![
            "log".into(),
            "--no-show-signature".into(),
            "--no-color".into(),
            "-z".into(),
            "--format=%m%H%x00%P%x00%B".into(),
        ];
        if spec.boundary {
            args.push("--boundary".into());
        }
        args.push("--end-of-options".into());
        args.push(spec.from.to_owned());
        if let Some(x) = spec.exclude {
            args.push(format!("^{x}"));
        }
        args.push("--".into());
        for p in spec.paths {
            args.push(format!(":(top){p}"));
        }
        let mut child = self
            .command()
            .args(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .map_err(GitError::Spawn)?;
        let stdout = child.stdout.take().ok_or_else(|| GitError::Output {
            args: args.join(" "),
            what: "no stdout".into(),
        })?;
        let stderr = child.stderr.take().map(drain);
        let args = args.join(" ");
        Ok(LogStream {
            child: Some(child),
            records: RecordReader::new(BufReader::with_capacity(256 * 1024, stdout), args.clone()),
            stderr,
            args,
        })
    }

    /// Whether `ancestor` is reachable from `commit`.
    pub fn is_ancestor(&self, ancestor: &str, commit: &str) -> Result<bool, GitError> {
        let (code, _) = self.run(&["merge-base", "--is-ancestor", ancestor, commit], &[1])?;
        Ok(code == 0)
    }

    /// The URL of a remote, or `None` when there is no such remote.
    pub fn remote_url(&self, remote: &str) -> Result<Option<String>, GitError> {
        let (code, out) = self.run(&["remote", "get-url", "--", remote], &[2, 128])?;
        Ok((code == 0).then(|| out.trim().to_owned()))
    }

    /// The tag names a remote has (`git ls-remote --tags --refs`), within
    /// `limit` (then git's whole process group is killed: ssh too). `token`,
    /// when given, is sent as GitHub's Basic header through the environment
    /// (never on the command line). `user_ssh`: the user chose the ssh
    /// command (`GIT_SSH_COMMAND`, `GIT_SSH`, `core.sshCommand`), so
    /// shipgate's ssh timeouts are not set.
    pub fn remote_tags(
        &self,
        remote: &str,
        token: Option<&str>,
        limit: Duration,
        user_ssh: bool,
    ) -> Result<Vec<String>, GitError> {
        let args = ["ls-remote", "--tags", "--refs", "--", remote];
        let mut cmd = self.command();
        let (config, env) = repo::git::network_limits(limit, user_ssh);
        cmd.args(config).envs(env).args(args);
        if let Some(token) = token {
            let header = format!(
                "AUTHORIZATION: basic {}",
                base64(format!("x-access-token:{token}").as_bytes())
            );
            cmd.env("GIT_CONFIG_COUNT", "1")
                .env("GIT_CONFIG_KEY_0", "http.extraheader")
                .env("GIT_CONFIG_VALUE_0", header);
        }
        let shown = args.join(" ");
        let out = match repo::child::run(cmd, None, limit) {
            Ok(out) => out,
            Err(repo::child::ChildError::Spawn { source, .. }) => {
                return Err(GitError::Spawn(source));
            }
            Err(repo::child::ChildError::TimedOut { after, .. }) => {
                return Err(GitError::Timeout { args: shown, after });
            }
            Err(e) => {
                return Err(GitError::Read {
                    args: shown,
                    source: io::Error::other(e.to_string()),
                });
            }
        };
        if out.code != Some(0) {
            return Err(GitError::Failed {
                args: shown,
                status: out.code.map_or_else(
                    || "killed by a signal".into(),
                    |c| format!("exit status: {c}"),
                ),
                stderr: String::from_utf8_lossy(&out.stderr).trim().to_owned(),
            });
        }
        Ok(String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| l.split('\t').nth(1))
            .map(|r| r.strip_prefix("refs/tags/").unwrap_or(r).to_owned())
            .collect())
    }

    /// Whether `core.sshCommand` is set (the user chose the ssh command).
    pub fn ssh_command_configured(&self) -> bool {
        self.run(&["config", "--get", "core.sshCommand"], &[1])
            .is_ok_and(|(code, out)| code == 0 && !out.trim().is_empty())
    }

    /// The merge base of `rev` with the remote's default branch
    /// (`refs/remotes/<remote>/HEAD`), if the clone knows it.
    pub fn default_branch_base(&self, remote: &str, rev: &str) -> Result<Option<String>, GitError> {
        let head_ref = format!("refs/remotes/{remote}/HEAD");
        let (code, target) = self.run(&["symbolic-ref", "-q", &head_ref], &[1, 128])?;
        if code != 0 {
            return Ok(None);
        }
        let (code, base) = self.run(&["merge-base", target.trim(), rev], &[1])?;
        Ok((code == 0).then(|| base.trim().to_owned()))
    }

    /// The committer time of a commit (Unix seconds).
    pub fn commit_time(&self, commit: &str) -> Result<Option<i64>, GitError> {
        let (code, out) = self.run(
            &[
                "log",
                "-1",
                "--no-show-signature",
                "--format=%ct",
                commit,
                "--",
            ],
            &[128],
        )?;
        Ok((code == 0).then(|| out.trim().parse().ok()).flatten())
    }

    /// The message of a commit named by a (possibly abbreviated) id, or
    /// `None` when the repository holds no such commit.
    pub fn commit_message(&self, id: &str) -> Result<Option<String>, GitError> {
        if !id.bytes().all(|b| b.is_ascii_hexdigit()) || id.len() < 4 {
            return Ok(None);
        }
        let Some(full) = self.resolve(id)? else {
            return Ok(None);
        };
        let (code, out) = self.run(
            &[
                "log",
                "-1",
                "--no-show-signature",
                "--format=%B",
                &full,
                "--",
            ],
            &[128],
        )?;
        Ok((code == 0).then_some(out))
    }

    /// Resolves a revision to a commit id.
    pub fn resolve(&self, rev: &str) -> Result<Option<String>, GitError> {
        let spec = format!("{rev}^{{commit}}");
        let (code, out) = self.run(&["rev-parse", "--verify", "-q", &spec], &[1, 128])?;
        Ok((code == 0).then(|| out.trim().to_owned()))
    }
}

/// One commit from the stream, borrowed from the reader's buffers.
#[derive(Debug)]
pub struct Record<'a> {
    /// An excluded commit at the edge of the range (`--boundary`).
    pub boundary: bool,
    pub sha: &'a str,
    pub parents: usize,
    pub message: Cow<'a, str>,
}

/// Reads `git log -z --format=%m%H%x00%P%x00%B` records from any reader,
/// reusing its buffers (nothing is collected).
pub struct RecordReader<R> {
    r: R,
    args: String,
    head: Vec<u8>,
    parents: Vec<u8>,
    body: Vec<u8>,
}

impl<R: BufRead> RecordReader<R> {
    /// `args` names the command in errors.
    pub fn new(r: R, args: impl Into<String>) -> Self {
        RecordReader {
            r,
            args: args.into(),
            head: Vec::with_capacity(64),
            parents: Vec::with_capacity(128),
            body: Vec::with_capacity(4096),
        }
    }

    fn field(&mut self, which: u8) -> Result<bool, GitError> {
        let buf = match which {
            0 => &mut self.head,
            1 => &mut self.parents,
            _ => &mut self.body,
        };
        buf.clear();
        let n = self.r.read_until(0, buf).map_err(|source| GitError::Read {
            args: self.args.clone(),
            source,
        })?;
        if n == 0 {
            return Ok(false);
        }
        if buf.last() == Some(&0) {
            buf.pop();
        }
        Ok(true)
    }

    /// The next commit, or `None` at the end.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, GitError> {
        if !self.field(0)? {
            return Ok(None);
        }
        if !self.field(1)? || !self.field(2)? {
            return Err(GitError::Output {
                args: self.args.clone(),
                what: "a record cut short".into(),
            });
        }
        let (mark, sha) = match self.head.split_first() {
            Some((m, rest)) => (*m, rest),
            None => (b'>', &[][..]),
        };
        let sha = std::str::from_utf8(sha).ok().filter(|s| is_object_id(s));
        let Some(sha) = sha else {
            return Err(GitError::Output {
                args: self.args.clone(),
                what: format!(
                    "a record that does not start with a commit id: {:?}",
                    String::from_utf8_lossy(&self.head)
                ),
            });
        };
        let parents = self
            .parents
            .split(|b| *b == b' ')
            .filter(|p| !p.is_empty())
            .count();
        Ok(Some(Record {
            boundary: mark == b'-',
            sha,
            parents,
            message: String::from_utf8_lossy(&self.body),
        }))
    }

    /// The reader, for draining.
    fn inner(&mut self) -> &mut R {
        &mut self.r
    }
}

/// A running `git log`, read record by record.
pub struct LogStream {
    child: Option<Child>,
    records: RecordReader<BufReader<ChildStdout>>,
    stderr: Option<JoinHandle<Vec<u8>>>,
    args: String,
}

impl LogStream {
    /// The next commit, or `None` at the end of the range.
    pub fn next_record(&mut self) -> Result<Option<Record<'_>>, GitError> {
        self.records.next_record()
    }

    /// Waits for git and reports its failure, if any.
    pub fn finish(mut self) -> Result<(), GitError> {
        let status = match self.child.take() {
            Some(mut c) => {
                // Drain what is left so git is not stopped by a full pipe.
                let _ = io::copy(self.records.inner(), &mut io::sink());
                c.wait().map_err(|source| GitError::Read {
                    args: self.args.clone(),
                    source,
                })?
            }
            None => return Ok(()),
        };
        let stderr = self
            .stderr
            .take()
            .and_then(|h| h.join().ok())
            .unwrap_or_default();
        if !status.success() {
            return Err(GitError::Failed {
                args: self.args.clone(),
                status: status.to_string(),
                stderr: String::from_utf8_lossy(&stderr).trim().to_owned(),
            });
        }
        Ok(())
    }
}

impl Drop for LogStream {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

/// Reads a pipe to its end on a thread (bounded to 64 KiB kept).
fn drain<R: Read + Send + 'static>(mut r: R) -> JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut kept = Vec::new();
        let mut buf = [0u8; 8192];
        loop {
            match r.read(&mut buf) {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    if kept.len() < 64 * 1024 {
                        kept.extend_from_slice(&buf[..n]);
                    }
                }
            }
        }
        kept
    })
}

/// A full SHA-1 or SHA-256 object id in hex.
pub fn is_object_id(s: &str) -> bool {
    (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit())
}

fn base64(input: &[u8]) -> String {
    use base64::Engine as _;
    base64::engine::general_purpose::STANDARD.encode(input)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_matches_the_rfc_vectors() {
        for (i, o) in [
            ("", ""),
            ("f", "Zg=="),
            ("fo", "Zm8="),
            ("foo", "Zm9v"),
            ("foob", "Zm9vYg=="),
            ("fooba", "Zm9vYmE="),
            ("foobar", "Zm9vYmFy"),
        ] {
            assert_eq!(base64(i.as_bytes()), o);
        }
    }

    #[test]
    fn records_stream_from_any_reader() {
        let a = "a".repeat(40);
        let b = "b".repeat(40);
        let input = format!(">{a}\0{b}\0feat: x\n\nbody\n\0-{b}\0\0root\n\0");
        let mut r = RecordReader::new(input.as_bytes(), "log");
        let first = r.next_record().unwrap().unwrap();
        assert_eq!(
            (first.boundary, first.sha, first.parents),
            (false, a.as_str(), 1)
        );
        assert_eq!(first.message, "feat: x\n\nbody\n");
        let second = r.next_record().unwrap().unwrap();
        assert_eq!((second.boundary, second.parents), (true, 0));
        assert!(r.next_record().unwrap().is_none());
        let cut_input = format!(">{a}\0{b}");
        let mut cut = RecordReader::new(cut_input.as_bytes(), "log");
        assert!(cut.next_record().is_err());
        let mut bad = RecordReader::new(&b"xyz\0\0m\0"[..], "log");
        assert!(bad.next_record().is_err());
    }

    #[test]
    fn object_ids() {
        assert!(is_object_id(&"a".repeat(40)));
        assert!(is_object_id(&"0".repeat(64)));
        assert!(!is_object_id("abc"));
        assert!(!is_object_id(&"g".repeat(40)));
    }
}
