//! The registry side of `examples/demo.sh`'s container path, from this
//! crate's test support (no Docker engine needed):
//!
//! ```text
//! demo-registry start DIR          starts docker-registry on 127.0.0.1 (htpasswd
//!                                  auth; config, log and storage in DIR) and
//!                                  leaves it running: prints `HOST PID`
//! demo-registry push IMAGE SEED    pushes a small image (a config and one layer,
//!                                  unique by SEED) to IMAGE (HOST/REPO:TAG) with
//!                                  the OCI client: prints its manifest digest
//! demo-registry tags REPO          prints each tag of HOST/REPO and its digest
//! ```
//!
//! Credentials: `registry::testing::USER`/`PASSWORD`, which `start`
//! configures. `SHIPGATE_DOCKER_REGISTRY` names the binary (default
//! `docker-registry`). Exit 2 on bad arguments, 1 when the registry fails.
//!
//! Built with the crate's dev-dependencies (the `testing` feature):
//! `cargo build -p registry --example demo-registry`.
#![allow(clippy::print_stdout, clippy::print_stderr)] // a command-line tool

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use registry::ImageRef;
use registry::testing::{TestRegistry, client_for, push_image};

const USAGE: &str = "usage: demo-registry start DIR | push IMAGE SEED | tags REPO";

fn main() -> ExitCode {
    // three fixed forms: a parser crate would be the larger part of this file
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["start", dir] => start(Path::new(dir)),
        ["push", image, seed] => image_arg(image).and_then(|i| push(&i, seed)),
        ["tags", repo] => image_arg(repo).and_then(|r| tags(&r)),
        _ => {
            eprintln!("demo-registry: {USAGE}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err((code, message)) => {
            eprintln!("demo-registry: {message}");
            ExitCode::from(code)
        }
    }
}

type Failed = (u8, String);

fn image_arg(value: &str) -> Result<ImageRef, Failed> {
    value
        .parse()
        .map_err(|e: registry::RegistryError| (2, e.to_string()))
}

fn start(dir: &Path) -> Result<(), Failed> {
    let bin = std::env::var_os("SHIPGATE_DOCKER_REGISTRY")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("docker-registry"));
    let found = Command::new(&bin)
        .arg("--version")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if !found {
        return Err((
            1,
            format!(
                "`{}` is not installed: apt-get install docker-registry",
                bin.display()
            ),
        ));
    }
    let reg = TestRegistry::start_in(&bin, dir);
    let host = reg.host.clone();
    let pid = reg.detach();
    println!("{host} {pid}");
    Ok(())
}

fn push(image: &ImageRef, seed: &str) -> Result<(), Failed> {
    if image.tag().is_none() || image.digest().is_some() {
        return Err((2, format!("push needs HOST/REPO:TAG, not `{image}`")));
    }
    let client = client_for(image.registry(), TestRegistry::credentials());
    let digest = push_image(&client, image, seed);
    println!("{digest}");
    Ok(())
}

fn tags(repo: &ImageRef) -> Result<(), Failed> {
    let client = client_for(repo.registry(), TestRegistry::credentials());
    let fail = |e: registry::RegistryError| (1, e.to_string());
    for tag in client.tags(repo).map_err(fail)? {
        let digest = client
            .resolve(&repo.at_tag(&tag).map_err(fail)?)
            .map_err(fail)?;
        println!("{}:{tag} {digest}", repo.repository());
    }
    Ok(())
}
