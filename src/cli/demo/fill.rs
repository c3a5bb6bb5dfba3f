//! Hole filling for removals: a push-pull pyramid that spreads the colours around a hole
//! smoothly into it, and seamless patch cloning that brings texture from elsewhere.

use super::draw::grain;
use super::raster::{Img, Mask, Rgb};

/// A colour plane with per-pixel confidence, premultiplied.
struct Level {
    w: u32,
    h: u32,
    c: Vec<Rgb>,
    wt: Vec<f32>,
}

impl Level {
    /// Normalised colour at a pixel (premultiplied sum divided by weight).
    fn colour(&self, i: usize) -> Rgb {
        let wt = self.wt[i].max(1e-6);
        [self.c[i][0] / wt, self.c[i][1] / wt, self.c[i][2] / wt]
    }

    /// Half-resolution level: sums of 2×2 blocks.
    fn down(&self) -> Level {
        let (w, h) = (self.w.div_ceil(2), self.h.div_ceil(2));
        let mut c = vec![[0.0; 3]; (w * h) as usize];
        let mut wt = vec![0.0; (w * h) as usize];
        for y in 0..self.h {
            for x in 0..self.w {
                let (i, j) = ((y * self.w + x) as usize, ((y / 2) * w + x / 2) as usize);
                let add = self.c[i];
                for (acc, v) in c[j].iter_mut().zip(add) {
                    *acc += v;
                }
                wt[j] += self.wt[i];
            }
        }
        // Keep weights bounded so a coarse level never overrules known pixels.
        for j in 0..c.len() {
            if wt[j] > 1.0 {
                let k = 1.0 / wt[j];
                c[j] = [c[j][0] * k, c[j][1] * k, c[j][2] * k];
                wt[j] = 1.0;
            }
        }
        Level { w, h, c, wt }
    }

    /// Fill the missing weight of every pixel from the bilinearly upsampled coarser level.
    fn pull_from(&mut self, coarse: &Img) {
        for y in 0..self.h {
            for x in 0..self.w {
                let i = (y * self.w + x) as usize;
                let miss = 1.0 - self.wt[i].min(1.0);
                if miss <= 0.0 {
                    continue;
                }
                let up = coarse.sample((x as f32 + 0.5) / 2.0, (y as f32 + 0.5) / 2.0);
                for (acc, v) in self.c[i].iter_mut().zip(up) {
                    *acc += v * miss;
                }
                self.wt[i] += miss;
            }
        }
    }

    fn to_img(&self) -> Img {
        Img { w: self.w, h: self.h, px: (0..self.c.len()).map(|i| self.colour(i)).collect() }
    }
}

/// Smoothly fill the pixels where `hole` > 0.5 from the pixels around them, never taking
/// colour from pixels where `ignore` > 0.5.
pub fn smooth_fill(img: &Img, hole: &Mask, ignore: Option<&Mask>) -> Img {
    let blocked = |i: usize| hole.v[i] > 0.5 || ignore.is_some_and(|m| m.v[i] > 0.5);
    let known: Vec<f32> = (0..hole.v.len()).map(|i| if blocked(i) { 0.0 } else { 1.0 }).collect();
    let c = img.px.iter().zip(&known).map(|(p, &k)| [p[0] * k, p[1] * k, p[2] * k]).collect();
    let mut levels = vec![Level { w: img.w, h: img.h, c, wt: known }];
    while levels.last().is_some_and(|l| l.w > 1 || l.h > 1) {
        let next = levels[levels.len() - 1].down();
        levels.push(next);
    }
    let mut coarse = levels.pop().map(|l| l.to_img()).unwrap_or_else(|| img.clone());
    while let Some(mut level) = levels.pop() {
        level.pull_from(&coarse);
        coarse = level.to_img();
    }
    coarse
}

/// Context kept around a hole when filling it: enough for the pyramid to find colours.
const CONTEXT: u32 = 48;

/// The box `(x, y, w, h)` around the pixels where `hole` is set, widened by [`CONTEXT`] and
/// clipped to the image; `None` when the hole is empty.
fn window(hole: &Mask) -> Option<(u32, u32, u32, u32)> {
    let (mut x0, mut y0, mut x1, mut y1) = (u32::MAX, u32::MAX, 0, 0);
    for y in 0..hole.h {
        for x in 0..hole.w {
            if hole.get(x, y) > 0.0 {
                (x0, y0, x1, y1) = (x0.min(x), y0.min(y), x1.max(x + 1), y1.max(y + 1));
            }
        }
    }
    if x1 == 0 {
        return None;
    }
    let (x0, y0) = (x0.saturating_sub(CONTEXT), y0.saturating_sub(CONTEXT));
    let (x1, y1) = ((x1 + CONTEXT).min(hole.w), (y1 + CONTEXT).min(hole.h));
    Some((x0, y0, x1 - x0, y1 - y0))
}

/// Run `edit` on the window around `hole` only and put the result back in place.
fn in_window(img: &Img, hole: &Mask, edit: impl FnOnce((u32, u32), &Img, &Mask) -> Img) -> Img {
    let Some((x, y, w, h)) = window(hole) else {
        return img.clone();
    };
    let done = edit((x, y), &img.crop(x, y, w, h), &hole.crop(x, y, w, h));
    img.paste(&done, &Mask::new(w, h, 1.0), x as i64, y as i64)
}

/// Remove what lies under `hole` by smooth filling plus matching film grain of strength
/// `grain_amt`, blended in with the hole's own soft edge.
pub fn remove(img: &Img, hole: &Mask, grain_amt: f32, seed: u64) -> Img {
    remove_ignoring(img, hole, None, grain_amt, seed)
}

/// [`remove`], taking no colour from pixels where `ignore` is set.
pub fn remove_ignoring(img: &Img, hole: &Mask, ignore: Option<&Mask>, grain_amt: f32, seed: u64) -> Img {
    in_window(img, hole, |(ox, oy), img, hole| {
        let ignore = ignore.map(|m| m.crop(ox, oy, img.w, img.h));
        let filled = smooth_fill(img, hole, ignore.as_ref());
        let grained = filled.map_xy(|x, y, p| {
            let g = grain(seed, x + ox, y + oy) * grain_amt;
            [p[0] + g, p[1] + g, p[2] + g]
        });
        img.blend(&grained, hole)
    })
}

/// Seamless clone: cover `hole` with the texture found at offset `(dx, dy)`, corrected by a
/// smooth membrane so its colours meet the surroundings without a seam.
pub fn clone_patch(img: &Img, hole: &Mask, dx: i64, dy: i64) -> Img {
    let full = img;
    in_window(img, hole, |(ox, oy), img, hole| {
        let patch = Img::from_fn(img.w, img.h, |x, y| full.get_clamped((x + ox) as i64 + dx, (y + oy) as i64 + dy));
        let diff = Img {
            w: img.w,
            h: img.h,
            px: img.px.iter().zip(&patch.px).map(|(a, b)| [a[0] - b[0], a[1] - b[1], a[2] - b[2]]).collect(),
        };
        let membrane = smooth_fill(&diff, hole, None);
        let cloned = Img {
            w: img.w,
            h: img.h,
            px: patch.px.iter().zip(&membrane.px).map(|(p, m)| [p[0] + m[0], p[1] + m[1], p[2] + m[2]]).collect(),
        };
        img.blend(&cloned, hole)
    })
}
