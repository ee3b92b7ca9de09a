//! A value captured from a response is data, never shell text.

use crate::server::Server;
use crate::util::Fixture;

#[test]
fn captured_shell_code_never_runs() {
    let server = Server::start();
    let fixture = Fixture::new();
    let marker = fixture.path("pwned");
    let marker_q = marker.display().to_string();
    // A `rm -rf ~` would hit the fixture's HOME, which must survive too.
    let home_canary = fixture.path("canary");
    std::fs::write(&home_canary, "still here").unwrap();
    let spec = fixture.spec(
        "inject.yml",
        &format!(
            r#"base_url: {url}
checks:
  - name: fetch
    request: {{ path: "/inject?path={marker_q}" }}
    capture: {{ subst: $.subst, backtick: $.backtick, semi: $.semi, rm: $.rm }}
  - name: quoted
    run: 'printf "%s|%s|%s|%s" "$subst" "$backtick" "$semi" "$rm"'
    expect: {{ stdout_contains: "$(touch {marker_q})|`touch {marker_q}`|x; touch {marker_q}|$(rm -rf ~)" }}
  - name: unquoted
    run: echo $subst $backtick $semi $rm ${{subst}}
    expect: {{ stdout_contains: "$(touch {marker_q})" }}
  - name: eval-free heredoc
    run: |
      cat <<EOF
      $subst
      EOF
    expect: {{ stdout_contains: "$(touch" }}
  - name: in a request
    request:
      path: "/echo?v={{{{subst}}}}"
      headers: {{ X-Value: "{{{{backtick}}}}" }}
    expect: {{ json: {{ "$.headers['x-value']": "`touch {marker_q}`" }} }}
"#,
            url = server.url
        ),
    );
    let run = fixture.smoke(&spec, &["--concurrency", "1"], &[]);
    run.assert_code(0);
    assert!(
        !marker.exists(),
        "a captured value was executed as shell code"
    );
    assert_eq!(std::fs::read_to_string(&home_canary).unwrap(), "still here");
    assert_eq!(run.check("quoted")["result"], "passed");
}

#[test]
fn placeholders_in_run_scripts_are_refused() {
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "tpl.yml",
        "checks:\n  - { name: a, run: 'echo hi', capture: { id: { regex: 'h(i)' } } }\n  - { name: b, run: 'echo {{id}}' }\n",
    );
    let run = fixture.smoke(&spec, &[], &[]);
    run.assert_code(2);
    assert!(
        run.stderr
            .contains("tpl.yml:3:27: `run:` commands are never templated: write \"$id\""),
        "{}",
        run.stderr
    );
}

#[test]
fn vars_reach_commands_as_environment_variables() {
    let fixture = Fixture::new();
    let spec = fixture.spec(
        "vars.yml",
        "vars: { greeting: hello }\nchecks:\n  - { name: a, run: 'printf \"%s %s\" \"$greeting\" \"$who\"', expect: { stdout_contains: 'hello $(id)' } }\n",
    );
    let run = fixture.smoke(&spec, &["--var", "who=$(id)"], &[]);
    run.assert_code(0);
}
