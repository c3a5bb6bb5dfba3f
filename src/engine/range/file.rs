//! Native local-file backend: positioned reads of a file on disk, counted like requests.

use std::fs::File;
use std::ops::Range;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::FutureExt;

use super::{Counters, RangeReply, RangeSource};
use crate::engine::error::{EngineError, EngineResult};

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
        let end = range.end.min(self.size);
        let len = end.saturating_sub(range.start) as usize;
        let mut buf = vec![0u8; len];
        self.counters.request();
        self.file
            .read_exact_at(&mut buf, range.start)
            .map_err(|e| EngineError::Network { file: self.name.clone(), message: e.to_string() })?;
        self.counters.bytes(len as u64);
        Ok(RangeReply { bytes: Bytes::from(buf), total_size: Some(self.size), etag: None })
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

    fn counters(&self) -> &Counters {
        &self.counters
    }
}
