//! `linearCrossEntropy` on a GPU, the backend-neutral half: which rows the device computes (only
//! the scored ones, so the work is the CPU path's), and how its per-row statistics, label/argmax
//! picks and gradients become the CPU path's [`LinearOutput`]. Per-row semantics are
//! [`gpu_row`]'s, the reduction `Plan::output`'s: nothing here decides a loss.

use super::finish::{gpu_row, GpuRowStats};
use crate::error::{try_zeroed, Result};
use crate::loss::{LinearOutput, Plan, RowResult};

/// A position the loss scores: its index, the hidden row its logits come from, its class.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ScoredRow {
    pub position: usize,
    pub row: usize,
    pub class: u32,
}

/// The plan's scored positions, in order.
pub fn scored_rows(plan: &Plan) -> Vec<ScoredRow> {
    plan.targets
        .iter()
        .enumerate()
        .filter_map(|(p, t)| t.map(|class| ScoredRow { position: p, row: plan.logits_row(p), class }))
        .collect()
}

/// The scored rows of `hidden` (`[rows, d]`), packed in `scored` order: what the device takes.
pub fn gather_scored(hidden: &[f32], d: usize, scored: &[ScoredRow]) -> Result<Vec<f32>> {
    let mut out = try_zeroed::<f32>(scored.len() * d, "the scored hidden rows")?;
    for (dst, s) in out.chunks_exact_mut(d.max(1)).zip(scored) {
        dst.copy_from_slice(&hidden[s.row * d..(s.row + 1) * d]);
    }
    Ok(out)
}

/// What a device computed for a linear call, per scored row in `scored` order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LinearGpuRows {
    /// The statistics kernel's rows and non-finite counts.
    pub rows: GpuRowStats,
    /// Each row's raw (not soft-capped) label logit and its argmax (lowest class on ties).
    pub picks: Vec<(f32, u32)>,
    /// `[scored, D]`, `[V, D]` and `[V]` (with a bias), with `grad: true` only.
    pub grad_hidden: Option<Vec<f32>>,
    pub grad_weight: Option<Vec<f32>>,
    pub grad_bias: Option<Vec<f32>>,
}

/// The device's rows → the result the CPU path reports, or `None` when a row's logits held NaN
/// or ±inf: the caller then runs the call on the CPU, whose answers for such rows are
/// PyTorch's (the device cannot hand back the row to recompute, it never kept it).
/// `hidden_rows` is the number of rows of `hidden`, the length of `gradHidden` in rows.
pub fn finish_linear_gpu(
    plan: &Plan,
    scored: &[ScoredRow],
    d: usize,
    hidden_rows: usize,
    gpu: LinearGpuRows,
) -> Result<Option<LinearOutput>> {
    if gpu.rows.nonfinite.iter().any(|&n| n > 0) {
        return Ok(None);
    }
    let mut rows: Vec<Option<RowResult>> = vec![None; plan.targets.len()];
    for (i, s) in scored.iter().enumerate() {
        let (label_raw, argmax) = gpu.picks[i];
        let mut row = gpu_row(plan, gpu.rows.stats[i], label_raw);
        row.correct = argmax == s.class;
        rows[s.position] = Some(row);
    }
    let grad_hidden = match gpu.grad_hidden {
        None => None,
        Some(packed) => {
            let mut full = try_zeroed::<f32>(hidden_rows * d, "gradHidden")?;
            for (src, s) in packed.chunks_exact(d.max(1)).zip(scored) {
                full[s.row * d..(s.row + 1) * d].copy_from_slice(src);
            }
            Some(full)
        }
    };
    Ok(Some(LinearOutput {
        loss: plan.output(&rows, "webgpu"),
        grad_hidden,
        grad_weight: gpu.grad_weight,
        grad_bias: gpu.grad_bias,
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cpu::CpuKernel;
    use crate::loss::{linear_cross_entropy, CrossEntropy, LinearInput, LinearShape};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// What the device reports for rows of materialised logits, as the kernels define it:
    /// stats.wgsl's `[max, Σexp, Σgap, Σw·gap]` of the soft-capped row (here in f64, rounded
    /// once), pick.wgsl's raw label logit and argmax, and no gradient.
    fn device_rows(plan: &Plan, logits: &[f32], scored: &[ScoredRow]) -> LinearGpuRows {
        let v = plan.vocab();
        let mut out = LinearGpuRows::default();
        for s in scored {
            let raw = &logits[s.row * v..(s.row + 1) * v];
            let cap = |x: f32| plan.opts.softcap.map_or(x, |c| crate::loss::cross_entropy::softcap(x, c));
            let z: Vec<f32> = raw.iter().map(|&x| cap(x)).collect();
            let m = z.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let w = |c: usize| plan.opts.class_weights.as_ref().map_or(1.0, |w| w[c] as f64);
            let sum_exp: f64 = z.iter().map(|&x| (x as f64 - m as f64).exp()).sum();
            let gap: f64 = z.iter().map(|&x| m as f64 - x as f64).sum();
            let wgap: f64 = z.iter().enumerate().map(|(c, &x)| w(c) * (m as f64 - x as f64)).sum();
            out.rows.stats.push([m, sum_exp as f32, gap as f32, wgap as f32]);
            out.rows.nonfinite.push(z.iter().filter(|x| !x.is_finite()).count() as u32);
            let argmax = z.iter().position(|&x| x == m).unwrap() as u32;
            out.picks.push((raw[s.class as usize], argmax));
        }
        out
    }

    #[test]
    fn device_rows_finish_as_the_cpu_path_and_non_finite_rows_go_back() {
        let (n, d, v) = (6usize, 4usize, 9usize);
        let hidden: Vec<f32> = crate::hash::hash_logits(n * d, 3, 2.0);
        let weight: Vec<f32> = crate::hash::hash_logits(v * d, 4, 1.0);
        let labels = [2, -100, 8, 0, 5, -100];
        let shape = LinearShape { batch: 1, seq: n, hidden: d, vocab: v };
        for opts in [
            CrossEntropy { epsilon: 0.1, ..Default::default() },
            CrossEntropy {
                semantics: crate::loss::Semantics::Torch,
                epsilon: 0.2,
                class_weights: Some((0..v).map(|c| 0.5 + c as f32 / 8.0).collect()),
                ..Default::default()
            },
            CrossEntropy { epsilon: 0.1, shift_labels: true, softcap: Some(2.0), ..Default::default() },
        ] {
            let input = LinearInput { hidden: &hidden, weight: &weight, bias: None, labels: &labels };
            let want = linear_cross_entropy(shape, input, &opts, CpuKernel::Scalar).unwrap();
            let plan = Plan::new(shape.logits(), &labels, &opts).unwrap();
            let mut logits = vec![0.0f32; n * v];
            for r in 0..n {
                for c in 0..v {
                    logits[r * v + c] = (0..d).map(|k| hidden[r * d + k] * weight[c * d + k]).sum();
                }
            }
            let scored = scored_rows(&plan);
            assert_eq!(scored.len(), want.loss.num_active);
            let got = finish_linear_gpu(&plan, &scored, d, n, device_rows(&plan, &logits, &scored))
                .unwrap()
                .expect("finite rows finish on the device's numbers");
            let (g, w) = (got.loss.summary.loss.unwrap(), want.loss.summary.loss.unwrap());
            assert!(((g - w) / w).abs() < 1e-6, "{opts:?}: {g} vs {w}");
            assert_eq!(got.loss.analytics.accuracy, want.loss.analytics.accuracy, "{opts:?}");
            assert_eq!(got.loss.backend, "webgpu");

            logits[scored[1].row * v + 3] = f32::NAN;
            let rows = device_rows(&plan, &logits, &scored);
            assert_eq!(finish_linear_gpu(&plan, &scored, d, n, rows).unwrap(), None, "NaN: back to the CPU");
        }
    }

    #[test]
    fn packed_gradient_rows_land_on_their_hidden_rows() {
        let plan = Plan::new([1, 4, 3], &[1, -100, 2, 0], &CrossEntropy::default()).unwrap();
        let scored = scored_rows(&plan);
        let rows: Vec<usize> = scored.iter().map(|s| s.row).collect();
        assert_eq!(rows, [0, 2, 3]);
        let hidden: Vec<f32> = (0..8).map(|x| x as f32).collect();
        assert_eq!(gather_scored(&hidden, 2, &scored).unwrap(), [0.0, 1.0, 4.0, 5.0, 6.0, 7.0]);
        let device = LinearGpuRows {
            rows: GpuRowStats {
                stats: vec![[0.0, 3.0, 0.0, 0.0]; 3],
                nonfinite: vec![0; 3],
                kernel_ns: None,
            },
            picks: vec![(0.0, 0); 3],
            grad_hidden: Some(vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]),
            ..Default::default()
        };
        let out = finish_linear_gpu(&plan, &scored, 2, 4, device).unwrap().unwrap();
        assert_eq!(out.grad_hidden.unwrap(), [1.0, 2.0, 0.0, 0.0, 3.0, 4.0, 5.0, 6.0]);
    }
}
