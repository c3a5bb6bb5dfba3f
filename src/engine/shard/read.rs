//! "These rows × these columns": the push decoder is told the row-group-local selection
//! and projection, says which byte ranges it needs (with an offset index: only the pages
//! holding the rows, plus dictionary pages), and we fetch those in one parallel wave.

use std::ops::Range;
use std::sync::Arc;

use arrow_array::RecordBatch;
use parquet::arrow::arrow_reader::{RowSelection, RowSelector};
use parquet::arrow::push_decoder::{ParquetPushDecoderBuilder, RowGroupSelection};
use parquet::arrow::ProjectionMask;
use parquet::DecodeResult;

use super::Shard;
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::range::{read_many, RangeSource};

/// Sorted, de-duplicated rows grouped by row group, as row-group-local selections.
pub fn row_group_selections(row_group_sizes: &[u64], rows: &[u64]) -> Vec<RowGroupSelection> {
    let mut rows: Vec<u64> = rows.to_vec();
    rows.sort_unstable();
    rows.dedup();
    let mut out = Vec::new();
    let mut start = 0u64;
    let mut next = 0usize;
    for (rg, &n) in row_group_sizes.iter().enumerate() {
        let end = start + n;
        let mut selectors = Vec::new();
        let mut cursor = start;
        while next < rows.len() && rows[next] < end {
            let r = rows[next];
            if r > cursor {
                selectors.push(RowSelector::skip((r - cursor) as usize));
            }
            // Extend a run of consecutive rows.
            let mut run_end = r + 1;
            next += 1;
            while next < rows.len() && rows[next] == run_end && run_end < end {
                run_end += 1;
                next += 1;
            }
            selectors.push(RowSelector::select((run_end - r) as usize));
            cursor = run_end;
        }
        if !selectors.is_empty() {
            out.push(RowGroupSelection::new(rg, Some(RowSelection::from(selectors))));
        }
        start = end;
    }
    out
}

/// One read never fetches more than this: a file laid out without a page index can make
/// "one row" mean a whole column chunk of images (hundreds of MB on real shards).
pub const MAX_READ_BYTES: u64 = 256 * 1024 * 1024;

fn corrupt(file: &str, e: parquet::errors::ParquetError) -> EngineError {
    EngineError::Corrupt { file: file.into(), detail: e.to_string() }
}

/// Decode `rows` (any order; returned sorted and de-duplicated) of the root columns
/// `columns`. Returns the batches in row order.
pub async fn read_rows(
    src: &dyn RangeSource,
    shard: &Shard,
    rows: &[u64],
    columns: &[usize],
) -> EngineResult<Vec<RecordBatch>> {
    let file = shard.name.as_str();
    let total = shard.rows();
    if let Some(&bad) = rows.iter().find(|&&r| r >= total) {
        return Err(EngineError::RowOutOfRange { file: file.into(), row: bad, rows: total });
    }
    if rows.is_empty() {
        return Ok(Vec::new());
    }
    let sizes: Vec<u64> = shard.metadata.row_groups().iter().map(|rg| rg.num_rows().max(0) as u64).collect();
    let selections = row_group_selections(&sizes, rows);
    let builder = ParquetPushDecoderBuilder::try_new_decoder(Arc::clone(&shard.metadata)).map_err(|e| corrupt(file, e))?;
    let mask = ProjectionMask::roots(builder.parquet_schema(), columns.iter().copied());
    let mut decoder = builder
        .with_projection(mask)
        .with_batch_size(rows.len().clamp(1, 8192))
        .with_row_group_selections(selections)
        .build()
        .map_err(|e| corrupt(file, e))?;
    let mut batches = Vec::new();
    loop {
        match decoder.try_decode().map_err(|e| corrupt(file, e))? {
            DecodeResult::NeedsData(ranges) => {
                let ranges: Vec<Range<u64>> = ranges;
                let cost: u64 = ranges.iter().map(|r| r.end.saturating_sub(r.start)).sum();
                if cost > MAX_READ_BYTES {
                    return Err(EngineError::TooLarge {
                        file: file.into(),
                        what: format!("a read of {} row(s) in this file's layout", rows.len()),
                        size: cost,
                        limit: MAX_READ_BYTES,
                    });
                }
                let bodies = read_many(src, &ranges).await?;
                decoder.push_ranges(ranges, bodies).map_err(|e| corrupt(file, e))?;
            }
            DecodeResult::Data(batch) => batches.push(batch),
            DecodeResult::Finished => return Ok(batches),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn describe(sel: &[RowGroupSelection]) -> Vec<(usize, Vec<(bool, usize)>)> {
        sel.iter()
            .map(|s| {
                let runs = s
                    .selection()
                    .map(|rs| rs.iter().map(|r| (r.skip, r.row_count)).collect())
                    .unwrap_or_default();
                (s.row_group_index(), runs)
            })
            .collect()
    }

    #[test]
    fn rows_become_local_selections_per_row_group() {
        // Row groups of 10, 10, 5 rows; rows 3, 4, 12 and 24.
        let sel = row_group_selections(&[10, 10, 5], &[24, 3, 12, 4, 3]);
        assert_eq!(
            describe(&sel),
            vec![
                (0, vec![(true, 3), (false, 2)]),
                (1, vec![(true, 2), (false, 1)]),
                (2, vec![(true, 4), (false, 1)]),
            ]
        );
    }

    #[test]
    fn a_run_stops_at_the_row_group_end() {
        let sel = row_group_selections(&[2, 2], &[1, 2]);
        assert_eq!(describe(&sel), vec![(0, vec![(true, 1), (false, 1)]), (1, vec![(false, 1)])]);
    }
}
