//! Writing demo shards: the 12-column ScaleEdit-12M schema and the three Parquet layouts the
//! gallery must cope with (pyarrow-default-like, gallery-friendly, zstd with small row groups).

use std::fs;
use std::path::Path;
use std::sync::Arc;

use arrow_array::{ArrayRef, BinaryArray, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::{EnabledStatistics, WriterProperties};
use parquet::schema::types::ColumnPath;

use crate::cli::CliResult;

/// One encoded sample, ready to become a row.
#[derive(Clone, Debug)]
pub struct Row {
    pub id: i64,
    pub task: String,
    pub instruction: String,
    pub source: Vec<u8>,
    pub edited: Vec<u8>,
    pub source_size: (u32, u32),
    pub edited_size: (u32, u32),
    /// Instruction following, editing consistency, generation quality (1–3 each).
    pub scores: [i64; 3],
}

/// How a shard is laid out on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// As pyarrow writes by default: dictionary encoding on every column (images too),
    /// snappy, one row group, pages cut every 1024 values, chunk statistics, no page index.
    PyarrowDefault,
    /// Made for range reads: one image per data page, no dictionary for images, offset and
    /// column index, page statistics on the small columns, uncompressed images.
    GalleryFriendly,
    /// zstd everywhere, row groups of four rows, page index on.
    ZstdSmallGroups,
}

impl Layout {
    pub fn name(self) -> &'static str {
        match self {
            Layout::PyarrowDefault => "pyarrow-default-like",
            Layout::GalleryFriendly => "gallery-friendly",
            Layout::ZstdSmallGroups => "zstd-small-row-groups",
        }
    }

    pub fn describe(self) -> &'static str {
        match self {
            Layout::PyarrowDefault => {
                "dictionary encoding on for every column including the two image columns, snappy, \
                 one row group, data pages cut every 1024 values (all images of a column in one \
                 page, behind a dictionary page), chunk statistics only, no column index and no \
                 offset index"
            }
            Layout::GalleryFriendly => {
                "one image per data page (offset index lists every image), no dictionary for the \
                 image columns, images uncompressed, other columns snappy, page statistics and \
                 column index on the small columns, one row group"
            }
            Layout::ZstdSmallGroups => {
                "zstd (level 3) on every column, row groups of 4 rows, no dictionary for the image \
                 columns, page statistics and column index on the small columns, offset index on"
            }
        }
    }
}

pub const COLUMNS: [&str; 12] = [
    "id",
    "edit_task",
    "edit_instruction",
    "source_image",
    "edited_image",
    "source_image_width",
    "source_image_height",
    "edited_image_width",
    "edited_image_height",
    "instruction_following_score",
    "editing_consistency_score",
    "generation_quality_score",
];

const IMAGE_COLUMNS: [&str; 2] = ["source_image", "edited_image"];

/// The ScaleEdit-12M schema: 12 non-nullable columns.
pub fn schema() -> Arc<Schema> {
    let ty = |name: &str| match name {
        "edit_task" | "edit_instruction" => DataType::Utf8,
        "source_image" | "edited_image" => DataType::Binary,
        _ => DataType::Int64,
    };
    Arc::new(Schema::new(COLUMNS.iter().map(|&n| Field::new(n, ty(n), false)).collect::<Vec<_>>()))
}

fn batch(rows: &[Row]) -> CliResult<RecordBatch> {
    let int = |f: &dyn Fn(&Row) -> i64| Arc::new(Int64Array::from(rows.iter().map(f).collect::<Vec<_>>())) as ArrayRef;
    let text =
        |f: &dyn Fn(&Row) -> &str| Arc::new(StringArray::from(rows.iter().map(f).collect::<Vec<_>>())) as ArrayRef;
    let bin =
        |f: &dyn Fn(&Row) -> &[u8]| Arc::new(BinaryArray::from(rows.iter().map(f).collect::<Vec<_>>())) as ArrayRef;
    let columns = vec![
        int(&|r| r.id),
        text(&|r| &r.task),
        text(&|r| &r.instruction),
        bin(&|r| &r.source),
        bin(&|r| &r.edited),
        int(&|r| r.source_size.0 as i64),
        int(&|r| r.source_size.1 as i64),
        int(&|r| r.edited_size.0 as i64),
        int(&|r| r.edited_size.1 as i64),
        int(&|r| r.scores[0]),
        int(&|r| r.scores[1]),
        int(&|r| r.scores[2]),
    ];
    Ok(RecordBatch::try_new(schema(), columns)?)
}

fn properties(layout: Layout) -> CliResult<WriterProperties> {
    let b = WriterProperties::builder().set_created_by("gallery demo (parquet-rs)".to_string());
    let props = match layout {
        Layout::PyarrowDefault => {
            let mut b = b
                .set_compression(Compression::SNAPPY)
                .set_dictionary_enabled(true)
                .set_statistics_enabled(EnabledStatistics::Chunk)
                .set_offset_index_disabled(true)
                .set_data_page_row_count_limit(1024)
                .set_max_row_group_row_count(None);
            for c in IMAGE_COLUMNS {
                // Large enough that every image lands in the dictionary (no plain fallback).
                b = b.set_column_dictionary_page_size_limit(ColumnPath::from(c), 64 << 20);
            }
            b.build()
        }
        Layout::GalleryFriendly => {
            let mut b = b
                .set_compression(Compression::SNAPPY)
                .set_statistics_enabled(EnabledStatistics::Page)
                .set_write_batch_size(1)
                .set_max_row_group_row_count(None);
            for c in IMAGE_COLUMNS {
                let p = ColumnPath::from(c);
                b = b
                    .set_column_dictionary_enabled(p.clone(), false)
                    .set_column_compression(p.clone(), Compression::UNCOMPRESSED)
                    .set_column_statistics_enabled(p.clone(), EnabledStatistics::None)
                    .set_column_data_page_row_count_limit(p, 1);
            }
            b.build()
        }
        Layout::ZstdSmallGroups => {
            let mut b = b
                .set_compression(Compression::ZSTD(ZstdLevel::try_new(3)?))
                .set_statistics_enabled(EnabledStatistics::Page)
                .set_max_row_group_row_count(Some(4));
            for c in IMAGE_COLUMNS {
                let p = ColumnPath::from(c);
                b = b
                    .set_column_dictionary_enabled(p.clone(), false)
                    .set_column_statistics_enabled(p, EnabledStatistics::None);
            }
            b.build()
        }
    };
    Ok(props)
}

/// Write `rows` as a Parquet shard at `path` with the given layout; returns the file size.
pub fn write_shard(path: &Path, rows: &[Row], layout: Layout) -> CliResult<u64> {
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir)?;
    }
    let batch = batch(rows)?;
    let mut buf = Vec::new();
    let mut writer = ArrowWriter::try_new(&mut buf, schema(), Some(properties(layout)?))?;
    writer.write(&batch)?;
    writer.close()?;
    fs::write(path, &buf)?;
    Ok(buf.len() as u64)
}
