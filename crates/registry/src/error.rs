//! What can go wrong, each with its class (exit code) and advice.

use std::path::PathBuf;
use std::time::Duration;

use gha::exit::{Classify, ErrorClass};

use crate::auth::CredentialSource;

/// An error of the registry engine.
#[derive(Debug, thiserror::Error)]
pub enum RegistryError {
    /// Not an image reference.
    #[error(
        "'{value}' is not an image reference ({reason}); expected REGISTRY/REPOSITORY:TAG or \
         REGISTRY/REPOSITORY@sha256:<64 hex>, e.g. ghcr.io/owner/app:1.2.3"
    )]
    BadReference { value: String, reason: String },
    /// Not a sha256 digest.
    #[error("'{value}' is not a manifest digest; expected sha256: and 64 lower-case hex digits")]
    BadDigest { value: String },
    /// Not an OCI tag.
    #[error(
        "'{value}' is not an image tag; expected [A-Za-z0-9_][A-Za-z0-9._-]{{0,127}}, e.g. prod-1.2.3"
    )]
    BadTag { value: String },
    /// The registry does not serve this tag or digest.
    #[error("{image}: the registry does not serve this manifest (404 {code})")]
    NotFound { image: String, code: String },
    /// A retag between two registries (it would move layers).
    #[error(
        "cannot retag {source_image} as {target}: they are on different registries, and a copy \
         between registries moves layers; push the image to {target_registry} first"
    )]
    CrossRegistry {
        source_image: String,
        target: String,
        target_registry: String,
    },
    /// The manifest's bytes are not a manifest this engine can copy.
    #[error("{image}: the manifest is not JSON with a mediaType ({reason})")]
    BadManifest { image: String, reason: String },
    /// The registry refused the credentials, or asked for some.
    #[error("{registry} refused {source_name} ({detail})")]
    Unauthorized {
        registry: String,
        source_name: CredentialSource,
        detail: String,
        helper: bool,
    },
    /// No answer within the deadline, or no connection.
    #[error(
        "{registry} did not answer: {detail} ({attempts} attempts, each bounded by {timeout:?})"
    )]
    Unreachable {
        registry: String,
        detail: String,
        attempts: u32,
        timeout: Duration,
    },
    /// Any other answer that is not success.
    #[error("{registry} answered {what}: {detail}")]
    Registry {
        registry: String,
        what: String,
        detail: String,
    },
    /// `docker login`'s file is unreadable.
    #[error("Docker config {}: {reason}", path.display())]
    DockerConfig { path: PathBuf, reason: String },
}

impl Classify for RegistryError {
    fn class(&self) -> ErrorClass {
        match self {
            RegistryError::BadReference { .. }
            | RegistryError::BadDigest { .. }
            | RegistryError::BadTag { .. }
            | RegistryError::CrossRegistry { .. } => ErrorClass::Input,
            RegistryError::NotFound { .. } | RegistryError::BadManifest { .. } => {
                ErrorClass::Denied
            }
            RegistryError::Unauthorized { .. }
            | RegistryError::Unreachable { .. }
            | RegistryError::Registry { .. }
            | RegistryError::DockerConfig { .. } => ErrorClass::Environment,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            RegistryError::Unauthorized {
                source_name,
                helper,
                ..
            } => Some(match source_name {
                CredentialSource::Anonymous if *helper => {
                    "a Docker credential helper is configured for this registry, \
                     and helpers are not run: pass --registry-username/--registry-password"
                        .into()
                }
                CredentialSource::Anonymous => {
                    "log in first (docker/login-action, `docker login`) or pass \
                     --registry-username/--registry-password; for ghcr.io give the job \
                     `permissions: packages: write` (read for checks)"
                        .into()
                }
                CredentialSource::GithubToken => {
                    "give the job `permissions: packages: write` (`read` is \
                     enough without --retag), and the package access to this repository"
                        .into()
                }
                _ => "check the username and password (or token) and that it may push to this \
                      repository (pull is enough without --retag)"
                    .into(),
            }),
            RegistryError::Unreachable { .. } => {
                Some("check the registry host and port, and that the runner can reach it".into())
            }
            _ => None,
        }
    }
}

impl RegistryError {
    /// The registry no longer serves (or never served) this manifest.
    pub fn is_not_found(&self) -> bool {
        matches!(self, RegistryError::NotFound { .. })
    }
}
