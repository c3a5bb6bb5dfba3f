//! Image format from magic bytes. Cells hold raw encoded bytes of any format; the file
//! never says which.

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

#[cfg(test)]
mod tests {
    use super::*;

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
