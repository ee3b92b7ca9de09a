//! An HTTP check: its request, its headers and body, its expectations.

use super::{CheckDefaults, Compiler};
use crate::spec::raw::{self, Loc};
use crate::spec::*;
use crate::template::{Template, Values};
use probe::{Method, StatusExpect};
use std::time::Duration;

impl Compiler<'_> {
    pub(super) fn http(
        &mut self,
        r: &raw::Request,
        loc: Loc,
        expect: Option<&raw::Expect>,
        check_timeout: Option<Duration>,
        d: &CheckDefaults<'_>,
        uses: &mut Vec<(String, Loc)>,
    ) -> HttpCheck {
        let method = match &r.method {
            Some(t) => match self.expanded(t) {
                Some(m) => probe::parse_method(&m).unwrap_or_else(|e| {
                    self.err(t.loc, e.to_string());
                    Method::GET
                }),
                None => Method::GET,
            },
            None => Method::GET,
        };
        let target = match (&r.path, &r.url) {
            (Some(p), None) => {
                let (t, u) = self.template(p, true);
                uses.extend(u);
                Target::Path(t)
            }
            (None, Some(url)) => {
                let before = self.errors.len();
                let (t, u) = self.template(url, true);
                uses.extend(u);
                if t.vars().next().is_none() && self.errors.len() == before {
                    let lit = t.render(&Values::new()).unwrap_or_default();
                    match probe::parse_url(&lit) {
                        Ok(u) => self.secrets.extend(probe::secret::url_secrets(&u)),
                        Err(e) => self.err(
                            url.loc,
                            format!("url: {e}; use `path:` for a path under base_url"),
                        ),
                    }
                }
                Target::Url(t)
            }
            (Some(p), Some(_)) => {
                self.err(
                    p.loc,
                    "a request has `path:` (under base_url) or `url:` (a whole URL), not both",
                );
                Target::Path(Template::default())
            }
            (None, None) => {
                self.err(loc, "a request needs `path:` (under base_url) or `url:`");
                Target::Path(Template::default())
            }
        };
        // Headers: defaults, then the check's (same name replaces).
        let mut with_uses: Vec<(Header, Vec<(String, Loc)>)> = Vec::new();
        let add = |list: &mut Vec<(Header, Vec<(String, Loc)>)>,
                   name: String,
                   value: Template,
                   u: Vec<(String, Loc)>| {
            list.retain(|(h, _)| !h.name.eq_ignore_ascii_case(&name));
            let secret = is_secret_header(&name);
            list.push((
                Header {
                    name,
                    value,
                    secret,
                },
                u,
            ));
        };
        for (name, value, u) in d.headers {
            add(&mut with_uses, name.clone(), value.clone(), u.clone());
        }
        for (k, v) in &r.headers.entries {
            let (value, u) = self.template(v, true);
            if let Some(name) = self.header_name(k) {
                add(&mut with_uses, name, value, u);
            }
        }
        let mut headers = Vec::new();
        // A value cut short by a failed `${ENV}` is no secret ("Bearer ").
        let clean = self.errors.is_empty();
        for (h, u) in with_uses {
            if h.secret {
                self.secrets.extend(h.value.env_values().map(str::to_owned));
                if h.value.vars().next().is_none() && clean {
                    let value = h.value.render(&Values::new()).unwrap_or_default();
                    self.secrets.extend(probe::secret::header_secrets(&value));
                }
            }
            uses.extend(u);
            headers.push(h);
        }
        let mut query = Vec::new();
        for (k, v) in &r.query.entries {
            let (t, u) = self.template(v, true);
            uses.extend(u);
            let name = self.plain(k);
            if probe::secret::is_sensitive_param(&name) {
                self.secrets.extend(t.env_values().map(str::to_owned));
            }
            query.push((name, t));
        }
        let body = match (&r.json, &r.body) {
            (Some(j), None) => Body::Json(self.json_template(j, uses)),
            (None, Some(b)) => {
                let (t, u) = self.template(b, true);
                uses.extend(u);
                Body::Text(t)
            }
            (Some(j), Some(_)) => {
                self.err(j.loc, "a request has `json:` or `body:`, not both");
                Body::None
            }
            (None, None) => Body::None,
        };
        let timeout = match (&r.timeout, check_timeout) {
            (Some(t), None) => self.duration(t, "request.timeout"),
            (None, Some(t)) => Some(t),
            (Some(t), Some(_)) => {
                self.err(
                    t.loc,
                    "timeout given twice: in `request:` and on the check; keep one",
                );
                None
            }
            (None, None) => None,
        }
        .unwrap_or(d.timeout);
        let follow_redirects = r
            .follow_redirects
            .as_ref()
            .and_then(|t| self.boolean(t, "follow_redirects"))
            .unwrap_or(true);

        let expect = match expect {
            Some(e) => {
                let status = match &e.status {
                    Some(st) => {
                        let mut texts = Vec::new();
                        for item in &st.items {
                            let Some(text) = self.expanded(item) else {
                                continue;
                            };
                            match StatusExpect::parse(&text) {
                                Ok(_) => texts.push(text),
                                Err(m) => self.err(item.loc, m.to_string()),
                            }
                        }
                        if st.items.is_empty() {
                            self.err(st.loc, "`status: []` accepts nothing: give a code, a list or a class such as 2xx");
                        }
                        StatusExpect::parse(&texts.join(","))
                            .unwrap_or_else(|_| StatusExpect::success())
                    }
                    None => StatusExpect::success(),
                };
                let mut headers = Vec::new();
                for (k, v) in &e.headers.entries {
                    let before = self.errors.len();
                    let (t, u) = self.template(v, true);
                    uses.extend(u);
                    if t.vars().next().is_none() && self.errors.len() == before {
                        let lit = t.render(&Values::new()).unwrap_or_default();
                        if let Err(e) = probe::TextMatch::parse(&lit) {
                            self.err(v.loc, e.to_string());
                        }
                    }
                    if let Some(name) = self.header_name(k) {
                        headers.push((name.to_ascii_lowercase(), t));
                    }
                }
                HttpExpect {
                    status,
                    headers,
                    body_contains: self.templates(&e.body_contains, uses),
                    body_matches: self.regexes(&e.body_matches, "body_matches regex"),
                    json: self.json_expects(&e.json, uses),
                    max_latency: e
                        .max_latency
                        .as_ref()
                        .and_then(|t| self.duration(t, "max_latency")),
                }
            }
            None => HttpExpect {
                status: StatusExpect::success(),
                headers: Vec::new(),
                body_contains: Vec::new(),
                body_matches: Vec::new(),
                json: Vec::new(),
                max_latency: None,
            },
        };
        HttpCheck {
            method,
            target,
            headers,
            query,
            body,
            timeout,
            follow_redirects,
            expect,
            origin: None,
        }
    }
}

fn is_secret_header(name: &str) -> bool {
    probe::secret::is_sensitive_header(name)
}
