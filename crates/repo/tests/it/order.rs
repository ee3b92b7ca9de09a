//! Deployment events come back in the order the store accepted them:
//! GitHub's deployment ids then the statuses of each deployment, the git
//! remote's own sequence. Never by mixing one machine's clock with
//! another's: an outcome GitHub stamps in the same whole second as the
//! start, a runner clock off by minutes, two clones with different clocks.

use github_standin::{NewCommit, StandIn};
use jiff::{SignedDuration, Timestamp};
use repo::api::{ApiConfig, ApiStore, RetryPolicy};
use repo::git::GitStore;
use repo::{DEPLOYMENT_SCHEMA, DeployStatus, DeploymentEvent, Scope, Stage, Store};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const SHAS: [&str; 3] = [
    "84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2",
    "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d",
    "cafe0123456789abcdef0123456789abcdef0123",
];

fn version_of(sha: &str) -> String {
    format!("{}-20250120-143022", &sha[..8])
}

fn event(v: &str, status: DeployStatus, time: Timestamp) -> DeploymentEvent {
    DeploymentEvent {
        schema: DEPLOYMENT_SCHEMA.into(),
        service: None,
        stage: Stage::parse("qa").unwrap(),
        environment: None,
        production: false,
        version: v.parse().unwrap(),
        status,
        commit: None,
        url: None,
        time,
        actor: Some("octocat".into()),
        run_id: Some(42),
        run_attempt: Some(1),
        run_url: None,
        workflow: None,
        description: None,
    }
}

fn qa() -> Scope {
    Scope::new(None, Stage::parse("qa").unwrap())
}

fn api_store(gh: &StandIn) -> ApiStore {
    let policy = RetryPolicy {
        base_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(100),
        ..RetryPolicy::default()
    };
    ApiStore::new(
        ApiConfig::new(&gh.url(), &gh.repository(), gh.token())
            .graphql_url(&gh.graphql_url())
            .retry(policy),
    )
    .unwrap()
}

fn stand_in(frozen: Option<Timestamp>) -> StandIn {
    let b = StandIn::builder();
    let gh = match frozen {
        Some(t) => b.frozen_clock(t),
        None => b,
    }
    .start();
    for sha in SHAS {
        gh.add_commit(NewCommit::new(&format!("feat: {}", &sha[..8])).sha(sha));
    }
    gh
}

/// The newest event of each version's deployments, newest first: what
/// `current` reads.
fn newest(store: &dyn Store) -> (String, DeployStatus) {
    let events = store.list_events(&qa(), None).unwrap();
    let e = &events[0].event;
    (e.version.to_string(), e.status)
}

/// in_progress then success, GitHub stamping both in one whole second
/// (a frozen clock: every `created_at` is the same), the runner's own
/// time carrying nanoseconds a little after it: the success is newest,
/// every time.
#[test]
fn an_outcome_in_the_same_second_is_the_newest_event_api() {
    let at: Timestamp = "2025-01-20T15:00:00Z".parse().unwrap();
    let gh = stand_in(Some(at));
    let s = api_store(&gh);
    for round in 0..12 {
        let v = version_of(SHAS[round % SHAS.len()]);
        // The runner's clock: later than GitHub's whole second.
        let client = at + SignedDuration::from_nanos(999_000_000 - round as i64);
        s.append_event(&event(&v, DeployStatus::InProgress, client))
            .unwrap();
        assert_eq!(newest(&s), (v.clone(), DeployStatus::InProgress));
        s.append_event(&event(&v, DeployStatus::Success, client))
            .unwrap();
        assert_eq!(newest(&s), (v, DeployStatus::Success), "round {round}");
    }
    let all = s.list_events(&qa(), None).unwrap();
    assert_eq!(all.len(), 24);
    let statuses = gh.deployments();
    assert!(
        statuses
            .iter()
            .all(|d| d["created_at"] == "2025-01-20T15:00:00Z"),
        "one second for everything"
    );
}

/// The same against the real clock, many times in a loop (whole seconds,
/// shared by fast writes as on GitHub).
#[test]
fn an_outcome_right_after_the_start_is_the_newest_event_real_clock() {
    let gh = stand_in(None);
    let s = api_store(&gh);
    for round in 0..15 {
        let v = version_of(SHAS[round % SHAS.len()]);
        let now = Timestamp::now();
        s.append_event(&event(&v, DeployStatus::InProgress, now))
            .unwrap();
        s.append_event(&event(&v, DeployStatus::Success, Timestamp::now()))
            .unwrap();
        assert_eq!(newest(&s), (v, DeployStatus::Success), "round {round}");
    }
}

/// A runner whose clock is off from GitHub's by minutes, either way: the
/// order is GitHub's.
#[test]
fn a_runner_clock_off_by_minutes_does_not_reorder_events_api() {
    for skew in [-17 * 60, 17 * 60] {
        let gh = stand_in(None);
        let s = api_store(&gh);
        let skewed = || Timestamp::now() + SignedDuration::from_secs(skew);
        let (v1, v2) = (version_of(SHAS[0]), version_of(SHAS[1]));
        s.append_event(&event(&v1, DeployStatus::InProgress, skewed()))
            .unwrap();
        s.append_event(&event(&v1, DeployStatus::Success, skewed()))
            .unwrap();
        assert_eq!(newest(&s), (v1.clone(), DeployStatus::Success), "{skew}");
        s.append_event(&event(&v2, DeployStatus::InProgress, skewed()))
            .unwrap();
        assert_eq!(newest(&s), (v2.clone(), DeployStatus::InProgress));
        s.append_event(&event(&v2, DeployStatus::Failure, skewed()))
            .unwrap();
        let all = s.list_events(&qa(), None).unwrap();
        let got: Vec<(String, DeployStatus)> = all
            .iter()
            .map(|e| (e.event.version.to_string(), e.event.status))
            .collect();
        assert_eq!(
            got,
            [
                (v2.clone(), DeployStatus::Failure),
                (v2, DeployStatus::InProgress),
                (v1.clone(), DeployStatus::Success),
                (v1, DeployStatus::InProgress),
            ],
            "skew {skew}s"
        );
    }
}

// ---- git: two clones whose clocks differ ----

fn git(dir: &Path, args: &[&str], date: &str) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_AUTHOR_NAME", "Fixture")
        .env("GIT_AUTHOR_EMAIL", "fixture@example.com")
        .env("GIT_COMMITTER_NAME", "Fixture")
        .env("GIT_COMMITTER_EMAIL", "fixture@example.com")
        .env("GIT_AUTHOR_DATE", date)
        .env("GIT_COMMITTER_DATE", date)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap().trim().to_owned()
}

/// Clone A's clock runs an hour ahead, clone B's an hour behind; they
/// take turns writing. Each reads the other's events in the order the
/// remote accepted them.
#[test]
fn two_clones_with_different_clocks_order_events_by_the_remote() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    let date = "2025-01-20T14:30:22Z";
    git(
        base,
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
        date,
    );
    std::fs::create_dir(base.join("src")).unwrap();
    let src = base.join("src");
    git(&src, &["init", "-q", "-b", "main"], date);
    git(&src, &["commit", "-q", "--allow-empty", "-m", "init"], date);
    let remote = base.join("remote.git");
    git(
        &src,
        &[
            "push",
            "-q",
            remote.to_str().unwrap(),
            "HEAD:refs/heads/main",
        ],
        date,
    );
    let mut stores = Vec::new();
    for name in ["a", "b"] {
        git(base, &["clone", "-q", remote.to_str().unwrap(), name], date);
        stores.push(GitStore::open(base.join(name), "origin").unwrap());
    }
    let now = Timestamp::now();
    let ahead = now + SignedDuration::from_hours(1);
    let behind = now - SignedDuration::from_hours(1);
    let v = |i: usize| version_of(SHAS[i % SHAS.len()]);
    let mut written = Vec::new();
    for round in 0..6 {
        // a (ahead) starts, b (behind) finishes: b's success must win.
        let version = v(round);
        let tick = SignedDuration::from_secs(round as i64);
        stores[0]
            .append_event(&event(&version, DeployStatus::InProgress, ahead + tick))
            .unwrap();
        let done = stores[1]
            .append_event(&event(&version, DeployStatus::Success, behind + tick))
            .unwrap();
        written.push(done.id.clone());
        for s in &stores {
            assert_eq!(
                newest(s),
                (version.clone(), DeployStatus::Success),
                "round {round}"
            );
        }
    }
    let all = stores[0].list_events(&qa(), None).unwrap();
    assert_eq!(all.len(), 12);
    assert_eq!(all[0].id, "seq-000000000012");
    assert_eq!(all[11].id, "seq-000000000001");
    let ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted);
    // The event commits still carry each writer's own clock.
    assert_eq!(
        all[0].event.time.as_second(),
        (behind + SignedDuration::from_secs(5)).as_second()
    );
    // A limit reads the newest.
    let newest_two = stores[1].list_events(&qa(), Some(2)).unwrap();
    assert_eq!(newest_two[0].id, *written.last().unwrap());
}

/// Two writers racing for one number: both events land, under distinct
/// numbers, none is lost or overwritten.
#[test]
fn racing_git_writers_take_distinct_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path();
    let date = "2025-01-20T14:30:22Z";
    git(
        base,
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
        date,
    );
    let remote = base.join("remote.git");
    let mut stores = Vec::new();
    for name in ["a", "b", "c", "d"] {
        git(base, &["clone", "-q", remote.to_str().unwrap(), name], date);
        stores.push(GitStore::open(base.join(name), "origin").unwrap());
    }
    let now = Timestamp::now();
    std::thread::scope(|scope| {
        for (i, s) in stores.iter().enumerate() {
            scope.spawn(move || {
                for n in 0..3 {
                    let t = now + SignedDuration::from_secs((i * 10 + n) as i64);
                    s.append_event(&event(&version_of(SHAS[i % 3]), DeployStatus::Success, t))
                        .unwrap();
                }
            });
        }
    });
    let all = stores[0].list_events(&qa(), None).unwrap();
    assert_eq!(all.len(), 12);
    let mut ids: Vec<&str> = all.iter().map(|e| e.id.as_str()).collect();
    ids.dedup();
    assert_eq!(ids.len(), 12);
    assert_eq!(ids[0], "seq-000000000012");
}
