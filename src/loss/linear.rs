//! Cross-entropy of a linear layer's output, `hidden @ weightᵀ (+ bias)`, without ever holding
//! the `[N, V]` logits: rows in blocks, the vocabulary in chunks, an online logsumexp across the
//! chunks, and the gradient accumulated chunk by chunk from recomputed logits.
//!
//! Semantics are `cross_entropy`'s on the materialised logits: the same [`Plan`] (targets,
//! denominator, ignore / shift / hf clamping), the same [`RowResult`] per active row, the same
//! reduction and notes, and the same gradient coefficients. Only how a row's totals are found
//! differs: chunk statistics from the CPU kernel, merged in f64.

use super::analytics::{add_weighted_gaps, argmax};
use super::cross_entropy::{softcap, CrossEntropyOutput, Plan, RowResult};
use super::options::CrossEntropy;
use crate::cpu::{CpuKernel, RowStats};
use crate::error::{try_zeroed, Error, Result};
use crate::shape::{check_len, dims_to_usize, element_count};
use crate::train::gemm::{gemm, gemm_acc, Mat};

/// `[B, T, D, V]` of a linear cross-entropy call: positions `B·T`, hidden size `D`, vocabulary `V`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinearShape {
    pub batch: usize,
    pub seq: usize,
    pub hidden: usize,
    pub vocab: usize,
}

impl LinearShape {
    /// From JS-style dims `[B, T, D, V]` or `[N, D, V]` (one sequence: `[1, N, D, V]`). Refuses a
    /// zero anywhere, as `crossEntropy` does, and any tensor of more than 2^32 elements.
    pub fn from_dims(dims: &[f64]) -> Result<Self> {
        let d = dims_to_usize(dims)?;
        let (shape, names) = match d[..] {
            [b, t, h, v] => (
                [b, t, h, v],
                ["B (batch size)", "T (sequence length)", "D (hidden size)", "V (vocabulary size)"],
            ),
            [n, h, v] => ([1, n, h, v], ["", "N (positions)", "D (hidden size)", "V (vocabulary size)"]),
            _ => return Err(Error::DimsRank { expected: "[B, T, D, V] or [N, D, V]", got: dims.to_vec() }),
        };
        let [batch, seq, hidden, vocab] = shape;
        // Every tensor the call reads or returns must be addressable: hidden, weight, labels.
        for tensor in [&[batch, seq, hidden][..], &[vocab, hidden], &[batch, seq]] {
            element_count(tensor).map_err(|_| Error::DimsOverflow { dims: d.clone() })?;
        }
        if let Some(i) = shape.iter().position(|&n| n == 0) {
            return Err(Error::DimsZero { dims: d, what: names[i] });
        }
        Ok(Self { batch, seq, hidden, vocab })
    }

    /// The shape of the logits this call stands for, `[B, T, V]` (never allocated).
    pub fn logits(&self) -> [usize; 3] {
        [self.batch, self.seq, self.vocab]
    }
}

/// The tensors of a call, flat and row-major: `hidden [B·T, D]`, `weight [V, D]` (PyTorch's
/// `lm_head.weight`), `bias [V]`, `labels [B·T]`.
#[derive(Clone, Copy, Debug)]
pub struct LinearInput<'a> {
    pub hidden: &'a [f32],
    pub weight: &'a [f32],
    pub bias: Option<&'a [f32]>,
    pub labels: &'a [i32],
}

impl LinearInput<'_> {
    /// Checks every length against the shape, naming the tensor that is off.
    pub fn check(&self, s: &LinearShape) -> Result<()> {
        check_len("hidden", self.hidden.len(), &[s.batch, s.seq, s.hidden])?;
        check_len("weight", self.weight.len(), &[s.vocab, s.hidden])?;
        if let Some(b) = self.bias {
            check_len("bias", b.len(), &[s.vocab])?;
        }
        check_len("labels", self.labels.len(), &[s.batch, s.seq])
    }
}

/// The loss and its parts as `cross_entropy` reports them (`loss.grad` is always `None`: there
/// is no gradient over logits that never existed), and with `opts.grad` the gradients of the
/// layer's parameters and input.
#[derive(Clone, Debug, PartialEq)]
pub struct LinearOutput {
    pub loss: CrossEntropyOutput,
    /// `[B·T, D]`, zero on rows no position is scored from.
    pub grad_hidden: Option<Vec<f32>>,
    /// `[V, D]`.
    pub grad_weight: Option<Vec<f32>>,
    /// `[V]`, when a bias was given.
    pub grad_bias: Option<Vec<f32>>,
}

/// Rows per block and classes per vocabulary chunk. The scratch memory of a call is about
/// `rows · (3·chunk + 3·D)` f32, whatever N and V are.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blocks {
    pub rows: usize,
    pub chunk: usize,
}

impl Blocks {
    /// Chosen with `examples/linear_speed.rs 1024 256 32000 --grid` (native, release; rows ∈
    /// {16, 32, 64, 128} × chunk ∈ {256 … 4096}, best of two). On the shared 2-core machine it ran
    /// on (load average 7–9, so single timings moved by up to 2×), 64 rows was fastest in both
    /// passes at every chunk from 256 to 1024 (forward 0.93–1.17 s, with gradients 3.7–4.8 s);
    /// 16 rows re-reads the weight four times as often (it streams through once per row block)
    /// and was 1.5–2× slower, and 128 rows or 4096-class chunks outgrow the caches (a 64 × 1024
    /// tile is 256 KiB and exists three times with the gradient) and were up to 2× slower.
    /// Chunks of 512 and 1024 were within that noise of each other; 1024 halves the per-chunk
    /// merges. A multiple of the CPU kernel's 256-class block, so a chunk's f32 sums are flushed
    /// to f64 where a whole row's would be.
    pub const DEFAULT: Blocks = Blocks { rows: 64, chunk: 1024 };
}

/// The running totals of one row across vocabulary chunks: an online logsumexp whose sums are
/// kept relative to the running max and rescaled when it rises, plus what the non-finite cases
/// need to give `RowStats::finish`'s answers.
#[derive(Clone, Copy, Debug)]
struct RowAcc {
    /// The largest finite logit so far (`−inf` until one is seen).
    max: f32,
    /// `Σ exp(x − max)` over chunks with a finite max.
    sum_exp: f64,
    /// `Σ (max − x)` over every class, `+inf` once a `−inf` logit sits beside a finite one.
    sum_gap: f64,
    /// `Σ w_c (max − x_c)`, with class weights only.
    weighted_gap: f64,
    /// `Σ w_c` over the chunks counted in `weighted_gap` relative to `max`.
    weight_seen: f64,
    /// Classes counted in `sum_gap` relative to `max`.
    seen: usize,
    nan: bool,
    pos_inf: bool,
    label_logit: f32,
    /// The argmax so far (`torch.argmax`: lowest index on ties, the first NaN wins) and its value.
    best: (u32, f32),
}

impl RowAcc {
    fn new() -> Self {
        Self {
            max: f32::NEG_INFINITY,
            sum_exp: 0.0,
            sum_gap: 0.0,
            weighted_gap: 0.0,
            weight_seen: 0.0,
            seen: 0,
            nan: false,
            pos_inf: false,
            label_logit: f32::NAN,
            best: (0, f32::NEG_INFINITY),
        }
    }

    /// Folds a chunk starting at class `c0` into the running argmax. Chunks arrive in class
    /// order, so a later chunk wins only with a strictly larger value, or with the first NaN.
    fn add_argmax(&mut self, chunk: &[f32], c0: usize) {
        let j = argmax(chunk) as usize;
        let (x, best) = (chunk[j], self.best.1);
        if !best.is_nan() && (x.is_nan() || x > best || c0 == 0) {
            self.best = ((c0 + j) as u32, x);
        }
    }

    /// Merges one chunk of (bias-added, soft-capped) logits whose kernel statistics are `stats`;
    /// `weights` are the chunk's class weights.
    fn add_chunk(&mut self, chunk: &[f32], stats: RowStats, weights: Option<&[f32]>) {
        let m = stats.max;
        if !m.is_finite() {
            // The kernels skip NaNs when taking the max: a chunk of NaN and −inf has max −inf.
            if chunk.iter().any(|x| x.is_nan()) {
                self.nan = true;
            } else if m == f32::INFINITY {
                self.pos_inf = true;
            } else {
                // Only −inf: no exponential mass, an infinite gap to any finite max.
                self.sum_gap += f64::INFINITY;
                if let Some(w) = weights {
                    self.weighted_gap += w.iter().map(|&w| w as f64 * f64::INFINITY).sum::<f64>();
                }
            }
            return;
        }
        // With a finite max, a NaN always reaches Σgap (plain subtractions and adds).
        if stats.sum_gap.is_nan() {
            self.nan = true;
            return;
        }
        let chunk_weighted = weights.map(|w| {
            let mf = m as f64;
            let gaps: f64 = chunk.iter().zip(w).map(|(&x, &w)| w as f64 * (mf - x as f64)).sum();
            (gaps, w.iter().map(|&w| w as f64).sum::<f64>())
        });
        let (mut chunk_exp, mut chunk_gap) = (stats.sum_exp, stats.sum_gap);
        let mut chunk_weighted = chunk_weighted.unwrap_or((0.0, 0.0));
        if m > self.max {
            if self.seen > 0 {
                let delta = m as f64 - self.max as f64;
                self.sum_exp *= crate::cpu::exp(-delta);
                self.sum_gap += self.seen as f64 * delta;
                self.weighted_gap += self.weight_seen * delta;
            }
            self.max = m;
        } else {
            let delta = self.max as f64 - m as f64;
            chunk_exp *= crate::cpu::exp(-delta);
            chunk_gap += chunk.len() as f64 * delta;
            chunk_weighted.0 += chunk_weighted.1 * delta;
        }
        self.sum_exp += chunk_exp;
        self.sum_gap += chunk_gap;
        self.weighted_gap += chunk_weighted.0;
        self.weight_seen += chunk_weighted.1;
        self.seen += chunk.len();
    }

    /// The row's result, as `cpu_row` would report it on the whole materialised row.
    fn finish(&self, plan: &Plan, class: u32) -> RowResult {
        let label_logit = self.label_logit as f64;
        let weighted = plan.opts.class_weights.is_some();
        let (lse, smooth) = if self.nan {
            (f64::NAN, f64::NAN)
        } else if self.pos_inf {
            (f64::INFINITY, f64::NAN)
        } else if self.seen == 0 {
            (f64::NEG_INFINITY, f64::NAN)
        } else {
            let stats = RowStats { max: self.max, sum_exp: self.sum_exp, sum_gap: self.sum_gap };
            let t = stats.finish_with(plan.vocab(), || false);
            (t.lse, t.smooth)
        };
        let weighted_smooth = if !weighted {
            smooth
        } else if smooth.is_nan() {
            f64::NAN
        } else {
            // `Σ w_c (lse − x_c) = Σ w_c (max − x_c) + W (lse − max)`: no cancellation.
            self.weighted_gap + plan.total_weight * (lse - self.max as f64)
        };
        let predicted = self.best.0;
        RowResult {
            lse,
            smooth,
            weighted_smooth,
            label_logit,
            correct: predicted == class,
            entropy: f64::NAN,
            rank: 0,
            predicted: if plan.opts.stats.predicted { predicted } else { 0 },
        }
    }
}

/// Scratch buffers of one row block, allocated once per call.
struct Scratch {
    /// The block's hidden rows, `[rows, D]`.
    h: Vec<f32>,
    /// The same rows transposed, `[D, rows]`: the right operand of `W_chunk · Hᵀ`.
    ht: Vec<f32>,
    /// `W_chunk · Hᵀ`, `[chunk, rows]`.
    zt: Vec<f32>,
    /// The logits tile, `[rows, chunk]`: bias added, soft-capped.
    z: Vec<f32>,
    /// d loss / d logits of the tile, `[rows, chunk]`.
    dz: Vec<f32>,
    /// The block's gradient rows, `[rows, D]`.
    gh: Vec<f32>,
}

impl Scratch {
    fn new(blocks: Blocks, d: usize, grad: bool) -> Result<Self> {
        let (r, c) = (blocks.rows, blocks.chunk);
        let rd = r.checked_mul(d).ok_or(Error::OutOfMemory { what: "a row block", bytes: usize::MAX })?;
        let grad_len = |n: usize| if grad { n } else { 0 };
        Ok(Self {
            h: try_zeroed(rd, "a block of hidden rows")?,
            ht: try_zeroed(rd, "a block of hidden rows")?,
            zt: try_zeroed(r * c, "a logits tile")?,
            z: try_zeroed(r * c, "a logits tile")?,
            dz: try_zeroed(grad_len(r * c), "a logits-gradient tile")?,
            gh: try_zeroed(grad_len(rd), "a block of hidden gradients")?,
        })
    }
}

/// [`linear_cross_entropy_blocked`] with [`Blocks::DEFAULT`].
pub fn linear_cross_entropy(
    shape: LinearShape,
    input: LinearInput,
    opts: &CrossEntropy,
    kernel: CpuKernel,
) -> Result<LinearOutput> {
    linear_cross_entropy_blocked(shape, input, opts, kernel, Blocks::DEFAULT)
}

/// Cross-entropy of `hidden @ weightᵀ (+ bias)` against `labels`, with `opts` meaning what they
/// mean for `cross_entropy` on those logits. Every length and option is checked, and the outputs
/// allocated, before any arithmetic; the extra memory is the [`Blocks`] scratch, never `[N, V]`.
pub fn linear_cross_entropy_blocked(
    shape: LinearShape,
    input: LinearInput,
    opts: &CrossEntropy,
    kernel: CpuKernel,
    blocks: Blocks,
) -> Result<LinearOutput> {
    if blocks.rows == 0 || blocks.chunk == 0 {
        return Err(Error::Unsupported("linear cross-entropy blocks need at least one row and one class"));
    }
    input.check(&shape)?;
    let plan = Plan::new(shape.logits(), input.labels, opts)?;
    let (d, v) = (shape.hidden, shape.vocab);
    let blocks = Blocks { rows: blocks.rows, chunk: blocks.chunk.min(v) };
    let grad = opts.grad;
    let mut grad_hidden =
        if grad { Some(try_zeroed::<f32>(input.hidden.len(), "gradHidden")?) } else { None };
    let mut grad_weight = if grad { Some(try_zeroed::<f32>(v * d, "gradWeight")?) } else { None };
    let mut grad_bias = match (grad, input.bias) {
        (true, Some(_)) => Some(try_zeroed::<f32>(v, "gradBias")?),
        _ => None,
    };
    let mut scratch = Scratch::new(blocks, d, grad)?;

    // Active positions with the hidden row each is predicted from and its class.
    let active: Vec<(usize, usize, u32)> = plan
        .targets
        .iter()
        .enumerate()
        .filter_map(|(p, t)| t.map(|class| (p, plan.logits_row(p), class)))
        .collect();
    let mut rows: Vec<Option<RowResult>> = vec![None; plan.targets.len()];
    let mut accs = Vec::with_capacity(blocks.rows);
    for block in active.chunks(blocks.rows) {
        gather(&mut scratch, input.hidden, d, block);
        accs.clear();
        accs.resize(block.len(), RowAcc::new());
        for c0 in (0..v).step_by(blocks.chunk) {
            let width = blocks.chunk.min(v - c0);
            logits_tile(&mut scratch, &input, &plan, d, block.len(), c0, width);
            for (i, (acc, &(_, _, class))) in accs.iter_mut().zip(block).enumerate() {
                let z = &scratch.z[i * width..(i + 1) * width];
                let weights = plan.opts.class_weights.as_deref().map(|w| &w[c0..c0 + width]);
                acc.add_chunk(z, kernel.row_stats(z), weights);
                acc.add_argmax(z, c0);
                if (c0..c0 + width).contains(&(class as usize)) {
                    acc.label_logit = z[class as usize - c0];
                }
            }
        }
        let mut results: Vec<RowResult> =
            accs.iter().zip(block).map(|(a, &(_, _, class))| a.finish(&plan, class)).collect();
        if plan.opts.stats.entropy || plan.opts.stats.rank {
            stats_pass(&mut scratch, &input, &plan, kernel, blocks, d, block, &accs, &mut results);
        }
        for (&(p, _, _), r) in block.iter().zip(&results) {
            rows[p] = Some(*r);
        }
        if let (Some(gh), Some(gw)) = (grad_hidden.as_deref_mut(), grad_weight.as_deref_mut()) {
            let grads = Grads { hidden: gh, weight: gw, bias: grad_bias.as_deref_mut() };
            backward_block(&mut scratch, &input, &plan, kernel, blocks, d, block, &accs, &results, grads);
        }
    }
    Ok(LinearOutput { loss: plan.output(&rows, kernel.name()), grad_hidden, grad_weight, grad_bias })
}

/// Copies the block's hidden rows into `h` (`[rows, D]`) and `ht` (`[D, rows]`).
fn gather(s: &mut Scratch, hidden: &[f32], d: usize, block: &[(usize, usize, u32)]) {
    let r = block.len();
    for (i, &(_, row, _)) in block.iter().enumerate() {
        let src = &hidden[row * d..(row + 1) * d];
        s.h[i * d..(i + 1) * d].copy_from_slice(src);
        for (k, &x) in src.iter().enumerate() {
            s.ht[k * r + i] = x;
        }
    }
}

/// The logits of the block's rows for classes `c0 .. c0 + width` into `z` (`[rows, width]`):
/// the product, then the bias, then soft-capping — the order PyTorch's `lm_head` and the loss
/// apply them, with the temperature's division between the bias and the cap (as `crossEntropy`
/// divides the logits it is given before capping them).
fn logits_tile(
    s: &mut Scratch,
    input: &LinearInput,
    plan: &Plan,
    d: usize,
    r: usize,
    c0: usize,
    width: usize,
) {
    let w_chunk = Mat::rows(&input.weight[c0 * d..(c0 + width) * d], d);
    gemm(width, r, d, w_chunk, &s.ht[..d * r], r, &mut s.zt[..width * r], r);
    let bias = input.bias.map(|b| &b[c0..c0 + width]);
    for i in 0..r {
        let row = &mut s.z[i * width..(i + 1) * width];
        for (j, z) in row.iter_mut().enumerate() {
            *z = s.zt[j * r + i];
        }
        if let Some(b) = bias {
            for (z, &b) in row.iter_mut().zip(b) {
                *z += b;
            }
        }
        if let Some(t) = plan.opts.temperature_divisor() {
            for z in row.iter_mut() {
                *z /= t;
            }
        }
        if let Some(cap) = plan.opts.softcap {
            for z in row.iter_mut() {
                *z = softcap(*z, cap);
            }
        }
    }
}

/// The statistics that need a row's final max and lse, or its label's logit, before they can
/// be counted: entropy (`ln S − Σ p_c (x_c − m)`, as `analytics::entropy` sums it) and rank
/// (classes strictly above the label). One more pass over the block's recomputed tiles, only
/// when they were asked for.
#[allow(clippy::too_many_arguments)]
fn stats_pass(
    s: &mut Scratch,
    input: &LinearInput,
    plan: &Plan,
    kernel: CpuKernel,
    blocks: Blocks,
    d: usize,
    block: &[(usize, usize, u32)],
    accs: &[RowAcc],
    results: &mut [RowResult],
) {
    let (v, r) = (plan.vocab(), block.len());
    let want = plan.opts.stats;
    let mut weighted = vec![0.0f64; r];
    let mut p = vec![0.0f32; blocks.chunk];
    for c0 in (0..v).step_by(blocks.chunk) {
        let width = blocks.chunk.min(v - c0);
        logits_tile(s, input, plan, d, r, c0, width);
        for (i, (acc, res)) in accs.iter().zip(results.iter_mut()).enumerate() {
            let z = &s.z[i * width..(i + 1) * width];
            if want.rank {
                let y = acc.label_logit;
                res.rank += z.iter().filter(|&&x| x > y).count() as u32;
            }
            if want.entropy && acc.max.is_finite() && res.lse.is_finite() {
                let log_sum = (res.lse - acc.max as f64) as f32;
                add_weighted_gaps(z, acc.max, log_sum, kernel, &mut p[..width], &mut weighted[i]);
            }
        }
    }
    if want.entropy {
        for ((res, acc), w) in results.iter_mut().zip(accs).zip(weighted) {
            res.entropy = match acc.max.is_finite() && res.lse.is_finite() {
                true => (res.lse - acc.max as f64) - w,
                false => f64::NAN,
            };
        }
    }
}

/// Where the gradients of the whole call accumulate.
struct Grads<'a> {
    hidden: &'a mut [f32],
    weight: &'a mut [f32],
    bias: Option<&'a mut [f32]>,
}

/// The second pass over a row block: each logits tile recomputed, turned into d loss / d logits
/// with the rows' final lse (`Plan::grad_coefficients`, as `cross_entropy`'s gradient), then
/// `gradHidden += dZ · W_chunk`, `gradWeight_chunk += dZᵀ · H`, `gradBias_chunk += Σ_rows dZ`.
#[allow(clippy::too_many_arguments)]
fn backward_block(
    s: &mut Scratch,
    input: &LinearInput,
    plan: &Plan,
    kernel: CpuKernel,
    blocks: Blocks,
    d: usize,
    block: &[(usize, usize, u32)],
    accs: &[RowAcc],
    results: &[RowResult],
    mut grads: Grads,
) {
    let (v, r) = (plan.vocab(), block.len());
    s.gh[..r * d].fill(0.0);
    for c0 in (0..v).step_by(blocks.chunk) {
        let width = blocks.chunk.min(v - c0);
        logits_tile(s, input, plan, d, r, c0, width);
        for (i, ((&(_, _, class), acc), res)) in block.iter().zip(accs).zip(results).enumerate() {
            let z = &s.z[i * width..(i + 1) * width];
            let dz = &mut s.dz[i * width..(i + 1) * width];
            grad_chunk(plan, kernel, class, acc.max, res.lse, c0, z, dz);
        }
        let dz = &s.dz[..r * width];
        let w_chunk = &input.weight[c0 * d..(c0 + width) * d];
        gemm_acc(r, d, width, Mat::rows(dz, width), w_chunk, d, &mut s.gh[..r * d], d);
        let gw = &mut grads.weight[c0 * d..(c0 + width) * d];
        gemm_acc(width, d, r, Mat::transposed(dz, width), &s.h[..r * d], d, gw, d);
        if let Some(gb) = grads.bias.as_deref_mut() {
            for (j, g) in gb[c0..c0 + width].iter_mut().enumerate() {
                let col: f64 = (0..r).map(|i| dz[i * width + j] as f64).sum();
                *g = (*g as f64 + col) as f32;
            }
        }
    }
    for (i, &(_, row, _)) in block.iter().enumerate() {
        grads.hidden[row * d..(row + 1) * d].copy_from_slice(&s.gh[i * d..(i + 1) * d]);
    }
}

/// d loss / d logits for classes `c0 .. c0 + z.len()` of one active row, `finish_grad_row`'s
/// arithmetic on a slice of the row: the softmax part, the class-weight offsets, the label term
/// when the label falls in the chunk, the soft-cap chain rule. Rows with a non-finite lse are NaN.
#[allow(clippy::too_many_arguments)]
fn grad_chunk(
    plan: &Plan,
    kernel: CpuKernel,
    class: u32,
    max: f32,
    lse: f64,
    c0: usize,
    z: &[f32],
    out: &mut [f32],
) {
    if !lse.is_finite() {
        out.fill(f32::NAN);
        return;
    }
    let c = plan.grad_coefficients(class, lse);
    let log_sum = (lse - max as f64) as f32;
    match &plan.opts.class_weights {
        None => kernel.softmax_affine(z, max, log_sum, c.scale as f32, c.offset as f32, out),
        Some(w) => {
            kernel.softmax_affine(z, max, log_sum, c.scale as f32, 0.0, out);
            for (g, &wc) in out.iter_mut().zip(&w[c0..c0 + z.len()]) {
                *g -= (c.offset * wc as f64) as f32;
            }
        }
    }
    if let Some(j) = (class as usize).checked_sub(c0).filter(|&j| j < z.len()) {
        out[j] -= c.label as f32;
    }
    if let Some(cap) = plan.opts.softcap {
        // d/dx [c·tanh(x/c)] = 1 − tanh²(x/c) = 1 − (capped/c)².
        for (g, &xc) in out.iter_mut().zip(z) {
            let t = xc as f64 / cap;
            *g = (*g as f64 * (1.0 - t * t)) as f32;
        }
    }
    if let Some(t) = plan.opts.temperature_divisor() {
        // d(x/T)/dx = 1/T, an f32 division as in `finish_grad_row`.
        for g in out.iter_mut() {
            *g /= t;
        }
    }
}

/// For comparison only: the same loss computed the way the fused path avoids — the full `[N, V]`
/// logits, `cross_entropy` with its `[N, V]` gradient, then the two gradient products
/// (`gradHidden = dZ · W`, `gradWeight = dZᵀ · H`) and the bias gradient's column sums. The
/// products run in row blocks with the fused path's operand layout (`W · Hᵀ` into a `[V, rows]`
/// tile; `dZᵀ` of a block transposed before use), so the logits are the fused path's bit for bit
/// and no operand is read with a stride of V. Memory: two `[N, V]` f32 buffers, a `[V, rows]` tile
/// and, for the gradient, a `[rows, D]` scratch; refused up front when they cannot exist.
pub fn linear_cross_entropy_materialized(
    shape: LinearShape,
    input: LinearInput,
    opts: &CrossEntropy,
    kernel: CpuKernel,
) -> Result<LinearOutput> {
    input.check(&shape)?;
    let (n, d, v) = (shape.batch * shape.seq, shape.hidden, shape.vocab);
    // Validates labels and options before the large allocations below.
    Plan::new(shape.logits(), input.labels, opts)?;
    let logits_len =
        n.checked_mul(v).ok_or(Error::OutOfMemory { what: "the materialised logits", bytes: usize::MAX })?;
    let mut logits = try_zeroed::<f32>(logits_len, "the materialised logits")?;
    if opts.grad && logits_len.saturating_mul(4) > crate::error::MAX_ALLOCATION_BYTES {
        // cross_entropy allocates the [N, V] gradient itself: refuse here, before the GEMM.
        return Err(Error::OutOfMemory { what: "the logits gradient", bytes: logits_len.saturating_mul(4) });
    }
    let rows = Blocks::DEFAULT.rows.min(n);
    let mut tile = try_zeroed::<f32>(v * rows, "a [V, rows] tile")?;
    let mut ht = try_zeroed::<f32>(d * rows, "a block of hidden rows")?;
    for r0 in (0..n).step_by(rows) {
        let r = rows.min(n - r0);
        crate::train::gemm::transpose(&input.hidden[r0 * d..(r0 + r) * d], r, d, &mut ht[..d * r]);
        gemm(v, r, d, Mat::rows(input.weight, d), &ht[..d * r], r, &mut tile[..v * r], r);
        crate::train::gemm::transpose(&tile[..v * r], v, r, &mut logits[r0 * v..(r0 + r) * v]);
    }
    if let Some(b) = input.bias {
        for row in logits.chunks_exact_mut(v) {
            for (z, &b) in row.iter_mut().zip(b) {
                *z += b;
            }
        }
    }
    let [batch, seq, _] = shape.logits();
    let x = ndarray::ArrayView3::from_shape((batch, seq, v), &logits[..]).expect("length checked");
    let y = ndarray::ArrayView2::from_shape((batch, seq), input.labels).expect("length checked");
    let mut loss = super::cross_entropy(x, y, opts, kernel)?;
    let Some(dz) = loss.grad.take() else {
        return Ok(LinearOutput { loss, grad_hidden: None, grad_weight: None, grad_bias: None });
    };
    drop(logits);
    let mut grad_hidden = try_zeroed::<f32>(n * d, "gradHidden")?;
    let mut grad_weight = try_zeroed::<f32>(v * d, "gradWeight")?;
    gemm(n, d, v, Mat::rows(&dz, v), input.weight, d, &mut grad_hidden, d);
    // gradWeight += dZ_blockᵀ · H_block, block by block: each element still sums its rows in order.
    for r0 in (0..n).step_by(rows) {
        let r = rows.min(n - r0);
        crate::train::gemm::transpose(&dz[r0 * v..(r0 + r) * v], r, v, &mut tile[..v * r]);
        let h = &input.hidden[r0 * d..(r0 + r) * d];
        gemm_acc(v, d, r, Mat::rows(&tile[..v * r], r), h, d, &mut grad_weight, d);
    }
    let grad_bias = match input.bias {
        None => None,
        Some(_) => {
            let mut sums = vec![0.0f64; v];
            for row in dz.chunks_exact(v) {
                for (s, &g) in sums.iter_mut().zip(row) {
                    *s += g as f64;
                }
            }
            Some(sums.into_iter().map(|s| s as f32).collect())
        }
    };
    Ok(LinearOutput { loss, grad_hidden: Some(grad_hidden), grad_weight: Some(grad_weight), grad_bias })
}
