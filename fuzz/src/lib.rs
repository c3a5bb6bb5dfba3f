//! What the fuzz targets share: a file held in memory as a `RangeSource`, and the engine
//! paths each target drives (plain functions, so a regression input can be replayed by
//! a plain test). Futures are driven to completion on the calling thread.

use std::ops::Range;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::FutureExt;
use gallery::engine::error::EngineResult;
use gallery::engine::imaging::diff::{self, ChangeMap, PairName, Which};
use gallery::engine::imaging::sniff;
use gallery::engine::range::{Counters, RangeReply, RangeSource};
use gallery::engine::shard::page_header::parse_page_header;
use gallery::engine::shard::page_values::{Codec, PageCursor};
use gallery::engine::shard::snappy::SnappyStream;
use gallery::engine::shard::{footer, read, Shard};

/// A file of `bytes`, read by range; its size is known.
pub struct Memory {
    pub bytes: Bytes,
    counters: Counters,
}

impl Memory {
    pub fn new(bytes: &[u8]) -> Self {
        Self { bytes: Bytes::copy_from_slice(bytes), counters: Counters::default() }
    }
}

impl RangeSource for Memory {
    fn name(&self) -> &str {
        "fuzz.parquet"
    }
    fn known_size(&self) -> Option<u64> {
        Some(self.bytes.len() as u64)
    }
    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        let len = self.bytes.len() as u64;
        let (start, end) = (range.start.min(len), range.end.min(len));
        let bytes = self.bytes.slice(start as usize..end.max(start) as usize);
        async move { Ok(RangeReply { bytes, total_size: Some(len), etag: None }) }.boxed_local()
    }
    fn counters(&self) -> &Counters {
        &self.counters
    }
}

/// Open `data` as a shard and read its first and last rows, text and images.
pub fn footer_and_rows(data: &[u8]) {
    let src = Memory::new(data);
    futures::executor::block_on(async {
        let Ok(f) = footer::read_footer(&src).await else { return };
        let Ok(shard) = Shard::new("fuzz.parquet", f) else { return };
        let rows: Vec<u64> = [0, shard.rows().saturating_sub(1)].into_iter().filter(|&r| r < shard.rows()).collect();
        let _ = read::read_rows(&src, &shard, &rows, &shard.columns.small()).await;
        let _ = read::read_rows(&src, &shard, &rows, &shard.columns.images()).await;
    });
}

pub fn page_header(data: &[u8]) {
    let _ = parse_page_header(data);
}

/// The first bytes choose the codec, the definition level, the rows wanted and the
/// piece size; the rest is the page, pushed in pieces. The same bytes also go through
/// the Snappy stream alone.
pub fn page_values(data: &[u8]) {
    if data.len() < 4 {
        return;
    }
    let codec = if data[0] & 1 == 0 { Codec::Uncompressed } else { Codec::Snappy };
    let max_def = i16::from(data[0] >> 1 & 1);
    let wanted = [u64::from(data[1]), u64::from(data[1]) + u64::from(data[2] & 7)];
    let piece = usize::from(data[3]).max(1);
    let page = &data[4..];
    if let Ok(mut cursor) = PageCursor::new(codec, max_def, &wanted, None) {
        for chunk in page.chunks(piece) {
            if cursor.push(chunk).is_err() || cursor.is_done() {
                break;
            }
        }
        let _ = cursor.finish();
        let _ = cursor.take_cells();
    }
    let mut s = SnappyStream::new();
    for chunk in page.chunks(piece) {
        if s.push(chunk).is_err() {
            break;
        }
        let n = s.unread().len();
        s.consume(n);
    }
    let _ = s.finish();
}

/// Header check, decoding within a small pixel limit, and the difference of the image
/// with itself.
pub fn imaging(data: &[u8]) {
    // 4 MP: big enough for any header trick, small enough for fast runs.
    const PIXELS: u64 = 4_000_000;
    let _ = sniff::check(data, PIXELS);
    let name = PairName { file: "fuzz.parquet", row: 0 };
    let _ = diff::decode(data, name, Which::Source, PIXELS);
    if let Ok(map) = ChangeMap::from_encoded(data, data, name, PIXELS) {
        let _ = map.heatmap_png(24, name);
    }
}
