//! Queries of the static index by range requests: a term part's tail (footer and page
//! index, one bounded read, kept) gives the directory of its buckets; the bucket holding
//! a term's block at a position is then one read of one page. A query reads, for each of
//! its terms, the block that starts where the last answer ended; the blocks overlap on a
//! stretch of positions (a *window*: a uniform sample of the dataset), whose hits are
//! exact and ranked by BM25. Further windows follow while too few hits are found.
//! An id is two reads: its catalog part's footer (kept), then the id, shard and row
//! chunks of the row group whose ids span it, one contiguous range.

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet};
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Int32Type, Int64Type};
use bytes::Bytes;
use parquet::arrow::push_decoder::ParquetPushDecoderBuilder;
use parquet::arrow::ProjectionMask;
use parquet::basic::Type as PhysicalType;
use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData, ParquetMetaDataReader};
use parquet::file::page_index::column_index::ColumnIndexMetaData;
use parquet::file::statistics::Statistics;
use parquet::DecodeResult;
use serde::{Deserialize, Serialize};

use super::format::{decode_bucket, key, key_term, CatalogPart, Entry, IndexManifest, IndexPart};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::range::{read_many_of, RangeSource};
use crate::engine::search::{self, stem, Query};
use crate::engine::shard::page_values::{Cell, Codec, PageCursor};

/// Buckets kept in memory (each at most about 64 KiB).
const BUCKET_CACHE: usize = 64;
/// Part directories kept.
const DIR_CACHE: usize = 64;
/// Windows one query reads at most before answering with what it has.
const MAX_WINDOWS: usize = 8;
/// Buckets a prefix is looked for in, and the terms it expands to.
const PREFIX_BUCKETS: usize = 4;
const PREFIX_TERMS: usize = 64;
/// A tail longer than this is not an index part's.
const MAX_TAIL: u64 = 16 << 20;
/// Catalog footers kept (each about 27 KB read at the default layout).
const FOOTER_CACHE: usize = 16;
/// The catalog's first three columns, which an id lookup reads: name and physical type.
const ID_COLUMNS: [(&str, PhysicalType); 3] = [("id", PhysicalType::INT64), ("shard", PhysicalType::INT32), ("row", PhysicalType::INT64)];

/// A source of bytes for a file of the index: its URL and size.
pub type Sources<'a> = &'a dyn Fn(&str, u64) -> Rc<dyn RangeSource>;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexHit {
    pub shard: usize,
    pub row: u64,
    pub score: f64,
}

/// An answer: hits best first, how many the dataset holds (estimated from the windows
/// read unless `exact`), where a further answer would go on, and the stems matched.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct IndexHits {
    pub hits: Vec<IndexHit>,
    pub total: u64,
    pub exact: bool,
    /// The fraction of the dataset the answer covers.
    pub covered: f64,
    pub next: Option<u64>,
    pub stems: Vec<String>,
}

/// Buckets read, by (term part, bucket).
type Buckets = HashMap<(usize, usize), Rc<Vec<Entry>>>;

/// A bucket to read: (term part, bucket) and where its page lies.
type BucketRead = ((usize, usize), Range<u64>);

/// A part's directory: per bucket its last key and where its page lies.
struct Directory {
    keys: Vec<String>,
    pages: Vec<Range<u64>>,
}

pub struct IndexReader {
    /// URL of `index.json`: the parts are beside it.
    base: String,
    pub manifest: IndexManifest,
    dirs: RefCell<HashMap<usize, Rc<Directory>>>,
    buckets: RefCell<Buckets>,
    /// Footers of catalog parts read, by part.
    footers: RefCell<HashMap<usize, Arc<ParquetMetaData>>>,
}

fn corrupt(file: &str, detail: impl Into<String>) -> EngineError {
    EngineError::Corrupt { file: file.into(), detail: detail.into() }
}

/// Parse the footer and page index from the `tail` bytes at the end of a file of `size`.
fn parse_tail(file: &str, tail: &Bytes, size: u64) -> EngineResult<ParquetMetaData> {
    let mut reader = ParquetMetaDataReader::new().with_page_index_policy(PageIndexPolicy::Required);
    reader.try_parse_sized(tail, size).map_err(|e| corrupt(file, format!("index footer: {e}")))?;
    reader.finish().map_err(|e| corrupt(file, format!("index footer: {e}")))
}

impl IndexReader {
    pub fn new(index_url: &str, manifest: IndexManifest) -> Self {
        let base = index_url.rsplit_once('/').map_or(String::new(), |(b, _)| format!("{b}/"));
        Self { base, manifest, dirs: RefCell::default(), buckets: RefCell::default(), footers: RefCell::default() }
    }

    /// URL of a file of the index.
    pub fn url(&self, part: &IndexPart) -> String {
        format!("{}{}", self.base, part.path)
    }

    /// URL of a part of the catalog.
    pub fn catalog_url(&self, part: &CatalogPart) -> String {
        format!("{}{}", self.base, part.path)
    }

    /// URL of shard `i` of the dataset, its path taken as relative to the dataset's
    /// manifest at `manifest_url`.
    pub fn shard_key(&self, i: usize) -> Option<&str> {
        self.manifest.shards.get(i).map(|s| s.path.as_str())
    }

    async fn tail(&self, sources: Sources<'_>, part: &IndexPart) -> EngineResult<ParquetMetaData> {
        let url = self.url(part);
        if part.tail == 0 || part.tail > part.bytes.min(MAX_TAIL) {
            return Err(corrupt(&url, format!("a tail of {} bytes in a file of {}", part.tail, part.bytes)));
        }
        let src = sources(&url, part.bytes);
        let got = read_many_of(src.as_ref(), std::slice::from_ref(&(part.bytes - part.tail..part.bytes)), None).await?;
        parse_tail(&url, &got[0], part.bytes)
    }

    /// The directories of `parts`, read (at once) where not kept.
    async fn directories(&self, sources: Sources<'_>, parts: &[usize]) -> EngineResult<Vec<Rc<Directory>>> {
        let missing: Vec<usize> = {
            let dirs = self.dirs.borrow();
            let mut m: Vec<usize> = parts.iter().copied().filter(|p| !dirs.contains_key(p)).collect();
            m.sort_unstable();
            m.dedup();
            m
        };
        let read = futures::future::try_join_all(missing.iter().map(|&p| async move {
            let part = &self.manifest.terms[p];
            let meta = self.tail(sources, part).await?;
            directory(&self.url(part), &meta).map(|d| (p, d))
        }))
        .await?;
        let mut dirs = self.dirs.borrow_mut();
        for (p, d) in read {
            if dirs.len() >= DIR_CACHE {
                dirs.clear();
            }
            dirs.insert(p, Rc::new(d));
        }
        parts.iter().map(|p| dirs.get(p).cloned().ok_or_else(|| corrupt(&self.base, "a directory was not read"))).collect()
    }

    /// The buckets `(part, bucket)`, read (at once) where not kept.
    async fn buckets(&self, sources: Sources<'_>, wanted: &[(usize, usize)]) -> EngineResult<Vec<Rc<Vec<Entry>>>> {
        let parts: Vec<usize> = wanted.iter().map(|w| w.0).collect();
        let dirs = self.directories(sources, &parts).await?;
        let mut missing: Vec<BucketRead> = Vec::new();
        {
            let kept = self.buckets.borrow();
            for (&w, dir) in wanted.iter().zip(&dirs) {
                if !kept.contains_key(&w) && !missing.iter().any(|m| m.0 == w) {
                    let range = dir.pages.get(w.1).cloned().ok_or_else(|| corrupt(&self.base, "a bucket past the directory"))?;
                    missing.push((w, range));
                }
            }
        }
        // One read per part, its pages at once.
        let mut by_part: BTreeMap<usize, Vec<BucketRead>> = BTreeMap::new();
        for m in missing {
            by_part.entry(m.0 .0).or_default().push(m);
        }
        let read = futures::future::try_join_all(by_part.into_iter().map(|(p, list)| async move {
            let part = &self.manifest.terms[p];
            let url = self.url(part);
            let src = sources(&url, part.bytes);
            let ranges: Vec<Range<u64>> = list.iter().map(|m| m.1.clone()).collect();
            let bodies = read_many_of(src.as_ref(), &ranges, None).await?;
            list.into_iter()
                .zip(bodies)
                .map(|((w, range), page)| decode_page(&url, range.start, &page).map(|e| (w, e)))
                .collect::<EngineResult<Vec<_>>>()
        }))
        .await?;
        let mut kept = self.buckets.borrow_mut();
        for (w, entries) in read.into_iter().flatten() {
            if kept.len() >= BUCKET_CACHE {
                kept.clear();
            }
            kept.insert(w, Rc::new(entries));
        }
        wanted.iter().map(|w| kept.get(w).cloned().ok_or_else(|| corrupt(&self.base, "a bucket was not read"))).collect()
    }

    /// Where the first key at or after `k` lies: (part, bucket), if anywhere.
    async fn locate(&self, sources: Sources<'_>, keys: &[String]) -> EngineResult<Vec<Option<(usize, usize)>>> {
        let parts: Vec<Option<usize>> = keys.iter().map(|k| self.manifest.part_of(k)).collect();
        let present: Vec<usize> = parts.iter().flatten().copied().collect();
        let dirs = self.directories(sources, &present).await?;
        let mut dirs = dirs.into_iter();
        Ok(keys
            .iter()
            .zip(parts)
            .map(|(k, p)| {
                let p = p?;
                let d = dirs.next()?;
                let b = d.keys.partition_point(|x| x.as_str() < k.as_str());
                (b < d.keys.len()).then_some((p, b))
            })
            .collect())
    }

    /// For each term, its block holding position `from` or the next one after (`None`:
    /// the term has no postings from there on).
    async fn entries_at(&self, sources: Sources<'_>, terms: &[String], from: u64) -> EngineResult<Vec<Option<Entry>>> {
        let keys: Vec<String> = terms.iter().map(|t| key(t, from)).collect();
        let places = self.locate(sources, &keys).await?;
        let wanted: Vec<(usize, usize)> = places.iter().flatten().copied().collect();
        let buckets = self.buckets(sources, &wanted).await?;
        let mut buckets = buckets.into_iter();
        let mut out = Vec::new();
        for (t, place) in terms.iter().zip(places) {
            let found = match place {
                None => None,
                Some(_) => {
                    let bucket = buckets.next().unwrap_or_default();
                    bucket.iter().find(|e| &e.term == t && e.last >= from).cloned()
                }
            };
            out.push(found);
        }
        Ok(out)
    }

    /// Index terms starting with `prefix` (and the stem of the word as typed), most
    /// frequent first, from the first buckets of their range.
    async fn expand(&self, sources: Sources<'_>, prefix: &str) -> EngineResult<Vec<String>> {
        let start = key(prefix, 0);
        let Some(Some((p, b))) = self.locate(sources, std::slice::from_ref(&start)).await?.pop() else { return Ok(Vec::new()) };
        let dir = self.directories(sources, &[p]).await?.remove(0);
        let mut wanted = vec![(p, b)];
        // Later buckets while the one before ends inside the prefix's range.
        let mut k = b;
        while wanted.len() < PREFIX_BUCKETS && k + 1 < dir.keys.len() && key_term(&dir.keys[k]).starts_with(prefix) {
            k += 1;
            wanted.push((p, k));
        }
        let buckets = self.buckets(sources, &wanted).await?;
        let whole = stem(prefix);
        let mut df: HashMap<String, u64> = HashMap::new();
        for e in buckets.iter().flat_map(|b| b.iter()) {
            if e.term.starts_with(prefix) || e.term == whole {
                df.insert(e.term.clone(), e.df);
            }
        }
        let mut terms: Vec<(String, u64)> = df.into_iter().collect();
        terms.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        terms.truncate(PREFIX_TERMS);
        let mut out: Vec<String> = terms.into_iter().map(|t| t.0).collect();
        if !out.contains(&whole) {
            // The stem of the word as typed, looked up on its own.
            out.push(whole);
        }
        Ok(out)
    }

    /// BM25, as the in-memory search scores.
    fn bm25(&self, df: u64, tf: u32, len: u32) -> f64 {
        let idf = search::idf(self.manifest.docs as f64, df as f64);
        search::bm25(idf, tf, f64::from(len), self.manifest.avg_len)
    }

    /// Answer `text` from position `from` on: every hit of the windows read, best first;
    /// windows are read until `limit` hits are found, the dataset ends or `MAX_WINDOWS`
    /// were read (each window's hits are bounded by a block's documents). `next` goes on
    /// after the last window.
    pub async fn search(&self, sources: Sources<'_>, text: &str, from: u64, limit: usize) -> EngineResult<IndexHits> {
        let query = Query::parse(text);
        if query.is_empty() || self.manifest.docs == 0 {
            return Ok(IndexHits::default());
        }
        let mut groups: Vec<Vec<String>> = query.words.iter().chain(query.phrases.iter().flatten()).map(|w| vec![w.clone()]).collect();
        if let Some(p) = &query.prefix {
            let terms = self.expand(sources, p).await?;
            groups.push(terms);
        }
        let mut stems: Vec<String> = groups.iter().flatten().cloned().collect();
        stems.sort();
        stems.dedup();
        let excluded: Vec<String> = query.excluded.clone();
        let n = self.manifest.docs;
        let mut hits: Vec<(u64, f64)> = Vec::new();
        let mut start = from;
        let mut next = None;
        let mut covered_to = from;
        for _ in 0..MAX_WINDOWS {
            let all: Vec<String> = groups.iter().flatten().chain(&excluded).cloned().collect();
            let entries = self.entries_at(sources, &all, start).await?;
            let by_term: HashMap<&str, &Entry> = all.iter().zip(&entries).filter_map(|(t, e)| e.as_ref().map(|e| (t.as_str(), e))).collect();
            // The window ends where the first block read ends (a term's last block: the end).
            let reach = |e: &Entry| if e.last_block { n - 1 } else { e.last };
            let mut end = n - 1;
            let mut exhausted = false;
            for g in &groups {
                let present: Vec<&&Entry> = g.iter().filter_map(|t| by_term.get(t.as_str())).collect();
                if present.is_empty() {
                    exhausted = true;
                }
                for e in present {
                    end = end.min(reach(e));
                }
            }
            for t in &excluded {
                if let Some(e) = by_term.get(t.as_str()) {
                    end = end.min(reach(e));
                }
            }
            if exhausted {
                covered_to = n;
                next = None;
                break;
            }
            // Documents of every group within [start, end], scored.
            let mut scored: Option<HashMap<u64, f64>> = None;
            for g in &groups {
                let mut best: HashMap<u64, f64> = HashMap::new();
                for t in g {
                    let Some(e) = by_term.get(t.as_str()) else { continue };
                    for p in e.postings.iter().filter(|p| p.position >= start && p.position <= end) {
                        let s = self.bm25(e.df, p.tf, p.len);
                        let slot = best.entry(p.position).or_insert(s);
                        *slot = slot.max(s);
                    }
                }
                scored = Some(match scored {
                    None => best,
                    Some(prev) => prev.into_iter().filter_map(|(p, s)| best.get(&p).map(|b| (p, s + b))).collect(),
                });
            }
            let mut out: HashSet<u64> = HashSet::new();
            for t in &excluded {
                if let Some(e) = by_term.get(t.as_str()) {
                    out.extend(e.postings.iter().map(|p| p.position));
                }
            }
            hits.extend(scored.unwrap_or_default().into_iter().filter(|(p, _)| !out.contains(p)));
            covered_to = end + 1;
            if end >= n - 1 {
                next = None;
                break;
            }
            start = end + 1;
            next = Some(start);
            if hits.len() >= limit {
                break;
            }
        }
        let span = covered_to.saturating_sub(from).max(1);
        let exact = next.is_none() && from == 0;
        let total = if exact { hits.len() as u64 } else { (hits.len() as f64 * (n - from) as f64 / span as f64).round() as u64 };
        hits.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        let hits = hits
            .into_iter()
            .filter_map(|(p, score)| {
                let (shard, row) = self.manifest.locate(self.manifest.doc_at(p))?;
                Some(IndexHit { shard, row, score })
            })
            .collect();
        Ok(IndexHits { hits, total, exact, covered: span as f64 / n as f64, next, stems })
    }

    /// The footer of catalog part `p`: read 1 of an id lookup, exactly the bytes
    /// `index.json` gives, kept.
    async fn catalog_footer(&self, sources: Sources<'_>, p: usize) -> EngineResult<Arc<ParquetMetaData>> {
        if let Some(meta) = self.footers.borrow().get(&p) {
            return Ok(Arc::clone(meta));
        }
        let part = &self.manifest.catalog[p];
        let url = self.catalog_url(part);
        if part.footer < 8 || part.footer > part.bytes.min(MAX_TAIL) {
            return Err(corrupt(&url, format!("a footer of {} bytes in a file of {}", part.footer, part.bytes)));
        }
        let src = sources(&url, part.bytes);
        let got = read_many_of(src.as_ref(), std::slice::from_ref(&(part.bytes - part.footer..part.bytes)), None).await?;
        let bytes = got.into_iter().next().unwrap_or_default();
        if bytes.len() as u64 != part.footer {
            return Err(corrupt(&url, format!("its last {} bytes came back as {}", part.footer, bytes.len())));
        }
        let mut reader = ParquetMetaDataReader::new().with_page_index_policy(PageIndexPolicy::Skip);
        reader.try_parse_sized(&bytes, part.bytes).map_err(|e| corrupt(&url, format!("its footer (the last {} bytes): {e}", part.footer)))?;
        let meta = reader.finish().map_err(|e| corrupt(&url, format!("its footer: {e}")))?;
        if meta.file_metadata().num_rows() != part.rows as i64 {
            return Err(corrupt(&url, format!("{} rows, index.json says {}", meta.file_metadata().num_rows(), part.rows)));
        }
        let schema = meta.file_metadata().schema_descr();
        for (k, (name, kind)) in ID_COLUMNS.iter().enumerate() {
            let column = (k < schema.num_columns()).then(|| schema.column(k));
            if column.as_ref().is_none_or(|c| c.name() != *name || c.physical_type() != *kind || c.max_rep_level() != 0) {
                return Err(corrupt(&url, format!("column {k} is not `{name}` ({kind}): not a catalog part")));
            }
        }
        let meta = Arc::new(meta);
        let mut kept = self.footers.borrow_mut();
        if kept.len() >= FOOTER_CACHE {
            kept.clear();
        }
        kept.insert(p, Arc::clone(&meta));
        Ok(meta)
    }

    /// The shard and row of the sample with id `id`, from the catalog: the part whose ids
    /// span it (from `index.json`), its footer (read 1, kept), the row group whose ids
    /// span it (from the footer's statistics), and that group's `id`, `shard` and `row`
    /// column chunks, adjacent in the file (read 2).
    pub async fn find_id(&self, sources: Sources<'_>, id: i64) -> EngineResult<Option<(usize, u64)>> {
        let Some(p) = self.manifest.catalog_part_of(id) else { return Ok(None) };
        let part = &self.manifest.catalog[p];
        let url = self.catalog_url(part);
        let meta = self.catalog_footer(sources, p).await?;
        let Some(g) = group_of(&url, &meta, id)? else { return Ok(None) };
        let range = id_chunks(&url, &meta, g, part.bytes - part.footer)?;
        let src = sources(&url, part.bytes);
        let body = read_many_of(src.as_ref(), std::slice::from_ref(&range), None).await?.into_iter().next().unwrap_or_default();
        if body.len() as u64 != range.end - range.start {
            return Err(corrupt(&url, format!("bytes {}..{} came back as {} bytes", range.start, range.end, body.len())));
        }
        let batch = decode_group(&url, meta, g, range, body)?;
        let ids = batch.column(0).as_primitive_opt::<Int64Type>();
        let shards = batch.column(1).as_primitive_opt::<Int32Type>();
        let rows = batch.column(2).as_primitive_opt::<Int64Type>();
        let (Some(ids), Some(shards), Some(rows)) = (ids, shards, rows) else { return Err(corrupt(&url, "`id`, `shard` or `row` decoded as another type")) };
        let Some(i) = (0..ids.len()).find(|&i| ids.value(i) == id) else { return Ok(None) };
        let (shard, row) = (shards.value(i), rows.value(i));
        let (Ok(shard), Ok(row)) = (usize::try_from(shard), u64::try_from(row)) else { return Err(corrupt(&url, format!("id {id}: shard {shard}, row {row}"))) };
        if shard >= self.manifest.shards.len() {
            return Err(corrupt(&url, format!("id {id} is in shard {shard}; index.json lists {}", self.manifest.shards.len())));
        }
        Ok(Some((shard, row)))
    }
}

/// The row group of a catalog part whose `id` statistics span `id`, if any.
fn group_of(url: &str, meta: &ParquetMetaData, id: i64) -> EngineResult<Option<usize>> {
    for (g, rg) in meta.row_groups().iter().enumerate() {
        if rg.num_columns() < ID_COLUMNS.len() {
            return Err(corrupt(url, format!("row group {g} has {} columns", rg.num_columns())));
        }
        let Some(Statistics::Int64(s)) = rg.column(0).statistics() else { return Err(corrupt(url, format!("row group {g} has no least and greatest `id`"))) };
        let (Some(&lo), Some(&hi)) = (s.min_opt(), s.max_opt()) else { return Err(corrupt(url, format!("row group {g} has no least and greatest `id`"))) };
        if lo <= id && id <= hi {
            return Ok(Some(g));
        }
    }
    Ok(None)
}

/// The bytes of row group `g`'s `id`, `shard` and `row` column chunks: one range, as the
/// writer lays them out, before the footer at `footer_start`.
fn id_chunks(url: &str, meta: &ParquetMetaData, g: usize, footer_start: u64) -> EngineResult<Range<u64>> {
    let rg = meta.row_group(g);
    let mut range: Option<Range<u64>> = None;
    for (k, (name, _)) in ID_COLUMNS.iter().enumerate() {
        let (start, len) = rg.column(k).byte_range();
        let end = start.checked_add(len).filter(|&e| e <= footer_start);
        let Some(end) = end else { return Err(corrupt(url, format!("row group {g}: `{name}` at bytes {start}+{len} runs past the data"))) };
        range = match range {
            None => Some(start..end),
            Some(r) if r.end == start => Some(r.start..end),
            Some(r) => return Err(corrupt(url, format!("row group {g}: `{name}` starts at byte {start}, not after the column before it (byte {})", r.end))),
        };
    }
    range.ok_or_else(|| corrupt(url, "no id columns"))
}

/// Decode the `id`, `shard` and `row` columns of row group `g` from `body`, the bytes at
/// `range` (all the decoder needs: it asking for more is a fault of the file).
fn decode_group(url: &str, meta: Arc<ParquetMetaData>, g: usize, range: Range<u64>, body: Bytes) -> EngineResult<arrow_array::RecordBatch> {
    let fault = |e: parquet::errors::ParquetError| corrupt(url, format!("row group {g}: {e}"));
    let rows = usize::try_from(meta.row_group(g).num_rows()).map_err(|_| corrupt(url, format!("row group {g}: a negative row count")))?;
    let builder = ParquetPushDecoderBuilder::try_new_decoder(Arc::clone(&meta)).map_err(fault)?;
    let mask = ProjectionMask::leaves(builder.parquet_schema(), [0, 1, 2]);
    let mut decoder = builder.with_projection(mask).with_batch_size(rows.max(1)).with_row_groups(vec![g]).build().map_err(fault)?;
    decoder.push_ranges(vec![range.clone()], vec![body]).map_err(fault)?;
    let mut batches = Vec::new();
    loop {
        match decoder.try_decode().map_err(fault)? {
            DecodeResult::NeedsData(more) => {
                return Err(corrupt(url, format!("row group {g}: its id columns need bytes {more:?} beyond {}..{}", range.start, range.end)))
            }
            DecodeResult::Data(b) => batches.push(b),
            DecodeResult::Finished => break,
        }
    }
    let schema = batches.first().map(|b| b.schema()).ok_or_else(|| corrupt(url, format!("row group {g}: no rows decoded")))?;
    arrow_select::concat::concat_batches(&schema, &batches).map_err(|e| corrupt(url, e.to_string()))
}

/// The bucket directory of a term part.
fn directory(url: &str, meta: &ParquetMetaData) -> EngineResult<Directory> {
    let pi = meta.page_index().ok_or_else(|| corrupt(url, "no page index: not an index part"))?;
    let (mut keys, mut pages) = (Vec::new(), Vec::new());
    for (g, rg) in meta.row_groups().iter().enumerate() {
        if rg.num_columns() != 2 {
            return Err(corrupt(url, "not an index part (it should have two columns)"));
        }
        let Some(ColumnIndexMetaData::BYTE_ARRAY(ci)) = pi.column_index(g, 0) else { return Err(corrupt(url, "no page statistics on `last`")) };
        let (Some(keys_at), Some(buckets_at)) = (pi.offset_index(g, 0), pi.offset_index(g, 1)) else { return Err(corrupt(url, "no offset index")) };
        let locs = buckets_at.page_locations();
        if locs.len() as i64 != rg.num_rows() || keys_at.page_locations().len() != locs.len() {
            return Err(corrupt(url, "not one bucket a page"));
        }
        for (k, loc) in locs.iter().enumerate() {
            let max = ci.max_value(k).ok_or_else(|| corrupt(url, "a bucket page without statistics"))?;
            let key = std::str::from_utf8(max).map_err(|_| corrupt(url, "a key that is not UTF-8"))?.to_string();
            if keys.last().is_some_and(|l: &String| l.as_str() >= key.as_str()) {
                return Err(corrupt(url, "bucket keys out of order"));
            }
            keys.push(key);
            let start = u64::try_from(loc.offset).map_err(|_| corrupt(url, "a negative page offset"))?;
            pages.push(start..start + u64::try_from(loc.compressed_page_size).map_err(|_| corrupt(url, "a negative page size"))?);
        }
    }
    Ok(Directory { keys, pages })
}

/// The bucket in a page (header included) of an uncompressed binary column.
fn decode_page(url: &str, at: u64, page: &[u8]) -> EngineResult<Vec<Entry>> {
    let fault = |d: String| corrupt(url, format!("bucket page at byte {at}: {d}"));
    let mut cursor = PageCursor::new(Codec::Uncompressed, 0, &[0], None).map_err(fault)?;
    cursor.push(page).map_err(fault)?;
    cursor.finish().map_err(fault)?;
    match cursor.take_cells().pop() {
        Some((_, Cell::Value(bytes))) => decode_bucket(&bytes).map_err(fault),
        _ => Err(fault("no bucket in the page".into())),
    }
}
