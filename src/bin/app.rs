//! The app binary: the Leptos UI on the main thread.
#[cfg(target_arch = "wasm32")]
fn main() {
    gallery::ui::mount();
}

#[cfg(not(target_arch = "wasm32"))]
fn main() {}
