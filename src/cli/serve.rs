//! `gallery serve`: a static file server honouring single `Range` requests, with CORS and
//! a request log.
//!
//! It serves the built app (`gallery serve dist`), and it is the HTTP origin of the native
//! range-engine tests and of the browser end-to-end tests (as the app origin and as a
//! second, cross-origin data origin). Those tests assert exactly which byte ranges were
//! fetched through the request log, exposed at `GET /__requests` and cleared with
//! `POST /__requests/clear` or `DELETE /__requests`. A request for
//! `/__faults/<spec>/<path>` is answered as one for `/<path>` with network faults
//! injected (errors, resets, stalls, wrong headers; see [`super::faults`]).
//!
//! What it must never do:
//! - serve anything outside `root` (no `..`, no encoded `%2e%2e`, no symlink escapes);
//! - read a whole file into memory: bodies are streamed from the file, chunk by chunk,
//!   so a range near the end of a multi-GB shard costs only the bytes of that range;
//! - let the browser cache hide a request from the log (`Cache-Control: no-cache`).
//!
//! Behaviour, precisely:
//! - `GET`/`HEAD` of files under `root`; `/` and directories answer their `index.html`.
//! - `Range: bytes=a-b`, `bytes=a-` and `bytes=-n` answer `206` with
//!   `Content-Range: bytes a-b/size`; an unsatisfiable range answers `416` with
//!   `Content-Range: bytes */size`; no (or an unparsable, or a multi-range) `Range`
//!   answers `200` with the full body, as RFC 9110 permits.
//! - Strong `ETag` from size and modification time, `Last-Modified`, `If-None-Match`
//!   (`304`) and `If-Range` (a mismatch serves the full body).
//! - `ignore_range` answers `200` with the full body even when `Range` was sent, and
//!   advertises no `Accept-Ranges`, like a server without range support.
//! - `cors` adds `Access-Control-Allow-Origin: *` and the exposed headers to every
//!   answer (the log endpoints included) and answers preflight `OPTIONS`.
//! - Every request except those to the log endpoints is logged (preflights included),
//!   with the bytes of body actually handed to the connection, counted as they stream;
//!   a client that aborts leaves the count at what was sent.
use std::fmt::Write as _;
use std::io::{self, SeekFrom};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::body::Body;
use axum::extract::State;
use axum::http::{header, HeaderMap, HeaderName, HeaderValue, Method, StatusCode, Uri};
use axum::response::Response;
use axum::Router;
use bytes::Bytes;
use serde::{Deserialize, Serialize};
use tokio::io::{AsyncReadExt, AsyncSeekExt};
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use super::faults::{self, BodyAction, BodyFault, Fault};
use super::CliResult;

/// Size of the chunks a file body is streamed in.
const CHUNK: u64 = 256 * 1024;
/// How long `shutdown` waits for in-flight responses before cutting them off.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);
/// Path of the request log endpoint.
const LOG_PATH: &str = "/__requests";
/// Path of the request log's clearing endpoint (`POST`).
const LOG_CLEAR_PATH: &str = "/__requests/clear";

const CORS_ALLOW_METHODS: &str = "GET, HEAD, POST, DELETE, OPTIONS";
const CORS_ALLOW_HEADERS: &str =
    "Range, Authorization, Content-Type, If-None-Match, If-Modified-Since, If-Range, Cache-Control, Pragma";
const CORS_EXPOSE_HEADERS: &str = "Content-Range, Content-Length, ETag, Accept-Ranges";

/// What to serve, where, and how.
#[derive(Clone, Debug)]
pub struct ServeOptions {
    /// Folder whose files are served; nothing outside it is ever served.
    pub root: PathBuf,
    /// Address to listen on; port 0 picks a free port (see [`ServerHandle::addr`]).
    pub addr: SocketAddr,
    /// Add CORS headers to every answer and answer preflight `OPTIONS`.
    pub cors: bool,
    /// Answer `200` with the full body even when `Range` was sent.
    pub ignore_range: bool,
    /// Print nothing per request.
    pub quiet: bool,
}

/// One logged request.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LoggedRequest {
    /// `GET`, `HEAD`, `OPTIONS`, …
    pub method: String,
    /// The request path as sent (still percent-encoded, without the query).
    pub path: String,
    /// The `Range` header as sent, if any.
    pub range: Option<String>,
    /// Status code answered.
    pub status: u16,
    /// Bytes of body handed to the connection so far (0 for `HEAD`).
    pub body_bytes: u64,
}

/// One request in the log; its byte count grows while its body streams.
#[derive(Debug)]
struct Slot {
    method: String,
    path: String,
    range: Option<String>,
    status: u16,
    sent: AtomicU64,
}

impl Slot {
    fn snapshot(&self) -> LoggedRequest {
        LoggedRequest {
            method: self.method.clone(),
            path: self.path.clone(),
            range: self.range.clone(),
            status: self.status,
            body_bytes: self.sent.load(Ordering::SeqCst),
        }
    }
}

/// The server's request log, shared with the caller. Cloning is cheap (one `Arc`).
#[derive(Clone, Debug, Default)]
pub struct RequestLog {
    slots: Arc<Mutex<Vec<Arc<Slot>>>>,
}

impl RequestLog {
    /// An empty log.
    pub fn new() -> Self {
        Self::default()
    }

    /// The requests so far, in the order their answers started.
    pub fn entries(&self) -> Vec<LoggedRequest> {
        self.lock().iter().map(|s| s.snapshot()).collect()
    }

    /// Forget every request so far.
    pub fn clear(&self) {
        self.lock().clear();
    }

    /// Sum of the body bytes sent for the requests in the log.
    pub fn total_body_bytes(&self) -> u64 {
        self.lock()
            .iter()
            .map(|s| s.sent.load(Ordering::SeqCst))
            .sum()
    }

    fn push(&self, slot: Arc<Slot>) {
        self.lock().push(slot);
    }

    /// Log an answer without a counted body (another server's of this crate).
    pub(crate) fn push_entry(&self, method: &str, path: &str, range: Option<String>, status: u16) {
        self.push(Arc::new(Slot { method: method.into(), path: path.into(), range, status, sent: AtomicU64::new(0) }));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<Arc<Slot>>> {
        // A panic while holding the lock cannot leave the Vec inconsistent.
        self.slots.lock().unwrap_or_else(|e| e.into_inner())
    }
}

/// A running server. Dropping it (or calling [`ServerHandle::shutdown`]) stops it.
#[derive(Debug)]
pub struct ServerHandle {
    /// The address actually bound (the chosen port when port 0 was asked for).
    pub addr: SocketAddr,
    /// The request log, shared with the server.
    pub log: RequestLog,
    stop: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<io::Result<()>>>,
}

impl ServerHandle {
    /// `http://<addr><path>`; `path` should start with `/`.
    pub fn url(&self, path: &str) -> String {
        if path.starts_with('/') {
            format!("http://{}{}", self.addr, path)
        } else {
            format!("http://{}/{}", self.addr, path)
        }
    }

    /// Stop accepting connections and wait (a few seconds at most) for answers in flight.
    pub async fn shutdown(mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(mut task) = self.task.take() {
            if tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
            {
                task.abort();
                let _ = task.await;
            }
        }
    }
}

impl Drop for ServerHandle {
    fn drop(&mut self) {
        // Dropping the sender resolves the shutdown signal; the server winds down.
        self.stop.take();
    }
}

/// State shared by every request.
struct Shared {
    root: PathBuf,
    cors: bool,
    ignore_range: bool,
    quiet: bool,
    log: RequestLog,
    faults: faults::Counters,
}

/// Bind `opts.addr`, spawn the server on the current tokio runtime and return at once.
/// Fails if `opts.root` is not a readable folder or the address cannot be bound.
pub async fn start(opts: ServeOptions) -> io::Result<ServerHandle> {
    let root = tokio::fs::canonicalize(&opts.root).await.map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("cannot serve {}: {e}", opts.root.display()),
        )
    })?;
    if !tokio::fs::metadata(&root).await?.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("cannot serve {}: not a folder", opts.root.display()),
        ));
    }
    let listener = tokio::net::TcpListener::bind(opts.addr).await?;
    let addr = listener.local_addr()?;
    let log = RequestLog::new();
    let shared = Arc::new(Shared {
        root,
        cors: opts.cors,
        ignore_range: opts.ignore_range,
        quiet: opts.quiet,
        log: log.clone(),
        faults: faults::Counters::default(),
    });
    let app = Router::new().fallback(handle).with_state(shared);
    let (stop, stopped) = oneshot::channel::<()>();
    let task = tokio::spawn(async move {
        axum::serve(listener, app)
            .with_graceful_shutdown(async move {
                let _ = stopped.await;
            })
            .await
    });
    Ok(ServerHandle {
        addr,
        log,
        stop: Some(stop),
        task: Some(task),
    })
}

/// Resolve `host:port` (an IP address or a host name such as `localhost`).
pub fn resolve_addr(host: &str, port: u16) -> CliResult<SocketAddr> {
    (host, port)
        .to_socket_addrs()?
        .next()
        .ok_or_else(|| format!("cannot resolve host {host:?}").into())
}

/// Serve until the process is interrupted (Ctrl-C), printing the address and, unless
/// `quiet`, one line per request.
pub fn run(opts: ServeOptions) -> CliResult<()> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()?;
    runtime.block_on(async move {
        let root = opts.root.clone();
        let handle = start(opts).await?;
        println!("Serving {} at http://{}/", root.display(), handle.addr);
        // Ctrl-C ends the process; until then there is nothing else to do.
        std::future::pending::<()>().await;
        handle.shutdown().await;
        Ok(())
    })
}

// ---------------------------------------------------------------------------------------
// Serving files for other servers of this crate

/// Files under a root answered exactly as `gallery serve` answers them (Range, ETag,
/// CORS, the request log), for other servers of this crate: the Hub stand-in's CDN.
#[derive(Clone)]
pub(crate) struct FileServer(Arc<Shared>);

impl FileServer {
    /// Serve `root` (which must be a folder), logging into `log`.
    pub(crate) async fn new(root: &Path, cors: bool, quiet: bool, log: RequestLog) -> io::Result<Self> {
        let root = tokio::fs::canonicalize(root)
            .await
            .map_err(|e| io::Error::new(e.kind(), format!("cannot serve {}: {e}", root.display())))?;
        Ok(Self(Arc::new(Shared { root, cors, ignore_range: false, quiet, log, faults: faults::Counters::default() })))
    }

    /// `GET`/`HEAD` of `path` (percent-encoded, under the root), logged as `logged_path`.
    pub(crate) async fn answer(&self, method: &Method, path: &str, logged_path: &str, headers: &HeaderMap) -> Response {
        let answer = serve_file(&self.0, path, headers).await;
        self.finish_logged(method, logged_path, headers, answer)
    }

    fn finish_logged(&self, method: &Method, logged_path: &str, headers: &HeaderMap, answer: Answer) -> Response {
        let range = headers.get(header::RANGE).map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
        let slot = Arc::new(Slot {
            method: method.as_str().to_string(),
            path: logged_path.to_string(),
            range,
            status: answer.status.as_u16(),
            sent: AtomicU64::new(0),
        });
        self.0.log.push(slot.clone());
        finish(&self.0, answer, method, Some(slot))
    }
}

// ---------------------------------------------------------------------------------------
// Request handling

/// The body of an answer, before it is wrapped into a counting stream.
enum Payload {
    Empty,
    Bytes(Bytes),
    File { file: tokio::fs::File, len: u64 },
}

/// An answer under construction.
struct Answer {
    status: StatusCode,
    headers: HeaderMap,
    payload: Payload,
    /// What happens to the body part-way (`/__faults/` requests only).
    fault: Option<BodyFault>,
}

impl Answer {
    fn new(status: StatusCode) -> Self {
        Self {
            status,
            headers: HeaderMap::new(),
            payload: Payload::Empty,
            fault: None,
        }
    }

    fn text(status: StatusCode, text: &str) -> Self {
        let mut a = Self::new(status);
        a.set(header::CONTENT_TYPE, "text/plain; charset=utf-8");
        a.payload = Payload::Bytes(Bytes::from(format!("{text}\n")));
        a
    }

    fn set(&mut self, name: HeaderName, value: impl AsRef<str>) {
        if let Ok(v) = HeaderValue::from_str(value.as_ref()) {
            self.headers.insert(name, v);
        }
    }
}

async fn handle(
    State(shared): State<Arc<Shared>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let path = uri.path().to_string();

    // The log endpoints: answered, never logged.
    if let Some(answer) = log_endpoint(&shared, &method, &path) {
        return finish(&shared, answer, &method, None);
    }

    let range_sent = headers
        .get(header::RANGE)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned());
    let answer = match method {
        Method::GET | Method::HEAD => match faults::Spec::parse(&path) {
            None => serve_file(&shared, &path, &headers).await,
            Some(Ok(spec)) => serve_with_faults(&shared, &spec, &headers).await,
            Some(Err(msg)) => Answer::text(StatusCode::BAD_REQUEST, &msg),
        },
        Method::OPTIONS => preflight(&shared),
        _ => {
            let mut a = Answer::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
            a.set(header::ALLOW, "GET, HEAD, OPTIONS");
            a
        }
    };
    let slot = Arc::new(Slot {
        method: method.as_str().to_string(),
        path,
        range: range_sent,
        status: answer.status.as_u16(),
        sent: AtomicU64::new(0),
    });
    shared.log.push(slot.clone());
    finish(&shared, answer, &method, Some(slot))
}

/// `GET /__requests`, `POST /__requests/clear`, `DELETE /__requests`.
fn log_endpoint(shared: &Shared, method: &Method, path: &str) -> Option<Answer> {
    if path != LOG_PATH && path != LOG_CLEAR_PATH {
        return None;
    }
    let answer = match (method, path) {
        (&Method::GET | &Method::HEAD, LOG_PATH) => {
            let json = serde_json::to_vec(&shared.log.entries()).unwrap_or_else(|_| b"[]".to_vec());
            let mut a = Answer::new(StatusCode::OK);
            a.set(header::CONTENT_TYPE, "application/json");
            a.payload = Payload::Bytes(Bytes::from(json));
            a
        }
        (&Method::POST, LOG_CLEAR_PATH) | (&Method::DELETE, LOG_PATH) => {
            shared.log.clear();
            shared.faults.clear();
            Answer::new(StatusCode::NO_CONTENT)
        }
        (&Method::OPTIONS, _) => preflight(shared),
        _ => {
            let mut a = Answer::text(StatusCode::METHOD_NOT_ALLOWED, "method not allowed");
            let allow = if path == LOG_PATH {
                "GET, HEAD, DELETE, OPTIONS"
            } else {
                "POST, OPTIONS"
            };
            a.set(header::ALLOW, allow);
            a
        }
    };
    Some(answer)
}

fn preflight(shared: &Shared) -> Answer {
    let mut a = Answer::new(StatusCode::NO_CONTENT);
    if shared.cors {
        a.set(header::ACCESS_CONTROL_ALLOW_METHODS, CORS_ALLOW_METHODS);
        a.set(header::ACCESS_CONTROL_ALLOW_HEADERS, CORS_ALLOW_HEADERS);
        a.set(header::ACCESS_CONTROL_MAX_AGE, "600");
    } else {
        a.set(header::ALLOW, "GET, HEAD, OPTIONS");
    }
    a
}

/// Add the headers every answer carries, and stream the body while counting it.
fn finish(
    shared: &Shared,
    mut answer: Answer,
    method: &Method,
    slot: Option<Arc<Slot>>,
) -> Response {
    answer.set(header::CACHE_CONTROL, "no-cache");
    if shared.cors {
        answer.set(header::ACCESS_CONTROL_ALLOW_ORIGIN, "*");
        answer.set(header::ACCESS_CONTROL_EXPOSE_HEADERS, CORS_EXPOSE_HEADERS);
    }
    let payload_len = match &answer.payload {
        Payload::Empty => 0,
        Payload::Bytes(b) => b.len() as u64,
        Payload::File { len, .. } => *len,
    };
    if answer.status != StatusCode::NO_CONTENT && answer.status != StatusCode::NOT_MODIFIED {
        // For HEAD too: the length the GET would have had.
        answer.set(header::CONTENT_LENGTH, payload_len.to_string());
    }
    let payload = if *method == Method::HEAD {
        Payload::Empty
    } else {
        answer.payload
    };
    let tally = Tally {
        slot,
        quiet: shared.quiet,
    };
    let body = match payload {
        Payload::Empty => {
            drop(tally);
            Body::empty()
        }
        other => Body::from_stream(body_stream(other, tally, answer.fault)),
    };
    let mut response = Response::new(body);
    *response.status_mut() = answer.status;
    *response.headers_mut() = answer.headers;
    response
}

/// Counts the body bytes of one logged request as they stream; when the body ends (or the
/// client goes away and the body is dropped) it prints the request line unless quiet.
struct Tally {
    slot: Option<Arc<Slot>>,
    quiet: bool,
}

impl Tally {
    fn add(&self, n: usize) {
        if let Some(slot) = &self.slot {
            slot.sent.fetch_add(n as u64, Ordering::SeqCst);
        }
    }
}

impl Drop for Tally {
    fn drop(&mut self) {
        if self.quiet {
            return;
        }
        if let Some(slot) = &self.slot {
            let range = slot
                .range
                .as_deref()
                .map(|r| format!(" [{r}]"))
                .unwrap_or_default();
            println!(
                "{} {}{} -> {} ({} bytes)",
                slot.method,
                slot.path,
                range,
                slot.status,
                slot.sent.load(Ordering::SeqCst)
            );
        }
    }
}

/// The body as a stream of chunks; each chunk is counted as it is handed over. A body
/// fault strikes once `fault.at` bytes are sent.
fn body_stream(
    payload: Payload,
    tally: Tally,
    fault: Option<BodyFault>,
) -> impl futures::Stream<Item = io::Result<Bytes>> + Send + 'static {
    struct Flow {
        payload: Payload,
        tally: Tally,
        fault: Option<BodyFault>,
        sent: u64,
    }
    let flow = Flow { payload, tally, fault, sent: 0 };
    futures::stream::unfold(flow, |mut flow| async move {
        if let Some(f) = flow.fault.filter(|f| f.at <= flow.sent) {
            flow.fault = None;
            match f.action {
                BodyAction::Pause(d) => tokio::time::sleep(d).await,
                BodyAction::Stall => std::future::pending::<()>().await,
                BodyAction::Reset => {
                    // Let the bytes before the cut reach the client before the connection breaks.
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    let cut = io::Error::new(io::ErrorKind::ConnectionReset, "connection reset (injected fault)");
                    return Some((Err(cut), Flow { payload: Payload::Empty, ..flow }));
                }
            }
        }
        // Never read past the byte a fault waits for.
        let cap = flow.fault.map_or(CHUNK, |f| (f.at - flow.sent).clamp(1, CHUNK));
        match std::mem::replace(&mut flow.payload, Payload::Empty) {
            Payload::Empty => None,
            Payload::Bytes(mut b) => {
                let piece = b.split_to((cap as usize).min(b.len()));
                flow.tally.add(piece.len());
                flow.sent += piece.len() as u64;
                if !b.is_empty() {
                    flow.payload = Payload::Bytes(b);
                }
                Some((Ok(piece), flow))
            }
            Payload::File { mut file, len } => {
                if len == 0 {
                    return None;
                }
                let mut buf = vec![0u8; cap.min(len) as usize];
                match file.read(&mut buf).await {
                    Ok(0) => Some((
                        Err(io::Error::new(io::ErrorKind::UnexpectedEof, "file shrank while being served")),
                        flow,
                    )),
                    Ok(n) => {
                        buf.truncate(n);
                        flow.tally.add(n);
                        flow.sent += n as u64;
                        flow.payload = Payload::File { file, len: len - n as u64 };
                        Some((Ok(Bytes::from(buf)), flow))
                    }
                    Err(e) => Some((Err(e), flow)),
                }
            }
        }
    })
}

/// `GET`/`HEAD` of a `/__faults/<spec>/<path>` request: the file at `<path>`, with the
/// faults that strike this request injected (see [`faults`]).
async fn serve_with_faults(shared: &Shared, spec: &faults::Spec, headers: &HeaderMap) -> Answer {
    let n = shared.faults.next(spec);
    let active: Vec<Fault> = spec.active(n).collect();
    let mut headers = headers.clone();
    for fault in &active {
        match *fault {
            Fault::Latency(d) => tokio::time::sleep(d).await,
            Fault::Status(code) => {
                let status = StatusCode::from_u16(code).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
                return Answer::text(status, &format!("injected fault: status {code}"));
            }
            Fault::Full => {
                headers.remove(header::RANGE);
            }
            _ => {}
        }
    }
    let mut answer = serve_file(shared, &spec.path, &headers).await;
    for fault in active {
        match fault {
            Fault::Body(f) => answer.fault = Some(f),
            Fault::Shift(by) => {
                let moved = answer.headers.get(header::CONTENT_RANGE)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| faults::shifted_content_range(v, by));
                if let Some(v) = moved {
                    answer.set(header::CONTENT_RANGE, v);
                }
            }
            Fault::Etag => {
                let fresh = answer.headers.get(header::ETAG)
                    .and_then(|v| v.to_str().ok())
                    .map(|v| format!("\"{}-{n}\"", v.trim_matches('"')));
                if let Some(v) = fresh {
                    answer.set(header::ETAG, v);
                }
            }
            Fault::Latency(_) | Fault::Status(_) | Fault::Full => {}
        }
    }
    answer
}

/// `GET`/`HEAD` of a file under the root.
async fn serve_file(shared: &Shared, raw_path: &str, headers: &HeaderMap) -> Answer {
    let Some(segments) = safe_segments(raw_path) else {
        return Answer::text(StatusCode::FORBIDDEN, "path outside the served folder");
    };
    let mut file_path = shared.root.clone();
    file_path.extend(&segments);
    let mut meta = match tokio::fs::metadata(&file_path).await {
        Ok(m) => m,
        Err(_) => return Answer::text(StatusCode::NOT_FOUND, "not found"),
    };
    if meta.is_dir() {
        file_path.push("index.html");
        meta = match tokio::fs::metadata(&file_path).await {
            Ok(m) => m,
            Err(_) => return Answer::text(StatusCode::NOT_FOUND, "not found"),
        };
    }
    if !meta.is_file() {
        return Answer::text(StatusCode::NOT_FOUND, "not found");
    }
    // Symlinks may point anywhere: serve only what resolves inside the root.
    match tokio::fs::canonicalize(&file_path).await {
        Ok(real) if real.starts_with(&shared.root) => {}
        Ok(_) => return Answer::text(StatusCode::FORBIDDEN, "path outside the served folder"),
        Err(_) => return Answer::text(StatusCode::NOT_FOUND, "not found"),
    }

    let size = meta.len();
    let modified = meta.modified().unwrap_or(UNIX_EPOCH);
    let since_epoch = modified.duration_since(UNIX_EPOCH).unwrap_or_default();
    let etag = format!("\"{:x}-{:x}\"", size, since_epoch.as_nanos());
    let last_modified = http_date(modified);

    let mut answer = Answer::new(StatusCode::OK);
    answer.set(header::CONTENT_TYPE, content_type(&file_path));
    answer.set(header::ETAG, &etag);
    answer.set(header::LAST_MODIFIED, &last_modified);
    if !shared.ignore_range {
        answer.set(header::ACCEPT_RANGES, "bytes");
    }

    if let Some(inm) = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
    {
        if if_none_match_hits(inm, &etag) {
            answer.status = StatusCode::NOT_MODIFIED;
            return answer;
        }
    }

    let mut span = (0, size);
    if !shared.ignore_range {
        let range = headers.get(header::RANGE).and_then(|v| v.to_str().ok());
        let if_range = headers.get(header::IF_RANGE).and_then(|v| v.to_str().ok());
        let validator_ok = if_range.is_none_or(|v| v.trim() == etag || v.trim() == last_modified);
        if let (Some(range), true) = (range, validator_ok) {
            match parse_range(range, size) {
                RangeAsk::Whole => {}
                RangeAsk::Unsatisfiable => {
                    let mut a =
                        Answer::text(StatusCode::RANGE_NOT_SATISFIABLE, "range not satisfiable");
                    a.set(header::CONTENT_RANGE, format!("bytes */{size}"));
                    a.set(header::ACCEPT_RANGES, "bytes");
                    a.set(header::ETAG, &etag);
                    a.set(header::LAST_MODIFIED, &last_modified);
                    return a;
                }
                RangeAsk::Span(start, end) => {
                    answer.status = StatusCode::PARTIAL_CONTENT;
                    answer.set(header::CONTENT_RANGE, format!("bytes {start}-{end}/{size}"));
                    span = (start, end + 1 - start);
                }
            }
        }
    }

    let (start, len) = span;
    let mut file = match tokio::fs::File::open(&file_path).await {
        Ok(f) => f,
        Err(_) => return Answer::text(StatusCode::NOT_FOUND, "not found"),
    };
    if start > 0 {
        if let Err(e) = file.seek(SeekFrom::Start(start)).await {
            return Answer::text(
                StatusCode::INTERNAL_SERVER_ERROR,
                &format!("seek failed: {e}"),
            );
        }
    }
    answer.payload = Payload::File { file, len };
    answer
}

/// The decoded path segments of a request path, or `None` if it tries to leave the root
/// (`..`, encoded or not), or smuggles a separator, a NUL or a drive prefix into a segment.
fn safe_segments(raw_path: &str) -> Option<Vec<String>> {
    let mut out = Vec::new();
    for raw in raw_path.split('/') {
        let seg = percent_decode(raw)?;
        if seg.is_empty() || seg == "." {
            continue;
        }
        if seg == ".." || seg.contains(['/', '\\', '\0']) {
            return None;
        }
        let mut components = Path::new(&seg).components();
        match (components.next(), components.next()) {
            (Some(Component::Normal(c)), None) if c == seg.as_str() => out.push(seg),
            _ => return None,
        }
    }
    Some(out)
}

/// `%XX`-decode a path segment into UTF-8; `None` on a malformed escape or invalid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = bytes.get(i + 1..i + 3)?;
            let hi = (hex[0] as char).to_digit(16)?;
            let lo = (hex[1] as char).to_digit(16)?;
            out.push((hi * 16 + lo) as u8);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// What a `Range` header asks of a file of `size` bytes.
#[derive(Debug, PartialEq, Eq)]
enum RangeAsk {
    /// Serve the whole file with `200` (no usable single byte range).
    Whole,
    /// `416`.
    Unsatisfiable,
    /// Inclusive byte span `start..=end`, already clamped to the file.
    Span(u64, u64),
}

fn parse_range(header: &str, size: u64) -> RangeAsk {
    let Some(spec) = header.trim().strip_prefix("bytes=") else {
        return RangeAsk::Whole;
    };
    if spec.contains(',') {
        // Several ranges would need multipart/byteranges; ignoring Range is allowed.
        return RangeAsk::Whole;
    }
    let Some((first, last)) = spec.trim().split_once('-') else {
        return RangeAsk::Whole;
    };
    let (first, last) = (first.trim(), last.trim());
    let number = |s: &str| -> Option<u64> {
        if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
            None
        } else {
            s.parse().ok()
        }
    };
    if first.is_empty() {
        // bytes=-n: the last n bytes.
        let Some(n) = number(last) else {
            return RangeAsk::Whole;
        };
        if n == 0 || size == 0 {
            return RangeAsk::Unsatisfiable;
        }
        return RangeAsk::Span(size - n.min(size), size - 1);
    }
    let Some(start) = number(first) else {
        return RangeAsk::Whole;
    };
    let end = if last.is_empty() {
        None
    } else {
        match number(last) {
            Some(e) if e >= start => Some(e),
            _ => return RangeAsk::Whole,
        }
    };
    if start >= size {
        return RangeAsk::Unsatisfiable;
    }
    let end = end.map_or(size - 1, |e| e.min(size - 1));
    RangeAsk::Span(start, end)
}

/// `If-None-Match` (weak comparison) against our entity tag.
fn if_none_match_hits(header: &str, etag: &str) -> bool {
    let ours = etag.trim_start_matches("W/");
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || t.trim_start_matches("W/") == ours)
}

fn content_type(path: &Path) -> &'static str {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .map(|e| e.to_ascii_lowercase())
        .unwrap_or_default();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "map" => "application/json",
        "parquet" => "application/octet-stream",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "webp" => "image/webp",
        "gif" => "image/gif",
        "svg" => "image/svg+xml",
        "ico" => "image/x-icon",
        "md" => "text/markdown; charset=utf-8",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) of a time, clamped to the epoch.
fn http_date(t: SystemTime) -> String {
    const DAYS: [&str; 7] = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let secs = t
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let days = secs / 86_400;
    let rem = secs % 86_400;
    let (year, month, day) = civil_from_days(days as i64);
    let mut s = String::with_capacity(29);
    let _ = write!(
        s,
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} GMT",
        DAYS[(days % 7) as usize],
        day,
        MONTHS[(month - 1) as usize],
        year,
        rem / 3600,
        (rem % 3600) / 60,
        rem % 60
    );
    s
}

/// Proleptic Gregorian (year, month 1..=12, day 1..=31) of a day count since 1970-01-01.
fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let year = yoe + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges() {
        assert_eq!(parse_range("bytes=0-9", 100), RangeAsk::Span(0, 9));
        assert_eq!(parse_range("bytes=90-", 100), RangeAsk::Span(90, 99));
        assert_eq!(parse_range("bytes=90-500", 100), RangeAsk::Span(90, 99));
        assert_eq!(parse_range("bytes=-10", 100), RangeAsk::Span(90, 99));
        assert_eq!(parse_range("bytes=-500", 100), RangeAsk::Span(0, 99));
        assert_eq!(parse_range("bytes=100-", 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=-0", 100), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=0-", 0), RangeAsk::Unsatisfiable);
        assert_eq!(parse_range("bytes=5-2", 100), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=0-1,4-5", 100), RangeAsk::Whole);
        assert_eq!(parse_range("items=0-1", 100), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=a-b", 100), RangeAsk::Whole);
        assert_eq!(parse_range("bytes=+1-2", 100), RangeAsk::Whole);
    }

    #[test]
    fn segments() {
        assert_eq!(safe_segments("/"), Some(vec![]));
        assert_eq!(safe_segments("/a/./b/"), Some(vec!["a".into(), "b".into()]));
        assert_eq!(safe_segments("/a%20b.txt"), Some(vec!["a b.txt".into()]));
        assert_eq!(safe_segments("/../x"), None);
        assert_eq!(safe_segments("/a/%2e%2E/x"), None);
        assert_eq!(safe_segments("/a%2f..%2fx"), None);
        assert_eq!(safe_segments("/a%5c..%5cx"), None);
        assert_eq!(safe_segments("/a%00"), None);
        assert_eq!(safe_segments("/%zz"), None);
    }

    #[test]
    fn dates() {
        let t = UNIX_EPOCH + Duration::from_secs(784_111_777);
        assert_eq!(http_date(t), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(UNIX_EPOCH), "Thu, 01 Jan 1970 00:00:00 GMT");
        let t = UNIX_EPOCH + Duration::from_secs(951_782_400); // leap day 2000
        assert_eq!(http_date(t), "Tue, 29 Feb 2000 00:00:00 GMT");
    }
}
