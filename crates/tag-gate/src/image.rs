//! Container images as artifacts.
//!
//! - `create --image REF` records the image pinned by digest (`image`,
//!   `image_digest` in the provenance record); later stages carry it.
//! - `promote`/`require --image REF` refuse an image that is not the digest
//!   recorded at build ([`same_image`]).
//! - Once a promotion's checks pass and before its stage tag is written, a
//!   [`BeforeTag`] step runs: [`RegistryStep`] checks the registry still
//!   serves the recorded digest and, with `--retag`, points `REPO:S` and
//!   `REPO:S-V` at it (the manifest copied; see the `registry` crate). The
//!   stage tag in git is only created once the registry agrees.

use std::cell::RefCell;

use registry::{ImageRef, Registry, RegistryError, Retagged};
use repo::{Provenance, Stage};
use version_stamp::BuildVersion;

use crate::{Artifact, BuiltBy, Checked, Gate, GateError};

/// Runs after every check of a promotion passed, before its stage tag is
/// written (also when the tag is already there: the step is idempotent).
pub trait BeforeTag {
    /// `image` is the build's recorded image, pinned; `tag` is the build tag.
    fn before_tag(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        tag: &str,
        image: &ImageRef,
    ) -> Result<(), GateError>;
}

/// A record's image, pinned (`None` when it has none).
pub fn recorded_image(record: &Provenance) -> Option<ImageRef> {
    let image: ImageRef = record.image.as_deref()?.parse().ok()?;
    image.digest().is_some().then_some(image)
}

/// `given` (pinned) is the image recorded in `record` (of `tag`), else a
/// closed gate.
pub fn same_image(
    version: &BuildVersion,
    tag: &str,
    record: Option<&Provenance>,
    given: &ImageRef,
    built: Option<BuiltBy>,
) -> Result<(), GateError> {
    let Some(recorded) = record.and_then(|r| r.image_digest.as_deref()) else {
        return Err(GateError::NoRecordedImage {
            tag: tag.to_owned(),
            given: given.to_string(),
        });
    };
    let given_digest = given.digest().map(|d| d.to_string()).unwrap_or_default();
    if given_digest == recorded {
        return Ok(());
    }
    Err(GateError::ImageMismatch {
        version: version.clone(),
        tag: tag.to_owned(),
        recorded: record
            .and_then(|r| r.image.clone())
            .unwrap_or_else(|| recorded.to_owned()),
        given: given.to_string(),
        built,
    })
}

impl Gate<'_> {
    /// The image part of a promotion: the given image is the build's, and
    /// the [`BeforeTag`] step (registry check, retag) agrees.
    pub(crate) fn image_gate(
        &self,
        to: &Stage,
        version: &BuildVersion,
        build: &Checked,
        artifact: &Artifact,
    ) -> Result<(), GateError> {
        if let Some(given) = &artifact.image {
            same_image(
                version,
                &build.tag.name,
                build.record.as_ref(),
                given,
                self.built_by(build),
            )?;
        }
        let Some(step) = self.before_tag else {
            return Ok(());
        };
        let image = build
            .record
            .as_ref()
            .and_then(recorded_image)
            .ok_or_else(|| GateError::NoRecordedImage {
                tag: build.tag.name.clone(),
                given: artifact
                    .image
                    .as_ref()
                    .map(ToString::to_string)
                    .unwrap_or_else(|| "--retag".into()),
            })?;
        step.before_tag(to, version, &build.tag.name, &image)
    }
}

/// A registry tag name with `{stage}` and `{version}` placeholders.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagTemplate(String);

impl TagTemplate {
    /// The default: `{stage}` and `{stage}-{version}`.
    pub fn defaults() -> Vec<TagTemplate> {
        vec![
            TagTemplate("{stage}".into()),
            TagTemplate("{stage}-{version}".into()),
        ]
    }

    /// A comma-separated list, e.g. `{stage},{stage}-{version}`.
    pub fn parse_list(s: &str) -> Result<Vec<TagTemplate>, String> {
        let list: Vec<TagTemplate> = s
            .split(',')
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(TagTemplate::parse)
            .collect::<Result<_, _>>()?;
        if list.is_empty() {
            return Err(format!(
                "'{s}' names no tag; expected a comma-separated list such as {{stage}},{{stage}}-{{version}}"
            ));
        }
        Ok(list)
    }

    fn parse(t: &str) -> Result<TagTemplate, String> {
        let mut rest = t;
        while let Some(open) = rest.find('{') {
            let close = rest[open..].find('}').ok_or_else(|| {
                format!("'{t}' has an unclosed placeholder; the placeholders are {{stage}} and {{version}}")
            })?;
            let name = &rest[open + 1..open + close];
            if name != "stage" && name != "version" {
                return Err(format!(
                    "'{t}' has the unknown placeholder {{{name}}}; the placeholders are {{stage}} and {{version}}"
                ));
            }
            rest = &rest[open + close + 1..];
        }
        let sample = TagTemplate(t.to_owned()).render(
            &Stage::parse("prod").expect("a stage"),
            &"84fb5881-20250120-143022".parse().expect("a version"),
        );
        if !registry::valid_tag(&sample) {
            return Err(format!(
                "'{t}' does not make an image tag (e.g. '{sample}'); expected [A-Za-z0-9_][A-Za-z0-9._-]*"
            ));
        }
        Ok(TagTemplate(t.to_owned()))
    }

    /// The tag for `stage` and `version`.
    pub fn render(&self, stage: &Stage, version: &BuildVersion) -> String {
        self.0
            .replace("{stage}", stage.as_str())
            .replace("{version}", version.as_str())
    }
}

/// Opens a registry client for a host (credentials chosen by the caller).
pub type Connect<'a> = Box<dyn Fn(&str) -> Result<Registry, RegistryError> + 'a>;

/// The registry side of a promotion: check the recorded digest is served,
/// and with tags, point them at it.
pub struct RegistryStep<'a> {
    connect: Connect<'a>,
    check: bool,
    tags: Vec<TagTemplate>,
    done: RefCell<Vec<Retagged>>,
    served: RefCell<Option<String>>,
}

impl<'a> RegistryStep<'a> {
    /// `check`: refuse a digest the registry no longer serves; `tags`: the
    /// registry tags to point at it (none: no retag).
    pub fn new(connect: Connect<'a>, check: bool, tags: Vec<TagTemplate>) -> Self {
        RegistryStep {
            connect,
            check,
            tags,
            done: RefCell::new(Vec::new()),
            served: RefCell::new(None),
        }
    }

    /// The tags pointed at the digest so far.
    pub fn retagged(&self) -> Vec<Retagged> {
        self.done.borrow().clone()
    }

    /// The pinned image the registry was seen serving, if checked.
    pub fn served(&self) -> Option<String> {
        self.served.borrow().clone()
    }

    /// Checks `image` is served (and retags) outside a promotion: `require`,
    /// `retag`.
    pub fn run(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        tag: &str,
        image: &ImageRef,
    ) -> Result<(), GateError> {
        self.before_tag(stage, version, tag, image)
    }
}

impl BeforeTag for RegistryStep<'_> {
    fn before_tag(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        tag: &str,
        image: &ImageRef,
    ) -> Result<(), GateError> {
        if !self.check && self.tags.is_empty() {
            return Ok(());
        }
        let registry = (self.connect)(image.registry())?;
        let not_served = || GateError::ImageNotServed {
            image: image.to_string(),
            version: version.clone(),
            tag: tag.to_owned(),
        };
        if self.tags.is_empty() {
            if !registry.exists(image)? {
                return Err(not_served());
            }
        } else {
            let names: Vec<String> = self.tags.iter().map(|t| t.render(stage, version)).collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            match registry.retag(image, None, &refs) {
                Ok(done) => self.done.borrow_mut().extend(done),
                Err(e) if e.is_not_found() => return Err(not_served()),
                Err(e) => return Err(e.into()),
            }
        }
        *self.served.borrow_mut() = Some(image.to_string());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tag_templates() {
        let list = TagTemplate::parse_list(" {stage} , {stage}-{version} ").unwrap();
        assert_eq!(list, TagTemplate::defaults());
        let v: BuildVersion = "84fb5881-20250120-143022".parse().unwrap();
        let qa = Stage::parse("qa").unwrap();
        assert_eq!(list[1].render(&qa, &v), "qa-84fb5881-20250120-143022");
        for (bad, says) in [
            ("{stage}-{sha}", "unknown placeholder {sha}"),
            ("{stage", "unclosed"),
            ("-{stage}", "does not make an image tag"),
            (",", "names no tag"),
        ] {
            let e = TagTemplate::parse_list(bad).unwrap_err();
            assert!(e.contains(says) && e.contains(bad), "{bad}: {e}");
        }
    }
}
