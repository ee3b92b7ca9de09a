use super::*;

fn version(s: &str) -> BuildVersion {
    s.parse().unwrap()
}

fn record() -> Provenance {
    Provenance {
        schema: PROVENANCE_SCHEMA.into(),
        version: version("84fb5881-20250120-143022"),
        stage: Stage::parse("qa").unwrap(),
        service: None,
        commit: CommitId::parse("84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2").unwrap(),
        artifact_digest: Some(format!("sha256:{}", "ab".repeat(32))),
        artifact_id: Some("123".into()),
        run_id: Some(42),
        run_attempt: Some(1),
        run_url: Some("https://github.com/o/r/actions/runs/42/attempts/1".into()),
        workflow: Some("promote-qa".into()),
        actor: Some("octocat".into()),
        time: "2025-01-21T10:00:00Z".parse().unwrap(),
        promoted_from: Some("build-84fb5881-20250120-143022".into()),
        note: None,
        image: None,
        image_digest: None,
    }
}

#[test]
fn chains() {
    let c = Chain::parse(" build, qa ,prod ").unwrap();
    assert_eq!(c.to_string(), "build,qa,prod");
    assert_eq!(c, Chain::default_chain());
    let qa = Stage::parse("qa").unwrap();
    let prod = Stage::parse("prod").unwrap();
    assert_eq!(c.previous(&prod), Some(&qa));
    assert_eq!(c.previous(c.first()), None);
    assert_eq!(c.earlier(&prod).len(), 2);
    assert!(matches!(Chain::parse(""), Err(ChainError::Empty)));
    assert!(matches!(
        Chain::parse("qa,qa"),
        Err(ChainError::Duplicate(s)) if s == "qa"
    ));
    assert!(matches!(
        Chain::parse("qa,pr/od"),
        Err(ChainError::Stage(_))
    ));
    assert!(Chain::parse("qa,$x").is_err());
}

#[test]
fn scopes_name_tags() {
    let qa = Scope::new(None, Stage::parse("qa").unwrap());
    let ver = version("84fb5881-20250120-143022");
    assert_eq!(qa.tag_name(&ver), "qa-84fb5881-20250120-143022");
    assert_eq!(
        qa.version_of("qa-84fb5881-20250120-143022"),
        Some(ver.clone())
    );
    assert_eq!(qa.version_of("qa-signoff"), None);
    assert_eq!(qa.version_of("qaa-84fb5881-20250120-143022"), None);
    let prod = Scope::new(None, Stage::parse("prod").unwrap());
    assert_eq!(prod.version_of("prod-eu-84fb5881-20250120-143022"), None);
    let shop = Scope::new(
        Some(Service::parse("shop").unwrap()),
        Stage::parse("qa").unwrap(),
    );
    assert_eq!(shop.tag_name(&ver), "shop/qa-84fb5881-20250120-143022");
    assert_eq!(shop.environment(), "shop/qa");
    assert_eq!(shop.version_of("qa-84fb5881-20250120-143022"), None);
    assert_eq!(
        shop.version_of("shop/qa-84fb5881-20250120-143022"),
        Some(ver)
    );
}

#[test]
fn provenance_round_trips_through_a_message() {
    let r = record();
    let msg = r.to_message("qa-84fb5881-20250120-143022");
    let first = msg.lines().next().unwrap();
    assert_eq!(
        first,
        "qa-84fb5881-20250120-143022: 84fb5881-20250120-143022 passed qa, promoted from build-84fb5881-20250120-143022 (commit 84fb5881a3c1)"
    );
    assert_eq!(Provenance::from_message(&msg), Ok(r.clone()));
    let json: serde_json::Value = serde_json::from_str(msg.split_once("\n\n").unwrap().1).unwrap();
    assert_eq!(json["schema"], PROVENANCE_SCHEMA);
    for key in [
        "version",
        "stage",
        "commit",
        "artifact_digest",
        "artifact_id",
        "run_id",
        "run_attempt",
        "run_url",
        "workflow",
        "actor",
        "time",
        "promoted_from",
    ] {
        assert!(json.get(key).is_some(), "{key}");
    }
    assert_eq!(json["time"], "2025-01-21T10:00:00Z");
    // A signature after the record is ignored.
    let signed = format!("{msg}-----BEGIN PGP SIGNATURE-----\nxyz\n-----END PGP SIGNATURE-----\n");
    assert_eq!(Provenance::from_message(&signed), Ok(r));
}

#[test]
fn unreadable_records_are_refused() {
    assert_eq!(
        Provenance::from_message("just a line"),
        Err(RecordError::Missing)
    );
    assert_eq!(
        Provenance::from_message("{\"schema\": \"shipgate.provenance/v1\"}"),
        Err(RecordError::Missing),
        "the first line is never the record"
    );
    assert!(matches!(
        Provenance::from_message("line\n\n{not json"),
        Err(RecordError::Json(_))
    ));
    assert!(matches!(
        Provenance::from_message("line\n\n{\"schema\": \"other/v9\"}"),
        Err(RecordError::Schema { found, .. }) if found == "other/v9"
    ));
    assert!(matches!(
        Provenance::from_message(
            "line\n\n{\"schema\": \"shipgate.provenance/v1\", \"version\": \"nope\"}"
        ),
        Err(RecordError::Json(_))
    ));
}

#[test]
fn statuses_parse() {
    assert_eq!("in_progress".parse(), Ok(DeployStatus::InProgress));
    assert_eq!(" Success ".parse(), Ok(DeployStatus::Success));
    assert_eq!("in-progress".parse(), Ok(DeployStatus::InProgress));
    assert!("done".parse::<DeployStatus>().is_err());
    assert_eq!(
        serde_json::to_string(&DeployStatus::InProgress).unwrap(),
        "\"in_progress\""
    );
}

#[test]
fn events_order_newest_first() {
    let ev = |id: &str, t: &str| StoredEvent {
        id: id.into(),
        event: DeploymentEvent {
            schema: DEPLOYMENT_SCHEMA.into(),
            service: None,
            stage: Stage::parse("qa").unwrap(),
            environment: None,
            production: false,
            version: version("84fb5881-20250120-143022"),
            status: DeployStatus::Success,
            commit: None,
            url: None,
            time: t.parse().unwrap(),
            actor: None,
            run_id: None,
            run_attempt: None,
            run_url: None,
            workflow: None,
            description: None,
        },
    };
    let mut list = [
        ev("a", "2025-01-03T00:00:00Z"),
        ev("c", "2025-01-01T00:00:00Z"),
        ev("b", "2025-01-02T00:00:00Z"),
    ];
    list.sort_by(event_order);
    let ids: Vec<_> = list.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids, ["c", "b", "a"]);
    let json = serde_json::to_value(&list[0]).unwrap();
    assert_eq!(json["id"], "c");
    assert_eq!(json["status"], "success");
    let mut event = list[0].event.clone();
    event.description = Some("bad build\nsecond line".into());
    let msg = event.to_message();
    assert_eq!(
        msg.lines().next().unwrap(),
        "deployment qa: 84fb5881-20250120-143022 success (bad build)"
    );
    assert_eq!(DeploymentEvent::from_message(&msg), Ok(event));
    assert!(matches!(
        DeploymentEvent::from_message(&record().to_message("qa-x")),
        Err(RecordError::Schema { .. })
    ));
}

#[test]
fn commit_ids() {
    let c = CommitId::parse(" 84FB5881A3C1E0E1D9C2B7A4F5E6D7C8B9A0F1E2 ").unwrap();
    assert_eq!(c.as_str(), "84fb5881a3c1e0e1d9c2b7a4f5e6d7c8b9a0f1e2");
    assert_eq!(c.short(8), "84fb5881");
    assert!(CommitId::parse("84fb5881").is_err());
}
