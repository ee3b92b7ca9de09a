//! The GitHub API behind semantic-bump's narrow [`PullRequests`] seam: the
//! shared client of crates/repo (retries, rate limits, permission hints).
//! Only `lint-pr` and `next --labels-from-pr` build it, so only they start
//! an async runtime.

use super::cli::ApiArgs;
use gha::{Classify, GithubEnv};
use repo::RepoError;
use repo::api::ApiStore;
use semantic_bump::pr::{ApiError, PrCommit, PullRequest, PullRequests, parse_repository};

struct Api {
    store: ApiStore,
}

pub fn remote(e: RepoError) -> ApiError {
    ApiError::Remote {
        message: e.to_string(),
        class: e.class(),
        hint: e.hint(),
    }
}

fn convert(p: repo::api::PullRequest) -> PullRequest {
    PullRequest {
        number: p.number,
        title: p.title,
        labels: p.labels,
        state: p.state,
        merged: p.merged,
        merge_commit_sha: p.merge_commit_sha,
        base_ref: Some(p.base_ref).filter(|r| !r.is_empty()),
        base_sha: None,
    }
}

impl PullRequests for Api {
    fn get(&self, number: u64) -> Result<PullRequest, ApiError> {
        match self.store.pull_request(number).map_err(remote)? {
            Some(p) => Ok(convert(p)),
            None => Err(ApiError::NotFound(number, self.store.repository())),
        }
    }

    fn for_commit(&self, sha: &str) -> Result<Vec<PullRequest>, ApiError> {
        Ok(self
            .store
            .pulls_for_commit(sha)
            .map_err(remote)?
            .into_iter()
            .map(convert)
            .collect())
    }

    fn comments(&self, number: u64) -> Result<Vec<(u64, String)>, ApiError> {
        self.store.issue_comments(number).map_err(remote)
    }

    fn put_comment(&self, number: u64, id: Option<u64>, body: &str) -> Result<u64, ApiError> {
        self.store.put_comment(number, id, body).map_err(remote)
    }

    fn commits(&self, number: u64) -> Result<Vec<PrCommit>, ApiError> {
        Ok(self
            .store
            .pull_request_commits(number)
            .map_err(remote)?
            .into_iter()
            .map(|c| PrCommit {
                sha: c.sha,
                message: c.message,
                parents: c.parents,
            })
            .collect())
    }
}

/// The repository the API is about: `--repository`, else
/// `GITHUB_REPOSITORY` when it is `OWNER/NAME`.
pub fn repository(api: &ApiArgs, run_env: &GithubEnv) -> Option<String> {
    match &api.repository {
        Some((o, n)) => Some(format!("{o}/{n}")),
        None => {
            let env = run_env.repository.as_deref().unwrap_or_default();
            parse_repository(env).ok().map(|(o, n)| format!("{o}/{n}"))
        }
    }
}

/// The API store, from the flags or the runner's environment
/// (`GITHUB_REPOSITORY`, `GITHUB_API_URL`, `GITHUB_GRAPHQL_URL`).
pub fn store(
    api: &ApiArgs,
    run_env: &GithubEnv,
    token: Option<String>,
) -> Result<ApiStore, ApiError> {
    let token = token.ok_or(ApiError::NoToken)?;
    let repository = repository(api, run_env).ok_or(ApiError::NoRepository)?;
    repo::api::open(
        run_env.api_url_or(api.api_url.as_deref()).as_deref(),
        run_env.graphql_url.as_deref(),
        &repository,
        &token,
    )
    .map_err(remote)
}

/// The client, from the flags or the runner's environment
/// (`GITHUB_REPOSITORY`, `GITHUB_API_URL`) and the token.
pub fn client(
    api: &ApiArgs,
    run_env: &GithubEnv,
    token: Option<String>,
) -> Result<Box<dyn PullRequests>, ApiError> {
    Ok(Box::new(Api {
        store: store(api, run_env, token)?,
    }))
}
