//! The command line: flags, their `INPUT_*` twins and their value parsers.

use super::TOOL;
use clap::{ArgAction, ArgGroup, Parser};
use gha::cli::Safe;
use health_check::Backoff;
use probe::{Expectation, Header, JsonPathExpr, Method, StatusExpect, TcpTarget, Url};
use std::path::PathBuf;
use std::time::Duration;

/// Waits until every target is healthy — Kubernetes-probe semantics, all
/// targets at once, never longer than --deadline — or says why not.
#[derive(Parser, Debug)]
#[command(
    name = TOOL,
    version,
    group(ArgGroup::new("targets").required(true).multiple(true).args(["url", "tcp"])),
    after_help = "\
Every value can also come from an environment variable INPUT_<FLAG> (e.g.
INPUT_EXPECT_STATUS); list flags (--url, --tcp, --header, --expect-json)
take one value per line there (--url and --tcp also split on commas).

Outputs: healthy, attempts, elapsed-ms, report (JSON of every target's last
attempt), passed.
Exit codes: 0 healthy (or --soft) · 1 unhealthy: refused, timed out or
answered wrongly (each target's last failure is shown) · 2 bad input ·
3 the tool's own environment failed.

Examples:
  health-check --url https://shop.example.com/health --deadline 3m
  health-check --url http://localhost:8080/api/version \\
      --expect-version 84fb5881-20250120-143022 --success-threshold 3
  health-check --url http://localhost:8080/health --expect-json '$.db=up' --once
  health-check --tcp db.internal:5432 --tcp cache.internal:6379 --interval 2s"
)]
pub struct Cli {
    /// An HTTP(S) URL to probe (repeatable)
    #[arg(long, env = "INPUT_URL", value_name = "URL", action = ArgAction::Append, value_parser = Safe(parse_urls))]
    pub url: Vec<Vec<Url>>,

    /// A TCP port that must accept connections, as HOST:PORT (repeatable)
    #[arg(long, env = "INPUT_TCP", value_name = "HOST:PORT", action = ArgAction::Append, value_parser = Safe(parse_tcps))]
    pub tcp: Vec<Vec<TcpTarget>>,

    /// Statuses that pass: codes, ranges and classes separated by , or |
    #[arg(long, env = "INPUT_EXPECT_STATUS", value_name = "200,204|2xx", default_value = "2xx", value_parser = Safe(parse_status))]
    pub expect_status: StatusExpect,

    /// A regex the body must match somewhere
    #[arg(long, env = "INPUT_EXPECT_BODY", value_name = "REGEX", value_parser = Safe(parse_body_regex))]
    pub expect_body: Option<Expectation>,

    /// PATH=VALUE: the JSON body's value at an RFC 9535 JSONPath (PATH alone:
    /// it must exist); VALUE is JSON or text (`$.ok=true`, `$.version=1.2.3`)
    #[arg(long, env = "INPUT_EXPECT_JSON", value_name = "PATH=VALUE", action = ArgAction::Append, value_parser = Safe(parse_json_assertions))]
    pub expect_json: Vec<Vec<Expectation>>,

    /// The version that must answer: the JSON field at --version-field, or
    /// by default $.version if the body is JSON and has it, else anywhere in
    /// the body
    #[arg(long, env = "INPUT_EXPECT_VERSION", value_name = "VERSION", value_parser = Safe(gha::cli::trimmed))]
    pub expect_version: Option<String>,

    /// The JSONPath of the version field, e.g. $.build.version
    #[arg(long, env = "INPUT_VERSION_FIELD", value_name = "PATH", requires = "expect_version", value_parser = Safe(parse_path))]
    pub version_field: Option<JsonPathExpr>,

    /// The HTTP method
    #[arg(long, env = "INPUT_METHOD", value_name = "METHOD", default_value = "GET", value_parser = Safe(parse_method))]
    pub method: Method,

    /// A request header, NAME: VALUE (repeatable). Values of Authorization,
    /// Cookie and names containing token, key or secret are masked
    #[arg(long, env = "INPUT_HEADER", value_name = "NAME: VALUE", action = ArgAction::Append, value_parser = Safe(parse_headers))]
    pub header: Vec<Vec<Header>>,

    /// Bound on one attempt: connect, redirects, headers and body
    #[arg(long, env = "INPUT_TIMEOUT", value_name = "DURATION", default_value = "5s", value_parser = Safe(positive_duration))]
    pub timeout: Duration,

    /// Wait between attempts (the first wait with exponential backoff)
    #[arg(long, env = "INPUT_INTERVAL", value_name = "DURATION", default_value = "5s", value_parser = Safe(interval))]
    pub interval: Duration,

    /// How the wait grows after failures: fixed, or exponential (doubling,
    /// ±10 % jitter, up to --max-interval)
    #[arg(long, env = "INPUT_BACKOFF", value_name = "fixed|exponential", default_value = "fixed", value_parser = Safe(parse_backoff))]
    pub backoff: Backoff,

    /// The longest wait with exponential backoff
    #[arg(long, env = "INPUT_MAX_INTERVAL", value_name = "DURATION", default_value = "60s", value_parser = Safe(interval))]
    pub max_interval: Duration,

    /// Attempts after the first, per target [default: until the deadline]
    #[arg(long, env = "INPUT_RETRIES", value_name = "N", value_parser = Safe(parse_count))]
    pub retries: Option<u32>,

    /// Hard bound on the whole run; an attempt in flight is cut short
    #[arg(long, env = "INPUT_DEADLINE", value_name = "DURATION", default_value = "5m", value_parser = Safe(positive_duration))]
    pub deadline: Duration,

    /// Wait before the first attempt
    #[arg(long, env = "INPUT_INITIAL_DELAY", value_name = "DURATION", default_value = "0s", value_parser = Safe(gha::cli::duration))]
    pub initial_delay: Duration,

    /// Passes in a row that make a target healthy
    #[arg(long, env = "INPUT_SUCCESS_THRESHOLD", value_name = "N", default_value = "1", value_parser = Safe(parse_threshold))]
    pub success_threshold: u32,

    /// One attempt per target, exit 0 or 1: for a container HEALTHCHECK
    #[arg(long, env = "INPUT_ONCE", action = ArgAction::SetTrue, value_parser = Safe(parse_bool))]
    pub once: bool,

    /// Do not verify TLS certificates or host names (tests only)
    #[arg(long, env = "INPUT_INSECURE", action = ArgAction::SetTrue, value_parser = Safe(parse_bool))]
    pub insecure: bool,

    /// Trust the CA certificates in this PEM file, besides the system's
    #[arg(long, env = "INPUT_CA_CERT", value_name = "FILE")]
    pub ca_cert: Option<PathBuf>,

    /// Unhealthy exits 0 with passed=false and healthy=false
    #[arg(long, env = "INPUT_SOFT", action = ArgAction::SetTrue, value_parser = Safe(parse_bool))]
    pub soft: bool,

    /// Print one JSON object with every output on stdout (and nothing else)
    #[arg(long, env = "INPUT_JSON", action = ArgAction::SetTrue, value_parser = Safe(parse_bool))]
    pub json: bool,
}

/// Lines of a list value, without blanks and `#` comments.
fn lines(s: &str) -> impl Iterator<Item = &str> {
    s.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// URLs, one per line; a comma starts a new URL only when an http(s)://
/// follows it (a comma inside a query stays).
fn parse_urls(s: &str) -> Result<Vec<Url>, String> {
    let mut out = Vec::new();
    for line in lines(s) {
        let mut pieces: Vec<String> = Vec::new();
        for piece in line.split(',') {
            let t = piece.trim_start();
            let starts_url = t.starts_with("http://") || t.starts_with("https://");
            match pieces.last_mut() {
                Some(last) if !starts_url => {
                    last.push(',');
                    last.push_str(piece);
                }
                _ => pieces.push(piece.to_owned()),
            }
        }
        for p in pieces {
            if p.trim().is_empty() {
                continue;
            }
            out.push(probe::parse_url(&p).map_err(|e| e.to_string())?);
        }
    }
    if out.is_empty() {
        return Err("expected a URL such as https://example.com/health".into());
    }
    Ok(out)
}

fn parse_tcps(s: &str) -> Result<Vec<TcpTarget>, String> {
    let targets: Vec<TcpTarget> = s
        .split(|c: char| c == ',' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| TcpTarget::parse(p).map_err(|e| e.to_string()))
        .collect::<Result<_, _>>()?;
    if targets.is_empty() {
        return Err("expected HOST:PORT, e.g. localhost:5432".into());
    }
    Ok(targets)
}

fn parse_headers(s: &str) -> Result<Vec<Header>, String> {
    lines(s)
        .map(|l| Header::parse(l).map_err(|e| e.to_string()))
        .collect()
}

fn parse_json_assertions(s: &str) -> Result<Vec<Expectation>, String> {
    lines(s)
        .map(|l| Expectation::parse_json_assertion(l).map_err(|e| e.to_string()))
        .collect()
}

fn parse_status(s: &str) -> Result<StatusExpect, String> {
    StatusExpect::parse(s).map_err(|e| e.to_string())
}

fn parse_body_regex(s: &str) -> Result<Expectation, String> {
    Expectation::body_matches(s).map_err(|e| e.to_string())
}

fn parse_path(s: &str) -> Result<JsonPathExpr, String> {
    JsonPathExpr::parse(s).map_err(|e| e.to_string())
}

fn parse_method(s: &str) -> Result<Method, String> {
    probe::parse_method(s).map_err(|e| e.to_string())
}

fn positive_duration(s: &str) -> Result<Duration, String> {
    let d = gha::cli::duration(s)?;
    if d.is_zero() {
        return Err(format!(
            "'{}' is zero: expected a positive duration such as 5s",
            s.trim()
        ));
    }
    Ok(d)
}

/// A wait between attempts: at least [`health_check::MIN_INTERVAL`], so a
/// typo such as `0s` cannot hammer the service.
fn interval(s: &str) -> Result<Duration, String> {
    let d = gha::cli::duration(s)?;
    if d < health_check::MIN_INTERVAL {
        return Err(format!(
            "'{}' is below the floor of {}: expected at least 100ms, such as 5s",
            s.trim(),
            gha::cli::human_duration(health_check::MIN_INTERVAL)
        ));
    }
    Ok(d)
}

fn parse_backoff(s: &str) -> Result<Backoff, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "fixed" => Ok(Backoff::Fixed),
        "exponential" | "exp" => Ok(Backoff::Exponential),
        other => Err(format!("'{other}': expected fixed or exponential")),
    }
}

fn parse_count(s: &str) -> Result<u32, String> {
    s.trim()
        .parse()
        .map_err(|_| format!("'{}': expected a whole number such as 10", s.trim()))
}

fn parse_threshold(s: &str) -> Result<u32, String> {
    match parse_count(s)? {
        0 => Err("'0': expected at least 1".into()),
        n => Ok(n),
    }
}

fn parse_bool(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "1" | "on" => Ok(true),
        "false" | "no" | "0" | "off" | "" => Ok(false),
        other => Err(format!("'{other}': expected true or false")),
    }
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
    fn url_lists_split_on_lines_and_scheme_commas() {
        let urls = parse_urls(
            "https://a.example/health\n\n# comment\nhttp://b.example/x?ids=1,2, https://c.example/",
        )
        .unwrap();
        let texts: Vec<&str> = urls.iter().map(Url::as_str).collect();
        assert_eq!(
            texts,
            [
                "https://a.example/health",
                "http://b.example/x?ids=1,2",
                "https://c.example/"
            ]
        );
        assert!(parse_urls("ftp://x").is_err());
        assert!(parse_urls("  \n ").is_err());
    }

    #[test]
    fn tcp_lists_split_on_commas_and_whitespace() {
        let t = parse_tcps("db:5432, cache:6379\n[::1]:80").unwrap();
        assert_eq!(t.len(), 3);
        assert!(parse_tcps("db").is_err());
    }

    #[test]
    fn header_and_json_lists_split_on_lines_only() {
        let h = parse_headers("Accept: a, b\nX-Api-Key: k").unwrap();
        assert_eq!(h.len(), 2);
        assert_eq!(h[0].value(), "a, b");
        let j = parse_json_assertions("$.tags=[\"a\",\"b\"]\n$.ok=true").unwrap();
        assert_eq!(j.len(), 2);
    }

    #[test]
    fn booleans_from_actions() {
        assert_eq!(parse_bool("true"), Ok(true));
        assert_eq!(parse_bool(" False "), Ok(false));
        assert!(parse_bool("maybe").is_err());
    }
}
