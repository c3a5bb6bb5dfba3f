//! Decoding chosen values of one page of a flat BYTE_ARRAY column (an image column) as
//! the page's bytes arrive: definition levels, then PLAIN values (kept when wanted,
//! skipped otherwise) or dictionary indices; dictionary pages the same way. It says when
//! it has every wanted value, so a streamed read can stop there — row k of a page of a
//! thousand images costs the bytes of values 0..k. Uncompressed and Snappy pages only;
//! it never holds more of a page than the values it keeps plus the bytes in flight.

use bytes::Bytes;
use parquet::basic::Compression;

use super::levels::{level_width, run_header};
use super::page_header::{encoding, parse_page_header, HeaderFault, PageHeader, PageKind};
use super::pages::MAX_HEADER_BYTES;
use super::snappy::SnappyStream;

/// Codecs whose pages can be decoded as they arrive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Codec {
    Uncompressed,
    Snappy,
}

impl Codec {
    pub fn of(c: Compression) -> Option<Codec> {
        match c {
            Compression::UNCOMPRESSED => Some(Codec::Uncompressed),
            Compression::SNAPPY => Some(Codec::Snappy),
            _ => None,
        }
    }
}

/// What a wanted row or entry turned out to be.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Cell {
    Null,
    Value(Bytes),
    /// An index into the column chunk's dictionary.
    Index(u32),
}

/// Decoded bytes of a page section, as they become available.
enum Flow {
    Plain { buf: Vec<u8>, read: usize },
    Snappy(SnappyStream),
}

/// Consumed bytes are released once this many have piled up.
const RELEASE_BYTES: usize = 1 << 20;

/// A data page claiming more values than this is refused: its levels are decoded into
/// one value per entry, and a header must not choose that allocation (16 Mi values,
/// 64 MiB of levels; pyarrow's image pages hold 1024).
pub const MAX_PAGE_VALUES: u32 = 1 << 24;

impl Flow {
    fn new(codec: Codec) -> Self {
        match codec {
            Codec::Uncompressed => Flow::Plain { buf: Vec::new(), read: 0 },
            Codec::Snappy => Flow::Snappy(SnappyStream::new()),
        }
    }

    fn push(&mut self, b: &[u8]) -> Result<(), String> {
        match self {
            Flow::Plain { buf, .. } => {
                buf.extend_from_slice(b);
                Ok(())
            }
            Flow::Snappy(s) => s.push(b),
        }
    }

    fn unread(&self) -> &[u8] {
        match self {
            Flow::Plain { buf, read } => &buf[*read..],
            Flow::Snappy(s) => s.unread(),
        }
    }

    fn consume(&mut self, n: usize) {
        match self {
            Flow::Plain { buf, read } => {
                *read = (*read + n).min(buf.len());
                if *read >= RELEASE_BYTES {
                    buf.drain(..*read);
                    *read = 0;
                }
            }
            Flow::Snappy(s) => s.consume(n),
        }
    }

    fn finish(&self) -> Result<(), String> {
        match self {
            Flow::Plain { .. } => Ok(()),
            Flow::Snappy(s) => s.finish(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    Header,
    /// v2: level sections still arriving.
    Levels,
    /// v1 with definition levels: their 4-byte length, then their bytes.
    DefLen,
    DefBytes(usize),
    Plain,
    Indices,
    Done,
}

/// The deepest definition level the cursor reads: a value is present at the maximum level
/// and null below it (a struct holding the value, or the value itself, is null).
pub const MAX_CURSOR_DEF: i16 = 3;

/// The wanted values of one page, decoded from its bytes as they are pushed.
pub struct PageCursor {
    codec: Codec,
    max_def: i16,
    /// Sorted, distinct: rows of the page (data pages) or entries (dictionary pages).
    wanted: Vec<u64>,
    header: Option<PageHeader>,
    head: Vec<u8>,
    body_left: u64,
    levels: Vec<u8>,
    levels_left: u64,
    flow: Option<Flow>,
    stage: Stage,
    /// (value ordinal, wanted row or entry), by ordinal.
    targets: Vec<(u64, u64)>,
    next_target: usize,
    ordinal: u64,
    skip_left: u64,
    /// Values present (not null) in the page.
    present: u64,
    out: Vec<(u64, Cell)>,
    /// Wanted dictionary entries past the dictionary's end are dropped, not an error.
    lenient: bool,
}

impl PageCursor {
    /// A cursor for the page whose bytes will be pushed, from its header on (`header`
    /// `None`) or from its body on (`header` known). `wanted` are page-local rows of a
    /// data page, or entries of a dictionary page. `max_def` is the column's maximum
    /// definition level (0 or 1: a flat column).
    pub fn new(codec: Codec, max_def: i16, wanted: &[u64], header: Option<PageHeader>) -> Result<Self, String> {
        if !(0..=MAX_CURSOR_DEF).contains(&max_def) {
            return Err(format!("not a flat column (maximum definition level {max_def})"));
        }
        let mut wanted = wanted.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let mut c = Self {
            codec,
            max_def,
            wanted,
            header: None,
            head: Vec::new(),
            body_left: 0,
            levels: Vec::new(),
            levels_left: 0,
            flow: None,
            stage: Stage::Header,
            targets: Vec::new(),
            next_target: 0,
            ordinal: 0,
            skip_left: 0,
            present: 0,
            out: Vec::new(),
            lenient: false,
        };
        if let Some(h) = header {
            c.start(h)?;
        }
        Ok(c)
    }

    /// Wanted entries of a dictionary page past its end are dropped instead of refused
    /// (the wanted entries were a guess). Call before any byte is pushed, on a cursor
    /// whose header is not known yet.
    pub fn drop_entries_past_the_end(&mut self) {
        self.lenient = true;
    }

    /// The page header, once known.
    pub fn header(&self) -> Option<&PageHeader> {
        self.header.as_ref()
    }

    /// Every wanted value is decoded: the rest of the page is not needed.
    pub fn is_done(&self) -> bool {
        self.stage == Stage::Done
    }

    /// Fail unless every wanted value was decoded.
    pub fn finish(&self) -> Result<(), String> {
        if self.is_done() {
            return Ok(());
        }
        let got = self.out.len();
        Err(format!("the page ended with {got} of {} wanted values decoded", self.wanted.len()))
    }

    /// The cells decoded so far, in the order decoded.
    pub fn cells(&self) -> &[(u64, Cell)] {
        &self.out
    }

    /// The decoded cells: (row or entry, cell), in no particular order.
    pub fn take_cells(&mut self) -> Vec<(u64, Cell)> {
        std::mem::take(&mut self.out)
    }

    /// Take in the next bytes of the page.
    pub fn push(&mut self, input: &[u8]) -> Result<(), String> {
        if self.stage == Stage::Done {
            return Ok(());
        }
        if self.header.is_none() {
            self.head.extend_from_slice(input);
            return match parse_page_header(&self.head) {
                Ok((h, n)) => {
                    let rest = self.head.split_off(n);
                    self.head = Vec::new();
                    self.start(h)?;
                    self.body(&rest)
                }
                Err(HeaderFault::Short) if (self.head.len() as u64) < MAX_HEADER_BYTES => Ok(()),
                Err(HeaderFault::Short) => Err("page header too long".into()),
                Err(HeaderFault::Bad(d)) => Err(format!("bad page header: {d}")),
            };
        }
        self.body(input)
    }

    fn h(&self) -> PageHeader {
        // Only called once the header is known.
        self.header.unwrap_or(PageHeader {
            kind: PageKind::Other(-1),
            uncompressed_size: 0,
            compressed_size: 0,
            num_values: 0,
            num_rows: None,
            encoding: 0,
            def_levels_len: 0,
            rep_levels_len: 0,
            is_compressed: false,
        })
    }

    fn start(&mut self, h: PageHeader) -> Result<(), String> {
        self.header = Some(h);
        self.body_left = u64::from(h.compressed_size);
        if h.kind.is_data() && h.num_values.max(h.num_rows.unwrap_or(0)) > MAX_PAGE_VALUES {
            return Err(format!("page claims {} values; pages of up to {MAX_PAGE_VALUES} are read", h.num_values));
        }
        if h.kind.is_data() {
            let rows = u64::from(h.num_rows.unwrap_or(h.num_values));
            if let Some(&bad) = self.wanted.iter().find(|&&r| r >= rows) {
                return Err(format!("row {bad} beyond the page's {rows} rows"));
            }
        }
        if self.wanted.is_empty() {
            self.stage = Stage::Done;
            return Ok(());
        }
        match h.kind {
            PageKind::Data => {
                self.flow = Some(Flow::new(self.codec));
                if self.max_def > 0 {
                    self.stage = Stage::DefLen;
                    Ok(())
                } else {
                    self.values_start(None)
                }
            }
            PageKind::DataV2 => {
                if h.rep_levels_len > 0 {
                    return Err("repetition levels in a flat column".into());
                }
                let codec = if h.is_compressed { self.codec } else { Codec::Uncompressed };
                self.flow = Some(Flow::new(codec));
                self.levels_left = u64::from(h.def_levels_len);
                if self.levels_left > 0 {
                    self.stage = Stage::Levels;
                    Ok(())
                } else {
                    self.values_start(None)
                }
            }
            PageKind::Dictionary => {
                if h.encoding != encoding::PLAIN && h.encoding != encoding::PLAIN_DICTIONARY {
                    return Err(format!("dictionary page in {}", encoding::name(h.encoding)));
                }
                if self.lenient {
                    self.wanted.retain(|&e| e < u64::from(h.num_values));
                }
                if let Some(&bad) = self.wanted.iter().find(|&&e| e >= u64::from(h.num_values)) {
                    return Err(format!("dictionary index {bad} beyond its {} entries", h.num_values));
                }
                self.flow = Some(Flow::new(self.codec));
                self.present = u64::from(h.num_values);
                self.targets = self.wanted.iter().map(|&e| (e, e)).collect();
                self.stage = if self.targets.is_empty() { Stage::Done } else { Stage::Plain };
                Ok(())
            }
            other => Err(format!("expected a data or dictionary page, found {other:?}")),
        }
    }

    /// Levels are known (or there are none): find which values are wanted.
    fn values_start(&mut self, levels: Option<Vec<u32>>) -> Result<(), String> {
        let h = self.h();
        let rows = u64::from(h.num_rows.unwrap_or(h.num_values));
        if let Some(&bad) = self.wanted.iter().find(|&&r| r >= rows) {
            return Err(format!("row {bad} beyond the page's {rows} rows"));
        }
        match levels {
            None => {
                self.present = rows;
                self.targets = self.wanted.iter().map(|&r| (r, r)).collect();
            }
            Some(levels) => {
                let mut ordinal = 0u64;
                let mut w = self.wanted.iter().peekable();
                for (row, &l) in levels.iter().enumerate().take(rows as usize) {
                    let present = l == self.max_def as u32;
                    if w.next_if(|&&r| r == row as u64).is_some() {
                        if present {
                            self.targets.push((ordinal, row as u64));
                        } else {
                            self.out.push((row as u64, Cell::Null));
                        }
                    }
                    ordinal += u64::from(present);
                }
                self.present = ordinal;
            }
        }
        self.stage = match h.encoding {
            _ if self.targets.is_empty() => Stage::Done,
            encoding::PLAIN => Stage::Plain,
            e if encoding::is_dictionary(e) => Stage::Indices,
            e => return Err(format!("values in {}, which is not decoded here", encoding::name(e))),
        };
        Ok(())
    }

    fn body(&mut self, input: &[u8]) -> Result<(), String> {
        let take = (input.len() as u64).min(self.body_left) as usize;
        let mut input = &input[..take];
        self.body_left -= take as u64;
        if self.levels_left > 0 {
            let n = (self.levels_left.min(input.len() as u64)) as usize;
            self.levels.extend_from_slice(&input[..n]);
            self.levels_left -= n as u64;
            input = &input[n..];
            if self.levels_left == 0 {
                let levels = decode_hybrid(&self.levels, level_width(self.max_def), self.h().num_values as usize)?;
                self.levels = Vec::new();
                self.values_start(Some(levels))?;
            }
        }
        if !input.is_empty() {
            if let Some(flow) = self.flow.as_mut() {
                flow.push(input)?;
            }
        }
        self.advance()
    }

    fn advance(&mut self) -> Result<(), String> {
        loop {
            let Some(flow) = self.flow.as_mut() else { return Ok(()) };
            match self.stage {
                Stage::Header | Stage::Levels | Stage::Done => return Ok(()),
                Stage::DefLen => {
                    let u = flow.unread();
                    if u.len() < 4 {
                        return Ok(());
                    }
                    let n = u32::from_le_bytes([u[0], u[1], u[2], u[3]]) as usize;
                    if n as u64 > u64::from(self.header.map_or(0, |h| h.uncompressed_size)) {
                        return Err(format!("definition levels of {n} bytes in a smaller page"));
                    }
                    flow.consume(4);
                    self.stage = Stage::DefBytes(n);
                }
                Stage::DefBytes(n) => {
                    let u = flow.unread();
                    if u.len() < n {
                        return Ok(());
                    }
                    let levels = decode_hybrid(&u[..n], level_width(self.max_def), self.header.map_or(0, |h| h.num_values) as usize)?;
                    flow.consume(n);
                    self.values_start(Some(levels))?;
                }
                Stage::Plain => {
                    let limit = u64::from(self.header.map_or(0, |h| h.uncompressed_size));
                    while self.next_target < self.targets.len() {
                        if self.skip_left > 0 {
                            let n = (self.skip_left.min(flow.unread().len() as u64)) as usize;
                            flow.consume(n);
                            self.skip_left -= n as u64;
                            if self.skip_left > 0 {
                                return Ok(());
                            }
                        }
                        let u = flow.unread();
                        if u.len() < 4 {
                            return Ok(());
                        }
                        let len = u32::from_le_bytes([u[0], u[1], u[2], u[3]]) as u64;
                        if len > limit {
                            return Err(format!("value of {len} bytes in a page of {limit}"));
                        }
                        if self.ordinal >= self.present {
                            return Err(format!("more values than the page's {}", self.present));
                        }
                        let (ordinal, key) = self.targets[self.next_target];
                        if self.ordinal == ordinal {
                            if (u.len() as u64) < 4 + len {
                                return Ok(());
                            }
                            let value = Bytes::copy_from_slice(&u[4..4 + len as usize]);
                            flow.consume(4 + len as usize);
                            self.out.push((key, Cell::Value(value)));
                            self.next_target += 1;
                        } else {
                            flow.consume(4);
                            self.skip_left = len;
                        }
                        self.ordinal += 1;
                    }
                    self.stage = Stage::Done;
                }
                Stage::Indices => {
                    if self.body_left > 0 {
                        return Ok(());
                    }
                    flow.finish()?;
                    let u = flow.unread();
                    let (&width, rest) = u.split_first().ok_or("dictionary indices missing")?;
                    let indices = decode_hybrid(rest, u32::from(width), self.present as usize)?;
                    for &(ordinal, key) in &self.targets {
                        self.out.push((key, Cell::Index(indices[ordinal as usize])));
                    }
                    self.stage = Stage::Done;
                }
            }
        }
    }
}

/// Decode `count` values of the RLE / bit-packed hybrid encoding (definition levels,
/// dictionary indices) of `bit_width` bits each.
pub fn decode_hybrid(buf: &[u8], bit_width: u32, count: usize) -> Result<Vec<u32>, String> {
    if bit_width > 32 {
        return Err(format!("bit width {bit_width}"));
    }
    if bit_width == 0 {
        return Ok(vec![0; count]);
    }
    let mut out = Vec::with_capacity(count);
    let mut pos = 0usize;
    while out.len() < count {
        let header = run_header(buf, &mut pos)?;
        let left = count - out.len();
        if header & 1 == 0 {
            let run = (header >> 1) as usize;
            let width = bit_width.div_ceil(8) as usize;
            let bytes = buf.get(pos..pos + width).ok_or("run value cut short")?;
            pos += width;
            if run == 0 {
                return Err("empty run".into());
            }
            let v = bytes.iter().rev().fold(0u32, |v, &b| (v << 8) | u32::from(b));
            out.extend(std::iter::repeat_n(v, run.min(left)));
        } else {
            let values = ((header >> 1) as usize).saturating_mul(8);
            let want_bytes = (values as u64 * u64::from(bit_width)).div_ceil(8) as usize;
            // Some writers end the last group early; take what is there.
            let bytes = &buf[pos..(pos + want_bytes).min(buf.len())];
            pos += bytes.len();
            let n = values.min(left).min(bytes.len() * 8 / bit_width as usize);
            if n == 0 {
                return Err("bit-packed run cut short".into());
            }
            for i in 0..n {
                let bit = i * bit_width as usize;
                let mut v = 0u64;
                for k in 0..bit_width.div_ceil(8) as usize + 1 {
                    if let Some(&b) = bytes.get(bit / 8 + k) {
                        v |= u64::from(b) << (8 * k);
                    }
                }
                out.push(((v >> (bit % 8)) & ((1u64 << bit_width) - 1)) as u32);
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow_array::cast::AsArray;
    use arrow_array::{Array, ArrayRef, BinaryArray, RecordBatch};
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::Encoding;
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::file::reader::{FileReader, SerializedFileReader};

    use super::*;

    #[test]
    fn a_page_claiming_too_many_values_is_refused_before_its_levels_are_decoded() {
        let h = PageHeader {
            kind: PageKind::Data,
            uncompressed_size: 8,
            compressed_size: 8,
            num_values: u32::MAX >> 1,
            num_rows: None,
            encoding: encoding::PLAIN,
            def_levels_len: 0,
            rep_levels_len: 0,
            is_compressed: false,
        };
        let err = PageCursor::new(Codec::Uncompressed, 1, &[0], Some(h)).err().unwrap();
        assert_eq!(err, "page claims 2147483647 values; pages of up to 16777216 are read");
    }

    #[test]
    fn hybrid_runs_decode() {
        // RLE run of 5 × 3 (width 2: one byte per value).
        assert_eq!(decode_hybrid(&[5 << 1, 3], 2, 5).unwrap(), vec![3; 5]);
        // Then a bit-packed group of the 8 values 0..8 at width 3, LSB first: 24 bits.
        let packed: u32 = (0..8u32).fold(0, |acc, v| acc | (v << (3 * v)));
        let mut buf = vec![5 << 1, 3, (1 << 1) | 1];
        buf.extend_from_slice(&packed.to_le_bytes()[..3]);
        let mut want = vec![3; 5];
        want.extend(0..8);
        assert_eq!(decode_hybrid(&buf, 3, 13).unwrap(), want);
        assert_eq!(decode_hybrid(&buf, 3, 9).unwrap(), want[..9], "the last group is cut at the count");
        // Width 10: two bytes per RLE value.
        assert_eq!(decode_hybrid(&[4 << 1, 0xff, 0x03], 10, 4).unwrap(), vec![1023; 4]);
        assert!(decode_hybrid(&[4 << 1], 10, 4).is_err(), "cut short");
        assert!(decode_hybrid(&[0], 1, 4).is_err(), "empty run");
        assert_eq!(decode_hybrid(&[], 0, 3).unwrap(), vec![0; 3]);
    }

    struct Written {
        file: Bytes,
        values: Vec<Option<Vec<u8>>>,
    }

    /// A file of one nullable binary column written by the `parquet` crate.
    fn write(version: WriterVersion, dictionary: bool, codec: Compression) -> Written {
        let values: Vec<Option<Vec<u8>>> = (0..700u32)
            .map(|i| (i % 9 != 4).then(|| format!("value-{}-{}", i % 50, "x".repeat((i % 31) as usize)).into_bytes()))
            .collect();
        let array = BinaryArray::from_iter(values.iter().map(|v| v.as_deref()));
        let batch = RecordBatch::try_from_iter([("img", Arc::new(array) as ArrayRef)]).unwrap();
        let mut props = WriterProperties::builder()
            .set_writer_version(version)
            .set_dictionary_enabled(dictionary)
            .set_data_page_row_count_limit(100)
            .set_write_batch_size(100)
            .set_compression(codec);
        if !dictionary {
            props = props.set_encoding(Encoding::PLAIN);
        }
        let mut out = Vec::new();
        let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props.build())).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        // Read back with the parquet crate, as the reference.
        let reader = ParquetRecordBatchReaderBuilder::try_new(Bytes::from(out.clone())).unwrap().build().unwrap();
        let mut back = Vec::new();
        for b in reader {
            let b = b.unwrap();
            let col = b.column(0).as_binary::<i32>();
            back.extend((0..col.len()).map(|i| col.is_valid(i).then(|| col.value(i).to_vec())));
        }
        assert_eq!(back, values);
        Written { file: Bytes::from(out), values }
    }

    /// Decode every row of the column through cursors fed `piece` bytes at a time.
    fn decode_all(w: &Written, codec: Codec, piece: usize) -> Vec<Option<Vec<u8>>> {
        let reader = SerializedFileReader::new(w.file.clone()).unwrap();
        let meta = reader.metadata();
        let mut rows: Vec<Option<Vec<u8>>> = Vec::new();
        for rg in meta.row_groups() {
            let (start, len) = rg.column(0).byte_range();
            let mut pos = start as usize;
            let mut dictionary: Vec<Bytes> = Vec::new();
            while pos < (start + len) as usize {
                let (h, n) = parse_page_header(&w.file[pos..]).unwrap();
                let page = &w.file[pos..pos + n + h.compressed_size as usize];
                let wanted: Vec<u64> = match h.kind {
                    PageKind::Dictionary => (0..u64::from(h.num_values)).collect(),
                    _ => (0..u64::from(h.num_rows.unwrap_or(h.num_values))).collect(),
                };
                let mut c = PageCursor::new(codec, 1, &wanted, None).unwrap();
                for p in page.chunks(piece) {
                    c.push(p).unwrap();
                }
                c.finish().unwrap();
                let mut cells = c.take_cells();
                cells.sort_by_key(|(k, _)| *k);
                assert_eq!(cells.len(), wanted.len());
                for (_, cell) in cells {
                    match cell {
                        Cell::Value(v) if h.kind == PageKind::Dictionary => dictionary.push(v),
                        Cell::Value(v) => rows.push(Some(v.to_vec())),
                        Cell::Index(i) => rows.push(Some(dictionary[i as usize].to_vec())),
                        Cell::Null => rows.push(None),
                    }
                }
                pos += page.len();
            }
        }
        rows
    }

    #[test]
    fn every_value_of_pages_written_by_the_parquet_crate() {
        for version in [WriterVersion::PARQUET_1_0, WriterVersion::PARQUET_2_0] {
            for dictionary in [false, true] {
                for (compression, codec) in [(Compression::UNCOMPRESSED, Codec::Uncompressed), (Compression::SNAPPY, Codec::Snappy)] {
                    let w = write(version, dictionary, compression);
                    for piece in [1, 7, 4096, usize::MAX] {
                        assert_eq!(decode_all(&w, codec, piece), w.values, "{version:?} dictionary {dictionary} {codec:?} pieces {piece}");
                    }
                }
            }
        }
    }

    /// The first PLAIN data page of a column written without dictionary: its bytes and
    /// where each value ends in them.
    fn plain_page(compression: Compression) -> (Vec<u8>, PageHeader, usize) {
        let w = write(WriterVersion::PARQUET_1_0, false, compression);
        let reader = SerializedFileReader::new(w.file.clone()).unwrap();
        let (start, _) = reader.metadata().row_group(0).column(0).byte_range();
        let (h, n) = parse_page_header(&w.file[start as usize..]).unwrap();
        (w.file[start as usize..start as usize + n + h.compressed_size as usize].to_vec(), h, n)
    }

    #[test]
    fn a_cursor_is_done_as_soon_as_its_last_wanted_value_has_arrived() {
        let (page, h, n) = plain_page(Compression::UNCOMPRESSED);
        assert_eq!(h.encoding, encoding::PLAIN);
        // Row 10 (not null: 10 % 9 != 4). Find the byte where its value ends by feeding
        // one byte at a time; it must be well before the page's end, and exactly after
        // the value: the 4-byte levels length, the levels, then values 0..=ordinal.
        let mut c = PageCursor::new(Codec::Uncompressed, 1, &[10], None).unwrap();
        let mut fed = 0;
        while !c.is_done() {
            c.push(&page[fed..fed + 1]).unwrap();
            fed += 1;
        }
        let body = &page[n..];
        let levels = u32::from_le_bytes(body[..4].try_into().unwrap()) as usize;
        let mut at = 4 + levels;
        // Rows 0..=10 hold 10 present values (row 4 is null).
        for _ in 0..10 {
            let len = u32::from_le_bytes(body[at..at + 4].try_into().unwrap()) as usize;
            at += 4 + len;
        }
        assert_eq!(fed, n + at, "stopped right after the value");
        assert!(fed < page.len() / 3);
        let cells = c.take_cells();
        assert_eq!(cells, vec![(10, Cell::Value(Bytes::from(format!("value-10-{}", "x".repeat(10)))))]);
        // A null row needs only the levels.
        let mut c = PageCursor::new(Codec::Uncompressed, 1, &[4], None).unwrap();
        c.push(&page[..n + 4 + levels]).unwrap();
        assert!(c.is_done());
        assert_eq!(c.take_cells(), vec![(4, Cell::Null)]);
    }

    #[test]
    fn snappy_pages_stop_early_too() {
        let (page, h, n) = plain_page(Compression::SNAPPY);
        let c = PageCursor::new(Codec::Snappy, 1, &[], Some(h)).unwrap();
        assert!(c.is_done(), "nothing wanted");
        let mut c = PageCursor::new(Codec::Snappy, 1, &[2], Some(h)).unwrap();
        let mut fed = n;
        while !c.is_done() {
            c.push(&page[fed..(fed + 16).min(page.len())]).unwrap();
            fed += 16;
        }
        assert!(fed < page.len() / 2, "fed {fed} of {}", page.len());
        assert!(matches!(&c.take_cells()[..], [(2, Cell::Value(_))]));
    }

    #[test]
    fn a_page_that_ends_early_or_lies_is_an_error() {
        let (page, h, n) = plain_page(Compression::UNCOMPRESSED);
        let mut c = PageCursor::new(Codec::Uncompressed, 1, &[90], None).unwrap();
        c.push(&page[..page.len() / 2]).unwrap();
        assert!(c.finish().unwrap_err().contains("0 of 1"));
        assert!(PageCursor::new(Codec::Uncompressed, 1, &[100_000], Some(h)).is_err(), "row beyond the page");
        assert!(PageCursor::new(Codec::Uncompressed, MAX_CURSOR_DEF + 1, &[0], None).is_err(), "deeply nested column");
        // A value length larger than the page.
        let mut bad = page.clone();
        let levels = u32::from_le_bytes(bad[n..n + 4].try_into().unwrap()) as usize;
        bad[n + 4 + levels..n + 8 + levels].copy_from_slice(&u32::MAX.to_le_bytes());
        let mut c = PageCursor::new(Codec::Uncompressed, 1, &[3], None).unwrap();
        assert!(c.push(&bad).is_err());
    }
}
