//! Stages as GitHub environments, through the binary against the GitHub
//! stand-in: one environment per stage (`build=dev,qa,prod=production`),
//! one live tag-gate deployment per environment on the promoted commit,
//! production flagged, the job's own deployment told apart and marked, and
//! `current` right even when GitHub stamps the start and the outcome in
//! the same whole second.

use crate::support::{Run, RunFiles, bin, scrubbed};
use github_standin::{NewCommit, StandIn};
use serde_json::Value;
use std::collections::{BTreeMap, BTreeSet};
use tempfile::TempDir;

const SHA_A: &str = "84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2";
const SHA_B: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";
/// main's head when the promotions run: the commit GitHub gives the job.
const SHA_HEAD: &str = "cafe0123456789abcdef0123456789abcdef0123";
const V_A: &str = "84fb5881-20250120-143022";
const V_B: &str = "1a2b3c4d-20250121-090000";
const CHAIN: &str = "build=dev,qa,prod=production";

struct Api {
    gh: StandIn,
    dir: TempDir,
}

impl Api {
    fn new(gh: StandIn) -> Self {
        for sha in [SHA_A, SHA_B, SHA_HEAD] {
            gh.add_commit(NewCommit::new(&format!("feat: {}", &sha[..8])).sha(sha));
        }
        Api {
            gh,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    /// The binary in an empty directory (no checkout), as a workflow step
    /// of run `run_id` would call it.
    fn run(&self, args: &[&str], run_id: Option<u64>) -> Run {
        let home = self.dir.path().join("home");
        std::fs::create_dir_all(&home).unwrap();
        let files = RunFiles::new(self.dir.path());
        let mut cmd = scrubbed(bin(), &home);
        cmd.current_dir(self.dir.path())
            .env("GITHUB_OUTPUT", files.output())
            .env("GITHUB_STEP_SUMMARY", files.summary())
            .env("INPUT_CHAIN", CHAIN);
        for (k, v) in self.gh.env() {
            cmd.env(k, v);
        }
        if let Some(id) = run_id {
            cmd.env("GITHUB_RUN_ID", id.to_string())
                .env("GITHUB_RUN_ATTEMPT", "1");
        }
        cmd.args(args);
        files.read(cmd.output().unwrap())
    }

    /// The deployment GitHub creates for a job with `environment:`: the
    /// workflow's commit, an empty payload, a status linking to the run.
    fn job_deployment(&self, environment: &str, sha: &str, run_id: u64) -> u64 {
        let id = self
            .gh
            .add_deployment(environment, sha, "deploy", serde_json::json!({}));
        self.gh.add_deployment_status_logged(
            id,
            "in_progress",
            "",
            &format!(
                "{}/{}/actions/runs/{run_id}/job/{}",
                self.gh.url(),
                self.gh.repository(),
                run_id * 10
            ),
        );
        id
    }

    fn record(&self, stage: &str, version: &str, status: &str, run_id: u64) {
        self.run(
            &[
                "record",
                "--stage",
                stage,
                "--version",
                version,
                "--status",
                status,
                "--url",
                &format!("https://{stage}.example.com"),
            ],
            Some(run_id),
        )
        .ok();
    }

    fn current(&self, stage: &str) -> Value {
        let r = self.run(&["current", "--stage", stage, "--json"], None);
        r.ok();
        r.json()
    }

    fn previous(&self, stage: &str) -> Value {
        let r = self.run(&["previous", "--stage", stage, "--json"], None);
        r.ok();
        r.json()
    }
}

fn is_ours(d: &Value) -> bool {
    d["payload"]["schema"] == "shipgate.deployment/v1"
}

/// One version through the pipeline, as the templates run it: dev in the
/// build job (on the version's own commit), then qa and prod in promotion
/// jobs whose workflow commit is main's head.
fn pipeline(api: &Api, version: &str, sha: &str, run: u64) -> BTreeMap<&'static str, u64> {
    let mut jobs = BTreeMap::new();
    // ci-deploy-dev: environment dev, stage build.
    jobs.insert("dev", api.job_deployment("dev", sha, run));
    api.record("build", version, "in_progress", run);
    api.record("build", version, "success", run);
    api.run(&["create", "--version", version], Some(run)).ok();
    // promote-qa
    let run = run + 1;
    jobs.insert("qa", api.job_deployment("qa", SHA_HEAD, run));
    api.run(&["promote", "--to", "qa", "--version", version], Some(run))
        .ok();
    api.record("qa", version, "in_progress", run);
    api.record("qa", version, "success", run);
    // promote-prod
    let run = run + 1;
    jobs.insert(
        "production",
        api.job_deployment("production", SHA_HEAD, run),
    );
    api.record("prod", version, "in_progress", run);
    api.record("prod", version, "success", run);
    api.run(
        &["promote", "--to", "prod", "--version", version],
        Some(run),
    )
    .ok();
    jobs
}

#[test]
fn a_promotion_leaves_one_environment_per_stage_and_one_live_deployment_each() {
    let a = Api::new(StandIn::builder().start());
    a.gh.add_environment("production", &["octocat"], None);
    pipeline(&a, V_A, SHA_A, 100);
    let jobs = pipeline(&a, V_B, SHA_B, 200);

    // Exactly the three environments the stages name: no `build`, no `prod`.
    let names: BTreeSet<String> =
        a.gh.environments()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect();
    assert_eq!(
        names,
        BTreeSet::from(["dev".into(), "qa".into(), "production".into()])
    );
    let deployments = a.gh.deployments();
    for env in ["dev", "qa", "production"] {
        let ours: Vec<&Value> = deployments
            .iter()
            .filter(|d| d["environment"] == env && is_ours(d))
            .collect();
        assert_eq!(ours.len(), 2, "{env}: one deployment per version");
        let live: Vec<&Value> = ours
            .iter()
            .copied()
            .filter(|d| {
                let st = a.gh.deployment_statuses(d["id"].as_u64().unwrap());
                st[0]["state"] != "inactive"
            })
            .collect();
        assert_eq!(live.len(), 1, "{env}: one live deployment: {ours:#?}");
        assert_eq!(live[0]["sha"], SHA_B, "{env}: the promoted commit");
        assert_eq!(
            a.gh.deployment_statuses(live[0]["id"].as_u64().unwrap())[0]["state"],
            "success"
        );
        // Production is the chain's last stage, and only it.
        for d in &ours {
            assert_eq!(d["production_environment"], env == "production", "{env}");
        }
        // The job's own deployment (the workflow's commit) is GitHub's:
        // tag-gate leaves its state alone and says what it deployed.
        let job = jobs[env];
        let st = a.gh.deployment_statuses(job);
        assert_eq!(st[0]["state"], "in_progress", "{env}: {st:#?}");
        let said = st[0]["description"].as_str().unwrap();
        assert!(
            said.contains(V_B) && said.contains(&SHA_B[..12]),
            "{env}: {said}"
        );
    }
    // The earlier version's deployments say why they are inactive.
    let old_prod = deployments
        .iter()
        .find(|d| d["environment"] == "production" && is_ours(d) && d["sha"] == SHA_A)
        .unwrap();
    let st = a.gh.deployment_statuses(old_prod["id"].as_u64().unwrap());
    assert_eq!(st[0]["state"], "inactive");
    assert!(
        st[0]["description"].as_str().unwrap().contains(V_B),
        "{st:#?}"
    );

    // current / previous per stage, by the stage's name.
    for stage in ["build", "qa", "prod"] {
        let cur = a.current(stage);
        assert_eq!(cur["version"], V_B, "{stage}: {cur}");
        assert_eq!(cur["sha"], SHA_B, "{stage}");
        let prev = a.previous(stage);
        assert_eq!(prev["version"], V_A, "{stage}: {prev}");
    }
    // The job's deployments (GitHub's) never count as tag-gate's records,
    // even once GitHub finishes them with success.
    for job in jobs.values() {
        a.gh.add_deployment_status(*job, "success", "");
    }
    assert_eq!(a.current("prod")["version"], V_B);
    assert_eq!(a.previous("prod")["version"], V_A);
    let h = a.run(&["history", "--stage", "prod", "--json"], None);
    h.ok();
    let events = h.json()["events"].as_array().unwrap().clone();
    assert_eq!(events.len(), 4);
    assert!(
        events
            .iter()
            .all(|e| e["environment"] == "production" && e["production"] == true),
        "{events:#?}"
    );
}

/// `--environment` names the stage's environment for one command (the
/// action's `environment` input), over the chain's default.
#[test]
fn the_environment_flag_files_a_stage_under_that_environment() {
    let a = Api::new(StandIn::builder().start());
    let r = a.run(
        &[
            "record",
            "--chain",
            "build,qa,prod",
            "--stage",
            "qa",
            "--environment",
            "staging",
            "--version",
            V_A,
            "--status",
            "success",
        ],
        None,
    );
    r.ok();
    let d = &a.gh.deployments()[0];
    assert_eq!(d["environment"], "staging");
    assert_eq!(d["production_environment"], false);
    assert_eq!(d["payload"]["stage"], "qa");
    // Read back under the same environment; without it, nothing is there.
    let with = a.run(
        &[
            "current",
            "--chain",
            "build,qa,prod",
            "--stage",
            "qa",
            "--environment",
            "staging",
            "--json",
        ],
        None,
    );
    with.ok();
    assert_eq!(with.json()["version"], V_A);
    a.run(
        &["current", "--chain", "build,qa,prod", "--stage", "qa"],
        None,
    )
    .code(1);
    // A bad name is bad input.
    a.run(&["current", "--stage", "qa", "--environment", "a,b"], None)
        .code(2)
        .says(&["invalid environment name 'a,b'"]);
    a.run(&["current", "--chain", "build,qa=", "--stage", "qa"], None)
        .code(2)
        .says(&["invalid environment of stage 'qa'"]);
}

/// `record in_progress` then `record success` in one whole second of
/// GitHub's (a frozen clock), again and again: `current` always names the
/// version just deployed.
#[test]
fn current_right_after_a_same_second_success_in_a_loop() {
    let a = Api::new(
        StandIn::builder()
            .frozen_clock("2025-01-20T15:00:00Z".parse().unwrap())
            .start(),
    );
    for round in 0..8u64 {
        let (v, sha) = if round % 2 == 0 {
            (V_A, SHA_A)
        } else {
            (V_B, SHA_B)
        };
        a.record("qa", v, "in_progress", 300 + round);
        a.record("qa", v, "success", 300 + round);
        let cur = a.current("qa");
        assert_eq!(cur["version"], v, "round {round}: {cur}");
        assert_eq!(cur["sha"], sha);
    }
}

/// The git backend files a stage's events by stage (a ref cannot hold
/// every environment name), whatever environment the chain names, and
/// keeps the name in the record.
#[test]
fn the_git_backend_files_events_by_stage() {
    let mut fixture = crate::support::Fixture::new();
    let sha = fixture.commit("feat: one");
    let v = crate::support::version_of(&sha);
    let chain = "build,qa,prod=Production EU";
    fixture
        .tag_gate(&[
            "record",
            "--chain",
            chain,
            "--stage",
            "prod",
            "--version",
            &v,
            "--status",
            "success",
        ])
        .ok();
    let refs: Vec<String> = fixture
        .remote_refs()
        .into_keys()
        .filter(|r| r.starts_with("refs/shipgate/"))
        .collect();
    assert_eq!(refs, ["refs/shipgate/deployments/prod/seq-000000000001"]);
    let r = fixture.tag_gate(&["history", "--chain", chain, "--stage", "prod", "--json"]);
    r.ok();
    let e = &r.json()["events"][0];
    assert_eq!(e["environment"], "Production EU");
    assert_eq!(e["production"], true);
    let cur = fixture.tag_gate(&["current", "--chain", chain, "--stage", "prod", "--json"]);
    cur.ok();
    assert_eq!(cur.json()["version"], v.as_str());
}
