//! A tiny 5×7 bitmap font drawn in code (capitals, digits, common punctuation), rendered
//! as smooth, slightly rounded letters for the demo's posters and signs.

use super::raster::{smoothstep, Mask};

const GLYPH_W: u32 = 5;
const GLYPH_H: u32 = 7;

/// Rows of a glyph, top to bottom; bit 4 is the leftmost column.
fn glyph(c: char) -> [u8; 7] {
    match c.to_ascii_uppercase() {
        'A' => [0b01110, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001],
        'B' => [0b11110, 0b10001, 0b10001, 0b11110, 0b10001, 0b10001, 0b11110],
        'C' => [0b01110, 0b10001, 0b10000, 0b10000, 0b10000, 0b10001, 0b01110],
        'D' => [0b11110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b11110],
        'E' => [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b11111],
        'F' => [0b11111, 0b10000, 0b10000, 0b11110, 0b10000, 0b10000, 0b10000],
        'G' => [0b01110, 0b10001, 0b10000, 0b10111, 0b10001, 0b10001, 0b01111],
        'H' => [0b10001, 0b10001, 0b10001, 0b11111, 0b10001, 0b10001, 0b10001],
        'I' => [0b01110, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        'J' => [0b00111, 0b00010, 0b00010, 0b00010, 0b00010, 0b10010, 0b01100],
        'K' => [0b10001, 0b10010, 0b10100, 0b11000, 0b10100, 0b10010, 0b10001],
        'L' => [0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b10000, 0b11111],
        'M' => [0b10001, 0b11011, 0b10101, 0b10101, 0b10001, 0b10001, 0b10001],
        'N' => [0b10001, 0b10001, 0b11001, 0b10101, 0b10011, 0b10001, 0b10001],
        'O' => [0b01110, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110],
        'P' => [0b11110, 0b10001, 0b10001, 0b11110, 0b10000, 0b10000, 0b10000],
        'Q' => [0b01110, 0b10001, 0b10001, 0b10001, 0b10101, 0b10010, 0b01101],
        'R' => [0b11110, 0b10001, 0b10001, 0b11110, 0b10100, 0b10010, 0b10001],
        'S' => [0b01111, 0b10000, 0b10000, 0b01110, 0b00001, 0b00001, 0b11110],
        'T' => [0b11111, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0b00100],
        'U' => [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01110],
        'V' => [0b10001, 0b10001, 0b10001, 0b10001, 0b10001, 0b01010, 0b00100],
        'W' => [0b10001, 0b10001, 0b10001, 0b10101, 0b10101, 0b10101, 0b01010],
        'X' => [0b10001, 0b10001, 0b01010, 0b00100, 0b01010, 0b10001, 0b10001],
        'Y' => [0b10001, 0b10001, 0b01010, 0b00100, 0b00100, 0b00100, 0b00100],
        'Z' => [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b10000, 0b11111],
        '0' => [0b01110, 0b10001, 0b10011, 0b10101, 0b11001, 0b10001, 0b01110],
        '1' => [0b00100, 0b01100, 0b00100, 0b00100, 0b00100, 0b00100, 0b01110],
        '2' => [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0b01000, 0b11111],
        '3' => [0b11111, 0b00010, 0b00100, 0b00010, 0b00001, 0b10001, 0b01110],
        '4' => [0b00010, 0b00110, 0b01010, 0b10010, 0b11111, 0b00010, 0b00010],
        '5' => [0b11111, 0b10000, 0b11110, 0b00001, 0b00001, 0b10001, 0b01110],
        '6' => [0b00110, 0b01000, 0b10000, 0b11110, 0b10001, 0b10001, 0b01110],
        '7' => [0b11111, 0b00001, 0b00010, 0b00100, 0b01000, 0b01000, 0b01000],
        '8' => [0b01110, 0b10001, 0b10001, 0b01110, 0b10001, 0b10001, 0b01110],
        '9' => [0b01110, 0b10001, 0b10001, 0b01111, 0b00001, 0b00010, 0b01100],
        '.' => [0, 0, 0, 0, 0, 0b01100, 0b01100],
        ',' => [0, 0, 0, 0, 0b01100, 0b00100, 0b01000],
        '!' => [0b00100, 0b00100, 0b00100, 0b00100, 0b00100, 0, 0b00100],
        '?' => [0b01110, 0b10001, 0b00001, 0b00010, 0b00100, 0, 0b00100],
        '\'' => [0b00100, 0b00100, 0b01000, 0, 0, 0, 0],
        '"' => [0b01010, 0b01010, 0, 0, 0, 0, 0],
        '-' => [0, 0, 0, 0b01110, 0, 0, 0],
        ':' => [0, 0b01100, 0b01100, 0, 0b01100, 0b01100, 0],
        '&' => [0b01100, 0b10010, 0b10100, 0b01000, 0b10101, 0b10010, 0b01101],
        '/' => [0b00001, 0b00010, 0b00010, 0b00100, 0b01000, 0b01000, 0b10000],
        '%' => [0b11001, 0b11010, 0b00010, 0b00100, 0b01000, 0b01011, 0b10011],
        '#' => [0b01010, 0b11111, 0b01010, 0b01010, 0b01010, 0b11111, 0b01010],
        _ => [0; 7],
    }
}

/// Width in pixels of `text` set at `scale` pixels per font cell.
pub fn text_width(text: &str, scale: f32) -> f32 {
    let n = text.chars().count() as f32;
    if n == 0.0 {
        return 0.0;
    }
    (n * (GLYPH_W + 1) as f32 - 1.0) * scale
}

/// Height in pixels of one line at `scale`.
pub fn text_height(scale: f32) -> f32 {
    GLYPH_H as f32 * scale
}

/// Coverage of one font cell at font-space position `(u, v)`; outside cells are empty.
fn cell_on(text: &[char], u: i64, v: i64) -> bool {
    if u < 0 || v < 0 || v >= GLYPH_H as i64 {
        return false;
    }
    let advance = (GLYPH_W + 1) as i64;
    let (ci, col) = ((u / advance) as usize, (u % advance) as u32);
    if ci >= text.len() || col >= GLYPH_W {
        return false;
    }
    glyph(text[ci])[v as usize] & (1 << (GLYPH_W - 1 - col)) != 0
}

/// A mask of `text` drawn with its top-left corner at `(x, y)` on a `w`×`h` canvas.
/// Cells are `scale` pixels wide; `sx` stretches horizontally (condensed < 1 < wide).
/// Corners are rounded by measuring a blurred cell field, so large text looks drawn.
pub fn text_mask(w: u32, h: u32, text: &str, x: f32, y: f32, scale: f32, sx: f32) -> Mask {
    let chars: Vec<char> = text.chars().collect();
    let cw = scale * sx;
    let soft = 0.28;
    Mask::from_fn(w, h, |px, py| {
        let u = (px as f32 + 0.5 - x) / cw;
        let v = (py as f32 + 0.5 - y) / scale;
        if u < -1.0 || v < -1.0 || v > GLYPH_H as f32 + 1.0 {
            return 0.0;
        }
        let field = rounded_field(&chars, u, v, soft);
        let aa = 0.5 / scale.min(cw);
        smoothstep(0.5 - aa, 0.5 + aa, field)
    })
}

/// Smoothed cell occupancy at font-space `(u, v)`: a tent-filtered sample of the 2×2
/// neighbourhood, so diagonals join and outer corners round off.
fn rounded_field(chars: &[char], u: f32, v: f32, soft: f32) -> f32 {
    let (fu, fv) = (u.floor(), v.floor());
    let (iu, iv) = (fu as i64, fv as i64);
    let (du, dv) = (u - fu, v - fv);
    let here = cell_on(chars, iu, iv) as u8 as f32;
    // Blend towards neighbours only near the cell border, within `soft` of it.
    let wu = |d: f32| {
        if d < soft {
            0.5 - d / (2.0 * soft)
        } else if d > 1.0 - soft {
            0.5 - (1.0 - d) / (2.0 * soft)
        } else {
            0.0
        }
    };
    let (au, av) = (wu(du), wu(dv));
    let nu = if du < 0.5 { iu - 1 } else { iu + 1 };
    let nv = if dv < 0.5 { iv - 1 } else { iv + 1 };
    let side_u = cell_on(chars, nu, iv) as u8 as f32;
    let side_v = cell_on(chars, iu, nv) as u8 as f32;
    let corner = cell_on(chars, nu, nv) as u8 as f32;
    let row = here * (1.0 - au) + side_u * au;
    let row2 = side_v * (1.0 - au) + corner * au;
    row * (1.0 - av) + row2 * av
}

/// Centre-line strokes of `text` in font space: each lit cell joined to its lit neighbours
/// (diagonals only where no straight joint exists), as a neon tube would be bent.
fn strokes(text: &[char]) -> Vec<((f32, f32), (f32, f32))> {
    let on = |u: i64, v: i64| cell_on(text, u, v);
    let width = text.len() as i64 * (GLYPH_W + 1) as i64;
    let mut out = Vec::new();
    for v in 0..GLYPH_H as i64 {
        for u in 0..width {
            if !on(u, v) {
                continue;
            }
            let c = (u as f32 + 0.5, v as f32 + 0.5);
            let mut join = |du: i64, dv: i64| out.push((c, (c.0 + du as f32, c.1 + dv as f32)));
            let (right, down, left) = (on(u + 1, v), on(u, v + 1), on(u - 1, v));
            if right {
                join(1, 0);
            }
            if down {
                join(0, 1);
            }
            if on(u + 1, v + 1) && !right && !down {
                join(1, 1);
            }
            if on(u - 1, v + 1) && !left && !down {
                join(-1, 1);
            }
            if !right && !down && !left && !on(u, v - 1) && !on(u + 1, v + 1) && !on(u - 1, v + 1) {
                join(0, 0);
            }
        }
    }
    out
}

/// `text` as tubes of radius `r` pixels along the glyphs' centre lines, centred on `cx`
/// with its top at `y`, `scale` pixels per font cell.
pub fn tube_text(w: u32, h: u32, text: &str, cx: f32, y: f32, scale: f32, r: f32) -> Mask {
    let chars: Vec<char> = text.chars().collect();
    let x0 = cx - text_width(text, scale) / 2.0;
    let to_px = |p: (f32, f32)| (x0 + p.0 * scale, y + p.1 * scale);
    let segs: Vec<((f32, f32), (f32, f32))> = strokes(&chars).into_iter().map(|(a, b)| (to_px(a), to_px(b))).collect();
    Mask::from_fn(w, h, |px, py| {
        let (qx, qy) = (px as f32 + 0.5, py as f32 + 0.5);
        let mut best = f32::MAX;
        for &(a, b) in &segs {
            best = best.min(segment_distance((qx, qy), a, b));
        }
        (r + 0.5 - best).clamp(0.0, 1.0)
    })
}

/// Distance from `p` to the segment `a`–`b`.
fn segment_distance(p: (f32, f32), a: (f32, f32), b: (f32, f32)) -> f32 {
    let (abx, aby) = (b.0 - a.0, b.1 - a.1);
    let (apx, apy) = (p.0 - a.0, p.1 - a.1);
    let len2 = abx * abx + aby * aby;
    let t = if len2 > 0.0 { ((apx * abx + apy * aby) / len2).clamp(0.0, 1.0) } else { 0.0 };
    let (dx, dy) = (apx - abx * t, apy - aby * t);
    (dx * dx + dy * dy).sqrt()
}

/// `text` centred horizontally on `cx` with its top at `y`.
pub fn centred_text(w: u32, h: u32, text: &str, cx: f32, y: f32, scale: f32, sx: f32) -> Mask {
    let tw = text_width(text, scale * sx);
    text_mask(w, h, text, cx - tw / 2.0, y, scale, sx)
}
