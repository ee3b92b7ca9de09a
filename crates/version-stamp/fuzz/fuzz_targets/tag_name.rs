//! `check_tag_name` / `check_component`: never panic; whatever passes is
//! made of the safe set only, and follows git's rules.
#![no_main]

use libfuzzer_sys::fuzz_target;
use version_stamp::refname::{check_component, check_tag_name, is_safe_char};

fuzz_target!(|data: &[u8]| {
    let Ok(name) = std::str::from_utf8(data) else {
        return;
    };
    let tag = check_tag_name(name);
    let component = check_component(name);
    if let Err(e) = &tag {
        // Every refusal names the value (empty names aside).
        if !name.is_empty() {
            assert!(!e.to_string().contains('\n'), "{e}");
        }
        assert!(component.is_err(), "a part passed that the whole refused: {name:?}");
    }
    if component.is_ok() {
        assert!(!name.contains('/'));
    }
    if tag.is_ok() {
        assert!(!name.is_empty());
        assert!(name.chars().all(|c| is_safe_char(c) || c == '/'), "{name:?}");
        assert!(!name.contains("..") && !name.contains("//") && !name.contains("@{"));
        assert!(!name.starts_with(['-', '/', '.']) && !name.ends_with(['/', '.']));
        for part in name.split('/') {
            assert!(!part.is_empty() && !part.starts_with('.') && !part.ends_with(".lock"));
        }
    }
});
