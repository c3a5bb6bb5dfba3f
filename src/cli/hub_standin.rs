//! `gallery hub-standin`: a local stand-in of the Hugging Face Hub for tests, on two
//! origins like the real one: the Hub (API and file resolution) and its CDN.
//!
//! The Hub origin answers
//! - `GET /api/datasets/{repo}/revision/{rev}` → `{"id", "sha"}` (`main` and the commit);
//! - `GET /api/datasets/{repo}` → `{"id", "sha", "gated", "private"}`;
//! - `GET /api/datasets/{repo}/tree/{rev}[/{path}]?recursive=true` → a page of
//!   `{type, oid, size, path, lfs?}` entries, the next page named by `Link: <…>; rel="next"`;
//! - `GET|HEAD /datasets/{repo}/resolve/{rev}/{path}` → `302` to a signed CDN URL that
//!   expires (`?expires=…&sig=…`).
//!
//! A gated repository answers resolution with `401` (`X-Error-Code: GatedRepo`) unless the
//! right `Authorization: Bearer` token comes, and `403` for a wrong one. In rate-limited mode
//! every API and resolution request answers `429`. The CDN origin serves the files as
//! `gallery serve --cors` does, but only with a valid, unexpired signature (else `403`),
//! and refuses several ranges (`416`), suffix ranges and any `Authorization` (`400`), which
//! the gallery must never send. Both origins keep a request log at `/__requests` (cleared by
//! `POST /__requests/clear`); `POST /__hub/config?ttl_ms=…&rate_limited=0|1` changes the
//! URL lifetime and the rate limit while running.
//!
//! It never serves anything outside the repositories' folders (the CDN reuses
//! `gallery serve`'s file serving) and never logs a token.

use std::collections::hash_map::RandomState;
use std::collections::BTreeMap;
use std::hash::{BuildHasher, Hash, Hasher};
use std::io;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use serde_json::json;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::serve::{FileServer, RequestLog};
use super::CliResult;

const CORS_ALLOW_HEADERS: &str = "Range, Authorization, Content-Type, Accept";
const CORS_EXPOSE_HEADERS: &str =
    "Content-Range, Content-Length, ETag, Accept-Ranges, Link, X-Error-Code, X-Error-Message, X-Repo-Commit";

/// One dataset repository: its name and the folder holding its files.
#[derive(Clone, Debug)]
pub struct StandinRepo {
    /// `owner/name`.
    pub repo: String,
    pub root: PathBuf,
    /// Files need the token.
    pub gated: bool,
}

#[derive(Clone, Debug)]
pub struct StandinOptions {
    pub repos: Vec<StandinRepo>,
    /// The token a gated repository accepts.
    pub token: String,
    /// Address of the Hub origin (port 0: a free one).
    pub hub_addr: SocketAddr,
    /// Address of the CDN origin (port 0: a free one).
    pub cdn_addr: SocketAddr,
    /// Entries per page of a tree listing.
    pub page_size: usize,
    /// Lifetime of a signed CDN URL.
    pub ttl: Duration,
    pub quiet: bool,
}

/// Settings that tests change while the stand-in runs.
#[derive(Debug)]
struct Control {
    ttl_ms: AtomicU64,
    rate_limited: AtomicBool,
}

/// A repository's files, read when the stand-in starts.
struct Repo {
    name: String,
    gated: bool,
    sha: String,
    /// Relative path → size; folders have no entry.
    files: BTreeMap<String, u64>,
    /// Its folder served as `gallery serve --cors` serves it, logged as the CDN.
    server: FileServer,
}

struct Shared {
    repos: Vec<Repo>,
    token: String,
    page_size: usize,
    control: Arc<Control>,
    hub_log: RequestLog,
    cdn_log: RequestLog,
    cdn_origin: String,
    hub_origin: String,
    signer: RandomState,
    quiet: bool,
}

/// A running stand-in. Dropping it stops both origins.
pub struct StandinHandle {
    pub hub: SocketAddr,
    pub cdn: SocketAddr,
    pub hub_log: RequestLog,
    pub cdn_log: RequestLog,
    control: Arc<Control>,
    repos: Vec<(String, String)>,
    stops: Vec<oneshot::Sender<()>>,
    tasks: Vec<JoinHandle<io::Result<()>>>,
}

impl StandinHandle {
    /// `http://<hub>`.
    pub fn hub_url(&self) -> String {
        format!("http://{}", self.hub)
    }

    /// `http://<cdn>`.
    pub fn cdn_url(&self) -> String {
        format!("http://{}", self.cdn)
    }

    /// The commit `main` points to in `repo`.
    pub fn commit(&self, repo: &str) -> Option<&str> {
        self.repos.iter().find(|(r, _)| r == repo).map(|(_, sha)| sha.as_str())
    }

    /// Signed CDN URLs live this long from now on.
    pub fn set_ttl(&self, ttl: Duration) {
        self.control.ttl_ms.store(ttl.as_millis() as u64, Ordering::SeqCst);
    }

    /// Answer every API and resolution request with 429 (or stop doing so).
    pub fn set_rate_limited(&self, on: bool) {
        self.control.rate_limited.store(on, Ordering::SeqCst);
    }

    pub async fn shutdown(mut self) {
        for stop in self.stops.drain(..) {
            let _ = stop.send(());
        }
        for task in self.tasks.drain(..) {
            let _ = tokio::time::timeout(Duration::from_secs(5), task).await;
        }
    }
}

impl Drop for StandinHandle {
    fn drop(&mut self) {
        self.stops.clear();
    }
}

/// A stable 40-hex commit id for a repository's content (names and sizes).
fn commit_of(name: &str, files: &BTreeMap<String, u64>) -> String {
    (0..3u8)
        .map(|salt| {
            // `DefaultHasher::new()` has fixed keys: the same content gives the same id.
            let mut h = std::hash::DefaultHasher::new();
            (salt, name, files).hash(&mut h);
            format!("{:016x}", h.finish())
        })
        .collect::<String>()[..40]
        .to_string()
}

fn scan(root: &Path, dir: &Path, out: &mut BTreeMap<String, u64>) -> io::Result<()> {
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let meta = std::fs::metadata(&path)?;
        let rel = path.strip_prefix(root).map_err(io::Error::other)?.to_string_lossy().replace('\\', "/");
        if meta.is_dir() {
            scan(root, &path, out)?;
        } else if meta.is_file() {
            out.insert(rel, meta.len());
        }
    }
    Ok(())
}

/// Start both origins on the current tokio runtime and return at once.
pub async fn start(opts: StandinOptions) -> io::Result<StandinHandle> {
    let (hub_log, cdn_log) = (RequestLog::new(), RequestLog::new());
    let mut repos = Vec::new();
    for r in &opts.repos {
        let root = std::fs::canonicalize(&r.root)
            .map_err(|e| io::Error::new(e.kind(), format!("repository {}: {}: {e}", r.repo, r.root.display())))?;
        let mut files = BTreeMap::new();
        scan(&root, &root, &mut files)?;
        let sha = commit_of(&r.repo, &files);
        let server = FileServer::new(&root, true, opts.quiet, cdn_log.clone()).await?;
        repos.push(Repo { name: r.repo.clone(), gated: r.gated, sha, files, server });
    }
    let hub_listener = tokio::net::TcpListener::bind(opts.hub_addr).await?;
    let cdn_listener = tokio::net::TcpListener::bind(opts.cdn_addr).await?;
    let (hub, cdn) = (hub_listener.local_addr()?, cdn_listener.local_addr()?);
    let control = Arc::new(Control { ttl_ms: AtomicU64::new(opts.ttl.as_millis() as u64), rate_limited: AtomicBool::new(false) });
    let names: Vec<(String, String)> = repos.iter().map(|r| (r.name.clone(), r.sha.clone())).collect();
    let shared = Arc::new(Shared {
        repos,
        token: opts.token.clone(),
        page_size: opts.page_size.max(1),
        control: Arc::clone(&control),
        hub_log: hub_log.clone(),
        cdn_log: cdn_log.clone(),
        cdn_origin: format!("http://{cdn}"),
        hub_origin: format!("http://{hub}"),
        signer: RandomState::new(),
        quiet: opts.quiet,
    });
    let mut stops = Vec::new();
    let mut tasks = Vec::new();
    for (listener, app) in [
        (hub_listener, Router::new().fallback(hub_handle).with_state(Arc::clone(&shared))),
        (cdn_listener, Router::new().fallback(cdn_handle).with_state(Arc::clone(&shared))),
    ] {
        let (stop, stopped) = oneshot::channel::<()>();
        stops.push(stop);
        tasks.push(tokio::spawn(async move {
            axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stopped.await;
                })
                .await
        }));
    }
    Ok(StandinHandle { hub, cdn, hub_log, cdn_log, control, repos: names, stops, tasks })
}

/// Serve until interrupted, printing both origins.
pub fn run(opts: StandinOptions) -> CliResult<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async move {
        let handle = start(opts).await?;
        println!("Hub stand-in at {}/ (CDN at {}/)", handle.hub_url(), handle.cdn_url());
        for (repo, sha) in &handle.repos {
            println!("  hf://datasets/{repo} (main = {sha})");
        }
        std::future::pending::<()>().await;
        handle.shutdown().await;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Answers

fn respond(status: StatusCode, headers: &[(&str, String)], body: impl Into<Body>) -> Response {
    let mut r = Response::new(body.into());
    *r.status_mut() = status;
    let h = r.headers_mut();
    h.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, HeaderValue::from_static("*"));
    h.insert(header::ACCESS_CONTROL_EXPOSE_HEADERS, HeaderValue::from_static(CORS_EXPOSE_HEADERS));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    for (k, v) in headers {
        if let (Ok(k), Ok(v)) = (header::HeaderName::from_bytes(k.as_bytes()), HeaderValue::from_str(v)) {
            h.insert(k, v);
        }
    }
    r
}

fn json_answer(status: StatusCode, value: serde_json::Value, extra: &[(&str, String)]) -> Response {
    let mut headers = vec![("content-type", "application/json".to_string())];
    headers.extend(extra.iter().cloned());
    respond(status, &headers, value.to_string())
}

/// An error as the Hub gives it: a JSON body and `X-Error-Code`/`X-Error-Message`.
fn hub_error(status: StatusCode, code: &str, message: &str) -> Response {
    json_answer(status, json!({ "error": message }), &[("x-error-code", code.into()), ("x-error-message", message.into())])
}

fn preflight() -> Response {
    respond(
        StatusCode::NO_CONTENT,
        &[
            ("access-control-allow-methods", "GET, HEAD, POST, OPTIONS".into()),
            ("access-control-allow-headers", CORS_ALLOW_HEADERS.into()),
            ("access-control-max-age", "600".into()),
        ],
        Body::empty(),
    )
}

fn log_endpoint(log: &RequestLog, method: &Method, path: &str) -> Option<Response> {
    match (method, path) {
        (&Method::GET, "/__requests") => {
            Some(json_answer(StatusCode::OK, serde_json::to_value(log.entries()).unwrap_or_default(), &[]))
        }
        (&Method::POST, "/__requests/clear") | (&Method::DELETE, "/__requests") => {
            log.clear();
            Some(respond(StatusCode::NO_CONTENT, &[], Body::empty()))
        }
        (&Method::OPTIONS, "/__requests" | "/__requests/clear") => Some(preflight()),
        _ => None,
    }
}

fn now_ms() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

fn decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

fn query_param(uri: &Uri, name: &str) -> Option<String> {
    form_urlencoded::parse(uri.query()?.as_bytes()).find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
}

impl Shared {
    fn repo(&self, owner: &str, name: &str) -> Option<&Repo> {
        let full = format!("{owner}/{name}");
        self.repos.iter().find(|r| r.name == full)
    }

    fn sign(&self, path: &str, expires: u64) -> String {
        format!("{:016x}", self.signer.hash_one((path, expires)))
    }

    /// Log `response` to `log` (the hub's, or the CDN's for its refusals).
    fn logged(&self, log: &RequestLog, method: &Method, uri: &Uri, headers: &HeaderMap, response: Response) -> Response {
        let range = headers.get(header::RANGE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let status = response.status().as_u16();
        log.push_entry(method.as_str(), uri.path(), range, status);
        if !self.quiet {
            println!("{} {} -> {status}", method, uri.path());
        }
        response
    }
}

/// Whether a gated repository's request carries the right token: `Ok`, or the refusal.
fn check_access(shared: &Shared, repo: &Repo, headers: &HeaderMap) -> Result<(), Box<Response>> {
    if !repo.gated {
        return Ok(());
    }
    let given = headers.get(header::AUTHORIZATION).and_then(|v| v.to_str().ok()).and_then(|v| v.strip_prefix("Bearer "));
    match given {
        Some(t) if t == shared.token => Ok(()),
        Some(_) => Err(Box::new(hub_error(
            StatusCode::FORBIDDEN,
            "GatedRepo",
            &format!("Access to dataset {} is restricted and you are not in the authorized list. Visit {}/datasets/{} to ask for access.", repo.name, shared.hub_origin, repo.name),
        ))),
        None => Err(Box::new(hub_error(
            StatusCode::UNAUTHORIZED,
            "GatedRepo",
            &format!("Access to dataset {} is restricted. You must have access to it and be authenticated to access it. Please log in.", repo.name),
        ))),
    }
}

fn check_revision<'a>(repo: &'a Repo, rev: &str) -> Result<&'a str, Box<Response>> {
    let rev = decode(rev).unwrap_or_default();
    if rev == "main" || rev == repo.sha {
        Ok(&repo.sha)
    } else {
        Err(Box::new(hub_error(StatusCode::NOT_FOUND, "RevisionNotFound", &format!("Invalid rev id: {rev}"))))
    }
}

async fn hub_handle(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_string();
    if let Some(r) = log_endpoint(&shared.hub_log, &method, &path) {
        return r;
    }
    if method == Method::OPTIONS {
        return preflight();
    }
    if path == "/__hub/config" {
        if method == Method::POST {
            if let Some(ms) = query_param(&uri, "ttl_ms").and_then(|v| v.parse().ok()) {
                shared.control.ttl_ms.store(ms, Ordering::SeqCst);
            }
            if let Some(on) = query_param(&uri, "rate_limited") {
                shared.control.rate_limited.store(on == "1" || on == "true", Ordering::SeqCst);
            }
        }
        let c = &shared.control;
        let body = json!({ "ttl_ms": c.ttl_ms.load(Ordering::SeqCst), "rate_limited": c.rate_limited.load(Ordering::SeqCst) });
        return json_answer(StatusCode::OK, body, &[]);
    }
    let answer = hub_answer(&shared, &method, &uri, &headers);
    shared.logged(&shared.hub_log, &method, &uri, &headers, answer)
}

fn hub_answer(shared: &Shared, method: &Method, uri: &Uri, headers: &HeaderMap) -> Response {
    if method != Method::GET && method != Method::HEAD {
        return hub_error(StatusCode::METHOD_NOT_ALLOWED, "MethodNotAllowed", "method not allowed");
    }
    let segments: Vec<&str> = uri.path().trim_start_matches('/').split('/').collect();
    let limited = shared.control.rate_limited.load(Ordering::SeqCst);
    let too_many = || {
        let mut r = hub_error(
            StatusCode::TOO_MANY_REQUESTS,
            "RateLimited",
            "You have exceeded our hourly quotas for action: resolve. Retry later or log in.",
        );
        r.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from_static("300"));
        r
    };
    match segments.as_slice() {
        ["api", "datasets", owner, name, rest @ ..] => {
            if limited {
                return too_many();
            }
            let Some(repo) = shared.repo(owner, name) else {
                return hub_error(StatusCode::UNAUTHORIZED, "RepoNotFound", "Repository not found");
            };
            match rest {
                [] => json_answer(
                    StatusCode::OK,
                    json!({ "id": repo.name, "sha": repo.sha, "gated": if repo.gated { json!("auto") } else { json!(false) }, "private": false }),
                    &[],
                ),
                ["revision", rev] => match check_revision(repo, rev) {
                    Ok(sha) => json_answer(StatusCode::OK, json!({ "id": repo.name, "sha": sha }), &[("x-repo-commit", sha.to_string())]),
                    Err(r) => *r,
                },
                ["tree", rev, path @ ..] => match check_revision(repo, rev) {
                    Ok(_) => tree(shared, repo, &path.join("/"), uri),
                    Err(r) => *r,
                },
                _ => hub_error(StatusCode::NOT_FOUND, "NotFound", "not found"),
            }
        }
        ["datasets", owner, name, "resolve", rev, path @ ..] => {
            if limited {
                return too_many();
            }
            let Some(repo) = shared.repo(owner, name) else {
                return hub_error(StatusCode::UNAUTHORIZED, "RepoNotFound", "Repository not found");
            };
            if let Err(r) = check_access(shared, repo, headers) {
                return *r;
            }
            let sha = match check_revision(repo, rev) {
                Ok(sha) => sha.to_string(),
                Err(r) => return *r,
            };
            let Some(rel) = decode(&path.join("/")) else {
                return hub_error(StatusCode::BAD_REQUEST, "BadRequest", "bad path");
            };
            if !repo.files.contains_key(&rel) {
                return hub_error(StatusCode::NOT_FOUND, "EntryNotFound", &format!("{rel} does not exist on \"{sha}\""));
            }
            let cdn_path = format!("/{}/{}", repo.name, path.join("/"));
            let expires = now_ms() + shared.control.ttl_ms.load(Ordering::SeqCst);
            let sig = shared.sign(&cdn_path, expires);
            let location = format!("{}{cdn_path}?expires={expires}&sig={sig}", shared.cdn_origin);
            respond(StatusCode::FOUND, &[("location", location), ("x-repo-commit", sha)], Body::empty())
        }
        _ => hub_error(StatusCode::NOT_FOUND, "NotFound", "not found"),
    }
}

/// One page of the listing of `path` (recursive when asked), `cursor` entries in.
fn tree(shared: &Shared, repo: &Repo, path: &str, uri: &Uri) -> Response {
    let Some(path) = decode(path) else {
        return hub_error(StatusCode::BAD_REQUEST, "BadRequest", "bad path");
    };
    let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
    let recursive = query_param(uri, "recursive").is_some_and(|v| v == "true" || v == "1");
    let mut entries: BTreeMap<String, Option<u64>> = BTreeMap::new();
    for (file, size) in repo.files.iter().filter(|(f, _)| f.starts_with(&prefix)) {
        let rest = &file[prefix.len()..];
        let parts: Vec<&str> = rest.split('/').collect();
        for depth in 1..parts.len() {
            if recursive || depth == 1 {
                entries.entry(format!("{prefix}{}", parts[..depth].join("/"))).or_insert(None);
            }
        }
        if recursive || parts.len() == 1 {
            entries.insert(file.clone(), Some(*size));
        }
    }
    if entries.is_empty() && !path.is_empty() {
        return hub_error(StatusCode::NOT_FOUND, "EntryNotFound", &format!("{path} does not exist on \"{}\"", repo.sha));
    }
    let cursor: usize = query_param(uri, "cursor").and_then(|c| c.parse().ok()).unwrap_or(0);
    let page: Vec<serde_json::Value> = entries
        .iter()
        .skip(cursor)
        .take(shared.page_size)
        .map(|(p, size)| match size {
            None => json!({ "type": "directory", "oid": format!("{:040x}", p.len()), "size": 0, "path": p }),
            Some(n) if p.ends_with(".parquet") => json!({
                "type": "file", "oid": format!("{:040x}", n), "size": n, "path": p,
                "lfs": { "oid": format!("{:064x}", n), "size": n, "pointerSize": 134 }
            }),
            Some(n) => json!({ "type": "file", "oid": format!("{:040x}", n), "size": n, "path": p }),
        })
        .collect();
    let mut extra = Vec::new();
    let next = cursor + page.len();
    if next < entries.len() {
        let mut link = format!("{}{}?", shared.hub_origin, uri.path());
        let mut q = form_urlencoded::Serializer::new(String::new());
        if recursive {
            q.append_pair("recursive", "true");
        }
        q.append_pair("cursor", &next.to_string());
        link.push_str(&q.finish());
        extra.push(("link", format!("<{link}>; rel=\"next\"")));
    }
    json_answer(StatusCode::OK, serde_json::Value::Array(page), &extra)
}

async fn cdn_handle(State(shared): State<Arc<Shared>>, method: Method, uri: Uri, headers: HeaderMap) -> Response {
    let path = uri.path().to_string();
    if let Some(r) = log_endpoint(&shared.cdn_log, &method, &path) {
        return r;
    }
    if method == Method::OPTIONS {
        return preflight();
    }
    let refuse = |status, text: &str| {
        let r = respond(status, &[("content-type", "text/plain; charset=utf-8".into())], format!("{text}\n"));
        shared.logged(&shared.cdn_log, &method, &uri, &headers, r)
    };
    if method != Method::GET && method != Method::HEAD {
        return refuse(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
    }
    let expires: Option<u64> = query_param(&uri, "expires").and_then(|e| e.parse().ok());
    let sig = query_param(&uri, "sig").unwrap_or_default();
    let Some(expires) = expires.filter(|&e| shared.sign(&path, e) == sig) else {
        return refuse(StatusCode::FORBIDDEN, "AccessDenied: bad signature");
    };
    if now_ms() > expires {
        return refuse(StatusCode::FORBIDDEN, "AccessDenied: Request has expired");
    }
    if headers.contains_key(header::AUTHORIZATION) {
        // A token must never leave the Hub's origin.
        return refuse(StatusCode::BAD_REQUEST, "a token was sent to the CDN");
    }
    if let Some(range) = headers.get(header::RANGE).and_then(|v| v.to_str().ok()) {
        if range.contains(',') {
            return refuse(StatusCode::RANGE_NOT_SATISFIABLE, "several ranges are not served here");
        }
        if range.trim().starts_with("bytes=-") {
            return refuse(StatusCode::BAD_REQUEST, "suffix ranges are not served here");
        }
    }
    let segments: Vec<&str> = path.trim_start_matches('/').splitn(3, '/').collect();
    let [owner, name, rest] = segments.as_slice() else {
        return refuse(StatusCode::NOT_FOUND, "not found");
    };
    match shared.repo(owner, name) {
        Some(repo) => repo.server.answer(&method, &format!("/{rest}"), &path, &headers).await,
        None => refuse(StatusCode::NOT_FOUND, "not found"),
    }
}
