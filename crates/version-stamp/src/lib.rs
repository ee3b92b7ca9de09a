//! version-stamp: one build version per commit, `{sha}-{date}-{time}`
//! (`84fb5881-20250120-143022`), and the tag names and artifact name that
//! follow from it.
//!
//! - [`refname`]: tag names git accepts and no shell can misread
//!   ([`refname::check_tag_name`], [`refname::check_component`]);
//! - [`BuildVersion`]: the default version format, parsed and validated;
//! - [`Template`]: `--format` templates and their placeholders;
//! - [`stamp()`]: from [`Inputs`] (flags, the event, the runner's
//!   variables, read by `main`) and git's answers to a [`Stamp`].
//!
//! The library never reads the environment and never prints; git is asked
//! through the [`Git`] trait ([`GitCli`] runs the `git` command).

pub mod git;
mod inputs;
mod stamp;
mod template;

pub use git::{Git, GitCli, GitError};
pub use inputs::{
    EventPayload, Github, Inputs, STAGES, Sha, ShaSource, TimeSpec, needs_event_payload, service,
    sha_length,
};
pub use stamp::{Error, Stamp, parse_outputs, stamp};
pub use template::{
    DEFAULT_FORMAT, MAX_BRANCH_LEN, Placeholder, Template, TemplateError, safe_branch,
};
pub use vocab::version::{BuildVersion, EXAMPLE, FORM, VersionError};

/// Tag-name rules, now in `vocab` (re-exported so these paths keep working).
pub mod refname {
    pub use vocab::refname::*;
}
