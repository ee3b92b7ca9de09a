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
