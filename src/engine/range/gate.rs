//! A bound on the requests a session has in flight at once. However many views ask for
//! bytes together (a grid page, the open sample, its neighbours), at most
//! [`MAX_IN_FLIGHT`] ranged requests run at a time; the others wait their turn, in order.
//! A request holds its place from the moment it is sent until its body has been taken in
//! whole or dropped, so the bound covers the bytes in flight too.

use std::cell::RefCell;
use std::collections::HashMap;
use std::ops::Range;
use std::rc::Rc;
use std::sync::Arc;

use async_lock::{Semaphore, SemaphoreGuardArc};
use futures::future::{LocalBoxFuture, WeakShared};
use futures::FutureExt;

use super::{Counters, RangeReply, RangeSource, RangeStream};
use crate::engine::error::EngineResult;

/// Most requests of a session in flight at once. A browser runs 6 per origin over
/// HTTP/1.1 and many more over HTTP/2 (the Hub's CDN); 64 lets one grid page's 48 images
/// go out in a single wave when each is a page of its own (streamed pages are never
/// coalesced), and bounds what a flood of views can hold open.
pub const MAX_IN_FLIGHT: usize = 64;

/// A read in flight, shared by everyone who asks for the same bytes meanwhile. The gate
/// keeps it weakly: when every asker has gone, the read is dropped (its request aborted).
type WeakFlight = WeakShared<LocalBoxFuture<'static, EngineResult<RangeReply>>>;

/// The places shared by every source of a session, and the reads in flight (by file and
/// range): a read asked for again before it has come back is not sent twice — two views
/// opening the same file at once read its footer once. Cloning is cheap.
#[derive(Clone)]
pub struct Gate {
    places: Arc<Semaphore>,
    counters: Counters,
    flights: Rc<RefCell<HashMap<(String, u64, u64), WeakFlight>>>,
}

impl Gate {
    /// A gate of `places`; a request that finds every place taken is counted as waiting.
    pub fn new(places: usize, counters: Counters) -> Self {
        Self { places: Arc::new(Semaphore::new(places.max(1))), counters, flights: Rc::default() }
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
        let key = (self.inner.name().to_string(), range.start, range.end);
        let existing = self.gate.flights.borrow().get(&key).and_then(WeakShared::upgrade);
        let flight = existing.unwrap_or_else(|| {
            let (inner, gate, flights, k) = (Rc::clone(&self.inner), self.gate.clone(), Rc::clone(&self.gate.flights), key.clone());
            let flight = async move {
                let result = {
                    let _place = gate.enter().await;
                    inner.read(range).await
                };
                flights.borrow_mut().remove(&k);
                result
            }
            .boxed_local()
            .shared();
            let mut flights = self.gate.flights.borrow_mut();
            // Reads whose askers all went away without an answer leave their key behind.
            flights.retain(|_, f| f.upgrade().is_some());
            if let Some(weak) = flight.downgrade() {
                flights.insert(key, weak);
            }
            flight
        });
        flight.boxed_local()
    }

    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        async move {
            let place = self.gate.enter().await;
            // The place goes with the body: given back when it ends or is dropped.
            Ok(self.inner.read_stream(range).await?.holding(place))
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
    use futures::{stream, StreamExt};

    use super::*;

    /// A source that records how many of its reads run at once, each taking a few polls.
    struct Busy {
        now: Cell<usize>,
        most: Cell<usize>,
        reads: Cell<usize>,
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
            async move {
                let asked = range.end.saturating_sub(range.start);
                self.read_stream(range).await?.collect(asked).await
            }
            .boxed_local()
        }
        fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
            async move {
                self.reads.set(self.reads.get() + 1);
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
        let busy = Rc::new(Busy { now: Cell::new(0), most: Cell::new(0), reads: Cell::new(0), counters: counters.clone() });
        let gate = Gate::new(3, counters.clone());
        let src = gate.guard(busy.clone());
        let reads = (0..10u64).map(|i| src.read(i * 100..i * 100 + 100));
        let replies = futures::future::try_join_all(reads).await.unwrap();
        assert!(replies.iter().all(|r| r.bytes.len() == 100));
        assert_eq!(busy.most.get(), 3);
        assert_eq!(counters.snapshot().waited, 7);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn the_same_read_asked_twice_at_once_is_sent_once() {
        let counters = Counters::default();
        let busy = Rc::new(Busy { now: Cell::new(0), most: Cell::new(0), reads: Cell::new(0), counters: counters.clone() });
        let gate = Gate::new(4, counters.clone());
        let (a, b) = (gate.guard(busy.clone()), gate.guard(busy.clone()));
        let (x, y, z) = futures::join!(a.read(0..100), b.read(0..100), a.read(100..200));
        assert_eq!((x.unwrap().bytes.len(), y.unwrap().bytes.len(), z.unwrap().bytes.len()), (100, 100, 100));
        assert_eq!(busy.reads.get(), 2, "the second 0..100 shared the first");
        // Once back, the same bytes asked again are a new read.
        a.read(0..100).await.unwrap();
        assert_eq!(busy.reads.get(), 3);
        assert!(gate.flights.borrow().is_empty());
        // A read whose askers all went away is dropped, and asked anew later.
        drop(a.read(200..300));
        assert!(gate.flights.borrow().values().all(|f| f.upgrade().is_none()));
        a.read(200..300).await.unwrap();
        assert_eq!(busy.reads.get(), 4);
    }

    #[tokio::test(flavor = "current_thread")]
    async fn a_dropped_stream_gives_its_place_back() {
        let counters = Counters::default();
        let busy = Rc::new(Busy { now: Cell::new(0), most: Cell::new(0), reads: Cell::new(0), counters: counters.clone() });
        let gate = Gate::new(1, counters.clone());
        let src = gate.guard(busy);
        let first = src.read_stream(0..100).await.unwrap();
        drop(first);
        let second = src.read_stream(0..100).await.unwrap().collect(100).await.unwrap();
        assert_eq!(second.bytes.len(), 100);
        assert_eq!(counters.snapshot().waited, 0);
    }
}
