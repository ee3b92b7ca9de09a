//! Deployment events as GitHub Deployments (see the module docs of
//! [`super`]): written through REST, read back through one GraphQL query
//! per 100 deployments, statuses included.

use super::ApiStore;
use super::client::Reconciled;
use super::tags::{missing_field, parse_time};
use crate::{
    DEPLOYMENT_SCHEMA, DeployStatus, DeploymentEvent, RepoError, Scope, StoredEvent, event_order,
};
use http::Method;
use serde_json::{Value, json};

/// The `task` of an ordinary deployment (GitHub's default).
const DEPLOY_TASK: &str = "deploy";
/// The `task` of a revocation record.
pub(crate) const REVOKE_TASK: &str = "shipgate:revoke";
/// GitHub's limit on a status description.
const DESCRIPTION_MAX: usize = 140;
/// Pages looked through for the deployment an outcome belongs to.
const FIND_PAGES: usize = 3;

const LIST_DEPLOYMENTS: &str = r#"query($owner: String!, $name: String!, $env: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    deployments(environments: [$env], first: 100, after: $after,
                orderBy: {field: CREATED_AT, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes {
        databaseId task payload commitOid createdAt environment
        statuses(first: 100) {
          nodes { state description logUrl environmentUrl createdAt }
        }
      }
    }
  }
}"#;

/// A deployment as listed: only those carrying a shipgate payload.
#[derive(Debug, Clone)]
pub(super) struct Listed {
    pub id: u64,
    pub task: String,
    pub event: DeploymentEvent,
    pub nonce: Option<String>,
    /// Oldest first.
    pub statuses: Vec<ListedStatus>,
}

#[derive(Debug, Clone)]
pub(super) struct ListedStatus {
    pub state: String,
    pub description: String,
    pub log_url: String,
    pub environment_url: String,
    pub created_at: Option<jiff::Timestamp>,
}

impl ListedStatus {
    /// Where the state comes in a deployment's life: a deployment is
    /// queued or pending, then in progress, then has an outcome, then may
    /// be made inactive.
    fn phase(&self) -> u8 {
        match self.state.to_ascii_uppercase().as_str() {
            "QUEUED" | "PENDING" | "WAITING" => 0,
            "IN_PROGRESS" => 1,
            "INACTIVE" | "DESTROYED" => 3,
            _ => 2,
        }
    }

    /// The event status a deployment status stands for; `None` for
    /// bookkeeping (`inactive`, set by GitHub when a newer deployment
    /// succeeds).
    fn status(&self) -> Option<DeployStatus> {
        match self.state.to_ascii_uppercase().as_str() {
            "IN_PROGRESS" | "QUEUED" | "PENDING" | "WAITING" => Some(DeployStatus::InProgress),
            "SUCCESS" => Some(DeployStatus::Success),
            "FAILURE" | "ERROR" => Some(DeployStatus::Failure),
            _ => None,
        }
    }
}

impl Listed {
    /// The events this deployment holds, oldest first: the payload's event
    /// (id `…000`), then one per later status (`…001`, …: its place among
    /// the deployment's statuses). Ids sort in GitHub's order: deployment
    /// ids only grow, and a deployment's statuses come one after another.
    /// The status that mirrors the payload (written with it) is not an
    /// event of its own.
    fn events(&self) -> Vec<StoredEvent> {
        let mut out = vec![StoredEvent {
            id: event_id(self.id, 0),
            event: self.event.clone(),
        }];
        if self.task == REVOKE_TASK {
            return out;
        }
        let mut mirrored = false;
        for (i, st) in self.statuses.iter().enumerate() {
            let Some(status) = st.status() else {
                continue;
            };
            if !mirrored && status == self.event.status {
                mirrored = true;
                continue;
            }
            out.push(StoredEvent {
                id: event_id(self.id, i + 1),
                event: self.derived(st, status),
            });
        }
        out
    }

    /// An event recorded as a status: the deployment's event with the
    /// status's outcome, time, URLs and description.
    fn derived(&self, st: &ListedStatus, status: DeployStatus) -> DeploymentEvent {
        let mut e = self.event.clone();
        e.status = status;
        if let Some(t) = st.created_at {
            e.time = t;
        }
        if !st.environment_url.is_empty() {
            e.url = Some(st.environment_url.clone());
        }
        if !st.log_url.is_empty() && Some(&st.log_url) != e.run_url.as_ref() {
            let (run_id, attempt) = run_of(&st.log_url);
            if run_id != e.run_id {
                // Another run recorded this outcome: what the payload says
                // about its own run does not apply.
                e.actor = None;
                e.workflow = None;
            }
            e.run_url = Some(st.log_url.clone());
            e.run_id = run_id;
            e.run_attempt = attempt;
        }
        e.description = (!st.description.is_empty() && !st.description.starts_with("shipgate: "))
            .then(|| st.description.clone());
        e
    }

    /// The outcome this deployment is waiting for: its newest status says
    /// it is still in progress.
    fn unfinished(&self) -> bool {
        self.task != REVOKE_TASK
            && self
                .statuses
                .iter()
                .rev()
                .find_map(ListedStatus::status)
                .is_some_and(|s| s == DeployStatus::InProgress)
    }
}

/// `000000001234.001`: sorts like the numbers it holds.
fn event_id(deployment: u64, n: usize) -> String {
    format!("{deployment:012}.{n:03}")
}

/// The run id and attempt in a run URL
/// (`…/actions/runs/42/attempts/2`).
fn run_of(url: &str) -> (Option<u64>, Option<u32>) {
    let Some(rest) = url.split("/actions/runs/").nth(1) else {
        return (None, None);
    };
    let mut parts = rest.split('/');
    let run = parts.next().and_then(|s| s.parse().ok());
    let attempt = match (parts.next(), parts.next()) {
        (Some("attempts"), Some(n)) => n.parse().ok(),
        _ => None,
    };
    (run, attempt)
}

/// A status description within GitHub's limit.
fn description_for(event: &DeploymentEvent) -> String {
    let text = match (&event.description, event.status) {
        (Some(d), DeployStatus::Revoked) => format!("revoked: {d}"),
        (Some(d), _) => d.clone(),
        (None, DeployStatus::Revoked) => "revoked".to_owned(),
        (None, status) => format!("shipgate: {} {status}", event.version),
    };
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= DESCRIPTION_MAX {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(DESCRIPTION_MAX - 1).collect();
        cut.push('…');
        cut
    }
}

/// Stages whose environment is a production one (GitHub treats those
/// apart: no automatic `inactive` statuses).
fn is_production(scope: &Scope) -> bool {
    matches!(
        scope.stage.as_str().to_ascii_lowercase().as_str(),
        "prod" | "production" | "prd" | "live"
    )
}

fn state_for(status: DeployStatus) -> &'static str {
    match status {
        DeployStatus::InProgress => "in_progress",
        DeployStatus::Success => "success",
        DeployStatus::Failure => "failure",
        DeployStatus::Revoked => "inactive",
    }
}

fn nonce() -> String {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or_default(),
    );
    format!("{:016x}", h.finish())
}

impl ApiStore {
    /// One page of an environment's deployments, newest first: those with
    /// a shipgate payload of this scope, and the cursor of the next page.
    async fn deployments_page(
        &self,
        scope: &Scope,
        after: Option<&str>,
    ) -> Result<(Vec<Listed>, Option<String>), RepoError> {
        let env = scope.environment();
        let repo = self
            .graphql_repository(
                &format!("read deployments of {env}"),
                "deployments: read",
                LIST_DEPLOYMENTS,
                json!({ "env": env, "after": after }),
            )
            .await?;
        let conn = &repo["deployments"];
        let mut out = Vec::new();
        for node in conn["nodes"].as_array().into_iter().flatten() {
            let Some(id) = node["databaseId"].as_u64() else {
                continue;
            };
            let payload: Value = match &node["payload"] {
                Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                other => other.clone(),
            };
            if payload.get("schema").and_then(Value::as_str) != Some(DEPLOYMENT_SCHEMA) {
                continue;
            }
            let Ok(event) = serde_json::from_value::<DeploymentEvent>(payload.clone()) else {
                continue;
            };
            if event.service != scope.service || event.stage != scope.stage {
                continue;
            }
            let statuses = node["statuses"]["nodes"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|s| ListedStatus {
                    state: s["state"].as_str().unwrap_or_default().to_owned(),
                    description: s["description"].as_str().unwrap_or_default().to_owned(),
                    log_url: s["logUrl"].as_str().unwrap_or_default().to_owned(),
                    environment_url: s["environmentUrl"].as_str().unwrap_or_default().to_owned(),
                    created_at: parse_time(&s["createdAt"]),
                })
                .collect::<Vec<_>>();
            let mut statuses = statuses;
            // Oldest first, whatever order the connection used. GitHub's
            // GraphQL gives a status no number, and its `createdAt` has
            // whole seconds: statuses of one second keep the order of their
            // life cycle (queued, in progress, an outcome, inactive), then
            // the connection's. Only GitHub's clock is compared here.
            statuses.sort_by_key(|s| (s.created_at, s.phase()));
            out.push(Listed {
                id,
                task: node["task"].as_str().unwrap_or(DEPLOY_TASK).to_owned(),
                nonce: payload
                    .get("nonce")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                event,
                statuses,
            });
        }
        let info = &conn["pageInfo"];
        let next = match (info["hasNextPage"].as_bool(), info["endCursor"].as_str()) {
            (Some(true), Some(c)) => Some(c.to_owned()),
            _ => None,
        };
        Ok((out, next))
    }

    pub(super) async fn list_events_async(
        &self,
        scope: &Scope,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, RepoError> {
        let mut events = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let (page, next) = self.deployments_page(scope, after.as_deref()).await?;
            for d in &page {
                events.extend(d.events());
            }
            // Deployments come newest first; once enough events are in
            // hand, older deployments cannot add newer events (save for an
            // outcome recorded long after a later deployment started).
            let enough = limit.is_some_and(|n| events.len() >= n);
            match next {
                Some(c) if !enough => after = Some(c),
                _ => break,
            }
        }
        events.sort_by(event_order);
        if let Some(n) = limit {
            events.truncate(n);
        }
        Ok(events)
    }

    pub(super) async fn append_event_async(
        &self,
        event: &DeploymentEvent,
    ) -> Result<StoredEvent, RepoError> {
        let scope = event.scope();
        if matches!(event.status, DeployStatus::Success | DeployStatus::Failure)
            && let Some(d) = self.find_unfinished(&scope, event).await?
        {
            let st = self.add_status(d.id, event).await?;
            let listed = Listed {
                statuses: {
                    let mut s = d.statuses.clone();
                    s.push(st);
                    s
                },
                ..d
            };
            let stored = listed.events().pop().ok_or_else(|| RepoError::Api {
                request: format!("record {} {}", event.status, event.version),
                status: None,
                message: "the status was written but reads back as no event".into(),
            })?;
            return Ok(stored);
        }
        let id = self.create_deployment(&scope, event).await?;
        self.add_status(id, event).await?;
        Ok(StoredEvent {
            id: event_id(id, 0),
            event: event.clone(),
        })
    }

    /// The newest deployment of this version still in progress, preferring
    /// one started by the same run.
    async fn find_unfinished(
        &self,
        scope: &Scope,
        event: &DeploymentEvent,
    ) -> Result<Option<Listed>, RepoError> {
        let mut after: Option<String> = None;
        let mut candidates = Vec::new();
        for _ in 0..FIND_PAGES {
            let (page, next) = self.deployments_page(scope, after.as_deref()).await?;
            candidates.extend(
                page.into_iter()
                    .filter(|d| d.event.version == event.version && d.unfinished()),
            );
            if !candidates.is_empty() {
                break;
            }
            match next {
                Some(c) => after = Some(c),
                None => break,
            }
        }
        let same_run = candidates
            .iter()
            .position(|d| event.run_id.is_some() && d.event.run_id == event.run_id);
        Ok(match same_run {
            Some(i) => Some(candidates.swap_remove(i)),
            None => candidates.into_iter().next(),
        })
    }

    async fn create_deployment(
        &self,
        scope: &Scope,
        event: &DeploymentEvent,
    ) -> Result<u64, RepoError> {
        let env = scope.environment();
        let action = format!("create a deployment of {} to {env}", event.version);
        let commit = match &event.commit {
            Some(c) => c.clone(),
            None => {
                let short = event.version.short_sha();
                self.resolve_commit_async(short)
                    .await?
                    .ok_or_else(|| RepoError::NotFound {
                        what: "commit",
                        name: short.to_owned(),
                        hint: Some(format!(
                            "version {} names commit {short}, which {} does not have",
                            event.version,
                            self.repository()
                        )),
                    })?
            }
        };
        let nonce = nonce();
        let mut payload = serde_json::to_value(event).map_err(|e| RepoError::Api {
            request: action.clone(),
            status: None,
            message: e.to_string(),
        })?;
        payload["nonce"] = json!(nonce);
        let body = json!({
            "ref": commit.as_str(),
            "task": if event.status == DeployStatus::Revoked { REVOKE_TASK } else { DEPLOY_TASK },
            "auto_merge": false,
            "required_contexts": [],
            "payload": payload,
            "environment": env,
            "description": description_for(event),
            "transient_environment": false,
            "production_environment": is_production(scope),
        });
        let resp = self
            .client
            .send_write(
                Method::POST,
                &self.repo_url("/deployments"),
                Some(&body),
                || {
                    let nonce = nonce.clone();
                    async move {
                        let (page, _) = self.deployments_page(scope, None).await?;
                        Ok(
                            match page.iter().find(|d| d.nonce.as_deref() == Some(&nonce)) {
                                Some(d) => Reconciled::Applied(json!({ "id": d.id })),
                                None => Reconciled::NotApplied,
                            },
                        )
                    }
                },
            )
            .await?;
        match resp.status {
            200 | 201 => resp.json()?["id"]
                .as_u64()
                .ok_or_else(|| missing_field(&resp, "id")),
            422 if resp.message().starts_with("No ref found") => Err(RepoError::NotFound {
                what: "commit",
                name: commit.to_string(),
                hint: Some(format!(
                    "GitHub cannot deploy it ({}): push the commit first",
                    resp.message()
                )),
            }),
            _ => Err(self.unexpected(&resp, &action, "deployments: write")),
        }
    }

    /// Adds the event's status to a deployment; returns it as listed.
    async fn add_status(
        &self,
        deployment: u64,
        event: &DeploymentEvent,
    ) -> Result<ListedStatus, RepoError> {
        let action = format!(
            "record {} of {} in {}",
            event.status,
            event.version,
            event.scope().environment()
        );
        let state = state_for(event.status);
        let description = description_for(event);
        let mut body = json!({ "state": state, "description": description });
        if let Some(url) = &event.run_url {
            body["log_url"] = json!(url);
        }
        if let Some(url) = &event.url {
            body["environment_url"] = json!(url);
        }
        let statuses_url = self.repo_url(&format!("/deployments/{deployment}/statuses"));
        let resp = self
            .client
            .send_write(Method::POST, &statuses_url, Some(&body), || {
                let url = format!("{statuses_url}?per_page=100");
                let description = description.clone();
                async move {
                    let r = self.client.send(Method::GET, &url, None).await?;
                    if r.status != 200 {
                        return Ok(Reconciled::NotApplied);
                    }
                    let list = r.json()?;
                    // Newest first: ours would be on top.
                    let top = list.as_array().and_then(|a| a.first()).cloned();
                    Ok(match top {
                        Some(s)
                            if s["state"] == json!(state)
                                && s["description"] == json!(description) =>
                        {
                            Reconciled::Applied(s)
                        }
                        _ => Reconciled::NotApplied,
                    })
                }
            })
            .await?;
        match resp.status {
            200 | 201 => {
                let v = resp.json()?;
                Ok(ListedStatus {
                    state: v["state"].as_str().unwrap_or(state).to_owned(),
                    description: v["description"].as_str().unwrap_or(&description).to_owned(),
                    log_url: v["log_url"].as_str().unwrap_or_default().to_owned(),
                    environment_url: v["environment_url"].as_str().unwrap_or_default().to_owned(),
                    created_at: parse_time(&v["created_at"]),
                })
            }
            _ => Err(self.unexpected(&resp, &action, "deployments: write")),
        }
    }
}

#[cfg(test)]
mod tests {
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
}
