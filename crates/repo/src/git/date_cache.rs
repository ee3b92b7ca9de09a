//! The tagger-date cache under `$GIT_COMMON_DIR/shipgate/`.

use jiff::Timestamp;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Tagger dates by tag object id. A tag object never changes, so an entry
/// never goes stale; a lost or damaged file only costs a re-read.
pub(super) struct DateCache {
    path: PathBuf,
    map: HashMap<String, Option<i64>>,
    dirty: bool,
}

impl DateCache {
    pub(super) fn load(path: &Path) -> Self {
        let mut map = HashMap::new();
        if let Ok(text) = std::fs::read_to_string(path) {
            for line in text.lines() {
                let Some((oid, date)) = line.split_once(' ') else {
                    continue;
                };
                if !(oid.len() == 40 || oid.len() == 64)
                    || !oid.bytes().all(|b| b.is_ascii_hexdigit())
                {
                    continue;
                }
                let date = match date {
                    "-" => None,
                    d => match d.parse::<i64>() {
                        Ok(s) => Some(s),
                        Err(_) => continue,
                    },
                };
                map.insert(oid.to_owned(), date);
            }
        }
        DateCache {
            path: path.to_owned(),
            map,
            dirty: false,
        }
    }

    pub(super) fn contains(&self, oid: &str) -> bool {
        self.map.contains_key(oid)
    }

    pub(super) fn get(&self, oid: &str) -> Option<Timestamp> {
        self.map
            .get(oid)
            .copied()
            .flatten()
            .and_then(|s| Timestamp::from_second(s).ok())
    }

    pub(super) fn insert(&mut self, oid: String, date: Option<Timestamp>) {
        self.map.insert(oid, date.map(|t| t.as_second()));
        self.dirty = true;
    }

    /// Best effort: a cache that cannot be written is only slower.
    pub(super) fn save(&self) {
        if !self.dirty {
            return;
        }
        let Some(dir) = self.path.parent() else {
            return;
        };
        if std::fs::create_dir_all(dir).is_err() {
            return;
        }
        let mut text = String::with_capacity(self.map.len() * 52);
        for (oid, date) in &self.map {
            text.push_str(oid);
            text.push(' ');
            match date {
                Some(s) => text.push_str(&s.to_string()),
                None => text.push('-'),
            }
            text.push('\n');
        }
        let tmp = dir.join(format!(
            ".tag-dates-{}-{}.tmp",
            std::process::id(),
            Timestamp::now().as_nanosecond()
        ));
        if std::fs::write(&tmp, text).is_ok() && std::fs::rename(&tmp, &self.path).is_err() {
            let _ = std::fs::remove_file(&tmp);
        }
    }
}
