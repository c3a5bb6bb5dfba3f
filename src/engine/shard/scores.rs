//! The three scores of every row of a file, for the grid's score filters and histograms.
//!
//! The footer's statistics answer first: a row group whose minimum and maximum of a
//! score are equal, with no nulls, holds that score on every row, and is not read for
//! it. Only the score columns of the other row groups are read (a few bytes per row; never
//! an image).

use arrow_array::RecordBatch;
use parquet::file::statistics::Statistics;
use serde::{Deserialize, Serialize};

use super::sample;
use super::Shard;

/// Scores of every row of a file: for instruction following, editing consistency and
/// generation quality, one byte per row (`0`: no score, or a score outside 1–255).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FileScores {
    pub values: [Vec<u8>; 3],
    /// Which of the three the file has.
    pub present: [bool; 3],
    /// Row groups answered by their statistics alone, of all row groups.
    pub known_groups: usize,
    pub groups: usize,
}

/// What the statistics leave to read: the scores known so far and the rows to read.
pub struct Plan {
    pub scores: FileScores,
    pub to_read: Vec<u64>,
}

/// A score as kept: 1–255, else 0.
fn byte(v: Option<i64>) -> u8 {
    v.filter(|v| (1..=255).contains(v)).map_or(0, |v| v as u8)
}

/// The one value every row of a column chunk holds, when its statistics prove it.
fn constant(stats: Option<&Statistics>) -> Option<i64> {
    let stats = stats?;
    if stats.null_count_opt() != Some(0) {
        return None;
    }
    let (min, max) = match stats {
        Statistics::Int32(s) => (i64::from(*s.min_opt()?), i64::from(*s.max_opt()?)),
        Statistics::Int64(s) => (*s.min_opt()?, *s.max_opt()?),
        _ => return None,
    };
    (min == max).then_some(min)
}

pub fn plan(shard: &Shard) -> Plan {
    let meta = &shard.metadata;
    let descr = meta.file_metadata().schema_descr();
    let rows = shard.rows() as usize;
    let mut scores = FileScores {
        values: [vec![0; rows], vec![0; rows], vec![0; rows]],
        present: shard.columns.scores.map(|c| c.is_some()),
        known_groups: 0,
        groups: meta.num_row_groups(),
    };
    // Score columns are flat: their leaf is the one leaf of their root.
    let leaves = shard.columns.scores.map(|root| root.and_then(|r| (0..descr.num_columns()).find(|&l| descr.get_column_root_idx(l) == r)));
    let mut to_read = Vec::new();
    let mut first = 0usize;
    for rg in meta.row_groups() {
        let n = (rg.num_rows().max(0) as usize).min(rows - first);
        let mut known = true;
        for (k, leaf) in leaves.iter().enumerate() {
            let Some(leaf) = *leaf else { continue };
            match constant(rg.columns().get(leaf).and_then(|c| c.statistics())) {
                Some(v) => scores.values[k][first..first + n].fill(byte(Some(v))),
                None => known = false,
            }
        }
        if known {
            scores.known_groups += 1;
        } else {
            to_read.extend(first as u64..(first + n) as u64);
        }
        first += n;
    }
    Plan { scores, to_read }
}

/// Put the scores of `rows` (sorted, as read) from `batches` into `scores`.
pub fn fill(scores: &mut FileScores, batches: &[RecordBatch], rows: &[u64]) {
    for (row, k, v) in sample::score_cells(batches, rows) {
        if let Some(slot) = scores.values[k].get_mut(row as usize) {
            *slot = byte(v);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_outside_one_to_255_count_as_none() {
        assert_eq!([byte(Some(3)), byte(Some(0)), byte(Some(-1)), byte(Some(256)), byte(None)], [3, 0, 0, 0, 0]);
    }
}
