//! Datasets: the catalog of task families, manifests, sources, what an opened dataset
//! holds, and the shareable view state.
pub mod catalog;
pub mod link;
pub mod manifest;
pub mod open;
pub mod source;
