//! Checking a ranged answer: `Content-Range: bytes a-b/size` must be the range we asked
//! for (clipped to the end of the resource), or the bytes are not the ones we think.

use std::ops::Range;

use crate::engine::error::{EngineError, EngineResult};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ContentRange {
    pub start: u64,
    /// Inclusive, as written in the header.
    pub last: u64,
    pub total: Option<u64>,
}

impl ContentRange {
    /// Parse `bytes a-b/size` or `bytes a-b/*`.
    pub fn parse(header: &str) -> Option<Self> {
        let rest = header.trim().strip_prefix("bytes")?.trim_start();
        let (span, total) = rest.split_once('/')?;
        let (a, b) = span.split_once('-')?;
        let start = a.trim().parse().ok()?;
        let last = b.trim().parse().ok()?;
        let total = match total.trim() {
            "*" => None,
            t => Some(t.parse().ok()?),
        };
        (start <= last && total.is_none_or(|t| last < t)).then_some(Self { start, last, total })
    }
}

/// Validate the `Content-Range` of a 206 answer against the asked range.
/// Returns the parsed header; a missing header is accepted when the body length is
/// checked by the caller (some CDNs do not expose it to scripts).
pub fn check_content_range(
    file: &str,
    asked: &Range<u64>,
    header: Option<&str>,
) -> EngineResult<Option<ContentRange>> {
    let Some(h) = header else { return Ok(None) };
    let bad = || EngineError::BadContentRange { file: file.into(), asked: asked.clone(), got: h.into() };
    let cr = ContentRange::parse(h).ok_or_else(bad)?;
    let clipped_end = cr.total.map_or(asked.end, |t| asked.end.min(t));
    if cr.start != asked.start || cr.last + 1 != clipped_end {
        return Err(bad());
    }
    Ok(Some(cr))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_sized_and_unsized_headers() {
        assert_eq!(
            ContentRange::parse("bytes 0-99/1000"),
            Some(ContentRange { start: 0, last: 99, total: Some(1000) })
        );
        assert_eq!(ContentRange::parse("bytes 5-5/*").map(|c| c.total), Some(None));
        assert_eq!(ContentRange::parse("bytes */1000"), None);
        assert_eq!(ContentRange::parse("bytes 10-5/1000"), None);
        assert_eq!(ContentRange::parse("bytes 0-1000/1000"), None);
    }

    #[test]
    fn a_range_other_than_the_asked_one_is_an_error() {
        let err = check_content_range("f.parquet", &(100..200), Some("bytes 0-99/1000")).unwrap_err();
        assert!(matches!(err, EngineError::BadContentRange { .. }));
        assert!(err.to_string().contains("f.parquet"));
        assert!(check_content_range("f", &(100..200), Some("bytes 100-199/1000")).unwrap().is_some());
    }

    #[test]
    fn a_range_past_the_end_is_clipped() {
        let cr = check_content_range("f", &(900..2000), Some("bytes 900-999/1000")).unwrap().unwrap();
        assert_eq!(cr.total, Some(1000));
    }

    #[test]
    fn offsets_beyond_4_gib_parse() {
        let cr = ContentRange::parse("bytes 5368709120-5368709127/6442450944").unwrap();
        assert_eq!(cr.start, 5 << 30);
        assert_eq!(cr.total, Some(6 << 30));
    }
}
