//! The segmented control of comparison modes (keys 1–4), writing `mode` in the URL.

use leptos::prelude::*;

use crate::engine::dataset::link::CompareMode;
use crate::ui::url::UrlState;

#[component]
pub fn ModeSwitch() -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let buttons = CompareMode::ALL
        .into_iter()
        .enumerate()
        .map(|(i, mode)| {
            let on = move || state.with(|s| s.mode == mode);
            view! {
                <button
                    data-testid=format!("mode-{}", mode.name())
                    class:on=on
                    aria-pressed=move || on().to_string()
                    title=format!("{} ({})", mode.label(), i + 1)
                    on:click=move |_| state.update(|s| s.mode = mode)
                >
                    {mode.label()}
                </button>
            }
        })
        .collect_view();
    view! { <span class="modes" role="group" aria-label="Comparison">{buttons}</span> }
}
