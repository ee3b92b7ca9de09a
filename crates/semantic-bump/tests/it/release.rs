//! `release` on real repositories: the git backend against a local bare
//! remote, the API backend (and the GitHub Release) against the GitHub
//! stand-in on 127.0.0.1.

use crate::common::{Repo, json_str, parsed};
use github_standin::{Access, NewCommit, NewToken, Permission, Route, StandIn};
use serde_json::Value;
use std::collections::BTreeMap;

/// `v1.2.0` on a first commit, then `messages`, all pushed to a bare
/// `origin` in the same temp dir.
fn with_remote(messages: &[&str]) -> Repo {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.2.0");
    for m in messages {
        r.commit(m);
    }
    let bare = r.tmp.path().join("remote.git");
    r.git(&["init", "-q", "--bare", "-b", "main", bare.to_str().unwrap()]);
    r.git(&["remote", "add", "origin", bare.to_str().unwrap()]);
    r.git(&["push", "-q", "origin", "main", "--tags"]);
    r
}

/// Every ref of the remote: name → what it points at (`^{}` lines kept).
fn remote_refs(r: &Repo) -> BTreeMap<String, String> {
    r.git(&["ls-remote", "origin"])
        .lines()
        .filter_map(|l| l.split_once('\t'))
        .map(|(oid, name)| (name.to_owned(), oid.to_owned()))
        .collect()
}

fn release(r: &Repo, env: &[(&str, String)], args: &[&str]) -> (i32, Value, String) {
    r.reset_files();
    let mut c = r.cmd();
    for (k, v) in env {
        c.env(k, v);
    }
    parsed(c.arg("release").arg("--json").args(args).output().unwrap())
}

fn ok(r: &Repo, env: &[(&str, String)], args: &[&str]) -> Value {
    let (code, j, err) = release(r, env, args);
    assert_eq!(code, 0, "release {args:?} failed: {err}\n{j}");
    j
}

fn actions(j: &Value) -> String {
    j["actions"].to_string()
}

// ---------------------------------------------------------------- git backend

#[test]
fn git_backend_tags_pushes_and_skips_the_github_release() {
    let r = with_remote(&["fix: a", "feat(api): pagination (#12)"]);
    let head = r.head();
    let (code, j, err) = release(&r, &[], &[]);
    assert_eq!(code, 0, "{err}\n{j}");
    assert_eq!(
        (
            json_str(&j, "version"),
            json_str(&j, "tag"),
            json_str(&j, "sha")
        ),
        ("1.3.0", "v1.3.0", head.as_str())
    );
    assert_eq!(
        (j["created"].as_bool(), json_str(&j, "backend")),
        (Some(true), "git")
    );
    assert_eq!(json_str(&j, "github-release"), "skipped");
    assert_eq!(json_str(&j, "release-url"), "");
    assert!(err.contains("GitHub Release skipped"), "{err}");
    // an annotated tag on the remote, peeling to HEAD, the notes inside
    let refs = remote_refs(&r);
    assert_eq!(refs["refs/tags/v1.3.0^{}"], head);
    assert_ne!(refs["refs/tags/v1.3.0"], head);
    r.git(&["fetch", "-q", "origin", "tag", "v1.3.0"]);
    let msg = r.git(&["tag", "-l", "--format=%(contents)", "v1.3.0"]);
    assert!(
        msg.starts_with("v1.3.0\n\n### Features\n\n- **api:** pagination (#12)"),
        "{msg}"
    );
    assert!(msg.contains("### Bug Fixes"), "{msg}");
    let tagger = r.git(&["tag", "-l", "--format=%(taggername)", "v1.3.0"]);
    assert_eq!(tagger, "github-actions[bot]");
    let out = r.outputs();
    for key in [
        "version",
        "tag",
        "sha",
        "created",
        "release-url",
        "floating-tags",
        "changelog",
    ] {
        assert!(out.contains_key(key), "missing output {key}: {out:?}");
    }
    assert_eq!(out["created"], "true");

    // Re-running the finished release: a no-op.
    let before = remote_refs(&r);
    let j = ok(&r, &[], &[]);
    assert_eq!(
        (json_str(&j, "tag"), j["created"].as_bool()),
        ("v1.3.0", Some(false))
    );
    assert!(actions(&j).contains("already on"), "{}", actions(&j));
    assert!(
        json_str(&j, "changelog").contains("pagination"),
        "a re-run has the same notes"
    );
    assert_eq!(remote_refs(&r), before);
}

#[test]
fn the_version_tag_on_another_commit_exits_1() {
    // on the remote only (the clone never fetched it)
    let r = with_remote(&["feat: a"]);
    let base = r.git(&["rev-list", "--max-parents=0", "HEAD"]);
    let bare = r.tmp.path().join("remote.git");
    r.git(&["--git-dir", bare.to_str().unwrap(), "tag", "v1.3.0", &base]);
    let before = remote_refs(&r);
    let (code, j, err) = release(&r, &[], &["--floating-tags"]);
    assert_eq!(code, 1, "{err}\n{j}");
    assert!(err.contains("v1.3.0 already exists, on commit"), "{err}");
    assert_eq!(j["error"]["class"], "denied");
    assert_eq!(remote_refs(&r), before, "nothing written");

    // in the clone: refused before anything is asked of the remote
    let r = with_remote(&["feat: a"]);
    r.git(&["checkout", "-q", "-b", "side", "HEAD~1"]);
    r.commit("feat: on a branch never merged");
    r.tag("v1.3.0");
    r.git(&["checkout", "-q", "main"]);
    let (code, _, err) = release(&r, &[], &[]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("not in its history"), "{err}");
    assert!(!err.contains("delete"), "{err}");
    assert!(!remote_refs(&r).contains_key("refs/tags/v1.3.0"));
}

#[test]
fn dry_run_says_what_it_would_do_and_writes_nothing() {
    let r = with_remote(&["feat: a"]);
    let old = r.head();
    r.git(&["tag", "v1", &old]);
    r.git(&["push", "-q", "origin", "v1"]);
    r.commit("fix: b");
    r.git(&["push", "-q", "origin", "main"]);
    let head = r.head();
    let before = remote_refs(&r);
    let local_tags = r.git(&["tag", "-l"]);
    let j = ok(&r, &[], &["--dry-run", "--floating-tags"]);
    assert_eq!(
        (json_str(&j, "tag"), j["dry-run"].as_bool()),
        ("v1.3.0", Some(true))
    );
    assert_eq!(j["created"], false);
    let a = actions(&j);
    for want in [
        format!("would create the annotated tag v1.3.0 at {}", &head[..7]),
        format!("would move v1 from {} to {}", &old[..7], &head[..7]),
        format!("would create v1.3 at {}", &head[..7]),
        "GitHub Release skipped".to_owned(),
    ] {
        assert!(a.contains(&want), "{want} not in {a}");
    }
    assert_eq!(json_str(&j, "floating-tags"), "v1,v1.3");
    assert_eq!(remote_refs(&r), before, "the remote is untouched");
    assert_eq!(r.git(&["tag", "-l"]), local_tags, "so is the clone");
}

#[test]
fn floating_tags_move_on_the_remote() {
    let r = with_remote(&["feat: a"]);
    let first = r.head();
    let j = ok(&r, &[], &["--floating-tags"]);
    assert_eq!(json_str(&j, "floating-tags"), "v1,v1.3");
    let refs = remote_refs(&r);
    // lightweight, straight at the commit
    assert_eq!(refs["refs/tags/v1"], first);
    assert_eq!(refs["refs/tags/v1.3"], first);
    assert!(!refs.contains_key("refs/tags/v1^{}"));

    r.commit("fix: b");
    r.git(&["push", "-q", "origin", "main"]);
    r.git(&["fetch", "-q", "--tags", "origin"]);
    let second = r.head();
    let j = ok(&r, &[], &["--floating-tags"]);
    assert_eq!(json_str(&j, "version"), "1.3.1");
    let a = actions(&j);
    assert!(
        a.contains(&format!(
            "moved v1 from {} to {}",
            &first[..7],
            &second[..7]
        )),
        "{a}"
    );
    let refs = remote_refs(&r);
    assert_eq!(refs["refs/tags/v1"], second);
    assert_eq!(refs["refs/tags/v1.3"], second);
    assert_eq!(refs["refs/tags/v1.3.0^{}"], first, "versions never move");
    // floating tags are not noise for next
    r.git(&["fetch", "-q", "--tags", "--force", "origin"]);
    let n = r.next_ok(&[]);
    assert!(
        !n["notes"].to_string().contains("not a version"),
        "{}",
        n["notes"]
    );

    // a re-run moves nothing
    let j = ok(&r, &[], &["--floating-tags"]);
    assert!(actions(&j).contains("v1 is already at"), "{}", actions(&j));
}

#[test]
fn a_prerelease_moves_no_floating_tag() {
    let r = with_remote(&["feat: a"]);
    let j = ok(&r, &[], &["--prerelease", "rc", "--floating-tags"]);
    assert_eq!(
        (json_str(&j, "version"), json_str(&j, "tag")),
        ("1.3.0-rc.1", "v1.3.0-rc.1")
    );
    assert_eq!(
        (j["prerelease"].as_bool(), j["latest"].as_bool()),
        (Some(true), Some(false))
    );
    assert_eq!(json_str(&j, "floating-tags"), "");
    assert!(
        j["release-notes"]
            .to_string()
            .contains("stable versions only")
    );
    let refs = remote_refs(&r);
    assert!(refs.contains_key("refs/tags/v1.3.0-rc.1"));
    assert!(!refs.contains_key("refs/tags/v1"));
    // re-run on the same commit: the same prerelease, nothing new
    let j = ok(&r, &[], &["--prerelease", "rc"]);
    assert_eq!(
        (json_str(&j, "tag"), j["created"].as_bool()),
        ("v1.3.0-rc.1", Some(false))
    );
}

#[test]
fn nothing_to_release_exits_0() {
    let r = with_remote(&["docs: a", "chore: b"]);
    let before = remote_refs(&r);
    let j = ok(&r, &[], &["--floating-tags"]);
    assert_eq!(
        (json_str(&j, "tag"), j["created"].as_bool()),
        ("", Some(false))
    );
    assert_eq!(json_str(&j, "bump"), "none");
    assert_eq!(remote_refs(&r), before);
}

#[test]
fn bad_input_exits_2_and_missing_api_exits_3() {
    let r = with_remote(&["feat: a"]);
    for (args, needle) in [
        (vec!["--sha", "abc"], "invalid commit id 'abc'"),
        (vec!["--backend", "svn"], "svn"),
        (vec!["--github-release=maybe"], "maybe"),
    ] {
        let (code, _, err) = release(&r, &[], &args);
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    for args in [vec!["--backend", "api"], vec!["--github-release"]] {
        let (code, _, err) = release(&r, &[], &args);
        assert_eq!(code, 3, "{args:?}: {err}");
        assert!(err.contains("GITHUB_TOKEN is not set"), "{err}");
        assert!(err.contains("contents: write"), "{err}");
    }
    assert!(!remote_refs(&r).contains_key("refs/tags/v1.3.0"));
    // env twins
    let j = ok(
        &r,
        &[
            ("INPUT_DRY_RUN", "true".into()),
            ("INPUT_TAG_PREFIX", "v".into()),
        ],
        &[],
    );
    assert_eq!(j["dry-run"], true);
}

// ---------------------------------------------------------------- api backend

/// The clone's history, mirrored into the stand-in by commit id (and its
/// tags), as GitHub would hold it after a push.
fn mirror(r: &Repo, gh: &StandIn) {
    for line in r
        .git(&[
            "rev-list",
            "--reverse",
            "--topo-order",
            "--parents",
            "--branches",
        ])
        .lines()
    {
        let mut ids = line.split(' ');
        let sha = ids.next().unwrap();
        let parents: Vec<&str> = ids.collect();
        let msg = r.git(&["log", "-1", "--format=%B", sha]);
        gh.add_commit(NewCommit::new(&msg).sha(sha).parents(&parents));
    }
    for tag in r.git(&["tag", "-l"]).lines() {
        let commit = r.git(&["rev-list", "-n1", tag]);
        gh.lightweight_tag(tag, &commit);
    }
}

fn api_repo(messages: &[&str]) -> (Repo, StandIn) {
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.2.0");
    for m in messages {
        r.commit(m);
    }
    let gh = StandIn::start();
    mirror(&r, &gh);
    (r, gh)
}

fn writes(gh: &StandIn) -> Vec<String> {
    gh.requests()
        .into_iter()
        .filter(|q| q.method != "GET" && !q.path.ends_with("/graphql"))
        .map(|q| format!("{} {}", q.method, q.path))
        .collect()
}

#[test]
fn api_backend_creates_the_tag_and_the_release_once() {
    let (r, gh) = api_repo(&["feat: a", "fix: b"]);
    gh.add_release("v1.2.0", "v1.2.0", "old");
    let head = r.head();
    let url = ["--repository-url", "https://github.com/octo/shop"];
    let j = ok(&r, &gh.env(), &url);
    assert_eq!(
        (json_str(&j, "backend"), j["created"].as_bool()),
        ("api", Some(true))
    );
    assert_eq!(json_str(&j, "github-release"), "created");
    let (commit, object) = gh.tag("v1.3.0").expect("the tag");
    assert_eq!(commit, head);
    assert!(object.is_some(), "annotated");
    let rel = &gh.releases()[0];
    assert_eq!(rel["tag_name"], "v1.3.0");
    assert_eq!(
        (rel["draft"].as_bool(), rel["prerelease"].as_bool()),
        (Some(false), Some(false))
    );
    let body = rel["body"].as_str().unwrap();
    assert!(
        body.starts_with("### Features\n\n- a ([") && body.contains("### Bug Fixes"),
        "{body}"
    );
    assert!(
        body.contains("**Full Changelog**: https://github.com/octo/shop/compare/v1.2.0...v1.3.0"),
        "{body}"
    );
    assert_eq!(gh.latest_release().unwrap()["tag_name"], "v1.3.0");
    assert_eq!(
        json_str(&j, "release-url"),
        rel["html_url"].as_str().unwrap()
    );
    let post = gh
        .requests()
        .into_iter()
        .find(|q| q.method == "POST" && q.path.ends_with("/releases"))
        .unwrap();
    assert_eq!(post.body.unwrap()["make_latest"], "true");

    // re-run: no write at all
    gh.clear_requests();
    let j = ok(&r, &gh.env(), &url);
    assert_eq!(
        (j["created"].as_bool(), json_str(&j, "github-release")),
        (Some(false), "exists")
    );
    assert_eq!(writes(&gh), Vec::<String>::new());
    assert_eq!(gh.releases().len(), 2);
}

#[test]
fn a_release_missing_after_a_tag_is_completed() {
    // the tag was pushed, the release step failed: the re-run makes it
    let (r, gh) = api_repo(&["feat: a"]);
    let j = ok(&r, &gh.env(), &["--github-release=never"]);
    assert_eq!(
        (j["created"].as_bool(), json_str(&j, "github-release")),
        (Some(true), "skipped")
    );
    assert!(gh.releases().is_empty());
    let j = ok(&r, &gh.env(), &[]);
    assert_eq!(
        (j["created"].as_bool(), j["release-created"].as_bool()),
        (Some(false), Some(true))
    );
    assert_eq!(
        gh.releases()[0]["body"].as_str().unwrap(),
        "### Features\n\n- a (".to_owned() + &r.head()[..7] + ")\n"
    );
}

#[test]
fn a_prerelease_release_is_not_latest() {
    let (r, gh) = api_repo(&["feat: a"]);
    gh.add_release("v1.2.0", "v1.2.0", "old");
    let j = ok(&r, &gh.env(), &["--prerelease", "rc"]);
    assert_eq!(json_str(&j, "tag"), "v1.3.0-rc.1");
    let rel = &gh.releases()[0];
    assert_eq!(
        (rel["tag_name"].as_str(), rel["prerelease"].as_bool()),
        (Some("v1.3.0-rc.1"), Some(true))
    );
    assert_eq!(gh.latest_release().unwrap()["tag_name"], "v1.2.0");
    let post = gh
        .requests()
        .into_iter()
        .find(|q| q.method == "POST" && q.path.ends_with("/releases"))
        .unwrap();
    assert_eq!(post.body.unwrap()["make_latest"], "false");
}

#[test]
fn a_patch_below_the_latest_is_not_latest_and_keeps_v1() {
    // 1.4.0 is out; 1.3.1 is a fix on the 1.3 line
    let r = Repo::new();
    r.commit("chore: initial");
    r.tag("v1.3.0");
    r.git(&["checkout", "-q", "-b", "release-1.3"]);
    r.git(&["checkout", "-q", "main"]);
    r.commit("feat: newer");
    r.tag("v1.4.0");
    r.git(&["checkout", "-q", "release-1.3"]);
    r.commit("fix: backport");
    let gh = StandIn::start();
    mirror(&r, &gh);
    let main = r.git(&["rev-parse", "main"]);
    gh.lightweight_tag("v1.4.0", &main);
    gh.lightweight_tag("v1", &main);
    gh.add_release("v1.4.0", "v1.4.0", "");
    let j = ok(&r, &gh.env(), &["--floating-tags"]);
    assert_eq!(
        (json_str(&j, "tag"), j["latest"].as_bool()),
        ("v1.3.1", Some(false))
    );
    assert_eq!(json_str(&j, "floating-tags"), "v1.3");
    assert!(
        j["release-notes"]
            .to_string()
            .contains("v1 stays where it is: 1.4.0 is higher")
    );
    assert_eq!(gh.tag("v1").unwrap().0, main);
    assert_eq!(gh.tag("v1.3").unwrap().0, r.head());
    assert_eq!(gh.latest_release().unwrap()["tag_name"], "v1.4.0");
}

#[test]
fn api_dry_run_works_with_a_read_only_token() {
    let (r, gh) = api_repo(&["feat: a"]);
    let head = r.head();
    let token = gh.add_token(NewToken::none().permission(Permission::Contents, Access::Read));
    let mut env = gh.env();
    env.retain(|(k, _)| *k != "GITHUB_TOKEN");
    env.push(("GITHUB_TOKEN", token));
    gh.clear_requests();
    let j = ok(&r, &env, &["--dry-run", "--floating-tags", "--draft"]);
    let a = actions(&j);
    for want in [
        format!("would create the annotated tag v1.3.0 at {}", &head[..7]),
        "would create the GitHub Release v1.3.0 (draft=true, prerelease=false, make_latest=true)"
            .to_owned(),
        format!("would create v1 at {}", &head[..7]),
        format!("would create v1.3 at {}", &head[..7]),
    ] {
        assert!(a.contains(&want), "{want} not in {a}");
    }
    assert_eq!(writes(&gh), Vec::<String>::new());
    assert!(gh.tag("v1.3.0").is_none() && gh.releases().is_empty());
    // and the same token cannot release for real: exit 3 naming the permission
    let (code, _, err) = release(&r, &env, &[]);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("contents: write"), "{err}");
}

#[test]
fn api_floating_tags_and_drafts() {
    let (r, gh) = api_repo(&["feat: a"]);
    let base = r.git(&["rev-list", "--max-parents=0", "HEAD"]);
    gh.annotated_tag("v1", &base, "old major", gh.now());
    let j = ok(&r, &gh.env(), &["--floating-tags", "--draft"]);
    assert_eq!(json_str(&j, "floating-tags"), "v1,v1.3");
    assert_eq!(
        gh.tag("v1").unwrap(),
        (r.head(), None),
        "now lightweight at the release"
    );
    assert_eq!(gh.tag("v1.3").unwrap(), (r.head(), None));
    assert_eq!(gh.releases()[0]["draft"], true);
    assert_eq!(gh.count(&Route::patch("git/refs/tags/v1")), 1);
    // a re-run finds the draft (drafts are not served by tag name)
    gh.clear_requests();
    let j = ok(&r, &gh.env(), &["--floating-tags", "--draft"]);
    assert_eq!(json_str(&j, "github-release"), "exists");
    assert_eq!(writes(&gh), Vec::<String>::new());
    assert_eq!(gh.releases().len(), 1);
}

#[test]
fn git_backend_with_a_token_publishes_the_release_through_the_api() {
    let r = with_remote(&["feat: a"]);
    let gh = StandIn::start();
    mirror(&r, &gh);
    let j = ok(&r, &gh.env(), &["--backend", "git"]);
    assert_eq!(
        (json_str(&j, "backend"), json_str(&j, "github-release")),
        ("git", "created")
    );
    assert!(remote_refs(&r).contains_key("refs/tags/v1.3.0"));
    assert_eq!(gh.releases()[0]["tag_name"], "v1.3.0");
}

#[test]
fn stdout_is_the_tag_made_or_that_would_be() {
    let r = with_remote(&["feat(api): pagination"]);
    let run = |args: &[&str]| {
        r.reset_files();
        let out = r.cmd().arg("release").args(args).output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, out, err) = run(&["--dry-run"]);
    assert_eq!((code, out.as_str()), (0, "v1.3.0\n"), "{err}");
    assert!(!remote_refs(&r).contains_key("refs/tags/v1.3.0"));
    let (code, out, err) = run(&[]);
    assert_eq!((code, out.as_str()), (0, "v1.3.0\n"), "{err}");
    assert!(remote_refs(&r).contains_key("refs/tags/v1.3.0"));
    // --json: only the JSON
    let (code, out, _) = run(&["--json"]);
    assert_eq!(code, 0);
    let j: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out:?}"));
    assert_eq!(json_str(&j, "tag"), "v1.3.0");
    // nothing to release: nothing on stdout
    r.git(&["fetch", "-q", "origin", "tag", "v1.3.0"]);
    r.commit("docs: a");
    let (code, out, err) = run(&[]);
    assert_eq!((code, out.as_str()), (0, ""), "{err}");
}
