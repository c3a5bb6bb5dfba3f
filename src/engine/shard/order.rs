//! Rows in the order they are cheapest to show. In a page of many images, showing its
//! k-th image costs the bytes of the k before it, so the first rows of every page are
//! cheap and the last ones dear: a grid of such a file should start with the heads of
//! pages ("spread" order). Estimates come from the page maps and offset index (pages
//! not mapped yet are assumed, as in `plan`); nothing here does I/O.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::page_header::encoding;
use super::pages::PageMap;
use super::plan::{self, assumed_map, chunk_range, leaves_of, mappable, STREAM_MIN_BYTES};
use super::Shard;

/// How the cost of a row grows within one page of one column: `fixed` to start reading
/// at it (a dictionary, the page when read whole), then `per_row` for each row before it
/// when streamed.
#[derive(Debug, Clone, Copy)]
struct Slope {
    first_row: u64,
    fixed: u64,
    per_row: u64,
}

/// The slopes of one column chunk's pages, by first row.
fn slopes(shard: &Shard, g: usize, root: usize, leaf: usize) -> Vec<Slope> {
    let meta = &shard.metadata;
    let col = meta.row_group(g).column(leaf);
    let total = plan::row_groups(shard)[g].1;
    let Some(chunk) = chunk_range(col) else { return Vec::new() };
    if let Some(locs) = meta.page_index().filter(|pi| pi.has_offset_indexes()).and_then(|pi| pi.offset_index(g, leaf)) {
        let locs = locs.page_locations();
        return locs
            .iter()
            .enumerate()
            .map(|(i, l)| {
                let first = l.first_row_index.max(0) as u64;
                let rows = locs.get(i + 1).map_or(total, |n| n.first_row_index.max(0) as u64).saturating_sub(first).max(1);
                let size = l.compressed_page_size.max(0) as u64;
                if size >= STREAM_MIN_BYTES {
                    Slope { first_row: first, fixed: size / rows, per_row: size / rows }
                } else {
                    Slope { first_row: first, fixed: size, per_row: 0 }
                }
            })
            .collect();
    }
    if !mappable(shard, root, leaf, &chunk) {
        return vec![Slope { first_row: 0, fixed: chunk.end - chunk.start, per_row: 0 }];
    }
    let known = shard.pages.borrow().get(g, leaf).cloned().unwrap_or_else(|| PageMap::new(chunk.clone(), total));
    let (m, _) = assumed_map(&known, col, total.saturating_sub(1));
    let dictionary = m.dictionary.as_ref().map_or(0, |d| d.end() - d.offset);
    let dict_entries = m.dictionary.as_ref().map_or(1, |d| u64::from(d.header.num_values).max(1));
    m.pages
        .iter()
        .map(|p| {
            let size = p.end() - p.offset;
            let rows = p.rows().max(1);
            if encoding::is_dictionary(p.header.encoding) {
                // The indices page whole, then the dictionary up to the entry (entries
                // follow rows in a writer's first batch).
                let (fixed, per_row) = if dictionary >= STREAM_MIN_BYTES { (size, dictionary / dict_entries) } else { (size + dictionary, 0) };
                Slope { first_row: p.first_row, fixed, per_row }
            } else if size >= STREAM_MIN_BYTES {
                Slope { first_row: p.first_row, fixed: size / rows, per_row: size / rows }
            } else {
                Slope { first_row: p.first_row, fixed: size, per_row: 0 }
            }
        })
        .collect()
}

/// Up to `limit` rows of `shard`, cheapest first to show with root columns `roots`
/// (ties in row order). Within a page rows come in order, so each page is a run whose
/// cost grows; the runs are merged.
pub fn cheapest_first(shard: &Shard, roots: &[usize], limit: usize) -> Vec<u64> {
    let groups = plan::row_groups(shard);
    let mut out = Vec::with_capacity(limit.min(shard.rows() as usize));
    // Per row group: the slopes of each column read.
    let mut costs: Vec<Vec<Vec<Slope>>> = Vec::with_capacity(groups.len());
    // Runs of rows within which no column changes page, by the cost of their next row:
    // (cost, next file row, end of the run, row group), smallest first.
    let mut heap: BinaryHeap<Reverse<(u64, u64, u64, usize)>> = BinaryHeap::new();
    for (g, &(first, n)) in groups.iter().enumerate() {
        let columns: Vec<Vec<Slope>> = roots
            .iter()
            .flat_map(|&r| leaves_of(shard, r).into_iter().map(move |l| (r, l)))
            .map(|(r, l)| slopes(shard, g, r, l))
            .collect();
        let mut starts: Vec<u64> = columns.iter().flatten().map(|s| s.first_row).filter(|&f| f < n).collect();
        starts.push(0);
        starts.sort_unstable();
        starts.dedup();
        for (i, &s) in starts.iter().enumerate().filter(|_| n > 0) {
            let end = starts.get(i + 1).copied().unwrap_or(n);
            heap.push(Reverse((row_cost(&columns, s), first + s, first + end, g)));
        }
        costs.push(columns);
    }
    while out.len() < limit {
        let Some(Reverse((_, row, end, g))) = heap.pop() else { break };
        out.push(row);
        if row + 1 < end {
            let local = row + 1 - groups[g].0;
            heap.push(Reverse((row_cost(&costs[g], local), row + 1, end, g)));
        }
    }
    out
}

/// Estimated bytes to show row `local` of a row group.
fn row_cost(columns: &[Vec<Slope>], local: u64) -> u64 {
    columns
        .iter()
        .map(|slopes| {
            let i = slopes.partition_point(|s| s.first_row <= local).saturating_sub(1);
            slopes.get(i).map_or(0, |s| s.fixed + s.per_row * (local - s.first_row))
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_costs_its_page_start_and_the_rows_before_it() {
        let streamed = vec![Slope { first_row: 0, fixed: 100, per_row: 100 }, Slope { first_row: 10, fixed: 50, per_row: 50 }];
        let whole = vec![Slope { first_row: 0, fixed: 7, per_row: 0 }];
        assert_eq!(row_cost(&[streamed.clone()], 0), 100);
        assert_eq!(row_cost(&[streamed.clone()], 9), 1000);
        assert_eq!(row_cost(&[streamed.clone(), whole], 12), 150 + 7);
    }
}
