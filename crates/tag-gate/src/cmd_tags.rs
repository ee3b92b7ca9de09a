//! The stage-tag commands: `create`, `promote`, `require`, `show`,
//! `latest` and `list`.

use gha::Outputs;
use repo::Stage;
use std::time::Instant;
use tag_gate::{Artifact, Digest, GateError};
use version_stamp::BuildVersion;

use super::cli::{ArtifactArgs, ImageArgs};
use super::render::base_outputs;
use super::{Ctx, TOOL};

impl Ctx<'_> {
    pub(super) fn create(
        &self,
        stage: Option<&Stage>,
        version: &BuildVersion,
        sha: Option<&str>,
        args: &ArtifactArgs,
    ) -> u8 {
        let stage = stage
            .cloned()
            .unwrap_or_else(|| self.gate.chain().first().clone());
        let artifact = match self.artifact(args) {
            Ok(a) => a,
            Err(e) => return self.runner.fail_code(&e),
        };
        // GITHUB_SHA is the built commit when it is the version's.
        let github_sha = self
            .github
            .sha
            .clone()
            .filter(|s| version.matches_commit(s));
        let sha = sha.map(str::to_owned).or(github_sha);
        let base = base_outputs(&stage, version, &self.gate.scope(&stage).tag_name(version));
        match self.gate.create(&stage, version, sha.as_deref(), &artifact) {
            Ok(r) => self.tag_done("create", r),
            Err(e) => self.refuse(
                e,
                base,
                &format!("create {}", self.gate.scope(&stage).tag_name(version)),
            ),
        }
    }

    pub(super) fn artifact(&self, args: &ArtifactArgs) -> Result<Artifact, GateError> {
        let digest = match (&args.artifact, &args.artifact_digest) {
            (Some(path), _) => {
                let started = Instant::now();
                let digest = Digest::of_file(path)?;
                self.runner.info(&format!(
                    "{TOOL}: hashed {} → {digest} in {}",
                    path.display(),
                    gha::cli::human_duration(started.elapsed())
                ));
                Some(digest)
            }
            (None, digest) => digest.clone(),
        };
        Ok(Artifact {
            digest,
            id: args.artifact_id.clone(),
            note: args.note.clone(),
            image: self.pin_image(&args.image, self.step.is_none())?,
        })
    }

    pub(super) fn promote(&self, to: &Stage, version: &BuildVersion, args: &ArtifactArgs) -> u8 {
        let base = base_outputs(to, version, &self.gate.scope(to).tag_name(version));
        let artifact = match self.artifact(args) {
            Ok(a) => a,
            Err(e) => return self.runner.fail_code(&e),
        };
        match self.gate.promote(to, version, &artifact) {
            Ok(r) => self.tag_done("promote", r),
            Err(e) => {
                let advice = self.gate.advise_promote(to, version, &e);
                self.refuse_with(e, advice, base, &format!("promote {version} to {to}"))
            }
        }
    }

    pub(super) fn require(&self, stage: &Stage, version: &BuildVersion, image: &ImageArgs) -> u8 {
        let scope = self.gate.scope(stage);
        let name = scope.tag_name(version);
        let base = base_outputs(stage, version, &name);
        match self
            .gate
            .require(stage, version)
            .and_then(|r| self.require_image(stage, version, &r, image).map(|()| r))
        {
            Ok(report) => self.required(&name, report, base),
            Err(e) => {
                let advice = self.gate.advise_require(stage, version, &e);
                self.refuse_with(e, advice, base, &format!("require {name}"))
            }
        }
    }

    pub(super) fn show(&self, stage: &Stage, version: &BuildVersion) -> u8 {
        let name = self.gate.scope(stage).tag_name(version);
        let base = base_outputs(stage, version, &name);
        match self.gate.show(stage, version) {
            Ok(report) => self.shown(&name, report, base),
            Err(e) => self.refuse(e, base, &format!("show {name}")),
        }
    }

    pub(super) fn list(&self, stage: &Stage, limit: usize, latest: bool) -> u8 {
        let scope = self.gate.scope(stage);
        let command = if latest { "latest" } else { "list" };
        let mut base = Outputs::new();
        base.set("stage", stage.as_str()).set("version", "");
        let result = if latest {
            self.gate.latest(stage)
        } else {
            self.gate.list(stage, limit)
        };
        let listing = match result {
            Ok(listing) => listing,
            Err(e) => return self.refuse(e, base, &format!("{command} {scope}")),
        };
        self.listed(command, stage, &scope, latest, listing)
    }
}
