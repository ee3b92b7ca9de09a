//! What to send: method, URL, headers, query, body, timeout.

use crate::error::RequestError;
use crate::secret::{self, display_url, header_secrets, is_sensitive_header};
use reqwest::Method;
use reqwest::Url;
use reqwest::header::{HeaderName, HeaderValue};
use std::fmt;
use std::str::FromStr;
use std::time::Duration;

/// One request header. The value of a sensitive header (see
/// [`crate::secret`]) is never shown by `Debug` or in errors.
#[derive(Clone, PartialEq, Eq)]
pub struct Header {
    name: HeaderName,
    value: HeaderValue,
    text: String,
}

impl Header {
    /// A header from a name and a value (surrounding whitespace trimmed).
    pub fn new(name: &str, value: &str) -> Result<Self, RequestError> {
        let name_text = name.trim();
        let name = HeaderName::from_bytes(name_text.as_bytes())
            .map_err(|_| RequestError::HeaderName(name_text.to_owned()))?;
        let text = value.trim().to_owned();
        let mut value = HeaderValue::from_str(&text)
            .map_err(|_| RequestError::HeaderValue(name.as_str().to_owned()))?;
        if is_sensitive_header(name.as_str()) {
            value.set_sensitive(true);
        }
        Ok(Header { name, value, text })
    }

    /// Parses `Name: value` (the form of `--header` and `curl -H`).
    pub fn parse(line: &str) -> Result<Self, RequestError> {
        // Errors show at most the leading name-like word: the rest may be a
        // secret (`Authorization Bearer …` with the colon forgotten).
        // A line of one word may be a bare token: then nothing is shown.
        let lead = |t: &str| -> String {
            match t.trim().split_once(|c: char| c.is_whitespace() || c == '=') {
                Some((word, _)) => word.chars().take(40).collect(),
                None => String::new(),
            }
        };
        let (name, value) = line
            .split_once(':')
            .ok_or_else(|| RequestError::HeaderSyntax(lead(line)))?;
        if name.trim().is_empty() {
            return Err(RequestError::HeaderSyntax(String::new()));
        }
        Header::new(name, value)
    }

    /// The header name, lower-case.
    pub fn name(&self) -> &str {
        self.name.as_str()
    }

    /// The value (a secret when [`Header::is_sensitive`]).
    pub fn value(&self) -> &str {
        &self.text
    }

    pub fn is_sensitive(&self) -> bool {
        self.value.is_sensitive()
    }

    /// What to mask for this header: empty unless it is sensitive.
    pub fn secrets(&self) -> Vec<String> {
        if self.is_sensitive() {
            header_secrets(&self.text)
        } else {
            Vec::new()
        }
    }

    /// `name: value`, or `name: ***` for a sensitive header.
    pub fn display(&self) -> String {
        if self.is_sensitive() {
            format!("{}: ***", self.name)
        } else {
            format!("{}: {}", self.name, self.text)
        }
    }

    pub(crate) fn parts(&self) -> (&HeaderName, &HeaderValue) {
        (&self.name, &self.value)
    }
}

impl fmt::Debug for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.display())
    }
}

impl FromStr for Header {
    type Err = RequestError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Header::parse(s)
    }
}

/// A request body.
#[derive(Clone, PartialEq, Default)]
pub enum Body {
    #[default]
    Empty,
    /// Raw bytes, sent as they are.
    Bytes(Vec<u8>),
    /// JSON, sent with `Content-Type: application/json` unless a header says
    /// otherwise.
    Json(serde_json::Value),
}

impl Body {
    pub fn is_empty(&self) -> bool {
        matches!(self, Body::Empty)
    }

    fn len_hint(&self) -> String {
        match self {
            Body::Empty => "empty".into(),
            Body::Bytes(b) => format!("{} bytes", b.len()),
            Body::Json(_) => "json".into(),
        }
    }
}

/// Bodies may hold secrets: `Debug` shows their size only.
impl fmt::Debug for Body {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Body({})", self.len_hint())
    }
}

/// An HTTP request to probe.
#[derive(Clone, PartialEq)]
pub struct Request {
    pub method: Method,
    pub url: Url,
    pub headers: Vec<Header>,
    /// Appended to the URL's query, encoded.
    pub query: Vec<(String, String)>,
    pub body: Body,
    /// The bound on the whole request (connect, redirects, headers, body);
    /// the client's default when `None`.
    pub timeout: Option<Duration>,
    /// Drop every header of this request (not only the sensitive ones) when
    /// a redirect leaves the origin: for callers whose headers may all be
    /// credentials the name rules do not recognise.
    pub headers_stay_at_origin: bool,
}

impl Request {
    pub fn new(method: Method, url: Url) -> Self {
        Request {
            method,
            url,
            headers: Vec::new(),
            query: Vec::new(),
            body: Body::Empty,
            timeout: None,
            headers_stay_at_origin: false,
        }
    }

    pub fn get(url: Url) -> Self {
        Self::new(Method::GET, url)
    }

    /// Adds a header (repeated names are all sent).
    pub fn header(mut self, header: Header) -> Self {
        self.headers.push(header);
        self
    }

    pub fn query(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.query.push((key.into(), value.into()));
        self
    }

    pub fn body(mut self, bytes: impl Into<Vec<u8>>) -> Self {
        self.body = Body::Bytes(bytes.into());
        self
    }

    pub fn json(mut self, value: serde_json::Value) -> Self {
        self.body = Body::Json(value);
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// See [`Request::headers_stay_at_origin`].
    pub fn headers_stay_at_origin(mut self, yes: bool) -> Self {
        self.headers_stay_at_origin = yes;
        self
    }

    /// The URL with the query parameters appended.
    pub fn full_url(&self) -> Url {
        let mut url = self.url.clone();
        if !self.query.is_empty() {
            url.query_pairs_mut()
                .extend_pairs(self.query.iter().map(|(k, v)| (k.as_str(), v.as_str())));
        }
        url
    }

    /// The full URL as it may be shown (secrets replaced by `***`).
    pub fn display_url(&self) -> String {
        display_url(&self.full_url())
    }

    /// Every secret in this request, for the caller to mask before printing
    /// anything: sensitive header values, the URL's password, sensitive
    /// query values.
    pub fn secrets(&self) -> Vec<String> {
        let mut out: Vec<String> = self.headers.iter().flat_map(Header::secrets).collect();
        out.extend(secret::url_secrets(&self.full_url()));
        out.dedup();
        out
    }
}

impl fmt::Debug for Request {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Request")
            .field("method", &self.method)
            .field("url", &self.display_url())
            .field("headers", &self.headers)
            .field("body", &self.body)
            .field("timeout", &self.timeout)
            .finish()
    }
}

/// Parses an HTTP method (case-insensitive; the usual ones, or any
/// upper-case token for extension methods).
pub fn parse_method(s: &str) -> Result<Method, RequestError> {
    let t = s.trim();
    let upper = t.to_ascii_uppercase();
    if upper.is_empty() || !upper.bytes().all(|b| b.is_ascii_alphabetic() || b == b'-') {
        return Err(RequestError::Method(t.to_owned()));
    }
    Method::from_bytes(upper.as_bytes()).map_err(|_| RequestError::Method(t.to_owned()))
}

/// Parses an `http://` or `https://` URL with a host.
pub fn parse_url(s: &str) -> Result<Url, RequestError> {
    let t = s.trim();
    let bad = |reason: &str| RequestError::Url {
        // The raw text may carry a password: show it only when it parses
        // enough to be redacted, else cut it at the `@`.
        url: match Url::parse(t) {
            Ok(u) => display_url(&u),
            Err(_) => t
                .rsplit('@')
                .next()
                .unwrap_or(t)
                .chars()
                .take(100)
                .collect(),
        },
        reason: reason.to_owned(),
    };
    let url = Url::parse(t).map_err(|e| bad(&e.to_string()))?;
    match url.scheme() {
        "http" | "https" => {}
        other => {
            return Err(bad(&format!(
                "the scheme must be http or https, not {other}"
            )));
        }
    }
    if url.host_str().is_none_or(str::is_empty) {
        return Err(bad("no host"));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_parse_and_hide_secrets() {
        let h = Header::parse("Authorization: Bearer s3cr3t-value").unwrap();
        assert_eq!(h.name(), "authorization");
        assert_eq!(h.value(), "Bearer s3cr3t-value");
        assert!(h.is_sensitive());
        assert_eq!(format!("{h:?}"), "authorization: ***");
        assert_eq!(h.secrets(), ["Bearer s3cr3t-value", "s3cr3t-value"]);
        let plain = Header::parse(" Accept :  application/json ").unwrap();
        assert!(!plain.is_sensitive());
        assert_eq!(format!("{plain:?}"), "accept: application/json");
        assert!(plain.secrets().is_empty());
        // A colon inside the value is kept.
        assert_eq!(Header::parse("X-Time: 12:30").unwrap().value(), "12:30");
    }

    #[test]
    fn bad_headers_never_echo_values() {
        assert!(matches!(
            Header::parse("no colon"),
            Err(RequestError::HeaderSyntax(_))
        ));
        assert!(matches!(
            Header::parse("Bad Name: x"),
            Err(RequestError::HeaderName(_))
        ));
        let e = Header::parse("X-Api-Key: abc\u{7f}def").unwrap_err();
        assert!(!e.to_string().contains("abc"), "{e}");
        let e = Header::parse("X-Api-Key s3cr3t").unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        assert!(
            e.to_string().starts_with("invalid header 'X-Api-Key …'"),
            "{e}"
        );
        let e = Header::parse("s3cr3t-bare-token").unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
    }

    #[test]
    fn request_debug_hides_secrets() {
        let r = Request::get(parse_url("https://u:pw12345@example.com/h?token=abcdef").unwrap())
            .header(Header::parse("X-Auth-Token: t0k3n-value").unwrap())
            .json(serde_json::json!({"password": "hunter2"}));
        let dbg = format!("{r:?}");
        for secret in ["pw12345", "abcdef", "t0k3n-value", "hunter2"] {
            assert!(!dbg.contains(secret), "{secret} in {dbg}");
        }
        let secrets = r.secrets();
        for secret in ["pw12345", "abcdef", "t0k3n-value"] {
            assert!(
                secrets.iter().any(|s| s == secret),
                "{secret} not in {secrets:?}"
            );
        }
    }

    #[test]
    fn query_parameters_are_appended() {
        let r = Request::get(parse_url("http://127.0.0.1/x?a=1").unwrap()).query("b", "2 3");
        assert_eq!(r.full_url().as_str(), "http://127.0.0.1/x?a=1&b=2+3");
    }

    #[test]
    fn methods_and_urls() {
        assert_eq!(parse_method("get").unwrap(), Method::GET);
        assert_eq!(parse_method(" HEAD ").unwrap(), Method::HEAD);
        assert!(parse_method("GE T").is_err());
        assert!(parse_method("").is_err());
        assert!(parse_url("ftp://example.com").is_err());
        assert!(parse_url("example.com/health").is_err());
        let e = parse_url("http://user:s3cr3t@").unwrap_err();
        assert!(!e.to_string().contains("s3cr3t"), "{e}");
        assert_eq!(
            parse_url(" http://localhost:8080/health ")
                .unwrap()
                .as_str(),
            "http://localhost:8080/health"
        );
    }
}
