//! What is where in each photograph (the cup, the spoon, the flag, the sky, the coins…) and
//! the object-level edits built on that knowledge, shared by several task families.
//! All coordinates are in the photograph's own pixels.

use super::draw::{capsule, disc, ellipse, ellipse_rot, polygon, stamp_ellipse};
use super::fill::{clone_patch, remove, remove_ignoring};
use super::filters::{gradient_map, recolor};
use super::raster::{hex, hue_distance, luma, mix, rgb_to_hsv, smoothstep, Img, Mask, Rgb};
use super::select::{fill_holes, flood};

// ---------------------------------------------------------------- coffee (600×400)

/// The cup: rim ellipse, tapering body and handle.
pub fn coffee_cup(img: &Img) -> Mask {
    let (w, h) = (img.w, img.h);
    let rim = ellipse(w, h, 291.0, 113.0, 120.0, 96.0, 0.8);
    let body = polygon(
        w,
        h,
        &[
            (172.0, 113.0),
            (410.0, 113.0),
            (392.0, 215.0),
            (372.0, 262.0),
            (330.0, 282.0),
            (260.0, 282.0),
            (215.0, 262.0),
            (190.0, 215.0),
        ],
    );
    let handle = ellipse(w, h, 226.0, 265.0, 32.0, 42.0, 0.8);
    rim.union(&body).union(&handle)
}

/// The crema surface inside the cup.
pub fn coffee_crema(img: &Img) -> Mask {
    ellipse(img.w, img.h, 288.0, 143.0, 84.0, 49.0, 1.5)
}

/// The spoon: handle beside the cup and the bowl on the saucer.
pub fn coffee_spoon(img: &Img) -> Mask {
    let (w, h) = (img.w, img.h);
    let handle = polygon(
        w,
        h,
        &[
            (401.0, 66.0),
            (414.0, 63.0),
            (425.0, 70.0),
            (421.0, 86.0),
            (413.0, 140.0),
            (403.0, 190.0),
            (391.0, 222.0),
            (387.0, 244.0),
            (372.0, 244.0),
            (376.0, 222.0),
            (388.0, 190.0),
            (398.0, 140.0),
            (403.0, 90.0),
        ],
    );
    let bowl = ellipse_rot(img.w, img.h, (367.0, 284.0), (42.0, 44.0), (0.97, 0.24), 0.8);
    let glint = ellipse(w, h, 335.0, 248.0, 21.0, 12.0, 0.8);
    handle.union(&bowl).union(&glint)
}

/// The saucer's outline (everything it covers, cup and spoon included).
pub fn coffee_saucer_outline(img: &Img) -> Mask {
    ellipse_rot(img.w, img.h, (278.0, 235.0), (199.0, 152.0), (0.998, 0.06), 1.0)
}

/// The wooden table: everything outside saucer, cup and spoon.
pub fn coffee_table(img: &Img) -> Mask {
    coffee_saucer_outline(img).union(&coffee_cup(img)).union(&coffee_spoon(img)).dilate(2).blur(1).invert()
}

/// The red glazed ceramic of cup and saucer (no crema, no white rim, no spoon).
pub fn coffee_red_ceramic(img: &Img) -> Mask {
    let opening = ellipse(img.w, img.h, 291.0, 112.0, 117.0, 93.0, 1.0);
    let region = coffee_saucer_outline(img)
        .dilate(4)
        .union(&coffee_cup(img))
        .minus(&opening)
        .minus(&coffee_spoon(img).dilate(2));
    let red = Mask::from_fn(img.w, img.h, |x, y| {
        let [hue, s, v] = rgb_to_hsv(img.get(x, y));
        let hue_ok = 1.0 - smoothstep(24.0, 34.0, hue_distance(hue, 2.0));
        hue_ok * smoothstep(0.25, 0.4, s) * smoothstep(0.05, 0.12, v)
    });
    red.times(&region).blur(1)
}

/// The saucer's visible surface.
pub fn coffee_saucer(img: &Img) -> Mask {
    coffee_saucer_outline(img).dilate(4).minus(&coffee_cup(img).dilate(2)).minus(&coffee_spoon(img).dilate(3))
}

/// Remove the spoon: wood grain cloned from the right over the handle's tip, and below it
/// the glaze around the spoon spread in (never colour from the white cup).
pub fn coffee_without_spoon(img: &Img) -> Img {
    let hole = coffee_spoon(img).dilate(4);
    let tip = Mask::from_fn(img.w, img.h, |_, y| 1.0 - smoothstep(112.0, 124.0, y as f32));
    let cloned = clone_patch(img, &hole.times(&tip).blur(1), 34, 0);
    let rest = hole.times(&tip.invert()).blur(1);
    let ignore = coffee_cup(img).dilate(5).minus(&hole);
    remove_ignoring(&cloned, &rest, Some(&ignore), 0.02, 19)
}

/// Recolour the red ceramic (cup and saucer) to `color`.
pub fn coffee_recolor_ceramic(img: &Img, color: Rgb) -> Img {
    recolor(img, &coffee_red_ceramic(img), color, 1.0)
}

// ---------------------------------------------------------------- astronaut (512×512)

/// The American flag on the left, up to the suit's edge.
pub fn astronaut_flag(img: &Img) -> Mask {
    polygon(
        img.w,
        img.h,
        &[
            (0.0, 0.0),
            (66.0, 0.0),
            (68.0, 110.0),
            (82.0, 150.0),
            (99.0, 205.0),
            (102.0, 226.0),
            (72.0, 250.0),
            (55.0, 262.0),
            (30.0, 318.0),
            (20.0, 380.0),
            (20.0, 450.0),
            (26.0, 512.0),
            (0.0, 512.0),
        ],
    )
}

/// The suit and everything in front of it, below the shoulders (never a fill source).
fn astronaut_body(img: &Img) -> Mask {
    polygon(
        img.w,
        img.h,
        &[
            (120.0, 208.0),
            (55.0, 262.0),
            (30.0, 318.0),
            (20.0, 380.0),
            (20.0, 450.0),
            (26.0, 512.0),
            (512.0, 512.0),
            (512.0, 208.0),
        ],
    )
}

/// Remove the flag: fill from the studio backdrop.
pub fn astronaut_without_flag(img: &Img) -> Img {
    let hole = astronaut_flag(img).dilate(3).blur(1);
    let ignore = astronaut_body(img).minus(&hole);
    remove_ignoring(img, &hole, Some(&ignore), 0.035, 41)
}

/// The shuttle model and its stand.
pub fn astronaut_shuttle(img: &Img) -> Mask {
    polygon(
        img.w,
        img.h,
        &[
            (395.0, 0.0),
            (442.0, 0.0),
            (446.0, 40.0),
            (457.0, 45.0),
            (457.0, 200.0),
            (464.0, 226.0),
            (460.0, 262.0),
            (454.0, 284.0),
            (366.0, 284.0),
            (366.0, 238.0),
            (352.0, 226.0),
            (356.0, 206.0),
            (374.0, 180.0),
            (377.0, 110.0),
            (383.0, 74.0),
            (394.0, 40.0),
        ],
    )
}

/// The edge of the dark table behind the helmet.
const TABLE_TOP: u32 = 273;

/// Remove the shuttle model: backdrop above the table edge, table below it.
pub fn astronaut_without_shuttle(img: &Img) -> Img {
    let hole = astronaut_shuttle(img).dilate(4).blur(1);
    let below = Mask::from_fn(img.w, img.h, |_, y| if y >= TABLE_TOP { 1.0 } else { 0.0 });
    let top = remove_ignoring(img, &hole.times(&below.invert()), Some(&below), 0.03, 7);
    remove_ignoring(&top, &hole.times(&below), Some(&below.invert()), 0.01, 8)
}

/// The black helmet at the bottom right.
pub fn astronaut_helmet(img: &Img) -> Mask {
    disc(img.w, img.h, 393.0, 460.0, 121.0, 1.0)
}

/// The mission patch on the chest.
pub fn astronaut_patch(img: &Img) -> Mask {
    ellipse(img.w, img.h, 171.0, 385.0, 39.0, 38.0, 1.0)
}

/// The orange suit fabric.
pub fn astronaut_suit(img: &Img) -> Mask {
    let region = astronaut_body(img).minus(&astronaut_helmet(img).dilate(3)).minus(&astronaut_patch(img).dilate(2));
    let orange = Mask::from_fn(img.w, img.h, |x, y| {
        let [hue, s, v] = rgb_to_hsv(img.get(x, y));
        let hue_ok = 1.0 - smoothstep(14.0, 22.0, hue_distance(hue, 14.0));
        hue_ok * smoothstep(0.35, 0.5, s) * smoothstep(0.12, 0.25, v)
    });
    orange.times(&region).blur(1)
}

/// The studio backdrop (everything light grey behind the sitter), flood-filled from the top.
pub fn astronaut_backdrop(img: &Img) -> Mask {
    let seeds: Vec<(u32, u32)> =
        (120..360).step_by(8).map(|x| (x, 2)).chain([(330, 150), (480, 120), (470, 250)]).collect();
    let grey = flood(img, &seeds, 0.07, |_, _, p| {
        let [_, s, v] = rgb_to_hsv(p);
        s < 0.2 && v > 0.5
    });
    let solid = fill_holes(&grey.invert().erode(1)).invert().dilate(1);
    solid.minus(&astronaut_shuttle(img)).minus(&astronaut_flag(img)).blur(1)
}

// ---------------------------------------------------------------- chelsea (451×300)

pub const CAT_LEFT_EYE: (f32, f32) = (170.0, 115.0);
pub const CAT_RIGHT_EYE: (f32, f32) = (322.0, 135.0);
pub const CAT_NOSE: (f32, f32) = (265.0, 242.0);

/// The two irises.
pub fn cat_eyes(img: &Img) -> Mask {
    let (w, h) = (img.w, img.h);
    ellipse(w, h, CAT_LEFT_EYE.0, CAT_LEFT_EYE.1, 33.0, 29.0, 1.0).union(&ellipse(
        w,
        h,
        CAT_RIGHT_EYE.0,
        CAT_RIGHT_EYE.1,
        25.0,
        22.0,
        1.0,
    ))
}

/// Recolour the irises (the green-yellow parts, pupils stay black).
pub fn cat_eye_color(img: &Img, color: Rgb) -> Img {
    let iris = Mask::from_fn(img.w, img.h, |x, y| smoothstep(0.18, 0.3, luma(img.get(x, y)))).times(&cat_eyes(img));
    recolor(img, &iris, color, 0.95)
}

/// Magnify around `(cx, cy)` by `m` at the centre, fading out at radius `r`.
pub fn bulge(img: &Img, cx: f32, cy: f32, r: f32, m: f32) -> Img {
    img.map_xy(|x, y, p| {
        let dx = x as f32 + 0.5 - cx;
        let dy = y as f32 + 0.5 - cy;
        let d = (dx * dx + dy * dy).sqrt();
        if d >= r || d < 1e-3 {
            return p;
        }
        let t = d / r;
        let src_t = t * (1.0 / m + (1.0 - 1.0 / m) * t * t);
        let k = src_t / t;
        img.sample(cx + dx * k, cy + dy * k)
    })
}

// ---------------------------------------------------------------- camera (512×512)

/// The plain sky above the horizon.
pub fn camera_sky(img: &Img) -> Mask {
    let seeds: Vec<(u32, u32)> = (0..img.w).step_by(16).map(|x| (x, 1)).collect();
    let tower = camera_tower(img).dilate(1);
    let sky = flood(img, &seeds, 0.03, |x, y, p| y < 186 && luma(p) > 0.62 && tower.get(x, y) < 0.5);
    // Grow over the soft fringe of hair and roofs so no pale halo is left.
    sky.dilate(2).blur(1)
}

/// The tall tower on the horizon.
pub fn camera_tower(img: &Img) -> Mask {
    let (w, h) = (img.w, img.h);
    let body = polygon(w, h, &[(411.0, 128.0), (433.0, 128.0), (433.0, 196.0), (411.0, 196.0)]);
    body.union(&disc(w, h, 427.0, 122.0, 6.0, 0.5)).union(&disc(w, h, 416.0, 126.0, 3.5, 0.5))
}

/// The tripod: column, head, handle and three legs.
pub fn camera_tripod(img: &Img) -> Mask {
    let (w, h) = (img.w, img.h);
    let parts = [
        ((294.0, 180.0), (294.0, 485.0), 5.0),
        ((285.0, 330.0), (235.0, 508.0), 5.0),
        ((302.0, 330.0), (400.0, 508.0), 5.0),
        ((245.0, 487.0), (295.0, 480.0), 3.5),
        ((305.0, 315.0), (337.0, 302.0), 4.0),
        ((282.0, 326.0), (305.0, 326.0), 12.0),
    ];
    let mut m = Mask::new(w, h, 0.0);
    for (a, b, r) in parts {
        m = m.union(&capsule(w, h, a, b, r));
    }
    m
}

/// The lawn below the horizon, not the man or the tripod.
pub fn camera_grass(img: &Img) -> Mask {
    Mask::from_fn(img.w, img.h, |x, y| smoothstep(236.0, 244.0, y as f32) * smoothstep(0.22, 0.3, luma(img.get(x, y))))
        .minus(&camera_tripod(img))
        .blur(1)
}

/// Remove the tower: sky spread in from either side.
pub fn camera_without_tower(img: &Img) -> Img {
    let hole = camera_tower(img).dilate(3).blur(1);
    remove(img, &hole, 0.012, 77)
}

// ---------------------------------------------------------------- coins (384×303)

/// A coin: centre and radius.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Coin {
    pub cx: f32,
    pub cy: f32,
    pub r: f32,
}

const fn coin(cx: f32, cy: f32, r: f32) -> Coin {
    Coin { cx, cy, r }
}

/// The 24 coins, four rows of six, in reading order.
pub const COINS: [Coin; 24] = [
    coin(45.0, 55.0, 22.0),
    coin(101.0, 56.0, 19.5),
    coin(156.0, 51.0, 23.5),
    coin(216.0, 51.0, 23.5),
    coin(276.0, 51.0, 20.5),
    coin(334.0, 44.0, 29.0),
    coin(45.0, 125.0, 20.5),
    coin(104.0, 126.0, 20.5),
    coin(154.0, 126.0, 19.5),
    coin(206.0, 124.0, 20.5),
    coin(271.0, 119.0, 25.5),
    coin(337.0, 125.0, 19.5),
    coin(44.0, 196.0, 20.0),
    coin(103.0, 195.0, 22.0),
    coin(155.0, 197.0, 20.0),
    coin(213.0, 194.0, 24.0),
    coin(274.0, 195.0, 23.0),
    coin(347.0, 187.0, 32.0),
    coin(46.0, 260.0, 28.0),
    coin(114.0, 265.0, 21.5),
    coin(172.0, 261.0, 28.5),
    coin(244.0, 260.0, 24.5),
    coin(301.0, 260.0, 25.5),
    coin(358.0, 265.0, 23.0),
];

/// All coins as a soft mask.
pub fn coins_mask(img: &Img) -> Mask {
    let mut m = Mask::new(img.w, img.h, 0.0);
    for c in COINS {
        stamp_ellipse(&mut m, (c.cx, c.cy), (c.r + 0.5, c.r + 0.5), (1.0, 0.0), 1.0, 1.0);
    }
    m
}

/// Take one coin away, filling with the dark cloth.
pub fn without_coin(img: &Img, c: &Coin, seed: u64) -> Img {
    let hole = disc(img.w, img.h, c.cx, c.cy, c.r + 5.0, 2.0);
    remove(img, &hole, 0.03, seed)
}

/// Metal gradients for luma mapping.
pub const GOLD: [(f32, Rgb); 4] =
    [(0.0, hex(0x2a1a05)), (0.35, hex(0x8a6414)), (0.7, hex(0xe0b43c)), (1.0, hex(0xfff2b8))];
pub const COPPER: [(f32, Rgb); 4] =
    [(0.0, hex(0x2a0e05)), (0.35, hex(0x8a3a1a)), (0.7, hex(0xd97a48)), (1.0, hex(0xffd2b0))];

/// Turn the coins into a metal (gradient-mapped luma inside the coin mask).
pub fn metal_coins(img: &Img, metal: &[(f32, Rgb)]) -> Img {
    gradient_map(img, &coins_mask(img), metal)
}

// ---------------------------------------------------------------- rocket (640×427)

/// The dusk sky around the rocket and towers (down to the horizon clouds).
pub fn rocket_sky(img: &Img) -> Mask {
    let seeds: Vec<(u32, u32)> = (100..540).step_by(10).map(|x| (x, 2)).collect();
    let flooded = flood(img, &seeds, 0.045, |_, y, p| y < 372 && p[2] >= p[0] && luma(p) < 0.5);
    // Sky seen through the lattice towers: the same dusk blue, not reached by the flood.
    let blue = Mask::from_fn(img.w, img.h, |x, y| {
        let p = img.get(x, y);
        let above = 1.0 - smoothstep(355.0, 372.0, y as f32);
        above * smoothstep(0.06, 0.12, p[2] - p[0]) * (1.0 - smoothstep(0.4, 0.5, luma(p)))
    });
    flooded.union(&blue).blur(1)
}

// ---------------------------------------------------------------- hubble (1000×872)

pub const HUBBLE_ORANGE_GALAXY: (f32, f32) = (727.0, 473.0);
pub const HUBBLE_SPIRAL: (f32, f32) = (123.0, 400.0);
pub const HUBBLE_STAR: (f32, f32) = (752.0, 577.0);

/// Remove a bright object at `c` with radius `r` from the deep field: speckled sky cloned
/// from `from` pixels away, so the patch keeps the field's faint background galaxies.
pub fn hubble_without(img: &Img, c: (f32, f32), r: f32, from: (i64, i64)) -> Img {
    let hole = disc(img.w, img.h, c.0, c.1, r, 3.0);
    clone_patch(img, &hole, from.0, from.1)
}

/// Copy a disc of radius `r` around `from` to `to`, blended softly.
pub fn clone_disc(img: &Img, from: (f32, f32), to: (f32, f32), r: f32) -> Img {
    let m = disc(img.w, img.h, to.0, to.1, r, r * 0.35);
    let (dx, dy) = ((from.0 - to.0) as i64, (from.1 - to.1) as i64);
    let reach = r * 1.6 + 2.0;
    // Brightest-wins keeps the dark sky consistent around the copy.
    img.map_xy_in((to.0 - reach, to.1 - reach, to.0 + reach, to.1 + reach), |x, y, p| {
        let q = img.get_clamped(x as i64 + dx, y as i64 + dy);
        mix(p, [p[0].max(q[0]), p[1].max(q[1]), p[2].max(q[2])], m.get(x, y))
    })
}

/// Scale the disc of radius `r` around `c` by `k`, pasted over itself with a soft edge
/// (`fill` first removes the original when shrinking).
pub fn scale_disc(img: &Img, c: (f32, f32), r: f32, k: f32, fill: bool) -> Img {
    let base = if fill { remove(img, &disc(img.w, img.h, c.0, c.1, r + 3.0, 2.0), 0.02, 5) } else { img.clone() };
    let rk = r * k;
    let m = disc(img.w, img.h, c.0, c.1, rk, (rk * 0.08).max(1.0));
    let reach = rk * 1.2 + 4.0;
    base.map_xy_in((c.0 - reach, c.1 - reach, c.0 + reach, c.1 + reach), |x, y, p| {
        let s = img.sample(c.0 + (x as f32 + 0.5 - c.0) / k, c.1 + (y as f32 + 0.5 - c.1) / k);
        mix(p, s, m.get(x, y))
    })
}
