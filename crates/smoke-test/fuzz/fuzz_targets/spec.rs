//! The spec path: YAML → raw spec → compiled checks (templates, `${ENV}`,
//! durations, statuses, regexes, JSONPath, the dependency graph) must never
//! panic, and every error it reports must carry a location inside the file
//! (line ≥ 1, within the source's line count + 1).
//!
//!   cargo +nightly fuzz run spec crates/smoke-test/fuzz/seeds/spec
#![no_main]

use libfuzzer_sys::fuzz_target;
use smoke_test::spec::{LoadOptions, load};

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let env = |name: &str| (name == "BASE_URL").then(|| "http://127.0.0.1:1".to_owned());
    let opts = LoadOptions {
        file: "smoke.yml".into(),
        base_url: None,
        vars: vec![("stage".into(), "qa".into())],
        retries: None,
        env: &env,
    };
    match load(source, &opts) {
        Ok(spec) => {
            // Dependencies point at checks that exist, and never at themselves.
            for (i, deps) in spec.deps.iter().enumerate() {
                for &d in deps {
                    assert!(d < spec.checks.len() && d != i, "{i} → {d}");
                }
            }
        }
        Err(errors) => {
            assert!(!errors.errors.is_empty());
            // YAML's line breaks: \r\n, \n, and a lone \r.
            let lines = source.replace("\r\n", "\n").matches(['\n', '\r']).count() + 1;
            for e in &errors.errors {
                assert!(e.line as usize <= lines, "{e:?} past the end ({lines} lines)");
            }
        }
    }
});
