//! The artifact digest: what `--artifact FILE` hashes and the provenance
//! record keeps.

use sha2::{Digest as _, Sha256};
use std::fmt;
use std::io::Read;
use std::path::Path;

use crate::GateError;

/// An artifact digest: `sha256:` and 64 lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Digest(pub(crate) String);

impl Digest {
    /// Parses `sha256:HEX` (or bare 64-digit HEX), trimmed, any case.
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let hex = t
            .strip_prefix("sha256:")
            .or_else(|| t.strip_prefix("SHA256:"))
            .unwrap_or(t);
        if hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Digest(format!("sha256:{}", hex.to_ascii_lowercase())))
        } else {
            Err(format!(
                "invalid artifact digest '{}': expected sha256: and 64 hex digits, such as sha256:{}",
                t.escape_default(),
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            ))
        }
    }

    /// The sha256 of everything `reader` yields, read in chunks.
    pub fn of_reader(mut reader: impl Read) -> std::io::Result<Self> {
        let mut hasher = Sha256::new();
        let mut buf = vec![0u8; 256 * 1024];
        loop {
            let n = match reader.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            hasher.update(&buf[..n]);
        }
        // Hand-written: hex of 32 bytes is one std format per byte; no crate needed.
        let hex: String = hasher
            .finalize()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        Ok(Digest(format!("sha256:{hex}")))
    }

    /// The sha256 of a file (the deployable artifact itself).
    pub fn of_file(path: &Path) -> Result<Self, GateError> {
        let file = std::fs::File::open(path).map_err(|e| GateError::Artifact {
            path: path.display().to_string(),
            detail: e.to_string(),
        })?;
        if file.metadata().is_ok_and(|m| m.is_dir()) {
            return Err(GateError::Artifact {
                path: path.display().to_string(),
                detail: "it is a directory: pass the archive you deploy".into(),
            });
        }
        Self::of_reader(std::io::BufReader::new(file)).map_err(|e| GateError::Artifact {
            path: path.display().to_string(),
            detail: e.to_string(),
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}
