//! The comparison area of the sample view: side by side, slider, flicker or difference
//! (the `mode` URL parameter). Every mode fits both images into boxes of one size and
//! shares one zoom-and-pan view, so switching modes keeps the place being looked at.

mod diff;
mod flicker;
mod modes;
mod side;
mod slider;
mod zoom;

pub use modes::ModeSwitch;

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::dataset::link::CompareMode;
use crate::engine::imaging::frame::View;
use crate::ui::images::PairUrls;
use crate::ui::url::UrlState;

/// What the sample view's keys act on: the shared view and whether flicker shows the
/// other image.
#[derive(Clone, Copy)]
pub struct CompareState {
    pub view: RwSignal<View>,
    pub flipped: RwSignal<bool>,
}

impl CompareState {
    pub fn new() -> Self {
        Self { view: RwSignal::new(View::default()), flipped: RwSignal::new(false) }
    }
}

/// The two images' object URLs, when loaded.
#[derive(Clone, Copy)]
pub struct Pictures {
    pub source: Signal<Option<String>>,
    pub edited: Signal<Option<String>>,
}

impl Pictures {
    pub fn from(pair: Signal<Option<Arc<PairUrls>>>) -> Self {
        Self {
            source: Signal::derive(move || pair.with(|p| p.as_ref().map(|u| u.source.href()))),
            edited: Signal::derive(move || pair.with(|p| p.as_ref().map(|u| u.edited.href()))),
        }
    }
}

#[component]
pub fn Compare(
    file: String,
    row: u64,
    pictures: Pictures,
    /// "JPEG · 84 KB"-like facts under each image.
    captions: [Signal<String>; 2],
    cmp: CompareState,
) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let mode = Memo::new(move |_| state.with(|s| s.mode));
    let view = cmp.view;
    move || {
        let file = file.clone();
        let body = match mode.get() {
            CompareMode::Side => view! { <side::Side pictures captions view/> }.into_any(),
            CompareMode::Slider => view! { <slider::Slider pictures view/> }.into_any(),
            CompareMode::Flicker => view! { <flicker::Flicker pictures view flipped=cmp.flipped/> }.into_any(),
            CompareMode::Diff => view! { <diff::Difference file row pictures view/> }.into_any(),
        };
        view! {
            <div class="compare" data-testid="compare" data-mode=mode.get().name()>
                {body}
            </div>
        }
    }
}
