//! A box whose content zooms and pans: wheel and pinch zoom at the pointer, a drag pans,
//! a double-click resets. Every box of a comparison shares one `View`, so both images
//! move alike; the geometry is `engine::imaging::frame`.

use leptos::html;
use leptos::prelude::*;

use crate::engine::imaging::frame::{View, ZOOM_STEP};

/// Pointers down on a box: (id, client x, client y).
#[derive(Default, Clone)]
struct Pointers(Vec<(i32, f64, f64)>);

impl Pointers {
    fn centre_and_spread(&self) -> Option<((f64, f64), f64)> {
        let [(_, x0, y0), (_, x1, y1)] = self.0.get(..2)? else { return None };
        Some((((x0 + x1) / 2.0, (y0 + y1) / 2.0), ((x1 - x0).powi(2) + (y1 - y0).powi(2)).sqrt().max(1.0)))
    }
}

/// A box of the comparison. `on_hold` hears `true` when a pointer goes down on it and
/// `false` when the last one lifts (flicker shows the other image meanwhile).
#[component]
pub fn ZoomBox(
    view: RwSignal<View>,
    #[prop(optional)] on_hold: Option<Callback<bool>>,
    #[prop(optional, into)] class: String,
    children: Children,
) -> impl IntoView {
    let node = NodeRef::<html::Div>::new();
    let pointers = StoredValue::new(Pointers::default());
    // The box's size and place, and a client point as shares of it.
    let share = move |x: f64, y: f64| {
        let r = node.get_untracked()?.get_bounding_client_rect();
        (r.width() > 0.0 && r.height() > 0.0).then(|| ((x - r.left()) / r.width(), (y - r.top()) / r.height(), r.width(), r.height()))
    };
    let on_wheel = move |ev: leptos::ev::WheelEvent| {
        ev.prevent_default();
        let Some((cx, cy, _, _)) = share(f64::from(ev.client_x()), f64::from(ev.client_y())) else { return };
        let lines = match ev.delta_mode() {
            1 => 16.0,
            2 => 400.0,
            _ => 1.0,
        };
        // 0.0015 per pixel: one notch of a mouse wheel (100 px) zooms by about 16 %.
        let factor = (-ev.delta_y() * lines * 0.0015).exp();
        view.update(|v| *v = v.zoom_at(cx, cy, factor));
    };
    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.pointer_type() == "mouse" && ev.button() != 0 {
            return;
        }
        if let Some(el) = node.get_untracked() {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
        let first = pointers.with_value(|p| p.0.is_empty());
        pointers.update_value(|p| {
            p.0.retain(|(id, _, _)| *id != ev.pointer_id());
            p.0.push((ev.pointer_id(), f64::from(ev.client_x()), f64::from(ev.client_y())));
        });
        if first {
            if let Some(cb) = on_hold {
                cb.run(true);
            }
        }
    };
    let on_move = move |ev: leptos::ev::PointerEvent| {
        let (x, y) = (f64::from(ev.client_x()), f64::from(ev.client_y()));
        let before = pointers.get_value();
        let Some(i) = before.0.iter().position(|(id, _, _)| *id == ev.pointer_id()) else { return };
        let mut after = before.clone();
        after.0[i] = (ev.pointer_id(), x, y);
        pointers.set_value(after.clone());
        let Some((_, _, w, h)) = share(x, y) else { return };
        match (before.centre_and_spread(), after.centre_and_spread()) {
            (Some((c0, d0)), Some((c1, d1))) => {
                // Pinch: zoom about the old centre, then follow the centre's move.
                let Some((cx, cy, _, _)) = share(c0.0, c0.1) else { return };
                view.update(|v| *v = v.zoom_at(cx, cy, d1 / d0).pan((c1.0 - c0.0) / w, (c1.1 - c0.1) / h));
            }
            _ if after.0.len() == 1 => {
                let (_, x0, y0) = before.0[i];
                view.update(|v| *v = v.pan((x - x0) / w, (y - y0) / h));
            }
            _ => {}
        }
    };
    let on_up = move |ev: leptos::ev::PointerEvent| {
        let mut last = false;
        pointers.update_value(|p| {
            let had = p.0.len();
            p.0.retain(|(id, _, _)| *id != ev.pointer_id());
            last = had > 0 && p.0.is_empty();
        });
        if last {
            if let Some(cb) = on_hold {
                cb.run(false);
            }
        }
    };
    view! {
        <div
            class=format!("zoom-box {class}")
            class:zoomed=move || !view.get().is_identity()
            node_ref=node
            on:wheel=on_wheel
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=on_up
            on:lostpointercapture=on_up
            on:dblclick=move |_| view.set(View::default())
        >
            {children()}
        </div>
    }
}

/// A layer the size of its box that carries the shared transform.
#[component]
pub fn Layer(view: RwSignal<View>, #[prop(optional, into)] class: String, children: Children) -> impl IntoView {
    view! {
        <div class=format!("layer {class}") style:transform=move || view.get().css()>
            {children()}
        </div>
    }
}

/// −, the zoom, + and reset.
#[component]
pub fn ZoomTools(view: RwSignal<View>) -> impl IntoView {
    let zoom = move |factor: f64| view.update(|v| *v = v.zoom_at(0.5, 0.5, factor));
    view! {
        <span class="zoom-tools" role="group" aria-label="Zoom">
            <button on:click=move |_| zoom(1.0 / ZOOM_STEP) disabled=move || { view.get().scale <= 1.0 } title="Zoom out (−)" aria-label="Zoom out">"−"</button>
            <span class="zoom-level" data-testid="zoom-level">{move || view.get().percent()}</span>
            <button on:click=move |_| zoom(ZOOM_STEP) title="Zoom in (+)" aria-label="Zoom in">"+"</button>
            <button on:click=move |_| view.set(View::default()) disabled=move || view.get().is_identity() title="Reset zoom and pan (0, double-click)">"Fit"</button>
        </span>
    }
}
