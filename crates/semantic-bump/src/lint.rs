//! The semantic PR title check and the commit check, strict to the spec:
//! `type(scope)!: description`, one space after the colon, types from a
//! list (case-insensitive), optional scope rules and a subject pattern.
//!
//! A title that passes here is read by the same parser and bump rules as
//! `next` ([`crate::message`], [`crate::rules`]), so it bumps exactly as the
//! preview says.

use crate::message::{self, Header, HeaderParts, NotConventional, Note};
use crate::rules::{Bump, CONVENTIONAL_TYPES, header_bump};
use regex::Regex;
use serde::Serialize;
use std::fmt;
use std::sync::LazyLock;

/// What a title (or commit header) must follow.
#[derive(Debug, Clone)]
pub struct TitleRules {
    /// Allowed types, lower-case.
    pub types: Vec<String>,
    /// Allowed scopes, lower-case; `None`: any.
    pub scopes: Option<Vec<String>>,
    pub require_scope: bool,
    /// The description must match this.
    pub subject_pattern: Option<Regex>,
}

impl Default for TitleRules {
    fn default() -> Self {
        TitleRules {
            types: CONVENTIONAL_TYPES.iter().map(|t| (*t).to_owned()).collect(),
            scopes: None,
            require_scope: false,
            subject_pattern: None,
        }
    }
}

/// The rule a title or commit broke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LintRule {
    /// Nothing to check.
    Empty,
    /// The header starts with a space or a tab.
    LeadingWhitespace,
    /// A title is one line.
    SingleLine,
    /// Not `type(scope)!: description`.
    HeaderFormat,
    /// The colon is followed by exactly one space.
    SpaceAfterColon,
    /// The type is not in the list.
    TypeEnum,
    /// A scope is required.
    ScopeRequired,
    /// The scope is not in the list.
    ScopeEnum,
    /// The description does not match `--subject-pattern`.
    SubjectPattern,
    /// A commit body must follow a blank line.
    BodyLeadingBlank,
    /// A footer is malformed.
    FooterFormat,
    /// `breaking change:` in lower case is not a breaking change.
    BreakingFooterCase,
    /// `BREAKING CHANGE:` / `Release-As:` inside the body, not in the footers.
    FooterInBody,
}

impl LintRule {
    pub fn id(self) -> &'static str {
        match self {
            LintRule::Empty => "empty",
            LintRule::LeadingWhitespace => "leading-whitespace",
            LintRule::SingleLine => "single-line",
            LintRule::HeaderFormat => "header-format",
            LintRule::SpaceAfterColon => "space-after-colon",
            LintRule::TypeEnum => "type-enum",
            LintRule::ScopeRequired => "scope-required",
            LintRule::ScopeEnum => "scope-enum",
            LintRule::SubjectPattern => "subject-pattern",
            LintRule::BodyLeadingBlank => "body-leading-blank",
            LintRule::FooterFormat => "footer-format",
            LintRule::BreakingFooterCase => "breaking-footer-case",
            LintRule::FooterInBody => "footer-in-body",
        }
    }
}

impl fmt::Display for LintRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// Why a title or commit failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LintFailure {
    pub rule: LintRule,
    pub message: String,
    /// A valid title built from the one that failed: it passes the same
    /// rules. `None` when none could be built (a subject pattern that no
    /// candidate matches); then [`LintFailure::requires`] says what to write.
    pub example: Option<String>,
    /// What the rules require, in words, when there is no example.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requires: Option<String>,
}

impl LintFailure {
    fn new(rule: LintRule, message: String, title: &str, rules: &TitleRules) -> Self {
        let (example, requires) = match suggest(title, rules) {
            Ok(e) => (Some(e), None),
            Err(r) => (None, Some(r)),
        };
        LintFailure {
            rule,
            message,
            example,
            requires,
        }
    }

    /// What to do instead, as a sentence: "A valid title: …", or what the
    /// rules require when no example passes them.
    pub fn advice(&self) -> String {
        match (&self.example, &self.requires) {
            (Some(e), _) => format!("A valid title: {e}"),
            (None, Some(r)) => format!("No example could be built: {r}"),
            (None, None) => "No example could be built".to_owned(),
        }
    }
}

impl fmt::Display for LintFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} [{}]", self.message, self.rule)
    }
}

/// A title that passed, as `next` will read it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TitleOk {
    /// Lower-cased type (`revert` for GitHub's `Revert "…"` titles).
    #[serde(rename = "type")]
    pub ty: String,
    pub scope: Option<String>,
    pub breaking: bool,
    /// GitHub's own `Revert "…"` title.
    pub revert: bool,
    /// What this title alone is worth.
    pub bump: Bump,
}

impl LintRule {
    /// The rule a header (or message) fault breaks — the same name for
    /// every command.
    pub fn of(why: NotConventional) -> LintRule {
        match why {
            NotConventional::LeadingWhitespace => LintRule::LeadingWhitespace,
            NotConventional::SpaceAfterColon => LintRule::SpaceAfterColon,
            NotConventional::BodyNotSeparated => LintRule::BodyLeadingBlank,
            NotConventional::Malformed => LintRule::FooterFormat,
            _ => LintRule::HeaderFormat,
        }
    }
}

/// Checks a pull request title.
pub fn lint_title(title: &str, rules: &TitleRules) -> Result<TitleOk, LintFailure> {
    let fail = |rule, message: String| LintFailure::new(rule, message, title, rules);
    if title.trim().is_empty() {
        return Err(fail(LintRule::Empty, "the title is empty".into()));
    }
    if title.contains(['\n', '\r']) {
        return Err(fail(LintRule::SingleLine, "a title is one line".into()));
    }
    if let Some(ok) = github_revert(title) {
        return Ok(ok);
    }
    check_header(title, rules).map_err(|(rule, message)| fail(rule, message))
}

/// git's and GitHub's own revert titles: `Revert "feat: x"`.
fn github_revert(title: &str) -> Option<TitleOk> {
    let inner = message::quoted_revert(title)?;
    // Merged as is, it reverts a released change or cancels a change in
    // the same release; `next` decides which (from the reverted commit).
    let target = message::parse_header(inner)
        .ok()
        .map(|h| header_bump(&header_of(&h)).0)
        .unwrap_or(Bump::Patch);
    Some(TitleOk {
        ty: "revert".into(),
        scope: None,
        breaking: false,
        revert: true,
        bump: target,
    })
}

fn header_of<'a>(p: &HeaderParts<'a>) -> Header<'a> {
    Header {
        ty: p.ty,
        scope: p.scope,
        description: p.description,
        bang: p.bang,
        breaking_footer: None,
    }
}

fn check_header(header: &str, rules: &TitleRules) -> Result<TitleOk, (LintRule, String)> {
    let s = message::parse_header(header)
        .map_err(|why| (LintRule::of(why), why.describe().to_owned()))?;
    let ty = s.ty.to_ascii_lowercase();
    if !rules.types.contains(&ty) {
        return Err((
            LintRule::TypeEnum,
            format!(
                "the type `{}` is not one of: {}",
                s.ty,
                rules.types.join(", ")
            ),
        ));
    }
    match s.scope {
        None if rules.require_scope => {
            return Err((
                LintRule::ScopeRequired,
                "a scope is required, as in `feat(api): …`".into(),
            ));
        }
        Some(scope) => {
            if let Some(allowed) = &rules.scopes {
                for part in scope.split(',').map(str::trim) {
                    if !allowed.iter().any(|a| a.eq_ignore_ascii_case(part)) {
                        return Err((
                            LintRule::ScopeEnum,
                            format!("the scope `{part}` is not one of: {}", allowed.join(", ")),
                        ));
                    }
                }
            }
        }
        None => {}
    }
    if let Some(re) = rules
        .subject_pattern
        .as_ref()
        .filter(|re| !re.is_match(s.description))
    {
        return Err((
            LintRule::SubjectPattern,
            format!(
                "the description `{}` does not match the pattern `{}`",
                s.description,
                re.as_str()
            ),
        ));
    }
    Ok(TitleOk {
        ty,
        scope: s.scope.map(str::to_owned),
        breaking: s.bang,
        revert: false,
        bump: header_bump(&header_of(&s)).0,
    })
}

/// Checks a whole commit message: its first line by the title rules, then
/// the body and footers as the spec writes them.
pub fn lint_commit(message: &str, rules: &TitleRules) -> Result<(), LintFailure> {
    let m = message::parse(message);
    let subject = m.subject;
    let fail = |rule, message: String| LintFailure::new(rule, message, subject, rules);
    if subject.trim().is_empty() {
        return Err(fail(LintRule::Empty, "the commit message is empty".into()));
    }
    if message::quoted_revert(subject).is_some() {
        return Ok(());
    }
    check_header(subject, rules).map_err(|(rule, msg)| fail(rule, msg))?;
    match m.header {
        Err(message::NotConventional::BodyNotSeparated) => {
            return Err(fail(
                LintRule::BodyLeadingBlank,
                "the body must be separated from the first line by a blank line".into(),
            ));
        }
        Err(why) => return Err(fail(LintRule::of(why), why.describe().into())),
        Ok(_) => {}
    }
    for note in &m.notes {
        let rule = match note {
            Note::LowercaseBreaking => LintRule::BreakingFooterCase,
            Note::BreakingInBody | Note::ReleaseAsInBody => LintRule::FooterInBody,
            Note::BreakingInNonConventional => continue,
        };
        return Err(fail(rule, note.describe().into()));
    }
    Ok(())
}

/// Whether a commit is exempt from `lint-commits` (autosquash markers that
/// are meant to disappear before merging).
pub fn is_autosquash(subject: &str) -> bool {
    ["fixup! ", "squash! ", "amend! "]
        .iter()
        .any(|p| subject.starts_with(p))
}

/// A header read loosely: `Type (scope) ! :? rest`.
static LOOSE: LazyLock<Option<Regex>> = LazyLock::new(|| {
    Regex::new(
        r"^(?P<ty>[A-Za-z]+)\s*(?:\((?P<scope>[^()]*)\))?\s*(?P<bang>!)?\s*(?::|-)?\s*(?P<rest>.*)$",
    )
    .ok()
});

/// Builds a valid title from one that failed: keeps what is usable (a known
/// type, the scope, the words) and fills in the rest. The result passes
/// the same rules (types, scopes, required scope, subject pattern); `None`
/// when no candidate does (see [`LintFailure::requires`]).
pub fn example(title: &str, rules: &TitleRules) -> Option<String> {
    suggest(title, rules).ok()
}

/// A title that passes `rules`, built from `title`; else what the rules
/// require, in words.
fn suggest(title: &str, rules: &TitleRules) -> Result<String, String> {
    let (head, description) = example_parts(title, rules);
    for d in descriptions(&description) {
        let candidate = format!("{head}{d}");
        if passes(&candidate, rules) {
            return Ok(candidate);
        }
    }
    Err(match &rules.subject_pattern {
        Some(re) => format!(
            "the description after `{head}` must match the pattern `{}`",
            re.as_str()
        ),
        None => format!(
            "the title must be `type(scope): description`, the type one of: {}",
            rules.types.join(", ")
        ),
    })
}

/// Whether a candidate example passes [`lint_title`] (without building an
/// example of its own).
fn passes(title: &str, rules: &TitleRules) -> bool {
    !title.trim().is_empty()
        && !title.contains(['\n', '\r'])
        && (github_revert(title).is_some() || check_header(title, rules).is_ok())
}

/// How many leading words of a description are tried as shorter examples.
const MAX_PREFIX_WORDS: usize = 64;

/// Descriptions to try, best first: the given one; with its first letter
/// lower- or upper-cased; without a trailing period; its leading words
/// (for a length limit); then generic ones.
fn descriptions(given: &str) -> Vec<String> {
    fn first(s: &str, upper: bool) -> String {
        let mut c = s.chars();
        match c.next() {
            Some(f) if upper => f.to_uppercase().chain(c).collect(),
            Some(f) => f.to_lowercase().chain(c).collect(),
            None => String::new(),
        }
    }
    fn variants(s: &str, out: &mut Vec<String>) {
        let bare = s.trim_end_matches(['.', ' ']);
        for base in [s, bare] {
            if base.is_empty() {
                continue;
            }
            for v in [base.to_owned(), first(base, false), first(base, true)] {
                if !out.contains(&v) {
                    out.push(v);
                }
            }
        }
    }
    let mut out = Vec::new();
    variants(given, &mut out);
    let words: Vec<&str> = given.split_whitespace().take(MAX_PREFIX_WORDS).collect();
    for n in (1..words.len()).rev() {
        variants(&words[..n].join(" "), &mut out);
    }
    for generic in ["describe the change", "describe the change.", "change"] {
        variants(generic, &mut out);
    }
    out
}

/// The type, scope and `!` an example keeps (as `type(scope)!: `), and its
/// description before any adjustment.
fn example_parts(title: &str, rules: &TitleRules) -> (String, String) {
    let title = message::first_line(title).trim();
    let caps = LOOSE.as_ref().and_then(|re| re.captures(title));
    let word = caps
        .as_ref()
        .and_then(|c| c.name("ty"))
        .map(|m| m.as_str().to_ascii_lowercase());
    let known = word.as_deref().and_then(|w| {
        let alias = match w {
            "feature" | "features" => "feat",
            "bug" | "bugfix" | "hotfix" | "fixes" | "fixed" => "fix",
            "doc" | "documentation" => "docs",
            "tests" => "test",
            "performance" => "perf",
            other => other,
        };
        rules.types.iter().find(|t| *t == alias).cloned()
    });
    let (ty, rest) = match (&known, &caps) {
        (Some(t), Some(c)) => {
            let rest = c.name("rest").map(|m| m.as_str()).unwrap_or("").trim();
            (t.clone(), rest.to_owned())
        }
        _ => {
            let lower = title.to_ascii_lowercase();
            let guess = if lower.contains("fix") || lower.contains("bug") {
                "fix"
            } else if lower.contains("doc") || lower.contains("readme") {
                "docs"
            } else {
                "feat"
            };
            let ty = rules
                .types
                .iter()
                .find(|t| *t == guess)
                .or_else(|| rules.types.first())
                .cloned()
                .unwrap_or_else(|| "feat".into());
            (ty, title.to_owned())
        }
    };
    let given_scope = caps
        .as_ref()
        .filter(|_| known.is_some())
        .and_then(|c| c.name("scope"))
        .map(|m| m.as_str().trim().to_owned())
        .filter(|s| !s.is_empty());
    let scope = match (&given_scope, &rules.scopes) {
        (Some(s), Some(allowed)) if allowed.iter().any(|a| a.eq_ignore_ascii_case(s)) => {
            Some(s.clone())
        }
        (Some(_), Some(allowed)) | (None, Some(allowed)) if rules.require_scope => {
            allowed.first().cloned()
        }
        (Some(s), None) => Some(s.clone()),
        (None, None) if rules.require_scope => Some("scope".into()),
        _ => None,
    };
    let bang = caps
        .as_ref()
        .filter(|_| known.is_some())
        .is_some_and(|c| c.name("bang").is_some());
    let mut description = rest
        .trim()
        .trim_start_matches([':', '-', ' '])
        .trim()
        .to_owned();
    if description.is_empty() {
        description = "describe the change".into();
    }
    let scope = scope.map(|s| format!("({s})")).unwrap_or_default();
    let bang = if bang { "!" } else { "" };
    (format!("{ty}{scope}{bang}: "), description)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rules() -> TitleRules {
        TitleRules::default()
    }

    fn rule_of(title: &str, r: &TitleRules) -> Option<LintRule> {
        lint_title(title, r).err().map(|f| f.rule)
    }

    #[test]
    fn valid_titles() {
        let r = rules();
        let ok = lint_title("feat(api)!: drop v1", &r).unwrap();
        assert_eq!(
            (ok.ty.as_str(), ok.scope.as_deref(), ok.breaking, ok.bump),
            ("feat", Some("api"), true, Bump::Major)
        );
        assert_eq!(lint_title("FIX: shout", &r).unwrap().bump, Bump::Patch);
        assert_eq!(lint_title("docs: x", &r).unwrap().bump, Bump::None);
        let rev = lint_title("Revert \"feat: x\"", &r).unwrap();
        assert!(rev.revert);
        // A revert is worth what it undoes (when released before).
        assert_eq!(rev.bump, Bump::Minor);
        let docs = lint_title("Revert \"docs: x\" (#12)", &r).unwrap();
        assert!(docs.revert);
        assert_eq!(docs.bump, Bump::None);
    }

    #[test]
    fn each_rule_by_name() {
        let r = rules();
        assert_eq!(rule_of("", &r), Some(LintRule::Empty));
        assert_eq!(rule_of("feat: a\nb", &r), Some(LintRule::SingleLine));
        assert_eq!(rule_of("Add login", &r), Some(LintRule::HeaderFormat));
        assert_eq!(rule_of("feat : x", &r), Some(LintRule::HeaderFormat));
        assert_eq!(rule_of("feat(): x", &r), Some(LintRule::HeaderFormat));
        assert_eq!(rule_of("feat(api: x", &r), Some(LintRule::HeaderFormat));
        assert_eq!(rule_of("feat: ", &r), Some(LintRule::HeaderFormat));
        assert_eq!(rule_of("feat:x", &r), Some(LintRule::SpaceAfterColon));
        assert_eq!(rule_of("feat:  x", &r), Some(LintRule::SpaceAfterColon));
        assert_eq!(rule_of("feature: x", &r), Some(LintRule::TypeEnum));
        assert_eq!(rule_of("Revert x", &r), Some(LintRule::HeaderFormat));
        let scoped = TitleRules {
            scopes: Some(vec!["api".into(), "ui".into()]),
            require_scope: true,
            subject_pattern: Some(Regex::new("^[a-z]").unwrap()),
            ..rules()
        };
        assert_eq!(rule_of("feat: x", &scoped), Some(LintRule::ScopeRequired));
        assert_eq!(rule_of("feat(db): x", &scoped), Some(LintRule::ScopeEnum));
        assert_eq!(rule_of("feat(API,ui): x", &scoped), None);
        assert_eq!(
            rule_of("feat(api): X", &scoped),
            Some(LintRule::SubjectPattern)
        );
    }

    #[test]
    fn examples_are_valid_and_keep_the_words() {
        let r = rules();
        for (bad, want) in [
            ("Add login page", "feat: Add login page"),
            ("fix login bug", "fix: login bug"),
            ("Feat(api) add x", "feat(api): add x"),
            ("feature: dark mode", "feat: dark mode"),
            ("feat:x", "feat: x"),
            ("feat!:  drop", "feat!: drop"),
            ("Bugfix - crash on start", "fix: crash on start"),
            ("", "feat: describe the change"),
        ] {
            let e = example(bad, &r).unwrap();
            assert_eq!(e, want, "{bad}");
            assert!(lint_title(&e, &r).is_ok(), "{e}");
        }
        let scoped = TitleRules {
            scopes: Some(vec!["api".into()]),
            require_scope: true,
            ..rules()
        };
        let e = example("feat: x", &scoped).unwrap();
        assert_eq!(e, "feat(api): x");
        assert!(lint_title(&e, &scoped).is_ok());
        let e = lint_title("wip", &r).unwrap_err().example.unwrap();
        assert!(lint_title(&e, &r).is_ok(), "{e}");
    }

    #[test]
    fn examples_pass_every_rule_set_or_say_what_is_required() {
        let re = |p: &str| Some(Regex::new(p).unwrap());
        let sets = [
            rules(),
            TitleRules {
                subject_pattern: re("^[a-z]"),
                ..rules()
            },
            TitleRules {
                subject_pattern: re("^[A-Z]"),
                ..rules()
            },
            TitleRules {
                subject_pattern: re("[^.]$"),
                scopes: Some(vec!["api".into(), "ui".into()]),
                require_scope: true,
                ..rules()
            },
            TitleRules {
                subject_pattern: re("^.{1,12}$"),
                types: vec!["fix".into(), "chore".into()],
                ..rules()
            },
            TitleRules {
                require_scope: true,
                subject_pattern: re("^[a-z]+ [a-z]+"),
                ..rules()
            },
        ];
        let titles = [
            "",
            "fix(ui): X",
            "Fix(UI): X.",
            "feat!: Drop the old API.",
            "Add login page",
            "feature(db) - Big change that goes on",
            "wip",
            "docs: README",
            "feat(api):x",
        ];
        for r in &sets {
            for t in titles {
                let Err(f) = lint_title(t, r) else { continue };
                let e = f
                    .example
                    .clone()
                    .unwrap_or_else(|| panic!("no example for {t:?} with {:?}", r.subject_pattern));
                assert!(
                    lint_title(&e, r).is_ok(),
                    "the example {e:?} for {t:?} fails {r:?}"
                );
                assert!(f.requires.is_none());
            }
        }
        assert_eq!(
            example("fix(ui): X", &sets[1]).as_deref(),
            Some("fix(ui): x")
        );
        let jira = TitleRules {
            subject_pattern: re("^JIRA-[0-9]+ "),
            ..rules()
        };
        let f = lint_title("fix(ui): X", &jira).unwrap_err();
        assert_eq!(f.rule, LintRule::SubjectPattern);
        assert_eq!(f.example, None);
        assert_eq!(
            f.advice(),
            "No example could be built: the description after `fix(ui): ` must match the pattern `^JIRA-[0-9]+ `"
        );
    }

    #[test]
    fn commits_are_linted_whole() {
        let r = rules();
        assert!(lint_commit("feat: x\n\nbody\n\nBREAKING CHANGE: y\n", &r).is_ok());
        assert_eq!(
            lint_commit("feat: x\nglued", &r).unwrap_err().rule,
            LintRule::BodyLeadingBlank
        );
        assert_eq!(
            lint_commit("feat: x\n\nbreaking change: y", &r)
                .unwrap_err()
                .rule,
            LintRule::BreakingFooterCase
        );
        assert_eq!(
            lint_commit("feat: x\n\nsee\nRelease-As: 2.0.0\nlater", &r)
                .unwrap_err()
                .rule,
            LintRule::FooterInBody
        );
        assert!(lint_commit(
            "Revert \"feat: x\"\n\nThis reverts commit 0123456789abcdef0123456789abcdef01234567.",
            &r
        )
        .is_ok());
        assert_eq!(
            lint_commit("wip", &r).unwrap_err().rule,
            LintRule::HeaderFormat
        );
        assert!(is_autosquash("fixup! feat: x"));
    }
}
