//! TCP probes: can a connection to HOST:PORT be opened in time?

use crate::client::resolve;
use crate::error::{ErrorKind, ProbeError};
use std::fmt;
use std::net::SocketAddr;
use std::str::FromStr;
use std::time::{Duration, Instant};

/// `HOST:PORT` (`db:5432`, `127.0.0.1:6379`, `[::1]:8080`, `localhost:80`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TcpTarget {
    /// The host without brackets.
    pub host: String,
    pub port: u16,
}

/// A `--tcp` value that is not `HOST:PORT`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "invalid TCP target '{0}': expected HOST:PORT, e.g. localhost:5432, 10.0.0.5:6379 or [::1]:8080"
)]
pub struct TcpTargetError(pub String);

impl vocab::Classify for TcpTargetError {
    fn class(&self) -> vocab::ErrorClass {
        vocab::ErrorClass::Input
    }
}

impl TcpTarget {
    pub fn parse(s: &str) -> Result<Self, TcpTargetError> {
        let t = s.trim();
        let t = t.strip_prefix("tcp://").unwrap_or(t);
        let bad = || TcpTargetError(s.trim().to_owned());
        let (host, port) = t.rsplit_once(':').ok_or_else(bad)?;
        let host = if let Some(inner) = host.strip_prefix('[') {
            let inner = inner.strip_suffix(']').ok_or_else(bad)?;
            inner.parse::<std::net::Ipv6Addr>().map_err(|_| bad())?;
            inner
        } else {
            if host.contains(':') || host.contains(']') {
                return Err(bad());
            }
            host
        };
        let valid_host = !host.is_empty()
            && host
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ':'));
        let port: u16 = port.parse().map_err(|_| bad())?;
        if !valid_host || port == 0 {
            return Err(bad());
        }
        Ok(TcpTarget {
            host: host.to_owned(),
            port,
        })
    }
}

/// `tcp://host:port`, with brackets around IPv6 literals.
impl fmt::Display for TcpTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.host.contains(':') {
            write!(f, "tcp://[{}]:{}", self.host, self.port)
        } else {
            write!(f, "tcp://{}:{}", self.host, self.port)
        }
    }
}

impl FromStr for TcpTarget {
    type Err = TcpTargetError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TcpTarget::parse(s)
    }
}

/// A connection that opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TcpConnected {
    /// The address that accepted.
    pub addr: SocketAddr,
    /// Time from the start (resolution included) to the open connection.
    pub elapsed: Duration,
}

/// Opens (and closes) a connection to the target within `timeout`: every
/// address the name resolves to is tried in turn (`localhost`: `::1`, then
/// `127.0.0.1`) until one accepts or time runs out.
pub async fn tcp_probe(target: &TcpTarget, timeout: Duration) -> Result<TcpConnected, ProbeError> {
    let start = Instant::now();
    let deadline = tokio::time::Instant::from_std(start) + timeout;
    let at = format!("{}:{}", target.host, target.port);
    let addrs = match tokio::time::timeout_at(deadline, resolve(&target.host, target.port)).await {
        Err(_) => {
            return Err(ProbeError::new(
                ErrorKind::Timeout,
                format!(
                    "cannot resolve '{}' within {}",
                    target.host,
                    vocab::human_duration(timeout)
                ),
                start.elapsed(),
            ));
        }
        Ok(Err(e)) => {
            return Err(ProbeError::new(
                ErrorKind::Dns,
                e.to_string(),
                start.elapsed(),
            ));
        }
        Ok(Ok(a)) => a,
    };
    let mut last: Option<ProbeError> = None;
    for addr in addrs {
        match tokio::time::timeout_at(deadline, tokio::net::TcpStream::connect(addr)).await {
            Err(_) => {
                return Err(ProbeError::new(
                    ErrorKind::Timeout,
                    format!(
                        "no connection to {at} within {}",
                        vocab::human_duration(timeout)
                    ),
                    start.elapsed(),
                ));
            }
            Ok(Ok(stream)) => {
                drop(stream);
                return Ok(TcpConnected {
                    addr,
                    elapsed: start.elapsed(),
                });
            }
            Ok(Err(e)) => {
                let err = if e.kind() == std::io::ErrorKind::ConnectionRefused {
                    ProbeError::new(
                        ErrorKind::ConnectionRefused,
                        format!("connection refused by {at}"),
                        start.elapsed(),
                    )
                } else {
                    ProbeError::new(
                        ErrorKind::Connect,
                        format!("cannot connect to {addr}: {e}"),
                        start.elapsed(),
                    )
                };
                // A refusal says more than "IPv6 unavailable": keep it.
                if last
                    .as_ref()
                    .is_none_or(|l| l.kind != ErrorKind::ConnectionRefused)
                {
                    last = Some(err);
                }
            }
        }
    }
    Err(last.unwrap_or_else(|| {
        ProbeError::new(
            ErrorKind::Dns,
            format!("no addresses for '{}'", target.host),
            start.elapsed(),
        )
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse() {
        let t = TcpTarget::parse(" db.internal:5432 ").unwrap();
        assert_eq!((t.host.as_str(), t.port), ("db.internal", 5432));
        assert_eq!(t.to_string(), "tcp://db.internal:5432");
        let v6 = TcpTarget::parse("[::1]:8080").unwrap();
        assert_eq!(v6.host, "::1");
        assert_eq!(v6.to_string(), "tcp://[::1]:8080");
        assert_eq!(TcpTarget::parse("tcp://localhost:80").unwrap().port, 80);
        for bad in [
            "",
            "host",
            "host:",
            ":80",
            "host:0",
            "host:99999",
            "::1:80",
            "[::1:80",
            "a b:1",
            "[xyz]:1",
        ] {
            assert!(TcpTarget::parse(bad).is_err(), "{bad}");
        }
    }
}
