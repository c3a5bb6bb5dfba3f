//! Region selection on photographs: flood fills (skies, backdrops) and hole filling,
//! turned into masks the edits can use.

use std::collections::VecDeque;

use super::raster::{Img, Mask, Rgb};

/// Pixels reachable from `seeds` through 4-neighbours that satisfy `accept` and differ from
/// the neighbour they were reached from by less than `step` (max channel difference).
pub fn flood(img: &Img, seeds: &[(u32, u32)], step: f32, accept: impl Fn(u32, u32, Rgb) -> bool) -> Mask {
    let mut m = Mask::new(img.w, img.h, 0.0);
    let mut queue = VecDeque::new();
    for &(x, y) in seeds {
        if accept(x, y, img.get(x, y)) && m.get(x, y) == 0.0 {
            m.set(x, y, 1.0);
            queue.push_back((x, y));
        }
    }
    while let Some((x, y)) = queue.pop_front() {
        let here = img.get(x, y);
        for (nx, ny) in neighbours(x, y, img.w, img.h) {
            if m.get(nx, ny) != 0.0 {
                continue;
            }
            let p = img.get(nx, ny);
            let diff = (0..3).map(|k| (p[k] - here[k]).abs()).fold(0.0, f32::max);
            if diff < step && accept(nx, ny, p) {
                m.set(nx, ny, 1.0);
                queue.push_back((nx, ny));
            }
        }
    }
    m
}

fn neighbours(x: u32, y: u32, w: u32, h: u32) -> impl Iterator<Item = (u32, u32)> {
    let (x, y) = (x as i64, y as i64);
    [(x - 1, y), (x + 1, y), (x, y - 1), (x, y + 1)]
        .into_iter()
        .filter(move |&(a, b)| a >= 0 && b >= 0 && a < w as i64 && b < h as i64)
        .map(|(a, b)| (a as u32, b as u32))
}

/// Fill holes: pixels not reachable from the border through unselected pixels become selected.
pub fn fill_holes(m: &Mask) -> Mask {
    let outside_seeds: Vec<(u32, u32)> =
        (0..m.w).flat_map(|x| [(x, 0), (x, m.h - 1)]).chain((0..m.h).flat_map(|y| [(0, y), (m.w - 1, y)])).collect();
    let as_img = Img { w: m.w, h: m.h, px: m.v.iter().map(|&v| [v, v, v]).collect() };
    let outside = flood(&as_img, &outside_seeds, 2.0, |_, _, p| p[0] <= 0.5);
    outside.invert()
}
