//! `Engine` for JS: converts arguments and results around the backend-neutral core
//! (`crate::engine`: routing, GPU row finishing) and the WebGPU dispatch (`crate::gpu`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use js_sys::Promise;
use wasm_bindgen::prelude::*;

use super::buffer::{GradInto, Logits};
use super::convert::{self, Builder};
use super::exports::{result_object, Call, CrossEntropyOptionsArg};
use super::linear::{linear_result, LinearCall};
use super::options as opt;
use crate::engine::{self, Backend, Calibration, Costs, Request, Why};
use crate::error::{Error, Result};
use crate::gpu::device::{self, GpuContext};
use crate::gpu::linear::LinearTensors;
use crate::gpu::linear_plan::linear_rows_per_block;
use crate::gpu::run::{self, GradDst, LogitsRef};
use crate::loss::{LinearOutput, Plan};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Options of `Engine.create`. */
export interface EngineOptions {
  /** "auto" (default): a real GPU for the calls where this engine's calibration measured it
   *  faster (for `linearCrossEntropy`, a probe timed on the engine's first linear call), the CPU
   *  otherwise; software adapters (SwiftShader, llvmpipe, WARP, fallback
   *  adapters) are skipped, with the reason in `engine.reason`. "webgpu": WebGPU for every call
   *  on any adapter, or reject. "cpu": the simd128 CPU kernel. */
  backend?: "auto" | "webgpu" | "cpu";
  /** "auto" only: treat a software adapter like a real one (calibrate on it and route by the
   *  measurement) instead of skipping it. Default false. */
  allowSoftwareAdapter?: boolean;
}

/** One kind of call's measured costs: the CPU `cpuNsPerLogit · n` ms·1e-6, the GPU
 *  `gpuFixedMs + gpuNsPerLogit · n · 1e-6` ms; `crossoverLogits` is the smallest call the GPU
 *  finishes sooner (null: never). */
export interface CallCosts {
  cpuNsPerLogit: number;
  gpuFixedMs: number;
  gpuNsPerLogit: number;
  crossoverLogits: number | null;
}

/** What an "auto" engine measured when it got its device (see `Engine.calibration`). */
export interface EngineCalibration {
  forward: CallCosts;
  gradient: CallCosts;
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

struct State {
    request: Request,
    gpu: RefCell<Option<Rc<GpuContext>>>,
    /// What "auto" measured when it got the device (none for "webgpu" and "cpu").
    calibration: Option<Calibration>,
    /// What an "auto" engine's linear probe measured, on its first linear call that could run
    /// on the GPU (in multiply-adds of the logits product).
    linear_calibration: Cell<Option<Calibration>>,
    /// Why the engine holds no GPU although one was wanted.
    reason: RefCell<Option<Why>>,
    /// The last call's promise: calls run one at a time, in order, sharing the device buffers.
    last: RefCell<Option<Promise>>,
}

/// Cross-entropy on WebGPU or on the CPU, asynchronously, routed per call. `backend` says what
/// the engine holds, `reason` why it holds no GPU; each result's `backend` and `backendReason`
/// say what ran that call and why. A device lost during a call finishes that call on the CPU and
/// switches the engine to the CPU.
#[wasm_bindgen]
pub struct Engine {
    state: Rc<State>,
}

#[wasm_bindgen]
impl Engine {
    /// Creates an engine. `backend: "webgpu"` rejects when WebGPU cannot be had; `"auto"`
    /// (default) skips software adapters, calibrates on a real one, and falls back to the CPU
    /// with the reason in `reason`.
    pub async fn create(options: Option<EngineOptionsArg>) -> Result<Engine, JsValue> {
        let o: opt::EngineOptions =
            convert::options("options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
        let request = Request::parse(o.backend.as_deref())?;
        let allow_software = o.allow_software_adapter.unwrap_or(false);
        let (mut gpu, mut reason, mut calibration) = (None, None, None);
        if request != Request::Cpu {
            match device::acquire(request, allow_software).await {
                Ok(g) => gpu = Some(Rc::new(g)),
                Err(why) if request == Request::WebGpu => {
                    return Err(Error::WebGpuUnavailable(why.text).into())
                }
                Err(why) => reason = Some(why),
            }
        }
        if let (Request::Auto, Some(g)) = (request, &gpu) {
            match crate::gpu::calibrate::calibrate(g).await {
                Ok(c) => calibration = Some(c),
                Err(why) => {
                    gpu = None;
                    reason = Some(Why::failure(
                        "calibration-failed",
                        "the GPU failed while this engine measured it",
                        why,
                    ));
                }
            }
        }
        let state = State {
            request,
            gpu: RefCell::new(gpu),
            calibration,
            linear_calibration: Cell::new(None),
            reason: RefCell::new(reason),
            last: RefCell::new(None),
        };
        Ok(Engine { state: Rc::new(state) })
    }

    /// `"webgpu"` when the engine holds a GPU device (calls still route by size under "auto"),
    /// `"cpu-simd"` otherwise.
    #[wasm_bindgen(getter, unchecked_return_type = "\"webgpu\" | \"cpu-simd\"")]
    pub fn backend(&self) -> String {
        let held = if self.state.gpu.borrow().is_some() { Backend::WebGpu } else { Backend::CpuSimd };
        held.name().into()
    }

    /// Why the engine holds no GPU although WebGPU was wanted (null otherwise).
    #[wasm_bindgen(getter, unchecked_return_type = "string | null")]
    pub fn reason(&self) -> JsValue {
        self.state.reason.borrow().as_ref().map_or(JsValue::NULL, |w| JsValue::from_str(&w.text))
    }

    /// `reason`'s stable code (`"no-webgpu"`, `"software-adapter"`, …; null with no reason).
    #[wasm_bindgen(getter, js_name = reasonCode, unchecked_return_type = "string | null")]
    pub fn reason_code(&self) -> JsValue {
        self.state.reason.borrow().as_ref().map_or(JsValue::NULL, |w| JsValue::from_str(w.code))
    }

    /// The values `reason` names, by name (`{ adapter: "SwiftShader" }`; null with no reason).
    #[wasm_bindgen(getter, js_name = reasonParams, unchecked_return_type = "Record<string, string> | null")]
    pub fn reason_params(&self) -> JsValue {
        self.state.reason.borrow().as_ref().map_or(JsValue::NULL, params_object)
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

    /// What "auto" measured on this machine when it got its device (null without one).
    #[wasm_bindgen(getter, unchecked_return_type = "EngineCalibration | null")]
    pub fn calibration(&self) -> JsValue {
        let Some(c) = &self.state.calibration else { return JsValue::NULL };
        let costs = |k: &Costs| {
            Builder::new()
                .set("cpuNsPerLogit", k.cpu_ns_per_logit)
                .set("gpuFixedMs", k.gpu_fixed_ms)
                .set("gpuNsPerLogit", k.gpu_ns_per_logit)
                .set("crossoverLogits", k.crossover().map_or(JsValue::NULL, |n| JsValue::from_f64(n as f64)))
                .build()
        };
        Builder::new().set("forward", costs(&c.forward)).set("gradient", costs(&c.gradient)).build()
    }

    /// Cross-entropy with the same inputs, options and result as `crossEntropy`, on the backend
    /// this call is routed to. `result.backend` says what ran, `result.backendReason` why;
    /// `result.fallbackReason` is set when the GPU was chosen but the call finished on the CPU.
    /// Inputs are read when the call starts (calls run one at a time), so leave them unchanged
    /// until the promise settles.
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

    /// `linearCrossEntropy` with the same inputs, options and result, queued with this engine's
    /// other calls and routed like them: a "webgpu" engine runs it on the GPU (logits made and
    /// consumed block by block on the device, never all at once), a "cpu" engine or one without
    /// a GPU on the CPU (`backendReasonCode: "linear-cpu"`), and "auto" by its linear probe's
    /// crossover (`"linear-above-crossover"` / `"linear-below-crossover"`), timed on the first
    /// such call. Calls whose logits hold NaN or ±inf are finished on the CPU
    /// (`"linear-nonfinite-cpu"`), as are `materialize: true`, a temperature ≠ 1 and
    /// per-token statistics.
    #[wasm_bindgen(js_name = linearCrossEntropy, unchecked_return_type = "Promise<LinearCrossEntropyResult>")]
    pub fn linear_cross_entropy(
        &self,
        #[wasm_bindgen(unchecked_param_type = "LinearCrossEntropyInput")] input: JsValue,
        options: Option<super::linear::LinearCrossEntropyOptionsArg>,
    ) -> Promise {
        let call = LinearCall::decode(&input, &options.map_or(JsValue::UNDEFINED, JsValue::from));
        let state = self.state.clone();
        let previous = state.last.borrow_mut().take();
        let promise = wasm_bindgen_futures::future_to_promise(async move {
            if let Some(p) = previous {
                let _ = p.await; // its outcome belongs to its caller
            }
            let call = call?;
            Ok(run_linear(&state, &call).await?)
        });
        self.state.last.replace(Some(promise.clone()));
        promise
    }
}

fn set(result: &JsValue, key: &str, value: &JsValue) {
    let _ = js_sys::Reflect::set(result, &key.into(), value);
}

/// A reason's values as a plain object of strings.
fn params_object(why: &Why) -> JsValue {
    let params = js_sys::Object::new();
    for (name, value) in &why.params {
        set(&params, name, &JsValue::from_str(value));
    }
    params.into()
}

/// `backendReason` (the sentence), `backendReasonCode` and `backendReasonParams` of a result.
fn set_backend_reason(result: &JsValue, why: &Why) {
    set(result, "backendReason", &JsValue::from_str(&why.text));
    set(result, "backendReasonCode", &JsValue::from_str(why.code));
    set(result, "backendReasonParams", &params_object(why));
}

async fn run(state: &State, call: &Call) -> Result<JsValue> {
    let plan = Plan::new(call.shape, &call.labels, &call.options)?;
    let gpu = state.gpu.borrow().clone();
    let no_gpu =
        state.reason.borrow().clone().unwrap_or_else(|| Why::new("no-gpu", "this engine holds no GPU"));
    let (held, fits) = match &gpu {
        Some(g) => {
            (Ok(state.calibration.as_ref()), crate::gpu::rows_per_chunk(plan.vocab(), g.limits).map(|_| ()))
        }
        None => (Err(&no_gpu), Ok(())),
    };
    let route = engine::honour_options(
        engine::route(state.request, held, call.logits.len(), call.options.grad, fits),
        &call.options,
    );
    let mut fallback = None;
    if let (Backend::WebGpu, Some(gpu)) = (route.backend, gpu) {
        match run_gpu(&gpu, &plan, call).await? {
            Ok(result) => {
                set_backend_reason(&result, &route.reason);
                return Ok(result);
            }
            Err(why) => {
                // The device failed mid-call (lost, out of memory, an error): CPU from now on.
                state.gpu.replace(None);
                state.reason.replace(Some(Why::new("gpu-failed", why.clone()).with("detail", &why)));
                fallback = Some(why);
            }
        }
    }
    let (out, grad) = call.run_cpu()?;
    let result = result_object(&out, grad);
    match fallback {
        Some(why) => {
            set_backend_reason(
                &result,
                &Why::failure("gpu-failed-during-call", "the GPU could not finish this call", &why),
            );
            set(&result, "fallbackReason", &JsValue::from_str(&why));
        }
        None => set_backend_reason(&result, &route.reason),
    }
    Ok(result)
}

/// The outer `Result` is the caller's fault (an `Error` to throw); the inner one is `Err` with
/// the reason when the device failed. (Shapes beyond the device's limits never get here:
/// `engine::route` sends them to the CPU.)
async fn run_gpu(gpu: &GpuContext, plan: &Plan, call: &Call) -> Result<std::result::Result<JsValue, String>> {
    let grad_js = match (call.options.grad, &call.grad_into) {
        (true, None) => Some(convert::new_f32_array(call.logits.len())?),
        _ => None,
    };
    let grad = match (&grad_js, &call.grad_into) {
        _ if !call.options.grad => GradDst::None,
        (Some(a), _) | (None, Some(GradInto::Js(a))) => GradDst::Js(a),
        (None, Some(GradInto::Wasm(b))) => GradDst::Wasm(b),
        (None, None) => GradDst::None,
    };
    let logits = match &call.logits {
        Logits::Js(a) => LogitsRef::Js(a),
        Logits::Resident(b) => LogitsRef::Wasm(b),
    };
    let stats = match run::cross_entropy(gpu, plan, logits, grad).await {
        Ok(s) => s,
        Err(why) => return Ok(Err(why)),
    };
    let v = plan.vocab();
    // Rows the GPU could not finish (NaN or ±inf) were recomputed on the CPU: their gradient.
    let write_grad = |r: usize, g: &[f32]| match (&grad_js, &call.grad_into) {
        (Some(a), _) | (None, Some(GradInto::Js(a))) => a.set(&convert::f32_array(g), (r * v) as u32),
        (None, Some(GradInto::Wasm(b))) => b.borrow_mut()[r * v..(r + 1) * v].copy_from_slice(g),
        (None, None) => {}
    };
    let out = engine::finish_gpu_rows(plan, &stats, &call.logits, write_grad);
    let result = result_object(&out, grad_js.map(JsValue::from));
    if let Some(ns) = stats.kernel_ns {
        let _ = js_sys::Reflect::set(&result, &"gpuTimeMs".into(), &(ns / 1e6).into());
    }
    Ok(Ok(result))
}

/// The GPU failed mid-call: the engine runs on the CPU from now on, and says why.
fn drop_gpu(state: &State, why: &str) {
    state.gpu.replace(None);
    state.reason.replace(Some(Why::new("gpu-failed", why.to_string()).with("detail", why)));
}

/// `linearCrossEntropy` on the backend its route picks. For "auto", the linear probe runs first
/// (once per engine) when the call could go to the GPU at all.
async fn run_linear(state: &State, call: &LinearCall) -> Result<JsValue> {
    let shape = call.shape;
    let plan = Plan::new(shape.logits(), &call.labels, &call.options)?;
    let scored = engine::scored_rows(&plan);
    let macs = scored.len().saturating_mul(shape.hidden).saturating_mul(shape.vocab);
    let gpu = state.gpu.borrow().clone();
    let fits = gpu.as_ref().map_or(Ok(()), |g| {
        linear_rows_per_block(scored.len(), shape.hidden, shape.vocab, call.options.grad, g.limits)
            .map(|_| ())
    });
    let mut fallback = None;
    if let (Request::Auto, Some(g)) = (state.request, &gpu) {
        let could_run = fits.is_ok() && !call.materialize && engine::gpu_supports(&call.options);
        if could_run && state.linear_calibration.get().is_none() {
            match crate::gpu::calibrate::calibrate_linear(g).await {
                Ok(c) => state.linear_calibration.set(Some(c)),
                Err(why) => {
                    drop_gpu(state, &why);
                    fallback = Some(why);
                }
            }
        }
    }
    let gpu = if fallback.is_some() { None } else { gpu };
    let no_gpu =
        state.reason.borrow().clone().unwrap_or_else(|| Why::new("no-gpu", "this engine holds no GPU"));
    let calibration = state.linear_calibration.get();
    let held = match &gpu {
        Some(_) => Ok(calibration.as_ref()),
        None => Err(&no_gpu),
    };
    let route = engine::honour_options(
        engine::route_linear(state.request, held, macs, call.options.grad, fits, call.materialize),
        &call.options,
    );
    if let (Backend::WebGpu, Some(gpu)) = (route.backend, gpu) {
        match run_linear_gpu(&gpu, &plan, call, &scored).await? {
            Ok(Some(out)) => {
                let result = linear_result(&out);
                set_backend_reason(&result, &route.reason);
                return Ok(result);
            }
            Ok(None) => {
                let result = call.run_cpu()?;
                let why = Why::new(
                    "linear-nonfinite-cpu",
                    "a row of this call's logits holds NaN or ±inf, so the call ran again on the CPU, whose answers \
                     for such rows are PyTorch's",
                );
                set_backend_reason(&result, &why);
                return Ok(result);
            }
            Err(why) => {
                drop_gpu(state, &why);
                fallback = Some(why);
            }
        }
    }
    let result = call.run_cpu()?;
    match fallback {
        Some(why) => {
            set_backend_reason(
                &result,
                &Why::failure("gpu-failed-during-call", "the GPU could not finish this call", &why),
            );
            set(&result, "fallbackReason", &JsValue::from_str(&why));
        }
        None => set_backend_reason(&result, &route.reason),
    }
    Ok(result)
}

/// The outer `Result` is the caller's fault; the inner one is `Err` with the reason when the
/// device failed, `Ok(None)` when a row's logits were not finite (the CPU must finish the call).
async fn run_linear_gpu(
    gpu: &GpuContext,
    plan: &Plan,
    call: &LinearCall,
    scored: &[engine::ScoredRow],
) -> Result<std::result::Result<Option<LinearOutput>, String>> {
    let d = call.shape.hidden;
    let targets: Vec<u32> = scored.iter().map(|s| s.class).collect();
    // The tensors are borrowed only while they are uploaded, never across an await.
    let pending = {
        let (hidden, weight) = (call.hidden.read(), call.weight.read());
        let bias = call.bias.as_ref().map(|b| b.read());
        let packed = engine::gather_scored(&hidden, d, scored)?;
        let tensors =
            LinearTensors { hidden: &packed, weight: &weight, bias: bias.as_deref(), targets: &targets, d };
        crate::gpu::linear::submit(gpu, plan, &tensors)
    };
    let rows = match pending {
        Ok(p) => p.finish(gpu).await,
        Err(why) => Err(why),
    };
    let rows = match rows {
        Ok(r) => r,
        Err(why) => return Ok(Err(why)),
    };
    let hidden_rows = call.shape.batch * call.shape.seq;
    Ok(Ok(engine::finish_linear_gpu(plan, scored, d, hidden_rows, rows)?))
}
