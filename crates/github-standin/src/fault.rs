//! Scripted faults: what the next matching request gets instead of (or on
//! top of) its normal answer.

use serde_json::{Value, json};
use std::collections::VecDeque;
use std::time::Duration;

/// Which requests a queued fault applies to.
///
/// A pattern without a leading `/` is relative to the repository, and
/// matches both `/repos/{owner}/{repo}/…` and `/repositories/{id}/…`:
/// `git/refs`, `git/ref/tags/*`, `deployments/*/statuses`,
/// `git/matching-refs/**`. `*` matches one path segment, `**` the rest
/// (zero or more segments). A pattern with a leading `/` matches the whole
/// path (`/graphql`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    method: Option<String>,
    pattern: String,
}

impl Route {
    /// Any request.
    pub fn any() -> Self {
        Route {
            method: None,
            pattern: "/**".into(),
        }
    }
    /// Any method on this path pattern.
    pub fn path(pattern: &str) -> Self {
        Route {
            method: None,
            pattern: pattern.into(),
        }
    }
    pub fn get(pattern: &str) -> Self {
        Self::method("GET", pattern)
    }
    pub fn post(pattern: &str) -> Self {
        Self::method("POST", pattern)
    }
    pub fn patch(pattern: &str) -> Self {
        Self::method("PATCH", pattern)
    }
    /// `POST /graphql`.
    pub fn graphql() -> Self {
        Self::method("POST", "/graphql")
    }
    pub fn method(method: &str, pattern: &str) -> Self {
        Route {
            method: Some(method.to_ascii_uppercase()),
            pattern: pattern.into(),
        }
    }

    /// `repo_rel` is the path after `/repos/{o}/{r}/` (or
    /// `/repositories/{id}/`), when the request is about the repository.
    pub(crate) fn matches(&self, method: &str, path: &str, repo_rel: Option<&str>) -> bool {
        if self.method.as_deref().is_some_and(|m| m != method) {
            return false;
        }
        match self.pattern.strip_prefix('/') {
            Some(abs) => segments_match(abs, path.trim_start_matches('/')),
            None => repo_rel.is_some_and(|rel| segments_match(&self.pattern, rel)),
        }
    }
}

fn segments_match(pattern: &str, path: &str) -> bool {
    let p: Vec<&str> = pattern.split('/').filter(|s| !s.is_empty()).collect();
    let n: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    fn go(p: &[&str], n: &[&str]) -> bool {
        match p.split_first() {
            None => n.is_empty(),
            Some((&"**", rest)) => (0..=n.len()).any(|i| go(rest, &n[i..])),
            Some((seg, rest)) => n
                .split_first()
                .is_some_and(|(first, more)| (*seg == "*" || seg == first) && go(rest, more)),
        }
    }
    go(&p, &n)
}

/// What a matching request gets.
#[derive(Debug, Clone, PartialEq)]
pub enum Fault {
    /// This answer, without touching the repository.
    Reply {
        status: u16,
        content_type: String,
        body: String,
        headers: Vec<(String, String)>,
    },
    /// The request is applied, then the connection is closed without an
    /// answer: a create whose reply was lost.
    LostReply,
    /// The request is applied, then answered with a 502: the gateway timed
    /// out after the backend did the work.
    AppliedThenBadGateway,
    /// The connection is closed without applying the request or answering.
    Hangup,
    /// Wait, then handle the request normally.
    Delay(Duration),
}

impl Fault {
    /// An answer with a JSON body.
    pub fn json(status: u16, body: Value) -> Self {
        Fault::Reply {
            status,
            content_type: "application/json; charset=utf-8".into(),
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    /// Adds a header to a [`Fault::Reply`].
    pub fn with_header(mut self, name: &str, value: &str) -> Self {
        if let Fault::Reply { headers, .. } = &mut self {
            headers.push((name.to_ascii_lowercase(), value.to_owned()));
        }
        self
    }

    /// 502, with the HTML page GitHub's edge serves (not JSON).
    pub fn bad_gateway() -> Self {
        Fault::Reply {
            status: 502,
            content_type: "text/html".into(),
            body: "<html><body><h1>502 Bad Gateway</h1>\nThe server returned an invalid or incomplete response.\n</body></html>\n".into(),
            headers: Vec::new(),
        }
    }

    /// 503 `{"message": "Service Unavailable"}`.
    pub fn unavailable() -> Self {
        Self::json(
            503,
            json!({ "message": "Service Unavailable", "documentation_url": "https://docs.github.com/rest" }),
        )
    }

    /// 500 `{"message": "Server Error"}`.
    pub fn server_error() -> Self {
        Self::json(500, json!({ "message": "Server Error" }))
    }

    /// 429 with `retry-after`.
    pub fn too_many_requests(retry_after_secs: u64) -> Self {
        Self::json(
            429,
            json!({
                "message": "You have exceeded a secondary rate limit and have been temporarily blocked from content creation. Please retry your request again later.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                "status": "429",
            }),
        )
        .with_header("retry-after", &retry_after_secs.to_string())
    }

    /// 403 secondary rate limit with `retry-after`.
    pub fn secondary_rate_limit(retry_after_secs: u64) -> Self {
        Self::json(
            403,
            json!({
                "message": "You have exceeded a secondary rate limit. Please wait a few minutes before you try again. If you reach out to GitHub Support for help, please include the request ID E5C2:3A1B:1F2E3D:4C5B6A:67F0A1B2.",
                "documentation_url": "https://docs.github.com/free-pro-team@latest/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
                "status": "403",
            }),
        )
        .with_header("retry-after", &retry_after_secs.to_string())
    }

    /// 403 primary rate limit: `x-ratelimit-remaining: 0` and a reset that
    /// many seconds from now.
    pub fn primary_rate_limit(reset_in_secs: u64) -> Self {
        let reset = jiff::Timestamp::now().as_second() + reset_in_secs as i64;
        Self::json(
            403,
            json!({
                "message": "API rate limit exceeded for installation ID 41898282.",
                "documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit",
                "status": "403",
            }),
        )
        .with_header("x-ratelimit-limit", "1000")
        .with_header("x-ratelimit-remaining", "0")
        .with_header("x-ratelimit-used", "1000")
        .with_header("x-ratelimit-reset", &reset.to_string())
        .with_header("x-ratelimit-resource", "core")
    }

    /// 403 "Resource not accessible by integration", with the
    /// `x-accepted-github-permissions` header (e.g. `contents=write`).
    pub fn missing_permission(accepted: &str) -> Self {
        Self::json(
            403,
            json!({
                "message": "Resource not accessible by integration",
                "documentation_url": "https://docs.github.com/rest",
                "status": "403",
            }),
        )
        .with_header("x-accepted-github-permissions", accepted)
    }

    /// 422: a ruleset restricts creating the ref (the REST wording).
    pub fn ruleset_refusal() -> Self {
        Self::json(
            422,
            json!({
                "message": "Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n",
                "documentation_url": "https://docs.github.com/rest/git/refs#create-a-reference",
                "status": "422",
            }),
        )
    }

    /// 422 with the GH013 wording a push gets.
    pub fn ruleset_refusal_gh013(ref_name: &str) -> Self {
        Self::json(
            422,
            json!({
                "message": format!("GH013: Repository rule violations found for {ref_name}.\n\n- Cannot create ref due to creations being restricted.\n"),
                "documentation_url": "https://docs.github.com/rest/git/refs#create-a-reference",
                "status": "422",
            }),
        )
    }

    /// 401 "Bad credentials".
    pub fn bad_credentials() -> Self {
        Self::json(
            401,
            json!({ "message": "Bad credentials", "documentation_url": "https://docs.github.com/rest", "status": "401" }),
        )
    }

    /// A short name for the request log.
    pub(crate) fn label(&self) -> String {
        match self {
            Fault::Reply { status, .. } => format!("reply {status}"),
            Fault::LostReply => "lost reply".into(),
            Fault::AppliedThenBadGateway => "applied then 502".into(),
            Fault::Hangup => "hangup".into(),
            Fault::Delay(d) => format!("delay {} ms", d.as_millis()),
        }
    }
}

/// Faults waiting for requests: per route (first match wins, in the order
/// they were queued), then global.
#[derive(Debug, Default)]
pub(crate) struct Queues {
    routed: Vec<(Route, VecDeque<Fault>)>,
    global: VecDeque<Fault>,
}

impl Queues {
    pub fn push(&mut self, route: Route, fault: Fault) {
        if let Some((_, q)) = self.routed.iter_mut().find(|(r, _)| *r == route) {
            q.push_back(fault);
        } else {
            self.routed.push((route, VecDeque::from([fault])));
        }
    }

    pub fn push_global(&mut self, fault: Fault) {
        self.global.push_back(fault);
    }

    pub fn pop(&mut self, method: &str, path: &str, repo_rel: Option<&str>) -> Option<Fault> {
        for (route, q) in &mut self.routed {
            if !q.is_empty() && route.matches(method, path, repo_rel) {
                return q.pop_front();
            }
        }
        self.global.pop_front()
    }

    pub fn pending(&self) -> usize {
        self.global.len() + self.routed.iter().map(|(_, q)| q.len()).sum::<usize>()
    }

    pub fn clear(&mut self) {
        self.routed.clear();
        self.global.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let r = Route::post("git/refs");
        assert!(r.matches("POST", "/repos/o/r/git/refs", Some("git/refs")));
        assert!(!r.matches("GET", "/repos/o/r/git/refs", Some("git/refs")));
        assert!(!r.matches("POST", "/graphql", None));
        let r = Route::get("git/ref/**");
        assert!(r.matches("GET", "/x", Some("git/ref/tags/svc/qa-1")));
        assert!(!r.matches("GET", "/x", Some("git/matching-refs/tags/qa-")));
        let r = Route::path("deployments/*/statuses");
        assert!(r.matches("POST", "/x", Some("deployments/7/statuses")));
        assert!(!r.matches("POST", "/x", Some("deployments")));
        assert!(Route::graphql().matches("POST", "/graphql", None));
        assert!(Route::any().matches("DELETE", "/anything/at/all", None));
    }

    #[test]
    fn queues_pop_routed_then_global() {
        let mut q = Queues::default();
        q.push_global(Fault::unavailable());
        q.push(Route::post("git/refs"), Fault::LostReply);
        assert_eq!(q.pending(), 2);
        assert_eq!(
            q.pop("POST", "/repos/o/r/git/refs", Some("git/refs")),
            Some(Fault::LostReply)
        );
        assert_eq!(
            q.pop("POST", "/repos/o/r/git/refs", Some("git/refs")),
            Some(Fault::unavailable())
        );
        assert_eq!(q.pop("GET", "/", None), None);
    }
}
