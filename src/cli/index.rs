//! `gallery index <dataset> --out <dir>`: the static instruction index of a whole dataset
//! (format in `engine::index::format` and `docs/INDEX.md`).
//!
//! Shard by shard, only the small columns are read (by range requests, or from disk);
//! each shard leaves a run file in `<out>/.build/` (its catalog rows sorted by id, its
//! postings sorted by term and position), written whole or not at all, so an interrupted
//! build resumes with the shards not done yet. The runs are then merged, a term at a time
//! and a sample at a time, into the term parts and the catalog's parts: memory holds one
//! shard's rows, one term's postings, one catalog row group and the writers' buffers,
//! whatever the dataset's size.

use std::cmp::Reverse;
use std::collections::{BinaryHeap, HashMap};
use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow_array::{ArrayRef, BinaryArray, Int32Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema, SchemaRef};
use parquet::arrow::arrow_writer::ArrowWriterOptions;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, Encoding};
use parquet::file::metadata::ParquetMetaData;
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::cli::relayout::Progress;
use crate::cli::CliResult;
use crate::engine::dataset::source::Source;
use crate::engine::index::format::{
    encode_bucket, get_varint, put_varint, CatalogPart, Entry, IndexManifest, IndexPart, IndexShard, Posting, BLOCK_DOCS,
    BUCKET_BYTES, INDEX_VERSION, MAX_LEN, PART_BYTES,
};
use crate::engine::native::NativeBackend;
use crate::engine::range::human_bytes;
use crate::engine::search;
use crate::engine::session::Session;
use crate::engine::shard::sample::SampleMeta;

/// Key of the order of positions (any fixed number: it is written in `index.json`).
const SEED: u64 = 0x5ca1_e0d1;
/// Rows of a catalog part and of its row groups (each column of a group one page). An id
/// lookup reads a part's footer, about 830 bytes a row group, and one group's id, shard
/// and row chunks, about 4.3 bytes a row (measured at 2 M rows, BENCHMARKS.md): 32 groups
/// of 4 Ki rows cost 27 KB + 18 KB, near the least for the part's size. Smaller parts cost
/// less a lookup but lengthen index.json: 128 Ki rows make 95 parts at 12.4 M samples.
const CATALOG_PART_ROWS: usize = 128 * 1024;
const CATALOG_GROUP_ROWS: usize = 4 * 1024;
const RUN_MAGIC: &[u8; 8] = b"GIXRUN01";

/// How postings and the catalog are cut: documents a block, bytes a bucket, bytes a term
/// part; rows a catalog part (rounded up to whole row groups) and rows a catalog row
/// group. The defaults are the format's; tests choose small ones to get many blocks,
/// parts and groups from a small dataset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Layout {
    pub block_docs: usize,
    pub bucket_bytes: usize,
    pub part_bytes: u64,
    pub catalog_part_rows: usize,
    pub catalog_group_rows: usize,
}

impl Default for Layout {
    fn default() -> Self {
        Self {
            block_docs: BLOCK_DOCS,
            bucket_bytes: BUCKET_BYTES,
            part_bytes: PART_BYTES,
            catalog_part_rows: CATALOG_PART_ROWS,
            catalog_group_rows: CATALOG_GROUP_ROWS,
        }
    }
}

pub struct Options {
    pub layout: Layout,
    pub dataset: String,
    pub out: PathBuf,
    pub quiet: bool,
    /// Build at most this many shards' runs in this run, then stop (resume later).
    pub max_shards: Option<usize>,
    /// Build only the runs of share `k` of `n` (1-based: the shards `i` with
    /// `i % n == k - 1`), for a build split across machines; merged once every run is in
    /// one `.build/`.
    pub share: Option<(usize, usize)>,
}

/// Parses a share of the shards, `K/N` with 1 ≤ K ≤ N.
pub fn parse_share(text: &str) -> Result<(usize, usize), String> {
    let bad = || format!("not a share of the shards: {text:?} (expected K/N, e.g. 2/4)");
    let (k, n) = text.split_once('/').ok_or_else(bad)?;
    let (k, n): (usize, usize) = (k.trim().parse().map_err(|_| bad())?, n.trim().parse().map_err(|_| bad())?);
    if k == 0 || k > n {
        return Err(bad());
    }
    Ok((k, n))
}

/// What a build did.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub shards_read: usize,
    pub shards_resumed: usize,
    pub finished: bool,
    pub read_bytes: u64,
    pub manifest: Option<IndexManifest>,
}

fn fault(path: &Path, what: impl std::fmt::Display) -> Box<dyn std::error::Error + Send + Sync> {
    format!("{}: {what}", path.display()).into()
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

fn put_opt(out: &mut Vec<u8>, v: Option<i64>) {
    match v {
        // Zig-zag, shifted by one so that 0 stands for "none".
        Some(v) => put_varint(out, (((v << 1) ^ (v >> 63)) as u64) + 1),
        None => put_varint(out, 0),
    }
}

/// Reads what `put_*` wrote.
struct RunReader {
    r: BufReader<File>,
    path: PathBuf,
}

impl RunReader {
    fn varint(&mut self) -> CliResult<u64> {
        let (r, mut failed) = (&mut self.r, None);
        let v = get_varint(|| {
            let mut b = [0u8; 1];
            match r.read_exact(&mut b) {
                Ok(()) => Some(b[0]),
                Err(e) => {
                    // The end of the file is the decoder's to say; any other fault is the disk's.
                    failed = (e.kind() != std::io::ErrorKind::UnexpectedEof).then_some(e);
                    None
                }
            }
        });
        if let Some(e) = failed {
            return Err(fault(&self.path, e));
        }
        v.map_err(|e| fault(&self.path, format!("run file {e}")))
    }

    fn string(&mut self) -> CliResult<String> {
        let n = self.varint()? as usize;
        let mut b = vec![0u8; n];
        self.r.read_exact(&mut b)?;
        String::from_utf8(b).map_err(|_| fault(&self.path, "run file holds text that is not UTF-8"))
    }

    fn opt(&mut self) -> CliResult<Option<i64>> {
        Ok(match self.varint()? {
            0 => None,
            z => {
                let z = z - 1;
                Some(((z >> 1) as i64) ^ -((z & 1) as i64))
            }
        })
    }
}

/// One catalog row.
#[derive(Debug, Clone, PartialEq)]
struct CatalogRow {
    id: i64,
    shard: u32,
    row: u64,
    task: String,
    instruction: String,
    sizes: [Option<i64>; 4],
    scores: [Option<i64>; 3],
}

impl CatalogRow {
    fn write(&self, out: &mut Vec<u8>) {
        put_opt(out, Some(self.id));
        put_varint(out, u64::from(self.shard));
        put_varint(out, self.row);
        put_str(out, &self.task);
        put_str(out, &self.instruction);
        for v in self.sizes.iter().chain(&self.scores) {
            put_opt(out, *v);
        }
    }

    fn read(r: &mut RunReader) -> CliResult<Self> {
        let id = r.opt()?.unwrap_or_default();
        let shard = r.varint()? as u32;
        let row = r.varint()?;
        let task = r.string()?;
        let instruction = r.string()?;
        let mut sizes = [None; 4];
        for s in &mut sizes {
            *s = r.opt()?;
        }
        let mut scores = [None; 3];
        for s in &mut scores {
            *s = r.opt()?;
        }
        Ok(Self { id, shard, row, task, instruction, sizes, scores })
    }
}

/// The run file of shard `i`.
fn run_path(out: &Path, i: usize) -> PathBuf {
    out.join(".build").join(format!("shard-{i:06}.run"))
}

/// A shard's run: header (magic, path, bytes, rows), catalog rows by id, then postings by
/// (term, position). Written to a temporary name and renamed: present means whole.
fn write_run(path: &Path, shard: &IndexShard, catalog: &mut [CatalogRow], postings: &mut [(String, u64, u32, u32)]) -> CliResult<()> {
    catalog.sort_by_key(|c| (c.id, c.shard, c.row));
    postings.sort_unstable_by(|a, b| a.0.cmp(&b.0).then(a.1.cmp(&b.1)));
    let tmp = path.with_extension("partial");
    let mut w = BufWriter::new(File::create(&tmp)?);
    let mut buf = Vec::new();
    buf.extend_from_slice(RUN_MAGIC);
    put_str(&mut buf, &shard.path);
    put_varint(&mut buf, shard.bytes);
    put_varint(&mut buf, shard.rows);
    put_varint(&mut buf, catalog.len() as u64);
    put_varint(&mut buf, postings.len() as u64);
    w.write_all(&buf)?;
    for c in catalog.iter() {
        buf.clear();
        c.write(&mut buf);
        w.write_all(&buf)?;
    }
    for (term, position, tf, len) in postings.iter() {
        buf.clear();
        put_str(&mut buf, term);
        put_varint(&mut buf, *position);
        put_varint(&mut buf, u64::from(*tf));
        put_varint(&mut buf, u64::from(*len));
        w.write_all(&buf)?;
    }
    w.into_inner().map_err(|e| e.into_error())?.sync_all()?;
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// A run opened for merging, positioned after its header.
struct Run {
    r: RunReader,
    catalog_left: u64,
    postings_left: u64,
}

fn open_run(path: &Path, want: &IndexShard) -> CliResult<Option<Run>> {
    let Ok(f) = File::open(path) else { return Ok(None) };
    let mut r = RunReader { r: BufReader::with_capacity(1 << 16, f), path: path.to_path_buf() };
    let mut magic = [0u8; 8];
    if r.r.read_exact(&mut magic).is_err() || &magic != RUN_MAGIC {
        return Ok(None);
    }
    let (p, bytes, rows) = (r.string()?, r.varint()?, r.varint()?);
    if p != want.path || bytes != want.bytes || rows != want.rows {
        // Another shard (or a changed one) went by this number: build it again.
        return Ok(None);
    }
    let catalog_left = r.varint()?;
    let postings_left = r.varint()?;
    Ok(Some(Run { r, catalog_left, postings_left }))
}

/// Where a shard stands in the dataset: its number, its file key, its first document.
struct ShardAt<'a> {
    i: usize,
    key: &'a str,
    shard: &'a IndexShard,
    first_doc: u64,
}

/// Read shard `i` (its small columns, a row group at a time: each page is fetched once,
/// and memory holds one group's values besides the run) and write its run.
async fn index_shard(
    session: &Session<NativeBackend>,
    at: ShardAt<'_>,
    manifest: &IndexManifest,
    out: &Path,
    progress: &mut Progress,
) -> CliResult<()> {
    let ShardAt { i, key, shard, first_doc } = at;
    let mut catalog = Vec::with_capacity(shard.rows as usize);
    let mut postings = Vec::new();
    for (first, count) in session.row_groups(key).await.map_err(|e| format!("{key}: {e}"))? {
        let rows: Vec<u64> = (first..first + count).collect();
        let metas: Vec<SampleMeta> = session.rows(key, &rows).await.map_err(|e| format!("{key}: {e}"))?;
        for m in metas {
            let doc = first_doc + m.row;
            let position = manifest.position(doc);
            let words = search::terms(&m.instruction);
            let len = (words.len() as u32).min(MAX_LEN);
            let mut counts: HashMap<String, u32> = HashMap::new();
            for w in words {
                *counts.entry(w).or_insert(0) += 1;
            }
            postings.extend(counts.into_iter().map(|(t, tf)| (t, position, tf, len)));
            let [sw, sh] = m.source_size.map_or([None, None], |[w, h]| [Some(w), Some(h)]);
            let [ew, eh] = m.edited_size.map_or([None, None], |[w, h]| [Some(w), Some(h)]);
            catalog.push(CatalogRow {
                id: m.id.unwrap_or(doc as i64),
                shard: i as u32,
                row: m.row,
                task: m.task.unwrap_or_default(),
                instruction: m.instruction,
                sizes: [sw, sh, ew, eh],
                scores: m.scores,
            });
        }
        progress.update(first_doc + (first + count).min(shard.rows), Some(session.stats().bytes));
    }
    write_run(&run_path(out, i), shard, &mut catalog, &mut postings)
}

/// Build (or resume building) the index of `opts.dataset` into `opts.out`.
pub async fn build(opts: &Options) -> CliResult<Report> {
    let started = Instant::now();
    let mut target = opts.dataset.clone();
    if Path::new(&target).is_dir() {
        target = Path::new(&target).join("manifest.json").to_string_lossy().into_owned();
    }
    let source = Source::parse(Some(&target))?;
    // Footers read exactly: a 64 KiB prefetch is most of a small shard's small columns.
    let session = Session::new(NativeBackend::default()).without_static_index().with_exact_footers();
    let view = session.open(&source).await?;
    // Every file counted (a footer each, when the listing did not say), in dataset order.
    let mut shards = Vec::new();
    for f in &view.files {
        let rows = if f.counted { f.rows } else { session.count(&f.key).await? };
        let bytes = match f.bytes {
            Some(b) => b,
            None => session.shard_size(&f.key).await?,
        };
        shards.push(IndexShard { path: f.key.clone(), rows, bytes });
    }
    let docs: u64 = shards.iter().map(|s| s.rows).sum();
    let mut manifest = IndexManifest {
        version: INDEX_VERSION,
        docs,
        avg_len: 0.0,
        seed: SEED,
        shards,
        terms: Vec::new(),
        catalog: Vec::new(),
        read_bytes: 0,
        dataset_bytes: 0,
    };
    manifest.dataset_bytes = manifest.shards.iter().map(|s| s.bytes).sum();
    std::fs::create_dir_all(opts.out.join(".build"))?;

    let mut progress = Progress::new("index", docs, opts.quiet).reading();
    let (mut read, mut resumed, mut first_doc, mut others) = (0, 0, 0, 0);
    for (i, (f, shard)) in view.files.iter().zip(&manifest.shards).enumerate() {
        let path = run_path(&opts.out, i);
        if open_run(&path, shard)?.is_some() {
            resumed += 1;
        } else if opts.share.is_some_and(|(k, n)| i % n != k - 1) {
            // Another machine's share.
            others += 1;
        } else if opts.max_shards.is_some_and(|m| read >= m) {
            progress.done();
            return Ok(Report { shards_read: read, shards_resumed: resumed, finished: false, read_bytes: session.stats().bytes, manifest: None });
        } else {
            let at = ShardAt { i, key: &f.key, shard, first_doc };
            index_shard(&session, at, &manifest, &opts.out, &mut progress).await?;
            read += 1;
        }
        first_doc += shard.rows;
        progress.update(first_doc, Some(session.stats().bytes));
    }
    progress.done();
    if others > 0 {
        // This share is built; the merge waits for the others' runs.
        return Ok(Report { shards_read: read, shards_resumed: resumed, finished: false, read_bytes: session.stats().bytes, manifest: None });
    }

    let mut runs = Vec::new();
    for (i, shard) in manifest.shards.iter().enumerate() {
        let path = run_path(&opts.out, i);
        runs.push(open_run(&path, shard)?.ok_or_else(|| fault(&path, "run file vanished during the build"))?);
    }
    let (catalog, total_len) = write_catalog(&opts.out, &mut runs, opts.layout)?;
    manifest.catalog = catalog;
    manifest.avg_len = if docs == 0 { 0.0 } else { total_len as f64 / docs as f64 };
    manifest.terms = write_terms(&opts.out, &mut runs, opts.layout)?;
    manifest.read_bytes = session.stats().bytes;
    let json = serde_json::to_string_pretty(&manifest)?;
    let tmp = opts.out.join("index.json.partial");
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, opts.out.join("index.json"))?;
    std::fs::remove_dir_all(opts.out.join(".build"))?;
    if !opts.quiet {
        let catalog: u64 = manifest.catalog.iter().map(|p| p.bytes).sum();
        let size: u64 = manifest.terms.iter().map(|p| p.bytes).sum::<u64>() + catalog;
        eprintln!(
            "indexed {docs} instructions from {} shards ({read} read now, {resumed} from an earlier run) in {:.1} s: read {} of {} ({:.2} %); index {} ({} term parts, catalog {} in {} parts)",
            manifest.shards.len(),
            started.elapsed().as_secs_f64(),
            human_bytes(manifest.read_bytes),
            human_bytes(manifest.dataset_bytes),
            manifest.read_bytes as f64 * 100.0 / manifest.dataset_bytes.max(1) as f64,
            human_bytes(size),
            manifest.terms.len(),
            human_bytes(catalog),
            manifest.catalog.len(),
        );
    }
    Ok(Report { shards_read: read, shards_resumed: resumed, finished: true, read_bytes: manifest.read_bytes, manifest: Some(manifest) })
}

/// The bytes at the end of a written file that hold its page index and footer.
fn tail_of(meta: &ParquetMetaData, file_len: u64) -> u64 {
    let start = meta
        .row_groups()
        .iter()
        .flat_map(|g| g.columns())
        .flat_map(|c| [c.column_index_offset(), c.offset_index_offset()])
        .flatten()
        .min()
        .map_or(file_len, |s| s as u64);
    file_len - start.min(file_len)
}

fn catalog_schema() -> SchemaRef {
    let int = |n: &str| Field::new(n, DataType::Int64, true);
    Arc::new(Schema::new(vec![
        Field::new("id", DataType::Int64, false),
        Field::new("shard", DataType::Int32, false),
        Field::new("row", DataType::Int64, false),
        Field::new("edit_task", DataType::Utf8, false),
        Field::new("edit_instruction", DataType::Utf8, false),
        int("source_image_width"),
        int("source_image_height"),
        int("edited_image_width"),
        int("edited_image_height"),
        int("instruction_following_score"),
        int("editing_consistency_score"),
        int("generation_quality_score"),
    ]))
}

fn catalog_batch(schema: &SchemaRef, rows: &[CatalogRow]) -> CliResult<RecordBatch> {
    let opt = |f: &dyn Fn(&CatalogRow) -> Option<i64>| Arc::new(Int64Array::from(rows.iter().map(f).collect::<Vec<_>>())) as ArrayRef;
    let mut cols: Vec<ArrayRef> = vec![
        Arc::new(Int64Array::from(rows.iter().map(|r| r.id).collect::<Vec<_>>())),
        Arc::new(Int32Array::from(rows.iter().map(|r| r.shard as i32).collect::<Vec<_>>())),
        Arc::new(Int64Array::from(rows.iter().map(|r| r.row as i64).collect::<Vec<_>>())),
        Arc::new(StringArray::from(rows.iter().map(|r| r.task.as_str()).collect::<Vec<_>>())),
        Arc::new(StringArray::from(rows.iter().map(|r| r.instruction.as_str()).collect::<Vec<_>>())),
    ];
    for k in 0..4 {
        cols.push(opt(&|r| r.sizes[k]));
    }
    for k in 0..3 {
        cols.push(opt(&|r| r.scores[k]));
    }
    Ok(RecordBatch::try_new(Arc::clone(schema), cols)?)
}

/// The bytes at the end of the Parquet file at `path` holding its footer: the metadata,
/// its length and the magic.
fn footer_len(path: &Path) -> CliResult<u64> {
    let mut f = File::open(path)?;
    f.seek(SeekFrom::End(-8))?;
    let mut end = [0u8; 8];
    f.read_exact(&mut end)?;
    if &end[4..] != b"PAR1" {
        return Err(fault(path, "the file just written does not end with PAR1"));
    }
    Ok(u64::from(u32::from_le_bytes([end[0], end[1], end[2], end[3]])) + 8)
}

/// Writes catalog rows, in id order, into parts of `catalog_part_rows` rows (whole row
/// groups), each row group one page a column.
struct CatalogParts {
    layout: Layout,
    out: PathBuf,
    schema: SchemaRef,
    parts: Vec<CatalogPart>,
    /// The open part: its writer and name, and the part's rows and ids so far.
    writer: Option<(ArrowWriter<File>, String, CatalogPart)>,
    group: Vec<CatalogRow>,
}

impl CatalogParts {
    fn props(layout: Layout) -> WriterProperties {
        let rows = layout.catalog_group_rows.max(1);
        let (id, shard, row) = (ColumnPath::from("id"), ColumnPath::from("shard"), ColumnPath::from("row"));
        WriterProperties::builder()
            .set_created_by(format!("gallery index {}", env!("CARGO_PKG_VERSION")))
            .set_compression(Compression::ZSTD(Default::default()))
            // Statistics where the reader looks only: each row group's least and greatest
            // id. Others (the instructions' above all) would just make the footer longer.
            .set_statistics_enabled(EnabledStatistics::None)
            .set_column_statistics_enabled(id.clone(), EnabledStatistics::Chunk)
            // One page a column chunk: a row group is read whole, so an offset index
            // would say nothing the footer does not.
            .set_offset_index_disabled(true)
            .set_max_row_group_row_count(Some(rows))
            .set_data_page_row_count_limit(rows)
            .set_data_page_size_limit(usize::MAX)
            .set_write_batch_size(rows)
            // Sorted ids are small gaps; shard and row have no dictionary page either, so
            // the three chunks an id lookup reads are one page each.
            .set_column_encoding(id.clone(), Encoding::DELTA_BINARY_PACKED)
            .set_column_dictionary_enabled(id, false)
            .set_column_dictionary_enabled(shard, false)
            .set_column_encoding(row.clone(), Encoding::DELTA_BINARY_PACKED)
            .set_column_dictionary_enabled(row, false)
            .set_column_dictionary_enabled(ColumnPath::from("edit_instruction"), false)
            .build()
    }

    fn add(&mut self, row: CatalogRow) -> CliResult<()> {
        self.group.push(row);
        if self.group.len() >= self.layout.catalog_group_rows.max(1) {
            self.flush_group()?;
        }
        Ok(())
    }

    /// Write the rows held as one row group, in the open part or a new one.
    fn flush_group(&mut self) -> CliResult<()> {
        let (Some(first), Some(last)) = (self.group.first().map(|r| r.id), self.group.last().map(|r| r.id)) else { return Ok(()) };
        if self.writer.is_none() {
            let name = format!("catalog-{:04}.parquet", self.parts.len());
            let file = File::create(self.out.join(format!("{name}.partial")))?;
            // No Arrow schema in the footer: the Parquet schema says all the reader needs.
            let options = ArrowWriterOptions::new().with_properties(Self::props(self.layout)).with_skip_arrow_metadata(true);
            let writer = ArrowWriter::try_new_with_options(file, Arc::clone(&self.schema), options)?;
            let part = CatalogPart { path: name.clone(), bytes: 0, footer: 0, rows: 0, first, last };
            self.writer = Some((writer, name, part));
        }
        let Some((w, _, part)) = self.writer.as_mut() else { return Ok(()) };
        w.write(&catalog_batch(&self.schema, &self.group)?)?;
        w.flush()?;
        part.rows += self.group.len() as u64;
        part.last = last;
        self.group.clear();
        if part.rows >= self.layout.catalog_part_rows as u64 {
            self.close_part()?;
        }
        Ok(())
    }

    fn close_part(&mut self) -> CliResult<()> {
        let Some((w, name, mut part)) = self.writer.take() else { return Ok(()) };
        w.close()?;
        let path = self.out.join(&name);
        std::fs::rename(self.out.join(format!("{name}.partial")), &path)?;
        part.bytes = std::fs::metadata(&path)?.len();
        part.footer = footer_len(&path)?;
        self.parts.push(part);
        Ok(())
    }
}

/// Merge the runs' catalog rows by id into the catalog's parts. Returns them and the
/// words of every instruction together.
fn write_catalog(out: &Path, runs: &mut [Run], layout: Layout) -> CliResult<(Vec<CatalogPart>, u64)> {
    let mut parts =
        CatalogParts { layout, out: out.to_path_buf(), schema: catalog_schema(), parts: Vec::new(), writer: None, group: Vec::new() };
    let mut heap: BinaryHeap<Reverse<(i64, u32, u64, usize)>> = BinaryHeap::new();
    let mut heads: Vec<Option<CatalogRow>> = Vec::with_capacity(runs.len());
    let next = |runs: &mut [Run], i: usize| -> CliResult<Option<CatalogRow>> {
        let run = &mut runs[i];
        if run.catalog_left == 0 {
            return Ok(None);
        }
        run.catalog_left -= 1;
        CatalogRow::read(&mut run.r).map(Some)
    };
    for i in 0..runs.len() {
        let head = next(runs, i)?;
        if let Some(h) = &head {
            heap.push(Reverse((h.id, h.shard, h.row, i)));
        }
        heads.push(head);
    }
    let mut total_len = 0u64;
    while let Some(Reverse((_, _, _, i))) = heap.pop() {
        let row = heads[i].take().ok_or("catalog merge lost a row")?;
        total_len += search::terms(&row.instruction).len().min(MAX_LEN as usize) as u64;
        parts.add(row)?;
        heads[i] = next(runs, i)?;
        if let Some(h) = &heads[i] {
            heap.push(Reverse((h.id, h.shard, h.row, i)));
        }
    }
    parts.flush_group()?;
    parts.close_part()?;
    Ok((parts.parts, total_len))
}

fn terms_schema() -> SchemaRef {
    Arc::new(Schema::new(vec![Field::new("last", DataType::Utf8, false), Field::new("bucket", DataType::Binary, false)]))
}

/// Writes buckets into term parts, starting a new part past `PART_BYTES`.
struct Parts {
    layout: Layout,
    out: PathBuf,
    parts: Vec<IndexPart>,
    /// The open part: its writer, bucket bytes so far, name, last key written.
    writer: Option<(ArrowWriter<File>, u64, String, String)>,
    bucket: Vec<Entry>,
    bucket_bytes: usize,
}

impl Parts {
    fn props() -> WriterProperties {
        WriterProperties::builder()
            .set_created_by(format!("gallery index {}", env!("CARGO_PKG_VERSION")))
            .set_compression(Compression::UNCOMPRESSED)
            .set_dictionary_enabled(false)
            .set_statistics_enabled(EnabledStatistics::Page)
            .set_column_statistics_enabled(ColumnPath::from("bucket"), EnabledStatistics::None)
            // One bucket a page: the `last` column's page statistics are the directory.
            .set_data_page_row_count_limit(1)
            .set_write_batch_size(1)
            .set_max_row_group_row_count(Some(1 << 20))
            // Keys whole in the statistics, never cut short.
            .set_column_index_truncate_length(None)
            .set_statistics_truncate_length(None)
            .build()
    }

    fn add(&mut self, e: Entry) -> CliResult<()> {
        let size = e.postings.len() * 3 + e.term.len() + 16;
        if !self.bucket.is_empty() && self.bucket_bytes + size > self.layout.bucket_bytes {
            self.flush_bucket()?;
        }
        self.bucket_bytes += size;
        self.bucket.push(e);
        Ok(())
    }

    fn flush_bucket(&mut self) -> CliResult<()> {
        let Some(last) = self.bucket.last().map(Entry::key) else { return Ok(()) };
        let blob = encode_bucket(&self.bucket);
        self.bucket.clear();
        self.bucket_bytes = 0;
        if self.writer.is_none() {
            let name = format!("terms-{:04}.parquet", self.parts.len());
            let file = File::create(self.out.join(format!("{name}.partial")))?;
            self.writer = Some((ArrowWriter::try_new(file, terms_schema(), Some(Self::props()))?, 0, name, String::new()));
        }
        let Some((w, bytes, _, part_last)) = self.writer.as_mut() else { return Ok(()) };
        *bytes += blob.len() as u64;
        let batch = RecordBatch::try_new(
            terms_schema(),
            vec![Arc::new(StringArray::from(vec![last.as_str()])), Arc::new(BinaryArray::from(vec![blob.as_slice()]))],
        )?;
        w.write(&batch)?;
        *part_last = last;
        if *bytes >= self.layout.part_bytes {
            self.close_part()?;
        }
        Ok(())
    }

    fn close_part(&mut self) -> CliResult<()> {
        let Some((w, _, name, last)) = self.writer.take() else { return Ok(()) };
        let meta = w.close()?;
        let path = self.out.join(&name);
        std::fs::rename(self.out.join(format!("{name}.partial")), &path)?;
        let bytes = std::fs::metadata(&path)?.len();
        self.parts.push(IndexPart { path: name, bytes, tail: tail_of(&meta, bytes), last });
        Ok(())
    }

    /// One term's postings (sorted by position) as blocks.
    fn term(&mut self, term: &str, postings: &[Posting]) -> CliResult<()> {
        let size = self.layout.block_docs.max(1);
        let n = postings.len().div_ceil(size);
        for (k, block) in postings.chunks(size).enumerate() {
            let (Some(first), Some(last)) = (block.first(), block.last()) else { continue };
            self.add(Entry {
                term: term.to_string(),
                df: postings.len() as u64,
                first: first.position,
                last: last.position,
                last_block: k + 1 == n,
                postings: block.to_vec(),
            })?;
        }
        Ok(())
    }
}

/// Merge the runs' postings by (term, position) into term parts.
fn write_terms(out: &Path, runs: &mut [Run], layout: Layout) -> CliResult<Vec<IndexPart>> {
    type Head = (String, u64, u32, u32);
    let next = |run: &mut Run| -> CliResult<Option<Head>> {
        if run.postings_left == 0 {
            return Ok(None);
        }
        run.postings_left -= 1;
        let term = run.r.string()?;
        let position = run.r.varint()?;
        let tf = run.r.varint()? as u32;
        let len = run.r.varint()? as u32;
        Ok(Some((term, position, tf, len)))
    };
    // Least (term, position) first, then the run it came from.
    type Next = Reverse<(String, u64, usize, u32, u32)>;
    let mut heap: BinaryHeap<Next> = BinaryHeap::new();
    for (i, run) in runs.iter_mut().enumerate() {
        if let Some((t, p, tf, len)) = next(run)? {
            heap.push(Reverse((t, p, i, tf, len)));
        }
    }
    let mut parts = Parts { layout, out: out.to_path_buf(), parts: Vec::new(), writer: None, bucket: Vec::new(), bucket_bytes: 0 };
    let mut term = String::new();
    let mut postings: Vec<Posting> = Vec::new();
    while let Some(Reverse((t, position, i, tf, len))) = heap.pop() {
        if t != term {
            if !postings.is_empty() {
                parts.term(&term, &postings)?;
                postings.clear();
            }
            term = t;
        }
        postings.push(Posting { position, tf, len });
        if let Some((t, p, tf, len)) = next(&mut runs[i])? {
            heap.push(Reverse((t, p, i, tf, len)));
        }
    }
    if !postings.is_empty() {
        parts.term(&term, &postings)?;
    }
    parts.flush_bucket()?;
    parts.close_part()?;
    Ok(parts.parts)
}

/// `gallery index`: build, print what was done.
pub fn run(opts: &Options) -> CliResult<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let report = runtime.block_on(build(opts))?;
    if !report.finished {
        eprintln!(
            "stopped after {} shards ({} done before); run the same command again to go on",
            report.shards_read, report.shards_resumed
        );
    }
    Ok(())
}

/// `gallery query`: search an index (or look up an id) and print the hits and what the
/// answer read.
pub fn query(index: &str, text: &str, limit: usize, by_id: bool) -> CliResult<()> {
    use std::rc::Rc;

    use crate::engine::index::query::IndexReader;
    use crate::engine::range::{Counters, RangeSource, Waves};
    use crate::engine::session::Backend;

    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        let backend = NativeBackend::default();
        let counters = Counters::default();
        let json = backend.get_text(index, &counters).await?;
        let manifest = IndexManifest::parse(&json).map_err(|e| format!("{index}: {e}"))?;
        let reader = IndexReader::new(index, manifest);
        let waves = Waves::default();
        let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { waves.wrap(backend.source(url, Some(size), &counters)) };
        let before = counters.snapshot();
        let started = Instant::now();
        if by_id {
            let id: i64 = text.trim().parse().map_err(|_| format!("not an id: {text}"))?;
            let part = reader.manifest.catalog_part_of(id).map(|p| reader.manifest.catalog[p].path.clone());
            match (reader.find_id(&sources, id).await?, part) {
                (Some((shard, row)), Some(part)) => println!("{id}: {} row {row} (from {part})", reader.manifest.shards[shard].path),
                (_, Some(part)) => println!("{id}: not in the catalog ({part} spans it but does not hold it)"),
                (_, None) => println!("{id}: not in the catalog (no part spans it)"),
            }
        } else {
            let found = reader.search(&sources, text, 0, limit).await?;
            for h in found.hits.iter().take(limit) {
                println!("{:8.3}  {} row {}", h.score, reader.manifest.shards[h.shard].path, h.row);
            }
            println!(
                "{} hits shown of {} found, {}{} in the dataset (covering {:.1} % of the dataset)",
                found.hits.len().min(limit),
                found.hits.len(),
                if found.exact { "" } else { "about " },
                found.total,
                found.covered * 100.0
            );
        }
        let after = counters.snapshot();
        println!(
            "read {} in {} requests, {} waves, {:.1} ms",
            human_bytes(after.bytes - before.bytes),
            after.requests - before.requests,
            waves.count(),
            started.elapsed().as_secs_f64() * 1000.0
        );
        CliResult::Ok(())
    })
}
