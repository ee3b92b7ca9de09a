//! Glob patterns as GitHub uses them in branch filters and artifact paths:
//! `*` (not across `/`), `**` (across `/`; `**/` also matches nothing),
//! `?` (one character, not `/`), `[abc]` / `[a-z]` / `[!a]` classes.

pub fn is_glob(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

pub fn matches(pattern: &str, text: &str) -> bool {
    let p: Vec<char> = pattern.chars().collect();
    let s: Vec<char> = text.chars().collect();
    m(&p, &s)
}

fn m(p: &[char], s: &[char]) -> bool {
    match p.first() {
        None => s.is_empty(),
        Some('*') if p.get(1) == Some(&'*') => {
            let rest = &p[2..];
            if rest.first() == Some(&'/') {
                let after = &rest[1..];
                if m(after, s) {
                    return true;
                }
                (0..s.len()).any(|i| s[i] == '/' && m(after, &s[i + 1..]))
            } else {
                (0..=s.len()).any(|i| m(rest, &s[i..]))
            }
        }
        Some('*') => {
            for i in 0..=s.len() {
                if m(&p[1..], &s[i..]) {
                    return true;
                }
                if i < s.len() && s[i] == '/' {
                    break;
                }
            }
            false
        }
        Some('?') => !s.is_empty() && s[0] != '/' && m(&p[1..], &s[1..]),
        Some('[') => {
            let Some(close) = p.iter().skip(1).position(|c| *c == ']').map(|i| i + 1) else {
                return !s.is_empty() && s[0] == '[' && m(&p[1..], &s[1..]);
            };
            let Some(&c) = s.first() else {
                return false;
            };
            let class = &p[1..close];
            let (negate, class) = match class.first() {
                Some('!' | '^') => (true, &class[1..]),
                _ => (false, class),
            };
            let mut hit = false;
            let mut i = 0;
            while i < class.len() {
                if i + 2 < class.len() && class[i + 1] == '-' {
                    hit |= class[i] <= c && c <= class[i + 2];
                    i += 3;
                } else {
                    hit |= class[i] == c;
                    i += 1;
                }
            }
            hit != negate && c != '/' && m(&p[close + 1..], &s[1..])
        }
        Some(&c) => s.first() == Some(&c) && m(&p[1..], &s[1..]),
    }
}

/// GitHub's branch/tag filter lists: patterns in order, `!` negates; the
/// last matching pattern decides.
pub fn filter_matches(patterns: &[String], name: &str) -> bool {
    let mut result = false;
    for p in patterns {
        match p.strip_prefix('!') {
            Some(neg) if matches(neg, name) => result = false,
            None if matches(p, name) => result = true,
            _ => {}
        }
    }
    result
}
