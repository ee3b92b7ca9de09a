//! `examples/demo.sh`, the README's first quick-start command, end to end
//! against the debug binaries: every step must behave as narrated (the
//! script exits non-zero otherwise), the services it started must be gone
//! afterwards, and its temporary folder removed.
//!
//! The binaries are the ones next to this test (`target/debug`), which
//! `cargo test --workspace` builds before any test runs: every tool and
//! demo-service has integration tests, so cargo builds its binary (and
//! `examples/demo-registry`, the container path's image pusher: cargo test
//! builds examples). Run alone, build them first:
//!
//! ```sh
//! cargo build --workspace --bins --locked \
//!   && cargo build -p registry --example demo-registry --locked \
//!   && cargo test -p shipgate --test demo
//! ```
//!
//! The container path runs when Debian's `docker-registry` is installed
//! (`SHIPGATE_DOCKER_REGISTRY` names another binary); without it the demo
//! says it skipped it, which passes, except with `CI=true`.
//!
//! The test does not build them itself: a nested `cargo build` (without the
//! test features) would relink `target/debug/<tool>` while other tests run
//! it.
//!
//! Unix only (bash, git, tar, `/dev/tcp`); ci.yml's self-test covers Windows.
#![cfg(unix)]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What the demo runs.
const BINARIES: [&str; 6] = [
    "version-stamp",
    "tag-gate",
    "health-check",
    "smoke-test",
    "semantic-bump",
    "demo-service",
];

/// The demo takes about 10 s with debug binaries; a hung step fails the
/// test instead of hanging it.
const TIMEOUT: Duration = Duration::from_secs(240);

fn repo_root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `target/<profile>`: this test runs from `target/<profile>/deps/`.
fn bin_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's own path");
    let dir = exe
        .parent()
        .and_then(Path::parent)
        .expect("the test runs from target/<profile>/deps")
        .to_path_buf();
    let missing: Vec<&str> = BINARIES
        .iter()
        .copied()
        .filter(|b| !dir.join(b).is_file())
        .collect();
    assert!(
        missing.is_empty(),
        "the demo needs the workspace's binaries in {}, and {} missing: \
         run `cargo build --workspace --bins --locked` first \
         (`cargo test --workspace` builds them too)",
        dir.display(),
        missing
            .iter()
            .map(|m| format!("{m} is"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    dir
}

/// Whether the container path can run: the registry binary answers
/// `--version`. Missing with `CI=true`: the test fails, naming the fix.
fn registry_installed() -> bool {
    let bin =
        std::env::var_os("SHIPGATE_DOCKER_REGISTRY").unwrap_or_else(|| "docker-registry".into());
    let found = Command::new(&bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    assert!(
        found || !std::env::var("CI").is_ok_and(|v| v == "true"),
        "{} is not installed, and CI=true requires the demo's container path: \
         apt-get install docker-registry (as .ci/run does)",
        bin.to_string_lossy()
    );
    found
}

/// Whether a process is gone (or dead and waiting to be reaped).
fn gone(pid: u32) -> bool {
    let out = Command::new("ps")
        .args(["-o", "stat=", "-p", &pid.to_string()])
        .output()
        .expect("ps runs");
    let stat = String::from_utf8_lossy(&out.stdout);
    let stat = stat.trim();
    !out.status.success() || stat.is_empty() || stat.starts_with('Z')
}

#[test]
fn the_demo_runs_the_whole_pipeline() {
    let bins = bin_dir();
    let container = registry_installed();
    if container {
        assert!(
            bins.join("examples/demo-registry").is_file(),
            "docker-registry is installed, so the demo's container path runs, and it needs \
             {}: cargo build -p registry --example demo-registry --locked",
            bins.join("examples/demo-registry").display()
        );
    }
    let tmp = tempfile::tempdir().unwrap();
    let log_path = tmp.path().join("demo.log");
    let temp_root = tmp.path().join("tmp");
    std::fs::create_dir(&temp_root).unwrap();
    let log = File::create(&log_path).unwrap();

    let mut cmd = Command::new("bash");
    cmd.arg(repo_root().join("examples/demo.sh"))
        .current_dir(repo_root())
        .env("SHIPGATE_DEMO_BIN", &bins)
        .env("TMPDIR", &temp_root)
        .env("NO_COLOR", "1")
        .env_remove("SHIPGATE_DEMO_KEEP")
        .stdin(Stdio::null())
        .stdout(log.try_clone().unwrap())
        .stderr(log);
    // The demo scrubs GITHUB_*, RUNNER_* and INPUT_* itself; so does this,
    // so that a CI run of the tests cannot leak into it either way.
    for (name, _) in std::env::vars_os() {
        let n = name.to_string_lossy();
        if n.starts_with("GITHUB_") || n.starts_with("RUNNER_") || n.starts_with("INPUT_") {
            cmd.env_remove(&name);
        }
    }
    let mut child = cmd.spawn().expect("bash runs");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if started.elapsed() > TIMEOUT {
            // TERM first: the demo's trap stops the services it started.
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            std::thread::sleep(Duration::from_secs(5));
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = std::fs::read_to_string(&log_path).unwrap();
    let status = status
        .unwrap_or_else(|| panic!("examples/demo.sh did not finish within {TIMEOUT:?}:\n{output}"));
    assert!(
        status.success(),
        "examples/demo.sh failed ({status}):\n{output}"
    );

    // The story, as narrated: refusals refused, the bad deploy caught, the
    // rollback done, a release proposed.
    for needle in [
        "refused with exit 2, as it should be",
        "this is not the artifact that was built",
        "Production refuses a version QA never saw",
        "has not passed shop/qa",
        "unhealthy: exit 1, as it should be",
        "Roll back to ",
        "production runs ",
        "v0.1.0 → v0.2.0 (minor",
        "The whole pipeline ran in ",
    ] {
        assert!(
            output.contains(needle),
            "the demo's output lacks {needle:?}:\n{output}"
        );
    }
    if container {
        // the image recorded by digest and by tag, promoted by moving the
        // registry's tags, another digest refused, prod's tag rolled back
        for needle in [
            "The container path: a real registry on 127.0.0.1",
            "/shop/cart:prod now names sha256:",
            "is not the one recorded at build",
            "the registry's access log: that promotion cost it ",
            "/shop/cart:prod names sha256:",
            "rolled back: ",
            ", the container path ",
        ] {
            assert!(
                output.contains(needle),
                "the demo's output lacks {needle:?}:\n{output}"
            );
        }
        let pid = output
            .lines()
            .find_map(|l| l.split("✔ registry at ").nth(1))
            .and_then(|rest| rest.split("(pid ").nth(1))
            .and_then(|pid| pid.trim_end_matches(')').parse::<u32>().ok())
            .unwrap_or_else(|| panic!("no registry pid in the demo's output:\n{output}"));
        let deadline = Instant::now() + Duration::from_secs(10);
        while !gone(pid) {
            assert!(
                Instant::now() < deadline,
                "docker-registry (pid {pid}) still runs after the demo ended"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    } else {
        assert!(
            output.contains("container path skipped: ")
                && output.contains("is not installed (apt-get install docker-registry, then run"),
            "the demo does not say it skipped the container path:\n{output}"
        );
    }
    assert_eq!(
        output
            .matches("refused with exit 1, as it should be")
            .count(),
        if container { 3 } else { 2 },
        "the gates refuse a rebuilt artifact, prod before QA (and another image's digest):\n{output}"
    );

    // Every service it deployed is stopped (the trap), even the replaced ones.
    let pids: Vec<u32> = output
        .lines()
        .filter(|l| l.contains("deploy.sh: demo-service") && l.contains(" deployed to "))
        .filter_map(|l| {
            let at = l.rfind("(pid ")?;
            l[at + 5..].trim_end_matches(')').parse().ok()
        })
        .collect();
    assert!(
        pids.len() >= 5,
        "expected five deploys (dev twice, prod three times), found {pids:?}:\n{output}"
    );
    for pid in pids {
        let deadline = Instant::now() + Duration::from_secs(10);
        while !gone(pid) {
            assert!(
                Instant::now() < deadline,
                "demo-service (pid {pid}) still runs after the demo ended"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    // And its temporary folder is gone.
    let left: Vec<_> = std::fs::read_dir(&temp_root)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(left.is_empty(), "the demo left {left:?} in TMPDIR");
}
