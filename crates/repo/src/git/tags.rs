//! Tags: listing and reading them (tagger dates from the cache), creating
//! one with a push that never forces, resolving a commit.

use super::*;
use crate::model::CommitId;
use crate::{Annotation, Created, ListedTag, NewTag, RepoError, Store, Tag, TagKind};
use jiff::Timestamp;
use std::collections::HashMap;

impl GitStore {
    pub(super) fn tags_with_prefix(&self, prefix: &str) -> Result<Vec<ListedTag>, RepoError> {
        check_pattern_safe(prefix)?;
        let full = format!("refs/tags/{prefix}");
        let listing = self.listing()?;
        let refs = listing.with_prefix(&full);
        let mut cache = DateCache::load(&self.cache_path);
        let unknown: Vec<&RemoteRef> = refs
            .iter()
            .filter(|r| r.peeled.is_some() && !cache.contains(&r.oid))
            .collect();
        if !unknown.is_empty() {
            // Read first: the objects usually are here (a checkout that
            // fetched tags, an earlier run); only the missing ones are
            // fetched, then read.
            let oids: Vec<&str> = unknown.iter().map(|r| r.oid.as_str()).collect();
            let mut objects = self.read_objects(&oids)?;
            let missing: Vec<usize> = (0..objects.len())
                .filter(|&i| objects[i].is_none())
                .collect();
            if !missing.is_empty() {
                let refs: Vec<&RemoteRef> = missing.iter().map(|&i| unknown[i]).collect();
                self.fetch_missing(&refs)?;
                let oids: Vec<&str> = refs.iter().map(|r| r.oid.as_str()).collect();
                for (i, obj) in missing.iter().zip(self.read_objects(&oids)?) {
                    objects[*i] = obj;
                }
            }
            for (r, obj) in unknown.iter().zip(objects) {
                let date = match obj {
                    Some(o) if o.kind == "tag" => tagger_date(&o.data),
                    Some(o) => {
                        return Err(RepoError::Corrupt {
                            what: format!("tag {}", short_tag_name(&r.name)),
                            detail: format!("{} is a {}, expected a tag object", r.oid, o.kind),
                        });
                    }
                    None => {
                        return Err(RepoError::Corrupt {
                            what: format!("tag {}", short_tag_name(&r.name)),
                            detail: format!("the tag object {} could not be fetched", r.oid),
                        });
                    }
                };
                cache.insert(r.oid.clone(), date);
            }
            cache.save();
        }
        refs.iter()
            .map(|r| {
                Ok(ListedTag {
                    name: short_tag_name(&r.name).to_owned(),
                    commit: commit_id(r.target(), &r.name)?,
                    object: r.peeled.as_ref().map(|_| r.oid.clone()),
                    date: if r.peeled.is_some() {
                        cache.get(&r.oid)
                    } else {
                        None
                    },
                })
            })
            .collect()
    }

    pub(super) fn tags_named(&self, names: &[&str]) -> Result<Vec<Option<Tag>>, RepoError> {
        if names.is_empty() {
            return Ok(Vec::new());
        }
        for n in names {
            check_pattern_safe(n)?;
        }
        let listing = self.listing()?;
        let by_name: HashMap<&str, &RemoteRef> = names
            .iter()
            .filter_map(|n| Some((*n, listing.get(&format!("refs/tags/{n}"))?)))
            .collect();
        let annotated: Vec<&RemoteRef> = names
            .iter()
            .filter_map(|n| by_name.get(n).copied())
            .filter(|r| r.peeled.is_some())
            .collect();
        self.ensure_objects(&annotated)?;
        let mut read: HashMap<String, Tag> = self
            .read_tag_objects(&annotated)?
            .into_iter()
            .map(|t| (t.name.clone(), t))
            .collect();
        names
            .iter()
            .map(|n| {
                let Some(r) = by_name.get(n) else {
                    return Ok(None);
                };
                if r.peeled.is_some() {
                    Ok(read.remove(*n))
                } else {
                    Ok(Some(Tag {
                        name: (*n).to_owned(),
                        commit: commit_id(&r.oid, &r.name)?,
                        kind: TagKind::Lightweight,
                    }))
                }
            })
            .collect()
    }

    pub(super) fn push_new_tag(&self, tag: &NewTag) -> Result<Created, RepoError> {
        vocab::refname::check_tag_name(&tag.name).map_err(|e| RepoError::InvalidInput {
            what: "tag name",
            value: tag.name.clone(),
            expected: e.to_string(),
        })?;
        if !self.ensure_commit_here(&tag.commit)? {
            return Err(RepoError::NotFound {
                what: "commit",
                name: tag.commit.to_string(),
                hint: Some(format!(
                    "neither this repository nor {} has it: push it first",
                    self.remote
                )),
            });
        }
        let who = self.identity();
        let body = format!(
            "object {}\ntype commit\ntag {}\ntagger {} <{}> {} +0000\n\n{}",
            tag.commit,
            tag.name,
            clean_ident(&who.name),
            clean_ident(&who.email),
            tag.time.as_second(),
            tag.message
        );
        let oid =
            String::from_utf8_lossy(&self.run(&["mktag"], Some(body.as_bytes()), Op::Local)?)
                .trim()
                .to_owned();
        let refname = format!("refs/tags/{}", tag.name);
        let pushed = self.push(&oid, &refname)?;
        if pushed.ok && pushed.flag != Some('=') {
            let raw = parse_tag_object(body.as_bytes());
            return Ok(Created::Created(Tag {
                name: tag.name.clone(),
                commit: tag.commit.clone(),
                kind: TagKind::Annotated(Annotation {
                    object: oid,
                    tagger: raw.tagger.as_ref().map(|(p, _)| p.clone()),
                    date: raw.tagger.map(|(_, t)| t),
                    message: raw.message,
                }),
            }));
        }
        // Refused (or already there): read back what stands.
        match self.read_tag(&tag.name)? {
            Some(existing) => Ok(Created::AlreadyExists(existing)),
            None => Err(push_error(&self.remote, &refname, &pushed)),
        }
    }

    pub(super) fn commit_named(&self, rev: &str) -> Result<Option<CommitId>, RepoError> {
        let rev = rev.trim();
        if !(4..=64).contains(&rev.len()) || !rev.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(RepoError::InvalidInput {
                what: "commit",
                value: rev.to_owned(),
                expected: "a commit id (4 to 40 hex digits), such as 84fb5881".into(),
            });
        }
        let rev = rev.to_ascii_lowercase();
        let local = |store: &Self| -> Result<Option<CommitId>, RepoError> {
            let spec = format!("{rev}^{{commit}}");
            let (code, out, err) = store.exec(
                &[
                    "rev-parse",
                    "--verify",
                    "--quiet",
                    "--end-of-options",
                    &spec,
                ],
                None,
                Op::Local,
                &[],
            )?;
            match code {
                Some(0) => Ok(CommitId::parse(String::from_utf8_lossy(&out).trim()).ok()),
                _ if String::from_utf8_lossy(&err).contains("ambiguous") => {
                    Err(RepoError::InvalidInput {
                        what: "commit",
                        value: rev.clone(),
                        expected: "an unambiguous commit id: give more hex digits".into(),
                    })
                }
                _ => Ok(None),
            }
        };
        if let Some(c) = local(self)? {
            return Ok(Some(c));
        }
        let Ok(full) = CommitId::parse(&rev) else {
            // An abbreviated id cannot be fetched by itself.
            return Ok(None);
        };
        if self.ensure_commit_here(&full)? {
            local(self)
        } else {
            Ok(None)
        }
    }

    /// Pushes `oid` to `refname` on the remote, never forcing. Returns the
    /// porcelain status flag of the ref (`*` new, `=` up to date, `!`
    /// rejected) and git's stderr when the push failed.
    pub(super) fn push(&self, oid: &str, refname: &str) -> Result<PushResult, RepoError> {
        self.push_with_lease(oid, refname, None)
    }

    pub(super) fn git_date_env(&self, time: Timestamp) -> Vec<(&'static str, String)> {
        let who = self.identity();
        let date = format!("@{} +0000", time.as_second());
        vec![
            ("GIT_AUTHOR_NAME", who.name.clone()),
            ("GIT_AUTHOR_EMAIL", who.email.clone()),
            ("GIT_AUTHOR_DATE", date.clone()),
            ("GIT_COMMITTER_NAME", who.name.clone()),
            ("GIT_COMMITTER_EMAIL", who.email.clone()),
            ("GIT_COMMITTER_DATE", date),
        ]
    }
}

#[derive(Debug)]
pub(super) struct PushResult {
    pub(super) ok: bool,
    pub(super) code: Option<i32>,
    pub(super) flag: Option<char>,
    pub(super) detail: String,
}

pub(super) fn push_error(remote: &str, refname: &str, pushed: &PushResult) -> RepoError {
    RepoError::Git {
        command: format!("push {remote} {refname}"),
        code: pushed.code,
        stderr: pushed.detail.clone(),
    }
}

/// `refs/tags/x` → `x`.
pub(super) fn short_tag_name(refname: &str) -> &str {
    refname.strip_prefix("refs/tags/").unwrap_or(refname)
}
