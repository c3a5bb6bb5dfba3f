//! Native local-file backend: positioned reads of a file on disk, counted like requests.
//! Streamed reads go chunk by chunk, reading the next chunk only when it is asked for.

use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::{FutureExt, StreamExt};

use super::{Counters, RangeReply, RangeSource, RangeStream};
use crate::engine::error::{EngineError, EngineResult};

/// Bytes per piece of a streamed read: a disk read of 64 KiB takes microseconds, and a
/// reader that stops early has read at most this much too far.
pub const FILE_CHUNK: u64 = 64 * 1024;

pub struct FileSource {
    path: PathBuf,
    name: String,
    file: File,
    size: u64,
    counters: Counters,
}

impl FileSource {
    pub fn open(path: impl Into<PathBuf>, counters: Counters) -> EngineResult<Self> {
        let path = path.into();
        let name = path.display().to_string();
        let io = |e: std::io::Error| EngineError::Network { file: name.clone(), message: e.to_string() };
        let file = File::open(&path).map_err(io)?;
        let size = file.metadata().map_err(io)?.len();
        Ok(Self { path, name, file, size, counters })
    }

    pub fn path(&self) -> &PathBuf {
        &self.path
    }

    fn read_now(&self, range: Range<u64>) -> EngineResult<RangeReply> {
        self.counters.request();
        let bytes = self.read_at(range)?;
        Ok(RangeReply { bytes, total_size: Some(self.size), etag: None })
    }

    /// Bytes of `range` clipped to the file, counted (but not as a request).
    fn read_at(&self, range: Range<u64>) -> EngineResult<Bytes> {
        let end = range.end.min(self.size);
        let len = end.saturating_sub(range.start) as usize;
        let mut buf = vec![0u8; len];
        self.file
            .read_exact_at(&mut buf, range.start)
            .map_err(|e| EngineError::Network { file: self.name.clone(), message: e.to_string() })?;
        self.counters.bytes(len as u64);
        Ok(Bytes::from(buf))
    }
}

impl RangeSource for FileSource {
    fn name(&self) -> &str {
        &self.name
    }

    fn known_size(&self) -> Option<u64> {
        Some(self.size)
    }

    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        let result = self.read_now(range);
        async move { result }.boxed_local()
    }

    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        self.counters.request();
        let end = range.end.min(self.size);
        let body = futures::stream::unfold(range.start, move |pos| async move {
            if pos >= end {
                return None;
            }
            let next = (pos + FILE_CHUNK).min(end);
            Some((self.read_at(pos..next), next))
        })
        .boxed_local();
        let stream = RangeStream { total_size: Some(self.size), etag: None, body };
        async move { Ok(stream) }.boxed_local()
    }

    fn counters(&self) -> &Counters {
        &self.counters
    }
}
