//! Where page maps are kept between reads and between shard loads: per file version
//! (URL, size, ETag), so a replaced file never gets another file's map. Behind a small
//! async trait, so a browser can keep them in IndexedDB across visits; the in-memory
//! store here is bounded. A store never hands out a map of another version.

use std::cell::RefCell;
use std::collections::VecDeque;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use serde::{Deserialize, Serialize};

use super::pages::PageMap;
use crate::engine::range::Version;

/// One version of one file.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FileKey {
    pub url: String,
    pub version: Version,
}

/// The page map of one column chunk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChunkMap {
    pub row_group: usize,
    /// Leaf column index.
    pub column: usize,
    pub map: PageMap,
}

/// The page maps of one file's column chunks (those mapped so far).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FilePageMaps {
    pub chunks: Vec<ChunkMap>,
}

impl FilePageMaps {
    pub fn get(&self, row_group: usize, column: usize) -> Option<&PageMap> {
        self.chunks.iter().find(|c| c.row_group == row_group && c.column == column).map(|c| &c.map)
    }

    /// Keep `map` unless the one held already knows more pages.
    pub fn put(&mut self, row_group: usize, column: usize, map: PageMap) {
        match self.chunks.iter_mut().find(|c| c.row_group == row_group && c.column == column) {
            Some(c) if c.map.next >= map.next => {}
            Some(c) => c.map = map,
            None => self.chunks.push(ChunkMap { row_group, column, map }),
        }
    }

    /// Page headers known, over all chunks.
    pub fn pages(&self) -> usize {
        self.chunks.iter().map(|c| c.map.pages.len() + usize::from(c.map.dictionary.is_some())).sum()
    }
}

/// Persistence of page maps by file version.
pub trait PageMapStore {
    fn load<'a>(&'a self, key: &'a FileKey) -> LocalBoxFuture<'a, Option<FilePageMaps>>;
    fn save<'a>(&'a self, key: &'a FileKey, maps: &'a FilePageMaps) -> LocalBoxFuture<'a, ()>;
    /// Drop every version of `url` (it changed on the server).
    fn forget<'a>(&'a self, url: &'a str) -> LocalBoxFuture<'a, ()>;
}

/// Files whose maps the in-memory store keeps. A file's maps are a few hundred bytes per
/// page (each header ~100 bytes in memory), so even 256 shards of 30 pages per image
/// column stay under a few MB.
pub const MEMORY_FILES: usize = 256;

/// Page maps in memory, the least recently saved file going first.
#[derive(Debug, Default)]
pub struct MemoryPageMaps {
    entries: RefCell<VecDeque<(FileKey, FilePageMaps)>>,
}

impl MemoryPageMaps {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn len(&self) -> usize {
        self.entries.borrow().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl PageMapStore for MemoryPageMaps {
    fn load<'a>(&'a self, key: &'a FileKey) -> LocalBoxFuture<'a, Option<FilePageMaps>> {
        let found = self.entries.borrow().iter().find(|(k, _)| k == key).map(|(_, m)| m.clone());
        async move { found }.boxed_local()
    }

    fn save<'a>(&'a self, key: &'a FileKey, maps: &'a FilePageMaps) -> LocalBoxFuture<'a, ()> {
        let mut entries = self.entries.borrow_mut();
        entries.retain(|(k, _)| k != key);
        if entries.len() >= MEMORY_FILES {
            entries.pop_front();
        }
        entries.push_back((key.clone(), maps.clone()));
        async {}.boxed_local()
    }

    fn forget<'a>(&'a self, url: &'a str) -> LocalBoxFuture<'a, ()> {
        self.entries.borrow_mut().retain(|(k, _)| k.url != url);
        async {}.boxed_local()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The in-memory store answers at once.
    fn now<T>(f: impl std::future::Future<Output = T>) -> T {
        f.now_or_never().expect("ready")
    }

    fn key(url: &str, etag: &str) -> FileKey {
        FileKey { url: url.into(), version: Version { size: 100, etag: Some(etag.into()) } }
    }

    #[test]
    fn maps_are_kept_per_version_and_forgotten_per_url() {
        let store = MemoryPageMaps::new();
        let mut maps = FilePageMaps::default();
        maps.put(0, 3, PageMap::new(10..20, 5));
        now(store.save(&key("a", "1"), &maps));
        assert_eq!(now(store.load(&key("a", "1"))), Some(maps.clone()));
        assert_eq!(now(store.load(&key("a", "2"))), None, "another version");
        now(store.save(&key("b", "1"), &maps));
        now(store.forget("a"));
        assert_eq!(now(store.load(&key("a", "1"))), None);
        assert_eq!(store.len(), 1);
    }

    #[test]
    fn the_store_is_bounded() {
        let store = MemoryPageMaps::new();
        for i in 0..MEMORY_FILES + 10 {
            now(store.save(&key(&format!("f{i}"), "x"), &FilePageMaps::default()));
        }
        assert_eq!(store.len(), MEMORY_FILES);
        assert_eq!(now(store.load(&key("f0", "x"))), None, "the oldest went first");
    }

    #[test]
    fn a_map_that_knows_less_does_not_replace_one_that_knows_more() {
        let mut longer = PageMap::new(0..100, 10);
        longer.next = 50;
        let shorter = PageMap::new(0..100, 10);
        let mut maps = FilePageMaps::default();
        maps.put(0, 1, longer.clone());
        maps.put(0, 1, shorter);
        assert_eq!(maps.get(0, 1), Some(&longer));
    }
}
