//! `dist/install.sh`, `dist/manifest.sh` and `dist/package.sh`, end to end:
//! the real scripts under bash, a real archive of the workspace's multi-call
//! binary `shipgate` (built once with `cargo build`, packed by package.sh with
//! the five tool names, described by manifest.sh), and a real HTTP server on
//! 127.0.0.1 whose request log shows what was downloaded. A build from source
//! runs a fake `cargo` (first on PATH) that records its arguments.
//!
//! Unix only (symlinked PATHs, fake `uname`/`cygpath`); on Windows the same
//! script runs in ci.yml's self-test job under Git Bash.
#![cfg(unix)]

use serde_json::Value;
use sha2::{Digest, Sha256};
use std::collections::BTreeMap;
use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::thread::JoinHandle;

const VERSION: &str = "1.2.3";
const REPOSITORY: &str = "o/shipgate";
const SOURCE_COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";
const LINUX: &str = "x86_64-unknown-linux-musl";
const WINDOWS: &str = "x86_64-pc-windows-msvc";
const TOOLS: [&str; 5] = [
    "version-stamp",
    "tag-gate",
    "semantic-bump",
    "health-check",
    "smoke-test",
];

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn dist(script: &str) -> PathBuf {
    repo_root().join("dist").join(script)
}

fn archive_name(target: &str) -> String {
    format!("shipgate-{VERSION}-{target}.tar.gz")
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn default_base() -> String {
    format!("https://github.com/{REPOSITORY}/releases/download/v{VERSION}")
}

// ------------------------------------------------------------------ fixture

/// The workspace's multi-call binary `shipgate`, built once per test run with
/// `cargo build` (the dev profile: the scripts never look inside the binary,
/// only at its bytes, so a release build would only cost minutes).
/// `SHIPGATE_INSTALL_TEST_BINS=DIR` uses DIR/shipgate instead.
fn release_bins() -> &'static Path {
    static DIR: OnceLock<Result<PathBuf, String>> = OnceLock::new();
    let dir = DIR.get_or_init(|| {
        if let Some(dir) = std::env::var_os("SHIPGATE_INSTALL_TEST_BINS") {
            return Ok(PathBuf::from(dir));
        }
        let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("CARGO_TARGET_TMPDIR is <target>/tmp")
            .to_path_buf();
        let status = Command::new(option_env!("CARGO").unwrap_or("cargo"))
            .current_dir(repo_root())
            .args([
                "build",
                "--locked",
                "--bins",
                "--quiet",
                "-p",
                "shipgate-cli",
            ])
            .arg("--target-dir")
            .arg(&target)
            .status()
            .map_err(|e| format!("cargo: {e}"))?;
        if !status.success() {
            return Err("cargo build -p shipgate-cli failed (see above)".into());
        }
        Ok(target.join("debug"))
    });
    let dir = dir.as_ref().unwrap_or_else(|e| panic!("{e}"));
    assert!(
        dir.join("shipgate").is_file(),
        "no binary shipgate in {dir:?}"
    );
    dir
}

/// Archives for a Linux and a Windows target made by package.sh from the
/// release binaries, and their manifest from manifest.sh. Kept under the
/// target dir, keyed by the binaries' hash, so later runs reuse it.
struct Fixture {
    archives: PathBuf,
    bins: PathBuf,
    manifest: String,
}

fn fixture() -> &'static Fixture {
    static FIXTURE: OnceLock<Fixture> = OnceLock::new();
    FIXTURE.get_or_init(|| {
        let release = release_bins();
        let mut hasher = Sha256::new();
        hasher.update(fs::read(release.join("shipgate")).unwrap());
        hasher.update(b"multi-call, with links, stripped");
        hasher.update(fs::read(dist("package.sh")).unwrap());
        hasher.update(fs::read(dist("manifest.sh")).unwrap());
        let key: String = sha256_hex(&hasher.finalize())[..16].to_owned();
        let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("install-fixture");
        let dir = base.join(&key);
        if !dir.join("complete").exists() {
            fs::create_dir_all(&base).unwrap();
            let building = tempfile::Builder::new()
                .prefix(".building-")
                .tempdir_in(&base)
                .unwrap();
            build_fixture(building.path(), release);
            let building = building.keep();
            if fs::rename(&building, &dir).is_err() {
                // another test process built the same fixture meanwhile
                let _ = fs::remove_dir_all(&building);
            }
        }
        for entry in fs::read_dir(&base).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name != key && !name.starts_with(".building-") {
                let _ = fs::remove_dir_all(entry.path());
            }
        }
        Fixture {
            archives: dir.join("archives"),
            bins: dir.join("bins"),
            manifest: fs::read_to_string(dir.join("manifest.json")).unwrap(),
        }
    })
}

fn build_fixture(dir: &Path, release: &Path) {
    let bins = dir.join("bins");
    let bins_exe = dir.join("bins-exe");
    fs::create_dir_all(&bins).unwrap();
    fs::create_dir_all(&bins_exe).unwrap();
    fs::copy(release.join("shipgate"), bins.join("shipgate")).unwrap();
    // without its debug info a dev build is a quarter of the size (the
    // Windows archive holds six copies); where `strip` is missing, as it is
    let _ = Command::new("strip").arg(bins.join("shipgate")).status();
    for tool in TOOLS {
        std::os::unix::fs::symlink("shipgate", bins.join(tool)).unwrap();
    }
    fs::copy(bins.join("shipgate"), bins_exe.join("shipgate.exe")).unwrap();
    let archives = dir.join("archives");
    for (target, from) in [(LINUX, &bins), (WINDOWS, &bins_exe)] {
        let out = run_script(
            Command::new("bash")
                .arg(dist("package.sh"))
                .args(["--version", VERSION, "--target", target, "--bin-dir"])
                .arg(from)
                .arg("--out-dir")
                .arg(&archives),
        );
        assert_eq!(out.code, Some(0), "package.sh: {}", out.stderr);
        assert_eq!(
            out.stdout.trim(),
            archives.join(archive_name(target)).to_str().unwrap()
        );
    }
    let out = generate_manifest(&archives, &default_base(), &dir.join("manifest.json"));
    assert_eq!(out.code, Some(0), "manifest.sh: {}", out.stderr);
    fs::write(dir.join("complete"), "").unwrap();
}

fn generate_manifest(archives: &Path, base: &str, output: &Path) -> Run {
    run_script(
        Command::new("bash")
            .arg(dist("manifest.sh"))
            .args(["--version", VERSION, "--repository", REPOSITORY])
            .args(["--source-commit", SOURCE_COMMIT, "--download-base", base])
            .arg("--output")
            .arg(output)
            .arg(archives),
    )
}

// ------------------------------------------------------------------ processes

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

fn run_script(cmd: &mut Command) -> Run {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.stdin(Stdio::null()).output().expect("bash runs");
    Run {
        code: status.code(),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

fn host_path() -> String {
    std::env::var("PATH").unwrap_or_else(|_| "/usr/bin:/bin".to_owned())
}

/// A folder of executables that shadow real ones on PATH.
fn fake_tools(dir: &Path, tools: &[(&str, &str)]) -> PathBuf {
    let bin = dir.join("fake-bin");
    fs::create_dir_all(&bin).unwrap();
    for (name, body) in tools {
        let path = bin.join(name);
        fs::write(&path, format!("#!/usr/bin/env bash\n{body}\n")).unwrap();
        make_executable(&path);
    }
    bin
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    fs::set_permissions(path, fs::Permissions::from_mode(0o755)).unwrap();
}

/// `cargo` that records its arguments and produces a dummy `shipgate` for
/// `--profile fallback`, so the build fallback runs without compiling (and
/// the tests can see whether it ran at all). Each build's binary differs.
const FAKE_CARGO: &str = r#"printf '%s\n' "$*" >>"$FAKE_CARGO_LOG"
mkdir -p target/fallback
printf '#!/bin/sh\necho "built $RANDOM $$"\n' >target/fallback/shipgate; chmod 755 target/fallback/shipgate"#;

/// An action checkout in a temp dir: dist/install.sh (the real one) and a
/// manifest, a tool cache, GITHUB_OUTPUT and GITHUB_PATH files.
struct Action {
    tmp: tempfile::TempDir,
    root: PathBuf,
    cache: PathBuf,
    output: PathBuf,
    github_path: PathBuf,
    cargo_log: PathBuf,
    path: String,
}

impl Action {
    fn new(manifest: &str) -> Self {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("action");
        fs::create_dir_all(root.join("dist")).unwrap();
        fs::copy(dist("install.sh"), root.join("dist/install.sh")).unwrap();
        fs::write(root.join("dist/manifest.json"), manifest).unwrap();
        let cache = tmp.path().join("toolcache");
        fs::create_dir_all(&cache).unwrap();
        let fake = fake_tools(tmp.path(), &[("cargo", FAKE_CARGO)]);
        let path = format!("{}:{}", fake.display(), host_path());
        Action {
            root,
            cache,
            output: tmp.path().join("github_output"),
            github_path: tmp.path().join("github_path"),
            cargo_log: tmp.path().join("cargo.log"),
            path,
            tmp,
        }
    }

    /// The release manifest of the fixture (download_base on github.com).
    fn release() -> Self {
        Self::new(&fixture().manifest)
    }

    fn cmd(&self) -> Command {
        let mut cmd = Command::new("bash");
        cmd.arg(self.root.join("dist/install.sh"))
            .env_clear()
            .env("PATH", &self.path)
            .env("HOME", self.tmp.path())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TOOL_CACHE", &self.cache)
            .env("GITHUB_OUTPUT", &self.output)
            .env("GITHUB_PATH", &self.github_path)
            .env("FAKE_CARGO_LOG", &self.cargo_log);
        cmd
    }

    /// Runs install.sh against `server` (SHIPGATE_DOWNLOAD_BASE), with fresh
    /// GITHUB_OUTPUT.
    fn install(&self, server: &Server) -> Run {
        self.run(self.cmd().env("SHIPGATE_DOWNLOAD_BASE", server.url()))
    }

    fn run(&self, cmd: &mut Command) -> Run {
        let _ = fs::remove_file(&self.output);
        run_script(cmd)
    }

    fn outputs(&self) -> BTreeMap<String, String> {
        fs::read_to_string(&self.output)
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split_once('='))
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect()
    }

    fn github_path_lines(&self) -> Vec<String> {
        fs::read_to_string(&self.github_path)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn cargo_calls(&self) -> Vec<String> {
        fs::read_to_string(&self.cargo_log)
            .unwrap_or_default()
            .lines()
            .map(str::to_owned)
            .collect()
    }

    fn cache_dir(&self, target: &str) -> PathBuf {
        self.cache.join("shipgate").join(VERSION).join(target)
    }

    /// The one build folder for `target` under the tool cache
    /// (`shipgate/build/<source digest>/<target>`).
    fn build_dir(&self, target: &str) -> PathBuf {
        let base = self.cache.join("shipgate/build");
        let digests: Vec<PathBuf> = fs::read_dir(&base)
            .unwrap_or_else(|e| panic!("{base:?}: {e}"))
            .flatten()
            .map(|e| e.path())
            .collect();
        assert_eq!(digests.len(), 1, "{digests:?}");
        digests[0].join(target)
    }

    /// Every file (not folder) under the tool cache.
    fn cache_files(&self) -> Vec<PathBuf> {
        fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
            for entry in fs::read_dir(dir).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.is_dir() && !path.is_symlink() {
                    walk(&path, out);
                } else {
                    out.push(path);
                }
            }
        }
        let mut out = vec![];
        walk(&self.cache, &mut out);
        out
    }
}

// ------------------------------------------------------------------ server

#[derive(Clone, Debug)]
struct Request {
    path: String,
    headers: Vec<(String, String)>,
}

impl Request {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

type Handler = dyn Fn(&Request) -> (u16, Vec<u8>) + Send + Sync;

/// An HTTP/1.1 server on 127.0.0.1 that logs every request.
struct Server {
    addr: std::net::SocketAddr,
    log: Arc<Mutex<Vec<Request>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Server {
    fn start(handler: Box<Handler>) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let addr = listener.local_addr().unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (log, stop) = (log.clone(), stop.clone());
            std::thread::spawn(move || {
                for stream in listener.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    if let Ok(stream) = stream {
                        serve(stream, &handler, &log);
                    }
                }
            })
        };
        Server {
            addr,
            log,
            stop,
            thread: Some(thread),
        }
    }

    /// Serves the fixture's archives (and anything in `extra`) by name.
    fn archives(extra: Vec<(String, Vec<u8>)>) -> Self {
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        for entry in fs::read_dir(&fixture().archives).unwrap().flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            files.insert(format!("/{name}"), fs::read(entry.path()).unwrap());
        }
        for (path, body) in extra {
            files.insert(path, body);
        }
        Server::start(Box::new(move |req: &Request| match files.get(&req.path) {
            Some(body) => (200, body.clone()),
            None => (404, b"not found".to_vec()),
        }))
    }

    fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    fn requests(&self) -> Vec<Request> {
        self.log.lock().unwrap().clone()
    }

    fn paths(&self) -> Vec<String> {
        self.requests().into_iter().map(|r| r.path).collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        let _ = TcpStream::connect(self.addr);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn serve(stream: TcpStream, handler: &Handler, log: &Mutex<Vec<Request>>) {
    let mut reader = BufReader::new(stream);
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() || line.trim().is_empty() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut headers = vec![];
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 {
            break;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((k, v)) = header.split_once(':') {
            headers.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    let request = Request { path, headers };
    log.lock().unwrap().push(request.clone());
    let (status, body) = handler(&request);
    let mut stream = reader.into_inner();
    let head = format!(
        "HTTP/1.1 {status} X\r\nContent-Length: {}\r\nContent-Type: application/octet-stream\r\nConnection: close\r\n\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(&body);
    let _ = stream.flush();
    // let the client close first, so it never sees a reset
    let _ = stream.shutdown(std::net::Shutdown::Write);
    let _ = stream.read(&mut [0u8; 64]);
}

/// A port with nothing listening on it.
fn dead_url() -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    format!("http://{addr}")
}

/// `shipgate` and the five tool names: links to it (copies with `.exe`).
fn assert_release_binaries_in(dir: &Path, suffix: &str) {
    let main = fs::read(fixture().bins.join("shipgate")).unwrap();
    for tool in std::iter::once("shipgate").chain(TOOLS) {
        let installed = dir.join(format!("{tool}{suffix}"));
        let bytes = fs::read(&installed).unwrap_or_else(|e| panic!("{installed:?}: {e}"));
        assert!(bytes == main, "{installed:?} is not the release binary");
        let link = fs::read_link(&installed).ok();
        if tool == "shipgate" || !suffix.is_empty() {
            assert_eq!(link, None, "{installed:?}");
        } else {
            assert_eq!(link, Some(PathBuf::from("shipgate")), "{installed:?}");
        }
        use std::os::unix::fs::PermissionsExt;
        let mode = fs::metadata(&installed).unwrap().permissions().mode();
        assert_eq!(mode & 0o111, 0o111, "{installed:?} is not executable");
    }
}

// ------------------------------------------------------------------ tests

#[test]
fn downloads_verifies_caches_and_puts_the_folder_on_path_once() {
    let action = Action::release();
    let server = Server::archives(vec![]);

    let first = action.install(&server);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let dir = action.cache_dir(LINUX);
    assert_eq!(first.stdout, format!("{}\n", dir.display()));
    let out = action.outputs();
    assert_eq!(out["path"], dir.display().to_string());
    assert_eq!(out["source"], "download");
    assert_eq!(out["version"], VERSION);
    assert_eq!(out["target"], LINUX);
    assert!(first.stderr.contains("source=download"), "{}", first.stderr);
    assert_release_binaries_in(&dir, "");
    assert_eq!(server.paths(), [format!("/{}", archive_name(LINUX))]);

    // the second action of the job: the cache, no request
    let second = action.install(&server);
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert_eq!(action.outputs()["source"], "cache");
    assert_eq!(second.stdout, first.stdout);
    assert!(second.stderr.contains("source=cache"), "{}", second.stderr);
    assert_eq!(server.paths().len(), 1, "the cache hit downloaded again");
    assert_eq!(action.github_path_lines(), [dir.display().to_string()]);

    // a step whose PATH already has the folder does not add it again
    let path = format!("{}:{}", dir.display(), action.path);
    let _ = fs::remove_file(&action.github_path);
    let third = action.run(
        action
            .cmd()
            .env("PATH", path)
            .env("SHIPGATE_DOWNLOAD_BASE", server.url()),
    );
    assert_eq!(third.code, Some(0), "{}", third.stderr);
    assert!(action.github_path_lines().is_empty());

    // nothing but the binaries is left in the cache
    let mut files = action.cache_files();
    files.sort();
    let mut expected: Vec<PathBuf> = TOOLS.iter().map(|t| dir.join(t)).collect();
    expected.push(dir.join("shipgate"));
    expected.sort();
    assert_eq!(files, expected);
    assert!(action.cargo_calls().is_empty());
}

#[test]
fn the_manifests_download_base_is_the_default() {
    let files = fixture().archives.clone();
    let server = Server::start(Box::new(move |req: &Request| {
        match req.path.strip_prefix(&format!("/mirror/v{VERSION}/")) {
            Some(name) if !name.is_empty() => match fs::read(files.join(name)) {
                Ok(body) => (200, body),
                Err(_) => (404, vec![]),
            },
            _ => (404, vec![]),
        }
    }));
    let tmp = tempfile::tempdir().unwrap();
    let manifest = tmp.path().join("manifest.json");
    let base = format!("{}/mirror/v{VERSION}/", server.url());
    let generated = generate_manifest(&fixture().archives, &base, &manifest);
    assert_eq!(generated.code, Some(0), "{}", generated.stderr);
    let action = Action::new(&fs::read_to_string(&manifest).unwrap());

    let run = action.run(&mut action.cmd());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(action.outputs()["source"], "download");
    assert_release_binaries_in(&action.cache_dir(LINUX), "");
    assert_eq!(
        server.paths(),
        [format!("/mirror/v{VERSION}/{}", archive_name(LINUX))]
    );
}

#[test]
fn a_tampered_archive_fails_and_leaves_nothing_behind() {
    let action = Action::release();
    let mut tampered = fs::read(fixture().archives.join(archive_name(LINUX))).unwrap();
    let last = tampered.len() - 1;
    tampered[last] ^= 0xff;
    let server = Server::archives(vec![(format!("/{}", archive_name(LINUX)), tampered)]);

    let run = action.install(&server);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("checksum mismatch"), "{}", run.stderr);
    assert!(
        run.stderr.contains("nothing was installed"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    assert!(action.github_path_lines().is_empty(), "put on PATH");
    assert!(!action.outputs().contains_key("path"));
    assert_eq!(action.cache_files(), Vec::<PathBuf>::new());
    assert!(
        !action.cache.join("shipgate").exists(),
        "left folders behind"
    );
    assert!(action.cargo_calls().is_empty(), "compiled instead");
}

#[test]
fn a_tampered_or_extended_cache_is_verified_again_and_replaced() {
    let action = Action::release();
    let server = Server::archives(vec![]);
    assert_eq!(action.install(&server).code, Some(0));
    let dir = action.cache_dir(LINUX);

    // a changed binary in place of a link
    fs::remove_file(dir.join("tag-gate")).unwrap();
    fs::write(dir.join("tag-gate"), b"#!/bin/sh\necho evil\n").unwrap();
    let run = action.install(&server);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("do not verify"), "{}", run.stderr);
    assert!(run.stderr.contains("tag-gate has sha256"), "{}", run.stderr);
    assert_eq!(action.outputs()["source"], "download");
    assert_release_binaries_in(&dir, "");

    // the multi-call binary changed (through a link)
    fs::write(dir.join("smoke-test"), b"#!/bin/sh\necho evil\n").unwrap();
    let run = action.install(&server);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("do not verify"), "{}", run.stderr);
    assert_release_binaries_in(&dir, "");

    // an extra file would land on PATH (a `git` that shadows the real one)
    fs::write(dir.join("git"), b"#!/bin/sh\necho evil\n").unwrap();
    let run = action.install(&server);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("holds other files"), "{}", run.stderr);
    assert!(!dir.join("git").exists());
    assert_release_binaries_in(&dir, "");

    // a missing binary
    fs::remove_file(dir.join("smoke-test")).unwrap();
    let run = action.install(&server);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_release_binaries_in(&dir, "");

    assert_eq!(server.paths().len(), 5);
    let leftovers: Vec<_> = fs::read_dir(dir.parent().unwrap())
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(leftovers, [LINUX], "temporary folders left behind");
}

#[test]
fn a_dead_server_for_a_listed_target_fails_with_what_to_do_and_never_compiles() {
    let action = Action::release();
    let run = action.run(action.cmd().env("SHIPGATE_DOWNLOAD_BASE", dead_url()));
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("could not download"), "{}", run.stderr);
    assert!(
        run.stderr.contains("does not compile instead"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("SHIPGATE_DOWNLOAD_BASE"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("SHIPGATE_BIN_DIR"), "{}", run.stderr);
    assert!(action.cargo_calls().is_empty(), "compiled instead");
    assert_eq!(action.cache_files(), Vec::<PathBuf>::new());
    assert!(action.github_path_lines().is_empty());
}

#[test]
fn a_missing_archive_is_a_clear_error_too() {
    let action = Action::release();
    let server = Server::start(Box::new(|_: &Request| (404, b"gone".to_vec())));
    let run = action.install(&server);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("404"), "{}", run.stderr);
    assert_eq!(server.paths(), [format!("/{}", archive_name(LINUX))]);
    assert!(action.cargo_calls().is_empty());
    assert_eq!(action.cache_files(), Vec::<PathBuf>::new());
}

#[test]
fn shipgate_bin_dir_uses_local_binaries() {
    let action = Action::release();
    let server = Server::archives(vec![]);
    let run = action.run(
        action
            .cmd()
            .env("SHIPGATE_BIN_DIR", &fixture().bins)
            .env("SHIPGATE_DOWNLOAD_BASE", server.url()),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let out = action.outputs();
    assert_eq!(out["source"], "local");
    assert_eq!(out["path"], fixture().bins.display().to_string());
    assert_eq!(run.stdout.trim(), fixture().bins.display().to_string());
    assert!(run.stderr.contains("source=local"), "{}", run.stderr);
    assert!(server.paths().is_empty());
    assert!(action.cargo_calls().is_empty());

    // a folder without the binaries is a bad setting
    let empty = tempfile::tempdir().unwrap();
    fs::write(empty.path().join("version-stamp"), "").unwrap();
    let run = action.run(action.cmd().env("SHIPGATE_BIN_DIR", empty.path()));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("has no executable"), "{}", run.stderr);
    let run = action.run(
        action
            .cmd()
            .env("SHIPGATE_BIN_DIR", "/nonexistent/shipgate"),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
}

#[test]
fn an_unlisted_target_builds_from_source_unless_the_fallback_is_off() {
    let action = Action::release();
    let server = Server::archives(vec![]);

    let none = action.run(
        action
            .cmd()
            .env("RUNNER_ARCH", "ARM64")
            .env("SHIPGATE_FALLBACK", "none")
            .env("SHIPGATE_DOWNLOAD_BASE", server.url()),
    );
    assert_eq!(none.code, Some(3), "{}", none.stderr);
    assert!(
        none.stderr
            .contains("lists no prebuilt binaries for aarch64-unknown-linux-musl"),
        "{}",
        none.stderr
    );
    assert!(
        none.stderr.contains("SHIPGATE_FALLBACK=none"),
        "{}",
        none.stderr
    );
    assert!(action.cargo_calls().is_empty());

    // the build needs the action's own source: a Cargo.toml beside dist/
    fs::write(action.root.join("Cargo.toml"), "[workspace]\n").unwrap();
    let build = action.run(
        action
            .cmd()
            .env("RUNNER_ARCH", "ARM64")
            .env("SHIPGATE_DOWNLOAD_BASE", server.url()),
    );
    assert_eq!(build.code, Some(0), "{}", build.stderr);
    let out = action.outputs();
    assert_eq!(out["source"], "build");
    assert_eq!(out["target"], "aarch64-unknown-linux-musl");
    let built = action.build_dir("aarch64-unknown-linux-musl");
    assert_eq!(out["path"], built.display().to_string());
    assert_eq!(
        action.cargo_calls(),
        ["build --profile fallback --locked -p shipgate-cli --bins"]
    );
    assert!(server.paths().is_empty());
    assert_eq!(action.github_path_lines(), [built.display().to_string()]);

    // CARGO_TARGET_DIR moves the output (a fresh cache: no earlier build)
    fs::remove_dir_all(action.cache.join("shipgate/build")).unwrap();
    let elsewhere = action.tmp.path().join("elsewhere");
    let build = action.run(
        action
            .cmd()
            .env("RUNNER_ARCH", "ARM64")
            .env("CARGO_TARGET_DIR", &elsewhere),
    );
    // the fake cargo ignores CARGO_TARGET_DIR, so the folder is missing
    assert_eq!(build.code, Some(3), "{}", build.stderr);
    assert!(build.stderr.contains("elsewhere"), "{}", build.stderr);
}

#[test]
fn the_dev_manifest_on_main_builds_from_source() {
    let dev = fs::read_to_string(dist("manifest.json")).unwrap();
    let action = Action::new(&dev);
    fs::write(action.root.join("Cargo.toml"), "[workspace]\n").unwrap();
    let run = action.run(&mut action.cmd());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("not a release tree"), "{}", run.stderr);
    assert!(
        run.stderr.contains("development manifest"),
        "{}",
        run.stderr
    );
    let out = action.outputs();
    assert_eq!(out["source"], "build");
    assert_eq!(out["version"], "0.0.0-dev");
    assert_eq!(action.cargo_calls().len(), 1);

    // a cached build does not change that fallback none fails
    let none = action.run(action.cmd().env("SHIPGATE_FALLBACK", " None "));
    assert_eq!(none.code, Some(3), "{}", none.stderr);
    assert!(
        none.stderr.contains("development manifest"),
        "{}",
        none.stderr
    );
    assert_eq!(action.cargo_calls().len(), 1);

    // without cargo (and no cached build): says what to do
    fs::remove_dir_all(action.cache.join("shipgate/build")).unwrap();
    let no_cargo = fake_tools(action.tmp.path(), &[("cargo", "exit 127")]);
    fs::remove_file(no_cargo.join("cargo")).unwrap();
    let run = action.run(action.cmd().env("PATH", host_path_without(&["cargo"])));
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("needs cargo"), "{}", run.stderr);
}

/// An action on a ref without a release: the dev manifest and a Cargo.toml.
fn dev_action() -> Action {
    let dev = fs::read_to_string(dist("manifest.json")).unwrap();
    let action = Action::new(&dev);
    fs::write(action.root.join("Cargo.toml"), "[workspace]\n").unwrap();
    action
}

/// `install.sh --plan`: its outputs (none when no build is coming).
fn plan(action: &Action) -> BTreeMap<String, String> {
    let run = action.run(action.cmd().arg("--plan"));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.is_empty(), "{}", run.stdout);
    action.outputs()
}

fn copy_tree(from: &Path, to: &Path) {
    let status = Command::new("cp")
        .arg("-a")
        .arg(from)
        .arg(to)
        .status()
        .unwrap();
    assert!(status.success());
}

#[test]
fn a_ref_without_a_release_builds_once_and_later_jobs_reuse_the_verified_build() {
    let action = dev_action();

    // job 1, before actions/cache/restore: a build is coming, under this key
    let planned = plan(&action);
    let key = planned["build-cache-key"].clone();
    let prefix = format!("shipgate-build-{LINUX}-");
    assert!(key.starts_with(&prefix), "{key}");
    assert_eq!(key.len(), prefix.len() + 64, "{key}");
    let path = PathBuf::from(&planned["build-cache-path"]);
    assert!(
        path.starts_with(action.cache.join("shipgate/build")),
        "{path:?}"
    );
    assert!(action.cargo_calls().is_empty(), "--plan built");

    // job 1's install: the one build
    let first = action.run(&mut action.cmd());
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let out = action.outputs();
    assert_eq!(out["source"], "build");
    assert_eq!(out["version"], "0.0.0-dev");
    let dir = action.build_dir(LINUX);
    assert_eq!(dir.parent(), Some(path.as_path()));
    assert_eq!(out["path"], dir.display().to_string());
    assert_eq!(
        action.cargo_calls(),
        ["build --profile fallback --locked -p shipgate-cli --bins"]
    );
    // shipgate and the five names linking to it; every sha256 beside it
    let hash = sha256_hex(&fs::read(dir.join("shipgate")).unwrap());
    for tool in TOOLS {
        assert_eq!(
            fs::read_link(dir.join(tool)).unwrap(),
            PathBuf::from("shipgate")
        );
    }
    let sums = fs::read_to_string(path.join(format!("{LINUX}.sha256"))).unwrap();
    let mut lines: Vec<&str> = sums.lines().collect();
    lines.sort_unstable();
    let mut names: Vec<&str> = TOOLS.to_vec();
    names.push("shipgate");
    names.sort_unstable();
    let expected: Vec<String> = names.iter().map(|n| format!("{n} {hash}")).collect();
    assert_eq!(lines, expected);

    // the job's next action: nothing to restore, the build is reused
    assert!(plan(&action).is_empty(), "{:?}", action.outputs());
    let second = action.run(&mut action.cmd());
    assert_eq!(second.code, Some(0), "{}", second.stderr);
    assert_eq!(action.outputs()["source"], "cache");
    assert_eq!(second.stdout, first.stdout);
    assert_eq!(action.cargo_calls().len(), 1, "built twice");

    // a later job on another runner: the same source, a fresh tool cache into
    // which actions/cache/restore put the folder under the same key
    let other = dev_action();
    let other_plan = plan(&other);
    assert_eq!(other_plan["build-cache-key"], key);
    let other_path = PathBuf::from(&other_plan["build-cache-path"]);
    fs::create_dir_all(other_path.parent().unwrap()).unwrap();
    copy_tree(&path, &other_path);
    let third = other.run(&mut other.cmd());
    assert_eq!(third.code, Some(0), "{}", third.stderr);
    assert_eq!(other.outputs()["source"], "cache");
    assert!(other.cargo_calls().is_empty(), "the later job compiled");
    let bin = other.build_dir(LINUX);
    assert_eq!(
        fs::read(bin.join("tag-gate")).unwrap(),
        fs::read(dir.join("shipgate")).unwrap()
    );
}

#[test]
fn a_tampered_cached_build_is_refused_and_built_again() {
    let action = dev_action();
    let first = action.run(&mut action.cmd());
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let dir = action.build_dir(LINUX);
    let sums = dir.with_extension("sha256");
    assert!(sums.is_file(), "{sums:?}");

    // another binary in place of the built one
    fs::write(dir.join("shipgate"), "#!/bin/sh\necho evil\n").unwrap();
    let run = action.run(action.cmd().env("GITHUB_ACTIONS", "true"));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("::warning title=shipgate setup::the cached build in"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("shipgate has sha256"), "{}", run.stderr);
    assert_eq!(action.outputs()["source"], "build");
    assert_eq!(action.cargo_calls().len(), 2);
    assert_ne!(
        fs::read_to_string(dir.join("shipgate")).unwrap(),
        "#!/bin/sh\necho evil\n"
    );

    // a sums file rewritten to let one more program onto PATH
    let git = dir.join("git");
    fs::write(&git, "#!/bin/sh\n").unwrap();
    let mut text = fs::read_to_string(&sums).unwrap();
    text.push_str(&format!("git {}\n", sha256_hex(b"#!/bin/sh\n")));
    fs::write(&sums, text).unwrap();
    let run = action.run(&mut action.cmd());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("does not list exactly"),
        "{}",
        run.stderr
    );
    assert_eq!(action.outputs()["source"], "build");
    assert!(!git.exists(), "the extra program survived");
    assert_eq!(action.cargo_calls().len(), 3);

    // a tool name that links elsewhere
    fs::remove_file(dir.join("tag-gate")).unwrap();
    std::os::unix::fs::symlink("/bin/sh", dir.join("tag-gate")).unwrap();
    let run = action.run(&mut action.cmd());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("tag-gate links to '/bin/sh'"),
        "{}",
        run.stderr
    );
    assert_eq!(action.cargo_calls().len(), 4);
    assert_eq!(
        fs::read_link(dir.join("tag-gate")).unwrap(),
        PathBuf::from("shipgate")
    );

    // and the rebuilt folder is used as it is
    let run = action.run(&mut action.cmd());
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(action.outputs()["source"], "cache");
    assert_eq!(action.cargo_calls().len(), 4);
}

#[test]
fn the_build_cache_key_follows_the_source_and_nothing_else() {
    let action = dev_action();
    let key = plan(&action)["build-cache-key"].clone();
    // build output and a git folder are not source
    fs::create_dir_all(action.root.join("target/fallback")).unwrap();
    fs::write(action.root.join("target/fallback/junk"), "x").unwrap();
    fs::create_dir_all(action.root.join(".git")).unwrap();
    fs::write(action.root.join(".git/HEAD"), "x").unwrap();
    assert_eq!(plan(&action)["build-cache-key"], key);
    // a changed source file is another build
    fs::create_dir_all(action.root.join("crates/x/src")).unwrap();
    fs::write(action.root.join("crates/x/src/lib.rs"), "").unwrap();
    let changed = plan(&action)["build-cache-key"].clone();
    assert_ne!(changed, key);
    // so is another target
    let arm = action.run(action.cmd().arg("--plan").env("RUNNER_ARCH", "ARM64"));
    assert_eq!(arm.code, Some(0), "{}", arm.stderr);
    let arm_key = action.outputs()["build-cache-key"].clone();
    assert_eq!(
        arm_key,
        changed.replace(LINUX, "aarch64-unknown-linux-musl")
    );
    // a release ref whose target is listed plans no build; fallback none neither
    let release = Action::release();
    assert!(plan(&release).is_empty());
    let none = action.run(action.cmd().arg("--plan").env("SHIPGATE_FALLBACK", "none"));
    assert_eq!(none.code, Some(0), "{}", none.stderr);
    assert!(action.outputs().is_empty());
}

fn git(dir: &Path, args: &[&str]) {
    let out = Command::new("git")
        .current_dir(dir)
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
            "-c",
            "commit.gpgsign=false",
        ])
        .args(args)
        .env("GIT_AUTHOR_DATE", "2025-01-20T14:30:22Z")
        .env("GIT_COMMITTER_DATE", "2025-01-20T14:30:22Z")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn git_out(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

#[test]
fn a_checkout_whose_code_differs_from_source_commit_builds_from_source() {
    let dev = fs::read_to_string(dist("manifest.json")).unwrap();
    let action = Action::new(&dev);
    let root = &action.root;
    fs::write(root.join("Cargo.toml"), "[workspace]\n").unwrap();
    fs::write(root.join("code.rs"), "fn main() {}\n").unwrap();
    git(root, &["init", "-q"]);
    git(root, &["add", "."]);
    git(root, &["commit", "-q", "-m", "X"]);
    let x = git_out(root, &["rev-parse", "HEAD"]);
    // Y: the release manifest for X
    let manifest = fixture().manifest.replace(SOURCE_COMMIT, &x);
    fs::write(root.join("dist/manifest.json"), &manifest).unwrap();
    git(root, &["commit", "-q", "-am", "Y"]);
    let server = Server::archives(vec![]);

    let run = action.install(&server);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(action.outputs()["source"], "download");

    // code changed after the release commit: do not mix versions
    fs::write(root.join("code.rs"), "fn main() { changed() }\n").unwrap();
    let run = action.install(&server);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stderr.contains("not a release tree"), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("differs from the manifest's source_commit"),
        "{}",
        run.stderr
    );
    assert_eq!(action.outputs()["source"], "build");

    // a clone that lacks source_commit cannot prove anything either
    let other = fixture()
        .manifest
        .replace(SOURCE_COMMIT, "89abcdef0123456789abcdef0123456789abcdef");
    fs::write(root.join("dist/manifest.json"), other).unwrap();
    fs::write(root.join("code.rs"), "fn main() {}\n").unwrap();
    let run = action.install(&server);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("does not contain source_commit"),
        "{}",
        run.stderr
    );
    assert_eq!(action.outputs()["source"], "build");
    assert_eq!(server.paths().len(), 1);
    assert_eq!(action.cargo_calls().len(), 2);
}

/// A PATH holding links to every program on the host's PATH except `skip`.
fn host_path_without(skip: &[&str]) -> String {
    static COUNTER: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let dir = std::env::temp_dir().join(format!(
        "shipgate-install-path-{}-{}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::SeqCst)
    ));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).unwrap();
    for entry in std::env::split_paths(&host_path()) {
        for file in fs::read_dir(&entry).into_iter().flatten().flatten() {
            let name = file.file_name();
            let name_str = name.to_string_lossy();
            if skip.iter().any(|s| name_str == *s) || dir.join(&name).exists() {
                continue;
            }
            let _ = std::os::unix::fs::symlink(file.path(), dir.join(&name));
        }
    }
    dir.display().to_string()
}

#[test]
fn without_a_sha256_tool_it_fails_closed() {
    let action = Action::release();
    let server = Server::archives(vec![]);
    let path = host_path_without(&["sha256sum", "shasum"]);
    let run = action.run(
        action
            .cmd()
            .env("PATH", &path)
            .env("SHIPGATE_DOWNLOAD_BASE", server.url()),
    );
    let _ = fs::remove_dir_all(&path);
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(
        run.stderr.contains("needs sha256sum or shasum"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    assert!(
        server.paths().is_empty(),
        "downloaded without a way to verify"
    );
    assert_eq!(action.cache_files(), Vec::<PathBuf>::new());
    assert!(action.github_path_lines().is_empty());

    // shasum alone (macOS) is enough
    let path = host_path_without(&["sha256sum"]);
    let has_shasum = Path::new(&path).join("shasum").exists();
    let run = action.run(
        action
            .cmd()
            .env("PATH", &path)
            .env("SHIPGATE_DOWNLOAD_BASE", server.url()),
    );
    let _ = fs::remove_dir_all(&path);
    if has_shasum {
        assert_eq!(run.code, Some(0), "{}", run.stderr);
        assert_release_binaries_in(&action.cache_dir(LINUX), "");
    }
}

#[test]
fn plain_http_is_refused_except_to_localhost() {
    let action = Action::release();
    for base in [
        "http://example.com/shipgate",
        "http://localhost@example.com/",
        "http://127.0.0.1.example.com/",
        "http://localhost:80@example.com/",
        "ftp://127.0.0.1/",
        "file:///tmp/x",
        "https://exa mple.com/",
        "//example.com/",
    ] {
        let run = action.run(action.cmd().env("SHIPGATE_DOWNLOAD_BASE", base));
        assert_eq!(run.code, Some(2), "{base}: {}", run.stderr);
        assert!(
            run.stderr.contains("only https:// URLs are allowed"),
            "{base}: {}",
            run.stderr
        );
        assert!(action.cargo_calls().is_empty());
    }
    // even with a verified cache, a bad setting is reported
    let server = Server::archives(vec![]);
    assert_eq!(action.install(&server).code, Some(0));
    let run = action.run(
        action
            .cmd()
            .env("SHIPGATE_DOWNLOAD_BASE", "http://example.com"),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    // localhost works like 127.0.0.1
    let local = server.url().replace("127.0.0.1", "localhost");
    let fresh = Action::release();
    let run = fresh.run(fresh.cmd().env("SHIPGATE_DOWNLOAD_BASE", local));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn a_hand_edited_manifest_is_refused() {
    let minified: Value = serde_json::from_str(&fixture().manifest).unwrap();
    for manifest in [
        serde_json::to_string(&minified).unwrap(),
        fixture()
            .manifest
            .replace("  \"version\"", "  \"version\" "),
        fixture().manifest.replace(
            "  \"repository\"",
            "  \"version\": \"9.9.9\",\n  \"repository\"",
        ),
    ] {
        let action = Action::new(&manifest);
        let server = Server::archives(vec![]);
        let run = action.install(&server);
        assert_eq!(run.code, Some(3), "{}", run.stderr);
        assert!(
            run.stderr
                .contains("not in the layout dist/manifest.sh writes"),
            "{}",
            run.stderr
        );
        assert!(server.paths().is_empty());
    }
}

#[test]
fn settings_and_arguments_are_validated() {
    let action = Action::release();
    let run = action.run(action.cmd().env("SHIPGATE_FALLBACK", "maybe"));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(run.stderr.contains("'build' or 'none'"), "{}", run.stderr);
    let run = action.run(action.cmd().arg("--bogus"));
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    let run = action.run(action.cmd().arg("--help"));
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(run.stdout.contains("--print-target"), "{}", run.stdout);

    // on a runner, failures are annotations
    let run = action.run(
        action
            .cmd()
            .env("GITHUB_ACTIONS", "true")
            .env("SHIPGATE_FALLBACK", "100%\nsure"),
    );
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr
            .starts_with("::error title=shipgate setup::SHIPGATE_FALLBACK must be"),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("100%25%0Asure"), "{}", run.stderr);
    assert_eq!(run.stderr.lines().count(), 1, "{}", run.stderr);
}

#[test]
fn the_target_table() {
    let tmp = tempfile::tempdir().unwrap();
    let fake = fake_tools(
        tmp.path(),
        &[(
            "uname",
            r#"case "${1:-}" in -s) echo "$FAKE_UNAME_S" ;; -m) echo "$FAKE_UNAME_M" ;; *) echo "$FAKE_UNAME_S" ;; esac"#,
        )],
    );
    let path = format!("{}:{}", fake.display(), host_path());
    // (RUNNER_OS, RUNNER_ARCH, uname -s, uname -m) → target
    let table: &[(&str, &str, &str, &str, Option<&str>)] = &[
        ("Linux", "X64", "", "", Some("x86_64-unknown-linux-musl")),
        ("Linux", "ARM64", "", "", Some("aarch64-unknown-linux-musl")),
        ("Linux", "X86", "", "", Some("i686-unknown-linux-musl")),
        (
            "Linux",
            "ARM",
            "",
            "",
            Some("armv7-unknown-linux-musleabihf"),
        ),
        ("macOS", "X64", "", "", Some("x86_64-apple-darwin")),
        ("macOS", "ARM64", "", "", Some("aarch64-apple-darwin")),
        ("Windows", "X64", "", "", Some("x86_64-pc-windows-msvc")),
        ("Windows", "ARM64", "", "", Some("aarch64-pc-windows-msvc")),
        ("Windows", "X86", "", "", Some("i686-pc-windows-msvc")),
        ("linux", "x64", "", "", Some("x86_64-unknown-linux-musl")),
        (" macOS ", "arm64", "", "", Some("aarch64-apple-darwin")),
        // no runner variables: uname
        ("", "", "Linux", "x86_64", Some("x86_64-unknown-linux-musl")),
        (
            "",
            "",
            "Linux",
            "aarch64",
            Some("aarch64-unknown-linux-musl"),
        ),
        (
            "",
            "",
            "Linux",
            "armv7l",
            Some("armv7-unknown-linux-musleabihf"),
        ),
        ("", "", "Linux", "i686", Some("i686-unknown-linux-musl")),
        ("", "", "Darwin", "x86_64", Some("x86_64-apple-darwin")),
        ("", "", "Darwin", "arm64", Some("aarch64-apple-darwin")),
        (
            "",
            "",
            "MINGW64_NT-10.0-20348",
            "x86_64",
            Some("x86_64-pc-windows-msvc"),
        ),
        (
            "",
            "",
            "MSYS_NT-10.0",
            "x86_64",
            Some("x86_64-pc-windows-msvc"),
        ),
        (
            "",
            "",
            "CYGWIN_NT-10.0",
            "x86_64",
            Some("x86_64-pc-windows-msvc"),
        ),
        // one of the two from the runner, the other from uname
        (
            "Linux",
            "",
            "Linux",
            "aarch64",
            Some("aarch64-unknown-linux-musl"),
        ),
        (
            "",
            "ARM64",
            "Darwin",
            "x86_64",
            Some("aarch64-apple-darwin"),
        ),
        // unknown
        ("", "", "FreeBSD", "amd64", None),
        ("", "", "Linux", "riscv64", None),
        ("Plan9", "X64", "", "", None),
        ("macOS", "X86", "", "", None),
    ];
    for (os, arch, s, m, want) in table {
        let out = run_script(
            Command::new("bash")
                .arg(dist("install.sh"))
                .arg("--print-target")
                .env_clear()
                .env("PATH", &path)
                .env("RUNNER_OS", os)
                .env("RUNNER_ARCH", arch)
                .env("FAKE_UNAME_S", s)
                .env("FAKE_UNAME_M", m),
        );
        let case = format!("RUNNER_OS={os:?} RUNNER_ARCH={arch:?} uname={s:?}/{m:?}");
        match want {
            Some(target) => {
                assert_eq!(out.code, Some(0), "{case}: {}", out.stderr);
                assert_eq!(out.stdout, format!("{target}\n"), "{case}");
            }
            None => {
                assert_eq!(out.code, Some(3), "{case}: {}", out.stdout);
                assert!(
                    out.stderr.contains("unsupported platform"),
                    "{case}: {}",
                    out.stderr
                );
            }
        }
    }
}

#[test]
fn on_windows_the_runner_gets_a_windows_path() {
    let action = Action::release();
    let fake = fake_tools(
        action.tmp.path(),
        &[
            (
                "uname",
                r#"case "${1:-}" in -m) echo x86_64 ;; *) echo MINGW64_NT-10.0-20348 ;; esac"#,
            ),
            (
                "cygpath",
                r#"case "$1" in -u) printf '%s\n' "$2" ;; -w) p="${2//\//\\}"; printf 'D:%s\n' "$p" ;; -m) printf 'D:%s\n' "$2" ;; *) exit 2 ;; esac"#,
            ),
        ],
    );
    let server = Server::archives(vec![]);
    let run = action.run(
        action
            .cmd()
            .env("PATH", format!("{}:{}", fake.display(), action.path))
            .env("RUNNER_OS", "Windows")
            .env("SHIPGATE_DOWNLOAD_BASE", server.url()),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let dir = action.cache_dir(WINDOWS);
    assert_release_binaries_in(&dir, ".exe");
    let mixed = format!("D:{}", dir.display());
    let windows = format!("D:{}", dir.display().to_string().replace('/', "\\"));
    assert_eq!(action.outputs()["path"], mixed);
    assert_eq!(action.outputs()["target"], WINDOWS);
    assert_eq!(run.stdout.trim(), mixed);
    assert_eq!(action.github_path_lines(), [windows]);
    assert_eq!(server.paths(), [format!("/{}", archive_name(WINDOWS))]);
}

#[test]
fn concurrent_jobs_sharing_a_cache_all_end_with_verified_binaries() {
    let action = Action::release();
    let server = Server::archives(vec![]);
    let children: Vec<_> = (0..4)
        .map(|i| {
            let mut cmd = action.cmd();
            cmd.env("SHIPGATE_DOWNLOAD_BASE", server.url())
                .env("GITHUB_OUTPUT", action.tmp.path().join(format!("out{i}")))
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .stdin(Stdio::null());
            cmd.spawn().unwrap()
        })
        .collect();
    for child in children {
        let out = child.wait_with_output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).trim(),
            action.cache_dir(LINUX).display().to_string()
        );
    }
    assert_release_binaries_in(&action.cache_dir(LINUX), "");
    let version_dir: Vec<_> = fs::read_dir(action.cache.join("shipgate").join(VERSION))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(version_dir, [LINUX], "temporary folders left behind");
}

#[test]
fn a_private_repository_release_is_fetched_through_the_api_with_the_token() {
    const TOKEN: &str = "ghs_test-token-0123456789";
    let archive = fs::read(fixture().archives.join(archive_name(LINUX))).unwrap();
    let name = archive_name(LINUX);
    // GitHub's key order (an asset's "url" before its "name"), a body with
    // braces and quoted look-alikes, and a decoy asset
    let release_json = format!(
        r#"{{"url":"API/repos/o/shipgate/releases/7","id":7,"author":{{"login":"bot","url":"API/users/bot"}},"tag_name":"v{VERSION}","assets":[{{"url":"API/repos/o/shipgate/releases/assets/41","id":41,"name":"notes.txt","uploader":{{"url":"API/users/bot"}}}},{{"url":"API/repos/o/shipgate/releases/assets/42","id":42,"node_id":"RA_x","name":"{name}","label":null,"uploader":{{"login":"bot","url":"API/users/bot","id":1}},"size":3,"browser_download_url":"http://ignored/download"}}],"body":"{{ \"url\": \"API/repos/o/shipgate/releases/assets/666\", \"name\": \"{name}\" }} }}"}}"#
    );
    assert!(serde_json::from_str::<Value>(&release_json).is_ok());
    let server = Arc::new(Mutex::new(String::new()));
    let api_base = server.clone();
    let srv = Server::start(Box::new(move |req: &Request| {
        let authed = req.header("authorization") == Some(&format!("Bearer {TOKEN}"));
        let api = api_base.lock().unwrap().clone();
        match req.path.as_str() {
            p if p == format!("/api/repos/o/shipgate/releases/tags/v{VERSION}") && authed => {
                (200, release_json.replace("API", &api).into_bytes())
            }
            "/api/repos/o/shipgate/releases/assets/42"
                if authed && req.header("accept") == Some("application/octet-stream") =>
            {
                (200, archive.clone())
            }
            _ => (404, b"Not Found".to_vec()),
        }
    }));
    *server.lock().unwrap() = format!("{}/api", srv.url());

    let tmp = tempfile::tempdir().unwrap();
    let manifest = tmp.path().join("manifest.json");
    let base = format!("{}/o/shipgate/releases/download/v{VERSION}", srv.url());
    let generated = generate_manifest(&fixture().archives, &base, &manifest);
    assert_eq!(generated.code, Some(0), "{}", generated.stderr);
    let action = Action::new(&fs::read_to_string(&manifest).unwrap());

    // without a token: the plain 404, and what to do
    let run = action.run(
        action
            .cmd()
            .env("GITHUB_SERVER_URL", srv.url())
            .env("GITHUB_API_URL", format!("{}/api", srv.url())),
    );
    assert_eq!(run.code, Some(3), "{}", run.stderr);
    assert!(run.stderr.contains("pass a token"), "{}", run.stderr);

    let run = action.run(
        action
            .cmd()
            .env("GITHUB_ACTIONS", "true")
            .env("SHIPGATE_TOKEN", TOKEN)
            .env("GITHUB_SERVER_URL", srv.url())
            .env("GITHUB_API_URL", format!("{}/api", srv.url())),
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert_eq!(action.outputs()["source"], "download");
    assert_release_binaries_in(&action.cache_dir(LINUX), "");
    // the token is masked first and never printed otherwise
    assert!(
        run.stderr.starts_with(&format!("::add-mask::{TOKEN}\n")),
        "{}",
        run.stderr
    );
    assert_eq!(run.stderr.matches(TOKEN).count(), 1, "{}", run.stderr);
    assert!(!run.stdout.contains(TOKEN));
    // and it went to the API only, never to the download URL
    for req in srv.requests() {
        let sent = req.header("authorization").is_some();
        assert_eq!(sent, req.path.starts_with("/api/"), "{req:?}");
    }
    let paths = srv.paths();
    assert_eq!(
        paths[paths.len() - 3..],
        [
            format!("/o/shipgate/releases/download/v{VERSION}/{name}"),
            format!("/api/repos/o/shipgate/releases/tags/v{VERSION}"),
            "/api/repos/o/shipgate/releases/assets/42".to_owned(),
        ]
    );
}

// ------------------------------------------------------------------ manifest

/// The generator's layout, written independently: one key per line, fixed
/// indentation, keys in this order, targets and binaries sorted.
fn render_layout(m: &Value) -> String {
    let mut s = String::from("{\n");
    for key in ["version", "repository", "download_base", "source_commit"] {
        s += &format!("  \"{key}\": \"{}\",\n", m[key].as_str().unwrap());
    }
    let targets = m["targets"].as_object().unwrap();
    if targets.is_empty() {
        s += "  \"targets\": {}\n}\n";
        return s;
    }
    s += "  \"targets\": {\n";
    for (i, (target, t)) in targets.iter().enumerate() {
        s += &format!("    \"{target}\": {{\n");
        s += &format!(
            "      \"archive\": \"{}\",\n",
            t["archive"].as_str().unwrap()
        );
        s += &format!("      \"sha256\": \"{}\",\n", t["sha256"].as_str().unwrap());
        s += "      \"binaries\": {\n";
        let bins = t["binaries"].as_object().unwrap();
        for (j, (name, hash)) in bins.iter().enumerate() {
            let comma = if j + 1 < bins.len() { "," } else { "" };
            s += &format!(
                "        \"{name}\": \"{}\"{comma}\n",
                hash.as_str().unwrap()
            );
        }
        s += "      }\n";
        s += if i + 1 < targets.len() {
            "    },\n"
        } else {
            "    }\n"
        };
    }
    s += "  }\n}\n";
    s
}

#[test]
fn the_generated_manifest_has_the_schema_and_the_fixed_layout() {
    let text = &fixture().manifest;
    let m: Value = serde_json::from_str(text).unwrap();
    assert_eq!(m["version"], VERSION);
    assert_eq!(m["repository"], REPOSITORY);
    assert_eq!(m["download_base"], default_base());
    assert_eq!(m["source_commit"], SOURCE_COMMIT);
    let targets = m["targets"].as_object().unwrap();
    assert_eq!(
        targets.keys().collect::<Vec<_>>(),
        [WINDOWS, LINUX],
        "sorted by name"
    );
    for (target, suffix) in [(LINUX, ""), (WINDOWS, ".exe")] {
        let t = &targets[target];
        let archive = fs::read(fixture().archives.join(archive_name(target))).unwrap();
        assert_eq!(t["archive"], archive_name(target));
        assert_eq!(t["sha256"], sha256_hex(&archive));
        let sidecar = fs::read_to_string(
            fixture()
                .archives
                .join(format!("{}.sha256", archive_name(target))),
        )
        .unwrap();
        assert_eq!(
            sidecar,
            format!("{}  {}\n", sha256_hex(&archive), archive_name(target))
        );
        // one hash per file: shipgate and each tool name (a link's is its target's)
        let bins = t["binaries"].as_object().unwrap();
        assert_eq!(bins.len(), 6);
        let bytes = fs::read(fixture().bins.join("shipgate")).unwrap();
        for tool in std::iter::once("shipgate").chain(TOOLS) {
            assert_eq!(bins[&format!("{tool}{suffix}")], sha256_hex(&bytes));
        }
    }
    assert_eq!(*text, render_layout(&m));
}

#[test]
fn the_committed_manifest_is_the_dev_manifest_in_the_layout() {
    let text = fs::read_to_string(dist("manifest.json")).unwrap();
    let m: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(m["version"], "0.0.0-dev");
    assert_eq!(m["targets"], serde_json::json!({}));
    assert_eq!(text, render_layout(&m));
    let check = run_script(Command::new("bash").arg(dist("manifest.sh")).arg("--check"));
    assert_eq!(check.code, Some(0), "{}", check.stderr);
}

#[test]
fn manifest_check_fails_when_manifest_and_archives_disagree() {
    let tmp = tempfile::tempdir().unwrap();
    let archives = tmp.path().join("archives");
    fs::create_dir_all(&archives).unwrap();
    for entry in fs::read_dir(&fixture().archives).unwrap().flatten() {
        fs::copy(entry.path(), archives.join(entry.file_name())).unwrap();
    }
    let manifest = tmp.path().join("manifest.json");
    fs::write(&manifest, &fixture().manifest).unwrap();
    let check = |dir: &Path| {
        run_script(
            Command::new("bash")
                .arg(dist("manifest.sh"))
                .arg("--check")
                .arg("--manifest")
                .arg(&manifest)
                .arg(dir),
        )
    };
    let ok = check(&archives);
    assert_eq!(ok.code, Some(0), "{}", ok.stderr);

    // a hand edit
    let text = &fixture().manifest;
    let at = text.find("\"sha256\": \"").unwrap() + "\"sha256\": \"".len();
    let edited = format!("{}{}{}", &text[..at], "0".repeat(64), &text[at + 64..]);
    fs::write(&manifest, edited).unwrap();
    let stale = check(&archives);
    assert_eq!(stale.code, Some(1), "{}", stale.stderr);
    assert!(
        stale.stderr.contains("regenerate it with"),
        "{}",
        stale.stderr
    );
    fs::write(&manifest, &fixture().manifest).unwrap();

    // a rebuilt archive (and its .sha256)
    let linux = archives.join(archive_name(LINUX));
    let sidecar = archives.join(format!("{}.sha256", archive_name(LINUX)));
    let bins = tmp.path().join("bins");
    fs::create_dir_all(&bins).unwrap();
    fs::write(bins.join("shipgate"), "#!/bin/sh\necho rebuilt\n").unwrap();
    let packed = run_script(
        Command::new("bash")
            .arg(dist("package.sh"))
            .args(["--version", VERSION, "--target", LINUX, "--bin-dir"])
            .arg(&bins)
            .arg("--out-dir")
            .arg(&archives),
    );
    assert_eq!(packed.code, Some(0), "{}", packed.stderr);
    let rebuilt = check(&archives);
    assert_eq!(rebuilt.code, Some(1), "{}", rebuilt.stderr);
    assert!(rebuilt.stderr.contains("stale"), "{}", rebuilt.stderr);

    // an archive whose .sha256 disagrees
    fs::write(&sidecar, format!("{}  x\n", "0".repeat(64))).unwrap();
    let mismatch = check(&archives);
    assert_eq!(mismatch.code, Some(1), "{}", mismatch.stderr);
    assert!(
        mismatch.stderr.contains(".sha256 says"),
        "{}",
        mismatch.stderr
    );
    fs::remove_file(&sidecar).unwrap();

    // a missing archive
    fs::remove_file(&linux).unwrap();
    let missing = check(&archives);
    assert_eq!(missing.code, Some(1), "{}", missing.stderr);

    // an archive of another version
    fs::copy(
        fixture().archives.join(archive_name(LINUX)),
        archives.join(format!("shipgate-9.9.9-{LINUX}.tar.gz")),
    )
    .unwrap();
    let mixed = check(&archives);
    assert_eq!(mixed.code, Some(2), "{}", mixed.stderr);
    assert!(
        mixed.stderr.contains("one release, one version"),
        "{}",
        mixed.stderr
    );

    // a dev manifest with archives, a release manifest without
    let dev = run_script(
        Command::new("bash")
            .arg(dist("manifest.sh"))
            .arg("--check")
            .arg("--manifest")
            .arg(&manifest),
    );
    assert_eq!(dev.code, Some(2), "{}", dev.stderr);
}

#[test]
fn the_generator_validates_its_inputs_and_the_archive_contents() {
    let tmp = tempfile::tempdir().unwrap();
    let generate = |args: &[&str], dir: &Path| {
        run_script(
            Command::new("bash")
                .arg(dist("manifest.sh"))
                .args(args)
                .arg("--output")
                .arg("-")
                .arg(dir),
        )
    };
    let good = [
        "--version",
        VERSION,
        "--repository",
        REPOSITORY,
        "--source-commit",
        SOURCE_COMMIT,
        "--download-base",
        "https://example.com/v1.2.3/",
    ];
    let out = generate(&good, &fixture().archives);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stdout
            .contains("\"download_base\": \"https://example.com/v1.2.3\",")
    );

    for (flag, bad) in [
        ("--version", "1.2"),
        ("--version", "0.0.0-dev"),
        ("--repository", "o/r\" , \"x"),
        ("--source-commit", "abc123"),
        ("--download-base", "http://example.com/x"),
        ("--download-base", "https://example.com/\"x"),
    ] {
        let mut args = good.to_vec();
        let i = args.iter().position(|a| *a == flag).unwrap();
        args[i + 1] = bad;
        let out = generate(&args, &fixture().archives);
        assert_eq!(out.code, Some(2), "{flag} {bad}: {}", out.stdout);
        assert!(out.stdout.is_empty());
    }

    // an archive with a seventh file is refused, and so is a tool name that
    // links anywhere but to shipgate
    let archives = tmp.path().join("archives");
    fs::create_dir_all(&archives).unwrap();
    let pack = |name: &str, setup: &str| {
        let stage = tmp.path().join(name);
        fs::create_dir_all(&stage).unwrap();
        let tar = Command::new("bash")
            .arg("-c")
            .arg(format!(
                "cd '{}' && {setup} && tar -czf '{}' *",
                stage.display(),
                archives.join(archive_name(LINUX)).display()
            ))
            .status()
            .unwrap();
        assert!(tar.success());
    };
    let tools = TOOLS.join(" ");
    pack(
        "extra",
        &format!("echo x >shipgate && for t in {tools} extra; do ln -s shipgate $t; done"),
    );
    let out = generate(&good, &archives);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("exactly shipgate and the five tool names"),
        "{}",
        out.stderr
    );
    pack(
        "elsewhere",
        &format!(
            "echo x >shipgate && for t in {tools}; do ln -s shipgate $t; done && ln -sf /bin/sh tag-gate"
        ),
    );
    let out = generate(&good, &archives);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(
        out.stderr.contains("tag-gate is a link to '/bin/sh'"),
        "{}",
        out.stderr
    );
}
