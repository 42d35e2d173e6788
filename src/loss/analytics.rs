//! Per-token analytics beyond the loss: entropy of the predicted distribution, the label's rank,
//! the argmax, and the accuracy test that rides on the forward's row max. All on the row as the
//! loss sees it (divided by the temperature, soft-capped).

/// `x / t` for every logit: an f32 division, as PyTorch's `logits / T` on a float32 tensor
/// (not a multiply by `1/T`, which rounds differently).
pub fn divide_row(raw: &[f32], t: f32, out: &mut [f32]) {
    for (o, &x) in out.iter_mut().zip(raw) {
        *o = x / t;
    }
}

/// Entropy of softmax(row) in nats, `H = ln S − Σ_c p_c (x_c − m)` with `S = Σ_c e^{x_c−m}`, `m`
/// the row's max and `lse = m + ln S` from the forward (f64): every exponent ≤ 0, so nothing
/// overflows, and the weighted sum is accumulated in f64. The probabilities come from the kernel's
/// own `softmax_affine` (its exp, blocks of 256 on the stack, no allocation), so the extra pass
/// costs about what the gradient's softmax does. A `−inf` logit has probability 0 and contributes
/// nothing (its `0·(−inf)` is taken as 0). A row with a NaN, a `+inf`, or only `−inf` has no
/// softmax (PyTorch gives NaN probabilities there): pass `max` NaN for it, and the result is NaN.
pub fn entropy(row: &[f32], max: f32, lse: f64, kernel: CpuKernel) -> f64 {
    if !(max.is_finite() && lse.is_finite()) {
        return f64::NAN;
    }
    let log_sum = lse - max as f64;
    let mut p = [0.0f32; 256];
    let mut weighted = 0.0f64;
    for block in row.chunks(p.len()) {
        add_weighted_gaps(block, max, log_sum as f32, kernel, &mut p[..block.len()], &mut weighted);
    }
    log_sum - weighted
}

/// Adds Σ pᶜ·(xᶜ − max) over `chunk` to `weighted`, one class after another (the sum entropy
/// needs: H = (lse − max) − Σ pᶜ·(xᶜ − max)), with p = exp(x − max − log_sum) written into `p`
/// (scratch of the chunk's length). `linearCrossEntropy` calls it on logits tiles it recomputes.
pub fn add_weighted_gaps(
    chunk: &[f32],
    max: f32,
    log_sum: f32,
    kernel: CpuKernel,
    p: &mut [f32],
    weighted: &mut f64,
) {
    kernel.softmax_affine(chunk, max, log_sum, 1.0, 0.0, p);
    for (&x, &pc) in chunk.iter().zip(p.iter()) {
        // The kernel's exp clamps its argument, so a −inf logit gets a tiny p, not 0: skip it by
        // its logit (p = 0 exactly, and 0·(−inf) would be NaN).
        if x != f32::NEG_INFINITY {
            *weighted += pc as f64 * (x as f64 - max as f64);
        }
    }
}

/// The label's rank among the classes: how many logits are strictly larger than the label's,
/// so ties count in the label's favour and the most probable class has rank 0. NaN compares
/// false both ways (a NaN label logit has rank 0; NaN elsewhere never outranks it).
pub fn rank(row: &[f32], class: u32) -> u32 {
    let y = row[class as usize];
    row.iter().filter(|&&x| x > y).count() as u32
}

/// `torch.argmax` of the row: the lowest index of the maximum; a NaN counts as larger than
/// everything (PyTorch's max propagates NaN), so the first NaN wins.
pub fn argmax(row: &[f32]) -> u32 {
    let mut best = 0;
    for (c, &x) in row.iter().enumerate() {
        if x.is_nan() {
            return c as u32;
        }
        if x > row[best] {
            best = c;
        }
    }
    best as u32
}

/// [`argmax`] from the row max the forward already found (`max` skips NaN): the first index
/// holding it, or the first NaN in a row that has one. One early-exiting comparison per logit.
pub fn argmax_from_max(row: &[f32], max: f32, has_nan: bool) -> u32 {
    if has_nan {
        return argmax(row);
    }
    row.iter().position(|&x| x == max).unwrap_or(0) as u32
}

/// Whether `argmax(row) == class`, from the row max the forward already found: the label can
/// only be the argmax if its logit equals the max, and only then are the classes before it read
/// (for an equal value, which would win the tie). `max` skips NaNs; `has_nan` rows take the full
/// argmax. Costs nothing beyond one comparison for most rows.
pub fn label_is_argmax(row: &[f32], class: u32, max: f32, has_nan: bool) -> bool {
    if has_nan {
        return argmax(row) == class;
    }
    let y = row[class as usize];
    y == max && !row[..class as usize].contains(&max)
}

use crate::cpu::CpuKernel;

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// The entropy in f64 throughout, as the definition writes it: the oracle.
    fn entropy_f64(row: &[f32]) -> f64 {
        let lse = lse(row);
        -row.iter().filter(|x| x.is_finite()).map(|&x| (x as f64 - lse).exp() * (x as f64 - lse)).sum::<f64>()
    }

    fn lse(row: &[f32]) -> f64 {
        let m = row.iter().fold(f64::NEG_INFINITY, |a, &x| a.max(x as f64));
        m + row.iter().map(|&x| (x as f64 - m).exp()).sum::<f64>().ln()
    }

    #[test]
    fn entropy_matches_the_definition_and_handles_impossible_classes() {
        for kernel in [CpuKernel::Simd, CpuKernel::Scalar] {
            // Several blocks of 256, a wide range of logits.
            let row = crate::hash::hash_logits(1000, 9, 30.0);
            let max = row.iter().fold(f32::NEG_INFINITY, |a, &x| a.max(x));
            let (got, want) = (entropy(&row, max, lse(&row), kernel), entropy_f64(&row));
            assert!((got - want).abs() <= 1e-6 * want, "{kernel:?}: {got} vs {want}");
            // A −inf class has p = 0: the entropy is that of the others.
            let small = [1.0f32, -2.0, 0.5, 3.0];
            let with_impossible = [1.0f32, -2.0, 0.5, 3.0, f32::NEG_INFINITY];
            let h = entropy(&small, 3.0, lse(&small), kernel);
            assert!((h - entropy_f64(&small)).abs() < 1e-7, "{kernel:?}: {h}");
            assert_eq!(entropy(&with_impossible, 3.0, lse(&with_impossible), kernel), h);
            // Uniform over V: ln V.
            assert!((entropy(&[7.0; 8], 7.0, lse(&[7.0; 8]), kernel) - 8f64.ln()).abs() < 1e-7);
            // One certain class: 0 (no NaN from 0·(−inf)).
            assert_eq!(entropy(&[0.0, f32::NEG_INFINITY], 0.0, 0.0, kernel), 0.0);
            let all_neg = [f32::NEG_INFINITY; 3];
            assert!(entropy(&all_neg, f32::NEG_INFINITY, f64::NEG_INFINITY, kernel).is_nan());
            assert!(entropy(&[1.0, f32::INFINITY], f32::INFINITY, f64::INFINITY, kernel).is_nan());
            assert!(entropy(&[1.0, f32::NAN], f32::NAN, f64::NAN, kernel).is_nan());
        }
    }

    #[test]
    fn rank_and_argmax_break_ties_as_documented() {
        let row = [2.0f32, 5.0, 5.0, -1.0];
        assert_eq!(argmax(&row), 1, "lowest index on ties");
        assert_eq!((rank(&row, 1), rank(&row, 2), rank(&row, 0), rank(&row, 3)), (0, 0, 2, 3));
        assert_eq!(argmax(&[1.0, f32::NAN, 9.0, f32::NAN]), 1, "the first NaN, as torch.argmax");
        assert_eq!(argmax(&[f32::NEG_INFINITY; 3]), 0);
        for class in 0..4 {
            assert_eq!(label_is_argmax(&row, class, 5.0, false), argmax(&row) == class, "class {class}");
        }
        assert_eq!(argmax_from_max(&row, 5.0, false), 1);
        assert_eq!(argmax_from_max(&[1.0, f32::NAN, 9.0, f32::NAN], 9.0, true), 1);
        assert!(label_is_argmax(&[1.0, f32::NAN], 1, 1.0, true));
        assert!(!label_is_argmax(&[1.0, f32::NAN], 0, 1.0, true));
    }

    #[test]
    fn division_is_an_f32_division_not_a_reciprocal_multiply() {
        // 0.3 / 3 and 0.3 · (1/3) round differently in f32.
        let (x, t) = (0.3f32, 3.0f32);
        let mut out = [0.0];
        divide_row(&[x], t, &mut out);
        assert_eq!(out[0], x / t);
        assert_ne!(out[0], x * (1.0 / t));
    }
}
