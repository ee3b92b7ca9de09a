//! Links uses of names to the checks that capture them and `needs:` to
//! checks; refuses unknown names, self-references and cycles.

use super::Compiler;
use crate::spec::*;
use crate::template::Values;
use std::collections::{BTreeSet, HashMap};

impl Compiler<'_> {
    /// Links uses to captures and `needs:` to checks, and refuses unknown
    /// names, self-references and cycles.
    pub(super) fn resolve(&mut self, spec: &mut Spec) {
        let mut captured: HashMap<String, usize> = HashMap::new();
        for (i, check) in spec.checks.iter().enumerate() {
            for cap in &check.captures {
                if spec.vars.contains_key(&cap.name) {
                    self.err(
                        cap.loc,
                        format!(
                            "capture '{}' has the name of a var: rename one of them",
                            cap.name
                        ),
                    );
                } else if let Some(&j) = captured.get(&cap.name) {
                    let other = spec.checks[j].name.clone();
                    self.err(
                        cap.loc,
                        format!("'{}' is already captured by check '{other}': capture names must be unique", cap.name),
                    );
                } else {
                    captured.insert(cap.name.clone(), i);
                }
            }
        }
        let index: HashMap<&str, usize> = spec
            .checks
            .iter()
            .enumerate()
            .map(|(i, c)| (c.name.as_str(), i))
            .collect();
        let mut deps = vec![BTreeSet::new(); spec.checks.len()];
        let mut errors = Vec::new();
        let mut env_names = vec![Vec::new(); spec.checks.len()];
        for (i, check) in spec.checks.iter().enumerate() {
            if spec.base_url.is_none() {
                if let Kind::Http(HttpCheck {
                    target: Target::Path(_),
                    ..
                }) = check.kind
                {
                    errors.push((
                        check.loc,
                        format!("check '{}' uses `path:` but no base URL is set: add `base_url:` to the spec or pass --base-url", check.name),
                    ));
                }
            }
            for (name, loc) in &check.uses {
                if let Some(shell) = name.strip_prefix('$') {
                    if let Some(&j) = captured.get(shell) {
                        if j == i {
                            errors.push((
                                *loc,
                                format!(
                                    "check '{}' uses ${shell}, which it captures itself",
                                    check.name
                                ),
                            ));
                        } else {
                            deps[i].insert(j);
                            if !env_names[i].iter().any(|n| n == shell) {
                                env_names[i].push(shell.to_owned());
                            }
                        }
                    }
                    continue;
                }
                if spec.vars.contains_key(name) {
                    continue;
                }
                match captured.get(name) {
                    Some(&j) if j == i => errors.push((
                        *loc,
                        format!("check '{}' uses {{{{{name}}}}}, which it captures itself: a check can only use values captured before it runs", check.name),
                    )),
                    Some(&j) => {
                        deps[i].insert(j);
                    }
                    None => errors.push((
                        *loc,
                        format!(
                            "unknown name {{{{{name}}}}}: no check captures it and no var defines it ({}); capture it, add it to `vars:`, or pass --var {name}=VALUE",
                            known_names(&spec.vars, &captured)
                        ),
                    )),
                }
            }
            for (name, loc) in &check.script_placeholders {
                if spec.vars.contains_key(name) || captured.contains_key(name) {
                    errors.push((
                        *loc,
                        format!("`run:` commands are never templated: write \"${name}\" (an environment variable) instead of {{{{{name}}}}}"),
                    ));
                }
            }
            for (name, loc) in &check.needs {
                match index.get(name.as_str()) {
                    Some(&j) if j == i => {
                        errors.push((*loc, format!("check '{name}' cannot need itself")))
                    }
                    Some(&j) => {
                        deps[i].insert(j);
                    }
                    None => errors.push((*loc, format!("`needs:` names no check called '{name}'"))),
                }
            }
        }
        for (loc, message) in errors {
            self.err(loc, message);
        }
        for (check, names) in spec.checks.iter_mut().zip(env_names) {
            if let Kind::Run(run) = &mut check.kind {
                run.env_names = names;
            }
        }
        spec.deps = deps.into_iter().map(|d| d.into_iter().collect()).collect();
        if let Some(cycle) = find_cycle(&spec.deps) {
            let names: Vec<String> = cycle
                .iter()
                .chain(cycle.first())
                .map(|&i| format!("'{}'", spec.checks[i].name))
                .collect();
            let loc = spec.checks[cycle[0]].loc;
            self.err(
                loc,
                format!(
                    "checks wait for each other in a cycle: {} (each uses a value the next one captures, or `needs:` it); break the cycle",
                    names.join(" → ")
                ),
            );
        }
    }
}

/// Names that are defined, for "did you mean" lists.
fn known_names(vars: &Values, captures: &HashMap<String, usize>) -> String {
    let names: BTreeSet<&str> = vars
        .keys()
        .map(String::as_str)
        .chain(captures.keys().map(String::as_str))
        .collect();
    if names.is_empty() {
        "none are defined".into()
    } else {
        format!(
            "defined: {}",
            names.into_iter().collect::<Vec<_>>().join(", ")
        )
    }
}
