//! The JUnit file, parsed back with a real XML parser and checked against
//! the shape CI tools read (junit-10.xsd): testsuites > testsuite >
//! properties?, testcase*; testcase children skipped | failure |
//! system-out; numeric counts and times that add up.

use crate::server::Server;
use crate::util::Fixture;
use quick_xml::events::Event;
use quick_xml::{Reader, XmlVersion};
use std::collections::HashMap;

#[derive(Debug, Default)]
struct Node {
    name: String,
    attrs: HashMap<String, String>,
    children: Vec<Node>,
    text: String,
}

fn parse(xml: &str) -> Node {
    let mut reader = Reader::from_str(xml);
    let mut stack: Vec<Node> = vec![Node::default()];
    loop {
        match reader.read_event().expect("well-formed XML") {
            Event::Decl(_) => {}
            Event::Start(e) => stack.push(node(&e)),
            Event::Empty(e) => {
                let n = node(&e);
                stack.last_mut().unwrap().children.push(n);
            }
            Event::End(_) => {
                let n = stack.pop().unwrap();
                stack.last_mut().unwrap().children.push(n);
            }
            Event::Text(t) => {
                let text = t.xml_content(XmlVersion::Implicit1_0).into_owned();
                stack.last_mut().unwrap().text.push_str(&text);
            }
            Event::GeneralRef(r) => {
                let name = r.xml_content(XmlVersion::Implicit1_0).into_owned();
                let c = match name.as_str() {
                    "amp" => "&".to_owned(),
                    "lt" => "<".to_owned(),
                    "gt" => ">".to_owned(),
                    "quot" => "\"".to_owned(),
                    "apos" => "'".to_owned(),
                    other => {
                        let code = other
                            .strip_prefix("#x")
                            .map(|h| u32::from_str_radix(h, 16).unwrap())
                            .or_else(|| other.strip_prefix('#').map(|d| d.parse().unwrap()))
                            .unwrap_or_else(|| panic!("unknown entity {other}"));
                        char::from_u32(code).unwrap().to_string()
                    }
                };
                stack.last_mut().unwrap().text.push_str(&c);
            }
            Event::Eof => break,
            other => panic!("unexpected XML event {other:?}"),
        }
    }
    assert_eq!(stack.len(), 1, "unbalanced XML");
    let mut root = stack.pop().unwrap();
    assert_eq!(root.children.len(), 1, "one root element");
    root.children.pop().unwrap()
}

fn node(e: &quick_xml::events::BytesStart<'_>) -> Node {
    let mut attrs = HashMap::new();
    for a in e.attributes() {
        let a = a.expect("valid attribute");
        let key = a.key.as_ref().to_owned();
        let value = a
            .normalized_value(XmlVersion::Implicit1_0)
            .expect("valid attribute value")
            .into_owned();
        assert!(
            attrs.insert(key.clone(), value).is_none(),
            "duplicate attribute {key}"
        );
    }
    Node {
        name: e.name().as_ref().to_owned(),
        attrs,
        ..Node::default()
    }
}

fn num(n: &Node, key: &str) -> u64 {
    n.attrs[key]
        .parse()
        .unwrap_or_else(|_| panic!("{key} is not a count: {:?}", n.attrs[key]))
}

fn secs(n: &Node) -> f64 {
    let t: f64 = n.attrs["time"].parse().expect("time in seconds");
    assert!(t >= 0.0);
    t
}

/// The schema's rules, by hand.
fn assert_valid(root: &Node) {
    assert_eq!(root.name, "testsuites");
    for key in root.attrs.keys() {
        assert!(
            [
                "name", "time", "tests", "failures", "disabled", "errors", "skipped"
            ]
            .contains(&key.as_str()),
            "testsuites@{key}"
        );
    }
    for suite in &root.children {
        assert_eq!(suite.name, "testsuite");
        for key in [
            "name",
            "tests",
            "failures",
            "errors",
            "skipped",
            "time",
            "timestamp",
        ] {
            assert!(suite.attrs.contains_key(key), "testsuite@{key} missing");
        }
        let ts = &suite.attrs["timestamp"];
        assert!(
            jiff::civil::DateTime::strptime("%Y-%m-%dT%H:%M:%S", ts).is_ok(),
            "timestamp {ts}"
        );
        let cases: Vec<&Node> = suite
            .children
            .iter()
            .filter(|c| c.name == "testcase")
            .collect();
        for c in &suite.children {
            assert!(
                ["properties", "testcase", "system-out", "system-err"].contains(&c.name.as_str()),
                "testsuite > {}",
                c.name
            );
            if c.name == "properties" {
                for p in &c.children {
                    assert_eq!(p.name, "property");
                    assert!(p.attrs.contains_key("name") && p.attrs.contains_key("value"));
                }
            }
        }
        assert_eq!(num(suite, "tests"), cases.len() as u64);
        let failed = cases
            .iter()
            .filter(|c| c.children.iter().any(|x| x.name == "failure"))
            .count();
        let skipped = cases
            .iter()
            .filter(|c| c.children.iter().any(|x| x.name == "skipped"))
            .count();
        assert_eq!(num(suite, "failures"), failed as u64);
        assert_eq!(num(suite, "skipped"), skipped as u64);
        assert_eq!(num(suite, "errors"), 0);
        secs(suite);
        for case in cases {
            assert!(case.attrs.contains_key("name") && case.attrs.contains_key("classname"));
            secs(case);
            let mut order = Vec::new();
            for child in &case.children {
                let rank = match child.name.as_str() {
                    "skipped" => 0,
                    "error" => 1,
                    "failure" => 2,
                    "system-out" => 3,
                    "system-err" => 4,
                    other => panic!("testcase > {other}"),
                };
                order.push(rank);
            }
            assert!(
                order.windows(2).all(|w| w[0] <= w[1]),
                "child order {order:?}"
            );
        }
    }
    assert_eq!(
        num(root, "tests"),
        root.children.iter().map(|s| num(s, "tests")).sum::<u64>()
    );
}

#[test]
fn junit_has_one_testcase_per_check_and_parses_back() {
    let server = Server::start();
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "smoke.yml",
        &format!(
            r#"base_url: {}
checks:
  - name: version <&"'>
    request: {{ path: /api/version }}
    expect: {{ json: {{ "$.version": "1.2.3" }} }}
  - name: broken
    request: {{ path: "/text?body=%3Coops%3E%20%26%20%1B%5B31m%00%5D%5D%3E" }}
    expect: {{ status: 201, body_contains: "x]]>y" }}
    capture: {{ v: {{ regex: '(.+)' }} }}
  - name: after broken
    run: 'echo "$v"'
  - name: command
    run: 'echo "out <b>"; echo "err &" >&2; exit 3'
    expect: {{ exit: 0 }}
"#,
            server.url
        ),
    );
    let path = fixture.path("out/junit.xml");
    let run = fixture.smoke(&spec, &["--junit", path.to_str().unwrap()], &[]);
    run.assert_code(1);
    let xml = std::fs::read_to_string(&path).unwrap();
    let root = parse(&xml);
    assert_valid(&root);
    let suite = &root.children[0];
    assert_eq!(suite.attrs["name"], spec.display().to_string());
    assert_eq!(
        (
            num(suite, "tests"),
            num(suite, "failures"),
            num(suite, "skipped")
        ),
        (4, 2, 1)
    );
    let cases: Vec<&Node> = suite
        .children
        .iter()
        .filter(|c| c.name == "testcase")
        .collect();
    let names: Vec<&str> = cases.iter().map(|c| c.attrs["name"].as_str()).collect();
    assert_eq!(
        names,
        ["version <&\"'>", "broken", "after broken", "command"]
    );
    // A passing check: no failure.
    assert!(cases[0].children.iter().all(|c| c.name == "system-out"));
    // The failure says which expectation, expected and got.
    let failure = cases[1]
        .children
        .iter()
        .find(|c| c.name == "failure")
        .unwrap();
    assert_eq!(failure.attrs["type"], "status");
    assert_eq!(failure.attrs["message"], "status: expected 201, got 200");
    assert!(
        failure
            .text
            .contains("body contains: expected a body containing \"x]]>y\""),
        "{}",
        failure.text
    );
    let out = cases[1]
        .children
        .iter()
        .find(|c| c.name == "system-out")
        .unwrap();
    assert!(
        out.text.contains("<oops> & \u{FFFD}[31m\u{FFFD}]]>"),
        "{:?}",
        out.text
    );
    // Skipped, with the reason.
    let skipped = cases[2]
        .children
        .iter()
        .find(|c| c.name == "skipped")
        .unwrap();
    assert_eq!(
        skipped.attrs["message"],
        "not run: it uses $v captured by 'broken', which failed"
    );
    // A command's output.
    let failure = cases[3]
        .children
        .iter()
        .find(|c| c.name == "failure")
        .unwrap();
    assert!(
        failure.attrs["message"].starts_with("exit: expected 0, got 3"),
        "{:?}",
        failure.attrs
    );
    let out = cases[3]
        .children
        .iter()
        .find(|c| c.name == "system-out")
        .unwrap();
    assert!(
        out.text.contains("--- stdout ---\nout <b>\n"),
        "{:?}",
        out.text
    );
    assert!(
        out.text.contains("--- stderr ---\nerr &\n"),
        "{:?}",
        out.text
    );
}

#[test]
fn an_unwritable_junit_path_is_an_environment_error() {
    let fixture = Fixture::new();
    std::fs::write(fixture.path("file"), "").unwrap();
    let spec = fixture.spec("smoke.yml", "checks:\n  - { name: a, run: 'true' }\n");
    let run = fixture.smoke(&spec, &["--junit", "file/junit.xml"], &[]);
    run.assert_code(3);
    assert!(
        run.stderr
            .contains("cannot write the JUnit report file/junit.xml"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_junit_path_that_is_a_symlink_is_never_written_through() {
    let fixture = Fixture::new();
    let victim = fixture.path("victim.txt");
    std::fs::write(&victim, "precious").unwrap();
    let marker = fixture.path("ran");
    let spec = fixture.spec(
        "smoke.yml",
        &format!(
            "checks:\n  - {{ name: a, run: 'touch {}' }}\n",
            marker.display()
        ),
    );
    // A link given as --junit: refused before anything runs.
    std::os::unix::fs::symlink(&victim, fixture.path("link.xml")).unwrap();
    let run = fixture.smoke(&spec, &["--junit", "link.xml"], &[]);
    run.assert_code(2);
    assert!(
        run.stderr.contains(
            "the JUnit report path link.xml is a symbolic link: refusing to write through it"
        ),
        "{}",
        run.stderr
    );
    assert!(!marker.exists(), "the checks ran");
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

    // A link made while the checks run: still never written through.
    let spec = fixture.spec(
        "late.yml",
        &format!(
            "checks:\n  - {{ name: a, run: 'ln -s {} late.xml' }}\n",
            victim.display()
        ),
    );
    let run = fixture.smoke(&spec, &["--junit", "late.xml"], &[]);
    run.assert_code(2);
    assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");

    // A FIFO there is replaced, not written into (which would block).
    let fifo = fixture.path("fifo.xml");
    let made = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(made.success());
    let spec_ok = fixture.spec("ok.yml", "checks:\n  - { name: a, run: 'true' }\n");
    let mut c = fixture.cmd();
    c.timeout(std::time::Duration::from_secs(20))
        .arg("--spec")
        .arg(&spec_ok)
        .args(["--junit", "fifo.xml"]);
    fixture.run(&mut c).assert_code(0);
    assert!(std::fs::metadata(&fifo).unwrap().is_file());
    assert!(
        std::fs::read_to_string(&fifo)
            .unwrap()
            .contains("tests=\"1\"")
    );
}
