//! `linearCrossEntropy` for JS: the loss of `hidden @ weightᵀ (+ bias)` without the logits.
//! Converts arguments and results around `crate::loss::linear`; every check names its field.

use js_sys::Float32Array;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::buffer::{F32Buffer, Shared};
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
  /** Row-major `[B, T, D]` (or `[N, D]`) float32 hidden states, the layer's input. An
   *  `F32Buffer` is read where it lies in wasm memory (no copy per call). */
  hidden: Float32Array | F32Buffer;
  /** `[B, T, D, V]`, or `[N, D, V]` for one sequence (treated as `[1, N, D, V]`). */
  dims: number[];
  /** `[V, D]` float32, PyTorch's `lm_head.weight` layout: logits = hidden @ weightᵀ (+ bias).
   *  An `F32Buffer` is read in place: a trainer keeps its parameters resident, and a
   *  `Float32Array` costs a copy of `V·D` floats in wasm memory per call. */
  weight: Float32Array | F32Buffer;
  /** Optional `[V]` float32 bias (a `Float32Array` or an `F32Buffer`). */
  bias?: Float32Array | F32Buffer | null;
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

/// A float tensor argument: a `Float32Array` copied into wasm memory, or an `F32Buffer` read
/// where it lies (the weight is the largest input; a trainer holds it resident).
pub(crate) enum F32Input {
    Copied(Vec<f32>),
    Resident(Shared),
}

impl F32Input {
    /// The type check, before anything is copied: an `F32Buffer`, or a `Float32Array` left where
    /// it is until [`F32Input::take`].
    fn check(name: &'static str, v: &JsValue) -> Result<Result<Shared, Float32Array>> {
        if let Some(buffer) = F32Buffer::resolve(v) {
            return Ok(Ok(buffer));
        }
        match v.dyn_ref::<Float32Array>() {
            Some(a) => Ok(Err(a.clone())),
            None => Err(Error::Parse(format!(
                "{name} must be a Float32Array or an F32Buffer, got {}",
                describe(v)
            ))),
        }
    }

    fn len(checked: &Result<Shared, Float32Array>) -> usize {
        match checked {
            Ok(b) => b.borrow().len(),
            Err(a) => a.length() as usize,
        }
    }

    /// Copies a `Float32Array` in (lengths already checked); keeps a buffer's handle.
    fn take(name: &'static str, checked: Result<Shared, Float32Array>) -> Result<Self> {
        Ok(match checked {
            Ok(b) => F32Input::Resident(b),
            Err(a) => {
                let mut out = try_zeroed::<f32>(a.length() as usize, name)?;
                a.copy_to(&mut out);
                F32Input::Copied(out)
            }
        })
    }

    /// The values, borrowed for as long as the returned guard lives.
    pub fn read(&self) -> F32Read<'_> {
        match self {
            F32Input::Copied(v) => F32Read::Slice(v),
            F32Input::Resident(b) => F32Read::Borrowed(b.borrow()),
        }
    }
}

/// A borrow of an [`F32Input`]'s values.
pub(crate) enum F32Read<'a> {
    Slice(&'a [f32]),
    Borrowed(std::cell::Ref<'a, Vec<f32>>),
}

impl std::ops::Deref for F32Read<'_> {
    type Target = [f32];
    fn deref(&self) -> &[f32] {
        match self {
            F32Read::Slice(s) => s,
            F32Read::Borrowed(b) => b,
        }
    }
}

/// A validated call: `Float32Array` tensors copied into wasm memory, `F32Buffer`s borrowed.
pub(crate) struct LinearCall {
    pub shape: LinearShape,
    pub hidden: F32Input,
    pub weight: F32Input,
    pub bias: Option<F32Input>,
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
        let hidden = F32Input::check("hidden", &hidden)?;
        crate::shape::check_len("hidden", F32Input::len(&hidden), &[n[0], n[1], shape.hidden])?;
        let weight = F32Input::check("weight", &weight)?;
        crate::shape::check_len("weight", F32Input::len(&weight), &[shape.vocab, shape.hidden])?;
        let bias = match bias.is_undefined() || bias.is_null() {
            true => None,
            false => Some(F32Input::check("bias", &bias)?),
        };
        if let Some(b) = &bias {
            crate::shape::check_len("bias", F32Input::len(b), &[shape.vocab])?;
        }
        let labels_array = labels.dyn_ref::<js_sys::Int32Array>().ok_or_else(|| {
            Error::Parse(format!("labels must be an Int32Array, got {}", describe(&labels)))
        })?;
        crate::shape::check_len("labels", labels_array.length() as usize, &n)?;
        Ok(Self {
            shape,
            hidden: F32Input::take("hidden", hidden)?,
            weight: F32Input::take("weight", weight)?,
            bias: bias.map(|b| F32Input::take("bias", b)).transpose()?,
            labels: convert::i32_vec("labels", &labels)?,
            options,
            kernel,
            materialize,
        })
    }

    /// Runs on the CPU kernel and builds the result object.
    pub fn run_cpu(&self) -> Result<JsValue> {
        let (hidden, weight) = (self.hidden.read(), self.weight.read());
        let bias = self.bias.as_ref().map(F32Input::read);
        let input =
            LinearInput { hidden: &hidden, weight: &weight, bias: bias.as_deref(), labels: &self.labels };
        let out = if self.materialize {
            loss::linear::linear_cross_entropy_materialized(self.shape, input, &self.options, self.kernel)?
        } else {
            loss::linear_cross_entropy(self.shape, input, &self.options, self.kernel)?
        };
        Ok(linear_result(&out))
    }
}

/// `crossEntropy`'s result object plus the layer's gradients.
pub(crate) fn linear_result(out: &LinearOutput) -> JsValue {
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
