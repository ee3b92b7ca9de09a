//! Stamping: from the inputs (flags, the event, the runner's variables) and
//! git's answers to the version, its tags and its artifact name.

use crate::git::{Git, GitError};
use crate::template::{Placeholder, Template, safe_branch};
use jiff::{RoundMode, Timestamp, TimestampRound, Unit};
use serde::Deserialize;
use std::fmt;
use std::str::FromStr;
use vocab::refname::{RefnameError, check_component, check_tag_name};
use vocab::version::{BuildVersion, Quoted};

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
    fn is_pull_request(&self) -> bool {
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

/// The result: a version and what follows from it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stamp {
    pub version: String,
    /// The full commit sha (40 or 64 hex).
    pub sha: String,
    pub short_sha: String,
    /// The recorded time, UTC, whole seconds.
    pub timestamp: Timestamp,
    pub build_tag: String,
    pub qa_tag: String,
    pub prod_tag: String,
    pub artifact_name: Option<String>,
    /// The tag a build pushes its container image under.
    pub image_tag: String,
    pub service: Option<String>,
    pub sha_source: ShaSource,
    pub time: TimeSpec,
    /// The version parsed in the default format (`None` for a custom
    /// `--format` whose result is not in it: tag-gate and `parse` would not
    /// accept it).
    pub build_version: Option<BuildVersion>,
}

impl Stamp {
    /// The step outputs, in the documented order.
    pub fn outputs(&self) -> gha::Outputs {
        gha::Outputs::new()
            .with("version", self.version.as_str())
            .with("sha", self.sha.as_str())
            .with("short-sha", self.short_sha.as_str())
            .with("timestamp", self.timestamp.to_string())
            .with("build-tag", self.build_tag.as_str())
            .with("qa-tag", self.qa_tag.as_str())
            .with("prod-tag", self.prod_tag.as_str())
            .with("artifact-name", self.artifact_name.clone())
            .with("image-tag", self.image_tag.as_str())
    }

    /// The job summary: a small table.
    pub fn summary(&self) -> gha::Summary {
        let mut s = gha::Summary::new();
        s.heading(3, &format!("version-stamp: `{}`", self.version));
        let time_from = match self.time {
            TimeSpec::Now => "now",
            TimeSpec::Commit => "committer time",
            TimeSpec::At(_) => "--time",
        };
        let mut rows = vec![
            ["version".to_owned(), format!("`{}`", self.version)],
            [
                "commit".to_owned(),
                format!("`{}` ({})", self.sha, self.sha_source),
            ],
            [
                "time".to_owned(),
                format!("{} ({time_from})", self.timestamp),
            ],
            [
                "tags".to_owned(),
                format!(
                    "`{}` · `{}` · `{}`",
                    self.build_tag, self.qa_tag, self.prod_tag
                ),
            ],
        ];
        if let Some(a) = &self.artifact_name {
            rows.push(["artifact".to_owned(), format!("`{a}`")]);
        }
        s.table(&["", ""], rows);
        s
    }
}

/// The parts of a version checked by `version-stamp parse`.
pub fn parse_outputs(v: &BuildVersion) -> gha::Outputs {
    gha::Outputs::new()
        .with("version", v.as_str())
        .with("short-sha", v.short_sha())
        .with("timestamp", v.timestamp().to_string())
}

/// Why no stamp could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Error {
    #[error(
        "the sha from {source_name} {} is not a commit sha: expected 4 to 64 hex digits, such as 84fb5881 or the full 40",
        Quoted(value)
    )]
    BadSha {
        source_name: &'static str,
        value: String,
    },

    #[error("the {event} event payload {problem}, so the commit it is about is unknown")]
    Event { event: String, problem: String },

    #[error(
        "--format {} gives {}, which is not a valid version: {source}",
        Quoted(format),
        Quoted(version)
    )]
    InvalidVersion {
        format: String,
        version: String,
        source: RefnameError,
    },

    #[error("the {stage} tag {} is not a valid tag name: {source}", Quoted(tag))]
    InvalidTag {
        stage: &'static str,
        tag: String,
        source: RefnameError,
    },

    #[error(
        "--format {} uses {{run}}, but GITHUB_RUN_NUMBER is not set: {{run}} works in GitHub Actions only",
        Quoted(format)
    )]
    NoRunNumber { format: String },

    #[error("GITHUB_RUN_NUMBER {} is not a number", Quoted(value))]
    BadRunNumber { value: String },

    #[error("cannot make the version: {0}")]
    Git(#[from] GitError),

    #[error(
        "--image-tag {} gives {}, which is not an image tag: expected [A-Za-z0-9_][A-Za-z0-9._-]{{0,127}} \
         with the placeholders {{version}} and {{short-sha}}, e.g. {{version}}",
        Quoted(template),
        Quoted(tag)
    )]
    InvalidImageTag { template: String, tag: String },
}

impl gha::Classify for Error {
    fn class(&self) -> gha::ErrorClass {
        match self {
            Error::BadSha { .. }
            | Error::InvalidVersion { .. }
            | Error::InvalidTag { .. }
            | Error::NoRunNumber { .. }
            | Error::InvalidImageTag { .. } => gha::ErrorClass::Input,
            Error::Event { .. } | Error::BadRunNumber { .. } | Error::Git(_) => {
                gha::ErrorClass::Environment
            }
        }
    }

    fn hint(&self) -> Option<String> {
        match self {
            Error::Git(e) => Some(format!("fix: {}", e.fix())),
            Error::Event { .. } => Some(
                "fix: pass the commit explicitly with --sha (input `sha`), e.g. the pull request's head sha"
                    .into(),
            ),
            Error::NoRunNumber { .. } => {
                Some("fix: outside Actions, use a --format without {run}".into())
            }
            _ => None,
        }
    }
}

/// An OCI distribution tag: `[A-Za-z0-9_][A-Za-z0-9._-]{0,127}`.
fn valid_image_tag(tag: &str) -> bool {
    let mut bytes = tag.bytes();
    matches!(bytes.next(), Some(b) if b.is_ascii_alphanumeric() || b == b'_')
        && tag.len() <= 128
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

#[derive(Deserialize)]
struct Payload {
    pull_request: Option<PullRequest>,
    workflow_run: Option<WorkflowRun>,
}

#[derive(Deserialize)]
struct PullRequest {
    head: Head,
}

#[derive(Deserialize)]
struct Head {
    sha: String,
}

#[derive(Deserialize)]
struct WorkflowRun {
    head_sha: String,
}

/// The commit the event is about, when the event says so.
fn event_sha(github: &Github) -> Result<Option<(String, ShaSource)>, Error> {
    let Some(event) = github.event_name.as_deref() else {
        return Ok(None);
    };
    let pr = github.is_pull_request();
    if !pr && event != "workflow_run" {
        return Ok(None);
    }
    let fail = |problem: String| Error::Event {
        event: event.to_owned(),
        problem,
    };
    let (path, json) = match &github.event {
        EventPayload::None => return Err(fail("is missing (GITHUB_EVENT_PATH is not set)".into())),
        EventPayload::Unreadable { path, error } => {
            return Err(fail(format!("at {path} cannot be read: {error}")));
        }
        EventPayload::Read { path, json } => (path, json),
    };
    let payload: Payload = serde_json::from_str(json)
        .map_err(|e| fail(format!("at {path} is not the JSON expected: {e}")))?;
    let found = if pr {
        payload
            .pull_request
            .map(|p| (p.head.sha, ShaSource::PullRequestHead))
    } else {
        payload
            .workflow_run
            .map(|r| (r.head_sha, ShaSource::WorkflowRunHead))
    };
    match found {
        Some(f) => Ok(Some(f)),
        None if pr => Err(fail(format!("at {path} has no pull_request.head.sha"))),
        None => Err(fail(format!("at {path} has no workflow_run.head_sha"))),
    }
}

/// Makes the stamp.
pub fn stamp(inputs: &Inputs, git: &dyn Git) -> Result<Stamp, Error> {
    // 1. The commit.
    let (sha, sha_source) = match &inputs.sha {
        Some(sha) => (sha.clone(), ShaSource::Flag),
        None => {
            let (text, source, name) = if let Some((s, src)) = event_sha(&inputs.github)? {
                let name = match src {
                    ShaSource::PullRequestHead => "pull_request.head.sha",
                    _ => "workflow_run.head_sha",
                };
                (s, src, name)
            } else if let Some(s) = &inputs.github.sha {
                (s.clone(), ShaSource::GithubSha, "GITHUB_SHA")
            } else {
                (git.head()?, ShaSource::GitHead, "git HEAD")
            };
            let sha = text.parse::<Sha>().map_err(|_| Error::BadSha {
                source_name: name,
                value: text.clone(),
            })?;
            (sha, source)
        }
    };
    let full = if sha.is_full() {
        sha.as_str().to_owned()
    } else {
        git.resolve_commit(sha.as_str())?
    };
    let short_sha = full[..inputs.sha_length.min(full.len())].to_owned();

    // 2. The time, in UTC, whole seconds.
    let at = match inputs.time {
        TimeSpec::Now => inputs.now,
        TimeSpec::Commit => git.committer_time(&full)?,
        TimeSpec::At(t) => t,
    };
    let timestamp = at
        .round(
            TimestampRound::new()
                .smallest(Unit::Second)
                .mode(RoundMode::Floor),
        )
        .unwrap_or(at);
    let utc = timestamp.to_zoned(jiff::tz::TimeZone::UTC);

    // 3. The values the template asks for.
    let format = &inputs.format;
    let run = if format.uses(Placeholder::Run) {
        let value = inputs
            .github
            .run_number
            .clone()
            .ok_or_else(|| Error::NoRunNumber {
                format: format.to_string(),
            })?;
        if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::BadRunNumber { value });
        }
        value
    } else {
        String::new()
    };
    let branch = if format.uses(Placeholder::Branch) {
        let head_ref = inputs
            .github
            .head_ref
            .clone()
            .filter(|_| inputs.github.is_pull_request());
        let name = match head_ref.or_else(|| inputs.github.ref_name.clone()) {
            Some(name) => name,
            None => git.current_branch()?,
        };
        safe_branch(&name)
    } else {
        String::new()
    };
    let version = format.render(|p| match p {
        Placeholder::Sha => short_sha.clone(),
        Placeholder::Date => utc.strftime("%Y%m%d").to_string(),
        Placeholder::Time => utc.strftime("%H%M%S").to_string(),
        Placeholder::Run => run.clone(),
        Placeholder::Branch => branch.clone(),
    });
    check_component(&version).map_err(|source| Error::InvalidVersion {
        format: format.to_string(),
        version: version.clone(),
        source,
    })?;

    // 4. Tags and the artifact.
    let prefix = inputs
        .service
        .as_ref()
        .map(|s| format!("{s}/"))
        .unwrap_or_default();
    let mut tags = Vec::with_capacity(STAGES.len());
    for stage in STAGES {
        let tag = format!("{prefix}{stage}-{version}");
        check_tag_name(&tag).map_err(|source| Error::InvalidTag {
            stage,
            tag: tag.clone(),
            source,
        })?;
        tags.push(tag);
    }
    let [build_tag, qa_tag, prod_tag] = <[String; 3]>::try_from(tags).expect("three stages");
    let artifact_name = inputs
        .service
        .as_ref()
        .map(|s| format!("service-{s}-{version}.tar.gz"));
    let image_tag = inputs
        .image_tag
        .replace("{version}", &version)
        .replace("{short-sha}", &short_sha);
    if !valid_image_tag(&image_tag) {
        return Err(Error::InvalidImageTag {
            template: inputs.image_tag.clone(),
            tag: image_tag,
        });
    }
    let build_version = BuildVersion::parse(&version).ok();
    Ok(Stamp {
        version,
        sha: full,
        short_sha,
        timestamp,
        build_tag,
        qa_tag,
        prod_tag,
        artifact_name,
        image_tag,
        service: inputs.service.clone(),
        sha_source,
        time: inputs.time,
        build_version,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::cell::RefCell;

    const FULL: &str = "84fb5881aaaabbbbccccddddeeeeffff00001111";

    /// A git that answers from fixed values and records what it was asked.
    #[derive(Default)]
    struct FakeGit {
        head: Option<String>,
        branch: Option<String>,
        committed: Option<Timestamp>,
        asked: RefCell<Vec<String>>,
    }

    fn no_git(purpose: &'static str) -> GitError {
        GitError::NotFound { purpose }
    }

    impl Git for FakeGit {
        fn head(&self) -> Result<String, GitError> {
            self.asked.borrow_mut().push("head".into());
            self.head.clone().ok_or(no_git("head"))
        }
        fn resolve_commit(&self, rev: &str) -> Result<String, GitError> {
            self.asked.borrow_mut().push(format!("resolve {rev}"));
            if FULL.starts_with(rev) {
                Ok(FULL.into())
            } else {
                Err(GitError::Failed {
                    purpose: "resolve",
                    args: format!("rev-parse --verify {rev}^{{commit}}"),
                    status: "exit 128".into(),
                    stderr: "fatal: Needed a single revision".into(),
                })
            }
        }
        fn committer_time(&self, sha: &str) -> Result<Timestamp, GitError> {
            self.asked.borrow_mut().push(format!("time {sha}"));
            self.committed.ok_or(no_git("time"))
        }
        fn current_branch(&self) -> Result<String, GitError> {
            self.asked.borrow_mut().push("branch".into());
            self.branch.clone().ok_or(no_git("branch"))
        }
    }

    fn ts(s: &str) -> Timestamp {
        s.parse().unwrap()
    }

    fn inputs() -> Inputs {
        Inputs::new(ts("2025-01-20T14:30:22.75Z"))
    }

    #[test]
    fn stamps_github_sha_at_now() {
        let mut i = inputs();
        i.github.sha = Some(FULL.into());
        let git = FakeGit::default();
        let s = stamp(&i, &git).unwrap();
        assert_eq!(s.version, "84fb5881-20250120-143022");
        assert_eq!(s.sha, FULL);
        assert_eq!(s.short_sha, "84fb5881");
        assert_eq!(s.timestamp, ts("2025-01-20T14:30:22Z"));
        assert_eq!(s.build_tag, "build-84fb5881-20250120-143022");
        assert_eq!(s.qa_tag, "qa-84fb5881-20250120-143022");
        assert_eq!(s.prod_tag, "prod-84fb5881-20250120-143022");
        assert_eq!(s.artifact_name, None);
        assert_eq!(s.image_tag, "84fb5881-20250120-143022");
        assert_eq!(s.sha_source, ShaSource::GithubSha);
        assert!(s.build_version.is_some());
        assert!(git.asked.borrow().is_empty(), "a full sha needs no git");
        let out = s.outputs();
        let keys: Vec<_> = out.iter().map(|(k, _)| k).collect();
        assert_eq!(
            keys,
            [
                "version",
                "sha",
                "short-sha",
                "timestamp",
                "build-tag",
                "qa-tag",
                "prod-tag",
                "artifact-name",
                "image-tag"
            ]
        );
        assert_eq!(out.get_text("timestamp").unwrap(), "2025-01-20T14:30:22Z");
        assert_eq!(out.get_text("artifact-name").unwrap(), "");
    }

    #[test]
    fn falls_back_to_git_head_and_resolves_short_shas() {
        let git = FakeGit {
            head: Some(FULL.into()),
            ..Default::default()
        };
        let s = stamp(&inputs(), &git).unwrap();
        assert_eq!(s.sha_source, ShaSource::GitHead);
        let mut i = inputs();
        i.sha = Some("84FB58".parse().unwrap());
        let s = stamp(&i, &git).unwrap();
        assert_eq!(s.sha, FULL);
        assert_eq!(s.sha_source, ShaSource::Flag);
        assert_eq!(git.asked.borrow().as_slice(), ["head", "resolve 84fb58"]);
        i.sha = Some("deadbeef".parse().unwrap());
        let e = stamp(&i, &git).unwrap_err();
        assert_eq!(gha::Classify::class(&e), gha::ErrorClass::Environment);
        assert!(gha::Classify::hint(&e).unwrap().contains("fetch-depth: 0"));
    }

    #[test]
    fn pull_requests_use_the_head_not_the_merge_commit() {
        let mut i = inputs();
        i.github.event_name = Some("pull_request_target".into());
        i.github.sha = Some("1".repeat(40));
        i.github.event = EventPayload::Read {
            path: "/e.json".into(),
            json: format!(
                r#"{{"action":"opened","pull_request":{{"number":1,"head":{{"sha":"{FULL}","ref":"x"}}}}}}"#
            ),
        };
        let s = stamp(&i, &FakeGit::default()).unwrap();
        assert_eq!(s.sha, FULL);
        assert_eq!(s.sha_source, ShaSource::PullRequestHead);

        i.github.event = EventPayload::Read {
            path: "/e.json".into(),
            json: "{}".into(),
        };
        let e = stamp(&i, &FakeGit::default()).unwrap_err();
        assert!(e.to_string().contains("no pull_request.head.sha"), "{e}");
        assert_eq!(gha::Classify::class(&e), gha::ErrorClass::Environment);
        i.github.event = EventPayload::None;
        assert!(stamp(&i, &FakeGit::default()).is_err());
        i.github.event = EventPayload::Unreadable {
            path: "/e.json".into(),
            error: "denied".into(),
        };
        let e = stamp(&i, &FakeGit::default()).unwrap_err();
        assert!(e.to_string().contains("cannot be read: denied"), "{e}");
        // --sha wins over the event.
        i.sha = Some("2".repeat(40).parse().unwrap());
        assert_eq!(stamp(&i, &FakeGit::default()).unwrap().sha, "2".repeat(40));
    }

    #[test]
    fn workflow_runs_use_their_head_sha() {
        let mut i = inputs();
        i.github.event_name = Some("workflow_run".into());
        i.github.event = EventPayload::Read {
            path: "/e.json".into(),
            json: format!(r#"{{"workflow_run":{{"head_sha":"{FULL}"}}}}"#),
        };
        let s = stamp(&i, &FakeGit::default()).unwrap();
        assert_eq!(s.sha_source, ShaSource::WorkflowRunHead);
        i.github.event = EventPayload::Read {
            path: "/e.json".into(),
            json: r#"{"workflow_run":{"head_sha":"$(id)"}}"#.into(),
        };
        let e = stamp(&i, &FakeGit::default()).unwrap_err();
        assert!(
            e.to_string().contains("workflow_run.head_sha '$(id)'"),
            "{e}"
        );
        i.github.event = EventPayload::Read {
            path: "/e.json".into(),
            json: "not json".into(),
        };
        assert!(
            stamp(&i, &FakeGit::default())
                .unwrap_err()
                .to_string()
                .contains("not the JSON expected")
        );
    }

    #[test]
    fn other_events_use_github_sha() {
        assert!(needs_event_payload(Some("pull_request"), false));
        assert!(needs_event_payload(Some("workflow_run"), false));
        assert!(!needs_event_payload(Some("workflow_run"), true));
        assert!(!needs_event_payload(Some("push"), false));
        assert!(!needs_event_payload(None, false));
        let mut i = inputs();
        i.github.event_name = Some("push".into());
        i.github.sha = Some(FULL.into());
        assert_eq!(
            stamp(&i, &FakeGit::default()).unwrap().sha_source,
            ShaSource::GithubSha
        );
        i.github.sha = Some("not-a-sha".into());
        let e = stamp(&i, &FakeGit::default()).unwrap_err();
        assert_eq!(
            e.to_string(),
            "the sha from GITHUB_SHA 'not-a-sha' is not a commit sha: expected 4 to 64 hex digits, such as 84fb5881 or the full 40"
        );
    }

    #[test]
    fn commit_time_and_given_times_are_utc() {
        let git = FakeGit {
            committed: Some(ts("2025-01-20T16:30:22+02:00")),
            ..Default::default()
        };
        let mut i = inputs();
        i.sha = Some(FULL.parse().unwrap());
        i.time = TimeSpec::Commit;
        assert_eq!(stamp(&i, &git).unwrap().version, "84fb5881-20250120-143022");
        i.time = "2024-12-31T23:59:59.999-01:00".parse().unwrap();
        let s = stamp(&i, &git).unwrap();
        assert_eq!(s.version, "84fb5881-20250101-005959");
        assert_eq!(
            s.outputs().get_text("timestamp").unwrap(),
            "2025-01-01T00:59:59Z"
        );
    }

    #[test]
    fn times_are_parsed_strictly() {
        assert_eq!(" now ".parse::<TimeSpec>(), Ok(TimeSpec::Now));
        assert_eq!("Commit".parse::<TimeSpec>(), Ok(TimeSpec::Commit));
        for (bad, needle) in [
            ("", "empty time"),
            ("yesterday", "is not a time"),
            ("2025-01-20T14:30:22", "offset"),
            ("2025-13-20T14:30:22Z", "is not a time"),
            ("2025-02-30T14:30:22Z", "is not a time"),
            ("2025-01-20T14:60:22Z", "is not a time"),
            ("2025-01-20T24:00:00Z", "is not a time"),
            ("2025-01-20T23:59:60Z", "leap second"),
            ("20250120T235960Z", "leap second"),
        ] {
            let e = bad.parse::<TimeSpec>().unwrap_err();
            assert!(e.contains(needle), "{bad}: {e}");
            assert!(e.contains("2025-01-20T14:30:22Z"), "{e}");
        }
    }

    #[test]
    fn shas_lengths_and_services_are_validated() {
        assert_eq!(" ABCDEF12 ".parse::<Sha>().unwrap().as_str(), "abcdef12");
        for bad in [
            "",
            "$(id)",
            "84fb;5881",
            "84f",
            &"a".repeat(65),
            "84fb 5881",
            "HEAD",
        ] {
            assert!(bad.parse::<Sha>().is_err(), "{bad}");
        }
        assert!("a".repeat(64).parse::<Sha>().unwrap().is_full());
        assert!(!"a".repeat(39).parse::<Sha>().unwrap().is_full());
        assert_eq!(sha_length(" 12 "), Ok(12));
        for bad in ["6", "41", "x", "-8", ""] {
            assert!(
                sha_length(bad).unwrap_err().contains("from 7 to 40"),
                "{bad}"
            );
        }
        assert_eq!(service(" shop "), Ok("shop".into()));
        for bad in ["shop/eu", "a..b", "$(id)", "", ".x", "a b"] {
            assert!(service(bad).unwrap_err().contains("service name"), "{bad}");
        }
    }

    #[test]
    fn services_prefix_tags_and_name_the_artifact() {
        let mut i = inputs();
        i.sha = Some(FULL.parse().unwrap());
        i.service = Some("shop".into());
        i.sha_length = 12;
        let s = stamp(&i, &FakeGit::default()).unwrap();
        assert_eq!(s.version, "84fb5881aaaa-20250120-143022");
        assert_eq!(s.build_tag, "shop/build-84fb5881aaaa-20250120-143022");
        assert_eq!(s.qa_tag, "shop/qa-84fb5881aaaa-20250120-143022");
        assert_eq!(s.prod_tag, "shop/prod-84fb5881aaaa-20250120-143022");
        assert_eq!(
            s.artifact_name.as_deref(),
            Some("service-shop-84fb5881aaaa-20250120-143022.tar.gz")
        );
        assert!(s.summary().as_str().contains("service-shop-84fb5881aaaa"));
    }

    #[test]
    fn run_and_branch_placeholders() {
        let git = FakeGit {
            branch: Some("feature/login".into()),
            ..Default::default()
        };
        let mut i = inputs();
        i.sha = Some(FULL.parse().unwrap());
        i.format = "{branch}.{run}-{sha}".parse().unwrap();
        let e = stamp(&i, &git).unwrap_err();
        assert!(matches!(e, Error::NoRunNumber { .. }));
        assert_eq!(gha::Classify::class(&e), gha::ErrorClass::Input);
        i.github.run_number = Some("17".into());
        let s = stamp(&i, &git).unwrap();
        assert_eq!(s.version, "feature-login.17-84fb5881");
        assert!(s.build_version.is_none());
        i.github.ref_name = Some("release/1.2".into());
        assert_eq!(stamp(&i, &git).unwrap().version, "release-1.2.17-84fb5881");
        i.github.head_ref = Some("dependabot/cargo/x".into());
        // head_ref counts on pull requests only.
        assert_eq!(stamp(&i, &git).unwrap().version, "release-1.2.17-84fb5881");
        i.github.event_name = Some("pull_request".into());
        i.github.event = EventPayload::Read {
            path: "/e".into(),
            json: format!(r#"{{"pull_request":{{"head":{{"sha":"{FULL}"}}}}}}"#),
        };
        i.sha = None;
        assert_eq!(
            stamp(&i, &git).unwrap().version,
            "dependabot-cargo-x.17-84fb5881"
        );
        i.github.run_number = Some("1;id".into());
        assert!(matches!(
            stamp(&i, &git).unwrap_err(),
            Error::BadRunNumber { .. }
        ));
    }

    #[test]
    fn results_that_are_not_tag_names_are_refused() {
        let git = FakeGit {
            branch: Some("x.".into()),
            ..Default::default()
        };
        let mut i = inputs();
        i.sha = Some(FULL.parse().unwrap());
        i.format = "{sha}.".parse().unwrap();
        let e = stamp(&i, &git).unwrap_err();
        assert!(matches!(e, Error::InvalidVersion { .. }), "{e}");
        assert_eq!(
            e.to_string(),
            "--format '{sha}.' gives '84fb5881.', which is not a valid version: '84fb5881.' ends with '.', which git refuses in a ref name"
        );
        i.format = "{sha}..{date}".parse().unwrap();
        assert!(stamp(&i, &git).unwrap_err().to_string().contains("'..'"));
        i.format = "x.lock".parse().unwrap();
        assert!(stamp(&i, &git).unwrap_err().to_string().contains(".lock"));
        i.format = "-{sha}".parse().unwrap();
        // `build--84fb5881` is a fine tag, but the version itself starts with '-'.
        assert!(matches!(
            stamp(&i, &git).unwrap_err(),
            Error::InvalidVersion { .. }
        ));
        i.format = format!("{}{{sha}}", "a".repeat(195)).parse().unwrap();
        assert!(matches!(
            stamp(&i, &git).unwrap_err(),
            Error::InvalidVersion { .. }
        ));
        i.format = format!("{}{{sha}}", "a".repeat(188)).parse().unwrap();
        // The version fits; `build-` + version does not.
        assert!(matches!(
            stamp(&i, &git).unwrap_err(),
            Error::InvalidTag { stage: "build", .. }
        ));
    }

    #[test]
    fn parse_outputs_name_the_parts() {
        let v = BuildVersion::parse(" 84fb5881-20250120-143022\n").unwrap();
        let o = parse_outputs(&v);
        assert_eq!(o.get_text("version").unwrap(), "84fb5881-20250120-143022");
        assert_eq!(o.get_text("short-sha").unwrap(), "84fb5881");
        assert_eq!(o.get_text("timestamp").unwrap(), "2025-01-20T14:30:22Z");
    }
}
