//! Vector shapes as anti-aliased masks (discs, ellipses, capsules, polygons), gradients and
//! deterministic noise: the drawing kit of the demo's procedural edits.

use super::raster::{mix, Img, Mask, Rgb};

/// Fixed-seed pseudo-random numbers (SplitMix64): the demo's only source of variety.
#[derive(Clone, Debug)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        hash64(self.0)
    }

    /// Uniform in `0..1`.
    pub fn unit(&mut self) -> f32 {
        (self.next_u64() >> 40) as f32 / (1u64 << 24) as f32
    }

    /// Uniform integer in `lo..=hi`.
    pub fn int(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next_u64() % (hi - lo + 1) as u64) as i64
    }
}

/// The SplitMix64 finaliser: a well-mixed 64-bit hash.
pub fn hash64(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Hash of a lattice point to `0..1`.
fn lattice(seed: u64, x: i64, y: i64) -> f32 {
    let h = hash64(seed ^ (x as u64).wrapping_mul(0x9E37_79B1) ^ (y as u64).wrapping_mul(0x85EB_CA77_C2B2_AE63));
    (h >> 40) as f32 / (1u64 << 24) as f32
}

/// Smooth value noise in `0..1` with features about `cell` pixels wide.
pub fn value_noise(seed: u64, x: f32, y: f32, cell: f32) -> f32 {
    let (fx, fy) = (x / cell, y / cell);
    let (ix, iy) = (fx.floor(), fy.floor());
    let (tx, ty) = (fade(fx - ix), fade(fy - iy));
    let (ix, iy) = (ix as i64, iy as i64);
    let a = lattice(seed, ix, iy);
    let b = lattice(seed, ix + 1, iy);
    let c = lattice(seed, ix, iy + 1);
    let d = lattice(seed, ix + 1, iy + 1);
    let top = a + (b - a) * tx;
    let bottom = c + (d - c) * tx;
    top + (bottom - top) * ty
}

fn fade(t: f32) -> f32 {
    t * t * (3.0 - 2.0 * t)
}

/// Fractal noise: `octaves` layers of value noise, each half as wide and half as strong.
pub fn fbm(seed: u64, x: f32, y: f32, cell: f32, octaves: u32) -> f32 {
    let (mut sum, mut amp, mut norm, mut c) = (0.0, 1.0, 0.0, cell);
    for o in 0..octaves {
        sum += amp * value_noise(seed.wrapping_add(o as u64 * 7919), x, y, c);
        norm += amp;
        amp *= 0.5;
        c *= 0.5;
    }
    sum / norm
}

/// Per-pixel white noise in `-0.5..0.5` (film grain).
pub fn grain(seed: u64, x: u32, y: u32) -> f32 {
    lattice(seed, x as i64, y as i64) - 0.5
}

/// Anti-aliased ellipse with centre `(cx, cy)`, radii `(rx, ry)`, rotated by the unit vector
/// `(cos, sin)`; `feather` widens the soft edge (pixels).
pub fn ellipse_rot(w: u32, h: u32, centre: (f32, f32), radii: (f32, f32), rot: (f32, f32), feather: f32) -> Mask {
    let mut m = Mask::new(w, h, 0.0);
    stamp_ellipse(&mut m, centre, radii, rot, feather, 1.0);
    m
}

/// Draw an ellipse (see [`ellipse_rot`]) into `m` at opacity `alpha`, keeping the maximum.
pub fn stamp_ellipse(
    m: &mut Mask,
    (cx, cy): (f32, f32),
    (rx, ry): (f32, f32),
    rot: (f32, f32),
    feather: f32,
    alpha: f32,
) {
    let (c, s) = rot;
    let edge = 0.5 + feather;
    // Beyond this radius the coverage below is exactly zero.
    let reach = rx.max(ry) * (1.0 + edge / rx.min(ry)) + 1.0;
    m.stamp((cx - reach, cy - reach, cx + reach, cy + reach), alpha, |x, y| {
        let dx = x as f32 + 0.5 - cx;
        let dy = y as f32 + 0.5 - cy;
        let u = dx * c + dy * s;
        let v = -dx * s + dy * c;
        let n = ((u / rx) * (u / rx) + (v / ry) * (v / ry)).sqrt();
        // Distance to the outline, approximately, in pixels.
        let dist = (n - 1.0) * rx.min(ry);
        (0.5 - dist / (2.0 * edge)).clamp(0.0, 1.0)
    });
}

pub fn ellipse(w: u32, h: u32, cx: f32, cy: f32, rx: f32, ry: f32, feather: f32) -> Mask {
    ellipse_rot(w, h, (cx, cy), (rx, ry), (1.0, 0.0), feather)
}

pub fn disc(w: u32, h: u32, cx: f32, cy: f32, r: f32, feather: f32) -> Mask {
    ellipse(w, h, cx, cy, r, r, feather)
}

/// A thick line from `a` to `b` with round ends (`r` = half width).
pub fn capsule(w: u32, h: u32, a: (f32, f32), b: (f32, f32), r: f32) -> Mask {
    let mut m = Mask::new(w, h, 0.0);
    stamp_capsule(&mut m, a, b, r, 1.0);
    m
}

/// Draw a capsule (see [`capsule`]) into `m` at opacity `alpha`, keeping the maximum.
pub fn stamp_capsule(m: &mut Mask, a: (f32, f32), b: (f32, f32), r: f32, alpha: f32) {
    let (abx, aby) = (b.0 - a.0, b.1 - a.1);
    let len2 = (abx * abx + aby * aby).max(1e-6);
    let pad = r + 1.0;
    let bbox = (a.0.min(b.0) - pad, a.1.min(b.1) - pad, a.0.max(b.0) + pad, a.1.max(b.1) + pad);
    m.stamp(bbox, alpha, |x, y| {
        let (px, py) = (x as f32 + 0.5 - a.0, y as f32 + 0.5 - a.1);
        let t = ((px * abx + py * aby) / len2).clamp(0.0, 1.0);
        let (dx, dy) = (px - abx * t, py - aby * t);
        let d = (dx * dx + dy * dy).sqrt() - r;
        (0.5 - d).clamp(0.0, 1.0)
    });
}

/// A polyline of capsules through `pts`.
pub fn polyline(w: u32, h: u32, pts: &[(f32, f32)], r: f32) -> Mask {
    let mut m = Mask::new(w, h, 0.0);
    for seg in pts.windows(2) {
        stamp_capsule(&mut m, seg[0], seg[1], r, 1.0);
    }
    m
}

/// Filled polygon (even-odd rule), 4×4 supersampled.
pub fn polygon(w: u32, h: u32, pts: &[(f32, f32)]) -> Mask {
    const SS: u32 = 4;
    let mut m = Mask::new(w, h, 0.0);
    let step = 1.0 / SS as f32;
    for y in 0..h {
        for sy in 0..SS {
            let py = y as f32 + (sy as f32 + 0.5) * step;
            let mut xs = crossings(pts, py);
            xs.sort_by(|a, b| a.total_cmp(b));
            for pair in xs.chunks(2) {
                if pair.len() == 2 {
                    cover_span(&mut m, y, pair[0], pair[1], step);
                }
            }
        }
    }
    m
}

/// x positions where the horizontal line at `py` crosses the polygon's edges.
fn crossings(pts: &[(f32, f32)], py: f32) -> Vec<f32> {
    let n = pts.len();
    let mut xs = Vec::new();
    for i in 0..n {
        let (a, b) = (pts[i], pts[(i + 1) % n]);
        if (a.1 <= py && b.1 > py) || (b.1 <= py && a.1 > py) {
            xs.push(a.0 + (py - a.1) / (b.1 - a.1) * (b.0 - a.0));
        }
    }
    xs
}

/// Add the coverage of the horizontal span `x0..x1` on one sub-row of row `y`.
fn cover_span(m: &mut Mask, y: u32, x0: f32, x1: f32, weight: f32) {
    let x0 = x0.max(0.0);
    let x1 = x1.min(m.w as f32);
    if x1 <= x0 {
        return;
    }
    for x in (x0.floor() as u32)..(x1.ceil() as u32).min(m.w) {
        let lo = x0.max(x as f32);
        let hi = x1.min(x as f32 + 1.0);
        if hi > lo {
            let cur = m.get(x, y);
            m.set(x, y, (cur + (hi - lo) * weight).min(1.0));
        }
    }
}

/// Vertical gradient through `stops` (position `0..1` from top, colour).
pub fn vertical_gradient(w: u32, h: u32, stops: &[(f32, Rgb)]) -> Img {
    Img::from_fn(w, h, |_, y| gradient_at(stops, (y as f32 + 0.5) / h as f32))
}

/// Colour of a piecewise-linear gradient at `t`.
pub fn gradient_at(stops: &[(f32, Rgb)], t: f32) -> Rgb {
    let first = stops[0];
    if t <= first.0 {
        return first.1;
    }
    for pair in stops.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if t <= b.0 {
            return mix(a.1, b.1, (t - a.0) / (b.0 - a.0).max(1e-6));
        }
    }
    stops[stops.len() - 1].1
}

/// A shaded ball: `base` colour lit from the upper left, with a specular spot.
pub fn shaded_ball(img: &Img, cx: f32, cy: f32, r: f32, base: Rgb) -> Img {
    let m = disc(img.w, img.h, cx, cy, r, 0.6);
    let shade = Img::from_fn(img.w, img.h, |x, y| {
        let dx = (x as f32 + 0.5 - cx) / r;
        let dy = (y as f32 + 0.5 - cy) / r;
        let nz = (1.0 - dx * dx - dy * dy).max(0.0).sqrt();
        let lambert = (-0.45 * dx - 0.55 * dy + 0.70 * nz).max(0.0);
        let light = 0.35 + 0.75 * lambert;
        let hx = dx + 0.38;
        let hy = dy + 0.42;
        let spec = (1.0 - (hx * hx + hy * hy) / 0.05).max(0.0);
        let c = [base[0] * light, base[1] * light, base[2] * light];
        mix(c, [1.0, 1.0, 1.0], spec * 0.85)
    });
    img.blend(&shade, &m)
}

/// Darken `img` under a blurred, offset copy of `shape` (a soft drop shadow).
pub fn drop_shadow(img: &Img, shape: &Mask, dx: i64, dy: i64, blur: u32, strength: f32) -> Img {
    let moved = Mask::from_fn(shape.w, shape.h, |x, y| shape.get_clamped(x as i64 - dx, y as i64 - dy));
    let soft = moved.blur(blur);
    let px = img.px.iter().zip(&soft.v).map(|(&p, &m)| {
        let k = 1.0 - strength * m;
        [p[0] * k, p[1] * k, p[2] * k]
    });
    Img { w: img.w, h: img.h, px: px.collect() }
}
