//! Page maps kept in IndexedDB, per file version (URL, size, ETag): a file without a page
//! index has its pages found by hopping their headers once per version, not once per
//! visit (files on the web only: a local file has no lasting identity). Maps are kept in
//! memory too (the engine's bounded store) and read from the database only when memory
//! has none. The database holds at most `STORED_FILES` files, the least recently saved
//! going first. Where IndexedDB is missing, fails or keeps a read waiting past
//! `WAIT` (a private window, a full disk, another tab upgrading it) the maps stay in
//! memory only, and reading goes on.

use std::cell::RefCell;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use js_sys::{Array, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbFactory, IdbIndexParameters, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransactionMode};

use crate::engine::shard::page_store::{FileKey, FilePageMaps, MemoryPageMaps, PageMapStore};

/// The database the app keeps its page maps in.
pub const DATABASE: &str = "scaleedit-gallery-page-maps";
/// Files whose maps the database keeps (a file's maps are a few KB to a few MB).
pub const STORED_FILES: u32 = 256;
const STORE: &str = "maps";
/// Index of the store by save time (oldest first) and by URL (to forget a file).
const BY_SAVED: &str = "saved";
const BY_URL: &str = "url";

/// Page maps in IndexedDB database `name`, with memory in front.
pub struct IdbPageMaps {
    name: String,
    db: RefCell<Option<IdbDatabase>>,
    /// Set once opening failed: memory only from then on.
    unavailable: std::cell::Cell<bool>,
    memory: MemoryPageMaps,
}

/// Longest wait for one IndexedDB request: past it, the database is given up on.
pub const WAIT: std::time::Duration = std::time::Duration::from_secs(2);

/// The answer of an IndexedDB request, or an error after `WAIT`.
async fn done(request: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        request.set_onsuccess(Some(&resolve));
        request.set_onerror(Some(&reject));
    });
    let answer = JsFuture::from(promise).fuse();
    let late = crate::engine::time::sleep(WAIT).fuse();
    futures::pin_mut!(answer, late);
    futures::select! {
        a = answer => a?,
        _ = late => return Err("IndexedDB did not answer in time".into()),
    };
    request.result()
}

/// Whether maps of `url` are kept across visits: files on the web only. A local file is
/// known by its name and size alone, which another file may share.
fn lasting(url: &str) -> bool {
    url.starts_with("https://") || url.starts_with("http://")
}

/// The database key of a file version.
fn key(k: &FileKey) -> String {
    format!("{}\u{0}{}\u{0}{}", k.url, k.version.size, k.version.etag.as_deref().unwrap_or(""))
}

impl IdbPageMaps {
    pub fn new(name: &str) -> Self {
        Self { name: name.to_string(), db: RefCell::new(None), unavailable: Default::default(), memory: MemoryPageMaps::new() }
    }

    /// Memory only from now on (the database failed, or kept a read waiting).
    fn give_up(&self, what: &str, e: &JsValue) {
        web_sys::console::warn_2(&format!("{what}; page maps are kept in memory only").into(), e);
        self.unavailable.set(true);
        self.db.borrow_mut().take();
    }

    /// The database, opened (and its store made) on first use; `None` when it cannot be.
    async fn db(&self) -> Option<IdbDatabase> {
        if let Some(db) = self.db.borrow().clone() {
            return Some(db);
        }
        if self.unavailable.get() {
            return None;
        }
        match self.open().await {
            Ok(db) => {
                *self.db.borrow_mut() = Some(db.clone());
                Some(db)
            }
            Err(e) => {
                self.give_up("IndexedDB failed", &e);
                None
            }
        }
    }

    async fn open(&self) -> Result<IdbDatabase, JsValue> {
        let factory: IdbFactory = Reflect::get(&js_sys::global(), &"indexedDB".into())?.dyn_into()?;
        let request: IdbOpenDbRequest = factory.open_with_u32(&self.name, 1)?;
        let upgrade = Closure::<dyn FnMut(web_sys::Event)>::new(move |ev: web_sys::Event| {
            let made = (|| -> Result<(), JsValue> {
                let request: IdbOpenDbRequest = ev.target().ok_or("no target")?.dyn_into()?;
                let db: IdbDatabase = request.result()?.dyn_into()?;
                let store = db.create_object_store(STORE)?;
                let params = IdbIndexParameters::new();
                params.set_unique(false);
                store.create_index_with_str_and_optional_parameters(BY_SAVED, BY_SAVED, &params)?;
                store.create_index_with_str_and_optional_parameters(BY_URL, BY_URL, &params)?;
                Ok(())
            })();
            if let Err(e) = made {
                web_sys::console::warn_2(&"could not make the page map store".into(), &e);
            }
        });
        request.set_onupgradeneeded(Some(upgrade.as_ref().unchecked_ref()));
        let db = done(&request).await;
        request.set_onupgradeneeded(None);
        drop(upgrade);
        db?.dyn_into()
    }

    fn store(db: &IdbDatabase, mode: IdbTransactionMode) -> Result<IdbObjectStore, JsValue> {
        db.transaction_with_str_and_mode(STORE, mode)?.object_store(STORE)
    }

    async fn load_stored(db: &IdbDatabase, k: &FileKey) -> Result<Option<FilePageMaps>, JsValue> {
        let store = Self::store(db, IdbTransactionMode::Readonly)?;
        let value = done(&store.get(&key(k).into())?).await?;
        if value.is_undefined() || value.is_null() {
            return Ok(None);
        }
        let json = Reflect::get(&value, &"maps".into())?.as_string().ok_or("a stored page map that is not text")?;
        // A stored map this version cannot read is as good as none.
        Ok(serde_json::from_str(&json).ok())
    }

    async fn save_stored(db: &IdbDatabase, k: &FileKey, maps: &FilePageMaps) -> Result<(), JsValue> {
        let json = serde_json::to_string(maps).map_err(|e| JsValue::from_str(&e.to_string()))?;
        let value = Object::new();
        Reflect::set(&value, &"url".into(), &k.url.as_str().into())?;
        Reflect::set(&value, &BY_SAVED.into(), &js_sys::Date::now().into())?;
        Reflect::set(&value, &"maps".into(), &json.into())?;
        let store = Self::store(db, IdbTransactionMode::Readwrite)?;
        done(&store.put_with_key(&value, &key(k).into())?).await?;
        // Bounded: the least recently saved files beyond the bound go.
        let count = done(&store.count()?).await?.as_f64().unwrap_or(0.0) as u32;
        if count > STORED_FILES {
            let oldest = done(&store.index(BY_SAVED)?.get_all_keys_with_key_and_limit(&JsValue::NULL, count - STORED_FILES)?).await?;
            for k in Array::from(&oldest).iter() {
                store.delete(&k)?;
            }
        }
        Ok(())
    }

    async fn forget_stored(db: &IdbDatabase, url: &str) -> Result<(), JsValue> {
        let store = Self::store(db, IdbTransactionMode::Readwrite)?;
        let keys = done(&store.index(BY_URL)?.get_all_keys_with_key(&url.into())?).await?;
        for k in Array::from(&keys).iter() {
            done(&store.delete(&k)?).await?;
        }
        Ok(())
    }

    /// Files the database holds.
    #[cfg(test)]
    pub async fn stored(&self) -> u32 {
        let Some(db) = self.db().await else { return 0 };
        let count = async { done(&Self::store(&db, IdbTransactionMode::Readonly)?.count()?).await };
        count.await.ok().and_then(|v| v.as_f64()).unwrap_or(0.0) as u32
    }
}

impl PageMapStore for IdbPageMaps {
    fn load<'a>(&'a self, k: &'a FileKey) -> LocalBoxFuture<'a, Option<FilePageMaps>> {
        async move {
            if let Some(found) = self.memory.load(k).await {
                return Some(found);
            }
            if !lasting(&k.url) {
                return None;
            }
            let db = self.db().await?;
            let found = Self::load_stored(&db, k).await.unwrap_or_else(|e| {
                self.give_up("could not read a stored page map", &e);
                None
            })?;
            self.memory.save(k, &found).await;
            Some(found)
        }
        .boxed_local()
    }

    fn save<'a>(&'a self, k: &'a FileKey, maps: &'a FilePageMaps) -> LocalBoxFuture<'a, ()> {
        async move {
            self.memory.save(k, maps).await;
            if !lasting(&k.url) {
                return;
            }
            if let Some(db) = self.db().await {
                if let Err(e) = Self::save_stored(&db, k, maps).await {
                    self.give_up("could not store a page map", &e);
                }
            }
        }
        .boxed_local()
    }

    fn forget<'a>(&'a self, url: &'a str) -> LocalBoxFuture<'a, ()> {
        async move {
            self.memory.forget(url).await;
            if !lasting(url) {
                return;
            }
            if let Some(db) = self.db().await {
                if let Err(e) = Self::forget_stored(&db, url).await {
                    self.give_up("could not forget a stored page map", &e);
                }
            }
        }
        .boxed_local()
    }
}
