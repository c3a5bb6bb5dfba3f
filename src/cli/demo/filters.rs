//! Whole-image filters for the global edits: artistic styles (sketch, oil paint, pop art,
//! duotone, ink, pixel art, watercolour, mosaic, neon) and tone curves.

use super::draw::{fbm, grain};
use super::raster::{clamp01, hsv_to_rgb, luma, mix, rgb_to_hsv, smoothstep, Img, Mask, Rgb};

/// Sobel gradient magnitude of the luma, roughly in `0..1`.
pub fn edges(img: &Img) -> Mask {
    let l = img.luma();
    Mask::from_fn(img.w, img.h, |x, y| {
        let p = |dx: i64, dy: i64| l.get_clamped(x as i64 + dx, y as i64 + dy);
        let gx = p(1, -1) + 2.0 * p(1, 0) + p(1, 1) - p(-1, -1) - 2.0 * p(-1, 0) - p(-1, 1);
        let gy = p(-1, 1) + 2.0 * p(0, 1) + p(1, 1) - p(-1, -1) - 2.0 * p(0, -1) - p(1, -1);
        ((gx * gx + gy * gy).sqrt() / 4.0).min(1.0)
    })
}

/// Pencil sketch: colour-dodge the luma with its blurred negative, on warm paper.
pub fn pencil_sketch(img: &Img, seed: u64) -> Img {
    let l = img.luma();
    let blurred_neg = l.invert().blur(6);
    let paper = [0.97, 0.955, 0.92];
    Img::from_fn(img.w, img.h, |x, y| {
        let g = l.get(x, y);
        let dodge = (g / (1.0 - blurred_neg.get(x, y)).max(0.02)).min(1.0);
        // Darken lines a little and add a light hatching grain.
        let line = dodge * dodge;
        let hatch = grain(seed, x / 2 + y / 3, y / 2) * 0.06 * (1.0 - line);
        let v = (line + hatch).clamp(0.0, 1.0);
        [paper[0] * v, paper[1] * v, paper[2] * v]
    })
}

/// Kuwahara filter: each pixel takes the mean of the least varied of its four quadrants,
/// which flattens texture into brush-like patches.
pub fn kuwahara(img: &Img, r: u32) -> Img {
    let sums = Integral::new(img);
    let r = r as i64;
    Img::from_fn(img.w, img.h, |x, y| {
        let (x, y) = (x as i64, y as i64);
        let quads = [(x - r, y - r), (x, y - r), (x - r, y), (x, y)];
        let mut best = (f32::MAX, [0.0; 3]);
        for (qx, qy) in quads {
            let (mean, var) = sums.stats(qx, qy, qx + r, qy + r);
            if var < best.0 {
                best = (var, mean);
            }
        }
        best.1
    })
}

/// Summed-area tables of colour and squared luma for box statistics.
struct Integral {
    w: i64,
    h: i64,
    c: Vec<[f64; 3]>,
    l2: Vec<f64>,
}

impl Integral {
    fn new(img: &Img) -> Integral {
        let (w, h) = (img.w as i64 + 1, img.h as i64 + 1);
        let mut c = vec![[0.0f64; 3]; (w * h) as usize];
        let mut l2 = vec![0.0f64; (w * h) as usize];
        for y in 1..h {
            for x in 1..w {
                let p = img.get(x as u32 - 1, y as u32 - 1);
                let i = (y * w + x) as usize;
                let (up, left, diag) =
                    (((y - 1) * w + x) as usize, (y * w + x - 1) as usize, ((y - 1) * w + x - 1) as usize);
                for k in 0..3 {
                    c[i][k] = p[k] as f64 + c[up][k] + c[left][k] - c[diag][k];
                }
                let l = luma(p) as f64;
                l2[i] = l * l + l2[up] + l2[left] - l2[diag];
            }
        }
        Integral { w, h, c, l2 }
    }

    /// Mean colour and luma variance over the inclusive box, clipped to the image.
    fn stats(&self, x0: i64, y0: i64, x1: i64, y1: i64) -> (Rgb, f32) {
        let (x0, y0) = (x0.clamp(0, self.w - 2), y0.clamp(0, self.h - 2));
        let (x1, y1) = (x1.clamp(0, self.w - 2) + 1, y1.clamp(0, self.h - 2) + 1);
        let n = ((x1 - x0) * (y1 - y0)) as f64;
        let at = |x: i64, y: i64| (y * self.w + x) as usize;
        let (a, b, c, d) = (at(x0, y0), at(x1, y0), at(x0, y1), at(x1, y1));
        let mut mean = [0.0f32; 3];
        for (k, m) in mean.iter_mut().enumerate() {
            *m = ((self.c[d][k] - self.c[b][k] - self.c[c][k] + self.c[a][k]) / n) as f32;
        }
        let l2 = (self.l2[d] - self.l2[b] - self.l2[c] + self.l2[a]) / n;
        let l = luma(mean) as f64;
        (mean, (l2 - l * l) as f32)
    }
}

/// Oil paint: Kuwahara strokes, richer colour and a faint canvas relief.
pub fn oil_paint(img: &Img, seed: u64) -> Img {
    let k = kuwahara(img, 5);
    let relief = edges(&k);
    k.map_xy(|x, y, p| {
        let [h, s, v] = rgb_to_hsv(p);
        let c = hsv_to_rgb([h, (s * 1.25).min(1.0), v]);
        let canvas = fbm(seed, x as f32, y as f32 * 3.0, 6.0, 2) - 0.5;
        let shade = 1.0 - relief.get(x, y) * 0.35 + canvas * 0.06;
        clamp01([c[0] * shade, c[1] * shade, c[2] * shade])
    })
}

/// Pop art: a few flat, saturated luma bands with dark outlines.
pub fn pop_art(img: &Img, palette: &[Rgb]) -> Img {
    let smooth = img.blur(2);
    let lines = edges(&smooth);
    smooth.map_xy(|x, y, p| {
        let l = luma(p).clamp(0.0, 0.999);
        let band = (l * palette.len() as f32) as usize;
        let ink = smoothstep(0.10, 0.22, lines.get(x, y));
        mix(palette[band], [0.05, 0.04, 0.06], ink)
    })
}

/// Duotone: luma mapped from a dark colour to a light one.
pub fn duotone(img: &Img, dark: Rgb, light: Rgb) -> Img {
    img.map(|p| {
        let l = smoothstep(0.02, 0.95, luma(p));
        mix(dark, light, l)
    })
}

/// Ink drawing: black where dark or on an edge, white elsewhere.
pub fn ink(img: &Img) -> Img {
    let smooth = img.blur(1);
    let lines = edges(&smooth);
    smooth.map_xy(|x, y, p| {
        let dark = 1.0 - smoothstep(0.16, 0.24, luma(p));
        let line = smoothstep(0.06, 0.12, lines.get(x, y));
        let v = 1.0 - dark.max(line);
        [v, v, v * 0.97]
    })
}

/// Pixel art: blocks of `cell` pixels in a palette of `colours` picked from the image.
pub fn pixel_art(img: &Img, cell: u32, colours: usize) -> Img {
    let (sw, sh) = (img.w / cell, img.h / cell);
    let small = img.resize(sw, sh);
    let palette = palette_of(&small.px, colours);
    let small = small.map(|p| nearest(&palette, p));
    Img::from_fn(img.w, img.h, |x, y| small.get((x / cell).min(sw - 1), (y / cell).min(sh - 1)))
}

/// A `k`-colour palette by k-means, seeded with colours at evenly spaced luma ranks.
fn palette_of(px: &[Rgb], k: usize) -> Vec<Rgb> {
    let mut by_luma: Vec<Rgb> = px.to_vec();
    by_luma.sort_by(|a, b| luma(*a).total_cmp(&luma(*b)));
    let mut centres: Vec<Rgb> = (0..k).map(|i| by_luma[(i * 2 + 1) * by_luma.len() / (2 * k)]).collect();
    for _ in 0..12 {
        let mut sums = vec![([0.0f64; 3], 0u32); k];
        for p in px {
            let i = nearest_index(&centres, *p);
            for (acc, v) in sums[i].0.iter_mut().zip(p) {
                *acc += *v as f64;
            }
            sums[i].1 += 1;
        }
        for (centre, (sum, n)) in centres.iter_mut().zip(&sums) {
            if *n > 0 {
                *centre = [(sum[0] / *n as f64) as f32, (sum[1] / *n as f64) as f32, (sum[2] / *n as f64) as f32];
            }
        }
    }
    centres
}

fn nearest_index(palette: &[Rgb], p: Rgb) -> usize {
    let d = |c: &Rgb| (0..3).map(|k| (c[k] - p[k]) * (c[k] - p[k])).sum::<f32>();
    let mut best = 0;
    for (i, c) in palette.iter().enumerate() {
        if d(c) < d(&palette[best]) {
            best = i;
        }
    }
    best
}

fn nearest(palette: &[Rgb], p: Rgb) -> Rgb {
    palette[nearest_index(palette, p)]
}

/// Watercolour: soft flattened colour, darker pigment at edges, paper texture.
pub fn watercolor(img: &Img, seed: u64) -> Img {
    let flat = kuwahara(&img.blur(1), 4).blur(1);
    let lines = edges(img).blur(2);
    flat.map_xy(|x, y, p| {
        let paper = fbm(seed, x as f32, y as f32, 24.0, 3);
        let wash = mix(p, [1.0, 1.0, 0.98], 0.12 + 0.12 * paper);
        let pigment = 1.0 - smoothstep(0.05, 0.3, lines.get(x, y)) * 0.3;
        let grain_v = 1.0 + grain(seed ^ 7, x, y) * 0.05;
        clamp01([wash[0] * pigment * grain_v, wash[1] * pigment * grain_v, wash[2] * pigment * grain_v])
    })
}

/// Mosaic: square tiles of the average colour separated by grout lines.
pub fn mosaic(img: &Img, tile: u32, seed: u64) -> Img {
    let (tw, th) = (img.w.div_ceil(tile), img.h.div_ceil(tile));
    let means = img.resize(tw, th);
    let grout = [0.86, 0.84, 0.80];
    Img::from_fn(img.w, img.h, |x, y| {
        let (tx, ty) = (x / tile, y / tile);
        let (ix, iy) = (x % tile, y % tile);
        if ix == 0 || iy == 0 {
            return grout;
        }
        let jitter = 1.0 + grain(seed, tx, ty) * 0.12;
        let c = means.get(tx.min(tw - 1), ty.min(th - 1));
        clamp01([c[0] * jitter, c[1] * jitter, c[2] * jitter])
    })
}

/// Neon: glowing edges coloured from magenta (top) to cyan (bottom) on a dark violet ground.
pub fn neon(img: &Img) -> Img {
    let lines = edges(&img.blur(1)).map(|e| smoothstep(0.04, 0.2, e));
    let glow = lines.blur(4);
    Img::from_fn(img.w, img.h, |x, y| {
        let t = y as f32 / img.h as f32;
        let hue = mix([1.0, 0.2, 0.85], [0.1, 0.95, 1.0], t);
        let base = mix([0.08, 0.02, 0.16], [0.02, 0.03, 0.12], t);
        let e = lines.get(x, y);
        let g = (glow.get(x, y) * 1.8).min(1.0);
        let c = mix(base, hue, (g * 0.7).max(e));
        mix(c, [1.0, 1.0, 1.0], e * 0.45)
    })
}

/// Shift colour temperature: positive warms (more red/yellow), negative cools.
pub fn temperature(img: &Img, amount: f32) -> Img {
    img.map(|p| clamp01([p[0] * (1.0 + amount * 0.9), p[1] * (1.0 + amount * 0.2), p[2] * (1.0 - amount * 0.9)]))
}

/// Exposure: multiply light by `gain`, rolling highlights off instead of clipping them.
pub fn exposure(img: &Img, gain: f32) -> Img {
    img.map(|p| {
        let f = |v: f32| v * gain / (1.0 + v * (gain - 1.0));
        [f(p[0]), f(p[1]), f(p[2])]
    })
}

/// A tone curve: `lift` raises shadows, `gain` scales, `contrast` steepens around mid-grey.
pub fn tone(img: &Img, lift: f32, gain: f32, contrast: f32) -> Img {
    img.map(|p| {
        let f = |v: f32| {
            let v = v + lift * (1.0 - v) * (1.0 - v);
            let v = v * gain;
            (0.5 + (v - 0.5) * contrast).clamp(0.0, 1.0)
        };
        [f(p[0]), f(p[1]), f(p[2])]
    })
}

/// Scale saturation by `k` (0 = grey).
pub fn saturation(img: &Img, k: f32) -> Img {
    img.map(|p| {
        let l = luma(p);
        clamp01([l + (p[0] - l) * k, l + (p[1] - l) * k, l + (p[2] - l) * k])
    })
}

/// Sepia toning.
pub fn sepia(img: &Img) -> Img {
    img.map(|p| {
        let l = luma(p);
        clamp01(mix([0.16, 0.10, 0.05], [1.0, 0.93, 0.78], l))
    })
}

/// Faded film: lifted blacks, lowered whites, slightly muted and warm.
pub fn faded_film(img: &Img) -> Img {
    saturation(img, 0.75).map(|p| {
        let f = |v: f32, lo: f32| lo + v * (0.9 - lo);
        [f(p[0], 0.12), f(p[1], 0.10), f(p[2], 0.13)]
    })
}

/// Vignette: darken towards the corners by `strength`.
pub fn vignette(img: &Img, strength: f32) -> Img {
    let (cx, cy) = (img.w as f32 / 2.0, img.h as f32 / 2.0);
    img.map_xy(|x, y, p| {
        let dx = (x as f32 - cx) / cx;
        let dy = (y as f32 - cy) / cy;
        let k = 1.0 - strength * smoothstep(0.4, 1.5, dx * dx + dy * dy);
        [p[0] * k, p[1] * k, p[2] * k]
    })
}

/// Rotate hues by `degrees` and scale saturation where `mask` is set.
pub fn hue_shift(img: &Img, mask: &Mask, degrees: f32, sat: f32) -> Img {
    let shifted = img.map(|p| {
        let [h, s, v] = rgb_to_hsv(p);
        hsv_to_rgb([h + degrees, (s * sat).min(1.0), v])
    });
    img.blend(&shifted, mask)
}

/// Recolour where `mask` is set: hue and saturation of `target`, shading from the original
/// luma scaled so that the region's average brightness becomes the target's.
pub fn recolor(img: &Img, mask: &Mask, target: Rgb, strength: f32) -> Img {
    let t = rgb_to_hsv(target);
    let mean = luma(img.mean_under(mask)).max(0.03);
    let coloured = img.map(|p| {
        let l = luma(p);
        let v = (t[2] * l / mean).min(1.0);
        let c = hsv_to_rgb([t[0], t[1], v]);
        // Keep highlights bright.
        mix(c, [1.0, 1.0, 1.0], smoothstep(0.8, 1.0, l) * 0.6)
    });
    let m = mask.map(|m| m * strength);
    img.blend(&coloured, &m)
}

/// Map luma through a gradient (a metal or toner look), where `mask` is set.
pub fn gradient_map(img: &Img, mask: &Mask, stops: &[(f32, Rgb)]) -> Img {
    let mapped = img.map(|p| super::draw::gradient_at(stops, luma(p)));
    img.blend(&mapped, mask)
}

/// Unsharp mask: add back `amount` of the detail above a blur of radius `r`.
pub fn sharpen(img: &Img, r: u32, amount: f32) -> Img {
    let soft = img.blur(r);
    let px = img.px.iter().zip(&soft.px).map(|(p, s)| {
        clamp01([p[0] + (p[0] - s[0]) * amount, p[1] + (p[1] - s[1]) * amount, p[2] + (p[2] - s[2]) * amount])
    });
    Img { w: img.w, h: img.h, px: px.collect() }
}
