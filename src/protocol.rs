//! Messages between the UI (main thread) and the worker (engine). Control data travels
//! as JSON; image bytes travel beside it as Blobs, never through the serializer.

use serde::{Deserialize, Serialize};

pub use crate::engine::dataset::open::{DatasetView, FamilyView, FileView};
pub use crate::engine::range::Stats;
pub use crate::engine::shard::sample::SampleMeta;

/// A request from the UI, tagged with an id its reply carries back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToWorker {
    pub id: u64,
    pub request: Request,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// Open a dataset source (an absolute URL of a manifest or a Parquet file).
    Open { src: String },
    /// The text columns of these rows of a file of the open dataset.
    Rows { file: String, rows: Vec<u64> },
    /// The two images of these rows (the reply carries 2 Blobs per row, in order).
    Images { file: String, rows: Vec<u64> },
    /// Make the worker fail as a crash would (diagnostics: proves recovery).
    Crash,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FromWorker {
    /// The id of the request answered; 0 for unsolicited messages (`Ready`).
    pub id: u64,
    /// Transfer counters of the worker's session at the time of the reply.
    pub stats: Stats,
    pub reply: Reply,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Reply {
    /// The worker has started and takes requests.
    Ready,
    Opened { dataset: DatasetView },
    Rows { samples: Vec<SampleMeta> },
    /// One entry per row; Blobs `2i` (source) and `2i + 1` (edited) go with entry `i`.
    Images { images: Vec<ImagePair> },
    Error { message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagePair {
    pub row: u64,
    pub source_mime: String,
    pub edited_mime: String,
    pub source_bytes: u64,
    pub edited_bytes: u64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_survive_json() {
        let m = ToWorker { id: 7, request: Request::Images { file: "a/b.parquet".into(), rows: vec![1, 5] } };
        let s = serde_json::to_string(&m).unwrap();
        assert!(s.contains("\"kind\":\"images\""), "{s}");
        assert_eq!(serde_json::from_str::<ToWorker>(&s).unwrap(), m);
    }
}
