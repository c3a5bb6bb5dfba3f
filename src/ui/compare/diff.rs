//! Difference: the source with a heatmap of what changed laid over it. The worker decodes
//! the pair and draws the map (`Request::Diff`); a new threshold asks again after a short
//! pause, and only the newest answer is shown.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;

use super::zoom::{Layer, ZoomBox, ZoomTools};
use super::Pictures;
use crate::engine::imaging::frame::View;
use crate::protocol::{Reply, Request};
use crate::ui::client::{self, WorkerStatus};
use crate::ui::images::BlobUrl;
use crate::ui::url::UrlState;

/// Quiet time after the last threshold change before the worker is asked (a drag of the
/// slider sends one request, not fifty).
const DEBOUNCE: Duration = Duration::from_millis(150);

struct Shown {
    threshold: u8,
    fraction: f64,
    width: u32,
    height: u32,
    resized: bool,
    heatmap: BlobUrl,
}

async fn ask(file: String, row: u64, threshold: u8) -> Result<Shown, String> {
    let (reply, blobs) = client::request(Request::Diff { file, row, threshold }).await?;
    let Reply::Diff { fraction, width, height, resized } = reply else { return Err("unexpected reply from the worker".into()) };
    let heatmap = blobs.first().and_then(BlobUrl::new).ok_or("the worker sent no heatmap")?;
    Ok(Shown { threshold, fraction, width, height, resized, heatmap })
}

#[component]
pub fn Difference(file: String, row: u64, pictures: Pictures, view: RwSignal<View>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let epoch = expect_context::<WorkerStatus>().epoch;
    let threshold = Memo::new(move |_| state.with(|s| s.threshold));
    let shown: RwSignal<Option<Arc<Shown>>> = RwSignal::new(None);
    let error: RwSignal<Option<String>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    // Bumped on each change; an answer or a timer of an older generation is dropped.
    let generation = StoredValue::new(0u64);
    Effect::new(move |first: Option<()>| {
        epoch.track();
        let t = threshold.get();
        let g = generation.with_value(|g| g + 1);
        generation.set_value(g);
        busy.set(true);
        let file = file.clone();
        let go = move || {
            if generation.try_get_value() != Some(g) {
                return;
            }
            leptos::task::spawn_local(async move {
                let result = ask(file, row, t).await;
                if generation.try_get_value() != Some(g) {
                    return;
                }
                match result {
                    Ok(s) => {
                        shown.set(Some(Arc::new(s)));
                        error.set(None);
                    }
                    Err(e) => error.set(Some(e)),
                }
                busy.set(false);
            });
        };
        // The first map is asked for at once; later thresholds after a pause.
        if first.is_none() {
            go();
        } else {
            set_timeout(go, DEBOUNCE);
        }
    });
    let heatmap = move || shown.with(|s| s.as_ref().map(|s| s.heatmap.href()));
    let fraction = move || shown.with(|s| s.as_ref().map(|s| s.fraction));
    let percent = move || match fraction() {
        Some(f) if f > 0.0 && f < 0.0001 => "< 0.01 %".to_string(),
        Some(f) => format!("{:.2} %", f * 100.0),
        None => "…".to_string(),
    };
    let resized = move || {
        shown.with(|s| {
            s.as_ref().filter(|s| s.resized).map(|s| {
                format!("The images differ in size: the edited image was resized to the source's {}×{} to compare.", s.width, s.height)
            })
        })
    };
    view! {
        <div class="compare-tools diff-tools">
            <label class="threshold">
                <span>"Threshold"</span>
                <input
                    type="range"
                    min="0"
                    max="254"
                    step="1"
                    data-testid="diff-threshold"
                    aria-label="Difference threshold (0–254 of 255)"
                    prop:value=move || threshold.get().to_string()
                    on:input=move |ev| {
                        if let Ok(t) = event_target_value(&ev).parse::<u8>() {
                            state.update(|s| s.threshold = t);
                        }
                    }
                />
                <output>{move || threshold.get()}</output>
            </label>
            <span class="fraction" class:busy=move || busy.get() title="Pixels whose largest channel change is above the threshold">
                <span
                    data-testid="diff-fraction"
                    data-fraction=move || fraction().map(|f| f.to_string())
                    data-threshold=move || shown.with(|s| s.as_ref().map(|s| s.threshold.to_string()))
                >
                    {percent}
                </span>
                " of pixels changed"
            </span>
            <span class="legend" aria-hidden="true" title="Colour of a change: just above the threshold … the largest">
                <span>"small"</span>
                <span class="ramp"></span>
                <span>"large"</span>
            </span>
            <ZoomTools view/>
        </div>
        {move || resized().map(|text| view! { <p class="resized" data-testid="diff-resized" role="note">{text}</p> })}
        {move || error.get().map(|message| view! { <div class="error" role="alert" data-testid="error">{message}</div> })}
        <ZoomBox view class="single diff">
            <Layer view class="stacked">
                <img data-testid="source-image" alt="source image" draggable="false" src=move || pictures.source.get()/>
            </Layer>
            <Layer view class="stacked">
                <img class="heatmap" data-testid="diff-heatmap" alt="heatmap of changed pixels" draggable="false" src=heatmap/>
            </Layer>
            <span class="badge">"Source + changes"</span>
        </ZoomBox>
    }
}
