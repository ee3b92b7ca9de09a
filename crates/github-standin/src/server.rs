//! The HTTP side: an accept loop on its own thread, one handler for every
//! request (faults, auth, rate limits, logging, common headers), and the
//! helpers the routes share (replies, queries, paging).

use crate::fault::Fault;
use crate::model::{State, TokenGrant};
use crate::{Access, LoggedRequest, Permission};
use axum::Router;
use axum::body::Body;
use axum::extract::{Request, State as AxState};
use axum::response::Response;
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use serde_json::{Value, json};
use std::net::TcpListener;
use std::sync::{Arc, Mutex, MutexGuard};
use std::thread::JoinHandle;
use tokio::sync::oneshot;
use tower::ServiceExt;

pub(crate) struct Shared {
    pub state: Mutex<State>,
}

impl Shared {
    pub fn lock(&self) -> MutexGuard<'_, State> {
        // A panicking test thread must not take the server down with it.
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }
}

pub(crate) fn random_u64() -> u64 {
    // The OS generator does not fail on the platforms the tests run on; a
    // zero would only make an id predictable, never wrong.
    getrandom::u64().unwrap_or_default()
}

/// Serves on `listener` from a new thread until the sender fires (or drops).
pub(crate) fn spawn(
    listener: TcpListener,
    shared: Arc<Shared>,
) -> (oneshot::Sender<()>, JoinHandle<()>) {
    let (tx, rx) = oneshot::channel::<()>();
    listener
        .set_nonblocking(true)
        .expect("non-blocking listener");
    let thread = std::thread::Builder::new()
        .name("github-standin".into())
        .spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("tokio runtime for the stand-in");
            rt.block_on(serve(listener, shared, rx));
        })
        .expect("spawn the stand-in thread");
    (tx, thread)
}

/// Marks a response that must not be sent: the connection is dropped.
#[derive(Clone, Copy)]
struct DropConnection;

#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped on purpose")
    }
}

impl std::error::Error for Dropped {}

async fn serve(listener: TcpListener, shared: Arc<Shared>, mut shutdown: oneshot::Receiver<()>) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    let router = Router::new().fallback(handle).with_state(shared);
    loop {
        let stream = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let router = router.clone();
        tokio::spawn(async move {
            let svc = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                let router = router.clone();
                async move {
                    let resp = router
                        .oneshot(req.map(Body::new))
                        .await
                        .unwrap_or_else(|never| match never {});
                    if resp.extensions().get::<DropConnection>().is_some() {
                        Err(Dropped)
                    } else {
                        Ok(resp)
                    }
                }
            });
            let _ = hyper::server::conn::http1::Builder::new()
                .keep_alive(true)
                .serve_connection(TokioIo::new(stream), svc)
                .await;
        });
    }
}

/// An answer before the common headers are added.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub status: u16,
    pub content_type: Option<String>,
    pub body: String,
    pub headers: Vec<(String, String)>,
}

impl Reply {
    pub fn json(status: u16, body: Value) -> Self {
        Reply {
            status,
            content_type: Some("application/json; charset=utf-8".into()),
            body: body.to_string(),
            headers: Vec::new(),
        }
    }

    pub fn ok(body: Value) -> Self {
        Self::json(200, body)
    }

    pub fn no_content() -> Self {
        Reply {
            status: 204,
            content_type: None,
            body: String::new(),
            headers: Vec::new(),
        }
    }

    /// `{"message", "documentation_url", "status"}`, as GitHub's errors.
    pub fn error(status: u16, message: &str, doc: &str) -> Self {
        Self::json(
            status,
            json!({ "message": message, "documentation_url": doc, "status": status.to_string() }),
        )
    }

    pub fn not_found(doc: &str) -> Self {
        Self::error(404, "Not Found", doc)
    }

    /// 422 "Validation Failed" with one error object.
    pub fn validation(error: Value, doc: &str) -> Self {
        Self::json(
            422,
            json!({
                "message": "Validation Failed",
                "errors": [error],
                "documentation_url": doc,
                "status": "422",
            }),
        )
    }

    pub fn header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_ascii_lowercase(), value.into()));
        self
    }

    fn has_header(&self, name: &str) -> bool {
        self.headers.iter().any(|(k, _)| k == name)
    }
}

/// What a route handler gets.
pub(crate) struct Ctx {
    pub method: String,
    /// Decoded segments after `/repos/{o}/{r}/`.
    pub rel: Vec<String>,
    /// The path after `/repos/{o}/{r}/` (or `/repositories/{id}/`), raw.
    pub rel_raw: String,
    pub query: Vec<(String, String)>,
    pub body: Option<Value>,
    pub token: TokenGrant,
}

impl Ctx {
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn body_str(&self, field: &str) -> Option<&str> {
        self.body.as_ref()?.get(field)?.as_str()
    }

    pub fn body_bool(&self, field: &str) -> Option<bool> {
        self.body.as_ref()?.get(field)?.as_bool()
    }

    /// `Err(403)` unless the token has one of `any` (and says which it
    /// needs in `x-accepted-github-permissions`).
    pub fn require(&self, any: &[(Permission, Access)], doc: &str) -> Result<(), Reply> {
        if any.iter().any(|(p, a)| self.token.access(*p) >= *a) {
            Ok(())
        } else {
            Err(
                Reply::error(403, "Resource not accessible by integration", doc)
                    .header("x-accepted-github-permissions", accepted(any)),
            )
        }
    }
}

/// `contents=write; pull_requests=read`: any one set suffices.
pub(crate) fn accepted(any: &[(Permission, Access)]) -> String {
    any.iter()
        .map(|(p, a)| format!("{}={}", p.name(), a.name()))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The path after `/repos/{o}/{r}/` or `/repositories/{id}/`, if it is a
/// repository path.
pub(crate) fn repo_rel(path: &str) -> Option<String> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    match segs.as_slice() {
        ["repos", _, _, rest @ ..] => Some(rest.join("/")),
        ["repositories", _, rest @ ..] => Some(rest.join("/")),
        _ => None,
    }
}

pub(crate) fn parse_query(q: Option<&str>) -> Vec<(String, String)> {
    q.unwrap_or_default()
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (decode(&k.replace('+', " ")), decode(&v.replace('+', " ")))
        })
        .collect()
}

/// Percent-decoding (invalid escapes are kept as they are).
pub(crate) fn decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
            if let Some(v) = hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a path segment or query value.
pub(crate) fn encode_segment(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// One page of `items` by `per_page` (default 30, at most 100) and `page`
/// (from 1), with a `link` header as GitHub writes it: absolute URLs under
/// `/repositories/{id}/`, `rel="next"`, `"last"`, `"first"`, `"prev"`.
pub(crate) fn paged(state: &State, ctx: &Ctx, items: Vec<Value>) -> Reply {
    let per_page = ctx
        .param("per_page")
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(30, |n| n.clamp(1, 100));
    let page = ctx
        .param("page")
        .and_then(|v| v.parse::<usize>().ok())
        .map_or(1, |n| n.max(1));
    let total = items.len();
    let last = total.div_ceil(per_page).max(1);
    let chunk: Vec<Value> = items
        .into_iter()
        .skip((page - 1).saturating_mul(per_page))
        .take(per_page)
        .collect();
    let mut reply = Reply::ok(Value::Array(chunk));
    if last > 1 {
        let keep: Vec<String> = ctx
            .query
            .iter()
            .filter(|(k, _)| k != "page")
            .map(|(k, v)| format!("{}={}", encode_segment(k), encode_segment(v)))
            .collect();
        let base = format!(
            "{}/repositories/{}/{}",
            state.base_url, state.repo_id, ctx.rel_raw
        );
        let url = |n: usize| {
            let mut q = keep.clone();
            q.push(format!("page={n}"));
            format!("<{base}?{}>", q.join("&"))
        };
        let mut links = Vec::new();
        if page > 1 {
            links.push(format!("{}; rel=\"prev\"", url(page - 1)));
        }
        if page < last {
            links.push(format!("{}; rel=\"next\"", url(page + 1)));
            links.push(format!("{}; rel=\"last\"", url(last)));
        }
        if page > 1 {
            links.push(format!("{}; rel=\"first\"", url(1)));
        }
        if !links.is_empty() {
            reply = reply.header("link", links.join(", "));
        }
    }
    reply
}

fn request_id(state: &mut State) -> String {
    state.request_seq += 1;
    let x = state.salt ^ state.request_seq.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    format!(
        "{:04X}:{:04X}:{:06X}:{:07X}:{:08X}",
        (x >> 48) & 0xFFFF,
        (x >> 32) & 0xFFFF,
        (x >> 8) & 0xFF_FFFF,
        state.request_seq,
        x & 0xFFFF_FFFF
    )
}

fn authorize(state: &State, header: Option<&str>) -> Result<TokenGrant, Reply> {
    let doc = "https://docs.github.com/rest";
    let Some(h) = header else {
        return Err(Reply::error(401, "Requires authentication", doc));
    };
    let token = h
        .split_once(' ')
        .filter(|(scheme, _)| {
            scheme.eq_ignore_ascii_case("bearer") || scheme.eq_ignore_ascii_case("token")
        })
        .map(|(_, t)| t.trim());
    match token.and_then(|t| state.tokens.iter().find(|g| g.token == t)) {
        Some(g) => Ok(g.clone()),
        None => Err(Reply::error(401, "Bad credentials", doc)),
    }
}

fn into_response(r: Reply) -> Response {
    let mut b = Response::builder().status(r.status);
    if let Some(ct) = &r.content_type {
        b = b.header("content-type", ct);
    }
    for (k, v) in &r.headers {
        b = b.header(k.as_str(), v.as_str());
    }
    b.body(Body::from(r.body))
        .unwrap_or_else(|_| Response::new(Body::empty()))
}

fn dropped() -> Response {
    let mut r = Response::new(Body::empty());
    r.extensions_mut().insert(DropConnection);
    r
}

async fn handle(AxState(shared): AxState<Arc<Shared>>, req: Request) -> Response {
    let (parts, body) = req.into_parts();
    let bytes = axum::body::to_bytes(body, 32 << 20)
        .await
        .unwrap_or_default();
    let method = parts.method.as_str().to_owned();
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().map(str::to_owned);
    let auth = parts
        .headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .map(str::to_owned);
    let rel = repo_rel(&path);
    let json_body: Option<Value> = if bytes.is_empty() {
        None
    } else {
        serde_json::from_slice(&bytes).ok()
    };
    let mut entry = LoggedRequest {
        method: method.clone(),
        path: path.clone(),
        query: query.clone(),
        body: json_body.clone(),
        status: 0,
        fault: None,
        authenticated: false,
    };

    // an artifact's zip: an unauthenticated, signed-URL-like blob
    if method == "GET" && path.starts_with(crate::artifacts::BLOB_PREFIX) {
        let blob = crate::artifacts::blob(&shared.lock(), &path);
        entry.status = if blob.is_some() { 200 } else { 404 };
        shared.lock().log.push(entry);
        return match blob {
            Some(bytes) => Response::builder()
                .status(200)
                .header("content-type", "application/zip")
                .body(Body::from(bytes))
                .unwrap_or_else(|_| Response::new(Body::empty())),
            None => into_response(Reply::error(
                404,
                "BlobNotFound",
                "https://docs.github.com/rest/actions/artifacts",
            )),
        };
    }
    let fault = shared.lock().faults.pop(&method, &path, rel.as_deref());
    if let Some(f) = &fault {
        entry.fault = Some(f.label());
    }
    let after = match fault {
        Some(Fault::Delay(d)) => {
            tokio::time::sleep(d).await;
            None
        }
        Some(Fault::Hangup) => {
            shared.lock().log.push(entry);
            return dropped();
        }
        Some(Fault::Reply {
            status,
            content_type,
            body,
            headers,
        }) => {
            let mut s = shared.lock();
            let mut reply = Reply {
                status,
                content_type: Some(content_type),
                body,
                headers,
            };
            if !reply.has_header("x-github-request-id") {
                let id = request_id(&mut s);
                reply = reply.header("x-github-request-id", id);
            }
            entry.status = status;
            entry.authenticated = authorize(&s, auth.as_deref()).is_ok();
            s.log.push(entry);
            return into_response(reply);
        }
        other => other,
    };

    let mut s = shared.lock();
    let reply = if !bytes.is_empty() && json_body.is_none() {
        Reply::error(400, "Problems parsing JSON", "https://docs.github.com/rest")
    } else {
        match authorize(&s, auth.as_deref()) {
            Err(r) => r,
            Ok(token) => {
                entry.authenticated = true;
                let graphql = path == "/graphql";
                // `GET /rate_limit` is free, as on GitHub.
                let free = path == "/rate_limit";
                let limit = if graphql { &mut s.graphql } else { &mut s.core };
                if limit.remaining() == 0 && !free {
                    let reset = limit.reset;
                    Reply::error(
                        403,
                        "API rate limit exceeded for installation ID 41898282.",
                        "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-the-primary-rate-limit",
                    )
                    .header("x-ratelimit-reset", reset.to_string())
                } else {
                    if !free {
                        limit.used += 1;
                    }
                    if graphql {
                        if method == "POST" {
                            crate::graphql::handle(&mut s, &token, json_body.as_ref())
                        } else {
                            Reply::not_found("https://docs.github.com/graphql")
                        }
                    } else {
                        crate::rest::route(
                            &mut s,
                            &method,
                            &path,
                            query.as_deref(),
                            json_body,
                            token,
                        )
                    }
                }
            }
        }
    };
    let reply = finish(&mut s, reply, &path);
    entry.status = reply.status;
    match after {
        Some(Fault::LostReply) => {
            entry.status = 0;
            s.log.push(entry);
            dropped()
        }
        Some(Fault::AppliedThenBadGateway) => {
            entry.status = 502;
            s.log.push(entry);
            into_response(Reply {
                status: 502,
                content_type: Some("text/html".into()),
                body: "<html><body><h1>502 Bad Gateway</h1></body></html>\n".into(),
                headers: Vec::new(),
            })
        }
        _ => {
            s.log.push(entry);
            into_response(reply)
        }
    }
}

/// Adds the headers every API answer carries.
fn finish(s: &mut State, mut reply: Reply, path: &str) -> Reply {
    let graphql = path == "/graphql";
    let limit = if graphql { &s.graphql } else { &s.core };
    let (lim, rem, used, reset) = (limit.limit, limit.remaining(), limit.used, limit.reset);
    let id = request_id(s);
    for (k, v) in [
        ("x-ratelimit-limit", lim.to_string()),
        ("x-ratelimit-remaining", rem.to_string()),
        ("x-ratelimit-used", used.to_string()),
        ("x-ratelimit-reset", reset.to_string()),
        (
            "x-ratelimit-resource",
            if graphql { "graphql" } else { "core" }.to_owned(),
        ),
        ("x-github-api-version-selected", "2022-11-28".to_owned()),
        ("x-github-media-type", "github.v3; format=json".to_owned()),
        ("x-github-request-id", id),
    ] {
        if !reply.has_header(k) {
            reply = reply.header(k, v);
        }
    }
    reply
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_and_escapes() {
        assert_eq!(
            parse_query(Some("environment=qa%20eu&per_page=100&x")),
            vec![
                ("environment".to_owned(), "qa eu".to_owned()),
                ("per_page".to_owned(), "100".to_owned()),
                ("x".to_owned(), String::new()),
            ]
        );
        assert_eq!(decode("shop%2Fqa-1%"), "shop/qa-1%");
        assert_eq!(encode_segment("shop/qa 1"), "shop%2Fqa%201");
        assert_eq!(repo_rel("/repos/o/r/git/refs").as_deref(), Some("git/refs"));
        assert_eq!(
            repo_rel("/repositories/1/deployments").as_deref(),
            Some("deployments")
        );
        assert_eq!(repo_rel("/repos/o/r").as_deref(), Some(""));
        assert_eq!(repo_rel("/graphql"), None);
    }
}
