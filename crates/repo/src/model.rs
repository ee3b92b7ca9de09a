//! The domain types every backend shares: stages and their chain, the
//! scope (service + stage) records belong to, the provenance record a stage
//! tag carries, and deployment events.

use jiff::Timestamp;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;
use vocab::BuildVersion;
use vocab::refname::{RefnameError, check_component};

/// The `schema` of a provenance record.
pub const PROVENANCE_SCHEMA: &str = "shipgate.provenance/v1";

/// The `schema` of a deployment event.
pub const DEPLOYMENT_SCHEMA: &str = "shipgate.deployment/v1";

macro_rules! name_type {
    ($(#[$doc:meta])* $name:ident, $what:literal) => {
        $(#[$doc])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(String);

        impl $name {
            /// Validates a name from outside (trimmed first): one part of a
            /// tag name, letters, digits, `.`, `_`, `-`.
            pub fn parse(s: &str) -> Result<Self, RefnameError> {
                let s = s.trim();
                check_component(s)?;
                Ok($name(s.to_owned()))
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            /// What this is, for messages.
            pub const WHAT: &'static str = $what;
        }

        impl FromStr for $name {
            type Err = RefnameError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $name {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(&self.0)
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let s = String::deserialize(d)?;
                $name::parse(&s).map_err(serde::de::Error::custom)
            }
        }
    };
}

name_type!(
    /// A stage of the chain (`build`, `qa`, `prod`): one part of a tag name.
    Stage,
    "stage"
);

name_type!(
    /// A service name (monorepos): tags become `NAME/STAGE-VERSION`.
    Service,
    "service"
);

/// The ordered stages a version moves through, default `build,qa,prod`;
/// a stage may name the GitHub environment its deployments go to
/// (`build,qa,prod=production`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chain {
    stages: Vec<Stage>,
    /// One per stage: the environment named with `=`, if any.
    environments: Vec<Option<EnvironmentName>>,
}

/// The name of a GitHub environment a stage deploys to (`production`):
/// what the workflow's `environment:` key says. Up to 255 characters, no
/// control characters, and no `,` or `=` (the chain's separators).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EnvironmentName(String);

impl EnvironmentName {
    /// Validates a name from outside (trimmed first).
    pub fn parse(s: &str) -> Result<Self, String> {
        let t = s.trim();
        let bad = t.is_empty()
            || t.chars().count() > 255
            || t.chars().any(|c| c.is_control() || c == ',' || c == '=');
        if bad {
            Err(format!(
                "invalid environment name '{}': expected 1 to 255 characters without control \
                 characters, ',' or '=', such as production",
                t.escape_default()
            ))
        } else {
            Ok(EnvironmentName(t.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EnvironmentName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for EnvironmentName {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for EnvironmentName {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for EnvironmentName {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        EnvironmentName::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Why a `--chain` value is not a chain.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ChainError {
    #[error("empty chain: expected comma-separated stages, such as build,qa,prod")]
    Empty,
    #[error("invalid stage in the chain: {0}")]
    Stage(#[from] RefnameError),
    #[error(
        "stage '{0}' appears twice in the chain; expected each stage once, such as build,qa,prod"
    )]
    Duplicate(String),
    #[error("invalid environment of stage '{stage}' in the chain: {detail}")]
    Environment { stage: String, detail: String },
}

impl Chain {
    /// `build,qa,prod`.
    pub fn default_chain() -> Self {
        Chain {
            stages: ["build", "qa", "prod"]
                .into_iter()
                .map(|s| Stage(s.to_owned()))
                .collect(),
            environments: vec![None, None, None],
        }
    }

    /// Parses `build,qa,prod`, each stage optionally `STAGE=ENVIRONMENT`
    /// (`build=dev,qa,prod=production`); surrounding whitespace trimmed
    /// everywhere.
    pub fn parse(s: &str) -> Result<Self, ChainError> {
        let mut stages: Vec<Stage> = Vec::new();
        let mut environments = Vec::new();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (name, env) = match part.split_once('=') {
                Some((n, e)) => (n.trim(), Some(e)),
                None => (part, None),
            };
            let stage = Stage::parse(name)?;
            let env = env
                .map(|e| {
                    EnvironmentName::parse(e).map_err(|detail| ChainError::Environment {
                        stage: stage.to_string(),
                        detail,
                    })
                })
                .transpose()?;
            if stages.contains(&stage) {
                return Err(ChainError::Duplicate(stage.0));
            }
            stages.push(stage);
            environments.push(env);
        }
        if stages.is_empty() {
            return Err(ChainError::Empty);
        }
        Ok(Chain {
            stages,
            environments,
        })
    }

    pub fn stages(&self) -> &[Stage] {
        &self.stages
    }

    /// The environment the chain names for a stage (`prod=production`),
    /// if any.
    pub fn environment(&self, stage: &Stage) -> Option<&EnvironmentName> {
        self.position(stage)
            .and_then(|i| self.environments[i].as_ref())
    }

    /// Whether `stage` is the chain's last: its environment is the
    /// production one.
    pub fn is_last(&self, stage: &Stage) -> bool {
        self.stages.last() == Some(stage)
    }

    /// The position of a stage in the chain.
    pub fn position(&self, stage: &Stage) -> Option<usize> {
        self.stages.iter().position(|s| s == stage)
    }

    /// The stage before `stage`, if any (`None` for the first, or a stage
    /// not in the chain).
    pub fn previous(&self, stage: &Stage) -> Option<&Stage> {
        self.position(stage)
            .and_then(|i| i.checked_sub(1))
            .map(|i| &self.stages[i])
    }

    /// Every stage before `stage`, first to last.
    pub fn earlier(&self, stage: &Stage) -> &[Stage] {
        match self.position(stage) {
            Some(i) => &self.stages[..i],
            None => &[],
        }
    }

    pub fn first(&self) -> &Stage {
        &self.stages[0]
    }
}

impl fmt::Display for Chain {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, s) in self.stages.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(s.as_str())?;
        }
        Ok(())
    }
}

impl FromStr for Chain {
    type Err = ChainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// Where records belong: a stage, optionally of one service; for the
/// GitHub API also the environment its deployments are filed under.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Scope {
    pub service: Option<Service>,
    pub stage: Stage,
    /// The GitHub environment (`--environment`, or `STAGE=ENV` in the
    /// chain); `None`: [`Scope::key`] (`qa`, `shop/qa`).
    pub environment: Option<EnvironmentName>,
    /// The chain's last stage: a production environment.
    pub production: bool,
}

impl Scope {
    pub fn new(service: Option<Service>, stage: Stage) -> Self {
        Scope {
            service,
            stage,
            environment: None,
            production: false,
        }
    }

    /// The same scope, filed under a named environment.
    pub fn with_environment(mut self, environment: Option<EnvironmentName>) -> Self {
        self.environment = environment;
        self
    }

    /// The same scope, marked production (or not).
    pub fn with_production(mut self, production: bool) -> Self {
        self.production = production;
        self
    }

    /// The service and stage only: `qa`, or `shop/qa` (where the git
    /// backend files events, whatever the environment).
    pub fn key(&self) -> String {
        match &self.service {
            Some(svc) => format!("{svc}/{}", self.stage),
            None => self.stage.to_string(),
        }
    }

    /// Whether `other` names the same service and stage.
    pub fn same_stage(&self, other: &Scope) -> bool {
        self.service == other.service && self.stage == other.stage
    }

    /// The prefix of this stage's tag names: `qa-`, or `shop/qa-`.
    pub fn tag_prefix(&self) -> String {
        match &self.service {
            Some(svc) => format!("{svc}/{}-", self.stage),
            None => format!("{}-", self.stage),
        }
    }

    /// The tag saying `version` passed this stage: `qa-V`, or `shop/qa-V`.
    pub fn tag_name(&self, version: &BuildVersion) -> String {
        format!("{}{version}", self.tag_prefix())
    }

    /// The version a tag name of this stage carries; `None` for a name
    /// outside the prefix or whose rest is not a version (`prod-eu-…`,
    /// `qa-signoff`): never guessed at.
    pub fn version_of(&self, tag_name: &str) -> Option<BuildVersion> {
        let rest = tag_name.strip_prefix(&self.tag_prefix())?;
        if rest.trim() != rest {
            return None;
        }
        BuildVersion::parse(rest).ok()
    }

    /// The place deployments go: the named environment, else `qa`, or
    /// `shop/qa`.
    pub fn environment(&self) -> String {
        match &self.environment {
            Some(e) => e.to_string(),
            None => self.key(),
        }
    }

    /// The same service at another stage (no environment named).
    pub fn at(&self, stage: &Stage) -> Scope {
        Scope::new(self.service.clone(), stage.clone())
    }
}

impl fmt::Display for Scope {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.environment())
    }
}

/// A full commit id: 40 (SHA-1) or 64 (SHA-256) lower-case hex digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CommitId(String);

impl CommitId {
    /// Parses a full commit id (case-insensitive, trimmed; stored lower-case).
    pub fn parse(s: &str) -> Result<Self, String> {
        let s = s.trim();
        if (s.len() == 40 || s.len() == 64) && s.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(CommitId(s.to_ascii_lowercase()))
        } else {
            Err(format!(
                "invalid commit id '{}': expected 40 hex digits, such as 84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2",
                s.escape_default()
            ))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The first `n` digits.
    pub fn short(&self, n: usize) -> &str {
        &self.0[..n.min(self.0.len())]
    }
}

impl fmt::Display for CommitId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for CommitId {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for CommitId {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for CommitId {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        CommitId::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// A name and e-mail (a tagger).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    pub email: String,
}

impl Person {
    /// The identity shipgate writes as when git has none.
    pub fn github_actions_bot() -> Self {
        Person {
            name: "github-actions[bot]".into(),
            email: "41898282+github-actions[bot]@users.noreply.github.com".into(),
        }
    }
}

/// The provenance record in a stage tag's message: a human first line, a
/// blank line, then this object as JSON.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// Always [`PROVENANCE_SCHEMA`].
    pub schema: String,
    pub version: BuildVersion,
    pub stage: Stage,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    /// The full commit id the tag points at.
    pub commit: CommitId,
    /// `sha256:<64 hex>` of the deployable artifact, when known.
    pub artifact_digest: Option<String>,
    /// The artifact's id in its store (an Actions artifact id).
    pub artifact_id: Option<String>,
    pub run_id: Option<u64>,
    pub run_attempt: Option<u32>,
    pub run_url: Option<String>,
    pub workflow: Option<String>,
    pub actor: Option<String>,
    /// When the version entered the stage (UTC).
    pub time: Timestamp,
    /// The tag of the previous stage this promotion came from (`null` for
    /// the first stage).
    pub promoted_from: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The container image, pinned: `REGISTRY/REPOSITORY@sha256:…`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    /// The image's manifest digest (an index's for a multi-platform image).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image_digest: Option<String>,
}

/// Why a tag message is not a readable provenance record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecordError {
    #[error("the message holds no record (no JSON object after the first line)")]
    Missing,
    #[error("the provenance record is not valid JSON: {0}")]
    Json(String),
    #[error("the record's schema is '{found}', expected '{expected}'")]
    Schema {
        expected: &'static str,
        found: String,
    },
}

impl Provenance {
    /// The tag message: a human first line, a blank line, the JSON.
    pub fn to_message(&self, tag_name: &str) -> String {
        let mut first = format!("{tag_name}: {} passed {}", self.version, self.stage);
        if let Some(from) = &self.promoted_from {
            first.push_str(&format!(", promoted from {from}"));
        }
        first.push_str(&format!(" (commit {})", self.commit.short(12)));
        let json = serde_json::to_string_pretty(self).unwrap_or_default();
        format!("{first}\n\n{json}\n")
    }

    /// Reads the record from a tag message. The first line is for humans;
    /// the first JSON object that starts a line after it is the record
    /// (whatever follows it, such as a signature, is ignored).
    pub fn from_message(message: &str) -> Result<Self, RecordError> {
        let value = record_json(message, PROVENANCE_SCHEMA)?;
        serde_json::from_value(value).map_err(|e| RecordError::Json(e.to_string()))
    }
}

/// The JSON object of a record message (a human first line, then the
/// object), checked to carry `schema`.
fn record_json(message: &str, schema: &'static str) -> Result<serde_json::Value, RecordError> {
    let mut offset = 0;
    let mut start = None;
    for (i, line) in message.split_inclusive('\n').enumerate() {
        if i > 0 && line.trim_start().starts_with('{') {
            start = Some(offset);
            break;
        }
        offset += line.len();
    }
    let Some(start) = start else {
        return Err(RecordError::Missing);
    };
    let value: serde_json::Value = serde_json::Deserializer::from_str(&message[start..])
        .into_iter::<serde_json::Value>()
        .next()
        .ok_or(RecordError::Missing)?
        .map_err(|e| RecordError::Json(e.to_string()))?;
    match value.get("schema").and_then(|s| s.as_str()) {
        Some(found) if found == schema => Ok(value),
        found => Err(RecordError::Schema {
            expected: schema,
            found: found.unwrap_or_default().to_owned(),
        }),
    }
}

/// The outcome a deployment event reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeployStatus {
    /// A deployment started.
    InProgress,
    /// It finished and the version is live.
    Success,
    /// It failed.
    Failure,
    /// The version was marked bad for this stage (`tag-gate revoke`):
    /// promotions into the stage and rollbacks to it are refused.
    Revoked,
}

impl DeployStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            DeployStatus::InProgress => "in_progress",
            DeployStatus::Success => "success",
            DeployStatus::Failure => "failure",
            DeployStatus::Revoked => "revoked",
        }
    }
}

impl fmt::Display for DeployStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for DeployStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim().to_ascii_lowercase().replace('-', "_").as_str() {
            "in_progress" => Ok(DeployStatus::InProgress),
            "success" => Ok(DeployStatus::Success),
            "failure" => Ok(DeployStatus::Failure),
            "revoked" => Ok(DeployStatus::Revoked),
            _ => Err(format!(
                "invalid status '{}': expected in_progress, success or failure",
                s.trim().escape_default()
            )),
        }
    }
}

/// One deployment event: "V was deployed to S at T, with this outcome".
/// Append-only: a re-deploy or a rollback is a new event.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeploymentEvent {
    /// Always [`DEPLOYMENT_SCHEMA`].
    pub schema: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<Service>,
    pub stage: Stage,
    /// The GitHub environment the event is filed under, when one is named
    /// (`--environment`, or `STAGE=ENV` in the chain).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<EnvironmentName>,
    /// Whether the environment is a production one (the chain's last stage).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub production: bool,
    pub version: BuildVersion,
    pub status: DeployStatus,
    /// The commit deployed, when known.
    pub commit: Option<CommitId>,
    /// Where the deployment can be seen (the environment URL).
    pub url: Option<String>,
    pub time: Timestamp,
    pub actor: Option<String>,
    pub run_id: Option<u64>,
    pub run_attempt: Option<u32>,
    pub run_url: Option<String>,
    pub workflow: Option<String>,
    /// Free text: the reason of a revocation, a note.
    pub description: Option<String>,
}

impl DeploymentEvent {
    /// The event as a message: a human first line, a blank line, the JSON.
    pub fn to_message(&self) -> String {
        let mut first = format!(
            "deployment {}: {} {}",
            self.scope(),
            self.version,
            self.status
        );
        if let Some(d) = &self.description {
            let d: String = d
                .lines()
                .next()
                .unwrap_or_default()
                .chars()
                .take(100)
                .collect();
            first.push_str(&format!(" ({d})"));
        }
        let json = serde_json::to_string_pretty(self).unwrap_or_default();
        format!("{first}\n\n{json}\n")
    }

    /// Reads an event from a message written by [`DeploymentEvent::to_message`].
    pub fn from_message(message: &str) -> Result<Self, RecordError> {
        let value = record_json(message, DEPLOYMENT_SCHEMA)?;
        serde_json::from_value(value).map_err(|e| RecordError::Json(e.to_string()))
    }

    /// The scope this event belongs to.
    pub fn scope(&self) -> Scope {
        Scope::new(self.service.clone(), self.stage.clone())
            .with_environment(self.environment.clone())
            .with_production(self.production)
    }
}

/// An event as a store holds it: with the id the store gave it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StoredEvent {
    /// Unique in its scope, and sorting in the order the store accepted
    /// the events: GitHub's deployment id then the status's place in that
    /// deployment (`000001234567.002`), or the git remote's own sequence
    /// (`seq-000000000042`).
    pub id: String,
    #[serde(flatten)]
    pub event: DeploymentEvent,
}

/// Newest first, in the store's order: by id, descending. Never by the
/// event's `time`: that is a writer's clock (a runner's, or GitHub's for
/// an outcome), and clocks of different machines disagree.
pub fn event_order(a: &StoredEvent, b: &StoredEvent) -> Ordering {
    b.id.cmp(&a.id)
}

#[cfg(test)]
mod tests;
