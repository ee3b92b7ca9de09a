//! A small stateful HTTP service on 127.0.0.1 for the tests: a JSON items
//! API (captures), a version endpoint, slow, failing, flaky and echoing
//! endpoints, and a log of what it was asked, in order.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::{Value, json};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

#[derive(Default)]
pub struct Shared {
    next_id: u64,
    items: HashMap<u64, Value>,
    /// `METHOD /path` of every request, in arrival order.
    pub log: Vec<String>,
    in_flight: usize,
    pub max_in_flight: usize,
    flaky: HashMap<String, u32>,
}

type St = Arc<Mutex<Shared>>;

pub struct Server {
    pub url: String,
    state: St,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    pub fn start() -> Server {
        let state: St = Arc::default();
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .unwrap();
        let listener = rt
            .block_on(tokio::net::TcpListener::bind("127.0.0.1:0"))
            .unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let (tx, rx) = tokio::sync::oneshot::channel::<()>();
        let app = router(state.clone());
        let thread = std::thread::spawn(move || {
            rt.block_on(async move {
                axum::serve(listener, app)
                    .with_graceful_shutdown(async {
                        let _ = rx.await;
                    })
                    .await
                    .unwrap();
            });
        });
        Server {
            url,
            state,
            stop: Some(tx),
            thread: Some(thread),
        }
    }

    pub fn log(&self) -> Vec<String> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn max_in_flight(&self) -> usize {
        self.state.lock().unwrap().max_in_flight
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn router(state: St) -> Router {
    Router::new()
        .route("/api/version", get(version))
        .route("/api/items", post(create_item))
        .route("/api/items/{id}", get(read_item))
        .route("/slow", get(slow))
        .route("/fail", get(fail))
        .route("/flaky", get(flaky))
        .route("/echo", get(echo).post(echo))
        .route("/inject", get(inject))
        .route("/redirect", get(redirect))
        .route("/text", get(text))
        .layer(axum::middleware::from_fn_with_state(state.clone(), track))
        .with_state(state)
}

async fn track(
    State(st): State<St>,
    req: axum::extract::Request,
    next: axum::middleware::Next,
) -> Response {
    {
        let mut s = st.lock().unwrap();
        let path = req
            .uri()
            .path_and_query()
            .map_or("", |p| p.as_str())
            .to_owned();
        s.log.push(format!("{} {path}", req.method()));
        s.in_flight += 1;
        s.max_in_flight = s.max_in_flight.max(s.in_flight);
    }
    let resp = next.run(req).await;
    st.lock().unwrap().in_flight -= 1;
    resp
}

async fn version() -> Response {
    (
        [("x-service", "shop")],
        Json(json!({"version": "1.2.3", "service": "shop"})),
    )
        .into_response()
}

async fn create_item(State(st): State<St>, Json(body): Json<Value>) -> Response {
    let mut s = st.lock().unwrap();
    s.next_id += 1;
    let id = s.next_id;
    let mut item = body;
    item["id"] = json!(id);
    s.items.insert(id, item.clone());
    (
        StatusCode::CREATED,
        [("location", format!("/api/items/{id}"))],
        Json(item),
    )
        .into_response()
}

async fn read_item(State(st): State<St>, Path(id): Path<u64>) -> Response {
    match st.lock().unwrap().items.get(&id) {
        Some(item) => Json(item.clone()).into_response(),
        None => (
            StatusCode::NOT_FOUND,
            Json(json!({"error": "no such item"})),
        )
            .into_response(),
    }
}

async fn slow(Query(q): Query<HashMap<String, String>>) -> Response {
    let ms: u64 = q.get("ms").and_then(|m| m.parse().ok()).unwrap_or(500);
    tokio::time::sleep(Duration::from_millis(ms)).await;
    Json(json!({"slept_ms": ms})).into_response()
}

async fn fail() -> Response {
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        Json(json!({"error": "boom"})),
    )
        .into_response()
}

/// Answers 503 the first `n` times for a `key`, then 200.
async fn flaky(State(st): State<St>, Query(q): Query<HashMap<String, String>>) -> Response {
    let key = q.get("key").cloned().unwrap_or_default();
    let n: u32 = q.get("n").and_then(|m| m.parse().ok()).unwrap_or(1);
    let mut s = st.lock().unwrap();
    let seen = s.flaky.entry(key).or_insert(0);
    *seen += 1;
    if *seen <= n {
        (StatusCode::SERVICE_UNAVAILABLE, "warming up").into_response()
    } else {
        Json(json!({"ok": true, "attempt": *seen})).into_response()
    }
}

/// The request's headers (and body) back as JSON: a server that echoes
/// secrets.
async fn echo(headers: HeaderMap, body: String) -> Response {
    let h: serde_json::Map<String, Value> = headers
        .iter()
        .map(|(k, v)| {
            (
                k.as_str().to_owned(),
                Value::String(String::from_utf8_lossy(v.as_bytes()).into_owned()),
            )
        })
        .collect();
    Json(json!({"headers": h, "body": body})).into_response()
}

/// Values that are shell code: they must only ever be data.
async fn inject(Query(q): Query<HashMap<String, String>>) -> Response {
    let path = q.get("path").cloned().unwrap_or_default();
    Json(json!({
        "subst": format!("$(touch {path})"),
        "backtick": format!("`touch {path}`"),
        "semi": format!("x; touch {path}"),
        "rm": "$(rm -rf ~)",
    }))
    .into_response()
}

async fn redirect() -> Response {
    (StatusCode::FOUND, [("location", "/api/version")]).into_response()
}

async fn text(Query(q): Query<HashMap<String, String>>) -> Response {
    q.get("body").cloned().unwrap_or_default().into_response()
}
