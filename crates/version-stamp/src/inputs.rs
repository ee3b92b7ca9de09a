//! What a stamp is made from: the flags' values (`--sha`, `--time`,
//! `--sha-length`, `--service`), the runner's variables and the event
//! payload as `main` read them, gathered in [`Inputs`].

use crate::template::Template;
use jiff::Timestamp;
use std::fmt;
use std::str::FromStr;
use vocab::refname::check_component;
use vocab::version::Quoted;

/// The stages a version is tagged for, in order.
pub const STAGES: [&str; 3] = ["build", "qa", "prod"];

/// `--sha`: a commit sha as given, 4 to 64 hex digits, lower-cased.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sha(String);

impl Sha {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// A full sha (40 hex for SHA-1 repositories, 64 for SHA-256) is used
    /// as is; a shorter one is resolved with git.
    pub fn is_full(&self) -> bool {
        self.0.len() == 40 || self.0.len() == 64
    }
}

const SHA_FORM: &str = "a commit sha of 4 to 64 hex digits, such as 84fb5881 or the full 40";

impl FromStr for Sha {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.is_empty() {
            return Err(format!("empty sha: expected {SHA_FORM}"));
        }
        if !t.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!(
                "{} is not hexadecimal: expected {SHA_FORM}",
                Quoted(t)
            ));
        }
        if !(4..=64).contains(&t.len()) {
            return Err(format!(
                "{} has {} hex digits: expected {SHA_FORM}",
                Quoted(t),
                t.len()
            ));
        }
        Ok(Sha(t.to_ascii_lowercase()))
    }
}

impl fmt::Display for Sha {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// `--time`: which moment the version records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum TimeSpec {
    /// The time of the run (the default).
    #[default]
    Now,
    /// The commit's committer time: stable across re-runs.
    Commit,
    /// A given moment.
    At(Timestamp),
}

const TIME_FORM: &str = "now, commit, or an RFC 3339 time with an offset, such as 2025-01-20T14:30:22Z or 2025-01-20T16:30:22+02:00";

impl FromStr for TimeSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let t = s.trim();
        if t.eq_ignore_ascii_case("now") {
            return Ok(TimeSpec::Now);
        }
        if t.eq_ignore_ascii_case("commit") {
            return Ok(TimeSpec::Commit);
        }
        if t.is_empty() {
            return Err(format!("empty time: expected {TIME_FORM}"));
        }
        if leap_second(t) {
            return Err(format!(
                "{}: second 60 (a leap second) is not a time a version can record; expected {TIME_FORM}",
                Quoted(t)
            ));
        }
        t.parse::<Timestamp>().map(TimeSpec::At).map_err(|e| {
            format!(
                "{} is not a time: {}; expected {TIME_FORM}",
                Quoted(t),
                // jiff's messages are one line; keep them so.
                e.to_string().replace('\n', " ")
            )
        })
    }
}

/// `…T23:59:60…`: jiff would quietly read it as :59.
fn leap_second(t: &str) -> bool {
    let Some(sep) = t.find(['T', 't', ' ']) else {
        return false;
    };
    let clock = &t[sep + 1..];
    let secs = if clock.as_bytes().get(2) == Some(&b':') {
        clock.get(6..8)
    } else {
        clock.get(4..6)
    };
    secs == Some("60")
}

impl fmt::Display for TimeSpec {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TimeSpec::Now => f.write_str("now"),
            TimeSpec::Commit => f.write_str("commit"),
            TimeSpec::At(t) => write!(f, "{t}"),
        }
    }
}

/// `--sha-length`: 7 to 40, so a default-format version always parses.
pub fn sha_length(s: &str) -> Result<usize, String> {
    let t = s.trim();
    match t.parse::<usize>() {
        Ok(n) if (7..=40).contains(&n) => Ok(n),
        _ => Err(format!(
            "{} is not a sha length: expected a whole number from 7 to 40, such as 8",
            Quoted(t)
        )),
    }
}

/// `--service`: one tag-name component, such as `shop`.
pub fn service(s: &str) -> Result<String, String> {
    let t = s.trim();
    check_component(t)
        .map(|()| t.to_owned())
        .map_err(|e| format!("{e} (a service name, such as shop or billing-api)"))
}

/// Where the commit came from, for the log and the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ShaSource {
    Flag,
    PullRequestHead,
    WorkflowRunHead,
    GithubSha,
    GitHead,
}

impl fmt::Display for ShaSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ShaSource::Flag => "--sha",
            ShaSource::PullRequestHead => "the pull request's head",
            ShaSource::WorkflowRunHead => "the workflow_run's head_sha",
            ShaSource::GithubSha => "GITHUB_SHA",
            ShaSource::GitHead => "git HEAD",
        })
    }
}

/// The event payload (`GITHUB_EVENT_PATH`), as far as `main` could read it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum EventPayload {
    /// Not read: not needed, or `GITHUB_EVENT_PATH` unset.
    #[default]
    None,
    /// The file's text.
    Read { path: String, json: String },
    /// The file could not be read.
    Unreadable { path: String, error: String },
}

/// What the runner says about the run (`GITHUB_*`), empty values as `None`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Github {
    /// `GITHUB_EVENT_NAME`
    pub event_name: Option<String>,
    /// `GITHUB_EVENT_PATH`'s contents.
    pub event: EventPayload,
    /// `GITHUB_SHA`
    pub sha: Option<String>,
    /// `GITHUB_RUN_NUMBER`
    pub run_number: Option<String>,
    /// `GITHUB_HEAD_REF` (pull requests)
    pub head_ref: Option<String>,
    /// `GITHUB_REF_NAME`
    pub ref_name: Option<String>,
}

impl Github {
    pub(crate) fn is_pull_request(&self) -> bool {
        self.event_name
            .as_deref()
            .is_some_and(|e| e.starts_with("pull_request"))
    }
}

/// Whether the commit must come from the event payload, so `main` reads
/// `GITHUB_EVENT_PATH` only then.
pub fn needs_event_payload(event_name: Option<&str>, sha_given: bool) -> bool {
    !sha_given && event_name.is_some_and(|e| e.starts_with("pull_request") || e == "workflow_run")
}

/// Everything a stamp is made from. `main` fills it from flags and the
/// environment; the logic reads nothing else (except git, through [`Git`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Inputs {
    pub sha: Option<Sha>,
    pub time: TimeSpec,
    pub sha_length: usize,
    pub format: Template,
    pub service: Option<String>,
    /// The container image tag's template: `{version}`, `{short-sha}` and
    /// the characters of an OCI tag.
    pub image_tag: String,
    /// The clock, read once by `main`.
    pub now: Timestamp,
    pub github: Github,
}

impl Inputs {
    /// Defaults for everything but the clock.
    pub fn new(now: Timestamp) -> Self {
        Inputs {
            sha: None,
            time: TimeSpec::Now,
            sha_length: 8,
            format: Template::default(),
            service: None,
            image_tag: "{version}".into(),
            now,
            github: Github::default(),
        }
    }
}
