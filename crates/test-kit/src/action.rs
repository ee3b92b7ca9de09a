//! An `action.yml` read with serde-saphyr: its inputs, outputs and steps.

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
pub struct Action {
    pub name: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub inputs: BTreeMap<String, ActionInput>,
    #[serde(default)]
    pub outputs: BTreeMap<String, ActionOutput>,
    pub runs: Runs,
}

#[derive(Debug, Deserialize)]
pub struct ActionInput {
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub required: bool,
    pub default: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct ActionOutput {
    #[serde(default)]
    pub description: String,
    pub value: Option<String>,
}

#[derive(Debug, Deserialize)]
pub struct Runs {
    pub using: String,
    #[serde(default)]
    pub steps: Vec<ActionStep>,
}

#[derive(Debug, Deserialize)]
pub struct ActionStep {
    pub id: Option<String>,
    pub name: Option<String>,
    pub uses: Option<String>,
    pub run: Option<String>,
    pub shell: Option<String>,
    #[serde(rename = "if")]
    pub condition: Option<String>,
    #[serde(default)]
    pub env: BTreeMap<String, String>,
    #[serde(default)]
    pub with: BTreeMap<String, String>,
}

/// Reads and parses `path`, panicking with the path and the parse error.
pub fn read_action(path: &Path) -> Action {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
    serde_saphyr::from_str(&text).unwrap_or_else(|e| panic!("parse {}: {e}", path.display()))
}
