//! Reading the remote: `git ls-remote`, fetching only the objects the
//! repository lacks, `git cat-file --batch`, and parsing what git prints.

use super::*;
use crate::model::Person;
use crate::{Annotation, RepoError, Tag, TagKind};
use jiff::Timestamp;
use std::collections::{HashMap, HashSet};

/// Every ref of the remote, sorted by name.
#[derive(Debug, Default)]
pub(super) struct Listing {
    pub(super) refs: Vec<RemoteRef>,
}

impl Listing {
    pub(super) fn new(mut refs: Vec<RemoteRef>) -> Self {
        // ls-remote prints refs sorted already.
        if !refs.is_sorted_by(|a, b| a.name <= b.name) {
            refs.sort_unstable_by(|a, b| a.name.cmp(&b.name));
        }
        Listing { refs }
    }

    /// The refs whose name starts with `prefix`, in name order.
    pub(super) fn with_prefix(&self, prefix: &str) -> &[RemoteRef] {
        let start = self.refs.partition_point(|r| r.name.as_str() < prefix);
        let len = self.refs[start..].partition_point(|r| r.name.starts_with(prefix));
        &self.refs[start..start + len]
    }

    /// The ref named exactly `name`.
    pub(super) fn get(&self, name: &str) -> Option<&RemoteRef> {
        self.refs
            .binary_search_by(|r| r.name.as_str().cmp(name))
            .ok()
            .map(|i| &self.refs[i])
    }
}

/// One ref as `git ls-remote` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RemoteRef {
    pub(super) name: String,
    pub(super) oid: String,
    /// The peeled object for a ref pointing at a tag object.
    pub(super) peeled: Option<String>,
}

impl RemoteRef {
    /// The object the ref finally points at.
    pub(super) fn target(&self) -> &str {
        self.peeled.as_deref().unwrap_or(&self.oid)
    }
}

/// A git object as `cat-file --batch` returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct RawObject {
    pub(super) kind: String,
    pub(super) data: Vec<u8>,
}

// ── parsing git's output ────────────────────────────────────────────────

pub(super) fn parse_ls_remote(text: &str) -> Vec<RemoteRef> {
    let mut refs: Vec<RemoteRef> = Vec::with_capacity(text.len() / 100);
    // git prints a peeled line right after its ref; the index is only
    // built if one ever is not.
    let mut index: Option<HashMap<String, usize>> = None;
    for line in text.lines() {
        let Some((oid, name)) = line.split_once('\t') else {
            continue;
        };
        if let Some(base) = name.strip_suffix("^{}") {
            let at = match refs.last() {
                Some(last) if last.name == base => Some(refs.len() - 1),
                _ => index
                    .get_or_insert_with(|| {
                        refs.iter()
                            .enumerate()
                            .map(|(i, r)| (r.name.clone(), i))
                            .collect()
                    })
                    .get(base)
                    .copied(),
            };
            if let Some(i) = at {
                refs[i].peeled = Some(oid.to_owned());
            }
            continue;
        }
        if let Some(index) = index.as_mut() {
            index.insert(name.to_owned(), refs.len());
        }
        refs.push(RemoteRef {
            name: name.to_owned(),
            oid: oid.to_owned(),
            peeled: None,
        });
    }
    refs
}

pub(super) fn parse_batch(out: &[u8], count: usize) -> Result<Vec<Option<RawObject>>, String> {
    let mut objects = Vec::with_capacity(count);
    let mut pos = 0;
    while pos < out.len() {
        let nl = out[pos..]
            .iter()
            .position(|&b| b == b'\n')
            .ok_or("a header line without its end")?;
        let header = String::from_utf8_lossy(&out[pos..pos + nl]).into_owned();
        pos += nl + 1;
        let parts: Vec<&str> = header.split(' ').collect();
        match parts.as_slice() {
            [_, "missing"] | [_, "ambiguous"] => objects.push(None),
            [_, kind, size] => {
                let size: usize = size.parse().map_err(|_| format!("bad header '{header}'"))?;
                if pos + size > out.len() {
                    return Err(format!("'{header}' runs past the end of the output"));
                }
                objects.push(Some(RawObject {
                    kind: (*kind).to_owned(),
                    data: out[pos..pos + size].to_vec(),
                }));
                pos += size + 1;
            }
            _ => return Err(format!("unexpected line '{header}'")),
        }
    }
    if objects.len() != count {
        return Err(format!("{} objects for {count} requests", objects.len()));
    }
    Ok(objects)
}

#[derive(Debug, Default)]
pub(super) struct RawTag {
    pub(super) tagger: Option<(Person, Timestamp)>,
    pub(super) message: String,
}

pub(super) fn parse_tag_object(data: &[u8]) -> RawTag {
    let text = String::from_utf8_lossy(data);
    let (headers, message) = match text.split_once("\n\n") {
        Some((h, m)) => (h, m),
        None => (text.as_ref(), ""),
    };
    let tagger = headers
        .lines()
        .find_map(|l| l.strip_prefix("tagger "))
        .and_then(parse_ident)
        .and_then(|(p, t)| t.map(|t| (p, t)));
    RawTag {
        tagger,
        message: message.to_owned(),
    }
}

/// The tagger date of a tag object, from its headers only (the message,
/// often the larger part, is not decoded).
pub(super) fn tagger_date(data: &[u8]) -> Option<Timestamp> {
    let end = data
        .windows(2)
        .position(|w| w == b"\n\n")
        .unwrap_or(data.len());
    let headers = String::from_utf8_lossy(&data[..end]);
    headers
        .lines()
        .find_map(|l| l.strip_prefix("tagger "))
        .and_then(parse_ident)
        .and_then(|(_, t)| t)
}

pub(super) fn commit_message(data: &[u8]) -> String {
    let text = String::from_utf8_lossy(data);
    match text.split_once("\n\n") {
        Some((_, m)) => m.to_owned(),
        None => String::new(),
    }
}

/// `Name <email> 1700000000 +0000` → the person and the time.
pub(super) fn parse_ident(line: &str) -> Option<(Person, Option<Timestamp>)> {
    let open = line.find('<')?;
    let close = open + line[open..].find('>')?;
    let name = line[..open].trim().to_owned();
    let email = line[open + 1..close].trim().to_owned();
    let mut rest = line[close + 1..].split_whitespace();
    let time = rest
        .next()
        .and_then(|s| s.parse::<i64>().ok())
        .and_then(|s| Timestamp::from_second(s).ok());
    Some((Person { name, email }, time))
}

impl GitStore {
    /// `git ls-remote <remote> <patterns>`, peeled lines folded in.
    pub(super) fn ls_remote(&self, patterns: &[String]) -> Result<Vec<RemoteRef>, RepoError> {
        let mut args: Vec<&str> = vec!["ls-remote", "--", &self.remote];
        args.extend(patterns.iter().map(String::as_str));
        let out = self.run(&args, None, Op::Network)?;
        Ok(parse_ls_remote(&String::from_utf8_lossy(&out)))
    }

    /// The remote's refs: one `git ls-remote` of everything, kept until
    /// the next write. (`ls-remote` matches patterns on the client, so a
    /// listing by pattern costs a full listing anyway: one listing serves
    /// the deployment events, the stage tags and the tags read.)
    pub(super) fn listing(&self) -> Result<std::sync::Arc<Listing>, RepoError> {
        let mut slot = self
            .listing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if let Some(l) = slot.as_ref() {
            return Ok(l.clone());
        }
        let listed = std::sync::Arc::new(Listing::new(self.ls_remote(&[])?));
        *slot = Some(listed.clone());
        Ok(listed)
    }

    /// Forgets the listing: called before every push, so that whatever is
    /// read after a write (the tag that stands after a refused create)
    /// comes from the remote again.
    pub(super) fn forget_listing(&self) {
        *self
            .listing
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = None;
    }

    /// Which of `oids` the local repository has.
    pub(super) fn present(&self, oids: &[&str]) -> Result<HashSet<String>, RepoError> {
        if oids.is_empty() {
            return Ok(HashSet::new());
        }
        let mut input = String::with_capacity(oids.len() * 41);
        for o in oids {
            input.push_str(o);
            input.push('\n');
        }
        let out = self.run(
            &[
                "cat-file",
                "--batch-check=%(objectname) %(objecttype)",
                "--buffer",
            ],
            Some(input.as_bytes()),
            Op::Local,
        )?;
        Ok(String::from_utf8_lossy(&out)
            .lines()
            .filter_map(|l| {
                let (oid, kind) = l.split_once(' ')?;
                (kind != "missing").then(|| oid.to_owned())
            })
            .collect())
    }

    /// Fetches the objects of the given remote refs (names) without
    /// writing any ref.
    pub(super) fn fetch_pack(&self, wants: &[&str], depth1: bool) -> Result<(), RepoError> {
        if wants.is_empty() {
            return Ok(());
        }
        let mut args = vec!["fetch-pack", "--stdin", "--no-progress", "--thin"];
        if depth1 {
            args.push("--depth=1");
        }
        // fetch-pack takes no `--`: a URL that looks like an option is refused.
        if self.fetch_url.starts_with('-') {
            return Err(RepoError::InvalidInput {
                what: "remote URL",
                value: self.fetch_url.clone(),
                expected: "a URL or a path, not an option".into(),
            });
        }
        args.push(&self.fetch_url);
        let mut input = String::new();
        for w in wants {
            input.push_str(w);
            input.push('\n');
        }
        self.run(&args, Some(input.as_bytes()), Op::Network)
            .map(drop)
            .map_err(|e| match e {
                RepoError::Git { code, stderr, .. } => RepoError::Git {
                    command: format!(
                        "fetch-pack {} ({} refs)",
                        redact_url(&self.fetch_url),
                        wants.len()
                    ),
                    code,
                    stderr,
                },
                other => other,
            })
    }

    /// Makes sure the objects the given refs point at are here: in a
    /// shallow clone, refs whose commit is missing come with `--depth=1`
    /// (that cuts nothing already here); the rest without a depth (only
    /// the tag objects travel).
    pub(super) fn ensure_objects(&self, refs: &[&RemoteRef]) -> Result<(), RepoError> {
        let wanted: Vec<&str> = refs.iter().map(|r| r.oid.as_str()).collect();
        let here = self.present(&wanted)?;
        let missing: Vec<&RemoteRef> = refs
            .iter()
            .copied()
            .filter(|r| !here.contains(&r.oid))
            .collect();
        self.fetch_missing(&missing)
    }

    /// Fetches the objects of refs known to be missing here (see
    /// [`GitStore::ensure_objects`]).
    pub(super) fn fetch_missing(&self, missing: &[&RemoteRef]) -> Result<(), RepoError> {
        if missing.is_empty() {
            return Ok(());
        }
        if !self.shallow {
            let names: Vec<&str> = missing.iter().map(|r| r.name.as_str()).collect();
            return self.fetch_pack(&names, false);
        }
        let targets: Vec<&str> = missing.iter().filter_map(|r| r.peeled.as_deref()).collect();
        let targets_here = self.present(&targets)?;
        let (deep, shallow): (Vec<&RemoteRef>, Vec<&RemoteRef>) = missing
            .iter()
            .partition(|r| r.peeled.is_none() || !targets_here.contains(r.target()));
        let deep: Vec<&str> = deep.iter().map(|r| r.name.as_str()).collect();
        let shallow: Vec<&str> = shallow.iter().map(|r| r.name.as_str()).collect();
        self.fetch_pack(&deep, true)?;
        self.fetch_pack(&shallow, false)
    }

    /// Reads objects with one `cat-file --batch`; `None` for missing ones.
    pub(super) fn read_objects(&self, oids: &[&str]) -> Result<Vec<Option<RawObject>>, RepoError> {
        if oids.is_empty() {
            return Ok(Vec::new());
        }
        let mut input = String::with_capacity(oids.len() * 41);
        for o in oids {
            input.push_str(o);
            input.push('\n');
        }
        let out = self.run(
            &["cat-file", "--batch", "--buffer"],
            Some(input.as_bytes()),
            Op::Local,
        )?;
        parse_batch(&out, oids.len()).map_err(|detail| RepoError::Corrupt {
            what: "git cat-file --batch output".into(),
            detail,
        })
    }

    /// Reads tag objects into tags (`refs` point at tag objects).
    pub(super) fn read_tag_objects(&self, refs: &[&RemoteRef]) -> Result<Vec<Tag>, RepoError> {
        let oids: Vec<&str> = refs.iter().map(|r| r.oid.as_str()).collect();
        let objects = self.read_objects(&oids)?;
        refs.iter()
            .zip(objects)
            .map(|(r, obj)| {
                let name = short_tag_name(&r.name).to_owned();
                let commit = commit_id(r.target(), &r.name)?;
                match obj {
                    Some(obj) if obj.kind == "tag" => {
                        let raw = parse_tag_object(&obj.data);
                        Ok(Tag {
                            name,
                            commit,
                            kind: TagKind::Annotated(Annotation {
                                object: r.oid.clone(),
                                tagger: raw.tagger.as_ref().map(|(p, _)| p.clone()),
                                date: raw.tagger.map(|(_, t)| t),
                                message: raw.message,
                            }),
                        })
                    }
                    Some(obj) => Err(RepoError::Corrupt {
                        what: format!("tag {name}"),
                        detail: format!("{} is a {}, expected a tag object", r.oid, obj.kind),
                    }),
                    None => Err(RepoError::Corrupt {
                        what: format!("tag {name}"),
                        detail: format!("the tag object {} could not be fetched", r.oid),
                    }),
                }
            })
            .collect()
    }
}
