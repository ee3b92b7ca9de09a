//! Tag names that git accepts and no shell can misread.
//!
//! [`check_tag_name`] applies git's `check-ref-format` rules for
//! `refs/tags/<name>` and then a stricter safe set: only ASCII letters,
//! digits, `.`, `_`, `-` and `/` (between parts). Nothing a shell would
//! interpret (`$ ( ) ; & | < > \` ' "`, spaces, globs) can pass, so a name
//! that passed may be used in a command line, a file name or a URL path.
//! [`check_component`] is the same for one part of a name (a version, a
//! stage, a service name): no `/` at all.

use std::fmt;

/// The longest part of a tag name, in bytes. Git stores a loose ref as a
/// file (plus a `.lock` file while writing it), and file names stop at 255.
pub const MAX_COMPONENT_LEN: usize = 200;

/// Why a name is not a safe git tag name. Every variant carries the value
/// and names the rule it broke.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RefnameError {
    #[error("empty name: expected letters, digits, '.', '_' or '-', such as {example}", example = example(*.component))]
    Empty { component: bool },

    #[error("{} contains '..', which git refuses in a ref name", Shown(value))]
    DoubleDot { value: String },

    #[error(
        "{} contains '@{{', which git refuses in a ref name (it means a reflog entry)",
        Shown(value)
    )]
    AtBrace { value: String },

    #[error(
        "{} is '@', which git refuses as a ref name (it means HEAD)",
        Shown(value)
    )]
    LoneAt { value: String },

    #[error(
        "{} has a part starting with '.', which git refuses in a ref name",
        Shown(value)
    )]
    LeadingDot { value: String },

    #[error(
        "{} has a part ending in '.lock', which git refuses in a ref name",
        Shown(value)
    )]
    LockSuffix { value: String },

    #[error("{} ends with '.', which git refuses in a ref name", Shown(value))]
    TrailingDot { value: String },

    #[error(
        "{} starts with '/', which git refuses in a tag name (empty first part)",
        Shown(value)
    )]
    LeadingSlash { value: String },

    #[error("{} ends with '/', which git refuses in a ref name", Shown(value))]
    TrailingSlash { value: String },

    #[error(
        "{} contains '//', which git refuses in a ref name (empty part)",
        Shown(value)
    )]
    DoubleSlash { value: String },

    #[error("{} contains '/', which is not allowed here: this is one part of a tag name, such as {example}", Shown(value), example = example(true))]
    Slash { value: String },

    #[error("{} contains {}, which {}; use only letters, digits, '.', '_', '-'{}", Shown(value), ShownChar(*ch), why(*ch), if *component { "" } else { " and '/'" })]
    Char {
        value: String,
        ch: char,
        component: bool,
    },

    #[error(
        "{} starts with '-', which a command line would read as an option",
        Shown(value)
    )]
    LeadingDash { value: String },

    #[error(
        "{} has a part of {len} bytes; the longest allowed is {MAX_COMPONENT_LEN} (git stores each part as a file name)",
        Shown(value)
    )]
    TooLong { value: String, len: usize },
}

impl RefnameError {
    /// The name that was refused (empty for [`RefnameError::Empty`]).
    pub fn value(&self) -> &str {
        match self {
            RefnameError::Empty { .. } => "",
            RefnameError::DoubleDot { value }
            | RefnameError::AtBrace { value }
            | RefnameError::LoneAt { value }
            | RefnameError::LeadingDot { value }
            | RefnameError::LockSuffix { value }
            | RefnameError::TrailingDot { value }
            | RefnameError::LeadingSlash { value }
            | RefnameError::TrailingSlash { value }
            | RefnameError::DoubleSlash { value }
            | RefnameError::Slash { value }
            | RefnameError::Char { value, .. }
            | RefnameError::LeadingDash { value }
            | RefnameError::TooLong { value, .. } => value,
        }
    }
}

impl crate::Classify for RefnameError {
    fn class(&self) -> crate::ErrorClass {
        crate::ErrorClass::Input
    }
}

fn example(component: bool) -> &'static str {
    if component {
        "'84fb5881-20250120-143022' or 'qa'"
    } else {
        "'build-84fb5881-20250120-143022' or 'shop/qa-84fb5881-20250120-143022'"
    }
}

fn why(ch: char) -> &'static str {
    match ch {
        ' ' => "git refuses in a ref name (a space)",
        c if c.is_control() => "git refuses in a ref name (a control character)",
        '~' | '^' | ':' | '?' | '*' | '[' | '\\' => "git refuses in a ref name",
        '$' | '`' | '(' | ')' | ';' | '&' | '|' | '<' | '>' | '\'' | '"' | '!' | '#' | '{'
        | '}' | ']' | '=' | '%' | ',' | '+' | '@' => "a shell or a URL could interpret",
        c if !c.is_ascii() => "is not ASCII",
        _ => "is outside the safe set",
    }
}

/// A value as it appears in a message: quoted, with control characters and
/// quotes escaped so a hostile value cannot forge lines or annotations.
struct Shown<'a>(&'a str);

impl fmt::Display for Shown<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const MAX: usize = 120;
        f.write_str("'")?;
        for (i, c) in self.0.chars().enumerate() {
            if i == MAX {
                f.write_str("…")?;
                break;
            }
            match c {
                '\'' => f.write_str("\\'")?,
                c if c.is_control() => write!(f, "{}", c.escape_default())?,
                c => write!(f, "{c}")?,
            }
        }
        f.write_str("'")
    }
}

struct ShownChar(char);

impl fmt::Display for ShownChar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            ' ' => f.write_str("a space"),
            '\'' => f.write_str("\"'\""),
            c if c.is_control() => write!(f, "'{}'", c.escape_default()),
            c => write!(f, "'{c}'"),
        }
    }
}

/// Checks a tag name (the part after `refs/tags/`): git's `check-ref-format`
/// rules plus the safe set `[A-Za-z0-9._/-]`.
pub fn check_tag_name(name: &str) -> Result<(), RefnameError> {
    check(name, false)
}

/// Checks one part of a tag name (a version, a stage, a service name): the
/// rules of [`check_tag_name`], and no `/`.
pub fn check_component(s: &str) -> Result<(), RefnameError> {
    check(s, true)
}

/// The character set a safe name is made of (plus `/` between parts).
pub fn is_safe_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-')
}

fn check(name: &str, component: bool) -> Result<(), RefnameError> {
    let value = || name.to_owned();
    if name.is_empty() {
        return Err(RefnameError::Empty { component });
    }
    // git's rules first, so the message cites the rule git itself applies.
    if name == "@" {
        return Err(RefnameError::LoneAt { value: value() });
    }
    if name.contains("@{") {
        return Err(RefnameError::AtBrace { value: value() });
    }
    if let Some(ch) = name
        .chars()
        .find(|c| c.is_control() || matches!(c, ' ' | '~' | '^' | ':' | '?' | '*' | '[' | '\\'))
    {
        return Err(RefnameError::Char {
            value: value(),
            ch,
            component,
        });
    }
    if name.contains("..") {
        return Err(RefnameError::DoubleDot { value: value() });
    }
    if component && name.contains('/') {
        return Err(RefnameError::Slash { value: value() });
    }
    if name.starts_with('/') {
        return Err(RefnameError::LeadingSlash { value: value() });
    }
    if name.ends_with('/') {
        return Err(RefnameError::TrailingSlash { value: value() });
    }
    if name.contains("//") {
        return Err(RefnameError::DoubleSlash { value: value() });
    }
    if name.ends_with('.') {
        return Err(RefnameError::TrailingDot { value: value() });
    }
    for part in name.split('/') {
        if part.starts_with('.') {
            return Err(RefnameError::LeadingDot { value: value() });
        }
        if part.ends_with(".lock") {
            return Err(RefnameError::LockSuffix { value: value() });
        }
        if part.len() > MAX_COMPONENT_LEN {
            return Err(RefnameError::TooLong {
                value: value(),
                len: part.len(),
            });
        }
    }
    // Then the stricter safe set.
    if let Some(ch) = name.chars().find(|&c| !(is_safe_char(c) || c == '/')) {
        return Err(RefnameError::Char {
            value: value(),
            ch,
            component,
        });
    }
    if name.starts_with('-') {
        return Err(RefnameError::LeadingDash { value: value() });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_names() {
        for ok in [
            "build-84fb5881-20250120-143022",
            "shop/qa-84fb5881-20250120-143022",
            "v1.2.3",
            "v1.2.3-rc.1",
            "a",
            "release_2025.01",
            "a/b/c",
            "x.lockfile",
            "lock",
            ".lockx".trim_start_matches('.'),
        ] {
            assert_eq!(check_tag_name(ok), Ok(()), "{ok}");
        }
        assert_eq!(check_component("qa"), Ok(()));
        assert_eq!(check_component("84fb5881-20250120-143022"), Ok(()));
    }

    #[test]
    fn git_rules() {
        use RefnameError as E;
        type Is = fn(&RefnameError) -> bool;
        let cases: &[(&str, Is)] = &[
            ("a..b", |e| matches!(e, E::DoubleDot { .. })),
            ("a@{1}", |e| matches!(e, E::AtBrace { .. })),
            ("@", |e| matches!(e, E::LoneAt { .. })),
            (".hidden", |e| matches!(e, E::LeadingDot { .. })),
            ("a/.b", |e| matches!(e, E::LeadingDot { .. })),
            ("a.lock", |e| matches!(e, E::LockSuffix { .. })),
            ("a.lock/b", |e| matches!(e, E::LockSuffix { .. })),
            ("a.", |e| matches!(e, E::TrailingDot { .. })),
            ("a/", |e| matches!(e, E::TrailingSlash { .. })),
            ("/a", |e| matches!(e, E::LeadingSlash { .. })),
            ("a//b", |e| matches!(e, E::DoubleSlash { .. })),
            ("a b", |e| matches!(e, E::Char { ch: ' ', .. })),
            ("a\tb", |e| matches!(e, E::Char { ch: '\t', .. })),
            ("a\nb", |e| matches!(e, E::Char { ch: '\n', .. })),
            ("a\u{7f}b", |e| matches!(e, E::Char { ch: '\u{7f}', .. })),
            ("a~1", |e| matches!(e, E::Char { ch: '~', .. })),
            ("a^", |e| matches!(e, E::Char { ch: '^', .. })),
            ("a:b", |e| matches!(e, E::Char { ch: ':', .. })),
            ("a?", |e| matches!(e, E::Char { ch: '?', .. })),
            ("a*", |e| matches!(e, E::Char { ch: '*', .. })),
            ("a[b", |e| matches!(e, E::Char { ch: '[', .. })),
            ("a\\b", |e| matches!(e, E::Char { ch: '\\', .. })),
        ];
        for (bad, is) in cases {
            let e = check_tag_name(bad).unwrap_err();
            assert!(is(&e), "{bad:?}: {e:?}");
            assert_eq!(e.value(), *bad);
            assert!(check_component(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn shell_characters_are_refused() {
        for bad in [
            "$(id)", "a;b", "a&b", "a|b", "a<b", "a>b", "a`id`", "a'b", "a\"b", "a$b", "a!b",
            "a#b", "a{b}", "a]", "a=b", "a%b", "a,b", "a+b", "a@b", "é",
        ] {
            let e = check_tag_name(bad).unwrap_err();
            assert!(matches!(e, RefnameError::Char { .. }), "{bad:?}: {e:?}");
            let msg = e.to_string();
            assert!(msg.contains("use only letters, digits"), "{msg}");
        }
        let e = check_tag_name("-rf").unwrap_err();
        assert!(matches!(e, RefnameError::LeadingDash { .. }));
    }

    #[test]
    fn components_have_no_slash() {
        assert_eq!(check_tag_name("shop/qa"), Ok(()));
        let e = check_component("shop/qa").unwrap_err();
        assert!(matches!(e, RefnameError::Slash { .. }));
        assert!(e.to_string().contains("'shop/qa'"));
        let e = check_component("$x").unwrap_err();
        assert!(!e.to_string().contains("'/'"), "{e}");
        assert!(
            check_tag_name("$x")
                .unwrap_err()
                .to_string()
                .contains("'/'")
        );
    }

    #[test]
    fn length_is_bounded_per_part() {
        let long = "a".repeat(MAX_COMPONENT_LEN + 1);
        assert!(matches!(
            check_component(&long),
            Err(RefnameError::TooLong { len, .. }) if len == MAX_COMPONENT_LEN + 1
        ));
        let ok = format!("{0}/{0}", "a".repeat(MAX_COMPONENT_LEN));
        assert_eq!(check_tag_name(&ok), Ok(()));
    }

    #[test]
    fn messages_name_the_value_and_the_rule_safely() {
        let e = check_tag_name("a..b").unwrap_err();
        assert_eq!(
            e.to_string(),
            "'a..b' contains '..', which git refuses in a ref name"
        );
        let e = check_tag_name("x\n::error::forged").unwrap_err();
        let msg = e.to_string();
        assert!(!msg.contains('\n'), "{msg}");
        assert!(msg.contains("'x\\n::error::forged'"), "{msg}");
        assert!(msg.contains("'\\n'"), "{msg}");
        let e = check_component("").unwrap_err();
        assert!(e.to_string().contains("84fb5881-20250120-143022"));
        let e = check_tag_name("a b").unwrap_err();
        assert!(e.to_string().contains("a space"), "{e}");
        let e = check_component("$(id)").unwrap_err();
        assert_eq!(
            e.to_string(),
            "'$(id)' contains '$', which a shell or a URL could interpret; use only letters, digits, '.', '_', '-'"
        );
        assert_eq!(crate::Classify::class(&e), crate::ErrorClass::Input);
    }
}
