//! The native backend: URLs through reqwest, everything else as a local path. Used by the
//! CLI and by native tests; never compiled for the browser. A Hub token goes only to the
//! Hub's origin (reqwest drops it when a redirect leaves that origin).

use std::rc::Rc;
use std::sync::{Arc, Mutex};

use futures::future::LocalBoxFuture;
use futures::FutureExt;

use crate::engine::dataset::hub::{ApiReply, Hub, Token, MAX_API_BYTES};
use crate::engine::error::{EngineError, EngineResult};
use crate::engine::range::file::FileSource;
use crate::engine::range::http::HttpSource;
use crate::engine::range::redirects::Redirects;
use crate::engine::range::{Counters, Failing, RangeSource};
use crate::engine::session::{Backend, MAX_MANIFEST_BYTES};

#[derive(Clone)]
pub struct NativeBackend {
    client: reqwest::Client,
    /// The Hub and the token for its origin.
    hub: Arc<Mutex<(Hub, Option<Token>)>>,
    /// Where file URLs were redirected to (the Hub's resolver to its CDN).
    redirects: Redirects,
}

impl Default for NativeBackend {
    /// A client whose every request is bounded in time: connecting within 10 s, and no
    /// stall of an answer longer than the engine's `STALL_TIMEOUT` (ranged reads add
    /// their own bounds on top, see `HttpSource`).
    fn default() -> Self {
        let client = reqwest::Client::builder()
            .connect_timeout(std::time::Duration::from_secs(10))
            .read_timeout(crate::engine::range::STALL_TIMEOUT)
            .build()
            .unwrap_or_default();
        Self { client, hub: Arc::new(Mutex::new((Hub::default(), None))), redirects: Redirects::default() }
    }
}

impl NativeBackend {
    /// `Authorization` for `url`: the token, when `url` is on the Hub's origin.
    fn authorization(&self, url: &str) -> Option<String> {
        let guard = self.hub.lock().ok()?;
        let (hub, token) = &*guard;
        token.as_ref().filter(|_| hub.owns(url)).map(Token::bearer)
    }
}

fn is_url(s: &str) -> bool {
    s.starts_with("http://") || s.starts_with("https://")
}


impl Backend for NativeBackend {
    fn source(&self, url: &str, size: Option<u64>, counters: &Counters) -> Rc<dyn RangeSource> {
        if is_url(url) {
            let src = HttpSource::new(self.client.clone(), url, size, counters.clone());
            return Rc::new(src.with_authorization(self.authorization(url)).with_redirects(self.redirects.clone()));
        }
        match FileSource::open(url, counters.clone()) {
            Ok(f) => Rc::new(f),
            Err(e) => Rc::new(Failing::new(url, e, counters)),
        }
    }

    fn get_text<'a>(&'a self, url: &'a str, counters: &'a Counters) -> LocalBoxFuture<'a, EngineResult<String>> {
        async move {
            let net = |message: String| EngineError::Network { file: url.into(), message };
            counters.request();
            let text = if is_url(url) {
                let resp = self.client.get(url).send().await.map_err(|e| net(e.to_string()))?;
                let status = resp.status();
                if !status.is_success() {
                    return Err(EngineError::Http {
                        file: url.into(),
                        status: status.as_u16(),
                        reason: status.canonical_reason().unwrap_or("").into(),
                        range: 0..0,
                    });
                }
                if resp.content_length().is_some_and(|n| n > MAX_MANIFEST_BYTES as u64) {
                    return Err(EngineError::TooLarge {
                        file: url.into(),
                        what: "manifest".into(),
                        size: resp.content_length().unwrap_or(0),
                        limit: MAX_MANIFEST_BYTES as u64,
                    });
                }
                resp.text().await.map_err(|e| net(e.to_string()))?
            } else {
                std::fs::read_to_string(url).map_err(|e| net(e.to_string()))?
            };
            counters.bytes(text.len() as u64);
            Ok(text)
        }
        .boxed_local()
    }

    fn get_api<'a>(&'a self, url: &'a str, counters: &'a Counters) -> LocalBoxFuture<'a, EngineResult<ApiReply>> {
        async move {
            let net = |message: String| EngineError::Network { file: url.into(), message };
            counters.request();
            let mut request = self.client.get(url).header(reqwest::header::ACCEPT, "application/json");
            if let Some(auth) = self.authorization(url) {
                request = request.header(reqwest::header::AUTHORIZATION, auth);
            }
            let resp = request.send().await.map_err(|e| net(e.to_string()))?;
            let header = |name: &str| resp.headers().get(name).and_then(|v| v.to_str().ok()).map(String::from);
            let (link, error_code, error_message) = (header("link"), header("x-error-code"), header("x-error-message"));
            let status = resp.status().as_u16();
            if resp.content_length().is_some_and(|n| n > MAX_API_BYTES as u64) {
                let size = resp.content_length().unwrap_or(0);
                return Err(EngineError::TooLarge { file: url.into(), what: "Hub answer".into(), size, limit: MAX_API_BYTES as u64 });
            }
            let text = resp.text().await.map_err(|e| net(e.to_string()))?;
            counters.bytes(text.len() as u64);
            if text.len() > MAX_API_BYTES {
                return Err(EngineError::TooLarge { file: url.into(), what: "Hub answer".into(), size: text.len() as u64, limit: MAX_API_BYTES as u64 });
            }
            Ok(ApiReply { status, text, link, error_code, error_message })
        }
        .boxed_local()
    }

    fn set_hub(&self, hub: &Hub, token: Option<Token>) {
        if let Ok(mut h) = self.hub.lock() {
            *h = (hub.clone(), token);
        }
    }
}
