//! Tests of stamping: the inputs' parsers and [`super::stamp`] against a
//! scripted git.

use super::*;
use crate::inputs::*;
use std::cell::RefCell;

const FULL: &str = "84fb5881aaaabbbbccccddddeeeeffff00001111";

/// A git that answers from fixed values and records what it was asked.
#[derive(Default)]
struct FakeGit {
    head: Option<String>,
    branch: Option<String>,
    committed: Option<Timestamp>,
    asked: RefCell<Vec<String>>,
}

fn no_git(purpose: &'static str) -> GitError {
    GitError::NotFound { purpose }
}

impl Git for FakeGit {
    fn head(&self) -> Result<String, GitError> {
        self.asked.borrow_mut().push("head".into());
        self.head.clone().ok_or(no_git("head"))
    }
    fn resolve_commit(&self, rev: &str) -> Result<String, GitError> {
        self.asked.borrow_mut().push(format!("resolve {rev}"));
        if FULL.starts_with(rev) {
            Ok(FULL.into())
        } else {
            Err(GitError::Failed {
                purpose: "resolve",
                args: format!("rev-parse --verify {rev}^{{commit}}"),
                status: "exit 128".into(),
                stderr: "fatal: Needed a single revision".into(),
            })
        }
    }
    fn committer_time(&self, sha: &str) -> Result<Timestamp, GitError> {
        self.asked.borrow_mut().push(format!("time {sha}"));
        self.committed.ok_or(no_git("time"))
    }
    fn current_branch(&self) -> Result<String, GitError> {
        self.asked.borrow_mut().push("branch".into());
        self.branch.clone().ok_or(no_git("branch"))
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn inputs() -> Inputs {
    Inputs::new(ts("2025-01-20T14:30:22.75Z"))
}

#[test]
fn stamps_github_sha_at_now() {
    let mut i = inputs();
    i.github.sha = Some(FULL.into());
    let git = FakeGit::default();
    let s = stamp(&i, &git).unwrap();
    assert_eq!(s.version, "84fb5881-20250120-143022");
    assert_eq!(s.sha, FULL);
    assert_eq!(s.short_sha, "84fb5881");
    assert_eq!(s.timestamp, ts("2025-01-20T14:30:22Z"));
    assert_eq!(s.build_tag, "build-84fb5881-20250120-143022");
    assert_eq!(s.qa_tag, "qa-84fb5881-20250120-143022");
    assert_eq!(s.prod_tag, "prod-84fb5881-20250120-143022");
    assert_eq!(s.artifact_name, None);
    assert_eq!(s.image_tag, "84fb5881-20250120-143022");
    assert_eq!(s.sha_source, ShaSource::GithubSha);
    assert!(s.build_version.is_some());
    assert!(git.asked.borrow().is_empty(), "a full sha needs no git");
    let out = s.outputs();
    let keys: Vec<_> = out.iter().map(|(k, _)| k).collect();
    assert_eq!(
        keys,
        [
            "version",
            "sha",
            "short-sha",
            "timestamp",
            "build-tag",
            "qa-tag",
            "prod-tag",
            "artifact-name",
            "image-tag"
        ]
    );
    assert_eq!(out.get_text("timestamp").unwrap(), "2025-01-20T14:30:22Z");
    assert_eq!(out.get_text("artifact-name").unwrap(), "");
}

#[test]
fn falls_back_to_git_head_and_resolves_short_shas() {
    let git = FakeGit {
        head: Some(FULL.into()),
        ..Default::default()
    };
    let s = stamp(&inputs(), &git).unwrap();
    assert_eq!(s.sha_source, ShaSource::GitHead);
    let mut i = inputs();
    i.sha = Some("84FB58".parse().unwrap());
    let s = stamp(&i, &git).unwrap();
    assert_eq!(s.sha, FULL);
    assert_eq!(s.sha_source, ShaSource::Flag);
    assert_eq!(git.asked.borrow().as_slice(), ["head", "resolve 84fb58"]);
    i.sha = Some("deadbeef".parse().unwrap());
    let e = stamp(&i, &git).unwrap_err();
    assert_eq!(gha::Classify::class(&e), gha::ErrorClass::Environment);
    assert!(gha::Classify::hint(&e).unwrap().contains("fetch-depth: 0"));
}

#[test]
fn pull_requests_use_the_head_not_the_merge_commit() {
    let mut i = inputs();
    i.github.event_name = Some("pull_request_target".into());
    i.github.sha = Some("1".repeat(40));
    i.github.event = EventPayload::Read {
        path: "/e.json".into(),
        json: format!(
            r#"{{"action":"opened","pull_request":{{"number":1,"head":{{"sha":"{FULL}","ref":"x"}}}}}}"#
        ),
    };
    let s = stamp(&i, &FakeGit::default()).unwrap();
    assert_eq!(s.sha, FULL);
    assert_eq!(s.sha_source, ShaSource::PullRequestHead);

    i.github.event = EventPayload::Read {
        path: "/e.json".into(),
        json: "{}".into(),
    };
    let e = stamp(&i, &FakeGit::default()).unwrap_err();
    assert!(e.to_string().contains("no pull_request.head.sha"), "{e}");
    assert_eq!(gha::Classify::class(&e), gha::ErrorClass::Environment);
    i.github.event = EventPayload::None;
    assert!(stamp(&i, &FakeGit::default()).is_err());
    i.github.event = EventPayload::Unreadable {
        path: "/e.json".into(),
        error: "denied".into(),
    };
    let e = stamp(&i, &FakeGit::default()).unwrap_err();
    assert!(e.to_string().contains("cannot be read: denied"), "{e}");
    // --sha wins over the event.
    i.sha = Some("2".repeat(40).parse().unwrap());
    assert_eq!(stamp(&i, &FakeGit::default()).unwrap().sha, "2".repeat(40));
}

#[test]
fn workflow_runs_use_their_head_sha() {
    let mut i = inputs();
    i.github.event_name = Some("workflow_run".into());
    i.github.event = EventPayload::Read {
        path: "/e.json".into(),
        json: format!(r#"{{"workflow_run":{{"head_sha":"{FULL}"}}}}"#),
    };
    let s = stamp(&i, &FakeGit::default()).unwrap();
    assert_eq!(s.sha_source, ShaSource::WorkflowRunHead);
    i.github.event = EventPayload::Read {
        path: "/e.json".into(),
        json: r#"{"workflow_run":{"head_sha":"$(id)"}}"#.into(),
    };
    let e = stamp(&i, &FakeGit::default()).unwrap_err();
    assert!(
        e.to_string().contains("workflow_run.head_sha '$(id)'"),
        "{e}"
    );
    i.github.event = EventPayload::Read {
        path: "/e.json".into(),
        json: "not json".into(),
    };
    assert!(
        stamp(&i, &FakeGit::default())
            .unwrap_err()
            .to_string()
            .contains("not the JSON expected")
    );
}

#[test]
fn other_events_use_github_sha() {
    assert!(needs_event_payload(Some("pull_request"), false));
    assert!(needs_event_payload(Some("workflow_run"), false));
    assert!(!needs_event_payload(Some("workflow_run"), true));
    assert!(!needs_event_payload(Some("push"), false));
    assert!(!needs_event_payload(None, false));
    let mut i = inputs();
    i.github.event_name = Some("push".into());
    i.github.sha = Some(FULL.into());
    assert_eq!(
        stamp(&i, &FakeGit::default()).unwrap().sha_source,
        ShaSource::GithubSha
    );
    i.github.sha = Some("not-a-sha".into());
    let e = stamp(&i, &FakeGit::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "the sha from GITHUB_SHA 'not-a-sha' is not a commit sha: expected 4 to 64 hex digits, such as 84fb5881 or the full 40"
    );
}

#[test]
fn commit_time_and_given_times_are_utc() {
    let git = FakeGit {
        committed: Some(ts("2025-01-20T16:30:22+02:00")),
        ..Default::default()
    };
    let mut i = inputs();
    i.sha = Some(FULL.parse().unwrap());
    i.time = TimeSpec::Commit;
    assert_eq!(stamp(&i, &git).unwrap().version, "84fb5881-20250120-143022");
    i.time = "2024-12-31T23:59:59.999-01:00".parse().unwrap();
    let s = stamp(&i, &git).unwrap();
    assert_eq!(s.version, "84fb5881-20250101-005959");
    assert_eq!(
        s.outputs().get_text("timestamp").unwrap(),
        "2025-01-01T00:59:59Z"
    );
}

#[test]
fn times_are_parsed_strictly() {
    assert_eq!(" now ".parse::<TimeSpec>(), Ok(TimeSpec::Now));
    assert_eq!("Commit".parse::<TimeSpec>(), Ok(TimeSpec::Commit));
    for (bad, needle) in [
        ("", "empty time"),
        ("yesterday", "is not a time"),
        ("2025-01-20T14:30:22", "offset"),
        ("2025-13-20T14:30:22Z", "is not a time"),
        ("2025-02-30T14:30:22Z", "is not a time"),
        ("2025-01-20T14:60:22Z", "is not a time"),
        ("2025-01-20T24:00:00Z", "is not a time"),
        ("2025-01-20T23:59:60Z", "leap second"),
        ("20250120T235960Z", "leap second"),
    ] {
        let e = bad.parse::<TimeSpec>().unwrap_err();
        assert!(e.contains(needle), "{bad}: {e}");
        assert!(e.contains("2025-01-20T14:30:22Z"), "{e}");
    }
}

#[test]
fn shas_lengths_and_services_are_validated() {
    assert_eq!(" ABCDEF12 ".parse::<Sha>().unwrap().as_str(), "abcdef12");
    for bad in [
        "",
        "$(id)",
        "84fb;5881",
        "84f",
        &"a".repeat(65),
        "84fb 5881",
        "HEAD",
    ] {
        assert!(bad.parse::<Sha>().is_err(), "{bad}");
    }
    assert!("a".repeat(64).parse::<Sha>().unwrap().is_full());
    assert!(!"a".repeat(39).parse::<Sha>().unwrap().is_full());
    assert_eq!(sha_length(" 12 "), Ok(12));
    for bad in ["6", "41", "x", "-8", ""] {
        assert!(
            sha_length(bad).unwrap_err().contains("from 7 to 40"),
            "{bad}"
        );
    }
    assert_eq!(service(" shop "), Ok("shop".into()));
    for bad in ["shop/eu", "a..b", "$(id)", "", ".x", "a b"] {
        assert!(service(bad).unwrap_err().contains("service name"), "{bad}");
    }
}

#[test]
fn services_prefix_tags_and_name_the_artifact() {
    let mut i = inputs();
    i.sha = Some(FULL.parse().unwrap());
    i.service = Some("shop".into());
    i.sha_length = 12;
    let s = stamp(&i, &FakeGit::default()).unwrap();
    assert_eq!(s.version, "84fb5881aaaa-20250120-143022");
    assert_eq!(s.build_tag, "shop/build-84fb5881aaaa-20250120-143022");
    assert_eq!(s.qa_tag, "shop/qa-84fb5881aaaa-20250120-143022");
    assert_eq!(s.prod_tag, "shop/prod-84fb5881aaaa-20250120-143022");
    assert_eq!(
        s.artifact_name.as_deref(),
        Some("service-shop-84fb5881aaaa-20250120-143022.tar.gz")
    );
    assert!(s.summary().as_str().contains("service-shop-84fb5881aaaa"));
}

#[test]
fn run_and_branch_placeholders() {
    let git = FakeGit {
        branch: Some("feature/login".into()),
        ..Default::default()
    };
    let mut i = inputs();
    i.sha = Some(FULL.parse().unwrap());
    i.format = "{branch}.{run}-{sha}".parse().unwrap();
    let e = stamp(&i, &git).unwrap_err();
    assert!(matches!(e, Error::NoRunNumber { .. }));
    assert_eq!(gha::Classify::class(&e), gha::ErrorClass::Input);
    i.github.run_number = Some("17".into());
    let s = stamp(&i, &git).unwrap();
    assert_eq!(s.version, "feature-login.17-84fb5881");
    assert!(s.build_version.is_none());
    i.github.ref_name = Some("release/1.2".into());
    assert_eq!(stamp(&i, &git).unwrap().version, "release-1.2.17-84fb5881");
    i.github.head_ref = Some("dependabot/cargo/x".into());
    // head_ref counts on pull requests only.
    assert_eq!(stamp(&i, &git).unwrap().version, "release-1.2.17-84fb5881");
    i.github.event_name = Some("pull_request".into());
    i.github.event = EventPayload::Read {
        path: "/e".into(),
        json: format!(r#"{{"pull_request":{{"head":{{"sha":"{FULL}"}}}}}}"#),
    };
    i.sha = None;
    assert_eq!(
        stamp(&i, &git).unwrap().version,
        "dependabot-cargo-x.17-84fb5881"
    );
    i.github.run_number = Some("1;id".into());
    assert!(matches!(
        stamp(&i, &git).unwrap_err(),
        Error::BadRunNumber { .. }
    ));
}

#[test]
fn results_that_are_not_tag_names_are_refused() {
    let git = FakeGit {
        branch: Some("x.".into()),
        ..Default::default()
    };
    let mut i = inputs();
    i.sha = Some(FULL.parse().unwrap());
    i.format = "{sha}.".parse().unwrap();
    let e = stamp(&i, &git).unwrap_err();
    assert!(matches!(e, Error::InvalidVersion { .. }), "{e}");
    assert_eq!(
        e.to_string(),
        "--format '{sha}.' gives '84fb5881.', which is not a valid version: '84fb5881.' ends with '.', which git refuses in a ref name"
    );
    i.format = "{sha}..{date}".parse().unwrap();
    assert!(stamp(&i, &git).unwrap_err().to_string().contains("'..'"));
    i.format = "x.lock".parse().unwrap();
    assert!(stamp(&i, &git).unwrap_err().to_string().contains(".lock"));
    i.format = "-{sha}".parse().unwrap();
    // `build--84fb5881` is a fine tag, but the version itself starts with '-'.
    assert!(matches!(
        stamp(&i, &git).unwrap_err(),
        Error::InvalidVersion { .. }
    ));
    i.format = format!("{}{{sha}}", "a".repeat(195)).parse().unwrap();
    assert!(matches!(
        stamp(&i, &git).unwrap_err(),
        Error::InvalidVersion { .. }
    ));
    i.format = format!("{}{{sha}}", "a".repeat(188)).parse().unwrap();
    // The version fits; `build-` + version does not.
    assert!(matches!(
        stamp(&i, &git).unwrap_err(),
        Error::InvalidTag { stage: "build", .. }
    ));
}

#[test]
fn parse_outputs_name_the_parts() {
    let v = BuildVersion::parse(" 84fb5881-20250120-143022\n").unwrap();
    let o = parse_outputs(&v);
    assert_eq!(o.get_text("version").unwrap(), "84fb5881-20250120-143022");
    assert_eq!(o.get_text("short-sha").unwrap(), "84fb5881");
    assert_eq!(o.get_text("timestamp").unwrap(), "2025-01-20T14:30:22Z");
}
