//! Pixel buffers for the demo's procedural edits: an RGB image of floats in `0..=1` and a
//! one-channel mask, with cropping, resampling, flips, blurs and blending.
//!
//! Only plain IEEE arithmetic (and `sqrt`) is used, so results are identical on every machine.

use image::{DynamicImage, RgbImage};

/// An RGB colour with channels in `0..=1`.
pub type Rgb = [f32; 3];

/// An RGB image, row-major.
#[derive(Clone, Debug)]
pub struct Img {
    pub w: u32,
    pub h: u32,
    pub px: Vec<Rgb>,
}

/// A one-channel weight map in `0..=1` (1 = selected), same layout as [`Img`].
#[derive(Clone, Debug)]
pub struct Mask {
    pub w: u32,
    pub h: u32,
    pub v: Vec<f32>,
}

impl Img {
    /// Build an image from a function of the pixel centre `(x, y)`.
    pub fn from_fn(w: u32, h: u32, mut f: impl FnMut(u32, u32) -> Rgb) -> Img {
        let mut px = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                px.push(f(x, y));
            }
        }
        Img { w, h, px }
    }

    pub fn from_dynamic(img: &DynamicImage) -> Img {
        let rgb = img.to_rgb8();
        let px = rgb.pixels().map(|p| [p[0] as f32 / 255.0, p[1] as f32 / 255.0, p[2] as f32 / 255.0]).collect();
        Img { w: rgb.width(), h: rgb.height(), px }
    }

    pub fn to_rgb8(&self) -> RgbImage {
        let mut out = RgbImage::new(self.w, self.h);
        for (o, p) in out.pixels_mut().zip(&self.px) {
            *o = image::Rgb([to_u8(p[0]), to_u8(p[1]), to_u8(p[2])]);
        }
        out
    }

    fn idx(&self, x: u32, y: u32) -> usize {
        (y * self.w + x) as usize
    }

    pub fn get(&self, x: u32, y: u32) -> Rgb {
        self.px[self.idx(x, y)]
    }

    /// Pixel at signed coordinates, clamped to the border.
    pub fn get_clamped(&self, x: i64, y: i64) -> Rgb {
        let x = x.clamp(0, self.w as i64 - 1) as u32;
        let y = y.clamp(0, self.h as i64 - 1) as u32;
        self.get(x, y)
    }

    pub fn set(&mut self, x: u32, y: u32, c: Rgb) {
        let i = self.idx(x, y);
        self.px[i] = c;
    }

    /// Bilinear sample at a continuous position (pixel centres at integer + 0.5).
    pub fn sample(&self, fx: f32, fy: f32) -> Rgb {
        let x = fx - 0.5;
        let y = fy - 0.5;
        let x0 = x.floor();
        let y0 = y.floor();
        let tx = x - x0;
        let ty = y - y0;
        let (x0, y0) = (x0 as i64, y0 as i64);
        let a = self.get_clamped(x0, y0);
        let b = self.get_clamped(x0 + 1, y0);
        let c = self.get_clamped(x0, y0 + 1);
        let d = self.get_clamped(x0 + 1, y0 + 1);
        let top = mix(a, b, tx);
        let bottom = mix(c, d, tx);
        mix(top, bottom, ty)
    }

    /// Apply `f` to every pixel.
    pub fn map(&self, mut f: impl FnMut(Rgb) -> Rgb) -> Img {
        Img { w: self.w, h: self.h, px: self.px.iter().map(|&p| f(p)).collect() }
    }

    /// Apply `f(x, y, pixel)` inside the box `x0..x1`, `y0..y1` only; other pixels are kept.
    pub fn map_xy_in(&self, bbox: (f32, f32, f32, f32), mut f: impl FnMut(u32, u32, Rgb) -> Rgb) -> Img {
        let mut out = self.clone();
        let clip = |v: f32, hi: u32| (v.floor().max(0.0) as u32).min(hi);
        for y in clip(bbox.1, self.h)..clip(bbox.3 + 1.0, self.h) {
            for x in clip(bbox.0, self.w)..clip(bbox.2 + 1.0, self.w) {
                out.set(x, y, f(x, y, self.get(x, y)));
            }
        }
        out
    }

    /// Apply `f(x, y, pixel)` to every pixel.
    pub fn map_xy(&self, mut f: impl FnMut(u32, u32, Rgb) -> Rgb) -> Img {
        Img::from_fn(self.w, self.h, |x, y| f(x, y, self.get(x, y)))
    }

    pub fn crop(&self, x: u32, y: u32, w: u32, h: u32) -> Img {
        Img::from_fn(w, h, |cx, cy| self.get((x + cx).min(self.w - 1), (y + cy).min(self.h - 1)))
    }

    pub fn flip_h(&self) -> Img {
        Img::from_fn(self.w, self.h, |x, y| self.get(self.w - 1 - x, y))
    }

    /// Rotate a quarter turn clockwise.
    pub fn rotate_cw(&self) -> Img {
        Img::from_fn(self.h, self.w, |x, y| self.get(y, self.h - 1 - x))
    }

    /// Resample to `w`×`h` with a triangle filter widened when shrinking (no aliasing).
    pub fn resize(&self, w: u32, h: u32) -> Img {
        let planes = self.planes();
        let out: Vec<Vec<f32>> = planes
            .iter()
            .map(|p| {
                let horiz = resample_rows(p, self.w, self.h, w);
                let t = transpose(&horiz, w, self.h);
                let vert = resample_rows(&t, self.h, w, h);
                transpose(&vert, h, w)
            })
            .collect();
        Img::from_planes(w, h, &out)
    }

    /// Crop the rectangle `(x, y, cw, ch)` and resample it to `w`×`h`.
    pub fn view(&self, x: u32, y: u32, cw: u32, ch: u32, w: u32, h: u32) -> Img {
        let c = self.crop(x, y, cw, ch);
        if cw == w && ch == h {
            c
        } else {
            c.resize(w, h)
        }
    }

    pub fn planes(&self) -> [Vec<f32>; 3] {
        let mut out = [Vec::new(), Vec::new(), Vec::new()];
        for (c, plane) in out.iter_mut().enumerate() {
            *plane = self.px.iter().map(|p| p[c]).collect();
        }
        out
    }

    pub fn from_planes(w: u32, h: u32, planes: &[Vec<f32>]) -> Img {
        let px = (0..(w * h) as usize).map(|i| [planes[0][i], planes[1][i], planes[2][i]]).collect();
        Img { w, h, px }
    }

    /// Gaussian-like blur (three box passes) of radius `r` pixels.
    pub fn blur(&self, r: u32) -> Img {
        if r == 0 {
            return self.clone();
        }
        let planes: Vec<Vec<f32>> = self.planes().iter().map(|p| blur_plane(p, self.w, self.h, r)).collect();
        Img::from_planes(self.w, self.h, &planes)
    }

    pub fn luma(&self) -> Mask {
        Mask { w: self.w, h: self.h, v: self.px.iter().map(|&p| luma(p)).collect() }
    }

    /// `self` where `mask` is 0, `other` where it is 1, mixed in between.
    pub fn blend(&self, other: &Img, mask: &Mask) -> Img {
        let px = self.px.iter().zip(&other.px).zip(&mask.v).map(|((&a, &b), &m)| mix(a, b, m)).collect();
        Img { w: self.w, h: self.h, px }
    }

    /// Paint a flat colour through `mask` with the given opacity.
    pub fn paint(&self, mask: &Mask, color: Rgb, opacity: f32) -> Img {
        let px = self.px.iter().zip(&mask.v).map(|(&a, &m)| mix(a, color, m * opacity)).collect();
        Img { w: self.w, h: self.h, px }
    }

    /// Copy `src` onto `self` with its top-left corner at `(x, y)`, weighted by `mask`
    /// (which has `src`'s size).
    pub fn paste(&self, src: &Img, mask: &Mask, x: i64, y: i64) -> Img {
        let mut out = self.clone();
        for sy in 0..src.h {
            for sx in 0..src.w {
                let (tx, ty) = (x + sx as i64, y + sy as i64);
                if tx < 0 || ty < 0 || tx >= self.w as i64 || ty >= self.h as i64 {
                    continue;
                }
                let m = mask.get(sx, sy);
                let cur = out.get(tx as u32, ty as u32);
                out.set(tx as u32, ty as u32, mix(cur, src.get(sx, sy), m));
            }
        }
        out
    }

    /// Mean colour under a mask (or of the whole image when the mask is empty).
    pub fn mean_under(&self, mask: &Mask) -> Rgb {
        let mut sum = [0.0f64; 3];
        let mut wsum = 0.0f64;
        for (p, &m) in self.px.iter().zip(&mask.v) {
            for c in 0..3 {
                sum[c] += (p[c] * m) as f64;
            }
            wsum += m as f64;
        }
        if wsum <= 0.0 {
            return [0.5; 3];
        }
        [(sum[0] / wsum) as f32, (sum[1] / wsum) as f32, (sum[2] / wsum) as f32]
    }
}

impl Mask {
    pub fn new(w: u32, h: u32, fill: f32) -> Mask {
        Mask { w, h, v: vec![fill; (w * h) as usize] }
    }

    pub fn from_fn(w: u32, h: u32, mut f: impl FnMut(u32, u32) -> f32) -> Mask {
        let mut v = Vec::with_capacity((w * h) as usize);
        for y in 0..h {
            for x in 0..w {
                v.push(f(x, y));
            }
        }
        Mask { w, h, v }
    }

    /// Raise the mask to `alpha * f(x, y)` wherever that is larger, inside `bbox` only.
    pub fn stamp(&mut self, bbox: (f32, f32, f32, f32), alpha: f32, mut f: impl FnMut(u32, u32) -> f32) {
        let clip = |v: f32, hi: u32| (v.floor().max(0.0) as u32).min(hi);
        let (x0, x1) = (clip(bbox.0, self.w), clip(bbox.2 + 1.0, self.w));
        let (y0, y1) = (clip(bbox.1, self.h), clip(bbox.3 + 1.0, self.h));
        for y in y0..y1 {
            for x in x0..x1 {
                let i = (y * self.w + x) as usize;
                self.v[i] = self.v[i].max(alpha * f(x, y));
            }
        }
    }

    pub fn get(&self, x: u32, y: u32) -> f32 {
        self.v[(y * self.w + x) as usize]
    }

    pub fn get_clamped(&self, x: i64, y: i64) -> f32 {
        let x = x.clamp(0, self.w as i64 - 1) as u32;
        let y = y.clamp(0, self.h as i64 - 1) as u32;
        self.get(x, y)
    }

    pub fn set(&mut self, x: u32, y: u32, m: f32) {
        let i = (y * self.w + x) as usize;
        self.v[i] = m;
    }

    pub fn map(&self, f: impl Fn(f32) -> f32) -> Mask {
        Mask { w: self.w, h: self.h, v: self.v.iter().map(|&m| f(m)).collect() }
    }

    pub fn blur(&self, r: u32) -> Mask {
        if r == 0 {
            return self.clone();
        }
        Mask { w: self.w, h: self.h, v: blur_plane(&self.v, self.w, self.h, r) }
    }

    pub fn invert(&self) -> Mask {
        self.map(|m| 1.0 - m)
    }

    pub fn times(&self, o: &Mask) -> Mask {
        Mask { w: self.w, h: self.h, v: self.v.iter().zip(&o.v).map(|(a, b)| a * b).collect() }
    }

    pub fn union(&self, o: &Mask) -> Mask {
        Mask { w: self.w, h: self.h, v: self.v.iter().zip(&o.v).map(|(a, b)| a.max(*b)).collect() }
    }

    pub fn minus(&self, o: &Mask) -> Mask {
        Mask { w: self.w, h: self.h, v: self.v.iter().zip(&o.v).map(|(a, b)| (a - b).max(0.0)).collect() }
    }

    /// Grow (r > 0) the selection by `r` pixels with a square structuring element.
    pub fn dilate(&self, r: u32) -> Mask {
        let r = r as i64;
        let rows = Mask::from_fn(self.w, self.h, |x, y| {
            (-r..=r).map(|d| self.get_clamped(x as i64 + d, y as i64)).fold(0.0, f32::max)
        });
        Mask::from_fn(self.w, self.h, |x, y| {
            (-r..=r).map(|d| rows.get_clamped(x as i64, y as i64 + d)).fold(0.0, f32::max)
        })
    }

    /// Crop like [`Img::crop`].
    pub fn crop(&self, x: u32, y: u32, w: u32, h: u32) -> Mask {
        Mask::from_fn(w, h, |cx, cy| self.get((x + cx).min(self.w - 1), (y + cy).min(self.h - 1)))
    }

    /// Shrink the selection by `r` pixels.
    pub fn erode(&self, r: u32) -> Mask {
        self.invert().dilate(r).invert()
    }
}

pub fn to_u8(v: f32) -> u8 {
    (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8
}

pub fn mix(a: Rgb, b: Rgb, t: f32) -> Rgb {
    [a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t, a[2] + (b[2] - a[2]) * t]
}

pub fn clamp01(a: Rgb) -> Rgb {
    [a[0].clamp(0.0, 1.0), a[1].clamp(0.0, 1.0), a[2].clamp(0.0, 1.0)]
}

/// Rec. 601 luma.
pub fn luma(p: Rgb) -> f32 {
    0.299 * p[0] + 0.587 * p[1] + 0.114 * p[2]
}

/// Colour from a hex literal such as `0x1f8a8a`.
pub const fn hex(v: u32) -> Rgb {
    [((v >> 16) & 0xff) as f32 / 255.0, ((v >> 8) & 0xff) as f32 / 255.0, (v & 0xff) as f32 / 255.0]
}

/// Hermite smooth step of `x` between `a` and `b`.
pub fn smoothstep(a: f32, b: f32, x: f32) -> f32 {
    let t = ((x - a) / (b - a)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// RGB to hue (degrees `0..360`), saturation and value.
pub fn rgb_to_hsv(p: Rgb) -> [f32; 3] {
    let max = p[0].max(p[1]).max(p[2]);
    let min = p[0].min(p[1]).min(p[2]);
    let d = max - min;
    let h = if d <= 1e-6 {
        0.0
    } else if max == p[0] {
        60.0 * (((p[1] - p[2]) / d) + 6.0)
    } else if max == p[1] {
        60.0 * (((p[2] - p[0]) / d) + 2.0)
    } else {
        60.0 * (((p[0] - p[1]) / d) + 4.0)
    };
    let h = h % 360.0;
    let s = if max <= 1e-6 { 0.0 } else { d / max };
    [h, s, max]
}

pub fn hsv_to_rgb(hsv: [f32; 3]) -> Rgb {
    let [h, s, v] = hsv;
    let h = ((h % 360.0) + 360.0) % 360.0 / 60.0;
    let i = h.floor();
    let f = h - i;
    let p = v * (1.0 - s);
    let q = v * (1.0 - s * f);
    let t = v * (1.0 - s * (1.0 - f));
    match i as u32 {
        0 => [v, t, p],
        1 => [q, v, p],
        2 => [p, v, t],
        3 => [p, q, v],
        4 => [t, p, v],
        _ => [v, p, q],
    }
}

/// Distance between two hues in degrees (`0..=180`).
pub fn hue_distance(a: f32, b: f32) -> f32 {
    let d = (a - b).abs() % 360.0;
    d.min(360.0 - d)
}

/// Resample every row of a `w`×`h` plane to `nw` columns.
fn resample_rows(p: &[f32], w: u32, h: u32, nw: u32) -> Vec<f32> {
    let ratio = w as f32 / nw as f32;
    let support = ratio.max(1.0);
    let taps: Vec<Vec<(usize, f32)>> = (0..nw)
        .map(|x| {
            let centre = (x as f32 + 0.5) * ratio;
            let lo = (centre - support).floor().max(0.0) as i64;
            let hi = ((centre + support).ceil() as i64).min(w as i64);
            let mut t: Vec<(usize, f32)> = (lo..hi)
                .map(|sx| {
                    let d = ((sx as f32 + 0.5 - centre) / support).abs();
                    (sx as usize, (1.0 - d).max(0.0))
                })
                .filter(|&(_, wgt)| wgt > 0.0)
                .collect();
            if t.is_empty() {
                t.push(((centre as usize).min(w as usize - 1), 1.0));
            }
            let total: f32 = t.iter().map(|&(_, wgt)| wgt).sum();
            t.iter_mut().for_each(|e| e.1 /= total);
            t
        })
        .collect();
    let mut out = Vec::with_capacity((nw * h) as usize);
    for y in 0..h as usize {
        let row = &p[y * w as usize..(y + 1) * w as usize];
        for t in &taps {
            out.push(t.iter().map(|&(i, wgt)| row[i] * wgt).sum());
        }
    }
    out
}

/// Transpose a `w`×`h` plane into `h`×`w`.
fn transpose(p: &[f32], w: u32, h: u32) -> Vec<f32> {
    let (w, h) = (w as usize, h as usize);
    let mut out = vec![0.0; w * h];
    for y in 0..h {
        for x in 0..w {
            out[x * h + y] = p[y * w + x];
        }
    }
    out
}

/// One running-sum box blur along rows, edges clamped.
fn box_rows(p: &[f32], w: u32, h: u32, r: u32) -> Vec<f32> {
    let (w, r) = (w as i64, r as i64);
    let norm = 1.0 / (2 * r + 1) as f32;
    let mut out = vec![0.0; p.len()];
    for y in 0..h as i64 {
        let row = &p[(y * w) as usize..((y + 1) * w) as usize];
        let at = |i: i64| row[i.clamp(0, w - 1) as usize];
        let mut acc: f32 = (-r..=r).map(at).sum();
        for x in 0..w {
            out[(y * w + x) as usize] = acc * norm;
            acc += at(x + r + 1) - at(x - r);
        }
    }
    out
}

/// Three box passes in each direction: close to a Gaussian of sigma ≈ `r`.
pub fn blur_plane(p: &[f32], w: u32, h: u32, r: u32) -> Vec<f32> {
    let br = (r as f32 * 0.58).round().max(1.0) as u32;
    let mut cur = p.to_vec();
    for _ in 0..3 {
        cur = box_rows(&cur, w, h, br);
    }
    let mut t = transpose(&cur, w, h);
    for _ in 0..3 {
        t = box_rows(&t, h, w, br);
    }
    transpose(&t, h, w)
}
