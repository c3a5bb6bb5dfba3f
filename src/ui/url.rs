//! The URL query string as the single source of truth for what a link reproduces:
//! one signal, written back with `history.replaceState` (or `pushState` when a sample
//! opens, so Back closes it), and re-read on `popstate`.

use leptos::prelude::*;
use wasm_bindgen::JsValue;

use crate::engine::dataset::link::ViewState;

/// The view state of this page; provided as context by the app.
#[derive(Clone, Copy)]
pub struct UrlState(pub RwSignal<ViewState>);

fn location_state() -> ViewState {
    let search = window().location().search().unwrap_or_default();
    ViewState::from_query(&search)
}

fn write_location(state: &ViewState, push: bool) {
    let query = state.to_query();
    let current = window().location().search().unwrap_or_default();
    if current.trim_start_matches('?') == query {
        return;
    }
    let path = window().location().pathname().unwrap_or_default();
    let url = if query.is_empty() { path } else { format!("{path}?{query}") };
    let Ok(history) = window().history() else { return };
    let result = if push {
        history.push_state_with_url(&JsValue::NULL, "", Some(&url))
    } else {
        history.replace_state_with_url(&JsValue::NULL, "", Some(&url))
    };
    if let Err(e) = result {
        web_sys::console::warn_2(&"could not update the address bar".into(), &e);
    }
}

/// Create the state from the current address and keep both in step.
pub fn init() -> UrlState {
    let state = RwSignal::new(location_state());
    Effect::new(move |previous: Option<ViewState>| {
        let now = state.get();
        // A sample opened pushes a history entry (Back closes it); one found by its id takes
        // the id link's place.
        let opened = previous.as_ref().is_some_and(|p| p.open.is_none() && p.id.is_none() && now.open.is_some());
        write_location(&now, opened);
        now
    });
    let handle = window_event_listener(leptos::ev::popstate, move |_| state.set(location_state()));
    // The app lives as long as the page.
    std::mem::forget(handle);
    UrlState(state)
}
