//! Version tags and version arithmetic: which tags are versions, the bump
//! of a stable version, and prerelease numbering per channel.

use crate::rules::Bump;
use semver::{BuildMetadata, Prerelease, Version};
use std::fmt;
use std::str::FromStr;

/// The text before the version in a tag name (`v`, `api-v`, `pkg/`, or
/// nothing). Validated at the edge: characters a tag name may hold, and no
/// glob characters (the prefix becomes a `for-each-ref` pattern).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct TagPrefix(String);

impl TagPrefix {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The version a tag name carries under this prefix, if any.
    pub fn version_of(&self, tag: &str) -> Option<Version> {
        let rest = tag.strip_prefix(self.0.as_str())?;
        // semver::Version::parse rejects `1.2`, `01.2.3`, `1.2.3.4`, `v1.2.3`.
        Version::parse(rest).ok()
    }

    /// The tag name for a version.
    pub fn tag(&self, v: &Version) -> String {
        format!("{}{v}", self.0)
    }

    /// Whether a tag name is a floating tag under this prefix: `v1` or
    /// `v1.3` (numbers without leading zeros).
    pub fn is_floating(&self, tag: &str) -> bool {
        let Some(rest) = tag.strip_prefix(self.0.as_str()) else {
            return false;
        };
        let parts: Vec<&str> = rest.split('.').collect();
        (1..=2).contains(&parts.len())
            && parts.iter().all(|p| {
                !p.is_empty()
                    && p.len() <= 9
                    && p.bytes().all(|b| b.is_ascii_digit())
                    && (p.len() == 1 || !p.starts_with('0'))
            })
    }

    /// The floating tags of a stable version: `v1` and `v1.3` for 1.3.2.
    pub fn floating_tags(&self, v: &Version) -> [String; 2] {
        [
            format!("{}{}", self.0, v.major),
            format!("{}{}.{}", self.0, v.major, v.minor),
        ]
    }
}

impl fmt::Display for TagPrefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for TagPrefix {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let bad = |why: &str| {
            format!(
                "invalid tag prefix '{s}': {why}; expected the text before the version in your tag names, such as 'v', 'api-v' or 'pkg/' (or '' for bare versions)"
            )
        };
        if s.chars().any(|c| {
            c.is_whitespace()
                || c.is_control()
                || matches!(c, '*' | '?' | '[' | '\\' | '~' | '^' | ':' | '"' | '\'')
        }) {
            return Err(bad(
                "it holds a character a tag name cannot (or a glob character)",
            ));
        }
        if s.starts_with('/') || s.starts_with('-') || s.contains("//") || s.contains("..") {
            return Err(bad("it cannot start with '/' or '-', or hold '//' or '..'"));
        }
        if s.starts_with("refs/") {
            return Err(bad("give the short tag name, without refs/tags/"));
        }
        Ok(TagPrefix(s.to_owned()))
    }
}

/// A prerelease channel (`dev`, `rc`, `beta`): one semver identifier,
/// alphanumeric with hyphens, not purely numeric.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Channel(String);

impl Channel {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Channel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for Channel {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let s = s.trim();
        let ok = !s.is_empty()
            && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
            && !s.bytes().all(|b| b.is_ascii_digit());
        if ok {
            Ok(Channel(s.to_owned()))
        } else {
            Err(format!(
                "invalid prerelease channel '{s}': expected one identifier of letters, digits and '-', not only digits, such as 'dev', 'rc' or 'beta'"
            ))
        }
    }
}

/// Parses a version given on the command line (`--initial`), accepting a
/// leading `v`.
pub fn parse_version_arg(s: &str) -> Result<Version, String> {
    let t = s.trim();
    let bare = t.strip_prefix(['v', 'V']).unwrap_or(t);
    Version::parse(bare).map_err(|e| {
        format!("invalid version '{t}': {e}; expected MAJOR.MINOR.PATCH such as 0.1.0 or 1.0.0")
    })
}

/// A `Release-As:` value: a version, with or without a leading `v`.
pub fn parse_release_as(s: &str) -> Option<Version> {
    let t = s.trim();
    Version::parse(t.strip_prefix(['v', 'V']).unwrap_or(t)).ok()
}

/// The stable version one bump above `base` (`None` keeps it).
pub fn bump_stable(base: &Version, bump: Bump) -> Version {
    let mut v = Version::new(base.major, base.minor, base.patch);
    match bump {
        Bump::None => {}
        Bump::Patch => v.patch += 1,
        Bump::Minor => {
            v.minor += 1;
            v.patch = 0;
        }
        Bump::Major => {
            v.major += 1;
            v.minor = 0;
            v.patch = 0;
        }
    }
    v
}

/// The bump that takes `from` to `to` (by the first component that grows).
pub fn bump_between(from: Option<&Version>, to: &Version) -> Bump {
    let Some(from) = from else {
        return if to.major > 0 {
            Bump::Major
        } else if to.minor > 0 {
            Bump::Minor
        } else {
            Bump::Patch
        };
    };
    if to.major > from.major {
        Bump::Major
    } else if to.minor > from.minor {
        Bump::Minor
    } else if to.patch > from.patch || (to.pre.is_empty() && !from.pre.is_empty()) {
        Bump::Patch
    } else {
        Bump::None
    }
}

/// The number of a prerelease on a channel: `1.3.0-dev.2` → 2 on `dev` for
/// target 1.3.0; `1.3.0-dev` counts as 0. Anything else is `None`.
pub fn channel_number(v: &Version, target: &Version, channel: &Channel) -> Option<u64> {
    if (v.major, v.minor, v.patch) != (target.major, target.minor, target.patch) {
        return None;
    }
    let pre = v.pre.as_str();
    let rest = pre.strip_prefix(channel.as_str())?;
    if rest.is_empty() {
        return Some(0);
    }
    rest.strip_prefix('.')?.parse().ok()
}

/// `target-channel.n`.
pub fn prerelease(target: &Version, channel: &Channel, n: u64) -> Version {
    let mut v = Version::new(target.major, target.minor, target.patch);
    // Both parts are validated identifiers, so this cannot fail.
    v.pre = Prerelease::new(&format!("{channel}.{n}")).unwrap_or(Prerelease::EMPTY);
    v.build = BuildMetadata::EMPTY;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    #[test]
    fn prefixes_select_version_tags() {
        let p: TagPrefix = "v".parse().unwrap();
        assert_eq!(p.version_of("v1.2.3"), Some(v("1.2.3")));
        assert_eq!(p.version_of("v1.2.3-rc.1"), Some(v("1.2.3-rc.1")));
        assert_eq!(p.version_of("v1.2"), None);
        assert_eq!(p.version_of("v01.2.3"), None);
        assert_eq!(p.version_of("1.2.3"), None);
        assert_eq!(p.version_of("vnext"), None);
        let bare: TagPrefix = "".parse().unwrap();
        assert_eq!(bare.version_of("1.2.3"), Some(v("1.2.3")));
        assert_eq!(bare.version_of("v1.2.3"), None);
        let pkg: TagPrefix = "api/v".parse().unwrap();
        assert_eq!(pkg.tag(&v("1.0.0")), "api/v1.0.0");
        for bad in ["v*", "a b", "refs/tags/v", "-v", "a..b", "x:"] {
            assert!(bad.parse::<TagPrefix>().is_err(), "{bad}");
        }
    }

    #[test]
    fn channels() {
        assert!("dev".parse::<Channel>().is_ok());
        assert!("rc-1".parse::<Channel>().is_ok());
        for bad in ["", "1", "a.b", "a_b", "ü"] {
            assert!(bad.parse::<Channel>().is_err(), "{bad}");
        }
    }

    #[test]
    fn stable_bumps() {
        assert_eq!(bump_stable(&v("1.2.3"), Bump::Patch), v("1.2.4"));
        assert_eq!(bump_stable(&v("1.2.3"), Bump::Minor), v("1.3.0"));
        assert_eq!(bump_stable(&v("1.2.3"), Bump::Major), v("2.0.0"));
        assert_eq!(bump_stable(&v("0.2.3"), Bump::Major), v("1.0.0"));
        assert_eq!(bump_stable(&v("1.2.3"), Bump::None), v("1.2.3"));
    }

    #[test]
    fn bumps_between_versions() {
        assert_eq!(bump_between(Some(&v("1.2.3")), &v("2.0.0")), Bump::Major);
        assert_eq!(bump_between(Some(&v("1.2.3")), &v("1.5.0")), Bump::Minor);
        assert_eq!(bump_between(Some(&v("1.2.3")), &v("1.2.9")), Bump::Patch);
        assert_eq!(bump_between(Some(&v("1.2.3")), &v("1.2.3")), Bump::None);
        assert_eq!(bump_between(None, &v("0.1.0")), Bump::Minor);
    }

    #[test]
    fn channel_numbers() {
        let dev: Channel = "dev".parse().unwrap();
        let t = v("1.3.0");
        assert_eq!(channel_number(&v("1.3.0-dev.2"), &t, &dev), Some(2));
        assert_eq!(channel_number(&v("1.3.0-dev"), &t, &dev), Some(0));
        assert_eq!(channel_number(&v("1.3.0-rc.2"), &t, &dev), None);
        assert_eq!(channel_number(&v("1.3.0-devel.2"), &t, &dev), None);
        assert_eq!(channel_number(&v("1.4.0-dev.2"), &t, &dev), None);
        assert_eq!(prerelease(&t, &dev, 3).to_string(), "1.3.0-dev.3");
    }

    #[test]
    fn version_args() {
        assert_eq!(parse_version_arg(" v0.1.0 "), Ok(v("0.1.0")));
        assert!(
            parse_version_arg("0.1")
                .unwrap_err()
                .contains("MAJOR.MINOR.PATCH")
        );
        assert_eq!(parse_release_as("v2.0.0"), Some(v("2.0.0")));
        assert_eq!(parse_release_as("2.0"), None);
    }
}
