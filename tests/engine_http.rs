//! The engine against a real Range-honouring server on loopback, on files pyarrow wrote:
//! decoded values, and the exact requests and bytes each read costs.

use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gallery::cli::serve::{start, ServeOptions, ServerHandle};
use gallery::engine::dataset::source::Source;
use gallery::engine::error::EngineError;
use gallery::engine::native::NativeBackend;
use gallery::engine::range::http::HttpSource;
use gallery::engine::range::{coalesce, Counters, Stats, GAP_BYTES};
use gallery::engine::session::Session;
use gallery::engine::shard::footer::{footer_prefetch, read_metadata, PROBE_BYTES};
use parquet::file::metadata::ParquetMetaData;
use serde_json::Value;
use sha2::{Digest, Sha256};

const VALID: [&str; 4] = [
    "pyarrow_default.parquet",
    "pyarrow_page_index_plain.parquet",
    "pyarrow_zstd_row_groups.parquet",
    "pyarrow_cdc.parquet",
];

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap()
}

async fn serve(root: PathBuf, ignore_range: bool) -> ServerHandle {
    start(ServeOptions { root, addr: "127.0.0.1:0".parse().unwrap(), cors: false, ignore_range, quiet: true })
        .await
        .unwrap()
}

fn size_of(name: &str) -> u64 {
    std::fs::metadata(fixtures().join(name)).unwrap().len()
}

fn ranges_asked(srv: &ServerHandle) -> Vec<String> {
    srv.log.entries().into_iter().map(|e| e.range.unwrap_or_else(|| "none".into())).collect()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn footer_read_is_one_request_when_size_known() {
    let srv = serve(fixtures(), false).await;
    for name in VALID {
        srv.log.clear();
        let size = size_of(name);
        let counters = Counters::default();
        let src = HttpSource::new(reqwest::Client::new(), srv.url(name), Some(size), counters.clone());
        let (got, meta) = read_metadata(&src).await.unwrap();
        assert_eq!(got, size);
        assert_eq!(meta.file_metadata().num_rows(), 40, "{name}");
        let tail = footer_prefetch(size);
        assert_eq!(counters.snapshot(), Stats { requests: 1, bytes: tail, waited: 0 }, "{name}");
        assert_eq!(ranges_asked(&srv), vec![format!("bytes={}-{}", size - tail, size - 1)], "{name}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn footer_read_learns_the_size_from_a_small_probe_of_the_head() {
    let srv = serve(fixtures(), false).await;
    let name = "pyarrow_default.parquet";
    let size = size_of(name);
    let counters = Counters::default();
    let src = HttpSource::new(reqwest::Client::new(), srv.url(name), None, counters.clone());
    read_metadata(&src).await.unwrap();
    let tail = footer_prefetch(size);
    assert_eq!(ranges_asked(&srv), vec![format!("bytes=0-{}", PROBE_BYTES - 1), format!("bytes={}-{}", size - tail, size - 1)]);
    assert_eq!(counters.snapshot(), Stats { requests: 2, bytes: PROBE_BYTES + tail, waited: 0 });
}

#[tokio::test(flavor = "current_thread")]
async fn every_layout_decodes_to_the_values_pyarrow_wrote() {
    let srv = serve(fixtures(), false).await;
    let expected = expected();
    for name in VALID {
        let session = Session::new(NativeBackend::default());
        let url = srv.url(name);
        let dataset = session.open(&Source::Parquet(url.clone())).await.unwrap();
        let want = expected["files"][name]["rows"].as_array().unwrap();
        assert_eq!(dataset.total_rows(), want.len() as u64, "{name}");
        let rows: Vec<u64> = (0..want.len() as u64).rev().collect();
        let metas = session.rows(&url, &rows).await.unwrap();
        let pairs = session.images(&url, &rows).await.unwrap();
        assert_eq!(metas.len(), want.len());
        for ((m, p), w) in metas.iter().zip(&pairs).zip(want) {
            assert_eq!(m.row, p.row);
            assert_eq!(m.id, w["id"].as_i64(), "{name} row {}", m.row);
            assert_eq!(m.task.as_deref(), w["edit_task"].as_str());
            assert_eq!(Some(m.instruction.as_str()), w["edit_instruction"].as_str());
            assert_eq!(m.source_size, Some([w["source_image_width"].as_i64().unwrap(), w["source_image_height"].as_i64().unwrap()]));
            assert_eq!(m.edited_size, Some([w["edited_image_width"].as_i64().unwrap(), w["edited_image_height"].as_i64().unwrap()]));
            let scores = ["instruction_following_score", "editing_consistency_score", "generation_quality_score"];
            assert_eq!(m.scores, scores.map(|s| w[s].as_i64()));
            assert_eq!(Some(hex(&p.source).as_str()), w["source_image_sha256"].as_str(), "{name} row {}", m.row);
            assert_eq!(Some(hex(&p.edited).as_str()), w["edited_image_sha256"].as_str(), "{name} row {}", m.row);
        }
    }
}

/// The byte ranges holding `row` of root column `col` per the offset index, plus the
/// dictionary page when the column chunk has one.
fn pages_of(meta: &ParquetMetaData, row: u64, col: usize) -> Vec<Range<u64>> {
    let mut first = 0u64;
    for (rg, g) in meta.row_groups().iter().enumerate() {
        let n = g.num_rows() as u64;
        if row < first + n {
            let local = (row - first) as i64;
            let locations = meta.page_index_for_row_group(rg).page_locations(col).unwrap().clone();
            let page = locations.iter().rposition(|p| p.first_row_index <= local).unwrap();
            let p = &locations[page];
            let mut out = vec![p.offset as u64..(p.offset + p.compressed_page_size as i64) as u64];
            let chunk = g.column(col);
            if let Some(dict) = chunk.dictionary_page_offset() {
                out.push(dict as u64..locations[0].offset as u64);
            }
            return out;
        }
        first += n;
    }
    panic!("row {row} beyond the file");
}

#[tokio::test(flavor = "current_thread")]
async fn one_pair_costs_exactly_its_pages_when_the_file_has_a_page_index() {
    let srv = serve(fixtures(), false).await;
    for name in ["pyarrow_page_index_plain.parquet", "pyarrow_zstd_row_groups.parquet"] {
        let url = srv.url(name);
        let session = Session::new(NativeBackend::default());
        session.open(&Source::Parquet(url.clone())).await.unwrap();
        let meta = {
            let src = HttpSource::new(reqwest::Client::new(), url.clone(), Some(size_of(name)), Counters::default());
            Arc::new(read_metadata(&src).await.unwrap().1)
        };
        for row in [0u64, 17, 39] {
            srv.log.clear();
            let before = session.stats();
            session.images(&url, &[row]).await.unwrap();
            let mut wanted: Vec<Range<u64>> = pages_of(&meta, row, 3);
            wanted.extend(pages_of(&meta, row, 4));
            let plan = coalesce(&wanted, GAP_BYTES);
            let asked: Vec<String> = plan.iter().map(|r| format!("bytes={}-{}", r.start, r.end - 1)).collect();
            assert_eq!(ranges_asked(&srv), asked, "{name} row {row}");
            let cost: u64 = plan.iter().map(|r| r.end - r.start).sum();
            let after = session.stats();
            assert_eq!(after.bytes - before.bytes, cost, "{name} row {row}");
            assert_eq!(after.requests - before.requests, plan.len() as u64);
            assert!(cost < size_of(name) / 2, "{name}: one pair cost {cost} bytes");
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn bad_files_name_the_file_and_the_fault() {
    let srv = serve(fixtures(), false).await;
    let session = Session::new(NativeBackend::default());
    let open = |name: &str| {
        let url = srv.url(name);
        let session = &session;
        async move { session.open(&Source::Parquet(url)).await.unwrap_err() }
    };
    let e = open("not_parquet.parquet").await;
    assert!(matches!(e, EngineError::NotParquet { .. }), "{e}");
    assert!(e.to_string().contains("not_parquet.parquet") && e.to_string().contains("HTML"), "{e}");
    let e = open("wrong_columns.parquet").await;
    assert!(matches!(e, EngineError::MissingColumns { .. }), "{e}");
    let msg = e.to_string();
    assert!(msg.contains("wrong_columns.parquet") && msg.contains("edit_instruction") && msg.contains("source_image"), "{msg}");
    let e = open("truncated.parquet").await;
    assert!(matches!(e, EngineError::NotParquet { .. } | EngineError::Corrupt { .. }), "{e}");
    assert!(e.to_string().contains("truncated.parquet"), "{e}");
    let e = open("missing.parquet").await;
    assert!(matches!(e, EngineError::Http { status: 404, .. }), "{e}");
    assert!(e.to_string().contains("missing.parquet"), "{e}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_server_that_ignores_range_is_refused_before_the_body_is_read() {
    let dir = std::env::temp_dir().join(format!("gallery-norange-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let big = 64u64 << 20;
    let f = std::fs::File::create(dir.join("big.parquet")).unwrap();
    f.set_len(big).unwrap();
    let srv = serve(dir.clone(), true).await;
    let session = Session::new(NativeBackend::default());
    let e = session.open(&Source::Parquet(srv.url("big.parquet"))).await.unwrap_err();
    assert!(matches!(e, EngineError::RangeIgnored { .. }), "{e}");
    assert!(e.to_string().contains("big.parquet"));
    assert_eq!(session.stats().bytes, 0, "no body byte was taken in");
    // Give the server a moment to notice the closed connection, then check it stopped early.
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    let sent = srv.log.total_body_bytes();
    assert!(sent < big / 4, "the server pushed {sent} of {big} bytes before the client hung up");
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "current_thread")]
async fn offsets_beyond_4_gib_read_the_right_bytes() {
    let dir = std::env::temp_dir().join(format!("gallery-big-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("sparse.bin");
    {
        use std::os::unix::fs::FileExt;
        let f = std::fs::File::create(&path).unwrap();
        f.set_len(5 << 30).unwrap();
        f.write_all_at(b"far away", (5u64 << 30) - 100).unwrap();
    }
    let srv = serve(dir.clone(), false).await;
    let src = HttpSource::new(reqwest::Client::new(), srv.url("sparse.bin"), Some(5 << 30), Counters::default());
    use gallery::engine::range::RangeSource;
    let at = (5u64 << 30) - 100;
    let reply = src.read(at..at + 8).await.unwrap();
    assert_eq!(&reply.bytes[..], b"far away");
    assert_eq!(reply.total_size, Some(5 << 30));
    assert_eq!(ranges_asked(&srv), vec![format!("bytes={}-{}", at, at + 7)]);
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "current_thread")]
async fn a_pair_shown_again_costs_no_transfer() {
    let srv = serve(fixtures(), false).await;
    let url = srv.url("pyarrow_page_index_plain.parquet");
    let session = Session::new(NativeBackend::default());
    session.open(&Source::Parquet(url.clone())).await.unwrap();
    let first = session.images(&url, &[3, 4]).await.unwrap();
    let before = session.stats();
    let again = session.images(&url, &[4, 3]).await.unwrap();
    assert_eq!(session.stats(), before, "no request for pairs already shown");
    assert_eq!(first, again);
    // A mix of known and new rows reads only the new one.
    srv.log.clear();
    let mixed = session.images(&url, &[3, 5]).await.unwrap();
    assert_eq!(mixed.iter().map(|p| p.row).collect::<Vec<_>>(), vec![3, 5]);
    assert_eq!(session.stats().requests - before.requests, srv.log.entries().len() as u64);
    assert_eq!(srv.log.entries().len(), 1);
}

#[tokio::test(flavor = "current_thread")]
async fn pairs_read_for_thumbnails_are_not_kept_but_kept_pairs_serve_them() {
    let srv = serve(fixtures(), false).await;
    let url = srv.url("pyarrow_page_index_plain.parquet");
    let session = Session::new(NativeBackend::default());
    session.open(&Source::Parquet(url.clone())).await.unwrap();
    let told = std::cell::Cell::new(0);
    let early = |_: u64, _: bool, _: &bytes::Bytes| told.set(told.get() + 1);
    let thumbs = session.images_early(&url, &[3, 4], Some(&early)).await.unwrap();
    assert_eq!(told.get(), 4, "each image told as it came");
    // A grid passes through thousands of pairs: their full-size bytes are not held.
    let before = session.stats();
    let shown = session.images(&url, &[3, 4]).await.unwrap();
    assert_eq!(shown, thumbs);
    assert!(session.stats().requests > before.requests, "read again, not from memory");
    // A pair kept (shown whole) serves a thumbnail read with no transfer.
    let kept = session.stats();
    let again = session.images_early(&url, &[4], Some(&early)).await.unwrap();
    assert_eq!(session.stats(), kept);
    assert_eq!(again[0], shown[1]);
}

#[tokio::test(flavor = "current_thread")]
async fn the_difference_of_a_shown_pair_costs_no_transfer() {
    let srv = serve(fixtures(), false).await;
    let name = "pyarrow_page_index_plain.parquet";
    let url = srv.url(name);
    let rows = &expected()["files"][name]["rows"];
    let session = Session::new(NativeBackend::default());
    session.open(&Source::Parquet(url.clone())).await.unwrap();
    session.images(&url, &[2]).await.unwrap();
    let before = session.stats();
    let d = session.diff(&url, 2, 24).await.unwrap();
    assert_eq!(session.stats(), before, "the pair was shown: its bytes are in memory");
    let row = &rows[2];
    let source = (row["source_image_width"].as_u64().unwrap(), row["source_image_height"].as_u64().unwrap());
    let edited = (row["edited_image_width"].as_u64().unwrap(), row["edited_image_height"].as_u64().unwrap());
    assert_eq!((u64::from(d.width), u64::from(d.height)), source);
    assert_eq!(d.resized, source != edited);
    assert!((0.0..=1.0).contains(&d.fraction));
    assert!(d.png.starts_with(b"\x89PNG"));
    // Another threshold recolours the same map; nothing is fetched and fewer pixels count.
    let strict = session.diff(&url, 2, 250).await.unwrap();
    assert_eq!(session.stats(), before);
    assert!(strict.fraction <= d.fraction);
}

#[tokio::test(flavor = "current_thread")]
async fn scores_of_a_whole_file_come_from_statistics_and_the_score_columns_only() {
    let srv = serve(fixtures(), false).await;
    for name in VALID {
        let want = &expected()["files"][name];
        let rows = want["rows"].as_array().unwrap();
        let url = srv.url(name);
        let session = Session::new(NativeBackend::default());
        session.open(&Source::Parquet(url.clone())).await.unwrap();
        let before = session.stats();
        let got = session.scores(&url).await.unwrap();
        for (k, col) in ["instruction_following_score", "editing_consistency_score", "generation_quality_score"].iter().enumerate() {
            let expect: Vec<u8> = rows.iter().map(|r| r[col].as_u64().map_or(0, |v| v as u8)).collect();
            assert_eq!(got.values[k], expect, "{name}: {col}");
        }
        assert_eq!(got.present, [true; 3]);
        // A row group whose scores are each one value is answered by its statistics.
        let sizes: Vec<usize> = want["row_group_num_rows"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap() as usize).collect();
        let mut first = 0;
        let mut constant = 0;
        for n in &sizes {
            let group = &got.values;
            if group.iter().all(|v| v[first..first + n].iter().all(|&x| x != 0 && x == v[first])) {
                constant += 1;
            }
            first += n;
        }
        assert_eq!((got.known_groups, got.groups), (constant, sizes.len()), "{name}");
        // Only score columns were read (with what near ranges merge in on files this small).
        let spent = session.stats().bytes - before.bytes;
        assert!(spent < size_of(name) / 2, "{name}: {spent} bytes for the scores");
    }
}
