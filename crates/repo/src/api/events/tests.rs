use super::*;
use crate::Stage;

fn event(status: DeployStatus) -> DeploymentEvent {
    DeploymentEvent {
        schema: DEPLOYMENT_SCHEMA.into(),
        service: None,
        stage: Stage::parse("qa").unwrap(),
        environment: None,
        production: false,
        version: "84fb5881-20250120-143022".parse().unwrap(),
        status,
        commit: None,
        url: None,
        time: "2025-01-20T15:00:00Z".parse().unwrap(),
        actor: Some("octocat".into()),
        run_id: Some(42),
        run_attempt: Some(1),
        run_url: Some("https://github.com/o/r/actions/runs/42/attempts/1".into()),
        workflow: Some("promote-qa".into()),
        description: None,
    }
}

fn status(state: &str, at: &str, log: &str) -> ListedStatus {
    ListedStatus {
        state: state.into(),
        description: String::new(),
        log_url: log.into(),
        environment_url: String::new(),
        created_at: Some(at.parse().unwrap()),
    }
}

#[test]
fn statuses_become_events() {
    let d = Listed {
        id: 7,
        task: DEPLOY_TASK.into(),
        event: event(DeployStatus::InProgress),
        nonce: None,
        statuses: vec![
            status("IN_PROGRESS", "2025-01-20T15:00:01Z", ""),
            status("SUCCESS", "2025-01-20T15:05:00Z", ""),
            status("INACTIVE", "2025-01-21T10:00:00Z", ""),
        ],
    };
    let events = d.events();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0].id, "000000000007.000");
    assert_eq!(events[0].event.status, DeployStatus::InProgress);
    assert_eq!(events[1].id, "000000000007.002");
    assert_eq!(events[1].event.status, DeployStatus::Success);
    assert_eq!(
        events[1].event.time,
        "2025-01-20T15:05:00Z".parse::<jiff::Timestamp>().unwrap()
    );
    assert_eq!(events[1].event.actor.as_deref(), Some("octocat"));
    assert!(!d.unfinished());
}

#[test]
fn another_run_outcome_drops_the_starting_runs_details() {
    let d = Listed {
        id: 8,
        task: DEPLOY_TASK.into(),
        event: event(DeployStatus::InProgress),
        nonce: None,
        statuses: vec![
            status("IN_PROGRESS", "2025-01-20T15:00:01Z", ""),
            status(
                "FAILURE",
                "2025-01-20T15:05:00Z",
                "https://github.com/o/r/actions/runs/99/attempts/3",
            ),
        ],
    };
    let e = &d.events()[1].event;
    assert_eq!(e.status, DeployStatus::Failure);
    assert_eq!((e.run_id, e.run_attempt), (Some(99), Some(3)));
    assert_eq!(e.actor, None);
    let unfinished = Listed {
        statuses: vec![status("IN_PROGRESS", "2025-01-20T15:00:01Z", "")],
        ..d
    };
    assert!(unfinished.unfinished());
}

#[test]
fn descriptions_fit() {
    let mut e = event(DeployStatus::Success);
    assert_eq!(
        description_for(&e),
        "shipgate: 84fb5881-20250120-143022 success"
    );
    e.status = DeployStatus::Revoked;
    e.description = Some("broke\ncheckout ".repeat(30));
    let d = description_for(&e);
    assert!(d.starts_with("revoked: broke checkout"));
    assert_eq!(d.chars().count(), DESCRIPTION_MAX);
    assert!(!d.contains('\n'));
}

#[test]
fn runs_from_urls() {
    assert_eq!(
        run_of("https://github.com/o/r/actions/runs/42/attempts/2"),
        (Some(42), Some(2))
    );
    assert_eq!(
        run_of("https://github.com/o/r/actions/runs/42"),
        (Some(42), None)
    );
    assert_eq!(run_of("https://example.com/log"), (None, None));
}
