//! deploy.sh: start, replace, status, stop, and its failures.

use crate::support::{BIN, scrubbed};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::time::Duration;

fn script() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("deploy.sh")
}

struct Deployer {
    state: tempfile::TempDir,
    bin: String,
}

struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Deployer {
    fn new() -> Self {
        Self {
            state: tempfile::tempdir().unwrap(),
            bin: BIN.to_owned(),
        }
    }

    fn run(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let out = scrubbed("bash")
            .arg(script())
            .args(args)
            .env("DEMO_STATE_DIR", self.state.path())
            .env("DEMO_BIN", &self.bin)
            .envs(env.iter().copied())
            .output()
            .unwrap();
        Run {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }

    fn pid(&self, env: &str) -> Option<u32> {
        std::fs::read_to_string(self.state.path().join(format!("{env}.pid")))
            .ok()
            .map(|s| s.trim().parse().unwrap())
    }
}

impl Drop for Deployer {
    fn drop(&mut self) {
        for env in ["dev", "qa", "prod"] {
            let _ = self.run(&["stop", env], &[]);
        }
    }
}

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn alive(pid: u32) -> bool {
    // A zombie still has /proc/<pid>; its state letter says Z.
    std::fs::read_to_string(format!("/proc/{pid}/stat"))
        .map(|s| {
            !s.rsplit(')')
                .next()
                .unwrap_or("")
                .trim_start()
                .starts_with('Z')
        })
        .unwrap_or(false)
}

fn get(port: u16, path: &str) -> (u16, serde_json::Value) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    s.read_to_string(&mut text).unwrap();
    let status = text[9..12].parse().unwrap();
    let body = text.split_once("\r\n\r\n").unwrap().1;
    (status, serde_json::from_str(body).unwrap())
}

#[test]
fn start_status_replace_stop() {
    let d = Deployer::new();
    let port = free_port();
    let out_file = d.state.path().join("github_output");
    let out_path = out_file.to_str().unwrap();
    let r = d.run(
        &["start", "dev", "v1", &port.to_string()],
        &[("GITHUB_OUTPUT", out_path)],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert_eq!(r.stdout.trim(), format!("http://127.0.0.1:{port}"));
    assert!(r.stderr.contains("deployed to dev"), "{}", r.stderr);
    let first = d.pid("dev").unwrap();
    assert!(alive(first));
    assert_eq!(
        get(port, "/health"),
        (200, serde_json::json!({"status": "ok", "version": "v1"}))
    );
    let outputs = std::fs::read_to_string(&out_file).unwrap();
    assert!(
        outputs.contains(&format!("url=http://127.0.0.1:{port}\n")),
        "{outputs}"
    );
    assert!(outputs.contains(&format!("pid={first}\n")), "{outputs}");
    assert!(outputs.contains("version=v1\n"), "{outputs}");

    let s = d.run(&["status", "dev"], &[]);
    assert_eq!(s.code, 0);
    assert!(s.stdout.contains("running version v1"), "{}", s.stdout);

    // Deploying again replaces the instance.
    let r = d.run(&["start", "dev", "v2", &port.to_string()], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(r.stderr.contains("replacing"), "{}", r.stderr);
    let second = d.pid("dev").unwrap();
    assert_ne!(first, second);
    assert!(!alive(first));
    assert_eq!(get(port, "/version").1["version"], "v2");

    let r = d.run(&["stop", "dev"], &[]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(!alive(second));
    assert!(d.pid("dev").is_none());
    let s = d.run(&["status", "dev"], &[]);
    assert_eq!(s.code, 1);
    assert!(s.stdout.contains("not running"));
    let again = d.run(&["stop", "dev"], &[]);
    assert_eq!(again.code, 0);
    assert!(again.stderr.contains("not running"));
}

#[test]
fn environments_are_independent_and_settings_pass_through() {
    let d = Deployer::new();
    let (p1, p2) = (free_port(), free_port());
    assert_eq!(
        d.run(&["start", "qa", "1.0.0", &p1.to_string()], &[]).code,
        0
    );
    let bad = d.run(
        &["start", "prod", "1.0.1", &p2.to_string()],
        &[("DEMO_UNHEALTHY", "1")],
    );
    assert_eq!(bad.code, 0, "{}", bad.stderr);
    assert_eq!(get(p1, "/health").0, 200);
    assert_eq!(
        get(p2, "/health").1,
        serde_json::json!({"status": "unhealthy", "version": "1.0.1"})
    );
    assert_eq!(d.run(&["stop", "prod"], &[]).code, 0);
    assert_eq!(d.run(&["status", "qa"], &[]).code, 0);
}

#[test]
fn bad_arguments_exit_2() {
    let d = Deployer::new();
    let cases: &[(&[&str], &str)] = &[
        (&[], "usage:"),
        (&["start", "dev", "v1"], "usage:"),
        (
            &["start", "Dev!", "v1", "8080"],
            "invalid environment 'Dev!'",
        ),
        (&["start", "dev", "v 1", "8080"], "invalid version 'v 1'"),
        (&["start", "dev", "v1", "0"], "invalid port '0'"),
        (&["start", "dev", "v1", "70000"], "invalid port '70000'"),
        (&["restart", "dev"], "unknown command 'restart'"),
    ];
    for (args, needle) in cases {
        let r = d.run(args, &[]);
        assert_eq!(r.code, 2, "{args:?}: {}", r.stderr);
        assert!(r.stderr.contains(needle), "{args:?}: {}", r.stderr);
    }
    assert_eq!(d.run(&["--help"], &[]).code, 0);
}

#[test]
fn an_occupied_port_fails_the_deploy() {
    let d = Deployer::new();
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port();
    let r = d.run(
        &["start", "dev", "v1", &port.to_string()],
        &[("GITHUB_ACTIONS", "true")],
    );
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(r.stderr.contains("already in use"), "{}", r.stderr);
    assert!(
        r.stderr.contains("::error title=deploy.sh::port"),
        "{}",
        r.stderr
    );
    assert!(d.pid("dev").is_none());
}

#[test]
fn a_service_that_dies_at_start_fails_with_its_log() {
    let mut d = Deployer::new();
    let fake_dir = tempfile::tempdir().unwrap();
    let fake = fake_dir.path().join("demo-service");
    std::fs::write(&fake, "#!/bin/sh\necho 'boom: no config' >&2\nexit 1\n").unwrap();
    let mut perms = std::fs::metadata(&fake).unwrap().permissions();
    std::os::unix::fs::PermissionsExt::set_mode(&mut perms, 0o755);
    std::fs::set_permissions(&fake, perms).unwrap();
    d.bin = fake.to_str().unwrap().to_owned();
    let r = d.run(&["start", "dev", "v1", &free_port().to_string()], &[]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    assert!(
        r.stderr.contains("exited before it listened"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("boom: no config"), "{}", r.stderr);
}

#[test]
fn a_missing_binary_is_an_environment_failure() {
    let mut d = Deployer::new();
    d.bin = "/nonexistent/demo-service".into();
    let r = d.run(&["start", "dev", "v1", "8080"], &[]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("not an executable"), "{}", r.stderr);
    d.bin = "no-such-demo-service".into();
    let r = d.run(&["start", "dev", "v1", "8080"], &[]);
    assert_eq!(r.code, 3, "{}", r.stderr);
    assert!(r.stderr.contains("not on PATH"), "{}", r.stderr);
}
