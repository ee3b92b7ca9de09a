//! A passing title built from a failing one: what `lint-title` and
//! `lint-pr` suggest, or what the rules require, in words.

use super::*;
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
pub(super) fn suggest(title: &str, rules: &TitleRules) -> Result<String, String> {
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
