//! ScaleEdit Gallery: browse instruction-based image-editing datasets straight from
//! Parquet files over HTTP range requests.
//!
//! Arrows point inward: ui → protocol ← worker → engine; cli → engine.
pub mod engine;
pub mod protocol;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
#[cfg(target_arch = "wasm32")]
pub mod ui;
#[cfg(target_arch = "wasm32")]
pub mod worker;
