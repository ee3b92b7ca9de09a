//! Flags, env twins and exit codes.

use crate::support::{BIN, scrubbed};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::process::Stdio;

fn run(args: &[&str], env: &[(&str, &str)]) -> (i32, String) {
    let out = scrubbed(BIN)
        .args(args)
        .envs(env.iter().copied())
        .output()
        .unwrap();
    (
        out.status.code().unwrap(),
        String::from_utf8_lossy(&out.stderr).into_owned() + &String::from_utf8_lossy(&out.stdout),
    )
}

#[test]
fn help_lists_the_flags_and_their_env_twins() {
    let (code, text) = run(&["--help"], &[]);
    assert_eq!(code, 0);
    for needle in [
        "--port",
        "[env: PORT=]",
        "--version-string",
        "DEMO_VERSION",
        "--start-delay",
        "--unhealthy",
        "DEMO_UNHEALTHY",
        "--pid-file",
        "/health",
    ] {
        assert!(text.contains(needle), "help lacks {needle}:\n{text}");
    }
}

#[test]
fn bad_values_exit_2_naming_the_value() {
    type Case<'a> = (&'a [&'a str], &'a [(&'a str, &'a str)], &'a str);
    let cases: &[Case] = &[
        (&["--port", "99999"], &[], "99999"),
        (&[], &[("PORT", "http")], "'http'"),
        (&["--addr", "localhost"], &[], "127.0.0.1:8080"),
        (&["--start-delay", "soon"], &[], "500ms"),
        (&[], &[("DEMO_UNHEALTHY", "maybe")], "maybe"),
        (
            &["--addr", "127.0.0.1:9000", "--port", "9001"],
            &[],
            "give the port once",
        ),
        (&["--bogus"], &[], "--bogus"),
    ];
    for (args, env, needle) in cases {
        let (code, text) = run(args, env);
        assert_eq!(code, 2, "{args:?} {env:?}: {text}");
        assert!(text.contains(needle), "{args:?} {env:?}: {text}");
    }
}

#[test]
fn an_occupied_port_is_an_environment_failure() {
    let holder = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = holder.local_addr().unwrap().port().to_string();
    let (code, text) = run(&["--port", &port], &[]);
    assert_eq!(code, 3, "{text}");
    assert!(
        text.contains(&format!("cannot listen on 127.0.0.1:{port}")),
        "{text}"
    );
}

#[test]
fn port_from_env_and_empty_twins_count_as_unset() {
    // PORT=0 picks a free port; an empty DEMO_VERSION falls back to the default.
    let mut child = scrubbed(BIN)
        .envs([
            ("PORT", "0"),
            ("DEMO_VERSION", "  "),
            ("DEMO_ADDR", "127.0.0.1"),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    child.kill().unwrap();
    child.wait().unwrap();
    assert!(
        line.starts_with("demo-service 0.0.0-dev listening on http://127.0.0.1:"),
        "{line}"
    );
}
