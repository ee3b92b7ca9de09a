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
            rules.type_list()
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
        rules
            .types
            .iter()
            .any(|t| t.is_match(alias) == Ok(true))
            .then(|| alias.to_owned())
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
                .literal_types()
                .find(|t| t == guess)
                .or_else(|| rules.literal_types().next())
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
        (Some(s), Some(allowed)) if allowed.iter().any(|a| a.is_match(s) == Ok(true)) => {
            Some(s.clone())
        }
        (Some(_), Some(allowed)) | (None, Some(allowed)) if rules.require_scope => allowed
            .iter()
            .find(|a| a.is_literal())
            .map(|a| a.as_str().to_owned()),
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

    fn ws(words: &[&str], ci: bool) -> Vec<Pattern> {
        words
            .iter()
            .map(|w| Pattern::whole(w, ci).unwrap())
            .collect()
    }

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
            scopes: Some(ws(&["api", "ui"], false)),
            require_scope: true,
            subject_pattern: Some(Pattern::new("^[a-z].*").unwrap()),
            ..rules()
        };
        assert_eq!(rule_of("feat: x", &scoped), Some(LintRule::ScopeRequired));
        assert_eq!(rule_of("feat(db): x", &scoped), Some(LintRule::ScopeEnum));
        assert_eq!(rule_of("feat(api,ui): x", &scoped), None);
        // scopes are patterns matched as written (case-sensitive, as
        // action-semantic-pull-request and commitlint's scope-enum)
        assert_eq!(rule_of("feat(API): x", &scoped), Some(LintRule::ScopeEnum));
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
            scopes: Some(ws(&["api"], false)),
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
        let re = |p: &str| Some(Pattern::new(p).unwrap());
        let sets = [
            rules(),
            TitleRules {
                subject_pattern: re("^[a-z].*"),
                ..rules()
            },
            TitleRules {
                subject_pattern: re("^[A-Z].*"),
                ..rules()
            },
            TitleRules {
                subject_pattern: re(".*[^.]$"),
                scopes: Some(ws(&["api", "ui"], false)),
                require_scope: true,
                ..rules()
            },
            TitleRules {
                subject_pattern: re("^.{1,12}$"),
                types: ws(&["fix", "chore"], true),
                ..rules()
            },
            TitleRules {
                require_scope: true,
                subject_pattern: re("^[a-z]+ [a-z]+.*"),
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
            subject_pattern: re("^JIRA-[0-9]+ .*"),
            ..rules()
        };
        let f = lint_title("fix(ui): X", &jira).unwrap_err();
        assert_eq!(f.rule, LintRule::SubjectPattern);
        assert_eq!(f.example, None);
        assert_eq!(
            f.advice(),
            "No example could be built: the description after `fix(ui): ` must match the pattern `^JIRA-[0-9]+ .*`"
        );
    }

    /// The fuzz target `header_verdict`'s property, over many generated
    /// headers (runs without a fuzzer): the strict reading, `lint-title`,
    /// `lint-commits` and the analyzer behind `next` give one verdict.
    #[test]
    fn one_verdict_for_generated_headers() {
        use crate::analysis::Analyzer;
        let parts = [
            "feat", "Fix", "x_y", "(", ")", "!", ":", " ", "  ", "\t", "api", "a b", ",", "\"",
            "Revert",
        ];
        let rules = TitleRules {
            types: ws(&["[A-Za-z0-9_-]+"], true),
            ..rules()
        };
        let mut seed: u64 = 0x5eed;
        for _ in 0..20_000 {
            let mut h = String::new();
            for _ in 0..(seed % 7 + 1) {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                h.push_str(parts[(seed >> 33) as usize % parts.len()]);
            }
            if message::quoted_revert(&h).is_some() || h.trim().is_empty() {
                continue;
            }
            let strict = message::parse_header(&h).is_ok();
            assert_eq!(strict, lint_title(&h, &rules).is_ok(), "{h:?}");
            assert_eq!(strict, lint_commit(&h, &rules).is_ok(), "{h:?}");
            let mut a = Analyzer::new();
            a.push("0123456789abcdef0123456789abcdef01234567", 1, &h);
            assert_eq!(strict, a.finish().counts.conventional == 1, "{h:?}");
        }
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
