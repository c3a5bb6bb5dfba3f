//! The sample view: both images at full size side by side with everything the row says
//! (instruction, task, id, sizes, scores). ←/→ step through the filtered samples, Esc
//! closes; the open sample is in the URL.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::dataset::open::task_label;
use crate::engine::range::human_bytes;
use crate::protocol::{DatasetView, Reply, Request, SampleMeta};
use crate::ui::client::{self, WorkerStatus};
use crate::ui::grid::Scores;
use crate::ui::images::{self, PairUrls};
use crate::ui::url::UrlState;

#[component]
pub fn SampleView(dataset: Arc<DatasetView>, file: String, row: u64) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let epoch = expect_context::<WorkerStatus>().epoch;
    let meta: RwSignal<Option<Result<SampleMeta, String>>> = RwSignal::new(None);
    let pictures: RwSignal<Option<Result<Arc<PairUrls>, String>>> = RwSignal::new(None);
    let f = file.clone();
    Effect::new(move |_| {
        epoch.track();
        let file = f.clone();
        leptos::task::spawn_local(async move {
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

    let task = state.with_untracked(|s| s.task.clone());
    let has_prev = dataset.neighbour(task.as_deref(), &file, row, false).is_some();
    let has_next = dataset.neighbour(task.as_deref(), &file, row, true).is_some();
    let step = {
        let dataset = Arc::clone(&dataset);
        let file = file.clone();
        move |forward: bool| {
            if let Some(next) = dataset.neighbour(task.as_deref(), &file, row, forward) {
                state.update(|s| s.open = Some(next));
            }
        }
    };
    let close = move || state.update(|s| s.open = None);
    let step_key = step.clone();
    let keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        match ev.key().as_str() {
            "ArrowRight" => step_key(true),
            "ArrowLeft" => step_key(false),
            "Escape" => close(),
            _ => return,
        }
        ev.prevent_default();
    });
    on_cleanup(move || keys.remove());

    let (prev, next) = (step.clone(), step);
    let m = Signal::derive(move || meta.with(|m| m.as_ref().and_then(|r| r.as_ref().ok()).cloned()));
    let error = move || {
        let a = meta.with(|m| m.as_ref().and_then(|r| r.as_ref().err().cloned()));
        let b = pictures.with(|p| p.as_ref().and_then(|r| r.as_ref().err().cloned()));
        a.or(b).map(|message| view! { <div class="error" role="alert" data-testid="error">{message}</div> })
    };
    let img = move |edited: bool| {
        pictures.with(|p| p.as_ref().and_then(|r| r.as_ref().ok()).map(|u| if edited { u.edited.href() } else { u.source.href() }))
    };
    let size = move |edited: bool| {
        let dims = m.get().and_then(|m| if edited { m.edited_size } else { m.source_size });
        let bytes = pictures.with(|p| {
            p.as_ref().and_then(|r| r.as_ref().ok()).map(|u| {
                let (n, mime) = if edited { (u.info.edited_bytes, &u.info.edited_mime) } else { (u.info.source_bytes, &u.info.source_mime) };
                format!("{} · {}", mime.trim_start_matches("image/").to_uppercase(), human_bytes(n))
            })
        });
        let dims = dims.map(|[w, h]| format!("{w}×{h}"));
        [dims, bytes].into_iter().flatten().collect::<Vec<_>>().join(" · ")
    };
    let title = file.rsplit('/').next().unwrap_or(&file).to_string();
    view! {
        <div class="backdrop" on:click=move |_| close()></div>
        <div class="sample" role="dialog" aria-modal="true" aria-label="Sample" data-testid="sample-view">
            <div class="sample-bar">
                <button on:click=move |_| prev(false) disabled=!has_prev title="Previous (←)">"← Prev"</button>
                <span class="where" title=file.clone()>{format!("{title} · row {row}")}</span>
                <button on:click=move |_| next(true) disabled=!has_next title="Next (→)">"Next →"</button>
                <button class="close" on:click=move |_| close() title="Close (Esc)">"✕"</button>
            </div>
            {error}
            <div class="sample-pair">
                <figure>
                    <img data-testid="source-image" alt="source image" src=move || img(false)/>
                    <figcaption>"Source " <span class="muted">{move || size(false)}</span></figcaption>
                </figure>
                <figure>
                    <img data-testid="edited-image" alt="edited image" src=move || img(true)/>
                    <figcaption>"Edited " <span class="muted">{move || size(true)}</span></figcaption>
                </figure>
            </div>
            <p class="instruction big" data-testid="instruction">{move || m.get().map(|m| m.instruction).unwrap_or_default()}</p>
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
