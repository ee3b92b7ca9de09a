//! The container-image flags and their glue: credentials from flags, the
//! Docker config file or the GitHub token (read here, at the edge), a
//! registry step for promote/require/retag, and the `retag` command.

use std::path::PathBuf;

use clap::Args;
use gha::cli::Safe;
use gha::{Outcome, Summary};
use registry::{
    CredentialSource, Credentials, DockerConfig, ImageRef, Options, Registry, RegistryError, Secret,
};
use repo::Stage;
use tag_gate::GateError;
use tag_gate::image::{RegistryStep, TagTemplate, recorded_image, same_image};
use version_stamp::BuildVersion;

use super::{Command, Ctx, TOOL, base_outputs, var};

#[derive(Args, Debug, Clone, Default)]
pub(crate) struct ImageArgs {
    /// A container image, REGISTRY/REPOSITORY@sha256:… (or :TAG, resolved
    /// to its manifest digest through the registry): recorded (create) or
    /// checked against the build's (promote, require)
    #[arg(long, env = "INPUT_IMAGE", value_name = "IMAGE", value_parser = Safe(parse_image))]
    pub image: Option<ImageRef>,
    /// Do not ask the registry whether it still serves the image's digest
    #[arg(long, env = "INPUT_NO_REGISTRY_CHECK")]
    pub no_registry_check: bool,
    /// promote: point the registry tags (--retag-tags) at the build's image
    /// digest before the stage's git tag is created
    #[arg(long, env = "INPUT_RETAG")]
    pub retag: bool,
    /// The registry tags --retag (and `retag`) move, comma-separated, with
    /// {stage} and {version}
    #[arg(long, env = "INPUT_RETAG_TAGS", value_name = "TAGS",
          default_value = "{stage},{stage}-{version}", value_parser = Safe(parse_tags))]
    pub retag_tags: TagList,
    /// Registry username [default: the Docker config file's, or for ghcr.io
    /// GITHUB_ACTOR with GITHUB_TOKEN]
    #[arg(long, env = "INPUT_REGISTRY_USERNAME", value_name = "NAME",
          requires = "registry_password", value_parser = Safe(parse_text))]
    pub registry_username: Option<String>,
    /// Registry password or token (masked)
    #[arg(
        long,
        env = "INPUT_REGISTRY_PASSWORD",
        value_name = "SECRET",
        hide_env_values = true,
        requires = "registry_username"
    )]
    pub registry_password: Option<String>,
}

/// The registry tags to move (one clap value: a comma-separated list).
#[derive(Debug, Clone)]
pub(crate) struct TagList(Vec<TagTemplate>);

impl Default for TagList {
    fn default() -> Self {
        TagList(TagTemplate::defaults())
    }
}

fn parse_tags(s: &str) -> Result<TagList, String> {
    TagTemplate::parse_list(s).map(TagList)
}

fn parse_image(s: &str) -> Result<ImageRef, String> {
    s.parse().map_err(|e: RegistryError| e.to_string())
}

fn parse_text(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("an empty value; expected a username".into());
    }
    Ok(t.to_owned())
}

/// Where registry credentials come from, read once from flags and the
/// environment.
pub(crate) struct Login {
    basic: Option<(String, Secret)>,
    docker_config: PathBuf,
    github_token: Option<Secret>,
    actor: Option<String>,
}

impl Login {
    pub fn from_args(args: &ImageArgs, runner: &gha::Runner) -> Login {
        let basic = match (&args.registry_username, &args.registry_password) {
            (Some(u), Some(p)) => {
                runner.mask(p);
                Some((u.clone(), Secret::new(p.trim())))
            }
            _ => None,
        };
        // as the docker CLI finds it: $DOCKER_CONFIG/config.json, else
        // ~/.docker/config.json
        let docker_config = var("DOCKER_CONFIG")
            .map(PathBuf::from)
            .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".docker")))
            .unwrap_or_else(|| PathBuf::from(".docker"))
            .join("config.json");
        Login {
            basic,
            docker_config,
            github_token: var("GITHUB_TOKEN").map(Secret::new),
            actor: var("GITHUB_ACTOR"),
        }
    }

    /// A client for `host` with the first credentials that apply: the
    /// flags, the Docker config file's entry, the GitHub token for ghcr.io.
    pub fn connect(&self, host: &str) -> Result<Registry, RegistryError> {
        let config = DockerConfig::load(&self.docker_config)?;
        let creds = if let Some((u, p)) = &self.basic {
            Credentials::basic(u, p.clone(), CredentialSource::Flags)
        } else if let Some(c) = config.credentials(host)? {
            c
        } else if let (Some(token), "ghcr.io") = (&self.github_token, host) {
            let user = self
                .actor
                .clone()
                .unwrap_or_else(|| "x-access-token".into());
            Credentials::basic(user, token.clone(), CredentialSource::GithubToken)
        } else {
            Credentials::anonymous()
        };
        Registry::new(host, creds, config.has_helper_for(host), Options::default())
    }
}

/// The image flags of the command, if it has them.
pub(crate) fn image_args(command: &Command) -> Option<&ImageArgs> {
    match command {
        Command::Create { artifact, .. } | Command::Promote { artifact, .. } => {
            Some(&artifact.image)
        }
        Command::Require { image, .. } | Command::Retag { image, .. } => Some(image),
        _ => None,
    }
}

/// The registry step a command needs: promote with --retag or a checked
/// --image; require with a checked --image; retag always.
pub(crate) fn registry_step<'a>(command: &Command, login: &'a Login) -> Option<RegistryStep<'a>> {
    let args = image_args(command)?;
    let checked_image = args.image.is_some() && !args.no_registry_check;
    let connect = Box::new(move |host: &str| login.connect(host));
    match command {
        Command::Promote { .. } if args.retag => Some(RegistryStep::new(
            connect,
            !args.no_registry_check,
            args.retag_tags.0.clone(),
        )),
        Command::Promote { .. } | Command::Require { .. } if checked_image => {
            Some(RegistryStep::new(connect, true, Vec::new()))
        }
        Command::Retag { .. } => Some(RegistryStep::new(connect, true, args.retag_tags.0.clone())),
        _ => None,
    }
}

impl Ctx<'_> {
    /// `--image` pinned by digest: a tag resolved through the registry; a
    /// digest checked to be served (create) unless --no-registry-check.
    pub(crate) fn pin_image(
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

    /// The registry's part of a report: what was retagged.
    pub(crate) fn registry_lines(&self, outputs: &mut gha::Outputs) {
        let Some(step) = self.step else {
            outputs.set("retagged", "");
            return;
        };
        let done = step.retagged();
        for r in &done {
            let what = if r.moved {
                "now names"
            } else {
                "already named"
            };
            self.runner
                .info(&format!("{TOOL}: ✔ {} {what} {}", r.target, r.digest));
        }
        if let Some(image) = step.served() {
            if done.is_empty() {
                self.runner
                    .info(&format!("{TOOL}: ✔ the registry serves {image}"));
            }
        }
        outputs.set(
            "retagged",
            done.iter()
                .map(|r| r.target.to_string())
                .collect::<Vec<_>>()
                .join(","),
        );
    }

    /// `require --image`: the image is the one recorded in the stage tag,
    /// and (unless --no-registry-check) still served.
    pub(crate) fn require_image(
        &self,
        stage: &Stage,
        version: &BuildVersion,
        r: &tag_gate::RequireReport,
        args: &ImageArgs,
    ) -> Result<(), GateError> {
        let Some(given) = self.pin_image(args, false)? else {
            return Ok(());
        };
        same_image(
            version,
            &r.checked.tag.name,
            r.checked.record.as_ref(),
            &given,
            None,
        )?;
        if let Some(step) = self.step {
            step.run(stage, version, &r.checked.tag.name, &given)?;
        }
        Ok(())
    }

    /// `retag --stage S --version V`: S's registry tags pointed at the image
    /// recorded in S-V (V must have passed S). Rolling back is this with
    /// the version `previous` names.
    pub(crate) fn retag(&self, stage: &Stage, version: &BuildVersion) -> u8 {
        let name = self.gate.scope(stage).tag_name(version);
        let mut outputs = base_outputs(stage, version, &name);
        let title = format!("retag {stage} to {version}");
        let report = match self.gate.require(stage, version) {
            Ok(r) => r,
            Err(e) => {
                let advice = self.gate.advise_require(stage, version, &e);
                return self.refuse_with(e, advice, outputs, &title);
            }
        };
        let Some(image) = report.checked.record.as_ref().and_then(recorded_image) else {
            let e = GateError::NoRecordedImage {
                tag: name.clone(),
                given: "retag".into(),
            };
            return self.refuse(e, outputs, &title);
        };
        let step = self.step.expect("retag always has a registry step");
        if let Err(e) = step.run(stage, version, &name, &image) {
            return self.refuse(e, outputs, &title);
        }
        outputs
            .set("sha", report.checked.tag.commit.as_str())
            .set("image", image.to_string())
            .set(
                "image-digest",
                image.digest().map(|d| d.to_string()).unwrap_or_default(),
            );
        self.registry_lines(&mut outputs);
        let mut s = Summary::new();
        s.heading(3, &format!("🏷️ tag-gate retag: {stage} → `{version}`"));
        s.table(
            &["registry tag", "digest", ""],
            step.retagged()
                .iter()
                .map(|r| {
                    [
                        format!("`{}`", r.target),
                        format!("`{}`", r.digest),
                        if r.moved { "moved" } else { "already there" }.to_owned(),
                    ]
                })
                .collect::<Vec<[String; 3]>>(),
        );
        self.runner
            .info(&format!("{TOOL}: ✔ {title} in {}", self.took()));
        self.stdout(&image.to_string());
        self.runner
            .finish_code(Outcome::passed(outputs).with_summary(s))
    }
}
