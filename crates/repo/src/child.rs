//! Child processes that cannot outlive their deadline, nor us.
//!
//! [`run`] starts a command in a process group of its own (git's children
//! — ssh, remote helpers, credential helpers — join it), and ends the
//! WHOLE group:
//! - at the deadline: SIGTERM, then SIGKILL after [`TERM_GRACE`];
//! - when the run is abandoned (a panic unwinding, an early return): the
//!   guard kills the group when it is dropped;
//! - when we are told to end (SIGINT, SIGTERM, SIGHUP), once the binary
//!   called [`end_children_on_termination`]: every live group is killed,
//!   then we end as the signal asks.
//!
//! A group is only ever signalled while its leader is not yet reaped (the
//! exit is observed with `waitid(WNOWAIT)`), so its id cannot have been
//! reused by an unrelated process.

use std::io::{self, Read, Write};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

/// How long a group has between SIGTERM and SIGKILL at the deadline.
pub const TERM_GRACE: Duration = Duration::from_millis(500);

/// How long the output pipes may stay open after the command ended (a
/// process it left behind may hold them): then the group is killed.
const PIPE_GRACE: Duration = Duration::from_secs(1);

/// What a command did, within its deadline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    /// The exit code; `None` when a signal ended it.
    pub code: Option<i32>,
    pub stdout: Vec<u8>,
    pub stderr: Vec<u8>,
}

/// Why [`run`] has no [`Output`].
#[derive(Debug, thiserror::Error)]
pub enum ChildError {
    /// The program could not be started.
    #[error("cannot start {program}: {source}")]
    Spawn {
        program: String,
        #[source]
        source: io::Error,
    },
    /// The deadline passed; the whole process group was killed.
    #[error("did not finish within {}", vocab::human_duration(*.after))]
    TimedOut {
        after: Duration,
        /// What it had printed on stderr by then.
        stderr: Vec<u8>,
    },
    /// Waiting for it failed.
    #[error("waiting for {program}: {source}")]
    Wait {
        program: String,
        #[source]
        source: io::Error,
    },
    /// We are ending (a termination signal): no new child is started.
    #[error("not started: this process is ending")]
    Ending,
}

/// Runs `cmd` (its stdout and stderr captured, `stdin` written to it, or
/// /dev/null) in a process group of its own, for at most `deadline`.
pub fn run(
    mut cmd: Command,
    stdin: Option<&[u8]>,
    deadline: Duration,
) -> Result<Output, ChildError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let started = Instant::now();
    let mut group = Group::spawn(&mut cmd).map_err(|e| match e {
        SpawnError::Ending => ChildError::Ending,
        SpawnError::Io(source) => ChildError::Spawn {
            program: program.clone(),
            source,
        },
    })?;
    let child = group.child_mut();
    if let (Some(data), Some(mut pipe)) = (stdin, child.stdin.take()) {
        let data = data.to_vec();
        // A child that exits early closes the pipe: not our error.
        std::thread::spawn(move || {
            let _ = pipe.write_all(&data);
        });
    }
    let (pipes_tx, pipes_rx) = mpsc::channel::<(bool, Vec<u8>)>();
    for (is_out, pipe) in [
        (
            true,
            child
                .stdout
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
        (
            false,
            child
                .stderr
                .take()
                .map(|p| Box::new(p) as Box<dyn Read + Send>),
        ),
    ] {
        let tx = pipes_tx.clone();
        std::thread::spawn(move || {
            let mut buf = Vec::new();
            if let Some(mut p) = pipe {
                let _ = p.read_to_end(&mut buf);
            }
            let _ = tx.send((is_out, buf));
        });
    }
    drop(pipes_tx);

    let timed_out = !group.wait_exit(deadline);
    if timed_out {
        group.signal(Sig::Term);
        if !group.wait_exit(TERM_GRACE) {
            group.signal(Sig::Kill);
            // SIGKILL ends it at once (but for a process stuck in the
            // kernel: then `reap` below waits).
            group.wait_exit(Duration::from_secs(10));
        }
    }
    // The pipes close when the group is gone. After a normal exit, what it
    // left running gets until the deadline (at least PIPE_GRACE) to close
    // them; then the group is killed.
    let (mut stdout, mut stderr) = (None, None);
    let mut wait_for = deadline.saturating_sub(started.elapsed()).max(PIPE_GRACE);
    let mut killed = timed_out;
    while stdout.is_none() || stderr.is_none() {
        match pipes_rx.recv_timeout(wait_for) {
            Ok((true, b)) => stdout = Some(b),
            Ok((false, b)) => stderr = Some(b),
            Err(mpsc::RecvTimeoutError::Disconnected) => break,
            Err(mpsc::RecvTimeoutError::Timeout) if !killed => {
                group.signal(Sig::Kill);
                killed = true;
                wait_for = PIPE_GRACE;
            }
            // A process that left the group holds them: give up on them.
            Err(mpsc::RecvTimeoutError::Timeout) => break,
        }
    }
    let status = group.reap().map_err(|source| ChildError::Wait {
        program: program.clone(),
        source,
    })?;
    let stderr = stderr.unwrap_or_default();
    if timed_out {
        return Err(ChildError::TimedOut {
            after: deadline,
            stderr,
        });
    }
    Ok(Output {
        code: status.code(),
        stdout: stdout.unwrap_or_default(),
        stderr,
    })
}

#[derive(Debug, Clone, Copy)]
enum Sig {
    Term,
    Kill,
}

enum SpawnError {
    Ending,
    Io(io::Error),
}

/// A started child leading its own process group: killed with its group
/// when dropped unreaped.
struct Group {
    child: Option<Child>,
    id: u32,
    /// Gets a message when the leader has exited (see `wait_exit`).
    #[cfg(unix)]
    exited: Option<mpsc::Receiver<()>>,
}

impl Group {
    fn spawn(cmd: &mut Command) -> Result<Group, SpawnError> {
        #[cfg(unix)]
        {
            use std::os::unix::process::CommandExt;
            cmd.process_group(0);
        }
        // Registered under the same lock as the spawn, so a termination
        // signal either sees the group or stops the spawn.
        let mut live = registry::lock();
        if live.ending {
            return Err(SpawnError::Ending);
        }
        let child = cmd.spawn().map_err(SpawnError::Io)?;
        let id = child.id();
        live.groups.push(id);
        Ok(Group {
            child: Some(child),
            id,
            #[cfg(unix)]
            exited: None,
        })
    }

    fn child_mut(&mut self) -> &mut Child {
        self.child
            .as_mut()
            .expect("an unreaped group has its child")
    }

    /// Waits up to `timeout` for the leader to exit; whether it did. It is
    /// NOT reaped: its group id stays ours until [`Group::reap`].
    #[cfg(unix)]
    fn wait_exit(&mut self, timeout: Duration) -> bool {
        let id = self.id;
        let exited = self.exited.get_or_insert_with(|| {
            // A thread blocked in waitid(WNOWAIT): the exit is seen at once.
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                wait_exit_unreaped(id);
                let _ = tx.send(());
            });
            rx
        });
        !matches!(
            exited.recv_timeout(timeout),
            Err(mpsc::RecvTimeoutError::Timeout)
        )
    }

    /// Waits up to `timeout` for the child to exit; whether it did (its
    /// open handle keeps its id ours until it is dropped).
    #[cfg(not(unix))]
    fn wait_exit(&mut self, timeout: Duration) -> bool {
        let until = Instant::now() + timeout;
        loop {
            match self.child.as_mut().map(Child::try_wait) {
                Some(Ok(None)) if Instant::now() < until => {
                    std::thread::sleep(Duration::from_millis(5));
                }
                Some(Ok(None)) => return false,
                _ => return true,
            }
        }
    }

    fn signal(&mut self, sig: Sig) {
        if let Some(child) = self.child.as_mut() {
            signal_group(child, self.id, sig);
        }
    }

    /// Waits for the leader and reaps it; the group is no longer ours.
    fn reap(mut self) -> io::Result<ExitStatus> {
        registry::forget(self.id);
        let mut child = self.child.take().expect("reaped once");
        child.wait()
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            signal_group(&mut child, self.id, Sig::Kill);
            registry::forget(self.id);
            let _ = child.wait();
        }
    }
}

#[cfg(unix)]
fn signal_group(_child: &mut Child, id: u32, sig: Sig) {
    use rustix::process::{Pid, Signal, kill_process_group};
    let sig = match sig {
        Sig::Term => Signal::TERM,
        Sig::Kill => Signal::KILL,
    };
    if let Some(pid) = i32::try_from(id).ok().and_then(Pid::from_raw) {
        // ESRCH (already gone) is fine.
        let _ = kill_process_group(pid, sig);
    }
}

#[cfg(not(unix))]
fn signal_group(child: &mut Child, id: u32, _sig: Sig) {
    // The whole tree (/T), by force.
    let _ = Command::new("taskkill")
        .args(["/F", "/T", "/PID", &id.to_string()])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status();
    let _ = child.kill();
}

/// Blocks until the child `id` has exited, leaving it unreaped.
#[cfg(unix)]
fn wait_exit_unreaped(id: u32) {
    use rustix::process::{Pid, WaitId, WaitIdOptions, waitid};
    let Some(pid) = i32::try_from(id).ok().and_then(Pid::from_raw) else {
        return;
    };
    loop {
        match waitid(
            WaitId::Pid(pid),
            WaitIdOptions::EXITED | WaitIdOptions::NOWAIT,
        ) {
            Err(rustix::io::Errno::INTR) => continue,
            // Exited (or reaped already: ECHILD).
            _ => return,
        }
    }
}

/// The process groups of the children running now.
mod registry {
    use std::sync::{Mutex, MutexGuard, PoisonError};

    pub(super) struct Live {
        pub(super) groups: Vec<u32>,
        /// A termination signal came: no new child starts.
        pub(super) ending: bool,
    }

    static LIVE: Mutex<Live> = Mutex::new(Live {
        groups: Vec::new(),
        ending: false,
    });

    pub(super) fn lock() -> MutexGuard<'static, Live> {
        LIVE.lock().unwrap_or_else(PoisonError::into_inner)
    }

    pub(super) fn forget(id: u32) {
        lock().groups.retain(|g| *g != id);
    }
}

/// Kills the process group of every child running now, and refuses to
/// start new ones: for a binary that is about to end.
pub fn kill_all() {
    let mut live = registry::lock();
    live.ending = true;
    for id in std::mem::take(&mut live.groups) {
        #[cfg(unix)]
        {
            use rustix::process::{Pid, Signal, kill_process_group};
            if let Some(pid) = i32::try_from(id).ok().and_then(Pid::from_raw) {
                let _ = kill_process_group(pid, Signal::KILL);
            }
        }
        #[cfg(not(unix))]
        {
            let _ = Command::new("taskkill")
                .args(["/F", "/T", "/PID", &id.to_string()])
                .status();
        }
    }
}

/// For binaries: on SIGINT, SIGTERM or SIGHUP, kill every child's process
/// group ([`kill_all`]), then end as the signal asks (a thread waits for
/// the signals). Without this, a cancelled job's git and ssh would run on.
#[cfg(unix)]
pub fn end_children_on_termination() -> io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("end-children".into())
        .spawn(move || {
            if let Some(sig) = signals.forever().next() {
                kill_all();
                // Ends the process as the signal's default action would.
                let _ = signal_hook::low_level::emulate_default_handler(sig);
                std::process::exit(128 + sig);
            }
        })?;
    Ok(())
}

/// For binaries: see the unix version (Windows ends the process tree
/// itself on Ctrl+C only for console children; nothing to set up).
#[cfg(not(unix))]
pub fn end_children_on_termination() -> io::Result<()> {
    Ok(())
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// Whether a process whose command line holds `marker` is alive (not
    /// a zombie).
    fn alive_with(marker: &str) -> Vec<String> {
        let mut found = Vec::new();
        for entry in std::fs::read_dir("/proc").into_iter().flatten().flatten() {
            let path = entry.path();
            let Ok(cmdline) = std::fs::read(path.join("cmdline")) else {
                continue;
            };
            let cmdline = String::from_utf8_lossy(&cmdline).replace('\0', " ");
            if !cmdline.contains(marker) {
                continue;
            }
            let zombie = std::fs::read_to_string(path.join("stat"))
                .ok()
                .and_then(|s| {
                    s.rsplit_once(')')
                        .map(|(_, r)| r.trim_start().starts_with('Z'))
                })
                .unwrap_or(true);
            if !zombie {
                found.push(cmdline);
            }
        }
        found
    }

    /// A sleep duration no other process uses: it marks the sleepers'
    /// command lines (`sleep 300.<unique>`).
    fn unique_sleep() -> String {
        let n = jiff::Timestamp::now().as_nanosecond().unsigned_abs() % 1_000_000_000;
        format!("300.{}{n:09}", std::process::id())
    }

    #[test]
    fn the_deadline_kills_the_whole_group_grandchildren_too() {
        let sleep = unique_sleep();
        // A grandchild in the background, and the child's own sleep, both
        // far past the deadline.
        let mut cmd = Command::new("sh");
        cmd.args(["-c", &format!("sleep {sleep} & sleep {sleep}")]);
        let started = Instant::now();
        let err = run(cmd, None, Duration::from_millis(300)).unwrap_err();
        assert!(matches!(err, ChildError::TimedOut { .. }), "{err:?}");
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "it waited for the sleepers"
        );
        // Gone, not only the child: the grandchild too.
        let left = alive_with(&sleep);
        assert!(left.is_empty(), "still running: {left:?}");
    }

    #[test]
    fn a_finished_command_gives_its_output_and_code() {
        let mut cmd = Command::new("sh");
        cmd.args(["-c", "cat; echo err >&2; exit 3"]);
        let out = run(cmd, Some(b"in"), Duration::from_secs(60)).unwrap();
        assert_eq!(out.code, Some(3));
        assert_eq!(out.stdout, b"in");
        assert_eq!(out.stderr, b"err\n");
    }

    #[test]
    fn what_a_finished_command_left_in_its_group_holding_the_pipes_is_killed() {
        let sleep = unique_sleep();
        let mut cmd = Command::new("sh");
        // The child exits at once; its background sleeper keeps stdout.
        cmd.args(["-c", &format!("sleep {sleep} & echo done")]);
        // (A deadline the sh surely meets, even on a loaded machine.)
        let out = run(cmd, None, Duration::from_secs(3)).unwrap();
        assert_eq!(out.code, Some(0));
        assert_eq!(out.stdout, b"done\n");
        let left = alive_with(&sleep);
        assert!(left.is_empty(), "still running: {left:?}");
    }

    #[test]
    fn a_missing_program_is_a_spawn_error() {
        let cmd = Command::new("/nonexistent/shipgate-no-such-git");
        let err = run(cmd, None, Duration::from_secs(5)).unwrap_err();
        assert!(matches!(err, ChildError::Spawn { .. }), "{err:?}");
        assert!(err.to_string().contains("shipgate-no-such-git"), "{err}");
    }

    /// What the wrapper costs per git call next to a plain
    /// `Command::output()` (a measurement, not a check):
    /// `cargo test -p repo --release --lib child::tests::wrapper_overhead -- --ignored --nocapture`
    #[test]
    #[ignore = "a measurement"]
    #[allow(clippy::print_stderr)]
    fn wrapper_overhead() {
        const N: u32 = 200;
        let git = || {
            let mut c = Command::new("git");
            c.arg("--version");
            c
        };
        // Warm up (page cache, dynamic loader).
        for _ in 0..10 {
            let _ = git().output();
        }
        let started = Instant::now();
        for _ in 0..N {
            assert!(git().output().unwrap().status.success());
        }
        let plain = started.elapsed() / N;
        let started = Instant::now();
        for _ in 0..N {
            assert_eq!(
                run(git(), None, Duration::from_secs(60)).unwrap().code,
                Some(0)
            );
        }
        let wrapped = started.elapsed() / N;
        eprintln!(
            "git --version: plain output() {plain:?}/call, child::run {wrapped:?}/call, \
             overhead {:?}/call",
            wrapped.saturating_sub(plain)
        );
    }
}
