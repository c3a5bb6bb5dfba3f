//! The malformed-file corpus (`tests/fixtures/malformed/`, written by `make_malformed.py`):
//! every file is opened through a `Session`, over loopback HTTP and as a local file, and
//! must fail where `expected.json` says, with its error kind and every phrase it lists.
//! Nothing may panic or allocate what a file merely claims.

use std::path::{Path, PathBuf};

use gallery::cli::serve::{start, ServeOptions, ServerHandle};
use gallery::engine::dataset::source::Source;
use gallery::engine::error::EngineError;
use gallery::engine::native::NativeBackend;
use gallery::engine::session::{Session, ShownPair};
use serde_json::Value;

fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/malformed")
}

fn expected() -> Value {
    serde_json::from_str(&std::fs::read_to_string(corpus().join("expected.json")).unwrap()).unwrap()
}

async fn serve() -> ServerHandle {
    start(ServeOptions { root: corpus(), addr: "127.0.0.1:0".parse().unwrap(), cors: false, ignore_range: false, quiet: true })
        .await
        .unwrap()
}

fn kind(e: &EngineError) -> &'static str {
    use EngineError::*;
    match e {
        Http { .. } => "Http",
        RangeIgnored { .. } => "RangeIgnored",
        BadContentRange { .. } => "BadContentRange",
        Network { .. } => "Network",
        NotParquet { .. } => "NotParquet",
        Corrupt { .. } => "Corrupt",
        MissingColumns { .. } => "MissingColumns",
        ColumnType { .. } => "ColumnType",
        RowOutOfRange { .. } => "RowOutOfRange",
        TooLarge { .. } => "TooLarge",
        Image { .. } => "Image",
        Manifest { .. } => "Manifest",
        Source { .. } => "Source",
        Hub { .. } => "Hub",
        LocalMissing { .. } => "LocalMissing",
        Changed { .. } => "Changed",
        Cancelled => "Cancelled",
    }
}

/// A failed expectation, said.
type Outcome = Result<(), String>;

macro_rules! ensure {
    ($cond:expr, $($msg:tt)+) => {
        if !$cond {
            return Err(format!($($msg)+));
        }
    };
}

fn matches(name: &str, how: &str, stage: &str, want: &Value, err: &EngineError) -> Outcome {
    let text = err.to_string();
    let k = want["kind"].as_str().unwrap();
    ensure!(kind(err) == k, "{name} ({how}, {stage}): expected {k}, got {}: {text}", kind(err));
    for phrase in want["phrases"].as_array().unwrap() {
        let phrase = phrase.as_str().unwrap();
        ensure!(text.contains(phrase), "{name} ({how}, {stage}): `{phrase}` not in: {text}");
    }
    Ok(())
}

/// `result` must be an error matching `want`.
fn fails<T: std::fmt::Debug>(name: &str, how: &str, stage: &str, want: &Value, result: &Result<T, EngineError>) -> Outcome {
    match result {
        Ok(v) => Err(format!("{name} ({how}, {stage}): no error: {:.200}", format!("{v:?}"))),
        Err(e) => matches(name, how, stage, want, e),
    }
}

/// Run one file's expectation through a new session, the file named `file`.
async fn check(name: &str, how: &str, file: &str, want: &Value) -> Outcome {
    let session = Session::new(NativeBackend::default());
    let stage = want["stage"].as_str().unwrap();
    let row = want["row"].as_u64().unwrap_or(0);
    let ok = |e: EngineError| format!("{name} ({how}): {e}");
    let opened = session.open(&Source::Parquet(file.into())).await;
    if stage == "open" {
        return fails(name, how, stage, want, &opened);
    }
    let dataset = opened.map_err(ok)?;
    let rows: Vec<u64> = (0..dataset.files[0].rows).collect();
    let text = session.rows(file, &rows).await;
    if stage == "rows" {
        return fails(name, how, stage, want, &text);
    }
    ensure!(text.map_err(ok)?.len() == rows.len(), "{name}: rows missing");
    let images = session.images(file, &[row]).await;
    if stage == "images" {
        return fails(name, how, stage, want, &images);
    }
    let pair = images.map_err(ok)?.remove(0);
    let shown = ShownPair::check(file, pair);
    let diff = session.diff(file, row, 24).await;
    if stage == "valid" {
        ensure!(shown.source.is_ok() && shown.edited.is_ok(), "{name}: {shown:?}");
        diff.map_err(ok)?;
        return Ok(());
    }
    ensure!(stage == "image", "{name}: unknown stage {stage}");
    fails(name, how, "diff", want, &diff)?;
    // The display check refuses the same image, by its header alone, and only that one.
    let column = want["column"].as_str().unwrap();
    let (bad, good) = if column == "source_image" { (&shown.source, &shown.edited) } else { (&shown.edited, &shown.source) };
    ensure!(good.is_ok(), "{name}: the other image is refused too: {good:?}");
    fails(name, how, "shown", want, bad)
}

#[tokio::test(flavor = "current_thread")]
async fn every_malformed_file_fails_with_its_expected_error_over_http_and_from_disk() {
    let srv = serve().await;
    let expected = expected();
    let files = expected["files"].as_object().unwrap();
    assert!(files.len() >= 20, "the corpus is {} files", files.len());
    let mut failures = Vec::new();
    for (name, want) in files {
        let path = corpus().join(name);
        for (how, file) in [("HTTP", srv.url(name)), ("local file", path.to_str().unwrap().to_string())] {
            if let Err(e) = check(name, how, &file, want).await {
                failures.push(e);
            }
        }
    }
    assert!(failures.is_empty(), "{} of {} checks failed:\n{}", failures.len(), files.len() * 2, failures.join("\n"));
}

#[test]
fn every_corpus_file_is_small_and_listed() {
    let expected = expected();
    let files = expected["files"].as_object().unwrap();
    for entry in std::fs::read_dir(corpus()).unwrap() {
        let entry = entry.unwrap();
        let name = entry.file_name().into_string().unwrap();
        assert!(entry.metadata().unwrap().len() < 200_000, "{name}");
        if name.ends_with(".parquet") {
            assert!(files.contains_key(&name), "{name} is not in expected.json");
        }
    }
}

/// Inputs that once crashed a fuzz target (`tests/fuzz.sh`), each with the error it must
/// now end in, read from disk.
#[tokio::test(flavor = "current_thread")]
async fn inputs_found_by_fuzzing_fail_with_a_clear_error() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/fuzz");
    // Page locations whose first rows are out of order once made the decoder subtract
    // past zero while planning which pages to skip.
    // A footer whose unknown field claimed a vast collection once made the decoder's
    // skipping loop for minutes.
    let cases = [
        (
            "footer_offset_index_rows_out_of_order.parquet",
            serde_json::json!({"stage": "open", "kind": "Corrupt", "phrases": ["footer_offset_index_rows_out_of_order.parquet", "offset index", "page 21 starts at row 16, not after page 20"]}),
        ),
        (
            "footer_inverted_page_range.parquet",
            serde_json::json!({"stage": "rows", "kind": "Corrupt", "phrases": ["footer_inverted_page_range.parquet"]}),
        ),
        (
            "footer_thrift_list_of_booleans_hangs.parquet",
            serde_json::json!({"stage": "open", "kind": "Corrupt", "phrases": ["footer_thrift_list_of_booleans_hangs.parquet", "footer metadata"]}),
        ),
        // Definition levels whose bit-packed run claims more bytes than the page holds once
        // made the parquet crate's level decoder index past them and panic.
        (
            "footer_definition_levels_panic.parquet",
            serde_json::json!({"stage": "rows", "kind": "Corrupt", "phrases": ["footer_definition_levels_panic.parquet", "column `source_image_height`", "page at byte 11057", "a bit-packed run of 320 levels needs 5 bytes, 1 are left"]}),
        ),
    ];
    for (name, want) in cases {
        let file = dir.join(name);
        check(name, "local file", file.to_str().unwrap(), &want).await.unwrap();
    }
}
