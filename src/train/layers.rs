//! The model's layers, forward and backward, on row-major f32 slices: LayerNorm, tanh-GELU and
//! causal multi-head self-attention.
//!
//! Exponentials come from losslab's own f32x4 `exp_neg` (lane-exact natively) and square roots
//! are IEEE-exact, so native and wasm builds round identically and a seeded run gives the same
//! numbers everywhere.

use super::gemm::{gemm, Mat};
use crate::cpu::lanes::{exp_neg, F32x4};

pub const LN_EPS: f32 = 1e-5;

/// LayerNorm of each `d`-wide row: `y = (x − mean) / sqrt(var + eps) · g + b`, population
/// variance, as `nn.LayerNorm`. Keeps `mean` and `rstd` per row for the backward.
pub fn layer_norm(
    x: &[f32],
    d: usize,
    g: &[f32],
    b: &[f32],
    y: &mut [f32],
    mean: &mut [f32],
    rstd: &mut [f32],
) {
    for (r, (xr, yr)) in x.chunks_exact(d).zip(y.chunks_exact_mut(d)).enumerate() {
        let m = xr.iter().sum::<f32>() / d as f32;
        let var = xr.iter().map(|&v| (v - m) * (v - m)).sum::<f32>() / d as f32;
        let s = 1.0 / libm::sqrtf(var + LN_EPS);
        for (c, (o, &v)) in yr.iter_mut().zip(xr).enumerate() {
            *o = (v - m) * s * g[c] + b[c];
        }
        mean[r] = m;
        rstd[r] = s;
    }
}

/// Backward of [`layer_norm`]: adds the input gradient to `dx` and the parameter gradients to
/// `dg`, `db`. With `x̂ = (x − mean)·rstd`: `dx = rstd · (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂))`.
#[allow(clippy::too_many_arguments)]
pub fn layer_norm_backward(
    x: &[f32],
    d: usize,
    g: &[f32],
    mean: &[f32],
    rstd: &[f32],
    dy: &[f32],
    dx: &mut [f32],
    dg: &mut [f32],
    db: &mut [f32],
) {
    for (r, ((xr, dyr), dxr)) in
        x.chunks_exact(d).zip(dy.chunks_exact(d)).zip(dx.chunks_exact_mut(d)).enumerate()
    {
        let (m, s) = (mean[r], rstd[r]);
        let (mut sum_dxhat, mut sum_dxhat_xhat) = (0.0f32, 0.0f32);
        for c in 0..d {
            let xhat = (xr[c] - m) * s;
            let dxhat = dyr[c] * g[c];
            sum_dxhat += dxhat;
            sum_dxhat_xhat += dxhat * xhat;
            dg[c] += dyr[c] * xhat;
            db[c] += dyr[c];
        }
        let (mean_dxhat, mean_dxhat_xhat) = (sum_dxhat / d as f32, sum_dxhat_xhat / d as f32);
        for c in 0..d {
            let xhat = (xr[c] - m) * s;
            dxr[c] += s * (dyr[c] * g[c] - mean_dxhat - xhat * mean_dxhat_xhat);
        }
    }
}

const GELU_K: f32 = 0.797_884_6; // sqrt(2 / π)
const GELU_C: f32 = 0.044_715;

/// The GELU gate `σ(2u)`, `u = √(2/π)·(x + 0.044715·x³)`, from `e = e^(−2|u|)`: `1/(1 + e)` for
/// `u ≥ 0`, `e/(1 + e)` below (no overflow either way).
#[inline(always)]
fn gelu_gate(x: F32x4) -> F32x4 {
    let u = F32x4::splat(GELU_K) * (x + F32x4::splat(GELU_C) * x * x * x);
    let e = (u.abs() * F32x4::splat(2.0)).exp_neg();
    let d = F32x4::splat(1.0) + e;
    u.select_nonneg(F32x4::splat(1.0) / d, e / d)
}

/// GPT-2's GELU, `nn.GELU(approximate="tanh")`: `0.5·x·(1 + tanh u)`, computed as `x·σ(2u)`
/// since `1 + tanh u = 2σ(2u)`. Keeps the gate `σ(2u)` for the backward.
pub fn gelu(x: &[f32], y: &mut [f32], gate: &mut [f32]) {
    let whole = x.len() / 4 * 4;
    for i in (0..whole).step_by(4) {
        let v = F32x4::load(x[i..i + 4].try_into().unwrap());
        let s = gelu_gate(v);
        (v * s).store((&mut y[i..i + 4]).try_into().unwrap());
        s.store((&mut gate[i..i + 4]).try_into().unwrap());
    }
    for i in whole..x.len() {
        // The same lane arithmetic for the tail, so every element rounds alike.
        let s = gelu_gate(F32x4::splat(x[i])).to_array()[0];
        y[i] = x[i] * s;
        gate[i] = s;
    }
}

/// `dx = dy · gelu'(x)` with `gelu'(x) = s + 2·x·s·(1 − s)·u'(x)`, `s` the forward's gate.
pub fn gelu_backward(x: &[f32], gate: &[f32], dy: &[f32], dx: &mut [f32]) {
    for (((o, &v), &s), &g) in dx.iter_mut().zip(x).zip(gate).zip(dy) {
        let du = GELU_K * (1.0 + 3.0 * GELU_C * v * v);
        *o = g * (s + 2.0 * v * s * (1.0 - s) * du);
    }
}

/// `row[c] ← e^(row[c] − max)` with losslab's f32x4 exponential (the loss kernel's).
fn exp_shifted(row: &mut [f32], max: f32) {
    let mut chunks = row.chunks_exact_mut(4);
    for c in &mut chunks {
        let gap = F32x4::splat(max) - F32x4::load((&*c).try_into().unwrap());
        gap.exp_neg().store(c.try_into().unwrap());
    }
    for x in chunks.into_remainder() {
        *x = exp_neg(max - *x);
    }
}

/// Query rows in blocks of 8 (the GEMM tile's width), so causal products skip the masked half.
fn row_blocks(t: usize) -> impl Iterator<Item = (usize, usize)> {
    (0..t).step_by(8).map(move |r0| (r0, (r0 + 8).min(t)))
}

/// The transpose of a `[t, t]` matrix from row and column `r0` on: element `(j, i)` is
/// `x[(r0 + i) · t + r0 + j]`.
fn transposed_from(x: &[f32], t: usize, r0: usize) -> Mat<'_> {
    Mat { data: &x[r0 * t + r0..], row: 1, col: t }
}

/// Shapes of one attention call: `batch` sequences of `seq` positions, `heads` heads of
/// `head_dim`; `qkv` rows are `[q | k | v]`, each `heads · head_dim` wide.
#[derive(Clone, Copy, Debug)]
pub struct Attention {
    pub batch: usize,
    pub seq: usize,
    pub heads: usize,
    pub head_dim: usize,
}

impl Attention {
    fn width(&self) -> usize {
        self.heads * self.head_dim
    }

    fn scale(&self) -> f32 {
        1.0 / libm::sqrtf(self.head_dim as f32)
    }

    /// Causal self-attention: `probs[b, h] = softmax(mask(q·kᵀ · scale))` (kept for the
    /// backward, `[batch, heads, seq, seq]`, zero above the diagonal) and `y = probs · v`, heads
    /// side by side in `[batch · seq, width]`. `kt` is scratch of `head_dim · seq`.
    pub fn forward(&self, qkv: &[f32], probs: &mut [f32], y: &mut [f32], kt: &mut [f32]) {
        let (t, dh, d) = (self.seq, self.head_dim, self.width());
        let scale = self.scale();
        for b in 0..self.batch {
            let rows = &qkv[b * t * 3 * d..(b + 1) * t * 3 * d];
            for h in 0..self.heads {
                let p = &mut probs[(b * self.heads + h) * t * t..][..t * t];
                let (q, k, v) = (&rows[h * dh..], &rows[d + h * dh..], &rows[2 * d + h * dh..]);
                for j in 0..t {
                    for c in 0..dh {
                        kt[c * t + j] = k[j * 3 * d + c];
                    }
                }
                // Causal: rows r0..r1 need only the scores of columns < r1 (the rest are masked).
                for (r0, r1) in row_blocks(t) {
                    gemm(r1 - r0, r1, dh, Mat::rows(&q[r0 * 3 * d..], 3 * d), kt, t, &mut p[r0 * t..], t);
                }
                for (i, row) in p.chunks_exact_mut(t).enumerate() {
                    // PyTorch's order: the product, then the scale, then the mask.
                    let live = &mut row[..=i];
                    for s in live.iter_mut() {
                        *s *= scale;
                    }
                    let max = live.iter().fold(f32::NEG_INFINITY, |m, &s| if s > m { s } else { m });
                    exp_shifted(live, max);
                    let sum: f32 = live.iter().sum();
                    for s in live.iter_mut() {
                        *s /= sum;
                    }
                    row[i + 1..].fill(0.0);
                }
                let yb = &mut y[b * t * d + h * dh..];
                for (r0, r1) in row_blocks(t) {
                    gemm(r1 - r0, dh, r1, Mat::rows(&p[r0 * t..], t), v, 3 * d, &mut yb[r0 * d..], d);
                }
            }
        }
    }

    /// Backward: from `dy` (`[batch · seq, width]`) writes every element of `dqkv`.
    /// `dP = dy · vᵀ`, `dS = P ⊙ (dP − rowsum(dP ⊙ P)) · scale`, `dq = dS · k`, `dk = dSᵀ · q`,
    /// `dv = Pᵀ · dy`. `scratch` holds `seq · seq + head_dim · seq` floats.
    pub fn backward(&self, qkv: &[f32], probs: &[f32], dy: &[f32], dqkv: &mut [f32], scratch: &mut [f32]) {
        let (t, dh, d) = (self.seq, self.head_dim, self.width());
        let scale = self.scale();
        let (ds, vt) = scratch.split_at_mut(t * t);
        for b in 0..self.batch {
            let rows = &qkv[b * t * 3 * d..(b + 1) * t * 3 * d];
            let drows = &mut dqkv[b * t * 3 * d..(b + 1) * t * 3 * d];
            let dyb = &dy[b * t * d..(b + 1) * t * d];
            for h in 0..self.heads {
                let p = &probs[(b * self.heads + h) * t * t..][..t * t];
                let (q, k, v) = (&rows[h * dh..], &rows[d + h * dh..], &rows[2 * d + h * dh..]);
                let dyh = &dyb[h * dh..];
                for j in 0..t {
                    for c in 0..dh {
                        vt[c * t + j] = v[j * 3 * d + c];
                    }
                }
                for (r0, r1) in row_blocks(t) {
                    gemm(r1 - r0, r1, dh, Mat::rows(&dyh[r0 * d..], d), vt, t, &mut ds[r0 * t..], t);
                }
                for (i, (dsr, pr)) in ds.chunks_exact_mut(t).zip(p.chunks_exact(t)).enumerate() {
                    let dot: f32 = dsr[..=i].iter().zip(&pr[..=i]).map(|(a, b)| a * b).sum();
                    for (x, &pv) in dsr[..=i].iter_mut().zip(&pr[..=i]) {
                        *x = pv * (*x - dot) * scale;
                    }
                    dsr[i + 1..].fill(0.0);
                }
                // dq rows r0..r1 sum over keys < r1; dk and dv rows r0..r1 over queries ≥ r0 (the
                // skipped products are exact zeros, so every sum is the full one).
                for (r0, r1) in row_blocks(t) {
                    let (m, col) = (r1 - r0, r0 * 3 * d);
                    gemm(m, dh, r1, Mat::rows(&ds[r0 * t..], t), k, 3 * d, &mut drows[col + h * dh..], 3 * d);
                    let ds_t = transposed_from(ds, t, r0);
                    gemm(m, dh, t - r0, ds_t, &q[col..], 3 * d, &mut drows[col + d + h * dh..], 3 * d);
                    let p_t = transposed_from(p, t, r0);
                    gemm(m, dh, t - r0, p_t, &dyh[r0 * d..], d, &mut drows[col + 2 * d + h * dh..], 3 * d);
                }
            }
        }
    }
}
