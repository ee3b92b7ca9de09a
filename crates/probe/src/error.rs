//! Errors: building a client or a request (the caller's input), and a probe
//! that got no usable answer (the target's fault).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;
use vocab::{Classify, ErrorClass};

/// Building a [`crate::Client`] failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The `--ca-cert` file cannot be read.
    #[error("cannot read the CA certificate file {}: {source}", path.display())]
    CaCertUnreadable {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The `--ca-cert` file holds no usable PEM certificate.
    #[error("the CA certificate file {} is not a PEM certificate: {reason}", path.display())]
    CaCertInvalid { path: PathBuf, reason: String },
    /// The TLS stack or the HTTP client could not be set up.
    #[error("cannot set up the HTTP client: {0}")]
    Setup(String),
}

impl Classify for ClientError {
    fn class(&self) -> ErrorClass {
        match self {
            ClientError::CaCertUnreadable { .. } | ClientError::CaCertInvalid { .. } => {
                ErrorClass::Input
            }
            ClientError::Setup(_) => ErrorClass::Environment,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ClientError::CaCertUnreadable { .. } | ClientError::CaCertInvalid { .. } => Some(
                "pass a PEM file with one or more `-----BEGIN CERTIFICATE-----` blocks, e.g. --ca-cert ./ca.pem"
                    .into(),
            ),
            ClientError::Setup(_) => None,
        }
    }
}

/// A request that cannot be built from what was given.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RequestError {
    /// Holds only the leading word: the rest may be a secret.
    #[error(
        "invalid header '{0} …' (value not shown): expected NAME: VALUE, e.g. 'Accept: application/json'"
    )]
    HeaderSyntax(String),
    #[error("invalid header name '{0}': expected letters, digits and -, e.g. X-Request-Id")]
    HeaderName(String),
    /// The value is not shown: it may be a secret.
    #[error("invalid value for header '{0}': it holds a line break or another control character")]
    HeaderValue(String),
    #[error("invalid HTTP method '{0}': expected GET, HEAD, POST, PUT, PATCH, DELETE or OPTIONS")]
    Method(String),
    #[error("invalid URL '{url}': {reason}; expected e.g. https://example.com/health")]
    Url { url: String, reason: String },
}

impl Classify for RequestError {
    fn class(&self) -> ErrorClass {
        ErrorClass::Input
    }
}

/// What went wrong with a probe that got no usable response.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorKind {
    /// No (complete) answer within the time allowed.
    Timeout,
    /// Nothing listens there: the connection was refused (or reset at once).
    ConnectionRefused,
    /// The host name did not resolve.
    Dns,
    /// The TLS handshake failed (certificate, protocol).
    Tls,
    /// Any other failure to connect (unreachable network, …).
    Connect,
    /// A redirect led back to a URL already visited.
    RedirectLoop,
    /// More redirects than allowed.
    TooManyRedirects,
    /// A redirect without a usable `Location`.
    BadRedirect,
    /// The connection broke while the body was read.
    Body,
    /// Anything else the HTTP stack reported (protocol errors).
    Http,
}

impl ErrorKind {
    /// A stable snake_case name for reports.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorKind::Timeout => "timeout",
            ErrorKind::ConnectionRefused => "connection_refused",
            ErrorKind::Dns => "dns",
            ErrorKind::Tls => "tls",
            ErrorKind::Connect => "connect",
            ErrorKind::RedirectLoop => "redirect_loop",
            ErrorKind::TooManyRedirects => "too_many_redirects",
            ErrorKind::BadRedirect => "bad_redirect",
            ErrorKind::Body => "body",
            ErrorKind::Http => "http",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A probe that got no usable response. The message never holds a secret:
/// URLs in it are shown with [`crate::secret::display_url`], header values
/// never appear.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeError {
    /// What kind of failure.
    pub kind: ErrorKind,
    /// One line for humans, e.g. `connection refused (127.0.0.1:8080)`.
    pub message: String,
    /// What to do about it, when known (`pass --ca-cert FILE …`).
    pub hint: Option<String>,
    /// Time from the start of the request to the failure.
    pub elapsed: Duration,
    /// The status, when the failure came after the response headers (a
    /// body that broke off or took too long).
    pub status: Option<u16>,
    /// Bytes of the body read before the failure.
    pub body_bytes: usize,
}

impl ProbeError {
    pub fn new(kind: ErrorKind, message: impl Into<String>, elapsed: Duration) -> Self {
        ProbeError {
            kind,
            message: message.into(),
            hint: None,
            elapsed,
            status: None,
            body_bytes: 0,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    pub fn with_status(mut self, status: u16, body_bytes: usize) -> Self {
        self.status = Some(status);
        self.body_bytes = body_bytes;
        self
    }

    pub fn is_timeout(&self) -> bool {
        self.kind == ErrorKind::Timeout
    }
}

impl fmt::Display for ProbeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ProbeError {}

/// A target that does not answer properly is the check saying no.
impl Classify for ProbeError {
    fn class(&self) -> ErrorClass {
        ErrorClass::Denied
    }
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}
