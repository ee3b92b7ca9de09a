//! The decision: from the current version, the folded commits and the
//! labels to the next version, by one documented precedence:
//!
//! `release:skip` label > `Release-As:` footer > `release:*` bump label >
//! commits.
//!
//! Pure: no git, no I/O, so every rule is a unit test.

use crate::analysis::Analysis;
use crate::rules::{Bump, Rule};
use crate::version::{Channel, bump_between, bump_stable, channel_number, prerelease};
use semver::Version;
use serde::Serialize;

/// The `release:*` labels of a pull request, read case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Labels {
    /// `release:skip`.
    pub skip: bool,
    /// The highest of `release:major|minor|patch`, with the label as given.
    pub bump: Option<(Bump, String)>,
    /// `release:<something else>`: reported, ignored.
    pub unknown: Vec<String>,
}

impl Labels {
    pub fn read<S: AsRef<str>>(labels: &[S]) -> Self {
        let mut out = Labels::default();
        for label in labels {
            let label = label.as_ref().trim();
            let Some(rest) = strip_prefix_ignore_case(label, "release:") else {
                continue;
            };
            let bump = match rest.trim().to_ascii_lowercase().as_str() {
                "skip" => {
                    out.skip = true;
                    continue;
                }
                "major" => Bump::Major,
                "minor" => Bump::Minor,
                "patch" => Bump::Patch,
                _ => {
                    out.unknown.push(label.to_owned());
                    continue;
                }
            };
            if out.bump.as_ref().is_none_or(|(b, _)| bump > *b) {
                out.bump = Some((bump, label.to_owned()));
            }
        }
        out
    }
}

fn strip_prefix_ignore_case<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    (s.len() >= prefix.len()
        && s.is_char_boundary(prefix.len())
        && s[..prefix.len()].eq_ignore_ascii_case(prefix))
    .then(|| &s[prefix.len()..])
}

/// The knobs of the version policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    /// A breaking change in 0.x bumps the minor, not to 1.0.0.
    pub bump_minor_pre_major: bool,
    /// The first release.
    pub initial: Version,
    /// `--prerelease ID`.
    pub channel: Option<Channel>,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            bump_minor_pre_major: false,
            initial: Version::new(0, 1, 0),
            channel: None,
        }
    }
}

/// What decided the bump.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    /// The commits since the last tag.
    Commits,
    /// A `release:skip` label.
    SkipLabel,
    /// A `Release-As:` footer.
    ReleaseAs,
    /// A `release:major|minor|patch` label.
    BumpLabel,
}

/// The outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Decision {
    /// `none` when there is nothing to release.
    pub bump: Bump,
    pub source: Source,
    /// The rule that decided (for commits: the rule of the commits that set
    /// the level).
    pub rule: Rule,
    /// A sentence: what decided, in words.
    pub detail: String,
    /// The next version; `None` when nothing is released.
    pub next: Option<Version>,
    /// No version tag yet.
    pub first_release: bool,
    /// 0.x → 1.0.0 or above.
    pub leaves_zero: bool,
    /// The version is already tagged on this very commit (a prerelease on
    /// the channel): nothing new to release.
    pub already_tagged: Option<Version>,
    /// Things the user should know (an ignored `Release-As`, unknown labels).
    pub notes: Vec<String>,
}

/// Decides the next version.
///
/// - `current`: the highest stable version tag reachable from the commit
///   (`None`: first release);
/// - `existing`: every version under the prefix, reachable or not (for
///   prerelease numbering);
/// - `at_head`: the versions whose tags point at the commit itself.
pub fn decide(
    current: Option<&Version>,
    analysis: &Analysis,
    labels: &Labels,
    policy: &Policy,
    existing: &[Version],
    at_head: &[Version],
) -> Decision {
    let mut notes: Vec<String> = labels
        .unknown
        .iter()
        .map(|l| {
            format!("label '{l}' is not one of release:major, release:minor, release:patch, release:skip: ignored")
        })
        .collect();
    let first_release = current.is_none();
    let none = |source, rule, detail: String, notes| Decision {
        bump: Bump::None,
        source,
        rule,
        detail,
        next: None,
        first_release,
        leaves_zero: false,
        already_tagged: None,
        notes,
    };

    if analysis.counts.commits == 0 {
        return none(
            Source::Commits,
            Rule::OtherType,
            "no commits since the last release".into(),
            notes,
        );
    }

    // 1. release:skip
    if labels.skip {
        return none(
            Source::SkipLabel,
            Rule::LabelSkip,
            "label `release:skip`: no release".into(),
            notes,
        );
    }

    // 2. Release-As
    let mut release_as = None;
    if let Some(ra) = &analysis.release_as {
        match &ra.version {
            Some(v) if current.is_none_or(|c| v > c) => {
                release_as = Some((
                    v.clone(),
                    bump_between(current, v),
                    Source::ReleaseAs,
                    Rule::ReleaseAs,
                    format!(
                        "`Release-As: {}` in {} ({})",
                        ra.value,
                        short(&ra.sha),
                        ra.subject
                    ),
                ));
            }
            Some(v) => notes.push(format!(
                "`Release-As: {v}` in {} is not above the current version {}: ignored",
                short(&ra.sha),
                current.map(Version::to_string).unwrap_or_default()
            )),
            None => {}
        }
    }

    // 3. release:major|minor|patch — 4. the commits
    let (target, bump, source, rule, mut detail) = match release_as {
        Some(t) => t,
        None => {
            let (bump, source, rule, detail) = if let Some((b, label)) = &labels.bump {
                (
                    *b,
                    Source::BumpLabel,
                    Rule::Label,
                    format!("label `{label}`"),
                )
            } else {
                let level = analysis.bump();
                if level == Bump::None {
                    let c = &analysis.counts;
                    let mut detail = format!(
                        "{} commit{} since the last release, none of them feat, fix, perf or breaking",
                        c.commits,
                        plural(c.commits)
                    );
                    if analysis.not_counted > 0 {
                        // Say it the moment it matters: a malformed `fix:x`
                        // is why nothing is released.
                        let named: Vec<String> = analysis
                            .warnings
                            .iter()
                            .filter(|w| w.kind == "not-conventional")
                            .take(3)
                            .map(|w| format!("{} '{}' ({})", short(&w.sha), w.subject, w.message))
                            .collect();
                        detail = format!(
                            "{detail} that follows the header rules; {} not counted: {}{}",
                            analysis.not_counted,
                            named.join("; "),
                            if analysis.not_counted > named.len() {
                                format!(" and {} more", analysis.not_counted - named.len())
                            } else {
                                String::new()
                            }
                        );
                    }
                    return none(Source::Commits, Rule::OtherType, detail, notes);
                }
                let setter = analysis
                    .entries
                    .iter()
                    .rev()
                    .find(|e| e.bump == level)
                    .map(|e| e.rule)
                    .unwrap_or(Rule::OtherType);
                let count = analysis.entries.iter().filter(|e| e.bump == level).count();
                let zero_x = current.is_some_and(|c| c.major == 0);
                if level == Bump::Major && zero_x && policy.bump_minor_pre_major {
                    (
                        Bump::Minor,
                        Source::Commits,
                        Rule::BreakingPreMajor,
                        format!(
                            "{count} breaking commit{} before 1.0.0 with --bump-minor-pre-major",
                            plural(count)
                        ),
                    )
                } else {
                    (
                        level,
                        Source::Commits,
                        setter,
                        format!("{count} commit{} at level {level}", plural(count)),
                    )
                }
            };
            let next_stable = match current {
                Some(c) => bump_stable(c, bump),
                None => policy.initial.clone(),
            };
            (next_stable, bump, source, rule, detail)
        }
    };
    let (bump, rule) = if first_release && source != Source::ReleaseAs {
        detail = format!(
            "{detail}; no version tag yet: first release {}",
            policy.initial
        );
        (bump, Rule::Initial)
    } else {
        (bump, rule)
    };

    // Prerelease channels: `target-channel.N`, N one past the highest.
    let mut already_tagged = None;
    let next = match &policy.channel {
        Some(channel) if target.pre.is_empty() => {
            if let Some(v) = at_head
                .iter()
                .filter(|v| channel_number(v, &target, channel).is_some())
                .max()
            {
                already_tagged = Some(v.clone());
            }
            let n = existing
                .iter()
                .filter_map(|v| channel_number(v, &target, channel))
                .max()
                .map_or(1, |n| n + 1);
            prerelease(&target, channel, n)
        }
        _ => target,
    };
    if let Some(v) = already_tagged {
        return Decision {
            detail: format!("{v} is already tagged on this commit"),
            already_tagged: Some(v.clone()),
            next: Some(v),
            ..none(Source::Commits, rule, String::new(), notes)
        };
    }
    let leaves_zero = current.is_some_and(|c| c.major == 0) && next.major >= 1;
    Decision {
        bump,
        source,
        rule,
        detail,
        next: Some(next),
        first_release,
        leaves_zero,
        already_tagged: None,
        notes,
    }
}

fn short(sha: &str) -> &str {
    if sha.is_empty() {
        "the pull request"
    } else {
        &sha[..sha.len().min(7)]
    }
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::analysis::Analyzer;

    fn v(s: &str) -> Version {
        Version::parse(s).unwrap()
    }

    fn fold(messages: &[&str]) -> Analysis {
        let mut a = Analyzer::new();
        for (i, m) in messages.iter().enumerate() {
            a.push(&format!("{i:07}0000000000000000000000000000000000"), 1, m);
        }
        a.finish()
    }

    fn next(
        current: Option<&str>,
        messages: &[&str],
        labels: &[&str],
        policy: &Policy,
    ) -> Decision {
        let cur = current.map(v);
        decide(
            cur.as_ref(),
            &fold(messages),
            &Labels::read(labels),
            policy,
            &[],
            &[],
        )
    }

    fn ver(d: &Decision) -> String {
        d.next.as_ref().map(Version::to_string).unwrap_or_default()
    }

    #[test]
    fn commits_decide_by_default() {
        let p = Policy::default();
        assert_eq!(
            ver(&next(Some("1.2.3"), &["fix: a", "feat: b"], &[], &p)),
            "1.3.0"
        );
        assert_eq!(ver(&next(Some("1.2.3"), &["fix: a"], &[], &p)), "1.2.4");
        assert_eq!(ver(&next(Some("1.2.3"), &["feat!: a"], &[], &p)), "2.0.0");
        let d = next(Some("1.2.3"), &["docs: a", "chore: b"], &[], &p);
        assert_eq!((d.bump, d.next.clone()), (Bump::None, None));
        assert!(d.detail.contains("2 commits"), "{}", d.detail);
    }

    #[test]
    fn zero_x_breaking_goes_to_one_unless_asked() {
        let p = Policy::default();
        let d = next(Some("0.4.1"), &["feat!: a"], &[], &p);
        assert_eq!((ver(&d), d.leaves_zero), ("1.0.0".into(), true));
        let p = Policy {
            bump_minor_pre_major: true,
            ..Policy::default()
        };
        let d = next(Some("0.4.1"), &["feat!: a"], &[], &p);
        assert_eq!(
            (ver(&d), d.rule, d.leaves_zero),
            ("0.5.0".into(), Rule::BreakingPreMajor, false)
        );
        // The flag only concerns 0.x.
        assert_eq!(ver(&next(Some("1.4.1"), &["feat!: a"], &[], &p)), "2.0.0");
        assert_eq!(ver(&next(Some("0.4.1"), &["feat: a"], &[], &p)), "0.5.0");
    }

    #[test]
    fn precedence_skip_release_as_label_commits() {
        let p = Policy::default();
        let ra = "chore: x\n\nRelease-As: 5.0.0";
        // skip beats everything
        let d = next(
            Some("1.0.0"),
            &[ra, "feat!: y"],
            &["release:skip", "release:major"],
            &p,
        );
        assert_eq!((d.bump, d.source), (Bump::None, Source::SkipLabel));
        // Release-As beats a bump label
        let d = next(Some("1.0.0"), &[ra], &["release:patch"], &p);
        assert_eq!(
            (ver(&d), d.source, d.bump),
            ("5.0.0".into(), Source::ReleaseAs, Bump::Major)
        );
        // a bump label beats commits, both ways
        let d = next(Some("1.0.0"), &["feat!: y"], &["Release:Patch"], &p);
        assert_eq!((ver(&d), d.source), ("1.0.1".into(), Source::BumpLabel));
        let d = next(Some("1.0.0"), &["docs: y"], &["release:minor"], &p);
        assert_eq!(ver(&d), "1.1.0");
        // the highest bump label wins
        let d = next(
            Some("1.0.0"),
            &["docs: y"],
            &["release:minor", "release:major"],
            &p,
        );
        assert_eq!(ver(&d), "2.0.0");
        // unknown labels are noted
        let d = next(Some("1.0.0"), &["fix: y"], &["release:huge"], &p);
        assert_eq!(ver(&d), "1.0.1");
        assert!(d.notes[0].contains("release:huge"));
    }

    #[test]
    fn release_as_not_above_current_is_ignored() {
        let d = next(
            Some("2.0.0"),
            &["fix: x\n\nRelease-As: 1.5.0"],
            &[],
            &Policy::default(),
        );
        assert_eq!(ver(&d), "2.0.1");
        assert!(d.notes[0].contains("not above"), "{:?}", d.notes);
    }

    #[test]
    fn nothing_in_range_releases_nothing_even_with_labels() {
        let d = next(Some("1.0.0"), &[], &["release:major"], &Policy::default());
        assert_eq!(d.next, None);
    }

    #[test]
    fn first_release() {
        let p = Policy::default();
        let d = next(None, &["feat: a", "feat!: b"], &[], &p);
        assert_eq!(
            (ver(&d), d.first_release, d.rule),
            ("0.1.0".into(), true, Rule::Initial)
        );
        let d = next(None, &["chore: a"], &[], &p);
        assert_eq!(d.next, None);
        let p = Policy {
            initial: v("1.0.0"),
            ..Policy::default()
        };
        assert_eq!(ver(&next(None, &["fix: a"], &[], &p)), "1.0.0");
    }

    #[test]
    fn prerelease_numbering() {
        let dev = Policy {
            channel: Some("dev".parse().unwrap()),
            ..Policy::default()
        };
        let existing = [
            v("1.3.0-dev.1"),
            v("1.3.0-dev.2"),
            v("1.3.0-rc.5"),
            v("1.2.0"),
        ];
        let d = decide(
            Some(&v("1.2.0")),
            &fold(&["feat: a"]),
            &Labels::default(),
            &dev,
            &existing,
            &[],
        );
        assert_eq!(ver(&d), "1.3.0-dev.3");
        // a breaking commit moves the target
        let d = decide(
            Some(&v("1.2.0")),
            &fold(&["feat: a", "fix!: b"]),
            &Labels::default(),
            &dev,
            &existing,
            &[],
        );
        assert_eq!(ver(&d), "2.0.0-dev.1");
        // channels number separately
        let rc = Policy {
            channel: Some("rc".parse().unwrap()),
            ..Policy::default()
        };
        let d = decide(
            Some(&v("1.2.0")),
            &fold(&["feat: a"]),
            &Labels::default(),
            &rc,
            &existing,
            &[],
        );
        assert_eq!(ver(&d), "1.3.0-rc.6");
        // already tagged here: nothing new
        let d = decide(
            Some(&v("1.2.0")),
            &fold(&["feat: a"]),
            &Labels::default(),
            &dev,
            &existing,
            &[v("1.3.0-dev.2")],
        );
        assert_eq!((d.bump, ver(&d)), (Bump::None, "1.3.0-dev.2".into()));
        // first release on a channel
        let d = decide(
            None,
            &fold(&["feat: a"]),
            &Labels::default(),
            &dev,
            &[],
            &[],
        );
        assert_eq!(ver(&d), "0.1.0-dev.1");
    }

    #[test]
    fn labels_read() {
        let l = Labels::read(&["bug", " release:MINOR ", "release:patch", "release:skip"]);
        assert!(l.skip);
        assert_eq!(l.bump, Some((Bump::Minor, "release:MINOR".into())));
    }
}
