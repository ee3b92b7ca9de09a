//! Every `action.yml` in the repository (the root setup action and each
//! `actions/*/action.yml`, discovered, not listed) follows the rules that
//! keep composite actions safe and complete:
//!
//! - no `run:` contains `${{` (inputs reach scripts through `env:` only);
//! - every declared input is referenced as `inputs.<name>` in the steps;
//! - every output has a `value:` naming a step that exists;
//! - every `run:` step has a `shell:` (composite actions require it);
//! - an `id: install` step runs `dist/install.sh` from `$GITHUB_ACTION_PATH`
//!   and passes the action's `token` input to it as `SHIPGATE_TOKEN` (a
//!   private fork's release downloads through the API with it);
//! - a `plan` step runs `install.sh --plan`, `actions/cache/restore` before
//!   the install step and `actions/cache/save` after it (only when it built)
//!   share its key and path: a ref without a release builds once;
//! - every `uses:` is pinned to a full commit SHA with a `# vX` comment;
//!
//! and each `actions/<name>/` has a README.md that mentions every input and
//! output. The negative tests at the end prove each check can fail.

use serde_json::Value;
use std::path::{Path, PathBuf};

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// The action files under `root`: `action.yml`/`action.yaml` at the root
/// and in each direct subfolder of `actions/`.
fn discover(root: &Path) -> Vec<PathBuf> {
    let mut found = Vec::new();
    let mut push_in = |dir: &Path| {
        for name in ["action.yml", "action.yaml"] {
            let p = dir.join(name);
            if p.is_file() {
                found.push(p);
            }
        }
    };
    push_in(root);
    if let Ok(entries) = std::fs::read_dir(root.join("actions")) {
        let mut dirs: Vec<PathBuf> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.is_dir())
            .collect();
        dirs.sort();
        for d in dirs {
            push_in(&d);
        }
    }
    found
}

/// The `actions/<name>/` folders under `root`.
fn action_dirs(root: &Path) -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root.join("actions"))
        .map(|entries| {
            entries
                .filter_map(Result::ok)
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    dirs.sort();
    dirs
}

fn load(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("cannot read: {e}"))?;
    serde_saphyr::from_str::<Value>(&text).map_err(|e| format!("not valid YAML: {e}"))
}

fn as_map(v: Option<&Value>) -> Vec<(String, Value)> {
    match v {
        Some(Value::Object(m)) => m.iter().map(|(k, v)| (k.clone(), v.clone())).collect(),
        _ => Vec::new(),
    }
}

/// Whether `text` mentions `inputs.<name>` as a whole name (not as the
/// prefix of a longer one: `inputs.sha` is not `inputs.sha-length`).
fn references_input(text: &str, name: &str) -> bool {
    let needle = format!("inputs.{name}");
    text.match_indices(&needle).any(|(i, _)| {
        let before_ok = i == 0 || {
            let b = text.as_bytes()[i - 1];
            !(b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
        };
        let after = text[i + needle.len()..].chars().next();
        let after_ok = !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-');
        before_ok && after_ok
    })
}

/// Every rule an action file breaks, as readable problems.
fn check_action(path: &Path) -> Vec<String> {
    let doc = match load(path) {
        Ok(doc) => doc,
        Err(e) => return vec![e],
    };
    let mut problems = Vec::new();
    let runs = doc.get("runs");
    if runs.and_then(|r| r.get("using")).and_then(Value::as_str) != Some("composite") {
        problems.push("runs.using is not `composite`".to_owned());
    }
    let steps: Vec<Value> = runs
        .and_then(|r| r.get("steps"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    if steps.is_empty() {
        problems.push("runs.steps is empty".to_owned());
    }

    let mut step_ids = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let label = step
            .get("id")
            .and_then(Value::as_str)
            .map_or_else(|| format!("step {}", i + 1), |id| format!("step `{id}`"));
        if let Some(id) = step.get("id").and_then(Value::as_str) {
            step_ids.push(id.to_owned());
        }
        if let Some(run) = step.get("run") {
            let run = run.as_str().unwrap_or_default();
            if run.contains("${{") {
                problems.push(format!(
                    "{label}: `run:` contains `${{{{` (pass values through `env:` and quote \"$VAR\")"
                ));
            }
            let shell = step.get("shell").and_then(Value::as_str).unwrap_or("");
            if shell.trim().is_empty() {
                problems.push(format!("{label}: a `run:` step without `shell:`"));
            }
        }
    }

    let install = steps
        .iter()
        .find(|s| s.get("id").and_then(Value::as_str) == Some("install"));
    match install {
        None => problems.push("no `id: install` step (dist/install.sh)".to_owned()),
        Some(step) => {
            let run = step.get("run").and_then(Value::as_str).unwrap_or("");
            if !(run.contains("$GITHUB_ACTION_PATH/") && run.contains("dist/install.sh")) {
                problems.push(
                    "the `install` step does not run dist/install.sh from $GITHUB_ACTION_PATH"
                        .to_owned(),
                );
            }
            let token = step
                .get("env")
                .and_then(|e| e.get("SHIPGATE_TOKEN"))
                .and_then(Value::as_str)
                .unwrap_or("");
            if token.replace(' ', "") != "${{inputs.token}}" {
                problems.push(
                    "the `install` step does not pass `SHIPGATE_TOKEN: ${{ inputs.token }}` \
                     (a private fork's release needs it)"
                        .to_owned(),
                );
            }
            if doc.get("inputs").and_then(|i| i.get("token")).is_none() {
                problems.push("no `token` input (for a private fork's release)".to_owned());
            }
        }
    }

    problems.extend(check_build_cache(&steps));
    let text = std::fs::read_to_string(path).unwrap_or_default();
    for step in &steps {
        let Some(uses) = step.get("uses").and_then(Value::as_str) else {
            continue;
        };
        let sha = uses.rsplit_once('@').map_or("", |(_, r)| r);
        let pinned = sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit());
        let commented = text
            .lines()
            .any(|l| l.contains(&format!("uses: {uses}")) && l.contains("# v"));
        if !pinned || !commented {
            problems.push(format!(
                "`uses: {uses}` is not pinned to a full commit SHA with a `# vX` comment"
            ));
        }
    }

    let steps_text = serde_json::to_string(&steps).unwrap_or_default();
    for (name, _) in as_map(doc.get("inputs")) {
        if !references_input(&steps_text, &name) {
            problems.push(format!(
                "input `{name}` is declared but never used as `inputs.{name}` in the steps"
            ));
        }
    }

    for (name, output) in as_map(doc.get("outputs")) {
        let value = output.get("value").and_then(Value::as_str).unwrap_or("");
        if value.trim().is_empty() {
            problems.push(format!("output `{name}` has no `value:`"));
            continue;
        }
        if let Some(rest) = value.split("steps.").nth(1) {
            let id = rest.split('.').next().unwrap_or("");
            if !step_ids.iter().any(|s| s == id) {
                problems.push(format!(
                    "output `{name}` reads step `{id}`, which no step has as its id"
                ));
            }
        }
    }
    problems
}

/// The build cache around the install step, as problems.
fn check_build_cache(steps: &[Value]) -> Vec<String> {
    let position = |pred: &dyn Fn(&Value) -> bool| steps.iter().position(pred);
    let str_of = |s: &Value, k: &str| s.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
    let with_of = |s: &Value, k: &str| {
        s.get("with")
            .and_then(|w| w.get(k))
            .and_then(Value::as_str)
            .unwrap_or("")
            .replace(' ', "")
    };
    let uses = |prefix: &'static str| {
        move |s: &Value| {
            s.get("uses")
                .and_then(Value::as_str)
                .is_some_and(|u| u.starts_with(prefix))
        }
    };
    let plan = position(&|s| {
        str_of(s, "id") == "plan" && str_of(s, "run").contains("dist/install.sh\" --plan")
    });
    let install = position(&|s| str_of(s, "id") == "install");
    let restore = position(&uses("actions/cache/restore@"));
    let save = position(&uses("actions/cache/save@"));
    let (Some(plan), Some(install), Some(restore), Some(save)) = (plan, install, restore, save)
    else {
        return vec![
            "no build cache: a `plan` step (install.sh --plan), actions/cache/restore, then \
             the install step, then actions/cache/save"
                .to_owned(),
        ];
    };
    let mut problems = Vec::new();
    if !(plan < restore && restore < install && install < save) {
        problems.push(
            "the build cache steps are not in the order plan, restore, install, save".to_owned(),
        );
    }
    for i in [restore, save] {
        if with_of(&steps[i], "key") != "${{steps.plan.outputs.build-cache-key}}"
            || with_of(&steps[i], "path") != "${{steps.plan.outputs.build-cache-path}}"
        {
            problems.push(format!(
                "step {}: the cache key and path are not the plan's build-cache-key and build-cache-path",
                i + 1
            ));
        }
    }
    if !str_of(&steps[save], "if").contains("steps.install.outputs.source == 'build'") {
        problems
            .push("actions/cache/save does not run only when the install step built".to_owned());
    }
    problems
}

/// Whether a README mentions a name: as `` `name` `` or as a table cell.
fn mentions(readme: &str, name: &str) -> bool {
    readme.contains(&format!("`{name}`")) || readme.contains(&format!("| {name} |"))
}

/// What an `actions/<name>/` folder's README lacks.
fn check_readme(dir: &Path) -> Vec<String> {
    let action = ["action.yml", "action.yaml"]
        .iter()
        .map(|n| dir.join(n))
        .find(|p| p.is_file());
    let Some(action) = action else {
        return vec!["no action.yml".to_owned()];
    };
    let readme = match std::fs::read_to_string(dir.join("README.md")) {
        Ok(r) => r,
        Err(_) => return vec!["no README.md".to_owned()],
    };
    let doc = match load(&action) {
        Ok(doc) => doc,
        Err(e) => return vec![e],
    };
    let mut problems = Vec::new();
    for (kind, key) in [("input", "inputs"), ("output", "outputs")] {
        for (name, _) in as_map(doc.get(key)) {
            if !mentions(&readme, &name) {
                problems.push(format!("README.md does not mention the {kind} `{name}`"));
            }
        }
    }
    problems
}

fn report(what: &str, failures: &[(PathBuf, Vec<String>)]) -> String {
    let mut s = format!("{what}:\n");
    for (path, problems) in failures {
        for p in problems {
            s.push_str(&format!("  {}: {p}\n", path.display()));
        }
    }
    s
}

#[test]
fn every_action_follows_the_rules() {
    let actions = discover(repo_root());
    assert!(
        actions
            .iter()
            .any(|p| p.ends_with("actions/version-stamp/action.yml")),
        "discovery found {actions:?}"
    );
    let failures: Vec<_> = actions
        .iter()
        .map(|p| (p.clone(), check_action(p)))
        .filter(|(_, problems)| !problems.is_empty())
        .collect();
    assert!(
        failures.is_empty(),
        "{}",
        report("action.yml problems", &failures)
    );
}

#[test]
fn every_action_folder_has_a_complete_readme() {
    let dirs = action_dirs(repo_root());
    assert!(!dirs.is_empty());
    let failures: Vec<_> = dirs
        .iter()
        .map(|d| (d.clone(), check_readme(d)))
        .filter(|(_, problems)| !problems.is_empty())
        .collect();
    assert!(
        failures.is_empty(),
        "{}",
        report("README problems", &failures)
    );
}

// ---- the checks can fail ------------------------------------------------

const GOOD: &str = r#"
name: t
description: t
inputs:
  sha:
    description: s
  sha-length:
    description: n
  token:
    description: t
    default: ${{ github.token }}
outputs:
  version:
    description: v
    value: ${{ steps.run.outputs.version }}
runs:
  using: composite
  steps:
    - id: plan
      shell: bash
      run: bash "$GITHUB_ACTION_PATH/../../dist/install.sh" --plan
    - if: steps.plan.outputs.build-cache-key != ''
      uses: actions/cache/restore@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0
      with:
        path: ${{ steps.plan.outputs.build-cache-path }}
        key: ${{ steps.plan.outputs.build-cache-key }}
    - id: install
      shell: bash
      env:
        SHIPGATE_TOKEN: ${{ inputs.token }}
      run: bash "$GITHUB_ACTION_PATH/../../dist/install.sh"
    - if: steps.install.outputs.source == 'build' && steps.plan.outputs.build-cache-key != ''
      uses: actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0
      with:
        path: ${{ steps.plan.outputs.build-cache-path }}
        key: ${{ steps.plan.outputs.build-cache-key }}
    - id: run
      shell: bash
      env:
        SHIPGATE_BIN: ${{ steps.install.outputs.path }}
        INPUT_SHA: ${{ inputs.sha }}
        INPUT_SHA_LENGTH: ${{ inputs.sha-length }}
      run: |
        set -euo pipefail
        "$SHIPGATE_BIN/tool"
"#;

/// Writes `actions/t/action.yml` (and a README) into a temp tree.
fn tree(action: &str, readme: &str) -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let dir = root.path().join("actions").join("t");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("action.yml"), action).unwrap();
    std::fs::write(dir.join("README.md"), readme).unwrap();
    (root, dir)
}

fn problems_of(action: &str) -> Vec<String> {
    let (root, _) = tree(action, "");
    let found = discover(root.path());
    assert_eq!(found.len(), 1, "{found:?}");
    check_action(&found[0])
}

#[test]
fn a_good_action_passes() {
    assert_eq!(problems_of(GOOD), Vec::<String>::new());
}

#[test]
fn an_expression_in_run_is_caught() {
    let bad = GOOD.replace(
        r#""$SHIPGATE_BIN/tool""#,
        r#""$SHIPGATE_BIN/tool" --sha "${{ inputs.sha }}""#,
    );
    let p = problems_of(&bad);
    assert_eq!(p.len(), 1, "{p:?}");
    assert!(p[0].contains("step `run`: `run:` contains `${{`"), "{p:?}");
}

#[test]
fn an_unused_input_is_caught() {
    // `inputs.sha-length` must not count as a use of `sha`.
    let bad = GOOD.replace("        INPUT_SHA: ${{ inputs.sha }}\n", "");
    let p = problems_of(&bad);
    assert_eq!(
        p,
        ["input `sha` is declared but never used as `inputs.sha` in the steps"]
    );
}

#[test]
fn an_output_without_a_value_is_caught() {
    let bad = GOOD.replace("    value: ${{ steps.run.outputs.version }}\n", "");
    assert_eq!(problems_of(&bad), ["output `version` has no `value:`"]);
    let bad = GOOD.replace("steps.run.outputs.version", "steps.runn.outputs.version");
    assert_eq!(
        problems_of(&bad),
        ["output `version` reads step `runn`, which no step has as its id"]
    );
}

#[test]
fn a_step_without_a_shell_is_caught() {
    let bad = GOOD.replacen("    - id: run\n      shell: bash\n", "    - id: run\n", 1);
    assert_eq!(
        problems_of(&bad),
        ["step `run`: a `run:` step without `shell:`"]
    );
}

#[test]
fn a_missing_install_step_is_caught() {
    let bad = GOOD.replace("id: install", "id: setup");
    let p = problems_of(&bad);
    assert!(
        p.contains(&"no `id: install` step (dist/install.sh)".to_owned()),
        "{p:?}"
    );
    let bad = GOOD.replace(
        "run: bash \"$GITHUB_ACTION_PATH/../../dist/install.sh\"\n",
        "run: curl -sSf https://example.invalid/install | sh\n",
    );
    let p = problems_of(&bad);
    assert_eq!(
        p,
        ["the `install` step does not run dist/install.sh from $GITHUB_ACTION_PATH"]
    );
}

#[test]
fn an_install_step_without_the_token_is_caught() {
    let bad = GOOD.replace(
        "        SHIPGATE_TOKEN: ${{ inputs.token }}\n",
        "        SHIPGATE_TOKEN: ${{ github.token }}\n",
    );
    assert_eq!(
        problems_of(&bad),
        [
            "the `install` step does not pass `SHIPGATE_TOKEN: ${{ inputs.token }}` (a private fork's release needs it)",
            "input `token` is declared but never used as `inputs.token` in the steps"
        ]
    );
    let bad = GOOD
        .replace(
            "      env:\n        SHIPGATE_TOKEN: ${{ inputs.token }}\n",
            "",
        )
        .replace(
            "  token:\n    description: t\n    default: ${{ github.token }}\n",
            "",
        );
    assert_eq!(
        problems_of(&bad),
        [
            "the `install` step does not pass `SHIPGATE_TOKEN: ${{ inputs.token }}` (a private fork's release needs it)",
            "no `token` input (for a private fork's release)"
        ]
    );
}

#[test]
fn a_missing_or_miswired_build_cache_is_caught() {
    let bad = GOOD.replace("actions/cache/save@", "actions/cache/restore@");
    assert!(
        problems_of(&bad)[0].starts_with("no build cache"),
        "{:?}",
        problems_of(&bad)
    );
    let bad = GOOD.replace(" --plan\n", "\n");
    assert!(problems_of(&bad)[0].starts_with("no build cache"));
    let bad = GOOD.replacen(
        "key: ${{ steps.plan.outputs.build-cache-key }}",
        "key: shipgate-${{ github.sha }}",
        1,
    );
    assert_eq!(
        problems_of(&bad),
        ["step 2: the cache key and path are not the plan's build-cache-key and build-cache-path"]
    );
    let bad = GOOD.replace("steps.install.outputs.source == 'build' && ", "");
    assert_eq!(
        problems_of(&bad),
        ["actions/cache/save does not run only when the install step built"]
    );
}

#[test]
fn an_unpinned_uses_is_caught() {
    let bad = GOOD.replace(
        "actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0",
        "actions/cache/save@v4",
    );
    assert_eq!(
        problems_of(&bad),
        ["`uses: actions/cache/save@v4` is not pinned to a full commit SHA with a `# vX` comment"]
    );
    let bad = GOOD.replace(
        "actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830 # v4.3.0",
        "actions/cache/save@0057852bfaa89a56745cba8c7296529d2fc39830",
    );
    assert_eq!(problems_of(&bad).len(), 1, "{:?}", problems_of(&bad));
}

#[test]
fn not_composite_or_not_yaml_is_caught() {
    let bad = GOOD.replace("using: composite", "using: node20");
    assert_eq!(problems_of(&bad), ["runs.using is not `composite`"]);
    let p = problems_of("name: [unclosed\n");
    assert_eq!(p.len(), 1);
    assert!(p[0].starts_with("not valid YAML"), "{p:?}");
}

#[test]
fn a_readme_missing_an_input_or_output_is_caught() {
    let (_root, dir) = tree(
        GOOD,
        "# t\n\n| `sha` | no |\n| sha-length | no |\n| `token` | no |\n",
    );
    assert_eq!(
        check_readme(&dir),
        ["README.md does not mention the output `version`"]
    );
    let (_root, dir) = tree(GOOD, "`sha` `sha-length` `token` `version`");
    assert_eq!(check_readme(&dir), Vec::<String>::new());
    std::fs::remove_file(dir.join("README.md")).unwrap();
    assert_eq!(check_readme(&dir), ["no README.md"]);
}

#[test]
fn discovery_finds_the_root_action_and_every_folder() {
    let (root, _) = tree(GOOD, "");
    std::fs::write(root.path().join("action.yml"), GOOD).unwrap();
    let other = root.path().join("actions").join("a-first");
    std::fs::create_dir_all(&other).unwrap();
    std::fs::write(other.join("action.yaml"), GOOD).unwrap();
    let found: Vec<String> = discover(root.path())
        .iter()
        .map(|p| p.strip_prefix(root.path()).unwrap().display().to_string())
        .collect();
    assert_eq!(
        found,
        [
            "action.yml",
            "actions/a-first/action.yaml",
            "actions/t/action.yml"
        ]
    );
}

#[test]
fn input_references_are_whole_names() {
    assert!(references_input("${{ inputs.sha }}", "sha"));
    assert!(references_input("${{inputs.sha}}", "sha"));
    assert!(references_input("inputs.sha", "sha"));
    assert!(!references_input("${{ inputs.sha-length }}", "sha"));
    assert!(!references_input("${{ inputs.sha_x }}", "sha"));
    assert!(!references_input("${{ myinputs.sha }}", "sha"));
    assert!(references_input("${{ inputs.sha-length }}", "sha-length"));
}
