//! demo-service: a tiny HTTP/1.1 service that the pipeline workflows deploy
//! on the runner itself (`deploy.sh`), probe (`health-check`) and exercise
//! (`smoke-test` with `smoke.yml`).
//!
//! - `GET /health` → 200 `{"status":"ok","version":V}`; 503 while the start
//!   delay runs (`"starting"`) and always with `unhealthy` (a bad deploy).
//! - `GET /version` → `{"version":V,"commit":SHA}`.
//! - `POST /api/items` (JSON `{"name", "tags"}`) → 201 `{"id","name","tags"}`;
//!   `GET /api/items/{id}` → 200 or 404; `GET /api/items` lists them.
//!
//! One thread per connection (bounded), keep-alive per HTTP/1.1, and every
//! read bounded in size and time ([`Limits`]). Standard library only, plus
//! serde_json; the library never prints: access records go to a callback.

pub mod app;
pub mod http;

pub use app::{App, Settings};
pub use http::Limits;

use http::{ReadError, Request, Response};
use std::io::{self, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant, SystemTime};

/// One answered request, for the access log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Access {
    pub peer: SocketAddr,
    pub method: String,
    pub path: String,
    pub status: u16,
    pub bytes: usize,
    pub elapsed: Duration,
}

pub type AccessLog = Arc<dyn Fn(&Access) + Send + Sync>;

/// A bound listener, ready to serve.
pub struct Server {
    listener: TcpListener,
    app: Arc<App>,
    limits: Arc<Limits>,
    active: Arc<AtomicUsize>,
}

impl Server {
    /// Binds the address. The start delay counts from `started`.
    pub fn bind(
        addr: SocketAddr,
        settings: Settings,
        limits: Limits,
        started: Instant,
    ) -> io::Result<Self> {
        let listener = TcpListener::bind(addr)?;
        Ok(Self {
            listener,
            app: Arc::new(App::new(settings, started)),
            limits: Arc::new(limits),
            active: Arc::new(AtomicUsize::new(0)),
        })
    }

    pub fn local_addr(&self) -> io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    /// Accepts connections until the process ends; each gets its own thread.
    pub fn serve(self, log: AccessLog) -> io::Result<()> {
        for stream in self.listener.incoming() {
            let stream = match stream {
                Ok(s) => s,
                // A connection that died before accept (ECONNABORTED) or a
                // momentary fd shortage must not stop the service.
                Err(_) => {
                    std::thread::sleep(Duration::from_millis(5));
                    continue;
                }
            };
            let Ok(peer) = stream.peer_addr() else {
                continue;
            };
            if self.active.fetch_add(1, Ordering::SeqCst) >= self.limits.max_connections {
                self.active.fetch_sub(1, Ordering::SeqCst);
                refuse(stream, "too many connections; retry shortly");
                continue;
            }
            let guard = ActiveGuard(Arc::clone(&self.active));
            let app = Arc::clone(&self.app);
            let limits = Arc::clone(&self.limits);
            let log = Arc::clone(&log);
            let spawned = std::thread::Builder::new()
                .name(format!("conn-{peer}"))
                .stack_size(256 * 1024)
                .spawn(move || {
                    let _guard = guard;
                    let _ = serve_connection(stream, peer, &app, &limits, &*log);
                });
            if spawned.is_err() {
                // The guard moved into the closure was dropped with it.
                continue;
            }
        }
        Ok(())
    }
}

struct ActiveGuard(Arc<AtomicUsize>);

impl Drop for ActiveGuard {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

fn refuse(mut stream: TcpStream, message: &str) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let resp =
        Response::json(503, &serde_json::json!({"error": message})).with_header("Retry-After", "1");
    let _ = stream.write_all(&resp.to_bytes(false, false, SystemTime::now()));
    linger_close(stream);
}

fn serve_connection(
    stream: TcpStream,
    peer: SocketAddr,
    app: &App,
    limits: &Limits,
    log: &(dyn Fn(&Access) + Send + Sync),
) -> io::Result<()> {
    stream.set_read_timeout(Some(limits.idle_timeout))?;
    stream.set_write_timeout(Some(Duration::from_secs(10)))?;
    stream.set_nodelay(true)?;
    let mut writer = stream.try_clone()?;
    let mut reader = BufReader::with_capacity(8 * 1024, stream);
    for served in 1.. {
        let request = http::read_request(&mut reader, &mut writer, limits);
        let started = Instant::now();
        match request {
            Ok(req) => {
                let keep_alive = req.keep_alive() && served < limits.max_requests_per_connection;
                let resp = app.handle(&req);
                let head_only = req.method == "HEAD";
                let bytes = resp.to_bytes(keep_alive, head_only, SystemTime::now());
                writer.write_all(&bytes)?;
                log(&access(peer, &req, &resp, started));
                if !keep_alive {
                    writer.shutdown(Shutdown::Write)?;
                    return Ok(());
                }
            }
            Err(ReadError::Closed) | Err(ReadError::Io(_)) => return Ok(()),
            Err(ReadError::Bad { status, message }) => {
                let resp = app.handle_error(status, &message);
                let bytes = resp.to_bytes(false, false, SystemTime::now());
                let _ = writer.write_all(&bytes);
                log(&Access {
                    peer,
                    method: "-".into(),
                    path: "-".into(),
                    status,
                    bytes: resp.body.len(),
                    elapsed: started.elapsed(),
                });
                // What the client still sends (an oversized body) is
                // drained briefly, so closing does not reset the connection
                // before it reads the answer.
                linger_close(reader.into_inner());
                return Ok(());
            }
        }
    }
    Ok(())
}

fn access(peer: SocketAddr, req: &Request, resp: &Response, started: Instant) -> Access {
    Access {
        peer,
        method: req.method.clone(),
        path: req.path.clone(),
        status: resp.status,
        bytes: resp.body.len(),
        elapsed: started.elapsed(),
    }
}

fn linger_close(mut stream: TcpStream) {
    let _ = stream.shutdown(Shutdown::Write);
    let _ = stream.set_read_timeout(Some(Duration::from_millis(200)));
    let deadline = Instant::now() + Duration::from_secs(1);
    let mut sink = [0u8; 8192];
    let mut drained = 0usize;
    while Instant::now() < deadline && drained < 1024 * 1024 {
        match stream.read(&mut sink) {
            Ok(0) | Err(_) => break,
            Ok(n) => drained += n,
        }
    }
}

impl App {
    /// The JSON answer to a request that could not be read.
    pub fn handle_error(&self, status: u16, message: &str) -> Response {
        Response::json(status, &serde_json::json!({"error": message}))
            .with_header("X-Service", "demo-service")
            .with_header("X-Version", self.settings().version.clone())
    }
}
