//! Image Blobs from the worker turned into object URLs that are revoked when the last
//! view holding them goes away (they live inside signals, which drop them on cleanup).

use std::sync::Arc;

use web_sys::{Blob, Url};

use super::client;
use crate::protocol::{ImagePair, Reply, Request};

/// An object URL, revoked on drop.
#[derive(Debug)]
pub struct BlobUrl(String);

impl BlobUrl {
    pub fn new(blob: &Blob) -> Option<Self> {
        Url::create_object_url_with_blob(blob).ok().map(Self)
    }

    pub fn href(&self) -> String {
        self.0.clone()
    }
}

impl Drop for BlobUrl {
    fn drop(&mut self) {
        let _ = Url::revoke_object_url(&self.0);
    }
}

#[derive(Debug)]
pub struct PairUrls {
    pub info: ImagePair,
    pub source: BlobUrl,
    pub edited: BlobUrl,
}

/// Fetch the images of `rows` of `file`, as object URLs by row: as stored, or as
/// thumbnails `thumb` pixels wide.
pub async fn load(file: String, rows: Vec<u64>, thumb: Option<u32>) -> Result<Vec<Arc<PairUrls>>, String> {
    let (reply, blobs) = client::request(Request::Images { file, rows, thumb }).await?;
    let Reply::Images { images } = reply else { return Err("unexpected reply from the worker".into()) };
    Ok(images
        .into_iter()
        .enumerate()
        .filter_map(|(i, info)| {
            let source = BlobUrl::new(blobs.get(2 * i)?)?;
            let edited = BlobUrl::new(blobs.get(2 * i + 1)?)?;
            Some(Arc::new(PairUrls { info, source, edited }))
        })
        .collect())
}
