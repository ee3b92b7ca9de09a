//! The pipeline's workflow files run by a real Actions runner, nektos/act
//! (tests/e2e/runner.rs sets it up), against github-standin, a bare remote
//! and act's artifact server; examples/demo-service deployed on 127.0.0.1.
//!
//! `pipeline`: one story through `.github/workflows/`, in order, so the
//! artifacts, tags and deployments of one run are what the next reads:
//!
//! 1. pr-validation (merge queue): a conventional title passes, a bad one fails.
//! 2. ci-deploy-dev V1; its re-run (attempt 2) keeps the version and the tag.
//! 3. promote-qa V1, promote-prod V1: tags, deployments, a Release.
//! 4. ci-deploy-dev V2 (its deploy.sh breaks the service in production).
//! 5. promote-prod V2 is refused: QA never saw it.
//! 6. promote-qa V2 with its stored artifact swapped is refused.
//! 7. promote-qa V2 (`latest`), promote-prod V2: the health check fails, the
//!    rollback redeploys V1, `current` stays V1.
//! 8. V3 (the fix) through dev, QA and prod with `skip_tests`.
//! 9. promote-prod V1 again: no new tag, its Release updated, not latest.
//! 10. V1's artifact expires: promote-qa says how to rebuild it.
//!
//! `templates`: examples/workflows with their `# >>> YOUR … STEP` places
//! filled by demo-service's deploy script, dev → QA → prod.
//! `self_test`: ci.yml's self-test job. `broken_workflows`: a misspelt
//! output and `needs` on a failing job make the runs fail.
//!
//! act is required under `CI` (.ci/run installs it); elsewhere a missing
//! act skips these tests with a loud message.

#[path = "e2e/runner.rs"]
mod runner;

use runner::{Lab, Run, bins};
use serde_json::{Value, json};
use std::time::Instant;

const SERVICE: &str = "demo";

fn lab() -> Option<Lab> {
    let act = runner::act()?;
    let mut lab = Lab::new(act);
    lab.env
        .push(("SHIPGATE_BIN_DIR".into(), bins().display().to_string()));
    Some(lab)
}

fn timed(what: &str, f: impl FnOnce() -> Run) -> Run {
    let start = Instant::now();
    let run = f();
    eprintln!(
        "{what}: {} in {:.1}s",
        if run.success { "success" } else { "failure" },
        start.elapsed().as_secs_f64()
    );
    run
}

fn push(lab: &mut Lab, workflow: &str) -> Run {
    let id = lab.run_id();
    lab.run(workflow, "push", id, &[])
}

fn dispatch(lab: &mut Lab, workflow: &str, inputs: &[(&str, &str)]) -> Run {
    let id = lab.run_id();
    let mut args = Vec::new();
    for (k, v) in inputs {
        args.push("--input".to_owned());
        args.push(format!("{k}={v}"));
    }
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    lab.run(workflow, "workflow_dispatch", id, &args)
}

/// `tag-gate` run directly against the stand-in, `--json`.
fn tag_gate(lab: &Lab, args: &[&str]) -> Value {
    let out = std::process::Command::new(bins().join("tag-gate"))
        .args(args)
        .args(["--service", SERVICE, "--json", "--soft"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(lab.gh.env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tag-gate {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn release_body(lab: &Lab, tag: &str) -> String {
    let releases = lab.gh.releases();
    let release = releases
        .iter()
        .find(|r| r["tag_name"] == tag)
        .unwrap_or_else(|| panic!("no release for {tag}: {releases:?}"));
    release["body"].as_str().unwrap_or_default().to_owned()
}

fn deployments(lab: &Lab, environment: &str) -> usize {
    lab.gh
        .deployments()
        .iter()
        .filter(|d| d["environment"] == environment)
        .count()
}

const DEV: &str = ".github/workflows/ci-deploy-dev.yml";
const QA: &str = ".github/workflows/promote-qa.yml";
const PROD: &str = ".github/workflows/promote-prod.yml";

#[test]
fn pipeline() {
    let Some(mut lab) = lab() else { return };
    let started = Instant::now();
    let sha1 = lab.head();

    // ---------------------------------------------------------- 1. PR check
    lab.gh.add_pull(
        github_standin::NewPull::new(1, "feat(demo): list items by tag")
            .head(&sha1)
            .head_ref("topic"),
    );
    lab.gh
        .add_pull(github_standin::NewPull::new(2, "Added some stuff").head(&sha1));
    for (pr, ok) in [(1, true), (2, false)] {
        let event = lab.event_file(
            "merge_group.json",
            &json!({"merge_group": {
                "head_ref": format!("refs/heads/gh-readonly-queue/main/pr-{pr}-{sha1}"),
                "head_sha": sha1,
                "base_ref": "refs/heads/main",
            }}),
        );
        let id = lab.run_id();
        let run = timed(&format!("pr-validation PR {pr}"), || {
            lab.run(
                ".github/workflows/pr-validation.yml",
                "merge_group",
                id,
                &["-e", &event],
            )
        });
        if ok {
            run.assert_success();
            assert_eq!(run.output("semantic-pr", "lint", "passed"), "true");
        } else {
            run.assert_failure();
            assert_eq!(
                run.step("semantic-pr", "lint"),
                "failure",
                "{}",
                run.trace()
            );
            assert!(
                run.errors().contains("Added some stuff"),
                "{}",
                run.errors()
            );
        }
        assert_eq!(run.job("tests"), "", "tests run on pull_request only");
    }

    // ---------------------------------------------------------- 2. dev, V1
    let run = timed("ci-deploy-dev V1", || push(&mut lab, DEV));
    run.assert_success();
    let job = "build-deploy-dev";
    let v1 = run.output(job, "stamp", "version").to_owned();
    assert!(v1.starts_with(&sha1[..8]), "{v1}");
    assert_eq!(
        run.output(job, "tag", "tag"),
        format!("{SERVICE}/build-{v1}")
    );
    assert_eq!(run.output(job, "tag", "created"), "true");
    assert_eq!(run.output(job, "health", "healthy"), "true");
    assert_eq!(run.output(job, "smoke", "passed"), "true");
    let record = &tag_gate(&lab, &["show", "--stage", "build", "--version", &v1])["record"];
    assert_eq!(record["run_id"].to_string(), run.run_id.to_string());
    assert_eq!(record["run_attempt"].to_string(), "1");
    assert_eq!(
        record["artifact_id"].as_str().unwrap_or_default(),
        run.output(job, "upload", "artifact-id")
    );
    assert_eq!(
        record["artifact_digest"].as_str().unwrap_or_default(),
        run.output(job, "build", "digest")
    );
    assert_eq!(
        tag_gate(&lab, &["current", "--stage", "dev"])["version"],
        v1.as_str()
    );

    let again = timed("ci-deploy-dev V1, attempt 2", || {
        lab.run(DEV, "push", run.run_id, &["--env", "GITHUB_RUN_ATTEMPT=2"])
    });
    again.assert_success();
    assert_eq!(again.output(job, "stamp", "version"), v1);
    assert_eq!(again.output(job, "built-before", "passed"), "true");
    assert_eq!(again.step(job, "upload"), "skipped", "{}", again.trace());
    assert_eq!(again.output(job, "tag", "created"), "false");

    eprintln!(
        "pipeline end to end: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}

/// ci.yml's self-test job (its ubuntu leg): every local action with
/// asserted outputs and expected failures; tag-gate on the git backend
/// against the job's own bare origin.
#[test]
fn self_test() {
    let Some(act) = runner::act() else { return };
    // no SHIPGATE_BIN_DIR: the job's first step builds the tools itself
    let mut lab = Lab::new(act);
    let id = lab.run_id();
    let run = timed("ci.yml self-test", || {
        lab.run(
            ".github/workflows/ci.yml",
            "push",
            id,
            &["-j", "self-test", "--matrix", "os:ubuntu-latest"],
        )
    });
    run.assert_success();
    for step in [
        "setup",
        "stamp",
        "bump",
        "gate-create",
        "gate-promote",
        "health",
        "smoke",
    ] {
        assert_eq!(
            run.step("self-test", step),
            "success",
            "{step}:\n{}",
            run.trace()
        );
    }
    assert_eq!(
        run.output("self-test", "gate-promote", "tag"),
        format!("qa-{}", run.output("self-test", "stamp-head", "version"))
    );
}
