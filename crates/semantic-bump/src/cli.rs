//! The command line. Every flag has an `INPUT_*` env twin (the action passes
//! its inputs that way); values are trimmed and validated here, so bad
//! input dies at the edge with exit 2.

use clap::builder::BoolishValueParser;
use clap::{ArgAction, Args, Parser, Subcommand, ValueEnum};
use semantic_bump::changelog::Links;
use semantic_bump::pattern::{Pattern, split_list, strip_delimiters};
use semantic_bump::version::parse_version_arg;
use semantic_bump::{Channel, TagPrefix};
use semver::Version;

#[derive(Parser, Debug)]
#[command(
    name = "semantic-bump",
    version,
    about = "The next semantic version from conventional commits, its changelog, and the semantic PR title check",
    long_about = None,
    after_help = "Exit codes: 0 ok · 1 the check said no (lint) · 2 bad input · 3 environment (git, API, shallow clone)"
)]
pub struct Cli {
    #[command(subcommand)]
    pub cmd: Cmd,
}

// Parsed once per process: the size of a variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand, Debug)]
pub enum Cmd {
    /// The next version from the commits since the last release tag.
    ///
    /// Prints the version (X.Y.Z, no tag prefix) on stdout, nothing when
    /// there is nothing to release; human lines go to stderr. With --json,
    /// stdout holds only the JSON object.
    Next(NextArgs),
    /// Check a pull request title (the semantic PR check).
    LintTitle(LintTitleArgs),
    /// Check every commit of a range.
    LintCommits(LintCommitsArgs),
    /// Read a pull request through the API (title, labels), check its title
    /// and preview the release merging it would make.
    LintPr(LintPrArgs),
    /// Release notes for a range (or since the last release), optionally
    /// prepended to CHANGELOG.md.
    ///
    /// Without --output, prints the Markdown notes on stdout; human lines go
    /// to stderr. With --json, stdout holds only the JSON object.
    Changelog(ChangelogArgs),
    /// Tag the next version (annotated), publish its GitHub Release and
    /// move the floating tags (v1, v1.3).
    ///
    /// Prints the tag it made (with --dry-run: would make) on stdout, nothing
    /// when there is nothing to release; human lines go to stderr. With
    /// --json, stdout holds only the JSON object.
    Release(ReleaseArgs),
}

/// How versions are read and computed (shared by `next` and `lint-pr`).
#[derive(Args, Debug, Clone)]
pub struct VersionArgs {
    /// The text before the version in release tags ('' for bare versions).
    #[arg(long, env = "INPUT_TAG_PREFIX", default_value = "v", value_parser = tag_prefix, value_name = "PREFIX")]
    pub tag_prefix: TagPrefix,

    /// Release a prerelease on this channel: TARGET-ID.N (e.g. dev → 1.3.0-dev.3).
    #[arg(long, env = "INPUT_PRERELEASE", value_parser = channel, value_name = "ID")]
    pub prerelease: Option<Channel>,

    /// The first version, when no release tag exists yet [default: 0.1.0].
    #[arg(long, env = "INPUT_INITIAL", value_parser = version_arg, value_name = "X.Y.Z")]
    pub initial: Option<Version>,

    /// Before 1.0.0, a breaking change bumps the minor version (not to 1.0.0).
    #[arg(long, env = "INPUT_BUMP_MINOR_PRE_MAJOR", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub bump_minor_pre_major: bool,

    /// Count only commits touching these paths (repository-relative; comma-separated or repeated).
    #[arg(long = "path", env = "INPUT_PATH", value_delimiter = ',', value_parser = path_arg, value_name = "PATH")]
    pub paths: Vec<String>,

    /// The repository's web URL, for links in the changelog (e.g. https://github.com/octo/shop).
    #[arg(long, env = "INPUT_REPOSITORY_URL", value_parser = links, value_name = "URL")]
    pub repository_url: Option<Links>,

    /// The git remote: asked whether tags exist when the clone has none; `release` pushes its tags there (git backend).
    #[arg(long, env = "INPUT_REMOTE", default_value = "origin", value_parser = remote_name, value_name = "NAME")]
    pub remote: String,

    /// How long each git command that talks to the remote may take (asking it for tags, `release`'s push); then git and its ssh are killed and the run fails (exit 3) naming the remote.
    #[arg(long, env = "INPUT_GIT_TIMEOUT", default_value = "2m", value_parser = repo::git::parse_git_timeout, value_name = "DURATION")]
    pub git_timeout: std::time::Duration,
}

#[derive(Args, Debug)]
pub struct NextArgs {
    #[command(flatten)]
    pub version: VersionArgs,

    /// The pull request's labels: release:major|minor|patch|skip override the commits.
    #[arg(long = "label", env = "INPUT_LABEL", value_delimiter = ',', value_parser = label_arg, value_name = "LABEL")]
    pub labels: Vec<String>,

    /// Also read the labels of the pull request the commit was merged from (GitHub API; needs GITHUB_TOKEN and pull-requests: read). auto: on push events.
    #[arg(long, env = "INPUT_LABELS_FROM_PR", value_enum, default_value_t = LabelsFromPr::Never, ignore_case = true, num_args = 0..=1, require_equals = true, default_missing_value = "always")]
    pub labels_from_pr: LabelsFromPr,

    /// The commit to release.
    #[arg(long, env = "INPUT_REV", default_value = "HEAD", value_parser = rev_arg, value_name = "REV")]
    pub rev: String,

    #[command(flatten)]
    pub api: ApiArgs,

    /// Exit 1 when a commit in the range is not a conventional commit, naming each (merges and `Revert "…"` commits aside).
    #[arg(long, env = "INPUT_STRICT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub strict: bool,

    /// Print one JSON object (every output, and the reasons) on stdout, instead of the version.
    #[arg(long, env = "INPUT_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub json: bool,
}

/// Whether `next` reads the merged pull request's labels.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum LabelsFromPr {
    /// On `push` events (GITHUB_EVENT_NAME=push).
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

/// Where the GitHub API is.
#[derive(Args, Debug, Clone)]
pub struct ApiArgs {
    /// OWNER/NAME [default: $GITHUB_REPOSITORY].
    #[arg(long, env = "INPUT_REPOSITORY", value_parser = repository_arg, value_name = "OWNER/NAME")]
    pub repository: Option<(String, String)>,

    /// The REST API base URL [default: $GITHUB_API_URL, else https://api.github.com].
    #[arg(long, env = "INPUT_API_URL", value_parser = gha::cli::api_url, value_name = "URL")]
    pub api_url: Option<String>,
}

/// The title rules (shared by the three lint commands). The names follow
/// action-semantic-pull-request's options, so a migration is a rename.
#[derive(Args, Debug, Clone)]
pub struct RuleArgs {
    /// Allowed types, one per line or comma-separated; each a pattern matched against the whole type, case-insensitively (e.g. `[A-Z]+-\d+` for Jira keys) [default: build,chore,ci,docs,feat,fix,perf,refactor,revert,style,test].
    #[arg(long, env = "INPUT_TYPES", value_parser = type_patterns, value_name = "TYPES")]
    pub types: Vec<PatternList>,

    /// Allowed scopes, one per line or comma-separated; each a pattern matched against the whole scope; every scope of `fix(a,b)` must match one, and a path scope `fix(a/b)` matches as a whole or by each part [default: any].
    #[arg(long, env = "INPUT_SCOPES", value_parser = scope_patterns, value_name = "SCOPES")]
    pub scopes: Vec<PatternList>,

    /// Refused scopes, one per line or comma-separated; each a pattern matched against the whole scope.
    #[arg(long, env = "INPUT_DISALLOW_SCOPES", value_parser = scope_patterns, value_name = "SCOPES")]
    pub disallow_scopes: Vec<PatternList>,

    /// A scope is required.
    #[arg(long, env = "INPUT_REQUIRE_SCOPE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub require_scope: bool,

    /// The description must match this pattern as a whole (look-around such as `^(?![A-Z]).+$` supported).
    #[arg(long, env = "INPUT_SUBJECT_PATTERN", value_parser = subject_pattern, value_name = "RE")]
    pub subject_pattern: Option<Pattern>,

    /// The message when --subject-pattern fails; `{subject}` and `{title}` are replaced.
    #[arg(
        long,
        env = "INPUT_SUBJECT_PATTERN_ERROR",
        requires = "subject_pattern",
        value_name = "TEXT"
    )]
    pub subject_pattern_error: Option<String>,

    /// Read headers with this pattern instead of `type(scope)!: subject` (`/…/` delimiters allowed), e.g. `^(\w*)(?:\(([\w$.\-*/ ]*)\))?: (.*)$`.
    #[arg(long, env = "INPUT_HEADER_PATTERN", value_parser = header_pattern, value_name = "RE")]
    pub header_pattern: Option<Pattern>,

    /// What the header pattern's groups hold, in order [default: type,scope,subject].
    #[arg(long, env = "INPUT_HEADER_PATTERN_CORRESPONDENCE", value_delimiter = ',', requires = "header_pattern", value_parser = correspondence_arg, value_name = "NAMES")]
    pub header_pattern_correspondence: Vec<String>,
}

/// One `--types` / `--scopes` value: a list of patterns.
#[derive(Debug, Clone)]
pub struct PatternList(pub Vec<Pattern>);

fn patterns(s: &str, case_insensitive: bool, what: &str) -> Result<PatternList, String> {
    let items = split_list(s);
    if items.is_empty() {
        return Err(format!(
            "expected {what}, one per line or comma-separated, got none"
        ));
    }
    items
        .iter()
        .map(|p| Pattern::whole(p, case_insensitive).map_err(|e| e.to_string()))
        .collect::<Result<Vec<_>, _>>()
        .map(PatternList)
}

fn type_patterns(s: &str) -> Result<PatternList, String> {
    patterns(
        s,
        true,
        "types such as feat,fix (or patterns such as [A-Z]+-\\d+)",
    )
}

fn scope_patterns(s: &str) -> Result<PatternList, String> {
    patterns(s, false, "scopes such as api,ui (or patterns)")
}

fn subject_pattern(s: &str) -> Result<Pattern, String> {
    Pattern::new(s.trim()).map_err(|e| format!("{e}; expected a pattern such as '^(?![A-Z]).+$'"))
}

fn header_pattern(s: &str) -> Result<Pattern, String> {
    Pattern::new(&strip_delimiters(s)).map_err(|e| {
        format!("{e}; expected a pattern such as '^(\\w*)(?:\\(([\\w$.\\-*/ ]*)\\))?: (.*)$'")
    })
}

fn correspondence_arg(s: &str) -> Result<String, String> {
    let t = s.trim().to_ascii_lowercase();
    if matches!(t.as_str(), "type" | "scope" | "subject") {
        Ok(t)
    } else {
        Err(format!(
            "invalid name '{}': expected type, scope or subject, such as type,scope,subject",
            s.trim()
        ))
    }
}

#[derive(Args, Debug)]
pub struct LintTitleArgs {
    /// The pull request title.
    #[arg(env = "INPUT_TITLE", value_name = "TITLE")]
    pub title: String,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Skip the check when the pull request has this label (bots; repeated or comma-separated).
    #[arg(long = "ignore-label", env = "INPUT_IGNORE_LABEL", value_delimiter = ',', value_parser = label_arg, value_name = "LABEL")]
    pub ignore_labels: Vec<String>,

    /// A title starting with `[WIP] ` is work in progress: the check is skipped (wip=true, exit 0).
    #[arg(long, env = "INPUT_WIP", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub wip: bool,

    /// The pull request's labels.
    #[arg(long = "label", env = "INPUT_LABEL", value_delimiter = ',', value_parser = label_arg, value_name = "LABEL")]
    pub labels: Vec<String>,

    /// A failed check exits 0 with passed=false.
    #[arg(long, env = "INPUT_SOFT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub soft: bool,

    /// Print one JSON object on stdout.
    #[arg(long, env = "INPUT_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct LintCommitsArgs {
    /// The commits to check, A..B [default: since the last release tag, else since the merge base with the remote's default branch].
    #[arg(long, env = "INPUT_RANGE", value_parser = range_arg, value_name = "A..B")]
    pub range: Option<String>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// The text before the version in release tags (finds the default range).
    #[arg(long, env = "INPUT_TAG_PREFIX", default_value = "v", value_parser = tag_prefix, value_name = "PREFIX")]
    pub tag_prefix: TagPrefix,

    /// The remote whose default branch bounds the default range.
    #[arg(long, env = "INPUT_REMOTE", default_value = "origin", value_parser = remote_name, value_name = "NAME")]
    pub remote: String,

    /// A failed check exits 0 with passed=false.
    #[arg(long, env = "INPUT_SOFT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub soft: bool,

    /// Print one JSON object on stdout.
    #[arg(long, env = "INPUT_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub json: bool,
}

/// Whether `lint-pr` previews the release.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Preview {
    /// When a full clone holding the base commit is at hand.
    Auto,
    /// Always; a missing or shallow clone is an error.
    Always,
    /// Never.
    Never,
}

#[derive(Args, Debug)]
pub struct LintPrArgs {
    /// The pull request number [default: from the event: pull_request, or the merge-queue branch].
    #[arg(long, env = "INPUT_PR", value_parser = clap::value_parser!(u64).range(1..), value_name = "NUMBER")]
    pub pr: Option<u64>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Skip the check when the pull request has this label (bots).
    #[arg(long = "ignore-label", env = "INPUT_IGNORE_LABEL", value_delimiter = ',', value_parser = label_arg, value_name = "LABEL")]
    pub ignore_labels: Vec<String>,

    /// A title starting with `[WIP] ` is work in progress: the check is skipped (wip=true, exit 0).
    #[arg(long, env = "INPUT_WIP", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub wip: bool,

    /// When the pull request has one commit (merges aside), check that commit's first line too: GitHub squash-merges a one-commit pull request with the commit's message, not the title (reads the commits through the API).
    #[arg(long, env = "INPUT_VALIDATE_SINGLE_COMMIT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub validate_single_commit: bool,

    /// Keep one comment on the pull request with the verdict and the release preview (created once, then edited in place). Needs pull-requests: write; without it the check still runs, with a warning.
    #[arg(long, env = "INPUT_COMMENT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub comment: bool,

    /// With --validate-single-commit: that one commit's first line must also equal the title.
    #[arg(long, env = "INPUT_VALIDATE_SINGLE_COMMIT_MATCHES_PR_TITLE", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub validate_single_commit_matches_pr_title: bool,

    #[command(flatten)]
    pub api: ApiArgs,

    /// Preview the release merging this pull request makes.
    #[arg(long, env = "INPUT_PREVIEW", value_enum, default_value_t = Preview::Auto, ignore_case = true)]
    pub preview: Preview,

    /// The clone that holds the base branch's history and tags [default: $GITHUB_WORKSPACE, else .].
    #[arg(long, env = "INPUT_DIR", value_name = "DIR")]
    pub dir: Option<std::path::PathBuf>,

    /// The base commit of the preview [default: from the event, else the API].
    #[arg(long, env = "INPUT_BASE_SHA", value_parser = sha_arg, value_name = "SHA")]
    pub base_sha: Option<String>,

    #[command(flatten)]
    pub version: VersionArgs,

    /// A failed check exits 0 with passed=false.
    #[arg(long, env = "INPUT_SOFT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub soft: bool,

    /// Print one JSON object on stdout.
    #[arg(long, env = "INPUT_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub json: bool,
}

#[derive(Args, Debug)]
pub struct ChangelogArgs {
    /// The commits, A..B (e.g. the previous production commit..the one being deployed) [default: since the last release tag, like next].
    #[arg(long, env = "INPUT_RANGE", value_parser = range_arg, value_name = "A..B")]
    pub range: Option<String>,

    #[command(flatten)]
    pub version: VersionArgs,

    /// The pull request's labels (without --range: they decide the version, like next).
    #[arg(long = "label", env = "INPUT_LABEL", value_delimiter = ',', value_parser = label_arg, value_name = "LABEL")]
    pub labels: Vec<String>,

    /// The version in the section heading [default: the version tagged at B, or next's version].
    #[arg(long, env = "INPUT_HEADING", value_parser = heading_arg, value_name = "VERSION")]
    pub heading: Option<String>,

    /// Write the notes to this file (with --prepend: insert them into it).
    #[arg(long, env = "INPUT_OUTPUT", value_parser = output_arg, value_name = "FILE")]
    pub output: Option<std::path::PathBuf>,

    /// Insert a `## version` section into --output under the marker `<!-- shipgate:changelog -->` (else above the newest release), leaving every other byte as it was; a version already there is not added again.
    #[arg(long, env = "INPUT_PREPEND", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new(), requires = "output")]
    pub prepend: bool,

    /// Print one JSON object on stdout.
    #[arg(long, env = "INPUT_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub json: bool,
}

/// Where the release tag is written.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// api when GITHUB_TOKEN and a repository are set, else git.
    Auto,
    /// git push to --remote (the checkout's credentials).
    Git,
    /// The GitHub API (GITHUB_TOKEN, contents: write); no push needed.
    Api,
}

/// Whether `release` publishes a GitHub Release.
#[derive(ValueEnum, Debug, Clone, Copy, PartialEq, Eq)]
pub enum GithubRelease {
    /// When GITHUB_TOKEN and a repository are set; otherwise skipped, with a notice.
    Auto,
    /// Always: without a token and a repository, exit 3.
    Always,
    /// Never: only the tag (and the floating tags).
    Never,
}

#[derive(Args, Debug)]
pub struct ReleaseArgs {
    #[command(flatten)]
    pub version: VersionArgs,

    /// The pull request's labels: release:major|minor|patch|skip override the commits.
    #[arg(long = "label", env = "INPUT_LABEL", value_delimiter = ',', value_parser = label_arg, value_name = "LABEL")]
    pub labels: Vec<String>,

    /// Also read the labels of the pull request the commit was merged from (needs pull-requests: read). auto: on push events.
    #[arg(long, env = "INPUT_LABELS_FROM_PR", value_enum, default_value_t = LabelsFromPr::Never, ignore_case = true, num_args = 0..=1, require_equals = true, default_missing_value = "always")]
    pub labels_from_pr: LabelsFromPr,

    /// The commit to release [default: HEAD].
    #[arg(long, env = "INPUT_SHA", value_parser = sha_arg, value_name = "SHA")]
    pub sha: Option<String>,

    /// Where the tag is written.
    #[arg(long, env = "INPUT_BACKEND", value_enum, default_value_t = Backend::Auto, ignore_case = true)]
    pub backend: Backend,

    /// Publish a GitHub Release with the changelog as its notes.
    #[arg(long, env = "INPUT_GITHUB_RELEASE", value_enum, default_value_t = GithubRelease::Auto, ignore_case = true, num_args = 0..=1, require_equals = true, default_missing_value = "always")]
    pub github_release: GithubRelease,

    /// Create the GitHub Release as a draft.
    #[arg(long, env = "INPUT_DRAFT", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub draft: bool,

    /// Point the floating tags v1 and v1.3 at a stable release (each only while it is the highest of its line; never for prereleases).
    #[arg(long, env = "INPUT_FLOATING_TAGS", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub floating_tags: bool,

    /// Say exactly what would be written (tag, release, floating tags), and write nothing (a read-only token is enough).
    #[arg(long, env = "INPUT_DRY_RUN", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub dry_run: bool,

    #[command(flatten)]
    pub api: ApiArgs,

    /// Print one JSON object on stdout.
    #[arg(long, env = "INPUT_JSON", action = ArgAction::SetTrue, value_parser = BoolishValueParser::new())]
    pub json: bool,
}

fn heading_arg(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.contains(['\n', '\r']) || t.len() > 100 {
        return Err(format!(
            "invalid heading '{t}': expected a version such as 1.3.0 (one line)"
        ));
    }
    Ok(t.to_owned())
}

fn output_arg(s: &str) -> Result<std::path::PathBuf, String> {
    let t = s.trim();
    if t.is_empty() || t.contains('\0') || t.ends_with('/') {
        return Err(format!(
            "invalid output file '{t}': expected a file path such as CHANGELOG.md"
        ));
    }
    Ok(std::path::PathBuf::from(t))
}

fn tag_prefix(s: &str) -> Result<TagPrefix, String> {
    // An action cannot pass an empty input (it counts as unset): '' means none.
    match s.trim() {
        "''" | "\"\"" => Ok(TagPrefix::default()),
        t => t.parse(),
    }
}

fn channel(s: &str) -> Result<Channel, String> {
    s.parse()
}

fn version_arg(s: &str) -> Result<Version, String> {
    parse_version_arg(s)
}

fn links(s: &str) -> Result<Links, String> {
    Links::parse(s)
}

fn path_arg(s: &str) -> Result<String, String> {
    let t = s.trim().trim_end_matches('/');
    if t.is_empty() {
        return Err(
            "expected a repository-relative path such as packages/api, got an empty one".into(),
        );
    }
    if t.starts_with('/')
        || t.starts_with(':')
        || t.contains('\0')
        || t.split('/').any(|p| p == "..")
    {
        return Err(format!(
            "invalid path '{t}': expected a repository-relative path such as packages/api (no leading '/' or ':', no '..')"
        ));
    }
    Ok(t.to_owned())
}

fn label_arg(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.contains(['\n', '\r']) {
        return Err(format!(
            "invalid label '{t}': expected a label name such as release:minor"
        ));
    }
    Ok(t.to_owned())
}

fn rev_arg(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.starts_with('-') || t.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "invalid revision '{t}': expected a branch, tag or commit id such as HEAD or main"
        ));
    }
    Ok(t.to_owned())
}

fn range_arg(s: &str) -> Result<String, String> {
    let t = s.trim();
    semantic_bump::commits::parse_range(t).map_err(|e| e.to_string())?;
    Ok(t.to_owned())
}

fn remote_name(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() || t.starts_with('-') || t.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(format!(
            "invalid remote '{t}': expected a remote name such as origin"
        ));
    }
    Ok(t.to_owned())
}

fn repository_arg(s: &str) -> Result<(String, String), String> {
    semantic_bump::pr::parse_repository(s)
}

fn sha_arg(s: &str) -> Result<String, String> {
    let t = s.trim();
    if semantic_bump::git::is_object_id(t) {
        Ok(t.to_ascii_lowercase())
    } else {
        Err(format!("invalid commit id '{t}': expected 40 hex digits"))
    }
}
