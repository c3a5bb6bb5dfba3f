//! Accounting of what a source transferred: requests sent and body bytes received, and
//! how many requests had to wait for a place (see `gate`).

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

/// A snapshot of transfer counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    pub requests: u64,
    pub bytes: u64,
    /// Requests that waited because the session's bound on requests in flight was reached.
    #[serde(default)]
    pub waited: u64,
}

impl std::ops::Add for Stats {
    type Output = Stats;
    fn add(self, o: Stats) -> Stats {
        Stats { requests: self.requests + o.requests, bytes: self.bytes + o.bytes, waited: self.waited + o.waited }
    }
}

/// Shared, cheaply cloned counters; clones count into the same totals.
#[derive(Debug, Clone, Default)]
pub struct Counters(Arc<(AtomicU64, AtomicU64, AtomicU64)>);

impl Counters {
    pub fn request(&self) {
        self.0 .0.fetch_add(1, Ordering::Relaxed);
    }

    pub fn bytes(&self, n: u64) {
        self.0 .1.fetch_add(n, Ordering::Relaxed);
    }

    pub fn waited(&self) {
        self.0 .2.fetch_add(1, Ordering::Relaxed);
    }

    pub fn snapshot(&self) -> Stats {
        Stats {
            requests: self.0 .0.load(Ordering::Relaxed),
            bytes: self.0 .1.load(Ordering::Relaxed),
            waited: self.0 .2.load(Ordering::Relaxed),
        }
    }
}

/// Bytes for people: `0 B`, `812 B`, `14.2 KB`, `3.1 MB`, `1.20 GB` (powers of 1000).
pub fn human_bytes(n: u64) -> String {
    const UNITS: [&str; 5] = ["B", "KB", "MB", "GB", "TB"];
    let mut v = n as f64;
    let mut u = 0;
    while v >= 1000.0 && u < UNITS.len() - 1 {
        v /= 1000.0;
        u += 1;
    }
    match u {
        0 => format!("{n} B"),
        _ if v < 10.0 && u >= 3 => format!("{v:.2} {}", UNITS[u]),
        _ => format!("{v:.1} {}", UNITS[u]),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_people_write_them() {
        assert_eq!(human_bytes(0), "0 B");
        assert_eq!(human_bytes(999), "999 B");
        assert_eq!(human_bytes(14_200), "14.2 KB");
        assert_eq!(human_bytes(3_100_000), "3.1 MB");
        assert_eq!(human_bytes(31_700_000_000), "31.7 GB");
        assert_eq!(human_bytes(1_200_000_000), "1.20 GB");
    }

    #[test]
    fn clones_count_into_the_same_totals() {
        let a = Counters::default();
        let b = a.clone();
        a.request();
        b.bytes(10);
        assert_eq!(a.snapshot(), Stats { requests: 1, bytes: 10, waited: 0 });
    }
}
