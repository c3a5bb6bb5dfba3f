//! Keeping the keyboard inside an open dialog: Tab and Shift+Tab cycle through the
//! dialog's visible controls and never reach the page behind it.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, HtmlElement, KeyboardEvent};

const FOCUSABLE: &str = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), \
                         textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

/// The controls of `container` that can take focus and are shown, in document order.
pub fn focusables(container: &Element) -> Vec<HtmlElement> {
    let Ok(list) = container.query_selector_all(FOCUSABLE) else { return Vec::new() };
    (0..list.length())
        .filter_map(|i| list.item(i)?.dyn_into::<HtmlElement>().ok())
        .filter(|el| {
            let r = el.get_bounding_client_rect();
            r.width() > 0.0 && r.height() > 0.0
        })
        .collect()
}

/// Move focus to the next (Shift: previous) control of `container`, wrapping around.
pub fn trap_tab(ev: &KeyboardEvent, container: &Element) {
    ev.prevent_default();
    let items = focusables(container);
    if items.is_empty() {
        return;
    }
    let n = items.len();
    let active = document().active_element();
    let here = active.and_then(|a| items.iter().position(|i| i.unchecked_ref::<Element>() == &a));
    let next = match (here, ev.shift_key()) {
        (None, false) => 0,
        (None, true) => n - 1,
        (Some(i), false) => (i + 1) % n,
        (Some(i), true) => (i + n - 1) % n,
    };
    let _ = items[next].focus();
}

/// Whether keys typed into the event's target belong to it: text fields take every key,
/// other form controls (ranges, checkboxes, selects) the keys that move them.
pub fn target_takes(ev: &KeyboardEvent) -> bool {
    let Some(el) = ev.target().and_then(|t| t.dyn_into::<Element>().ok()) else { return false };
    let tag = el.tag_name().to_ascii_lowercase();
    let key = ev.key();
    let moving = matches!(key.as_str(), "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" | "Home" | "End" | "PageUp" | "PageDown");
    match tag.as_str() {
        "textarea" => true,
        "select" => moving,
        "input" => {
            let kind = el.get_attribute("type").unwrap_or_default().to_ascii_lowercase();
            match kind.as_str() {
                "range" => moving,
                "checkbox" | "radio" | "button" => key == " ",
                _ => true,
            }
        }
        _ => el.get_attribute("role").as_deref() == Some("slider") && moving,
    }
}
