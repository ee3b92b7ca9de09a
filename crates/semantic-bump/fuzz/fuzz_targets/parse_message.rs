//! The title/commit parsing path: `message::parse`, the title lint and the
//! analyzer must never panic, and must agree with each other:
//! - a title that passes `lint-title` parses as a conventional header and
//!   bumps exactly as `lint-title` says (the preview promise);
//! - the example a failure shows passes the same rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use semantic_bump::analysis::Analyzer;
use semantic_bump::lint::{TitleRules, example, lint_commit, lint_title};
use semantic_bump::message;
use semantic_bump::rules::header_bump;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let m = message::parse(text);
    assert!(text.starts_with(m.subject));

    let rules = TitleRules::default();
    let title = message::first_line(text);
    match lint_title(title, &rules) {
        Ok(ok) if !ok.revert => {
            let h = message::parse(title)
                .header
                .expect("a title that passes lint-title is a conventional header");
            assert_eq!(header_bump(&h).0, ok.bump, "{title:?}");
        }
        Ok(_) => {}
        Err(f) => {
            if !title.contains(['\r']) {
                let e = f
                    .example
                    .as_deref()
                    .unwrap_or_else(|| panic!("no example for {title:?} with the default rules"));
                assert!(
                    lint_title(e, &rules).is_ok(),
                    "the example {e:?} for {title:?} does not pass"
                );
            }
        }
    }
    let _ = lint_commit(text, &rules);
    let _ = example(text, &rules);

    let mut a = Analyzer::new();
    a.push("0123456789abcdef0123456789abcdef01234567", 1, text);
    a.push("", 1, text);
    let _ = a.finish();
});
