//! Thumbnails for the grid, made off the page's thread: an image decoded at (about) the
//! size shown, shrunk to it, and handed to the page as an `ImageBitmap` (its pixels move,
//! not copied), which a card's `<canvas>` takes over. A card then holds ~100 KB of pixels
//! instead of a 2000×1500 bitmap, and nothing is left behind when it goes: an `<img>` of
//! an encoded thumbnail would leave its decoded pixels in the browser's cache of decoded
//! images (~110 MB after a thousand of them), which a canvas does not use.
//!
//! Where the browser has WebCodecs' `ImageDecoder`, the image is decoded straight from
//! its bytes with a desired size: a JPEG is then decoded at an n/8 scale in the DCT, the
//! smallest wide enough for the thumbnail ([`scaled_decode_size`]): a fraction of the time
//! and memory of a full decode, and no copy of the original into a Blob first. Other
//! formats are decoded whole. The frame's pixels are then copied out a band of rows at a
//! time and shrunk by area averaging ([`Shrink`]). Elsewhere, or when that fails,
//! `createImageBitmap` of a Blob with a target width does it.

use std::cell::RefCell;

use js_sys::{Array, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, BlobPropertyBag, ImageBitmap, ImageBitmapOptions, ImageData, OffscreenCanvas, OffscreenCanvasRenderingContext2d, ResizeQuality};

use crate::engine::imaging::shrink::Shrink;
use crate::engine::imaging::{scaled_decode_size, thumb_size};

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
    /// `copyTo(destination, {rect, format})`: the frame's pixels, converted as asked.
    #[wasm_bindgen(method, js_name = copyTo, catch)]
    fn copy_to(this: &Frame, destination: &Uint8Array, options: &Object) -> Result<Promise, JsValue>;
    #[wasm_bindgen(method, js_name = close)]
    fn close_frame(this: &Frame);
}

/// The image (`bytes` of type `mime`, `size` pixels) at `target` pixels wide (or its own
/// width when narrower), height in proportion, as an `ImageBitmap` to hand to the page.
pub async fn thumbnail(bytes: &[u8], mime: &str, size: (u32, u32), target: u32) -> Result<ImageBitmap, JsValue> {
    let target = target.clamp(1, MAX_THUMB_WIDTH);
    // At a reduced scale when the size is known; a decoder that went below the target
    // (it picks the scale) decodes again at full size.
    let known = size.0 > 0 && size.1 > 0;
    let reduced = if known { decoded(bytes, mime, Some(size), target).await } else { Err(JsValue::NULL) };
    match reduced {
        Ok(b) => Ok(b),
        Err(_) => match decoded(bytes, mime, None, target).await {
            Ok(b) => Ok(b),
            Err(_) => resized_bitmap(bytes, mime, target).await,
        },
    }
}

/// Decode with `ImageDecoder` (at about the target size when the image's `size` is given)
/// and make it exactly the thumbnail's size. A reduced decode smaller than the thumbnail
/// is an error.
async fn decoded(bytes: &[u8], mime: &str, size: Option<(u32, u32)>, target: u32) -> Result<ImageBitmap, JsValue> {
    let scope = js_sys::global();
    if !Reflect::has(&scope, &"ImageDecoder".into())? {
        return Err("no ImageDecoder".into());
    }
    let init = Object::new();
    Reflect::set(&init, &"type".into(), &mime.into())?;
    let wanted = size.map(|s| thumb_size(s, target));
    if let Some((w, h)) = size.and_then(|s| scaled_decode_size(s, target)) {
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
    let (fw, fh) = frame_size(&frame)?;
    let shrunk = match wanted {
        Some((w, _)) if fw < w => Err(JsValue::from_str("decoded below the thumbnail's size")),
        _ => shrunk(&frame, (fw, fh), thumb_size((fw, fh), target)).await,
    };
    frame.close_frame();
    shrunk
}

thread_local! {
    /// The canvas every thumbnail is put on and taken off again as a bitmap, with its
    /// context: making a canvas and its context costs about a millisecond, more than the
    /// rest of a thumbnail's work on this thread.
    static CANVAS: RefCell<Option<(OffscreenCanvas, OffscreenCanvasRenderingContext2d)>> = const { RefCell::new(None) };
}

/// The bitmap `draw` puts on a canvas of `width` × `height` pixels (blank before it draws).
/// The canvas is reused: nothing may await between sizing it and taking the bitmap off,
/// which this function makes sure of by taking a plain closure.
fn on_canvas(width: u32, height: u32, draw: impl FnOnce(&OffscreenCanvasRenderingContext2d) -> Result<(), JsValue>) -> Result<ImageBitmap, JsValue> {
    CANVAS.with(|slot| {
        let mut slot = slot.borrow_mut();
        if slot.is_none() {
            let canvas = OffscreenCanvas::new(width, height)?;
            let context = canvas.get_context("2d")?.ok_or_else(|| JsValue::from_str("no 2d context"))?.dyn_into()?;
            *slot = Some((canvas, context));
        }
        let Some((canvas, context)) = slot.as_ref() else { return Err("no canvas".into()) };
        // Taking the bitmap off left the canvas blank; a new size does too.
        if canvas.width() != width {
            canvas.set_width(width);
        }
        if canvas.height() != height {
            canvas.set_height(height);
        }
        draw(context)?;
        canvas.transfer_to_image_bitmap()
    })
}

/// The frame's pixel size; an error for a frame shown rotated or mirrored (its pixels are
/// then not in the order shown).
fn frame_size(frame: &Frame) -> Result<(u32, u32), JsValue> {
    let turned = Reflect::get(frame, &"rotation".into())?.as_f64().is_some_and(|r| r != 0.0);
    let mirrored = Reflect::get(frame, &"flip".into())?.as_bool() == Some(true);
    if turned || mirrored {
        return Err("a rotated or mirrored frame".into());
    }
    let rect = Reflect::get(frame, &"visibleRect".into())?;
    let dim = |name: &str| Reflect::get(&rect, &name.into()).ok().and_then(|v| v.as_f64()).map(|v| v as u32);
    match (dim("width"), dim("height")) {
        (Some(w), Some(h)) if w > 0 && h > 0 => Ok((w, h)),
        _ => Err("a frame without a visible size".into()),
    }
}

/// Bytes of RGBA copied out of a frame at a time: a band of rows this large.
const BAND_BYTES: u32 = 512 * 1024;

/// The frame (`size` pixels) shrunk to `to` by area averaging in [`Shrink`], its pixels
/// copied out as RGBA a band of rows at a time, and made a bitmap. Nothing is drawn: a
/// frame drawn onto a canvas (or made an `ImageBitmap`) leaves a full-size decoded copy in
/// the browser's cache of decoded images, which grew the tab by ~4 MB a pair.
async fn shrunk(frame: &Frame, (fw, fh): (u32, u32), to: (u32, u32)) -> Result<ImageBitmap, JsValue> {
    let mut shrink = Shrink::new((fw, fh), to);
    // Even, but never taller than the frame (a small frame is copied at once).
    let band = ((BAND_BYTES / (fw * 4)).max(2) & !1).min(fh);
    // Taken for this thumbnail alone: others are made meanwhile (their copies await too).
    let buffer = take_band_buffer(fw * band * 4);
    let mut rows = vec![0u8; (fw * band * 4) as usize];
    let mut y = 0;
    while y < fh {
        let n = band.min(fh - y);
        let rect = Object::new();
        for (k, v) in [("x", 0), ("y", y), ("width", fw), ("height", n)] {
            Reflect::set(&rect, &k.into(), &v.into())?;
        }
        let options = Object::new();
        Reflect::set(&options, &"rect".into(), &rect)?;
        Reflect::set(&options, &"format".into(), &"RGBA".into())?;
        let len = (fw * n * 4) as usize;
        let view = buffer.subarray(0, len as u32);
        JsFuture::from(frame.copy_to(&view, &options)?).await?;
        view.copy_to(&mut rows[..len]);
        shrink.rows(&rows[..len]);
        y += n;
    }
    give_back_band_buffer(buffer);
    let (w, h) = shrink.size();
    let pixels = shrink.finish();
    let image = pixels_of(w, h, &pixels)?;
    on_canvas(w, h, |context| context.put_image_data_with_dirty_x_and_dirty_y_and_dirty_width_and_dirty_height(&image, 0.0, 0.0, 0.0, 0.0, f64::from(w), f64::from(h)))
}

thread_local! {
    /// Buffers frames are copied out into, and the `ImageData` thumbnails are put on the
    /// canvas from, kept from one thumbnail to the next: new ones for each would be
    /// hundreds of KB of garbage a thumbnail, left for the worker's collector (tens of MB
    /// of it waiting while a grid loads).
    static BANDS: RefCell<Vec<Uint8Array>> = const { RefCell::new(Vec::new()) };
    static PIXELS: RefCell<Option<ImageData>> = const { RefCell::new(None) };
}

/// A buffer of at least `len` bytes, from those kept or new.
fn take_band_buffer(len: u32) -> Uint8Array {
    BANDS.with(|kept| {
        let mut kept = kept.borrow_mut();
        match kept.iter().position(|b| b.length() >= len) {
            Some(i) => kept.swap_remove(i),
            None => Uint8Array::new_with_length(len),
        }
    })
}

/// Keep `buffer` for a later thumbnail: as many as are made at once, the largest.
fn give_back_band_buffer(buffer: Uint8Array) {
    BANDS.with(|kept| {
        let mut kept = kept.borrow_mut();
        kept.push(buffer);
        kept.sort_by_key(|b| std::cmp::Reverse(b.length()));
        kept.truncate(super::THUMBS_AT_ONCE * 2);
    })
}

/// An `ImageData` `width` pixels wide whose first `height` rows hold `pixels` (RGBA): the
/// kept one when it is as wide and at least as tall (thumbnails of a grid share a width),
/// else a new one, kept in its place.
fn pixels_of(width: u32, height: u32, pixels: &[u8]) -> Result<ImageData, JsValue> {
    PIXELS.with(|slot| {
        let mut slot = slot.borrow_mut();
        let image = match slot.take() {
            Some(i) if i.width() == width && i.height() >= height => i,
            // As tall as the tallest of this width so far: heights vary with the aspect.
            Some(i) if i.width() == width => ImageData::new_with_sw(width, height.max(i.height()))?,
            _ => ImageData::new_with_sw(width, height)?,
        };
        let data: js_sys::Uint8ClampedArray = Reflect::get(&image, &"data".into())?.unchecked_into();
        data.subarray(0, (width * height * 4).min(data.length())).copy_from(&pixels[..(width * height * 4) as usize]);
        *slot = Some(image.clone());
        Ok(image)
    })
}

/// `createImageBitmap` of a Blob of the bytes, resized by the browser.
async fn resized_bitmap(bytes: &[u8], mime: &str, target: u32) -> Result<ImageBitmap, JsValue> {
    let parts = Array::of1(&Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type(mime);
    let image = Blob::new_with_u8_array_sequence_and_options(&parts, &options)?;
    let bitmap_options = ImageBitmapOptions::new();
    bitmap_options.set_resize_width(target);
    bitmap_options.set_resize_quality(ResizeQuality::Medium);
    let scope: web_sys::WorkerGlobalScope = js_sys::global().unchecked_into();
    let bitmap: ImageBitmap = JsFuture::from(scope.create_image_bitmap_with_blob_and_image_bitmap_options(&image, &bitmap_options)?).await?.dyn_into()?;
    let drawn = on_canvas(bitmap.width(), bitmap.height(), |context| context.draw_image_with_image_bitmap(&bitmap, 0.0, 0.0));
    bitmap.close();
    drawn
}
