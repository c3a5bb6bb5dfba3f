//! Thumbnails for the grid: an image decoded and resized by the browser off the page's
//! thread (`createImageBitmap` with a target width), drawn on an `OffscreenCanvas` and
//! encoded as WebP. A card then holds a few tens of KB instead of a 2000×1500 bitmap, so
//! scrolling through thousands of pairs keeps the tab's memory bounded.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, ImageBitmap, ImageBitmapOptions, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d, ResizeQuality};

/// The MIME type thumbnails are encoded as.
pub const THUMB_MIME: &str = "image/webp";
/// WebP quality of thumbnails: no visible loss at card size, ~20–40 KB for 480 px.
const QUALITY: f64 = 0.82;
/// The widest thumbnail made; asking for more gets this.
pub const MAX_THUMB_WIDTH: u32 = 1024;

/// `image` (of `width` pixels) resized to `target` pixels wide, height in proportion.
pub async fn shrink(image: &Blob, target: u32) -> Result<Blob, JsValue> {
    let options = ImageBitmapOptions::new();
    options.set_resize_width(target.clamp(1, MAX_THUMB_WIDTH));
    options.set_resize_quality(ResizeQuality::Medium);
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let bitmap: ImageBitmap = JsFuture::from(scope.create_image_bitmap_with_blob_and_image_bitmap_options(image, &options)?).await?.dyn_into()?;
    let drawn = draw(&bitmap);
    bitmap.close();
    let canvas = drawn?;
    let encode = ImageEncodeOptions::new();
    encode.set_type(THUMB_MIME);
    encode.set_quality(QUALITY);
    JsFuture::from(canvas.convert_to_blob_with_options(&encode)?).await?.dyn_into()
}

fn draw(bitmap: &ImageBitmap) -> Result<OffscreenCanvas, JsValue> {
    let canvas = OffscreenCanvas::new(bitmap.width(), bitmap.height())?;
    let context: OffscreenCanvasRenderingContext2d =
        canvas.get_context("2d")?.ok_or_else(|| JsValue::from_str("no 2d context"))?.dyn_into()?;
    context.draw_image_with_image_bitmap(bitmap, 0.0, 0.0)?;
    Ok(canvas)
}
