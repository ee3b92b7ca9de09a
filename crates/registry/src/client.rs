//! The registry client: oci-client under a retry loop with a deadline per
//! attempt, on a runtime of its own so callers stay synchronous.

use std::future::Future;
use std::time::Duration;

use oci_client::client::{ClientConfig, ClientProtocol};
use oci_client::errors::{OciDistributionError, OciErrorCode};
use oci_client::manifest::{
    IMAGE_MANIFEST_LIST_MEDIA_TYPE, IMAGE_MANIFEST_MEDIA_TYPE, OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
};

use crate::auth::Credentials;
use crate::error::RegistryError;
use crate::reference::{Digest, ImageRef, is_local_registry};

/// Manifest media types asked for and copied (OCI and Docker v2, single and
/// multi-platform).
const MANIFEST_TYPES: &[&str] = &[
    OCI_IMAGE_INDEX_MEDIA_TYPE,
    OCI_IMAGE_MEDIA_TYPE,
    IMAGE_MANIFEST_LIST_MEDIA_TYPE,
    IMAGE_MANIFEST_MEDIA_TYPE,
];

/// How hard to try.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Options {
    /// The bound on one attempt of one operation (auth handshake included).
    pub timeout: Duration,
    /// Attempts per operation (at least 1); 5xx, 429 and connection
    /// failures are retried.
    pub attempts: u32,
    /// The first pause between attempts; it doubles, up to 4 s.
    pub backoff: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            timeout: Duration::from_secs(30),
            attempts: 4,
            backoff: Duration::from_millis(500),
        }
    }
}

/// A tag pointed at a digest.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Retagged {
    /// `REGISTRY/REPOSITORY:TAG`.
    pub target: ImageRef,
    /// The manifest digest the tag now names.
    pub digest: Digest,
    /// False when the tag already named that digest (nothing was written).
    pub moved: bool,
}

/// One registry (host), with the credentials for it.
pub struct Registry {
    rt: tokio::runtime::Runtime,
    client: oci_client::Client,
    host: String,
    creds: Credentials,
    helper: bool,
    opts: Options,
}

enum Failure {
    Retry(RegistryError),
    Final(RegistryError),
}

impl Registry {
    /// A client for `host` (as [`ImageRef::registry`] gives it).
    /// `helper_configured` says a Docker credential helper exists for it
    /// (only used to advise on a 401).
    pub fn new(
        host: &str,
        creds: Credentials,
        helper_configured: bool,
        opts: Options,
    ) -> Result<Self, RegistryError> {
        // reqwest is built without a default crypto provider (the workspace
        // uses ring); an already installed provider is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let protocol = if is_local_registry(host) {
            ClientProtocol::HttpsExcept(vec![host.to_owned()])
        } else {
            ClientProtocol::Https
        };
        let config = ClientConfig {
            protocol,
            connect_timeout: Some(opts.timeout.min(Duration::from_secs(10))),
            read_timeout: Some(opts.timeout),
            platform_resolver: None,
            user_agent: concat!("shipgate-registry/", env!("CARGO_PKG_VERSION")),
            ..ClientConfig::default()
        };
        let env = |detail: String| RegistryError::Registry {
            registry: host.to_owned(),
            what: "no client".into(),
            detail,
        };
        let client = oci_client::Client::try_from(config).map_err(|e| env(e.to_string()))?;
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| env(format!("starting the async runtime: {e}")))?;
        Ok(Registry {
            rt,
            client,
            host: host.to_owned(),
            creds: creds.clone(),
            helper: helper_configured,
            opts: Options {
                attempts: opts.attempts.max(1),
                ..opts
            },
        })
    }

    /// The host this client talks to.
    pub fn host(&self) -> &str {
        &self.host
    }

    fn check_host(&self, image: &ImageRef) -> Result<(), RegistryError> {
        if image.registry() == self.host {
            Ok(())
        } else {
            Err(RegistryError::CrossRegistry {
                source_image: image.to_string(),
                target: format!("a client for {}", self.host),
                target_registry: self.host.clone(),
            })
        }
    }

    /// The manifest digest `image` names: its tag resolved (HEAD), or its
    /// digest checked to be served. A multi-platform index gives the index
    /// digest. Not served: [`RegistryError::NotFound`] (denied).
    pub fn resolve(&self, image: &ImageRef) -> Result<Digest, RegistryError> {
        self.check_host(image)?;
        let auth = self.creds.oci();
        let text = self.run(image, || {
            self.client.fetch_manifest_digest(image.oci(), &auth)
        })?;
        self.parse_digest(image, &text)
    }

    /// Whether the registry still serves `image`'s manifest.
    pub fn exists(&self, image: &ImageRef) -> Result<bool, RegistryError> {
        match self.resolve(image) {
            Ok(_) => Ok(true),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// The manifest's bytes and media type, verified against its digest.
    pub fn manifest(&self, image: &ImageRef) -> Result<(Vec<u8>, String, Digest), RegistryError> {
        self.check_host(image)?;
        let auth = self.creds.oci();
        let (bytes, digest) = self.run(image, || {
            self.client
                .pull_manifest_raw(image.oci(), &auth, MANIFEST_TYPES)
        })?;
        let media_type = media_type(image, &bytes)?;
        Ok((
            bytes.to_vec(),
            media_type,
            self.parse_digest(image, &digest)?,
        ))
    }

    /// Points each of `tags` (in `source`'s repository, or in `target_repo`
    /// when given) at `source`'s digest by copying the manifest's bytes: one
    /// GET of the manifest, then per tag a HEAD (already there: nothing
    /// written) and a PUT. Into another repository, blobs are mounted (and
    /// an index's manifests copied by digest) first; no layer is pulled or
    /// pushed. Safe to repeat and to race: the same bytes land either way.
    pub fn retag(
        &self,
        source: &ImageRef,
        target_repo: Option<&ImageRef>,
        tags: &[&str],
    ) -> Result<Vec<Retagged>, RegistryError> {
        self.check_host(source)?;
        let digest = source.digest().ok_or_else(|| RegistryError::BadReference {
            value: source.to_string(),
            reason: "a retag copies a manifest by digest; give REPOSITORY@sha256:…".into(),
        })?;
        let target_repo = target_repo.unwrap_or(source);
        if target_repo.registry() != source.registry() {
            return Err(RegistryError::CrossRegistry {
                source_image: source.to_string(),
                target: target_repo.name(),
                target_registry: target_repo.registry().to_owned(),
            });
        }
        let targets = tags
            .iter()
            .map(|t| target_repo.at_tag(t))
            .collect::<Result<Vec<_>, _>>()?;
        let mut manifest: Option<(Vec<u8>, String)> = None;
        let mut copied_blobs = false;
        let mut done = Vec::new();
        for target in targets {
            match self.resolve(&target) {
                Ok(d) if d == digest => {
                    done.push(Retagged {
                        target,
                        digest: digest.clone(),
                        moved: false,
                    });
                    continue;
                }
                Ok(_) => {}
                Err(e) if e.is_not_found() => {}
                Err(e) => return Err(e),
            }
            if manifest.is_none() {
                let (bytes, media, _) = self.manifest(source)?;
                manifest = Some((bytes, media));
            }
            let (bytes, media) = manifest.as_ref().expect("fetched above");
            if target.repository() != source.repository() && !copied_blobs {
                self.copy_dependencies(source, &target, bytes, 0)?;
                copied_blobs = true;
            }
            self.put_manifest(&target, bytes, media)?;
            done.push(Retagged {
                target,
                digest: digest.clone(),
                moved: true,
            });
        }
        Ok(done)
    }

    /// Makes what `manifest` refers to exist in `target`'s repository:
    /// blobs mounted from `source`'s, child manifests copied by digest.
    fn copy_dependencies(
        &self,
        source: &ImageRef,
        target: &ImageRef,
        manifest: &[u8],
        depth: u8,
    ) -> Result<(), RegistryError> {
        let bad = |reason: String| RegistryError::BadManifest {
            image: source.to_string(),
            reason,
        };
        if depth > 2 {
            return Err(bad("indexes nested more than two deep".into()));
        }
        let json: serde_json::Value =
            serde_json::from_slice(manifest).map_err(|e| bad(e.to_string()))?;
        let digests = |key: &str| -> Vec<String> {
            match json.get(key) {
                Some(serde_json::Value::Array(items)) => items
                    .iter()
                    .filter_map(|i| i.get("digest")?.as_str().map(str::to_owned))
                    .collect(),
                Some(serde_json::Value::Object(o)) => o
                    .get("digest")
                    .and_then(|d| d.as_str())
                    .map(str::to_owned)
                    .into_iter()
                    .collect(),
                _ => Vec::new(),
            }
        };
        for child in digests("manifests") {
            let child: Digest = child.parse()?;
            let (bytes, media, _) = self.manifest(&source.at_digest(&child))?;
            self.copy_dependencies(source, target, &bytes, depth + 1)?;
            let at = target.at_digest(&child);
            self.put_manifest(&at, &bytes, &media)?;
        }
        for blob in digests("config").into_iter().chain(digests("layers")) {
            let auth = self.creds.oci();
            self.run(target, || async {
                self.client
                    .store_auth_if_needed(target.oci().resolve_registry(), &auth)
                    .await;
                self.client
                    .mount_blob(target.oci(), source.oci(), &blob)
                    .await
            })
            .map_err(|e| match e {
                RegistryError::Registry {
                    registry,
                    what,
                    detail,
                } => RegistryError::Registry {
                    registry,
                    what: format!("{what} to a cross-repository mount of {blob}"),
                    detail,
                },
                e => e,
            })?;
        }
        Ok(())
    }

    /// The tags of `repo`'s repository, sorted (the first 1000).
    pub fn tags(&self, repo: &ImageRef) -> Result<Vec<String>, RegistryError> {
        self.check_host(repo)?;
        let auth = self.creds.oci();
        let mut tags = self
            .run(repo, || {
                self.client.list_tags(repo.oci(), &auth, Some(1000), None)
            })?
            .tags;
        tags.sort();
        Ok(tags)
    }

    /// Writes `bytes` as `target`'s manifest (a tag or a digest) and returns
    /// its digest.
    pub fn put_manifest(
        &self,
        target: &ImageRef,
        bytes: &[u8],
        media_type: &str,
    ) -> Result<(), RegistryError> {
        self.check_host(target)?;
        let content_type: reqwest::header::HeaderValue =
            media_type.parse().map_err(|_| RegistryError::BadManifest {
                image: target.to_string(),
                reason: format!("media type `{media_type}` is not a header value"),
            })?;
        let auth = self.creds.oci();
        self.run(target, || async {
            self.client
                .store_auth_if_needed(target.oci().resolve_registry(), &auth)
                .await;
            self.client
                .push_manifest_raw(target.oci(), bytes.to_vec(), content_type.clone())
                .await
        })?;
        Ok(())
    }

    /// Uploads a blob into `repo`'s repository and returns its digest.
    pub fn push_blob(&self, repo: &ImageRef, data: &[u8]) -> Result<Digest, RegistryError> {
        self.check_host(repo)?;
        let digest: Digest = sha256(data).parse()?;
        let auth = self.creds.oci();
        self.run(repo, || async {
            self.client
                .store_auth_if_needed(repo.oci().resolve_registry(), &auth)
                .await;
            self.client
                .push_blob(repo.oci(), data.to_vec(), digest.as_str())
                .await
        })?;
        Ok(digest)
    }

    fn parse_digest(&self, image: &ImageRef, text: &str) -> Result<Digest, RegistryError> {
        text.parse().map_err(|_| RegistryError::Registry {
            registry: self.host.clone(),
            what: format!("a digest that is not sha256 for {image}"),
            detail: text.to_owned(),
        })
    }

    /// Runs one operation with a timeout per attempt and bounded retries.
    fn run<T, F, Fut>(&self, image: &ImageRef, mut op: F) -> Result<T, RegistryError>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, OciDistributionError>>,
    {
        self.rt.block_on(async {
            let mut pause = self.opts.backoff;
            let mut attempt = 1;
            loop {
                let failure =
                    match tokio::time::timeout(self.opts.timeout, op()).await {
                        Ok(Ok(value)) => return Ok(value),
                        Ok(Err(e)) => self.classify(image, e, attempt),
                        Err(_) => Failure::Retry(self.unreachable(
                            format!("no answer within {:?}", self.opts.timeout),
                            attempt,
                        )),
                    };
                match failure {
                    Failure::Retry(e) if attempt < self.opts.attempts => {
                        tokio::time::sleep(pause).await;
                        pause = (pause * 2).min(Duration::from_secs(4));
                        attempt += 1;
                        drop(e);
                    }
                    Failure::Retry(e) | Failure::Final(e) => return Err(e),
                }
            }
        })
    }

    fn unreachable(&self, detail: String, attempts: u32) -> RegistryError {
        RegistryError::Unreachable {
            registry: self.host.clone(),
            detail,
            attempts,
            timeout: self.opts.timeout,
        }
    }

    fn unauthorized(&self, detail: String) -> RegistryError {
        RegistryError::Unauthorized {
            registry: self.host.clone(),
            source_name: self.creds.source.clone(),
            detail,
            helper: self.helper,
        }
    }

    fn classify(&self, image: &ImageRef, e: OciDistributionError, attempt: u32) -> Failure {
        let registry = |what: String, detail: String| RegistryError::Registry {
            registry: self.host.clone(),
            what,
            detail: if attempt > 1 {
                format!("{detail} (after {attempt} attempts)")
            } else {
                detail
            },
        };
        let not_found = |code: &str| RegistryError::NotFound {
            image: image.to_string(),
            code: code.into(),
        };
        match e {
            OciDistributionError::ServerError { code, message, .. } => match code {
                404 => Failure::Final(not_found("NOT FOUND")),
                401 | 403 => Failure::Final(self.unauthorized(format!("HTTP {code}"))),
                408 | 429 | 500..=599 => {
                    Failure::Retry(registry(format!("HTTP {code}"), one_line(&message)))
                }
                _ => Failure::Final(registry(format!("HTTP {code}"), one_line(&message))),
            },
            OciDistributionError::RegistryError { envelope, .. } => {
                let first = envelope.errors.first();
                let detail = first.map(|e| e.message.clone()).unwrap_or_default();
                match first.map(|e| &e.code) {
                    Some(
                        code @ (OciErrorCode::ManifestUnknown
                        | OciErrorCode::NameUnknown
                        | OciErrorCode::NotFound
                        | OciErrorCode::BlobUnknown),
                    ) => Failure::Final(not_found(&format!("{code:?}"))),
                    Some(OciErrorCode::Unauthorized | OciErrorCode::Denied) => {
                        Failure::Final(self.unauthorized(detail))
                    }
                    Some(OciErrorCode::Toomanyrequests) => {
                        Failure::Retry(registry("429 TOOMANYREQUESTS".into(), detail))
                    }
                    Some(code) => Failure::Final(registry(format!("{code:?}"), detail)),
                    None => Failure::Final(registry("an empty error".into(), detail)),
                }
            }
            OciDistributionError::UnauthorizedError { .. } => {
                Failure::Final(self.unauthorized("HTTP 401".into()))
            }
            OciDistributionError::AuthenticationFailure(reason) => Failure::Final(
                self.unauthorized(format!("the token endpoint said: {}", one_line(&reason))),
            ),
            OciDistributionError::ImageManifestNotFoundError(_) => {
                Failure::Final(not_found("MANIFEST_UNKNOWN"))
            }
            OciDistributionError::RequestError(e) => {
                let mut detail = e.to_string();
                let mut source = std::error::Error::source(&e);
                while let Some(s) = source {
                    detail = format!("{detail}: {s}");
                    source = s.source();
                }
                Failure::Retry(self.unreachable(detail, attempt))
            }
            OciDistributionError::DigestError(e) => Failure::Final(RegistryError::BadManifest {
                image: image.to_string(),
                reason: format!("the bytes served do not match the digest: {e}"),
            }),
            OciDistributionError::SpecViolationError(detail) => {
                Failure::Final(registry("outside the distribution spec".into(), detail))
            }
            other => Failure::Final(registry("an unexpected answer".into(), other.to_string())),
        }
    }
}

fn media_type(image: &ImageRef, bytes: &[u8]) -> Result<String, RegistryError> {
    let json: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| RegistryError::BadManifest {
            image: image.to_string(),
            reason: e.to_string(),
        })?;
    Ok(match json.get("mediaType").and_then(|m| m.as_str()) {
        Some(m) => m.to_owned(),
        None if json.get("manifests").is_some() => OCI_IMAGE_INDEX_MEDIA_TYPE.into(),
        None => OCI_IMAGE_MEDIA_TYPE.into(),
    })
}

fn one_line(text: &str) -> String {
    let line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if line.chars().count() > 300 {
        format!("{}…", line.chars().take(300).collect::<String>())
    } else {
        line
    }
}

/// `sha256:` and the hex digest of `data`.
pub(crate) fn sha256(data: &[u8]) -> String {
    use sha2::Digest as _;
    let hash = sha2::Sha256::digest(data);
    // Hand-written: hex of 32 bytes is one std format per byte; no crate needed.
    let mut hex = String::with_capacity(71);
    hex.push_str("sha256:");
    for b in hash {
        hex.push_str(&format!("{b:02x}"));
    }
    hex
}
