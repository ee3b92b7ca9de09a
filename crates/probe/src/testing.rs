//! A scripted HTTP/1.1 server on 127.0.0.1 (plain or TLS) for tests: each
//! path answers from a script (a reply per hit, the last one repeating, or
//! a cycle), including the nasty cases a probe must survive — slow
//! headers, a body that trickles or never ends, redirect loops, huge
//! bodies, invalid UTF-8, connections closed without an answer.
//!
//! Only built with the `testing` feature. The server runs on its own thread
//! with its own runtime, so synchronous tests (running a binary) and async
//! tests can both use it. It stops when dropped.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// One answer.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A complete response with `Content-Length`.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
    /// Waits, then answers (slow headers).
    Delay(Duration, Box<Reply>),
    /// Headers at once, then a chunk every `every`, forever.
    Trickle {
        status: u16,
        chunk: Vec<u8>,
        every: Duration,
    },
    /// Headers at once, then an endless body as fast as the client reads.
    Endless { status: u16 },
    /// A redirect to `location`.
    Redirect { status: u16, location: String },
    /// Closes the connection without answering.
    Close,
}

impl Reply {
    /// `status` with a text body.
    pub fn text(status: u16, body: &str) -> Self {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "text/plain; charset=utf-8".into())],
            body: body.as_bytes().to_vec(),
        }
    }

    /// `status` with a JSON body.
    pub fn json(status: u16, body: serde_json::Value) -> Self {
        Reply::Full {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: body.to_string().into_bytes(),
        }
    }

    /// `status` with raw bytes.
    pub fn bytes(status: u16, body: impl Into<Vec<u8>>) -> Self {
        Reply::Full {
            status,
            headers: Vec::new(),
            body: body.into(),
        }
    }

    /// Adds a response header (to a `Full` reply).
    pub fn header(mut self, name: &str, value: &str) -> Self {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    pub fn delayed(self, by: Duration) -> Self {
        Reply::Delay(by, Box::new(self))
    }

    pub fn redirect(location: &str) -> Self {
        Reply::Redirect {
            status: 302,
            location: location.into(),
        }
    }
}

/// What a path answers, hit after hit.
#[derive(Debug, Clone)]
pub struct Script {
    replies: Vec<Reply>,
    cycle: bool,
}

impl Script {
    /// The same reply every time.
    pub fn always(reply: Reply) -> Self {
        Script {
            replies: vec![reply],
            cycle: false,
        }
    }

    /// These replies in order; the last one repeats.
    pub fn sequence(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        Script {
            replies,
            cycle: false,
        }
    }

    /// These replies in order, then again from the start.
    pub fn cycle(replies: Vec<Reply>) -> Self {
        assert!(!replies.is_empty());
        Script {
            replies,
            cycle: true,
        }
    }

    fn reply(&self, hit: usize) -> Reply {
        let i = if self.cycle {
            hit % self.replies.len()
        } else {
            hit.min(self.replies.len() - 1)
        };
        self.replies[i].clone()
    }
}

/// A request the server saw.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    /// The path with the query.
    pub target: String,
    /// Header names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

#[derive(Default)]
struct State {
    scripts: HashMap<String, Script>,
    hits: Mutex<HashMap<String, usize>>,
    requests: Mutex<Vec<Recorded>>,
}

/// A certificate authority and a server certificate for `localhost` and
/// `127.0.0.1`, made fresh for a test.
pub struct TestCa {
    /// The CA certificate (PEM), for `--ca-cert`.
    pub ca_pem: String,
    cert_der: Vec<u8>,
    key_der: Vec<u8>,
}

impl TestCa {
    pub fn new() -> Self {
        use rcgen::{
            BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose,
            IsCa, KeyPair, KeyUsagePurpose,
        };
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "shipgate test CA");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().unwrap()).unwrap();
        let mut leaf =
            CertificateParams::new(vec!["localhost".to_owned(), "127.0.0.1".to_owned()]).unwrap();
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        leaf.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        let leaf_key = KeyPair::generate().unwrap();
        let cert = leaf.signed_by(&leaf_key, &ca).unwrap();
        TestCa {
            ca_pem: ca.pem(),
            cert_der: cert.der().to_vec(),
            key_der: leaf_key.serialize_der(),
        }
    }

    fn server_config(&self) -> Arc<tokio_rustls::rustls::ServerConfig> {
        use tokio_rustls::rustls;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let cert = rustls::pki_types::CertificateDer::from(self.cert_der.clone());
        let key = rustls::pki_types::PrivateKeyDer::Pkcs8(
            rustls::pki_types::PrivatePkcs8KeyDer::from(self.key_der.clone()),
        );
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(vec![cert], key)
            .unwrap();
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Arc::new(config)
    }
}

impl Default for TestCa {
    fn default() -> Self {
        Self::new()
    }
}

/// The running server. Stops when dropped.
pub struct TestServer {
    addr: SocketAddr,
    state: Arc<State>,
    tls: bool,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    /// Serves `routes` (path → script) over plain HTTP on 127.0.0.1.
    pub fn start<P: Into<String>>(routes: impl IntoIterator<Item = (P, Script)>) -> Self {
        Self::spawn(routes, None)
    }

    /// The same over HTTPS, with a certificate issued by `ca`.
    pub fn start_tls<P: Into<String>>(
        routes: impl IntoIterator<Item = (P, Script)>,
        ca: &TestCa,
    ) -> Self {
        Self::spawn(routes, Some(ca.server_config()))
    }

    fn spawn<P: Into<String>>(
        routes: impl IntoIterator<Item = (P, Script)>,
        tls: Option<Arc<tokio_rustls::rustls::ServerConfig>>,
    ) -> Self {
        let state = Arc::new(State {
            scripts: routes.into_iter().map(|(p, s)| (p.into(), s)).collect(),
            ..State::default()
        });
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let is_tls = tls.is_some();
        let st = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let acceptor = tls.map(tokio_rustls::TlsAcceptor::from);
                let serve = async {
                    loop {
                        let Ok((stream, _)) = listener.accept().await else {
                            continue;
                        };
                        let st = st.clone();
                        let acceptor = acceptor.clone();
                        tokio::spawn(async move {
                            match acceptor {
                                Some(a) => {
                                    if let Ok(s) = a.accept(stream).await {
                                        serve_conn(s, st).await;
                                    }
                                }
                                None => serve_conn(stream, st).await,
                            }
                        });
                    }
                };
                tokio::select! {
                    _ = serve => {}
                    _ = stopped => {}
                }
            });
            // Dropping the runtime ends every endless body.
            rt.shutdown_timeout(Duration::from_millis(100));
        });
        TestServer {
            addr,
            state,
            tls: is_tls,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    pub fn port(&self) -> u16 {
        self.addr.port()
    }

    /// `http://127.0.0.1:PORT{path}` (https with TLS).
    pub fn url(&self, path: &str) -> String {
        let scheme = if self.tls { "https" } else { "http" };
        format!("{scheme}://{}{path}", self.addr)
    }

    /// How many requests a path got.
    pub fn hits(&self, path: &str) -> usize {
        self.state
            .hits
            .lock()
            .unwrap()
            .get(path)
            .copied()
            .unwrap_or(0)
    }

    /// Every request so far.
    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A port on 127.0.0.1 where nothing listens (bound, then released).
pub fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

async fn serve_conn<S: AsyncRead + AsyncWrite + Unpin>(mut stream: S, state: Arc<State>) {
    let Some(req) = read_request(&mut stream).await else {
        return;
    };
    let path = req.target.split('?').next().unwrap_or("").to_owned();
    let hit = {
        let mut hits = state.hits.lock().unwrap();
        let n = hits.entry(path.clone()).or_insert(0);
        *n += 1;
        *n - 1
    };
    state.requests.lock().unwrap().push(req);
    let reply = match state.scripts.get(&path) {
        Some(s) => s.reply(hit),
        None => Reply::text(404, "not found"),
    };
    let _ = answer(&mut stream, reply).await;
    let _ = stream.shutdown().await;
}

async fn read_request<S: AsyncRead + Unpin>(stream: &mut S) -> Option<Recorded> {
    let mut buf = Vec::new();
    let mut chunk = [0u8; 4096];
    let head_end = loop {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
        if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break i;
        }
        if buf.len() > 64 * 1024 {
            return None;
        }
    };
    let head = String::from_utf8_lossy(&buf[..head_end]).into_owned();
    let mut lines = head.split("\r\n");
    let mut first = lines.next()?.split(' ');
    let method = first.next()?.to_owned();
    let target = first.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .filter_map(|l| l.split_once(':'))
        .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect();
    let len: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .and_then(|(_, v)| v.parse().ok())
        .unwrap_or(0);
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < len {
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            break;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    Some(Recorded {
        method,
        target,
        headers,
        body,
    })
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Status",
    }
}

async fn answer<S: AsyncWrite + Unpin>(stream: &mut S, reply: Reply) -> std::io::Result<()> {
    let mut reply = reply;
    while let Reply::Delay(d, inner) = reply {
        tokio::time::sleep(d).await;
        reply = *inner;
    }
    match reply {
        Reply::Delay(..) => unreachable!(),
        Reply::Close => Ok(()),
        Reply::Full {
            status,
            headers,
            body,
        } => {
            let mut head = format!("HTTP/1.1 {status} {}\r\n", reason(status));
            for (n, v) in &headers {
                head.push_str(&format!("{n}: {v}\r\n"));
            }
            head.push_str(&format!(
                "content-length: {}\r\nconnection: close\r\n\r\n",
                body.len()
            ));
            stream.write_all(head.as_bytes()).await?;
            stream.write_all(&body).await?;
            stream.flush().await
        }
        Reply::Redirect { status, location } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n",
                reason(status)
            );
            stream.write_all(head.as_bytes()).await?;
            stream.flush().await
        }
        Reply::Trickle {
            status,
            chunk,
            every,
        } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
                reason(status)
            );
            stream.write_all(head.as_bytes()).await?;
            stream.flush().await?;
            loop {
                let framed =
                    [format!("{:x}\r\n", chunk.len()).as_bytes(), &chunk, b"\r\n"].concat();
                stream.write_all(&framed).await?;
                stream.flush().await?;
                tokio::time::sleep(every).await;
            }
        }
        Reply::Endless { status } => {
            let head = format!(
                "HTTP/1.1 {status} {}\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n",
                reason(status)
            );
            stream.write_all(head.as_bytes()).await?;
            let block = vec![b'x'; 64 * 1024];
            let framed = [format!("{:x}\r\n", block.len()).as_bytes(), &block, b"\r\n"].concat();
            loop {
                stream.write_all(&framed).await?;
            }
        }
    }
}
