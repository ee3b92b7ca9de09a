//! Finding every process a `run:` command started, including those that
//! left its process group (`setsid`, a double fork): each command carries
//! an environment tag its descendants inherit, and the processes to kill
//! are those with the tag, those in the command's group, and — closing
//! over them — their children, group members and session members.
//!
//! Linux `/proc`, read by hand: a few fields of `stat` and `environ` are
//! not worth a dependency. Elsewhere nothing is found, and only the
//! process group is killed. A process that clears its environment *and*
//! whose parent already died is not found.

use rustix::process::{Pid, Signal, kill_process};
use std::collections::HashSet;

/// The environment variable every `run:` command (and what it starts)
/// carries.
pub const TAG_VAR: &str = "SHIPGATE_SMOKE_RUN";

/// A tag no other command of any run shares: this process, a counter, the
/// time.
pub fn new_tag() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static NEXT: AtomicU64 = AtomicU64::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    format!("{}-{n}-{nanos}", std::process::id())
}

#[derive(Debug, Clone, Copy)]
struct Proc {
    pid: i32,
    ppid: i32,
    pgrp: i32,
    session: i32,
}

/// Every live (not zombie) process in `/proc`.
fn processes() -> Vec<Proc> {
    let Ok(dir) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let name = e.ok()?.file_name();
        let pid: i32 = name.to_str()?.parse().ok()?;
        let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
        // `pid (comm) state ppid pgrp session …`; comm may hold spaces and
        // parentheses: the fields start after the last `)`.
        let rest = &stat[stat.rfind(')')? + 1..];
        let mut f = rest.split_ascii_whitespace();
        let state = f.next()?;
        if state == "Z" || state == "X" {
            return None;
        }
        Some(Proc {
            pid,
            ppid: f.next()?.parse().ok()?,
            pgrp: f.next()?.parse().ok()?,
            session: f.next()?.parse().ok()?,
        })
    })
    .collect()
}

fn has_tag(pid: i32, entry: &[u8]) -> bool {
    std::fs::read(format!("/proc/{pid}/environ"))
        .is_ok_and(|env| env.split(|&b| b == 0).any(|kv| kv == entry))
}

/// The processes of the command whose process group is `pgid` and whose
/// tag is `tag` (never this process).
fn find(pgid: i32, tag: &str) -> HashSet<i32> {
    let entry = format!("{TAG_VAR}={tag}").into_bytes();
    let me = i32::try_from(std::process::id()).unwrap_or(0);
    let procs: Vec<Proc> = processes()
        .into_iter()
        .filter(|p| p.pid != me && p.pid > 1)
        .collect();
    let mut found: HashSet<i32> = procs
        .iter()
        .filter(|p| p.pgrp == pgid || has_tag(p.pid, &entry))
        .map(|p| p.pid)
        .collect();
    loop {
        let before = found.len();
        for p in &procs {
            if found.contains(&p.ppid) || found.contains(&p.pgrp) || found.contains(&p.session) {
                found.insert(p.pid);
            }
        }
        if found.len() == before {
            return found;
        }
    }
}

/// Kills (SIGKILL) every process of the command, in rounds until none is
/// left (one may fork while a round runs). Returns how many were killed.
pub fn kill_all(pgid: i32, tag: &str) -> usize {
    let mut killed = 0;
    for _ in 0..8 {
        let found = find(pgid, tag);
        if found.is_empty() {
            break;
        }
        for pid in found {
            if let Some(p) = Pid::from_raw(pid) {
                // ESRCH (already gone) is fine.
                if kill_process(p, Signal::KILL).is_ok() {
                    killed += 1;
                }
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    killed
}
