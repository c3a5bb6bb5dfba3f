//! Incremental decoding of raw Snappy (the block format Parquet uses, no framing): input
//! is pushed as it arrives from the network and output grows element by element, so a
//! page can be read only as far as the values it shows. The `snap` crate decodes raw
//! Snappy only whole. Never trusts a length or offset from the input without checking it
//! against the declared size and the bytes kept.

/// Decoded bytes kept behind the reader for back-references. The reference compressor
/// (used by Arrow C++ and the `snap` crate) works in independent 64 KiB blocks, so its
/// offsets never exceed 64 KiB; 1 MiB leaves room for other writers.
pub const WINDOW: usize = 1 << 20;

/// A raw Snappy stream being decoded.
#[derive(Debug, Default)]
pub struct SnappyStream {
    /// Uncompressed length from the preamble, once read.
    expected: Option<u64>,
    /// Bytes of a preamble or element header that arrived split across pushes.
    carry: Vec<u8>,
    /// Bytes of a literal still to come.
    literal_left: u64,
    /// Decoded bytes kept: the window behind the reader, and what it has not read yet.
    out: Vec<u8>,
    /// `out[..read]` has been consumed by the reader.
    read: usize,
    /// Bytes decoded so far.
    produced: u64,
}

fn corrupt(what: impl Into<String>) -> String {
    format!("corrupt snappy data: {}", what.into())
}

/// Bytes of an element's header (tag included), from its tag.
fn header_len(tag: u8) -> usize {
    match tag & 3 {
        0 if (tag >> 2) < 60 => 1,
        0 => 1 + ((tag >> 2) - 59) as usize,
        1 => 2,
        2 => 3,
        _ => 5,
    }
}

impl SnappyStream {
    pub fn new() -> Self {
        Self::default()
    }

    /// The declared uncompressed length, once the preamble has arrived.
    pub fn expected_len(&self) -> Option<u64> {
        self.expected
    }

    /// Bytes decoded so far (consumed or not).
    pub fn produced(&self) -> u64 {
        self.produced
    }

    /// Whether the whole declared output has been decoded.
    pub fn is_done(&self) -> bool {
        self.expected == Some(self.produced) && self.literal_left == 0 && self.carry.is_empty()
    }

    /// Decoded bytes the reader has not consumed yet.
    pub fn unread(&self) -> &[u8] {
        &self.out[self.read..]
    }

    /// Mark `n` bytes of `unread()` as consumed; memory behind the window is released.
    pub fn consume(&mut self, n: usize) {
        self.read = (self.read + n).min(self.out.len());
        let droppable = self.read.min(self.out.len().saturating_sub(WINDOW));
        // Release in steps of at least a window, so the copy is amortised.
        if droppable >= WINDOW {
            self.out.drain(..droppable);
            self.read -= droppable;
        }
    }

    /// Decode what `input` completes.
    pub fn push(&mut self, mut input: &[u8]) -> Result<(), String> {
        while !input.is_empty() {
            if self.literal_left > 0 {
                let n = (self.literal_left.min(input.len() as u64)) as usize;
                self.emit(&input[..n])?;
                self.literal_left -= n as u64;
                input = &input[n..];
                continue;
            }
            let Some(expected) = self.expected else {
                self.carry.push(input[0]);
                input = &input[1..];
                if self.carry.last().is_some_and(|b| b & 0x80 == 0) {
                    let mut n = 0u64;
                    for (i, b) in self.carry.iter().enumerate() {
                        n |= u64::from(b & 0x7f) << (7 * i);
                    }
                    if n > u64::from(u32::MAX) {
                        return Err(corrupt("uncompressed length over 4 GiB"));
                    }
                    self.expected = Some(n);
                    self.carry.clear();
                } else if self.carry.len() >= 5 {
                    return Err(corrupt("preamble longer than 5 bytes"));
                }
                continue;
            };
            if self.produced >= expected {
                return Err(corrupt("data after the declared end"));
            }
            if self.carry.is_empty() {
                let need = header_len(input[0]);
                if input.len() >= need {
                    let (h, rest) = input.split_at(need);
                    self.element(h)?;
                    input = rest;
                    continue;
                }
            }
            let need = header_len(*self.carry.first().unwrap_or(&input[0]));
            let take = (need - self.carry.len()).min(input.len());
            self.carry.extend_from_slice(&input[..take]);
            input = &input[take..];
            if self.carry.len() == need {
                let h = std::mem::take(&mut self.carry);
                self.element(&h)?;
            }
        }
        Ok(())
    }

    /// Fail unless the stream decoded to its declared length.
    pub fn finish(&self) -> Result<(), String> {
        if self.is_done() {
            Ok(())
        } else {
            Err(corrupt(format!(
                "ended after {} of {} bytes",
                self.produced,
                self.expected.map_or("?".into(), |e| e.to_string())
            )))
        }
    }

    fn emit(&mut self, bytes: &[u8]) -> Result<(), String> {
        if self.produced + bytes.len() as u64 > self.expected.unwrap_or(0) {
            return Err(corrupt("output longer than declared"));
        }
        self.out.extend_from_slice(bytes);
        self.produced += bytes.len() as u64;
        Ok(())
    }

    /// One element, given its whole header.
    fn element(&mut self, h: &[u8]) -> Result<(), String> {
        let tag = h[0];
        let le = |b: &[u8]| b.iter().rev().fold(0u64, |n, &x| (n << 8) | u64::from(x));
        let (len, offset) = match tag & 3 {
            0 => {
                let len = if h.len() == 1 { u64::from(tag >> 2) } else { le(&h[1..]) } + 1;
                if self.produced + len > self.expected.unwrap_or(0) {
                    return Err(corrupt("literal longer than the declared output"));
                }
                self.literal_left = len;
                return Ok(());
            }
            1 => (4 + u64::from((tag >> 2) & 7), (u64::from(tag >> 5) << 8) | u64::from(h[1])),
            2 => (1 + u64::from(tag >> 2), le(&h[1..3])),
            _ => (1 + u64::from(tag >> 2), le(&h[1..5])),
        };
        if offset == 0 || offset > self.produced {
            return Err(corrupt(format!("copy offset {offset} at output byte {}", self.produced)));
        }
        if offset > self.out.len() as u64 {
            return Err(corrupt(format!("copy offset {offset} reaches behind the {WINDOW}-byte window")));
        }
        if self.produced + len > self.expected.unwrap_or(0) {
            return Err(corrupt("copy past the declared output"));
        }
        let from = self.out.len() - offset as usize;
        // Overlapping copies repeat the last `offset` bytes, so go byte by byte then.
        if offset >= len {
            self.out.extend_from_within(from..from + len as usize);
        } else {
            for i in 0..len as usize {
                let b = self.out[from + i];
                self.out.push(b);
            }
        }
        self.produced += len;
        Ok(())
    }
}

/// Checked against the `snap` crate (a native test dependency).
#[cfg(all(test, not(target_arch = "wasm32")))]
mod tests {
    use super::*;

    fn samples() -> Vec<Vec<u8>> {
        let mut noise = Vec::new();
        let mut x = 0x2545_f491_4f6c_dd1du64;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            noise.push(x as u8);
        }
        let text = b"the quick brown fox jumps over the lazy dog; ".repeat(3000);
        let mixed: Vec<u8> = noise.chunks(1000).zip(text.chunks(700)).flat_map(|(a, b)| a.iter().chain(b).copied()).collect();
        vec![vec![], vec![7], b"abcabcabcabcabcabcabcabcabcabcabc".to_vec(), vec![0; 100_000], noise, text, mixed]
    }

    fn decode_in_pieces(compressed: &[u8], piece: usize) -> Vec<u8> {
        let mut s = SnappyStream::new();
        let mut out = Vec::new();
        for chunk in compressed.chunks(piece.max(1)) {
            s.push(chunk).unwrap();
            out.extend_from_slice(s.unread());
            let n = s.unread().len();
            s.consume(n);
        }
        s.finish().unwrap();
        out
    }

    #[test]
    fn decodes_what_snap_encodes_whatever_the_pieces() {
        for data in samples() {
            let compressed = snap::raw::Encoder::new().compress_vec(&data).unwrap();
            for piece in [1, 2, 3, 5, 64, 4096, 65_537, compressed.len()] {
                assert_eq!(decode_in_pieces(&compressed, piece), data, "{} bytes in pieces of {piece}", data.len());
            }
        }
    }

    #[test]
    fn output_grows_as_input_arrives() {
        let data: Vec<u8> = (0..300_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
        let compressed = snap::raw::Encoder::new().compress_vec(&data).unwrap();
        let mut s = SnappyStream::new();
        s.push(&compressed[..compressed.len() / 3]).unwrap();
        let early = s.unread().len();
        assert!(early > data.len() / 4, "a third of the input gave {early} bytes");
        assert_eq!(s.unread(), &data[..early]);
        assert!(!s.is_done());
        assert!(s.finish().is_err());
    }

    #[test]
    fn long_streams_keep_only_a_window_behind_the_reader() {
        let data = b"0123456789abcdef".repeat(300_000);
        let compressed = snap::raw::Encoder::new().compress_vec(&data).unwrap();
        let mut s = SnappyStream::new();
        let mut out = Vec::new();
        for chunk in compressed.chunks(10_000) {
            s.push(chunk).unwrap();
            out.extend_from_slice(s.unread());
            let n = s.unread().len();
            s.consume(n);
            assert!(s.out.len() <= 2 * WINDOW + 200_000, "kept {}", s.out.len());
        }
        assert_eq!(out, data);
    }

    #[test]
    fn corrupt_input_is_an_error_not_a_panic() {
        // Copy before any output.
        assert!(SnappyStream::new().push(&[0x05, 0x01, 0x00]).is_err());
        // Literal longer than declared.
        assert!(SnappyStream::new().push(&[0x02, 0x08, b'a', b'b', b'c']).is_err());
        // Copy offset beyond the output.
        let mut s = SnappyStream::new();
        assert!(s.push(&[0x0a, 0x04, b'a', b'b', 0x01, 0x05]).is_err());
        // Zero offset.
        assert!(SnappyStream::new().push(&[0x0a, 0x04, b'a', b'b', 0x01, 0x00]).is_err());
        // Preamble over 5 bytes.
        assert!(SnappyStream::new().push(&[0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).is_err());
        // Truncated: finish says so.
        let compressed = snap::raw::Encoder::new().compress_vec(b"hello hello hello").unwrap();
        let mut s = SnappyStream::new();
        s.push(&compressed[..compressed.len() - 1]).unwrap();
        assert!(s.finish().unwrap_err().contains("ended after"));
        // Random bytes never panic.
        let mut x = 99u32;
        for _ in 0..2000 {
            let junk: Vec<u8> = (0..40).map(|_| {
                x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
                (x >> 16) as u8
            }).collect();
            let _ = SnappyStream::new().push(&junk);
        }
    }

    #[test]
    fn overlapping_copies_repeat_the_last_bytes() {
        // "ab" then copy offset 2, length 8 (copy-1: len 4 + 4): "ababababab".
        let mut s = SnappyStream::new();
        s.push(&[10, 0x04, b'a', b'b', 0x01 | (4 << 2), 0x02]).unwrap();
        assert_eq!(s.unread(), b"ababababab");
        assert!(s.is_done());
    }
}
