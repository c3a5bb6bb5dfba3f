//! Attribute edits (families 3.1, 3.2, 3.4, 3.5): colour, material, count and size.

use super::draw::{disc, polygon};
use super::filters::{gradient_map, hue_shift, recolor, saturation, sharpen};
use super::global::{
    astronaut_portrait, astronaut_square, camera_4x3, camera_square, chelsea_3x2, chelsea_4x3, coffee_3x2, coffee_4x3,
    hubble_4x3, rocket_4x3,
};
use super::object::{flock, paste_coin, BALLOON_RED};
use super::photos::Photos;
use super::props::{balloon, firework, marble, tinted};
use super::raster::{hex, luma, smoothstep, Img, Mask, Rgb};
use super::sample::Pair;
use super::scenes::{
    astronaut_helmet, astronaut_patch, astronaut_shuttle, astronaut_suit, astronaut_without_shuttle, bulge,
    camera_grass, camera_tower, cat_eye_color, cat_eyes, clone_disc, coffee_recolor_ceramic, coffee_saucer,
    coffee_spoon, coffee_table, metal_coins, rocket_sky, scale_disc, without_coin, CAT_LEFT_EYE, CAT_NOSE,
    CAT_RIGHT_EYE, COINS, COPPER, GOLD, HUBBLE_ORANGE_GALAXY, HUBBLE_SPIRAL,
};

/// 3.1 Colour change.
pub fn color_change(ph: &Photos) -> Vec<Pair> {
    let coffee = &ph.coffee;
    let astro = &ph.astronaut;
    let cat = &ph.chelsea;
    let rocket = &ph.rocket;
    let cam = &ph.camera;
    let hubble = &ph.hubble;
    let purple_sky = hue_shift(rocket, &rocket_sky(rocket), 55.0, 1.15);
    let green_lawn = recolor(cam, &camera_grass(cam), hex(0x5a9a3c), 0.9);
    let gold_spoon = gradient_map(coffee, &coffee_spoon(coffee).erode(1).blur(1), &GOLD);
    let green_patch = hue_shift(astro, &astronaut_patch(astro), -130.0, 1.0);
    let (gx, gy) = HUBBLE_ORANGE_GALAXY;
    let blue_galaxy = hue_shift(hubble, &disc(hubble.w, hubble.h, gx, gy, 30.0, 8.0), 190.0, 1.2);
    let fur = cat_eyes(cat).union(&disc(cat.w, cat.h, CAT_NOSE.0, CAT_NOSE.1 + 2.0, 17.0, 3.0)).invert();
    let silver_cat = cat.blend(&saturation(cat, 0.08), &fur);
    vec![
        Pair::new(
            "Change the color of the cup and saucer to teal.",
            coffee_4x3(coffee),
            coffee_4x3(&coffee_recolor_ceramic(coffee, hex(0x177c79))),
        ),
        Pair::new(
            "Change the orange spacesuit to navy blue.",
            astronaut_square(astro),
            astronaut_square(&recolor(astro, &astronaut_suit(astro), hex(0x1f3566), 1.0)),
        ),
        Pair::new(
            "Make the cat's eyes bright blue.",
            chelsea_3x2(cat),
            chelsea_3x2(&cat_eye_color(cat, hex(0x3d8bff))),
        ),
        Pair::new("Make all the coins gold.", ph.coins.clone(), metal_coins(&ph.coins, &GOLD)),
        Pair::new("Change the evening sky to a deep purple.", rocket_4x3(rocket), rocket_4x3(&purple_sky)),
        Pair::new("Color the lawn bright green.", camera_square(cam), camera_square(&green_lawn)).scored([3, 2, 3]),
        Pair::new("Make the spoon gold.", coffee_4x3(coffee), coffee_4x3(&gold_spoon)),
        Pair::new("Make the round mission patch green.", astronaut_portrait(astro), astronaut_portrait(&green_patch)),
        Pair::new("Turn the large orange galaxy blue.", hubble_4x3(hubble), hubble_4x3(&blue_galaxy)),
        Pair::new("Change the cat's fur to a silvery grey.", chelsea_4x3(cat), chelsea_4x3(&silver_cat)),
    ]
}

/// Give the region under `mask` the surface `texture`, lit by the original's shading.
fn resurface(img: &Img, mask: &Mask, texture: &Img, contrast: f32) -> Img {
    let mean = luma(img.mean_under(mask)).max(0.05);
    let lit = img.map_xy(|x, y, p| {
        let shade = (1.0 + (luma(p) / mean - 1.0) * contrast).clamp(0.25, 1.6);
        let t = texture.get(x, y);
        [(t[0] * shade).min(1.0), (t[1] * shade).min(1.0), (t[2] * shade).min(1.0)]
    });
    img.blend(&lit, mask)
}

const BRONZE: [(f32, Rgb); 4] =
    [(0.0, hex(0x1a0f05)), (0.4, hex(0x6b4420)), (0.75, hex(0xb8864a)), (1.0, hex(0xf2d9a0))];

/// Cast bronze: the luma smoothed and embossed (lit from the upper left), mapped through a
/// bronze ramp, with a faint green patina in the hollows.
fn bronze_statue(img: &Img, seed: u64) -> Img {
    let l = img.luma().blur(2);
    let relief = Mask::from_fn(img.w, img.h, |x, y| {
        let (x, y) = (x as i64, y as i64);
        (l.get_clamped(x - 2, y - 2) - l.get_clamped(x + 2, y + 2)) * 1.6
    });
    let all = Mask::new(img.w, img.h, 1.0);
    let shaded = img.map_xy(|x, y, _| {
        let v = (0.15 + 0.75 * l.get(x, y) + relief.get(x, y)).clamp(0.0, 1.0);
        [v, v, v]
    });
    let metal = gradient_map(&shaded, &all, &BRONZE);
    let patina = Mask::from_fn(img.w, img.h, |x, y| {
        let n = super::draw::fbm(seed, x as f32, y as f32, 30.0, 3);
        smoothstep(0.55, 0.75, n) * (1.0 - smoothstep(0.2, 0.45, shaded.get(x, y)[0])) * 0.6
    });
    sharpen(&metal.paint(&patina, hex(0x4f7a62), 1.0), 1, 0.4)
}

/// The camera-man's dark coat.
fn camera_coat(cam: &Img) -> Mask {
    let region = polygon(
        cam.w,
        cam.h,
        &[
            (0.0, 170.0),
            (120.0, 115.0),
            (165.0, 150.0),
            (200.0, 215.0),
            (290.0, 255.0),
            (300.0, 300.0),
            (160.0, 375.0),
            (155.0, 512.0),
            (0.0, 512.0),
        ],
    );
    let dark = cam.luma().map(|l| 1.0 - smoothstep(0.16, 0.26, l));
    dark.times(&region).blur(1)
}

/// 3.2 Material change.
pub fn material_change(ph: &Photos) -> Vec<Pair> {
    let coffee = &ph.coffee;
    let marble_saucer = resurface(coffee, &coffee_saucer(coffee).blur(1), &marble(coffee.w, coffee.h, 71), 0.8);
    let astro = &ph.astronaut;
    let lifted = astro.map(|p| {
        let l = (luma(p) * 1.5 + 0.22).min(1.0);
        [l, l, l]
    });
    let gold_helmet =
        astro.blend(&gradient_map(&lifted, &Mask::new(astro.w, astro.h, 1.0), &GOLD), &astronaut_helmet(astro));
    let stone = tinted(
        &ph.gravel.view(0, 0, 512, 512, coffee.w, coffee.w).crop(0, 0, coffee.w, coffee.h),
        hex(0x3a3a38),
        hex(0xc8c6c0),
    );
    let stone_table = resurface(coffee, &coffee_table(coffee), &stone, 0.9);
    let cat = &ph.chelsea;
    let bronze = bronze_statue(cat, 72);
    let cam = &ph.camera;
    let leather = recolor(cam, &camera_coat(cam), hex(0x5a321c), 1.0);
    let leather = sharpen(&leather, 1, 0.5);
    vec![
        Pair::new(
            "Make the saucer look like it is made of white marble.",
            coffee_4x3(coffee),
            coffee_4x3(&marble_saucer),
        ),
        Pair::new("Turn the helmet into polished gold.", astronaut_square(astro), astronaut_square(&gold_helmet)),
        Pair::new(
            "Make the coins look like they are made of copper.",
            ph.coins.clone(),
            metal_coins(&ph.coins, &COPPER),
        ),
        Pair::new("Make the wooden table look like rough grey stone.", coffee_3x2(coffee), coffee_3x2(&stone_table))
            .scored([3, 2, 2]),
        Pair::new("Turn the cat into a bronze statue.", chelsea_3x2(cat), chelsea_3x2(&bronze)),
        Pair::new("Make the man's coat look like brown leather.", camera_4x3(cam), camera_4x3(&leather)),
    ]
}

/// 3.4 Count change.
pub fn count_change(ph: &Photos) -> Vec<Pair> {
    let coins = &ph.coins;
    let four_on_top = without_coin(&without_coin(coins, &COINS[1], 81), &COINS[3], 82);
    let cam = &ph.camera;
    let one_balloon = balloon(cam, 88.0, 108.0, 22.0, BALLOON_RED, 60.0);
    let three = balloon(
        &balloon(&one_balloon, 42.0, 132.0, 19.0, hex(0x2f6fd6), 55.0),
        128.0,
        142.0,
        18.0,
        hex(0xf2c531),
        50.0,
    );
    let rocket = &ph.rocket;
    let one_firework = firework(rocket, 210.0, 95.0, 62.0, [1.0, 0.3, 0.75], 31);
    let two_fireworks = firework(&one_firework, 470.0, 110.0, 50.0, [0.35, 0.95, 0.5], 34);
    let hubble = &ph.hubble;
    let (sx, sy) = HUBBLE_SPIRAL;
    let three_spirals = clone_disc(
        &clone_disc(hubble, HUBBLE_SPIRAL, (sx + 170.0, sy - 60.0), 24.0),
        HUBBLE_SPIRAL,
        (sx + 330.0, sy + 90.0),
        24.0,
    );
    let hubble_frame = |i: &Img| i.view(0, 200, 640, 480, 448, 336);
    let coffee = &ph.coffee;
    let one_coin = paste_coin(coffee, coins, &COINS[2], 505.0, 320.0, 1.4, &SILVERISH);
    let two_coins = paste_coin(&one_coin, coins, &COINS[7], 440.0, 362.0, 1.4, &SILVERISH);
    vec![
        Pair::new("Remove two coins from the top row so that only four remain.", coins.clone(), four_on_top),
        Pair::new("Increase the number of balloons from one to three.", camera_4x3(&one_balloon), camera_4x3(&three)),
        Pair::new(
            "Add a second firework so there are two in the sky.",
            rocket_4x3(&one_firework),
            rocket_4x3(&two_fireworks),
        ),
        Pair::new("Reduce the flock to a single bird.", camera_4x3(&flock(cam, 6)), camera_4x3(&flock(cam, 1))),
        Pair::new(
            "Add two more spiral galaxies like the one on the left.",
            hubble_frame(hubble),
            hubble_frame(&three_spirals),
        )
        .scored([3, 3, 2]),
        Pair::new(
            "Put a second coin on the table next to the first one.",
            coffee_4x3(&one_coin),
            coffee_4x3(&two_coins),
        ),
    ]
}

const SILVERISH: [(f32, Rgb); 3] = [(0.0, hex(0x1e1f22)), (0.6, hex(0x9c9ea4)), (1.0, hex(0xf2f3f6))];

/// The tower stretched upwards by `k` from its base.
fn taller_tower(cam: &Img, k: f32) -> Img {
    let tower = camera_tower(cam);
    let base = 196.0;
    let stretched = cam.map_xy(|x, y, _| cam.sample(x as f32 + 0.5, base - (base - (y as f32 + 0.5)) / k));
    let reach = Mask::from_fn(cam.w, cam.h, |x, y| tower.get_clamped(x as i64, (base - (base - y as f32) / k) as i64));
    cam.blend(&stretched, &reach)
}

/// The shuttle model shrunk by `k` about the middle of its stand.
fn smaller_shuttle(astro: &Img, k: f32) -> Img {
    let empty = astronaut_without_shuttle(astro);
    let shape = astronaut_shuttle(astro);
    let (ax, ay) = (410.0, 284.0);
    let src = |x: u32, y: u32| (ax + (x as f32 + 0.5 - ax) / k, ay + (y as f32 + 0.5 - ay) / k);
    let scaled = astro.map_xy(|x, y, _| {
        let (sx, sy) = src(x, y);
        astro.sample(sx, sy)
    });
    let m = Mask::from_fn(astro.w, astro.h, |x, y| {
        let (sx, sy) = src(x, y);
        shape.get_clamped(sx as i64, sy as i64)
    });
    empty.blend(&scaled, &m.blur(1))
}

/// 3.5 Size change.
pub fn size_change(ph: &Photos) -> Vec<Pair> {
    let cat = &ph.chelsea;
    let big_eyes =
        bulge(&bulge(cat, CAT_LEFT_EYE.0, CAT_LEFT_EYE.1, 62.0, 1.45), CAT_RIGHT_EYE.0, CAT_RIGHT_EYE.1, 52.0, 1.45);
    let coins = &ph.coins;
    let c = COINS[0];
    let bigger_coin = scale_disc(coins, (c.cx, c.cy), c.r + 1.0, 1.45, false);
    let cam = &ph.camera;
    let hubble = &ph.hubble;
    let big_galaxy = scale_disc(hubble, HUBBLE_ORANGE_GALAXY, 24.0, 1.9, false);
    let small_balloon = balloon(cam, 80.0, 70.0, 15.0, BALLOON_RED, 55.0);
    let big_balloon = balloon(cam, 92.0, 80.0, 34.0, BALLOON_RED, 55.0);
    vec![
        Pair::new("Make the cat's eyes bigger.", chelsea_3x2(cat), chelsea_3x2(&big_eyes)),
        Pair::new("Make the coin in the top left corner larger.", coins.clone(), bigger_coin),
        Pair::new("Make the tower on the horizon taller.", camera_4x3(cam), camera_4x3(&taller_tower(cam, 1.7))),
        Pair::new(
            "Make the space shuttle model smaller.",
            astronaut_square(&ph.astronaut),
            astronaut_square(&smaller_shuttle(&ph.astronaut, 0.65)),
        ),
        Pair::new("Enlarge the bright orange galaxy.", hubble_4x3(hubble), hubble_4x3(&big_galaxy)),
        Pair::new("Make the red balloon much bigger.", camera_square(&small_balloon), camera_square(&big_balloon)),
    ]
}
