//! Short, single-line views of response bodies and values for failure
//! messages.

/// How many characters of a body a failure message shows by default.
pub const EXCERPT_CHARS: usize = 200;

/// The first [`EXCERPT_CHARS`] characters of `body` on one line: invalid
/// UTF-8 replaced (lossy), runs of whitespace and control characters folded
/// into one space, `…` appended when cut. Empty for an empty body.
pub fn excerpt(body: &[u8]) -> String {
    excerpt_chars(body, EXCERPT_CHARS)
}

/// [`excerpt`] with a chosen length.
pub fn excerpt_chars(body: &[u8], max: usize) -> String {
    // Decoding only a prefix keeps this cheap on a 1 MiB body; 4 bytes per
    // character at most, plus room for folded whitespace.
    let prefix = &body[..body.len().min(max.saturating_mul(8).max(64))];
    one_line(
        &String::from_utf8_lossy(prefix),
        max,
        prefix.len() < body.len(),
    )
}

/// `text` on one line, at most `max` characters, `…` when cut.
pub fn one_line_text(text: &str, max: usize) -> String {
    one_line(text, max, false)
}

fn one_line(text: &str, max: usize, more: bool) -> String {
    let mut out = String::new();
    let mut count = 0;
    let mut pending_space = false;
    let mut cut = false;
    for c in text.chars() {
        if c.is_whitespace() || c.is_control() {
            pending_space = count > 0;
            continue;
        }
        let needed = if pending_space { 2 } else { 1 };
        if count + needed > max {
            cut = true;
            break;
        }
        if pending_space {
            out.push(' ');
            count += 1;
            pending_space = false;
        }
        out.push(c);
        count += 1;
    }
    if cut || more && !out.is_empty() {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folds_whitespace_and_control_characters() {
        assert_eq!(excerpt(b"  {\n  \"ok\":\ttrue\r\n}\n"), "{ \"ok\": true }");
        assert_eq!(excerpt(b"a\x00\x1b[31mb"), "a [31mb");
        assert_eq!(excerpt(b""), "");
    }

    #[test]
    fn cuts_long_bodies() {
        let long = "x".repeat(1000);
        let e = excerpt(long.as_bytes());
        assert_eq!(e.chars().count(), EXCERPT_CHARS + 1);
        assert!(e.ends_with('…'));
        assert_eq!(excerpt_chars(b"abcdef", 3), "abc…");
        assert_eq!(excerpt_chars(b"abc", 3), "abc");
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(excerpt(b"ok \xff\xfe end"), "ok \u{fffd}\u{fffd} end");
    }

    #[test]
    fn a_cut_inside_a_character_stays_valid() {
        let body = "é".repeat(5000);
        let e = excerpt(body.as_bytes());
        assert!(e.starts_with("éé"));
        assert!(e.ends_with('…'));
    }
}
