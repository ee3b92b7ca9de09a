//! The deployment commands: `record`, `revoke`, `current`, `previous` and
//! `history`.

use gha::Outputs;
use repo::{CommitId, DeployStatus, Stage};
use tag_gate::Live;
use version_stamp::BuildVersion;

use super::Ctx;
use super::render::base_outputs;

impl Ctx<'_> {
    pub(super) fn record(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        status: DeployStatus,
        url: &Option<String>,
        sha: &Option<CommitId>,
        note: &Option<String>,
    ) -> u8 {
        let base = base_outputs(stage, version, "");
        match self.gate.record(
            stage,
            version,
            status,
            url.clone(),
            sha.clone(),
            note.clone(),
        ) {
            Ok(r) => self.recorded("record", r),
            Err(e) => self.refuse(e, base, &format!("record {version} in {stage}")),
        }
    }

    pub(super) fn revoke(&self, stage: &Stage, version: &BuildVersion, reason: &str) -> u8 {
        let base = base_outputs(stage, version, "");
        match self.gate.revoke(stage, version, reason) {
            Ok(r) => self.recorded("revoke", r),
            Err(e) => self.refuse(e, base, &format!("revoke {version} for {stage}")),
        }
    }

    pub(super) fn live(&self, stage: &Stage, previous: bool) -> u8 {
        let command = if previous { "previous" } else { "current" };
        let mut base = Outputs::new();
        base.set("stage", stage.as_str()).set("version", "");
        let result = if previous {
            self.gate.previous(stage)
        } else {
            self.gate.current(stage)
        };
        let live: Live = match result {
            Ok(live) => live,
            Err(e) => return self.refuse(e, base, &format!("{command} {stage}")),
        };
        self.live_done(command, stage, previous, live)
    }

    pub(super) fn history(&self, stage: &Stage, limit: usize) -> u8 {
        let scope = self.gate.scope(stage);
        let mut base = Outputs::new();
        base.set("stage", stage.as_str());
        let events = match self.gate.history(stage, limit) {
            Ok(e) => e,
            Err(e) => return self.refuse(e, base, &format!("history {scope}")),
        };
        self.history_done(&scope, base, events)
    }
}
