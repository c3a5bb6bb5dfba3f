//! Search of the instructions: a box above the grid (`q=` in the link). The worker indexes
//! the instructions of the family's files (their instruction column only) on first use
//! and answers as the user types; the grid then shows the hits, best first, with the
//! words that matched marked in each card and in the sample view.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::search::{stem, Query};
use crate::protocol::{DatasetView, Reply, Request, Searched};
use crate::ui::client;
use crate::ui::url::UrlState;

/// Most hits shown for one query.
pub const MAX_HITS: usize = 2_000;

/// The answer to the query in the link, when there is one; provided as context by the app.
#[derive(Clone, Copy)]
pub struct SearchState {
    pub answer: RwSignal<Option<Result<Searched, String>>>,
    /// The query `answer` answers.
    pub answered: RwSignal<String>,
}

impl SearchState {
    /// The stems that matched, for marking words.
    pub fn stems(&self) -> Vec<String> {
        self.answer.with(|a| a.as_ref().and_then(|r| r.as_ref().ok()).map(|s| s.found.stems.clone()).unwrap_or_default())
    }
}

/// Ask the worker whenever the query, the family or the dataset changes.
pub fn provide(dataset: Signal<Option<Arc<DatasetView>>>) -> SearchState {
    let state = expect_context::<UrlState>().0;
    let search = SearchState { answer: RwSignal::new(None), answered: RwSignal::new(String::new()) };
    provide_context(search);
    let query = Memo::new(move |_| state.with(|s| s.query.clone().filter(|q| !q.trim().is_empty())));
    let task = Memo::new(move |_| state.with(|s| s.task.clone()));
    // The files in the family, as listed (the worker counts those not counted yet).
    let files = Memo::new(move |_| {
        dataset.with(|d| d.as_ref().map(|d| d.files_of(task.get().as_deref()).map(|f| f.key.clone()).collect::<Vec<_>>()))
    });
    Effect::new(move |_| {
        let (Some(query), Some(files)) = (query.get(), files.get()) else {
            search.answer.set(None);
            return;
        };
        client::spawn_for_view(async move {
            let asked = query.clone();
            let answer = match client::request(Request::Search { files, query, limit: MAX_HITS }).await {
                Ok((Reply::Searched { searched }, _)) => Ok(searched),
                Ok(_) => Err("unexpected reply from the worker".into()),
                Err(e) => Err(e),
            };
            let _ = search.answer.try_set(Some(answer));
            let _ = search.answered.try_set(asked);
        });
    });
    search
}

/// The hit after (or before) `file`'s `row` in the answer's order.
pub fn neighbour(searched: &Searched, file: &str, row: u64, forward: bool) -> Option<(String, u64)> {
    let hits = &searched.found.hits;
    let i = hits.iter().position(|h| h.file == file && h.row == row)?;
    let j = if forward { i + 1 } else { i.checked_sub(1)? };
    hits.get(j).map(|h| (h.file.clone(), h.row))
}

/// The grid's pages for the hits: runs of hits of one file, in rank order, at most `size`.
pub fn pages(searched: &Searched, size: usize) -> Vec<(String, Vec<u64>)> {
    let mut out: Vec<(String, Vec<u64>)> = Vec::new();
    for hit in &searched.found.hits {
        match out.last_mut() {
            Some((f, rows)) if *f == hit.file && rows.len() < size => rows.push(hit.row),
            _ => out.push((hit.file.clone(), vec![hit.row])),
        }
    }
    out
}

/// The search box.
#[component]
pub fn SearchBox() -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let search = expect_context::<SearchState>();
    let status = move || {
        search.answer.with(|a| match a {
            None => String::new(),
            Some(Err(e)) => e.clone(),
            Some(Ok(s)) => {
                let more = if s.found.total > s.found.hits.len() { format!(" (best {} shown)", s.found.hits.len()) } else { String::new() };
                format!("{} matching of {} instructions in {} files{more}", s.found.total, s.docs, s.files)
            }
        })
    };
    view! {
        <span class="search" role="search">
            <input
                type="search"
                data-testid="search"
                aria-label="Search the instructions"
                placeholder="Search instructions: add hat, \"remove the text\", -dog"
                prop:value=move || state.with(|s| s.query.clone().unwrap_or_default())
                on:input=move |ev| {
                    let text = event_target_value(&ev);
                    state.update(|s| s.query = (!text.trim().is_empty()).then_some(text));
                }
            />
            <span class="muted search-status" data-testid="search-status" data-query=move || search.answered.get() aria-live="polite">
                {status}
            </span>
        </span>
    }
}

/// The stems of `text`'s words that `query` matches (its words and phrases, and words
/// starting with the word being typed): for marking a text the index's answer does not
/// cover.
pub fn query_stems(query: &str, text: &str) -> Vec<String> {
    let q = Query::parse(query);
    let mut stems: Vec<String> = q.words.iter().chain(q.phrases.iter().flatten()).cloned().collect();
    if let Some(p) = &q.prefix {
        stems.push(stem(p));
        stems.extend(text.split(|c: char| !c.is_alphanumeric()).map(str::to_lowercase).filter(|w| w.starts_with(p.as_str())).map(|w| stem(&w)));
    }
    stems
}

/// `text` with the words whose stem (or start, for the word being typed) matched marked.
pub fn marked(text: &str, stems: &[String]) -> impl IntoView {
    if stems.is_empty() {
        return vec![text.to_string().into_any()];
    }
    let mut parts = Vec::new();
    let mut word = String::new();
    let flush = |word: &mut String, parts: &mut Vec<AnyView>| {
        if word.is_empty() {
            return;
        }
        let w = std::mem::take(word);
        let s = stem(&w.to_lowercase());
        if stems.contains(&s) {
            parts.push(view! { <mark>{w}</mark> }.into_any());
        } else {
            parts.push(w.into_any());
        }
    };
    for c in text.chars() {
        if c.is_alphanumeric() {
            word.push(c);
        } else {
            flush(&mut word, &mut parts);
            parts.push(c.to_string().into_any());
        }
    }
    flush(&mut word, &mut parts);
    parts
}
