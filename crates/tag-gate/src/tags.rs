//! Tag writes: `create` (the first stage's tag, with the build's record),
//! `promote` (a later stage's, once every earlier one verifies) and what
//! a tag that is already there must agree with.

use repo::{CommitId, Created, NewTag, PROVENANCE_SCHEMA, Provenance, Scope, Stage, Tag};
use version_stamp::BuildVersion;

use crate::verify::Checked;
use crate::{Digest, Gate, GateError, image};

/// What a promotion or creation is asked to record.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Artifact {
    pub digest: Option<Digest>,
    pub id: Option<String>,
    pub note: Option<String>,
    /// A container image, pinned by digest (see [`image`]).
    pub image: Option<registry::ImageRef>,
}

/// The result of `create` or `promote`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagReport {
    pub stage: Stage,
    pub version: BuildVersion,
    pub tag: String,
    pub commit: CommitId,
    /// Whether this run created the tag (false: it was there, or a racing
    /// run created it first).
    pub created: bool,
    /// True when a racing run created the tag between our check and our
    /// write: its record stands.
    pub raced: bool,
    /// The record that stands (this run's, or the one found).
    pub record: Option<Provenance>,
    pub artifact_digest: Option<String>,
    /// The stages checked on the way (promote).
    pub checked: Vec<Checked>,
    /// Loud notes (`--allow-unverified`).
    pub warnings: Vec<String>,
}

impl Gate<'_> {
    /// `create --stage FIRST --version V`: the first stage's tag, with the
    /// build's provenance record.
    pub fn create(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        sha: Option<&str>,
        artifact: &Artifact,
    ) -> Result<TagReport, GateError> {
        if stage != self.chain.first() {
            return Err(match self.chain.position(stage) {
                Some(_) => GateError::WrongCommand {
                    stage: stage.to_string(),
                    what: format!(
                        "not the first stage of the chain {}: a version enters it by promotion",
                        self.chain
                    ),
                    fix: format!("use: {}", self.fix_command(stage, version)),
                },
                None => GateError::NotAStage {
                    stage: stage.to_string(),
                    chain: self.chain.clone(),
                },
            });
        }
        let scope = self.scope(stage);
        let rev = sha.unwrap_or(version.short_sha());
        let commit = self
            .store
            .resolve_commit(rev)?
            .ok_or_else(|| GateError::CommitNotFound {
                rev: rev.to_owned(),
                place: self.store.describe(),
            })?;
        if !version.matches_commit(commit.as_str()) {
            return Err(GateError::VersionCommitMismatch {
                version: version.clone(),
                commit,
            });
        }
        let name = scope.tag_name(version);
        let record = Provenance {
            schema: PROVENANCE_SCHEMA.into(),
            version: version.clone(),
            stage: stage.clone(),
            service: self.service.clone(),
            commit: commit.clone(),
            artifact_digest: artifact.digest.as_ref().map(|d| d.to_string()),
            artifact_id: artifact.id.clone(),
            run_id: self.run.run_id,
            run_attempt: self.run.run_attempt,
            run_url: self.run.run_url.clone(),
            workflow: self.run.workflow.clone(),
            actor: self.run.actor.clone(),
            time: self.record_time(),
            promoted_from: None,
            note: artifact.note.clone(),
            image: artifact.image.as_ref().map(ToString::to_string),
            image_digest: artifact
                .image
                .as_ref()
                .and_then(|i| i.digest())
                .map(|d| d.to_string()),
        };
        let mut warnings = Vec::new();
        let report = if let Some(existing) = self.store.read_tag(&name)? {
            self.agree(
                &scope,
                version,
                existing,
                &commit,
                artifact.digest.as_ref(),
                false,
                Vec::new(),
                &mut warnings,
            )?
        } else {
            self.write(
                &scope,
                version,
                record,
                Vec::new(),
                artifact.digest.as_ref(),
                warnings,
            )?
        };
        if let Some(given) = &artifact.image {
            image::same_image(version, &report.tag, report.record.as_ref(), given, None)?;
        }
        Ok(report)
    }

    /// Creates the tag with its record; a lost race ends in [`Gate::agree`].
    fn write(
        &self,
        scope: &Scope,
        version: &BuildVersion,
        record: Provenance,
        checked: Vec<Checked>,
        digest: Option<&Digest>,
        mut warnings: Vec<String>,
    ) -> Result<TagReport, GateError> {
        let name = scope.tag_name(version);
        let new = NewTag {
            name: name.clone(),
            commit: record.commit.clone(),
            message: record.to_message(&name),
            time: record.time,
        };
        match self.store.create_tag(&new)? {
            Created::Created(tag) => Ok(TagReport {
                raced: false,
                stage: scope.stage.clone(),
                version: version.clone(),
                tag: tag.name,
                commit: tag.commit,
                created: true,
                artifact_digest: record.artifact_digest.clone(),
                record: Some(record),
                checked,
                warnings,
            }),
            Created::AlreadyExists(existing) => {
                let commit = record.commit.clone();
                self.agree(
                    scope,
                    version,
                    existing,
                    &commit,
                    digest,
                    true,
                    checked,
                    &mut warnings,
                )
            }
        }
    }

    /// A tag that is already there: fine (created=false) when it names
    /// the same commit and digest; a closed gate otherwise.
    #[allow(clippy::too_many_arguments)]
    fn agree(
        &self,
        scope: &Scope,
        version: &BuildVersion,
        existing: Tag,
        commit: &CommitId,
        digest: Option<&Digest>,
        raced: bool,
        checked: Vec<Checked>,
        warnings: &mut Vec<String>,
    ) -> Result<TagReport, GateError> {
        if existing.commit != *commit {
            return Err(GateError::TagOnOtherCommit {
                tag: existing.name.clone(),
                existing: existing.commit.clone(),
                wanted: commit.clone(),
            });
        }
        let found = self.accept(scope, version, existing, warnings)?;
        if let Some(given) = digest {
            match found.digest() {
                Some(recorded) if recorded == given.as_str() => {}
                Some(recorded) => {
                    return Err(GateError::DigestMismatch {
                        version: version.clone(),
                        tag: found.tag.name.clone(),
                        recorded: recorded.to_owned(),
                        given: given.clone(),
                        built: self.built_by(&found),
                    });
                }
                None => {
                    return Err(GateError::NoRecordedDigest {
                        tag: found.tag.name.clone(),
                        given: given.clone(),
                    });
                }
            }
        }
        Ok(TagReport {
            raced,
            stage: scope.stage.clone(),
            version: version.clone(),
            tag: found.tag.name.clone(),
            commit: found.tag.commit.clone(),
            created: false,
            artifact_digest: found.digest().map(str::to_owned),
            record: found.record.clone(),
            checked,
            warnings: std::mem::take(warnings),
        })
    }

    /// `promote --to S --version V`: every earlier stage's tag there,
    /// verified and on one commit; the digest (when given) the build's;
    /// V not revoked for S. Then S's tag on that commit.
    pub fn promote(
        &self,
        to: &Stage,
        version: &BuildVersion,
        artifact: &Artifact,
    ) -> Result<TagReport, GateError> {
        let pos = match self.chain.position(to) {
            Some(0) => {
                return Err(GateError::WrongCommand {
                    stage: to.to_string(),
                    what: format!(
                        "the first stage of the chain {}: nothing comes before it",
                        self.chain
                    ),
                    fix: format!("use: {}", self.fix_command(to, version)),
                });
            }
            Some(p) => p,
            None => {
                return Err(GateError::NotAStage {
                    stage: to.to_string(),
                    chain: self.chain.clone(),
                });
            }
        };
        let target = self.scope(to);
        let earlier: Vec<Scope> = self.chain.stages()[..pos]
            .iter()
            .map(|s| self.scope(s))
            .collect();
        let mut names: Vec<String> = earlier.iter().map(|s| s.tag_name(version)).collect();
        names.push(target.tag_name(version));
        let refs: Vec<&str> = names.iter().map(String::as_str).collect();
        let mut tags = self.store.read_tags(&refs)?;
        let existing_target = tags.pop().flatten();

        // The previous stage first (its absence is the usual refusal), then
        // every earlier one.
        let mut warnings = Vec::new();
        let mut checked: Vec<Checked> = Vec::with_capacity(earlier.len());
        let mut order: Vec<usize> = (0..earlier.len()).collect();
        order.rotate_right(1);
        let mut slots: Vec<Option<Checked>> = vec![None; earlier.len()];
        for i in order {
            let Some(tag) = tags[i].take() else {
                return Err(self.not_passed(&earlier[i], version));
            };
            slots[i] = Some(self.accept(&earlier[i], version, tag, &mut warnings)?);
        }
        checked.extend(slots.into_iter().flatten());
        let first = &checked[0];
        for c in &checked[1..] {
            if c.tag.commit != first.tag.commit {
                return Err(GateError::StagesDisagree {
                    tag: c.tag.name.clone(),
                    commit: c.tag.commit.clone(),
                    other_tag: first.tag.name.clone(),
                    other_commit: first.tag.commit.clone(),
                });
            }
        }
        // The build's digest is the one; later records must carry it too.
        let built = first.digest().map(str::to_owned);
        for c in &checked[1..] {
            if let (Some(b), Some(d)) = (&built, c.digest())
                && b != d
            {
                return Err(GateError::DigestMismatch {
                    version: version.clone(),
                    tag: c.tag.name.clone(),
                    recorded: d.to_owned(),
                    given: Digest(b.clone()),
                    built: None,
                });
            }
        }
        if let Some(given) = &artifact.digest {
            match &built {
                Some(b) if b == given.as_str() => {}
                Some(b) => {
                    return Err(GateError::DigestMismatch {
                        version: version.clone(),
                        tag: first.tag.name.clone(),
                        recorded: b.clone(),
                        given: given.clone(),
                        built: self.built_by(first),
                    });
                }
                None => {
                    return Err(GateError::NoRecordedDigest {
                        tag: first.tag.name.clone(),
                        given: given.clone(),
                    });
                }
            }
        }
        if let Some(e) = self.revocations(&target)?.get(version) {
            return Err(self.revoked_error(&target, e));
        }
        self.image_gate(to, version, first, artifact)?;
        let commit = first.tag.commit.clone();
        if let Some(existing) = existing_target {
            return self.agree(
                &target,
                version,
                existing,
                &commit,
                artifact.digest.as_ref(),
                false,
                checked,
                &mut warnings,
            );
        }
        let previous = &checked[checked.len() - 1];
        let build_record = first.record.as_ref();
        let record = Provenance {
            schema: PROVENANCE_SCHEMA.into(),
            version: version.clone(),
            stage: to.clone(),
            service: self.service.clone(),
            commit,
            artifact_digest: built,
            artifact_id: artifact
                .id
                .clone()
                .or_else(|| build_record.and_then(|r| r.artifact_id.clone())),
            run_id: self.run.run_id,
            run_attempt: self.run.run_attempt,
            run_url: self.run.run_url.clone(),
            workflow: self.run.workflow.clone(),
            actor: self.run.actor.clone(),
            time: self.record_time(),
            promoted_from: Some(previous.tag.name.clone()),
            note: artifact.note.clone(),
            image: build_record.and_then(|r| r.image.clone()),
            image_digest: build_record.and_then(|r| r.image_digest.clone()),
        };
        self.write(
            &target,
            version,
            record,
            checked,
            artifact.digest.as_ref(),
            warnings,
        )
    }
}
