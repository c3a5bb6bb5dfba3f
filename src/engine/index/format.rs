//! The static instruction index of a whole dataset, as `gallery index` writes it and the
//! gallery reads it by range requests (the format is described in `docs/INDEX.md`):
//!
//! - `index.json`: the shards in document order, the term parts and the catalog, with
//!   their sizes and the length of each file's tail (footer and page index), so each is
//!   opened with one bounded read.
//! - `terms-NNNN.parquet`: the inverted index, partitioned by term range. One row per
//!   bucket of postings (about `BUCKET_BYTES`), one row per page: the `last` column's
//!   page statistics (the bucket's last key) are the directory a lookup searches.
//! - `catalog-NNNN.parquet`: one row per sample, sorted by id, in parts of contiguous id
//!   ranges; `index.json` gives each part's ids and footer length, so an id is found with
//!   two reads: the part's footer, then the id, shard and row chunks of one row group.
//!
//! Documents are numbered in dataset order (shard by shard, row by row); postings list
//! them in a keyed random order (their *positions*), so any stretch of a term's
//! postings is a uniform sample of the whole dataset: the first block of every term,
//! intersected, already gives hits from every family.

use serde::{Deserialize, Serialize};

use crate::engine::dataset::shuffle;

/// 2: the catalog in parts (`catalog-NNNN.parquet`), each with its ids and footer length.
pub const INDEX_VERSION: u32 = 2;
/// Documents in one block of a term's postings (about 3 bytes each).
pub const BLOCK_DOCS: usize = 8192;
/// Postings bytes a bucket (one row, one page) holds at most, unless one block is larger.
pub const BUCKET_BYTES: usize = 64 << 10;
/// Bytes a term part holds before the next one starts.
pub const PART_BYTES: u64 = 8 << 20;
/// Words of an instruction counted for its length (BM25) at most.
pub const MAX_LEN: u32 = 255;

/// `index.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexManifest {
    pub version: u32,
    /// Documents (samples) indexed.
    pub docs: u64,
    /// Average words per instruction (BM25).
    pub avg_len: f64,
    /// Key of the order of positions.
    pub seed: u64,
    /// The shards, in document order, with paths as the dataset's manifest names them.
    pub shards: Vec<IndexShard>,
    pub terms: Vec<IndexPart>,
    /// The catalog's parts, in id order.
    pub catalog: Vec<CatalogPart>,
    /// Bytes read from the dataset to build the index, and the dataset's size.
    pub read_bytes: u64,
    pub dataset_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexShard {
    pub path: String,
    pub rows: u64,
    pub bytes: u64,
}

/// One Parquet file of the index.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexPart {
    /// Relative to `index.json`.
    pub path: String,
    pub bytes: u64,
    /// Bytes at the end holding the footer and the page index.
    pub tail: u64,
    /// The last key the part holds.
    pub last: String,
}

/// One part of the catalog: the samples whose ids run from `first` to `last`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CatalogPart {
    /// Relative to `index.json`.
    pub path: String,
    pub bytes: u64,
    /// Bytes at the end holding the footer (metadata, its length and the magic): the
    /// first read of an id lookup takes exactly these.
    pub footer: u64,
    pub rows: u64,
    /// The first and last id it holds.
    pub first: i64,
    pub last: i64,
}

/// Just the version of an `index.json`, read before the rest so that another format is
/// said as such, not as a missing field.
#[derive(Deserialize)]
struct Versioned {
    version: u32,
}

impl IndexManifest {
    /// Parse and check `index.json`: its version, then every field, the shards' and the
    /// catalog's rows against the documents, and the catalog's parts in id order.
    pub fn parse(text: &str) -> Result<Self, String> {
        let v: Versioned = serde_json::from_str(text).map_err(|e| format!("not an index manifest: {e}"))?;
        if v.version != INDEX_VERSION {
            return Err(format!("index format {} (this gallery reads {INDEX_VERSION})", v.version));
        }
        let m: Self = serde_json::from_str(text).map_err(|e| format!("not an index manifest: {e}"))?;
        if m.shards.iter().map(|s| s.rows).sum::<u64>() != m.docs {
            return Err(format!("its shards hold {} rows, not the {} documents it claims", m.shards.iter().map(|s| s.rows).sum::<u64>(), m.docs));
        }
        if m.catalog.iter().map(|p| p.rows).sum::<u64>() != m.docs {
            return Err(format!("its catalog holds {} rows, not the {} documents it claims", m.catalog.iter().map(|p| p.rows).sum::<u64>(), m.docs));
        }
        for (k, p) in m.catalog.iter().enumerate() {
            let fault = |d: String| Err(format!("catalog part {}: {d}", p.path));
            if p.rows == 0 || p.first > p.last {
                return fault(format!("{} rows with ids {} to {}", p.rows, p.first, p.last));
            }
            // A footer holds at least its length and the magic; the file starts with one.
            if p.footer < 8 || p.footer.saturating_add(4) > p.bytes {
                return fault(format!("a footer of {} bytes in a file of {}", p.footer, p.bytes));
            }
            if k > 0 && m.catalog[k - 1].last > p.first {
                return fault(format!("its ids start at {}, before the previous part's end at {}", p.first, m.catalog[k - 1].last));
            }
        }
        Ok(m)
    }

    /// The position of document `doc` in the postings order.
    pub fn position(&self, doc: u64) -> u64 {
        shuffle::unpermute(doc, self.docs, self.seed)
    }

    /// The document at position `p`.
    pub fn doc_at(&self, p: u64) -> u64 {
        shuffle::permute(p, self.docs, self.seed)
    }

    /// (shard, row) of document `doc`.
    pub fn locate(&self, doc: u64) -> Option<(usize, u64)> {
        let mut first = 0;
        for (i, s) in self.shards.iter().enumerate() {
            if doc < first + s.rows {
                return Some((i, doc - first));
            }
            first += s.rows;
        }
        None
    }

    /// The catalog part whose ids span `id`, if any (the first, should equal ids meet at
    /// a boundary).
    pub fn catalog_part_of(&self, id: i64) -> Option<usize> {
        let i = self.catalog.partition_point(|p| p.last < id);
        self.catalog.get(i).is_some_and(|p| p.first <= id).then_some(i)
    }

    /// The term part that holds `key` (the first whose last key is at or after it).
    pub fn part_of(&self, key: &str) -> Option<usize> {
        let i = self.terms.partition_point(|p| p.last.as_str() < key);
        (i < self.terms.len()).then_some(i)
    }
}

/// The key of a postings entry: its term, then its last position, so the first key at or
/// after `key(term, p)` is the block of `term` that holds position `p` (or the next one).
pub fn key(term: &str, position: u64) -> String {
    format!("{term}\u{1}{position:012}")
}

/// The term of a key.
pub fn key_term(key: &str) -> &str {
    key.split_once('\u{1}').map_or(key, |(t, _)| t)
}

/// One block of one term's postings.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub term: String,
    /// Documents of the term in the whole index.
    pub df: u64,
    /// Positions this block covers (its first and last posting).
    pub first: u64,
    pub last: u64,
    /// The term's last block.
    pub last_block: bool,
    pub postings: Vec<Posting>,
}

impl Entry {
    pub fn key(&self) -> String {
        key(&self.term, self.last)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Posting {
    pub position: u64,
    /// Times the term occurs in the instruction.
    pub tf: u32,
    /// Words of the instruction (at most `MAX_LEN`).
    pub len: u32,
}

/// `v` as a LEB128 varint: seven bits a byte, low first, the high bit saying more follow.
pub(crate) fn put_varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

/// A varint written by `put_varint`, its bytes taken one at a time from `next` (`None`:
/// the bytes ended). The fault says what was wrong, the caller says where.
pub(crate) fn get_varint(mut next: impl FnMut() -> Option<u8>) -> Result<u64, &'static str> {
    let mut v = 0u64;
    for shift in (0..64).step_by(7) {
        let b = next().ok_or("ends inside a number")?;
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err("holds a number longer than 10 bytes")
}

/// Reads a bucket's bytes in order.
struct Cursor<'a> {
    buf: &'a [u8],
    pos: usize,
}

impl Cursor<'_> {
    fn varint(&mut self) -> Result<u64, String> {
        get_varint(|| {
            let b = self.buf.get(self.pos).copied();
            self.pos += usize::from(b.is_some());
            b
        })
        .map_err(|e| format!("a bucket {e}"))
    }

    fn bytes(&mut self, n: u64) -> Result<&[u8], String> {
        let end = self.pos.checked_add(usize::try_from(n).map_err(|_| "a length past memory")?).ok_or("a length past memory")?;
        let b = self.buf.get(self.pos..end).ok_or("a bucket ends inside a run of bytes")?;
        self.pos = end;
        Ok(b)
    }
}

/// The postings of `entry` as bytes: per posting the gap from the previous position
/// (shifted left, the low bit saying a count follows), the count when above 1, and the
/// instruction's length in one byte.
pub fn encode_postings(postings: &[Posting]) -> Vec<u8> {
    let mut out = Vec::with_capacity(postings.len() * 3);
    let mut prev = postings.first().map_or(0, |p| p.position);
    for p in postings {
        let gap = p.position - prev;
        prev = p.position;
        put_varint(&mut out, gap << 1 | u64::from(p.tf > 1));
        if p.tf > 1 {
            put_varint(&mut out, u64::from(p.tf));
        }
        out.push(p.len.min(MAX_LEN) as u8);
    }
    out
}

/// A bucket: its entries' headers, then their postings.
pub fn encode_bucket(entries: &[Entry]) -> Vec<u8> {
    let mut out = Vec::new();
    put_varint(&mut out, entries.len() as u64);
    let bodies: Vec<Vec<u8>> = entries.iter().map(|e| encode_postings(&e.postings)).collect();
    for (e, body) in entries.iter().zip(&bodies) {
        put_varint(&mut out, e.term.len() as u64);
        out.extend_from_slice(e.term.as_bytes());
        put_varint(&mut out, e.df);
        put_varint(&mut out, e.first);
        put_varint(&mut out, e.last - e.first);
        put_varint(&mut out, u64::from(e.last_block));
        put_varint(&mut out, e.postings.len() as u64);
        put_varint(&mut out, body.len() as u64);
    }
    for body in bodies {
        out.extend_from_slice(&body);
    }
    out
}

/// Decode a bucket written by `encode_bucket`, checking every count against the bytes.
pub fn decode_bucket(buf: &[u8]) -> Result<Vec<Entry>, String> {
    let mut c = Cursor { buf, pos: 0 };
    let n = c.varint()?;
    if n > buf.len() as u64 {
        return Err(format!("a bucket of {} bytes claims {n} entries", buf.len()));
    }
    let mut heads = Vec::with_capacity(n as usize);
    for _ in 0..n {
        let len = c.varint()?;
        let term = std::str::from_utf8(c.bytes(len)?).map_err(|_| "a term that is not UTF-8")?.to_string();
        let df = c.varint()?;
        let first = c.varint()?;
        let last = first.checked_add(c.varint()?).ok_or("a position past 2^64")?;
        let last_block = c.varint()? != 0;
        let count = c.varint()?;
        let body = c.varint()?;
        heads.push((term, df, first, last, last_block, count, body));
    }
    let mut entries = Vec::with_capacity(heads.len());
    for (term, df, first, last, last_block, count, body) in heads {
        if count > body {
            return Err(format!("`{term}`: {count} postings in {body} bytes"));
        }
        let mut p = Cursor { buf: c.bytes(body)?, pos: 0 };
        let mut postings = Vec::with_capacity(count as usize);
        let mut position = first;
        for _ in 0..count {
            let v = p.varint()?;
            position = position.checked_add(v >> 1).ok_or("a position past 2^64")?;
            let tf = if v & 1 == 1 { u32::try_from(p.varint()?).map_err(|_| "a count past 2^32")? } else { 1 };
            let len = u32::from(*p.bytes(1)?.first().unwrap_or(&0));
            postings.push(Posting { position, tf, len });
        }
        if postings.last().is_some_and(|l| l.position != last) {
            return Err(format!("`{term}`: postings end at position {position}, the header says {last}"));
        }
        entries.push(Entry { term, df, first, last, last_block, postings });
    }
    Ok(entries)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(term: &str, positions: &[u64], last_block: bool) -> Entry {
        Entry {
            term: term.into(),
            df: 40,
            first: positions[0],
            last: *positions.last().unwrap(),
            last_block,
            postings: positions.iter().map(|&p| Posting { position: p, tf: 1 + (p % 3 == 0) as u32 * 2, len: (p % 300) as u32 }).collect(),
        }
    }

    #[test]
    fn buckets_round_trip() {
        let entries = vec![entry("hat", &[3, 4, 90, 1_000_000], false), entry("héron", &[7], true)];
        let mut back = decode_bucket(&encode_bucket(&entries)).unwrap();
        // Lengths are kept up to MAX_LEN.
        for e in &mut back {
            for p in &mut e.postings {
                assert!(p.len <= MAX_LEN);
            }
        }
        let mut want = entries.clone();
        for e in &mut want {
            for p in &mut e.postings {
                p.len = p.len.min(MAX_LEN);
            }
        }
        assert_eq!(back, want);
    }

    #[test]
    fn damaged_buckets_are_errors_not_panics() {
        let bytes = encode_bucket(&[entry("hat", &[3, 4, 90], false)]);
        for cut in 0..bytes.len() {
            assert!(decode_bucket(&bytes[..cut]).is_err(), "cut at {cut}");
        }
        assert!(decode_bucket(&[0xff; 12]).is_err());
        assert!(decode_bucket(&[200, 1]).is_err(), "more entries than bytes");
    }

    #[test]
    fn keys_sort_by_term_then_position() {
        let mut keys = [key("hats", 0), key("hat", 20), key("hat", 3), key("ha", 999_999_999)];
        keys.sort();
        assert_eq!(keys.iter().map(|k| key_term(k)).collect::<Vec<_>>(), ["ha", "hat", "hat", "hats"]);
        assert!(key("hat", 3) < key("hat", 20));
    }

    fn catalog_part(path: &str, rows: u64, first: i64, last: i64) -> CatalogPart {
        CatalogPart { path: path.into(), bytes: 1000, footer: 200, rows, first, last }
    }

    #[test]
    fn manifests_are_checked_and_their_faults_said() {
        let mut m = IndexManifest {
            version: INDEX_VERSION,
            docs: 10,
            avg_len: 5.0,
            seed: 7,
            shards: vec![IndexShard { path: "a".into(), rows: 10, bytes: 1 }],
            terms: vec![],
            catalog: vec![catalog_part("c0", 4, 10, 40), catalog_part("c1", 6, 50, 90)],
            read_bytes: 0,
            dataset_bytes: 0,
        };
        let good = serde_json::to_string(&m).unwrap();
        assert_eq!(IndexManifest::parse(&good).unwrap(), m);
        assert_eq!([5, 10, 40, 45, 50, 90, 91].map(|id| m.catalog_part_of(id)), [None, Some(0), Some(0), None, Some(1), Some(1), None]);
        // Format 1 (one catalog file) is named as such, not as a field of the wrong type.
        let old = good.replace(&format!("\"version\":{INDEX_VERSION}"), "\"version\":1");
        assert_eq!(IndexManifest::parse(&old).unwrap_err(), format!("index format 1 (this gallery reads {INDEX_VERSION})"));
        // A change that spoils a manifest, and what the error must say.
        type Spoil = (fn(&mut IndexManifest), &'static str);
        let faults: [Spoil; 4] = [
            (|m| m.catalog[1].rows = 5, "its catalog holds 9 rows"),
            (|m| m.catalog[1].first = 30, "catalog part c1: its ids start at 30, before the previous part's end at 40"),
            (|m| m.catalog[0].footer = 997, "catalog part c0: a footer of 997 bytes in a file of 1000"),
            (|m| m.catalog[0].first = 41, "catalog part c0: 4 rows with ids 41 to 40"),
        ];
        for (spoil, said) in faults {
            let mut bad = m.clone();
            spoil(&mut bad);
            let err = IndexManifest::parse(&serde_json::to_string(&bad).unwrap()).unwrap_err();
            assert!(err.contains(said), "{err}");
        }
        m.catalog.clear();
        assert!(IndexManifest::parse(&serde_json::to_string(&m).unwrap()).unwrap_err().contains("catalog holds 0 rows"));
    }

    #[test]
    fn documents_are_located_in_their_shards() {
        let m = IndexManifest {
            version: INDEX_VERSION,
            docs: 10,
            avg_len: 5.0,
            seed: 7,
            shards: vec![IndexShard { path: "a".into(), rows: 4, bytes: 1 }, IndexShard { path: "b".into(), rows: 6, bytes: 1 }],
            terms: vec![],
            catalog: vec![],
            read_bytes: 0,
            dataset_bytes: 0,
        };
        assert_eq!(m.locate(3), Some((0, 3)));
        assert_eq!(m.locate(4), Some((1, 0)));
        assert_eq!(m.locate(10), None);
        let mut seen: Vec<u64> = (0..10).map(|d| m.position(d)).collect();
        assert!((0..10).all(|d| m.doc_at(m.position(d)) == d));
        seen.sort();
        assert_eq!(seen, (0..10).collect::<Vec<_>>());
    }
}
