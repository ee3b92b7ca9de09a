//! What kind of failure an error is ([`ErrorClass`]) and the trait every
//! error type implements to say so ([`Classify`]); the class decides the
//! exit code (1 denied, 2 bad input, 3 the environment failed).

use std::fmt;

/// What kind of failure an error is; decides the exit code.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    /// The check ran and said no (exit 1).
    Denied,
    /// The input was bad (exit 2).
    Input,
    /// The environment failed: git, network, API, permissions (exit 3).
    Environment,
}

impl ErrorClass {
    /// The process exit code for this class.
    pub const fn code(self) -> u8 {
        match self {
            ErrorClass::Denied => 1,
            ErrorClass::Input => 2,
            ErrorClass::Environment => 3,
        }
    }

    /// A stable lower-case name, used in `--json` error objects.
    pub const fn name(self) -> &'static str {
        match self {
            ErrorClass::Denied => "denied",
            ErrorClass::Input => "input",
            ErrorClass::Environment => "environment",
        }
    }
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Implemented by every tool's error type: the class decides the exit code;
/// the hint, when there is one, says what to do next.
pub trait Classify: fmt::Display {
    /// The class of this error.
    fn class(&self) -> ErrorClass;

    /// What to do about it (a command, a `permissions:` entry…), if known.
    fn hint(&self) -> Option<String> {
        None
    }
}

impl<T: Classify + ?Sized> Classify for Box<T> {
    fn class(&self) -> ErrorClass {
        (**self).class()
    }
    fn hint(&self) -> Option<String> {
        (**self).hint()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_documented_codes() {
        assert_eq!(ErrorClass::Denied.code(), 1);
        assert_eq!(ErrorClass::Input.code(), 2);
        assert_eq!(ErrorClass::Environment.code(), 3);
    }
}
