//! The static instruction index of a whole dataset: built by `gallery index`, read by
//! range requests like the shards themselves.
pub mod format;
pub mod query;
