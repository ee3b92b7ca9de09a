//! Stamping: from the inputs (flags, the event, the runner's variables) and
//! git's answers to the version, its tags and its artifact name.
//! The inputs are in [`crate::inputs`].

use crate::git::{Git, GitError};
use crate::inputs::{EventPayload, Github, Inputs, STAGES, Sha, ShaSource, TimeSpec};
use crate::template::{Placeholder, safe_branch};
use jiff::{RoundMode, Timestamp, TimestampRound, Unit};
use serde::Deserialize;
use vocab::refname::{RefnameError, check_component, check_tag_name};
use vocab::version::{BuildVersion, Quoted};

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
#[path = "stamp_tests.rs"]
mod tests;
