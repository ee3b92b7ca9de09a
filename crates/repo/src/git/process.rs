//! Running git: a deadline, a process group of its own, no prompts, the
//! C locale; what git printed, shortened and without credentials.

use super::*;
use crate::RepoError;
use crate::child::ChildError;
use std::process::Command;

impl GitStore {
    pub(super) fn run(
        &self,
        args: &[&str],
        stdin: Option<&[u8]>,
        op: Op,
    ) -> Result<Vec<u8>, RepoError> {
        self.run_env(args, stdin, op, &[])
    }

    pub(super) fn run_env(
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
    pub(super) fn exec(
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
}

/// A finished git child: exit code (`None`: killed by a signal), stdout,
/// stderr.
pub(super) type Finished = (Option<i32>, Vec<u8>, Vec<u8>);

pub(super) fn shown_command(args: &[&str]) -> String {
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

/// The end of what git printed: the last lines, at most 2000 bytes, with
/// credentials removed.
pub(super) fn excerpt(text: &str) -> String {
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

pub(super) fn is_unknown_object(stderr: &str) -> bool {
    let s = stderr.to_ascii_lowercase();
    s.contains("not our ref")
        || s.contains("no such remote ref")
        || s.contains("couldn't find remote ref")
        || s.contains("unadvertised object")
        || s.contains("not found")
        || s.contains("bad object")
}
