//! actions/health-check/action.yml matches the binary: every input reaches
//! it through an env twin the binary reads, every output is written, no
//! `${{ }}` inside a `run:`.

use crate::util::health_check_cmd;
use serde_json::Value;

fn action() -> Value {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../actions/health-check/action.yml"
    );
    let text = std::fs::read_to_string(path).unwrap();
    serde_saphyr::from_str(&text).unwrap()
}

/// The action's step with this `id`.
fn step<'a>(steps: &'a [serde_json::Value], id: &str) -> &'a serde_json::Value {
    steps
        .iter()
        .find(|s| s["id"] == id)
        .unwrap_or_else(|| panic!("no step with id {id}"))
}

fn kebab_to_env(name: &str) -> String {
    format!("INPUT_{}", name.replace('-', "_").to_ascii_uppercase())
}

#[test]
fn every_input_is_passed_as_its_env_twin() {
    let action = action();
    let steps = action["runs"]["steps"].as_array().unwrap();
    assert_eq!(action["runs"]["using"], "composite");
    let install = step(steps, "install");
    assert!(
        install["run"]
            .as_str()
            .unwrap()
            .contains("bash \"$GITHUB_ACTION_PATH/../../dist/install.sh\"")
    );
    let run = step(steps, "run");
    let env = run["env"].as_object().unwrap();
    assert_eq!(env["SHIPGATE_BIN"], "${{ steps.install.outputs.path }}");
    let raw_help = health_check_cmd().args(["--help"]).run().stdout;
    // Wrapped lines joined: `[env:\n    INPUT_X=]` reads `[env: INPUT_X=]`.
    let help = raw_help.split_whitespace().collect::<Vec<_>>().join(" ");
    let inputs = action["inputs"].as_object().unwrap();
    for name in inputs.keys() {
        if name == "token" {
            // for a private release's download only: the install step's
            assert_eq!(install["env"]["SHIPGATE_TOKEN"], "${{ inputs.token }}");
            continue;
        }
        let var = kebab_to_env(name);
        assert_eq!(env[&var], format!("${{{{ inputs.{name} }}}}"), "{name}");
        assert!(
            help.contains(&format!("[env: {var}=")),
            "the binary does not read {var}"
        );
        assert!(help.contains(&format!("--{name}")), "no flag --{name}");
    }
    // Every env var is an input (nothing stray).
    for var in env.keys().filter(|k| k.starts_with("INPUT_")) {
        assert!(
            inputs.keys().any(|n| kebab_to_env(n) == *var),
            "{var} is not an input"
        );
    }
    // Every flag except --json (stdout is the action's own) is an input.
    for line in raw_help.lines() {
        // Flag lines are indented by 6 (no short flags); wrapped text by more.
        if let Some(flag) = line.strip_prefix("      --") {
            let name = flag.split([' ', '\t']).next().unwrap();
            if ["json", "help", "version"].contains(&name) {
                continue;
            }
            assert!(inputs.contains_key(name), "--{name} has no input");
        }
    }
}

#[test]
fn runs_hold_no_expressions_and_are_strict() {
    // `uses:` steps (the build cache) have no script
    for step in action()["runs"]["steps"].as_array().unwrap() {
        let Some(run) = step["run"].as_str() else {
            continue;
        };
        assert!(!run.contains("${{"), "{run}");
        assert!(run.contains("set -euo pipefail"), "{run}");
        assert_eq!(step["shell"], "bash");
    }
}

#[test]
fn every_output_comes_from_the_run_step() {
    let action = action();
    let outputs = action["outputs"].as_object().unwrap();
    for key in ["healthy", "passed", "attempts", "elapsed-ms", "report"] {
        assert_eq!(
            outputs[key]["value"],
            format!("${{{{ steps.run.outputs.{key} }}}}"),
            "{key}"
        );
    }
    assert_eq!(outputs.len(), 5);
}

#[test]
fn the_readme_documents_every_input_and_output() {
    let readme = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../actions/health-check/README.md"
    ))
    .unwrap();
    let action = action();
    for name in action["inputs"].as_object().unwrap().keys() {
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "README lacks input {name}"
        );
    }
    for name in action["outputs"].as_object().unwrap().keys() {
        assert!(
            readme.contains(&format!("| `{name}` |")),
            "README lacks output {name}"
        );
    }
    assert!(readme.contains("uses: OWNER/shipgate/actions/health-check@v1"));
}
