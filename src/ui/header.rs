//! The top bar: the dataset's name, a source box, the family filter, the running count
//! of bytes fetched and the colour theme.

use std::sync::Arc;

use leptos::prelude::*;

use super::client::WorkerStatus;
use super::review::ReviewTools;
use super::local::FilePicker;
use super::token::TokenBox;
use super::url::UrlState;
use crate::engine::dataset::link::ViewState;
use crate::engine::range::human_bytes;
use crate::protocol::{DatasetView, FamilyView};

/// `2.1 Object addition (1,200)`; a family not counted yet shows its files instead.
fn family_label(f: &FamilyView) -> String {
    let count = if f.counted { f.rows.to_string() } else { format!("{} file{}", f.files, if f.files == 1 { "" } else { "s" }) };
    format!("{} {} ({count})", f.id, f.label).trim_start().to_string()
}

/// The colour theme: the system's (auto), or light or dark as chosen. The choice is kept
/// in localStorage under `gallery.theme` and applied as `data-theme` on <html>, which
/// style/main.css turns into the page's color-scheme.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Theme {
    Auto,
    Light,
    Dark,
}

const THEME_KEY: &str = "gallery.theme";

impl Theme {
    fn name(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    /// What the button shows.
    fn label(self) -> &'static str {
        match self {
            Theme::Auto => "◐ Auto",
            Theme::Light => "☀ Light",
            Theme::Dark => "☾ Dark",
        }
    }

    /// What it is, for a screen reader.
    fn describe(self) -> &'static str {
        match self {
            Theme::Auto => "automatic (as the system)",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }

    fn next(self) -> Theme {
        match self {
            Theme::Auto => Theme::Light,
            Theme::Light => Theme::Dark,
            Theme::Dark => Theme::Auto,
        }
    }

    fn stored() -> Theme {
        let storage = window().local_storage().ok().flatten();
        match storage.and_then(|s| s.get_item(THEME_KEY).ok().flatten()).as_deref() {
            Some("light") => Theme::Light,
            Some("dark") => Theme::Dark,
            _ => Theme::Auto,
        }
    }

    fn apply(self) {
        if let Some(root) = document().document_element() {
            let _ = root.set_attribute("data-theme", self.name());
        }
    }

    /// Keeps the choice; auto is no choice.
    fn store(self) {
        let Some(storage) = window().local_storage().ok().flatten() else { return };
        let _ = match self {
            Theme::Auto => storage.remove_item(THEME_KEY),
            chosen => storage.set_item(THEME_KEY, chosen.name()),
        };
    }
}

/// A button cycling auto → light → dark.
#[component]
fn ThemeToggle() -> impl IntoView {
    let theme = RwSignal::new(Theme::stored());
    // Now, as the app is mounted: its first paint is in the chosen theme.
    theme.get_untracked().apply();
    let said = move || {
        let t = theme.get();
        format!("Colour theme: {}. Switch to {}", t.describe(), t.next().describe())
    };
    let on_click = move |_| {
        let t = theme.get_untracked().next();
        t.apply();
        t.store();
        theme.set(t);
    };
    view! {
        <button type="button" class="theme-toggle" data-testid="theme-toggle" aria-label=said title=said on:click=on_click>
            {move || theme.get().label()}
        </button>
    }
}

#[component]
pub fn Header(dataset: Signal<Option<Arc<DatasetView>>>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let status = expect_context::<WorkerStatus>();
    let draft = RwSignal::new(state.get_untracked().src.unwrap_or_default());
    Effect::new(move |_| draft.set(state.with(|s| s.src.clone()).unwrap_or_default()));
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let src = draft.get_untracked().trim().to_string();
        state.set(ViewState { src: (!src.is_empty()).then_some(src), ..Default::default() });
    };
    let on_task = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        state.update(|s| {
            s.task = (!value.is_empty()).then_some(value);
            s.open = None;
        });
    };
    let fetched = move || {
        let s = status.stats.get();
        format!("{} fetched · {} requests", human_bytes(s.bytes), s.requests)
    };
    let title = move || dataset.get().map(|d| d.name.clone()).unwrap_or_default();
    // Another dataset's layout is named, so that its columns' roles are clear.
    let layout = move || {
        dataset.get().and_then(|d| d.layout.clone()).filter(|l| l != "ScaleEdit-12M").map(|l| {
            let text = if l == "map" { "columns as the link names them".to_string() } else { format!("{l} layout") };
            view! { <span class="muted layout" data-testid="layout">{text}</span> }
        })
    };
    let total = move || {
        dataset
            .get()
            .map(|d| {
                if d.all_counted() {
                    format!("{} pairs", d.total_rows())
                } else {
                    format!("{} files · {}", d.files.len(), human_bytes(d.total_bytes()))
                }
            })
            .unwrap_or_default()
    };
    view! {
        <header class="topbar">
            <div class="brand">
                <a class="logo" href="./" title="ScaleEdit Gallery: the bundled demo">"ScaleEdit Gallery"</a>
                <span class="dataset-name">{title}</span>
                <span class="muted">{total}</span>
                {layout}
            </div>
            <form class="source" on:submit=on_submit>
                <input
                    type="text"
                    inputmode="url"
                    spellcheck="false"
                    autocomplete="off"
                    name="src"
                    placeholder="hf://datasets/owner/name, a Parquet or manifest URL (empty: the demo)"
                    aria-label="Dataset source"
                    prop:value=move || draft.get()
                    on:input=move |ev| draft.set(event_target_value(&ev))
                />
                <button type="submit">"Open"</button>
            </form>
            <FilePicker label="Local files…" test_id="file-picker"/>
            <TokenBox/>
            <label class="filter">
                <span>"Task"</span>
                <select data-testid="family-filter" on:change=on_task prop:value=move || state.with(|s| s.task.clone().unwrap_or_default())>
                    <option value="">"All families"</option>
                    {move || {
                        let current = state.with(|s| s.task.clone());
                        dataset.get().map(|d| {
                            d.families
                                .iter()
                                .map(|f| {
                                    let selected = current.as_deref() == Some(f.task.as_str());
                                    view! {
                                        <option value=f.task.clone() selected=selected>
                                            {family_label(f)}
                                        </option>
                                    }
                                })
                                .collect_view()
                        })
                    }}
                </select>
            </label>
            <ReviewTools dataset/>
            <span class="fetched" data-testid="bytes-fetched" title="Bytes fetched by this tab so far">{fetched}</span>
            <ThemeToggle/>
        </header>
    }
}
