//! Working from a depth-1 clone without tags (actions/checkout's default):
//! the tool fetches only what it needs.

use crate::support::{Fixture, version_of};

#[test]
fn a_depth_one_clone_without_tags_promotes_and_creates() {
    let mut fixture = Fixture::new();
    let sha1 = fixture.commit("feat: one");
    let v1 = version_of(&sha1);
    fixture.tag_gate(&["create", "--version", &v1]).ok();
    fixture
        .tag_gate(&["promote", "--to", "qa", "--version", &v1])
        .ok();
    let sha2 = fixture.commit("feat: two");
    let v2 = version_of(&sha2);

    let shallow = fixture.dir.path().join("shallow");
    fixture.git_in(
        fixture.dir.path(),
        &[
            "clone",
            "-q",
            "--depth",
            "1",
            "--no-tags",
            &fixture.remote_url(),
            shallow.to_str().unwrap(),
        ],
    );
    assert_eq!(
        fixture.git_in(&shallow, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
    assert_eq!(fixture.git_in(&shallow, &["tag", "--list"]), "");
    // V1's commit is not in the clone.
    assert_eq!(fixture.git_in(&shallow, &["rev-list", "--all"]), sha2);

    // An older version, whose commit the clone lacks.
    let r = fixture.tag_gate_in(
        &shallow,
        &["promote", "--to", "prod", "--version", &v1],
        &[],
    );
    r.ok();
    assert_eq!(r.out("sha"), sha1);
    assert_eq!(r.out("created"), "true");
    // The head's version.
    let r = fixture.tag_gate_in(&shallow, &["create", "--version", &v2], &[]);
    r.ok();
    assert_eq!(r.out("sha"), sha2);
    let r = fixture.tag_gate_in(&shallow, &["latest", "--stage", "prod"], &[]);
    assert_eq!(r.ok().out("version"), v1);
    fixture
        .tag_gate_in(
            &shallow,
            &["require", "--stage", "qa", "--version", &v1],
            &[],
        )
        .ok();
    fixture
        .tag_gate_in(
            &shallow,
            &[
                "record",
                "--stage",
                "prod",
                "--version",
                &v1,
                "--status",
                "success",
            ],
            &[],
        )
        .ok();
    assert_eq!(
        fixture
            .tag_gate_in(&shallow, &["current", "--stage", "prod"], &[])
            .ok()
            .out("version"),
        v1
    );

    let tags = fixture.remote_tags();
    assert!(tags.contains_key(&format!("prod-{v1}")));
    assert!(tags.contains_key(&format!("build-{v2}")));
    // The clone is still shallow, and its own tags were not fetched.
    assert_eq!(
        fixture.git_in(&shallow, &["rev-parse", "--is-shallow-repository"]),
        "true"
    );
}
