//! A random order of the grid that a seed reproduces (`seed=` in links), so a
//! collaborator opening the link sees the same random sample in the same order.
//!
//! The order: files in a shuffled order, visited round by round; in round `j` each file
//! gives its `j`-th page of rows, the rows of a file taken in a shuffled order. The first
//! pages thus come from many files (many task families), and each page is rows of one
//! file, read in one wave. Nothing is materialised: the rows of a file are a keyed
//! permutation (a Feistel network over the next power of two, cycle-walked into range),
//! so the position of any row and the row at any position cost a few hashes, whatever
//! the file's size. Files are reached as they are counted, like the file order does.

use super::open::{DatasetView, FileView};

/// The `i`-th value of a keyed pseudo-random permutation of `0..n`.
pub fn permute(i: u64, n: u64, key: u64) -> u64 {
    walk(i, n, |x| feistel(x, bits(n), key, false))
}

/// The position of `v` in the permutation of `0..n` keyed by `key`.
pub fn unpermute(v: u64, n: u64, key: u64) -> u64 {
    walk(v, n, |x| feistel(x, bits(n), key, true))
}

/// Apply `f` until the value falls in `0..n` (a permutation of the power-of-two domain
/// restricted to `0..n` stays a permutation).
fn walk(mut x: u64, n: u64, f: impl Fn(u64) -> u64) -> u64 {
    if n <= 1 {
        return 0;
    }
    loop {
        x = f(x);
        if x < n {
            return x;
        }
    }
}

/// Bits of the domain: the power of two at or above `n`, rounded up to an even number
/// (two halves of equal width), at least 2.
fn bits(n: u64) -> u32 {
    let b = (64 - (n - 1).leading_zeros()).max(2);
    b + b % 2
}

fn mix(mut z: u64) -> u64 {
    // splitmix64's finaliser.
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

const ROUNDS: u64 = 4;

/// A balanced Feistel network on `bits`-bit values (its inverse when `inverse`).
fn feistel(x: u64, bits: u32, key: u64, inverse: bool) -> u64 {
    let half = bits / 2;
    let mask = (1u64 << half) - 1;
    let round = |k: u64, v: u64| mix(v ^ mix(key.wrapping_add(k))) & mask;
    let (mut l, mut r) = (x >> half & mask, x & mask);
    if inverse {
        for k in (0..ROUNDS).rev() {
            (l, r) = (r ^ round(k, l), l);
        }
    } else {
        for k in 0..ROUNDS {
            (l, r) = (r, l ^ round(k, r));
        }
    }
    (l << half) | r
}

/// The grid's pages in the shuffled order of `seed`, at most `limit` of them: (file key,
/// rows). A file not counted yet ends the list with a probe (no rows), as in file order.
pub fn pages(view: &DatasetView, task: Option<&str>, size: u64, seed: u64, limit: usize) -> Vec<(String, Vec<u64>)> {
    let size = size.max(1);
    let files = shuffled_files(view, task, seed);
    let mut out = Vec::new();
    for round in 0u64.. {
        let mut any = false;
        for f in &files {
            if out.len() >= limit {
                return out;
            }
            if !f.counted {
                out.push((f.key.clone(), Vec::new()));
                return out;
            }
            let start = round * size;
            if start >= f.rows {
                continue;
            }
            any = true;
            let key = file_key(seed, &f.key);
            out.push((f.key.clone(), (start..f.rows.min(start + size)).map(|i| permute(i, f.rows, key)).collect()));
        }
        if !any {
            break;
        }
    }
    out
}

/// The sample after (or before) `row` of file `key` in the shuffled order of `seed`.
pub fn neighbour(view: &DatasetView, task: Option<&str>, size: u64, seed: u64, key: &str, row: u64, forward: bool) -> Option<(String, u64)> {
    let size = size.max(1);
    let files = shuffled_files(view, task, seed);
    let fi = files.iter().position(|f| f.key == key)?;
    let f = files[fi];
    if !f.counted || row >= f.rows {
        return None;
    }
    let fkey = file_key(seed, key);
    let k = unpermute(row, f.rows, fkey);
    let (round, t) = (k / size, k % size);
    let page_len = |f: &FileView, round: u64| f.rows.saturating_sub(round * size).min(size);
    if forward && t + 1 < page_len(f, round) {
        return Some((key.into(), permute(k + 1, f.rows, fkey)));
    }
    if !forward && t > 0 {
        return Some((key.into(), permute(k - 1, f.rows, fkey)));
    }
    // The next (or previous) page in the order: other files of this round, then the
    // next (previous) rounds.
    let n = files.len();
    let mut pos = round as usize * n + fi;
    let last_round = files.iter().filter(|f| f.counted).map(|f| f.rows.div_ceil(size)).max().unwrap_or(0) as usize;
    loop {
        if forward {
            pos += 1;
            if pos / n > last_round {
                return None;
            }
        } else {
            pos = pos.checked_sub(1)?;
        }
        let (r, g) = ((pos / n) as u64, &files[pos % n]);
        if !g.counted {
            // Where a file is not counted yet the order cannot go on from here.
            return None;
        }
        let len = page_len(g, r);
        if len == 0 {
            continue;
        }
        let gk = file_key(seed, &g.key);
        let i = if forward { r * size } else { r * size + len - 1 };
        return Some((g.key.clone(), permute(i, g.rows, gk)));
    }
}

/// The files of `task` in the order of `seed` (a Fisher–Yates shuffle).
fn shuffled_files<'a>(view: &'a DatasetView, task: Option<&'a str>, seed: u64) -> Vec<&'a FileView> {
    let mut files: Vec<&FileView> = view.files_of(task).collect();
    let mut state = mix(seed ^ 0x5eed);
    for i in (1..files.len()).rev() {
        state = mix(state.wrapping_add(0x9e37_79b9_7f4a_7c15));
        files.swap(i, (state % (i as u64 + 1)) as usize);
    }
    files
}

fn file_key(seed: u64, key: &str) -> u64 {
    key.bytes().fold(mix(seed), |h, b| mix(h ^ u64::from(b)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::dataset::open::FamilyView;

    #[test]
    fn permutations_are_bijections_with_inverses() {
        for n in [1u64, 2, 3, 5, 24, 100, 1000, 4097] {
            for key in [0u64, 7, u64::MAX] {
                let mut seen: Vec<u64> = (0..n).map(|i| permute(i, n, key)).collect();
                for (i, &v) in seen.iter().enumerate() {
                    assert_eq!(unpermute(v, n, key), i as u64, "n={n} key={key}");
                }
                seen.sort();
                assert_eq!(seen, (0..n).collect::<Vec<_>>(), "n={n} key={key}");
            }
        }
        // Another key, another order; not the identity.
        let a: Vec<u64> = (0..100).map(|i| permute(i, 100, 1)).collect();
        let b: Vec<u64> = (0..100).map(|i| permute(i, 100, 2)).collect();
        assert_ne!(a, b);
        assert_ne!(a, (0..100).collect::<Vec<_>>());
        // Large files cost no memory: any position of 31 M rows at once.
        let big = 31_000_000;
        assert_eq!(unpermute(permute(123_456, big, 9), big, 9), 123_456);
    }

    fn view(files: &[(&str, u64, bool)]) -> DatasetView {
        DatasetView {
            name: "t".into(),
            attribution: String::new(),
            families: Vec::<FamilyView>::new(),
            files: files
                .iter()
                .map(|&(k, rows, counted)| FileView { key: k.into(), url: k.into(), rows, bytes: None, task: None, counted })
                .collect(),
            pinned: None,
            layout: None,
        }
    }

    #[test]
    fn pages_visit_every_row_once_round_by_round_and_the_seed_reproduces_them() {
        let v = view(&[("a", 50, true), ("b", 7, true), ("c", 30, true)]);
        let p = pages(&v, None, 24, 42, usize::MAX);
        assert_eq!(p, pages(&v, None, 24, 42, usize::MAX), "same seed, same order");
        assert_ne!(p, pages(&v, None, 24, 43, usize::MAX));
        // Round 0 holds one page of each file, then the files with more rows go on.
        let mut first: Vec<&str> = p[..3].iter().map(|(f, _)| f.as_str()).collect();
        first.sort();
        assert_eq!(first, ["a", "b", "c"]);
        assert_eq!(p.len(), 3 + 2 + 1);
        for (key, rows) in [("a", 50u64), ("b", 7), ("c", 30)] {
            let mut got: Vec<u64> = p.iter().filter(|(f, _)| f == key).flat_map(|(_, r)| r.clone()).collect();
            assert!(got.len() as u64 == rows && got.iter().all(|&r| r < rows));
            got.sort();
            got.dedup();
            assert_eq!(got.len() as u64, rows, "{key}: every row once");
        }
        assert_eq!(pages(&v, None, 24, 42, 2), p[..2].to_vec(), "a limit cuts the same list");
    }

    #[test]
    fn a_file_not_counted_ends_the_list_with_a_probe() {
        let v = view(&[("a", 10, true), ("b", 0, false)]);
        let p = pages(&v, None, 24, 1, usize::MAX);
        assert_eq!(p.last().unwrap().1, Vec::<u64>::new());
    }

    #[test]
    fn neighbours_walk_the_pages_in_order_both_ways() {
        let v = view(&[("a", 50, true), ("b", 7, true), ("c", 30, true)]);
        let seq: Vec<(String, u64)> =
            pages(&v, None, 24, 5, usize::MAX).into_iter().flat_map(|(f, rows)| rows.into_iter().map(move |r| (f.clone(), r))).collect();
        for w in seq.windows(2) {
            assert_eq!(neighbour(&v, None, 24, 5, &w[0].0, w[0].1, true).as_ref(), Some(&w[1]), "after {:?}", w[0]);
            assert_eq!(neighbour(&v, None, 24, 5, &w[1].0, w[1].1, false).as_ref(), Some(&w[0]), "before {:?}", w[1]);
        }
        let (first, last) = (&seq[0], &seq[seq.len() - 1]);
        assert_eq!(neighbour(&v, None, 24, 5, &first.0, first.1, false), None);
        assert_eq!(neighbour(&v, None, 24, 5, &last.0, last.1, true), None);
    }
}
