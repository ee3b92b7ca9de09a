//! Actions artifacts, read from a folder that nektos/act's artifact server
//! (`act --artifact-server-path DIR`) writes: `DIR/<run id>/<name>/<name>.zip`.
//! act numbers an artifact by its name (FNV-1a, 32 bits), so an id is not
//! unique across runs: [`find`] takes the newest file with that id.
//!
//! Routes, with GitHub's documented shapes:
//!
//! | route | answer |
//! |---|---|
//! | `GET actions/runs/{run_id}/artifacts` (`name`, `per_page`, `page`) | `{total_count, artifacts}` |
//! | `GET actions/artifacts/{id}` | one artifact, 404 when absent |
//! | `GET actions/artifacts/{id}/zip` | 302 to the zip (unauthenticated blob URL), 410 when expired |
//! | `GET /_artifact-blobs/{run}/{name}` | the zip's bytes (what the 302 points at) |

use crate::model::State;
use crate::server::{Ctx, Reply};
use crate::{Access, Permission};
use jiff::Timestamp;
use serde_json::{Value, json};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};

const DOC_LIST: &str = "https://docs.github.com/rest/actions/artifacts#list-workflow-run-artifacts";
const DOC_GET: &str = "https://docs.github.com/rest/actions/artifacts#get-an-artifact";
const DOC_DOWNLOAD: &str = "https://docs.github.com/rest/actions/artifacts#download-an-artifact";
/// Retention GitHub applies by default (days).
const RETENTION_DAYS: i64 = 90;
pub(crate) const BLOB_PREFIX: &str = "/_artifact-blobs/";
pub(crate) const READ: &[(Permission, Access)] = &[(Permission::Actions, Access::Read)];

/// An artifact as stored on disk.
struct Stored {
    run_id: u64,
    name: String,
    zip: PathBuf,
}

/// The ids of every stored artifact, in any run.
pub(crate) fn stored_ids(dir: &Path) -> Vec<u64> {
    let Ok(runs) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    runs.flatten()
        .filter_map(|r| r.file_name().to_str()?.parse::<u64>().ok())
        .flat_map(|run| in_run(dir, run))
        .map(|a| id_of(&a.name))
        .collect()
}

/// act's artifact id: FNV-1a (32 bits) of the name.
pub(crate) fn id_of(name: &str) -> u64 {
    let mut h: u32 = 0x811c_9dc5;
    for b in name.bytes() {
        h ^= u32::from(b);
        h = h.wrapping_mul(0x0100_0193);
    }
    u64::from(h)
}

fn in_run(dir: &Path, run_id: u64) -> Vec<Stored> {
    let Ok(entries) = std::fs::read_dir(dir.join(run_id.to_string())) else {
        return Vec::new();
    };
    let mut found: Vec<Stored> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_str()?.to_owned();
            let zip = e.path().join(format!("{name}.zip"));
            zip.is_file().then_some(Stored { run_id, name, zip })
        })
        .collect();
    found.sort_by(|a, b| a.name.cmp(&b.name));
    found
}

/// The newest stored artifact with this id, in any run.
fn find(dir: &Path, id: u64) -> Option<Stored> {
    let runs = std::fs::read_dir(dir).ok()?;
    runs.flatten()
        .filter_map(|r| r.file_name().to_str()?.parse::<u64>().ok())
        .flat_map(|run| in_run(dir, run))
        .filter(|a| id_of(&a.name) == id)
        .max_by_key(|a| modified(&a.zip))
}

fn modified(p: &Path) -> Timestamp {
    std::fs::metadata(p)
        .and_then(|m| m.modified())
        .ok()
        .and_then(|t| Timestamp::try_from(t).ok())
        .unwrap_or(Timestamp::UNIX_EPOCH)
}

fn json_of(s: &State, a: &Stored) -> Value {
    let id = id_of(&a.name);
    let bytes = std::fs::read(&a.zip).unwrap_or_default();
    let created = modified(&a.zip);
    let expires = created
        .checked_add(jiff::SignedDuration::from_hours(24 * RETENTION_DAYS))
        .unwrap_or(created);
    let api = format!("{}/repos/{}/{}", s.base_url, s.owner, s.name);
    json!({
        "id": id,
        "node_id": format!("MDg6QXJ0aWZhY3R7{id}"),
        "name": a.name,
        "size_in_bytes": bytes.len(),
        "url": format!("{api}/actions/artifacts/{id}"),
        "archive_download_url": format!("{api}/actions/artifacts/{id}/zip"),
        "expired": s.expired_artifacts.contains(&id),
        "digest": format!("sha256:{:x}", Sha256::digest(&bytes)),
        "created_at": created.to_string(),
        "updated_at": created.to_string(),
        "expires_at": expires.to_string(),
        "workflow_run": {
            "id": a.run_id,
            "repository_id": s.repo_id,
            "head_repository_id": s.repo_id,
            "head_branch": s.default_branch,
        },
    })
}

/// `GET actions/…` (segments after `/repos/{o}/{r}/`).
pub(crate) fn route(s: &State, ctx: &Ctx, segs: &[&str]) -> Reply {
    let Some(dir) = s.artifacts_dir.as_deref() else {
        return Reply::not_found(DOC_LIST);
    };
    match segs {
        ["actions", "runs", run, "artifacts"] => {
            let Ok(run) = run.parse::<u64>() else {
                return Reply::not_found(DOC_LIST);
            };
            let all: Vec<Value> = in_run(dir, run)
                .iter()
                .filter(|a| ctx.param("name").is_none_or(|n| n == a.name))
                .map(|a| json_of(s, a))
                .collect();
            let per_page = ctx
                .param("per_page")
                .and_then(|v| v.parse::<usize>().ok())
                .map_or(30, |n| n.clamp(1, 100));
            let page = ctx
                .param("page")
                .and_then(|v| v.parse::<usize>().ok())
                .map_or(1, |n| n.max(1));
            let total = all.len();
            let chunk: Vec<Value> = all
                .into_iter()
                .skip((page - 1).saturating_mul(per_page))
                .take(per_page)
                .collect();
            Reply::ok(json!({ "total_count": total, "artifacts": chunk }))
        }
        ["actions", "artifacts", id] => match id.parse().ok().and_then(|id| find(dir, id)) {
            Some(a) => Reply::ok(json_of(s, &a)),
            None => Reply::not_found(DOC_GET),
        },
        ["actions", "artifacts", id, "zip"] => match id.parse().ok().and_then(|id| find(dir, id)) {
            None => Reply::not_found(DOC_DOWNLOAD),
            Some(a) if s.expired_artifacts.contains(&id_of(&a.name)) => {
                Reply::error(410, "Artifact has expired", DOC_DOWNLOAD)
            }
            Some(a) => {
                let mut r = Reply::no_content();
                r.status = 302;
                r.header(
                    "location",
                    format!(
                        "{}{BLOB_PREFIX}{}/{}",
                        s.base_url,
                        a.run_id,
                        crate::server::encode_segment(&a.name)
                    ),
                )
            }
        },
        _ => Reply::not_found("https://docs.github.com/rest/actions/artifacts"),
    }
}

/// The zip behind a blob URL (`/_artifact-blobs/{run}/{name}`), or `None`.
pub(crate) fn blob(s: &State, path: &str) -> Option<Vec<u8>> {
    let dir = s.artifacts_dir.as_deref()?;
    let (run, name) = path.strip_prefix(BLOB_PREFIX)?.split_once('/')?;
    let run: u64 = run.parse().ok()?;
    let name = crate::server::decode(name);
    if name.contains('/') || name.starts_with('.') {
        return None;
    }
    let a = in_run(dir, run).into_iter().find(|a| a.name == name)?;
    if s.expired_artifacts.contains(&id_of(&a.name)) {
        return None;
    }
    std::fs::read(a.zip).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_act_s_fnv1a_of_the_name() {
        // FNV-1a 32 test vectors
        assert_eq!(id_of(""), 0x811c_9dc5);
        assert_eq!(id_of("a"), 0xe40c_292c);
        assert_eq!(id_of("foobar"), 0xbf9c_f968);
    }
}
