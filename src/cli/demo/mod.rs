//! `gallery demo`: writes the bundled ScaleEdit-shaped demo dataset.
//!
//! The demo is a small sample shaped exactly like ScaleEdit-12M (same folders, file names and
//! 12 columns) whose pictures are public-domain photographs and procedural edits of them that
//! follow each instruction. Shards use three different Parquet layouts so the gallery's reader
//! is exercised on each. Everything is deterministic: running twice writes the same bytes.

mod attribute;
mod attribution;
mod compositional;
mod draw;
mod fill;
mod filters;
mod font;
mod global;
mod object;
mod photos;
mod props;
mod raster;
mod sample;
mod scenes;
mod select;
mod shards;
mod text;

use std::fs;
use std::path::Path;

use super::CliResult;
use crate::engine::dataset::catalog::{FamilyDef, FAMILIES};
use crate::engine::dataset::manifest::{Manifest, ManifestFamily, ManifestShard, MANIFEST_VERSION};
use draw::Rng;
use photos::Photos;
use sample::{encode, Pair};
use shards::{write_shard, Layout, Row};

/// A family with demo data: how its pairs are made and how they are split into shards.
struct FamilyPlan {
    task: &'static str,
    build: fn(&Photos) -> Vec<Pair>,
    /// Rows per shard and each shard's layout, in shard order.
    shards: &'static [(usize, Layout)],
}

use Layout::{GalleryFriendly as Friendly, PyarrowDefault as Pyarrow, ZstdSmallGroups as Zstd};

/// Which families hold demo data, and their shard layouts (also listed in LAYOUTS.md):
/// - pyarrow-default-like where sources repeat within a shard (style transfer, tone, removal,
///   material), so the dictionary stores each repeated picture once, as pyarrow would;
/// - gallery-friendly for the larger browsing families (backgrounds, additions, colours,
///   counts, posters) and for the second tone shard, so one family mixes two layouts;
/// - zstd with row groups of four for viewpoint, replacement, size and compositional shards,
///   so readers must cross row-group boundaries.
/// Where the demo's manifest finds its index.
pub const DEMO_INDEX: &str = "index/index.json";

const PLANS: &[FamilyPlan] = &[
    FamilyPlan { task: "style_transfer", build: global::style_transfer, shards: &[(10, Pyarrow)] },
    FamilyPlan { task: "tone_adjustment", build: global::tone_adjustment, shards: &[(6, Pyarrow), (4, Friendly)] },
    FamilyPlan { task: "viewpoint_transformation", build: global::viewpoint_transformation, shards: &[(8, Zstd)] },
    FamilyPlan { task: "background_replacement", build: global::background_replacement, shards: &[(8, Friendly)] },
    FamilyPlan { task: "object_addition", build: object::object_addition, shards: &[(10, Friendly)] },
    FamilyPlan { task: "object_removal", build: object::object_removal, shards: &[(8, Pyarrow)] },
    FamilyPlan { task: "object_replacement", build: object::object_replacement, shards: &[(6, Zstd)] },
    FamilyPlan { task: "color_change", build: attribute::color_change, shards: &[(10, Friendly)] },
    FamilyPlan { task: "material_change", build: attribute::material_change, shards: &[(6, Pyarrow)] },
    FamilyPlan { task: "count_change", build: attribute::count_change, shards: &[(6, Friendly)] },
    FamilyPlan { task: "size_change", build: attribute::size_change, shards: &[(6, Zstd)] },
    FamilyPlan { task: "movie_poster_text_editing", build: text::movie_poster_text_editing, shards: &[(6, Friendly)] },
    // Every source differs here: a dictionary that saves nothing, which pyarrow writes all the same.
    FamilyPlan {
        task: "building_surface_text_editing",
        build: text::building_surface_text_editing,
        shards: &[(5, Pyarrow)],
    },
    FamilyPlan { task: "compositional_editing", build: compositional::compositional_editing, shards: &[(7, Zstd)] },
];

/// One written shard, for the manifest and the summary.
struct Written {
    path: String,
    rows: u64,
    bytes: u64,
    layout: Layout,
}

/// Write the demo dataset (shards + manifest.json + ATTRIBUTION.md + LAYOUTS.md) under `out`,
/// built from the photographs in `photos`. Deterministic: same inputs, same bytes.
pub fn write_demo(photos: &Path, out: &Path) -> CliResult<()> {
    let ph = Photos::load(photos)?;
    fs::create_dir_all(out)?;
    let mut written: Vec<(&'static FamilyDef, Vec<Written>)> = Vec::new();
    for (index, family) in FAMILIES.iter().enumerate() {
        let shards = match PLANS.iter().find(|p| p.task == family.task) {
            Some(plan) => write_family(&ph, out, index, family, plan)?,
            None => Vec::new(),
        };
        written.push((family, shards));
    }
    let manifest = manifest(&written, attribution::attribution_line(photos)?);
    fs::write(out.join("manifest.json"), manifest.to_json_pretty() + "\n")?;
    // The demo ships its static instruction index, built from the files just written.
    let index = crate::cli::index::Options {
        layout: Default::default(),
        dataset: out.to_string_lossy().into_owned(),
        out: out.join(DEMO_INDEX.trim_end_matches("/index.json")),
        quiet: true,
        max_shards: None,
        share: None,
    };
    tokio::runtime::Builder::new_current_thread().enable_all().build()?.block_on(crate::cli::index::build(&index))?;
    fs::write(out.join("ATTRIBUTION.md"), attribution::attribution_md(photos)?)?;
    fs::write(out.join("LAYOUTS.md"), attribution::layouts_md(&layout_table(&written)))?;
    print_summary(&written);
    Ok(())
}

/// Build, encode and write every shard of one family.
fn write_family(
    ph: &Photos,
    out: &Path,
    index: usize,
    family: &FamilyDef,
    plan: &FamilyPlan,
) -> CliResult<Vec<Written>> {
    let pairs = (plan.build)(ph);
    let planned: usize = plan.shards.iter().map(|s| s.0).sum();
    if planned != pairs.len() {
        return Err(format!("{}: {} pairs but shards plan {}", family.task, pairs.len(), planned).into());
    }
    let mut rng = Rng::new(0x5CA1_ED17 ^ (index as u64 + 1).wrapping_mul(0x9E37_79B9));
    let rows = pairs.iter().map(|p| to_row(p, family, &mut rng)).collect::<CliResult<Vec<_>>>()?;
    let ids = scattered_ids(index, rows.len(), &mut rng);
    let mut rows: Vec<Row> = rows.into_iter().zip(ids).map(|(r, id)| Row { id, ..r }).collect();
    let mut written = Vec::new();
    for (n, &(count, layout)) in plan.shards.iter().enumerate() {
        let chunk: Vec<Row> = rows.drain(..count).collect();
        let path = family.shard_path(n as u32);
        let bytes = write_shard(&out.join(&path), &chunk, layout)?;
        written.push(Written { path, rows: count as u64, bytes, layout });
    }
    Ok(written)
}

fn to_row(p: &Pair, family: &FamilyDef, rng: &mut Rng) -> CliResult<Row> {
    let scores = p.scores.unwrap_or_else(|| plausible_scores(rng));
    Ok(Row {
        id: 0,
        task: family.task.to_string(),
        instruction: p.instruction.clone(),
        source: encode(&p.source, p.source_format)?,
        edited: encode(&p.edited, p.edited_format)?,
        source_size: (p.source.w, p.source.h),
        edited_size: (p.edited.w, p.edited.h),
        scores,
    })
}

/// Scores of a kept sample: instruction following 3, consistency and quality 2 or 3,
/// mostly 3.
fn plausible_scores(rng: &mut Rng) -> [i64; 3] {
    let ec = if rng.unit() < 0.62 { 3 } else { 2 };
    let gq = if rng.unit() < 0.74 { 3 } else { 2 };
    [3, ec, gq]
}

/// Increasing ids with irregular gaps inside the family's own block of a million, so ids are
/// unique across the demo and look like a sample drawn from a larger set.
fn scattered_ids(index: usize, n: usize, rng: &mut Rng) -> Vec<i64> {
    let mut id = (index as i64 + 1) * 1_000_000 + rng.int(0, 9_999);
    (0..n)
        .map(|_| {
            id += rng.int(1, 60_000);
            id
        })
        .collect()
}

fn manifest(written: &[(&'static FamilyDef, Vec<Written>)], attribution: String) -> Manifest {
    let pairs: u64 = written.iter().flat_map(|(_, s)| s).map(|s| s.rows).sum();
    let with_data = written.iter().filter(|(_, s)| !s.is_empty()).count();
    Manifest {
        version: MANIFEST_VERSION,
        name: "ScaleEdit-12M demo".to_string(),
        description: format!(
            "A small sample shaped like ScaleEdit-12M: {pairs} editing pairs in {with_data} of the 23 task \
             families, made from public-domain photographs with procedural edits. Same folders, file names \
             and columns as the full dataset."
        ),
        attribution,
        families: written.iter().map(|(f, shards)| manifest_family(f, shards)).collect(),
        index: Some(DEMO_INDEX.to_string()),
    }
}

fn manifest_family(f: &FamilyDef, shards: &[Written]) -> ManifestFamily {
    ManifestFamily {
        id: f.id.to_string(),
        task: f.task.to_string(),
        folder: f.folder(),
        label: f.label(),
        group: f.group.to_string(),
        shards: shards.iter().map(|s| ManifestShard { path: s.path.clone(), rows: s.rows, bytes: s.bytes }).collect(),
    }
}

/// `(path, rows, bytes, layout)` of every shard, in manifest order.
fn layout_table(written: &[(&'static FamilyDef, Vec<Written>)]) -> Vec<(String, u64, u64, Layout)> {
    written.iter().flat_map(|(_, s)| s).map(|s| (s.path.clone(), s.rows, s.bytes, s.layout)).collect()
}

fn print_summary(written: &[(&'static FamilyDef, Vec<Written>)]) {
    let (mut rows, mut bytes) = (0, 0);
    for s in written.iter().flat_map(|(_, s)| s) {
        println!("{:<62} {:>3} rows {:>9} bytes  {}", s.path, s.rows, s.bytes, s.layout.name());
        rows += s.rows;
        bytes += s.bytes;
    }
    println!("total: {rows} rows, {bytes} bytes of shards");
}
