//! The vocabulary shipgate's engines (`repo`, `probe`) and its tools share,
//! knowing neither the runner nor a tool:
//!
//! - [`ErrorClass`] and [`Classify`]: what kind of failure an error is;
//! - [`duration`]: parsing durations from outside (`5m`, `1m30s`, `250ms`)
//!   and rendering them for humans ([`human_duration`]);
//! - [`url`]: secrets in URLs redacted from every message;
//! - [`BuildVersion`]: the default version format, parsed and validated;
//! - [`refname`]: tag names git accepts and no shell can misread.
//!
//! Nothing here reads the environment or prints.

pub mod class;
pub mod duration;
pub mod refname;
pub mod url;
pub mod version;

pub use class::{Classify, ErrorClass};
pub use duration::{duration, human_duration};
pub use version::{BuildVersion, EXAMPLE, FORM, Quoted, VersionError};
