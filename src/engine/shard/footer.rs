//! Reading a shard's footer: one bounded range at the end of the file once its size is
//! known (a second only when the footer or page index is larger than the prefetch).

use std::ops::Range;

use parquet::file::metadata::{PageIndexPolicy, ParquetMetaData, ParquetMetaDataPushDecoder};
use parquet::DecodeResult;

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::range::{read_many_of, RangeSource, Version};
use crate::engine::shard::page_header::{self, HeaderFault};

/// Most bytes read from the end of a file in the first footer request. 64 KiB holds the
/// footer and offset index of files of a few hundred row groups.
pub const FOOTER_PREFETCH: u64 = 64 * 1024;

/// Fewest bytes read from the end: footers of small files (a few row groups) fit.
pub const MIN_FOOTER_PREFETCH: u64 = 16 * 1024;

/// Bytes of the first footer read of a file of `size` bytes: an eighth of the file, within
/// [16 KiB, 64 KiB]. Footers grow with row groups and pages, so small files have small
/// footers, and a fixed 64 KiB would read most of a small file just to open it.
pub fn footer_prefetch(size: u64) -> u64 {
    (size / 8).clamp(MIN_FOOTER_PREFETCH, FOOTER_PREFETCH).min(size)
}

/// The footer metadata may not exceed this (a corrupt length must not make us allocate).
pub const MAX_FOOTER_BYTES: u64 = 64 * 1024 * 1024;

const MAGIC: &[u8; 4] = b"PAR1";

/// Bytes of the head read to learn an unknown size: enough to check the magic and to
/// recognise an HTML error page served in place of the file.
pub const PROBE_BYTES: u64 = 64;

/// Learn the file size when the source does not know it: a small read of the head,
/// which also checks the leading magic.
async fn probe_size(src: &dyn RangeSource) -> EngineResult<u64> {
    let reply = src.read(0..PROBE_BYTES).await?;
    if !reply.bytes.starts_with(MAGIC) {
        return Err(not_parquet(src.name(), &reply.bytes, "it does not start with the magic bytes PAR1"));
    }
    reply.total_size.or(src.known_size()).ok_or_else(|| EngineError::Network {
        file: src.name().into(),
        message: "the server did not tell the file size (Content-Range is missing or not exposed to scripts)".into(),
    })
}

fn not_parquet(file: &str, head: &[u8], why: &str) -> EngineError {
    let text = String::from_utf8_lossy(&head[..head.len().min(64)]).to_lowercase();
    let hint = if text.contains("<!doctype html") || text.contains("<html") {
        " — it looks like an HTML page"
    } else {
        ""
    };
    EngineError::NotParquet { file: file.into(), detail: format!("{why}{hint}") }
}

fn corrupt(file: &str, e: parquet::errors::ParquetError) -> EngineError {
    EngineError::Corrupt { file: file.into(), detail: e.to_string() }
}

/// A decoded footer and the version of the file it was read from.
#[derive(Debug, Clone)]
pub struct Footer {
    pub size: u64,
    pub etag: Option<String>,
    pub metadata: ParquetMetaData,
}

/// Read and decode the footer (and offset index when present) of `src`.
pub async fn read_metadata(src: &dyn RangeSource) -> EngineResult<(u64, ParquetMetaData)> {
    let footer = read_footer(src).await?;
    Ok((footer.size, footer.metadata))
}

/// Read and decode the footer (and offset index when present) of `src`, with the ETag
/// the answer carried.
pub async fn read_footer(src: &dyn RangeSource) -> EngineResult<Footer> {
    read_footer_with(src, footer_prefetch).await
}

/// The first read of a footer takes just the length and the magic: the footer follows
/// in a second read of exactly its bytes. For reading many files whole, where bytes
/// count and requests do not (`gallery index`).
pub fn exact_prefetch(_size: u64) -> u64 {
    8
}

/// `read_footer`, the first read taking `prefetch(size)` bytes from the end.
pub async fn read_footer_with(src: &dyn RangeSource, prefetch: fn(u64) -> u64) -> EngineResult<Footer> {
    let footer_prefetch = |size: u64| prefetch(size).max(8).min(size);
    let file = src.name();
    let mut size = match src.known_size() {
        Some(s) => s,
        None => probe_size(src).await?,
    };
    if size < 12 {
        return Err(EngineError::NotParquet { file: file.into(), detail: format!("{size} bytes is too short for Parquet") });
    }
    let mut tail_range = size - footer_prefetch(size)..size;
    let mut reply = match src.read(tail_range.clone()).await {
        // The size given in advance is past the end: the file is shorter now; learn it.
        Err(EngineError::Http { status: 416, .. }) => {
            size = probe_size(src).await?;
            tail_range = size - footer_prefetch(size)..size;
            src.read(tail_range.clone()).await?
        }
        other => other?,
    };
    // A size given in advance (a manifest) may be stale: the answer tells the true one.
    if let Some(t) = reply.total_size.filter(|&t| t != size && t >= 12) {
        size = t;
        tail_range = size - footer_prefetch(size)..size;
        reply = src.read(tail_range.clone()).await?;
    }
    let etag = reply.etag;
    let version = Version { size, etag: etag.clone() };
    version.check(file, reply.total_size, etag.as_deref())?;
    let tail = reply.bytes;
    if tail.len() < 8 || &tail[tail.len() - 4..] != MAGIC {
        let head = if tail_range.start == 0 { &tail[..] } else { &[][..] };
        return Err(not_parquet(file, head, "it does not end with the magic bytes PAR1"));
    }
    // The whole file was read (a small one): its head is checked for free.
    if tail_range.start == 0 && !tail.starts_with(MAGIC) {
        return Err(not_parquet(file, &tail, "it does not start with the magic bytes PAR1"));
    }
    let meta_len = u32::from_le_bytes([tail[tail.len() - 8], tail[tail.len() - 7], tail[tail.len() - 6], tail[tail.len() - 5]]) as u64;
    if meta_len + 8 > size || meta_len > MAX_FOOTER_BYTES {
        return Err(EngineError::Corrupt {
            file: file.into(),
            detail: format!("footer length {meta_len} does not fit in a file of {size} bytes"),
        });
    }
    // The whole footer, walked by our own bounded reader before the parquet crate decodes
    // it (whose skipping of unknown fields can loop on counts a file merely claims).
    let (tail_range, tail) = if meta_len + 8 > tail.len() as u64 {
        // The rest of a footer larger than the prefetch: one more read, of what is missing.
        let missing = size - 8 - meta_len..tail_range.start;
        let reply = src.read(missing.clone()).await?;
        version.check(file, reply.total_size, reply.etag.as_deref())?;
        let mut whole = Vec::with_capacity((meta_len + 8) as usize);
        whole.extend_from_slice(&reply.bytes);
        whole.extend_from_slice(&tail);
        (missing.start..size, bytes::Bytes::from(whole))
    } else {
        (tail_range, tail)
    };
    let footer = &tail[tail.len() - 8 - meta_len as usize..tail.len() - 8];
    match page_header::thrift_struct_len(footer) {
        Ok(n) if n == footer.len() => {}
        Ok(n) => return Err(EngineError::Corrupt { file: file.into(), detail: format!("footer metadata ends at byte {n} of {}", footer.len()) }),
        Err(HeaderFault::Short) => return Err(EngineError::Corrupt { file: file.into(), detail: "footer metadata runs past its length".into() }),
        Err(HeaderFault::Bad(why)) => return Err(EngineError::Corrupt { file: file.into(), detail: format!("footer metadata: {why}") }),
    }
    let mut decoder = ParquetMetaDataPushDecoder::try_new(size)
        .map_err(|e| corrupt(file, e))?
        .with_column_index_policy(PageIndexPolicy::Skip)
        .with_offset_index_policy(PageIndexPolicy::Optional);
    decoder.push_range(tail_range, tail).map_err(|e| corrupt(file, e))?;
    loop {
        match decoder.try_decode().map_err(|e| corrupt(file, e))? {
            DecodeResult::Data(metadata) => return Ok(Footer { size, etag, metadata }),
            DecodeResult::NeedsData(ranges) => {
                let ranges: Vec<Range<u64>> = ranges;
                let bodies = read_many_of(src, &ranges, Some(&version)).await?;
                decoder.push_ranges(ranges, bodies).map_err(|e| corrupt(file, e))?;
            }
            DecodeResult::Finished => {
                return Err(EngineError::Corrupt { file: file.into(), detail: "footer ended without metadata".into() })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_footer_read_scales_with_the_file() {
        assert_eq!(footer_prefetch(1000), 1000);
        assert_eq!(footer_prefetch(72_173), MIN_FOOTER_PREFETCH);
        assert_eq!(footer_prefetch(400_000), 50_000);
        assert_eq!(footer_prefetch(31_700_000_000), FOOTER_PREFETCH);
    }
}
