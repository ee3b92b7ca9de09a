//! Real registries for tests: Debian's `docker-registry` (CNCF distribution
//! 2.8) on 127.0.0.1 with a generated config, storage in a temp folder and
//! deletes enabled; htpasswd or token auth (a local token endpoint signing
//! ES256 tokens whose `x5c` certificate is the registry's root bundle); a
//! proxy in front that counts requests and fails the next N on demand.
//!
//! [`registry_binary`] fails the test when the binary is missing and
//! `CI=true`, and skips loudly otherwise, so `cargo test` passes on a
//! machine without it. (Test support reads the environment; the engine
//! never does.)

use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU32, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine as _;

use crate::{CredentialSource, Credentials, Digest, ImageRef, Options, Registry, Secret};

/// The username every test registry accepts.
pub const USER: &str = "shipgate";
/// Its password.
pub const PASSWORD: &str = "correct-horse";

/// The `docker-registry` binary, or `None` (skip) when it is missing and
/// `CI` is not `true`. Panics with the fix when `CI=true` and it is missing.
#[allow(clippy::print_stderr)] // a skipped test says so on the test's stderr
pub fn registry_binary() -> Option<PathBuf> {
    let bin = std::env::var_os("SHIPGATE_DOCKER_REGISTRY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("docker-registry"));
    let found = Command::new(&bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if found {
        return Some(bin);
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!(
            "`{}` is not installed, and CI=true requires the registry tests to run: \
             apt-get install docker-registry (CNCF distribution 2.8), as .ci/run does",
            bin.display()
        );
    }
    eprintln!(
        "SKIPPED: `{}` is not installed (apt-get install docker-registry); \
         the registry tests did not run. With CI=true this fails instead.",
        bin.display()
    );
    None
}

/// How a test registry authenticates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TestAuth {
    /// htpasswd (basic auth), [`USER`]/[`PASSWORD`].
    Htpasswd,
    /// Bearer tokens from a local token endpoint that takes [`USER`]/[`PASSWORD`].
    Token,
}

/// A running `docker-registry`; killed on drop (unless [`TestRegistry::detach`]ed).
pub struct TestRegistry {
    child: Child,
    /// Its config, log and storage.
    dir: PathBuf,
    _temp: Option<tempfile::TempDir>,
    /// `127.0.0.1:PORT`.
    pub host: String,
    /// The token endpoint, with [`TestAuth::Token`].
    pub token_server: Option<TokenServer>,
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

impl TestRegistry {
    /// Starts one (waits until it answers), or `None` when the binary is
    /// missing outside CI.
    pub fn start(auth: TestAuth) -> Option<TestRegistry> {
        let bin = registry_binary()?;
        let temp = tempfile::tempdir().unwrap();
        let dir = temp.path().to_path_buf();
        Some(Self::spawn(&bin, auth, dir, Some(temp), false))
    }

    /// Starts `bin` with htpasswd auth, its config, log (`registry.log`,
    /// with one access-log line per request) and storage in `dir`, which
    /// it creates; for a script that then [`TestRegistry::detach`]es it.
    pub fn start_in(bin: &Path, dir: &Path) -> TestRegistry {
        std::fs::create_dir_all(dir).unwrap();
        Self::spawn(bin, TestAuth::Htpasswd, dir.to_path_buf(), None, true)
    }

    fn spawn(
        bin: &Path,
        auth: TestAuth,
        dir: PathBuf,
        temp: Option<tempfile::TempDir>,
        access_log: bool,
    ) -> TestRegistry {
        let port = free_port();
        let host = format!("127.0.0.1:{port}");
        let (auth_yaml, token_server) = match auth {
            TestAuth::Htpasswd => {
                let hash = bcrypt::hash(PASSWORD, 4).unwrap();
                let path = dir.join("htpasswd");
                std::fs::write(&path, format!("{USER}:{hash}\n")).unwrap();
                (
                    format!(
                        "  htpasswd:\n    realm: shipgate-test\n    path: {}\n",
                        path.display()
                    ),
                    None,
                )
            }
            TestAuth::Token => {
                let server = TokenServer::start();
                let bundle = dir.join("token-root.pem");
                std::fs::write(&bundle, &server.cert_pem).unwrap();
                let yaml = format!(
                    "  token:\n    realm: http://{}/token\n    service: {SERVICE}\n    issuer: {ISSUER}\n    rootcertbundle: {}\n",
                    server.addr,
                    bundle.display()
                );
                (yaml, Some(server))
            }
        };
        let config = format!(
            "version: 0.1\nlog:\n  level: error\n  accesslog:\n    disabled: {}\n\
             storage:\n  filesystem:\n    rootdirectory: {}\n  delete:\n    enabled: true\n\
             http:\n  addr: {host}\n  secret: shipgate-test-secret\nauth:\n{auth_yaml}",
            !access_log,
            dir.join("data").display()
        );
        let config_path = dir.join("config.yml");
        std::fs::write(&config_path, config).unwrap();
        let log = std::fs::File::create(dir.join("registry.log")).unwrap();
        let child = Command::new(bin)
            .arg("serve")
            .arg(&config_path)
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("starting docker-registry");
        let mut registry = TestRegistry {
            child,
            dir,
            _temp: temp,
            host,
            token_server,
        };
        registry.wait_ready();
        registry
    }

    /// Leaves the registry running after this value is gone; returns its
    /// process id (the caller stops it). Its folder stays too.
    pub fn detach(self) -> u32 {
        let pid = self.child.id();
        let mut this = std::mem::ManuallyDrop::new(self);
        // the folder is the caller's from now on
        if let Some(temp) = this._temp.take() {
            let _ = temp.keep();
        }
        pid
    }

    fn wait_ready(&mut self) {
        let started = Instant::now();
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("docker-registry exited ({status}): {}", self.log());
            }
            if TcpStream::connect(&self.host).is_ok() {
                return;
            }
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "docker-registry did not listen on {} within 20 s: {}",
                self.host,
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    /// The registry's own log.
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("registry.log")).unwrap_or_default()
    }

    /// `127.0.0.1:PORT/REPO:TAG` (or any suffix) parsed.
    pub fn image(&self, rest: &str) -> ImageRef {
        format!("{}/{rest}", self.host).parse().unwrap()
    }

    /// Credentials the registry accepts.
    pub fn credentials() -> Credentials {
        Credentials::basic(USER, Secret::new(PASSWORD), CredentialSource::Flags)
    }

    /// A client with good credentials and short retries.
    pub fn client(&self) -> Registry {
        client_for(&self.host, Self::credentials())
    }

    /// Deletes a manifest by digest (a retention policy's doing), with
    /// basic auth: [`TestAuth::Htpasswd`] registries only.
    pub fn delete_manifest(&self, repository: &str, digest: &Digest) {
        let url = format!("http://{}/v2/{repository}/manifests/{digest}", self.host);
        delete_with_reqwest(&url);
    }
}

fn delete_with_reqwest(url: &str) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let status = rt.block_on(async {
        reqwest::Client::new()
            .delete(url)
            .basic_auth(USER, Some(PASSWORD))
            .send()
            .await
            .unwrap()
            .status()
    });
    assert_eq!(status.as_u16(), 202, "DELETE {url}");
}

impl Drop for TestRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A client for `host` with short timeouts and retries (tests stay fast).
pub fn client_for(host: &str, creds: Credentials) -> Registry {
    Registry::new(
        host,
        creds,
        false,
        Options {
            timeout: Duration::from_secs(10),
            attempts: 3,
            backoff: Duration::from_millis(50),
        },
    )
    .unwrap()
}

const SERVICE: &str = "shipgate-test-registry";
const ISSUER: &str = "shipgate-test-issuer";

/// The token endpoint of a [`TestAuth::Token`] registry.
pub struct TokenServer {
    /// `127.0.0.1:PORT`.
    pub addr: SocketAddr,
    cert_pem: String,
    issued: Arc<AtomicUsize>,
    _thread: std::thread::JoinHandle<()>,
}

struct Signer {
    key: ring::signature::EcdsaKeyPair,
    cert_der: Vec<u8>,
    issued: Arc<AtomicUsize>,
}

#[derive(serde::Deserialize)]
struct TokenQuery {
    #[serde(default)]
    scope: Option<String>,
    #[serde(default)]
    service: Option<String>,
}

impl TokenServer {
    fn start() -> TokenServer {
        let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P256_SHA256).unwrap();
        let cert = rcgen::CertificateParams::new(vec!["shipgate-token-issuer".to_owned()])
            .unwrap()
            .self_signed(&key)
            .unwrap();
        let rng = ring::rand::SystemRandom::new();
        let signing = ring::signature::EcdsaKeyPair::from_pkcs8(
            &ring::signature::ECDSA_P256_SHA256_FIXED_SIGNING,
            &key.serialize_der(),
            &rng,
        )
        .unwrap();
        let issued = Arc::new(AtomicUsize::new(0));
        let signer = Arc::new(Signer {
            key: signing,
            cert_der: cert.der().to_vec(),
            issued: issued.clone(),
        });
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        let addr = listener.local_addr().unwrap();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new()
                    .route("/token", axum::routing::get(token))
                    .with_state(signer);
                axum::serve(listener, app).await.unwrap();
            });
        });
        TokenServer {
            addr,
            cert_pem: cert.pem(),
            issued,
            _thread: thread,
        }
    }

    /// Tokens issued so far.
    pub fn issued(&self) -> usize {
        self.issued.load(Ordering::SeqCst)
    }
}

async fn token(
    State(signer): State<Arc<Signer>>,
    Query(q): Query<TokenQuery>,
    headers: HeaderMap,
) -> Response {
    let given = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Basic "))
        .and_then(|b| base64::engine::general_purpose::STANDARD.decode(b).ok())
        .and_then(|b| String::from_utf8(b).ok());
    let subject = match given.as_deref() {
        Some(up) if up == format!("{USER}:{PASSWORD}") => USER,
        None => "",
        Some(_) => {
            return (
                StatusCode::UNAUTHORIZED,
                r#"{"details":"incorrect username or password"}"#,
            )
                .into_response();
        }
    };
    // a user gets what a scope asks for; anonymous gets nothing
    let access: Vec<serde_json::Value> = match (&q.scope, subject) {
        (Some(scope), USER) => scope
            .split(' ')
            .filter_map(|s| {
                let mut parts = s.splitn(3, ':');
                let (kind, name, actions) = (parts.next()?, parts.next()?, parts.next()?);
                Some(serde_json::json!({
                    "type": kind, "name": name,
                    "actions": actions.split(',').collect::<Vec<_>>(),
                }))
            })
            .collect(),
        _ => Vec::new(),
    };
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap()
        .as_secs();
    let jti = signer.issued.fetch_add(1, Ordering::SeqCst);
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let header = serde_json::json!({
        "typ": "JWT", "alg": "ES256",
        "x5c": [base64::engine::general_purpose::STANDARD.encode(&signer.cert_der)],
    });
    let claims = serde_json::json!({
        "iss": ISSUER, "sub": subject, "aud": q.service.as_deref().unwrap_or(SERVICE),
        "exp": now + 300, "nbf": now - 10, "iat": now, "jti": format!("t{jti}"),
        "access": access,
    });
    // hand-signed: ring is already here, and a JWT crate would bring a
    // second crypto stack for one ES256 signature
    let signing_input = format!(
        "{}.{}",
        b64(header.to_string().as_bytes()),
        b64(claims.to_string().as_bytes())
    );
    let sig = signer
        .key
        .sign(&ring::rand::SystemRandom::new(), signing_input.as_bytes())
        .unwrap();
    let jwt = format!("{signing_input}.{}", b64(sig.as_ref()));
    axum::Json(serde_json::json!({"token": jwt, "expires_in": 300})).into_response()
}

/// A proxy in front of a registry: counts requests (`METHOD /path`) and
/// answers the next N with a status instead of forwarding them.
pub struct FaultProxy {
    /// `127.0.0.1:PORT`.
    pub host: String,
    state: Arc<ProxyState>,
    _thread: std::thread::JoinHandle<()>,
}

struct ProxyState {
    upstream: String,
    fail_next: AtomicU32,
    fail_status: AtomicU32,
    log: Mutex<Vec<String>>,
    client: reqwest::Client,
}

impl FaultProxy {
    /// Starts one in front of `upstream` (`127.0.0.1:PORT`).
    pub fn start(upstream: &str) -> FaultProxy {
        Self::start_on("127.0.0.1", upstream)
    }

    /// [`FaultProxy::start`], listening on `ip` (another loopback address
    /// such as 127.0.0.2: a host that is not "local" by name).
    pub fn start_on(ip: &str, upstream: &str) -> FaultProxy {
        let listener = TcpListener::bind((ip, 0)).unwrap();
        listener.set_nonblocking(true).unwrap();
        let host = listener.local_addr().unwrap().to_string();
        let state = Arc::new(ProxyState {
            upstream: upstream.to_owned(),
            fail_next: AtomicU32::new(0),
            fail_status: AtomicU32::new(503),
            log: Mutex::new(Vec::new()),
            client: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
        });
        let shared = state.clone();
        let thread = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async move {
                let listener = tokio::net::TcpListener::from_std(listener).unwrap();
                let app = axum::Router::new().fallback(forward).with_state(shared);
                axum::serve(listener, app).await.unwrap();
            });
        });
        FaultProxy {
            host,
            state,
            _thread: thread,
        }
    }

    /// The next `n` requests get `status` instead of the registry's answer.
    pub fn fail_next(&self, n: u32, status: u16) {
        self.state
            .fail_status
            .store(u32::from(status), Ordering::SeqCst);
        self.state.fail_next.store(n, Ordering::SeqCst);
    }

    /// The requests seen so far, `METHOD /path`, and forgets them.
    pub fn take_requests(&self) -> Vec<String> {
        std::mem::take(&mut *self.state.log.lock().unwrap())
    }
}

async fn forward(State(state): State<Arc<ProxyState>>, req: axum::extract::Request) -> Response {
    let (parts, body) = req.into_parts();
    let path = parts
        .uri
        .path_and_query()
        .map(|p| p.as_str())
        .unwrap_or("/")
        .to_owned();
    state
        .log
        .lock()
        .unwrap()
        .push(format!("{} {}", parts.method, parts.uri.path()));
    let failing = state
        .fail_next
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
        .is_ok();
    if failing {
        let status = state.fail_status.load(Ordering::SeqCst) as u16;
        return (StatusCode::from_u16(status).unwrap(), "injected failure").into_response();
    }
    let body = axum::body::to_bytes(body, usize::MAX).await.unwrap();
    let mut headers = parts.headers.clone();
    headers.remove("connection");
    let sent = state
        .client
        .request(parts.method, format!("http://{}{path}", state.upstream))
        .headers(headers)
        .body(body)
        .send()
        .await;
    match sent {
        Ok(resp) => {
            let status = resp.status();
            let mut headers = resp.headers().clone();
            headers.remove("transfer-encoding");
            headers.remove("connection");
            let bytes = resp.bytes().await.unwrap_or_default();
            let mut out = Response::new(axum::body::Body::from(bytes));
            *out.status_mut() = status;
            *out.headers_mut() = headers;
            out
        }
        Err(e) => (StatusCode::BAD_GATEWAY, e.to_string()).into_response(),
    }
}

/// Pushes a small single-platform OCI image (one config, one layer; `seed`
/// makes it unique) to `image`'s tag and returns its manifest digest.
pub fn push_image(registry: &Registry, image: &ImageRef, seed: &str) -> Digest {
    let (bytes, media) = image_manifest(registry, image, seed, "amd64");
    registry.put_manifest(image, &bytes, media).unwrap();
    crate::client::sha256(&bytes).parse().unwrap()
}

fn image_manifest(
    registry: &Registry,
    image: &ImageRef,
    seed: &str,
    arch: &str,
) -> (Vec<u8>, &'static str) {
    let config = serde_json::json!({
        "architecture": arch, "os": "linux",
        "config": {"Labels": {"seed": seed}},
        "rootfs": {"type": "layers", "diff_ids": []},
    })
    .to_string();
    let layer = format!("layer of {seed} for {arch}\n");
    let config_digest = registry.push_blob(image, config.as_bytes()).unwrap();
    let layer_digest = registry.push_blob(image, layer.as_bytes()).unwrap();
    let manifest = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": oci_client::manifest::OCI_IMAGE_MEDIA_TYPE,
        "config": {"mediaType": oci_client::manifest::IMAGE_CONFIG_MEDIA_TYPE,
                   "digest": config_digest.as_str(), "size": config.len()},
        "layers": [{"mediaType": oci_client::manifest::IMAGE_LAYER_MEDIA_TYPE,
                    "digest": layer_digest.as_str(), "size": layer.len()}],
    });
    (
        manifest.to_string().into_bytes(),
        oci_client::manifest::OCI_IMAGE_MEDIA_TYPE,
    )
}

/// Pushes a two-platform index (linux/amd64, linux/arm64) to `image`'s tag;
/// returns the index digest.
pub fn push_index(registry: &Registry, image: &ImageRef, seed: &str) -> Digest {
    let mut entries = Vec::new();
    for arch in ["amd64", "arm64"] {
        let (bytes, media) = image_manifest(registry, image, seed, arch);
        let digest: Digest = crate::client::sha256(&bytes).parse().unwrap();
        registry
            .put_manifest(&image.at_digest(&digest), &bytes, media)
            .unwrap();
        entries.push(serde_json::json!({
            "mediaType": media, "digest": digest.as_str(), "size": bytes.len(),
            "platform": {"architecture": arch, "os": "linux"},
        }));
    }
    let index = serde_json::json!({
        "schemaVersion": 2,
        "mediaType": oci_client::manifest::OCI_IMAGE_INDEX_MEDIA_TYPE,
        "manifests": entries,
    })
    .to_string();
    registry
        .put_manifest(
            image,
            index.as_bytes(),
            oci_client::manifest::OCI_IMAGE_INDEX_MEDIA_TYPE,
        )
        .unwrap();
    crate::client::sha256(index.as_bytes()).parse().unwrap()
}
