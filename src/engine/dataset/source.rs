//! Dataset sources as a user gives them in `?src=`: the bundled demo (no `src`), a
//! manifest URL, one Parquet file URL, a Hugging Face dataset path
//! (`hf://datasets/{owner}/{name}[@revision][/path]`), or local files (`local:<name>`).
//! Only http(s) URLs, relative paths and those two forms are accepted; anything else
//! (`javascript:`, `data:`, …) is refused with a message.

use crate::engine::error::{EngineError, EngineResult};

/// Where the bundled demo's manifest lives, relative to the app's base URL.
pub const DEMO_MANIFEST: &str = "demo/manifest.json";

/// The prefix of Hugging Face dataset paths.
pub const HUB_PREFIX: &str = "hf://datasets/";

/// The prefix of local files in links: their bytes never leave the browser, so a link
/// can only name them.
pub const LOCAL_PREFIX: &str = "local:";

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A `manifest.json` listing families and shards.
    Manifest(String),
    /// A single Parquet file.
    Parquet(String),
    /// A dataset repository on the Hugging Face Hub, or a folder or file of it.
    Hub {
        /// `owner/name`.
        repo: String,
        /// Branch, tag or commit; `None`: the default branch (`main`).
        revision: Option<String>,
        /// Folder or `.parquet` file inside the repository; empty: all of it.
        path: String,
    },
    /// Files picked on this computer, named as the link names them (`local:a.parquet,b.parquet`).
    Local(Vec<String>),
}

impl Source {
    /// Parse the `src` parameter (`None` or empty: the demo).
    pub fn parse(src: Option<&str>) -> EngineResult<Self> {
        let s = src.map(str::trim).unwrap_or("");
        if s.is_empty() {
            return Ok(Self::Manifest(DEMO_MANIFEST.into()));
        }
        let refuse = |detail: &str| EngineError::Source { src: s.into(), detail: detail.into() };
        if let Some(rest) = strip_prefix_ci(s, HUB_PREFIX) {
            return parse_hub(rest).map_err(|d| refuse(&d));
        }
        if strip_prefix_ci(s, "hf://").is_some() {
            return Err(refuse("only datasets can be opened: hf://datasets/{owner}/{name}[@revision][/path]"));
        }
        if let Some(rest) = strip_prefix_ci(s, LOCAL_PREFIX) {
            let names: Vec<String> = rest.split(',').map(str::trim).filter(|n| !n.is_empty()).map(String::from).collect();
            if names.is_empty() {
                return Err(refuse("name the local file: local:<file name>"));
            }
            return Ok(Self::Local(names));
        }
        if let Some(hub) = hub_page(s) {
            return hub.map_err(|d| refuse(&d));
        }
        if let Some((scheme, _)) = s.split_once(':') {
            let scheme = scheme.to_ascii_lowercase();
            let is_scheme = scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
            if is_scheme && scheme != "http" && scheme != "https" {
                return Err(refuse("only http(s) URLs, hf://datasets/… paths and relative paths can be opened"));
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

    /// The URL fetched first (manifest or file); `None` for Hub and local sources, which
    /// the worker resolves itself.
    pub fn url(&self) -> Option<&str> {
        match self {
            Self::Manifest(u) | Self::Parquet(u) => Some(u),
            Self::Hub { .. } | Self::Local(_) => None,
        }
    }

    /// The source as `?src=` writes it.
    pub fn to_src(&self) -> String {
        match self {
            Self::Manifest(u) | Self::Parquet(u) => u.clone(),
            Self::Hub { repo, revision, path } => {
                let mut s = format!("{HUB_PREFIX}{repo}");
                if let Some(r) = revision {
                    // A slash in a revision (`refs/convert/parquet`) would read as the path.
                    s.push('@');
                    s.push_str(&r.replace('/', "%2F"));
                }
                if !path.is_empty() {
                    s.push('/');
                    s.push_str(path);
                }
                s
            }
            Self::Local(names) => format!("{LOCAL_PREFIX}{}", names.join(",")),
        }
    }
}

fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let head = s.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix).then(|| &s[prefix.len()..])
}

/// An owner or dataset name as the Hub allows them: letters, digits, `-`, `_`, `.`, at
/// most 96, neither starting nor ending with `-` or `.`, no `--` or `..`.
fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.len() <= 96
        && n.chars().all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
        && !n.starts_with(['-', '.'])
        && !n.ends_with(['-', '.'])
        && !n.contains("--")
        && !n.contains("..")
}

/// A branch, tag or commit: letters, digits, `-`, `_`, `.`, `/` (no `..`, no empty part).
fn valid_revision(r: &str) -> bool {
    !r.is_empty()
        && r.len() <= 255
        && r.chars().all(|c| c.is_ascii_alphanumeric() || "-_./".contains(c))
        && r.split('/').all(|p| !p.is_empty() && p != "." && p != "..")
        && !r.starts_with('-')
}

/// A path inside the repository: plain segments, no `.`/`..`, no characters that would
/// change the meaning of a URL.
fn valid_path(p: &str) -> bool {
    p.len() <= 1024
        && p.split('/').all(|seg| !seg.is_empty() && seg != "." && seg != "..")
        && !p.chars().any(|c| c.is_control() || "?#\\%".contains(c))
}

/// `{owner}/{name}[@revision][/path]`, after `hf://datasets/`.
fn parse_hub(rest: &str) -> Result<Source, String> {
    const FORM: &str = "expected hf://datasets/{owner}/{name}[@revision][/path]";
    let rest = rest.trim_end_matches('/');
    if rest.contains(['?', '#']) {
        return Err(format!("{FORM}, without ? or #"));
    }
    let (owner, rest) = rest.split_once('/').ok_or_else(|| FORM.to_string())?;
    let (name_rev, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (name, revision) = match name_rev.split_once('@') {
        Some((n, r)) => (n, Some(r)),
        None => (name_rev, None),
    };
    if !valid_name(owner) || !valid_name(name) {
        return Err(format!("{FORM}; owner and name are letters, digits, -, _ and ."));
    }
    let revision = match revision {
        None => None,
        Some(r) => {
            let decoded = percent_decode(r).ok_or("the revision has a bad %-escape")?;
            if !valid_revision(&decoded) {
                return Err("the revision after @ must be a branch, tag or commit (letters, digits, -, _, ., /)".into());
            }
            Some(decoded)
        }
    };
    if !path.is_empty() && !valid_path(path) {
        return Err("the path inside the dataset must be plain folder and file names (no ., .., %, \\)".into());
    }
    Ok(Source::Hub { repo: format!("{owner}/{name}"), revision, path: path.into() })
}

/// A dataset page on huggingface.co pasted as is (`https://huggingface.co/datasets/o/n`,
/// `…/tree/{rev}/{path}`): the same as its `hf://` path. `None`: not such a page.
fn hub_page(s: &str) -> Option<Result<Source, String>> {
    let rest = strip_prefix_ci(s, "https://huggingface.co/datasets/")?;
    let rest = rest.split(['?', '#']).next().unwrap_or(rest).trim_end_matches('/');
    let mut parts = rest.splitn(3, '/');
    let (owner, name) = (parts.next()?, parts.next()?);
    let tail = parts.next().unwrap_or("");
    if tail.is_empty() {
        return Some(parse_hub(&format!("{owner}/{name}")));
    }
    let (kind, after) = tail.split_once('/').unwrap_or((tail, ""));
    if kind != "tree" {
        // `resolve/…` and `blob/…` name one file: fetched as a URL.
        return None;
    }
    let (rev, path) = after.split_once('/').unwrap_or((after, ""));
    let joined = if path.is_empty() { format!("{owner}/{name}@{rev}") } else { format!("{owner}/{name}@{rev}/{path}") };
    Some(parse_hub(&joined))
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// `s` with every byte outside the URL's unreserved characters %-escaped, `/` kept when
/// `keep_slash` (paths) and escaped otherwise (a revision in one path segment).
pub fn encode_path(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || (keep_slash && b == b'/') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
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
    fn hub_paths_parse_with_revision_and_path() {
        let hub = |repo: &str, rev: Option<&str>, path: &str| Source::Hub { repo: repo.into(), revision: rev.map(String::from), path: path.into() };
        let p = |s: &str| Source::parse(Some(s)).unwrap();
        assert_eq!(p("hf://datasets/InternVL-U/ScaleEdit-12M"), hub("InternVL-U/ScaleEdit-12M", None, ""));
        assert_eq!(p("hf://datasets/InternVL-U/ScaleEdit-12M/"), hub("InternVL-U/ScaleEdit-12M", None, ""));
        assert_eq!(p("HF://datasets/a/b@main/1.1_style_transfer"), hub("a/b", Some("main"), "1.1_style_transfer"));
        assert_eq!(
            p("hf://datasets/a/b@refs%2Fconvert%2Fparquet/default/train"),
            hub("a/b", Some("refs/convert/parquet"), "default/train")
        );
        let sha = "0123456789abcdef0123456789abcdef01234567";
        assert_eq!(p(&format!("hf://datasets/a/b@{sha}/x/y_0000.parquet")), hub("a/b", Some(sha), "x/y_0000.parquet"));
        assert_eq!(p("https://huggingface.co/datasets/a/b"), hub("a/b", None, ""));
        assert_eq!(p("https://huggingface.co/datasets/a/b/tree/main/2.1_object_addition"), hub("a/b", Some("main"), "2.1_object_addition"));
        assert!(matches!(p("https://huggingface.co/datasets/a/b/resolve/main/x.parquet"), Source::Parquet(_)));
    }

    #[test]
    fn hub_paths_write_back_as_they_parse() {
        for s in ["hf://datasets/a/b", "hf://datasets/a/b@v1.0/data", "hf://datasets/a/b@refs%2Fpr%2F3/d/e.parquet"] {
            let src = Source::parse(Some(s)).unwrap();
            assert_eq!(src.to_src(), s);
            assert_eq!(Source::parse(Some(&src.to_src())).unwrap(), src);
        }
        assert_eq!(encode_path("a b/c%d", true), "a%20b/c%25d");
        assert_eq!(encode_path("refs/pr/3", false), "refs%2Fpr%2F3");
    }

    #[test]
    fn malformed_hub_paths_are_refused() {
        for bad in [
            "hf://datasets/only-owner",
            "hf://datasets/",
            "hf://models/a/b",
            "hf://a/b",
            "hf://datasets/a/b/../c",
            "hf://datasets/a/b/./c",
            "hf://datasets/a//b",
            "hf://datasets/a/b@",
            "hf://datasets/a/b@..%2F..%2Fx",
            "hf://datasets/a/b@main@dev",
            "hf://datasets/a/b@%zz",
            "hf://datasets/-a/b",
            "hf://datasets/a/b./c",
            "hf://datasets/a--x/b",
            "hf://datasets/a/b?token=x",
            "hf://datasets/a/b#x",
            "hf://datasets/a/b/c%2F..",
            "hf://datasets/a b/c",
        ] {
            let err = Source::parse(Some(bad)).unwrap_err();
            assert!(matches!(err, EngineError::Source { .. }), "{bad}: {err}");
            assert!(err.to_string().contains(bad.trim()), "{err}");
        }
    }

    #[test]
    fn local_sources_name_their_files() {
        assert_eq!(Source::parse(Some("local:a.parquet")).unwrap(), Source::Local(vec!["a.parquet".into()]));
        assert_eq!(Source::parse(Some("local:a.parquet,b c.parquet")).unwrap().to_src(), "local:a.parquet,b c.parquet");
        assert!(Source::parse(Some("local:")).is_err());
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
