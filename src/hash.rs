//! The hash generator of the golden big cases and the benchmark: reproducible logits and labels
//! of any size from a seed, identical in Rust, JavaScript and the Python that made the vectors.

/// MurmurHash3's 32-bit finaliser.
pub fn fmix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x85EB_CA6B);
    x ^= x >> 13;
    x = x.wrapping_mul(0xC2B2_AE35);
    x ^ (x >> 16)
}

pub fn h32(i: u32, seed: u32) -> u32 {
    fmix32(i.wrapping_mul(0x9E37_79B1).wrapping_add(seed))
}

/// `logits[i] = f32((h32(i, seed) / 2^32 − 0.5) · scale)`, the arithmetic in f64.
pub fn hash_logit(i: usize, seed: u32, scale: f64) -> f32 {
    ((h32(i as u32, seed) as f64 / 4_294_967_296.0 - 0.5) * scale) as f32
}

pub fn hash_logits(len: usize, seed: u32, scale: f64) -> Vec<f32> {
    (0..len).map(|i| hash_logit(i, seed, scale)).collect()
}

/// Fills `out` with logits `offset .. offset + out.len()` of the hash sequence, so large inputs
/// can be generated in place.
pub fn fill_hash_logits(out: &mut [f32], offset: usize, seed: u32, scale: f64) {
    for (k, o) in out.iter_mut().enumerate() {
        *o = hash_logit(offset + k, seed, scale);
    }
}

/// `labels[t] = ignore if h32(t, seed + 2) % 10 == 0 else h32(t, seed + 1) % V`.
pub fn fill_hash_labels(out: &mut [i32], vocab: usize, seed: u32, ignore_index: i32) {
    for (t, o) in out.iter_mut().enumerate() {
        let t = t as u32;
        *o = if h32(t, seed.wrapping_add(2)).is_multiple_of(10) {
            ignore_index
        } else {
            (h32(t, seed.wrapping_add(1)) % vocab as u32) as i32
        };
    }
}

pub fn hash_labels(len: usize, vocab: usize, seed: u32, ignore_index: i32) -> Vec<i32> {
    let mut out = vec![0; len];
    fill_hash_labels(&mut out, vocab, seed, ignore_index);
    out
}
