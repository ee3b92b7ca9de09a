//! HTTP and TCP probing for shipgate's `health-check` and `smoke-test`.
//!
//! - [`Client`] (built once from a [`ClientConfig`]) sends a [`Request`] and
//!   returns a [`Response`] whose body is read up to a cap, the whole
//!   exchange bounded by the request's timeout — a slow or endless body, a
//!   redirect loop, a huge body or invalid UTF-8 cannot hang or crash it;
//!   see [`client`] for the rules (redirects, `localhost`, TLS, proxies).
//! - [`Expectation`]s evaluate a response to a pass or a [`Mismatch`]
//!   naming the expectation, what was expected and what came back.
//! - [`tcp_probe`] checks that a `HOST:PORT` accepts connections.
//! - [`secret`] says which header values, URL parts and query values are
//!   secrets; callers mask them ([`Request::secrets`]) before printing.
//! - [`excerpt()`] shows a body on one line in failure messages.
//!
//! The library never prints and never reads the environment.

pub mod client;
pub mod error;
pub mod excerpt;
pub mod expect;
pub mod request;
pub mod response;
pub mod secret;
pub mod tcp;
#[cfg(feature = "testing")]
pub mod testing;
mod tls;

pub use client::{
    CaCert, Client, ClientConfig, DEFAULT_BODY_CAP, DEFAULT_MAX_REDIRECTS, is_localhost,
};
pub use error::{ClientError, ErrorKind, ProbeError, RequestError};
pub use excerpt::{EXCERPT_CHARS, excerpt, excerpt_chars};
pub use expect::{
    Check, Evaluation, ExpectError, Expectation, ExpectedValue, JsonPathExpr, Mismatch,
    RegexExpect, StatusExpect, TextMatch, check_all,
};
pub use request::{Body, Header, Request, parse_method, parse_url};
pub use response::Response;
pub use tcp::{TcpConnected, TcpTarget, TcpTargetError, tcp_probe};

/// Re-exported so callers need no direct reqwest dependency.
pub use reqwest::header::{HeaderMap, HeaderName, HeaderValue};
pub use reqwest::{Method, Url};
