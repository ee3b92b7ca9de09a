//! Throwaway size experiment: each tool module links the dependencies the real
//! tool will use, with inputs from argv so nothing is optimised away.
pub mod tools;

use clap::Parser;

#[derive(Parser, Debug)]
pub struct Common {
    #[arg(long, env = "INPUT_JSON")]
    pub json: bool,
    #[arg(long, env = "INPUT_VALUE")]
    pub value: Option<String>,
    #[arg(long, env = "INPUT_URL")]
    pub url: Option<String>,
    #[arg(long, env = "INPUT_FILE")]
    pub file: Option<std::path::PathBuf>,
}

pub fn out(v: serde_json::Value) {
    println!("{v}");
}
