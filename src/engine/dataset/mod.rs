//! Datasets: the catalog of task families, manifests, sources and sample addresses.
pub mod catalog;
pub mod manifest;
