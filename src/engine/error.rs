//! The engine's one error type: every variant names the file and carries what a user needs
//! to understand the fault (which byte range, which column, what came instead).
//! Nothing here panics; the UI turns these into messages.

use std::ops::Range;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum EngineError {
    #[error("{file}: HTTP {status} {reason} (bytes {start}-{end})", start = range.start, end = range.end.saturating_sub(1))]
    Http { file: String, status: u16, reason: String, range: Range<u64> },

    #[error("{file}: the server ignores Range requests (it answered 200 with the whole file); refusing to download it — host the file on a server that supports byte ranges")]
    RangeIgnored { file: String },

    #[error("{file}: asked for bytes {start}-{end} but the server sent {got}", start = asked.start, end = asked.end.saturating_sub(1))]
    BadContentRange { file: String, asked: Range<u64>, got: String },

    #[error("{file}: network error: {message}")]
    Network { file: String, message: String },

    #[error("{file}: not a Parquet file ({detail})")]
    NotParquet { file: String, detail: String },

    #[error("{file}: corrupt Parquet file: {detail}")]
    Corrupt { file: String, detail: String },

    #[error("{file}: missing column(s) {missing}; the file has: {found}{hint}", missing = missing.join(", "), found = found.join(", "))]
    MissingColumns { file: String, missing: Vec<String>, found: Vec<String>, hint: String },

    #[error("{file}: column `{column}` has type {found}, expected {expected}")]
    ColumnType { file: String, column: String, expected: String, found: String },

    #[error("{file}: row {row} is out of range (the file has {rows} rows)")]
    RowOutOfRange { file: String, row: u64, rows: u64 },

    #[error("{file}: {what} of {size} bytes exceeds the limit of {limit} bytes")]
    TooLarge { file: String, what: String, size: u64, limit: u64 },

    #[error("{file}: row {row}: the {which} image {detail}")]
    Image { file: String, row: u64, which: String, detail: String },

    #[error("{file}: bad manifest: {detail}")]
    Manifest { file: String, detail: String },

    #[error("{src}: unsupported source ({detail})")]
    Source { src: String, detail: String },

    /// The Hugging Face Hub refused or failed a request about dataset `repo`; `detail`
    /// says what to do.
    #[error("{repo}: {detail}")]
    Hub { repo: String, status: u16, detail: String },

    /// A local file is needed but was not given to this page (a link names it only).
    #[error("{file}: this link names a file on the computer it was made on; pick the file again to open it here")]
    LocalMissing { file: String },

    #[error("{file}: the file changed on the server while it was being read ({detail})")]
    Changed { file: String, detail: String },

    #[error("request cancelled")]
    Cancelled,
}

impl EngineError {
    /// The file (URL or path) the error is about, when there is one.
    pub fn file(&self) -> Option<&str> {
        use EngineError::*;
        match self {
            Http { file, .. } | RangeIgnored { file } | BadContentRange { file, .. }
            | Network { file, .. } | NotParquet { file, .. } | Corrupt { file, .. }
            | MissingColumns { file, .. } | ColumnType { file, .. } | RowOutOfRange { file, .. }
            | TooLarge { file, .. } | Image { file, .. } | Manifest { file, .. } | Changed { file, .. } => Some(file),
            Source { src, .. } => Some(src),
            Hub { repo, .. } => Some(repo),
            LocalMissing { file } => Some(file),
            Cancelled => None,
        }
    }
}

pub type EngineResult<T> = Result<T, EngineError>;
