//! [`Book`]: the register as the service reads it — every plot's [`Entry`] in memory,
//! immutable, one version per committed change. A change makes a new book that shares the
//! untouched entries with the old one (the entries as loaded stay in one shared map; the
//! changed ones sit in a small map beside it), so publishing an edit copies a few entries,
//! not the register.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Serialize;

use super::facts::Facts;
use crate::geodata::PropValue;

/// One plot's entry: its facts, and when, by whom and in which revision they last changed.
#[derive(Debug, Clone, Serialize)]
pub struct Entry {
    /// The plot's cadastral identifier.
    pub plot: String,
    pub facts: Facts,
    /// The register's revision that last changed this entry (0: as first imported).
    pub revision: u64,
    /// RFC 3339.
    pub updated_at: String,
    pub updated_by: String,
    /// The public fields (see [`Facts::public_fields`]), built once per change rather than
    /// per card.
    #[serde(skip)]
    public: Vec<(&'static str, PropValue)>,
}

impl Entry {
    pub fn new(plot: String, facts: Facts, revision: u64, updated_at: String, by: String) -> Entry {
        let public = facts.public_fields();
        Entry {
            plot,
            facts,
            revision,
            updated_at,
            updated_by: by,
            public,
        }
    }

    /// The fields a public answer shows, in order.
    pub fn public_fields(&self) -> &[(&'static str, PropValue)] {
        &self.public
    }

    /// The entity tag of this entry (for `If-Match`).
    pub fn etag(&self) -> String {
        format!("\"r{}\"", self.revision)
    }
}

/// Past this many changed entries, a new book folds them into its shared map.
const MAX_CHANGED: usize = 1024;

/// One version of the register, in memory.
#[derive(Debug, Clone, Default)]
pub struct Book {
    /// The entries as loaded (or as last folded), shared by every later version.
    loaded: Arc<BTreeMap<String, Arc<Entry>>>,
    /// The entries changed since.
    changed: BTreeMap<String, Arc<Entry>>,
    /// The last committed revision.
    revision: u64,
}

impl Book {
    pub fn new(entries: Vec<Entry>, revision: u64) -> Book {
        let loaded = entries
            .into_iter()
            .map(|e| (e.plot.clone(), Arc::new(e)))
            .collect();
        Book {
            loaded: Arc::new(loaded),
            changed: BTreeMap::new(),
            revision,
        }
    }

    /// The last committed revision (0 for a register that was never changed).
    pub fn revision(&self) -> u64 {
        self.revision
    }

    pub fn get(&self, plot: &str) -> Option<&Arc<Entry>> {
        self.changed.get(plot).or_else(|| self.loaded.get(plot))
    }

    pub fn len(&self) -> usize {
        self.loaded.len()
            + self
                .changed
                .keys()
                .filter(|k| !self.loaded.contains_key(*k))
                .count()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Every entry, by plot identifier.
    pub fn entries(&self) -> impl Iterator<Item = &Arc<Entry>> + '_ {
        let loaded = self
            .loaded
            .iter()
            .filter(|(k, _)| !self.changed.contains_key(*k))
            .map(|(_, e)| e);
        let mut all: Vec<&Arc<Entry>> = loaded.chain(self.changed.values()).collect();
        all.sort_by(|a, b| a.plot.cmp(&b.plot));
        all.into_iter()
    }

    /// The entries changed after their import (revision above 0): what may differ from the
    /// plots file, so what may have changed a tile.
    pub fn edited(&self) -> impl Iterator<Item = &Arc<Entry>> + '_ {
        self.entries().filter(|e| e.revision > 0)
    }

    /// A new version with `entry` committed in revision `entry.revision`.
    pub fn with(&self, entry: Entry) -> Book {
        let mut changed = self.changed.clone();
        let revision = self.revision.max(entry.revision);
        changed.insert(entry.plot.clone(), Arc::new(entry));
        if changed.len() <= MAX_CHANGED {
            return Book {
                loaded: Arc::clone(&self.loaded),
                changed,
                revision,
            };
        }
        let mut loaded = (*self.loaded).clone();
        loaded.extend(changed);
        Book {
            loaded: Arc::new(loaded),
            changed: BTreeMap::new(),
            revision,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(plot: &str, revision: u64) -> Entry {
        Entry::new(
            plot.into(),
            Facts::available(),
            revision,
            String::new(),
            "t".into(),
        )
    }

    #[test]
    fn a_change_shares_the_rest_and_leaves_the_old_version_alone() {
        let old = Book::new(vec![entry("1.1.1", 0), entry("1.1.2", 0)], 0);
        let new = old.with(entry("1.1.2", 1));
        assert!(Arc::ptr_eq(&old.loaded, &new.loaded));
        assert_eq!(old.get("1.1.2").unwrap().revision, 0);
        assert_eq!(new.get("1.1.2").unwrap().revision, 1);
        assert_eq!((new.len(), new.revision()), (2, 1));
        assert_eq!(new.edited().count(), 1);
        let mut many = new;
        for i in 0..(MAX_CHANGED as u64 + 5) {
            many = many.with(entry(&format!("2.2.{i}"), i + 2));
        }
        assert_eq!(many.len(), 2 + MAX_CHANGED + 5);
        assert!(many.changed.len() <= MAX_CHANGED);
        assert_eq!(many.entries().count(), many.len());
    }
}
