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

/// A deployment of the environment that is not shipgate's: the one GitHub
/// creates for a job with `environment:`, or another tool's.
#[derive(Debug, Clone)]
pub(super) struct Foreign {
    pub id: u64,
    /// Oldest first.
    pub statuses: Vec<ListedStatus>,
}

impl Foreign {
    /// Whether a status of it links to the run (`…/actions/runs/ID`, then
    /// the end or `/`): the deployment GitHub made for this run's job.
    fn of_run(&self, run_id: u64) -> bool {
        let needle = format!("/actions/runs/{run_id}");
        self.statuses.iter().any(|s| {
            [&s.log_url, &s.environment_url].iter().any(|u| {
                u.split_once(&needle)
                    .is_some_and(|(_, rest)| rest.is_empty() || rest.starts_with('/'))
            })
        })
    }
}

/// One page of an environment's deployments, newest first.
#[derive(Debug, Clone, Default)]
pub(super) struct Page {
    /// shipgate's, of the scope asked for.
    pub ours: Vec<Listed>,
    /// Everyone else's in the environment (GitHub's job deployments,
    /// other tools', shipgate's of another stage filed there).
    pub foreign: Vec<Foreign>,
    /// Every deployment's id and newest state (ours and foreign).
    pub states: Vec<(u64, String)>,
    pub next: Option<String>,
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
    description_text(&text)
}

/// Text within GitHub's limit on a status description, on one line.
fn description_text(text: &str) -> String {
    let one_line = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if one_line.chars().count() <= DESCRIPTION_MAX {
        one_line
    } else {
        let mut cut: String = one_line.chars().take(DESCRIPTION_MAX - 1).collect();
        cut.push('…');
        cut
    }
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
    // Unique per event; the clock if the OS has no random source.
    let n = getrandom::u64().unwrap_or_else(|_| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or_default()
    });
    format!("{n:016x}")
}

impl ApiStore {
    /// One page of an environment's deployments, newest first: shipgate's
    /// of this scope, everyone else's, and the cursor of the next page.
    async fn deployments_page(
        &self,
        scope: &Scope,
        after: Option<&str>,
    ) -> Result<Page, RepoError> {
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
        let mut page = Page::default();
        for node in conn["nodes"].as_array().into_iter().flatten() {
            let Some(id) = node["databaseId"].as_u64() else {
                continue;
            };
            let mut statuses = node["statuses"]["nodes"]
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
            // Oldest first, whatever order the connection used. GitHub's
            // GraphQL gives a status no number, and its `createdAt` has
            // whole seconds: statuses of one second keep the order of their
            // life cycle (queued, in progress, an outcome, inactive), then
            // the connection's. Only GitHub's clock is compared here.
            statuses.sort_by_key(|s| (s.created_at, s.phase()));
            page.states.push((
                id,
                statuses
                    .last()
                    .map(|s| s.state.to_ascii_lowercase())
                    .unwrap_or_default(),
            ));
            let payload: Value = match &node["payload"] {
                Value::String(s) => serde_json::from_str(s).unwrap_or(Value::Null),
                other => other.clone(),
            };
            let ours = (payload.get("schema").and_then(Value::as_str) == Some(DEPLOYMENT_SCHEMA))
                .then(|| serde_json::from_value::<DeploymentEvent>(payload.clone()).ok())
                .flatten()
                .filter(|e| e.service == scope.service && e.stage == scope.stage);
            let Some(event) = ours else {
                page.foreign.push(Foreign { id, statuses });
                continue;
            };
            page.ours.push(Listed {
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
        page.next = match (info["hasNextPage"].as_bool(), info["endCursor"].as_str()) {
            (Some(true), Some(c)) => Some(c.to_owned()),
            _ => None,
        };
        Ok(page)
    }

    pub(super) async fn list_events_async(
        &self,
        scope: &Scope,
        limit: Option<usize>,
    ) -> Result<Vec<StoredEvent>, RepoError> {
        let mut events = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let Page { ours, next, .. } = self.deployments_page(scope, after.as_deref()).await?;
            for d in &ours {
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
        if matches!(event.status, DeployStatus::Success | DeployStatus::Failure) {
            let (found, first) = self.find_unfinished(&scope, event).await?;
            let stored = match found {
                Some(d) => {
                    let st = self.add_status(d.id, event).await?;
                    let listed = Listed {
                        statuses: {
                            let mut s = d.statuses.clone();
                            s.push(st);
                            s
                        },
                        ..d
                    };
                    listed.events().pop().ok_or_else(|| RepoError::Api {
                        request: format!("record {} {}", event.status, event.version),
                        status: None,
                        message: "the status was written but reads back as no event".into(),
                    })?
                }
                None => {
                    let id = self.create_deployment(&scope, event).await?;
                    self.add_status(id, event).await?;
                    StoredEvent {
                        id: event_id(id, 0),
                        event: event.clone(),
                    }
                }
            };
            self.after_outcome(&scope, event, &stored, &first).await?;
            return Ok(stored);
        }
        let id = self.create_deployment(&scope, event).await?;
        self.add_status(id, event).await?;
        Ok(StoredEvent {
            id: event_id(id, 0),
            event: event.clone(),
        })
    }

    /// After an outcome: in a production environment, where GitHub makes
    /// nothing inactive by itself, the earlier successful deployments
    /// become `inactive` (what `auto_inactive` does elsewhere), so the
    /// environment lists one live deployment; and the deployment GitHub
    /// made for this run's job (`environment:`) gets a status naming the
    /// version and commit tag-gate deployed, its own state unchanged
    /// (GitHub cannot change a deployment's commit). `first` is the newest
    /// page of the environment, read before the outcome was written.
    async fn after_outcome(
        &self,
        scope: &Scope,
        event: &DeploymentEvent,
        stored: &StoredEvent,
        first: &Page,
    ) -> Result<(), RepoError> {
        let this: Option<u64> = stored.id.split('.').next().and_then(|d| d.parse().ok());
        if event.status == DeployStatus::Success && scope.production {
            for (id, state) in &first.states {
                if Some(*id) != this && state == "success" {
                    let body = json!({
                        "state": "inactive",
                        "description": description_text(&format!(
                            "shipgate: superseded by {}", event.version
                        )),
                        "auto_inactive": false,
                    });
                    self.post_status(*id, &body, scope).await?;
                }
            }
        }
        let job = event
            .run_id
            .and_then(|run| first.foreign.iter().find(|d| d.of_run(run)));
        if let Some(job) = job {
            let state = job
                .statuses
                .last()
                .map(|s| s.state.to_ascii_lowercase())
                .filter(|s| !s.is_empty())
                .unwrap_or_else(|| "in_progress".into());
            let commit = event
                .commit
                .as_ref()
                .map(|c| format!(" (commit {})", c.short(12)))
                .unwrap_or_default();
            let mut body = json!({
                "state": state,
                "description": description_text(&format!(
                    "shipgate: this job deployed {}{commit}, {}: see deployment {}",
                    event.version,
                    event.status,
                    this.map(|i| i.to_string()).unwrap_or_default()
                )),
                "auto_inactive": false,
            });
            if let Some(url) = &event.url {
                body["environment_url"] = json!(url);
            }
            if let Some(url) = job
                .statuses
                .iter()
                .rev()
                .find_map(|s| (!s.log_url.is_empty()).then(|| s.log_url.clone()))
            {
                body["log_url"] = json!(url);
            }
            self.post_status(job.id, &body, scope).await?;
        }
        Ok(())
    }

    /// Adds a bookkeeping status (not an event) to a deployment.
    async fn post_status(
        &self,
        deployment: u64,
        body: &Value,
        scope: &Scope,
    ) -> Result<(), RepoError> {
        let url = self.repo_url(&format!("/deployments/{deployment}/statuses"));
        let action = format!(
            "mark deployment {deployment} of {} {}",
            scope.environment(),
            body["state"].as_str().unwrap_or_default()
        );
        let resp = self
            .client
            .send_write(Method::POST, &url, Some(body), || async {
                Ok(Reconciled::NotApplied)
            })
            .await?;
        match resp.status {
            200 | 201 => Ok(()),
            _ => Err(self.unexpected(&resp, &action, "deployments: write")),
        }
    }

    /// The newest deployment of this version still in progress, preferring
    /// one started by the same run; and the environment's newest page.
    async fn find_unfinished(
        &self,
        scope: &Scope,
        event: &DeploymentEvent,
    ) -> Result<(Option<Listed>, Page), RepoError> {
        let mut after: Option<String> = None;
        let mut candidates = Vec::new();
        let mut first: Option<Page> = None;
        for _ in 0..FIND_PAGES {
            let page = self.deployments_page(scope, after.as_deref()).await?;
            let next = page.next.clone();
            candidates.extend(
                page.ours
                    .iter()
                    .filter(|d| d.event.version == event.version && d.unfinished())
                    .cloned(),
            );
            first.get_or_insert(page);
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
        let found = match same_run {
            Some(i) => Some(candidates.swap_remove(i)),
            None => candidates.into_iter().next(),
        };
        Ok((found, first.unwrap_or_default()))
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
            "production_environment": scope.production,
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
                        let page = self.deployments_page(scope, None).await?;
                        Ok(
                            match page
                                .ours
                                .iter()
                                .find(|d| d.nonce.as_deref() == Some(&nonce))
                            {
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
        if event.status == DeployStatus::Success {
            // Earlier successful deployments of the environment become
            // inactive (GitHub's default, said out loud; GitHub skips
            // production environments, see `after_outcome`).
            body["auto_inactive"] = json!(true);
        }
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
mod tests;
