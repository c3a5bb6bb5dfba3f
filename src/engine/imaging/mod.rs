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

#[cfg(test)]
mod tests {
    use super::thumb_size;

    #[test]
    fn thumbnails_keep_the_aspect_and_never_grow() {
        assert_eq!(thumb_size((2000, 1500), 256), (256, 192));
        assert_eq!(thumb_size((1000, 3), 256), (256, 1));
        assert_eq!(thumb_size((200, 100), 256), (200, 100));
        assert_eq!(thumb_size((0, 0), 256), (1, 1));
    }
}
