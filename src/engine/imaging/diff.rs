//! The difference between a pair's two images: per-pixel change, the share of pixels that
//! changed more than a threshold, and a heatmap of them (transparent where nothing changed)
//! to lay over the source. Decoding is bounded in pixels and never panics on bad bytes:
//! every failure names the file, the row and which image.

use std::io::Cursor;

use image::codecs::png::{CompressionType, FilterType as PngFilter, PngEncoder};
use image::imageops::{self, FilterType};
use image::{ImageEncoder, ImageReader, Limits, Rgba, RgbaImage};

use crate::engine::error::{EngineError, EngineResult};
use crate::engine::imaging::sniff::too_many_pixels;

/// Images larger than this are not compared (40 megapixels: a decoded pair and its map stay
/// under half a gigabyte, which a browser tab can hold).
pub const MAX_PIXELS: u64 = 40_000_000;

/// Which image of the pair, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Which {
    Source,
    Edited,
}

impl Which {
    fn name(self) -> &'static str {
        match self {
            Which::Source => "source",
            Which::Edited => "edited",
        }
    }

    /// The column the image is in.
    pub fn column(self) -> &'static str {
        match self {
            Which::Source => crate::engine::shard::columns::SOURCE_IMAGE,
            Which::Edited => crate::engine::shard::columns::EDITED_IMAGE,
        }
    }
}

/// Where the pair comes from, so errors can say it.
#[derive(Debug, Clone, Copy)]
pub struct PairName<'a> {
    pub file: &'a str,
    pub row: u64,
}

impl PairName<'_> {
    /// The image `which` of this pair `detail` (the end of a sentence: "is empty").
    pub fn error(&self, which: Which, detail: String) -> EngineError {
        EngineError::Image {
            file: self.file.into(),
            row: self.row,
            which: which.name().into(),
            detail: format!("(column `{}`) {detail}", which.column()),
        }
    }
}

/// Decode `bytes` to RGBA, refusing images of more than `max_pixels` pixels before any
/// pixel memory is taken.
pub fn decode(bytes: &[u8], name: PairName, which: Which, max_pixels: u64) -> EngineResult<RgbaImage> {
    if bytes.is_empty() {
        return Err(name.error(which, "is empty (0 bytes)".into()));
    }
    let reader = || {
        ImageReader::new(Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| name.error(which, format!("could not be read: {e}")))
    };
    let probe = reader()?;
    if probe.format().is_none() {
        return Err(name.error(which, "is in a format the gallery cannot decode (PNG, JPEG and WebP are supported)".into()));
    }
    let (w, h) = probe.into_dimensions().map_err(|e| name.error(which, format!("could not be decoded: {e}")))?;
    let pixels = u64::from(w) * u64::from(h);
    if pixels > max_pixels {
        return Err(name.error(which, too_many_pixels(w, h, max_pixels, "the difference is computed for images up to")));
    }
    let mut limits = Limits::default();
    limits.max_image_width = Some(w);
    limits.max_image_height = Some(h);
    // The decoded image at up to 16 bits per channel with alpha, and room for the decoder.
    limits.max_alloc = Some(pixels * 8 + (64 << 20));
    let mut decoder = reader()?;
    decoder.limits(limits);
    let image = decoder.decode().map_err(|e| name.error(which, format!("could not be decoded: {e}")))?;
    Ok(image.to_rgba8())
}

/// How much each pixel changed, on the source's pixel grid.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChangeMap {
    pub width: u32,
    pub height: u32,
    /// The edited image had another size and was resized to the source's to compare.
    pub resized: bool,
    /// Per pixel, row by row: the largest change of any channel, 0–255.
    magnitude: Vec<u8>,
}

impl ChangeMap {
    /// Compare two decoded images; the edited one is resized to the source's size when they
    /// differ.
    pub fn new(source: &RgbaImage, edited: &RgbaImage) -> Self {
        let (width, height) = source.dimensions();
        let resized = edited.dimensions() != (width, height);
        let scaled;
        let edited = if resized {
            scaled = imageops::resize(edited, width, height, FilterType::Triangle);
            &scaled
        } else {
            edited
        };
        let magnitude = source
            .pixels()
            .zip(edited.pixels())
            .map(|(a, b)| a.0.iter().zip(b.0.iter()).map(|(x, y)| x.abs_diff(*y)).max().unwrap_or(0))
            .collect();
        Self { width, height, resized, magnitude }
    }

    /// Decode and compare a pair's encoded images.
    pub fn from_encoded(source: &[u8], edited: &[u8], name: PairName, max_pixels: u64) -> EngineResult<Self> {
        let s = decode(source, name, Which::Source, max_pixels)?;
        let e = decode(edited, name, Which::Edited, max_pixels)?;
        Ok(Self::new(&s, &e))
    }

    /// The change at (x, y), 0–255; `None` outside the map.
    pub fn at(&self, x: u32, y: u32) -> Option<u8> {
        if x >= self.width || y >= self.height {
            return None;
        }
        self.magnitude.get((y as usize) * (self.width as usize) + x as usize).copied()
    }

    /// Pixels that changed by more than `threshold`.
    pub fn changed(&self, threshold: u8) -> u64 {
        self.magnitude.iter().filter(|&&m| m > threshold).count() as u64
    }

    /// The share of pixels, 0–1, that changed by more than `threshold`.
    pub fn fraction(&self, threshold: u8) -> f64 {
        if self.magnitude.is_empty() {
            return 0.0;
        }
        self.changed(threshold) as f64 / self.magnitude.len() as f64
    }

    /// The heatmap: transparent where the change is at most `threshold`, from a translucent
    /// yellow (just above it) to an opaque red (everything changed).
    pub fn heatmap(&self, threshold: u8) -> RgbaImage {
        let mut out = RgbaImage::new(self.width, self.height);
        for (px, &m) in out.pixels_mut().zip(&self.magnitude) {
            *px = heat(m, threshold);
        }
        out
    }

    /// The heatmap as PNG bytes.
    pub fn heatmap_png(&self, threshold: u8, name: PairName) -> EngineResult<Vec<u8>> {
        let map = self.heatmap(threshold);
        let mut png = Vec::new();
        PngEncoder::new_with_quality(&mut png, CompressionType::Fast, PngFilter::Adaptive)
            .write_image(map.as_raw(), self.width, self.height, image::ExtendedColorType::Rgba8)
            .map_err(|e| EngineError::Image {
                file: name.file.into(),
                row: name.row,
                which: "difference".into(),
                detail: format!("map could not be encoded: {e}"),
            })?;
        Ok(png)
    }
}

/// The colour of a change of `m` under `threshold`.
fn heat(m: u8, threshold: u8) -> Rgba<u8> {
    if m <= threshold {
        return Rgba([0, 0, 0, 0]);
    }
    // 0 just above the threshold, 1 at the largest possible change.
    let t = f32::from(m - threshold) / f32::from(255 - threshold);
    let lerp = |a: f32, b: f32| (a + (b - a) * t).round() as u8;
    Rgba([255, lerp(230.0, 20.0), lerp(40.0, 60.0), lerp(140.0, 235.0)])
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::codecs::jpeg::JpegEncoder;

    const NAME: PairName = PairName { file: "2.1_object_addition/a_0000.parquet", row: 7 };

    /// A smooth gradient, so resizing it changes little.
    fn gradient(w: u32, h: u32) -> RgbaImage {
        RgbaImage::from_fn(w, h, |x, y| Rgba([(x * 255 / w.max(1)) as u8, (y * 255 / h.max(1)) as u8, 128, 255]))
    }

    fn png(img: &RgbaImage) -> Vec<u8> {
        let mut out = Vec::new();
        PngEncoder::new(&mut out)
            .write_image(img.as_raw(), img.width(), img.height(), image::ExtendedColorType::Rgba8)
            .unwrap();
        out
    }

    /// `source` with the rectangle x0..x1 × y0..y1 painted black.
    fn with_rectangle(source: &RgbaImage, x0: u32, x1: u32, y0: u32, y1: u32) -> RgbaImage {
        let mut e = source.clone();
        for y in y0..y1 {
            for x in x0..x1 {
                e.put_pixel(x, y, Rgba([0, 0, 0, 255]));
            }
        }
        e
    }

    #[test]
    fn a_changed_rectangle_is_marked_and_nothing_else() {
        let s = gradient(64, 48);
        let e = with_rectangle(&s, 10, 30, 5, 20);
        let map = ChangeMap::from_encoded(&png(&s), &png(&e), NAME, MAX_PIXELS).unwrap();
        assert_eq!((map.width, map.height, map.resized), (64, 48, false));
        let heat = map.heatmap(24);
        for (x, y, px) in heat.enumerate_pixels() {
            let inside = (10..30).contains(&x) && (5..20).contains(&y);
            // The gradient's red and green reach 128+ in most of the rectangle; near the
            // origin they are small, but the blue channel (128) always changes.
            assert_eq!(px.0[3] > 0, inside, "pixel ({x}, {y}) alpha {}", px.0[3]);
        }
        assert_eq!(map.changed(24), 20 * 15);
        assert!((map.fraction(24) - (20.0 * 15.0) / (64.0 * 48.0)).abs() < 1e-12);
    }

    #[test]
    fn identical_images_change_nothing() {
        let s = gradient(33, 17);
        let map = ChangeMap::new(&s, &s);
        assert_eq!(map.fraction(0), 0.0);
        assert!(map.heatmap(0).pixels().all(|p| p.0[3] == 0));
    }

    #[test]
    fn a_higher_threshold_never_counts_more() {
        let s = gradient(40, 30);
        let e = RgbaImage::from_fn(40, 30, |x, y| {
            let p = s.get_pixel(x, y).0;
            Rgba([p[0].saturating_add((x * 6) as u8), p[1], p[2], 255])
        });
        let map = ChangeMap::new(&s, &e);
        let counts: Vec<u64> = (0..=255u8).map(|t| map.changed(t)).collect();
        assert!(counts.windows(2).all(|w| w[0] >= w[1]), "{counts:?}");
        assert!(counts[0] > 0);
        assert_eq!(map.changed(255), 0);
    }

    #[test]
    fn an_edited_image_of_another_size_is_resized_and_flagged() {
        let s = gradient(64, 48);
        let big = with_rectangle(&imageops::resize(&s, 128, 96, FilterType::Triangle), 64, 128, 0, 96);
        let map = ChangeMap::from_encoded(&png(&s), &png(&big), NAME, MAX_PIXELS).unwrap();
        assert_eq!((map.width, map.height, map.resized), (64, 48, true));
        // The right half changed (with a column of blur at the seam), the left did not.
        let f = map.fraction(24);
        assert!((0.45..0.56).contains(&f), "{f}");
        assert!(map.at(5, 5).unwrap() <= 24);
        assert!(map.at(60, 40).unwrap() > 24);
        assert_eq!(map.at(64, 0), None);
    }

    #[test]
    fn a_jpeg_against_its_png_changes_little() {
        let s = gradient(64, 48);
        let mut jpeg = Vec::new();
        JpegEncoder::new_with_quality(&mut jpeg, 92)
            .write_image(image::DynamicImage::ImageRgba8(s.clone()).to_rgb8().as_raw(), 64, 48, image::ExtendedColorType::Rgb8)
            .unwrap();
        let map = ChangeMap::from_encoded(&png(&s), &jpeg, NAME, MAX_PIXELS).unwrap();
        assert!(map.fraction(24) < 0.01, "{}", map.fraction(24));
    }

    #[test]
    fn garbage_bytes_are_an_error_naming_file_row_and_image() {
        let s = png(&gradient(8, 8));
        for bad in [&b"<html>404</html>"[..], &[], &s[..s.len() / 2]] {
            let err = ChangeMap::from_encoded(&s, bad, NAME, MAX_PIXELS).unwrap_err();
            let text = err.to_string();
            assert!(text.starts_with("2.1_object_addition/a_0000.parquet: row 7: the edited image"), "{text}");
        }
        let err = ChangeMap::from_encoded(b"\xFF\xD8\xFFjunk", &s, NAME, MAX_PIXELS).unwrap_err();
        assert!(err.to_string().contains("the source image"), "{err}");
    }

    #[test]
    fn images_over_the_pixel_limit_are_refused_before_decoding() {
        let s = png(&gradient(100, 50));
        let err = decode(&s, NAME, Which::Source, 4_999).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("100×50") && text.contains("megapixels"), "{text}");
        assert!(decode(&s, NAME, Which::Source, 5_000).is_ok());
    }

    #[test]
    fn the_heatmap_png_is_transparent_where_nothing_changed() {
        let s = gradient(20, 10);
        let e = with_rectangle(&s, 0, 5, 0, 10);
        let map = ChangeMap::new(&s, &e);
        let bytes = map.heatmap_png(24, NAME).unwrap();
        let back = image::load_from_memory(&bytes).unwrap().to_rgba8();
        assert_eq!(back.dimensions(), (20, 10));
        assert_eq!(back.get_pixel(10, 5).0[3], 0);
        assert!(back.get_pixel(2, 5).0[3] > 0);
    }
}
