//! What came back: status, headers, a capped body, and timings.

use crate::excerpt::excerpt;
use reqwest::Url;
use reqwest::header::HeaderMap;
use std::borrow::Cow;
use std::sync::OnceLock;
use std::time::Duration;

/// A response, with its body read up to the client's cap.
#[derive(Debug, Clone)]
pub struct Response {
    /// The URL that answered (after redirects).
    pub url: Url,
    /// The URLs redirected from, in order (empty without redirects).
    pub redirects: Vec<Url>,
    pub status: u16,
    /// `HTTP/1.1`, `HTTP/2.0`, …
    pub version: String,
    pub headers: HeaderMap,
    /// The body bytes read, at most the client's body cap.
    pub body: Vec<u8>,
    /// The body was longer than the cap and was cut there.
    pub truncated: bool,
    /// From the start of the request to the final response's headers.
    pub time_to_headers: Duration,
    /// From the start of the request to the end of the body (or the cap).
    pub total: Duration,
    json: OnceLock<Result<serde_json::Value, String>>,
}

impl Response {
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn new(
        url: Url,
        redirects: Vec<Url>,
        status: u16,
        version: String,
        headers: HeaderMap,
        body: Vec<u8>,
        truncated: bool,
        time_to_headers: Duration,
        total: Duration,
    ) -> Self {
        Response {
            url,
            redirects,
            status,
            version,
            headers,
            body,
            truncated,
            time_to_headers,
            total,
            json: OnceLock::new(),
        }
    }

    /// A response built by hand (tests of code that evaluates responses).
    pub fn synthetic(status: u16, headers: HeaderMap, body: impl Into<Vec<u8>>) -> Self {
        Self::new(
            Url::parse("http://127.0.0.1/").expect("static URL"),
            Vec::new(),
            status,
            "HTTP/1.1".into(),
            headers,
            body.into(),
            false,
            Duration::ZERO,
            Duration::ZERO,
        )
    }

    /// The body as text; invalid UTF-8 is replaced by U+FFFD.
    pub fn text(&self) -> Cow<'_, str> {
        String::from_utf8_lossy(&self.body)
    }

    /// A header's value as text (the first one, lossy), if present.
    pub fn header(&self, name: &str) -> Option<Cow<'_, str>> {
        self.headers
            .get(name)
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
    }

    /// All values of a header, as text.
    pub fn header_all(&self, name: &str) -> Vec<Cow<'_, str>> {
        self.headers
            .get_all(name)
            .iter()
            .map(|v| String::from_utf8_lossy(v.as_bytes()))
            .collect()
    }

    /// The body parsed as JSON (parsed once, then cached). The error says
    /// why it is not JSON, including when the body was cut at the cap.
    pub fn json(&self) -> Result<&serde_json::Value, &str> {
        self.json
            .get_or_init(|| {
                serde_json::from_slice(&self.body).map_err(|e| {
                    if self.truncated {
                        format!(
                            "the body is not JSON ({e}); it was cut at {} bytes",
                            self.body.len()
                        )
                    } else {
                        format!("the body is not JSON ({e})")
                    }
                })
            })
            .as_ref()
            .map_err(String::as_str)
    }

    /// The first ~200 characters of the body on one line.
    pub fn excerpt(&self) -> String {
        excerpt(&self.body)
    }

    /// The status is 2xx.
    pub fn is_success(&self) -> bool {
        (200..300).contains(&self.status)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_parsed_once_and_errors_explain() {
        let r = Response::synthetic(200, HeaderMap::new(), r#"{"ok": true}"#);
        assert_eq!(r.json().unwrap()["ok"], true);
        let bad = Response::synthetic(200, HeaderMap::new(), "<html>");
        assert!(bad.json().unwrap_err().starts_with("the body is not JSON"));
    }

    #[test]
    fn text_is_lossy() {
        let r = Response::synthetic(200, HeaderMap::new(), b"ok \xff".to_vec());
        assert_eq!(r.text(), "ok \u{fffd}");
    }
}
