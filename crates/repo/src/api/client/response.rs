//! An answer, read whole: its JSON, its message, its headers and links.

use crate::RepoError;
use http::HeaderMap;
use serde_json::Value;

/// An answer, read whole.
#[derive(Debug, Clone)]
pub(crate) struct Resp {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: String,
    /// `GET /repos/o/r/git/ref/tags/x`, for messages.
    pub request: String,
}

impl Resp {
    pub fn json(&self) -> Result<Value, RepoError> {
        serde_json::from_str(&self.body).map_err(|e| RepoError::Api {
            request: self.request.clone(),
            status: Some(self.status),
            message: format!("the answer is not the JSON expected ({e})"),
        })
    }

    /// GitHub's `message` (and the `errors` detail), or the start of the
    /// body.
    pub fn message(&self) -> String {
        match serde_json::from_str::<Value>(&self.body) {
            Ok(v) => {
                let mut m = v
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("")
                    .trim()
                    .to_owned();
                if let Some(errors) = v.get("errors").and_then(Value::as_array) {
                    let parts: Vec<String> = errors
                        .iter()
                        .map(|e| match e.get("message").and_then(Value::as_str) {
                            Some(msg) => msg.trim().to_owned(),
                            None => [
                                e.get("resource").and_then(Value::as_str),
                                e.get("field").and_then(Value::as_str),
                                e.get("code").and_then(Value::as_str),
                            ]
                            .into_iter()
                            .flatten()
                            .collect::<Vec<_>>()
                            .join(" "),
                        })
                        .filter(|s| !s.is_empty())
                        .collect();
                    if !parts.is_empty() {
                        if !m.is_empty() {
                            m.push_str(": ");
                        }
                        m.push_str(&parts.join("; "));
                    }
                }
                if m.is_empty() { excerpt(&self.body) } else { m }
            }
            Err(_) => excerpt(&self.body),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The `rel="next"` URL of a `link` header.
    pub fn next_link(&self) -> Option<String> {
        let link = self.header("link")?;
        link.split(',').find_map(|part| {
            let (url, params) = part.split_once(';')?;
            params
                .split(';')
                .any(|p| p.trim() == "rel=\"next\"")
                .then(|| {
                    url.trim()
                        .trim_start_matches('<')
                        .trim_end_matches('>')
                        .to_owned()
                })
        })
    }

    pub fn request_id(&self) -> Option<&str> {
        self.header("x-github-request-id")
    }
}

/// The first line of a body, cut short (an HTML error page says little).
pub(super) fn excerpt(body: &str) -> String {
    let text: String = body
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("")
        .chars()
        .take(200)
        .collect();
    if text.is_empty() {
        "(empty answer)".into()
    } else {
        text
    }
}
