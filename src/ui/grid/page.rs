//! One page of the grid: rows of one file (consecutive, or the flagged ones), or the hits
//! of a search, which come from many files. It asks the worker for their text, then their
//! images (one request per file, all at once), and shows a card per row as soon as it
//! knows the row exists.

use std::cell::RefCell;
use std::future::Future;
use std::rc::Rc;
use std::sync::Arc;

use futures::future::{join_all, LocalBoxFuture};
use futures::FutureExt;
use leptos::html;
use leptos::prelude::*;

use super::Card;
use crate::protocol::{Cost, Reply, Request, SampleMeta};
use crate::ui::client;
use crate::ui::client::WorkerStatus;
use crate::ui::images::{self, PairThumbs};
use crate::ui::url::UrlState;
use crate::ui::{linked, Counts};

/// The pairs of a page: rows of a file, file after file, in the order shown.
pub type Groups = Vec<(String, Vec<u64>)>;

/// `groups` merged by file (a file asked once), in order of first appearance.
fn by_file(groups: &Groups) -> Groups {
    let mut out: Groups = Vec::new();
    for (file, rows) in groups {
        match out.iter_mut().find(|(f, _)| f == file) {
            Some((_, r)) => r.extend(rows),
            None => out.push((file.clone(), rows.clone())),
        }
    }
    out
}

/// The text of the rows of `groups` (one request per file, all sent at once), as (file,
/// row) pairs; the first failure fails all.
fn ask_rows(groups: Groups) -> impl Future<Output = Result<Vec<(String, SampleMeta)>, String>> {
    let files: Vec<String> = groups.iter().map(|(f, _)| f.clone()).collect();
    let asked = join_all(groups.into_iter().map(|(file, rows)| client::request(Request::Rows { file, rows })));
    async move {
        let mut out = Vec::new();
        for (file, reply) in files.into_iter().zip(asked.await) {
            match reply? {
                (Reply::Rows { samples }, _) => out.extend(samples.into_iter().map(|s| (file.clone(), s))),
                _ => return Err("unexpected reply from the worker".into()),
            }
        }
        Ok(out)
    }
}

/// What a page's thumbnails came to.
enum Pictures {
    Shown(Result<Vec<(String, Arc<PairThumbs>)>, String>),
    /// A file (not approved) whose images would cost more than the user's limit.
    Costly(String, Cost),
}

/// The thumbnails of `groups`, `thumb` pixels wide, one request per file, all sent at
/// once; a file not `allowed` asks for the images' cost first (the worker says so instead
/// of fetching them when they cost more than the limit).
fn ask_thumbs(groups: &Groups, allowed: &[bool], thumb: u32) -> LocalBoxFuture<'static, Pictures> {
    let files: Vec<String> = groups.iter().map(|(f, _)| f.clone()).collect();
    let loads = groups.iter().zip(allowed).map(|((file, rows), &allowed)| {
        images::load_thumbs(file.clone(), rows.clone(), thumb, (!allowed).then(super::cost::ask_above))
    });
    let asked = join_all(loads);
    async move {
        let mut loaded = Ok(Vec::new());
        for (file, reply) in files.into_iter().zip(asked.await) {
            match reply {
                Ok(images::Thumbs::Shown(list)) => {
                    if let Ok(all) = &mut loaded {
                        all.extend(list.into_iter().map(|t| (file.clone(), t)));
                    }
                }
                Ok(images::Thumbs::Costly(cost)) => return Pictures::Costly(file, cost),
                Err(e) => {
                    if loaded.is_ok() {
                        loaded = Err(e);
                    }
                }
            }
        }
        Pictures::Shown(loaded)
    }
    .boxed_local()
}

#[component]
pub fn Page(groups: Groups) -> impl IntoView {
    if let [(file, rows)] = groups.as_slice() {
        if rows.is_empty() {
            return view! { <Probe file=file.clone()/> }.into_any();
        }
    }
    let epoch = expect_context::<WorkerStatus>().epoch;
    let metas: RwSignal<Option<Result<Vec<(String, SampleMeta)>, String>>> = RwSignal::new(None);
    let pictures: RwSignal<Option<Result<Vec<(String, Arc<PairThumbs>)>, String>>> = RwSignal::new(None);
    // Bumped by "Try again": the page asks once more.
    let attempt = RwSignal::new(0u32);
    let state = expect_context::<UrlState>().0;
    let density = Memo::new(move |_| state.with(|s| s.density));
    // Whether the page is near the viewport: far away it keeps only its height (its cards
    // and their images leave the DOM and memory) and takes them back when it nears.
    let near = RwSignal::new(true);
    let far_height = RwSignal::new(0.0f64);
    let el = NodeRef::<html::Div>::new();
    super::observe_nearness(el, near, far_height);
    let files = StoredValue::new(by_file(&groups));
    let approved = expect_context::<super::cost::Approved>();
    let allowed = move |asked: &Groups| -> Vec<bool> { approved.0.with_untracked(|a| asked.iter().map(|(f, _)| a.contains(f)).collect()) };
    // The first asks go out now, before the cards are built (which takes a while on a
    // slow machine): the effects below take them up on their first run.
    let first_thumb = super::thumb_width(density.get_untracked());
    let first_rows = Rc::new(RefCell::new(Some(ask_rows(files.get_value()).boxed_local())));
    let first_pictures = files.with_value(|f| ask_thumbs(f, &allowed(f), first_thumb));
    let first_pictures = Rc::new(RefCell::new(Some((first_thumb, files.with_value(|f| allowed(f)), first_pictures))));
    Effect::new(move |_| {
        epoch.track();
        attempt.track();
        let work = first_rows.borrow_mut().take().unwrap_or_else(|| ask_rows(files.get_value()).boxed_local());
        client::spawn_for_view(async move {
            let result = work.await;
            let _ = metas.try_set(Some(result));
        });
    });
    // Thumbnails while near, asked at once with the text (the worker reads the file's
    // footer once for both), so the images come a round trip sooner; a load that ends
    // after the page went far (or was asked again) is dropped.
    let generation = StoredValue::new(0u64);
    let asking: RwSignal<Option<(String, Cost)>> = RwSignal::new(None);
    Effect::new(move |_| {
        epoch.track();
        approved.0.track();
        asking.set(None);
        attempt.track();
        let thumb = super::thumb_width(density.get());
        generation.update_value(|g| *g += 1);
        let first = first_pictures.borrow_mut().take();
        if !near.get() {
            pictures.set(None);
            return;
        }
        let mine = generation.get_value();
        let (asked, allowed) = files.with_value(|f| (f.clone(), allowed(f)));
        let work = match first {
            Some((t, a, work)) if t == thumb && a == allowed => work,
            _ => ask_thumbs(&asked, &allowed, thumb),
        };
        client::spawn_for_view(async move {
            let current = || generation.try_get_value() == Some(mine);
            match work.await {
                Pictures::Shown(loaded) if current() => {
                    let _ = pictures.try_set(Some(loaded));
                }
                Pictures::Costly(file, cost) if current() => {
                    let _ = asking.try_set(Some((file, cost)));
                }
                _ => {}
            }
        });
    });
    let error = move || {
        let m = metas.with(|m| m.as_ref().and_then(|r| r.as_ref().err().cloned()));
        let p = pictures.with(|p| p.as_ref().and_then(|r| r.as_ref().err().cloned()));
        m.or(p).map(|message| {
            view! {
                <div class="error page-error" role="alert" data-testid="error">
                    {linked(&message)}
                    <TryAgain on_retry=move || {
                        metas.set(None);
                        pictures.set(None);
                        attempt.update(|n| *n += 1);
                    }/>
                </div>
            }
        })
    };
    let cards = move || {
        near.get().then(|| {
            groups
                .iter()
                .flat_map(|(file, rows)| rows.iter().map(move |&row| (file.clone(), row)))
                .map(|(file, row)| {
                    let (f1, f2) = (file.clone(), file.clone());
                    let meta = Signal::derive(move || {
                        metas.with(|m| {
                            m.as_ref().and_then(|r| r.as_ref().ok()).and_then(|v| v.iter().find(|(f, s)| s.row == row && *f == f1).map(|(_, s)| s.clone()))
                        })
                    });
                    let urls = Signal::derive(move || {
                        pictures.with(|p| {
                            p.as_ref().and_then(|r| r.as_ref().ok()).and_then(|v| v.iter().find(|(f, u)| u.info.row == row && *f == f2).map(|(_, u)| Arc::clone(u)))
                        })
                    });
                    view! { <Card file row meta urls/> }
                })
                .collect_view()
        })
    };
    let placeholder = move || (!near.get()).then(|| format!("height: {}px", far_height.get()));
    view! {
        <div class="page" class:far=move || !near.get() node_ref=el style=placeholder data-testid="page">
            {error}
            {move || asking.get().map(|(file, cost)| view! { <super::cost::Ask file cost/> })}
            {cards}
        </div>
    }
    .into_any()
}

/// The place of a file not counted yet: it asks the worker for the file's rows (its
/// footer), and the grid then lays out the file's pages in its place.
#[component]
fn Probe(file: String) -> impl IntoView {
    let epoch = expect_context::<WorkerStatus>().epoch;
    let counts = expect_context::<Counts>().0;
    let failed: RwSignal<Option<String>> = RwSignal::new(None);
    let attempt = RwSignal::new(0u32);
    let f = file.clone();
    let f2 = file.clone();
    Effect::new(move |_| {
        epoch.track();
        attempt.track();
        let file = f.clone();
        client::spawn_for_view(async move {
            match client::request(Request::Count { file: file.clone() }).await {
                Ok((Reply::Counted { rows }, _)) => {
                    let _ = counts.try_update(|c| c.insert(file, rows));
                }
                Ok(_) => {
                    let _ = failed.try_set(Some("unexpected reply from the worker".into()));
                }
                Err(e) => {
                    let _ = failed.try_set(Some(e));
                }
            }
        });
    });
    let name = file.rsplit('/').next().unwrap_or(&file).to_string();
    // A file that cannot be read need not stop the grid: skipping it counts it as empty.
    let skip = StoredValue::new(f2);
    move || match failed.get() {
        Some(message) => view! {
            <div class="error page-error" role="alert" data-testid="error">
                {linked(&message)}
                <TryAgain on_retry=move || {
                    failed.set(None);
                    attempt.update(|n| *n += 1);
                }/>
                <button
                    class="link"
                    data-testid="skip-file"
                    on:click=move |_| {
                        let _ = counts.try_update(|c| c.insert(skip.get_value(), 0));
                    }
                >
                    "Skip this file"
                </button>
            </div>
        }
        .into_any(),
        None => view! { <p class="counting" data-testid="counting">{format!("Counting the pairs of {name}…")}</p> }.into_any(),
    }
}

/// Ask again after a failure (a server that was down, a connection that dropped).
#[component]
fn TryAgain(on_retry: impl Fn() + Send + Sync + 'static) -> impl IntoView {
    view! {
        <button class="link" data-testid="try-again" on:click=move |_| on_retry()>
            "Try again"
        </button>
    }
}
