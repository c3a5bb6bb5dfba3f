//! The grid of pairs: pages of consecutive rows (or, with `flagged=1`, of the flagged
//! rows), added as the bottom comes into view. A file whose rows are not counted yet is
//! reached through a page that counts them first.
mod card;
mod cost;
mod page;
mod scores;
pub mod search;

pub use card::{Card, Scores};
pub use scores::ScoresMap;

use std::cell::Cell;
use std::rc::Rc;
use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{IntersectionObserver, IntersectionObserverEntry, IntersectionObserverInit};

use super::review::Flags;
use crate::engine::dataset::link::Density;
use crate::engine::dataset::shuffle;
use super::url::UrlState;
use super::Counts;
use crate::protocol::DatasetView;

/// Rows per page: what one request to the worker covers.
pub const PAGE_ROWS: u64 = 24;

/// Rows per page in a shuffled order: pages are slices of one file each, so smaller
/// pages let the first screen hold several files (several task families).
pub const SHUFFLE_PAGE_ROWS: u64 = 8;

#[component]
pub fn Grid(dataset: Arc<DatasetView>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let flags = expect_context::<Flags>();
    let counts = expect_context::<Counts>().0;
    let task = Memo::new(move |_| state.with(|s| s.task.clone()));
    let flagged = Memo::new(move |_| state.with(|s| s.flagged));
    let seed = Memo::new(move |_| state.with(|s| s.seed));
    let density = Memo::new(move |_| state.with(|s| s.density));
    // The dataset with the files counted so far: pages reach as far as they are known.
    let base = Arc::clone(&dataset);
    let counted = Memo::new(move |_| counts.with(|c| Arc::new(base.with_counts(c))));
    // Pages as (file, rows); a page of no rows counts its file.
    provide_context(cost::Approved(RwSignal::new(Default::default())));
    let search = expect_context::<search::SearchState>();
    let query = Memo::new(move |_| state.with(|s| s.query.clone().filter(|q| !q.trim().is_empty())));
    let searching = Memo::new(move |_| query.with(Option::is_some));
    let shown = RwSignal::new(1usize);
    let score_filters = Memo::new(move |_| state.with(|s| s.scores));
    let score_map = expect_context::<ScoresMap>().0;
    // Pages: (file, rows, whether the rows are known); flagged first, then score filters,
    // then the shuffled or the file order.
    let chunks = Memo::new(move |_| {
        let task = task.get();
        let d = counted.get();
        let filters = score_filters.get();
        let one = |f: String, r: Vec<u64>, known: bool| (vec![(f, r)], known);
        let rows_of = |pages: Vec<(String, Vec<u64>)>| pages.into_iter().map(|(f, r)| one(f, r, true)).collect::<Vec<_>>();
        if searching.get() {
            return search.hits.with(|h| search::pages(h, PAGE_ROWS as usize).into_iter().map(|g| (g, true)).collect());
        }
        match (flagged.get(), seed.get()) {
            (true, _) => rows_of(flags.set.with(|f| f.pages(&d, task.as_deref(), PAGE_ROWS as usize))),
            (false, _) if filters.iter().any(Option::is_some) => score_map.with(|m| {
                let mut out = Vec::new();
                for f in d.files_of(task.as_deref()) {
                    let Some(s) = m.get(&f.key) else {
                        // Not read yet: its place reads its scores (and counts it).
                        out.push(one(f.key.clone(), Vec::new(), false));
                        break;
                    };
                    let rows = scores::passing(s, &filters);
                    out.extend(rows.chunks(PAGE_ROWS as usize).map(|c| one(f.key.clone(), c.to_vec(), true)));
                }
                out
            }),
            // Shuffled pages are made as far as shown, and one more to know there is more.
            (false, Some(seed)) => rows_of(shuffle::pages(&d, task.as_deref(), SHUFFLE_PAGE_ROWS, seed, shown.get() + 1)),
            (false, None) => d.chunks(task.as_deref(), PAGE_ROWS).into_iter().map(|c| one(c.file.clone(), c.rows(), true)).collect(),
        }
    });
    // A new filter or order starts again at the top; flagging or unflagging keeps the
    // pages shown.
    Effect::new(move |_| {
        task.track();
        flagged.track();
        seed.track();
        score_filters.track();
        query.track();
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
        search.loading.track();
        observer.update_value(|o| {
            let obs = o.get_or_insert_with(|| SendObserver::new("600px 0px", move |visible, _| {
                if visible && shown.get_untracked() < chunks.with_untracked(|c| c.len()) {
                    shown.update(|n| *n += 1);
                } else if visible && searching.get_untracked() {
                    // Every hit so far is shown: the next answer's.
                    search.more();
                }
            }));
            obs.0.unobserve(&el);
            obs.0.observe(&el);
        });
    });
    on_cleanup(move || observer.update_value(|o| if let Some(o) = o.take() { o.0.disconnect() }));
    let total = move || {
        if flagged.get() || score_filters.with(|f| f.iter().any(Option::is_some)) {
            chunks.with(|c| c.iter().flat_map(|(g, _)| g).map(|(_, rows)| rows.len() as u64).sum::<u64>())
        } else {
            counted.with(|d| d.files_of(task.get().as_deref()).map(|f| f.rows).sum::<u64>())
        }
    };
    let status = move || {
        let (n, all) = (shown.get(), chunks.with(|c| c.len()));
        if searching.get() {
            return match search.answer.with(|a| a.as_ref().map(|r| r.as_ref().map(|s| s.found.total).map_err(Clone::clone))) {
                None => "Searching…".to_string(),
                Some(Err(e)) => e,
                Some(Ok(0)) => "No instruction matches.".to_string(),
                Some(Ok(_)) if n >= all && search.next().is_none() => "All hits shown.".to_string(),
                Some(Ok(_)) => "Loading more…".to_string(),
            };
        }
        if all == 0 && flagged.get() {
            "No flagged pairs here yet: flag one with ⚐ on its card, or f in the open sample.".to_string()
        } else if all == 0 && score_filters.with(|f| f.iter().any(Option::is_some)) {
            "No pairs with these scores here.".to_string()
        } else if all == 0 {
            "No pairs in this family.".to_string()
        } else if n >= all && chunks.with(|c| c.iter().all(|(_, known)| *known)) {
            // Not while a file's scores are still being read: its pairs come after.
            let which = if flagged.get() {
                "flagged "
            } else if score_filters.with(|f| f.iter().any(Option::is_some)) {
                "matching "
            } else {
                ""
            };
            format!("All {} {which}pairs shown.", total())
        } else {
            "Loading more…".to_string()
        }
    };
    let columns = move || format!("--card-min: {}px", density.get().card_width());
    view! {
        <GridControls/>
        <scores::ScoreFilters dataset=Signal::derive(move || counted.get())/>
        <section class="grid" aria-label="Pairs" style=columns data-size=move || density.get().name()>
            <For
                each=move || chunks.get().into_iter().take(shown.get())
                key=|c| c.clone()
                let:chunk
            >
                {if chunk.1 {
                    view! { <page::Page groups=chunk.0/> }.into_any()
                } else {
                    let file = chunk.0.into_iter().next().map(|(f, _)| f).unwrap_or_default();
                    view! { <scores::ScoreProbe file/> }.into_any()
                }}
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
    /// Calls `on_change` with whether the observed element is within `margin` of the
    /// viewport, and its height, whenever that may have changed (the height comes with
    /// the observation: reading it costs no layout).
    fn new(margin: &str, mut on_change: impl FnMut(bool, f64) + 'static) -> Self {
        let callback = Closure::<dyn FnMut(js_sys::Array)>::new(move |entries: js_sys::Array| {
            let entries: Vec<IntersectionObserverEntry> = entries.iter().filter_map(|e| e.dyn_into().ok()).collect();
            let visible = entries.iter().any(|e| e.is_intersecting());
            let height = entries.last().map_or(0.0, |e| e.bounding_client_rect().height());
            on_change(visible, height);
        });
        let init = IntersectionObserverInit::new();
        init.set_root_margin(margin);
        let observer = IntersectionObserver::new_with_options(callback.as_ref().unchecked_ref(), &init)
            .expect("IntersectionObserver is available in every supported browser");
        Self(observer, callback)
    }
}

/// Width in device pixels of the thumbnails of a grid of `density` cards: an image takes
/// a little under half a card, cards grow up to about twice their narrowest, and the
/// screen may have more pixels than CSS pixels.
pub fn thumb_width(density: Density) -> u32 {
    let ratio = web_sys::window().map_or(1.0, |w| w.device_pixel_ratio()).clamp(1.0, 3.0);
    let css = f64::from(density.card_width()) * 0.6;
    ((css * ratio / 16.0).ceil() * 16.0) as u32
}

/// The grid's order (file order, or shuffled by a seed kept in the link) and its size.
#[component]
fn GridControls() -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let seed = move || state.with(|s| s.seed);
    let reshuffle = move |_| {
        let seed = (js_sys::Math::random() * 1_000_000.0) as u64;
        state.update(|s| s.seed = Some(seed));
    };
    let sizes = Density::ALL
        .into_iter()
        .map(|d| {
            view! {
                <button
                    data-testid=format!("size-{}", d.name())
                    aria-pressed=move || (state.with(|s| s.density) == d).to_string()
                    title=format!("{} thumbnails", d.label())
                    on:click=move |_| state.update(|s| s.density = d)
                >
                    {d.name().to_uppercase()}
                </button>
            }
        })
        .collect_view();
    view! {
        <div class="grid-controls" role="toolbar" aria-label="Grid order and size">
            <span class="order" role="group" aria-label="Order">
                <button
                    data-testid="order-file"
                    aria-pressed=move || seed().is_none().to_string()
                    title="Pairs in the order of the files"
                    on:click=move |_| state.update(|s| s.seed = None)
                >
                    "File order"
                </button>
                <button
                    data-testid="order-shuffle"
                    aria-pressed=move || seed().is_some().to_string()
                    title="A random order; the link keeps its seed, so others see the same sample"
                    on:click=reshuffle
                >
                    {move || if seed().is_some() { "Shuffle again" } else { "Shuffle" }}
                </button>
                {move || seed().map(|s| view! { <span class="muted seed" data-testid="seed">{format!("seed {s}")}</span> })}
            </span>
            <search::SearchBox/>
            <span class="sizes" role="group" aria-label="Thumbnail size">
                <span class="muted">"Size"</span>
                {sizes}
            </span>
        </div>
    }
}

/// How far from the viewport a page keeps its cards: a few screens either way, so
/// scrolling at a normal pace never meets an empty page, while a grid scrolled through
/// thousands of pairs holds only the pages around the viewport.
const NEAR_MARGIN: &str = "2500px 0px";

/// Keep `near` telling whether the element of `el` is within `NEAR_MARGIN` of the
/// viewport; on leaving, its height is kept in `height` first so the page keeps its place.
///
/// `near` changes in a task of its own, not in the observer's callback: that runs inside
/// the frame being drawn, which would then also build (or drop) a page of cards.
fn observe_nearness(el: NodeRef<html::Div>, near: RwSignal<bool>, height: RwSignal<f64>) {
    let observer: StoredValue<Option<SendObserver>> = StoredValue::new(None);
    Effect::new(move |_| {
        let Some(node) = el.get() else { return };
        // The latest answer, and whether a task to apply it is already waiting.
        let wanted = Rc::new(Cell::new(near.get_untracked()));
        let waiting = Rc::new(Cell::new(false));
        let obs = SendObserver::new(NEAR_MARGIN, move |visible, measured| {
            if !visible && near.get_untracked() {
                height.set(measured);
            }
            wanted.set(visible);
            if waiting.replace(true) {
                return;
            }
            let (wanted, waiting) = (Rc::clone(&wanted), Rc::clone(&waiting));
            set_timeout(
                move || {
                    waiting.set(false);
                    if near.try_get_untracked().is_some_and(|n| n != wanted.get()) {
                        near.set(wanted.get());
                    }
                },
                std::time::Duration::ZERO,
            );
        });
        obs.0.observe(&node);
        observer.update_value(|o| {
            if let Some(old) = o.replace(obs) {
                old.0.disconnect();
            }
        });
    });
    on_cleanup(move || observer.update_value(|o| if let Some(o) = o.take() { o.0.disconnect() }));
}
