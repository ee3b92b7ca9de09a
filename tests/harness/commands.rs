//! Workflow commands a step prints (`::error ...::msg`, `::add-mask::v`,
//! `::group::t`, …) and the secret masker applied to everything collected.
//!
//! Processed as the runner does, line by line on the step's output (stdout
//! and stderr together): `error`, `warning`, `notice` (annotations with
//! `title`, `file`, `line`, `endLine`, `col`, `endColumn`), `debug`,
//! `add-mask`, `group`/`endgroup`, `stop-commands`/resume, `echo`.
//! Refused: `set-output`, `save-state`, `set-env`, `add-path` (deprecated or
//! disabled on GitHub) and `add-matcher`/`remove-matcher`. Lines that are not
//! registered commands are plain log text, as on the runner.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

/// An annotation a step produced (or the runner added for it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Annotation {
    pub level: Level,
    pub message: String,
    pub title: Option<String>,
    pub file: Option<String>,
    pub line: Option<u32>,
    pub end_line: Option<u32>,
    pub col: Option<u32>,
    pub end_column: Option<u32>,
}

impl Annotation {
    pub fn new(level: Level, message: impl Into<String>) -> Self {
        Self {
            level,
            message: message.into(),
            title: None,
            file: None,
            line: None,
            end_line: None,
            col: None,
            end_column: None,
        }
    }
}

/// Values to hide as `***`, longest first (so a secret containing another
/// is hidden whole).
#[derive(Debug, Clone, Default)]
pub struct Masker {
    values: Vec<String>,
}

impl Masker {
    /// Adds a value; multi-line values are also masked line by line.
    pub fn add(&mut self, value: &str) {
        let mut candidates = vec![value.to_owned()];
        if value.contains('\n') {
            candidates.extend(
                value
                    .lines()
                    .map(|l| l.trim_end_matches('\r').to_owned())
                    .filter(|l| !l.trim().is_empty()),
            );
        }
        for c in candidates {
            if !c.trim().is_empty() && !self.values.contains(&c) {
                self.values.push(c);
            }
        }
        self.values.sort_by_key(|v| std::cmp::Reverse(v.len()));
    }

    pub fn mask(&self, text: &str) -> String {
        let mut out = text.to_owned();
        for v in &self.values {
            if out.contains(v.as_str()) {
                out = out.replace(v.as_str(), "***");
            }
        }
        out
    }

    pub fn contains_secret(&self, text: &str) -> bool {
        self.values.iter().any(|v| text.contains(v.as_str()))
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }
}

/// What a step's output amounted to.
#[derive(Debug, Clone, Default)]
pub struct Processed {
    /// The log as the runner shows it: plain lines masked, commands
    /// rendered as `##[error]…`, `##[group]…`; `add-mask` lines omitted.
    pub log: String,
    pub annotations: Vec<Annotation>,
    pub groups: Vec<String>,
    pub debug: Vec<String>,
    /// Commands the harness refuses, with the line.
    pub refused: Vec<String>,
}

fn unescape_data(s: &str) -> String {
    unescape(s, false)
}

fn unescape_property(s: &str) -> String {
    unescape(s, true)
}

/// Left to right, so an escaped `%` (`%25`) never starts another escape.
fn unescape(s: &str, property: bool) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let code = rest.get(i + 1..i + 3);
        let ch = match code {
            Some("25") => Some('%'),
            Some("0D") => Some('\r'),
            Some("0A") => Some('\n'),
            Some("3A") if property => Some(':'),
            Some("2C") if property => Some(','),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[i + 3..];
            }
            None => {
                out.push('%');
                rest = &rest[i + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

const REGISTERED: &[&str] = &[
    "error",
    "warning",
    "notice",
    "debug",
    "add-mask",
    "group",
    "endgroup",
    "stop-commands",
    "echo",
    "set-output",
    "save-state",
    "set-env",
    "add-path",
    "add-matcher",
    "remove-matcher",
];

/// Splits `::name props::data` into its parts, if the line is a command.
fn split_command(line: &str) -> Option<(&str, &str, &str)> {
    let rest = line.strip_prefix("::")?;
    let end = rest.find("::")?;
    let (section, data) = (&rest[..end], &rest[end + 2..]);
    let (name, props) = match section.find(' ') {
        Some(i) => (&section[..i], section[i + 1..].trim()),
        None => (section, ""),
    };
    Some((name, props, data))
}

/// Processes a step's raw output. Masks added by `::add-mask::` apply to
/// the lines after it, and stay in `masker` for the rest of the job.
pub fn process(raw: &str, masker: &mut Masker) -> Processed {
    let mut out = Processed::default();
    let mut stopped: Option<String> = None;
    for line in raw.split_inclusive('\n') {
        let line = line.strip_suffix('\n').unwrap_or(line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        if let Some(token) = &stopped {
            if line == format!("::{token}::") {
                stopped = None;
                continue;
            }
            out.log.push_str(&masker.mask(line));
            out.log.push('\n');
            continue;
        }
        let Some((name, props, data)) = split_command(line) else {
            out.log.push_str(&masker.mask(line));
            out.log.push('\n');
            continue;
        };
        if !REGISTERED.contains(&name) {
            out.log.push_str(&masker.mask(line));
            out.log.push('\n');
            continue;
        }
        let data = unescape_data(data);
        match name {
            "add-mask" => masker.add(&data),
            "error" | "warning" | "notice" => {
                let level = match name {
                    "error" => Level::Error,
                    "warning" => Level::Warning,
                    _ => Level::Notice,
                };
                let mut a = Annotation::new(level, masker.mask(&data));
                for prop in props.split(',').filter(|p| !p.is_empty()) {
                    let (k, v) = prop.split_once('=').unwrap_or((prop, ""));
                    let v = masker.mask(&unescape_property(v));
                    let num = v.trim().parse::<u32>().ok();
                    match k.trim() {
                        "title" => a.title = Some(v),
                        "file" => a.file = Some(v),
                        "line" => a.line = num,
                        "endLine" => a.end_line = num,
                        "col" => a.col = num,
                        "endColumn" => a.end_column = num,
                        _ => {}
                    }
                }
                out.log.push_str(&format!("##[{name}]{}\n", a.message));
                out.annotations.push(a);
            }
            "debug" => out.debug.push(masker.mask(&data)),
            "group" => {
                let title = masker.mask(&data);
                out.log.push_str(&format!("##[group]{title}\n"));
                out.groups.push(title);
            }
            "endgroup" => out.log.push_str("##[endgroup]\n"),
            "stop-commands" => {
                if !data.is_empty() {
                    stopped = Some(data);
                }
            }
            "echo" => {}
            other => out.refused.push(format!(
                "the `::{other}::` workflow command is {} (line: {})",
                match other {
                    "set-output" => "deprecated; write to $GITHUB_OUTPUT",
                    "save-state" => "deprecated; write to $GITHUB_STATE",
                    "set-env" => "disabled on GitHub; write to $GITHUB_ENV",
                    "add-path" => "disabled on GitHub; write to $GITHUB_PATH",
                    _ => "not supported by the workflow harness",
                },
                masker.mask(line)
            )),
        }
    }
    out
}
