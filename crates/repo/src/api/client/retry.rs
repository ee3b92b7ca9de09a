//! When to try again and how long to wait: the policy, the verdict on an
//! answer, exponential backoff with jitter.

use super::*;
use crate::RepoError;
use serde_json::Value;
use std::time::Duration;

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

/// What one attempt came to, when it is worth another.
pub(super) struct Retry {
    /// The least wait the server asked for.
    pub(super) wait: Option<Duration>,
    /// Which attempt limit applies.
    pub(super) kind: RetryKind,
    /// What to report if this was the last attempt.
    pub(super) error: RepoError,
    /// Whether a write may have been applied.
    pub(super) ambiguous: bool,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum RetryKind {
    Connect,
    Timeout,
    Server,
    RateLimit,
}

impl Client {
    /// Random in `[0, 1)` from the OS, for jitter (0.5 if it has none).
    pub(super) fn random(&self) -> f64 {
        getrandom::u64().map_or(0.5, |x| (x >> 11) as f64 / (1u64 << 53) as f64)
    }

    /// Exponential backoff with jitter: half the step, plus a random part
    /// of the other half.
    // Hand-written: four lines; backon's jitter adds up to a whole step (this adds up to half), and sharing health-check's ±10% schedule would change both.
    pub(super) fn backoff(&self, attempt: u32) -> Duration {
        let step = self
            .policy
            .base_delay
            .saturating_mul(1u32 << attempt.saturating_sub(1).min(16))
            .min(self.policy.max_delay);
        step / 2 + step.mul_f64(self.random() / 2.0)
    }

    /// `None`: a final answer for the caller. `Some(Err)`: a final error.
    /// `Some(Ok)`: worth another attempt.
    pub(super) fn classify(&self, resp: &Resp) -> Option<Result<Retry, RepoError>> {
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
