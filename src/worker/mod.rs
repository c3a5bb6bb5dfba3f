//! The worker: runs the engine off the main thread. It takes JSON requests, answers with
//! JSON plus image Blobs, and never touches the DOM. A panic here kills only the worker;
//! the UI notices, reports it and starts a new one.

pub(crate) mod backend;
pub(crate) mod page_maps;
mod thumbs;

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::future::AbortHandle;

use js_sys::{Array, Object, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, DedicatedWorkerGlobalScope, ImageBitmap, MessageEvent};

use crate::engine::dataset::hub;
use crate::engine::dataset::link::ColumnMap;
use crate::engine::dataset::source::Source;
use crate::engine::error::EngineError;
use crate::engine::imaging::sniff::ImageFormat;
use crate::engine::imaging::sniff::{self, Header};
use crate::engine::session::{Session, ShownPair};
use crate::protocol::{FromWorker, ImagePair, Reply, Request, ToWorker};
use backend::WebBackend;

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

fn blob(bytes: &[u8], mime: &str) -> Result<Blob, JsValue> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    Blob::new_with_u8_array_sequence_and_options(&parts, &options)
}

/// One side of a pair as handed to the page.
enum Side {
    /// The image as stored (empty when refused, with why), and its MIME type.
    Stored(Blob, String, Option<String>),
    /// A thumbnail, and the stored image's MIME type.
    Thumb(ImageBitmap, String),
}

/// A thumbnail `thumb` pixels wide of an image with this `header`, when one is asked for,
/// the image is wider and the browser can decode it.
async fn thumb_of(bytes: &[u8], header: &Header, thumb: Option<u32>) -> Option<ImageBitmap> {
    let (size, t) = header.size.zip(thumb).filter(|&((w, _), t)| w > t)?;
    thumbs::thumbnail(bytes, header.format.mime(), size, t).await.ok()
}

/// One side of a pair: its thumbnail (made early, or now), or the image as stored (an
/// image the browser cannot decode too: the card says so).
async fn side(bytes: &[u8], checked: Result<Header, EngineError>, thumb: Option<u32>, early: Option<ImageBitmap>) -> Result<Side, JsValue> {
    let header = match checked {
        Ok(h) => h,
        Err(e) => return Ok(Side::Stored(blob(&[], ImageFormat::Unknown.mime())?, ImageFormat::Unknown.mime().into(), Some(e.to_string()))),
    };
    let mime = header.format.mime();
    let small = match early {
        Some(b) => Some(b),
        None => thumb_of(bytes, &header, thumb).await,
    };
    Ok(match small {
        Some(b) => Side::Thumb(b, mime.into()),
        None => Side::Stored(blob(bytes, mime)?, mime.into(), None),
    })
}

/// Thumbnails made while a read was still going, by (row, edited), with the bytes they
/// were made from.
type EarlyThumbs = HashMap<(u64, bool), (bytes::Bytes, ImageBitmap)>;

/// The images of `rows` of `file` as `Reply::Images`: with thumbnails `thumb` wide, each
/// image's thumbnail is begun as soon as its bytes are in (a few at a time), while the
/// rest of the page's images are still on their way. Images costing more than
/// `ask_above` bytes are not read: the reply is their `Reply::Cost`.
async fn images(session: &Session<WebBackend>, file: &str, rows: &[u64], thumb: Option<u32>, ask_above: Option<u64>) -> Result<(Reply, Attached), EngineError> {
    use futures::StreamExt;
    if let Some(limit) = ask_above {
        let cost = session.cost(file, rows, true).await?;
        if cost.bytes > limit {
            return Ok((Reply::Cost { cost }, Attached::default()));
        }
    }
    let Some(t) = thumb else {
        return Ok(images_reply(session.shown_images(file, rows).await?, None, EarlyThumbs::new()).await);
    };
    let (sender, arrived) = futures::channel::mpsc::unbounded::<(u64, bool, bytes::Bytes)>();
    // Closed when the read ends, which ends the stream of arrivals.
    let sender = RefCell::new(Some(sender));
    let tell = |row: u64, edited: bool, bytes: &bytes::Bytes| {
        if let Some(s) = sender.borrow().as_ref() {
            let _ = s.unbounded_send((row, edited, bytes.clone()));
        }
    };
    let read = async {
        let pairs = session.shown_images_early(file, rows, Some(&tell)).await;
        sender.borrow_mut().take();
        pairs
    };
    let made = arrived
        .map(|(row, edited, bytes)| async move {
            let header = sniff::check(&bytes, sniff::MAX_SHOWN_PIXELS).ok()?;
            let bitmap = thumb_of(&bytes, &header, Some(t)).await?;
            Some(((row, edited), (bytes, bitmap)))
        })
        .buffer_unordered(THUMBS_AT_ONCE)
        .filter_map(|made| async move { made })
        .collect::<EarlyThumbs>();
    let (pairs, early) = futures::join!(read, made);
    match pairs {
        Ok(pairs) => Ok(images_reply(pairs, thumb, early).await),
        Err(e) => {
            for (_, bitmap) in early.into_values() {
                bitmap.close();
            }
            Err(e)
        }
    }
}

/// Pairs whose thumbnails are made at once: enough to keep the browser's decoding
/// threads busy, few enough that the full-size images held meanwhile stay a few MB.
const THUMBS_AT_ONCE: usize = 4;

/// What travels beside a reply's JSON: Blobs, and (for thumbnails) ImageBitmaps, which
/// move to the page. For `Images`, both lists hold two entries a pair, source then
/// edited: a side's Blob is empty when it is a thumbnail, its bitmap null when it is not.
#[derive(Default)]
struct Attached {
    blobs: Vec<Blob>,
    bitmaps: Vec<Option<ImageBitmap>>,
}

impl Attached {
    fn blobs(blobs: Vec<Blob>) -> Self {
        Self { blobs, bitmaps: Vec::new() }
    }
}

/// A side as (Blob, bitmap, MIME type, why refused); `None` when no empty Blob could be made.
fn split(side: Side) -> Option<(Blob, Option<ImageBitmap>, String, Option<String>)> {
    match side {
        Side::Stored(blob, mime, error) => Some((blob, None, mime, error)),
        Side::Thumb(bitmap, mime) => Blob::new().ok().map(|empty| (empty, Some(bitmap), mime, None)),
    }
}

/// The reply to `Images`: the pairs' sides, thumbnails made a few pairs at a time (the
/// browser decodes on its own threads), in row order.
async fn images_reply(pairs: Vec<ShownPair>, thumb: Option<u32>, mut early: EarlyThumbs) -> (Reply, Attached) {
    use futures::StreamExt;
    // A thumbnail made early counts only when made from the bytes the read returned.
    let mut take = |row: u64, edited: bool, bytes: &bytes::Bytes| {
        let (made_from, bitmap) = early.remove(&(row, edited))?;
        // Most often the very bytes (a view of the same fetched buffer): no need to compare.
        let same = (made_from.as_ptr() == bytes.as_ptr() && made_from.len() == bytes.len()) || made_from == *bytes;
        if same {
            Some(bitmap)
        } else {
            bitmap.close();
            None
        }
    };
    let jobs: Vec<_> = pairs
        .iter()
        .map(|p| {
            let (source, edited) = (take(p.pair.row, false, &p.pair.source), take(p.pair.row, true, &p.pair.edited));
            async move {
                let s = side(&p.pair.source, p.source.clone(), thumb, source).await;
                let e = side(&p.pair.edited, p.edited.clone(), thumb, edited).await;
                (p, s, e)
            }
        })
        .collect();
    for (_, bitmap) in early.into_values() {
        bitmap.close();
    }
    let sides = futures::stream::iter(jobs).buffered(THUMBS_AT_ONCE).collect::<Vec<_>>().await;
    let mut attached = Attached::default();
    let mut images = Vec::with_capacity(pairs.len());
    for (p, s, e) in sides {
        let (Ok(s), Ok(e)) = (s, e) else {
            web_sys::console::error_1(&"worker: could not hand over an image".into());
            continue;
        };
        let (Some(s), Some(e)) = (split(s), split(e)) else {
            web_sys::console::error_1(&"worker: could not hand over an image".into());
            continue;
        };
        let ((sb, sm, source_mime, source_error), (eb, em, edited_mime, edited_error)) = (s, e);
        images.push(ImagePair {
            row: p.pair.row,
            source_mime,
            edited_mime,
            source_bytes: p.pair.source.len() as u64,
            edited_bytes: p.pair.edited.len() as u64,
            source_error,
            edited_error,
        });
        attached.blobs.extend([sb, eb]);
        attached.bitmaps.extend([sm, em]);
    }
    (Reply::Images { images }, attached)
}

fn post(msg: &FromWorker, attached: &Attached) {
    let json = serde_json::to_string(msg).unwrap_or_else(|e| {
        format!(r#"{{"id":{},"stats":{{"requests":0,"bytes":0}},"reply":{{"kind":"error","message":"{}"}}}}"#, msg.id, e)
    });
    let obj = Object::new();
    let blobs: Array = attached.blobs.iter().collect();
    let bitmaps = Array::new();
    let moved = Array::new();
    for b in &attached.bitmaps {
        match b {
            Some(b) => {
                bitmaps.push(b);
                moved.push(b);
            }
            None => {
                bitmaps.push(&JsValue::NULL);
            }
        }
    }
    // Setting properties on a fresh plain object cannot fail.
    let _ = Reflect::set(&obj, &"json".into(), &json.into());
    let _ = Reflect::set(&obj, &"blobs".into(), &blobs);
    let _ = Reflect::set(&obj, &"bitmaps".into(), &bitmaps);
    // The bitmaps move to the page: no copy of their pixels stays here.
    if let Err(e) = scope().post_message_with_transfer(&obj, &moved) {
        web_sys::console::error_2(&"worker: could not post a reply".into(), &e);
    }
}

async fn answer(session: &Session<WebBackend>, request: Request, files: Vec<Blob>) -> (Reply, Attached) {
    let result = match request {
        Request::Local { names } => {
            session.forget_local(&names).await;
            session.backend().set_local(names.into_iter().zip(files).collect());
            Ok((Reply::Done, Attached::default()))
        }
        Request::Hub { base, token } => {
            // The page chose the Hub; a stand-in is taken only on this computer.
            let here = scope().location().href();
            session.set_hub(hub::choose_hub(&here, Some(&base)), token);
            Ok((Reply::Done, Attached::default()))
        }
        Request::Count { file } => session.count(&file).await.map(|rows| (Reply::Counted { rows }, Attached::default())),
        Request::Scores { file } => session.scores(&file).await.map(|scores| (Reply::Scores { scores }, Attached::default())),
        Request::Search { files, query, limit, from } => session.search(&files, &query, from, limit).await.map(|searched| (Reply::Searched { searched }, Attached::default())),
        Request::FindId { id } => session.find_id(id).await.map(|(at, indexed)| (Reply::FoundId { at, indexed }, Attached::default())),
        Request::Open { src, map } => match (Source::parse(Some(&src)), map.as_deref().map(ColumnMap::parse).transpose()) {
            (_, Err(detail)) => Err(EngineError::Source { src: format!("map={}", map.unwrap_or_default()), detail }),
            (Ok(source), Ok(map)) => {
                session.set_map(map);
                session.open(&source).await.map(|d| (Reply::Opened { dataset: (*d).clone() }, Attached::default()))
            }
            (Err(e), _) => Err(e),
        },
        Request::Rows { file, rows } => session.rows(&file, &rows).await.map(|samples| (Reply::Rows { samples }, Attached::default())),
        Request::Images { file, rows, thumb, ask_above } => images(session, &file, &rows, thumb, ask_above).await,
        Request::Diff { file, row, threshold } => session.diff(&file, row, threshold).await.and_then(|d| {
            let heatmap = blob(&d.png, "image/png").map_err(|_| EngineError::Image {
                file: file.clone(),
                row,
                which: "difference".into(),
                detail: "map could not be handed to the page".into(),
            })?;
            let reply = Reply::Diff { fraction: d.fraction, width: d.width, height: d.height, resized: d.resized };
            Ok((reply, Attached::blobs(vec![heatmap])))
        }),
        Request::Crash | Request::Cancel { .. } => unreachable!("handled before dispatch"),
    };
    result.unwrap_or_else(|e| (Reply::Error { message: e.to_string() }, Attached::default()))
}

/// Entry point of the worker binary.
pub fn start() {
    console_error_panic_hook::set_once();
    let maps = page_maps::IdbPageMaps::new(page_maps::DATABASE);
    let session = Rc::new(Session::new(WebBackend::default()).with_page_maps(Box::new(maps)));
    // Requests being answered, so a cancelled one can be stopped.
    let running: Rc<RefCell<HashMap<u64, AbortHandle>>> = Rc::default();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        // A request is its JSON, or {json, files} when local files travel with it.
        let data = event.data();
        let (text, files) = match data.as_string() {
            Some(text) => (text, Vec::new()),
            None => {
                let json = Reflect::get(&data, &"json".into()).ok().and_then(|j| j.as_string()).unwrap_or_default();
                let files: Vec<Blob> = Reflect::get(&data, &"files".into())
                    .ok()
                    .and_then(|f| f.dyn_into::<Array>().ok())
                    .map(|a| a.iter().filter_map(|f| f.dyn_into::<Blob>().ok()).collect())
                    .unwrap_or_default();
                (json, files)
            }
        };
        let msg: ToWorker = match serde_json::from_str(&text) {
            Ok(m) => m,
            Err(e) => {
                let reply = Reply::Error { message: format!("worker: unreadable request ({e})") };
                post(&FromWorker { id: 0, stats: session.stats(), reply }, &Attached::default());
                return;
            }
        };
        if msg.request == Request::Crash {
            panic!("crash requested for diagnostics");
        }
        if let Request::Cancel { id } = msg.request {
            // Dropping the request's future drops its reads, which aborts their fetches.
            if let Some(handle) = running.borrow_mut().remove(&id) {
                handle.abort();
            }
            return;
        }
        let session = Rc::clone(&session);
        let running = Rc::clone(&running);
        let (work, handle) = futures::future::abortable(async move {
            let (reply, attached) = answer(&session, msg.request, files).await;
            post(&FromWorker { id: msg.id, stats: session.stats(), reply }, &attached);
        });
        running.borrow_mut().insert(msg.id, handle);
        wasm_bindgen_futures::spawn_local(async move {
            let _ = work.await;
            running.borrow_mut().remove(&msg.id);
        });
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    post(&FromWorker { id: 0, stats: Default::default(), reply: Reply::Ready }, &Attached::default());
}
