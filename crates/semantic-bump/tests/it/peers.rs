//! The peers' own published cases, run through the binary.
//!
//! `tests/peers/action-semantic-pull-request.json` holds the inputs and
//! expectations of amannn/action-semantic-pull-request's
//! `src/validatePrTitle.test.js` (commit b439535), each case naming the test
//! it comes from; their options are passed as our flags (`types` →
//! `--types`, `headerPattern` → `--header-pattern`, …). A migration from that
//! action is a rename: every case must give the same verdict, and a failure
//! must carry the detail their message carries.

use crate::common::{Repo, json_str, parsed};
use semantic_bump::lint::{TitleRules, lint_commit};
use semantic_bump::message;
use serde_json::Value;

fn flag(option: &str) -> &'static str {
    match option {
        "types" => "--types",
        "scopes" => "--scopes",
        "disallowScopes" => "--disallow-scopes",
        "subjectPattern" => "--subject-pattern",
        "subjectPatternError" => "--subject-pattern-error",
        "headerPattern" => "--header-pattern",
        "headerPatternCorrespondence" => "--header-pattern-correspondence",
        other => panic!("an option this test does not map: {other}"),
    }
}

#[test]
fn action_semantic_pull_request_validate_pr_title() {
    let text = include_str!("../peers/action-semantic-pull-request.json");
    let suite: Value = serde_json::from_str(text).unwrap();
    let r = Repo::new();
    let cases = suite["cases"].as_array().unwrap();
    let mut wrong = Vec::new();
    for c in cases {
        let mut args = vec!["lint-title".to_owned(), "--json".to_owned()];
        if let Some(opts) = c["options"].as_object() {
            for (k, v) in opts {
                if k == "requireScope" {
                    if v == true {
                        args.push("--require-scope".into());
                    }
                    continue;
                }
                let value = match v {
                    // their lists are one item per line
                    Value::Array(items) => items
                        .iter()
                        .map(|i| i.as_str().unwrap())
                        .collect::<Vec<_>>()
                        .join("\n"),
                    other => other.as_str().unwrap().to_owned(),
                };
                args.push(format!("{}={value}", flag(k)));
            }
        }
        args.push("--".into());
        args.push(c["title"].as_str().unwrap().into());
        r.reset_files();
        let (code, j, err) = parsed(r.cmd().args(&args).output().unwrap());
        let want_pass = c["pass"] == true;
        let agrees = if want_pass {
            code == 0 && j["passed"] == true
        } else {
            code == 1
                && j["passed"] == false
                && c["message"]
                    .as_str()
                    .is_none_or(|m| json_str(&j, "message").contains(m))
        };
        if !agrees {
            wrong.push(format!(
                "{}: {args:?} → exit {code}, {j} {err}",
                c["source"]
            ));
        }
    }
    assert!(
        wrong.is_empty(),
        "{} of {} cases disagree:\n{}",
        wrong.len(),
        cases.len(),
        wrong.join("\n")
    );
}

/// Their `wip` option: a `[WIP] ` title is pending, not failed (src/index.js:
/// `/^\[WIP\]\s/`).
#[test]
fn wip_titles_are_skipped() {
    let r = Repo::new();
    let (code, j, _) = parsed(
        r.cmd()
            .args(["lint-title", "--json", "--wip", "[WIP] not done"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        (code, j["skipped"].as_bool(), j["wip"].as_bool()),
        (0, Some(true), Some(true)),
        "{j}"
    );
    // without --wip it is a title like any other
    let (code, j, _) = parsed(
        r.cmd()
            .args(["lint-title", "--json", "[WIP] not done"])
            .output()
            .unwrap(),
    );
    assert_eq!((code, json_str(&j, "rule")), (1, "header-format"), "{j}");
    // and --wip does not let a bad title without the marker through
    let (code, _, _) = parsed(
        r.cmd()
            .env("INPUT_WIP", "true")
            .args(["lint-title", "--json", "WIP stuff"])
            .output()
            .unwrap(),
    );
    assert_eq!(code, 1);
}

/// Their README's header pattern, with `/…/` delimiters, and a
/// correspondence that names the groups in another order.
#[test]
fn header_patterns_and_their_correspondence() {
    let r = Repo::new();
    let run = |args: &[&str]| {
        r.reset_files();
        parsed(
            r.cmd()
                .arg("lint-title")
                .arg("--json")
                .args(args)
                .output()
                .unwrap(),
        )
    };
    let hp = r"/^(\w*)(?:\(([\w$.\-*/ ]*)\))?: (.*)$/";
    let (code, j, e) = run(&["--header-pattern", hp, "feat(ui): x"]);
    assert_eq!(
        (code, json_str(&j, "type"), json_str(&j, "scope")),
        (0, "feat", "ui"),
        "{j}{e}"
    );
    // subject first, then type
    let (code, j, e) = run(&[
        "--header-pattern",
        r"^(.*) \[(\w+)\]$",
        "--header-pattern-correspondence",
        "subject,type",
        "add the thing [feat]",
    ]);
    assert_eq!(
        (code, json_str(&j, "type"), json_str(&j, "bump")),
        (0, "feat", "minor"),
        "{j}{e}"
    );
    // a correspondence naming more groups than the pattern has: exit 2
    let (code, _, err) = run(&[
        "--header-pattern",
        r"^(\w+): (.*)$",
        "--header-pattern-correspondence",
        "type,scope,subject",
        "feat: x",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("has 2 capture groups"), "{err}");
    // a name that is not type, scope or subject: exit 2
    let (code, _, err) = run(&[
        "--header-pattern",
        r"^(\w+): (.*)$",
        "--header-pattern-correspondence",
        "kind,subject",
        "feat: x",
    ]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("'kind'"), "{err}");
}

/// A pattern that does not compile exits 2 naming the pattern, the
/// position and what is wrong — in every list.
#[test]
fn bad_patterns_exit_2_with_the_position() {
    let r = Repo::new();
    for (flag, value, needle) in [
        (
            "--types",
            "feat\n[A-Z+",
            "'[A-Z+' does not compile (at character 1)",
        ),
        (
            "--scopes",
            "api,(ui",
            "'(ui' does not compile (at character 1)",
        ),
        ("--disallow-scopes", "a{2,1}", "'a{2,1}' does not compile"),
        ("--header-pattern", "/^(\\w+: (.*)$/", "does not compile"),
        (
            "--subject-pattern",
            "(?<=a+)b",
            "'(?<=a+)b' does not compile",
        ),
    ] {
        let out = r
            .cmd()
            .args(["lint-title", "feat: x", &format!("{flag}={value}")])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{flag}: {err}");
        assert!(err.contains(needle), "{flag}: {err}");
    }
}

/// The Conventional Commits 1.0.0 specification's own examples
/// (`tests/peers/conventional-commits-spec.json`, each naming its
/// example): committed on top of v1.0.0, `next` bumps as the spec says.
#[test]
fn conventional_commits_spec_examples() {
    let text = include_str!("../peers/conventional-commits-spec.json");
    let suite: Value = serde_json::from_str(text).unwrap();
    let mut wrong = Vec::new();
    for c in suite["cases"].as_array().unwrap() {
        let r = Repo::new();
        r.commit("chore: initial");
        r.tag("v1.0.0");
        r.commit(c["message"].as_str().unwrap());
        let j = r.next_ok(&[]);
        if j["bump"] != c["bump"] {
            wrong.push(format!("{}: {}", c["source"], j["bump"]));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// One case of a parser or rule suite (`tests/peers/<peer>.json`): a
/// message, the peer's verdict, and what the peer read from it.
struct Verdict {
    agrees: bool,
    got: String,
}

fn rules_of(c: &Value) -> TitleRules {
    use semantic_bump::pattern::Pattern;
    let mut rules = TitleRules::default();
    // a parser suite checks the form, not a type list
    if c["default_types"] != true {
        rules.types = vec![Pattern::whole(".+", true).unwrap()];
    }
    let list = |k: &str, ci: bool| -> Option<Vec<Pattern>> {
        c["options"][k].as_array().map(|items| {
            items
                .iter()
                .map(|i| Pattern::whole(i.as_str().unwrap(), ci).unwrap())
                .collect()
        })
    };
    if let Some(t) = list("types", true) {
        rules.types = t;
    }
    rules.scopes = list("scopes", false);
    rules.disallow_scopes = list("disallowScopes", false).unwrap_or_default();
    rules.require_scope = c["options"]["requireScope"] == true;
    rules
}

/// Our verdict (the commit check, which reads the header with the one
/// parse every command shares) and reading, against the peer's.
fn judge(c: &Value) -> Verdict {
    let msg = c["message"].as_str().unwrap();
    let lint = lint_commit(msg, &rules_of(c));
    let mut got = match &lint {
        Ok(()) => "pass".to_owned(),
        Err(f) => format!("fail {}: {}", f.rule.id(), f.message),
    };
    let mut agrees = lint.is_ok() == (c["pass"] == true);
    if agrees && lint.is_ok() {
        let m = message::parse(msg);
        if let Some(want) = c["revert"].as_str() {
            agrees = m.revert.as_ref().and_then(|r| r.header) == Some(want);
        }
        if let Ok(h) = &m.header {
            got = format!(
                "pass: type {:?}, scope {:?}, description {:?}, breaking {}",
                h.ty,
                h.scope,
                h.description,
                h.breaking()
            );
            let field = |k: &str, ours: Option<&str>| c[k].as_str().is_none_or(|w| ours == Some(w));
            agrees = agrees
                && field("type", Some(h.ty))
                && field("scope", h.scope)
                && field("description", Some(h.description))
                && c["breaking"].as_bool().is_none_or(|b| b == h.breaking());
        } else if c["type"].is_string() {
            agrees = false;
        }
    }
    Verdict { agrees, got }
}

/// Runs a suite: every case agrees with the peer, except those marked
/// `differs` (each with its reason, and a row in the README's edge-case
/// table), which must still differ. Prints the agreement count.
#[allow(clippy::print_stderr)] // the counts measured, on the test's stderr
fn run_suite(text: &str) {
    let suite: Value = serde_json::from_str(text).unwrap();
    let cases = suite["cases"].as_array().unwrap();
    let mut unexpected = Vec::new();
    let mut agree = 0;
    for c in cases {
        let v = judge(c);
        agree += usize::from(v.agrees);
        let on_purpose = c["differs"].is_string();
        if v.agrees == on_purpose {
            unexpected.push(format!(
                "{} {:?}: peer {}, ours {}{}",
                c["source"],
                c["message"].as_str().unwrap(),
                if c["pass"] == true { "pass" } else { "fail" },
                v.got,
                if on_purpose {
                    " (marked `differs`, but agrees)"
                } else {
                    ""
                }
            ));
        }
    }
    eprintln!(
        "{}: {agree} of {} agree",
        suite["suite"].as_str().unwrap(),
        cases.len()
    );
    assert!(
        unexpected.is_empty(),
        "{}: {} unexpected:\n{}",
        suite["suite"],
        unexpected.len(),
        unexpected.join("\n")
    );
}

#[test]
fn git_conventional_parser_tests() {
    run_suite(include_str!("../peers/git-conventional.json"));
}

#[test]
fn conventional_commits_parser_tests() {
    run_suite(include_str!("../peers/conventional-commits-parser.json"));
}

#[test]
fn commitlint_rule_tests() {
    run_suite(include_str!("../peers/commitlint.json"));
}

#[test]
fn cocogitto_verify_tests() {
    run_suite(include_str!("../peers/cocogitto.json"));
}
