//! HTTP behaviour of the running service.

use crate::support::{Service, closed_by_peer, read_pid_file, read_reply, read_reply_to};
use serde_json::json;
use std::collections::BTreeSet;
use std::io::{BufReader, Write};
use std::time::{Duration, Instant};

#[test]
fn health_and_version_report_the_deployed_version() {
    let svc = Service::start(&[
        "--version-string",
        " 84fb5881-20250120-143022 ",
        "--commit",
        "84fb5881aaaa",
    ]);
    let h = svc.get("/health");
    assert_eq!(h.status, 200);
    assert_eq!(
        h.json(),
        json!({"status": "ok", "version": "84fb5881-20250120-143022"})
    );
    assert_eq!(h.header("content-type"), Some("application/json"));
    assert_eq!(h.header("x-service"), Some("demo-service"));
    assert_eq!(h.header("x-version"), Some("84fb5881-20250120-143022"));
    assert!(h.header("date").unwrap().ends_with(" GMT"));
    let v = svc.get("/version");
    assert_eq!(v.status, 200);
    assert_eq!(
        v.json(),
        json!({"version": "84fb5881-20250120-143022", "commit": "84fb5881aaaa"})
    );
}

#[test]
fn version_and_commit_come_from_the_environment() {
    let svc = Service::start_with_env(&[], &[("DEMO_VERSION", "1.2.3"), ("DEMO_COMMIT", "abc")]);
    assert_eq!(
        svc.get("/version").json(),
        json!({"version": "1.2.3", "commit": "abc"})
    );
}

#[test]
fn start_delay_answers_503_until_ready() {
    let svc = Service::start(&["--start-delay", "700ms", "--version-string", "v1"]);
    let first = svc.get("/health");
    assert_eq!(first.status, 503);
    assert_eq!(first.json()["status"], "starting");
    assert_eq!(first.json()["version"], "v1");
    assert!(first.header("retry-after").is_some());
    // /version answers at once: only health waits.
    assert_eq!(svc.get("/version").status, 200);
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let h = svc.get("/health");
        if h.status == 200 {
            assert_eq!(h.json(), json!({"status": "ok", "version": "v1"}));
            break;
        }
        assert!(Instant::now() < deadline, "never became healthy");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn unhealthy_by_flag_or_env_is_always_503() {
    let by_flag = Service::start(&["--unhealthy", "--version-string", "bad"]);
    let h = by_flag.get("/health");
    assert_eq!(h.status, 503);
    assert_eq!(h.json(), json!({"status": "unhealthy", "version": "bad"}));
    let by_env = Service::start_with_env(&[], &[("DEMO_UNHEALTHY", "1")]);
    assert_eq!(by_env.get("/health").status, 503);
    let not = Service::start_with_env(&[], &[("DEMO_UNHEALTHY", "false")]);
    assert_eq!(not.get("/health").status, 200);
}

#[test]
fn items_can_be_created_and_read() {
    let svc = Service::start(&[]);
    let c = svc.post_json("/api/items", r#"{"name":"widget","tags":["a","b"]}"#);
    assert_eq!(c.status, 201);
    let item = c.json();
    assert_eq!(
        item,
        json!({"id": "1", "name": "widget", "tags": ["a", "b"]})
    );
    assert_eq!(c.header("location"), Some("/api/items/1"));
    let r = svc.get("/api/items/1");
    assert_eq!(r.status, 200);
    assert_eq!(r.json(), item);
    let missing = svc.get("/api/items/999");
    assert_eq!(missing.status, 404);
    assert!(missing.json()["error"].as_str().unwrap().contains("999"));
    assert_eq!(svc.get("/api/items").json()["items"], json!([item]));
}

#[test]
fn bad_items_are_refused() {
    let svc = Service::start(&[]);
    assert_eq!(svc.post_json("/api/items", "{nope").status, 400);
    assert_eq!(svc.post_json("/api/items", r#"{"tags":[]}"#).status, 422);
    let wrong_type = svc.send(
        "POST /api/items HTTP/1.1\r\nHost: t\r\nContent-Type: text/plain\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}",
    );
    assert_eq!(wrong_type.status, 415);
}

#[test]
fn unknown_paths_and_methods() {
    let svc = Service::start(&[]);
    assert_eq!(svc.get("/nope").status, 404);
    let r = svc.send("DELETE /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n");
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("GET, HEAD"));
}

#[test]
fn head_has_length_but_no_body() {
    let svc = Service::start(&[]);
    let mut s = svc.connect();
    s.write_all(b"HEAD /health HTTP/1.1\r\nHost: t\r\n\r\nGET /version HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(s);
    let head = read_reply_to(&mut reader, true);
    assert_eq!(head.status, 200);
    assert!(
        head.header("content-length")
            .unwrap()
            .parse::<usize>()
            .unwrap()
            > 0
    );
    // The next response starts right away: no body bytes were sent.
    let next = read_reply(&mut reader);
    assert_eq!(next.status, 200);
    assert!(next.json().get("commit").is_some());
}

#[test]
fn keep_alive_serves_many_requests_on_one_connection() {
    let svc = Service::start(&[]);
    let mut s = svc.connect();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    for i in 0..5 {
        s.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n\r\n")
            .unwrap();
        let r = read_reply(&mut reader);
        assert_eq!(r.status, 200, "request {i}");
        assert_eq!(r.header("connection"), Some("keep-alive"));
    }
    s.write_all(b"GET /health HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        .unwrap();
    let last = read_reply(&mut reader);
    assert_eq!(last.header("connection"), Some("close"));
    assert!(closed_by_peer(&mut reader));
}

#[test]
fn pipelined_requests_are_answered_in_order() {
    let svc = Service::start(&[]);
    let mut s = svc.connect();
    let body = r#"{"name":"p"}"#;
    let raw = format!(
        "POST /api/items HTTP/1.1\r\nHost: t\r\nContent-Length: {}\r\n\r\n{body}GET /api/items/1 HTTP/1.1\r\nHost: t\r\n\r\nGET /nope HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n",
        body.len()
    );
    s.write_all(raw.as_bytes()).unwrap();
    let mut reader = BufReader::new(s);
    assert_eq!(read_reply(&mut reader).status, 201);
    assert_eq!(read_reply(&mut reader).json()["name"], "p");
    assert_eq!(read_reply(&mut reader).status, 404);
    assert!(closed_by_peer(&mut reader));
}

#[test]
fn http_1_0_closes_unless_keep_alive_is_asked() {
    let svc = Service::start(&[]);
    let mut s = svc.connect();
    s.write_all(b"GET /health HTTP/1.0\r\n\r\n").unwrap();
    let mut reader = BufReader::new(s);
    let r = read_reply(&mut reader);
    assert_eq!(r.status, 200);
    assert_eq!(r.header("connection"), Some("close"));
    assert!(closed_by_peer(&mut reader));

    let mut s = svc.connect();
    s.write_all(b"GET /health HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
        .unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    assert_eq!(
        read_reply(&mut reader).header("connection"),
        Some("keep-alive")
    );
    s.write_all(b"GET /version HTTP/1.0\r\n\r\n").unwrap();
    assert_eq!(read_reply(&mut reader).status, 200);
}

#[test]
fn chunked_and_expect_continue_bodies() {
    let svc = Service::start(&[]);
    let r = svc.send(
        "POST /api/items HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n6\r\n{\"name\r\n9\r\n\":\"chunk\"\r\n1\r\n}\r\n0\r\n\r\n",
    );
    assert_eq!(r.status, 201);
    assert_eq!(r.json()["name"], "chunk");

    let body = r#"{"name":"patient"}"#;
    let mut s = svc.connect();
    s.write_all(
        format!(
            "POST /api/items HTTP/1.1\r\nHost: t\r\nExpect: 100-continue\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        )
        .as_bytes(),
    )
    .unwrap();
    let mut reader = BufReader::new(s.try_clone().unwrap());
    let interim = read_reply(&mut reader);
    assert_eq!(interim.status, 100);
    s.write_all(body.as_bytes()).unwrap();
    let created = read_reply(&mut reader);
    assert_eq!(created.status, 201);
    assert_eq!(created.json()["name"], "patient");
}

#[test]
fn oversized_requests_are_refused_and_the_answer_arrives() {
    let svc = Service::start(&["--max-body-bytes", "1024"]);
    let big = "x".repeat(200_000);
    let mut s = svc.connect();
    // The head announces the size; the server answers 413 without reading
    // the body, then drains what we keep sending.
    let head = format!(
        "POST /api/items HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
        big.len()
    );
    s.write_all(head.as_bytes()).unwrap();
    let _ = s.write_all(big.as_bytes());
    let r = read_reply(&mut BufReader::new(s));
    assert_eq!(r.status, 413);
    assert!(r.json()["error"].as_str().unwrap().contains("1024"));

    let huge_header = format!(
        "GET /health HTTP/1.1\r\nHost: t\r\nX-Big: {}\r\n\r\n",
        "h".repeat(20_000)
    );
    let r = svc.send(&huge_header);
    assert_eq!(r.status, 431);
    assert_eq!(r.header("connection"), Some("close"));
}

#[test]
fn malformed_requests_get_400_and_the_service_keeps_going() {
    let svc = Service::start(&[]);
    assert_eq!(svc.send("HELLO\r\n\r\n").status, 400);
    assert_eq!(svc.send("GET / HTTP/9.9\r\n\r\n").status, 505);
    assert_eq!(svc.send("GET /health HTTP/1.1\r\n\r\n").status, 400);
    assert_eq!(svc.get("/health").status, 200);
}

#[test]
fn a_stalled_client_does_not_block_others() {
    let svc = Service::start(&[]);
    let mut stalled = svc.connect();
    stalled
        .write_all(b"GET /health HTTP/1.1\r\nHost: t\r\n")
        .unwrap();
    let _idle = svc.connect();
    for _ in 0..3 {
        assert_eq!(svc.get("/health").status, 200);
    }
    // The stalled request still completes when its head does.
    stalled.write_all(b"Connection: close\r\n\r\n").unwrap();
    assert_eq!(read_reply(&mut BufReader::new(stalled)).status, 200);
}

#[test]
fn concurrent_clients_get_distinct_ids() {
    let svc = std::sync::Arc::new(Service::start(&[]));
    let handles: Vec<_> = (0..16)
        .map(|i| {
            let svc = std::sync::Arc::clone(&svc);
            std::thread::spawn(move || {
                let r = svc.post_json("/api/items", &format!(r#"{{"name":"n{i}"}}"#));
                assert_eq!(r.status, 201);
                r.json()["id"].as_str().unwrap().to_owned()
            })
        })
        .collect();
    let ids: BTreeSet<u64> = handles
        .into_iter()
        .map(|h| h.join().unwrap().parse().unwrap())
        .collect();
    assert_eq!(ids, (1..=16).collect());
}

#[test]
fn pid_file_is_written_once_listening() {
    let dir = tempfile::tempdir().unwrap();
    let pid_file = dir.path().join("svc.pid");
    let svc = Service::start(&["--pid-file", pid_file.to_str().unwrap()]);
    assert_eq!(read_pid_file(&pid_file), svc.pid());
}
