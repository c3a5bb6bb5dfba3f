//! Side by side: two boxes of one size, each image contained in its own, zoomed and
//! panned together.

use leptos::prelude::*;

use super::zoom::{Layer, ZoomBox, ZoomTools};
use super::Pictures;
use crate::engine::imaging::frame::View;

#[component]
pub fn Side(pictures: Pictures, captions: [Signal<String>; 2], view: RwSignal<View>) -> impl IntoView {
    let [source_caption, edited_caption] = captions;
    view! {
        <div class="compare-tools">
            <span class="hint muted">"Scroll or pinch to zoom both, drag to pan"</span>
            <ZoomTools view/>
        </div>
        <div class="side">
            <figure>
                <ZoomBox view>
                    <Layer view>
                        <img data-testid="source-image" alt="source image" draggable="false" src=move || pictures.source.get()/>
                    </Layer>
                </ZoomBox>
                <figcaption>"Source " <span class="muted">{move || source_caption.get()}</span></figcaption>
            </figure>
            <figure>
                <ZoomBox view>
                    <Layer view>
                        <img data-testid="edited-image" alt="edited image" draggable="false" src=move || pictures.edited.get()/>
                    </Layer>
                </ZoomBox>
                <figcaption>"Edited " <span class="muted">{move || edited_caption.get()}</span></figcaption>
            </figure>
        </div>
    }
}
