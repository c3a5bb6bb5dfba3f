//! Local Parquet files: picked with a file input or dropped on the page, handed to the
//! worker as `File` handles (it reads them by slices, never whole) and named in the link as
//! `local:{names}`. Their bytes never leave the browser, so a link to them opened elsewhere
//! asks for the files to be picked again.

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::File;

use crate::engine::dataset::link::ViewState;
use crate::engine::dataset::source::Source;
use crate::protocol::Request;
use crate::ui::client;
use crate::ui::url::UrlState;

/// Bumped when files are picked: the dataset opens again even when the link names the
/// same files.
#[derive(Clone, Copy)]
pub struct LocalFiles {
    pub epoch: RwSignal<u64>,
    /// Files are being dragged over the page.
    dragging: RwSignal<bool>,
    /// What was wrong with the last files given, if anything.
    note: RwSignal<Option<String>>,
}

/// Distinct names for `files` (a second `a.parquet` becomes `a (2).parquet`).
fn names_of(files: &[File]) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for f in files {
        let name = f.name();
        let mut candidate = name.clone();
        let mut n = 2;
        while names.contains(&candidate) {
            let (stem, ext) = name.rsplit_once('.').map_or((name.as_str(), ""), |(s, e)| (s, e));
            candidate = if ext.is_empty() { format!("{stem} ({n})") } else { format!("{stem} ({n}).{ext}") };
            n += 1;
        }
        names.push(candidate);
    }
    names
}

impl LocalFiles {
    /// Open `files` (only those named `.parquet`).
    fn open(self, state: UrlState, files: Vec<File>) {
        let given = files.len();
        let files: Vec<File> = files.into_iter().filter(|f| f.name().to_ascii_lowercase().ends_with(".parquet")).collect();
        if files.is_empty() {
            if given > 0 {
                self.note.set(Some("Only Parquet files (.parquet) can be opened.".into()));
            }
            return;
        }
        self.note.set(None);
        let names = names_of(&files);
        let handles = js_sys::Array::new();
        for f in &files {
            handles.push(f);
        }
        client::stand_with_files("local", Request::Local { names: names.clone() }, Some(handles));
        // The files a link names, picked again: the rest of the link (filter, open sample)
        // stays.
        let src = Source::Local(names).to_src();
        if state.0.with_untracked(|s| s.src.as_deref() != Some(src.as_str())) {
            state.0.set(ViewState { src: Some(src), ..Default::default() });
        }
        self.epoch.update(|e| *e += 1);
    }
}

fn files_of(list: Option<web_sys::FileList>) -> Vec<File> {
    let Some(list) = list else { return Vec::new() };
    (0..list.length()).filter_map(|i| list.item(i)).collect()
}

/// Provide the local files' state and take files dropped anywhere on the page.
pub fn provide(state: UrlState) -> LocalFiles {
    let local = LocalFiles { epoch: RwSignal::new(0), dragging: RwSignal::new(false), note: RwSignal::new(None) };
    provide_context(local);
    let carries_files = |ev: &web_sys::DragEvent| {
        ev.data_transfer().is_some_and(|dt| dt.types().iter().any(|t| t.as_string().as_deref() == Some("Files")))
    };
    let over = window_event_listener(leptos::ev::dragover, move |ev| {
        if carries_files(&ev) {
            ev.prevent_default();
            local.dragging.set(true);
        }
    });
    let leave = window_event_listener(leptos::ev::dragleave, move |ev| {
        // Leaving the window: no element is entered.
        if ev.related_target().is_none() {
            local.dragging.set(false);
        }
    });
    let drop = window_event_listener(leptos::ev::drop, move |ev| {
        local.dragging.set(false);
        if carries_files(&ev) {
            ev.prevent_default();
            local.open(state, files_of(ev.data_transfer().and_then(|dt| dt.files())));
        }
    });
    // The app lives as long as the page.
    std::mem::forget((over, leave, drop));
    local
}

/// A button that picks local Parquet files.
#[component]
pub fn FilePicker(#[prop(into)] label: String, test_id: &'static str) -> impl IntoView {
    let local = expect_context::<LocalFiles>();
    let state = expect_context::<UrlState>();
    let on_change = move |ev: leptos::ev::Event| {
        let Some(input) = ev.target().and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok()) else { return };
        let files = files_of(input.files());
        // The same files picked again must open again.
        input.set_value("");
        local.open(state, files);
    };
    view! {
        <label class="pick-files" title="Open Parquet files from this computer (they are read here, never uploaded)">
            <input type="file" multiple accept=".parquet" data-testid=test_id on:change=on_change/>
            <span>{label}</span>
        </label>
    }
}

/// The notice while files are dragged over the page, and what was wrong with the last.
#[component]
pub fn DropZone() -> impl IntoView {
    let local = expect_context::<LocalFiles>();
    view! {
        <Show when=move || local.dragging.get()>
            <div class="drop-overlay" data-testid="drop-overlay">
                <p>"Drop Parquet files to open them here — they are read in this browser, never uploaded."</p>
            </div>
        </Show>
        {move || local.note.get().map(|n| view! {
            <div class="notice" role="status">
                <span>{n}</span>
                <button class="link" on:click=move |_| local.note.set(None)>"Dismiss"</button>
            </div>
        })}
    }
}
