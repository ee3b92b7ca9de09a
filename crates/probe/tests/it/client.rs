use probe::testing::{Reply, Script, TestCa, TestServer, closed_port};
use probe::{CaCert, Client, ClientConfig, ErrorKind, Header, Request, parse_url};
use std::time::{Duration, Instant};

fn client() -> Client {
    Client::new(ClientConfig::default()).unwrap()
}

fn get(server: &TestServer, path: &str) -> Request {
    Request::get(parse_url(&server.url(path)).unwrap())
}

#[test]
fn a_plain_answer() {
    let server = TestServer::start([(
        "/health",
        Script::always(Reply::text(200, "ok").header("x-service", "shop")),
    )]);
    let resp = crate::rt()
        .block_on(client().send(&get(&server, "/health")))
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "ok");
    assert_eq!(resp.header("X-Service").as_deref(), Some("shop"));
    assert_eq!(resp.version, "HTTP/1.1");
    assert!(!resp.truncated);
    assert!(resp.redirects.is_empty());
    assert!(resp.time_to_headers <= resp.total);
    // No compression is asked for; a user agent is sent.
    let seen = &server.requests()[0];
    assert_eq!(seen.header("accept-encoding"), None);
    assert!(
        seen.header("user-agent")
            .unwrap()
            .starts_with("shipgate-probe/")
    );
}

#[test]
fn connection_refused() {
    let url = parse_url(&format!("http://127.0.0.1:{}/", closed_port())).unwrap();
    let err = crate::rt()
        .block_on(client().send(&Request::get(url)))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ConnectionRefused, "{err}");
    assert!(
        err.to_string()
            .starts_with("connection refused by 127.0.0.1:"),
        "{err}"
    );
}

#[test]
fn localhost_reaches_a_server_on_ipv4_only() {
    let server = TestServer::start([("/h", Script::always(Reply::text(200, "ok")))]);
    let url = parse_url(&format!("http://localhost:{}/h", server.port())).unwrap();
    let resp = crate::rt()
        .block_on(client().send(&Request::get(url)))
        .unwrap();
    assert_eq!(resp.status, 200);
}

#[test]
fn slow_headers_time_out() {
    let server = TestServer::start([(
        "/slow",
        Script::always(Reply::text(200, "late").delayed(Duration::from_secs(30))),
    )]);
    let start = Instant::now();
    let err = crate::rt()
        .block_on(client().send(&get(&server, "/slow").timeout(Duration::from_millis(300))))
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(
        err.to_string()
            .starts_with("no response within 300 ms from 127.0.0.1:"),
        "{err}"
    );
    assert_eq!(err.status, None);
}

#[test]
fn a_trickling_body_times_out_with_its_status() {
    let server = TestServer::start([(
        "/trickle",
        Script::always(Reply::Trickle {
            status: 200,
            chunk: b"x".to_vec(),
            every: Duration::from_millis(50),
        }),
    )]);
    let start = Instant::now();
    let err = crate::rt()
        .block_on(client().send(&get(&server, "/trickle").timeout(Duration::from_millis(500))))
        .unwrap_err();
    assert!(start.elapsed() < Duration::from_secs(10));
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert_eq!(err.status, Some(200));
    assert!(err.body_bytes > 0);
    assert!(err.to_string().contains("reading the body (200,"), "{err}");
}

#[test]
fn an_endless_body_is_cut_at_the_cap() {
    let server = TestServer::start([("/endless", Script::always(Reply::Endless { status: 200 }))]);
    let config = ClientConfig {
        body_cap: 256 * 1024,
        ..ClientConfig::default()
    };
    let resp = crate::rt()
        .block_on(Client::new(config).unwrap().send(&get(&server, "/endless")))
        .unwrap();
    assert!(resp.truncated);
    assert_eq!(resp.body.len(), 256 * 1024);
}

#[test]
fn a_huge_body_is_cut_at_one_mebibyte() {
    let big = vec![b'a'; 5 * 1024 * 1024];
    let server = TestServer::start([("/big", Script::always(Reply::bytes(200, big)))]);
    let resp = crate::rt()
        .block_on(client().send(&get(&server, "/big")))
        .unwrap();
    assert!(resp.truncated);
    assert_eq!(resp.body.len(), probe::DEFAULT_BODY_CAP);
    // Exactly at the cap is not truncated.
    let exact = TestServer::start([(
        "/exact",
        Script::always(Reply::bytes(200, vec![b'b'; 1024])),
    )]);
    let config = ClientConfig {
        body_cap: 1024,
        ..ClientConfig::default()
    };
    let resp = crate::rt()
        .block_on(Client::new(config).unwrap().send(&get(&exact, "/exact")))
        .unwrap();
    assert!(!resp.truncated);
    assert_eq!(resp.body.len(), 1024);
}

#[test]
fn invalid_utf8_is_read_lossily() {
    let server = TestServer::start([(
        "/bin",
        Script::always(Reply::bytes(200, b"ok \xff\xfe\x00 end".to_vec())),
    )]);
    let resp = crate::rt()
        .block_on(client().send(&get(&server, "/bin")))
        .unwrap();
    assert_eq!(resp.text(), "ok \u{fffd}\u{fffd}\0 end");
    assert_eq!(resp.excerpt(), "ok \u{fffd}\u{fffd} end");
}

#[test]
fn redirects_are_followed_and_recorded() {
    let server = TestServer::start([
        ("/old", Script::always(Reply::redirect("/new"))),
        ("/new", Script::always(Reply::text(200, "here"))),
    ]);
    let resp = crate::rt()
        .block_on(client().send(&get(&server, "/old")))
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.url.path(), "/new");
    assert_eq!(resp.redirects.len(), 1);
    assert_eq!(resp.redirects[0].path(), "/old");
}

#[test]
fn a_redirect_loop_is_reported_as_a_loop() {
    let server = TestServer::start([
        ("/a", Script::always(Reply::redirect("/b"))),
        ("/b", Script::always(Reply::redirect("/a"))),
    ]);
    let err = crate::rt()
        .block_on(client().send(&get(&server, "/a")))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::RedirectLoop, "{err}");
    assert!(
        err.to_string()
            .starts_with("redirect loop: http://127.0.0.1:"),
        "{err}"
    );
    assert!(err.to_string().contains("/a → http://"), "{err}");
    assert_eq!(server.hits("/a"), 1);
    assert_eq!(server.hits("/b"), 1);
}

#[test]
fn an_endless_redirect_chain_stops_at_the_limit() {
    // Every hop to a new URL: /r?n=1 → /r?n=2 → …
    let replies: Vec<Reply> = (1..=30)
        .map(|n| Reply::redirect(&format!("/r?n={n}")))
        .collect();
    let server = TestServer::start([("/r", Script::sequence(replies))]);
    let err = crate::rt()
        .block_on(client().send(&get(&server, "/r")))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::TooManyRedirects, "{err}");
    assert!(err.to_string().contains("more than 10"), "{err}");
    assert_eq!(server.hits("/r"), 11);
}

#[test]
fn no_redirects_returns_the_3xx() {
    let server = TestServer::start([("/a", Script::always(Reply::redirect("/b")))]);
    let config = ClientConfig {
        max_redirects: 0,
        ..ClientConfig::default()
    };
    let resp = crate::rt()
        .block_on(Client::new(config).unwrap().send(&get(&server, "/a")))
        .unwrap();
    assert_eq!(resp.status, 302);
}

#[test]
fn see_other_continues_as_get_without_body() {
    let server = TestServer::start([
        (
            "/form",
            Script::always(Reply::Redirect {
                status: 303,
                location: "/done".into(),
            }),
        ),
        ("/done", Script::always(Reply::text(200, "done"))),
    ]);
    let req = Request::new(
        probe::Method::POST,
        parse_url(&server.url("/form")).unwrap(),
    )
    .json(serde_json::json!({"a": 1}));
    let resp = crate::rt().block_on(client().send(&req)).unwrap();
    assert_eq!(resp.status, 200);
    let seen = server.requests();
    assert_eq!(seen[0].method, "POST");
    assert_eq!(seen[0].header("content-type"), Some("application/json"));
    assert_eq!(seen[0].body, br#"{"a":1}"#);
    assert_eq!(seen[1].method, "GET");
    assert!(seen[1].body.is_empty());
}

#[test]
fn secrets_do_not_follow_a_redirect_to_another_origin() {
    let other = TestServer::start([("/landing", Script::always(Reply::text(200, "ok")))]);
    let server = TestServer::start([(
        "/go",
        Script::always(Reply::redirect(&other.url("/landing"))),
    )]);
    let req = get(&server, "/go")
        .header(Header::parse("Authorization: Bearer abcdef").unwrap())
        .header(Header::parse("X-Api-Key: k3y-value").unwrap())
        .header(Header::parse("X-Trace: 1").unwrap());
    let resp = crate::rt().block_on(client().send(&req)).unwrap();
    assert_eq!(resp.status, 200);
    let first = &server.requests()[0];
    assert_eq!(first.header("authorization"), Some("Bearer abcdef"));
    let second = &other.requests()[0];
    assert_eq!(second.header("authorization"), None);
    assert_eq!(second.header("x-api-key"), None);
    assert_eq!(second.header("x-trace"), Some("1"));
}

#[test]
fn headers_query_and_body_are_sent() {
    let server = TestServer::start([("/echo", Script::always(Reply::text(201, "made")))]);
    let req = Request::new(
        probe::Method::PUT,
        parse_url(&server.url("/echo?a=1")).unwrap(),
    )
    .query("b", "x y")
    .header(Header::parse("X-One: 1").unwrap())
    .body(b"raw".to_vec());
    let resp = crate::rt().block_on(client().send(&req)).unwrap();
    assert_eq!(resp.status, 201);
    let seen = &server.requests()[0];
    assert_eq!(seen.method, "PUT");
    assert_eq!(seen.target, "/echo?a=1&b=x+y");
    assert_eq!(seen.header("x-one"), Some("1"));
    assert_eq!(seen.body, b"raw");
}

#[test]
fn a_closed_connection_is_an_error_not_a_hang() {
    let server = TestServer::start([("/close", Script::always(Reply::Close))]);
    let err = crate::rt()
        .block_on(client().send(&get(&server, "/close").timeout(Duration::from_secs(5))))
        .unwrap_err();
    assert_ne!(err.kind, ErrorKind::Timeout, "{err}");
}

#[test]
fn tls_with_an_untrusted_certificate_fails_with_a_hint() {
    let ca = TestCa::new();
    let server = TestServer::start_tls([("/h", Script::always(Reply::text(200, "ok")))], &ca);
    let err = crate::rt()
        .block_on(client().send(&get(&server, "/h")))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Tls, "{err}");
    assert!(
        err.hint.as_deref().unwrap().contains("--ca-cert"),
        "{err:?}"
    );
}

#[test]
fn tls_with_the_ca_trusted() {
    let ca = TestCa::new();
    let server = TestServer::start_tls([("/h", Script::always(Reply::text(200, "ok")))], &ca);
    let cert = CaCert::from_pem(ca.ca_pem.as_bytes(), std::path::Path::new("ca.pem")).unwrap();
    let config = ClientConfig {
        ca_certs: vec![cert],
        ..ClientConfig::default()
    };
    let client = Client::new(config).unwrap();
    let rt = crate::rt();
    let resp = rt.block_on(client.send(&get(&server, "/h"))).unwrap();
    assert_eq!(resp.status, 200);
    // The certificate names localhost too.
    let url = parse_url(&format!("https://localhost:{}/h", server.port())).unwrap();
    let resp = rt.block_on(client.send(&Request::get(url))).unwrap();
    assert_eq!(resp.status, 200);
}

#[test]
fn tls_insecure_skips_verification() {
    let ca = TestCa::new();
    let server = TestServer::start_tls([("/h", Script::always(Reply::text(200, "ok")))], &ca);
    let config = ClientConfig {
        insecure: true,
        ..ClientConfig::default()
    };
    let resp = crate::rt()
        .block_on(Client::new(config).unwrap().send(&get(&server, "/h")))
        .unwrap();
    assert_eq!(resp.status, 200);
}

#[test]
fn errors_never_show_url_secrets() {
    let url = parse_url(&format!(
        "http://user:pa55word@127.0.0.1:{}/h?token=t0ps3cret",
        closed_port()
    ))
    .unwrap();
    let err = crate::rt()
        .block_on(client().send(&Request::get(url)))
        .unwrap_err();
    let text = format!("{err} {err:?}");
    assert!(
        !text.contains("pa55word") && !text.contains("t0ps3cret"),
        "{text}"
    );
}

#[test]
fn tls_to_a_silent_port_is_a_tls_handshake_timeout() {
    // Accepts connections (the kernel's backlog) and never says a word.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let url = parse_url(&format!("https://127.0.0.1:{port}/health")).unwrap();
    let rt = crate::rt();
    let want = format!(
        "TLS handshake timed out: 127.0.0.1:{port} accepted the connection but sent no TLS answer"
    );
    // The request's deadline ends it…
    let err = rt
        .block_on(client().send(&Request::get(url.clone()).timeout(Duration::from_millis(400))))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(err.to_string().starts_with(&want), "{err}");
    assert!(
        err.hint.as_deref().unwrap_or("").contains("plain HTTP"),
        "{err:?}"
    );
    // …or the connect bound does.
    let short = Client::new(ClientConfig {
        connect_timeout: Duration::from_millis(300),
        ..ClientConfig::default()
    })
    .unwrap();
    let err = rt
        .block_on(short.send(&Request::get(url).timeout(Duration::from_secs(20))))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(err.to_string().starts_with(&want), "{err}");
}

#[test]
fn a_slow_answer_after_a_tls_handshake_is_no_handshake_timeout() {
    let ca = TestCa::new();
    let server = TestServer::start_tls(
        [(
            "/slow",
            Script::always(Reply::text(200, "late").delayed(Duration::from_secs(30))),
        )],
        &ca,
    );
    let cert = CaCert::from_pem(ca.ca_pem.as_bytes(), std::path::Path::new("ca.pem")).unwrap();
    let client = Client::new(ClientConfig {
        ca_certs: vec![cert],
        ..ClientConfig::default()
    })
    .unwrap();
    let err = crate::rt()
        .block_on(client.send(&get(&server, "/slow").timeout(Duration::from_millis(500))))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::Timeout);
    assert!(
        err.to_string()
            .starts_with("no response within 500 ms from 127.0.0.1:"),
        "{err}"
    );
}
