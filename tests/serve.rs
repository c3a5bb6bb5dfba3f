//! Tests of `gallery serve` (`gallery::cli::serve`): a real HTTP client against a real
//! server on 127.0.0.1, checking ranges, CORS, the request log and path safety.
//!
//! These tests must never depend on the network beyond the loopback, nor leave files
//! behind outside the system temp folder.
#![cfg(not(target_arch = "wasm32"))]

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use gallery::cli::serve::{start, LoggedRequest, ServeOptions, ServerHandle};
use reqwest::header::{HeaderMap, RANGE};
use reqwest::{Method, StatusCode};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A fresh folder under the system temp folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!(
            "gallery-serve-{tag}-{}-{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        ));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// 1000 bytes whose values are their offsets mod 251, so any range has unique content.
fn pattern(n: usize) -> Vec<u8> {
    (0..n).map(|i| (i % 251) as u8).collect()
}

/// A served folder: `data.bin` (1000 bytes), `index.html`, `sub/index.html`, a few typed
/// files, and `secret.txt` next to (outside) the root.
fn site(tag: &str) -> (TempDir, PathBuf) {
    let tmp = TempDir::new(tag);
    let root = tmp.0.join("root");
    std::fs::create_dir_all(root.join("sub")).unwrap();
    std::fs::write(root.join("data.bin"), pattern(1000)).unwrap();
    std::fs::write(
        root.join("index.html"),
        "<!doctype html><title>home</title>",
    )
    .unwrap();
    std::fs::write(
        root.join("sub/index.html"),
        "<!doctype html><title>sub</title>",
    )
    .unwrap();
    for name in [
        "app.js",
        "app.wasm",
        "style.css",
        "manifest.json",
        "shard.parquet",
        "a.png",
        "b.jpg",
        "c.webp",
        "README.md",
    ] {
        std::fs::write(root.join(name), name.as_bytes()).unwrap();
    }
    std::fs::write(tmp.0.join("secret.txt"), "TOP SECRET").unwrap();
    (tmp, root)
}

async fn serve(root: &Path, cors: bool, ignore_range: bool) -> ServerHandle {
    start(ServeOptions {
        root: root.to_path_buf(),
        addr: "127.0.0.1:0".parse().unwrap(),
        cors,
        ignore_range,
        quiet: true,
    })
    .await
    .unwrap()
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

async fn get_range(url: &str, range: &str) -> (StatusCode, HeaderMap, Vec<u8>) {
    let r = client().get(url).header(RANGE, range).send().await.unwrap();
    let (status, headers) = (r.status(), r.headers().clone());
    (status, headers, r.bytes().await.unwrap().to_vec())
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).map(|v| v.to_str().unwrap())
}

/// `GET /__requests`, decoded.
async fn log_over_http(h: &ServerHandle) -> Vec<LoggedRequest> {
    let body = client()
        .get(h.url("/__requests"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    serde_json::from_slice(&body).unwrap()
}

/// Send a request line verbatim (no client-side path normalisation); (status, body).
async fn raw_get(handle: &ServerHandle, target: &str) -> (u16, String) {
    let mut s = tokio::net::TcpStream::connect(handle.addr).await.unwrap();
    let req = format!(
        "GET {target} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n\r\n",
        handle.addr
    );
    s.write_all(req.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    s.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    (status, body)
}

#[tokio::test]
async fn closed_range_gives_206_with_exact_bytes() {
    let (_tmp, root) = site("closed");
    let h = serve(&root, false, false).await;
    let (status, headers, body) = get_range(&h.url("/data.bin"), "bytes=10-19").await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&headers, "content-range"), Some("bytes 10-19/1000"));
    assert_eq!(header(&headers, "content-length"), Some("10"));
    assert_eq!(header(&headers, "accept-ranges"), Some("bytes"));
    assert_eq!(header(&headers, "cache-control"), Some("no-cache"));
    assert_eq!(body, pattern(1000)[10..20]);
    let etag = header(&headers, "etag").unwrap();
    assert!(
        etag.starts_with('"') && etag.ends_with('"'),
        "strong etag: {etag}"
    );
    assert!(header(&headers, "last-modified").unwrap().ends_with(" GMT"));

    // An end past the file is clamped.
    let (status, headers, body) = get_range(&h.url("/data.bin"), "bytes=990-5000").await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&headers, "content-range"),
        Some("bytes 990-999/1000")
    );
    assert_eq!(body, pattern(1000)[990..]);
    h.shutdown().await;
}

#[tokio::test]
async fn open_and_suffix_ranges() {
    let (_tmp, root) = site("open");
    let h = serve(&root, false, false).await;
    let (status, headers, body) = get_range(&h.url("/data.bin"), "bytes=900-").await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&headers, "content-range"),
        Some("bytes 900-999/1000")
    );
    assert_eq!(body, pattern(1000)[900..]);

    let (status, headers, body) = get_range(&h.url("/data.bin"), "bytes=-8").await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&headers, "content-range"),
        Some("bytes 992-999/1000")
    );
    assert_eq!(body, pattern(1000)[992..]);
    h.shutdown().await;
}

#[tokio::test]
async fn unsatisfiable_range_gives_416() {
    let (_tmp, root) = site("416");
    let h = serve(&root, false, false).await;
    for range in ["bytes=1000-", "bytes=5000-6000", "bytes=-0"] {
        let (status, headers, _) = get_range(&h.url("/data.bin"), range).await;
        assert_eq!(status, StatusCode::RANGE_NOT_SATISFIABLE, "{range}");
        assert_eq!(
            header(&headers, "content-range"),
            Some("bytes */1000"),
            "{range}"
        );
    }
    h.shutdown().await;
}

#[tokio::test]
async fn no_range_gives_200_and_full_body() {
    let (_tmp, root) = site("full");
    let h = serve(&root, false, false).await;
    let r = client().get(h.url("/data.bin")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(r.headers(), "content-length"), Some("1000"));
    assert_eq!(header(r.headers(), "accept-ranges"), Some("bytes"));
    assert!(r.headers().get("content-range").is_none());
    assert_eq!(r.bytes().await.unwrap().to_vec(), pattern(1000));

    // A malformed or multi-part Range is ignored: 200 and the whole file.
    for range in ["bytes=0-1,5-6", "items=0-9", "bytes=9-2"] {
        let (status, _, body) = get_range(&h.url("/data.bin"), range).await;
        assert_eq!(status, StatusCode::OK, "{range}");
        assert_eq!(body.len(), 1000, "{range}");
    }
    h.shutdown().await;
}

#[tokio::test]
async fn head_has_headers_and_no_body() {
    let (_tmp, root) = site("head");
    let h = serve(&root, false, false).await;
    let r = client().head(h.url("/data.bin")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(header(r.headers(), "content-length"), Some("1000"));
    assert_eq!(header(r.headers(), "accept-ranges"), Some("bytes"));
    assert!(r.headers().get("etag").is_some());
    assert!(r.bytes().await.unwrap().is_empty());

    let r = client()
        .head(h.url("/data.bin"))
        .header(RANGE, "bytes=0-99")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(r.headers(), "content-range"),
        Some("bytes 0-99/1000")
    );
    assert_eq!(header(r.headers(), "content-length"), Some("100"));
    assert!(r.bytes().await.unwrap().is_empty());

    let log = h.log.entries();
    assert_eq!(log.len(), 2);
    assert!(log.iter().all(|e| e.method == "HEAD" && e.body_bytes == 0));
    h.shutdown().await;
}

#[tokio::test]
async fn content_types_and_index() {
    let (_tmp, root) = site("types");
    let h = serve(&root, false, false).await;
    let cases = [
        ("/", "text/html; charset=utf-8"),
        ("/index.html", "text/html; charset=utf-8"),
        ("/app.js", "text/javascript; charset=utf-8"),
        ("/app.wasm", "application/wasm"),
        ("/style.css", "text/css; charset=utf-8"),
        ("/manifest.json", "application/json"),
        ("/shard.parquet", "application/octet-stream"),
        ("/a.png", "image/png"),
        ("/b.jpg", "image/jpeg"),
        ("/c.webp", "image/webp"),
        ("/README.md", "text/markdown; charset=utf-8"),
    ];
    for (path, ty) in cases {
        let r = client().get(h.url(path)).send().await.unwrap();
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        assert_eq!(header(r.headers(), "content-type"), Some(ty), "{path}");
        assert_eq!(
            header(r.headers(), "cache-control"),
            Some("no-cache"),
            "{path}"
        );
    }
    let body = client()
        .get(h.url("/"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(body.contains("home"));
    for path in ["/sub", "/sub/"] {
        let body = client()
            .get(h.url(path))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(body.contains("<title>sub</title>"), "{path}");
    }
    let r = client()
        .get(h.url("/missing.parquet"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    h.shutdown().await;
}

#[tokio::test]
async fn conditional_requests() {
    let (_tmp, root) = site("cond");
    let h = serve(&root, false, false).await;
    let r = client().get(h.url("/data.bin")).send().await.unwrap();
    let etag = header(r.headers(), "etag").unwrap().to_string();
    let last_modified = header(r.headers(), "last-modified").unwrap().to_string();

    let r = client()
        .get(h.url("/data.bin"))
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::NOT_MODIFIED);
    assert!(r.bytes().await.unwrap().is_empty());

    // If-Range with the current validator: the range; with a stale one: the whole file.
    for validator in [etag.as_str(), last_modified.as_str()] {
        let r = client()
            .get(h.url("/data.bin"))
            .header(RANGE, "bytes=0-9")
            .header("if-range", validator)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::PARTIAL_CONTENT, "{validator}");
    }
    let r = client()
        .get(h.url("/data.bin"))
        .header(RANGE, "bytes=0-9")
        .header("if-range", "\"stale\"")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    assert_eq!(r.bytes().await.unwrap().len(), 1000);
    h.shutdown().await;
}

#[tokio::test]
async fn cors_headers_when_on() {
    let (_tmp, root) = site("cors");
    let h = serve(&root, true, false).await;
    let (status, headers, _) = get_range(&h.url("/data.bin"), "bytes=0-3").await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(header(&headers, "access-control-allow-origin"), Some("*"));
    let exposed = header(&headers, "access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for name in ["content-range", "content-length", "etag", "accept-ranges"] {
        assert!(exposed.contains(name), "{name} not exposed: {exposed}");
    }

    let r = client()
        .request(Method::OPTIONS, h.url("/data.bin"))
        .header("origin", "http://elsewhere.test")
        .header("access-control-request-method", "GET")
        .header("access-control-request-headers", "range, authorization")
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success(), "preflight: {}", r.status());
    assert_eq!(
        header(r.headers(), "access-control-allow-origin"),
        Some("*")
    );
    let methods = header(r.headers(), "access-control-allow-methods").unwrap();
    assert!(methods.contains("GET") && methods.contains("HEAD"));
    let allowed = header(r.headers(), "access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    assert!(
        allowed.contains("range") && allowed.contains("authorization"),
        "{allowed}"
    );

    // Errors and the log endpoints carry CORS too.
    let r = client().get(h.url("/missing")).send().await.unwrap();
    assert_eq!(
        header(r.headers(), "access-control-allow-origin"),
        Some("*")
    );
    let r = client().get(h.url("/__requests")).send().await.unwrap();
    assert_eq!(
        header(r.headers(), "access-control-allow-origin"),
        Some("*")
    );
    let r = client()
        .post(h.url("/__requests/clear"))
        .send()
        .await
        .unwrap();
    assert_eq!(
        header(r.headers(), "access-control-allow-origin"),
        Some("*")
    );
    let r = client().delete(h.url("/__requests")).send().await.unwrap();
    assert_eq!(
        header(r.headers(), "access-control-allow-origin"),
        Some("*")
    );
    h.shutdown().await;
}

#[tokio::test]
async fn no_cors_headers_when_off() {
    let (_tmp, root) = site("nocors");
    let h = serve(&root, false, false).await;
    let (_, headers, _) = get_range(&h.url("/data.bin"), "bytes=0-3").await;
    assert!(headers.get("access-control-allow-origin").is_none());
    assert!(headers.get("access-control-expose-headers").is_none());
    let r = client()
        .request(Method::OPTIONS, h.url("/data.bin"))
        .header("origin", "http://elsewhere.test")
        .header("access-control-request-method", "GET")
        .send()
        .await
        .unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    let r = client().get(h.url("/__requests")).send().await.unwrap();
    assert!(r.headers().get("access-control-allow-origin").is_none());
    h.shutdown().await;
}

#[tokio::test]
async fn ignore_range_gives_200_and_full_body() {
    let (_tmp, root) = site("ignore");
    let h = serve(&root, false, true).await;
    let (status, headers, body) = get_range(&h.url("/data.bin"), "bytes=10-19").await;
    assert_eq!(status, StatusCode::OK);
    assert!(headers.get("content-range").is_none());
    assert_eq!(body, pattern(1000));
    let log = h.log.entries();
    assert_eq!(log[0].range.as_deref(), Some("bytes=10-19"));
    assert_eq!((log[0].status, log[0].body_bytes), (200, 1000));
    h.shutdown().await;
}

#[tokio::test]
async fn log_records_ranges_and_body_bytes() {
    let (_tmp, root) = site("log");
    let h = serve(&root, false, false).await;
    get_range(&h.url("/data.bin"), "bytes=100-199").await;
    get_range(&h.url("/data.bin"), "bytes=950-").await;
    get_range(&h.url("/data.bin"), "bytes=2000-").await;
    client()
        .get(h.url("/data.bin"))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();

    let expected = vec![
        LoggedRequest {
            method: "GET".into(),
            path: "/data.bin".into(),
            range: Some("bytes=100-199".into()),
            status: 206,
            body_bytes: 100,
        },
        LoggedRequest {
            method: "GET".into(),
            path: "/data.bin".into(),
            range: Some("bytes=950-".into()),
            status: 206,
            body_bytes: 50,
        },
        LoggedRequest {
            method: "GET".into(),
            path: "/data.bin".into(),
            range: Some("bytes=2000-".into()),
            status: 416,
            body_bytes: "range not satisfiable\n".len() as u64,
        },
        LoggedRequest {
            method: "GET".into(),
            path: "/data.bin".into(),
            range: None,
            status: 200,
            body_bytes: 1000,
        },
    ];
    assert_eq!(h.log.entries(), expected);
    assert_eq!(
        h.log.total_body_bytes(),
        expected.iter().map(|e| e.body_bytes).sum::<u64>()
    );

    // Over HTTP, as browser tests see it; the log endpoints are not logged themselves.
    let json = log_over_http(&h).await;
    assert_eq!(json, expected);
    let r = client()
        .post(h.url("/__requests/clear"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    assert!(h.log.entries().is_empty());

    get_range(&h.url("/data.bin"), "bytes=0-0").await;
    assert_eq!(h.log.entries().len(), 1);
    let r = client().delete(h.url("/__requests")).send().await.unwrap();
    assert!(r.status().is_success());
    let json = log_over_http(&h).await;
    assert!(json.is_empty());

    // The caller's side of the log can clear too.
    get_range(&h.url("/data.bin"), "bytes=0-0").await;
    h.log.clear();
    assert!(h.log.entries().is_empty());
    assert_eq!(h.log.total_body_bytes(), 0);
    h.shutdown().await;
}

#[tokio::test]
async fn aborted_download_counts_what_was_sent() {
    let tmp = TempDir::new("abort");
    let size: u64 = 256 << 20;
    std::fs::File::create(tmp.0.join("big.bin"))
        .unwrap()
        .set_len(size)
        .unwrap();
    let h = serve(&tmp.0, false, false).await;
    let mut r = client().get(h.url("/big.bin")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::OK);
    let first = r.chunk().await.unwrap().unwrap();
    assert!(!first.is_empty());
    drop(r);

    // Once the server notices, the count stops growing, short of the whole file.
    let mut last = u64::MAX;
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        let now = h.log.entries()[0].body_bytes;
        if now == last {
            break;
        }
        last = now;
    }
    assert!(last >= first.len() as u64, "{last}");
    assert!(last < size, "{last}");
    h.shutdown().await;
}

#[tokio::test]
async fn path_traversal_is_refused() {
    let (_tmp, root) = site("traversal");
    let h = serve(&root, true, false).await;
    // Sent verbatim: a client would normalise the dot segments away.
    for target in [
        "/../secret.txt",
        "/../Cargo.toml",
        "/%2e%2e/secret.txt",
        "/%2E%2E/secret.txt",
        "/sub/../../secret.txt",
        "/sub/%2e%2e/%2e%2e/secret.txt",
        "/..%2fsecret.txt",
        "/..%5csecret.txt",
        "/sub%2f..%2f..%2fsecret.txt",
        "/%2e%2e%2fsecret.txt",
    ] {
        let (status, body) = raw_get(&h, target).await;
        assert!(
            status == 403 || status == 404 || status == 400,
            "{target}: {status}"
        );
        assert!(!body.contains("TOP SECRET"), "{target}");
    }
    // Through a normalising client: never more than the root.
    let r = client().get(h.url("/../Cargo.toml")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    let r = client()
        .get(h.url("/%2e%2e/secret.txt"))
        .send()
        .await
        .unwrap();
    assert!(!r.text().await.unwrap().contains("TOP SECRET"));
    h.shutdown().await;
}

#[cfg(unix)]
#[tokio::test]
async fn symlink_out_of_root_is_refused() {
    let (tmp, root) = site("symlink");
    std::os::unix::fs::symlink(tmp.0.join("secret.txt"), root.join("link.txt")).unwrap();
    let h = serve(&root, false, false).await;
    let r = client().get(h.url("/link.txt")).send().await.unwrap();
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert!(!r.text().await.unwrap().contains("TOP SECRET"));
    h.shutdown().await;
}

#[tokio::test]
async fn range_beyond_4_gib() {
    use std::io::{Seek, SeekFrom, Write};
    let tmp = TempDir::new("huge");
    let size: u64 = 5 << 30;
    let at: u64 = (4 << 30) + 123_456;
    {
        let mut f = std::fs::File::create(tmp.0.join("huge.parquet")).unwrap();
        f.set_len(size).unwrap(); // sparse: no disk space used
        f.seek(SeekFrom::Start(at)).unwrap();
        f.write_all(b"MARK").unwrap();
        f.seek(SeekFrom::Start(size - 4)).unwrap();
        f.write_all(b"PAR1").unwrap();
    }
    let h = serve(&tmp.0, false, false).await;
    let (status, headers, body) = get_range(
        &h.url("/huge.parquet"),
        &format!("bytes={}-{}", at - 2, at + 5),
    )
    .await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&headers, "content-range").unwrap(),
        format!("bytes {}-{}/{size}", at - 2, at + 5)
    );
    assert_eq!(body, b"\0\0MARK\0\0");

    let (status, headers, body) = get_range(&h.url("/huge.parquet"), "bytes=-8").await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&headers, "content-range").unwrap(),
        format!("bytes {}-{}/{size}", size - 8, size - 1)
    );
    assert_eq!(&body[4..], b"PAR1");

    let r = client().head(h.url("/huge.parquet")).send().await.unwrap();
    assert_eq!(
        header(r.headers(), "content-length").unwrap(),
        size.to_string()
    );
    assert_eq!(h.log.total_body_bytes(), 16);
    h.shutdown().await;
}

#[tokio::test]
async fn fixture_footer_ends_with_par1() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures");
    let size = std::fs::metadata(fixtures.join("pyarrow_default.parquet"))
        .unwrap()
        .len();
    let h = serve(&fixtures, true, false).await;
    let (status, headers, body) = get_range(
        &h.url("/pyarrow_default.parquet"),
        &format!("bytes={}-{}", size - 8, size - 1),
    )
    .await;
    assert_eq!(status, StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        header(&headers, "content-range").unwrap(),
        format!("bytes {}-{}/{size}", size - 8, size - 1)
    );
    assert_eq!(
        header(&headers, "content-type"),
        Some("application/octet-stream")
    );
    assert_eq!(body.len(), 8);
    assert!(body.ends_with(b"PAR1"));
    h.shutdown().await;
}

#[tokio::test]
async fn start_fails_on_missing_root_and_drop_stops_the_server() {
    let missing = std::env::temp_dir().join("gallery-serve-no-such-folder-4f1d");
    let err = start(ServeOptions {
        root: missing,
        addr: "127.0.0.1:0".parse().unwrap(),
        cors: false,
        ignore_range: false,
        quiet: true,
    })
    .await
    .unwrap_err();
    assert_eq!(err.kind(), std::io::ErrorKind::NotFound);

    let (_tmp, root) = site("drop");
    let h = serve(&root, false, false).await;
    let url = h.url("/data.bin");
    assert_eq!(
        client().get(&url).send().await.unwrap().status(),
        StatusCode::OK
    );
    drop(h);
    let mut refused = false;
    for _ in 0..50 {
        tokio::time::sleep(Duration::from_millis(20)).await;
        if reqwest::Client::builder()
            .no_proxy()
            .pool_max_idle_per_host(0)
            .build()
            .unwrap()
            .get(&url)
            .send()
            .await
            .is_err()
        {
            refused = true;
            break;
        }
    }
    assert!(
        refused,
        "server still answering after its handle was dropped"
    );
}
