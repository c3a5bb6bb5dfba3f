//! Decoding one Parquet `PageHeader` from bytes (Thrift compact protocol), for locating
//! pages in a column chunk that has no offset index. The `parquet` crate keeps its header
//! decoder private, so this reads the few fields page location needs and skips the rest.
//! It never allocates for what it skips and never trusts a length it has not bounded:
//! a header cut short is "need more bytes", not an error.

use serde::{Deserialize, Serialize};

/// Encodings (parquet.thrift `Encoding`) this engine tells apart.
pub mod encoding {
    pub const PLAIN: i32 = 0;
    pub const PLAIN_DICTIONARY: i32 = 2;
    pub const RLE: i32 = 3;
    pub const RLE_DICTIONARY: i32 = 8;

    /// Whether data pages of this encoding hold indices into the dictionary page.
    pub fn is_dictionary(e: i32) -> bool {
        e == PLAIN_DICTIONARY || e == RLE_DICTIONARY
    }

    pub fn name(e: i32) -> String {
        match e {
            0 => "PLAIN".into(),
            2 => "PLAIN_DICTIONARY".into(),
            3 => "RLE".into(),
            4 => "BIT_PACKED".into(),
            5 => "DELTA_BINARY_PACKED".into(),
            6 => "DELTA_LENGTH_BYTE_ARRAY".into(),
            7 => "DELTA_BYTE_ARRAY".into(),
            8 => "RLE_DICTIONARY".into(),
            9 => "BYTE_STREAM_SPLIT".into(),
            other => format!("encoding {other}"),
        }
    }
}

/// What a page is (parquet.thrift `PageType`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PageKind {
    Data,
    Index,
    Dictionary,
    DataV2,
    Other(i32),
}

impl PageKind {
    fn from_thrift(v: i32) -> Self {
        match v {
            0 => PageKind::Data,
            1 => PageKind::Index,
            2 => PageKind::Dictionary,
            3 => PageKind::DataV2,
            other => PageKind::Other(other),
        }
    }

    pub fn is_data(self) -> bool {
        matches!(self, PageKind::Data | PageKind::DataV2)
    }
}

/// The fields of a page header that locating and decoding pages needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageHeader {
    pub kind: PageKind,
    pub uncompressed_size: u32,
    /// Bytes of the page body after the header.
    pub compressed_size: u32,
    /// Values (levels included) in a data page, entries in a dictionary page.
    pub num_values: u32,
    /// Rows in a v2 data page (v1 pages do not say; for flat columns it is `num_values`).
    pub num_rows: Option<u32>,
    pub encoding: i32,
    /// v2 only: bytes of the (never compressed) level sections at the start of the body.
    pub def_levels_len: u32,
    pub rep_levels_len: u32,
    /// v2 only: whether the values section is compressed (v1 bodies always are, when the
    /// column chunk has a codec).
    pub is_compressed: bool,
}

/// Why a header could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HeaderFault {
    /// The bytes end inside the header: read more.
    Short,
    /// The bytes are not a page header.
    Bad(String),
}

/// Decode the page header at the start of `buf`. Returns it with its length in bytes.
pub fn parse_page_header(buf: &[u8]) -> Result<(PageHeader, usize), HeaderFault> {
    let mut r = Reader { buf, pos: 0 };
    let h = r.page_header()?;
    Ok((h, r.pos))
}

/// Walk the Thrift struct at the start of `buf` without decoding it, and return its
/// length: every count is bounded by the bytes left, so a malformed struct ends in an
/// error as soon as the input does, however large the numbers it claims. The footer goes
/// through this before the `parquet` crate decodes it.
pub fn thrift_struct_len(buf: &[u8]) -> Result<usize, HeaderFault> {
    let mut r = Reader { buf, pos: 0 };
    r.skip(T_STRUCT, 0)?;
    Ok(r.pos)
}

/// Thrift compact protocol types.
const T_TRUE: u8 = 1;
const T_FALSE: u8 = 2;
const T_BYTE: u8 = 3;
const T_I16: u8 = 4;
const T_I32: u8 = 5;
const T_I64: u8 = 6;
const T_DOUBLE: u8 = 7;
const T_BINARY: u8 = 8;
const T_LIST: u8 = 9;
const T_SET: u8 = 10;
const T_MAP: u8 = 11;
const T_STRUCT: u8 = 12;
const T_UUID: u8 = 13;

/// Nesting deeper than this is not a page header (statistics nest two levels).
const MAX_DEPTH: u32 = 16;

struct Reader<'a> {
    buf: &'a [u8],
    pos: usize,
}

fn bad(what: impl Into<String>) -> HeaderFault {
    HeaderFault::Bad(what.into())
}

impl Reader<'_> {
    fn byte(&mut self) -> Result<u8, HeaderFault> {
        let b = *self.buf.get(self.pos).ok_or(HeaderFault::Short)?;
        self.pos += 1;
        Ok(b)
    }

    fn advance(&mut self, n: u64) -> Result<(), HeaderFault> {
        let end = (self.pos as u64).checked_add(n).ok_or_else(|| bad("length overflows"))?;
        if end > self.buf.len() as u64 {
            return Err(HeaderFault::Short);
        }
        self.pos = end as usize;
        Ok(())
    }

    fn varint(&mut self) -> Result<u64, HeaderFault> {
        let mut out = 0u64;
        for shift in (0..70).step_by(7) {
            let b = self.byte()?;
            out |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                return Ok(out);
            }
        }
        Err(bad("varint longer than 10 bytes"))
    }

    fn zigzag(&mut self) -> Result<i64, HeaderFault> {
        let v = self.varint()?;
        Ok((v >> 1) as i64 ^ -((v & 1) as i64))
    }

    fn i32(&mut self, ttype: u8, field: &str) -> Result<i32, HeaderFault> {
        if ttype != T_I32 {
            return Err(bad(format!("{field}: expected i32, found type {ttype}")));
        }
        i32::try_from(self.zigzag()?).map_err(|_| bad(format!("{field}: out of range")))
    }

    fn size(&mut self, ttype: u8, field: &str) -> Result<u32, HeaderFault> {
        u32::try_from(self.i32(ttype, field)?).map_err(|_| bad(format!("{field}: negative")))
    }

    /// The next field's (id, type), or `None` at the struct's end.
    fn field(&mut self, last: &mut i16) -> Result<Option<(i16, u8)>, HeaderFault> {
        let b = self.byte()?;
        if b == 0 {
            return Ok(None);
        }
        let ttype = b & 0x0f;
        let delta = (b >> 4) as i16;
        let id = if delta != 0 {
            last.checked_add(delta).ok_or_else(|| bad("field id overflows"))?
        } else {
            i16::try_from(self.zigzag()?).map_err(|_| bad("field id out of range"))?
        };
        *last = id;
        Ok(Some((id, ttype)))
    }

    fn skip(&mut self, ttype: u8, depth: u32) -> Result<(), HeaderFault> {
        if depth > MAX_DEPTH {
            return Err(bad("nesting too deep"));
        }
        match ttype {
            T_TRUE | T_FALSE => Ok(()),
            T_BYTE => self.advance(1),
            T_I16 | T_I32 | T_I64 => self.varint().map(drop),
            T_DOUBLE => self.advance(8),
            T_UUID => self.advance(16),
            T_BINARY => {
                let n = self.varint()?;
                self.advance(n)
            }
            T_LIST | T_SET => {
                let b = self.byte()?;
                let n = match b >> 4 {
                    15 => self.varint()?,
                    n => u64::from(n),
                };
                let elem = b & 0x0f;
                for _ in 0..n {
                    self.element(elem, depth + 1)?;
                }
                Ok(())
            }
            T_MAP => {
                let n = self.varint()?;
                if n > 0 {
                    let kv = self.byte()?;
                    for _ in 0..n {
                        self.element(kv >> 4, depth + 1)?;
                        self.element(kv & 0x0f, depth + 1)?;
                    }
                }
                Ok(())
            }
            T_STRUCT => {
                let mut last = 0;
                while let Some((_, t)) = self.field(&mut last)? {
                    self.skip(t, depth + 1)?;
                }
                Ok(())
            }
            other => Err(bad(format!("unknown thrift type {other}"))),
        }
    }

    /// Skip one element of a list, set or map. Booleans in a collection take a byte each,
    /// so every element consumes at least one byte: a count read from the input can never
    /// loop longer than the input lasts.
    fn element(&mut self, ttype: u8, depth: u32) -> Result<(), HeaderFault> {
        if ttype == T_TRUE || ttype == T_FALSE {
            self.advance(1)
        } else {
            self.skip(ttype, depth)
        }
    }

    fn page_header(&mut self) -> Result<PageHeader, HeaderFault> {
        let mut kind = None;
        let mut uncompressed = None;
        let mut compressed = None;
        let mut h = PageHeader {
            kind: PageKind::Other(-1),
            uncompressed_size: 0,
            compressed_size: 0,
            num_values: 0,
            num_rows: None,
            encoding: encoding::PLAIN,
            def_levels_len: 0,
            rep_levels_len: 0,
            is_compressed: true,
        };
        let mut last = 0;
        while let Some((id, t)) = self.field(&mut last)? {
            match (id, t) {
                (1, _) => kind = Some(PageKind::from_thrift(self.i32(t, "page type")?)),
                (2, _) => uncompressed = Some(self.size(t, "uncompressed_page_size")?),
                (3, _) => compressed = Some(self.size(t, "compressed_page_size")?),
                (5, T_STRUCT) | (7, T_STRUCT) => {
                    // DataPageHeader and DictionaryPageHeader: 1 num_values, 2 encoding.
                    let mut last = 0;
                    while let Some((id, t)) = self.field(&mut last)? {
                        match id {
                            1 => h.num_values = self.size(t, "num_values")?,
                            2 => h.encoding = self.i32(t, "encoding")?,
                            _ => self.skip(t, 1)?,
                        }
                    }
                }
                (8, T_STRUCT) => {
                    // DataPageHeaderV2: 1 num_values, 2 num_nulls, 3 num_rows, 4 encoding,
                    // 5 definition_levels_byte_length, 6 repetition_levels_byte_length,
                    // 7 is_compressed (default true).
                    let mut last = 0;
                    while let Some((id, t)) = self.field(&mut last)? {
                        match id {
                            1 => h.num_values = self.size(t, "num_values")?,
                            3 => h.num_rows = Some(self.size(t, "num_rows")?),
                            4 => h.encoding = self.i32(t, "encoding")?,
                            5 => h.def_levels_len = self.size(t, "definition_levels_byte_length")?,
                            6 => h.rep_levels_len = self.size(t, "repetition_levels_byte_length")?,
                            7 if t == T_TRUE || t == T_FALSE => h.is_compressed = t == T_TRUE,
                            _ => self.skip(t, 1)?,
                        }
                    }
                }
                _ => self.skip(t, 0)?,
            }
        }
        h.kind = kind.ok_or_else(|| bad("no page type"))?;
        h.uncompressed_size = uncompressed.ok_or_else(|| bad("no uncompressed_page_size"))?;
        h.compressed_size = compressed.ok_or_else(|| bad("no compressed_page_size"))?;
        if h.kind == PageKind::DataV2 && u64::from(h.def_levels_len) + u64::from(h.rep_levels_len) > u64::from(h.compressed_size) {
            return Err(bad("level sections longer than the page"));
        }
        Ok(h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    use arrow_array::{ArrayRef, BinaryArray, Int64Array, RecordBatch};
    use bytes::Bytes;
    use parquet::arrow::ArrowWriter;
    use parquet::basic::{Compression, Encoding, PageType};
    use parquet::column::page::{Page, PageReader};
    use parquet::file::properties::{WriterProperties, WriterVersion};
    use parquet::file::reader::{FileReader, SerializedFileReader};
    use parquet::file::serialized_reader::SerializedPageReader;

    /// A file written by the `parquet` crate: an int column and a binary column with
    /// repeated values (a dictionary) and statistics in the page headers.
    fn written(version: WriterVersion, dictionary: bool) -> Bytes {
        let ids = Int64Array::from_iter_values(0..500);
        let blobs = BinaryArray::from_iter((0..500).map(|i| (i % 7 != 3).then(|| vec![(i % 11) as u8; 40 + i % 13])));
        let batch = RecordBatch::try_from_iter([("id", Arc::new(ids) as ArrayRef), ("blob", Arc::new(blobs) as ArrayRef)]).unwrap();
        let props = WriterProperties::builder()
            .set_writer_version(version)
            .set_dictionary_enabled(dictionary)
            .set_data_page_row_count_limit(64)
            .set_write_batch_size(64)
            .set_compression(Compression::SNAPPY)
            .build();
        let mut out = Vec::new();
        let mut w = ArrowWriter::try_new(&mut out, batch.schema(), Some(props)).unwrap();
        w.write(&batch).unwrap();
        w.close().unwrap();
        Bytes::from(out)
    }

    /// Walk every column chunk header by header and compare with the pages the `parquet`
    /// crate's own page reader returns.
    fn agrees_with_the_parquet_crate(file: Bytes) {
        let reader = SerializedFileReader::new(file.clone()).unwrap();
        let meta = reader.metadata();
        let mut seen_pages = 0;
        for rg in meta.row_groups() {
            for col in rg.columns() {
                let (start, len) = col.byte_range();
                let mut pages = SerializedPageReader::new(Arc::new(file.clone()), col, rg.num_rows() as usize, None).unwrap();
                let mut pos = start;
                while pos < start + len {
                    let (h, n) = parse_page_header(&file[pos as usize..]).unwrap();
                    let page = pages.get_next_page().unwrap().unwrap();
                    assert_eq!(h.uncompressed_size as usize, page.buffer().len(), "uncompressed size at {pos}");
                    assert_eq!(h.num_values, page.num_values());
                    assert_eq!(h.encoding, page.encoding() as i32);
                    match page {
                        Page::DictionaryPage { .. } => assert_eq!(h.kind, PageKind::Dictionary),
                        Page::DataPage { .. } => assert_eq!(h.kind, PageKind::Data),
                        Page::DataPageV2 { num_rows, def_levels_byte_len, rep_levels_byte_len, is_compressed, .. } => {
                            assert_eq!(h.kind, PageKind::DataV2);
                            assert_eq!(h.num_rows, Some(num_rows));
                            assert_eq!(h.def_levels_len, def_levels_byte_len);
                            assert_eq!(h.rep_levels_len, rep_levels_byte_len);
                            assert_eq!(h.is_compressed, is_compressed);
                        }
                    }
                    pos += n as u64 + u64::from(h.compressed_size);
                    seen_pages += 1;
                }
                assert_eq!(pos, start + len, "headers walk to the chunk's end");
                assert!(pages.get_next_page().unwrap().is_none());
            }
        }
        assert!(seen_pages > 10, "{seen_pages} pages");
    }

    /// Found by fuzzing (`fuzz/`, target page_header): a map of 2^63 boolean pairs in an
    /// unknown field looped without consuming input. Each element now takes a byte.
    #[test]
    fn footers_walk_to_their_end_and_huge_counts_stop_at_the_input() {
        for file in [written(WriterVersion::PARQUET_1_0, true), written(WriterVersion::PARQUET_2_0, false)] {
            let n = file.len();
            let len = u32::from_le_bytes([file[n - 8], file[n - 7], file[n - 6], file[n - 5]]) as usize;
            let footer = &file[n - 8 - len..n - 8];
            assert_eq!(thrift_struct_len(footer).unwrap(), len);
            assert!(matches!(thrift_struct_len(&footer[..len / 2]), Err(HeaderFault::Short)));
        }
        // A struct whose field 1 is a list claiming 2^62 booleans.
        let mut bad = vec![0x19, 0xf1];
        bad.extend([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x3f]);
        bad.extend([1; 64]);
        assert!(matches!(thrift_struct_len(&bad), Err(HeaderFault::Short)));
    }

    #[test]
    fn a_huge_map_of_booleans_ends_with_the_input() {
        let input = [0x9B, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0x11];
        assert_eq!(parse_page_header(&input), Err(HeaderFault::Short));
        let mut bools = input.to_vec();
        bools.extend([1u8; 64]);
        assert_eq!(parse_page_header(&bools), Err(HeaderFault::Short));
    }

    #[test]
    fn headers_of_v1_pages_agree_with_the_parquet_crate() {
        agrees_with_the_parquet_crate(written(WriterVersion::PARQUET_1_0, true));
        agrees_with_the_parquet_crate(written(WriterVersion::PARQUET_1_0, false));
    }

    #[test]
    fn headers_of_v2_pages_agree_with_the_parquet_crate() {
        agrees_with_the_parquet_crate(written(WriterVersion::PARQUET_2_0, true));
        agrees_with_the_parquet_crate(written(WriterVersion::PARQUET_2_0, false));
    }

    #[test]
    fn encoding_codes_match_the_parquet_crate() {
        assert_eq!(encoding::PLAIN, Encoding::PLAIN as i32);
        assert_eq!(encoding::PLAIN_DICTIONARY, Encoding::PLAIN_DICTIONARY as i32);
        assert_eq!(encoding::RLE, Encoding::RLE as i32);
        assert_eq!(encoding::RLE_DICTIONARY, Encoding::RLE_DICTIONARY as i32);
        assert_eq!(PageKind::from_thrift(PageType::DICTIONARY_PAGE as i32), PageKind::Dictionary);
    }

    /// A hand-made header: unknown fields of every type before and inside the data page
    /// header, an absolute (delta 0) field id, a boolean list, a map.
    fn handmade() -> Vec<u8> {
        let mut b = vec![
            0x15, 0x00, // 1: i32 type = 0 (DATA_PAGE)
            0x15, 0xd0, 0x0f, // 2: i32 uncompressed = 1000
            0x15, 0xa0, 0x0f, // 3: i32 compressed = 976
            0x15, 0x02, // 4: i32 crc = 1
            0x5c, // 9 (delta 5): an unknown struct, skipped whole:
            0x18, 0x03, b'a', b'b', b'c', //   1: binary "abc"
            0x19, 0x21, 0x01, 0x02, //   2: list<bool> of 2
            0x1b, 0x01, 0x85, 0x01, b'X', 0x04, //   3: map<binary, i32> {"X": 2}
            0x17, 0, 0, 0, 0, 0, 0, 0xf0, 0x3f, //   4: double 1.0
            0x00, //   end
            0x0c, 0x0a, // 5, as an absolute id (delta 0, zigzag 10): DataPageHeader
            0x15, 0x80, 0x10, //   1: num_values = 1024
            0x15, 0x00, //   2: encoding PLAIN
            0x15, 0x06, 0x15, 0x06, //   3, 4: level encodings RLE
            0x1c, 0x18, 0x02, 0xff, 0xfe, 0x16, 0x06, 0x00, //   5: statistics {1: binary, 2: i64}
            0x00, //   end
        ];
        b.push(0x00); // end of PageHeader
        b
    }

    #[test]
    fn unknown_fields_of_every_type_are_skipped() {
        let b = handmade();
        let (h, n) = parse_page_header(&b).unwrap();
        assert_eq!(n, b.len());
        assert_eq!(h.kind, PageKind::Data);
        assert_eq!((h.uncompressed_size, h.compressed_size, h.num_values), (1000, 976, 1024));
        assert_eq!(h.encoding, encoding::PLAIN);
        assert_eq!(h.num_rows, None);
    }

    #[test]
    fn a_header_cut_anywhere_asks_for_more_bytes() {
        let b = handmade();
        for cut in 0..b.len() {
            assert_eq!(parse_page_header(&b[..cut]), Err(HeaderFault::Short), "cut at {cut}");
        }
    }

    #[test]
    fn garbage_is_not_a_header() {
        assert!(matches!(parse_page_header(&[0x1f, 0, 0]), Err(HeaderFault::Bad(_))));
        assert!(matches!(parse_page_header(b"\x15\x00\x00"), Err(HeaderFault::Bad(_))), "no sizes");
        // A negative compressed size.
        assert!(matches!(parse_page_header(&[0x15, 0x00, 0x15, 0x02, 0x15, 0x01, 0x00]), Err(HeaderFault::Bad(_))));
        // Structs nested past any real header.
        let mut deep = vec![0x15, 0x00, 0x15, 0x02, 0x15, 0x02];
        deep.extend(std::iter::repeat_n(0x1c, 40));
        assert!(matches!(parse_page_header(&deep), Err(HeaderFault::Bad(_))));
    }
}
