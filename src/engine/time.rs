//! Timers for the engine on both targets: a sleep (tokio natively, `setTimeout` in a
//! browser window or worker) and a deadline on any future. Only waiting lives here;
//! nothing in it reads the clock for anything else.

use std::future::Future;
use std::time::Duration;

use futures::future::{select, Either};
use futures::FutureExt;

/// Wait for `d`.
#[cfg(not(target_arch = "wasm32"))]
pub async fn sleep(d: Duration) {
    tokio::time::sleep(d).await;
}

/// Wait for `d`.
#[cfg(target_arch = "wasm32")]
pub async fn sleep(d: Duration) {
    use wasm_bindgen::JsCast;
    let ms = d.as_millis().min(i32::MAX as u128) as i32;
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        let global = js_sys::global();
        if let Some(w) = global.dyn_ref::<web_sys::WorkerGlobalScope>() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        } else if let Some(w) = global.dyn_ref::<web_sys::Window>() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// `f`'s output, or `None` when `d` passes first (`f` is dropped then).
pub async fn deadline<F: Future>(d: Duration, f: F) -> Option<F::Output> {
    let f = std::pin::pin!(f);
    let timer = std::pin::pin!(sleep(d).fuse());
    match select(f, timer).await {
        Either::Left((out, _)) => Some(out),
        Either::Right(_) => None,
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    #[tokio::test(flavor = "current_thread")]
    async fn a_deadline_cuts_a_slow_future_and_lets_a_quick_one_through() {
        assert_eq!(deadline(Duration::from_millis(200), async { 7 }).await, Some(7));
        let slow = sleep(Duration::from_secs(5));
        let started = std::time::Instant::now();
        assert_eq!(deadline(Duration::from_millis(20), slow).await, None);
        assert!(started.elapsed() < Duration::from_secs(2));
    }
}
