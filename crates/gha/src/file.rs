//! Reading a file named from outside (a spec, `GITHUB_EVENT_PATH`) without
//! trusting it: only a regular file (a symlink to one is fine), at most
//! `cap` bytes. `/dev/zero`, a FIFO, a directory or a socket is refused at
//! once, before it is opened for reading, so nothing can block or grow
//! without bound.

use crate::exit::{Classify, ErrorClass};
use std::fs::{File, Metadata};
use std::io::Read;
use std::path::{Path, PathBuf};

/// The cap on the files the binaries read from outside: 4 MiB.
pub const MAX_INPUT_FILE: u64 = 4 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug, thiserror::Error)]
pub enum ReadFileError {
    #[error(
        "{} is {kind}, not a regular file: expected a regular file of at most {}",
        path.display(),
        size_text(*cap)
    )]
    NotRegular {
        path: PathBuf,
        kind: &'static str,
        cap: u64,
    },
    #[error(
        "{} is {}, more than the limit of {}",
        path.display(),
        size_text(*size),
        size_text(*cap)
    )]
    TooLarge { path: PathBuf, size: u64, cap: u64 },
    #[error("cannot read {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
}

impl ReadFileError {
    /// The path the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadFileError::NotRegular { path, .. }
            | ReadFileError::TooLarge { path, .. }
            | ReadFileError::Io { path, .. } => path,
        }
    }
}

impl Classify for ReadFileError {
    /// A file of the wrong kind or size, or one that is not there, is bad
    /// input (exit 2); any other failure to read is the environment's.
    fn class(&self) -> ErrorClass {
        match self {
            ReadFileError::Io { source, .. } if source.kind() != std::io::ErrorKind::NotFound => {
                ErrorClass::Environment
            }
            _ => ErrorClass::Input,
        }
    }
}

/// Reads `path` whole when it is a regular file of at most `cap` bytes.
pub fn read_bounded_file(path: &Path, cap: u64) -> Result<Vec<u8>, ReadFileError> {
    let io = |source| ReadFileError::Io {
        path: path.to_owned(),
        source,
    };
    // Checked before opening: opening a FIFO for reading blocks until a
    // writer comes.
    check(path, &std::fs::metadata(path).map_err(io)?, cap)?;
    let file = File::open(path).map_err(io)?;
    // And again on what was opened, in case the path changed in between.
    check(path, &file.metadata().map_err(io)?, cap)?;
    let mut bytes = Vec::new();
    file.take(cap + 1).read_to_end(&mut bytes).map_err(io)?;
    let read = bytes.len() as u64;
    if read > cap {
        return Err(ReadFileError::TooLarge {
            path: path.to_owned(),
            size: read,
            cap,
        });
    }
    Ok(bytes)
}

/// [`read_bounded_file`] as UTF-8 text; `Ok(Err(bytes))` when it is not.
pub fn read_bounded_text(path: &Path, cap: u64) -> Result<Result<String, Vec<u8>>, ReadFileError> {
    read_bounded_file(path, cap).map(|b| String::from_utf8(b).map_err(|e| e.into_bytes()))
}

fn check(path: &Path, meta: &Metadata, cap: u64) -> Result<(), ReadFileError> {
    if !meta.is_file() {
        return Err(ReadFileError::NotRegular {
            path: path.to_owned(),
            kind: kind(meta),
            cap,
        });
    }
    if meta.len() > cap {
        return Err(ReadFileError::TooLarge {
            path: path.to_owned(),
            size: meta.len(),
            cap,
        });
    }
    Ok(())
}

fn kind(meta: &Metadata) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    let t = meta.file_type();
    if t.is_dir() {
        "a directory"
    } else if t.is_fifo() {
        "a FIFO (named pipe)"
    } else if t.is_char_device() {
        "a character device"
    } else if t.is_block_device() {
        "a block device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "not a regular file"
    }
}

/// `4 MiB`, `512 KiB`, `17 bytes`.
fn size_text(n: u64) -> String {
    const KIB: u64 = 1024;
    const MIB: u64 = 1024 * 1024;
    if n >= MIB && n % MIB == 0 {
        format!("{} MiB", n / MIB)
    } else if n >= MIB {
        format!("{:.1} MiB", n as f64 / MIB as f64)
    } else if n >= KIB && n % KIB == 0 {
        format!("{} KiB", n / KIB)
    } else {
        format!("{n} bytes")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, Instant};

    #[test]
    fn reads_a_regular_file_and_a_symlink_to_one() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("spec.yml");
        std::fs::write(&f, "checks: []\n").unwrap();
        assert_eq!(read_bounded_file(&f, 100).unwrap(), b"checks: []\n");
        let link = dir.path().join("link.yml");
        std::os::unix::fs::symlink(&f, &link).unwrap();
        assert_eq!(
            read_bounded_text(&link, 100).unwrap().unwrap(),
            "checks: []\n"
        );
        std::fs::write(&f, [0xff, 0xfe]).unwrap();
        assert!(read_bounded_text(&f, 100).unwrap().is_err());
    }

    #[test]
    fn refuses_devices_fifos_and_directories_at_once() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        for (path, kind) in [
            (Path::new("/dev/zero"), "a character device"),
            (fifo.as_path(), "a FIFO (named pipe)"),
            (dir.path(), "a directory"),
        ] {
            let start = Instant::now();
            let e = read_bounded_file(path, MAX_INPUT_FILE).unwrap_err();
            assert!(start.elapsed() < Duration::from_secs(1));
            assert_eq!(
                e.to_string(),
                format!(
                    "{} is {kind}, not a regular file: expected a regular file of at most 4 MiB",
                    path.display()
                )
            );
            assert_eq!(e.class(), ErrorClass::Input);
        }
    }

    #[test]
    fn refuses_a_file_over_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("big.json");
        std::fs::write(&f, vec![b' '; 5 * 1024 * 1024 + 100]).unwrap();
        let e = read_bounded_file(&f, MAX_INPUT_FILE).unwrap_err();
        assert_eq!(
            e.to_string(),
            format!("{} is 5.0 MiB, more than the limit of 4 MiB", f.display())
        );
        assert_eq!(e.class(), ErrorClass::Input);
        // At the cap is fine.
        std::fs::write(&f, vec![b' '; 1024]).unwrap();
        assert_eq!(read_bounded_file(&f, 1024).unwrap().len(), 1024);
        assert!(read_bounded_file(&f, 1023).is_err());
    }

    #[test]
    fn a_missing_file_is_input_and_named() {
        let e = read_bounded_file(Path::new("/nonexistent/x.yml"), 10).unwrap_err();
        assert_eq!(e.class(), ErrorClass::Input);
        assert!(
            e.to_string()
                .starts_with("cannot read /nonexistent/x.yml: ")
        );
        assert_eq!(e.path(), Path::new("/nonexistent/x.yml"));
    }
}
