//! Just enough HTTP/1.1 (RFC 9112) for a demo service, with every read
//! bounded: the request head, the number of headers, the body (by
//! `Content-Length` or chunked), and the time spent waiting.

// Hand-written: hyper (under axum) answers an unknown HTTP version 400 and a long head 431 by byte size only, where the service's tests assert 505 and a header-count 431; an axum port needs a pre-parse of the request line and header count in front of hyper to keep those answers.

use std::io::{self, BufRead, Read, Write};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Bounds on what one connection may cost the server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Request line plus headers, in bytes.
    pub max_head_bytes: usize,
    /// Number of header fields.
    pub max_headers: usize,
    /// Decoded request body, in bytes.
    pub max_body_bytes: usize,
    /// How long a connection may sit idle (or stall mid-request).
    pub idle_timeout: Duration,
    /// Requests served on one keep-alive connection before it is closed.
    pub max_requests_per_connection: usize,
    /// Connections served at once; more are answered 503 and closed.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            max_head_bytes: 16 * 1024,
            max_headers: 64,
            max_body_bytes: 64 * 1024,
            idle_timeout: Duration::from_secs(15),
            max_requests_per_connection: 1000,
            max_connections: 256,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    Http10,
    Http11,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Request {
    pub method: String,
    /// The path without the query string.
    pub path: String,
    pub query: Option<String>,
    pub version: Version,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Request {
    /// The first header with this name (case-insensitive).
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn connection_has(&self, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("connection"))
            .flat_map(|(_, v)| v.split(','))
            .any(|t| t.trim().eq_ignore_ascii_case(token))
    }

    /// Whether the connection stays open after the response: HTTP/1.1
    /// unless `Connection: close`, HTTP/1.0 only with `Connection: keep-alive`.
    pub fn keep_alive(&self) -> bool {
        match self.version {
            Version::Http11 => !self.connection_has("close"),
            Version::Http10 => self.connection_has("keep-alive"),
        }
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The peer closed the connection, or it sat idle past the timeout,
    /// between requests: nothing to answer.
    Closed,
    /// The socket failed mid-request.
    Io(io::Error),
    /// The request is invalid; answer with this status and close.
    Bad { status: u16, message: String },
}

impl From<io::Error> for ReadError {
    fn from(e: io::Error) -> Self {
        if is_timeout(&e) {
            bad(408, "the request was not completed in time")
        } else {
            ReadError::Io(e)
        }
    }
}

fn bad(status: u16, message: impl Into<String>) -> ReadError {
    ReadError::Bad {
        status,
        message: message.into(),
    }
}

fn is_timeout(e: &io::Error) -> bool {
    matches!(
        e.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

/// Reads one request. `interim` receives the `100 Continue` an
/// `Expect: 100-continue` client waits for before sending its body.
pub fn read_request<R: BufRead, W: Write>(
    reader: &mut R,
    interim: &mut W,
    limits: &Limits,
) -> Result<Request, ReadError> {
    let head = read_head(reader, limits)?;
    let head = String::from_utf8(head).map_err(|_| bad(400, "the request head is not UTF-8"))?;
    let mut lines = head.split('\n').map(|l| l.strip_suffix('\r').unwrap_or(l));

    let request_line = lines.next().unwrap_or_default();
    let mut parts = request_line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(bad(400, format!("malformed request line {request_line:?}")));
    };
    if method.is_empty() || !method.bytes().all(is_token_byte) {
        return Err(bad(400, format!("invalid method {method:?}")));
    }
    let version = match version {
        "HTTP/1.1" => Version::Http11,
        "HTTP/1.0" => Version::Http10,
        v if v.starts_with("HTTP/") => {
            return Err(bad(505, format!("HTTP version {v:?} is not supported")));
        }
        v => return Err(bad(400, format!("invalid HTTP version {v:?}"))),
    };
    let (path, query) = split_target(target)?;

    let mut headers = Vec::new();
    for line in lines {
        if line.is_empty() {
            break;
        }
        if line.starts_with([' ', '\t']) {
            return Err(bad(400, "obsolete line folding is not accepted"));
        }
        let Some((name, value)) = line.split_once(':') else {
            return Err(bad(400, format!("malformed header line {line:?}")));
        };
        if name.is_empty() || !name.bytes().all(is_token_byte) {
            return Err(bad(400, format!("invalid header name {name:?}")));
        }
        if headers.len() == limits.max_headers {
            return Err(bad(
                431,
                format!("more than {} header fields", limits.max_headers),
            ));
        }
        headers.push((name.to_owned(), value.trim_matches([' ', '\t']).to_owned()));
    }

    let mut request = Request {
        method: method.to_owned(),
        path,
        query,
        version,
        headers,
        body: Vec::new(),
    };
    if version == Version::Http11 && request.header("host").is_none() {
        return Err(bad(400, "HTTP/1.1 requests must carry a Host header"));
    }
    request.body = read_body(&request, reader, interim, limits)?;
    Ok(request)
}

/// Reads up to and including the blank line that ends the head, skipping
/// empty lines before the request line (RFC 9112 §2.2).
fn read_head<R: BufRead>(reader: &mut R, limits: &Limits) -> Result<Vec<u8>, ReadError> {
    let mut head = Vec::new();
    let mut skipped = 0;
    loop {
        let room = limits.max_head_bytes.saturating_sub(head.len()) as u64 + 1;
        let mut line = Vec::new();
        let read = reader.by_ref().take(room).read_until(b'\n', &mut line);
        match read {
            Ok(_) => {}
            Err(e) if is_timeout(&e) && head.is_empty() && line.is_empty() => {
                return Err(ReadError::Closed);
            }
            Err(e) => return Err(e.into()),
        }
        if line.is_empty() {
            return if head.is_empty() {
                Err(ReadError::Closed)
            } else {
                Err(bad(400, "the connection closed mid-request"))
            };
        }
        if head.len() + line.len() > limits.max_head_bytes {
            return Err(bad(
                431,
                format!(
                    "the request head is larger than {} bytes",
                    limits.max_head_bytes
                ),
            ));
        }
        if !line.ends_with(b"\n") {
            return Err(bad(400, "the connection closed mid-request"));
        }
        let blank = line == b"\r\n" || line == b"\n";
        if blank && head.is_empty() {
            skipped += 1;
            if skipped > 8 {
                return Err(bad(400, "too many empty lines before the request"));
            }
            continue;
        }
        head.extend_from_slice(&line);
        if blank {
            return Ok(head);
        }
    }
}

fn split_target(target: &str) -> Result<(String, Option<String>), ReadError> {
    // absolute-form (`http://host/path`) is allowed for proxies' sake.
    let origin = if let Some(rest) = target
        .strip_prefix("http://")
        .or_else(|| target.strip_prefix("https://"))
    {
        rest.find('/').map_or("/", |i| &rest[i..])
    } else {
        target
    };
    if !origin.starts_with('/') {
        return Err(bad(400, format!("invalid request target {target:?}")));
    }
    let origin = origin.split('#').next().unwrap_or(origin);
    Ok(match origin.split_once('?') {
        Some((p, q)) => (p.to_owned(), Some(q.to_owned())),
        None => (origin.to_owned(), None),
    })
}

fn is_token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"!#$%&'*+-.^_`|~".contains(&b)
}

fn read_body<R: BufRead, W: Write>(
    request: &Request,
    reader: &mut R,
    interim: &mut W,
    limits: &Limits,
) -> Result<Vec<u8>, ReadError> {
    let te: Vec<&str> = request
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("transfer-encoding"))
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .filter(|t| !t.is_empty())
        .collect();
    let lengths: Vec<&str> = request
        .headers
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case("content-length"))
        .flat_map(|(_, v)| v.split(','))
        .map(str::trim)
        .collect();
    if !te.is_empty() && !lengths.is_empty() {
        return Err(bad(
            400,
            "Content-Length and Transfer-Encoding must not both be sent",
        ));
    }

    let expect = request.header("expect");
    let continue_expected = match expect {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("100-continue") => request.version == Version::Http11,
        Some(v) => return Err(bad(417, format!("unsupported expectation {v:?}"))),
    };
    let send_continue = |w: &mut W| -> Result<(), ReadError> {
        if continue_expected {
            w.write_all(b"HTTP/1.1 100 Continue\r\n\r\n")?;
            w.flush()?;
        }
        Ok(())
    };

    if !te.is_empty() {
        if request.version == Version::Http10 {
            return Err(bad(400, "Transfer-Encoding is not allowed in HTTP/1.0"));
        }
        if te.len() != 1 || !te[0].eq_ignore_ascii_case("chunked") {
            return Err(bad(
                501,
                format!(
                    "unsupported Transfer-Encoding {:?}: only chunked is accepted",
                    te.join(", ")
                ),
            ));
        }
        send_continue(interim)?;
        return read_chunked(reader, limits);
    }

    let Some(first) = lengths.first() else {
        return Ok(Vec::new());
    };
    if lengths.iter().any(|l| l != first) {
        return Err(bad(400, "conflicting Content-Length values"));
    }
    if first.is_empty() || !first.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad(400, format!("invalid Content-Length {first:?}")));
    }
    let length: usize = first.parse().unwrap_or(usize::MAX);
    if length > limits.max_body_bytes {
        return Err(bad(
            413,
            format!(
                "the body is {length} bytes; at most {} are accepted",
                limits.max_body_bytes
            ),
        ));
    }
    if length == 0 {
        return Ok(Vec::new());
    }
    send_continue(interim)?;
    let mut body = vec![0; length];
    reader.read_exact(&mut body).map_err(|e| {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            bad(400, "the connection closed before the whole body arrived")
        } else {
            e.into()
        }
    })?;
    Ok(body)
}

fn read_chunked<R: BufRead>(reader: &mut R, limits: &Limits) -> Result<Vec<u8>, ReadError> {
    let mut body = Vec::new();
    loop {
        let line = read_short_line(reader)?;
        let size = line.split(';').next().unwrap_or_default().trim();
        let size = usize::from_str_radix(size, 16)
            .ok()
            .filter(|_| !size.is_empty() && size.len() <= 16)
            .ok_or_else(|| bad(400, format!("invalid chunk size {line:?}")))?;
        if size == 0 {
            break;
        }
        if body.len().saturating_add(size) > limits.max_body_bytes {
            return Err(bad(
                413,
                format!("the chunked body exceeds {} bytes", limits.max_body_bytes),
            ));
        }
        let start = body.len();
        body.resize(start + size, 0);
        reader.read_exact(&mut body[start..])?;
        if !read_short_line(reader)?.is_empty() {
            return Err(bad(400, "a chunk is longer than its declared size"));
        }
    }
    // Trailer fields are read and dropped.
    let mut trailer_bytes = 0;
    loop {
        let line = read_short_line(reader)?;
        if line.is_empty() {
            return Ok(body);
        }
        trailer_bytes += line.len();
        if trailer_bytes > limits.max_head_bytes {
            return Err(bad(431, "the chunked trailer is too large"));
        }
    }
}

/// A CRLF-terminated line of at most 1 KiB (chunk sizes, trailers).
fn read_short_line<R: BufRead>(reader: &mut R) -> Result<String, ReadError> {
    let mut line = Vec::new();
    reader.by_ref().take(1025).read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\n") {
        return Err(if line.len() > 1024 {
            bad(400, "a chunk line is too long")
        } else {
            bad(400, "the connection closed mid-body")
        });
    }
    line.pop();
    if line.last() == Some(&b'\r') {
        line.pop();
    }
    String::from_utf8(line).map_err(|_| bad(400, "a chunk line is not UTF-8"))
}

/// A response: status, extra headers, body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Response {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn json(status: u16, value: &serde_json::Value) -> Self {
        let mut body = value.to_string().into_bytes();
        body.push(b'\n');
        Self {
            status,
            headers: vec![("Content-Type".into(), "application/json".into())],
            body,
        }
    }

    pub fn with_header(mut self, name: &str, value: impl Into<String>) -> Self {
        self.headers.push((name.to_owned(), value.into()));
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// The bytes on the wire. `head_only` leaves the body out (HEAD) but
    /// keeps its `Content-Length`.
    pub fn to_bytes(&self, keep_alive: bool, head_only: bool, now: SystemTime) -> Vec<u8> {
        let mut out = format!("HTTP/1.1 {} {}\r\n", self.status, reason(self.status));
        out.push_str(&format!("Date: {}\r\n", http_date(now)));
        for (k, v) in &self.headers {
            out.push_str(&format!("{k}: {v}\r\n"));
        }
        out.push_str(&format!("Content-Length: {}\r\n", self.body.len()));
        out.push_str(if keep_alive {
            "Connection: keep-alive\r\n\r\n"
        } else {
            "Connection: close\r\n\r\n"
        });
        let mut bytes = out.into_bytes();
        if !head_only {
            bytes.extend_from_slice(&self.body);
        }
        bytes
    }
}

pub fn reason(status: u16) -> &'static str {
    match status {
        100 => "Continue",
        200 => "OK",
        201 => "Created",
        204 => "No Content",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        417 => "Expectation Failed",
        422 => "Unprocessable Content",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        507 => "Insufficient Storage",
        _ => "Unknown",
    }
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`), always UTC.
pub fn http_date(t: SystemTime) -> String {
    let secs = t.duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    let (h, m, s) = (rem / 3600, rem % 3600 / 60, rem % 60);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let weekday = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"][days.rem_euclid(7) as usize];
    let month_name = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ][(month - 1) as usize];
    format!("{weekday}, {day:02} {month_name} {year} {h:02}:{m:02}:{s:02} GMT")
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Cursor;

    fn read(raw: &str) -> Result<Request, ReadError> {
        read_with(raw, &Limits::default()).0
    }

    fn read_with(raw: &str, limits: &Limits) -> (Result<Request, ReadError>, Vec<u8>) {
        let mut reader = Cursor::new(raw.as_bytes().to_vec());
        let mut interim = Vec::new();
        let r = read_request(&mut reader, &mut interim, limits);
        (r, interim)
    }

    fn status_of(r: Result<Request, ReadError>) -> u16 {
        match r {
            Err(ReadError::Bad { status, .. }) => status,
            other => panic!("expected a bad request, got {other:?}"),
        }
    }

    #[test]
    fn parses_a_simple_get() {
        let r = read("GET /health?x=1 HTTP/1.1\r\nHost: a\r\nX-Two:  b \r\n\r\n").unwrap();
        assert_eq!(r.method, "GET");
        assert_eq!(r.path, "/health");
        assert_eq!(r.query.as_deref(), Some("x=1"));
        assert_eq!(r.header("x-two"), Some("b"));
        assert!(r.keep_alive());
        assert!(r.body.is_empty());
    }

    #[test]
    fn bare_newlines_and_leading_blank_lines_are_tolerated() {
        let r = read("\r\n\nGET / HTTP/1.1\nHost: a\n\n").unwrap();
        assert_eq!(r.path, "/");
    }

    #[test]
    fn connection_semantics_follow_the_version() {
        let close = read("GET / HTTP/1.1\r\nHost: a\r\nConnection: Close\r\n\r\n").unwrap();
        assert!(!close.keep_alive());
        let old = read("GET / HTTP/1.0\r\n\r\n").unwrap();
        assert!(!old.keep_alive());
        let old_ka = read("GET / HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").unwrap();
        assert!(old_ka.keep_alive());
    }

    #[test]
    fn content_length_body() {
        let r = read("POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhelloEXTRA").unwrap();
        assert_eq!(r.body, b"hello");
    }

    #[test]
    fn chunked_body_with_extensions_and_trailers() {
        let raw = "POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n\
                   4;ext=1\r\nWiki\r\n5\r\npedia\r\n0\r\nX-Trailer: t\r\n\r\n";
        let r = read(raw).unwrap();
        assert_eq!(r.body, b"Wikipedia");
    }

    #[test]
    fn expect_continue_is_answered_before_the_body() {
        let raw =
            "POST /x HTTP/1.1\r\nHost: a\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok";
        let (r, interim) = read_with(raw, &Limits::default());
        assert_eq!(r.unwrap().body, b"ok");
        assert_eq!(interim, b"HTTP/1.1 100 Continue\r\n\r\n");
    }

    #[test]
    fn bad_requests_get_the_right_status() {
        assert_eq!(status_of(read("GET /\r\n\r\n")), 400);
        assert_eq!(status_of(read("GET / HTTP/2.0\r\n\r\n")), 505);
        assert_eq!(status_of(read("GET / FTP/1.0\r\n\r\n")), 400);
        assert_eq!(
            status_of(read("GET nopath HTTP/1.1\r\nHost: a\r\n\r\n")),
            400
        );
        assert_eq!(
            status_of(read("GET / HTTP/1.1\r\n\r\n")),
            400,
            "missing Host"
        );
        assert_eq!(
            status_of(read("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n\r\n")),
            400
        );
        assert_eq!(status_of(read("GET / HTTP/1.1\r\nHost : a\r\n\r\n")), 400);
        assert_eq!(
            status_of(read(
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"
            )),
            400
        );
        assert_eq!(
            status_of(read(
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n"
            )),
            400
        );
        assert_eq!(
            status_of(read(
                "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"
            )),
            501
        );
        assert_eq!(
            status_of(read("POST / HTTP/1.1\r\nHost: a\r\nExpect: magic\r\n\r\n")),
            417
        );
        assert_eq!(
            status_of(read(
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\nshort"
            )),
            400
        );
        assert_eq!(
            status_of(read(
                "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"
            )),
            400
        );
        assert_eq!(
            status_of(read("GET / HTTP/1.1\r\nHost: a\r\n")),
            400,
            "no blank line"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_head_bytes: 64,
            max_headers: 2,
            max_body_bytes: 8,
            ..Limits::default()
        };
        let long = format!("GET /{} HTTP/1.1\r\nHost: a\r\n\r\n", "a".repeat(100));
        assert_eq!(status_of(read_with(&long, &limits).0), 431);
        let many = "GET / HTTP/1.1\r\nHost: a\r\nA: 1\r\nB: 2\r\n\r\n";
        assert_eq!(status_of(read_with(many, &limits).0), 431);
        let big = "POST / HTTP/1.1\r\nHost: a\r\nContent-Length: 9\r\n\r\n123456789";
        assert_eq!(status_of(read_with(big, &limits).0), 413);
        let chunked = "POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n12345\r\n5\r\n67890\r\n0\r\n\r\n";
        assert_eq!(status_of(read_with(chunked, &limits).0), 413);
    }

    #[test]
    fn eof_before_a_request_is_a_clean_close() {
        assert!(matches!(read(""), Err(ReadError::Closed)));
    }

    #[test]
    fn responses_carry_length_and_connection() {
        let r = Response::json(200, &serde_json::json!({"a": 1}));
        let text = String::from_utf8(r.to_bytes(true, false, UNIX_EPOCH)).unwrap();
        assert!(text.starts_with("HTTP/1.1 200 OK\r\nDate: Thu, 01 Jan 1970 00:00:00 GMT\r\n"));
        assert!(text.contains("Content-Length: 8\r\n"));
        assert!(text.contains("Connection: keep-alive\r\n\r\n{\"a\":1}\n"));
        let head = String::from_utf8(r.to_bytes(false, true, UNIX_EPOCH)).unwrap();
        assert!(head.ends_with("Content-Length: 8\r\nConnection: close\r\n\r\n"));
    }

    #[test]
    fn http_dates() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(http_date(leap), "Tue, 29 Feb 2000 00:00:00 GMT");
    }
}
