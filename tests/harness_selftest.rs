//! Tests of the workflow harness itself (tests/harness): every runner rule
//! it implements, and the refusals.

mod harness;

use harness::{Conclusion, Event, Harness};

#[test]
fn smoke() {
    let mut h = Harness::new();
    let run = h
        .run_yaml(
            r#"
on: workflow_dispatch
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
      - id: one
        run: echo "x=1" >> "$GITHUB_OUTPUT"
"#,
            Event::workflow_dispatch("main").sha("0123456789012345678901234567890123456789"),
        )
        .unwrap();
    run.assert_success();
    assert_eq!(run.job("a").step("one").output("x"), "1");
    assert_eq!(run.job("a").result, Conclusion::Success);
}
