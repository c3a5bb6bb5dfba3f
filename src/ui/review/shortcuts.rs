//! The `?` overlay: every keyboard shortcut and pointer gesture, from the one table the
//! key handlers use. While it is open it keeps the keyboard (Tab stays inside, Esc or `?`
//! closes it and focus goes back where it was).

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::HtmlElement;

use crate::engine::review::keys::{label, Action, GESTURES, SHORTCUTS};
use crate::ui::focus::{target_takes, trap_tab};

/// Whether the list is shown; provided as context by the app.
#[derive(Clone, Copy)]
pub struct ShortcutsOpen(pub RwSignal<bool>);

/// Provide the context and listen for `?` on the whole page. Call once, before any other
/// key listener, so that an open list sees keys first.
pub fn provide() -> ShortcutsOpen {
    let open = ShortcutsOpen(RwSignal::new(false));
    provide_context(open);
    let handle = window_event_listener(leptos::ev::keydown, move |ev| {
        let key = ev.key();
        if open.0.get_untracked() {
            if key == "Tab" {
                if let Ok(Some(el)) = document().query_selector("[data-testid=shortcuts]") {
                    trap_tab(&ev, &el);
                }
            } else if key == "Escape" || key == "?" {
                ev.prevent_default();
                open.0.set(false);
            }
            // Nothing behind the list reacts while it is open.
            ev.stop_immediate_propagation();
            return;
        }
        let help = crate::engine::review::keys::action(&key) == Some(Action::Help);
        if help && !ev.ctrl_key() && !ev.meta_key() && !ev.alt_key() && !target_takes(&ev) {
            ev.prevent_default();
            ev.stop_immediate_propagation();
            open.0.set(true);
        }
    });
    // The app lives as long as the page.
    std::mem::forget(handle);
    open
}

#[component]
pub fn Shortcuts() -> impl IntoView {
    let open = expect_context::<ShortcutsOpen>().0;
    move || open.get().then(|| view! { <ShortcutList open/> })
}

#[component]
fn ShortcutList(open: RwSignal<bool>) -> impl IntoView {
    let close_button = NodeRef::<html::Button>::new();
    let before = document().active_element().and_then(|e| e.dyn_into::<HtmlElement>().ok());
    Effect::new(move |_| {
        if let Some(b) = close_button.get() {
            let _ = b.focus();
        }
    });
    let before = StoredValue::new_local(before);
    on_cleanup(move || {
        if let Some(el) = before.try_update_value(|b| b.take()).flatten() {
            if el.is_connected() {
                let _ = el.focus();
            }
        }
    });
    let keys = SHORTCUTS
        .iter()
        .map(|s| {
            let keys = s.keys.iter().map(|k| view! { <kbd>{label(k)}</kbd> }).collect_view();
            view! {
                <dt>{keys}</dt>
                <dd>{s.what}</dd>
            }
        })
        .collect_view();
    let gestures = GESTURES
        .iter()
        .map(|(how, what)| view! { <dt>{*how}</dt><dd>{*what}</dd> })
        .collect_view();
    view! {
        <div class="shortcuts-backdrop" on:click=move |_| open.set(false)></div>
        <div class="shortcuts" role="dialog" aria-modal="true" aria-labelledby="shortcuts-title" data-testid="shortcuts">
            <div class="shortcuts-head">
                <h2 id="shortcuts-title">"Keyboard shortcuts"</h2>
                <button node_ref=close_button on:click=move |_| open.set(false) title="Close (Esc)">"✕"</button>
            </div>
            <p class="muted">"Keys of the open sample. Next and previous follow the grid's filters."</p>
            <dl class="keys">{keys}</dl>
            <h3>"Pointer"</h3>
            <dl class="keys">{gestures}</dl>
        </div>
    }
}
