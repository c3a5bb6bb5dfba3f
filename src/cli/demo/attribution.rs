//! The demo's written notes: where its pictures come from (ATTRIBUTION.md and the manifest's
//! attribution text, both taken from the photos folder's LICENSES.md) and which Parquet layout
//! each shard uses (LAYOUTS.md).

use std::fs;
use std::path::Path;

use super::shards::Layout;
use crate::cli::CliResult;

const EDITS_NOTE: &str = "The edited images, and the posters and signs of the text-editing families, are \
procedural edits of these photographs made by `gallery demo`.";

/// One row of the licence table: file(s), what they show, licence.
struct Credit {
    files: String,
    what: String,
    licence: String,
}

/// The rows of the Markdown table in `photos/LICENSES.md`.
fn credits(photos: &Path) -> CliResult<Vec<Credit>> {
    let path = photos.join("LICENSES.md");
    let text = fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    let rows = text
        .lines()
        .filter(|l| l.starts_with('|'))
        .map(|l| l.trim_matches('|').split('|').map(|c| c.trim().to_string()).collect::<Vec<_>>())
        .filter(|cells| cells.len() == 3 && cells[0] != "file" && !cells[0].starts_with("---"))
        .map(|c| Credit { files: c[0].clone(), what: c[1].clone(), licence: c[2].clone() })
        .collect::<Vec<_>>();
    if rows.is_empty() {
        return Err(format!("{}: no licence table found", path.display()).into());
    }
    Ok(rows)
}

/// ATTRIBUTION.md: the licence table of the source photographs and a note on the edits.
pub fn attribution_md(photos: &Path) -> CliResult<String> {
    let mut s = String::from(
        "# Attribution\n\n\
         The pictures in this demo dataset come from real photographs free of copyright \
         restrictions, from the data folder of the scikit-image package (version 0.26.0):\n\n\
         | file | what | licence, as scikit-image states it |\n| --- | --- | --- |\n",
    );
    for c in credits(photos)? {
        s.push_str(&format!("| {} | {} | {} |\n", c.files, c.what, c.licence));
    }
    s.push_str(&format!("\n{EDITS_NOTE}\n\nThe Parquet layout of each shard is listed in LAYOUTS.md.\n"));
    Ok(s)
}

/// The attribution text of the manifest: one sentence per photograph plus the edits note.
pub fn attribution_line(photos: &Path) -> CliResult<String> {
    let parts: Vec<String> =
        credits(photos)?.iter().map(|c| format!("{} ({}): {}", c.what, c.files, c.licence)).collect();
    Ok(format!("Photographs from scikit-image 0.26.0's data folder: {}. {EDITS_NOTE}", parts.join("; ")))
}

/// LAYOUTS.md: what each layout is and which shard uses which.
pub fn layouts_md(shards: &[(String, u64, u64, Layout)]) -> String {
    let mut s = String::from(
        "# Shard layouts\n\n\
         Every shard has the same 12 columns as ScaleEdit-12M; they differ only in how the \
         Parquet file is laid out, so that the gallery's reader meets each case it must handle.\n\n",
    );
    for layout in [Layout::PyarrowDefault, Layout::GalleryFriendly, Layout::ZstdSmallGroups] {
        s.push_str(&format!("- **{}**: {}.\n", layout.name(), layout.describe()));
    }
    s.push_str("\n| shard | rows | bytes | layout |\n| --- | ---: | ---: | --- |\n");
    for (path, rows, bytes, layout) in shards {
        s.push_str(&format!("| {path} | {rows} | {bytes} | {} |\n", layout.name()));
    }
    s
}
