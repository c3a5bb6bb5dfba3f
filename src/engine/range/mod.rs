//! Range I/O: one trait for "read bytes [a, b) of this resource", with backends for
//! native HTTP, native files, browser fetch and browser File/Blob, plus the shared
//! accounting (requests, bytes) and range arithmetic. Backends never read a body they
//! did not ask for: a server that ignores `Range` is refused before its body is read.

mod coalesce;
mod content_range;
mod counters;
pub mod gate;
pub mod redirects;
pub mod retry;
mod waves;

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
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::future::LocalBoxFuture;
use futures::stream::LocalBoxStream;
use futures::{FutureExt, StreamExt};
use serde::{Deserialize, Serialize};

pub use coalesce::{coalesce, GAP_BYTES};
pub use content_range::{check_content_range, ContentRange};
pub use counters::{human_bytes, Counters, Stats};
pub use waves::Waves;

use crate::engine::error::{EngineError, EngineResult};

/// A request whose answer (status and headers) takes longer than this fails as a network
/// error. 30 s is far above a CDN's time to first byte (well under a second) and still
/// short enough that a dead connection is noticed while someone waits for an image.
pub const ANSWER_TIMEOUT: Duration = Duration::from_secs(30);

/// A body that delivers no byte for this long fails as a network error. A stall bound
/// rather than a total one, so a large page on a slow link is not cut while it flows.
pub const STALL_TIMEOUT: Duration = Duration::from_secs(30);

/// Bytes of a resource, with what the answer told about the whole resource.
#[derive(Debug, Clone)]
pub struct RangeReply {
    pub bytes: Bytes,
    /// Total size of the resource, when the answer said it (`Content-Range: …/size`).
    pub total_size: Option<u64>,
    /// Validator of this version of the resource (`ETag`), when there is one.
    pub etag: Option<String>,
}

/// A ranged read delivered piece by piece as it arrives: what the answer said about the
/// resource, then the body. Dropping `body` stops the transfer (the request is aborted).
pub struct RangeStream<'a> {
    pub total_size: Option<u64>,
    pub etag: Option<String>,
    /// The asked bytes in order (clipped at the end of the resource); an error ends it.
    pub body: LocalBoxStream<'a, EngineResult<Bytes>>,
}

impl<'a> RangeStream<'a> {
    /// The same stream, keeping `held` until the body ends or is dropped (a place in a
    /// gate, a read counted in flight).
    pub fn holding<T: 'a>(self, held: T) -> Self {
        let body = self.body.map(move |piece| {
            let _held = &held;
            piece
        });
        RangeStream { total_size: self.total_size, etag: self.etag, body: body.boxed_local() }
    }
}

impl<'a> RangeStream<'a> {
    /// The whole body at once, as `read` returns it, for a read of `asked` bytes. Pieces
    /// are copied into one buffer as they arrive, so a read holds its bytes once (not its
    /// pieces and their copy); a body of one piece is that piece.
    pub async fn collect(mut self, asked: u64) -> EngineResult<RangeReply> {
        let mut first: Option<Bytes> = None;
        let mut all: Option<BytesMut> = None;
        while let Some(part) = self.body.next().await {
            let part = part?;
            match (&mut all, first.take()) {
                (Some(all), _) => all.extend_from_slice(&part),
                (None, None) => first = Some(part),
                (None, Some(before)) => {
                    // Room for what was asked (a source never sends more), at least for
                    // what came; a body may still end short.
                    let room = usize::try_from(asked).unwrap_or(usize::MAX).max(before.len() + part.len());
                    let mut joined = BytesMut::with_capacity(room);
                    joined.extend_from_slice(&before);
                    joined.extend_from_slice(&part);
                    all = Some(joined);
                }
            }
        }
        let bytes = match (all, first) {
            (Some(all), _) => all.freeze(),
            (None, first) => first.unwrap_or_default(),
        };
        Ok(RangeReply { bytes, total_size: self.total_size, etag: self.etag })
    }
}

/// One version of a resource: its size and, when the server names it, its ETag. An
/// answer showing another size or ETag means the file was replaced under us.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Version {
    pub size: u64,
    pub etag: Option<String>,
}

impl Version {
    /// `Err(Changed)` when an answer's total size or ETag is not this version's. A missing
    /// ETag proves nothing (some CDNs do not expose it to scripts).
    pub fn check(&self, file: &str, total_size: Option<u64>, etag: Option<&str>) -> EngineResult<()> {
        if let Some(t) = total_size.filter(|&t| t != self.size) {
            return Err(EngineError::Changed { file: file.into(), detail: format!("its size went from {} to {t} bytes", self.size) });
        }
        if let (Some(was), Some(now)) = (self.etag.as_deref(), etag) {
            if was != now {
                return Err(EngineError::Changed { file: file.into(), detail: format!("its ETag went from {was} to {now}") });
            }
        }
        Ok(())
    }

    /// A 416 answer to a range inside this version's size means the file is now shorter
    /// than this version: it changed.
    pub fn past_end(&self, e: EngineError) -> EngineError {
        match e {
            EngineError::Http { file, status: 416, range, .. } if range.end <= self.size => {
                let detail = format!("it no longer has bytes {}-{}", range.start, range.end.saturating_sub(1));
                EngineError::Changed { file, detail }
            }
            e => e,
        }
    }
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

    /// Read bytes `[range.start, range.end)` as they arrive, so a reader can stop as soon
    /// as it has what it needs. Backends that can stop a transfer early override this;
    /// the default reads the whole range and hands it over in one piece.
    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        async move {
            let reply = self.read(range).await?;
            Ok(RangeStream {
                total_size: reply.total_size,
                etag: reply.etag,
                body: futures::stream::once(async move { Ok(reply.bytes) }).boxed_local(),
            })
        }
        .boxed_local()
    }

    /// Requests and bytes this source has transferred so far.
    fn counters(&self) -> &Counters;
}

/// A source whose opening failed: every read returns that error, so the failure
/// surfaces where the caller reads, with the file named.
pub struct Failing {
    name: String,
    error: EngineError,
    counters: Counters,
}

impl Failing {
    pub fn new(name: &str, error: EngineError, counters: &Counters) -> Self {
        Self { name: name.into(), error, counters: counters.clone() }
    }
}

impl RangeSource for Failing {
    fn name(&self) -> &str {
        &self.name
    }
    fn known_size(&self) -> Option<u64> {
        None
    }
    fn read(&self, _: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        let e = self.error.clone();
        async move { Err(e) }.boxed_local()
    }
    fn counters(&self) -> &Counters {
        &self.counters
    }
}

/// Read several ranges at once (one parallel wave), coalescing near ones, and return
/// the bytes of each asked range in order.
pub async fn read_many(src: &dyn RangeSource, ranges: &[Range<u64>]) -> EngineResult<Vec<Bytes>> {
    read_many_of(src, ranges, None).await
}

/// `read_many`, failing with `Changed` when an answer is not of `version`.
pub async fn read_many_of(src: &dyn RangeSource, ranges: &[Range<u64>], version: Option<&Version>) -> EngineResult<Vec<Bytes>> {
    read_many_each(src, ranges, version, &mut |_, _| ()).await
}

/// `read_many_of`, handing each asked range's bytes to `each` (with its index in
/// `ranges`) as soon as the request holding it is answered, while the others are still
/// on their way.
pub async fn read_many_each(
    src: &dyn RangeSource,
    ranges: &[Range<u64>],
    version: Option<&Version>,
    each: &mut dyn FnMut(usize, &Bytes),
) -> EngineResult<Vec<Bytes>> {
    // Ranges come from a file's metadata: one that ends before it starts is a fault of the
    // file, said as such (found by fuzzing: it reached a slice and panicked).
    if let Some(r) = ranges.iter().find(|r| r.end < r.start) {
        return Err(EngineError::Corrupt { file: src.name().into(), detail: format!("a read of bytes {}..{} ends before it starts", r.start, r.end) });
    }
    let merged = coalesce(ranges, GAP_BYTES);
    // Every asked range lies inside exactly one merged range by construction.
    let home: Vec<usize> = ranges.iter().map(|r| merged.iter().position(|m| m.start <= r.start && r.end <= m.end).unwrap_or(0)).collect();
    let mut replies: futures::stream::FuturesUnordered<_> = merged.iter().enumerate().map(|(i, m)| src.read(m.clone()).map(move |reply| (i, reply))).collect();
    let mut out = vec![Bytes::new(); ranges.len()];
    while let Some((i, reply)) = replies.next().await {
        let reply = reply?;
        if let Some(v) = version {
            v.check(src.name(), reply.total_size, reply.etag.as_deref())?;
        }
        let m = &merged[i];
        for (k, r) in ranges.iter().enumerate().filter(|&(k, _)| home[k] == i) {
            let body = &reply.bytes;
            let a = (r.start.saturating_sub(m.start) as usize).min(body.len());
            let b = ((r.end.saturating_sub(m.start)) as usize).min(body.len()).max(a);
            out[k] = body.slice(a..b);
            each(k, &out[k]);
        }
    }
    Ok(out)
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn stream(pieces: Vec<EngineResult<Bytes>>) -> RangeStream<'static> {
        RangeStream { total_size: Some(100), etag: Some("v1".into()), body: futures::stream::iter(pieces).boxed_local() }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn collect_joins_pieces_into_one_buffer_of_the_asked_size() {
        let pieces = vec![Ok(Bytes::from_static(b"abc")), Ok(Bytes::from_static(b"de")), Ok(Bytes::from_static(b"fghij"))];
        let reply = stream(pieces).collect(10).await.unwrap();
        assert_eq!(&reply.bytes[..], b"abcdefghij");
        assert_eq!((reply.total_size, reply.etag.as_deref()), (Some(100), Some("v1")));
        // A body that ends short of the ask keeps what came.
        let short = stream(vec![Ok(Bytes::from_static(b"ab")), Ok(Bytes::from_static(b"c"))]).collect(50).await.unwrap();
        assert_eq!(&short.bytes[..], b"abc");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn collect_of_one_piece_is_that_piece_and_an_error_ends_it() {
        let piece = Bytes::from(vec![7u8; 64]);
        let reply = stream(vec![Ok(piece.clone())]).collect(64).await.unwrap();
        assert_eq!(reply.bytes.as_ptr(), piece.as_ptr(), "not copied");
        let cut = vec![Ok(Bytes::from_static(b"ab")), Err(EngineError::Network { file: "f".into(), message: "cut".into() })];
        let failed = stream(cut).collect(10).await;
        assert!(matches!(failed, Err(EngineError::Network { .. })));
        assert!(stream(Vec::new()).collect(0).await.unwrap().bytes.is_empty());
    }
}
