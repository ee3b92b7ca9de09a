//! A `run:` check: its script, timeout and expectations.

use super::{CheckDefaults, Compiler};
use crate::spec::raw::{self, Loc, Text};
use crate::spec::*;
use crate::template::{self, Token};
use std::time::Duration;

impl Compiler<'_> {
    pub(super) fn run(
        &mut self,
        script: &Text,
        expect: Option<&raw::Expect>,
        check_timeout: Option<Duration>,
        d: &CheckDefaults<'_>,
        uses: &mut Vec<(String, Loc)>,
        placeholders: &mut Vec<(String, Loc)>,
    ) -> RunCheck {
        if script.value.trim().is_empty() {
            self.err(script.loc, "`run:` is empty: give a bash command");
        }
        // `{{name}}` is never pasted into a script: refuse it where it would
        // look like a placeholder, so nobody believes it is filled.
        for token in template::scan(&script.value, false, true) {
            if let Token::Var { name, at, raw, .. } = token {
                let loc = self.locate(script.loc, &script.value, &raw, at);
                placeholders.push((name, loc));
            }
        }
        // Which `$name`s it refers to is settled in `resolve`, when every
        // capture is known.
        for name in template::shell_refs(&script.value) {
            let braced = format!("${{{name}");
            let plain = format!("${name}");
            let found = [braced, plain]
                .into_iter()
                .find_map(|raw| script.value.find(&raw).map(|at| (at, raw)));
            let loc = found.map_or(script.loc, |(at, raw)| {
                self.locate(script.loc, &script.value, &raw, at)
            });
            uses.push((format!("${name}"), loc));
        }
        let expect = match expect {
            Some(e) => {
                let exit = match &e.exit {
                    Some(t) => {
                        let s = self.plain(t);
                        match s.trim().parse::<i32>() {
                            Ok(n) if (0..=255).contains(&n) => n,
                            _ => {
                                self.err(t.loc, format!("invalid exit '{s}': expected an exit code from 0 to 255, e.g. 0"));
                                0
                            }
                        }
                    }
                    None => 0,
                };
                RunExpect {
                    exit,
                    stdout_contains: self.templates(&e.stdout_contains, uses),
                    stdout_matches: self.regexes(&e.stdout_matches, "stdout_matches regex"),
                    stderr_contains: self.templates(&e.stderr_contains, uses),
                    json: self.json_expects(&e.json, uses),
                    max_latency: e
                        .max_latency
                        .as_ref()
                        .and_then(|t| self.duration(t, "max_latency")),
                }
            }
            None => RunExpect {
                exit: 0,
                stdout_contains: Vec::new(),
                stdout_matches: Vec::new(),
                stderr_contains: Vec::new(),
                json: Vec::new(),
                max_latency: None,
            },
        };
        RunCheck {
            script: script.value.clone(),
            timeout: check_timeout.unwrap_or(d.run_timeout),
            env_names: Vec::new(),
            expect,
        }
    }
}
