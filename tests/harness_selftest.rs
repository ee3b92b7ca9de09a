//! Tests of the workflow harness itself (tests/harness): every runner rule
//! it implements, and its refusals. Small inline workflows and actions in
//! temp dirs.

mod harness;

use harness::commands::{self, Level, Masker};
use harness::expr::{self, Contexts, Ctx, EvalError, Scope, Status, Template, Value};
use harness::{Conclusion, Event, FnStub, Harness, Permissions, RunResult, StubError};
use std::collections::BTreeMap;
use std::path::Path;

const SHA: &str = "84fb5881aaaabbbbccccddddeeeeffff00001111";

fn dispatch() -> Event {
    Event::workflow_dispatch("main").sha(SHA)
}

fn run(h: &mut Harness, yaml: &str) -> RunResult {
    h.run_yaml(yaml, dispatch()).unwrap()
}

fn refusal(h: &mut Harness, yaml: &str, event: Event) -> String {
    match h.run_yaml(yaml, event) {
        Ok(r) => panic!("expected a refusal, the run went ahead:\n{}", r.trace()),
        Err(e) => e.message,
    }
}

fn write(dir: &Path, rel: &str, text: &str) {
    let p = dir.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

// ------------------------------------------------------------ expressions

fn contexts() -> Contexts {
    let mut c = Contexts::default();
    c.set(
        Ctx::Github,
        Value::from_json(&serde_json::json!({
            "event_name": "workflow_dispatch",
            "ref": "refs/heads/main",
            "event": {"inputs": {"artifact_version": "84fb5881-20250120-143022"}, "n": 3},
        })),
    );
    c.set(
        Ctx::Env,
        Value::from_json(&serde_json::json!({"STAGE": "qa", "EMPTY": ""})),
    );
    c.set(
        Ctx::Inputs,
        Value::from_json(&serde_json::json!({"flag": true, "name": "Widget"})),
    );
    c.set(
        Ctx::Steps,
        Value::from_json(&serde_json::json!({
            "build": {"outputs": {"digest": "sha256:abc"}, "outcome": "success", "conclusion": "success"}
        })),
    );
    c
}

fn scope() -> Scope {
    Scope {
        location: "test".into(),
        contexts: vec![Ctx::Github, Ctx::Env, Ctx::Inputs, Ctx::Steps, Ctx::Needs],
        status_functions: true,
        steps: ["build".to_owned()].into(),
        needs: Default::default(),
        inputs: ["flag".to_owned(), "name".to_owned()].into(),
    }
}

fn eval(src: &str) -> Result<Value, EvalError> {
    let ast = expr::parse(src).map_err(EvalError::Refused)?;
    expr::check(&ast, &scope()).map_err(EvalError::Refused)?;
    expr::eval(&ast, &contexts())
}

fn text(src: &str) -> String {
    eval(src)
        .unwrap_or_else(|e| panic!("{src}: {e}"))
        .to_text()
        .unwrap_or_else(|e| panic!("{src}: {e}"))
}

#[test]
fn expression_table() {
    let table: &[(&str, &str)] = &[
        // literals
        ("1", "1"),
        ("-1.5", "-1.5"),
        ("0xff", "255"),
        ("1e3", "1000"),
        ("1e20", "1E+20"),
        ("3.10", "3.1"),
        ("0.1", "0.1"),
        ("'it''s'", "it's"),
        ("true", "true"),
        ("null", ""),
        ("NaN", "NaN"),
        // equality: case-insensitive strings, numbers across kinds
        ("'ABC' == 'abc'", "true"),
        ("'abc' != 'ABD'", "true"),
        ("1 == '1'", "true"),
        ("'' == 0", "true"),
        ("null == 0", "true"),
        ("null == ''", "true"),
        ("true == 1", "true"),
        ("'a' == 1", "false"),
        ("NaN == NaN", "false"),
        ("'0x10' == 16", "true"),
        (" ' 2 ' == 2", "true"),
        // ordering
        ("'b' > 'A'", "true"),
        ("2 < 10", "true"),
        ("'2' < '10'", "false"),
        ("'2' < 10", "true"),
        ("1 <= 1", "true"),
        ("true > false", "true"),
        ("'a' < 1", "false"),
        // logic returns operands, short-circuits
        ("'' || 'default'", "default"),
        ("'x' && 'y'", "y"),
        ("0 && fromJSON('not json')", "0"),
        ("'set' || fromJSON('not json')", "set"),
        ("!''", "true"),
        ("!'false'", "false"),
        ("true || false && false", "true"),
        ("(true || false) && false", "false"),
        ("!true == false", "true"),
        ("1 == 1 && 2 > 1", "true"),
        // contexts, properties, indexes
        ("github.event_name", "workflow_dispatch"),
        ("GitHub.Event_Name", "workflow_dispatch"),
        (
            "github.event.inputs.artifact_version",
            "84fb5881-20250120-143022",
        ),
        (
            "github.event.inputs['artifact_version']",
            "84fb5881-20250120-143022",
        ),
        ("github['event']['n']", "3"),
        ("github.event.missing", ""),
        ("github.event.missing.deeper", ""),
        ("env.STAGE", "qa"),
        ("env.NOPE", ""),
        ("env.EMPTY || 'fallback'", "fallback"),
        ("inputs.flag", "true"),
        ("inputs.flag == true", "true"),
        ("inputs.flag == 'true'", "false"),
        ("steps.build.outputs.digest", "sha256:abc"),
        ("steps.build.outcome == 'success'", "true"),
        ("fromJSON('[1,2,3]')[1]", "2"),
        ("fromJSON('[1,2,3]')[7]", ""),
        ("fromJSON('{\"A\":1}').a", "1"),
        // functions
        ("contains('Hello', 'ELL')", "true"),
        ("contains('Hello', 'xyz')", "false"),
        ("contains(fromJSON('[\"a\",\"b\"]'), 'B')", "true"),
        ("contains(fromJSON('[1,2]'), '2')", "true"),
        ("contains(fromJSON('[\"a\"]'), 'c')", "false"),
        ("startsWith('refs/heads/main', 'REFS/heads')", "true"),
        ("endsWith('v1.2.3-rc', '-RC')", "true"),
        ("startsWith(github.ref, 'refs/tags/')", "false"),
        ("format('{0}-{1}{{x}}}}', 'a', 1)", "a-1{x}}"),
        ("format('{1}{0}', 'a', 'b')", "ba"),
        ("format('plain')", "plain"),
        ("join(fromJSON('[1,\"two\",true]'), '+')", "1+two+true"),
        ("join(fromJSON('[\"a\",\"b\"]'))", "a,b"),
        ("join('single', '+')", "single"),
        ("toJSON('a\"b')", "\"a\\\"b\""),
        ("toJSON(1)", "1"),
        (
            "toJSON(fromJSON('{\"a\":[1,true,null]}'))",
            "{\n  \"a\": [\n    1,\n    true,\n    null\n  ]\n}",
        ),
        ("fromJSON('true') == true", "true"),
        ("fromJSON(' 42 ')", "42"),
        ("tojson(null)", "null"),
        ("success()", "true"),
        ("always()", "true"),
        ("failure()", "false"),
        ("cancelled()", "false"),
    ];
    for (src, want) in table {
        assert_eq!(text(src), *want, "{src}");
    }
}

#[test]
fn templates_interpolate_and_find_the_closing_braces() {
    let c = contexts();
    let t = |s: &str| Template::parse(s).unwrap().render(&c).unwrap();
    assert_eq!(t("a-${{ env.STAGE }}-c"), "a-qa-c");
    // `}}` inside a string literal does not end the expression (and is an
    // escaped `}` for format()).
    assert_eq!(t("${{ format('}}{0}', 'x') }}!"), "}x!");
    assert_eq!(t("no expressions"), "no expressions");
    assert_eq!(t("${{ 1 }}${{ true }}${{ null }}"), "1true");
    assert_eq!(t("${{env.STAGE}}"), "qa");
    assert!(
        Template::parse("${{ env.STAGE")
            .unwrap_err()
            .contains("unclosed")
    );
    // Objects have no text form: toJSON() says what is meant.
    let err = Template::parse("${{ github.event }}")
        .unwrap()
        .render(&c)
        .unwrap_err();
    assert!(
        matches!(&err, EvalError::Refused(m) if m.contains("toJSON")),
        "{err:?}"
    );
}

#[test]
fn conditions_with_and_without_braces() {
    assert_eq!(
        expr::condition("${{ success() }}").unwrap(),
        expr::condition("success()").unwrap()
    );
    assert!(expr::condition("github.ref == 'refs/heads/main'").is_ok());
    let mixed = expr::condition("${{ inputs.flag }} == true").unwrap_err();
    assert!(mixed.contains("always true"), "{mixed}");
    assert!(
        !expr::condition("steps.x.outcome == 'failure'")
            .unwrap()
            .has_status_function()
    );
    assert!(
        expr::condition("always() && true")
            .unwrap()
            .has_status_function()
    );
    assert!(
        expr::condition("!cancelled()")
            .unwrap()
            .has_status_function()
    );
}

#[test]
fn expression_refusals_name_the_problem() {
    let table: &[(&str, &str)] = &[
        ("foo('x')", "unknown function `foo()`"),
        ("hashFiles('**/Cargo.lock')", "hashFiles() is not supported"),
        ("nope.thing", "unrecognized named-value `nope`"),
        ("matrix.os", "`matrix` context is not supported"),
        ("secrets.TOKEN", "`secrets` context is not available here"),
        ("github.nope", "`github.nope` is not a key"),
        ("steps.missing.outputs.x", "no step has `id: missing`"),
        ("steps.build.output.x", "`steps.build.output` is not a key"),
        (
            "inputs.undeclared",
            "`inputs.undeclared` is not a declared input",
        ),
        ("needs.other.result", "not in this job's `needs:`"),
        ("github.event.*.name", "object filter"),
        ("\"double\"", "single quotes"),
        ("contains('a')", "takes 2 argument(s), got 1"),
        ("format()", "at least 1"),
        ("1 ==", "ends too early"),
        ("(1", "expected `)`"),
        ("1 2", "unexpected `2`"),
        ("'open", "unclosed string"),
        ("a ? b : c", "unexpected character `?`"),
    ];
    for (src, needle) in table {
        match eval(src) {
            Err(EvalError::Refused(m)) => assert!(m.contains(needle), "{src}: {m}"),
            other => panic!("{src}: expected a refusal, got {other:?}"),
        }
    }
    // Status functions only in `if:`.
    let mut s = scope();
    s.status_functions = false;
    let e = expr::check(&expr::parse("success()").unwrap(), &s).unwrap_err();
    assert!(e.contains("only allowed in `if:`"), "{e}");
}

#[test]
fn evaluation_errors_the_runner_reports() {
    // Comparing objects (by reference on GitHub) is refused at run time.
    assert!(
        matches!(eval("github.event == github.event"), Err(EvalError::Refused(m)) if m.contains("by reference"))
    );
    // Runtime failures (the runner fails the step).
    assert!(
        matches!(eval("fromJSON('{')"), Err(EvalError::Failed(m)) if m.contains("not valid JSON"))
    );
    assert!(
        matches!(eval("format('{0} {1}', 'a')"), Err(EvalError::Failed(m)) if m.contains("argument 1"))
    );
    assert!(
        matches!(eval("format('{x}', 'a')"), Err(EvalError::Failed(m)) if m.contains("invalid"))
    );
    assert!(matches!(
        eval("format('}', 'a')"),
        Err(EvalError::Failed(_))
    ));
}

#[test]
fn status_functions_follow_the_status() {
    let ast = |s: &str| expr::parse(s).unwrap();
    let mut c = Contexts::default();
    let eval_with = |c: &Contexts, s: &str| expr::eval(&ast(s), c).unwrap().truthy();
    c.status = Status {
        failed: true,
        cancelled: false,
        needs_succeeded: None,
    };
    assert!(!eval_with(&c, "success()"));
    assert!(eval_with(&c, "failure()"));
    assert!(eval_with(&c, "always()"));
    c.status = Status {
        failed: false,
        cancelled: true,
        needs_succeeded: None,
    };
    assert!(!eval_with(&c, "success()"));
    assert!(!eval_with(&c, "failure()"));
    assert!(eval_with(&c, "cancelled()"));
    // Job level: success() means every needed job succeeded.
    c.status = Status {
        failed: false,
        cancelled: false,
        needs_succeeded: Some(false),
    };
    assert!(!eval_with(&c, "success()"));
    assert!(!eval_with(&c, "failure()"));
}

// ------------------------------------------------------------ runner files

/// A tiny deterministic generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[(self.next() % items.len() as u64) as usize]
    }
}

#[test]
fn output_files_parse_like_the_runner() {
    let parse = harness::files::parse_key_values;
    assert_eq!(
        parse("a=1\n\nb=x=y\nc=\nd<<EOF\nline 1\nline 2\nEOF\ne=last").unwrap(),
        vec![
            ("a".into(), "1".into()),
            ("b".into(), "x=y".into()),
            ("c".into(), "".into()),
            ("d".into(), "line 1\nline 2".into()),
            ("e".into(), "last".into()),
        ]
    );
    // `=` before `<<` is a plain value; a heredoc can be empty; CRLF works.
    assert_eq!(parse("k=a<<b").unwrap(), vec![("k".into(), "a<<b".into())]);
    assert_eq!(parse("k<<D\nD\n").unwrap(), vec![("k".into(), "".into())]);
    assert_eq!(
        parse("k<<D\r\nx\r\ny\r\nD\r\n").unwrap(),
        vec![("k".into(), "x\r\ny".into())]
    );
    // A heredoc value may contain `=` and `<<` and other delimiters.
    assert_eq!(
        parse("k<<D\na=b\nE<<F\nD").unwrap(),
        vec![("k".into(), "a=b\nE<<F".into())]
    );
    // The runner's errors.
    assert!(
        parse("k<<EOF\nno end\n")
            .unwrap_err()
            .contains("Matching delimiter not found 'EOF'")
    );
    assert!(parse("=v").unwrap_err().contains("Name must not be empty"));
    assert!(
        parse("<<EOF\nx\nEOF")
            .unwrap_err()
            .contains("Name must not be empty")
    );
    assert!(
        parse("k<<\nx\n")
            .unwrap_err()
            .contains("delimiter must not be empty")
    );
    assert!(
        parse("just text")
            .unwrap_err()
            .contains("Invalid format 'just text'")
    );
    assert!(
        parse("k<<D\nx")
            .unwrap_err()
            .contains("EOF marker missing new line")
    );
    assert!(
        harness::files::parse_env_file("NODE_OPTIONS=--x")
            .unwrap_err()
            .contains("NODE_OPTIONS")
    );
}

#[test]
fn heredocs_with_random_delimiters_round_trip() {
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let pieces = [
        "a",
        "=",
        "<<",
        " ",
        "EOF",
        "x=y",
        "ghadelimiter_",
        "ü",
        "\t",
        "%",
        "::",
        "''",
    ];
    for case in 0..300 {
        let mut entries = Vec::new();
        let mut file = String::new();
        for i in 0..(1 + rng.next() % 4) {
            let key = format!("k{case}_{i}");
            let lines = (0..(rng.next() % 5))
                .map(|_| {
                    (0..(rng.next() % 6))
                        .map(|_| rng.pick(&pieces))
                        .collect::<String>()
                })
                .collect::<Vec<_>>();
            let value = lines.join("\n");
            let delimiter = format!("ghadelimiter_{:016x}", rng.next());
            if value.contains('\n') || rng.next().is_multiple_of(2) {
                file.push_str(&format!("{key}<<{delimiter}\n{value}\n{delimiter}\n"));
            } else {
                file.push_str(&format!("{key}={value}\n"));
            }
            entries.push((key, value));
        }
        let parsed =
            harness::files::parse_key_values(&file).unwrap_or_else(|e| panic!("{file:?}: {e}"));
        assert_eq!(parsed, entries, "{file:?}");
    }
}

#[test]
fn path_file_order() {
    let mut prepend = Vec::new();
    harness::files::apply_path_file("/a\n\n/b\n", &mut prepend);
    harness::files::apply_path_file("/a\n", &mut prepend);
    assert_eq!(
        harness::files::path_value(&prepend, "/usr/bin"),
        "/a:/b:/usr/bin"
    );
}

#[test]
fn workflow_commands_are_parsed_and_masked() {
    let mut masker = Masker::default();
    masker.add("s3cr3t");
    let raw = "before hunter2\n\
               ::add-mask::hunter2\n\
               after hunter2 and s3cr3t\n\
               ::error file=src/a.rs,line=3,endLine=4,col=1,endColumn=9,title=tag-gate%3A qa%2C prod::bad%0Anews 100%25\n\
               ::warning::careful\n\
               ::notice title=n::fyi\n\
               ::group::Section\n\
               inside\n\
               ::endgroup::\n\
               ::debug::dbg\n\
               ::stop-commands::tok123\n\
               ::error::not a command now\n\
               ::tok123::\n\
               ::something-else::stays text\n\
               ::echo::on\n";
    let p = commands::process(raw, &mut masker);
    assert!(p.refused.is_empty());
    assert_eq!(
        p.log,
        "before hunter2\nafter *** and ***\n##[error]bad\nnews 100%\n##[warning]careful\n##[notice]fyi\n##[group]Section\ninside\n##[endgroup]\n::error::not a command now\n::something-else::stays text\n"
    );
    assert_eq!(p.annotations.len(), 3);
    let e = &p.annotations[0];
    assert_eq!(e.level, Level::Error);
    assert_eq!(e.message, "bad\nnews 100%");
    assert_eq!(e.title.as_deref(), Some("tag-gate: qa, prod"));
    assert_eq!(e.file.as_deref(), Some("src/a.rs"));
    assert_eq!(
        (e.line, e.end_line, e.col, e.end_column),
        (Some(3), Some(4), Some(1), Some(9))
    );
    assert_eq!(p.annotations[1].level, Level::Warning);
    assert_eq!(p.annotations[2].title.as_deref(), Some("n"));
    assert_eq!(p.groups, ["Section"]);
    assert_eq!(p.debug, ["dbg"]);
    // Escapes decode left to right: an escaped `%` never starts another.
    let p = commands::process("::warning::a%250Ab\n", &mut masker);
    assert_eq!(p.annotations[0].message, "a%0Ab");
    // Deprecated and disabled commands are refused.
    for cmd in [
        "::set-output name=x::1",
        "::save-state name=x::1",
        "::set-env name=x::1",
        "::add-path::/x",
    ] {
        let p = commands::process(cmd, &mut masker);
        assert_eq!(p.refused.len(), 1, "{cmd}");
    }
    // Masks: longest first, multi-line values line by line.
    let mut m = Masker::default();
    m.add("abc");
    m.add("abcdef");
    m.add("line one\nline two");
    assert_eq!(m.mask("abcdef abc"), "*** ***");
    assert_eq!(m.mask("x line two y"), "x *** y");
}

// ------------------------------------------------------------ runs

#[test]
fn env_files_and_path_propagate_to_later_steps() {
    let mut h = Harness::new();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
env:
  LEVEL: workflow
  KEEP: wf
jobs:
  a:
    runs-on: ubuntu-latest
    env:
      LEVEL: job
    steps:
      - id: set
        run: |
          echo "FROM_STEP=one" >> "$GITHUB_ENV"
          {
            echo "MULTI<<ghadelimiter_0123"
            printf 'line 1\nline 2\n'
            echo "ghadelimiter_0123"
          } >> "$GITHUB_ENV"
          echo "LEVEL=from-env-file" >> "$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin1" "$RUNNER_TEMP/bin2"
          printf '#!/bin/sh\necho one\n' > "$RUNNER_TEMP/bin1/tool"
          printf '#!/bin/sh\necho two\n' > "$RUNNER_TEMP/bin2/tool"
          chmod +x "$RUNNER_TEMP/bin1/tool" "$RUNNER_TEMP/bin2/tool"
          echo "$RUNNER_TEMP/bin1" >> "$GITHUB_PATH"
          echo "$RUNNER_TEMP/bin2" >> "$GITHUB_PATH"
      - id: read
        env:
          SEEN_IN_EXPR: ${{ env.FROM_STEP }}-${{ env.LEVEL }}
        run: |
          {
            echo "from=$FROM_STEP"
            echo "level=$LEVEL"
            echo "keep=$KEEP"
            echo "expr=$SEEN_IN_EXPR"
            echo "tool=$(tool)"
            echo "multi<<EOF"
            echo "$MULTI"
            echo "EOF"
          } >> "$GITHUB_OUTPUT"
      - id: override
        env:
          LEVEL: step
        run: echo "level=$LEVEL" >> "$GITHUB_OUTPUT"
"#,
    );
    r.assert_success();
    let read = r.job("a").step("read");
    assert_eq!(read.output("from"), "one");
    assert_eq!(
        read.output("level"),
        "from-env-file",
        "GITHUB_ENV wins over job env"
    );
    assert_eq!(read.output("keep"), "wf");
    assert_eq!(read.output("expr"), "one-from-env-file");
    assert_eq!(
        read.output("tool"),
        "two",
        "the last GITHUB_PATH entry comes first"
    );
    assert_eq!(read.output("multi"), "line 1\nline 2");
    assert_eq!(
        r.job("a").step("override").output("level"),
        "step",
        "step env wins"
    );
}

#[test]
fn runner_variables_and_event_file() {
    let mut h = Harness::new();
    h.repository("octo/shop")
        .urls(
            "http://127.0.0.1:9/",
            "http://127.0.0.1:9/api",
            "http://127.0.0.1:9/api/graphql",
        )
        .runner_env("SHIPGATE_BIN_DIR", "/opt/shipgate");
    let r = h
        .run_yaml(
            r#"
name: Promote
on:
  workflow_dispatch:
    inputs:
      artifact_version: { required: true }
jobs:
  check:
    runs-on: ubuntu-latest
    steps:
      - id: vars
        shell: bash
        run: |
          for v in CI GITHUB_ACTIONS RUNNER_OS RUNNER_ARCH GITHUB_REPOSITORY GITHUB_SHA GITHUB_REF \
                   GITHUB_REF_NAME GITHUB_RUN_ID GITHUB_RUN_NUMBER GITHUB_RUN_ATTEMPT GITHUB_EVENT_NAME \
                   GITHUB_ACTOR GITHUB_WORKFLOW GITHUB_SERVER_URL GITHUB_API_URL GITHUB_GRAPHQL_URL \
                   GITHUB_JOB SHIPGATE_BIN_DIR; do
            echo "$v=${!v}" >> "$GITHUB_OUTPUT"
          done
          echo "token_set=${GITHUB_TOKEN+yes}" >> "$GITHUB_OUTPUT"
          echo "cwd_is_workspace=$([ "$PWD" = "$GITHUB_WORKSPACE" ] && echo yes)" >> "$GITHUB_OUTPUT"
          echo "temp_exists=$([ -d "$RUNNER_TEMP" ] && [ -d "$RUNNER_TOOL_CACHE" ] && echo yes)" >> "$GITHUB_OUTPUT"
          echo "event_input=$(sed -n 's/.*"artifact_version": *"\([^"]*\)".*/\1/p' "$GITHUB_EVENT_PATH" | head -n 1)" >> "$GITHUB_OUTPUT"
          echo "home_fresh=$([ ! -e "$HOME/.gitconfig" ] && echo yes)" >> "$GITHUB_OUTPUT"
      - id: token
        env:
          GITHUB_TOKEN: ${{ github.token }}
          SAME: ${{ secrets.GITHUB_TOKEN == github.token }}
        run: |
          echo "set=${GITHUB_TOKEN:+yes}" >> "$GITHUB_OUTPUT"
          echo "same=$SAME" >> "$GITHUB_OUTPUT"
"#,
            Event::workflow_dispatch("main").sha(SHA).input("artifact_version", "v-1").actor("alice"),
        )
        .unwrap();
    r.assert_success();
    let o = &r.job("check").step("vars").outputs;
    let want = [
        ("CI", "true"),
        ("GITHUB_ACTIONS", "true"),
        ("RUNNER_OS", "Linux"),
        ("RUNNER_ARCH", "X64"),
        ("GITHUB_REPOSITORY", "octo/shop"),
        ("GITHUB_SHA", SHA),
        ("GITHUB_REF", "refs/heads/main"),
        ("GITHUB_REF_NAME", "main"),
        ("GITHUB_RUN_ATTEMPT", "1"),
        ("GITHUB_RUN_NUMBER", "1"),
        ("GITHUB_EVENT_NAME", "workflow_dispatch"),
        ("GITHUB_ACTOR", "alice"),
        ("GITHUB_WORKFLOW", "Promote"),
        ("GITHUB_SERVER_URL", "http://127.0.0.1:9"),
        ("GITHUB_API_URL", "http://127.0.0.1:9/api"),
        ("GITHUB_GRAPHQL_URL", "http://127.0.0.1:9/api/graphql"),
        ("GITHUB_JOB", "check"),
        ("SHIPGATE_BIN_DIR", "/opt/shipgate"),
        ("token_set", ""),
        ("cwd_is_workspace", "yes"),
        ("temp_exists", "yes"),
        ("event_input", "v-1"),
        ("home_fresh", "yes"),
    ];
    for (k, v) in want {
        assert_eq!(o.get(k).map(String::as_str), Some(v), "{k}");
    }
    assert_eq!(o["GITHUB_RUN_ID"], r.run_id.to_string());
    let t = r.job("check").step("token");
    assert_eq!(
        t.output("set"),
        "yes",
        "GITHUB_TOKEN only where the workflow puts it"
    );
    assert_eq!(t.output("same"), "true");
    assert!(!r.job("check").step("vars").env.contains_key("GITHUB_TOKEN"));
}

#[test]
fn shells_follow_the_runner() {
    let mut h = Harness::new();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - name: default shell has no pipefail
        id: default
        run: false | true
      - name: bash has pipefail
        id: bash
        shell: bash
        continue-on-error: true
        run: false | true
      - name: -e stops at the first failure
        id: errexit
        continue-on-error: true
        run: |
          echo "before=1" >> "$GITHUB_OUTPUT"
          false
          echo "after=1" >> "$GITHUB_OUTPUT"
      - name: expressions in run
        id: expr
        run: echo "v=${{ format('{0}-{1}', 'a', github.event_name) }}" >> "$GITHUB_OUTPUT"
"#,
    );
    let job = r.job("a");
    assert_eq!(job.step("default").outcome, Conclusion::Success);
    assert_eq!(job.step("bash").outcome, Conclusion::Failure);
    assert_eq!(job.step("bash").exit_code, Some(1));
    let e = job.step("errexit");
    assert_eq!(e.outputs.get("before").map(String::as_str), Some("1"));
    assert!(!e.outputs.contains_key("after"));
    assert_eq!(e.errors()[0].message, "Process completed with exit code 1.");
    assert_eq!(job.step("expr").output("v"), "a-workflow_dispatch");
    assert_eq!(job.result, Conclusion::Success);
}

#[test]
fn status_functions_after_a_failing_step() {
    let mut h = Harness::new();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: ok
        run: echo "v=1" >> "$GITHUB_OUTPUT"
      - id: boom
        run: |
          echo "partial=yes" >> "$GITHUB_OUTPUT"
          echo "::error title=deploy::it broke"
          exit 3
      - id: default_skipped
        run: echo should not run
      - id: explicit_success
        if: success()
        run: echo should not run
      - id: on_failure
        if: failure()
        run: echo "status=${{ job.status }}" >> "$GITHUB_OUTPUT"
      - id: always
        if: ${{ always() }}
        run: echo "seen=${{ steps.boom.outcome }}/${{ steps.boom.outputs.partial }}/${{ steps.default_skipped.outcome }}" >> "$GITHUB_OUTPUT"
      - id: cancelled
        if: cancelled()
        run: echo no
      - id: failure_via_outcome_only
        if: steps.boom.outcome == 'failure'
        run: echo never
"#,
    );
    let job = r.job("a");
    assert_eq!(job.result, Conclusion::Failure);
    assert_eq!(r.conclusion, Conclusion::Failure);
    let boom = job.step("boom");
    assert_eq!(
        (boom.outcome, boom.exit_code),
        (Conclusion::Failure, Some(3))
    );
    assert_eq!(
        boom.output("partial"),
        "yes",
        "outputs written before a failure count"
    );
    assert_eq!(boom.errors()[0].title.as_deref(), Some("deploy"));
    assert_eq!(
        boom.errors()[1].message,
        "Process completed with exit code 3."
    );
    for skipped in [
        "default_skipped",
        "explicit_success",
        "cancelled",
        "failure_via_outcome_only",
    ] {
        assert_eq!(job.step(skipped).outcome, Conclusion::Skipped, "{skipped}");
    }
    assert_eq!(job.step("on_failure").output("status"), "failure");
    assert_eq!(job.step("always").output("seen"), "failure/yes/skipped");
}

#[test]
fn continue_on_error_keeps_the_job_green() {
    let mut h = Harness::new();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: flaky
        continue-on-error: ${{ true }}
        run: exit 1
      - id: next
        run: echo "saw=${{ steps.flaky.outcome }}/${{ steps.flaky.conclusion }}" >> "$GITHUB_OUTPUT"
      - id: failure_check
        if: failure()
        run: echo no
"#,
    );
    r.assert_success();
    let job = r.job("a");
    assert_eq!(job.step("flaky").outcome, Conclusion::Failure);
    assert_eq!(job.step("flaky").conclusion, Conclusion::Success);
    assert_eq!(job.step("next").output("saw"), "failure/success");
    assert_eq!(job.step("failure_check").outcome, Conclusion::Skipped);
}

#[test]
fn needs_order_results_and_skipped_jobs() {
    let mut h = Harness::new();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  report:
    needs: [build, test]
    if: always()
    runs-on: ubuntu-latest
    steps:
      - id: r
        run: |
          echo "build=${{ needs.build.result }}/${{ needs.build.outputs.version }}" >> "$GITHUB_OUTPUT"
          echo "test=${{ needs.test.result }}" >> "$GITHUB_OUTPUT"
  deploy:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  cleanup:
    needs: deploy
    if: failure()
    runs-on: ubuntu-latest
    steps:
      - run: echo "cleaning up after an ancestor failed"
  test:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - run: exit 1
  build:
    runs-on: ubuntu-latest
    outputs:
      version: ${{ steps.v.outputs.version }}
    steps:
      - id: v
        run: echo "version=1.2.3" >> "$GITHUB_OUTPUT"
  off:
    if: false
    runs-on: ubuntu-latest
    steps:
      - run: echo never
  after_off:
    needs: off
    runs-on: ubuntu-latest
    steps:
      - run: echo never
"#,
    );
    let order: Vec<&str> = r.jobs.iter().map(|j| j.id.as_str()).collect();
    // Ready jobs run in file order (GitHub runs them in parallel).
    assert_eq!(
        order,
        [
            "build",
            "test",
            "report",
            "deploy",
            "cleanup",
            "off",
            "after_off"
        ]
    );
    assert_eq!(r.job("build").result, Conclusion::Success);
    assert_eq!(r.job("build").output("version"), "1.2.3");
    assert_eq!(r.job("test").result, Conclusion::Failure);
    assert_eq!(r.job("deploy").result, Conclusion::Skipped);
    assert_eq!(
        r.job("cleanup").result,
        Conclusion::Success,
        "failure() sees the failed ancestor"
    );
    assert_eq!(r.job("report").step("r").output("build"), "success/1.2.3");
    assert_eq!(r.job("report").step("r").output("test"), "failure");
    assert_eq!(r.job("off").result, Conclusion::Skipped);
    assert_eq!(r.job("after_off").result, Conclusion::Skipped);
    assert_eq!(r.conclusion, Conclusion::Failure);
}

fn composite_workspace() -> tempfile::TempDir {
    let ws = tempfile::tempdir().unwrap();
    write(
        ws.path(),
        "actions/greet/action.yml",
        r#"
name: greet
description: says hello
inputs:
  who:
    description: whom
    required: true
  punctuation:
    description: end
    default: "!"
  token:
    description: a token
    default: ${{ github.token }}
outputs:
  greeting:
    description: the text
    value: ${{ steps.run.outputs.greeting }}
  from-nested:
    description: nested output
    value: ${{ steps.nested.outputs.shout }}
  data:
    description: a file next to the action
    value: ${{ steps.run.outputs.data }}
runs:
  using: composite
  steps:
    - id: run
      shell: bash
      env:
        WHO: ${{ inputs.who }}
        PUNCT: ${{ inputs.punctuation }}
        HAS_TOKEN: ${{ inputs.token != '' }}
      run: |
        set -euo pipefail
        echo "greeting=hello $WHO$PUNCT" >> "$GITHUB_OUTPUT"
        echo "data=$(cat "$GITHUB_ACTION_PATH/data.txt")" >> "$GITHUB_OUTPUT"
        echo "has_token=$HAS_TOKEN" >> "$GITHUB_OUTPUT"
        echo "caller=${CALLER:-}" >> "$GITHUB_OUTPUT"
        printf '### greeted %s\n' "$WHO" >> "$GITHUB_STEP_SUMMARY"
    - id: nested
      uses: ./actions/shout
      with:
        text: ${{ steps.run.outputs.greeting }}
"#,
    );
    write(ws.path(), "actions/greet/data.txt", "beside the action\n");
    write(
        ws.path(),
        "actions/shout/action.yml",
        r#"
name: shout
description: upper-cases
inputs:
  text: { description: text, required: true }
outputs:
  shout: { description: loud, value: "${{ steps.up.outputs.out }}" }
runs:
  using: composite
  steps:
    - id: up
      shell: bash
      env:
        TEXT: ${{ inputs.text }}
      run: |
        echo "out=$(echo "$TEXT" | tr a-z A-Z)" >> "$GITHUB_OUTPUT"
        echo "path=$GITHUB_ACTION_PATH" >> "$GITHUB_OUTPUT"
"#,
    );
    write(
        ws.path(),
        "actions/fails/action.yml",
        r#"
name: fails
description: fails in the middle
inputs:
  code: { description: exit code, default: "7" }
outputs:
  after: { description: from the cleanup step, value: "${{ steps.cleanup.outputs.ran }}" }
runs:
  using: composite
  steps:
    - id: first
      shell: bash
      env:
        CODE: ${{ inputs.code }}
      run: exit "$CODE"
    - id: skipped
      shell: bash
      run: echo "ran=no" >> "$GITHUB_OUTPUT"
    - id: cleanup
      if: failure()
      shell: bash
      run: echo "ran=${{ github.action_status }}" >> "$GITHUB_OUTPUT"
"#,
    );
    ws
}

#[test]
fn composite_actions_inputs_outputs_and_action_path() {
    let ws = composite_workspace();
    let mut h = Harness::new();
    h.seed_workspace(ws.path());
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: greet
        uses: ./actions/greet
        env:
          CALLER: from-the-calling-step
        with:
          who: ${{ github.event_name }}
      - id: use
        run: echo "got=${{ steps.greet.outputs.greeting }}|${{ steps.greet.outputs.from-nested }}|${{ steps.greet.outputs.data }}" >> "$GITHUB_OUTPUT"
      - id: missing
        uses: ./actions/greet
"#,
    );
    r.assert_success();
    let job = r.job("a");
    let greet = job.step("greet");
    assert_eq!(greet.output("greeting"), "hello workflow_dispatch!");
    assert_eq!(greet.output("from-nested"), "HELLO WORKFLOW_DISPATCH!");
    assert_eq!(greet.output("data"), "beside the action");
    assert_eq!(
        greet.outputs.len(),
        3,
        "only declared outputs are re-exported"
    );
    let inner = greet.step("run");
    assert_eq!(
        inner.output("has_token"),
        "true",
        "input defaults see github.token"
    );
    assert_eq!(inner.output("caller"), "from-the-calling-step");
    assert_eq!(
        inner.env["GITHUB_ACTION_PATH"],
        job.workspace.join("actions/greet").to_string_lossy()
    );
    assert!(
        !inner.env.contains_key("INPUT_WHO"),
        "composite actions get no INPUT_ variables"
    );
    let nested = greet.step("nested");
    assert_eq!(
        nested.step("up").output("path"),
        job.workspace.join("actions/shout").to_string_lossy()
    );
    assert_eq!(
        job.step("use").output("got"),
        "hello workflow_dispatch!|HELLO WORKFLOW_DISPATCH!|beside the action"
    );
    assert_eq!(job.summary, "### greeted workflow_dispatch\n### greeted \n");
    assert_eq!(job.step("missing").missing_inputs, ["who"]);
    assert!(
        job.steps[0].env.is_empty(),
        "a uses step has no process env of its own"
    );
}

#[test]
fn a_failed_composite_step_fails_the_action_step() {
    let ws = composite_workspace();
    let mut h = Harness::new();
    h.seed_workspace(ws.path());
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: soft
        uses: ./actions/fails
        continue-on-error: true
        with:
          code: "0"
      - id: hard
        uses: ./actions/fails
      - id: after
        if: always()
        run: echo "outcome=${{ steps.hard.outcome }}:${{ steps.hard.outputs.after }}:${{ steps.soft.outcome }}" >> "$GITHUB_OUTPUT"
"#,
    );
    let job = r.job("a");
    let soft = job.step("soft");
    assert_eq!(soft.outcome, Conclusion::Success);
    assert_eq!(soft.step("cleanup").outcome, Conclusion::Skipped);
    let hard = job.step("hard");
    assert_eq!(hard.outcome, Conclusion::Failure);
    assert_eq!(hard.step("first").exit_code, Some(7));
    assert_eq!(hard.step("skipped").outcome, Conclusion::Skipped);
    assert_eq!(
        hard.step("cleanup").outcome,
        Conclusion::Success,
        "failure() inside the composite"
    );
    assert_eq!(
        hard.output("after"),
        "failure",
        "github.action_status inside the composite"
    );
    assert_eq!(
        job.step("after").output("outcome"),
        "failure:failure:success"
    );
    assert_eq!(job.result, Conclusion::Failure);
}

#[test]
fn local_action_problems() {
    let ws = composite_workspace();
    write(
        ws.path(),
        "actions/noshell/action.yml",
        "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n    - run: echo hi\n",
    );
    write(
        ws.path(),
        "actions/node/action.yml",
        "name: x\ndescription: x\nruns:\n  using: node20\n  main: index.js\n",
    );
    write(
        ws.path(),
        "actions/secret/action.yml",
        "name: x\ndescription: x\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      env:\n        T: ${{ secrets.TOKEN }}\n      run: echo hi\n",
    );
    let wf = |uses: &str, with: &str| {
        format!(
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - uses: {uses}\n{with}"
        )
    };
    let mut h = Harness::new();
    h.seed_workspace(ws.path());
    let m = refusal(
        &mut h,
        &wf("./actions/greet", "        with:\n          whom: typo\n"),
        dispatch(),
    );
    assert!(m.contains("Unexpected input(s) 'whom'"), "{m}");
    let m = refusal(&mut h, &wf("./actions/noshell", ""), dispatch());
    assert!(m.contains("`shell:` is required"), "{m}");
    let m = refusal(&mut h, &wf("./actions/node", ""), dispatch());
    assert!(m.contains("`node20` actions are not supported"), "{m}");
    let m = refusal(&mut h, &wf("./actions/secret", ""), dispatch());
    assert!(m.contains("`secrets` context is not available"), "{m}");
    // A missing action fails the step, as on GitHub (checkout forgotten).
    let r = h.run_yaml(&wf("./actions/absent", ""), dispatch()).unwrap();
    let step = &r.job("a").steps[0];
    assert_eq!(step.outcome, Conclusion::Failure);
    assert!(
        step.errors()[0]
            .message
            .contains("Did you forget to run actions/checkout")
    );
}

#[test]
fn remote_actions_need_a_registered_stub() {
    let mut h = Harness::new();
    let wf = |uses: &str| {
        format!(
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - id: s\n        uses: {uses}\n        with:\n          who: me\n"
        )
    };
    let pinned = "some/action@0123456789abcdef0123456789abcdef01234567";
    let m = refusal(&mut h, &wf(pinned), dispatch());
    assert!(m.contains("no stub is registered for `some/action`"), "{m}");
    let m = refusal(&mut h, &wf("some/action@v1"), dispatch());
    assert!(m.contains("not pinned to a full commit SHA"), "{m}");
    let m = refusal(&mut h, &wf("docker://alpine:3"), dispatch());
    assert!(m.contains("docker actions are not supported"), "{m}");
    h.stub(
        "some/action",
        FnStub::new(
            &[("who", None), ("greeting", Some("hi ${{ github.actor }}"))],
            |ctx| {
                if ctx.input("who") == "fail" {
                    return Err(StubError::Failed("asked to fail".into()));
                }
                ctx.log(format!("running for {}", ctx.input("who")));
                Ok(BTreeMap::from([(
                    "said".to_owned(),
                    format!("{}, {}", ctx.input("greeting"), ctx.input("who")),
                )]))
            },
        ),
    );
    let r = h.run_yaml(&wf(pinned), dispatch()).unwrap();
    r.assert_success();
    assert_eq!(r.job("a").step("s").output("said"), "hi octocat, me");
    assert_eq!(r.job("a").step("s").log, "running for me\n");
    let r = h
        .run_yaml(&wf(pinned).replace("who: me", "who: fail"), dispatch())
        .unwrap();
    assert_eq!(r.job("a").step("s").outcome, Conclusion::Failure);
    assert_eq!(r.job("a").step("s").errors()[0].message, "asked to fail");
    let m = refusal(
        &mut h,
        &wf(pinned).replace("who: me", "whom: me"),
        dispatch(),
    );
    assert!(m.contains("unexpected input(s) 'whom'"), "{m}");
    h.allow_unpinned_actions();
    assert!(
        h.run_yaml(&wf("some/action@v1"), dispatch())
            .unwrap()
            .succeeded()
    );
}

const DISPATCH_WF: &str = r#"
on:
  workflow_dispatch:
    inputs:
      artifact_version:
        description: version
        required: true
      skip_tests:
        type: boolean
        default: false
      notes:
        default: none given
      level:
        type: choice
        options: [low, high]
        default: low
      count:
        type: number
        default: 2
run-name: promote ${{ inputs.artifact_version }}
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: show
        run: |
          echo "version=${{ inputs.artifact_version }}" >> "$GITHUB_OUTPUT"
          echo "skip=${{ inputs.skip_tests }}" >> "$GITHUB_OUTPUT"
          echo "skip_is_bool=${{ inputs.skip_tests == true || inputs.skip_tests == false }}" >> "$GITHUB_OUTPUT"
          echo "event_skip=${{ github.event.inputs.skip_tests }}" >> "$GITHUB_OUTPUT"
          echo "notes=${{ inputs.notes }}" >> "$GITHUB_OUTPUT"
          echo "level=${{ inputs.level }}" >> "$GITHUB_OUTPUT"
          echo "count=${{ inputs.count }}" >> "$GITHUB_OUTPUT"
      - id: only_when_testing
        if: ${{ !inputs.skip_tests }}
        run: echo testing
"#;

#[test]
fn workflow_dispatch_inputs_types_and_defaults() {
    let mut h = Harness::new();
    let r = h
        .run_yaml(
            DISPATCH_WF,
            dispatch().input("artifact_version", "84fb5881-20250120-143022"),
        )
        .unwrap();
    r.assert_success();
    assert_eq!(r.run_name, "promote 84fb5881-20250120-143022");
    let s = r.job("a").step("show");
    assert_eq!(s.output("version"), "84fb5881-20250120-143022");
    assert_eq!(s.output("skip"), "false");
    assert_eq!(s.output("skip_is_bool"), "true");
    assert_eq!(s.output("event_skip"), "false");
    assert_eq!(s.output("notes"), "none given");
    assert_eq!(s.output("level"), "low");
    assert_eq!(s.output("count"), "2");
    assert_eq!(
        r.job("a").step("only_when_testing").outcome,
        Conclusion::Success
    );
    assert_eq!(r.inputs["skip_tests"], serde_json::json!(false));

    let r = h
        .run_yaml(
            DISPATCH_WF,
            dispatch()
                .input("artifact_version", "v2")
                .input("skip_tests", "true")
                .input("level", "high")
                .input("count", "5"),
        )
        .unwrap();
    assert_eq!(r.job("a").step("show").output("skip"), "true");
    assert_eq!(
        r.job("a").step("only_when_testing").outcome,
        Conclusion::Skipped
    );
    assert_eq!(r.run_number, 2, "run numbers count per workflow file");

    let bad: &[(Event, &str)] = &[
        (dispatch(), "Required input 'artifact_version' not provided"),
        (
            dispatch()
                .input("artifact_version", "v")
                .input("skip_tests", "yes"),
            "not a boolean",
        ),
        (
            dispatch()
                .input("artifact_version", "v")
                .input("level", "medium"),
            "not in the list of allowed values",
        ),
        (
            dispatch()
                .input("artifact_version", "v")
                .input("count", "two"),
            "not a number",
        ),
        (
            dispatch().input("artifact_version", "v").input("typo", "x"),
            "Unexpected inputs provided: [\"typo\"]",
        ),
    ];
    for (event, needle) in bad {
        let m = refusal(&mut h, DISPATCH_WF, event.clone());
        assert!(m.contains(needle), "{needle}: {m}");
    }
}

#[test]
fn secrets_and_masks() {
    let mut h = Harness::new();
    h.secret("API_TOKEN", "tok-12345-secret")
        .secret("EMPTY_ONE", "");
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    outputs:
      leaked: ${{ steps.gen.outputs.value }}
      fine: ${{ steps.gen.outputs.public }}
    steps:
      - id: print
        env:
          TOKEN: ${{ secrets.API_TOKEN }}
          EMPTY: ${{ secrets.EMPTY_ONE }}
        run: |
          echo "the token is $TOKEN"
          echo "::warning::warned about $TOKEN"
          echo "summary has $TOKEN" >> "$GITHUB_STEP_SUMMARY"
          echo "empty=[$EMPTY]"
      - id: gen
        run: |
          value="generated-$RANDOM-value"
          echo "early $value"
          echo "::add-mask::$value"
          echo "late $value"
          echo "value=$value" >> "$GITHUB_OUTPUT"
          echo "public=ok" >> "$GITHUB_OUTPUT"
      - id: later
        run: echo "still masked ${{ steps.gen.outputs.value }}"
"#,
    );
    r.assert_success();
    let job = r.job("a");
    let print = job.step("print");
    assert!(print.log.contains("the token is ***"), "{}", print.log);
    assert!(!print.log.contains("tok-12345"));
    assert_eq!(print.annotations[0].message, "warned about ***");
    assert_eq!(job.summary, "summary has ***\n");
    assert!(print.log.contains("empty=[]"));
    let gen_log = &job.step("gen").log;
    assert!(
        gen_log.contains("early generated-"),
        "lines before add-mask stay: {gen_log}"
    );
    assert!(gen_log.contains("late ***"), "{gen_log}");
    assert!(job.step("later").log.contains("still masked ***"));
    // The step output keeps the value; the job output is dropped.
    assert!(job.step("gen").output("value").starts_with("generated-"));
    assert_eq!(job.dropped_outputs, ["leaked"]);
    assert_eq!(job.output("fine"), "ok");
    // Unregistered secrets and variables are refused (GitHub: empty).
    let m = refusal(
        &mut h,
        "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - env:\n          T: ${{ secrets.API_TOKNE }}\n        run: echo\n",
        dispatch(),
    );
    assert!(m.contains("`secrets.API_TOKNE` is not registered"), "{m}");
    let m = refusal(
        &mut h,
        "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ vars.REGION }}\n",
        dispatch(),
    );
    assert!(m.contains("`vars.REGION` is not registered"), "{m}");
    // Secrets are not available in `if:`.
    let m = refusal(
        &mut h,
        "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - if: secrets.API_TOKEN != ''\n        run: echo\n",
        dispatch(),
    );
    assert!(m.contains("`secrets` context is not available"), "{m}");
}

#[test]
fn environments_permissions_concurrency_and_tokens() {
    let mut h = Harness::new();
    h.secret("DEPLOY_KEY", "repo-key")
        .environment_secret("production", "DEPLOY_KEY", "prod-key")
        .var("REGION", "eu")
        .environment_var("production", "REGION", "us");
    let seen = std::rc::Rc::new(std::cell::RefCell::new(Vec::new()));
    let seen2 = seen.clone();
    h.token_provider(move |req| {
        seen2
            .borrow_mut()
            .push((req.job.clone(), req.permissions.clone()));
        format!("tok-for-{}", req.job)
    });
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
permissions: {}
concurrency:
  group: ${{ github.workflow }}-${{ github.ref }}
  cancel-in-progress: true
jobs:
  preflight:
    runs-on: ubuntu-latest
    permissions:
      contents: read
      actions: read
    steps:
      - id: s
        env:
          KEY: ${{ secrets.DEPLOY_KEY }}
        run: |
          echo "region=${{ vars.REGION }}" >> "$GITHUB_OUTPUT"
          echo "key_len=${#KEY}" >> "$GITHUB_OUTPUT"
  deploy:
    needs: preflight
    runs-on: ubuntu-latest
    environment:
      name: production
      url: https://example.test/${{ steps.s.outputs.region }}
    concurrency:
      group: deploy-production
      cancel-in-progress: false
    timeout-minutes: 30
    steps:
      - id: s
        env:
          KEY: ${{ secrets.DEPLOY_KEY }}
        run: |
          echo "region=${{ vars.REGION }}" >> "$GITHUB_OUTPUT"
          [ "$KEY" = prod-key ] && echo "key=prod" >> "$GITHUB_OUTPUT"
          echo "token=${{ github.token }}" >> "$GITHUB_OUTPUT"
"#,
    );
    r.assert_success();
    assert!(
        r.concurrency
            .as_ref()
            .unwrap()
            .0
            .ends_with("-refs/heads/main")
    );
    assert!(r.concurrency.as_ref().unwrap().1);
    let pre = r.job("preflight");
    assert_eq!(pre.step("s").output("region"), "eu");
    assert_eq!(pre.step("s").output("key_len"), "8");
    assert_eq!(pre.permissions.as_ref().unwrap().level("contents"), "read");
    assert_eq!(
        pre.permissions.as_ref().unwrap().level("deployments"),
        "none"
    );
    let deploy = r.job("deploy");
    assert_eq!(deploy.step("s").output("region"), "us");
    assert_eq!(deploy.step("s").output("key"), "prod");
    assert_eq!(deploy.step("s").output("token"), "tok-for-deploy");
    assert_eq!(deploy.token, "tok-for-deploy");
    assert_eq!(deploy.environment.as_ref().unwrap().name, "production");
    assert_eq!(
        deploy.environment.as_ref().unwrap().url.as_deref(),
        Some("https://example.test/us")
    );
    assert_eq!(
        deploy.concurrency,
        Some(("deploy-production".to_owned(), false))
    );
    assert_eq!(deploy.timeout_minutes, 30.0);
    assert_eq!(
        deploy.permissions,
        Some(Permissions::Scopes(vec![])),
        "workflow-level `{{}}` applies"
    );
    let seen = seen.borrow();
    assert_eq!(seen.len(), 2);
    assert_eq!(
        seen[1],
        ("deploy".to_owned(), Some(Permissions::Scopes(vec![])))
    );
}

#[test]
fn triggers_and_filters() {
    let wf = r#"
on:
  push:
    branches: [main, "release/**"]
  pull_request:
    types: [opened, edited]
    branches: [main]
  merge_group:
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: s
        run: |
          echo "ref=$GITHUB_REF" >> "$GITHUB_OUTPUT"
          echo "head=$GITHUB_HEAD_REF" >> "$GITHUB_OUTPUT"
          echo "title=${{ github.event.pull_request.title }}" >> "$GITHUB_OUTPUT"
          echo "labels=${{ join(github.event.pull_request.labels.*.name, ',') }}" >> "$GITHUB_OUTPUT"
"#;
    let mut h = Harness::new();
    // The object filter in the workflow is refused up front.
    let m = refusal(&mut h, wf, Event::push("main").sha(SHA));
    assert!(m.contains("object filter"), "{m}");
    let wf = wf.replace(
        "join(github.event.pull_request.labels.*.name, ',')",
        "toJSON(github.event.pull_request.labels[0].name)",
    );
    assert!(
        h.run_yaml(&wf, Event::push("main").sha(SHA))
            .unwrap()
            .succeeded()
    );
    assert!(
        h.run_yaml(&wf, Event::push("release/1.2").sha(SHA))
            .unwrap()
            .succeeded()
    );
    let m = refusal(&mut h, &wf, Event::push("feature").sha(SHA));
    assert!(m.contains("`feature` is not in branches"), "{m}");
    let m = refusal(&mut h, &wf, Event::push("refs/tags/v1.0.0").sha(SHA));
    assert!(m.contains("only branches filters"), "{m}");
    let pr = Event::pull_request("opened", 7, "feat/x", "main")
        .sha(SHA)
        .title("feat: thing")
        .label("release:minor");
    let r = h.run_yaml(&wf, pr).unwrap();
    let s = r.job("a").step("s");
    assert_eq!(s.output("ref"), "refs/pull/7/merge");
    assert_eq!(s.output("head"), "feat/x");
    assert_eq!(s.output("title"), "feat: thing");
    // The quotes toJSON added were eaten by the shell: why shipgate never
    // puts `${{ }}` in `run:`.
    assert_eq!(s.output("labels"), "release:minor");
    let m = refusal(
        &mut h,
        &wf,
        Event::pull_request("synchronize", 7, "x", "main").sha(SHA),
    );
    assert!(m.contains("`synchronize` is not in types"), "{m}");
    let m = refusal(
        &mut h,
        &wf,
        Event::pull_request("opened", 7, "x", "develop").sha(SHA),
    );
    assert!(m.contains("base branch `develop`"), "{m}");
    assert!(
        h.run_yaml(&wf, Event::merge_group("main").sha(SHA))
            .unwrap()
            .succeeded()
    );
    let m = refusal(&mut h, &wf, dispatch());
    assert!(m.contains("is not triggered by `workflow_dispatch`"), "{m}");
    let m = refusal(
        &mut h,
        "on: schedule\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n",
        dispatch(),
    );
    assert!(m.contains("not triggered by `workflow_dispatch`"), "{m}");
    let paths = "on:\n  push:\n    paths: ['src/**']\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n";
    assert!(refusal(&mut h, paths, Event::push("main").sha(SHA)).contains("changed files"));
    assert!(
        h.run_yaml(
            paths,
            Event::push("main").sha(SHA).changed_files(&["src/lib.rs"])
        )
        .unwrap()
        .succeeded()
    );
    assert!(
        refusal(
            &mut h,
            paths,
            Event::push("main").sha(SHA).changed_files(&["README.md"])
        )
        .contains("no changed file")
    );
}

#[test]
fn unknown_and_unsupported_keys_are_refused() {
    let mut h = Harness::new();
    let cases: &[(&str, &str)] = &[
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n        tiemout-minutes: 3\n",
            "unknown key `tiemout-minutes`",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    strategy:\n      matrix: {os: [a]}\n    steps:\n      - run: echo\n",
            "`strategy` is not supported",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    steps:\n      - run: echo\n",
            "`runs-on:` is required",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n        shell: pwsh\n",
            "shell `pwsh` is not supported",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n        uses: ./x\n",
            "not both",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo\n        with: {a: b}\n",
            "`with:` only applies",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    needs: b\n    steps:\n      - run: echo\n",
            "unknown job `b`",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    needs: b\n    steps: [{run: echo}]\n  b:\n    runs-on: x\n    needs: a\n    steps: [{run: echo}]\n",
            "form a cycle",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - id: s\n        run: echo\n      - id: s\n        run: echo\n",
            "used twice",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ steps.nope.outputs.x }}\n",
            "no step has `id: nope`",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ needs.b.outputs.x }}\n",
            "not in this job's `needs:`",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo ${{ inputs.nope }}\n",
            "not a declared input",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    env:\n      X: ${{ steps.s.outputs.y }}\n    steps:\n      - id: s\n        run: echo\n",
            "`steps` context is not available",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    if: ${{ env.X == 'y' }}\n    steps:\n      - run: echo\n",
            "`env` context is not available",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - env:\n          X: ${{ success() }}\n        run: echo\n",
            "only allowed in `if:`",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - if: ${{ github.ref }} == 'refs/heads/main'\n        run: echo\n",
            "always true",
        ),
        (
            "on: workflow_dispatch\npermissions:\n  contents: admin\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n",
            "not a permission level",
        ),
        (
            "on: workflow_dispatch\npermissions:\n  content: read\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n",
            "unknown key `content`",
        ),
        (
            "on: [workflow_dispatch, pushh]\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n",
            "unknown event `pushh`",
        ),
        (
            "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n  a:\n    runs-on: x\n    steps: [{run: echo}]\n",
            "duplicate",
        ),
    ];
    for (yaml, needle) in cases {
        let m = refusal(&mut h, yaml, dispatch());
        assert!(m.contains(needle), "{needle}: {m}");
    }
}

#[test]
fn working_directories_and_defaults() {
    let ws = tempfile::tempdir().unwrap();
    write(ws.path(), "app/sub/marker.txt", "here");
    let mut h = Harness::new();
    h.seed_workspace(ws.path());
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
defaults:
  run:
    shell: bash
    working-directory: app
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: default
        run: echo "pwd=${PWD#"$GITHUB_WORKSPACE"/}" >> "$GITHUB_OUTPUT"
      - id: step
        working-directory: app/sub
        continue-on-error: true
        run: |
          echo "marker=$(cat marker.txt)" >> "$GITHUB_OUTPUT"
          false | true
      - id: missing
        working-directory: nowhere
        continue-on-error: true
        run: echo hi
"#,
    );
    let job = r.job("a");
    assert_eq!(job.step("default").output("pwd"), "app");
    let step = job.step("step");
    assert_eq!(step.output("marker"), "here");
    assert_eq!(
        step.outcome,
        Conclusion::Failure,
        "defaults.run.shell: bash brings pipefail"
    );
    let missing = job.step("missing");
    assert_eq!(missing.outcome, Conclusion::Failure);
    assert!(
        missing.errors()[0]
            .message
            .contains("No such file or directory")
    );
}

#[test]
fn timeouts_kill_the_step_and_leftovers_are_cleaned_up() {
    let mut h = Harness::new();
    let started = std::time::Instant::now();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: background
        run: |
          sleep 300 </dev/null >/dev/null 2>&1 &
          echo "pid=$!" >> "$GITHUB_OUTPUT"
      - id: slow
        timeout-minutes: 0.02
        run: |
          echo started
          sleep 60
      - id: after
        if: always()
        run: echo "slow=${{ steps.slow.outcome }}" >> "$GITHUB_OUTPUT"
"#,
    );
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    let job = r.job("a");
    let slow = job.step("slow");
    assert_eq!(slow.outcome, Conclusion::Failure);
    assert!(slow.timed_out);
    assert!(slow.log.contains("started"));
    assert!(slow.errors()[0].message.contains("has timed out"));
    assert_eq!(job.step("after").output("slow"), "failure");
    assert_eq!(job.result, Conclusion::Failure);
    // The runner's orphan cleanup: the background sleep is gone.
    let pid = job.step("background").output("pid");
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(
        stat.is_empty() || stat.contains(") Z"),
        "process {pid} survived the job: {stat}"
    );
}

#[test]
fn job_timeout_cancels_the_job() {
    let mut h = Harness::new();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    timeout-minutes: 0.02
    steps:
      - id: slow
        run: sleep 60
      - id: normal
        run: echo no
      - id: cleanup
        if: always()
        run: echo "status=${{ job.status }}" >> "$GITHUB_OUTPUT"
      - id: on_cancel
        if: cancelled()
        run: echo yes
"#,
    );
    let job = r.job("a");
    assert_eq!(job.result, Conclusion::Cancelled);
    assert_eq!(job.step("slow").outcome, Conclusion::Cancelled);
    assert!(
        job.step("slow").errors()[0]
            .message
            .contains("exceeded the maximum execution time")
    );
    assert_eq!(job.step("normal").outcome, Conclusion::Skipped);
    assert_eq!(job.step("cleanup").output("status"), "cancelled");
    assert_eq!(job.step("on_cancel").outcome, Conclusion::Success);
    assert_eq!(r.conclusion, Conclusion::Cancelled);
}

#[test]
fn file_command_errors_fail_the_step() {
    let mut h = Harness::new();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: bad
        continue-on-error: true
        run: |
          echo "ok=1" >> "$GITHUB_OUTPUT"
          echo "v<<EOF" >> "$GITHUB_OUTPUT"
          echo "never closed" >> "$GITHUB_OUTPUT"
      - id: node
        continue-on-error: true
        run: echo "NODE_OPTIONS=--require x" >> "$GITHUB_ENV"
      - id: big
        run: head -c 1100000 /dev/zero | tr '\0' x >> "$GITHUB_STEP_SUMMARY"
"#,
    );
    let job = r.job("a");
    let bad = job.step("bad");
    assert_eq!(bad.exit_code, Some(0));
    assert_eq!(bad.outcome, Conclusion::Failure);
    assert_eq!(
        bad.errors()[0].message,
        "Unable to process file command 'output' successfully."
    );
    assert!(
        bad.errors()[1]
            .message
            .contains("Matching delimiter not found 'EOF'")
    );
    assert_eq!(job.step("node").outcome, Conclusion::Failure);
    let big = job.step("big");
    assert_eq!(
        big.outcome,
        Conclusion::Success,
        "an oversized summary is dropped, not fatal"
    );
    assert!(
        big.errors()[0]
            .message
            .contains("$GITHUB_STEP_SUMMARY upload aborted")
    );
    assert!(job.summary.is_empty());
    assert_eq!(job.result, Conclusion::Success);
    // Deprecated workflow commands are refused outright.
    let m = refusal(
        &mut h,
        "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - run: echo '::set-output name=x::1'\n",
        dispatch(),
    );
    assert!(m.contains("write to $GITHUB_OUTPUT"), "{m}");
}

// ------------------------------------------------------------ stubs

const PIN: &str = "0123456789abcdef0123456789abcdef01234567";

#[test]
fn artifacts_upload_and_download_within_and_across_runs() {
    let mut h = Harness::new();
    h.standard_stubs();
    let build = r#"
on: workflow_dispatch
jobs:
  build:
    runs-on: ubuntu-latest
    outputs:
      artifact-id: ${{ steps.up.outputs.artifact-id }}
    steps:
      - id: make
        run: |
          mkdir -p dist/sub
          echo "payload" > dist/service.tar.gz
          echo "other" > dist/sub/notes.txt
          echo "hidden" > dist/.env
          echo "sha=$(sha256sum dist/service.tar.gz | cut -d' ' -f1)" >> "$GITHUB_OUTPUT"
      - id: up
        uses: actions/upload-artifact@PIN
        with:
          name: service
          path: dist/service.tar.gz
      - id: dir
        uses: actions/upload-artifact@PIN
        with:
          name: all
          path: |
            dist/
            !dist/sub/**
      - id: again
        continue-on-error: true
        uses: actions/upload-artifact@PIN
        with:
          name: service
          path: dist/service.tar.gz
      - id: none
        continue-on-error: true
        uses: actions/upload-artifact@PIN
        with:
          name: nothing
          path: missing/*.bin
          if-no-files-found: error
      - id: warn
        uses: actions/upload-artifact@PIN
        with:
          name: nothing
          path: missing/*.bin
  deploy:
    needs: build
    runs-on: ubuntu-latest
    steps:
      - id: one
        uses: actions/download-artifact@PIN
        with:
          name: service
          path: in
      - id: all
        uses: actions/download-artifact@PIN
        with:
          path: everything
      - id: check
        run: |
          echo "sha=$(sha256sum in/service.tar.gz | cut -d' ' -f1)" >> "$GITHUB_OUTPUT"
          echo "tree=$(cd everything && find . -type f | sort | tr '\n' ' ')" >> "$GITHUB_OUTPUT"
"#
    .replace("PIN", PIN);
    let r = h.run_yaml(&build, dispatch()).unwrap();
    let b = r.job("build");
    let up = b.step("up");
    assert_eq!(up.outcome, Conclusion::Success, "{}", r.trace());
    assert_eq!(
        up.output("artifact-digest"),
        b.step("make").output("sha"),
        "single file: sha256 of its bytes"
    );
    let id: u64 = up.output("artifact-id").parse().unwrap();
    assert_eq!(
        up.output("artifact-url"),
        format!(
            "https://github.com/octo-org/shipgate-demo/actions/runs/{}/artifacts/{id}",
            r.run_id
        )
    );
    let stored = h.artifacts().get(id).unwrap();
    assert_eq!(
        (stored.name.as_str(), stored.files.clone()),
        ("service", vec!["service.tar.gz".to_owned()])
    );
    let all = h
        .artifacts()
        .get(b.step("dir").output("artifact-id").parse().unwrap())
        .unwrap();
    assert_eq!(
        all.files,
        ["service.tar.gz"],
        "excluded and hidden files stay out"
    );
    assert!(
        b.step("again").errors()[0]
            .message
            .contains("(409) Conflict")
    );
    assert_eq!(b.step("none").outcome, Conclusion::Failure);
    assert!(
        b.step("none").errors()[0]
            .message
            .contains("No files were found with the provided path: missing/*.bin")
    );
    assert_eq!(b.step("warn").outcome, Conclusion::Success);
    assert_eq!(b.step("warn").annotations[0].level, Level::Warning);
    assert!(b.step("warn").outputs.is_empty());
    let d = r.job("deploy");
    assert_eq!(d.step("check").output("sha"), b.step("make").output("sha"));
    assert_eq!(
        d.step("check").output("tree"),
        "./all/service.tar.gz ./service/service.tar.gz "
    );
    assert_eq!(
        d.step("one").output("download-path"),
        d.workspace.join("in").to_string_lossy()
    );

    // Another run downloads by id with a token and the build's run id.
    let promote = r#"
on:
  workflow_dispatch:
    inputs:
      run_id: { required: true }
      artifact_id: { required: true }
jobs:
  promote:
    runs-on: ubuntu-latest
    steps:
      - id: by_id
        uses: actions/download-artifact@PIN
        with:
          artifact-ids: ${{ inputs.artifact_id }}
          github-token: ${{ github.token }}
          run-id: ${{ inputs.run_id }}
          path: got
      - id: by_name
        uses: actions/download-artifact@PIN
        with:
          name: service
          github-token: ${{ github.token }}
          run-id: ${{ inputs.run_id }}
          path: named
      - id: check
        run: echo "files=$(cat got/service/service.tar.gz named/service.tar.gz | tr '\n' ' ')" >> "$GITHUB_OUTPUT"
      - id: no_token
        continue-on-error: true
        uses: actions/download-artifact@PIN
        with:
          name: service
"#
    .replace("PIN", PIN);
    let event = || {
        dispatch()
            .input("run_id", &r.run_id.to_string())
            .input("artifact_id", &id.to_string())
    };
    let p = h.run_yaml(&promote, event()).unwrap();
    let job = p.job("promote");
    assert_eq!(
        job.step("check").output("files"),
        "payload payload ",
        "{}",
        p.trace()
    );
    assert!(
        job.step("no_token").errors()[0]
            .message
            .contains("Artifact 'service' not found"),
        "only the current run without a token"
    );

    // After retention, the artifact is gone.
    assert!(h.artifacts().expire(id));
    let p = h.run_yaml(&promote, event()).unwrap();
    let by_id = p.job("promote").step("by_id");
    assert_eq!(by_id.outcome, Conclusion::Failure);
    assert!(
        by_id.errors()[0]
            .message
            .contains("None of the provided artifact IDs were found")
    );
}

fn git(dir: &Path, args: &[&str]) -> String {
    let out = std::process::Command::new("git")
        .current_dir(dir)
        .args(args)
        .env("GIT_AUTHOR_NAME", "Test")
        .env("GIT_AUTHOR_EMAIL", "test@example.com")
        .env("GIT_COMMITTER_NAME", "Test")
        .env("GIT_COMMITTER_EMAIL", "test@example.com")
        .env("GIT_AUTHOR_DATE", "2025-01-20T14:30:22Z")
        .env("GIT_COMMITTER_DATE", "2025-01-20T14:30:22Z")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("HOME", dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

/// A repository with three commits on main (the first tagged v0.1.0),
/// pushed to a bare remote.
fn fixture_repo() -> (tempfile::TempDir, std::path::PathBuf, Vec<String>) {
    let tmp = tempfile::tempdir().unwrap();
    let work = tmp.path().join("work");
    let bare = tmp.path().join("remote.git");
    std::fs::create_dir_all(&work).unwrap();
    git(&work, &["init", "-q", "-b", "main"]);
    let mut shas = Vec::new();
    for (i, msg) in ["feat: first", "fix: second", "feat: third"]
        .iter()
        .enumerate()
    {
        std::fs::write(work.join("file.txt"), format!("{i}\n")).unwrap();
        git(&work, &["add", "."]);
        git(&work, &["commit", "-q", "-m", msg]);
        shas.push(git(&work, &["rev-parse", "HEAD"]));
        if i == 0 {
            git(&work, &["tag", "-a", "v0.1.0", "-m", "v0.1.0"]);
        }
    }
    git(
        tmp.path(),
        &[
            "clone",
            "-q",
            "--bare",
            work.to_str().unwrap(),
            bare.to_str().unwrap(),
        ],
    );
    (tmp, bare, shas)
}

#[test]
fn checkout_clones_the_registered_remote_like_the_real_action() {
    let (_tmp, bare, shas) = fixture_repo();
    let mut h = Harness::new();
    h.repository("octo/shop")
        .remote("octo/shop", &bare)
        .standard_stubs();
    let wf = r#"
on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: co
        uses: actions/checkout@PIN
      - id: shallow
        run: |
          {
            echo "shallow=$(git rev-parse --is-shallow-repository)"
            echo "count=$(git rev-list --count HEAD)"
            echo "tags=$(git tag | wc -l)"
            echo "branch=$(git rev-parse --abbrev-ref HEAD)"
            echo "head=$(git rev-parse HEAD)"
            echo "headers=$(git config --get-regexp 'http\..*\.extraheader' | wc -l)"
            echo "file=$(cat file.txt)"
          } >> "$GITHUB_OUTPUT"
      - id: full
        uses: actions/checkout@PIN
        with:
          fetch-depth: 0
          path: full
          persist-credentials: false
      - id: full_check
        working-directory: full
        run: |
          {
            echo "count=$(git rev-list --count HEAD)"
            echo "describe=$(git describe --tags)"
            echo "headers=$(git config --get-regexp 'http\..*\.extraheader' | wc -l)"
          } >> "$GITHUB_OUTPUT"
          git -c user.name=ci -c user.email=ci@example.com tag -a build-1 -m "built"
          git push -q origin build-1
      - id: tagged
        uses: actions/checkout@PIN
        with:
          ref: v0.1.0
          path: tagged
      - id: tagged_check
        run: echo "file=$(cat tagged/file.txt)" >> "$GITHUB_OUTPUT"
      - id: other
        continue-on-error: true
        uses: actions/checkout@PIN
        with:
          repository: octo/unknown
          path: unknown
"#
    .replace("PIN", PIN);
    let r = h.run_yaml(&wf, Event::push("main")).unwrap();
    assert_eq!(r.sha, shas[2], "the event's sha comes from the remote");
    let job = r.job("a");
    assert_eq!(job.step("co").output("commit"), shas[2], "{}", r.trace());
    assert_eq!(job.step("co").output("ref"), "refs/heads/main");
    let s = job.step("shallow");
    assert_eq!(s.output("shallow"), "true");
    assert_eq!(s.output("count"), "1");
    assert_eq!(s.output("tags"), "0");
    assert_eq!(s.output("branch"), "main");
    assert_eq!(s.output("head"), shas[2]);
    assert_eq!(
        s.output("headers"),
        "1",
        "persist-credentials defaults to true"
    );
    assert_eq!(s.output("file"), "2");
    let f = job.step("full_check");
    assert_eq!(f.output("count"), "3");
    assert_eq!(
        f.output("describe"),
        "v0.1.0-2-g".to_owned() + &shas[2][..7]
    );
    assert_eq!(f.output("headers"), "0");
    assert_eq!(job.step("tagged_check").output("file"), "0");
    assert!(
        job.step("other").errors()[0]
            .message
            .contains("Repository not found")
    );
    // The job pushed to the registered remote.
    assert_eq!(git(&bare, &["tag", "--list", "build-1"]), "build-1");
    // The basic-auth header value never shows in logs.
    assert!(job.steps.iter().all(|s| !s.log.contains("eC1hY2Nlc3Mtd")));
}

#[test]
fn env_and_path_written_inside_a_composite_reach_later_steps() {
    let ws = tempfile::tempdir().unwrap();
    write(
        ws.path(),
        "actions/setup/action.yml",
        r#"
name: setup
description: puts a tool on PATH
runs:
  using: composite
  steps:
    - shell: bash
      run: |
        mkdir -p "$RUNNER_TEMP/tools"
        printf '#!/bin/sh\necho tool-ran\n' > "$RUNNER_TEMP/tools/mytool"
        chmod +x "$RUNNER_TEMP/tools/mytool"
        echo "$RUNNER_TEMP/tools" >> "$GITHUB_PATH"
        echo "SETUP_DONE=yes" >> "$GITHUB_ENV"
    - id: sees
      shell: bash
      run: echo "inner=$SETUP_DONE/$(mytool)/${{ env.SETUP_DONE }}" >> "$GITHUB_OUTPUT"
"#,
    );
    let mut h = Harness::new();
    h.seed_workspace(ws.path());
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: setup
        uses: ./actions/setup
      - id: after
        run: echo "outer=$SETUP_DONE/$(mytool)/${{ runner.os }}/${{ job.status }}" >> "$GITHUB_OUTPUT"
"#,
    );
    r.assert_success();
    assert_eq!(
        r.job("a").step("setup").step("sees").output("inner"),
        "yes/tool-ran/yes"
    );
    assert_eq!(
        r.job("a").step("after").output("outer"),
        "yes/tool-ran/Linux/success"
    );
}

#[test]
fn summaries_collect_per_job_in_step_order() {
    let mut h = Harness::new();
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - run: echo "| a | b |" >> "$GITHUB_STEP_SUMMARY"
      - run: echo "no summary here"
      - run: printf 'line 2\nline 3\n' >> "$GITHUB_STEP_SUMMARY"
  b:
    runs-on: ubuntu-latest
    steps:
      - run: echo "job b" >> "$GITHUB_STEP_SUMMARY"
"#,
    );
    assert_eq!(r.job("a").summary, "| a | b |\nline 2\nline 3\n");
    assert_eq!(r.job("a").steps[2].summary, "line 2\nline 3\n");
    assert_eq!(r.job("b").summary, "job b\n");
}

#[test]
fn a_timeout_on_a_composite_step_covers_its_steps_and_the_root_action_works() {
    let ws = tempfile::tempdir().unwrap();
    write(
        ws.path(),
        "action.yml",
        "name: root\ndescription: the repository's own action\nruns:\n  using: composite\n  steps:\n    - shell: bash\n      run: sleep 60\n",
    );
    let mut h = Harness::new();
    h.seed_workspace(ws.path());
    h.var("MODE", "fast");
    let r = run(
        &mut h,
        r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: root
        if: vars.MODE == 'fast'
        uses: ./
        timeout-minutes: 0.02
"#,
    );
    let root = r.job("a").step("root");
    assert_eq!(root.outcome, Conclusion::Failure);
    assert!(root.steps[0].timed_out);
    let m = refusal(
        &mut h,
        "on: workflow_dispatch\njobs:\n  a:\n    runs-on: x\n    steps:\n      - if: vars.MOD == 'fast'\n        run: echo\n",
        dispatch(),
    );
    assert!(m.contains("`vars.MOD` is not registered"), "{m}");
}
