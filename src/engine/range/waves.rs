//! Request waves: reads that depend on each other's answers go out one wave after the
//! other, and each wave costs a round trip however many reads it holds. A wave begins
//! whenever a read starts while none is in flight.

use std::cell::Cell;
use std::ops::Range;
use std::rc::Rc;

use futures::future::LocalBoxFuture;
use futures::FutureExt;

use super::{Counters, RangeReply, RangeSource, RangeStream};
use crate::engine::error::EngineResult;

/// Counts the waves of the reads made through the sources it wraps (clones count into the
/// same total).
#[derive(Debug, Clone, Default)]
pub struct Waves(Rc<WaveState>);

#[derive(Debug, Default)]
struct WaveState {
    in_flight: Cell<usize>,
    waves: Cell<u64>,
}

/// One read in flight; ends when dropped.
struct InFlight(Rc<WaveState>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.set(self.0.in_flight.get() - 1);
    }
}

impl Waves {
    /// Waves counted so far.
    pub fn count(&self) -> u64 {
        self.0.waves.get()
    }

    /// `source`, its reads counted into these waves.
    pub fn wrap(&self, source: Rc<dyn RangeSource>) -> Rc<dyn RangeSource> {
        Rc::new(Counted { inner: source, waves: self.clone() })
    }

    fn start(&self) -> InFlight {
        let s = &self.0;
        if s.in_flight.get() == 0 {
            s.waves.set(s.waves.get() + 1);
        }
        s.in_flight.set(s.in_flight.get() + 1);
        InFlight(Rc::clone(s))
    }
}

struct Counted {
    inner: Rc<dyn RangeSource>,
    waves: Waves,
}

impl RangeSource for Counted {
    fn name(&self) -> &str {
        self.inner.name()
    }

    fn known_size(&self) -> Option<u64> {
        self.inner.known_size()
    }

    fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
        let flight = self.waves.start();
        async move {
            let reply = self.inner.read(range).await;
            drop(flight);
            reply
        }
        .boxed_local()
    }

    fn read_stream(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeStream<'_>>> {
        let flight = self.waves.start();
        async move {
            // In flight until the body is read or dropped.
            Ok(self.inner.read_stream(range).await?.holding(flight))
        }
        .boxed_local()
    }

    fn counters(&self) -> &Counters {
        self.inner.counters()
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;
    use bytes::Bytes;
    use futures::StreamExt;

    /// Zeros, answered at once.
    struct Zeros(Counters);

    impl RangeSource for Zeros {
        fn name(&self) -> &str {
            "zeros"
        }
        fn known_size(&self) -> Option<u64> {
            Some(100)
        }
        fn read(&self, range: Range<u64>) -> LocalBoxFuture<'_, EngineResult<RangeReply>> {
            let bytes = Bytes::from(vec![0u8; (range.end - range.start) as usize]);
            async move { Ok(RangeReply { bytes, total_size: Some(100), etag: None }) }.boxed_local()
        }
        fn counters(&self) -> &Counters {
            &self.0
        }
    }

    #[tokio::test(flavor = "current_thread")]
    async fn reads_together_are_one_wave_and_reads_after_them_another() {
        {
            let waves = Waves::default();
            let src = waves.wrap(Rc::new(Zeros(Counters::default())));
            let (a, b) = futures::join!(src.read(0..10), src.read(50..60));
            assert_eq!((a.unwrap().bytes.len(), b.unwrap().bytes.len()), (10, 10));
            assert_eq!(waves.count(), 1);
            src.read(10..20).await.unwrap();
            assert_eq!(waves.count(), 2);
            // A stream is in flight until its body is read: a read beside it joins its wave.
            let stream = src.read_stream(0..30).await.unwrap();
            src.read(40..50).await.unwrap();
            assert_eq!(waves.count(), 3);
            let body: Vec<Bytes> = stream.body.map(Result::unwrap).collect().await;
            assert_eq!(body.concat().len(), 30);
            src.read(0..1).await.unwrap();
            assert_eq!(waves.count(), 4);
        }
    }
}
