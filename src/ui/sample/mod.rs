//! The sample view: the pair compared (side by side, slider, flicker or difference) with
//! everything the row says (instruction, task, id, sizes, scores), and the review actions
//! (flag with a note, download, copy link). It is a modal dialog: keys act on it, Tab stays
//! in it, and on close focus returns to the card it was opened from. The open sample and
//! the mode are in the URL.

mod actions;
mod keys;

use std::sync::Arc;

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::engine::dataset::open::task_label;
use crate::engine::dataset::shuffle;
use crate::engine::range::human_bytes;
use crate::protocol::{DatasetView, Reply, Request, SampleMeta};
use crate::ui::client::{self, WorkerStatus};
use crate::ui::compare::{Compare, CompareState, ModeSwitch, Pictures};
use crate::ui::grid::{Scores, SHUFFLE_PAGE_ROWS};
use crate::ui::images::{self, PairUrls};
use crate::ui::review::shortcuts::ShortcutsOpen;
use crate::ui::review::Flags;
use crate::ui::url::UrlState;
use actions::{CopyLink, DownloadPair, FlagNote, FlagToggle};

/// The card a sample was opened from, to focus again on close; provided by the app.
#[derive(Clone, Copy)]
pub struct Opener(pub StoredValue<Option<(String, u64)>>);

/// Provide the opener and give focus back to its card whenever the sample view closes
/// (to the card of the last sample shown when it was opened from a link).
pub fn return_focus(state: UrlState) {
    let opener = Opener(StoredValue::new(None));
    provide_context(opener);
    let last: StoredValue<Option<(String, u64)>> = StoredValue::new(None);
    Effect::new(move |was_open: Option<bool>| {
        let open = state.0.with(|s| s.open.clone());
        if let Some(o) = &open {
            last.set_value(Some(o.clone()));
        }
        if was_open == Some(true) && open.is_none() {
            let target = opener.0.get_value().or_else(|| last.get_value());
            opener.0.set_value(None);
            if let Some((file, row)) = target {
                // After the dialog has left the DOM.
                request_animation_frame(move || focus_card(&file, row));
            }
        }
        open.is_some()
    });
}

fn focus_card(file: &str, row: u64) {
    let Ok(cards) = document().query_selector_all("[data-testid=card]") else { return };
    let row = row.to_string();
    for i in 0..cards.length() {
        let Some(card) = cards.item(i).and_then(|c| c.dyn_into::<HtmlElement>().ok()) else { continue };
        if card.get_attribute("data-file").as_deref() == Some(file) && card.get_attribute("data-row").as_deref() == Some(row.as_str()) {
            let _ = card.focus();
            return;
        }
    }
}

#[component]
pub fn SampleView(dataset: Arc<DatasetView>, file: String, row: u64) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let epoch = expect_context::<WorkerStatus>().epoch;
    let flags = expect_context::<Flags>();
    let shortcuts = expect_context::<ShortcutsOpen>().0;
    let meta: RwSignal<Option<Result<SampleMeta, String>>> = RwSignal::new(None);
    let pictures: RwSignal<Option<Result<Arc<PairUrls>, String>>> = RwSignal::new(None);
    let f = file.clone();
    Effect::new(move |_| {
        epoch.track();
        let file = f.clone();
        client::spawn_for_view(async move {
            let text = match client::request(Request::Rows { file: file.clone(), rows: vec![row] }).await {
                Ok((Reply::Rows { samples }, _)) => samples.into_iter().next().ok_or_else(|| format!("{file}: row {row} not found")),
                Ok(_) => Err("unexpected reply from the worker".into()),
                Err(e) => Err(e),
            };
            if meta.try_set(Some(text)).is_some() {
                return;
            }
            let result = images::load(file.clone(), vec![row])
                .await
                .and_then(|v| v.into_iter().next().ok_or_else(|| format!("{file}: row {row} has no images")));
            let _ = pictures.try_set(Some(result));
        });
    });

    // ←/→ follow the grid: the family filter, its shuffled order, and only flagged samples
    // when it shows those.
    let counts = expect_context::<crate::ui::Counts>().0;
    let search = use_context::<crate::ui::grid::search::SearchState>();
    let neighbour = {
        let dataset = Arc::clone(&dataset);
        let file = file.clone();
        move |forward: bool| {
            let (task, flagged, seed) = state.with_untracked(|s| (s.task.clone(), s.flagged, s.seed));
            let dataset = counts.with_untracked(|c| dataset.with_counts(c));
            let hits = state.with_untracked(|s| s.query.is_some()).then(|| search.map(|s| s.hits.get_untracked())).flatten();
            if let Some(hits) = hits {
                return crate::ui::grid::search::neighbour(&hits, &file, row, forward);
            }
            match (flagged, seed) {
                (true, _) => flags.set.with_untracked(|set| set.neighbour(&dataset, task.as_deref(), &file, row, forward)),
                (false, Some(seed)) => shuffle::neighbour(&dataset, task.as_deref(), SHUFFLE_PAGE_ROWS, seed, &file, row, forward),
                (false, None) => dataset.neighbour(task.as_deref(), &file, row, forward),
            }
        }
    };
    let n = neighbour.clone();
    let has = move |forward: bool| {
        flags.set.track();
        state.with(|s| s.flagged);
        n(forward).is_some()
    };
    let step = move |forward: bool| {
        if let Some(next) = neighbour(forward) {
            state.update(|s| s.open = Some(next));
        }
    };
    let close = move || state.update(|s| s.open = None);
    let dialog = NodeRef::<html::Div>::new();
    let cmp = CompareState::new();
    let flag_file = file.clone();
    keys::listen(keys::Handlers {
        step: step.clone(),
        close,
        flag: move || flags.toggle(&flag_file, row),
        cmp,
        dialog,
    });
    // The dialog takes focus so that keys and Tab start inside it.
    Effect::new(move |_| {
        if let Some(d) = dialog.get() {
            let active = document().active_element();
            if active.is_none_or(|a| !d.contains(Some(&a))) {
                let _ = d.focus();
            }
        }
    });

    let m = Signal::derive(move || meta.with(|m| m.as_ref().and_then(|r| r.as_ref().ok()).cloned()));
    let pair = Signal::derive(move || pictures.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).cloned()));
    let error = move || {
        let a = meta.with(|m| m.as_ref().and_then(|r| r.as_ref().err().cloned()));
        let b = pictures.with(|p| p.as_ref().and_then(|r| r.as_ref().err().cloned()));
        a.or(b).map(|message| view! { <div class="error" role="alert" data-testid="error">{message}</div> })
    };
    let size = move |edited: bool| {
        let dims = m.get().and_then(|m| if edited { m.edited_size } else { m.source_size });
        let bytes = pair.with(|p| {
            p.as_ref().map(|u| {
                let (n, mime) = if edited { (u.info.edited_bytes, &u.info.edited_mime) } else { (u.info.source_bytes, &u.info.source_mime) };
                format!("{} · {}", mime.trim_start_matches("image/").to_uppercase(), human_bytes(n))
            })
        });
        let dims = dims.map(|[w, h]| format!("{w}×{h}"));
        [dims, bytes].into_iter().flatten().collect::<Vec<_>>().join(" · ")
    };
    let captions = [Signal::derive(move || size(false)), Signal::derive(move || size(true))];
    let title = file.rsplit('/').next().unwrap_or(&file).to_string();
    let (prev, next) = (step.clone(), step);
    let has_prev = {
        let has = has.clone();
        move || !has(false)
    };
    let has_next = move || !has(true);
    view! {
        <div class="backdrop" on:click=move |_| close()></div>
        <div class="sample" role="dialog" aria-modal="true" aria-label="Sample" data-testid="sample-view" tabindex="-1" node_ref=dialog>
            <div class="sample-bar">
                <button on:click=move |_| prev(false) disabled=has_prev title="Previous (← or k)" aria-label="Previous sample">"← Prev"</button>
                <span class="where" title=file.clone()>{format!("{title} · row {row}")}</span>
                <button on:click=move |_| next(true) disabled=has_next title="Next (→ or j)" aria-label="Next sample">"Next →"</button>
                <ModeSwitch/>
                <span class="actions">
                    <FlagToggle file=file.clone() row/>
                    <DownloadPair file=file.clone() row meta=m pair/>
                    <CopyLink/>
                    <button on:click=move |_| shortcuts.set(true) title="Keyboard shortcuts (?)" aria-label="Keyboard shortcuts">"?"</button>
                    <button class="close" on:click=move |_| close() title="Close (Esc)" aria-label="Close">"✕"</button>
                </span>
            </div>
            <FlagNote file=file.clone() row/>
            {error}
            <Compare file=file.clone() row pictures=Pictures::from(pair) captions cmp/>
            <p class="instruction big" data-testid="instruction">
                {move || {
                    let text = m.get().map(|m| m.instruction).unwrap_or_default();
                    let query = state.with(|s| s.query.clone()).unwrap_or_default();
                    crate::ui::grid::search::marked(&text, &crate::ui::grid::search::query_stems(&query, &text))
                }}
            </p>
            <dl class="facts">
                <dt>"Task"</dt>
                <dd>{move || m.get().and_then(|m| m.task).map(|t| task_label(&t)).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Id"</dt>
                <dd data-testid="sample-id">{move || m.get().and_then(|m| m.id).map(|i| i.to_string()).unwrap_or_else(|| "—".into())}</dd>
                <dt>"Scores"</dt>
                <dd><Scores meta=m/></dd>
            </dl>
        </div>
    }
}
