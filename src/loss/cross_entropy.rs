//! Label-smoothed cross-entropy: the plan (labels → targets, denominator), the reduction over
//! rows in f64, the gradient coefficients, and the CPU driver that ties them to a kernel.
//!
//! Backends differ only in how they get each row's logsumexp and smoothing sum; the plan and
//! the reduction are shared, so every backend answers the same questions the same way.

use ndarray::{ArrayView2, ArrayView3};

use super::analytics::{argmax_from_max, divide_row, entropy, label_is_argmax, rank};
use super::notes::Note;
use super::options::{CrossEntropy, Reduction, Semantics};
use crate::cpu::{CpuKernel, RowStats};
use crate::error::{try_zeroed, Error, Result};

/// What the labels and options decide before any logit is read.
#[derive(Clone, Debug)]
pub struct Plan {
    pub opts: CrossEntropy,
    /// `[B, T, V]` of the logits as given.
    pub shape: [usize; 3],
    /// Positions per sequence after shifting: T, or T − 1 with `shift_labels`.
    pub steps: usize,
    /// The class each position is scored against, `None` where the label is ignored.
    pub targets: Vec<Option<u32>>,
    pub num_active: usize,
    /// Σ w[y] over active positions (the count when unweighted).
    pub active_weight: f64,
    /// Σ_c w_c over the whole vocabulary (V when unweighted): computed once, used by every row.
    pub total_weight: f64,
    /// What the sums are divided by: the mean's denominator, or 1 for "sum" and "none".
    pub denominator: f64,
    /// The first negative label that hf semantics silently turned into class 0.
    pub clamped: Option<(usize, i32)>,
}

impl Plan {
    pub fn new(shape: [usize; 3], labels: &[i32], opts: &CrossEntropy) -> Result<Self> {
        let [batch, seq, vocab] = shape;
        opts.validate(vocab)?;
        crate::shape::check_len("labels", labels.len(), &[batch, seq])?;
        let shift = opts.shift_labels as usize;
        let steps = seq.saturating_sub(shift);
        let mut targets = Vec::with_capacity(batch * steps);
        let mut clamped = None;
        for b in 0..batch {
            for t in 0..steps {
                let at = b * seq + t + shift;
                let label = labels[at];
                let target = if i64::from(label) == opts.ignore_index {
                    None
                } else if label < 0 && opts.semantics == Semantics::Hf {
                    // LabelSmoother clamps before gathering: -1 scores class 0 and counts.
                    clamped.get_or_insert((at, label));
                    Some(0)
                } else if label < 0 || label as usize >= vocab {
                    return Err(Error::LabelOutOfRange {
                        label: label.into(),
                        position: at,
                        vocab,
                        ignore_index: opts.ignore_index,
                    });
                } else {
                    Some(label as u32)
                };
                targets.push(target);
            }
        }
        let active = || targets.iter().flatten();
        let num_active = active().count();
        let active_weight = match &opts.class_weights {
            Some(w) => active().map(|&y| w[y as usize] as f64).sum(),
            None => num_active as f64,
        };
        let total_weight =
            opts.class_weights.as_ref().map_or(vocab as f64, |w| w.iter().map(|&x| x as f64).sum());
        let denominator = match (opts.num_items_in_batch, opts.reduction) {
            (_, Reduction::Sum | Reduction::None) => 1.0,
            (Some(d), Reduction::Mean) => d,
            (None, Reduction::Mean) => active_weight,
        };
        Ok(Self {
            opts: opts.clone(),
            shape,
            steps,
            targets,
            num_active,
            active_weight,
            total_weight,
            denominator,
            clamped,
        })
    }

    pub fn vocab(&self) -> usize {
        self.shape[2]
    }

    /// Index of the logits row that position `p` (after shifting) is predicted from.
    pub fn logits_row(&self, p: usize) -> usize {
        let (b, t) = (p / self.steps, p % self.steps);
        b * self.shape[1] + t
    }

    fn weight(&self, class: u32) -> f64 {
        self.opts.class_weights.as_ref().map_or(1.0, |w| w[class as usize] as f64)
    }

    /// Gradient coefficients of one active row:
    /// `g_c = scale·softmax_c − offset·w_c − [c = y]·label`, all divided by the denominator.
    pub fn grad_coefficients(&self, class: u32, lse: f64) -> GradCoefficients {
        let o = &self.opts;
        let v = self.vocab() as f64;
        let (eps, w_y) = (o.epsilon, self.weight(class));
        let smooth = if o.uses_smoothing_term() { eps / v } else { 0.0 };
        let z = if o.z_loss_scale != 0.0 { 2.0 * o.z_loss_scale * lse } else { 0.0 };
        let a = 1.0 / self.denominator;
        GradCoefficients {
            scale: a * ((1.0 - eps) * w_y + smooth * self.total_weight + z),
            offset: a * smooth,
            label: a * (1.0 - eps) * w_y,
        }
    }

    /// The call's output from its rows (`None` where ignored): the reduction, the notes, the
    /// counts. Every backend ends here.
    pub fn output(&self, rows: &[Option<RowResult>], backend: &'static str) -> CrossEntropyOutput {
        CrossEntropyOutput {
            summary: self.reduce(rows),
            analytics: self.analytics(rows),
            num_active: self.num_active,
            denominator: self.denominator,
            grad: None,
            backend,
            notes: super::notes::explain(self, rows),
        }
    }

    /// Combines per-position row results into the reported loss terms, in f64.
    pub fn reduce(&self, rows: &[Option<RowResult>]) -> Summary {
        let o = &self.opts;
        let v = self.vocab() as f64;
        let n = self.targets.len();
        let mut s = Summary {
            loss: None,
            nll: 0.0,
            smooth: 0.0,
            z_loss: 0.0,
            per_token_loss: vec![0.0; n],
            per_token_nll: vec![0.0; n],
            per_token_smooth: vec![0.0; n],
        };
        let (mut nll, mut smooth, mut z) = (0.0f64, 0.0f64, 0.0f64);
        for (p, (target, row)) in self.targets.iter().zip(rows).enumerate() {
            let (Some(class), Some(r)) = (target, row) else {
                continue;
            };
            let w = self.weight(*class);
            let token_nll = r.lse - r.label_logit;
            let token_z = if o.z_loss_scale != 0.0 { o.z_loss_scale * r.lse * r.lse } else { 0.0 };
            let mut token_loss = (1.0 - o.epsilon) * w * token_nll + token_z;
            if o.uses_smoothing_term() {
                token_loss += o.epsilon * r.weighted_smooth / v;
            }
            nll += w * token_nll;
            smooth += r.weighted_smooth;
            z += token_z;
            s.per_token_loss[p] = token_loss as f32;
            s.per_token_nll[p] = token_nll as f32;
            s.per_token_smooth[p] = r.smooth as f32;
        }
        s.nll = nll / self.denominator;
        s.smooth = smooth / (v * self.denominator);
        s.z_loss = z / self.denominator;
        if o.reduction != Reduction::None {
            let smoothing = if o.uses_smoothing_term() { o.epsilon * s.smooth } else { 0.0 };
            s.loss = Some((1.0 - o.epsilon) * s.nll + smoothing + s.z_loss);
        }
        s
    }

    /// Accuracy, perplexity and the per-token statistics the options asked for.
    pub fn analytics(&self, rows: &[Option<RowResult>]) -> Analytics {
        let n = self.targets.len();
        let want = self.opts.stats;
        let column = |on: bool, fill| if on { Some(vec![fill; n]) } else { None };
        let mut a = Analytics {
            accuracy: f64::NAN,
            perplexity: f64::NAN,
            per_token_entropy: column(want.entropy, f32::NAN),
            per_token_lse: column(want.lse, f32::NAN),
            per_token_rank: if want.rank { Some(vec![0; n]) } else { None },
            predicted: if want.predicted { Some(vec![0; n]) } else { None },
        };
        let (mut correct, mut nll) = (0usize, 0.0f64);
        for (p, (target, row)) in self.targets.iter().zip(rows).enumerate() {
            let (Some(_), Some(r)) = (target, row) else {
                continue;
            };
            correct += r.correct as usize;
            nll += r.lse - r.label_logit;
            if let Some(e) = &mut a.per_token_entropy {
                e[p] = r.entropy as f32;
            }
            if let Some(l) = &mut a.per_token_lse {
                l[p] = r.lse as f32;
            }
            if let Some(k) = &mut a.per_token_rank {
                k[p] = r.rank as i32;
            }
            if let Some(k) = &mut a.predicted {
                k[p] = r.predicted as i32;
            }
        }
        if self.num_active > 0 {
            let active = self.num_active as f64;
            a.accuracy = correct as f64 / active;
            a.perplexity = (nll / active).exp();
        }
        a
    }
}

/// One active row's totals, from whichever backend computed them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowResult {
    pub lse: f64,
    /// `Σ_c (lse − x_c)`.
    pub smooth: f64,
    /// `Σ_c w_c (lse − x_c)`; equals `smooth` without class weights.
    pub weighted_smooth: f64,
    /// The (divided, soft-capped) logit of the target class.
    pub label_logit: f64,
    /// Whether the row's argmax (lowest index on ties) is the target class.
    pub correct: bool,
    /// The statistics of [`CrossEntropy::stats`](super::options::Stats); NaN / 0 when not
    /// asked for.
    pub entropy: f64,
    pub rank: u32,
    pub predicted: u32,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub struct GradCoefficients {
    pub scale: f64,
    pub offset: f64,
    pub label: f64,
}

/// The reduced loss terms; see [`CrossEntropyOutput`].
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    pub loss: Option<f64>,
    pub nll: f64,
    pub smooth: f64,
    pub z_loss: f64,
    pub per_token_loss: Vec<f32>,
    pub per_token_nll: Vec<f32>,
    pub per_token_smooth: Vec<f32>,
}

/// What a call reports about its predictions rather than its loss.
#[derive(Clone, Debug, PartialEq)]
pub struct Analytics {
    /// The share of active tokens whose argmax is the label; NaN with none active.
    pub accuracy: f64,
    /// `exp(Σ nll / numActive)` over active tokens, unweighted and without ε, z-loss or
    /// numItemsInBatch: the model's perplexity, whatever the training objective; NaN with none
    /// active.
    pub perplexity: f64,
    /// One per position (after shifting) when asked for; ignored positions hold NaN (entropy,
    /// lse) or 0 (rank, predicted).
    pub per_token_entropy: Option<Vec<f32>>,
    pub per_token_lse: Option<Vec<f32>>,
    pub per_token_rank: Option<Vec<i32>>,
    pub predicted: Option<Vec<i32>>,
}

/// Everything a cross-entropy call reports. `loss = (1−ε)·nll + ε·smooth + z_loss`
/// (without the ε term for torch semantics at ε = 0); `loss` is `None` for reduction "none".
#[derive(Clone, Debug, PartialEq)]
pub struct CrossEntropyOutput {
    pub summary: Summary,
    pub analytics: Analytics,
    pub num_active: usize,
    /// What the sums were divided by (active count, Σ w[y], numItemsInBatch, or 1).
    pub denominator: f64,
    pub grad: Option<Vec<f32>>,
    pub backend: &'static str,
    /// Why a result is NaN or infinite, and other surprises worth saying out loud.
    pub notes: Vec<Note>,
}

/// `c · tanh(x / c)`, rounded to f32 once: the one definition every backend's host side uses
/// (the capped row, the label's logit), so a row scores the same wherever it ran.
pub fn softcap(x: f32, cap: f64) -> f32 {
    (cap * (x as f64 / cap).tanh()) as f32
}

/// The row the loss sees: `raw` divided by the temperature, then soft-capped, written to `out`;
/// `raw` itself when the options change nothing.
pub fn transform_row<'a>(opts: &CrossEntropy, raw: &'a [f32], out: &'a mut Vec<f32>) -> &'a [f32] {
    if !opts.transforms_rows() {
        return raw;
    }
    out.resize(raw.len(), 0.0);
    match (opts.temperature_divisor(), opts.softcap) {
        (Some(t), cap) => {
            divide_row(raw, t, out);
            if let Some(cap) = cap {
                for x in out.iter_mut() {
                    *x = softcap(*x, cap);
                }
            }
        }
        (None, Some(cap)) => softcap_row(raw, cap, out),
        (None, None) => unreachable!("transforms_rows() was checked"),
    }
    &out[..]
}

/// Applies [`softcap`] to a row.
pub fn softcap_row(raw: &[f32], cap: f64, out: &mut [f32]) {
    for (o, &x) in out.iter_mut().zip(raw) {
        *o = softcap(x, cap);
    }
}

/// `Σ_c w_c (lse − x_c)` as `Σ_c w_c (max − x_c) + W (lse − max)`: no cancellation. `total` is
/// `W = Σ_c w_c` ([`Plan::total_weight`]).
pub fn weighted_smooth(row: &[f32], weights: &[f32], total: f64, max: f32, lse: f64) -> f64 {
    let m = max as f64;
    let gaps: f64 = row.iter().zip(weights).map(|(&x, &w)| w as f64 * (m - x as f64)).sum();
    gaps + total * (lse - m)
}

/// One active row on the CPU, from its raw logits: soft-cap, statistics, totals and (when
/// `grad` is given) its gradient. The CPU driver runs every row through here, and a GPU run
/// recomputes here the rows it cannot finish, so per-row semantics exist once.
pub fn cpu_row(
    plan: &Plan,
    class: u32,
    raw: &[f32],
    capped: &mut Vec<f32>,
    kernel: CpuKernel,
    grad: Option<&mut [f32]>,
) -> RowResult {
    let row = transform_row(&plan.opts, raw, capped);
    let stats = kernel.row_stats(row);
    let totals = stats.finish(row);
    let want = plan.opts.stats;
    // The kernels' max skips NaN; a NaN row is known by its Σgap (see RowStats::finish).
    let has_nan = stats.sum_gap.is_nan() || (!stats.max.is_finite() && row.iter().any(|x| x.is_nan()));
    let weighted = match &plan.opts.class_weights {
        Some(w) => weighted_smooth(row, w, plan.total_weight, stats.max, totals.lse),
        None => totals.smooth,
    };
    if let Some(g) = grad {
        finish_grad_row(plan, class, stats, totals.lse, row, g, kernel);
    }
    RowResult {
        lse: totals.lse,
        smooth: totals.smooth,
        weighted_smooth: weighted,
        label_logit: row[class as usize] as f64,
        correct: label_is_argmax(row, class, stats.max, has_nan),
        entropy: match want.entropy {
            true => entropy(row, if has_nan { f32::NAN } else { stats.max }, totals.lse, kernel),
            false => f64::NAN,
        },
        rank: if want.rank { rank(row, class) } else { 0 },
        predicted: if want.predicted { argmax_from_max(row, stats.max, has_nan) } else { 0 },
    }
}

/// Finishes a gradient row whose softmax part `kernel.softmax_affine` wrote: per-class weight
/// offsets, the label term, and the soft-cap chain rule. Rows with a non-finite lse are NaN.
pub fn finish_grad_row(
    plan: &Plan,
    class: u32,
    stats: RowStats,
    lse: f64,
    capped_row: &[f32],
    out: &mut [f32],
    kernel: CpuKernel,
) {
    if !lse.is_finite() {
        out.fill(f32::NAN);
        return;
    }
    let c = plan.grad_coefficients(class, lse);
    let log_sum = (lse - stats.max as f64) as f32;
    match &plan.opts.class_weights {
        None => kernel.softmax_affine(capped_row, stats.max, log_sum, c.scale as f32, c.offset as f32, out),
        Some(w) => {
            kernel.softmax_affine(capped_row, stats.max, log_sum, c.scale as f32, 0.0, out);
            for (g, &wc) in out.iter_mut().zip(w) {
                *g -= (c.offset * wc as f64) as f32;
            }
        }
    }
    out[class as usize] -= c.label as f32;
    if let Some(cap) = plan.opts.softcap {
        // d/dx [c·tanh(x/c)] = 1 − tanh²(x/c) = 1 − (capped/c)².
        for (g, &xc) in out.iter_mut().zip(capped_row) {
            let t = xc as f64 / cap;
            *g = (*g as f64 * (1.0 - t * t)) as f32;
        }
    }
    if let Some(t) = plan.opts.temperature_divisor() {
        // d(x/T)/dx = 1/T, applied as autograd's DivBackward does: an f32 division.
        for g in out.iter_mut() {
            *g /= t;
        }
    }
}

/// Cross-entropy on the CPU: one pass per active row for the forward, a second read of the
/// same (cache-hot) row for its gradient. Never allocates a `[rows, V]` buffer except the
/// gradient itself (when `opts.grad`).
pub fn cross_entropy(
    logits: ArrayView3<f32>,
    labels: ArrayView2<i32>,
    opts: &CrossEntropy,
    kernel: CpuKernel,
) -> Result<CrossEntropyOutput> {
    let mut grad = if opts.grad { Some(try_zeroed::<f32>(logits.len(), "the gradient")?) } else { None };
    let mut out = cross_entropy_into(logits, labels, opts, kernel, grad.as_deref_mut())?;
    out.grad = grad;
    Ok(out)
}

/// As [`cross_entropy`], writing the gradient (when `opts.grad`) into a caller's buffer shaped
/// like the logits, every element of it: reused buffers need no clearing.
pub fn cross_entropy_into(
    logits: ArrayView3<f32>,
    labels: ArrayView2<i32>,
    opts: &CrossEntropy,
    kernel: CpuKernel,
    mut grad: Option<&mut [f32]>,
) -> Result<CrossEntropyOutput> {
    let shape = [logits.shape()[0], logits.shape()[1], logits.shape()[2]];
    if labels.shape() != &shape[..2] && labels.len() == shape[0] * shape[1] {
        return Err(Error::Parse(format!(
            "labels have shape {:?} but logits of shape {shape:?} need labels of shape {:?}",
            labels.shape(),
            &shape[..2]
        )));
    }
    if labels.shape() != &shape[..2] {
        return Err(Error::Length {
            name: "labels",
            got: labels.len(),
            dims: shape[..2].to_vec(),
            expected: shape[0] * shape[1],
        });
    }
    let labels = labels.as_standard_layout();
    let logits = logits.as_standard_layout();
    let (Some(labels), Some(flat)) = (labels.as_slice(), logits.as_slice()) else {
        unreachable!("standard layout is contiguous");
    };
    let plan = Plan::new(shape, labels, opts)?;
    let v = shape[2];
    if !opts.grad {
        grad = None;
    } else if let Some(g) = grad.as_deref_mut() {
        crate::shape::check_len("the gradient buffer", g.len(), &shape)?;
        // Rows no position is scored on: ignored ones are zeroed below, shifted-away ones here.
        if opts.shift_labels {
            for b in 0..shape[0] {
                let r = b * shape[1] + shape[1] - 1;
                g[r * v..(r + 1) * v].fill(0.0);
            }
        }
    } else {
        return Err(Error::Unsupported("grad: true needs somewhere to write the gradient"));
    }
    let mut capped = Vec::new();
    if opts.transforms_rows() {
        capped = try_zeroed::<f32>(v, "a divided or soft-capped row")?;
    }
    let mut rows = Vec::with_capacity(plan.targets.len());
    for (p, target) in plan.targets.iter().enumerate() {
        let r = plan.logits_row(p);
        let grad_row = grad.as_deref_mut().map(|g| &mut g[r * v..(r + 1) * v]);
        let Some(class) = *target else {
            if let Some(g) = grad_row {
                g.fill(0.0);
            }
            rows.push(None);
            continue;
        };
        rows.push(Some(cpu_row(&plan, class, &flat[r * v..(r + 1) * v], &mut capped, kernel, grad_row)));
    }
    Ok(plan.output(&rows, kernel.name()))
}
