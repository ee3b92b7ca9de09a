//! The gate's logic over an in-memory store (the binary's integration
//! tests run the same against real git remotes).

use super::*;
use crate::verify::SCAN_LIMIT;
use repo::{
    Annotation, CommitId, Created, DeployStatus, DeploymentEvent, ListedTag, NewTag, Provenance,
    RepoError, StoredEvent, Tag, TagKind, event_order,
};
use std::collections::HashMap;
use std::sync::Mutex;
use version_stamp::BuildVersion;

const SHA1: &str = "84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2";
const SHA2: &str = "9a0b1c2d00000000000000000000000000000002";
const SHA3: &str = "1234abcd00000000000000000000000000000003";

#[derive(Default)]
struct MemStore {
    tags: Mutex<HashMap<String, Tag>>,
    events: Mutex<Vec<StoredEvent>>,
    commits: Vec<CommitId>,
    /// Tags a racing writer creates just before ours.
    race: Mutex<Option<Tag>>,
}

impl MemStore {
    fn new() -> Self {
        MemStore {
            commits: [SHA1, SHA2, SHA3]
                .iter()
                .map(|c| CommitId::parse(c).unwrap())
                .collect(),
            ..Default::default()
        }
    }

    fn put(&self, tag: Tag) {
        self.tags.lock().unwrap().insert(tag.name.clone(), tag);
    }
}

impl Store for MemStore {
    fn describe(&self) -> String {
        "memory".into()
    }
    fn list_tags(&self, prefix: &str) -> Result<Vec<ListedTag>, RepoError> {
        Ok(self
            .tags
            .lock()
            .unwrap()
            .values()
            .filter(|t| t.name.starts_with(prefix))
            .map(|t| ListedTag {
                name: t.name.clone(),
                commit: t.commit.clone(),
                object: t.annotation().map(|a| a.object.clone()),
                date: t.tagger_date(),
            })
            .collect())
    }
    fn read_tags(&self, names: &[&str]) -> Result<Vec<Option<Tag>>, RepoError> {
        let tags = self.tags.lock().unwrap();
        Ok(names.iter().map(|n| tags.get(*n).cloned()).collect())
    }
    fn create_tag(&self, tag: &NewTag) -> Result<Created, RepoError> {
        if let Some(racer) = self.race.lock().unwrap().take() {
            self.put(racer);
        }
        let mut tags = self.tags.lock().unwrap();
        if let Some(t) = tags.get(&tag.name) {
            return Ok(Created::AlreadyExists(t.clone()));
        }
        let t = annotated(&tag.name, tag.commit.as_str(), &tag.message, tag.time);
        tags.insert(tag.name.clone(), t.clone());
        Ok(Created::Created(t))
    }
    fn resolve_commit(&self, rev: &str) -> Result<Option<CommitId>, RepoError> {
        Ok(self
            .commits
            .iter()
            .find(|c| c.as_str().starts_with(rev))
            .cloned())
    }
    fn append_event(&self, event: &DeploymentEvent) -> Result<StoredEvent, RepoError> {
        let mut events = self.events.lock().unwrap();
        let stored = StoredEvent {
            id: format!("{:06}", events.len()),
            event: event.clone(),
        };
        events.push(stored.clone());
        Ok(stored)
    }
    fn list_events(
        &self,
        scope: &Scope,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, RepoError> {
        let mut list: Vec<StoredEvent> = self
            .events
            .lock()
            .unwrap()
            .iter()
            .filter(|e| e.event.scope() == *scope)
            .cloned()
            .collect();
        list.sort_by(event_order);
        if let Some(n) = limit {
            list.truncate(n);
        }
        Ok(list)
    }
}

fn timestamp(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn build_version(s: &str) -> BuildVersion {
    s.parse().unwrap()
}

fn stage(s: &str) -> Stage {
    Stage::parse(s).unwrap()
}

fn annotated(name: &str, commit: &str, message: &str, time: Timestamp) -> Tag {
    Tag {
        name: name.into(),
        commit: CommitId::parse(commit).unwrap(),
        kind: TagKind::Annotated(Annotation {
            object: format!("obj-{name}"),
            tagger: None,
            date: Some(time),
            message: message.into(),
        }),
    }
}

fn digest(c: char) -> Digest {
    Digest::parse(&c.to_string().repeat(64)).unwrap()
}

const V1: &str = "84fb5881-20250120-143022";
const V2: &str = "9a0b1c2d-20250121-090000";
const V3: &str = "1234abcd-20250119-080000";

fn gate_at<'s>(store: &'s MemStore, at: &str) -> Gate<'s> {
    Gate::new(store, Chain::default_chain())
        .now(timestamp(at))
        .run(RunInfo {
            run_id: Some(42),
            run_attempt: Some(1),
            run_url: Some("https://github.com/o/r/actions/runs/42/attempts/1".into()),
            workflow: Some("ci".into()),
            actor: Some("octocat".into()),
        })
}

fn built(store: &MemStore, version: &str, d: char, at: &str) {
    let art = Artifact {
        digest: Some(digest(d)),
        id: Some("7".into()),
        note: None,
        image: None,
    };
    let r = gate_at(store, at)
        .create(&stage("build"), &build_version(version), None, &art)
        .unwrap();
    assert!(r.created);
}

#[test]
fn digests() {
    let d = Digest::of_reader(&b""[..]).unwrap();
    assert_eq!(
        d.as_str(),
        "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
    let d = Digest::of_reader(&b"hello\n"[..]).unwrap();
    assert_eq!(
        d.as_str(),
        "sha256:5891b5b522d5df086d0ff0b110fbd9d21bb4fc7163af34d08286a2e846f6be03"
    );
    assert_eq!(
        Digest::parse(&format!(" SHA256:{} ", "AB".repeat(32)))
            .unwrap()
            .as_str(),
        format!("sha256:{}", "ab".repeat(32))
    );
    assert!(
        Digest::parse("sha256:abc")
            .unwrap_err()
            .contains("64 hex digits")
    );
    assert!(Digest::parse("md5:d41d8cd98f00b204e9800998ecf8427e").is_err());
}

#[test]
fn create_records_provenance_and_is_idempotent() {
    let store = MemStore::new();
    built(&store, V1, 'a', "2025-01-20T14:35:00Z");
    let tag = store
        .read_tag("build-84fb5881-20250120-143022")
        .unwrap()
        .unwrap();
    let record = Provenance::from_message(&tag.annotation().unwrap().message).unwrap();
    assert_eq!(record.commit.as_str(), SHA1);
    assert_eq!(
        record.artifact_digest.as_deref(),
        Some(digest('a').as_str())
    );
    assert_eq!(record.run_id, Some(42));
    assert_eq!(record.time, timestamp("2025-01-20T14:35:00Z"));
    assert_eq!(record.promoted_from, None);
    // Same commit, same digest: fine, created=false.
    let art = Artifact {
        digest: Some(digest('a')),
        ..Default::default()
    };
    let again = gate_at(&store, "2025-01-20T15:00:00Z")
        .create(&stage("build"), &build_version(V1), Some(SHA1), &art)
        .unwrap();
    assert!(!again.created);
    assert_eq!(
        again.record.unwrap().time,
        timestamp("2025-01-20T14:35:00Z")
    );
    // Another digest: refused.
    let art = Artifact {
        digest: Some(digest('b')),
        ..Default::default()
    };
    let err = gate_at(&store, "2025-01-20T15:00:00Z")
        .create(&stage("build"), &build_version(V1), None, &art)
        .unwrap_err();
    assert!(matches!(err, GateError::DigestMismatch { .. }), "{err}");
    assert_eq!(err.class(), ErrorClass::Denied);
    // A --sha that is not the version's commit: refused.
    let err = gate_at(&store, "2025-01-20T15:00:00Z")
        .create(
            &stage("build"),
            &build_version(V1),
            Some(SHA2),
            &Artifact::default(),
        )
        .unwrap_err();
    assert!(
        matches!(err, GateError::VersionCommitMismatch { .. }),
        "{err}"
    );
    // Not the first stage.
    let err = gate_at(&store, "2025-01-20T15:00:00Z")
        .create(&stage("qa"), &build_version(V1), None, &Artifact::default())
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Input);
    assert!(
        err.hint().unwrap().contains("tag-gate promote --to qa"),
        "{:?}",
        err.hint()
    );
    // A version whose commit nobody has.
    let err = gate_at(&store, "2025-01-20T15:00:00Z")
        .create(
            &stage("build"),
            &build_version("ffffffff-20250120-143022"),
            None,
            &Artifact::default(),
        )
        .unwrap_err();
    assert!(matches!(err, GateError::CommitNotFound { .. }), "{err}");
}

#[test]
fn an_existing_tag_on_another_commit_is_refused() {
    let store = MemStore::new();
    store.put(annotated(
        "build-84fb5881-20250120-143022",
        SHA2,
        "x\n",
        timestamp("2025-01-20T14:35:00Z"),
    ));
    let err = gate_at(&store, "2025-01-20T15:00:00Z")
        .create(
            &stage("build"),
            &build_version(V1),
            None,
            &Artifact::default(),
        )
        .unwrap_err();
    assert!(matches!(err, GateError::TagOnOtherCommit { .. }), "{err}");
}

#[test]
fn the_whole_chain() {
    let store = MemStore::new();
    built(&store, V1, 'a', "2025-01-20T14:35:00Z");
    // Prod without QA.
    let err = gate_at(&store, "2025-01-21T10:00:00Z")
        .promote(&stage("prod"), &build_version(V1), &Artifact::default())
        .unwrap_err();
    match &err {
        GateError::NotPassed {
            tag, fix, passing, ..
        } => {
            assert_eq!(tag, "qa-84fb5881-20250120-143022");
            assert_eq!(
                fix,
                "tag-gate promote --to qa --version 84fb5881-20250120-143022"
            );
            assert!(passing.is_empty());
        }
        other => panic!("{other}"),
    }
    assert!(
        err.to_string().contains("no version passes qa yet"),
        "{err}"
    );
    // QA, with the build's digest.
    let art = Artifact {
        digest: Some(digest('a')),
        ..Default::default()
    };
    let qa = gate_at(&store, "2025-01-21T10:00:00Z")
        .promote(&stage("qa"), &build_version(V1), &art)
        .unwrap();
    assert!(qa.created);
    let record = qa.record.unwrap();
    assert_eq!(
        record.promoted_from.as_deref(),
        Some("build-84fb5881-20250120-143022")
    );
    assert_eq!(
        record.artifact_digest.as_deref(),
        Some(digest('a').as_str())
    );
    assert_eq!(record.artifact_id.as_deref(), Some("7"));
    // A wrong digest at prod.
    let bad = Artifact {
        digest: Some(digest('b')),
        ..Default::default()
    };
    let err = gate_at(&store, "2025-01-22T10:00:00Z")
        .promote(&stage("prod"), &build_version(V1), &bad)
        .unwrap_err();
    assert!(matches!(err, GateError::DigestMismatch { .. }), "{err}");
    let prod = gate_at(&store, "2025-01-22T10:00:00Z")
        .promote(&stage("prod"), &build_version(V1), &art)
        .unwrap();
    assert!(prod.created);
    assert_eq!(prod.checked.len(), 2);
    // Re-running is idempotent.
    let again = gate_at(&store, "2025-01-22T11:00:00Z")
        .promote(&stage("prod"), &build_version(V1), &art)
        .unwrap();
    assert!(!again.created);
    assert!(!again.raced);
    assert_eq!(
        again.record.unwrap().time,
        timestamp("2025-01-22T10:00:00Z")
    );
    // require / show
    let req = gate_at(&store, "2025-01-23T00:00:00Z")
        .require(&stage("prod"), &build_version(V1))
        .unwrap();
    assert_eq!(req.checked.tag.commit.as_str(), SHA1);
    // Promote to the first stage or a stage not in the chain.
    let err = gate_at(&store, "2025-01-23T00:00:00Z")
        .promote(&stage("build"), &build_version(V1), &art)
        .unwrap_err();
    assert_eq!(err.class(), ErrorClass::Input);
    let err = gate_at(&store, "2025-01-23T00:00:00Z")
        .promote(&stage("staging"), &build_version(V1), &art)
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("'staging' is not a stage of build,qa,prod")
    );
}

#[test]
fn a_lost_race_reports_the_record_that_stands() {
    let store = MemStore::new();
    built(&store, V1, 'a', "2025-01-20T14:35:00Z");
    let mut racer_record = Provenance::from_message(
        &store
            .read_tag("build-84fb5881-20250120-143022")
            .unwrap()
            .unwrap()
            .annotation()
            .unwrap()
            .message,
    )
    .unwrap();
    racer_record.stage = stage("qa");
    racer_record.run_id = Some(99);
    racer_record.promoted_from = Some("build-84fb5881-20250120-143022".into());
    let name = "qa-84fb5881-20250120-143022";
    *store.race.lock().unwrap() = Some(annotated(
        name,
        SHA1,
        &racer_record.to_message(name),
        timestamp("2025-01-21T09:59:59Z"),
    ));
    let r = gate_at(&store, "2025-01-21T10:00:00Z")
        .promote(&stage("qa"), &build_version(V1), &Artifact::default())
        .unwrap();
    assert!(!r.created);
    assert!(r.raced);
    assert_eq!(r.record.unwrap().run_id, Some(99));
}

#[test]
fn unverifiable_tags_fail_closed() {
    let store = MemStore::new();
    let lightweight = Tag {
        name: "qa-84fb5881-20250120-143022".into(),
        commit: CommitId::parse(SHA1).unwrap(),
        kind: TagKind::Lightweight,
    };
    store.put(lightweight);
    let err = gate_at(&store, "2025-01-21T10:00:00Z")
        .require(&stage("qa"), &build_version(V1))
        .unwrap_err();
    assert!(
        matches!(
            err,
            GateError::Unverified {
                flaw: Flaw::Lightweight,
                ..
            }
        ),
        "{err}"
    );
    assert!(err.to_string().contains("lightweight"));
    let ok = gate_at(&store, "2025-01-21T10:00:00Z")
        .allow_unverified(true)
        .require(&stage("qa"), &build_version(V1))
        .unwrap();
    assert_eq!(ok.checked.flaw, Some(Flaw::Lightweight));
    assert!(ok.warnings[0].contains("--allow-unverified"));

    // No record in the message.
    store.put(annotated(
        "qa-9a0b1c2d-20250121-090000",
        SHA2,
        "hand made\n",
        timestamp("2025-01-21T10:00:00Z"),
    ));
    let err = gate_at(&store, "2025-01-21T10:00:00Z")
        .require(&stage("qa"), &build_version(V2))
        .unwrap_err();
    assert!(
        matches!(
            err,
            GateError::Unverified {
                flaw: Flaw::Unreadable(_),
                ..
            }
        ),
        "{err}"
    );

    // A commit that does not start with the version's short sha.
    built(&store, V3, 'c', "2025-01-19T08:05:00Z");
    let tag = store
        .read_tag("build-1234abcd-20250119-080000")
        .unwrap()
        .unwrap();
    let mut record = Provenance::from_message(&tag.annotation().unwrap().message).unwrap();
    record.commit = CommitId::parse(SHA2).unwrap();
    let name = "build-1234abcd-20250119-080000";
    store.put(annotated(
        name,
        SHA2,
        &record.to_message(name),
        timestamp("2025-01-19T08:05:00Z"),
    ));
    let err = gate_at(&store, "2025-01-21T10:00:00Z")
        .require(&stage("build"), &build_version(V3))
        .unwrap_err();
    assert!(
        matches!(
            err,
            GateError::Unverified {
                flaw: Flaw::ShortSha { .. },
                ..
            }
        ),
        "{err}"
    );

    // A record that names another version.
    built(&store, V2, 'b', "2025-01-21T09:05:00Z");
    let other = store
        .read_tag("build-9a0b1c2d-20250121-090000")
        .unwrap()
        .unwrap();
    let forged = "build-84fb5881-20250120-143022";
    let msg = other.annotation().unwrap().message.clone();
    store.put(annotated(
        forged,
        SHA1,
        &msg,
        timestamp("2025-01-21T09:05:00Z"),
    ));
    let err = gate_at(&store, "2025-01-21T10:00:00Z")
        .require(&stage("build"), &build_version(V1))
        .unwrap_err();
    assert!(
        err.to_string()
            .contains("record's version is '9a0b1c2d-20250121-090000'"),
        "{err}"
    );
}

#[test]
fn earlier_stages_on_another_commit_are_refused() {
    let store = MemStore::new();
    built(&store, V1, 'a', "2025-01-20T14:35:00Z");
    gate_at(&store, "2025-01-21T10:00:00Z")
        .promote(&stage("qa"), &build_version(V1), &Artifact::default())
        .unwrap();
    // Someone re-points the build tag (a forged tag on another commit,
    // with a record that agrees with it).
    let name = "build-84fb5881-20250120-143022";
    let tag = store.read_tag(name).unwrap().unwrap();
    let mut record = Provenance::from_message(&tag.annotation().unwrap().message).unwrap();
    record.commit = CommitId::parse("84fb5881ffffffffffffffffffffffffffffffff").unwrap();
    store.put(annotated(
        name,
        "84fb5881ffffffffffffffffffffffffffffffff",
        &record.to_message(name),
        timestamp("2025-01-20T14:35:00Z"),
    ));
    let err = gate_at(&store, "2025-01-22T10:00:00Z")
        .promote(&stage("prod"), &build_version(V1), &Artifact::default())
        .unwrap_err();
    assert!(matches!(err, GateError::StagesDisagree { .. }), "{err}");
}

#[test]
fn revoked_versions_are_not_promoted() {
    let store = MemStore::new();
    built(&store, V1, 'a', "2025-01-20T14:35:00Z");
    let gate = gate_at(&store, "2025-01-21T09:00:00Z");
    let r = gate
        .revoke(&stage("qa"), &build_version(V1), " corrupts orders ")
        .unwrap();
    assert!(r.created);
    assert_eq!(
        r.event.event.description.as_deref(),
        Some("corrupts orders")
    );
    assert!(
        !gate
            .revoke(&stage("qa"), &build_version(V1), "again")
            .unwrap()
            .created
    );
    assert!(gate.revoke(&stage("qa"), &build_version(V1), "  ").is_err());
    let err = gate_at(&store, "2025-01-21T10:00:00Z")
        .promote(&stage("qa"), &build_version(V1), &Artifact::default())
        .unwrap_err();
    assert!(matches!(err, GateError::Revoked { .. }), "{err}");
    assert!(err.to_string().contains("corrupts orders"));
    assert!(err.to_string().contains("by octocat"));
}

#[test]
fn latest_and_list_order_by_time_entered_not_by_name() {
    let store = MemStore::new();
    // Names sort V3 < V1 < V2; builds in time V3 < V1 < V2; promoted into
    // qa in the order V2, V3, V1.
    built(&store, V1, 'a', "2025-01-20T14:35:00Z");
    built(&store, V2, 'b', "2025-01-21T09:05:00Z");
    built(&store, V3, 'c', "2025-01-19T08:05:00Z");
    for (ver, at) in [
        (V2, "2025-01-22T10:00:00Z"),
        (V3, "2025-01-23T10:00:00Z"),
        (V1, "2025-01-24T10:00:00Z"),
    ] {
        gate_at(&store, at)
            .promote(&stage("qa"), &build_version(ver), &Artifact::default())
            .unwrap();
    }
    // Names under the prefix that are not versions.
    store.put(annotated(
        "qa-signoff",
        SHA1,
        "x\n",
        timestamp("2025-01-25T10:00:00Z"),
    ));
    store.put(annotated(
        "qa-eu-84fb5881-20250120-143022",
        SHA1,
        "x\n",
        timestamp("2025-01-25T10:00:00Z"),
    ));
    let gate = gate_at(&store, "2025-01-25T00:00:00Z");
    let latest = gate.latest(&stage("qa")).unwrap();
    assert_eq!(latest.entries.len(), 1);
    assert_eq!(latest.entries[0].version, build_version(V1));
    assert_eq!(
        latest.ignored,
        ["qa-eu-84fb5881-20250120-143022", "qa-signoff"]
    );
    let list = gate.list(&stage("qa"), 10).unwrap();
    let order: Vec<String> = list.entries.iter().map(|e| e.version.to_string()).collect();
    assert_eq!(order, [V1, V3, V2]);
    assert_eq!(list.total, 3);
    // A revoked version is left out, and said so.
    gate.revoke(&stage("qa"), &build_version(V1), "bad")
        .unwrap();
    let latest = gate.latest(&stage("qa")).unwrap();
    assert_eq!(latest.entries[0].version, build_version(V3));
    assert_eq!(latest.skipped.len(), 1);
    assert!(latest.skipped[0].reason.contains("revoked"));
    // Nothing in prod.
    let err = gate.latest(&stage("prod")).unwrap_err();
    assert_eq!(err.to_string(), "no version has passed prod yet");
    assert_eq!(err.class(), ErrorClass::Denied);
    // A missing qa tag names the newest passing versions.
    let err = gate
        .require(&stage("qa"), &build_version("ffffffff-20250101-000000"))
        .unwrap_err();
    let text = err.to_string();
    assert!(
        text.contains("newest versions that pass qa: 1234abcd-20250119-080000 (since 2025-01-23 10:00:00 UTC), 9a0b1c2d-20250121-090000"),
        "{text}"
    );
}

#[test]
fn current_and_previous_follow_deployments() {
    let store = MemStore::new();
    let gate = |at: &str| gate_at(&store, at);
    let qa = stage("qa");
    assert!(matches!(
        gate("2025-01-01T00:00:00Z").current(&qa),
        Err(GateError::NoDeployment { .. })
    ));
    let rec = |at: &str, ver: &str, status: DeployStatus| {
        gate(at)
            .record(&qa, &build_version(ver), status, None, None, None)
            .unwrap();
    };
    rec("2025-01-20T15:00:00Z", V3, DeployStatus::InProgress);
    rec("2025-01-20T15:01:00Z", V3, DeployStatus::Success);
    rec("2025-01-21T15:00:00Z", V1, DeployStatus::InProgress);
    rec("2025-01-21T15:01:00Z", V1, DeployStatus::Success);
    let now = "2025-01-23T00:00:00Z";
    assert_eq!(
        gate(now).current(&qa).unwrap().event.event.version,
        build_version(V1)
    );
    assert_eq!(
        gate(now).previous(&qa).unwrap().event.event.version,
        build_version(V3)
    );
    // V2 starts deploying: V1 is still current; then V2 fails.
    rec("2025-01-22T15:00:00Z", V2, DeployStatus::InProgress);
    assert_eq!(
        gate(now).current(&qa).unwrap().event.event.version,
        build_version(V1)
    );
    rec("2025-01-22T15:05:00Z", V2, DeployStatus::Failure);
    assert_eq!(
        gate(now).current(&qa).unwrap().event.event.version,
        build_version(V1)
    );
    assert_eq!(
        gate(now).previous(&qa).unwrap().event.event.version,
        build_version(V3)
    );
    // V2 deployed again, succeeded: current V2, previous V1.
    rec("2025-01-23T15:00:00Z", V2, DeployStatus::Success);
    let now = "2025-01-24T00:00:00Z";
    assert_eq!(
        gate(now).current(&qa).unwrap().event.event.version,
        build_version(V2)
    );
    assert_eq!(
        gate(now).previous(&qa).unwrap().event.event.version,
        build_version(V1)
    );
    // V1 revoked: the rollback target skips it.
    gate(now)
        .revoke(&qa, &build_version(V1), "data loss")
        .unwrap();
    let prev = gate(now).previous(&qa).unwrap();
    assert_eq!(prev.event.event.version, build_version(V3));
    assert_eq!(prev.current, Some(build_version(V2)));
    // Roll back to V3: an event, not a tag. Current V3, previous V2.
    rec("2025-01-24T15:00:00Z", V3, DeployStatus::Success);
    let now = "2025-01-25T00:00:00Z";
    assert_eq!(
        gate(now).current(&qa).unwrap().event.event.version,
        build_version(V3)
    );
    assert_eq!(
        gate(now).previous(&qa).unwrap().event.event.version,
        build_version(V2)
    );
    // History, newest first.
    let h = gate(now).history(&qa, 3).unwrap();
    let statuses: Vec<DeployStatus> = h.iter().map(|e| e.event.status).collect();
    assert_eq!(
        statuses,
        [
            DeployStatus::Success,
            DeployStatus::Revoked,
            DeployStatus::Success
        ]
    );
    // record refuses 'revoked' (that is revoke) and a commit that is not V's.
    assert!(
        gate(now)
            .record(
                &qa,
                &build_version(V1),
                DeployStatus::Revoked,
                None,
                None,
                None
            )
            .is_err()
    );
    let err = gate(now)
        .record(
            &qa,
            &build_version(V1),
            DeployStatus::Success,
            None,
            Some(CommitId::parse(SHA2).unwrap()),
            None,
        )
        .unwrap_err();
    assert!(matches!(err, GateError::VersionCommitMismatch { .. }));
}

#[test]
fn services_scope_tags_and_events() {
    let store = MemStore::new();
    let shop = Some(Service::parse("shop").unwrap());
    let art = Artifact::default();
    gate_at(&store, "2025-01-20T14:35:00Z")
        .service(shop.clone())
        .create(&stage("build"), &build_version(V1), None, &art)
        .unwrap();
    assert!(
        store
            .read_tag("shop/build-84fb5881-20250120-143022")
            .unwrap()
            .is_some()
    );
    let err = gate_at(&store, "2025-01-21T00:00:00Z")
        .promote(&stage("qa"), &build_version(V1), &art)
        .unwrap_err();
    let GateError::NotPassed { fix, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(
        fix,
        "tag-gate create --stage build --version 84fb5881-20250120-143022 --artifact FILE"
    );
    let qa = gate_at(&store, "2025-01-21T00:00:00Z")
        .service(shop)
        .promote(&stage("qa"), &build_version(V1), &art)
        .unwrap();
    assert_eq!(qa.tag, "shop/qa-84fb5881-20250120-143022");
}

#[test]
fn refusals_advise_the_newest_passing_versions_but_not_revoked_ones() {
    let store = MemStore::new();
    let none = Artifact::default();
    for (ver, d, at) in [
        (V3, 'c', "2025-01-20T10:00:00Z"),
        (V1, 'a', "2025-01-20T11:00:00Z"),
        (V2, 'b', "2025-01-20T12:00:00Z"),
    ] {
        built(&store, ver, d, at);
    }
    for (ver, at) in [(V3, "2025-01-21T10:00:00Z"), (V1, "2025-01-21T11:00:00Z")] {
        gate_at(&store, at)
            .promote(&stage("qa"), &build_version(ver), &none)
            .unwrap();
    }
    let gate = gate_at(&store, "2025-01-22T10:00:00Z");
    // V1 is revoked for prod: it is not offered as the way on.
    gate.revoke(&stage("prod"), &build_version(V1), "bad")
        .unwrap();
    let err = gate
        .promote(&stage("prod"), &build_version(V1), &none)
        .unwrap_err();
    let a = gate
        .advise_promote(&stage("prod"), &build_version(V1), &err)
        .expect("advice");
    assert_eq!(a.stage, "qa");
    assert_eq!(
        a.passing
            .iter()
            .map(|s| s.version.to_string())
            .collect::<Vec<_>>(),
        [V3]
    );
    assert_eq!(
        a.fix,
        format!("promote a version that passes qa: tag-gate promote --to prod --version {V3}")
    );
    // V1 passes qa itself: said so, never "no version passes".
    assert!(a.to_string().starts_with(&format!(
        "{V1} passes qa itself, but is refused as said above; besides it, newest versions \
         that pass qa: {V3} (since 2025-01-21 10:00:00 UTC)\nto fix: "
    )));

    // A missing tag carries its own advice; none is added.
    let err = gate
        .promote(&stage("prod"), &build_version(V2), &none)
        .unwrap_err();
    assert!(matches!(err, GateError::NotPassed { .. }));
    assert_eq!(
        gate.advise_promote(&stage("prod"), &build_version(V2), &err),
        None
    );

    // require: the stage's own passing versions, leaving out the one asked.
    let err = GateError::Unverified {
        tag: format!("qa-{V3}"),
        flaw: Flaw::Lightweight,
    };
    let a = gate
        .advise_require(&stage("qa"), &build_version(V3), &err)
        .expect("advice");
    assert_eq!(
        a.passing
            .iter()
            .map(|s| s.version.to_string())
            .collect::<Vec<_>>(),
        [V1]
    );
    assert!(
        a.fix
            .contains(&format!("tag-gate require --stage qa --version {V1}"))
    );

    // Nothing passes: build a new version.
    let empty = MemStore::new();
    let gate = gate_at(&empty, "2025-01-22T10:00:00Z");
    let a = gate
        .advise_require(&stage("qa"), &build_version(V3), &err)
        .expect("advice");
    assert!(a.passing.is_empty());
    assert!(a.to_string().contains("no version passes qa yet"));
    assert!(
        a.fix
            .contains("tag-gate create --stage build --version NEW")
    );
    // Bad input gets no advice.
    let input = GateError::Input("x".into());
    assert_eq!(
        gate.advise_require(&stage("qa"), &build_version(V3), &input),
        None
    );
}

#[test]
fn a_refused_version_that_passes_the_stage_is_never_worded_as_nothing_passes() {
    let store = MemStore::new();
    let none = Artifact::default();
    built(&store, V1, 'a', "2025-01-20T10:00:00Z");
    gate_at(&store, "2025-01-21T10:00:00Z")
        .promote(&stage("qa"), &build_version(V1), &none)
        .unwrap();
    let gate = gate_at(&store, "2025-01-22T10:00:00Z");
    // V1, the only version in qa, is revoked for prod.
    gate.revoke(&stage("prod"), &build_version(V1), "bad")
        .unwrap();
    let err = gate
        .promote(&stage("prod"), &build_version(V1), &none)
        .unwrap_err();
    let a = gate
        .advise_promote(&stage("prod"), &build_version(V1), &err)
        .expect("advice");
    assert!(a.passing.is_empty());
    let text = a.to_string();
    assert!(!text.contains("no version passes"), "{text}");
    assert!(
        text.starts_with(&format!(
            "{V1} passes qa itself, but is refused as said above; no other version passes qa"
        )),
        "{text}"
    );

    // A wrong digest: V1 itself is fine, the fix is the built artifact.
    let bad = Artifact {
        digest: Some(digest('b')),
        ..Default::default()
    };
    let err = gate
        .promote(&stage("qa"), &build_version(V1), &bad)
        .unwrap_err();
    let GateError::DigestMismatch { built, .. } = &err else {
        panic!("{err}");
    };
    assert_eq!(
        built.as_ref().map(|b| b.tag.as_str()),
        Some("build-84fb5881-20250120-143022")
    );
    let hint = err.hint().unwrap();
    assert!(
        hint.contains("build-84fb5881-20250120-143022 itself is fine"),
        "{hint}"
    );
    assert!(hint.contains("download artifact 7"), "{hint}");
    let a = gate
        .advise_promote(&stage("qa"), &build_version(V1), &err)
        .expect("advice");
    let text = a.to_string();
    assert!(!text.contains("no version passes"), "{text}");
    assert!(
        text.contains(&format!(
            "tag-gate promote --to qa --version {V1} --artifact FILE"
        )),
        "{text}"
    );
}

#[test]
fn a_scan_that_stopped_early_does_not_say_nothing_passes() {
    let store = MemStore::new();
    // More lightweight (unverifiable) tags than the scan reads.
    for i in 0..(SCAN_LIMIT + 5) {
        let name = format!(
            "qa-84fb5881-20250120-{:02}{:02}{:02}",
            i / 3600,
            (i / 60) % 60,
            i % 60
        );
        store.put(Tag {
            name,
            commit: CommitId::parse(SHA1).unwrap(),
            kind: TagKind::Lightweight,
        });
    }
    let gate = gate_at(&store, "2025-01-22T10:00:00Z");
    let err = gate
        .require(&stage("qa"), &build_version("9a0b1c2d-20250121-090000"))
        .unwrap_err();
    let text = err.to_string();
    assert!(!text.contains("no version passes"), "{text}");
    assert!(
        text.contains(&format!(
            "none of the newest {SCAN_LIMIT} version tags under qa passes"
        )),
        "{text}"
    );
}
