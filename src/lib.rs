//! ScaleEdit Gallery: browse instruction-based image-editing datasets straight from
//! Parquet files over HTTP range requests.
pub mod engine;
pub mod protocol;

#[cfg(not(target_arch = "wasm32"))]
pub mod cli;
