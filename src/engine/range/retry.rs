//! Retrying transient failures of any range source: server errors (5xx) and network
//! errors are tried again after an exponentially growing pause, a bounded number of
//! times; a stream cut in the middle resumes from the byte it reached. Client errors
//! (4xx), refused ranges and answers of another file version are never retried.

use std::ops::Range;
use std::rc::Rc;
use std::time::Duration;

use bytes::Bytes;
use futures::future::LocalBoxFuture;
use futures::stream::LocalBoxStream;
use futures::{FutureExt, StreamExt};

use super::{Counters, RangeReply, RangeSource, RangeStream};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::time::sleep;

/// How often and how patiently to retry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Tries after the first one.
    pub retries: u32,
    /// Pause before the first retry; each next pause doubles.
    pub first_delay: Duration,
}

impl Default for RetryPolicy {
    /// 3 retries after 0.3, 0.6 and 1.2 s: a CDN's passing 502/503 or a dropped
    /// connection usually clears within a second or two, and a view waits at most ~2 s
    /// longer before showing the error.
    fn default() -> Self {
        Self { retries: 3, first_delay: Duration::from_millis(300) }
    }
}

impl RetryPolicy {
    fn delay(&self, attempt: u32) -> Duration {
        self.first_delay.saturating_mul(1 << attempt.min(16))
    }
}

/// Whether trying the same request again may succeed.
pub fn is_transient(e: &EngineError) -> bool {
    match e {
        EngineError::Http { status, .. } => *status >= 500,
        EngineError::Network { .. } => true,
        _ => false,
    }
}

/// A range source that retries the transient failures of another.
pub struct Retrying {
    inner: Rc<dyn RangeSource>,
    policy: RetryPolicy,
}

impl Retrying {
    pub fn new(inner: Rc<dyn RangeSource>, policy: RetryPolicy) -> Self {
        Self { inner, policy }
    }

    async fn open(&self, range: Range<u64>, tries: &mut u32) -> EngineResult<RangeStream<'_>> {
        loop {
            match self.inner.read_stream(range.clone()).await {
                Err(e) if is_transient(&e) && *tries < self.policy.retries => {
                    sleep(self.policy.delay(*tries)).await;
                    *tries += 1;
                }
                other => return other,
            }
        }
    }
}

/// Where a resumable stream stands.
struct Resume<'a> {
    owner: &'a Retrying,
    body: LocalBoxStream<'a, EngineResult<Bytes>>,
    pos: u64,
    end: u64,
    tries: u32,
    etag: Option<String>,
}

impl<'a> Resume<'a> {
    async fn next(&mut self) -> Option<EngineResult<Bytes>> {
        loop {
            match self.body.next().await {
                Some(Ok(b)) => {
                    self.pos += b.len() as u64;
                    return Some(Ok(b));
                }
                Some(Err(e)) if is_transient(&e) && self.tries < self.owner.policy.retries && self.pos < self.end => {
                    // Let go of the broken answer (and its place at the gate) before asking again.
                    self.body = futures::stream::empty().boxed_local();
                    sleep(self.owner.policy.delay(self.tries)).await;
                    self.tries += 1;
                    let rest = match self.owner.open(self.pos..self.end, &mut self.tries).await {
                        Ok(rest) => rest,
                        Err(e) => return Some(Err(e)),
                    };
                    if let (Some(was), Some(now)) = (self.etag.as_deref(), rest.etag.as_deref()) {
                        if was != now {
                            let detail = format!("its ETag went from {was} to {now} during a read");
                            return Some(Err(EngineError::Changed { file: self.owner.name().into(), detail }));
                        }
                    }
                    self.body = rest.body;
                }
                other => return other,
            }
        }
    }
}

impl RangeSource for Retrying {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn known_size(&self) -> Option<u64> {
        self.inner.known_size()
    }

    /// Read as a stream that resumes where a cut left it, so bytes already received are
    /// not asked for again.
    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        async move {
            let asked = range.end.saturating_sub(range.start);
            self.read_stream(range).await?.collect(asked).await
        }.boxed_local()
    }

    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        async move {
            let mut tries = 0;
            let first = self.open(range.clone(), &mut tries).await?;
            let state = Resume { owner: self, body: first.body, pos: range.start, end: range.end, tries, etag: first.etag.clone() };
            let body = futures::stream::unfold(Some(state), |state| async move {
                let mut state = state?;
                match state.next().await? {
                    Ok(b) => Some((Ok(b), Some(state))),
                    Err(e) => Some((Err(e), None)),
                }
            })
            .boxed_local();
            Ok(RangeStream { total_size: first.total_size, etag: first.etag, body })
        }
        .boxed_local()
    }

    fn counters(&self) -> &Counters {
        self.inner.counters()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::cell::{Cell, RefCell};

    use super::*;

    /// A source of `data` that fails the reads listed in `faults` (by read number), and
    /// cuts streams after `cut` bytes when set.
    struct Flaky {
        data: Bytes,
        faults: RefCell<Vec<(u32, EngineError)>>,
        reads: Cell<u32>,
        cut: Option<usize>,
        counters: Counters,
    }

    impl Flaky {
        fn new(faults: Vec<(u32, EngineError)>, cut: Option<usize>) -> Rc<Self> {
            Rc::new(Self {
                data: Bytes::from((0..=255u8).cycle().take(10_000).collect::<Vec<u8>>()),
                faults: RefCell::new(faults),
                reads: Cell::new(0),
                cut,
                counters: Counters::default(),
            })
        }

        fn fault(&self) -> Option<EngineError> {
            let n = self.reads.get();
            self.reads.set(n + 1);
            let mut faults = self.faults.borrow_mut();
            let i = faults.iter().position(|(k, _)| *k == n)?;
            Some(faults.remove(i).1)
        }
    }

    impl RangeSource for Flaky {
        fn name(&self) -> &str {
            "flaky.parquet"
        }
        fn known_size(&self) -> Option<u64> {
            Some(self.data.len() as u64)
        }
        fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
            let out = match self.fault() {
                Some(e) => Err(e),
                None => Ok(RangeReply { bytes: self.data.slice(range.start as usize..range.end as usize), total_size: None, etag: None }),
            };
            async move { out }.boxed_local()
        }
        fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
            let fault = self.fault();
            let bytes = self.data.slice(range.start as usize..range.end as usize);
            let cut = self.cut.filter(|&c| c < bytes.len());
            async move {
                if let Some(e) = fault {
                    return Err(e);
                }
                let pieces: Vec<EngineResult<Bytes>> = match cut {
                    Some(c) => vec![Ok(bytes.slice(..c)), Err(EngineError::Network { file: "flaky".into(), message: "reset".into() })],
                    None => vec![Ok(bytes)],
                };
                Ok(RangeStream { total_size: None, etag: None, body: futures::stream::iter(pieces).boxed_local() })
            }
            .boxed_local()
        }
        fn counters(&self) -> &Counters {
            &self.counters
        }
    }

    fn http(status: u16) -> EngineError {
        EngineError::Http { file: "flaky".into(), status, reason: String::new(), range: 0..1 }
    }

    fn quick() -> RetryPolicy {
        RetryPolicy { retries: 3, first_delay: Duration::from_millis(1) }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn server_and_network_errors_are_retried_up_to_the_limit() {
        let flaky = Flaky::new(vec![(0, http(503)), (1, EngineError::Network { file: "f".into(), message: "reset".into() }), (2, http(502))], None);
        let src = Retrying::new(flaky.clone(), quick());
        let reply = src.read(10..20).await.unwrap();
        assert_eq!(&reply.bytes[..], &flaky.data[10..20]);
        assert_eq!(flaky.reads.get(), 4);

        let flaky = Flaky::new((0..4).map(|k| (k, http(500))).collect(), None);
        let err = Retrying::new(flaky.clone(), quick()).read(0..1).await.unwrap_err();
        assert!(matches!(err, EngineError::Http { status: 500, .. }));
        assert_eq!(flaky.reads.get(), 4, "one try and 3 retries");
    }

    #[tokio::test(flavor = "current_thread")]
    async fn client_errors_are_not_retried() {
        for e in [http(404), http(416), EngineError::RangeIgnored { file: "f".into() }, EngineError::Changed { file: "f".into(), detail: String::new() }] {
            let flaky = Flaky::new(vec![(0, e.clone())], None);
            assert_eq!(Retrying::new(flaky.clone(), quick()).read(0..1).await.unwrap_err(), e);
            assert_eq!(flaky.reads.get(), 1);
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_stream_cut_midway_resumes_where_it_stopped() {
        // Every stream is cut after 2000 bytes: 100..5100 takes three requests.
        let flaky = Flaky::new(vec![], Some(2000));
        let src = Retrying::new(flaky.clone(), quick());
        let got = src.read_stream(100..5100).await.unwrap().collect(5000).await.unwrap();
        assert_eq!(&got.bytes[..], &flaky.data[100..5100]);
        assert_eq!(flaky.reads.get(), 3);

        // A failed opening and cuts share one budget: it runs out and the cut surfaces.
        let flaky = Flaky::new(vec![(0, http(503))], Some(1000));
        let src = Retrying::new(flaky.clone(), quick());
        let err = src.read_stream(100..5100).await.unwrap().collect(5000).await.unwrap_err();
        assert!(matches!(err, EngineError::Network { .. }), "{err}");
        assert_eq!(flaky.reads.get(), 4);
    }

    #[test]
    fn pauses_double() {
        let p = RetryPolicy::default();
        assert_eq!([p.delay(0), p.delay(1), p.delay(2)].map(|d| d.as_millis()), [300, 600, 1200]);
    }
}
