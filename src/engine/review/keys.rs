//! The keyboard shortcuts of the sample view, in one table: the key handler looks keys up
//! here and the `?` overlay lists this same table, so the two cannot disagree.

use crate::engine::dataset::link::CompareMode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    Next,
    Previous,
    Close,
    Mode(CompareMode),
    /// Flag the sample as bad, or unflag it.
    Flag,
    ZoomIn,
    ZoomOut,
    ZoomReset,
    /// Hold to show the other image (flicker mode).
    Flicker,
    /// Show or hide the list of shortcuts.
    Help,
}

pub struct Shortcut {
    /// `KeyboardEvent.key` values that trigger it.
    pub keys: &'static [&'static str],
    pub action: Action,
    pub what: &'static str,
}

pub const SHORTCUTS: &[Shortcut] = &[
    Shortcut { keys: &["j", "ArrowRight"], action: Action::Next, what: "Next sample" },
    Shortcut { keys: &["k", "ArrowLeft"], action: Action::Previous, what: "Previous sample" },
    Shortcut { keys: &["1"], action: Action::Mode(CompareMode::Side), what: "Side by side" },
    Shortcut { keys: &["2"], action: Action::Mode(CompareMode::Slider), what: "Slider" },
    Shortcut { keys: &["3"], action: Action::Mode(CompareMode::Flicker), what: "Flicker" },
    Shortcut { keys: &["4"], action: Action::Mode(CompareMode::Diff), what: "Difference heatmap" },
    Shortcut { keys: &["+", "="], action: Action::ZoomIn, what: "Zoom in" },
    Shortcut { keys: &["-"], action: Action::ZoomOut, what: "Zoom out" },
    Shortcut { keys: &["0"], action: Action::ZoomReset, what: "Reset zoom and pan" },
    Shortcut { keys: &[" "], action: Action::Flicker, what: "Hold to show the other image (flicker)" },
    Shortcut { keys: &["f"], action: Action::Flag, what: "Flag as bad / unflag" },
    Shortcut { keys: &["?"], action: Action::Help, what: "Show or hide these shortcuts" },
    Shortcut { keys: &["Escape"], action: Action::Close, what: "Close (this list first)" },
];

/// What the pointer and a focused divider do, listed under the keys.
pub const GESTURES: &[(&str, &str)] = &[
    ("Wheel, pinch", "Zoom both images at the pointer"),
    ("Drag", "Pan both images"),
    ("Double-click", "Reset zoom and pan"),
    ("← → (divider focused)", "Move the slider's divider by 5 %"),
    ("Hold the mouse button", "Show the other image (flicker)"),
    ("Enter on a card", "Open its sample"),
    ("Tab", "Move between the controls of the open sample"),
];

/// The action of a key, if any (letters in either case).
pub fn action(key: &str) -> Option<Action> {
    let lower;
    let key = if key.len() == 1 && key.chars().all(|c| c.is_ascii_uppercase()) {
        lower = key.to_ascii_lowercase();
        lower.as_str()
    } else {
        key
    };
    SHORTCUTS.iter().find(|s| s.keys.contains(&key)).map(|s| s.action)
}

/// How a key is written for people.
pub fn label(key: &str) -> &str {
    match key {
        "ArrowRight" => "→",
        "ArrowLeft" => "←",
        "ArrowUp" => "↑",
        "ArrowDown" => "↓",
        "Escape" => "Esc",
        " " => "Space",
        k => k,
    }
}

/// One step of the slider's divider, as a share of the width or height.
pub const DIVIDER_STEP: f64 = 0.05;

/// Where a key moves the focused divider from `position` (0–1); `None` for other keys.
pub fn divider(key: &str, position: f64) -> Option<f64> {
    let next = match key {
        "ArrowLeft" | "ArrowUp" => position - DIVIDER_STEP,
        "ArrowRight" | "ArrowDown" => position + DIVIDER_STEP,
        "PageUp" => position - 2.0 * DIVIDER_STEP,
        "PageDown" => position + 2.0 * DIVIDER_STEP,
        "Home" => 0.0,
        "End" => 1.0,
        _ => return None,
    };
    // Whole steps stay whole (0.35, not 0.35000000000000003).
    Some(((next * 1000.0).round() / 1000.0).clamp(0.0, 1.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_key_does_two_things() {
        let mut keys: Vec<&str> = SHORTCUTS.iter().flat_map(|s| s.keys.iter().copied()).collect();
        let n = keys.len();
        keys.sort();
        keys.dedup();
        assert_eq!(keys.len(), n);
    }

    #[test]
    fn the_brief_keys_do_what_they_say() {
        assert_eq!(action("j"), Some(Action::Next));
        assert_eq!(action("J"), Some(Action::Next));
        assert_eq!(action("ArrowLeft"), Some(Action::Previous));
        assert_eq!(action("k"), Some(Action::Previous));
        assert_eq!(action("4"), Some(Action::Mode(CompareMode::Diff)));
        assert_eq!(action("F"), Some(Action::Flag));
        assert_eq!(action("?"), Some(Action::Help));
        assert_eq!(action("Escape"), Some(Action::Close));
        assert_eq!(action("x"), None);
        assert_eq!(action("Shift"), None);
    }

    #[test]
    fn every_mode_has_a_key() {
        for mode in CompareMode::ALL {
            assert!(SHORTCUTS.iter().any(|s| s.action == Action::Mode(mode)), "{mode:?}");
        }
    }

    #[test]
    fn the_divider_moves_in_five_percent_steps_within_bounds() {
        assert_eq!(divider("ArrowRight", 0.5), Some(0.55));
        assert_eq!(divider("ArrowLeft", 0.5), Some(0.45));
        assert_eq!(divider("ArrowLeft", 0.02), Some(0.0));
        assert_eq!(divider("ArrowRight", 0.98), Some(1.0));
        assert_eq!(divider("Home", 0.7), Some(0.0));
        assert_eq!(divider("j", 0.7), None);
        let mut p = 0.5;
        for _ in 0..3 {
            p = divider("ArrowLeft", p).unwrap();
        }
        assert_eq!(p, 0.35);
    }

    #[test]
    fn keys_have_readable_labels() {
        assert_eq!(label(" "), "Space");
        assert_eq!(label("ArrowRight"), "→");
        assert_eq!(label("f"), "f");
    }
}
