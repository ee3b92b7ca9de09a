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

/// Why a message is not a conventional commit. The header faults are the
/// ones `lint-title` and `lint-commits` report, so every command gives a
/// header the same verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotConventional {
    /// A space or tab before the type (`git commit -m " feat: x"` keeps it).
    LeadingWhitespace,
    /// A carriage return inside the first line: two lines to a title check,
    /// one to git (found by fuzzing: `lint-title` refused what `next` counted).
    LineBreak,
    /// No colon at all: not `type: description`.
    NoType,
    /// Nothing before the colon.
    EmptyType,
    /// The type holds characters a type cannot (letters, digits, `-`, `_`).
    TypeCharacters,
    /// The text before the colon is not `type(scope)!`.
    NotTypeScope,
    /// `type (scope)` / `type :` — a space before the scope or the colon.
    SpaceBeforeColon,
    /// `type(scope` — never closed.
    UnclosedScope,
    /// `type(a(b))` — a parenthesis inside the scope.
    NestedScope,
    /// `type(): …`
    EmptyScope,
    /// `type( api ): …`
    SpacedScope,
    /// Nothing after the colon.
    MissingDescription,
    /// `type:x`, `type:  x` — the colon is followed by exactly one space.
    SpaceAfterColon,
    /// The header is fine, but the body does not start after a blank line.
    BodyNotSeparated,
    /// Anything else the parser refused (an empty footer value…).
    Malformed,
}

impl NotConventional {
    /// A short explanation, for warnings and lint failures.
    pub fn describe(self) -> &'static str {
        match self {
            NotConventional::LeadingWhitespace => {
                "the first line starts with a space or tab: the type must come first"
            }
            NotConventional::LineBreak => {
                "the first line holds a carriage return: a header is one line"
            }
            NotConventional::NoType => "there is no `type: ` prefix",
            NotConventional::EmptyType => "the first line must start with a type, as in `feat: …`",
            NotConventional::TypeCharacters => {
                "the type holds characters a type cannot (letters, digits, '-', '_')"
            }
            NotConventional::NotTypeScope => "the text before the colon is not `type(scope)!`",
            NotConventional::SpaceBeforeColon => "there is a space before the colon or the scope",
            NotConventional::UnclosedScope => "the scope's `(` is never closed",
            NotConventional::NestedScope => "the scope holds a `(`",
            NotConventional::EmptyScope => {
                "the scope is empty: write `type(scope): …` or drop the parentheses"
            }
            NotConventional::SpacedScope => "the scope has spaces around it",
            NotConventional::MissingDescription => "the description after the colon is empty",
            NotConventional::SpaceAfterColon => "the colon must be followed by exactly one space",
            NotConventional::BodyNotSeparated => {
                "the body must be separated from the first line by a blank line"
            }
            NotConventional::Malformed => "a footer is malformed (a token with an empty value)",
        }
    }

    /// The lint rule this breaks (`lint-title`, `lint-commits` and the
    /// warnings of `next` name it the same).
    pub fn rule_id(self) -> &'static str {
        match self {
            NotConventional::LeadingWhitespace => "leading-whitespace",
            NotConventional::LineBreak => "single-line",
            NotConventional::SpaceAfterColon => "space-after-colon",
            NotConventional::BodyNotSeparated => "body-leading-blank",
            NotConventional::Malformed => "footer-format",
            _ => "header-format",
        }
    }

    /// Whether the first line looks like an attempt at a conventional
    /// header (worth a warning when a commit is not counted), rather than a
    /// plain sentence such as `Update readme`.
    pub fn is_near_miss(self) -> bool {
        !matches!(
            self,
            NotConventional::NoType | NotConventional::NotTypeScope | NotConventional::EmptyType
        )
    }
}

/// The parts of a header, read strictly: `type(scope)!: description`, the
/// colon followed by exactly one space. Trailing whitespace is ignored;
/// leading whitespace is a fault (every command reads headers through here).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeaderParts<'a> {
    pub ty: &'a str,
    pub scope: Option<&'a str>,
    pub bang: bool,
    pub description: &'a str,
}

/// Reads one header line strictly (hand-written so that each fault has a
/// name; the spec's grammar is small).
pub fn parse_header(line: &str) -> Result<HeaderParts<'_>, NotConventional> {
    use NotConventional as N;
    let header = line.trim_end_matches([' ', '\t', '\r']);
    if header.contains('\r') {
        return Err(N::LineBreak);
    }
    if header.starts_with(char::is_whitespace) {
        return Err(N::LeadingWhitespace);
    }
    let end_ty = header
        .find(|c: char| c == '(' || c == '!' || c == ':' || c.is_whitespace())
        .unwrap_or(header.len());
    let ty = &header[..end_ty];
    if ty.is_empty() {
        return Err(if header.contains(':') {
            N::EmptyType
        } else {
            N::NoType
        });
    }
    let mut rest = &header[end_ty..];
    if rest.starts_with(char::is_whitespace) {
        let after = rest.trim_start();
        return Err(if after.starts_with(':') || after.starts_with('(') {
            if ty_ok(ty) {
                N::SpaceBeforeColon
            } else {
                N::TypeCharacters
            }
        } else if header.contains(':') {
            N::NotTypeScope
        } else {
            N::NoType
        });
    }
    if !ty_ok(ty) {
        return Err(if header.contains(':') {
            N::TypeCharacters
        } else {
            N::NoType
        });
    }
    let mut scope = None;
    if let Some(r) = rest.strip_prefix('(') {
        let Some(close) = r.find(')') else {
            return Err(N::UnclosedScope);
        };
        let s = &r[..close];
        if s.contains('(') {
            return Err(N::NestedScope);
        }
        if s.trim().is_empty() {
            return Err(N::EmptyScope);
        }
        if s.trim() != s {
            return Err(N::SpacedScope);
        }
        scope = Some(s);
        rest = &r[close + 1..];
    }
    let bang = rest.starts_with('!');
    if bang {
        rest = &rest[1..];
    }
    let Some(after) = rest.strip_prefix(':') else {
        return Err(if rest.trim_start().starts_with(':') {
            N::SpaceBeforeColon
        } else if header.contains(':') {
            N::NotTypeScope
        } else {
            N::NoType
        });
    };
    if after.trim().is_empty() {
        return Err(N::MissingDescription);
    }
    let description = match after.strip_prefix(' ') {
        Some(d) if !d.starts_with(char::is_whitespace) => d,
        _ => return Err(N::SpaceAfterColon),
    };
    Ok(HeaderParts {
        ty,
        scope,
        bang,
        description,
    })
}

fn ty_ok(ty: &str) -> bool {
    ty.chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
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
    let (header, parsed) = match parse_header(subject) {
        Err(why) => (Err(why), None),
        // The header is the strict reading; git-conventional reads the body
        // and footers (it accepts every header the strict reading does).
        Ok(parts) => match Commit::parse(message) {
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
                    ty: parts.ty,
                    scope: parts.scope,
                    description: parts.description,
                    bang: parts.bang,
                    breaking_footer,
                };
                (Ok(header), Some(c))
            }
            Err(e) => (
                Err(if e.kind() == ErrorKind::InvalidBody {
                    NotConventional::BodyNotSeparated
                } else {
                    NotConventional::Malformed
                }),
                None,
            ),
        },
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

/// The first line of a text, without `\r`.
pub fn first_line(s: &str) -> &str {
    let line = s.split('\n').next().unwrap_or("");
    line.strip_suffix('\r').unwrap_or(line)
}

fn starts_with_ignore_case(s: &str, prefix: &str) -> bool {
    s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix)
}

/// The quoted header of git's (and GitHub's) revert subjects:
/// `Revert "feat: x"`, `Reapply "feat: x"`, with or without ` (#12)`.
pub fn quoted_revert(subject: &str) -> Option<&str> {
    let bare = strip_pr_suffix(subject);
    ["Revert \"", "Reapply \""].iter().find_map(|word| {
        bare.strip_prefix(word)
            .and_then(|inner| inner.strip_suffix('"'))
            .filter(|inner| !inner.is_empty())
    })
}

/// Finds what a commit reverts. The HEADER decides whether it is a revert:
/// the spec's `revert:` type, or git's `Revert "…"` / `Reapply "…"`
/// subjects (GitHub's revert pull requests keep the subject and drop the
/// sha). Only then are `This reverts commit <sha>` lines and `Refs:`
/// footers read: a squash merge whose body quotes the messages of its
/// branch's reverts is not itself a revert.
fn revert_of<'a>(
    subject: &'a str,
    rest: &'a str,
    header: Option<&Header<'a>>,
    parsed: Option<&Commit<'a>>,
) -> Option<Revert<'a>> {
    let quoted = quoted_revert(subject);
    let typed = header.filter(|h| h.ty.eq_ignore_ascii_case("revert"));
    if quoted.is_none() && typed.is_none() {
        return None;
    }
    let mut revert = Revert {
        shas: Vec::new(),
        header: quoted,
    };

    let mut search = rest;
    while let Some(i) = search.find("This reverts commit ") {
        let after = &search[i + "This reverts commit ".len()..];
        let hex_len = after.bytes().take_while(|b| b.is_ascii_hexdigit()).count();
        if (7..=64).contains(&hex_len) {
            revert.shas.push(&after[..hex_len]);
        }
        search = &after[hex_len..];
    }

    if let Some(h) = typed {
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
    Some(revert)
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
    fn one_strict_header_reading() {
        use NotConventional as N;
        for (h, want) in [
            ("feat:add x", N::SpaceAfterColon),
            ("feat:  two spaces", N::SpaceAfterColon),
            ("feat!:x", N::SpaceAfterColon),
            ("fix(bar):     x", N::SpaceAfterColon),
            ("feat( api ): spaced", N::SpacedScope),
            (" feat: x", N::LeadingWhitespace),
            ("\tfeat: x", N::LeadingWhitespace),
            ("feat (api): x", N::SpaceBeforeColon),
            ("feat : x", N::SpaceBeforeColon),
            ("feat(): x", N::EmptyScope),
            ("feat(a(b)): x", N::NestedScope),
            ("feat(api: x", N::UnclosedScope),
            ("feat:", N::MissingDescription),
            ("fix: ", N::MissingDescription),
            (": x", N::EmptyType),
            ("feat/x: y", N::TypeCharacters),
            ("Update readme", N::NoType),
            ("Update README: typo", N::NotTypeScope),
            ("fixup! feat: x", N::NotTypeScope),
        ] {
            assert_eq!(parse_header(h), Err(want), "{h:?}");
            // the whole-message parse gives the same verdict
            assert_eq!(parse(h).header.map(|_| ()), Err(want), "{h:?}");
        }
        let p = parse_header("feat(api)!: x  ").unwrap();
        assert_eq!(
            (p.ty, p.scope, p.bang, p.description),
            ("feat", Some("api"), true, "x")
        );
        assert!(parse_header("JIRA-12_a: x").is_ok());
        assert!(!N::NoType.is_near_miss() && N::SpaceAfterColon.is_near_miss());
    }

    #[test]
    fn only_a_revert_header_makes_a_revert() {
        let sha = "0123456789abcdef0123456789abcdef01234567";
        // A squash merge quoting its branch's revert is what its header says.
        let squash = format!(
            "feat(changelog, config)!: x (#9)\n\n* feat: a\n\n* Revert \"feat: a\"\n\nThis reverts commit {sha}.\n"
        );
        let m = parse(&squash);
        assert_eq!(m.revert, None);
        assert!(m.header.unwrap().breaking());
        let chore = parse("chore: \"revert chore: deploy pages once\"");
        assert_eq!(chore.revert, None);
        let docs = format!("docs: x\n\nThis reverts commit {sha}.\n");
        assert_eq!(parse(&docs).revert, None);
        // revert: with the git line
        let typed = format!("revert: feat: a\n\nThis reverts commit {sha}.\n");
        assert_eq!(parse(&typed).revert.unwrap().shas, vec![sha]);
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
