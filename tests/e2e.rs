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
//! The stand-in runs as `github-standin serve`; the tests read what the
//! runs left there (tags, releases, deployments and their statuses,
//! environments) through its GitHub REST routes.
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

/// The stages and their GitHub environments, as the workflows say.
const STAGES: &str = "build=dev,qa=qa,prod=production";

/// `tag-gate` run directly against the stand-in, `--json`.
fn tag_gate(lab: &Lab, args: &[&str]) -> Value {
    let out = std::process::Command::new(bins().join("tag-gate"))
        .args(args)
        .args(["--chain", STAGES, "--json", "--soft"])
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

/// [`tag_gate`] for the pipeline's service.
fn demo_gate(lab: &Lab, args: &[&str]) -> Value {
    tag_gate(lab, &[args, &["--service", SERVICE]].concat())
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
    lab.gh.deployments(Some(environment)).len()
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
    lab.gh.seed(json!({"pull": {
        "number": 1, "title": "feat(demo): list items by tag", "head": sha1, "head_ref": "topic",
    }}));
    lab.gh
        .seed(json!({"pull": {"number": 2, "title": "Added some stuff", "head": sha1}}));
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
    let record = &demo_gate(&lab, &["show", "--stage", "build", "--version", &v1])["record"];
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
        demo_gate(&lab, &["current", "--stage", "build"])["version"],
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

    // ---------------------------------------------------------- 3. qa, prod
    let run = timed("promote-qa V1", || {
        dispatch(&mut lab, QA, &[("artifact_version", &v1)])
    });
    run.assert_success();
    assert_eq!(
        run.output("deploy-qa", "promote", "tag"),
        format!("{SERVICE}/qa-{v1}")
    );
    let run = timed("promote-prod V1", || {
        dispatch(
            &mut lab,
            PROD,
            &[
                ("artifact_version", &v1),
                ("deployment_notes", "First light."),
            ],
        )
    });
    run.assert_success();
    let d = "deploy-prod";
    assert_eq!(
        run.output(d, "promote", "tag"),
        format!("{SERVICE}/prod-{v1}")
    );
    assert_eq!(run.output(d, "release", "make-latest"), "true");
    assert_eq!(
        run.step(d, "rollback"),
        "skipped",
        "no rollback after a good deploy"
    );
    let body = release_body(&lab, &format!("{SERVICE}/prod-{v1}"));
    assert!(body.starts_with("First light."), "{body}");
    assert_eq!(
        demo_gate(&lab, &["current", "--stage", "prod"])["version"],
        v1.as_str()
    );

    // ---------------------------------------------------------- 4. dev, V2
    // a change whose deploy script breaks the service in production only
    let breaks =
        "if [ \"${1:-}\" = start ] && [ \"${2:-}\" = prod ]; then export DEMO_UNHEALTHY=true; fi\n";
    let deploy_sh = std::fs::read_to_string(lab.work.join("examples/demo-service/deploy.sh"))
        .unwrap()
        .replacen(
            "set -euo pipefail\n",
            &format!("set -euo pipefail\n{breaks}"),
            1,
        );
    lab.commit(
        "examples/demo-service/deploy.sh",
        &deploy_sh,
        "fix(demo): tune the start-up",
    );
    let run = timed("ci-deploy-dev V2", || push(&mut lab, DEV));
    run.assert_success();
    let v2 = run.output(job, "stamp", "version").to_owned();
    let v2_run = run.run_id;
    let v2_artifact = run.output(job, "stamp", "artifact-name").to_owned();

    // ---------------------------------------------------------- 5. no QA
    let prod_before = deployments(&lab, "production");
    let run = timed("promote-prod V2 before QA (refused)", || {
        dispatch(&mut lab, PROD, &[("artifact_version", &v2)])
    });
    run.assert_failure();
    assert_eq!(
        run.step("preflight", "qa-gate"),
        "failure",
        "{}",
        run.trace()
    );
    assert_eq!(run.job(d), "", "{}", run.trace());
    assert!(
        run.errors().contains(&format!("qa-{v2}")),
        "{}",
        run.errors()
    );
    assert_eq!(deployments(&lab, "production"), prod_before);
    assert!(lab.gh.tag(&format!("{SERVICE}/prod-{v2}")).is_none());

    // ---------------------------------------------------------- 6. swapped
    let zip = lab.artifact_zip(v2_run, &v2_artifact);
    let original = std::fs::read(&zip).unwrap();
    let swapped = zip.with_extension("swapped");
    runner::zip_one(&swapped, &v2_artifact, b"not the artifact that was built");
    std::fs::rename(&swapped, &zip).unwrap();
    let qa_before = deployments(&lab, "qa");
    let run = timed("promote-qa V2 with a swapped artifact (refused)", || {
        dispatch(&mut lab, QA, &[("artifact_version", &v2)])
    });
    run.assert_failure();
    assert_eq!(
        run.step("preflight", "verify"),
        "failure",
        "{}",
        run.trace()
    );
    assert_eq!(run.job("deploy-qa"), "");
    assert!(
        run.errors().contains("different artifact"),
        "{}",
        run.errors()
    );
    assert_eq!(deployments(&lab, "qa"), qa_before);
    std::fs::write(&zip, original).unwrap();

    // ---------------------------------------------------------- 7. rollback
    let run = timed("promote-qa latest (V2)", || {
        dispatch(&mut lab, QA, &[("artifact_version", "latest")])
    });
    run.assert_success();
    assert_eq!(run.output("preflight", "parse", "version"), v2);
    let run = timed("promote-prod V2 (unhealthy, rolled back)", || {
        dispatch(&mut lab, PROD, &[("artifact_version", &v2)])
    });
    run.assert_failure();
    assert_eq!(run.output(d, "current", "version"), v1);
    assert_eq!(run.step(d, "health"), "failure", "{}", run.trace());
    assert_eq!(run.output(d, "record-outcome", "status"), "failure");
    assert_eq!(run.step(d, "rollback"), "success", "{}", run.trace());
    assert_eq!(run.output(d, "rollback-health", "healthy"), "true");
    assert_eq!(run.output(d, "rollback-record", "status"), "success");
    assert_eq!(run.step(d, "promote"), "skipped");
    assert!(lab.gh.tag(&format!("{SERVICE}/prod-{v2}")).is_none());
    assert_eq!(
        demo_gate(&lab, &["current", "--stage", "prod"])["version"],
        v1.as_str(),
        "prod stays on the version live before"
    );

    // ---------------------------------------------------------- 8. V3
    let fixed = deploy_sh.replacen(breaks, "", 1);
    lab.commit(
        "examples/demo-service/deploy.sh",
        &fixed,
        "fix(demo): healthy in production again",
    );
    let run = timed("ci-deploy-dev V3", || push(&mut lab, DEV));
    run.assert_success();
    let v3 = run.output(job, "stamp", "version").to_owned();
    let run = timed("promote-qa V3", || {
        dispatch(&mut lab, QA, &[("artifact_version", &v3)])
    });
    run.assert_success();
    let run = timed("promote-prod latest (V3, skip_tests)", || {
        dispatch(
            &mut lab,
            PROD,
            &[("artifact_version", "latest"), ("skip_tests", "true")],
        )
    });
    run.assert_success();
    assert_eq!(run.step(d, "smoke"), "skipped");
    assert_eq!(run.output(d, "record-outcome", "status"), "success");
    assert_eq!(run.output(d, "previous-release", "version"), v1);
    let body = release_body(&lab, &format!("{SERVICE}/prod-{v3}"));
    assert!(
        body.contains("healthy in production again") && body.contains("tune the start-up"),
        "the changelog since {v1}'s commit:\n{body}"
    );
    assert!(
        !body.contains("the demo service"),
        "V1's own commit is not new:\n{body}"
    );
    let prod = |cmd| demo_gate(&lab, &[cmd, "--stage", "prod"])["version"].clone();
    assert_eq!(prod("current"), v3.as_str());
    assert_eq!(
        prod("previous"),
        v1.as_str(),
        "V2 failed: not a rollback target"
    );

    // ---------------------------------------------------------- 9. V1 again
    let run = timed("promote-prod V1 again", || {
        dispatch(
            &mut lab,
            PROD,
            &[
                ("artifact_version", &v1),
                ("deployment_notes", "Back to V1 for a while."),
            ],
        )
    });
    run.assert_success();
    assert_eq!(run.output(d, "promote", "created"), "false");
    assert_eq!(run.output(d, "release", "make-latest"), "false");
    let body = release_body(&lab, &format!("{SERVICE}/prod-{v1}"));
    assert!(body.starts_with("Back to V1 for a while."), "{body}");
    assert!(
        body.contains(&format!("an older version again: {v3} was promoted")),
        "{body}"
    );
    let prod = |cmd| demo_gate(&lab, &[cmd, "--stage", "prod"])["version"].clone();
    assert_eq!(prod("current"), v1.as_str());
    assert_eq!(prod("previous"), v3.as_str());

    // ---------------------------------------------------------- 10. expired
    let shown = demo_gate(&lab, &["show", "--stage", "build", "--version", &v1]);
    let v1_artifact: u64 = shown["record"]["artifact_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    lab.gh.seed(json!({"expire_artifact": {"id": v1_artifact}}));
    let run = timed("promote-qa V1 with its artifact expired (refused)", || {
        dispatch(&mut lab, QA, &[("artifact_version", &v1)])
    });
    run.assert_failure();
    assert_eq!(run.step("preflight", "fetch"), "failure", "{}", run.trace());
    assert_eq!(run.job("deploy-qa"), "");
    let rerun = format!("gh run rerun {}", shown["record"]["run_id"]);
    assert!(run.errors().contains(&rerun), "{}", run.errors());

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

/// A broken workflow fails its run: a misspelt job output read through
/// `needs` (an empty version reaches tag-gate), and a job that needs a job
/// that fails (it never runs, nothing is tagged).
#[test]
fn broken_workflows_fail() {
    let Some(mut lab) = lab() else { return };
    let dev = std::fs::read_to_string(lab.work.join(DEV)).unwrap();
    let needs_failing = dev.replacen(
        "jobs:\n",
        "jobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n      - run: exit 1\n",
        1,
    );
    let needs_failing = needs_failing.replacen(
        "    runs-on: ubuntu-latest\n    timeout-minutes: 30\n",
        "    needs: gate\n    runs-on: ubuntu-latest\n    timeout-minutes: 30\n",
        1,
    );
    assert_ne!(needs_failing, dev);
    let path = lab.dir.path().join("needs-failing.yml");
    std::fs::write(&path, &needs_failing).unwrap();
    let run = timed("ci-deploy-dev needing a failing job", || {
        let id = lab.run_id();
        lab.run(path.to_str().unwrap(), "push", id, &[])
    });
    run.assert_failure();
    assert_eq!(run.job("gate"), "failure");
    assert_eq!(run.job("build-deploy-dev"), "", "{}", run.trace());
    assert!(lab.gh.deployments(None).is_empty(), "nothing deployed");

    let run = timed("ci-deploy-dev V1", || push(&mut lab, DEV));
    run.assert_success();
    let v1 = run
        .output("build-deploy-dev", "stamp", "version")
        .to_owned();
    let qa = std::fs::read_to_string(lab.work.join(QA)).unwrap();
    let misspelt = qa.replacen(
        "VERSION: ${{ needs.preflight.outputs.version }}",
        "VERSION: ${{ needs.preflight.outputs.verison }}",
        1,
    );
    assert_ne!(misspelt, qa);
    let path = lab.dir.path().join("misspelt-output.yml");
    std::fs::write(&path, &misspelt).unwrap();
    let run = timed("promote-qa with a misspelt output", || {
        let id = lab.run_id();
        lab.run(
            path.to_str().unwrap(),
            "workflow_dispatch",
            id,
            &["--input", &format!("artifact_version={v1}")],
        )
    });
    run.assert_failure();
    assert_eq!(run.job("preflight"), "success");
    assert_eq!(
        run.step("deploy-qa", "build-gate"),
        "failure",
        "{}",
        run.trace()
    );
    assert!(lab.gh.tag(&format!("{SERVICE}/qa-{v1}")).is_none());
}

/// The copyable templates with their `# >>> YOUR … STEP` lines filled by
/// demo-service's build and deploy script, by text substitution.
fn fill_template(name: &str, env: &str) -> String {
    let text =
        std::fs::read_to_string(runner::repo_root().join("examples/workflows").join(name)).unwrap();
    let deploy = format!(
        "d=\"$RUNNER_TEMP/app\" && rm -rf \"$d\" && mkdir -p \"$d\" && tar -xzf \"$FILE\" -C \"$d\" && \
         DEMO_BIN=\"$d/demo-service\" bash \"$d/deploy.sh\" start {env} \"$VERSION\" \"$APP_PORT\""
    );
    let mut out = String::new();
    for line in text.lines() {
        let indent = &line[..line.len() - line.trim_start().len()];
        let cmd = line.trim_start();
        let filled = if !line.ends_with("# >>> replace") {
            line.to_owned()
        } else if cmd.starts_with("make build") {
            format!(
                "{indent}cargo build --locked --release -p demo-service && rm -rf build && mkdir -p build && \
                 cp \"${{CARGO_TARGET_DIR:-target}}/release/demo-service\" examples/demo-service/deploy.sh build/"
            )
        } else if cmd.starts_with("tar -czf") {
            line.to_owned()
        } else if cmd.starts_with("./deploy.sh") {
            format!("{indent}{deploy}")
        } else if cmd.starts_with("./backup.sh") {
            format!("{indent}echo \"live before: ${{LIVE:-none}}\"")
        } else if cmd.starts_with("./rollback.sh") {
            format!("{indent}echo \"::error::no rollback in this test\"; exit 1")
        } else if cmd.starts_with("make test") || cmd.starts_with("run: make test") {
            line.replace("make test", "cargo test --locked -p demo-service")
        } else {
            panic!("{name}: a place to fill that the test does not know: {line}");
        };
        out.push_str(&filled);
        out.push('\n');
    }
    out
}

#[test]
fn templates() {
    let Some(mut lab) = lab() else { return };
    // the templates' smoke spec lives at .github/smoke.yml
    let smoke = std::fs::read_to_string(lab.work.join("examples/demo-service/smoke.yml")).unwrap();
    lab.commit(".github/smoke.yml", &smoke, "ci: the smoke spec");
    let port = || {
        std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port()
            .to_string()
    };
    let run_template = |lab: &mut Lab, name: &str, env: &str, event: &str, args: &[&str]| {
        let path = lab.dir.path().join(format!("template-{name}"));
        std::fs::write(&path, fill_template(name, env)).unwrap();
        let port = port();
        let url = format!("APP_URL=http://127.0.0.1:{port}");
        let port = format!("APP_PORT={port}");
        let mut all = vec!["--var", &url, "--env", &port];
        all.extend_from_slice(args);
        let id = lab.run_id();
        timed(&format!("template {name}"), || {
            lab.run(path.to_str().unwrap(), event, id, &all)
        })
    };
    let sha = lab.head();
    lab.gh
        .seed(json!({"pull": {"number": 3, "title": "feat: a template", "head": sha}}));
    let event = lab.event_file(
        "merge_group.json",
        &json!({"merge_group": {"head_ref": format!("refs/heads/gh-readonly-queue/main/pr-3-{sha}"), "head_sha": sha}}),
    );
    let run = run_template(
        &mut lab,
        "pr-validation.yml",
        "-",
        "merge_group",
        &["-e", &event],
    );
    run.assert_success();

    let run = run_template(&mut lab, "ci-deploy-dev.yml", "dev", "push", &[]);
    run.assert_success();
    let v = run
        .output("build-deploy-dev", "stamp", "version")
        .to_owned();
    assert_eq!(
        run.output("build-deploy-dev", "tag", "tag"),
        format!("build-{v}")
    );
    let input = format!("artifact_version={v}");
    let run = run_template(
        &mut lab,
        "promote-qa.yml",
        "qa",
        "workflow_dispatch",
        &["--input", &input],
    );
    run.assert_success();
    assert_eq!(run.output("deploy-qa", "promote", "tag"), format!("qa-{v}"));
    let run = run_template(
        &mut lab,
        "promote-prod.yml",
        "prod",
        "workflow_dispatch",
        &[
            "--input",
            &input,
            "--input",
            "deployment_notes=From the template.",
        ],
    );
    run.assert_success();
    assert_eq!(
        run.output("deploy-prod", "promote", "tag"),
        format!("prod-{v}")
    );
    assert!(release_body(&lab, &format!("prod-{v}")).starts_with("From the template."));
    assert_one_truth_per_stage(&lab, &v, &lab.head());
}

/// After a promotion (issue 12): one GitHub environment per stage, in each
/// exactly one deployment that is not `inactive`, a `success` on the
/// promoted commit; every stage's `current` is the version, no `previous`.
fn assert_one_truth_per_stage(lab: &Lab, version: &str, sha: &str) {
    let mut environments = lab.gh.environments();
    environments.sort();
    assert_eq!(environments, ["dev", "production", "qa"]);
    for env in &environments {
        let live: Vec<(Value, Value)> = lab
            .gh
            .deployments(Some(env))
            .into_iter()
            .map(|d| (lab.gh.statuses(&d).first().cloned().unwrap_or_default(), d))
            .filter(|(status, _)| status["state"] != "inactive")
            .collect();
        assert_eq!(live.len(), 1, "{env}: {live:?}");
        let (status, deployment) = &live[0];
        assert_eq!(status["state"], "success", "{env}: {status}");
        assert_eq!(deployment["sha"], sha, "{env}: {deployment}");
    }
    for stage in ["build", "qa", "prod"] {
        let gate = |cmd| tag_gate(lab, &[cmd, "--stage", stage]);
        assert_eq!(gate("current")["version"], version, "{stage}");
        let previous = gate("previous");
        assert_eq!(previous["version"], "", "{stage}: {previous}");
    }
}
