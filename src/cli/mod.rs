//! The native command line: the same engine from a terminal (demo generation, serving,
//! inspecting shards, a stand-in of the Hugging Face Hub for tests). Never compiled for
//! the browser.
pub mod demo;
pub mod faults;
pub mod hub_standin;
pub mod index;
pub mod inspect;
pub mod relayout;
pub mod serve;

/// Errors of command-line tools: a message for the terminal.
pub type CliResult<T> = Result<T, Box<dyn std::error::Error + Send + Sync>>;
