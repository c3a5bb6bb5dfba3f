//! The engine on files laid out as pyarrow lays out a real shard — no page index, a
//! dictionary page of 1024 images, a dictionary-indexed page, then PLAIN pages of 1024
//! images — against a real Range-honouring server on loopback: decoded values, the exact
//! header hops and page reads each row costs, streamed pages cut after the row shown,
//! page maps kept, cost predictions, retries and a file replaced on the server.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::{FutureExt, StreamExt};
use gallery::cli::serve::{start, ServeOptions, ServerHandle};
use gallery::engine::dataset::source::Source;
use gallery::engine::error::{EngineError, EngineResult};
use gallery::engine::native::NativeBackend;
use gallery::engine::range::retry::RetryPolicy;
use gallery::engine::range::{Counters, RangeReply, RangeSource, RangeStream};
use gallery::engine::session::{Backend, Session};
use gallery::engine::shard::pages::HOP_BYTES;
use serde_json::Value;
use sha2::{Digest, Sha256};

const SNAPPY: &str = "pyarrow_many_images_per_page.parquet";
const PLAIN: &str = "pyarrow_many_images_per_page_uncompressed.parquet";
const LAYOUTS: [&str; 2] = [SNAPPY, PLAIN];
const IMAGES: [&str; 2] = ["source_image", "edited_image"];
/// A row in the middle of the third data page (rows 2048..3000).
const MIDDLE: u64 = 2524;
const LAST: u64 = 2999;

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(fixtures().join("expected.json")).unwrap()).unwrap()
}

fn size_of(name: &str) -> u64 {
    std::fs::metadata(fixtures().join(name)).unwrap().len()
}

async fn serve(root: PathBuf) -> ServerHandle {
    start(ServeOptions { root, addr: "127.0.0.1:0".parse().unwrap(), cors: false, ignore_range: false, quiet: true })
        .await
        .unwrap()
}

/// A page as make_fixtures.py found it.
#[derive(Debug, Clone)]
struct Page {
    dictionary: bool,
    offset: u64,
    header_len: u64,
    size: u64,
    values: u64,
    first_row: u64,
}

impl Page {
    fn body(&self) -> u64 {
        self.offset + self.header_len
    }
    fn end(&self) -> u64 {
        self.body() + self.size
    }
}

fn pages(name: &str, column: &str) -> Vec<Page> {
    expected()["layouts"][name]["pages"][column]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Page {
            dictionary: p["type"] == "DICTIONARY_PAGE",
            offset: p["offset"].as_u64().unwrap(),
            header_len: p["header_len"].as_u64().unwrap(),
            size: p["compressed_size"].as_u64().unwrap(),
            values: p["num_values"].as_u64().unwrap(),
            first_row: p["first_row"].as_u64().unwrap_or(0),
        })
        .collect()
}

/// A row as make_fixtures.py wrote it.
#[derive(Debug, Clone)]
struct Row {
    id: i64,
    lens: [u64; 2],
    sha: [String; 2],
}

fn layout_rows() -> Vec<Row> {
    expected()["layout_rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| Row {
            id: r[0].as_i64().unwrap(),
            lens: [r[1].as_u64().unwrap(), r[2].as_u64().unwrap()],
            sha: [r[3].as_str().unwrap().into(), r[4].as_str().unwrap().into()],
        })
        .collect()
}

fn sha16(b: &[u8]) -> String {
    Sha256::digest(b).iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn range(r: Range<u64>) -> String {
    format!("bytes={}-{}", r.start, r.end - 1)
}

fn asked(srv: &ServerHandle) -> Vec<String> {
    let mut v: Vec<String> = srv.log.entries().into_iter().map(|e| e.range.unwrap_or_else(|| "none".into())).collect();
    v.sort();
    v
}

/// A logged `bytes=a-b` as the range a..b+1.
fn parse_range(r: &str) -> (u64, u64) {
    let (a, b) = r.trim_start_matches("bytes=").split_once('-').unwrap();
    (a.parse().unwrap(), b.parse::<u64>().unwrap() + 1)
}

fn sorted(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v
}

/// Header hops from the chunk start to the page holding `row` (its header included).
fn hops_to(pages: &[Page], row: u64) -> Vec<String> {
    let mut out = Vec::new();
    for p in pages {
        out.push(range(p.offset..p.offset + HOP_BYTES));
        if !p.dictionary && row < p.first_row + p.values {
            break;
        }
    }
    out
}

fn page_of(pages: &[Page], row: u64) -> &Page {
    pages.iter().find(|p| !p.dictionary && p.first_row <= row && row < p.first_row + p.values).unwrap()
}

/// Bytes of PLAIN values 0..=k of a page (length prefixes included), plus the page's
/// definition levels: what a read of its k-th value cannot do without.
fn prefix(rows: &[Row], first_row: u64, k: u64, column: usize) -> u64 {
    let levels = 4 + 16;
    levels + (first_row..=first_row + k).map(|r| 4 + rows[r as usize].lens[column]).sum::<u64>()
}

/// What happens to the next reads of a `Wrapped` source.
#[derive(Debug, Clone)]
enum Fault {
    /// Fail before any request reaches the server.
    Fail(EngineError),
    /// Stream this many bytes, then fail as a reset connection.
    Cut(u64),
}

#[derive(Default)]
struct Harness {
    faults: RefCell<VecDeque<Fault>>,
    /// Sizes of the pieces streamed bodies arrived in.
    pieces: RefCell<Vec<usize>>,
}

impl Harness {
    fn largest_piece(&self) -> u64 {
        self.pieces.borrow().iter().copied().max().unwrap_or(0) as u64
    }
}

/// Where a wrapped stream stands.
enum Piece<'a> {
    Go(futures::stream::LocalBoxStream<'a, EngineResult<Bytes>>, u64),
    Fail,
    Done,
}

/// A native source with faults injected before it and the pieces of streams recorded.
struct Wrapped {
    inner: Rc<dyn RangeSource>,
    harness: Rc<Harness>,
}

impl RangeSource for Wrapped {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn known_size(&self) -> Option<u64> {
        self.inner.known_size()
    }

    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        let fault = self.harness.faults.borrow_mut().pop_front();
        async move {
            match fault {
                Some(Fault::Fail(e)) => Err(e),
                Some(Fault::Cut(_)) => Err(EngineError::Network { file: self.name().into(), message: "connection reset".into() }),
                None => self.inner.read(range).await,
            }
        }
        .boxed_local()
    }

    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        let fault = self.harness.faults.borrow_mut().pop_front();
        async move {
            let cut = match fault {
                Some(Fault::Fail(e)) => return Err(e),
                Some(Fault::Cut(n)) => Some(n),
                None => None,
            };
            let stream = self.inner.read_stream(range).await?;
            let harness = Rc::clone(&self.harness);
            let file = self.name().to_string();
            let body = futures::stream::unfold(Piece::Go(stream.body, 0), move |state| {
                let harness = Rc::clone(&harness);
                let reset = EngineError::Network { file: file.clone(), message: "connection reset".into() };
                async move {
                    match state {
                        Piece::Done => None,
                        Piece::Fail => Some((Err(reset), Piece::Done)),
                        Piece::Go(mut body, got) => match body.next().await? {
                            Err(e) => Some((Err(e), Piece::Done)),
                            Ok(b) => match cut {
                                Some(n) if got + b.len() as u64 >= n => {
                                    let keep = b.slice(..(n - got) as usize);
                                    harness.pieces.borrow_mut().push(keep.len());
                                    Some((Ok(keep), Piece::Fail))
                                }
                                _ => {
                                    harness.pieces.borrow_mut().push(b.len());
                                    let got = got + b.len() as u64;
                                    Some((Ok(b), Piece::Go(body, got)))
                                }
                            },
                        },
                    }
                }
            })
            .boxed_local();
            Ok(RangeStream { total_size: stream.total_size, etag: stream.etag, body })
        }
        .boxed_local()
    }

    fn counters(&self) -> &Counters {
        self.inner.counters()
    }
}

/// The native backend with a `Harness` between the engine and the network.
#[derive(Clone)]
struct TestBackend {
    native: NativeBackend,
    harness: Rc<Harness>,
}

impl Backend for TestBackend {
    fn source(&self, url: &str, size: Option<u64>, counters: &Counters) -> Rc<dyn RangeSource> {
        Rc::new(Wrapped { inner: self.native.source(url, size, counters), harness: Rc::clone(&self.harness) })
    }

    fn get_text<'a>(&'a self, url: &'a str, counters: &'a Counters) -> LocalBoxFuture<'a, EngineResult<String>> {
        self.native.get_text(url, counters)
    }
}

fn quick() -> RetryPolicy {
    RetryPolicy { retries: 3, first_delay: Duration::from_millis(1) }
}

/// A session on `url` (opened), and its harness.
async fn session(url: &str) -> (Session<TestBackend>, Rc<Harness>) {
    let harness = Rc::new(Harness::default());
    let backend = TestBackend { native: NativeBackend::default(), harness: Rc::clone(&harness) };
    let session = Session::new(backend).with_retry(quick());
    session.open(&Source::Parquet(url.into())).await.unwrap();
    (session, harness)
}

fn check_pair(rows: &[Row], pair: &gallery::engine::shard::sample::PairBytes, name: &str) {
    let want = &rows[pair.row as usize];
    assert_eq!(sha16(&pair.source), want.sha[0], "{name} row {} source", pair.row);
    assert_eq!(sha16(&pair.edited), want.sha[1], "{name} row {} edited", pair.row);
}

#[tokio::test(flavor = "current_thread")]
async fn many_images_per_page_decode_to_the_values_pyarrow_wrote() {
    let srv = serve(fixtures()).await;
    let rows = layout_rows();
    for name in LAYOUTS {
        let url = srv.url(name);
        // Every row at once, and a scattered set in a fresh session (indexed and PLAIN
        // pages, the dictionary, page boundaries).
        let (s, _) = session(&url).await;
        let all: Vec<u64> = (0..rows.len() as u64).collect();
        let metas = s.rows(&url, &all).await.unwrap();
        assert_eq!(metas.iter().map(|m| m.id.unwrap()).collect::<Vec<_>>(), rows.iter().map(|r| r.id).collect::<Vec<_>>());
        let pairs = s.images(&url, &all).await.unwrap();
        assert_eq!(pairs.len(), rows.len());
        pairs.iter().for_each(|p| check_pair(&rows, p, name));

        let (s, _) = session(&url).await;
        let scattered: Vec<u64> = [0, 1, 1022, 1023, 1024, 1025, 2047, 2048, 2049, LAST].into_iter().chain((0..3000).step_by(97)).collect();
        let pairs = s.images(&url, &scattered).await.unwrap();
        pairs.iter().for_each(|p| check_pair(&rows, p, name));
        let mut want = scattered.clone();
        want.sort_unstable();
        want.dedup();
        assert_eq!(pairs.iter().map(|p| p.row).collect::<Vec<_>>(), want);
    }
}

/// What showing `row` costs in a fresh session: the exact requests, and bytes.
struct Shown {
    ranges: Vec<String>,
    requests: u64,
    bytes: u64,
    largest_piece: u64,
}

async fn show_once(srv: &ServerHandle, name: &str, row: u64) -> Shown {
    let url = srv.url(name);
    let (s, harness) = session(&url).await;
    srv.log.clear();
    let before = s.stats();
    let pair = s.images(&url, &[row]).await.unwrap();
    check_pair(&layout_rows(), &pair[0], name);
    let after = s.stats();
    Shown { ranges: asked(srv), requests: after.requests - before.requests, bytes: after.bytes - before.bytes, largest_piece: harness.largest_piece() }
}

#[tokio::test(flavor = "current_thread")]
async fn a_pair_costs_the_header_hops_and_only_the_pages_holding_it() {
    let srv = serve(fixtures()).await;
    let rows = layout_rows();
    let mut report = Vec::new();
    for name in LAYOUTS {
        for row in [0, MIDDLE, LAST] {
            let shown = show_once(&srv, name, row).await;
            let mut want = Vec::new();
            let mut exact_bytes = 0; // hops and pages read whole
            let mut needed = 0; // the values the streams cannot stop before
            for (c, column) in IMAGES.iter().enumerate() {
                let pages = pages(name, column);
                let hops = hops_to(&pages, row);
                exact_bytes += HOP_BYTES * hops.len() as u64;
                want.extend(hops);
                let page = page_of(&pages, row);
                if page.first_row == 0 {
                    // The dictionary-indexed page, whole; the dictionary streamed from its
                    // header while the headers are hopped (its entries follow the rows of
                    // the first batch; no levels).
                    want.push(range(page.offset..page.end()));
                    exact_bytes += page.end() - page.offset;
                    let dict = &pages[0];
                    want.push(range(dict.offset..dict.end()));
                    needed += dict.header_len + prefix(&rows, 0, row, c) - 20;
                } else if row + 1 == page.first_row + page.values {
                    // A PLAIN page wanted to its last image: a stream could not stop
                    // sooner, so it is read whole.
                    want.push(range(page.offset..page.end()));
                    exact_bytes += page.end() - page.offset;
                } else {
                    // A PLAIN page of 1024 images, streamed from its body.
                    want.push(range(page.body()..page.end()));
                    needed += prefix(&rows, page.first_row, row - page.first_row, c);
                }
            }
            assert_eq!(shown.ranges, sorted(want.clone()), "{name} row {row}");
            assert_eq!(shown.requests, want.len() as u64, "{name} row {row}");
            let streamed = shown.bytes - exact_bytes;
            // Streams stop within a piece of the last value; Snappy pages need less than
            // the values' own size (they compress a little), uncompressed ones all of it.
            let ceiling = needed + 2 * shown.largest_piece;
            assert!(streamed <= ceiling, "{name} row {row}: streamed {streamed} > {ceiling}");
            let floor = if name == PLAIN { needed.saturating_sub(40) } else { needed / 2 };
            assert!(streamed >= floor, "{name} row {row}: streamed {streamed} < {floor}");
            let images = rows[row as usize].lens.iter().sum::<u64>();
            report.push(format!(
                "{name} row {row}: {} requests, {} bytes ({exact_bytes} in hops and whole pages, {streamed} streamed, pieces up to {}); \
                 {:.2}× the {needed} bytes of values up to the row, {:.0}× the {images} bytes of its two images",
                shown.requests,
                shown.bytes,
                shown.largest_piece,
                shown.bytes as f64 / needed as f64,
                shown.bytes as f64 / images as f64
            ));
        }
    }
    println!("{}", report.join("\n"));
}

#[tokio::test(flavor = "current_thread")]
async fn row_k_of_a_big_page_costs_the_values_before_it() {
    let srv = serve(fixtures()).await;
    let rows = layout_rows();
    for name in LAYOUTS {
        let url = srv.url(name);
        let (s, harness) = session(&url).await;
        // Map the pages first (row 1024 is the head of page 1).
        s.images(&url, &[1024]).await.unwrap();
        let page_bytes: u64 = IMAGES.iter().map(|c| page_of(&pages(name, c), 1024).size).sum();
        for k in [1, 100, 500, 1023] {
            let row = 1024 + k;
            srv.log.clear();
            let before = s.stats();
            let pair = s.images(&url, &[row]).await.unwrap();
            check_pair(&rows, &pair[0], name);
            let cost = s.stats().bytes - before.bytes;
            assert_eq!(srv.log.entries().len(), 2, "{name} row {row}: two streams, no hop");
            let needed: u64 = (0..2).map(|c| prefix(&rows, 1024, k, c)).sum();
            let piece = harness.largest_piece();
            // How far past the row a stream runs depends on how the network cuts it into
            // pieces (timing), so the bound is in pieces; with pieces well below the page,
            // a row early in the page costs well below the page.
            assert!(cost <= needed + 2 * piece, "{name} row {row}: {cost} bytes for {needed} needed (pieces up to {piece})");
            if k <= 100 && 4 * piece < page_bytes {
                assert!(cost < page_bytes * 3 / 4, "{name} row {row}: {cost} of {page_bytes}");
            }
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_local_file_is_streamed_in_64_kib_pieces() {
    let rows = layout_rows();
    let path = fixtures().join(PLAIN).display().to_string();
    let s = Session::new(NativeBackend::default());
    s.open(&Source::Parquet(path.clone())).await.unwrap();
    s.images(&path, &[2048]).await.unwrap();
    for k in [10, 300] {
        let before = s.stats();
        s.images(&path, &[2048 + k]).await.unwrap();
        let cost = s.stats().bytes - before.bytes;
        let needed: u64 = (0..2).map(|c| prefix(&rows, 2048, k, c)).sum();
        assert!(cost <= needed + 2 * 64 * 1024, "row {}: {cost} bytes for {needed}", 2048 + k);
        assert!(cost >= needed - 40, "row {}: {cost} bytes for {needed}", 2048 + k);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn page_maps_are_kept_so_a_second_read_hops_no_more() {
    let srv = serve(fixtures()).await;
    let url = srv.url(SNAPPY);
    let (s, _) = session(&url).await;
    s.images(&url, &[MIDDLE]).await.unwrap();
    srv.log.clear();
    s.images(&url, &[MIDDLE + 100, 1500]).await.unwrap();
    let want: Vec<String> = IMAGES
        .iter()
        .flat_map(|c| {
            let pages = pages(SNAPPY, c);
            [1500, MIDDLE + 100].map(|r| {
                let p = page_of(&pages, r);
                range(p.body()..p.end())
            })
        })
        .collect();
    assert_eq!(asked(&srv), sorted(want), "page streams only");
    // Text rows of the same file: its small columns are read whole, with no hop.
    srv.log.clear();
    s.rows(&url, &[7]).await.unwrap();
    let lengths: Vec<u64> = asked(&srv)
        .iter()
        .map(|r| {
            let (a, b) = r.trim_start_matches("bytes=").split_once('-').unwrap();
            b.parse::<u64>().unwrap() + 1 - a.parse::<u64>().unwrap()
        })
        .collect();
    assert_eq!(lengths.len(), 2, "the small columns before and after the images, whole: {lengths:?}");
    assert!(lengths.iter().all(|&n| n > HOP_BYTES), "{lengths:?}");

    // Reads running at once on a fresh file hop each header once.
    let (s, _) = session(&url).await;
    srv.log.clear();
    let (a, b) = futures::join!(s.images(&url, &[MIDDLE]), s.images(&url, &[1500]));
    check_pair(&layout_rows(), &a.unwrap()[0], SNAPPY);
    check_pair(&layout_rows(), &b.unwrap()[0], SNAPPY);
    let hops: Vec<String> = IMAGES.iter().flat_map(|c| hops_to(&pages(SNAPPY, c), MIDDLE)).collect();
    let log = asked(&srv);
    for h in &hops {
        assert_eq!(log.iter().filter(|r| *r == h).count(), 1, "{h} in {log:?}");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn plan_cost_predicts_what_a_read_then_costs() {
    let srv = serve(fixtures()).await;
    // Pages read whole (page index, one image per page): exact, to the byte.
    for name in ["pyarrow_page_index_plain.parquet", "pyarrow_zstd_row_groups.parquet", "pyarrow_cdc.parquet"] {
        let url = srv.url(name);
        let (s, _) = session(&url).await;
        for rows in [vec![17u64], vec![0, 39], vec![3, 4, 5, 30]] {
            let cost = s.cost(&url, &rows, true).await.unwrap();
            let before = s.stats();
            s.images(&url, &rows).await.unwrap();
            let spent = s.stats();
            assert_eq!((cost.requests, cost.bytes), (spent.requests - before.requests, spent.bytes - before.bytes), "{name} {rows:?}");
            if name != "pyarrow_cdc.parquet" {
                assert!(cost.exact, "{name}");
            }
            let text = s.cost(&url, &rows, false).await.unwrap();
            let before = s.stats();
            s.rows(&url, &rows).await.unwrap();
            let spent = s.stats();
            assert_eq!((text.requests, text.bytes), (spent.requests - before.requests, spent.bytes - before.bytes), "{name} {rows:?} text");
        }
    }
    // Many images per page, before any page is mapped: an estimate, right in requests
    // and waves; then, mapped, right in requests and close in bytes.
    for name in LAYOUTS {
        let url = srv.url(name);
        let (s, harness) = session(&url).await;
        let guess = s.cost(&url, &[MIDDLE], true).await.unwrap();
        assert!(!guess.exact);
        assert_eq!(guess.waves, 5, "{name}: 4 header hops, then the pages");
        let before = s.stats();
        s.images(&url, &[MIDDLE]).await.unwrap();
        let spent = s.stats();
        assert_eq!(guess.requests, spent.requests - before.requests, "{name}");
        let measured = spent.bytes - before.bytes;
        let slack = 2 * harness.largest_piece() + measured / 5;
        assert!(guess.bytes.abs_diff(measured) <= slack, "{name}: guessed {} for {measured}", guess.bytes);
        for row in [MIDDLE + 200, 1100, 0] {
            let cost = s.cost(&url, &[row], true).await.unwrap();
            let before = s.stats();
            s.images(&url, &[row]).await.unwrap();
            let spent = s.stats();
            let measured = spent.bytes - before.bytes;
            assert_eq!(cost.requests, spent.requests - before.requests, "{name} row {row}");
            assert!(cost.bytes <= measured + 4096, "{name} row {row}: {} for {measured}", cost.bytes);
            assert!(measured <= cost.bytes + 2 * harness.largest_piece() + 4096, "{name} row {row}: {} for {measured}", cost.bytes);
        }
    }
}

#[tokio::test(flavor = "current_thread")]
async fn transient_failures_are_retried_and_client_errors_are_not() {
    let srv = serve(fixtures()).await;
    let rows = layout_rows();
    let url = srv.url(SNAPPY);
    let (s, harness) = session(&url).await;
    let http = |status| EngineError::Http { file: url.clone(), status, reason: String::new(), range: 0..1 };
    let network = EngineError::Network { file: url.clone(), message: "connection reset".into() };

    // Server errors and network errors, then success.
    harness.faults.borrow_mut().extend([Fault::Fail(http(503)), Fault::Fail(network.clone()), Fault::Fail(http(502))]);
    let pair = s.images(&url, &[MIDDLE]).await.unwrap();
    check_pair(&rows, &pair[0], SNAPPY);
    assert!(harness.faults.borrow().is_empty());

    // A client error is not retried: one attempt, and the error names the file.
    harness.faults.borrow_mut().push_back(Fault::Fail(http(404)));
    let err = s.images(&url, &[MIDDLE + 1]).await.unwrap_err();
    assert!(matches!(err, EngineError::Http { status: 404, .. }), "{err}");
    assert!(err.to_string().contains(SNAPPY));
    let pair = s.images(&url, &[MIDDLE + 1]).await.unwrap();
    check_pair(&rows, &pair[0], SNAPPY);

    // Three retries at most: the read's two streams share the faults, so give each four.
    harness.faults.borrow_mut().extend((0..8).map(|_| Fault::Fail(http(500))));
    let err = s.images(&url, &[MIDDLE + 2]).await.unwrap_err();
    assert!(matches!(err, EngineError::Http { status: 500, .. }), "{err}");
    assert!(harness.faults.borrow().len() <= 4, "{} faults left", harness.faults.borrow().len());
    harness.faults.borrow_mut().clear();

    // A stream cut midway resumes from the byte it reached.
    srv.log.clear();
    harness.faults.borrow_mut().push_back(Fault::Cut(20_000));
    let pair = s.images(&url, &[MIDDLE + 300]).await.unwrap();
    check_pair(&rows, &pair[0], SNAPPY);
    let resumed: Vec<String> = IMAGES
        .iter()
        .map(|c| {
            let pages = pages(SNAPPY, c);
            let p = page_of(&pages, MIDDLE);
            range(p.body() + 20_000..p.end())
        })
        .collect();
    let got = asked(&srv);
    assert_eq!(got.len(), 3, "{got:?}");
    assert!(resumed.iter().any(|r| got.contains(r)), "{got:?} resumes neither of {resumed:?}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_file_replaced_on_the_server_is_read_again_from_its_footer() {
    let dir = std::env::temp_dir().join(format!("gallery-etag-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("shard.parquet");
    std::fs::copy(fixtures().join(PLAIN), &path).unwrap();
    let srv = serve(dir.clone()).await;
    let url = srv.url("shard.parquet");
    let rows = layout_rows();
    let (s, _) = session(&url).await;
    check_pair(&rows, &s.images(&url, &[MIDDLE]).await.unwrap()[0], "before");

    // Same rows, another layout (snappy): another size and ETag, pages elsewhere.
    tokio::time::sleep(Duration::from_millis(20)).await;
    let tmp = dir.join("shard.tmp");
    std::fs::copy(fixtures().join(SNAPPY), &tmp).unwrap();
    std::fs::rename(&tmp, &path).unwrap();
    srv.log.clear();
    let pair = s.images(&url, &[MIDDLE + 50]).await.unwrap();
    check_pair(&rows, &pair[0], "after");
    let new_size = size_of(SNAPPY);
    let footer = range(new_size - 64 * 1024..new_size);
    let log = asked(&srv);
    assert_eq!(log.iter().filter(|r| **r == footer).count(), 1, "the new footer, read once: {log:?}");
    // The new file's pages were hopped and read.
    for c in IMAGES {
        let p = page_of(&pages(SNAPPY, c), MIDDLE + 50).clone();
        assert!(log.contains(&range(p.body()..p.end())), "{c}: {log:?}");
    }
    // And text rows of the new version.
    let metas = s.rows(&url, &[1, MIDDLE]).await.unwrap();
    assert_eq!(metas[1].id, Some(rows[MIDDLE as usize].id));
    std::fs::remove_dir_all(&dir).ok();
}

#[tokio::test(flavor = "current_thread")]
async fn grids_of_many_image_pages_start_with_the_heads_of_pages() {
    let srv = serve(fixtures()).await;
    let url = srv.url(SNAPPY);
    let (s, _) = session(&url).await;
    // Before any map: assumed pages of 1024 rows; after mapping the whole chunks, the
    // same heads.
    for _ in 0..2 {
        let order = s.cheapest_rows(&url, 24).await.unwrap();
        assert_eq!(order.len(), 24);
        assert_eq!(order[..6], [0, 1024, 2048, 1, 1025, 2049], "the heads of pages, then their second rows");
        for page in [0..1024, 1024..2048, 2048..3000] {
            assert!(order.iter().any(|r| page.contains(r)), "{order:?} misses page {page:?}");
        }
        let spread = s.cost(&url, &order, true).await.unwrap();
        let first: Vec<u64> = (0..24).collect();
        let middle: Vec<u64> = (1500..1524).collect();
        assert!(spread.bytes < s.cost(&url, &middle, true).await.unwrap().bytes);
        let _ = s.cost(&url, &first, true).await.unwrap();
        s.images(&url, &[LAST]).await.unwrap();
    }
}

#[tokio::test(flavor = "current_thread")]
async fn inspect_reports_the_pages_and_what_showing_costs() {
    let srv = serve(fixtures()).await;
    let url = srv.url(SNAPPY);
    let report = gallery::cli::inspect::inspect(&url, 7).await.unwrap();
    let has = |line: &str| assert!(report.lines().any(|l| l.trim() == line), "no line {line:?} in\n{report}");
    has(&format!("Size: 1.3 MB ({} bytes), 3000 rows, 1 row group(s)", size_of(SNAPPY)));
    has("Page index: no (pages found by reading their headers)");
    // The size is learned from a 64-byte read of the head first.
    has("Read to inspect: footer 2 request(s), 65.6 KB (65600 bytes); page headers 8 request(s), 8.2 KB (8192 bytes)");
    for column in IMAGES {
        let pages = pages(SNAPPY, column);
        let dict = &pages[0];
        let chunk = pages.last().unwrap().end() - dict.offset;
        has(&format!("{column}: SNAPPY, {} ({chunk} bytes)", gallery::engine::range::human_bytes(chunk)));
        has(&format!("dictionary: yes, 1024 entries, {} ({} bytes)", gallery::engine::range::human_bytes(dict.end() - dict.offset), dict.end() - dict.offset));
        has("pages: 3 data pages, found by reading 4 page headers");
        for (i, (p, enc)) in pages[1..].iter().zip(["RLE_DICTIONARY", "PLAIN", "PLAIN"]).enumerate() {
            let size = gallery::engine::range::human_bytes(p.end() - p.offset);
            has(&format!("page {i}: rows {}–{}, {size}, {enc}", p.first_row, p.first_row + p.values - 1));
        }
    }
    // The costs are the engine's own predictions once the pages are mapped.
    let (s, _) = session(&url).await;
    s.images(&url, &[LAST]).await.unwrap();
    let row = gallery::cli::inspect::pick(7, 3000);
    let line = |c: gallery::engine::shard::Cost| {
        let est = if c.exact { "" } else { ", estimated" };
        format!("{} requests, {} ({} bytes){est}, {} wave(s)", c.requests, gallery::engine::range::human_bytes(c.bytes), c.bytes, c.waves)
    };
    let both = |rows: Vec<u64>| {
        let s = &s;
        let url = url.clone();
        async move { s.cost(&url, &rows, true).await.unwrap() + s.cost(&url, &rows, false).await.unwrap() }
    };
    has(&format!("one random pair (row {row}, seed 7): {}", line(both(vec![row]).await)));
    has(&format!("a grid of 24 from the start (rows 0–23): {}", line(both((0..24).collect()).await)));
    let spread = s.cheapest_rows(&url, 24).await.unwrap();
    has(&format!("a grid of 24 cheapest first (rows 0, 1024, 2048, 1, 1025, 2049, 2, 1026, …): {}", line(both(spread).await)));

    // A file with a page index: pages from the footer, no header read.
    let report = gallery::cli::inspect::inspect(&srv.url("pyarrow_page_index_plain.parquet"), 7).await.unwrap();
    assert!(report.contains("Page index: yes (page locations in the footer)"), "{report}");
    assert!(report.contains("page headers 0 request(s)"), "{report}");
    assert!(report.contains("pages: 40 data pages, from the offset index"), "{report}");
}

/// No dictionary, no page index, pages of 16 images (see make_fixtures.py).
const PLAIN_PAGES: &str = "pyarrow_plain_pages_no_index.parquet";

#[tokio::test(flavor = "current_thread")]
async fn a_run_of_rows_without_a_page_index_is_one_stream_a_column_cut_after_its_last_row() {
    let srv = serve(fixtures()).await;
    let rows = layout_rows();
    let url = srv.url(PLAIN_PAGES);
    let (s, harness) = session(&url).await;

    // A grid's first rows: each image column streamed from its first page header, its
    // pages mapped on the way, no hop.
    let first: Vec<u64> = (0..24).collect();
    let cost = s.cost(&url, &first, true).await.unwrap();
    assert_eq!((cost.waves, cost.exact), (1, false), "predicted: one wave, estimated");
    srv.log.clear();
    let before = s.stats();
    let pairs = s.images(&url, &first).await.unwrap();
    assert_eq!(pairs.len(), 24);
    for p in &pairs {
        check_pair(&rows, p, PLAIN_PAGES);
    }
    let spent = s.stats().bytes - before.bytes;
    let (mut floor, mut ceiling) = (0, 0);
    let log = asked(&srv);
    for column in IMAGES {
        let pages = pages(PLAIN_PAGES, column);
        let start = pages[0].offset;
        let end = pages.last().unwrap().end();
        // Streams through the chunk, one after the other from its first page header, the
        // first for the rows' share of the chunk and a quarter more.
        let mut streams: Vec<(u64, u64)> = log.iter().map(|r| parse_range(r)).filter(|&(a, b)| a >= start && b <= end).collect();
        streams.sort();
        assert_eq!(streams[0].0, start, "{column}: {streams:?}");
        assert!(streams.windows(2).all(|w| w[1].0 == w[0].1), "{column}: {streams:?}");
        assert!(streams.len() <= 2, "{column}: {streams:?}");
        let last = page_of(&pages, 23);
        assert!(streams[streams.len() - 1].1 >= last.body(), "{column}: the streams reach the last row's page");
        floor += last.body() - start;
        ceiling += last.end() - start + 2 * harness.largest_piece();
    }
    assert_eq!(log.len(), IMAGES.len(), "one stream per column: {log:?}");
    assert!(spent >= floor && spent <= ceiling, "{spent} bytes: not within {floor}..={ceiling}");

    // The next rows: the page known already read whole, the rest streamed from the first
    // page not mapped yet.
    let next: Vec<u64> = (24..48).collect();
    srv.log.clear();
    let pairs = s.images(&url, &next).await.unwrap();
    for p in &pairs {
        check_pair(&rows, p, PLAIN_PAGES);
    }
    let mut want = Vec::new();
    for column in IMAGES {
        let pages = pages(PLAIN_PAGES, column);
        let known = page_of(&pages, 24);
        want.push(range(known.offset..known.end()));
        let stream = asked(&srv).iter().map(|r| parse_range(r)).find(|&(a, _)| a == known.end());
        assert!(stream.is_some_and(|(_, b)| b > page_of(&pages, 47).body()), "{column}: a stream from the first page not mapped");
        want.push(range(known.end()..stream.unwrap().1));
    }
    assert_eq!(asked(&srv), sorted(want), "the known page whole, then a stream");

    // A lone row far into the chunk: header hops to its page, then the page, as before.
    let (s, _) = session(&url).await;
    let cost = s.cost(&url, &[100], true).await.unwrap();
    // (Pages not mapped yet are assumed to be pyarrow's 1024 rows: one hop predicted.)
    assert!(cost.waves >= 2 && !cost.exact, "predicted: hops, then the page: {cost:?}");
    srv.log.clear();
    let pairs = s.images(&url, &[100]).await.unwrap();
    check_pair(&rows, &pairs[0], PLAIN_PAGES);
    let mut want = Vec::new();
    for column in IMAGES {
        let pages = pages(PLAIN_PAGES, column);
        want.extend(hops_to(&pages, 100));
        let p = page_of(&pages, 100);
        want.push(range(p.offset..p.end()));
    }
    assert_eq!(asked(&srv), sorted(want), "hops, then the page");
}
