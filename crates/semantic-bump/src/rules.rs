//! The bump rules shared by `next`, `lint-title` and `lint-commits`: what a
//! conventional header is worth, and the names of the rules, so `--json`
//! can say which one decided.

use crate::message::Header;
use serde::Serialize;
use std::fmt;

/// How much a version moves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Bump {
    #[default]
    None,
    Patch,
    Minor,
    Major,
}

impl Bump {
    pub fn as_str(self) -> &'static str {
        match self {
            Bump::None => "none",
            Bump::Patch => "patch",
            Bump::Minor => "minor",
            Bump::Major => "major",
        }
    }
}

impl fmt::Display for Bump {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why something bumps (or does not): a stable id for `--json` and a
/// sentence for people.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Rule {
    /// `type!:` — major.
    BreakingBang,
    /// `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer — major.
    BreakingFooter,
    /// A breaking change in 0.x with `--bump-minor-pre-major` — minor.
    BreakingPreMajor,
    /// `feat` — minor.
    Feat,
    /// `fix` — patch.
    Fix,
    /// `perf` — patch.
    Perf,
    /// Any other type — none.
    OtherType,
    /// A revert of a change released before the range — patch.
    RevertOfReleased,
    /// A revert of a commit inside the range: both count for nothing.
    RevertedInRange,
    /// A `release:skip` label — none, whatever the commits say.
    LabelSkip,
    /// A `release:major|minor|patch` label.
    Label,
    /// A `Release-As: X.Y.Z` footer.
    ReleaseAs,
    /// No tag yet: the first release is `--initial`.
    Initial,
}

impl Rule {
    pub fn id(self) -> &'static str {
        match self {
            Rule::BreakingBang => "breaking-bang",
            Rule::BreakingFooter => "breaking-footer",
            Rule::BreakingPreMajor => "breaking-pre-major",
            Rule::Feat => "type-feat",
            Rule::Fix => "type-fix",
            Rule::Perf => "type-perf",
            Rule::OtherType => "type-other",
            Rule::RevertOfReleased => "revert-of-released",
            Rule::RevertedInRange => "reverted-in-range",
            Rule::LabelSkip => "label-release-skip",
            Rule::Label => "label-release-bump",
            Rule::ReleaseAs => "release-as",
            Rule::Initial => "initial",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Rule::BreakingBang => "`!` after the type/scope marks a breaking change → major",
            Rule::BreakingFooter => "a `BREAKING CHANGE:` footer → major",
            Rule::BreakingPreMajor => {
                "a breaking change before 1.0.0 with --bump-minor-pre-major → minor"
            }
            Rule::Feat => "type `feat` → minor",
            Rule::Fix => "type `fix` → patch",
            Rule::Perf => "type `perf` → patch",
            Rule::OtherType => "other types do not release",
            Rule::RevertOfReleased => {
                "a revert of an already released change → the level of the change it reverts"
            }
            Rule::RevertedInRange => "reverted inside the range: cancels out",
            Rule::LabelSkip => "label `release:skip` → no release",
            Rule::Label => "a `release:*` label forces the bump",
            Rule::ReleaseAs => "a `Release-As:` footer sets the version",
            Rule::Initial => "no version tag yet: the first release is --initial",
        }
    }
}

impl Serialize for Rule {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.id())
    }
}

/// The default `lint-title` type list: the conventional types
/// (@commitlint/config-conventional's list).
pub const CONVENTIONAL_TYPES: &[&str] = &[
    "build", "chore", "ci", "docs", "feat", "fix", "perf", "refactor", "revert", "style", "test",
];

/// What one conventional header is worth, before the 0.x adjustment and
/// before revert cancellation.
pub fn header_bump(h: &Header<'_>) -> (Bump, Rule) {
    if h.bang {
        return (Bump::Major, Rule::BreakingBang);
    }
    if h.breaking_footer.is_some() {
        return (Bump::Major, Rule::BreakingFooter);
    }
    type_bump(h.ty)
}

/// What a (non-breaking) type is worth; types compare case-insensitively.
pub fn type_bump(ty: &str) -> (Bump, Rule) {
    if ty.eq_ignore_ascii_case("feat") {
        (Bump::Minor, Rule::Feat)
    } else if ty.eq_ignore_ascii_case("fix") {
        (Bump::Patch, Rule::Fix)
    } else if ty.eq_ignore_ascii_case("perf") {
        (Bump::Patch, Rule::Perf)
    } else {
        (Bump::None, Rule::OtherType)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::message::parse;

    fn bump(m: &str) -> (Bump, Rule) {
        header_bump(&parse(m).header.unwrap())
    }

    #[test]
    fn the_table() {
        assert_eq!(bump("feat: x"), (Bump::Minor, Rule::Feat));
        assert_eq!(bump("Feat: x"), (Bump::Minor, Rule::Feat));
        assert_eq!(bump("FIX(a): x"), (Bump::Patch, Rule::Fix));
        assert_eq!(bump("perf: x"), (Bump::Patch, Rule::Perf));
        assert_eq!(bump("docs: x"), (Bump::None, Rule::OtherType));
        assert_eq!(bump("chore!: x"), (Bump::Major, Rule::BreakingBang));
        assert_eq!(
            bump("docs: x\n\nBREAKING-CHANGE: y"),
            (Bump::Major, Rule::BreakingFooter)
        );
        assert_eq!(
            bump("feat: x\n\nbreaking change: y"),
            (Bump::Minor, Rule::Feat)
        );
    }

    #[test]
    fn bumps_order() {
        assert!(Bump::Major > Bump::Minor && Bump::Minor > Bump::Patch && Bump::Patch > Bump::None);
    }
}
