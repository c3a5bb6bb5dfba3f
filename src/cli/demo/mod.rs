//! `gallery demo`: writes the bundled ScaleEdit-shaped demo dataset.
use std::path::Path;

use super::CliResult;

/// Write the demo dataset (shards + manifest.json + ATTRIBUTION.md) under `out`,
/// built from the photographs in `photos`. Deterministic: same inputs, same bytes.
pub fn write_demo(photos: &Path, out: &Path) -> CliResult<()> {
    let _ = (photos, out);
    Err("demo generation not written yet".into())
}
