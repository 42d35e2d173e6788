//! Measures one engine's two backends on a probe, so "auto" routes each call by size from
//! numbers taken on this machine rather than from a guess. The cross-entropy probe runs once,
//! when an "auto" engine gets a device; the linear one on its first linear call that could go to
//! the GPU. A few milliseconds each on a real GPU.

use js_sys::{Float32Array, Reflect};
use ndarray::{ArrayView2, ArrayView3};
use wasm_bindgen::JsValue;

use super::device::GpuContext;
use super::run::{self, GradDst, LogitsRef};
use crate::cpu::CpuKernel;
use crate::engine::{Calibration, Costs};
use crate::hash;
use crate::loss::{self, CrossEntropy, Plan, Semantics};

/// Probe rows of `PROBE_VOCAB` logits: a small call (the GPU's fixed cost shows) and a large one
/// (its per-logit cost shows). 32 000 is a common vocabulary; 64 rows are 8 MB of logits.
const PROBE_VOCAB: usize = 32_000;
const SMALL_ROWS: usize = 2;
const LARGE_ROWS: usize = 64;

fn now_ms() -> f64 {
    let performance = Reflect::get(&js_sys::global(), &"performance".into()).unwrap_or(JsValue::UNDEFINED);
    Reflect::get(&performance, &"now".into())
        .ok()
        .and_then(|now| js_sys::Function::from(now).call0(&performance).ok())
        .and_then(|t| t.as_f64())
        .unwrap_or_else(js_sys::Date::now)
}

/// Fits forward-only and with-gradient cost models from timed probe calls (each timed call the
/// faster of two, so buffer creation and pipeline warm-up are not counted).
pub async fn calibrate(gpu: &GpuContext) -> Result<Calibration, String> {
    let n_small = SMALL_ROWS * PROBE_VOCAB;
    let n_large = LARGE_ROWS * PROBE_VOCAB;
    let logits = hash::hash_logits(n_large, 7, 4.0);
    let labels = hash::hash_labels(LARGE_ROWS, PROBE_VOCAB, 8, -100);
    let js_logits = Float32Array::from(&logits[..]);
    let mut costs = [None, None];
    for (slot, grad) in costs.iter_mut().zip([false, true]) {
        let opts = CrossEntropy { semantics: Semantics::Torch, epsilon: 0.1, grad, ..Default::default() };
        let gpu_ms = |rows: usize| {
            let (opts, js_logits, labels) = (opts.clone(), js_logits.clone(), &labels);
            async move {
                let plan =
                    Plan::new([1, rows, PROBE_VOCAB], &labels[..rows], &opts).map_err(|e| e.to_string())?;
                let part = js_logits.subarray(0, (rows * PROBE_VOCAB) as u32);
                let grad_js = Float32Array::new_with_length((rows * PROBE_VOCAB) as u32);
                let mut best = f64::INFINITY;
                for _ in 0..2 {
                    let dst = if grad { GradDst::Js(&grad_js) } else { GradDst::None };
                    let start = now_ms();
                    run::cross_entropy(gpu, &plan, LogitsRef::Js(&part), dst).await?;
                    best = best.min(now_ms() - start);
                }
                Ok::<f64, String>(best)
            }
        };
        let large = gpu_ms(LARGE_ROWS).await?;
        let small = gpu_ms(SMALL_ROWS).await?;
        // The CPU as a casual call runs it: copy in, compute, the gradient copied out.
        let mut cpu = f64::INFINITY;
        for _ in 0..2 {
            let start = now_ms();
            let mut copy = vec![0.0f32; n_large];
            js_logits.copy_to(&mut copy);
            let view =
                ArrayView3::from_shape((1, LARGE_ROWS, PROBE_VOCAB), &copy[..]).map_err(|e| e.to_string())?;
            let labels = ArrayView2::from_shape((1, LARGE_ROWS), &labels[..]).map_err(|e| e.to_string())?;
            let out = loss::cross_entropy(view, labels, &opts, CpuKernel::Simd).map_err(|e| e.to_string())?;
            if let Some(g) = &out.grad {
                let _ = Float32Array::from(&g[..]);
            }
            cpu = cpu.min(now_ms() - start);
        }
        *slot = Some(Costs::fit(n_small, n_large, cpu, small, large));
    }
    let [Some(forward), Some(gradient)] = costs else { unreachable!("both kinds were measured") };
    Ok(Calibration { forward, gradient })
}

/// The linear probe: `[N, D] · [V, D]ᵀ` at two N (the GPU's fixed cost, then its cost per
/// multiply-add), the CPU at the larger one. 64 × 64 × 4096 is 16.8 M multiply-adds: tens of
/// milliseconds on the CPU, a few on a real GPU.
const LINEAR_D: usize = 64;
const LINEAR_V: usize = 4096;
const LINEAR_SMALL_ROWS: usize = 4;
const LINEAR_LARGE_ROWS: usize = 64;

/// Fits `linearCrossEntropy`'s cost models (forward-only and with gradients) in multiply-adds of
/// the logits product, from probe calls timed on both backends, each the faster of two. Run once
/// per engine, on its first linear call that "auto" could send to the GPU.
pub async fn calibrate_linear(gpu: &GpuContext) -> Result<Calibration, String> {
    use crate::engine::{finish_linear_gpu, gather_scored, scored_rows};
    use crate::loss::{LinearInput, LinearShape};
    let (d, v) = (LINEAR_D, LINEAR_V);
    let hidden = hash::hash_logits(LINEAR_LARGE_ROWS * d, 11, 1.0);
    let weight = hash::hash_logits(v * d, 12, 0.125);
    // Every position scored, so multiply-adds are rows · D · V exactly.
    let labels: Vec<i32> = (0..LINEAR_LARGE_ROWS).map(|i| (i * 1543 % v) as i32).collect();
    let mut costs = [None, None];
    for (slot, grad) in costs.iter_mut().zip([false, true]) {
        let opts = CrossEntropy { epsilon: 0.1, grad, ..Default::default() };
        let mut gpu_ms = [0.0; 2];
        for (ms, rows) in gpu_ms.iter_mut().zip([LINEAR_SMALL_ROWS, LINEAR_LARGE_ROWS]) {
            let plan = Plan::new([1, rows, v], &labels[..rows], &opts).map_err(|e| e.to_string())?;
            let scored = scored_rows(&plan);
            let targets: Vec<u32> = scored.iter().map(|s| s.class).collect();
            let packed = gather_scored(&hidden, d, &scored).map_err(|e| e.to_string())?;
            let mut best = f64::INFINITY;
            for _ in 0..2 {
                let start = now_ms();
                let tensors = super::linear::LinearTensors {
                    hidden: &packed,
                    weight: &weight,
                    bias: None,
                    targets: &targets,
                    d,
                };
                let rows_out = super::linear::submit(gpu, &plan, &tensors)?.finish(gpu).await?;
                finish_linear_gpu(&plan, &scored, d, rows, rows_out).map_err(|e| e.to_string())?;
                best = best.min(now_ms() - start);
            }
            *ms = best;
        }
        let shape = LinearShape { batch: 1, seq: LINEAR_LARGE_ROWS, hidden: d, vocab: v };
        let input = LinearInput { hidden: &hidden, weight: &weight, bias: None, labels: &labels };
        let mut cpu = f64::INFINITY;
        for _ in 0..2 {
            let start = now_ms();
            loss::linear_cross_entropy(shape, input, &opts, CpuKernel::Simd).map_err(|e| e.to_string())?;
            cpu = cpu.min(now_ms() - start);
        }
        let macs = |rows: usize| rows * d * v;
        *slot = Some(Costs::fit(macs(LINEAR_SMALL_ROWS), macs(LINEAR_LARGE_ROWS), cpu, gpu_ms[0], gpu_ms[1]));
    }
    let [Some(forward), Some(gradient)] = costs else { unreachable!("both kinds were measured") };
    Ok(Calibration { forward, gradient })
}
