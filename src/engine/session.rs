//! A browsing session: the opened dataset, a bounded cache of shard footers, and the
//! questions a gallery asks (open a source, the text of these rows, the images of these
//! rows, what changed between a row's two images, what a read would cost). The same code
//! serves the browser worker, the CLI and native tests; only the `Backend` (how a URL
//! becomes a range source) differs. Transient failures are retried; a file that changed
//! on the server is forgotten (footer, page maps, pairs) and read again once.

use std::cell::{Cell, RefCell};
use std::collections::{HashSet, VecDeque};
use std::rc::Rc;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::FutureExt;

use crate::engine::dataset::hub::{self, ApiReply, Hub, Token, MAX_TREE_ENTRIES, MAX_TREE_PAGES};
use crate::engine::dataset::link::ColumnMap;
use crate::engine::dataset::manifest::Manifest;
use crate::engine::dataset::open::DatasetView;
use crate::engine::dataset::source::{Source, LOCAL_PREFIX};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::imaging::diff::{self, ChangeMap, PairName, Which};
use crate::engine::imaging::sniff::{self, Header};
use crate::engine::range::gate::{Gate, MAX_IN_FLIGHT};
use crate::engine::index::format::IndexManifest;
use crate::engine::index::query::IndexReader;
use crate::engine::search;
use crate::engine::range::retry::{RetryPolicy, Retrying};
use crate::engine::range::{Counters, RangeSource, Stats};
use crate::engine::shard::page_store::{MemoryPageMaps, PageMapStore};
use crate::engine::shard::sample::{self, PairBytes, SampleMeta};
use crate::engine::shard::scores::{self, FileScores};
use crate::engine::shard::{footer, order, plan, read, Cost, Shard};

/// Footers kept in memory (each is a few KB to a few MB).
pub const SHARD_CACHE: usize = 32;

/// Recently shown image pairs kept in memory, so reopening a sample or scrolling back
/// costs no transfer. Bounded in bytes; the oldest go first.
pub const PAIR_CACHE_BYTES: usize = 24 * 1024 * 1024;

/// A manifest larger than this is refused.
pub const MAX_MANIFEST_BYTES: usize = 4 * 1024 * 1024;

/// The source of the local file `name` as backends know it.
pub fn local_url(name: &str) -> String {
    format!("{LOCAL_PREFIX}{name}")
}

/// How URLs become readable sources in this environment.
pub trait Backend {
    /// A range source for `url`, counting into `counters`.
    fn source(&self, url: &str, size: Option<u64>, counters: &Counters) -> Rc<dyn RangeSource>;

    /// The whole text of a small file (a manifest), counted into `counters`.
    fn get_text<'a>(&'a self, url: &'a str, counters: &'a Counters) -> LocalBoxFuture<'a, EngineResult<String>>;

    /// A `GET` of the Hub's JSON API, whatever its status (at most `hub::MAX_API_BYTES`),
    /// with the token set by `set_hub` when `url` is on the Hub's origin.
    fn get_api<'a>(&'a self, url: &'a str, counters: &'a Counters) -> LocalBoxFuture<'a, EngineResult<ApiReply>> {
        let _ = counters;
        async move { Err(EngineError::Source { src: url.into(), detail: "the Hub cannot be reached from here".into() }) }.boxed_local()
    }

    /// Talk to `hub` from now on, sending `token` (as `Authorization`) to its origin only.
    fn set_hub(&self, hub: &Hub, token: Option<Token>) {
        let _ = (hub, token);
    }

    /// Whether a local file named `name` was handed to this backend (its source is
    /// `local:{name}`).
    fn has_local(&self, name: &str) -> bool {
        let _ = name;
        false
    }
}

pub struct Session<B: Backend> {
    backend: B,
    counters: Counters,
    dataset: RefCell<Option<Rc<DatasetView>>>,
    shards: RefCell<VecDeque<(String, Rc<Shard>)>>,
    pairs: RefCell<PairCache>,
    /// The change map of the last compared pair (file URL, row): a new threshold recolours
    /// it without decoding again. One entry, at most `diff::MAX_PIXELS` bytes.
    last_diff: RefCell<Option<(String, u64, Rc<ChangeMap>)>>,
    /// Page maps of files read, by version, kept beyond the footer cache.
    page_maps: Box<dyn PageMapStore>,
    retry: RetryPolicy,
    /// The bound on requests in flight, shared by every file read.
    gate: Gate,
    hub: RefCell<Hub>,
    /// A token was given for the Hub (messages differ).
    token_given: Cell<bool>,
    /// The Hub repository of the open dataset, when it is one.
    hub_repo: RefCell<Option<String>>,
    /// The columns a link named (`map=`), for every file read.
    map: RefCell<Option<ColumnMap>>,
    /// Instructions of the files searched so far.
    search_index: RefCell<search::Index>,
    /// The open dataset's static index, when its manifest names one.
    static_index: RefCell<Option<Rc<IndexReader>>>,
    /// Whether a manifest's index is loaded (not when building one).
    use_static_index: Cell<bool>,
    /// Bytes of a file's first footer read, by its size.
    footer_prefetch: fn(u64) -> u64,
}

/// The answer to a search, with how far it reached.
#[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Searched {
    pub found: search::Found,
    /// Files whose instructions were searched (the first ones asked for).
    pub files: usize,
    /// Instructions in the index.
    pub docs: usize,
    /// Where a further search would go on (the dataset's static index, when the windows
    /// read did not reach its end).
    #[serde(default)]
    pub next: Option<u64>,
    /// Whether `found.total` is a count rather than an estimate.
    #[serde(default)]
    pub exact: bool,
}

/// Whether `text` holds each of `phrases` as consecutive stems.
fn has_phrases(phrases: &[Vec<String>], text: &str) -> bool {
    let stems = search::terms(text);
    phrases.iter().all(|p| p.is_empty() || stems.windows(p.len()).any(|w| w == p.as_slice()))
}

/// What changed between a row's two images, at one threshold.
#[derive(Debug, Clone, PartialEq)]
pub struct Difference {
    /// Share of the source's pixels that changed by more than the threshold, 0–1.
    pub fraction: f64,
    /// The source's size, which is also the heatmap's.
    pub width: u32,
    pub height: u32,
    /// The edited image was resized to the source's size to compare.
    pub resized: bool,
    /// The heatmap, RGBA PNG, transparent where nothing changed.
    pub png: Vec<u8>,
}

/// An image pair as handed to the page: for each image its format, or why it is not shown
/// (its header says it is empty, unknown or too large for a browser to show).
#[derive(Debug, Clone, PartialEq)]
pub struct ShownPair {
    pub pair: PairBytes,
    pub source: Result<Header, EngineError>,
    pub edited: Result<Header, EngineError>,
}

impl ShownPair {
    /// Check both images of `pair` of file `key` by their headers only.
    pub fn check(key: &str, pair: PairBytes) -> Self {
        let name = PairName { file: key, row: pair.row };
        let check = |bytes: &[u8], which| {
            sniff::check(bytes, sniff::MAX_SHOWN_PIXELS).map_err(|d| name.error(which, d))
        };
        Self { source: check(&pair.source, Which::Source), edited: check(&pair.edited, Which::Edited), pair }
    }
}

/// Image pairs by (file URL, row), oldest first, within `PAIR_CACHE_BYTES`.
#[derive(Default)]
struct PairCache {
    entries: VecDeque<(String, PairBytes)>,
    bytes: usize,
}

impl PairCache {
    fn get(&self, url: &str, row: u64) -> Option<PairBytes> {
        self.entries.iter().find(|(u, p)| u == url && p.row == row).map(|(_, p)| p.clone())
    }

    fn put(&mut self, url: &str, pair: PairBytes) {
        let size = pair.source.len() + pair.edited.len();
        if size > PAIR_CACHE_BYTES || self.get(url, pair.row).is_some() {
            return;
        }
        while self.bytes + size > PAIR_CACHE_BYTES {
            match self.entries.pop_front() {
                Some((_, old)) => self.bytes -= old.source.len() + old.edited.len(),
                None => break,
            }
        }
        self.bytes += size;
        // Copies: a read's images are views of the ranges fetched, which would be kept
        // whole while any one of their images is cached.
        let pair = PairBytes { row: pair.row, source: Bytes::copy_from_slice(&pair.source), edited: Bytes::copy_from_slice(&pair.edited) };
        self.entries.push_back((url.into(), pair));
    }

    fn forget(&mut self, url: &str) {
        self.entries.retain(|(u, _)| u != url);
        self.bytes = self.entries.iter().map(|(_, p)| p.source.len() + p.edited.len()).sum();
    }
}

impl<B: Backend> Session<B> {
    pub fn new(backend: B) -> Self {
        let counters = Counters::default();
        Self {
            backend,
            gate: Gate::new(MAX_IN_FLIGHT, counters.clone()),
            counters,
            dataset: RefCell::new(None),
            shards: RefCell::new(VecDeque::new()),
            pairs: RefCell::new(PairCache::default()),
            last_diff: RefCell::new(None),
            page_maps: Box::new(MemoryPageMaps::new()),
            retry: RetryPolicy::default(),
            hub: RefCell::new(Hub::default()),
            token_given: Cell::new(false),
            hub_repo: RefCell::new(None),
            map: RefCell::new(None),
            search_index: RefCell::new(search::Index::new()),
            static_index: RefCell::new(None),
            use_static_index: Cell::new(true),
            footer_prefetch: footer::footer_prefetch,
        }
    }

    /// Read files with the columns `map` names (`None`: as their layout says). Footers and
    /// pairs read with another map are forgotten.
    pub fn set_map(&self, map: Option<ColumnMap>) {
        if *self.map.borrow() != map {
            self.shards.borrow_mut().clear();
            *self.pairs.borrow_mut() = PairCache::default();
            self.last_diff.borrow_mut().take();
            *self.map.borrow_mut() = map;
        }
    }

    /// Talk to `hub` (huggingface.co, or a stand-in in tests) with `token`, if any.
    pub fn set_hub(&self, hub: Hub, token: Option<Token>) {
        self.token_given.set(token.is_some());
        self.backend.set_hub(&hub, token);
        *self.hub.borrow_mut() = hub;
    }

    /// The backend this session reads through.
    pub fn backend(&self) -> &B {
        &self.backend
    }

    /// The Hub this session talks to.
    pub fn hub(&self) -> Hub {
        self.hub.borrow().clone()
    }

    /// Retry transient failures by `policy` instead of the default.
    pub fn with_retry(mut self, policy: RetryPolicy) -> Self {
        self.retry = policy;
        self
    }

    /// Read each footer in two reads of exactly its bytes (length, then the rest) instead
    /// of one larger read: for reading many files whole, where bytes count more.
    pub fn with_exact_footers(mut self) -> Self {
        self.footer_prefetch = footer::exact_prefetch;
        self
    }

    /// Keep page maps in `store` (e.g. one that persists them) instead of in memory.
    pub fn with_page_maps(mut self, store: Box<dyn PageMapStore>) -> Self {
        self.page_maps = store;
        self
    }

    /// A range source for `url`, retrying transient failures.
    fn source(&self, url: &str, size: Option<u64>) -> Rc<dyn RangeSource> {
        Rc::new(Retrying::new(self.gate.guard(self.backend.source(url, size, &self.counters)), self.retry))
    }

    /// Requests and bytes transferred since the session began.
    pub fn stats(&self) -> Stats {
        self.counters.snapshot()
    }

    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Open a source: a manifest is fetched and parsed; a single Parquet file has its
    /// footer read and its columns checked.
    pub async fn open(&self, src: &Source) -> EngineResult<Rc<DatasetView>> {
        *self.search_index.borrow_mut() = search::Index::new();
        self.static_index.borrow_mut().take();
        let view = match src {
            Source::Manifest(url) => {
                let text = self.backend.get_text(url, &self.counters).await?;
                if text.len() > MAX_MANIFEST_BYTES {
                    return Err(EngineError::TooLarge {
                        file: url.clone(),
                        what: "manifest".into(),
                        size: text.len() as u64,
                        limit: MAX_MANIFEST_BYTES as u64,
                    });
                }
                let view = DatasetView::from_manifest(url, &text)?;
                let named = Manifest::parse(&text).ok().and_then(|m| m.index).filter(|_| self.use_static_index.get());
                if let Some(index) = named {
                    *self.static_index.borrow_mut() = Some(Rc::new(self.load_index(url, &index).await?));
                }
                view
            }
            Source::Parquet(url) => {
                let shard = self.load_shard(url, None).await?;
                let mut view = DatasetView::single_file(url, shard.rows(), shard.size);
                view.layout = Some(shard.columns.layout.clone());
                view
            }
            Source::Hub { repo, revision, path } => {
                let mut view = self.list_hub(repo, revision.as_deref(), path).await?;
                *self.hub_repo.borrow_mut() = Some(repo.clone());
                // The first file's footer: its columns are checked (a dataset the gallery
                // cannot show says so now) and its rows counted.
                let first = &mut view.files[0];
                let shard = match self.load_shard(&first.url, first.bytes).await {
                    Ok(s) => s,
                    Err(e) => return Err(self.explain_refusal(repo, e).await),
                };
                (first.rows, first.counted, first.bytes) = (shard.rows(), true, Some(shard.size));
                view.layout = Some(shard.columns.layout.clone());
                view.recount();
                view
            }
            Source::Local(names) => self.open_local(names).await?,
        };
        if !matches!(src, Source::Hub { .. }) {
            self.hub_repo.borrow_mut().take();
        }
        let view = Rc::new(view);
        *self.dataset.borrow_mut() = Some(Rc::clone(&view));
        Ok(view)
    }

    /// Local files handed to the backend, each counted from its footer (a local read is
    /// quick); ScaleEdit shards (`{task}_{NNNN}.parquet`) grouped into their families.
    async fn open_local(&self, names: &[String]) -> EngineResult<DatasetView> {
        let missing: Vec<&str> = names.iter().filter(|n| !self.backend.has_local(n)).map(String::as_str).collect();
        if !missing.is_empty() {
            return Err(EngineError::LocalMissing { file: missing.join(", ") });
        }
        let mut files = Vec::new();
        let mut layout = None;
        for name in names {
            let url = local_url(name);
            let shard = self.load_shard(&url, None).await?;
            layout.get_or_insert_with(|| shard.columns.layout.clone());
            files.push((name.clone(), url, shard.rows(), shard.size));
        }
        let mut view = DatasetView::local(files);
        view.layout = layout;
        Ok(view)
    }

    /// Forget what was read of the local files `names` (other files now go by these
    /// names).
    pub async fn forget_local(&self, names: &[String]) {
        for name in names {
            self.forget(&local_url(name)).await;
        }
    }

    /// A Hub API answer about `repo`, refused unless it is a success.
    async fn api(&self, repo: &str, url: &str) -> EngineResult<ApiReply> {
        let reply = self.backend.get_api(url, &self.counters).await?;
        if !(200..300).contains(&reply.status) {
            return Err(hub::refusal(&self.hub(), repo, &reply, self.token_given.get()));
        }
        Ok(reply)
    }

    /// The Parquet files of `path` in `repo` at `revision` (default `main`), pinned to
    /// the commit it points to now; the listing is read page by page, within bounds.
    async fn list_hub(&self, repo: &str, revision: Option<&str>, path: &str) -> EngineResult<DatasetView> {
        let hub = self.hub();
        let rev = revision.unwrap_or("main");
        let commit = if hub::is_commit(rev) {
            rev.to_ascii_lowercase()
        } else {
            let url = hub.revision_url(repo, rev);
            let reply = self.api(repo, &url).await?;
            hub::parse_revision(&url, &reply.text)?
        };
        if path.to_ascii_lowercase().ends_with(".parquet") {
            return Ok(hub::single_file_view(&hub, repo, &commit, path));
        }
        let mut url = hub.tree_url(repo, &commit, path);
        let mut files = Vec::new();
        let mut entries = 0usize;
        for page in 1.. {
            let reply = self.api(repo, &url).await?;
            let listed = hub::parse_tree_page(&url, &reply.text)?;
            entries += listed.len();
            files.extend(hub::parquet_files(&listed));
            let Some(next) = hub::next_link(reply.link.as_deref()) else { break };
            let refuse = |detail: String| EngineError::Hub { repo: repo.into(), status: reply.status, detail };
            if !hub.owns(&next) {
                return Err(refuse(format!("the listing's next page is on another site ({next}); not followed")));
            }
            if page >= MAX_TREE_PAGES || entries >= MAX_TREE_ENTRIES {
                let short = &commit[..7];
                return Err(refuse(format!(
                    "the listing goes on beyond {entries} entries in {page} pages (the gallery reads at most {MAX_TREE_ENTRIES} in {MAX_TREE_PAGES}): open one folder of it, hf://datasets/{repo}@{short}/<folder>"
                )));
            }
            url = next;
        }
        hub::view(&hub, repo, &commit, path, &files)
    }

    /// A refusal of the Hub while reading one of its files, said as what to do.
    fn explain(&self, e: EngineError) -> EngineError {
        let repo = self.hub_repo.borrow().clone();
        match (&e, repo) {
            (EngineError::Http { file, status, .. }, Some(repo)) if matches!(status, 401 | 403 | 429) && self.hub().owns(file) => {
                hub::refusal_of(&self.hub(), &repo, *status, None, None, self.token_given.get())
            }
            _ => e,
        }
    }

    /// `explain`, asking the Hub whether the dataset is gated when a file was refused (a
    /// gated dataset lists its files to anyone but serves them only to who accepted its
    /// terms).
    async fn explain_refusal(&self, repo: &str, e: EngineError) -> EngineError {
        let hub = self.hub();
        match &e {
            EngineError::Http { file, status: status @ (401 | 403), .. } if hub.owns(file) => {
                let url = format!("{}/api/datasets/{repo}", hub.base());
                let gated = match self.backend.get_api(&url, &self.counters).await {
                    Ok(r) if r.status == 200 => hub::is_gated(&r.text),
                    _ => false,
                };
                let code = gated.then_some("GatedRepo");
                hub::refusal_of(&hub, repo, *status, code, None, self.token_given.get())
            }
            _ => self.explain(e),
        }
    }

    /// The rows of file `key` of the open dataset, from its footer (read once).
    pub async fn count(&self, key: &str) -> EngineResult<u64> {
        let (_, shard) = self.shard(key).await.map_err(|e| self.explain(e))?;
        Ok(shard.rows())
    }

    /// The row groups of file `key` of the open dataset, as (first row, rows), from its
    /// footer: reading a file group by group fetches each page once.
    pub async fn row_groups(&self, key: &str) -> EngineResult<Vec<(u64, u64)>> {
        let (_, shard) = self.shard(key).await.map_err(|e| self.explain(e))?;
        Ok(plan::row_groups(&shard))
    }

    /// Search the files themselves even when the manifest names a static index (as the
    /// index's own build does).
    pub fn without_static_index(self) -> Self {
        self.use_static_index.set(false);
        self
    }

    /// The static index named by the manifest at `manifest_url` (`index` relative to it).
    async fn load_index(&self, manifest_url: &str, index: &str) -> EngineResult<IndexReader> {
        let url = match manifest_url.rsplit_once('/') {
            Some((base, _)) if !index.contains("://") => format!("{base}/{index}"),
            _ => index.to_string(),
        };
        let text = self.backend.get_text(&url, &self.counters).await?;
        let manifest = IndexManifest::parse(&text).map_err(|detail| EngineError::Manifest { file: url.clone(), detail })?;
        Ok(IndexReader::new(&url, manifest))
    }

    /// The size in bytes of file `key` (its footer read, when not yet).
    pub async fn shard_size(&self, key: &str) -> EngineResult<u64> {
        let (_, shard) = self.shard(key).await.map_err(|e| self.explain(e))?;
        Ok(shard.size)
    }

    fn cached(&self, url: &str) -> Option<Rc<Shard>> {
        self.shards.borrow().iter().find(|(u, _)| u == url).map(|(_, s)| Rc::clone(s))
    }

    async fn load_shard(&self, url: &str, size: Option<u64>) -> EngineResult<Rc<Shard>> {
        if let Some(s) = self.cached(url) {
            return Ok(s);
        }
        let src = self.source(url, size);
        let footer = footer::read_footer_with(src.as_ref(), self.footer_prefetch).await?;
        let shard = Rc::new(Shard::mapped(url, footer, self.map.borrow().as_ref())?);
        if let Some(maps) = self.page_maps.load(&shard.key()).await {
            *shard.pages.borrow_mut() = maps;
        }
        let mut cache = self.shards.borrow_mut();
        if cache.len() >= SHARD_CACHE {
            cache.pop_front();
        }
        cache.push_back((url.into(), Rc::clone(&shard)));
        Ok(shard)
    }

    /// The shard behind a file key of the open dataset (or a URL of one).
    async fn shard(&self, key: &str) -> EngineResult<(Rc<dyn RangeSource>, Rc<Shard>)> {
        let file = self.dataset.borrow().as_ref().and_then(|d| d.file(key).cloned());
        let (url, size) = match &file {
            Some(f) => (f.url.clone(), f.bytes),
            None => {
                return Err(EngineError::Source { src: key.into(), detail: "not a file of the open dataset".into() })
            }
        };
        let shard = self.load_shard(&url, size).await?;
        Ok((self.source(&url, Some(shard.size)), shard))
    }

    /// Forget all that is known of `url` (footer, page maps, pairs): it changed.
    async fn forget(&self, url: &str) {
        self.shards.borrow_mut().retain(|(u, _)| u != url);
        self.pairs.borrow_mut().forget(url);
        self.last_diff.borrow_mut().take_if(|(u, _, _)| u == url);
        self.page_maps.forget(url).await;
    }

    /// Read `rows` × `roots` of `shard`, keeping the page maps learned on the way.
    async fn read(&self, src: &dyn RangeSource, shard: &Shard, rows: &[u64], roots: &[usize]) -> EngineResult<Vec<arrow_array::RecordBatch>> {
        self.read_early(src, shard, rows, roots, None).await
    }

    /// `read`, telling `early` of values as they arrive (see `read::Early`).
    async fn read_early(
        &self,
        src: &dyn RangeSource,
        shard: &Shard,
        rows: &[u64],
        roots: &[usize],
        early: read::Early<'_>,
    ) -> EngineResult<Vec<arrow_array::RecordBatch>> {
        let known = shard.pages.borrow().pages();
        let result = read::read_rows_early(src, shard, rows, roots, early).await;
        if shard.pages.borrow().pages() > known && !matches!(result, Err(EngineError::Changed { .. })) {
            let maps = shard.pages.borrow().clone();
            self.page_maps.save(&shard.key(), &maps).await;
        }
        result
    }

    /// The three scores of every row of file `key`: what the footer's statistics prove,
    /// and the score columns of the other row groups read (never the images).
    pub async fn scores(&self, key: &str) -> EngineResult<FileScores> {
        let result = match self.scores_once(key).await {
            Err(EngineError::Changed { file, .. }) => {
                self.forget(&file).await;
                self.scores_once(key).await
            }
            other => other,
        };
        result.map_err(|e| self.explain(e))
    }

    async fn scores_once(&self, key: &str) -> EngineResult<FileScores> {
        let (src, shard) = self.shard(key).await?;
        let scores::Plan { mut scores, to_read } = scores::plan(&shard);
        let roots: Vec<usize> = shard.columns.scores.iter().flatten().copied().collect();
        if !to_read.is_empty() && !roots.is_empty() {
            let batches = self.read(src.as_ref(), &shard, &to_read, &roots).await?;
            scores::fill(&mut scores, &batches, &to_read);
        }
        Ok(scores)
    }

    /// Search the instructions of `files` (indexed on first use: the instruction column
    /// read alone, never the images) for `query`; at most `limit` hits, best first, after
    /// the `from` best (shown already). Files past `search::MAX_INDEXED_DOCS` instructions
    /// are left out, and said so.
    ///
    /// With the dataset's static index, the whole dataset is searched instead, from
    /// position `from` on (0 first, then the answer's `next`): every hit of the windows
    /// read, which may be more than `limit`. A phrase is checked on the instructions of
    /// the index's hits (the index does not keep word order), read as the grid would.
    pub async fn search(&self, files: &[String], query: &str, from: u64, limit: usize) -> EngineResult<Searched> {
        let index = self.static_index.borrow().clone();
        if let Some(index) = index {
            let sources = |url: &str, size: u64| self.source(url, Some(size));
            let found = index.search(&sources, query, from, limit).await.map_err(|e| self.explain(e))?;
            let mut hits: Vec<search::Hit> = found
                .hits
                .iter()
                .filter_map(|h| Some(search::Hit { file: index.shard_key(h.shard)?.to_string(), row: h.row, score: h.score }))
                .collect();
            // Only the files asked for (a task family's), and a phrase's words in order.
            let before = hits.len();
            if files.len() < index.manifest.shards.len() {
                let asked: HashSet<&str> = files.iter().map(String::as_str).collect();
                hits.retain(|h| asked.contains(h.file.as_str()));
            }
            let phrases = search::Query::parse(query).phrases;
            if !phrases.is_empty() && !hits.is_empty() {
                hits = self.with_phrases(hits, &phrases).await?;
            }
            let total = match before {
                _ if found.exact => hits.len() as u64,
                0 => found.total,
                b => (found.total as f64 * hits.len() as f64 / b as f64).round() as u64,
            };
            return Ok(Searched {
                found: search::Found { hits, total: usize::try_from(total).unwrap_or(usize::MAX), stems: found.stems },
                files: index.manifest.shards.len(),
                docs: usize::try_from(index.manifest.docs).unwrap_or(usize::MAX),
                next: found.next,
                exact: found.exact,
            });
        }
        let mut searched = 0;
        for key in files {
            if !self.search_index.borrow().has(key) {
                if self.search_index.borrow().len() >= search::MAX_INDEXED_DOCS {
                    break;
                }
                let (src, shard) = self.shard(key).await.map_err(|e| self.explain(e))?;
                let rows: Vec<u64> = (0..shard.rows()).collect();
                let batches = self.read(src.as_ref(), &shard, &rows, &[shard.columns.instruction]).await.map_err(|e| self.explain(e))?;
                let texts = sample::instructions(&batches, &rows, &shard.columns);
                self.search_index.borrow_mut().add_file(key, &texts);
            }
            searched += 1;
        }
        // Every hit among the files asked (the index may hold others, searched before),
        // less the `from` best shown already, `limit` at most.
        let from = usize::try_from(from).unwrap_or(usize::MAX);
        let mut found = self.search_index.borrow().search(&search::Query::parse(query), usize::MAX);
        let asked: HashSet<&str> = files[..searched].iter().map(String::as_str).collect();
        found.hits.retain(|h| asked.contains(h.file.as_str()));
        found.total = found.hits.len();
        found.hits.drain(..from.min(found.hits.len()));
        found.hits.truncate(limit);
        let next = (found.total > from.saturating_add(limit)).then_some((from + limit) as u64);
        Ok(Searched { found, files: searched, docs: self.search_index.borrow().len(), next, exact: true })
    }

    /// The file and row of the sample with id `id`, from the static index's catalog, and
    /// whether the dataset has an index at all (without one, ids are not looked up).
    pub async fn find_id(&self, id: i64) -> EngineResult<(Option<(String, u64)>, bool)> {
        let Some(index) = self.static_index.borrow().clone() else { return Ok((None, false)) };
        let sources = |url: &str, size: u64| self.source(url, Some(size));
        let found = index.find_id(&sources, id).await.map_err(|e| self.explain(e))?;
        Ok((found.and_then(|(shard, row)| Some((index.shard_key(shard)?.to_string(), row))), true))
    }

    /// The `hits` whose instruction holds every one of `phrases` (runs of stems), in the
    /// same order; their instructions are read file by file, all files at once.
    async fn with_phrases(&self, hits: Vec<search::Hit>, phrases: &[Vec<String>]) -> EngineResult<Vec<search::Hit>> {
        let mut files: Vec<(&str, Vec<u64>)> = Vec::new();
        for h in &hits {
            match files.iter_mut().find(|(f, _)| *f == h.file) {
                Some((_, rows)) => rows.push(h.row),
                None => files.push((&h.file, vec![h.row])),
            }
        }
        let read = futures::future::join_all(files.iter().map(|(f, rows)| self.rows(f, rows))).await;
        let mut kept = HashSet::new();
        for ((file, _), metas) in files.iter().zip(read) {
            for m in metas? {
                if has_phrases(phrases, &m.instruction) {
                    kept.insert((file.to_string(), m.row));
                }
            }
        }
        Ok(hits.into_iter().filter(|h| kept.contains(&(h.file.clone(), h.row))).collect())
    }

    /// The small columns of `rows` of file `key`, sorted by row.
    pub async fn rows(&self, key: &str, rows: &[u64]) -> EngineResult<Vec<SampleMeta>> {
        let result = match self.rows_once(key, rows).await {
            Err(EngineError::Changed { file, .. }) => {
                self.forget(&file).await;
                self.rows_once(key, rows).await
            }
            other => other,
        };
        result.map_err(|e| self.explain(e))
    }

    async fn rows_once(&self, key: &str, rows: &[u64]) -> EngineResult<Vec<SampleMeta>> {
        let (src, shard) = self.shard(key).await?;
        let batches = self.read(src.as_ref(), &shard, rows, &shard.columns.small()).await?;
        Ok(sample::metas(&batches, &sample::sorted_rows(rows), &shard.columns))
    }

    /// The encoded images of `rows` of file `key`, sorted by row. Pairs shown recently
    /// come from memory; only the others are read.
    pub async fn images(&self, key: &str, rows: &[u64]) -> EngineResult<Vec<PairBytes>> {
        self.images_early(key, rows, None).await
    }

    /// `images`, telling `early` of each image read as soon as it is in: (row, whether it
    /// is the edited image, its bytes). What the result holds is what counts: an image
    /// told early may be missing from it (a read that failed, a file that changed on the
    /// way and was read again) or differ from it.
    ///
    /// Pairs read with `early` (a grid's thumbnails) are not kept in memory: a grid passes
    /// through thousands, and keeping the full-size images of the last few dozen would
    /// hold tens of MB for the rare one opened next. Pairs kept before are still used.
    pub async fn images_early(&self, key: &str, rows: &[u64], early: Option<&dyn Fn(u64, bool, &Bytes)>) -> EngineResult<Vec<PairBytes>> {
        let result = match self.images_once(key, rows, early).await {
            Err(EngineError::Changed { file, .. }) => {
                self.forget(&file).await;
                self.images_once(key, rows, early).await
            }
            other => other,
        };
        result.map_err(|e| self.explain(e))
    }

    /// The images of `rows` of file `key` as the page may show them: each checked by its
    /// header (format known, size within `sniff::MAX_SHOWN_PIXELS`), so a cell that is
    /// empty, not an image or a decompression bomb is reported instead of handed on.
    pub async fn shown_images(&self, key: &str, rows: &[u64]) -> EngineResult<Vec<ShownPair>> {
        self.shown_images_early(key, rows, None).await
    }

    /// `shown_images`, telling `early` of each image as `images_early` does.
    pub async fn shown_images_early(&self, key: &str, rows: &[u64], early: Option<&dyn Fn(u64, bool, &Bytes)>) -> EngineResult<Vec<ShownPair>> {
        Ok(self.images_early(key, rows, early).await?.into_iter().map(|p| ShownPair::check(key, p)).collect())
    }

    /// What showing `rows` of file `key` would cost: their images (`images`) or their
    /// text, from the footer and the page maps known so far (see `plan_cost`).
    pub async fn cost(&self, key: &str, rows: &[u64], images: bool) -> EngineResult<Cost> {
        let (_, shard) = self.shard(key).await?;
        let roots = if images { shard.columns.images() } else { shard.columns.small() };
        Ok(plan::plan_cost(&shard, rows, &roots))
    }

    /// Up to `limit` rows of file `key`, cheapest first to show with their images (the
    /// first rows of every page before the later ones).
    pub async fn cheapest_rows(&self, key: &str, limit: usize) -> EngineResult<Vec<u64>> {
        let (_, shard) = self.shard(key).await?;
        Ok(order::cheapest_first(&shard, &shard.columns.images(), limit))
    }

    async fn images_once(&self, key: &str, rows: &[u64], early: Option<&dyn Fn(u64, bool, &Bytes)>) -> EngineResult<Vec<PairBytes>> {
        let (src, shard) = self.shard(key).await?;
        let rows = sample::sorted_rows(rows);
        let (mut found, missing): (Vec<PairBytes>, Vec<u64>) = {
            let cache = self.pairs.borrow();
            let mut found = Vec::new();
            let mut missing = Vec::new();
            for &r in &rows {
                match cache.get(&shard.name, r) {
                    Some(p) => found.push(p),
                    None => missing.push(r),
                }
            }
            (found, missing)
        };
        if !missing.is_empty() {
            let (source, edited) = (shard.columns.source_image, shard.columns.edited_image);
            let by_side = early.map(|f| {
                move |root: usize, row: u64, bytes: &Bytes| {
                    if root == source {
                        f(row, false, bytes);
                    }
                    if root == edited {
                        f(row, true, bytes);
                    }
                }
            });
            let told = by_side.as_ref().map(|f| f as &dyn Fn(usize, u64, &Bytes));
            let batches = self.read_early(src.as_ref(), &shard, &missing, &shard.columns.images(), told).await?;
            let fresh = sample::pairs(&shard.name, &batches, &missing, &shard.columns)?;
            if early.is_none() {
                let mut cache = self.pairs.borrow_mut();
                for p in &fresh {
                    cache.put(&shard.name, p.clone());
                }
            }
            found.extend(fresh);
            found.sort_by_key(|p| p.row);
        }
        Ok(found)
    }

    /// What changed between the two images of `row` of file `key`, above `threshold`
    /// (0–255). The pair comes from the cache when it was shown recently.
    pub async fn diff(&self, key: &str, row: u64, threshold: u8) -> EngineResult<Difference> {
        let name = PairName { file: key, row };
        let (_, shard) = self.shard(key).await?;
        let cached = self
            .last_diff
            .borrow()
            .as_ref()
            .filter(|(url, r, _)| *url == shard.name && *r == row)
            .map(|(_, _, m)| Rc::clone(m));
        let map = match cached {
            Some(m) => m,
            None => {
                // Free the previous map before decoding the next pair.
                self.last_diff.borrow_mut().take();
                let pair = self
                    .images(key, &[row])
                    .await?
                    .into_iter()
                    .next()
                    .ok_or_else(|| EngineError::RowOutOfRange { file: key.into(), row, rows: shard.rows() })?;
                let map = Rc::new(ChangeMap::from_encoded(&pair.source, &pair.edited, name, diff::MAX_PIXELS)?);
                *self.last_diff.borrow_mut() = Some((shard.name.clone(), row, Rc::clone(&map)));
                map
            }
        };
        Ok(Difference {
            fraction: map.fraction(threshold),
            width: map.width,
            height: map.height,
            resized: map.resized,
            png: map.heatmap_png(threshold, name)?,
        })
    }
}
