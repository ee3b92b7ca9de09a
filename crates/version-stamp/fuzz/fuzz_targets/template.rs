//! `--format` templates and the renderer: parsing never panics; a parsed
//! template renders with any values; `safe_branch` always yields a valid
//! tag-name part; a default-format rendering parses as a BuildVersion.
#![no_main]

use libfuzzer_sys::fuzz_target;
use version_stamp::refname::check_component;
use version_stamp::{BuildVersion, Placeholder, Template, safe_branch};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    // The input is split in two: a template and a branch name.
    let (format, branch) = text.split_once('\u{0}').unwrap_or((text, "main"));
    let safe = safe_branch(branch);
    assert!(check_component(&safe).is_ok(), "{branch:?} -> {safe:?}");
    assert!(safe.len() <= version_stamp::MAX_BRANCH_LEN.max("unnamed".len()));

    let Ok(template) = format.parse::<Template>() else {
        return;
    };
    assert_eq!(template.as_str(), format.trim());
    assert_eq!(template.as_str().parse::<Template>().as_ref(), Ok(&template));
    let rendered = template.render(|p| match p {
        Placeholder::Sha => "84fb5881".into(),
        Placeholder::Date => "20250120".into(),
        Placeholder::Time => "143022".into(),
        Placeholder::Run => "42".into(),
        Placeholder::Branch => safe.clone(),
    });
    // Literal text is from the safe set, so only git's sequence rules can
    // still refuse the result (`..`, a `.lock` ending…), never a character.
    assert!(
        rendered
            .chars()
            .all(version_stamp::refname::is_safe_char),
        "{rendered:?}"
    );
    if template.is_default() {
        assert!(BuildVersion::parse(&rendered).is_ok(), "{rendered}");
    }
});
