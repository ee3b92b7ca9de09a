//! promote-prod's preflight warns when the `production` environment has
//! no required reviewers. The warning is computed by the step's own script
//! (curl + jq in the workflow); that script, read from the workflow files,
//! runs here against the stand-in's `GET /environments/{name}`.

use github_standin::StandIn;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

const STEP: &str = "production has required reviewers";

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The `run:` of the reviewers step of a promote-prod workflow.
fn step_script(workflow: &Path) -> String {
    let text = std::fs::read_to_string(workflow).unwrap();
    let doc: Value = serde_saphyr::from_str(&text).unwrap();
    for job in doc["jobs"].as_object().unwrap().values() {
        for step in job["steps"].as_array().into_iter().flatten() {
            if step["name"] == STEP {
                return step["run"].as_str().unwrap().to_owned();
            }
        }
    }
    panic!("no step {STEP:?} in {}", workflow.display());
}

/// Runs the script as the runner would (bash, `env:` and the runner's
/// variables); its stdout: `::warning …` lines or the all-clear.
fn run(script: &str, gh: &StandIn) -> String {
    let temp = tempfile::tempdir().unwrap();
    let out = Command::new("bash")
        .arg("-c")
        .arg(script)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("RUNNER_TEMP", temp.path())
        .env("GITHUB_API_URL", gh.url())
        .env("GITHUB_REPOSITORY", gh.repository())
        .env("GH_TOKEN", gh.token())
        .output()
        .expect("bash runs");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "the step failed: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!stdout.contains(gh.token()), "the token leaked: {stdout}");
    stdout
}

#[test]
fn the_reviewers_warning_follows_the_environments_rules() {
    let tools = ["bash", "curl", "jq"];
    for t in tools {
        assert!(
            Command::new("sh")
                .args(["-c", &format!("command -v {t}")])
                .status()
                .unwrap()
                .success(),
            "{t} is needed (the runner image has it)"
        );
    }
    for workflow in [
        ".github/workflows/promote-prod.yml",
        "examples/workflows/promote-prod.yml",
    ] {
        let script = step_script(&repo_root().join(workflow));
        let gh = StandIn::builder().start();

        // No such environment: it cannot tell, and says so.
        let out = run(&script, &gh);
        assert!(
            out.contains("::warning") && out.contains("HTTP 404"),
            "{workflow}: {out}"
        );

        // An environment without reviewers (a wait timer is no review).
        gh.add_environment("production", &[], Some(5));
        let out = run(&script, &gh);
        assert!(
            out.contains("::warning") && out.contains("no required reviewers"),
            "{workflow}: {out}"
        );

        // With reviewers: no warning.
        gh.add_environment("production", &["octocat"], None);
        let out = run(&script, &gh);
        assert!(!out.contains("::warning"), "{workflow}: {out}");
        // The request the step made: the documented endpoint, with a token.
        let asked = gh
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/environments/production"))
            .count();
        assert_eq!(asked, 3, "{workflow}");
    }
}
