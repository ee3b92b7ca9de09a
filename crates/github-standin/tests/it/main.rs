//! The stand-in itself, over real HTTP: documented shapes and headers,
//! auth, paging, faults, GraphQL, and the request log.

mod artifacts;
mod reviewers;

use github_standin::{Access, Fault, NewCommit, NewPull, NewToken, Permission, Route, StandIn};
use serde_json::{Value, json};
use std::time::{Duration, Instant};

const SHA_A: &str = "84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2";
const SHA_B: &str = "1a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d";

struct Http {
    rt: tokio::runtime::Runtime,
    client: reqwest::Client,
    base: String,
    token: String,
}

struct Answer {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
    text: String,
}

impl Answer {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl Http {
    fn new(gh: &StandIn) -> Self {
        let _ = rustls::crypto::ring::default_provider().install_default();
        Http {
            rt: tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap(),
            client: reqwest::Client::new(),
            base: gh.url(),
            token: gh.token().to_owned(),
        }
    }

    fn send_as(
        &self,
        token: Option<&str>,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> Result<Answer, reqwest::Error> {
        let url = if path.starts_with("http") {
            path.to_owned()
        } else {
            format!("{}{path}", self.base)
        };
        self.rt.block_on(async {
            let mut req = self
                .client
                .request(method.parse().unwrap(), url)
                .header("accept", "application/vnd.github+json");
            if let Some(t) = token {
                req = req.header("authorization", format!("Bearer {t}"));
            }
            if let Some(b) = body {
                req = req.json(&b);
            }
            let resp = req.send().await?;
            let status = resp.status().as_u16();
            let headers = resp.headers().clone();
            let text = resp.text().await?;
            Ok(Answer {
                status,
                headers,
                body: serde_json::from_str(&text).unwrap_or(Value::Null),
                text,
            })
        })
    }

    fn send(&self, method: &str, path: &str, body: Option<Value>) -> Answer {
        self.send_as(Some(&self.token.clone()), method, path, body)
            .expect("an answer")
    }

    fn get(&self, path: &str) -> Answer {
        self.send("GET", path, None)
    }

    fn post(&self, path: &str, body: Value) -> Answer {
        self.send("POST", path, Some(body))
    }

    fn graphql(&self, query: &str, variables: Value) -> Answer {
        self.post(
            "/graphql",
            json!({ "query": query, "variables": variables }),
        )
    }
}

fn seeded() -> StandIn {
    let gh = StandIn::builder()
        .clock("2025-01-20T14:30:00Z".parse().unwrap())
        .start();
    gh.add_commit(NewCommit::new("feat: a").sha(SHA_A));
    gh.add_commit(NewCommit::new("fix: b").sha(SHA_B));
    gh
}

const REPO: &str = "/repos/octo-org/demo-service";

#[test]
fn answers_carry_githubs_headers_and_error_shape() {
    let gh = seeded();
    let http = Http::new(&gh);
    let a = http.get(&format!("{REPO}/git/ref/tags/nope"));
    assert_eq!(a.status, 404);
    assert_eq!(a.body["message"], "Not Found");
    assert_eq!(a.body["status"], "404");
    assert!(
        a.body["documentation_url"]
            .as_str()
            .unwrap()
            .contains("get-a-reference")
    );
    assert_eq!(
        a.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    assert_eq!(a.header("x-ratelimit-limit"), Some("5000"));
    assert_eq!(a.header("x-ratelimit-remaining"), Some("4999"));
    assert_eq!(a.header("x-ratelimit-used"), Some("1"));
    assert_eq!(a.header("x-ratelimit-resource"), Some("core"));
    assert!(
        a.header("x-ratelimit-reset")
            .unwrap()
            .parse::<i64>()
            .is_ok()
    );
    assert!(a.header("x-github-request-id").unwrap().contains(':'));
    assert_eq!(
        a.header("x-accepted-github-permissions"),
        Some("contents=read")
    );
    let b = http.get(&format!("{REPO}/git/ref/tags/nope"));
    assert_ne!(
        a.header("x-github-request-id"),
        b.header("x-github-request-id")
    );
    assert_eq!(b.header("x-ratelimit-remaining"), Some("4998"));
}

#[test]
fn tokens_are_checked() {
    let gh = seeded();
    let http = Http::new(&gh);
    let path = format!("{REPO}/commits/{SHA_A}");
    let none = http.send_as(None, "GET", &path, None).unwrap();
    assert_eq!(none.status, 401);
    assert_eq!(none.body["message"], "Requires authentication");
    let wrong = http.send_as(Some("ghs_nope"), "GET", &path, None).unwrap();
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.body["message"], "Bad credentials");
    let ok = http.rt.block_on(async {
        http.client
            .get(format!("{}{path}", http.base))
            .header("authorization", format!("token {}", gh.token()))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    });
    assert_eq!(ok, 200, "the `token` scheme works too");
    assert!(gh.token().starts_with("ghs_") && gh.token().len() == 40);
    let log = gh.requests();
    assert!(!log[0].authenticated && !log[1].authenticated && log[2].authenticated);
}

#[test]
fn refs_are_created_once_and_matched_in_one_reply() {
    let gh = seeded();
    let http = Http::new(&gh);
    let created = http.post(
        &format!("{REPO}/git/refs"),
        json!({ "ref": "refs/tags/qa-1", "sha": SHA_A }),
    );
    assert_eq!(created.status, 201);
    assert_eq!(created.body["ref"], "refs/tags/qa-1");
    assert_eq!(created.body["object"]["type"], "commit");
    assert_eq!(created.body["object"]["sha"], SHA_A);
    assert!(
        created
            .header("location")
            .unwrap()
            .ends_with("/git/refs/tags/qa-1")
    );
    let again = http.post(
        &format!("{REPO}/git/refs"),
        json!({ "ref": "refs/tags/qa-1", "sha": SHA_B }),
    );
    assert_eq!(again.status, 422);
    assert_eq!(again.body["message"], "Reference already exists");
    assert_eq!(again.body["status"], "422");
    let bad = http.post(
        &format!("{REPO}/git/refs"),
        json!({ "ref": "refs/tags/x", "sha": "0000000000000000000000000000000000000000" }),
    );
    assert_eq!(bad.body["message"], "Object does not exist");
    let missing = http.post(&format!("{REPO}/git/refs"), json!({ "ref": "refs/tags/x" }));
    assert_eq!(missing.status, 422);
    assert!(
        missing.body["message"]
            .as_str()
            .unwrap()
            .contains("\"sha\" wasn't supplied")
    );

    for i in 0..150 {
        gh.lightweight_tag(&format!("qa-{i:03}"), SHA_A);
    }
    gh.lightweight_tag("qaa-1", SHA_A);
    let all = http.get(&format!("{REPO}/git/matching-refs/tags/qa-"));
    assert_eq!(all.status, 200);
    assert_eq!(
        all.body.as_array().unwrap().len(),
        151,
        "qa-1 and qa-000..149"
    );
    assert!(all.header("link").is_none());
    let none = http.get(&format!("{REPO}/git/matching-refs/tags/zzz"));
    assert_eq!(none.body, json!([]));

    // Update (fast-forward or forced) and delete.
    let moved = http.send(
        "PATCH",
        &format!("{REPO}/git/refs/tags/qa-1"),
        Some(json!({ "sha": SHA_B })),
    );
    assert_eq!(moved.status, 200, "B is a child of A");
    let back = http.send(
        "PATCH",
        &format!("{REPO}/git/refs/tags/qa-1"),
        Some(json!({ "sha": SHA_A })),
    );
    assert_eq!(back.body["message"], "Update is not a fast forward");
    let forced = http.send(
        "PATCH",
        &format!("{REPO}/git/refs/tags/qa-1"),
        Some(json!({ "sha": SHA_A, "force": true })),
    );
    assert_eq!(forced.status, 200);
    assert_eq!(
        http.send("DELETE", &format!("{REPO}/git/refs/tags/qa-1"), None)
            .status,
        204
    );
    assert_eq!(http.get(&format!("{REPO}/git/ref/tags/qa-1")).status, 404);
}

#[test]
fn tag_objects_and_commits() {
    let gh = seeded();
    let http = Http::new(&gh);
    let t = http.post(
        &format!("{REPO}/git/tags"),
        json!({ "tag": "qa-1", "message": "m\n", "object": SHA_A, "type": "commit",
                "tagger": { "name": "n", "email": "e@x", "date": "2025-01-21T10:00:00Z" } }),
    );
    assert_eq!(t.status, 201);
    assert_eq!(t.body["tagger"]["date"], "2025-01-21T10:00:00Z");
    assert_eq!(t.body["verification"]["verified"], false);
    let sha = t.body["sha"].as_str().unwrap();
    let got = http.get(&format!("{REPO}/git/tags/{sha}"));
    assert_eq!(got.body["object"]["sha"], SHA_A);
    assert_eq!(got.body["message"], "m\n");
    assert!(
        gh.refs("refs/tags/").is_empty(),
        "a tag object makes no ref"
    );

    let c = http.get(&format!("{REPO}/commits/84fb5881"));
    assert_eq!(c.status, 200);
    assert_eq!(c.body["sha"], SHA_A);
    assert_eq!(c.body["commit"]["message"], "feat: a");
    assert_eq!(http.get(&format!("{REPO}/commits/main")).body["sha"], SHA_B);
    let none = http.get(&format!("{REPO}/commits/deadbeef"));
    assert_eq!(none.status, 422);
    assert_eq!(none.body["message"], "No commit found for SHA: deadbeef");
    let git = http.get(&format!("{REPO}/git/commits/{SHA_B}"));
    assert_eq!(git.body["parents"][0]["sha"], SHA_A);
    assert_eq!(
        http.get(&format!("{REPO}/git/commits/84fb5881")).status,
        404
    );
    assert_eq!(
        http.get("/repos/octo-org/other/commits/84fb5881").status,
        404
    );
}

#[test]
fn deployments_page_with_link_headers() {
    let gh = seeded();
    let http = Http::new(&gh);
    for i in 0..250 {
        let d = http.post(
            &format!("{REPO}/deployments"),
            json!({ "ref": SHA_A, "environment": "qa", "payload": { "n": i },
                    "auto_merge": false, "required_contexts": [] }),
        );
        assert_eq!(d.status, 201);
    }
    http.post(&format!("{REPO}/deployments"), json!({ "ref": "main" }));
    let first = http.get(&format!("{REPO}/deployments?environment=qa&per_page=100"));
    assert_eq!(first.body.as_array().unwrap().len(), 100);
    assert_eq!(first.body[0]["payload"]["n"], 249, "newest first");
    let link = first.header("link").unwrap().to_owned();
    assert!(
        link.contains("rel=\"next\"") && link.contains("rel=\"last\""),
        "{link}"
    );
    assert!(!link.contains("rel=\"prev\""));
    let next = link
        .split(',')
        .find(|p| p.contains("rel=\"next\""))
        .unwrap()
        .split(';')
        .next()
        .unwrap()
        .trim()
        .trim_matches(['<', '>'])
        .to_owned();
    assert!(
        next.contains("/repositories/1296269/deployments?"),
        "{next}"
    );
    assert!(
        next.contains("environment=qa") && next.contains("page=2"),
        "{next}"
    );
    let second = http.get(&next);
    assert_eq!(second.body.as_array().unwrap().len(), 100);
    let third = http.get(&format!(
        "{REPO}/deployments?environment=qa&per_page=100&page=3"
    ));
    assert_eq!(third.body.as_array().unwrap().len(), 50);
    let link3 = third.header("link").unwrap();
    assert!(
        link3.contains("rel=\"prev\"")
            && link3.contains("rel=\"first\"")
            && !link3.contains("rel=\"next\"")
    );
    // Defaults: 30 a page; every environment; `production` by default.
    let default = http.get(&format!("{REPO}/deployments"));
    assert_eq!(default.body.as_array().unwrap().len(), 30);
    assert_eq!(default.body[0]["environment"], "production");
    assert_eq!(default.body[0]["production_environment"], true);
    let unknown = http.post(&format!("{REPO}/deployments"), json!({ "ref": "nope" }));
    assert_eq!(unknown.status, 422);
    assert_eq!(unknown.body["message"], "No ref found for: nope");
}

#[test]
fn statuses_follow_auto_inactive() {
    let gh = seeded();
    let http = Http::new(&gh);
    let mk = |env: &str| {
        http.post(
            &format!("{REPO}/deployments"),
            json!({ "ref": SHA_A, "environment": env }),
        )
        .body["id"]
            .as_u64()
            .unwrap()
    };
    let status = |id: u64, state: &str| {
        http.post(
            &format!("{REPO}/deployments/{id}/statuses"),
            json!({ "state": state, "log_url": "https://l", "environment_url": "https://e" }),
        )
    };
    let (a, b) = (mk("qa"), mk("qa"));
    let s = status(a, "success");
    assert_eq!(s.status, 201);
    assert_eq!(s.body["target_url"], "https://l");
    assert_eq!(s.body["environment_url"], "https://e");
    status(b, "success");
    let states = |id: u64| {
        gh.deployment_statuses(id)
            .iter()
            .map(|s| s["state"].as_str().unwrap().to_owned())
            .collect::<Vec<_>>()
    };
    assert_eq!(states(a), ["inactive", "success"]);
    assert_eq!(states(b), ["success"]);
    let (p1, p2) = (mk("production"), mk("production"));
    status(p1, "success");
    status(p2, "success");
    assert_eq!(states(p1), ["success"], "production deployments stay");
    let bad = status(a, "done");
    assert_eq!(bad.status, 422);
    assert_eq!(bad.body["errors"][0]["field"], "state");
    let long = http.post(
        &format!("{REPO}/deployments/{a}/statuses"),
        json!({ "state": "success", "description": "x".repeat(141) }),
    );
    assert_eq!(long.status, 422);
    assert_eq!(
        http.post(
            &format!("{REPO}/deployments/1/statuses"),
            json!({"state": "success"})
        )
        .status,
        404
    );
    let listed = http.get(&format!("{REPO}/deployments/{a}/statuses?per_page=1"));
    assert_eq!(listed.body[0]["state"], "inactive", "newest first");
    assert!(listed.header("link").unwrap().contains("page=2"));
}

#[test]
fn pulls_labels_and_releases() {
    let gh = seeded();
    let http = Http::new(&gh);
    gh.add_pull(
        NewPull::new(5, "feat: x")
            .labels(&["release:minor"])
            .merged_as(SHA_B),
    );
    gh.add_label(5, "area/api");
    let assoc = http.get(&format!("{REPO}/commits/{SHA_B}/pulls"));
    assert_eq!(assoc.body.as_array().unwrap().len(), 1);
    assert_eq!(assoc.body[0]["number"], 5);
    assert!(
        assoc.body[0].get("merged").is_none(),
        "the list shape has no `merged`"
    );
    let p = http.get(&format!("{REPO}/pulls/5"));
    assert_eq!(p.body["merged"], true);
    assert_eq!(p.body["merge_commit_sha"], SHA_B);
    assert_eq!(p.body["labels"][1]["name"], "area/api");
    assert_eq!(
        http.get(&format!("{REPO}/issues/5/labels"))
            .body
            .as_array()
            .unwrap()
            .len(),
        2
    );
    assert_eq!(http.get(&format!("{REPO}/pulls/6")).status, 404);

    let r = http.post(
        &format!("{REPO}/releases"),
        json!({ "tag_name": "v1.0.0", "target_commitish": SHA_A, "name": "v1.0.0", "body": "notes" }),
    );
    assert_eq!(r.status, 201);
    assert_eq!(gh.tag("v1.0.0").unwrap().0, SHA_A);
    let dup = http.post(&format!("{REPO}/releases"), json!({ "tag_name": "v1.0.0" }));
    assert_eq!(dup.status, 422);
    assert_eq!(
        dup.body["errors"],
        json!([{ "resource": "Release", "code": "already_exists", "field": "tag_name" }])
    );
    assert_eq!(dup.body["message"], "Validation Failed");
    assert_eq!(
        http.get(&format!("{REPO}/releases/tags/v1.0.0")).body["id"],
        r.body["id"]
    );
    assert_eq!(
        http.get(&format!("{REPO}/releases/latest")).body["id"],
        r.body["id"]
    );
    let id = r.body["id"].as_u64().unwrap();
    let patched = http.send(
        "PATCH",
        &format!("{REPO}/releases/{id}"),
        Some(json!({ "body": "more" })),
    );
    assert_eq!(patched.body["body"], "more");
    let draft = http.post(
        &format!("{REPO}/releases"),
        json!({ "tag_name": "v2.0.0", "draft": true }),
    );
    assert_eq!(draft.status, 201);
    assert!(gh.tag("v2.0.0").is_none(), "a draft makes no tag");
    assert_eq!(
        http.get(&format!("{REPO}/releases/tags/v2.0.0")).status,
        404
    );
}

#[test]
fn rulesets_and_permissions_refuse_with_githubs_words() {
    let gh = seeded();
    let http = Http::new(&gh);
    gh.restrict_tag_creation("prod-*");
    let r = http.post(
        &format!("{REPO}/git/refs"),
        json!({ "ref": "refs/tags/prod-1", "sha": SHA_A }),
    );
    assert_eq!(r.status, 422);
    assert_eq!(
        r.body["message"],
        "Repository rule violations found\n\nCannot create ref due to creations being restricted.\n\n"
    );
    let rel = http.post(&format!("{REPO}/releases"), json!({ "tag_name": "prod-2" }));
    assert_eq!(rel.status, 422);
    assert_eq!(rel.body["errors"][0]["field"], "pre_receive");
    let app = gh.add_token(NewToken::write_all().bypass_rulesets());
    let ok = http
        .send_as(
            Some(&app),
            "POST",
            &format!("{REPO}/git/refs"),
            Some(json!({ "ref": "refs/tags/prod-1", "sha": SHA_A })),
        )
        .unwrap();
    assert_eq!(ok.status, 201);

    gh.set_permission(Permission::Contents, Access::Read);
    let denied = http.post(
        &format!("{REPO}/git/refs"),
        json!({ "ref": "refs/tags/qa-1", "sha": SHA_A }),
    );
    assert_eq!(denied.status, 403);
    assert_eq!(
        denied.body["message"],
        "Resource not accessible by integration"
    );
    assert_eq!(
        denied.header("x-accepted-github-permissions"),
        Some("contents=write")
    );
    assert_eq!(
        http.get(&format!("{REPO}/git/matching-refs/tags/")).status,
        200
    );
    let reader = gh.add_token(NewToken::none().permission(Permission::Deployments, Access::Read));
    let d = http
        .send_as(Some(&reader), "GET", &format!("{REPO}/deployments"), None)
        .unwrap();
    assert_eq!(d.status, 200);
    let c = http
        .send_as(
            Some(&reader),
            "GET",
            &format!("{REPO}/commits/{SHA_A}"),
            None,
        )
        .unwrap();
    assert_eq!(c.status, 403);
}

#[test]
fn faults_are_served_in_order_and_logged() {
    let gh = seeded();
    let http = Http::new(&gh);
    gh.fail(Route::post("git/refs"), Fault::LostReply);
    gh.fail(Route::post("git/refs"), Fault::Hangup);
    gh.fail_any(Fault::secondary_rate_limit(7));
    assert_eq!(gh.pending_faults(), 3);
    let body = json!({ "ref": "refs/tags/a", "sha": SHA_A });
    assert!(
        http.send_as(
            Some(gh.token()),
            "POST",
            &format!("{REPO}/git/refs"),
            Some(body.clone())
        )
        .is_err()
    );
    assert_eq!(
        gh.refs("refs/tags/").len(),
        1,
        "applied, then the reply was lost"
    );
    let body_b = json!({ "ref": "refs/tags/b", "sha": SHA_A });
    assert!(
        http.send_as(
            Some(gh.token()),
            "POST",
            &format!("{REPO}/git/refs"),
            Some(body_b)
        )
        .is_err()
    );
    assert_eq!(gh.refs("refs/tags/").len(), 1, "a hangup applies nothing");
    let limited = http.get(&format!("{REPO}/commits/{SHA_A}"));
    assert_eq!(limited.status, 403);
    assert_eq!(limited.header("retry-after"), Some("7"));
    assert!(
        limited.body["message"]
            .as_str()
            .unwrap()
            .contains("secondary rate limit")
    );
    assert_eq!(gh.pending_faults(), 0);

    gh.fail(Route::graphql(), Fault::primary_rate_limit(60));
    let p = http.graphql("{ viewer { login } }", json!({}));
    assert_eq!(p.status, 403);
    assert_eq!(p.header("x-ratelimit-remaining"), Some("0"));
    gh.fail(
        Route::get("commits/*"),
        Fault::Delay(Duration::from_millis(300)),
    );
    let t = Instant::now();
    assert_eq!(http.get(&format!("{REPO}/commits/{SHA_A}")).status, 200);
    assert!(t.elapsed() >= Duration::from_millis(300));
    gh.fail(Route::post("deployments"), Fault::AppliedThenBadGateway);
    let d = http.post(&format!("{REPO}/deployments"), json!({ "ref": SHA_A }));
    assert_eq!(d.status, 502);
    assert!(d.text.contains("Bad Gateway"));
    assert_eq!(gh.deployments().len(), 1, "applied");

    let log = gh.requests();
    let labels: Vec<Option<&str>> = log.iter().map(|r| r.fault.as_deref()).collect();
    assert_eq!(
        labels,
        [
            Some("lost reply"),
            Some("hangup"),
            Some("reply 403"),
            Some("reply 403"),
            Some("delay 300 ms"),
            Some("applied then 502"),
        ]
    );
    assert_eq!(log[0].status, 0);
    assert_eq!(log[0].body.as_ref().unwrap()["ref"], "refs/tags/a");
    assert!(log[0].is(&Route::post("git/refs")));
    assert_eq!(gh.count(&Route::post("git/refs")), 2);
    gh.clear_requests();
    http.get(&format!("{REPO}/deployments?environment=qa&per_page=5"));
    assert_eq!(
        gh.requests()[0].query_param("per_page").as_deref(),
        Some("5")
    );
}

const REFS: &str = r#"query($owner: String!, $name: String!, $after: String) {
  repository(owner: $owner, name: $name) {
    refs(refPrefix: "refs/tags/", query: "qa-", first: 2, after: $after,
         orderBy: {field: TAG_COMMIT_DATE, direction: DESC}) {
      pageInfo { hasNextPage endCursor }
      nodes { name target { __typename oid ... on Tag { tagger { date } target { __typename oid } } } }
    }
  }
}"#;

#[test]
fn graphql_refs_page_with_cursors() {
    let gh = seeded();
    let http = Http::new(&gh);
    gh.lightweight_tag("qa-old", SHA_A);
    gh.lightweight_tag("qa-new", SHA_B);
    gh.annotated_tag(
        "qa-annotated",
        SHA_A,
        "msg",
        "2025-02-01T00:00:00Z".parse().unwrap(),
    );
    gh.lightweight_tag("prod-x", SHA_B);
    let vars = json!({ "owner": "octo-org", "name": "demo-service", "after": null });
    let p1 = http.graphql(REFS, vars.clone());
    assert_eq!(p1.status, 200);
    assert_eq!(p1.header("x-ratelimit-resource"), Some("graphql"));
    let refs = &p1.body["data"]["repository"]["refs"];
    let names: Vec<&str> = refs["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["name"].as_str().unwrap())
        .collect();
    // By the commit's date (B is newer), not by the tagger date.
    assert_eq!(names[0], "qa-new");
    assert_eq!(refs["pageInfo"]["hasNextPage"], true);
    let cursor = refs["pageInfo"]["endCursor"].as_str().unwrap();
    let p2 = http.graphql(
        REFS,
        json!({ "owner": "octo-org", "name": "demo-service", "after": cursor }),
    );
    let refs2 = &p2.body["data"]["repository"]["refs"];
    assert_eq!(refs2["nodes"].as_array().unwrap().len(), 1);
    assert_eq!(refs2["pageInfo"]["hasNextPage"], false);
    let all: Vec<Value> = refs["nodes"]
        .as_array()
        .unwrap()
        .iter()
        .chain(refs2["nodes"].as_array().unwrap())
        .cloned()
        .collect();
    let annotated = all.iter().find(|n| n["name"] == "qa-annotated").unwrap();
    assert_eq!(annotated["target"]["__typename"], "Tag");
    assert_eq!(
        annotated["target"]["tagger"]["date"],
        "2025-02-01T00:00:00+00:00"
    );
    assert_eq!(annotated["target"]["target"]["oid"], SHA_A);

    let missing = http.graphql(
        REFS,
        json!({ "owner": "octo-org", "name": "nope", "after": null }),
    );
    assert_eq!(missing.body["data"]["repository"], Value::Null);
    assert_eq!(missing.body["errors"][0]["type"], "NOT_FOUND");
    let too_many = http.graphql(&REFS.replace("first: 2", "first: 101"), vars);
    assert!(
        too_many.body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("limit of 100")
    );
    let no_auth = http
        .send_as(None, "POST", "/graphql", Some(json!({ "query": REFS })))
        .unwrap();
    assert_eq!(no_auth.status, 401);
}

#[test]
fn graphql_reads_aliased_refs_and_deployments() {
    let gh = seeded();
    let http = Http::new(&gh);
    gh.annotated_tag(
        "qa-1",
        SHA_A,
        "record",
        "2025-02-01T00:00:00Z".parse().unwrap(),
    );
    let q = r#"query($owner: String!, $name: String!, $r0: String!, $r1: String!) {
      repository(owner: $owner, name: $name) {
        r0: ref(qualifiedName: $r0) { name target { __typename oid ... on Tag { message } } }
        r1: ref(qualifiedName: $r1) { name }
      }
    }"#;
    let a = http.graphql(
        q,
        json!({ "owner": "octo-org", "name": "demo-service",
        "r0": "refs/tags/qa-1", "r1": "refs/tags/qa-2" }),
    );
    assert_eq!(a.body["data"]["repository"]["r0"]["name"], "qa-1");
    assert_eq!(
        a.body["data"]["repository"]["r0"]["target"]["message"],
        "record"
    );
    assert_eq!(a.body["data"]["repository"]["r1"], Value::Null);

    let id = gh.add_deployment("qa", SHA_A, "deploy", json!({ "schema": "x" }));
    gh.add_deployment_status(id, "in_progress", "");
    gh.add_deployment_status(id, "success", "done");
    gh.add_deployment("prod", SHA_A, "deploy", json!({}));
    let q = r#"query($owner: String!, $name: String!, $env: String!) {
      repository(owner: $owner, name: $name) {
        deployments(environments: [$env], first: 10, orderBy: {field: CREATED_AT, direction: DESC}) {
          nodes { databaseId payload state latestStatus { state } statuses(first: 10) { nodes { state description } } }
        }
      }
    }"#;
    let d = http.graphql(
        q,
        json!({ "owner": "octo-org", "name": "demo-service", "env": "qa" }),
    );
    let nodes = d.body["data"]["repository"]["deployments"]["nodes"]
        .as_array()
        .unwrap()
        .clone();
    assert_eq!(nodes.len(), 1);
    assert_eq!(nodes[0]["databaseId"], id);
    assert_eq!(nodes[0]["payload"], "{\"schema\":\"x\"}", "a JSON string");
    assert_eq!(nodes[0]["state"], "ACTIVE");
    assert_eq!(nodes[0]["latestStatus"]["state"], "SUCCESS");
    assert_eq!(nodes[0]["statuses"]["nodes"][1]["description"], "done");
    gh.set_permission(Permission::Deployments, Access::None);
    let f = http.graphql(
        q,
        json!({ "owner": "octo-org", "name": "demo-service", "env": "qa" }),
    );
    assert_eq!(f.body["errors"][0]["type"], "FORBIDDEN");
}

#[test]
fn the_stand_in_has_a_rate_limit_of_its_own() {
    let gh = StandIn::builder().rate_limit(2).start();
    gh.commit("x");
    let http = Http::new(&gh);
    assert_eq!(http.get(REPO).status, 200);
    assert_eq!(http.get(REPO).status, 200);
    let over = http.get(REPO);
    assert_eq!(over.status, 403);
    assert_eq!(over.header("x-ratelimit-remaining"), Some("0"));
    assert!(
        over.body["message"]
            .as_str()
            .unwrap()
            .contains("rate limit exceeded")
    );
    // Reading the limit is free, and says it is spent.
    let rl = http.get("/rate_limit");
    assert_eq!(rl.status, 200);
    assert_eq!(rl.body["resources"]["core"]["remaining"], 0);
    assert_eq!(rl.body["resources"]["graphql"]["remaining"], 2);
}

#[test]
fn stopping_frees_the_port() {
    let gh = StandIn::start();
    let addr = gh.addr();
    assert_eq!(addr.ip().to_string(), "127.0.0.1");
    drop(gh);
    assert!(std::net::TcpStream::connect(addr).is_err());
}

#[test]
fn environments_have_githubs_documented_shape() {
    let gh = seeded();
    let http = Http::new(&gh);
    let missing = http.get(&format!("{REPO}/environments/production"));
    assert_eq!(missing.status, 404);
    assert!(
        missing.body["documentation_url"]
            .as_str()
            .unwrap()
            .contains("get-an-environment")
    );

    gh.add_environment("production", &["octocat", "hubot"], Some(30));
    let e = http.get(&format!("{REPO}/environments/production"));
    assert_eq!(e.status, 200, "{}", e.text);
    for key in [
        "id",
        "node_id",
        "name",
        "url",
        "html_url",
        "created_at",
        "updated_at",
        "protection_rules",
    ] {
        assert!(e.body.get(key).is_some(), "{key}: {}", e.text);
    }
    assert_eq!(e.body["name"], "production");
    let rules = e.body["protection_rules"].as_array().unwrap();
    assert_eq!(rules[0]["type"], "wait_timer");
    assert_eq!(rules[0]["wait_timer"], 30);
    let reviewers = rules
        .iter()
        .find(|r| r["type"] == "required_reviewers")
        .unwrap();
    assert_eq!(reviewers["prevent_self_review"], false);
    assert_eq!(reviewers["reviewers"][0]["type"], "User");
    assert_eq!(reviewers["reviewers"][0]["reviewer"]["login"], "octocat");
    assert_eq!(reviewers["reviewers"].as_array().unwrap().len(), 2);
    // GitHub's names are case-insensitive.
    assert_eq!(
        http.get(&format!("{REPO}/environments/Production")).status,
        200
    );

    // Without reviewers: no required_reviewers rule at all.
    gh.add_environment("qa", &[], None);
    let qa = http.get(&format!("{REPO}/environments/qa"));
    assert_eq!(qa.body["protection_rules"], json!([]));

    // A deployment to a new name creates the environment.
    let d = http.post(
        &format!("{REPO}/deployments"),
        json!({ "ref": SHA_A, "environment": "dev", "required_contexts": [] }),
    );
    assert_eq!(d.status, 201);
    let list = http.get(&format!("{REPO}/environments"));
    let names: Vec<&str> = list.body["environments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["dev", "production", "qa"]);
    assert_eq!(list.body["total_count"], 3);

    // Environments are read with `actions: read`.
    gh.set_permission(Permission::Actions, Access::None);
    let denied = http.get(&format!("{REPO}/environments/production"));
    assert_eq!(denied.status, 403);
}

/// GitHub's `created_at` has whole seconds, and writes in one second share
/// it: the stand-in's real clock does the same (it never goes back).
#[test]
fn fast_writes_share_a_whole_second() {
    let gh = StandIn::builder().start();
    gh.add_commit(NewCommit::new("feat: a").sha(SHA_A));
    let http = Http::new(&gh);
    let mut shared = false;
    let mut last = String::new();
    for _ in 0..20 {
        let d = http.post(
            &format!("{REPO}/deployments"),
            json!({ "ref": SHA_A, "environment": "qa", "required_contexts": [] }),
        );
        let t = d.body["created_at"].as_str().unwrap().to_owned();
        assert!(t.ends_with('Z') && !t.contains('.'), "{t}");
        assert!(t >= last, "{t} after {last}");
        shared |= t == last;
        last = t;
    }
    assert!(shared, "twenty writes in a row never shared a second");
    let frozen = StandIn::builder()
        .frozen_clock("2025-01-20T14:30:00Z".parse().unwrap())
        .start();
    assert_eq!(frozen.now(), frozen.now());
}
