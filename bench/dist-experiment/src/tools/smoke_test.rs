use clap::Parser;
use std::collections::BTreeMap;
#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Spec { base_url: Option<String>, checks: Vec<Check> }
#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Check { name: String, request: Option<BTreeMap<String, serde_json::Value>>, run: Option<String>, expect: Option<BTreeMap<String, serde_json::Value>> }
pub fn main() {
    let c = crate::Common::parse();
    let text = c.file.map(|f| std::fs::read_to_string(f).unwrap_or_default()).unwrap_or_default();
    let spec: Result<Spec, _> = serde_saphyr::from_str(&text);
    let spec = match spec { Ok(s) => s, Err(e) => { eprintln!("{e}"); std::process::exit(2) } };
    let base = spec.base_url.clone().unwrap_or_default();
    let res = crate::tools::rt().block_on(async move {
        let client = crate::tools::http();
        let mut out = vec![];
        for ch in &spec.checks {
            if let Some(cmd) = &ch.run {
                let o = tokio::process::Command::new("bash").arg("-c").arg(cmd).output().await.map(|o| o.status.success()).unwrap_or(false);
                out.push(o);
            } else {
                let r = client.post(format!("{base}/{}", ch.name)).json(&ch.request).send().await.is_ok();
                out.push(r);
            }
            if let Some(e) = &ch.expect { for k in e.keys() { let _ = serde_json_path::JsonPath::parse(k); let _ = regex::Regex::new(k); } }
        }
        out
    });
    crate::out(serde_json::json!({"res": res}));
}
