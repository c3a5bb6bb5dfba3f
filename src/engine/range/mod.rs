//! Range I/O: one trait for "read bytes [a, b) of this resource", with backends for
//! native HTTP, native files, browser fetch and browser File/Blob, plus the shared
//! accounting (requests, bytes) and range arithmetic. Backends never read a body they
//! did not ask for: a server that ignores `Range` is refused before its body is read.

mod coalesce;
mod content_range;
mod counters;

#[cfg(target_arch = "wasm32")]
pub mod blob;
#[cfg(all(test, target_arch = "wasm32"))]
mod browser_tests;
#[cfg(target_arch = "wasm32")]
pub mod fetch;
#[cfg(not(target_arch = "wasm32"))]
pub mod file;
#[cfg(not(target_arch = "wasm32"))]
pub mod http;

use std::ops::Range;

use bytes::Bytes;
use futures::future::LocalBoxFuture;

pub use coalesce::{coalesce, GAP_BYTES};
pub use content_range::{check_content_range, ContentRange};
pub use counters::{human_bytes, Counters, Stats};

use crate::engine::error::EngineResult;

/// Bytes of a resource, with what the answer told about the whole resource.
#[derive(Debug, Clone)]
pub struct RangeReply {
    pub bytes: Bytes,
    /// Total size of the resource, when the answer said it (`Content-Range: …/size`).
    pub total_size: Option<u64>,
    /// Validator of this version of the resource (`ETag`), when there is one.
    pub etag: Option<String>,
}

/// A resource that can be read by byte ranges: a URL, a local file, a browser `File`.
pub trait RangeSource {
    /// The URL or path, as shown to the user in messages.
    fn name(&self) -> &str;

    /// The size in bytes, when known before any read (from a manifest, a file system).
    fn known_size(&self) -> Option<u64>;

    /// Read bytes `[range.start, range.end)`. Fails rather than returning fewer bytes,
    /// except that a range running past the end is clipped to the end.
    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>>;

    /// Requests and bytes this source has transferred so far.
    fn counters(&self) -> &Counters;
}

/// Read several ranges at once (one parallel wave), coalescing near ones, and return
/// the bytes of each asked range in order.
pub async fn read_many(src: &dyn RangeSource, ranges: &[Range<u64>]) -> EngineResult<Vec<Bytes>> {
    let merged = coalesce(ranges, GAP_BYTES);
    let replies = futures::future::try_join_all(merged.iter().map(|r| src.read(r.clone()))).await?;
    Ok(ranges
        .iter()
        .map(|r| {
            // Every asked range lies inside exactly one merged range by construction.
            let (i, m) = merged
                .iter()
                .enumerate()
                .find(|(_, m)| m.start <= r.start && r.end <= m.end)
                .map(|(i, m)| (i, m.clone()))
                .unwrap_or((0, r.clone()));
            let body = &replies[i].bytes;
            let a = ((r.start - m.start) as usize).min(body.len());
            let b = ((r.end - m.start) as usize).min(body.len());
            body.slice(a..b)
        })
        .collect())
}
