//! Browser fetch backend (window or worker): single `Range: bytes=a-b` requests — the
//! one CORS-safelisted form, so no preflight. A 200 answer is aborted before its body
//! is read; a 206 must carry the asked range. A URL answered through a redirect (the
//! Hub's resolver) is read at its final URL afterwards (see `redirects`). Bodies are read from the response's
//! stream as they arrive; dropping a stream aborts its request. Every request is bounded
//! in time: the answer within `ANSWER_TIMEOUT`, no body stall beyond `STALL_TIMEOUT`.

use std::cell::Cell;
use std::ops::Range;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::{select, Either, LocalBoxFuture};
use futures::{FutureExt, StreamExt};
use js_sys::{Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{AbortController, Request, RequestInit, Response};

use super::redirects::{final_url_failed, Redirects};
use super::{check_content_range, Counters, RangeReply, RangeSource, RangeStream, ANSWER_TIMEOUT, STALL_TIMEOUT};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::time::{deadline, sleep};

pub struct FetchSource {
    url: String,
    size: Cell<Option<u64>>,
    counters: Counters,
    /// `Authorization` sent with requests to `url` (a Hub token, for URLs on the Hub's
    /// origin only; the browser drops it when a redirect leaves that origin, and it is
    /// never sent to a final URL).
    authorization: Option<String>,
    /// Where redirects of this backend led.
    redirects: Option<Redirects>,
}

/// Aborts its request when dropped (a no-op once the body has been read).
struct AbortOnDrop(AbortController);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

fn net(file: &str, e: JsValue) -> EngineError {
    let message = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "request failed (unreachable host, or the server does not allow cross-origin reads)".into());
    EngineError::Network { file: file.into(), message }
}

/// The most a body reads at a time into its own buffer.
const READ_BUFFER_BYTES: u64 = 256 * 1024;

/// A response body being read through its stream reader.
struct Body {
    reader: Object,
    read: Function,
    /// With a reader that reads into a buffer it is given ("byob"), the buffer, handed
    /// back with each chunk: a body is read into the same memory throughout instead of
    /// into a new `ArrayBuffer` per chunk, which would be garbage for the worker's
    /// collector (tens of MB of it waiting while a grid loads).
    byob: bool,
    buffer: Option<js_sys::ArrayBuffer>,
    got: u64,
    expected: u64,
    /// A body shorter than `expected` is legitimate (see `open`).
    short_ok: bool,
    file: String,
    counters: Counters,
    /// One timer for the whole body, not one per chunk (a body comes in hundreds of
    /// chunks): when it rings, the body has stalled if nothing came since `last_data`,
    /// else it is set again for the rest of `STALL_TIMEOUT`.
    stall: Option<LocalBoxFuture<'static, ()>>,
    /// When the last chunk (or the answer) came, in ms since the epoch.
    last_data: f64,
    _abort: Rc<AbortOnDrop>,
}

impl Body {
    fn new(stream: &web_sys::ReadableStream, expected: u64, short_ok: bool, file: String, counters: Counters, abort: AbortOnDrop) -> EngineResult<Self> {
        // A reader into our own buffer where the browser has one (every current one for
        // fetch bodies), else the default reader.
        let options = Object::new();
        let _ = Reflect::set(&options, &"mode".into(), &"byob".into());
        let get_reader: Option<Function> = Reflect::get(stream, &"getReader".into()).ok().and_then(|f| f.dyn_into().ok());
        let byob = get_reader.and_then(|f| f.call1(stream, &options).ok()).and_then(|r| r.dyn_into::<Object>().ok());
        let (reader, byob) = match byob {
            Some(r) => (r, true),
            None => (stream.get_reader(), false),
        };
        let read: Function = Reflect::get(&reader, &"read".into()).map_err(|e| net(&file, e))?.unchecked_into();
        Ok(Self { reader, read, byob, buffer: None, got: 0, expected, short_ok, file, counters, stall: None, last_data: js_sys::Date::now(), _abort: Rc::new(abort) })
    }

    /// The next chunk's promise settled, or `None` when nothing came for `STALL_TIMEOUT`.
    async fn within_stall(&mut self, read: Promise) -> Option<Result<JsValue, JsValue>> {
        let mut read = JsFuture::from(read);
        loop {
            let timer = self.stall.get_or_insert_with(|| sleep(STALL_TIMEOUT).boxed_local());
            match select(&mut read, timer).await {
                Either::Left((result, _)) => {
                    self.last_data = js_sys::Date::now();
                    return Some(result);
                }
                Either::Right(((), _)) => {
                    self.stall = None;
                    let quiet = js_sys::Date::now() - self.last_data;
                    let rest = STALL_TIMEOUT.as_secs_f64() * 1000.0 - quiet;
                    if rest <= 0.0 {
                        return None;
                    }
                    self.stall = Some(sleep(Duration::from_millis(rest.ceil() as u64)).boxed_local());
                }
            }
        }
    }

    async fn next(&mut self) -> EngineResult<Option<Bytes>> {
        let file = self.file.clone();
        let asked = if self.byob {
            let size = (self.expected.saturating_sub(self.got)).clamp(1, READ_BUFFER_BYTES) as u32;
            let buffer = self.buffer.take().unwrap_or_else(|| js_sys::ArrayBuffer::new(size));
            self.read.call1(&self.reader, &Uint8Array::new(&buffer))
        } else {
            self.read.call0(&self.reader)
        };
        let promise: Promise = asked.map_err(|e| net(&file, e))?.unchecked_into();
        let result = self
            .within_stall(promise)
            .await
            .ok_or_else(|| EngineError::Network { file: file.clone(), message: format!("no data for {} s", STALL_TIMEOUT.as_secs()) })?
            .map_err(|e| net(&file, e))?;
        let done = Reflect::get(&result, &"done".into()).ok().and_then(|v| v.as_bool()).unwrap_or(true);
        if done {
            if self.got != self.expected && !(self.short_ok && self.got < self.expected) {
                return Err(EngineError::Network {
                    file,
                    message: format!("truncated answer: {} of {} bytes", self.got, self.expected),
                });
            }
            return Ok(None);
        }
        let value: Uint8Array = Reflect::get(&result, &"value".into()).map_err(|e| net(&file, e))?.unchecked_into();
        let bytes = value.to_vec();
        if self.byob {
            // The buffer read into comes back (moved) under the chunk: the next read reuses it.
            self.buffer = value.buffer().dyn_into().ok();
        }
        self.got += bytes.len() as u64;
        self.counters.bytes(bytes.len() as u64);
        if self.got > self.expected {
            return Err(EngineError::Network { file, message: format!("answer longer than asked: {} bytes for {}", self.got, self.expected) });
        }
        Ok(Some(Bytes::from(bytes)))
    }
}

impl FetchSource {
    pub fn new(url: impl Into<String>, size: Option<u64>, counters: Counters) -> Self {
        Self { url: url.into(), size: Cell::new(size), counters, authorization: None, redirects: None }
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
        let url = self.url.as_str();
        let abort = AbortOnDrop(AbortController::new().map_err(|e| net(url, e))?);
        let init = RequestInit::new();
        init.set_method("GET");
        init.set_signal(Some(&abort.0.signal()));
        // The engine keeps its own bounded caches; the HTTP cache would turn ranged reads
        // into conditional ones (304s, partial re-requests) and blur the accounting.
        init.set_cache(web_sys::RequestCache::NoStore);
        let request = Request::new_with_str_and_init(target, &init).map_err(|e| net(url, e))?;
        request
            .headers()
            .set("Range", &format!("bytes={}-{}", range.start, range.end - 1))
            .map_err(|e| net(url, e))?;
        if let Some(auth) = self.authorization.as_ref().filter(|_| original) {
            request.headers().set("Authorization", auth).map_err(|e| net(url, e))?;
        }
        self.counters.request();
        let resp: Response = deadline(ANSWER_TIMEOUT, JsFuture::from(global_fetch(&request)?))
            .await
            .ok_or_else(|| EngineError::Network { file: url.into(), message: format!("no answer within {} s", ANSWER_TIMEOUT.as_secs()) })?
            .map_err(|e| net(url, e))?
            .unchecked_into();
        // Every early return below drops `abort`, which aborts the body unread.
        let status = resp.status();
        if let Some(redirects) = self.redirects.as_ref().filter(|_| original && resp.redirected()) {
            redirects.learn(url, &resp.url());
        }
        if status == 200 {
            return Err(EngineError::RangeIgnored { file: url.into() });
        }
        if status != 206 {
            return Err(EngineError::Http { file: url.into(), status, reason: resp.status_text(), range });
        }
        let headers = resp.headers();
        let content_range = headers.get("content-range").ok().flatten();
        let etag = headers.get("etag").ok().flatten();
        let cr = check_content_range(url, &range, content_range.as_deref())?;
        let expected = cr.map_or(range.end - range.start, |c| c.last + 1 - c.start);
        // Without a readable Content-Range, only a short answer at the end of the file is
        // legitimate, and only when we asked past the known end.
        let short_ok = cr.is_none() && self.size.get().is_some_and(|s| range.end > s);
        let total_size = cr.and_then(|c| c.total);
        if self.size.get().is_none() {
            self.size.set(total_size);
        }
        let stream = resp.body().ok_or_else(|| EngineError::Network { file: url.into(), message: "answer without a body".into() })?;
        let state = Body::new(&stream, expected, short_ok, url.into(), self.counters.clone(), abort)?;
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
