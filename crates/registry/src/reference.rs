//! Image references and digests, validated at the boundary.

use std::fmt;
use std::str::FromStr;

use crate::error::RegistryError;

/// A manifest digest, `sha256:` and 64 lower-case hex digits (the only
/// algorithm registries use for manifests in practice).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest(String);

impl Digest {
    /// The digest as text, `sha256:…`.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl FromStr for Digest {
    type Err = RegistryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let ok = s.strip_prefix("sha256:").is_some_and(|hex| {
            hex.len() == 64
                && hex
                    .bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        });
        if ok {
            Ok(Digest(s.to_owned()))
        } else {
            Err(RegistryError::BadDigest {
                value: s.to_owned(),
            })
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `REGISTRY/REPOSITORY:TAG` or `REGISTRY/REPOSITORY@sha256:HEX` (both: the
/// digest wins). Without a registry host the reference means Docker Hub, as
/// `docker pull` reads it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageRef {
    inner: oci_client::Reference,
}

impl ImageRef {
    /// The registry host (and port) requests go to, e.g. `ghcr.io`,
    /// `127.0.0.1:5000`; Docker Hub is `index.docker.io`.
    pub fn registry(&self) -> &str {
        self.inner.resolve_registry()
    }

    /// The registry as written (`docker.io` for Docker Hub).
    pub fn registry_name(&self) -> &str {
        self.inner.registry()
    }

    /// The repository, e.g. `owner/app`.
    pub fn repository(&self) -> &str {
        self.inner.repository()
    }

    /// The tag, when the reference has one.
    pub fn tag(&self) -> Option<&str> {
        self.inner.tag()
    }

    /// The digest, when the reference has one.
    pub fn digest(&self) -> Option<Digest> {
        self.inner.digest().and_then(|d| d.parse().ok())
    }

    /// `REGISTRY/REPOSITORY` without tag or digest.
    pub fn name(&self) -> String {
        format!("{}/{}", self.inner.registry(), self.inner.repository())
    }

    /// The same repository at `digest` (the tag dropped).
    pub fn at_digest(&self, digest: &Digest) -> ImageRef {
        ImageRef {
            inner: oci_client::Reference::with_digest(
                self.inner.registry().to_owned(),
                self.inner.repository().to_owned(),
                digest.to_string(),
            ),
        }
    }

    /// The same repository at `tag` (the digest dropped); `tag` must be a
    /// valid OCI tag (`[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`).
    pub fn at_tag(&self, tag: &str) -> Result<ImageRef, RegistryError> {
        if !valid_tag(tag) {
            return Err(RegistryError::BadTag {
                value: tag.to_owned(),
            });
        }
        Ok(ImageRef {
            inner: oci_client::Reference::with_tag(
                self.inner.registry().to_owned(),
                self.inner.repository().to_owned(),
                tag.to_owned(),
            ),
        })
    }

    /// Whether the registry is this machine, where plain HTTP is allowed.
    pub fn is_local(&self) -> bool {
        is_local_registry(self.registry())
    }

    pub(crate) fn oci(&self) -> &oci_client::Reference {
        &self.inner
    }
}

/// An OCI tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}` (distribution spec).
pub fn valid_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric() || b == b'_')
        && tag.len() <= 128
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

pub(crate) fn is_local_registry(host_port: &str) -> bool {
    let host = if let Some(rest) = host_port.strip_prefix('[') {
        rest.split(']').next().unwrap_or_default()
    } else {
        host_port.split(':').next().unwrap_or_default()
    };
    matches!(host, "127.0.0.1" | "localhost" | "::1")
}

impl FromStr for ImageRef {
    type Err = RegistryError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let s = s.trim();
        let bad = |reason: String| RegistryError::BadReference {
            value: s.to_owned(),
            reason,
        };
        if s.contains("://") {
            return Err(bad("a reference has no scheme (drop `https://`)".into()));
        }
        let inner = oci_client::Reference::from_str(s).map_err(|e| bad(e.to_string()))?;
        if let Some(d) = inner.digest() {
            d.parse::<Digest>().map_err(|_| {
                bad(format!(
                    "the digest `{d}` is not sha256: and 64 lower-case hex digits"
                ))
            })?;
        }
        Ok(ImageRef { inner })
    }
}

impl fmt::Display for ImageRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // a digest pins the manifest; the tag beside it would only mislead
        match (self.inner.digest(), self.inner.tag()) {
            (Some(d), _) => write!(f, "{}@{d}", self.name()),
            (None, Some(t)) => write!(f, "{}:{t}", self.name()),
            (None, None) => f.write_str(&self.name()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const D: &str = "sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

    #[test]
    fn parses_tag_and_digest_references() {
        let r: ImageRef = "ghcr.io/owner/app:1.2".parse().unwrap();
        assert_eq!(
            (r.registry(), r.repository(), r.tag()),
            ("ghcr.io", "owner/app", Some("1.2"))
        );
        assert_eq!(r.to_string(), "ghcr.io/owner/app:1.2");
        let r: ImageRef = format!("127.0.0.1:5000/app@{D}").parse().unwrap();
        assert_eq!(r.digest().unwrap().as_str(), D);
        assert!(r.is_local());
        assert_eq!(r.to_string(), format!("127.0.0.1:5000/app@{D}"));
        assert_eq!(r.at_tag("qa").unwrap().to_string(), "127.0.0.1:5000/app:qa");
        assert!(!"ghcr.io/o/a:1".parse::<ImageRef>().unwrap().is_local());
        assert!("localhost:5000/a:1".parse::<ImageRef>().unwrap().is_local());
    }

    #[test]
    fn bad_references_name_the_value() {
        for bad in [
            "https://ghcr.io/o/a:1",
            "ghcr.io/O/A:1",
            "ghcr.io/o/a@sha256:12",
            "",
        ] {
            let e = bad.parse::<ImageRef>().unwrap_err();
            assert!(
                matches!(e, RegistryError::BadReference { .. }),
                "{bad}: {e}"
            );
            assert!(e.to_string().contains(&format!("'{bad}'")), "{e}");
        }
        assert!("sha256:XYZ".parse::<Digest>().is_err());
        assert!(!valid_tag("-x") && !valid_tag("") && valid_tag("prod-1.2_3"));
    }
}
