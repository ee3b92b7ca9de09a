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
//! through [`Client::redact`] as well.//!
//! Here the client and sending; the token in `token`, answers in
//! `response`, retry decisions and backoff in `retry`, URL checks in `urls`.

mod response;
mod retry;
mod token;
mod urls;

pub(crate) use response::Resp;
pub use retry::RetryPolicy;
use retry::{Retry, RetryKind};
pub use token::Token;
pub use urls::default_graphql_url;
pub(crate) use urls::encode_path;
use urls::{authority, check_url};

use crate::RepoError;
use http::{HeaderMap, Method, header};
use octocrab::Octocrab;
use serde_json::Value;
use std::fmt;
use std::future::Future;
use std::sync::Mutex;
use std::time::Duration;

/// What the reconcile step of a write found.
pub(crate) enum Reconciled {
    /// The write did take effect: this is what it made.
    Applied(Value),
    /// It did not: send it again.
    NotApplied,
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
        Ok(Client {
            rest,
            graphql,
            api_url,
            graphql_url,
            token,
            policy,
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
                            vocab::human_duration(self.policy.request_timeout)
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
                            vocab::human_duration(delay),
                            vocab::human_duration(self.policy.max_total_wait)
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use vocab::{Classify, ErrorClass};

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
