//! Shard reading: the footer (with a prefetch hint and the offset index when present),
//! the columns a gallery needs, and "these rows × these columns" reads that fetch only
//! the pages holding those cells. Decoding is the `parquet` crate's push decoder, so
//! I/O stays in our hands and nothing here needs `Send`.

pub mod columns;
pub mod footer;
pub mod page_header;
pub mod page_store;
pub mod page_values;
pub mod pages;
pub mod read;
pub mod sample;
pub mod snappy;

use std::sync::Arc;

use parquet::file::metadata::ParquetMetaData;

pub use columns::Columns;

/// An opened shard: its metadata and where its gallery columns are.
#[derive(Debug, Clone)]
pub struct Shard {
    /// URL or path, for messages.
    pub name: String,
    pub size: u64,
    pub metadata: Arc<ParquetMetaData>,
    pub columns: Columns,
}

impl Shard {
    pub fn rows(&self) -> u64 {
        self.metadata.file_metadata().num_rows().max(0) as u64
    }

    /// Whether every column chunk carries an offset index (pages can be located
    /// without reading their headers).
    pub fn has_offset_index(&self) -> bool {
        self.metadata.page_index().is_some_and(|pi| pi.has_offset_indexes())
    }
}
