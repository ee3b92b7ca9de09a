//! Text from outside (a pull request title, a commit body, a response body,
//! a tag message, a rejected flag value) shown on stdout or stderr so that the
//! Actions runner can never parse a workflow command out of it.
//!
//! The runner (actions/runner, `ActionCommand`) reads both streams line by
//! line, splitting at `\n`, `\r` and `\r\n`, and tries two forms per line:
//!
//! - `::name props::data` when the line, **after trimming leading
//!   whitespace**, starts with `::` and holds a second `::`;
//! - the legacy `##[name props]data`, found **anywhere in the line**.
//!
//! A name it does not know is ignored, but `##[stop-commands]TOKEN` makes any
//! word a name, so every form counts here. The rules below break both forms
//! and keep the text readable:
//!
//! - control characters (CR, LF, ESC, NUL…), the line and paragraph
//!   separators and the invisible bidi/zero-width marks are shown as escapes
//!   (`\r`, `\n`, `\u{1b}`), so one value stays on one line;
//! - every `##[` becomes `##\[` (a Markdown escape, so notes render the same);
//! - a line whose first visible characters are `::` gets a `\` before them.
//!
//! [`commands`] applies the runner's rules to any text: the tests and the
//! fuzz target use it to check that nothing shipgate prints is a command
//! except its own.

/// One value from outside, for embedding in a human line: everything on one
/// line, no command can be parsed out of it, at the start of a line or not.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    push_visible(&mut out, s, Keep::Nothing);
    guard_line(out)
}

/// Multi-line text (a message of shipgate's own with outside values in it, a
/// tag message, release notes): `\n` (and `\r\n`) still end lines and tabs
/// stay; every line is neutralised as in [`text`].
pub fn lines(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    let mut first = true;
    for line in s.split('\n') {
        if !first {
            out.push('\n');
        }
        first = false;
        let line = line.strip_suffix('\r').unwrap_or(line);
        let mut l = String::with_capacity(line.len());
        push_visible(&mut l, line, Keep::Tabs);
        out.push_str(&guard_line(l));
    }
    out
}

/// Serialised JSON for stdout: `##[` inside a string becomes `##\u005b` and
/// invisible characters `\uXXXX`, which are the same JSON value. Line breaks
/// and indentation between values stay as they are.
pub fn json(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut hashes = 0usize;
    for c in s.chars() {
        if c == '[' && hashes >= 2 {
            out.push_str("\\u005b");
        } else if c != '\n' && c != '\r' && c != '\t' && invisible(c) {
            // JSON text may only hold these inside strings; serde_json already
            // escapes U+0000..U+001F.
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                out.push_str(&format!("\\u{u:04x}"));
            }
        } else {
            out.push(c);
        }
        hashes = if c == '#' { hashes + 1 } else { 0 };
    }
    // Pretty JSON never starts a line with `::` (keys and values are quoted),
    // and a string holds no raw line break.
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Keep {
    Nothing,
    Tabs,
}

/// Characters shown as escapes: C0/C1 controls and DEL, the Unicode line and
/// paragraph separators, bidi controls (which can make a log line read
/// differently from what it holds) and zero-width marks that hide text.
fn invisible(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{061c}'
                | '\u{200b}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{202a}'..='\u{202e}'
                | '\u{2060}'
                | '\u{2066}'..='\u{2069}'
                | '\u{feff}'
        )
}

/// Pushes `s`, invisible characters escaped and every `##[` broken.
fn push_visible(out: &mut String, s: &str, keep: Keep) {
    let mut hashes = 0usize;
    for c in s.chars() {
        if c == '\t' && keep == Keep::Tabs {
            out.push(c);
        } else if invisible(c) {
            out.extend(c.escape_default());
        } else {
            if c == '[' && hashes >= 2 {
                out.push('\\');
            }
            out.push(c);
        }
        hashes = if c == '#' { hashes + 1 } else { 0 };
    }
}

/// Characters the runner's `TrimStart` may drop before it looks for `::`:
/// whitespace, and (to be safe under culture-aware comparison) the
/// zero-width marks that compare as nothing.
fn skipped_at_start(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00ad}' | '\u{180e}' | '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}'
        )
}

/// A line (no line breaks left) whose first visible characters are `::`
/// gets a `\` in front of them.
fn guard_line(line: String) -> String {
    let start = line
        .char_indices()
        .find(|&(_, c)| !skipped_at_start(c))
        .map(|(i, _)| i);
    match start {
        Some(i) if line[i..].starts_with("::") => {
            let mut out = String::with_capacity(line.len() + 1);
            out.push_str(&line[..i]);
            out.push('\\');
            out.push_str(&line[i..]);
            out
        }
        _ => line,
    }
}

/// The form of a parsed workflow command.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// `::name props::data` at the start of a line (after whitespace).
    V2,
    /// `##[name props]data` anywhere in a line.
    Legacy,
}

/// A workflow command as the runner would read it from one line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub form: Form,
    /// The command name (`error`, `add-mask`, a stop token…), as written.
    pub name: String,
    /// The raw properties (`title=x,file=y` or `name=x;y=z`).
    pub props: String,
    /// The raw data after the command.
    pub data: String,
    /// The whole line it was read from.
    pub line: String,
}

impl Command {
    /// A property's raw value (`title`, `name`…), for V2 commands.
    pub fn prop(&self, key: &str) -> Option<&str> {
        self.props.split([',', ';']).find_map(|p| {
            let (k, v) = p.split_once('=')?;
            (k.trim().eq_ignore_ascii_case(key)).then_some(v)
        })
    }
}

/// Every workflow command the runner could read from `output`, by its rules
/// (lines end at `\n`, `\r` or `\r\n`; `::` after leading whitespace; `##[`
/// anywhere), with any name: `stop-commands` can register any word. Stricter
/// than the runner in two ways, so a pass here is a pass there: every `##[`
/// of a line counts (the runner reads the first), and a line read as `::…`
/// is also searched for `##[`.
pub fn commands(output: &str) -> Vec<Command> {
    let mut found = Vec::new();
    for line in output.split(['\n', '\r']) {
        let trimmed = line.trim_start_matches(skipped_at_start);
        if let Some(rest) = trimmed.strip_prefix("::")
            && let Some(end) = rest.find("::")
        {
            let info = &rest[..end];
            let (name, props) = info.split_once(' ').unwrap_or((info, ""));
            found.push(Command {
                form: Form::V2,
                name: name.to_owned(),
                props: props.trim().to_owned(),
                data: rest[end + 2..].to_owned(),
                line: line.to_owned(),
            });
        }
        let mut from = 0;
        while let Some(at) = line[from..].find("##[") {
            let start = from + at + 3;
            if let Some(rb) = line[start..].find(']') {
                let info = &line[start..start + rb];
                let (name, props) = info.split_once(' ').unwrap_or((info, ""));
                found.push(Command {
                    form: Form::Legacy,
                    name: name.to_owned(),
                    props: props.to_owned(),
                    data: line[start + rb + 1..].to_owned(),
                    line: line.to_owned(),
                });
            }
            from = start;
        }
    }
    found
}

/// The commands in `output` that shipgate did not mean to write, for tests
/// that feed hostile text (which carries `marker`) through a binary.
/// shipgate's own commands start their line with `::` and are
/// `error`/`warning`/`notice` with a `title`, `group`/`endgroup`, or an
/// `add-mask` of a value without the marker. Anything else is forged: every
/// legacy `##[…]`, an indented `::`, `stop-commands`, `set-output`…
pub fn forged(output: &str, marker: &str) -> Vec<Command> {
    commands(output)
        .into_iter()
        .filter(|c| {
            let own = c.form == Form::V2
                && c.line.starts_with("::")
                && match c.name.as_str() {
                    "error" | "warning" | "notice" => c.prop("title").is_some(),
                    "group" | "endgroup" => true,
                    "add-mask" => !c.data.contains(marker),
                    _ => false,
                };
            !own
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const HOSTILE: &[&str] = &[
        "##[error]x",
        "##[add-mask]x",
        "##[stop-commands]x",
        "##[set-output name=x]y",
        "ok ##[error]x",
        "\r::error::x",
        "  ::error ::x",
        "::error::x",
        "\u{a0}\u{2003}::warning::x",
        "\u{feff}::add-mask::x",
        "a\n  ::error file=x::y",
        "a\r\n::group::x",
        "###[error]x",
        "#\n#[error]x",
        "##\r[error]x",
        "\t::error::x",
        "\u{1b}[31m\n::error::x",
        "\u{2028}::error::x",
    ];

    #[test]
    fn hostile_text_yields_no_command() {
        for h in HOSTILE {
            // The scanner sees the raw text as a command (a line break
            // inside `##[` splits it).
            assert_eq!(
                commands(h).is_empty(),
                !h.contains("##[") && h.contains('#'),
                "{h:?}"
            );
            for shown in [text(h), lines(h)] {
                assert_eq!(commands(&shown), [], "{h:?} → {shown:?}");
            }
        }
    }

    #[test]
    fn text_is_one_visible_line() {
        assert_eq!(text("a\r\nb\u{1b}[31m\t"), "a\\r\\nb\\u{1b}[31m\\t");
        assert_eq!(text("##[error]x"), "##\\[error]x");
        assert_eq!(text("  ::error::x"), "  \\::error::x");
        assert_eq!(text("a ::error::x"), "a ::error::x");
        assert_eq!(text("fix: résumé → ok [#12]"), "fix: résumé → ok [#12]");
        assert_eq!(text("\u{202e}txt"), "\\u{202e}txt");
        assert_eq!(text("👨\u{200d}👩"), "👨\u{200d}👩");
    }

    #[test]
    fn lines_keep_line_breaks_and_tabs() {
        assert_eq!(
            lines("one\r\n  ::error::x\n\tb ##[add-mask]y\rz"),
            "one\n  \\::error::x\n\tb ##\\[add-mask]y\\rz"
        );
        assert_eq!(lines("plain\n"), "plain\n");
    }

    #[test]
    fn json_stays_the_same_value() {
        let v = serde_json::json!({"m": "##[error]x\u{2028}\u{7f}", "k": ["##", "["]});
        let shown = json(&serde_json::to_string_pretty(&v).unwrap());
        assert_eq!(commands(&shown), []);
        assert!(shown.contains("##\\u005b"), "{shown}");
        let back: serde_json::Value = serde_json::from_str(&shown).unwrap();
        assert_eq!(back, v);
    }

    #[test]
    fn the_scanner_reads_both_forms() {
        let c = commands("x\n  ::error title=a,file=b::msg\r ok ##[set-output name=x]y");
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].form, c[0].name.as_str()), (Form::V2, "error"));
        assert_eq!(c[0].prop("title"), Some("a"));
        assert_eq!(c[0].data, "msg");
        assert_eq!(
            (c[1].form, c[1].name.as_str()),
            (Form::Legacy, "set-output")
        );
        assert_eq!(c[1].prop("name"), Some("x"));
        assert_eq!(c[1].data, "y");
        assert_eq!(commands("a::b::c\n::only-one\n## [x]"), []);
    }

    /// A small deterministic generator (xorshift): the property holds for
    /// many inputs built from the characters that matter, under plain
    /// `cargo test` (the fuzz target explores further).
    #[test]
    fn no_generated_input_yields_a_command() {
        const ALPHABET: &[&str] = &[
            "#",
            "##",
            "[",
            "]",
            ":",
            "::",
            " ",
            "\t",
            "\n",
            "\r",
            "\r\n",
            "\\",
            "%",
            "a",
            "error",
            "add-mask",
            "stop-commands",
            "=",
            ",",
            ";",
            "\u{a0}",
            "\u{feff}",
            "\u{200b}",
            "\u{2028}",
            "\u{1b}",
            "\u{0}",
            "\u{85}",
            "é",
            "\u{202e}",
            "\u{ad}",
            "u{",
            "}",
        ];
        let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..50_000 {
            let len = (next() % 24) as usize;
            let s: String = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            for shown in [text(&s), lines(&s)] {
                assert_eq!(commands(&shown), [], "{s:?} → {shown:?}");
            }
            let j = json(&serde_json::to_string_pretty(&serde_json::json!({ "v": s })).unwrap());
            assert_eq!(commands(&j), [], "{s:?} → {j:?}");
            assert_eq!(
                serde_json::from_str::<serde_json::Value>(&j).unwrap()["v"],
                s.as_str()
            );
        }
    }
}
