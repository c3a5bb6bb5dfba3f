//! "These rows × these columns", carried out as planned (see `plan`): page maps are
//! first hopped as far as the rows, then one parallel wave reads the pages needed whole
//! (coalesced) while image pages of many values are streamed and cut after the last value
//! shown; a large dictionary follows when indexed pages need it. Image columns are
//! decoded by our page cursor, everything else by the `parquet` push decoder (told about
//! page maps as if they were the file's offset index). Every answer must be of the
//! version the footer was read from. Never fetches more than `MAX_READ_BYTES` in a read.

use std::cell::Cell as Counter;
use std::collections::{BTreeSet, HashMap};
use std::ops::Range;
use std::sync::Arc;

use arrow_array::builder::BinaryViewBuilder;
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field, Schema};
use bytes::Bytes;
use futures::StreamExt;
use parquet::arrow::arrow_reader::{RowSelection, RowSelector};
use parquet::arrow::push_decoder::{ParquetPushDecoderBuilder, RowGroupSelection};
use parquet::arrow::ProjectionMask;
use parquet::file::metadata::page_index::PageIndexProvider;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::page_index::offset_index::OffsetIndexMetaData;
use parquet::DecodeResult;

use super::levels::check_levels;
use super::page_header::{parse_page_header, HeaderFault};
use super::page_values::{Cell, PageCursor};
use super::pages::{from_windows, hop_to_row, Windows};
use super::plan::{self, ChunkPlan, Handler, PageRead, Pages, Plan};
use super::Shard;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::range::{coalesce, read_many_each, read_many_of, RangeSource, Version, GAP_BYTES};

/// Sorted, de-duplicated rows grouped by row group, as row-group-local selections.
pub fn row_group_selections(row_group_sizes: &[u64], rows: &[u64]) -> Vec<RowGroupSelection> {
    let mut rows: Vec<u64> = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    let mut out = Vec::new();
    let mut start = 0u64;
    let mut next = 0usize;
    for (rg, &n) in row_group_sizes.iter().enumerate() {
        let end = start + n;
        let mut selectors = Vec::new();
        let mut cursor = start;
        while next < rows.len() && rows[next] < end {
            let r = rows[next];
            if r > cursor {
                selectors.push(RowSelector::skip((r - cursor) as usize));
            }
            // Extend a run of consecutive rows.
            let mut run_end = r + 1;
            next += 1;
            while next < rows.len() && rows[next] == run_end && run_end < end {
                run_end += 1;
                next += 1;
            }
            selectors.push(RowSelector::select((run_end - r) as usize));
            cursor = run_end;
        }
        if !selectors.is_empty() {
            out.push(RowGroupSelection::new(rg, Some(RowSelection::from(selectors))));
        }
        start = end;
    }
    out
}

/// One read never fetches more than this: a file laid out without a page index can make
/// "one row" mean a whole column chunk of images (hundreds of MB on real shards).
pub const MAX_READ_BYTES: u64 = 256 * 1024 * 1024;

/// A page decoded whole (by the push decoder, which allocates its uncompressed size
/// up front) may not claim more than this once decompressed: twice what a read may fetch.
pub const MAX_PAGE_BYTES: u64 = 2 * MAX_READ_BYTES;

fn too_large(file: &str, rows: usize, size: u64) -> EngineError {
    EngineError::TooLarge {
        file: file.into(),
        what: format!("a read of {rows} row(s) in this file's layout"),
        size,
        limit: MAX_READ_BYTES,
    }
}

/// Told of values as soon as they are decoded, before the read they belong to ends:
/// (root column, file row, value). Values stored as such are told, and the entries of a
/// dictionary streamed on a guess as the rows guessed for them; values through the push
/// decoder are not. So a listener takes the read's result as what counts: a value told
/// may be missing from it or (a wrong guess) differ. The grid starts an image's
/// thumbnail while others are on their way.
pub type Early<'a> = Option<&'a dyn Fn(usize, u64, &Bytes)>;

/// Tell `early` of the values among `cells` (rows local to page read `first_row` of `c`).
fn tell(early: Early, shard: &Shard, c: &ChunkPlan, first_row: u64, cells: &[(u64, Cell)]) {
    let Some(f) = early else { return };
    let Some(&(group_first, _)) = plan::row_groups(shard).get(c.row_group) else { return };
    for (local, cell) in cells {
        if let Cell::Value(v) = cell {
            f(c.root, group_first + first_row + local, v);
        }
    }
}

/// Decode `rows` (any order; returned sorted and de-duplicated) of the root columns
/// `columns`. Returns the batches in row order.
pub async fn read_rows(
    src: &dyn RangeSource,
    shard: &Shard,
    rows: &[u64],
    columns: &[usize],
) -> EngineResult<Vec<RecordBatch>> {
    read_rows_early(src, shard, rows, columns, None).await
}

/// `read_rows`, telling `early` of values as they arrive.
pub async fn read_rows_early(
    src: &dyn RangeSource,
    shard: &Shard,
    rows: &[u64],
    columns: &[usize],
    early: Early<'_>,
) -> EngineResult<Vec<RecordBatch>> {
    let file = shard.name.as_str();
    let total = shard.rows();
    if let Some(&bad) = rows.iter().find(|&&r| r >= total) {
        return Err(EngineError::RowOutOfRange { file: file.into(), row: bad, rows: total });
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let version = shard.version();
    let budget = Budget { file: file.into(), rows: rows.len(), used: Counter::new(0) };
    // Dictionaries guessed from the metadata alone stream while the maps are extended.
    let guessed = early_guesses(shard, rows, columns);
    let guess_jobs = futures::future::try_join_all(guessed.iter().map(|(c, read)| stream_page(src, shard, &version, (c, read), &budget, true, early)));
    let (extended, guessed_cells) =
        futures::future::try_join(extend_maps(src, shard, &version, rows, columns, &budget, early), guess_jobs).await.map_err(|e| version.past_end(e))?;
    let guesses: Guesses = guessed.iter().zip(guessed_cells).map(|((c, _), cells)| ((c.row_group, c.leaf), cells)).collect();
    let mut plan = plan::plan(shard, rows, columns);
    for c in &mut plan.chunks {
        // Pages the prefix streams mapped are read already.
        if let Some((from, _)) = extended.prefixes.get(&(c.row_group, c.leaf)) {
            c.page_reads.retain(|p| p.first_row < *from);
        }
    }
    if plan.chunks.iter().any(|c| c.hops > 0) {
        return Err(EngineError::Corrupt { file: file.into(), detail: "page headers end before the rows asked for".into() });
    }
    let cost = plan.cost();
    if cost.bytes > MAX_READ_BYTES {
        return Err(too_large(file, plan.rows.len(), cost.bytes));
    }
    let ready = Ready { prefixes: extended.prefixes, windows: extended.windows, guesses };
    execute(src, shard, &version, &plan, ready, &budget, early).await.map_err(|e| version.past_end(e))
}

/// Dictionary entries per (row group, leaf) streamed on a guess (see
/// `ChunkPlan::dictionary_guess`).
type Guesses = HashMap<(usize, usize), Vec<(u64, Cell)>>;

/// What the steps before the main wave brought: cells of prefix streams, the windows
/// hops read, dictionary entries streamed on a guess.
struct Ready {
    prefixes: Prefixes,
    windows: Windows,
    guesses: Guesses,
}

/// What `extend_maps` learned besides the maps.
struct Extended {
    prefixes: Prefixes,
    windows: Windows,
}

/// The large dictionaries of chunks still to be hopped that can be streamed during the
/// hops: the dictionary page at the chunk's start and the first data page after it (both
/// offsets in the column's metadata), the dictionary's header parsed as it arrives, and
/// every wanted row within the first batch a writer puts in a dictionary
/// (`ASSUMED_PAGE_ROWS`), so entry `k` is guessed for row `k`. pyarrow's default layout:
/// the rows' images then arrive in the round trip of the first hop, not two after it.
fn early_guesses(shard: &Shard, rows: &[u64], columns: &[usize]) -> Vec<(ChunkPlan, PageRead)> {
    let groups = plan::row_groups(shard);
    plan::plan(shard, rows, columns)
        .chunks
        .into_iter()
        .filter_map(|c| {
            if c.hops == 0 || c.prefix || !matches!(c.handler, Handler::Cursor { .. }) {
                return None;
            }
            let col = shard.metadata.row_group(c.row_group).column(c.leaf);
            let dictionary = u64::try_from(col.dictionary_page_offset()?).ok()?;
            let data = u64::try_from(col.data_page_offset()).ok()?;
            let mapped = shard.pages.borrow().get(c.row_group, c.leaf).is_some_and(|m| m.dictionary.is_some() || !m.pages.is_empty());
            let last = *c.rows.last()?;
            let early = !mapped
                && dictionary == c.chunk.start
                && data > dictionary
                && data <= c.chunk.end
                && data - dictionary >= plan::STREAM_MIN_BYTES
                && last < plan::ASSUMED_PAGE_ROWS.min(groups[c.row_group].1);
            let read = PageRead { range: dictionary..data, header: None, first_row: 0, wanted: c.rows.clone(), stream: true, estimate: 0 };
            early.then_some((c, read))
        })
        .collect()
}

/// Cells decoded while the page maps were extended, per (row group, leaf): the first
/// row-group-local row the stream mapped, and the cells of the wanted rows from there on.
type Prefixes = HashMap<(usize, usize), (u64, Vec<(u64, Cell)>)>;

/// Hop the page maps of the chunks read until they reach the rows; maps are kept in the
/// shard for later reads. A chunk whose unmapped rows are mostly wanted is streamed
/// instead (`ChunkPlan::prefix`): its pages are mapped and their wanted values decoded
/// in one request.
async fn extend_maps(
    src: &dyn RangeSource,
    shard: &Shard,
    version: &Version,
    rows: &[u64],
    roots: &[usize],
    budget: &Budget,
    early: Early<'_>,
) -> EngineResult<Extended> {
    let _turn = shard.hopping.lock().await;
    let wanted = plan::plan(shard, rows, roots);
    let mut jobs = Vec::new();
    for c in wanted.chunks.iter().filter(|c| c.hops > 0) {
        let total_rows = plan::row_groups(shard)[c.row_group].1;
        let map = shard.pages.borrow().get(c.row_group, c.leaf).cloned();
        let mut map = map.unwrap_or_else(|| super::pages::PageMap::new(c.chunk.clone(), total_rows));
        let last = *c.rows.last().unwrap_or(&0);
        let col = shard.metadata.row_group(c.row_group).column(c.leaf);
        let data_at = col.dictionary_page_offset().and_then(|_| u64::try_from(col.data_page_offset()).ok());
        jobs.push(async move {
            let from = map.rows_known();
            let mut windows = Windows::new();
            let result = if c.prefix {
                stream_prefix(src, shard, version, c, &mut map, budget, early).await.map(|cells| Some((from, cells)))
            } else {
                hop_to_row(src, version, &mut map, last, data_at, &mut windows).await.map(|_| None)
            };
            (c.row_group, c.leaf, map, result, windows)
        });
    }
    let mut prefixes = Prefixes::new();
    let mut all_windows = Windows::new();
    let mut first_error = None;
    for (g, leaf, map, result, windows) in futures::future::join_all(jobs).await {
        all_windows.extend(windows);
        // Keep what was learned even when another chunk failed.
        shard.pages.borrow_mut().put(g, leaf, map);
        match result {
            Ok(prefix) => {
                if let Some(p) = prefix {
                    prefixes.insert((g, leaf), p);
                }
            }
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    first_error.map_or(Ok(Extended { prefixes, windows: all_windows }), Err)
}

/// Stream chunk `c` from `map.next`, adding each page header to `map` and decoding the
/// wanted rows (row-group-local) of the PLAIN pages it passes, until the last wanted value
/// is in; then the transfer is dropped.
async fn stream_prefix(
    src: &dyn RangeSource,
    shard: &Shard,
    version: &Version,
    c: &ChunkPlan,
    map: &mut super::pages::PageMap,
    budget: &Budget,
    early: Early<'_>,
) -> EngineResult<Vec<(u64, Cell)>> {
    let Handler::Cursor { codec, max_def } = c.handler else { return Ok(Vec::new()) };
    let from = map.rows_known();
    let wanted: Vec<u64> = c.rows.iter().copied().filter(|&r| r >= from).collect();
    let start = map.next;
    // The stream asks for the rows' share of what is left of the chunk and a quarter more,
    // not for the whole chunk: bytes already on their way when the last value is in are
    // not wasted beyond that. Should the rows need more, the next stream asks for twice
    // as much.
    let last = *wanted.last().unwrap_or(&from);
    let share = (map.chunk.end - start) / (map.total_rows.saturating_sub(from)).max(1) * (last + 1 - from);
    let mut ask = (share + share / 4 + plan::STREAM_MIN_BYTES).min(map.chunk.end - start);
    let stream = src.read_stream(start..start + ask).await?;
    version.check(src.name(), stream.total_size, stream.etag.as_deref())?;
    let mut body = stream.body;
    let mut asked_end = start + ask;
    // Bytes received and not used yet, from file offset `at`.
    let mut pending: Vec<u8> = Vec::new();
    let mut at = start;
    // The page being passed: its cursor (when it holds wanted rows), first row and body
    // bytes still to come.
    let mut page: Option<(Option<PageCursor>, u64, u64)> = None;
    let mut out: Vec<(u64, Cell)> = Vec::new();
    loop {
        let mut used = 0usize;
        loop {
            let rest = &pending[used..];
            if let Some((cursor, first_row, left)) = &mut page {
                let n = (*left).min(rest.len() as u64) as usize;
                if let Some(cur) = cursor.as_mut() {
                    cur.push(&rest[..n]).map_err(|d| page_fault(shard, c, at, d))?;
                }
                used += n;
                *left -= n as u64;
                let done = cursor.as_ref().is_none_or(|cur| cur.is_done());
                if *left > 0 && !done {
                    break;
                }
                if let Some(mut cur) = cursor.take() {
                    cur.finish().map_err(|d| page_fault(shard, c, at, d))?;
                    let first = *first_row;
                    let cells = cur.take_cells();
                    tell(early, shard, c, first, &cells);
                    out.extend(cells.into_iter().map(|(local, cell)| (first + local, cell)));
                }
                if out.len() == wanted.len() {
                    return Ok(out);
                }
                if *left > 0 {
                    break;
                }
                page = None;
                continue;
            }
            let here = at + used as u64;
            match parse_page_header(rest) {
                Ok((h, len)) => {
                    let first_row = map.rows_known();
                    map.push(h, len).map_err(|d| page_fault(shard, c, here, format!("page header: {d}")))?;
                    used += len;
                    let is_data = matches!(h.kind, super::page_header::PageKind::Data | super::page_header::PageKind::DataV2);
                    let local: Vec<u64> = if is_data {
                        let end = first_row + u64::from(h.num_rows.unwrap_or(h.num_values));
                        wanted.iter().filter(|&&r| r >= first_row && r < end).map(|r| r - first_row).collect()
                    } else {
                        Vec::new()
                    };
                    let cursor = if local.is_empty() {
                        None
                    } else if h.encoding != super::page_header::encoding::PLAIN {
                        return Err(page_fault(shard, c, here, "a dictionary-indexed page in a column chunk without a dictionary".into()));
                    } else {
                        Some(PageCursor::new(codec, max_def, &local, Some(h)).map_err(|d| page_fault(shard, c, here, d))?)
                    };
                    page = Some((cursor, first_row, u64::from(h.compressed_size)));
                }
                Err(HeaderFault::Short) => {
                    if rest.len() as u64 >= super::pages::MAX_HEADER_BYTES {
                        return Err(page_fault(shard, c, here, "a page header larger than 1 MiB".into()));
                    }
                    break;
                }
                Err(HeaderFault::Bad(d)) => return Err(page_fault(shard, c, here, format!("page header: {d}"))),
            }
        }
        pending.drain(..used);
        at += used as u64;
        if map.is_complete() && page.is_none() {
            return Err(page_fault(shard, c, at, format!("the column chunk ended with {} of {} wanted values", out.len(), wanted.len())));
        }
        match body.next().await {
            Some(bytes) => {
                let bytes = bytes?;
                budget.take(bytes.len() as u64)?;
                pending.extend_from_slice(&bytes);
            }
            None if at + pending.len() as u64 == asked_end && asked_end < map.chunk.end => {
                ask *= 2;
                let next = asked_end..(asked_end + ask).min(map.chunk.end);
                let stream = src.read_stream(next.clone()).await?;
                version.check(src.name(), stream.total_size, stream.etag.as_deref())?;
                body = stream.body;
                asked_end = next.end;
            }
            None => return Err(page_fault(shard, c, at, "the file ends inside a column chunk".into())),
        }
    }
}

/// Bytes taken in by this read so far, against `MAX_READ_BYTES`.
struct Budget {
    file: String,
    rows: usize,
    used: Counter<u64>,
}

impl Budget {
    fn take(&self, n: u64) -> EngineResult<()> {
        self.used.set(self.used.get() + n);
        if self.used.get() > MAX_READ_BYTES {
            return Err(too_large(&self.file, self.rows, self.used.get()));
        }
        Ok(())
    }
}

fn page_fault(shard: &Shard, c: &ChunkPlan, at: u64, detail: String) -> EngineError {
    let column = shard.schema.fields().get(c.root).map_or_else(|| c.root.to_string(), |f| f.name().clone());
    EngineError::Corrupt { file: shard.name.clone(), detail: format!("row group {}, column `{column}`, page at byte {at}: {detail}", c.row_group) }
}

/// Check the pages of `bytes` (whole pages read from `range` of chunk `c`) before the
/// push decoder sees them: each header must parse, each body end within the bytes, and
/// no page claim more than `MAX_PAGE_BYTES` uncompressed (the decoder would allocate it),
/// and the definition levels of each data page be whole (the decoder would panic).
fn check_pages(shard: &Shard, c: &ChunkPlan, range: &Range<u64>, bytes: &[u8]) -> EngineResult<()> {
    let descr = shard.metadata.file_metadata().schema_descr().column(c.leaf);
    let compression = shard.metadata.row_group(c.row_group).column(c.leaf).compression();
    let max_def = if descr.max_rep_level() == 0 { descr.max_def_level() } else { 0 };
    let mut pos = 0usize;
    while pos < bytes.len() {
        let at = range.start + pos as u64;
        let fault = |d: String| page_fault(shard, c, at, d);
        let (h, n) = match parse_page_header(&bytes[pos..]) {
            Ok(found) => found,
            Err(HeaderFault::Short) => return Err(fault("page header does not end within its column chunk".into())),
            Err(HeaderFault::Bad(d)) => return Err(fault(format!("bad page header: {d}"))),
        };
        let end = (pos + n) as u64 + u64::from(h.compressed_size);
        if end > bytes.len() as u64 {
            return Err(fault(format!(
                "page of {} bytes runs past its column chunk (ends at byte {})",
                h.compressed_size, c.chunk.end
            )));
        }
        if u64::from(h.uncompressed_size) > MAX_PAGE_BYTES {
            return Err(fault(format!(
                "page claims {} bytes uncompressed; pages are read up to {MAX_PAGE_BYTES}",
                h.uncompressed_size
            )));
        }
        check_levels(&h, &bytes[pos + n..end as usize], compression, max_def).map_err(fault)?;
        pos = end as usize;
    }
    Ok(())
}

/// Stream one page (or dictionary) and decode its wanted values, stopping the transfer
/// as soon as they are all in. A `guess` of dictionary entries (see
/// `ChunkPlan::dictionary_guess`) may name entries past the dictionary's end: they are
/// not wanted after all. `early` is told the values of a data page as they come, and
/// those of a guessed dictionary as the rows guessed (entry `k` as row `k`): a wrong
/// guess is found out when the result is put together.
async fn stream_page(
    src: &dyn RangeSource,
    shard: &Shard,
    version: &Version,
    (c, read): (&ChunkPlan, &PageRead),
    budget: &Budget,
    guess: bool,
    early: Early<'_>,
) -> EngineResult<Vec<(u64, Cell)>> {
    let Handler::Cursor { codec, max_def } = c.handler else { return Ok(Vec::new()) };
    let fault = |d: String| page_fault(shard, c, read.range.start, d);
    let wanted: Vec<u64> = match read.header {
        Some(h) if guess => read.wanted.iter().copied().filter(|&e| e < u64::from(h.num_values)).collect(),
        _ => read.wanted.clone(),
    };
    let mut cursor = PageCursor::new(codec, max_def, &wanted, read.header).map_err(fault)?;
    if guess {
        cursor.drop_entries_past_the_end();
    }
    if cursor.is_done() {
        return Ok(cursor.take_cells());
    }
    let stream = src.read_stream(read.range.clone()).await?;
    version.check(src.name(), stream.total_size, stream.etag.as_deref())?;
    let mut body = stream.body;
    let mut decoded = Ok(());
    // Values told so far: a data page's, or a guessed dictionary's.
    let mut told = 0;
    let base = if guess { 0 } else { read.first_row };
    while !cursor.is_done() {
        match body.next().await {
            Some(bytes) => {
                let bytes = bytes?;
                budget.take(bytes.len() as u64)?;
                decoded = cursor.push(&bytes);
                let not_a_dictionary = cursor.header().is_some_and(|h| h.kind != super::page_header::PageKind::Dictionary);
                if decoded.is_err() || (guess && not_a_dictionary) {
                    break;
                }
                if cursor.header().is_some() && not_a_dictionary != guess {
                    tell(early, shard, c, base, &cursor.cells()[told..]);
                    told = cursor.cells().len();
                }
            }
            None => break,
        }
    }
    // Dropping the body ends the transfer here, whatever is left of the page.
    drop(body);
    let decoded = decoded.and_then(|_| cursor.finish());
    if guess && (decoded.is_err() || cursor.header().is_some_and(|h| h.kind != super::page_header::PageKind::Dictionary)) {
        // A guess that did not find the dictionary the metadata promised yields nothing:
        // the entries are read (and any fault said) once the pages are known.
        return Ok(Vec::new());
    }
    decoded.map_err(fault)?;
    Ok(cursor.take_cells())
}

/// Decode the wanted values of a page read whole.
fn decode_whole(shard: &Shard, c: &ChunkPlan, read: &PageRead, bytes: &[u8]) -> EngineResult<Vec<(u64, Cell)>> {
    let Handler::Cursor { codec, max_def } = c.handler else { return Ok(Vec::new()) };
    let fault = |d: String| page_fault(shard, c, read.range.start, d);
    let mut cursor = PageCursor::new(codec, max_def, &read.wanted, read.header).map_err(fault)?;
    cursor.push(bytes).map_err(fault)?;
    cursor.finish().map_err(fault)?;
    Ok(cursor.take_cells())
}

/// Page locations of mapped chunks, handed to the push decoder as an offset index.
#[derive(Debug)]
struct MappedIndex {
    /// [row group][leaf column]
    offsets: Vec<Vec<Option<OffsetIndexMetaData>>>,
}

impl PageIndexProvider for MappedIndex {
    fn has_offset_indexes(&self) -> bool {
        true
    }
    fn has_column_indexes(&self) -> bool {
        false
    }
    fn column_index(&self, _: usize, _: usize) -> Option<&ColumnIndexMetaData> {
        None
    }
    fn offset_index(&self, row_group: usize, column: usize) -> Option<&OffsetIndexMetaData> {
        self.offsets.get(row_group)?.get(column)?.as_ref()
    }
    fn as_any(&self) -> &dyn std::any::Any {
        self
    }
}

/// The push decoder keeps the file offsets of the pages it is handed as `usize`: 32 bits
/// on wasm32, where a page past 4 GiB is then not found again ("invalid offset in sparse
/// column chunk data"). So it decodes windows of row groups whose chunks span less than
/// this, each with offsets counted from the window's start when it reaches past it.
const DECODER_WINDOW_BYTES: u64 = u32::MAX as u64;

#[cfg(test)]
thread_local! {
    /// A smaller window, for tests of files that are not 4 GiB.
    static TEST_WINDOW_BYTES: std::cell::Cell<Option<u64>> = const { std::cell::Cell::new(None) };
}

fn decoder_window_bytes() -> u64 {
    #[cfg(test)]
    if let Some(w) = TEST_WINDOW_BYTES.with(|w| w.get()) {
        return w;
    }
    DECODER_WINDOW_BYTES
}

/// The row groups of the decoder's chunks, in order, in windows spanning at most `limit`
/// bytes: (the offset the window's offsets count from, its row groups). A window within
/// `limit` of the file's start keeps the file's own offsets.
fn decoder_windows(plan: &Plan, limit: u64) -> Vec<(u64, Vec<usize>)> {
    let mut spans: std::collections::BTreeMap<usize, Range<u64>> = std::collections::BTreeMap::new();
    for c in plan.chunks.iter().filter(|c| c.handler == Handler::Decoder) {
        let span = spans.entry(c.row_group).or_insert_with(|| c.chunk.clone());
        span.start = span.start.min(c.chunk.start);
        span.end = span.end.max(c.chunk.end);
    }
    let mut windows: Vec<(Range<u64>, Vec<usize>)> = Vec::new();
    for (g, r) in spans {
        match windows.last_mut() {
            Some((w, groups)) if w.end.max(r.end) - w.start.min(r.start) <= limit => {
                *w = w.start.min(r.start)..w.end.max(r.end);
                groups.push(g);
            }
            _ => windows.push((r, vec![g])),
        }
    }
    windows.into_iter().map(|(w, groups)| (if w.end <= limit { 0 } else { w.start }, groups)).collect()
}

/// The metadata the push decoder reads with: the file's own, or with page maps standing
/// in for the offset index it lacks; with the offsets of row groups `groups` counted
/// from `base` when it is not 0.
fn decoder_metadata(shard: &Shard, plan: &Plan, base: u64, groups: &[usize]) -> Result<Arc<ParquetMetaData>, parquet::errors::ParquetError> {
    let mapped: Vec<&ChunkPlan> =
        plan.chunks.iter().filter(|c| c.handler == Handler::Decoder && matches!(c.pages, Pages::Map(_))).collect();
    if base == 0 && (shard.has_offset_index() || mapped.is_empty()) {
        return Ok(Arc::clone(&shard.metadata));
    }
    let meta = &shard.metadata;
    let base = i64::try_from(base).unwrap_or(i64::MAX);
    let shift = |at: i64| if at >= base { at - base } else { at };
    let columns = meta.file_metadata().schema_descr().num_columns();
    let mut offsets = vec![vec![None; columns]; meta.num_row_groups()];
    if base > 0 {
        // The file's own offset index, moved with the window.
        for &g in groups {
            for (leaf, slot) in offsets[g].iter_mut().enumerate() {
                *slot = meta.page_index().and_then(|pi| pi.offset_index(g, leaf)).cloned();
            }
        }
    }
    for c in mapped {
        if let Pages::Map(m) = &c.pages {
            offsets[c.row_group][c.leaf] = Some(OffsetIndexMetaData { page_locations: m.locations(), unencoded_byte_array_data_bytes: None });
        }
    }
    let mut builder = (**meta).clone().into_builder();
    if base > 0 {
        for &g in groups {
            for index in offsets[g].iter_mut().flatten() {
                for page in &mut index.page_locations {
                    page.offset = shift(page.offset);
                }
            }
        }
        let mut row_groups = builder.take_row_groups();
        for &g in groups {
            let group = &row_groups[g];
            let moved = group
                .columns()
                .iter()
                .map(|col| {
                    col.clone()
                        .into_builder()
                        .set_data_page_offset(shift(col.data_page_offset()))
                        .set_dictionary_page_offset(col.dictionary_page_offset().map(shift))
                        .set_index_page_offset(col.index_page_offset().map(shift))
                        .build()
                })
                .collect::<Result<Vec<_>, _>>()?;
            row_groups[g] = group.clone().into_builder().set_column_metadata(moved).build()?;
        }
        builder = builder.set_row_groups(row_groups);
    }
    let provider: Arc<dyn PageIndexProvider> = Arc::new(MappedIndex { offsets });
    Ok(Arc::new(builder.set_page_index(Some(provider)).build()))
}

/// Run the push decoder over the decoder's columns with the bytes already fetched, a
/// window of row groups at a time (see `DECODER_WINDOW_BYTES`).
async fn run_decoder(
    src: &dyn RangeSource,
    shard: &Shard,
    version: &Version,
    plan: &Plan,
    fetched: Vec<(Range<u64>, Bytes)>,
) -> EngineResult<Option<RecordBatch>> {
    if plan.decoder_roots.is_empty() {
        return Ok(None);
    }
    let file = shard.name.as_str();
    let names: Vec<String> =
        plan.decoder_roots.iter().map(|&r| shard.schema.fields().get(r).map_or_else(|| r.to_string(), |f| format!("`{}`", f.name()))).collect();
    let columns = format!("{} {}", if names.len() == 1 { "column" } else { "columns" }, names.join(", "));
    // Errors of the decoder say what went wrong, not where: name the columns decoded.
    let corrupt = |e: parquet::errors::ParquetError| EngineError::Corrupt { file: file.into(), detail: format!("{columns}: {e}") };
    let groups = plan::row_groups(shard);
    let sizes: Vec<u64> = groups.iter().map(|g| g.1).collect();
    // Leaves, not roots: of an image stored as a struct only `bytes` is planned and read.
    let leaves: Vec<usize> = plan.decoder_roots.iter().flat_map(|&r| super::plan::leaves_of(shard, r)).collect();
    let mut batches = Vec::new();
    for (base, window) in decoder_windows(plan, decoder_window_bytes()) {
        let in_window = |g: usize| window.contains(&g);
        let chunks: Vec<Range<u64>> = plan.chunks.iter().filter(|c| c.handler == Handler::Decoder && in_window(c.row_group)).map(|c| c.chunk.clone()).collect();
        let rows: Vec<u64> = plan
            .rows
            .iter()
            .copied()
            .filter(|&r| groups.iter().position(|&(first, n)| r >= first && r < first + n).is_some_and(in_window))
            .collect();
        let builder = ParquetPushDecoderBuilder::try_new_decoder(decoder_metadata(shard, plan, base, &window).map_err(corrupt)?).map_err(corrupt)?;
        let mask = ProjectionMask::leaves(builder.parquet_schema(), leaves.iter().copied());
        let mut decoder = builder
            .with_projection(mask)
            .with_batch_size(rows.len().clamp(1, 8192))
            .with_row_group_selections(row_group_selections(&sizes, &rows))
            .build()
            .map_err(corrupt)?;
        let (ranges, bodies): (Vec<Range<u64>>, Vec<Bytes>) = fetched
            .iter()
            .filter(|(r, _)| chunks.iter().any(|c| c.start <= r.start && r.end <= c.end))
            .map(|(r, b)| (r.start - base..r.end - base, b.clone()))
            .unzip();
        if !ranges.is_empty() {
            decoder.push_ranges(ranges, bodies).map_err(corrupt)?;
        }
        loop {
            match decoder.try_decode().map_err(corrupt)? {
                DecodeResult::NeedsData(ranges) => {
                    // Not planned: fetch it anyway (a later wave), within the limit.
                    let ranges: Vec<Range<u64>> = ranges;
                    let cost: u64 = ranges.iter().map(|r| r.end.saturating_sub(r.start)).sum();
                    if cost > MAX_READ_BYTES {
                        return Err(too_large(file, plan.rows.len(), cost));
                    }
                    let in_file: Vec<Range<u64>> = ranges.iter().map(|r| r.start + base..r.end + base).collect();
                    let bodies = read_many_of(src, &in_file, Some(version)).await?;
                    decoder.push_ranges(ranges, bodies).map_err(corrupt)?;
                }
                DecodeResult::Data(batch) => batches.push(batch),
                DecodeResult::Finished => break,
            }
        }
    }
    let Some(first) = batches.first() else { return Ok(None) };
    let schema = first.schema();
    arrow_select::concat::concat_batches(&schema, &batches)
        .map(Some)
        .map_err(|e| EngineError::Corrupt { file: file.into(), detail: e.to_string() })
}

/// Carry out `plan` (its page maps reach every row).
async fn execute(
    src: &dyn RangeSource,
    shard: &Shard,
    version: &Version,
    plan: &Plan,
    ready: Ready,
    budget: &Budget,
    early: Early<'_>,
) -> EngineResult<Vec<RecordBatch>> {
    let Ready { prefixes, windows, guesses: guessed_before } = ready;

    // The main wave: whole ranges (coalesced) and page streams, at once.
    let mut whole: Vec<Range<u64>> = Vec::new();
    for c in &plan.chunks {
        whole.extend(c.whole_ranges());
    }
    let streams = plan.chunks.iter().flat_map(|c| c.page_reads.iter().filter(|p| p.stream).map(move |p| (c, p)));
    let stream_jobs = futures::future::try_join_all(streams.map(|(c, p)| stream_page(src, shard, version, (c, p), budget, false, early)));
    // Large dictionaries whose entries can be guessed, streamed beside the pages.
    let guessed: Vec<(&ChunkPlan, PageRead)> = plan
        .chunks
        .iter()
        .filter(|c| !guessed_before.contains_key(&(c.row_group, c.leaf)))
        .filter_map(|c| {
            let wanted = c.dictionary_guess()?;
            let (range, header) = c.dictionary.clone()?;
            Some((c, PageRead { range, header, first_row: 0, wanted, stream: true, estimate: 0 }))
        })
        .collect();
    let guess_jobs = futures::future::try_join_all(guessed.iter().map(|(c, read)| stream_page(src, shard, version, (c, read), budget, true, early)));
    // Ranges inside a window the hops read are not asked for again.
    let mut fetched: HashMap<(u64, u64), Bytes> =
        whole.iter().filter_map(|r| from_windows(&windows, r).map(|b| ((r.start, r.end), b))).collect();
    whole.retain(|r| !fetched.contains_key(&(r.start, r.end)));
    // Pages of cursor columns read whole are decoded as their request is answered (and
    // their values told early), not after the whole wave.
    let mut whole_pages: HashMap<(u64, u64), Vec<(&ChunkPlan, &PageRead)>> = HashMap::new();
    for c in plan.chunks.iter().filter(|c| matches!(c.handler, Handler::Cursor { .. })) {
        for read in c.page_reads.iter().filter(|p| !p.stream) {
            whole_pages.entry((read.range.start, read.range.end)).or_default().push((c, read));
        }
    }
    let decoded_early: std::cell::RefCell<HashMap<(usize, usize, u64), Vec<(u64, Cell)>>> = Default::default();
    let whole_job = async {
        let mut each = |k: usize, body: &Bytes| {
            let r = &whole[k];
            for &(c, read) in whole_pages.get(&(r.start, r.end)).into_iter().flatten() {
                // A fault is said when the read's pages are decoded below.
                if let Ok(cells) = decode_whole(shard, c, read, body) {
                    tell(early, shard, c, read.first_row, &cells);
                    decoded_early.borrow_mut().insert((c.row_group, c.leaf, read.range.start), cells);
                }
            }
        };
        let bodies = read_many_each(src, &whole, Some(version), &mut each).await?;
        budget.take(coalesce(&whole, GAP_BYTES).iter().map(|r| r.end - r.start).sum())?;
        EngineResult::Ok(bodies)
    };
    let (bodies, streamed, guesses) = futures::future::try_join3(whole_job, stream_jobs, guess_jobs).await?;
    let mut guesses: Guesses = guessed.iter().zip(guesses).map(|((c, _), cells)| ((c.row_group, c.leaf), cells)).collect();
    guesses.extend(guessed_before);
    fetched.extend(whole.iter().zip(&bodies).map(|(r, b)| ((r.start, r.end), b.clone())));
    let bytes_of = |r: &Range<u64>| fetched.get(&(r.start, r.end)).cloned().unwrap_or_default();

    // Cursor columns: cells by (root, file row).
    let groups = plan::row_groups(shard);
    let mut cells: HashMap<(usize, u64), Option<Bytes>> = HashMap::new();
    let mut streamed = streamed.into_iter();
    let mut dictionary_jobs = Vec::new();
    for c in plan.chunks.iter().filter(|c| c.handler != Handler::Decoder) {
        let rg_first = groups[c.row_group].0;
        let mut indexed: Vec<(u64, u32)> = Vec::new();
        let mut got_all: Vec<(u64, Cell)> = prefixes.get(&(c.row_group, c.leaf)).map(|(_, cells)| cells.clone()).unwrap_or_default();
        for read in &c.page_reads {
            let got = if read.stream {
                streamed.next().unwrap_or_default()
            } else if let Some(cells) = decoded_early.borrow_mut().remove(&(c.row_group, c.leaf, read.range.start)) {
                cells
            } else {
                decode_whole(shard, c, read, &bytes_of(&read.range))?
            };
            got_all.extend(got.into_iter().map(|(local, cell)| (read.first_row + local, cell)));
        }
        {
            for (local, cell) in got_all {
                let row = rg_first + local;
                match cell {
                    Cell::Null => {
                        cells.insert((c.root, row), None);
                    }
                    Cell::Value(v) => {
                        cells.insert((c.root, row), Some(v));
                    }
                    Cell::Index(i) => indexed.push((row, i)),
                }
            }
        }
        if indexed.is_empty() {
            continue;
        }
        let Some((range, header)) = c.dictionary.clone() else {
            return Err(page_fault(shard, c, c.chunk.start, "dictionary-indexed values but no dictionary page".into()));
        };
        let guessed = guesses.remove(&(c.row_group, c.leaf)).unwrap_or_default();
        let have: BTreeSet<u64> = guessed.iter().map(|(k, _)| *k).collect();
        let entries: BTreeSet<u64> = indexed.iter().map(|&(_, i)| u64::from(i)).filter(|i| !have.contains(i)).collect();
        let read = PageRead {
            range: range.clone(),
            header,
            first_row: 0,
            wanted: entries.into_iter().collect(),
            stream: c.dictionary_streamed(),
            estimate: 0,
        };
        dictionary_jobs.push((c, read, indexed, guessed));
    }

    // Dictionaries: guessed in the main wave, decoded from it when small, streamed now
    // when large and not (wholly) guessed.
    let mut pending = Vec::new();
    for (c, read, indexed, guessed) in dictionary_jobs {
        if read.wanted.is_empty() {
            resolve(shard, c, &mut cells, &guessed, &indexed)?;
        } else if read.stream {
            pending.push((c, read, indexed, guessed));
        } else {
            let entries = decode_whole(shard, c, &read, &bytes_of(&read.range))?;
            resolve(shard, c, &mut cells, &entries, &indexed)?;
        }
    }
    let jobs = pending.iter().map(|(c, read, _, _)| stream_page(src, shard, version, (c, read), budget, false, None));
    let results = futures::future::try_join_all(jobs).await?;
    for ((c, _, indexed, guessed), mut entries) in pending.into_iter().zip(results) {
        entries.extend(guessed);
        resolve(shard, c, &mut cells, &entries, &indexed)?;
    }

    // Decoder columns.
    for c in plan.chunks.iter().filter(|c| c.handler == Handler::Decoder) {
        for r in &c.decoder_ranges {
            check_pages(shard, c, r, &bytes_of(r))?;
        }
    }
    let decoder_bytes: Vec<(Range<u64>, Bytes)> = plan
        .chunks
        .iter()
        .filter(|c| c.handler == Handler::Decoder)
        .flat_map(|c| c.decoder_ranges.iter().map(|r| (r.clone(), bytes_of(r))))
        .collect();
    let decoded = run_decoder(src, shard, version, plan, decoder_bytes).await?;

    assemble(shard, plan, &cells, decoded).map(|b| vec![b])
}

/// Put dictionary entries in place of the indices that name them.
fn resolve(
    shard: &Shard,
    c: &ChunkPlan,
    cells: &mut HashMap<(usize, u64), Option<Bytes>>,
    entries: &[(u64, Cell)],
    indexed: &[(u64, u32)],
) -> EngineResult<()> {
    let by_entry: HashMap<u64, &Bytes> =
        entries.iter().filter_map(|(k, cell)| if let Cell::Value(v) = cell { Some((*k, v)) } else { None }).collect();
    for &(row, i) in indexed {
        let v = by_entry.get(&u64::from(i)).ok_or_else(|| page_fault(shard, c, c.chunk.start, format!("dictionary entry {i} missing")))?;
        cells.insert((c.root, row), Some((*v).clone()));
    }
    Ok(())
}

/// One batch of the read columns, in root order, rows in order.
fn assemble(
    shard: &Shard,
    plan: &Plan,
    cells: &HashMap<(usize, u64), Option<Bytes>>,
    decoded: Option<RecordBatch>,
) -> EngineResult<RecordBatch> {
    let file = shard.name.as_str();
    let bad = |detail: String| EngineError::Corrupt { file: file.into(), detail };
    let mut fields: Vec<Arc<Field>> = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    for &root in &plan.roots {
        if plan.decoder_roots.contains(&root) {
            let batch = decoded.as_ref().ok_or_else(|| bad("the decoder returned no rows".into()))?;
            let name = shard.schema.field(root).name();
            let i = batch.schema().index_of(name).map_err(|e| bad(e.to_string()))?;
            if batch.num_rows() != plan.rows.len() {
                return Err(bad(format!("decoded {} rows of {}", batch.num_rows(), plan.rows.len())));
            }
            fields.push(Arc::new(batch.schema().field(i).clone()));
            arrays.push(Arc::clone(batch.column(i)));
        } else {
            // A view array of the values where they lie, in the bytes fetched: no copy of
            // the images. An image struct gives its `bytes` under the image's name.
            let field = shard.schema.field(root);
            let mut values = BinaryViewBuilder::with_capacity(plan.rows.len());
            for &row in &plan.rows {
                match cells.get(&(root, row)).ok_or_else(|| bad(format!("row {row}, column `{}`: not decoded", field.name())))? {
                    None => values.append_null(),
                    Some(v) if v.len() <= 12 => values.append_value(v),
                    Some(v) => {
                        let len = u32::try_from(v.len()).map_err(|_| bad(format!("row {row}, column `{}`: a value over 4 GiB", field.name())))?;
                        let block = values.append_block(arrow_buffer::Buffer::from(v.clone()));
                        values.try_append_view(block, 0, len).map_err(|e| bad(e.to_string()))?;
                    }
                }
            }
            fields.push(Arc::new(Field::new(field.name(), DataType::BinaryView, true)));
            arrays.push(Arc::new(values.finish()));
        }
    }
    RecordBatch::try_new(Arc::new(Schema::new(fields)), arrays).map_err(|e| bad(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(sel: &[RowGroupSelection]) -> Vec<(usize, Vec<(bool, usize)>)> {
        sel.iter()
            .map(|s| {
                let runs = s
                    .selection()
                    .map(|rs| rs.iter().map(|r| (r.skip, r.row_count)).collect())
                    .unwrap_or_default();
                (s.row_group_index(), runs)
            })
            .collect()
    }

    #[test]
    fn rows_become_local_selections_per_row_group() {
        // Row groups of 10, 10, 5 rows; rows 3, 4, 12 and 24.
        let sel = row_group_selections(&[10, 10, 5], &[24, 3, 12, 4, 3]);
        assert_eq!(
            describe(&sel),
            vec![
                (0, vec![(true, 3), (false, 2)]),
                (1, vec![(true, 2), (false, 1)]),
                (2, vec![(true, 4), (false, 1)]),
            ]
        );
    }

    #[test]
    fn a_run_stops_at_the_row_group_end() {
        let sel = row_group_selections(&[2, 2], &[1, 2]);
        assert_eq!(describe(&sel), vec![(0, vec![(true, 1), (false, 1)]), (1, vec![(false, 1)])]);
    }
}

/// Layouts the pyarrow fixtures do not have, written here by the `parquet` crate and read
/// from memory: a zstd image column without offset index (the push decoder, told about
/// a page map), nullable images in v2 pages, and pages of several row groups.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod layout_tests {
    use std::ops::Range;

    use arrow_array::cast::AsArray;
    use arrow_array::{Array, ArrayRef, BinaryArray, Int64Array, RecordBatch};
    use bytes::Bytes;
    use futures::future::LocalBoxFuture;
    use futures::{FutureExt, StreamExt};
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, ZstdLevel};
    use parquet::file::properties::{EnabledStatistics, WriterProperties, WriterVersion};

    use super::super::footer::read_footer;
    use super::super::plan::{plan, Handler, Pages};
    use super::super::Shard;
    use super::{read_rows, read_rows_early};
    use crate::engine::error::EngineResult;
    use crate::engine::range::{Counters, RangeReply, RangeSource, RangeStream, Stats};

    /// A file in memory; streams come in pieces of 4 KiB.
    struct Memory {
        data: Bytes,
        counters: Counters,
    }

    impl RangeSource for Memory {
        fn name(&self) -> &str {
            "memory.parquet"
        }
        fn known_size(&self) -> Option<u64> {
            Some(self.data.len() as u64)
        }
        fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
            self.counters.request();
            let bytes = self.data.slice(range.start as usize..(range.end as usize).min(self.data.len()));
            self.counters.bytes(bytes.len() as u64);
            let reply = RangeReply { bytes, total_size: Some(self.data.len() as u64), etag: None };
            async move { Ok(reply) }.boxed_local()
        }
        fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
            self.counters.request();
            let bytes = self.data.slice(range.start as usize..(range.end as usize).min(self.data.len()));
            let pieces: Vec<Bytes> = (0..bytes.len()).step_by(4096).map(|i| bytes.slice(i..(i + 4096).min(bytes.len()))).collect();
            let counters = self.counters.clone();
            let body = futures::stream::iter(pieces)
                .map(move |p| {
                    counters.bytes(p.len() as u64);
                    Ok(p)
                })
                .boxed_local();
            async move { Ok(RangeStream { total_size: None, etag: None, body }) }.boxed_local()
        }
        fn counters(&self) -> &Counters {
            &self.counters
        }
    }

    /// 1000 rows: an id, and an image-like (incompressible) binary of ~1 KB, every 7th
    /// null when `nulls`.
    fn write(props: WriterProperties, nulls: bool) -> (Bytes, Vec<Option<Vec<u8>>>) {
        let mut x = 0x9e37_79b9_7f4a_7c15u64;
        let mut noise = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x as u8
        };
        let images: Vec<Option<Vec<u8>>> =
            (0..1000u32).map(|i| (!nulls || i % 7 != 3).then(|| (0..1000 + i % 50).map(|_| noise()).collect())).collect();
        let batch = RecordBatch::try_from_iter([
            ("id", std::sync::Arc::new(Int64Array::from_iter_values(0..1000)) as ArrayRef),
            ("img", std::sync::Arc::new(BinaryArray::from_iter(images.iter().map(|v| v.as_deref()))) as ArrayRef),
        ])
        .unwrap();
        let mut out = Vec::new();
        let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        (Bytes::from(out), images)
    }

    fn no_index() -> parquet::file::properties::WriterPropertiesBuilder {
        WriterProperties::builder()
            .set_statistics_enabled(EnabledStatistics::None)
            .set_offset_index_disabled(true)
            .set_data_page_row_count_limit(100)
            .set_write_batch_size(100)
    }

    /// A file whose ranged reads (not streams) wait, while `hold` is on, until the test
    /// lets them through.
    struct Held {
        inner: Memory,
        hold: std::cell::Cell<bool>,
        waiting: std::cell::RefCell<Vec<(Range<u64>, futures::channel::oneshot::Sender<()>)>>,
    }

    impl RangeSource for Held {
        fn name(&self) -> &str {
            self.inner.name()
        }
        fn known_size(&self) -> Option<u64> {
            self.inner.known_size()
        }
        fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
            let wait = self.hold.get().then(|| {
                let (go, wait) = futures::channel::oneshot::channel();
                self.waiting.borrow_mut().push((range.clone(), go));
                wait
            });
            async move {
                if let Some(w) = wait {
                    let _ = w.await;
                }
                self.inner.read(range).await
            }
            .boxed_local()
        }
        fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
            self.inner.read_stream(range)
        }
        fn counters(&self) -> &Counters {
            self.inner.counters()
        }
    }

    /// A shard of the file (its schema is not ScaleEdit's, so it is put together here).
    async fn open(src: &dyn RangeSource) -> Shard {
        let footer = read_footer(src).await.unwrap();
        let schema = super::super::columns::arrow_schema(src.name(), &footer.metadata).unwrap();
        Shard {
            name: src.name().into(),
            size: footer.size,
            etag: None,
            metadata: std::sync::Arc::new(footer.metadata),
            schema: std::sync::Arc::new(schema),
            columns: super::super::Columns {
                instruction: 0,
                source_image: 1,
                edited_image: 1,
                id: Some(0),
                ..Default::default()
            },
            pages: Default::default(),
            hopping: Default::default(),
        }
    }

    fn images_of(batches: &[RecordBatch]) -> Vec<Option<Vec<u8>>> {
        let col = batches[0].column_by_name("img").unwrap();
        // The engine's cursor gives a view array, the push decoder a binary one.
        match col.as_binary_view_opt() {
            Some(v) => (0..v.len()).map(|i| v.is_valid(i).then(|| v.value(i).to_vec())).collect(),
            None => {
                let b = col.as_binary::<i32>();
                (0..b.len()).map(|i| b.is_valid(i).then(|| b.value(i).to_vec())).collect()
            }
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn values_are_told_as_the_request_holding_them_is_answered() {
        // A page index and one plain value a page: pages are read whole, merged when near.
        let props = WriterProperties::builder()
            .set_dictionary_enabled(false)
            .set_compression(Compression::UNCOMPRESSED)
            .set_data_page_row_count_limit(1)
            .set_write_batch_size(1)
            .build();
        let (data, images) = write(props, false);
        let src = Held { inner: Memory { data, counters: Counters::default() }, hold: Default::default(), waiting: Default::default() };
        let shard = open(&src).await;
        assert!(shard.has_offset_index());
        src.hold.set(true);
        let told = std::cell::RefCell::new(Vec::new());
        let tell = |root: usize, row: u64, v: &Bytes| told.borrow_mut().push((root, row, Some(v.to_vec())));
        let rows = [10u64, 11, 900];
        let mut read = std::pin::pin!(read_rows_early(&src, &shard, &rows, &[1], Some(&tell)));
        assert!(futures::poll!(&mut read).is_pending());
        // Rows 10 and 11 in one request, row 900 (~900 KB on) in another.
        let mut waiting = src.waiting.take();
        waiting.sort_by_key(|(r, _)| r.start);
        assert_eq!(waiting.len(), 2, "{:?}", waiting.iter().map(|(r, _)| r.clone()).collect::<Vec<_>>());
        let (_, far) = waiting.pop().unwrap();
        let (_, near) = waiting.pop().unwrap();
        near.send(()).unwrap();
        assert!(futures::poll!(&mut read).is_pending(), "row 900 is still on its way");
        assert_eq!(*told.borrow(), vec![(1, 10, images[10].clone()), (1, 11, images[11].clone())]);
        far.send(()).unwrap();
        let got = read.await.unwrap();
        assert_eq!(images_of(&got), rows.iter().map(|&r| images[r as usize].clone()).collect::<Vec<_>>());
        assert_eq!(told.borrow().len(), 3, "each value told once");
        assert_eq!(told.borrow()[2], (1, 900, images[900].clone()));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_prefix_stream_tells_each_value_once_and_only_wanted_ones() {
        let props = no_index().set_dictionary_enabled(false).set_compression(Compression::UNCOMPRESSED).set_data_page_row_count_limit(10).set_write_batch_size(10).build();
        let (data, images) = write(props, false);
        let src = Memory { data, counters: Counters::default() };
        let shard = open(&src).await;
        let rows: Vec<u64> = (0..24).collect();
        assert!(plan(&shard, &rows, &[1]).chunks[0].prefix, "a run of rows from the chunk's start");
        let told = std::cell::RefCell::new(Vec::new());
        let tell = |root: usize, row: u64, v: &Bytes| told.borrow_mut().push((root, row, Some(v.to_vec())));
        let got = read_rows_early(&src, &shard, &rows, &[1], Some(&tell)).await.unwrap();
        assert_eq!(images_of(&got), rows.iter().map(|&r| images[r as usize].clone()).collect::<Vec<_>>());
        let expected: Vec<_> = rows.iter().map(|&r| (1, r, images[r as usize].clone())).collect();
        assert_eq!(*told.borrow(), expected);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_zstd_column_without_offset_index_is_read_by_its_pages() {
        let props = no_index().set_dictionary_enabled(false).set_compression(Compression::ZSTD(ZstdLevel::default())).build();
        let (data, images) = write(props, false);
        let src = Memory { data, counters: Counters::default() };
        let shard = open(&src).await;
        assert!(!shard.has_offset_index());
        let p = plan(&shard, &[550], &[1]);
        assert_eq!(p.chunks[0].handler, Handler::Decoder, "zstd is the push decoder's");
        let before = src.counters.snapshot();
        let got = read_rows(&src, &shard, &[550, 551, 901], &[1]).await.unwrap();
        assert_eq!(images_of(&got), vec![images[550].clone(), images[551].clone(), images[901].clone()]);
        let spent = src.counters.snapshot().bytes - before.bytes;
        let chunk = p.chunks[0].chunk.end - p.chunks[0].chunk.start;
        assert!(spent < chunk / 3, "{spent} bytes of a {chunk}-byte chunk");
        let Pages::Map(m) = &plan(&shard, &[901], &[1]).chunks[0].pages else { panic!("mapped") };
        assert_eq!(m.pages.len(), 10, "hopped to the page of row 901");
        // The map's pages are what the decoder fetched: rows of known pages only.
        let before = src.counters.snapshot();
        let again = read_rows(&src, &shard, &[120], &[1]).await.unwrap();
        assert_eq!(images_of(&again), vec![images[120].clone()]);
        assert_eq!(src.counters.snapshot().requests - before.requests, 1, "one page, no hop");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn nullable_images_in_v2_pages_are_streamed() {
        for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
            let props = no_index()
                .set_writer_version(version)
                .set_dictionary_enabled(false)
                .set_encoding(parquet::basic::Encoding::PLAIN)
                .set_compression(Compression::SNAPPY)
                .set_data_page_row_count_limit(500)
                .set_write_batch_size(500)
                .build();
            let (data, images) = write(props, true);
            let src = Memory { data, counters: Counters::default() };
            let shard = open(&src).await;
            assert!(matches!(plan(&shard, &[0], &[1]).chunks[0].handler, Handler::Cursor { .. }));
            let rows = [0u64, 3, 10, 499, 500, 503, 998];
            let got = read_rows(&src, &shard, &rows, &[1]).await.unwrap();
            assert_eq!(images_of(&got), rows.iter().map(|&r| images[r as usize].clone()).collect::<Vec<_>>(), "{version:?}");
            // Row 10 of a page of 500: streamed only through its value.
            let before = src.counters.snapshot();
            read_rows(&src, &shard, &[510], &[1]).await.unwrap();
            let spent = src.counters.snapshot().bytes - before.bytes;
            assert!(spent < 11 * 1100 + 4096, "{version:?}: {spent} bytes for row 10 of a page");
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_dictionary_streams_during_the_hops_and_a_key_page_inside_a_hop_window_is_not_read_again() {
        // Every image in one dictionary page, then key pages of 100 indices (~130 bytes).
        let props = no_index().set_dictionary_page_size_limit(4 << 20).set_compression(Compression::UNCOMPRESSED).build();
        let (data, images) = write(props, false);
        let src = Memory { data, counters: Counters::default() };
        let shard = open(&src).await;
        let col = shard.metadata.row_group(0).column(1);
        assert!(col.dictionary_page_offset().is_some() && col.data_page_offset() - col.dictionary_page_offset().unwrap() > 1_000_000);
        let rows: Vec<u64> = (0..24).collect();
        let before = src.counters.snapshot();
        let told = std::cell::RefCell::new(Vec::new());
        let tell = |root: usize, row: u64, v: &Bytes| told.borrow_mut().push((root, row, Some(v.to_vec())));
        let got = read_rows_early(&src, &shard, &rows, &[1], Some(&tell)).await.unwrap();
        assert_eq!(images_of(&got), rows.iter().map(|&r| images[r as usize].clone()).collect::<Vec<_>>());
        // The guessed entries were told as their rows while the dictionary streamed.
        assert_eq!(*told.borrow(), rows.iter().map(|&r| (1, r, images[r as usize].clone())).collect::<Vec<_>>());
        let after = src.counters.snapshot();
        let (requests, bytes) = (after.requests - before.requests, after.bytes - before.bytes);
        // The dictionary's header and the first key page's header, hopped at once; the
        // dictionary streamed from the chunk's start meanwhile, its entries 0..24 guessed
        // right. The key page lies in the second hop's window: no request of its own.
        assert_eq!(requests, 3);
        let needed: u64 = images[..24].iter().map(|v| 4 + v.as_ref().unwrap().len() as u64).sum();
        let hops = 2 * super::super::pages::HOP_BYTES;
        assert!(bytes >= needed && bytes <= needed + hops + 2 * 4096, "{bytes} bytes for {needed}");
        let Pages::Map(m) = &plan(&shard, &[0], &[1]).chunks[0].pages else { panic!("mapped") };
        assert!(m.dictionary.is_some() && m.pages.len() == 1, "the dictionary and the first key page are mapped");

        // Rows past the dictionary's guess hop on as before.
        let got = read_rows(&src, &shard, &[450], &[1]).await.unwrap();
        assert_eq!(images_of(&got), vec![images[450].clone()]);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_prefix_stream_that_asked_too_little_asks_again_from_where_it_stopped() {
        // The first 100 images ten times the size of the rest: rows 0..50 need far more
        // than their share of the chunk.
        let images: Vec<Vec<u8>> = (0..1000u32).map(|i| (0..if i < 100 { 5000 } else { 500 }).map(|k| (k * 31 + i * 7) as u8).collect()).collect();
        let batch = RecordBatch::try_from_iter([
            ("id", std::sync::Arc::new(Int64Array::from_iter_values(0..1000)) as ArrayRef),
            ("img", std::sync::Arc::new(BinaryArray::from_iter_values(images.iter())) as ArrayRef),
        ])
        .unwrap();
        let props = no_index()
            .set_dictionary_enabled(false)
            .set_compression(Compression::UNCOMPRESSED)
            .set_data_page_row_count_limit(10)
            .set_write_batch_size(10)
            .build();
        let mut out = Vec::new();
        let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        let src = Memory { data: Bytes::from(out), counters: Counters::default() };
        let shard = open(&src).await;
        let rows: Vec<u64> = (0..50).collect();
        assert!(plan(&shard, &rows, &[1]).chunks[0].prefix, "a run of rows from the chunk's start");
        let before = src.counters.snapshot();
        let got = read_rows(&src, &shard, &rows, &[1]).await.unwrap();
        assert_eq!(images_of(&got), images[..50].iter().map(|v| Some(v.clone())).collect::<Vec<_>>());
        let after = src.counters.snapshot();
        assert_eq!(after.requests - before.requests, 2, "the first stream fell short; a second went on from its end");
        let needed: u64 = 50 * (4 + 5000);
        assert!(after.bytes - before.bytes < 2 * needed, "{} bytes for {needed}", after.bytes - before.bytes);
    }

    /// The push decoder's windows (`DECODER_WINDOW_BYTES`), made small enough that every
    /// row group is a window of its own with its offsets counted from its start, as row
    /// groups past 4 GiB are on wasm32: ids through the decoder, images through it (zstd)
    /// or the cursor, with and without an offset index, rows of several row groups.
    #[tokio::test(flavor = "current_thread")]
    async fn the_decoder_reads_row_groups_with_offsets_counted_from_their_window() {
        for (index, zstd) in [(true, false), (false, false), (true, true), (false, true)] {
            let base = if index { WriterProperties::builder().set_data_page_row_count_limit(100).set_write_batch_size(100) } else { no_index() };
            let compression = if zstd { Compression::ZSTD(ZstdLevel::default()) } else { Compression::UNCOMPRESSED };
            let props = base.set_dictionary_enabled(false).set_max_row_group_row_count(Some(400)).set_compression(compression).build();
            let (data, images) = write(props, false);
            let rows = [5u64, 6, 450, 999];
            // The same read with the file's own offsets, for its requests and bytes.
            let whole = Memory { data: data.clone(), counters: Counters::default() };
            let shard = open(&whole).await;
            let before = whole.counters.snapshot();
            read_rows(&whole, &shard, &rows, &[0, 1]).await.unwrap();
            let usual = whole.counters.snapshot();
            super::TEST_WINDOW_BYTES.with(|w| w.set(Some(1)));
            let src = Memory { data, counters: Counters::default() };
            let shard = open(&src).await;
            assert_eq!((shard.metadata.num_row_groups(), shard.has_offset_index()), (3, index));
            let windows = super::decoder_windows(&plan(&shard, &[5, 450, 999], &[0, 1]), 1);
            assert_eq!(windows.len(), 3, "index {index}, zstd {zstd}: a window a row group");
            assert!(windows.iter().all(|(base, _)| *base > 0));
            let start = src.counters.snapshot();
            let got = read_rows(&src, &shard, &rows, &[0, 1]).await.unwrap();
            super::TEST_WINDOW_BYTES.with(|w| w.set(None));
            let end = src.counters.snapshot();
            assert_eq!(
                (end.requests - start.requests, end.bytes - start.bytes),
                (usual.requests - before.requests, usual.bytes - before.bytes),
                "index {index}, zstd {zstd}: the fetched pages were handed over, none fetched again"
            );
            let ids = got[0].column(0).as_primitive::<arrow_array::types::Int64Type>();
            assert_eq!(ids.values().to_vec(), vec![5, 6, 450, 999], "index {index}, zstd {zstd}");
            assert_eq!(images_of(&got), rows.iter().map(|&r| images[r as usize].clone()).collect::<Vec<_>>(), "index {index}, zstd {zstd}");
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn several_row_groups_with_maps_read_in_one_wave() {
        let props = no_index().set_dictionary_enabled(false).set_max_row_group_row_count(Some(400)).set_compression(Compression::UNCOMPRESSED).build();
        let (data, images) = write(props, false);
        let src = Memory { data, counters: Counters::default() };
        let shard = open(&src).await;
        assert_eq!(shard.metadata.num_row_groups(), 3);
        let rows = [5u64, 450, 999];
        let got = read_rows(&src, &shard, &rows, &[0, 1]).await.unwrap();
        assert_eq!(images_of(&got), rows.iter().map(|&r| images[r as usize].clone()).collect::<Vec<_>>());
        let ids = got[0].column(0).as_primitive::<arrow_array::types::Int64Type>();
        assert_eq!(ids.values().to_vec(), vec![5, 450, 999]);
        // Again, maps known: the id chunks whole (small) and one streamed page per row.
        let before = src.counters.snapshot();
        read_rows(&src, &shard, &[6, 451, 998], &[0, 1]).await.unwrap();
        let spent: Stats = src.counters.snapshot();
        let cost = super::super::plan::plan_cost(&shard, &[7, 452, 997], &[0, 1]);
        assert_eq!(cost.requests, spent.requests - before.requests);
        assert_eq!(cost.waves, 1);
    }
}
