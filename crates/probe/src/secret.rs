//! Which request parts are secrets, and how to show a URL without them.
//!
//! Sensitive: the values of `Authorization`, `Proxy-Authorization`,
//! `Cookie`, and of every header whose name contains `token`, `key` or
//! `secret` (any case: `X-Api-Key`, `X-Auth-Token`, `Client-Secret`); the
//! password in a URL (`https://user:pass@host`); and the values of query
//! parameters whose names contain `token`, `key`, `secret`, `password` or
//! `signature` (`?access_token=…`, `?X-Amz-Signature=…`). Callers mask them
//! (`runner.mask`) before printing anything; this crate never puts them in
//! `Debug` output or error messages.

use reqwest::Url;

/// True for a header whose value is a secret.
pub fn is_sensitive_header(name: &str) -> bool {
    let n = name.trim().to_ascii_lowercase();
    matches!(
        n.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie"
    ) || ["token", "key", "secret"].iter().any(|w| n.contains(w))
}

/// True for a query parameter whose value is a secret.
pub fn is_sensitive_param(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    n == "sig"
        || ["token", "key", "secret", "password", "signature"]
            .iter()
            .any(|w| n.contains(w))
}

/// The strings to mask for a sensitive header value: the value itself and,
/// for `Scheme credentials` forms (`Bearer abc`, `Basic xyz`), the
/// credentials alone, so a server echoing the bare token is masked too.
pub fn header_secrets(value: &str) -> Vec<String> {
    let value = value.trim();
    let mut out = Vec::new();
    if value.is_empty() {
        return out;
    }
    out.push(value.to_owned());
    if let Some((scheme, rest)) = value.split_once(' ') {
        let rest = rest.trim();
        if !scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-')
            && rest.len() >= 4
        {
            out.push(rest.to_owned());
        }
    }
    // `Cookie: a=1; session=abc`: each cookie value on its own too.
    if value.contains('=') {
        for part in value.split(';') {
            if let Some((_, v)) = part.split_once('=') {
                let v = v.trim();
                if v.len() >= 4 && !out.iter().any(|o| o == v) {
                    out.push(v.to_owned());
                }
            }
        }
    }
    out
}

/// The secrets inside a URL: its password and sensitive query values, both
/// as they appear in the URL text and decoded.
pub fn url_secrets(url: &Url) -> Vec<String> {
    let mut out = Vec::new();
    let mut push = |v: &str| {
        if !v.is_empty() && !out.iter().any(|o| o == v) {
            out.push(v.to_owned());
        }
    };
    if let Some(p) = url.password() {
        push(p);
        if let Some(decoded) = percent_decode(p) {
            push(&decoded);
        }
    }
    for pair in url.query().unwrap_or("").split('&') {
        if let Some((k, v)) = pair.split_once('=') {
            let key = percent_decode(k).unwrap_or_else(|| k.to_owned());
            if is_sensitive_param(&key) {
                push(v);
                if let Some(decoded) = percent_decode(&v.replace('+', " ")) {
                    push(&decoded);
                }
            }
        }
    }
    out
}

/// The URL as it may be shown: the password and sensitive query values
/// replaced by `***`, the fragment dropped.
pub fn display_url(url: &Url) -> String {
    let mut u = url.clone();
    if u.password().is_some() {
        let _ = u.set_password(Some("***"));
    }
    u.set_fragment(None);
    if u.query().is_some() && u.query_pairs().any(|(k, _)| is_sensitive_param(&k)) {
        let pairs: Vec<(String, String)> = u
            .query_pairs()
            .map(|(k, v)| {
                let v = if is_sensitive_param(&k) {
                    "***".to_owned()
                } else {
                    v.into_owned()
                };
                (k.into_owned(), v)
            })
            .collect();
        u.query_pairs_mut().clear().extend_pairs(pairs);
        return u.as_str().replace("%2A%2A%2A", "***");
    }
    u.to_string()
}

// Hand-written: a malformed `%` escape must refuse (None); percent-encoding's
// percent_decode_str passes it through unchanged.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_headers() {
        for h in [
            "Authorization",
            "authorization",
            "Cookie",
            "X-Api-Key",
            "X-Auth-Token",
            "client-secret",
            "Proxy-Authorization",
            "KEY",
        ] {
            assert!(is_sensitive_header(h), "{h}");
        }
        for h in ["Accept", "Content-Type", "X-Request-Id", "User-Agent"] {
            assert!(!is_sensitive_header(h), "{h}");
        }
    }

    #[test]
    fn sensitive_params() {
        for p in [
            "token",
            "access_token",
            "api_key",
            "X-Amz-Signature",
            "sig",
            "password",
        ] {
            assert!(is_sensitive_param(p), "{p}");
        }
        for p in ["page", "q", "design", "signal"] {
            assert!(!is_sensitive_param(p), "{p}");
        }
    }

    #[test]
    fn header_secrets_include_bare_credentials() {
        assert_eq!(
            header_secrets("Bearer abc.def.ghi"),
            ["Bearer abc.def.ghi", "abc.def.ghi"]
        );
        assert_eq!(header_secrets("s3cr3t"), ["s3cr3t"]);
        assert_eq!(
            header_secrets("a=1; session=abcdef"),
            ["a=1; session=abcdef", "abcdef"]
        );
        assert!(header_secrets("  ").is_empty());
    }

    #[test]
    fn urls_are_shown_without_secrets() {
        let u = Url::parse("https://me:p%40ss@example.com/h?access_token=xyz&page=2#frag").unwrap();
        let shown = display_url(&u);
        assert_eq!(
            shown,
            "https://me:***@example.com/h?access_token=***&page=2"
        );
        let secrets = url_secrets(&u);
        assert!(secrets.contains(&"p%40ss".to_owned()));
        assert!(secrets.contains(&"p@ss".to_owned()));
        assert!(secrets.contains(&"xyz".to_owned()));
        let plain = Url::parse("http://127.0.0.1:8080/health?x=1").unwrap();
        assert_eq!(display_url(&plain), "http://127.0.0.1:8080/health?x=1");
        assert!(url_secrets(&plain).is_empty());
    }
}
