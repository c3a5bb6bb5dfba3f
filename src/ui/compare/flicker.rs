//! Flicker: one image at a time in the same place; holding Space or a pointer on it shows
//! the other. The zoom and pan stay as they are, so a change shows up as a jump.

use leptos::prelude::*;

use super::zoom::{Layer, ZoomBox, ZoomTools};
use super::Pictures;
use crate::engine::imaging::frame::View;

#[component]
pub fn Flicker(pictures: Pictures, view: RwSignal<View>, flipped: RwSignal<bool>) -> impl IntoView {
    // The edited image by default; held: the source.
    let showing = move || if flipped.get() { "source" } else { "edited" };
    let hold = Callback::new(move |down: bool| flipped.set(down));
    on_cleanup(move || {
        let _ = flipped.try_set(false);
    });
    view! {
        <div class="compare-tools">
            <span class="hint muted">"Hold Space or press on the image to see the source"</span>
            <ZoomTools view/>
        </div>
        <ZoomBox view on_hold=hold class="single flicker">
            <Layer view class="stacked">
                <img
                    data-testid="source-image"
                    alt="source image"
                    draggable="false"
                    style:visibility=move || if flipped.get() { "visible" } else { "hidden" }
                    src=move || pictures.source.get()
                />
            </Layer>
            <Layer view class="stacked">
                <img
                    data-testid="edited-image"
                    alt="edited image"
                    draggable="false"
                    style:visibility=move || if flipped.get() { "hidden" } else { "visible" }
                    src=move || pictures.edited.get()
                />
            </Layer>
            <span class="badge" data-testid="flicker-showing" data-showing=showing>
                {move || if flipped.get() { "Source" } else { "Edited" }}
            </span>
        </ZoomBox>
    }
}
