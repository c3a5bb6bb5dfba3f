//! A bound on the requests a session has in flight at once. However many views ask for
//! bytes together (a grid page, the open sample, its neighbours), at most
//! [`MAX_IN_FLIGHT`] ranged requests run at a time; the others wait their turn, in order.
//! A request holds its place from the moment it is sent until its body has been taken in
//! whole or dropped, so the bound covers the bytes in flight too.

use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use async_lock::{Semaphore, SemaphoreGuardArc};
use futures::future::LocalBoxFuture;
use futures::{FutureExt, StreamExt};

use super::{Counters, RangeReply, RangeSource, RangeStream};
use crate::engine::error::EngineResult;

/// Most requests of a session in flight at once. A browser runs 6 per origin over
/// HTTP/1.1 and many more over HTTP/2 (the Hub's CDN); 24 lets one grid page's images go
/// out in a single wave when they are not coalesced, and bounds what a flood of views can
/// hold open.
pub const MAX_IN_FLIGHT: usize = 24;

/// The places shared by every source of a session. Cloning is cheap.
#[derive(Clone)]
pub struct Gate {
    places: Arc<Semaphore>,
    counters: Counters,
}

impl Gate {
    /// A gate of `places`; a request that finds every place taken is counted as waiting.
    pub fn new(places: usize, counters: Counters) -> Self {
        Self { places: Arc::new(Semaphore::new(places.max(1))), counters }
    }

    async fn enter(&self) -> SemaphoreGuardArc {
        if let Some(place) = self.places.try_acquire_arc() {
            return place;
        }
        self.counters.waited();
        self.places.acquire_arc().await
    }

    /// `inner`, its requests taking places at this gate.
    pub fn guard(&self, inner: Rc<dyn RangeSource>) -> Rc<dyn RangeSource> {
        Rc::new(Gated { inner, gate: self.clone() })
    }
}

struct Gated {
    inner: Rc<dyn RangeSource>,
    gate: Gate,
}

impl RangeSource for Gated {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn known_size(&self) -> Option<u64> {
        self.inner.known_size()
    }

    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        async move {
            let _place = self.gate.enter().await;
            self.inner.read(range).await
        }
        .boxed_local()
    }

    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        async move {
            let place = self.gate.enter().await;
            let stream = self.inner.read_stream(range).await?;
            // The place goes with the body: given back when it ends or is dropped.
            let body = stream.body.map(move |piece| {
                let _held = &place;
                piece
            });
            Ok(RangeStream { total_size: stream.total_size, etag: stream.etag, body: body.boxed_local() })
        }
        .boxed_local()
    }

    fn counters(&self) -> &Counters {
        self.inner.counters()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use std::cell::Cell;

    use bytes::Bytes;
    use futures::stream;

    use super::*;

    /// A source that records how many of its reads run at once, each taking a few polls.
    struct Busy {
        now: Cell<usize>,
        most: Cell<usize>,
        counters: Counters,
    }

    impl RangeSource for Busy {
        fn name(&self) -> &str {
            "busy"
        }
        fn known_size(&self) -> Option<u64> {
            Some(1 << 20)
        }
        fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
            async move { self.read_stream(range).await?.collect().await }.boxed_local()
        }
        fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
            async move {
                self.now.set(self.now.get() + 1);
                self.most.set(self.most.get().max(self.now.get()));
                let len = (range.end - range.start) as usize;
                let pieces = (0..4).map(move |_| Ok(Bytes::from(vec![0u8; len / 4])));
                let body = stream::iter(pieces)
                    .then(|p| async move {
                        yield_now().await;
                        p
                    })
                    .chain(stream::poll_fn(move |_| {
                        self.now.set(self.now.get() - 1);
                        std::task::Poll::Ready(None)
                    }));
                Ok(RangeStream { total_size: Some(1 << 20), etag: None, body: body.boxed_local() })
            }
            .boxed_local()
        }
        fn counters(&self) -> &Counters {
            &self.counters
        }
    }

    /// Pending once (waking itself), so other reads get polled in between.
    async fn yield_now() {
        let mut yielded = false;
        futures::future::poll_fn(|cx| {
            if yielded {
                return std::task::Poll::Ready(());
            }
            yielded = true;
            cx.waker().wake_by_ref();
            std::task::Poll::Pending
        })
        .await
    }

    #[tokio::test(flavor = "current_thread")]
    async fn no_more_than_its_places_run_at_once_and_waits_are_counted() {
        let counters = Counters::default();
        let busy = Rc::new(Busy { now: Cell::new(0), most: Cell::new(0), counters: counters.clone() });
        let gate = Gate::new(3, counters.clone());
        let src = gate.guard(busy.clone());
        let reads = (0..10u64).map(|i| src.read(i * 100..i * 100 + 100));
        let replies = futures::future::try_join_all(reads).await.unwrap();
        assert!(replies.iter().all(|r| r.bytes.len() == 100));
        assert_eq!(busy.most.get(), 3);
        assert_eq!(counters.snapshot().waited, 7);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_dropped_stream_gives_its_place_back() {
        let counters = Counters::default();
        let busy = Rc::new(Busy { now: Cell::new(0), most: Cell::new(0), counters: counters.clone() });
        let gate = Gate::new(1, counters.clone());
        let src = gate.guard(busy);
        let first = src.read_stream(0..100).await.unwrap();
        drop(first);
        let second = src.read_stream(0..100).await.unwrap().collect().await.unwrap();
        assert_eq!(second.bytes.len(), 100);
        assert_eq!(counters.snapshot().waited, 0);
    }
}
