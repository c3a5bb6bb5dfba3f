//! The static instruction index: `gallery index` over a real server on loopback (the
//! demo dataset), then queries by range requests against the index served the same way:
//! the same hits as the in-memory search, the exact requests and bytes a query costs,
//! windows that page through every hit, the catalog's id lookup in two reads (across
//! parts and row groups, and with a damaged part), what the build reads of the shards,
//! and a build resumed after it was stopped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use gallery::cli::index::{build, Layout, Options};
use gallery::cli::serve::{start, ServeOptions, ServerHandle};
use gallery::engine::index::format::IndexManifest;
use gallery::engine::index::query::IndexReader;
use gallery::engine::native::NativeBackend;
use gallery::engine::range::{Counters, RangeSource, Waves};
use gallery::engine::search::{Index, Query};
use gallery::engine::session::Backend;

struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("gallery-index-{name}-{}-{nanos}-{}", std::process::id(), N.fetch_add(1, Ordering::Relaxed)));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn demo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("public/demo")
}

async fn serve(root: PathBuf) -> ServerHandle {
    start(ServeOptions { root, addr: "127.0.0.1:0".parse().unwrap(), cors: false, ignore_range: false, quiet: true }).await.unwrap()
}

/// Build the demo's index into `out` over HTTP, with `layout`.
async fn build_demo(srv: &ServerHandle, out: &Path, layout: Layout, max_shards: Option<usize>) -> gallery::cli::index::Report {
    let opts = Options { layout, dataset: srv.url("manifest.json"), out: out.to_path_buf(), quiet: true, max_shards, share: None };
    build(&opts).await.unwrap()
}

/// Every instruction of the demo, per shard in manifest order, read with pyarrow's
/// independent writer's counterpart: the parquet crate's plain reader.
fn demo_instructions(m: &IndexManifest) -> Vec<(String, Vec<String>)> {
    use arrow_array::cast::AsArray;
    use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
    m.shards
        .iter()
        .map(|s| {
            let file = std::fs::File::open(demo().join(&s.path)).unwrap();
            let builder = ParquetRecordBatchReaderBuilder::try_new(file).unwrap();
            let col = builder.schema().index_of("edit_instruction").unwrap();
            let mask = parquet::arrow::ProjectionMask::roots(builder.parquet_schema(), [col]);
            let texts: Vec<String> = builder
                .with_projection(mask)
                .build()
                .unwrap()
                .flat_map(|b| {
                    let b = b.unwrap();
                    let a = b.column(0).as_string::<i32>().clone();
                    use arrow_array::Array;
                    (0..a.len()).map(move |i| a.value(i).to_string()).collect::<Vec<_>>()
                })
                .collect();
            (s.path.clone(), texts)
        })
        .collect()
}

struct Client {
    backend: NativeBackend,
    counters: Counters,
    reader: IndexReader,
}

impl Client {
    async fn open(srv: &ServerHandle) -> Self {
        let backend = NativeBackend::default();
        let counters = Counters::default();
        let url = srv.url("index.json");
        let manifest = IndexManifest::parse(&backend.get_text(&url, &counters).await.unwrap()).unwrap();
        Self { backend, counters, reader: IndexReader::new(&url, manifest) }
    }

    /// Every hit of `q` (shard path, row), paging through the windows.
    async fn all_hits(&self, q: &str, limit: usize) -> (BTreeSet<(String, u64)>, usize) {
        let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { self.backend.source(url, Some(size), &self.counters) };
        let mut out = BTreeSet::new();
        let mut from = Some(0);
        let mut answers = 0;
        while let Some(f) = from {
            let found = self.reader.search(&sources, q, f, limit).await.unwrap();
            answers += 1;
            for h in found.hits {
                assert!(out.insert((self.reader.manifest.shards[h.shard].path.clone(), h.row)), "a hit twice: {q}");
            }
            from = found.next;
            assert!(answers < 1000);
        }
        (out, answers)
    }
}

fn expected_hits(texts: &[(String, Vec<String>)], q: &str) -> BTreeSet<(String, u64)> {
    let mut index = Index::new();
    for (path, t) in texts {
        index.add_file(path, t);
    }
    index.search(&Query::parse(q), 100_000).hits.into_iter().map(|h| (h.file, h.row)).collect()
}

const QUERIES: [&str; 9] = ["remove", "the ", "add red", "sky -blue ", "make", "colo", "into the", "replace background", "zebraquux "];

#[tokio::test(flavor = "current_thread")]
async fn an_index_built_over_http_answers_as_the_in_memory_search_and_costs_two_reads() {
    let data = serve(demo()).await;
    let out = TempDir::new("demo");
    let report = build_demo(&data, &out.0, Layout::default(), None).await;
    assert!(report.finished);
    let m = report.manifest.unwrap();
    assert_eq!(m.docs, 106);
    assert_eq!(m.terms.len(), 1, "the demo's postings fit one part");
    // Only small columns were read: a small fraction of the dataset's bytes.
    let images_fraction = report.read_bytes as f64 / m.dataset_bytes as f64;
    assert!(images_fraction < 0.03, "read {} of {}", report.read_bytes, m.dataset_bytes);
    let asked: Vec<String> = data.log.entries().into_iter().map(|e| e.path).collect();
    assert!(asked.iter().all(|p| p.ends_with(".parquet") || p.ends_with("manifest.json")), "{asked:?}");

    let srv = serve(out.0.clone()).await;
    let client = Client::open(&srv).await;
    let texts = demo_instructions(&client.reader.manifest);
    // Exact hits, as the in-memory index finds them (one window: blocks are larger than
    // the demo).
    for q in QUERIES {
        let (got, answers) = client.all_hits(q, 10_000).await;
        assert_eq!(got, expected_hits(&texts, q), "query {q:?}");
        assert_eq!(answers, 1, "{q:?}");
    }

    // A cold query: the part's tail (footer and page index), then its bucket: two ranged
    // reads of exactly those bytes.
    let cold = Client::open(&srv).await;
    srv.log.clear();
    let waves = Waves::default();
    let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { waves.wrap(cold.backend.source(url, Some(size), &cold.counters)) };
    let found = cold.reader.search(&sources, "remove", 0, 50).await.unwrap();
    assert!(found.exact && found.total == 11 && found.hits.len() == 11, "{found:?}");
    assert_eq!(waves.count(), 2, "the tail, then the bucket");
    let part = &cold.reader.manifest.terms[0];
    let log = srv.log.entries();
    let ranges: Vec<String> = log.iter().map(|e| e.range.clone().unwrap_or_default()).collect();
    assert_eq!(log.len(), 2, "{ranges:?}");
    assert_eq!(ranges[0], format!("bytes={}-{}", part.bytes - part.tail, part.bytes - 1));
    let meta = parquet::file::reader::SerializedFileReader::new(std::fs::File::open(out.0.join(&part.path)).unwrap()).unwrap();
    use parquet::file::reader::FileReader;
    let bucket = meta.metadata().row_group(0).column(1);
    let (start, len) = bucket.byte_range();
    assert_eq!(ranges[1], format!("bytes={start}-{}", start + len - 1), "the one bucket page, header included");
    assert_eq!(srv.log.total_body_bytes(), part.tail + len);
    // Another word of the same bucket costs nothing more.
    srv.log.clear();
    cold.reader.search(&sources, "sky", 0, 50).await.unwrap();
    assert_eq!(srv.log.entries().len(), 0);
    assert_eq!(waves.count(), 2);

    // Two words, cold: still two waves (both terms' directories, then their buckets).
    let two = Client::open(&srv).await;
    let waves = Waves::default();
    let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { waves.wrap(two.backend.source(url, Some(size), &two.counters)) };
    let found = two.reader.search(&sources, "replace background ", 0, 50).await.unwrap();
    assert!(found.total > 0);
    assert_eq!(waves.count(), 2);
}

#[tokio::test(flavor = "current_thread")]
async fn small_blocks_make_windows_that_page_through_every_hit_across_parts() {
    let data = serve(demo()).await;
    let out = TempDir::new("windows");
    let layout = Layout { block_docs: 4, bucket_bytes: 96, part_bytes: 400, ..Layout::default() };
    let m = build_demo(&data, &out.0, layout, None).await.manifest.unwrap();
    assert!(m.terms.len() > 3, "{} parts", m.terms.len());
    let srv = serve(out.0.clone()).await;
    let client = Client::open(&srv).await;
    let texts = demo_instructions(&client.reader.manifest);
    let mut paged = 0;
    for q in QUERIES {
        let (got, answers) = client.all_hits(q, 2).await;
        assert_eq!(got, expected_hits(&texts, q), "query {q:?}");
        paged += usize::from(answers > 1);
    }
    assert!(paged >= 3, "windows were used");
    // A window's hits come from across the dataset: the first answer to a common word
    // already spans several families.
    let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { client.backend.source(url, Some(size), &client.counters) };
    let first = client.reader.search(&sources, "the ", 0, 8).await.unwrap();
    let families: BTreeSet<&str> =
        first.hits.iter().map(|h| client.reader.manifest.shards[h.shard].path.split('/').next().unwrap()).collect();
    assert!(families.len() >= 3, "{families:?}");
    assert!(!first.exact && first.next.is_some() && first.total > 0);
}

/// Every id of the demo with its shard and row, read from the shards independently.
fn demo_ids(m: &IndexManifest) -> Vec<(i64, usize, u64)> {
    use arrow_array::cast::AsArray;
    let mut all = Vec::new();
    for (i, s) in m.shards.iter().enumerate() {
        let file = std::fs::File::open(demo().join(&s.path)).unwrap();
        let reader = parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder::try_new(file).unwrap().build().unwrap();
        let mut row = 0u64;
        for b in reader {
            let b = b.unwrap();
            let ids = b.column_by_name("id").unwrap().as_primitive::<arrow_array::types::Int64Type>().clone();
            for k in 0..ids.len() {
                all.push((ids.value(k), i, row));
                row += 1;
            }
        }
    }
    all
}

/// Where an id lookup must read in a catalog part, found with the parquet crate: the
/// footer's bytes, and per row group its ids and the bytes of its `id`, `shard` and
/// `row` chunks.
struct PartLayout {
    footer: std::ops::Range<u64>,
    groups: Vec<(i64, i64, std::ops::Range<u64>)>,
}

fn part_layout(path: &Path) -> PartLayout {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let bytes = std::fs::read(path).unwrap();
    let n = bytes.len();
    let meta_len = u32::from_le_bytes(bytes[n - 8..n - 4].try_into().unwrap()) as u64;
    let reader = SerializedFileReader::new(std::fs::File::open(path).unwrap()).unwrap();
    let meta = reader.metadata();
    let names: Vec<&str> = meta.file_metadata().schema_descr().columns().iter().map(|c| c.name()).collect();
    assert_eq!(names[..3], ["id", "shard", "row"], "the id columns first");
    let groups = meta
        .row_groups()
        .iter()
        .map(|rg| {
            let Some(parquet::file::statistics::Statistics::Int64(s)) = rg.column(0).statistics() else { panic!("no id statistics") };
            let (start, _) = rg.column(0).byte_range();
            let (last, len) = rg.column(2).byte_range();
            (*s.min_opt().unwrap(), *s.max_opt().unwrap(), start..last + len)
        })
        .collect();
    PartLayout { footer: n as u64 - meta_len - 8..n as u64, groups }
}

/// The ranges a lookup asks for, as a server logs them.
fn header(r: &std::ops::Range<u64>) -> String {
    format!("bytes={}-{}", r.start, r.end - 1)
}

#[tokio::test(flavor = "current_thread")]
async fn ids_are_found_in_the_catalog_with_two_reads() {
    let data = serve(demo()).await;
    let out = TempDir::new("ids");
    let m = build_demo(&data, &out.0, Layout::default(), None).await.manifest.unwrap();
    assert_eq!(m.catalog.len(), 1, "the demo's 106 rows fit one part");
    let part = &m.catalog[0];
    assert_eq!(part.path, "catalog-0000.parquet");
    let layout = part_layout(&out.0.join(&part.path));
    assert_eq!(layout.groups.len(), 1, "and one row group");
    assert_eq!(part.footer, layout.footer.end - layout.footer.start, "index.json gives the footer's length");
    let srv = serve(out.0.clone()).await;
    let client = Client::open(&srv).await;
    let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { client.backend.source(url, Some(size), &client.counters) };
    let all = demo_ids(&m);
    assert_eq!(all.len(), 106);
    srv.log.clear();
    let (id, shard, row) = all[57];
    assert_eq!(client.reader.find_id(&sources, id).await.unwrap(), Some((shard, row)));
    // The footer exactly, then the row group's id, shard and row chunks as one range.
    let log = srv.log.entries();
    let ranges: Vec<String> = log.iter().map(|e| e.range.clone().unwrap_or_default()).collect();
    let group = &layout.groups[0].2;
    assert_eq!(ranges, [header(&layout.footer), header(group)]);
    assert!(log.iter().all(|e| e.path.ends_with("/catalog-0000.parquet") && e.status == 206), "{log:?}");
    assert_eq!(srv.log.total_body_bytes(), part.footer + (group.end - group.start));
    for &(id, shard, row) in &all {
        assert_eq!(client.reader.find_id(&sources, id).await.unwrap(), Some((shard, row)), "id {id}");
    }
    // An id outside every part's ids is known absent without a read; one inside a part
    // but not in it is looked for.
    srv.log.clear();
    assert_eq!(client.reader.find_id(&sources, 42).await.unwrap(), None);
    assert_eq!(client.reader.find_id(&sources, i64::MAX).await.unwrap(), None);
    assert_eq!(srv.log.entries().len(), 0);
    let ids: BTreeSet<i64> = all.iter().map(|a| a.0).collect();
    let gap = ids.iter().zip(ids.iter().skip(1)).find(|(a, b)| **b > **a + 1).map(|(a, _)| a + 1).unwrap();
    assert_eq!(client.reader.find_id(&sources, gap).await.unwrap(), None);
}

/// The demo's index with a catalog cut small: parts of 24 rows, row groups of 8.
async fn small_catalog(name: &str) -> (TempDir, IndexManifest) {
    let data = serve(demo()).await;
    let out = TempDir::new(name);
    let layout = Layout { catalog_part_rows: 24, catalog_group_rows: 8, ..Layout::default() };
    let m = build_demo(&data, &out.0, layout, None).await.manifest.unwrap();
    (out, m)
}

#[tokio::test(flavor = "current_thread")]
async fn ids_across_catalog_parts_and_row_groups_take_two_reads_each() {
    let (out, m) = small_catalog("id-parts").await;
    // 106 rows: four parts of 24 (three groups each) and one of 10 (8 + 2).
    assert_eq!(m.catalog.iter().map(|p| p.rows).collect::<Vec<_>>(), [24, 24, 24, 24, 10]);
    let layouts: Vec<PartLayout> = m.catalog.iter().map(|p| part_layout(&out.0.join(&p.path))).collect();
    assert_eq!(layouts.iter().map(|l| l.groups.len()).collect::<Vec<_>>(), [3, 3, 3, 3, 2]);
    for (p, l) in m.catalog.iter().zip(&layouts) {
        assert_eq!((p.first, p.last, p.footer), (l.groups[0].0, l.groups.last().unwrap().1, l.footer.end - l.footer.start));
    }
    assert!(m.catalog.windows(2).all(|w| w[0].last < w[1].first), "parts hold ascending ids");
    let srv = serve(out.0.clone()).await;
    let warm = Client::open(&srv).await;
    let warm_sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { warm.backend.source(url, Some(size), &warm.counters) };
    let mut ids = demo_ids(&m);
    ids.sort();
    for (k, &(id, shard, row)) in ids.iter().enumerate() {
        // Cold: the part's footer, then the group's id chunks.
        let cold = IndexReader::new(&srv.url("index.json"), m.clone());
        let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { warm.backend.source(url, Some(size), &warm.counters) };
        srv.log.clear();
        assert_eq!(cold.find_id(&sources, id).await.unwrap(), Some((shard, row)), "id {id}");
        let (p, g) = (k / 24, (k % 24) / 8);
        let log = srv.log.entries();
        let ranges: Vec<String> = log.iter().map(|e| e.range.clone().unwrap_or_default()).collect();
        assert_eq!(ranges, [header(&layouts[p].footer), header(&layouts[p].groups[g].2)], "id {id}, part {p}, group {g}");
        assert!(log.iter().all(|e| e.path.ends_with(&m.catalog[p].path)));
        // Warm (the footer kept): the group's chunks alone.
        srv.log.clear();
        assert_eq!(warm.reader.find_id(&warm_sources, id).await.unwrap(), Some((shard, row)));
        assert!(srv.log.entries().len() <= 2);
        srv.log.clear();
        assert_eq!(warm.reader.find_id(&warm_sources, id).await.unwrap(), Some((shard, row)));
        assert_eq!(srv.log.entries().len(), 1, "a kept footer: one read");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_damaged_catalog_part_is_an_error_naming_it() {
    let (out, m) = small_catalog("id-damaged").await;
    let srv = serve(out.0.clone()).await;
    let id = m.catalog[1].first;
    let path = out.0.join(&m.catalog[1].path);
    let whole = std::fs::read(&path).unwrap();
    let lookup = |manifest: IndexManifest| {
        let backend = NativeBackend::default();
        let counters = Counters::default();
        let reader = IndexReader::new(&srv.url("index.json"), manifest);
        async move {
            let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { backend.source(url, Some(size), &counters) };
            reader.find_id(&sources, id).await.map_err(|e| e.to_string())
        }
    };
    let n = whole.len();
    // Cut short: the footer is not where index.json says.
    std::fs::write(&path, &whole[..n - 100]).unwrap();
    let err = lookup(m.clone()).await.unwrap_err();
    assert!(err.contains("catalog-0001.parquet"), "{err}");
    // Footer bytes scrambled.
    let mut bad = whole.clone();
    let footer = m.catalog[1].footer as usize;
    for b in &mut bad[n - footer..n - 8] {
        *b = 0xff;
    }
    std::fs::write(&path, &bad).unwrap();
    let err = lookup(m.clone()).await.unwrap_err();
    assert!(err.contains("catalog-0001.parquet") && err.contains("footer"), "{err}");
    // A footer length that is not the footer's.
    std::fs::write(&path, &whole).unwrap();
    let mut wrong = m.clone();
    wrong.catalog[1].footer -= 1;
    let err = lookup(wrong).await.unwrap_err();
    assert!(err.contains("catalog-0001.parquet") && err.contains("footer"), "{err}");
    // The id chunks damaged: a fault of the file, named.
    let group = part_layout(&path).groups[0].2.clone();
    let mut bad = whole.clone();
    for b in &mut bad[group.start as usize..group.end as usize] {
        *b = 0x5a;
    }
    std::fs::write(&path, &bad).unwrap();
    let err = lookup(m.clone()).await.unwrap_err();
    assert!(err.contains("catalog-0001.parquet") && err.contains("row group 0"), "{err}");
    // Undamaged, the same lookup finds the id.
    std::fs::write(&path, &whole).unwrap();
    assert!(lookup(m.clone()).await.unwrap().is_some());
}

#[tokio::test(flavor = "current_thread")]
async fn the_build_reads_each_small_column_page_and_footer_of_the_shards_once() {
    use parquet::file::reader::{FileReader, SerializedFileReader};
    let data = serve(demo()).await;
    let out = TempDir::new("reads");
    let report = build_demo(&data, &out.0, Layout::default(), None).await;
    let m = report.manifest.unwrap();
    let log = data.log.entries();
    // What the build must read of each shard, from the shard's own footer: the footer
    // (its length and magic, then the rest), the page index when there is one, and the
    // chunks of every column but the images, each byte once.
    let (mut footers, mut page_indexes, mut chunks) = (0, 0, 0);
    for s in &m.shards {
        let bytes = std::fs::read(demo().join(&s.path)).unwrap();
        let n = bytes.len() as u64;
        let footer = u64::from(u32::from_le_bytes(bytes[n as usize - 8..n as usize - 4].try_into().unwrap())) + 8;
        let file = SerializedFileReader::new(std::fs::File::open(demo().join(&s.path)).unwrap()).unwrap();
        let meta = file.metadata();
        let mut small: Vec<std::ops::Range<u64>> = Vec::new();
        let mut index_start = n - footer;
        for rg in meta.row_groups() {
            for c in rg.columns() {
                let name = c.column_path().string();
                if !name.contains("image") || name.ends_with("width") || name.ends_with("height") {
                    let (start, len) = c.byte_range();
                    small.push(start..start + len);
                }
                for at in [c.column_index_offset(), c.offset_index_offset()].into_iter().flatten() {
                    index_start = index_start.min(at as u64);
                }
            }
        }
        let mut asked: Vec<std::ops::Range<u64>> = log
            .iter()
            .filter(|e| e.path.ends_with(&s.path))
            .map(|e| {
                let (a, b) = e.range.as_deref().unwrap().trim_start_matches("bytes=").split_once('-').unwrap();
                a.parse().unwrap()..b.parse::<u64>().unwrap() + 1
            })
            .collect();
        asked.sort_by_key(|r| r.start);
        assert!(asked.windows(2).all(|w| w[0].end <= w[1].start), "{}: no byte read twice: {asked:?}", s.path);
        for r in &asked {
            if r.start >= n - footer {
                footers += r.end - r.start;
            } else if r.start >= index_start {
                assert!(r.end <= n - footer, "{}: {r:?}", s.path);
                page_indexes += r.end - r.start;
            } else {
                assert!(small.iter().any(|c| c.start == r.start), "{}: bytes {r:?} do not start a small column's chunk", s.path);
            }
        }
        assert_eq!(asked.iter().filter(|r| r.start >= n - footer).map(|r| r.end - r.start).sum::<u64>(), footer, "{}: its footer exactly", s.path);
        chunks += small.iter().map(|c| c.end - c.start).sum::<u64>();
    }
    let read: u64 = log.iter().filter(|e| e.path.ends_with(".parquet")).map(|e| e.body_bytes).sum();
    assert_eq!(read, footers + page_indexes + chunks, "nothing but footers, page indexes and small column chunks");
    let manifest: u64 = log.iter().filter(|e| e.path.ends_with("manifest.json")).map(|e| e.body_bytes).sum();
    assert_eq!(report.read_bytes, read + manifest, "the build counts what it read");
    // The image columns are most of a shard: what the build reads is a small part.
    let fraction = report.read_bytes as f64 / m.dataset_bytes as f64;
    eprintln!(
        "read {} of {} ({:.2} %): manifest {manifest}, footers {footers}, page indexes {page_indexes}, small columns {chunks}",
        report.read_bytes,
        m.dataset_bytes,
        fraction * 100.0
    );
    assert!(fraction <= 0.03, "{fraction}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_stopped_build_resumes_with_the_shards_not_done_and_writes_the_same_index() {
    let data = serve(demo()).await;
    let whole = TempDir::new("whole");
    let full = build_demo(&data, &whole.0, Layout::default(), None).await;
    let parts = TempDir::new("parts");
    let first = build_demo(&data, &parts.0, Layout::default(), Some(6)).await;
    assert!(!first.finished && first.shards_read == 6);
    assert!(!parts.0.join("index.json").exists());
    // A run left half-written by an interruption is built again, not trusted.
    std::fs::write(parts.0.join(".build/shard-000006.partial"), b"cut short").unwrap();
    data.log.clear();
    let second = build_demo(&data, &parts.0, Layout::default(), None).await;
    assert!(second.finished);
    assert_eq!((second.shards_resumed, second.shards_read), (6, 9));
    assert!(second.read_bytes < full.read_bytes, "{} then {}", second.read_bytes, full.read_bytes);
    for f in ["index.json", "catalog-0000.parquet", "terms-0000.parquet"] {
        let (a, b) = (std::fs::read(whole.0.join(f)).unwrap(), std::fs::read(parts.0.join(f)).unwrap());
        if f == "index.json" {
            let (mut a, mut b): (IndexManifest, IndexManifest) = (serde_json::from_slice(&a).unwrap(), serde_json::from_slice(&b).unwrap());
            (a.read_bytes, b.read_bytes) = (0, 0);
            assert_eq!(a, b);
        } else {
            assert!(a == b, "{f} differs");
        }
    }
    assert!(!parts.0.join(".build").exists(), "the runs are removed once merged");

    // Split across two machines: each builds its share's runs into its own folder, the
    // runs are copied into one, and a last run merges them into the same index.
    let (one, two) = (TempDir::new("share-1"), TempDir::new("share-2"));
    for (dir, k) in [(&one, 1), (&two, 2)] {
        let opts = Options { layout: Layout::default(), dataset: data.url("manifest.json"), out: dir.0.clone(), quiet: true, max_shards: None, share: Some((k, 2)) };
        let report = build(&opts).await.unwrap();
        assert!(!report.finished && report.manifest.is_none());
        assert_eq!(report.shards_read, if k == 1 { 8 } else { 7 }, "share {k}/2 of 15 shards");
    }
    for run in std::fs::read_dir(two.0.join(".build")).unwrap() {
        let run = run.unwrap();
        std::fs::copy(run.path(), one.0.join(".build").join(run.file_name())).unwrap();
    }
    let merged = build_demo(&data, &one.0, Layout::default(), None).await;
    assert!(merged.finished && merged.shards_read == 0 && merged.shards_resumed == 15);
    for f in ["catalog-0000.parquet", "terms-0000.parquet"] {
        assert!(std::fs::read(whole.0.join(f)).unwrap() == std::fs::read(one.0.join(f)).unwrap(), "{f} differs");
    }
    assert_eq!(gallery::cli::index::parse_share("2/4"), Ok((2, 4)));
    assert!(gallery::cli::index::parse_share("0/4").is_err() && gallery::cli::index::parse_share("5/4").is_err() && gallery::cli::index::parse_share("x").is_err());
}
