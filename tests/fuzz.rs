//! Bounded-time fuzzing of everything a caller controls: option objects (as JSON, decoded with
//! the same serde structs the JS bindings use), dims, labels, logits with non-finite values,
//! and the padding and objective utilities. Every input must give `Ok` or a described `Err`,
//! never a panic. `LOSSLAB_FUZZ_SECONDS` sets the budget per target (default 3).
#![cfg(not(target_arch = "wasm32"))]

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::time::{Duration, Instant};

use losslab::cpu::CpuKernel;
use losslab::js::options::{CollateOptions, CrossEntropyOptions, LabelOptions, MlmOptions, MseOptions};
use losslab::loss::cross_entropy;
use losslab::objectives::{clm_labels, mlm_mask, mse, sft_labels, SplitMix64};
use losslab::padding::{align_labels, collate, mask_prompt, pad_to_target_len, Example};
use losslab::shape::{logits_shape, matrix_shape};
use ndarray::{ArrayView2, ArrayView3};
use serde_json::{json, Value};

fn budget() -> Duration {
    let secs = std::env::var("LOSSLAB_FUZZ_SECONDS").ok().and_then(|s| s.parse().ok()).unwrap_or(3.0);
    Duration::from_secs_f64(secs)
}

/// Runs `one` on fresh seeds until the budget is spent; panics with the seed that panicked.
fn fuzz(name: &str, one: impl Fn(&mut SplitMix64)) -> u64 {
    let start = Instant::now();
    let mut runs = 0u64;
    while start.elapsed() < budget() {
        let seed = runs ^ 0x5EED_0000;
        let result = catch_unwind(AssertUnwindSafe(|| one(&mut SplitMix64::new(seed))));
        assert!(result.is_ok(), "{name}: seed {seed} panicked");
        runs += 1;
    }
    println!("fuzz {name}: {runs} executions in {:.1} s", start.elapsed().as_secs_f64());
    assert!(runs > 100, "{name}: only {runs} executions");
    runs
}

fn pick<'a, T>(rng: &mut SplitMix64, xs: &'a [T]) -> &'a T {
    &xs[(rng.next_u64() % xs.len() as u64) as usize]
}

/// Numbers that break naive code: signs, zeros, fractions, huge, non-finite.
fn wild_number(rng: &mut SplitMix64) -> f64 {
    *pick(
        rng,
        &[
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1.5,
            -100.0,
            3.0,
            7.0,
            1e9,
            -1e9,
            4294967296.0,
            2147483648.0,
            1e300,
            f64::MIN_POSITIVE,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ],
    )
}

fn wild_value(rng: &mut SplitMix64, depth: u32) -> Value {
    match rng.next_u64() % if depth > 1 { 5 } else { 7 } {
        0 => Value::Null,
        1 => Value::Bool(rng.next_u64().is_multiple_of(2)),
        2 | 3 => {
            let x = wild_number(rng);
            if x.is_finite() {
                json!(x)
            } else {
                json!(x.to_string())
            }
        }
        4 => json!(*pick(
            rng,
            &["hf", "torch", "mean", "sum", "none", "left", "right", "simd", "scalar", "", "ü"]
        )),
        5 => Value::Array((0..rng.next_u64() % 5).map(|_| wild_value(rng, depth + 1)).collect()),
        _ => {
            let mut m = serde_json::Map::new();
            for _ in 0..rng.next_u64() % 3 {
                m.insert("epsilon".into(), wild_value(rng, depth + 1));
            }
            Value::Object(m)
        }
    }
}

/// An options object: mostly known keys with wild or plausible values, sometimes junk keys.
fn wild_options(rng: &mut SplitMix64, keys: &[&str]) -> Value {
    let mut m = serde_json::Map::new();
    for _ in 0..rng.next_u64() % 6 {
        let key = if rng.next_u64().is_multiple_of(10) { "epsilonn" } else { *pick(rng, keys) };
        m.insert(key.into(), wild_value(rng, 0));
    }
    Value::Object(m)
}

const CE_KEYS: [&str; 11] = [
    "semantics",
    "epsilon",
    "ignoreIndex",
    "shiftLabels",
    "reduction",
    "numItemsInBatch",
    "classWeights",
    "zLossScale",
    "softcap",
    "grad",
    "kernel",
];

#[test]
fn fuzz_cross_entropy_options_and_inputs() {
    fuzz("crossEntropy", |rng| {
        let dims: Vec<f64> = (0..1 + rng.next_u64() % 3)
            .map(|_| {
                if rng.next_u64().is_multiple_of(8) {
                    wild_number(rng)
                } else {
                    (rng.next_u64() % 6) as f64
                }
            })
            .collect();
        let options = wild_options(rng, &CE_KEYS);
        let Ok(shape) = logits_shape(&dims) else { return };
        if shape.iter().product::<usize>() > 1 << 16 {
            return; // valid, but the harness would spend its budget filling it
        }
        let Ok(parsed) = serde_json::from_value::<CrossEntropyOptions>(options) else { return };
        let kernel =
            if parsed.kernel.as_deref() == Some("scalar") { CpuKernel::Scalar } else { CpuKernel::Simd };
        let Ok(mut opts) = parsed.into_core() else { return };
        // Weights of the right length sometimes, so the weighted paths run too.
        if rng.next_u64().is_multiple_of(3) {
            opts.class_weights = Some((0..shape[2]).map(|_| wild_number(rng) as f32).collect());
        }
        let [b, t, v] = shape;
        let specials = [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30, 0.0];
        let logits: Vec<f32> = (0..b * t * v)
            .map(|_| {
                if rng.next_u64().is_multiple_of(20) {
                    *pick(rng, &specials)
                } else {
                    (rng.next_f64() as f32 - 0.5) * 20.0
                }
            })
            .collect();
        let labels: Vec<i32> = (0..b * t)
            .map(|_| match rng.next_u64() % 6 {
                0 => -100,
                1 => *pick(rng, &[i32::MIN, i32::MAX, -1, v as i32, opts.ignore_index as i32]),
                _ => (rng.next_u64() % v as u64) as i32,
            })
            .collect();
        let l = ArrayView3::from_shape((b, t, v), &logits).unwrap();
        let y = ArrayView2::from_shape((b, t), &labels).unwrap();
        match cross_entropy(l, y, &opts, kernel) {
            Ok(out) => {
                assert_eq!(out.summary.per_token_loss.len(), b * t.saturating_sub(opts.shift_labels as usize))
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    });
}

#[test]
fn fuzz_padding_and_objectives() {
    fuzz("padding and objectives", |rng| {
        let dims: Vec<f64> = (0..1 + rng.next_u64() % 3)
            .map(|_| {
                if rng.next_u64().is_multiple_of(8) {
                    wild_number(rng)
                } else {
                    (rng.next_u64() % 5) as f64
                }
            })
            .collect();
        let Ok([r, c]) = matrix_shape(&dims) else { return };
        if r * c > 1 << 16 {
            return; // valid, but the harness would spend its budget filling it
        }
        let ids: Vec<i32> = (0..r * c).map(|_| (rng.next_u64() % 12) as i32 - 2).collect();
        let view = ArrayView2::from_shape((r, c), &ids).unwrap();
        let len = (rng.next_u64() % 8) as usize;
        let _ = pad_to_target_len(view, len, -100);
        let _ = align_labels(view, len, 0);
        let _ = mask_prompt(view, len, 0);
        if let Ok(o) =
            serde_json::from_value::<LabelOptions>(wild_options(rng, &["padId", "ignoreIndex", "shift"]))
                .map_err(|e| e.to_string())
                .and_then(|o| o.into_core().map_err(|e| e.to_string()))
        {
            let _ = clm_labels(view, &o);
            let prompts: Vec<usize> =
                (0..r + (rng.next_u64() % 2) as usize).map(|_| (rng.next_u64() % 9) as usize).collect();
            let _ = sft_labels(view, &prompts, &o);
        }
        let mlm_keys =
            ["maskTokenId", "vocabSize", "probability", "maskReplaceProb", "randomReplaceProb", "seed"];
        if let Ok(Ok(o)) =
            serde_json::from_value::<MlmOptions>(wild_options(rng, &mlm_keys)).map(|o| o.into_core())
        {
            let _ = mlm_mask(view, &o);
        }
        let collate_keys = ["padId", "labelPadId", "paddingSide", "padToMultipleOf"];
        if let Ok(Ok(o)) =
            serde_json::from_value::<CollateOptions>(wild_options(rng, &collate_keys)).map(|o| o.into_core())
        {
            let examples: Vec<Example> = (0..rng.next_u64() % 4)
                .map(|_| Example {
                    input_ids: ids.iter().take((rng.next_u64() % 6) as usize).copied().collect(),
                    labels: (rng.next_u64().is_multiple_of(2))
                        .then(|| vec![1; (rng.next_u64() % 4) as usize]),
                })
                .collect();
            let _ = collate(&examples, &o);
        }
        if let Ok(Ok((reduction, grad))) =
            serde_json::from_value::<MseOptions>(wild_options(rng, &["reduction", "grad"]))
                .map(|o| o.into_core())
        {
            let n = (rng.next_u64() % 5) as usize;
            let pred: Vec<f32> = (0..n).map(|_| wild_number(rng) as f32).collect();
            let target: Vec<f32> =
                (0..n + (rng.next_u64() % 2) as usize).map(|_| wild_number(rng) as f32).collect();
            let _ = mse(&pred, &target, reduction, grad);
        }
    });
}
