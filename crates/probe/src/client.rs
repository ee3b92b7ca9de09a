//! The HTTP client: built once, every request bounded end to end.
//!
//! - **Time**: a request (connect, TLS, every redirect hop, headers and the
//!   body) must finish within its timeout; a slow or endless body ends with
//!   a [`ErrorKind::Timeout`] error, never a hang. Connecting has its own,
//!   shorter bound ([`ClientConfig::connect_timeout`]).
//! - **Size**: the body is read up to [`ClientConfig::body_cap`] (1 MiB by
//!   default); the rest is left unread and [`Response::truncated`] says so.
//! - **Redirects** are followed by this crate, up to
//!   [`ClientConfig::max_redirects`] (10): a redirect back to a URL already
//!   visited is reported as a loop; `303` (and `301`/`302` after a `POST`)
//!   continue as `GET` without the body; sensitive headers (every header,
//!   with [`Request::headers_stay_at_origin`]) are dropped when a redirect
//!   leaves the origin (scheme, host, port).
//! - **Protocols**: HTTP/1.1, and HTTP/2 when TLS negotiates it (ALPN). No
//!   compression is requested (`Accept-Encoding` is not sent), so a body is
//!   what the server sent.
//! - **Names**: `localhost` and `*.localhost` resolve to `::1` and then
//!   `127.0.0.1` without asking DNS (a service bound to either answers);
//!   other names use the system resolver.
//! - **TLS**: rustls with the *ring* provider; certificates are checked
//!   against the system's roots plus any [`CaCert`], read at the first
//!   certificate check (never for `http://`); `insecure` skips the check
//!   (certificate and host name).
//! - **Proxies**: like `curl`, the standard variables `HTTP_PROXY`,
//!   `HTTPS_PROXY`, `ALL_PROXY` (and lower-case forms) and `NO_PROXY` are
//!   honoured; nothing else is (no system proxy settings).
//! - **Connections** are not reused between requests unless
//!   [`ClientConfig::reuse_connections`] is set: each probe then opens its
//!   own, as a fresh client would, so a draining old instance holding a
//!   keep-alive connection cannot answer for the new one.

use crate::error::{ClientError, ErrorKind, ProbeError};
use crate::request::{Body, Request};
use crate::response::Response;
use crate::secret::{display_url, is_sensitive_header};
use reqwest::header::{CONTENT_LENGTH, CONTENT_TYPE, HeaderValue, LOCATION};
use reqwest::{Method, Url};
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;
use std::error::Error as StdError;
use std::fmt;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// The default cap on a body read (1 MiB).
pub const DEFAULT_BODY_CAP: usize = 1024 * 1024;
/// The default number of redirects followed.
pub const DEFAULT_MAX_REDIRECTS: usize = 10;

/// Extra trusted roots, read from a PEM file.
#[derive(Clone)]
pub struct CaCert {
    source: PathBuf,
    certs: Vec<CertificateDer<'static>>,
}

impl CaCert {
    /// Reads every `CERTIFICATE` block of a PEM file.
    pub fn from_file(path: &Path) -> Result<Self, ClientError> {
        let bytes = std::fs::read(path).map_err(|source| ClientError::CaCertUnreadable {
            path: path.to_owned(),
            source,
        })?;
        Self::from_pem(&bytes, path)
    }

    /// Parses PEM text; `source` names it in errors.
    pub fn from_pem(pem: &[u8], source: &Path) -> Result<Self, ClientError> {
        let invalid = |reason: String| ClientError::CaCertInvalid {
            path: source.to_owned(),
            reason,
        };
        let text = String::from_utf8_lossy(pem);
        if !text.contains("-----BEGIN CERTIFICATE-----") {
            return Err(invalid(
                "no `-----BEGIN CERTIFICATE-----` block found".into(),
            ));
        }
        let certs = CertificateDer::pem_slice_iter(pem)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| invalid(e.to_string()))?;
        let mut check = rustls::RootCertStore::empty();
        for cert in &certs {
            check
                .add(cert.clone())
                .map_err(|e| invalid(format!("a certificate does not parse: {e}")))?;
        }
        if certs.is_empty() {
            return Err(invalid("no certificate found".into()));
        }
        Ok(CaCert {
            source: source.to_owned(),
            certs,
        })
    }

    /// How many certificates the file holds.
    pub fn len(&self) -> usize {
        self.certs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.certs.is_empty()
    }

    pub fn source(&self) -> &Path {
        &self.source
    }
}

impl fmt::Debug for CaCert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "CaCert({}, {} certificates)",
            self.source.display(),
            self.certs.len()
        )
    }
}

/// How a [`Client`] behaves. `Default` gives the documented defaults.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Bound on opening a connection (TCP, per address tried). Default 10 s.
    pub connect_timeout: Duration,
    /// Bound on a whole request when the request sets none. Default 10 s.
    pub timeout: Duration,
    /// Skip certificate and host-name verification.
    pub insecure: bool,
    /// Extra trusted roots, on top of the system's.
    pub ca_certs: Vec<CaCert>,
    /// Redirects followed before giving up; 0 returns the `3xx` as is.
    pub max_redirects: usize,
    /// The most body bytes read.
    pub body_cap: usize,
    /// The `User-Agent` sent (unless a request sets its own).
    pub user_agent: String,
    /// Keep idle connections for the next request to the same host.
    pub reuse_connections: bool,
}

impl Default for ClientConfig {
    fn default() -> Self {
        ClientConfig {
            connect_timeout: Duration::from_secs(10),
            timeout: Duration::from_secs(10),
            insecure: false,
            ca_certs: Vec::new(),
            max_redirects: DEFAULT_MAX_REDIRECTS,
            body_cap: DEFAULT_BODY_CAP,
            user_agent: concat!("shipgate-probe/", env!("CARGO_PKG_VERSION")).into(),
            reuse_connections: false,
        }
    }
}

/// An HTTP client for probes. Cheap to clone (shared inside).
#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    config: Arc<ClientConfig>,
    /// TLS handshakes begun and answered (to tell a silent TLS handshake
    /// from a connection that never opened).
    handshakes: Arc<crate::tls::HandshakeLog>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("config", &self.config)
            .finish()
    }
}

impl Client {
    /// Builds the client. Needs no runtime; sending does (tokio).
    pub fn new(config: ClientConfig) -> Result<Self, ClientError> {
        let extra: Vec<CertificateDer<'static>> = config
            .ca_certs
            .iter()
            .flat_map(|ca| ca.certs.iter().cloned())
            .collect();
        let handshakes = Arc::new(crate::tls::HandshakeLog::default());
        let tls = crate::tls::client_config(config.insecure, extra, handshakes.clone())
            .map_err(|e| ClientError::Setup(format!("TLS: {e}")))?;
        let mut builder = reqwest::Client::builder()
            .user_agent(config.user_agent.clone())
            .connect_timeout(config.connect_timeout)
            .redirect(reqwest::redirect::Policy::none())
            .referer(false)
            .dns_resolver(Arc::new(Resolver))
            .tls_backend_preconfigured(tls);
        if !config.reuse_connections {
            builder = builder.pool_max_idle_per_host(0);
        }
        let http = builder
            .build()
            .map_err(|e| ClientError::Setup(error_chain(&e)))?;
        Ok(Client {
            http,
            config: Arc::new(config),
            handshakes,
        })
    }

    pub fn config(&self) -> &ClientConfig {
        &self.config
    }

    /// Sends a request and reads its response, all within the request's
    /// timeout (or the client's). Any answer is a `Response`, whatever its
    /// status; an `Err` means there was no usable answer.
    pub async fn send(&self, req: &Request) -> Result<Response, ProbeError> {
        let timeout = req.timeout.unwrap_or(self.config.timeout);
        let start = Instant::now();
        let deadline = tokio::time::Instant::from_std(start) + timeout;
        let mut progress = Progress::default();
        let result =
            tokio::time::timeout_at(deadline, self.exchange(req, start, &mut progress)).await;
        match result {
            Ok(r) => r,
            Err(_) => Err(timed_out(
                timeout,
                start.elapsed(),
                &progress,
                self.tls_stalled(&progress),
            )),
        }
    }

    /// Did the current hop begin a TLS handshake that got no answer?
    fn tls_stalled(&self, p: &Progress) -> bool {
        p.tls.as_ref().is_some_and(|(host, (begun, answered))| {
            let (b, a) = self.handshakes.snapshot(host);
            b > *begun && a == *answered
        })
    }

    async fn exchange(
        &self,
        req: &Request,
        start: Instant,
        progress: &mut Progress,
    ) -> Result<Response, ProbeError> {
        let mut url = req.full_url();
        let mut method = req.method.clone();
        let mut body = req.body.clone();
        let mut headers = req.headers.clone();
        let mut visited: Vec<(Method, Url)> = Vec::new();
        loop {
            progress.url = Some(url.clone());
            progress.tls = (url.scheme() == "https")
                .then(|| {
                    url.host_str()
                        .map(|h| (h.to_owned(), self.handshakes.snapshot(h)))
                })
                .flatten();
            let mut rb = self.http.request(method.clone(), url.clone());
            for h in &headers {
                let (name, value) = h.parts();
                rb = rb.header(name.clone(), value.clone());
            }
            match &body {
                Body::Empty => {}
                Body::Bytes(b) => rb = rb.body(b.clone()),
                Body::Json(v) => {
                    if !headers.iter().any(|h| h.name() == CONTENT_TYPE.as_str()) {
                        rb = rb.header(CONTENT_TYPE, HeaderValue::from_static("application/json"));
                    }
                    rb = rb.body(serde_json::to_vec(v).unwrap_or_default());
                }
            }
            let mut resp = match rb.send().await {
                Ok(r) => r,
                Err(e) => {
                    let stalled = self.tls_stalled(progress);
                    return Err(classify(e, &url, start.elapsed(), stalled));
                }
            };
            let status = resp.status().as_u16();

            if self.config.max_redirects > 0 && is_redirect(status) {
                if let Some(location) = resp.headers().get(LOCATION) {
                    let location = String::from_utf8_lossy(location.as_bytes()).into_owned();
                    let next = url
                        .join(location.trim())
                        .ok()
                        .filter(|u| matches!(u.scheme(), "http" | "https"))
                        .ok_or_else(|| {
                            ProbeError::new(
                                ErrorKind::BadRedirect,
                                format!(
                                    "{status} redirect from {} to an unusable location '{}'",
                                    display_url(&url),
                                    crate::excerpt::one_line_text(&location, 100)
                                ),
                                start.elapsed(),
                            )
                            .with_status(status, 0)
                        })?;
                    visited.push((method.clone(), url.clone()));
                    // Where the method changes to GET, the body goes.
                    let to_get = status == 303 && method != Method::HEAD
                        || matches!(status, 301 | 302) && method == Method::POST;
                    let next_method = if to_get { Method::GET } else { method.clone() };
                    if visited.iter().any(|(m, u)| *m == next_method && *u == next) {
                        let mut chain: Vec<String> =
                            visited.iter().map(|(_, u)| display_url(u)).collect();
                        chain.push(display_url(&next));
                        return Err(ProbeError::new(
                            ErrorKind::RedirectLoop,
                            format!("redirect loop: {}", chain.join(" → ")),
                            start.elapsed(),
                        )
                        .with_status(status, 0));
                    }
                    if visited.len() > self.config.max_redirects {
                        return Err(ProbeError::new(
                            ErrorKind::TooManyRedirects,
                            format!(
                                "too many redirects: more than {} from {}",
                                self.config.max_redirects,
                                display_url(&visited[0].1)
                            ),
                            start.elapsed(),
                        )
                        .with_status(status, 0));
                    }
                    if to_get {
                        body = Body::Empty;
                        headers.retain(|h| {
                            h.name() != CONTENT_TYPE.as_str() && h.name() != CONTENT_LENGTH.as_str()
                        });
                    }
                    if !same_origin(&url, &next) {
                        if req.headers_stay_at_origin {
                            headers.clear();
                        } else {
                            headers.retain(|h| !is_sensitive_header(h.name()));
                        }
                    }
                    method = next_method;
                    url = next;
                    continue;
                }
            }

            let time_to_headers = start.elapsed();
            progress.status = Some(status);
            let version = format!("{:?}", resp.version());
            let resp_headers = resp.headers().clone();
            let cap = self.config.body_cap;
            let mut data: Vec<u8> = Vec::new();
            let mut truncated = false;
            loop {
                match resp.chunk().await {
                    Ok(Some(chunk)) => {
                        let room = cap - data.len();
                        if chunk.len() > room {
                            data.extend_from_slice(&chunk[..room]);
                            truncated = true;
                        } else {
                            data.extend_from_slice(&chunk);
                        }
                        progress.body_bytes = data.len();
                        if truncated {
                            break;
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        let cause = error_chain(&e.without_url());
                        return Err(ProbeError::new(
                            ErrorKind::Body,
                            format!(
                                "the connection broke while reading the body ({status}, {} bytes read): {cause}",
                                data.len()
                            ),
                            start.elapsed(),
                        )
                        .with_status(status, data.len()));
                    }
                }
            }
            let redirects = visited.into_iter().map(|(_, u)| u).collect();
            return Ok(Response::new(
                url,
                redirects,
                status,
                version,
                resp_headers,
                data,
                truncated,
                time_to_headers,
                start.elapsed(),
            ));
        }
    }
}

/// How far a request got, for the message when time runs out.
#[derive(Default)]
struct Progress {
    url: Option<Url>,
    /// For an https hop: the host and its handshake counts before it.
    tls: Option<(String, (u64, u64))>,
    status: Option<u16>,
    body_bytes: usize,
}

fn timed_out(timeout: Duration, elapsed: Duration, p: &Progress, tls_stalled: bool) -> ProbeError {
    let limit = vocab::human_duration(timeout);
    if let (None, true, Some(u)) = (p.status, tls_stalled, &p.url) {
        return tls_timeout(u, &limit, elapsed);
    }
    match p.status {
        Some(status) => ProbeError::new(
            ErrorKind::Timeout,
            format!(
                "timed out after {limit} reading the body ({status}, {} bytes read)",
                p.body_bytes
            ),
            elapsed,
        )
        .with_status(status, p.body_bytes),
        None => ProbeError::new(
            ErrorKind::Timeout,
            match &p.url {
                Some(u) => format!("no response within {limit} from {}", host_port(u)),
                None => format!("no response within {limit}"),
            },
            elapsed,
        ),
    }
}

/// A TLS handshake that got no answer in time.
fn tls_timeout(url: &Url, limit: &str, elapsed: Duration) -> ProbeError {
    ProbeError::new(
        ErrorKind::Timeout,
        format!(
            "TLS handshake timed out: {} accepted the connection but sent no TLS answer within {limit}",
            host_port(url)
        ),
        elapsed,
    )
    .with_hint("is the port plain HTTP? use an http:// URL for it, or the port that serves TLS")
}

fn is_redirect(status: u16) -> bool {
    matches!(status, 301 | 302 | 303 | 307 | 308)
}

fn same_origin(a: &Url, b: &Url) -> bool {
    a.scheme() == b.scheme()
        && a.host_str() == b.host_str()
        && a.port_or_known_default() == b.port_or_known_default()
}

fn host_port(url: &Url) -> String {
    match (url.host_str(), url.port_or_known_default()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_owned(),
        _ => display_url(url),
    }
}

/// Every cause of an error, outermost first, skipping repeats. Looks inside
/// `io::Error`s, whose `source()` skips the error they wrap.
fn causes<'a>(err: &'a (dyn StdError + 'static)) -> Vec<&'a (dyn StdError + 'static)> {
    let mut out = Vec::new();
    let mut cur = Some(err);
    while let Some(e) = cur {
        out.push(e);
        cur = match e.downcast_ref::<std::io::Error>() {
            Some(io) => match io.get_ref() {
                Some(inner) => Some(inner as &(dyn StdError + 'static)),
                None => e.source(),
            },
            None => e.source(),
        };
        if out.len() > 16 {
            break;
        }
    }
    out
}

/// `outer: inner: innermost`, without repeated or empty parts.
pub(crate) fn error_chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    for e in causes(err) {
        let text = e.to_string();
        if text.is_empty() || parts.iter().any(|p| p.contains(&text)) {
            continue;
        }
        parts.push(text);
    }
    parts.join(": ")
}

/// Turns a reqwest error into a probe error of the right kind, with a
/// message that names the cause and never the URL's secrets.
fn classify(err: reqwest::Error, url: &Url, elapsed: Duration, tls_stalled: bool) -> ProbeError {
    let at = host_port(url);
    let (is_timeout, is_connect) = (err.is_timeout(), err.is_connect());
    if is_timeout && tls_stalled {
        return tls_timeout(url, &vocab::human_duration(elapsed), elapsed);
    }
    let bare = err.without_url();
    let all = causes(&bare);
    for e in &all {
        if let Some(d) = e.downcast_ref::<DnsError>() {
            return ProbeError::new(ErrorKind::Dns, d.to_string(), elapsed)
                .with_hint("check the host name, and that this runner can resolve it (private DNS zones need a self-hosted runner or a VPN step)");
        }
        if let Some(t) = e.downcast_ref::<rustls::Error>() {
            let message = format!("TLS handshake with {at} failed: {t}");
            let p = ProbeError::new(ErrorKind::Tls, message, elapsed);
            return match t {
                rustls::Error::InvalidCertificate(_) => p.with_hint(
                    "trust the server's CA with --ca-cert FILE (PEM), or skip verification with --insecure (tests only)",
                ),
                _ => p,
            };
        }
    }
    for e in &all {
        if let Some(io) = e.downcast_ref::<std::io::Error>() {
            use std::io::ErrorKind as K;
            match io.kind() {
                K::ConnectionRefused => {
                    return ProbeError::new(
                        ErrorKind::ConnectionRefused,
                        format!("connection refused by {at}"),
                        elapsed,
                    );
                }
                K::TimedOut => {
                    return ProbeError::new(
                        ErrorKind::Timeout,
                        format!("timed out connecting to {at}"),
                        elapsed,
                    );
                }
                K::ConnectionReset | K::ConnectionAborted | K::UnexpectedEof | K::BrokenPipe => {
                    return ProbeError::new(
                        ErrorKind::Http,
                        format!("{at} closed the connection: {}", error_chain(&bare)),
                        elapsed,
                    );
                }
                _ => {}
            }
        }
    }
    let chain = error_chain(&bare);
    if is_timeout {
        return ProbeError::new(
            ErrorKind::Timeout,
            format!("timed out connecting to {at}"),
            elapsed,
        );
    }
    if is_connect {
        return ProbeError::new(
            ErrorKind::Connect,
            format!("cannot connect to {at}: {chain}"),
            elapsed,
        );
    }
    ProbeError::new(
        ErrorKind::Http,
        format!("request to {at} failed: {chain}"),
        elapsed,
    )
}

/// Name resolution: `localhost` is both loopback addresses, IPv6 first;
/// everything else asks the system resolver.
struct Resolver;

impl reqwest::dns::Resolve for Resolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs = resolve(&host, 0)
                .await
                .map_err(|e| Box::new(e) as Box<dyn StdError + Send + Sync>)?;
            Ok(Box::new(addrs.into_iter()) as reqwest::dns::Addrs)
        })
    }
}

/// A host name that did not resolve.
#[derive(Debug)]
pub struct DnsError {
    host: String,
    reason: String,
}

impl fmt::Display for DnsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "cannot resolve '{}': {}", self.host, self.reason)
    }
}

impl StdError for DnsError {}

/// True for `localhost` and names under `.localhost` (RFC 6761).
pub fn is_localhost(host: &str) -> bool {
    let h = host.trim_end_matches('.').to_ascii_lowercase();
    h == "localhost" || h.ends_with(".localhost")
}

/// Resolves a host to socket addresses: `localhost` to `[::1]` then
/// `127.0.0.1`; IP literals as they are; other names by the system
/// resolver (IPv6 and IPv4, in its order).
pub(crate) async fn resolve(host: &str, port: u16) -> Result<Vec<SocketAddr>, DnsError> {
    let bare = host.trim_start_matches('[').trim_end_matches(']');
    if let Ok(ip) = bare.parse::<IpAddr>() {
        return Ok(vec![SocketAddr::new(ip, port)]);
    }
    if is_localhost(bare) {
        return Ok(vec![
            SocketAddr::new(IpAddr::V6(Ipv6Addr::LOCALHOST), port),
            SocketAddr::new(IpAddr::V4(Ipv4Addr::LOCALHOST), port),
        ]);
    }
    let found = tokio::net::lookup_host((bare, port))
        .await
        .map_err(|e| DnsError {
            host: bare.to_owned(),
            reason: e.to_string(),
        })?;
    let addrs: Vec<SocketAddr> = found.collect();
    if addrs.is_empty() {
        return Err(DnsError {
            host: bare.to_owned(),
            reason: "no addresses".into(),
        });
    }
    Ok(addrs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn localhost_names() {
        assert!(is_localhost("localhost"));
        assert!(is_localhost("LOCALHOST."));
        assert!(is_localhost("api.localhost"));
        assert!(!is_localhost("localhost.example.com"));
        assert!(!is_localhost("notlocalhost"));
    }

    #[test]
    fn localhost_resolves_to_both_loopbacks_v6_first() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        let addrs = rt.block_on(resolve("localhost", 8080)).unwrap();
        assert_eq!(
            addrs,
            [
                "[::1]:8080".parse::<SocketAddr>().unwrap(),
                "127.0.0.1:8080".parse().unwrap()
            ]
        );
        let ip = rt.block_on(resolve("[::1]", 1)).unwrap();
        assert_eq!(ip, ["[::1]:1".parse::<SocketAddr>().unwrap()]);
    }

    #[test]
    fn redirect_rules() {
        let a = Url::parse("https://a.example/x").unwrap();
        assert!(same_origin(
            &a,
            &Url::parse("https://a.example:443/y").unwrap()
        ));
        assert!(!same_origin(&a, &Url::parse("http://a.example/x").unwrap()));
        assert!(!same_origin(
            &a,
            &Url::parse("https://b.example/x").unwrap()
        ));
        assert!(is_redirect(308));
        assert!(!is_redirect(304));
    }

    #[test]
    fn ca_files_must_hold_certificates() {
        let e = CaCert::from_pem(b"not a cert", Path::new("ca.pem")).unwrap_err();
        assert!(matches!(e, ClientError::CaCertInvalid { .. }), "{e}");
        let e = CaCert::from_file(Path::new("/nonexistent/ca.pem")).unwrap_err();
        assert!(matches!(e, ClientError::CaCertUnreadable { .. }), "{e}");
        assert_eq!(vocab::Classify::class(&e), vocab::ErrorClass::Input);
    }
}
