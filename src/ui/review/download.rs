//! Saving files from the page: an object URL (or a Blob made from text) clicked through a
//! temporary `<a download>`; object URLs made here are revoked once the click has started
//! the download.

use std::time::Duration;

use js_sys::Array;
use leptos::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

/// Download what `href` (an object URL or a same-origin address) points at as `name`.
pub fn href(href: &str, name: &str) -> Result<(), String> {
    let a: HtmlAnchorElement = document()
        .create_element("a")
        .map_err(|_| "could not start a download".to_string())?
        .unchecked_into();
    a.set_href(href);
    a.set_download(name);
    a.set_hidden(true);
    let body = document().body().ok_or("the page has no body")?;
    let _ = body.append_child(&a);
    a.click();
    a.remove();
    Ok(())
}

/// Download `text` as a file `name` of type `mime`.
pub fn text(text: &str, mime: &str, name: &str) -> Result<(), String> {
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let parts = Array::of1(&text.into());
    let blob = Blob::new_with_str_sequence_and_options(&parts, &options).map_err(|_| "could not make the file".to_string())?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|_| "could not make the file".to_string())?;
    let result = href(&url, name);
    // The download has its own reference to the Blob once started.
    set_timeout(move || { let _ = Url::revoke_object_url(&url); }, Duration::from_secs(10));
    result
}
