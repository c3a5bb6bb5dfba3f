//! Shard reading: the footer (with a prefetch hint and the offset index when present),
//! the columns a gallery needs, and "these rows × these columns" reads that fetch only
//! the pages holding those cells — located by the offset index, or by page maps hopped
//! from header to header when there is none — with image pages of many values read
//! only as far as the values shown. Decoding is the `parquet` crate's push decoder plus
//! our own page cursor for image columns, so I/O stays in our hands and nothing here
//! needs `Send`.

pub mod columns;
pub mod footer;
pub mod levels;
pub mod page_header;
pub mod page_store;
pub mod page_values;
pub mod pages;
pub mod order;
pub mod plan;
pub mod read;
pub mod sample;
pub mod scores;
pub mod snappy;

use std::cell::RefCell;
use std::sync::Arc;

use arrow_schema::Schema;
use parquet::file::metadata::ParquetMetaData;
use parquet::file::page_index::offset_index::PageLocation;

pub use columns::Columns;
pub use plan::{plan_cost, Cost};

use crate::engine::dataset::link::ColumnMap;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::range::Version;
use page_store::{FileKey, FilePageMaps};

/// An opened shard: its metadata, where its gallery columns are, and the page maps
/// found so far.
#[derive(Debug, Clone)]
pub struct Shard {
    /// URL or path, for messages.
    pub name: String,
    pub size: u64,
    /// The ETag the footer was read with, when the server gave one.
    pub etag: Option<String>,
    pub metadata: Arc<ParquetMetaData>,
    /// The Arrow schema the columns decode to.
    pub schema: Arc<Schema>,
    pub columns: Columns,
    /// Page maps of column chunks without an offset index, as far as they were hopped.
    pub pages: RefCell<FilePageMaps>,
    /// Held while headers are hopped, so reads running at once do not hop the same
    /// headers twice (the second finds the maps extended).
    hopping: std::rc::Rc<futures::lock::Mutex<()>>,
}

impl Shard {
    /// A shard from its footer: the schema is derived and the gallery columns found.
    pub fn new(name: &str, footer: footer::Footer) -> EngineResult<Self> {
        Self::mapped(name, footer, None)
    }

    /// A shard whose gallery columns are those `map` names (the others found as `new`
    /// finds them).
    pub fn mapped(name: &str, footer: footer::Footer, map: Option<&ColumnMap>) -> EngineResult<Self> {
        check_layout(name, &footer.metadata, footer.size)?;
        let schema = columns::arrow_schema(name, &footer.metadata)?;
        let columns = columns::find(name, &schema, footer.metadata.file_metadata().schema_descr(), map)?;
        Ok(Self {
            name: name.into(),
            size: footer.size,
            etag: footer.etag,
            metadata: Arc::new(footer.metadata),
            schema: Arc::new(schema),
            columns,
            pages: RefCell::new(FilePageMaps::default()),
            hopping: Default::default(),
        })
    }

    /// The version of the file this shard was read from.
    pub fn version(&self) -> Version {
        Version { size: self.size, etag: self.etag.clone() }
    }

    /// The key page maps of this version are kept under.
    pub fn key(&self) -> FileKey {
        FileKey { url: self.name.clone(), version: self.version() }
    }

    pub fn rows(&self) -> u64 {
        self.metadata.file_metadata().num_rows().max(0) as u64
    }

    /// Whether every column chunk carries an offset index (pages can be located
    /// without reading their headers).
    pub fn has_offset_index(&self) -> bool {
        self.metadata.page_index().is_some_and(|pi| pi.has_offset_indexes())
    }
}

/// Refuse metadata whose sizes cannot be true of a file of `size` bytes, before anything
/// is planned or allocated from them: row counts that do not add up, column chunks
/// outside the file, more values in a flat column than rows.
pub fn check_layout(file: &str, meta: &ParquetMetaData, size: u64) -> EngineResult<()> {
    let fault = |detail: String| EngineError::Corrupt { file: file.into(), detail };
    let mut rows = 0u64;
    for (g, rg) in meta.row_groups().iter().enumerate() {
        let n = u64::try_from(rg.num_rows()).map_err(|_| fault(format!("row group {g} has {} rows", rg.num_rows())))?;
        rows = rows.saturating_add(n);
        for col in rg.columns() {
            let descr = col.column_descr();
            let at = |detail: String| fault(format!("row group {g}, column `{}`: {detail}", descr.path().string()));
            let start = col.dictionary_page_offset().unwrap_or(col.data_page_offset());
            let len = col.compressed_size();
            let end = u64::try_from(start).ok().zip(u64::try_from(len).ok()).and_then(|(s, l)| s.checked_add(l));
            match end {
                Some(end) if end <= size => {}
                _ => {
                    return Err(at(format!(
                        "column chunk at byte {start} of {len} bytes runs past the end of the file ({size} bytes)"
                    )))
                }
            }
            let values = col.num_values();
            if values < 0 || (descr.max_rep_level() == 0 && values as u64 > n) {
                return Err(at(format!("{values} values in a row group of {n} rows")));
            }
        }
        if let Some(index) = meta.page_index() {
            for (c, col) in rg.columns().iter().enumerate() {
                let Some(chunk) = index.offset_index(g, c) else { continue };
                check_page_locations(chunk.page_locations(), n, size).map_err(|detail| {
                    fault(format!("row group {g}, column `{}`: offset index: {detail}", col.column_descr().path().string()))
                })?;
            }
        }
    }
    let claimed = meta.file_metadata().num_rows();
    if u64::try_from(claimed).ok() != Some(rows) {
        return Err(fault(format!("the file claims {claimed} rows but its row groups hold {rows}")));
    }
    Ok(())
}

/// The pages of an offset index must start at row 0, in increasing row and byte order,
/// each inside the row group and the file: the planner and the decoder rely on it.
fn check_page_locations(pages: &[PageLocation], rows: u64, size: u64) -> Result<(), String> {
    let mut last: Option<&PageLocation> = None;
    for (i, p) in pages.iter().enumerate() {
        let first = u64::try_from(p.first_row_index).map_err(|_| format!("page {i} starts at row {}", p.first_row_index))?;
        match last {
            None if first != 0 => return Err(format!("the first page starts at row {first}, not 0")),
            Some(prev) if p.first_row_index <= prev.first_row_index => {
                return Err(format!("page {i} starts at row {first}, not after page {} (row {})", i - 1, prev.first_row_index))
            }
            Some(prev) if p.offset <= prev.offset => return Err(format!("page {i} at byte {} comes before page {}", p.offset, i - 1)),
            _ => {}
        }
        if first >= rows.max(1) {
            return Err(format!("page {i} starts at row {first} of a row group of {rows} rows"));
        }
        let end = u64::try_from(p.offset).ok().zip(u64::try_from(p.compressed_page_size).ok()).and_then(|(o, l)| o.checked_add(l));
        if !end.is_some_and(|e| e <= size) || p.compressed_page_size <= 0 {
            return Err(format!("page {i} at byte {} of {} bytes is not inside the file ({size} bytes)", p.offset, p.compressed_page_size));
        }
        last = Some(p);
    }
    Ok(())
}
