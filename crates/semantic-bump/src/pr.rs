//! Pull requests: which one an event is about (a `pull_request` payload, a
//! merge-queue branch `gh-readonly-queue/main/pr-123-<sha>`), the merged PR
//! of a pushed commit, and the narrow API seam both need.
//!
//! The event payload goes stale on re-runs (an edited title, a new label),
//! so titles and labels are always read again through [`PullRequests`].

use gha::{Classify, ErrorClass};
use serde_json::Value;

/// A pull request, as much of it as semantic-bump reads.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    pub labels: Vec<String>,
    /// `open` or `closed`.
    pub state: String,
    pub merged: bool,
    pub merge_commit_sha: Option<String>,
    pub base_ref: Option<String>,
    pub base_sha: Option<String>,
}

/// A failed API call.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    #[error(
        "no token: reading pull requests needs GITHUB_TOKEN (the action passes `token`, default github.token)"
    )]
    NoToken,
    #[error("no repository: set GITHUB_REPOSITORY or pass --repository OWNER/NAME")]
    NoRepository,
    #[error("pull request #{0} was not found in {1}")]
    NotFound(u64, String),
    /// What the API client reported, with its class and fix.
    #[error("{message}")]
    Remote {
        message: String,
        class: ErrorClass,
        hint: Option<String>,
    },
}

impl Classify for ApiError {
    fn class(&self) -> ErrorClass {
        match self {
            ApiError::NoRepository => ErrorClass::Input,
            ApiError::Remote { class, .. } => *class,
            _ => ErrorClass::Environment,
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            ApiError::Remote { hint, .. } => hint.clone(),
            ApiError::NoToken | ApiError::NotFound(..) => Some(
                "grant the job `permissions: pull-requests: read` (and `contents: read`), and pass `token`"
                    .into(),
            ),
            _ => None,
        }
    }
}

/// What semantic-bump asks GitHub.
pub trait PullRequests {
    /// One pull request, read now.
    fn get(&self, number: u64) -> Result<PullRequest, ApiError>;
    /// The pull requests a commit belongs to (for a push: the one merged
    /// as that commit).
    fn for_commit(&self, sha: &str) -> Result<Vec<PullRequest>, ApiError>;
    /// A pull request's commits, oldest first.
    fn commits(&self, number: u64) -> Result<Vec<PrCommit>, ApiError>;
    /// The comments on a pull request, oldest first: (id, body).
    fn comments(&self, number: u64) -> Result<Vec<(u64, String)>, ApiError>;
    /// Writes a comment (`id: None`) or edits comment `id`; its id.
    fn put_comment(&self, number: u64, id: Option<u64>, body: &str) -> Result<u64, ApiError>;
}

/// The hidden first line of semantic-pr's one sticky comment.
pub const COMMENT_MARKER: &str = "<!-- shipgate:semantic-pr -->";

/// The sticky comment among a pull request's comments (the oldest with
/// the marker).
pub fn sticky_comment(comments: &[(u64, String)]) -> Option<(u64, &str)> {
    comments
        .iter()
        .find(|(_, b)| b.starts_with(COMMENT_MARKER))
        .map(|(id, b)| (*id, b.as_str()))
}

/// One commit of a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrCommit {
    pub sha: String,
    pub message: String,
    pub parents: usize,
}

/// What GitHub uses as the squash commit's message: with exactly one
/// commit (merge commits aside, as GitHub counts), that commit's message,
/// not the title.
pub fn single_commit(commits: &[PrCommit]) -> Option<&PrCommit> {
    let mut plain = commits.iter().filter(|c| c.parents < 2);
    let first = plain.next()?;
    plain.next().is_none().then_some(first)
}

/// What an event says about the pull request it concerns.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct EventPr {
    pub number: Option<u64>,
    /// The base commit to preview a release from.
    pub base_sha: Option<String>,
}

/// Reads `GITHUB_EVENT_NAME` + the payload at `GITHUB_EVENT_PATH`.
pub fn event_pr(event_name: &str, payload: &Value) -> Result<EventPr, String> {
    match event_name {
        "pull_request" | "pull_request_target" | "pull_request_review" => {
            let pr = &payload["pull_request"];
            Ok(EventPr {
                number: pr["number"].as_u64(),
                base_sha: pr["base"]["sha"].as_str().map(str::to_owned),
            })
        }
        "merge_group" => {
            let mg = &payload["merge_group"];
            let head_ref = mg["head_ref"].as_str().unwrap_or_default();
            let number = queue_pr_number(head_ref).ok_or_else(|| {
                format!(
                    "the merge group's branch '{head_ref}' is not gh-readonly-queue/<base>/pr-<number>-<sha>"
                )
            })?;
            Ok(EventPr {
                number: Some(number),
                base_sha: mg["base_sha"].as_str().map(str::to_owned),
            })
        }
        _ => Ok(EventPr::default()),
    }
}

/// The PR number of a merge-queue branch:
/// `refs/heads/gh-readonly-queue/main/pr-123-<40 hex>` → 123. The base
/// branch may hold slashes.
pub fn queue_pr_number(head_ref: &str) -> Option<u64> {
    let r = head_ref.strip_prefix("refs/heads/").unwrap_or(head_ref);
    let r = r.strip_prefix("gh-readonly-queue/")?;
    let last = r.rsplit('/').next()?;
    if last.len() == r.len() {
        return None; // no base branch
    }
    let rest = last.strip_prefix("pr-")?;
    let (num, sha) = rest.split_once('-')?;
    let sha_ok = (sha.len() == 40 || sha.len() == 64) && sha.bytes().all(|b| b.is_ascii_hexdigit());
    if !sha_ok || num.is_empty() || !num.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    num.parse().ok()
}

/// The pull request a pushed commit came from: merged as that very commit
/// first, else any merged one.
pub fn merged_pr_of<'a>(commit: &str, prs: &'a [PullRequest]) -> Option<&'a PullRequest> {
    prs.iter()
        .find(|p| p.merged && p.merge_commit_sha.as_deref() == Some(commit))
        .or_else(|| prs.iter().find(|p| p.merged))
}

/// `OWNER/NAME`, checked.
pub fn parse_repository(s: &str) -> Result<(String, String), String> {
    let t = s.trim();
    let ok = |p: &str| {
        !p.is_empty()
            && p.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    match t.split_once('/') {
        Some((o, n)) if ok(o) && ok(n) => Ok((o.to_owned(), n.to_owned())),
        _ => Err(format!(
            "invalid repository '{t}': expected OWNER/NAME such as octo/shop"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const SHA: &str = "0123456789abcdef0123456789abcdef01234567";

    #[test]
    fn merge_queue_branches() {
        assert_eq!(
            queue_pr_number(&format!("refs/heads/gh-readonly-queue/main/pr-123-{SHA}")),
            Some(123)
        );
        assert_eq!(
            queue_pr_number(&format!("gh-readonly-queue/release/v2/pr-7-{SHA}")),
            Some(7)
        );
        for bad in [
            format!("gh-readonly-queue/pr-7-{SHA}"),
            "gh-readonly-queue/main/pr-7-abc".to_owned(),
            format!("gh-readonly-queue/main/pr--{SHA}"),
            format!("feature/main/pr-7-{SHA}"),
        ] {
            assert_eq!(queue_pr_number(&bad), None, "{bad}");
        }
    }

    #[test]
    fn events() {
        let pr = json!({"pull_request": {"number": 5, "base": {"sha": SHA}, "title": "stale"}});
        assert_eq!(
            event_pr("pull_request", &pr).unwrap(),
            EventPr {
                number: Some(5),
                base_sha: Some(SHA.into())
            }
        );
        let mg = json!({"merge_group": {"head_ref": format!("refs/heads/gh-readonly-queue/main/pr-9-{SHA}"), "base_sha": SHA}});
        assert_eq!(event_pr("merge_group", &mg).unwrap().number, Some(9));
        let bad = json!({"merge_group": {"head_ref": "refs/heads/main"}});
        assert!(
            event_pr("merge_group", &bad)
                .unwrap_err()
                .contains("gh-readonly-queue")
        );
        assert_eq!(event_pr("push", &json!({})).unwrap(), EventPr::default());
    }

    #[test]
    fn the_merged_pr_of_a_commit() {
        let prs = vec![
            PullRequest {
                number: 1,
                merged: false,
                ..Default::default()
            },
            PullRequest {
                number: 2,
                merged: true,
                merge_commit_sha: Some("other".into()),
                ..Default::default()
            },
            PullRequest {
                number: 3,
                merged: true,
                merge_commit_sha: Some(SHA.into()),
                ..Default::default()
            },
        ];
        assert_eq!(merged_pr_of(SHA, &prs).unwrap().number, 3);
        assert_eq!(merged_pr_of("x", &prs).unwrap().number, 2);
        assert!(merged_pr_of("x", &prs[..1]).is_none());
    }

    #[test]
    fn repositories() {
        assert_eq!(
            parse_repository(" octo/shop "),
            Ok(("octo".into(), "shop".into()))
        );
        assert!(parse_repository("octo").is_err());
        assert!(parse_repository("octo/sh op").is_err());
    }
}
