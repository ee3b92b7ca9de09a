//! actions/semantic-bump and actions/semantic-pr match the binary: every
//! input reaches it through the env twin the subcommand reads, every output
//! is written, no `${{ }}` inside a `run:` — and the `run:` script itself
//! works, run by bash the way the runner runs it.

use crate::common::{BIN, Repo, read_outputs};
use serde_json::Value;
use std::path::Path;
use std::process::Command;

fn action(name: &str) -> Value {
    let path = format!(
        "{}/../../actions/{name}/action.yml",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

fn env_of(input: &str) -> String {
    if input == "token" {
        return "GITHUB_TOKEN".into();
    }
    format!("INPUT_{}", input.replace('-', "_").to_ascii_uppercase())
}

fn help(sub: &str) -> String {
    let out = Command::new(BIN).args([sub, "--help"]).output().unwrap();
    String::from_utf8_lossy(&out.stdout)
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The action's step with this `id`.
fn step<'a>(steps: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    steps
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step with id {id}"))
}

/// `subs`: the subcommands the step may run; `script_only`: inputs the
/// `run:` script reads itself.
fn check(name: &str, subs: &[&str], script_only: &[&str]) {
    let a = action(name);
    assert_eq!(a["runs"]["using"], "composite");
    let steps = a["runs"]["steps"].as_array().unwrap();
    let install = step(steps, "install");
    assert!(
        install["run"]
            .as_str()
            .unwrap()
            .contains("bash \"$GITHUB_ACTION_PATH/../../dist/install.sh\"")
    );
    // `uses:` steps (the build cache) have no script
    for step in steps {
        let Some(run) = step["run"].as_str() else {
            continue;
        };
        assert!(!run.contains("${{"), "{name}: {run}");
        assert!(run.contains("set -euo pipefail"), "{name}: {run}");
        assert_eq!(step["shell"], "bash");
    }
    let run = step(steps, "run");
    for sub in subs {
        assert!(
            run["run"]
                .as_str()
                .unwrap()
                .contains(&format!("\"$SHIPGATE_BIN/semantic-bump\" {sub}")),
            "{name}: the step does not run {sub}"
        );
    }
    let env = run["env"].as_object().unwrap();
    assert_eq!(env["SHIPGATE_BIN"], "${{ steps.install.outputs.path }}");
    let help: String = subs.iter().map(|s| help(s)).collect::<Vec<_>>().join(" ");
    let inputs = a["inputs"].as_object().unwrap();
    for input in inputs.keys() {
        let var = env_of(input);
        assert_eq!(
            env[&var],
            format!("${{{{ inputs.{input} }}}}"),
            "{name}: {input}"
        );
        if input != "token" && !script_only.contains(&input.as_str()) {
            assert!(
                help.contains(&format!("[env: {var}=")),
                "{name}: {subs:?} do not read {var}"
            );
            assert!(
                help.contains(&format!("--{input}")),
                "{name}: no flag --{input}"
            );
        }
    }
    for var in env.keys().filter(|k| k.starts_with("INPUT_")) {
        assert!(
            inputs.keys().any(|i| env_of(i) == *var),
            "{name}: {var} is not an input"
        );
    }
    for (k, o) in a["outputs"].as_object().unwrap() {
        assert_eq!(
            o["value"],
            format!("${{{{ steps.run.outputs.{k} }}}}"),
            "{name}: {k}"
        );
        assert!(o["description"].as_str().is_some_and(|d| !d.is_empty()));
    }
}

#[test]
fn semantic_bump_action_matches_next_and_release() {
    check("semantic-bump", &["next", "release"], &["release"]);
}

#[test]
fn semantic_pr_action_matches_lint_pr() {
    // `title` is lint-title's positional argument (its env twin INPUT_TITLE).
    check("semantic-pr", &["lint-pr", "lint-title"], &["title"]);
}

#[test]
fn the_semantic_bump_step_releases() {
    let r = Repo::new();
    r.commit("chore: init");
    r.tag("v1.0.0");
    r.commit("feat: x");
    let bare = r.tmp.path().join("remote.git");
    r.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    r.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    r.git(&["push", "-q", "origin", "main", "--tags"]);
    let out_file = r.tmp.path().join("out");
    let env = [
        ("GITHUB_OUTPUT", out_file.display().to_string()),
        ("HOME", r.tmp.path().display().to_string()),
        ("GITHUB_EVENT_NAME", "push".into()),
    ];
    let out = run_step(
        "semantic-bump",
        &r.dir,
        &[
            ("release", " True "),
            ("floating-tags", "true"),
            ("labels-from-pr", "never"),
        ],
        &env,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = read_outputs(&std::fs::read_to_string(&out_file).unwrap());
    assert_eq!(
        (
            o["tag"].as_str(),
            o["created"].as_str(),
            o["floating-tags"].as_str()
        ),
        ("v1.1.0", "true", "v1,v1.1")
    );
    assert_eq!(o["github-release"], "skipped");
    let remote = r.git(&["ls-remote", "--tags", "origin"]);
    assert!(
        remote.contains("refs/tags/v1.1.0") && remote.contains("refs/tags/v1.1\n"),
        "{remote}"
    );

    let out = run_step("semantic-bump", &r.dir, &[("release", "yes")], &env);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("invalid input release"));
}

/// Runs the `run:` step of an action the way the runner does: bash, with
/// the step's `env:` (inputs substituted) and SHIPGATE_BIN.
fn run_step(
    name: &str,
    dir: &Path,
    inputs: &[(&str, &str)],
    extra_env: &[(&str, String)],
) -> std::process::Output {
    let a = action(name);
    let step = step(a["runs"]["steps"].as_array().unwrap(), "run");
    let script = step["run"].as_str().unwrap();
    let mut c = Command::new("bash");
    c.arg("-c").arg(script).current_dir(dir).env_clear();
    c.env("PATH", std::env::var_os("PATH").unwrap_or_default());
    c.env("SHIPGATE_BIN", Path::new(BIN).parent().unwrap());
    let defaults = a["inputs"].as_object().unwrap();
    for (input, spec) in defaults {
        let value = inputs
            .iter()
            .find(|(k, _)| k == input)
            .map(|(_, v)| (*v).to_owned())
            .unwrap_or_else(|| {
                let d = spec["default"].as_str().unwrap_or("").to_owned();
                if d.contains("${{") { String::new() } else { d }
            });
        c.env(env_of(input), value);
    }
    for (k, v) in extra_env {
        c.env(k, v);
    }
    c.output().unwrap()
}

#[test]
fn the_semantic_bump_step_runs() {
    let r = Repo::new();
    r.commit_in("packages/api/a", "chore: init");
    r.tag("api-v1.0.0");
    r.commit_in("packages/api/b", "feat(api): x");
    r.commit_in("packages/web/b", "feat!: web only");
    r.commit_in("docs/a", "fix(docs): y");
    let out_file = r.tmp.path().join("out");
    let out = run_step(
        "semantic-bump",
        &r.dir,
        &[
            ("tag-prefix", "api-v"),
            ("path", "packages/api\ndocs"),
            ("label", "bug\nrelease:patch"),
            ("repository-url", "https://github.com/octo/shop"),
        ],
        &[
            ("GITHUB_OUTPUT", out_file.display().to_string()),
            ("HOME", r.tmp.path().display().to_string()),
            ("GITHUB_EVENT_NAME", "workflow_dispatch".into()),
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let o = read_outputs(&std::fs::read_to_string(&out_file).unwrap());
    assert_eq!(
        (
            o["next-tag"].as_str(),
            o["bump"].as_str(),
            o["commits"].as_str()
        ),
        ("api-v1.0.1", "patch", "2")
    );
    assert!(
        o["changelog"].contains("https://github.com/octo/shop/commit/"),
        "{}",
        o["changelog"]
    );
}

#[test]
fn the_semantic_pr_step_fails_a_bad_title() {
    let r = Repo::new();
    r.commit("chore: init");
    let gh = github_standin::StandIn::start();
    gh.add_pull(github_standin::NewPull::new(3, "update stuff"));
    let event = r.tmp.path().join("event.json");
    std::fs::write(&event, r#"{"pull_request": {"number": 3}}"#).unwrap();
    let mut env: Vec<(&str, String)> = gh.env();
    env.push(("GITHUB_EVENT_NAME", "pull_request".into()));
    env.push(("GITHUB_EVENT_PATH", event.display().to_string()));
    env.push(("HOME", r.tmp.path().display().to_string()));
    env.retain(|(k, _)| *k != "GITHUB_TOKEN");
    let token = gh.token().to_owned();
    let out = run_step(
        "semantic-pr",
        &r.dir,
        &[
            ("token", token.as_str()),
            ("types", "feat\nfix"),
            ("ignore-label", "dependencies\nbot"),
        ],
        &env,
    );
    assert_eq!(
        out.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("A valid title: feat: update stuff"), "{err}");
}

#[test]
fn the_semantic_pr_step_checks_a_given_title_without_the_api() {
    let r = Repo::new();
    r.commit("chore: init");
    // No API and no event: a given title is checked by the same rules.
    let home = r.tmp.path().display().to_string();
    let env = [("HOME", home)];
    let ok = run_step(
        "semantic-pr",
        &r.dir,
        &[
            ("title", "feat(ci): self-test every action"),
            ("types", "feat\nfix"),
        ],
        &env,
    );
    let err = String::from_utf8_lossy(&ok.stderr);
    assert_eq!(ok.status.code(), Some(0), "{err}");
    assert!(err.contains("follows the rules"), "{err}");
    let bad = run_step(
        "semantic-pr",
        &r.dir,
        &[("title", "docs: readme"), ("types", "feat\nfix")],
        &env,
    );
    let err = String::from_utf8_lossy(&bad.stderr);
    assert_eq!(bad.status.code(), Some(1), "{err}");
    assert!(err.contains("`docs` is not one of: feat, fix"), "{err}");
}
