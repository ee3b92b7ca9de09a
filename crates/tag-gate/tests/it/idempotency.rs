//! Re-runs and races end with one tag, never a moved one.

use crate::support::{Fixture, version_of};
use std::process::Stdio;

fn digest(byte: &str) -> String {
    format!("sha256:{}", byte.repeat(32))
}

#[test]
fn rerunning_a_finished_create_or_promote_changes_nothing() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: one");
    let v = version_of(&sha);
    let d = digest("ab");
    fixture
        .tag_gate(&["create", "--version", &v, "--artifact-digest", &d])
        .ok();
    fixture
        .tag_gate(&["promote", "--to", "qa", "--version", &v])
        .ok();
    let tags = fixture.remote_tags();

    let r = fixture.tag_gate(&["create", "--version", &v, "--artifact-digest", &d]);
    r.ok()
        .says(&["already exists", "nothing to do (created=false)"]);
    assert_eq!(r.out("created"), "false");
    assert_eq!(r.out("artifact-digest"), d);
    assert_eq!(r.out("passed"), "true");
    // Without a digest, the record's stands.
    let r = fixture.tag_gate(&["create", "--version", &v]);
    r.ok();
    assert_eq!(r.out("created"), "false");

    let r = fixture.tag_gate(&["promote", "--to", "qa", "--version", &v]);
    r.ok().says(&["already exists"]);
    assert_eq!(r.out("created"), "false");
    assert_eq!(r.out("sha"), sha);
    let r = fixture.tag_gate(&[
        "promote",
        "--to",
        "qa",
        "--version",
        &v,
        "--artifact-digest",
        &d,
    ]);
    r.ok();
    assert_eq!(r.out("created"), "false");
    assert_eq!(fixture.remote_tags(), tags, "tags never moved");
}

#[test]
fn create_with_another_digest_or_on_another_commit_is_refused() {
    let mut fixture = Fixture::new();
    let sha1 = fixture.commit("feat: one");
    let v = version_of(&sha1);
    fixture
        .tag_gate(&[
            "create",
            "--version",
            &v,
            "--artifact-digest",
            &digest("ab"),
        ])
        .ok();
    let tags = fixture.remote_tags();

    let r = fixture.tag_gate(&[
        "create",
        "--version",
        &v,
        "--artifact-digest",
        &digest("cd"),
    ]);
    r.code(1).says(&[
        &format!("artifact digest mismatch for {v}"),
        &format!("records {}", digest("ab")),
        &format!("but {} was given", digest("cd")),
    ]);
    assert_eq!(r.out("passed"), "false");
    assert_eq!(fixture.remote_tags(), tags);

    // Another commit whose id starts with the version's short sha cannot be
    // made; a --sha of another commit is refused before anything is written.
    let sha2 = fixture.commit("feat: two");
    let r = fixture.tag_gate(&["create", "--version", &v, "--sha", &sha2]);
    r.code(1).says(&[
        &format!("commit {sha2} does not start with version {v}'s short sha"),
        "stamp a version for this commit",
    ]);
    assert_eq!(fixture.remote_tags(), tags);

    // The tag is there, on the version's commit: a build tag moved by hand
    // elsewhere (lightweight, on another commit) is not re-created over.
    let v2 = version_of(&sha2);
    fixture.git(&["tag", &format!("build-{v2}"), &sha1]);
    fixture.git(&["push", "-q", "origin", &format!("refs/tags/build-{v2}")]);
    let tags = fixture.remote_tags();
    let r = fixture.tag_gate(&["create", "--version", &v2]);
    r.code(1).says(&[
        &format!("build-{v2} already exists on commit {sha1}, not on {sha2}"),
        "stage tags are never moved",
    ]);
    assert_eq!(fixture.remote_tags(), tags);
}

/// Two processes promoting one version at the same time against one bare
/// remote, from two clones (two runners): both succeed, one tag stands,
/// exactly one of them created it.
#[test]
fn two_racing_promotions_end_with_one_tag() {
    let mut fixture = Fixture::new();
    let mut versions = Vec::new();
    for i in 0..3 {
        let sha = fixture.commit(&format!("feat: {i}"));
        let v = version_of(&sha);
        fixture.tag_gate(&["create", "--version", &v]).ok();
        versions.push(v);
    }
    let second = fixture.dir.path().join("second");
    fixture.git_in(
        fixture.dir.path(),
        &[
            "clone",
            "-q",
            fixture.remote.to_str().unwrap(),
            second.to_str().unwrap(),
        ],
    );

    for v in &versions {
        let args = ["promote", "--to", "qa", "--version", v.as_str()];
        let (mut a, fa) = fixture.command(&fixture.work, &args, &[]);
        let (mut b, fb) = fixture.command(&second, &args, &[]);
        let ca = a
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let cb = b
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let ra = fa.read(ca.wait_with_output().unwrap());
        let rb = fb.read(cb.wait_with_output().unwrap());
        ra.ok();
        rb.ok();
        let created: Vec<&str> = [ra.out("created"), rb.out("created")].into();
        assert_eq!(
            created.iter().filter(|c| **c == "true").count(),
            1,
            "exactly one created the tag: {created:?}\n{}\n{}",
            ra.stderr,
            rb.stderr
        );
        assert!(created.contains(&"false"));
        let loser = if ra.out("created") == "false" {
            &ra
        } else {
            &rb
        };
        let raced = loser
            .stderr
            .contains("was created by a concurrent run first");
        assert!(
            raced || loser.stderr.contains("already exists"),
            "{}",
            loser.stderr
        );
        assert_eq!(ra.out("sha"), rb.out("sha"));
        let qa: Vec<String> = fixture
            .remote_tags()
            .into_keys()
            .filter(|t| t.starts_with("qa-"))
            .collect();
        assert!(qa.contains(&format!("qa-{v}")));
        // The tag that stands verifies, whoever wrote it.
        fixture
            .tag_gate(&["require", "--stage", "qa", "--version", v])
            .ok();
    }
    assert_eq!(
        fixture
            .remote_tags()
            .keys()
            .filter(|t| t.starts_with("qa-"))
            .count(),
        versions.len(),
        "one QA tag per version"
    );
}
