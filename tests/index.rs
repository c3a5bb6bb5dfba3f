//! The static instruction index: `gallery index` over a real server on loopback (the
//! demo dataset), then queries by range requests against the index served the same way:
//! the same hits as the in-memory search, the exact requests and bytes a query costs,
//! windows that page through every hit, the catalog's id lookup, and a build resumed
//! after it was stopped.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::sync::atomic::{AtomicU32, Ordering};

use gallery::cli::index::{build, Layout, Options};
use gallery::cli::serve::{start, ServeOptions, ServerHandle};
use gallery::engine::index::format::IndexManifest;
use gallery::engine::index::query::IndexReader;
use gallery::engine::native::NativeBackend;
use gallery::engine::range::{Counters, RangeSource};
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
    let opts = Options { layout, dataset: srv.url("manifest.json"), out: out.to_path_buf(), quiet: true, max_shards };
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
    assert!(images_fraction < 0.2, "read {} of {}", report.read_bytes, m.dataset_bytes);
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
    let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { cold.backend.source(url, Some(size), &cold.counters) };
    let found = cold.reader.search(&sources, "remove", 0, 50).await.unwrap();
    assert!(found.exact && found.total == 11 && found.hits.len() == 11, "{found:?}");
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
}

#[tokio::test(flavor = "current_thread")]
async fn small_blocks_make_windows_that_page_through_every_hit_across_parts() {
    let data = serve(demo()).await;
    let out = TempDir::new("windows");
    let layout = Layout { block_docs: 4, bucket_bytes: 96, part_bytes: 400 };
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

#[tokio::test(flavor = "current_thread")]
async fn ids_are_found_in_the_catalog_with_two_reads() {
    let data = serve(demo()).await;
    let out = TempDir::new("ids");
    let m = build_demo(&data, &out.0, Layout::default(), None).await.manifest.unwrap();
    let srv = serve(out.0.clone()).await;
    let client = Client::open(&srv).await;
    let sources = |url: &str, size: u64| -> Rc<dyn RangeSource> { client.backend.source(url, Some(size), &client.counters) };
    // Ids of every shard, read independently.
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
    assert_eq!(all.len(), 106);
    srv.log.clear();
    let (id, shard, row) = all[57];
    assert_eq!(client.reader.find_id(&sources, id).await.unwrap(), Some((shard, row)));
    assert_eq!(srv.log.entries().len(), 2, "the catalog's tail, then one read of the id's pages");
    for &(id, shard, row) in &all {
        assert_eq!(client.reader.find_id(&sources, id).await.unwrap(), Some((shard, row)), "id {id}");
    }
    assert_eq!(client.reader.find_id(&sources, 42).await.unwrap(), None);
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
    for f in ["index.json", "catalog.parquet", "terms-0000.parquet"] {
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
}
