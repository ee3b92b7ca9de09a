//! `BuildVersion::from_str`: never panics; whatever parses prints back to
//! the trimmed input, re-parses to the same value, is a valid tag-name part,
//! and its timestamp agrees with its date and time.
#![no_main]

use libfuzzer_sys::fuzz_target;
use version_stamp::BuildVersion;
use version_stamp::refname::check_component;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(v) = text.parse::<BuildVersion>() else {
        return;
    };
    assert_eq!(v.to_string(), text.trim());
    assert_eq!(v.to_string().parse::<BuildVersion>().as_ref(), Ok(&v));
    assert!(check_component(v.as_str()).is_ok(), "{v}");
    assert!((7..=40).contains(&v.short_sha().len()));
    let utc = v.timestamp().to_zoned(jiff::tz::TimeZone::UTC);
    let expected = format!("{}-{}", v.short_sha(), utc.strftime("%Y%m%d-%H%M%S"));
    assert_eq!(v.as_str(), expected);
});
