//! Image format from magic bytes, and what an image's header says of its size. Cells hold
//! raw encoded bytes of any format; the file never says which. Nothing here decodes
//! pixels: the header check reads a few hundred bytes at most, so it can run on every
//! image handed to the page.

use std::io::Cursor;

/// Images larger than this are not handed to the page: a browser decodes what it shows
/// at full size (40 megapixels is 160 MB of RGBA, the same bound as the difference's).
pub const MAX_SHOWN_PIXELS: u64 = 40_000_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Webp,
    Gif,
    Bmp,
    Avif,
    Unknown,
}

impl ImageFormat {
    pub fn sniff(bytes: &[u8]) -> Self {
        match bytes {
            [0xFF, 0xD8, 0xFF, ..] => Self::Jpeg,
            [0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A, ..] => Self::Png,
            [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => Self::Webp,
            [b'G', b'I', b'F', b'8', ..] => Self::Gif,
            [b'B', b'M', ..] => Self::Bmp,
            [_, _, _, _, b'f', b't', b'y', b'p', b'a', b'v', b'i', b'f', ..] => Self::Avif,
            _ => Self::Unknown,
        }
    }

    pub fn mime(self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Webp => "image/webp",
            Self::Gif => "image/gif",
            Self::Bmp => "image/bmp",
            Self::Avif => "image/avif",
            Self::Unknown => "application/octet-stream",
        }
    }
}

/// What an image's header says, without decoding it: its format and, for formats the
/// engine can read headers of, its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    pub format: ImageFormat,
    pub size: Option<(u32, u32)>,
}

/// Check that `bytes` look like an image a browser can show within `max_pixels`: a known
/// format whose header, when the engine can read it, gives a size within the limit. The
/// error says what is wrong, as the end of a sentence ("is empty", "is 60000×60000 …").
pub fn check(bytes: &[u8], max_pixels: u64) -> Result<Header, String> {
    if bytes.is_empty() {
        return Err("is empty (0 bytes)".into());
    }
    let format = ImageFormat::sniff(bytes);
    let size = match format {
        ImageFormat::Unknown => {
            let hint = if String::from_utf8_lossy(&bytes[..bytes.len().min(64)]).to_lowercase().contains("<html") {
                " — it looks like an HTML page"
            } else {
                ""
            };
            return Err(format!(
                "is in a format the gallery cannot show ({} bytes starting {}){hint}",
                bytes.len(),
                hex_head(bytes)
            ));
        }
        ImageFormat::Png | ImageFormat::Jpeg | ImageFormat::Webp => {
            let reader = image::ImageReader::new(Cursor::new(bytes))
                .with_guessed_format()
                .map_err(|e| format!("could not be read: {e}"))?;
            Some(reader.into_dimensions().map_err(|e| format!("has an unreadable header: {e}"))?)
        }
        ImageFormat::Gif => le_u16_pair(bytes, 6),
        ImageFormat::Bmp => bytes.get(18..26).map(|b| {
            let w = i32::from_le_bytes([b[0], b[1], b[2], b[3]]).unsigned_abs();
            let h = i32::from_le_bytes([b[4], b[5], b[6], b[7]]).unsigned_abs();
            (w, h)
        }),
        ImageFormat::Avif => None,
    };
    if let Some((w, h)) = size {
        let pixels = u64::from(w) * u64::from(h);
        if pixels > max_pixels {
            return Err(too_many_pixels(w, h, max_pixels, "the gallery shows images up to"));
        }
    }
    Ok(Header { format, size })
}

/// "is W×H (N megapixels); <what> M megapixels".
pub fn too_many_pixels(w: u32, h: u32, max_pixels: u64, what: &str) -> String {
    let pixels = u64::from(w) * u64::from(h);
    format!("is {w}×{h} ({:.1} megapixels); {what} {:.0} megapixels", pixels as f64 / 1e6, max_pixels as f64 / 1e6)
}

fn le_u16_pair(bytes: &[u8], at: usize) -> Option<(u32, u32)> {
    let b = bytes.get(at..at + 4)?;
    Some((u32::from(u16::from_le_bytes([b[0], b[1]])), u32::from(u16::from_le_bytes([b[2], b[3]]))))
}

fn hex_head(bytes: &[u8]) -> String {
    bytes.iter().take(8).map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_header_check_refuses_empty_unknown_and_oversized_images() {
        assert_eq!(check(b"", MAX_SHOWN_PIXELS).unwrap_err(), "is empty (0 bytes)");
        let html = check(b"<html>404</html>", MAX_SHOWN_PIXELS).unwrap_err();
        assert!(html.contains("cannot show") && html.contains("HTML page"), "{html}");
        // A GIF header of 60000×60000: refused from its first ten bytes.
        let gif = [b"GIF89a".as_slice(), &60000u16.to_le_bytes(), &60000u16.to_le_bytes()].concat();
        assert_eq!(check(&gif, MAX_SHOWN_PIXELS).unwrap_err(), "is 60000×60000 (3600.0 megapixels); the gallery shows images up to 40 megapixels");
        let small = [b"GIF89a".as_slice(), &20u16.to_le_bytes(), &10u16.to_le_bytes()].concat();
        assert_eq!(check(&small, MAX_SHOWN_PIXELS).unwrap(), Header { format: ImageFormat::Gif, size: Some((20, 10)) });
        assert!(check(b"\x89PNG\r\n\x1a\n", MAX_SHOWN_PIXELS).unwrap_err().starts_with("has an unreadable header"));
    }

    #[test]
    fn formats_are_told_by_their_magic() {
        assert_eq!(ImageFormat::sniff(&[0xFF, 0xD8, 0xFF, 0xE0, 0]), ImageFormat::Jpeg);
        assert_eq!(ImageFormat::sniff(b"\x89PNG\r\n\x1a\n...."), ImageFormat::Png);
        assert_eq!(ImageFormat::sniff(b"RIFF\0\0\0\0WEBPVP8 "), ImageFormat::Webp);
        assert_eq!(ImageFormat::sniff(b"<html>"), ImageFormat::Unknown);
        assert_eq!(ImageFormat::sniff(b""), ImageFormat::Unknown);
        assert_eq!(ImageFormat::Webp.mime(), "image/webp");
    }
}
