//! Imaging: what the gallery needs to know about encoded image bytes (format from magic
//! bytes, so the browser gets the right MIME type) and the one place it decodes pixels:
//! the difference between a pair's two images.

pub mod diff;
pub mod frame;
pub mod shrink;
pub mod sniff;

/// The size of a thumbnail `target` pixels wide of an image of `(width, height)`: the
/// aspect kept, never larger than the image, at least 1 × 1.
pub fn thumb_size((w, h): (u32, u32), target: u32) -> (u32, u32) {
    if w <= target || w == 0 {
        return (w.max(1), h.max(1));
    }
    let height = (u64::from(h) * u64::from(target) + u64::from(w) / 2) / u64::from(w);
    (target, (height as u32).max(1))
}

/// The size to ask a browser's image decoder for so that an image of `(width, height)`
/// comes out at least `target` pixels wide and as small as it can: `None` when only a full
/// decode does. A JPEG decoder scales by n/8 in the DCT and picks the largest n whose
/// decoded area fits in the area asked for (Chromium: `floor(8 · sqrt(asked / area))`), so
/// asking for exactly the thumbnail's size gives one narrower than it; this asks for the
/// image at the smallest n/8 that is wide enough, rounded up.
pub fn scaled_decode_size((w, h): (u32, u32), target: u32) -> Option<(u32, u32)> {
    if w == 0 || h == 0 {
        return None;
    }
    // The smallest n with ceil(w · n / 8) ≥ target (decoders round the scaled size up).
    let n = u64::from(target.saturating_sub(1)) * 8 / u64::from(w) + 1;
    if n >= 8 {
        return None;
    }
    let scaled = |d: u32| (u64::from(d) * n).div_ceil(8) as u32;
    Some((scaled(w), scaled(h)))
}

#[cfg(test)]
mod tests {
    use super::{scaled_decode_size, thumb_size};

    /// The JPEG scale a decoder asked for `asked` picks for an image of `size`, as
    /// Chromium computes it, and the width it then decodes to.
    fn decoded_width(size: (u32, u32), asked: (u32, u32)) -> (u32, u32) {
        let ratio = (f64::from(asked.0) * f64::from(asked.1) / (f64::from(size.0) * f64::from(size.1))).sqrt();
        let n = ((ratio * 8.0).floor() as u32).clamp(1, 8);
        (n, (size.0 * n).div_ceil(8))
    }

    #[test]
    fn a_scaled_decode_comes_out_at_least_as_wide_as_the_thumbnail_and_at_the_smallest_scale() {
        for w in (200..4000).step_by(37) {
            for (h, target) in [(w * 3 / 4, 192), (w / 2 + 1, 144), (w, 256), (w * 2, 208)] {
                match scaled_decode_size((w, h), target) {
                    Some(asked) => {
                        let (n, got) = decoded_width((w, h), asked);
                        assert!(got >= target, "{w}×{h} for {target}: asked {asked:?}, decoded {got} wide");
                        // One eighth less would be too narrow: the smallest scale that serves.
                        assert!(n == 1 || (w * (n - 1)).div_ceil(8) < target, "{w}×{h} for {target}: {got} is not the smallest");
                    }
                    None => assert!(w * 7 / 8 < target, "{w} wide for {target}: a full decode only when 7/8 is too narrow"),
                }
            }
        }
        assert_eq!(scaled_decode_size((1373, 864), 192), Some((344, 216)));
        assert_eq!(scaled_decode_size((200, 150), 192), None);
        assert_eq!(scaled_decode_size((0, 150), 192), None);
    }

    #[test]
    fn thumbnails_keep_the_aspect_and_never_grow() {
        assert_eq!(thumb_size((2000, 1500), 256), (256, 192));
        assert_eq!(thumb_size((1000, 3), 256), (256, 1));
        assert_eq!(thumb_size((200, 100), 256), (200, 100));
        assert_eq!(thumb_size((0, 0), 256), (1, 1));
    }
}
