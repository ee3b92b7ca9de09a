//! The HTTP side of the API backend: requests sent through octocrab, each
//! bounded in time, retried with exponential backoff and jitter on what is
//! transient (connection failures, 5xx, 429, secondary rate limits, an
//! exhausted primary limit that resets soon), honouring `retry-after` and
//! `x-ratelimit-reset`, within a total wait budget. A write whose outcome is
//! unknown (the reply was lost) is never blindly repeated: the caller's
//! reconcile step looks first.
//!
//! The token is only ever handed to octocrab (which sends it as
//! `Authorization: Bearer`); every message this module builds is passed
//! through [`Client::redact`] as well.

use crate::RepoError;
use http::{HeaderMap, Method, header};
use octocrab::Octocrab;
use serde_json::Value;
use std::fmt;
use std::future::Future;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

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

/// How hard to try. Defaults suit a CI job: a transient failure is retried
/// for up to about a minute and a half in total; a refused connection or
/// bad credentials fail within seconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts per request for 5xx answers and rate limits (first try
    /// included).
    pub max_attempts: u32,
    /// Attempts when the connection cannot be made at all.
    pub connect_attempts: u32,
    /// Attempts when a request times out.
    pub timeout_attempts: u32,
    /// The first backoff step; each next one doubles, with jitter.
    pub base_delay: Duration,
    /// The largest backoff step (a `retry-after` may ask for more, within
    /// `max_total_wait`).
    pub max_delay: Duration,
    /// The most one request may spend waiting between attempts, in total.
    /// A rate limit that resets later than that fails at once, saying when.
    pub max_total_wait: Duration,
    /// The wait after a secondary rate limit without `retry-after` (GitHub
    /// asks for at least a minute).
    pub secondary_wait: Duration,
    /// Connecting (TCP + TLS).
    pub connect_timeout: Duration,
    /// One whole exchange: connect, send, headers, body.
    pub request_timeout: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_attempts: 5,
            connect_attempts: 3,
            timeout_attempts: 2,
            base_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(10),
            max_total_wait: Duration::from_secs(90),
            secondary_wait: Duration::from_secs(60),
            connect_timeout: Duration::from_secs(10),
            request_timeout: Duration::from_secs(30),
        }
    }
}

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
fn excerpt(body: &str) -> String {
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

/// What the reconcile step of a write found.
pub(crate) enum Reconciled {
    /// The write did take effect: this is what it made.
    Applied(Value),
    /// It did not: send it again.
    NotApplied,
}

/// What one attempt came to, when it is worth another.
struct Retry {
    /// The least wait the server asked for.
    wait: Option<Duration>,
    /// Which attempt limit applies.
    kind: RetryKind,
    /// What to report if this was the last attempt.
    error: RepoError,
    /// Whether a write may have been applied.
    ambiguous: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum RetryKind {
    Connect,
    Timeout,
    Server,
    RateLimit,
}

/// Counters for reports and tests.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Stats {
    /// HTTP requests sent (retries included).
    pub requests: u32,
    /// Of which, retries.
    pub retries: u32,
    /// Time spent waiting between attempts.
    pub waited: Duration,
}

pub(crate) struct Client {
    rest: Octocrab,
    graphql: Octocrab,
    api_url: String,
    graphql_url: String,
    token: Token,
    policy: RetryPolicy,
    rng: AtomicU64,
    stats: Mutex<Stats>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("api_url", &self.api_url)
            .field("graphql_url", &self.graphql_url)
            .field("token", &self.token)
            .field("policy", &self.policy)
            .finish()
    }
}

/// Checks an API URL: `https://`, or `http://` to this machine only (a
/// token must not cross a network in clear text).
pub(crate) fn check_url(what: &'static str, url: &str) -> Result<String, RepoError> {
    let url = url.trim().trim_end_matches('/').to_owned();
    // The value is quoted with its secrets redacted (userinfo, secret query
    // values), whatever is wrong with it.
    let bad = |why: &str| RepoError::InvalidInput {
        what,
        value: gha::url::redact(&url),
        expected: format!("{why}, such as https://api.github.com"),
    };
    if gha::url::has_userinfo(&url) {
        // The token authenticates; a password in the URL would be sent (and
        // shown) where no mask covers it.
        return Err(bad("a URL without credentials (no user:password@)"));
    }
    let uri: http::Uri = url.parse().map_err(|_| bad("an absolute http(s) URL"))?;
    let host = uri
        .host()
        .ok_or_else(|| bad("an absolute URL with a host"))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1") => {
            // Plain HTTP to this machine only (tests, local proxies).
        }
        Some("http") => {
            return Err(bad(
                "an https:// URL (plain http only to 127.0.0.1 or localhost)",
            ));
        }
        _ => return Err(bad("an absolute http(s) URL")),
    }
    if uri.query().is_some() {
        return Err(bad("a URL without a query"));
    }
    Ok(url)
}

/// `GITHUB_GRAPHQL_URL` when not given: `https://api.github.com/graphql`,
/// or for GitHub Enterprise Server `https://HOST/api/graphql` from
/// `https://HOST/api/v3`.
pub fn default_graphql_url(api_url: &str) -> String {
    let base = api_url.trim().trim_end_matches('/');
    match base.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{base}/graphql"),
    }
}

fn build_octocrab(base: &str, token: &Token, policy: &RetryPolicy) -> Result<Octocrab, RepoError> {
    let builder = Octocrab::builder()
        .personal_token(token.expose().to_owned())
        .set_connect_timeout(Some(policy.connect_timeout))
        .set_read_timeout(Some(policy.request_timeout))
        .set_write_timeout(Some(policy.request_timeout))
        .base_uri(base)
        .map_err(|_| RepoError::InvalidInput {
            what: "GitHub API URL",
            value: base.to_owned(),
            expected: "an absolute http(s) URL, such as https://api.github.com".into(),
        })?;
    builder.build().map_err(|e| RepoError::Api {
        request: "set up the HTTP client".into(),
        status: None,
        message: chain_text(&e),
    })
}

/// The messages of an error and its sources, joined (octocrab's own
/// `Display` adds backtraces).
fn chain_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = e.source();
    while let Some(err) = cur {
        let text = err.to_string();
        if !parts.iter().any(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = err.source();
    }
    if parts.is_empty() {
        parts.push(e.to_string());
    }
    parts.join(": ")
}

/// Whether a transport error happened before the request left: nothing
/// was sent, so even a write may be sent again.
fn is_connect_error(e: &(dyn std::error::Error + 'static)) -> bool {
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(err) = cur {
        if let Some(io) = err.downcast_ref::<std::io::Error>()
            && matches!(
                io.kind(),
                std::io::ErrorKind::ConnectionRefused
                    | std::io::ErrorKind::AddrNotAvailable
                    | std::io::ErrorKind::NotFound
            )
        {
            return true;
        }
        let text = err.to_string();
        if text.contains("client error (Connect)")
            || text.contains("tcp connect error")
            || text.contains("dns error")
        {
            return true;
        }
        cur = err.source();
    }
    false
}

impl Client {
    pub fn new(
        api_url: &str,
        graphql_url: &str,
        token: Token,
        policy: RetryPolicy,
    ) -> Result<Self, RepoError> {
        let api_url = check_url("GitHub API URL", api_url)?;
        let graphql_url = check_url("GitHub GraphQL URL", graphql_url)?;
        let rest = build_octocrab(&api_url, &token, &policy)?;
        let same_host = authority(&api_url) == authority(&graphql_url);
        // octocrab only sends the token to its base URL's host; a GraphQL
        // endpoint elsewhere gets a client of its own.
        let graphql = if same_host {
            rest.clone()
        } else {
            build_octocrab(&graphql_url, &token, &policy)?
        };
        let seed = {
            use std::hash::{BuildHasher, Hasher};
            let mut h = std::collections::hash_map::RandomState::new().build_hasher();
            h.write_u64(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map(|d| d.as_nanos() as u64)
                    .unwrap_or(7),
            );
            h.finish() | 1
        };
        Ok(Client {
            rest,
            graphql,
            api_url,
            graphql_url,
            token,
            policy,
            rng: AtomicU64::new(seed),
            stats: Mutex::new(Stats::default()),
        })
    }

    pub fn api_url(&self) -> &str {
        &self.api_url
    }

    pub fn stats(&self) -> Stats {
        *self.stats.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn count(&self, f: impl FnOnce(&mut Stats)) {
        f(&mut self.stats.lock().unwrap_or_else(|e| e.into_inner()));
    }

    /// Replaces the token wherever it might appear.
    pub fn redact(&self, text: &str) -> String {
        let t = self.token.expose();
        if t.len() >= 4 && text.contains(t) {
            text.replace(t, "***")
        } else {
            text.to_owned()
        }
    }

    fn redact_error(&self, e: RepoError) -> RepoError {
        match e {
            RepoError::Api {
                request,
                status,
                message,
            } => RepoError::Api {
                request: self.redact(&request),
                status,
                message: self.redact(&message),
            },
            RepoError::Unauthenticated { detail } => RepoError::Unauthenticated {
                detail: self.redact(&detail),
            },
            RepoError::RateLimited { reset, detail } => RepoError::RateLimited {
                reset,
                detail: self.redact(&detail),
            },
            other => other,
        }
    }

    /// A full URL for a path under the API (`/repos/o/r/git/refs`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.api_url)
    }

    /// Pseudo-random in `[0, 1)`, for jitter.
    fn random(&self) -> f64 {
        let mut x = self.rng.load(Ordering::Relaxed);
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.store(x, Ordering::Relaxed);
        (x >> 11) as f64 / (1u64 << 53) as f64
    }

    /// Exponential backoff with jitter: half the step, plus a random part
    /// of the other half.
    fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .policy
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.policy.max_delay);
        step / 2 + step.mul_f64(self.random() / 2.0)
    }

    fn describe(method: &Method, url: &str) -> String {
        let path = url
            .find("://")
            .and_then(|i| url[i + 3..].find('/').map(|j| &url[i + 3 + j..]))
            .unwrap_or(url);
        format!("{method} {path}")
    }

    async fn exchange(
        &self,
        graphql: bool,
        method: &Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<(u16, HeaderMap, String), (bool, String)> {
        let octo = if graphql { &self.graphql } else { &self.rest };
        let builder = http::Request::builder()
            .method(method.clone())
            .uri(url)
            .header(header::ACCEPT, "application/vnd.github+json")
            .header(header::USER_AGENT, "shipgate");
        let request = octo
            .build_request(builder, body)
            .map_err(|e| (false, chain_text(&e)))?;
        let response = octo
            .execute(request)
            .await
            .map_err(|e| (is_connect_error(&e), chain_text(&e)))?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let body = octo.body_to_string(response).await.map_err(|e| {
            (
                false,
                format!("reading the answer failed: {}", chain_text(&e)),
            )
        })?;
        Ok((status, headers, body))
    }

    /// Sends an idempotent request (GET, or a write that is safe to repeat
    /// or resolves itself, such as creating a ref), retrying what is
    /// transient. Any answer that is not transient is returned, whatever
    /// its status, for the caller to read, except 401 (an error here).
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
    ) -> Result<Resp, RepoError> {
        self.send_inner(
            false,
            method,
            url,
            body,
            || async { Ok(Reconciled::NotApplied) },
            false,
        )
        .await
    }

    /// `POST /graphql`.
    pub async fn graphql(&self, query: &str, variables: Value) -> Result<Resp, RepoError> {
        let body = serde_json::json!({ "query": query, "variables": variables });
        let url = self.graphql_url.clone();
        self.send_inner(
            true,
            Method::POST,
            &url,
            Some(&body),
            || async { Ok(Reconciled::NotApplied) },
            false,
        )
        .await
    }

    /// Sends a write that must not be repeated blindly: when its outcome is
    /// unknown (a 5xx, a lost connection after sending), `reconcile` looks
    /// whether it took effect before it is sent again.
    pub async fn send_write<F, Fut>(
        &self,
        method: Method,
        url: &str,
        body: Option<&Value>,
        reconcile: F,
    ) -> Result<Resp, RepoError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Reconciled, RepoError>>,
    {
        self.send_inner(false, method, url, body, reconcile, true)
            .await
    }

    async fn send_inner<F, Fut>(
        &self,
        graphql: bool,
        method: Method,
        url: &str,
        body: Option<&Value>,
        reconcile: F,
        careful: bool,
    ) -> Result<Resp, RepoError>
    where
        F: Fn() -> Fut,
        Fut: Future<Output = Result<Reconciled, RepoError>>,
    {
        let what = self.redact(&Self::describe(&method, url));
        let fatal = |e: RepoError| self.redact_error(e);
        let mut waited = Duration::ZERO;
        let mut counts = [0u32; 4];
        let mut attempt = 0u32;
        let mut unsure = false;
        loop {
            attempt += 1;
            if unsure {
                // The previous attempt may have been applied: look first.
                match reconcile().await {
                    Ok(Reconciled::Applied(v)) => {
                        return Ok(Resp {
                            status: 200,
                            headers: HeaderMap::new(),
                            body: v.to_string(),
                            request: what,
                        });
                    }
                    Ok(Reconciled::NotApplied) => {}
                    Err(e) => return Err(fatal(e)),
                }
                unsure = false;
            }
            self.count(|s| {
                s.requests += 1;
                if attempt > 1 {
                    s.retries += 1;
                }
            });
            let outcome = tokio::time::timeout(
                self.policy.request_timeout,
                self.exchange(graphql, &method, url, body),
            )
            .await;
            let retry = match outcome {
                Err(_) => Retry {
                    wait: None,
                    kind: RetryKind::Timeout,
                    error: RepoError::Api {
                        request: what.clone(),
                        status: None,
                        message: format!(
                            "no answer within {}",
                            gha::cli::human_duration(self.policy.request_timeout)
                        ),
                    },
                    ambiguous: method != Method::GET,
                },
                Ok(Err((connect, detail))) => Retry {
                    wait: None,
                    kind: if connect {
                        RetryKind::Connect
                    } else {
                        RetryKind::Server
                    },
                    error: RepoError::Api {
                        request: what.clone(),
                        status: None,
                        message: if connect {
                            format!(
                                "cannot connect to {} ({detail}); check GITHUB_API_URL and the network",
                                self.api_url
                            )
                        } else {
                            detail
                        },
                    },
                    ambiguous: !connect && method != Method::GET,
                },
                Ok(Ok((status, headers, text))) => {
                    let resp = Resp {
                        status,
                        headers,
                        body: text,
                        request: what.clone(),
                    };
                    match self.classify(&resp) {
                        None => return Ok(resp),
                        Some(Err(e)) => return Err(fatal(e)),
                        Some(Ok(r)) => Retry {
                            ambiguous: r.ambiguous && method != Method::GET,
                            ..r
                        },
                    }
                }
            };
            let idx = match retry.kind {
                RetryKind::Connect => 0,
                RetryKind::Timeout => 1,
                RetryKind::Server => 2,
                RetryKind::RateLimit => 3,
            };
            counts[idx] += 1;
            let limit = match retry.kind {
                RetryKind::Connect => self.policy.connect_attempts,
                RetryKind::Timeout => self.policy.timeout_attempts,
                RetryKind::Server | RetryKind::RateLimit => self.policy.max_attempts,
            };
            if counts[idx] >= limit || attempt >= self.policy.max_attempts + 2 {
                return Err(fatal(retry.error));
            }
            let backoff = self.backoff(counts[idx]);
            let delay = match retry.wait {
                Some(w) => w + backoff / 4,
                None => backoff,
            };
            if waited + delay > self.policy.max_total_wait {
                let error = match retry.error {
                    RepoError::RateLimited { reset, detail } => RepoError::RateLimited {
                        reset,
                        detail: format!(
                            "{detail}; waiting {} more would pass the {} budget",
                            gha::cli::human_duration(delay),
                            gha::cli::human_duration(self.policy.max_total_wait)
                        ),
                    },
                    other => other,
                };
                return Err(fatal(error));
            }
            tokio::time::sleep(delay).await;
            waited += delay;
            self.count(|s| s.waited += delay);
            if retry.ambiguous && careful {
                unsure = true;
            }
        }
    }

    /// `None`: a final answer for the caller. `Some(Err)`: a final error.
    /// `Some(Ok)`: worth another attempt.
    fn classify(&self, resp: &Resp) -> Option<Result<Retry, RepoError>> {
        let status = resp.status;
        let message = resp.message();
        let with_id = |m: &str| match resp.request_id() {
            Some(id) => format!("{m} (request id {id})"),
            None => m.to_owned(),
        };
        if status == 401 {
            return Some(Err(RepoError::Unauthenticated {
                detail: format!(
                    "GitHub answered 401 \"{}\" to {}: the token is missing, invalid or expired",
                    message, resp.request
                ),
            }));
        }
        let lower = message.to_ascii_lowercase();
        let retry_after = resp
            .header("retry-after")
            .and_then(|v| v.trim().parse::<u64>().ok())
            .map(Duration::from_secs);
        let remaining = resp
            .header("x-ratelimit-remaining")
            .and_then(|v| v.trim().parse::<u64>().ok());
        let reset = resp
            .header("x-ratelimit-reset")
            .and_then(|v| v.trim().parse::<i64>().ok())
            .and_then(|s| jiff::Timestamp::from_second(s).ok());
        let graphql_limited = status == 200
            && resp.body.contains("RATE_LIMITED")
            && serde_json::from_str::<Value>(&resp.body)
                .ok()
                .and_then(|v| v.get("errors").cloned())
                .and_then(|e| e.as_array().cloned())
                .is_some_and(|errs| {
                    errs.iter()
                        .any(|e| e.get("type").and_then(Value::as_str) == Some("RATE_LIMITED"))
                });
        let secondary = matches!(status, 403 | 429)
            && (lower.contains("secondary rate limit") || lower.contains("abuse"));
        let primary =
            graphql_limited || (matches!(status, 403 | 429) && remaining == Some(0) && !secondary);
        if primary {
            let now = jiff::Timestamp::now();
            let wait = match (retry_after, reset) {
                (Some(w), _) => w,
                (None, Some(r)) => {
                    let secs = (r.as_second() - now.as_second()).max(0) as u64;
                    Duration::from_secs(secs + 1)
                }
                (None, None) => self.policy.secondary_wait,
            };
            return Some(Ok(Retry {
                wait: Some(wait),
                kind: RetryKind::RateLimit,
                error: RepoError::RateLimited {
                    reset,
                    detail: with_id(&format!("{} answered {status}: {message}", resp.request)),
                },
                ambiguous: false,
            }));
        }
        if secondary || status == 429 {
            return Some(Ok(Retry {
                wait: Some(retry_after.unwrap_or(if secondary {
                    self.policy.secondary_wait
                } else {
                    Duration::ZERO
                })),
                kind: RetryKind::RateLimit,
                error: RepoError::RateLimited {
                    reset,
                    detail: with_id(&format!(
                        "{} hit a secondary rate limit ({status}): {message}",
                        resp.request
                    )),
                },
                ambiguous: false,
            }));
        }
        if status >= 500 {
            return Some(Ok(Retry {
                wait: retry_after,
                kind: RetryKind::Server,
                error: RepoError::Api {
                    request: resp.request.clone(),
                    status: Some(status),
                    message: with_id(&message),
                },
                ambiguous: true,
            }));
        }
        None
    }
}

fn authority(url: &str) -> Option<String> {
    url.parse::<http::Uri>()
        .ok()
        .and_then(|u| u.authority().map(|a| a.as_str().to_ascii_lowercase()))
}

/// A path segment (or several, keeping `/`) made safe for a URL.
pub(crate) fn encode_path(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~' | b'/') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use gha::{Classify, ErrorClass};

    #[test]
    fn tokens_never_show() {
        let t = Token::new(" ghp_secret123 ").unwrap();
        assert_eq!(format!("{t:?}"), "Token(***)");
        assert_eq!(t.expose(), "ghp_secret123");
        let e = Token::new("ghp_a b").unwrap_err();
        assert!(!e.to_string().contains("ghp_a"), "{e}");
        assert!(Token::new("  ").is_err());
        assert!(Token::new("tok\nen").is_err());
    }

    #[test]
    fn urls() {
        assert_eq!(
            check_url("u", "https://api.github.com/").unwrap(),
            "https://api.github.com"
        );
        assert!(check_url("u", "http://127.0.0.1:8080").is_ok());
        assert!(check_url("u", "http://localhost:1").is_ok());
        let e = check_url("u", "http://api.github.com").unwrap_err();
        assert!(e.to_string().contains("https://"), "{e}");
        assert!(check_url("u", "api.github.com").is_err());
        assert!(check_url("u", "ftp://x").is_err());
        for (url, secret) in [
            ("http://u:PW@127.0.0.1:1", "PW"),
            ("https://x-access-token:ghp_S@api.github.com", "ghp_S"),
            ("https://api.github.com/?access_token=ghp_T", "ghp_T"),
        ] {
            let e = check_url("GitHub API URL", url).unwrap_err();
            assert_eq!(e.class(), ErrorClass::Input);
            assert!(!e.to_string().contains(secret), "{e}");
        }
        assert!(
            check_url("u", "http://u:PW@127.0.0.1:1")
                .unwrap_err()
                .to_string()
                .contains("without credentials")
        );
        assert_eq!(
            default_graphql_url("https://api.github.com"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            default_graphql_url("https://ghes.example.com/api/v3/"),
            "https://ghes.example.com/api/graphql"
        );
    }

    #[test]
    fn messages_and_links() {
        let r = Resp {
            status: 422,
            headers: {
                let mut h = HeaderMap::new();
                h.insert(
                    "link",
                    "<https://api.github.com/repositories/1/deployments?page=2>; rel=\"next\", <https://api.github.com/repositories/1/deployments?page=3>; rel=\"last\""
                        .parse()
                        .unwrap(),
                );
                h
            },
            body: r#"{"message":"Validation Failed","errors":[{"resource":"Release","code":"already_exists","field":"tag_name"}]}"#.into(),
            request: "POST /repos/o/r/releases".into(),
        };
        assert_eq!(
            r.message(),
            "Validation Failed: Release tag_name already_exists"
        );
        assert_eq!(
            r.next_link().as_deref(),
            Some("https://api.github.com/repositories/1/deployments?page=2")
        );
        let html = Resp {
            body: "<html><body><h1>502 Bad Gateway</h1>".into(),
            ..r
        };
        assert_eq!(html.message(), "<html><body><h1>502 Bad Gateway</h1>");
        assert_eq!(encode_path("shop/qa-1 x"), "shop/qa-1%20x");
    }
}
