//! The command line: flags, their `INPUT_*` twins and their value parsers.

use super::TOOL;
use clap::Parser;
use gha::cli::Safe;
use smoke_test::spec;
use std::path::PathBuf;

/// Runs a YAML spec of named checks — HTTP requests and bash commands with
/// expectations — against a deployed service, concurrently, each check
/// waiting for the checks whose captured values it uses.
#[derive(Parser, Debug)]
#[command(
    name = TOOL,
    version,
    after_help = "\
Spec (YAML):
  base_url: ${BASE_URL}
  defaults: { timeout: 5s, headers: { Authorization: \"Bearer ${API_TOKEN}\" } }
  checks:
    - name: create item
      request: { method: POST, path: /api/items, json: { name: widget } }
      expect: { status: 201, body_contains: widget }
      capture: { item_id: \"$.id\" }
    - name: read item
      request: { path: \"/api/items/{{item_id}}\" }
      expect: { status: 200, json: { \"$.name\": widget } }
    - name: cli
      run: ./cli get \"$item_id\"
      expect: { exit: 0, stdout_contains: widget }

${NAME} is read from the environment when the spec is loaded (unset or empty
is an error; ${NAME:-default}; $${ is a literal ${). {{name}} is a --var, a
`vars:` entry or a capture; in a URL it is encoded as one path segment or
query value ({{name | raw}}: as it is, at the spec's origin). run: commands are never templated: they get vars
and captures as environment variables ($item_id).

Outputs: passed (true/false), failed, skipped, total, report (JSON).
Exit codes: 0 every check passed · 1 a check failed or was skipped · 2 bad
input (an invalid spec: file:line:col) · 3 the environment failed.

Examples:
  smoke-test --spec smoke.yml --base-url https://qa.example.com
  smoke-test --spec smoke.yml --var stage=qa --concurrency 16 --junit smoke.xml
  smoke-test --spec smoke.yml --retries 3 --fail-fast --json"
)]
pub struct Cli {
    /// The spec file (YAML)
    #[arg(long, env = "INPUT_SPEC", value_name = "FILE", value_parser = Safe(spec_path))]
    pub spec: PathBuf,

    /// The URL `path:` checks are under (wins over the spec's base_url:),
    /// such as https://qa.example.com
    #[arg(long, env = "INPUT_BASE_URL", value_name = "URL", value_parser = Safe(base_url))]
    pub base_url: Option<String>,

    /// Defines {{K}} for the spec (and $K for run: commands); repeatable. In
    /// the env twin INPUT_VARS: one K=V per line
    #[arg(long = "var", env = "INPUT_VARS", value_name = "K=V", value_parser = Safe(var_defs))]
    pub vars: Vec<VarDefs>,

    /// How many checks run at once (1 to 1024)
    #[arg(
        long,
        env = "INPUT_CONCURRENCY",
        value_name = "N",
        default_value = "8",
        value_parser = Safe(concurrency)
    )]
    pub concurrency: usize,

    /// Write a JUnit XML report here (one testcase per check)
    #[arg(long, env = "INPUT_JUNIT", value_name = "FILE", value_parser = Safe(file_path))]
    pub junit: Option<PathBuf>,

    /// Stop at the first failed check: start no more, cancel what runs
    #[arg(long, env = "INPUT_FAIL_FAST")]
    pub fail_fast: bool,

    /// Attempts after a failure, for checks without their own `retries:`
    /// (0 to 100; wins over defaults.retries)
    #[arg(long, env = "INPUT_RETRIES", value_name = "N", value_parser = Safe(retries))]
    pub retries: Option<u32>,

    /// A failed check exits 0 with passed=false (bad input still exits 2)
    #[arg(long, env = "INPUT_SOFT")]
    pub soft: bool,

    /// Print one JSON object with every output on stdout (and nothing else)
    #[arg(long, env = "INPUT_JSON")]
    pub json: bool,
}

/// `--var` values: one or more `K=V` (one per line).
#[derive(Debug, Clone)]
pub struct VarDefs(pub Vec<(String, String)>);

fn spec_path(s: &str) -> Result<PathBuf, String> {
    let t = gha::cli::trimmed(s).map_err(|_| "expected a spec file, e.g. smoke.yml".to_owned())?;
    Ok(PathBuf::from(t))
}

fn file_path(s: &str) -> Result<PathBuf, String> {
    let t = gha::cli::trimmed(s).map_err(|_| "expected a file path, e.g. smoke.xml".to_owned())?;
    Ok(PathBuf::from(t))
}

fn base_url(s: &str) -> Result<String, String> {
    let t = s.trim();
    probe::parse_url(t).map_err(|e| e.to_string())?;
    Ok(t.trim_end_matches('/').to_owned())
}

fn concurrency(s: &str) -> Result<usize, String> {
    match s.trim().parse::<usize>() {
        Ok(n) if (1..=1024).contains(&n) => Ok(n),
        _ => Err(format!(
            "'{}': expected a whole number from 1 to 1024, e.g. 8",
            s.trim()
        )),
    }
}

fn retries(s: &str) -> Result<u32, String> {
    match s.trim().parse::<u32>() {
        Ok(n) if n <= spec::MAX_RETRIES => Ok(n),
        _ => Err(format!(
            "'{}': expected a whole number from 0 to {}, e.g. 3",
            s.trim(),
            spec::MAX_RETRIES
        )),
    }
}

/// `K=V` lines; blank lines and `#` comments are skipped. The value is
/// never echoed in an error: it may be a secret.
fn var_defs(s: &str) -> Result<VarDefs, String> {
    let mut out = Vec::new();
    for (n, line) in s.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!(
                "line {}: expected K=V, e.g. item_id=42 (one per line)",
                n + 1
            ));
        };
        let k = k.trim();
        if !smoke_test::template::is_name(k) {
            let shown: String = k.chars().take(40).collect();
            return Err(format!(
                "line {}: invalid name '{shown}': expected letters, digits and _, starting with a letter or _, e.g. item_id=42",
                n + 1
            ));
        }
        out.push((k.to_owned(), v.trim().to_owned()));
    }
    if out.is_empty() {
        return Err("expected K=V, e.g. item_id=42".into());
    }
    Ok(VarDefs(out))
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }

    #[test]
    fn var_lines() {
        let d = var_defs("a=1\n\n# comment\n  b = x=y  \n").unwrap();
        assert_eq!(d.0, [("a".into(), "1".into()), ("b".into(), "x=y".into())]);
        let e = var_defs("a=1\nnope").unwrap_err();
        assert!(e.starts_with("line 2: expected K=V"), "{e}");
        let e = var_defs("a-b=secret").unwrap_err();
        assert!(!e.contains("secret"), "{e}");
        assert!(var_defs("  \n").is_err());
    }

    #[test]
    fn numbers_at_the_edge() {
        assert_eq!(concurrency(" 32 "), Ok(32));
        assert!(concurrency("0").is_err());
        assert!(concurrency("many").is_err());
        assert_eq!(retries("3"), Ok(3));
        assert!(retries("101").is_err());
        assert_eq!(
            base_url(" http://127.0.0.1:8080/ ").unwrap(),
            "http://127.0.0.1:8080"
        );
        assert!(base_url("127.0.0.1:8080").is_err());
    }
}
