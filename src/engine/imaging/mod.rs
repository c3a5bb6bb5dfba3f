//! Imaging: what the gallery needs to know about encoded image bytes (format from magic
//! bytes, so the browser gets the right MIME type) and the one place it decodes pixels:
//! the difference between a pair's two images.

pub mod diff;
pub mod frame;
pub mod sniff;
