//! The simd128 kernel: blocks of 256 logits, one f32x4 accumulator chain, sums flushed to f64.
//!
//! Each block is read from memory once (its max pass and its sum pass both hit L1). Within a
//! block, 4 partial sums of 64 terms each keep f32 error near 1e-7; across blocks, f64.
//! One chain, not two or four: V8 keeps f32x4 values in 16 registers and the exp polynomial's
//! constants take ten; every further chain spills (Chromium 156, 4×512×32000 forward: 1 chain
//! 55 ms, 2 chains 68 ms, 4 chains 76 ms). Out-of-order execution overlaps the iterations
//! anyway. Tracking the max inside the sum pass instead of a max pass measured no faster.

use super::lanes::{exp_neg, F32x4};
use super::{Online, RowStats};

const BLOCK: usize = 256;

pub fn row_stats(row: &[f32]) -> RowStats {
    let (body, tail) = row.as_chunks::<4>();
    let mut online = Online::new();
    for block in body.chunks(BLOCK / 4) {
        let max = online.raise(block_max(block));
        if max == f32::NEG_INFINITY {
            online.seen += block.len() * 4;
            continue;
        }
        let (sum_exp, sum_gap) = block_sums(block, max);
        online.add(block.len() * 4, sum_exp as f64, sum_gap as f64);
    }
    for &x in tail {
        let max = online.raise(x);
        if max == f32::NEG_INFINITY {
            online.seen += 1;
            continue;
        }
        let gap = max - x;
        online.add(1, exp_neg(gap) as f64, gap as f64);
    }
    online.stats()
}

#[inline(always)]
fn block_max(block: &[[f32; 4]]) -> f32 {
    let mut acc = [F32x4::splat(f32::NEG_INFINITY); 4];
    let (quads, rest) = block.as_chunks::<4>();
    for [a, b, c, d] in quads {
        acc[0] = acc[0].pmax(F32x4::load(a));
        acc[1] = acc[1].pmax(F32x4::load(b));
        acc[2] = acc[2].pmax(F32x4::load(c));
        acc[3] = acc[3].pmax(F32x4::load(d));
    }
    for v in rest {
        acc[0] = acc[0].pmax(F32x4::load(v));
    }
    acc[0].pmax(acc[1]).pmax(acc[2].pmax(acc[3])).horizontal_max()
}

/// Σ exp(x − max) and Σ (max − x) over a block.
#[inline(always)]
fn block_sums(block: &[[f32; 4]], max: f32) -> (f32, f32) {
    let max_v = F32x4::splat(max);
    let mut exps = F32x4::splat(0.0);
    let mut gaps = F32x4::splat(0.0);
    for v in block {
        let gap = max_v - F32x4::load(v);
        gaps = gaps + gap;
        exps = exps + gap.exp_neg();
    }
    (exps.horizontal_sum(), gaps.horizontal_sum())
}

pub fn softmax_affine(row: &[f32], max: f32, log_sum: f32, scale: f32, offset: f32, out: &mut [f32]) {
    let (body, tail) = row.as_chunks::<4>();
    let (out_body, out_tail) = out.as_chunks_mut::<4>();
    let max_v = F32x4::splat(max);
    let log_sum_v = F32x4::splat(log_sum);
    let scale_v = F32x4::splat(scale);
    let offset_v = F32x4::splat(offset);
    // p = exp(x − lse) = exp(−((max − x) + log_sum)); max − x keeps its digits for large logits.
    for (v, o) in body.iter().zip(out_body) {
        let p = ((max_v - F32x4::load(v)) + log_sum_v).exp_neg();
        (p * scale_v - offset_v).store(o);
    }
    for (&x, o) in tail.iter().zip(out_tail) {
        *o = scale * exp_neg((max - x) + log_sum) - offset;
    }
}
