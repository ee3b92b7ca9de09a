//! User patterns for the title rules (`--types`, `--scopes`,
//! `--disallow-scopes`, `--subject-pattern`, `--header-pattern`): the
//! syntax people bring from action-semantic-pull-request, look-around
//! included, run by a backtracking engine with a bound on its work so a
//! pattern can never hang a check.

use std::fmt;

/// How many backtracking steps one match may take (fancy-regex's own
/// default; a pathological pattern gives up instead of hanging).
pub const BACKTRACK_LIMIT: usize = 1_000_000;

/// A pattern that does not compile: which, where, and what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("the pattern '{pattern}' does not compile{}: {what}", match .position { Some(p) => format!(" (at character {})", p + 1), None => String::new() })]
pub struct PatternError {
    pub pattern: String,
    /// Byte offset into the pattern, when the parser knows it.
    pub position: Option<usize>,
    pub what: String,
}

/// A compiled pattern.
#[derive(Clone)]
pub struct Pattern {
    source: String,
    re: fancy_regex::Regex,
}

impl fmt::Debug for Pattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Pattern({:?})", self.source)
    }
}

/// The byte ranges of a match's capture groups (group 0 first; `None`:
/// the group did not take part).
pub type Groups = Vec<Option<(usize, usize)>>;

/// A match that could not be decided: the pattern gave up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GaveUp;

impl Pattern {
    /// The pattern as given (matched anywhere; see [`Pattern::first_match_is_whole`]).
    pub fn new(source: &str) -> Result<Pattern, PatternError> {
        Self::build(source, source, false)
    }

    /// A pattern matched against a whole value (`^(?:p)$`), as
    /// action-semantic-pull-request does for types and scopes.
    pub fn whole(source: &str, case_insensitive: bool) -> Result<Pattern, PatternError> {
        check(source)?;
        Self::build(source, &format!("^(?:{source})$"), case_insensitive)
    }

    fn build(source: &str, compiled: &str, ci: bool) -> Result<Pattern, PatternError> {
        check(source)?;
        let re = fancy_regex::RegexBuilder::new(compiled)
            .case_insensitive(ci)
            .backtrack_limit(BACKTRACK_LIMIT)
            .build()
            .map_err(|e| error(source, e))?;
        Ok(Pattern {
            source: source.to_owned(),
            re,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// A plain word (`feat`, `api`): no pattern syntax at all.
    pub fn is_literal(&self) -> bool {
        !self.source.is_empty()
            && self
                .source
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    }

    /// Whether the pattern matches somewhere in `text`.
    pub fn is_match(&self, text: &str) -> Result<bool, GaveUp> {
        self.re.is_match(text).map_err(|_| GaveUp)
    }

    /// The first (leftmost) match spans all of `text` — how
    /// action-semantic-pull-request reads `subjectPattern`. `Ok(None)`: no
    /// match; `Ok(Some(part))`: the part that matched.
    pub fn first_match(&self, text: &str) -> Result<Option<(usize, usize)>, GaveUp> {
        match self.re.find(text) {
            Ok(Some(m)) => Ok(Some((m.start(), m.end()))),
            Ok(None) => Ok(None),
            Err(_) => Err(GaveUp),
        }
    }

    /// The capture groups of the first match, as byte ranges.
    pub fn captures(&self, text: &str) -> Result<Option<Groups>, GaveUp> {
        match self.re.captures(text) {
            Ok(Some(c)) => Ok(Some(
                (0..c.len())
                    .map(|i| c.get(i).map(|m| (m.start(), m.end())))
                    .collect(),
            )),
            Ok(None) => Ok(None),
            Err(_) => Err(GaveUp),
        }
    }

    /// How many capture groups (group 0 aside).
    pub fn groups(&self) -> usize {
        self.re.captures_len().saturating_sub(1)
    }
}

/// Syntax errors with their position, from the standard parser (which
/// refuses only look-around and back-references; fancy-regex reads those).
fn check(source: &str) -> Result<(), PatternError> {
    if source.trim().is_empty() {
        return Err(PatternError {
            pattern: source.to_owned(),
            position: None,
            what: "the pattern is empty".into(),
        });
    }
    if let Err(e) = regex_syntax::ast::parse::Parser::new().parse(source) {
        use regex_syntax::ast::ErrorKind as K;
        if !matches!(
            e.kind(),
            K::UnsupportedLookAround | K::UnsupportedBackreference
        ) {
            return Err(PatternError {
                pattern: source.to_owned(),
                position: Some(e.span().start.offset),
                what: e.kind().to_string(),
            });
        }
    }
    Ok(())
}

fn error(source: &str, e: fancy_regex::Error) -> PatternError {
    let (position, what) = match &e {
        fancy_regex::Error::ParseError(pos, why) => (Some(*pos), why.to_string()),
        fancy_regex::Error::CompileError(why) => {
            let text = why.to_string();
            // the regex crate's message spans lines; its last says what
            let last = text.lines().last().unwrap_or("").trim().to_owned();
            (None, last)
        }
        other => (None, other.to_string()),
    };
    PatternError {
        pattern: source.to_owned(),
        position,
        what,
    }
}

/// Reads a list of patterns: one per line (how action-semantic-pull-request
/// takes `types`, `scopes`, `disallowScopes`), or comma-separated; a comma
/// inside brackets or braces (`[A-Z]{1,3}`) stays in its pattern.
pub fn split_list(input: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in input.split('\n') {
        let mut depth = 0i32;
        let mut escaped = false;
        let mut start = 0;
        let line = line.strip_suffix('\r').unwrap_or(line);
        for (i, c) in line.char_indices() {
            if escaped {
                escaped = false;
                continue;
            }
            match c {
                '\\' => escaped = true,
                '(' | '[' | '{' => depth += 1,
                ')' | ']' | '}' => depth -= 1,
                ',' if depth <= 0 => {
                    out.push(line[start..i].trim().to_owned());
                    start = i + 1;
                }
                _ => {}
            }
        }
        out.push(line[start..].trim().to_owned());
    }
    out.retain(|s| !s.is_empty());
    out
}

/// `/…/flags` → the pattern with the flags inline (`i`, `m`, `s`; `u`
/// and `g` change nothing here). Other text is returned as is.
pub fn strip_delimiters(s: &str) -> String {
    let t = s.trim();
    if let Some(rest) = t.strip_prefix('/')
        && let Some(end) = rest.rfind('/')
    {
        let (body, flags) = (&rest[..end], &rest[end + 1..]);
        if flags.chars().all(|c| "gimsuy".contains(c)) {
            let inline: String = flags.chars().filter(|c| "ims".contains(*c)).collect();
            return if inline.is_empty() {
                body.to_owned()
            } else {
                format!("(?{inline}){body}")
            };
        }
    }
    t.to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_split_by_line_or_comma_outside_brackets() {
        // action-semantic-pull-request src/ConfigParser.test.js: "parses
        // newline-delimited lists, trimming whitespace" and "…including regex".
        assert_eq!(
            split_list("one   \ntwo   \nthree  \r\nfour"),
            ["one", "two", "three", "four"]
        );
        assert_eq!(
            split_list("one   \ntwo   \n^[A-Z]+\\n$  \r\nfour"),
            ["one", "two", "^[A-Z]+\\n$", "four"]
        );
        assert_eq!(split_list("feat, fix,docs"), ["feat", "fix", "docs"]);
        assert_eq!(split_list("[A-Z]{1,3}-\\d+,x"), ["[A-Z]{1,3}-\\d+", "x"]);
        assert_eq!(split_list(" \n , "), Vec::<String>::new());
    }

    #[test]
    fn whole_matches_and_look_around() {
        let t = Pattern::whole(r"[A-Z]+-\d+", true).unwrap();
        assert_eq!(t.is_match("JIRA-123"), Ok(true));
        assert_eq!(t.is_match("jira-123"), Ok(true));
        assert_eq!(t.is_match("JIRA-123A"), Ok(false));
        let s = Pattern::whole("core", false).unwrap();
        assert_eq!(s.is_match("score"), Ok(false));
        let look = Pattern::new("^(?![A-Z]).+$").unwrap();
        assert_eq!(look.first_match("foobar"), Ok(Some((0, 6))));
        assert_eq!(look.first_match("Foobar"), Ok(None));
        assert!(Pattern::whole("a|b", false).unwrap().is_match("b").unwrap());
        assert!(
            !Pattern::whole("a|b", false)
                .unwrap()
                .is_match("ab")
                .unwrap()
        );
    }

    #[test]
    fn bad_patterns_name_the_position() {
        let e = Pattern::new("feat(").unwrap_err();
        assert_eq!(e.position, Some(4), "{e}");
        assert!(e.to_string().contains("'feat('"), "{e}");
        let e = Pattern::whole("[a-", false).unwrap_err();
        assert!(e.position.is_some(), "{e}");
        let e = Pattern::new("(?<=a+)b").unwrap_err();
        assert!(e.to_string().contains("(?<=a+)b"), "{e}");
        assert!(Pattern::new("").is_err());
    }

    #[test]
    fn catastrophic_patterns_give_up() {
        let p = Pattern::new("^(a+)+\\1$").unwrap();
        let text = format!("{}b", "a".repeat(40));
        let r = p.is_match(&text);
        assert!(r == Err(GaveUp) || r == Ok(false));
    }

    #[test]
    fn delimiters() {
        assert_eq!(strip_delimiters("/^(\\w*): (.*)$/"), "^(\\w*): (.*)$");
        assert_eq!(strip_delimiters("/x/i"), "(?i)x");
        assert_eq!(strip_delimiters("^x$"), "^x$");
        assert_eq!(strip_delimiters("/a/b/"), "a/b");
    }
}
