//! Thumbnails for the grid, made off the page's thread: an image decoded at (about) the
//! size shown, drawn on an `OffscreenCanvas` and encoded as WebP. A card then holds a few
//! tens of KB instead of a 2000×1500 bitmap, so scrolling through thousands of pairs keeps
//! the tab's memory bounded.
//!
//! Where the browser has WebCodecs' `ImageDecoder`, the image is decoded straight from
//! its bytes with a desired size: a JPEG is then decoded at 1/2, 1/4 or 1/8 scale in the
//! DCT (a fraction of the time and memory of a full decode, and no copy of the original
//! into a Blob first); other formats are decoded whole and scaled by the draw. Elsewhere,
//! or when that fails, `createImageBitmap` of a Blob with a target width does it.

use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ImageBitmap, ImageBitmapOptions, ImageEncodeOptions, OffscreenCanvas, OffscreenCanvasRenderingContext2d, ResizeQuality};

use crate::engine::imaging::thumb_size;

/// The MIME type thumbnails are encoded as.
pub const THUMB_MIME: &str = "image/webp";
/// WebP quality of thumbnails: no visible loss at card size, ~20–40 KB for 480 px.
const QUALITY: f64 = 0.82;
/// The widest thumbnail made; asking for more gets this.
pub const MAX_THUMB_WIDTH: u32 = 1024;

#[wasm_bindgen]
extern "C" {
    /// WebCodecs' image decoder (not in every browser: looked up before use).
    #[wasm_bindgen(js_name = ImageDecoder)]
    type Decoder;
    #[wasm_bindgen(constructor, js_class = "ImageDecoder", catch)]
    fn new(init: &Object) -> Result<Decoder, JsValue>;
    #[wasm_bindgen(method, js_class = "ImageDecoder", catch)]
    fn decode(this: &Decoder) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, js_class = "ImageDecoder")]
    fn close(this: &Decoder);

    /// A decoded frame (a `VideoFrame`).
    type Frame;
    #[wasm_bindgen(method, getter, js_name = displayWidth)]
    fn display_width(this: &Frame) -> u32;
    #[wasm_bindgen(method, getter, js_name = displayHeight)]
    fn display_height(this: &Frame) -> u32;
    #[wasm_bindgen(method, js_name = close)]
    fn close_frame(this: &Frame);
}

/// The image (`bytes` of type `mime`, `size` pixels) resized to `target` pixels wide,
/// height in proportion, as WebP.
pub async fn shrink(bytes: &[u8], mime: &str, size: (u32, u32), target: u32) -> Result<Blob, JsValue> {
    let target = target.clamp(1, MAX_THUMB_WIDTH);
    // At a reduced scale when the size is known; a decoder that went below the target
    // (it picks the scale) decodes again at full size.
    let known = size.0 > 0 && size.1 > 0;
    let reduced = if known { decoded(bytes, mime, Some(size), target).await } else { Err(JsValue::NULL) };
    let canvas = match reduced {
        Ok(c) => c,
        Err(_) => match decoded(bytes, mime, None, target).await {
            Ok(c) => c,
            Err(_) => resized_bitmap(bytes, mime, target).await?,
        },
    };
    let encode = ImageEncodeOptions::new();
    encode.set_type(THUMB_MIME);
    encode.set_quality(QUALITY);
    JsFuture::from(canvas.convert_to_blob_with_options(&encode)?).await?.dyn_into()
}

/// Decode with `ImageDecoder` (at about the target size when the image's `size` is given)
/// and draw it at exactly the thumbnail's size. A reduced decode smaller than the thumbnail
/// is an error.
async fn decoded(bytes: &[u8], mime: &str, size: Option<(u32, u32)>, target: u32) -> Result<OffscreenCanvas, JsValue> {
    let scope = js_sys::global();
    if !Reflect::has(&scope, &"ImageDecoder".into())? {
        return Err("no ImageDecoder".into());
    }
    let init = Object::new();
    Reflect::set(&init, &"type".into(), &mime.into())?;
    let wanted = size.map(|s| thumb_size(s, target));
    if let Some((w, h)) = wanted {
        Reflect::set(&init, &"desiredWidth".into(), &w.into())?;
        Reflect::set(&init, &"desiredHeight".into(), &h.into())?;
    }
    // SAFETY: the view is read by the constructor, which copies the bytes before it
    // returns; nothing allocates in between.
    let data = unsafe { Uint8Array::view(bytes) };
    Reflect::set(&init, &"data".into(), &data)?;
    let decoder = Decoder::new(&init)?;
    let result = match decoder.decode() {
        Ok(p) => JsFuture::from(p).await,
        Err(e) => Err(e),
    };
    decoder.close();
    let frame: Frame = Reflect::get(&result?, &"image".into())?.unchecked_into();
    let (fw, fh) = (frame.display_width(), frame.display_height());
    let drawn = match wanted {
        Some((w, _)) if fw < w => Err(JsValue::from_str("decoded below the thumbnail's size")),
        _ => draw_frame(&frame, thumb_size((fw, fh), target)),
    };
    frame.close_frame();
    drawn
}

fn context(canvas: &OffscreenCanvas) -> Result<OffscreenCanvasRenderingContext2d, JsValue> {
    Ok(canvas.get_context("2d")?.ok_or_else(|| JsValue::from_str("no 2d context"))?.dyn_into()?)
}

fn draw_frame(frame: &Frame, (w, h): (u32, u32)) -> Result<OffscreenCanvas, JsValue> {
    let canvas = OffscreenCanvas::new(w, h)?;
    let ctx = context(&canvas)?;
    // Formats decoded at full size are scaled by the draw: the smoothest filter.
    Reflect::set(&ctx, &"imageSmoothingQuality".into(), &"high".into())?;
    // drawImage(VideoFrame, dx, dy, dw, dh): web-sys types it only behind unstable APIs.
    let draw: Function = Reflect::get(&ctx, &"drawImage".into())?.dyn_into()?;
    let args = Array::of5(frame, &0.into(), &0.into(), &w.into(), &h.into());
    draw.apply(&ctx, &args)?;
    Ok(canvas)
}

/// `createImageBitmap` of a Blob of the bytes, resized by the browser.
async fn resized_bitmap(bytes: &[u8], mime: &str, target: u32) -> Result<OffscreenCanvas, JsValue> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let image = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let bitmap_options = ImageBitmapOptions::new();
    bitmap_options.set_resize_width(target);
    bitmap_options.set_resize_quality(ResizeQuality::Medium);
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let bitmap: ImageBitmap = JsFuture::from(scope.create_image_bitmap_with_blob_and_image_bitmap_options(&image, &bitmap_options)?).await?.dyn_into()?;
    let drawn = draw_bitmap(&bitmap);
    bitmap.close();
    drawn
}

fn draw_bitmap(bitmap: &ImageBitmap) -> Result<OffscreenCanvas, JsValue> {
    let canvas = OffscreenCanvas::new(bitmap.width(), bitmap.height())?;
    context(&canvas)?.draw_image_with_image_bitmap(bitmap, 0.0, 0.0)?;
    Ok(canvas)
}
