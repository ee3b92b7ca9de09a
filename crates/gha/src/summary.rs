//! Markdown for `$GITHUB_STEP_SUMMARY`: headings, short lines and tables
//! (users look, they do not read).

use crate::escape::markdown_cell;
use std::fmt::Write as _;

/// The most a step summary may grow to; GitHub refuses summaries over 1 MiB.
pub const SUMMARY_BUDGET: usize = 900 * 1024;

/// A Markdown document built piece by piece.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Summary {
    md: String,
}

impl Summary {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn is_empty(&self) -> bool {
        self.md.is_empty()
    }

    pub fn as_str(&self) -> &str {
        &self.md
    }

    pub fn into_string(self) -> String {
        self.md
    }

    /// `## text` (level 1–6).
    pub fn heading(&mut self, level: u8, text: &str) -> &mut Self {
        let level = level.clamp(1, 6) as usize;
        let _ = writeln!(
            self.md,
            "{} {}\n",
            "#".repeat(level),
            text.replace('\n', " ")
        );
        self
    }

    /// A paragraph of Markdown, as given.
    pub fn line(&mut self, markdown: &str) -> &mut Self {
        self.md.push_str(markdown);
        self.md.push_str("\n\n");
        self
    }

    /// A table; every cell is escaped so data cannot break the layout.
    pub fn table<R, C>(&mut self, headers: &[&str], rows: R) -> &mut Self
    where
        R: IntoIterator<Item = C>,
        C: IntoIterator,
        C::Item: AsRef<str>,
    {
        let _ = writeln!(
            self.md,
            "| {} |",
            headers
                .iter()
                .map(|h| markdown_cell(h))
                .collect::<Vec<_>>()
                .join(" | ")
        );
        let _ = writeln!(self.md, "|{}", "---|".repeat(headers.len()));
        for row in rows {
            let cells: Vec<String> = row.into_iter().map(|c| markdown_cell(c.as_ref())).collect();
            let _ = writeln!(self.md, "| {} |", cells.join(" | "));
        }
        self.md.push('\n');
        self
    }

    /// A collapsed `<details>` block with preformatted text inside.
    pub fn details(&mut self, title: &str, body: &str) -> &mut Self {
        let fence = fence_for(body);
        let _ = write!(
            self.md,
            "<details><summary>{}</summary>\n\n{fence}\n{}\n{fence}\n\n</details>\n\n",
            markdown_cell(title),
            body.trim_end()
        );
        self
    }

    /// A fenced code block.
    pub fn code(&mut self, lang: &str, body: &str) -> &mut Self {
        let fence = fence_for(body);
        let _ = write!(self.md, "{fence}{lang}\n{}\n{fence}\n\n", body.trim_end());
        self
    }

    /// Appends raw Markdown.
    pub fn raw(&mut self, markdown: &str) -> &mut Self {
        self.md.push_str(markdown);
        self
    }
}

/// A backtick fence longer than any run of backticks in the body.
fn fence_for(body: &str) -> String {
    let mut longest = 0;
    let mut run = 0;
    for c in body.chars() {
        if c == '`' {
            run += 1;
            longest = longest.max(run);
        } else {
            run = 0;
        }
    }
    "`".repeat((longest + 1).max(3))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_escape_cells() {
        let mut s = Summary::new();
        s.table(&["target", "result"], [["http://x|y", "ok\nfine"]]);
        assert_eq!(
            s.as_str(),
            "| target | result |\n|---|---|\n| http://x\\|y | ok<br>fine |\n\n"
        );
    }

    #[test]
    fn headings_and_lines() {
        let mut s = Summary::new();
        s.heading(3, "version-stamp").line("**abc**");
        assert_eq!(s.as_str(), "### version-stamp\n\n**abc**\n\n");
    }

    #[test]
    fn code_fences_outgrow_the_body() {
        let mut s = Summary::new();
        s.code("", "a ``` b");
        assert!(s.as_str().starts_with("````\n"));
    }
}
