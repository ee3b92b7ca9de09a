//! What other tools need from the API beyond [`crate::Store`]: the pull
//! requests of a commit and their labels (semantic-bump reads release
//! labels on a push), and GitHub Releases (semantic-bump `release`,
//! promote-prod).

use super::ApiStore;
use super::client::{Reconciled, encode_path};
use super::tags::missing_field;
use crate::RepoError;
use http::Method;
use serde_json::{Value, json};

/// A pull request, as much as the tools need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullRequest {
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    /// `open` or `closed`.
    pub state: String,
    pub merged: bool,
    pub draft: bool,
    /// The commit the merge made on the base branch (merge, squash or
    /// rebase).
    pub merge_commit_sha: Option<String>,
    pub head_sha: String,
    pub base_ref: String,
    pub labels: Vec<String>,
    pub author: Option<String>,
    pub url: String,
}

/// One commit of a pull request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullCommit {
    pub sha: String,
    pub message: String,
    /// More than one: a merge commit.
    pub parents: usize,
}

impl PullRequest {
    fn from_json(v: &Value) -> Option<Self> {
        let s = |k: &str| v[k].as_str().map(str::to_owned);
        Some(PullRequest {
            number: v["number"].as_u64()?,
            title: s("title").unwrap_or_default(),
            body: s("body"),
            state: s("state").unwrap_or_default(),
            merged: v["merged"]
                .as_bool()
                .unwrap_or_else(|| !v["merged_at"].is_null()),
            draft: v["draft"].as_bool().unwrap_or(false),
            merge_commit_sha: s("merge_commit_sha"),
            head_sha: v["head"]["sha"].as_str().unwrap_or_default().to_owned(),
            base_ref: v["base"]["ref"].as_str().unwrap_or_default().to_owned(),
            labels: v["labels"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|l| l["name"].as_str().map(str::to_owned))
                .collect(),
            author: v["user"]["login"].as_str().map(str::to_owned),
            url: s("html_url").unwrap_or_default(),
        })
    }
}

/// `make_latest` of a release.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MakeLatest {
    True,
    False,
    /// GitHub decides by creation date and semantic version.
    Legacy,
}

impl MakeLatest {
    fn as_str(self) -> &'static str {
        match self {
            MakeLatest::True => "true",
            MakeLatest::False => "false",
            MakeLatest::Legacy => "legacy",
        }
    }
}

/// A GitHub Release.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Release {
    pub id: u64,
    pub tag_name: String,
    pub target_commitish: String,
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    pub html_url: String,
}

impl Release {
    fn from_json(v: &Value) -> Option<Self> {
        let s = |k: &str| v[k].as_str().map(str::to_owned);
        Some(Release {
            id: v["id"].as_u64()?,
            tag_name: s("tag_name")?,
            target_commitish: s("target_commitish").unwrap_or_default(),
            name: s("name"),
            body: s("body"),
            draft: v["draft"].as_bool().unwrap_or(false),
            prerelease: v["prerelease"].as_bool().unwrap_or(false),
            html_url: s("html_url").unwrap_or_default(),
        })
    }
}

/// A release to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewRelease {
    pub tag_name: String,
    /// The commit (or branch) a missing tag is created at; GitHub's
    /// default is the default branch.
    pub target_commitish: Option<String>,
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: bool,
    pub prerelease: bool,
    pub make_latest: Option<MakeLatest>,
}

impl NewRelease {
    pub fn new(tag_name: &str) -> Self {
        NewRelease {
            tag_name: tag_name.into(),
            target_commitish: None,
            name: None,
            body: None,
            draft: false,
            prerelease: false,
            make_latest: None,
        }
    }
}

/// Changes to a release; `None` leaves a field as it is.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ReleaseUpdate {
    pub name: Option<String>,
    pub body: Option<String>,
    pub draft: Option<bool>,
    pub prerelease: Option<bool>,
    pub make_latest: Option<MakeLatest>,
}

/// The result of [`ApiStore::create_release`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseCreated {
    Created(Release),
    /// A release for the tag already exists; this is it.
    AlreadyExists(Release),
}

impl ReleaseCreated {
    pub fn release(&self) -> &Release {
        match self {
            ReleaseCreated::Created(r) | ReleaseCreated::AlreadyExists(r) => r,
        }
    }
}

impl ApiStore {
    /// Every page of a REST list, following `link: rel="next"`. A status
    /// in `stop_on` ends the list there: the items so far and that status
    /// are returned, for the caller to read.
    async fn list_all(
        &self,
        first_url: String,
        action: &str,
        permission: &'static str,
        stop_on: &[u16],
    ) -> Result<(Vec<Value>, Option<u16>), RepoError> {
        let mut out = Vec::new();
        let mut url = Some(first_url);
        while let Some(u) = url.take() {
            let resp = self.client.send(Method::GET, &u, None).await?;
            match resp.status {
                200 => {}
                s if stop_on.contains(&s) => return Ok((out, Some(s))),
                _ => return Err(self.unexpected(&resp, action, permission)),
            }
            match resp.json()? {
                Value::Array(items) => out.extend(items),
                _ => return Err(missing_field(&resp, "[items]")),
            }
            url = resp.next_link();
        }
        Ok((out, None))
    }

    /// The pull requests associated with a commit (merged as it, or
    /// carrying it), with their labels. `GET /commits/{sha}/pulls`, every
    /// page. An unknown commit (404, 422) has none, and so has an empty
    /// repository (409, as GitHub documents).
    pub fn pulls_for_commit(&self, sha: &str) -> Result<Vec<PullRequest>, RepoError> {
        let url = self.repo_url(&format!(
            "/commits/{}/pulls?per_page=100",
            encode_path(sha.trim())
        ));
        let (items, _) = self.block_on(self.list_all(
            url,
            &format!("find the pull requests of commit {sha}"),
            "pull-requests: read",
            &[404, 409, 422],
        ))?;
        Ok(items.iter().filter_map(PullRequest::from_json).collect())
    }

    /// The merged pull request that produced `sha` on its base branch (the
    /// one whose merge commit it is), else the first merged one carrying
    /// it. This is what a push event's labels come from.
    pub fn merged_pull_for_commit(&self, sha: &str) -> Result<Option<PullRequest>, RepoError> {
        let sha = sha.trim().to_ascii_lowercase();
        let pulls = self.pulls_for_commit(&sha)?;
        let exact = pulls
            .iter()
            .position(|p| p.merged && p.merge_commit_sha.as_deref() == Some(sha.as_str()));
        Ok(match exact {
            Some(i) => Some(pulls[i].clone()),
            None => pulls.into_iter().find(|p| p.merged),
        })
    }

    /// The commits of a pull request, oldest first (GitHub lists at most
    /// 250): each one's id, message and number of parents.
    pub fn pull_request_commits(&self, number: u64) -> Result<Vec<PullCommit>, RepoError> {
        let url = self.repo_url(&format!("/pulls/{number}/commits?per_page=100"));
        let (items, _) = self.block_on(self.list_all(
            url,
            &format!("list the commits of pull request #{number}"),
            "pull-requests: read",
            &[404, 422],
        ))?;
        Ok(items
            .iter()
            .filter_map(|v| {
                Some(PullCommit {
                    sha: v["sha"].as_str()?.to_owned(),
                    message: v["commit"]["message"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                    parents: v["parents"].as_array().map_or(0, Vec::len),
                })
            })
            .collect())
    }

    /// The comments on an issue or pull request, oldest first: (id, body).
    pub fn issue_comments(&self, number: u64) -> Result<Vec<(u64, String)>, RepoError> {
        let url = self.repo_url(&format!("/issues/{number}/comments?per_page=100"));
        let (items, _) = self.block_on(self.list_all(
            url,
            &format!("list the comments of #{number}"),
            "pull-requests: read",
            &[404, 422],
        ))?;
        Ok(items
            .iter()
            .filter_map(|v| {
                Some((
                    v["id"].as_u64()?,
                    v["body"].as_str().unwrap_or_default().to_owned(),
                ))
            })
            .collect())
    }

    /// Comments on an issue or pull request (`id: None`), or edits comment
    /// `id`; returns the comment's id.
    pub fn put_comment(&self, number: u64, id: Option<u64>, body: &str) -> Result<u64, RepoError> {
        self.block_on(async {
            let payload = json!({ "body": body });
            let (method, url) = match id {
                Some(id) => (
                    Method::PATCH,
                    self.repo_url(&format!("/issues/comments/{id}")),
                ),
                None => (
                    Method::POST,
                    self.repo_url(&format!("/issues/{number}/comments")),
                ),
            };
            let resp = self.client.send(method, &url, Some(&payload)).await?;
            match resp.status {
                200 | 201 => resp.json()?["id"]
                    .as_u64()
                    .ok_or_else(|| missing_field(&resp, "id")),
                _ => Err(self.unexpected(
                    &resp,
                    &format!("comment on pull request #{number}"),
                    "pull-requests: write",
                )),
            }
        })
    }

    /// A pull request's title, labels and state; `None` if there is no such
    /// pull request.
    pub fn pull_request(&self, number: u64) -> Result<Option<PullRequest>, RepoError> {
        self.block_on(async {
            let resp = self
                .client
                .send(
                    Method::GET,
                    &self.repo_url(&format!("/pulls/{number}")),
                    None,
                )
                .await?;
            match resp.status {
                200 => Ok(PullRequest::from_json(&resp.json()?)),
                404 => Ok(None),
                _ => Err(self.unexpected(
                    &resp,
                    &format!("read pull request #{number}"),
                    "pull-requests: read",
                )),
            }
        })
    }

    async fn release_by_tag_async(&self, tag: &str) -> Result<Option<Release>, RepoError> {
        let url = self.repo_url(&format!("/releases/tags/{}", encode_path(tag)));
        let resp = self.client.send(Method::GET, &url, None).await?;
        match resp.status {
            200 => Ok(Release::from_json(&resp.json()?)),
            404 => Ok(None),
            _ => Err(self.unexpected(&resp, &format!("read release {tag}"), "contents: read")),
        }
    }

    /// The published release of a tag; `None` if there is none.
    pub fn release_by_tag(&self, tag: &str) -> Result<Option<Release>, RepoError> {
        self.block_on(self.release_by_tag_async(tag))
    }

    /// The release of a tag, published or draft: `GET releases/tags/{tag}`
    /// (published only), then the release list (drafts are only listed),
    /// newest first, until found. `None` if there is none.
    pub fn release_for_tag(&self, tag: &str) -> Result<Option<Release>, RepoError> {
        self.block_on(async {
            if let Some(r) = self.release_by_tag_async(tag).await? {
                return Ok(Some(r));
            }
            let mut url = Some(self.repo_url("/releases?per_page=100"));
            while let Some(u) = url.take() {
                let resp = self.client.send(Method::GET, &u, None).await?;
                if resp.status != 200 {
                    return Err(self.unexpected(&resp, "list releases", "contents: read"));
                }
                let Value::Array(items) = resp.json()? else {
                    return Err(missing_field(&resp, "[items]"));
                };
                if let Some(r) = items
                    .iter()
                    .filter(|v| v["tag_name"].as_str() == Some(tag))
                    .find_map(Release::from_json)
                {
                    return Ok(Some(r));
                }
                url = resp.next_link();
            }
            Ok(None)
        })
    }

    /// The release marked latest; `None` if there is none.
    pub fn latest_release(&self) -> Result<Option<Release>, RepoError> {
        self.block_on(async {
            let resp = self
                .client
                .send(Method::GET, &self.repo_url("/releases/latest"), None)
                .await?;
            match resp.status {
                200 => Ok(Release::from_json(&resp.json()?)),
                404 => Ok(None),
                _ => Err(self.unexpected(&resp, "read the latest release", "contents: read")),
            }
        })
    }

    /// Creates a release (and its tag, when missing, at
    /// `target_commitish`). A release that already exists for the tag is
    /// returned as [`ReleaseCreated::AlreadyExists`]; a lost reply is
    /// looked up before the create is sent again.
    pub fn create_release(&self, new: &NewRelease) -> Result<ReleaseCreated, RepoError> {
        self.block_on(async {
            let action = format!("create release {}", new.tag_name);
            let mut body = json!({
                "tag_name": new.tag_name,
                "draft": new.draft,
                "prerelease": new.prerelease,
            });
            if let Some(t) = &new.target_commitish {
                body["target_commitish"] = json!(t);
            }
            if let Some(n) = &new.name {
                body["name"] = json!(n);
            }
            if let Some(b) = &new.body {
                body["body"] = json!(b);
            }
            if let Some(m) = new.make_latest {
                body["make_latest"] = json!(m.as_str());
            }
            let resp = self
                .client
                .send_write(
                    Method::POST,
                    &self.repo_url("/releases"),
                    Some(&body),
                    || async {
                        Ok(match self.release_by_tag_async(&new.tag_name).await? {
                            Some(r) if !new.draft => Reconciled::Applied(json!({ "id": r.id })),
                            _ => Reconciled::NotApplied,
                        })
                    },
                )
                .await?;
            match resp.status {
                201 => Release::from_json(&resp.json()?)
                    .map(ReleaseCreated::Created)
                    .ok_or_else(|| missing_field(&resp, "id")),
                // Found by the reconcile step: our earlier attempt.
                200 => match self.release_by_tag_async(&new.tag_name).await? {
                    Some(r) => Ok(ReleaseCreated::Created(r)),
                    None => Err(missing_field(&resp, "release")),
                },
                422 if resp.body.contains("already_exists") => {
                    match self.release_by_tag_async(&new.tag_name).await? {
                        Some(r) => Ok(ReleaseCreated::AlreadyExists(r)),
                        None => Err(RepoError::Api {
                            request: resp.request.clone(),
                            status: Some(422),
                            message: format!(
                                "a release for {} already exists but is not published (a draft?): \
                                 publish or delete it",
                                new.tag_name
                            ),
                        }),
                    }
                }
                _ => Err(self.unexpected(&resp, &action, "contents: write")),
            }
        })
    }

    /// Changes a release (publish a draft, set notes, make it latest).
    pub fn update_release(&self, id: u64, update: &ReleaseUpdate) -> Result<Release, RepoError> {
        self.block_on(async {
            let mut body = json!({});
            if let Some(n) = &update.name {
                body["name"] = json!(n);
            }
            if let Some(b) = &update.body {
                body["body"] = json!(b);
            }
            if let Some(d) = update.draft {
                body["draft"] = json!(d);
            }
            if let Some(p) = update.prerelease {
                body["prerelease"] = json!(p);
            }
            if let Some(m) = update.make_latest {
                body["make_latest"] = json!(m.as_str());
            }
            let resp = self
                .client
                .send(
                    Method::PATCH,
                    &self.repo_url(&format!("/releases/{id}")),
                    Some(&body),
                )
                .await?;
            match resp.status {
                200 => Release::from_json(&resp.json()?).ok_or_else(|| missing_field(&resp, "id")),
                404 => Err(RepoError::NotFound {
                    what: "release",
                    name: id.to_string(),
                    hint: None,
                }),
                _ => {
                    Err(self.unexpected(&resp, &format!("update release {id}"), "contents: write"))
                }
            }
        })
    }

    /// Labels of an issue or pull request, every page; none for an
    /// unknown number. When the repository's issues are turned off (410
    /// Gone, as GitHub documents for the issue endpoints), a pull request's
    /// labels come from the pull request itself.
    pub fn labels(&self, number: u64) -> Result<Vec<String>, RepoError> {
        let url = self.repo_url(&format!("/issues/{number}/labels?per_page=100"));
        let (items, stopped) = self.block_on(self.list_all(
            url,
            &format!("read the labels of #{number}"),
            "pull-requests: read",
            &[404, 410, 422],
        ))?;
        if stopped == Some(410) {
            return Ok(self
                .pull_request(number)?
                .map(|p| p.labels)
                .unwrap_or_default());
        }
        Ok(items
            .iter()
            .filter_map(|l| l["name"].as_str().map(str::to_owned))
            .collect())
    }
}
