//! Browser File/Blob backend: local files read by slices, never whole.

use std::ops::Range;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use js_sys::Uint8Array;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use super::{Counters, RangeReply, RangeSource};
use crate::engine::error::{EngineError, EngineResult};

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
        let err = |_| EngineError::Network { file: self.name.clone(), message: "could not read the local file".into() };
        let size = self.blob.size() as u64;
        let end = range.end.min(size);
        let part = self.blob.slice_with_f64_and_f64(range.start as f64, end as f64).map_err(err)?;
        self.counters.request();
        let buffer = JsFuture::from(part.array_buffer()).await.map_err(err)?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        self.counters.bytes(bytes.len() as u64);
        Ok(RangeReply { bytes: Bytes::from(bytes), total_size: Some(size), etag: None })
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

    fn counters(&self) -> &Counters {
        &self.counters
    }
}
