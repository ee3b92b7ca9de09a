//! Container images in an OCI registry, for tag-gate: the engine beside
//! `repo` (git tags, deployments) and `probe` (HTTP checks).
//!
//! - [`ImageRef`] parses `REGISTRY/REPOSITORY:TAG` or `…@sha256:HEX`.
//! - [`Registry`] resolves a tag to its manifest digest (an index stays the
//!   index digest), checks that a digest is still served, and retags by
//!   copying the manifest's bytes to a new tag (no layer moves; blobs are
//!   mounted across repositories of one registry when needed).
//! - [`Credentials`] says where credentials came from ([`CredentialSource`]),
//!   so a 401 names it; [`DockerConfig`] reads `docker login`'s file.
//!
//! Requests go through the ORAS project's `oci-client` (bearer-token
//! challenges, basic auth). HTTPS everywhere except plain HTTP to
//! `127.0.0.1`/`localhost`/`[::1]`, as Docker does. Every attempt is bounded
//! by a timeout; 5xx, 429 and connection failures are retried with bounded
//! backoff. The library never prints and never reads the environment.

mod auth;
mod client;
mod error;
mod reference;
#[cfg(feature = "testing")]
pub mod testing;

pub use auth::{CredentialSource, Credentials, DockerConfig, Secret};
pub use client::{Options, Registry, Retagged};
pub use error::RegistryError;
pub use reference::{Digest, ImageRef, valid_tag};
