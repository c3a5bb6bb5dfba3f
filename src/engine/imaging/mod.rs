//! Imaging: what the gallery needs to know about encoded image bytes without decoding
//! them (format from magic bytes, so the browser gets the right MIME type).

pub mod sniff;
