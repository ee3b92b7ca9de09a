//! What a run is wired to, read once at the edge: the store (git remote or
//! GitHub API), the run that writes records, and the registry login and
//! step for the image flags.

use gha::{Classify, Failure, GithubEnv};
use registry::{
    CredentialSource, Credentials, DockerConfig, Options, Registry, RegistryError, Secret,
};
use repo::Store;
use repo::git::{GitStore, Timeouts};
use std::path::PathBuf;
use tag_gate::RunInfo;
use tag_gate::image::RegistryStep;

use super::cli::{Backend, Command, Global, ImageArgs};
use super::var;

pub(super) fn open_store(
    global: &Global,
    github: &GithubEnv,
) -> Result<Box<dyn Store>, Box<dyn Classify>> {
    let token = github.token.as_ref().map(gha::Token::expose);
    let repository = github.repository_or(global.repository.as_deref());
    let backend = match global.backend {
        Backend::Auto if token.is_some() && repository.is_some() => Backend::Api,
        Backend::Auto => Backend::Git,
        b => b,
    };
    match backend {
        Backend::Api => {
            let Some(token) = token else {
                return Err(Box::new(
                    Failure::input("--backend api needs a token: GITHUB_TOKEN is not set")
                        .with_hint("pass `token: ${{ github.token }}` to the action, or export GITHUB_TOKEN"),
                ));
            };
            let Some(repository) = repository else {
                return Err(Box::new(Failure::input(
                    "--backend api needs a repository: pass --repository OWNER/NAME (GITHUB_REPOSITORY is not set)",
                )));
            };
            repo::api::open(
                github.api_url_or(global.api_url.as_deref()).as_deref(),
                github.graphql_url.as_deref(),
                &repository,
                token,
            )
            .map(|s| Box::new(s) as Box<dyn Store>)
            .map_err(|e| Box::new(e) as Box<dyn Classify>)
        }
        Backend::Git | Backend::Auto => {
            if global.repository.is_some() {
                return Err(Box::new(
                    Failure::input("--repository gates on another repository, which needs the api backend")
                        .with_hint("add --backend api (with GITHUB_TOKEN), or drop --repository to use the git remote"),
                ));
            }
            let dir = std::env::current_dir().map_err(|e| {
                Box::new(Failure::environment(format!(
                    "cannot read the current directory: {e}"
                ))) as Box<dyn Classify>
            })?;
            GitStore::open_with(dir, &global.remote, Timeouts::network(global.git_timeout))
                .map(|s| {
                    // The user's own ssh command is left alone (the deadline still holds).
                    let user_ssh = github.user_ssh_command;
                    Box::new(s.with_user_ssh_command(user_ssh)) as Box<dyn Store>
                })
                .map_err(|e| Box::new(e) as Box<dyn Classify>)
        }
    }
}

/// Who and what writes records: the run's id, attempt, URL (from the
/// server, repository and id unless given), workflow and actor.
pub(super) fn run_info(global: &Global, github: &GithubEnv) -> RunInfo {
    let repository = github.repository_or(global.repository.as_deref());
    let run_url = global.run_url.clone().or_else(|| {
        let id = global.run_id?;
        Some(RunInfo::run_url(
            github.server_url.as_deref().unwrap_or("https://github.com"),
            repository.as_deref()?,
            id,
            global.run_attempt,
        ))
    });
    RunInfo {
        run_id: global.run_id,
        run_attempt: global.run_attempt,
        run_url,
        workflow: global.workflow.clone(),
        actor: global.actor.clone(),
    }
}

/// Where registry credentials come from, read once from flags and the
/// environment.
pub(super) struct Login {
    basic: Option<(String, Secret)>,
    docker_config: PathBuf,
    github_token: Option<Secret>,
    actor: Option<String>,
    timeout: std::time::Duration,
}

impl Login {
    pub(super) fn from_args(args: &ImageArgs, runner: &gha::Runner, github: &GithubEnv) -> Login {
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
            github_token: github.token.as_ref().map(|t| Secret::new(t.expose())),
            actor: github.actor.clone(),
            timeout: args.registry_timeout,
        }
    }

    /// A client for `host` with the first credentials that apply: the
    /// flags, the Docker config file's entry, the GitHub token for ghcr.io.
    pub(super) fn connect(&self, host: &str) -> Result<Registry, RegistryError> {
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
        let options = Options {
            timeout: self.timeout,
            ..Options::default()
        };
        Registry::new(host, creds, config.has_helper_for(host), options)
    }
}

/// The image flags of the command, if it has them.
pub(super) fn image_args(command: &Command) -> Option<&ImageArgs> {
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
pub(super) fn registry_step<'a>(command: &Command, login: &'a Login) -> Option<RegistryStep<'a>> {
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
