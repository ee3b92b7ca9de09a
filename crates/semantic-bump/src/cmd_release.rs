//! `release`: the annotated tag of the next version (git push or the API),
//! its GitHub Release, and the floating tags — or, with `--dry-run`,
//! exactly what would be written. A re-run completes what is missing and
//! otherwise changes nothing.

use super::cli::{Backend, GithubRelease, LabelsFromPr, ReleaseArgs};
use super::github;
use super::render::{
    annotate_next, finish_with_result, labels_of_merged_pr, ms, next_options, next_result, short,
    token,
};
use gha::escape::markdown_cell;
use gha::{Classify, Failure, GithubEnv, Outcome, Runner};
use repo::api::{ApiStore, MakeLatest, NewRelease, ReleaseCreated};
use repo::git::{GitStore, Timeouts};
use repo::{CommitId, Created, MovedTag, NewTag, RepoError, Store};
use semantic_bump::changelog;
use semantic_bump::release::{Plan, Target, plan};
use semantic_bump::{Error, Git};
use serde_json::{Value, json};
use std::process::ExitCode;
use std::time::Instant;

type Fail = Box<dyn Classify>;

fn boxed<E: Classify + 'static>(e: E) -> Fail {
    Box::new(e)
}

pub fn release(runner: &Runner, run_env: &GithubEnv, a: ReleaseArgs) -> ExitCode {
    match run(runner, run_env, &a) {
        Ok(code) => code,
        Err(e) => runner.fail(e.as_ref()),
    }
}

/// Where things are written.
struct Stores {
    backend: &'static str,
    git: Option<GitStore>,
    api: Option<ApiStore>,
    /// Whether the GitHub Release is made.
    github_release: bool,
}

impl Stores {
    fn tags(&self) -> &dyn Store {
        match (&self.git, &self.api) {
            (Some(g), _) => g,
            (None, Some(a)) => a,
            (None, None) => unreachable!("a backend is always opened"),
        }
    }

    fn move_tag(&self, name: &str, commit: &CommitId) -> Result<MovedTag, RepoError> {
        match (&self.git, &self.api) {
            (Some(g), _) => g.move_tag(name, commit),
            (None, Some(a)) => a.move_tag(name, commit),
            (None, None) => unreachable!("a backend is always opened"),
        }
    }
}

fn open(a: &ReleaseArgs, run_env: &GithubEnv, token: Option<String>) -> Result<Stores, Fail> {
    let repository = github::repository(&a.api, run_env);
    let have_api = token.is_some() && repository.is_some();
    let backend = match a.backend {
        Backend::Auto if have_api => Backend::Api,
        Backend::Auto => Backend::Git,
        b => b,
    };
    let missing = || {
        if token.is_none() {
            "GITHUB_TOKEN is not set"
        } else {
            "no repository is known (GITHUB_REPOSITORY, --repository)"
        }
    };
    let fix = "pass `token: ${{ github.token }}` (with `permissions: contents: write`) and run in \
               GitHub Actions (GITHUB_REPOSITORY), or pass --repository OWNER/NAME";
    if backend == Backend::Api && !have_api {
        return Err(boxed(
            Failure::environment(format!("--backend api needs the GitHub API: {}", missing()))
                .with_hint(fix),
        ));
    }
    let github_release = match a.github_release {
        GithubRelease::Never => false,
        GithubRelease::Auto => have_api,
        GithubRelease::Always if have_api => true,
        GithubRelease::Always => {
            return Err(boxed(
                Failure::environment(format!(
                    "--github-release always needs the GitHub API: {}",
                    missing()
                ))
                .with_hint(format!("{fix}; or drop --github-release to tag only")),
            ));
        }
    };
    let api = if backend == Backend::Api || github_release {
        Some(github::store(&a.api, run_env, token).map_err(boxed)?)
    } else {
        None
    };
    let git = if backend == Backend::Git {
        let dir = std::env::current_dir().map_err(|e| {
            boxed(Failure::environment(format!(
                "cannot read the current directory: {e}"
            )))
        })?;
        Some(
            GitStore::open_with(
                dir,
                &a.version.remote,
                Timeouts::network(a.version.git_timeout),
            )
            .map_err(boxed)?
            .with_user_ssh_command(run_env.user_ssh_command),
        )
    } else {
        None
    };
    Ok(Stores {
        backend: if backend == Backend::Git {
            "git"
        } else {
            "api"
        },
        git,
        api,
        github_release,
    })
}

fn run(runner: &Runner, run_env: &GithubEnv, a: &ReleaseArgs) -> Result<ExitCode, Fail> {
    let token = token(runner, run_env);
    let git = Git::new(".");
    let rev = a.sha.clone().unwrap_or_else(|| "HEAD".into());
    let mut labels = a.labels.clone();
    let from_pr = match a.labels_from_pr {
        LabelsFromPr::Always => true,
        LabelsFromPr::Never => false,
        LabelsFromPr::Auto => run_env.is_push(),
    };
    if from_pr {
        labels.extend(labels_of_merged_pr(
            runner,
            &git,
            &rev,
            &a.api,
            run_env,
            token.clone(),
        )?);
    }
    let opts = next_options(
        &a.version,
        rev,
        labels,
        token.clone(),
        run_env.user_ssh_command,
    );
    let started = Instant::now();
    let (target, report) = match plan(&git, &opts).map_err(boxed)? {
        Plan::Release(t, r) => (t, r),
        Plan::Nothing(report) => {
            annotate_next(runner, &report);
            let (mut outputs, mut summary) = next_result(&report, &a.version, started.elapsed());
            for (k, v) in [
                ("version", json!("")),
                ("tag", json!("")),
                ("sha", json!(report.commit)),
                ("created", json!(false)),
                ("release-created", json!(false)),
                ("release-url", json!("")),
                ("github-release", json!("none")),
                ("floating-tags", json!("")),
                ("dry-run", json!(a.dry_run)),
                ("actions", json!([])),
            ] {
                outputs.set(k, v);
            }
            let line = format!("nothing to release: {}", report.decision.detail);
            runner.info(&format!("semantic-bump: {line}"));
            summary.line(&format!("ℹ️ {}", markdown_cell(&line)));
            return Ok(finish_with_result(
                runner,
                Outcome::done(outputs).with_summary(summary),
                None,
            ));
        }
    };
    let stores = open(a, run_env, token)?;
    annotate_next(runner, &report);
    let elapsed = started.elapsed();

    let links = a.version.repository_url.as_ref();
    let mut body = changelog::render(
        &target.analysis.entries,
        &changelog::Options {
            links,
            ..Default::default()
        },
    );
    if let (Some(l), Some(prev)) = (links, &target.previous) {
        body.push_str(&format!(
            "\n**Full Changelog**: {}\n",
            l.compare(&prev.name, &target.tag)
        ));
    }
    let commit = CommitId::parse(&target.commit).map_err(|e| boxed(Failure::environment(e)))?;
    let dry = a.dry_run;
    let mut actions: Vec<String> = Vec::new();
    let mut notes: Vec<String> = Vec::new();

    // 1. The tag.
    let store = stores.tags();
    let tag_created = match store.read_tag(&target.tag).map_err(boxed)? {
        Some(t) if t.commit == commit => {
            actions.push(format!(
                "tag {} is already on {} (nothing to create)",
                target.tag,
                short(&target.commit)
            ));
            false
        }
        Some(t) => return Err(elsewhere(&target.tag, &t.commit)),
        None if dry => {
            actions.push(format!(
                "would create the annotated tag {} at {} ({})",
                target.tag,
                short(&target.commit),
                store.describe()
            ));
            false
        }
        None => {
            let new = NewTag {
                name: target.tag.clone(),
                commit: commit.clone(),
                message: format!("{}\n\n{body}", target.tag),
                time: jiff::Timestamp::now(),
            };
            match store.create_tag(&new).map_err(boxed)? {
                Created::Created(_) => {
                    actions.push(format!(
                        "created the annotated tag {} at {} ({})",
                        target.tag,
                        short(&target.commit),
                        store.describe()
                    ));
                    true
                }
                Created::AlreadyExists(t) if t.commit == commit => {
                    actions.push(format!("tag {} was already there", target.tag));
                    false
                }
                Created::AlreadyExists(t) => return Err(elsewhere(&target.tag, &t.commit)),
            }
        }
    };

    // 2. The GitHub Release.
    let make_latest = if target.latest {
        MakeLatest::True
    } else {
        MakeLatest::False
    };
    let flags = format!(
        "draft={}, prerelease={}, make_latest={}",
        a.draft,
        target.prerelease(),
        if target.latest { "true" } else { "false" }
    );
    let (release_state, release_url, release_created) = match &stores.api {
        Some(api) if stores.github_release => {
            match api.release_for_tag(&target.tag).map_err(boxed)? {
                Some(r) => {
                    actions.push(format!(
                        "the GitHub Release {} exists already ({})",
                        target.tag, r.html_url
                    ));
                    ("exists", r.html_url, false)
                }
                None if dry => {
                    actions.push(format!(
                        "would create the GitHub Release {} ({flags})",
                        target.tag
                    ));
                    ("planned", String::new(), false)
                }
                None => {
                    let new = NewRelease {
                        tag_name: target.tag.clone(),
                        target_commitish: Some(target.commit.clone()),
                        name: Some(target.tag.clone()),
                        body: Some(body.clone()),
                        draft: a.draft,
                        prerelease: target.prerelease(),
                        make_latest: Some(make_latest),
                    };
                    match api.create_release(&new).map_err(boxed)? {
                        ReleaseCreated::Created(r) => {
                            actions.push(format!(
                                "created the GitHub Release {} ({flags}): {}",
                                target.tag, r.html_url
                            ));
                            ("created", r.html_url, true)
                        }
                        ReleaseCreated::AlreadyExists(r) => {
                            actions.push(format!(
                                "the GitHub Release {} exists already ({})",
                                target.tag, r.html_url
                            ));
                            ("exists", r.html_url, false)
                        }
                    }
                }
            }
        }
        _ => {
            let why = match a.github_release {
                GithubRelease::Never => "--github-release never",
                _ => "no GITHUB_TOKEN and repository (GITHUB_REPOSITORY) for the API",
            };
            let line = format!("GitHub Release skipped: {why}");
            actions.push(line.clone());
            if a.github_release != GithubRelease::Never {
                runner.notice(&format!(
                    "semantic-bump: {line}; pass `token` (contents: write) to publish one"
                ));
            }
            ("skipped", String::new(), false)
        }
    };

    // 3. The floating tags.
    let mut floating: Vec<String> = Vec::new();
    if a.floating_tags {
        if target.prerelease() {
            notes.push(format!(
                "floating tags follow stable versions only: none moved for {}",
                target.version
            ));
        }
        for name in &target.floating.follow {
            if dry {
                let at = store.read_tag(name).map_err(boxed)?;
                actions.push(match at {
                    Some(t) if t.commit == commit && t.is_lightweight() => {
                        format!("{name} is already at {}", short(&target.commit))
                    }
                    Some(t) => format!(
                        "would move {name} from {} to {} (force-update of that ref only)",
                        short(t.commit.as_str()),
                        short(&target.commit)
                    ),
                    None => format!("would create {name} at {}", short(&target.commit)),
                });
            } else {
                let m = stores.move_tag(name, &commit).map_err(boxed)?;
                actions.push(match (&m.previous, m.moved) {
                    (_, false) => format!("{name} is already at {}", short(&target.commit)),
                    (Some(p), true) => format!(
                        "moved {name} from {} to {}",
                        short(p.as_str()),
                        short(&target.commit)
                    ),
                    (None, true) => format!("created {name} at {}", short(&target.commit)),
                });
            }
            floating.push(name.clone());
        }
        for (name, higher) in &target.floating.held {
            notes.push(format!(
                "{name} stays where it is: {higher} is higher in its line"
            ));
        }
    }

    report_release(
        runner,
        a,
        &report,
        &target,
        elapsed,
        Done {
            backend: stores.backend,
            body,
            tag_created,
            release_state,
            release_url,
            release_created,
            floating,
            actions,
            notes,
        },
    )
}

/// The tag is taken by another commit: exit 1.
fn elsewhere(tag: &str, commit: &CommitId) -> Fail {
    boxed(Error::NextTagExists {
        tag: tag.to_owned(),
        commit: commit.to_string(),
        line: Vec::new(),
    })
}

struct Done {
    backend: &'static str,
    body: String,
    tag_created: bool,
    release_state: &'static str,
    release_url: String,
    release_created: bool,
    floating: Vec<String>,
    actions: Vec<String>,
    notes: Vec<String>,
}

fn report_release(
    runner: &Runner,
    a: &ReleaseArgs,
    report: &semantic_bump::NextReport,
    t: &Target,
    elapsed: std::time::Duration,
    d: Done,
) -> Result<ExitCode, Fail> {
    let (mut outputs, _) = next_result(report, &a.version, elapsed);
    for (k, v) in [
        ("version", json!(t.version.to_string())),
        ("tag", json!(t.tag)),
        ("sha", json!(t.commit)),
        ("created", json!(d.tag_created)),
        ("release-created", json!(d.release_created)),
        ("release-url", json!(d.release_url)),
        ("github-release", json!(d.release_state)),
        ("prerelease", json!(t.prerelease())),
        ("latest", json!(t.latest)),
        ("floating-tags", json!(d.floating.join(","))),
        ("changelog", json!(d.body)),
        ("backend", json!(d.backend)),
        ("dry-run", json!(a.dry_run)),
        ("actions", json!(d.actions)),
        ("release-notes", json!(d.notes)),
        (
            "previous-tag",
            t.previous
                .as_ref()
                .map_or(Value::Null, |p| Value::from(p.name.clone())),
        ),
    ] {
        outputs.set(k, v);
    }
    let mut s = gha::Summary::new();
    let title = if a.dry_run {
        format!("semantic-bump release (dry run): `{}`", t.tag)
    } else if t.already_tagged && !d.tag_created {
        format!("semantic-bump release: `{}` (already tagged)", t.tag)
    } else {
        format!("semantic-bump release: `{}`", t.tag)
    };
    s.heading(3, &title);
    s.table(
        &["step"],
        d.actions
            .iter()
            .map(|x| [markdown_cell(x)])
            .collect::<Vec<_>>(),
    );
    for n in &d.notes {
        s.line(&format!("ℹ️ {}", markdown_cell(n)));
    }
    s.raw(&format!(
        "<details><summary>Release notes</summary>\n\n{}\n</details>\n\n",
        d.body
    ));
    let lead = if a.dry_run {
        "semantic-bump: dry run, nothing written — "
    } else {
        "semantic-bump: "
    };
    for x in &d.actions {
        runner.info(&format!("{lead}{x}"));
    }
    for n in &d.notes {
        runner.info(&format!("semantic-bump: {n}"));
    }
    runner.info(&format!(
        "semantic-bump: {} {} ({} commit{} since {}) in {}",
        if a.dry_run {
            "would release"
        } else {
            "released"
        },
        t.tag,
        t.analysis.counts.commits,
        if t.analysis.counts.commits == 1 {
            ""
        } else {
            "s"
        },
        t.previous.as_ref().map_or("the start", |p| p.name.as_str()),
        ms(elapsed)
    ));
    // The result line: the tag made (or, with --dry-run, that would be).
    Ok(finish_with_result(
        runner,
        Outcome::done(outputs).with_summary(s),
        Some(&t.tag),
    ))
}
