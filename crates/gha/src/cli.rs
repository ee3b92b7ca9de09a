//! Command-line glue shared by the binaries: clap errors become exit 2 with
//! an `::error` annotation, and small value parsers for values that come
//! from outside (trimmed, then validated).

use crate::{escape, neutral};
use clap::builder::TypedValueParser;
use clap::error::ErrorKind;
use clap::{Command, Parser};
use std::ffi::OsStr;
use std::io::Write;

/// Parses the command line. `--help`/`--version` print and exit 0; any other
/// clap error (unknown flag, invalid value) exits 2, with an `::error`
/// annotation when running in Actions. Through the multi-call binary,
/// `shipgate TOOL ARGS…` parses as `TOOL ARGS…` (see [`tool_args`]).
pub fn parse<C: Parser>(tool: &str) -> C {
    parse_from(tool, tool_args(tool, std::env::args_os()))
}

/// The arguments `tool` parses. The multi-call binary runs a tool under the
/// tool's own name (a link or copy named `tag-gate`) or as `shipgate TOOL
/// ARGS…`; in the second form the binary's own name is dropped, so the tool
/// sees `TOOL ARGS…` either way (and its usage says `tag-gate`, not
/// `shipgate`).
pub fn tool_args<I>(tool: &str, args: I) -> Vec<std::ffi::OsString>
where
    I: IntoIterator<Item = std::ffi::OsString>,
{
    let mut args: Vec<std::ffi::OsString> = args.into_iter().collect();
    let named_as_tool = args
        .first()
        .and_then(|a| std::path::Path::new(a).file_stem())
        .is_some_and(|stem| stem.eq_ignore_ascii_case(tool));
    if !named_as_tool && args.get(1).is_some_and(|a| a == tool) {
        args.remove(0);
    }
    args
}

/// [`parse`] over given arguments.
pub fn parse_from<C, I, T>(tool: &str, args: I) -> C
where
    C: Parser,
    I: IntoIterator<Item = T>,
    T: Into<std::ffi::OsString> + Clone,
{
    let parsed = without_empty_env(C::command())
        .try_get_matches_from(args)
        .and_then(|m| C::from_arg_matches(&m));
    match parsed {
        Ok(c) => c,
        Err(e) => {
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                e.exit()
            }
            let rendered = shown_error(&e);
            let mut err = std::io::stderr().lock();
            if std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true") {
                let first = rendered
                    .lines()
                    .find(|l| !l.trim().is_empty())
                    .unwrap_or("invalid arguments")
                    .trim_start_matches("error: ");
                let _ = writeln!(
                    err,
                    "::error title={}::{}",
                    escape::property(tool),
                    escape::data(first)
                );
            }
            let _ = write!(err, "{rendered}");
            let _ = err.flush();
            std::process::exit(2)
        }
    }
}

/// clap's rendering of a command-line error, as shown: it quotes the
/// rejected value or unknown argument as given, so URL secrets are redacted
/// ([`crate::url::redact`]) and every line is neutralised
/// ([`neutral::lines`]); no colours.
pub fn shown_error(e: &clap::Error) -> String {
    let rendered = e.render().to_string();
    let mut shown = neutral::lines(&crate::url::redact(&rendered));
    if !shown.ends_with('\n') {
        shown.push('\n');
    }
    shown
}

/// An action passes every input through `env:`, so an input left empty
/// arrives as an empty variable; clap would take it as an empty value. An
/// env twin that is empty (or only whitespace) counts as unset.
pub fn without_empty_env(cmd: Command) -> Command {
    let cmd = cmd.mut_args(|arg| {
        let empty = arg.get_env().is_some_and(|name| {
            std::env::var_os(name).is_some_and(|v| v.to_string_lossy().trim().is_empty())
        });
        if empty { arg.env(None) } else { arg }
    });
    let subcommands: Vec<String> = cmd
        .get_subcommands()
        .map(|s| s.get_name().to_owned())
        .collect();
    subcommands
        .into_iter()
        .fold(cmd, |cmd, name| cmd.mut_subcommand(name, without_empty_env))
}

/// A value from outside, with surrounding whitespace removed (as pasted into
/// a form). Empty after trimming is an error.
pub fn trimmed(s: &str) -> Result<String, String> {
    let t = s.trim();
    if t.is_empty() {
        return Err("expected a value, got an empty string".into());
    }
    Ok(t.to_owned())
}

pub use vocab::duration::{duration, human_duration};

/// A GitHub REST API base URL (`--api-url`): https, or http on the loopback
/// host only; no credentials; a trailing `/` dropped. The refusal quotes it
/// with its secrets redacted.
pub fn api_url(s: &str) -> Result<String, String> {
    let t = s.trim().trim_end_matches('/');
    // Quoted with its secrets redacted, whatever is wrong with it.
    let shown = crate::url::redact(t);
    if crate::url::has_userinfo(t) {
        return Err(format!(
            "invalid API URL '{shown}': expected a URL without credentials (no user:password@); the token authenticates"
        ));
    }
    let local = t.starts_with("http://127.0.0.1") || t.starts_with("http://localhost");
    if !(t.starts_with("https://") || local) || t.contains(char::is_whitespace) {
        return Err(format!(
            "invalid API URL '{shown}': expected https://… such as https://api.github.com (http:// only for 127.0.0.1)"
        ));
    }
    Ok(t.to_owned())
}

/// A clap value parser from a plain `fn(&str) -> Result<T, String>` whose
/// error is that message, with control characters escaped: clap's usual
/// "invalid value '<raw>'" would echo the raw value — a secret, or a newline
/// followed by a workflow command such as `::error::`. Exit 2 follows (see
/// [`parse`]).
///
/// ```ignore
/// #[arg(long, env = "INPUT_STAGE", value_parser = Safe(parse_stage))]
/// stage: Stage,
/// ```
#[derive(Clone, Copy)]
pub struct Safe<T>(pub fn(&str) -> Result<T, String>);

impl<T: Clone + Send + Sync + 'static> TypedValueParser for Safe<T> {
    type Value = T;

    fn parse_ref(
        &self,
        cmd: &Command,
        arg: Option<&clap::Arg>,
        value: &OsStr,
    ) -> Result<T, clap::Error> {
        let name = arg.map_or_else(|| "the value".to_owned(), |a| format!("'{a}'"));
        let fail = |message: &str| {
            clap::Error::raw(
                ErrorKind::ValueValidation,
                format!("invalid value for {name}: {}\n", escape_controls(message)),
            )
            .with_cmd(cmd)
        };
        let text = value.to_str().ok_or_else(|| fail("not valid UTF-8"))?;
        (self.0)(text).map_err(|m| fail(&m))
    }
}

/// `s` with every control character (newline, CR, ESC…) written as its
/// Rust escape (`\n`, `\u{1b}`), everything else as it is.
pub fn escape_controls(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_control() {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{CommandFactory, FromArgMatches};

    fn args(list: &[&str]) -> Vec<std::ffi::OsString> {
        list.iter().map(Into::into).collect()
    }

    #[test]
    fn tool_args_drop_the_multi_call_name_only_before_the_tool() {
        // shipgate tag-gate create … → tag-gate create …
        assert_eq!(
            tool_args("tag-gate", args(&["/bin/shipgate", "tag-gate", "create"])),
            args(&["tag-gate", "create"])
        );
        // invoked through a link or copy named after the tool: unchanged
        for argv0 in ["/opt/bin/tag-gate", "tag-gate", "/c/sg/TAG-GATE.exe"] {
            let given = args(&[argv0, "tag-gate", "x"]);
            assert_eq!(tool_args("tag-gate", given.clone()), given, "{argv0}");
        }
        // shipgate with another first argument: unchanged (the tool reports it)
        for given in [
            args(&["shipgate", "create"]),
            args(&["shipgate"]),
            args(&["shipgate", "tag-gates"]),
            args(&[]),
        ] {
            assert_eq!(tool_args("tag-gate", given.clone()), given);
        }
    }

    #[derive(Parser, Debug)]
    struct Demo {
        #[arg(long, env = "GHA_CLI_TEST_COUNT", default_value = "8")]
        count: u32,
        #[arg(long, env = "GHA_CLI_TEST_NAME")]
        name: Option<String>,
        #[command(subcommand)]
        sub: Option<Sub>,
    }
    #[derive(clap::Subcommand, Debug)]
    enum Sub {
        Go {
            #[arg(long, env = "GHA_CLI_TEST_SUB")]
            level: Option<u8>,
        },
    }

    #[test]
    fn empty_env_twins_count_as_unset() {
        // The variables are unset here; the binaries' integration tests run
        // them with empty twins (`INPUT_X=`), as an action passes them.
        let cmd = without_empty_env(Demo::command());
        let m = cmd.try_get_matches_from(["demo", "go"]).unwrap();
        let d = Demo::from_arg_matches(&m).unwrap();
        assert_eq!(d.count, 8);
        assert!(d.name.is_none());
        assert!(matches!(d.sub, Some(Sub::Go { level: None })));
    }

    #[test]
    fn trimming() {
        assert_eq!(trimmed("  abc\n"), Ok("abc".into()));
        assert!(trimmed("  ").is_err());
    }

    #[test]
    fn safe_parsers_escape_the_message() {
        fn even(s: &str) -> Result<u32, String> {
            let n: u32 = s.parse().map_err(|_| format!("'{s}' is not a number"))?;
            if n % 2 == 0 {
                Ok(n)
            } else {
                Err(format!("{n} is odd"))
            }
        }
        #[derive(Parser, Debug)]
        struct P {
            #[arg(long, value_parser = Safe(even))]
            n: u32,
        }
        assert_eq!(P::try_parse_from(["p", "--n", "4"]).unwrap().n, 4);
        let e = P::try_parse_from(["p", "--n", "3"]).unwrap_err();
        assert_eq!(e.kind(), ErrorKind::ValueValidation);
        assert!(
            e.to_string()
                .contains("invalid value for '--n <N>': 3 is odd"),
            "{e}"
        );
        let e = P::try_parse_from(["p", "--n", "1\n::error::x"])
            .unwrap_err()
            .to_string();
        assert!(e.contains("'1\\n::error::x' is not a number"), "{e}");
        assert!(!e.contains("\n::error"), "{e}");
        assert_eq!(escape_controls("a\u{1b}[31mb\r"), "a\\u{1b}[31mb\\r");
    }

    #[test]
    fn clap_errors_are_shown_neutralised_and_redacted() {
        #[derive(Parser, Debug)]
        struct P {
            #[arg(long, value_enum)]
            mode: Option<Mode>,
            #[arg(long)]
            url: Option<String>,
        }
        #[derive(clap::ValueEnum, Clone, Debug)]
        enum Mode {
            A,
        }
        for args in [
            &["p", "--mode", "##[error]x"][..],
            &["p", "--mode", "\r::error::x"],
            &["p", "##[add-mask]x"],
            &["p", "x\n  ::error ::x"],
        ] {
            let e = P::try_parse_from(args).unwrap_err();
            let shown = shown_error(&e);
            assert_eq!(neutral::commands(&shown), [], "{shown}");
            // clap's own rendering would have carried the command.
            assert!(
                !neutral::commands(&e.render().to_string()).is_empty(),
                "{args:?}"
            );
        }
        let e = P::try_parse_from(["p", "http://u:PW@x/?token=S"]).unwrap_err();
        let shown = shown_error(&e);
        assert!(!shown.contains("PW") && !shown.contains("=S"), "{shown}");
    }
}
