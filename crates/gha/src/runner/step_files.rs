//! The step's files: outputs appended to `$GITHUB_OUTPUT` and Markdown to
//! `$GITHUB_STEP_SUMMARY`, each within its budget, spilling the rest into
//! files under `$RUNNER_TEMP`. The workflow-command writer is in the parent.

use super::Runner;
use crate::output::{
    OUTPUT_BUDGET, Outputs, as_text, format_entry, random_delimiter, truncate_text,
};
use crate::summary::SUMMARY_BUDGET;
use serde_json::{Value, json};
use std::fs::OpenOptions;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

impl Runner {
    /// Appends every output to `$GITHUB_OUTPUT`, spilling values over the
    /// budget into files (`KEY-file` output, `truncated=true`).
    pub fn write_outputs(&self, outputs: &Outputs) -> io::Result<()> {
        let Some(path) = &self.env.output_file else {
            return Ok(());
        };
        let mut buf = String::new();
        let mut truncated = false;
        for (key, value) in outputs.iter() {
            let text = self.redact_masks(&as_text(value));
            if text.len() <= OUTPUT_BUDGET {
                buf.push_str(&format_entry(key, &text));
                continue;
            }
            let file = self.spill(key, &text)?;
            let head = match value {
                Value::String(_) => truncate_text(&text, OUTPUT_BUDGET - 1024).to_owned(),
                _ => json!({"truncated": true, "file": file.display().to_string()}).to_string(),
            };
            buf.push_str(&format_entry(key, &head));
            buf.push_str(&format_entry(
                &format!("{key}-file"),
                &file.display().to_string(),
            ));
            truncated = true;
            self.warning(&format!(
                "output '{key}' is {} KiB, over the {} KiB budget: cut here, in full in {}",
                text.len() / 1024,
                OUTPUT_BUDGET / 1024,
                file.display()
            ));
        }
        if truncated || outputs.get("truncated").is_none() && !outputs.is_empty() {
            buf.push_str(&format_entry(
                "truncated",
                if truncated { "true" } else { "false" },
            ));
        }
        append(path, buf.as_bytes())
    }

    fn spill(&self, key: &str, text: &str) -> io::Result<PathBuf> {
        let dir = self.env.temp_dir.clone().unwrap_or_else(std::env::temp_dir);
        std::fs::create_dir_all(&dir)?;
        let suffix = random_delimiter();
        let path = dir.join(format!(
            "shipgate-{}-{key}-{}.txt",
            self.tool,
            &suffix[suffix.len() - 12..]
        ));
        std::fs::write(&path, text)?;
        Ok(path)
    }

    /// Appends Markdown to `$GITHUB_STEP_SUMMARY` within its budget; what
    /// does not fit goes to a file named at the end of the cut summary.
    pub fn append_summary(&self, markdown: &str) -> io::Result<()> {
        let Some(path) = &self.env.summary_file else {
            return Ok(());
        };
        if markdown.is_empty() {
            return Ok(());
        }
        let markdown = self.redact(markdown);
        let existing = std::fs::metadata(path)
            .map(|m| m.len() as usize)
            .unwrap_or(0);
        let room = SUMMARY_BUDGET.saturating_sub(existing);
        if markdown.len() <= room {
            return append(path, markdown.as_bytes());
        }
        let file = self.spill("summary", &markdown)?;
        let note = format!(
            "\n\n> **Summary truncated** ({} KiB over budget); the full text is in `{}` on the runner.\n",
            (markdown.len() - room) / 1024 + 1,
            file.display()
        );
        let head = truncate_text(&markdown, room.saturating_sub(note.len() + 16));
        if let Some(out) = &self.env.output_file {
            append(
                out,
                format!(
                    "{}{}",
                    format_entry("summary-file", &file.display().to_string()),
                    format_entry("truncated", "true")
                )
                .as_bytes(),
            )?;
        }
        append(path, format!("{head}{note}").as_bytes())
    }
}

fn append(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = OpenOptions::new().create(true).append(true).open(path)?;
    f.write_all(bytes)?;
    f.flush()
}
