//! Samples as the gallery shows them: the small columns of a row (`SampleMeta`) and the
//! two image cells, taken out of decoded Arrow batches by the names the file's layout
//! gives them. An image cell is raw bytes or the `bytes` of the Hub's image struct; an
//! instruction is text or the first of a list of texts.

use arrow_array::cast::AsArray;
use arrow_array::types::{Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type};
use arrow_array::{Array, ArrayRef, RecordBatch};
use arrow_schema::DataType;
use bytes::Bytes;
use serde::{Deserialize, Serialize};

use super::columns::{self, Columns};
use crate::engine::error::{EngineError, EngineResult};

/// What a card and the sample view show of a row, besides its images.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SampleMeta {
    /// Row within its file.
    pub row: u64,
    pub id: Option<i64>,
    pub task: Option<String>,
    pub instruction: String,
    /// [width, height] of the source image, when the file has those columns.
    pub source_size: Option<[i64; 2]>,
    pub edited_size: Option<[i64; 2]>,
    /// Instruction following, editing consistency, generation quality (1–3).
    pub scores: [Option<i64>; 3],
}

/// The encoded bytes of a row's two images.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PairBytes {
    pub row: u64,
    pub source: Bytes,
    pub edited: Bytes,
}

fn int_at(batch: &RecordBatch, name: &str, i: usize) -> Option<i64> {
    let col = batch.column_by_name(name)?;
    if col.is_null(i) {
        return None;
    }
    Some(match col.data_type() {
        DataType::Int64 => col.as_primitive::<Int64Type>().value(i),
        DataType::Int32 => col.as_primitive::<Int32Type>().value(i) as i64,
        DataType::Int16 => col.as_primitive::<Int16Type>().value(i) as i64,
        DataType::Int8 => col.as_primitive::<Int8Type>().value(i) as i64,
        DataType::UInt64 => col.as_primitive::<UInt64Type>().value(i) as i64,
        DataType::UInt32 => col.as_primitive::<UInt32Type>().value(i) as i64,
        DataType::UInt16 => col.as_primitive::<UInt16Type>().value(i) as i64,
        DataType::UInt8 => col.as_primitive::<UInt8Type>().value(i) as i64,
        _ => return None,
    })
}

/// Text at `i` of a string array, or the first text of a list of them.
fn text_of(col: &dyn Array, i: usize) -> Option<String> {
    if col.is_null(i) {
        return None;
    }
    let first = |values: ArrayRef| text_of(values.as_ref(), 0).filter(|_| !values.is_empty());
    Some(match col.data_type() {
        DataType::Utf8 => col.as_string::<i32>().value(i).to_owned(),
        DataType::LargeUtf8 => col.as_string::<i64>().value(i).to_owned(),
        DataType::Utf8View => col.as_string_view().value(i).to_owned(),
        DataType::List(_) => first(col.as_list::<i32>().value(i))?,
        DataType::LargeList(_) => first(col.as_list::<i64>().value(i))?,
        DataType::FixedSizeList(_, _) => first(col.as_fixed_size_list().value(i))?,
        _ => return None,
    })
}

fn str_at(batch: &RecordBatch, name: &str, i: usize) -> Option<String> {
    text_of(batch.column_by_name(name)?.as_ref(), i)
}

/// Bytes at `i` of a binary array, or of the `bytes` child of a struct: a view of the
/// array's buffer, not a copy (a value of a view array inlined in its view is copied).
fn bytes_of(col: &dyn Array, i: usize) -> Option<Bytes> {
    if col.is_null(i) {
        return None;
    }
    let view = |buffer: &arrow_buffer::Buffer, start: usize, len: usize| Bytes::from_owner(buffer.slice_with_length(start, len));
    match col.data_type() {
        DataType::Binary => {
            let a = col.as_binary::<i32>();
            let (start, end) = (a.value_offsets()[i], a.value_offsets()[i + 1]);
            Some(view(a.values(), usize::try_from(start).ok()?, usize::try_from(end - start).ok()?))
        }
        DataType::LargeBinary => {
            let a = col.as_binary::<i64>();
            let (start, end) = (a.value_offsets()[i], a.value_offsets()[i + 1]);
            Some(view(a.values(), usize::try_from(start).ok()?, usize::try_from(end - start).ok()?))
        }
        DataType::BinaryView => {
            let a = col.as_binary_view();
            // A view: length (32 bits), then the value itself when it is at most 12 bytes,
            // else a prefix (32), the buffer's index (32) and the offset in it (32).
            let v = a.views()[i];
            let len = v as u32 as usize;
            if len <= 12 {
                return Some(Bytes::copy_from_slice(a.value(i)));
            }
            let buffer = a.data_buffers().get((v >> 64) as u32 as usize)?;
            Some(view(buffer, (v >> 96) as u32 as usize, len))
        }
        DataType::Struct(_) => bytes_of(col.as_struct().column_by_name("bytes")?.as_ref(), i),
        _ => None,
    }
}

fn bytes_at(batch: &RecordBatch, name: &str, i: usize) -> Option<Bytes> {
    bytes_of(batch.column_by_name(name)?.as_ref(), i)
}

/// Pair each decoded row with its row number: `rows` must be the sorted, de-duplicated
/// rows the batches were read for.
fn rows_of<'a>(batches: &'a [RecordBatch], rows: &'a [u64]) -> impl Iterator<Item = (u64, &'a RecordBatch, usize)> {
    batches
        .iter()
        .flat_map(|b| (0..b.num_rows()).map(move |i| (b, i)))
        .zip(rows.iter())
        .map(|((b, i), &row)| (row, b, i))
}

/// Sorted, de-duplicated copy of `rows` (the order `read_rows` returns them in).
pub fn sorted_rows(rows: &[u64]) -> Vec<u64> {
    let mut v = rows.to_vec();
    v.sort_unstable();
    v.dedup();
    v
}

pub fn metas(batches: &[RecordBatch], rows: &[u64], cols: &Columns) -> Vec<SampleMeta> {
    use columns::*;
    rows_of(batches, rows)
        .map(|(row, b, i)| {
            let pair = |w, h| Some([int_at(b, w, i)?, int_at(b, h, i)?]);
            SampleMeta {
                row,
                id: int_at(b, ID, i),
                task: str_at(b, TASK, i),
                instruction: str_at(b, cols.instruction_name(), i).unwrap_or_default(),
                source_size: pair(SOURCE_WIDTH, SOURCE_HEIGHT),
                edited_size: pair(EDITED_WIDTH, EDITED_HEIGHT),
                scores: [int_at(b, SCORE_IF, i), int_at(b, SCORE_EC, i), int_at(b, SCORE_GQ, i)],
            }
        })
        .collect()
}

/// The instruction of each decoded row, in order (empty when absent).
pub fn instructions(batches: &[RecordBatch], rows: &[u64], cols: &Columns) -> Vec<String> {
    rows_of(batches, rows).map(|(_, b, i)| str_at(b, cols.instruction_name(), i).unwrap_or_default()).collect()
}

/// The three scores of each decoded row, as (row, which score, value).
pub fn score_cells<'a>(batches: &'a [RecordBatch], rows: &'a [u64]) -> impl Iterator<Item = (u64, usize, Option<i64>)> + 'a {
    use columns::*;
    rows_of(batches, rows).flat_map(|(row, b, i)| {
        [SCORE_IF, SCORE_EC, SCORE_GQ].into_iter().enumerate().map(move |(k, name)| (row, k, int_at(b, name, i)))
    })
}

pub fn pairs(file: &str, batches: &[RecordBatch], rows: &[u64], cols: &Columns) -> EngineResult<Vec<PairBytes>> {
    rows_of(batches, rows)
        .map(|(row, b, i)| {
            let cell = |name: &str| {
                bytes_at(b, name, i).ok_or_else(|| EngineError::Corrupt {
                    file: file.into(),
                    detail: format!("row {row}, column `{name}`: empty image cell"),
                })
            };
            Ok(PairBytes { row, source: cell(cols.source_name())?, edited: cell(cols.edited_name())? })
        })
        .collect()
}
