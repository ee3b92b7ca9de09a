//! The registry engine against a real CNCF distribution registry on
//! 127.0.0.1 (Debian's docker-registry), started per test.

use std::net::TcpListener;
use std::time::{Duration, Instant};

use gha::exit::{Classify, ErrorClass};
use registry::testing::{
    FaultProxy, PASSWORD, TestAuth, TestRegistry, USER, client_for, push_image, push_index,
};
use registry::{CredentialSource, Credentials, ImageRef, Options, Registry, RegistryError, Secret};

macro_rules! registry_or_skip {
    ($auth:expr) => {
        match TestRegistry::start($auth) {
            Some(r) => r,
            None => return,
        }
    };
}

#[test]
fn resolves_a_tag_and_checks_a_digest() {
    let reg = registry_or_skip!(TestAuth::Htpasswd);
    let client = reg.client();
    let tagged = reg.image("team/app:1.0");
    let digest = push_image(&client, &tagged, "one");
    assert_eq!(client.resolve(&tagged).unwrap(), digest);
    let pinned = reg.image(&format!("team/app@{digest}"));
    assert_eq!(client.resolve(&pinned).unwrap(), digest);
    assert!(client.exists(&pinned).unwrap());

    let missing = reg.image("team/app:nope");
    let e = client.resolve(&missing).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.class(), ErrorClass::Denied);
    assert!(e.to_string().contains("team/app:nope"), "{e}");
}

#[test]
fn a_multi_platform_index_resolves_to_the_index_digest() {
    let reg = registry_or_skip!(TestAuth::Htpasswd);
    let client = reg.client();
    let image = reg.image("team/multi:2.0");
    let index = push_index(&client, &image, "multi");
    assert_eq!(client.resolve(&image).unwrap(), index);
    let (_, media, digest) = client.manifest(&image).unwrap();
    assert_eq!(media, "application/vnd.oci.image.index.v1+json");
    assert_eq!(digest, index);
    // an index retagged into another repository brings its manifests along
    let other = reg.image("prod/multi");
    let done = client
        .retag(&image.at_digest(&index), Some(&other), &["prod"])
        .unwrap();
    assert!(done[0].moved);
    assert_eq!(
        client.resolve(&reg.image("prod/multi:prod")).unwrap(),
        index
    );
}

#[test]
fn retag_copies_the_manifest_and_is_idempotent() {
    let reg = registry_or_skip!(TestAuth::Htpasswd);
    let client = reg.client();
    let built = reg.image("team/app:build-1");
    let digest = push_image(&client, &built, "v1");
    let source = built.at_digest(&digest);

    let first = client.retag(&source, None, &["qa", "qa-1"]).unwrap();
    assert_eq!(
        first.iter().map(|r| r.moved).collect::<Vec<_>>(),
        [true, true]
    );
    assert_eq!(
        first[0].target.to_string(),
        format!("{}/team/app:qa", reg.host)
    );
    for tag in ["team/app:qa", "team/app:qa-1"] {
        assert_eq!(client.resolve(&reg.image(tag)).unwrap(), digest);
    }
    let again = client.retag(&source, None, &["qa", "qa-1"]).unwrap();
    assert_eq!(
        again.iter().map(|r| r.moved).collect::<Vec<_>>(),
        [false, false]
    );

    // moving the tag to another digest, then back (a rollback)
    let v2 = push_image(&client, &reg.image("team/app:build-2"), "v2");
    client.retag(&built.at_digest(&v2), None, &["qa"]).unwrap();
    assert_eq!(client.resolve(&reg.image("team/app:qa")).unwrap(), v2);
    let back = client.retag(&source, None, &["qa"]).unwrap();
    assert!(back[0].moved);
    assert_eq!(client.resolve(&reg.image("team/app:qa")).unwrap(), digest);

    // into another repository: blobs mounted, no layer pushed
    let prod_repo = reg.image("prod/app");
    client.retag(&source, Some(&prod_repo), &["prod"]).unwrap();
    assert_eq!(client.resolve(&reg.image("prod/app:prod")).unwrap(), digest);
}

#[test]
fn two_racing_retags_both_succeed_with_one_result() {
    let reg = registry_or_skip!(TestAuth::Htpasswd);
    let client = reg.client();
    let digest = push_image(&client, &reg.image("team/app:build"), "race");
    let source = reg.image(&format!("team/app@{digest}"));
    let host = reg.host.clone();
    let racers: Vec<_> = (0..2)
        .map(|_| {
            let (host, source) = (host.clone(), source.clone());
            std::thread::spawn(move || {
                let c = client_for(&host, TestRegistry::credentials());
                c.retag(&source, None, &["prod", "prod-1"]).unwrap()
            })
        })
        .collect();
    for r in racers {
        let done = r.join().unwrap();
        assert!(done.iter().all(|t| t.digest == digest));
    }
    assert_eq!(client.resolve(&reg.image("team/app:prod")).unwrap(), digest);
    assert_eq!(
        client.resolve(&reg.image("team/app:prod-1")).unwrap(),
        digest
    );
}

#[test]
fn a_deleted_digest_is_refused_clearly() {
    let reg = registry_or_skip!(TestAuth::Htpasswd);
    let client = reg.client();
    let digest = push_image(&client, &reg.image("team/app:gone"), "gone");
    reg.delete_manifest("team/app", &digest);
    let pinned = reg.image(&format!("team/app@{digest}"));
    assert!(!client.exists(&pinned).unwrap());
    let e = client.retag(&pinned, None, &["qa"]).unwrap_err();
    assert!(e.is_not_found(), "{e}");
    assert_eq!(e.class(), ErrorClass::Denied);
    assert!(e.to_string().contains(&digest.to_string()), "{e}");
    assert!(e.to_string().contains("does not serve"), "{e}");
}

#[test]
fn bad_credentials_are_refused_naming_their_source() {
    for auth in [TestAuth::Htpasswd, TestAuth::Token] {
        let reg = registry_or_skip!(auth);
        let good = reg.client();
        let image = reg.image("team/app:1");
        push_image(&good, &image, "creds");
        let source = CredentialSource::DockerConfig {
            path: "/home/u/.docker/config.json".into(),
            key: reg.host.clone(),
        };
        let bad = client_for(
            &reg.host,
            Credentials::basic(USER, Secret::new("wrong"), source),
        );
        let e = bad.resolve(&image).unwrap_err();
        assert_eq!(e.class(), ErrorClass::Environment, "{auth:?}: {e}");
        assert!(
            matches!(e, RegistryError::Unauthorized { .. }),
            "{auth:?}: {e}"
        );
        let text = e.to_string();
        assert!(
            text.contains("/home/u/.docker/config.json"),
            "{auth:?}: {text}"
        );
        assert!(!text.contains("wrong"), "the password leaked: {text}");
        assert!(e.hint().is_some());
        let anonymous = client_for(&reg.host, Credentials::anonymous());
        let e = anonymous.resolve(&image).unwrap_err();
        assert!(e.to_string().contains("no credentials (anonymous)"), "{e}");
    }
}

#[test]
fn token_auth_pushes_resolves_and_retags() {
    let reg = registry_or_skip!(TestAuth::Token);
    let client = reg.client();
    let image = reg.image("team/app:build-7");
    let digest = push_image(&client, &image, "token");
    assert_eq!(client.resolve(&image).unwrap(), digest);
    let done = client
        .retag(&image.at_digest(&digest), None, &["qa", "qa-7"])
        .unwrap();
    assert!(done.iter().all(|r| r.moved));
    assert_eq!(
        client_for(&reg.host, TestRegistry::credentials())
            .resolve(&reg.image("team/app:qa-7"))
            .unwrap(),
        digest
    );
    assert!(reg.token_server.as_ref().unwrap().issued() > 0);
}

#[test]
fn server_errors_are_retried_then_succeed() {
    let reg = registry_or_skip!(TestAuth::Htpasswd);
    let digest = push_image(&reg.client(), &reg.image("team/app:1"), "retry");
    let proxy = FaultProxy::start(&reg.host);
    let client = client_for(&proxy.host, TestRegistry::credentials());
    let image: ImageRef = format!("{}/team/app:1", proxy.host).parse().unwrap();
    proxy.fail_next(2, 503);
    assert_eq!(client.resolve(&image).unwrap(), digest);
    let seen = proxy.take_requests();
    assert!(seen.len() >= 3, "two failures and a success: {seen:?}");
    proxy.fail_next(1, 429);
    let done = client
        .retag(&image.at_digest(&digest), None, &["qa"])
        .unwrap();
    assert!(done[0].moved);
    // failing more often than the attempts allow: an environment error
    proxy.fail_next(10, 502);
    let e = client.resolve(&image).unwrap_err();
    assert_eq!(e.class(), ErrorClass::Environment, "{e}");
    assert!(e.to_string().contains("502"), "{e}");
}

/// The requests one `tag-gate promote --retag` costs: point `S` and `S-V`
/// at the recorded digest (its GET also proves it is served), plus the
/// handshakes.
#[test]
#[allow(clippy::print_stderr)]
fn requests_one_promotion_costs() {
    for auth in [TestAuth::Htpasswd, TestAuth::Token] {
        let reg = registry_or_skip!(auth);
        let digest = push_image(&reg.client(), &reg.image("team/app:build-1"), "count");
        let proxy = FaultProxy::start(&reg.host);
        let before = reg.token_server.as_ref().map_or(0, |t| t.issued());
        let client = client_for(&proxy.host, TestRegistry::credentials());
        let pinned: ImageRef = format!("{}/team/app@{digest}", proxy.host).parse().unwrap();
        client.retag(&pinned, None, &["qa", "qa-1"]).unwrap();
        let seen = proxy.take_requests();
        let tokens = reg.token_server.as_ref().map_or(0, |t| t.issued()) - before;
        eprintln!(
            "{auth:?}: {} registry requests + {tokens} token requests: {seen:?}",
            seen.len()
        );
        // the source manifest read once, each tag looked at (a missing tag's
        // HEAD 404 is followed by a GET, oci-client's fallback) and written;
        // no blob is read or written
        let manifests = |m: &str| {
            seen.iter()
                .filter(|r| r.starts_with(m) && r.contains("/manifests/"))
                .count()
        };
        assert_eq!(
            (manifests("HEAD "), manifests("GET "), manifests("PUT ")),
            (2, 3, 2),
            "{seen:?}"
        );
        assert!(!seen.iter().any(|r| r.contains("/blobs/")), "{seen:?}");
        assert_eq!(seen.len(), 9, "{seen:?}");
        // a second run finds both tags in place: no manifest written
        client.retag(&pinned, None, &["qa", "qa-1"]).unwrap();
        let seen = proxy.take_requests();
        assert!(!seen.iter().any(|r| r.starts_with("PUT ")), "{seen:?}");
    }
}

#[test]
fn a_registry_that_does_not_answer_fails_within_the_deadline() {
    // accepts connections (the kernel's backlog) but never answers
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let host = silent.local_addr().unwrap().to_string();
    let opts = Options {
        timeout: Duration::from_millis(500),
        attempts: 2,
        backoff: Duration::from_millis(10),
    };
    let client = Registry::new(&host, TestRegistry::credentials(), false, opts).unwrap();
    let started = Instant::now();
    let e = client
        .resolve(&format!("{host}/team/app:1").parse().unwrap())
        .unwrap_err();
    assert!(
        started.elapsed() < Duration::from_secs(30),
        "unbounded: {:?}",
        started.elapsed()
    );
    assert!(
        matches!(e, RegistryError::Unreachable { attempts: 2, .. }),
        "{e}"
    );
    assert_eq!(e.class(), ErrorClass::Environment);
    assert!(e.to_string().contains(&host), "{e}");

    // nothing listening at all
    let closed = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let client = Registry::new(&closed, Credentials::anonymous(), false, opts).unwrap();
    let e = client
        .resolve(&format!("{closed}/team/app:1").parse().unwrap())
        .unwrap_err();
    assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
    drop(silent);
}

/// Plain HTTP only to 127.0.0.1/localhost (as Docker does): the same
/// plain-HTTP registry, reached as `localhost:PORT`, answers; reached
/// through 127.0.0.2 (loopback too, but not local by name) the client
/// speaks TLS, which fails, and no plain-HTTP request is ever sent.
#[test]
fn plain_http_only_to_localhost() {
    let reg = registry_or_skip!(TestAuth::Htpasswd);
    let digest = push_image(&reg.client(), &reg.image("team/app:1"), "http");
    let port = reg.host.rsplit(':').next().unwrap();
    let local = format!("localhost:{port}");
    let image: ImageRef = format!("{local}/team/app:1").parse().unwrap();
    assert!(image.is_local());
    assert_eq!(
        client_for(&local, TestRegistry::credentials())
            .resolve(&image)
            .unwrap(),
        digest
    );

    let proxy = FaultProxy::start_on("127.0.0.2", &reg.host);
    let image: ImageRef = format!("{}/team/app:1", proxy.host).parse().unwrap();
    assert!(!image.is_local());
    let client = client_for(&proxy.host, TestRegistry::credentials());
    let e = client.resolve(&image).unwrap_err();
    assert!(matches!(e, RegistryError::Unreachable { .. }), "{e}");
    assert_eq!(e.class(), ErrorClass::Environment);
    assert!(e.to_string().contains(&proxy.host), "{e}");
    assert_eq!(
        proxy.take_requests(),
        Vec::<String>::new(),
        "a plain-HTTP request reached a registry that is not local"
    );
}

#[test]
fn the_test_registry_user_is_fixed() {
    assert_eq!((USER, PASSWORD.len() > 8), ("shipgate", true));
}
