//! How the worker reaches data: browser fetch for URLs (ranged for Parquet, whole for
//! small manifests and the Hub's API), and local files picked on the page (`local:{name}`),
//! read by slices of their `File`, never whole. A Hub token is sent to the Hub's origin
//! only.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, Request, RequestInit, Response, WorkerGlobalScope};

use crate::engine::dataset::hub::{ApiReply, Hub, Token, MAX_API_BYTES};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::dataset::source::LOCAL_PREFIX;
use crate::engine::range::blob::BlobSource;
use crate::engine::range::fetch::FetchSource;
use crate::engine::range::redirects::Redirects;
use crate::engine::range::{Counters, Failing, RangeSource, ANSWER_TIMEOUT};
use crate::engine::time::deadline;
use crate::engine::session::{Backend, MAX_MANIFEST_BYTES};

#[derive(Default)]
pub struct WebBackend {
    /// The Hub and the token for its origin.
    hub: RefCell<(Hub, Option<Token>)>,
    /// Where file URLs were redirected to (the Hub's resolver to its CDN).
    redirects: Redirects,
    /// Local files handed over by the page, by name.
    local: RefCell<HashMap<String, Blob>>,
}

impl WebBackend {
    /// From now on the local files are these (by name).
    pub fn set_local(&self, files: Vec<(String, Blob)>) {
        *self.local.borrow_mut() = files.into_iter().collect();
    }

    /// `Authorization` for `url`: the token, when `url` is on the Hub's origin.
    fn authorization(&self, url: &str) -> Option<String> {
        let hub = self.hub.borrow();
        hub.1.as_ref().filter(|_| hub.0.owns(url)).map(Token::bearer)
    }
}

fn net_error(url: &str, e: wasm_bindgen::JsValue) -> EngineError {
    EngineError::Network {
        file: url.into(),
        message: e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "request failed (unreachable host, or the server does not allow cross-origin reads)".into()),
    }
}

async fn get_api(url: &str, authorization: Option<String>, counters: &Counters) -> EngineResult<ApiReply> {
    let net = |e| net_error(url, e);
    let late = |what: &str| EngineError::Network { file: url.into(), message: format!("no {what} within {} s", ANSWER_TIMEOUT.as_secs()) };
    let init = RequestInit::new();
    init.set_method("GET");
    let request = Request::new_with_str_and_init(url, &init).map_err(net)?;
    let headers = request.headers();
    headers.set("Accept", "application/json").map_err(net)?;
    if let Some(auth) = authorization {
        headers.set("Authorization", &auth).map_err(net)?;
    }
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    counters.request();
    let resp: Response = deadline(ANSWER_TIMEOUT, JsFuture::from(scope.fetch_with_request(&request)))
        .await
        .ok_or_else(|| late("answer"))?
        .map_err(net)?
        .unchecked_into();
    let header = |name: &str| resp.headers().get(name).ok().flatten();
    let declared = header("content-length").and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > MAX_API_BYTES as u64) {
        return Err(EngineError::TooLarge { file: url.into(), what: "Hub answer".into(), size: n, limit: MAX_API_BYTES as u64 });
    }
    let (link, error_code, error_message) = (header("link"), header("x-error-code"), header("x-error-message"));
    let text = deadline(ANSWER_TIMEOUT, JsFuture::from(resp.text().map_err(net)?))
        .await
        .ok_or_else(|| late("body"))?
        .map_err(net)?
        .as_string()
        .unwrap_or_default();
    counters.bytes(text.len() as u64);
    if text.len() > MAX_API_BYTES {
        return Err(EngineError::TooLarge { file: url.into(), what: "Hub answer".into(), size: text.len() as u64, limit: MAX_API_BYTES as u64 });
    }
    Ok(ApiReply { status: resp.status(), text, link, error_code, error_message })
}

async fn get_text(url: &str, counters: &Counters) -> EngineResult<String> {
    let net = |e: wasm_bindgen::JsValue| EngineError::Network {
        file: url.into(),
        message: e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "request failed (unreachable host, or the server does not allow cross-origin reads)".into()),
    };
    let scope: WorkerGlobalScope = js_sys::global().unchecked_into();
    counters.request();
    let late = |what: &str| EngineError::Network { file: url.into(), message: format!("no {what} within {} s", ANSWER_TIMEOUT.as_secs()) };
    let resp: Response =
        deadline(ANSWER_TIMEOUT, JsFuture::from(scope.fetch_with_str(url))).await.ok_or_else(|| late("answer"))?.map_err(net)?.unchecked_into();
    if !resp.ok() {
        return Err(EngineError::Http { file: url.into(), status: resp.status(), reason: resp.status_text(), range: 0..0 });
    }
    let declared = resp.headers().get("content-length").ok().flatten().and_then(|v| v.parse::<u64>().ok());
    if let Some(n) = declared.filter(|&n| n > MAX_MANIFEST_BYTES as u64) {
        return Err(EngineError::TooLarge { file: url.into(), what: "manifest".into(), size: n, limit: MAX_MANIFEST_BYTES as u64 });
    }
    let text = deadline(ANSWER_TIMEOUT, JsFuture::from(resp.text().map_err(net)?))
        .await
        .ok_or_else(|| late("manifest body"))?
        .map_err(net)?
        .as_string()
        .unwrap_or_default();
    counters.bytes(text.len() as u64);
    Ok(text)
}

impl Backend for WebBackend {
    fn source(&self, url: &str, size: Option<u64>, counters: &Counters) -> Rc<dyn RangeSource> {
        if let Some(name) = url.strip_prefix(LOCAL_PREFIX) {
            return match self.local.borrow().get(name) {
                Some(blob) => Rc::new(BlobSource::new(name, blob.clone(), counters.clone())),
                None => Rc::new(Failing::new(name, EngineError::LocalMissing { file: name.into() }, counters)),
            };
        }
        let src = FetchSource::new(url, size, counters.clone()).with_authorization(self.authorization(url));
        Rc::new(src.with_redirects(self.redirects.clone()))
    }

    fn get_text<'a>(&'a self, url: &'a str, counters: &'a Counters) -> LocalBoxFuture<'a, EngineResult<String>> {
        get_text(url, counters).boxed_local()
    }

    fn get_api<'a>(&'a self, url: &'a str, counters: &'a Counters) -> LocalBoxFuture<'a, EngineResult<ApiReply>> {
        get_api(url, self.authorization(url), counters).boxed_local()
    }

    fn set_hub(&self, hub: &Hub, token: Option<Token>) {
        *self.hub.borrow_mut() = (hub.clone(), token);
    }

    fn has_local(&self, name: &str) -> bool {
        self.local.borrow().contains_key(name)
    }
}
