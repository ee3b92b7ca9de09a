//! Where credentials come from, and `docker login`'s config file.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use base64::Engine as _;
use serde::Deserialize;

use crate::error::RegistryError;

/// A secret value: never shown by `Debug` or `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Secret(value.into())
    }
    /// The value, for the request and for the runner's mask.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// Where the credentials for a registry came from; named in a 401.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CredentialSource {
    /// No credentials: anonymous access.
    Anonymous,
    /// `--registry-username`/`--registry-password` (or their env twins).
    Flags,
    /// An `auths` entry of a Docker config file.
    DockerConfig { path: PathBuf, key: String },
    /// A GitHub token, for `ghcr.io`.
    GithubToken,
}

impl fmt::Display for CredentialSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CredentialSource::Anonymous => f.write_str("no credentials (anonymous)"),
            CredentialSource::Flags => f.write_str("--registry-username/--registry-password"),
            CredentialSource::DockerConfig { path, key } => {
                write!(
                    f,
                    "the Docker config file {} (auths entry \"{key}\")",
                    path.display()
                )
            }
            CredentialSource::GithubToken => f.write_str("the GitHub token (GITHUB_TOKEN)"),
        }
    }
}

/// Credentials for one registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Credentials {
    /// Basic credentials (exchanged for a bearer token when the registry
    /// challenges with `Bearer realm=…`), or none.
    pub basic: Option<(String, Secret)>,
    /// Where they came from.
    pub source: CredentialSource,
}

impl Credentials {
    /// Anonymous access.
    pub fn anonymous() -> Self {
        Credentials {
            basic: None,
            source: CredentialSource::Anonymous,
        }
    }

    /// A username and password (or token) from the given source.
    pub fn basic(username: impl Into<String>, password: Secret, source: CredentialSource) -> Self {
        Credentials {
            basic: Some((username.into(), password)),
            source,
        }
    }

    pub(crate) fn oci(&self) -> oci_client::secrets::RegistryAuth {
        match &self.basic {
            Some((u, p)) => {
                oci_client::secrets::RegistryAuth::Basic(u.clone(), p.expose().to_owned())
            }
            None => oci_client::secrets::RegistryAuth::Anonymous,
        }
    }
}

/// The `auths` of a Docker config file (`$DOCKER_CONFIG/config.json`,
/// `~/.docker/config.json`), as `docker login` and docker/login-action
/// write it: `{"auths": {"ghcr.io": {"auth": base64("user:password")}}}`.
/// Credential helpers (`credsStore`, `credHelpers`) are not run.
#[derive(Debug, Clone, Default)]
pub struct DockerConfig {
    path: PathBuf,
    auths: BTreeMap<String, AuthEntry>,
    helpers: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
struct AuthEntry {
    #[serde(default)]
    auth: Option<String>,
    #[serde(default)]
    username: Option<String>,
    #[serde(default)]
    password: Option<String>,
    #[serde(default, rename = "identitytoken")]
    identity_token: Option<String>,
}

#[derive(Deserialize)]
struct File {
    #[serde(default)]
    auths: BTreeMap<String, AuthEntry>,
    #[serde(default, rename = "credsStore")]
    creds_store: Option<String>,
    #[serde(default, rename = "credHelpers")]
    cred_helpers: BTreeMap<String, String>,
}

impl DockerConfig {
    /// Reads `path`; a missing file is an empty config.
    pub fn load(path: &Path) -> Result<Self, RegistryError> {
        match std::fs::read_to_string(path) {
            Ok(text) => Self::parse(path, &text),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(DockerConfig {
                path: path.to_owned(),
                ..Default::default()
            }),
            Err(e) => Err(RegistryError::DockerConfig {
                path: path.to_owned(),
                reason: e.to_string(),
            }),
        }
    }

    /// Parses the file's text (`path` is for messages).
    pub fn parse(path: &Path, text: &str) -> Result<Self, RegistryError> {
        let file: File = serde_json::from_str(text).map_err(|e| RegistryError::DockerConfig {
            path: path.to_owned(),
            reason: e.to_string(),
        })?;
        let mut helpers: Vec<String> = file.cred_helpers.into_keys().collect();
        if file.creds_store.is_some() {
            helpers.push("*".into());
        }
        Ok(DockerConfig {
            path: path.to_owned(),
            auths: file.auths,
            helpers,
        })
    }

    /// The credentials for `registry` (a host, e.g. `ghcr.io`; Docker Hub's
    /// entry is `https://index.docker.io/v1/`), if the file has them.
    pub fn credentials(&self, registry: &str) -> Result<Option<Credentials>, RegistryError> {
        let wanted = normalize(registry);
        let Some((key, entry)) = self.auths.iter().find(|(k, _)| normalize(k) == wanted) else {
            return Ok(None);
        };
        let bad = |reason: &str| RegistryError::DockerConfig {
            path: self.path.clone(),
            reason: format!("auths entry \"{key}\": {reason}"),
        };
        let (user, pass) = if let Some(auth) = entry.auth.as_deref().filter(|a| !a.is_empty()) {
            let raw = base64::engine::general_purpose::STANDARD
                .decode(auth.trim())
                .map_err(|_| bad("`auth` is not base64"))?;
            let text = String::from_utf8(raw).map_err(|_| bad("`auth` is not UTF-8"))?;
            let (u, p) = text
                .split_once(':')
                .ok_or_else(|| bad("`auth` is not base64 of USERNAME:PASSWORD"))?;
            (u.to_owned(), p.to_owned())
        } else if let (Some(u), Some(p)) = (&entry.username, &entry.password) {
            (u.clone(), p.clone())
        } else if entry.identity_token.is_some() {
            return Err(bad(
                "holds an identity token (OAuth refresh token), which is not supported; \
                 pass --registry-username/--registry-password",
            ));
        } else {
            return Ok(None);
        };
        let source = CredentialSource::DockerConfig {
            path: self.path.clone(),
            key: key.clone(),
        };
        Ok(Some(Credentials::basic(user, Secret::new(pass), source)))
    }

    /// Whether a credential helper is configured for `registry` (helpers are
    /// not run; a 401 says so).
    pub fn has_helper_for(&self, registry: &str) -> bool {
        let wanted = normalize(registry);
        self.helpers
            .iter()
            .any(|h| h == "*" || normalize(h) == wanted)
    }
}

/// `https://index.docker.io/v1/` → `index.docker.io`; `docker.io` too.
fn normalize(key: &str) -> String {
    let key = key.trim();
    let key = key
        .strip_prefix("https://")
        .or_else(|| key.strip_prefix("http://"))
        .unwrap_or(key);
    let host = key
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match host.as_str() {
        "docker.io" | "registry-1.docker.io" => "index.docker.io".into(),
        _ => host,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_auths_as_docker_login_writes_them() {
        let auth = base64::engine::general_purpose::STANDARD.encode("me:s3cret:with-colon");
        let text = format!(
            r#"{{"auths": {{"https://index.docker.io/v1/": {{"auth": "{auth}"}},
                "ghcr.io": {{"username": "u", "password": "p"}},
                "bad.example": {{"auth": "!!"}}}}, "credHelpers": {{"123.dkr.ecr.us-east-1.amazonaws.com": "ecr-login"}}}}"#
        );
        let c = DockerConfig::parse(Path::new("/h/.docker/config.json"), &text).unwrap();
        let hub = c.credentials("index.docker.io").unwrap().unwrap();
        assert_eq!(hub.basic.as_ref().unwrap().0, "me");
        assert_eq!(hub.basic.as_ref().unwrap().1.expose(), "s3cret:with-colon");
        assert_eq!(
            hub.source.to_string(),
            "the Docker config file /h/.docker/config.json (auths entry \"https://index.docker.io/v1/\")"
        );
        assert!(format!("{hub:?}").contains("***") && !format!("{hub:?}").contains("s3cret"));
        assert_eq!(
            c.credentials("ghcr.io").unwrap().unwrap().basic.unwrap().0,
            "u"
        );
        assert!(c.credentials("quay.io").unwrap().is_none());
        let e = c.credentials("bad.example").unwrap_err().to_string();
        assert!(e.contains("bad.example") && e.contains("not base64"), "{e}");
        assert!(
            c.has_helper_for("123.dkr.ecr.us-east-1.amazonaws.com") && !c.has_helper_for("ghcr.io")
        );
        let e = DockerConfig::parse(Path::new("/x.json"), "{")
            .unwrap_err()
            .to_string();
        assert!(e.contains("/x.json"), "{e}");
        assert!(
            DockerConfig::load(Path::new("/nonexistent/config.json"))
                .unwrap()
                .auths
                .is_empty()
        );
    }
}
