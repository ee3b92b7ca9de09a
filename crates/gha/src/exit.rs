//! The exit-code policy shared by every shipgate binary.
//!
//! | code | meaning |
//! |---|---|
//! | 0 | ok (or a closed check under `--soft`) |
//! | 1 | the check said no: gate closed, unhealthy, smoke failed, title invalid |
//! | 2 | bad input: unknown flag, malformed version, invalid spec |
//! | 3 | the environment failed: git, network, API, permissions, shallow clone |
//!
//! The code follows from the error's type through [`Classify`], never from
//! matching message text.

use std::fmt;
use std::process::ExitCode;

pub use vocab::class::{Classify, ErrorClass};

/// A ready-made error for glue code in `main.rs`: a message with a class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    pub class: ErrorClass,
    pub message: String,
    pub hint: Option<String>,
}

impl Failure {
    pub fn new(class: ErrorClass, message: impl Into<String>) -> Self {
        Failure {
            class,
            message: message.into(),
            hint: None,
        }
    }
    pub fn input(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::Input, message)
    }
    pub fn denied(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::Denied, message)
    }
    pub fn environment(message: impl Into<String>) -> Self {
        Self::new(ErrorClass::Environment, message)
    }
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

impl Classify for Failure {
    fn class(&self) -> ErrorClass {
        self.class
    }
    fn hint(&self) -> Option<String> {
        self.hint.clone()
    }
}

/// How a command that ran to its end came out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Not a check (e.g. `version-stamp`): no `passed` output.
    Done,
    /// A check that passed: `passed=true`.
    Passed,
    /// A check that said no: exit 1, or exit 0 with `passed=false` under `--soft`.
    Failed(String),
}

/// Maps a verdict (or an error class) to the process exit code, honouring
/// `--soft`. `--soft` only softens a check that said no; bad input and a
/// broken environment still fail.
pub fn code_for(verdict: &Verdict, soft: bool) -> u8 {
    match verdict {
        Verdict::Done | Verdict::Passed => 0,
        Verdict::Failed(_) if soft => 0,
        Verdict::Failed(_) => ErrorClass::Denied.code(),
    }
}

/// The exit code for an error, honouring `--soft` for denials.
pub fn code_for_error(class: ErrorClass, soft: bool) -> u8 {
    match class {
        ErrorClass::Denied if soft => 0,
        c => c.code(),
    }
}

pub fn exit_code(code: u8) -> ExitCode {
    ExitCode::from(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdicts_map_to_codes() {
        assert_eq!(code_for(&Verdict::Done, false), 0);
        assert_eq!(code_for(&Verdict::Passed, false), 0);
        assert_eq!(code_for(&Verdict::Failed("no".into()), false), 1);
    }

    #[test]
    fn soft_only_softens_denials() {
        assert_eq!(code_for(&Verdict::Failed("no".into()), true), 0);
        assert_eq!(code_for_error(ErrorClass::Denied, true), 0);
        assert_eq!(code_for_error(ErrorClass::Input, true), 2);
        assert_eq!(code_for_error(ErrorClass::Environment, true), 3);
        assert_eq!(code_for_error(ErrorClass::Denied, false), 1);
    }

    #[test]
    fn failure_carries_class_and_hint() {
        let f = Failure::environment("shallow clone").with_hint("use fetch-depth: 0");
        assert_eq!(f.class(), ErrorClass::Environment);
        assert_eq!(f.hint().as_deref(), Some("use fetch-depth: 0"));
        assert_eq!(f.to_string(), "shallow clone");
        let boxed: Box<dyn Classify> = Box::new(Failure::input("bad"));
        assert_eq!(boxed.class(), ErrorClass::Input);
    }
}
