//! What an opened dataset holds, as the UI sees it: its files (with rows and sizes) and
//! the task families that have data, in catalog order. A file's rows may be counted only
//! later, from its footer (a Hub dataset lists files, not rows): the grid then reaches
//! such a file through a probe page that counts it.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use super::catalog::{family_by_folder, family_by_task, FAMILIES};
use super::manifest::Manifest;
use super::source::{file_name, join};
use crate::engine::error::{EngineError, EngineResult};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetView {
    pub name: String,
    pub attribution: String,
    pub families: Vec<FamilyView>,
    pub files: Vec<FileView>,
    /// The source pinned to what was opened (a Hub branch as its commit), when it differs
    /// from what was asked: links carry it so they open the same bytes later.
    pub pinned: Option<String>,
    /// The column layout of the files read at opening (`ScaleEdit-12M`, `MagicBrush`, …,
    /// or `map` when the link named the columns), when one was read.
    #[serde(default)]
    pub layout: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyView {
    pub task: String,
    pub id: String,
    pub label: String,
    /// Rows of its counted files.
    pub rows: u64,
    pub files: u64,
    /// Every file of the family is counted.
    pub counted: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileView {
    /// How links and cards name the file: the manifest's relative path, or the URL given.
    pub key: String,
    /// Where it is fetched from.
    pub url: String,
    pub rows: u64,
    pub bytes: Option<u64>,
    /// The task family the file belongs to, when known.
    pub task: Option<String>,
    /// `rows` is known; until then it is 0.
    pub counted: bool,
}

impl DatasetView {
    pub fn total_rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
    }

    /// Every file's rows are known.
    pub fn all_counted(&self) -> bool {
        self.files.iter().all(|f| f.counted)
    }

    /// Bytes of the files whose size is known.
    pub fn total_bytes(&self) -> u64 {
        self.files.iter().filter_map(|f| f.bytes).sum()
    }

    /// Recompute each family's rows, files and whether all are counted from its files.
    pub fn recount(&mut self) {
        for fam in &mut self.families {
            let files = self.files.iter().filter(|f| f.task.as_deref() == Some(fam.task.as_str()));
            let (mut rows, mut n, mut counted) = (0, 0, true);
            for f in files {
                rows += f.rows;
                n += 1;
                counted &= f.counted;
            }
            (fam.rows, fam.files, fam.counted) = (rows, n, counted);
        }
    }

    /// This view with the rows of files counted since it was opened (by file key).
    pub fn with_counts(&self, counts: &HashMap<String, u64>) -> Self {
        let mut v = self.clone();
        let mut changed = false;
        for f in v.files.iter_mut().filter(|f| !f.counted) {
            if let Some(&rows) = counts.get(&f.key) {
                (f.rows, f.counted, changed) = (rows, true, true);
            }
        }
        if changed {
            v.recount();
        }
        v
    }

    /// Files of one family (all files when `task` is `None`), in dataset order.
    pub fn files_of<'a>(&'a self, task: Option<&'a str>) -> impl Iterator<Item = &'a FileView> + 'a {
        self.files.iter().filter(move |f| task.is_none_or(|t| f.task.as_deref() == Some(t)))
    }

    pub fn file(&self, key: &str) -> Option<&FileView> {
        self.files.iter().find(|f| f.key == key)
    }

    /// A dataset from a manifest fetched from `manifest_url`.
    pub fn from_manifest(manifest_url: &str, text: &str) -> EngineResult<Self> {
        let bad = |detail: String| EngineError::Manifest { file: manifest_url.into(), detail };
        let m = Manifest::parse(text).map_err(|e| bad(e.to_string()))?;
        let mut files = Vec::new();
        let mut families = Vec::new();
        for fam in &m.families {
            if fam.shards.is_empty() {
                continue;
            }
            let rows = fam.shards.iter().map(|s| s.rows).sum();
            families.push(FamilyView { task: fam.task.clone(), id: fam.id.clone(), label: fam.label.clone(), rows, files: 0, counted: true });
            for s in &fam.shards {
                files.push(FileView {
                    key: s.path.clone(),
                    url: join(manifest_url, &s.path),
                    rows: s.rows,
                    bytes: Some(s.bytes),
                    task: Some(fam.task.clone()),
                    counted: true,
                });
            }
        }
        if files.is_empty() {
            return Err(bad("it lists no shards".into()));
        }
        let mut view = Self { name: m.name, attribution: m.attribution, families, files, pinned: None, layout: None };
        view.recount();
        Ok(view)
    }

    /// A dataset of one Parquet file whose footer said it has `rows` rows.
    pub fn single_file(url: &str, rows: u64, bytes: u64) -> Self {
        // A file kept in its Hub folder (`2.1_object_addition/…`) belongs to that family.
        let folder = url.split(['?', '#']).next().unwrap_or(url).rsplit('/').nth(1).unwrap_or("");
        let family = family_by_folder(folder);
        let task = family.map(|f| f.task.to_string());
        let families = family
            .map(|f| vec![FamilyView { task: f.task.into(), id: f.id.into(), label: f.label(), rows, files: 1, counted: true }])
            .unwrap_or_default();
        Self {
            name: file_name(url).to_string(),
            attribution: String::new(),
            families,
            files: vec![FileView { key: url.into(), url: url.into(), rows, bytes: Some(bytes), task, counted: true }],
            pinned: None,
            layout: None,
        }
    }
}

impl DatasetView {
    /// A dataset of local files, each (name, source, rows, bytes): the names of ScaleEdit
    /// shards (`{task}_{NNNN}.parquet`) put them in their families, in catalog order.
    pub fn local(files: Vec<(String, String, u64, u64)>) -> Self {
        let family_of = |name: &str| {
            let stem = name.strip_suffix(".parquet").unwrap_or(name);
            let task = stem.rsplit_once('_').filter(|(_, n)| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).map_or(stem, |(t, _)| t);
            family_by_task(task)
        };
        let count = files.len();
        let mut files: Vec<FileView> = files
            .into_iter()
            .map(|(name, url, rows, bytes)| FileView {
                task: family_of(&name).map(|f| f.task.to_string()),
                key: name,
                url,
                rows,
                bytes: Some(bytes),
                counted: true,
            })
            .collect();
        files.sort_by_key(|f| f.task.as_deref().map_or(FAMILIES.len(), task_order));
        let mut families: Vec<FamilyView> = Vec::new();
        for f in &files {
            let Some(def) = f.task.as_deref().and_then(family_by_task) else { continue };
            if families.last().is_none_or(|x| x.task != def.task) {
                families.push(FamilyView { task: def.task.into(), id: def.id.into(), label: def.label(), rows: 0, files: 0, counted: true });
            }
        }
        let name = match files.as_slice() {
            [one] => one.key.clone(),
            _ => format!("{count} local files"),
        };
        let mut view = Self {
            name,
            attribution: "Files on this computer: read here by ranges, never uploaded.".into(),
            families,
            files,
            pinned: None,
            layout: None,
        };
        view.recount();
        view
    }
}

/// A run of consecutive rows of one file: what one grid page asks the worker for. A run
/// of no rows is a probe: the file's rows are not counted yet, and its page counts them.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Chunk {
    pub file: String,
    pub start: u64,
    pub count: u64,
}

impl Chunk {
    pub fn rows(&self) -> Vec<u64> {
        (self.start..self.start + self.count).collect()
    }
}

impl DatasetView {
    /// The grid's pages: every file of the filter cut into runs of at most `size` rows,
    /// as far as the first file not counted yet, which gets a probe (a run of no rows).
    pub fn chunks(&self, task: Option<&str>, size: u64) -> Vec<Chunk> {
        let size = size.max(1);
        let mut out = Vec::new();
        for f in self.files_of(task) {
            if !f.counted {
                out.push(Chunk { file: f.key.clone(), start: 0, count: 0 });
                break;
            }
            out.extend((0..f.rows.div_ceil(size)).map(|i| Chunk {
                file: f.key.clone(),
                start: i * size,
                count: size.min(f.rows - i * size),
            }));
        }
        out
    }

    /// The sample after (or before) `row` of file `key` in the filtered order, crossing
    /// file boundaries; `None` at either end. A file not counted yet is taken to go on
    /// (its first row follows the file before it); going back into one is not possible.
    pub fn neighbour(&self, task: Option<&str>, key: &str, row: u64, forward: bool) -> Option<(String, u64)> {
        let files: Vec<&FileView> = self.files_of(task).filter(|f| f.rows > 0 || !f.counted).collect();
        let i = files.iter().position(|f| f.key == key)?;
        if forward {
            if row + 1 < files[i].rows || !files[i].counted {
                return Some((key.into(), row + 1));
            }
            files.get(i + 1).map(|f| (f.key.clone(), 0))
        } else {
            if row > 0 {
                let last = if files[i].counted { files[i].rows - 1 } else { u64::MAX };
                return Some((key.into(), (row - 1).min(last)));
            }
            let before = files.get(i.checked_sub(1)?)?;
            before.counted.then(|| (before.key.clone(), before.rows - 1))
        }
    }
}

/// Label of a task name, from the catalog when it is one of ScaleEdit's.
pub fn task_label(task: &str) -> String {
    family_by_task(task).map(|f| f.label()).unwrap_or_else(|| task.replace('_', " "))
}

/// Catalog order of a task (unknown tasks last).
pub fn task_order(task: &str) -> usize {
    FAMILIES.iter().position(|f| f.task == task).unwrap_or(FAMILIES.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dataset::manifest::{ManifestFamily, ManifestShard, MANIFEST_VERSION};

    fn manifest() -> String {
        let fam = |id: &str, task: &str, shards: Vec<ManifestShard>| ManifestFamily {
            id: id.into(),
            task: task.into(),
            folder: format!("{id}_{task}"),
            label: task_label(task),
            group: "g".into(),
            shards,
        };
        let shard = |p: &str, rows| ManifestShard { path: p.into(), rows, bytes: 1000 };
        Manifest {
            version: MANIFEST_VERSION,
            name: "demo".into(),
            description: String::new(),
            attribution: "CC0".into(),
            families: vec![
                fam("1.1", "style_transfer", vec![shard("1.1_style_transfer/style_transfer_0000.parquet", 5)]),
                fam("1.2", "tone_adjustment", vec![]),
                fam("2.1", "object_addition", vec![shard("2.1_object_addition/a_0000.parquet", 3), shard("2.1_object_addition/a_0001.parquet", 4)]),
            ],
            index: None,
        }
        .to_json_pretty()
    }

    #[test]
    fn manifest_families_without_shards_are_left_out() {
        let d = DatasetView::from_manifest("https://h.org/demo/manifest.json", &manifest()).unwrap();
        let tasks: Vec<_> = d.families.iter().map(|f| (f.task.as_str(), f.rows)).collect();
        assert_eq!(tasks, vec![("style_transfer", 5), ("object_addition", 7)]);
        assert_eq!(d.total_rows(), 12);
        assert_eq!(d.files_of(Some("object_addition")).count(), 2);
        assert_eq!(d.files[0].url, "https://h.org/demo/1.1_style_transfer/style_transfer_0000.parquet");
        assert_eq!(d.files[0].key, "1.1_style_transfer/style_transfer_0000.parquet");
    }

    #[test]
    fn chunks_cut_each_file_and_follow_the_filter() {
        let d = DatasetView::from_manifest("m.json", &manifest()).unwrap();
        let c = d.chunks(None, 3);
        let got: Vec<_> = c.iter().map(|c| (c.file.rsplit('/').next().unwrap(), c.start, c.count)).collect();
        assert_eq!(
            got,
            vec![
                ("style_transfer_0000.parquet", 0, 3),
                ("style_transfer_0000.parquet", 3, 2),
                ("a_0000.parquet", 0, 3),
                ("a_0001.parquet", 0, 3),
                ("a_0001.parquet", 3, 1),
            ]
        );
        assert_eq!(d.chunks(Some("object_addition"), 10).len(), 2);
        assert!(d.chunks(Some("nothing"), 10).is_empty());
        assert_eq!(c[1].rows(), vec![3, 4]);
    }

    #[test]
    fn neighbours_cross_files_and_stop_at_the_ends() {
        let d = DatasetView::from_manifest("m.json", &manifest()).unwrap();
        let st = "1.1_style_transfer/style_transfer_0000.parquet";
        let a0 = "2.1_object_addition/a_0000.parquet";
        assert_eq!(d.neighbour(None, st, 3, true), Some((st.into(), 4)));
        assert_eq!(d.neighbour(None, st, 4, true), Some((a0.into(), 0)));
        assert_eq!(d.neighbour(None, a0, 0, false), Some((st.into(), 4)));
        assert_eq!(d.neighbour(None, st, 0, false), None);
        assert_eq!(d.neighbour(Some("object_addition"), a0, 0, false), None);
        assert_eq!(d.neighbour(None, "2.1_object_addition/a_0001.parquet", 3, true), None);
        assert_eq!(d.neighbour(None, "nope", 0, true), None);
    }

    #[test]
    fn files_not_counted_are_reached_through_a_probe_and_counted_later() {
        let mut d = DatasetView::from_manifest("m.json", &manifest()).unwrap();
        for f in d.files.iter_mut().skip(1) {
            (f.rows, f.counted) = (0, false);
        }
        d.recount();
        assert!(!d.all_counted());
        assert_eq!(d.families[1].rows, 0);
        assert!(!d.families[1].counted);
        let c = d.chunks(None, 3);
        assert_eq!(c.len(), 3, "two pages of the counted file, then one probe");
        assert_eq!((c[2].file.as_str(), c[2].count), ("2.1_object_addition/a_0000.parquet", 0));
        assert!(c[2].rows().is_empty());
        let counts = HashMap::from([("2.1_object_addition/a_0000.parquet".to_string(), 3u64)]);
        let d2 = d.with_counts(&counts);
        let c = d2.chunks(None, 3);
        let got: Vec<_> = c.iter().map(|c| (c.file.rsplit('/').next().unwrap(), c.start, c.count)).collect();
        assert_eq!(got[2..], [("a_0000.parquet", 0, 3), ("a_0001.parquet", 0, 0)]);
        assert_eq!(d2.families[1].rows, 3);
        assert!(!d2.families[1].counted);
        // Stepping into and through a file not counted yet.
        let a1 = "2.1_object_addition/a_0001.parquet";
        assert_eq!(d2.neighbour(None, "2.1_object_addition/a_0000.parquet", 2, true), Some((a1.into(), 0)));
        assert_eq!(d2.neighbour(None, a1, 0, true), Some((a1.into(), 1)));
        assert_eq!(d2.neighbour(None, a1, 5, false), Some((a1.into(), 4)));
        assert_eq!(d2.neighbour(None, a1, 0, false), Some(("2.1_object_addition/a_0000.parquet".into(), 2)));
    }

    #[test]
    fn local_scaleedit_shards_fall_into_their_families() {
        let f = |n: &str, rows| (n.to_string(), format!("local:{n}"), rows, 100);
        let d = DatasetView::local(vec![f("color_change_0001.parquet", 3), f("mine.parquet", 2), f("style_transfer_0000.parquet", 4)]);
        let keys: Vec<&str> = d.files.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys, ["style_transfer_0000.parquet", "color_change_0001.parquet", "mine.parquet"]);
        let fams: Vec<(&str, u64)> = d.families.iter().map(|f| (f.task.as_str(), f.rows)).collect();
        assert_eq!(fams, [("style_transfer", 4), ("color_change", 3)]);
        assert_eq!((d.name.as_str(), d.total_rows()), ("3 local files", 9));
        assert_eq!(DatasetView::local(vec![f("mine.parquet", 2)]).name, "mine.parquet");
    }

    #[test]
    fn a_broken_manifest_names_itself() {
        let err = DatasetView::from_manifest("https://h.org/m.json", "<html>").unwrap_err();
        assert!(err.to_string().starts_with("https://h.org/m.json: bad manifest"), "{err}");
    }

    #[test]
    fn a_single_file_in_a_hub_folder_knows_its_family() {
        let d = DatasetView::single_file("https://h.org/x/3.1_color_change/color_change_0003.parquet", 10, 99);
        assert_eq!(d.files[0].task.as_deref(), Some("color_change"));
        assert_eq!(d.families[0].label, "Color change");
        let d = DatasetView::single_file("https://h.org/x.parquet", 10, 99);
        assert!(d.families.is_empty());
        assert_eq!(d.name, "x.parquet");
    }
}
