//! `--format`: a version template such as `{sha}-{date}-{time}` (the
//! default) or `{branch}.{run}-{sha}`.

use std::fmt;
use std::str::FromStr;
use vocab::refname::is_safe_char;
use vocab::version::Quoted;

/// The default template.
pub const DEFAULT_FORMAT: &str = "{sha}-{date}-{time}";

/// The longest a branch name gets inside a version.
pub const MAX_BRANCH_LEN: usize = 64;

/// A value a template can ask for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Placeholder {
    /// `{sha}`: the commit's first `--sha-length` hex digits.
    Sha,
    /// `{date}`: the UTC date, `YYYYMMDD`.
    Date,
    /// `{time}`: the UTC time, `HHMMSS`.
    Time,
    /// `{run}`: `GITHUB_RUN_NUMBER`.
    Run,
    /// `{branch}`: the branch (or tag) name, made safe.
    Branch,
}

impl Placeholder {
    pub const ALL: [Placeholder; 5] = [
        Placeholder::Sha,
        Placeholder::Date,
        Placeholder::Time,
        Placeholder::Run,
        Placeholder::Branch,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Placeholder::Sha => "sha",
            Placeholder::Date => "date",
            Placeholder::Time => "time",
            Placeholder::Run => "run",
            Placeholder::Branch => "branch",
        }
    }

    fn from_name(name: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|p| p.name() == name)
    }
}

impl fmt::Display for Placeholder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{{{}}}", self.name())
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Value(Placeholder),
}

/// A parsed `--format` template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Template {
    text: String,
    parts: Vec<Part>,
}

const KNOWN: &str = "{sha}, {date}, {time}, {run} or {branch}";

/// Why a `--format` template was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    #[error("empty format: expected placeholders and text, such as {DEFAULT_FORMAT}")]
    Empty,

    #[error("unknown placeholder {} in the format {}: expected {KNOWN}, such as {DEFAULT_FORMAT}", Quoted(&format!("{{{name}}}")), Quoted(format))]
    UnknownPlaceholder { format: String, name: String },

    #[error(
        "unclosed '{{' in the format {}: expected {KNOWN}, such as {DEFAULT_FORMAT}",
        Quoted(format)
    )]
    Unclosed { format: String },

    #[error(
        "stray '}}' in the format {}: placeholders are written {KNOWN}, such as {DEFAULT_FORMAT}",
        Quoted(format)
    )]
    Stray { format: String },

    #[error("the format {} contains {} outside a placeholder; a version may hold only letters, digits, '.', '_' and '-', such as {DEFAULT_FORMAT} or {{branch}}.{{run}}-{{sha}}", Quoted(format), shown_char(*ch))]
    Char { format: String, ch: char },
}

impl gha::Classify for TemplateError {
    fn class(&self) -> gha::ErrorClass {
        gha::ErrorClass::Input
    }
}

fn shown_char(c: char) -> String {
    match c {
        ' ' => "a space".into(),
        '/' => "'/' (a version is one part of a tag name)".into(),
        c if c.is_control() => format!("'{}'", c.escape_default()),
        c => format!("'{c}'"),
    }
}

impl Template {
    /// The template as given (trimmed).
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the template asks for `p`.
    pub fn uses(&self, p: Placeholder) -> bool {
        self.parts.contains(&Part::Value(p))
    }

    /// Whether this is the default `{sha}-{date}-{time}`.
    pub fn is_default(&self) -> bool {
        self.text == DEFAULT_FORMAT
    }

    /// Fills the placeholders with the given values. The result still has
    /// to be checked as a tag-name component (values may combine badly,
    /// such as `.` next to `.`).
    pub fn render(&self, mut value: impl FnMut(Placeholder) -> String) -> String {
        let mut out = String::with_capacity(self.text.len() + 32);
        for part in &self.parts {
            match part {
                Part::Text(t) => out.push_str(t),
                Part::Value(p) => out.push_str(&value(*p)),
            }
        }
        out
    }
}

impl Default for Template {
    fn default() -> Self {
        DEFAULT_FORMAT.parse().expect("the default format parses")
    }
}

impl FromStr for Template {
    type Err = TemplateError;

    /// Parses a template (surrounding whitespace trimmed).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let format = s.trim();
        if format.is_empty() {
            return Err(TemplateError::Empty);
        }
        let mut parts = Vec::new();
        let mut text = String::new();
        let mut rest = format;
        while let Some(c) = rest.chars().next() {
            match c {
                '{' => {
                    let Some(end) = rest.find('}') else {
                        return Err(TemplateError::Unclosed {
                            format: format.to_owned(),
                        });
                    };
                    let name = &rest[1..end];
                    let Some(p) = Placeholder::from_name(name) else {
                        if name.contains('{') {
                            // `{{sha}` or `{a{b}`: the first '{' never closes.
                            return Err(TemplateError::Unclosed {
                                format: format.to_owned(),
                            });
                        }
                        return Err(TemplateError::UnknownPlaceholder {
                            format: format.to_owned(),
                            name: name.to_owned(),
                        });
                    };
                    if !text.is_empty() {
                        parts.push(Part::Text(std::mem::take(&mut text)));
                    }
                    parts.push(Part::Value(p));
                    rest = &rest[end + 1..];
                }
                '}' => {
                    return Err(TemplateError::Stray {
                        format: format.to_owned(),
                    });
                }
                c if is_safe_char(c) => {
                    text.push(c);
                    rest = &rest[1..];
                }
                ch => {
                    return Err(TemplateError::Char {
                        format: format.to_owned(),
                        ch,
                    });
                }
            }
        }
        if !text.is_empty() {
            parts.push(Part::Text(text));
        }
        Ok(Template {
            text: format.to_owned(),
            parts,
        })
    }
}

impl fmt::Display for Template {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// A branch or tag name made safe for a version: every character outside
/// `[A-Za-z0-9._-]` (including `/`) becomes `-`, runs of `-` and `.` are
/// collapsed, `-` and `.` are trimmed from both ends, a `.lock` ending
/// becomes `-lock`, and the result is cut to [`MAX_BRANCH_LEN`] characters.
/// A name with nothing safe left becomes `unnamed`.
///
/// `feature/Add login!` → `feature-Add-login`, `release/1.2` → `release-1.2`.
pub fn safe_branch(name: &str) -> String {
    let mut out = String::with_capacity(name.len().min(MAX_BRANCH_LEN));
    for c in name.chars() {
        let c = if is_safe_char(c) { c } else { '-' };
        match (out.chars().last(), c) {
            (Some('-'), '-') | (Some('.'), '.') => {}
            // `-.`/`.-` would read oddly; keep the first.
            (Some('-'), '.') | (Some('.'), '-') => {}
            _ => out.push(c),
        }
    }
    let mut out = out.trim_matches(['-', '.']).to_owned();
    if out.len() > MAX_BRANCH_LEN {
        out.truncate(MAX_BRANCH_LEN);
        out = out.trim_end_matches(['-', '.']).to_owned();
    }
    if let Some(stem) = out.strip_suffix(".lock") {
        out = format!("{stem}-lock");
    }
    if out.is_empty() {
        out.push_str("unnamed");
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use vocab::refname::check_component;

    fn fill(p: Placeholder) -> String {
        match p {
            Placeholder::Sha => "84fb5881".into(),
            Placeholder::Date => "20250120".into(),
            Placeholder::Time => "143022".into(),
            Placeholder::Run => "42".into(),
            Placeholder::Branch => "main".into(),
        }
    }

    #[test]
    fn renders_the_default() {
        let t = Template::default();
        assert!(t.is_default());
        assert_eq!(t.render(fill), "84fb5881-20250120-143022");
        assert!(t.uses(Placeholder::Sha));
        assert!(!t.uses(Placeholder::Run));
    }

    #[test]
    fn renders_every_placeholder() {
        let t: Template = " {branch}.{run}-{sha}_{date}T{time} ".parse().unwrap();
        assert_eq!(t.as_str(), "{branch}.{run}-{sha}_{date}T{time}");
        assert_eq!(t.render(fill), "main.42-84fb5881_20250120T143022");
        for p in Placeholder::ALL {
            assert!(t.uses(p), "{p}");
        }
        assert!(!t.is_default());
        let plain: Template = "v1".parse().unwrap();
        assert_eq!(plain.render(fill), "v1");
    }

    #[test]
    fn refuses_bad_templates() {
        for (bad, needle) in [
            ("", "empty format"),
            ("  ", "empty format"),
            ("{sha}-{build}", "unknown placeholder '{build}'"),
            ("{SHA}", "unknown placeholder '{SHA}'"),
            ("{}", "unknown placeholder '{}'"),
            ("{ sha }", "unknown placeholder '{ sha }'"),
            ("{sha", "unclosed '{'"),
            ("{{sha}}", "unclosed '{'"),
            ("sha}", "stray '}'"),
            ("$(id)-{sha}", "contains '$' outside a placeholder"),
            ("{sha};id", "contains ';'"),
            ("{sha} {date}", "contains a space"),
            ("{sha}/{date}", "'/' (a version is one part"),
            ("{sha}`id`", "contains '`'"),
            ("{sha}\n{date}", "contains '\\n'"),
        ] {
            let e = bad.parse::<Template>().unwrap_err();
            let msg = e.to_string();
            assert!(msg.contains(needle), "{bad:?}: {msg}");
            assert!(msg.contains(DEFAULT_FORMAT), "{msg}");
            assert!(!msg.contains('\n'), "{msg}");
            assert_eq!(gha::Classify::class(&e), gha::ErrorClass::Input);
        }
        let e = "{sha}-{build}".parse::<Template>().unwrap_err();
        assert_eq!(
            e.to_string(),
            "unknown placeholder '{build}' in the format '{sha}-{build}': expected {sha}, {date}, {time}, {run} or {branch}, such as {sha}-{date}-{time}"
        );
    }

    #[test]
    fn branches_are_made_safe() {
        for (name, safe) in [
            ("main", "main"),
            ("feature/Add login!", "feature-Add-login"),
            ("release/1.2", "release-1.2"),
            ("a..b", "a.b"),
            ("-x-", "x"),
            (".hidden", "hidden"),
            ("x.lock", "x-lock"),
            ("$(id);rm -rf /", "id-rm-rf"),
            (
                "dependabot/npm_and_yarn/a-1.0",
                "dependabot-npm_and_yarn-a-1.0",
            ),
            ("功能", "unnamed"),
            ("", "unnamed"),
            ("a./-b", "a.b"),
            ("HEAD", "HEAD"),
            ("a@{1}", "a-1"),
        ] {
            assert_eq!(safe_branch(name), safe, "{name:?}");
            assert_eq!(check_component(&safe_branch(name)), Ok(()), "{name:?}");
        }
        let long = format!("{}.lock", "a".repeat(100));
        let s = safe_branch(&long);
        assert_eq!(s.len(), MAX_BRANCH_LEN);
        assert_eq!(check_component(&s), Ok(()));
        let cut = format!("{}-.lock", "a".repeat(MAX_BRANCH_LEN - 5));
        assert_eq!(check_component(&safe_branch(&cut)), Ok(()));
    }
}
