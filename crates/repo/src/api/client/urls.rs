//! API URLs: checked before a token travels to them, the GraphQL URL
//! derived, path segments encoded.

use crate::RepoError;

/// Checks an API URL: `https://`, or `http://` to this machine only (a
/// token must not cross a network in clear text).
pub(crate) fn check_url(what: &'static str, url: &str) -> Result<String, RepoError> {
    let url = url.trim().trim_end_matches('/').to_owned();
    // The value is quoted with its secrets redacted (userinfo, secret query
    // values), whatever is wrong with it.
    let bad = |why: &str| RepoError::InvalidInput {
        what,
        value: vocab::url::redact(&url),
        expected: format!("{why}, such as https://api.github.com"),
    };
    if vocab::url::has_userinfo(&url) {
        // The token authenticates; a password in the URL would be sent (and
        // shown) where no mask covers it.
        return Err(bad("a URL without credentials (no user:password@)"));
    }
    let uri: http::Uri = url.parse().map_err(|_| bad("an absolute http(s) URL"))?;
    let host = uri
        .host()
        .ok_or_else(|| bad("an absolute URL with a host"))?;
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if matches!(host, "127.0.0.1" | "localhost" | "[::1]" | "::1") => {
            // Plain HTTP to this machine only (tests, local proxies).
        }
        Some("http") => {
            return Err(bad(
                "an https:// URL (plain http only to 127.0.0.1 or localhost)",
            ));
        }
        _ => return Err(bad("an absolute http(s) URL")),
    }
    if uri.query().is_some() {
        return Err(bad("a URL without a query"));
    }
    Ok(url)
}

/// `GITHUB_GRAPHQL_URL` when not given: `https://api.github.com/graphql`,
/// or for GitHub Enterprise Server `https://HOST/api/graphql` from
/// `https://HOST/api/v3`.
pub fn default_graphql_url(api_url: &str) -> String {
    let base = api_url.trim().trim_end_matches('/');
    match base.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{base}/graphql"),
    }
}

pub(super) fn authority(url: &str) -> Option<String> {
    url.parse::<http::Uri>()
        .ok()
        .and_then(|u| u.authority().map(|a| a.as_str().to_ascii_lowercase()))
}

/// A path segment (or several, keeping `/`) made safe for a URL.
pub(crate) fn encode_path(s: &str) -> String {
    percent_encoding::utf8_percent_encode(s, PATH).to_string()
}

/// RFC 3986's unreserved characters and `/` stay; every other byte is `%XX`.
const PATH: &percent_encoding::AsciiSet = &percent_encoding::NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~')
    .remove(b'/');

#[cfg(test)]
mod tests {
    use super::encode_path;

    #[test]
    fn a_path_keeps_its_slashes_and_the_unreserved_characters() {
        assert_eq!(
            encode_path("svc/v1.2 x?#%ü~-_"),
            "svc/v1.2%20x%3F%23%25%C3%BC~-_"
        );
    }
}
