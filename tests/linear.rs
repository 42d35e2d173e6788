//! `linear_cross_entropy` against PyTorch's goldens (tests/golden/linear.json), against
//! `cross_entropy` on the materialised logits (random shapes and options; non-finite rows), and
//! its refusals. Runs natively and, through wasm-bindgen-test, in browsers.

use losslab::cpu::CpuKernel;
use losslab::hash::hash_logits;
use losslab::js::options::CrossEntropyOptions;
use losslab::loss::linear::{linear_cross_entropy_blocked, Blocks};
use losslab::loss::{
    cross_entropy, linear_cross_entropy, CrossEntropy, LinearInput, LinearOutput, LinearShape,
};
use losslab::objectives::SplitMix64;
use losslab::train::gemm::{gemm, Mat};
use ndarray::{ArrayView2, ArrayView3};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("golden/linear.json");
/// The bars of this function: the loss within 1e-5 relative of float64 PyTorch, every gradient
/// entry within 1e-4 of its tensor's largest magnitude.
const LOSS_REL: f64 = 1e-5;
const GRAD_OF_MAX: f64 = 1e-4;

/// Small blocks, so that small cases run through several row blocks and vocabulary chunks
/// (partial ones included), beside the default blocks.
const TINY: Blocks = Blocks { rows: 3, chunk: 4 };

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

fn rel(got: f64, want: f64, floor: f64) -> f64 {
    if !got.is_finite() || !want.is_finite() {
        let same = (got.is_nan() && want.is_nan()) || got == want;
        return if same { 0.0 } else { f64::INFINITY };
    }
    (got - want).abs() / want.abs().max(floor)
}

struct Case {
    name: String,
    shape: LinearShape,
    hidden: Vec<f32>,
    weight: Vec<f32>,
    bias: Option<Vec<f32>>,
    labels: Vec<i32>,
    options: CrossEntropy,
    expected: Value,
}

fn hashed(spec: &Value, len: usize) -> Vec<f32> {
    hash_logits(len, spec["seed"].as_u64().unwrap() as u32, spec["scale"].as_f64().unwrap())
}

fn golden_cases() -> Vec<Case> {
    let all: Value = serde_json::from_str(GOLDEN).expect("linear.json parses");
    let cases = all["linear"].as_array().expect("a linear table");
    assert!(cases.len() >= 10, "the golden table lost cases: {}", cases.len());
    cases
        .iter()
        .map(|c| {
            let dims: Vec<f64> = c["dims"].as_array().unwrap().iter().map(num).collect();
            let shape = LinearShape::from_dims(&dims).expect("golden dims are valid");
            let n = shape.batch * shape.seq;
            let options: CrossEntropyOptions = serde_json::from_value(c["options"].clone()).unwrap();
            Case {
                name: c["name"].as_str().unwrap().to_string(),
                shape,
                hidden: hashed(&c["hidden"], n * shape.hidden),
                weight: hashed(&c["weight"], shape.vocab * shape.hidden),
                bias: c.get("bias").map(|b| hashed(b, shape.vocab)),
                labels: c["labels"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap() as i32).collect(),
                options: options.into_core().expect("golden options are valid"),
                expected: c["expected"].clone(),
            }
        })
        .collect()
}

impl Case {
    fn input(&self) -> LinearInput<'_> {
        LinearInput {
            hidden: &self.hidden,
            weight: &self.weight,
            bias: self.bias.as_deref(),
            labels: &self.labels,
        }
    }
}

/// Compares a gradient with its golden: every entry (small cases) or the summary (large ones).
/// Returns the worst error as a fraction of the tensor's largest magnitude.
fn check_grad(name: &str, what: &str, got: &[f32], want: &Value) -> f64 {
    if let Some(want) = want.as_array() {
        assert_eq!(got.len(), want.len(), "{name}: {what} length");
        let want: Vec<f64> = want.iter().map(num).collect();
        let max = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
        let worst = got.iter().zip(&want).map(|(&g, &w)| (g as f64 - w).abs() / max).fold(0.0, f64::max);
        assert!(worst <= GRAD_OF_MAX, "{name}: {what} off by {worst:.2e} of max |g|");
        return worst;
    }
    let max = num(&want["maxAbs"]);
    let got_max = got.iter().fold(0.0f64, |m, &x| m.max((x as f64).abs()));
    let mut worst = (got_max - max).abs() / max;
    for s in want["samples"].as_array().unwrap() {
        let (i, w) = (s[0].as_u64().unwrap() as usize, num(&s[1]));
        worst = worst.max((got[i] as f64 - w).abs() / max);
    }
    let sum: f64 = got.iter().map(|&x| x as f64).sum();
    let sum_abs: f64 = got.iter().map(|&x| (x as f64).abs()).sum();
    let sum_sq: f64 = got.iter().map(|&x| x as f64 * x as f64).sum();
    // Sums of n entries: each entry may be off by the bar, so the sum by the bar times Σ|g|.
    worst = worst.max((sum - num(&want["sum"])).abs() / num(&want["sumAbs"]));
    worst = worst.max(rel(sum_abs, num(&want["sumAbs"]), 0.0));
    worst = worst.max(rel(sum_sq, num(&want["sumSq"]), 0.0));
    assert!(worst <= GRAD_OF_MAX, "{name}: {what} summary off by {worst:.2e}");
    worst
}

fn check_golden(case: &Case, out: &LinearOutput) -> (f64, f64) {
    let (name, e) = (&case.name, &case.expected);
    let s = &out.loss.summary;
    let mut worst_loss = 0.0f64;
    match (s.loss, e["loss"].is_null()) {
        (None, true) => {}
        (Some(l), false) => worst_loss = rel(l, num(&e["loss"]), 1e-12),
        (l, _) => panic!("{name}: loss {l:?} vs {}", e["loss"]),
    }
    for (what, got) in [("nll", s.nll), ("smooth", s.smooth)] {
        worst_loss = worst_loss.max(rel(got, num(&e[what]), 1e-12));
    }
    assert!(worst_loss <= LOSS_REL, "{name}: loss terms off by {worst_loss:.2e}");
    assert_eq!(out.loss.num_active as u64, e["numActive"].as_u64().unwrap(), "{name}: numActive");
    for (field, got) in [
        ("perTokenLoss", &s.per_token_loss),
        ("perTokenNll", &s.per_token_nll),
        ("perTokenSmooth", &s.per_token_smooth),
    ] {
        let Some(want) = e.get(field).and_then(Value::as_array) else { continue };
        assert_eq!(got.len(), want.len(), "{name}: {field} length");
        for (i, (&g, w)) in got.iter().zip(want).enumerate() {
            let err = rel(g as f64, num(w), 1.0);
            assert!(err <= LOSS_REL, "{name}: {field}[{i}] {g} vs {w} ({err:.2e})");
        }
    }
    assert!(out.loss.grad.is_none(), "{name}: no gradient over logits");
    let mut worst_grad = 0.0f64;
    for (what, got) in
        [("gradHidden", &out.grad_hidden), ("gradWeight", &out.grad_weight), ("gradBias", &out.grad_bias)]
    {
        match (got, e.get(what)) {
            (Some(g), Some(w)) => worst_grad = worst_grad.max(check_grad(name, what, g, w)),
            (None, None) => {}
            (g, w) => panic!("{name}: {what} present {} but expected {}", g.is_some(), w.is_some()),
        }
    }
    (worst_loss, worst_grad)
}

#[test]
fn goldens_from_pytorch_with_default_and_tiny_blocks() {
    let (mut worst_loss, mut worst_grad) = (0.0f64, 0.0f64);
    for case in golden_cases() {
        let small = case.shape.vocab * case.shape.hidden <= 4096;
        let kernels: &[CpuKernel] =
            if small { &[CpuKernel::Simd, CpuKernel::Scalar] } else { &[CpuKernel::Simd] };
        let blocks: &[Blocks] = if small { &[Blocks::DEFAULT, TINY] } else { &[Blocks::DEFAULT] };
        for &kernel in kernels {
            for &b in blocks {
                let out = linear_cross_entropy_blocked(case.shape, case.input(), &case.options, kernel, b)
                    .unwrap_or_else(|e| panic!("{}: {e}", case.name));
                let (l, g) = check_golden(&case, &out);
                worst_loss = worst_loss.max(l);
                worst_grad = worst_grad.max(g);
            }
        }
    }
    println!(
        "linear goldens: worst loss rel err {worst_loss:.2e}, worst gradient err {worst_grad:.2e} of max |g|"
    );
}

/// `[N, V]` logits materialised in float64 from the f32 inputs, rounded to f32 once.
fn logits_f64(
    hidden: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    n: usize,
    d: usize,
    v: usize,
) -> Vec<f32> {
    let mut out = vec![0.0f32; n * v];
    for i in 0..n {
        for c in 0..v {
            let dot: f64 = (0..d).map(|k| hidden[i * d + k] as f64 * weight[c * d + k] as f64).sum();
            out[i * v + c] = (dot + bias.map_or(0.0, |b| b[c] as f64)) as f32;
        }
    }
    out
}

/// The same logits with losslab's f32 GEMM (the chunked loss's own arithmetic), bias in f32.
fn logits_gemm(
    hidden: &[f32],
    weight: &[f32],
    bias: Option<&[f32]>,
    n: usize,
    d: usize,
    v: usize,
) -> Vec<f32> {
    let mut ht = vec![0.0f32; d * n];
    for i in 0..n {
        for k in 0..d {
            ht[k * n + i] = hidden[i * d + k];
        }
    }
    let mut zt = vec![0.0f32; v * n];
    gemm(v, n, d, Mat::rows(weight, d), &ht, n, &mut zt, n);
    let mut out = vec![0.0f32; n * v];
    for i in 0..n {
        for c in 0..v {
            out[i * v + c] = zt[c * n + i] + bias.map_or(0.0, |b| b[c]);
        }
    }
    out
}

fn materialised(
    shape: LinearShape,
    labels: &[i32],
    logits: &[f32],
    o: &CrossEntropy,
) -> losslab::loss::CrossEntropyOutput {
    let [b, t, v] = shape.logits();
    let x = ArrayView3::from_shape((b, t, v), logits).unwrap();
    let y = ArrayView2::from_shape((b, t), labels).unwrap();
    cross_entropy(x, y, o, CpuKernel::Simd).unwrap()
}

/// A size drawn uniformly from `lo..hi`.
fn size(rng: &mut SplitMix64, lo: usize, hi: usize) -> usize {
    lo + (rng.next_f64() * (hi - lo) as f64) as usize
}

fn random_options(rng: &mut SplitMix64, v: usize) -> CrossEntropy {
    let torch = rng.next_f64() < 0.5;
    let pick = |rng: &mut SplitMix64, p: f64| rng.next_f64() < p;
    let mut o = CrossEntropy { grad: true, ..CrossEntropy::default() };
    if torch {
        o.semantics = losslab::loss::Semantics::Torch;
        o.epsilon = [0.0, 0.1, 0.3][(rng.next_f64() * 3.0) as usize];
        if pick(rng, 0.4) {
            o.class_weights = Some((0..v).map(|_| (0.2 + 2.0 * rng.next_f64()) as f32).collect());
        }
        if pick(rng, 0.3) {
            o.reduction = losslab::loss::Reduction::Sum;
        }
    } else {
        o.epsilon = rng.next_f64() * 0.3;
    }
    o.shift_labels = pick(rng, 0.3);
    if pick(rng, 0.3) {
        o.z_loss_scale = 1e-3;
    }
    if pick(rng, 0.3) {
        o.softcap = Some(4.0);
    }
    if pick(rng, 0.2) && o.reduction == losslab::loss::Reduction::Mean {
        o.num_items_in_batch = Some(7.0);
    }
    if pick(rng, 0.3) {
        o.temperature = [0.5, 2.5][(rng.next_f64() * 2.0) as usize];
    }
    o
}

#[test]
fn equals_cross_entropy_on_float64_materialised_logits() {
    let mut rng = SplitMix64::new(2024);
    let mut worst = (0.0f64, 0.0f64);
    for trial in 0..40 {
        let (b, t, d, v) =
            (size(&mut rng, 1, 3), size(&mut rng, 1, 9), size(&mut rng, 1, 40), size(&mut rng, 1, 300));
        let n = b * t;
        let shape = LinearShape { batch: b, seq: t, hidden: d, vocab: v };
        let hidden: Vec<f32> = (0..n * d).map(|_| (rng.next_f64() * 4.0 - 2.0) as f32).collect();
        let weight: Vec<f32> = (0..v * d).map(|_| (rng.next_f64() - 0.5) as f32).collect();
        let bias: Option<Vec<f32>> =
            (rng.next_f64() < 0.5).then(|| (0..v).map(|_| (rng.next_f64() - 0.5) as f32).collect());
        let labels: Vec<i32> = (0..n)
            .map(|_| if rng.next_f64() < 0.15 { -100 } else { (rng.next_f64() * v as f64) as i32 })
            .collect();
        let o = random_options(&mut rng, v);
        let blocks = Blocks { rows: size(&mut rng, 1, 9), chunk: size(&mut rng, 1, 70) };
        let input = LinearInput { hidden: &hidden, weight: &weight, bias: bias.as_deref(), labels: &labels };
        let got = linear_cross_entropy_blocked(shape, input, &o, CpuKernel::Simd, blocks).unwrap();
        let logits = logits_f64(&hidden, &weight, bias.as_deref(), n, d, v);
        let want = materialised(shape, &labels, &logits, &o);
        let ctx = format!("trial {trial}: [{b}, {t}, {d}, {v}] {blocks:?} {o:?}");
        let (gs, ws) = (&got.loss.summary, &want.summary);
        let loss_err = rel(gs.loss.unwrap(), ws.loss.unwrap(), 1e-12);
        assert!(loss_err <= LOSS_REL, "{ctx}: loss {:?} vs {:?}", gs.loss, ws.loss);
        assert_eq!(got.loss.num_active, want.num_active, "{ctx}");
        assert_eq!(got.loss.denominator, want.denominator, "{ctx}");
        assert_eq!(got.loss.notes, want.notes, "{ctx}");
        let (ga, wa) = (&got.loss.analytics, &want.analytics);
        assert!(rel(ga.perplexity, wa.perplexity, 1e-12) <= LOSS_REL, "{ctx}: perplexity");
        // float64 logits round to f32 either side of a near-tie only by chance: allow one flip.
        let flips = match ga.accuracy.is_nan() && wa.accuracy.is_nan() {
            true => 0.0, // nothing scored: NaN both ways
            false => ((ga.accuracy - wa.accuracy).abs() * got.loss.num_active as f64).round(),
        };
        assert!(flips <= 1.0, "{ctx}: accuracy {} vs {}", ga.accuracy, wa.accuracy);
        for (g, w) in gs.per_token_loss.iter().zip(&ws.per_token_loss) {
            assert!(rel(*g as f64, *w as f64, 1.0) <= LOSS_REL, "{ctx}: per-token {g} vs {w}");
        }
        // The parameters' gradients from the logits' gradient, in float64.
        let g = want.grad.as_ref().unwrap();
        let mut gh = vec![0.0f64; n * d];
        let mut gw = vec![0.0f64; v * d];
        let mut gb = vec![0.0f64; v];
        for i in 0..n {
            for c in 0..v {
                let gz = g[i * v + c] as f64;
                gb[c] += gz;
                for k in 0..d {
                    gh[i * d + k] += gz * weight[c * d + k] as f64;
                    gw[c * d + k] += gz * hidden[i * d + k] as f64;
                }
            }
        }
        let mut grad_err = 0.0f64;
        let mut compare = |what: &str, got: &[f32], want: &[f64]| {
            assert_eq!(got.len(), want.len(), "{ctx}: {what} length");
            let max = want.iter().fold(0.0f64, |m, x| m.max(x.abs())).max(1e-30);
            let e = got.iter().zip(want).map(|(&a, &b)| (a as f64 - b).abs() / max).fold(0.0, f64::max);
            assert!(e <= GRAD_OF_MAX, "{ctx}: {what} off by {e:.2e} of max");
            grad_err = grad_err.max(e);
        };
        compare("gradHidden", got.grad_hidden.as_ref().unwrap(), &gh);
        compare("gradWeight", got.grad_weight.as_ref().unwrap(), &gw);
        match (&got.grad_bias, &bias) {
            (Some(g), Some(_)) => compare("gradBias", g, &gb),
            (None, None) => {}
            _ => panic!("{ctx}: gradBias present iff a bias was given"),
        }
        worst = (worst.0.max(loss_err), worst.1.max(grad_err));
    }
    println!("property: worst loss rel err {:.2e}, worst gradient err {:.2e} of max", worst.0, worst.1);
}

/// Materialising with the same f32 GEMM gives the chunked loss's own logits bit for bit: the
/// remaining difference is only the exponentials' rounding (each chunk's f32 `exp(x − max)` is
/// taken against its own max, then rescaled in f64), ~1e-9 relative where the bar is 1e-5.
#[test]
fn same_logits_give_the_same_loss_to_summation_rounding() {
    let (n, d, v) = (37, 24, 3001);
    let hidden = hash_logits(n * d, 41, 4.0);
    let weight = hash_logits(v * d, 42, 1.0);
    let bias = hash_logits(v, 43, 1.0);
    let labels = losslab::hash::hash_labels(n, v, 44, -100);
    let shape = LinearShape { batch: 1, seq: n, hidden: d, vocab: v };
    let logits = logits_gemm(&hidden, &weight, Some(&bias), n, d, v);
    for o in [
        CrossEntropy { grad: true, ..CrossEntropy::default() },
        CrossEntropy {
            semantics: losslab::loss::Semantics::Torch,
            class_weights: Some(hash_logits(v, 45, 1.0).iter().map(|x| x + 1.0).collect()),
            softcap: Some(5.0),
            z_loss_scale: 1e-4,
            grad: true,
            ..CrossEntropy::default()
        },
    ] {
        let input = LinearInput { hidden: &hidden, weight: &weight, bias: Some(&bias), labels: &labels };
        let got = linear_cross_entropy(shape, input, &o, CpuKernel::Simd).unwrap();
        let want = materialised(shape, &labels, &logits, &o);
        let (g, w) = (&got.loss.summary, &want.summary);
        for (what, a, b) in [
            ("loss", g.loss.unwrap(), w.loss.unwrap()),
            ("nll", g.nll, w.nll),
            ("smooth", g.smooth, w.smooth),
        ] {
            assert!(rel(a, b, 1e-300) < 1e-8, "{what}: {a} vs {b}");
        }
        for (x, y) in g.per_token_nll.iter().zip(&w.per_token_nll) {
            assert!(rel(*x as f64, *y as f64, 1.0) < 1e-6, "per-token nll {x} vs {y}");
        }
        assert_eq!(got.loss.notes, want.notes);
    }
}

/// With the same f32 logits, the per-token analytics (temperature, entropy, rank, lse,
/// predicted, accuracy, perplexity) equal `cross_entropy`'s: rank, argmax and accuracy exactly,
/// the sums to their rounding. Ties are planted (duplicated weight rows) across chunk borders.
#[test]
fn same_logits_give_the_same_analytics() {
    let (n, d, v) = (29, 16, 2500);
    let hidden = hash_logits(n * d, 51, 4.0);
    let mut weight = hash_logits(v * d, 52, 1.0);
    // Class 1700 repeats class 300 (a tie across chunks: argmax must keep the lower index).
    let copy: Vec<f32> = weight[300 * d..301 * d].to_vec();
    weight[1700 * d..1701 * d].copy_from_slice(&copy);
    let mut labels = losslab::hash::hash_labels(n, v, 53, -100);
    labels[3] = 1700;
    labels[4] = 300;
    let shape = LinearShape { batch: 1, seq: n, hidden: d, vocab: v };
    let logits = logits_gemm(&hidden, &weight, None, n, d, v);
    let all = losslab::loss::Stats { entropy: true, rank: true, lse: true, predicted: true };
    for temperature in [1.0, 0.5, 2.5] {
        for softcap in [None, Some(3.0)] {
            let o = CrossEntropy { temperature, softcap, stats: all, grad: true, ..CrossEntropy::default() };
            let input = LinearInput { hidden: &hidden, weight: &weight, bias: None, labels: &labels };
            for blocks in [Blocks::DEFAULT, Blocks { rows: 5, chunk: 333 }] {
                let got = linear_cross_entropy_blocked(shape, input, &o, CpuKernel::Simd, blocks).unwrap();
                let want = materialised(shape, &labels, &logits, &o);
                let ctx = format!("T = {temperature}, cap {softcap:?}, {blocks:?}");
                let (g, w) = (&got.loss.analytics, &want.analytics);
                assert_eq!(g.predicted, w.predicted, "{ctx}: predicted");
                assert_eq!(g.per_token_rank, w.per_token_rank, "{ctx}: rank");
                assert_eq!(g.accuracy, w.accuracy, "{ctx}: accuracy");
                assert!(
                    rel(g.perplexity, w.perplexity, 1e-300) < 1e-7,
                    "{ctx}: perplexity {} vs {}",
                    g.perplexity,
                    w.perplexity
                );
                let close = |what: &str, a: &Option<Vec<f32>>, b: &Option<Vec<f32>>, tol: f64| {
                    for (x, y) in a.as_ref().unwrap().iter().zip(b.as_ref().unwrap()) {
                        assert!(
                            (x.is_nan() && y.is_nan()) || rel(*x as f64, *y as f64, 1e-3) < tol,
                            "{ctx}: {what} {x} vs {y}"
                        );
                    }
                };
                close("entropy", &g.per_token_entropy, &w.per_token_entropy, 1e-5);
                close("lse", &g.per_token_lse, &w.per_token_lse, 1e-6);
                let (gl, wl) = (got.loss.summary.loss.unwrap(), want.summary.loss.unwrap());
                assert!(rel(gl, wl, 1e-300) < 1e-8, "{ctx}: loss {gl} vs {wl}");
            }
            assert!(
                linear_cross_entropy(
                    shape,
                    LinearInput { hidden: &hidden, weight: &weight, bias: None, labels: &labels },
                    &o,
                    CpuKernel::Simd
                )
                .unwrap()
                .loss
                .analytics
                .predicted
                .unwrap()
                .iter()
                .all(|&c| c != 1700),
                "the tie between classes 300 and 1700 goes to 300"
            );
        }
    }
}

/// NaN, +inf and −inf logits (through the bias, and a NaN hidden row) give exactly the notes,
/// NaN pattern and infinities `cross_entropy` gives on the materialised logits.
#[test]
fn non_finite_logits_follow_cross_entropy() {
    let (n, d, v) = (6, 5, 23);
    let base_hidden = hash_logits(n * d, 51, 4.0);
    let weight = hash_logits(v * d, 52, 1.0);
    let labels = vec![3, -100, 7, 0, 22, 5];
    let mut all_neg = vec![f32::NEG_INFINITY; v];
    all_neg[9] = 0.5;
    let cases: Vec<(&str, Vec<f32>, Vec<f32>)> = vec![
        (
            "NaN bias at one class",
            base_hidden.clone(),
            (0..v).map(|c| if c == 11 { f32::NAN } else { 0.1 }).collect(),
        ),
        (
            "+inf bias at one class",
            base_hidden.clone(),
            (0..v).map(|c| if c == 2 { f32::INFINITY } else { 0.0 }).collect(),
        ),
        (
            "+inf bias at a label",
            base_hidden.clone(),
            (0..v).map(|c| if c == 7 { f32::INFINITY } else { 0.0 }).collect(),
        ),
        (
            "−inf bias away from the labels",
            base_hidden.clone(),
            (0..v).map(|c| if c == 20 { f32::NEG_INFINITY } else { 0.0 }).collect(),
        ),
        (
            "−inf bias at a label",
            base_hidden.clone(),
            (0..v).map(|c| if c == 3 { f32::NEG_INFINITY } else { 0.0 }).collect(),
        ),
        ("−inf everywhere but one class", base_hidden.clone(), all_neg),
        (
            "a NaN hidden row",
            base_hidden.iter().enumerate().map(|(i, &x)| if i == 2 * d + 1 { f32::NAN } else { x }).collect(),
            vec![0.0; v],
        ),
    ];
    for (name, hidden, bias) in cases {
        for semantics in [losslab::loss::Semantics::Hf, losslab::loss::Semantics::Torch] {
            for epsilon in [0.0, 0.1] {
                let o = CrossEntropy { semantics, epsilon, grad: true, ..CrossEntropy::default() };
                let shape = LinearShape { batch: 1, seq: n, hidden: d, vocab: v };
                let input =
                    LinearInput { hidden: &hidden, weight: &weight, bias: Some(&bias), labels: &labels };
                for blocks in [Blocks::DEFAULT, TINY] {
                    let got =
                        linear_cross_entropy_blocked(shape, input, &o, CpuKernel::Simd, blocks).unwrap();
                    let logits = logits_gemm(&hidden, &weight, Some(&bias), n, d, v);
                    let want = materialised(shape, &labels, &logits, &o);
                    let ctx = format!("{name}, {semantics:?}, ε {epsilon}, {blocks:?}");
                    assert_eq!(got.loss.notes, want.notes, "{ctx}");
                    let same = |a: f64, b: f64| (a.is_nan() && b.is_nan()) || a == b || rel(a, b, 1.0) < 1e-7;
                    let (g, w) = (&got.loss.summary, &want.summary);
                    assert!(
                        same(g.loss.unwrap(), w.loss.unwrap()),
                        "{ctx}: loss {:?} vs {:?}",
                        g.loss,
                        w.loss
                    );
                    assert!(same(g.smooth, w.smooth), "{ctx}: smooth {} vs {}", g.smooth, w.smooth);
                    for (p, (a, b)) in g.per_token_loss.iter().zip(&w.per_token_loss).enumerate() {
                        assert!(same(*a as f64, *b as f64), "{ctx}: per-token loss {p}: {a} vs {b}");
                    }
                    // A row whose lse is not finite has a NaN gradient, which reaches every
                    // weight row through dZᵀ·H: the same NaNs a materialised backward spreads.
                    let grad_nan = want.grad.as_ref().unwrap().iter().any(|x| x.is_nan());
                    let gw_nan = got.grad_weight.as_ref().unwrap().iter().any(|x| x.is_nan());
                    assert_eq!(gw_nan, grad_nan, "{ctx}: gradWeight NaN iff the logits' gradient has NaN");
                }
            }
        }
    }
}

#[test]
fn ignored_and_shifted_away_rows_get_zero_hidden_gradient() {
    let (b, t, d, v) = (2, 4, 3, 5);
    let hidden = hash_logits(b * t * d, 61, 2.0);
    let weight = hash_logits(v * d, 62, 1.0);
    let labels = vec![1, 2, -100, 3, 4, 0, 1, 2];
    let o = CrossEntropy { shift_labels: true, grad: true, ..CrossEntropy::default() };
    let shape = LinearShape { batch: b, seq: t, hidden: d, vocab: v };
    let input = LinearInput { hidden: &hidden, weight: &weight, bias: None, labels: &labels };
    let out = linear_cross_entropy(shape, input, &o, CpuKernel::Simd).unwrap();
    let gh = out.grad_hidden.unwrap();
    // Row 1 predicts the ignored label at t = 2; rows 3 and 7 are the sequences' last positions.
    for row in [1, 3, 7] {
        assert!(
            gh[row * d..(row + 1) * d].iter().all(|&x| x == 0.0),
            "row {row}: {:?}",
            &gh[row * d..(row + 1) * d]
        );
    }
    for row in [0, 2, 4, 5, 6] {
        assert!(gh[row * d..(row + 1) * d].iter().any(|&x| x != 0.0), "row {row} is scored");
    }
    assert!(out.grad_bias.is_none());
}

#[test]
fn refusals_name_the_tensor_and_come_before_any_work() {
    let dims_err = |d: &[f64]| LinearShape::from_dims(d).unwrap_err().to_string();
    assert!(dims_err(&[2.0, 3.0]).contains("[B, T, D, V] or [N, D, V]"));
    assert!(dims_err(&[1.0, 2.0, 3.0, 4.0, 5.0]).contains("[B, T, D, V] or [N, D, V]"));
    assert!(dims_err(&[4.0, 0.0, 7.0]).contains("D (hidden size)"));
    assert!(dims_err(&[0.0, 3.0, 7.0]).contains("N (positions)"));
    assert!(dims_err(&[2.0, 3.0, 4.0, 0.0]).contains("V (vocabulary size)"));
    assert!(dims_err(&[2.0, 0.0, 4.0, 5.0]).contains("T (sequence length)"));
    assert!(dims_err(&[1.5, 3.0, 7.0]).contains("integers"));
    // hidden alone would be 2^33 elements; weight alone 2^34.
    assert!(dims_err(&[65536.0, 65536.0, 2.0]).contains("2^32"));
    assert!(dims_err(&[4.0, 65536.0, 262144.0]).contains("2^32"));

    let shape = LinearShape::from_dims(&[2.0, 3.0, 4.0]).unwrap();
    let (h, w, b, y) = (vec![0.0; 6], vec![0.0; 12], vec![0.0; 4], vec![0, 1]);
    let run = |hidden: &[f32], weight: &[f32], bias: Option<&[f32]>, labels: &[i32]| {
        let input = LinearInput { hidden, weight, bias, labels };
        linear_cross_entropy(shape, input, &CrossEntropy::default(), CpuKernel::Simd).map(|_| ())
    };
    assert!(run(&h, &w, Some(&b), &y).is_ok());
    let msg = |r: losslab::Result<()>| r.unwrap_err().to_string();
    assert!(msg(run(&h[..5], &w, None, &y)).starts_with("hidden has 5 elements"));
    assert!(msg(run(&h, &w[..11], None, &y)).starts_with("weight has 11 elements"));
    assert!(msg(run(&h, &w, Some(&b[..3]), &y)).starts_with("bias has 3 elements"));
    assert!(msg(run(&h, &w, None, &y[..1])).starts_with("labels has 1 elements"));
    assert!(msg(run(&h, &w, None, &[0, 4])).contains("out of range"));
    let torch_none = CrossEntropy {
        semantics: losslab::loss::Semantics::Torch,
        reduction: losslab::loss::Reduction::None,
        grad: true,
        ..CrossEntropy::default()
    };
    let input = LinearInput { hidden: &h, weight: &w, bias: None, labels: &y };
    assert!(linear_cross_entropy(shape, input, &torch_none, CpuKernel::Simd)
        .unwrap_err()
        .to_string()
        .contains("grad"));
}
