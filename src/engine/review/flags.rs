//! Samples flagged as bad, with an optional note, for one dataset. Kept by the UI in the
//! browser's storage as compact JSON (rows grouped by file), so it must stay small and
//! bounded: at most `MAX_FLAGS` flags and `MAX_NOTE_CHARS` characters a note, and a stored
//! text that cannot be read is reported, never trusted.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::engine::dataset::open::DatasetView;

/// At most this many flags per dataset (about 1–2 MB stored).
pub const MAX_FLAGS: usize = 100_000;

/// Longer notes are cut.
pub const MAX_NOTE_CHARS: usize = 2_000;

/// A stored text longer than this is not read (the browser's storage holds ~5 MB).
pub const MAX_STORED_BYTES: usize = 16 * 1024 * 1024;

const VERSION: u32 = 1;

/// Where the flags of a dataset are kept: one storage key per `src` (the demo when absent).
pub fn storage_key(src: Option<&str>) -> String {
    format!("scaleedit-gallery.flags.{}", src.unwrap_or("demo"))
}

/// The flags of one dataset: file → row → note (empty when none).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagSet {
    files: BTreeMap<String, BTreeMap<u64, String>>,
    len: usize,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    version: u32,
    files: BTreeMap<String, BTreeMap<u64, String>>,
}

fn cut(note: &str) -> String {
    let note = note.trim();
    match note.char_indices().nth(MAX_NOTE_CHARS) {
        Some((i, _)) => note[..i].to_string(),
        None => note.to_string(),
    }
}

impl FlagSet {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn contains(&self, file: &str, row: u64) -> bool {
        self.files.get(file).is_some_and(|rows| rows.contains_key(&row))
    }

    /// The note of a flagged sample ("" when it has none); `None` when not flagged.
    pub fn note(&self, file: &str, row: u64) -> Option<&str> {
        self.files.get(file)?.get(&row).map(String::as_str)
    }

    /// Flag a sample (or change its note). Refused, with a message, when the set is full.
    pub fn flag(&mut self, file: &str, row: u64, note: &str) -> Result<(), String> {
        if !self.contains(file, row) {
            if self.len >= MAX_FLAGS {
                return Err(format!("{MAX_FLAGS} samples are flagged already; export and clear some first"));
            }
            self.len += 1;
        }
        self.files.entry(file.to_string()).or_default().insert(row, cut(note));
        Ok(())
    }

    pub fn unflag(&mut self, file: &str, row: u64) {
        if let Some(rows) = self.files.get_mut(file) {
            if rows.remove(&row).is_some() {
                self.len -= 1;
            }
            if rows.is_empty() {
                self.files.remove(file);
            }
        }
    }

    /// Flag when not flagged, unflag when flagged; returns whether it is flagged now.
    pub fn toggle(&mut self, file: &str, row: u64) -> Result<bool, String> {
        if self.contains(file, row) {
            self.unflag(file, row);
            Ok(false)
        } else {
            self.flag(file, row, "").map(|_| true)
        }
    }

    pub fn clear(&mut self) {
        *self = Self::default();
    }

    /// Every flag as (file, row, note), by file name then row.
    pub fn iter(&self) -> impl Iterator<Item = (&str, u64, &str)> + '_ {
        self.files.iter().flat_map(|(f, rows)| rows.iter().map(move |(r, n)| (f.as_str(), *r, n.as_str())))
    }

    /// Flags in the dataset's order (its files in order, rows ascending), only those of
    /// files of `task` (all files when `None`) and of rows the file has.
    pub fn in_dataset_order(&self, dataset: &DatasetView, task: Option<&str>) -> Vec<(String, u64)> {
        dataset
            .files_of(task)
            .flat_map(|f| {
                self.files
                    .get(&f.key)
                    .into_iter()
                    .flat_map(|rows| rows.keys().copied())
                    .filter(move |&r| r < f.rows || !f.counted)
                    .map(move |r| (f.key.clone(), r))
            })
            .collect()
    }

    /// The flagged grid's pages: runs of at most `size` flagged rows of one file, in
    /// dataset order.
    pub fn pages(&self, dataset: &DatasetView, task: Option<&str>, size: usize) -> Vec<(String, Vec<u64>)> {
        let mut pages: Vec<(String, Vec<u64>)> = Vec::new();
        for (file, row) in self.in_dataset_order(dataset, task) {
            match pages.last_mut() {
                Some((f, rows)) if *f == file && rows.len() < size.max(1) => rows.push(row),
                _ => pages.push((file, vec![row])),
            }
        }
        pages
    }

    /// The flagged sample after (or before) (`file`, `row`) in dataset order; the sample
    /// itself need not be flagged (it may just have been unflagged).
    pub fn neighbour(&self, dataset: &DatasetView, task: Option<&str>, file: &str, row: u64, forward: bool) -> Option<(String, u64)> {
        let order: Vec<&str> = dataset.files_of(task).map(|f| f.key.as_str()).collect();
        let here = (order.iter().position(|f| *f == file)?, row);
        let list = self.in_dataset_order(dataset, task);
        let rank = |(f, r): &(String, u64)| (order.iter().position(|k| k == f).unwrap_or(usize::MAX), *r);
        if forward {
            list.iter().find(|s| rank(s) > here).cloned()
        } else {
            list.iter().rev().find(|s| rank(s) < here).cloned()
        }
    }

    /// The stored form: compact JSON.
    pub fn to_json(&self) -> String {
        let stored = Stored { version: VERSION, files: self.files.clone() };
        serde_json::to_string(&stored).unwrap_or_default()
    }

    /// Read a stored form. Beyond `MAX_FLAGS` the rest is dropped; long notes are cut.
    pub fn from_json(text: &str) -> Result<Self, String> {
        if text.len() > MAX_STORED_BYTES {
            return Err(format!("the stored flags are {} bytes, more than the {} allowed", text.len(), MAX_STORED_BYTES));
        }
        let stored: Stored = serde_json::from_str(text).map_err(|e| format!("the stored flags are unreadable ({e})"))?;
        if stored.version != VERSION {
            return Err(format!("the stored flags are of version {}, this gallery reads version {VERSION}", stored.version));
        }
        let mut set = FlagSet::default();
        'files: for (file, rows) in stored.files {
            for (row, note) in rows {
                if set.flag(&file, row, &note).is_err() {
                    break 'files;
                }
            }
        }
        Ok(set)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dataset::open::FileView;

    fn dataset() -> DatasetView {
        let file = |key: &str, rows, task: &str| FileView { key: key.into(), url: key.into(), rows, bytes: None, task: Some(task.into()), counted: true };
        DatasetView {
            name: "d".into(),
            attribution: String::new(),
            families: vec![],
            files: vec![file("b/x.parquet", 10, "style_transfer"), file("a/y.parquet", 5, "object_addition")],
            pinned: None,
            layout: None,
        }
    }

    #[test]
    fn flags_survive_their_stored_form() {
        let mut s = FlagSet::default();
        s.flag("a/y.parquet", 3, "blurry, \"wrong\" colour\nline two").unwrap();
        s.flag("b/x.parquet", 0, "").unwrap();
        let text = s.to_json();
        let back = FlagSet::from_json(&text).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.len(), 2);
        assert_eq!(back.note("a/y.parquet", 3), Some("blurry, \"wrong\" colour\nline two"));
        assert_eq!(back.note("b/x.parquet", 0), Some(""));
        assert_eq!(back.note("b/x.parquet", 1), None);
    }

    #[test]
    fn toggling_and_unflagging_keep_the_count() {
        let mut s = FlagSet::default();
        assert_eq!(s.toggle("f", 1), Ok(true));
        s.flag("f", 1, "note").unwrap();
        assert_eq!(s.len(), 1, "a new note does not add a flag");
        assert_eq!(s.toggle("f", 1), Ok(false));
        assert!(s.is_empty());
        s.unflag("f", 1);
        assert!(s.is_empty());
        assert_eq!(s.to_json(), r#"{"version":1,"files":{}}"#);
    }

    #[test]
    fn unreadable_stored_text_is_an_error_not_a_panic() {
        for bad in ["", "null", "{", r#"{"version":1,"files":{"f":{"x":"n"}}}"#, "[1,2]"] {
            assert!(FlagSet::from_json(bad).is_err(), "{bad}");
        }
        let e = FlagSet::from_json(r#"{"version":9,"files":{}}"#).unwrap_err();
        assert!(e.contains("version 9"), "{e}");
    }

    #[test]
    fn the_set_is_bounded() {
        let mut s = FlagSet::default();
        for r in 0..MAX_FLAGS as u64 {
            s.flag("f", r, "").unwrap();
        }
        assert!(s.flag("g", 0, "").is_err());
        assert!(s.flag("f", 5, "a note on an existing flag").is_ok());
        assert_eq!(s.len(), MAX_FLAGS);
        // A stored text with more is read up to the bound.
        let mut text = String::from(r#"{"version":1,"files":{"f":{"#);
        text.push_str(&(0..MAX_FLAGS as u64 + 10).map(|r| format!("\"{r}\":\"\"")).collect::<Vec<_>>().join(","));
        text.push_str("}}}");
        assert_eq!(FlagSet::from_json(&text).unwrap().len(), MAX_FLAGS);
        let long = "é".repeat(MAX_NOTE_CHARS + 50);
        s.flag("f", 1, &long).unwrap();
        assert_eq!(s.note("f", 1).unwrap().chars().count(), MAX_NOTE_CHARS);
    }

    #[test]
    fn pages_and_neighbours_follow_the_dataset_order() {
        let d = dataset();
        let mut s = FlagSet::default();
        for (f, r) in [("a/y.parquet", 4), ("b/x.parquet", 7), ("b/x.parquet", 2), ("b/x.parquet", 99), ("gone.parquet", 1)] {
            s.flag(f, r, "").unwrap();
        }
        // Files in dataset order (b before a), rows ascending, rows past the end and files
        // not in the dataset left out.
        assert_eq!(
            s.in_dataset_order(&d, None),
            vec![("b/x.parquet".into(), 2), ("b/x.parquet".into(), 7), ("a/y.parquet".into(), 4)]
        );
        assert_eq!(s.pages(&d, None, 1).len(), 3);
        assert_eq!(s.pages(&d, None, 24), vec![("b/x.parquet".into(), vec![2, 7]), ("a/y.parquet".into(), vec![4])]);
        assert_eq!(s.pages(&d, Some("object_addition"), 24), vec![("a/y.parquet".into(), vec![4])]);
        assert_eq!(s.neighbour(&d, None, "b/x.parquet", 2, true), Some(("b/x.parquet".into(), 7)));
        assert_eq!(s.neighbour(&d, None, "b/x.parquet", 7, true), Some(("a/y.parquet".into(), 4)));
        assert_eq!(s.neighbour(&d, None, "a/y.parquet", 4, true), None);
        assert_eq!(s.neighbour(&d, None, "a/y.parquet", 4, false), Some(("b/x.parquet".into(), 7)));
        // From a sample that is not flagged (any more): the nearest flagged one each way.
        assert_eq!(s.neighbour(&d, None, "b/x.parquet", 5, false), Some(("b/x.parquet".into(), 2)));
        assert_eq!(s.neighbour(&d, None, "b/x.parquet", 5, true), Some(("b/x.parquet".into(), 7)));
    }

    #[test]
    fn each_dataset_has_its_own_key() {
        assert_eq!(storage_key(None), "scaleedit-gallery.flags.demo");
        assert_ne!(storage_key(Some("https://h.org/a.parquet")), storage_key(Some("https://h.org/b.parquet")));
    }
}
