//! JUnit XML: one `<testsuite>` for the spec, one `<testcase>` per check,
//! with `<failure>` (every expectation that did not hold), `<skipped>` (the
//! reason) and `<system-out>` (the request and the start of the response,
//! or the command's output). The shape is the one Jenkins, GitLab and the
//! GitHub test reporters read (the `junit-10.xsd` family); text is escaped,
//! and characters XML cannot carry are replaced by U+FFFD.

use crate::report::{CheckStatus, RunReport};
use std::fmt::Write as _;
use std::path::Path;
use std::time::Duration;

/// Why the report was not written.
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    #[error("the JUnit report path {} is a symbolic link: refusing to write through it; give the path of a file (or of none yet)", path.display())]
    Symlink { path: std::path::PathBuf },
    #[error("cannot write the JUnit report {}: {source}", path.display())]
    Io {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
}

impl gha::Classify for WriteError {
    fn class(&self) -> gha::ErrorClass {
        match self {
            WriteError::Symlink { .. } => gha::ErrorClass::Input,
            WriteError::Io { .. } => gha::ErrorClass::Environment,
        }
    }
}

/// Refuses a report path that is a symbolic link (checked before the run,
/// so a bad `--junit` costs nothing).
pub fn check_path(path: &Path) -> Result<(), WriteError> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.file_type().is_symlink() => Err(WriteError::Symlink {
            path: path.to_owned(),
        }),
        _ => Ok(()),
    }
}

/// Writes `xml` to `path` without following a link there: into a new file
/// beside it (created exclusively), then renamed over `path`, so whatever
/// is at `path` — a symbolic link, a FIFO — is replaced, never written
/// through. Creates the missing parent directories.
pub fn write(path: &Path, xml: &str) -> Result<(), WriteError> {
    use std::io::Write as _;
    check_path(path)?;
    let io = |source| WriteError::Io {
        path: path.to_owned(),
        source,
    };
    let dir = match path.parent().filter(|p| !p.as_os_str().is_empty()) {
        Some(d) => {
            std::fs::create_dir_all(d).map_err(io)?;
            d.to_owned()
        }
        None => std::path::PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let tmp = dir.join(format!(".{name}.{}.{nanos}.tmp", std::process::id()));
    let written = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&tmp)
        .and_then(|mut f| f.write_all(xml.as_bytes()).and_then(|()| f.sync_all()))
        .and_then(|()| std::fs::rename(&tmp, path));
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io(e));
    }
    Ok(())
}

/// How much of a passing check's output goes into `system-out`.
const PASSED_OUTPUT: usize = 1024;

/// Renders the report as a JUnit XML document.
pub fn render(report: &RunReport) -> String {
    let mut x = String::new();
    x.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    let counts = format!(
        "tests=\"{}\" failures=\"{}\" errors=\"0\" skipped=\"{}\" time=\"{}\"",
        report.total(),
        report.failed(),
        report.skipped(),
        seconds(report.duration)
    );
    let _ = writeln!(x, "<testsuites name=\"smoke-test\" {counts}>");
    let timestamp = report.started_at.strftime("%Y-%m-%dT%H:%M:%S");
    let _ = writeln!(
        x,
        "  <testsuite name=\"{}\" {counts} timestamp=\"{timestamp}\">",
        attr(&report.spec)
    );
    x.push_str("    <properties>\n");
    let _ = writeln!(
        x,
        "      <property name=\"spec\" value=\"{}\"/>",
        attr(&report.spec)
    );
    if let Some(base) = &report.base_url {
        let _ = writeln!(
            x,
            "      <property name=\"base_url\" value=\"{}\"/>",
            attr(base)
        );
    }
    x.push_str("    </properties>\n");
    for c in &report.checks {
        let _ = write!(
            x,
            "    <testcase name=\"{}\" classname=\"{}\" time=\"{}\" file=\"{}\" line=\"{}\"",
            attr(&c.name),
            attr(&report.spec),
            seconds(c.duration),
            attr(&report.spec),
            c.line
        );
        let output = match c.status {
            CheckStatus::Passed => cut(&c.output, PASSED_OUTPUT),
            _ => c.output.as_str(),
        };
        if c.status == CheckStatus::Passed && output.is_empty() {
            x.push_str("/>\n");
            continue;
        }
        x.push_str(">\n");
        match c.status {
            CheckStatus::Passed => {}
            CheckStatus::Failed => {
                let first = c
                    .failures
                    .first()
                    .map(ToString::to_string)
                    .unwrap_or_default();
                let kind = c
                    .failures
                    .first()
                    .map_or("failure", |m| m.expectation.as_str());
                let mut body = String::new();
                for m in &c.failures {
                    let _ = writeln!(body, "{m}");
                }
                let _ = writeln!(body, "target: {}", c.target);
                if c.attempts > 1 {
                    let _ = writeln!(body, "attempts: {}", c.attempts);
                }
                let _ = writeln!(
                    x,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    attr(&first),
                    attr(kind),
                    text(body.trim_end())
                );
            }
            CheckStatus::Skipped => {
                let _ = writeln!(
                    x,
                    "      <skipped message=\"{}\"/>",
                    attr(c.reason.as_deref().unwrap_or("skipped"))
                );
            }
        }
        if !output.is_empty() {
            let _ = writeln!(x, "      <system-out>{}</system-out>", text(output));
        }
        x.push_str("    </testcase>\n");
    }
    x.push_str("  </testsuite>\n</testsuites>\n");
    x
}

fn seconds(d: Duration) -> String {
    format!("{:.3}", d.as_secs_f64())
}

fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// A character XML 1.0 can carry.
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes element text.
pub fn text(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '\r' => out.push_str("&#13;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

/// Escapes an attribute value (double-quoted), keeping line breaks and
/// tabs as character references so parsers do not normalise them away.
pub fn attr(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            '\t' => out.push_str("&#9;"),
            c if xml_char(c) => out.push(c),
            _ => out.push('\u{FFFD}'),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::{CheckResult, Mismatch};

    #[test]
    fn escapes_text_and_attributes() {
        assert_eq!(
            text("a<b>&c\u{0}\u{1b}é\r"),
            "a&lt;b&gt;&amp;c\u{FFFD}\u{FFFD}é&#13;"
        );
        assert_eq!(attr("\"x\"\n'y'\t"), "&quot;x&quot;&#10;&apos;y&apos;&#9;");
        assert_eq!(text("\u{FFFE}\u{1F600}"), "\u{FFFD}\u{1F600}");
    }

    #[test]
    fn one_testcase_per_check() {
        let mut failed =
            CheckResult::skipped("a <b>", "http", 3, "GET http://x/".into(), String::new());
        failed.status = CheckStatus::Failed;
        failed.reason = None;
        failed.attempts = 2;
        failed.duration = Duration::from_millis(1234);
        failed.failures = vec![Mismatch {
            expectation: "status".into(),
            expected: "200".into(),
            got: "500".into(),
        }];
        failed.output = "GET http://x/\nHTTP/1.1 500\n\n]]> <oops>".into();
        let skipped =
            CheckResult::skipped("b", "command", 7, "run: true".into(), "needs \"a\"".into());
        let mut passed = CheckResult::skipped("c", "command", 9, "run: true".into(), String::new());
        passed.status = CheckStatus::Passed;
        passed.reason = None;
        let report = RunReport {
            spec: "smoke.yml".into(),
            base_url: Some("http://x".into()),
            started_at: "2025-01-20T14:30:22Z".parse().unwrap(),
            duration: Duration::from_millis(1500),
            checks: vec![failed, skipped, passed],
            stopped_by: None,
        };
        let xml = render(&report);
        assert_eq!(
            xml,
            r#"<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="smoke-test" tests="3" failures="1" errors="0" skipped="1" time="1.500">
  <testsuite name="smoke.yml" tests="3" failures="1" errors="0" skipped="1" time="1.500" timestamp="2025-01-20T14:30:22">
    <properties>
      <property name="spec" value="smoke.yml"/>
      <property name="base_url" value="http://x"/>
    </properties>
    <testcase name="a &lt;b&gt;" classname="smoke.yml" time="1.234" file="smoke.yml" line="3">
      <failure message="status: expected 200, got 500" type="status">status: expected 200, got 500
target: GET http://x/
attempts: 2</failure>
      <system-out>GET http://x/
HTTP/1.1 500

]]&gt; &lt;oops&gt;</system-out>
    </testcase>
    <testcase name="b" classname="smoke.yml" time="0.000" file="smoke.yml" line="7">
      <skipped message="needs &quot;a&quot;"/>
    </testcase>
    <testcase name="c" classname="smoke.yml" time="0.000" file="smoke.yml" line="9"/>
  </testsuite>
</testsuites>
"#
        );
    }
}
