//! Asking before a costly view: a page whose images would take more than the user's
//! limit (50 MB unless set otherwise) to fetch says what it would cost, from the file's
//! layout, and waits for a yes. Some layouts make that happen: images stored many to a
//! page, with no page index, cost the page's bytes up to the rows shown.

use std::collections::HashSet;

use leptos::prelude::*;

use crate::engine::range::human_bytes;
use crate::protocol::Cost;

/// Files whose costly pages the user agreed to fetch in this session; provided by the grid.
#[derive(Clone, Copy)]
pub struct Approved(pub RwSignal<HashSet<String>>);

/// The limit when none is set: a view above it asks first.
pub const ASK_ABOVE_BYTES: u64 = 50_000_000;

/// Where a limit of the user's own is kept (bytes, in this browser).
const ASK_ABOVE_KEY: &str = "gallery.ask-above-bytes";

/// The limit: the user's, or `ASK_ABOVE_BYTES`.
pub fn ask_above() -> u64 {
    web_sys::window()
        .and_then(|w| w.local_storage().ok().flatten())
        .and_then(|s| s.get_item(ASK_ABOVE_KEY).ok().flatten())
        .and_then(|v| v.trim().parse().ok())
        .unwrap_or(ASK_ABOVE_BYTES)
}

/// The question, in place of a page's images.
#[component]
pub fn Ask(file: String, cost: Cost) -> impl IntoView {
    let approved = expect_context::<Approved>();
    let name = file.rsplit('/').next().unwrap_or(&file).to_string();
    let about = if cost.exact { "" } else { "about " };
    let text = format!(
        "The images of these pairs would fetch {about}{} in {} request{} from {name}: its layout keeps many images together.",
        human_bytes(cost.bytes),
        cost.requests,
        if cost.requests == 1 { "" } else { "s" },
    );
    let yes = StoredValue::new(file);
    view! {
        <div class="notice page-error cost-ask" role="alert" data-testid="cost-ask">
            <span data-testid="cost-text">{text}</span>
            <button data-testid="cost-fetch" on:click=move |_| approved.0.update(|a| { a.insert(yes.get_value()); })>
                "Fetch them"
            </button>
        </div>
    }
}
