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
    let mut out = Vec::with_capacity(limit.min(shard.rows() as usize));
    // (cost of its next row, next row, end of the run), smallest first.
    let mut heap: BinaryHeap<Reverse<(u64, u64, u64)>> = BinaryHeap::new();
    let mut runs: Vec<Vec<(Slope, Vec<Slope>)>> = Vec::new();
    let _ = &mut runs;
    let mut cost_fns: Vec<Vec<Vec<Slope>>> = Vec::new();
    for (g, &(first, n)) in plan::row_groups(shard).iter().enumerate() {
        if n == 0 {
            continue;
        }
        let columns: Vec<Vec<Slope>> = roots.iter().flat_map(|&r| leaves_of(shard, r).into_iter().map(move |l| (r, l))).map(|(r, l)| slopes(shard, g, r, l)).collect();
        // Runs: the rows between consecutive page starts of any column.
        let mut starts: Vec<u64> = columns.iter().flatten().map(|s| s.first_row).filter(|&f| f < n).collect();
        starts.push(0);
        starts.sort_unstable();
        starts.dedup();
        let k = cost_fns.len();
        cost_fns.push(columns);
        for (i, &s) in starts.iter().enumerate() {
            let end = starts.get(i + 1).copied().unwrap_or(n);
            let cost = row_cost(&cost_fns[k], s);
            heap.push(Reverse((cost, first + s, first + end)));
        }
        let _ = first;
    }
    let group_of = |row: u64| plan::row_groups(shard).iter().position(|&(f, n)| row >= f && row < f + n).unwrap_or(0);
    while out.len() < limit {
        let Some(Reverse((_, row, end))) = heap.pop() else { break };
        out.push(row);
        if row + 1 < end {
            let g = group_of(row + 1);
            let first = plan::row_groups(shard)[g].0;
            let k = cost_index(shard, g);
            heap.push(Reverse((row_cost(&cost_fns[k], row + 1 - first), row + 1, end)));
        }
    }
    out
}

/// Index in the per-row-group cost tables of row group `g` (row groups without rows have none).
fn cost_index(shard: &Shard, g: usize) -> usize {
    plan::row_groups(shard)[..g].iter().filter(|&&(_, n)| n > 0).count()
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
