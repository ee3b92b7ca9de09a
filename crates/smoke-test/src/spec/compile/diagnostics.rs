//! Errors at their place: line and column of a value or of a piece of it,
//! the caret snippet, and serde-saphyr's messages made friendlier.

use super::Compiler;
use crate::spec::raw::Loc;
use crate::spec::*;

impl Compiler<'_> {
    pub(super) fn error_at(&self, loc: Loc, message: String) -> SpecError {
        SpecError {
            file: self.file.clone(),
            line: loc.line,
            col: loc.col,
            snippet: self.snippet(loc),
            message,
        }
    }

    pub(super) fn err(&mut self, loc: Loc, message: impl Into<String>) {
        let e = self.error_at(loc, message.into());
        self.errors.push(e);
    }

    /// The line of `loc` with a caret under its column.
    // Hand-written: annotate-snippets/miette frame it with `-->` and `|` gutters, and tests assert these exact lines.
    pub(super) fn snippet(&self, loc: Loc) -> Option<String> {
        if loc.line == 0 {
            return None;
        }
        let idx = usize::try_from(loc.line - 1).ok()?;
        let start = *self.line_starts.get(idx)?;
        let end = self
            .line_starts
            .get(idx + 1)
            .map_or(self.source.len(), |e| e - 1);
        let line = self.source.get(start..end)?.trim_end_matches('\r');
        let gutter = loc.line.to_string();
        let pad = " ".repeat(gutter.len());
        let caret = " ".repeat(usize::try_from(loc.col.saturating_sub(1)).unwrap_or(0));
        Some(format!("{pad} |\n{gutter} | {line}\n{pad} | {caret}^"))
    }

    pub(super) fn yaml_error(&self, e: &serde_saphyr::Error) -> SpecError {
        let loc = e
            .location()
            .map(|l| Loc {
                line: l.line(),
                col: l.column(),
                offset: None,
            })
            .unwrap_or_default();
        let message = yaml_message(e);
        self.error_at(loc, message)
    }

    /// Line and column of a byte offset.
    pub(super) fn loc_of_offset(&self, offset: usize) -> Loc {
        let line = self.line_starts.partition_point(|&s| s <= offset);
        let start = self.line_starts[line - 1];
        let col = self.source[start..offset].chars().count() + 1;
        Loc {
            line: line as u64,
            col: col as u64,
            offset: Some(offset),
        }
    }

    /// Where `raw` (found at byte `at` of the value) is in the source: the
    /// same occurrence after the value's start; else the value's start.
    pub(super) fn locate(&self, value_loc: Loc, value: &str, raw: &str, at: usize) -> Loc {
        let Some(start) = value_loc.offset else {
            return value_loc;
        };
        let nth = value[..at].matches(raw).count();
        self.source
            .get(start..)
            .and_then(|rest| rest.match_indices(raw).nth(nth))
            .map_or(value_loc, |(i, _)| self.loc_of_offset(start + i))
    }
}

/// serde-saphyr's message without its own location and snippet (we add
/// ours), with serde's wording made friendlier.
fn yaml_message(e: &serde_saphyr::Error) -> String {
    let text = e.without_snippet().to_string();
    let first = text.lines().next().unwrap_or("invalid YAML").trim();
    // Drop a trailing " at line X column Y".
    let cut = first
        .rfind(" at line ")
        .filter(|&i| first[i..].contains("column"))
        .map_or(first, |i| &first[..i]);
    let message = cut.trim_end_matches(':').to_owned();
    match did_you_mean(&message) {
        Some(s) => format!("{message} (did you mean `{s}`?)"),
        None => message,
    }
}

/// For serde's "unknown field `expct`, expected one of a, b, c": the
/// closest known field, when it is close.
fn did_you_mean(message: &str) -> Option<String> {
    let rest = message.strip_prefix("unknown field `")?;
    let (field, rest) = rest.split_once('`')?;
    let list = rest
        .split_once("expected one of ")
        .map(|(_, l)| l)
        .or_else(|| rest.split_once("expected ").map(|(_, l)| l))?;
    list.split(", ")
        .map(|c| c.trim_matches('`'))
        .map(|c| (strsim::levenshtein(field, c), c))
        .filter(|(d, c)| *d <= 2.max(c.len() / 3))
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c.to_owned())
}
