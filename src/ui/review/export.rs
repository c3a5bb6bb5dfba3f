//! Gathering the flagged samples for an export: the flags in dataset order, with what
//! their rows say (id, task, instruction) read through the worker, a file at a time.

use std::collections::HashMap;

use crate::engine::review::export::FlaggedSample;
use crate::engine::review::flags::FlagSet;
use crate::protocol::{DatasetView, Reply, Request, SampleMeta};
use crate::ui::client;

/// Rows asked of the worker at once: the text columns of 1000 rows are a few hundred KB.
const ROWS_PER_REQUEST: usize = 1000;

/// Every flag of `set`, in dataset order (flags of files the dataset no longer lists come
/// last), and how many rows could not be read (those are exported without their text).
pub async fn flagged(dataset: &DatasetView, set: &FlagSet) -> (Vec<FlaggedSample>, usize) {
    let ordered = set.in_dataset_order(dataset, None);
    let mut by_file: Vec<(String, Vec<u64>)> = Vec::new();
    for (file, row) in &ordered {
        match by_file.last_mut() {
            Some((f, rows)) if f == file && rows.len() < ROWS_PER_REQUEST => rows.push(*row),
            _ => by_file.push((file.clone(), vec![*row])),
        }
    }
    let mut metas: HashMap<(String, u64), SampleMeta> = HashMap::new();
    for (file, rows) in by_file {
        if let Ok((Reply::Rows { samples }, _)) = client::request(Request::Rows { file: file.clone(), rows }).await {
            for s in samples {
                metas.insert((file.clone(), s.row), s);
            }
        }
    }
    let mut out = Vec::with_capacity(set.len());
    let mut unread = 0;
    for (file, row) in &ordered {
        let meta = metas.get(&(file.clone(), *row));
        unread += usize::from(meta.is_none());
        out.push(FlaggedSample::new(file, *row, set.note(file, *row).unwrap_or(""), meta));
    }
    let listed: std::collections::HashSet<&(String, u64)> = ordered.iter().collect();
    for (file, row, note) in set.iter() {
        if !listed.contains(&(file.to_string(), row)) {
            unread += 1;
            out.push(FlaggedSample::new(file, row, note, None));
        }
    }
    (out, unread)
}
