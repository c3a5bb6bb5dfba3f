//! Dataset sources as a user gives them in `?src=`: the bundled demo (no `src`), a
//! manifest URL, or one Parquet file URL. Only http(s) URLs and relative paths are
//! accepted; anything else (`javascript:`, `data:`, …) is refused with a message.

use crate::engine::error::{EngineError, EngineResult};

/// Where the bundled demo's manifest lives, relative to the app's base URL.
pub const DEMO_MANIFEST: &str = "demo/manifest.json";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A `manifest.json` listing families and shards.
    Manifest(String),
    /// A single Parquet file.
    Parquet(String),
}

impl Source {
    /// Parse the `src` parameter (`None` or empty: the demo).
    pub fn parse(src: Option<&str>) -> EngineResult<Self> {
        let s = src.map(str::trim).unwrap_or("");
        if s.is_empty() {
            return Ok(Self::Manifest(DEMO_MANIFEST.into()));
        }
        let refuse = |detail: &str| EngineError::Source { src: s.into(), detail: detail.into() };
        if let Some((scheme, _)) = s.split_once(':') {
            let scheme = scheme.to_ascii_lowercase();
            let is_scheme = scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if is_scheme && scheme != "http" && scheme != "https" {
                return Err(refuse("only http(s) URLs and relative paths can be opened"));
            }
        }
        if s.starts_with("//") {
            return Err(refuse("give the URL with its scheme, https://…"));
        }
        let path = s.split(['?', '#']).next().unwrap_or(s).to_ascii_lowercase();
        if path.ends_with(".json") {
            Ok(Self::Manifest(s.into()))
        } else {
            Ok(Self::Parquet(s.into()))
        }
    }

    pub fn url(&self) -> &str {
        match self {
            Self::Manifest(u) | Self::Parquet(u) => u,
        }
    }
}

/// Resolve `path` (as written in a manifest) against the manifest's own URL.
pub fn join(base: &str, path: &str) -> String {
    if path.contains("://") {
        return path.to_string();
    }
    let base = base.split(['?', '#']).next().unwrap_or(base);
    if let Some(rest) = path.strip_prefix('/') {
        // Origin-relative: keep scheme://host of the base.
        if let Some(i) = base.find("://") {
            let origin_end = base[i + 3..].find('/').map_or(base.len(), |j| i + 3 + j);
            return format!("{}/{}", &base[..origin_end], rest);
        }
        return path.to_string();
    }
    match base.rfind('/') {
        Some(i) => format!("{}/{}", &base[..i], path),
        None => path.to_string(),
    }
}

/// The last path segment of a URL or path, for short labels.
pub fn file_name(url: &str) -> &str {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    path.rsplit('/').next().unwrap_or(path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_src_is_the_demo() {
        assert_eq!(Source::parse(None).unwrap(), Source::Manifest(DEMO_MANIFEST.into()));
        assert_eq!(Source::parse(Some("  ")).unwrap(), Source::Manifest(DEMO_MANIFEST.into()));
    }

    #[test]
    fn json_is_a_manifest_and_anything_else_a_parquet_file() {
        assert!(matches!(Source::parse(Some("https://x.org/d/manifest.json?v=1")).unwrap(), Source::Manifest(_)));
        assert!(matches!(Source::parse(Some("http://x.org/a.parquet")).unwrap(), Source::Parquet(_)));
        assert!(matches!(Source::parse(Some("data/a.parquet")).unwrap(), Source::Parquet(_)));
    }

    #[test]
    fn script_and_data_urls_are_refused() {
        for bad in ["javascript:alert(1)", "JavaScript:alert(1)", "data:text/html,<b>", "file:///etc/passwd", "//evil.org/x"] {
            let err = Source::parse(Some(bad)).unwrap_err();
            assert!(err.to_string().contains(bad), "{err}");
        }
    }

    #[test]
    fn manifest_paths_resolve_against_the_manifest() {
        let m = "https://h.org/app/demo/manifest.json";
        assert_eq!(join(m, "1.1_style_transfer/a.parquet"), "https://h.org/app/demo/1.1_style_transfer/a.parquet");
        assert_eq!(join(m, "/x/b.parquet"), "https://h.org/x/b.parquet");
        assert_eq!(join(m, "https://o.org/c.parquet"), "https://o.org/c.parquet");
        assert_eq!(join("demo/manifest.json", "f/a.parquet"), "demo/f/a.parquet");
        assert_eq!(file_name("https://h.org/a/b.parquet?x=1"), "b.parquet");
    }
}
