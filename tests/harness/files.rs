//! The runner's file commands: `$GITHUB_OUTPUT` and `$GITHUB_ENV`
//! (`NAME=value` and `NAME<<DELIMITER` heredocs), `$GITHUB_PATH`, and the
//! size rule of `$GITHUB_STEP_SUMMARY`. Parsing follows the runner's
//! algorithm, error messages included.

/// The largest step summary the runner attaches (1 MiB).
pub const SUMMARY_LIMIT: usize = 1024 * 1024;

/// Reads one line starting at `*index`; returns it without its newline
/// (`\n` or `\r\n`) and the newline found, `None` at the end.
fn read_line<'a>(text: &'a str, index: &mut usize) -> Option<(&'a str, Option<&'static str>)> {
    if *index >= text.len() {
        return None;
    }
    let rest = &text[*index..];
    match rest.find('\n') {
        Some(lf) => {
            let (line, nl) = if lf > 0 && rest.as_bytes()[lf - 1] == b'\r' {
                (&rest[..lf - 1], "\r\n")
            } else {
                (&rest[..lf], "\n")
            };
            *index += lf + 1;
            Some((line, Some(nl)))
        }
        None => {
            *index = text.len();
            Some((rest, None))
        }
    }
}

/// Parses a `$GITHUB_OUTPUT` / `$GITHUB_ENV` file into `(name, value)`
/// pairs, in order (a later pair with the same name wins).
pub fn parse_key_values(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut pairs = Vec::new();
    let mut index = 0;
    while let Some((line, _)) = read_line(text, &mut index) {
        if line.is_empty() {
            continue;
        }
        let eq = line.find('=');
        let heredoc = line.find("<<");
        match (eq, heredoc) {
            (Some(e), h) if h.is_none_or(|h| e < h) => {
                let (key, value) = (&line[..e], &line[e + 1..]);
                if key.is_empty() {
                    return Err(format!("Invalid format '{line}'. Name must not be empty"));
                }
                pairs.push((key.to_owned(), value.to_owned()));
            }
            (_, Some(h)) => {
                let (key, delimiter) = (&line[..h], &line[h + 2..]);
                if key.is_empty() || delimiter.is_empty() {
                    return Err(format!(
                        "Invalid format '{line}'. Name must not be empty and delimiter must not be empty"
                    ));
                }
                let start = index;
                let mut end = index;
                loop {
                    match read_line(text, &mut index) {
                        None => {
                            return Err(format!(
                                "Invalid value. Matching delimiter not found '{delimiter}'"
                            ));
                        }
                        Some((l, _)) if l == delimiter => break,
                        Some((_, None)) => {
                            return Err("Invalid value. EOF marker missing new line.".into());
                        }
                        Some((_, Some(nl))) => end = index - nl.len(),
                    }
                }
                let value = if end > start { &text[start..end] } else { "" };
                pairs.push((key.to_owned(), value.to_owned()));
            }
            _ => return Err(format!("Invalid format '{line}'")),
        }
    }
    Ok(pairs)
}

/// `$GITHUB_ENV`: like outputs, but the runner refuses `NODE_OPTIONS`.
pub fn parse_env_file(text: &str) -> Result<Vec<(String, String)>, String> {
    let pairs = parse_key_values(text)?;
    if pairs
        .iter()
        .any(|(k, _)| k.eq_ignore_ascii_case("NODE_OPTIONS"))
    {
        return Err(
            "Can't store NODE_OPTIONS output parameter using '$GITHUB_ENV' command.".into(),
        );
    }
    Ok(pairs)
}

/// Applies a `$GITHUB_PATH` file to the prepend list: each non-empty line
/// moves to the end of the list; the list is prepended to `PATH` last
/// entry first.
pub fn apply_path_file(text: &str, prepend: &mut Vec<String>) {
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.is_empty() {
            continue;
        }
        prepend.retain(|p| p != line);
        prepend.push(line.to_owned());
    }
}

/// `PATH` for a step: the prepended folders (latest first), then `base`.
pub fn path_value(prepend: &[String], base: &str) -> String {
    let mut parts: Vec<&str> = prepend.iter().rev().map(String::as_str).collect();
    if !base.is_empty() {
        parts.push(base);
    }
    parts.join(":")
}
