//! latest and list order by the time a version entered the stage, never
//! by name; names under a stage's prefix that are not versions are ignored
//! and counted.

use crate::support::{Fixture, record_message, version_of};

/// Three commits; their QA tags made at chosen times such that name order
/// and time order are opposite: the version whose name sorts last entered
/// QA first. Returns the versions newest (by time) first.
fn opposite_orders(fixture: &mut Fixture) -> Vec<(String, String)> {
    let mut commits: Vec<String> = (0..3)
        .map(|i| fixture.commit(&format!("feat: {i}")))
        .collect();
    // Descending by name: the first entered QA earliest.
    commits.sort();
    commits.reverse();
    let times = [
        "2025-02-01T10:00:00Z",
        "2025-02-02T10:00:00Z",
        "2025-02-03T10:00:00Z",
    ];
    let mut made = Vec::new();
    for (sha, time) in commits.iter().zip(times) {
        let v = version_of(sha);
        let name = format!("qa-{v}");
        let msg = record_message(&name, "qa", &v, sha, time);
        fixture.git_dated(&fixture.work, &["tag", "-a", &name, "-m", &msg, sha], time);
        fixture.git(&["push", "-q", "origin", &format!("refs/tags/{name}")]);
        made.push((v, time.to_owned()));
    }
    made.reverse();
    // Sanity: name order is the opposite of time order.
    let mut by_name: Vec<&String> = made.iter().map(|(v, _)| v).collect();
    by_name.sort();
    assert_eq!(by_name, made.iter().map(|(v, _)| v).collect::<Vec<_>>());
    made
}

#[test]
fn latest_and_list_order_by_time_not_name() {
    let mut fixture = Fixture::new();
    let newest_first = opposite_orders(&mut fixture);

    let r = fixture.tag_gate(&["latest", "--stage", "qa"]);
    r.ok();
    assert_eq!(r.out("version"), newest_first[0].0);
    assert_eq!(r.out("time"), newest_first[0].1);
    assert_eq!(r.stdout.trim(), newest_first[0].0);

    let r = fixture.tag_gate(&["list", "--stage", "qa", "--json"]);
    r.ok();
    let j = r.json();
    let listed: Vec<(String, String)> = j["versions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            assert_eq!(
                e["sha"].as_str().unwrap()[..8],
                e["version"].as_str().unwrap()[..8]
            );
            (
                e["version"].as_str().unwrap().to_owned(),
                e["time"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(listed, newest_first);
    assert_eq!(j["count"], 3);
    assert_eq!(j["schema"], 1);

    let r = fixture.tag_gate(&["list", "--stage", "qa", "--limit", "2"]);
    r.ok();
    assert_eq!(r.out("count"), "2");
    assert_eq!(
        r.stdout.lines().collect::<Vec<_>>(),
        [newest_first[0].0.as_str(), newest_first[1].0.as_str()]
    );
    let versions: serde_json::Value = serde_json::from_str(r.out("versions")).unwrap();
    assert_eq!(versions[1]["version"], newest_first[1].0.as_str());
}

#[test]
fn a_revoked_or_unverified_newest_is_passed_over() {
    let mut fixture = Fixture::new();
    let newest_first = opposite_orders(&mut fixture);
    fixture
        .tag_gate(&[
            "revoke",
            "--stage",
            "qa",
            "--version",
            &newest_first[0].0,
            "--reason",
            "flaky",
        ])
        .ok();
    let r = fixture.tag_gate(&["latest", "--stage", "qa"]);
    r.ok()
        .says(&[&format!("left out qa-{}", newest_first[0].0), "revoked"]);
    assert_eq!(r.out("version"), newest_first[1].0);
    assert_eq!(r.out("skipped"), "1");
}

#[test]
fn names_that_are_not_versions_are_ignored_and_counted() {
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: one");
    let v = version_of(&sha);
    fixture.tag_gate(&["create", "--version", &v]).ok();
    fixture
        .tag_gate(&["promote", "--to", "qa", "--version", &v])
        .ok();
    fixture
        .tag_gate(&["promote", "--to", "prod", "--version", &v])
        .ok();
    // Look-alikes: another environment's tags, a sign-off marker.
    for name in [
        format!("prod-eu-{v}"),
        "qa-signoff".to_owned(),
        "prod-eu-latest".to_owned(),
    ] {
        fixture.git(&["tag", "-a", &name, "-m", "not a stage tag", &sha]);
        fixture.git(&["push", "-q", "origin", &format!("refs/tags/{name}")]);
    }

    let r = fixture.tag_gate(&["latest", "--stage", "prod"]);
    r.ok().says(&[
        "ignored 2 tag(s) under 'prod-' that are not versions",
        "prod-eu-",
    ]);
    assert_eq!(r.out("version"), v);
    assert_eq!(r.out("tag"), format!("prod-{v}"));
    assert_eq!(r.out("ignored"), "2");

    let r = fixture.tag_gate(&["list", "--stage", "qa", "--json"]);
    r.ok();
    let j = r.json();
    assert_eq!(j["ignored"], 1);
    assert_eq!(j["versions"].as_array().unwrap().len(), 1);
    assert!(r.stderr.contains("qa-signoff"), "{}", r.stderr);

    // Only look-alikes: nothing passed, and it says why.
    let mut fixture = Fixture::new();
    let sha = fixture.commit("feat: one");
    fixture.git(&["tag", "-a", "prod-eu-x", "-m", "x", &sha]);
    fixture.git(&["push", "-q", "origin", "refs/tags/prod-eu-x"]);
    let r = fixture.tag_gate(&["latest", "--stage", "prod"]);
    r.code(1).says(&[
        "no version has passed prod yet",
        "1 name(s) that are not versions, ignored",
    ]);
    assert_eq!(r.out("passed"), "false");
}

/// `latest` on the git backend lists the remote's refs once: the
/// deployment events, the stage's tags and the candidates read all come
/// from one `git ls-remote` (each used to list every ref again).
#[test]
fn latest_lists_the_remote_once() {
    let mut fixture = Fixture::new();
    let newest_first = opposite_orders(&mut fixture);
    let sha = fixture.git(&["rev-parse", "HEAD"]);
    fixture
        .tag_gate(&[
            "record",
            "--stage",
            "qa",
            "--version",
            &version_of(&sha),
            "--status",
            "success",
        ])
        .ok();
    // A `git` first on PATH that logs its arguments, then runs the real one.
    let real = String::from_utf8(
        std::process::Command::new("sh")
            .args(["-c", "command -v git"])
            .output()
            .unwrap()
            .stdout,
    )
    .unwrap();
    let bin = fixture.dir.path().join("logging-bin");
    std::fs::create_dir_all(&bin).unwrap();
    let log = fixture.dir.path().join("git.log");
    let script = bin.join("git");
    std::fs::write(
        &script,
        format!(
            "#!/bin/sh\necho \"$*\" >> '{}'\nexec '{}' \"$@\"\n",
            log.display(),
            real.trim()
        ),
    )
    .unwrap();
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    let path = format!(
        "{}:{}",
        bin.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let r = fixture.tag_gate_env(
        &["latest", "--stage", "qa", "--backend", "git"],
        &[("PATH", &path)],
    );
    r.ok();
    assert_eq!(r.stdout.trim(), newest_first[0].0);
    let logged = std::fs::read_to_string(&log).unwrap();
    let listings = logged
        .lines()
        // After the `-c` options of a remote command.
        .filter(|l| l.split(' ').any(|w| w == "ls-remote"))
        .count();
    assert_eq!(listings, 1, "git calls:\n{logged}");
}
