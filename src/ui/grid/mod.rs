//! The grid of pairs: pages of consecutive rows (or, with `flagged=1`, of the flagged
//! rows), added as the bottom comes into view. A file whose rows are not counted yet is
//! reached through a page that counts them first.
mod card;
mod page;

pub use card::{Card, Scores};

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use super::review::Flags;
use super::url::UrlState;
use super::Counts;
use crate::protocol::DatasetView;

/// Rows per page: what one request to the worker covers.
pub const PAGE_ROWS: u64 = 24;

#[component]
pub fn Grid(dataset: Arc<DatasetView>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let flags = expect_context::<Flags>();
    let counts = expect_context::<Counts>().0;
    let task = Memo::new(move |_| state.with(|s| s.task.clone()));
    let flagged = Memo::new(move |_| state.with(|s| s.flagged));
    // The dataset with the files counted so far: pages reach as far as they are known.
    let base = Arc::clone(&dataset);
    let counted = Memo::new(move |_| counts.with(|c| Arc::new(base.with_counts(c))));
    // Pages as (file, rows); a page of no rows counts its file.
    let chunks = Memo::new(move |_| {
        let task = task.get();
        let d = counted.get();
        if flagged.get() {
            flags.set.with(|f| f.pages(&d, task.as_deref(), PAGE_ROWS as usize))
        } else {
            d.chunks(task.as_deref(), PAGE_ROWS).into_iter().map(|c| (c.file.clone(), c.rows())).collect()
        }
    });
    let shown = RwSignal::new(1usize);
    // A new filter starts again at the top; flagging or unflagging keeps the pages shown.
    Effect::new(move |_| {
        task.track();
        flagged.track();
        shown.set(1);
    });
    let sentinel = NodeRef::<html::Div>::new();
    let observer: StoredValue<Option<SendObserver>> = StoredValue::new(None);
    Effect::new(move |_| {
        let Some(el) = sentinel.get() else { return };
        // Re-observing after each page makes the observer report again while the bottom
        // stays in view (a tall window fills several pages at once); so does a file counted
        // (its pages take the place of the page that counted it).
        shown.track();
        chunks.with(|c| c.len());
        observer.update_value(|o| {
            let obs = o.get_or_insert_with(|| SendObserver::new(move || {
                if shown.get_untracked() < chunks.with_untracked(|c| c.len()) {
                    shown.update(|n| *n += 1);
                }
            }));
            obs.0.unobserve(&el);
            obs.0.observe(&el);
        });
    });
    on_cleanup(move || observer.update_value(|o| if let Some(o) = o.take() { o.0.disconnect() }));
    let total = move || {
        if flagged.get() {
            chunks.with(|c| c.iter().map(|(_, rows)| rows.len() as u64).sum::<u64>())
        } else {
            counted.with(|d| d.files_of(task.get().as_deref()).map(|f| f.rows).sum::<u64>())
        }
    };
    let status = move || {
        let (n, all) = (shown.get(), chunks.with(|c| c.len()));
        if all == 0 && flagged.get() {
            "No flagged pairs here yet: flag one with ⚐ on its card, or f in the open sample.".to_string()
        } else if all == 0 {
            "No pairs in this family.".to_string()
        } else if n >= all {
            format!("All {} {}pairs shown.", total(), if flagged.get() { "flagged " } else { "" })
        } else {
            "Loading more…".to_string()
        }
    };
    view! {
        <section class="grid" aria-label="Pairs">
            <For
                each=move || chunks.get().into_iter().take(shown.get())
                key=|c| c.clone()
                let:chunk
            >
                <page::Page file=chunk.0 rows=chunk.1/>
            </For>
        </section>
        <div class="sentinel" node_ref=sentinel>{status}</div>
    }
}

/// An IntersectionObserver owned by the grid. Wasm in the browser is single-threaded,
/// so holding it in reactive storage (which asks for `Send`) is sound.
struct SendObserver(IntersectionObserver, #[allow(dead_code)] Closure<dyn FnMut(js_sys::Array)>);

unsafe impl Send for SendObserver {}
unsafe impl Sync for SendObserver {}

impl SendObserver {
    fn new(mut on_visible: impl FnMut() + 'static) -> Self {
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let visible = entries
                .iter()
                .filter_map(|e| e.dyn_into::<IntersectionObserverEntry>().ok())
                .any(|e| e.is_intersecting());
            if visible {
                on_visible();
            }
        });
        let init = IntersectionObserverInit::new();
        init.set_root_margin("600px 0px");
        let observer = IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init)
            .expect("IntersectionObserver is available in every supported browser");
        Self(observer, callback)
    }
}
