//! tag-gate: stage tags as the audit trail of what passed each stage, and
//! deployment events as the record of what is live where.
//!
//! - **Eligibility**: an annotated tag `S-V` (`NAME/S-V` with a service)
//!   says "version V passed stage S". Its message is a provenance record
//!   ([`repo::Provenance`]). Created once, never moved or deleted.
//! - **Deployment**: append-only events ([`repo::DeploymentEvent`]):
//!   `record`, `revoke`, and what `current`/`previous`/`history` read.
//!
//! [`Gate`] holds the logic over any [`Store`]; it returns typed reports
//! and errors and never prints. `main.rs` renders them. One concern per
//! module: `verify` (checks, the versions that pass), `advice` (what a
//! refusal suggests), `tags` (create, promote), `deploy` (deployment
//! events), `digest`, `error`, and [`image`] (container images).

// A gate error is made once per run and carries what the message needs
// (the passing versions, the fix); its size costs nothing.
#![allow(clippy::result_large_err)]

use jiff::Timestamp;
use repo::{Chain, EnvironmentName, Scope, Service, Stage, Store};

pub use gha::{Classify, ErrorClass};

mod advice;
mod deploy;
mod digest;
mod error;
pub mod image;
mod tags;
mod verify;

pub use advice::{Advice, BuiltBy, Searched, Suggestion};
pub use deploy::{Live, Recorded};
pub use digest::Digest;
pub use error::GateError;
pub use tags::{Artifact, TagReport};
pub use verify::{Checked, Entry, Flaw, Listing, RequireReport, Skipped};

/// Who and what is writing a record: the workflow run.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunInfo {
    pub run_id: Option<u64>,
    pub run_attempt: Option<u32>,
    pub run_url: Option<String>,
    pub workflow: Option<String>,
    pub actor: Option<String>,
}

impl RunInfo {
    /// `https://github.com/OWNER/NAME/actions/runs/ID[/attempts/N]`.
    pub fn run_url(server: &str, repository: &str, run_id: u64, attempt: Option<u32>) -> String {
        let mut url = format!(
            "{}/{repository}/actions/runs/{run_id}",
            server.trim_end_matches('/')
        );
        if let Some(a) = attempt {
            url.push_str(&format!("/attempts/{a}"));
        }
        url
    }
}

/// The logic of every command, over a [`Store`].
pub struct Gate<'s> {
    store: &'s dyn Store,
    chain: Chain,
    service: Option<Service>,
    allow_unverified: bool,
    run: RunInfo,
    now: Timestamp,
    /// `--environment`: the GitHub environment of one stage, over the
    /// chain's.
    environment: Option<(Stage, EnvironmentName)>,
    before_tag: Option<&'s dyn image::BeforeTag>,
}

impl<'s> Gate<'s> {
    pub fn new(store: &'s dyn Store, chain: Chain) -> Self {
        Gate {
            store,
            chain,
            service: None,
            allow_unverified: false,
            run: RunInfo::default(),
            now: Timestamp::now(),
            environment: None,
            before_tag: None,
        }
    }

    /// Files `stage`'s deployments under `environment` (`--environment`),
    /// whatever the chain names.
    pub fn environment(mut self, stage: &Stage, environment: Option<EnvironmentName>) -> Self {
        self.environment = environment.map(|e| (stage.clone(), e));
        self
    }

    /// Refuses a stage the chain does not have (exit 2).
    pub fn known(&self, stage: &Stage) -> Result<(), GateError> {
        match self.chain.position(stage) {
            Some(_) => Ok(()),
            None => Err(GateError::NotAStage {
                stage: stage.to_string(),
                chain: self.chain.clone(),
            }),
        }
    }

    /// What runs once a promotion's checks passed and before its stage tag
    /// is written (the registry check and retag, see [`image`]).
    pub fn before_tag(mut self, step: Option<&'s dyn image::BeforeTag>) -> Self {
        self.before_tag = step;
        self
    }

    pub fn service(mut self, service: Option<Service>) -> Self {
        self.service = service;
        self
    }

    pub fn allow_unverified(mut self, on: bool) -> Self {
        self.allow_unverified = on;
        self
    }

    pub fn run(mut self, run: RunInfo) -> Self {
        self.run = run;
        self
    }

    /// The clock (tests pin it).
    pub fn now(mut self, now: Timestamp) -> Self {
        self.now = now;
        self
    }

    pub fn chain(&self) -> &Chain {
        &self.chain
    }

    /// A stage's scope: its service, its environment (`--environment`,
    /// else the chain's `STAGE=ENV`), production when it is the last.
    pub fn scope(&self, stage: &Stage) -> Scope {
        let environment = match &self.environment {
            Some((s, e)) if s == stage => Some(e.clone()),
            _ => self.chain.environment(stage).cloned(),
        };
        Scope::new(self.service.clone(), stage.clone())
            .with_environment(environment)
            .with_production(self.chain.is_last(stage))
    }

    /// The record's time: now, to the second.
    pub(crate) fn record_time(&self) -> Timestamp {
        Timestamp::from_second(self.now.as_second()).unwrap_or(self.now)
    }
}

/// `2025-01-20 14:30:22 UTC`.
pub fn short_time(t: Timestamp) -> String {
    t.strftime("%Y-%m-%d %H:%M:%S UTC").to_string()
}

#[cfg(test)]
mod tests;
