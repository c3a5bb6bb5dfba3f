//! Merging of near byte ranges: one request instead of several when the gap between
//! them costs less than a round trip.

use std::ops::Range;

/// Ranges closer than this are fetched as one. 64 KiB is about what an ordinary
/// connection (50 Mbit/s, 20 ms round trip) transfers in the time of a round trip's
/// overhead, so merging wins below it.
pub const GAP_BYTES: u64 = 64 * 1024;

/// Near ranges are not merged past this size: a wave of large reads (a grid page's
/// images, each a page of its own, side by side in the file) still goes out as several
/// requests, which HTTP/1.1 runs on several connections (6 per origin in browsers) and
/// which each end sooner. 4 MiB is ~0.7 s at 50 Mbit/s: long past the round trip saved.
pub const MAX_MERGED_BYTES: u64 = 4 * 1024 * 1024;

/// Sort, merge overlapping ranges and ranges less than `gap` bytes apart; a merge that
/// would pass `MAX_MERGED_BYTES` starts a new request instead (overlapping ranges always
/// merge).
pub fn coalesce(ranges: &[Range<u64>], gap: u64) -> Vec<Range<u64>> {
    let mut sorted: Vec<Range<u64>> = ranges.iter().filter(|r| r.start < r.end).cloned().collect();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<u64>> = Vec::with_capacity(sorted.len());
    for r in sorted {
        match out.last_mut() {
            Some(last) if r.start < last.end || (r.start <= last.end.saturating_add(gap) && r.end.max(last.end) - last.start <= MAX_MERGED_BYTES) => {
                last.end = last.end.max(r.end)
            }
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_ranges_merge_and_far_ones_stay_apart() {
        let got = coalesce(&[100..200, 0..50, 250..300, 10_000..10_010], 50);
        assert_eq!(got, vec![0..300, 10_000..10_010]);
        let got = coalesce(&[100..200, 0..50, 250..300], 49);
        assert_eq!(got, vec![0..50, 100..200, 250..300]);
    }

    #[test]
    fn merges_stop_at_the_size_bound() {
        let mib = 1024 * 1024;
        // Ten adjacent 1 MiB pages: four per request, then the rest.
        let pages: Vec<Range<u64>> = (0..10).map(|i| i * mib..(i + 1) * mib).collect();
        assert_eq!(coalesce(&pages, GAP_BYTES), vec![0..4 * mib, 4 * mib..8 * mib, 8 * mib..10 * mib]);
        // A single range larger than the bound stays whole; an overlap still merges.
        assert_eq!(coalesce(&[0..9 * mib, 9 * mib - 1..9 * mib + 5], GAP_BYTES), vec![0..9 * mib + 5]);
    }

    #[test]
    fn overlapping_and_empty_ranges() {
        assert_eq!(coalesce(&[0..10, 5..8, 7..20, 30..30], 0), vec![0..20]);
        assert_eq!(coalesce(&[], 10), Vec::<Range<u64>>::new());
    }

    #[test]
    fn offsets_beyond_4_gib_do_not_wrap() {
        let big = 5u64 << 30;
        assert_eq!(coalesce(&[big..big + 10, big + 12..big + 20], 4), vec![big..big + 20]);
        assert_eq!(coalesce(&[u64::MAX - 4..u64::MAX], 100), vec![u64::MAX - 4..u64::MAX]);
    }
}
