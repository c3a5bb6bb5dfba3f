//! The UI: thin Leptos components over the worker. It knows the protocol, never Parquet.
//! All shareable state is in the URL (`url`); the worker is reached through `client`.

mod client;
mod compare;
mod focus;
mod grid;
mod header;
mod images;
mod local;
mod review;
mod sample;
mod token;
mod url;

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::dataset::source::Source;
use crate::protocol::{DatasetView, Reply, Request};
use client::WorkerStatus;
use url::UrlState;

/// Rows of the open dataset's files counted since it opened (a Hub dataset lists its
/// files without rows), by file key; provided as context.
#[derive(Clone, Copy)]
pub struct Counts(pub RwSignal<HashMap<String, u64>>);


/// Mount the app on the page body.
pub fn mount() {
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(App);
}

/// Resolve a user's `src` against the document (relative paths, the demo).
fn absolute(src: &str) -> String {
    let base = document().base_uri().ok().flatten().unwrap_or_default();
    web_sys::Url::new_with_base(src, &base).map(|u| u.href()).unwrap_or_else(|_| src.into())
}

async fn open(src: Option<String>, map: Option<String>) -> Result<Arc<DatasetView>, String> {
    let source = Source::parse(src.as_deref()).map_err(|e| e.to_string())?;
    let src = match source.url() {
        Some(url) => absolute(url),
        None => source.to_src(),
    };
    match client::request(Request::Open { src, map }).await? {
        (Reply::Opened { dataset }, _) => Ok(Arc::new(dataset)),
        _ => Err("unexpected reply from the worker".into()),
    }
}

#[component]
fn App() -> impl IntoView {
    let status = client::start();
    token::provide();
    let token_epoch = expect_context::<token::TokenEpoch>().0;
    let state = url::init();
    provide_context(state);
    provide_context(status);
    let counts = Counts(RwSignal::new(HashMap::new()));
    provide_context(counts);
    let scores = grid::ScoresMap(RwSignal::new(HashMap::new()));
    provide_context(scores);
    let local_files = local::provide(state);
    // First, so that an open list of shortcuts sees keys before the sample view.
    review::shortcuts::provide();
    review::Flags::provide(state);
    sample::return_focus(state);
    let opened = Memo::new(move |_| state.0.with(|s| s.open.clone()));
    // A source opened and then pinned (a Hub branch written as its commit) is the same
    // dataset: (pinned, as asked).
    let pin: RwSignal<Option<(String, Option<String>)>> = RwSignal::new(None);
    let src = Memo::new(move |_| {
        let asked = state.0.with(|s| s.src.clone());
        pin.with(|p| match p {
            Some((pinned, was)) if asked.as_deref() == Some(pinned.as_str()) => was.clone(),
            _ => asked,
        })
    });
    let map = Memo::new(move |_| state.0.with(|s| s.map.clone()));
    let dataset = LocalResource::new(move || {
        status.epoch.track();
        token_epoch.track();
        local_files.epoch.track();
        open(src.get(), map.get())
    });
    let base = Signal::derive(move || dataset.get().and_then(|r| r.ok()));
    Effect::new(move |_| {
        base.track();
        counts.0.set(HashMap::new());
        scores.0.set(HashMap::new());
    });
    // Links name what was opened: a branch becomes the commit it pointed to.
    Effect::new(move |_| {
        let Some(pinned) = base.with(|d| d.as_ref().and_then(|d| d.pinned.clone())) else { return };
        if state.0.with_untracked(|s| s.src.as_deref() != Some(pinned.as_str())) {
            pin.set(Some((pinned.clone(), src.get_untracked())));
            state.0.update(|s| s.src = Some(pinned));
        }
    });
    let loaded = Signal::derive(move || {
        let d = base.get()?;
        Some(counts.0.with(|c| if c.is_empty() { d.clone() } else { Arc::new(d.with_counts(c)) }))
    });
    grid::search::provide(loaded);
    let id_notice = find_by_id(state, base);
    listen_for_diagnostics();
    view! {
        <header::Header dataset=loaded/>
        <CrashNotice status/>
        {move || id_notice.get().map(|message| view! {
            <div class="notice" role="status" data-testid="id-notice">
                <span>{message}</span>
                <button class="link" on:click=move |_| id_notice.set(None)>"Dismiss"</button>
            </div>
        })}
        <local::DropZone/>
        <main class="content">
            <Suspense fallback=|| view! { <p class="loading">"Opening the dataset…"</p> }>
                {move || dataset.get().map(|result| match result {
                    Ok(d) => view! { <grid::Grid dataset=d/> }.into_any(),
                    Err(message) => view! { <ErrorBox message/> }.into_any(),
                })}
            </Suspense>
        </main>
        {move || {
            let d = base.get()?;
            let (file, row) = opened.get()?;
            Some(view! { <sample::SampleView dataset=d file row/> })
        }}
        <review::shortcuts::Shortcuts/>
    }
}

/// A link to a sample by its id (`id=`): once the dataset is open, the worker looks the
/// id up in the dataset's index and the sample opens, the link then naming its file and
/// row. Returns what to tell the user when it is not found.
fn find_by_id(state: UrlState, dataset: Signal<Option<Arc<DatasetView>>>) -> RwSignal<Option<String>> {
    let notice = RwSignal::new(None);
    let id = Memo::new(move |_| state.0.with(|s| s.id));
    let ready = Memo::new(move |_| dataset.with(Option::is_some));
    Effect::new(move |_| {
        let (Some(id), true) = (id.get(), ready.get()) else { return };
        leptos::task::spawn_local(async move {
            let message = match client::request(Request::FindId { id }).await {
                Ok((Reply::FoundId { at: Some(at), .. }, _)) => {
                    state.0.update(|s| {
                        if s.id == Some(id) {
                            s.id = None;
                            s.open = Some(at);
                        }
                    });
                    return;
                }
                Ok((Reply::FoundId { at: None, indexed: true }, _)) => format!("No sample has id {id} in this dataset's index."),
                Ok((Reply::FoundId { at: None, indexed: false }, _)) => {
                    format!("Sample {id} cannot be looked up: this dataset has no index (a manifest names one; `gallery index` builds it).")
                }
                Ok(_) => "unexpected reply from the worker".into(),
                Err(e) => format!("Could not look up sample {id}: {e}"),
            };
            let _ = notice.try_set(Some(message));
            state.0.update(|s| {
                if s.id == Some(id) {
                    s.id = None;
                }
            });
        });
    });
    notice
}

/// `window.dispatchEvent(new CustomEvent("gallery-diagnostics", {detail: "crash-worker"}))`
/// makes the worker fail as a crash would: proof, from a console or a test, that the page
/// reports it and recovers.
fn listen_for_diagnostics() {
    let handle = window_event_listener_untyped("gallery-diagnostics", |ev| {
        use wasm_bindgen::JsCast;
        let detail = ev.dyn_ref::<web_sys::CustomEvent>().and_then(|e| e.detail().as_string());
        if detail.as_deref() == Some("crash-worker") {
            leptos::task::spawn_local(async {
                let _ = client::request(Request::Crash).await;
            });
        }
    });
    std::mem::forget(handle);
}

/// `text` with its http(s) URLs as links (opened in a new tab): a message that says
/// "accept the dataset's terms at …" can be followed.
pub fn linked(text: &str) -> impl IntoView {
    let mut parts = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find("https://").into_iter().chain(rest.find("http://")).min() {
        let (before, from) = rest.split_at(i);
        let end = from.find(char::is_whitespace).unwrap_or(from.len());
        let url = from[..end].trim_end_matches(['.', ',', ';', ':', ')']);
        parts.push(before.to_string().into_any());
        parts.push(view! { <a href=url.to_string() target="_blank" rel="noopener noreferrer">{url.to_string()}</a> }.into_any());
        rest = &from[url.len()..];
    }
    parts.push(rest.to_string().into_any());
    parts
}

#[component]
fn ErrorBox(message: String) -> impl IntoView {
    let state = expect_context::<UrlState>();
    let on_demo = move |_| state.0.set(Default::default());
    // A link to local files opened where they are not: pick them here.
    let local = state.0.with_untracked(|s| match Source::parse(s.src.as_deref()) {
        Ok(Source::Local(names)) if names.len() == 1 => Some(format!("Pick {} again", names[0])),
        Ok(Source::Local(names)) => Some(format!("Pick the {} files again", names.len())),
        _ => None,
    });
    view! {
        <div class="error" role="alert" data-testid="error">
            <strong>"Could not open this dataset. "</strong>
            <span>{linked(&message)}</span>
            {local.map(|label| view! { <local::FilePicker label test_id="file-picker-again"/> })}
            <button class="link" on:click=on_demo>"Open the demo instead"</button>
        </div>
    }
}

#[component]
fn CrashNotice(status: WorkerStatus) -> impl IntoView {
    move || {
        status.crash.get().map(|message| {
            view! {
                <div class="notice" role="status">
                    <span>{message}</span>
                    <button class="link" on:click=move |_| status.crash.set(None)>"Dismiss"</button>
                </div>
            }
        })
    }
}
