//! Reviewing a dataset: samples flagged as bad (kept per dataset, bounded), their export as
//! JSONL and CSV, the names of downloaded files, and the keyboard shortcuts of the sample
//! view. Plain data and functions: the UI stores, downloads and listens; nothing here
//! touches a browser.

pub mod export;
pub mod flags;
pub mod keys;
