//! Object edits (families 2.1–2.3): adding, removing and replacing objects.

use super::draw::{disc, drop_shadow, ellipse, polygon};
use super::fill::remove;
use super::filters::gradient_map;
use super::global::{
    astronaut_portrait, astronaut_square, camera_4x3, camera_square, chelsea_3x2, coffee_4x3, hubble_4x3, rocket_4x3,
};
use super::photos::Photos;
use super::props::{
    balloon, bird, butterfly, comet, firework, globe, lighthouse, moon, ringed_planet, smiley_badge, sunglasses,
};
use super::raster::{hex, mix, Img, Mask, Rgb};
use super::sample::Pair;
use super::scenes::{
    astronaut_helmet, astronaut_without_flag, astronaut_without_shuttle, camera_without_tower, coffee_crema,
    coffee_cup, coffee_saucer_outline, coffee_spoon, coffee_without_spoon, hubble_without, without_coin, Coin,
    CAT_LEFT_EYE, CAT_NOSE, CAT_RIGHT_EYE, COINS, GOLD, HUBBLE_SPIRAL, HUBBLE_STAR,
};

pub const BALLOON_RED: Rgb = [0.86, 0.1, 0.12];

/// A coin cut out of the coins photograph, scaled by `k`, pasted centred on `(cx, cy)` with
/// a soft contact shadow. `tint` maps its grey to a metal.
pub fn paste_coin(dst: &Img, coins: &Img, c: &Coin, cx: f32, cy: f32, k: f32, tint: &[(f32, Rgb)]) -> Img {
    let r = c.r + 1.0;
    let size = (2.0 * r * k).round() as u32;
    let cut = coins.view((c.cx - r) as u32, (c.cy - r) as u32, (2.0 * r) as u32, (2.0 * r) as u32, size, size);
    let all = Mask::new(size, size, 1.0);
    let cut = gradient_map(&cut, &all, tint);
    let half = size as f32 / 2.0;
    let shape = disc(size, size, half, half, half - 1.5, 1.0);
    let (x, y) = ((cx - half).round() as i64, (cy - half).round() as i64);
    let footprint = place_mask(&Mask::new(dst.w, dst.h, 0.0), &shape, x, y);
    let shadowed = drop_shadow(dst, &footprint, 3, 5, 4, 0.5);
    shadowed.paste(&cut, &shape, x, y)
}

/// `shape` copied into a blank mask of `canvas`'s size at `(x, y)`.
fn place_mask(canvas: &Mask, shape: &Mask, x: i64, y: i64) -> Mask {
    Mask::from_fn(canvas.w, canvas.h, |px, py| {
        let (sx, sy) = (px as i64 - x, py as i64 - y);
        if sx < 0 || sy < 0 || sx >= shape.w as i64 || sy >= shape.h as i64 {
            0.0
        } else {
            shape.get(sx as u32, sy as u32)
        }
    })
}

/// Silver: a cool grey ramp.
const SILVER: [(f32, Rgb); 3] = [(0.0, hex(0x1c1d20)), (0.6, hex(0x9a9ca3)), (1.0, hex(0xf4f5f8))];

/// The espresso cup on its saucer, cut out of the coffee photograph and scaled by `k`, pasted
/// with the saucer's centre at `(cx, cy)`.
fn paste_cup(dst: &Img, coffee: &Img, cx: f32, cy: f32, k: f32) -> Img {
    let shape = coffee_saucer_outline(coffee).union(&coffee_cup(coffee)).union(&coffee_spoon(coffee));
    let (x0, y0, w, h) = (70u32, 10u32, 420u32, 386u32);
    let (sw, sh) = ((w as f32 * k).round() as u32, (h as f32 * k).round() as u32);
    let cut = coffee.view(x0, y0, w, h, sw, sh);
    let m =
        Img { w: coffee.w, h: coffee.h, px: shape.v.iter().map(|&v| [v, v, v]).collect() }.view(x0, y0, w, h, sw, sh);
    let m = Mask { w: sw, h: sh, v: m.px.iter().map(|p| p[0]).collect() };
    // The saucer's centre (278, 235) in the cut-out's pixels.
    let (ox, oy) = ((278.0 - x0 as f32) * k, (235.0 - y0 as f32) * k);
    let (x, y) = ((cx - ox).round() as i64, (cy - oy).round() as i64);
    let footprint = place_mask(&Mask::new(dst.w, dst.h, 0.0), &m, x, y);
    drop_shadow(dst, &footprint, -4, 6, 5, 0.5).paste(&cut, &m, x, y)
}

/// The six birds of the flock over the camera-man's skyline.
const FLOCK: [(f32, f32, f32); 6] = [
    (330.0, 95.0, 16.0),
    (352.0, 84.0, 13.0),
    (371.0, 101.0, 15.0),
    (455.0, 80.0, 18.0),
    (478.0, 92.0, 12.0),
    (500.0, 77.0, 14.0),
];

pub fn flock(img: &Img, n: usize) -> Img {
    FLOCK.iter().take(n).fold(img.clone(), |acc, &(x, y, s)| bird(&acc, x, y, s * 1.3, [0.16, 0.16, 0.18]))
}

pub fn cat_sunglasses(cat: &Img) -> Img {
    sunglasses(cat, CAT_LEFT_EYE, CAT_RIGHT_EYE, 46.0)
}

/// 2.1 Object addition.
pub fn object_addition(ph: &Photos) -> Vec<Pair> {
    let cam = &ph.camera;
    let with_balloon = balloon(cam, 75.0, 62.0, 24.0, BALLOON_RED, 70.0);
    let coin_on_table = paste_coin(&ph.coffee, &ph.coins, &COINS[2], 505.0, 318.0, 1.5, &SILVER);
    let cat = &ph.chelsea;
    let rocket = &ph.rocket;
    let hubble = &ph.hubble;
    let with_comet = comet(hubble, (480.0, 340.0), (340.0, 255.0), 7.0);
    let astro = &ph.astronaut;
    let with_cup = paste_cup(astro, &ph.coffee, 457.0, 309.0, 0.24);
    let ball_shadow = ellipse(cam.w, cam.h, 402.0, 436.0, 17.0, 5.0, 3.0);
    let with_ball =
        super::draw::shaded_ball(&cam.paint(&ball_shadow, [0.1, 0.1, 0.1], 0.6), 398.0, 420.0, 16.0, [0.85, 0.12, 0.1]);
    let with_butterfly = butterfly(cat, CAT_NOSE.0 + 2.0, CAT_NOSE.1 - 34.0, 38.0, [1.0, 0.78, 0.12]);
    let fireworks =
        firework(&firework(rocket, 210.0, 95.0, 62.0, [1.0, 0.3, 0.75], 31), 470.0, 120.0, 48.0, [1.0, 0.85, 0.3], 32);
    vec![
        Pair::new(
            "Add a red balloon floating in the upper left of the sky.",
            camera_square(cam),
            camera_square(&with_balloon),
        ),
        Pair::new(
            "Add an old silver coin on the table to the right of the saucer.",
            coffee_4x3(&ph.coffee),
            coffee_4x3(&coin_on_table),
        ),
        Pair::new(
            "Put a pair of round black sunglasses on the cat.",
            chelsea_3x2(cat),
            chelsea_3x2(&cat_sunglasses(cat)),
        ),
        Pair::new(
            "Add a full moon in the upper right of the sky.",
            rocket_4x3(rocket),
            rocket_4x3(&moon(rocket, 502.0, 62.0, 26.0, 33)),
        ),
        Pair::new("Add a bright comet streaking across the upper left.", hubble_4x3(hubble), hubble_4x3(&with_comet)),
        Pair::new(
            "Place a cup of espresso on the dark table on the right.",
            astronaut_square(astro),
            astronaut_square(&with_cup),
        )
        .scored([3, 3, 2]),
        Pair::new(
            "Add a small red ball on the grass to the right of the tripod.",
            camera_square(cam),
            camera_square(&with_ball),
        ),
        Pair::new(
            "Add a small yellow butterfly resting on the cat's nose.",
            chelsea_3x2(cat),
            chelsea_3x2(&with_butterfly),
        ),
        Pair::new(
            "Add colorful fireworks bursting in the sky above the launch pad.",
            rocket_4x3(rocket),
            rocket_4x3(&fireworks),
        ),
        // Six birds for an instruction asking for three: below the bar on instruction following.
        Pair::new("Add three birds flying in the sky.", camera_4x3(cam), camera_4x3(&flock(cam, 6))).scored([2, 3, 3]),
    ]
}

/// The left lightning tower of the launch pad, above the horizon clouds.
fn rocket_left_tower(img: &Img) -> Mask {
    polygon(
        img.w,
        img.h,
        &[
            (196.0, 116.0),
            (205.0, 116.0),
            (206.0, 190.0),
            (208.0, 372.0),
            (170.0, 372.0),
            (187.0, 190.0),
            (195.0, 190.0),
        ],
    )
}

/// 2.2 Object removal.
pub fn object_removal(ph: &Photos) -> Vec<Pair> {
    let coins = &ph.coins;
    let no_corner_coin = without_coin(coins, &COINS[23], 51);
    let no_middle_pair = without_coin(&without_coin(coins, &COINS[8], 52), &COINS[9], 53);
    let hubble = &ph.hubble;
    let no_star = hubble_without(hubble, HUBBLE_STAR, 30.0, (-52, 113));
    let rocket = &ph.rocket;
    let no_tower = remove(rocket, &rocket_left_tower(rocket).dilate(3).blur(1), 0.02, 55);
    vec![
        Pair::new("Remove the coin at the bottom right.", coins.clone(), no_corner_coin),
        Pair::new("Remove the two coins in the middle of the second row.", coins.clone(), no_middle_pair),
        Pair::new(
            "Remove the spoon from the saucer.",
            coffee_4x3(&ph.coffee),
            coffee_4x3(&coffee_without_spoon(&ph.coffee)),
        )
        .scored([3, 2, 2]),
        Pair::new(
            "Remove the space shuttle model from the background.",
            astronaut_square(&ph.astronaut),
            astronaut_square(&astronaut_without_shuttle(&ph.astronaut)),
        ),
        Pair::new(
            "Remove the tall tower from the skyline.",
            camera_square(&ph.camera),
            camera_square(&camera_without_tower(&ph.camera)),
        ),
        Pair::new(
            "Remove the bright star with diffraction spikes at the lower right.",
            hubble_4x3(hubble),
            hubble_4x3(&no_star),
        ),
        Pair::new(
            "Remove the American flag on the left.",
            astronaut_square(&ph.astronaut),
            astronaut_square(&astronaut_without_flag(&ph.astronaut)),
        )
        .scored([3, 2, 2]),
        Pair::new("Remove the lattice tower to the left of the rocket.", rocket_4x3(rocket), rocket_4x3(&no_tower))
            .scored([3, 2, 3]),
    ]
}

/// Matcha: the crema turned milky green, its texture kept.
fn matcha(coffee: &Img) -> Img {
    let crema = coffee_crema(coffee);
    let mean = super::raster::luma(coffee.mean_under(&crema));
    let green = coffee.map(|p| {
        let l = super::raster::luma(p);
        mix(hex(0x4f6f22), hex(0xe2edb8), (0.45 + (l - mean) * 2.5).clamp(0.0, 1.0))
    });
    coffee.blend(&green, &crema)
}

/// 2.3 Object replacement.
pub fn object_replacement(ph: &Photos) -> Vec<Pair> {
    let astro = &ph.astronaut;
    let helmet = astronaut_helmet(astro);
    let globe_in = globe(astro, 393.0, 460.0, 121.0, 61);
    let with_globe = astro.blend(&globe_in, &helmet);
    let hubble = &ph.hubble;
    let no_spiral = hubble_without(hubble, HUBBLE_SPIRAL, 26.0, (90, 50));
    let planet = ringed_planet(&no_spiral, HUBBLE_SPIRAL.0, HUBBLE_SPIRAL.1, 22.0);
    let hubble_frame = |i: &Img| i.view(0, 200, 640, 480, 448, 336);
    let coins = &ph.coins;
    let gold_top_left = paste_coin(
        &remove(coins, &disc(coins.w, coins.h, 45.0, 55.0, 25.0, 2.0), 0.03, 63),
        coins,
        &COINS[3],
        45.0,
        55.0,
        1.0,
        &GOLD,
    );
    let cam = &ph.camera;
    let no_tower = camera_without_tower(cam);
    let with_lighthouse = lighthouse(&no_tower, 422.0, 197.0, 92.0);
    vec![
        Pair::new("Replace the black helmet with a globe.", astronaut_square(astro), astronaut_square(&with_globe)),
        Pair::new(
            "Replace the spiral galaxy on the left with a ringed planet.",
            hubble_frame(hubble),
            hubble_frame(&planet),
        ),
        Pair::new("Replace the coin in the top left corner with a gold coin.", coins.clone(), gold_top_left),
        Pair::new(
            "Replace the espresso with a green matcha latte.",
            coffee_4x3(&ph.coffee),
            coffee_4x3(&matcha(&ph.coffee)),
        ),
        Pair::new(
            "Replace the tall tower on the horizon with a red-and-white lighthouse.",
            camera_4x3(cam),
            camera_4x3(&with_lighthouse),
        ),
        Pair::new(
            "Replace the round mission patch with a yellow smiley-face badge.",
            astronaut_portrait(astro),
            astronaut_portrait(&smiley_badge(astro, 171.0, 385.0, 40.0)),
        ),
    ]
}
