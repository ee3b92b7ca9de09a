//! The token: checked to travel in a header, never shown.

use crate::RepoError;
use std::fmt;

/// A GitHub token. Never printed: `Debug` shows `***`, and there is no
/// `Display`.
#[derive(Clone)]
pub struct Token(String);

impl Token {
    /// Checks that a token can travel in an HTTP header (visible ASCII, no
    /// whitespace inside). The token itself never appears in the error.
    pub fn new(token: &str) -> Result<Self, RepoError> {
        let t = token.trim();
        if t.is_empty() {
            return Err(RepoError::Unauthenticated {
                detail: "the GitHub token is empty".into(),
            });
        }
        if !t.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(RepoError::InvalidInput {
                what: "GitHub token",
                value: "***".into(),
                expected: "a token of visible ASCII characters without spaces (is it pasted \
                           with quotes, or several values at once?)"
                    .into(),
            });
        }
        Ok(Token(t.to_owned()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}
