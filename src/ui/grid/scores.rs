//! Score filters and their histograms: which instruction-following, editing-consistency
//! and generation-quality scores a pair must have to be shown (`if=`, `ec=`, `gq=` in the
//! link). Scores come from the worker a file at a time (its footer's statistics first,
//! then the score columns only); the histograms count the files read so far.

use std::collections::HashMap;
use std::sync::Arc;

use leptos::prelude::*;

use crate::engine::dataset::link::ScoreSet;
use crate::protocol::{DatasetView, FileScores, Reply, Request};
use crate::ui::client;
use crate::ui::url::UrlState;
use crate::ui::Counts;

/// The scores of the open dataset's files read so far, by file key; provided as context.
#[derive(Clone, Copy)]
pub struct ScoresMap(pub RwSignal<HashMap<String, Arc<FileScores>>>);

/// Short and long names of the three scores, in `ViewState::scores` order.
pub const NAMES: [(&str, &str); 3] = [("IF", "Instruction following"), ("EC", "Editing consistency"), ("GQ", "Generation quality")];

/// Values the filters offer (ScaleEdit scores 1–3).
const VALUES: [u8; 3] = [1, 2, 3];

/// Rows of `scores` that every active filter lets through.
pub fn passing(scores: &FileScores, filters: &[Option<ScoreSet>; 3]) -> Vec<u64> {
    let rows = scores.values.iter().map(Vec::len).max().unwrap_or(0);
    (0..rows)
        .filter(|&r| {
            filters.iter().enumerate().all(|(k, f)| f.is_none_or(|set| set.contains(scores.values[k].get(r).copied().unwrap_or(0))))
        })
        .map(|r| r as u64)
        .collect()
}

/// Ask the worker for the scores of `file` and keep them (and its row count).
pub async fn load(file: String, map: ScoresMap, counts: Counts) -> Result<(), String> {
    let (map, counts) = (map.0, counts.0);
    match client::request(Request::Scores { file: file.clone() }).await? {
        (Reply::Scores { scores }, _) => {
            let rows = scores.values[0].len() as u64;
            let _ = counts.try_update(|c| {
                c.entry(file.clone()).or_insert(rows);
            });
            let _ = map.try_update(|m| m.insert(file, Arc::new(scores)));
            Ok(())
        }
        _ => Err("unexpected reply from the worker".into()),
    }
}

/// The place of a file whose scores are not read yet, while a score filter is on: it
/// reads them, and the grid then lays out the file's passing rows in its place.
#[component]
pub fn ScoreProbe(file: String) -> impl IntoView {
    let failed: RwSignal<Option<String>> = RwSignal::new(None);
    let (map, counts_ctx) = (expect_context::<ScoresMap>(), expect_context::<Counts>());
    let counts = counts_ctx.0;
    let f = file.clone();
    Effect::new(move |_| {
        let file = f.clone();
        client::spawn_for_view(async move {
            if let Err(e) = load(file, map, counts_ctx).await {
                let _ = failed.try_set(Some(e));
            }
        });
    });
    let name = file.rsplit('/').next().unwrap_or(&file).to_string();
    let skip = StoredValue::new(file);
    move || match failed.get() {
        Some(message) => view! {
            <div class="error page-error" role="alert" data-testid="error">
                {crate::ui::linked(&message)}
                <button class="link" data-testid="skip-file" on:click=move |_| {
                    let _ = counts.try_update(|c| c.insert(skip.get_value(), 0));
                    map.0.update(|m| { m.insert(skip.get_value(), Arc::new(FileScores::default())); });
                }>"Skip this file"</button>
            </div>
        }
        .into_any(),
        None => view! { <p class="counting" data-testid="scoring">{format!("Reading the scores of {name}…")}</p> }.into_any(),
    }
}

/// The filter chips of the three scores, each value with a bar of how many pairs of the
/// files read so far have it, and a way to read the scores of every file of the family.
#[component]
pub fn ScoreFilters(dataset: Signal<Arc<DatasetView>>) -> impl IntoView {
    let state = expect_context::<UrlState>().0;
    let map = expect_context::<ScoresMap>();
    let counts_ctx = expect_context::<Counts>();
    let task = Memo::new(move |_| state.with(|s| s.task.clone()));
    // Counts of each value of each score over the files of the family read so far.
    let histogram = Memo::new(move |_| {
        let task = task.get();
        let d = dataset.get();
        map.0.with(|m| {
            let mut h = [[0u64; 4]; 3];
            let mut files = (0usize, 0usize);
            for f in d.files_of(task.as_deref()) {
                files.1 += 1;
                let Some(s) = m.get(&f.key) else { continue };
                files.0 += 1;
                for (k, values) in s.values.iter().enumerate() {
                    for &v in values {
                        h[k][usize::from(v.min(3))] += 1;
                    }
                }
            }
            (h, files)
        })
    });
    let loading = RwSignal::new(false);
    let read_all = move |_| {
        let keys: Vec<String> = {
            let d = dataset.get_untracked();
            let task = task.get_untracked();
            map.0.with_untracked(|m| d.files_of(task.as_deref()).filter(|f| !m.contains_key(&f.key)).map(|f| f.key.clone()).collect())
        };
        loading.set(true);
        leptos::task::spawn_local(async move {
            for key in keys {
                if load(key, map, counts_ctx).await.is_err() {
                    break;
                }
            }
            let _ = loading.try_set(false);
        });
    };
    let groups = NAMES
        .iter()
        .enumerate()
        .map(|(k, &(short, long))| {
            let chips = VALUES
                .iter()
                .map(|&v| {
                    let on = move || state.with(|s| s.scores[k].is_some_and(|set| set.contains(v)));
                    let count = move || histogram.with(|(h, _)| h[k][usize::from(v)]);
                    let height = move || {
                        let most = histogram.with(|(h, _)| h[k][1..].iter().copied().max().unwrap_or(0)).max(1);
                        format!("height: {}%", count() * 100 / most)
                    };
                    let toggle = move |_| {
                        state.update(|s| {
                            let set = s.scores[k].unwrap_or(ScoreSet(0)).toggle(v);
                            s.scores[k] = (!set.is_empty()).then_some(set);
                        })
                    };
                    view! {
                        <button
                            class="score-chip"
                            data-testid=format!("score-{}-{v}", short.to_lowercase())
                            aria-pressed=move || on().to_string()
                            title=move || format!("{long} {v}: {} pairs in the files read", count())
                            on:click=toggle
                        >
                            <span class="bar" aria-hidden="true"><span style=height></span></span>
                            <span class="value">{v}</span>
                            <span class="count" data-testid=format!("score-count-{}-{v}", short.to_lowercase())>{count}</span>
                        </button>
                    }
                })
                .collect_view();
            view! {
                <span class="score-group" role="group" aria-label=format!("{long} score")>
                    <span class="muted" title=long>{short}</span>
                    {chips}
                </span>
            }
        })
        .collect_view();
    let status = move || {
        let (_, (read, all)) = histogram.get();
        format!("scores of {read} of {all} {}", if all == 1 { "file" } else { "files" })
    };
    let any = move || state.with(|s| s.scores.iter().any(Option::is_some));
    view! {
        <div class="score-filters" role="group" aria-label="Filter by score">
            {groups}
            <span class="muted" data-testid="score-status">{status}</span>
            <button
                data-testid="score-read-all"
                disabled=move || loading.get() || histogram.with(|(_, (read, all))| read == all)
                title="Read the scores of every file of this family (a few bytes per pair; no image)"
                on:click=read_all
            >
                {move || if loading.get() { "Reading…" } else { "Read all" }}
            </button>
            <button
                class="link"
                data-testid="score-clear"
                disabled=move || !any()
                on:click=move |_| state.update(|s| s.scores = [None; 3])
            >
                "Clear"
            </button>
        </div>
    }
}
