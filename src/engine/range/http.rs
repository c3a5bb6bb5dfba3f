//! Native HTTP backend (reqwest): single `Range: bytes=a-b` requests, answer checked
//! (206 and a matching `Content-Range`) before the body is read; a URL answered through a
//! redirect is read at its final URL afterwards (see `redirects`); the body is taken in as
//! it arrives, so a reader can stop early. Every request is bounded in time: the answer
//! within `ANSWER_TIMEOUT`, and no stall of the body longer than `STALL_TIMEOUT`.

use std::ops::Range;
use std::sync::Mutex;
use std::time::Duration;

use futures::future::LocalBoxFuture;
use futures::{FutureExt, StreamExt};

use super::redirects::{final_url_failed, Redirects};
use super::{check_content_range, Counters, RangeReply, RangeSource, RangeStream, ANSWER_TIMEOUT, STALL_TIMEOUT};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::time::deadline;

pub struct HttpSource {
    client: reqwest::Client,
    url: String,
    size: Mutex<Option<u64>>,
    counters: Counters,
    /// `Authorization` sent with requests to `url` (a Hub token; reqwest drops it when a
    /// redirect leaves the origin, and it is never sent to a final URL).
    authorization: Option<String>,
    redirects: Option<Redirects>,
    /// Longest wait for an answer, and for each piece of a body.
    answer_timeout: Duration,
    stall_timeout: Duration,
}

/// A body being taken in.
struct Body {
    resp: reqwest::Response,
    stall_timeout: Duration,
    got: u64,
    expected: u64,
    file: String,
    counters: Counters,
}

impl Body {
    async fn next(&mut self) -> EngineResult<Option<bytes::Bytes>> {
        let net = |message: String| EngineError::Network { file: self.file.clone(), message };
        let chunk = deadline(self.stall_timeout, self.resp.chunk())
            .await
            .ok_or_else(|| net(format!("no data for {} s", self.stall_timeout.as_secs_f32())))?
            .map_err(|e| net(e.to_string()))?;
        match chunk {
            Some(b) => {
                self.got += b.len() as u64;
                self.counters.bytes(b.len() as u64);
                if self.got > self.expected {
                    return Err(net(format!("answer longer than asked: {} bytes for {}", self.got, self.expected)));
                }
                Ok(Some(b))
            }
            None if self.got != self.expected => Err(net(format!("truncated answer: {} of {} bytes", self.got, self.expected))),
            None => Ok(None),
        }
    }
}

impl HttpSource {
    pub fn new(client: reqwest::Client, url: impl Into<String>, size: Option<u64>, counters: Counters) -> Self {
        Self {
            client,
            url: url.into(),
            size: Mutex::new(size),
            counters,
            authorization: None,
            redirects: None,
            answer_timeout: ANSWER_TIMEOUT,
            stall_timeout: STALL_TIMEOUT,
        }
    }

    /// Bound the wait for an answer by `answer` and each pause of a body by `stall`
    /// (instead of the engine's `ANSWER_TIMEOUT` and `STALL_TIMEOUT`).
    pub fn with_timeouts(mut self, answer: Duration, stall: Duration) -> Self {
        self.answer_timeout = answer;
        self.stall_timeout = stall;
        self
    }

    /// Read from where `url` was last redirected to, and remember where it leads.
    pub fn with_redirects(mut self, redirects: Redirects) -> Self {
        self.redirects = Some(redirects);
        self
    }

    /// Send `authorization` (when `Some`) with every request.
    pub fn with_authorization(mut self, authorization: Option<String>) -> Self {
        self.authorization = authorization;
        self
    }

    /// Open `range` at the final URL `url` last led to; when that fails as an expired
    /// one does, forget it and ask `url` again (once).
    async fn open(&self, range: Range<u64>) -> EngineResult<RangeStream<'_>> {
        if let Some(redirects) = &self.redirects {
            if let Some(target) = redirects.get(&self.url) {
                match self.open_at(&target, false, range.clone()).await {
                    Err(e) if final_url_failed(&e) => {
                        // Reads failing at once ask `url` again once: the first asks, the
                        // others take the final URL it learned.
                        let turn = redirects.turn(&self.url);
                        let _held = turn.lock().await;
                        match redirects.get(&self.url) {
                            Some(newer) if newer != target => return self.open_at(&newer, false, range).await,
                            _ => redirects.forget(&self.url),
                        }
                        return self.open_at(&self.url, true, range).await;
                    }
                    other => return other,
                }
            }
        }
        self.open_at(&self.url, true, range).await
    }

    /// Open `range` at `target`: `url` itself (`original`) or where it led.
    async fn open_at(&self, target: &str, original: bool, range: Range<u64>) -> EngineResult<RangeStream<'_>> {
        let file = self.url.as_str();
        let net = |message: String| EngineError::Network { file: file.into(), message };
        self.counters.request();
        let mut request = self.client.get(target).header(reqwest::header::RANGE, format!("bytes={}-{}", range.start, range.end - 1));
        if let Some(auth) = self.authorization.as_ref().filter(|_| original) {
            request = request.header(reqwest::header::AUTHORIZATION, auth);
        }
        let send = request.send();
        let resp = deadline(self.answer_timeout, send)
            .await
            .ok_or_else(|| net(format!("no answer within {} s", self.answer_timeout.as_secs_f32())))?
            .map_err(|e| net(e.to_string()))?;
        if let Some(redirects) = self.redirects.as_ref().filter(|_| original) {
            redirects.learn(file, resp.url().as_str());
        }
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
        let expected = cr.map_or(range.end - range.start, |c| c.last + 1 - c.start);
        let total_size = cr.and_then(|c| c.total);
        if let (Some(t), Ok(mut s)) = (total_size, self.size.lock()) {
            s.get_or_insert(t);
        }
        let state = Body { resp, stall_timeout: self.stall_timeout, got: 0, expected, file: file.into(), counters: self.counters.clone() };
        let body = futures::stream::unfold(Some(state), |state| async move {
            let mut state = state?;
            match state.next().await {
                Ok(Some(b)) => Some((Ok(b), Some(state))),
                Ok(None) => None,
                Err(e) => Some((Err(e), None)),
            }
        })
        .boxed_local();
        Ok(RangeStream { total_size, etag, body })
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
        async move {
            let asked = range.end.saturating_sub(range.start);
            self.open(range).await?.collect(asked).await
        }.boxed_local()
    }

    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        self.open(range).boxed_local()
    }

    fn counters(&self) -> &Counters {
        &self.counters
    }
}
