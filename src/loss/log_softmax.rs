//! `log_softmax` over the vocabulary axis: the per-class log-probabilities the loss is made of,
//! for showing a whole predicted distribution (`−log p_c` is the smoothing term's summand).

use ndarray::ArrayView2;

use super::cross_entropy::softcap_row;
use crate::cpu::CpuKernel;
use crate::error::{try_zeroed, Result};

/// `log p_c = x_c − lse` for every row of `[rows, V]` logits (soft-capped first if asked), as
/// `(x_c − max) − ln Σexp` so large logits keep their digits. Non-finite rows follow PyTorch:
/// NaN rows are NaN, a `+inf` logit makes the others `−inf` and itself NaN, all-`−inf` rows NaN.
pub fn log_softmax(logits: ArrayView2<f32>, softcap: Option<f64>, kernel: CpuKernel) -> Result<Vec<f32>> {
    let (rows, v) = logits.dim();
    let mut out = try_zeroed::<f32>(rows * v, "the log-probabilities")?;
    let mut capped = if softcap.is_some() { try_zeroed::<f32>(v, "a soft-capped row")? } else { Vec::new() };
    for (raw, dst) in logits.rows().into_iter().zip(out.chunks_exact_mut(v.max(1))) {
        let raw = raw.to_vec();
        let row = match softcap {
            Some(cap) => {
                softcap_row(&raw, cap, &mut capped);
                &capped[..]
            }
            None => &raw[..],
        };
        let stats = kernel.row_stats(row);
        let totals = stats.finish(row);
        if (stats.max as f64).is_finite() && totals.lse.is_finite() {
            let log_sum = (totals.lse - stats.max as f64) as f32;
            for (o, &x) in dst.iter_mut().zip(row) {
                *o = (x - stats.max) - log_sum;
            }
        } else {
            for (o, &x) in dst.iter_mut().zip(row) {
                *o = (x as f64 - totals.lse) as f32;
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn rows_are_log_probabilities() {
        let x = [1.0f32, 2.0, 3.0, 1e4, 1e4 + 1.0, 1e4 - 2.0];
        let out = log_softmax(ArrayView2::from_shape((2, 3), &x).unwrap(), None, CpuKernel::Simd).unwrap();
        for (row, logp) in x.chunks(3).zip(out.chunks(3)) {
            let m = row.iter().fold(f64::MIN, |a, &b| a.max(b as f64));
            let lse = m + row.iter().map(|&r| (r as f64 - m).exp()).sum::<f64>().ln();
            for (&xi, &lp) in row.iter().zip(logp) {
                assert!((lp as f64 - (xi as f64 - lse)).abs() < 1e-6, "{lp} vs {}", xi as f64 - lse);
            }
        }
    }

    #[test]
    fn non_finite_rows_follow_pytorch() {
        let x = [1.0f32, f32::INFINITY, f32::NEG_INFINITY, f32::NEG_INFINITY];
        let out = log_softmax(ArrayView2::from_shape((2, 2), &x).unwrap(), None, CpuKernel::Scalar).unwrap();
        assert_eq!(out[0], f32::NEG_INFINITY);
        assert!(out[1].is_nan() && out[2].is_nan() && out[3].is_nan());
    }
}
