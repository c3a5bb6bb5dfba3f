//! The browser backends in headless Chromium, inside a dedicated worker as in the app:
//! fetch against the test data server (its URLs come from the build environment), and
//! Blob slices of a file held in memory.

use bytes::Bytes;
use wasm_bindgen_test::*;

use super::blob::BlobSource;
use super::fetch::FetchSource;
use super::{Counters, RangeSource, Stats};
use crate::engine::dataset::source::Source;
use crate::engine::error::EngineError;
use crate::engine::session::Session;
use crate::engine::shard::footer::{footer_prefetch, read_metadata};
use crate::worker::backend::WebBackend;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

const PAGE_INDEX: &[u8] = include_bytes!("../../../tests/fixtures/pyarrow_page_index_plain.parquet");

fn data_url(name: &str) -> Option<String> {
    option_env!("GALLERY_TEST_DATA_URL").map(|base| format!("{}/{name}", base.trim_end_matches('/')))
}

fn norange_url(name: &str) -> Option<String> {
    option_env!("GALLERY_TEST_NORANGE_URL").map(|base| format!("{}/{name}", base.trim_end_matches('/')))
}

#[wasm_bindgen_test]
async fn fetch_reads_the_footer_in_one_ranged_request() {
    let url = data_url("pyarrow_page_index_plain.parquet").expect("GALLERY_TEST_DATA_URL is set by `make test`");
    let size = PAGE_INDEX.len() as u64;
    let counters = Counters::default();
    let src = FetchSource::new(url, Some(size), counters.clone());
    let (got, meta) = read_metadata(&src).await.unwrap();
    assert_eq!(got, size);
    assert_eq!(meta.file_metadata().num_rows(), 40);
    assert_eq!(counters.snapshot(), Stats { requests: 1, bytes: footer_prefetch(size), waited: 0 });
}

#[wasm_bindgen_test]
async fn fetch_returns_exactly_the_asked_bytes_and_learns_the_size() {
    let url = data_url("pyarrow_page_index_plain.parquet").expect("GALLERY_TEST_DATA_URL is set by `make test`");
    let src = FetchSource::new(url, None, Counters::default());
    let reply = src.read(100..164).await.unwrap();
    assert_eq!(reply.bytes, Bytes::from_static(&PAGE_INDEX[100..164]));
    assert_eq!(reply.total_size, Some(PAGE_INDEX.len() as u64));
    assert_eq!(src.known_size(), Some(PAGE_INDEX.len() as u64));
}

#[wasm_bindgen_test]
async fn fetch_of_a_missing_file_is_an_http_error_naming_it() {
    let url = data_url("missing.parquet").expect("GALLERY_TEST_DATA_URL is set by `make test`");
    let src = FetchSource::new(url, Some(1000), Counters::default());
    let err = read_metadata(&src).await.unwrap_err();
    assert!(matches!(err, EngineError::Http { status: 404, .. }), "{err}");
    assert!(err.to_string().contains("missing.parquet"));
}

#[wasm_bindgen_test]
async fn fetch_refuses_a_server_that_ignores_range() {
    let url = norange_url("pyarrow_default.parquet").expect("GALLERY_TEST_NORANGE_URL is set by `make test`");
    let counters = Counters::default();
    let src = FetchSource::new(url, None, counters.clone());
    let err = src.read(0..64).await.unwrap_err();
    assert!(matches!(err, EngineError::RangeIgnored { .. }), "{err}");
    assert_eq!(counters.snapshot().bytes, 0, "the body was not taken in");
}

#[wasm_bindgen_test]
async fn blob_slices_decode_the_same_rows() {
    let array = js_sys::Array::of1(&js_sys::Uint8Array::from(PAGE_INDEX));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&array).unwrap();
    let counters = Counters::default();
    let src = BlobSource::new("local.parquet", blob, counters.clone());
    let reply = src.read(0..4).await.unwrap();
    assert_eq!(&reply.bytes[..], b"PAR1");
    assert_eq!(reply.total_size, Some(PAGE_INDEX.len() as u64));
    let (_, meta) = read_metadata(&src).await.unwrap();
    assert_eq!(meta.file_metadata().num_rows(), 40);
    assert_eq!(counters.snapshot().requests, 2);
}

#[wasm_bindgen_test]
async fn the_worker_session_opens_a_file_and_reads_a_pair() {
    let url = data_url("pyarrow_page_index_plain.parquet").expect("GALLERY_TEST_DATA_URL is set by `make test`");
    let session = Session::new(WebBackend::default());
    let dataset = session.open(&Source::Parquet(url.clone())).await.unwrap();
    assert_eq!(dataset.total_rows(), 40);
    let metas = session.rows(&url, &[5, 3]).await.unwrap();
    assert_eq!(metas.iter().map(|m| m.row).collect::<Vec<_>>(), vec![3, 5]);
    assert!(!metas[0].instruction.is_empty());
    let pairs = session.images(&url, &[3]).await.unwrap();
    assert!(pairs[0].source.starts_with(b"\x89PNG"));
    assert!(pairs[0].edited.starts_with(b"\x89PNG"));
}

#[wasm_bindgen_test]
async fn fetch_streams_a_range_in_pieces_and_stops_when_dropped() {
    use futures::StreamExt;
    // The server pauses after 64 KiB of each body, so the first piece can only hold what
    // came before the pause, however fast loopback is.
    let url = data_url("__faults/pause=65536:300/pyarrow_many_images_per_page_uncompressed.parquet")
        .expect("GALLERY_TEST_DATA_URL is set by `make test`");
    let counters = Counters::default();
    let src = FetchSource::new(url, None, counters.clone());
    let range = 1000..600_000u64;
    let whole = src.read(range.clone()).await.unwrap();
    assert_eq!(whole.bytes.len() as u64, range.end - range.start);
    // Streamed, the same bytes arrive in pieces.
    let stream = src.read_stream(range.clone()).await.unwrap();
    assert!(stream.total_size.is_some());
    let pieces: Vec<Bytes> = stream.body.map(|p| p.unwrap()).collect().await;
    assert!(pieces.len() > 1, "one piece only");
    assert_eq!(pieces.concat(), whole.bytes.to_vec());
    // Dropped after its first piece, the rest is not taken in.
    let before = counters.snapshot();
    let mut stream = src.read_stream(range.clone()).await.unwrap();
    let first = stream.body.next().await.unwrap().unwrap();
    drop(stream);
    let after = counters.snapshot();
    assert_eq!(after.requests - before.requests, 1);
    assert_eq!(after.bytes - before.bytes, first.len() as u64);
    assert!((first.len() as u64) < range.end - range.start);
}

#[wasm_bindgen_test]
async fn the_worker_session_reads_a_pair_from_a_page_of_many_images() {
    let url = data_url("pyarrow_many_images_per_page.parquet").expect("GALLERY_TEST_DATA_URL is set by `make test`");
    let session = Session::new(WebBackend::default());
    session.open(&Source::Parquet(url.clone())).await.unwrap();
    let before = session.stats();
    let pairs = session.images(&url, &[0, 1030, 2524]).await.unwrap();
    assert_eq!(pairs.iter().map(|p| p.row).collect::<Vec<_>>(), vec![0, 1030, 2524]);
    for p in &pairs {
        assert!(p.source.starts_with(b"\x89PNG") && p.edited.starts_with(b"\x89PNG"));
    }
    // Per image column: 4 header hops, the indexed page whole, the dictionary and two
    // PLAIN pages streamed. On loopback a piece of the fixture server (256 KiB) holds a
    // whole page, so a stream ends after its first piece at the latest: never more than
    // the hops, indexed pages and streamed ranges in full (their sum, from expected.json).
    let spent = session.stats();
    assert_eq!(spent.requests - before.requests, 16);
    assert!(spent.bytes - before.bytes <= 1_308_737, "{} bytes", spent.bytes - before.bytes);
    let metas = session.rows(&url, &[2524]).await.unwrap();
    assert_eq!(metas[0].id, Some(1_032_228), "the id pyarrow wrote (expected.json, layout_rows)");
}

/// A database of page maps of its own for one test.
fn test_database(name: &str) -> String {
    format!("test-{name}-{}", js_sys::Math::random())
}

#[wasm_bindgen_test]
async fn page_maps_found_by_hopping_are_kept_in_indexeddb_for_a_later_visit() {
    use crate::worker::page_maps::IdbPageMaps;
    let url = data_url("pyarrow_many_images_per_page.parquet").expect("GALLERY_TEST_DATA_URL is set by `make test`");
    let db = test_database("hops");
    let rows = [0, 1030, 2524];
    let first = Session::new(WebBackend::default()).with_page_maps(Box::new(IdbPageMaps::new(&db)));
    first.open(&Source::Parquet(url.clone())).await.unwrap();
    let before = first.stats();
    let shown = first.images(&url, &rows).await.unwrap();
    assert_eq!(first.stats().requests - before.requests, 16, "4 header hops per image column, as in the test above");
    assert_eq!(IdbPageMaps::new(&db).stored().await, 1);

    // A later visit: a new session with nothing in memory, the same database.
    let later = Session::new(WebBackend::default()).with_page_maps(Box::new(IdbPageMaps::new(&db)));
    later.open(&Source::Parquet(url.clone())).await.unwrap();
    let before = later.stats();
    let again = later.images(&url, &rows).await.unwrap();
    assert_eq!(later.stats().requests - before.requests, 8, "no header hop: only the pages of the rows");
    assert_eq!(again, shown);
}

#[wasm_bindgen_test]
async fn stored_page_maps_are_per_version_bounded_and_forgotten() {
    use crate::engine::range::Version;
    use crate::engine::shard::page_store::{FileKey, FilePageMaps, PageMapStore};
    use crate::engine::shard::pages::PageMap;
    use crate::worker::page_maps::{IdbPageMaps, STORED_FILES};
    let db = test_database("bounds");
    let key = |url: &str, etag: &str| FileKey { url: format!("https://h.org/{url}"), version: Version { size: 100, etag: Some(etag.into()) } };
    let mut maps = FilePageMaps::default();
    maps.put(0, 3, PageMap::new(10..20, 5));
    let store = IdbPageMaps::new(&db);
    store.save(&key("a", "v1"), &maps).await;
    // Read back by a store with nothing in memory; another version is not this one's.
    let fresh = IdbPageMaps::new(&db);
    assert_eq!(fresh.load(&key("a", "v1")).await, Some(maps.clone()));
    assert_eq!(IdbPageMaps::new(&db).load(&key("a", "v2")).await, None);
    fresh.forget("https://h.org/a").await;
    assert_eq!(IdbPageMaps::new(&db).load(&key("a", "v1")).await, None);
    // At most STORED_FILES files; the oldest go first.
    for i in 0..=STORED_FILES {
        store.save(&key(&format!("f{i}"), "x"), &maps).await;
    }
    assert_eq!(store.stored().await, STORED_FILES);
    assert_eq!(IdbPageMaps::new(&db).load(&key("f0", "x")).await, None, "the oldest went");
    assert_eq!(IdbPageMaps::new(&db).load(&key(&format!("f{STORED_FILES}"), "x")).await, Some(maps.clone()));
    // A local file's maps stay in memory: another file may share its name and size.
    let local = FileKey { url: "local:a.parquet".into(), version: Version { size: 100, etag: None } };
    store.save(&local, &maps).await;
    assert_eq!(store.load(&local).await, Some(maps));
    assert_eq!(IdbPageMaps::new(&db).load(&local).await, None);
}
