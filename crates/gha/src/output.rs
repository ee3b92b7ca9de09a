//! Step outputs: an ordered map of typed values, written to `$GITHUB_OUTPUT`
//! (`k=v`, or a heredoc with a random delimiter for multi-line values) and
//! rendered as one JSON object for `--json`.

use serde_json::{Map, Value};

/// The largest value written to `$GITHUB_OUTPUT` as is (GitHub allows 1 MiB
/// per job for all outputs; we keep each one well under that).
pub const OUTPUT_BUDGET: usize = 256 * 1024;

/// The `schema` key every `--json` object carries.
pub const JSON_SCHEMA: u64 = 1;

/// An ordered set of outputs. Keys are kebab-case; values keep their JSON
/// type for `--json` and are rendered as text for `$GITHUB_OUTPUT`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Outputs {
    entries: Vec<(String, Value)>,
}

impl Outputs {
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets (or replaces) an output.
    ///
    /// # Panics
    /// When the key is not a valid output name (letters, digits, `-`, `_`):
    /// keys are chosen by the program, never by the user.
    pub fn set(&mut self, key: &str, value: impl Into<Value>) -> &mut Self {
        assert!(valid_key(key), "invalid output name {key:?}");
        let value = value.into();
        match self.entries.iter_mut().find(|(k, _)| k == key) {
            Some(slot) => slot.1 = value,
            None => self.entries.push((key.to_owned(), value)),
        }
        self
    }

    /// Builder form of [`Outputs::set`].
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.set(key, value);
        self
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The output as the text `$GITHUB_OUTPUT` receives.
    pub fn get_text(&self, key: &str) -> Option<String> {
        self.get(key).map(as_text)
    }

    pub fn iter(&self) -> impl Iterator<Item = (&str, &Value)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The `--json` object: `{"schema": 1, …every output…}`.
    pub fn to_json(&self) -> Value {
        let mut map = Map::new();
        map.insert("schema".into(), Value::from(JSON_SCHEMA));
        for (k, v) in &self.entries {
            map.insert(k.clone(), v.clone());
        }
        Value::Object(map)
    }
}

fn valid_key(key: &str) -> bool {
    !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// How a value reads in `$GITHUB_OUTPUT`: strings as they are, `null` as the
/// empty string, everything else as compact JSON (`true`, `3`, `{"a":1}`).
pub fn as_text(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A fresh heredoc delimiter: unpredictable, so a value cannot end the
/// heredoc early and inject outputs of its own.
pub fn random_delimiter() -> String {
    let mut bytes = [0u8; 16];
    // Only an OS without a random source fails here; a guessable delimiter
    // would let a value inject outputs, so there is no weaker fallback.
    getrandom::fill(&mut bytes).expect("the operating system's random source");
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("ghadelimiter_{hex}")
}

/// One output in the `$GITHUB_OUTPUT` file format. Single-line values are
/// `key=value`; values with a line break use a heredoc whose random
/// delimiter is checked not to occur in the value.
pub fn format_entry(key: &str, value: &str) -> String {
    format_entry_with(key, value, random_delimiter)
}

/// [`format_entry`] with a chosen delimiter source (for tests).
pub fn format_entry_with(key: &str, value: &str, mut delimiter: impl FnMut() -> String) -> String {
    if !value.contains('\n') && !value.contains('\r') {
        return format!("{key}={value}\n");
    }
    let mut delim = delimiter();
    while value.contains(&delim) || delim.is_empty() {
        delim = delimiter();
    }
    format!("{key}<<{delim}\n{value}\n{delim}\n")
}

/// Cuts `s` to at most `max` bytes on a character boundary, preferring the
/// last line break before that point.
pub fn truncate_text(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    match s[..end].rfind('\n') {
        Some(nl) if nl > end / 2 => &s[..nl],
        _ => &s[..end],
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_values_are_key_equals_value() {
        assert_eq!(format_entry("version", "abc-1"), "version=abc-1\n");
        assert_eq!(format_entry("empty", ""), "empty=\n");
        // `=` inside a value is fine: the runner splits on the first one.
        assert_eq!(format_entry("expr", "a=b"), "expr=a=b\n");
    }

    #[test]
    fn multi_line_values_use_a_random_heredoc() {
        let entry = format_entry("changelog", "line 1\nline 2");
        let mut lines = entry.lines();
        let head = lines.next().unwrap();
        let delim = head.strip_prefix("changelog<<").unwrap();
        assert!(delim.starts_with("ghadelimiter_"));
        assert!(delim.len() > 40);
        assert_eq!(lines.next(), Some("line 1"));
        assert_eq!(lines.next(), Some("line 2"));
        assert_eq!(lines.next(), Some(delim));
        assert_eq!(lines.next(), None);
    }

    #[test]
    fn delimiters_differ_between_calls() {
        let a = random_delimiter();
        let b = random_delimiter();
        assert_ne!(a, b);
    }

    #[test]
    fn a_delimiter_found_in_the_value_is_replaced() {
        let mut candidates =
            vec!["EOF".to_owned(), "EOF".to_owned(), "SAFE".to_owned()].into_iter();
        let entry = format_entry_with("x", "a\nEOF\nb", || candidates.next().unwrap());
        assert_eq!(entry, "x<<SAFE\na\nEOF\nb\nSAFE\n");
    }

    #[test]
    fn carriage_returns_force_a_heredoc() {
        let entry = format_entry_with("x", "a\rb", || "D".into());
        assert_eq!(entry, "x<<D\na\rb\nD\n");
    }

    #[test]
    fn text_rendering_of_typed_values() {
        assert_eq!(as_text(&Value::Bool(true)), "true");
        assert_eq!(as_text(&Value::from(3)), "3");
        assert_eq!(as_text(&Value::Null), "");
        assert_eq!(as_text(&serde_json::json!({"a": [1]})), r#"{"a":[1]}"#);
        assert_eq!(as_text(&Value::from("x y")), "x y");
    }

    #[test]
    fn outputs_keep_order_and_replace() {
        let mut o = Outputs::new();
        o.set("b", "1").set("a", 2).set("b", "3");
        let keys: Vec<_> = o.iter().map(|(k, _)| k).collect();
        assert_eq!(keys, ["b", "a"]);
        assert_eq!(o.get_text("b").as_deref(), Some("3"));
        assert_eq!(
            o.to_json(),
            serde_json::json!({"schema": 1, "b": "3", "a": 2})
        );
    }

    #[test]
    #[should_panic(expected = "invalid output name")]
    fn output_names_are_checked() {
        Outputs::new().set("a=b", "x");
    }

    #[test]
    fn truncation_respects_char_boundaries() {
        let s = "ééé"; // 6 bytes
        assert_eq!(truncate_text(s, 3), "é");
        assert_eq!(truncate_text(s, 10), s);
        let lines = "aaaa\nbbbb\ncc";
        assert_eq!(truncate_text(lines, 11), "aaaa\nbbbb");
    }
}
