//! What the sample view does with the open sample: flag it (with a note), download its
//! two images and its row, copy a link to it.

use std::sync::Arc;
use std::time::Duration;

use leptos::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::engine::review::export::{pair_names, row_json, stem};
use crate::protocol::SampleMeta;
use crate::ui::images::PairUrls;
use crate::ui::review::{download, Flags};
use crate::ui::url::UrlState;

/// Flag or unflag (f).
#[component]
pub fn FlagToggle(file: String, row: u64) -> impl IntoView {
    let flags = expect_context::<Flags>();
    let f = file.clone();
    let flagged = Memo::new(move |_| flags.contains(&f, row));
    view! {
        <button
            class="flag"
            class:on=move || flagged.get()
            data-testid="flag-button"
            aria-pressed=move || flagged.get().to_string()
            title=move || if flagged.get() { "Flagged as bad: click or press f to unflag" } else { "Flag as bad (f)" }
            on:click=move |_| flags.toggle(&file, row)
        >
            {move || if flagged.get() { "⚑ Flagged" } else { "⚐ Flag" }}
        </button>
    }
}

/// The note of a flagged sample, saved as it is typed.
#[component]
pub fn FlagNote(file: String, row: u64) -> impl IntoView {
    let flags = expect_context::<Flags>();
    let f = file.clone();
    let note = Memo::new(move |_| flags.note(&f, row));
    move || {
        let file = file.clone();
        note.get().map(|text| {
            view! {
                <label class="flag-note">
                    <span>"Why is it bad?"</span>
                    <input
                        type="text"
                        data-testid="flag-note"
                        placeholder="Optional note, e.g. “the hat is blue, not red”"
                        maxlength="2000"
                        prop:value=text
                        on:input=move |ev| flags.set_note(&file, row, &event_target_value(&ev))
                        on:keydown=|ev| {
                            // Enter or Esc hands the keyboard back to the sample view.
                            if ev.key() == "Enter" || ev.key() == "Escape" {
                                ev.prevent_default();
                                let el: web_sys::HtmlElement = event_target(&ev);
                                let _ = el.blur();
                            }
                        }
                    />
                </label>
            }
        })
    }
}

/// Both images with their original bytes and the row as JSON: three downloads.
#[component]
pub fn DownloadPair(file: String, row: u64, meta: Signal<Option<SampleMeta>>, pair: Signal<Option<Arc<PairUrls>>>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let problem: RwSignal<Option<String>> = RwSignal::new(None);
    let on_click = move |_| {
        let (Some(m), Some(p)) = (meta.get_untracked(), pair.get_untracked()) else { return };
        let stem = stem(m.id, &file, row);
        let [source, edited, json] = pair_names(&stem, &p.info.source_mime, &p.info.edited_mime);
        let src = state.with_untracked(|s| s.src.clone());
        let result = download::href(&p.source.href(), &source)
            .and_then(|_| download::href(&p.edited.href(), &edited))
            .and_then(|_| download::text(&row_json(src.as_deref(), &file, &m), "application/json", &json));
        problem.set(result.err());
    };
    view! {
        <button
            data-testid="download-pair"
            disabled=move || meta.with(|m| m.is_none()) || pair.with(|p| p.is_none())
            title="Download both images (original bytes) and the row as JSON"
            on:click=on_click
        >
            "⤓ Download"
        </button>
        {move || problem.get().map(|p| view! { <span class="action-problem" role="status">{p}</span> })}
    }
}

/// Copy the address of this view (it opens this sample, in this mode).
#[component]
pub fn CopyLink() -> impl IntoView {
    let copied: RwSignal<Option<Result<(), ()>>> = RwSignal::new(None);
    let on_click = move |_| {
        let href = window().location().href().unwrap_or_default();
        let promise = window().navigator().clipboard().write_text(&href);
        leptos::task::spawn_local(async move {
            let ok = JsFuture::from(promise).await.map(|_| ()).map_err(|_| ());
            if copied.try_set(Some(ok)).is_none() {
                set_timeout(move || { let _ = copied.try_set(None); }, Duration::from_secs(2));
            }
        });
    };
    view! {
        <button data-testid="copy-link" title="Copy a link to this sample" on:click=on_click>
            "Copy link"
        </button>
        {move || copied.get().map(|r| {
            let text = if r.is_ok() { "Copied" } else { "Could not copy: the link is in the address bar" };
            view! { <span class="copied" role="status" data-testid="copied">{text}</span> }
        })}
    }
}
