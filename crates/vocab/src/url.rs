//! Secrets in URLs: one rule for every message a shipgate binary shows.
//!
//! In any `scheme://…` found in a text, the userinfo (`user:password@`)
//! becomes `***@`, and the value of every query or fragment parameter whose
//! name looks secret (it contains `token`, `key`, `secret`, `pass`, `pwd`,
//! `auth`, `sig`, `credential` or `session`, in any case) becomes `***`.
//! `http://u:PW@host/x?token=S&page=2` is shown as
//! `http://***@host/x?token=***&page=2`.
//!
//! Hand-written rather than a URL parser: the text to clean is often a
//! malformed URL inside an error message, which a parser would refuse.

/// Parameter names (lower case) whose values are never shown.
const SECRET_NAMES: &[&str] = &[
    "token",
    "key",
    "secret",
    "pass",
    "pwd",
    "auth",
    "sig",
    "credential",
    "session",
];

/// Where a URL ends inside running text.
fn ends_url(c: char) -> bool {
    c.is_whitespace() || c.is_control() || matches!(c, '\'' | '"' | '<' | '>' | '`')
}

/// `text` with the userinfo and secret-looking parameter values of every URL
/// in it replaced by `***`.
pub fn redact(text: &str) -> String {
    if !text.contains("://") {
        return text.to_owned();
    }
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("://") {
        // The URL starts at its scheme, just before `://`.
        let scheme_start = rest[..at]
            .char_indices()
            .rev()
            .take_while(|&(_, c)| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
            .last()
            .map_or(at, |(i, _)| i);
        out.push_str(&rest[..scheme_start]);
        let body_start = at + 3;
        let end = rest[body_start..]
            .find(ends_url)
            .map_or(rest.len(), |i| body_start + i);
        out.push_str(&rest[scheme_start..body_start]);
        out.push_str(&redact_after_scheme(&rest[body_start..end]));
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// `host/path?query#fragment` with its secrets replaced.
fn redact_after_scheme(url: &str) -> String {
    let auth_end = url.find(['/', '?', '#']).unwrap_or(url.len());
    let mut out = String::with_capacity(url.len());
    match url[..auth_end].rfind('@') {
        Some(at) => {
            out.push_str("***");
            out.push_str(&url[at..auth_end]);
        }
        None => out.push_str(&url[..auth_end]),
    }
    let tail = &url[auth_end..];
    // The path (up to `?` or `#`) stays; parameters after `?` and `#` are
    // checked one by one.
    let params_at = tail.find(['?', '#']).unwrap_or(tail.len());
    out.push_str(&tail[..params_at]);
    let mut params = &tail[params_at..];
    while let Some(sep) = params.chars().next() {
        out.push(sep);
        params = &params[sep.len_utf8()..];
        // A second `?` starts a parameter too (`?a=1?token=S`).
        let end = params.find(['&', '#', ';', '?']).unwrap_or(params.len());
        out.push_str(&redact_param(&params[..end]));
        params = &params[end..];
    }
    out
}

fn redact_param(param: &str) -> String {
    let Some((name, value)) = param.split_once('=') else {
        return param.to_owned();
    };
    let lower = name.to_ascii_lowercase();
    if value.is_empty() || !SECRET_NAMES.iter().any(|s| lower.contains(s)) {
        return param.to_owned();
    }
    // Punctuation that closes the sentence around the URL stays.
    let kept = value.trim_end_matches([')', ']', ',', '.']);
    format!("{name}=***{}", &value[kept.len()..])
}

/// Whether `url` carries a userinfo part (`user@` or `user:password@`).
pub fn has_userinfo(url: &str) -> bool {
    let body = url.split_once("://").map_or(url, |(_, b)| b);
    let auth_end = body.find(['/', '?', '#']).unwrap_or(body.len());
    body[..auth_end].contains('@')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn userinfo_is_redacted() {
        assert_eq!(redact("http://u:PW@host:1/x"), "http://***@host:1/x");
        assert_eq!(
            redact("cannot connect to https://x:y@a@b.example (refused)"),
            "cannot connect to https://***@b.example (refused)"
        );
        assert_eq!(redact("http://host/a@b"), "http://host/a@b");
    }

    #[test]
    fn secret_parameters_are_redacted() {
        assert_eq!(
            redact("GET http://x/?token=S&page=2&Access_Token=T#sig=Z"),
            "GET http://x/?token=***&page=2&Access_Token=***#sig=***"
        );
        assert_eq!(
            redact("'http://x/?X-Amz-Signature=abc&api_key=k)'"),
            "'http://x/?X-Amz-Signature=***&api_key=***)'"
        );
        assert_eq!(
            redact("invalid URL 'ht tp://x/?password=S': bad"),
            "invalid URL 'ht tp://x/?password=***': bad"
        );
        assert_eq!(redact("http://x/?q=a&sort="), "http://x/?q=a&sort=");
        assert_eq!(
            redact("http://x/?a=1%20?access_token=S"),
            "http://x/?a=1%20?access_token=***"
        );
    }

    #[test]
    fn text_without_urls_is_unchanged() {
        assert_eq!(redact("token=S is not a URL"), "token=S is not a URL");
        assert_eq!(redact("a::b ://"), "a::b ://");
        assert_eq!(
            redact("résumé https://é.example/ü?key=ß ok"),
            "résumé https://é.example/ü?key=*** ok"
        );
    }

    #[test]
    fn userinfo_is_detected() {
        assert!(has_userinfo("http://u:PW@127.0.0.1:1"));
        assert!(has_userinfo("https://token@api.example/x"));
        assert!(!has_userinfo("https://api.github.com/repos/a@b"));
        assert!(!has_userinfo("https://api.github.com"));
    }
}
