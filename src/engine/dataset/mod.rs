//! Datasets: the catalog of task families, manifests, sources (URLs, the Hugging Face Hub,
//! local files), what an opened dataset holds, and the shareable view state.
pub mod catalog;
pub mod hub;
pub mod link;
pub mod manifest;
pub mod open;
pub mod shuffle;
pub mod source;
