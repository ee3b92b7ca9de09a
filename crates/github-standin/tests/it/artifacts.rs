//! The Actions artifact routes over a folder laid out as nektos/act's
//! artifact server writes it, and `github-standin serve`.

use super::{Http, REPO};
use github_standin::{Access, NewToken, Permission, StandIn};
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

/// act's id for a name: FNV-1a, 32 bits.
const ID_OF_SERVICE_TGZ: u64 = 0xf904_1233;

fn with_artifact() -> (tempfile::TempDir, StandIn) {
    let dir = tempfile::tempdir().unwrap();
    let name = "service.tgz";
    let folder = dir.path().join("101").join(name);
    std::fs::create_dir_all(&folder).unwrap();
    std::fs::write(folder.join(format!("{name}.zip")), b"PK zip bytes").unwrap();
    let gh = StandIn::builder().artifacts_dir(dir.path()).start();
    (dir, gh)
}

#[test]
fn a_runs_artifacts_are_listed_with_the_documented_shape() {
    let (_dir, gh) = with_artifact();
    let http = Http::new(&gh);
    let a = http.get(&format!("{REPO}/actions/runs/101/artifacts"));
    assert_eq!(a.status, 200, "{}", a.text);
    assert_eq!(a.body["total_count"], 1);
    let art = &a.body["artifacts"][0];
    assert_eq!(art["name"], "service.tgz");
    assert_eq!(art["id"], ID_OF_SERVICE_TGZ);
    assert_eq!(art["size_in_bytes"], 12);
    assert_eq!(art["expired"], false);
    assert_eq!(art["workflow_run"]["id"], 101);
    assert!(
        art["archive_download_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/actions/artifacts/{ID_OF_SERVICE_TGZ}/zip"))
    );
    assert!(art["digest"].as_str().unwrap().starts_with("sha256:"));
    let none = http.get(&format!("{REPO}/actions/runs/102/artifacts"));
    assert_eq!(none.body["total_count"], 0);
    let one = http.get(&format!("{REPO}/actions/artifacts/{ID_OF_SERVICE_TGZ}"));
    assert_eq!(one.body["name"], "service.tgz");
    assert_eq!(http.get(&format!("{REPO}/actions/artifacts/7")).status, 404);
}

#[test]
fn the_zip_is_a_redirect_to_its_bytes_and_gone_once_expired() {
    let (_dir, gh) = with_artifact();
    let http = Http::new(&gh);
    let zip = format!("{REPO}/actions/artifacts/{ID_OF_SERVICE_TGZ}/zip");
    let a = http.get(&zip); // reqwest follows the 302
    assert_eq!(a.status, 200);
    assert_eq!(a.text, "PK zip bytes");
    assert!(gh.expire_artifact(ID_OF_SERVICE_TGZ));
    let a = http.get(&zip);
    assert_eq!(a.status, 410, "{}", a.text);
    assert_eq!(a.body["message"], "Artifact has expired");
    let listed = http.get(&format!("{REPO}/actions/runs/101/artifacts"));
    assert_eq!(listed.body["artifacts"][0]["expired"], true);
    assert!(!gh.expire_artifact(42), "no artifact 42 is stored");
}

#[test]
fn artifacts_need_actions_read() {
    let (_dir, gh) = with_artifact();
    let token = gh.add_token(NewToken::none().permission(Permission::Contents, Access::Read));
    let http = Http::new(&gh);
    let a = http
        .send_as(
            Some(&token),
            "GET",
            &format!("{REPO}/actions/runs/101/artifacts"),
            None,
        )
        .unwrap();
    assert_eq!(a.status, 403, "{}", a.text);
    assert_eq!(
        a.header("x-accepted-github-permissions"),
        Some("actions=read")
    );
}

#[test]
fn serve_prints_its_address_and_answers() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_github-standin"))
        .args(["serve", "--repository", "o/r", "--artifacts-dir"])
        .arg(dir.path())
        .env("GITHUB_STANDIN_TOKEN", "ghs_serve_test")
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim()
        .strip_prefix("GITHUB_API_URL=")
        .unwrap_or_else(|| panic!("{line}"))
        .to_owned();
    let answer = std::process::Command::new("curl")
        .args(["-sS", "-H", "Authorization: Bearer ghs_serve_test"])
        .arg(format!("{url}/repos/o/r/actions/runs/1/artifacts"))
        .output();
    child.kill().unwrap();
    let _ = child.wait();
    let body = String::from_utf8(answer.unwrap().stdout).unwrap();
    assert_eq!(body, r#"{"artifacts":[],"total_count":0}"#);
}

#[test]
fn serve_refuses_a_bad_repository() {
    let out = Command::new(env!("CARGO_BIN_EXE_github-standin"))
        .args(["serve", "--repository", "nope", "--token", "t"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("'nope' is not OWNER/NAME"));
}

#[test]
fn serve_seeds_from_stdin_and_exits_when_it_closes() {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_github-standin"))
        .args(["serve", "--seed-stdin", "--repository", "o/r"])
        .env("GITHUB_STANDIN_TOKEN", "ghs_seed_test")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut line = || {
        let mut l = String::new();
        out.read_line(&mut l).unwrap();
        l.trim().to_owned()
    };
    let url = line().strip_prefix("GITHUB_API_URL=").unwrap().to_owned();
    assert!(line().starts_with("GITHUB_GRAPHQL_URL="));
    let sha = "a".repeat(40);
    let seeds = [
        format!(r#"{{"commit": {{"sha": "{sha}", "message": "feat: seeded", "parents": []}}}}"#),
        format!(r#"{{"pull": {{"number": 7, "title": "feat: a PR", "head": "{sha}"}}}}"#),
        r#"{"commit": {"sha": "nope", "message": "m", "parents": []}}"#.to_owned(),
        r#"{"expire_artifact": {"id": 1}}"#.to_owned(),
        r#"{"branch": {}}"#.to_owned(),
    ];
    let mut answers = Vec::new();
    for s in &seeds {
        writeln!(stdin, "{s}").unwrap();
        answers.push(line());
    }
    assert_eq!(answers[..2], ["ok", "ok"]);
    assert_eq!(
        answers[2],
        "error: 'nope' is not a commit id (40 hex digits)"
    );
    assert_eq!(answers[3], "error: no stored artifact 1");
    assert!(
        answers[4].starts_with("error: '{\"branch\": {}}': unknown variant `branch`"),
        "{}",
        answers[4]
    );
    let get = |route: &str| {
        let out = Command::new("curl")
            .args(["-sS", "-H", "Authorization: Bearer ghs_seed_test"])
            .arg(format!("{url}/repos/o/r/{route}"))
            .output()
            .unwrap();
        serde_json::from_slice::<serde_json::Value>(&out.stdout).unwrap()
    };
    assert_eq!(
        get(&format!("git/commits/{sha}"))["message"],
        "feat: seeded"
    );
    assert_eq!(get("pulls/7")["head"]["sha"], sha.as_str());
    drop(stdin);
    assert!(
        child.wait().unwrap().success(),
        "it exits when stdin closes"
    );
}
