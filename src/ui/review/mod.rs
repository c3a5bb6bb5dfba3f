//! Reviewing in the browser: the flags of the open dataset (kept in localStorage under the
//! dataset's `src`, read again when it changes), the toolbar that filters and exports
//! them, and the list of keyboard shortcuts.

pub mod download;
mod export;
pub mod shortcuts;
mod toolbar;

pub use toolbar::ReviewTools;

use leptos::prelude::*;
use web_sys::Storage;

use super::url::UrlState;
use crate::engine::review::flags::{storage_key, FlagSet};

/// The flags of the open dataset; provided as context by the app.
#[derive(Clone, Copy)]
pub struct Flags {
    key: RwSignal<String>,
    pub set: RwSignal<FlagSet>,
    /// Why the flags could not be read or saved, when that happened.
    pub problem: RwSignal<Option<String>>,
}

fn storage() -> Result<Storage, String> {
    match window().local_storage() {
        Ok(Some(s)) => Ok(s),
        _ => Err("this browser does not keep data for the page (private mode?): flags last until the tab closes".into()),
    }
}

fn load(key: &str) -> (FlagSet, Option<String>) {
    let text = match storage().and_then(|s| s.get_item(key).map_err(|_| "the stored flags could not be read".to_string())) {
        Ok(Some(text)) => text,
        Ok(None) => return (FlagSet::default(), None),
        Err(e) => return (FlagSet::default(), Some(e)),
    };
    match FlagSet::from_json(&text) {
        Ok(set) => (set, None),
        Err(e) => (FlagSet::default(), Some(format!("{e}; starting with no flags"))),
    }
}

impl Flags {
    /// Create the flags of the dataset in the URL and follow `src` as it changes.
    pub fn provide(state: UrlState) -> Self {
        let initial = storage_key(state.0.with_untracked(|s| s.src.clone()).as_deref());
        let (set, problem) = load(&initial);
        let flags = Self { key: RwSignal::new(initial), set: RwSignal::new(set), problem: RwSignal::new(problem) };
        let src = Memo::new(move |_| state.0.with(|s| s.src.clone()));
        Effect::new(move |_| {
            let key = storage_key(src.get().as_deref());
            if key != flags.key.get_untracked() {
                let (set, problem) = load(&key);
                flags.key.set(key);
                flags.set.set(set);
                flags.problem.set(problem);
            }
        });
        provide_context(flags);
        flags
    }

    pub fn contains(&self, file: &str, row: u64) -> bool {
        self.set.with(|s| s.contains(file, row))
    }

    pub fn note(&self, file: &str, row: u64) -> Option<String> {
        self.set.with(|s| s.note(file, row).map(str::to_string))
    }

    pub fn count(&self) -> usize {
        self.set.with(|s| s.len())
    }

    /// Flag or unflag a sample, and save.
    pub fn toggle(&self, file: &str, row: u64) {
        let mut result = Ok(false);
        self.set.update(|s| result = s.toggle(file, row));
        self.after(result.map(|_| ()));
    }

    /// Set the note of a flagged sample (flagging it if needed), and save.
    pub fn set_note(&self, file: &str, row: u64, note: &str) {
        let mut result = Ok(());
        self.set.update(|s| result = s.flag(file, row, note));
        self.after(result);
    }

    pub fn clear(&self) {
        self.set.update(|s| s.clear());
        self.after(Ok(()));
    }

    fn after(&self, result: Result<(), String>) {
        let saved = result.and_then(|_| {
            let text = self.set.with_untracked(|s| s.to_json());
            storage()?
                .set_item(&self.key.get_untracked(), &text)
                .map_err(|_| "the browser refused to store the flags (storage full?); export them to keep them".to_string())
        });
        self.problem.set(saved.err());
    }
}
