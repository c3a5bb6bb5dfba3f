//! Native HTTP backend (reqwest): single `Range: bytes=a-b` requests, answer checked
//! (206 and a matching `Content-Range`) before the body is read.

use std::ops::Range;
use std::sync::Mutex;

use futures::future::LocalBoxFuture;
use futures::FutureExt;

use super::{check_content_range, Counters, RangeReply, RangeSource};
use crate::engine::error::{EngineError, EngineResult};

pub struct HttpSource {
    client: reqwest::Client,
    url: String,
    size: Mutex<Option<u64>>,
    counters: Counters,
}

impl HttpSource {
    pub fn new(client: reqwest::Client, url: impl Into<String>, size: Option<u64>, counters: Counters) -> Self {
        Self { client, url: url.into(), size: Mutex::new(size), counters }
    }

    async fn fetch(&self, range: Range<u64>) -> EngineResult<RangeReply> {
        let file = self.url.as_str();
        let net = |e: reqwest::Error| EngineError::Network { file: file.into(), message: e.to_string() };
        self.counters.request();
        let resp = self
            .client
            .get(file)
            .header(reqwest::header::RANGE, format!("bytes={}-{}", range.start, range.end - 1))
            .send()
            .await
            .map_err(net)?;
        let status = resp.status();
        if status == reqwest::StatusCode::OK {
            // Dropping the response closes the connection before the body is read.
            return Err(EngineError::RangeIgnored { file: file.into() });
        }
        if status != reqwest::StatusCode::PARTIAL_CONTENT {
            return Err(EngineError::Http {
                file: file.into(),
                status: status.as_u16(),
                reason: status.canonical_reason().unwrap_or("").into(),
                range,
            });
        }
        let header = |name| resp.headers().get(name).and_then(|v: &reqwest::header::HeaderValue| v.to_str().ok()).map(String::from);
        let content_range = header(reqwest::header::CONTENT_RANGE);
        let etag = header(reqwest::header::ETAG);
        let cr = check_content_range(file, &range, content_range.as_deref())?;
        let bytes = resp.bytes().await.map_err(net)?;
        self.counters.bytes(bytes.len() as u64);
        let expected = cr.map_or(range.end - range.start, |c| c.last + 1 - c.start);
        if bytes.len() as u64 != expected {
            return Err(EngineError::Network {
                file: file.into(),
                message: format!("truncated answer: {} of {} bytes", bytes.len(), expected),
            });
        }
        let total_size = cr.and_then(|c| c.total);
        if let (Some(t), Ok(mut s)) = (total_size, self.size.lock()) {
            s.get_or_insert(t);
        }
        Ok(RangeReply { bytes, total_size, etag })
    }
}

impl RangeSource for HttpSource {
    fn name(&self) -> &str {
        &self.url
    }

    fn known_size(&self) -> Option<u64> {
        self.size.lock().ok().and_then(|s| *s)
    }

    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        self.fetch(range).boxed_local()
    }

    fn counters(&self) -> &Counters {
        &self.counters
    }
}
