//! Downscaling RGBA pixels by area averaging, fed a band of rows at a time, so that a
//! thumbnail of a large image is made while only a few rows of the image are held.
//!
//! Every output pixel is the average of the source area it covers (fractional source
//! pixels at its edges weighted by how much of them it covers), computed on premultiplied
//! alpha so transparent pixels do not bleed their colour into their neighbours. For
//! reductions by any factor this is the filter with no aliasing and no ringing.

/// A shrink of a `from` image to `to` pixels (neither larger in any dimension), fed rows
/// top to bottom with [`Shrink::rows`] and finished with [`Shrink::finish`].
#[derive(Debug)]
pub struct Shrink {
    from: (u32, u32),
    to: (u32, u32),
    /// For each source column: the output column its left part falls in, and the share
    /// (in output-pixel units) of it that falls there; the rest falls in the next column.
    columns: Vec<(u32, f32, f32)>,
    /// The source row next expected.
    row: u32,
    /// Premultiplied sums of the output row being made and of the one after it.
    current: Vec<f32>,
    next: Vec<f32>,
    /// One source row, horizontally reduced.
    line: Vec<f32>,
    /// Finished output rows, RGBA.
    out: Vec<u8>,
}

impl Shrink {
    /// A shrink from `from` to `to` pixels; `to` is clamped to `1..=from` in each dimension.
    pub fn new(from: (u32, u32), to: (u32, u32)) -> Self {
        let from = (from.0.max(1), from.1.max(1));
        let to = (to.0.clamp(1, from.0), to.1.clamp(1, from.1));
        let scale = to.0 as f64 / from.0 as f64;
        let columns = (0..from.0)
            .map(|x| {
                let (start, end) = (x as f64 * scale, (x + 1) as f64 * scale);
                let first = (start.floor() as u32).min(to.0 - 1);
                let split = ((first + 1) as f64).min(end);
                (first, (split - start) as f32, (end - split) as f32)
            })
            .collect();
        let width = to.0 as usize * 4;
        Self {
            from,
            to,
            columns,
            row: 0,
            current: vec![0.0; width],
            next: vec![0.0; width],
            line: vec![0.0; width],
            out: Vec::with_capacity(width * to.1 as usize),
        }
    }

    /// The output size.
    pub fn size(&self) -> (u32, u32) {
        self.to
    }

    /// Feed the next rows of the source: `pixels` holds whole rows of RGBA, `from.0` pixels
    /// each. Rows past the source's height are ignored.
    pub fn rows(&mut self, pixels: &[u8]) {
        let stride = self.from.0 as usize * 4;
        let scale = self.to.1 as f64 / self.from.1 as f64;
        for src in pixels.chunks_exact(stride) {
            if self.row >= self.from.1 {
                return;
            }
            self.line.iter_mut().for_each(|v| *v = 0.0);
            for (p, &(col, left, right)) in src.chunks_exact(4).zip(&self.columns) {
                // Opaque pixels (every pixel of a JPEG) need no premultiplying.
                let px = if p[3] == 255 {
                    [f32::from(p[0]), f32::from(p[1]), f32::from(p[2]), 255.0]
                } else {
                    let a = f32::from(p[3]) / 255.0;
                    [f32::from(p[0]) * a, f32::from(p[1]) * a, f32::from(p[2]) * a, f32::from(p[3])]
                };
                let at = col as usize * 4;
                for c in 0..4 {
                    self.line[at + c] += px[c] * left;
                }
                if right > 0.0 && at + 4 < self.line.len() {
                    for c in 0..4 {
                        self.line[at + 4 + c] += px[c] * right;
                    }
                }
            }
            let (start, end) = (self.row as f64 * scale, (self.row + 1) as f64 * scale);
            let out_row = self.out.len() / (self.to.0 as usize * 4);
            let split = ((out_row + 1) as f64).min(end);
            let (up, down) = ((split - start) as f32, (end - split) as f32);
            for (acc, v) in self.current.iter_mut().zip(&self.line) {
                *acc += v * up;
            }
            for (acc, v) in self.next.iter_mut().zip(&self.line) {
                *acc += v * down;
            }
            self.row += 1;
            // The output row is complete when this source row reached its bottom edge.
            if end >= (out_row + 1) as f64 - 1e-9 && out_row < self.to.1 as usize {
                self.emit();
            }
        }
    }

    /// Move the finished output row to `out` and start the next one.
    fn emit(&mut self) {
        for px in self.current.chunks_exact(4) {
            let alpha = px[3];
            if alpha <= 0.0 {
                self.out.extend_from_slice(&[0, 0, 0, 0]);
                continue;
            }
            let unpremultiply = 255.0 / alpha;
            for &c in &px[..3] {
                self.out.push((c * unpremultiply).round().clamp(0.0, 255.0) as u8);
            }
            self.out.push(alpha.round().clamp(0.0, 255.0) as u8);
        }
        std::mem::swap(&mut self.current, &mut self.next);
        self.next.iter_mut().for_each(|v| *v = 0.0);
    }

    /// The output, RGBA, `to.0 × to.1` pixels; rows the source never reached are transparent.
    pub fn finish(mut self) -> Vec<u8> {
        self.out.resize(self.to.0 as usize * self.to.1 as usize * 4, 0);
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::Shrink;

    fn image(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 4]) -> Vec<u8> {
        let f = &f;
        (0..h).flat_map(|y| (0..w).flat_map(move |x| f(x, y))).collect()
    }

    fn shrink_in_bands(pixels: &[u8], from: (u32, u32), to: (u32, u32), band: u32) -> Vec<u8> {
        let mut s = Shrink::new(from, to);
        for rows in pixels.chunks(from.0 as usize * 4 * band as usize) {
            s.rows(rows);
        }
        s.finish()
    }

    #[test]
    fn halving_averages_each_two_by_two_block() {
        // Columns alternate 0 and 200, rows alternate +0 and +40: every 2×2 block averages
        // to 120 in red; green is the row index doubled, so blocks average to 4·oy + 1.
        let px = image(4, 4, |x, y| [if x % 2 == 0 { 0 } else { 200 } + if y % 2 == 0 { 0 } else { 40 }, (2 * y) as u8, 7, 255]);
        let out = shrink_in_bands(&px, (4, 4), (2, 2), 1);
        assert_eq!(out, vec![120, 1, 7, 255, 120, 1, 7, 255, 120, 5, 7, 255, 120, 5, 7, 255]);
    }

    #[test]
    fn uneven_factors_weigh_the_pixels_cut_by_an_edge() {
        // 3 → 2 pixels: the first output pixel is source 0 whole and half of source 1.
        let px = image(3, 1, |x, _| [[0, 90, 180][x as usize], 0, 0, 255]);
        let out = shrink_in_bands(&px, (3, 1), (2, 1), 1);
        assert_eq!(&out[..], &[30, 0, 0, 255, 150, 0, 0, 255]);
    }

    #[test]
    fn the_band_size_does_not_change_the_result() {
        let (w, h) = (301, 217);
        let px = image(w, h, |x, y| [(x * 7 + y * 3) as u8, (x ^ y) as u8, (x * y) as u8, 255 - (y % 50) as u8]);
        let whole = shrink_in_bands(&px, (w, h), (96, 69), h);
        for band in [1, 2, 7, 64] {
            assert_eq!(shrink_in_bands(&px, (w, h), (96, 69), band), whole, "band of {band} rows");
        }
        assert_eq!(whole.len(), 96 * 69 * 4);
    }

    #[test]
    fn a_flat_image_stays_flat_at_any_size() {
        let px = image(1000, 751, |_, _| [10, 200, 99, 255]);
        let out = shrink_in_bands(&px, (1000, 751), (192, 144), 64);
        assert!(out.chunks_exact(4).all(|p| p == [10, 200, 99, 255]), "every pixel unchanged");
    }

    #[test]
    fn transparent_pixels_do_not_bleed_their_colour() {
        // Opaque red beside fully transparent green: the average is red at half alpha.
        let px = image(2, 1, |x, _| if x == 0 { [255, 0, 0, 255] } else { [0, 255, 0, 0] });
        assert_eq!(shrink_in_bands(&px, (2, 1), (1, 1), 1), vec![255, 0, 0, 128]);
    }

    #[test]
    fn targets_larger_than_the_image_are_clamped_and_rows_missing_stay_transparent() {
        let px = image(4, 4, |_, _| [1, 2, 3, 255]);
        let s = Shrink::new((4, 4), (8, 2));
        assert_eq!(s.size(), (4, 2));
        let mut s = Shrink::new((4, 4), (2, 2));
        s.rows(&px[..4 * 4 * 2]);
        let out = s.finish();
        assert_eq!(&out[..8], &[1, 2, 3, 255, 1, 2, 3, 255]);
        assert_eq!(&out[8..], &[0; 8]);
    }
}
