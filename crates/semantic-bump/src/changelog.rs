//! Release notes in Markdown: breaking changes first, then Features, Bug
//! Fixes, Performance and Reverts; each line the scope, the description, the
//! pull request and the short sha, linked when the repository URL is known.
//!
//! The renderer takes entries and options only, so `next` (the `changelog`
//! output), and later `changelog` and `release`, share it.

use crate::analysis::Entry;
use crate::rules::Rule;
use std::fmt::Write as _;

/// Where commits and pull requests live (`https://github.com/OWNER/REPO`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Links {
    base: String,
}

impl Links {
    /// Accepts `https://host/owner/repo` (a trailing `/` or `.git` is
    /// dropped); `http://` only for 127.0.0.1 or localhost.
    pub fn parse(url: &str) -> Result<Links, String> {
        let t = url.trim();
        let bad = |why: &str| {
            format!(
                "invalid repository URL '{t}': {why}; expected https://HOST/OWNER/REPO such as https://github.com/octo/shop"
            )
        };
        let rest = if let Some(r) = t.strip_prefix("https://") {
            r
        } else if let Some(r) = t.strip_prefix("http://") {
            let host = r.split(['/', ':']).next().unwrap_or("");
            if host != "127.0.0.1" && host != "localhost" {
                return Err(bad(
                    "only https:// (http:// is for 127.0.0.1 and localhost)",
                ));
            }
            r
        } else {
            return Err(bad("it does not start with https://"));
        };
        let trimmed = t.trim_end_matches('/');
        let trimmed = trimmed.strip_suffix(".git").unwrap_or(trimmed);
        let parts: Vec<&str> = rest
            .trim_end_matches('/')
            .split('/')
            .filter(|p| !p.is_empty())
            .collect();
        if parts.len() < 3 {
            return Err(bad("it needs a host, an owner and a repository"));
        }
        if t.chars()
            .any(|c| c.is_whitespace() || matches!(c, '<' | '>' | '"' | '(' | ')' | '[' | ']'))
        {
            return Err(bad("it holds characters a URL cannot"));
        }
        Ok(Links {
            base: trimmed.to_owned(),
        })
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    pub fn commit(&self, sha: &str) -> String {
        format!("{}/commit/{sha}", self.base)
    }

    pub fn pull(&self, n: u64) -> String {
        format!("{}/pull/{n}", self.base)
    }

    pub fn compare(&self, from: &str, to: &str) -> String {
        format!("{}/compare/{from}...{to}", self.base)
    }
}

/// A version heading, for a CHANGELOG.md section.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Heading {
    pub version: String,
    pub tag: String,
    pub previous_tag: Option<String>,
    /// `YYYY-MM-DD`.
    pub date: Option<String>,
}

/// How to render.
#[derive(Debug, Clone, Default)]
pub struct Options<'a> {
    pub links: Option<&'a Links>,
    /// Prepend `## [version](compare) (date)`.
    pub heading: Option<&'a Heading>,
    /// The Markdown heading level of the sections (default 3: `###`).
    pub section_level: Option<u8>,
}

/// Whether an entry belongs in a section.
type Belongs = fn(&Entry) -> bool;

/// The sections, in order: title and which entries belong.
const SECTIONS: &[(&str, Belongs)] = &[
    ("Features", |e| e.ty == "feat"),
    ("Bug Fixes", |e| e.ty == "fix"),
    ("Performance", |e| e.ty == "perf"),
    ("Reverts", |e| e.rule == Rule::RevertOfReleased),
];

/// Renders release notes. `entries` come newest first (as `next` folds
/// them); each section lists them by scope, oldest first.
pub fn render(entries: &[Entry], opts: &Options<'_>) -> String {
    let level = "#".repeat(opts.section_level.unwrap_or(3).clamp(1, 6) as usize);
    let mut out = String::new();
    if let Some(h) = opts.heading {
        let title = match (opts.links, &h.previous_tag) {
            (Some(l), Some(prev)) => format!("[{}]({})", h.version, l.compare(prev, &h.tag)),
            _ => h.version.clone(),
        };
        let _ = write!(out, "## {title}");
        if let Some(d) = &h.date {
            let _ = write!(out, " ({d})");
        }
        out.push_str("\n\n");
    }

    let mut ordered: Vec<&Entry> = entries.iter().rev().collect();
    ordered.sort_by(|a, b| a.scope.cmp(&b.scope));
    // The same change twice (cherry-picked onto a branch that is merged
    // back, a rebase that left both copies in range) is one line: the
    // oldest commit.
    let mut seen = std::collections::HashSet::new();
    ordered.retain(|e| seen.insert((&e.ty, &e.scope, &e.description, &e.breaking, e.rule)));

    let breaking: Vec<&Entry> = ordered
        .iter()
        .copied()
        .filter(|e| e.breaking.is_some())
        .collect();
    if !breaking.is_empty() {
        let _ = writeln!(out, "{level} ⚠ BREAKING CHANGES\n");
        for e in breaking {
            line(&mut out, e, e.breaking.as_deref().unwrap_or(""), opts.links);
        }
        out.push('\n');
    }
    for (title, belongs) in SECTIONS {
        let items: Vec<&Entry> = ordered.iter().copied().filter(|e| belongs(e)).collect();
        if items.is_empty() {
            continue;
        }
        let _ = writeln!(out, "{level} {title}\n");
        for e in items {
            line(&mut out, e, &e.description, opts.links);
        }
        out.push('\n');
    }
    if entries.is_empty() {
        out.push_str("_No features, fixes or performance changes._\n");
    }
    let trimmed = out.trim_end().len();
    out.truncate(trimmed);
    out.push('\n');
    out
}

/// The line under which `changelog --prepend` inserts new sections.
pub const MARKER: &str = "<!-- shipgate:changelog -->";

/// Where [`prepend`] put the section.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// Under the [`MARKER`] line.
    Marker,
    /// Above the first release section (`## 1.2.0`, `## [1.2.0]`; an
    /// `## [Unreleased]` section stays on top).
    BeforeFirstRelease,
    /// At the end: the file has a title (and an introduction) but no
    /// release section yet.
    End,
    /// A new file: a title, the marker, the section.
    NewFile,
}

impl Placement {
    pub fn describe(self) -> &'static str {
        match self {
            Placement::Marker => "under the marker",
            Placement::BeforeFirstRelease => "above the newest release",
            Placement::End => "after the title",
            Placement::NewFile => "in a new file",
        }
    }
}

/// The result of [`prepend`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Prepended {
    /// The whole new file.
    pub text: String,
    /// `None`: the file already has a section for this version, and is
    /// left as it was.
    pub placement: Option<Placement>,
}

/// Inserts `section` (a `## version` section) into a CHANGELOG.md without
/// touching any other byte: under [`MARKER`] if the file has it, else above
/// the first release section, else at the end. A file that already has a
/// section for `version` is returned unchanged. Line endings follow the
/// file's (CRLF stays CRLF).
pub fn prepend(existing: Option<&str>, section: &str, version: Option<&str>) -> Prepended {
    let section = if section.ends_with('\n') {
        section.to_owned()
    } else {
        format!("{section}\n")
    };
    let Some(text) = existing.filter(|t| !t.trim().is_empty()) else {
        return Prepended {
            text: format!("# Changelog\n\n{MARKER}\n\n{section}"),
            placement: Some(Placement::NewFile),
        };
    };
    if let Some(v) = version
        && has_section(text, v)
    {
        return Prepended {
            text: text.to_owned(),
            placement: None,
        };
    }
    let crlf = text.contains("\r\n");
    let lines = line_starts(text);
    let marker = lines
        .iter()
        .position(|&(start, end)| text[start..end].trim() == MARKER);
    let (at, placement) = match marker {
        Some(i) => {
            let end = lines[i].1;
            let next = text[end..].find('\n').map_or(text.len(), |k| end + k + 1);
            (next, Placement::Marker)
        }
        None => match first_release_heading(text, &lines) {
            Some(i) => (lines[i].0, Placement::BeforeFirstRelease),
            None => (text.len(), Placement::End),
        },
    };
    let before = &text[..at];
    let after = &text[at..];
    let mut chunk = String::new();
    if !before.is_empty() && !before.ends_with('\n') {
        chunk.push('\n');
    }
    let body = before
        .strip_suffix('\n')
        .map_or(before, |b| b.strip_suffix('\r').unwrap_or(b));
    let prev_blank = body.rsplit('\n').next().unwrap_or("").trim().is_empty();
    if !before.is_empty() && !prev_blank {
        chunk.push('\n');
    }
    chunk.push_str(&section);
    let next_line = after.split('\n').next().unwrap_or("");
    if !after.is_empty() && !next_line.trim().is_empty() {
        chunk.push('\n');
    }
    if crlf {
        chunk = chunk.replace("\r\n", "\n").replace('\n', "\r\n");
    }
    Prepended {
        text: format!("{before}{chunk}{after}"),
        placement: Some(placement),
    }
}

/// (start, end) of every line, `end` before the line break.
fn line_starts(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        if b == b'\n' {
            let end = if i > start && text.as_bytes()[i - 1] == b'\r' {
                i - 1
            } else {
                i
            };
            out.push((start, end));
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

/// The `## ` headings outside code fences: (line index, title).
fn level2_headings<'a>(text: &'a str, lines: &[(usize, usize)]) -> Vec<(usize, &'a str)> {
    let mut fenced = false;
    let mut out = Vec::new();
    for (i, &(start, end)) in lines.iter().enumerate() {
        let l = &text[start..end];
        let t = l.trim_start();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if !fenced && let Some(title) = l.strip_prefix("## ") {
            out.push((i, title.trim()));
        }
    }
    out
}

fn first_release_heading(text: &str, lines: &[(usize, usize)]) -> Option<usize> {
    level2_headings(text, lines)
        .into_iter()
        .find(|(_, title)| {
            let t = title.trim_start_matches('[').to_ascii_lowercase();
            !t.starts_with("unreleased")
        })
        .map(|(i, _)| i)
}

/// Whether the file has a `## ` section for `version` (`## 1.3.0`,
/// `## [1.3.0](…)`, `## v1.3.0 (date)`).
pub fn has_section(text: &str, version: &str) -> bool {
    let lines = line_starts(text);
    level2_headings(text, &lines).into_iter().any(|(_, title)| {
        let t = title.trim_start_matches('[');
        let t = t.strip_prefix(['v', 'V']).unwrap_or(t);
        t.strip_prefix(version)
            .is_some_and(|rest| rest.is_empty() || rest.starts_with([' ', ']', '(', '\t']))
    })
}

/// `YYYY-MM-DD` (UTC) of a Unix time.
pub fn utc_date(epoch_secs: i64) -> String {
    let days = epoch_secs.div_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = if m <= 2 { y + 1 } else { y };
    format!("{y:04}-{m:02}-{d:02}")
}

fn line(out: &mut String, e: &Entry, text: &str, links: Option<&Links>) {
    out.push_str("- ");
    if let Some(scope) = &e.scope {
        let _ = write!(out, "**{}:** ", inline(scope));
    }
    // A multi-line text (a long BREAKING CHANGE footer) stays in its item.
    let mut lines = text.lines();
    out.push_str(&inline(lines.next().unwrap_or("")));
    if let Some(n) = e.pr {
        match links {
            Some(l) => {
                let _ = write!(out, " ([#{n}]({}))", l.pull(n));
            }
            None => {
                let _ = write!(out, " (#{n})");
            }
        }
    }
    if !e.sha.is_empty() {
        match links {
            Some(l) => {
                let _ = write!(out, " ([{}]({}))", e.short_sha(), l.commit(&e.sha));
            }
            None => {
                let _ = write!(out, " ({})", e.short_sha());
            }
        }
    }
    out.push('\n');
    for more in lines {
        if more.trim().is_empty() {
            out.push('\n');
        } else {
            let _ = writeln!(out, "  {}", more.trim_end());
        }
    }
}

/// Keeps a text on one Markdown line.
fn inline(s: &str) -> String {
    s.replace(['\r', '\n'], " ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::Bump;

    fn entry(sha: &str, ty: &str, scope: Option<&str>, d: &str, breaking: Option<&str>) -> Entry {
        Entry {
            sha: sha.into(),
            subject: format!("{ty}: {d}"),
            ty: ty.into(),
            scope: scope.map(Into::into),
            description: d.into(),
            breaking: breaking.map(Into::into),
            pr: None,
            bump: Bump::Minor,
            rule: if breaking.is_some() {
                Rule::BreakingBang
            } else {
                Rule::Feat
            },
        }
    }

    #[test]
    fn sections_in_order_with_links() {
        let mut with_pr = entry("c".repeat(40).as_str(), "fix", None, "crash", None);
        with_pr.pr = Some(7);
        let entries = vec![
            entry(
                &"a".repeat(40),
                "feat",
                Some("api"),
                "drop v1",
                Some("v1 is gone\nuse v2"),
            ),
            with_pr,
            entry(&"b".repeat(40), "feat", None, "pagination", None),
            entry(&"d".repeat(40), "perf", Some("db"), "faster", None),
        ];
        let links = Links::parse("https://github.com/o/r/").unwrap();
        let md = render(
            &entries,
            &Options {
                links: Some(&links),
                ..Options::default()
            },
        );
        let expected = "\
### ⚠ BREAKING CHANGES

- **api:** v1 is gone ([aaaaaaa](https://github.com/o/r/commit/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa))
  use v2

### Features

- pagination ([bbbbbbb](https://github.com/o/r/commit/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb))
- **api:** drop v1 ([aaaaaaa](https://github.com/o/r/commit/aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa))

### Bug Fixes

- crash ([#7](https://github.com/o/r/pull/7)) ([ccccccc](https://github.com/o/r/commit/cccccccccccccccccccccccccccccccccccccccc))

### Performance

- **db:** faster ([ddddddd](https://github.com/o/r/commit/dddddddddddddddddddddddddddddddddddddddd))
";
        assert_eq!(md, expected);
    }

    #[test]
    fn plain_without_links_and_headings() {
        let entries = vec![entry(&"a".repeat(40), "feat", None, "x", None)];
        let heading = Heading {
            version: "1.3.0".into(),
            tag: "v1.3.0".into(),
            previous_tag: Some("v1.2.0".into()),
            date: Some("2025-01-20".into()),
        };
        let links = Links::parse("https://github.com/o/r.git").unwrap();
        let md = render(
            &entries,
            &Options {
                links: Some(&links),
                heading: Some(&heading),
                section_level: None,
            },
        );
        assert!(md.starts_with(
            "## [1.3.0](https://github.com/o/r/compare/v1.2.0...v1.3.0) (2025-01-20)\n\n### Features\n"
        ));
        let md = render(&entries, &Options::default());
        assert_eq!(md, "### Features\n\n- x (aaaaaaa)\n");
        assert_eq!(
            render(&[], &Options::default()),
            "_No features, fixes or performance changes._\n"
        );
    }

    #[test]
    fn repository_urls() {
        assert!(Links::parse("http://127.0.0.1:8080/o/r").is_ok());
        for bad in [
            "github.com/o/r",
            "http://example.com/o/r",
            "https://github.com/o",
            "https://x/o/r)",
        ] {
            assert!(Links::parse(bad).is_err(), "{bad}");
        }
    }
}

#[cfg(test)]
mod prepend_tests {
    use super::*;

    const SECTION: &str = "## 1.3.0 (2025-01-20)\n\n### Features\n\n- x (aaaaaaa)\n";

    #[test]
    fn under_the_marker_rest_untouched() {
        let old = "# Changelog\n\nIntro.\n\n<!-- shipgate:changelog -->\n\n## 1.2.0 (2025-01-01)\n\n- old\n";
        let p = prepend(Some(old), SECTION, Some("1.3.0"));
        assert_eq!(p.placement, Some(Placement::Marker));
        assert_eq!(
            p.text,
            format!(
                "# Changelog\n\nIntro.\n\n<!-- shipgate:changelog -->\n\n{SECTION}\n## 1.2.0 (2025-01-01)\n\n- old\n"
            )
        );
        // again: unchanged
        let again = prepend(Some(&p.text), SECTION, Some("1.3.0"));
        assert_eq!(
            (again.placement, again.text.as_str()),
            (None, p.text.as_str())
        );
    }

    #[test]
    fn without_a_marker_above_the_newest_release() {
        let old = "# Changelog\n\n## [Unreleased]\n\n## [1.2.0] - 2025-01-01\n\n- old";
        let p = prepend(Some(old), SECTION, Some("1.3.0"));
        assert_eq!(p.placement, Some(Placement::BeforeFirstRelease));
        assert_eq!(
            p.text,
            format!(
                "# Changelog\n\n## [Unreleased]\n\n{SECTION}\n## [1.2.0] - 2025-01-01\n\n- old"
            )
        );
        assert!(has_section(old, "1.2.0"));
        assert!(!has_section(old, "1.2"));
        assert!(!has_section("## 1.3.0-dev.1\n", "1.3.0"));
        assert!(has_section("## [v1.3.0](x)\n", "1.3.0"));
        assert!(!has_section("```\n## 1.3.0\n```\n", "1.3.0"));
    }

    #[test]
    fn title_only_new_file_and_crlf() {
        let p = prepend(Some("# Changes"), SECTION, None);
        assert_eq!(p.placement, Some(Placement::End));
        assert_eq!(p.text, format!("# Changes\n\n{SECTION}"));
        let p = prepend(None, SECTION, None);
        assert_eq!(p.placement, Some(Placement::NewFile));
        assert!(
            p.text
                .starts_with("# Changelog\n\n<!-- shipgate:changelog -->\n\n## 1.3.0")
        );
        let old = "# Changelog\r\n\r\n<!-- shipgate:changelog -->\r\n## 1.2.0\r\n";
        let p = prepend(Some(old), SECTION, Some("1.3.0"));
        assert_eq!(
            p.text,
            format!(
                "# Changelog\r\n\r\n<!-- shipgate:changelog -->\r\n\r\n{}\r\n## 1.2.0\r\n",
                SECTION.replace('\n', "\r\n")
            )
        );
    }

    #[test]
    fn dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(1_700_000_000), "2023-11-14");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
    }

    #[test]
    fn the_same_change_twice_is_one_line() {
        use crate::rules::Bump;
        let e = |sha: &str| Entry {
            sha: sha.into(),
            subject: "fix: crash".into(),
            ty: "fix".into(),
            scope: None,
            description: "crash".into(),
            breaking: None,
            pr: None,
            bump: Bump::Patch,
            rule: Rule::Fix,
        };
        let md = render(
            &[e(&"b".repeat(40)), e(&"a".repeat(40))],
            &Options::default(),
        );
        assert_eq!(md, "### Bug Fixes\n\n- crash (aaaaaaa)\n");
    }
}
