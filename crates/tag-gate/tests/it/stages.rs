//! A stage the chain does not have is bad input on every command that
//! takes one (exit 2, naming the stage and the chain), never a closed gate
//! that advises promoting into it.

use crate::support::{Fixture, version_of};

/// Every command, with `STAGE` where its stage goes.
fn commands(version: &str) -> Vec<Vec<String>> {
    let with = |parts: &[&str]| parts.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
    vec![
        with(&["create", "--stage", "STAGE", "--version", version]),
        with(&["require", "--stage", "STAGE", "--version", version]),
        with(&["promote", "--to", "STAGE", "--version", version]),
        with(&[
            "record",
            "--stage",
            "STAGE",
            "--version",
            version,
            "--status",
            "success",
        ]),
        with(&["current", "--stage", "STAGE"]),
        with(&["previous", "--stage", "STAGE"]),
        with(&["history", "--stage", "STAGE"]),
        with(&[
            "revoke",
            "--stage",
            "STAGE",
            "--version",
            version,
            "--reason",
            "broken",
        ]),
        with(&["latest", "--stage", "STAGE"]),
        with(&["list", "--stage", "STAGE"]),
        with(&["show", "--stage", "STAGE", "--version", version]),
    ]
}

#[test]
fn a_stage_outside_the_chain_exits_2_on_every_command() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: one");
    let v = version_of(&sha);
    fixture.tag_gate(&["create", "--version", &v]).ok();
    let before = fixture.remote_refs();
    for (stage, chain) in [("nope", None), ("prd", None), ("prod", Some("build,qa"))] {
        for cmd in commands(&v) {
            let mut args: Vec<&str> = cmd
                .iter()
                .map(|a| if a == "STAGE" { stage } else { a.as_str() })
                .collect();
            if let Some(c) = chain {
                args.extend(["--chain", c]);
            }
            let shown = chain.unwrap_or("build,qa,prod");
            let r = fixture.tag_gate(&args);
            r.code(2)
                .says(&[&format!("'{stage}' is not a stage of {shown}"), "--chain"]);
            assert!(
                !r.stderr.contains("tag-gate promote --to"),
                "{args:?} advises promoting into a stage that does not exist:\n{}",
                r.stderr
            );
            // The same through the action's inputs (env twins), with --json.
            let mut env: Vec<(&str, &str)> = Vec::new();
            let stage_var = if cmd[0] == "promote" {
                "INPUT_TO"
            } else {
                "INPUT_STAGE"
            };
            env.push((stage_var, stage));
            if let Some(c) = chain {
                env.push(("INPUT_CHAIN", c));
            }
            let mut rest: Vec<&str> = vec![cmd[0].as_str(), "--json"];
            let mut i = 1;
            while i < cmd.len() {
                if cmd[i + 1] != "STAGE" {
                    rest.extend([cmd[i].as_str(), cmd[i + 1].as_str()]);
                }
                i += 2;
            }
            fixture
                .tag_gate_env(&rest, &env)
                .code(2)
                .says(&[&format!("'{stage}' is not a stage of {shown}")]);
        }
    }
    assert_eq!(fixture.remote_refs(), before, "nothing was written");
}

/// `--soft` does not turn bad input into a closed gate.
#[test]
fn soft_does_not_soften_an_unknown_stage() {
    let mut fixture = Fixture::new();
    let v = version_of(&fixture.commit("feat: one"));
    fixture
        .tag_gate(&["require", "--stage", "nope", "--version", &v, "--soft"])
        .code(2)
        .says(&["'nope' is not a stage of build,qa,prod"]);
}
