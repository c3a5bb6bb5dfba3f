//! The worker binary: the engine in a web worker (built by trunk as `worker.js`).
#[cfg(target_arch = "wasm32")]
fn main() {
    gallery::worker::start();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
