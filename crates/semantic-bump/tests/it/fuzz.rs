//! Bounded property tests of the header reading and the pattern options:
//! the invariants of the cargo-fuzz targets (`crates/semantic-bump/fuzz`,
//! which need nightly and cargo-fuzz) on seeded random inputs, so that
//! every `cargo test` runs them. `bench/semantic-bump-fuzz.sh` runs many
//! more (`SEMANTIC_BUMP_FUZZ_N`, `SEMANTIC_BUMP_FUZZ_SEED`).

use semantic_bump::analysis::Analyzer;
use semantic_bump::lint::{TitleRules, lint_commit, lint_title};
use semantic_bump::message;
use semantic_bump::pattern::Pattern;
use std::time::Instant;

/// splitmix64: a seeded generator in a few lines (no dependency for a test).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// 1..=max pieces, joined.
    fn text(&mut self, pieces: &[&str], max: usize) -> String {
        (0..=self.below(max))
            .map(|_| pieces[self.below(pieces.len())])
            .collect()
    }
}

fn setting(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// Pieces of headers, near-misses included: types, scopes, the marks, the
/// spacing faults, line endings, footers, revert forms, non-ASCII.
const HEADER_PIECES: &[&str] = &[
    "feat",
    "fix",
    "Feat",
    "FIX",
    "x_y",
    "a-b",
    "é",
    "🦀",
    "(",
    ")",
    "!",
    ":",
    " ",
    "  ",
    "\t",
    ",",
    "/",
    "api",
    "ui,db",
    "desc",
    "word ",
    "Revert \"",
    "\"",
    "\n",
    "\r\n",
    "\n\n",
    "\r",
    "BREAKING CHANGE: ",
    "breaking change: ",
    "BREAKING-CHANGE: ",
    "Release-As: 2.0.0",
    "#",
    "This reverts commit 0123abc.",
    "fixup! ",
    "[WIP] ",
    " (#12)",
    "\u{a0}",
    "\u{200b}",
];

/// One header, one verdict: the strict reading, `lint-title`,
/// `lint-commits` and the analyzer behind `next` agree on every first
/// line, and nothing panics on whole messages.
#[test]
#[allow(clippy::print_stderr)] // the counts measured, on the test's stderr
fn one_header_one_verdict_on_random_headers() {
    let n = setting("SEMANTIC_BUMP_FUZZ_N", 8_000);
    let mut rng = Rng(setting("SEMANTIC_BUMP_FUZZ_SEED", 11));
    // every type allowed: only the form decides
    let rules = TitleRules {
        types: vec![Pattern::whole("[A-Za-z0-9_-]+", true).unwrap()],
        ..TitleRules::default()
    };
    let started = Instant::now();
    let mut conventional = 0;
    for _ in 0..n {
        let text = rng.text(HEADER_PIECES, 12);
        let line = message::first_line(&text);
        let strict = message::parse_header(line);
        // whole messages: no panic, whatever they hold
        let _ = message::parse(&text);
        let _ = lint_commit(&text, &rules);
        if message::quoted_revert(line).is_some() || line.trim().is_empty() {
            continue;
        }
        conventional += usize::from(strict.is_ok());
        let title = lint_title(line, &rules);
        assert_eq!(strict.is_ok(), title.is_ok(), "lint-title on {line:?}");
        let commit = lint_commit(line, &rules);
        assert_eq!(strict.is_ok(), commit.is_ok(), "lint-commits on {line:?}");
        let mut a = Analyzer::new();
        a.push("0123456789abcdef0123456789abcdef01234567", 1, line);
        let a = a.finish();
        assert_eq!(
            strict.is_ok(),
            a.counts.conventional == 1,
            "next on {line:?}"
        );
    }
    eprintln!(
        "fuzz headers: {n} inputs ({conventional} conventional) in {:?}",
        started.elapsed()
    );
    // the generator reaches both verdicts
    assert!(conventional > 0);
}

const PATTERN_PIECES: &[&str] = &[
    "a", "b", "+", "*", "?", "(", ")", "(?:", "(?=", "(?!", "(?<=", "(?<!", "|", "\\1", "[a-z]",
    "[", "]", "{2,3}", "{", "}", "^", "$", ".", "\\w", "\\d", "(?i)", "\\", "-", "é",
];
const TEXT_PIECES: &[&str] = &["a", "aa", "b", "_", "-", "1", " ", "é", "A"];

/// Any pattern either fails to compile (naming itself) or matches any
/// text without panicking, with a verdict or a "gave up": never a hang.
#[test]
#[allow(clippy::print_stderr)] // the counts measured, on the test's stderr
fn patterns_compile_or_match_without_panic() {
    let n = setting("SEMANTIC_BUMP_FUZZ_N", 8_000) / 4;
    let mut rng = Rng(setting("SEMANTIC_BUMP_FUZZ_SEED", 11) ^ 0x5eed);
    let started = Instant::now();
    let (mut compiled, mut gave_up) = (0, 0);
    for _ in 0..n {
        let source = rng.text(PATTERN_PIECES, 10);
        let text = rng.text(TEXT_PIECES, 40);
        for p in [
            Pattern::new(&source),
            Pattern::whole(&source, true),
            Pattern::whole(&source, false),
        ] {
            match p {
                Ok(p) => {
                    compiled += 1;
                    let m = p.is_match(&text);
                    let f = p.first_match(&text);
                    let c = p.captures(&text);
                    gave_up += usize::from(m.is_err() || f.is_err() || c.is_err());
                    if let Ok(Some((s, e))) = f {
                        assert!(s <= e && e <= text.len() && text.is_char_boundary(s));
                    }
                }
                Err(e) => {
                    let msg = e.to_string();
                    assert!(
                        msg.contains("does not compile") && msg.contains(&format!("'{source}'")),
                        "{msg}"
                    );
                }
            }
        }
    }
    eprintln!(
        "fuzz patterns: {n} patterns × 3 forms, {compiled} compiled, {gave_up} gave up, in {:?}",
        started.elapsed()
    );
    assert!(compiled > 0);
}

/// A catastrophic pattern (nested quantifiers, with a back-reference so
/// that the backtracking engine runs it) on a long title: the check ends
/// with a clear verdict naming the pattern, not a hang. `(a+)+$` alone
/// runs on the linear engine: a plain verdict.
#[test]
fn a_catastrophic_pattern_gives_up_with_a_clear_verdict() {
    let description = format!("{}b", "a".repeat(5_000));
    let title = format!("feat: {description}");
    for (pattern, gives_up) in [
        (r"(a+)+\1$", true),
        (r"^(?=(a+)+\1)b", true),
        (r"(a+)+$", false),
        (r"(a|aa)+(?=c)", false),
    ] {
        let rules = TitleRules {
            subject_pattern: Some(Pattern::new(pattern).unwrap()),
            ..TitleRules::default()
        };
        let failed = lint_title(&title, &rules).unwrap_err();
        assert_eq!(failed.rule.id(), "subject-pattern", "{pattern}");
        assert_eq!(
            failed.message.contains("gave up") && failed.message.contains("too much backtracking"),
            gives_up,
            "{pattern}: {}",
            failed.message
        );
        assert!(failed.message.contains(pattern), "{}", failed.message);
    }
    // in a header pattern too
    let header = Pattern::new(r"^(\w+)(a+)+\2: (.*)$").unwrap();
    let rules = TitleRules {
        header: Some(semantic_bump::lint::HeaderPattern::new(header, &[]).unwrap()),
        ..TitleRules::default()
    };
    let failed = lint_title(&format!("{}b: x", "a".repeat(5_000)), &rules).unwrap_err();
    assert!(failed.message.contains("gave up"), "{}", failed.message);
}

/// Found by the random headers above: a carriage return inside the first
/// line was two lines to `lint-title` and one header to `next` and
/// `lint-commits`; a trailing one was the reverse. Now each gets one
/// verdict everywhere: inside, `single-line`; at the end, ignored.
#[test]
fn a_carriage_return_gets_one_verdict() {
    let rules = TitleRules::default();
    for (line, ok) in [
        ("feat: a\rb", false),
        ("feat: x\r", true),
        ("\rfeat: x", false),
    ] {
        let title = lint_title(line, &rules);
        let commit = lint_commit(line, &rules);
        let mut a = Analyzer::new();
        a.push("0123456789abcdef0123456789abcdef01234567", 1, line);
        let counted = a.finish().counts.conventional == 1;
        assert_eq!(
            (title.is_ok(), commit.is_ok(), counted),
            (ok, ok, ok),
            "{line:?}"
        );
        if !ok {
            assert_eq!(title.unwrap_err().rule.id(), "single-line", "{line:?}");
            assert_eq!(commit.unwrap_err().rule.id(), "single-line", "{line:?}");
        }
    }
}

/// A refusing pattern that gives up refuses (fails closed, saying so); an
/// allowing one that gives up does not allow.
#[test]
fn a_scope_pattern_that_gives_up_fails_closed() {
    let scope = format!("{}b", "a".repeat(5_000));
    let title = format!("feat({scope}): x");
    let catastrophic = Pattern::whole(r"(a+)+\1", false).unwrap();
    let rules = TitleRules {
        disallow_scopes: vec![catastrophic.clone()],
        ..TitleRules::default()
    };
    let failed = lint_title(&title, &rules).unwrap_err();
    assert_eq!(failed.rule.id(), "scope-disallowed");
    assert!(failed.message.contains("gave up"), "{}", failed.message);
    let rules = TitleRules {
        scopes: Some(vec![catastrophic]),
        ..TitleRules::default()
    };
    assert_eq!(
        lint_title(&title, &rules).unwrap_err().rule.id(),
        "scope-enum"
    );
}
