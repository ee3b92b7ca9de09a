//! `demo-service`: flags and env, bind, print where it listens, serve.

// main is the one place that talks to the terminal.
#![allow(clippy::print_stderr)]

use clap::Parser;
use clap::builder::BoolishValueParser;
use demo_service::{Access, Limits, Server, Settings};
use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant};

const DEFAULT_PORT: u16 = 8080;

/// A tiny HTTP service for the shipgate pipeline demos: /health, /version
/// and a small JSON API (/api/items). Prints `listening on http://ADDR` on
/// stdout once it accepts connections; access lines go to stderr.
#[derive(Debug, Parser)]
#[command(name = "demo-service", version)]
struct Cli {
    /// Address to listen on: an IP address (the port comes from --port), or
    /// IP:PORT.
    #[arg(long, env = "DEMO_ADDR", value_name = "IP[:PORT]", value_parser = parse_addr, default_value = "127.0.0.1")]
    addr: Addr,

    /// Port to listen on; 0 picks a free one. Default 8080.
    #[arg(long, env = "PORT", value_parser = parse_port)]
    port: Option<u16>,

    /// The version /health and /version report, e.g. 84fb5881-20250120-143022.
    #[arg(
        long = "version-string",
        env = "DEMO_VERSION",
        value_name = "VERSION",
        value_parser = gha::cli::trimmed,
        default_value = "0.0.0-dev"
    )]
    version_string: String,

    /// The commit /version reports.
    #[arg(long, env = "DEMO_COMMIT", value_name = "SHA", value_parser = gha::cli::trimmed, default_value = "unknown")]
    commit: String,

    /// /health answers 503 ("starting") until this long after start, e.g. 2s.
    #[arg(long, env = "DEMO_START_DELAY", value_name = "DURATION", value_parser = gha::cli::duration, default_value = "0s")]
    start_delay: Duration,

    /// /health always answers 503 ("unhealthy"): simulates a bad deploy.
    #[arg(long, env = "DEMO_UNHEALTHY", value_parser = BoolishValueParser::new(), default_value = "false", num_args = 0, default_missing_value = "true")]
    unhealthy: bool,

    /// Writes the process id here once the port is bound.
    #[arg(long, env = "DEMO_PID_FILE", value_name = "FILE")]
    pid_file: Option<PathBuf>,

    /// Largest accepted request body, in bytes.
    #[arg(long, env = "DEMO_MAX_BODY_BYTES", value_name = "BYTES", default_value_t = Limits::default().max_body_bytes)]
    max_body_bytes: usize,
}

#[derive(Debug, Clone, Copy)]
struct Addr {
    ip: IpAddr,
    port: Option<u16>,
}

fn parse_addr(s: &str) -> Result<Addr, String> {
    let t = s.trim();
    if let Ok(sa) = t.parse::<SocketAddr>() {
        return Ok(Addr {
            ip: sa.ip(),
            port: Some(sa.port()),
        });
    }
    let bare = t.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .map(|ip| Addr { ip, port: None })
        .map_err(|_| {
            format!("invalid address '{t}': expected an IP address or IP:PORT, such as 127.0.0.1 or 127.0.0.1:8080")
        })
}

fn parse_port(s: &str) -> Result<u16, String> {
    let t = s.trim();
    t.parse::<u16>()
        .map_err(|_| format!("invalid port '{t}': expected a number from 0 to 65535, such as 8080"))
}

fn main() -> ExitCode {
    let started = Instant::now();
    let cli: Cli = gha::cli::parse("demo-service");
    let port = match (cli.addr.port, cli.port) {
        (Some(a), Some(p)) if a != p => {
            eprintln!(
                "demo-service: --addr says port {a} but --port (or PORT) says {p}; give the port once"
            );
            return ExitCode::from(2);
        }
        (Some(a), _) => a,
        (None, Some(p)) => p,
        (None, None) => DEFAULT_PORT,
    };
    let addr = SocketAddr::new(cli.addr.ip, port);
    let mut settings = Settings::new(cli.version_string);
    settings.commit = cli.commit;
    settings.start_delay = cli.start_delay;
    settings.unhealthy = cli.unhealthy;
    let limits = Limits {
        max_body_bytes: cli.max_body_bytes,
        ..Limits::default()
    };
    let version = settings.version.clone();

    let server = match Server::bind(addr, settings, limits, started) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("demo-service: cannot listen on {addr}: {e}");
            return ExitCode::from(3);
        }
    };
    let local = match server.local_addr() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("demo-service: cannot read the bound address: {e}");
            return ExitCode::from(3);
        }
    };
    if let Some(path) = &cli.pid_file {
        if let Err(e) = write_pid(path) {
            eprintln!(
                "demo-service: cannot write the pid file {}: {e}",
                path.display()
            );
            return ExitCode::from(3);
        }
    }
    {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "demo-service {version} listening on http://{local}");
        let _ = out.flush();
    }
    let log: demo_service::AccessLog = Arc::new(|a: &Access| {
        eprintln!(
            "{} \"{} {}\" {} {}B {:.1}ms",
            a.peer,
            a.method,
            a.path,
            a.status,
            a.bytes,
            a.elapsed.as_secs_f64() * 1000.0
        );
    });
    match server.serve(log) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo-service: stopped serving: {e}");
            ExitCode::from(3)
        }
    }
}

/// Writes the pid atomically: readers see the whole number or no file.
fn write_pid(path: &Path) -> std::io::Result<()> {
    let tmp = path.with_extension(format!("tmp{}", std::process::id()));
    std::fs::write(&tmp, format!("{}\n", std::process::id()))?;
    std::fs::rename(&tmp, path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn addresses() {
        let a = parse_addr(" 127.0.0.1:9000 ").unwrap();
        assert_eq!((a.ip.to_string(), a.port), ("127.0.0.1".into(), Some(9000)));
        let b = parse_addr("::1").unwrap();
        assert_eq!((b.ip.to_string(), b.port), ("::1".into(), None));
        let c = parse_addr("[::1]:80").unwrap();
        assert_eq!(c.port, Some(80));
        assert!(
            parse_addr("localhost")
                .unwrap_err()
                .contains("127.0.0.1:8080")
        );
        assert!(parse_port("70000").unwrap_err().contains("0 to 65535"));
        assert_eq!(parse_port(" 80 "), Ok(80));
    }
}
