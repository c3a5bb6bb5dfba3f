//! Messages between the UI (main thread) and the worker (engine). Control data travels
//! as JSON; image bytes travel beside it as Blobs, never through the serializer.

use serde::{Deserialize, Serialize};

pub use crate::engine::dataset::hub::Token;
pub use crate::engine::dataset::open::{DatasetView, FamilyView, FileView};
pub use crate::engine::range::Stats;
pub use crate::engine::shard::sample::SampleMeta;
pub use crate::engine::shard::scores::FileScores;
pub use crate::engine::session::Searched;
pub use crate::engine::shard::Cost;

/// A request from the UI, tagged with an id its reply carries back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToWorker {
    pub id: u64,
    pub request: Request,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Request {
    /// Talk to the Hub at `base` (huggingface.co; a stand-in only when page and stand-in
    /// are both on this computer), sending `token` to its origin only. Sent before any
    /// other request of a worker, and again when the token changes.
    Hub { base: String, token: Option<Token> },
    /// Open a dataset source (an absolute URL of a manifest or a Parquet file, or an
    /// `hf://datasets/…` path), its files read with the columns `map` names (`map=` of
    /// the link, as written).
    Open {
        src: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        map: Option<String>,
    },
    /// The rows of a file of the open dataset, from its footer.
    Count { file: String },
    /// Local files picked on the page, by these names (`local:{name}` sources): their
    /// `File` objects travel beside the JSON, in this order, and are read by slices.
    Local { names: Vec<String> },
    /// The text columns of these rows of a file of the open dataset.
    Rows { file: String, rows: Vec<u64> },
    /// The two images of these rows (the reply carries 2 Blobs per row, in order): as
    /// stored, or with `thumb`, as thumbnails that many pixels wide (decoded and resized
    /// here, off the page's thread; never wider than the image). With `ask_above`, images
    /// that would cost more bytes than that are not fetched: the reply is their `Cost`
    /// (the page asks the user first, without a round trip of its own for the cost).
    Images {
        file: String,
        rows: Vec<u64>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        thumb: Option<u32>,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        ask_above: Option<u64>,
    },
    /// What changed between the two images of a row: pixels whose largest channel change
    /// is above `threshold` (0–255). The reply carries one Blob: the heatmap (PNG).
    Diff { file: String, row: u64, threshold: u8 },
    /// The three scores of every row of a file of the open dataset.
    Scores { file: String },
    /// Search the instructions of these files of the open dataset (in this order; the
    /// first ones as far as the index's bound allows): at most `limit` hits, best first.
    /// With the dataset's static index the whole dataset is searched, from position
    /// `from` on (0, then the previous answer's `next`).
    Search {
        files: Vec<String>,
        query: String,
        limit: usize,
        #[serde(default)]
        from: u64,
    },
    /// The file and row of the sample with this id, from the dataset's static index.
    FindId { id: i64 },
    /// Stop working on request `id`: the view that asked is gone. Its reads are aborted
    /// and it gets no reply.
    Cancel { id: u64 },
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
    /// Done (an answer with nothing to say).
    Done,
    Opened { dataset: DatasetView },
    Counted { rows: u64 },
    Scores { scores: FileScores },
    Cost { cost: Cost },
    Searched { searched: Searched },
    /// Where the sample asked for is: `None` when the catalog has no such id, or when
    /// the dataset has no index (`indexed` false).
    FoundId { at: Option<(String, u64)>, indexed: bool },
    Rows { samples: Vec<SampleMeta> },
    /// One entry per row; Blobs `2i` (source) and `2i + 1` (edited) go with entry `i`.
    Images { images: Vec<ImagePair> },
    /// Blob 0 is the heatmap: RGBA PNG of `width`×`height` (the source's size),
    /// transparent where nothing changed.
    Diff {
        /// Share of pixels above the threshold, 0–1.
        fraction: f64,
        width: u32,
        height: u32,
        /// The edited image had another size and was resized to the source's to compare.
        resized: bool,
    },
    Error { message: String },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImagePair {
    pub row: u64,
    pub source_mime: String,
    pub edited_mime: String,
    pub source_bytes: u64,
    pub edited_bytes: u64,
    /// Why the source image is not handed over (its Blob is then empty): its header says
    /// it is empty, not an image, or too large to show.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source_error: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited_error: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_survive_json() {
        let m = ToWorker { id: 7, request: Request::Images { file: "a/b.parquet".into(), rows: vec![1, 5], thumb: Some(320), ask_above: Some(50_000_000) } };
        let s = serde_json::to_string(&m).unwrap();
        assert!(s.contains("\"kind\":\"images\""), "{s}");
        assert_eq!(serde_json::from_str::<ToWorker>(&s).unwrap(), m);
    }

    #[test]
    fn a_token_crosses_as_json_but_never_shows_in_debug_output() {
        let m = ToWorker { id: 1, request: Request::Hub { base: "https://huggingface.co".into(), token: Token::new("hf_abc") } };
        let s = serde_json::to_string(&m).unwrap();
        assert!(s.contains("\"token\":\"hf_abc\""), "{s}");
        assert_eq!(serde_json::from_str::<ToWorker>(&s).unwrap(), m);
        assert!(!format!("{m:?}").contains("hf_abc"));
    }

    #[test]
    fn a_difference_survives_json() {
        let m = ToWorker { id: 9, request: Request::Diff { file: "a.parquet".into(), row: 3, threshold: 24 } };
        let s = serde_json::to_string(&m).unwrap();
        assert!(s.contains("\"kind\":\"diff\""), "{s}");
        assert_eq!(serde_json::from_str::<ToWorker>(&s).unwrap(), m);
        let r = FromWorker {
            id: 9,
            stats: Stats::default(),
            reply: Reply::Diff { fraction: 0.125, width: 512, height: 384, resized: true },
        };
        assert_eq!(serde_json::from_str::<FromWorker>(&serde_json::to_string(&r).unwrap()).unwrap(), r);
    }
}
