//! The semantic PR title check and the commit check, strict to the spec:
//! `type(scope)!: description`, one space after the colon, types from a
//! list (case-insensitive), optional scope rules and a subject pattern.
//!
//! A title that passes here is read by the same parser and bump rules as
//! `next` ([`crate::message`], [`crate::rules`]), so it bumps exactly as the
//! preview says.

use crate::message::{self, Header, HeaderParts, NotConventional, Note};
use crate::pattern::Pattern;
use crate::rules::{Bump, CONVENTIONAL_TYPES, header_bump};
use regex::Regex;
use serde::Serialize;
use std::fmt;
use std::sync::LazyLock;

/// What a title (or commit header) must follow.
#[derive(Debug, Clone)]
pub struct TitleRules {
    /// Allowed types: each a pattern matched against the whole type,
    /// case-insensitively (the spec says types are case-insensitive).
    pub types: Vec<Pattern>,
    /// Allowed scopes: each a pattern matched against the whole scope (as
    /// written, case-sensitive); every scope of `fix(a,b)` must match one.
    /// `None`: any.
    pub scopes: Option<Vec<Pattern>>,
    /// Scopes refused (patterns matched against the whole scope).
    pub disallow_scopes: Vec<Pattern>,
    pub require_scope: bool,
    /// The description: its first match must span all of it.
    pub subject_pattern: Option<Pattern>,
    /// The message when the subject pattern fails; `{subject}` and
    /// `{title}` are replaced.
    pub subject_pattern_error: Option<String>,
    /// A header grammar of one's own, instead of `type(scope)!: subject`.
    pub header: Option<HeaderPattern>,
}

/// `--header-pattern` with `--header-pattern-correspondence`: which capture
/// group holds the type, the scope and the subject.
#[derive(Debug, Clone)]
pub struct HeaderPattern {
    pub pattern: Pattern,
    /// 1-based group numbers.
    pub ty: usize,
    pub scope: Option<usize>,
    pub subject: usize,
}

impl HeaderPattern {
    /// Builds one from the pattern and the names of its groups, in order
    /// (`type, scope, subject`, the default).
    pub fn new(pattern: Pattern, names: &[String]) -> Result<HeaderPattern, String> {
        let names: Vec<String> = if names.is_empty() {
            vec!["type".into(), "scope".into(), "subject".into()]
        } else {
            names
                .iter()
                .map(|n| n.trim().to_ascii_lowercase())
                .collect()
        };
        let mut ty = None;
        let mut scope = None;
        let mut subject = None;
        for (i, n) in names.iter().enumerate() {
            let slot = match n.as_str() {
                "type" => &mut ty,
                "scope" => &mut scope,
                "subject" => &mut subject,
                other => {
                    return Err(format!(
                        "unknown name '{other}' in the header pattern correspondence: expected type, scope and subject, such as 'type,scope,subject'"
                    ));
                }
            };
            if slot.replace(i + 1).is_some() {
                return Err(format!(
                    "'{n}' is named twice in the header pattern correspondence"
                ));
            }
        }
        let (Some(ty), Some(subject)) = (ty, subject) else {
            return Err(
                "the header pattern correspondence must name a type and a subject, such as 'type,scope,subject'"
                    .into(),
            );
        };
        let groups = pattern.groups();
        let highest = ty.max(subject).max(scope.unwrap_or(0));
        if highest > groups {
            return Err(format!(
                "the header pattern '{}' has {groups} capture group{}, but the correspondence names {}",
                pattern.as_str(),
                if groups == 1 { "" } else { "s" },
                names.len()
            ));
        }
        Ok(HeaderPattern {
            pattern,
            ty,
            scope,
            subject,
        })
    }
}

impl Default for TitleRules {
    fn default() -> Self {
        TitleRules {
            types: CONVENTIONAL_TYPES
                .iter()
                .filter_map(|t| Pattern::whole(t, true).ok())
                .collect(),
            scopes: None,
            disallow_scopes: Vec::new(),
            require_scope: false,
            subject_pattern: None,
            subject_pattern_error: None,
            header: None,
        }
    }
}

impl TitleRules {
    fn type_list(&self) -> String {
        list(&self.types)
    }

    /// The type names an example can use (the plain words of the list).
    fn literal_types(&self) -> impl Iterator<Item = String> + '_ {
        self.types
            .iter()
            .filter(|t| t.is_literal())
            .map(|t| t.as_str().to_ascii_lowercase())
    }
}

fn list(patterns: &[Pattern]) -> String {
    patterns
        .iter()
        .map(Pattern::as_str)
        .collect::<Vec<_>>()
        .join(", ")
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
    /// The scope is refused by `--disallow-scopes`.
    ScopeDisallowed,
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
            LintRule::ScopeDisallowed => "scope-disallowed",
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
            NotConventional::LineBreak => LintRule::SingleLine,
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
    // trailing whitespace, a line's own `\r` included, is ignored as the
    // header reading ignores it
    if title
        .trim_end_matches([' ', '\t', '\r'])
        .contains(['\n', '\r'])
    {
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

/// The parts of a header, by the spec's grammar or by `--header-pattern`.
fn read_header<'a>(
    header: &'a str,
    rules: &TitleRules,
) -> Result<HeaderParts<'a>, (LintRule, String)> {
    let Some(hp) = &rules.header else {
        return message::parse_header(header)
            .map_err(|why| (LintRule::of(why), why.describe().to_owned()));
    };
    let header = header.trim_end();
    let fmt = |m: String| (LintRule::HeaderFormat, m);
    let caps = hp.pattern.captures(header).map_err(|_| {
        fmt(format!(
            "the header pattern `{}` gave up on this title (too much backtracking)",
            hp.pattern.as_str()
        ))
    })?;
    let Some(caps) = caps else {
        return Err(fmt(format!(
            "the title does not match the header pattern `{}`",
            hp.pattern.as_str()
        )));
    };
    let part = |i: usize| caps.get(i).copied().flatten();
    let ty = part(hp.ty).filter(|(s, e)| e > s);
    let Some((ts, te)) = ty else {
        return Err(fmt("no type found in the title".into()));
    };
    let Some((ss, se)) = part(hp.subject).filter(|(s, e)| header[*s..*e].trim() != "") else {
        return Err(fmt("no subject found in the title".into()));
    };
    let scope = hp.scope.and_then(part).filter(|(s, e)| e > s);
    // `!` between the type (or scope) and the subject marks a breaking change.
    let before = scope.map_or(te, |(_, e)| e.max(te));
    let bang = before <= ss && header[before..ss].contains('!');
    Ok(HeaderParts {
        ty: &header[ts..te],
        scope: scope.map(|(s, e)| &header[s..e]),
        bang,
        description: &header[ss..se],
    })
}

fn check_header(header: &str, rules: &TitleRules) -> Result<TitleOk, (LintRule, String)> {
    let s = read_header(header, rules)?;
    let ty = s.ty.to_ascii_lowercase();
    // A pattern that gives up does not match.
    if !rules.types.iter().any(|t| t.is_match(s.ty) == Ok(true)) {
        return Err((
            LintRule::TypeEnum,
            format!("the type `{}` is not one of: {}", s.ty, rules.type_list()),
        ));
    }
    let given: Vec<&str> = s
        .scope
        .map(|sc| sc.split(',').map(str::trim).collect())
        .unwrap_or_default();
    if given.is_empty() && rules.require_scope {
        return Err((
            LintRule::ScopeRequired,
            match &rules.scopes {
                Some(allowed) => format!(
                    "a scope is required, as in `feat(api): …`; it must match one of: {}",
                    list(allowed)
                ),
                None => "a scope is required, as in `feat(api): …`".into(),
            },
        ));
    }
    // A scope item that names a path (`bar/baz`, `@org/pkg`) is allowed when
    // it matches as a whole or each of its parts does, and refused when it
    // or one of its parts is (commitlint's scope-enum reads `/` so).
    let matches = |list: &[Pattern], g: &str| list.iter().any(|a| a.is_match(g) == Ok(true));
    // A refusing pattern that gives up refuses (fails closed).
    let refuses = |g: &str| {
        rules
            .disallow_scopes
            .iter()
            .any(|d| d.is_match(g) != Ok(false))
    };
    if let Some(allowed) = &rules.scopes {
        let unknown: Vec<&str> = given
            .iter()
            .copied()
            .filter(|g| !matches(allowed, g) && !g.split('/').all(|part| matches(allowed, part)))
            .collect();
        if !unknown.is_empty() {
            return Err((
                LintRule::ScopeEnum,
                format!(
                    "the scope{} `{}` {} not allowed: each scope must match one of: {}",
                    if unknown.len() == 1 { "" } else { "s" },
                    unknown.join(","),
                    if unknown.len() == 1 { "is" } else { "are" },
                    list(allowed)
                ),
            ));
        }
    }
    let refused: Vec<&str> = given
        .iter()
        .copied()
        .filter(|g| refuses(g) || (g.contains('/') && g.split('/').any(refuses)))
        .collect();
    if !refused.is_empty() {
        let gave_up = refused
            .iter()
            .any(|g| rules.disallow_scopes.iter().any(|d| d.is_match(g).is_err()));
        return Err((
            LintRule::ScopeDisallowed,
            format!(
                "disallowed scope{} found: {} (refused: {}){}",
                if refused.len() == 1 { " was" } else { "s were" },
                refused.join(", "),
                list(&rules.disallow_scopes),
                if gave_up {
                    "; a pattern gave up on it (too much backtracking), which refuses it"
                } else {
                    ""
                }
            ),
        ));
    }
    if let Some(re) = &rules.subject_pattern {
        let d = s.description;
        let problem = match re.first_match(d) {
            Ok(Some((0, end))) if end == d.len() => None,
            Ok(Some((start, end))) => Some(format!(
                "the description `{d}` is not matched as a whole by the pattern `{}` (only `{}` is)",
                re.as_str(),
                &d[start..end]
            )),
            Ok(None) => Some(format!(
                "the description `{d}` does not match the pattern `{}`",
                re.as_str()
            )),
            Err(_) => Some(format!(
                "the pattern `{}` gave up on the description `{d}` (too much backtracking)",
                re.as_str()
            )),
        };
        if let Some(default) = problem {
            let msg = match &rules.subject_pattern_error {
                Some(custom) => custom.replace("{subject}", d).replace("{title}", header),
                None => default,
            };
            return Err((LintRule::SubjectPattern, msg));
        }
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
        Err(NotConventional::Malformed) => {
            return Err(fail(
                LintRule::FooterFormat,
                NotConventional::Malformed.describe().into(),
            ));
        }
        // A header of one's own grammar (--header-pattern) passed above;
        // the spec's parser cannot read the body after it.
        Err(_) if rules.header.is_some() => return Ok(()),
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

mod example;
pub use example::example;
use example::suggest;

#[cfg(test)]
mod tests;
