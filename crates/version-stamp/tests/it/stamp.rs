//! Stamping: the commit, the time (always UTC), tags, the artifact name, the
//! runner's files and `--json`.

use crate::util::{OUTPUTS, Repo, Sandbox, texts};
use jiff::Timestamp;

const DATE: &str = "2025-01-20T16:30:22+02:00";

#[test]
fn defaults_to_git_head_and_now_in_utc() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let sha = repo.commit("feat: first", DATE);
    let before = Timestamp::now().as_second();
    let out = sb.cmd(&repo.dir).output().unwrap();
    let after = Timestamp::now().as_second();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");

    let o = sb.outputs();
    let ts: Timestamp = o["timestamp"].parse().unwrap();
    assert!(o["timestamp"].ends_with('Z'), "{}", o["timestamp"]);
    assert!((before..=after).contains(&ts.as_second()), "{ts}");
    let utc = ts.to_zoned(jiff::tz::TimeZone::UTC);
    let version = format!("{}-{}", &sha[..8], utc.strftime("%Y%m%d-%H%M%S"));
    assert_eq!(stdout, format!("{version}\n"));
    assert_eq!(o["version"], version);
    assert_eq!(o["sha"], sha);
    assert_eq!(o["short-sha"], &sha[..8]);
    assert_eq!(o["build-tag"], format!("build-{version}"));
    assert_eq!(o["qa-tag"], format!("qa-{version}"));
    assert_eq!(o["prod-tag"], format!("prod-{version}"));
    assert_eq!(o["artifact-name"], "");
    assert_eq!(o["truncated"], "false");
    for key in OUTPUTS {
        assert!(o.contains_key(key), "missing output {key}");
    }
    assert_eq!(o.len(), OUTPUTS.len() + 1, "{o:?}");
    assert!(
        stderr.contains(&format!("version-stamp: {version}")),
        "{stderr}"
    );
    assert!(stderr.contains("from git HEAD"), "{stderr}");
}

#[test]
fn commit_time_is_the_committer_time_in_utc_whatever_tz_says() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    repo.commit("chore: older", "2024-06-01T00:00:00Z");
    let sha = repo.commit("feat: stamp me", DATE);
    let expected = format!("{}-20250120-143022", &sha[..8]);
    for tz in ["Pacific/Kiritimati", "America/St_Johns", "UTC"] {
        let out = sb
            .cmd(&repo.dir)
            .env("TZ", tz)
            .args(["--time", "commit"])
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{stderr}");
        assert_eq!(stdout, format!("{expected}\n"), "TZ={tz}");
    }
    let o = sb.outputs();
    assert_eq!(o["version"], expected);
    assert_eq!(o["timestamp"], "2025-01-20T14:30:22Z");
}

#[test]
fn given_times_are_converted_to_utc() {
    let sb = Sandbox::new();
    let sha = "84fb5881aaaabbbbccccddddeeeeffff00001111";
    for (time, version) in [
        ("2025-01-20T16:30:22+02:00", "84fb5881-20250120-143022"),
        ("2025-01-20T14:30:22Z", "84fb5881-20250120-143022"),
        ("2025-01-20T14:30:22.999Z", "84fb5881-20250120-143022"),
        ("2024-12-31T23:30:00-01:00", "84fb5881-20250101-003000"),
        ("2024-02-29T12:00:00+14:00", "84fb5881-20240228-220000"),
    ] {
        let out = sb
            .cmd(&sb.work())
            .args(["--sha", sha, "--time", time])
            .output()
            .unwrap();
        let (stdout, stderr) = texts(&out);
        assert!(out.status.success(), "{time}: {stderr}");
        assert_eq!(stdout.trim(), version, "{time}");
    }
}

#[test]
fn a_full_sha_needs_no_git() {
    let sb = Sandbox::new();
    let sha = "84fb5881aaaabbbbccccddddeeeeffff00001111";
    let out = sb
        .cmd(&sb.work())
        .env("PATH", sb.path("empty-bin"))
        .args(["--sha", sha, "--time", "2025-01-20T14:30:22Z"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, "84fb5881-20250120-143022\n");
    // SHA-256 repositories: 64 hex digits are a full sha too.
    let sha256 = "a".repeat(64);
    let out = sb
        .cmd(&sb.work())
        .env("PATH", sb.path("empty-bin"))
        .args(["--sha", &sha256, "--time", "2025-01-20T14:30:22Z"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(sb.outputs()["sha"], sha256);
}

#[test]
fn a_short_sha_is_resolved_with_git() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let sha = repo.commit("fix: bug", DATE);
    repo.commit("feat: later", "2025-02-01T00:00:00Z");
    let short = sha[..7].to_ascii_uppercase();
    let out = sb
        .cmd(&repo.dir)
        .args(["--sha", &short, "--time", "commit"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(stdout, format!("{}-20250120-143022\n", &sha[..8]));
    let o = sb.outputs();
    assert_eq!(o["sha"], sha);
    assert!(stderr.contains("from --sha"), "{stderr}");
}

#[test]
fn sha_length_service_tags_and_artifact_name() {
    let sb = Sandbox::new();
    let sha = "84fb5881aaaabbbbccccddddeeeeffff00001111";
    let out = sb
        .cmd(&sb.work())
        .args([
            "--sha",
            sha,
            "--time",
            "2025-01-20T14:30:22Z",
            "--sha-length",
            "12",
            "--service",
            "shop",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", texts(&out).1);
    let o = sb.outputs();
    let v = "84fb5881aaaa-20250120-143022";
    assert_eq!(o["version"], v);
    assert_eq!(o["short-sha"], "84fb5881aaaa");
    assert_eq!(o["build-tag"], format!("shop/build-{v}"));
    assert_eq!(o["qa-tag"], format!("shop/qa-{v}"));
    assert_eq!(o["prod-tag"], format!("shop/prod-{v}"));
    assert_eq!(o["artifact-name"], format!("service-shop-{v}.tar.gz"));
    let summary = sb.summary();
    for needle in [
        "### version-stamp: `84fb5881aaaa-20250120-143022`",
        "| version | `84fb5881aaaa-20250120-143022` |",
        "| commit | `84fb5881aaaabbbbccccddddeeeeffff00001111` (--sha) |",
        "| time | 2025-01-20T14:30:22Z (--time) |",
        "`shop/build-84fb5881aaaa-20250120-143022`",
        "`shop/prod-84fb5881aaaa-20250120-143022`",
        "| artifact | `service-shop-84fb5881aaaa-20250120-143022.tar.gz` |",
    ] {
        assert!(summary.contains(needle), "{needle}\n{summary}");
    }
}

#[test]
fn format_placeholders_run_and_branch() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let sha = repo.commit("feat: x", DATE);
    let short = &sha[..8];
    // {branch} from GITHUB_REF_NAME, made safe; {run} from GITHUB_RUN_NUMBER.
    let out = sb
        .cmd(&repo.dir)
        .env("GITHUB_RUN_NUMBER", "42")
        .env("GITHUB_REF_NAME", "feature/Login page!")
        .args(["--format", "{branch}.{run}-{sha}-{date}T{time}"])
        .args(["--time", "commit"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    assert_eq!(
        stdout.trim(),
        format!("feature-Login-page.42-{short}-20250120T143022")
    );
    // A custom format that tag-gate cannot read is warned about.
    assert!(stderr.contains("not in the default form"), "{stderr}");
    // Without GITHUB_REF_NAME, git's current branch.
    let out = sb
        .cmd(&repo.dir)
        .args(["--format", "{branch}-{sha}"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", texts(&out).1);
    assert_eq!(texts(&out).0.trim(), format!("main-{short}"));
}

#[test]
fn json_is_one_object_with_every_output() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let sha = repo.commit("feat: x", DATE);
    let out = sb
        .cmd(&repo.dir)
        .args(["--json", "--time", "commit", "--service", "shop"])
        .output()
        .unwrap();
    let (stdout, stderr) = texts(&out);
    assert!(out.status.success(), "{stderr}");
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    let version = format!("{}-20250120-143022", &sha[..8]);
    assert_eq!(
        v,
        serde_json::json!({
            "schema": 1,
            "version": version,
            "sha": sha,
            "short-sha": &sha[..8],
            "timestamp": "2025-01-20T14:30:22Z",
            "build-tag": format!("shop/build-{version}"),
            "qa-tag": format!("shop/qa-{version}"),
            "prod-tag": format!("shop/prod-{version}"),
            "artifact-name": format!("service-shop-{version}.tar.gz"),
            "image-tag": version,
        })
    );
    // Without --service, artifact-name is null (and empty in GITHUB_OUTPUT).
    let out = sb.cmd(&repo.dir).arg("--json").output().unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(v["artifact-name"].is_null());
    assert_eq!(v.as_object().unwrap().len(), 10);
    assert!(texts(&out).1.contains("version-stamp: "));
}

#[test]
fn without_the_runner_nothing_is_written() {
    let sb = Sandbox::new();
    let out = sb
        .cmd(&sb.work())
        .env_remove("GITHUB_OUTPUT")
        .env_remove("GITHUB_STEP_SUMMARY")
        .args(["--sha", &"b".repeat(40), "--time", "2025-01-20T14:30:22Z"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert_eq!(texts(&out).0, "bbbbbbbb-20250120-143022\n");
    assert!(!sb.output_file().exists());
    assert!(!sb.summary_file().exists());
}

#[test]
fn image_tag_is_the_version_or_a_template() {
    let sb = Sandbox::new();
    let repo = Repo::new(&sb, "repo");
    let sha = repo.commit("feat: x", DATE);
    let version = format!("{}-20250120-143022", &sha[..8]);
    let json = |args: &[&str]| {
        let out = sb
            .cmd(&repo.dir)
            .args(["--time", "commit", "--json"])
            .args(args)
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            texts(&out).1,
        )
    };
    let (code, stdout, _) = json(&[]);
    assert_eq!(code, Some(0));
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["image-tag"], version);
    let (_, stdout, _) = json(&["--image-tag", "v-{short-sha}"]);
    let v: serde_json::Value = serde_json::from_str(&stdout).unwrap();
    assert_eq!(v["image-tag"], format!("v-{}", &sha[..8]));
    let (code, _, stderr) = json(&["--image-tag=-{version}"]);
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains("is not an image tag") && stderr.contains("-{version}"),
        "{stderr}"
    );
}
