//! The analytics golden table (temperature, entropy, rank, lse, argmax, accuracy, perplexity,
//! from PyTorch) on both CPU kernels and through the streamed path; native and in the browser.

mod common;

use std::ops::Range;

use losslab::cpu::CpuKernel;
use losslab::loss::{cross_entropy_streamed, CrossEntropyOutput, RowStream};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const ANALYTICS: &str = include_str!("golden/analytics.json");
/// Entropy and lse are f32 per token: held like per-token losses (1e-6, absolute under 1).
const STAT_REL: f64 = 1e-6;

fn cases() -> Vec<Value> {
    let all: Value = serde_json::from_str(ANALYTICS).expect("analytics.json parses");
    all["cases"].as_array().expect("cases").clone()
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array().expect("array").iter().map(|x| x.as_i64().expect("integer")).collect()
}

fn same_or_close(got: f64, want: f64, rel: f64) -> bool {
    common::rel_err(got, want, 1.0) <= rel
}

/// Every analytics violation of `out` against the case; the worst relative error of a float
/// statistic goes to `worst`.
fn check_analytics(case: &Value, out: &CrossEntropyOutput, worst: &mut f64) -> Vec<String> {
    let name = case["name"].as_str().unwrap();
    let e = &case["expected"];
    let a = &out.analytics;
    let mut bad = Vec::new();
    for (what, got) in [("accuracy", a.accuracy), ("perplexity", a.perplexity)] {
        let want = common::num(&e[what]);
        let err = common::rel_err(got, want, 1e-12);
        *worst = worst.max(err);
        if err > STAT_REL {
            bad.push(format!("{name}: {what} {got} vs {want}"));
        }
    }
    let stats = case["options"]["stats"].as_array().map_or(0, Vec::len);
    for (field, got) in [("perTokenEntropy", &a.per_token_entropy), ("perTokenLse", &a.per_token_lse)] {
        match (got, stats > 0) {
            (Some(got), true) => {
                for (i, (&g, w)) in common::paired(field, got, &common::nums(&e[field])).enumerate() {
                    if !same_or_close(g as f64, *w, STAT_REL) {
                        bad.push(format!("{name}: {field}[{i}] {g} vs {w}"));
                    }
                    if w.is_finite() {
                        *worst = worst.max(common::rel_err(g as f64, *w, 1.0));
                    }
                }
            }
            (None, false) => {}
            (got, _) => {
                bad.push(format!("{name}: {field} present: {}, asked for: {}", got.is_some(), stats > 0))
            }
        }
    }
    for (field, got) in [("perTokenRank", &a.per_token_rank), ("predicted", &a.predicted)] {
        match (got, stats > 0) {
            (Some(got), true) => {
                let want = ints(&e[field]);
                let got: Vec<i64> = got.iter().map(|&x| x as i64).collect();
                if got != want {
                    bad.push(format!("{name}: {field} {got:?} vs {want:?}"));
                }
            }
            (None, false) => {}
            (got, _) => {
                bad.push(format!("{name}: {field} present: {}, asked for: {}", got.is_some(), stats > 0))
            }
        }
    }
    bad
}

fn run_table(kernel: CpuKernel) {
    let (mut worst, mut worst_stat, mut bad, mut ran) = (common::Worst::default(), 0.0f64, Vec::new(), 0);
    for case in cases() {
        let out = common::run(&case, kernel).unwrap_or_else(|e| panic!("{}: {e}", case["name"]));
        bad.extend(common::check(&case, &common::Reported::from(&out), &mut worst));
        bad.extend(check_analytics(&case, &out, &mut worst_stat));
        ran += 1;
    }
    println!("{} worst: {worst:?}, analytics {worst_stat:.3e}", kernel.name());
    assert!(ran >= 21, "only {ran} cases");
    assert!(bad.is_empty(), "{} violations on {}:\n{}", bad.len(), kernel.name(), bad.join("\n"));
}

#[test]
fn analytics_golden_simd() {
    run_table(CpuKernel::Simd);
}

#[test]
fn analytics_golden_scalar() {
    run_table(CpuKernel::Scalar);
}

/// Logits in a plain vector, as the streamed path reads a JS array.
struct Slices {
    logits: Vec<f32>,
    grad: Vec<f32>,
    v: usize,
}

impl RowStream for Slices {
    fn read(&mut self, rows: Range<usize>, out: &mut [f32]) {
        out.copy_from_slice(&self.logits[rows.start * self.v..rows.end * self.v]);
    }
    fn write_grad(&mut self, rows: Range<usize>, grad: &[f32]) {
        self.grad[rows.start * self.v..rows.end * self.v].copy_from_slice(grad);
    }
    fn zero_grad(&mut self, rows: Range<usize>) {
        self.grad[rows.start * self.v..rows.end * self.v].fill(0.0);
    }
}

#[test]
fn the_streamed_path_reports_the_same_analytics_bit_for_bit() {
    let bits32 = |x: &Option<Vec<f32>>| x.as_ref().map(|v| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>());
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let input = common::input(&case);
        let opts = common::options(&case);
        let want = common::run(&case, CpuKernel::Simd).unwrap();
        let mut io = Slices {
            logits: input.logits.clone(),
            grad: vec![f32::NAN; input.logits.len()],
            v: input.dims[2],
        };
        let got = cross_entropy_streamed(input.dims, &input.labels, &opts, CpuKernel::Simd, &mut io).unwrap();
        let (g, w) = (&got.analytics, &want.analytics);
        assert_eq!(g.accuracy.to_bits(), w.accuracy.to_bits(), "{name}");
        assert_eq!(g.perplexity.to_bits(), w.perplexity.to_bits(), "{name}");
        assert_eq!(bits32(&g.per_token_entropy), bits32(&w.per_token_entropy), "{name}");
        assert_eq!(bits32(&g.per_token_lse), bits32(&w.per_token_lse), "{name}");
        assert_eq!((&g.per_token_rank, &g.predicted), (&w.per_token_rank, &w.predicted), "{name}");
        if let Some(grad) = &want.grad {
            let b = |x: &[f32]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
            assert_eq!(b(&io.grad), b(grad), "{name}: gradient");
        }
    }
}

#[test]
fn asking_for_stats_changes_no_bit_of_the_loss() {
    // Statistics read the row again; nothing the loss reports may move when they are asked for.
    for case in cases() {
        let name = case["name"].as_str().unwrap();
        let input = common::input(&case);
        let [b, t, v] = input.dims;
        let run = |o: &losslab::loss::CrossEntropy| {
            losslab::loss::cross_entropy(
                ndarray::ArrayView3::from_shape((b, t, v), &input.logits).unwrap(),
                ndarray::ArrayView2::from_shape((b, t), &input.labels).unwrap(),
                o,
                CpuKernel::Simd,
            )
            .unwrap()
        };
        let opts = common::options(&case);
        let plain = losslab::loss::CrossEntropy { stats: Default::default(), ..opts.clone() };
        let (with, without) = (run(&opts), run(&plain));
        assert_eq!(format!("{:?}", with.summary), format!("{:?}", without.summary), "{name}");
        assert_eq!(with.grad, without.grad, "{name}");
        assert_eq!(with.analytics.accuracy.to_bits(), without.analytics.accuracy.to_bits(), "{name}");
        assert_eq!(with.analytics.perplexity.to_bits(), without.analytics.perplexity.to_bits(), "{name}");
    }
}
