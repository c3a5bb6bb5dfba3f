//! Drawn props that edits add to photographs: balloons, birds, a moon, fireworks, sunglasses,
//! a butterfly, a globe, a ringed planet, a comet, a lighthouse, a badge, and procedural
//! surfaces (clouds, marble, felt).

use super::draw::{
    capsule, disc, drop_shadow, ellipse, ellipse_rot, fbm, grain, polygon, polyline, shaded_ball, stamp_capsule,
    stamp_ellipse,
};
use super::raster::{clamp01, hex, mix, smoothstep, Img, Mask, Rgb};

/// A party balloon: shaded oval body, knot and a wavy string hanging `string` pixels.
pub fn balloon(img: &Img, cx: f32, cy: f32, r: f32, color: Rgb, string: f32) -> Img {
    let (w, h) = (img.w, img.h);
    let bottom = cy + r * 1.18;
    let pts: Vec<(f32, f32)> = (0..=12)
        .map(|i| {
            let t = i as f32 / 12.0;
            let wave = if i % 4 == 1 {
                1.0
            } else if i % 4 == 3 {
                -1.0
            } else {
                0.0
            };
            (cx + wave * r * 0.12, bottom + t * string)
        })
        .collect();
    let cord = polyline(w, h, &pts, (r * 0.025).max(0.6));
    let out = img.paint(&cord, [0.25, 0.25, 0.27], 0.9);
    let body = ellipse(w, h, cx, cy, r, r * 1.18, 0.6);
    let lit = shaded_ball(&out, cx, cy, r * 1.05, color);
    let out = out.blend(&lit, &body);
    let knot =
        polygon(w, h, &[(cx - r * 0.12, bottom + r * 0.1), (cx + r * 0.12, bottom + r * 0.1), (cx, bottom - r * 0.06)]);
    out.paint(&knot, mix(color, [0.0; 3], 0.35), 1.0)
}

/// A small bird in flight: two curved wing strokes.
pub fn bird(img: &Img, cx: f32, cy: f32, span: f32, color: Rgb) -> Img {
    let s = span / 2.0;
    let pts = [
        (cx - s, cy - s * 0.35),
        (cx - s * 0.5, cy - s * 0.45),
        (cx, cy),
        (cx + s * 0.5, cy - s * 0.45),
        (cx + s, cy - s * 0.35),
    ];
    let m = polyline(img.w, img.h, &pts, (span * 0.06).max(0.7));
    img.paint(&m, color, 0.95)
}

/// A full moon with crater shading and a soft glow.
pub fn moon(img: &Img, cx: f32, cy: f32, r: f32, seed: u64) -> Img {
    let glow = disc(img.w, img.h, cx, cy, r * 1.9, r * 0.9).map(|m| m * 0.35);
    let out = img.paint(&glow, [0.85, 0.88, 0.95], 1.0);
    let face = Img::from_fn(img.w, img.h, |x, y| {
        let n = fbm(seed, x as f32, y as f32, r * 0.6, 4);
        let maria = smoothstep(0.45, 0.7, n) * 0.28;
        let dx = (x as f32 + 0.5 - cx) / r;
        let dy = (y as f32 + 0.5 - cy) / r;
        let limb = 1.0 - 0.25 * (dx * dx + dy * dy);
        let v = (0.93 - maria) * limb;
        [v * 0.98, v * 0.97, v * 0.92]
    });
    out.blend(&face, &disc(img.w, img.h, cx, cy, r, 0.7))
}

/// A firework burst: streaks of sparks fading towards the centre, a glow and a bright core.
pub fn firework(img: &Img, cx: f32, cy: f32, r: f32, color: Rgb, seed: u64) -> Img {
    const RAYS: u32 = 40;
    let mut streaks = Mask::new(img.w, img.h, 0.0);
    let mut tips = Mask::new(img.w, img.h, 0.0);
    for i in 0..RAYS {
        let jitter = grain(seed, i, 2) * 0.02;
        let (c, s) = unit_vector(i as f32 / RAYS as f32 + jitter);
        let len = r * (0.7 + 0.6 * (grain(seed, i, 1) + 0.5) * 0.5);
        let at = |t: f32| (cx + c * len * t, cy + s * len * t + t * t * r * 0.12);
        for k in 0..5 {
            let (t0, t1) = (0.3 + k as f32 * 0.14, 0.3 + (k + 1) as f32 * 0.14);
            stamp_capsule(&mut streaks, at(t0), at(t1), 0.9, 0.35 + 0.13 * k as f32);
        }
        stamp_ellipse(&mut tips, at(1.0), (1.8, 1.8), (1.0, 0.0), 0.6, 1.0);
    }
    let glow = streaks.union(&tips).blur(5).map(|m| (m * 2.5).min(1.0));
    let out = img.paint(&glow, color, 0.5);
    let out = out.paint(&streaks, mix(color, [1.0; 3], 0.25), 1.0);
    let out = out.paint(&tips, mix(color, [1.0; 3], 0.6), 1.0);
    out.paint(&disc(img.w, img.h, cx, cy, r * 0.06, 2.0), [1.0, 0.98, 0.9], 0.9)
}

/// Cosine and sine of a fraction of a full turn, from a short polynomial (identical on every
/// platform, unlike the system `sin`).
pub fn unit_vector(turns: f32) -> (f32, f32) {
    let a = turns * std::f32::consts::TAU;
    (cos_poly(a), cos_poly(a - std::f32::consts::FRAC_PI_2))
}

fn cos_poly(a: f32) -> f32 {
    let tau = std::f32::consts::TAU;
    let mut x = a - (a / tau).floor() * tau; // 0..tau
    let mut sign = 1.0;
    if x > std::f32::consts::PI {
        x = tau - x;
    }
    if x > std::f32::consts::FRAC_PI_2 {
        x = std::f32::consts::PI - x;
        sign = -1.0;
    }
    let x2 = x * x;
    sign * (1.0 - x2 / 2.0 + x2 * x2 / 24.0 - x2 * x2 * x2 / 720.0 + x2 * x2 * x2 * x2 / 40320.0)
}

/// Round sunglasses across two eyes: dark lenses with a reflection, frame, bridge, temples.
pub fn sunglasses(img: &Img, left: (f32, f32), right: (f32, f32), r: f32) -> Img {
    let (w, h) = (img.w, img.h);
    let (dx, dy) = (right.0 - left.0, right.1 - left.1);
    let len = (dx * dx + dy * dy).sqrt();
    let rot = (dx / len, dy / len);
    let lens_of = |c: (f32, f32)| ellipse_rot(w, h, (c.0, c.1), (r, r * 0.86), rot, 0.6);
    let lenses = lens_of(left).union(&lens_of(right));
    let rims = Mask::from_fn(w, h, |x, y| {
        let outer = |c: (f32, f32)| {
            let px = x as f32 + 0.5 - c.0;
            let py = y as f32 + 0.5 - c.1;
            let u = px * rot.0 + py * rot.1;
            let v = -px * rot.1 + py * rot.0;
            let n = ((u / (r + 4.0)).powi(2) + (v / (r * 0.86 + 4.0)).powi(2)).sqrt();
            (0.5 - (n - 1.0) * (r + 4.0) / 1.2).clamp(0.0, 1.0)
        };
        outer(left).max(outer(right))
    })
    .minus(&lenses);
    let inner_l = (left.0 + rot.0 * r, left.1 + rot.1 * r);
    let inner_r = (right.0 - rot.0 * r, right.1 - rot.1 * r);
    let mid = ((inner_l.0 + inner_r.0) / 2.0, (inner_l.1 + inner_r.1) / 2.0 - r * 0.18);
    let bridge = polyline(w, h, &[inner_l, mid, inner_r], 3.0);
    let temple_l = capsule(
        w,
        h,
        (left.0 - rot.0 * r, left.1 - rot.1 * r),
        (left.0 - rot.0 * r * 2.6, left.1 - rot.1 * r * 2.0 - 6.0),
        3.5,
    );
    let temple_r = capsule(
        w,
        h,
        (right.0 + rot.0 * r, right.1 + rot.1 * r),
        (right.0 + rot.0 * r * 2.4, right.1 + rot.1 * r * 2.0 - 6.0),
        3.5,
    );
    let frame = rims.union(&bridge).union(&temple_l).union(&temple_r);
    let shaded = drop_shadow(img, &lenses.union(&frame), 3, 5, 4, 0.35);
    let glass = Img::from_fn(w, h, |x, y| {
        let t = ((y as f32 - left.1 + r) / (2.0 * r)).clamp(0.0, 1.0);
        let base = mix([0.10, 0.12, 0.16], [0.02, 0.02, 0.04], t);
        let streak = smoothstep(0.92, 1.0, 1.0 - ((x as f32 - y as f32 * 0.8) % 37.0 - 18.0).abs() / 18.0);
        mix(base, [0.75, 0.8, 0.9], streak * 0.35 * (1.0 - t))
    });
    let out = shaded.blend(&glass, &lenses.map(|m| m * 0.93));
    out.paint(&frame, [0.04, 0.04, 0.05], 1.0)
}

/// A butterfly seen from above, wings in `color` with dark edges.
pub fn butterfly(img: &Img, cx: f32, cy: f32, s: f32, color: Rgb) -> Img {
    let (w, h) = (img.w, img.h);
    let tilt_up = (0.8, -0.6);
    let tilt_down = (0.8, 0.6);
    let upper_l = ellipse_rot(w, h, (cx - s * 0.5, cy - s * 0.3), (s * 0.55, s * 0.38), tilt_down, 0.5);
    let upper_r = ellipse_rot(w, h, (cx + s * 0.5, cy - s * 0.3), (s * 0.55, s * 0.38), tilt_up, 0.5);
    let lower_l = ellipse_rot(w, h, (cx - s * 0.38, cy + s * 0.32), (s * 0.36, s * 0.27), tilt_up, 0.5);
    let lower_r = ellipse_rot(w, h, (cx + s * 0.38, cy + s * 0.32), (s * 0.36, s * 0.27), tilt_down, 0.5);
    let wings = upper_l.union(&upper_r).union(&lower_l).union(&lower_r);
    let edge = wings.minus(&wings.erode(2)).blur(1);
    let spots = disc(w, h, cx - s * 0.6, cy - s * 0.35, s * 0.12, 0.5).union(&disc(
        w,
        h,
        cx + s * 0.6,
        cy - s * 0.35,
        s * 0.12,
        0.5,
    ));
    let body = capsule(w, h, (cx, cy - s * 0.45), (cx, cy + s * 0.5), s * 0.07);
    let antennae =
        polyline(w, h, &[(cx - s * 0.3, cy - s * 0.85), (cx, cy - s * 0.45), (cx + s * 0.3, cy - s * 0.85)], 0.8);
    let out = drop_shadow(img, &wings, 4, 6, 4, 0.3);
    let out = out.paint(&wings, color, 0.97);
    let out = out.paint(&edge, [0.12, 0.08, 0.05], 0.9);
    let out = out.paint(&spots, [1.0, 0.97, 0.85], 0.9);
    out.paint(&body.union(&antennae), [0.1, 0.08, 0.06], 1.0)
}

/// A globe: shaded blue sphere with green-brown continents from noise.
pub fn globe(img: &Img, cx: f32, cy: f32, r: f32, seed: u64) -> Img {
    let surface = Img::from_fn(img.w, img.h, |x, y| {
        let n = fbm(seed, x as f32, y as f32, r * 0.45, 4);
        let land = smoothstep(0.52, 0.56, n);
        let sea = mix(hex(0x1d4f91), hex(0x2f7fc4), fbm(seed ^ 3, x as f32, y as f32, r * 0.2, 2));
        let ground = mix(hex(0x4f7f3a), hex(0x9a8a55), smoothstep(0.6, 0.75, n));
        mix(sea, ground, land)
    });
    let ball = sphere_light(&surface, cx, cy, r);
    img.blend(&ball, &disc(img.w, img.h, cx, cy, r, 0.7))
}

/// Light a surface image as a sphere of radius `r` (diffuse from upper left plus a highlight).
fn sphere_light(surface: &Img, cx: f32, cy: f32, r: f32) -> Img {
    surface.map_xy(|x, y, p| {
        let dx = (x as f32 + 0.5 - cx) / r;
        let dy = (y as f32 + 0.5 - cy) / r;
        let nz = (1.0 - dx * dx - dy * dy).max(0.0).sqrt();
        let lambert = (-0.4 * dx - 0.5 * dy + 0.77 * nz).max(0.0);
        let light = 0.25 + 0.85 * lambert;
        let hx = dx + 0.35;
        let hy = dy + 0.4;
        let spec = (1.0 - (hx * hx + hy * hy) / 0.04).max(0.0) * 0.5;
        clamp01(mix([p[0] * light, p[1] * light, p[2] * light], [1.0; 3], spec))
    })
}

/// A ringed planet (tilted ring in front of and behind a banded sphere).
pub fn ringed_planet(img: &Img, cx: f32, cy: f32, r: f32) -> Img {
    let (w, h) = (img.w, img.h);
    let tilt = (0.94, -0.34);
    let ring_outer = ellipse_rot(w, h, (cx, cy), (r * 2.1, r * 0.55), tilt, 0.6);
    let ring_inner = ellipse_rot(w, h, (cx, cy), (r * 1.45, r * 0.36), tilt, 0.6);
    let ring = ring_outer.minus(&ring_inner);
    let bands = Img::from_fn(w, h, |x, y| {
        let v = (y as f32 - cy) / r + (x as f32 - cx) / r * 0.35;
        let band = fbm(11, 0.0, v * 40.0, 7.0, 2);
        mix(hex(0xc9a46a), hex(0xe8d2a0), band)
    });
    let ball = sphere_light(&bands, cx, cy, r);
    let body = disc(w, h, cx, cy, r, 0.6);
    // The far half of the ring is hidden by the planet; the near half crosses in front.
    let front = Mask::from_fn(w, h, |x, y| {
        let (px, py) = (x as f32 - cx, y as f32 - cy);
        if px * 0.34 + py * 0.94 > 0.0 {
            1.0
        } else {
            0.0
        }
    });
    let ring_colour = [0.82, 0.74, 0.6];
    let out = img.paint(&ring.minus(&body), ring_colour, 0.9);
    let out = out.blend(&ball, &body);
    out.paint(&ring.times(&front).times(&body), ring_colour, 0.9)
}

/// A comet: bright head and a fading tail towards `(tx, ty)`.
pub fn comet(img: &Img, head: (f32, f32), tail: (f32, f32), r: f32) -> Img {
    let (w, h) = (img.w, img.h);
    let mut out = img.clone();
    for i in 0..24 {
        let t = i as f32 / 23.0;
        let (x, y) = (head.0 + (tail.0 - head.0) * t, head.1 + (tail.1 - head.1) * t);
        let mut m = Mask::new(w, h, 0.0);
        let rr = r * (1.0 + 1.8 * t);
        stamp_ellipse(&mut m, (x, y), (rr, rr), (1.0, 0.0), r * (0.5 + 2.0 * t), (1.0 - t) * 0.35);
        out = out.paint(&m, [0.75, 0.88, 1.0], 1.0);
    }
    let core = disc(w, h, head.0, head.1, r, r * 0.6);
    out.paint(&core, [1.0, 1.0, 0.97], 1.0)
}

/// A red-and-white striped lighthouse standing on `base_y`, `height` tall.
pub fn lighthouse(img: &Img, cx: f32, base_y: f32, height: f32) -> Img {
    let (w, h) = (img.w, img.h);
    let (bw, tw) = (height * 0.16, height * 0.1);
    let top = base_y - height;
    let tower = polygon(
        w,
        h,
        &[(cx - bw, base_y), (cx + bw, base_y), (cx + tw, top + height * 0.18), (cx - tw, top + height * 0.18)],
    );
    let stripes = Img::from_fn(w, h, |x, y| {
        let band = (((base_y - y as f32) / (height * 0.16)) as i64) % 2 == 0;
        let shade = 1.0 - 0.35 * smoothstep(0.0, bw, x as f32 - cx + bw * 0.3);
        let c = if band { [0.82, 0.12, 0.1] } else { [0.96, 0.95, 0.92] };
        [c[0] * shade, c[1] * shade, c[2] * shade]
    });
    let gallery = polygon(
        w,
        h,
        &[
            (cx - tw * 1.5, top + height * 0.2),
            (cx + tw * 1.5, top + height * 0.2),
            (cx + tw * 1.5, top + height * 0.16),
            (cx - tw * 1.5, top + height * 0.16),
        ],
    );
    let lamp = polygon(
        w,
        h,
        &[
            (cx - tw * 0.8, top + height * 0.16),
            (cx + tw * 0.8, top + height * 0.16),
            (cx + tw * 0.8, top + height * 0.06),
            (cx - tw * 0.8, top + height * 0.06),
        ],
    );
    let roof = polygon(w, h, &[(cx - tw * 1.1, top + height * 0.06), (cx + tw * 1.1, top + height * 0.06), (cx, top)]);
    let out = img.blend(&stripes, &tower);
    let out = out.paint(&gallery, [0.12, 0.12, 0.12], 1.0);
    let out = out.paint(&lamp, [1.0, 0.93, 0.6], 1.0);
    out.paint(&roof, [0.55, 0.08, 0.07], 1.0)
}

/// A round yellow smiley badge.
pub fn smiley_badge(img: &Img, cx: f32, cy: f32, r: f32) -> Img {
    let (w, h) = (img.w, img.h);
    let out = shaded_ball(img, cx, cy, r, [1.0, 0.84, 0.1]);
    let ring = disc(w, h, cx, cy, r, 0.6).minus(&disc(w, h, cx, cy, r - 2.5, 0.6));
    let eyes = ellipse(w, h, cx - r * 0.33, cy - r * 0.25, r * 0.1, r * 0.18, 0.5).union(&ellipse(
        w,
        h,
        cx + r * 0.33,
        cy - r * 0.25,
        r * 0.1,
        r * 0.18,
        0.5,
    ));
    let smile_pts: Vec<(f32, f32)> = (0..=10)
        .map(|i| {
            let (c, s) = unit_vector(0.08 + 0.34 * i as f32 / 10.0);
            (cx + c * r * 0.55, cy + s * r * 0.55)
        })
        .collect();
    let smile = polyline(w, h, &smile_pts, r * 0.06);
    out.paint(&ring.union(&eyes).union(&smile), [0.2, 0.12, 0.02], 1.0)
}

/// A blue sky with soft cumulus clouds, `w`×`h`.
pub fn cloudy_sky(w: u32, h: u32, seed: u64) -> Img {
    Img::from_fn(w, h, |x, y| {
        let t = y as f32 / h as f32;
        let sky = mix(hex(0x3b7dd8), hex(0xa9cdf0), t);
        let n = fbm(seed, x as f32, y as f32 * 1.6, 90.0, 5);
        let cloud = smoothstep(0.5, 0.68, n);
        let shade = 0.82 + 0.18 * smoothstep(0.5, 0.8, fbm(seed ^ 9, x as f32, y as f32, 40.0, 3));
        mix(sky, [shade, shade, shade * 1.02], cloud)
    })
}

/// A sunset sky: deep blue above, orange and yellow near the horizon at `horizon` (0..1).
pub fn sunset_sky(w: u32, h: u32, horizon: f32) -> Img {
    let stops = [
        (0.0, hex(0x1c2a5a)),
        (horizon * 0.45, hex(0x6a3c7a)),
        (horizon * 0.75, hex(0xe0664a)),
        (horizon, hex(0xffc35a)),
        (1.0, hex(0xffd98a)),
    ];
    super::draw::vertical_gradient(w, h, &stops)
}

/// White marble with soft clouding and a few long, wandering grey veins, `w`×`h`.
pub fn marble(w: u32, h: u32, seed: u64) -> Img {
    // Thin where a turbulence-warped diagonal ramp crosses a whole period.
    let vein = |v: f32, period: f32, sharp: f32| {
        let f = v / period;
        let tri = 1.0 - (f - f.floor() - 0.5).abs() * 2.0;
        smoothstep(1.0 - sharp, 1.0, tri)
    };
    Img::from_fn(w, h, |x, y| {
        let (fx, fy) = (x as f32, y as f32);
        let turb = fbm(seed, fx, fy, 140.0, 6) * 260.0;
        let main = vein(fx * 0.8 + fy * 0.6 + turb, 230.0, 0.035);
        let fine = vein(fx * 0.3 - fy * 0.9 + fbm(seed ^ 3, fx, fy, 90.0, 5) * 200.0, 120.0, 0.02);
        let cloud = fbm(seed ^ 5, fx, fy, 70.0, 3);
        let c = 0.95 - 0.07 * cloud - 0.3 * main - 0.14 * fine;
        [c, c * 0.995, c * 0.985]
    })
}

/// Green felt cloth, from a greyscale texture photo blurred into fibres.
pub fn felt(texture: &Img, w: u32, h: u32, seed: u64) -> Img {
    let t = texture.view(0, 0, texture.w, texture.h, w, h).blur(1);
    t.map_xy(|x, y, p| {
        let g = 0.85 + 0.3 * (p[0] - 0.5) + grain(seed, x, y) * 0.08;
        clamp01([0.08 * g, 0.36 * g, 0.16 * g])
    })
}

/// Tint a greyscale texture photo: `dark` at black, `light` at white.
pub fn tinted(texture: &Img, dark: Rgb, light: Rgb) -> Img {
    texture.map(|p| mix(dark, light, p[0]))
}
