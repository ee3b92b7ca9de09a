//! The title and commit checks, and the examples built from failing titles.

use super::*;

fn ws(words: &[&str], ci: bool) -> Vec<Pattern> {
    words
        .iter()
        .map(|w| Pattern::whole(w, ci).unwrap())
        .collect()
}

fn rules() -> TitleRules {
    TitleRules::default()
}

fn rule_of(title: &str, r: &TitleRules) -> Option<LintRule> {
    lint_title(title, r).err().map(|f| f.rule)
}

#[test]
fn valid_titles() {
    let r = rules();
    let ok = lint_title("feat(api)!: drop v1", &r).unwrap();
    assert_eq!(
        (ok.ty.as_str(), ok.scope.as_deref(), ok.breaking, ok.bump),
        ("feat", Some("api"), true, Bump::Major)
    );
    assert_eq!(lint_title("FIX: shout", &r).unwrap().bump, Bump::Patch);
    assert_eq!(lint_title("docs: x", &r).unwrap().bump, Bump::None);
    let rev = lint_title("Revert \"feat: x\"", &r).unwrap();
    assert!(rev.revert);
    // A revert is worth what it undoes (when released before).
    assert_eq!(rev.bump, Bump::Minor);
    let docs = lint_title("Revert \"docs: x\" (#12)", &r).unwrap();
    assert!(docs.revert);
    assert_eq!(docs.bump, Bump::None);
}

#[test]
fn each_rule_by_name() {
    let r = rules();
    assert_eq!(rule_of("", &r), Some(LintRule::Empty));
    assert_eq!(rule_of("feat: a\nb", &r), Some(LintRule::SingleLine));
    assert_eq!(rule_of("Add login", &r), Some(LintRule::HeaderFormat));
    assert_eq!(rule_of("feat : x", &r), Some(LintRule::HeaderFormat));
    assert_eq!(rule_of("feat(): x", &r), Some(LintRule::HeaderFormat));
    assert_eq!(rule_of("feat(api: x", &r), Some(LintRule::HeaderFormat));
    assert_eq!(rule_of("feat: ", &r), Some(LintRule::HeaderFormat));
    assert_eq!(rule_of("feat:x", &r), Some(LintRule::SpaceAfterColon));
    assert_eq!(rule_of("feat:  x", &r), Some(LintRule::SpaceAfterColon));
    assert_eq!(rule_of("feature: x", &r), Some(LintRule::TypeEnum));
    assert_eq!(rule_of("Revert x", &r), Some(LintRule::HeaderFormat));
    let scoped = TitleRules {
        scopes: Some(ws(&["api", "ui"], false)),
        require_scope: true,
        subject_pattern: Some(Pattern::new("^[a-z].*").unwrap()),
        ..rules()
    };
    assert_eq!(rule_of("feat: x", &scoped), Some(LintRule::ScopeRequired));
    assert_eq!(rule_of("feat(db): x", &scoped), Some(LintRule::ScopeEnum));
    assert_eq!(rule_of("feat(api,ui): x", &scoped), None);
    // scopes are patterns matched as written (case-sensitive, as
    // action-semantic-pull-request and commitlint's scope-enum)
    assert_eq!(rule_of("feat(API): x", &scoped), Some(LintRule::ScopeEnum));
    assert_eq!(
        rule_of("feat(api): X", &scoped),
        Some(LintRule::SubjectPattern)
    );
}

#[test]
fn examples_are_valid_and_keep_the_words() {
    let r = rules();
    for (bad, want) in [
        ("Add login page", "feat: Add login page"),
        ("fix login bug", "fix: login bug"),
        ("Feat(api) add x", "feat(api): add x"),
        ("feature: dark mode", "feat: dark mode"),
        ("feat:x", "feat: x"),
        ("feat!:  drop", "feat!: drop"),
        ("Bugfix - crash on start", "fix: crash on start"),
        ("", "feat: describe the change"),
    ] {
        let e = example(bad, &r).unwrap();
        assert_eq!(e, want, "{bad}");
        assert!(lint_title(&e, &r).is_ok(), "{e}");
    }
    let scoped = TitleRules {
        scopes: Some(ws(&["api"], false)),
        require_scope: true,
        ..rules()
    };
    let e = example("feat: x", &scoped).unwrap();
    assert_eq!(e, "feat(api): x");
    assert!(lint_title(&e, &scoped).is_ok());
    let e = lint_title("wip", &r).unwrap_err().example.unwrap();
    assert!(lint_title(&e, &r).is_ok(), "{e}");
}

#[test]
fn examples_pass_every_rule_set_or_say_what_is_required() {
    let re = |p: &str| Some(Pattern::new(p).unwrap());
    let sets = [
        rules(),
        TitleRules {
            subject_pattern: re("^[a-z].*"),
            ..rules()
        },
        TitleRules {
            subject_pattern: re("^[A-Z].*"),
            ..rules()
        },
        TitleRules {
            subject_pattern: re(".*[^.]$"),
            scopes: Some(ws(&["api", "ui"], false)),
            require_scope: true,
            ..rules()
        },
        TitleRules {
            subject_pattern: re("^.{1,12}$"),
            types: ws(&["fix", "chore"], true),
            ..rules()
        },
        TitleRules {
            require_scope: true,
            subject_pattern: re("^[a-z]+ [a-z]+.*"),
            ..rules()
        },
    ];
    let titles = [
        "",
        "fix(ui): X",
        "Fix(UI): X.",
        "feat!: Drop the old API.",
        "Add login page",
        "feature(db) - Big change that goes on",
        "wip",
        "docs: README",
        "feat(api):x",
    ];
    for r in &sets {
        for t in titles {
            let Err(f) = lint_title(t, r) else { continue };
            let e = f
                .example
                .clone()
                .unwrap_or_else(|| panic!("no example for {t:?} with {:?}", r.subject_pattern));
            assert!(
                lint_title(&e, r).is_ok(),
                "the example {e:?} for {t:?} fails {r:?}"
            );
            assert!(f.requires.is_none());
        }
    }
    assert_eq!(
        example("fix(ui): X", &sets[1]).as_deref(),
        Some("fix(ui): x")
    );
    let jira = TitleRules {
        subject_pattern: re("^JIRA-[0-9]+ .*"),
        ..rules()
    };
    let f = lint_title("fix(ui): X", &jira).unwrap_err();
    assert_eq!(f.rule, LintRule::SubjectPattern);
    assert_eq!(f.example, None);
    assert_eq!(
        f.advice(),
        "No example could be built: the description after `fix(ui): ` must match the pattern `^JIRA-[0-9]+ .*`"
    );
}

/// The fuzz target `header_verdict`'s property, over many generated
/// headers (runs without a fuzzer): the strict reading, `lint-title`,
/// `lint-commits` and the analyzer behind `next` give one verdict.
#[test]
fn one_verdict_for_generated_headers() {
    use crate::analysis::Analyzer;
    let parts = [
        "feat", "Fix", "x_y", "(", ")", "!", ":", " ", "  ", "\t", "api", "a b", ",", "\"",
        "Revert",
    ];
    let rules = TitleRules {
        types: ws(&["[A-Za-z0-9_-]+"], true),
        ..rules()
    };
    let mut seed: u64 = 0x5eed;
    for _ in 0..20_000 {
        let mut h = String::new();
        for _ in 0..(seed % 7 + 1) {
            seed = seed
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            h.push_str(parts[(seed >> 33) as usize % parts.len()]);
        }
        if message::quoted_revert(&h).is_some() || h.trim().is_empty() {
            continue;
        }
        let strict = message::parse_header(&h).is_ok();
        assert_eq!(strict, lint_title(&h, &rules).is_ok(), "{h:?}");
        assert_eq!(strict, lint_commit(&h, &rules).is_ok(), "{h:?}");
        let mut a = Analyzer::new();
        a.push("0123456789abcdef0123456789abcdef01234567", 1, &h);
        assert_eq!(strict, a.finish().counts.conventional == 1, "{h:?}");
    }
}

#[test]
fn commits_are_linted_whole() {
    let r = rules();
    assert!(lint_commit("feat: x\n\nbody\n\nBREAKING CHANGE: y\n", &r).is_ok());
    assert_eq!(
        lint_commit("feat: x\nglued", &r).unwrap_err().rule,
        LintRule::BodyLeadingBlank
    );
    assert_eq!(
        lint_commit("feat: x\n\nbreaking change: y", &r)
            .unwrap_err()
            .rule,
        LintRule::BreakingFooterCase
    );
    assert_eq!(
        lint_commit("feat: x\n\nsee\nRelease-As: 2.0.0\nlater", &r)
            .unwrap_err()
            .rule,
        LintRule::FooterInBody
    );
    assert!(
        lint_commit(
            "Revert \"feat: x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.",
            &r
        )
        .is_ok()
    );
    assert_eq!(
        lint_commit("wip", &r).unwrap_err().rule,
        LintRule::HeaderFormat
    );
    assert!(is_autosquash("fixup! feat: x"));
}
