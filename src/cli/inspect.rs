//! `gallery inspect <url|path>`: a shard's layout as the engine sees it — row groups;
//! per image column its codec, dictionary, whether an offset index exists, and its pages
//! (from the offset index, or found by hopping from header to header) — and what showing
//! one random pair and a grid of 24 costs on it. It reads the footer and page headers
//! only, never a page body.

use std::fmt::Write as _;

use crate::cli::CliResult;
use crate::engine::native::NativeBackend;
use crate::engine::range::retry::{RetryPolicy, Retrying};
use crate::engine::range::{human_bytes, Counters};
use crate::engine::session::Backend;
use crate::engine::shard::footer::read_footer;
use crate::engine::shard::order::cheapest_first;
use crate::engine::shard::page_header::encoding;
use crate::engine::shard::pages::{hop_to_row, PageMap};
use crate::engine::shard::plan::{chunk_range, leaves_of, plan_cost, row_groups, Cost};
use crate::engine::shard::Shard;

/// Rows of the grid whose cost is shown.
pub const GRID: u64 = 24;

/// Data pages listed per column chunk before the list is shortened.
const LISTED_PAGES: usize = 12;

/// A row from a seed (SplitMix64), so a report can be reproduced.
pub fn pick(seed: u64, rows: u64) -> u64 {
    let mut z = seed.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) % rows.max(1)
}

fn bytes(n: u64) -> String {
    format!("{} ({n} bytes)", human_bytes(n))
}

fn cost_line(c: Cost) -> String {
    let estimate = if c.exact { "" } else { ", estimated" };
    format!("{} requests, {}{estimate}, {} wave(s)", c.requests, bytes(c.bytes), c.waves)
}

/// Inspect the file at `target` (an http(s) URL or a local path); `seed` picks the
/// random pair. Returns the report.
pub async fn inspect(target: &str, seed: u64) -> CliResult<String> {
    let counters = Counters::default();
    let src = Retrying::new(NativeBackend::default().source(target, None, &counters), RetryPolicy::default());
    let footer = read_footer(&src).await?;
    let shard = Shard::new(target, footer)?;
    let footer_cost = counters.snapshot();

    // Map every image column chunk that has no offset index, header by header.
    let version = shard.version();
    let groups = row_groups(&shard);
    let index = shard.metadata.page_index().filter(|pi| pi.has_offset_indexes()).cloned();
    let image_leaves: Vec<(usize, usize)> =
        shard.columns.images().into_iter().flat_map(|r| leaves_of(&shard, r).into_iter().map(move |l| (r, l))).collect();
    for (g, &(_, n)) in groups.iter().enumerate() {
        for &(_, leaf) in &image_leaves {
            if index.as_ref().is_some_and(|pi| pi.offset_index(g, leaf).is_some()) || n == 0 {
                continue;
            }
            let Some(chunk) = chunk_range(shard.metadata.row_group(g).column(leaf)) else { continue };
            let mut map = PageMap::new(chunk, n);
            hop_to_row(&src, &version, &mut map, n - 1, None, &mut Vec::new()).await?;
            shard.pages.borrow_mut().put(g, leaf, map);
        }
    }
    let hop_cost = counters.snapshot().requests - footer_cost.requests;
    let hop_bytes = counters.snapshot().bytes - footer_cost.bytes;
    Ok(render(&shard, seed, (footer_cost.requests, footer_cost.bytes), (hop_cost, hop_bytes)))
}

/// The report of a shard whose image column chunks are mapped (or indexed).
fn render(shard: &Shard, seed: u64, footer: (u64, u64), hops: (u64, u64)) -> String {
    let meta = &shard.metadata;
    let fm = meta.file_metadata();
    let mut out = String::new();
    let _ = writeln!(out, "File: {}", shard.name);
    let _ = writeln!(out, "Size: {}, {} rows, {} row group(s)", bytes(shard.size), shard.rows(), meta.num_row_groups());
    if let Some(by) = fm.created_by() {
        let _ = writeln!(out, "Written by: {by}");
    }
    let indexed = shard.has_offset_index();
    let _ = writeln!(
        out,
        "Page index: {}",
        if indexed { "yes (page locations in the footer)" } else { "no (pages found by reading their headers)" }
    );
    let _ = writeln!(out, "Read to inspect: footer {} request(s), {}; page headers {} request(s), {}", footer.0, bytes(footer.1), hops.0, bytes(hops.1));

    let groups = row_groups(shard);
    let index = meta.page_index().filter(|pi| pi.has_offset_indexes()).cloned();
    for (g, &(first, n)) in groups.iter().enumerate() {
        let rg = meta.row_group(g);
        let _ = writeln!(out, "\nRow group {g}: rows {first}–{}, {}", (first + n).saturating_sub(1), bytes(rg.compressed_size().max(0) as u64));
        for root in shard.columns.images() {
            for leaf in leaves_of(shard, root) {
                let col = rg.column(leaf);
                let name = shard.schema.field(root).name();
                let Some(chunk) = chunk_range(col) else {
                    let _ = writeln!(out, "  {name}: unreadable column chunk metadata");
                    continue;
                };
                let _ = writeln!(out, "  {name}: {}, {}", col.compression(), bytes(chunk.end - chunk.start));
                if let Some(locs) = index.as_ref().and_then(|pi| pi.offset_index(g, leaf)) {
                    let locs = locs.page_locations();
                    let dict = locs.first().map_or(0, |l| (l.offset as u64).saturating_sub(chunk.start));
                    let _ = writeln!(
                        out,
                        "    dictionary: {}",
                        if dict > 0 { format!("yes, {}", bytes(dict)) } else { "no".into() }
                    );
                    let _ = writeln!(out, "    pages: {} data pages, from the offset index", locs.len());
                    for (i, l) in locs.iter().enumerate() {
                        if i == LISTED_PAGES && locs.len() > LISTED_PAGES + 1 {
                            let _ = writeln!(out, "      …");
                        }
                        if i >= LISTED_PAGES && i + 1 < locs.len() {
                            continue;
                        }
                        let last = locs.get(i + 1).map_or(n, |x| x.first_row_index as u64).saturating_sub(1);
                        let _ = writeln!(out, "      page {i}: rows {}–{last}, {}", l.first_row_index, human_bytes(l.compressed_page_size as u64));
                    }
                } else if let Some(m) = shard.pages.borrow().get(g, leaf) {
                    let _ = writeln!(
                        out,
                        "    dictionary: {}",
                        match &m.dictionary {
                            Some(d) => format!("yes, {} entries, {}", d.header.num_values, bytes(d.end() - d.offset)),
                            None => "no".into(),
                        }
                    );
                    let headers = m.pages.len() + usize::from(m.dictionary.is_some());
                    let _ = writeln!(out, "    pages: {} data pages, found by reading {headers} page headers", m.pages.len());
                    for (i, p) in m.pages.iter().enumerate() {
                        if i == LISTED_PAGES && m.pages.len() > LISTED_PAGES + 1 {
                            let _ = writeln!(out, "      …");
                        }
                        if i >= LISTED_PAGES && i + 1 < m.pages.len() {
                            continue;
                        }
                        let _ = writeln!(
                            out,
                            "      page {i}: rows {}–{}, {}, {}",
                            p.first_row,
                            (p.first_row + p.rows()).saturating_sub(1),
                            human_bytes(p.end() - p.offset),
                            encoding::name(p.header.encoding)
                        );
                    }
                } else {
                    let _ = writeln!(out, "    pages: not located (read whole)");
                }
            }
        }
    }

    let images = shard.columns.images();
    let small = shard.columns.small();
    let cost = |rows: &[u64]| plan_cost(shard, rows, &images) + plan_cost(shard, rows, &small);
    let rows = shard.rows();
    let _ = writeln!(out, "\nCost of showing (images and text, footer already read):");
    if rows == 0 {
        let _ = writeln!(out, "  nothing: the file has no rows");
        return out;
    }
    let row = pick(seed, rows);
    let _ = writeln!(out, "  one random pair (row {row}, seed {seed}): {}", cost_line(cost(&[row])));
    let grid: Vec<u64> = (0..GRID.min(rows)).collect();
    let _ = writeln!(out, "  a grid of {} from the start (rows 0–{}): {}", grid.len(), grid.len() - 1, cost_line(cost(&grid)));
    let spread = cheapest_first(shard, &images, GRID as usize);
    let c = cost(&spread);
    let shown: Vec<String> = spread.iter().take(8).map(u64::to_string).collect();
    let _ = writeln!(
        out,
        "  a grid of {} cheapest first (rows {}{}): {}",
        spread.len(),
        shown.join(", "),
        if spread.len() > 8 { ", …" } else { "" },
        cost_line(c)
    );
    out
}

/// `gallery inspect`: print the report.
pub fn run(target: &str, seed: Option<u64>) -> CliResult<()> {
    let seed = seed.unwrap_or_else(|| {
        std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos() as u64)
    });
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    let report = runtime.block_on(inspect(target, seed))?;
    print!("{report}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_are_spread_and_reproducible() {
        assert_eq!(pick(7, 3000), pick(7, 3000));
        let rows: std::collections::BTreeSet<u64> = (0..100).map(|s| pick(s, 3000)).collect();
        assert!(rows.len() > 90);
        assert!(rows.iter().all(|&r| r < 3000));
        assert_eq!(pick(1, 0), 0);
    }
}
