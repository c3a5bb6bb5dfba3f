//! How the worker reaches data: browser fetch for URLs (ranged for Parquet, whole for
//! small manifests).

use std::rc::Rc;

use futures::future::LocalBoxFuture;
use futures::FutureExt;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Response, WorkerGlobalScope};

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::range::fetch::FetchSource;
use crate::engine::range::{Counters, RangeSource, ANSWER_TIMEOUT};
use crate::engine::time::deadline;
use crate::engine::session::{Backend, MAX_MANIFEST_BYTES};

pub struct WebBackend;

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
        Rc::new(FetchSource::new(url, size, counters.clone()))
    }

    fn get_text<'a>(&'a self, url: &'a str, counters: &'a Counters) -> LocalBoxFuture<'a, EngineResult<String>> {
        get_text(url, counters).boxed_local()
    }
}
