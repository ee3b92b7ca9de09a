//! `run:` commands: `bash -e -o pipefail -c SCRIPT` in a process group of
//! its own, with vars and captures as environment variables (never as shell
//! text), stdout and stderr kept up to a cap, and the whole group killed on
//! timeout, when the command ends (stragglers), or when the check is
//! cancelled — with every process that left the group (`setsid`), found by
//! [`super::reap`].

use super::reap;
use rustix::process::{Pid, Signal, kill_process_group};
use std::io;
use std::process::Stdio;
use std::time::{Duration, Instant};
use tokio::io::{AsyncRead, AsyncReadExt};

/// The most bytes of stdout (and of stderr) kept.
pub const OUTPUT_CAP: usize = 1024 * 1024;

/// How long the pipes may stay open after the command ended and its
/// group was killed (a process that left the group may hold them).
const PIPE_GRACE: Duration = Duration::from_secs(2);

/// What a command did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandOutput {
    /// The exit code, when it exited (not killed by a signal).
    pub code: Option<i32>,
    /// The signal that killed it, when one did.
    pub signal: Option<i32>,
    /// It ran out of time and was killed.
    pub timed_out: bool,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
    /// Output beyond the cap was dropped.
    pub stdout_truncated: bool,
    pub stderr_truncated: bool,
    pub elapsed: Duration,
}

/// Kills the process group once: when asked, or when dropped (a cancelled
/// check).
struct GroupGuard {
    pgid: Option<Pid>,
    /// The command's [`reap::TAG_VAR`] value.
    tag: String,
    done: std::sync::atomic::AtomicBool,
}

impl GroupGuard {
    fn kill(&self) {
        if let Some(pgid) = self.pgid {
            if !self.done.swap(true, std::sync::atomic::Ordering::SeqCst) {
                // ESRCH (already gone) is fine.
                let _ = kill_process_group(pgid, Signal::KILL);
                reap::kill_all(pgid.as_raw_nonzero().get(), &self.tag);
            }
        }
    }
}

impl Drop for GroupGuard {
    fn drop(&mut self) {
        self.kill();
    }
}

/// Runs `script` with bash. `env` is added to the inherited environment.
/// An `Err` means bash could not be started.
pub async fn run(
    script: &str,
    env: &[(String, String)],
    timeout: Duration,
    cap: usize,
) -> io::Result<CommandOutput> {
    let tag = reap::new_tag();
    let mut cmd = tokio::process::Command::new("bash");
    cmd.arg("-e")
        .arg("-o")
        .arg("pipefail")
        .arg("-c")
        .arg(script)
        .envs(env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
        .env(reap::TAG_VAR, &tag)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .process_group(0)
        .kill_on_drop(true);
    let start = Instant::now();
    let mut child = cmd.spawn()?;
    let guard = GroupGuard {
        pgid: child
            .id()
            .and_then(|id| i32::try_from(id).ok())
            .and_then(Pid::from_raw),
        tag,
        done: std::sync::atomic::AtomicBool::new(false),
    };
    let mut stdout = child.stdout.take();
    let mut stderr = child.stderr.take();
    let (mut out, mut err) = (Capped::new(cap), Capped::new(cap));

    let waiter = async {
        let waited = tokio::time::timeout(timeout, child.wait()).await;
        let elapsed = start.elapsed();
        // On timeout the whole group goes; after a normal exit, whatever it
        // left running in its group goes too.
        guard.kill();
        let status = match waited {
            Ok(status) => (status?, false),
            Err(_) => (child.wait().await?, true),
        };
        Ok::<_, io::Error>((status, elapsed))
    };
    let readers = async {
        let pipes = async {
            tokio::join!(
                read_into(stdout.as_mut(), &mut out),
                read_into(stderr.as_mut(), &mut err)
            )
        };
        // Bounded: the pipes close when the group is gone, unless a process
        // escaped it; then stop reading shortly after the deadline.
        let _ = tokio::time::timeout(timeout + PIPE_GRACE, pipes).await;
    };
    let (waited, ()) = tokio::join!(waiter, readers);
    let ((status, timed_out), elapsed) = waited?;
    use std::os::unix::process::ExitStatusExt;
    Ok(CommandOutput {
        code: status.code(),
        signal: status.signal(),
        timed_out,
        stdout_truncated: out.truncated,
        stderr_truncated: err.truncated,
        stdout: out.buf,
        stderr: err.buf,
        elapsed,
    })
}

/// A buffer that keeps the first `cap` bytes and counts the rest.
struct Capped {
    buf: Vec<u8>,
    cap: usize,
    truncated: bool,
}

impl Capped {
    fn new(cap: usize) -> Self {
        Capped {
            buf: Vec::new(),
            cap,
            truncated: false,
        }
    }
}

/// Reads to EOF, keeping what fits (draining the rest so the writer never
/// blocks on a full pipe).
async fn read_into<R: AsyncRead + Unpin>(pipe: Option<&mut R>, into: &mut Capped) {
    let Some(pipe) = pipe else { return };
    let mut chunk = vec![0u8; 64 * 1024];
    loop {
        match pipe.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => {
                let room = into.cap.saturating_sub(into.buf.len());
                if n > room {
                    into.truncated = true;
                }
                into.buf.extend_from_slice(&chunk[..n.min(room)]);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn captures_output_and_exit_code() {
        let out = runtime()
            .block_on(run(
                "echo out; echo err >&2; exit 3",
                &[],
                Duration::from_secs(10),
                OUTPUT_CAP,
            ))
            .unwrap();
        assert_eq!(out.code, Some(3));
        assert_eq!(out.stdout, b"out\n");
        assert_eq!(out.stderr, b"err\n");
        assert!(!out.timed_out);
    }

    #[test]
    fn errexit_and_pipefail_are_on() {
        let out = runtime()
            .block_on(run(
                "false | true; echo after",
                &[],
                Duration::from_secs(10),
                1024,
            ))
            .unwrap();
        assert_eq!(out.code, Some(1));
        assert_eq!(out.stdout, b"");
    }

    #[test]
    fn env_values_stay_data() {
        let env = vec![("item".to_owned(), "$(echo pwned) `id` ; exit 9".to_owned())];
        let out = runtime()
            .block_on(run(
                "printf '%s' \"$item\"",
                &env,
                Duration::from_secs(10),
                1024,
            ))
            .unwrap();
        assert_eq!(out.code, Some(0));
        assert_eq!(out.stdout, b"$(echo pwned) `id` ; exit 9");
    }

    #[test]
    fn output_is_capped_without_blocking() {
        let out = runtime()
            .block_on(run(
                "head -c 3000000 /dev/zero; echo done >&2",
                &[],
                Duration::from_secs(20),
                1000,
            ))
            .unwrap();
        assert_eq!(out.code, Some(0));
        assert_eq!(out.stdout.len(), 1000);
        assert!(out.stdout_truncated);
        assert_eq!(out.stderr, b"done\n");
    }

    #[test]
    fn timeouts_kill_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let marker = dir.path().join("survived");
        let script = format!("(sleep 2; touch '{}') & sleep 30", marker.display());
        let start = Instant::now();
        let out = runtime()
            .block_on(run(&script, &[], Duration::from_millis(300), 1024))
            .unwrap();
        assert!(out.timed_out);
        assert_eq!(out.code, None);
        assert_eq!(out.signal, Some(9));
        assert!(start.elapsed() < Duration::from_secs(10));
        std::thread::sleep(Duration::from_millis(2500));
        assert!(
            !marker.exists(),
            "a process of the group survived the timeout"
        );
    }

    /// The pids of live processes whose command line is exactly `argv`.
    fn running(argv: &[&str]) -> Vec<i32> {
        let want: Vec<u8> = argv
            .iter()
            .flat_map(|a| [a.as_bytes(), b"\0"].concat())
            .collect();
        std::fs::read_dir("/proc")
            .unwrap()
            .filter_map(|e| {
                let pid: i32 = e.ok()?.file_name().to_str()?.parse().ok()?;
                let cmdline = std::fs::read(format!("/proc/{pid}/cmdline")).ok()?;
                (cmdline == want).then_some(pid)
            })
            .collect()
    }

    /// Waits up to 5 s for no process to run `argv`.
    fn gone(argv: &[&str]) -> bool {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(5) {
            if running(argv).is_empty() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        false
    }

    #[test]
    fn timeouts_kill_what_left_the_group_and_the_session() {
        // Numbers no other test uses, to recognise them in /proc.
        let script = "setsid sleep 300.17 & setsid sh -c 'sleep 300.18 & exit 0'; sleep 30";
        let out = runtime()
            .block_on(run(script, &[], Duration::from_millis(500), 1024))
            .unwrap();
        assert!(out.timed_out);
        for n in ["300.17", "300.18"] {
            let argv = ["sleep", n];
            let left = running(&argv);
            assert!(gone(&argv), "sleep {n} survived the timeout: {left:?}");
        }
    }

    #[test]
    fn stragglers_that_left_the_session_are_killed_after_exit() {
        let out = runtime()
            .block_on(run(
                "setsid sleep 300.19 & sleep 0.3; echo started",
                &[],
                Duration::from_secs(20),
                1024,
            ))
            .unwrap();
        assert_eq!(out.code, Some(0));
        assert!(gone(&["sleep", "300.19"]), "a setsid straggler survived");
    }

    #[test]
    fn stragglers_are_killed_after_exit() {
        let start = Instant::now();
        let out = runtime()
            .block_on(run(
                "sleep 30 & echo started",
                &[],
                Duration::from_secs(20),
                1024,
            ))
            .unwrap();
        assert_eq!(out.code, Some(0));
        assert_eq!(out.stdout, b"started\n");
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "waited for a background process"
        );
    }
}
