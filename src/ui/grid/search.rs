//! Search of the instructions: a box above the grid (`q=` in the link). The worker indexes
//! the instructions of the family's files (their instruction column only) on first use
//! and answers as the user types (or the dataset's static index does, over every file);
//! the grid then shows the hits, best first, a page at a time as it is scrolled, with
//! the words that matched marked in each card and in the sample view.

use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::search::{stem, Hit, Query};
use crate::protocol::{DatasetView, Reply, Request, Searched};
use crate::ui::client;
use crate::ui::url::UrlState;

/// Hits asked for at a time: the first answer, then each further one as the grid's end
/// comes into view.
pub const HITS_PER_ANSWER: usize = 96;

/// The answers to the query in the link, when there is one; provided as context by the app.
#[derive(Clone, Copy)]
pub struct SearchState {
    /// The latest answer (its total, stems and reach), or why there is none.
    pub answer: RwSignal<Option<Result<Searched, String>>>,
    /// The query `answer` answers.
    pub answered: RwSignal<String>,
    /// Every hit of the answers so far, in the order shown.
    pub hits: RwSignal<Vec<Hit>>,
    /// Whether a further answer is on its way.
    pub loading: RwSignal<bool>,
    /// The files and the query asked, for further answers.
    asked: StoredValue<Option<(Vec<String>, String)>>,
    /// Bumped by every new query: a late answer to an older one is dropped.
    generation: StoredValue<u64>,
}

impl SearchState {
    /// The stems that matched, for marking words.
    pub fn stems(&self) -> Vec<String> {
        self.answer.with(|a| a.as_ref().and_then(|r| r.as_ref().ok()).map(|s| s.found.stems.clone()).unwrap_or_default())
    }

    /// Where a further answer would go on, when there is more to show.
    pub fn next(&self) -> Option<u64> {
        self.answer.with(|a| a.as_ref().and_then(|r| r.as_ref().ok()).and_then(|s| s.next))
    }

    /// Ask for the hits after those shown (nothing when there are no more, or while an
    /// answer is on its way).
    pub fn more(&self) {
        if self.loading.get_untracked() {
            return;
        }
        let (Some(from), Some((files, query))) = (self.answer.with_untracked(|a| a.as_ref().and_then(|r| r.as_ref().ok()).and_then(|s| s.next)), self.asked.get_value()) else {
            return;
        };
        self.ask(files, query, from);
    }

    /// Ask the worker for hits from `from` on; the first answer (from 0) starts over.
    fn ask(self, files: Vec<String>, query: String, from: u64) {
        let mine = self.generation.get_value();
        self.loading.set(true);
        client::spawn_for_view(async move {
            let asked = query.clone();
            let answer = match client::request(Request::Search { files, query, limit: HITS_PER_ANSWER, from }).await {
                Ok((Reply::Searched { searched }, _)) => Ok(searched),
                Ok(_) => Err("unexpected reply from the worker".into()),
                Err(e) => Err(e),
            };
            if self.generation.try_get_value() != Some(mine) {
                return;
            }
            let _ = self.loading.try_set(false);
            let first = from == 0;
            match &answer {
                Ok(s) if first => {
                    let _ = self.hits.try_set(s.found.hits.clone());
                }
                Ok(s) => {
                    let _ = self.hits.try_update(|h| {
                        // A hit is shown once, even if two answers hold it.
                        let seen: std::collections::HashSet<(String, u64)> = h.iter().map(|x| (x.file.clone(), x.row)).collect();
                        h.extend(s.found.hits.iter().filter(|x| !seen.contains(&(x.file.clone(), x.row))).cloned());
                    });
                }
                Err(_) if first => {
                    let _ = self.hits.try_set(Vec::new());
                }
                Err(_) => {}
            }
            // A later answer keeps the first one's total, which counted from the start,
            // unless it is exact.
            let answer = match (answer, self.answer.try_get_untracked().flatten()) {
                (Ok(mut s), Some(Ok(previous))) if !first && !s.exact => {
                    s.found.total = previous.found.total.max(self.hits.try_get_untracked().map_or(0, |h| h.len()));
                    Ok(s)
                }
                (answer, _) => answer,
            };
            let _ = self.answer.try_set(Some(answer));
            let _ = self.answered.try_set(asked);
        });
    }
}

/// Ask the worker whenever the query, the family or the dataset changes.
pub fn provide(dataset: Signal<Option<Arc<DatasetView>>>) -> SearchState {
    let state = expect_context::<UrlState>().0;
    let search = SearchState {
        answer: RwSignal::new(None),
        answered: RwSignal::new(String::new()),
        hits: RwSignal::new(Vec::new()),
        loading: RwSignal::new(false),
        asked: StoredValue::new(None),
        generation: StoredValue::new(0),
    };
    provide_context(search);
    let query = Memo::new(move |_| state.with(|s| s.query.clone().filter(|q| !q.trim().is_empty())));
    let task = Memo::new(move |_| state.with(|s| s.task.clone()));
    // The files in the family, as listed (the worker counts those not counted yet).
    let files = Memo::new(move |_| {
        dataset.with(|d| d.as_ref().map(|d| d.files_of(task.get().as_deref()).map(|f| f.key.clone()).collect::<Vec<_>>()))
    });
    Effect::new(move |_| {
        search.generation.update_value(|g| *g += 1);
        let (Some(query), Some(files)) = (query.get(), files.get()) else {
            search.asked.set_value(None);
            search.loading.set(false);
            search.answer.set(None);
            search.hits.set(Vec::new());
            return;
        };
        search.asked.set_value(Some((files.clone(), query.clone())));
        search.ask(files, query, 0);
    });
    search
}

/// The hit after (or before) `file`'s `row` among `hits`.
pub fn neighbour(hits: &[Hit], file: &str, row: u64, forward: bool) -> Option<(String, u64)> {
    let i = hits.iter().position(|h| h.file == file && h.row == row)?;
    let j = if forward { i + 1 } else { i.checked_sub(1)? };
    hits.get(j).map(|h| (h.file.clone(), h.row))
}

/// The grid's pages for the hits, in rank order, `size` a page: each page's hits as runs
/// of one file (a page may hold many files).
pub fn pages(hits: &[Hit], size: usize) -> Vec<Vec<(String, Vec<u64>)>> {
    hits.chunks(size)
        .map(|page| {
            let mut out: Vec<(String, Vec<u64>)> = Vec::new();
            for hit in page {
                match out.last_mut() {
                    Some((f, rows)) if *f == hit.file => rows.push(hit.row),
                    _ => out.push((hit.file.clone(), vec![hit.row])),
                }
            }
            out
        })
        .collect()
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
                let about = if s.exact { "" } else { "about " };
                let files = if s.files == 1 { "file" } else { "files" };
                format!("{about}{} matching of {} instructions in {} {files}", s.found.total, s.docs, s.files)
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
