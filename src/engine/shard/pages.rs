//! Page maps: where the pages of a column chunk without an offset index are, found by
//! hopping from page header to page header — each hop one small ranged read — and only
//! as far as the rows asked for. A map can stand in for the missing offset index (see
//! `locations`). Hopping never reads a page body, and a map only ever grows.

use std::ops::Range;

use parquet::file::page_index::offset_index::PageLocation;
use serde::{Deserialize, Serialize};

use super::page_header::{parse_page_header, HeaderFault, PageHeader, PageKind};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::range::{RangeSource, Version};

/// Bytes read per hop. Headers without statistics are ~20–40 bytes; pyarrow puts the
/// page's min and max value in data page headers (dropped above 4 KB each), which made
/// ~570-byte headers for 300-byte images. 1 KiB covers both in one read; a larger header
/// is read again with a window 8 times as large.
pub const HOP_BYTES: u64 = 1024;

/// A header larger than this is not believed.
pub const MAX_HEADER_BYTES: u64 = 1 << 20;

/// One page of a column chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageInfo {
    /// File offset of the page header.
    pub offset: u64,
    pub header_len: u32,
    pub header: PageHeader,
    /// Row-group-local index of the page's first row (0 for a dictionary page).
    pub first_row: u64,
}

impl PageInfo {
    /// File offset of the page body, just after the header.
    pub fn body_offset(&self) -> u64 {
        self.offset + u64::from(self.header_len)
    }

    /// End of the page body.
    pub fn end(&self) -> u64 {
        self.body_offset() + u64::from(self.header.compressed_size)
    }

    /// Rows of a data page of a flat column.
    pub fn rows(&self) -> u64 {
        u64::from(self.header.num_rows.unwrap_or(self.header.num_values))
    }

    /// Header and body.
    pub fn range(&self) -> Range<u64> {
        self.offset..self.end()
    }
}

/// The pages of one column chunk of a flat column, known so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMap {
    /// Byte range of the column chunk.
    pub chunk: Range<u64>,
    /// Rows of the row group.
    pub total_rows: u64,
    pub dictionary: Option<PageInfo>,
    /// Data pages, in file order.
    pub pages: Vec<PageInfo>,
    /// Offset of the next header not read yet (`chunk.end` once all are known).
    pub next: u64,
}

impl PageMap {
    pub fn new(chunk: Range<u64>, total_rows: u64) -> Self {
        Self { next: chunk.start, chunk, total_rows, dictionary: None, pages: Vec::new() }
    }

    /// Rows in the data pages known so far.
    pub fn rows_known(&self) -> u64 {
        self.pages.last().map_or(0, |p| p.first_row + p.rows())
    }

    pub fn is_complete(&self) -> bool {
        self.next >= self.chunk.end
    }

    /// Whether the page holding `row` is known.
    pub fn covers(&self, row: u64) -> bool {
        row < self.rows_known() || self.is_complete()
    }

    /// Index in `pages` of the page holding `row`, when known.
    pub fn page_of(&self, row: u64) -> Option<usize> {
        if row >= self.rows_known() {
            return None;
        }
        Some(self.pages.partition_point(|p| p.first_row <= row) - 1)
    }

    /// Add the header found at `self.next`.
    pub fn push(&mut self, header: PageHeader, header_len: usize) -> Result<(), String> {
        let page = PageInfo { offset: self.next, header_len: header_len as u32, header, first_row: self.rows_known() };
        if page.end() > self.chunk.end {
            return Err(format!("page at byte {} runs past its column chunk (ends at {})", page.offset, self.chunk.end));
        }
        self.next = page.end();
        match header.kind {
            PageKind::Dictionary if self.pages.is_empty() && self.dictionary.is_none() => self.dictionary = Some(page),
            PageKind::Dictionary => return Err(format!("second dictionary page at byte {}", page.offset)),
            PageKind::Data | PageKind::DataV2 => {
                if page.first_row + page.rows() > self.total_rows {
                    return Err(format!("pages hold more rows than the row group's {}", self.total_rows));
                }
                self.pages.push(page)
            }
            // Index pages and unknown kinds hold no rows: step over them.
            PageKind::Index | PageKind::Other(_) => {}
        }
        if self.is_complete() && self.rows_known() != self.total_rows {
            return Err(format!("pages hold {} rows, the row group {}", self.rows_known(), self.total_rows));
        }
        Ok(())
    }

    /// The map as the locations of an offset index. While the map is incomplete, a last
    /// location stands for the pages not yet read (from `next` to the chunk's end, its
    /// first row the first row not yet mapped), so every known page keeps its true row
    /// count; that location is never fetched, since maps are extended past every row read.
    pub fn locations(&self) -> Vec<PageLocation> {
        // A data page of no rows holds nothing to read, and two pages may not start at
        // the same row: it is left out.
        let mut out: Vec<PageLocation> = self
            .pages
            .iter()
            .filter(|p| p.rows() > 0)
            .map(|p| PageLocation {
                offset: p.offset as i64,
                compressed_page_size: (p.end() - p.offset) as i32,
                first_row_index: p.first_row as i64,
            })
            .collect();
        if !self.is_complete() {
            out.push(PageLocation {
                offset: self.next as i64,
                compressed_page_size: (self.chunk.end - self.next).min(i32::MAX as u64) as i32,
                first_row_index: self.rows_known() as i64,
            });
        }
        out
    }
}

fn corrupt(file: &str, detail: String) -> EngineError {
    EngineError::Corrupt { file: file.into(), detail }
}

/// Windows of a file read while hopping, by file offset: a page that lies inside one
/// (a small dictionary-indexed page after its dictionary, say) needs no request of its own.
pub type Windows = Vec<(u64, bytes::Bytes)>;

/// Windows kept per chunk hopped (the last ones: the pages read next are near them).
pub const MAX_WINDOWS: usize = 16;

/// The bytes `r` when they lie inside one of `windows`.
pub fn from_windows(windows: &Windows, r: &Range<u64>) -> Option<bytes::Bytes> {
    windows.iter().find_map(|(at, b)| {
        (r.start >= *at && r.end <= at + b.len() as u64).then(|| b.slice((r.start - at) as usize..(r.end - at) as usize))
    })
}

/// Read page headers of `map`'s chunk until the page holding `row` is known (or the
/// chunk ends). Returns the number of requests made. Headers that happen to lie inside
/// a window already read (pages smaller than a window) cost no request. `data_at`, the
/// chunk's first data page offset from its metadata, lets a map that starts with a
/// dictionary page read the dictionary's header and the first data page's header at once
/// (the dictionary's size then only confirms it). Every window read is added to `windows`.
pub async fn hop_to_row(
    src: &dyn RangeSource,
    version: &Version,
    map: &mut PageMap,
    row: u64,
    data_at: Option<u64>,
    windows: &mut Windows,
) -> EngineResult<u32> {
    let file = src.name();
    let mut requests = 0;
    // The last window read: its bytes, from file offset `at`.
    let mut at = 0u64;
    let mut have = bytes::Bytes::new();
    // Past a dictionary page at the chunk's start: the window at the first data page,
    // read beside the first.
    let mut ahead: Option<(u64, bytes::Bytes)> = None;
    let window_at = |next: u64, len: u64, end: u64| next..(next + len).min(end);
    while !map.covers(row) {
        let next = map.next;
        if ahead.as_ref().is_some_and(|(a, _)| *a == next) {
            (at, have) = ahead.take().unwrap_or_default();
        }
        let mut window = HOP_BYTES;
        if next >= at && next < at + have.len() as u64 {
            match parse_page_header(&have[(next - at) as usize..]) {
                Ok((header, len)) => {
                    map.push(header, len).map_err(|d| corrupt(file, format!("page header at byte {next}: {d}")))?;
                    continue;
                }
                Err(HeaderFault::Bad(d)) => return Err(corrupt(file, format!("page header at byte {next}: {d}"))),
                Err(HeaderFault::Short) => {
                    let read_end = at + have.len() as u64;
                    if read_end >= map.chunk.end || read_end - next >= MAX_HEADER_BYTES {
                        return Err(corrupt(file, format!("page header at byte {next} does not end within its column chunk")));
                    }
                    // Cut at the window's end: read it again, from its start, with more.
                    if at == next {
                        window = have.len() as u64 * 8;
                    }
                }
            }
        }
        let asked = window_at(next, window, map.chunk.end);
        let second = data_at
            .filter(|&d| next == map.chunk.start && map.pages.is_empty() && map.dictionary.is_none() && ahead.is_none() && d >= asked.end && d < map.chunk.end)
            .map(|d| window_at(d, HOP_BYTES, map.chunk.end));
        let (reply, extra) = match second {
            Some(r2) => {
                let (a, b) = futures::future::try_join(src.read(asked.clone()), src.read(r2.clone())).await?;
                requests += 1;
                (a, Some((r2, b)))
            }
            None => (src.read(asked.clone()).await?, None),
        };
        requests += 1;
        for (asked, reply) in std::iter::once((&asked, &reply)).chain(extra.as_ref().map(|(r, b)| (r, b))) {
            version.check(file, reply.total_size, reply.etag.as_deref())?;
            if (reply.bytes.len() as u64) < asked.end - asked.start {
                return Err(corrupt(file, format!("the file ends inside a column chunk (at byte {})", asked.start + reply.bytes.len() as u64)));
            }
            if windows.len() >= MAX_WINDOWS {
                windows.remove(0);
            }
            windows.push((asked.start, reply.bytes.clone()));
        }
        ahead = extra.map(|(r, b)| (r.start, b.bytes));
        at = next;
        have = reply.bytes;
    }
    Ok(requests)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::shard::page_header::encoding;

    fn header(kind: PageKind, values: u32, compressed: u32) -> PageHeader {
        PageHeader {
            kind,
            uncompressed_size: compressed,
            compressed_size: compressed,
            num_values: values,
            num_rows: None,
            encoding: encoding::PLAIN,
            def_levels_len: 0,
            rep_levels_len: 0,
            is_compressed: true,
        }
    }

    #[test]
    fn pages_are_found_by_row_and_an_incomplete_map_ends_in_a_standin() {
        let mut m = PageMap::new(1000..1000 + 20 + 100 + 30 + 500 + 30 + 400 + 30 + 300, 30);
        m.push(header(PageKind::Dictionary, 5, 100), 20).unwrap();
        m.push(header(PageKind::Data, 10, 500), 30).unwrap();
        m.push(header(PageKind::Data, 10, 400), 30).unwrap();
        assert_eq!(m.rows_known(), 20);
        assert_eq!((m.page_of(0), m.page_of(9), m.page_of(10), m.page_of(19), m.page_of(20)), (Some(0), Some(0), Some(1), Some(1), None));
        assert!(m.covers(19) && !m.covers(20));
        let locs = m.locations();
        assert_eq!(locs.len(), 3);
        assert_eq!((locs[0].offset, locs[0].compressed_page_size, locs[0].first_row_index), (1120, 530, 0));
        assert_eq!((locs[1].offset, locs[1].first_row_index), (1650, 10));
        assert_eq!((locs[2].offset, locs[2].compressed_page_size, locs[2].first_row_index), (2080, 330, 20), "stand-in for the rest");
        m.push(header(PageKind::Data, 10, 300), 30).unwrap();
        assert!(m.is_complete() && m.covers(1_000_000));
        assert_eq!(m.locations().len(), 3, "no stand-in once complete");
    }

    #[test]
    fn maps_refuse_pages_that_do_not_fit() {
        let mut m = PageMap::new(0..100, 10);
        assert!(m.push(header(PageKind::Data, 10, 200), 10).is_err(), "past the chunk");
        let mut m = PageMap::new(0..100, 10);
        assert!(m.push(header(PageKind::Data, 11, 50), 10).is_err(), "more rows than the row group");
        let mut m = PageMap::new(0..60, 10);
        assert!(m.push(header(PageKind::Data, 5, 50), 10).is_err(), "chunk ends with rows missing");
        let mut m = PageMap::new(0..200, 10);
        m.push(header(PageKind::Data, 5, 50), 10).unwrap();
        assert!(m.push(header(PageKind::Dictionary, 5, 50), 10).is_err(), "dictionary after data");
    }
}
