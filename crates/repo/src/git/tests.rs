use super::events::{event_id, sequence_id, sequence_of};
use super::remote::{parse_batch, parse_ls_remote};
use super::*;
use crate::model::{DEPLOYMENT_SCHEMA, DeployStatus, Stage};
use jiff::Timestamp;
use std::path::Path;
use std::process::Command;
use std::time::Instant;

/// Runs git in `dir` with a fixed identity and fixed dates.
fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Dev")
        .env("GIT_AUTHOR_EMAIL", "dev@example.com")
        .env("GIT_COMMITTER_NAME", "Dev")
        .env("GIT_COMMITTER_EMAIL", "dev@example.com")
        .env("GIT_AUTHOR_DATE", "2025-01-20T14:30:22Z")
        .env("GIT_COMMITTER_DATE", "2025-01-20T14:30:22Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

struct Fixture {
    _tmp: tempfile::TempDir,
    remote: PathBuf,
    src: PathBuf,
    commits: Vec<String>,
}

/// A bare remote with five commits on main, and a work clone of it.
fn fixture() -> Fixture {
    let tmp = tempfile::tempdir().unwrap();
    let remote = tmp.path().join("remote.git");
    let src = tmp.path().join("src");
    git(
        tmp.path(),
        &["init", "-q", "--bare", "-b", "main", "remote.git"],
    );
    git(tmp.path(), &["init", "-q", "-b", "main", "src"]);
    let mut commits = Vec::new();
    for i in 1..=5 {
        std::fs::write(src.join(format!("f{i}")), format!("{i}\n")).unwrap();
        git(&src, &["add", "."]);
        git(&src, &["commit", "-q", "-m", &format!("c{i}")]);
        commits.push(git(&src, &["rev-parse", "HEAD"]));
    }
    git(&src, &["remote", "add", "origin", remote.to_str().unwrap()]);
    git(&src, &["push", "-q", "origin", "main"]);
    Fixture {
        _tmp: tmp,
        remote,
        src,
        commits,
    }
}

impl Fixture {
    /// A clone (`depth` commits deep, no tags) to run the store in.
    fn clone(&self, name: &str, depth: Option<u32>) -> PathBuf {
        let dir = self.remote.parent().unwrap().join(name);
        let url = format!("file://{}", self.remote.display());
        let mut args = vec!["clone", "-q", "--no-tags"];
        let d;
        if let Some(n) = depth {
            d = format!("--depth={n}");
            args.push(&d);
        }
        args.push(&url);
        args.push(name);
        git(self.remote.parent().unwrap(), &args);
        dir
    }
}

fn timestamp(s: &str) -> Timestamp {
    s.parse().unwrap()
}

fn new_tag(name: &str, commit: &str, message: &str, time: &str) -> NewTag {
    NewTag {
        name: name.into(),
        commit: CommitId::parse(commit).unwrap(),
        message: message.into(),
        time: timestamp(time),
    }
}

#[test]
fn parses_ls_remote_with_peeled_lines() {
    let a = "a".repeat(40);
    let b = "b".repeat(40);
    let c = "c".repeat(40);
    let text = format!("{a}\trefs/tags/qa-1\n{b}\trefs/tags/qa-1^{{}}\n{c}\trefs/tags/qa-light\n");
    let refs = parse_ls_remote(&text);
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[0].peeled.as_deref(), Some(b.as_str()));
    assert_eq!(refs[0].target(), b);
    assert_eq!(refs[1].peeled, None);
    assert_eq!(refs[1].target(), c);
}

#[test]
fn parses_cat_file_batch() {
    let out = b"aaa tag 5\nhello\nbbb missing\nccc commit 0\n\n";
    let objs = parse_batch(out, 3).unwrap();
    assert_eq!(objs[0].as_ref().unwrap().data, b"hello");
    assert!(objs[1].is_none());
    assert_eq!(objs[2].as_ref().unwrap().kind, "commit");
    assert!(parse_batch(b"aaa tag 50\nhello\n", 1).is_err());
    assert!(parse_batch(out, 4).is_err());
}

#[test]
fn parses_identities_and_tag_objects() {
    let (p, t) = parse_ident("Jane Doe <jane@example.com> 1737383422 +0100").unwrap();
    assert_eq!(p.name, "Jane Doe");
    assert_eq!(p.email, "jane@example.com");
    assert_eq!(t, Some(timestamp("2025-01-20T14:30:22Z")));
    let raw = parse_tag_object(
        b"object abc\ntype commit\ntag qa-x\ntagger A <a@x> 1737383422 +0000\n\nfirst\n\n{}\n",
    );
    assert_eq!(raw.tagger.unwrap().1, timestamp("2025-01-20T14:30:22Z"));
    assert_eq!(raw.message, "first\n\n{}\n");
    let raw = parse_tag_object(b"object abc\ntype commit\ntag old\n\nno tagger\n");
    assert!(raw.tagger.is_none());
    // The date alone, from the headers only.
    assert_eq!(
        tagger_date(b"object abc\ntype commit\ntag qa-x\ntagger A <a@x> 1737383422 +0000\n\ntagger B <b@x> 1 +0000\n"),
        Some(timestamp("2025-01-20T14:30:22Z"))
    );
    assert_eq!(
        tagger_date(b"object abc\ntype commit\ntag old\n\ntagger B <b@x> 1 +0000\n"),
        None
    );
}

#[test]
fn redacts_credentials_in_urls() {
    assert_eq!(
        redact_url("fatal: https://x-access-token:ghs_abc@github.com/o/r.git not found"),
        "fatal: https://***@github.com/o/r.git not found"
    );
    assert_eq!(
        redact_url("https://github.com/o/r"),
        "https://github.com/o/r"
    );
    assert_eq!(
        redact_url("git@github.com:o/r.git"),
        "git@github.com:o/r.git"
    );
}

#[test]
fn sequence_ids_sort_by_number_and_after_legacy_ids() {
    let legacy = event_id(timestamp("2999-01-20T14:30:22.5Z"), &"f".repeat(40));
    assert_eq!(legacy, "29990120T143022.500000000Z-ffffffffffff");
    let one = sequence_id(1);
    let nine = sequence_id(9);
    let ten = sequence_id(10);
    assert_eq!(one, "seq-000000000001");
    assert!(legacy < one && one < nine && nine < ten);
    assert_eq!(sequence_of(&ten), Some(10));
    assert_eq!(sequence_of(&legacy), None);
    vocab::refname::check_component(&ten).unwrap();
}

#[test]
fn excerpts_keep_the_end() {
    let text: String = (0..100).map(|i| format!("line {i}\n")).collect();
    let e = excerpt(&text);
    assert!(e.ends_with("line 99"));
    assert!(!e.contains("line 10\n"));
    assert_eq!(excerpt("  \n"), "(git printed nothing)");
}

#[test]
fn outside_a_repository() {
    let tmp = tempfile::tempdir().unwrap();
    let err = GitStore::open(tmp.path(), "origin").unwrap_err();
    assert!(matches!(err, RepoError::NotARepository { .. }), "{err:?}");
    let f = fixture();
    let err = GitStore::open(&f.src, "upstream").unwrap_err();
    match err {
        RepoError::NotFound { what, hint, .. } => {
            assert_eq!(what, "git remote");
            assert!(hint.unwrap().contains("origin"));
        }
        other => panic!("{other:?}"),
    }
    assert!(matches!(
        GitStore::open(&f.src, "--upload-pack=evil"),
        Err(RepoError::InvalidInput { .. })
    ));
}

#[test]
fn creates_reads_and_lists_tags_from_a_shallow_clone() {
    let f = fixture();
    let work = f.clone("work", Some(2));
    let store = GitStore::open(&work, "origin").unwrap();
    assert!(store.is_shallow());
    let before = git(&work, &["for-each-ref"]);
    let head = &f.commits[4];
    let old = &f.commits[0]; // not in the shallow clone

    let made = store
        .create_tag(&new_tag(
            "qa-a",
            head,
            "first\n\n{}\n",
            "2025-01-21T10:00:00Z",
        ))
        .unwrap();
    assert!(made.was_created());
    // A commit the clone lacks is fetched (depth 1) to tag it.
    let made = store
        .create_tag(&new_tag("qa-b", old, "old one\n", "2025-01-22T10:00:00Z"))
        .unwrap();
    assert!(made.was_created());
    // The clone's own history is not cut shorter, and its refs are untouched.
    assert_eq!(git(&work, &["rev-list", "--count", "HEAD"]), "2");
    assert_eq!(git(&work, &["for-each-ref"]), before);
    assert_eq!(git(&work, &["tag", "-l"]), "");

    // A second create of the same name reads back what stands.
    let again = store
        .create_tag(&new_tag("qa-a", old, "other\n", "2025-01-23T10:00:00Z"))
        .unwrap();
    let Created::AlreadyExists(existing) = again else {
        panic!("expected AlreadyExists");
    };
    assert_eq!(existing.commit.as_str(), head);
    assert_eq!(existing.annotation().unwrap().message, "first\n\n{}\n");
    assert_eq!(
        existing.tagger_date(),
        Some(timestamp("2025-01-21T10:00:00Z"))
    );

    // Tags made elsewhere: a lightweight one, a name outside the prefix.
    git(&f.src, &["tag", "qa-light", &f.commits[2]]);
    git(&f.src, &["tag", "-a", "-m", "x", "qaz-1", &f.commits[2]]);
    git(&f.src, &["push", "-q", "origin", "qa-light", "qaz-1"]);

    // A fresh shallow clone sees everything through the remote.
    let fresh = f.clone("fresh", Some(1));
    let store = GitStore::open(&fresh, "origin").unwrap();
    let mut listed = store.list_tags("qa-").unwrap();
    listed.sort_by(|a, b| a.name.cmp(&b.name));
    let names: Vec<&str> = listed.iter().map(|t| t.name.as_str()).collect();
    assert_eq!(names, ["qa-a", "qa-b", "qa-light"]);
    assert_eq!(listed[0].date, Some(timestamp("2025-01-21T10:00:00Z")));
    assert_eq!(listed[1].commit.as_str(), old);
    assert!(listed[2].is_lightweight());
    assert_eq!(listed[2].date, None);
    assert_eq!(git(&fresh, &["rev-list", "--count", "HEAD"]), "1");
    // Listing again is served from the date cache.
    let cache = std::fs::read_to_string(fresh.join(".git/shipgate/tag-dates-v1")).unwrap();
    assert_eq!(cache.lines().count(), 2);
    let mut again = store.list_tags("qa-").unwrap();
    again.sort_by(|a, b| a.name.cmp(&b.name));
    assert_eq!(again, listed);

    let read = store
        .read_tags(&["qa-b", "qa-missing", "qa-light"])
        .unwrap();
    let b = read[0].as_ref().unwrap();
    assert_eq!(b.annotation().unwrap().message, "old one\n");
    assert_eq!(b.commit.as_str(), old);
    assert!(read[1].is_none());
    assert!(read[2].as_ref().unwrap().is_lightweight());
    assert_eq!(store.read_tag("qa-nope").unwrap(), None);
    assert!(matches!(
        store.list_tags("qa-*"),
        Err(RepoError::InvalidInput { .. })
    ));
}

#[test]
fn racing_creates_end_with_one_tag() {
    let f = fixture();
    let head = f.commits[4].clone();
    let dirs: Vec<PathBuf> = (0..4).map(|i| f.clone(&format!("w{i}"), Some(1))).collect();
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(dirs.len()));
    let handles: Vec<_> = dirs
        .into_iter()
        .enumerate()
        .map(|(i, dir)| {
            let head = head.clone();
            let barrier = barrier.clone();
            std::thread::spawn(move || {
                let store = GitStore::open(&dir, "origin").unwrap();
                barrier.wait();
                store
                    .create_tag(&new_tag(
                        "prod-race",
                        &head,
                        &format!("writer {i}\n"),
                        "2025-01-21T10:00:00Z",
                    ))
                    .unwrap()
            })
        })
        .collect();
    let results: Vec<Created> = handles.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(results.iter().filter(|r| r.was_created()).count(), 1);
    let winner = results.iter().find(|r| r.was_created()).unwrap().tag();
    for r in &results {
        assert_eq!(
            r.tag().annotation().unwrap().object,
            winner.annotation().unwrap().object
        );
    }
}

#[test]
fn resolves_commits() {
    let f = fixture();
    let work = f.clone("work", Some(1));
    let store = GitStore::open(&work, "origin").unwrap();
    let head = &f.commits[4];
    assert_eq!(
        store.resolve_commit(&head[..8]).unwrap().unwrap().as_str(),
        head
    );
    // Only on the remote: fetched.
    let old = &f.commits[1];
    assert_eq!(store.resolve_commit(old).unwrap().unwrap().as_str(), old);
    assert_eq!(store.resolve_commit(&"0".repeat(40)).unwrap(), None);
    assert_eq!(store.resolve_commit("deadbeef").unwrap(), None);
    assert!(matches!(
        store.resolve_commit("HEAD"),
        Err(RepoError::InvalidInput { .. })
    ));
    assert_eq!(git(&work, &["rev-list", "--count", "HEAD"]), "1");
}

fn event(stage: &str, version: &str, status: DeployStatus, time: &str) -> DeploymentEvent {
    DeploymentEvent {
        schema: DEPLOYMENT_SCHEMA.into(),
        service: None,
        stage: Stage::parse(stage).unwrap(),
        environment: None,
        production: false,
        version: version.parse().unwrap(),
        status,
        commit: None,
        url: None,
        time: timestamp(time),
        actor: Some("octocat".into()),
        run_id: Some(7),
        run_attempt: Some(1),
        run_url: None,
        workflow: None,
        description: None,
    }
}

#[test]
fn deployment_events_append_and_list_newest_first() {
    let f = fixture();
    let work = f.clone("work", Some(1));
    let store = GitStore::open(&work, "origin").unwrap();
    let v1 = "84fb5881-20250120-143022";
    let v2 = "9a0b1c2d-20250121-090000";
    let e1 = event("qa", v1, DeployStatus::Success, "2025-01-20T15:00:00Z");
    let e2 = event("qa", v2, DeployStatus::InProgress, "2025-01-21T09:10:00Z");
    // Written last, by a writer whose clock is a day behind: still the
    // newest (the remote's order, not the clocks').
    let e3 = event("qa", v2, DeployStatus::Failure, "2025-01-19T09:20:00Z");
    let other = event("prod", v1, DeployStatus::Success, "2025-01-22T09:20:00Z");
    for e in [&e1, &e2, &other, &e3] {
        store.append_event(e).unwrap();
    }
    // The same event again is idempotent (same id).
    store.append_event(&e1).unwrap();
    let fresh = f.clone("fresh", Some(1));
    let store = GitStore::open(&fresh, "origin").unwrap();
    let qa = e1.scope();
    let all = store.list_events(&qa, None).unwrap();
    let got: Vec<(&str, DeployStatus)> = all
        .iter()
        .map(|e| (e.event.version.as_str(), e.event.status))
        .collect();
    assert_eq!(
        got,
        [
            (v2, DeployStatus::Failure),
            (v2, DeployStatus::InProgress),
            (v1, DeployStatus::Success)
        ]
    );
    assert_eq!(all[0].event, e3);
    let newest = store.list_events(&qa, Some(1)).unwrap();
    assert_eq!(newest.len(), 1);
    assert_eq!(newest[0].event, e3);
    assert_eq!(store.list_events(&other.scope(), None).unwrap().len(), 1);
    // Invisible to tags and branches.
    assert_eq!(git(&f.src, &["ls-remote", "--tags", "origin"]), "");
    let deployments = git(&f.src, &["ls-remote", "origin", "refs/shipgate/*"]);
    assert_eq!(deployments.lines().count(), 4);
}

#[test]
fn git_children_are_bounded_in_time() {
    let f = fixture();
    let work = f.clone("work", Some(1));
    let slow = f.remote.parent().unwrap().join("slow-git");
    std::fs::write(&slow, "#!/bin/sh\nsleep 30\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&slow, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let store = GitStore::open_with(
        &work,
        "origin",
        Timeouts {
            network: Duration::from_millis(300),
            local: Duration::from_millis(300),
        },
    )
    .unwrap()
    .with_git(&slow);
    let started = Instant::now();
    let err = store.list_tags("qa-").unwrap_err();
    assert!(matches!(err, RepoError::GitTimeout { .. }), "{err:?}");
    assert!(started.elapsed() < Duration::from_secs(20));
    assert_eq!(vocab::Classify::class(&err), vocab::ErrorClass::Environment);
}

#[test]
fn push_failures_are_environment_errors_with_git_output() {
    let f = fixture();
    let work = f.clone("work", Some(1));
    // A remote that refuses every ref update.
    git(
        &f.remote,
        &["config", "receive.denyCurrentBranch", "refuse"],
    );
    let hook = f.remote.join("hooks").join("pre-receive");
    std::fs::write(&hook, "#!/bin/sh\necho 'refusing: frozen' >&2\nexit 1\n").unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&hook, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let store = GitStore::open(&work, "origin").unwrap();
    let err = store
        .create_tag(&new_tag(
            "qa-x",
            &f.commits[4],
            "m\n",
            "2025-01-21T10:00:00Z",
        ))
        .unwrap_err();
    match &err {
        RepoError::Git { stderr, .. } => assert!(stderr.contains("refusing: frozen"), "{stderr}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(vocab::Classify::class(&err), vocab::ErrorClass::Environment);
}

#[test]
fn floating_tags_move_one_ref_leased() {
    let f = fixture();
    let store = GitStore::open(&f.src, "origin").unwrap();
    let at = |name: &str| {
        git(
            &f.src,
            &["ls-remote", "origin", &format!("refs/tags/{name}")],
        )
    };
    let first = store
        .move_tag("v1", &CommitId::parse(&f.commits[1]).unwrap())
        .unwrap();
    assert_eq!((first.previous.as_ref(), first.moved), (None, true));
    assert!(at("v1").starts_with(&f.commits[1]));
    let moved = store
        .move_tag("v1", &CommitId::parse(&f.commits[3]).unwrap())
        .unwrap();
    assert_eq!(
        moved.previous.map(|c| c.to_string()),
        Some(f.commits[1].clone())
    );
    assert!(moved.moved);
    assert!(at("v1").starts_with(&f.commits[3]));
    let same = store
        .move_tag("v1", &CommitId::parse(&f.commits[3]).unwrap())
        .unwrap();
    assert!(!same.moved);
    // version tags are still never moved by create_tag
    store
        .create_tag(&new_tag(
            "v1.0.0",
            &f.commits[0],
            "r",
            "2025-01-20T14:30:22Z",
        ))
        .unwrap();
    let again = store
        .create_tag(&new_tag(
            "v1.0.0",
            &f.commits[4],
            "r",
            "2025-01-20T14:30:22Z",
        ))
        .unwrap();
    assert!(!again.was_created());
    assert_eq!(again.tag().commit.as_str(), f.commits[0]);
    assert!(
        store
            .move_tag("bad name", &CommitId::parse(&f.commits[0]).unwrap())
            .is_err()
    );
}

/// A git that logs every command line to `log`, then runs the real git.
fn logging_git(dir: &Path, log: &Path) -> PathBuf {
    let real = String::from_utf8(
        Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let script = dir.join("logging-git");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real.trim()
        ),
    )
    .unwrap();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    script
}

fn ls_remotes(log: &Path) -> usize {
    std::fs::read_to_string(log)
        .unwrap_or_default()
        .lines()
        // After the `-c` options of a remote command.
        .filter(|l| l.split(' ').any(|w| w == "ls-remote"))
        .count()
}

#[test]
fn one_listing_of_the_remote_serves_every_read_until_a_write() {
    let f = fixture();
    let work = f.clone("work", Some(1));
    let setup = GitStore::open(&work, "origin").unwrap();
    for (i, name) in ["qa-a", "qa-b", "prod-a"].iter().enumerate() {
        setup
            .create_tag(&new_tag(
                name,
                &f.commits[4],
                &format!("{name}\n"),
                &format!("2025-01-2{}T10:00:00Z", i + 1),
            ))
            .unwrap();
    }
    let e1 = event(
        "qa",
        "84fb5881-20250120-143022",
        DeployStatus::Success,
        "2025-01-20T15:00:00Z",
    );
    setup.append_event(&e1).unwrap();

    let log = f.remote.parent().unwrap().join("git.log");
    let store = GitStore::open(&work, "origin")
        .unwrap()
        .with_git(logging_git(f.remote.parent().unwrap(), &log));
    // What `tag-gate latest` does: events, the listing, the candidates.
    assert_eq!(store.list_events(&e1.scope(), None).unwrap().len(), 1);
    let listed = store.list_tags("qa-").unwrap();
    assert_eq!(listed.len(), 2);
    let read = store.read_tags(&["qa-a", "qa-b", "qa-none"]).unwrap();
    assert_eq!(read[0].as_ref().unwrap().name, "qa-a");
    assert_eq!(read[1].as_ref().unwrap().commit.as_str(), f.commits[4]);
    assert!(read[2].is_none());
    assert_eq!(store.list_tags("prod-").unwrap().len(), 1);
    assert_eq!(ls_remotes(&log), 1, "one listing for every read");

    // Someone else writes meanwhile; our write re-reads the remote.
    git(
        &f.src,
        &["tag", "-a", "-m", "theirs", "qa-c", &f.commits[3]],
    );
    git(&f.src, &["push", "-q", "origin", "qa-c"]);
    let ours = store
        .create_tag(&new_tag(
            "qa-c",
            &f.commits[4],
            "ours\n",
            "2025-01-25T10:00:00Z",
        ))
        .unwrap();
    let Created::AlreadyExists(theirs) = ours else {
        panic!("expected AlreadyExists: {ours:?}");
    };
    assert_eq!(theirs.commit.as_str(), f.commits[3]);
    assert_eq!(ls_remotes(&log), 2, "a refused push reads the remote again");
    // After a write, reads list again (once).
    let made = store
        .create_tag(&new_tag(
            "qa-d",
            &f.commits[4],
            "d\n",
            "2025-01-26T10:00:00Z",
        ))
        .unwrap();
    assert!(made.was_created());
    assert_eq!(store.list_tags("qa-").unwrap().len(), 4);
    assert!(store.read_tag("qa-d").unwrap().is_some());
    assert_eq!(ls_remotes(&log), 3);
    store.append_event(&e1).unwrap();
    assert_eq!(store.list_events(&e1.scope(), None).unwrap().len(), 1);
    assert_eq!(ls_remotes(&log), 4);
}

#[test]
fn parses_peeled_lines_out_of_order_and_serves_prefixes() {
    let (a, b, c, d) = (
        "a".repeat(40),
        "b".repeat(40),
        "c".repeat(40),
        "d".repeat(40),
    );
    let text = format!(
        "{a}\trefs/tags/qa-1\n{c}\trefs/tags/qa-2\n{b}\trefs/tags/qa-1^{{}}\n{d}\trefs/tags/qa-2^{{}}\n"
    );
    let refs = parse_ls_remote(&text);
    assert_eq!(refs.len(), 2);
    assert_eq!(refs[0].target(), b);
    assert_eq!(refs[1].target(), d);

    let listing = Listing::new(parse_ls_remote(&format!(
        "{a}\trefs/tags/qa-2\n{a}\trefs/tags/prod-1\n{a}\trefs/tags/qa-1\n{a}\trefs/tags/qaz\n{a}\trefs/heads/main\n"
    )));
    let names: Vec<&str> = listing
        .with_prefix("refs/tags/qa-")
        .iter()
        .map(|r| r.name.as_str())
        .collect();
    assert_eq!(names, ["refs/tags/qa-1", "refs/tags/qa-2"]);
    assert!(listing.with_prefix("refs/tags/x").is_empty());
    assert!(listing.get("refs/tags/qaz").is_some());
    assert!(listing.get("refs/tags/qa").is_none());
}

#[test]
fn which_remotes_may_use_ssh() {
    for url in [
        "ssh://git@example.com/o/r.git",
        "git+ssh://example.com/o/r",
        "git@github.com:o/r.git",
        "example.com:r.git",
    ] {
        assert!(may_use_ssh(url), "{url}");
    }
    for url in [
        "https://github.com/o/r.git",
        "http://127.0.0.1:8080/r.git",
        "file:///srv/r.git",
        "git://example.com/r.git",
        "/srv/r.git",
        "./r.git",
        "../a:b/r.git",
    ] {
        assert!(!may_use_ssh(url), "{url}");
    }
}

#[test]
fn network_limits_follow_the_deadline_and_leave_a_users_ssh_alone() {
    let (config, env) = network_limits(Duration::from_secs(120), false);
    assert_eq!(
        config,
        [
            "-c",
            "http.lowSpeedLimit=1000",
            "-c",
            "http.lowSpeedTime=30"
        ]
    );
    let ssh = &env.iter().find(|(k, _)| *k == "GIT_SSH_COMMAND").unwrap().1;
    for opt in [
        "-o ConnectTimeout=30",
        "-o ServerAliveInterval=15",
        "-o BatchMode=yes",
    ] {
        assert!(ssh.contains(opt), "{ssh}");
    }
    assert!(env.contains(&("GIT_TERMINAL_PROMPT", "0".to_owned())));
    // A short deadline: git gives up within it.
    let (config, env) = network_limits(Duration::from_secs(4), false);
    assert_eq!(config[3], "http.lowSpeedTime=2");
    assert!(env.iter().any(|(_, v)| v.contains("ConnectTimeout=2 ")));
    // The user's own ssh command: not replaced.
    let (_, env) = network_limits(Duration::from_secs(120), true);
    assert!(env.iter().all(|(k, _)| *k != "GIT_SSH_COMMAND"), "{env:?}");
}
