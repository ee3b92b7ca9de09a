//! Which tool the multi-call binary `shipgate` runs. Invoked under a tool's
//! name (a link or copy named `tag-gate`, `tag-gate.exe` on Windows) it is
//! that tool; invoked as `shipgate TOOL ARGS…` it runs TOOL with `ARGS…`
//! (`gha::cli::tool_args` drops `shipgate` from what the tool parses).

use std::ffi::OsStr;
use std::path::Path;

/// The tools, in the order `shipgate --help` lists them.
pub const TOOLS: [&str; 5] = [
    "version-stamp",
    "tag-gate",
    "semantic-bump",
    "health-check",
    "smoke-test",
];

/// What an invocation asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Choice {
    /// Run this tool (one of [`TOOLS`]).
    Tool(&'static str),
    /// `shipgate --version`.
    Version,
    /// `shipgate --help`.
    Help,
    /// `shipgate` alone: which tool is missing.
    Missing,
    /// `shipgate WORD` where WORD names no tool.
    Unknown(String),
}

/// The tool named by `argv0`'s file stem (case-insensitive, so `TAG-GATE.EXE`
/// on Windows works), else by the first argument.
pub fn choose(argv0: Option<&OsStr>, first: Option<&OsStr>) -> Choice {
    let stem = argv0.and_then(|a| Path::new(a).file_stem());
    if let Some(tool) = stem.and_then(|s| TOOLS.iter().find(|t| s.eq_ignore_ascii_case(t))) {
        return Choice::Tool(tool);
    }
    let Some(first) = first else {
        return Choice::Missing;
    };
    if let Some(tool) = TOOLS.iter().find(|t| first == OsStr::new(t)) {
        return Choice::Tool(tool);
    }
    match first.to_str() {
        Some("--version" | "-V") => Choice::Version,
        Some("--help" | "-h" | "help") => Choice::Help,
        _ => Choice::Unknown(first.to_string_lossy().into_owned()),
    }
}

/// `shipgate --help`.
pub fn help(version: &str) -> String {
    let mut s = format!(
        "shipgate {version}: build-once, promote-many delivery tools in one binary\n\n\
         Usage: shipgate TOOL [ARGS]...\n       \
         TOOL [ARGS]...        (through a link or copy named after the tool)\n\nTools:\n"
    );
    for tool in TOOLS {
        s.push_str("  ");
        s.push_str(tool);
        s.push('\n');
    }
    s.push_str("\n`shipgate TOOL --help` shows a tool's flags.\n");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    fn choose_str(argv0: &str, first: Option<&str>) -> Choice {
        choose(Some(OsStr::new(argv0)), first.map(OsStr::new))
    }

    #[test]
    fn the_name_it_was_invoked_under_picks_the_tool() {
        for tool in TOOLS {
            assert_eq!(
                choose_str(&format!("/usr/bin/{tool}"), None),
                Choice::Tool(tool)
            );
            assert_eq!(
                choose_str(&format!("/x/{}.EXE", tool.to_uppercase()), Some("--help")),
                Choice::Tool(tool)
            );
        }
    }

    #[test]
    fn otherwise_the_first_argument_does() {
        assert_eq!(
            choose_str("/bin/shipgate", Some("smoke-test")),
            Choice::Tool("smoke-test")
        );
        assert_eq!(choose_str("shipgate", None), Choice::Missing);
        assert_eq!(choose_str("shipgate", Some("--version")), Choice::Version);
        assert_eq!(choose_str("shipgate", Some("-h")), Choice::Help);
        assert_eq!(
            choose_str("shipgate", Some("Tag-Gate")),
            Choice::Unknown("Tag-Gate".into())
        );
        assert_eq!(
            choose_str("my-copy", Some("tag-gates")),
            Choice::Unknown("tag-gates".into())
        );
        assert_eq!(choose(None, None), Choice::Missing);
    }

    #[test]
    fn help_lists_every_tool() {
        let h = help("1.2.3");
        assert!(h.starts_with("shipgate 1.2.3"), "{h}");
        for tool in TOOLS {
            assert!(h.contains(&format!("  {tool}\n")), "{h}");
        }
    }
}
