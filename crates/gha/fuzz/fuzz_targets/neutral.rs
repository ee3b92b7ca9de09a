//! `gha::neutral`: no input yields a line the Actions runner would read as a
//! workflow command (`::` after leading whitespace, `##[` anywhere), whether
//! shown as one value (`text`), as lines (`lines`), or inside JSON (`json`,
//! which must stay the same JSON value); and a value embedded after any
//! prefix of shipgate's own stays safe.
#![no_main]

use gha::neutral::{commands, json, lines, text};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    let shown = text(&input);
    assert!(!shown.contains(['\n', '\r']), "{input:?} → {shown:?}");
    assert_eq!(commands(&shown), [], "{input:?} → {shown:?}");
    for prefix in ["", "  ", "tool: got '", "#", "##"] {
        let line = lines(&format!("{prefix}{input}"));
        assert_eq!(commands(&line), [], "{prefix}{input:?} → {line:?}");
    }
    let value = serde_json::json!({ "v": input });
    let encoded = json(&serde_json::to_string_pretty(&value).unwrap());
    assert_eq!(commands(&encoded), [], "{input:?} → {encoded:?}");
    let back: serde_json::Value = serde_json::from_str(&encoded).unwrap();
    assert_eq!(back, value);
});
