//! Hub datasets against the local stand-in of the Hub (`gallery hub-standin`): listing
//! through `Link` pages, pinning a branch to its commit, families in catalog order, the
//! footer of a listed file in one request, gated datasets and the token, rate limits.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use gallery::cli::hub_standin::{start, StandinHandle, StandinOptions, StandinRepo};
use gallery::engine::dataset::hub::{Hub, Token};
use gallery::engine::dataset::source::Source;
use gallery::engine::error::EngineError;
use gallery::engine::native::NativeBackend;
use gallery::engine::session::Session;
use gallery::engine::shard::footer::footer_prefetch;

const TOKEN: &str = "hf_test_token";

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fresh folder under the system's temporary folder, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new() -> Self {
        static N: AtomicU32 = AtomicU32::new(0);
        let dir = std::env::temp_dir().join(format!("gallery-hub-{}-{}", std::process::id(), N.fetch_add(1, Ordering::SeqCst)));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn put(&self, rel: &str, from: &str) -> &Self {
        let to = self.0.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(fixtures().join(from), to).unwrap();
        self
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A ScaleEdit-shaped repository of fixture files (40 rows each), with a folder the
/// catalog does not know, a file at the top and a README.
fn scaleedit_repo() -> TempDir {
    let dir = TempDir::new();
    dir.put("3.1_color_change/color_change_0000.parquet", "pyarrow_page_index_plain.parquet")
        .put("1.1_style_transfer/style_transfer_0001.parquet", "pyarrow_zstd_row_groups.parquet")
        .put("1.1_style_transfer/style_transfer_0000.parquet", "pyarrow_default.parquet")
        .put("extra/more.parquet", "pyarrow_cdc.parquet")
        .put("README.md", "README.md");
    dir
}

async fn standin(repos: &[(&str, &Path, bool)], page_size: usize) -> StandinHandle {
    start(StandinOptions {
        repos: repos.iter().map(|(r, p, gated)| StandinRepo { repo: r.to_string(), root: p.to_path_buf(), gated: *gated }).collect(),
        token: TOKEN.into(),
        hub_addr: "127.0.0.1:0".parse().unwrap(),
        cdn_addr: "127.0.0.1:0".parse().unwrap(),
        page_size,
        ttl: Duration::from_secs(3600),
        quiet: true,
    })
    .await
    .unwrap()
}

fn session(hub: &StandinHandle, token: Option<&str>) -> Session<NativeBackend> {
    let s = Session::new(NativeBackend::default());
    s.set_hub(Hub::new(&hub.hub_url()), token.and_then(Token::new));
    s
}

fn hub_paths(h: &StandinHandle) -> Vec<String> {
    h.hub_log.entries().into_iter().map(|e| format!("{} {}", e.status, e.path)).collect()
}

#[tokio::test(flavor = "current_thread")]
async fn a_hub_dataset_opens_pinned_to_its_commit_with_families_in_catalog_order() {
    let repo = scaleedit_repo();
    let hub = standin(&[("test/scaleedit", &repo.0, false)], 3).await;
    let sha = hub.commit("test/scaleedit").unwrap().to_string();
    let s = session(&hub, None);
    let view = s.open(&Source::parse(Some("hf://datasets/test/scaleedit")).unwrap()).await.unwrap();

    assert_eq!(view.pinned.as_deref(), Some(format!("hf://datasets/test/scaleedit@{sha}").as_str()));
    let families: Vec<(&str, &str, u64)> = view.families.iter().map(|f| (f.id.as_str(), f.task.as_str(), f.files)).collect();
    assert_eq!(families, vec![("1.1", "style_transfer", 2), ("3.1", "color_change", 1), ("", "extra", 1)]);
    let keys: Vec<&str> = view.files.iter().map(|f| f.key.as_str()).collect();
    assert_eq!(
        keys,
        [
            "1.1_style_transfer/style_transfer_0000.parquet",
            "1.1_style_transfer/style_transfer_0001.parquet",
            "3.1_color_change/color_change_0000.parquet",
            "extra/more.parquet",
        ]
    );
    assert_eq!(view.files[0].url, format!("{}/datasets/test/scaleedit/resolve/{sha}/{}", hub.hub_url(), keys[0]));
    assert_eq!(view.files[2].bytes, Some(std::fs::metadata(fixtures().join("pyarrow_page_index_plain.parquet")).unwrap().len()));
    // The first file is counted (its footer checked the columns); the others later.
    assert_eq!((view.files[0].counted, view.files[0].rows), (true, 40));
    assert!(view.files[1..].iter().all(|f| !f.counted));

    // One revision, every page of the listing (8 entries, 3 a page), one resolution.
    let tree = format!("/api/datasets/test/scaleedit/tree/{sha}");
    assert_eq!(
        hub_paths(&hub),
        vec![
            "200 /api/datasets/test/scaleedit/revision/main".to_string(),
            format!("200 {tree}"),
            format!("200 {tree}"),
            format!("200 {tree}"),
            format!("302 /datasets/test/scaleedit/resolve/{sha}/{}", keys[0]),
        ]
    );
    // The size was listed: the footer is one ranged read, never a suffix range.
    let size = view.files[0].bytes.unwrap();
    let cdn: Vec<_> = hub.cdn_log.entries();
    assert_eq!(cdn.len(), 1);
    assert_eq!(cdn[0].range.as_deref(), Some(format!("bytes={}-{}", size - footer_prefetch(size), size - 1).as_str()));
    assert_eq!(cdn[0].status, 206);

    // Counting a file later costs its footer only.
    hub.hub_log.clear();
    assert_eq!(s.count(keys[2]).await.unwrap(), 40);
    assert_eq!(hub.hub_log.entries().len(), 1);
    let rows = s.rows(keys[2], &[0, 39]).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert!(!rows[0].instruction.is_empty());

    // The pinned source opens the same files without asking for the revision.
    hub.hub_log.clear();
    let again = session(&hub, None).open(&Source::parse(view.pinned.as_deref()).unwrap()).await.unwrap();
    assert_eq!(again.files.iter().map(|f| &f.url).collect::<Vec<_>>(), view.files.iter().map(|f| &f.url).collect::<Vec<_>>());
    assert!(hub_paths(&hub).iter().all(|p| !p.contains("/revision/")), "{:?}", hub_paths(&hub));
}

#[tokio::test(flavor = "current_thread")]
async fn a_folder_and_a_single_file_of_a_hub_dataset_open() {
    let repo = scaleedit_repo();
    let hub = standin(&[("test/scaleedit", &repo.0, false)], 1000).await;
    let s = session(&hub, None);
    let view = s.open(&Source::parse(Some("hf://datasets/test/scaleedit@main/1.1_style_transfer")).unwrap()).await.unwrap();
    assert_eq!(view.files.len(), 2);
    assert_eq!(view.name, "test/scaleedit/1.1_style_transfer");
    assert!(view.pinned.as_deref().unwrap().ends_with("/1.1_style_transfer"));

    hub.hub_log.clear();
    let one = s.open(&Source::parse(Some("hf://datasets/test/scaleedit/3.1_color_change/color_change_0000.parquet")).unwrap()).await.unwrap();
    assert_eq!(one.files.len(), 1);
    assert_eq!((one.files[0].counted, one.files[0].rows), (true, 40));
    assert_eq!(one.families[0].task, "color_change");
    assert!(hub_paths(&hub).iter().all(|p| !p.contains("/tree/")), "a file is not listed: {:?}", hub_paths(&hub));
}

#[tokio::test(flavor = "current_thread")]
async fn missing_repositories_revisions_and_folders_are_named() {
    let repo = scaleedit_repo();
    let hub = standin(&[("test/scaleedit", &repo.0, false)], 1000).await;
    let s = session(&hub, None);
    for (src, says) in [
        ("hf://datasets/test/nothing", "no such dataset"),
        ("hf://datasets/test/scaleedit@v9", "no such branch, tag or commit"),
        ("hf://datasets/test/scaleedit/no_folder", "no such folder or file"),
    ] {
        let err = s.open(&Source::parse(Some(src)).unwrap()).await.unwrap_err();
        assert!(matches!(err, EngineError::Hub { .. }), "{src}: {err}");
        assert!(err.to_string().contains(says), "{src}: {err}");
    }
    let err = s.open(&Source::parse(Some("hf://datasets/test/scaleedit/README.md")).unwrap()).await;
    assert!(err.is_err());
}

#[tokio::test(flavor = "current_thread")]
async fn a_gated_dataset_needs_the_token_which_goes_to_the_hub_only() {
    let repo = scaleedit_repo();
    let hub = standin(&[("test/gated", &repo.0, true)], 1000).await;
    let src = Source::parse(Some("hf://datasets/test/gated")).unwrap();
    let page = format!("{}/datasets/test/gated", hub.hub_url());

    let err = session(&hub, None).open(&src).await.unwrap_err().to_string();
    assert!(err.contains(&format!("accept the dataset's terms at {page}")), "{err}");
    assert!(err.contains("access token"), "{err}");

    let err = session(&hub, Some("hf_wrong")).open(&src).await.unwrap_err().to_string();
    assert!(err.contains("your token has no access") && err.contains(&page), "{err}");

    hub.hub_log.clear();
    hub.cdn_log.clear();
    let s = session(&hub, Some(TOKEN));
    let view = s.open(&src).await.unwrap();
    s.images(&view.files[0].key, &[3]).await.unwrap();
    // The CDN answered without a token (reqwest drops it on the cross-origin redirect);
    // no token ever appears in a URL.
    assert!(hub.cdn_log.entries().iter().all(|e| e.status == 206));
    for e in hub.hub_log.entries().iter().chain(&hub.cdn_log.entries()) {
        assert!(!e.path.contains(TOKEN), "{}", e.path);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_rate_limited_hub_says_to_wait() {
    let repo = scaleedit_repo();
    let hub = standin(&[("test/scaleedit", &repo.0, false)], 1000).await;
    hub.set_rate_limited(true);
    let err = session(&hub, None).open(&Source::parse(Some("hf://datasets/test/scaleedit")).unwrap()).await.unwrap_err();
    assert!(matches!(err, EngineError::Hub { status: 429, .. }), "{err}");
    assert!(err.to_string().contains("wait a few minutes"), "{err}");
    // Files too: a file read refused with 429 says the same.
    hub.set_rate_limited(false);
    let s = session(&hub, None);
    let view = s.open(&Source::parse(Some("hf://datasets/test/scaleedit")).unwrap()).await.unwrap();
    hub.set_rate_limited(true);
    let err = s.count(&view.files[1].key).await.unwrap_err();
    assert!(err.to_string().contains("wait a few minutes"), "{err}");
}

#[tokio::test(flavor = "current_thread")]
async fn a_listing_is_read_within_its_bounds() {
    let dir = TempDir::new();
    for i in 0..101 {
        dir.put(&format!("notes/n{i:03}.md"), "README.md");
    }
    let hub = standin(&[("test/big", &dir.0, false)], 1).await;
    let err = session(&hub, None).open(&Source::parse(Some("hf://datasets/test/big")).unwrap()).await.unwrap_err().to_string();
    assert!(err.contains("open one folder of it"), "{err}");
    let tree_pages = hub.hub_log.entries().iter().filter(|e| e.path.contains("/tree/")).count();
    assert_eq!(tree_pages, 100);
}

#[tokio::test(flavor = "current_thread")]
async fn later_ranges_of_a_hub_file_go_straight_to_the_cdn_until_its_url_expires() {
    let repo = scaleedit_repo();
    let hub = standin(&[("test/scaleedit", &repo.0, false)], 1000).await;
    hub.set_ttl(Duration::from_millis(1500));
    let s = session(&hub, None);
    let view = s.open(&Source::parse(Some("hf://datasets/test/scaleedit")).unwrap()).await.unwrap();
    let resolves = |h: &StandinHandle| h.hub_log.entries().iter().filter(|e| e.path.contains("/resolve/")).count();
    assert_eq!(resolves(&hub), 1, "the footer's read resolved the file once");

    // Text and images of the first file: straight to the CDN, no resolver hit.
    let key = &view.files[0].key;
    s.rows(key, &[0, 1, 2]).await.unwrap();
    s.images(key, &[5, 30]).await.unwrap();
    assert_eq!(resolves(&hub), 1);
    assert!(hub.cdn_log.entries().iter().all(|e| e.status == 206));

    // The signed URL expires: the CDN refuses it once, the file is resolved again, once.
    tokio::time::sleep(Duration::from_millis(1700)).await;
    hub.set_ttl(Duration::from_secs(3600));
    hub.cdn_log.clear();
    s.images(key, &[7]).await.unwrap();
    assert_eq!(resolves(&hub), 2);
    let statuses: Vec<u16> = hub.cdn_log.entries().iter().map(|e| e.status).collect();
    assert_eq!(statuses[0], 403, "{statuses:?}");
    assert!(statuses[1..].iter().all(|&s| s == 206), "{statuses:?}");
    s.images(key, &[9]).await.unwrap();
    assert_eq!(resolves(&hub), 2, "the fresh URL is used from then on");
}
