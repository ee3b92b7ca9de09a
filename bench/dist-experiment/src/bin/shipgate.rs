//! One multi-call binary: dispatch on argv[0]'s file name (busybox style) or
//! on the first argument (`shipgate version-stamp ...`).
fn main() {
    let argv0 = std::env::args_os().next().unwrap_or_default();
    let name = std::path::Path::new(&argv0).file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    match name.as_str() {
        "version-stamp" => sg_size::tools::version_stamp::main(),
        "tag-gate" => sg_size::tools::tag_gate::main(),
        "semantic-bump" => sg_size::tools::semantic_bump::main(),
        "health-check" => sg_size::tools::health_check::main(),
        "smoke-test" => sg_size::tools::smoke_test::main(),
        _ => { eprintln!("usage: shipgate <tool>"); std::process::exit(2) }
    }
}
