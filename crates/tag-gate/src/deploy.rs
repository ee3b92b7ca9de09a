//! Deployment events: `record`, `revoke`, and what `current`, `previous`
//! and `history` read from the append-only events.

use repo::{CommitId, DEPLOYMENT_SCHEMA, DeployStatus, DeploymentEvent, Scope, Stage, StoredEvent};
use std::collections::HashSet;
use version_stamp::BuildVersion;

use crate::{Gate, GateError};

/// The result of `current` and `previous`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Live {
    pub scope: Scope,
    /// The event that made the version live.
    pub event: StoredEvent,
    /// The current version (for `previous`: the one it is previous to).
    pub current: Option<BuildVersion>,
    pub revoked: bool,
    /// The stage tag of the event's version (`S-V`), only when it exists.
    pub tag: Option<String>,
}

/// The result of `record` and `revoke`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recorded {
    pub event: StoredEvent,
    /// False when `revoke` found the version already revoked.
    pub created: bool,
}

impl Gate<'_> {
    /// `record --stage S --version V --status …`.
    pub fn record(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        status: DeployStatus,
        url: Option<String>,
        commit: Option<CommitId>,
        description: Option<String>,
    ) -> Result<Recorded, GateError> {
        self.known(stage)?;
        if status == DeployStatus::Revoked {
            return Err(GateError::Input(
                "invalid status 'revoked' for record: use `tag-gate revoke --stage S --version V --reason TEXT`".into(),
            ));
        }
        if let Some(c) = &commit
            && !version.matches_commit(c.as_str())
        {
            return Err(GateError::VersionCommitMismatch {
                version: version.clone(),
                commit: c.clone(),
            });
        }
        // `--sha` defaults to the version's commit: its short sha resolved
        // to the full id, else the build tag's commit (a shallow clone may
        // lack an older commit), else none is recorded.
        let commit = match commit {
            Some(c) => Some(c),
            None => self.version_commit(version)?,
        };
        let event = self.event(stage, version, status, url, commit, description);
        let stored = self.store.append_event(&event)?;
        Ok(Recorded {
            event: stored,
            created: true,
        })
    }

    /// The full commit of a version: its short sha resolved by the store,
    /// else the commit its first stage's tag points at; `None` when neither
    /// knows it.
    fn version_commit(&self, version: &BuildVersion) -> Result<Option<CommitId>, GateError> {
        if let Some(c) = self.store.resolve_commit(version.short_sha())?
            && version.matches_commit(c.as_str())
        {
            return Ok(Some(c));
        }
        let build = self.scope(self.chain.first()).tag_name(version);
        Ok(self
            .store
            .read_tag(&build)?
            .map(|t| t.commit)
            .filter(|c| version.matches_commit(c.as_str())))
    }

    /// The stage tag of a version, when it exists: not every deployed
    /// version has passed the stage (a failed deploy, a manual one).
    fn existing_tag(
        &self,
        scope: &Scope,
        version: &BuildVersion,
    ) -> Result<Option<String>, GateError> {
        let name = scope.tag_name(version);
        Ok(self.store.read_tag(&name)?.map(|_| name))
    }

    fn event(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        status: DeployStatus,
        url: Option<String>,
        commit: Option<CommitId>,
        description: Option<String>,
    ) -> DeploymentEvent {
        let scope = self.scope(stage);
        DeploymentEvent {
            schema: DEPLOYMENT_SCHEMA.into(),
            service: self.service.clone(),
            stage: stage.clone(),
            environment: scope.environment,
            production: scope.production,
            version: version.clone(),
            status,
            commit,
            url,
            time: self.now,
            actor: self.run.actor.clone(),
            run_id: self.run.run_id,
            run_attempt: self.run.run_attempt,
            run_url: self.run.run_url.clone(),
            workflow: self.run.workflow.clone(),
            description,
        }
    }

    /// `revoke --stage S --version V --reason TEXT`: marks V bad for S.
    /// Revoking again is a no-op (created=false).
    pub fn revoke(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        reason: &str,
    ) -> Result<Recorded, GateError> {
        self.known(stage)?;
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(GateError::Input(
                "empty reason: say why the version is bad, such as --reason 'corrupts orders (INC-42)'".into(),
            ));
        }
        let scope = self.scope(stage);
        if let Some(e) = self.revocations(&scope)?.remove(version) {
            return Ok(Recorded {
                event: e,
                created: false,
            });
        }
        let event = self.event(
            stage,
            version,
            DeployStatus::Revoked,
            None,
            None,
            Some(reason.to_owned()),
        );
        Ok(Recorded {
            event: self.store.append_event(&event)?,
            created: true,
        })
    }

    /// `history --stage S --limit N`: events, newest first.
    pub fn history(&self, stage: &Stage, limit: usize) -> Result<Vec<StoredEvent>, GateError> {
        self.known(stage)?;
        Ok(self.store.list_events(&self.scope(stage), Some(limit))?)
    }

    /// `current` and `previous` from one read of the events.
    fn live(
        &self,
        stage: &Stage,
    ) -> Result<(Scope, Vec<StoredEvent>, HashSet<BuildVersion>), GateError> {
        self.known(stage)?;
        let scope = self.scope(stage);
        let events = self.store.list_events(&scope, None)?;
        let revoked: HashSet<BuildVersion> = events
            .iter()
            .filter(|e| e.event.status == DeployStatus::Revoked)
            .map(|e| e.event.version.clone())
            .collect();
        // Each version's latest deployment, in newest-first order.
        let mut seen = HashSet::new();
        let latest: Vec<StoredEvent> = events
            .into_iter()
            .filter(|e| e.event.status != DeployStatus::Revoked)
            .filter(|e| seen.insert(e.event.version.clone()))
            .collect();
        Ok((scope, latest, revoked))
    }

    /// `current --stage S`: the version whose latest deployment succeeded
    /// most recently.
    pub fn current(&self, stage: &Stage) -> Result<Live, GateError> {
        let (scope, latest, revoked) = self.live(stage)?;
        let event = latest
            .into_iter()
            .find(|e| e.event.status == DeployStatus::Success)
            .ok_or_else(|| GateError::NoDeployment {
                what: format!("no version is live in {}: no deployment to it has succeeded (as the latest deployment of its version)", scope.environment()),
            })?;
        Ok(Live {
            revoked: revoked.contains(&event.event.version),
            current: Some(event.event.version.clone()),
            tag: self.existing_tag(&scope, &event.event.version)?,
            scope,
            event,
        })
    }

    /// `previous --stage S`: the version live before the current one,
    /// skipping failed and revoked ones: the rollback target.
    pub fn previous(&self, stage: &Stage) -> Result<Live, GateError> {
        let (scope, latest, revoked) = self.live(stage)?;
        let mut live = latest
            .into_iter()
            .filter(|e| e.event.status == DeployStatus::Success);
        let Some(current) = live.next() else {
            return Err(GateError::NoDeployment {
                what: format!(
                    "no version is live in {}, so there is no previous one",
                    scope.environment()
                ),
            });
        };
        let event = live
            .find(|e| !revoked.contains(&e.event.version))
            .ok_or_else(|| GateError::NoDeployment {
                what: format!(
                    "no version was live in {} before {} (leaving out failed and revoked ones): nothing to roll back to",
                    scope.environment(),
                    current.event.version
                ),
            })?;
        Ok(Live {
            tag: self.existing_tag(&scope, &event.event.version)?,
            scope,
            event,
            current: Some(current.event.version),
            revoked: false,
        })
    }
}
