//! `$GITHUB_OUTPUT` as the runner reads it: `name=value` lines and
//! `name<<DELIMITER` heredocs (GitHub's "Multiline strings" docs). As in
//! actions/runner's file-command parser, whichever of `=` and `<<` comes
//! first on a line decides the form.

use std::collections::BTreeMap;

/// The outputs in `text`; a later value for a name replaces an earlier one.
pub fn parse_outputs(text: &str) -> BTreeMap<String, String> {
    let mut outputs = BTreeMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let equals = line.find('=');
        let heredoc = line.find("<<");
        match (equals, heredoc) {
            (Some(eq), heredoc) if heredoc.is_none_or(|h| eq < h) => {
                outputs.insert(line[..eq].to_owned(), line[eq + 1..].to_owned());
            }
            (_, Some(h)) => {
                let delimiter = &line[h + 2..];
                let mut value = Vec::new();
                for body in lines.by_ref() {
                    if body == delimiter {
                        break;
                    }
                    value.push(body);
                }
                outputs.insert(line[..h].to_owned(), value.join("\n"));
            }
            _ => {}
        }
    }
    outputs
}

#[cfg(test)]
mod tests {
    use super::parse_outputs;

    #[test]
    fn reads_both_forms() {
        let text =
            "version=1.2.3\nnotes<<ghadelimiter_1\nline one\nline=two\nghadelimiter_1\nempty=\n";
        let outputs = parse_outputs(text);
        assert_eq!(outputs["version"], "1.2.3");
        assert_eq!(outputs["notes"], "line one\nline=two");
        assert_eq!(outputs["empty"], "");
    }

    #[test]
    fn equals_before_heredoc_marker_is_a_plain_value() {
        let outputs = parse_outputs("expr=a<<b\n");
        assert_eq!(outputs["expr"], "a<<b");
    }

    #[test]
    fn later_value_wins() {
        assert_eq!(parse_outputs("k=1\nk=2\n")["k"], "2");
    }
}
