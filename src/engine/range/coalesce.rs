//! Merging of near byte ranges: one request instead of several when the gap between
//! them costs less than a round trip.

use std::ops::Range;

/// Ranges closer than this are fetched as one. 64 KiB is about what an ordinary
/// connection (50 Mbit/s, 20 ms round trip) transfers in the time of a round trip's
/// overhead, so merging wins below it.
pub const GAP_BYTES: u64 = 64 * 1024;

/// Sort, merge overlapping ranges and ranges less than `gap` bytes apart.
pub fn coalesce(ranges: &[Range<u64>], gap: u64) -> Vec<Range<u64>> {
    let mut sorted: Vec<Range<u64>> = ranges.iter().filter(|r| r.start < r.end).cloned().collect();
    sorted.sort_by_key(|r| (r.start, r.end));
    let mut out: Vec<Range<u64>> = Vec::with_capacity(sorted.len());
    for r in sorted {
        match out.last_mut() {
            Some(last) if r.start <= last.end.saturating_add(gap) => last.end = last.end.max(r.end),
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
