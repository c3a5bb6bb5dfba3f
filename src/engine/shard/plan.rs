//! The fetch plan of "these rows × these columns", made from the footer and the page
//! maps before any byte is fetched: which headers are still to be hopped, which pages
//! are read whole (coalesced into one wave), which are streamed only as far as the
//! values shown, and when a dictionary is needed. The same plan drives the read and
//! answers "what will this cost", so the two never disagree; figures that depend on
//! bytes not seen yet (a streamed prefix, pages not mapped yet) are marked estimates.
//! Planning never does I/O.

use std::ops::Range;

use arrow_schema::DataType;
use parquet::arrow::arrow_reader::{RowSelection, RowSelector};
use parquet::basic::{Encoding, Type as PhysicalType};
use parquet::file::metadata::ColumnChunkMetaData;
use parquet::file::page_index::offset_index::PageLocation;
use serde::{Deserialize, Serialize};

use super::page_header::{encoding, PageHeader, PageKind};
use super::page_values::{Codec, MAX_CURSOR_DEF};
use super::pages::{PageInfo, PageMap, HOP_BYTES};
use super::Shard;
use crate::engine::range::{coalesce, GAP_BYTES};

/// Pages at least this large are streamed and cut after the last value shown instead
/// of fetched whole. Below it a page costs little more than a round trip and can share a
/// request with its neighbours (the coalescing gap is the same 64 KiB, for the same
/// reason: what a link transfers in a round trip's time).
pub const STREAM_MIN_BYTES: u64 = 64 * 1024;

/// Column chunks without an offset index at least this large get a page map; smaller
/// ones are read whole. At 50 Mbit/s, 256 KiB take ~40 ms — about the two round trips of
/// hopping to a page and reading it — so below this hopping cannot win.
pub const MAP_MIN_CHUNK_BYTES: u64 = 256 * 1024;

/// Rows per page assumed for pages not mapped yet: pyarrow cuts pages only between write
/// batches of 1024 values, so a page of images holds 1024 of them.
pub const ASSUMED_PAGE_ROWS: u64 = 1024;

/// Where the pages of one column chunk are known from.
#[derive(Debug, Clone, PartialEq)]
pub enum Pages {
    /// The file's offset index.
    Index(Vec<PageLocation>),
    /// A page map reaching the rows planned (or, for an estimate, a map extended with
    /// pages of an assumed size).
    Map(PageMap),
    /// No page location: the chunk is read whole.
    Whole,
}

/// Who decodes a column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Handler {
    /// Our page cursor: flat binary columns, uncompressed or Snappy, PLAIN or dictionary.
    Cursor { codec: Codec, max_def: i16 },
    /// The `parquet` crate's push decoder: everything else.
    Decoder,
}

/// One page read by the cursor.
#[derive(Debug, Clone, PartialEq)]
pub struct PageRead {
    /// The bytes read: the whole page with its header, or — streamed — from the body
    /// (header known) or the header (not known) to the page's end.
    pub range: Range<u64>,
    /// The header, when known (the range then starts at the body).
    pub header: Option<PageHeader>,
    /// Row-group-local row of the page's first row (0 for a dictionary page).
    pub first_row: u64,
    /// Page-local rows (or dictionary entries) wanted.
    pub wanted: Vec<u64>,
    pub stream: bool,
    /// Bytes expected: the range, or the estimated prefix of a stream.
    pub estimate: u64,
}

/// Whether a chunk's dictionary page has to be read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    No,
    /// Unknown until the data pages are read (offset index only): read if small.
    Maybe,
    Yes,
}

/// One column chunk's part of a read.
#[derive(Debug, Clone, PartialEq)]
pub struct ChunkPlan {
    pub row_group: usize,
    pub leaf: usize,
    pub root: usize,
    pub chunk: Range<u64>,
    /// Row-group-local rows wanted, sorted.
    pub rows: Vec<u64>,
    pub pages: Pages,
    pub handler: Handler,
    /// Headers still to read before the rows' pages are known (estimated).
    pub hops: u32,
    /// The unmapped rows are read by one stream through the pages instead of hops (see
    /// `prefix_streamed`).
    pub prefix: bool,
    /// Cursor: the data pages to read.
    pub page_reads: Vec<PageRead>,
    /// Cursor: the dictionary page (header included) and its header when known.
    pub dictionary: Option<(Range<u64>, Option<PageHeader>)>,
    pub dictionary_need: Need,
    /// Cursor: estimated bytes of a streamed dictionary.
    pub dictionary_estimate: u64,
    /// Decoder: the ranges the push decoder will ask for.
    pub decoder_ranges: Vec<Range<u64>>,
    /// Whether the page layout used is partly assumed.
    pub estimated: bool,
}

impl ChunkPlan {
    /// The dictionary is streamed after the data pages (large) rather than read with
    /// them (small).
    pub fn dictionary_streamed(&self) -> bool {
        self.dictionary_need != Need::No
            && self.dictionary.as_ref().is_some_and(|(r, _)| r.end - r.start >= STREAM_MIN_BYTES)
    }

    /// The entries of a streamed dictionary read in the main wave, beside the pages
    /// whose indices name them: a guess that entry `k` holds row `k` of the row group,
    /// which is what every writer does with distinct values (entries in order of first
    /// appearance, the dictionary filled by the first rows). Only rows of pages that are
    /// (or, with an offset index only, may be) dictionary-indexed: the chunk's first
    /// page, or mapped pages of a dictionary encoding. A wrong guess costs one more
    /// stream after the indices are known (see `read::execute`).
    pub fn dictionary_guess(&self) -> Option<Vec<u64>> {
        if !self.dictionary_streamed() {
            return None;
        }
        let indexed = |read: &&PageRead| match &self.pages {
            Pages::Index(_) => read.first_row == 0,
            Pages::Map(m) => m.pages.iter().any(|p| p.first_row == read.first_row && encoding::is_dictionary(p.header.encoding)),
            Pages::Whole => false,
        };
        let guess: Vec<u64> = self.page_reads.iter().filter(indexed).flat_map(|r| r.wanted.iter().map(move |w| r.first_row + w)).collect();
        (!guess.is_empty()).then_some(guess)
    }

    /// Ranges read whole in the main wave.
    pub fn whole_ranges(&self) -> Vec<Range<u64>> {
        let mut out = self.decoder_ranges.clone();
        out.extend(self.page_reads.iter().filter(|p| !p.stream).map(|p| p.range.clone()));
        if let Some((r, _)) = &self.dictionary {
            if self.dictionary_need != Need::No && !self.dictionary_streamed() {
                out.push(r.clone());
            }
        }
        out
    }
}

/// What a read will cost.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cost {
    /// Bytes transferred (streamed prefixes and unmapped pages estimated).
    pub bytes: u64,
    pub requests: u64,
    /// Rounds of requests that wait for the one before (hops, the main wave, streamed
    /// dictionaries).
    pub waves: u32,
    /// Every figure is known rather than estimated.
    pub exact: bool,
}

impl std::ops::Add for Cost {
    type Output = Cost;
    fn add(self, o: Cost) -> Cost {
        Cost { bytes: self.bytes + o.bytes, requests: self.requests + o.requests, waves: self.waves.max(o.waves), exact: self.exact && o.exact }
    }
}

/// The plan of a whole read.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    /// File rows, sorted and distinct.
    pub rows: Vec<u64>,
    /// Root columns read, sorted.
    pub roots: Vec<usize>,
    /// Root columns the push decoder reads.
    pub decoder_roots: Vec<usize>,
    pub chunks: Vec<ChunkPlan>,
}

impl Plan {
    /// The main wave's ranges, coalesced as they will be requested.
    pub fn main_wave(&self) -> Vec<Range<u64>> {
        let whole: Vec<Range<u64>> = self.chunks.iter().flat_map(ChunkPlan::whole_ranges).collect();
        coalesce(&whole, GAP_BYTES)
    }

    pub fn cost(&self) -> Cost {
        let wave = self.main_wave();
        let streams: Vec<&PageRead> = self.chunks.iter().flat_map(|c| c.page_reads.iter().filter(|p| p.stream)).collect();
        let dictionaries: Vec<&ChunkPlan> = self.chunks.iter().filter(|c| c.dictionary_streamed()).collect();
        // A prefix stream maps its pages while it reads them, in the main wave.
        let hopped = || self.chunks.iter().filter(|c| !c.prefix);
        let hops: u64 = hopped().map(|c| u64::from(c.hops)).sum();
        let hop_waves = hopped().map(|c| c.hops).max().unwrap_or(0);
        // A dictionary whose entries are guessed goes out with the main wave.
        let late_dictionaries = dictionaries.iter().any(|c| c.dictionary_guess().is_none());
        let bytes = wave.iter().map(|r| r.end - r.start).sum::<u64>()
            + streams.iter().map(|p| p.estimate).sum::<u64>()
            + dictionaries.iter().map(|c| c.dictionary_estimate).sum::<u64>()
            + hops * HOP_BYTES;
        let requests = wave.len() as u64 + streams.len() as u64 + dictionaries.len() as u64 + hops;
        let main = u32::from(!wave.is_empty() || !streams.is_empty());
        Cost {
            bytes,
            requests,
            waves: hop_waves + main + u32::from(late_dictionaries),
            exact: hops == 0 && streams.is_empty() && dictionaries.is_empty() && !self.chunks.iter().any(|c| c.estimated || c.dictionary_need == Need::Maybe),
        }
    }
}

/// The cost of reading `rows` × root columns `roots` of `shard`, from its metadata and
/// the page maps known so far (pages not mapped yet are assumed, see `ASSUMED_PAGE_ROWS`).
pub fn plan_cost(shard: &Shard, rows: &[u64], roots: &[usize]) -> Cost {
    plan(shard, rows, roots).cost()
}

/// Byte range of a column chunk, `None` when the metadata is nonsense.
pub fn chunk_range(col: &ColumnChunkMetaData) -> Option<Range<u64>> {
    let start = col.dictionary_page_offset().unwrap_or(col.data_page_offset());
    let len = col.compressed_size();
    (start >= 0 && len >= 0).then(|| start as u64..start as u64 + len as u64)
}

/// Rows of each row group: (first file row, rows).
pub fn row_groups(shard: &Shard) -> Vec<(u64, u64)> {
    let mut first = 0;
    shard
        .metadata
        .row_groups()
        .iter()
        .map(|rg| {
            let n = rg.num_rows().max(0) as u64;
            let out = (first, n);
            first += n;
            out
        })
        .collect()
}

/// The leaf columns read of root column `root`: all of them, but only `bytes` of an
/// image stored as the Hub's `struct<bytes, path>`.
pub fn leaves_of(shard: &Shard, root: usize) -> Vec<usize> {
    if let Some(leaf) = shard.columns.image_leaf(root) {
        return vec![leaf];
    }
    let descr = shard.metadata.file_metadata().schema_descr();
    (0..descr.num_columns()).filter(|&l| descr.get_column_root_idx(l) == root).collect()
}

/// Whether our cursor can decode this chunk, and how.
fn cursor_for(shard: &Shard, root: usize, leaf: usize, col: &ColumnChunkMetaData) -> Option<Handler> {
    let descr = col.column_descr();
    let binary = shard.columns.image_leaf(root) == Some(leaf)
        || matches!(
            shard.schema.fields().get(root).map(|f| f.data_type()),
            Some(DataType::Binary | DataType::LargeBinary | DataType::BinaryView)
        );
    let supported = |e: Encoding| {
        matches!(e, Encoding::PLAIN | Encoding::PLAIN_DICTIONARY | Encoding::RLE | Encoding::RLE_DICTIONARY)
    };
    // Definition levels up to the cursor's bound: a nullable struct of a nullable `bytes`
    // (the Hub's image) has two.
    let flat = leaves_of(shard, root) == [leaf] && descr.max_rep_level() == 0 && descr.max_def_level() <= MAX_CURSOR_DEF;
    (binary && flat && descr.physical_type() == PhysicalType::BYTE_ARRAY && col.encodings().all(supported))
        .then_some(())
        .and_then(|_| Codec::of(col.compression()))
        .map(|codec| Handler::Cursor { codec, max_def: descr.max_def_level() })
}

/// Whether this chunk gets a page map when it has no offset index.
pub fn mappable(shard: &Shard, root: usize, leaf: usize, chunk: &Range<u64>) -> bool {
    let descr = shard.metadata.file_metadata().schema_descr().column(leaf);
    leaves_of(shard, root) == [leaf] && descr.max_rep_level() == 0 && chunk.end - chunk.start >= MAP_MIN_CHUNK_BYTES
}

/// `map` extended with assumed pages until `row` is covered, and the headers that takes.
/// pyarrow's layout is assumed: pages of `ASSUMED_PAGE_ROWS` rows of even size, a
/// dictionary page first when the chunk has one, holding the first batch, then one
/// dictionary-indexed page, then PLAIN pages.
pub fn assumed_map(map: &PageMap, col: &ColumnChunkMetaData, row: u64) -> (PageMap, u32) {
    let mut m = map.clone();
    let mut hops = 0;
    let placeholder = |kind, values: u64, size: u64, enc| PageHeader {
        kind,
        uncompressed_size: size as u32,
        compressed_size: size as u32,
        num_values: values as u32,
        num_rows: None,
        encoding: enc,
        def_levels_len: 0,
        rep_levels_len: 0,
        is_compressed: true,
    };
    let has_dictionary = col.dictionary_page_offset().is_some();
    while !m.covers(row) {
        let rows_left = m.total_rows - m.rows_known();
        let bytes_left = m.chunk.end - m.next;
        if rows_left == 0 || bytes_left == 0 {
            break;
        }
        // Bytes per row of what is left; a dictionary page not seen yet counts as one
        // batch more.
        let dict_pending = has_dictionary && m.dictionary.is_none() && m.pages.is_empty();
        let per_row = bytes_left / (rows_left + if dict_pending { ASSUMED_PAGE_ROWS.min(rows_left) } else { 0 }).max(1);
        let header_len = 32u32;
        let (kind, values, enc) = if dict_pending {
            (PageKind::Dictionary, ASSUMED_PAGE_ROWS.min(rows_left), encoding::PLAIN)
        } else {
            let dict_indexed = has_dictionary && m.pages.is_empty();
            let enc = if dict_indexed { encoding::RLE_DICTIONARY } else { encoding::PLAIN };
            (PageKind::Data, ASSUMED_PAGE_ROWS.min(rows_left), enc)
        };
        let size = if kind == PageKind::Data && enc == encoding::RLE_DICTIONARY {
            // Indices: a couple of bytes per row.
            2 * values
        } else {
            per_row * values
        };
        let size = size.min(bytes_left.saturating_sub(u64::from(header_len)));
        let last = m.rows_known() + values >= m.total_rows;
        let size = if last && kind == PageKind::Data { bytes_left.saturating_sub(u64::from(header_len)) } else { size };
        if m.push(placeholder(kind, values, size, enc), header_len as usize).is_err() {
            break;
        }
        hops += 1;
    }
    (m, hops)
}

/// Whether the unmapped rows of a chunk are read by streaming it from its first unmapped
/// page, learning the page headers on the way, rather than by hopping from header to
/// header first and then reading the pages: when the column has no dictionary and at
/// least half of the rows the stream passes are wanted (a grid's run of rows, the first
/// row). The stream then reads little more than the pages holding the rows, in one
/// round trip where hops take one a page.
fn prefix_streamed(col: &ColumnChunkMetaData, handler: Handler, rows: &[u64], map: &PageMap) -> bool {
    let from = map.rows_known();
    let unmapped = rows.iter().filter(|&&r| r >= from).count() as u64;
    let last = *rows.last().unwrap_or(&0);
    matches!(handler, Handler::Cursor { .. })
        && col.dictionary_page_offset().is_none()
        && map.dictionary.is_none()
        && unmapped > 0
        && 2 * unmapped >= last + 1 - from
}

/// Page-local wanted rows per page index, for rows (row-group-local, sorted) and pages
/// given by their first rows.
fn by_page(rows: &[u64], first_rows: &[u64]) -> Vec<(usize, Vec<u64>)> {
    let mut out: Vec<(usize, Vec<u64>)> = Vec::new();
    for &r in rows {
        let p = first_rows.partition_point(|&f| f <= r).saturating_sub(1);
        let local = r - first_rows.get(p).copied().unwrap_or(0);
        match out.last_mut() {
            Some((q, v)) if *q == p => v.push(local),
            _ => out.push((p, vec![local])),
        }
    }
    out
}

/// The row selection the push decoder is given for `rows` (row-group-local, sorted).
pub fn selection(rows: &[u64]) -> RowSelection {
    let mut selectors = Vec::new();
    let mut cursor = 0;
    let mut i = 0;
    while i < rows.len() {
        let start = rows[i];
        let mut end = start + 1;
        i += 1;
        while i < rows.len() && rows[i] == end {
            end += 1;
            i += 1;
        }
        if start > cursor {
            selectors.push(RowSelector::skip((start - cursor) as usize));
        }
        selectors.push(RowSelector::select((end - start) as usize));
        cursor = end;
    }
    RowSelection::from(selectors)
}

/// Whether a page of `bytes` holding `rows` rows is streamed for the page-local rows
/// `wanted` (sorted): when it is large and a stream can stop before its end. A page
/// wanted to its last row is read whole, so that neighbours wanted whole share a request.
fn streamed(bytes: u64, rows: u64, wanted: &[u64]) -> bool {
    bytes >= STREAM_MIN_BYTES && wanted.last().is_some_and(|&last| last + 1 < rows)
}

/// Estimated bytes of a streamed prefix: the page's share up to its last wanted value.
fn prefix_estimate(bytes: u64, rows: u64, last_local: u64) -> u64 {
    if rows == 0 {
        return bytes;
    }
    ((bytes as u128 * u128::from(last_local + 1)).div_ceil(u128::from(rows)) as u64).min(bytes)
}

/// Plan the read of `rows` (file rows, any order) × `roots` (root column indices).
/// Rows beyond the file are ignored (the read refuses them before planning).
pub fn plan(shard: &Shard, rows: &[u64], roots: &[usize]) -> Plan {
    let mut rows: Vec<u64> = rows.iter().copied().filter(|&r| r < shard.rows()).collect();
    rows.sort_unstable();
    rows.dedup();
    let mut roots = roots.to_vec();
    roots.sort_unstable();
    roots.dedup();
    let meta = &shard.metadata;
    let groups = row_groups(shard);
    let index = meta.page_index().filter(|pi| pi.has_offset_indexes()).cloned();
    let maps = shard.pages.borrow();

    // Row-group-local rows per row group.
    let mut per_group: Vec<(usize, Vec<u64>)> = Vec::new();
    for (g, &(first, n)) in groups.iter().enumerate() {
        let lo = rows.partition_point(|&r| r < first);
        let hi = rows.partition_point(|&r| r < first + n);
        if lo < hi {
            per_group.push((g, rows[lo..hi].iter().map(|r| r - first).collect()));
        }
    }

    // A root is decoded by the cursor only if it can be in every row group read.
    let mut decoder_roots = Vec::new();
    let mut handlers = Vec::new();
    for &root in &roots {
        let leaves = leaves_of(shard, root);
        let handler = match leaves.as_slice() {
            [leaf] => {
                let mut h = None;
                for (g, _) in &per_group {
                    let col = meta.row_group(*g).column(*leaf);
                    let located = index.as_ref().is_some_and(|pi| pi.offset_index(*g, *leaf).is_some())
                        || chunk_range(col).is_some_and(|c| mappable(shard, root, *leaf, &c));
                    let this = if located { cursor_for(shard, root, *leaf, col) } else { None };
                    h = match (h, this) {
                        (None, Some(t)) => Some(Some(t)),
                        (Some(Some(a)), Some(b)) if a == b => Some(Some(a)),
                        _ => Some(None),
                    };
                }
                h.flatten().unwrap_or(Handler::Decoder)
            }
            _ => Handler::Decoder,
        };
        if handler == Handler::Decoder {
            decoder_roots.push(root);
        }
        handlers.push((root, leaves, handler));
    }

    let mut chunks = Vec::new();
    for (g, local) in &per_group {
        let total_rows = groups[*g].1;
        let last = *local.last().unwrap_or(&0);
        for (root, leaves, handler) in &handlers {
            for &leaf in leaves {
                let col = meta.row_group(*g).column(leaf);
                let Some(chunk) = chunk_range(col) else { continue };
                let mut estimated = false;
                let mut hops = 0;
                let mut prefix = false;
                let pages = if let Some(locs) = index.as_ref().and_then(|pi| pi.offset_index(*g, leaf)) {
                    Pages::Index(locs.page_locations().clone())
                } else if *handler == Handler::Decoder && local.len() as u64 >= total_rows {
                    // Every row of the group: the whole chunk is read, so its pages need
                    // not be found first (hopping would read their headers twice).
                    Pages::Whole
                } else if mappable(shard, *root, leaf, &chunk) {
                    let known = maps.get(*g, leaf).cloned().unwrap_or_else(|| PageMap::new(chunk.clone(), total_rows));
                    if known.covers(last) {
                        Pages::Map(known)
                    } else {
                        let (m, h) = assumed_map(&known, col, last);
                        estimated = true;
                        hops = h;
                        prefix = prefix_streamed(col, *handler, local, &known);
                        Pages::Map(m)
                    }
                } else {
                    Pages::Whole
                };
                let mut plan = ChunkPlan {
                    row_group: *g,
                    leaf,
                    root: *root,
                    chunk: chunk.clone(),
                    rows: local.clone(),
                    pages,
                    handler: *handler,
                    hops,
                    prefix,
                    page_reads: Vec::new(),
                    dictionary: None,
                    dictionary_need: Need::No,
                    dictionary_estimate: 0,
                    decoder_ranges: Vec::new(),
                    estimated,
                };
                match handler {
                    Handler::Decoder => plan_decoder(&mut plan, total_rows),
                    Handler::Cursor { .. } => plan_cursor(&mut plan, total_rows),
                }
                chunks.push(plan);
            }
        }
    }
    Plan { rows, roots, decoder_roots, chunks }
}

/// The ranges the push decoder asks for: with page locations, the dictionary and the
/// pages holding selected rows (as `parquet` decides it); without, or when every row of
/// the group is selected (the decoder then asks for the chunk as one range: planned as
/// pages, it would be read twice), the whole chunk.
fn plan_decoder(plan: &mut ChunkPlan, total_rows: u64) {
    let locations = match &plan.pages {
        Pages::Index(_) if plan.rows.len() as u64 >= total_rows => {
            plan.decoder_ranges = vec![plan.chunk.clone()];
            return;
        }
        Pages::Index(l) => l.clone(),
        Pages::Map(m) => m.locations(),
        Pages::Whole => {
            plan.decoder_ranges = vec![plan.chunk.clone()];
            return;
        }
    };
    let mut ranges = Vec::new();
    if let Some(first) = locations.first().filter(|f| f.offset as u64 != plan.chunk.start) {
        ranges.push(plan.chunk.start..first.offset as u64);
    }
    ranges.extend(selection(&plan.rows).scan_ranges(&locations));
    plan.decoder_ranges = ranges;
}

fn plan_cursor(plan: &mut ChunkPlan, total_rows: u64) {
    match &plan.pages {
        Pages::Index(locs) => {
            let firsts: Vec<u64> = locs.iter().map(|l| l.first_row_index.max(0) as u64).collect();
            for (p, wanted) in by_page(&plan.rows, &firsts) {
                let l = &locs[p];
                let range = l.offset as u64..l.offset as u64 + l.compressed_page_size.max(0) as u64;
                let rows = firsts.get(p + 1).copied().unwrap_or(total_rows) - firsts[p];
                let size = range.end - range.start;
                let stream = streamed(size, rows, &wanted);
                let estimate = if stream { prefix_estimate(size, rows, *wanted.last().unwrap_or(&0)) } else { size };
                plan.page_reads.push(PageRead { range, header: None, first_row: firsts[p], wanted, stream, estimate });
            }
            if let Some(first) = locs.first().filter(|f| f.offset as u64 > plan.chunk.start) {
                let range = plan.chunk.start..first.offset as u64;
                plan.dictionary_need = Need::Maybe;
                plan.dictionary_estimate = prefix_estimate(range.end - range.start, ASSUMED_PAGE_ROWS, *plan.rows.last().unwrap_or(&0));
                plan.dictionary = Some((range, None));
            }
        }
        Pages::Map(m) => {
            let firsts: Vec<u64> = m.pages.iter().map(|p| p.first_row).collect();
            let mut dict_last_row = None;
            for (p, wanted) in by_page(&plan.rows, &firsts) {
                let page: &PageInfo = &m.pages[p];
                let h = page.header;
                let plain = h.encoding == encoding::PLAIN;
                let stream = plain && streamed(page.end() - page.offset, page.rows(), &wanted);
                let last = *wanted.last().unwrap_or(&0);
                if encoding::is_dictionary(h.encoding) {
                    dict_last_row = Some(page.first_row + last);
                }
                let (range, header, estimate) = if stream {
                    let body = page.body_offset()..page.end();
                    let est = prefix_estimate(body.end - body.start, page.rows(), last);
                    (body, Some(h), est)
                } else {
                    (page.range(), None, page.end() - page.offset)
                };
                plan.page_reads.push(PageRead { range, header, first_row: page.first_row, wanted, stream, estimate });
            }
            if let (Some(d), Some(last)) = (&m.dictionary, dict_last_row) {
                plan.dictionary_need = Need::Yes;
                let streamed = d.end() - d.offset >= STREAM_MIN_BYTES;
                plan.dictionary_estimate =
                    if streamed { prefix_estimate(d.end() - d.body_offset(), u64::from(d.header.num_values), last) } else { d.end() - d.offset };
                // A streamed dictionary starts at its body; one read whole, at its header.
                let range = if streamed { d.body_offset()..d.end() } else { d.range() };
                plan.dictionary = Some((range, streamed.then_some(d.header)));
            }
        }
        Pages::Whole => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selections_run_and_skip() {
        let s = selection(&[3, 4, 7]);
        let got: Vec<(bool, usize)> = s.iter().map(|r| (r.skip, r.row_count)).collect();
        assert_eq!(got, vec![(true, 3), (false, 2), (true, 2), (false, 1)]);
        assert_eq!(selection(&[0]).iter().map(|r| (r.skip, r.row_count)).collect::<Vec<_>>(), vec![(false, 1)]);
    }

    #[test]
    fn rows_fall_into_their_pages() {
        assert_eq!(by_page(&[0, 5, 10, 29], &[0, 10, 20]), vec![(0, vec![0, 5]), (1, vec![0]), (2, vec![9])]);
    }

    #[test]
    fn only_pages_that_can_stop_early_are_streamed() {
        let big = STREAM_MIN_BYTES;
        assert!(streamed(big, 10, &[0, 3]));
        assert!(!streamed(big, 10, &[2, 9]), "wanted to its last row: read whole");
        assert!(!streamed(big, 1, &[0]), "one image per page: read whole");
        assert!(!streamed(big - 1, 10, &[0]), "small pages are read whole");
    }

    #[test]
    fn a_prefix_costs_its_share_of_the_page() {
        assert_eq!(prefix_estimate(1000, 10, 0), 100);
        assert_eq!(prefix_estimate(1000, 10, 9), 1000);
        assert_eq!(prefix_estimate(1000, 3, 0), 334);
        assert_eq!(prefix_estimate(1000, 0, 5), 1000);
    }
}
