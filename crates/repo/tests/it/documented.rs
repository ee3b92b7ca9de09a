//! Status codes GitHub documents beyond the happy path, handled as
//! documented: 409 for the pull requests of a commit in an empty
//! repository, 410 for labels when issues are turned off, and a 422 for a
//! tag object that says what GitHub refused.

use github_standin::{Fault, NewCommit, NewPull, Route, StandIn};
use repo::api::{ApiConfig, ApiStore};
use repo::{CommitId, NewTag, RepoError, Store};
use serde_json::json;

const SHA_A: &str = "84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2";

fn store(gh: &StandIn) -> ApiStore {
    ApiStore::new(
        ApiConfig::new(&gh.url(), &gh.repository(), gh.token()).graphql_url(&gh.graphql_url()),
    )
    .unwrap()
}

fn statuses(gh: &StandIn, route: &Route) -> Vec<u16> {
    gh.requests()
        .iter()
        .filter(|r| r.is(route))
        .map(|r| r.status)
        .collect()
}

#[test]
fn an_empty_repository_has_no_pull_requests() {
    let gh = StandIn::builder().start();
    let s = store(&gh);
    assert_eq!(s.pulls_for_commit(SHA_A).unwrap(), []);
    assert_eq!(s.merged_pull_for_commit(SHA_A).unwrap(), None);
    assert_eq!(
        statuses(&gh, &Route::get("commits/*/pulls")),
        [409, 409],
        "GitHub's documented answer for an empty repository"
    );
}

#[test]
fn labels_come_from_the_pull_request_when_issues_are_off() {
    let gh = StandIn::builder().start();
    gh.add_commit(NewCommit::new("feat: a").sha(SHA_A));
    gh.add_pull(
        NewPull::new(5, "fix: merged")
            .labels(&["release:minor"])
            .merged_as(SHA_A),
    );
    let s = store(&gh);
    assert_eq!(s.labels(5).unwrap(), ["release:minor"]);
    gh.disable_issues();
    gh.clear_requests();
    assert_eq!(s.labels(5).unwrap(), ["release:minor"]);
    assert_eq!(statuses(&gh, &Route::get("issues/*/labels")), [410]);
    assert_eq!(statuses(&gh, &Route::get("pulls/*")), [200]);
    // Not a pull request (an issue number, with issues off): none.
    assert_eq!(s.labels(99).unwrap(), Vec::<String>::new());
}

fn new_tag(name: &str) -> NewTag {
    NewTag {
        name: name.into(),
        commit: CommitId::parse(SHA_A).unwrap(),
        message: format!("{name}: passed\n\n{{\"schema\": \"shipgate.provenance/v1\"}}\n"),
        time: "2025-01-21T10:00:00Z".parse().unwrap(),
    }
}

#[test]
fn a_refused_tag_object_says_what_github_said() {
    let gh = StandIn::builder().start();
    gh.add_commit(NewCommit::new("feat: a").sha(SHA_A));
    let s = store(&gh);
    gh.fail(
        Route::post("git/tags"),
        Fault::json(
            422,
            json!({
                "message": "Validation Failed",
                "errors": [{ "resource": "Tag", "code": "invalid", "field": "tagger" }],
                "documentation_url": "https://docs.github.com/rest/git/tags#create-a-tag-object",
                "status": "422",
            }),
        ),
    );
    let err = s
        .create_tag(&new_tag("qa-84fb5881-20250120-143022"))
        .unwrap_err();
    let text = err.to_string();
    assert!(
        matches!(
            err,
            RepoError::Api {
                status: Some(422),
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        text.contains("Validation Failed") && text.contains("tagger"),
        "{text}"
    );
    assert!(!text.contains("push the commit"), "{text}");
    assert!(gh.tag("qa-84fb5881-20250120-143022").is_none());

    // A commit GitHub does not have: its own words, and the fix.
    let missing = NewTag {
        commit: CommitId::parse("1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d").unwrap(),
        ..new_tag("qa-1a2b3c4d-20250121-090000")
    };
    let err = s.create_tag(&missing).unwrap_err();
    match &err {
        RepoError::NotFound { what, hint, .. } => {
            assert_eq!(*what, "commit");
            let hint = hint.as_deref().unwrap();
            assert!(hint.contains("Object does not exist"), "{hint}");
            assert!(hint.contains("push the commit first"), "{hint}");
        }
        other => panic!("expected NotFound, got {other:?}"),
    }
}
