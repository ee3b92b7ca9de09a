//! Container images through a real registry (Debian's docker-registry on
//! 127.0.0.1, htpasswd auth): record, gate, retag, roll back.

use base64::Engine as _;
use registry::testing::{PASSWORD, TestAuth, TestRegistry, USER, push_image};

use crate::support::{Fixture, version_of};

macro_rules! registry_or_skip {
    () => {
        match TestRegistry::start(TestAuth::Htpasswd) {
            Some(r) => r,
            None => return,
        }
    };
}

/// `docker login`'s file in the fixture's HOME (~/.docker/config.json).
fn docker_login(fixture: &Fixture, host: &str) {
    let dir = fixture.home.join(".docker");
    std::fs::create_dir_all(&dir).unwrap();
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:{PASSWORD}"));
    std::fs::write(
        dir.join("config.json"),
        format!(r#"{{"auths": {{"{host}": {{"auth": "{auth}"}}}}}}"#),
    )
    .unwrap();
}

#[test]
fn an_image_is_recorded_promoted_retagged_and_rolled_back() {
    let reg = registry_or_skip!();
    let client = reg.client();
    let mut fixture = Fixture::new();
    docker_login(&fixture, &reg.host);
    let v1 = version_of(&fixture.commit("feat: one"));
    let d1 = push_image(&client, &reg.image(&format!("team/app:{v1}")), "one");
    let repo = format!("{}/team/app", reg.host);

    // recorded by tag: resolved to the digest through the registry
    let r = fixture.tag_gate(&[
        "create",
        "--version",
        &v1,
        "--image",
        &format!("{repo}:{v1}"),
    ]);
    r.ok().says(&[&format!("is served as {d1}")]);
    assert_eq!(r.out("image"), format!("{repo}@{d1}"));
    assert_eq!(r.out("image-digest"), d1.to_string());
    let record: serde_json::Value = serde_json::from_str(r.out("record")).unwrap();
    assert_eq!(record["image_digest"], d1.to_string());
    assert_eq!(record["image"], format!("{repo}@{d1}"));

    // promoted by digest, the registry's tags moved before the git tag
    let pinned = format!("{repo}@{d1}");
    let r = fixture.tag_gate(&[
        "promote",
        "--to",
        "qa",
        "--version",
        &v1,
        "--image",
        &pinned,
        "--retag",
    ]);
    r.ok().says(&[&format!("{repo}:qa now names {d1}")]);
    assert_eq!(r.out("retagged"), format!("{repo}:qa,{repo}:qa-{v1}"));
    assert_eq!(r.out("image-digest"), d1.to_string());
    assert_eq!(client.resolve(&reg.image("team/app:qa")).unwrap(), d1);
    assert_eq!(
        client
            .resolve(&reg.image(&format!("team/app:qa-{v1}")))
            .unwrap(),
        d1
    );
    // again: nothing moves, exit 0
    fixture
        .tag_gate(&["promote", "--to", "qa", "--version", &v1, "--retag"])
        .ok()
        .says(&["already named"]);
    // require with the image
    fixture
        .tag_gate(&[
            "require",
            "--stage",
            "qa",
            "--version",
            &v1,
            "--image",
            &pinned,
        ])
        .ok();
    fixture
        .tag_gate(&["promote", "--to", "prod", "--version", &v1, "--retag"])
        .ok();

    // a second version reaches prod, then prod's image is rolled back
    let v2 = version_of(&fixture.commit("feat: two"));
    let d2 = push_image(&client, &reg.image(&format!("team/app:{v2}")), "two");
    let pinned2 = format!("{repo}@{d2}");
    fixture
        .tag_gate(&["create", "--version", &v2, "--image", &pinned2])
        .ok();
    fixture
        .tag_gate(&["promote", "--to", "qa", "--version", &v2, "--retag"])
        .ok();
    fixture
        .tag_gate(&["promote", "--to", "prod", "--version", &v2, "--retag"])
        .ok();
    assert_eq!(client.resolve(&reg.image("team/app:prod")).unwrap(), d2);
    let r = fixture.tag_gate(&["retag", "--stage", "prod", "--version", &v1]);
    r.ok().says(&[&format!("{repo}:prod now names {d1}")]);
    assert_eq!(r.stdout.trim(), pinned);
    assert_eq!(client.resolve(&reg.image("team/app:prod")).unwrap(), d1);
    assert_eq!(
        client
            .resolve(&reg.image(&format!("team/app:prod-{v2}")))
            .unwrap(),
        d2
    );
}

#[test]
fn another_image_or_a_deleted_one_is_refused_and_no_tag_is_written() {
    let reg = registry_or_skip!();
    let client = reg.client();
    let mut fixture = Fixture::new();
    let v = version_of(&fixture.commit("feat: one"));
    let repo = format!("{}/team/app", reg.host);
    let built = push_image(&client, &reg.image(&format!("team/app:{v}")), "built");
    let other = push_image(&client, &reg.image("team/app:other"), "other");
    let creds = ["--registry-username", USER, "--registry-password", PASSWORD];
    fn with<'a>(args: &[&'a str], creds: &[&'a str]) -> Vec<&'a str> {
        [args, creds].concat()
    }

    fixture
        .tag_gate(&with(
            &[
                "create",
                "--version",
                &v,
                "--image",
                &format!("{repo}@{built}"),
            ],
            &creds,
        ))
        .ok();

    // a digest swapped after build
    let r = fixture.tag_gate(&with(
        &[
            "promote",
            "--to",
            "qa",
            "--version",
            &v,
            "--image",
            &format!("{repo}@{other}"),
        ],
        &creds,
    ));
    r.code(1).says(&[
        "is not the one recorded at build",
        &built.to_string(),
        "itself is fine",
    ]);
    assert!(!r.stderr.contains(PASSWORD));
    // the version is fine: no advice to promote another, no file to pass
    assert!(
        !r.stderr.contains("promote a version that passes"),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("--artifact FILE"), "{}", r.stderr);
    // by a moving tag that now names another image
    fixture
        .tag_gate(&with(
            &[
                "promote",
                "--to",
                "qa",
                "--version",
                &v,
                "--image",
                &format!("{repo}:other"),
            ],
            &creds,
        ))
        .code(1)
        .says(&["is not the one recorded at build"]);

    // deleted by a retention policy: refused, with what to rebuild
    reg.delete_manifest("team/app", &built);
    let r = fixture.tag_gate(&with(
        &["promote", "--to", "qa", "--version", &v, "--retag"],
        &creds,
    ));
    r.code(1)
        .says(&["no longer serves", "retention policy", "rebuild"]);
    assert!(
        !fixture.remote_tags().keys().any(|t| t.starts_with("qa-")),
        "{:?}",
        fixture.remote_tags()
    );
    let pinned = format!("{repo}@{built}");
    fixture
        .tag_gate(&with(
            &["promote", "--to", "qa", "--version", &v, "--image", &pinned],
            &creds,
        ))
        .code(1)
        .says(&["no longer serves"]);
    // unless the check is skipped (a deploy from elsewhere)
    fixture
        .tag_gate(&with(
            &[
                "promote",
                "--to",
                "qa",
                "--version",
                &v,
                "--image",
                &pinned,
                "--no-registry-check",
            ],
            &creds,
        ))
        .ok();
    fixture
        .tag_gate(&with(
            &[
                "require",
                "--stage",
                "qa",
                "--version",
                &v,
                "--image",
                &pinned,
            ],
            &creds,
        ))
        .code(1)
        .says(&["no longer serves"]);
}

#[test]
fn bad_credentials_and_a_registry_that_is_down_exit_3() {
    let reg = registry_or_skip!();
    let client = reg.client();
    let mut fixture = Fixture::new();
    let v = version_of(&fixture.commit("feat: one"));
    let repo = format!("{}/team/app", reg.host);
    let d = push_image(&client, &reg.image(&format!("team/app:{v}")), "creds");
    let r = fixture.tag_gate(&[
        "create",
        "--version",
        &v,
        "--image",
        &format!("{repo}:{v}"),
        "--registry-username",
        USER,
        "--registry-password",
        "not-the-password",
    ]);
    r.code(3)
        .says(&["refused --registry-username/--registry-password"]);
    assert!(!r.stderr.contains("not-the-password"), "{}", r.stderr);
    assert!(fixture.remote_tags().is_empty());
    // the Docker config file named as the source
    docker_login(&fixture, "127.0.0.1:1");
    let wrong = base64::engine::general_purpose::STANDARD.encode(format!("{USER}:nope"));
    std::fs::write(
        fixture.home.join(".docker/config.json"),
        format!(r#"{{"auths": {{"{}": {{"auth": "{wrong}"}}}}}}"#, reg.host),
    )
    .unwrap();
    fixture
        .tag_gate(&["create", "--version", &v, "--image", &format!("{repo}@{d}")])
        .code(3)
        .says(&["the Docker config file", ".docker/config.json"]);
    // nothing listening: exit 3 after bounded retries
    let closed = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap();
    fixture
        .tag_gate(&[
            "create",
            "--version",
            &v,
            "--image",
            &format!("{closed}/team/app@{d}"),
        ])
        .code(3)
        .says(&["did not answer", &closed.to_string()]);
    // a registry that accepts and never answers: --registry-timeout bounds
    // each of the 4 attempts (1 s each, backoff 0.5 + 1 + 2 s)
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let silent_addr = silent.local_addr().unwrap();
    let started = std::time::Instant::now();
    fixture
        .tag_gate(&[
            "create",
            "--version",
            &v,
            "--image",
            &format!("{silent_addr}/team/app@{d}"),
            "--registry-timeout",
            "1s",
        ])
        .code(3)
        .says(&[&silent_addr.to_string()]);
    assert!(
        started.elapsed() < std::time::Duration::from_secs(60),
        "a silent registry held tag-gate {:?} (the default would be about 2 min)",
        started.elapsed()
    );
    drop(silent);
    fixture
        .tag_gate(&["create", "--version", &v, "--registry-timeout", "0s"])
        .code(2)
        .says(&["invalid registry timeout '0s'"]);
    // a tag with --no-registry-check cannot be resolved: bad input
    fixture
        .tag_gate(&[
            "create",
            "--version",
            &v,
            "--image",
            &format!("{repo}:{v}"),
            "--no-registry-check",
        ])
        .code(2)
        .says(&["names a tag"]);
    fixture
        .tag_gate(&["create", "--version", &v, "--image", "https://x/y:1"])
        .code(2)
        .says(&["not an image reference"]);
}
