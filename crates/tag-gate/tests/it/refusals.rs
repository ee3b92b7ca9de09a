//! Every refusal: exit 1, a message naming what is wrong, the newest
//! versions that pass, and the command that fixes it; nothing written.

use crate::support::{Fixture, record_message, version_of};

/// V1 built and in QA; V2 (a later commit) built only.
struct Two {
    fixture: Fixture,
    sha1: String,
    v1: String,
    sha2: String,
    v2: String,
}

fn two() -> Two {
    let mut fixture = Fixture::new();
    let sha1 = fixture.commit("feat: one");
    let v1 = version_of(&sha1);
    let sha2 = fixture.commit("feat: two");
    let v2 = format!("{}-20250121-090000", &sha2[..8]);
    let digest = format!("sha256:{}", "ab".repeat(32));
    fixture
        .tag_gate(&["create", "--version", &v1, "--artifact-digest", &digest])
        .ok();
    fixture
        .tag_gate(&["promote", "--to", "qa", "--version", &v1])
        .ok();
    fixture
        .tag_gate(&["create", "--version", &v2, "--artifact-digest", &digest])
        .ok();
    Two {
        fixture,
        sha1,
        v1,
        sha2,
        v2,
    }
}

impl Two {
    /// Pushes a tag made by hand in the working clone.
    fn push_tag(&self, name: &str) {
        self.fixture
            .git(&["push", "-q", "origin", &format!("refs/tags/{name}")]);
    }

    /// The promotion to prod is refused, names V1 as passing QA, and
    /// writes nothing.
    #[track_caller]
    fn prod_refused(&self, what: &[&str]) -> crate::support::Run {
        let before = self.fixture.remote_refs();
        let r = self
            .fixture
            .tag_gate(&["promote", "--to", "prod", "--version", &self.v2]);
        r.code(1).says(what).says(&[
            &format!("newest versions that pass qa: {}", self.v1),
            &format!(
                "to fix: promote a version that passes qa: tag-gate promote --to prod --version {}",
                self.v1
            ),
        ]);
        assert_eq!(r.out("passed"), "false");
        assert_eq!(self.fixture.remote_refs(), before, "nothing written");
        assert!(r.summary.contains("⛔"), "{}", r.summary);
        r
    }
}

#[test]
fn prod_without_qa() {
    let t = two();
    let before = t.fixture.remote_refs();
    let r = t
        .fixture
        .tag_gate(&["promote", "--to", "prod", "--version", &t.v2]);
    r.code(1).says(&[
        &format!("qa-{} not found", t.v2),
        &format!("version {} has not passed qa", t.v2),
        &format!("newest versions that pass qa: {}", t.v1),
        &format!("to fix: tag-gate promote --to qa --version {}", t.v2),
    ]);
    assert_eq!(r.out("passed"), "false");
    assert_eq!(r.out("tag"), format!("prod-{}", t.v2));
    assert_eq!(t.fixture.remote_refs(), before);

    // require says the same.
    let r = t
        .fixture
        .tag_gate(&["require", "--stage", "qa", "--version", &t.v2]);
    r.code(1).says(&[
        &format!("qa-{} not found", t.v2),
        &format!("newest versions that pass qa: {}", t.v1),
        &format!("to fix: tag-gate promote --to qa --version {}", t.v2),
    ]);

    // Nothing passed build yet: the fix is create.
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: lonely");
    let v = version_of(&sha);
    fixture
        .tag_gate(&["require", "--stage", "build", "--version", &v])
        .code(1)
        .says(&[
            "no version passes build yet",
            &format!("to fix: tag-gate create --stage build --version {v} --artifact FILE"),
        ]);
}

#[test]
fn a_hand_made_lightweight_tag() {
    let t = two();
    let name = format!("qa-{}", t.v2);
    t.fixture.git(&["tag", &name, &t.sha2]);
    t.push_tag(&name);
    t.prod_refused(&[&format!("{name} does not verify"), "lightweight tag"]);

    let r = t
        .fixture
        .tag_gate(&["require", "--stage", "qa", "--version", &t.v2]);
    r.code(1).says(&[
        "lightweight tag",
        "a hand-made tag is refused",
        &format!("newest versions that pass qa: {}", t.v1),
        &format!("tag-gate require --stage qa --version {}", t.v1),
    ]);
}

#[test]
fn allow_unverified_lets_a_lightweight_tag_through_loudly() {
    let t = two();
    let name = format!("qa-{}", t.v2);
    t.fixture.git(&["tag", &name, &t.sha2]);
    t.push_tag(&name);
    let r = t.fixture.tag_gate(&[
        "promote",
        "--to",
        "prod",
        "--version",
        &t.v2,
        "--allow-unverified",
    ]);
    r.ok().says(&[
        "warning: --allow-unverified",
        &format!("accepting {name} although it is a lightweight tag"),
    ]);
    assert_eq!(r.out("created"), "true");
    assert!(
        t.fixture
            .remote_tags()
            .contains_key(&format!("prod-{}", t.v2))
    );
    // On the runner, the warning is an annotation.
    let r = t.fixture.tag_gate_env(
        &[
            "require",
            "--stage",
            "qa",
            "--version",
            &t.v2,
            "--allow-unverified",
        ],
        &[("GITHUB_ACTIONS", "true")],
    );
    r.ok().says(&["::warning"]);
}

#[test]
fn an_annotated_tag_without_a_record() {
    let t = two();
    let name = format!("qa-{}", t.v2);
    t.fixture
        .git(&["tag", "-a", &name, "-m", "QA passed, trust me", &t.sha2]);
    t.push_tag(&name);
    t.prod_refused(&[
        &format!("{name} does not verify"),
        "provenance record is unreadable",
    ]);
}

#[test]
fn a_record_with_broken_json() {
    let t = two();
    let name = format!("qa-{}", t.v2);
    let msg =
        format!("{name}: passed\n\n{{\"schema\": \"shipgate.provenance/v1\", \"version\": \n");
    t.fixture.git(&["tag", "-a", &name, "-m", &msg, &t.sha2]);
    t.push_tag(&name);
    t.prod_refused(&["provenance record is unreadable"]);
}

#[test]
fn a_tag_on_a_commit_that_is_not_the_versions() {
    let t = two();
    // A well-formed record, but the tag and the record name V1's commit.
    let name = format!("qa-{}", t.v2);
    let msg = record_message(&name, "qa", &t.v2, &t.sha1, "2025-01-21T10:00:00Z");
    t.fixture.git(&["tag", "-a", &name, "-m", &msg, &t.sha1]);
    t.push_tag(&name);
    t.prod_refused(&[
        &format!("{name} does not verify"),
        &format!(
            "does not start with the version's short sha {}",
            &t.sha2[..8]
        ),
    ]);
}

#[test]
fn an_earlier_stage_on_another_commit() {
    let t = two();
    // Accepted only with --allow-unverified, and still refused: the build
    // tag and the QA tag of one version name different commits.
    let name = format!("qa-{}", t.v2);
    t.fixture.git(&["tag", &name, &t.sha1]);
    t.push_tag(&name);
    let before = t.fixture.remote_refs();
    let r = t.fixture.tag_gate(&[
        "promote",
        "--to",
        "prod",
        "--version",
        &t.v2,
        "--allow-unverified",
    ]);
    r.code(1).says(&[
        &format!("{name} points at commit {}", t.sha1),
        &format!("build-{} points at {}", t.v2, t.sha2),
        "one version, one commit",
        &format!("newest versions that pass qa: {}", t.v1),
        &format!("tag-gate promote --to prod --version {}", t.v1),
    ]);
    assert_eq!(t.fixture.remote_refs(), before);
}

#[test]
fn a_digest_that_is_not_the_builds() {
    let t = two();
    let other = format!("sha256:{}", "cd".repeat(32));
    let before = t.fixture.remote_refs();
    let r = t.fixture.tag_gate(&[
        "promote",
        "--to",
        "qa",
        "--version",
        &t.v2,
        "--artifact-digest",
        &other,
    ]);
    r.code(1).says(&[
        &format!("artifact digest mismatch for {}", t.v2),
        &format!("records sha256:{}", "ab".repeat(32)),
        &format!("but {other} was given"),
        "deploy the artifact recorded at build",
        // V1 passed build too (and is not V2).
        &format!("newest versions that pass build: {}", t.v1),
        &format!("tag-gate promote --to qa --version {}", t.v1),
    ]);
    assert_eq!(t.fixture.remote_refs(), before);

    // The file itself, hashed.
    let file = t.fixture.dir.path().join("tampered.tar.gz");
    std::fs::write(&file, b"not what was built").unwrap();
    t.fixture
        .tag_gate(&[
            "promote",
            "--to",
            "qa",
            "--version",
            &t.v2,
            "--artifact",
            file.to_str().unwrap(),
        ])
        .code(1)
        .says(&["artifact digest mismatch"]);
    assert_eq!(t.fixture.remote_refs(), before);
}

#[test]
fn a_version_revoked_for_the_target_stage() {
    let t = two();
    t.fixture
        .tag_gate(&["promote", "--to", "qa", "--version", &t.v2])
        .ok();
    let r = t.fixture.tag_gate_env(
        &[
            "revoke",
            "--stage",
            "prod",
            "--version",
            &t.v2,
            "--reason",
            "corrupts orders (INC-42)",
        ],
        &[("GITHUB_ACTOR", "octocat")],
    );
    r.ok();
    assert_eq!(r.out("status"), "revoked");
    assert_eq!(r.out("created"), "true");
    // Revoking again: nothing new.
    let again = t.fixture.tag_gate(&[
        "revoke",
        "--stage",
        "prod",
        "--version",
        &t.v2,
        "--reason",
        "corrupts orders (INC-42)",
    ]);
    again.ok();
    assert_eq!(again.out("created"), "false");
    assert_eq!(again.out("event-id"), r.out("event-id"));

    let tags = t.fixture.remote_tags();
    let r = t
        .fixture
        .tag_gate(&["promote", "--to", "prod", "--version", &t.v2]);
    r.code(1).says(&[
        &format!("version {} is revoked for prod", t.v2),
        "by octocat",
        "corrupts orders (INC-42)",
        &format!("newest versions that pass qa: {}", t.v1),
        &format!("tag-gate promote --to prod --version {}", t.v1),
    ]);
    assert_eq!(t.fixture.remote_tags(), tags);
    // Revoked for prod only: QA still passes it.
    t.fixture
        .tag_gate(&["require", "--stage", "qa", "--version", &t.v2])
        .ok();
    // V1 is not revoked and goes through.
    t.fixture
        .tag_gate(&["promote", "--to", "prod", "--version", &t.v1])
        .ok();
}

#[test]
fn soft_exits_zero_with_passed_false() {
    let t = two();
    let r = t
        .fixture
        .tag_gate(&["promote", "--to", "prod", "--version", &t.v2, "--soft"]);
    r.ok().says(&[&format!("qa-{} not found", t.v2), "--soft"]);
    assert_eq!(r.out("passed"), "false");
    let r = t.fixture.tag_gate_env(
        &["require", "--stage", "qa", "--version", &t.v2],
        &[("INPUT_SOFT", "true")],
    );
    r.ok();
    assert_eq!(r.out("passed"), "false");
    // The action passes soft: "false" by default; that is not soft.
    t.fixture
        .tag_gate_env(
            &["require", "--stage", "qa", "--version", &t.v2],
            &[("INPUT_SOFT", "false")],
        )
        .code(1);
    // A gate that is open says passed=true.
    let r = t
        .fixture
        .tag_gate(&["require", "--stage", "qa", "--version", &t.v1, "--soft"]);
    r.ok();
    assert_eq!(r.out("passed"), "true");
}

#[test]
fn promote_into_the_first_stage_or_an_unknown_one_is_bad_input() {
    let t = two();
    t.fixture
        .tag_gate(&["promote", "--to", "build", "--version", &t.v2])
        .code(2)
        .says(&[
            "the first stage of the chain",
            "tag-gate create --stage build",
        ]);
    t.fixture
        .tag_gate(&["promote", "--to", "staging", "--version", &t.v2])
        .code(2)
        .says(&["'staging' is not a stage of build,qa,prod", "--chain"]);
    t.fixture
        .tag_gate(&["create", "--stage", "qa", "--version", &t.v2])
        .code(2)
        .says(&["not the first stage", "tag-gate promote --to qa"]);
}

#[test]
fn a_custom_chain() {
    let t = two();
    t.fixture
        .tag_gate(&[
            "promote",
            "--chain",
            "build,staging,prod",
            "--to",
            "staging",
            "--version",
            &t.v2,
        ])
        .ok();
    t.fixture
        .tag_gate(&[
            "promote",
            "--chain",
            "build,staging,prod",
            "--to",
            "prod",
            "--version",
            &t.v2,
        ])
        .ok();
    // The default chain still wants QA.
    t.fixture
        .tag_gate(&["require", "--stage", "qa", "--version", &t.v2])
        .code(1);
}

/// The only version built, promoted with another file than the one built:
/// the message says the digest differs (both shown), that the build tag
/// itself is fine, and how to get the right file; never "no version passes".
#[test]
fn another_file_than_the_one_built_with_a_service() {
    use crate::support::sha256_hex;
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: shop");
    let v = version_of(&sha);
    let built = fixture.dir.path().join("shop.tar.gz");
    std::fs::write(&built, b"the artifact that was built").unwrap();
    let other = fixture.dir.path().join("other.tar.gz");
    std::fs::write(&other, b"some other file").unwrap();
    let run = [
        ("GITHUB_RUN_ID", "4242"),
        ("GITHUB_SERVER_URL", "https://github.com"),
        ("GITHUB_REPOSITORY", "o/r"),
    ];
    fixture
        .tag_gate_env(
            &[
                "--service",
                "shop",
                "create",
                "--version",
                &v,
                "--artifact",
                built.to_str().unwrap(),
                "--artifact-id",
                "777",
                "--backend",
                "git",
            ],
            &run,
        )
        .ok();
    let before = fixture.remote_refs();
    let r = fixture.tag_gate(&[
        "--service",
        "shop",
        "promote",
        "--to",
        "qa",
        "--version",
        &v,
        "--artifact",
        other.to_str().unwrap(),
    ]);
    r.code(1).says(&[
        &format!("artifact digest mismatch for {v}"),
        &format!(
            "shop/build-{v} records sha256:{}",
            sha256_hex(b"the artifact that was built")
        ),
        &format!("but sha256:{} was given", sha256_hex(b"some other file")),
        &format!("shop/build-{v} itself is fine"),
        "only the artifact differs",
        "artifact 777",
        "https://github.com/o/r/actions/runs/4242",
        "tag-gate create --stage build --version NEW --artifact FILE --service shop",
    ]);
    assert!(
        !r.stderr.contains("no version passes"),
        "a version passes shop/build: {}",
        r.stderr
    );
    assert_eq!(fixture.remote_refs(), before, "nothing written");
}
