//! Text edits (families 4.1 and 4.4): movie posters and signs on building walls, drawn with
//! the demo's own bitmap font; source and edited pictures differ only in the edited text.

use super::draw::{drop_shadow, polygon, vertical_gradient};
use super::filters::{saturation, tone};
use super::font::{centred_text, text_height, text_width, tube_text};
use super::photos::Photos;
use super::props::tinted;
use super::raster::{hex, mix, smoothstep, Img, Mask, Rgb};
use super::sample::Pair;

const POSTER_W: u32 = 336;
const POSTER_H: u32 = 448;

/// The words on a poster.
struct PosterText<'a> {
    tagline: &'a str,
    title: &'a str,
    credits: &'a str,
    date: &'a str,
}

/// A movie poster: the picture darkened towards top and bottom, tagline above, a big title
/// low down, then the release date and a line of credits.
fn poster(picture: &Img, words: &PosterText, accent: Rgb) -> Img {
    let (w, h) = (POSTER_W, POSTER_H);
    let shade = vertical_gradient(
        w,
        h,
        &[(0.0, [0.45; 3]), (0.2, [1.0; 3]), (0.55, [1.0; 3]), (0.82, [0.3; 3]), (1.0, [0.12; 3])],
    );
    let mut out = Img {
        w,
        h,
        px: picture.px.iter().zip(&shade.px).map(|(p, s)| [p[0] * s[0], p[1] * s[1], p[2] * s[2]]).collect(),
    };
    let cx = w as f32 / 2.0;
    let tag = centred_text(w, h, words.tagline, cx, 22.0, 2.0, 0.9);
    out = out.paint(&tag, [0.92, 0.92, 0.9], 1.0);
    let scale = ((w as f32 - 36.0) / text_width(words.title, 1.0)).min(6.0);
    let title_y = 318.0 - text_height(scale) / 2.0;
    let title = centred_text(w, h, words.title, cx, title_y, scale, 1.0);
    out = drop_shadow(&out, &title, 2, 3, 3, 0.7).paint(&title, accent, 1.0);
    let date = centred_text(w, h, words.date, cx, 372.0, 2.2, 1.0);
    out = out.paint(&date, mix(accent, [1.0; 3], 0.5), 1.0);
    let credits = centred_text(w, h, words.credits, cx, 412.0, 1.3, 0.85);
    out.paint(&credits, [0.7, 0.7, 0.7], 1.0)
}

/// A pair of posters whose texts differ as `after` says.
fn poster_pair(instruction: &str, picture: &Img, before: PosterText, after: PosterText, accent: Rgb) -> Pair {
    Pair::new(instruction, poster(picture, &before, accent), poster(picture, &after, accent))
}

/// 4.1 Movie poster text editing.
pub fn movie_poster_text_editing(ph: &Photos) -> Vec<Pair> {
    let rocket = ph.rocket.view(165, 0, 320, 427, POSTER_W, POSTER_H);
    let astro = ph.astronaut.view(90, 0, 330, 440, POSTER_W, POSTER_H);
    let cat = ph.chelsea.view(120, 0, 225, 300, POSTER_W, POSTER_H);
    let hubble = ph.hubble.view(560, 300, 360, 480, POSTER_W, POSTER_H);
    let camera = tone(&ph.camera.view(40, 0, 384, 512, POSTER_W, POSTER_H), 0.0, 0.95, 1.25);
    let coffee = saturation(&ph.coffee.view(150, 0, 300, 400, POSTER_W, POSTER_H), 1.1);
    let credits = "DIRECTED BY R. MICHETTI - MUSIC BY L. VARSHNEY";
    vec![
        poster_pair(
            "Change the title \"LAUNCH DAY\" to \"LIFTOFF\".",
            &rocket,
            PosterText { tagline: "THE COUNTDOWN HAS BEGUN", title: "LAUNCH DAY", credits, date: "THIS SUMMER" },
            PosterText { tagline: "THE COUNTDOWN HAS BEGUN", title: "LIFTOFF", credits, date: "THIS SUMMER" },
            hex(0xffb347),
        ),
        poster_pair(
            "Change the title \"THE LAST ORBIT\" to \"THE FIRST ORBIT\".",
            &astro,
            PosterText { tagline: "ONE WOMAN. ONE MISSION.", title: "THE LAST ORBIT", credits, date: "JULY 23" },
            PosterText { tagline: "ONE WOMAN. ONE MISSION.", title: "THE FIRST ORBIT", credits, date: "JULY 23" },
            hex(0xf2f2f2),
        ),
        poster_pair(
            "Replace the tagline \"ONE CAT. NINE LIVES.\" with \"SHE SEES EVERYTHING.\"",
            &cat,
            PosterText { tagline: "ONE CAT. NINE LIVES.", title: "WHISKERS", credits, date: "COMING SOON" },
            PosterText { tagline: "SHE SEES EVERYTHING.", title: "WHISKERS", credits, date: "COMING SOON" },
            hex(0x9be36b),
        ),
        poster_pair(
            "Change the title from \"DEEP FIELD\" to \"DEEP SPACE\".",
            &hubble,
            PosterText { tagline: "TEN THOUSAND GALAXIES", title: "DEEP FIELD", credits, date: "IN CINEMAS" },
            PosterText { tagline: "TEN THOUSAND GALAXIES", title: "DEEP SPACE", credits, date: "IN CINEMAS" },
            hex(0x7fd4ff),
        ),
        poster_pair(
            "Rename the film from \"THE WATCHER\" to \"THE OBSERVER\".",
            &camera,
            PosterText { tagline: "EVERY FRAME TELLS", title: "THE WATCHER", credits, date: "FRIDAY" },
            PosterText { tagline: "EVERY FRAME TELLS", title: "THE OBSERVER", credits, date: "FRIDAY" },
            hex(0xe0282e),
        ),
        poster_pair(
            "Replace the title \"LAST CALL\" with \"OPEN 24 HOURS\".",
            &coffee,
            PosterText { tagline: "ONE MORE CUP", title: "LAST CALL", credits, date: "NOW SHOWING" },
            PosterText { tagline: "ONE MORE CUP", title: "OPEN 24 HOURS", credits, date: "NOW SHOWING" },
            hex(0xfff1c9),
        )
        .scored([3, 3, 2]),
    ]
}

const WALL_W: u32 = 448;
const WALL_H: u32 = 336;

/// A red brick wall from the brick texture.
fn brick_wall(ph: &Photos) -> Img {
    tinted(&ph.brick.rotate_cw().view(0, 40, 512, 384, WALL_W, WALL_H), hex(0x3b1a12), hex(0xd0866a))
}

/// A grey concrete wall from the gravel texture, smoothed.
fn concrete_wall(ph: &Photos) -> Img {
    tinted(&ph.gravel.view(0, 64, 512, 384, WALL_W, WALL_H).blur(1), hex(0x6a6862), hex(0xc9c6bd))
}

/// Paint `text` onto the wall: the paint follows the wall's relief (darker in the mortar).
fn painted(wall: &Img, text: &str, cy: f32, scale: f32, paint: Rgb) -> Img {
    let m = centred_text(wall.w, wall.h, text, wall.w as f32 / 2.0, cy - text_height(scale) / 2.0, scale, 1.0);
    let relief = wall.map(|p| {
        let l = 0.55 + 0.6 * super::raster::luma(p);
        [paint[0] * l, paint[1] * l, paint[2] * l]
    });
    wall.blend(&relief, &m.map(|v| v * 0.92))
}

/// A flat board with a border, fixed to the wall, carrying `text`.
fn sign_board(wall: &Img, text: &str, board: Rgb, ink: Rgb) -> Img {
    let (w, h) = (wall.w as f32, wall.h as f32);
    let (bw, bh) = (300.0, 96.0);
    let (x0, y0) = ((w - bw) / 2.0, (h - bh) / 2.0 - 20.0);
    let shape = polygon(wall.w, wall.h, &[(x0, y0), (x0 + bw, y0), (x0 + bw, y0 + bh), (x0, y0 + bh)]);
    let inner = polygon(
        wall.w,
        wall.h,
        &[(x0 + 6.0, y0 + 6.0), (x0 + bw - 6.0, y0 + 6.0), (x0 + bw - 6.0, y0 + bh - 6.0), (x0 + 6.0, y0 + bh - 6.0)],
    );
    let out = drop_shadow(wall, &shape, 5, 7, 5, 0.55)
        .paint(&shape, mix(board, [0.0; 3], 0.3), 1.0)
        .paint(&inner, board, 1.0);
    let scale = ((bw - 40.0) / text_width(text, 1.0)).min(8.0);
    let m = centred_text(wall.w, wall.h, text, w / 2.0, y0 + bh / 2.0 - text_height(scale) / 2.0, scale, 1.0);
    out.paint(&m, ink, 1.0)
}

/// A glowing neon tube sign on the wall.
fn neon_sign(wall: &Img, text: &str, color: Rgb) -> Img {
    let dim = wall.map(|p| [p[0] * 0.55, p[1] * 0.5, p[2] * 0.55]);
    let scale = ((wall.w as f32 - 120.0) / text_width(text, 1.0)).min(11.0);
    let top = wall.h as f32 / 2.0 - text_height(scale) / 2.0 - 10.0;
    let tube = tube_text(wall.w, wall.h, text, wall.w as f32 / 2.0, top, scale, 2.2);
    let glow = tube.dilate(2).blur(9).map(|v| (v * 2.2).min(1.0));
    dim.paint(&glow, color, 0.6).paint(&tube, mix(color, [1.0; 3], 0.55), 1.0)
}

/// An enamel house-number plaque.
fn plaque(wall: &Img, number: &str) -> Img {
    let (cx, cy) = (WALL_W as f32 * 0.62, WALL_H as f32 * 0.42);
    let (pw, ph) = (120.0, 84.0);
    let pts = [
        (cx - pw / 2.0, cy - ph / 2.0),
        (cx + pw / 2.0, cy - ph / 2.0),
        (cx + pw / 2.0, cy + ph / 2.0),
        (cx - pw / 2.0, cy + ph / 2.0),
    ];
    let shape = polygon(wall.w, wall.h, &pts);
    let rim = shape.minus(&shape.erode(5));
    let enamel = vertical_gradient(wall.w, wall.h, &[(0.0, hex(0x2a5cb0)), (1.0, hex(0x173a7a))]);
    let out = drop_shadow(wall, &shape, 4, 5, 4, 0.5).blend(&enamel, &shape).paint(&rim, [0.95, 0.95, 0.95], 1.0);
    let m = centred_text(wall.w, wall.h, number, cx, cy - text_height(7.0) / 2.0, 7.0, 1.0);
    out.paint(&m, [0.97, 0.97, 0.97], 1.0)
}

/// Stencilled warning letters on concrete, with soft paint edges.
fn stencil(wall: &Img, text: &str) -> Img {
    let scale = ((wall.w as f32 - 60.0) / text_width(text, 1.0)).min(7.0);
    let m = centred_text(wall.w, wall.h, text, wall.w as f32 / 2.0, 150.0, scale, 1.0).blur(1);
    let stripe = Mask::from_fn(wall.w, wall.h, |_, y| {
        smoothstep(228.0, 230.0, y as f32) * (1.0 - smoothstep(252.0, 254.0, y as f32))
    });
    wall.paint(&stripe, hex(0xf2c230), 0.85).paint(&m, hex(0xf2c230), 0.88)
}

/// 4.4 Building surface text editing.
pub fn building_surface_text_editing(ph: &Photos) -> Vec<Pair> {
    let brick = brick_wall(ph);
    let concrete = concrete_wall(ph);
    let green = hex(0x1f4d3a);
    let gold = hex(0xe8c25a);
    vec![
        Pair::new(
            "Change the painted sign on the brick wall from \"BAKERY\" to \"BOOKSHOP\".",
            painted(&brick, "BAKERY", 150.0, 8.0, [0.96, 0.95, 0.9]),
            painted(&brick, "BOOKSHOP", 150.0, 8.0, [0.96, 0.95, 0.9]),
        ),
        Pair::new(
            "Change the sign from \"OPEN\" to \"CLOSED\".",
            sign_board(&brick, "OPEN", green, gold),
            sign_board(&brick, "CLOSED", green, gold),
        ),
        Pair::new(
            "Change the neon sign to read \"BAR\".",
            neon_sign(&brick, "CAFE", hex(0xff4fa3)),
            neon_sign(&brick, "BAR", hex(0xff4fa3)),
        ),
        Pair::new(
            "Replace \"NO PARKING\" on the wall with \"NO ENTRY\".",
            stencil(&concrete, "NO PARKING"),
            stencil(&concrete, "NO ENTRY"),
        ),
        Pair::new("Change the house number from 42 to 17.", plaque(&brick, "42"), plaque(&brick, "17"))
            .scored([3, 3, 2]),
    ]
}
