//! The engine: target-agnostic core (range I/O, shard reading, datasets, imaging, review).
//! It knows nothing of Leptos or the DOM; web APIs appear only behind the fetch backend.
pub mod dataset;
pub mod error;
pub mod imaging;
pub mod index;
#[cfg(not(target_arch = "wasm32"))]
pub mod native;
pub mod range;
pub mod review;
pub mod search;
pub mod session;
pub mod shard;
pub mod time;
