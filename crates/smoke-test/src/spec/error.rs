//! Why a spec is refused: each problem at its file, line and column, with
//! the line and a caret under the place.

use std::fmt;

/// A problem in the spec, at a place in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    pub file: String,
    /// 1-based; 0 when the problem has no place (an empty file).
    pub line: u64,
    pub col: u64,
    pub message: String,
    /// The source lines around the place, with a caret, when available.
    pub snippet: Option<String>,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line > 0 {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file, self.line, self.col, self.message
            )
        } else {
            write!(f, "{}: {}", self.file, self.message)
        }
    }
}

impl std::error::Error for SpecError {}

/// A spec that cannot run: every problem found, and the secrets met on the
/// way (to mask before the problems are shown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecErrors {
    pub errors: Vec<SpecError>,
    pub secrets: Vec<String>,
}

impl fmt::Display for SpecErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.errors.as_slice() {
            [] => f.write_str("invalid spec"),
            [one] => write!(f, "{one}"),
            [first, rest @ ..] => write!(
                f,
                "{first} (and {} more problem{})",
                rest.len(),
                if rest.len() == 1 { "" } else { "s" }
            ),
        }
    }
}

impl std::error::Error for SpecErrors {}

impl gha::Classify for SpecErrors {
    fn class(&self) -> gha::ErrorClass {
        gha::ErrorClass::Input
    }
}
