//! One commit message (or PR title), read once with the git-conventional
//! parser: its header, whether it breaks, what it reverts, a `Release-As:`
//! footer, and the near-misses worth a warning (a lower-case
//! `breaking change:`, a `Release-As:` outside the footers).
//!
//! Everything borrows from the message: the hot loop of `next` classifies
//! every commit in the range and keeps only what the changelog needs.

use git_conventional::{Commit, ErrorKind, FooterSeparator};

/// The footer token the spec defines for breaking changes (upper-case only).
pub const BREAKING_CHANGE: &str = "BREAKING CHANGE";
/// Its synonym.
pub const BREAKING_CHANGE_ARROW: &str = "BREAKING-CHANGE";

/// A commit message, classified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Message<'a> {
    /// The first line, without its line ending.
    pub subject: &'a str,
    /// The conventional header, or why there is none.
    pub header: Result<Header<'a>, NotConventional>,
    /// What this commit reverts, if it is a revert.
    pub revert: Option<Revert<'a>>,
    /// The value of a `Release-As:` footer (first line, trimmed).
    pub release_as: Option<&'a str>,
    /// Near-misses: text that looks meaningful but is not, by the spec.
    pub notes: Vec<Note>,
}

/// A parsed conventional header and its breaking-change marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header<'a> {
    /// The type as written (`feat`, `Fix`…); compare case-insensitively.
    pub ty: &'a str,
    pub scope: Option<&'a str>,
    pub description: &'a str,
    /// `!` before the colon.
    pub bang: bool,
    /// The value of a `BREAKING CHANGE:` / `BREAKING-CHANGE:` footer.
    pub breaking_footer: Option<&'a str>,
}

impl Header<'_> {
    /// Whether the commit declares a breaking change, by either mark.
    pub fn breaking(&self) -> bool {
        self.bang || self.breaking_footer.is_some()
    }

    /// The type, lower-cased for comparisons.
    pub fn ty_lower(&self) -> String {
        self.ty.to_ascii_lowercase()
    }

    /// What a changelog says about the breaking change: the footer's text,
    /// else the description.
    pub fn breaking_text(&self) -> Option<&str> {
        match self.breaking_footer {
            Some(text) => Some(text),
            None if self.bang => Some(self.description),
            None => None,
        }
    }
}

/// Why a message is not a conventional commit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotConventional {
    /// The first line is not `type(scope)!: description`.
    NoType,
    /// `type()` or an unbalanced scope.
    InvalidScope,
    /// Nothing after the colon.
    MissingDescription,
    /// The header is fine, but the body does not start after a blank line.
    BodyNotSeparated,
    /// Anything else the parser refused (an empty footer value…).
    Malformed,
}

impl NotConventional {
    /// A short explanation, for warnings and lint failures.
    pub fn describe(self) -> &'static str {
        match self {
            NotConventional::NoType => "the first line is not `type(scope)!: description`",
            NotConventional::InvalidScope => "the scope is empty or unbalanced",
            NotConventional::MissingDescription => "nothing follows the colon",
            NotConventional::BodyNotSeparated => {
                "the body must be separated from the first line by a blank line"
            }
            NotConventional::Malformed => "a footer is malformed (a token with an empty value)",
        }
    }
}

/// What a revert commit undoes.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Revert<'a> {
    /// Commit ids (full or abbreviated, lower-case hex) from `This reverts
    /// commit <sha>` or a `Refs:` footer of a `revert:` commit.
    pub shas: Vec<&'a str>,
    /// The reverted commit's first line, from `Revert "<header>"` or
    /// `revert: <header>`.
    pub header: Option<&'a str>,
}

/// Text that a reader may take for a meaningful mark but that the spec does
/// not recognise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Note {
    /// `breaking change:` / `Breaking-Change:` — the token is upper-case only.
    LowercaseBreaking,
    /// `BREAKING CHANGE` in a message that is not a conventional commit.
    BreakingInNonConventional,
    /// `BREAKING CHANGE:` in the middle of the body, not in the footers.
    BreakingInBody,
    /// `Release-As:` in the body, not in the footers.
    ReleaseAsInBody,
}

impl Note {
    pub fn describe(self) -> &'static str {
        match self {
            Note::LowercaseBreaking => {
                "a lower-case `breaking change:` footer is not a breaking change (the spec requires `BREAKING CHANGE:` or `BREAKING-CHANGE:`)"
            }
            Note::BreakingInNonConventional => {
                "`BREAKING CHANGE` in a message that is not a conventional commit is ignored"
            }
            Note::BreakingInBody => {
                "`BREAKING CHANGE:` inside the body is not a footer (footers follow a blank line at the end)"
            }
            Note::ReleaseAsInBody => {
                "`Release-As:` inside the body is not a footer (footers follow a blank line at the end)"
            }
        }
    }

    pub fn id(self) -> &'static str {
        match self {
            Note::LowercaseBreaking => "lowercase-breaking-footer",
            Note::BreakingInNonConventional => "breaking-in-non-conventional",
            Note::BreakingInBody => "breaking-in-body",
            Note::ReleaseAsInBody => "release-as-in-body",
        }
    }
}

/// Reads a commit message (or a PR title).
pub fn parse(message: &str) -> Message<'_> {
    let message = message.trim_end_matches(['\n', '\r', ' ', '\t']);
    let subject = first_line(message);
    let (header, parsed) = match Commit::parse(message) {
        Ok(c) => {
            let breaking_footer = c
                .footers()
                .iter()
                .find(|f| {
                    let t = f.token().as_str();
                    f.separator() == FooterSeparator::Value
                        && (t == BREAKING_CHANGE || t == BREAKING_CHANGE_ARROW)
                })
                .map(|f| f.value());
            let header = Header {
                ty: c.type_().as_str(),
                scope: c.scope().map(|s| s.as_str()),
                description: c.description(),
                bang: bang(subject),
                breaking_footer,
            };
            (Ok(header), Some(c))
        }
        Err(e) => (Err(not_conventional(message, e.kind())), None),
    };

    let release_as = parsed.as_ref().and_then(|c| {
        c.footers()
            .iter()
            .find(|f| {
                f.token().as_str().eq_ignore_ascii_case("release-as")
                    && f.separator() == FooterSeparator::Value
            })
            .map(|f| first_line(f.value()).trim())
    });

    let mut notes = Vec::new();
    let rest = &message[subject.len()..];
    if let Some(c) = &parsed {
        // Footers the spec does not recognise as breaking, though they look so.
        if c.footers().iter().any(|f| {
            let t = f.token().as_str();
            t.eq_ignore_ascii_case(BREAKING_CHANGE_ARROW) && t != BREAKING_CHANGE_ARROW
        }) {
            notes.push(Note::LowercaseBreaking);
        }
        let body = c.body().unwrap_or("");
        for line in body.lines() {
            let l = line.trim_start();
            if starts_with_ignore_case(l, "breaking change:")
                || starts_with_ignore_case(l, "breaking-change:")
            {
                let exact = l.starts_with("BREAKING CHANGE:") || l.starts_with("BREAKING-CHANGE:");
                let note = if exact {
                    Note::BreakingInBody
                } else {
                    Note::LowercaseBreaking
                };
                if !notes.contains(&note) {
                    notes.push(note);
                }
            }
            if starts_with_ignore_case(l, "release-as:") && !notes.contains(&Note::ReleaseAsInBody)
            {
                notes.push(Note::ReleaseAsInBody);
            }
        }
    } else if rest.contains(BREAKING_CHANGE) || rest.contains(BREAKING_CHANGE_ARROW) {
        notes.push(Note::BreakingInNonConventional);
    }

    let revert = revert_of(subject, rest, header.as_ref().ok(), parsed.as_ref());

    Message {
        subject,
        header,
        revert,
        release_as,
        notes,
    }
}

fn not_conventional(message: &str, kind: ErrorKind) -> NotConventional {
    match kind {
        ErrorKind::MissingType => NotConventional::NoType,
        ErrorKind::InvalidScope => NotConventional::InvalidScope,
        ErrorKind::MissingDescription => NotConventional::MissingDescription,
        ErrorKind::InvalidBody => {
            // The header alone parses: the body is glued to it.
            if Commit::parse(first_line(message)).is_ok() {
                NotConventional::BodyNotSeparated
            } else {
                NotConventional::Malformed
            }
        }
        _ => {
            if Commit::parse(first_line(message)).is_ok() {
                NotConventional::Malformed
            } else {
                NotConventional::NoType
            }
        }
    }
}

/// The first line of a text, without `\r`.
pub fn first_line(s: &str) -> &str {
    let line = s.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

/// Whether the header carries `!` right before its colon.
fn bang(subject: &str) -> bool {
    // The parser accepted `type(scope)!: …`: the first `:` ends the header.
    subject
        .find(':')
        .is_some_and(|i| subject[..i].ends_with('!'))
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// Finds what a commit reverts: git's `This reverts commit <sha>.`, its
/// `Revert "…"` / `Reapply "…"` subjects (GitHub's revert pull requests keep
/// the subject and drop the sha), and the spec's `revert:` type with `Refs:`.
fn revert_of<'a>(
    subject: &'a str,
    rest: &'a str,
    header: Option<&Header<'a>>,
    parsed: Option<&Commit<'a>>,
) -> Option<Revert<'a>> {
    let mut revert = Revert::default();
    let mut is_revert = false;

    let mut search = rest;
    while let Some(i) = search.find("This reverts commit ") {
        let after = &search[i + "This reverts commit ".len()..];
        let hex_len = after.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        if (7..=64).contains(&hex_len) {
            revert.shas.push(&after[..hex_len]);
            is_revert = true;
        }
        search = &after[hex_len..];
    }

    let bare = strip_pr_suffix(subject);
    for word in ["Revert \"", "Reapply \""] {
        let inner = bare
            .strip_prefix(word)
            .and_then(|inner| inner.strip_suffix('"'))
            .filter(|inner| !inner.is_empty());
        if let Some(inner) = inner {
            revert.header = Some(inner);
            is_revert = true;
        }
    }

    if let Some(h) = header.filter(|h| h.ty.eq_ignore_ascii_case("revert")) {
        is_revert = true;
        if revert.header.is_none() {
            let d = strip_pr_suffix(h.description);
            let d = d
                .strip_prefix('"')
                .and_then(|d| d.strip_suffix('"'))
                .unwrap_or(d);
            revert.header = Some(d);
        }
        if let Some(c) = parsed {
            for f in c.footers() {
                if f.token().as_str().eq_ignore_ascii_case("refs") {
                    for word in f.value().split([',', ' ', '\n']) {
                        let w = word.trim();
                        if (7..=64).contains(&w.len()) && w.bytes().all(|b| b.is_ascii_hexdigit()) {
                            revert.shas.push(w);
                        }
                    }
                }
            }
        }
    }
    is_revert.then_some(revert)
}

/// `feat: x (#12)` → `feat: x`: how GitHub's squash merges suffix a subject.
pub fn strip_pr_suffix(subject: &str) -> &str {
    let s = subject.trim_end();
    match pr_number(s) {
        Some(_) => s[..s.rfind(" (#").unwrap_or(s.len())].trim_end(),
        None => s,
    }
}

/// The pull request number of a squash-merged subject (`… (#12)`).
pub fn pr_number(subject: &str) -> Option<u64> {
    let s = subject.trim_end();
    let open = s.rfind(" (#")?;
    let num = s[open + 3..].strip_suffix(')')?;
    if num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(m: &str) -> Header<'_> {
        parse(m).header.unwrap()
    }

    #[test]
    fn headers_and_breaking_marks() {
        let h = header("feat(api)!: drop v1");
        assert_eq!(
            (h.ty, h.scope, h.description),
            ("feat", Some("api"), "drop v1")
        );
        assert!(h.bang && h.breaking());
        assert_eq!(h.breaking_text(), Some("drop v1"));

        let h = header("fix: x\n\nBREAKING CHANGE: the flag is gone\n");
        assert!(!h.bang);
        assert_eq!(h.breaking_footer, Some("the flag is gone"));

        let h = header("fix: x\n\nBREAKING-CHANGE: also\n");
        assert_eq!(h.breaking_footer, Some("also"));

        let h = header("FEAT: shouting");
        assert_eq!(h.ty_lower(), "feat");
    }

    #[test]
    fn lower_case_breaking_footers_are_not_breaking_but_noted() {
        let m = parse("feat: x\n\nbreaking change: nope\n");
        assert!(!m.header.as_ref().unwrap().breaking());
        assert_eq!(m.notes, vec![Note::LowercaseBreaking]);

        let m = parse("feat: x\n\nBreaking-Change: nope\n");
        assert!(!m.header.as_ref().unwrap().breaking());
        assert_eq!(m.notes, vec![Note::LowercaseBreaking]);

        let m = parse("feat: x\n\nbreaking-change: nope\n");
        assert!(!m.header.as_ref().unwrap().breaking());
        assert!(m.notes.contains(&Note::LowercaseBreaking));
    }

    #[test]
    fn breaking_in_the_middle_of_the_body_is_text() {
        let m = parse("feat: x\n\nsome text\nBREAKING CHANGE: not a footer\nmore text\n");
        assert!(!m.header.as_ref().unwrap().breaking());
        assert_eq!(m.notes, vec![Note::BreakingInBody]);
    }

    #[test]
    fn not_conventional_reasons() {
        assert_eq!(parse("Update readme").header, Err(NotConventional::NoType));
        assert!(parse("feat(): x").header.is_err());
        assert_eq!(
            parse("feat: x\nglued body").header,
            Err(NotConventional::BodyNotSeparated)
        );
        let m = parse("Update stuff\n\nBREAKING CHANGE: nope");
        assert_eq!(m.notes, vec![Note::BreakingInNonConventional]);
    }

    #[test]
    fn release_as_is_a_footer_only() {
        assert_eq!(
            parse("chore: release\n\nRelease-As: 2.0.0\n").release_as,
            Some("2.0.0")
        );
        assert_eq!(
            parse("chore: release\n\nrelease-as: 2.0.0").release_as,
            Some("2.0.0")
        );
        let m = parse("chore: x\n\nWe will\nRelease-As: 2.0.0\nlater on\n");
        assert_eq!(m.release_as, None);
        assert_eq!(m.notes, vec![Note::ReleaseAsInBody]);
    }

    #[test]
    fn reverts_in_every_form() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let git = format!("Revert \"feat: x\"\n\nThis reverts commit {sha}.\n");
        let m = parse(&git);
        assert_eq!(
            m.revert,
            Some(Revert {
                shas: vec![sha],
                header: Some("feat: x")
            })
        );
        assert!(m.header.is_err());

        let gh = parse("Revert \"feat(api): add x\" (#124)\n\nReverts o/r#123");
        assert_eq!(gh.revert.unwrap().header, Some("feat(api): add x"));

        let nested = parse("Revert \"Revert \"feat: x\"\"");
        assert_eq!(nested.revert.unwrap().header, Some("Revert \"feat: x\""));

        let conv = parse("revert: feat: x\n\nRefs: abc1234, def5678\n");
        let r = conv.revert.unwrap();
        assert_eq!(r.header, Some("feat: x"));
        assert_eq!(r.shas, vec!["abc1234", "def5678"]);

        let text = format!("Reapply \"feat: x\"\n\nThis reverts commit {sha}.\n");
        assert_eq!(parse(&text).revert.unwrap().shas, vec![sha]);

        assert_eq!(parse("feat: revert nothing").revert, None);
    }

    #[test]
    fn pr_suffixes() {
        assert_eq!(strip_pr_suffix("feat: x (#12)"), "feat: x");
        assert_eq!(strip_pr_suffix("feat: x (#)"), "feat: x (#)");
        assert_eq!(strip_pr_suffix("feat: (#a)"), "feat: (#a)");
        assert_eq!(pr_number("feat: x (#12)"), Some(12));
        assert_eq!(pr_number("feat: x"), None);
    }

    #[test]
    fn crlf_messages() {
        let m = parse("fix: y\r\n\r\nBREAKING CHANGE: z\r\n");
        assert_eq!(m.subject, "fix: y");
        assert!(m.header.unwrap().breaking());
    }
}
