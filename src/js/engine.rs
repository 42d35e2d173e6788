//! `Engine`: the asynchronous face of losslab. It runs cross-entropy on WebGPU when the browser
//! has it and on the simd128 CPU kernel otherwise, and always says which ran and why.

use std::cell::RefCell;
use std::rc::Rc;

use js_sys::{Float32Array, Promise};
use wasm_bindgen::prelude::*;

use super::buffer::Logits;
use super::convert::{self, Builder};
use super::exports::{result_object, Call, CrossEntropyOptionsArg};
use super::options as opt;
use crate::cpu::{CpuKernel, RowStats};
use crate::error::{Error, Result};
use crate::gpu::device::{self, GpuContext};
use crate::gpu::run::{self, GradDst, LogitsRef};
use crate::loss::cross_entropy::{finish_grad_row, softcap_row, weighted_smooth};
use crate::loss::{notes, CrossEntropyOutput, Plan, RowResult};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Options of `Engine.create`. */
export interface EngineOptions {
  /** "auto" (default): WebGPU if available, else CPU, with the reason. "webgpu": WebGPU or
   *  reject. "cpu": the simd128 CPU kernel. */
  backend?: "auto" | "webgpu" | "cpu";
}

/** The adapter a WebGPU engine runs on. */
export interface AdapterInfo {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  isFallbackAdapter: boolean;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "EngineOptions")]
    pub type EngineOptionsArg;
}

/// Why a GPU call did not finish on the GPU.
enum GpuFailure {
    /// This input cannot run there (e.g. a row exceeds the buffer limits): CPU for this call.
    Unsupported(String),
    /// The device failed (lost, out of memory, an error): CPU from now on.
    Device(String),
}

struct State {
    gpu: RefCell<Option<Rc<GpuContext>>>,
    reason: RefCell<Option<String>>,
    /// The last call's promise: calls run one at a time, in order, sharing the device buffers.
    last: RefCell<Option<Promise>>,
}

/// Cross-entropy on WebGPU when available, otherwise on the CPU, asynchronously. `backend` says
/// which runs; `reason` says why it is not WebGPU when WebGPU was wanted. A device lost during a
/// call finishes that call on the CPU and switches the engine to the CPU.
#[wasm_bindgen]
pub struct Engine {
    state: Rc<State>,
}

#[wasm_bindgen]
impl Engine {
    /// Creates an engine. `backend: "webgpu"` rejects when WebGPU cannot be had; `"auto"`
    /// (default) falls back to the CPU and records why in `reason`.
    pub async fn create(options: Option<EngineOptionsArg>) -> Result<Engine, JsValue> {
        let o: opt::EngineOptions =
            convert::options("options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
        let backend = o.backend.as_deref().unwrap_or("auto");
        let (gpu, reason) = match backend {
            "cpu" => (None, None),
            "auto" | "webgpu" => match device::acquire().await {
                Ok(gpu) => (Some(Rc::new(gpu)), None),
                Err(why) if backend == "webgpu" => return Err(Error::WebGpuUnavailable(why).into()),
                Err(why) => (None, Some(why)),
            },
            other => {
                return Err(Error::Option {
                    name: "backend",
                    requirement: "\"auto\", \"webgpu\" or \"cpu\"",
                    got: format!("{other:?}"),
                }
                .into())
            }
        };
        let state = State { gpu: RefCell::new(gpu), reason: RefCell::new(reason), last: RefCell::new(None) };
        Ok(Engine { state: Rc::new(state) })
    }

    /// `"webgpu"` or `"cpu-simd"`: what the next call runs on.
    #[wasm_bindgen(getter, unchecked_return_type = "\"webgpu\" | \"cpu-simd\"")]
    pub fn backend(&self) -> String {
        if self.state.gpu.borrow().is_some() { "webgpu" } else { "cpu-simd" }.into()
    }

    /// Why the engine runs on the CPU although WebGPU was wanted (null otherwise).
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn reason(&self) -> JsValue {
        self.state.reason.borrow().as_deref().map_or(JsValue::NULL, JsValue::from_str)
    }

    /// The WebGPU adapter in use, or null.
    #[wasm_bindgen(getter, js_name = adapterInfo, unchecked_return_type = "AdapterInfo | null")]
    pub fn adapter_info(&self) -> JsValue {
        let gpu = self.state.gpu.borrow();
        let Some(gpu) = gpu.as_ref() else { return JsValue::NULL };
        let i = &gpu.info;
        Builder::new()
            .set("vendor", i.vendor.as_str())
            .set("architecture", i.architecture.as_str())
            .set("device", i.device.as_str())
            .set("description", i.description.as_str())
            .set("isFallbackAdapter", i.is_fallback_adapter)
            .build()
    }

    /// Cross-entropy with the same inputs, options and result as `crossEntropy`, on this
    /// engine's backend. `result.backend` says what ran; `result.fallbackReason` is set when this
    /// call ran on the CPU although the engine is WebGPU. Inputs are read when the call starts
    /// (calls run one at a time), so leave them unchanged until the promise settles.
    #[wasm_bindgen(js_name = crossEntropy, unchecked_return_type = "Promise<CrossEntropyResult>")]
    pub fn cross_entropy(
        &self,
        #[wasm_bindgen(unchecked_param_type = "CrossEntropyInput")] input: JsValue,
        options: Option<CrossEntropyOptionsArg>,
    ) -> Promise {
        let call = Call::decode(&input, &options.map_or(JsValue::UNDEFINED, JsValue::from));
        let state = self.state.clone();
        let previous = state.last.borrow_mut().take();
        let promise = wasm_bindgen_futures::future_to_promise(async move {
            if let Some(p) = previous {
                let _ = p.await; // its outcome belongs to its caller
            }
            let call = call?;
            Ok(run(&state, &call).await?)
        });
        self.state.last.replace(Some(promise.clone()));
        promise
    }
}

async fn run(state: &State, call: &Call) -> Result<JsValue> {
    let plan = Plan::new(call.shape, &call.labels, &call.options)?;
    let gpu = state.gpu.borrow().clone();
    let fallback = match gpu {
        None => None,
        Some(gpu) => match run_gpu(&gpu, &plan, call).await? {
            Ok(result) => return Ok(result),
            Err(GpuFailure::Unsupported(why)) => Some(why),
            Err(GpuFailure::Device(why)) => {
                state.gpu.replace(None);
                state.reason.replace(Some(why.clone()));
                Some(why)
            }
        },
    };
    let out = call.run_cpu()?;
    let result = result_object(&out, None);
    if let Some(why) = fallback {
        let _ = js_sys::Reflect::set(&result, &"fallbackReason".into(), &why.into());
    }
    Ok(result)
}

/// A JS `Float32Array` of `len` zeros, or an error if JS cannot allocate it.
fn js_f32_array(len: usize) -> Result<Float32Array> {
    let ctor = js_sys::Reflect::get(&js_sys::global(), &"Float32Array".into())
        .map_err(|_| Error::Parse("Float32Array is missing".into()))?;
    let args = js_sys::Array::of1(&JsValue::from_f64(len as f64));
    js_sys::Reflect::construct(ctor.unchecked_ref::<js_sys::Function>(), &args)
        .map(JsCast::unchecked_into)
        .map_err(|_| Error::OutOfMemory { what: "the gradient", bytes: len * 4 })
}

/// The outer `Result` is the caller's fault (an `Error` to throw); the inner one says whether
/// the GPU could do it.
async fn run_gpu(
    gpu: &GpuContext,
    plan: &Plan,
    call: &Call,
) -> Result<std::result::Result<JsValue, GpuFailure>> {
    let [_, _, vocab] = plan.shape;
    if let Err(why) = crate::gpu::rows_per_chunk(vocab, gpu.limits) {
        return Ok(Err(GpuFailure::Unsupported(why)));
    }
    let grad_js = match (call.options.grad, &call.grad_into) {
        (true, None) => Some(js_f32_array(call.logits.len())?),
        _ => None,
    };
    let grad = match (&grad_js, &call.grad_into) {
        (Some(a), _) => GradDst::Js(a),
        (None, Some(b)) if call.options.grad => GradDst::Wasm(b),
        _ => GradDst::None,
    };
    let logits = match &call.logits {
        Logits::Js(a) => LogitsRef::Js(a),
        Logits::Resident(b) => LogitsRef::Wasm(b),
    };
    let stats = match run::cross_entropy(gpu, plan, logits, grad).await {
        Ok(s) => s,
        Err(why) => return Ok(Err(GpuFailure::Device(why))),
    };
    let out = finish_on_host(plan, call, &stats, grad_js.as_ref())?;
    Ok(Ok(result_object(&out, grad_js.map(JsValue::from))))
}

/// Turns GPU row statistics into the result, recomputing on the CPU the rows that held NaN or
/// ±inf (PyTorch's semantics for those are exact there, and cheap: such rows are rare).
fn finish_on_host(
    plan: &Plan,
    call: &Call,
    gpu: &run::RowStatsGpu,
    grad_js: Option<&Float32Array>,
) -> Result<CrossEntropyOutput> {
    let v = plan.vocab();
    let opts = &plan.opts;
    let kernel = CpuKernel::Simd;
    let mut rows = Vec::with_capacity(plan.targets.len());
    for (p, target) in plan.targets.iter().enumerate() {
        let Some(class) = *target else {
            rows.push(None);
            continue;
        };
        let r = plan.logits_row(p);
        let label_raw = call.logits.value(r * v + class as usize);
        let label_logit = match opts.softcap {
            Some(cap) => cap * (label_raw as f64 / cap).tanh(),
            None => label_raw as f64,
        };
        let result = if gpu.nonfinite[r] == 0 {
            let [max, sum_exp, sum_gap, weighted_gap] = gpu.stats[r];
            let stats = RowStats { max, sum_exp: sum_exp as f64, sum_gap: sum_gap as f64 };
            let totals = stats.finish_with(v, || false);
            let weighted = match &opts.class_weights {
                Some(w) => {
                    let total: f64 = w.iter().map(|&x| x as f64).sum();
                    weighted_gap as f64 + total * (totals.lse - max as f64)
                }
                None => totals.smooth,
            };
            RowResult { lse: totals.lse, smooth: totals.smooth, weighted_smooth: weighted, label_logit }
        } else {
            let raw = call.logits.copy_range(r * v..(r + 1) * v);
            let mut row = raw.clone();
            if let Some(cap) = opts.softcap {
                softcap_row(&raw, cap, &mut row);
            }
            let stats = kernel.row_stats(&row);
            let totals = stats.finish(&row);
            if opts.grad {
                let mut g = vec![0.0f32; v];
                finish_grad_row(plan, class, stats, totals.lse, &row, &mut g, kernel);
                match (grad_js, &call.grad_into) {
                    (Some(a), _) => a.set(&convert::f32_array(&g), (r * v) as u32),
                    (None, Some(b)) => b.borrow_mut()[r * v..(r + 1) * v].copy_from_slice(&g),
                    (None, None) => {}
                }
            }
            let weighted = match &opts.class_weights {
                Some(w) => weighted_smooth(&row, w, stats.max, totals.lse),
                None => totals.smooth,
            };
            RowResult { lse: totals.lse, smooth: totals.smooth, weighted_smooth: weighted, label_logit }
        };
        rows.push(Some(result));
    }
    let summary = plan.reduce(&rows);
    let notes = notes::explain(plan, &rows);
    Ok(CrossEntropyOutput {
        summary,
        num_active: plan.num_active,
        denominator: plan.denominator,
        grad: None,
        backend: "webgpu",
        notes,
    })
}
