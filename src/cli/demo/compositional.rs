//! Compositional edits (family 6.1): two edits from other families applied together.

use super::filters::{pencil_sketch, recolor, temperature};
use super::global::{astronaut_square, camera_square, chelsea_3x2, coffee_4x3, rocket_4x3};
use super::object::{cat_sunglasses, BALLOON_RED};
use super::photos::Photos;
use super::props::{balloon, felt, moon, sunset_sky};
use super::raster::hex;
use super::sample::Pair;
use super::scenes::{
    astronaut_suit, astronaut_without_flag, coffee_recolor_ceramic, coffee_without_spoon, metal_coins, rocket_sky, GOLD,
};

/// 6.1 Compositional editing.
pub fn compositional_editing(ph: &Photos) -> Vec<Pair> {
    let cam = &ph.camera;
    let warm_balloon = temperature(&balloon(cam, 380.0, 70.0, 24.0, BALLOON_RED, 70.0), 0.22);
    let coffee = &ph.coffee;
    let teal_no_spoon = coffee_without_spoon(&coffee_recolor_ceramic(coffee, hex(0x177c79)));
    let cat = &ph.chelsea;
    let cool_cat = pencil_sketch(&chelsea_3x2(&cat_sunglasses(cat)), 91);
    let rocket = &ph.rocket;
    let sunset = rocket.blend(&sunset_sky(rocket.w, rocket.h, 0.85), &rocket_sky(rocket));
    let sunset_moon = moon(&sunset, 505.0, 70.0, 24.0, 92);
    let astro = &ph.astronaut;
    let no_flag = astronaut_without_flag(astro);
    let navy = recolor(&no_flag, &astronaut_suit(astro), hex(0x1f3566), 1.0);
    let coins = &ph.coins;
    let gold = metal_coins(coins, &GOLD);
    let gold_on_felt = super::global::coins_on(&gold, &felt(&ph.grass, coins.w, coins.h, 93));
    vec![
        Pair::new(
            "Add a red balloon to the sky on the right and give the photo a warm tone.",
            camera_square(cam),
            camera_square(&warm_balloon),
        ),
        Pair::new(
            "Change the cup and saucer to teal and remove the spoon.",
            coffee_4x3(coffee),
            coffee_4x3(&teal_no_spoon),
        ),
        Pair::new("Put sunglasses on the cat and turn the picture into a pencil sketch.", chelsea_3x2(cat), cool_cat),
        Pair::new(
            "Replace the evening sky with a sunset and add a full moon.",
            rocket_4x3(rocket),
            rocket_4x3(&sunset_moon),
        )
        .scored([3, 2, 3]),
        Pair::new(
            "Remove the flag and make the spacesuit navy blue.",
            astronaut_square(astro),
            astronaut_square(&navy),
        ),
        // The coins turn gold but stay on black: half the instruction, below the bar.
        Pair::new("Make the coins gold and place them on green felt.", coins.clone(), gold).scored([1, 3, 3]),
        Pair::new("Make the coins gold and place them on green felt.", coins.clone(), gold_on_felt),
    ]
}
