//! The source photographs of the demo, loaded once from the photos folder.

use std::path::Path;

use super::raster::Img;
use crate::cli::CliResult;

/// Every photograph the demo draws from (see `photos/LICENSES.md`).
pub struct Photos {
    /// Eileen Collins, NASA portrait, 512×512.
    pub astronaut: Img,
    /// Chelsea the cat, 451×300.
    pub chelsea: Img,
    /// Espresso cup on a saucer, on a wooden table, 600×400.
    pub coffee: Img,
    /// Rocket on the launch pad at dusk, 640×427.
    pub rocket: Img,
    /// Hubble deep field, 1000×872.
    pub hubble: Img,
    /// Fundus photograph, 1411×1411.
    pub retina: Img,
    /// Camera man on a lawn (greyscale), 512×512.
    pub camera: Img,
    /// Greek coins on black (greyscale), 384×303.
    pub coins: Img,
    /// Greyscale textures, 512×512.
    pub brick: Img,
    pub grass: Img,
    pub gravel: Img,
}

fn load(dir: &Path, name: &str) -> CliResult<Img> {
    let path = dir.join(name);
    let img = image::open(&path).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(Img::from_dynamic(&img))
}

impl Photos {
    pub fn load(dir: &Path) -> CliResult<Photos> {
        Ok(Photos {
            astronaut: load(dir, "astronaut.png")?,
            chelsea: load(dir, "chelsea.png")?,
            coffee: load(dir, "coffee.png")?,
            rocket: load(dir, "rocket.jpg")?,
            hubble: load(dir, "hubble_deep_field.jpg")?,
            retina: load(dir, "retina.jpg")?,
            camera: load(dir, "camera.png")?,
            coins: load(dir, "coins.png")?,
            brick: load(dir, "brick.png")?,
            grass: load(dir, "grass.png")?,
            gravel: load(dir, "gravel.png")?,
        })
    }
}
