//! The four pipeline workflows of `.github/workflows/` end to end: each run
//! through the workflow harness (tests/harness), every step through the
//! real composite `action.yml` it uses and the workspace's binaries, against
//! the GitHub API stand-in (tags, deployments, releases, pull requests) on
//! 127.0.0.1, a local bare git remote holding a copy of this repository, and
//! examples/demo-service started on 127.0.0.1 by its deploy.sh.
//!
//! One story, in order, so the artifacts, tags and deployments of one step
//! are what the next one reads:
//!
//! 1. pr-validation: a conventional title passes, a bad one fails.
//! 2. ci-deploy-dev on commit 1: V1 built, deployed to dev, tagged build;
//!    a re-run (attempt 2) keeps the version and the tag, uploads nothing.
//! 3. promote-qa V1, then promote-prod V1: tags, deployments, a Release.
//! 4. ci-deploy-dev on commit 2 (whose deploy.sh breaks in production): V2.
//! 5. promote-prod V2 is refused: QA never saw it.
//! 6. promote-qa V2 with its stored artifact swapped is refused.
//! 7. promote-qa V2, then promote-prod V2: the health check fails, the
//!    rollback redeploys V1, and `tag-gate current --stage prod` stays V1.
//! 8. commit 3 fixes it: V3 through dev, QA (`latest`) and prod with
//!    `skip_tests`; its Release's changelog starts at V1's commit.
//! 9. promote-prod V1 again: no new tag, its Release updated, not latest.
//! 10. V1's artifact expires: promote-qa says how to rebuild it.
//!
//! `SHIPGATE_PIPELINE_TRACE=1` prints every run's trace (jobs, steps,
//! outputs, logs). `SHIPGATE_PIPELINE_TEST_BINS=DIR` uses the five binaries in DIR instead
//! of building them (`cargo build` of the five tools, debug profile).

mod harness;

use github_standin::{Access, NewCommit, NewPull, NewToken, Permission, StandIn};
use harness::{Conclusion, Event, Harness, Permissions, RunResult};
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::Instant;

const TOOLS: [&str; 5] = [
    "version-stamp",
    "tag-gate",
    "semantic-bump",
    "health-check",
    "smoke-test",
];
const REPOSITORY: &str = "octo-org/shipgate-demo";
const SERVICE: &str = "demo";

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn workflow(name: &str) -> PathBuf {
    repo_root().join(".github/workflows").join(name)
}

/// The five tools, built once per test run into the workspace's target dir.
fn bins() -> &'static Path {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("SHIPGATE_PIPELINE_TEST_BINS") {
            return Ok(PathBuf::from(dir));
        }
        let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("CARGO_TARGET_TMPDIR is <target>/tmp")
            .to_path_buf();
        let status = Command::new(option_env!("CARGO").unwrap_or("cargo"))
            .current_dir(repo_root())
            .args(["build", "--locked", "--bins", "--quiet"])
            .args(TOOLS.iter().flat_map(|t| ["-p", t]))
            .arg("--target-dir")
            .arg(&target)
            .status()
            .map_err(|e| format!("cargo: {e}"))?;
        if !status.success() {
            return Err("cargo build of the five tools failed (see above)".into());
        }
        Ok(target.join("debug"))
    });
    let dir = dir.as_ref().unwrap_or_else(|e| panic!("{e}"));
    for tool in TOOLS {
        assert!(dir.join(tool).is_file(), "no binary {tool} in {dir:?}");
    }
    dir
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=Mona Lisa Octocat",
            "-c",
            "user.email=mona@example.com",
            "-c",
            "commit.gpgsign=false",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// This repository as a developer's clone (`work`) with a bare `origin`:
/// every file git knows of (tracked or not ignored), as in the working
/// tree, so the workflows under test are the ones on disk.
struct Fixture {
    _dir: tempfile::TempDir,
    work: PathBuf,
    origin: PathBuf,
}

impl Fixture {
    fn new() -> Self {
        let dir = tempfile::Builder::new()
            .prefix("shipgate-pipeline-")
            .tempdir()
            .unwrap();
        let work = dir.path().join("work");
        let origin = dir.path().join("origin.git");
        std::fs::create_dir_all(&work).unwrap();
        let listing = git(
            repo_root(),
            &[
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
        );
        for rel in listing.split('\0').filter(|s| !s.is_empty()) {
            let src = repo_root().join(rel);
            if !src.is_file() {
                continue; // deleted in the working tree
            }
            let dest = work.join(rel);
            std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
            std::fs::copy(&src, &dest).unwrap();
        }
        git(&work, &["init", "-q"]);
        git(&work, &["add", "-A"]);
        git(&work, &["commit", "-q", "-m", "feat: the demo service"]);
        git(
            dir.path(),
            &["init", "-q", "--bare", origin.to_str().unwrap()],
        );
        git(
            &work,
            &["remote", "add", "origin", origin.to_str().unwrap()],
        );
        git(&work, &["push", "-q", "origin", "HEAD:refs/heads/main"]);
        Self {
            _dir: dir,
            work,
            origin,
        }
    }

    fn head(&self) -> String {
        git(&self.work, &["rev-parse", "HEAD"])
    }

    /// Commits a change to one file and pushes it to main.
    fn commit(&self, rel: &str, text: &str, message: &str) -> String {
        std::fs::write(self.work.join(rel), text).unwrap();
        git(&self.work, &["add", rel]);
        git(&self.work, &["commit", "-q", "-m", message]);
        git(
            &self.work,
            &["push", "-q", "origin", "HEAD:refs/heads/main"],
        );
        self.head()
    }
}

/// Tells the stand-in about a commit of the fixture (same id, message,
/// parents), so the API backend can tag it.
fn mirror(gh: &StandIn, fx: &Fixture, sha: &str) {
    let message = git(&fx.work, &["log", "-1", "--format=%B", sha]);
    let parents = git(&fx.work, &["log", "-1", "--format=%P", sha]);
    let parents: Vec<&str> = parents.split_whitespace().collect();
    gh.add_commit(NewCommit::new(&message).sha(sha).parents(&parents));
}

fn harness(gh: &Arc<StandIn>, fx: &Fixture, cargo_target: &Path) -> Harness {
    let mut h = Harness::new();
    h.repository(REPOSITORY)
        .remote(REPOSITORY, &fx.origin)
        .standard_stubs()
        .urls("https://github.com", &gh.url(), &gh.graphql_url())
        .runner_env("SHIPGATE_BIN_DIR", bins())
        // the build step: offline, a shared target dir, a quick release
        // profile (the workflow's commands unchanged)
        .runner_env("CARGO_NET_OFFLINE", "true")
        .runner_env("CARGO_TARGET_DIR", cargo_target)
        .runner_env("CARGO_INCREMENTAL", "0")
        .runner_env("CARGO_PROFILE_RELEASE_LTO", "false")
        .runner_env("CARGO_PROFILE_RELEASE_OPT_LEVEL", "0")
        .runner_env("CARGO_PROFILE_RELEASE_CODEGEN_UNITS", "16");
    if let Some(root) = std::env::var_os("PYENV_ROOT") {
        h.runner_env("PYENV_ROOT", root);
    }
    // Each job's GITHUB_TOKEN is a stand-in token with exactly the job's
    // `permissions:`, so a missing grant fails the way it would on GitHub.
    let gh2 = Arc::clone(gh);
    h.token_provider(move |req| {
        let mut token = NewToken::none();
        let perms = req.permissions.clone().unwrap_or(Permissions::WriteAll);
        for (scope, p) in [
            ("contents", Permission::Contents),
            ("deployments", Permission::Deployments),
            ("pull-requests", Permission::PullRequests),
            ("issues", Permission::Issues),
        ] {
            let access = match perms.level(scope) {
                "write" => Access::Write,
                "read" => Access::Read,
                _ => Access::None,
            };
            token = token.permission(p, access);
        }
        gh2.add_token(token)
    });
    h
}

/// `tag-gate` run directly against the stand-in, `--json`.
fn tag_gate(gh: &StandIn, args: &[&str]) -> Value {
    let out = Command::new(bins().join("tag-gate"))
        .args(args)
        .args(["--service", SERVICE, "--json", "--soft"])
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .envs(gh.env())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "tag-gate {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

fn timed(what: &str, f: impl FnOnce() -> RunResult) -> RunResult {
    let start = Instant::now();
    let run = f();
    if std::env::var_os("SHIPGATE_PIPELINE_TRACE").is_some() {
        eprintln!("{}", run.trace());
    }
    eprintln!(
        "{what}: {} in {:.1}s",
        run.conclusion,
        start.elapsed().as_secs_f64()
    );
    run
}

fn dispatch(version: &str) -> Event {
    Event::workflow_dispatch("main").input("artifact_version", version)
}

fn step_failed(run: &RunResult, job: &str, step: &str) -> bool {
    run.job(job).step(step).outcome == Conclusion::Failure
}

fn errors(run: &RunResult) -> String {
    let mut out = String::new();
    for job in &run.jobs {
        for step in &job.steps {
            for a in step.errors() {
                out.push_str(&a.message);
                out.push('\n');
            }
            for inner in &step.steps {
                for a in inner.errors() {
                    out.push_str(&a.message);
                    out.push('\n');
                }
            }
        }
    }
    out
}

/// Deployment statuses of the stand-in for an environment, as
/// (version-ish description, state) pairs, oldest first.
fn deployments(gh: &StandIn, environment: &str) -> Vec<Value> {
    gh.deployments()
        .into_iter()
        .filter(|d| d["environment"] == environment)
        .collect()
}

fn release_body(gh: &StandIn, tag: &str) -> String {
    let releases = gh.releases();
    let release = releases
        .iter()
        .find(|r| r["tag_name"] == tag)
        .unwrap_or_else(|| panic!("no release for {tag}: {releases:?}"));
    release["body"].as_str().unwrap_or_default().to_owned()
}

#[test]
fn pipeline_dev_qa_prod_refusals_and_rollback() {
    let started = Instant::now();
    let fx = Fixture::new();
    let gh = Arc::new(StandIn::builder().repository(REPOSITORY).start());
    let sha1 = fx.head();
    mirror(&gh, &fx, &sha1);
    let cargo_target = Path::new(env!("CARGO_TARGET_TMPDIR")).join("pipeline-cargo-target");
    let mut h = harness(&gh, &fx, &cargo_target);

    // ---------------------------------------------------------- 1. PR check
    // the merge queue's branch names the pull request
    gh.add_pull(
        NewPull::new(1, "feat(demo): list items by tag")
            .head(&sha1)
            .head_ref("topic"),
    );
    gh.add_pull(NewPull::new(2, "Added some stuff").head(&sha1));
    let run = timed("pr-validation (good title, merge queue)", || {
        h.run(
            workflow("pr-validation.yml"),
            Event::merge_group("main")
                .sha(&sha1)
                .payload(serde_json::json!({"merge_group": {
                    "head_ref": format!("refs/heads/gh-readonly-queue/main/pr-1-{sha1}"),
                    "head_sha": sha1,
                }})),
        )
        .unwrap()
    });
    run.assert_success();
    assert_eq!(run.job("semantic-pr").step("lint").output("passed"), "true");
    let run = timed("pr-validation (bad title, merge queue)", || {
        h.run(
            workflow("pr-validation.yml"),
            Event::merge_group("main")
                .sha(&sha1)
                .payload(serde_json::json!({"merge_group": {
                    "head_ref": format!("refs/heads/gh-readonly-queue/main/pr-2-{sha1}"),
                    "head_sha": sha1,
                }})),
        )
        .unwrap()
    });
    assert_eq!(run.conclusion, Conclusion::Failure, "{}", run.trace());
    assert!(step_failed(&run, "semantic-pr", "lint"), "{}", run.trace());
    assert!(
        errors(&run).contains("Added some stuff"),
        "{}",
        errors(&run)
    );
    assert_eq!(run.job("tests").result, Conclusion::Skipped);
    let perms = run.job("semantic-pr").permissions.clone().unwrap();
    assert_eq!(perms.level("pull-requests"), "read");
    assert_eq!(perms.level("contents"), "read");

    // ---------------------------------------------------------- 2. dev, V1
    let run = timed("ci-deploy-dev V1", || {
        h.run(
            workflow("ci-deploy-dev.yml"),
            Event::push("main").sha(&sha1),
        )
        .unwrap()
    });
    run.assert_success();
    let job = run.job("build-deploy-dev");
    let v1 = job.step("stamp").output("version").to_owned();
    assert!(v1.starts_with(&sha1[..8]), "{v1}");
    assert_eq!(
        job.step("tag").output("tag"),
        format!("{SERVICE}/build-{v1}")
    );
    assert_eq!(job.step("tag").output("created"), "true");
    assert_eq!(job.step("health").output("healthy"), "true");
    assert_eq!(job.step("smoke").output("passed"), "true");
    let shown = tag_gate(&gh, &["show", "--stage", "build", "--version", &v1]);
    let record = &shown["record"];
    assert_eq!(record["run_id"].to_string(), run.run_id.to_string());
    assert_eq!(record["run_attempt"].to_string(), "1");
    assert_eq!(
        record["artifact_id"].as_str().unwrap_or_default(),
        job.step("upload").output("artifact-id")
    );
    assert_eq!(
        record["artifact_digest"].as_str().unwrap(),
        job.step("build").output("digest")
    );
    assert_eq!(
        tag_gate(&gh, &["current", "--stage", "dev"])["version"],
        v1.as_str()
    );

    let run = timed("ci-deploy-dev V1, attempt 2", || {
        h.run(
            workflow("ci-deploy-dev.yml"),
            Event::push("main").sha(&sha1).attempt(2),
        )
        .unwrap()
    });
    run.assert_success();
    let job = run.job("build-deploy-dev");
    assert_eq!(job.step("stamp").output("version"), v1);
    assert_eq!(job.step("built-before").output("passed"), "true");
    assert_eq!(job.step("upload").outcome, Conclusion::Skipped);
    assert_eq!(job.step("tag").output("created"), "false");

    // ---------------------------------------------------------- 3. qa, prod
    let run = timed("promote-qa V1", || {
        h.run(workflow("promote-qa.yml"), dispatch(&v1)).unwrap()
    });
    run.assert_success();
    assert_eq!(run.run_name, format!("promote-qa: {v1}"));
    assert_eq!(
        run.job("deploy-qa").step("promote").output("tag"),
        format!("{SERVICE}/qa-{v1}")
    );
    assert_eq!(
        run.job("deploy-qa").concurrency,
        Some(("deploy-qa".to_owned(), false))
    );
    assert!(run.job("preflight").environment.is_none());

    let run = timed("promote-prod V1", || {
        h.run(
            workflow("promote-prod.yml"),
            dispatch(&v1).input("deployment_notes", "First light."),
        )
        .unwrap()
    });
    run.assert_success();
    let deploy = run.job("deploy-prod");
    assert_eq!(
        deploy.step("promote").output("tag"),
        format!("{SERVICE}/prod-{v1}")
    );
    assert_eq!(deploy.step("release").output("make-latest"), "true");
    assert_eq!(
        deploy.step("rollback").outcome,
        Conclusion::Skipped,
        "no rollback after a good deploy"
    );
    let body = release_body(&gh, &format!("{SERVICE}/prod-{v1}"));
    assert!(body.starts_with("First light."), "{body}");
    assert_eq!(
        tag_gate(&gh, &["current", "--stage", "prod"])["version"],
        v1.as_str()
    );

    // ---------------------------------------------------------- 4. dev, V2
    // a change whose deploy script breaks the service in production only
    let deploy_sh = std::fs::read_to_string(fx.work.join("examples/demo-service/deploy.sh"))
        .unwrap()
        .replacen(
            "set -euo pipefail\n",
            "set -euo pipefail\nif [ \"${1:-}\" = start ] && [ \"${2:-}\" = prod ]; then export DEMO_UNHEALTHY=true; fi\n",
            1,
        );
    let sha2 = fx.commit(
        "examples/demo-service/deploy.sh",
        &deploy_sh,
        "fix(demo): tune the start-up",
    );
    mirror(&gh, &fx, &sha2);
    let run = timed("ci-deploy-dev V2", || {
        h.run(
            workflow("ci-deploy-dev.yml"),
            Event::push("main").sha(&sha2),
        )
        .unwrap()
    });
    run.assert_success();
    let v2 = run
        .job("build-deploy-dev")
        .step("stamp")
        .output("version")
        .to_owned();
    let v2_artifact: u64 = run
        .job("build-deploy-dev")
        .step("upload")
        .output("artifact-id")
        .parse()
        .unwrap();

    // ---------------------------------------------------------- 5. no QA
    let prod_events_before = deployments(&gh, "prod").len();
    let run = timed("promote-prod V2 before QA (refused)", || {
        h.run(workflow("promote-prod.yml"), dispatch(&v2)).unwrap()
    });
    assert_eq!(run.conclusion, Conclusion::Failure, "{}", run.trace());
    assert!(step_failed(&run, "preflight", "qa-gate"), "{}", run.trace());
    assert_eq!(run.job("deploy-prod").result, Conclusion::Skipped);
    assert!(
        errors(&run).contains(&format!("qa-{v2}")),
        "the refusal names the missing tag:\n{}",
        errors(&run)
    );
    assert_eq!(deployments(&gh, "prod").len(), prod_events_before);
    assert!(gh.tag(&format!("{SERVICE}/prod-{v2}")).is_none());

    // ---------------------------------------------------------- 6. swapped
    let stored = h.artifacts().get(v2_artifact).expect("V2's artifact");
    let file = stored.dir.join(&stored.files[0]);
    let original = std::fs::read(&file).unwrap();
    std::fs::write(&file, b"not the artifact that was built").unwrap();
    let qa_events_before = deployments(&gh, "qa").len();
    let run = timed("promote-qa V2 with a swapped artifact (refused)", || {
        h.run(workflow("promote-qa.yml"), dispatch(&v2)).unwrap()
    });
    assert_eq!(run.conclusion, Conclusion::Failure, "{}", run.trace());
    assert!(step_failed(&run, "preflight", "verify"), "{}", run.trace());
    assert_eq!(run.job("deploy-qa").result, Conclusion::Skipped);
    assert!(
        errors(&run).contains("different artifact"),
        "{}",
        errors(&run)
    );
    assert_eq!(deployments(&gh, "qa").len(), qa_events_before);
    assert!(gh.tag(&format!("{SERVICE}/qa-{v2}")).is_none());
    std::fs::write(&file, original).unwrap();

    // ---------------------------------------------------------- 7. rollback
    let run = timed("promote-qa V2", || {
        h.run(workflow("promote-qa.yml"), dispatch("latest"))
            .unwrap()
    });
    run.assert_success();
    assert_eq!(run.job("preflight").output("version"), v2);

    let run = timed("promote-prod V2 (unhealthy, rolled back)", || {
        h.run(workflow("promote-prod.yml"), dispatch(&v2)).unwrap()
    });
    assert_eq!(run.conclusion, Conclusion::Failure, "{}", run.trace());
    let deploy = run.job("deploy-prod");
    assert_eq!(deploy.step("current").output("version"), v1);
    assert!(
        step_failed(&run, "deploy-prod", "health"),
        "{}",
        run.trace()
    );
    assert_eq!(deploy.step("record-outcome").output("status"), "failure");
    assert_eq!(
        deploy.step("rollback").outcome,
        Conclusion::Success,
        "{}",
        run.trace()
    );
    assert_eq!(deploy.step("rollback-health").output("healthy"), "true");
    assert_eq!(deploy.step("rollback-record").output("status"), "success");
    assert_eq!(deploy.step("promote").outcome, Conclusion::Skipped);
    assert!(gh.tag(&format!("{SERVICE}/prod-{v2}")).is_none());
    assert_eq!(
        tag_gate(&gh, &["current", "--stage", "prod"])["version"],
        v1.as_str(),
        "prod stays on the version live before"
    );

    // ---------------------------------------------------------- 8. V3
    // the fix: the changelog of its release starts at V1's commit
    let fixed = deploy_sh.replacen(
        "if [ \"${1:-}\" = start ] && [ \"${2:-}\" = prod ]; then export DEMO_UNHEALTHY=true; fi\n",
        "",
        1,
    );
    let sha3 = fx.commit(
        "examples/demo-service/deploy.sh",
        &fixed,
        "fix(demo): healthy in production again",
    );
    mirror(&gh, &fx, &sha3);
    let run = timed("ci-deploy-dev V3", || {
        h.run(
            workflow("ci-deploy-dev.yml"),
            Event::push("main").sha(&sha3),
        )
        .unwrap()
    });
    run.assert_success();
    let v3 = run
        .job("build-deploy-dev")
        .step("stamp")
        .output("version")
        .to_owned();
    let run = timed("promote-qa V3", || {
        h.run(workflow("promote-qa.yml"), dispatch(&v3)).unwrap()
    });
    run.assert_success();
    let run = timed("promote-prod latest (V3, skip_tests)", || {
        h.run(
            workflow("promote-prod.yml"),
            dispatch("latest").input("skip_tests", "true"),
        )
        .unwrap()
    });
    run.assert_success();
    let deploy = run.job("deploy-prod");
    assert_eq!(deploy.step("smoke").outcome, Conclusion::Skipped);
    assert_eq!(deploy.step("record-outcome").output("status"), "success");
    assert_eq!(deploy.step("previous-release").output("version"), v1);
    assert_eq!(deploy.step("release").output("make-latest"), "true");
    let body = release_body(&gh, &format!("{SERVICE}/prod-{v3}"));
    assert!(
        body.contains("healthy in production again") && body.contains("tune the start-up"),
        "the changelog since {v1}'s commit:\n{body}"
    );
    assert!(
        !body.contains("the demo service"),
        "V1's own commit is not new:\n{body}"
    );

    // ---------------------------------------------------------- 9. V1 again
    // redeploying an older version: no new tag, its Release is updated and
    // not made latest
    let run = timed("promote-prod V1 again", || {
        h.run(
            workflow("promote-prod.yml"),
            dispatch(&v1).input("deployment_notes", "Back to V1 for a while."),
        )
        .unwrap()
    });
    run.assert_success();
    let deploy = run.job("deploy-prod");
    assert_eq!(deploy.step("promote").output("created"), "false");
    assert_eq!(deploy.step("release").output("make-latest"), "false");
    let body = release_body(&gh, &format!("{SERVICE}/prod-{v1}"));
    assert!(body.starts_with("Back to V1 for a while."), "{body}");
    assert!(
        body.contains(&format!("an older version again: {v3} was promoted")),
        "{body}"
    );
    assert_eq!(
        tag_gate(&gh, &["current", "--stage", "prod"])["version"],
        v1.as_str()
    );

    // ---------------------------------------------------------- 10. expired
    // V1's artifact past its retention: the preflight says how to rebuild
    let shown = tag_gate(&gh, &["show", "--stage", "build", "--version", &v1]);
    let v1_artifact: u64 = shown["record"]["artifact_id"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(h.artifacts().expire(v1_artifact));
    let run = timed("promote-qa V1 with its artifact expired (refused)", || {
        h.run(workflow("promote-qa.yml"), dispatch(&v1)).unwrap()
    });
    assert_eq!(run.conclusion, Conclusion::Failure, "{}", run.trace());
    assert!(step_failed(&run, "preflight", "fetch"), "{}", run.trace());
    assert_eq!(run.job("deploy-qa").result, Conclusion::Skipped);
    let build_run = shown["record"]["run_id"].to_string();
    assert!(
        errors(&run).contains(&format!("gh run rerun {build_run}")),
        "the command to rebuild:\n{}",
        errors(&run)
    );

    eprintln!(
        "pipeline end to end: {:.1}s",
        started.elapsed().as_secs_f64()
    );
}
