//! Deployment events: parentless commits under
//! `refs/shipgate/deployments/`, numbered by the remote's own sequence.

use super::*;
use crate::RepoError;
use crate::model::{DeploymentEvent, Scope, StoredEvent, event_order};
use jiff::Timestamp;

impl GitStore {
    pub(super) fn push_event(&self, event: &DeploymentEvent) -> Result<StoredEvent, RepoError> {
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

    pub(super) fn events_in(
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

/// How many numbers a write tries before giving up on a crowd of
/// concurrent writers.
pub(super) const SEQUENCE_ATTEMPTS: usize = 24;

/// `seq-000000000042`: sorts like the number, and after every legacy
/// time-based id (`2025…`).
pub(super) fn sequence_id(n: u64) -> String {
    format!("seq-{n:012}")
}

/// The number of a `seq-` id; `None` for a legacy id.
pub(super) fn sequence_of(id: &str) -> Option<u64> {
    id.strip_prefix("seq-")?.parse().ok()
}

/// The id of an event written before the sequence: the UTC time to the
/// nanosecond, then the first 12 digits of the event commit (kept to read
/// old records and in tests).
#[cfg_attr(not(test), allow(dead_code))]
pub(super) fn event_id(time: Timestamp, commit: &str) -> String {
    let t = time.to_zoned(jiff::tz::TimeZone::UTC);
    format!(
        "{}.{:09}Z-{}",
        t.strftime("%Y%m%dT%H%M%S"),
        time.subsec_nanosecond(),
        &commit[..12.min(commit.len())]
    )
}
