//! The runner's `GITHUB_*` variables as one typed value, read once at the
//! edge (a tool's `main.rs`) and passed down, so domain and render code
//! never read the environment themselves.
//!
//! Every value is trimmed and an empty (or blank) one counts as unset; the
//! flags keep priority over these twins where a tool has both.

use std::fmt;
use std::path::PathBuf;

/// A token that never prints: `Debug` and `Display` show `***`; the value
/// is reached only through [`Token::expose`]. A newtype rather than the
/// `secrecy` crate: nothing here needs zeroizing, only not printing.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    pub fn new(value: impl Into<String>) -> Self {
        Token(value.into())
    }

    /// The secret itself, for the one place that sends it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token(***)")
    }
}

impl fmt::Display for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

/// What the runner says about the run, the repository and the event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GithubEnv {
    /// `GITHUB_TOKEN`
    pub token: Option<Token>,
    /// `GITHUB_REPOSITORY` (`OWNER/NAME`, not validated here)
    pub repository: Option<String>,
    /// `GITHUB_API_URL`, without a trailing `/`
    pub api_url: Option<String>,
    /// `GITHUB_GRAPHQL_URL`, without a trailing `/`
    pub graphql_url: Option<String>,
    /// `GITHUB_SERVER_URL`
    pub server_url: Option<String>,
    /// `GITHUB_EVENT_NAME`
    pub event_name: Option<String>,
    /// `GITHUB_EVENT_PATH`
    pub event_path: Option<PathBuf>,
    /// `GITHUB_SHA`
    pub sha: Option<String>,
    /// `GITHUB_REF`
    pub git_ref: Option<String>,
    /// `GITHUB_REF_NAME`
    pub ref_name: Option<String>,
    /// `GITHUB_HEAD_REF`
    pub head_ref: Option<String>,
    /// `GITHUB_WORKSPACE`
    pub workspace: Option<PathBuf>,
    /// `GITHUB_RUN_ID`
    pub run_id: Option<String>,
    /// `GITHUB_RUN_NUMBER`
    pub run_number: Option<String>,
    /// `GITHUB_ACTOR`
    pub actor: Option<String>,
    /// `GIT_SSH_COMMAND` or `GIT_SSH` is set: the user chose the ssh command.
    pub user_ssh_command: bool,
}

impl GithubEnv {
    /// Reads the process environment (the edge only: `main.rs`).
    pub fn from_process() -> Self {
        Self::from_lookup(|name| std::env::var(name).ok())
    }

    /// Reads through `lookup` (a map in tests); blank values count as unset.
    pub fn from_lookup(lookup: impl Fn(&str) -> Option<String>) -> Self {
        let var = |name: &str| {
            lookup(name)
                .map(|v| v.trim().to_owned())
                .filter(|v| !v.is_empty())
        };
        let url = |name: &str| {
            var(name)
                .map(|u| u.trim_end_matches('/').to_owned())
                .filter(|u| !u.is_empty())
        };
        GithubEnv {
            token: var("GITHUB_TOKEN").map(Token),
            repository: var("GITHUB_REPOSITORY"),
            api_url: url("GITHUB_API_URL"),
            graphql_url: url("GITHUB_GRAPHQL_URL"),
            server_url: var("GITHUB_SERVER_URL"),
            event_name: var("GITHUB_EVENT_NAME"),
            event_path: var("GITHUB_EVENT_PATH").map(PathBuf::from),
            sha: var("GITHUB_SHA"),
            git_ref: var("GITHUB_REF"),
            ref_name: var("GITHUB_REF_NAME"),
            head_ref: var("GITHUB_HEAD_REF"),
            workspace: var("GITHUB_WORKSPACE").map(PathBuf::from),
            run_id: var("GITHUB_RUN_ID"),
            run_number: var("GITHUB_RUN_NUMBER"),
            actor: var("GITHUB_ACTOR"),
            user_ssh_command: var("GIT_SSH_COMMAND").is_some() || var("GIT_SSH").is_some(),
        }
    }

    /// The repository: the flag when given, else `GITHUB_REPOSITORY`.
    pub fn repository_or(&self, flag: Option<&str>) -> Option<String> {
        flag.map(str::to_owned).or_else(|| self.repository.clone())
    }

    /// The API URL: the flag when given (trailing `/` trimmed), else
    /// `GITHUB_API_URL`.
    pub fn api_url_or(&self, flag: Option<&str>) -> Option<String> {
        flag.map(|u| u.trim().trim_end_matches('/').to_owned())
            .filter(|u| !u.is_empty())
            .or_else(|| self.api_url.clone())
    }

    /// Whether the run is for a `push` event.
    pub fn is_push(&self) -> bool {
        self.event_name.as_deref() == Some("push")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env(pairs: &[(&str, &str)]) -> GithubEnv {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        GithubEnv::from_lookup(|name| map.get(name).cloned())
    }

    #[test]
    fn empty_and_blank_values_count_as_unset() {
        let e = env(&[
            ("GITHUB_TOKEN", ""),
            ("GITHUB_REPOSITORY", "  "),
            ("GITHUB_API_URL", "/"),
            ("GITHUB_EVENT_PATH", ""),
            ("GIT_SSH", ""),
        ]);
        assert_eq!(e, GithubEnv::default());
    }

    #[test]
    fn values_are_trimmed_and_urls_lose_a_trailing_slash() {
        let e = env(&[
            ("GITHUB_TOKEN", " ghs_abc \n"),
            ("GITHUB_API_URL", "https://ghe.example/api/v3/"),
            ("GITHUB_GRAPHQL_URL", "https://ghe.example/api/graphql/"),
            ("GITHUB_EVENT_NAME", "push"),
            ("GITHUB_WORKSPACE", "/w"),
            ("GIT_SSH_COMMAND", "ssh -i key"),
        ]);
        assert_eq!(e.token.as_ref().map(Token::expose), Some("ghs_abc"));
        assert_eq!(e.api_url.as_deref(), Some("https://ghe.example/api/v3"));
        assert_eq!(
            e.graphql_url.as_deref(),
            Some("https://ghe.example/api/graphql")
        );
        assert!(e.is_push());
        assert_eq!(e.workspace, Some(PathBuf::from("/w")));
        assert!(e.user_ssh_command);
    }

    #[test]
    fn flags_keep_priority_over_their_env_twins() {
        let e = env(&[
            ("GITHUB_REPOSITORY", "env/repo"),
            ("GITHUB_API_URL", "https://env.example"),
        ]);
        assert_eq!(
            e.repository_or(Some("flag/repo")).as_deref(),
            Some("flag/repo")
        );
        assert_eq!(e.repository_or(None).as_deref(), Some("env/repo"));
        assert_eq!(
            e.api_url_or(Some("https://flag.example/")).as_deref(),
            Some("https://flag.example")
        );
        assert_eq!(e.api_url_or(None).as_deref(), Some("https://env.example"));
        assert_eq!(GithubEnv::default().api_url_or(None), None);
    }

    #[test]
    fn the_token_never_prints() {
        let e = env(&[("GITHUB_TOKEN", "ghs_secret123")]);
        let shown = format!("{e:?} {}", e.token.as_ref().unwrap());
        assert!(!shown.contains("ghs_secret123"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }
}
