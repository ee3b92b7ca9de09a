//! The DESIGN.md example spec, end to end.

use crate::server::Server;
use crate::util::Fixture;
use std::path::PathBuf;

fn example(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/smoke")
        .join(name)
}

#[test]
fn the_design_example_passes_end_to_end() {
    let server = Server::start();
    let fixture = Fixture::new();
    let junit = fixture.path("reports/smoke.xml");
    let run = fixture.smoke(
        &example("design-example.yml"),
        &["--junit", junit.to_str().unwrap()],
        &[("BASE_URL", &server.url), ("API_TOKEN", "tok-123456789")],
    );
    run.assert_code(0);
    assert_eq!(run.outputs["passed"], "true");
    assert_eq!(run.outputs["failed"], "0");
    assert_eq!(run.outputs["skipped"], "0");
    assert_eq!(run.outputs["total"], "4");
    let report = run.report();
    assert_eq!(report["passed"], 4);
    let create = run.check("create item");
    assert_eq!(create["status"], 201);
    assert_eq!(create["captured"]["item_id"], "1");
    let read = run.check("read item");
    assert!(
        read["target"].as_str().unwrap().ends_with("/api/items/1"),
        "{read}"
    );
    assert_eq!(run.check("lambda invoke")["exit_code"], 0);
    // The read waited for the create.
    let log = server.log();
    let post = log.iter().position(|l| l == "POST /api/items").unwrap();
    let get = log.iter().position(|l| l == "GET /api/items/1").unwrap();
    assert!(post < get, "{log:?}");
    // Human lines, a summary table, a JUnit file.
    assert!(run.stderr.contains("✓ version — GET "), "{}", run.stderr);
    assert!(
        run.stderr.contains("4 passed, 0 failed, 0 skipped of 4"),
        "{}",
        run.stderr
    );
    assert!(
        run.summary
            .contains("| check | result | target | time | details |")
    );
    assert!(run.summary.contains("4 of 4 checks passed"));
    assert!(
        std::fs::read_to_string(&junit)
            .unwrap()
            .contains("tests=\"4\" failures=\"0\"")
    );
    assert!(!run.all_text().contains("tok-123456789"));
}

#[test]
fn the_shop_example_passes_with_vars_and_header_captures() {
    let server = Server::start();
    let fixture = Fixture::new();
    let run = fixture.smoke(
        &example("shop.yml"),
        &["--var", "stage=qa"],
        &[("BASE_URL", &server.url)],
    );
    run.assert_code(0);
    assert_eq!(run.outputs["total"], "5");
    let create = run.check("create item");
    assert_eq!(create["captured"]["item_url"], "/api/items/1");
    assert!(server.log().contains(&"GET /api/items/1".to_owned()));
    assert!(
        !run.all_text().contains("local-dev-key"),
        "{}",
        run.all_text()
    );
}

#[test]
fn an_unreachable_service_fails_every_check_with_the_reason() {
    // A port nothing listens on.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let fixture = Fixture::new();
    let base = format!("http://127.0.0.1:{port}");
    let run = fixture.smoke(
        &example("design-example.yml"),
        &[],
        &[("BASE_URL", &base), ("API_TOKEN", "tok-123456789")],
    );
    run.assert_code(1);
    assert_eq!(run.outputs["passed"], "false");
    assert_eq!(run.outputs["failed"], "2");
    assert_eq!(run.outputs["skipped"], "1");
    let version = run.check("version");
    assert_eq!(version["failures"][0]["expectation"], "response");
    assert!(
        version["failures"][0]["got"]
            .as_str()
            .unwrap()
            .contains("refused"),
        "{version}"
    );
    let read = run.check("read item");
    assert_eq!(read["result"], "skipped");
    assert_eq!(
        read["reason"],
        "not run: it uses {{item_id}} captured by 'create item', which failed"
    );
    assert_eq!(run.check("lambda invoke")["result"], "passed");
    assert!(
        run.stderr
            .contains("− read item — skipped: not run: it uses {{item_id}}"),
        "{}",
        run.stderr
    );
}
