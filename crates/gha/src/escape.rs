//! The runner's escaping rules for workflow commands.
//!
//! `::name key=value,key=value::data` — in *data* the runner unescapes
//! `%25 %0D %0A`; in *property values* also `%3A` (`:`) and `%2C` (`,`).
//! Escaping `%` first keeps a literal `%0A` in a message from turning into a
//! newline.

/// Escapes the data part of a workflow command (after the second `::`).
pub fn data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a property value (`title=`, `file=`…) of a workflow command.
pub fn property(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            ':' => out.push_str("%3A"),
            ',' => out.push_str("%2C"),
            _ => out.push(c),
        }
    }
    out
}

/// Escapes a table cell of a Markdown summary: a `|` would split the cell and
/// a newline would end the row.
pub fn markdown_cell(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '|' => out.push_str("\\|"),
            '\r' => {}
            '\n' => out.push_str("<br>"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            _ => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn data_escapes_percent_first() {
        assert_eq!(data("100%"), "100%25");
        assert_eq!(data("a%0Ab"), "a%250Ab");
        assert_eq!(data("line1\nline2\r\n"), "line1%0Aline2%0D%0A");
    }

    #[test]
    fn data_keeps_colons_and_commas() {
        assert_eq!(data("a: b, c :: d"), "a: b, c :: d");
    }

    #[test]
    fn property_escapes_separators() {
        assert_eq!(property("tag-gate: qa, prod"), "tag-gate%3A qa%2C prod");
        assert_eq!(property("50%\n"), "50%25%0A");
        assert_eq!(property("src/main.rs"), "src/main.rs");
    }

    #[test]
    fn unicode_passes_through() {
        assert_eq!(data("résumé → ok"), "résumé → ok");
        assert_eq!(property("ü:ü"), "ü%3Aü");
    }

    #[test]
    fn markdown_cells_cannot_break_tables() {
        assert_eq!(markdown_cell("a|b\nc"), "a\\|b<br>c");
        assert_eq!(markdown_cell("<script>"), "&lt;script&gt;");
    }
}
