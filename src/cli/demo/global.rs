//! Global edits (families 1.1–1.4): style transfer, tone adjustment, viewpoint
//! transformation and background replacement.

use super::draw::drop_shadow;
use super::filters::{
    duotone, exposure, faded_film, ink, mosaic, neon, oil_paint, pencil_sketch, pixel_art, pop_art, saturation, sepia,
    temperature, tone, vignette, watercolor,
};
use super::photos::Photos;
use super::props::{cloudy_sky, felt, marble, sunset_sky, tinted};
use super::raster::{hex, luma, smoothstep, Img, Mask};
use super::sample::{Format, Pair};
use super::scenes::{
    astronaut_backdrop, camera_grass, camera_sky, coffee_saucer_outline, coffee_table, coins_mask, rocket_sky,
    HUBBLE_ORANGE_GALAXY,
};
use super::select::flood;

// Standard framings of the photographs (crop, then resample to a dataset-like size).
pub fn coffee_4x3(p: &Img) -> Img {
    p.view(33, 0, 534, 400, 448, 336)
}
pub fn coffee_3x2(p: &Img) -> Img {
    p.view(0, 0, 600, 400, 480, 320)
}
pub fn chelsea_3x2(p: &Img) -> Img {
    p.view(0, 0, 450, 300, 432, 288)
}
pub fn chelsea_4x3(p: &Img) -> Img {
    p.crop(25, 0, 400, 300)
}
pub fn astronaut_square(p: &Img) -> Img {
    p.view(0, 0, 512, 512, 384, 384)
}
pub fn astronaut_portrait(p: &Img) -> Img {
    p.view(64, 0, 384, 512, 336, 448)
}
pub fn rocket_4x3(p: &Img) -> Img {
    p.view(35, 0, 570, 427, 448, 336)
}
pub fn camera_square(p: &Img) -> Img {
    p.view(0, 0, 512, 512, 384, 384)
}
pub fn camera_4x3(p: &Img) -> Img {
    p.view(0, 64, 512, 384, 448, 336)
}
pub fn hubble_4x3(p: &Img) -> Img {
    p.view(300, 230, 640, 480, 448, 336)
}
pub fn retina_square(p: &Img) -> Img {
    p.view(0, 0, 1411, 1411, 448, 448)
}

/// 1.1 Style transfer.
pub fn style_transfer(ph: &Photos) -> Vec<Pair> {
    let coffee = coffee_4x3(&ph.coffee);
    let chelsea = chelsea_4x3(&ph.chelsea);
    let astro = astronaut_square(&ph.astronaut);
    let rocket = rocket_4x3(&ph.rocket);
    let camera = camera_square(&ph.camera);
    let retina = retina_square(&ph.retina);
    let astro_p = astronaut_portrait(&ph.astronaut);
    let camera_l = camera_4x3(&ph.camera);
    let pop = [hex(0x1b1f5e), hex(0xd6246e), hex(0xff8c1a), hex(0xffe14d), hex(0xfff6d6)];
    let flipped = chelsea_3x2(&ph.chelsea).flip_h();
    vec![
        Pair::new("Transform the photo into a pencil sketch.", coffee.clone(), pencil_sketch(&coffee, 11)),
        Pair::new(
            "Make it look like an oil painting with thick brush strokes.",
            chelsea.clone(),
            oil_paint(&chelsea, 12),
        ),
        Pair::new(
            "Restyle the portrait as a pop-art poster with flat, bold colors.",
            astro.clone(),
            pop_art(&astro, &pop),
        ),
        Pair::new(
            "Convert the image into a navy and orange duotone print.",
            rocket.clone(),
            duotone(&rocket, hex(0x14213d), hex(0xfca311)),
        ),
        Pair::new("Turn the photo into a black-and-white ink drawing.", camera.clone(), ink(&camera))
            .formats(Format::Jpeg, Format::Webp),
        Pair::new("Turn the scene into 8-bit pixel art.", coffee.clone(), pixel_art(&coffee, 8, 12))
            .formats(Format::Jpeg, Format::Png),
        Pair::new("Paint the portrait in a soft watercolor style.", astro_p.clone(), watercolor(&astro_p, 13)),
        Pair::new(
            "Make it look like an old blue cyanotype print.",
            flipped.clone(),
            duotone(&flipped, hex(0x0b2a5b), hex(0xe8f1f8)),
        ),
        Pair::new("Render the picture as a mosaic of small square tiles.", retina.clone(), mosaic(&retina, 12, 14))
            .formats(Format::Jpeg, Format::Png)
            .scored([3, 2, 2]),
        Pair::new("Redraw the scene as glowing neon outlines on a dark background.", camera_l.clone(), neon(&camera_l)),
    ]
}

/// 1.2 Tone adjustment.
pub fn tone_adjustment(ph: &Photos) -> Vec<Pair> {
    let coffee = coffee_4x3(&ph.coffee);
    let chelsea = chelsea_3x2(&ph.chelsea);
    let rocket = rocket_4x3(&ph.rocket);
    let astro = astronaut_square(&ph.astronaut);
    let camera = camera_4x3(&ph.camera);
    let chelsea_c = chelsea_4x3(&ph.chelsea);
    let coffee_w = coffee_3x2(&ph.coffee);
    let hubble = ph.hubble.view(60, 300, 520, 390, 448, 336);
    let rocket_m = rocket.flip_h();
    let astro_p = astronaut_portrait(&ph.astronaut);
    vec![
        Pair::new("Make the photo warmer, like late-afternoon light.", coffee.clone(), temperature(&coffee, 0.2)),
        Pair::new("Give the image a cool, bluish tone.", chelsea.clone(), temperature(&chelsea, -0.22)),
        Pair::new("Brighten the image so the launch pad is easier to see.", rocket.clone(), exposure(&rocket, 2.4)),
        Pair::new(
            "Darken the image for a moody, low-key look.",
            astro.clone(),
            vignette(&tone(&astro, 0.0, 0.72, 1.18), 0.5),
        ),
        Pair::new("Apply a sepia tone to the photo.", camera.clone(), sepia(&camera)),
        Pair::new(
            "Increase the contrast and make the colors more vivid.",
            chelsea_c.clone(),
            saturation(&tone(&chelsea_c, 0.0, 1.0, 1.3), 1.4),
        )
        .scored([3, 3, 2]),
        Pair::new("Convert the photo to black and white.", coffee_w.clone(), saturation(&coffee_w, 0.0)),
        Pair::new(
            "Boost the saturation so the colors of the galaxies pop.",
            hubble.clone(),
            saturation(&tone(&hubble, 0.0, 1.05, 1.1), 1.9),
        ),
        Pair::new("Give it a faded, matte film look with lifted blacks.", rocket_m.clone(), faded_film(&rocket_m)),
        // The edit mutes the colours but also washes the image out: judged below the bar.
        Pair::new(
            "Make the colors softer and more muted.",
            astro_p.clone(),
            tone(&saturation(&astro_p, 0.5), 0.5, 1.0, 0.7),
        )
        .scored([3, 2, 1]),
    ]
}

/// Keystone warp: the top edge shrinks to `top` of the width and the picture is stretched
/// vertically by `stretch` about its centre, as if seen from higher up.
fn from_above(img: &Img, top: f32, stretch: f32) -> Img {
    let (w, h) = (img.w as f32, img.h as f32);
    img.map_xy(|x, y, _| {
        let v = ((y as f32 + 0.5) - h / 2.0) / stretch + h / 2.0;
        let t = (v / h).clamp(0.0, 1.0);
        let k = top + (1.0 - top) * t;
        let u = (x as f32 + 0.5 - w / 2.0) * k + w / 2.0;
        img.sample(u, v)
    })
}

/// 1.3 Viewpoint transformation.
pub fn viewpoint_transformation(ph: &Photos) -> Vec<Pair> {
    let chelsea = chelsea_3x2(&ph.chelsea);
    let coffee = coffee_4x3(&ph.coffee);
    let astro = astronaut_square(&ph.astronaut);
    let coins = ph.coins.clone();
    let (gx, gy) = (HUBBLE_ORANGE_GALAXY.0 as u32, HUBBLE_ORANGE_GALAXY.1 as u32);
    let retina = retina_square(&ph.retina);
    vec![
        Pair::new("Zoom in on the cat's eyes.", chelsea.clone(), ph.chelsea.view(100, 52, 300, 200, 432, 288)),
        Pair::new(
            "Zoom out to show more of the lawn around the photographer.",
            ph.camera.crop(0, 0, 384, 512),
            camera_square(&ph.camera),
        ),
        Pair::new("Show the cup from a higher, more top-down angle.", coffee.clone(), from_above(&coffee, 0.8, 1.25))
            .scored([3, 2, 3]),
        Pair::new(
            "Pan the camera to the right so the rocket is centered.",
            ph.rocket.view(0, 0, 480, 360, 512, 384),
            ph.rocket.view(82, 0, 480, 360, 512, 384),
        ),
        Pair::new("Mirror the scene horizontally.", astro.clone(), astro.flip_h()),
        Pair::new(
            "Zoom in on the large coin at the right end of the third row.",
            coins.clone(),
            ph.coins.view(288, 128, 96, 96, 384, 384),
        )
        .scored([3, 3, 2]),
        Pair::new(
            "Zoom in on the bright orange galaxy on the right.",
            hubble_4x3(&ph.hubble),
            ph.hubble.view(gx - 160, gy - 120, 320, 240, 512, 384),
        ),
        Pair::new("Rotate the view 90 degrees clockwise.", retina.clone(), retina.rotate_cw()),
    ]
}

/// The black cloth around the coins (reached from the border through dark pixels).
fn coins_background(coins: &Img) -> Mask {
    let border: Vec<(u32, u32)> = (0..coins.w).step_by(4).flat_map(|x| [(x, 0), (x, coins.h - 1)]).collect();
    let dark = flood(coins, &border, 0.09, |_, _, p| luma(p) < 0.24);
    dark.union(&coins_mask(coins).invert().erode(2)).blur(1)
}

/// Put the coins on a new surface, with soft contact shadows.
pub fn coins_on(coins: &Img, surface: &Img) -> Img {
    let bg = coins_background(coins);
    let shadowed = drop_shadow(surface, &bg.invert(), 3, 4, 3, 0.55);
    coins.blend(&shadowed, &bg)
}

/// 1.4 Background replacement.
pub fn background_replacement(ph: &Photos) -> Vec<Pair> {
    let cam = &ph.camera;
    let sky = camera_sky(cam);
    let cloudy = cam.blend(&cloudy_sky(cam.w, cam.h, 21), &sky);
    let sunset_fg = cam.map(|p| {
        let l = luma(p);
        [l * 1.0, l * 0.8, l * 0.62]
    });
    let sunset = sunset_fg.blend(&sunset_sky(cam.w, cam.h, 0.42), &sky);
    let sand = tinted(&ph.gravel.view(0, 0, 512, 512, 512, 512).blur(1), hex(0x9c7f55), hex(0xf2deb0));
    let sand_mask = camera_grass(cam);
    let sand_shade = cam.map(|p| [p[0] * 1.6, p[1] * 1.6, p[2] * 1.6]);
    let beach = cam.blend(&multiply(&sand, &sand_shade), &sand_mask);

    let coins = &ph.coins;
    let felt_bg = felt(&ph.grass, coins.w, coins.h, 22);
    let brick = tinted(&ph.brick.view(0, 0, 512, 404, coins.w, coins.h), hex(0x3a1510), hex(0xd77a5a));

    let astro = &ph.astronaut;
    let space = ph.hubble.view(100, 0, 800, 800, 512, 512);
    let astro_space = astro.blend(&space, &astronaut_backdrop(astro));

    let rocket = &ph.rocket;
    let day = cloudy_sky(rocket.w, rocket.h, 23);
    let rocket_day = rocket.blend(&day, &rocket_sky(rocket));

    let coffee = &ph.coffee;
    let table = coffee_table(coffee);
    let stone = multiply(
        &marble(coffee.w, coffee.h, 24),
        &coffee.map(|p| {
            let l = 0.75 + 0.5 * smoothstep(0.05, 0.6, luma(p));
            [l, l, l]
        }),
    );
    let stone = drop_shadow(&stone, &coffee_saucer_outline(coffee), -6, 7, 7, 0.4);
    let coffee_marble = coffee.blend(&stone, &table);

    vec![
        Pair::new(
            "Replace the plain sky with a blue sky full of fluffy clouds.",
            camera_square(cam),
            camera_square(&cloudy),
        ),
        Pair::new(
            "Replace the sky with a colorful sunset and warm up the scene to match.",
            camera_4x3(cam),
            camera_4x3(&sunset),
        ),
        Pair::new("Replace the lawn with a sandy beach.", camera_square(cam), camera_square(&beach)).scored([3, 2, 2]),
        Pair::new("Replace the black background with green felt.", coins.clone(), coins_on(coins, &felt_bg)),
        Pair::new("Replace the black background with a red brick wall.", coins.clone(), coins_on(coins, &brick)),
        Pair::new(
            "Replace the studio backdrop with a view of deep space.",
            astronaut_portrait(astro),
            astronaut_portrait(&astro_space),
        ),
        Pair::new(
            "Change the dusk sky to a bright daytime sky with clouds.",
            rocket_4x3(rocket),
            rocket_4x3(&rocket_day),
        ),
        Pair::new(
            "Replace the wooden table with a white marble surface.",
            coffee_4x3(coffee),
            coffee_4x3(&coffee_marble),
        ),
    ]
}

/// Per-channel product, clamped.
pub fn multiply(a: &Img, b: &Img) -> Img {
    let px =
        a.px.iter().zip(&b.px).map(|(p, q)| [(p[0] * q[0]).min(1.0), (p[1] * q[1]).min(1.0), (p[2] * q[2]).min(1.0)]);
    Img { w: a.w, h: a.h, px: px.collect() }
}
