//! An HTTP check's attempt: templates rendered into a `probe` request,
//! the response held against the expectations, excerpts for the report.

use super::attempt::{Attempt, capture};
use super::{Ctx, OUTPUT_EXCERPT, join_url};
use crate::report::Mismatch;
use crate::spec::{Body, CaptureDef, HttpCheck, Target};
use crate::template::{Template, Values};
use probe::{Expectation, ExpectedValue, RegexExpect, Response, TextMatch};

pub(super) fn render(t: &Template, values: &Values) -> Result<String, String> {
    t.render(values)
        .map_err(|name| format!("no value for {{{{{name}}}}}"))
}

pub(super) async fn http_attempt(
    ctx: &Ctx,
    h: &HttpCheck,
    captures: &[CaptureDef],
    values: &Values,
) -> Attempt {
    let mut a = Attempt {
        target: format!("{} {}", h.method, "(URL not built)"),
        ..Attempt::default()
    };
    // Values are encoded as one path segment or query value: they cannot
    // move the request (see `Template::render_url`).
    let url_text = match &h.target {
        Target::Path(p) => p
            .render_url(values)
            .map(|p| join_url(ctx.spec.base_url.as_deref().unwrap_or(""), &p)),
        Target::Url(u) => u.render_url(values),
    };
    let url = match url_text
        .map_err(|e| e.to_string())
        .and_then(|u| probe::parse_url(&u).map_err(|e| e.to_string()))
    {
        Ok(u) => u,
        Err(e) => return a.fail("request", "a valid URL", e),
    };
    // A `{{name | raw}}` (or a value in the host) must leave the request
    // at the origin the spec writes: the spec's headers go nowhere else.
    let origin = url.origin().ascii_serialization();
    match &h.origin {
        Some(own) if *own != origin => {
            return a.fail(
                "request",
                &format!("a URL at the spec's origin {own}"),
                format!("a URL at {origin}: a filled-in value moved the request to another origin; refused"),
            );
        }
        None if !ctx.spec.origins.contains(&origin) => {
            let own = if ctx.spec.origins.is_empty() {
                "none".to_owned()
            } else {
                ctx.spec.origins.join(", ")
            };
            return a.fail(
                "request",
                &format!("a URL at one of the spec's origins ({own})"),
                format!("a URL at {origin}: a filled-in value chose an origin the spec does not name; refused"),
            );
        }
        _ => {}
    }
    // Every header comes from the spec: none may follow a redirect to
    // another origin.
    let mut req = probe::Request::new(h.method.clone(), url)
        .timeout(h.timeout)
        .headers_stay_at_origin(true);
    let mut secrets = Vec::new();
    for header in &h.headers {
        let value = match render(&header.value, values) {
            Ok(v) => v,
            Err(e) => return a.fail("request", "every header value", e),
        };
        if header.secret {
            secrets.extend(header.value.var_values(values));
        }
        match probe::Header::new(&header.name, &value) {
            Ok(ph) => req = req.header(ph),
            Err(e) => {
                for s in &secrets {
                    ctx.observer.secret(s);
                }
                return a.fail("request", "valid headers", e.to_string());
            }
        }
    }
    for (k, v) in &h.query {
        match render(v, values) {
            Ok(v) => req = req.query(k.clone(), v),
            Err(e) => return a.fail("request", "every query value", e),
        }
    }
    match &h.body {
        Body::None => {}
        Body::Text(t) => match render(t, values) {
            Ok(b) => req = req.body(b.into_bytes()),
            Err(e) => return a.fail("request", "a body", e),
        },
        Body::Json(j) => match j.render(values) {
            Ok(v) => req = req.json(v),
            Err(name) => {
                return a.fail(
                    "request",
                    "a JSON body",
                    format!("no value for {{{{{name}}}}}"),
                );
            }
        },
    }
    // Mask before anything about this request can be printed.
    secrets.extend(req.secrets());
    for s in &secrets {
        ctx.observer.secret(s);
    }
    a.target = format!("{} {}", h.method, req.display_url());
    let client = if h.follow_redirects {
        &ctx.client
    } else {
        &ctx.no_redirects
    };
    let resp = match client.send(&req).await {
        Ok(r) => r,
        Err(e) => {
            a.latency = Some(e.elapsed);
            a.http_status = e.status;
            a.output = format!("{}\n{}", a.target, e.message);
            let got = match &e.hint {
                Some(hint) => format!("{} ({hint})", e.message),
                None => e.message.clone(),
            };
            return a.fail("response", "an HTTP response", got);
        }
    };
    a.http_status = Some(resp.status);
    a.latency = Some(resp.total);
    let shown = redacted(ctx, &resp);
    a.output = response_output(&a.target, shown.as_ref().unwrap_or(&resp));

    let mut expectations = vec![Expectation::Status(h.expect.status.clone())];
    for (name, t) in &h.expect.headers {
        let value =
            match render(t, values).and_then(|v| TextMatch::parse(&v).map_err(|e| e.to_string())) {
                Ok(v) => v,
                Err(e) => return a.fail(&format!("header {name}"), "a valid expectation", e),
            };
        expectations.push(Expectation::Header {
            name: name.clone(),
            value: Some(value),
        });
    }
    for t in &h.expect.body_contains {
        match render(t, values) {
            Ok(s) => expectations.push(Expectation::BodyContains(s)),
            Err(e) => return a.fail("body contains", "a value", e),
        }
    }
    for re in &h.expect.body_matches {
        expectations.push(Expectation::BodyMatches(RegexExpect(re.clone())));
    }
    for j in &h.expect.json {
        match j.value.render(values) {
            Ok(v) => expectations.push(Expectation::Json {
                path: j.path.clone(),
                value: Some(ExpectedValue::from_json(v)),
            }),
            Err(name) => {
                return a.fail(
                    &format!("json {}", j.path),
                    "a value",
                    format!("no value for {{{{{name}}}}}"),
                );
            }
        }
    }
    if let Some(max) = h.expect.max_latency {
        expectations.push(Expectation::MaxLatency(max));
    }
    a.failures = evaluate(&expectations, &resp, shown.as_ref(), |m| m);
    if a.failures.is_empty() {
        capture(ctx, &mut a, captures, &resp, Some(&resp));
    }
    a
}

/// A copy of `resp` whose body has the known secrets replaced, when it
/// holds any.
pub(super) fn redacted(ctx: &Ctx, resp: &Response) -> Option<Response> {
    let text = resp.text();
    let shown = ctx.observer.redact(&text);
    if shown == text {
        return None;
    }
    let mut copy = Response::synthetic(resp.status, resp.headers.clone(), shown.into_bytes());
    copy.total = resp.total;
    copy.truncated = resp.truncated;
    Some(copy)
}

/// Evaluates on the real response; describes each failure from the
/// redacted copy (when there is one and it fails the same way).
pub(super) fn evaluate(
    expectations: &[Expectation],
    resp: &Response,
    shown: Option<&Response>,
    rename: impl Fn(Mismatch) -> Mismatch,
) -> Vec<Mismatch> {
    use probe::expect::Check as Outcome;
    expectations
        .iter()
        .filter_map(|e| match e.check(resp) {
            Outcome::Pass { .. } => None,
            Outcome::Fail(m) => Some(rename(match shown.map(|s| e.check(s)) {
                Some(Outcome::Fail(described)) => described,
                _ => m,
            })),
        })
        .collect()
}

/// The request line, the status, the headers (secret ones as `***`) and
/// the start of the body.
pub(super) fn response_output(target: &str, resp: &Response) -> String {
    let mut out = format!(
        "{target}\n{} {} in {}\n",
        resp.version,
        resp.status,
        gha::cli::human_duration(resp.total)
    );
    for (name, value) in &resp.headers {
        let shown = if probe::secret::is_sensitive_header(name.as_str()) {
            "***".into()
        } else {
            String::from_utf8_lossy(value.as_bytes()).into_owned()
        };
        out.push_str(&format!("{name}: {shown}\n"));
    }
    out.push('\n');
    out.push_str(&text_excerpt(&resp.body, resp.truncated));
    out
}

/// Up to [`OUTPUT_EXCERPT`] bytes of `bytes` as text.
pub(super) fn text_excerpt(bytes: &[u8], truncated: bool) -> String {
    let cut = bytes.len() > OUTPUT_EXCERPT;
    let mut text = String::from_utf8_lossy(&bytes[..bytes.len().min(OUTPUT_EXCERPT)]).into_owned();
    if cut || truncated {
        text.push_str("\n… (cut)");
    }
    text
}
