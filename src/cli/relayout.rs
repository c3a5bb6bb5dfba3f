//! `gallery relayout <in> <out>`: rewrite a shard in the gallery-friendly layout, value
//! for value.
//!
//! The layout written is the one range reads want:
//! - every binary leaf (the images, raw or the `bytes` of the Hub's `struct<bytes, path>`)
//!   gets one value per data page and no dictionary, so the offset index lists every image
//!   and showing a pair reads exactly its two pages; no statistics on them (min/max of
//!   image bytes help nobody and would bloat the footer). They are written uncompressed
//!   unless the input's codec shrank that column by more than a quarter (raw pixels):
//!   PNG, JPEG and WebP do not shrink, and an uncompressed page can be streamed and cut.
//!   (Pages of 1024 tiny images gain ~20 % from what their images share; one image a page
//!   would not, hence the margin.)
//! - every other column (text, integers, floats) is snappy, dictionary as the writer sees
//!   fit, with page statistics and a column index;
//! - the offset index is written for every column;
//! - the schema, field names, types and the file's key/value metadata (pandas, Hugging
//!   Face) are kept.
//!
//! **Row groups** end at [`ROW_GROUP_ROWS`] rows or [`ROW_GROUP_BYTES`] of encoded data,
//! whichever comes first. The byte bound keeps the writer's buffer (a row group is
//! assembled in memory) and a whole-group read bounded, and leaves a shard of a few GB
//! with a few dozen row groups, so the footer (one entry per column per group) stays a
//! few tens of KB. The row bound is for the small columns: a grid needs the text of a
//! row group, which at ~200 bytes a row is ~800 KB for 4096 rows before compression — one
//! request, one page per small column — where 128 MB of tiny images could otherwise put
//! half a million rows, and tens of MB of text, in one group.
//!
//! **Memory** is bounded whatever the input's size: the input is decoded in batches of at
//! most [`BATCH_ROWS`] rows, fewer when the file's rows are large so a batch holds about
//! [`BATCH_BYTES`]; the row group being written holds at most [`ROW_GROUP_BYTES`] plus one
//! batch; the reader holds the input page it is decoding in each column, compressed and
//! not, and its dictionary page (in pyarrow's default layout each holds up to 1024
//! images). Peak: about 128 MiB + 3 × 16 MiB + the input's largest data and dictionary
//! page per column, never the whole file; verification holds two batches and two pages per
//! column. Measured on a 438 MB file of 2000 rows of two ~110 KB images: 190 MB resident
//! when its pages hold one image, 700 MB when pyarrow wrote it (pages of ~110 MB).
//!
//! The output is written to `<out>.partial`, verified (unless told not to) and renamed, so
//! an interrupted or failed run never leaves a half file under the final name.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{IsTerminal, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow_array::RecordBatch;
use arrow_schema::{Schema, SchemaRef};
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReader, ParquetRecordBatchReaderBuilder};
use parquet::arrow::{ArrowSchemaConverter, ArrowWriter};
use parquet::basic::{Compression, ConvertedType, LogicalType, Type as PhysicalType};
use parquet::file::metadata::{KeyValue, PageIndexPolicy, ParquetMetaData};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::{ColumnDescriptor, ColumnPath, SchemaDescriptor};

use crate::cli::CliResult;
use crate::engine::range::human_bytes;

/// Rows per row group, at most.
pub const ROW_GROUP_ROWS: usize = 4096;

/// Encoded bytes per row group, at most (the writer's estimate; one batch may overshoot).
pub const ROW_GROUP_BYTES: usize = 128 << 20;

/// Rows decoded at a time, at most.
pub const BATCH_ROWS: usize = 64;

/// Bytes a decoded batch aims at: files of large rows are read in fewer rows a batch.
pub const BATCH_BYTES: u64 = 16 << 20;

/// The progress line is redrawn at most this often.
const PROGRESS_EVERY: Duration = Duration::from_millis(250);

/// The key under which Arrow writers keep the Arrow schema; written anew, never copied.
const ARROW_SCHEMA_KEY: &str = "ARROW:schema";

/// What to relayout, where, and how.
#[derive(Debug, Clone)]
pub struct Options {
    pub input: PathBuf,
    pub output: PathBuf,
    /// Read both files back and compare every value before the output gets its name.
    pub verify: bool,
    /// No progress line (it is also off when stderr is not a terminal).
    pub quiet: bool,
    pub row_group_rows: usize,
    pub row_group_bytes: usize,
}

impl Options {
    /// Defaults: verified, progress shown, row groups of [`ROW_GROUP_ROWS`] rows or
    /// [`ROW_GROUP_BYTES`].
    pub fn new(input: impl Into<PathBuf>, output: impl Into<PathBuf>) -> Self {
        Self {
            input: input.into(),
            output: output.into(),
            verify: true,
            quiet: false,
            row_group_rows: ROW_GROUP_ROWS,
            row_group_bytes: ROW_GROUP_BYTES,
        }
    }
}

/// One binary (image) column of the output.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageColumn {
    /// Dotted path of the leaf (`source_image`, or `source_image.bytes`).
    pub path: String,
    /// Data pages over all row groups, from the offset index.
    pub pages: u64,
    /// Whether any chunk of it has a dictionary page.
    pub dictionary: bool,
    pub compression: String,
}

/// What a relayout did.
#[derive(Debug, Clone)]
pub struct Summary {
    pub input: PathBuf,
    pub output: PathBuf,
    pub rows: u64,
    pub row_groups: usize,
    pub input_bytes: u64,
    pub output_bytes: u64,
    pub batch_rows: usize,
    pub images: Vec<ImageColumn>,
    pub write_time: Duration,
    /// Time of the verification, when done.
    pub verify_time: Option<Duration>,
}

impl Summary {
    pub fn render(&self) -> String {
        let mut out = String::new();
        let size = |n: u64| format!("{} ({n} bytes)", human_bytes(n));
        let _ = writeln!(out, "Relaid out {} -> {}", self.input.display(), self.output.display());
        let _ = writeln!(out, "  rows: {} in {} row group(s), read in batches of {} rows", self.rows, self.row_groups, self.batch_rows);
        let _ = writeln!(out, "  size: {} -> {}", size(self.input_bytes), size(self.output_bytes));
        for c in &self.images {
            let dictionary = if c.dictionary { "dictionary" } else { "no dictionary" };
            let _ = writeln!(out, "  {}: {} data pages, {dictionary}, {}", c.path, c.pages, c.compression.to_lowercase());
        }
        let _ = write!(out, "  written in {:.2} s", self.write_time.as_secs_f64());
        let _ = match self.verify_time {
            Some(t) => writeln!(out, "; every value verified identical in {:.2} s", t.as_secs_f64()),
            None => writeln!(out, "; not verified (--no-verify)"),
        };
        out
    }
}

/// An error naming `path` and what went wrong there.
fn fault(path: &Path, what: impl std::fmt::Display) -> Box<dyn std::error::Error + Send + Sync> {
    format!("{}: {what}", path.display()).into()
}

/// `<out>.partial`.
pub fn partial_path(output: &Path) -> PathBuf {
    let mut name = output.file_name().map(|n| n.to_os_string()).unwrap_or_default();
    name.push(".partial");
    output.with_file_name(name)
}

/// Open `path` as Parquet for batches of `batch_rows` rows, saying plainly what is wrong
/// with it when it cannot be read (missing, not a file, no Parquet magic, bad footer).
fn open(path: &Path, page_index: bool) -> CliResult<ParquetRecordBatchReaderBuilder<File>> {
    let mut file = File::open(path).map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound => fault(path, "no such file"),
        _ => fault(path, format!("cannot open: {e}")),
    })?;
    let meta = file.metadata().map_err(|e| fault(path, format!("cannot read: {e}")))?;
    if !meta.is_file() {
        return Err(fault(path, "not a file"));
    }
    let mut head = [0u8; 4];
    let mut tail = [0u8; 4];
    let magic = meta.len() >= 12
        && file.read_exact(&mut head).is_ok()
        && file.seek(SeekFrom::End(-4)).is_ok()
        && file.read_exact(&mut tail).is_ok();
    if !magic || &head != b"PAR1" || &tail != b"PAR1" {
        let why = if meta.len() < 12 {
            format!("{} bytes, too short", meta.len())
        } else if &head != b"PAR1" {
            "it does not start with PAR1".into()
        } else {
            "it does not end with PAR1: truncated?".into()
        };
        return Err(fault(path, format!("not a Parquet file ({why})")));
    }
    file.rewind().map_err(|e| fault(path, format!("cannot read: {e}")))?;
    let policy = if page_index { PageIndexPolicy::Optional } else { PageIndexPolicy::Skip };
    ParquetRecordBatchReaderBuilder::try_new_with_options(file, ArrowReaderOptions::new().with_page_index_policy(policy))
        .map_err(|e| fault(path, format!("unreadable Parquet footer: {e}")))
}

/// Whether a leaf holds raw bytes (images): BYTE_ARRAY that is not text.
pub fn is_binary_leaf(col: &ColumnDescriptor) -> bool {
    let text = matches!(col.logical_type_ref(), Some(LogicalType::String | LogicalType::Enum | LogicalType::Json))
        || matches!(col.converted_type(), ConvertedType::UTF8 | ConvertedType::ENUM | ConvertedType::JSON);
    col.physical_type() == PhysicalType::BYTE_ARRAY && !text
}

/// Rows per batch: [`BATCH_ROWS`], fewer when the file's largest rows (on average over a
/// row group, decoded) would make a batch larger than [`BATCH_BYTES`].
pub fn batch_rows(meta: &ParquetMetaData) -> usize {
    let widest = meta
        .row_groups()
        .iter()
        .filter(|rg| rg.num_rows() > 0)
        .map(|rg| rg.columns().iter().map(|c| c.uncompressed_size().max(0) as u64).sum::<u64>() / rg.num_rows() as u64)
        .max()
        .unwrap_or(0);
    (BATCH_BYTES / widest.max(1)).clamp(1, BATCH_ROWS as u64) as usize
}

/// The key/value metadata carried over: everything but the Arrow schema.
fn carried_metadata(meta: &ParquetMetaData) -> Vec<KeyValue> {
    meta.file_metadata()
        .key_value_metadata()
        .map(|kv| kv.iter().filter(|e| e.key != ARROW_SCHEMA_KEY).cloned().collect())
        .unwrap_or_default()
}

/// Whether the input's codec shrank the leaf at `path` by more than a quarter.
fn compression_paid(meta: &ParquetMetaData, path: &ColumnPath) -> bool {
    let (mut compressed, mut raw) = (0u64, 0u64);
    for rg in meta.row_groups() {
        for c in rg.columns().iter().filter(|c| c.column_path() == path) {
            compressed += c.compressed_size().max(0) as u64;
            raw += c.uncompressed_size().max(0) as u64;
        }
    }
    raw > 0 && compressed * 4 < raw * 3
}

/// The writer's properties for the output schema `descr` (see the module's doc).
fn properties(opts: &Options, descr: &SchemaDescriptor, input: &ParquetMetaData) -> WriterProperties {
    let kv = carried_metadata(input);
    let mut b = WriterProperties::builder()
        .set_created_by(format!("gallery relayout {} (parquet-rs)", env!("CARGO_PKG_VERSION")))
        .set_compression(Compression::SNAPPY)
        .set_statistics_enabled(EnabledStatistics::Page)
        .set_offset_index_disabled(false)
        // Pages are cut between write batches: one value a batch, one image a page.
        .set_write_batch_size(1)
        .set_max_row_group_row_count(Some(opts.row_group_rows.max(1)))
        .set_max_row_group_bytes(Some(opts.row_group_bytes.max(1)))
        .set_key_value_metadata((!kv.is_empty()).then_some(kv));
    for col in descr.columns().iter().filter(|c| is_binary_leaf(c)) {
        let path = col.path().clone();
        let codec = if compression_paid(input, &path) { Compression::SNAPPY } else { Compression::UNCOMPRESSED };
        b = b
            .set_column_dictionary_enabled(path.clone(), false)
            .set_column_compression(path.clone(), codec)
            .set_column_statistics_enabled(path.clone(), EnabledStatistics::None)
            .set_column_data_page_row_count_limit(path, 1);
    }
    b.build()
}

/// The schema the writer is given: the input's, without the schema-level metadata that
/// is carried as the file's key/value metadata (reading back merges the two, so the
/// schema read is the input's; it is not stored twice).
fn writer_schema(schema: &Schema, carried: &[KeyValue]) -> SchemaRef {
    let mut metadata = schema.metadata().clone();
    for kv in carried {
        if metadata.get(&kv.key) == kv.value.as_ref() {
            metadata.remove(&kv.key);
        }
    }
    Arc::new(Schema::new_with_metadata(schema.fields().clone(), metadata))
}

/// A progress line on stderr, redrawn in place a few times a second; silent when stderr
/// is not a terminal or when told to be quiet.
pub(crate) struct Progress {
    label: &'static str,
    /// What the bytes figure counts (`written`, `read`).
    bytes_are: &'static str,
    total: u64,
    on: bool,
    start: Instant,
    last: Option<Instant>,
}

impl Progress {
    pub(crate) fn new(label: &'static str, total: u64, quiet: bool) -> Self {
        Self { label, bytes_are: "written", total, on: !quiet && std::io::stderr().is_terminal(), start: Instant::now(), last: None }
    }

    /// `rows` done; `bytes` written so far, when there is such a figure.
    /// The bytes figure counts bytes read.
    pub(crate) fn reading(mut self) -> Self {
        self.bytes_are = "read";
        self
    }

    pub(crate) fn update(&mut self, rows: u64, bytes: Option<u64>) {
        let now = Instant::now();
        if !self.on || self.last.is_some_and(|t| now - t < PROGRESS_EVERY) {
            return;
        }
        self.last = Some(now);
        let secs = (now - self.start).as_secs_f64().max(1e-3);
        let percent = if self.total == 0 { 100.0 } else { rows as f64 * 100.0 / self.total as f64 };
        let mut line = format!("\r{}: {rows}/{} rows ({percent:.1}%)", self.label, self.total);
        if let Some(b) = bytes {
            let _ = write!(line, ", {} {}, {}/s", human_bytes(b), self.bytes_are, human_bytes((b as f64 / secs) as u64));
        }
        let _ = write!(line, ", {:.0} rows/s\x1b[K", rows as f64 / secs);
        let mut err = std::io::stderr().lock();
        let _ = err.write_all(line.as_bytes());
        let _ = err.flush();
    }

    pub(crate) fn done(&mut self) {
        if self.on && self.last.is_some() {
            let _ = std::io::stderr().write_all(b"\r\x1b[K");
        }
    }
}

/// Write the relaid file at `partial`; returns (rows, batch rows).
fn write(opts: &Options, partial: &Path) -> CliResult<(u64, usize)> {
    let input = &opts.input;
    let builder = open(input, false)?;
    let meta = Arc::clone(builder.metadata());
    let total = meta.file_metadata().num_rows().max(0) as u64;
    let carried = carried_metadata(&meta);
    let schema = writer_schema(builder.schema(), &carried);
    let descr = ArrowSchemaConverter::new()
        .convert(&schema)
        .map_err(|e| fault(input, format!("cannot be written back as Parquet: {e}")))?;
    let props = properties(opts, &descr, &meta);
    let rows_per_batch = batch_rows(&meta);
    let reader = builder
        .with_batch_size(rows_per_batch)
        .build()
        .map_err(|e| fault(input, format!("cannot be read: {e}")))?;

    let file = File::create(partial).map_err(|e| fault(partial, format!("cannot create: {e}")))?;
    let mut writer = ArrowWriter::try_new(file, Arc::clone(&schema), Some(props))
        .map_err(|e| fault(partial, format!("cannot write: {e}")))?;
    let mut progress = Progress::new("relayout", total, opts.quiet);
    let mut rows = 0u64;
    for batch in reader {
        let batch = batch.map_err(|e| fault(input, format!("unreadable after row {rows}: {e}")))?;
        let batch = RecordBatch::try_new(Arc::clone(&schema), batch.columns().to_vec())
            .map_err(|e| fault(input, format!("rows after {rows} do not fit the schema: {e}")))?;
        writer.write(&batch).map_err(|e| fault(partial, format!("cannot write rows after {rows}: {e}")))?;
        rows += batch.num_rows() as u64;
        progress.update(rows, Some((writer.bytes_written() + writer.in_progress_size()) as u64));
    }
    writer.finish().map_err(|e| fault(partial, format!("cannot finish: {e}")))?;
    writer.inner().sync_all().map_err(|e| fault(partial, format!("cannot sync: {e}")))?;
    progress.done();
    if rows != total {
        return Err(fault(input, format!("{rows} rows read where its footer counts {total}")));
    }
    Ok((rows, rows_per_batch))
}

/// The first difference between two schemas, in words.
fn schema_difference(a: &Schema, b: &Schema) -> String {
    if a.fields().len() != b.fields().len() {
        return format!("{} columns instead of {}", b.fields().len(), a.fields().len());
    }
    for (x, y) in a.fields().iter().zip(b.fields()) {
        if x != y {
            return format!("column {} became {} {}", x.name(), y.name(), y.data_type());
        }
    }
    let keys: std::collections::BTreeSet<&str> = a
        .metadata()
        .keys()
        .chain(b.metadata().keys())
        .filter(|k| a.metadata().get(k.as_str()) != b.metadata().get(k.as_str()))
        .map(String::as_str)
        .collect();
    format!("schema metadata differs ({})", keys.into_iter().collect::<Vec<_>>().join(", "))
}

/// Rows of a batch reader, handed out in slices of any length.
struct Rows {
    path: PathBuf,
    reader: ParquetRecordBatchReader,
    batch: Option<RecordBatch>,
    at: usize,
}

impl Rows {
    /// The next slice of at most `n` rows (fewer at a batch's end), or `None` at the end.
    fn next(&mut self, n: usize) -> CliResult<Option<RecordBatch>> {
        loop {
            if let Some(b) = &self.batch {
                if self.at < b.num_rows() {
                    let take = n.min(b.num_rows() - self.at);
                    let slice = b.slice(self.at, take);
                    self.at += take;
                    return Ok(Some(slice));
                }
            }
            match self.reader.next() {
                None => return Ok(None),
                Some(b) => {
                    self.batch = Some(b.map_err(|e| fault(&self.path, format!("unreadable: {e}")))?);
                    self.at = 0;
                }
            }
        }
    }
}

/// Read `input` and `output` back batch by batch and compare the schemas, the key/value
/// metadata and every value. Returns the rows compared.
pub fn verify(input: &Path, output: &Path, quiet: bool) -> CliResult<u64> {
    let (a, b) = (open(input, false)?, open(output, false)?);
    if a.schema() != b.schema() {
        return Err(fault(output, format!("does not match {}: {}", input.display(), schema_difference(a.schema(), b.schema()))));
    }
    if carried_metadata(a.metadata()) != carried_metadata(b.metadata()) {
        return Err(fault(output, format!("its key/value metadata differs from {}'s", input.display())));
    }
    let total = a.metadata().file_metadata().num_rows().max(0) as u64;
    let rows_per_batch = batch_rows(a.metadata());
    let reader = |builder: ParquetRecordBatchReaderBuilder<File>, path: &Path| -> CliResult<Rows> {
        let reader = builder.with_batch_size(rows_per_batch).build().map_err(|e| fault(path, format!("cannot be read: {e}")))?;
        Ok(Rows { path: path.to_path_buf(), reader, batch: None, at: 0 })
    };
    let (mut left, mut right) = (reader(a, input)?, reader(b, output)?);
    let mut progress = Progress::new("verify", total, quiet);
    let mut row = 0u64;
    loop {
        let Some(x) = left.next(rows_per_batch)? else {
            if right.next(1)?.is_some() {
                return Err(fault(output, format!("has more rows than {} ({row})", input.display())));
            }
            break;
        };
        let Some(y) = right.next(x.num_rows())? else {
            return Err(fault(output, format!("ends at row {row}, before {} does", input.display())));
        };
        // The right side may end its batch sooner: compare what both have, and give the
        // rest of the left slice back.
        left.at -= x.num_rows() - y.num_rows();
        let x = x.slice(0, y.num_rows());
        if x != y {
            let column = (0..x.num_columns())
                .find(|&i| x.column(i) != y.column(i))
                .map_or_else(|| "?".to_string(), |i| x.schema().field(i).name().clone());
            return Err(fault(
                output,
                format!("rows {row}..{} of column {column} differ from {}", row + x.num_rows() as u64, input.display()),
            ));
        }
        row += x.num_rows() as u64;
        progress.update(row, None);
    }
    progress.done();
    Ok(row)
}

/// The image columns of a written file: pages from its offset index, dictionary, codec.
fn image_columns(path: &Path) -> CliResult<(usize, Vec<ImageColumn>)> {
    let builder = open(path, true)?;
    let meta = builder.metadata();
    let descr = meta.file_metadata().schema_descr();
    let mut out = Vec::new();
    for (leaf, col) in descr.columns().iter().enumerate().filter(|(_, c)| is_binary_leaf(c)) {
        let mut c = ImageColumn { path: col.path().string(), pages: 0, dictionary: false, compression: String::new() };
        for g in 0..meta.num_row_groups() {
            let chunk = meta.row_group(g).column(leaf);
            c.dictionary |= chunk.dictionary_page_offset().is_some();
            c.compression = chunk.compression().to_string();
            c.pages += meta.page_index_for_row_group(g).page_locations(leaf).map_or(0, |l| l.len() as u64);
        }
        out.push(c);
    }
    Ok((meta.num_row_groups(), out))
}

/// Relayout `opts.input` into `opts.output` (see the module's doc). On failure nothing is
/// left at the output, nor at `<out>.partial`.
pub fn relayout(opts: &Options) -> CliResult<Summary> {
    if opts.output.is_dir() {
        return Err(fault(&opts.output, "is a folder; give the output file's path"));
    }
    let partial = partial_path(&opts.output);
    let result = (|| {
        let start = Instant::now();
        let (rows, batch_rows) = write(opts, &partial)?;
        let write_time = start.elapsed();
        let verify_time = if opts.verify {
            let start = Instant::now();
            verify(&opts.input, &partial, opts.quiet)?;
            Some(start.elapsed())
        } else {
            None
        };
        let (row_groups, images) = image_columns(&partial)?;
        let size = |p: &Path| std::fs::metadata(p).map(|m| m.len()).map_err(|e| fault(p, e));
        let (input_bytes, output_bytes) = (size(&opts.input)?, size(&partial)?);
        std::fs::rename(&partial, &opts.output)
            .map_err(|e| fault(&opts.output, format!("cannot rename {} to it: {e}", partial.display())))?;
        Ok(Summary {
            input: opts.input.clone(),
            output: opts.output.clone(),
            rows,
            row_groups,
            input_bytes,
            output_bytes,
            batch_rows,
            images,
            write_time,
            verify_time,
        })
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    result
}

/// `gallery relayout`: relayout a local file and print the summary.
pub fn run(input: &str, output: &Path, verify: bool, quiet: bool) -> CliResult<()> {
    if input.starts_with("http://") || input.starts_with("https://") {
        return Err(format!("{input}: relayout reads local files; download it first").into());
    }
    let summary = relayout(&Options { verify, quiet, ..Options::new(input, output) })?;
    print!("{}", summary.render());
    Ok(())
}
