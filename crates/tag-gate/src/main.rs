//! `tag-gate`: flags and the runner's variables in; stage tags, deployment
//! events, verdicts out (`$GITHUB_OUTPUT`, the job summary, `--json`, the
//! exit code).
//!
//! `cli` holds the flags and value parsers, `wiring` what a run is wired
//! to (store, run, registry login), `cmd_*` the commands, `render` what
//! they print; here the run is built and dispatched. Modules refer to each
//! other with `super::` (shipgate-cli compiles this tree under `#[path]`).

// GateError is large on purpose (see lib.rs) and made once per run.
#![allow(clippy::result_large_err)]

mod cli;
mod cmd_deploy;
mod cmd_image;
mod cmd_tags;
mod render;
mod wiring;

use cli::{Cli, Command};
use gha::{Env, GithubEnv, Runner};
use repo::Store;
use std::process::ExitCode;
use std::time::Instant;
use tag_gate::Gate;
use tag_gate::image::{BeforeTag, RegistryStep};
use wiring::Login;

const TOOL: &str = "tag-gate";

/// A runner variable; empty (or blank) counts as unset.
fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_owned())
        .filter(|v| !v.is_empty())
}

pub fn main() -> ExitCode {
    let started = Instant::now();
    let cli: Cli = gha::cli::parse(TOOL);
    // Cancelled (SIGINT/SIGTERM/SIGHUP): git and ssh end with us.
    let _ = repo::child::end_children_on_termination();
    let global = &cli.global;
    let runner = Runner::new(TOOL, Env::from_process())
        .json(global.json)
        .soft(global.soft);
    let github = GithubEnv::from_process();
    if let Some(t) = &github.token {
        runner.mask(t.expose());
    }
    if global.allow_unverified {
        runner.warning(
            "--allow-unverified: stage tags that do not verify (lightweight, without a readable \
             record, or on a commit that does not match the version) are accepted",
        );
    }
    let store = match wiring::open_store(global, &github) {
        Ok(store) => store,
        Err(e) => return runner.fail(e.as_ref()),
    };
    let stage = cli
        .command
        .stage()
        .unwrap_or_else(|| global.chain.first())
        .clone();
    let login = Login::from_args(
        &wiring::image_args(&cli.command)
            .cloned()
            .unwrap_or_default(),
        &runner,
        &github,
    );
    let step = wiring::registry_step(&cli.command, &login);
    let gate = Gate::new(store.as_ref(), global.chain.clone())
        .before_tag(step.as_ref().map(|s| s as &dyn BeforeTag))
        .service(global.service.clone())
        .environment(&stage, global.environment.clone())
        .allow_unverified(global.allow_unverified)
        .run(wiring::run_info(global, &github));
    let ctx = Ctx {
        runner: &runner,
        gate: &gate,
        store: store.as_ref(),
        started,
        login: &login,
        step: step.as_ref(),
        github: &github,
    };
    let code = ctx.dispatch(&cli.command);
    ExitCode::from(code)
}

/// One run: the runner, the gate over its store, and the registry glue.
struct Ctx<'a> {
    runner: &'a Runner,
    gate: &'a Gate<'a>,
    store: &'a dyn Store,
    started: Instant,
    login: &'a Login,
    step: Option<&'a RegistryStep<'a>>,
    /// The runner's variables, read once above.
    github: &'a GithubEnv,
}

impl Ctx<'_> {
    fn took(&self) -> String {
        gha::cli::human_duration(self.started.elapsed())
    }

    fn dispatch(&self, command: &Command) -> u8 {
        match command {
            Command::Create {
                stage,
                version,
                sha,
                artifact,
            } => self.create(stage.as_ref(), &version.version, sha.as_deref(), artifact),
            Command::Require {
                stage,
                version,
                image,
            } => self.require(&stage.stage, &version.version, image),
            Command::Retag { stage, version, .. } => self.retag(&stage.stage, &version.version),
            Command::Promote {
                to,
                version,
                artifact,
            } => self.promote(to, &version.version, artifact),
            Command::Record {
                stage,
                version,
                status,
                url,
                sha,
                note,
            } => self.record(&stage.stage, &version.version, *status, url, sha, note),
            Command::Current { stage } => self.live(&stage.stage, false),
            Command::Previous { stage } => self.live(&stage.stage, true),
            Command::History { stage, limit } => self.history(&stage.stage, limit.limit),
            Command::Revoke {
                stage,
                version,
                reason,
            } => self.revoke(&stage.stage, &version.version, reason),
            Command::Latest { stage } => self.list(&stage.stage, 1, true),
            Command::List { stage, limit } => self.list(&stage.stage, limit.limit, false),
            Command::Show { stage, version } => self.show(&stage.stage, &version.version),
        }
    }
}
