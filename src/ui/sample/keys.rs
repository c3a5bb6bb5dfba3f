//! The sample view's keyboard: the shortcut table of `engine::review::keys` applied to the
//! open sample, Tab kept inside the dialog, and Space held for flicker. Keys typed into a
//! field (or moving a focused slider) belong to it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::engine::dataset::link::CompareMode;
use crate::engine::imaging::frame::{View, ZOOM_STEP};
use crate::engine::review::keys::{action, Action};
use crate::ui::compare::CompareState;
use crate::ui::focus::{target_takes, trap_tab};
use crate::ui::url::UrlState;

/// What the keys act on.
pub struct Handlers<S, C, F> {
    pub step: S,
    pub close: C,
    pub flag: F,
    pub cmp: CompareState,
    /// The dialog, for Tab.
    pub dialog: NodeRef<leptos::html::Div>,
}

/// Listen while the sample view is mounted.
pub fn listen<S, C, F>(h: Handlers<S, C, F>)
where
    S: Fn(bool) + 'static,
    C: Fn() + 'static,
    F: Fn() + 'static,
{
    let state = expect_context::<UrlState>().0;
    let cmp = h.cmp;
    let down = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.ctrl_key() || ev.meta_key() || ev.alt_key() {
            return;
        }
        let key = ev.key();
        if key == "Tab" {
            if let Some(d) = h.dialog.get_untracked() {
                trap_tab(&ev, &d);
            }
            return;
        }
        if target_takes(&ev) {
            // Esc leaves a field first; the next Esc closes.
            if key == "Escape" {
                if let Some(el) = ev.target().and_then(|t| t.dyn_into::<HtmlElement>().ok()) {
                    ev.prevent_default();
                    let _ = el.blur();
                    if let Some(d) = h.dialog.get_untracked() {
                        let _ = d.focus();
                    }
                }
            }
            return;
        }
        let Some(what) = action(&key) else { return };
        let mode = state.with_untracked(|s| s.mode);
        let zoom = |f: f64| cmp.view.update(|v| *v = v.zoom_at(0.5, 0.5, f));
        match what {
            Action::Next => (h.step)(true),
            Action::Previous => (h.step)(false),
            Action::Close => (h.close)(),
            Action::Mode(m) => state.update(|s| s.mode = m),
            Action::Flag if !ev.repeat() => (h.flag)(),
            Action::ZoomIn => zoom(ZOOM_STEP),
            Action::ZoomOut => zoom(1.0 / ZOOM_STEP),
            Action::ZoomReset => cmp.view.set(View::default()),
            Action::Flicker if mode == CompareMode::Flicker => {
                if !ev.repeat() {
                    cmp.flipped.set(true);
                }
            }
            // The page's own listener opens the list.
            _ => return,
        }
        ev.prevent_default();
    });
    let up = window_event_listener(leptos::ev::keyup, move |ev| {
        if ev.key() == " " && cmp.flipped.get_untracked() {
            cmp.flipped.set(false);
            ev.prevent_default();
        }
    });
    // Letting go of Space in another window must not leave flicker stuck on the source.
    let blur = window_event_listener(leptos::ev::blur, move |_| {
        let _ = cmp.flipped.try_set(false);
    });
    on_cleanup(move || {
        down.remove();
        up.remove();
        blur.remove();
    });
}
