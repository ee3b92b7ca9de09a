//! The service's routes: health, version, and a small in-memory item store.

use crate::http::{Request, Response};
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// What the service reports about itself and how it behaves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The version `/health` and `/version` report.
    pub version: String,
    /// The commit `/version` reports.
    pub commit: String,
    /// `/health` answers 503 until this much time has passed since start.
    pub start_delay: Duration,
    /// `/health` always answers 503 (a bad deploy).
    pub unhealthy: bool,
    /// Items kept before `POST /api/items` answers 507.
    pub max_items: usize,
}

impl Settings {
    pub fn new(version: impl Into<String>) -> Self {
        Self {
            version: version.into(),
            commit: "unknown".into(),
            start_delay: Duration::ZERO,
            unhealthy: false,
            max_items: 10_000,
        }
    }
}

const MAX_NAME_CHARS: usize = 200;
const MAX_TAGS: usize = 32;
const MAX_TAG_CHARS: usize = 64;

#[derive(Debug)]
struct Item {
    name: String,
    tags: Vec<String>,
}

/// The application state shared by every connection.
#[derive(Debug)]
pub struct App {
    settings: Settings,
    started: Instant,
    items: Mutex<Store>,
}

#[derive(Debug, Default)]
struct Store {
    next_id: u64,
    items: BTreeMap<u64, Item>,
}

impl App {
    pub fn new(settings: Settings, started: Instant) -> Self {
        Self {
            settings,
            started,
            items: Mutex::new(Store::default()),
        }
    }

    pub fn settings(&self) -> &Settings {
        &self.settings
    }

    /// Answers one request. Every response is JSON and carries
    /// `X-Service` and `X-Version`.
    pub fn handle(&self, req: &Request) -> Response {
        let response = self.route(req);
        response
            .with_header("Cache-Control", "no-store")
            .with_header("X-Service", "demo-service")
            .with_header("X-Version", self.settings.version.clone())
    }

    fn route(&self, req: &Request) -> Response {
        let method = req.method.as_str();
        let read = method == "GET" || method == "HEAD";
        match req.path.as_str() {
            "/health" if read => self.health(),
            "/version" if read => Response::json(
                200,
                &json!({"version": self.settings.version, "commit": self.settings.commit}),
            ),
            "/health" | "/version" => not_allowed("GET, HEAD"),
            "/api/items" if read => self.list(),
            "/api/items" if method == "POST" => self.create(req),
            "/api/items" => not_allowed("GET, HEAD, POST"),
            path => match path.strip_prefix("/api/items/") {
                Some(id) if read => self.get(id),
                Some(_) => not_allowed("GET, HEAD"),
                None => error(404, format!("no route for {path}")),
            },
        }
    }

    fn health(&self) -> Response {
        let version = &self.settings.version;
        if self.settings.unhealthy {
            return Response::json(503, &json!({"status": "unhealthy", "version": version}));
        }
        let up = self.started.elapsed();
        if up < self.settings.start_delay {
            let left = self.settings.start_delay - up;
            return Response::json(
                503,
                &json!({"status": "starting", "version": version, "ready_in_ms": left.as_millis() as u64}),
            )
            .with_header("Retry-After", left.as_secs().max(1).to_string());
        }
        Response::json(200, &json!({"status": "ok", "version": version}))
    }

    fn list(&self) -> Response {
        let store = self.store();
        let items: Vec<Value> = store
            .items
            .iter()
            .map(|(id, item)| item_json(*id, item))
            .collect();
        Response::json(200, &json!({"items": items}))
    }

    fn get(&self, id: &str) -> Response {
        let found = parse_id(id).and_then(|n| {
            let store = self.store();
            store.items.get(&n).map(|item| item_json(n, item))
        });
        match found {
            Some(item) => Response::json(200, &item),
            None => error(404, format!("no item with id {id:?}")),
        }
    }

    fn create(&self, req: &Request) -> Response {
        if let Some(ct) = req.header("content-type") {
            let mime = ct.split(';').next().unwrap_or_default().trim();
            let json_like = mime.eq_ignore_ascii_case("application/json")
                || mime.to_ascii_lowercase().ends_with("+json");
            if !json_like {
                return error(
                    415,
                    format!("expected Content-Type: application/json, got {mime:?}"),
                );
            }
        }
        let body: Value = match serde_json::from_slice(&req.body) {
            Ok(v) => v,
            Err(e) => return error(400, format!("the body is not valid JSON: {e}")),
        };
        let item = match validate_item(body) {
            Ok(item) => item,
            Err(message) => return error(422, message),
        };
        let mut store = self.store();
        if store.items.len() >= self.settings.max_items {
            return error(
                507,
                format!("the store is full ({} items)", self.settings.max_items),
            );
        }
        store.next_id += 1;
        let id = store.next_id;
        let json = item_json(id, &item);
        store.items.insert(id, item);
        Response::json(201, &json).with_header("Location", format!("/api/items/{id}"))
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        // A panic while holding the lock cannot leave the map half-written.
        self.items.lock().unwrap_or_else(|p| p.into_inner())
    }
}

fn parse_id(id: &str) -> Option<u64> {
    if id.is_empty() || !id.bytes().all(|b| b.is_ascii_digit()) || id.starts_with('0') {
        return None;
    }
    id.parse().ok()
}

fn item_json(id: u64, item: &Item) -> Value {
    json!({"id": id.to_string(), "name": item.name, "tags": item.tags})
}

fn validate_item(body: Value) -> Result<Item, String> {
    let Value::Object(mut fields) = body else {
        return Err(r#"expected a JSON object such as {"name": "widget", "tags": ["a"]}"#.into());
    };
    let name = match fields.remove("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.trim().to_owned(),
        Some(Value::String(_)) => return Err("`name` must not be empty".into()),
        Some(other) => return Err(format!("`name` must be a string, got {other}")),
        None => return Err("`name` is required".into()),
    };
    if name.chars().count() > MAX_NAME_CHARS {
        return Err(format!("`name` is longer than {MAX_NAME_CHARS} characters"));
    }
    let tags = match fields.remove("tags") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(values)) => {
            if values.len() > MAX_TAGS {
                return Err(format!("at most {MAX_TAGS} tags are accepted"));
            }
            let mut tags = Vec::with_capacity(values.len());
            for v in values {
                match v {
                    Value::String(s) if s.chars().count() <= MAX_TAG_CHARS => tags.push(s),
                    Value::String(_) => {
                        return Err(format!("a tag is longer than {MAX_TAG_CHARS} characters"));
                    }
                    other => return Err(format!("every tag must be a string, got {other}")),
                }
            }
            tags
        }
        Some(other) => return Err(format!("`tags` must be an array of strings, got {other}")),
    };
    if let Some(unknown) = fields.keys().next() {
        return Err(format!(
            "unknown field `{unknown}`: an item has only `name` and `tags`"
        ));
    }
    Ok(Item { name, tags })
}

fn not_allowed(allow: &str) -> Response {
    error(405, format!("method not allowed; use {allow}")).with_header("Allow", allow)
}

fn error(status: u16, message: String) -> Response {
    Response::json(status, &json!({"error": message}))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::http::Version;

    fn req(method: &str, path: &str, body: &str) -> Request {
        Request {
            method: method.into(),
            path: path.into(),
            query: None,
            version: Version::Http11,
            headers: vec![("Host".into(), "x".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    fn body(r: &Response) -> Value {
        serde_json::from_slice(&r.body).unwrap()
    }

    #[test]
    fn health_and_version() {
        let mut s = Settings::new("1.2.3");
        s.commit = "abc".into();
        let app = App::new(s, Instant::now());
        let h = app.handle(&req("GET", "/health", ""));
        assert_eq!(h.status, 200);
        assert_eq!(body(&h), json!({"status": "ok", "version": "1.2.3"}));
        assert_eq!(h.header("x-version"), Some("1.2.3"));
        let v = app.handle(&req("GET", "/version", ""));
        assert_eq!(body(&v), json!({"version": "1.2.3", "commit": "abc"}));
    }

    #[test]
    fn start_delay_then_ready() {
        let mut s = Settings::new("v");
        s.start_delay = Duration::from_secs(60);
        let app = App::new(s.clone(), Instant::now());
        let h = app.handle(&req("GET", "/health", ""));
        assert_eq!(h.status, 503);
        assert_eq!(body(&h)["status"], "starting");
        assert!(h.header("retry-after").is_some());
        let earlier = Instant::now().checked_sub(Duration::from_secs(61)).unwrap();
        let app = App::new(s, earlier);
        assert_eq!(app.handle(&req("GET", "/health", "")).status, 200);
    }

    #[test]
    fn unhealthy_is_always_503() {
        let mut s = Settings::new("v");
        s.unhealthy = true;
        let app = App::new(s, Instant::now());
        let h = app.handle(&req("GET", "/health", ""));
        assert_eq!(h.status, 503);
        assert_eq!(body(&h), json!({"status": "unhealthy", "version": "v"}));
    }

    #[test]
    fn items_round_trip() {
        let app = App::new(Settings::new("v"), Instant::now());
        let c = app.handle(&req(
            "POST",
            "/api/items",
            r#"{"name":" widget ","tags":["a","b"]}"#,
        ));
        assert_eq!(c.status, 201);
        assert_eq!(
            body(&c),
            json!({"id": "1", "name": "widget", "tags": ["a", "b"]})
        );
        assert_eq!(c.header("location"), Some("/api/items/1"));
        let g = app.handle(&req("GET", "/api/items/1", ""));
        assert_eq!(body(&g), body(&c));
        assert_eq!(app.handle(&req("GET", "/api/items/2", "")).status, 404);
        assert_eq!(app.handle(&req("GET", "/api/items/01", "")).status, 404);
        let c2 = app.handle(&req("POST", "/api/items", r#"{"name":"x"}"#));
        assert_eq!(body(&c2)["id"], "2");
        assert_eq!(body(&c2)["tags"], json!([]));
        let list = app.handle(&req("GET", "/api/items", ""));
        assert_eq!(body(&list)["items"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn invalid_items_are_refused_with_a_reason() {
        let app = App::new(Settings::new("v"), Instant::now());
        for (payload, status, needle) in [
            ("{", 400, "not valid JSON"),
            ("[]", 422, "JSON object"),
            ("{}", 422, "`name` is required"),
            (r#"{"name":""}"#, 422, "must not be empty"),
            (r#"{"name":3}"#, 422, "must be a string"),
            (r#"{"name":"a","tags":"x"}"#, 422, "array of strings"),
            (r#"{"name":"a","tags":[1]}"#, 422, "every tag"),
            (
                r#"{"name":"a","colour":"red"}"#,
                422,
                "unknown field `colour`",
            ),
        ] {
            let r = app.handle(&req("POST", "/api/items", payload));
            assert_eq!(r.status, status, "{payload}");
            let msg = body(&r)["error"].as_str().unwrap().to_owned();
            assert!(msg.contains(needle), "{payload}: {msg}");
        }
    }

    #[test]
    fn store_is_bounded() {
        let mut s = Settings::new("v");
        s.max_items = 1;
        let app = App::new(s, Instant::now());
        assert_eq!(
            app.handle(&req("POST", "/api/items", r#"{"name":"a"}"#))
                .status,
            201
        );
        assert_eq!(
            app.handle(&req("POST", "/api/items", r#"{"name":"b"}"#))
                .status,
            507
        );
    }

    #[test]
    fn methods_and_unknown_paths() {
        let app = App::new(Settings::new("v"), Instant::now());
        let r = app.handle(&req("DELETE", "/health", ""));
        assert_eq!(r.status, 405);
        assert_eq!(r.header("allow"), Some("GET, HEAD"));
        assert_eq!(
            app.handle(&req("PUT", "/api/items", "")).header("allow"),
            Some("GET, HEAD, POST")
        );
        assert_eq!(app.handle(&req("GET", "/nope", "")).status, 404);
        let mut wrong_type = req("POST", "/api/items", r#"{"name":"a"}"#);
        wrong_type
            .headers
            .push(("Content-Type".into(), "text/plain".into()));
        assert_eq!(app.handle(&wrong_type).status, 415);
        let mut charset = req("POST", "/api/items", r#"{"name":"a"}"#);
        charset.headers.push((
            "Content-Type".into(),
            "application/json; charset=utf-8".into(),
        ));
        assert_eq!(app.handle(&charset).status, 201);
    }
}
