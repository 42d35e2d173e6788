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

/// Entropy of softmax(row) in nats, `H = ln S − Σ_c e^{x_c−m}(x_c−m) / S` with `S = Σ_c e^{x_c−m}`
/// and `m` the row's max: every exponent ≤ 0 (no overflow) and both sums in f64. A `−inf` logit
/// has probability 0 and contributes nothing (its `0·(−inf)` is taken as 0). A row with a NaN,
/// a `+inf`, or only `−inf` has no softmax (PyTorch gives NaN probabilities there): NaN.
pub fn entropy(row: &[f32], max: f32) -> f64 {
    if !max.is_finite() {
        return f64::NAN;
    }
    let m = max as f64;
    let (mut sum, mut weighted) = (0.0f64, 0.0f64);
    for &x in row {
        if x == f32::NEG_INFINITY {
            continue;
        }
        let d = x as f64 - m; // NaN for a NaN logit, and then so is the entropy
        let e = d.exp();
        sum += e;
        weighted += e * d;
    }
    sum.ln() - weighted / sum
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

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn entropy_matches_the_definition_and_handles_impossible_classes() {
        let row = [1.0f32, -2.0, 0.5, 3.0];
        let m = 3.0f64;
        let s: f64 = row.iter().map(|&x| (x as f64 - m).exp()).sum();
        let h: f64 =
            -row.iter().map(|&x| ((x as f64 - m).exp() / s) * ((x as f64 - m) - s.ln())).sum::<f64>();
        assert!((entropy(&row, 3.0) - h).abs() < 1e-15);
        // A −inf class has p = 0: the entropy is that of the other three.
        let with_impossible = [1.0f32, -2.0, 0.5, 3.0, f32::NEG_INFINITY];
        assert_eq!(entropy(&with_impossible, 3.0), entropy(&row, 3.0));
        // Uniform over V: ln V.
        assert!((entropy(&[7.0; 8], 7.0) - 8f64.ln()).abs() < 1e-15);
        // One certain class: 0 (no NaN from 0·(−inf)).
        assert_eq!(entropy(&[0.0, f32::NEG_INFINITY], 0.0), 0.0);
        assert!(entropy(&[f32::NEG_INFINITY; 3], f32::NEG_INFINITY).is_nan());
        assert!(entropy(&[1.0, f32::INFINITY], f32::INFINITY).is_nan());
        assert!(entropy(&[1.0, f32::NAN], 1.0).is_nan());
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
