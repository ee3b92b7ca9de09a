//! One header, one verdict: `lint-title`, `lint-commits`, `next`,
//! `changelog` and `lint-pr` read a header through the same parse and the
//! same rules (spacing and leading whitespace included). A header that
//! fails the lint commands is not counted by `next` and `changelog`, and
//! `next` names it in a warning with the rule it broke.

use crate::common::{Repo, json_str, parsed};
use github_standin::{NewPull, StandIn};
use serde_json::{Value, json};

/// (header, the rule every command names)
const CASES: &[(&str, &str)] = &[
    ("feat:add x", "space-after-colon"),
    ("feat:  two spaces", "space-after-colon"),
    ("feat( api ): spaced", "header-format"),
    ("feat!:x", "space-after-colon"),
    ("fix(bar):     x", "space-after-colon"),
    (" feat: x", "leading-whitespace"),
    ("\tfeat: x", "leading-whitespace"),
];

fn run(r: &Repo, args: &[&str]) -> (i32, Value, String) {
    r.reset_files();
    parsed(r.cmd().args(args).output().unwrap())
}

#[test]
fn every_command_gives_a_header_the_same_verdict() {
    let mut wrong = Vec::new();
    for (header, rule) in CASES {
        let r = Repo::new();
        r.commit("chore: initial");
        r.tag("v1.0.0");
        let sha = r.commit(header);

        let (code, j, _) = run(&r, &["lint-title", "--json", header]);
        if (code, json_str(&j, "rule")) != (1, *rule) {
            wrong.push(format!("lint-title {header:?}: exit {code}, {j}"));
        }

        let (code, j, _) = run(&r, &["lint-commits", "--json"]);
        let got = j["failures"][0]["rule"].as_str().unwrap_or_default();
        if (code, got) != (1, *rule) {
            wrong.push(format!("lint-commits {header:?}: exit {code}, {j}"));
        }

        let (code, j, _) = run(&r, &["next", "--json"]);
        let warned = j["warnings"].as_array().is_some_and(|ws| {
            ws.iter().any(|w| {
                w["sha"] == sha.as_str()
                    && w["kind"] == "not-conventional"
                    && w["message"].as_str().unwrap_or("").contains(rule)
            })
        });
        let detail = j["decision"]["detail"].as_str().unwrap_or("");
        if code != 0 || json_str(&j, "bump") != "none" || !warned || !detail.contains(&sha[..7]) {
            wrong.push(format!("next {header:?}: exit {code}, {j}"));
        }

        let (code, j, _) = run(&r, &["changelog", "--json"]);
        let warned = j["warnings"]
            .as_array()
            .is_some_and(|ws| ws.iter().any(|w| w["sha"] == sha.as_str()));
        if code != 0 || j["entries"] != 0 || !warned {
            wrong.push(format!("changelog {header:?}: exit {code}, {j}"));
        }

        let gh = StandIn::start();
        gh.add_pull(NewPull::new(5, header));
        let event = r.tmp.path().join("event.json");
        let payload = json!({"pull_request": {"number": 5, "base": {"sha": r.head()}}});
        std::fs::write(&event, payload.to_string()).unwrap();
        r.reset_files();
        let mut c = r.cmd();
        for (k, v) in gh.env() {
            c.env(k, v);
        }
        c.env("GITHUB_EVENT_NAME", "pull_request")
            .env("GITHUB_EVENT_PATH", &event)
            .args(["lint-pr", "--json"]);
        let (code, j, _) = parsed(c.output().unwrap());
        if (code, json_str(&j, "rule")) != (1, *rule) {
            wrong.push(format!("lint-pr {header:?}: exit {code}, {j}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The same headers, well-formed, release in `next` and pass the lints.
#[test]
fn the_well_formed_twins_pass_and_release() {
    for (header, bump) in [
        ("feat: add x", "minor"),
        ("feat!: x", "major"),
        ("fix(bar): x", "patch"),
        ("feat(api): spaced", "minor"),
    ] {
        let r = Repo::new();
        r.commit("chore: initial");
        r.tag("v1.0.0");
        r.commit(header);
        let (code, j, _) = run(&r, &["lint-title", "--json", header]);
        assert_eq!((code, json_str(&j, "bump")), (0, bump), "{header}: {j}");
        let (code, j, _) = run(&r, &["lint-commits", "--json"]);
        assert_eq!(code, 0, "{header}: {j}");
        let j = r.next_ok(&[]);
        assert_eq!(json_str(&j, "bump"), bump, "{header}: {j}");
        assert_eq!(j["warnings"], json!([]), "{header}: {j}");
    }
}
