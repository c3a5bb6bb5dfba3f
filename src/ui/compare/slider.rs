//! Slider: the edited image over the source, cut at a divider that a pointer drags and
//! the keyboard moves (←/→ in 5 % steps when it has focus). Left | right or top / bottom:
//! the `split` URL parameter.

use leptos::html;
use leptos::prelude::*;

use super::zoom::{Layer, ZoomBox, ZoomTools};
use super::Pictures;
use crate::engine::dataset::link::Split;
use crate::engine::imaging::frame::View;
use crate::engine::review::keys;
use crate::ui::url::UrlState;

#[component]
pub fn Slider(pictures: Pictures, view: RwSignal<View>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let split = Memo::new(move |_| state.with(|s| s.split));
    let vertical = move || split.get() == Split::Vertical;
    // Where the divider is, 0–1 of the box's width (height when vertical).
    let at = RwSignal::new(0.5);
    let dragging = RwSignal::new(false);
    let divider = NodeRef::<html::Div>::new();
    let move_to = move |x: f64, y: f64| {
        let Some(parent) = divider.get_untracked().and_then(|d| d.parent_element()) else { return };
        let r = parent.get_bounding_client_rect();
        let p = if vertical() { (y - r.top()) / r.height() } else { (x - r.left()) / r.width() };
        if p.is_finite() {
            at.set(p.clamp(0.0, 1.0));
        }
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        // The divider, not the box, takes this pointer: no pan.
        ev.stop_propagation();
        ev.prevent_default();
        if let Some(d) = divider.get_untracked() {
            let _ = d.set_pointer_capture(ev.pointer_id());
            let _ = d.focus();
        }
        dragging.set(true);
        move_to(f64::from(ev.client_x()), f64::from(ev.client_y()));
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        if dragging.get_untracked() {
            ev.stop_propagation();
            move_to(f64::from(ev.client_x()), f64::from(ev.client_y()));
        }
    };
    let on_up = move |ev: leptos::ev::PointerEvent| {
        if dragging.get_untracked() {
            ev.stop_propagation();
            dragging.set(false);
        }
    };
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if let Some(p) = keys::divider(&ev.key(), at.get_untracked()) {
            ev.prevent_default();
            at.set(p);
        }
    };
    let percent = move || at.get() * 100.0;
    let clip = move || {
        if vertical() {
            format!("inset({:.3}% 0 0 0)", percent())
        } else {
            format!("inset(0 0 0 {:.3}%)", percent())
        }
    };
    let toggle = move |_| state.update(|s| s.split = if s.split == Split::Vertical { Split::Horizontal } else { Split::Vertical });
    view! {
        <div class="compare-tools">
            <button
                data-testid="split-toggle"
                on:click=toggle
                title="Divide left | right or top / bottom"
                aria-label=move || if vertical() { "Divide left and right" } else { "Divide top and bottom" }
            >
                {move || if vertical() { "⇅ Top / bottom" } else { "⇆ Left | right" }}
            </button>
            <span class="hint muted">"Drag the divider, or focus it and use ← →"</span>
            <ZoomTools view/>
        </div>
        <div class="slider" class:vertical=vertical>
        <ZoomBox view class="single">
            <Layer view class="stacked">
                <img data-testid="source-image" alt="source image" draggable="false" src=move || pictures.source.get()/>
            </Layer>
            <div class="clip" style:clip-path=clip>
                <Layer view class="stacked">
                    <img data-testid="edited-image" alt="edited image" draggable="false" src=move || pictures.edited.get()/>
                </Layer>
            </div>
            <span class="badge start">"Source"</span>
            <span class="badge end">"Edited"</span>
            <div
                class="divider"
                class:dragging=move || dragging.get()
                node_ref=divider
                data-testid="slider-divider"
                role="slider"
                tabindex="0"
                aria-label="Divider between source and edited"
                aria-orientation=move || if vertical() { "vertical" } else { "horizontal" }
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || format!("{:.0}", percent())
                aria-valuetext=move || format!("{:.0} % source", percent())
                style:left=move || (!vertical()).then(|| format!("{:.3}%", percent()))
                style:top=move || vertical().then(|| format!("{:.3}%", percent()))
                on:pointerdown=on_down
                on:pointermove=on_move
                on:pointerup=on_up
                on:pointercancel=on_up
                on:keydown=on_key
                on:dblclick=|ev| ev.stop_propagation()
            >
                <span class="grip" aria-hidden="true"></span>
            </div>
        </ZoomBox>
        </div>
    }
}
