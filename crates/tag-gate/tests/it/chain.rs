//! The whole chain, build → qa → prod, on a real bare remote.

use crate::support::{Fixture, sha256_hex, version_of};

#[test]
fn build_qa_prod_with_the_artifact_digest_recorded() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: first");
    let v = version_of(&sha);
    let artifact = fixture.dir.path().join("app.tar.gz");
    std::fs::write(&artifact, b"the deployable bytes").unwrap();
    let digest = format!("sha256:{}", sha256_hex(b"the deployable bytes"));
    let art = artifact.to_str().unwrap();

    let r = fixture.tag_gate(&[
        "create",
        "--stage",
        "build",
        "--version",
        &v,
        "--artifact",
        art,
    ]);
    r.ok().says(&["created build-", &digest]);
    assert_eq!(r.out("stage"), "build");
    assert_eq!(r.out("version"), v);
    assert_eq!(r.out("tag"), format!("build-{v}"));
    assert_eq!(r.out("sha"), sha);
    assert_eq!(r.out("created"), "true");
    assert_eq!(r.out("artifact-digest"), digest);
    assert_eq!(r.stdout.trim(), format!("build-{v}"));
    assert!(r.summary.contains(&format!("build-{v}")), "{}", r.summary);

    // QA, checking the artifact is the build's.
    let r = fixture.tag_gate(&["promote", "--to", "qa", "--version", &v, "--artifact", art]);
    r.ok().says(&[&format!("created qa-{v}"), "verified"]);
    assert_eq!(r.out("stage"), "qa");
    assert_eq!(r.out("tag"), format!("qa-{v}"));
    assert_eq!(r.out("sha"), sha);
    assert_eq!(r.out("created"), "true");
    assert_eq!(r.out("artifact-digest"), digest);
    assert_eq!(r.out("promoted-from"), format!("build-{v}"));

    let r = fixture.tag_gate(&["require", "--stage", "qa", "--version", &v]);
    r.ok();
    assert_eq!(r.out("passed"), "true");

    let r = fixture.tag_gate(&[
        "promote",
        "--to",
        "prod",
        "--version",
        &v,
        "--artifact-digest",
        &digest,
    ]);
    r.ok();
    assert_eq!(r.out("tag"), format!("prod-{v}"));
    assert_eq!(r.out("created"), "true");
    assert_eq!(r.out("artifact-digest"), digest);

    // The tags on the remote: three annotated tags on the one commit.
    let tags = fixture.remote_tags();
    assert_eq!(
        tags.keys().cloned().collect::<Vec<_>>(),
        [format!("build-{v}"), format!("prod-{v}"), format!("qa-{v}")]
    );
    for name in tags.keys() {
        assert_eq!(
            fixture.remote_git(&["cat-file", "-t", name]),
            "tag",
            "{name} is annotated"
        );
        assert_eq!(
            fixture.remote_git(&["rev-parse", &format!("{name}^{{commit}}")]),
            sha
        );
    }
    // With no git identity configured, the tool supplied one.
    let raw = fixture.remote_git(&["cat-file", "-p", &format!("prod-{v}")]);
    assert!(raw.contains("tagger github-actions[bot]"), "{raw}");

    // show prints the provenance record.
    let r = fixture.tag_gate(&["show", "--stage", "prod", "--version", &v]);
    r.ok().says(&["verifies"]);
    let record = r.json();
    assert_eq!(record["schema"], "shipgate.provenance/v1");
    assert_eq!(record["version"], v.as_str());
    assert_eq!(record["stage"], "prod");
    assert_eq!(record["commit"], sha.as_str());
    assert_eq!(record["artifact_digest"], digest.as_str());
    assert_eq!(record["promoted_from"], format!("qa-{v}"));
    assert!(record["time"].as_str().unwrap().ends_with('Z'));
    assert_eq!(r.out("verified"), "true");
    let out_record: serde_json::Value = serde_json::from_str(r.out("record")).unwrap();
    assert_eq!(out_record, record);
}

#[test]
fn the_run_is_kept_in_the_record() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: first");
    let v = version_of(&sha);
    let env = [
        ("GITHUB_RUN_ID", "4242"),
        ("GITHUB_RUN_ATTEMPT", "2"),
        ("GITHUB_REPOSITORY", "octo-org/shop"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_WORKFLOW", "ci-deploy-dev"),
        ("GITHUB_ACTOR", "octocat"),
    ];
    let r = fixture.tag_gate_env(
        &[
            "create",
            "--version",
            &v,
            "--artifact-id",
            "987",
            "--note",
            "first build",
        ],
        &env,
    );
    r.ok();
    let record: serde_json::Value = serde_json::from_str(r.out("record")).unwrap();
    assert_eq!(record["run_id"], 4242);
    assert_eq!(record["run_attempt"], 2);
    assert_eq!(
        record["run_url"],
        "https://github.com/octo-org/shop/actions/runs/4242/attempts/2"
    );
    assert_eq!(record["workflow"], "ci-deploy-dev");
    assert_eq!(record["actor"], "octocat");
    assert_eq!(record["artifact_id"], "987");
    assert_eq!(record["note"], "first build");
    // The git backend: GITHUB_REPOSITORY without a token does not switch
    // to the API.
    assert!(fixture.remote_tags().contains_key(&format!("build-{v}")));
}

#[test]
fn a_service_prefixes_its_tags() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: shop");
    let v = version_of(&sha);
    let r = fixture.tag_gate(&["create", "--service", "shop", "--version", &v]);
    r.ok();
    assert_eq!(r.out("tag"), format!("shop/build-{v}"));
    fixture
        .tag_gate(&[
            "promote",
            "--service",
            "shop",
            "--to",
            "qa",
            "--version",
            &v,
        ])
        .ok();
    let tags = fixture.remote_tags();
    assert!(tags.contains_key(&format!("shop/build-{v}")), "{tags:?}");
    assert!(tags.contains_key(&format!("shop/qa-{v}")), "{tags:?}");
    assert!(!tags.contains_key(&format!("build-{v}")), "{tags:?}");

    // Without --service, the shop's tags are not this scope's.
    let r = fixture.tag_gate(&["require", "--stage", "qa", "--version", &v]);
    r.code(1).says(&[&format!("qa-{v} not found")]);
    let r = fixture.tag_gate(&["latest", "--service", "shop", "--stage", "qa"]);
    r.ok();
    assert_eq!(r.out("version"), v);
    assert_eq!(r.out("tag"), format!("shop/qa-{v}"));
    // The record names the service.
    let r = fixture.tag_gate(&[
        "show",
        "--service",
        "shop",
        "--stage",
        "qa",
        "--version",
        &v,
    ]);
    assert_eq!(r.ok().json()["service"], "shop");
}

#[test]
fn json_prints_one_object_and_nothing_else() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: first");
    let v = version_of(&sha);
    let r = fixture.tag_gate(&["create", "--version", &v, "--json"]);
    r.ok();
    let j = r.json();
    assert_eq!(j["schema"], 1);
    assert_eq!(j["tag"], format!("build-{v}"));
    assert_eq!(j["created"], true);
    assert_eq!(j["sha"], sha.as_str());
}
