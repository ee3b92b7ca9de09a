use clap::Parser;
pub fn main() {
    let c = crate::Common::parse();
    let v = c.value.clone().unwrap_or_default();
    let parsed = jiff::Timestamp::now();
    if let Some(url) = c.url {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let r = crate::tools::rt().block_on(async move {
            let oc = octocrab::OctocrabBuilder::new().base_uri(url).unwrap().personal_token(v.clone()).build().unwrap();
            let repo = oc.repos("o", "r");
            let t = repo.list_tags().send().await.map(|p| p.items.len()).unwrap_or(0);
            let d = oc.repos("o", "r").list_commits().send().await.map(|p| p.items.len()).unwrap_or(0);
            let g: Result<serde_json::Value, _> = oc.graphql(&serde_json::json!({"query": v})).await;
            (t, d, g.is_ok())
        });
        crate::out(serde_json::json!({"r": format!("{r:?}"), "t": parsed.to_string()}));
    } else {
        crate::out(serde_json::json!({"t": parsed.to_string()}));
    }
}
