//! The image commands: `--image` pinned by digest, `require --image`, and
//! `retag` (a stage's registry tags pointed at its recorded image).

use gha::{Outcome, Summary};
use registry::ImageRef;
use repo::Stage;
use tag_gate::GateError;
use tag_gate::image::{recorded_image, same_image};
use version_stamp::BuildVersion;

use super::cli::ImageArgs;
use super::render::base_outputs;
use super::{Ctx, TOOL};

impl Ctx<'_> {
    /// `--image` pinned by digest: a tag resolved through the registry; a
    /// digest checked to be served (create) unless --no-registry-check.
    pub(super) fn pin_image(
        &self,
        args: &ImageArgs,
        check_digest: bool,
    ) -> Result<Option<ImageRef>, GateError> {
        let Some(image) = &args.image else {
            return Ok(None);
        };
        if image.digest().is_some() && (args.no_registry_check || !check_digest) {
            return Ok(Some(image.clone()));
        }
        if args.no_registry_check {
            return Err(GateError::Input(format!(
                "--image {image} names a tag, which only the registry resolves to a digest: \
                 give REPOSITORY@sha256:… (docker/build-push-action's digest output) or drop \
                 --no-registry-check"
            )));
        }
        let registry = self.login.connect(image.registry())?;
        let digest = registry.resolve(image)?;
        let pinned = image.at_digest(&digest);
        self.runner.info(&format!(
            "{TOOL}: {image} is served as {digest} in {}",
            self.took()
        ));
        Ok(Some(pinned))
    }

    /// `require --image`: the image is the one recorded in the stage tag,
    /// and (unless --no-registry-check) still served.
    pub(super) fn require_image(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        report: &tag_gate::RequireReport,
        args: &ImageArgs,
    ) -> Result<(), GateError> {
        let Some(given) = self.pin_image(args, false)? else {
            return Ok(());
        };
        same_image(
            version,
            &report.checked.tag.name,
            report.checked.record.as_ref(),
            &given,
            None,
        )?;
        if let Some(step) = self.step {
            step.run(stage, version, &report.checked.tag.name, &given)?;
        }
        Ok(())
    }

    /// `retag --stage S --version V`: S's registry tags pointed at the image
    /// recorded in S-V (V must have passed S). Rolling back is this with
    /// the version `previous` names.
    pub(super) fn retag(&self, stage: &Stage, version: &BuildVersion) -> u8 {
        let name = self.gate.scope(stage).tag_name(version);
        let mut outputs = base_outputs(stage, version, &name);
        let title = format!("retag {stage} to {version}");
        let report = match self.gate.require(stage, version) {
            Ok(retagged) => retagged,
            Err(error) => {
                let advice = self.gate.advise_require(stage, version, &error);
                return self.refuse_with(error, advice, outputs, &title);
            }
        };
        let Some(image) = report.checked.record.as_ref().and_then(recorded_image) else {
            let error = GateError::NoRecordedImage {
                tag: name.clone(),
                given: "retag".into(),
            };
            return self.refuse(error, outputs, &title);
        };
        let step = self.step.expect("retag always has a registry step");
        if let Err(error) = step.run(stage, version, &name, &image) {
            return self.refuse(error, outputs, &title);
        }
        outputs
            .set("sha", report.checked.tag.commit.as_str())
            .set("image", image.to_string())
            .set(
                "image-digest",
                image.digest().map(|d| d.to_string()).unwrap_or_default(),
            );
        self.registry_lines(&mut outputs);
        let mut summary = Summary::new();
        summary.heading(3, &format!("🏷️ tag-gate retag: {stage} → `{version}`"));
        summary.table(
            &["registry tag", "digest", ""],
            step.retagged()
                .iter()
                .map(|retagged| {
                    [
                        format!("`{}`", retagged.target),
                        format!("`{}`", retagged.digest),
                        if retagged.moved {
                            "moved"
                        } else {
                            "already there"
                        }
                        .to_owned(),
                    ]
                })
                .collect::<Vec<[String; 3]>>(),
        );
        self.runner
            .info(&format!("{TOOL}: ✔ {title} in {}", self.took()));
        self.stdout(&image.to_string());
        self.runner
            .finish_code(Outcome::passed(outputs).with_summary(summary))
    }
}
