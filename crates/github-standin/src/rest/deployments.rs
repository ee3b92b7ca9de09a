//! Deployments and their statuses.

use super::*;

pub(super) fn find_deployment(s: &State, id: &str) -> Option<usize> {
    let id: u64 = id.parse().ok()?;
    s.deployments.iter().position(|d| d.id == id)
}

pub(super) fn list_deployments(s: &State, ctx: &Ctx) -> Reply {
    let want = |key: &str, have: &str| ctx.param(key).is_none_or(|v| v == have);
    let all: Vec<Value> = s
        .deployments
        .iter()
        .rev()
        .filter(|d| {
            want("sha", &d.sha)
                && want("ref", &d.git_ref)
                && want("task", &d.task)
                && want("environment", &d.environment)
        })
        .map(|d| s.deployment_json(d))
        .collect();
    paged(s, ctx, all)
}

pub(super) fn create_deployment(s: &mut State, ctx: &Ctx) -> Reply {
    let Some(git_ref) = ctx.body_str("ref") else {
        return missing("ref", DOC_CREATE_DEPLOYMENT);
    };
    let Some(sha) = s.resolve_commit(git_ref) else {
        return Reply::error(
            422,
            &format!("No ref found for: {git_ref}"),
            DOC_CREATE_DEPLOYMENT,
        );
    };
    let body = ctx.body.as_ref();
    let environment = ctx
        .body_str("environment")
        .unwrap_or("production")
        .to_owned();
    let payload = match body.and_then(|b| b.get("payload")) {
        None | Some(Value::Null) => json!({}),
        Some(Value::String(text)) if text.is_empty() => json!({}),
        Some(Value::String(text)) => {
            serde_json::from_str(text).unwrap_or_else(|_| Value::String(text.clone()))
        }
        Some(v) => v.clone(),
    };
    s.ensure_environment(&environment);
    let now = s.clock.now();
    let id = s.next_id();
    let d = Deployment {
        id,
        sha,
        git_ref: git_ref.to_owned(),
        task: ctx.body_str("task").unwrap_or("deploy").to_owned(),
        payload,
        original_environment: environment.clone(),
        production_environment: ctx
            .body_bool("production_environment")
            .unwrap_or(environment == "production"),
        environment,
        description: ctx.body_str("description").map(str::to_owned),
        transient_environment: ctx.body_bool("transient_environment").unwrap_or(false),
        creator: ctx.token.login.clone(),
        created_at: now,
        updated_at: now,
        statuses: Vec::new(),
    };
    let body = s.deployment_json(&d);
    s.deployments.push(d);
    Reply::json(201, body)
}

pub(super) fn create_status(s: &mut State, ctx: &Ctx, id: &str) -> Reply {
    let Some(i) = find_deployment(s, id) else {
        return Reply::not_found(DOC_CREATE_STATUS);
    };
    let Some(state) = ctx.body_str("state") else {
        return missing("state", DOC_CREATE_STATUS);
    };
    if !DEPLOYMENT_STATES.contains(&state) {
        return Reply::validation(
            json!({ "resource": "DeploymentStatus", "code": "custom", "field": "state",
                    "message": "state is not included in the list" }),
            DOC_CREATE_STATUS,
        );
    }
    let description = ctx.body_str("description").unwrap_or("").to_owned();
    if description.chars().count() > 140 {
        return Reply::validation(
            json!({ "resource": "DeploymentStatus", "code": "custom", "field": "description",
                    "message": "description is too long (maximum is 140 characters)" }),
            DOC_CREATE_STATUS,
        );
    }
    let now = s.clock.now();
    let sid = s.next_id();
    let log_url = ctx
        .body_str("log_url")
        .or_else(|| ctx.body_str("target_url"))
        .unwrap_or("")
        .to_owned();
    let environment = ctx
        .body_str("environment")
        .map(str::to_owned)
        .unwrap_or_else(|| s.deployments[i].environment.clone());
    let status = DeploymentStatus {
        id: sid,
        state: state.to_owned(),
        description,
        environment: environment.clone(),
        log_url,
        environment_url: ctx.body_str("environment_url").unwrap_or("").to_owned(),
        creator: ctx.token.login.clone(),
        created_at: now,
    };
    {
        let d = &mut s.deployments[i];
        d.environment = environment.clone();
        d.updated_at = now;
        d.statuses.push(status.clone());
    }
    // auto_inactive (default true): a success marks earlier successful,
    // non-transient, non-production deployments of the environment inactive.
    if state == "success" && ctx.body_bool("auto_inactive").unwrap_or(true) {
        let this = s.deployments[i].id;
        let mut marks = Vec::new();
        for (j, d) in s.deployments.iter().enumerate() {
            if d.id != this
                && d.environment == environment
                && !d.transient_environment
                && !d.production_environment
                && d.statuses.last().is_some_and(|st| st.state == "success")
            {
                marks.push(j);
            }
        }
        for j in marks {
            let sid = s.next_id();
            let d = &mut s.deployments[j];
            let st = DeploymentStatus {
                id: sid,
                state: "inactive".into(),
                description: String::new(),
                environment: d.environment.clone(),
                log_url: String::new(),
                environment_url: String::new(),
                creator: ctx.token.login.clone(),
                created_at: now,
            };
            d.statuses.push(st);
            d.updated_at = now;
        }
    }
    let d = &s.deployments[i];
    Reply::json(201, s.status_json(d, &status))
}
