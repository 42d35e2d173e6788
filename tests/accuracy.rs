//! The accumulation rule behind the accuracy bar, shown on inputs where it matters: within a
//! row, f32 sums over blocks of 256 (in lane partial sums) flushed to f64; across rows, f64;
//! the smoothing sum accumulated directly as Σ(max − x), every term non-negative. Each test
//! first shows that the naive f32 computation misses the bar on its input, then that both CPU
//! kernels meet it there.

use losslab::cpu::CpuKernel;
use losslab::hash::hash_logits;
use losslab::loss::{cross_entropy, CrossEntropy};
use ndarray::{ArrayView2, ArrayView3};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// The accuracy bar: loss relative error against float64 on the same f32 inputs.
const LOSS_REL: f64 = 1e-6;
const V: usize = 1 << 20;

fn rel(got: f64, want: f64) -> f64 {
    ((got - want) / want).abs()
}

/// Logits in [19992, 20008): a million classes, every gap to the max below 16, and values large
/// enough that any form which sums the logits themselves (V·max − Σx) cancels away digits.
fn big_row(seed: u32) -> Vec<f32> {
    hash_logits(V, seed, 16.0).into_iter().map(|x| x + 20_000.0).collect()
}

/// lse and the smoothing sum Σ_c (lse − x_c) of a row, in f64 throughout.
fn f64_totals(row: &[f32]) -> (f64, f64) {
    let m = row.iter().fold(f64::NEG_INFINITY, |a, &x| a.max(x as f64));
    let sum_exp: f64 = row.iter().map(|&x| (x as f64 - m).exp()).sum();
    let gaps: f64 = row.iter().map(|&x| m - x as f64).sum();
    let log_s = sum_exp.ln();
    (m + log_s, row.len() as f64 * log_s + gaps)
}

/// The same totals with each sum taken over the whole row in one f32 accumulator.
fn naive_f32_totals(row: &[f32]) -> (f64, f64) {
    let m = row.iter().fold(f32::NEG_INFINITY, |a, &x| a.max(x));
    let sum_exp: f32 = row.iter().map(|&x| (x - m).exp()).sum();
    let gaps: f32 = row.iter().map(|&x| m - x).sum();
    let log_s = (sum_exp as f64).ln();
    (m as f64 + log_s, row.len() as f64 * log_s + gaps as f64)
}

#[test]
fn a_million_class_row_needs_block_sums_flushed_to_f64() {
    let row = big_row(11);
    let (lse, smooth) = f64_totals(&row);

    // The naive f32 sums: Σ(max − x) reaches 8e6, where an f32 ulp is 0.5–1.
    let (naive_lse, naive_smooth) = naive_f32_totals(&row);
    let naive_err = rel(naive_smooth, smooth);
    assert!(naive_err > 5.0 * LOSS_REL, "the naive f32 smoothing sum should miss the bar: {naive_err:.2e}");
    // Σx in f32, then V·lse − Σx: the two terms are ~2e10 and cancel to ~2e7.
    let sum_x: f32 = row.iter().sum();
    let cancelled = V as f64 * naive_lse - sum_x as f64;
    let cancel_err = rel(cancelled, smooth);
    assert!(cancel_err > 100.0 * LOSS_REL, "V·lse − Σx in f32 should cancel badly: {cancel_err:.2e}");
    println!("naive f32 Σ(max − x): rel err {naive_err:.2e}; f32 V·lse − Σx: {cancel_err:.2e}");

    for kernel in [CpuKernel::Simd, CpuKernel::Scalar] {
        let t = kernel.row_stats(&row).finish(&row);
        assert!(rel(t.lse, lse) <= 1e-7, "{kernel:?}: lse {} vs {lse}", t.lse);
        let err = rel(t.smooth, smooth);
        println!("{kernel:?}: smoothing sum rel err {err:.2e}, lse {:.2e}", rel(t.lse, lse));
        assert!(err <= 0.1 * LOSS_REL, "{kernel:?}: smoothing sum {} vs {smooth} (rel {err:.2e})", t.smooth);
    }
}

#[test]
fn the_loss_over_million_class_rows_meets_the_bar() {
    // Two sequences of two positions, V = 2^20; ε = 1 so the loss is the smoothing term alone.
    let (b, t) = (2, 2);
    let rows: Vec<Vec<f32>> = (0..b * t).map(|r| big_row(20 + r as u32)).collect();
    let labels = [3i32, 70_000, 1_000_000, 12];
    let opts = CrossEntropy { epsilon: 1.0, ..CrossEntropy::default() };
    let want: f64 = rows.iter().map(|r| f64_totals(r).1 / V as f64).sum::<f64>() / rows.len() as f64;

    let naive: f64 = rows.iter().map(|r| naive_f32_totals(r).1 / V as f64).sum::<f64>() / rows.len() as f64;
    assert!(rel(naive, want) > 5.0 * LOSS_REL, "naive f32 rows: {:.2e}", rel(naive, want));

    let logits: Vec<f32> = rows.concat();
    let l = ArrayView3::from_shape((b, t, V), &logits).unwrap();
    let y = ArrayView2::from_shape((b, t), &labels[..]).unwrap();
    for kernel in [CpuKernel::Simd, CpuKernel::Scalar] {
        let got = cross_entropy(l, y, &opts, kernel).unwrap().summary.loss.unwrap();
        println!("{kernel:?}: loss rel err {:.2e} (naive f32 {:.2e})", rel(got, want), rel(naive, want));
        assert!(rel(got, want) <= LOSS_REL, "{kernel:?}: loss {got} vs {want} (rel {:.2e})", rel(got, want));
    }
}

#[test]
fn many_rows_are_reduced_in_f64() {
    // 2^20 positions of V = 4: per-row losses near 1.4 summed to ~1.5e6, where an f32 ulp is
    // 1/8. A running f32 total of the rows misses the bar; losslab's f64 reduction does not.
    let (n, v) = (1usize << 20, 4usize);
    let logits = hash_logits(n * v, 5, 4.0);
    let labels: Vec<i32> = (0..n).map(|i| (i % v) as i32).collect();
    let per_row: Vec<f64> =
        logits.chunks(v).zip(&labels).map(|(row, &y)| f64_totals(row).0 - row[y as usize] as f64).collect();
    let want = per_row.iter().sum::<f64>() / n as f64;
    let naive = per_row.iter().fold(0.0f32, |acc, &x| acc + x as f32) as f64 / n as f64;
    assert!(rel(naive, want) > 5.0 * LOSS_REL, "a running f32 total: {:.2e}", rel(naive, want));

    let opts = CrossEntropy { epsilon: 0.0, ..CrossEntropy::default() };
    let l = ArrayView3::from_shape((1, n, v), &logits).unwrap();
    let y = ArrayView2::from_shape((1, n), &labels).unwrap();
    for kernel in [CpuKernel::Simd, CpuKernel::Scalar] {
        let got = cross_entropy(l, y, &opts, kernel).unwrap().summary.loss.unwrap();
        println!(
            "{kernel:?}: loss over rows rel err {:.2e} (running f32 {:.2e})",
            rel(got, want),
            rel(naive, want)
        );
        assert!(rel(got, want) <= LOSS_REL, "{kernel:?}: loss {got} vs {want} (rel {:.2e})", rel(got, want));
    }
}
