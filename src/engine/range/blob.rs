//! Browser File/Blob backend: local files read by slices, never whole; a streamed read
//! takes the next slice only when it is asked for.

use std::ops::Range;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::{FutureExt, StreamExt};
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use super::{Counters, RangeReply, RangeSource, RangeStream};
use crate::engine::error::{EngineError, EngineResult};

/// Bytes per slice of a streamed read: a local read of 256 KiB is quick, and a reader
/// that stops early has read at most this much too far.
pub const BLOB_CHUNK: u64 = 256 * 1024;

pub struct BlobSource {
    name: String,
    blob: Blob,
    counters: Counters,
}

impl BlobSource {
    pub fn new(name: impl Into<String>, blob: Blob, counters: Counters) -> Self {
        Self { name: name.into(), blob, counters }
    }

    async fn slice(&self, range: Range<u64>) -> EngineResult<RangeReply> {
        self.counters.request();
        let bytes = self.bytes(range).await?;
        Ok(RangeReply { bytes, total_size: Some(self.blob.size() as u64), etag: None })
    }

    /// Bytes of `range` clipped to the blob, counted (but not as a request).
    async fn bytes(&self, range: Range<u64>) -> EngineResult<Bytes> {
        let err = |_| EngineError::Network { file: self.name.clone(), message: "could not read the local file".into() };
        let size = self.blob.size() as u64;
        let end = range.end.min(size);
        let part = self.blob.slice_with_f64_and_f64(range.start as f64, end as f64).map_err(err)?;
        let buffer = JsFuture::from(part.array_buffer()).await.map_err(err)?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        self.counters.bytes(bytes.len() as u64);
        Ok(Bytes::from(bytes))
    }
}

impl RangeSource for BlobSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn known_size(&self) -> Option<u64> {
        Some(self.blob.size() as u64)
    }

    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        self.slice(range).boxed_local()
    }

    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        self.counters.request();
        let size = self.blob.size() as u64;
        let end = range.end.min(size);
        let body = futures::stream::unfold(range.start, move |pos| async move {
            if pos >= end {
                return None;
            }
            let next = (pos + BLOB_CHUNK).min(end);
            Some((self.bytes(pos..next).await, next))
        })
        .boxed_local();
        let stream = RangeStream { total_size: Some(size), etag: None, body };
        async move { Ok(stream) }.boxed_local()
    }

    fn counters(&self) -> &Counters {
        &self.counters
    }
}
