//! The GitHub API behind semantic-bump's narrow [`PullRequests`] seam.
//! (Wired to the shared client in crates/repo once it lands.)

use crate::cli::ApiArgs;
use semantic_bump::pr::{ApiError, PullRequests};

pub fn client(_api: &ApiArgs, _token: Option<String>) -> Result<Box<dyn PullRequests>, ApiError> {
    Err(ApiError::Failed {
        message: "the GitHub API client is not wired yet".into(),
    })
}
