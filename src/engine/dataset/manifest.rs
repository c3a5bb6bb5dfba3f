//! The dataset manifest: a small JSON file that lists a dataset's task families and shards
//! (with row counts and byte sizes, so the gallery can plan reads before touching a shard).
//! It describes files; it never holds sample data.

use serde::{Deserialize, Serialize};

/// `manifest.json` at the root of a dataset folder.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// Format version of this file; bump on incompatible changes.
    pub version: u32,
    /// Display name, e.g. `ScaleEdit-12M demo`.
    pub name: String,
    #[serde(default)]
    pub description: String,
    /// Where the pictures come from and under which terms (shown in the UI).
    #[serde(default)]
    pub attribution: String,
    /// Every family of the catalog, in catalog order; families without data have no shards.
    pub families: Vec<ManifestFamily>,
    /// The static instruction index of the dataset (`gallery index`): its `index.json`,
    /// relative to this manifest. Search then spans every shard without reading them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestFamily {
    /// Category number, e.g. `2.1`.
    pub id: String,
    /// Task name, e.g. `object_addition`.
    pub task: String,
    /// Folder, e.g. `2.1_object_addition`.
    pub folder: String,
    /// Human label, e.g. `Object addition`.
    pub label: String,
    /// Group, e.g. `object`.
    pub group: String,
    /// Shards of this family; empty when the dataset holds no data for it.
    #[serde(default)]
    pub shards: Vec<ManifestShard>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManifestShard {
    /// Path relative to the manifest, e.g. `2.1_object_addition/object_addition_0000.parquet`.
    pub path: String,
    /// Number of rows (samples) in the shard.
    pub rows: u64,
    /// File size in bytes: lets the footer be read in one request.
    pub bytes: u64,
}

pub const MANIFEST_VERSION: u32 = 1;

impl Manifest {
    pub fn parse(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json_pretty(&self) -> String {
        // Serialising plain structs of strings and integers cannot fail.
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    pub fn total_rows(&self) -> u64 {
        self.families.iter().flat_map(|f| &f.shards).map(|s| s.rows).sum()
    }
}
