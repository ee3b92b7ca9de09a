//! The build version: `{sha}-{YYYYMMDD}-{HHMMSS}`, e.g.
//! `84fb5881-20250120-143022` — the commit's short sha, then the UTC date
//! and time of the build.

use jiff::Timestamp;
use jiff::civil::{Date, Time};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// The example every message shows.
pub const EXAMPLE: &str = "84fb5881-20250120-143022";

/// The expected form, as messages spell it.
pub const FORM: &str = "SHA-YYYYMMDD-HHMMSS (7 to 40 lowercase hex digits, then the UTC date and time), such as 84fb5881-20250120-143022";

/// A build version in the default format. Parsing validates every part:
/// the sha is 7..=40 lowercase hex digits, the date is a real calendar day,
/// the time a real time of day (no hour 24, no minute or second 60).
///
/// Ordered by time, then sha; `Display` gives the canonical text.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BuildVersion {
    text: String,
    sha_len: usize,
    timestamp: Timestamp,
}

/// Why a text is not a [`BuildVersion`]. Every message names the value and
/// shows the expected form with an example.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum VersionError {
    #[error("empty version: expected {FORM}")]
    Empty,

    #[error("invalid version {}: {reason}; expected {FORM}", Quoted(value))]
    Shape { value: String, reason: &'static str },

    #[error(
        "invalid version {}: the sha part {} {reason}; expected {FORM}",
        Quoted(value),
        Quoted(sha)
    )]
    Sha {
        value: String,
        sha: String,
        reason: &'static str,
    },

    #[error(
        "invalid version {}: the date {} is not a calendar date ({reason}); expected {FORM}",
        Quoted(value),
        Quoted(date)
    )]
    Date {
        value: String,
        date: String,
        reason: String,
    },

    #[error(
        "invalid version {}: the time {} is not a time of day ({reason}); expected {FORM}",
        Quoted(value),
        Quoted(time)
    )]
    Time {
        value: String,
        time: String,
        reason: String,
    },
}

impl crate::Classify for VersionError {
    fn class(&self) -> crate::ErrorClass {
        crate::ErrorClass::Input
    }
}

/// A value quoted for a message, control characters escaped, cut when long.
pub struct Quoted<'a>(pub &'a str);

impl fmt::Display for Quoted<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 120;
        f.write_str("'")?;
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX {
                f.write_str("…")?;
                break;
            }
            match c {
                '\'' => f.write_str("\\'")?,
                c if c.is_control() => write!(f, "{}", c.escape_default())?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("'")
    }
}

impl BuildVersion {
    /// Parses a version that came from outside: surrounding whitespace (as
    /// pasted into a form) is trimmed, then every part is validated.
    pub fn parse(s: &str) -> Result<Self, VersionError> {
        let value = s.trim();
        if value.is_empty() {
            return Err(VersionError::Empty);
        }
        let shape = |reason| VersionError::Shape {
            value: value.to_owned(),
            reason,
        };
        if let Some(c) = value.chars().find(|c| c.is_whitespace()) {
            return Err(shape(if c == ' ' {
                "it contains a space"
            } else {
                "it contains whitespace"
            }));
        }
        let mut parts = value.split('-');
        let (Some(sha), Some(date), Some(time), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(shape("it does not have three parts separated by '-'"));
        };
        let sha_err = |reason| VersionError::Sha {
            value: value.to_owned(),
            sha: sha.to_owned(),
            reason,
        };
        if !sha.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(sha_err("is not hexadecimal"));
        }
        if sha.bytes().any(|b| b.is_ascii_uppercase()) {
            return Err(sha_err("has upper-case digits (git writes lower-case)"));
        }
        if !(7..=40).contains(&sha.len()) {
            return Err(sha_err("is not 7 to 40 hex digits long"));
        }
        let date_err = |reason: String| VersionError::Date {
            value: value.to_owned(),
            date: date.to_owned(),
            reason,
        };
        if date.len() != 8 || !date.bytes().all(|b| b.is_ascii_digit()) {
            return Err(date_err("expected 8 digits, YYYYMMDD".into()));
        }
        let (y, m, d) = (num(&date[..4]), num(&date[4..6]), num(&date[6..]));
        if !(1..=12).contains(&m) {
            return Err(date_err(format!("there is no month {m}")));
        }
        let day = Date::new(y as i16, m as i8, d as i8).map_err(|_| {
            date_err(if d == 0 {
                "there is no day 0".to_owned()
            } else if m == 2 && d == 29 {
                format!("{y} is not a leap year")
            } else {
                format!("month {m} of {y} has no day {d}")
            })
        })?;
        let time_err = |reason: String| VersionError::Time {
            value: value.to_owned(),
            time: time.to_owned(),
            reason,
        };
        if time.len() != 6 || !time.bytes().all(|b| b.is_ascii_digit()) {
            return Err(time_err("expected 6 digits, HHMMSS".into()));
        }
        let (h, mi, s) = (num(&time[..2]), num(&time[2..4]), num(&time[4..]));
        let reason = if h > 23 {
            Some(format!("hour {h} is past 23"))
        } else if mi > 59 {
            Some(format!("minute {mi} is past 59"))
        } else if s > 59 {
            Some(format!("second {s} is past 59"))
        } else {
            None
        };
        if let Some(reason) = reason {
            return Err(time_err(reason));
        }
        let clock =
            Time::new(h as i8, mi as i8, s as i8, 0).map_err(|e| time_err(e.to_string()))?;
        let timestamp = day
            .to_datetime(clock)
            .to_zoned(jiff::tz::TimeZone::UTC)
            .map_err(|e| date_err(e.to_string()))?
            .timestamp();
        Ok(BuildVersion {
            text: value.to_owned(),
            sha_len: sha.len(),
            timestamp,
        })
    }

    /// Builds the version for a commit at a time (the sub-second part of
    /// the time is dropped). `short_sha` must be 7..=40 lowercase hex.
    pub fn new(short_sha: &str, at: Timestamp) -> Result<Self, VersionError> {
        let at = at.to_zoned(jiff::tz::TimeZone::UTC);
        Self::parse(&format!("{short_sha}-{}", at.strftime("%Y%m%d-%H%M%S")))
    }

    /// The version text, e.g. `84fb5881-20250120-143022`.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The commit's short sha, e.g. `84fb5881`.
    pub fn short_sha(&self) -> &str {
        &self.text[..self.sha_len]
    }

    /// The build time (UTC, whole seconds).
    pub fn timestamp(&self) -> Timestamp {
        self.timestamp
    }

    /// Whether this version names the commit `sha` (its short sha is a
    /// prefix of `sha`, compared case-insensitively).
    pub fn matches_commit(&self, sha: &str) -> bool {
        sha.len() >= self.sha_len && sha[..self.sha_len].eq_ignore_ascii_case(self.short_sha())
    }
}

fn num(digits: &str) -> i32 {
    digits.bytes().fold(0, |n, b| n * 10 + i32::from(b - b'0'))
}

impl FromStr for BuildVersion {
    type Err = VersionError;

    /// Same as [`BuildVersion::parse`] (surrounding whitespace trimmed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl fmt::Display for BuildVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl AsRef<str> for BuildVersion {
    fn as_ref(&self) -> &str {
        &self.text
    }
}

impl Ord for BuildVersion {
    fn cmp(&self, other: &Self) -> Ordering {
        self.timestamp
            .cmp(&other.timestamp)
            .then_with(|| self.text.cmp(&other.text))
    }
}

impl PartialOrd for BuildVersion {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Serialize for BuildVersion {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.text)
    }
}

impl<'de> Deserialize<'de> for BuildVersion {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        BuildVersion::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    #[test]
    fn parses_the_default_format() {
        let v: BuildVersion = "84fb5881-20250120-143022".parse().unwrap();
        assert_eq!(v.short_sha(), "84fb5881");
        assert_eq!(v.timestamp(), ts("2025-01-20T14:30:22Z"));
        assert_eq!(v.to_string(), "84fb5881-20250120-143022");
        assert_eq!(v.as_str(), "84fb5881-20250120-143022");
        let full = "84fb58810000000000000000000000000000abcd";
        let v = BuildVersion::parse(&format!("{full}-20240229-235959")).unwrap();
        assert_eq!(v.short_sha(), full);
        assert_eq!(v.timestamp(), ts("2024-02-29T23:59:59Z"));
        assert!(BuildVersion::parse("84fb588-20000229-000000").is_ok());
    }

    #[test]
    fn trims_surrounding_whitespace() {
        let v = BuildVersion::parse("  84fb5881-20250120-143022\n\t").unwrap();
        assert_eq!(v.to_string(), "84fb5881-20250120-143022");
        let v: BuildVersion = " 84fb5881-20250120-143022 ".parse().unwrap();
        assert_eq!(v.as_str(), "84fb5881-20250120-143022");
    }

    #[test]
    fn refuses_what_is_not_a_version() {
        for (bad, needle) in [
            ("", "empty version"),
            ("   ", "empty version"),
            ("84fb5881 -20250120-143022", "contains a space"),
            ("84fb5881-2025 0120-143022", "contains a space"),
            ("84fb5881-20250120-143022;id", "not a time of day"),
            ("$(id)", "three parts"),
            ("84fb5881-20250120", "three parts"),
            ("84fb5881-20250120-143022-1", "three parts"),
            ("84fb5881..-20250120-143022", "not hexadecimal"),
            ("84fb588z-20250120-143022", "not hexadecimal"),
            ("84FB5881-20250120-143022", "upper-case"),
            ("84fb58-20250120-143022", "7 to 40"),
            (&format!("{}-20250120-143022", "a".repeat(41)), "7 to 40"),
            ("84fb5881-2025012-143022", "8 digits"),
            ("84fb5881-2025-01-20-143022", "three parts"),
            ("84fb5881-+2025012-143022", "8 digits"),
            ("84fb5881-20251320-143022", "no month 13"),
            ("84fb5881-20250020-143022", "no month 0"),
            ("84fb5881-20250230-143022", "has no day 30"),
            ("84fb5881-20250229-143022", "2025 is not a leap year"),
            ("84fb5881-19000229-143022", "1900 is not a leap year"),
            ("84fb5881-20250431-143022", "has no day 31"),
            ("84fb5881-20250100-143022", "no day 0"),
            ("84fb5881-20250120-243022", "hour 24"),
            ("84fb5881-20250120-146022", "minute 60"),
            ("84fb5881-20250120-143060", "second 60"),
            ("84fb5881-20250120-14302", "6 digits"),
            ("84fb5881-20250120-1430２2", "6 digits"),
        ] {
            let e = BuildVersion::parse(bad).unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(needle), "{bad:?}: {msg}");
            assert!(msg.contains(EXAMPLE), "{bad:?}: {msg}");
            if !bad.trim().is_empty() {
                assert!(msg.contains(&format!("'{}'", bad.trim())), "{msg}");
            }
            assert_eq!(crate::Classify::class(&e), crate::ErrorClass::Input);
        }
    }

    #[test]
    fn messages_cannot_forge_lines() {
        let e = BuildVersion::parse("x\n::error::forged-1-2").unwrap_err();
        assert!(!e.to_string().contains('\n'));
    }

    #[test]
    fn builds_from_a_sha_and_a_time() {
        let v = BuildVersion::new("84fb5881", ts("2025-01-20T16:30:22.987+02:00")).unwrap();
        assert_eq!(v.as_str(), "84fb5881-20250120-143022");
        assert_eq!(v.timestamp(), ts("2025-01-20T14:30:22Z"));
        assert!(BuildVersion::new("84fb5", ts("2025-01-20T14:30:22Z")).is_err());
    }

    #[test]
    fn orders_by_time_then_sha() {
        let a: BuildVersion = "ffffffff-20250120-143022".parse().unwrap();
        let b: BuildVersion = "00000000-20250120-143023".parse().unwrap();
        let c: BuildVersion = "00000001-20250120-143023".parse().unwrap();
        let mut v = vec![c.clone(), a.clone(), b.clone()];
        v.sort();
        assert_eq!(v, [a, b, c]);
    }

    #[test]
    fn matches_its_commit() {
        let v: BuildVersion = "84fb5881-20250120-143022".parse().unwrap();
        assert!(v.matches_commit("84fb5881aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(v.matches_commit("84FB5881aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(!v.matches_commit("84fb5882aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"));
        assert!(!v.matches_commit("84fb"));
    }

    #[test]
    fn serializes_as_a_string() {
        let v: BuildVersion = "84fb5881-20250120-143022".parse().unwrap();
        let j = serde_json::to_string(&v).unwrap();
        assert_eq!(j, "\"84fb5881-20250120-143022\"");
        let back: BuildVersion = serde_json::from_str(&j).unwrap();
        assert_eq!(back, v);
        assert!(serde_json::from_str::<BuildVersion>("\"84fb5881-20251320-143022\"").is_err());
    }
}
