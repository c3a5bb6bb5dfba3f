//! The Hugging Face Hub as a dataset source: its URLs (revision, tree listing, file
//! resolution), the listing's pages and their `Link` pagination, the Hub's refusals turned
//! into what to do, and a `DatasetView` of a repository's Parquet files grouped into task
//! families. An access token goes to the Hub's own origin only, never into a URL or a log.

use serde::{Deserialize, Serialize};

use super::catalog::{family_by_folder, FAMILIES};
use super::open::{DatasetView, FamilyView, FileView};
use super::source::{encode_path, file_name, Source};
use crate::engine::error::{EngineError, EngineResult};

/// The Hub the gallery talks to.
pub const HUB_URL: &str = "https://huggingface.co";

/// A listing is read for at most this many pages (the Hub sends 1000 entries a page) …
pub const MAX_TREE_PAGES: usize = 100;
/// … and at most this many entries: ScaleEdit-12M has a few hundred files; a repository
/// beyond this is opened a folder at a time.
pub const MAX_TREE_ENTRIES: usize = 200_000;
/// One answer of the Hub's API may not exceed this (a page of 1000 entries is ~300 kB).
pub const MAX_API_BYTES: usize = 16 * 1024 * 1024;

/// A Hub access token. Its `Debug` never shows it; it is sent only as `Authorization`
/// to the Hub's origin.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Token(String);

impl Token {
    /// A token from what a user typed; `None` when empty or not a header value.
    pub fn new(text: &str) -> Option<Self> {
        let t = text.trim();
        let printable = t.chars().all(|c| c.is_ascii_graphic());
        (!t.is_empty() && t.len() <= 512 && printable).then(|| Self(t.to_string()))
    }

    /// The `Authorization` header value.
    pub fn bearer(&self) -> String {
        format!("Bearer {}", self.0)
    }
}

impl std::fmt::Debug for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Token(…)")
    }
}

/// `scheme://host[:port]` of a URL, `None` when it has none.
pub fn origin_of(url: &str) -> Option<&str> {
    let i = url.find("://")?;
    if i == 0 || !url[..i].chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) {
        return None;
    }
    let rest = &url[i + 3..];
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    (end > 0).then(|| &url[..i + 3 + end])
}

/// Whether an origin is this computer (`localhost`, `127.x.x.x`, `[::1]`), over http(s).
pub fn is_loopback(origin: &str) -> bool {
    let Some(rest) = origin.strip_prefix("http://").or_else(|| origin.strip_prefix("https://")) else { return false };
    if rest.contains('@') {
        return false;
    }
    let host = if rest.starts_with('[') {
        rest.split(']').next().map(|h| format!("{h}]")).unwrap_or_default()
    } else {
        rest.split(':').next().unwrap_or("").to_string()
    };
    let host = host.to_ascii_lowercase();
    host == "localhost" || host == "[::1]" || (host.starts_with("127.") && host.split('.').count() == 4 && host.split('.').all(|p| p.parse::<u8>().is_ok()))
}

/// The Hub to talk to: huggingface.co, or a stand-in when both it and the page are on
/// this computer (tests). A link can never point the gallery, or a token, elsewhere.
pub fn choose_hub(page_url: &str, standin: Option<&str>) -> Hub {
    let standin = standin.map(str::trim).filter(|s| !s.is_empty());
    match (standin, origin_of(page_url)) {
        (Some(s), Some(page)) if is_loopback(page) && origin_of(s).is_some_and(is_loopback) => Hub::new(s),
        _ => Hub::new(HUB_URL),
    }
}

/// The Hub's base URL and the URLs built on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hub {
    base: String,
}

impl Default for Hub {
    fn default() -> Self {
        Self::new(HUB_URL)
    }
}

impl Hub {
    pub fn new(base: &str) -> Self {
        Self { base: base.trim().trim_end_matches('/').to_string() }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    /// Whether `url` is on the Hub's own origin (where a token may go).
    pub fn owns(&self, url: &str) -> bool {
        match (origin_of(url), origin_of(&self.base)) {
            (Some(a), Some(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        }
    }

    /// `GET` → `{"sha": …}`: the commit a branch or tag points to.
    pub fn revision_url(&self, repo: &str, rev: &str) -> String {
        format!("{}/api/datasets/{repo}/revision/{}", self.base, encode_path(rev, false))
    }

    /// `GET` → the first page of the recursive listing of `path` at `rev`.
    pub fn tree_url(&self, repo: &str, rev: &str, path: &str) -> String {
        let path = if path.is_empty() { String::new() } else { format!("/{}", encode_path(path, true)) };
        format!("{}/api/datasets/{repo}/tree/{}{path}?recursive=true", self.base, encode_path(rev, false))
    }

    /// A file's URL; the Hub answers it with a redirect to its CDN.
    pub fn resolve_url(&self, repo: &str, rev: &str, path: &str) -> String {
        format!("{}/datasets/{repo}/resolve/{}/{}", self.base, encode_path(rev, false), encode_path(path, true))
    }

    /// The dataset's page, where gated datasets ask for their terms to be accepted.
    pub fn dataset_page(&self, repo: &str) -> String {
        format!("{}/datasets/{repo}", self.base)
    }
}

/// A revision that is already a commit (40 hex digits).
pub fn is_commit(rev: &str) -> bool {
    rev.len() == 40 && rev.bytes().all(|b| b.is_ascii_hexdigit())
}

/// An answer of the Hub's JSON API, as a backend hands it over.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApiReply {
    pub status: u16,
    pub text: String,
    /// The `Link` header (pagination).
    pub link: Option<String>,
    /// `X-Error-Code` (`GatedRepo`, `RepoNotFound`, `RevisionNotFound`, …).
    pub error_code: Option<String>,
    /// `X-Error-Message`.
    pub error_message: Option<String>,
}

/// One entry of a tree listing.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct TreeEntry {
    #[serde(rename = "type")]
    pub kind: String,
    pub path: String,
    #[serde(default)]
    pub size: u64,
    #[serde(default)]
    pub lfs: Option<LfsInfo>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct LfsInfo {
    #[serde(default)]
    pub size: Option<u64>,
}

impl TreeEntry {
    /// The file's size: its LFS object's when it is stored in LFS.
    pub fn bytes(&self) -> u64 {
        self.lfs.as_ref().and_then(|l| l.size).unwrap_or(self.size)
    }
}

#[derive(Deserialize)]
struct RevisionInfo {
    sha: String,
}

/// The commit of a revision answer.
pub fn parse_revision(url: &str, text: &str) -> EngineResult<String> {
    let info: RevisionInfo = serde_json::from_str(text)
        .map_err(|e| EngineError::Manifest { file: url.into(), detail: format!("unreadable revision answer: {e}") })?;
    if !is_commit(&info.sha) {
        return Err(EngineError::Manifest { file: url.into(), detail: format!("`{}` is not a commit", info.sha) });
    }
    Ok(info.sha.to_ascii_lowercase())
}

/// Whether a dataset's info (`GET /api/datasets/{repo}`) says it is gated.
pub fn is_gated(text: &str) -> bool {
    #[derive(Deserialize)]
    struct Info {
        #[serde(default)]
        gated: serde_json::Value,
    }
    serde_json::from_str::<Info>(text).is_ok_and(|i| !matches!(i.gated, serde_json::Value::Null | serde_json::Value::Bool(false)))
}

/// The entries of one page of a listing.
pub fn parse_tree_page(url: &str, text: &str) -> EngineResult<Vec<TreeEntry>> {
    serde_json::from_str(text).map_err(|e| EngineError::Manifest { file: url.into(), detail: format!("unreadable listing: {e}") })
}

/// The `rel="next"` target of a `Link` header.
pub fn next_link(header: Option<&str>) -> Option<String> {
    let header = header?;
    let mut rest = header;
    while let Some(open) = rest.find('<') {
        let close = open + rest[open..].find('>')?;
        let target = &rest[open + 1..close];
        let params_end = rest[close..].find('<').map_or(rest.len(), |i| close + i);
        let params = &rest[close + 1..params_end];
        let is_next = params.split(';').any(|p| {
            let p = p.trim().trim_end_matches(',').trim();
            p.eq_ignore_ascii_case("rel=\"next\"") || p.eq_ignore_ascii_case("rel=next")
        });
        if is_next {
            return Some(target.trim().to_string());
        }
        rest = &rest[params_end..];
    }
    None
}

/// What to tell a user when the Hub refuses a request about `repo`.
pub fn refusal(hub: &Hub, repo: &str, reply: &ApiReply, token_given: bool) -> EngineError {
    refusal_of(hub, repo, reply.status, reply.error_code.as_deref(), reply.error_message.as_deref(), token_given)
}

/// `refusal` from its parts (a file read reports only its status).
pub fn refusal_of(hub: &Hub, repo: &str, status: u16, code: Option<&str>, message: Option<&str>, token_given: bool) -> EngineError {
    let page = hub.dataset_page(repo);
    let said = message.map(|m| format!(" (the Hub says: {})", m.trim().trim_end_matches('.'))).unwrap_or_default();
    let gated = code.is_some_and(|c| c.eq_ignore_ascii_case("GatedRepo"));
    // The Hub answers 401 RepoNotFound for a dataset that is missing or private.
    let status = if code.is_some_and(|c| c.eq_ignore_ascii_case("RepoNotFound")) { 404 } else { status };
    let detail = match status {
        401 | 403 if gated && token_given => {
            format!("this dataset is gated and your token has no access to it yet: accept the dataset's terms at {page}, then open it again")
        }
        401 | 403 if gated => format!(
            "this dataset is gated: accept the dataset's terms at {page}, then give an access token (Hub token, next to Open) and open it again"
        ),
        401 | 403 if token_given => format!(
            "the Hub refused access with this token{said}: check that the token can read {repo}; if the dataset is gated, accept the dataset's terms at {page}"
        ),
        401 | 403 => format!(
            "the Hub refused access{said}: the dataset is private or gated — give an access token (Hub token, next to Open); if it is gated, accept the dataset's terms at {page}"
        ),
        404 => match code {
            Some(c) if c.eq_ignore_ascii_case("RevisionNotFound") => format!("no such branch, tag or commit{said}"),
            Some(c) if c.eq_ignore_ascii_case("EntryNotFound") => format!("no such folder or file in the dataset{said}"),
            _ if token_given => format!("no such dataset, or your token cannot read it{said}: check the name"),
            _ => format!("no such dataset{said}: check the name; a private dataset needs an access token (Hub token, next to Open)"),
        },
        429 => "the Hub is limiting requests from this address (about 3,000 file requests per 5 minutes without a token): wait a few minutes and reload, or give an access token (Hub token, next to Open)".to_string(),
        s if s >= 500 => format!("the Hub failed with HTTP {s}{said}: try again in a minute"),
        s => format!("the Hub answered HTTP {s}{said}"),
    };
    EngineError::Hub { repo: repo.into(), status, detail }
}

/// A Parquet file of a listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HubFile {
    pub path: String,
    pub size: u64,
}

/// Whether `path` is a file of a static instruction index (`gallery index` writes
/// `catalog-NNNN.parquet` and `terms-NNNN.parquet` into a folder `index/`; format 1 wrote
/// one `catalog.parquet`, which a repository may still hold): not data.
fn is_index_file(path: &str) -> bool {
    let mut parts = path.rsplit('/');
    let (name, folder) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let numbered = |prefix: &str| {
        name.strip_prefix(prefix).and_then(|n| n.strip_suffix(".parquet")).is_some_and(|n| n.len() == 4 && n.bytes().all(|b| b.is_ascii_digit()))
    };
    folder == "index" && (numbered("catalog-") || numbered("terms-") || name == "catalog.parquet")
}

/// The Parquet files of a listing's entries (a static index's files left out).
pub fn parquet_files(entries: &[TreeEntry]) -> Vec<HubFile> {
    entries
        .iter()
        .filter(|e| e.kind == "file" && e.path.to_ascii_lowercase().ends_with(".parquet") && !is_index_file(&e.path))
        .map(|e| HubFile { path: e.path.clone(), size: e.bytes() })
        .collect()
}

/// The group of a file: a ScaleEdit family by its folder (`2.1_object_addition/…`), or
/// else its folder and, for `{split}-00000-of-00004.parquet` names, its split.
fn group_of(path: &str) -> (Option<usize>, String) {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let folder = dir.rsplit('/').next().unwrap_or("");
    if let Some(f) = family_by_folder(folder) {
        return (FAMILIES.iter().position(|x| x.task == f.task), f.task.to_string());
    }
    let split = name.split_once('-').filter(|(_, rest)| rest.contains("-of-") && rest.starts_with(|c: char| c.is_ascii_digit()));
    let key = match (dir, split) {
        ("", Some((s, _))) => s.to_string(),
        (d, Some((s, _))) => format!("{d}/{s}"),
        ("", None) => ".".to_string(),
        (d, None) => d.to_string(),
    };
    (None, key)
}

/// A dataset of `files` of `repo` at `commit` (listed under `path`): ScaleEdit families
/// in catalog order, then other folders by name; every file with its size, its rows
/// counted later (from its footer).
pub fn view(hub: &Hub, repo: &str, commit: &str, path: &str, files: &[HubFile]) -> EngineResult<DatasetView> {
    let mut grouped: Vec<(Option<usize>, String, &HubFile)> = files.iter().map(|f| {
        let (order, key) = group_of(&f.path);
        (order, key, f)
    }).collect();
    grouped.sort_by(|a, b| {
        let rank = |g: &(Option<usize>, String, &HubFile)| (g.0.unwrap_or(FAMILIES.len()), g.1.clone(), g.2.path.clone());
        rank(a).cmp(&rank(b))
    });
    let mut families: Vec<FamilyView> = Vec::new();
    let mut out = Vec::new();
    for (order, key, f) in grouped {
        if families.last().is_none_or(|fam| fam.task != key) {
            let (id, label) = match order.map(|i| &FAMILIES[i]) {
                Some(def) => (def.id.to_string(), def.label()),
                None if key == "." => (String::new(), "Top level".to_string()),
                None => (String::new(), key.clone()),
            };
            families.push(FamilyView { task: key.clone(), id, label, rows: 0, files: 0, counted: false });
        }
        out.push(FileView {
            key: f.path.clone(),
            url: hub.resolve_url(repo, commit, &f.path),
            rows: 0,
            bytes: Some(f.size),
            task: Some(key),
            counted: false,
        });
    }
    if out.is_empty() {
        let place = if path.is_empty() { String::new() } else { format!(" under {path}") };
        return Err(EngineError::Hub { repo: repo.into(), status: 200, detail: format!("no Parquet files{place} at commit {}", &commit[..7.min(commit.len())]) });
    }
    let pinned = Source::Hub { repo: repo.into(), revision: Some(commit.into()), path: path.into() }.to_src();
    let name = if path.is_empty() { repo.to_string() } else { format!("{repo}/{path}") };
    let mut view = DatasetView {
        name,
        attribution: format!("{} at commit {} on the Hugging Face Hub; see its dataset card for the terms of use.", hub.dataset_page(repo), &commit[..7.min(commit.len())]),
        families,
        files: out,
        pinned: Some(pinned),
        layout: None,
    };
    view.recount();
    Ok(view)
}

/// A dataset of one file of `repo` at `commit` (its rows counted later).
pub fn single_file_view(hub: &Hub, repo: &str, commit: &str, path: &str) -> DatasetView {
    let mut v = DatasetView::single_file(&hub.resolve_url(repo, commit, path), 0, 0);
    v.name = format!("{repo}/{}", file_name(path));
    v.files[0].key = path.to_string();
    v.files[0].bytes = None;
    v.files[0].counted = false;
    v.pinned = Some(Source::Hub { repo: repo.into(), revision: Some(commit.into()), path: path.into() }.to_src());
    v.recount();
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(kind: &str, path: &str, size: u64) -> TreeEntry {
        TreeEntry { kind: kind.into(), path: path.into(), size, lfs: None }
    }

    #[test]
    fn urls_are_built_on_the_base_with_escaped_parts() {
        let hub = Hub::new("https://huggingface.co/");
        assert_eq!(hub.revision_url("a/b", "refs/convert/parquet"), "https://huggingface.co/api/datasets/a/b/revision/refs%2Fconvert%2Fparquet");
        assert_eq!(hub.tree_url("a/b", "main", ""), "https://huggingface.co/api/datasets/a/b/tree/main?recursive=true");
        assert_eq!(hub.tree_url("a/b", "main", "1.1_style_transfer"), "https://huggingface.co/api/datasets/a/b/tree/main/1.1_style_transfer?recursive=true");
        assert_eq!(hub.resolve_url("a/b", "abc", "x y/z.parquet"), "https://huggingface.co/datasets/a/b/resolve/abc/x%20y/z.parquet");
    }

    #[test]
    fn only_the_hub_origin_is_owned() {
        let hub = Hub::new("https://huggingface.co");
        assert!(hub.owns("https://huggingface.co/datasets/a/b/resolve/x/y"));
        assert!(hub.owns("https://HuggingFace.co/api/x"));
        for other in [
            "https://cdn-lfs.huggingface.co/x",
            "https://huggingface.co.evil.org/x",
            "https://huggingface.co@evil.org/x",
            "http://huggingface.co/x",
            "https://huggingface.co:444/x",
            "relative/path",
        ] {
            assert!(!hub.owns(other), "{other}");
        }
    }

    #[test]
    fn a_standin_hub_is_taken_only_on_this_computer() {
        let standin = Some("http://127.0.0.1:9000");
        assert_eq!(choose_hub("http://127.0.0.1:8080/?src=x", standin).base(), "http://127.0.0.1:9000");
        assert_eq!(choose_hub("http://localhost:8080/", Some("http://[::1]:9")).base(), "http://[::1]:9");
        assert_eq!(choose_hub("https://me.github.io/gallery/", standin).base(), HUB_URL);
        assert_eq!(choose_hub("http://127.0.0.1:8080/", Some("https://evil.org")).base(), HUB_URL);
        assert_eq!(choose_hub("http://127.0.0.1.evil.org/", standin).base(), HUB_URL);
        assert_eq!(choose_hub("http://127.0.0.1:8080/", None).base(), HUB_URL);
        assert!(!is_loopback("http://user@127.0.0.1"));
        assert!(!is_loopback("http://127.0.0.256"));
    }

    #[test]
    fn link_headers_give_the_next_page() {
        let h = r#"<https://huggingface.co/api/datasets/a/b/tree/main?recursive=true&cursor=ZXlK>; rel="next""#;
        assert_eq!(next_link(Some(h)).as_deref(), Some("https://huggingface.co/api/datasets/a/b/tree/main?recursive=true&cursor=ZXlK"));
        let two = r#"<https://h/p1>; rel="prev", <https://h/p3>; rel=next"#;
        assert_eq!(next_link(Some(two)).as_deref(), Some("https://h/p3"));
        assert_eq!(next_link(Some(r#"<https://h/p1>; rel="prev""#)), None);
        assert_eq!(next_link(None), None);
        assert_eq!(next_link(Some("garbage")), None);
    }

    #[test]
    fn tree_pages_and_revisions_parse() {
        let text = r#"[{"type":"directory","oid":"1","size":0,"path":"1.1_style_transfer"},
            {"type":"file","oid":"2","size":134,"path":"1.1_style_transfer/style_transfer_0000.parquet","lfs":{"oid":"x","size":31700000000,"pointerSize":134}},
            {"type":"file","oid":"3","size":2048,"path":"README.md"}]"#;
        let entries = parse_tree_page("u", text).unwrap();
        let files = parquet_files(&entries);
        assert_eq!(files, vec![HubFile { path: "1.1_style_transfer/style_transfer_0000.parquet".into(), size: 31_700_000_000 }]);
        assert!(parse_tree_page("u", "<html>").is_err());
        let sha = "0123456789ABCDEF0123456789abcdef01234567";
        assert_eq!(parse_revision("u", &format!(r#"{{"id":"a/b","sha":"{sha}"}}"#)).unwrap(), sha.to_ascii_lowercase());
        assert!(parse_revision("u", r#"{"sha":"main"}"#).is_err());
        assert!(is_commit(sha) && !is_commit("main"));
        assert!(is_gated(r#"{"id":"a/b","gated":"manual"}"#));
        assert!(!is_gated(r#"{"id":"a/b","gated":false}"#) && !is_gated(r#"{"id":"a/b"}"#) && !is_gated("<html>"));
    }

    #[test]
    fn files_group_into_families_in_catalog_order_then_other_folders() {
        let hub = Hub::default();
        let sha = "0123456789abcdef0123456789abcdef01234567";
        let files = parquet_files(&[
            entry("file", "3.1_color_change/color_change_0001.parquet", 30),
            entry("file", "other/x.parquet", 5),
            entry("file", "1.1_style_transfer/style_transfer_0000.parquet", 10),
            entry("file", "3.1_color_change/color_change_0000.parquet", 20),
            entry("file", "data/train-00000-of-00002.parquet", 7),
            entry("file", "data/test-00000-of-00001.parquet", 8),
            entry("file", "top.parquet", 9),
            entry("file", "index/catalog.parquet", 9),
            entry("file", "index/catalog-0000.parquet", 9),
            entry("file", "index/catalog-0012.parquet", 9),
            entry("file", "index/terms-0000.parquet", 9),
            entry("directory", "1.1_style_transfer", 0),
        ]);
        let v = view(&hub, "a/b", sha, "", &files).unwrap();
        let fams: Vec<(&str, &str, u64)> = v.families.iter().map(|f| (f.task.as_str(), f.id.as_str(), f.files)).collect();
        assert_eq!(
            fams,
            vec![("style_transfer", "1.1", 1), ("color_change", "3.1", 2), (".", "", 1), ("data/test", "", 1), ("data/train", "", 1), ("other", "", 1)]
        );
        let keys: Vec<&str> = v.files.iter().map(|f| f.key.as_str()).collect();
        assert_eq!(keys[1..3], ["3.1_color_change/color_change_0000.parquet", "3.1_color_change/color_change_0001.parquet"]);
        assert_eq!(v.files[0].url, format!("https://huggingface.co/datasets/a/b/resolve/{sha}/1.1_style_transfer/style_transfer_0000.parquet"));
        assert_eq!(v.files[0].bytes, Some(10));
        assert!(v.files.iter().all(|f| !f.counted));
        assert_eq!(v.pinned.as_deref(), Some(format!("hf://datasets/a/b@{sha}").as_str()));
        let err = view(&hub, "a/b", sha, "nothing", &[]).unwrap_err();
        assert!(err.to_string().contains("no Parquet files under nothing"), "{err}");
    }

    #[test]
    fn refusals_say_what_to_do() {
        let hub = Hub::default();
        let gated = ApiReply { status: 401, error_code: Some("GatedRepo".into()), ..Default::default() };
        let msg = refusal(&hub, "a/b", &gated, false).to_string();
        assert!(msg.contains("accept the dataset's terms at https://huggingface.co/datasets/a/b"), "{msg}");
        assert!(msg.contains("access token"), "{msg}");
        let gated = ApiReply { status: 403, error_code: Some("GatedRepo".into()), ..Default::default() };
        assert!(refusal(&hub, "a/b", &gated, true).to_string().contains("your token has no access"));
        let limited = ApiReply { status: 429, ..Default::default() };
        assert!(refusal(&hub, "a/b", &limited, false).to_string().contains("wait a few minutes"));
        let missing = ApiReply { status: 404, error_code: Some("RevisionNotFound".into()), error_message: Some("Invalid rev id: x".into()), ..Default::default() };
        let msg = refusal(&hub, "a/b", &missing, false).to_string();
        assert!(msg.contains("no such branch") && msg.contains("Invalid rev id: x"), "{msg}");
    }

    #[test]
    fn tokens_never_show_in_debug_output() {
        let t = Token::new(" hf_secret ").unwrap();
        assert_eq!(format!("{t:?}"), "Token(…)");
        assert_eq!(t.bearer(), "Bearer hf_secret");
        assert!(Token::new("").is_none() && Token::new("a b").is_none());
    }
}
