//! Deployment records: append-only events under refs/shipgate/deployments,
//! and what current, previous and history read from them.

use crate::support::{Fixture, version_of};

struct Deployed {
    fixture: Fixture,
    v1: String,
    v2: String,
    v3: String,
}

/// Three versions built (no stage tags needed for events).
fn three() -> Deployed {
    let mut fixture = Fixture::new();
    let v: Vec<String> = (1..=3)
        .map(|i| version_of(&fixture.commit(&format!("feat: {i}"))))
        .collect();
    Deployed {
        fixture,
        v1: v[0].clone(),
        v2: v[1].clone(),
        v3: v[2].clone(),
    }
}

impl Deployed {
    #[track_caller]
    fn record(&self, v: &str, status: &str) -> crate::support::Run {
        let r = self.fixture.tag_gate(&[
            "record",
            "--stage",
            "prod",
            "--version",
            v,
            "--status",
            status,
            "--url",
            "https://shop.example.com",
        ]);
        r.ok();
        assert_eq!(r.out("status"), status);
        assert_eq!(r.out("version"), v);
        assert!(!r.out("event-id").is_empty());
        r
    }

    #[track_caller]
    fn live(&self, command: &str) -> String {
        let r = self.fixture.tag_gate(&[command, "--stage", "prod"]);
        r.ok();
        assert_eq!(r.stdout.trim(), r.out("version"));
        r.out("version").to_owned()
    }
}

#[test]
fn current_previous_history_and_a_rollback() {
    let d = three();
    // Nothing deployed yet.
    d.fixture
        .tag_gate(&["current", "--stage", "prod"])
        .code(1)
        .says(&["no version is live in prod", "tag-gate record"]);

    d.record(&d.v1, "in_progress");
    d.record(&d.v1, "success");
    assert_eq!(d.live("current"), d.v1);
    d.fixture
        .tag_gate(&["previous", "--stage", "prod"])
        .code(1)
        .says(&["nothing to roll back to"]);

    d.record(&d.v2, "in_progress");
    d.record(&d.v2, "success");
    assert_eq!(d.live("current"), d.v2);
    assert_eq!(d.live("previous"), d.v1);
    let r = d.fixture.tag_gate(&["previous", "--stage", "prod"]);
    assert_eq!(r.out("current"), d.v2);
    assert_eq!(r.out("url"), "https://shop.example.com");

    // V3 fails: never current, never previous.
    d.record(&d.v3, "in_progress");
    d.record(&d.v3, "failure");
    assert_eq!(d.live("current"), d.v2);
    assert_eq!(d.live("previous"), d.v1);

    // V2 is then found bad and fails on a re-deploy: V1 is what is live.
    d.record(&d.v2, "failure");
    assert_eq!(d.live("current"), d.v1);

    // The rollback: V1 re-deployed is an event, not a tag.
    let tags = d.fixture.remote_tags();
    d.record(&d.v1, "success");
    assert_eq!(d.live("current"), d.v1);
    assert_eq!(d.fixture.remote_tags(), tags, "events are not tags");

    let r = d
        .fixture
        .tag_gate(&["history", "--stage", "prod", "--json"]);
    r.ok();
    let events = r.json()["events"].as_array().unwrap().clone();
    let seen: Vec<(String, String)> = events
        .iter()
        .map(|e| {
            (
                e["version"].as_str().unwrap().to_owned(),
                e["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let want: Vec<(String, String)> = [
        (&d.v1, "success"),
        (&d.v2, "failure"),
        (&d.v3, "failure"),
        (&d.v3, "in_progress"),
        (&d.v2, "success"),
        (&d.v2, "in_progress"),
        (&d.v1, "success"),
        (&d.v1, "in_progress"),
    ]
    .iter()
    .map(|(v, s)| (v.to_string(), s.to_string()))
    .collect();
    assert_eq!(seen, want, "newest first");

    let r = d
        .fixture
        .tag_gate(&["history", "--stage", "prod", "--limit", "3"]);
    r.ok();
    assert_eq!(r.out("count"), "3");
    assert_eq!(r.stdout.lines().count(), 3);
    assert!(r.stdout.lines().next().unwrap().contains(&d.v1));
    assert!(r.summary.contains("tag-gate history"), "{}", r.summary);

    // Events live under refs/shipgate/deployments, invisible to tags.
    let refs = d.fixture.remote_refs();
    let events: Vec<&String> = refs
        .keys()
        .filter(|r| r.starts_with("refs/shipgate/deployments/prod/"))
        .collect();
    assert_eq!(events.len(), 8, "{refs:?}");
    // Other stages see none of them.
    d.fixture.tag_gate(&["current", "--stage", "qa"]).code(1);
}

#[test]
fn previous_skips_revoked_versions() {
    let d = three();
    d.record(&d.v1, "success");
    d.record(&d.v2, "success");
    d.record(&d.v3, "success");
    assert_eq!(d.live("previous"), d.v2);
    d.fixture
        .tag_gate(&[
            "revoke",
            "--stage",
            "prod",
            "--version",
            &d.v2,
            "--reason",
            "leaks memory",
        ])
        .ok();
    assert_eq!(d.live("previous"), d.v1);
    // A revoked version that is live is still current, with a warning.
    d.fixture
        .tag_gate(&[
            "revoke",
            "--stage",
            "prod",
            "--version",
            &d.v3,
            "--reason",
            "bad",
        ])
        .ok();
    let r = d.fixture.tag_gate(&["current", "--stage", "prod"]);
    r.ok().says(&["revoked", "roll back"]);
    assert_eq!(r.out("version"), d.v3);
    assert_eq!(r.out("revoked"), "true");
}

#[test]
fn record_checks_its_commit() {
    let d = three();
    let sha = d.fixture.git(&["rev-parse", "HEAD"]);
    // The head commit is V3's, not V1's.
    d.fixture
        .tag_gate(&[
            "record",
            "--stage",
            "prod",
            "--version",
            &d.v1,
            "--status",
            "success",
            "--sha",
            &sha,
        ])
        .code(1)
        .says(&["does not start with version"]);
    d.fixture
        .tag_gate(&[
            "record",
            "--stage",
            "prod",
            "--version",
            &d.v3,
            "--status",
            "success",
            "--sha",
            &sha,
        ])
        .ok();
    let r = d.fixture.tag_gate(&["current", "--stage", "prod"]);
    assert_eq!(r.ok().out("sha"), sha);
    // revoked is not a status for record.
    d.fixture
        .tag_gate(&[
            "record",
            "--stage",
            "prod",
            "--version",
            &d.v3,
            "--status",
            "revoked",
        ])
        .code(2)
        .says(&["tag-gate revoke"]);
}

/// `record` without `--sha` keeps the version's full commit; `current`
/// and `previous` output it, and name a stage tag only when it exists
/// (nothing has passed prod here).
#[test]
fn record_defaults_the_sha_and_current_names_only_existing_tags() {
    let mut fixture = Fixture::new();
    let sha1 = fixture.commit("feat: one");
    let v1 = version_of(&sha1);
    let sha2 = fixture.commit("feat: two");
    let v2 = version_of(&sha2);
    for v in [&v1, &v2] {
        let r = fixture.tag_gate(&[
            "--service",
            "shop",
            "record",
            "--stage",
            "prod",
            "--version",
            v,
            "--status",
            "success",
        ]);
        r.ok();
        assert_eq!(r.out("sha").len(), 40, "{:?}", r.outputs);
    }
    let r = fixture.tag_gate(&["--service", "shop", "current", "--stage", "prod", "--json"]);
    r.ok();
    let j = r.json();
    assert_eq!(j["version"], v2.as_str());
    assert_eq!(j["sha"], sha2.as_str());
    assert!(
        j.get("tag").is_none_or(|t| t == ""),
        "no shop/prod-V tag exists: {j}"
    );
    let r = fixture.tag_gate(&["--service", "shop", "previous", "--stage", "prod", "--json"]);
    r.ok();
    let j = r.json();
    assert_eq!(j["version"], v1.as_str());
    assert_eq!(j["sha"], sha1.as_str());
    assert!(j.get("tag").is_none_or(|t| t == ""), "{j}");

    // A chain stage whose tag exists: named.
    fixture
        .tag_gate(&["--service", "shop", "create", "--version", &v2])
        .ok();
    fixture
        .tag_gate(&[
            "--service",
            "shop",
            "promote",
            "--to",
            "qa",
            "--version",
            &v2,
        ])
        .ok();
    fixture
        .tag_gate(&[
            "--service",
            "shop",
            "record",
            "--stage",
            "qa",
            "--version",
            &v2,
            "--status",
            "success",
        ])
        .ok();
    let j = fixture
        .tag_gate(&["--service", "shop", "current", "--stage", "qa", "--json"])
        .json();
    assert_eq!(j["tag"], format!("shop/qa-{v2}").as_str());
    assert_eq!(j["sha"], sha2.as_str());
}
