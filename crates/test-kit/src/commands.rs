//! Workflow commands on a step's stdout (`::error file=a,line=3::message`),
//! read as actions/runner reads them: a line that starts with `::`, the
//! command name, optional `key=value` properties after a space, and the
//! message after the second `::`, with `%25 %0D %0A` (and `%3A %2C` in
//! properties) unescaped.

use std::collections::BTreeMap;

/// One workflow command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkflowCommand {
    pub name: String,
    pub properties: BTreeMap<String, String>,
    pub message: String,
}

impl WorkflowCommand {
    /// A property's value, if present.
    pub fn property(&self, key: &str) -> Option<&str> {
        self.properties.get(key).map(String::as_str)
    }
}

/// Every workflow command in `stdout`, in order.
pub fn workflow_commands(stdout: &str) -> Vec<WorkflowCommand> {
    stdout.lines().filter_map(parse_line).collect()
}

fn parse_line(line: &str) -> Option<WorkflowCommand> {
    let rest = line.trim_start().strip_prefix("::")?;
    let (head, message) = rest.split_once("::")?;
    let (name, props) = head.split_once(' ').unwrap_or((head, ""));
    if name.is_empty() {
        return None;
    }
    let properties = props
        .split(',')
        .filter(|p| !p.is_empty())
        .filter_map(|p| p.split_once('='))
        .map(|(k, v)| (k.to_owned(), unescape_property(v)))
        .collect();
    Some(WorkflowCommand {
        name: name.to_owned(),
        properties,
        message: unescape_data(message),
    })
}

fn unescape_data(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%25", "%")
}

fn unescape_property(text: &str) -> String {
    text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
}

#[cfg(test)]
mod tests {
    use super::workflow_commands;

    #[test]
    fn reads_name_properties_and_message() {
        let out = "plain line\n::error file=src/a.rs,line=3,title=bad%3A x%2C y::first%0Asecond 100%25\n::add-mask::secret\n";
        let commands = workflow_commands(out);
        assert_eq!(commands.len(), 2);
        assert_eq!(commands[0].name, "error");
        assert_eq!(commands[0].property("file"), Some("src/a.rs"));
        assert_eq!(commands[0].property("line"), Some("3"));
        assert_eq!(commands[0].property("title"), Some("bad: x, y"));
        assert_eq!(commands[0].message, "first\nsecond 100%");
        assert_eq!(commands[1].name, "add-mask");
        assert_eq!(commands[1].message, "secret");
    }
}
