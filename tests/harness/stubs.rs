//! Remote actions (`uses: owner/repo@sha`) run only as Rust stubs that a
//! test registers; anything else is refused. Ready stubs:
//!
//! - [`Checkout`] (`actions/checkout`): clones a repository registered with
//!   [`Harness::remote`](super::Harness::remote) from a local git folder
//!   (`file://`), honouring `ref`, `fetch-depth` (shallow by default, like
//!   the real action), `fetch-tags`, `path`, `clean` and
//!   `persist-credentials`; `origin` stays the local folder, so pushes from
//!   the job (tags, deployment refs) land there.
//! - [`UploadArtifact`] / [`DownloadArtifact`] (`actions/upload-artifact`,
//!   `actions/download-artifact`, v4 inputs): files are stored in a
//!   harness-owned folder shared by every run of a [`Harness`](super::Harness),
//!   so a later workflow can download by `run-id` + `github-token` or by
//!   `artifact-ids`.
//!
//! `artifact-digest`: the real action returns the SHA-256 of the zip it
//! uploads. The stub returns the SHA-256 (hex) of the stored content: of the
//! file's bytes when the artifact is one file; otherwise of the canonical
//! listing `path NUL size NUL bytes` for every file in path order.

use super::commands::{Annotation, Level};
use super::glob;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, Mutex};

/// What the stub learns about the run.
#[derive(Debug, Clone)]
pub struct GithubInfo {
    pub repository: String,
    pub sha: String,
    pub ref_: String,
    pub run_id: u64,
    pub run_attempt: u32,
    pub server_url: String,
    pub api_url: String,
    pub token: String,
    pub event_name: String,
    pub job: String,
}

/// Everything a stub may read and do.
pub struct StubContext<'a> {
    /// The full `uses:` value.
    pub uses: &'a str,
    /// Evaluated `with:` plus defaults.
    pub with: &'a BTreeMap<String, String>,
    pub workspace: &'a Path,
    pub runner_temp: &'a Path,
    pub home: &'a Path,
    /// The environment a `run:` step would see here.
    pub env: &'a BTreeMap<String, String>,
    pub github: &'a GithubInfo,
    pub artifacts: &'a ArtifactStore,
    /// Repositories the checkout stub can clone.
    pub remotes: &'a BTreeMap<String, PathBuf>,
    pub(super) log: Vec<String>,
    pub(super) annotations: Vec<Annotation>,
    pub(super) exported_env: Vec<(String, String)>,
    pub(super) added_path: Vec<String>,
    pub(super) masks: Vec<String>,
}

impl StubContext<'_> {
    pub fn input(&self, name: &str) -> &str {
        self.with.get(name).map_or("", String::as_str)
    }

    pub fn bool_input(&self, name: &str) -> Result<bool, StubError> {
        match self.input(name).trim() {
            "true" | "True" | "TRUE" => Ok(true),
            "false" | "False" | "FALSE" | "" => Ok(false),
            other => Err(StubError::Failed(format!(
                "Input does not meet YAML 1.2 \"Core Schema\" specification: {name}\nSupport boolean input list: `true | True | TRUE | false | False | FALSE` (got {other:?})"
            ))),
        }
    }

    pub fn log(&mut self, line: impl Into<String>) {
        self.log.push(line.into());
    }

    pub fn warning(&mut self, message: impl Into<String>) {
        self.annotations
            .push(Annotation::new(Level::Warning, message));
    }

    pub fn export_env(&mut self, name: &str, value: &str) {
        self.exported_env.push((name.to_owned(), value.to_owned()));
    }

    pub fn add_path(&mut self, dir: &str) {
        self.added_path.push(dir.to_owned());
    }

    pub fn mask(&mut self, value: &str) {
        self.masks.push(value.to_owned());
    }

    /// A path input resolved like Node's `path.resolve` from the workspace,
    /// with `~` expanded to the runner's home.
    pub fn resolve(&self, p: &str) -> PathBuf {
        let p = p.trim();
        if let Some(rest) = p.strip_prefix('~') {
            return self.home.join(rest.trim_start_matches('/'));
        }
        let path = Path::new(p);
        if path.is_absolute() {
            normalize(path)
        } else {
            normalize(&self.workspace.join(path))
        }
    }
}

/// `a/./b/../c` → `a/c`, without touching the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            std::path::Component::ParentDir => {
                out.pop();
            }
            std::path::Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StubError {
    /// The action fails (the step fails with this `::error`).
    Failed(String),
    /// The harness declines (a test failure).
    Refused(String),
}

/// A stand-in for a remote action.
pub trait ActionStub: Send + Sync {
    /// Declared inputs and their defaults (expressions allowed, e.g.
    /// `${{ github.token }}`), as in the action's `action.yml`.
    fn inputs(&self) -> Vec<(&'static str, Option<&'static str>)>;
    /// Runs the action; returns its outputs.
    fn run(&self, ctx: &mut StubContext<'_>) -> Result<BTreeMap<String, String>, StubError>;
}

type StubFn =
    dyn Fn(&mut StubContext<'_>) -> Result<BTreeMap<String, String>, StubError> + Send + Sync;

/// A stub from a closure.
pub struct FnStub {
    inputs: Vec<(&'static str, Option<&'static str>)>,
    f: Box<StubFn>,
}

impl FnStub {
    pub fn new(
        inputs: &[(&'static str, Option<&'static str>)],
        f: impl Fn(&mut StubContext<'_>) -> Result<BTreeMap<String, String>, StubError>
        + Send
        + Sync
        + 'static,
    ) -> Self {
        Self {
            inputs: inputs.to_vec(),
            f: Box::new(f),
        }
    }
}

impl ActionStub for FnStub {
    fn inputs(&self) -> Vec<(&'static str, Option<&'static str>)> {
        self.inputs.clone()
    }
    fn run(&self, ctx: &mut StubContext<'_>) -> Result<BTreeMap<String, String>, StubError> {
        (self.f)(ctx)
    }
}

// ------------------------------------------------------------ artifacts

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Artifact {
    pub id: u64,
    pub name: String,
    pub repository: String,
    pub run_id: u64,
    /// SHA-256 hex of the stored content (see the module docs).
    pub digest: String,
    pub size: u64,
    /// Paths inside the artifact, sorted.
    pub files: Vec<String>,
    pub retention_days: Option<u32>,
    pub expired: bool,
    /// Where its files are stored.
    pub dir: PathBuf,
}

/// Artifacts of every run of one harness.
#[derive(Clone)]
pub struct ArtifactStore {
    inner: Arc<Mutex<Store>>,
}

struct Store {
    dir: PathBuf,
    next_id: u64,
    items: Vec<Artifact>,
}

impl ArtifactStore {
    pub fn new(dir: PathBuf) -> Self {
        Self {
            inner: Arc::new(Mutex::new(Store {
                dir,
                next_id: 1000,
                items: Vec::new(),
            })),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Store> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn list(&self) -> Vec<Artifact> {
        self.lock().items.clone()
    }

    pub fn get(&self, id: u64) -> Option<Artifact> {
        self.lock().items.iter().find(|a| a.id == id).cloned()
    }

    /// Marks an artifact expired (as after its retention period): it can
    /// no longer be downloaded. Returns whether it existed.
    pub fn expire(&self, id: u64) -> bool {
        let mut s = self.lock();
        match s.items.iter_mut().find(|a| a.id == id) {
            Some(a) => {
                a.expired = true;
                true
            }
            None => false,
        }
    }

    /// The live artifacts of a run, latest upload per name.
    pub fn of_run(&self, repository: &str, run_id: u64) -> Vec<Artifact> {
        let s = self.lock();
        let mut out: Vec<Artifact> = Vec::new();
        for a in s.items.iter().filter(|a| {
            a.repository.eq_ignore_ascii_case(repository) && a.run_id == run_id && !a.expired
        }) {
            out.retain(|b| b.name != a.name);
            out.push(a.clone());
        }
        out
    }

    #[allow(clippy::too_many_arguments)]
    fn store(
        &self,
        repository: &str,
        run_id: u64,
        name: &str,
        root: &Path,
        files: &[PathBuf],
        retention_days: Option<u32>,
        overwrite: bool,
    ) -> Result<Artifact, String> {
        let mut s = self.lock();
        if let Some(pos) = s.items.iter().position(|a| {
            a.repository.eq_ignore_ascii_case(repository)
                && a.run_id == run_id
                && a.name == name
                && !a.expired
        }) {
            if !overwrite {
                return Err("Failed to CreateArtifact: Received non-retryable error: Failed request: (409) Conflict: an artifact with this name already exists on the workflow run".into());
            }
            let old = s.items.remove(pos);
            let _ = std::fs::remove_dir_all(&old.dir);
        }
        let id = s.next_id;
        s.next_id += 1;
        let dir = s.dir.join(id.to_string());
        let mut rel_files = Vec::new();
        let mut hasher = Sha256::new();
        let mut size = 0u64;
        let mut entries: Vec<(String, &PathBuf)> = files
            .iter()
            .map(|f| {
                let rel = f
                    .strip_prefix(root)
                    .unwrap_or(f)
                    .to_string_lossy()
                    .into_owned();
                (rel, f)
            })
            .collect();
        entries.sort();
        let single = entries.len() == 1;
        for (rel, src) in &entries {
            let bytes =
                std::fs::read(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
            let dest = dir.join(rel);
            if let Some(parent) = dest.parent() {
                std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
            }
            std::fs::write(&dest, &bytes).map_err(|e| e.to_string())?;
            if single {
                hasher.update(&bytes);
            } else {
                hasher.update(rel.as_bytes());
                hasher.update([0]);
                hasher.update(bytes.len().to_string().as_bytes());
                hasher.update([0]);
                hasher.update(&bytes);
            }
            size += bytes.len() as u64;
            rel_files.push(rel.clone());
        }
        let artifact = Artifact {
            id,
            name: name.to_owned(),
            repository: repository.to_owned(),
            run_id,
            digest: hex(&hasher.finalize()),
            size,
            files: rel_files,
            retention_days,
            expired: false,
            dir,
        };
        s.items.push(artifact.clone());
        Ok(artifact)
    }
}

pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    Ok(hex(&Sha256::digest(std::fs::read(path)?)))
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        match std::fs::metadata(&path) {
            Ok(m) if m.is_dir() => walk(&path, out),
            Ok(m) if m.is_file() => out.push(path),
            _ => {}
        }
    }
}

/// The part of a pattern before its first glob segment.
fn search_path(pattern: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in pattern.components() {
        if glob::is_glob(&c.as_os_str().to_string_lossy()) {
            break;
        }
        out.push(c);
    }
    out
}

/// `actions/upload-artifact` (v4 inputs and outputs).
pub struct UploadArtifact;

impl ActionStub for UploadArtifact {
    fn inputs(&self) -> Vec<(&'static str, Option<&'static str>)> {
        vec![
            ("name", Some("artifact")),
            ("path", None),
            ("if-no-files-found", Some("warn")),
            ("retention-days", Some("0")),
            ("compression-level", Some("6")),
            ("overwrite", Some("false")),
            ("include-hidden-files", Some("false")),
        ]
    }

    fn run(&self, ctx: &mut StubContext<'_>) -> Result<BTreeMap<String, String>, StubError> {
        let name = ctx.input("name").to_owned();
        if name.is_empty()
            || name.contains(['"', ':', '<', '>', '|', '*', '?', '\r', '\n', '\\', '/'])
        {
            return Err(StubError::Failed(format!(
                "The artifact name is not valid: {name}. Contains the following character: one of \" : < > | * ? \\r \\n \\ /"
            )));
        }
        let raw_path = ctx.input("path").to_owned();
        let lines: Vec<&str> = raw_path
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect();
        if lines.is_empty() {
            return Err(StubError::Failed(
                "Input required and not supplied: path".into(),
            ));
        }
        let hidden = ctx.bool_input("include-hidden-files")?;
        let overwrite = ctx.bool_input("overwrite")?;
        let retention = match ctx.input("retention-days").trim() {
            "" | "0" => None,
            n => Some(n.parse::<u32>().map_err(|_| {
                StubError::Failed(format!("Invalid retention, must be a number: {n}"))
            })?),
        };
        let on_none = ctx.input("if-no-files-found").to_owned();
        if !["warn", "error", "ignore"].contains(&on_none.as_str()) {
            return Err(StubError::Failed(format!(
                "Unrecognized if-no-files-found input. Provided: {on_none}. Available options: warn, error, ignore"
            )));
        }
        let (includes, excludes): (Vec<&str>, Vec<&str>) =
            lines.into_iter().partition(|l| !l.starts_with('!'));
        let excludes: Vec<PathBuf> = excludes.iter().map(|e| ctx.resolve(&e[1..])).collect();
        let mut files = Vec::new();
        let mut search_paths = Vec::new();
        for inc in &includes {
            let pattern = ctx.resolve(inc);
            let sp = search_path(&pattern);
            let pattern_text = pattern.to_string_lossy().into_owned();
            if glob::is_glob(&pattern_text) {
                let mut found = Vec::new();
                walk(&sp, &mut found);
                files.extend(found.into_iter().filter(|f| {
                    let t = f.to_string_lossy();
                    glob::matches(&pattern_text, &t)
                        || glob::matches(&format!("{pattern_text}/**"), &t)
                }));
            } else if pattern.is_file() {
                files.push(pattern.clone());
            } else if pattern.is_dir() {
                walk(&pattern, &mut files);
            }
            search_paths.push(sp);
        }
        files.retain(|f| {
            let t = f.to_string_lossy();
            !excludes.iter().any(|e| {
                let e = e.to_string_lossy();
                glob::matches(&e, &t) || glob::matches(&format!("{e}/**"), &t)
            })
        });
        files.sort();
        files.dedup();
        let root = if search_paths.len() > 1 {
            common_ancestor(&search_paths)
        } else if files.len() == 1 && files[0] == search_paths[0] {
            files[0].parent().map(Path::to_path_buf).unwrap_or_default()
        } else {
            search_paths[0].clone()
        };
        if !hidden {
            files.retain(|f| {
                !f.strip_prefix(&root)
                    .unwrap_or(f)
                    .components()
                    .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            });
        }
        if files.is_empty() {
            let msg = format!(
                "No files were found with the provided path: {}. No artifacts will be uploaded.",
                includes.join("\n")
            );
            return match on_none.as_str() {
                "error" => Err(StubError::Failed(msg)),
                "warn" => {
                    ctx.warning(msg);
                    Ok(BTreeMap::new())
                }
                _ => {
                    ctx.log(msg);
                    Ok(BTreeMap::new())
                }
            };
        }
        let artifact = ctx
            .artifacts
            .store(
                &ctx.github.repository,
                ctx.github.run_id,
                &name,
                &root,
                &files,
                retention,
                overwrite,
            )
            .map_err(StubError::Failed)?;
        ctx.log(format!(
            "Artifact {name} has been successfully uploaded! Final size is {} bytes. Artifact ID is {}",
            artifact.size, artifact.id
        ));
        ctx.log(format!(
            "Artifact {name} SHA256 hash is {}",
            artifact.digest
        ));
        Ok(BTreeMap::from([
            ("artifact-id".into(), artifact.id.to_string()),
            (
                "artifact-url".into(),
                format!(
                    "{}/{}/actions/runs/{}/artifacts/{}",
                    ctx.github.server_url, ctx.github.repository, ctx.github.run_id, artifact.id
                ),
            ),
            ("artifact-digest".into(), artifact.digest),
        ]))
    }
}

fn common_ancestor(paths: &[PathBuf]) -> PathBuf {
    let mut acc: Vec<_> = paths[0].components().collect();
    for p in &paths[1..] {
        let comps: Vec<_> = p.components().collect();
        let n = acc.iter().zip(&comps).take_while(|(a, b)| a == b).count();
        acc.truncate(n);
    }
    acc.into_iter().collect()
}

/// `actions/download-artifact` (v4 inputs and outputs).
pub struct DownloadArtifact;

impl ActionStub for DownloadArtifact {
    fn inputs(&self) -> Vec<(&'static str, Option<&'static str>)> {
        vec![
            ("name", None),
            ("artifact-ids", None),
            ("path", None),
            ("pattern", None),
            ("merge-multiple", Some("false")),
            ("github-token", None),
            ("repository", Some("${{ github.repository }}")),
            ("run-id", Some("${{ github.run_id }}")),
        ]
    }

    fn run(&self, ctx: &mut StubContext<'_>) -> Result<BTreeMap<String, String>, StubError> {
        let fail = |m: String| StubError::Failed(format!("Unable to download artifact(s): {m}"));
        let name = ctx.input("name").to_owned();
        let ids = ctx.input("artifact-ids").to_owned();
        let merge = ctx.bool_input("merge-multiple")?;
        if !name.is_empty() && !ids.is_empty() {
            return Err(fail(
                "Inputs 'name' and 'artifact-ids' cannot be used together. Please specify only one.".into(),
            ));
        }
        let dest = if ctx.input("path").trim().is_empty() {
            ctx.workspace.to_path_buf()
        } else {
            ctx.resolve(ctx.input("path"))
        };
        let (repository, run_id) = if ctx.input("github-token").is_empty() {
            (ctx.github.repository.clone(), ctx.github.run_id)
        } else {
            let repo = ctx.input("repository").to_owned();
            if repo.split('/').filter(|s| !s.is_empty()).count() != 2 {
                return Err(fail(format!(
                    "Invalid repository: '{repo}'. Must be in format owner/repo"
                )));
            }
            let run: u64 = ctx
                .input("run-id")
                .trim()
                .parse()
                .map_err(|_| fail(format!("invalid run-id {:?}", ctx.input("run-id"))))?;
            (repo, run)
        };
        let in_run = ctx.artifacts.of_run(&repository, run_id);
        let selected: Vec<Artifact> = if !name.is_empty() {
            let a = in_run
                .into_iter()
                .find(|a| a.name == name)
                .ok_or_else(|| fail(format!("Artifact '{name}' not found")))?;
            vec![a]
        } else if !ids.is_empty() {
            let wanted: Vec<u64> = ids
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(|s| {
                    s.parse::<u64>()
                        .map_err(|_| fail(format!("Invalid artifact ID: '{s}'. Must be a number.")))
                })
                .collect::<Result<_, _>>()?;
            if wanted.is_empty() {
                return Err(fail(
                    "No valid artifact IDs provided in 'artifact-ids' input".into(),
                ));
            }
            let found: Vec<Artifact> = in_run
                .into_iter()
                .filter(|a| wanted.contains(&a.id))
                .collect();
            if found.is_empty() {
                return Err(fail("None of the provided artifact IDs were found".into()));
            }
            let missing: Vec<String> = wanted
                .iter()
                .filter(|id| !found.iter().any(|a| a.id == **id))
                .map(u64::to_string)
                .collect();
            if !missing.is_empty() {
                ctx.warning(format!(
                    "Could not find the following artifact IDs: {}",
                    missing.join(", ")
                ));
            }
            found
        } else {
            let pattern = ctx.input("pattern").to_owned();
            in_run
                .into_iter()
                .filter(|a| pattern.is_empty() || glob::matches(&pattern, &a.name))
                .collect()
        };
        let single = !name.is_empty();
        for a in &selected {
            let target = if single || merge {
                dest.clone()
            } else {
                dest.join(&a.name)
            };
            let mut hasher = Sha256::new();
            let one = a.files.len() == 1;
            for rel in &a.files {
                let bytes = std::fs::read(a.dir.join(rel))
                    .map_err(|e| fail(format!("stored file {rel} is unreadable: {e}")))?;
                if one {
                    hasher.update(&bytes);
                } else {
                    hasher.update(rel.as_bytes());
                    hasher.update([0]);
                    hasher.update(bytes.len().to_string().as_bytes());
                    hasher.update([0]);
                    hasher.update(&bytes);
                }
                let out = target.join(rel);
                if let Some(parent) = out.parent() {
                    std::fs::create_dir_all(parent).map_err(|e| fail(e.to_string()))?;
                }
                std::fs::write(&out, &bytes).map_err(|e| fail(e.to_string()))?;
            }
            if hex(&hasher.finalize()) != a.digest {
                ctx.warning(format!(
                    "Artifact '{}' digest validation failed. Please verify the integrity of the artifact.",
                    a.name
                ));
            }
            ctx.log(format!(
                "Downloaded {} (ID: {}) to {}",
                a.name,
                a.id,
                target.display()
            ));
        }
        ctx.log(format!(
            "Total of {} artifact(s) downloaded",
            selected.len()
        ));
        Ok(BTreeMap::from([(
            "download-path".into(),
            dest.to_string_lossy().into_owned(),
        )]))
    }
}

// ------------------------------------------------------------ checkout

/// `actions/checkout` (v4 inputs and outputs) against local git folders.
pub struct Checkout;

impl ActionStub for Checkout {
    fn inputs(&self) -> Vec<(&'static str, Option<&'static str>)> {
        vec![
            ("repository", Some("${{ github.repository }}")),
            ("ref", None),
            ("token", Some("${{ github.token }}")),
            ("ssh-key", None),
            ("ssh-known-hosts", None),
            ("ssh-strict", Some("true")),
            ("ssh-user", Some("git")),
            ("persist-credentials", Some("true")),
            ("path", None),
            ("clean", Some("true")),
            ("filter", None),
            ("sparse-checkout", None),
            ("sparse-checkout-cone-mode", Some("true")),
            ("fetch-depth", Some("1")),
            ("fetch-tags", Some("false")),
            ("show-progress", Some("true")),
            ("lfs", Some("false")),
            ("submodules", Some("false")),
            ("set-safe-directory", Some("true")),
            ("github-server-url", None),
        ]
    }

    fn run(&self, ctx: &mut StubContext<'_>) -> Result<BTreeMap<String, String>, StubError> {
        for key in ["ssh-key", "filter", "sparse-checkout"] {
            if !ctx.input(key).is_empty() {
                return Err(StubError::Refused(format!(
                    "actions/checkout stub: `{key}` is not supported by the harness"
                )));
            }
        }
        for key in ["lfs", "submodules"] {
            if ctx.input(key) != "false" {
                return Err(StubError::Refused(format!(
                    "actions/checkout stub: `{key}: {}` is not supported by the harness",
                    ctx.input(key)
                )));
            }
        }
        let repository = ctx.input("repository").to_owned();
        let Some(remote) = ctx
            .remotes
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(&repository))
            .map(|(_, v)| v.clone())
        else {
            return Err(StubError::Failed(format!(
                "remote: Repository not found. (no local remote registered for {repository}; use Harness::remote)"
            )));
        };
        let depth: u32 = ctx.input("fetch-depth").trim().parse().map_err(|_| {
            StubError::Failed(format!(
                "The input 'fetch-depth' must be a number, got {:?}",
                ctx.input("fetch-depth")
            ))
        })?;
        let fetch_tags = ctx.bool_input("fetch-tags")?;
        let persist = ctx.bool_input("persist-credentials")?;
        let clean = ctx.bool_input("clean")?;
        let dest = ctx.resolve(ctx.input("path"));
        if !dest.starts_with(ctx.workspace) {
            return Err(StubError::Failed(format!(
                "Repository path '{}' is not under '{}'",
                dest.display(),
                ctx.workspace.display()
            )));
        }
        let url = format!("file://{}", remote.display());

        // What to fetch: the event's ref and sha for this repository, else
        // the given ref (a sha, a full ref, a branch or a tag).
        let mut input_ref = ctx.input("ref").trim().to_owned();
        let same_repo = repository.eq_ignore_ascii_case(&ctx.github.repository);
        let mut sha = String::new();
        if input_ref.is_empty() && same_repo {
            input_ref = ctx.github.ref_.clone();
            sha = ctx.github.sha.clone();
        } else if is_sha(&input_ref) {
            sha = std::mem::take(&mut input_ref);
        }

        if dest.exists() && clean {
            for entry in std::fs::read_dir(&dest)
                .map_err(|e| StubError::Failed(e.to_string()))?
                .flatten()
            {
                let p = entry.path();
                let _ = if p.is_dir() {
                    std::fs::remove_dir_all(&p)
                } else {
                    std::fs::remove_file(&p)
                };
            }
        }
        std::fs::create_dir_all(&dest).map_err(|e| StubError::Failed(e.to_string()))?;
        let git = Git {
            dir: dest.clone(),
            home: ctx.home.to_path_buf(),
            path: ctx.env.get("PATH").cloned().unwrap_or_default(),
        };
        git.run(&["init", "-q"])?;
        git.run(&["remote", "add", "origin", &url])?;
        if persist {
            let token = ctx.input("token").to_owned();
            let basic = base64(format!("x-access-token:{token}").as_bytes());
            ctx.mask(&basic);
            let server = if ctx.input("github-server-url").is_empty() {
                ctx.github.server_url.clone()
            } else {
                ctx.input("github-server-url").to_owned()
            };
            git.run(&[
                "config",
                "--local",
                &format!("http.{server}/.extraheader"),
                &format!("AUTHORIZATION: basic {basic}"),
            ])?;
        }

        // Resolve a short ref against the remote: branch first, then tag.
        if !input_ref.is_empty() && !input_ref.starts_with("refs/") {
            let heads = git.output(&[
                "ls-remote",
                "origin",
                &format!("refs/heads/{input_ref}"),
                &format!("refs/tags/{input_ref}"),
            ])?;
            input_ref = if heads.contains(&format!("refs/heads/{input_ref}")) {
                format!("refs/heads/{input_ref}")
            } else if heads.contains(&format!("refs/tags/{input_ref}")) {
                format!("refs/tags/{input_ref}")
            } else {
                return Err(StubError::Failed(format!(
                    "A branch or tag with the name '{input_ref}' could not be found"
                )));
            };
        }
        if input_ref.is_empty() && sha.is_empty() {
            let head = git.output(&["ls-remote", "--symref", "origin", "HEAD"])?;
            input_ref = head
                .lines()
                .find_map(|l| {
                    l.strip_prefix("ref: ")?
                        .split('\t')
                        .next()
                        .map(str::to_owned)
                })
                .ok_or_else(|| StubError::Failed("cannot determine the default branch".into()))?;
        }

        let dest_ref = if let Some(b) = input_ref.strip_prefix("refs/heads/") {
            format!("refs/remotes/origin/{b}")
        } else if let Some(p) = input_ref.strip_prefix("refs/pull/") {
            format!("refs/remotes/pull/{p}")
        } else {
            input_ref.clone()
        };
        let source = if sha.is_empty() {
            input_ref.clone()
        } else {
            sha.clone()
        };
        let mut args: Vec<String> = vec!["-c".into(), "protocol.version=2".into(), "fetch".into()];
        if depth > 0 {
            if !fetch_tags {
                args.push("--no-tags".into());
            }
            args.extend([
                "--prune".into(),
                "--no-recurse-submodules".into(),
                format!("--depth={depth}"),
                "origin".into(),
            ]);
            if dest_ref.is_empty() {
                args.push(source.clone());
            } else {
                args.push(format!("+{source}:{dest_ref}"));
            }
        } else {
            args.extend([
                "--no-tags".into(),
                "--prune".into(),
                "--no-recurse-submodules".into(),
                "origin".into(),
                "+refs/heads/*:refs/remotes/origin/*".into(),
                "+refs/tags/*:refs/tags/*".into(),
            ]);
        }
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        git.run(&refs)?;
        if depth == 0 {
            // A sha or a ref outside heads/tags (a pull request merge ref).
            let want = if sha.is_empty() {
                input_ref.clone()
            } else {
                sha.clone()
            };
            let have = git.status(&["cat-file", "-e", &format!("{want}^{{commit}}")]);
            if !have || input_ref.starts_with("refs/pull/") {
                let spec = if dest_ref.is_empty()
                    || dest_ref.starts_with("refs/tags/")
                    || dest_ref.starts_with("refs/remotes/origin/")
                {
                    want.clone()
                } else {
                    format!("+{want}:{dest_ref}")
                };
                git.run(&[
                    "-c",
                    "protocol.version=2",
                    "fetch",
                    "--no-tags",
                    "origin",
                    &spec,
                ])?;
            }
        }
        if let Some(branch) = input_ref.strip_prefix("refs/heads/") {
            git.run(&[
                "checkout",
                "-q",
                "--force",
                "-B",
                branch,
                &format!("refs/remotes/origin/{branch}"),
            ])?;
        } else if !sha.is_empty() {
            git.run(&["checkout", "-q", "--force", &sha])?;
        } else {
            git.run(&["checkout", "-q", "--force", &dest_ref])?;
        }
        let commit = git.output(&["rev-parse", "HEAD"])?.trim().to_owned();
        if !sha.is_empty() && commit != sha {
            return Err(StubError::Failed(format!(
                "checked out {commit}, expected {sha}"
            )));
        }
        ctx.log(format!(
            "Checked out {repository} at {commit} ({input_ref}) into {}",
            dest.display()
        ));
        Ok(BTreeMap::from([
            ("ref".into(), input_ref),
            ("commit".into(), commit),
        ]))
    }
}

fn is_sha(s: &str) -> bool {
    s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

struct Git {
    dir: PathBuf,
    home: PathBuf,
    path: String,
}

impl Git {
    fn cmd(&self, args: &[&str]) -> Command {
        let mut c = Command::new("git");
        c.current_dir(&self.dir)
            .args(args)
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", &self.home)
            .env("GIT_CONFIG_NOSYSTEM", "1")
            .env("GIT_TERMINAL_PROMPT", "0");
        c
    }

    fn output(&self, args: &[&str]) -> Result<String, StubError> {
        let out = self
            .cmd(args)
            .output()
            .map_err(|e| StubError::Failed(format!("cannot run git: {e}")))?;
        if !out.status.success() {
            return Err(StubError::Failed(format!(
                "git {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&out.stderr).trim()
            )));
        }
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    }

    fn run(&self, args: &[&str]) -> Result<(), StubError> {
        self.output(args).map(|_| ())
    }

    fn status(&self, args: &[&str]) -> bool {
        self.cmd(args).output().is_ok_and(|o| o.status.success())
    }
}

fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(ALPHABET[(n >> (18 - 6 * i)) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}
