//! Images from the worker as the views take them: Blobs turned into object URLs, and
//! thumbnails as bitmaps for a card's canvas. Both are let go when the last view holding
//! them goes away (they live inside signals, which drop them on cleanup).

use std::cell::RefCell;
use std::collections::HashMap;
use std::sync::Arc;

use web_sys::{Blob, ImageBitmap, Url};

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

/// Fetch the images of `rows` of `file` as stored, as object URLs by row (thumbnails for
/// the grid: [`load_thumbs`]).
pub async fn load(file: String, rows: Vec<u64>) -> Result<Vec<Arc<PairUrls>>, String> {
    let (reply, blobs) = client::request(Request::Images { file, rows, thumb: None, ask_above: None }).await?;
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

thread_local! {
    /// Thumbnails not yet shown, by ticket: bitmaps live on this thread only, while the
    /// signals that carry them across views want values they can share.
    static BITMAPS: RefCell<(u64, HashMap<u64, ImageBitmap>)> = RefCell::new((0, HashMap::new()));
}

/// A thumbnail from the worker, waiting for the canvas that shows it; closed (its pixels
/// freed) on drop if no canvas took it.
#[derive(Debug)]
pub struct Bitmap {
    ticket: u64,
    pub width: u32,
    pub height: u32,
}

impl Bitmap {
    fn new(bitmap: ImageBitmap) -> Self {
        let (width, height) = (bitmap.width(), bitmap.height());
        let ticket = BITMAPS.with(|b| {
            let (next, held) = &mut *b.borrow_mut();
            *next += 1;
            held.insert(*next, bitmap);
            *next
        });
        Self { ticket, width, height }
    }

    /// The bitmap, to hand to a canvas (which takes its pixels over); `None` once taken.
    pub fn take(&self) -> Option<ImageBitmap> {
        BITMAPS.with(|b| b.borrow_mut().1.remove(&self.ticket))
    }
}

impl Drop for Bitmap {
    fn drop(&mut self) {
        if let Some(b) = self.take() {
            b.close();
        }
    }
}

/// One side of a card: a thumbnail, or the image as stored (small images, refusals).
#[derive(Debug)]
pub enum Picture {
    Thumb(Bitmap),
    Stored(BlobUrl),
}

#[derive(Debug)]
pub struct PairThumbs {
    pub info: ImagePair,
    pub source: Picture,
    pub edited: Picture,
}

impl PairThumbs {
    /// The edited image's picture when `edited`, else the source's.
    pub fn side(&self, edited: bool) -> &Picture {
        if edited {
            &self.edited
        } else {
            &self.source
        }
    }
}

/// What [`load_thumbs`] brought.
pub enum Thumbs {
    /// The pairs, by row.
    Shown(Vec<Arc<PairThumbs>>),
    /// Nothing fetched: the images would cost this, over the limit asked.
    Costly(crate::protocol::Cost),
}

/// Fetch thumbnails `thumb` pixels wide of the images of `rows` of `file`, by row; none
/// when they would cost more than `ask_above` bytes. Asked at once, like
/// [`client::request`].
pub fn load_thumbs(file: String, rows: Vec<u64>, thumb: u32, ask_above: Option<u64>) -> impl std::future::Future<Output = Result<Thumbs, String>> {
    let answer = client::request_pictures(Request::Images { file, rows, thumb: Some(thumb), ask_above });
    async move {
        let (reply, blobs, mut bitmaps) = answer.await?;
        let images = match reply {
            Reply::Images { images } => images,
            Reply::Cost { cost } => return Ok(Thumbs::Costly(cost)),
            _ => return Err("unexpected reply from the worker".into()),
        };
        let mut picture = |i: usize| match bitmaps.get_mut(i).and_then(Option::take) {
            Some(b) => Some(Picture::Thumb(Bitmap::new(b))),
            None => BlobUrl::new(blobs.get(i)?).map(Picture::Stored),
        };
        let mut out = Vec::with_capacity(images.len());
        for (i, info) in images.into_iter().enumerate() {
            if let (Some(source), Some(edited)) = (picture(2 * i), picture(2 * i + 1)) {
                out.push(Arc::new(PairThumbs { info, source, edited }));
            }
        }
        Ok(Thumbs::Shown(out))
    }
}
