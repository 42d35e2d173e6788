//! The engine's GPU path, natively: a line-by-line emulation of the two WGSL kernels (reading
//! the uniform block exactly as `params_bytes` packs it) feeds `engine::finish_gpu_rows`, and the
//! result must meet the golden table and agree with the CPU path wherever they share semantics.

mod common;

use losslab::cpu::CpuKernel;
use losslab::engine::{finish_gpu_rows, gpu_row, GpuRowStats};
use losslab::gpu::{params_bytes, PARAMS_BYTES};
use losslab::loss::cross_entropy::cpu_row;
use losslab::loss::{cross_entropy, CrossEntropy, CrossEntropyOutput, Plan, Semantics};
use ndarray::{ArrayView2, ArrayView3};

/// The `Params` uniform as the kernels read it (see src/gpu/params.wgsl).
struct Params {
    vocab: usize,
    rows: usize,
    softcap: Option<f32>,
    inv_denominator: f32,
    one_minus_eps: f32,
    smooth_per_class: f32,
    total_weight: f32,
    z2: f32,
}

fn decode(bytes: &[u8; PARAMS_BYTES]) -> Params {
    let word = |i: usize| u32::from_le_bytes(bytes[i * 4..i * 4 + 4].try_into().unwrap());
    let float = |i: usize| f32::from_bits(word(i));
    assert_eq!((word(3), word(10), word(11)), (0, 0, 0), "padding words are zero");
    assert!(word(2) <= 1, "has_softcap is a flag");
    Params {
        vocab: word(0) as usize,
        rows: word(1) as usize,
        softcap: (word(2) == 1).then(|| float(4)),
        inv_denominator: float(5),
        one_minus_eps: float(6),
        smooth_per_class: float(7),
        total_weight: float(8),
        z2: float(9),
    }
}

fn capped(p: &Params, x: f32) -> f32 {
    match p.softcap {
        None => x,
        Some(c) => c * (x / c).clamp(-9.0, 9.0).tanh(),
    }
}

#[derive(Clone, Copy, Default)]
struct State {
    m: f32,
    s: f32,
    d: f32,
    dw: f32,
    n: f32,
    w: f32,
}

fn merge(a: State, b: State) -> State {
    if a.n == 0.0 {
        return b;
    }
    if b.n == 0.0 {
        return a;
    }
    let m = a.m.max(b.m);
    State {
        m,
        s: a.s * (a.m - m).exp() + b.s * (b.m - m).exp(),
        d: a.d + a.n * (m - a.m) + b.d + b.n * (m - b.m),
        dw: a.dw + a.w * (m - a.m) + b.dw + b.w * (m - b.m),
        n: a.n + b.n,
        w: a.w + b.w,
    }
}

/// stats.wgsl: 256 invocations fold strided slices online, then merge pairwise.
fn stats_kernel(p: &Params, logits: &[f32], weights: &[f32]) -> GpuRowStats {
    let mut out = GpuRowStats::default();
    for row in 0..p.rows {
        let base = row * p.vocab;
        let mut partial = [State::default(); 256];
        let mut bad = 0u32;
        for (lid, st) in partial.iter_mut().enumerate() {
            for c in (lid..p.vocab).step_by(256) {
                let raw = logits[base + c];
                if raw.to_bits() & 0x7fff_ffff >= 0x7f80_0000 {
                    bad += 1;
                    continue;
                }
                let (x, w) = (capped(p, raw), weights[c]);
                if st.n == 0.0 {
                    st.m = x;
                } else if x > st.m {
                    let delta = x - st.m;
                    st.s *= (-delta).exp();
                    st.d += st.n * delta;
                    st.dw += st.w * delta;
                    st.m = x;
                }
                let gap = st.m - x;
                st.s += (-gap).exp();
                st.d += gap;
                st.dw += w * gap;
                st.n += 1.0;
                st.w += w;
            }
        }
        let mut stride = 128;
        while stride > 0 {
            for lid in 0..stride {
                partial[lid] = merge(partial[lid], partial[lid + stride]);
            }
            stride >>= 1;
        }
        let r = partial[0];
        out.stats.push([r.m, r.s, r.d, r.dw]);
        out.nonfinite.push(bad);
    }
    out
}

/// grad.wgsl: one invocation per logit.
fn grad_kernel(
    p: &Params,
    logits: &[f32],
    weights: &[f32],
    stats: &GpuRowStats,
    targets: &[i32],
) -> Vec<f32> {
    let mut grad = vec![f32::NAN; p.rows * p.vocab];
    for (row, &y) in targets.iter().enumerate().take(p.rows) {
        for c in 0..p.vocab {
            let i = row * p.vocab + c;
            if y < 0 {
                grad[i] = 0.0;
                continue;
            }
            let st = stats.stats[row];
            let log_s = st[1].ln();
            let lse = st[0] + log_s;
            let x = capped(p, logits[i]);
            let prob = ((x - st[0]) - log_s).exp();
            let w_y = weights[y as usize];
            let scale = p.one_minus_eps * w_y + p.smooth_per_class * p.total_weight + p.z2 * lse;
            let mut g = scale * prob - p.smooth_per_class * weights[c];
            if c == y as usize {
                g -= p.one_minus_eps * w_y;
            }
            g *= p.inv_denominator;
            if let Some(cap) = p.softcap {
                let t = x / cap;
                g *= 1.0 - t * t;
            }
            grad[i] = g;
        }
    }
    grad
}

/// A whole call the way `gpu::run` drives the device (one chunk), finished by the engine core.
fn run_like_gpu(plan: &Plan, logits: &[f32]) -> CrossEntropyOutput {
    let [b, t, v] = plan.shape;
    let params = decode(&params_bytes(plan, b * t));
    assert_eq!((params.vocab, params.rows), (v, b * t));
    let mut targets = vec![-1i32; b * t];
    for (p, target) in plan.targets.iter().enumerate() {
        if let Some(class) = target {
            targets[plan.logits_row(p)] = *class as i32;
        }
    }
    let weights = plan.opts.class_weights.clone().unwrap_or_else(|| vec![1.0; v]);
    let stats = stats_kernel(&params, logits, &weights);
    let mut grad = plan.opts.grad.then(|| grad_kernel(&params, logits, &weights, &stats, &targets));
    let mut out = finish_gpu_rows(plan, &stats, logits, |r, g| {
        grad.as_mut().expect("a gradient was asked for")[r * v..(r + 1) * v].copy_from_slice(g)
    });
    out.grad = grad;
    out
}

#[test]
fn the_gpu_path_meets_the_golden_table() {
    let mut worst = common::Worst::default();
    let mut bad = Vec::new();
    let mut ran = 0;
    for case in common::cases("crossEntropy") {
        if case.get("error").is_some() {
            continue;
        }
        let input = common::input(&case);
        let plan = Plan::new(input.dims, &input.labels, &common::options(&case)).unwrap();
        let out = run_like_gpu(&plan, &input.logits);
        assert_eq!(out.backend, "webgpu");
        // Accuracy is decided from the GPU's row max plus, where the label can be the argmax, a
        // read of the row: it must agree with the CPU's exactly.
        let want = cpu(&plan, &input.logits, &input.labels).analytics.accuracy;
        let got = out.analytics.accuracy;
        if !(got == want || got.is_nan() && want.is_nan()) {
            bad.push(format!("{}: accuracy {got} vs the CPU's {want}", case["name"]));
        }
        bad.extend(common::check_within(&case, &common::Reported::from(&out), &mut worst, 1e-5));
        ran += 1;
    }
    println!("emulated webgpu worst: {worst:?}");
    assert!(ran >= 35, "only {ran} cases ran");
    assert!(bad.is_empty(), "{} violations:\n{}", bad.len(), bad.join("\n"));
}

fn cpu(plan: &Plan, logits: &[f32], labels: &[i32]) -> CrossEntropyOutput {
    let [b, t, v] = plan.shape;
    let view = ArrayView3::from_shape((b, t, v), logits).unwrap();
    cross_entropy(view, ArrayView2::from_shape((b, t), labels).unwrap(), &plan.opts, CpuKernel::Simd).unwrap()
}

#[test]
fn a_soft_capped_label_scores_the_same_bits_on_both_paths() {
    // The label's logit is capped once, in f32, by the same function on both paths; an f64 cap
    // left unrounded on one side shifts every soft-capped nll by up to half an ulp of the logit.
    let mut checked = 0;
    for cap in [0.7, 3.0, 30.0, 50.0] {
        let opts =
            CrossEntropy { semantics: Semantics::Hf, epsilon: 0.1, softcap: Some(cap), ..Default::default() };
        let v = 64;
        let logits = losslab::hash::hash_logits(v * 4, 17, 40.0);
        let plan = Plan::new([1, 4, v], &[3, 9, 27, 63], &opts).unwrap();
        for (r, &y) in [3u32, 9, 27, 63].iter().enumerate() {
            let raw = &logits[r * v..(r + 1) * v];
            let want = cpu_row(&plan, y, raw, &mut Vec::new(), CpuKernel::Simd, None);
            let got = gpu_row(&plan, [0.0, 1.0, 0.0, 0.0], raw[y as usize]);
            assert_eq!(got.label_logit.to_bits(), want.label_logit.to_bits(), "cap {cap}, row {r}");
            assert_eq!(got.label_logit, got.label_logit as f32 as f64, "the capped logit is an f32");
            checked += 1;
        }
    }
    assert_eq!(checked, 16);
}

#[test]
fn rows_with_nan_or_inf_are_the_cpu_rows_exactly() {
    let v = 300; // more than one workgroup stride
    let mut logits = losslab::hash::hash_logits(5 * v, 5, 6.0);
    logits[v + 17] = f32::NAN; // row 1
    logits[2 * v + 250] = f32::INFINITY; // row 2
    logits[3 * v..4 * v].fill(f32::NEG_INFINITY); // row 3
    let labels = [4, 17, 250, 0, 299];
    for softcap in [None, Some(20.0)] {
        for semantics in [Semantics::Hf, Semantics::Torch] {
            let opts = CrossEntropy { semantics, epsilon: 0.1, softcap, grad: true, ..Default::default() };
            let plan = Plan::new([1, 5, v], &labels, &opts).unwrap();
            let gpu = run_like_gpu(&plan, &logits);
            let cpu = cpu(&plan, &logits, &labels);
            assert_eq!(gpu.notes, cpu.notes, "{semantics:?} softcap {softcap:?}");
            let (g, c) = (&gpu.summary, &cpu.summary);
            assert_eq!(g.per_token_loss.len(), c.per_token_loss.len());
            for r in 1..4 {
                let same = |a: f32, b: f32| a.to_bits() == b.to_bits();
                assert!(same(g.per_token_nll[r], c.per_token_nll[r]), "row {r}: {g:?} vs {c:?}");
                assert!(same(g.per_token_smooth[r], c.per_token_smooth[r]), "row {r}");
                assert!(same(g.per_token_loss[r], c.per_token_loss[r]), "row {r}");
                let (gg, cg) = (gpu.grad.as_ref().unwrap(), cpu.grad.as_ref().unwrap());
                assert_eq!(gg.len(), cg.len());
                let bits = |x: &[f32]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&gg[r * v..(r + 1) * v]), bits(&cg[r * v..(r + 1) * v]), "grad row {r}");
            }
            assert!(g.loss.unwrap().is_nan() && c.loss.unwrap().is_nan());
        }
    }
}

#[test]
fn accuracy_on_gpu_rows_breaks_ties_as_the_cpu_does() {
    // Ties at the max before and after the label, raw and after a cap that saturates (40 and 41
    // both cap to 3 at c = 3 in f32), and a label a hair below the max.
    let v = 8;
    let rows: [[f32; 8]; 5] = [
        [1.0, 3.0, 3.0, 0.0, -1.0, 2.0, 0.0, 0.0],
        [1.0, 3.0, 3.0, 0.0, -1.0, 2.0, 0.0, 0.0],
        [40.0, 41.0, 0.0, 1.0, 2.0, 0.0, 0.0, 0.0],
        [0.0, 1.0, 2.0, 3.0, 3.0 - 2e-7, 0.0, 0.0, 0.0],
        [5.0; 8],
    ];
    let logits: Vec<f32> = rows.iter().flatten().copied().collect();
    let labels = [2, 1, 1, 4, 0];
    for softcap in [None, Some(3.0), Some(30.0)] {
        let opts = CrossEntropy { semantics: Semantics::Torch, epsilon: 0.0, softcap, ..Default::default() };
        let plan = Plan::new([1, 5, v], &labels, &opts).unwrap();
        let (gpu, cpu) = (run_like_gpu(&plan, &logits), cpu(&plan, &logits, &labels));
        assert_eq!(gpu.analytics.accuracy, cpu.analytics.accuracy, "softcap {softcap:?}");
    }
    let opts = CrossEntropy { semantics: Semantics::Torch, epsilon: 0.0, ..Default::default() };
    let plan = Plan::new([1, 5, v], &labels, &opts).unwrap();
    assert_eq!(run_like_gpu(&plan, &logits).analytics.accuracy, 3.0 / 5.0, "rows 1, 2 and 4 are right");
}

#[test]
fn class_weights_reach_the_smoothing_sum_once_per_call() {
    // Σw enters every row's weighted smoothing sum; the plan holds it, computed once.
    let v = 40;
    let weights: Vec<f32> = (0..v).map(|c| 0.25 + (c % 7) as f32 * 0.5).collect();
    let opts = CrossEntropy {
        semantics: Semantics::Torch,
        epsilon: 0.3,
        class_weights: Some(weights.clone()),
        grad: true,
        ..Default::default()
    };
    let logits = losslab::hash::hash_logits(6 * v, 23, 5.0);
    let labels = [1, 5, 39, -100, 0, 20];
    let plan = Plan::new([2, 3, v], &labels, &opts).unwrap();
    assert_eq!(plan.total_weight, weights.iter().map(|&w| w as f64).sum::<f64>());
    let (gpu, cpu) = (run_like_gpu(&plan, &logits), cpu(&plan, &logits, &labels));
    let rel = |a: f64, b: f64| (a - b).abs() / b.abs().max(1e-30);
    assert!(rel(gpu.summary.loss.unwrap(), cpu.summary.loss.unwrap()) < 1e-6);
    assert!(rel(gpu.summary.smooth, cpu.summary.smooth) < 1e-6);
    let (gg, cg) = (gpu.grad.unwrap(), cpu.grad.unwrap());
    assert_eq!(gg.len(), cg.len());
    let max = cg.iter().fold(0.0f32, |a, x| a.max(x.abs()));
    for (i, (a, b)) in gg.iter().zip(&cg).enumerate() {
        assert!((a - b).abs() <= 1e-5 * max, "grad[{i}] {a} vs {b}");
    }
}
