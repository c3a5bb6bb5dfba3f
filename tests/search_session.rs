//! The gallery's search as the worker answers it, natively over loopback HTTP on the
//! demo (whose manifest names its static index): the index's answers equal the search of
//! the files' own instruction columns for words, exclusions, prefixes, phrases (checked on
//! the hits' instructions) and a task family; and answers asked a page at a time add up
//! to the whole answer, each hit once.

use std::collections::BTreeSet;
use std::path::Path;

use gallery::cli::serve::{start, ServeOptions};
use gallery::engine::dataset::source::Source;
use gallery::engine::native::NativeBackend;
use gallery::engine::session::Session;

type Hits = BTreeSet<(String, u64)>;

/// Every hit of `q`, asked `page` at a time, each hit asserted new; and how many answers
/// that took.
async fn every_hit(session: &Session<NativeBackend>, files: &[String], q: &str, page: usize) -> (Hits, usize) {
    let (mut hits, mut from, mut answers) = (Hits::new(), 0, 0);
    loop {
        let s = session.search(files, q, from, page).await.unwrap();
        answers += 1;
        for h in &s.found.hits {
            assert!(hits.insert((h.file.clone(), h.row)), "{q:?}: {}:{} twice", h.file, h.row);
        }
        match s.next {
            Some(n) => from = n,
            None => return (hits, answers),
        }
        assert!(answers < 200, "{q:?} never ends");
    }
}

#[tokio::test(flavor = "current_thread")]
async fn the_index_answers_as_the_files_instruction_columns_do_and_pages_add_up() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("public/demo");
    let srv = start(ServeOptions { root, addr: "127.0.0.1:0".parse().unwrap(), cors: false, ignore_range: false, quiet: true }).await.unwrap();
    let manifest = Source::Manifest(srv.url("manifest.json"));
    let indexed = Session::new(NativeBackend::default());
    let dataset = indexed.open(&manifest).await.unwrap();
    let scanned = Session::new(NativeBackend::default()).without_static_index();
    scanned.open(&manifest).await.unwrap();
    let all: Vec<String> = dataset.files.iter().map(|f| f.key.clone()).collect();
    let family = dataset.files[0].task.clone();
    let of_family: Vec<String> = dataset.files_of(family.as_deref()).map(|f| f.key.clone()).collect();
    assert!(of_family.len() < all.len());

    srv.log.clear();
    let first = indexed.search(&all, "the ", 0, 96).await.unwrap();
    assert!(srv.log.entries().iter().any(|e| e.path.contains("/index/terms-")), "the index was read");
    assert!(srv.log.entries().iter().all(|e| !e.path.ends_with(".parquet") || e.path.contains("/index/")), "no shard was read for words");
    assert!(first.exact && first.found.total == first.found.hits.len() && first.next.is_none());

    for q in ["the ", "sign -neon ", "refl", "\"the sky\"", "\"sky the\"", "add \"red balloon\" ", "-the red "] {
        for files in [&all, &of_family] {
            let (want, _) = every_hit(&scanned, files, q, 1000).await;
            let (got, _) = every_hit(&indexed, files, q, 96).await;
            assert_eq!(got, want, "{q:?} over {} files", files.len());
            let one = indexed.search(files, q, 0, 96).await.unwrap();
            assert_eq!(one.found.total, want.len(), "{q:?}: the total counts the kept hits");
        }
    }
    // The files' own search, asked 5 at a time, adds up to its whole answer.
    let (whole, one) = every_hit(&scanned, &all, "the ", 1000).await;
    let (paged, answers) = every_hit(&scanned, &all, "the ", 5).await;
    assert_eq!((paged, one), (whole.clone(), 1));
    assert_eq!(answers, whole.len().div_ceil(5));
}
