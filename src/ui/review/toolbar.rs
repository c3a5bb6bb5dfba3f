//! The review tools of the top bar: "flagged only" (the `flagged` URL parameter), the
//! number of flags, and their export as JSONL and CSV.

use std::sync::Arc;

use leptos::prelude::*;

use super::{download, export, Flags};
use crate::engine::review::export::{csv, export_name, jsonl};
use crate::protocol::DatasetView;
use crate::ui::url::UrlState;

#[derive(Clone, Copy, PartialEq)]
enum Format {
    Jsonl,
    Csv,
}

#[component]
pub fn ReviewTools(dataset: Signal<Option<Arc<DatasetView>>>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let flags = expect_context::<Flags>();
    let busy = RwSignal::new(false);
    let message: RwSignal<Option<String>> = RwSignal::new(None);
    let count = move || flags.count();
    let run = move |format: Format| {
        let Some(d) = dataset.get_untracked() else { return };
        let set = flags.set.get_untracked();
        busy.set(true);
        message.set(None);
        leptos::task::spawn_local(async move {
            let (samples, unread) = export::flagged(&d, &set).await;
            let result = match format {
                Format::Jsonl => download::text(&jsonl(&samples), "application/x-ndjson", &export_name(&d.name, "jsonl")),
                Format::Csv => download::text(&csv(&samples), "text/csv;charset=utf-8", &export_name(&d.name, "csv")),
            };
            let note = match (result, unread) {
                (Err(e), _) => Some(e),
                (Ok(()), 0) => None,
                (Ok(()), n) => Some(format!("{n} flagged rows could not be read; they are exported without id, task and instruction")),
            };
            let _ = message.try_set(note);
            let _ = busy.try_set(false);
        });
    };
    let problem = move || flags.problem.get().or_else(|| message.get());
    view! {
        <div class="review-tools">
            <label class="flagged-toggle" title="Show only the samples flagged in this browser">
                <input
                    type="checkbox"
                    data-testid="flagged-filter"
                    prop:checked=move || state.with(|s| s.flagged)
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        state.update(|s| s.flagged = on);
                    }
                />
                <span>"Flagged only"</span>
                <span class="flag-count" data-testid="flag-count">{count}</span>
            </label>
            <span class="export" role="group" aria-label="Export the flagged samples">
                <span class="muted">"Export"</span>
                <button
                    data-testid="export-jsonl"
                    disabled=move || count() == 0 || busy.get()
                    title="Download the flagged samples as JSON Lines"
                    on:click=move |_| run(Format::Jsonl)
                >
                    "JSONL"
                </button>
                <button
                    data-testid="export-csv"
                    disabled=move || count() == 0 || busy.get()
                    title="Download the flagged samples as CSV (id, file, row, task, instruction, note)"
                    on:click=move |_| run(Format::Csv)
                >
                    "CSV"
                </button>
                <button
                    data-testid="clear-flags"
                    disabled=move || count() == 0
                    title="Remove every flag of this dataset from this browser"
                    on:click=move |_| {
                        let n = flags.count();
                        let ask = format!("Remove all {n} flags of this dataset? Export them first to keep them.");
                        if window().confirm_with_message(&ask).unwrap_or(false) {
                            flags.clear();
                        }
                    }
                >
                    "Clear"
                </button>
            </span>
            {move || problem().map(|p| view! { <span class="review-problem" role="status">{p}</span> })}
        </div>
    }
}
