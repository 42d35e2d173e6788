//! CPU kernels: one pass of per-row statistics, and the softmax part of the gradient.
//!
//! Two kernels with the same signatures: `simd128` (f32x4 lanes, the fast path) and `scalar`
//! (the textbook online softmax in f64 accumulators, also the oracle the tests compare against).

pub mod lanes;
mod scalar;
mod simd128;

/// What one pass over a row of logits leaves behind.
///
/// `sum_exp = Σ exp(x_c − max)` and `sum_gap = Σ (max − x_c)`, every term non-negative, so
/// neither cancels however large V or the logits are.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowStats {
    pub max: f32,
    pub sum_exp: f64,
    pub sum_gap: f64,
}

/// A row's logsumexp and its smoothing sum `Σ_c (lse − x_c) = −Σ_c log p_c`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowTotals {
    pub lse: f64,
    pub smooth: f64,
}

impl RowStats {
    /// Turns the running sums into totals with PyTorch's answers for non-finite rows:
    /// any NaN makes both NaN; a `+inf` logit makes lse `+inf` and the smoothing sum NaN
    /// (`inf − inf`); a row of only `−inf` has lse `−inf` and every `log p` NaN.
    pub fn finish(&self, row: &[f32]) -> RowTotals {
        self.finish_with(row.len(), || row.iter().any(|x| x.is_nan()))
    }

    /// [`finish`](Self::finish) for a row of `len` logits held elsewhere; `has_nan` is asked
    /// only when the max is not finite.
    pub fn finish_with(&self, len: usize, has_nan: impl FnOnce() -> bool) -> RowTotals {
        let m = self.max as f64;
        if m.is_finite() {
            // A NaN logit always reaches sum_gap (plain subtractions and adds); sum_exp may lose
            // it, since max/min instructions under relaxed SIMD need not propagate NaN.
            if self.sum_gap.is_nan() {
                return RowTotals { lse: f64::NAN, smooth: f64::NAN };
            }
            let log_s = ln(self.sum_exp);
            return RowTotals { lse: m + log_s, smooth: len as f64 * log_s + self.sum_gap };
        }
        // Rare rows: the kernels skip NaNs when taking the max, so look for them here.
        let lse = if has_nan() { f64::NAN } else { m };
        RowTotals { lse, smooth: f64::NAN }
    }
}

/// f64 `ln` and `exp` that round alike everywhere: std's in wasm (compiler-builtins' port of
/// musl's libm), the same port from the `libm` crate natively — not the platform's C library — so
/// a row's totals are the same bits natively and in browsers (seeded training runs reproduce).
#[cfg(target_arch = "wasm32")]
pub(crate) fn ln(x: f64) -> f64 {
    x.ln()
}
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn ln(x: f64) -> f64 {
    libm::log(x)
}
#[cfg(target_arch = "wasm32")]
pub(crate) fn exp(x: f64) -> f64 {
    x.exp()
}
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn exp(x: f64) -> f64 {
    libm::exp(x)
}

/// The running state of an online softmax over blocks: max, Σexp and Σgap relative to it.
#[derive(Clone, Copy)]
struct Online {
    max: f32,
    sum_exp: f64,
    sum_gap: f64,
    seen: usize,
}

impl Online {
    fn new() -> Self {
        Self { max: f32::NEG_INFINITY, sum_exp: 0.0, sum_gap: 0.0, seen: 0 }
    }

    /// Raises the running max to `candidate` if larger (NaN never is), rescaling what was
    /// summed so far, and returns the max to use for the next elements.
    #[inline(always)]
    fn raise(&mut self, candidate: f32) -> f32 {
        if candidate > self.max {
            if self.seen > 0 {
                let delta = candidate as f64 - self.max as f64;
                self.sum_exp *= exp(-delta);
                self.sum_gap += self.seen as f64 * delta;
            }
            self.max = candidate;
        }
        self.max
    }

    #[inline(always)]
    fn add(&mut self, count: usize, sum_exp: f64, sum_gap: f64) {
        self.sum_exp += sum_exp;
        self.sum_gap += sum_gap;
        self.seen += count;
    }

    fn stats(self) -> RowStats {
        RowStats { max: self.max, sum_exp: self.sum_exp, sum_gap: self.sum_gap }
    }
}

/// The SIMD instruction set this build's kernel was compiled for: "relaxed-simd" (simd128 with
/// fused multiply-add), "simd128", or "portable" (native builds).
pub const SIMD_LEVEL: &str = if cfg!(all(target_arch = "wasm32", target_feature = "relaxed-simd")) {
    "relaxed-simd"
} else if cfg!(all(target_arch = "wasm32", target_feature = "simd128")) {
    "simd128"
} else {
    "portable"
};

/// Which CPU kernel runs. `Simd` is simd128 in wasm and the same lane algorithm natively.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum CpuKernel {
    #[default]
    Simd,
    Scalar,
}

impl CpuKernel {
    /// The name reported to users as `backend`.
    pub fn name(self) -> &'static str {
        match self {
            CpuKernel::Simd => "cpu-simd",
            CpuKernel::Scalar => "cpu-scalar",
        }
    }

    /// Max, Σexp(x − max) and Σ(max − x) of one row, reading it once from memory.
    pub fn row_stats(self, row: &[f32]) -> RowStats {
        match self {
            CpuKernel::Simd => simd128::row_stats(row),
            CpuKernel::Scalar => scalar::row_stats(row),
        }
    }

    /// `out[c] = scale · exp(row[c] − max − log_sum) − offset`: the softmax part of a gradient
    /// row. `lse = max + log_sum` is passed in two parts because `x − lse` rounded in f32 loses
    /// the digits that matter when logits are large (1e4: 5e-4 relative in p).
    pub fn softmax_affine(
        self,
        row: &[f32],
        max: f32,
        log_sum: f32,
        scale: f32,
        offset: f32,
        out: &mut [f32],
    ) {
        debug_assert_eq!(row.len(), out.len());
        match self {
            CpuKernel::Simd => simd128::softmax_affine(row, max, log_sum, scale, offset, out),
            CpuKernel::Scalar => scalar::softmax_affine(row, max, log_sum, scale, offset, out),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::hash_logits;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn f64_totals(row: &[f32]) -> RowTotals {
        let m = row.iter().fold(f64::NEG_INFINITY, |a, &x| a.max(x as f64));
        let s: f64 = row.iter().map(|&x| (x as f64 - m).exp()).sum();
        let lse = m + s.ln();
        RowTotals { lse, smooth: row.iter().map(|&x| lse - x as f64).sum() }
    }

    fn check_row(row: &[f32]) {
        let want = f64_totals(row);
        for k in [CpuKernel::Simd, CpuKernel::Scalar] {
            let got = k.row_stats(row).finish(row);
            // Errors scale with the logits, so values near 0 are held to an absolute 2e-7.
            let rel = |a: f64, b: f64| ((a - b) / b.abs().max(1.0)).abs();
            assert!(rel(got.lse, want.lse) < 2e-7, "{k:?} lse {} vs {}", got.lse, want.lse);
            assert!(rel(got.smooth, want.smooth) < 2e-7, "{k:?} smooth {} vs {}", got.smooth, want.smooth);
        }
    }

    #[test]
    fn rows_of_every_length_and_scale_match_f64() {
        for v in [1, 2, 3, 4, 5, 7, 8, 255, 256, 257, 1023, 4099, 32000, 151_936] {
            for (seed, scale) in [(1, 1.0), (2, 16.0), (3, 2e4)] {
                check_row(&hash_logits(v, seed, scale));
            }
        }
    }

    #[test]
    fn increasing_row_rescales_every_block() {
        let row: Vec<f32> = (0..5000).map(|i| i as f32 * 0.01).collect();
        check_row(&row);
    }

    #[test]
    fn non_finite_rows_follow_pytorch() {
        let cases: [(&[f32], f64, bool); 5] = [
            (&[1.0, f32::NEG_INFINITY, 2.0], f64::NAN, true), // lse finite, smooth +inf
            (&[f32::NEG_INFINITY; 5], f64::NEG_INFINITY, false),
            (&[1.0, f32::NAN, 2.0, 3.0, 4.0], f64::NAN, false),
            (&[f32::INFINITY, 1.0], f64::INFINITY, false),
            (&[f32::NAN, f32::INFINITY], f64::NAN, false),
        ];
        for (row, lse, smooth_inf) in cases {
            for k in [CpuKernel::Simd, CpuKernel::Scalar] {
                let t = k.row_stats(row).finish(row);
                if smooth_inf {
                    assert!(t.lse.is_finite() && t.smooth == f64::INFINITY, "{k:?} {row:?} {t:?}");
                } else {
                    assert!(t.lse == lse || (lse.is_nan() && t.lse.is_nan()), "{k:?} {row:?} {t:?}");
                    assert!(t.smooth.is_nan(), "{k:?} {row:?} {t:?}");
                }
            }
        }
        // -inf first, finite later: the block that raises the max from -inf must not poison sums.
        let mut row = vec![f32::NEG_INFINITY; 600];
        row.extend([0.5, 1.5]);
        for k in [CpuKernel::Simd, CpuKernel::Scalar] {
            let t = k.row_stats(&row).finish(&row);
            assert!((t.lse - (1.5f64.exp() + 0.5f64.exp()).ln()).abs() < 1e-6, "{k:?} {t:?}");
            assert_eq!(t.smooth, f64::INFINITY);
        }
    }

    #[test]
    fn softmax_affine_kernels_agree() {
        let row = hash_logits(1027, 9, 12.0);
        let stats = CpuKernel::Scalar.row_stats(&row);
        let log_sum = stats.sum_exp.ln() as f32;
        let (mut a, mut b) = (vec![0.0; row.len()], vec![0.0; row.len()]);
        CpuKernel::Simd.softmax_affine(&row, stats.max, log_sum, 0.5, 0.01, &mut a);
        CpuKernel::Scalar.softmax_affine(&row, stats.max, log_sum, 0.5, 0.01, &mut b);
        for (x, y) in a.iter().zip(&b) {
            assert!((x - y).abs() < 1e-7, "{x} vs {y}");
        }
    }
}
