//! Rows in the order they are cheapest to show. In a page of many images, showing its
//! k-th image costs the bytes of the k before it, so the first rows of every page are
//! cheap and the last ones dear: a grid of such a file should start with the heads of
//! pages ("spread" order). Rows are ranked by how many values precede them in the pages
//! that would be streamed to show them, then by row; files whose pages are read whole
//! keep their row order. Pages come from the page maps and offset index (pages not
//! mapped yet are assumed, as in `plan`); nothing here does I/O.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use super::page_header::encoding;
use super::pages::PageMap;
use super::plan::{self, assumed_map, chunk_range, leaves_of, mappable, STREAM_MIN_BYTES};
use super::Shard;

/// A page of one column, as far as ordering goes: where it starts, and whether showing
/// a row of it means streaming through the rows before it.
#[derive(Debug, Clone, Copy)]
struct Slope {
    first_row: u64,
    streamed: bool,
}

/// The pages of one column chunk, by first row.
fn slopes(shard: &Shard, g: usize, root: usize, leaf: usize) -> Vec<Slope> {
    let meta = &shard.metadata;
    let col = meta.row_group(g).column(leaf);
    let total = plan::row_groups(shard)[g].1;
    let Some(chunk) = chunk_range(col) else { return Vec::new() };
    if let Some(locs) = meta.page_index().filter(|pi| pi.has_offset_indexes()).and_then(|pi| pi.offset_index(g, leaf)) {
        return locs
            .page_locations()
            .iter()
            .map(|l| Slope { first_row: l.first_row_index.max(0) as u64, streamed: l.compressed_page_size.max(0) as u64 >= STREAM_MIN_BYTES })
            .collect();
    }
    if !mappable(shard, root, leaf, &chunk) {
        return vec![Slope { first_row: 0, streamed: false }];
    }
    let known = shard.pages.borrow().get(g, leaf).cloned().unwrap_or_else(|| PageMap::new(chunk.clone(), total));
    let (m, _) = assumed_map(&known, col, total.saturating_sub(1));
    let dictionary = m.dictionary.as_ref().map_or(0, |d| d.end() - d.offset);
    m.pages
        .iter()
        .map(|p| {
            // An indexed page is read whole, then the dictionary streamed up to the entry
            // (entries follow rows in a writer's first batch).
            let streamed = if encoding::is_dictionary(p.header.encoding) {
                dictionary >= STREAM_MIN_BYTES
            } else {
                p.end() - p.offset >= STREAM_MIN_BYTES && p.header.encoding == encoding::PLAIN
            };
            Slope { first_row: p.first_row, streamed }
        })
        .collect()
}

/// Up to `limit` rows of `shard`, cheapest first to show with root columns `roots`:
/// by the number of values streamed before them, then by row. Within a page rows come
/// in order, so each page is a run whose rank grows by one per row; the runs are merged.
pub fn cheapest_first(shard: &Shard, roots: &[usize], limit: usize) -> Vec<u64> {
    let groups = plan::row_groups(shard);
    let mut out = Vec::with_capacity(limit.min(shard.rows() as usize));
    let mut pages: Vec<Vec<Vec<Slope>>> = Vec::with_capacity(groups.len());
    // Runs of rows within which no column changes page, by the rank of their next row:
    // (rank, next file row, end of the run, row group), smallest first.
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
            heap.push(Reverse((rank(&columns, s), first + s, first + end, g)));
        }
        pages.push(columns);
    }
    while out.len() < limit {
        let Some(Reverse((_, row, end, g))) = heap.pop() else { break };
        out.push(row);
        if row + 1 < end {
            let local = row + 1 - groups[g].0;
            heap.push(Reverse((rank(&pages[g], local), row + 1, end, g)));
        }
    }
    out
}

/// Values streamed before row `local` of a row group, in the column that streams most.
fn rank(columns: &[Vec<Slope>], local: u64) -> u64 {
    columns
        .iter()
        .map(|slopes| {
            let i = slopes.partition_point(|s| s.first_row <= local).saturating_sub(1);
            slopes.get(i).filter(|s| s.streamed).map_or(0, |s| local - s.first_row)
        })
        .max()
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_row_ranks_by_the_values_streamed_before_it() {
        let streamed = vec![Slope { first_row: 0, streamed: true }, Slope { first_row: 10, streamed: true }];
        let whole = vec![Slope { first_row: 0, streamed: false }, Slope { first_row: 5, streamed: false }];
        assert_eq!(rank(std::slice::from_ref(&streamed), 0), 0);
        assert_eq!(rank(std::slice::from_ref(&streamed), 9), 9);
        assert_eq!(rank(&[streamed, whole.clone()], 12), 2);
        assert_eq!(rank(&[whole], 7), 0, "pages read whole: row order");
    }
}
