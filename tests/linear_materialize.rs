//! `linear_cross_entropy_materialized` (the `[N, V]` path kept for comparison) against PyTorch's
//! goldens (tests/golden/linear.json) and against the fused path on the same inputs, with the
//! goldens' bars; and its refusal of logits that cannot be allocated.

use losslab::cpu::CpuKernel;
use losslab::hash::hash_logits;
use losslab::js::options::CrossEntropyOptions;
use losslab::loss::linear::linear_cross_entropy_materialized;
use losslab::loss::{linear_cross_entropy, CrossEntropy, LinearInput, LinearOutput, LinearShape};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const GOLDEN: &str = include_str!("golden/linear.json");
/// The bars tests/linear.rs holds the fused path to: the loss within 1e-5 relative, every
/// gradient entry within 1e-4 of its tensor's largest magnitude.
const LOSS_REL: f64 = 1e-5;
const GRAD_OF_MAX: f64 = 1e-4;

fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

/// Relative error with a floor on the denominator; equal non-finite values agree.
fn rel(got: f64, want: f64, floor: f64) -> f64 {
    if !got.is_finite() || !want.is_finite() {
        let same = (got.is_nan() && want.is_nan()) || got == want;
        return if same { 0.0 } else { f64::INFINITY };
    }
    (got - want).abs() / want.abs().max(floor)
}

/// The worst entry of `got` off `want`, as a fraction of `want`'s largest magnitude.
fn grad_err(got: &[f32], want: &[f64]) -> f64 {
    assert_eq!(got.len(), want.len());
    let max = want.iter().fold(0.0f64, |m, x| m.max(x.abs()));
    got.iter().zip(want).map(|(&g, &w)| (g as f64 - w).abs() / max).fold(0.0, f64::max)
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

fn golden_cases() -> Vec<Case> {
    let all: Value = serde_json::from_str(GOLDEN).expect("linear.json parses");
    let hashed = |spec: &Value, len: usize| {
        hash_logits(len, spec["seed"].as_u64().unwrap() as u32, spec["scale"].as_f64().unwrap())
    };
    all["linear"]
        .as_array()
        .expect("a linear table")
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

/// The materialised path's loss terms and gradients against the golden; the worst errors.
fn against_golden(case: &Case, out: &LinearOutput) -> (f64, f64) {
    let (name, e, s) = (&case.name, &case.expected, &out.loss.summary);
    let mut worst_loss = 0.0f64;
    if let Some(l) = s.loss {
        worst_loss = rel(l, num(&e["loss"]), 1e-12);
    } else {
        assert!(e["loss"].is_null(), "{name}: no loss but the golden has one");
    }
    for (what, got) in [("nll", s.nll), ("smooth", s.smooth)] {
        worst_loss = worst_loss.max(rel(got, num(&e[what]), 1e-12));
    }
    assert!(worst_loss <= LOSS_REL, "{name}: loss terms off by {worst_loss:.2e}");
    assert_eq!(out.loss.num_active as u64, e["numActive"].as_u64().unwrap(), "{name}: numActive");
    assert!(out.loss.grad.is_none(), "{name}: the logits gradient is not returned");
    let mut worst_grad = 0.0f64;
    for (what, got) in
        [("gradHidden", &out.grad_hidden), ("gradWeight", &out.grad_weight), ("gradBias", &out.grad_bias)]
    {
        let (Some(got), Some(want)) = (got, e.get(what)) else {
            assert_eq!(got.is_some(), e.get(what).is_some(), "{name}: {what} presence");
            continue;
        };
        let err = match want.as_array() {
            Some(all) => grad_err(got, &all.iter().map(num).collect::<Vec<_>>()),
            // Large cases keep sampled entries and the largest magnitude.
            None => {
                let max = num(&want["maxAbs"]);
                let samples = want["samples"].as_array().unwrap();
                samples
                    .iter()
                    .map(|s| (got[s[0].as_u64().unwrap() as usize] as f64 - num(&s[1])).abs() / max)
                    .fold(0.0, f64::max)
            }
        };
        assert!(err <= GRAD_OF_MAX, "{name}: {what} off by {err:.2e} of max |g|");
        worst_grad = worst_grad.max(err);
    }
    (worst_loss, worst_grad)
}

/// The two paths on the same inputs: loss terms and per-token values to the loss bar, every
/// gradient entry to the gradient bar (of the fused tensor's largest magnitude).
fn fused_vs_materialized(name: &str, fused: &LinearOutput, mat: &LinearOutput) -> (f64, f64) {
    let (f, m) = (&fused.loss.summary, &mat.loss.summary);
    let mut worst_loss = rel(m.nll, f.nll, 1e-12).max(rel(m.smooth, f.smooth, 1e-12));
    if let (Some(a), Some(b)) = (m.loss, f.loss) {
        worst_loss = worst_loss.max(rel(a, b, 1e-12));
    }
    assert_eq!(m.loss.is_some(), f.loss.is_some(), "{name}: reduced loss presence");
    assert_eq!(m.per_token_loss.len(), f.per_token_loss.len(), "{name}: per-token length");
    for (&a, &b) in m.per_token_loss.iter().zip(&f.per_token_loss) {
        worst_loss = worst_loss.max(rel(a as f64, b as f64, 1.0));
    }
    assert_eq!(mat.loss.num_active, fused.loss.num_active, "{name}: numActive");
    assert!(worst_loss <= LOSS_REL, "{name}: materialised loss off the fused one by {worst_loss:.2e}");
    let mut worst_grad = 0.0f64;
    for (what, a, b) in [
        ("gradHidden", &mat.grad_hidden, &fused.grad_hidden),
        ("gradWeight", &mat.grad_weight, &fused.grad_weight),
        ("gradBias", &mat.grad_bias, &fused.grad_bias),
    ] {
        assert_eq!(a.is_some(), b.is_some(), "{name}: {what} presence");
        if let (Some(a), Some(b)) = (a, b) {
            let want: Vec<f64> = b.iter().map(|&x| x as f64).collect();
            let err = grad_err(a, &want);
            assert!(err <= GRAD_OF_MAX, "{name}: {what} off the fused one by {err:.2e} of max |g|");
            worst_grad = worst_grad.max(err);
        }
    }
    (worst_loss, worst_grad)
}

#[test]
fn materialized_meets_the_goldens_and_agrees_with_the_fused_path() {
    let (mut golden_loss, mut golden_grad, mut pair_loss, mut pair_grad) = (0.0f64, 0.0f64, 0.0f64, 0.0f64);
    let cases = golden_cases();
    assert!(cases.len() >= 10, "the golden table lost cases: {}", cases.len());
    for case in &cases {
        for kernel in [CpuKernel::Simd, CpuKernel::Scalar] {
            let mat = linear_cross_entropy_materialized(case.shape, case.input(), &case.options, kernel)
                .unwrap_or_else(|e| panic!("{}: {e}", case.name));
            let fused = linear_cross_entropy(case.shape, case.input(), &case.options, kernel).unwrap();
            let (l, g) = against_golden(case, &mat);
            golden_loss = golden_loss.max(l);
            golden_grad = golden_grad.max(g);
            let (l, g) = fused_vs_materialized(&case.name, &fused, &mat);
            pair_loss = pair_loss.max(l);
            pair_grad = pair_grad.max(g);
        }
    }
    println!(
        "materialised vs goldens: loss {golden_loss:.2e}, gradients {golden_grad:.2e} of max |g|; \
         vs fused: loss {pair_loss:.2e}, gradients {pair_grad:.2e}"
    );
}

#[test]
fn forward_only_returns_no_gradients() {
    let case = &golden_cases()[0];
    let o = CrossEntropy { grad: false, ..case.options.clone() };
    let out = linear_cross_entropy_materialized(case.shape, case.input(), &o, CpuKernel::Simd).unwrap();
    assert!(out.grad_hidden.is_none() && out.grad_weight.is_none() && out.grad_bias.is_none());
    let fused = linear_cross_entropy(case.shape, case.input(), &o, CpuKernel::Simd).unwrap();
    assert!(rel(out.loss.summary.nll, fused.loss.summary.nll, 1e-12) <= LOSS_REL);
}

#[test]
fn logits_too_large_to_allocate_are_refused_before_any_work() {
    // 65 536 × 65 536 logits are 16 GiB of f32: hidden and weight are only 256 KiB each.
    let (n, d, v) = (65536usize, 1usize, 65536usize);
    let shape = LinearShape { batch: 1, seq: n, hidden: d, vocab: v };
    let (hidden, weight, labels) = (vec![0.5f32; n * d], vec![0.25f32; v * d], vec![1i32; n]);
    let input = LinearInput { hidden: &hidden, weight: &weight, bias: None, labels: &labels };
    let o = CrossEntropy { grad: true, ..CrossEntropy::default() };
    let err = linear_cross_entropy_materialized(shape, input, &o, CpuKernel::Simd).unwrap_err().to_string();
    assert!(err.contains("materialised logits"), "{err}");
    // Bad lengths still name the tensor first, as on the fused path.
    let short = LinearInput { hidden: &hidden[..5], ..input };
    let err = linear_cross_entropy_materialized(shape, short, &o, CpuKernel::Simd).unwrap_err().to_string();
    assert!(err.starts_with("hidden has 5 elements"), "{err}");
}
