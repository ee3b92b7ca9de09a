//! `shipgate`: the five tools in one multi-call binary (one copy of the
//! shared code: a third of the five binaries' download). Under a tool's name
//! it is that tool; `shipgate TOOL ARGS…` runs TOOL too.

use shipgate_cli::{Choice, TOOLS, choose, help};
use std::io::Write;
use std::process::ExitCode;

// Each tool's main.rs compiles here unchanged, so the standalone binaries and
// this one run the same entry point (`pub fn main() -> ExitCode`).
#[path = "../../health-check/src/main.rs"]
mod health_check_main;
#[path = "../../semantic-bump/src/main.rs"]
mod semantic_bump_main;
#[path = "../../smoke-test/src/main.rs"]
mod smoke_test_main;
#[path = "../../tag-gate/src/main.rs"]
mod tag_gate_main;
#[path = "../../version-stamp/src/main.rs"]
mod version_stamp_main;

fn run(tool: &str) -> ExitCode {
    match tool {
        "version-stamp" => version_stamp_main::main(),
        "tag-gate" => tag_gate_main::main(),
        "semantic-bump" => semantic_bump_main::main(),
        "health-check" => health_check_main::main(),
        "smoke-test" => smoke_test_main::main(),
        other => unreachable!("{other} is not in TOOLS"),
    }
}

fn main() -> ExitCode {
    let mut args = std::env::args_os();
    let argv0 = args.next();
    let first = args.next();
    let version = env!("CARGO_PKG_VERSION");
    let (text, code) = match choose(argv0.as_deref(), first.as_deref()) {
        Choice::Tool(tool) => return run(tool),
        Choice::Version => {
            let _ = writeln!(std::io::stdout(), "shipgate {version}");
            return ExitCode::SUCCESS;
        }
        Choice::Help => {
            let _ = write!(std::io::stdout(), "{}", help(version));
            return ExitCode::SUCCESS;
        }
        Choice::Missing => (
            format!(
                "shipgate: error: name a tool: one of {}\n\n{}",
                TOOLS.join(", "),
                help(version)
            ),
            2,
        ),
        Choice::Unknown(word) => (
            format!(
                "shipgate: error: unknown tool '{word}': expected one of {} (shipgate TOOL [ARGS]...)\n",
                TOOLS.join(", ")
            ),
            2,
        ),
    };
    let _ = write!(std::io::stderr(), "{text}");
    ExitCode::from(code)
}
