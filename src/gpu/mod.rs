//! The WebGPU backend: the cross-entropy kernels (row statistics, gradient) and the linear
//! cross-entropy's (matmul, label/argmax pick), how their uniforms are packed, and how rows are
//! split into chunks and blocks that fit the adapter's limits. Device acquisition,
//! dispatch and calibration (`device`, `run`, `calibrate`) exist only in the wasm build;
//! everything here is plain data, so native tests validate the shaders with naga and check the
//! packing.

#[cfg(target_arch = "wasm32")]
pub mod calibrate;
#[cfg(target_arch = "wasm32")]
pub mod device;
#[cfg(target_arch = "wasm32")]
pub mod linear;
pub mod linear_plan;
#[cfg(target_arch = "wasm32")]
pub mod run;

use crate::loss::Plan;

/// The uniform block both kernels share, prepended to each.
pub const PARAMS_WGSL: &str = include_str!("params.wgsl");
/// Row statistics: max, Σexp, Σgap, weighted Σgap, non-finite count.
pub const STATS_WGSL: &str = include_str!("stats.wgsl");
/// The gradient with respect to the logits.
pub const GRAD_WGSL: &str = include_str!("grad.wgsl");
/// One strided f32 matrix product in workgroup-memory tiles (the linear cross-entropy's four
/// products). Stands alone: no `Params` block.
pub const MATMUL_WGSL: &str = include_str!("matmul.wgsl");
/// The label's raw logit and the argmax of each row of a logits block (linear cross-entropy).
pub const PICK_WGSL: &str = include_str!("pick.wgsl");

/// A kernel's complete source: the shared uniform block, then the kernel.
pub fn shader_source(kernel: &str) -> String {
    format!("{PARAMS_WGSL}\n{kernel}")
}

/// Workgroup size of both kernels (`@workgroup_size(256)`).
pub const WORKGROUP: u32 = 256;
/// Bytes of the `Params` uniform.
pub const PARAMS_BYTES: usize = 48;

/// Packs `Params` (see params.wgsl) for a chunk of `rows` rows of the plan's logits.
pub fn params_bytes(plan: &Plan, rows: usize) -> [u8; PARAMS_BYTES] {
    let o = &plan.opts;
    let vocab = plan.vocab();
    let smooth_per_class = if o.uses_smoothing_term() { o.epsilon / vocab as f64 } else { 0.0 };
    let words: [u32; 12] = [
        vocab as u32,
        rows as u32,
        o.softcap.is_some() as u32,
        0,
        (o.softcap.unwrap_or(1.0) as f32).to_bits(),
        ((1.0 / plan.denominator) as f32).to_bits(),
        ((1.0 - o.epsilon) as f32).to_bits(),
        (smooth_per_class as f32).to_bits(),
        (plan.total_weight as f32).to_bits(),
        ((2.0 * o.z_loss_scale) as f32).to_bits(),
        0,
        0,
    ];
    let mut out = [0u8; PARAMS_BYTES];
    for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
        chunk.copy_from_slice(&w.to_le_bytes());
    }
    out
}

/// What the adapter allows, as far as the kernels care.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Limits {
    pub max_storage_binding: u64,
    pub max_buffer: u64,
    pub max_workgroups_per_dimension: u32,
}

/// Rows per chunk kept under this many bytes of logits, so the device's working set (logits,
/// gradient and their read-back copies) stays modest even when the adapter would allow more.
pub const CHUNK_BYTES: u64 = 128 << 20;

/// How many rows of `vocab` logits one dispatch can take, or why none can.
pub fn rows_per_chunk(vocab: usize, limits: Limits) -> Result<usize, String> {
    let row_bytes = vocab as u64 * 4;
    let cap = limits.max_storage_binding.min(limits.max_buffer).min(CHUNK_BYTES.max(row_bytes));
    if row_bytes > cap {
        return Err(format!(
            "one row of V = {vocab} logits ({row_bytes} bytes) exceeds the adapter's maxStorageBufferBindingSize / maxBufferSize ({cap} bytes)"
        ));
    }
    let grad_groups = (vocab as u64).div_ceil(WORKGROUP as u64);
    if grad_groups > limits.max_workgroups_per_dimension as u64 {
        return Err(format!(
            "V = {vocab} needs {grad_groups} workgroups in one dimension, more than the adapter's {}",
            limits.max_workgroups_per_dimension
        ));
    }
    Ok(((cap / row_bytes) as usize).min(limits.max_workgroups_per_dimension as usize))
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const DEFAULT: Limits =
        Limits { max_storage_binding: 128 << 20, max_buffer: 256 << 20, max_workgroups_per_dimension: 65535 };

    #[test]
    fn chunks_fit_the_binding_limit() {
        assert_eq!(rows_per_chunk(32000, DEFAULT).unwrap(), (128 << 20) / (32000 * 4));
        assert_eq!(rows_per_chunk(5, DEFAULT).unwrap(), 65535);
        let tiny = Limits { max_storage_binding: 1000, ..DEFAULT };
        assert!(rows_per_chunk(300, tiny).unwrap_err().contains("maxStorageBufferBindingSize"));
        assert!(rows_per_chunk(
            65535 * 256 + 1,
            Limits { max_storage_binding: u64::MAX, max_buffer: u64::MAX, ..DEFAULT }
        )
        .unwrap_err()
        .contains("workgroups"));
    }

    #[test]
    fn params_pack_in_declaration_order() {
        use crate::loss::{CrossEntropy, Semantics};
        let opts = CrossEntropy {
            semantics: Semantics::Torch,
            epsilon: 0.0,
            softcap: Some(30.0),
            ..Default::default()
        };
        let plan = Plan::new([1, 2, 4], &[1, 3], &opts).unwrap();
        let b = params_bytes(&plan, 2);
        let word = |i: usize| u32::from_le_bytes(b[i * 4..i * 4 + 4].try_into().unwrap());
        assert_eq!((word(0), word(1), word(2)), (4, 2, 1));
        assert_eq!(f32::from_bits(word(4)), 30.0);
        assert_eq!(f32::from_bits(word(5)), 0.5); // two active labels
        assert_eq!(f32::from_bits(word(7)), 0.0, "torch at ε = 0 has no smoothing term");
    }

    /// The 12 words of `Params` (params.wgsl), in order, as the host must pack them: each float
    /// computed in f64 and rounded to f32 once.
    /// `floats`: 1 / D, ε, the per-class smoothing weight, W and the z-loss scale.
    fn expected_words(vocab: u32, rows: u32, softcap: Option<f64>, floats: [f64; 5]) -> [u32; 12] {
        let [inv_den, eps, smooth, w, z] = floats;
        let f = |x: f64| (x as f32).to_bits();
        [
            vocab,
            rows,
            softcap.is_some() as u32,
            0,
            f(softcap.unwrap_or(1.0)),
            f(inv_den),
            f(1.0 - eps),
            f(smooth),
            f(w),
            f(2.0 * z),
            0,
            0,
        ]
    }

    fn words(b: &[u8; PARAMS_BYTES]) -> [u32; 12] {
        std::array::from_fn(|i| u32::from_le_bytes(b[i * 4..i * 4 + 4].try_into().unwrap()))
    }

    #[test]
    fn every_params_word_is_its_own_field() {
        use crate::loss::{CrossEntropy, Semantics};
        // Every float field distinct from every other, and chosen so that computing it in f32
        // (1 − ε, ε / V, 1 / D) would round differently from f64-then-f32.
        let (eps, z, cap, d) = (0.09, 0.0125, 27.5, 2.3);
        let opts = CrossEntropy {
            epsilon: eps,
            z_loss_scale: z,
            softcap: Some(cap),
            num_items_in_batch: Some(d),
            ..Default::default()
        };
        let plan = Plan::new([2, 3, 7], &[1, 2, -100, 4, 5, 6], &opts).unwrap();
        let got = params_bytes(&plan, 5);
        let want = expected_words(7, 5, Some(cap), [1.0 / d, eps, eps / 7.0, 7.0, z]);
        assert_eq!(&got[..4], &[7, 0, 0, 0], "little-endian words");
        for (i, (g, w)) in words(&got).iter().zip(want).enumerate() {
            assert_eq!(*g, w, "word {i}");
        }
        let w = words(&got);
        let floats = [4, 5, 6, 7, 8, 9].map(|i| w[i]);
        for (i, a) in floats.iter().enumerate() {
            assert!(!floats[i + 1..].contains(a), "float words must be distinct to catch a swap");
        }
        assert_ne!(f32::from_bits(w[6]), 1.0f32 - eps as f32, "1 − ε rounds once, from f64");
        assert_ne!(f32::from_bits(w[7]), eps as f32 / 7.0, "ε / V rounds once, from f64");
        assert_ne!(f32::from_bits(w[5]), 1.0 / d as f32, "1 / D rounds once, from f64");

        // Torch with class weights: D = Σ w[y] over active labels, W = Σ_c w_c; no soft-cap
        // (the flag is 0 and the cap word 1.0).
        let weights = vec![0.5f32, 1.25, 2.0, 0.75, 1.5, 3.0, 0.25];
        let opts = CrossEntropy {
            semantics: Semantics::Torch,
            epsilon: 0.3,
            class_weights: Some(weights.clone()),
            ..Default::default()
        };
        let plan = Plan::new([1, 4, 7], &[2, 5, -100, 1], &opts).unwrap();
        let total: f64 = weights.iter().map(|&x| x as f64).sum();
        let got = params_bytes(&plan, 4);
        let den = 2.0 + 3.0 + 1.25;
        assert_eq!(words(&got), expected_words(7, 4, None, [1.0 / den, 0.3, 0.3 / 7.0, total, 0.0]));
    }
}
