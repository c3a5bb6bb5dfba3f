//! The shared frame of a compared pair: both images are fitted (contained, never cropped)
//! into boxes of the same size, so a point of the scene sits at the same place of each box;
//! one zoom-and-pan transform of the box then moves both alike. Coordinates are shares of
//! the box (0–1), so a view survives a box of another size (another mode, a resized window).

/// The largest zoom (32×: single pixels of a 4K image fill a laptop screen).
pub const MAX_SCALE: f64 = 32.0;

/// One step of the zoom keys and buttons.
pub const ZOOM_STEP: f64 = 1.25;

/// Where the box's content is drawn: a box point `p` is shown at `scale · p + (x, y)`,
/// all in shares of the box.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct View {
    pub scale: f64,
    pub x: f64,
    pub y: f64,
}

impl Default for View {
    fn default() -> Self {
        Self { scale: 1.0, x: 0.0, y: 0.0 }
    }
}

/// The rectangle (x, y, width, height) an image of `image` size takes when contained in a
/// box of `frame` size: as large as fits, centred, its aspect kept.
pub fn contain(image: (f64, f64), frame: (f64, f64)) -> (f64, f64, f64, f64) {
    let (iw, ih) = image;
    let (bw, bh) = frame;
    if iw <= 0.0 || ih <= 0.0 {
        return (0.0, 0.0, 0.0, 0.0);
    }
    let s = (bw / iw).min(bh / ih);
    let (w, h) = (iw * s, ih * s);
    ((bw - w) / 2.0, (bh - h) / 2.0, w, h)
}

impl View {
    pub fn is_identity(&self) -> bool {
        *self == Self::default()
    }

    /// Zoom by `factor` keeping the box point under (`cx`, `cy`) where it is.
    pub fn zoom_at(self, cx: f64, cy: f64, factor: f64) -> Self {
        if !factor.is_finite() || factor <= 0.0 {
            return self;
        }
        let scale = (self.scale * factor).clamp(1.0, MAX_SCALE);
        let k = scale / self.scale;
        Self { scale, x: cx - (cx - self.x) * k, y: cy - (cy - self.y) * k }.clamped()
    }

    /// Move by (`dx`, `dy`) shares of the box.
    pub fn pan(self, dx: f64, dy: f64) -> Self {
        Self { x: self.x + dx, y: self.y + dy, ..self }.clamped()
    }

    /// The zoomed content always covers the box: no pan past an edge.
    fn clamped(self) -> Self {
        let min = 1.0 - self.scale;
        let fix = |v: f64| if v.is_finite() { v.clamp(min, 0.0) } else { 0.0 };
        Self { scale: self.scale, x: fix(self.x), y: fix(self.y) }
    }

    /// Where a box point is shown.
    pub fn apply(&self, px: f64, py: f64) -> (f64, f64) {
        (self.scale * px + self.x, self.scale * py + self.y)
    }

    /// The CSS transform of a layer the size of the box, with `transform-origin: 0 0`
    /// (percentages of a translation are of the layer's own size, i.e. the box).
    pub fn css(&self) -> String {
        format!("translate({:.4}%, {:.4}%) scale({:.5})", self.x * 100.0, self.y * 100.0, self.scale)
    }

    /// The zoom as people read it.
    pub fn percent(&self) -> String {
        format!("{:.0} %", self.scale * 100.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-9 && (a.1 - b.1).abs() < 1e-9
    }

    /// Where the scene point (u, v) (shares of the image) of an `image`-sized picture lands
    /// in a `frame`-sized box under `view`, in pixels of the box.
    fn on_screen(image: (f64, f64), frame: (f64, f64), view: View, u: f64, v: f64) -> (f64, f64) {
        let (x, y, w, h) = contain(image, frame);
        let p = view.apply((x + u * w) / frame.0, (y + v * h) / frame.1);
        (p.0 * frame.0, p.1 * frame.1)
    }

    #[test]
    fn images_of_one_aspect_but_other_sizes_line_up_under_zoom() {
        let frame = (600.0, 400.0);
        let view = View::default().zoom_at(0.3, 0.6, 3.0).pan(-0.2, 0.1);
        for (u, v) in [(0.0, 0.0), (0.25, 0.5), (0.9, 0.1), (1.0, 1.0)] {
            let small = on_screen((512.0, 384.0), frame, view, u, v);
            let big = on_screen((1024.0, 768.0), frame, view, u, v);
            assert!(close(small, big), "{small:?} {big:?}");
        }
    }

    #[test]
    fn containing_never_crops_and_centres() {
        assert_eq!(contain((400.0, 300.0), (600.0, 600.0)), (0.0, 75.0, 600.0, 450.0));
        assert_eq!(contain((300.0, 600.0), (600.0, 600.0)), (150.0, 0.0, 300.0, 600.0));
        assert_eq!(contain((0.0, 10.0), (600.0, 600.0)), (0.0, 0.0, 0.0, 0.0));
        // Images of other aspects each keep theirs, centred in the same box.
        let (_, _, w, h) = contain((1024.0, 1024.0), (600.0, 400.0));
        assert_eq!((w, h), (400.0, 400.0));
    }

    #[test]
    fn zooming_keeps_the_point_under_the_pointer() {
        let v = View::default().zoom_at(0.25, 0.75, 2.0);
        assert!(close(v.apply(0.25, 0.75), (0.25, 0.75)));
        let w = v.zoom_at(0.6, 0.4, 1.7);
        // The box point that was under (0.6, 0.4) still is.
        let before = ((0.6 - v.x) / v.scale, (0.4 - v.y) / v.scale);
        assert!(close(w.apply(before.0, before.1), (0.6, 0.4)));
    }

    #[test]
    fn zoom_and_pan_stay_in_bounds() {
        let v = View::default().zoom_at(0.5, 0.5, 0.5);
        assert!(v.is_identity(), "never smaller than the box: {v:?}");
        let v = View::default().zoom_at(0.5, 0.5, 1e9);
        assert_eq!(v.scale, MAX_SCALE);
        let v = View::default().zoom_at(0.5, 0.5, 2.0).pan(5.0, -5.0);
        assert_eq!((v.x, v.y), (0.0, -1.0), "the content keeps covering the box");
        assert_eq!(View::default().pan(0.3, 0.3), View::default());
        assert_eq!(View::default().zoom_at(0.5, 0.5, f64::NAN), View::default());
    }

    #[test]
    fn zooming_out_again_returns_to_the_start() {
        let v = View::default().zoom_at(0.2, 0.8, ZOOM_STEP).zoom_at(0.2, 0.8, 1.0 / ZOOM_STEP);
        assert!((v.scale - 1.0).abs() < 1e-12 && v.x.abs() < 1e-12 && v.y.abs() < 1e-12, "{v:?}");
        assert_eq!(View { scale: 2.0, x: -0.5, y: -0.25 }.css(), "translate(-50.0000%, -25.0000%) scale(2.00000)");
    }
}
