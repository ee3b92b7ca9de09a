use clap::Parser;
pub fn main() {
    let c = crate::Common::parse();
    let url = c.url.unwrap_or_else(|| "http://127.0.0.1:1/".into());
    let path = c.value.unwrap_or_else(|| "$.status".into());
    let body = crate::tools::rt().block_on(async move {
        let client = crate::tools::http();
        match client.get(&url).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(e) => e.to_string(),
        }
    });
    let q = serde_json_path::JsonPath::parse(&path).ok();
    let v: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    let found = q.map(|q| q.query(&v).all().len()).unwrap_or(0);
    let re = regex::Regex::new("ok").unwrap().is_match(&body);
    crate::out(serde_json::json!({"found": found, "re": re, "len": body.len()}));
}
