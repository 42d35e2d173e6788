//! GPU row statistics → the result. The statistics kernel returns, per logits row,
//! `[max, Σexp, Σgap, weighted Σgap]` in f32 and a count of non-finite logits; everything after
//! that (f64 totals, NaN/±inf semantics, the reduction, notes) is the CPU path's own code.

use crate::cpu::{CpuKernel, RowStats};
use crate::loss::cross_entropy::{cpu_row, softcap};
use crate::loss::{CrossEntropyOutput, Plan, RowResult};

/// What the statistics kernel hands back for every logits row of a call.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GpuRowStats {
    /// `[max, Σexp(x − max), Σ(max − x), Σ w·(max − x)]` of the (soft-capped) row.
    pub stats: Vec<[f32; 4]>,
    /// How many NaN or ±inf logits the row held; such rows are recomputed on the CPU.
    pub nonfinite: Vec<u32>,
    /// The kernels' time on the device in nanoseconds, where the adapter offers timestamp
    /// queries (informational: browsers coarsen these timestamps).
    pub kernel_ns: Option<f64>,
}

/// Logits a backend can read again, row by row: a JS array, wasm memory, a native slice.
pub trait LogitRows {
    /// Copies logits `range` out.
    fn copy_range(&self, range: std::ops::Range<usize>) -> Vec<f32>;
    /// One logit.
    fn value(&self, index: usize) -> f32;
}

impl LogitRows for [f32] {
    fn copy_range(&self, range: std::ops::Range<usize>) -> Vec<f32> {
        self[range].to_vec()
    }
    fn value(&self, index: usize) -> f32 {
        self[index]
    }
}

/// Turns the kernel's statistics into the result. Rows that held NaN or ±inf are recomputed by
/// [`cpu_row`] (PyTorch's answers for those are exact there, and such rows are rare); their
/// gradient rows go to `write_grad(row, values)` when the plan wants a gradient (the GPU wrote
/// every other row already).
pub fn finish_gpu_rows(
    plan: &Plan,
    gpu: &GpuRowStats,
    logits: &(impl LogitRows + ?Sized),
    mut write_grad: impl FnMut(usize, &[f32]),
) -> CrossEntropyOutput {
    let v = plan.vocab();
    let opts = &plan.opts;
    debug_assert!(
        !opts.stats.any() && opts.temperature_divisor().is_none(),
        "engine::route keeps temperature and stats off the GPU"
    );
    let mut capped = Vec::new();
    let mut grad_row = Vec::new();
    let mut rows = Vec::with_capacity(plan.targets.len());
    for (p, target) in plan.targets.iter().enumerate() {
        let Some(class) = *target else {
            rows.push(None);
            continue;
        };
        let r = plan.logits_row(p);
        let result = if gpu.nonfinite[r] == 0 {
            let mut row = gpu_row(plan, gpu.stats[r], logits.value(r * v + class as usize));
            row.correct = gpu_label_is_argmax(plan, gpu.stats[r][0], &row, r, class, logits);
            row
        } else {
            let raw = logits.copy_range(r * v..(r + 1) * v);
            let want_grad = opts.grad;
            grad_row.resize(if want_grad { v } else { 0 }, 0.0);
            let grad = want_grad.then_some(&mut grad_row[..]);
            let result = cpu_row(plan, class, &raw, &mut capped, CpuKernel::Simd, grad);
            if want_grad {
                write_grad(r, &grad_row);
            }
            result
        };
        rows.push(Some(result));
    }
    plan.output(&rows, "webgpu")
}

/// A row without NaN or ±inf, from its statistics and its label's raw logit: `lse = max + ln Σexp`,
/// the smoothing sums from the gaps, the label's logit soft-capped exactly as [`cpu_row`] caps it.
pub fn gpu_row(plan: &Plan, [max, sum_exp, sum_gap, weighted_gap]: [f32; 4], raw_label: f32) -> RowResult {
    let label_logit = plan.opts.softcap.map_or(raw_label, |cap| softcap(raw_label, cap));
    let stats = RowStats { max, sum_exp: sum_exp as f64, sum_gap: sum_gap as f64 };
    let totals = stats.finish_with(plan.vocab(), || false);
    let weighted_smooth = match plan.opts.class_weights {
        Some(_) => weighted_gap as f64 + plan.total_weight * (totals.lse - max as f64),
        None => totals.smooth,
    };
    RowResult {
        lse: totals.lse,
        smooth: totals.smooth,
        weighted_smooth,
        label_logit: label_logit as f64,
        correct: false, // needs the row: see `gpu_label_is_argmax`
        entropy: f64::NAN,
        rank: 0,
        predicted: 0,
    }
}

/// Whether a finite GPU row's argmax (lowest index on ties) is its label, reading the row again
/// only where the label can be the argmax. Without soft-capping the GPU's max is exact (a max
/// rounds nothing), so the label must equal it and only the classes before it are read, for a
/// tie. With soft-capping the GPU's tanh and the host's may differ in the last bits, so a label
/// within a few ulps of the GPU's max is settled on the host's capped row, exactly as the CPU
/// path decides it.
pub fn gpu_label_is_argmax(
    plan: &Plan,
    gpu_max: f32,
    row: &RowResult,
    r: usize,
    class: u32,
    logits: &(impl LogitRows + ?Sized),
) -> bool {
    let v = plan.vocab();
    let label = row.label_logit as f32;
    let start = r * v;
    match plan.opts.softcap {
        None => label == gpu_max && !logits.copy_range(start..start + class as usize).contains(&gpu_max),
        Some(_) => {
            let slack = 8.0 * f32::EPSILON * gpu_max.abs().max(1.0);
            if label < gpu_max - slack {
                return false;
            }
            let raw = logits.copy_range(start..start + v);
            let mut capped = Vec::new();
            let capped_row = crate::loss::cross_entropy::transform_row(&plan.opts, &raw, &mut capped);
            crate::loss::analytics::argmax(capped_row) == class
        }
    }
}
