//! Browser fetch backend (window or worker): single `Range: bytes=a-b` requests — the
//! one CORS-safelisted form, so no preflight. A 200 answer is aborted before its body
//! is read; a 206 must carry the asked range.

use std::cell::Cell;
use std::ops::Range;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use js_sys::Uint8Array;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, Response};

use super::{check_content_range, Counters, RangeReply, RangeSource};
use crate::engine::error::{EngineError, EngineResult};

pub struct FetchSource {
    url: String,
    size: Cell<Option<u64>>,
    counters: Counters,
}

impl FetchSource {
    pub fn new(url: impl Into<String>, size: Option<u64>, counters: Counters) -> Self {
        Self { url: url.into(), size: Cell::new(size), counters }
    }

    fn net(&self, e: JsValue) -> EngineError {
        let message = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .or_else(|| e.as_string())
            .unwrap_or_else(|| "request failed (unreachable host, or the server does not allow cross-origin reads)".into());
        EngineError::Network { file: self.url.clone(), message }
    }

    async fn fetch(&self, range: Range<u64>) -> EngineResult<RangeReply> {
        let abort = AbortController::new().map_err(|e| self.net(e))?;
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_signal(Some(&abort.signal()));
        let request = Request::new_with_str_and_init(&self.url, &init).map_err(|e| self.net(e))?;
        request
            .headers()
            .set("Range", &format!("bytes={}-{}", range.start, range.end - 1))
            .map_err(|e| self.net(e))?;
        self.counters.request();
        let resp: Response = JsFuture::from(global_fetch(&request)?)
            .await
            .map_err(|e| self.net(e))?
            .unchecked_into();
        let status = resp.status();
        if status == 200 {
            abort.abort();
            return Err(EngineError::RangeIgnored { file: self.url.clone() });
        }
        if status != 206 {
            abort.abort();
            return Err(EngineError::Http { file: self.url.clone(), status, reason: resp.status_text(), range });
        }
        let headers = resp.headers();
        let content_range = headers.get("content-range").ok().flatten();
        let etag = headers.get("etag").ok().flatten();
        let cr = check_content_range(&self.url, &range, content_range.as_deref()).inspect_err(|_| abort.abort())?;
        let buffer = JsFuture::from(resp.array_buffer().map_err(|e| self.net(e))?)
            .await
            .map_err(|e| self.net(e))?;
        let bytes = Uint8Array::new(&buffer).to_vec();
        self.counters.bytes(bytes.len() as u64);
        let expected = cr.map_or(range.end - range.start, |c| c.last + 1 - c.start);
        // Without a readable Content-Range, only a short answer at the end of the file is
        // legitimate, and only when we asked past the known end.
        let clipped_ok = cr.is_none() && (bytes.len() as u64) < expected && self.size.get().is_some_and(|s| range.end > s);
        if bytes.len() as u64 != expected && !clipped_ok {
            return Err(EngineError::Network {
                file: self.url.clone(),
                message: format!("truncated answer: {} of {} bytes", bytes.len(), expected),
            });
        }
        let total_size = cr.and_then(|c| c.total);
        if self.size.get().is_none() {
            self.size.set(total_size);
        }
        Ok(RangeReply { bytes: Bytes::from(bytes), total_size, etag })
    }
}

/// `fetch` of whichever global this runs in: a window or a worker.
fn global_fetch(request: &Request) -> EngineResult<js_sys::Promise> {
    let global = js_sys::global();
    if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
        return Ok(w.fetch_with_request(request));
    }
    if let Some(w) = global.dyn_ref::<web_sys::Window>() {
        return Ok(w.fetch_with_request(request));
    }
    Err(EngineError::Network { file: request.url(), message: "no fetch in this context".into() })
}

impl RangeSource for FetchSource {
    fn name(&self) -> &str {
        &self.url
    }

    fn known_size(&self) -> Option<u64> {
        self.size.get()
    }

    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        self.fetch(range).boxed_local()
    }

    fn counters(&self) -> &Counters {
        &self.counters
    }
}
