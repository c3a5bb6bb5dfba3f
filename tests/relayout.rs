//! `gallery relayout`: pyarrow's files rewritten in the gallery-friendly layout keep every
//! value (schema and key/value metadata too), get one data page per image with no
//! dictionary, an offset index on every column and page statistics on the small ones;
//! the engine reads the same images from them, for fewer bytes than from pyarrow's
//! default layout; the output appears only whole, and bad inputs are named.
#![cfg(not(target_arch = "wasm32"))]

use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use arrow_array::RecordBatch;
use arrow_schema::Schema;
use gallery::cli::relayout::{partial_path, relayout, Options};
use gallery::engine::dataset::source::Source;
use gallery::engine::native::NativeBackend;
use gallery::engine::session::Session;
use parquet::arrow::arrow_reader::{ArrowReaderOptions, ParquetRecordBatchReaderBuilder};
use parquet::arrow::ArrowWriter;
use parquet::file::metadata::{KeyValue, PageIndexPolicy, ParquetMetaData};
use parquet::file::properties::WriterProperties;
use serde_json::Value;
use sha2::{Digest, Sha256};

const DEFAULT: &str = "pyarrow_default.parquet";
const MANY: &str = "pyarrow_many_images_per_page.parquet";
const MANY_PLAIN: &str = "pyarrow_many_images_per_page_uncompressed.parquet";
const ZSTD: &str = "pyarrow_zstd_row_groups.parquet";
const CDC: &str = "pyarrow_cdc.parquet";
const PLAIN: &str = "pyarrow_page_index_plain.parquet";
const IMAGES: [&str; 2] = ["source_image", "edited_image"];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap()
}

fn sha(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// A folder of its own under the system's temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!(
            "gallery-relayout-{name}-{}-{nanos}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// Relayout `input` (a fixture's name, or a path) into `dir` with `opts` applied; the
/// output's path.
fn relaid_with(dir: &TempDir, input: impl AsRef<Path>, tune: impl FnOnce(&mut Options)) -> PathBuf {
    let input = fixtures().join(input);
    let name = input.file_name().unwrap().to_string_lossy().into_owned();
    let out = dir.path(&format!("relaid_{name}"));
    let mut opts = Options::new(&input, &out);
    opts.quiet = true;
    tune(&mut opts);
    let summary = relayout(&opts).unwrap_or_else(|e| panic!("relayout of {name}: {e}"));
    eprintln!("{}", summary.render());
    assert!(summary.verify_time.is_some());
    out
}

fn relaid(dir: &TempDir, input: impl AsRef<Path>) -> PathBuf {
    relaid_with(dir, input, |_| {})
}

/// Every batch of a file (read whole: the fixtures are small), its metadata with the page
/// index.
fn read_all(path: &Path) -> (RecordBatch, std::sync::Arc<ParquetMetaData>) {
    let options = ArrowReaderOptions::new().with_page_index_policy(PageIndexPolicy::Optional);
    let builder = ParquetRecordBatchReaderBuilder::try_new_with_options(File::open(path).unwrap(), options).unwrap();
    let meta = builder.metadata().clone();
    let schema = builder.schema().clone();
    let batches: Vec<RecordBatch> = builder.with_batch_size(1000).build().unwrap().map(Result::unwrap).collect();
    (arrow_select::concat::concat_batches(&schema, &batches).unwrap(), meta)
}

fn key_values(meta: &ParquetMetaData) -> Vec<(String, Option<String>)> {
    let kv = meta.file_metadata().key_value_metadata().cloned().unwrap_or_default();
    kv.into_iter().filter(|e| e.key != "ARROW:schema").map(|e| (e.key, e.value)).collect()
}

/// `pyarrow_default.parquet` rewritten with the metadata a Hugging Face shard carries: a
/// `huggingface` key/value entry, and `pandas` in the Arrow schema only.
fn with_metadata(dir: &TempDir) -> PathBuf {
    let (batch, _) = read_all(&fixtures().join(DEFAULT));
    let mut metadata = batch.schema().metadata().clone();
    metadata.insert("pandas", r#"{"index_columns": [], "columns": []}"#);
    let schema = Arc::new(Schema::new_with_metadata(batch.schema().fields().clone(), metadata));
    let hf = KeyValue::new("huggingface".into(), r#"{"info": {"features": {"source_image": {"_type": "Value"}}}}"#.to_string());
    let props = WriterProperties::builder().set_key_value_metadata(Some(vec![hf])).build();
    let path = dir.path("with_metadata.parquet");
    let mut writer = ArrowWriter::try_new(File::create(&path).unwrap(), schema.clone(), Some(props)).unwrap();
    writer.write(&RecordBatch::try_new(schema, batch.columns().to_vec()).unwrap()).unwrap();
    writer.close().unwrap();
    path
}

#[test]
fn every_value_schema_and_key_value_metadata_survive_relayout() {
    let dir = TempDir::new("values");
    let hub = with_metadata(&dir);
    for input in [DEFAULT, MANY, ZSTD, CDC, PLAIN].map(|n| fixtures().join(n)).into_iter().chain([hub.clone()]) {
        let name = input.file_name().unwrap().to_string_lossy().into_owned();
        let out = relaid(&dir, &input);
        let (before, meta_before) = read_all(&input);
        let (after, meta_after) = read_all(&out);
        assert_eq!(before.schema(), after.schema(), "{name}: schema (names, types, metadata)");
        assert_eq!(before.num_rows(), after.num_rows(), "{name}: rows");
        for (i, field) in before.schema().fields().iter().enumerate() {
            assert_eq!(before.column(i), after.column(i), "{name}: column {}", field.name());
        }
        assert_eq!(before, after, "{name}");
        assert_eq!(key_values(&meta_before), key_values(&meta_after), "{name}: key/value metadata");
    }
    let (after, meta) = read_all(&dir.path("relaid_with_metadata.parquet"));
    assert_eq!(key_values(&meta).iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(), ["huggingface"]);
    assert!(after.schema().metadata().contains_key("pandas") && after.schema().metadata().contains_key("huggingface"));
}

/// The gallery-friendly layout: one data page per image, no dictionary or statistics on
/// images, an offset index on every column, page statistics on the small ones.
fn assert_gallery_layout(name: &str, meta: &ParquetMetaData) {
    let descr = meta.file_metadata().schema_descr();
    assert!(meta.page_index().is_some_and(|pi| pi.has_offset_indexes()), "{name}: page index");
    for g in 0..meta.num_row_groups() {
        let rg = meta.row_group(g);
        let index = meta.page_index_for_row_group(g);
        for (l, col) in descr.columns().iter().enumerate() {
            let column = col.path().string();
            let chunk = rg.column(l);
            let pages = index.page_locations(l).unwrap_or_else(|| panic!("{name}: no offset index for {column} in group {g}"));
            assert!(!pages.is_empty());
            if IMAGES.contains(&column.as_str()) {
                assert_eq!(pages.len() as i64, rg.num_rows(), "{name}: {column} in group {g}: one page per row");
                assert!(pages.iter().enumerate().all(|(i, p)| p.first_row_index == i as i64));
                assert_eq!(chunk.dictionary_page_offset(), None, "{name}: {column}: no dictionary");
                assert_eq!(pages[0].offset, chunk.data_page_offset(), "{name}: {column}: the first page starts the chunk");
                assert!(chunk.statistics().is_none(), "{name}: {column}: no statistics on images");
                assert!(index.column_index(l).is_none(), "{name}: {column}: no column index on images");
            } else {
                assert!(chunk.statistics().is_some(), "{name}: {column}: statistics");
                assert!(index.column_index(l).is_some(), "{name}: {column}: page statistics (column index)");
            }
        }
    }
}

#[test]
fn images_get_a_page_each_without_dictionary_and_every_column_an_offset_index() {
    let dir = TempDir::new("layout");
    for name in [DEFAULT, MANY, ZSTD] {
        let (_, meta) = read_all(&relaid(&dir, name));
        assert_gallery_layout(name, &meta);
        let rows: i64 = meta.row_groups().iter().map(|rg| rg.num_rows()).sum();
        assert_eq!(rows, meta.file_metadata().num_rows());
        // Small files make one row group, whatever the input had (ZSTD had five).
        assert_eq!(meta.num_row_groups(), 1, "{name}");
        assert!(meta.file_metadata().created_by().is_some_and(|c| c.starts_with("gallery relayout")));
    }
}

#[test]
fn row_groups_end_at_the_row_or_byte_bound_whichever_comes_first() {
    let dir = TempDir::new("groups");
    let out = relaid_with(&dir, DEFAULT, |o| o.row_group_rows = 16);
    let (_, meta) = read_all(&out);
    let groups: Vec<i64> = meta.row_groups().iter().map(|rg| rg.num_rows()).collect();
    assert_eq!(groups, [16, 16, 8]);
    assert_gallery_layout(DEFAULT, &meta);

    // 3000 rows of ~550 bytes of images: 256 KiB row groups hold ~470 rows each.
    let limit = 256 * 1024;
    let out = relaid_with(&dir, MANY, |o| o.row_group_bytes = limit);
    let (_, meta) = read_all(&out);
    assert!(meta.num_row_groups() >= 5, "{} row groups", meta.num_row_groups());
    for rg in meta.row_groups() {
        // One batch (64 rows, ~40 KB) may overshoot the writer's estimate.
        assert!(rg.compressed_size() <= limit as i64 + 64 * 1024, "a row group of {} bytes", rg.compressed_size());
    }
    assert_gallery_layout(MANY, &meta);
}

/// Bytes transferred to show `row` (its images and text) from `path`, once the file is
/// open; each image checked against its expected SHA-256 (or its prefix).
async fn show(path: &Path, row: u64, source_sha: &str, edited_sha: &str) -> (u64, u64) {
    let session = Session::new(NativeBackend::default());
    let key = path.to_string_lossy().into_owned();
    session.open(&Source::Parquet(key.clone())).await.unwrap();
    let opened = session.stats().bytes;
    let pairs = session.images(&key, &[row]).await.unwrap();
    session.rows(&key, &[row]).await.unwrap();
    assert_eq!(pairs.len(), 1);
    assert!(sha(&pairs[0].source).starts_with(source_sha), "{key}: source of row {row}");
    assert!(sha(&pairs[0].edited).starts_with(edited_sha), "{key}: edited of row {row}");
    (opened, session.stats().bytes - opened)
}

#[tokio::test(flavor = "current_thread")]
async fn the_engine_reads_the_same_images_from_the_relaid_file_for_fewer_bytes() {
    let dir = TempDir::new("engine");
    let expected = expected();

    for name in [DEFAULT, ZSTD] {
        let out = relaid(&dir, name);
        let key = out.to_string_lossy().into_owned();
        let session = Session::new(NativeBackend::default());
        assert_eq!(session.open(&Source::Parquet(key.clone())).await.unwrap().total_rows(), 40);
        let rows = [0, 7, 21, 39];
        let pairs = session.images(&key, &rows).await.unwrap();
        assert_eq!(pairs.iter().map(|p| p.row).collect::<Vec<_>>(), rows);
        for p in &pairs {
            let want = &expected["files"][name]["rows"][p.row as usize];
            assert_eq!(sha(&p.source), want["source_image_sha256"].as_str().unwrap(), "{name}: source of row {}", p.row);
            assert_eq!(sha(&p.edited), want["edited_image_sha256"].as_str().unwrap(), "{name}: edited of row {}", p.row);
        }
        let metas = session.rows(&key, &rows).await.unwrap();
        assert_eq!(metas.len(), rows.len());
    }

    // One pair, before and after, on a real shard's layout scaled down (pyarrow's defaults,
    // 1024 images a page). The 40-row files are smaller than the read coalescing gap, so
    // they are read almost whole either way.
    for (name, row) in [(MANY, 2524u64), (MANY_PLAIN, 1500), (MANY, 0)] {
        let want = &expected["layout_rows"][row as usize];
        let (src, edited) = (want[3].as_str().unwrap(), want[4].as_str().unwrap());
        let out = relaid(&dir, name);
        let (open_before, before) = show(&fixtures().join(name), row, src, edited).await;
        let (open_after, after) = show(&out, row, src, edited).await;
        eprintln!("{name}, row {row}: open {open_before} -> {open_after} bytes, one pair {before} -> {after} bytes");
        assert!(after < before, "{name}: one pair costs {after} bytes relaid, {before} before");
    }
}

#[test]
fn the_output_appears_only_whole_and_bad_inputs_are_named() {
    let dir = TempDir::new("faults");
    let out = relaid(&dir, DEFAULT);
    assert!(out.is_file());
    assert!(!partial_path(&out).exists(), "the .partial file is renamed");
    assert_eq!(partial_path(&out).file_name().unwrap(), "relaid_pyarrow_default.parquet.partial");

    // Skipping verification writes the same layout.
    let unverified = dir.path("unverified.parquet");
    let summary = relayout(&Options { verify: false, quiet: true, ..Options::new(fixtures().join(DEFAULT), &unverified) }).unwrap();
    assert!(summary.verify_time.is_none());
    assert_eq!(summary.rows, 40);
    assert_eq!(summary.images.iter().map(|c| (c.path.as_str(), c.pages, c.dictionary)).collect::<Vec<_>>(), [
        ("source_image", 40, false),
        ("edited_image", 40, false)
    ]);
    assert!(!partial_path(&unverified).exists());

    let cases = [
        ("not_parquet.parquet", "not a Parquet file"),
        ("truncated.parquet", "not a Parquet file"),
        ("no_such_file.parquet", "no such file"),
    ];
    for (name, fault) in cases {
        let target = dir.path(&format!("from_{name}"));
        let err = relayout(&Options { quiet: true, ..Options::new(fixtures().join(name), &target) }).unwrap_err().to_string();
        assert!(err.contains(name) && err.contains(fault), "{name}: {err}");
        assert!(!target.exists() && !partial_path(&target).exists(), "{name}: nothing left behind");
    }

    // Verification catches a value that differs, naming the column and the rows.
    let err = gallery::cli::relayout::verify(&fixtures().join(DEFAULT), &relaid(&dir, ZSTD), true).unwrap_err().to_string();
    assert!(err.contains("relaid_pyarrow_zstd_row_groups.parquet: rows 0..40 of column id differ"), "{err}");

    // An output folder that does not exist is named too.
    let target = dir.path("missing/out.parquet");
    let err = relayout(&Options { quiet: true, ..Options::new(fixtures().join(DEFAULT), &target) }).unwrap_err().to_string();
    assert!(err.contains("out.parquet.partial") && err.contains("cannot create"), "{err}");
}

#[test]
fn the_command_line_prints_a_summary_or_names_the_fault() {
    let dir = TempDir::new("cli");
    let out = dir.path("out.parquet");
    let run = |input: &Path, out: &Path| {
        std::process::Command::new(env!("CARGO_BIN_EXE_gallery")).arg("relayout").arg(input).arg(out).output().unwrap()
    };
    let ok = run(&fixtures().join(ZSTD), &out);
    let stdout = String::from_utf8_lossy(&ok.stdout);
    assert!(ok.status.success(), "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(stdout.contains("40 in 1 row group(s)") && stdout.contains("source_image: 40 data pages") && stdout.contains("verified"), "{stdout}");
    assert!(ok.stderr.is_empty(), "no progress line when stderr is not a terminal");
    assert!(out.is_file());

    let bad = run(&fixtures().join("not_parquet.parquet"), &dir.path("bad.parquet"));
    assert!(!bad.status.success());
    let stderr = String::from_utf8_lossy(&bad.stderr);
    assert!(stderr.contains("not_parquet.parquet: not a Parquet file"), "{stderr}");
}
