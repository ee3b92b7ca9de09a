//! One header, one verdict, and bounded patterns:
//! - the strict header reading, `lint-title`, `lint-commits` and the
//!   analyzer behind `next` agree on every first line: a header the lint
//!   refuses for its form is never counted, and one `next` counts passes;
//! - any pattern (the first line of the input) either fails to compile
//!   with a position or matches the rest without panicking or hanging
//!   (backtracking is bounded).
#![no_main]

use libfuzzer_sys::fuzz_target;
use semantic_bump::analysis::Analyzer;
use semantic_bump::lint::{TitleRules, lint_commit, lint_title};
use semantic_bump::message;
use semantic_bump::pattern::Pattern;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let line = message::first_line(text);
    let strict = message::parse_header(line);
    // every type allowed: only the form decides
    let rules = TitleRules {
        types: vec![Pattern::whole("[A-Za-z0-9_-]+", true).unwrap()],
        ..TitleRules::default()
    };
    let title = lint_title(line, &rules);
    if message::quoted_revert(line).is_none() && !line.trim().is_empty() {
        assert_eq!(strict.is_ok(), title.is_ok(), "{line:?}");
        assert_eq!(strict.is_ok(), lint_commit(line, &rules).is_ok(), "{line:?}");
        let mut a = Analyzer::new();
        a.push("0123456789abcdef0123456789abcdef01234567", 1, line);
        let a = a.finish();
        assert_eq!(strict.is_ok(), a.counts.conventional == 1, "{line:?}");
    }

    if let Some((pattern, rest)) = text.split_once('\n') {
        match Pattern::new(pattern) {
            Ok(p) => {
                let _ = p.first_match(rest);
                let _ = p.captures(rest);
            }
            Err(e) => assert!(e.to_string().contains("does not compile")),
        }
        let _ = Pattern::whole(pattern, true).map(|p| p.is_match(rest));
    }
});
