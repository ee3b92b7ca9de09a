use clap::Parser;
pub fn main() {
    let c = crate::Common::parse();
    let msg = c.value.clone().unwrap_or_default();
    let commit = git_conventional::Commit::parse(&msg).map(|c| format!("{} {:?} {}", c.type_(), c.scope(), c.breaking()));
    let v = semver::Version::parse("1.2.3").unwrap();
    let re = regex::Regex::new(&msg).map(|r| r.is_match("x")).unwrap_or(false);
    if let Some(url) = c.url {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let n = crate::tools::rt().block_on(async move {
            let oc = octocrab::OctocrabBuilder::new().base_uri(url).unwrap().build().unwrap();
            oc.pulls("o", "r").list().send().await.map(|p| p.items.len()).unwrap_or(0)
                + oc.repos("o", "r").releases().list().send().await.map(|p| p.items.len()).unwrap_or(0)
        });
        crate::out(serde_json::json!({"n": n}));
    }
    crate::out(serde_json::json!({"c": format!("{commit:?}"), "v": v.to_string(), "re": re}));
}
