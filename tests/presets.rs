//! Other datasets' column layouts (`tests/fixtures/presets/`, written by
//! `make_presets.py`) over loopback HTTP: each recognised by its names, its instructions
//! and images equal to what pyarrow wrote, the Hub's image struct read by its `bytes`
//! leaf only, and a file no layout fits opened with the columns a link names.

use std::path::{Path, PathBuf};

use gallery::cli::serve::{start, ServeOptions, ServerHandle};
use gallery::engine::dataset::link::ColumnMap;
use gallery::engine::dataset::source::Source;
use gallery::engine::error::EngineError;
use gallery::engine::native::NativeBackend;
use gallery::engine::range::http::HttpSource;
use gallery::engine::range::Counters;
use gallery::engine::session::Session;
use gallery::engine::shard::footer::read_footer;
use gallery::engine::shard::plan::{plan, Handler};
use gallery::engine::shard::Shard;
use serde_json::Value;
use sha2::{Digest, Sha256};

fn presets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/presets")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(presets().join("expected.json")).unwrap()).unwrap()
}

async fn serve() -> ServerHandle {
    start(ServeOptions { root: presets(), addr: "127.0.0.1:0".parse().unwrap(), cors: false, ignore_range: false, quiet: true })
        .await
        .unwrap()
}

fn hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes).iter().map(|b| format!("{b:02x}")).collect()
}

/// Every row of `url` read through `session` equals what `want` lists.
async fn check_values(session: &Session<NativeBackend>, url: &str, name: &str, want: &Value) {
    let rows: Vec<u64> = (0..want["num_rows"].as_u64().unwrap()).rev().collect();
    let metas = session.rows(url, &rows).await.unwrap();
    let pairs = session.images(url, &rows).await.unwrap();
    let want = want["rows"].as_array().unwrap();
    assert_eq!(metas.len(), want.len(), "{name}");
    for ((m, p), w) in metas.iter().zip(&pairs).zip(want) {
        assert_eq!(Some(m.instruction.as_str()), w["instruction"].as_str(), "{name} row {}", m.row);
        assert_eq!(Some(hex(&p.source).as_str()), w["source_sha256"].as_str(), "{name} row {}", m.row);
        assert_eq!(Some(hex(&p.edited).as_str()), w["edited_sha256"].as_str(), "{name} row {}", m.row);
        assert_eq!(m.scores, [None; 3], "{name}: no score columns, none shown");
        assert_eq!(m.source_size, None);
    }
}

#[tokio::test(flavor = "current_thread")]
async fn every_layout_is_recognised_and_reads_the_values_pyarrow_wrote() {
    let srv = serve().await;
    let expected = expected();
    for (name, want) in expected["files"].as_object().unwrap() {
        if want["layout"] == "map" {
            continue;
        }
        let session = Session::new(NativeBackend::default());
        let url = srv.url(name);
        let view = session.open(&Source::Parquet(url.clone())).await.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(view.layout.as_deref(), want["layout"].as_str(), "{name}");
        assert_eq!(view.total_rows(), want["num_rows"].as_u64().unwrap());
        check_values(&session, &url, name, want).await;
    }
}

#[tokio::test(flavor = "current_thread")]
async fn a_hub_image_struct_is_read_by_its_bytes_leaf_page_by_page() {
    let srv = serve().await;
    let url = srv.url("magicbrush.parquet");
    let src = HttpSource::new(reqwest::Client::new(), url.clone(), None, Counters::default());
    let shard = Shard::new(&url, read_footer(&src).await.unwrap()).unwrap();
    let descr = shard.metadata.file_metadata().schema_descr();
    let p = plan(&shard, &[5], &shard.columns.images());
    let leaves: Vec<String> = p.chunks.iter().map(|c| descr.column(c.leaf).path().string()).collect();
    assert_eq!(leaves, ["source_img.bytes", "target_img.bytes"], "neither `path` nor the mask is read");
    // With its page index, each image is one page, decoded by the cursor although the
    // struct and its `bytes` are both nullable (definition levels up to 2).
    assert!(p.chunks.iter().all(|c| matches!(c.handler, Handler::Cursor { max_def: 2, .. })), "{:?}", p.chunks[0].handler);
    assert!(p.chunks.iter().all(|c| c.page_reads.len() == 1));
}

#[tokio::test(flavor = "current_thread")]
async fn a_file_no_layout_fits_says_so_and_opens_with_the_columns_a_link_names() {
    let srv = serve().await;
    let url = srv.url("mapped.parquet");
    let session = Session::new(NativeBackend::default());
    let err = session.open(&Source::Parquet(url.clone())).await.unwrap_err();
    assert!(matches!(err, EngineError::MissingColumns { .. }), "{err}");
    let msg = err.to_string();
    assert!(msg.contains("the file has: id, before, after, caption"), "{msg}");
    assert!(msg.contains("No known layout fits") && msg.contains("map=source:<column>"), "{msg}");

    session.set_map(Some(ColumnMap::parse("source:before,edited:after,instruction:caption").unwrap()));
    let view = session.open(&Source::Parquet(url.clone())).await.unwrap();
    assert_eq!(view.layout.as_deref(), Some("map"));
    let want = &expected()["files"]["mapped.parquet"];
    check_values(&session, &url, "mapped.parquet", want).await;

    // Another map is another reading: the footer read with the last one is not reused.
    session.set_map(Some(ColumnMap::parse("source:after,edited:before,instruction:id").unwrap()));
    session.open(&Source::Parquet(url.clone())).await.unwrap();
    let m = session.rows(&url, &[3]).await.unwrap();
    assert_eq!(m[0].instruction, "pair-3");
    let p = session.images(&url, &[3]).await.unwrap();
    assert_eq!(hex(&p[0].edited), want["rows"][3]["source_sha256"].as_str().unwrap());

    session.set_map(Some(ColumnMap::parse("source:nothing").unwrap()));
    let err = session.open(&Source::Parquet(url.clone())).await.unwrap_err().to_string();
    assert!(err.contains("missing column(s) nothing") && err.contains("map="), "{err}");
}
