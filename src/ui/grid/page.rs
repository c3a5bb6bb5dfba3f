//! One page of the grid: rows of one file (consecutive, or the flagged ones). It asks the
//! worker for their text, then their images, and shows a card per row as soon as it knows
//! the row exists.

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;

use super::Card;
use crate::protocol::{Reply, Request, SampleMeta};
use crate::ui::client;
use crate::ui::client::WorkerStatus;
use crate::ui::images::{self, PairUrls};
use crate::ui::url::UrlState;
use crate::ui::{linked, Counts};

#[component]
pub fn Page(file: String, rows: Vec<u64>) -> impl IntoView {
    if rows.is_empty() {
        return view! { <Probe file/> }.into_any();
    }
    let epoch = expect_context::<WorkerStatus>().epoch;
    let metas: RwSignal<Option<Result<Vec<SampleMeta>, String>>> = RwSignal::new(None);
    let pictures: RwSignal<Option<Result<Vec<Arc<PairUrls>>, String>>> = RwSignal::new(None);
    // Bumped by "Try again": the page asks once more.
    let attempt = RwSignal::new(0u32);
    let state = expect_context::<UrlState>().0;
    let density = Memo::new(move |_| state.with(|s| s.density));
    // Whether the page is near the viewport: far away it keeps only its height (its cards
    // and their images leave the DOM and memory) and takes them back when it nears.
    let near = RwSignal::new(true);
    let far_height = RwSignal::new(0.0f64);
    let el = NodeRef::<html::Div>::new();
    super::observe_nearness(el, near, far_height);
    let (f, r) = (file.clone(), rows.clone());
    Effect::new(move |_| {
        epoch.track();
        attempt.track();
        let (file, rows) = (f.clone(), r.clone());
        client::spawn_for_view(async move {
            let result = match client::request(Request::Rows { file, rows }).await {
                Ok((Reply::Rows { samples }, _)) => Ok(samples),
                Ok(_) => Err("unexpected reply from the worker".into()),
                Err(e) => Err(e),
            };
            let _ = metas.try_set(Some(result));
        });
    });
    // Thumbnails while near, once the rows are known; a load that ends after the page went
    // far (or was asked again) is dropped.
    let generation = StoredValue::new(0u64);
    let approved = expect_context::<super::cost::Approved>();
    let asking: RwSignal<Option<crate::protocol::Cost>> = RwSignal::new(None);
    let (f, r) = (file.clone(), rows.clone());
    Effect::new(move |_| {
        epoch.track();
        approved.0.track();
        asking.set(None);
        let ready = metas.with(|m| matches!(m, Some(Ok(_))));
        let thumb = super::thumb_width(density.get());
        generation.update_value(|g| *g += 1);
        if !near.get() || !ready {
            pictures.set(None);
            return;
        }
        let mine = generation.get_value();
        let (file, rows) = (f.clone(), r.clone());
        let allowed = approved.0.with(|a| a.contains(&file));
        client::spawn_for_view(async move {
            // A page whose images would cost more than the user's limit asks first.
            if !allowed {
                if let Ok((Reply::Cost { cost }, _)) = client::request(Request::Cost { file: file.clone(), rows: rows.clone(), images: true }).await {
                    if cost.bytes > super::cost::ask_above() {
                        if generation.try_get_value() == Some(mine) {
                            let _ = asking.try_set(Some(cost));
                        }
                        return;
                    }
                }
            }
            let loaded = images::load(file, rows, Some(thumb)).await;
            if generation.try_get_value() == Some(mine) {
                let _ = pictures.try_set(Some(loaded));
            }
        });
    });
    let error = move || {
        let m = metas.with(|m| m.as_ref().and_then(|r| r.as_ref().err().cloned()));
        let p = pictures.with(|p| p.as_ref().and_then(|r| r.as_ref().err().cloned()));
        m.or(p).map(|message| {
            view! {
                <div class="error page-error" role="alert" data-testid="error">
                    {linked(&message)}
                    <TryAgain on_retry=move || {
                        metas.set(None);
                        pictures.set(None);
                        attempt.update(|n| *n += 1);
                    }/>
                </div>
            }
        })
    };
    let file_for_ask = file.clone();
    let cards = move || {
        near.get().then(|| {
            rows.iter()
                .map(|&row| {
                    let meta = Signal::derive(move || {
                        metas.with(|m| m.as_ref().and_then(|r| r.as_ref().ok()).and_then(|v| v.iter().find(|s| s.row == row).cloned()))
                    });
                    let urls = Signal::derive(move || {
                        pictures.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).and_then(|v| v.iter().find(|u| u.info.row == row).cloned()))
                    });
                    view! { <Card file=file.clone() row meta urls/> }
                })
                .collect_view()
        })
    };
    let placeholder = move || (!near.get()).then(|| format!("height: {}px", far_height.get()));
    view! {
        <div class="page" class:far=move || !near.get() node_ref=el style=placeholder data-testid="page">
            {error}
            {move || asking.get().map(|cost| view! { <super::cost::Ask file=file_for_ask.clone() cost/> })}
            {cards}
        </div>
    }
    .into_any()
}

/// The place of a file not counted yet: it asks the worker for the file's rows (its
/// footer), and the grid then lays out the file's pages in its place.
#[component]
fn Probe(file: String) -> impl IntoView {
    let epoch = expect_context::<WorkerStatus>().epoch;
    let counts = expect_context::<Counts>().0;
    let failed: RwSignal<Option<String>> = RwSignal::new(None);
    let attempt = RwSignal::new(0u32);
    let f = file.clone();
    let f2 = file.clone();
    Effect::new(move |_| {
        epoch.track();
        attempt.track();
        let file = f.clone();
        client::spawn_for_view(async move {
            match client::request(Request::Count { file: file.clone() }).await {
                Ok((Reply::Counted { rows }, _)) => {
                    let _ = counts.try_update(|c| c.insert(file, rows));
                }
                Ok(_) => {
                    let _ = failed.try_set(Some("unexpected reply from the worker".into()));
                }
                Err(e) => {
                    let _ = failed.try_set(Some(e));
                }
            }
        });
    });
    let name = file.rsplit('/').next().unwrap_or(&file).to_string();
    // A file that cannot be read need not stop the grid: skipping it counts it as empty.
    let skip = StoredValue::new(f2);
    move || match failed.get() {
        Some(message) => view! {
            <div class="error page-error" role="alert" data-testid="error">
                {linked(&message)}
                <TryAgain on_retry=move || {
                    failed.set(None);
                    attempt.update(|n| *n += 1);
                }/>
                <button
                    class="link"
                    data-testid="skip-file"
                    on:click=move |_| {
                        let _ = counts.try_update(|c| c.insert(skip.get_value(), 0));
                    }
                >
                    "Skip this file"
                </button>
            </div>
        }
        .into_any(),
        None => view! { <p class="counting" data-testid="counting">{format!("Counting the pairs of {name}…")}</p> }.into_any(),
    }
}

/// Ask again after a failure (a server that was down, a connection that dropped).
#[component]
fn TryAgain(on_retry: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    view! {
        <button class="link" data-testid="try-again" on:click=move |_| on_retry()>
            "Try again"
        </button>
    }
}
