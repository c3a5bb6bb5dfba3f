//! What an opened dataset holds, as the UI sees it: its files (with rows and sizes) and
//! the task families that have data, in catalog order.

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
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FamilyView {
    pub task: String,
    pub id: String,
    pub label: String,
    pub rows: u64,
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
}

impl DatasetView {
    pub fn total_rows(&self) -> u64 {
        self.files.iter().map(|f| f.rows).sum()
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
            families.push(FamilyView { task: fam.task.clone(), id: fam.id.clone(), label: fam.label.clone(), rows });
            for s in &fam.shards {
                files.push(FileView {
                    key: s.path.clone(),
                    url: join(manifest_url, &s.path),
                    rows: s.rows,
                    bytes: Some(s.bytes),
                    task: Some(fam.task.clone()),
                });
            }
        }
        if files.is_empty() {
            return Err(bad("it lists no shards".into()));
        }
        Ok(Self { name: m.name, attribution: m.attribution, families, files })
    }

    /// A dataset of one Parquet file whose footer said it has `rows` rows.
    pub fn single_file(url: &str, rows: u64, bytes: u64) -> Self {
        // A file kept in its Hub folder (`2.1_object_addition/…`) belongs to that family.
        let folder = url.split(['?', '#']).next().unwrap_or(url).rsplit('/').nth(1).unwrap_or("");
        let family = family_by_folder(folder);
        let task = family.map(|f| f.task.to_string());
        let families = family
            .map(|f| vec![FamilyView { task: f.task.into(), id: f.id.into(), label: f.label(), rows }])
            .unwrap_or_default();
        Self {
            name: file_name(url).to_string(),
            attribution: String::new(),
            families,
            files: vec![FileView { key: url.into(), url: url.into(), rows, bytes: Some(bytes), task }],
        }
    }
}

/// A run of consecutive rows of one file: what one grid page asks the worker for.
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
    /// The grid's pages: every file of the filter cut into runs of at most `size` rows.
    pub fn chunks(&self, task: Option<&str>, size: u64) -> Vec<Chunk> {
        let size = size.max(1);
        self.files_of(task)
            .flat_map(|f| {
                (0..f.rows.div_ceil(size)).map(move |i| Chunk {
                    file: f.key.clone(),
                    start: i * size,
                    count: size.min(f.rows - i * size),
                })
            })
            .collect()
    }

    /// The sample after (or before) `row` of file `key` in the filtered order, crossing
    /// file boundaries; `None` at either end.
    pub fn neighbour(&self, task: Option<&str>, key: &str, row: u64, forward: bool) -> Option<(String, u64)> {
        let files: Vec<&FileView> = self.files_of(task).filter(|f| f.rows > 0).collect();
        let i = files.iter().position(|f| f.key == key)?;
        if forward {
            if row + 1 < files[i].rows {
                return Some((key.into(), row + 1));
            }
            files.get(i + 1).map(|f| (f.key.clone(), 0))
        } else {
            if row > 0 {
                return Some((key.into(), (row - 1).min(files[i].rows - 1)));
            }
            i.checked_sub(1).map(|j| (files[j].key.clone(), files[j].rows - 1))
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
