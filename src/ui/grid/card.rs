//! A card: source → edited thumbnails, the instruction, the task family and the scores.
//! Clicking (or Enter) opens the sample view; its flag button flags it without opening.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::dataset::open::task_label;
use crate::protocol::SampleMeta;
use crate::ui::images::{PairThumbs, Picture};
use crate::ui::review::Flags;
use crate::ui::sample::Opener;
use crate::ui::url::UrlState;

#[component]
pub fn Card(file: String, row: u64, meta: Signal<Option<SampleMeta>>, urls: Signal<Option<Arc<PairThumbs>>>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let opener = expect_context::<Opener>().0;
    let flags = expect_context::<Flags>();
    let key = file.clone();
    let open = move || {
        let key = key.clone();
        opener.set_value(Some((key.clone(), row)));
        state.update(|s| s.open = Some((key, row)));
    };
    let open_key = open.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        // Keys on the card itself, not on its flag button.
        let on_card = ev.target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()).is_some_and(|t| t.has_attribute("data-row"));
        if on_card && (ev.key() == "Enter" || ev.key() == " ") {
            ev.prevent_default();
            open_key();
        }
    };
    // A refused image shows why, as its alternative text.
    let refusal = move |edited: bool| {
        urls.get().and_then(|u| if edited { u.info.edited_error.clone() } else { u.info.source_error.clone() })
    };
    let source_alt = move || refusal(false).unwrap_or_else(|| "source".into());
    let edited_alt = move || refusal(true).unwrap_or_else(|| "edited".into());
    let search = use_context::<super::search::SearchState>();
    let instruction = move || {
        let text = meta.get().map(|m| m.instruction).unwrap_or_default();
        super::search::marked(&text, &search.map(|s| s.stems()).unwrap_or_default())
    };
    let task = move || meta.get().and_then(|m| m.task).map(|t| task_label(&t));
    let f = file.clone();
    let flagged = Memo::new(move |_| flags.contains(&f, row));
    let flag_file = file.clone();
    let on_flag = move |ev: leptos::ev::MouseEvent| {
        // Flagging is not opening.
        ev.stop_propagation();
        flags.toggle(&flag_file, row);
    };
    view! {
        <article
            class="card"
            class:loading=move || meta.with(|m| m.is_none())
            class:flagged=move || flagged.get()
            data-testid="card"
            data-file=file
            data-row=row.to_string()
            tabindex="0"
            aria-label=move || meta.with(|m| m.as_ref().map_or_else(|| format!("Sample {row}, loading"), |m| format!("Sample {row}: {}", m.instruction)))
            on:click=move |_| open()
            on:keydown=on_key
        >
            <button
                class="card-flag"
                class:on=move || flagged.get()
                data-testid="flag-button"
                aria-pressed=move || flagged.get().to_string()
                aria-label=move || if flagged.get() { "Unflag this sample" } else { "Flag this sample as bad" }
                title=move || if flagged.get() { "Flagged as bad: click to unflag" } else { "Flag as bad" }
                on:click=on_flag
            >
                {move || if flagged.get() { "⚑" } else { "⚐" }}
            </button>
            <div class="pair">
                {move || side(urls.get(), false, source_alt(), refusal(false))}
                <span class="arrow" aria-hidden="true">"→"</span>
                {move || side(urls.get(), true, edited_alt(), refusal(true))}
            </div>
            <p class="instruction" data-testid="instruction">{instruction}</p>
            <div class="meta">
                <span class="task">{task}</span>
                <Scores meta/>
            </div>
        </article>
    }
}

/// The three quality scores as small badges (hidden when the file has none).
#[component]
pub fn Scores(meta: Signal<Option<SampleMeta>>) -> impl IntoView {
    use super::scores::NAMES;
    move || {
        meta.get().map(|m| {
            NAMES
                .iter()
                .zip(m.scores)
                .filter_map(|((short, long), score)| {
                    let score = score?;
                    Some(view! {
                        <span class="score" data-score=score.to_string() title=format!("{long}: {score} of 3")>
                            {format!("{short} {score}")}
                        </span>
                    })
                })
                .collect_view()
        })
    }
}

/// One side of a card: a thumbnail on a canvas (which takes the bitmap's pixels over), or
/// an `<img>` of the image as stored, or an empty `<img>` while loading.
fn side(pair: Option<Arc<PairThumbs>>, edited: bool, alt: String, title: Option<String>) -> impl IntoView {
    let id = if edited { "edited-image" } else { "source-image" };
    match pair.as_ref().map(|p| p.side(edited)) {
        Some(Picture::Thumb(b)) => {
            let (width, height) = (b.width, b.height);
            let canvas = NodeRef::<leptos::html::Canvas>::new();
            let pair = pair.clone();
            canvas.on_load(move |canvas: web_sys::HtmlCanvasElement| {
                let Some(Picture::Thumb(b)) = pair.as_ref().map(|p| p.side(edited)) else { return };
                let context = canvas.get_context("bitmaprenderer").ok().flatten();
                if let (Some(bitmap), Some(context)) = (b.take(), context) {
                    let context: web_sys::ImageBitmapRenderingContext = wasm_bindgen::JsCast::unchecked_into(context);
                    context.transfer_from_image_bitmap(&bitmap);
                    let _ = canvas.set_attribute("data-shown", "");
                }
            });
            view! { <canvas data-testid=id node_ref=canvas role="img" aria-label=alt width=width height=height></canvas> }.into_any()
        }
        Some(Picture::Stored(url)) => view! { <img data-testid=id alt=alt title=title src=url.href() decoding="async"/> }.into_any(),
        None => view! { <img data-testid=id alt=alt/> }.into_any(),
    }
}
