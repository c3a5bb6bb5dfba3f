//! The UI's side of the worker: spawns it (resolved against the document's base, so it
//! loads under a sub-path too), waits for it to be ready, matches replies to requests,
//! and when it dies reports why and starts a fresh one.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use futures::channel::oneshot;
use js_sys::{Array, Reflect};
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ErrorEvent, ImageBitmap, MessageEvent, Worker};

use crate::protocol::{FromWorker, Reply, Request, Stats, ToWorker};

/// A reply with the Blobs and the bitmaps (thumbnails, `None` where a side has none) that
/// came with it.
type Answer = Result<(Reply, Vec<Blob>, Vec<Option<ImageBitmap>>), String>;

/// A worker dying this many times within `CRASH_WINDOW_MS` stops the view from being
/// reloaded after each: a file that makes the decoder panic would otherwise loop.
const CRASHES_IN_A_ROW: usize = 3;
const CRASH_WINDOW_MS: f64 = 20_000.0;

/// Reactive facts about the worker, shared with views.
#[derive(Clone, Copy)]
pub struct WorkerStatus {
    /// Transfer counters, summed over every worker this page has run.
    pub stats: RwSignal<Stats>,
    /// Why the last worker died, when one did.
    pub crash: RwSignal<Option<String>>,
    /// Bumped each time a fresh worker replaces a dead one: views reload on it.
    pub epoch: RwSignal<u64>,
}

struct Client {
    worker: RefCell<Option<Worker>>,
    ready: Cell<bool>,
    queue: RefCell<Vec<String>>,
    /// Requests every worker gets first, by kind (the Hub and its token, the local
    /// files), with what travels beside them: a worker started after a crash gets them
    /// again.
    standing: RefCell<Vec<(&'static str, String, Option<Array>)>>,
    next_id: Cell<u64>,
    pending: RefCell<HashMap<u64, oneshot::Sender<Answer>>>,
    /// Counters of workers that have died, so the total never goes backwards.
    banked: Cell<Stats>,
    /// When the last workers died (ms since the epoch), to notice a view that kills
    /// every worker it reaches (a file that makes the decoder panic).
    crashes: RefCell<Vec<f64>>,
    status: WorkerStatus,
}

thread_local! {
    static CLIENT: RefCell<Option<Rc<Client>>> = const { RefCell::new(None) };
}

fn worker_url() -> String {
    let base = document().base_uri().ok().flatten().unwrap_or_default();
    web_sys::Url::new_with_base("worker_loader.js", &base).map(|u| u.href()).unwrap_or_else(|_| "worker_loader.js".into())
}

impl Client {
    fn spawn(self: &Rc<Self>) {
        self.ready.set(false);
        let worker = match Worker::new(&worker_url()) {
            Ok(w) => w,
            Err(e) => {
                self.status.crash.set(Some(format!("could not start the worker: {e:?}")));
                return;
            }
        };
        let me = Rc::clone(self);
        let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |e: MessageEvent| me.on_message(e));
        let me = Rc::clone(self);
        let on_error = Closure::<dyn FnMut(ErrorEvent)>::new(move |e: ErrorEvent| {
            e.prevent_default();
            me.on_crash(e.message());
        });
        worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
        worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));
        on_message.forget();
        on_error.forget();
        *self.worker.borrow_mut() = Some(worker);
    }

    fn on_message(&self, event: MessageEvent) {
        let data = event.data();
        let json = Reflect::get(&data, &"json".into()).ok().and_then(|j| j.as_string()).unwrap_or_default();
        let blobs: Vec<Blob> = Reflect::get(&data, &"blobs".into())
            .ok()
            .and_then(|b| b.dyn_into::<Array>().ok())
            .map(|a| a.iter().filter_map(|b| b.dyn_into::<Blob>().ok()).collect())
            .unwrap_or_default();
        let bitmaps: Vec<Option<ImageBitmap>> = Reflect::get(&data, &"bitmaps".into())
            .ok()
            .and_then(|b| b.dyn_into::<Array>().ok())
            .map(|a| a.iter().map(|b| b.dyn_into::<ImageBitmap>().ok()).collect())
            .unwrap_or_default();
        let Ok(msg) = serde_json::from_str::<FromWorker>(&json) else {
            web_sys::console::error_1(&"unreadable message from the worker".into());
            return;
        };
        self.status.stats.set(self.banked.get() + msg.stats);
        if msg.reply == Reply::Ready {
            self.ready.set(true);
            let standing: Vec<(String, Option<Array>)> = self.standing.borrow().iter().map(|(_, t, f)| (t.clone(), f.clone())).collect();
            for (t, files) in standing {
                self.post_with(&t, files.as_ref());
            }
            let queued: Vec<String> = self.queue.borrow_mut().drain(..).collect();
            for q in queued {
                self.post(&q);
            }
            return;
        }
        let tx = self.pending.borrow_mut().remove(&msg.id);
        let unused = match (tx, msg.reply) {
            (Some(tx), Reply::Error { message }) => {
                let _ = tx.send(Err(message));
                bitmaps
            }
            (Some(tx), reply) => match tx.send(Ok((reply, blobs, bitmaps))) {
                Ok(()) => Vec::new(),
                Err(answer) => answer.map(|(_, _, b)| b).unwrap_or_default(),
            },
            (None, _) => bitmaps,
        };
        // A reply nobody waits for any more (the view went away): its bitmaps' pixels
        // are freed now rather than at the next garbage collection.
        for b in unused.into_iter().flatten() {
            b.close();
        }
    }

    fn on_crash(self: &Rc<Self>, message: String) {
        if let Some(w) = self.worker.borrow_mut().take() {
            w.terminate();
        }
        self.banked.set(self.status.stats.get_untracked());
        let now = js_sys::Date::now();
        let looping = {
            let mut crashes = self.crashes.borrow_mut();
            crashes.retain(|t| now - t < CRASH_WINDOW_MS);
            crashes.push(now);
            crashes.len() >= CRASHES_IN_A_ROW
        };
        let why = if looping {
            format!(
                "The background worker stopped again ({message}), {CRASHES_IN_A_ROW} times within {} s: something in this view makes it fail. A new one was started but the view was not reloaded; open another file or dataset, or reload the page to try again.",
                CRASH_WINDOW_MS / 1000.0
            )
        } else {
            format!("The background worker stopped ({message}); a new one was started and the view reloaded.")
        };
        for (_, tx) in self.pending.borrow_mut().drain() {
            let _ = tx.send(Err(why.clone()));
        }
        self.queue.borrow_mut().clear();
        self.status.crash.set(Some(why));
        self.spawn();
        if !looping {
            self.status.epoch.update(|e| *e += 1);
        }
    }

    fn post(&self, text: &str) {
        if let Some(w) = self.worker.borrow().as_ref() {
            if let Err(e) = w.post_message(&JsValue::from_str(text)) {
                web_sys::console::error_2(&"could not reach the worker".into(), &e);
            }
        }
    }

    /// Send `request` now (or when the worker is ready) and to every later worker, in
    /// place of the standing request of the same `kind`. Its reply is not awaited.
    fn stand(&self, kind: &'static str, request: Request, files: Option<Array>) {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let text = serde_json::to_string(&ToWorker { id, request }).unwrap_or_default();
        {
            let mut standing = self.standing.borrow_mut();
            standing.retain(|(k, _, _)| *k != kind);
            standing.push((kind, text.clone(), files.clone()));
        }
        if self.ready.get() {
            self.post_with(&text, files.as_ref());
        }
    }

    /// Post `text`, with `files` beside it when there are some (`{json, files}`): `File`
    /// objects cross to the worker as handles, their bytes stay where they are.
    fn post_with(&self, text: &str, files: Option<&Array>) {
        let Some(files) = files else { return self.post(text) };
        let message = js_sys::Object::new();
        // Setting properties on a fresh plain object cannot fail.
        let _ = Reflect::set(&message, &"json".into(), &JsValue::from_str(text));
        let _ = Reflect::set(&message, &"files".into(), files);
        if let Some(w) = self.worker.borrow().as_ref() {
            if let Err(e) = w.post_message(&message) {
                web_sys::console::error_2(&"could not reach the worker".into(), &e);
            }
        }
    }

    fn send(&self, request: Request) -> (u64, oneshot::Receiver<Answer>) {
        let id = self.next_id.get() + 1;
        self.next_id.set(id);
        let (tx, rx) = oneshot::channel();
        self.pending.borrow_mut().insert(id, tx);
        let text = serde_json::to_string(&ToWorker { id, request }).unwrap_or_default();
        if self.ready.get() {
            self.post(&text);
        } else {
            self.queue.borrow_mut().push(text);
        }
        (id, rx)
    }
}

/// Start the worker; call once at start-up.
pub fn start() -> WorkerStatus {
    let status = WorkerStatus { stats: RwSignal::new(Stats::default()), crash: RwSignal::new(None), epoch: RwSignal::new(0) };
    let client = Rc::new(Client {
        worker: RefCell::new(None),
        ready: Cell::new(false),
        queue: RefCell::new(Vec::new()),
        standing: RefCell::new(Vec::new()),
        next_id: Cell::new(0),
        pending: RefCell::new(HashMap::new()),
        banked: Cell::new(Stats::default()),
        crashes: RefCell::new(Vec::new()),
        status,
    });
    client.spawn();
    CLIENT.with(|c| *c.borrow_mut() = Some(client));
    status
}

/// Keep `request` standing for every worker (see `Client::stand`).
pub fn stand(kind: &'static str, request: Request) {
    stand_with_files(kind, request, None);
}

/// Keep `request` standing for every worker, with `files` (`File` objects) beside it.
pub fn stand_with_files(kind: &'static str, request: Request, files: Option<Array>) {
    CLIENT.with(|c| {
        if let Some(c) = c.borrow().as_ref() {
            c.stand(kind, request, files);
        }
    });
}

/// Ask the worker; an error reply comes back as `Err(message)`. The request is sent at
/// once, before the returned future is first polled (a view sends its requests before it
/// builds itself). Dropping the future before the reply cancels the request in the worker
/// (its reads are aborted).
pub fn request(request: Request) -> impl std::future::Future<Output = Result<(Reply, Vec<Blob>), String>> {
    let answer = request_pictures(request);
    async move {
        let (reply, blobs, bitmaps) = answer.await?;
        for b in bitmaps.into_iter().flatten() {
            b.close();
        }
        Ok((reply, blobs))
    }
}

/// [`request`], with the thumbnails that came with the reply.
pub fn request_pictures(request: Request) -> impl std::future::Future<Output = Answer> {
    let sent = CLIENT.with(|c| c.borrow().as_ref().map(|c| (Rc::clone(c), c.send(request))));
    let sent = sent.map(|(client, (id, rx))| (Pending { client, id, done: false }, rx));
    async move {
        let Some((mut pending, rx)) = sent else { return Err("the worker is not running".into()) };
        let answer = rx.await.unwrap_or_else(|_| Err("the worker went away".into()));
        pending.done = true;
        answer
    }
}

/// A request whose reply has not come: cancelled in the worker when dropped.
struct Pending {
    client: Rc<Client>,
    id: u64,
    done: bool,
}

impl Drop for Pending {
    fn drop(&mut self) {
        if !self.done && self.client.pending.borrow_mut().remove(&self.id).is_some() {
            let text = serde_json::to_string(&ToWorker { id: 0, request: Request::Cancel { id: self.id } }).unwrap_or_default();
            if self.client.ready.get() {
                self.client.post(&text);
            } else {
                // Not sent yet: take it out of the queue instead.
                let id = format!("\"id\":{},", self.id);
                self.client.queue.borrow_mut().retain(|q| !q.starts_with(&format!("{{{id}")));
            }
        }
    }
}

/// Run `work` for the view being built: when the view (or the effect that started it)
/// goes away first, `work` is dropped, and with it the worker requests it awaits.
pub fn spawn_for_view(work: impl std::future::Future<Output = ()> + 'static) {
    let (work, handle) = futures::future::abortable(work);
    on_cleanup(move || handle.abort());
    leptos::task::spawn_local(async move {
        let _ = work.await;
    });
}
