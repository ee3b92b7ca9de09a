use probe::testing::{Reply, Script, TestServer, closed_port};
use probe::{Client, ClientConfig, ErrorKind, Request, parse_url};

fn client() -> Client {
    Client::new(ClientConfig::default()).unwrap()
}

#[test]
fn a_plain_answer() {
    let server = TestServer::start([("/health", Script::always(Reply::text(200, "ok")))]);
    let resp = crate::rt()
        .block_on(client().send(&Request::get(parse_url(&server.url("/health")).unwrap())))
        .unwrap();
    assert_eq!(resp.status, 200);
    assert_eq!(resp.text(), "ok");
    assert!(!resp.truncated);
    assert!(resp.time_to_headers <= resp.total);
}

#[test]
fn connection_refused() {
    let url = parse_url(&format!("http://127.0.0.1:{}/", closed_port())).unwrap();
    let err = crate::rt()
        .block_on(client().send(&Request::get(url)))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ConnectionRefused, "{err}");
}
