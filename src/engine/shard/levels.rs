//! Definition levels checked before the push decoder sees a page. The `parquet` crate's
//! decoder trusts the run headers of a page's definition levels: a bit-packed run that
//! claims more bytes than the levels hold makes it index past them and panic. Every data
//! page of a decoded column is walked here first, and such a page ends in an error
//! naming it instead.

use std::io::Read;

use parquet::basic::Compression;

use super::page_header::{PageHeader, PageKind};
use super::snappy::SnappyStream;

/// Bits of one definition level of a column whose maximum is `max_def`.
pub fn level_width(max_def: i16) -> u32 {
    16 - (max_def.max(0) as u16).leading_zeros()
}

/// Check the definition levels of the page `h` whose body (after its header) is `body`,
/// in a column chunk compressed with `compression` whose maximum definition level is
/// `max_def` and which has no repetition levels.
pub fn check_levels(
    h: &PageHeader,
    body: &[u8],
    compression: Compression,
    max_def: i16,
) -> Result<(), String> {
    if max_def <= 0 || !h.kind.is_data() {
        return Ok(());
    }
    let width = level_width(max_def);
    let count = h.num_values as usize;
    match h.kind {
        PageKind::DataV2 => {
            let start = h.rep_levels_len as usize;
            let levels = body
                .get(start..start + h.def_levels_len as usize)
                .ok_or("definition levels run past the page")?;
            check_hybrid(levels, width, count, max_def)
        }
        _ => {
            let levels = v1_levels(body, compression, h.uncompressed_size)?;
            check_hybrid(&levels, width, count, max_def)
        }
    }
}

/// The definition levels at the start of a v1 page's (compressed) body: a 4-byte length,
/// then that many bytes. Only as much of the body is decompressed as they need.
fn v1_levels(body: &[u8], compression: Compression, uncompressed: u32) -> Result<Vec<u8>, String> {
    let take = |data: &[u8]| -> Result<Option<Vec<u8>>, String> {
        let Some(len) = data.get(..4) else {
            return Ok(None);
        };
        let len = u32::from_le_bytes([len[0], len[1], len[2], len[3]]);
        if len > uncompressed {
            return Err(format!(
                "definition levels of {len} bytes in a page of {uncompressed}"
            ));
        }
        Ok(data.get(4..4 + len as usize).map(<[u8]>::to_vec))
    };
    let short = || "the page ends inside its definition levels".to_string();
    match compression {
        Compression::UNCOMPRESSED => take(body)?.ok_or_else(short),
        Compression::SNAPPY => {
            let mut s = SnappyStream::new();
            for piece in body.chunks(16 << 10) {
                s.push(piece)
                    .map_err(|e| format!("definition levels: {e}"))?;
                if let Some(levels) = take(s.unread())? {
                    return Ok(levels);
                }
            }
            take(s.unread())?.ok_or_else(short)
        }
        Compression::ZSTD(_) => {
            let mut d = zstd::stream::read::Decoder::with_buffer(body)
                .map_err(|e| format!("definition levels: {e}"))?;
            let mut len = [0u8; 4];
            d.read_exact(&mut len).map_err(|_| short())?;
            let len = u32::from_le_bytes(len);
            if len > uncompressed {
                return Err(format!(
                    "definition levels of {len} bytes in a page of {uncompressed}"
                ));
            }
            let mut levels = Vec::new();
            d.take(u64::from(len))
                .read_to_end(&mut levels)
                .map_err(|e| format!("definition levels: {e}"))?;
            if levels.len() < len as usize {
                return Err(short());
            }
            Ok(levels)
        }
        // Codecs the decoder itself refuses.
        _ => Ok(Vec::new()),
    }
}

/// The header of the run at `pos` of an RLE / bit-packed hybrid encoding (a ULEB128
/// varint: the low bit says bit-packed); `pos` moves past it.
pub fn run_header(buf: &[u8], pos: &mut usize) -> Result<u64, &'static str> {
    let mut header = 0u64;
    for shift in (0..64).step_by(7) {
        let b = *buf.get(*pos).ok_or("the bytes end inside a run header")?;
        *pos += 1;
        header |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(header);
        }
    }
    Err("a run header longer than 10 bytes")
}

/// Walk `count` levels of `width` bits in the RLE / bit-packed hybrid encoding: every run
/// must lie within `buf` as far as the levels it contributes, and every level be at most
/// `max_def`. Runs past `count` are not looked at (the decoder does not read them).
pub fn check_hybrid(buf: &[u8], width: u32, count: usize, max_def: i16) -> Result<(), String> {
    let mut pos = 0usize;
    let mut seen = 0usize;
    while seen < count {
        if pos >= buf.len() {
            // Fewer levels than values: the decoder stops and reports it.
            return Ok(());
        }
        let header = run_header(buf, &mut pos).map_err(|e| format!("definition levels: {e}"))?;
        let left = count - seen;
        let run = (header >> 1) as usize;
        if header & 1 == 0 {
            let bytes = width.div_ceil(8) as usize;
            let value = buf
                .get(pos..pos + bytes)
                .ok_or("definition levels end inside a run")?;
            pos += bytes;
            let v = value
                .iter()
                .rev()
                .fold(0u64, |v, &b| (v << 8) | u64::from(b));
            if run > 0 && v > max_def as u64 {
                return Err(format!(
                    "definition level {v} above the column's maximum {max_def}"
                ));
            }
            seen += run.min(left);
        } else {
            let values = run.saturating_mul(8);
            let used = values.min(left);
            let need = (used as u64 * u64::from(width)).div_ceil(8);
            let have = (buf.len() - pos) as u64;
            if need > have {
                return Err(format!(
                    "definition levels: a bit-packed run of {values} levels needs {need} bytes, {have} are left"
                ));
            }
            pos += ((values as u64 * u64::from(width)).div_ceil(8)).min(have) as usize;
            seen += used;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn widths_follow_the_maximum_level() {
        assert_eq!([0, 1, 2, 3, 4].map(level_width), [0, 1, 2, 2, 3]);
    }

    #[test]
    fn whole_runs_pass() {
        // An RLE run of 5 ones, then a bit-packed group of 8 levels.
        let levels = [5 << 1, 1, (1 << 1) | 1, 0b1011_0110];
        assert_eq!(check_hybrid(&levels, 1, 13, 1), Ok(()));
        // A last group cut short beyond the values wanted is what some writers leave.
        assert_eq!(check_hybrid(&[(2 << 1) | 1, 0xff], 1, 8, 1), Ok(()));
    }

    #[test]
    fn a_bit_packed_run_past_the_levels_is_refused() {
        // 16 groups of 8 one-bit levels need 16 bytes; 2 are there.
        let err = check_hybrid(&[(16 << 1) | 1, 0xff, 0xff], 1, 128, 1).unwrap_err();
        assert!(err.contains("needs 16 bytes, 2 are left"), "{err}");
    }

    #[test]
    fn a_level_above_the_maximum_is_refused() {
        let err = check_hybrid(&[3 << 1, 2], 2, 3, 1).unwrap_err();
        assert!(
            err.contains("definition level 2 above the column's maximum 1"),
            "{err}"
        );
        assert!(
            check_hybrid(&[(200u8 << 1) | 0x80, 0x7f], 1, 10, 1).is_err(),
            "a header running off the end"
        );
    }

    /// `raw` as the body of a page of each codec read (`snap` is a native test dependency).
    #[cfg(not(target_arch = "wasm32"))]
    fn bodies(raw: &[u8]) -> [(Vec<u8>, Compression); 3] {
        [
            (raw.to_vec(), Compression::UNCOMPRESSED),
            (snap::raw::Encoder::new().compress_vec(raw).unwrap(), Compression::SNAPPY),
            (zstd::bulk::compress(raw, 1).unwrap(), Compression::ZSTD(Default::default())),
        ]
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn v1_levels_are_found_in_snappy_and_zstd_bodies() {
        let mut raw = vec![4, 0, 0, 0, 5 << 1, 1, (1 << 1) | 1, 0xff];
        raw.extend_from_slice(b"values that follow the levels");
        let h = PageHeader {
            kind: PageKind::Data,
            uncompressed_size: raw.len() as u32,
            compressed_size: 0,
            num_values: 13,
            num_rows: None,
            encoding: 0,
            def_levels_len: 0,
            rep_levels_len: 0,
            is_compressed: true,
        };
        for (body, codec) in bodies(&raw) {
            assert_eq!(check_levels(&h, &body, codec, 1), Ok(()), "{codec}");
        }
        // The same page claiming 10 groups of levels in its second run, 16 of them its own.
        raw[6] = (10 << 1) | 1;
        let h = PageHeader {
            num_values: 21,
            ..h
        };
        for (body, codec) in bodies(&raw) {
            let err = check_levels(&h, &body, codec, 1).unwrap_err();
            assert!(
                err.contains("bit-packed run of 80 levels needs 2 bytes, 1 are left"),
                "{codec}: {err}"
            );
        }
    }
}
