//! Tags and commits: listed and read through GraphQL, created through REST
//! (tag object, then ref), race-safe.

use super::ApiStore;
use super::client::{Reconciled, Resp, encode_path};
use crate::{
    Annotation, CommitId, Created, ListedTag, MovedTag, NewTag, Person, RepoError, Tag, TagKind,
};
use http::Method;
use jiff::Timestamp;
use serde_json::{Value, json};

/// The fields read for a ref's target: the object, and for a tag object
/// its tagger, message and what it points at (two levels of nesting).
const TARGET_FIELDS: &str = "target { __typename oid ... on Tag { message tagger { name email date } \
     target { __typename oid ... on Tag { target { __typename oid } } } } }";

const LIST_TAGS: &str = r#"query($owner: String!, $name: String!, $refPrefix: String!, $query: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    refs(refPrefix: $refPrefix, query: $query, first: 100, after: $after,
         orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        name
        target { __typename oid ... on Tag { tagger { date }
          target { __typename oid ... on Tag { target { __typename oid } } } } }
      }
    }
  }
}"#;

/// Names read per GraphQL query by `read_tags`.
const READ_CHUNK: usize = 50;

/// How deep nested tag objects are followed over REST when GraphQL's two
/// levels are not enough.
const MAX_PEEL: usize = 8;

impl ApiStore {
    /// `POST /graphql`, with the repository's `owner`/`name` variables,
    /// errors mapped: `data.repository`, or why not.
    pub(super) async fn graphql_repository(
        &self,
        what: &str,
        permission: &'static str,
        query: &str,
        mut variables: Value,
    ) -> Result<Value, RepoError> {
        variables["owner"] = json!(self.owner);
        variables["name"] = json!(self.name);
        let resp = self.client.graphql(query, variables).await?;
        if resp.status != 200 {
            return Err(self.unexpected(&resp, what, permission));
        }
        let body = resp.json()?;
        if let Some(errors) = body.get("errors").and_then(Value::as_array)
            && !errors.is_empty()
        {
            let first = &errors[0];
            let kind = first.get("type").and_then(Value::as_str).unwrap_or("");
            let message = self.client.redact(
                first
                    .get("message")
                    .and_then(Value::as_str)
                    .unwrap_or("GraphQL error"),
            );
            return Err(match kind {
                "NOT_FOUND" => self.repository_not_found(&resp),
                "FORBIDDEN" => RepoError::PermissionDenied {
                    action: what.to_owned(),
                    permission,
                    detail: format!("GraphQL answered FORBIDDEN: {message}"),
                },
                _ => RepoError::Api {
                    request: format!("GraphQL query ({what})"),
                    status: Some(200),
                    message,
                },
            });
        }
        match body.pointer("/data/repository") {
            Some(Value::Null) | None => Err(self.repository_not_found(&resp)),
            Some(repo) => Ok(repo.clone()),
        }
    }

    pub(super) async fn list_tags_async(&self, prefix: &str) -> Result<Vec<ListedTag>, RepoError> {
        let what = format!("list tags {prefix}*");
        // `shop/qa-` → the refs under `refs/tags/shop/` whose name has
        // `qa-`: GitHub answers names relative to the ref prefix.
        let (dir, base) = match prefix.rfind('/') {
            Some(i) => prefix.split_at(i + 1),
            None => ("", prefix),
        };
        let mut out = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let repo = self
                .graphql_repository(
                    &what,
                    "contents: read",
                    LIST_TAGS,
                    json!({ "refPrefix": format!("refs/tags/{dir}"), "query": base, "after": after }),
                )
                .await?;
            let refs = &repo["refs"];
            for node in refs["nodes"].as_array().into_iter().flatten() {
                let Some(relative) = node["name"].as_str() else {
                    continue;
                };
                let full = format!("{dir}{relative}");
                let name = full.as_str();
                // `query` matches loosely; the prefix is exact.
                if !name.starts_with(prefix) {
                    continue;
                }
                let target = &node["target"];
                let (object, date) = match target["__typename"].as_str() {
                    Some("Tag") => (
                        target["oid"].as_str().map(str::to_owned),
                        parse_time(&target["tagger"]["date"]),
                    ),
                    _ => (None, None),
                };
                let Some(commit) = self.peel(target).await? else {
                    // Points at a tree or blob: not a version tag.
                    continue;
                };
                out.push(ListedTag {
                    name: name.to_owned(),
                    commit,
                    object,
                    date,
                });
            }
            let info = &refs["pageInfo"];
            match (info["hasNextPage"].as_bool(), info["endCursor"].as_str()) {
                (Some(true), Some(cursor)) => after = Some(cursor.to_owned()),
                _ => break,
            }
        }
        Ok(out)
    }

    /// The commit at the end of a ref's target (as GraphQL gave it, two
    /// levels deep), following deeper tag chains over REST. `None` when it
    /// ends at a tree or blob.
    async fn peel(&self, target: &Value) -> Result<Option<CommitId>, RepoError> {
        let mut cur = target;
        for _ in 0..3 {
            match cur["__typename"].as_str() {
                Some("Commit") => {
                    return Ok(cur["oid"].as_str().and_then(|s| CommitId::parse(s).ok()));
                }
                Some("Tag") if cur.get("target").is_some_and(|t| !t.is_null()) => {
                    cur = &cur["target"];
                }
                Some("Tag") => {
                    let Some(oid) = cur["oid"].as_str() else {
                        return Ok(None);
                    };
                    return self.peel_rest(oid).await;
                }
                _ => return Ok(None),
            }
        }
        Ok(None)
    }

    async fn peel_rest(&self, tag_object: &str) -> Result<Option<CommitId>, RepoError> {
        let mut sha = tag_object.to_owned();
        for _ in 0..MAX_PEEL {
            let url = self.repo_url(&format!("/git/tags/{}", encode_path(&sha)));
            let resp = self.client.send(Method::GET, &url, None).await?;
            if resp.status != 200 {
                return Err(self.unexpected(&resp, "read a tag object", "contents: read"));
            }
            let v = resp.json()?;
            let next = v["object"]["sha"].as_str().unwrap_or_default().to_owned();
            match v["object"]["type"].as_str() {
                Some("commit") => return Ok(CommitId::parse(&next).ok()),
                Some("tag") => sha = next,
                _ => return Ok(None),
            }
        }
        Err(RepoError::Corrupt {
            what: format!("tag object {tag_object}"),
            detail: format!("more than {MAX_PEEL} nested tag objects"),
        })
    }

    pub(super) async fn read_tags_async(
        &self,
        names: &[&str],
    ) -> Result<Vec<Option<Tag>>, RepoError> {
        let mut out = Vec::with_capacity(names.len());
        for chunk in names.chunks(READ_CHUNK) {
            let mut defs = vec!["$owner: String!".to_owned(), "$name: String!".to_owned()];
            let mut fields = Vec::new();
            let mut vars = json!({});
            for (i, name) in chunk.iter().enumerate() {
                defs.push(format!("$r{i}: String!"));
                fields.push(format!(
                    "r{i}: ref(qualifiedName: $r{i}) {{ name {TARGET_FIELDS} }}"
                ));
                vars[format!("r{i}")] = json!(format!("refs/tags/{name}"));
            }
            let query = format!(
                "query({}) {{ repository(owner: $owner, name: $name) {{ {} }} }}",
                defs.join(", "),
                fields.join(" ")
            );
            let what = if chunk.len() == 1 {
                format!("read tag {}", chunk[0])
            } else {
                format!("read {} tags", chunk.len())
            };
            let repo = self
                .graphql_repository(&what, "contents: read", &query, vars)
                .await?;
            for (i, name) in chunk.iter().enumerate() {
                let node = &repo[format!("r{i}")];
                if node.is_null() {
                    out.push(None);
                    continue;
                }
                out.push(self.tag_from_node(name, &node["target"]).await?);
            }
        }
        Ok(out)
    }

    async fn tag_from_node(&self, name: &str, target: &Value) -> Result<Option<Tag>, RepoError> {
        let Some(commit) = self.peel(target).await? else {
            return Err(RepoError::Corrupt {
                what: format!("tag {name}"),
                detail: "it does not point at a commit".into(),
            });
        };
        let kind = match target["__typename"].as_str() {
            Some("Tag") => {
                let tagger = &target["tagger"];
                TagKind::Annotated(Annotation {
                    object: target["oid"].as_str().unwrap_or_default().to_owned(),
                    tagger: match (tagger["name"].as_str(), tagger["email"].as_str()) {
                        (Some(n), Some(e)) => Some(Person {
                            name: n.to_owned(),
                            email: e.to_owned(),
                        }),
                        _ => None,
                    },
                    date: parse_time(&tagger["date"]),
                    message: target["message"].as_str().unwrap_or_default().to_owned(),
                })
            }
            _ => TagKind::Lightweight,
        };
        Ok(Some(Tag {
            name: name.to_owned(),
            commit,
            kind,
        }))
    }

    /// Reads one tag, for after a create found the name taken.
    async fn read_standing(&self, name: &str) -> Result<Tag, RepoError> {
        match self.read_tags_async(&[name]).await?.pop().flatten() {
            Some(t) => Ok(t),
            None => Err(RepoError::Api {
                request: format!("read tag {name}"),
                status: None,
                message: "GitHub said the tag exists, but it cannot be read back".into(),
            }),
        }
    }

    pub(super) async fn create_tag_async(&self, tag: &NewTag) -> Result<Created, RepoError> {
        let action = format!("create tag {}", tag.name);
        let me = Person::github_actions_bot();
        let date = tag.time.strftime("%Y-%m-%dT%H:%M:%SZ").to_string();

        // 1. The tag object. Making it twice is harmless (an unreferenced
        //    object), so it is retried like a read.
        let body = json!({
            "tag": tag.name,
            "message": tag.message,
            "object": tag.commit.as_str(),
            "type": "commit",
            "tagger": { "name": me.name, "email": me.email, "date": date },
        });
        let resp = self
            .client
            .send(Method::POST, &self.repo_url("/git/tags"), Some(&body))
            .await?;
        let object = match resp.status {
            200 | 201 => resp.json()?["sha"]
                .as_str()
                .map(str::to_owned)
                .ok_or_else(|| missing_field(&resp, "sha"))?,
            422 if !crate::api::is_rule_refusal(&resp.message()) => {
                // GitHub says why: "Object does not exist" is a commit it
                // lacks; anything else (a field it refused) is said as is.
                let said = self.client.redact(&resp.message());
                let lower = said.to_ascii_lowercase();
                return Err(
                    if lower.contains("object does not exist") || lower.contains("not found") {
                        RepoError::NotFound {
                            what: "commit",
                            name: tag.commit.to_string(),
                            hint: Some(format!(
                                "GitHub has no such object ({said}): push the commit first"
                            )),
                        }
                    } else {
                        RepoError::Api {
                            request: resp.request.clone(),
                            status: Some(422),
                            message: format!("GitHub refused the tag object {}: {said}", tag.name),
                        }
                    },
                );
            }
            _ => return Err(self.unexpected(&resp, &action, "contents: write")),
        };

        // 2. The ref. If the reply is lost, the ref is looked up before it
        //    is sent again; "Reference already exists" is resolved by
        //    reading what stands.
        let ref_name = format!("refs/tags/{}", tag.name);
        let ref_url = self.repo_url(&format!("/git/ref/tags/{}", encode_path(&tag.name)));
        let body = json!({ "ref": ref_name, "sha": object });
        let resp = self
            .client
            .send_write(
                Method::POST,
                &self.repo_url("/git/refs"),
                Some(&body),
                || {
                    let url = ref_url.clone();
                    async move {
                        let r = self.client.send(Method::GET, &url, None).await?;
                        Ok(match r.status {
                            200 => Reconciled::Applied(r.json()?),
                            _ => Reconciled::NotApplied,
                        })
                    }
                },
            )
            .await?;
        let ours = |t: &Tag| t.annotation().is_some_and(|a| a.object == object);
        match resp.status {
            200 | 201 => {
                let pointed = resp.json()?["object"]["sha"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                if pointed == object {
                    Ok(Created::Created(Tag {
                        name: tag.name.clone(),
                        commit: tag.commit.clone(),
                        kind: TagKind::Annotated(Annotation {
                            object,
                            tagger: Some(me),
                            date: Some(
                                Timestamp::from_second(tag.time.as_second()).unwrap_or(tag.time),
                            ),
                            message: tag.message.clone(),
                        }),
                    }))
                } else {
                    Ok(Created::AlreadyExists(self.read_standing(&tag.name).await?))
                }
            }
            422 if resp
                .message()
                .to_ascii_lowercase()
                .contains("already exists") =>
            {
                let standing = self.read_standing(&tag.name).await?;
                if ours(&standing) {
                    // Our own earlier attempt, whose reply was lost.
                    Ok(Created::Created(standing))
                } else {
                    Ok(Created::AlreadyExists(standing))
                }
            }
            _ => Err(self.unexpected(&resp, &action, "contents: write")),
        }
    }

    /// Points the floating tag `name` (`v1`, `v1.3`) at `commit`, as a
    /// lightweight tag: `PATCH git/refs/tags/{name}` with `force` (the one
    /// forced ref update shipgate makes), or `POST git/refs` when it does
    /// not exist yet. Already there: `moved: false`, no write.
    pub fn move_tag(&self, name: &str, commit: &CommitId) -> Result<MovedTag, RepoError> {
        vocab::refname::check_tag_name(name).map_err(|e| RepoError::InvalidInput {
            what: "tag name",
            value: name.to_owned(),
            expected: e.to_string(),
        })?;
        self.block_on(self.move_tag_async(name, commit))
    }

    async fn move_tag_async(&self, name: &str, commit: &CommitId) -> Result<MovedTag, RepoError> {
        let action = format!("move tag {name}");
        let ref_url = self.repo_url(&format!("/git/ref/tags/{}", encode_path(name)));
        let resp = self.client.send(Method::GET, &ref_url, None).await?;
        let current = match resp.status {
            200 => {
                let v = resp.json()?;
                let sha = v["object"]["sha"].as_str().unwrap_or_default().to_owned();
                let kind = v["object"]["type"].as_str().unwrap_or_default().to_owned();
                Some((sha, kind))
            }
            404 => None,
            _ => return Err(self.unexpected(&resp, &action, "contents: read")),
        };
        let previous = match &current {
            Some((sha, kind)) if kind == "tag" => self.peel_rest(sha).await?,
            Some((sha, _)) => CommitId::parse(sha).ok(),
            None => None,
        };
        if let Some((sha, kind)) = &current
            && kind == "commit"
            && sha == commit.as_str()
        {
            return Ok(MovedTag {
                name: name.to_owned(),
                previous,
                moved: false,
            });
        }
        let resp = match current {
            Some(_) => {
                let body = json!({ "sha": commit.as_str(), "force": true });
                let url = self.repo_url(&format!("/git/refs/tags/{}", encode_path(name)));
                // Setting a ref to a value is safe to repeat.
                self.client.send(Method::PATCH, &url, Some(&body)).await?
            }
            None => {
                let body = json!({ "ref": format!("refs/tags/{name}"), "sha": commit.as_str() });
                self.client
                    .send(Method::POST, &self.repo_url("/git/refs"), Some(&body))
                    .await?
            }
        };
        match resp.status {
            200 | 201 => Ok(MovedTag {
                name: name.to_owned(),
                previous,
                moved: true,
            }),
            422 if !crate::api::is_rule_refusal(&resp.message()) => Err(RepoError::Api {
                request: resp.request.clone(),
                status: Some(422),
                message: format!(
                    "{} (the commit must be on GitHub, and nobody else moving {name} at the same time)",
                    resp.message()
                ),
            }),
            _ => Err(self.unexpected(&resp, &action, "contents: write")),
        }
    }

    pub(super) async fn resolve_commit_async(
        &self,
        rev: &str,
    ) -> Result<Option<CommitId>, RepoError> {
        let rev = rev.trim();
        if !(4..=64).contains(&rev.len()) || !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(RepoError::InvalidInput {
                what: "commit",
                value: rev.to_owned(),
                expected:
                    "a full or abbreviated hex commit id (4 to 40 hex digits), such as 84fb5881"
                        .into(),
            });
        }
        let url = self.repo_url(&format!("/commits/{}", rev.to_ascii_lowercase()));
        let resp = self.client.send(Method::GET, &url, None).await?;
        match resp.status {
            200 => {
                let v = resp.json()?;
                let sha = v["sha"]
                    .as_str()
                    .ok_or_else(|| missing_field(&resp, "sha"))?;
                CommitId::parse(sha).map(Some).map_err(|e| RepoError::Api {
                    request: resp.request.clone(),
                    status: Some(200),
                    message: e,
                })
            }
            // 422 "No commit found for SHA", 409 "Git Repository is empty".
            409 | 422 => Ok(None),
            404 => {
                // A missing commit is a 422; a 404 may mean the repository
                // itself is not visible. One more request tells which.
                let repo = self
                    .client
                    .send(Method::GET, &self.repo_url(""), None)
                    .await?;
                if repo.status == 200 {
                    Ok(None)
                } else {
                    Err(self.repository_not_found(&resp))
                }
            }
            _ => Err(self.unexpected(&resp, &format!("resolve commit {rev}"), "contents: read")),
        }
    }
}

pub(super) fn parse_time(v: &Value) -> Option<Timestamp> {
    v.as_str().and_then(|s| s.parse::<Timestamp>().ok())
}

pub(super) fn missing_field(resp: &Resp, field: &str) -> RepoError {
    RepoError::Api {
        request: resp.request.clone(),
        status: Some(resp.status),
        message: format!("the answer has no '{field}'"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_with_offsets() {
        assert_eq!(
            parse_time(&json!("2025-01-20T14:30:22+00:00")),
            Some("2025-01-20T14:30:22Z".parse().unwrap())
        );
        assert_eq!(
            parse_time(&json!("2025-01-20T16:30:22+02:00")),
            Some("2025-01-20T14:30:22Z".parse().unwrap())
        );
        assert_eq!(parse_time(&json!(null)), None);
    }
}
