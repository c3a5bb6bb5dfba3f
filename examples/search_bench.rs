//! Speed of the in-shard instruction search (`gallery::engine::search`): the index the
//! worker builds from the open files' `edit_instruction` columns and queries as people type.
//! Goal: under 50 ms a query over 60,000 instructions.
//!
//!     python3 tests/bench/make_instruction_dataset.py --out /tmp/instr-2m
//!     cargo run --release --example search_bench -- /tmp/instr-2m [--docs 60000] [--in-order] [--limit 2000]
//!
//! The argument is a Parquet file or a folder of shards (searched recursively, in path
//! order). Only the `edit_instruction` column is read. From a folder the instructions are
//! taken evenly from every shard (so every task family is in the sample), each shard added
//! to the index as a file of its own, as the worker does; `--in-order` takes the first N
//! rows in path order instead. Every query is timed over repeated runs with the hit limit
//! of the app's search box (2,000); then five queries are typed a keystroke at a time.

use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::{Duration, Instant};

use arrow_array::cast::AsArray;
use arrow_array::Array;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use parquet::arrow::ProjectionMask;

use gallery::engine::search::{terms, Index, Query};

const GOAL_MS: f64 = 50.0;
const COLUMN: &str = "edit_instruction";

/// The queries timed: (kind, text). A trailing space means the last word is complete; without
/// one, the last word is still being typed and also matches as a prefix (as in the app).
const QUERIES: &[(&str, &str)] = &[
    ("common word (most frequent)", "the "),
    ("common word", "add "),
    ("common word", "background "),
    ("common word", "hat "),
    ("rare word", "walrus "),
    ("rare word", "kodachrome "),
    ("rare word", "obsidian "),
    ("two words", "red hat "),
    ("two words", "remove car "),
    ("two words (common)", "the background "),
    ("three words", "add red hat "),
    ("three words", "replace background beach "),
    ("three words (common)", "make the image "),
    ("phrase", "\"on the table\""),
    ("phrase", "\"in the style of\""),
    ("phrase (common words)", "\"make the image warmer\""),
    ("exclusion", "hat -red "),
    ("exclusion (common)", "the -add "),
    ("prefix while typing", "refl"),
    ("prefix, one letter", "s"),
    ("prefix, one letter (\"the\", \"to\" ...)", "t"),
    ("prefix, two letters", "st"),
    ("word + prefix", "add re"),
    ("common word + one-letter prefix", "the b"),
    ("stemming", "adds "),
    ("stemming", "removing "),
    ("stemming", "changed colors "),
    ("everything at once", "add \"red hat\" -dog sh"),
];

/// Queries typed one keystroke at a time.
const TYPED: &[&str] = &[
    "add a red hat on the table",
    "turn the car red -truck",
    "\"in the style of\" van gogh",
    "replace the background with a beach -dog",
    "change the color of the umbrella to yellow",
];

struct Args {
    path: PathBuf,
    docs: usize,
    in_order: bool,
    limit: usize,
}

fn usage() -> String {
    "usage: cargo run --release --example search_bench -- <shard.parquet | folder of shards> [--docs N] [--in-order] [--limit N]\n\n\
     No dataset at hand? Make one (2 M instructions in ScaleEdit-12M's layout, ~65 MB, under a minute):\n\
     \x20   python3 tests/bench/make_instruction_dataset.py --out /tmp/instr-2m\n\
     \x20   cargo run --release --example search_bench -- /tmp/instr-2m"
        .to_string()
}

fn parse_args() -> Result<Args, String> {
    let mut args = std::env::args().skip(1);
    let (mut path, mut docs, mut in_order, mut limit) = (None, 60_000, false, 2_000);
    while let Some(a) = args.next() {
        let mut number = |name: &str| -> Result<usize, String> {
            let v = args.next().ok_or_else(|| format!("{name} needs a number"))?;
            v.replace([',', '_'], "").parse().map_err(|_| format!("{name}: not a number: {v}"))
        };
        match a.as_str() {
            "--docs" => docs = number("--docs")?,
            "--limit" => limit = number("--limit")?,
            "--in-order" => in_order = true,
            "-h" | "--help" => return Err(usage()),
            _ if a.starts_with("--") => return Err(format!("unknown option {a}\n\n{}", usage())),
            _ if path.is_none() => path = Some(PathBuf::from(a)),
            _ => return Err(format!("one dataset only\n\n{}", usage())),
        }
    }
    let path = path.ok_or_else(usage)?;
    Ok(Args { path, docs, in_order, limit })
}

/// The Parquet files at `path`: itself, or every `*.parquet` under it, in path order.
fn shards(path: &Path) -> Result<Vec<PathBuf>, String> {
    if path.is_file() {
        return Ok(vec![path.to_path_buf()]);
    }
    let mut out = Vec::new();
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let p = entry.map_err(|e| format!("{}: {e}", dir.display()))?.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "parquet") {
                out.push(p);
            }
        }
    }
    out.sort();
    if out.is_empty() {
        return Err(format!("no .parquet file under {}", path.display()));
    }
    Ok(out)
}

fn builder(path: &Path) -> Result<ParquetRecordBatchReaderBuilder<File>, String> {
    let file = File::open(path).map_err(|e| format!("{}: {e}", path.display()))?;
    ParquetRecordBatchReaderBuilder::try_new(file).map_err(|e| format!("{}: {e}", path.display()))
}

fn row_count(path: &Path) -> Result<usize, String> {
    Ok(usize::try_from(builder(path)?.metadata().file_metadata().num_rows()).unwrap_or(0))
}

/// The first `n` instructions of `path` (the `edit_instruction` column alone; nulls as "").
fn instructions(path: &Path, n: usize) -> Result<Vec<String>, String> {
    let b = builder(path)?;
    let schema = b.parquet_schema();
    let root = (0..schema.num_columns())
        .find(|&i| schema.column(i).path().string() == COLUMN)
        .ok_or_else(|| format!("{}: no {COLUMN} column", path.display()))?;
    let mask = ProjectionMask::leaves(schema, [root]);
    let reader = b.with_projection(mask).with_limit(n).with_batch_size(8192).build().map_err(|e| format!("{}: {e}", path.display()))?;
    let mut out = Vec::with_capacity(n);
    for batch in reader {
        let batch = batch.map_err(|e| format!("{}: {e}", path.display()))?;
        let col = batch.column(0);
        let mut push = |v: Option<&str>| out.push(v.unwrap_or_default().to_string());
        if let Some(a) = col.as_string_opt::<i32>() {
            a.iter().for_each(&mut push);
        } else if let Some(a) = col.as_string_opt::<i64>() {
            a.iter().for_each(&mut push);
        } else if let Some(a) = col.as_string_view_opt() {
            a.iter().for_each(&mut push);
        } else {
            return Err(format!("{}: {COLUMN} is {}, not text", path.display(), col.data_type()));
        }
    }
    out.truncate(n);
    Ok(out)
}

/// How many rows to take from each file so that `n` are taken as evenly as the files allow.
fn spread(rows: &[usize], n: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..rows.len()).collect();
    order.sort_by_key(|&i| rows[i]);
    let mut take = vec![0; rows.len()];
    let mut left = n;
    for (k, &i) in order.iter().enumerate() {
        let files_left = rows.len() - k;
        take[i] = rows[i].min(left.div_ceil(files_left));
        left -= take[i];
    }
    take
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i]
}

fn sorted(mut v: Vec<f64>) -> Vec<f64> {
    v.sort_by(f64::total_cmp);
    v
}

/// Times `query` `runs` times (after one warm-up): (hits total, each run in ms).
fn time_query(index: &Index, text: &str, limit: usize, runs: usize) -> (usize, Vec<f64>) {
    let total = index.search(&Query::parse(text), limit).total;
    let times = (0..runs)
        .map(|_| {
            let t = Instant::now();
            let found = index.search(&Query::parse(text), limit);
            let e = ms(t.elapsed());
            std::hint::black_box(found);
            e
        })
        .collect();
    (total, times)
}

/// Enough runs of `text` to time it reliably: about half a second's worth, 5 to 200.
fn runs_for(index: &Index, text: &str, limit: usize) -> usize {
    let t = Instant::now();
    std::hint::black_box(index.search(&Query::parse(text), limit));
    let one = t.elapsed().as_secs_f64().max(1e-6);
    ((0.5 / one) as usize).clamp(5, 200)
}

fn run() -> Result<(), String> {
    let args = parse_args()?;
    let files = shards(&args.path)?;

    // Read the instructions.
    let t = Instant::now();
    let mut texts: Vec<(String, Vec<String>)> = Vec::new();
    if args.in_order {
        let mut left = args.docs;
        for f in &files {
            if left == 0 {
                break;
            }
            let v = instructions(f, left)?;
            left -= v.len();
            texts.push((f.display().to_string(), v));
        }
    } else {
        let rows = files.iter().map(|f| row_count(f)).collect::<Result<Vec<_>, _>>()?;
        for (f, n) in files.iter().zip(spread(&rows, args.docs)) {
            if n > 0 {
                texts.push((f.display().to_string(), instructions(f, n)?));
            }
        }
    }
    let docs: usize = texts.iter().map(|(_, v)| v.len()).sum();
    let read = t.elapsed();
    println!(
        "dataset: {} ({} Parquet file(s)); {} instructions read from {} file(s) {} in {:.0} ms",
        args.path.display(),
        files.len(),
        docs,
        texts.len(),
        if args.in_order { "in path order" } else { "evenly" },
        ms(read)
    );
    if docs < args.docs {
        println!("note: the dataset holds fewer than the {} instructions asked for", args.docs);
    }

    // Build the index, as the worker does: one file at a time.
    let t = Instant::now();
    let mut index = Index::new();
    for (file, v) in &texts {
        index.add_file(file, v);
    }
    let build = t.elapsed();
    let mut df: HashMap<String, usize> = HashMap::new();
    let mut words = 0usize;
    for (_, v) in &texts {
        for text in v {
            let mut seen: Vec<String> = terms(text);
            words += seen.len();
            seen.sort();
            seen.dedup();
            for s in seen {
                *df.entry(s).or_insert(0) += 1;
            }
        }
    }
    let once = df.values().filter(|&&n| n == 1).count();
    println!(
        "index: {} docs, {} words, {} distinct stems ({} in one instruction only); built in {:.0} ms ({:.1} µs per instruction)",
        index.len(),
        words,
        df.len(),
        once,
        ms(build),
        ms(build) * 1e3 / index.len().max(1) as f64
    );
    drop(df);
    println!("hit limit per search: {}\n", args.limit);

    // Each query, repeated.
    println!("{:<34} {:<32} {:>7} {:>5} {:>9} {:>9}", "kind", "query", "hits", "runs", "median ms", "max ms");
    let mut all = Vec::new();
    let mut worst: Vec<(f64, &str, &str)> = Vec::new();
    for &(kind, text) in QUERIES {
        let runs = runs_for(&index, text, args.limit);
        let (total, times) = time_query(&index, text, args.limit, runs);
        let s = sorted(times);
        let (med, max) = (percentile(&s, 0.5), *s.last().unwrap_or(&0.0));
        println!("{:<34} {:<32} {:>7} {:>5} {:>9.3} {:>9.3}", kind, format!("{text:?}"), total, runs, med, max);
        worst.push((max, kind, text));
        all.extend(s);
    }
    let all = sorted(all);
    let max = *all.last().unwrap_or(&0.0);
    println!(
        "\nall {} runs: median {:.3} ms, p95 {:.3} ms, max {:.3} ms; max / {GOAL_MS} ms = {:.3} ({})",
        all.len(),
        percentile(&all, 0.5),
        percentile(&all, 0.95),
        max,
        max / GOAL_MS,
        if max <= GOAL_MS { "goal met" } else { "goal missed" }
    );
    worst.sort_by(|a, b| b.0.total_cmp(&a.0));
    for (m, kind, text) in worst.iter().take(3) {
        println!("  slowest: {text:?} ({kind}) {m:.3} ms");
    }

    // Typing: every prefix of the query as it is typed, each keystroke timed 5 times.
    println!("\ntyping, one search per keystroke (median of 5 runs each):");
    println!("{:<46} {:>5} {:>12} {:>26} {:>10}", "query", "keys", "slowest ms", "at", "all keys ms");
    let mut slowest_key = 0.0f64;
    for &text in TYPED {
        let ends: Vec<usize> = text.char_indices().map(|(i, c)| i + c.len_utf8()).collect();
        let (mut worst_ms, mut worst_at, mut sum) = (0.0f64, "", 0.0);
        for &end in &ends {
            let typed = &text[..end];
            let (_, times) = time_query(&index, typed, args.limit, 5);
            let med = percentile(&sorted(times), 0.5);
            sum += med;
            if med > worst_ms {
                (worst_ms, worst_at) = (med, typed);
            }
        }
        slowest_key = slowest_key.max(worst_ms);
        println!("{:<46} {:>5} {:>12.3} {:>26} {:>10.1}", format!("{text:?}"), ends.len(), worst_ms, format!("{worst_at:?}"), sum);
    }
    println!("slowest keystroke: {slowest_key:.3} ms; / {GOAL_MS} ms = {:.3}", slowest_key / GOAL_MS);

    // The first keystroke of any query: every one-letter prefix.
    let mut letters: Vec<(f64, usize, char)> = ('a'..='z')
        .map(|c| {
            let (total, times) = time_query(&index, &c.to_string(), args.limit, 5);
            (percentile(&sorted(times), 0.5), total, c)
        })
        .collect();
    letters.sort_by(|a, b| b.0.total_cmp(&a.0));
    let over = letters.iter().filter(|l| l.0 > GOAL_MS).count();
    let top: Vec<String> = letters.iter().take(5).map(|(m, n, c)| format!("\"{c}\" {m:.1} ms ({n} hits)")).collect();
    println!("\none-letter prefixes a-z (median of 5 runs each): slowest {}; {over} of 26 over {GOAL_MS} ms", top.join(", "));
    Ok(())
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
