//! The bundled demo dataset: reproducible byte for byte, shaped exactly like ScaleEdit-12M,
//! and laid out in the Parquet layouts the gallery must read.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::BTreeSet;
use std::fs::{self, File};
use std::io::Cursor;
use std::path::{Path, PathBuf};

use arrow_array::{Array, BinaryArray, Int64Array, StringArray};
use arrow_schema::DataType;
use gallery::cli::demo::write_demo;
use gallery::engine::dataset::catalog::FAMILIES;
use gallery::engine::dataset::manifest::{Manifest, MANIFEST_VERSION};
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::basic::{Compression, Encoding, PageType};
use parquet::file::reader::{FileReader, SerializedFileReader};
use parquet::file::serialized_reader::ReadOptionsBuilder;

const MAX_DEMO_BYTES: u64 = 8 * 1024 * 1024;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn demo_dir() -> PathBuf {
    root().join("public/demo")
}

fn manifest() -> Manifest {
    let text = fs::read_to_string(demo_dir().join("manifest.json")).expect("public/demo/manifest.json");
    Manifest::parse(&text).expect("manifest parses")
}

/// Every file under `dir`, as sorted paths relative to it.
fn files_under(dir: &Path) -> BTreeSet<PathBuf> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeSet<PathBuf>) {
        for entry in fs::read_dir(dir).expect("readable dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                walk(base, &path, out);
            } else {
                out.insert(path.strip_prefix(base).expect("under base").to_path_buf());
            }
        }
    }
    let mut out = BTreeSet::new();
    walk(dir, dir, &mut out);
    out
}

/// A fresh, unique scratch folder under the system temp dir, removed on drop.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
        let dir = std::env::temp_dir().join(format!("gallery-{tag}-{}-{nanos}", std::process::id()));
        fs::create_dir_all(&dir).expect("temp dir");
        Scratch(dir)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

#[test]
fn demo_is_reproducible_byte_for_byte() {
    let scratch = Scratch::new("demo");
    write_demo(&root().join("src/cli/demo/photos"), &scratch.0).expect("demo writes");
    let committed = files_under(&demo_dir());
    let fresh = files_under(&scratch.0);
    assert_eq!(fresh, committed, "same file list as the committed public/demo");
    for rel in &committed {
        let a = fs::read(demo_dir().join(rel)).expect("committed file");
        let b = fs::read(scratch.0.join(rel)).expect("fresh file");
        assert!(a == b, "{} differs from a fresh `gallery demo` run", rel.display());
    }
}

const EXPECTED_COLUMNS: [(&str, DataType); 12] = [
    ("id", DataType::Int64),
    ("edit_task", DataType::Utf8),
    ("edit_instruction", DataType::Utf8),
    ("source_image", DataType::Binary),
    ("edited_image", DataType::Binary),
    ("source_image_width", DataType::Int64),
    ("source_image_height", DataType::Int64),
    ("edited_image_width", DataType::Int64),
    ("edited_image_height", DataType::Int64),
    ("instruction_following_score", DataType::Int64),
    ("editing_consistency_score", DataType::Int64),
    ("generation_quality_score", DataType::Int64),
];

fn dimensions(bytes: &[u8]) -> (i64, i64) {
    let (w, h) = image::ImageReader::new(Cursor::new(bytes))
        .with_guessed_format()
        .expect("sniffable")
        .into_dimensions()
        .expect("image header");
    (w as i64, h as i64)
}

fn int_column<'a>(batch: &'a arrow_array::RecordBatch, name: &str) -> &'a Int64Array {
    batch.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<Int64Array>()).expect(name)
}

fn binary_column<'a>(batch: &'a arrow_array::RecordBatch, name: &str) -> &'a BinaryArray {
    batch.column_by_name(name).and_then(|c| c.as_any().downcast_ref::<BinaryArray>()).expect(name)
}

/// What one shard holds, gathered while checking it.
#[derive(Default)]
struct Seen {
    ids: Vec<i64>,
    formats: BTreeSet<String>,
    below_bar: usize,
}

/// Check one shard's schema, rows and pictures against its manifest entry and family.
fn check_shard(path: &Path, task: &str, rows: u64, seen: &mut Seen) {
    let builder = ParquetRecordBatchReaderBuilder::try_new(File::open(path).expect("shard exists")).expect("parquet");
    let schema = builder.schema().clone();
    let names: Vec<(&str, DataType)> =
        schema.fields().iter().map(|f| (f.name().as_str(), f.data_type().clone())).collect();
    assert_eq!(names, EXPECTED_COLUMNS.to_vec(), "{}: the 12 ScaleEdit columns in order", path.display());
    let mut n = 0u64;
    for batch in builder.build().expect("reader") {
        let batch = batch.expect("batch");
        n += batch.num_rows() as u64;
        let tasks = batch
            .column_by_name("edit_task")
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .expect("edit_task");
        let instructions = batch
            .column_by_name("edit_instruction")
            .and_then(|c| c.as_any().downcast_ref::<StringArray>())
            .expect("edit_instruction");
        for i in 0..batch.num_rows() {
            assert_eq!(tasks.value(i), task);
            assert!(!instructions.value(i).is_empty());
            seen.ids.push(int_column(&batch, "id").value(i));
            for (img, w, h) in [
                ("source_image", "source_image_width", "source_image_height"),
                ("edited_image", "edited_image_width", "edited_image_height"),
            ] {
                let bytes = binary_column(&batch, img).value(i);
                let dims = (int_column(&batch, w).value(i), int_column(&batch, h).value(i));
                assert_eq!(dimensions(bytes), dims, "{}: {img} size matches its columns", path.display());
                let format = image::guess_format(bytes).expect("known format");
                seen.formats.insert(format!("{format:?}"));
            }
            let scores: Vec<i64> =
                ["instruction_following_score", "editing_consistency_score", "generation_quality_score"]
                    .iter()
                    .map(|c| int_column(&batch, c).value(i))
                    .collect();
            assert!(scores.iter().all(|s| (1..=3).contains(s)), "scores are 1 to 3");
            if !(scores[0] == 3 && scores[1] >= 2 && scores[2] >= 2) {
                seen.below_bar += 1;
            }
        }
    }
    assert_eq!(n, rows, "{}: row count matches the manifest", path.display());
}

#[test]
fn demo_matches_scaleedit_schema_and_manifest() {
    let m = manifest();
    assert_eq!(m.version, MANIFEST_VERSION);
    assert!(!m.attribution.is_empty(), "attribution text present");
    let listed: Vec<(&str, &str)> = m.families.iter().map(|f| (f.id.as_str(), f.task.as_str())).collect();
    let catalog: Vec<(&str, &str)> = FAMILIES.iter().map(|f| (f.id, f.task)).collect();
    assert_eq!(listed, catalog, "all 23 families, in catalog order");
    let mut seen = Seen::default();
    for (family, def) in m.families.iter().zip(FAMILIES.iter()) {
        assert_eq!(family.folder, def.folder());
        assert_eq!(family.label, def.label());
        for (n, shard) in family.shards.iter().enumerate() {
            assert_eq!(shard.path, def.shard_path(n as u32), "shards follow the Hub's file names");
            let path = demo_dir().join(&shard.path);
            assert_eq!(fs::metadata(&path).expect("shard exists").len(), shard.bytes, "{}: byte size", shard.path);
            check_shard(&path, def.task, shard.rows, &mut seen);
        }
    }
    let with_data = m.families.iter().filter(|f| !f.shards.is_empty()).count();
    assert!(with_data >= 8, "at least 8 families hold data, got {with_data}");
    let unique: BTreeSet<i64> = seen.ids.iter().copied().collect();
    assert_eq!(unique.len(), seen.ids.len(), "ids are unique across the demo");
    assert_eq!(seen.ids.len() as u64, m.total_rows());
    for format in ["Jpeg", "Png", "WebP"] {
        assert!(seen.formats.contains(format), "some pictures are {format}: {:?}", seen.formats);
    }
    assert!(seen.below_bar >= 1, "a few samples fall below the quality bar");
    let total: u64 =
        files_under(&demo_dir()).iter().map(|p| fs::metadata(demo_dir().join(p)).map(|m| m.len()).unwrap_or(0)).sum();
    assert!(total <= MAX_DEMO_BYTES, "public/demo is {total} bytes, over 8 MB");
}

/// Facts about a shard's image column, read back from the file's metadata and pages.
struct ImageColumnLayout {
    dictionary: bool,
    offset_index: bool,
    /// Data pages over all row groups, counted by walking the pages.
    data_pages: usize,
    /// Data pages according to the offset index, when there is one.
    indexed_pages: Option<usize>,
    rows: usize,
    row_groups: usize,
    zstd: bool,
}

fn image_column_layout(path: &Path) -> ImageColumnLayout {
    let options = ReadOptionsBuilder::new().with_page_index().build();
    let reader = SerializedFileReader::new_with_options(File::open(path).expect("shard"), options).expect("parquet");
    let meta = reader.metadata();
    let col = meta
        .file_metadata()
        .schema_descr()
        .columns()
        .iter()
        .position(|c| c.name() == "source_image")
        .expect("source_image");
    let mut layout = ImageColumnLayout {
        dictionary: true,
        offset_index: true,
        data_pages: 0,
        indexed_pages: Some(0),
        rows: 0,
        row_groups: meta.num_row_groups(),
        zstd: true,
    };
    for (rg_index, rg) in meta.row_groups().iter().enumerate() {
        let chunk = rg.column(col);
        let dict_encoded = chunk.dictionary_page_offset().is_some()
            && chunk.encodings().any(|e| matches!(e, Encoding::RLE_DICTIONARY | Encoding::PLAIN_DICTIONARY));
        layout.dictionary &= dict_encoded;
        layout.offset_index &= chunk.offset_index_offset().is_some();
        layout.zstd &= matches!(chunk.compression(), Compression::ZSTD(_));
        layout.rows += rg.num_rows() as usize;
        let pages = reader.get_row_group(rg_index).expect("row group").get_column_page_reader(col).expect("pages");
        layout.data_pages += pages
            .map(|p| p.expect("page"))
            .filter(|p| matches!(p.page_type(), PageType::DATA_PAGE | PageType::DATA_PAGE_V2))
            .count();
        let indexed = meta.page_index().and_then(|pi| pi.page_locations(rg_index, col)).map(|l| l.len());
        layout.indexed_pages = match (layout.indexed_pages, indexed) {
            (Some(a), Some(b)) => Some(a + b),
            _ => None,
        };
    }
    layout
}

#[test]
fn demo_has_both_layouts() {
    let m = manifest();
    let (mut pyarrow_like, mut friendly, mut zstd_groups) = (0, 0, 0);
    for shard in m.families.iter().flat_map(|f| &f.shards) {
        let layout = image_column_layout(&demo_dir().join(&shard.path));
        // Dictionary-encoded images behind no page index: all images in one data page.
        if layout.dictionary && !layout.offset_index && layout.indexed_pages.is_none() {
            assert_eq!(layout.data_pages, 1, "{}: images in a single page", shard.path);
            pyarrow_like += 1;
        }
        // One image per page, each page listed in the offset index.
        if !layout.dictionary && layout.offset_index && layout.data_pages == layout.rows {
            assert_eq!(layout.indexed_pages, Some(layout.rows), "{}: offset index lists every image", shard.path);
            friendly += 1;
        }
        // zstd, several row groups, page index on.
        if layout.zstd && layout.row_groups > 1 && layout.offset_index && layout.indexed_pages.is_some() {
            zstd_groups += 1;
        }
    }
    assert!(pyarrow_like >= 1, "at least one pyarrow-default-like shard");
    assert!(friendly >= 1, "at least one gallery-friendly shard");
    assert!(zstd_groups >= 1, "at least one zstd shard with several row groups and a page index");
}
