//! The one place a shipgate binary talks to the runner: human lines and
//! workflow commands on stderr, `--json` on stdout, outputs and the summary
//! into their files, and the exit code.

use crate::escape;
use crate::exit::{Classify, ErrorClass, Verdict, code_for, code_for_error};
use crate::neutral;
use crate::output::Outputs;
use crate::summary::Summary;
use serde_json::{Value, json};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;

mod step_files;

/// What the runner tells a step through its environment. Read once, in
/// `main`, so libraries never read the environment themselves.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Env {
    /// `$GITHUB_OUTPUT`
    pub output_file: Option<PathBuf>,
    /// `$GITHUB_STEP_SUMMARY`
    pub summary_file: Option<PathBuf>,
    /// `$GITHUB_ACTIONS == "true"`: emit workflow commands.
    pub actions: bool,
    /// `$RUNNER_TEMP`, where spilled outputs go (else the system temp dir).
    pub temp_dir: Option<PathBuf>,
}

impl Env {
    /// Reads the runner's variables; empty values count as unset.
    pub fn from_process() -> Self {
        Env {
            output_file: var_path("GITHUB_OUTPUT"),
            summary_file: var_path("GITHUB_STEP_SUMMARY"),
            actions: std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true"),
            temp_dir: var_path("RUNNER_TEMP"),
        }
    }
}

fn var_path(name: &str) -> Option<PathBuf> {
    std::env::var_os(name)
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Annotation level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Error,
    Warning,
    Notice,
}

impl Level {
    fn command(self) -> &'static str {
        match self {
            Level::Error => "error",
            Level::Warning => "warning",
            Level::Notice => "notice",
        }
    }
}

/// Where an annotation points (all optional).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Location {
    pub title: Option<String>,
    pub file: Option<String>,
    pub line: Option<u64>,
    pub col: Option<u64>,
}

/// A finished command: its outputs, its summary and its verdict.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub outputs: Outputs,
    pub summary: Summary,
    pub verdict: Verdict,
}

impl Outcome {
    /// A command that is not a check.
    pub fn done(outputs: Outputs) -> Self {
        Outcome {
            outputs,
            summary: Summary::new(),
            verdict: Verdict::Done,
        }
    }
    /// A check that passed.
    pub fn passed(outputs: Outputs) -> Self {
        Outcome {
            verdict: Verdict::Passed,
            ..Self::done(outputs)
        }
    }
    /// A check that said no, with the reason.
    pub fn failed(outputs: Outputs, reason: impl Into<String>) -> Self {
        Outcome {
            verdict: Verdict::Failed(reason.into()),
            ..Self::done(outputs)
        }
    }
    pub fn with_summary(mut self, summary: Summary) -> Self {
        self.summary = summary;
        self
    }
}

type Sink = Mutex<Box<dyn Write + Send>>;

/// The runner-facing side of a binary. Cheap to share between threads.
pub struct Runner {
    tool: &'static str,
    env: Env,
    json: bool,
    soft: bool,
    secrets: Mutex<Vec<String>>,
    out: Sink,
    err: Sink,
}

impl Runner {
    /// A runner writing to the process's stdout and stderr.
    pub fn new(tool: &'static str, env: Env) -> Self {
        Self::with_streams(tool, env, Box::new(io::stdout()), Box::new(io::stderr()))
    }

    /// A runner writing to the given streams (tests).
    pub fn with_streams(
        tool: &'static str,
        env: Env,
        out: Box<dyn Write + Send>,
        err: Box<dyn Write + Send>,
    ) -> Self {
        Runner {
            tool,
            env,
            json: false,
            soft: false,
            secrets: Mutex::new(Vec::new()),
            out: Mutex::new(out),
            err: Mutex::new(err),
        }
    }

    /// `--json`: one JSON object on stdout, nothing else there.
    pub fn json(mut self, on: bool) -> Self {
        self.json = on;
        self
    }

    /// `--soft`: a check that says no exits 0 with `passed=false`.
    pub fn soft(mut self, on: bool) -> Self {
        self.soft = on;
        self
    }

    pub fn tool(&self) -> &'static str {
        self.tool
    }

    pub fn env(&self) -> &Env {
        &self.env
    }

    pub fn in_actions(&self) -> bool {
        self.env.actions
    }

    pub fn is_json(&self) -> bool {
        self.json
    }

    /// Registers a secret: masked with `::add-mask::` in Actions, and
    /// replaced by `***` in everything this runner prints, in any mode.
    /// Call it before anything else is printed.
    pub fn mask(&self, secret: &str) {
        let secret = secret.trim();
        if secret.is_empty() {
            return;
        }
        let mut secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        for part in std::iter::once(secret).chain(secret.lines().map(str::trim)) {
            if !part.is_empty() && !secrets.iter().any(|s| s == part) {
                if self.env.actions {
                    self.write_err_raw(&format!("::add-mask::{}", escape::data(part)));
                }
                secrets.push(part.to_owned());
            }
        }
        // Longest first, so a secret containing another is replaced whole.
        secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    }

    /// Text for a message (a human line, an annotation, the summary, a
    /// report): every registered secret becomes `***`, and so do the
    /// userinfo and secret-looking query values of any URL in it
    /// ([`crate::url::redact`]).
    pub fn redact(&self, text: &str) -> String {
        crate::url::redact(&self.redact_masks(text))
    }

    /// Replaces every registered secret in `text` by `***` (step outputs
    /// and `--json` values, which are data: URLs stay whole).
    pub fn redact_masks(&self, text: &str) -> String {
        let secrets = self.secrets.lock().unwrap_or_else(|e| e.into_inner());
        let mut text = text.to_owned();
        for s in secrets.iter() {
            if text.contains(s.as_str()) {
                text = text.replace(s.as_str(), "***");
            }
        }
        text
    }

    fn write_err_raw(&self, line: &str) {
        let mut err = self.err.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(err, "{line}");
        let _ = err.flush();
    }

    /// A human line on stderr, redacted and neutralised
    /// ([`neutral::lines`]): whatever outside text it holds, the runner reads
    /// no workflow command from it. Wrap each outside value in
    /// [`neutral::text`] as well, so its line breaks show as `\n`.
    pub fn info(&self, line: &str) {
        self.write_err_raw(&neutral::lines(&self.redact(line)));
    }

    /// The command's result on stdout (a version, a tag, release notes, a
    /// tag message), redacted and neutralised line by line
    /// ([`neutral::lines`]: `##[` becomes `##\[`, a Markdown escape); nothing
    /// under `--json`, where stdout holds only the JSON object.
    pub fn print(&self, text: &str) {
        if self.json {
            return;
        }
        let text = neutral::lines(&self.redact(text));
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = if text.ends_with('\n') {
            write!(out, "{text}")
        } else {
            writeln!(out, "{text}")
        };
        let _ = out.flush();
    }

    /// An annotation: a workflow command in Actions, `level: message` elsewhere.
    pub fn annotate(&self, level: Level, message: &str, at: &Location) {
        // Redacted, then neutralised: a `##[` in the data or the title is
        // broken too, although the runner reads a `::` line first.
        let message = neutral::lines(&self.redact(message));
        if self.env.actions {
            let mut props = Vec::new();
            let title = at.title.as_deref().unwrap_or(self.tool);
            props.push(format!(
                "title={}",
                escape::property(&neutral::text(&self.redact(title)))
            ));
            if let Some(f) = &at.file {
                props.push(format!(
                    "file={}",
                    escape::property(&neutral::text(&self.redact(f)))
                ));
            }
            if let Some(l) = at.line {
                props.push(format!("line={l}"));
            }
            if let Some(c) = at.col {
                props.push(format!("col={c}"));
            }
            self.write_err_raw(&format!(
                "::{} {}::{}",
                level.command(),
                props.join(","),
                escape::data(&message)
            ));
        } else {
            let place = match (&at.file, at.line, at.col) {
                (Some(f), Some(l), Some(c)) => format!("{f}:{l}:{c}: "),
                (Some(f), Some(l), None) => format!("{f}:{l}: "),
                (Some(f), None, _) => format!("{f}: "),
                _ => String::new(),
            };
            self.write_err_raw(&neutral::lines(&format!(
                "{}: {}: {place}{message}",
                self.tool,
                level.command()
            )));
        }
    }

    pub fn error(&self, message: &str) {
        self.annotate(Level::Error, message, &Location::default());
    }

    pub fn warning(&self, message: &str) {
        self.annotate(Level::Warning, message, &Location::default());
    }

    pub fn notice(&self, message: &str) {
        self.annotate(Level::Notice, message, &Location::default());
    }

    /// Folds what follows into a collapsible group in the Actions log, until
    /// the returned guard is dropped.
    pub fn group(&self, title: &str) -> Group<'_> {
        if self.env.actions {
            self.write_err_raw(&format!(
                "::group::{}",
                escape::data(&neutral::text(&self.redact(title)))
            ));
        } else {
            self.info(&format!("── {title}"));
        }
        Group { runner: self }
    }

    /// Writes outputs, summary and `--json`, and returns the exit code.
    pub fn finish(&self, outcome: Outcome) -> ExitCode {
        ExitCode::from(self.finish_code(outcome))
    }

    /// [`Runner::finish`], returning the numeric code.
    pub fn finish_code(&self, outcome: Outcome) -> u8 {
        let Outcome {
            mut outputs,
            summary,
            verdict,
        } = outcome;
        match &verdict {
            Verdict::Done => {}
            Verdict::Passed => {
                outputs.set("passed", true);
            }
            Verdict::Failed(_) => {
                outputs.set("passed", false);
            }
        }
        if let Err(e) = self.write_outputs(&outputs) {
            return self.fail_code(&crate::Failure::environment(format!(
                "cannot write step outputs to {}: {e}",
                self.env
                    .output_file
                    .as_deref()
                    .unwrap_or(Path::new("?"))
                    .display()
            )));
        }
        if let Err(e) = self.append_summary(summary.as_str()) {
            self.warning(&format!("cannot write the job summary: {e}"));
        }
        if self.json {
            self.print_json(&outputs.to_json());
        }
        if let Verdict::Failed(reason) = &verdict {
            if self.soft {
                self.warning(&format!("{reason} (--soft: passed=false, exit 0)"));
            } else {
                self.error(reason);
            }
        }
        code_for(&verdict, self.soft)
    }

    /// Reports an error (annotation, hint, `--json` error object, a line in
    /// the summary) and returns its exit code.
    pub fn fail(&self, err: &dyn Classify) -> ExitCode {
        ExitCode::from(self.fail_code(err))
    }

    /// [`Runner::fail`], returning the numeric code.
    pub fn fail_code(&self, err: &dyn Classify) -> u8 {
        let class = err.class();
        let message = self.redact(&err.to_string());
        let hint = err.hint().map(|h| self.redact(&h));
        let full = match &hint {
            Some(h) => format!("{message}\n{h}"),
            None => message.clone(),
        };
        if class == ErrorClass::Denied && self.soft {
            self.warning(&format!("{full}\n(--soft: passed=false, exit 0)"));
        } else {
            self.error(&full);
        }
        if class == ErrorClass::Denied {
            let _ = self.write_outputs(&Outputs::new().with("passed", false));
        }
        let mut summary = Summary::new();
        let icon = if class == ErrorClass::Denied {
            "⛔"
        } else {
            "❌"
        };
        summary.line(&format!(
            "{icon} **{}** ({}): {}",
            self.tool,
            class.name(),
            escape::markdown_cell(&self.redact(&message))
        ));
        if let Some(h) = &hint {
            summary.line(&escape::markdown_cell(&self.redact(h)));
        }
        let _ = self.append_summary(summary.as_str());
        if self.json {
            let mut obj = json!({
                "schema": crate::output::JSON_SCHEMA,
                "error": { "class": class.name(), "code": class.code(), "message": message },
            });
            if let Some(h) = hint {
                obj["error"]["hint"] = Value::from(h);
            }
            if class == ErrorClass::Denied {
                obj["passed"] = Value::Bool(false);
            }
            self.print_json(&obj);
        }
        code_for_error(class, self.soft)
    }

    /// Maps a command's result to the process exit code.
    pub fn conclude<E: Classify>(&self, result: Result<Outcome, E>) -> ExitCode {
        match result {
            Ok(outcome) => self.finish(outcome),
            Err(e) => self.fail(&e),
        }
    }

    /// A JSON value on stdout, pretty, redacted and neutralised
    /// ([`neutral::json`]: the same value, no workflow command in it).
    pub fn print_json(&self, value: &Value) {
        let text = neutral::json(
            &self.redact_masks(&serde_json::to_string_pretty(value).unwrap_or_default()),
        );
        let mut out = self.out.lock().unwrap_or_else(|e| e.into_inner());
        let _ = writeln!(out, "{text}");
        let _ = out.flush();
    }
}

/// Ends a log group when dropped.
pub struct Group<'a> {
    runner: &'a Runner,
}

impl Drop for Group<'_> {
    fn drop(&mut self) {
        if self.runner.env.actions {
            self.runner.write_err_raw("::endgroup::");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Failure;
    use crate::output::OUTPUT_BUDGET;
    use crate::summary::SUMMARY_BUDGET;
    use std::sync::Arc;

    /// A clonable in-memory stream.
    #[derive(Clone, Default)]
    struct Buf(Arc<Mutex<Vec<u8>>>);
    impl Write for Buf {
        fn write(&mut self, b: &[u8]) -> io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(b);
            Ok(b.len())
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    impl Buf {
        fn text(&self) -> String {
            String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
        }
    }

    fn runner(actions: bool, dir: &Path) -> (Runner, Buf, Buf) {
        let (out, err) = (Buf::default(), Buf::default());
        let env = Env {
            output_file: Some(dir.join("out")),
            summary_file: Some(dir.join("summary")),
            actions,
            temp_dir: Some(dir.join("tmp")),
        };
        let r = Runner::with_streams("tool", env, Box::new(out.clone()), Box::new(err.clone()));
        (r, out, err)
    }

    #[test]
    fn annotations_in_actions_are_escaped_workflow_commands() {
        let dir = tempfile::tempdir().unwrap();
        let (r, _, err) = runner(true, dir.path());
        r.annotate(
            Level::Warning,
            "50% done\nnext",
            &Location {
                title: Some("a: b, c".into()),
                file: Some("spec.yml".into()),
                line: Some(3),
                col: Some(7),
            },
        );
        r.error("bad");
        assert_eq!(
            err.text(),
            "::warning title=a%3A b%2C c,file=spec.yml,line=3,col=7::50%25 done%0Anext\n::error title=tool::bad\n"
        );
    }

    #[test]
    fn annotations_outside_actions_are_plain() {
        let dir = tempfile::tempdir().unwrap();
        let (r, _, err) = runner(false, dir.path());
        r.annotate(
            Level::Error,
            "unknown key",
            &Location {
                file: Some("spec.yml".into()),
                line: Some(3),
                col: Some(7),
                ..Default::default()
            },
        );
        assert_eq!(err.text(), "tool: error: spec.yml:3:7: unknown key\n");
    }

    #[test]
    fn masks_are_announced_and_applied_everywhere() {
        let dir = tempfile::tempdir().unwrap();
        let (r, out, err) = runner(true, dir.path());
        let r = r.json(true);
        r.mask("s3cr3t-token");
        r.mask("s3cr3t-token"); // once only
        r.info("using s3cr3t-token");
        r.finish(Outcome::done(
            Outputs::new().with("echo", "Bearer s3cr3t-token"),
        ));
        let err = err.text();
        assert_eq!(err.matches("::add-mask::s3cr3t-token").count(), 1);
        assert!(err.contains("using ***"));
        assert!(out.text().contains("Bearer ***"));
        let written = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert!(written.contains("echo=Bearer ***"));
        assert!(!written.contains("s3cr3t"));
    }

    #[test]
    fn masks_are_silent_outside_actions_but_still_redact() {
        let dir = tempfile::tempdir().unwrap();
        let (r, _, err) = runner(false, dir.path());
        r.mask("hunter2");
        r.info("password hunter2");
        assert_eq!(err.text(), "password ***\n");
    }

    #[test]
    fn groups_open_and_close() {
        let dir = tempfile::tempdir().unwrap();
        let (r, _, err) = runner(true, dir.path());
        {
            let _g = r.group("git fetch");
            r.info("noise");
        }
        assert_eq!(err.text(), "::group::git fetch\nnoise\n::endgroup::\n");
    }

    #[test]
    fn finish_writes_outputs_summary_and_json() {
        let dir = tempfile::tempdir().unwrap();
        let (r, out, _) = runner(false, dir.path());
        let r = r.json(true);
        let mut s = Summary::new();
        s.heading(3, "done");
        let code = r.finish_code(
            Outcome::passed(Outputs::new().with("version", "abc").with("notes", "a\nb"))
                .with_summary(s),
        );
        assert_eq!(code, 0);
        let written = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert!(written.starts_with("version=abc\nnotes<<ghadelimiter_"));
        assert!(written.contains("passed=true\n"));
        assert!(written.ends_with("truncated=false\n"));
        let json: Value = serde_json::from_str(&out.text()).unwrap();
        assert_eq!(json["schema"], 1);
        assert_eq!(json["version"], "abc");
        assert_eq!(json["passed"], true);
        assert_eq!(
            std::fs::read_to_string(dir.path().join("summary")).unwrap(),
            "### done\n\n"
        );
    }

    #[test]
    fn a_failed_check_exits_1_or_0_with_soft() {
        let dir = tempfile::tempdir().unwrap();
        let (r, _, err) = runner(true, dir.path());
        assert_eq!(
            r.finish_code(Outcome::failed(Outputs::new(), "gate closed")),
            1
        );
        assert!(err.text().contains("::error title=tool::gate closed"));
        let (r, _, err) = runner(true, dir.path());
        let r = r.soft(true);
        assert_eq!(
            r.finish_code(Outcome::failed(Outputs::new(), "gate closed")),
            0
        );
        assert!(err.text().contains("::warning title=tool::gate closed"));
        let written = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert!(written.contains("passed=false"));
    }

    #[test]
    fn every_error_class_has_its_exit_code() {
        for (failure, code, soft_code) in [
            (Failure::denied("no"), 1, 0),
            (Failure::input("bad 'x': expected y"), 2, 2),
            (Failure::environment("git failed"), 3, 3),
        ] {
            let dir = tempfile::tempdir().unwrap();
            let (r, out, err) = runner(true, dir.path());
            let r = r.json(true);
            assert_eq!(r.fail_code(&failure), code);
            let json: Value = serde_json::from_str(&out.text()).unwrap();
            assert_eq!(json["error"]["code"], code);
            assert_eq!(json["error"]["class"], failure.class.name());
            assert!(err.text().starts_with("::error title=tool::"));
            let (r, _, _) = runner(false, dir.path());
            assert_eq!(r.soft(true).fail_code(&failure), soft_code);
        }
    }

    #[test]
    fn error_hints_follow_the_message() {
        let dir = tempfile::tempdir().unwrap();
        let (r, _, err) = runner(true, dir.path());
        r.fail_code(&Failure::environment("shallow clone").with_hint("use fetch-depth: 0"));
        assert_eq!(
            err.text(),
            "::error title=tool::shallow clone%0Ause fetch-depth: 0\n"
        );
        let summary = std::fs::read_to_string(dir.path().join("summary")).unwrap();
        assert!(summary.contains("shallow clone"));
    }

    #[test]
    fn oversized_outputs_spill_to_a_file() {
        let dir = tempfile::tempdir().unwrap();
        let (r, _, _) = runner(false, dir.path());
        let big = "x\n".repeat(OUTPUT_BUDGET);
        r.write_outputs(
            &Outputs::new()
                .with("changelog", big.clone())
                .with("report", json!({"items": vec![big.clone()]})),
        )
        .unwrap();
        let written = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert!(written.len() < 2 * OUTPUT_BUDGET);
        assert!(written.contains("truncated=true\n"));
        let file_line = written
            .lines()
            .find_map(|l| l.strip_prefix("changelog-file="))
            .unwrap();
        assert_eq!(std::fs::read_to_string(file_line).unwrap(), big);
        assert!(written.contains("report-file="));
        assert!(written.contains("report={\"file\":"));
    }

    #[test]
    fn oversized_summaries_are_cut_with_a_pointer() {
        let dir = tempfile::tempdir().unwrap();
        let (r, _, _) = runner(false, dir.path());
        let big = "| a | b |\n".repeat(SUMMARY_BUDGET / 5);
        r.append_summary(&big).unwrap();
        let summary = std::fs::read_to_string(dir.path().join("summary")).unwrap();
        assert!(summary.len() <= SUMMARY_BUDGET);
        assert!(summary.contains("Summary truncated"));
        let out = std::fs::read_to_string(dir.path().join("out")).unwrap();
        assert!(out.contains("summary-file="));
        assert!(out.contains("truncated=true"));
    }

    #[test]
    fn outside_text_never_becomes_a_workflow_command() {
        let hostile = "t ##[add-mask]x\r::error::y\n  ::stop-commands ::z ##[set-output name=a]b";
        for actions in [true, false] {
            let dir = tempfile::tempdir().unwrap();
            let (r, out, err) = runner(actions, dir.path());
            r.info(hostile);
            r.warning(hostile);
            r.annotate(
                Level::Notice,
                hostile,
                &Location {
                    title: Some(hostile.into()),
                    file: Some(hostile.into()),
                    ..Location::default()
                },
            );
            drop(r.group(hostile));
            r.print(hostile);
            r.print_json(&json!({ "m": hostile }));
            r.fail_code(&Failure::input(hostile));
            let all = format!("{}{}", out.text(), err.text());
            for c in neutral::commands(&all) {
                assert_eq!(c.form, neutral::Form::V2, "{c:?}");
                assert!(c.line.starts_with("::"), "{c:?}");
                assert!(
                    ["error", "warning", "notice", "group", "endgroup"].contains(&c.name.as_str()),
                    "{c:?}"
                );
            }
            assert!(neutral::commands(hostile).len() >= 3);
        }
    }

    #[test]
    fn urls_in_messages_lose_their_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let (r, out, err) = runner(true, dir.path());
        let r = r.json(true);
        r.info("GET http://u:PW@host/?token=S");
        r.fail_code(&Failure::input("bad URL 'http://h/?sig=S2'"));
        let all = format!(
            "{}{}{}",
            out.text(),
            err.text(),
            std::fs::read_to_string(dir.path().join("summary")).unwrap()
        );
        assert!(all.contains("http://***@host/?token=***"), "{all}");
        for secret in ["PW", "=S", "S2"] {
            assert!(!all.contains(secret), "{secret} in {all}");
        }
    }

    #[test]
    fn no_files_without_the_runner() {
        let (out, err) = (Buf::default(), Buf::default());
        let r = Runner::with_streams("t", Env::default(), Box::new(out.clone()), Box::new(err));
        assert_eq!(
            r.finish_code(Outcome::done(Outputs::new().with("a", "b"))),
            0
        );
        assert_eq!(out.text(), "");
    }
}
