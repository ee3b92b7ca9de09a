use probe::testing::{Reply, Script, TestServer, closed_port};
use probe::{ErrorKind, TcpTarget, tcp_probe};
use std::time::Duration;

#[test]
fn tcp_connects_to_a_listener() {
    let server = TestServer::start([("/", Script::always(Reply::text(200, "ok")))]);
    let target = TcpTarget::parse(&format!("127.0.0.1:{}", server.port())).unwrap();
    let ok = crate::rt()
        .block_on(tcp_probe(&target, Duration::from_secs(5)))
        .unwrap();
    assert_eq!(ok.addr, server.addr());
}

#[test]
fn tcp_localhost_falls_back_to_ipv4() {
    let server = TestServer::start([("/", Script::always(Reply::text(200, "ok")))]);
    let target = TcpTarget::parse(&format!("localhost:{}", server.port())).unwrap();
    let ok = crate::rt()
        .block_on(tcp_probe(&target, Duration::from_secs(5)))
        .unwrap();
    assert_eq!(ok.addr, server.addr());
}

#[test]
fn tcp_refused_is_reported_as_such() {
    let target = TcpTarget::parse(&format!("127.0.0.1:{}", closed_port())).unwrap();
    let err = crate::rt()
        .block_on(tcp_probe(&target, Duration::from_secs(5)))
        .unwrap_err();
    assert_eq!(err.kind, ErrorKind::ConnectionRefused, "{err}");
    assert!(
        err.to_string()
            .starts_with("connection refused by 127.0.0.1:"),
        "{err}"
    );
}
