//! Where redirects led: a file URL answered by a redirect (the Hub's resolver sends every
//! file to a signed CDN URL) is read from the final URL afterwards, so later ranges of the
//! same file cost no resolver hit (the Hub allows about 3,000 a 5 minutes per address).
//! A final URL that stops working (an expired signature) is forgotten and the original
//! asked again, once. Tokens are never sent to a final URL.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

/// Final URLs remembered at most; the oldest is forgotten first. A session reads a few
/// hundred files at most.
pub const MAX_REDIRECTS: usize = 4096;

/// Original URL → final URL, shared by the sources of one backend.
#[derive(Debug, Clone, Default)]
pub struct Redirects(Arc<Mutex<Inner>>);

#[derive(Debug, Default)]
struct Inner {
    finals: HashMap<String, String>,
    order: std::collections::VecDeque<String>,
    /// Held while `url` is asked again after its final URL failed, so that reads running
    /// at once ask it once and all take the new final URL.
    turns: HashMap<String, Arc<futures::lock::Mutex<()>>>,
}

impl Redirects {
    /// The final URL `url` was redirected to last, if it was.
    pub fn get(&self, url: &str) -> Option<String> {
        self.0.lock().ok()?.finals.get(url).cloned()
    }

    /// `url` led to `final_url` (nothing is kept when they are the same).
    pub fn learn(&self, url: &str, final_url: &str) {
        if url == final_url || final_url.is_empty() {
            return;
        }
        let Ok(mut inner) = self.0.lock() else { return };
        if inner.finals.insert(url.to_string(), final_url.to_string()).is_none() {
            inner.order.push_back(url.to_string());
            while inner.order.len() > MAX_REDIRECTS {
                if let Some(old) = inner.order.pop_front() {
                    inner.finals.remove(&old);
                    inner.turns.remove(&old);
                }
            }
        }
    }

    /// The lock taken to ask `url` again after its final URL failed.
    pub fn turn(&self, url: &str) -> Arc<futures::lock::Mutex<()>> {
        match self.0.lock() {
            Ok(mut inner) => Arc::clone(inner.turns.entry(url.to_string()).or_default()),
            Err(_) => Arc::default(),
        }
    }

    /// Stop using the final URL of `url` (it failed).
    pub fn forget(&self, url: &str) {
        if let Ok(mut inner) = self.0.lock() {
            inner.finals.remove(url);
            inner.order.retain(|u| u != url);
        }
    }
}

/// Whether a failure of a final URL means it stopped working (expired, or its CDN no
/// longer lets scripts read it), so the original URL should be asked again.
pub fn final_url_failed(e: &crate::engine::error::EngineError) -> bool {
    use crate::engine::error::EngineError;
    matches!(e, EngineError::Http { status: 401 | 403 | 404 | 410, .. } | EngineError::Network { .. })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_urls_are_learned_forgotten_and_bounded() {
        let r = Redirects::default();
        r.learn("https://h/resolve/a", "https://h/resolve/a");
        assert_eq!(r.get("https://h/resolve/a"), None, "no redirect, nothing kept");
        r.learn("https://h/resolve/a", "https://cdn/a?sig=1");
        assert_eq!(r.get("https://h/resolve/a").as_deref(), Some("https://cdn/a?sig=1"));
        r.clone().forget("https://h/resolve/a");
        assert_eq!(r.get("https://h/resolve/a"), None);
        for i in 0..MAX_REDIRECTS + 10 {
            r.learn(&format!("u{i}"), &format!("f{i}"));
        }
        assert_eq!(r.get("u0"), None);
        assert_eq!(r.get(&format!("u{}", MAX_REDIRECTS + 9)).as_deref(), Some(format!("f{}", MAX_REDIRECTS + 9).as_str()));
    }
}
