//! A demo sample before it becomes a row: instruction, source and edited pictures, the
//! file format each is stored in, and optional hand-set quality scores.

use std::io::Cursor;

use image::codecs::jpeg::JpegEncoder;
use image::codecs::png::{CompressionType, FilterType, PngEncoder};
use image::codecs::webp::WebPEncoder;
use image::{ExtendedColorType, ImageEncoder};

use super::raster::Img;
use crate::cli::CliResult;

/// JPEG quality of the demo's pictures.
const JPEG_QUALITY: u8 = 82;

/// How a picture is encoded in the shard.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Jpeg,
    Png,
    /// Lossless WebP (the only WebP the `image` crate writes).
    Webp,
}

/// One instruction with its before/after pictures.
#[derive(Clone, Debug)]
pub struct Pair {
    pub instruction: String,
    pub source: Img,
    pub edited: Img,
    pub source_format: Format,
    pub edited_format: Format,
    /// Instruction following, consistency, quality; `None` lets the generator pick.
    pub scores: Option<[i64; 3]>,
}

impl Pair {
    /// A pair stored as two JPEGs.
    pub fn new(instruction: &str, source: Img, edited: Img) -> Pair {
        Pair {
            instruction: instruction.to_string(),
            source,
            edited,
            source_format: Format::Jpeg,
            edited_format: Format::Jpeg,
            scores: None,
        }
    }

    pub fn formats(mut self, source: Format, edited: Format) -> Pair {
        self.source_format = source;
        self.edited_format = edited;
        self
    }

    /// Fix the three scores (used for the few samples that fall below the quality bar).
    pub fn scored(mut self, scores: [i64; 3]) -> Pair {
        self.scores = Some(scores);
        self
    }
}

/// Encode a picture in the given format.
pub fn encode(img: &Img, format: Format) -> CliResult<Vec<u8>> {
    let rgb = img.to_rgb8();
    let mut out = Cursor::new(Vec::new());
    match format {
        Format::Jpeg => JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY).write_image(
            rgb.as_raw(),
            img.w,
            img.h,
            ExtendedColorType::Rgb8,
        )?,
        Format::Png => PngEncoder::new_with_quality(&mut out, CompressionType::Best, FilterType::Adaptive)
            .write_image(rgb.as_raw(), img.w, img.h, ExtendedColorType::Rgb8)?,
        Format::Webp => {
            WebPEncoder::new_lossless(&mut out).write_image(rgb.as_raw(), img.w, img.h, ExtendedColorType::Rgb8)?
        }
    }
    Ok(out.into_inner())
}
