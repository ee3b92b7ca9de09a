//! `actions/tag-gate/action.yml` run as the runner would: its `run:` script
//! in bash, with exactly the `env:` it declares, inputs filled from what a
//! workflow passes or their defaults. Every output the binary writes is
//! declared, and the inputs' defaults are accepted by every command.

use crate::support::{Fixture, Run, RunFiles, bin, sha256_hex, version_of};
use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

/// What the tests need from action.yml, read line by line (its layout is
/// the house style: two-space indents, `id: run` step with `env:` then
/// `run: |`). The shape is also checked by /tests/actions.rs.
struct Action {
    /// Input name → default.
    inputs: BTreeMap<String, String>,
    /// Output name → value.
    outputs: BTreeMap<String, String>,
    /// The `run` step's env and script.
    env: Vec<(String, String)>,
    script: String,
}

fn indent(line: &str) -> usize {
    line.len() - line.trim_start().len()
}

fn unquote(s: &str) -> String {
    let s = s.trim();
    s.strip_prefix('"')
        .and_then(|s| s.strip_suffix('"'))
        .unwrap_or(s)
        .to_owned()
}

fn action() -> Action {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../actions/tag-gate/action.yml");
    let text = std::fs::read_to_string(path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut a = Action {
        inputs: BTreeMap::new(),
        outputs: BTreeMap::new(),
        env: Vec::new(),
        script: String::new(),
    };
    let mut section = "";
    let mut current = String::new();
    let mut i = 0;
    while i < lines.len() {
        let line = lines[i];
        let t = line.trim();
        i += 1;
        if t.is_empty() || t.starts_with('#') {
            continue;
        }
        match indent(line) {
            0 => section = t.trim_end_matches(':'),
            2 if section == "inputs" || section == "outputs" => {
                current = t.trim_end_matches(':').to_owned();
                if section == "inputs" {
                    a.inputs.insert(current.clone(), String::new());
                }
            }
            4 if section == "inputs" => {
                if let Some(d) = t.strip_prefix("default:") {
                    a.inputs.insert(current.clone(), unquote(d));
                }
            }
            4 if section == "outputs" => {
                if let Some(v) = t.strip_prefix("value:") {
                    a.outputs.insert(current.clone(), unquote(v));
                }
            }
            4 if section == "runs" && t == "- id: run" => {
                while i < lines.len() && (indent(lines[i]) > 4 || lines[i].trim().is_empty()) {
                    let l = lines[i];
                    i += 1;
                    if l.trim() == "env:" {
                        while i < lines.len() && indent(lines[i]) >= 8 {
                            let (k, v) = lines[i].trim().split_once(": ").expect("KEY: VALUE");
                            a.env.push((k.to_owned(), unquote(v)));
                            i += 1;
                        }
                    } else if l.trim() == "run: |" {
                        while i < lines.len()
                            && (indent(lines[i]) >= 8 || lines[i].trim().is_empty())
                        {
                            a.script.push_str(lines[i].get(8..).unwrap_or(""));
                            a.script.push('\n');
                            i += 1;
                        }
                    }
                }
            }
            _ => {}
        }
    }
    assert!(
        !a.env.is_empty() && !a.script.is_empty(),
        "no run step found"
    );
    assert!(a.inputs.len() > 10 && a.outputs.len() > 10);
    a
}

/// Runs the `run` step's script with `with:` values over the defaults.
fn run_action(fixture: &Fixture, with: &[(&str, &str)]) -> Run {
    let a = action();
    let with: BTreeMap<&str, &str> = with.iter().copied().collect();
    for k in with.keys() {
        assert!(a.inputs.contains_key(*k), "no input {k}");
    }
    let files = RunFiles::new(fixture.dir.path());
    let mut cmd = crate::support::scrubbed("bash", &fixture.home);
    cmd.current_dir(&fixture.work)
        .env("GITHUB_OUTPUT", files.output())
        .env("GITHUB_STEP_SUMMARY", files.summary())
        .env("GITHUB_ACTIONS", "true")
        .args(["-c", &a.script]);
    for (name, value) in &a.env {
        let value = if value.starts_with("${{ steps.install.outputs.path }}") {
            bin().parent().unwrap().display().to_string()
        } else if let Some(input) = value
            .strip_prefix("${{ inputs.")
            .and_then(|v| v.strip_suffix(" }}"))
        {
            match with.get(input) {
                Some(v) => v.to_string(),
                None => {
                    let d = a.inputs[input].clone();
                    // `${{ github.token }}`: a token the git backend ignores.
                    if d.contains("${{") {
                        "ghs_unused".into()
                    } else {
                        d
                    }
                }
            }
        } else {
            panic!("{name}: unexpected env value {value}");
        };
        cmd.env(name, value);
    }
    files.read(cmd.output().unwrap())
}

#[test]
fn the_action_runs_the_chain_and_declares_every_output() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: one");
    let v = version_of(&sha);
    let art = fixture.dir.path().join("app.tar.gz");
    std::fs::write(&art, b"bytes").unwrap();
    let art = art.to_str().unwrap();
    let git = ("backend", "git");
    let mut written = BTreeSet::new();
    let mut step = |with: &[(&str, &str)]| {
        let r = run_action(&fixture, with);
        r.ok();
        written.extend(r.outputs.keys().cloned());
        r
    };

    let r = step(&[
        git,
        ("command", " create\n"),
        ("version", &v),
        ("artifact", art),
    ]);
    assert_eq!(
        r.out("artifact-digest"),
        format!("sha256:{}", sha256_hex(b"bytes"))
    );
    assert_eq!(r.out("created"), "true");
    step(&[
        git,
        ("command", "promote"),
        ("to", "qa"),
        ("version", &v),
        ("artifact", art),
    ]);
    step(&[
        git,
        ("command", "require"),
        ("stage", "qa"),
        ("version", &v),
    ]);
    step(&[git, ("command", "show"), ("stage", "qa"), ("version", &v)]);
    let r = step(&[git, ("command", "latest"), ("stage", "qa")]);
    assert_eq!(r.out("version"), v);
    step(&[git, ("command", "list"), ("stage", "qa"), ("limit", "5")]);
    for status in ["in_progress", "success"] {
        step(&[
            git,
            ("command", "record"),
            ("stage", "qa"),
            ("version", &v),
            ("status", status),
            ("url", "https://qa.example.com"),
            ("note", "first"),
        ]);
    }
    step(&[git, ("command", "current"), ("stage", "qa")]);
    let v2 = version_of(&fixture.commit("feat: two"));
    let v1 = v.clone();
    let mut step = |with: &[(&str, &str)]| {
        let r = run_action(&fixture, with);
        r.ok();
        written.extend(r.outputs.keys().cloned());
        r
    };
    step(&[
        git,
        ("command", "record"),
        ("stage", "qa"),
        ("version", &v2),
        ("status", "success"),
    ]);
    let r = step(&[git, ("command", "previous"), ("stage", "qa")]);
    assert_eq!(r.out("version"), v1);
    assert_eq!(r.out("current"), v2);
    step(&[git, ("command", "history"), ("stage", "qa")]);
    step(&[
        git,
        ("command", "revoke"),
        ("stage", "prod"),
        ("version", &v),
        ("reason", "bad"),
    ]);
    let r = step(&[
        git,
        ("command", "promote"),
        ("to", "prod"),
        ("version", &v),
        ("soft", "true"),
    ]);
    assert_eq!(r.out("passed"), "false");

    let declared: BTreeSet<String> = action().outputs.keys().cloned().collect();
    let undeclared: Vec<&String> = written.difference(&declared).collect();
    assert!(
        undeclared.is_empty(),
        "outputs written but not declared: {undeclared:?}"
    );
    for (name, value) in action().outputs {
        assert_eq!(value, format!("${{{{ steps.run.outputs.{name} }}}}"));
    }
    let unwritten: Vec<&String> = declared.difference(&written).collect();
    assert!(
        unwritten.is_empty(),
        "declared but never written: {unwritten:?}"
    );
}

#[test]
fn the_action_refuses_and_fails_the_step() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: one");
    let v = version_of(&sha);
    let git = ("backend", "git");
    run_action(&fixture, &[git, ("command", "create"), ("version", &v)]).ok();
    let r = run_action(
        &fixture,
        &[git, ("command", "promote"), ("to", "prod"), ("version", &v)],
    );
    r.code(1)
        .says(&["::error title=tag-gate::", &format!("qa-{v} not found")]);
    // An unknown command is bad input, whatever it contains.
    let r = run_action(&fixture, &[git, ("command", "$(touch pwned)")]);
    r.code(2);
    assert!(!fixture.work.join("pwned").exists());
    let r = run_action(&fixture, &[git, ("command", "create"), ("version", "nope")]);
    r.code(2).says(&["invalid version 'nope'"]);
    // The token is masked first, even when the git backend does not use it.
    let r = run_action(&fixture, &[git, ("command", "latest"), ("stage", "build")]);
    r.ok();
    assert!(
        r.stderr.starts_with("::add-mask::ghs_unused"),
        "{}",
        r.stderr
    );
}
