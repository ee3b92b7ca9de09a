//! version-stamp: one build version per commit, `{sha}-{date}-{time}`
//! (`84fb5881-20250120-143022`), and the tag names and artifact name that
//! follow from it.
//!
//! - [`refname`]: tag names git accepts and no shell can misread
//!   ([`refname::check_tag_name`], [`refname::check_component`]);
//! - [`BuildVersion`]: the default version format, parsed and validated.

pub mod refname;
mod version;

pub use version::{BuildVersion, EXAMPLE, FORM, VersionError};
