//! `linearCrossEntropy` for JS: the loss of `hidden @ weightᵀ (+ bias)` without the logits.
//! Converts arguments and results around `crate::loss::linear`; every check names its field.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::convert::{self, describe};
use super::exports::result_object;
use super::options as opt;
use crate::cpu::CpuKernel;
use crate::error::{try_zeroed, Error, Result};
use crate::loss::{self, CrossEntropy, LinearInput, LinearOutput, LinearShape};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** The input of `linearCrossEntropy`: a linear layer's input, its parameters, and labels. */
export interface LinearCrossEntropyInput {
  /** Row-major `[B, T, D]` (or `[N, D]`) float32 hidden states, the layer's input. */
  hidden: Float32Array;
  /** `[B, T, D, V]`, or `[N, D, V]` for one sequence (treated as `[1, N, D, V]`). */
  dims: number[];
  /** `[V, D]` float32, PyTorch's `lm_head.weight` layout: logits = hidden @ weightᵀ (+ bias). */
  weight: Float32Array;
  /** Optional `[V]` float32 bias. */
  bias?: Float32Array | null;
  /** One class index per position, `B·T` (or `N`) of them. */
  labels: Int32Array;
}

/** `crossEntropy`'s options, with the same meaning on the logits, plus `materialize`. */
export interface LinearCrossEntropyOptions extends CrossEntropyOptions {
  /** For comparison: computes the full `[N, V]` logits with the same GEMM, then the loss (and
   *  its `[N, V]` gradient, then the two gradient GEMMs), exactly what the fused path avoids.
   *  Same result to rounding; `N·V·4` bytes of logits and as many for their gradient. Default
   *  false. */
  materialize?: boolean;
}

/** What `linearCrossEntropy` reports: `crossEntropy`'s fields for the logits
 *  `hidden @ weightᵀ (+ bias)` (never materialised, so no `grad` over them), and with
 *  `grad: true` the gradients of the layer. */
export interface LinearCrossEntropyResult extends Omit<CrossEntropyResult, "grad"> {
  /** d loss / d hidden, `[B, T, D]` like `hidden` (0 on rows no position is scored from). */
  gradHidden?: Float32Array;
  /** d loss / d weight, `[V, D]` like `weight`. */
  gradWeight?: Float32Array;
  /** d loss / d bias, `[V]`, when a bias was given. */
  gradBias?: Float32Array;
}
"#;

/// A validated call, its tensors copied into wasm memory.
pub(crate) struct LinearCall {
    pub shape: LinearShape,
    pub hidden: Vec<f32>,
    pub weight: Vec<f32>,
    pub bias: Option<Vec<f32>>,
    pub labels: Vec<i32>,
    pub options: CrossEntropy,
    pub kernel: CpuKernel,
    /// `materialize: true`: the `[N, V]` path, for comparison.
    pub materialize: bool,
}

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "LinearCrossEntropyOptions")]
    pub type LinearCrossEntropyOptionsArg;
}

/// Takes `materialize` out of the options (a boolean, or refused naming `options.materialize`);
/// the rest are `crossEntropy`'s options, decoded by the caller. The caller's object is not
/// changed: a shallow copy loses the key.
fn split_materialize(options: &JsValue) -> Result<(bool, JsValue)> {
    if !options.is_object() || js_sys::Array::is_array(options) {
        return Ok((false, options.clone()));
    }
    let key = JsValue::from_str("materialize");
    if !js_sys::Reflect::has(options, &key).unwrap_or(false) {
        return Ok((false, options.clone()));
    }
    let value = js_sys::Reflect::get(options, &key).unwrap_or_default();
    let materialize = match value.as_bool() {
        Some(b) => b,
        None if value.is_undefined() => false,
        None => {
            return Err(Error::Parse(format!(
                "options.materialize must be a boolean, got {}",
                describe(&value)
            )))
        }
    };
    let rest = js_sys::Object::assign(&js_sys::Object::new(), options.unchecked_ref());
    let _ = js_sys::Reflect::delete_property(&rest, &key);
    Ok((materialize, rest.into()))
}

/// A `Float32Array` argument, not yet copied.
fn float32<'a>(name: &'static str, v: &'a JsValue) -> Result<&'a Float32Array> {
    v.dyn_ref::<Float32Array>()
        .ok_or_else(|| Error::Parse(format!("{name} must be a Float32Array, got {}", describe(v))))
}

fn copy(name: &'static str, a: &Float32Array) -> Result<Vec<f32>> {
    let mut out = try_zeroed::<f32>(a.length() as usize, name)?;
    a.copy_to(&mut out);
    Ok(out)
}

impl LinearCall {
    /// Checks the shape, the options, every argument's type and length, and only then copies.
    pub fn decode(input: &JsValue, options: &JsValue) -> Result<Self> {
        let [hidden, dims, weight, bias, labels] =
            convert::fields("input", input, ["hidden", "dims", "weight", "bias", "labels"])?;
        let shape = LinearShape::from_dims(&convert::numbers("dims", &dims)?)?;
        let (materialize, options) = split_materialize(options)?;
        let o: opt::CrossEntropyOptions = convert::options("options", &options)?;
        let kernel = opt::cpu_kernel(o.kernel.as_deref())?;
        let options = o.into_core()?;
        options.validate(shape.vocab)?;
        let n = [shape.batch, shape.seq];
        let hidden = float32("hidden", &hidden)?;
        crate::shape::check_len("hidden", hidden.length() as usize, &[n[0], n[1], shape.hidden])?;
        let weight = float32("weight", &weight)?;
        crate::shape::check_len("weight", weight.length() as usize, &[shape.vocab, shape.hidden])?;
        let bias = match bias.is_undefined() || bias.is_null() {
            true => None,
            false => Some(float32("bias", &bias)?),
        };
        if let Some(b) = bias {
            crate::shape::check_len("bias", b.length() as usize, &[shape.vocab])?;
        }
        let labels_array = labels.dyn_ref::<js_sys::Int32Array>().ok_or_else(|| {
            Error::Parse(format!("labels must be an Int32Array, got {}", describe(&labels)))
        })?;
        crate::shape::check_len("labels", labels_array.length() as usize, &n)?;
        Ok(Self {
            shape,
            hidden: copy("hidden", hidden)?,
            weight: copy("weight", weight)?,
            bias: bias.map(|b| copy("bias", b)).transpose()?,
            labels: convert::i32_vec("labels", &labels)?,
            options,
            kernel,
            materialize,
        })
    }

    /// Runs on the CPU kernel and builds the result object.
    pub fn run_cpu(&self) -> Result<JsValue> {
        let input = LinearInput {
            hidden: &self.hidden,
            weight: &self.weight,
            bias: self.bias.as_deref(),
            labels: &self.labels,
        };
        let out = if self.materialize {
            loss::linear::linear_cross_entropy_materialized(self.shape, input, &self.options, self.kernel)?
        } else {
            loss::linear_cross_entropy(self.shape, input, &self.options, self.kernel)?
        };
        Ok(linear_result(&out))
    }
}

/// `crossEntropy`'s result object plus the layer's gradients.
fn linear_result(out: &LinearOutput) -> JsValue {
    let result = result_object(&out.loss, None);
    for (key, grad) in
        [("gradHidden", &out.grad_hidden), ("gradWeight", &out.grad_weight), ("gradBias", &out.grad_bias)]
    {
        if let Some(g) = grad {
            let _ = js_sys::Reflect::set(&result, &key.into(), &convert::f32_array(g));
        }
    }
    result
}

/// Label-smoothed cross-entropy of the logits `hidden @ weightᵀ (+ bias)` on the CPU, without
/// ever holding them: the vocabulary is processed in chunks with an online logsumexp, and the
/// gradients (`grad: true`) of hidden, weight and bias are accumulated chunk by chunk. Every
/// `crossEntropy` option applies with the same meaning. `materialize: true` computes the full
/// `[N, V]` logits instead, for comparison.
#[wasm_bindgen(js_name = linearCrossEntropy, unchecked_return_type = "LinearCrossEntropyResult")]
pub fn linear_cross_entropy(
    #[wasm_bindgen(unchecked_param_type = "LinearCrossEntropyInput")] input: JsValue,
    options: Option<LinearCrossEntropyOptionsArg>,
) -> Result<JsValue, JsValue> {
    let call = LinearCall::decode(&input, &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
    Ok(call.run_cpu()?)
}
