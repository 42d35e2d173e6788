//! The exported functions of the ES module: synchronous, camelCase, typed in the
//! generated `.d.ts`, and throwing an `Error` that says what was wrong instead of trapping.

use ndarray::{ArrayView2, ArrayView3};
use wasm_bindgen::prelude::*;

use super::buffer::{GradInto, JsRows, Logits};
use super::convert::{self, Builder};
use super::options as opt;
use crate::error::{Error, Result};
use crate::loss::{self, CrossEntropyOutput, Note, Semantics};
use crate::shape::{check_len, logits_shape, matrix_shape};
use crate::{objectives, padding};

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Logits and labels of one cross-entropy call. */
export interface CrossEntropyInput {
  /** Row-major `[B, T, V]` (or `[N, V]`) float32 logits; an F32Buffer is used in place. */
  logits: Float32Array | F32Buffer;
  /** `[B, T, V]`, or `[N, V]` for one sequence (treated as `[1, N, V]`). */
  dims: number[];
  /** One class index per position, `B·T` (or `N`) of them. */
  labels: Int32Array;
  /** With `grad: true`: write the gradient here (length `B·T·V`) instead of returning it:
   *  an F32Buffer (wasm memory) or your own Float32Array (filled row block by row block). */
  gradInto?: F32Buffer | Float32Array;
}

/** Options of `crossEntropy`; every field is optional. */
export interface CrossEntropyOptions {
  /** `"hf"` (default): transformers' `LabelSmoother`. `"torch"`: `F.cross_entropy`. */
  semantics?: "hf" | "torch";
  /** Label smoothing ε (default 0.1). torch: must lie in [0, 1]; hf: unchecked. */
  epsilon?: number;
  /** Labels equal to this are ignored (default -100). */
  ignoreIndex?: number;
  /** Score position t against label t+1 (drops the last logits row and the first label). */
  shiftLabels?: boolean;
  /** torch only: `"mean"` (default), `"sum"`, or `"none"` (per-token losses, `loss` null). */
  reduction?: "mean" | "sum" | "none";
  /** Replaces the number of active tokens as the mean's denominator (gradient accumulation). */
  numItemsInBatch?: number | null;
  /** torch only: one weight per class, as `F.cross_entropy(weight=...)`. */
  classWeights?: number[] | Float32Array | null;
  /** z-loss: adds `scale · lse²` per active token, divided like the mean (default 0). */
  zLossScale?: number;
  /** Soft-caps logits first: `x ← c · tanh(x / c)` (Gemma 2); gradient flows through it. */
  softcap?: number | null;
  /** Also return `grad`, d loss / d logits (default false; not with reduction "none"). */
  grad?: boolean;
  /** Which CPU kernel: `"simd"` (default, wasm simd128) or `"scalar"`. */
  kernel?: "simd" | "scalar";
  /** Divides the logits by T before everything else (soft-capping included), as
   *  `F.cross_entropy(logits / T, …)` on float32: an f32 division. Default 1 (no division);
   *  must be a positive finite number. The gradient is w.r.t. the logits as given. */
  temperature?: number;
  /** Per-token statistics to return besides the loss (opt-in: each reads the row once more):
   *  `"entropy"` → `perTokenEntropy`, `"rank"` → `perTokenRank`, `"lse"` → `perTokenLse`,
   *  `"predicted"` → `predicted`. */
  stats?: ("entropy" | "rank" | "lse" | "predicted")[];
}

/** A plain-words explanation of a surprising result (NaN, ±inf, a clamped label). */
export interface LossNote {
  code: "no-positions" | "all-ignored" | "zero-weight" | "clamped-label" | "nan-logit"
      | "positive-infinity" | "negative-infinity" | "label-impossible";
  /** Position after shifting (or, for "clamped-label", the index into `labels`), if any. */
  position: number | null;
  /** The values the note is about: `ignoreIndex` (all-ignored), `label` (clamped-label),
   *  `epsilon` and `semantics` (negative-infinity); empty otherwise. */
  params: { ignoreIndex?: number; label?: number; epsilon?: number; semantics?: "hf" | "torch" };
  message: string;
}

/** What `crossEntropy` reports. `loss = (1-ε)·nll + ε·smooth + zLoss`. */
export interface CrossEntropyResult {
  /** The scalar loss; null for reduction "none". */
  loss: number | null;
  /** Σ w[y]·nll over active tokens / denominator (denominator 1 for "sum" and "none"). */
  nll: number;
  /** Σ_n Σ_c w_c·(−log p_c) / (V · denominator). */
  smooth: number;
  /** Σ scale·lse² / denominator. */
  zLoss: number;
  /** Positions whose label is not ignoreIndex. */
  numActive: number;
  /** What nll, smooth and zLoss were divided by: the active count (mean), Σ w[y] (torch mean
   *  with weights), numItemsInBatch, or 1 ("sum", "none"). `nll · denominator` is Σ nll. */
  denominator: number;
  /** One per position after shifting, 0 where ignored (torch reduction "none" output). */
  perTokenLoss: Float32Array;
  perTokenNll: Float32Array;
  /** Σ_c (lse − x_c) per position, unweighted. */
  perTokenSmooth: Float32Array;
  /** Share of active tokens whose argmax (lowest index on ties) is the label; NaN when no token
   *  is active. */
  accuracy: number;
  /** `exp(Σ nll / numActive)` over active tokens: unweighted, without ε, z-loss or
   *  numItemsInBatch (a property of the predictions, not of the training objective); NaN when
   *  no token is active. */
  perplexity: number;
  /** With `stats: ["entropy"]`: entropy of softmax(logits / T) (after soft-capping) per
   *  position, in nats; NaN where ignored. */
  perTokenEntropy?: Float32Array;
  /** With `stats: ["rank"]`: how many classes score strictly higher than the label (0 = the
   *  most probable; ties count in the label's favour); 0 where ignored. */
  perTokenRank?: Int32Array;
  /** With `stats: ["lse"]`: logsumexp of the row (the z-loss term); NaN where ignored. */
  perTokenLse?: Float32Array;
  /** With `stats: ["predicted"]`: the argmax class, lowest index on ties (a NaN logit wins, as
   *  in `torch.argmax`); 0 where ignored. */
  predicted?: Int32Array;
  /** d loss / d logits, shaped like the logits, when `grad: true` (absent with `gradInto`). */
  grad?: Float32Array;
  backend: "cpu-simd" | "cpu-scalar" | "webgpu";
  /** Engine results only: why this call ran on `backend` (the request, the measured crossover,
   *  the reason the engine holds no GPU, or the GPU's failure). */
  backendReason?: string;
  /** Engine results only: `backendReason`'s stable code, for a UI to say it in its own words:
   *  "cpu-requested", "webgpu-requested", "below-crossover", "above-crossover",
   *  "gpu-never-faster", "shape-beyond-limits", "gpu-failed-during-call", "temperature-cpu"
   *  (a temperature other than 1: the GPU kernels do not divide), "stats-cpu" (per-token
   *  `stats` asked for: the GPU kernels do not compute them), or the engine's
   *  `reasonCode` when it holds no GPU. */
  backendReasonCode?: string;
  /** Engine results only: the values `backendReason` names, by name (e.g. `logits`,
   *  `crossover`, `kind` ("forward" | "gradient"), `gpuMs`, `cpuMs`; `detail` for the
   *  browser's or the GPU's own words). */
  backendReasonParams?: Record<string, string>;
  /** Engine results only: set when the GPU was chosen but this call finished on the CPU. */
  fallbackReason?: string;
  /** Engine results on WebGPU where the adapter offers timestamp queries: the kernels' time on
   *  the GPU in ms, summed over chunks (informational: browsers coarsen GPU timestamps). */
  gpuTimeMs?: number;
  notes: LossNote[];
}

/** Logits for `logSoftmax`. */
export interface LogitsInput {
  logits: Float32Array | F32Buffer;
  /** `[B, T, V]` or `[N, V]`. */
  dims: number[];
}

export interface LogSoftmaxOptions {
  /** Soft-cap first: `x ← c · tanh(x / c)`. */
  softcap?: number | null;
  /** Divide by T before everything (soft-capping included), as `crossEntropy` does; default 1. */
  temperature?: number;
}

/** `alignLabels` result. */
export interface IdMatrix {
  data: Int32Array;
  dims: [number, number];
}

/** One example for `collate`. */
export interface CollateExample {
  inputIds: number[] | Int32Array;
  labels?: number[] | Int32Array;
}

export interface CollateOptions {
  /** Input padding id (default 0). */
  padId?: number;
  /** Label padding id (default -100, so padded labels are ignored by the loss). */
  labelPadId?: number;
  /** Tokenizer padding side (default "right"; generation needs "left"). */
  paddingSide?: "right" | "left";
  /** Round both padded lengths up to a multiple of this. */
  padToMultipleOf?: number;
}

export interface CollateResult {
  inputIds: Int32Array;
  attentionMask: Int32Array;
  dims: [number, number];
  labels: Int32Array | null;
  labelDims: [number, number] | null;
}

export interface LabelOptions {
  /** Tokens equal to padId become ignoreIndex. */
  padId?: number;
  ignoreIndex?: number;
  /** true: `labels[t] = ids[t+1]`, last ignored (then call crossEntropy without shiftLabels). */
  shift?: boolean;
}

export interface MlmOptions {
  maskTokenId: number;
  /** Random replacements are drawn from [0, vocabSize). */
  vocabSize: number;
  /** Share of non-special tokens chosen (default 0.15). */
  probability?: number;
  /** Of the chosen: share replaced by the mask token (default 0.8)... */
  maskReplaceProb?: number;
  /** ...and by a random token (default 0.1); the rest stay unchanged. */
  randomReplaceProb?: number;
  /** Ids never chosen (padding, BOS/EOS, ...). */
  specialIds?: number[];
  ignoreIndex?: number;
  /** Seed of the SplitMix64 generator (default 0). */
  seed?: number;
}

export interface MlmResult {
  inputIds: Int32Array;
  labels: Int32Array;
}

export interface MseOptions {
  reduction?: "mean" | "sum" | "none";
  grad?: boolean;
}

export interface MseResult {
  loss: number | null;
  perElement: Float32Array;
  grad?: Float32Array;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "CrossEntropyOptions")]
    pub type CrossEntropyOptionsArg;
    #[wasm_bindgen(typescript_type = "CollateOptions")]
    pub type CollateOptionsArg;
    #[wasm_bindgen(typescript_type = "LabelOptions")]
    pub type LabelOptionsArg;
    #[wasm_bindgen(typescript_type = "MseOptions")]
    pub type MseOptionsArg;
    #[wasm_bindgen(typescript_type = "LogSoftmaxOptions")]
    pub type LogSoftmaxOptionsArg;
}

/// The values a note is about, so front ends can phrase it in their own words.
fn note_params(n: &Note) -> JsValue {
    let b = Builder::new();
    match n {
        Note::AllIgnored { ignore_index } => b.set("ignoreIndex", *ignore_index as f64),
        Note::ClampedLabel { label, .. } => b.set("label", *label),
        Note::NegativeInfinity { epsilon, semantics, .. } => b.set("epsilon", *epsilon).set(
            "semantics",
            match semantics {
                Semantics::Hf => "hf",
                Semantics::Torch => "torch",
            },
        ),
        _ => b,
    }
    .build()
}

fn notes(out: &CrossEntropyOutput) -> js_sys::Array {
    out.notes
        .iter()
        .map(|n| {
            Builder::new()
                .set("code", n.code())
                .set("position", n.position().map_or(JsValue::NULL, |p| JsValue::from_f64(p as f64)))
                .set("params", note_params(n))
                .set("message", n.to_string())
                .build()
        })
        .collect()
}

/// The JS result object of a cross-entropy call. `grad` overrides `out.grad` when a backend
/// produced the gradient straight into a JS array.
pub(crate) fn result_object(out: &CrossEntropyOutput, grad: Option<JsValue>) -> JsValue {
    let s = &out.summary;
    let mut b = Builder::new()
        .set("loss", s.loss.map_or(JsValue::NULL, JsValue::from_f64))
        .set("nll", s.nll)
        .set("smooth", s.smooth)
        .set("zLoss", s.z_loss)
        .set("numActive", out.num_active as f64)
        .set("denominator", out.denominator)
        .set("perTokenLoss", convert::f32_array(&s.per_token_loss))
        .set("perTokenNll", convert::f32_array(&s.per_token_nll))
        .set("perTokenSmooth", convert::f32_array(&s.per_token_smooth));
    let a = &out.analytics;
    b = b.set("accuracy", a.accuracy).set("perplexity", a.perplexity);
    if let Some(x) = &a.per_token_entropy {
        b = b.set("perTokenEntropy", convert::f32_array(x));
    }
    if let Some(x) = &a.per_token_rank {
        b = b.set("perTokenRank", convert::i32_array(x));
    }
    if let Some(x) = &a.per_token_lse {
        b = b.set("perTokenLse", convert::f32_array(x));
    }
    if let Some(x) = &a.predicted {
        b = b.set("predicted", convert::i32_array(x));
    }
    match (grad, &out.grad) {
        (Some(g), _) => b = b.set("grad", g),
        (None, Some(g)) => b = b.set("grad", convert::f32_array(g)),
        (None, None) => {}
    }
    b.set("backend", out.backend).set("notes", notes(out)).build()
}

/// Validated logits, labels and options of a cross-entropy call, in wasm memory.
pub(crate) struct Call {
    pub shape: [usize; 3],
    pub logits: Logits,
    pub labels: Vec<i32>,
    pub options: loss::CrossEntropy,
    pub kernel: crate::cpu::CpuKernel,
    /// Where the gradient goes when the caller passed `gradInto`.
    pub grad_into: Option<GradInto>,
}

impl Call {
    /// Checks everything cheap (shape, lengths, options) before copying the logits in.
    pub fn decode(input: &JsValue, options: &JsValue) -> Result<Self> {
        let [logits, dims, labels, grad_into] =
            convert::fields("input", input, ["logits", "dims", "labels", "gradInto"])?;
        let dims = convert::numbers("dims", &dims)?;
        let shape = logits_shape(&dims)?;
        let o: opt::CrossEntropyOptions = convert::options("options", options)?;
        let kernel = opt::cpu_kernel(o.kernel.as_deref())?;
        let options = o.into_core()?;
        options.validate(shape[2])?;
        let labels_len = js_sys::Reflect::get(&labels, &"length".into()).ok().and_then(|l| l.as_f64());
        if let Some(len) = labels_len {
            check_len("labels", len as usize, &shape[..2])?;
        }
        let grad_into = match grad_into.is_undefined() {
            true => None,
            false => Some(GradInto::from_js(&grad_into)?),
        };
        if let Some(g) = &grad_into {
            check_len("gradInto", g.len(), &shape)?;
        }
        let logits_len = js_sys::Reflect::get(&logits, &"length".into()).ok().and_then(|l| l.as_f64());
        if let Some(len) = logits_len {
            check_len("logits", len as usize, &shape)?;
        }
        let logits = Logits::from_js(&logits)?;
        let labels = convert::i32_vec("labels", &labels)?;
        check_len("logits", logits.len(), &shape)?;
        check_len("labels", labels.len(), &shape[..2])?;
        if grad_into.as_ref().is_some_and(|g| logits.shares(g)) {
            return Err(Error::Parse("gradInto must be different storage from logits".into()));
        }
        Ok(Self { shape, logits, labels, options, kernel, grad_into })
    }

    /// Runs on the CPU kernel. Logits in wasm memory with the gradient (if any) there too are
    /// read in place; anything in JS memory streams through a small window instead of being
    /// copied whole. Returns the output and, when the gradient was asked for without
    /// `gradInto`, the fresh `Float32Array` holding it.
    pub fn run_cpu(&self) -> Result<(CrossEntropyOutput, Option<JsValue>)> {
        let [b, t, v] = self.shape;
        let in_wasm = matches!(self.logits, Logits::Resident(_));
        let grad_in_wasm = !self.options.grad || matches!(self.grad_into, Some(GradInto::Wasm(_)));
        if in_wasm && grad_in_wasm {
            return self.logits.with(|flat| {
                let (Ok(logits), Ok(labels)) =
                    (ArrayView3::from_shape((b, t, v), flat), ArrayView2::from_shape((b, t), &self.labels))
                else {
                    unreachable!("lengths were checked against the shape");
                };
                let out = match &self.grad_into {
                    Some(GradInto::Wasm(g)) => loss::cross_entropy_into(
                        logits,
                        labels,
                        &self.options,
                        self.kernel,
                        Some(&mut g.borrow_mut()),
                    ),
                    _ => loss::cross_entropy(logits, labels, &self.options, self.kernel),
                }?;
                Ok((out, None))
            });
        }
        let fresh = match (&self.grad_into, self.options.grad) {
            (None, true) => Some(convert::new_f32_array(self.logits.len())?),
            _ => None,
        };
        let mut io = JsRows::new(&self.logits, fresh.as_ref(), self.grad_into.as_ref(), v);
        let out =
            loss::cross_entropy_streamed(self.shape, &self.labels, &self.options, self.kernel, &mut io)?;
        Ok((out, fresh.map(JsValue::from)))
    }
}

/// Label-smoothed cross-entropy on the CPU, synchronously.
///
/// `hf` semantics reproduce transformers' `LabelSmoother` (negative labels other than
/// `ignoreIndex` count as class 0; no range check on ε); `torch` reproduces
/// `F.cross_entropy(..., label_smoothing=ε)` (class weights, reductions, ε ∈ [0, 1]).
/// All positions ignored gives NaN, as PyTorch does; `notes` says why.
#[wasm_bindgen(js_name = crossEntropy, unchecked_return_type = "CrossEntropyResult")]
pub fn cross_entropy(
    #[wasm_bindgen(unchecked_param_type = "CrossEntropyInput")] input: JsValue,
    options: Option<CrossEntropyOptionsArg>,
) -> Result<JsValue, JsValue> {
    let call = Call::decode(&input, &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
    let (out, grad) = call.run_cpu()?;
    Ok(result_object(&out, grad))
}

/// A `[rows, cols]` Int32Array argument: its dims, checked against its length.
fn id_matrix(name: &'static str, data: &JsValue, dims: &JsValue) -> Result<(Vec<i32>, [usize; 2])> {
    let dims = matrix_shape(&convert::numbers("dims", dims)?)?;
    let data = convert::i32_vec(name, data)?;
    check_len(name, data.len(), &dims)?;
    Ok((data, dims))
}

fn view(data: &[i32], [r, c]: [usize; 2]) -> ArrayView2<'_, i32> {
    match ArrayView2::from_shape((r, c), data) {
        Ok(v) => v,
        Err(_) => unreachable!("lengths were checked against the dims"),
    }
}

fn flat(a: ndarray::Array2<i32>) -> js_sys::Int32Array {
    convert::i32_array(&a.as_standard_layout().iter().copied().collect::<Vec<_>>())
}

/// `_pad_tensors_to_target_len`: left-pads each row of `src` (`[B, S]`) with `padId` to
/// `targetLen`; returns `[B, targetLen]`. `S > targetLen` throws; `S = 0` gives all padding.
#[wasm_bindgen(js_name = padToTargetLen)]
pub fn pad_to_target_len(
    #[wasm_bindgen(unchecked_param_type = "Int32Array")] src: JsValue,
    #[wasm_bindgen(unchecked_param_type = "[number, number]")] dims: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number", js_name = targetLen)] target_len: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number", js_name = padId)] pad_id: JsValue,
) -> Result<js_sys::Int32Array, JsValue> {
    let (data, dims) = id_matrix("src", &src, &dims)?;
    let target = convert::count("targetLen", &target_len)?;
    let pad = convert::int32("padId", &pad_id)?;
    Ok(flat(padding::pad_to_target_len(view(&data, dims), target, pad)?))
}

/// `prediction_step`'s label alignment: labels shorter than `promptLen` are left-padded with
/// `padId` (not -100); longer ones are truncated to `labels[:, :promptLen]`.
#[wasm_bindgen(js_name = alignLabels, unchecked_return_type = "IdMatrix")]
pub fn align_labels(
    #[wasm_bindgen(unchecked_param_type = "Int32Array")] labels: JsValue,
    #[wasm_bindgen(unchecked_param_type = "[number, number]")] dims: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number", js_name = promptLen)] prompt_len: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number", js_name = padId)] pad_id: JsValue,
) -> Result<JsValue, JsValue> {
    let (data, dims) = id_matrix("labels", &labels, &dims)?;
    let prompt = convert::count("promptLen", &prompt_len)?;
    let pad = convert::int32("padId", &pad_id)?;
    let out = padding::align_labels(view(&data, dims), prompt, pad)?;
    let d = [out.nrows(), out.ncols()];
    Ok(Builder::new().set("data", flat(out)).set("dims", convert::dims_array(&d)).build())
}

/// `generated[:, :promptLen] = padId`: removes the prompt that generation output starts with.
#[wasm_bindgen(js_name = maskPrompt)]
pub fn mask_prompt(
    #[wasm_bindgen(unchecked_param_type = "Int32Array")] generated: JsValue,
    #[wasm_bindgen(unchecked_param_type = "[number, number]")] dims: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number", js_name = promptLen)] prompt_len: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number", js_name = padId)] pad_id: JsValue,
) -> Result<js_sys::Int32Array, JsValue> {
    let (data, dims) = id_matrix("generated", &generated, &dims)?;
    let prompt = convert::count("promptLen", &prompt_len)?;
    let pad = convert::int32("padId", &pad_id)?;
    Ok(flat(padding::mask_prompt(view(&data, dims), prompt, pad)))
}

fn id_list(name: &'static str, v: &JsValue) -> Result<Vec<i32>> {
    convert::numbers(name, v)?.into_iter().map(|x| opt::integer(name, x)).collect()
}

/// Pads a batch like `DataCollatorForSeq2Seq`: `inputIds` with `padId` plus an attention mask,
/// `labels` with `labelPadId` (-100) to their own longest length, on `paddingSide`, both rounded
/// up to `padToMultipleOf`.
#[wasm_bindgen(unchecked_return_type = "CollateResult")]
pub fn collate(
    #[wasm_bindgen(unchecked_param_type = "CollateExample[]")] examples: JsValue,
    options: Option<CollateOptionsArg>,
) -> Result<JsValue, JsValue> {
    if !js_sys::Array::is_array(&examples) {
        return Err(
            Error::Parse(format!("examples must be an array, got {}", convert::describe(&examples))).into()
        );
    }
    let list = js_sys::Array::from(&examples)
        .iter()
        .map(|e| {
            let [ids, labels] = convert::fields("an example", &e, ["inputIds", "labels"])?;
            let labels = if labels.is_undefined() { None } else { Some(id_list("labels", &labels)?) };
            Ok(padding::Example { input_ids: id_list("inputIds", &ids)?, labels })
        })
        .collect::<Result<Vec<_>>>()?;
    let o: opt::CollateOptions =
        convert::options("options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
    let out = padding::collate(&list, &o.into_core()?)?;
    let dims = |a: &ndarray::Array2<i32>| convert::dims_array(&[a.nrows(), a.ncols()]);
    let (label_ids, label_dims) = match out.labels {
        Some(l) => (JsValue::from(flat(l.clone())), JsValue::from(dims(&l))),
        None => (JsValue::NULL, JsValue::NULL),
    };
    Ok(Builder::new()
        .set("dims", dims(&out.input_ids))
        .set("inputIds", flat(out.input_ids))
        .set("attentionMask", flat(out.attention_mask))
        .set("labels", label_ids)
        .set("labelDims", label_dims)
        .build())
}

/// Pre-training (CLM) labels: the input ids, padding → `ignoreIndex`. Unshifted by default
/// (use `crossEntropy` with `shiftLabels: true`); `shift: true` shifts here instead.
#[wasm_bindgen(js_name = clmLabels)]
pub fn clm_labels(
    #[wasm_bindgen(unchecked_param_type = "Int32Array", js_name = inputIds)] input_ids: JsValue,
    #[wasm_bindgen(unchecked_param_type = "[number, number]")] dims: JsValue,
    options: Option<LabelOptionsArg>,
) -> Result<js_sys::Int32Array, JsValue> {
    let (data, dims) = id_matrix("inputIds", &input_ids, &dims)?;
    let o: opt::LabelOptions =
        convert::options("options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
    Ok(flat(objectives::clm_labels(view(&data, dims), &o.into_core()?)))
}

/// Alignment (SFT) labels: as `clmLabels`, with each row's first `promptLens[b]` real tokens
/// (counted from its first non-pad token) ignored, so only the response is learned.
#[wasm_bindgen(js_name = sftLabels)]
pub fn sft_labels(
    #[wasm_bindgen(unchecked_param_type = "Int32Array", js_name = inputIds)] input_ids: JsValue,
    #[wasm_bindgen(unchecked_param_type = "[number, number]")] dims: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number | number[] | Int32Array", js_name = promptLens)]
    prompt_lens: JsValue,
    options: Option<LabelOptionsArg>,
) -> Result<js_sys::Int32Array, JsValue> {
    let (data, dims) = id_matrix("inputIds", &input_ids, &dims)?;
    let lens = if prompt_lens.as_f64().is_some() {
        vec![convert::count("promptLens", &prompt_lens)?; dims[0]]
    } else {
        convert::numbers("promptLens", &prompt_lens)?
            .into_iter()
            .map(|x| convert::count("promptLens", &JsValue::from_f64(x)))
            .collect::<Result<_>>()?
    };
    let o: opt::LabelOptions =
        convert::options("options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
    Ok(flat(objectives::sft_labels(view(&data, dims), &lens, &o.into_core()?)?))
}

/// MLM masking as `DataCollatorForLanguageModeling(mlm=True)`: 15 % of non-special tokens
/// chosen, of those 80 % → mask token, 10 % → random id, 10 % unchanged; labels hold the
/// original id where chosen and `ignoreIndex` elsewhere. Seeded, so reproducible.
#[wasm_bindgen(js_name = mlmMask, unchecked_return_type = "MlmResult")]
pub fn mlm_mask(
    #[wasm_bindgen(unchecked_param_type = "Int32Array", js_name = inputIds)] input_ids: JsValue,
    #[wasm_bindgen(unchecked_param_type = "[number, number]")] dims: JsValue,
    #[wasm_bindgen(unchecked_param_type = "MlmOptions")] options: JsValue,
) -> Result<JsValue, JsValue> {
    let (data, dims) = id_matrix("inputIds", &input_ids, &dims)?;
    let o: opt::MlmOptions = convert::options("options", &options)?;
    let out = objectives::mlm_mask(view(&data, dims), &o.into_core()?)?;
    Ok(Builder::new().set("inputIds", flat(out.input_ids)).set("labels", flat(out.labels)).build())
}

/// Mean squared error `F.mse_loss(pred, target, reduction)`, with the gradient w.r.t. `pred`.
#[wasm_bindgen(unchecked_return_type = "MseResult")]
pub fn mse(
    #[wasm_bindgen(unchecked_param_type = "Float32Array")] pred: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float32Array")] target: JsValue,
    options: Option<MseOptionsArg>,
) -> Result<JsValue, JsValue> {
    let pred = convert::f32_vec("pred", &pred)?;
    let target = convert::f32_vec("target", &target)?;
    let o: opt::MseOptions = convert::options("options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
    let (reduction, grad) = o.into_core()?;
    let out = objectives::mse(&pred, &target, reduction, grad)?;
    let mut b = Builder::new()
        .set("loss", out.loss.map_or(JsValue::NULL, JsValue::from_f64))
        .set("perElement", convert::f32_array(&out.per_element));
    if let Some(g) = &out.grad {
        b = b.set("grad", convert::f32_array(g));
    }
    Ok(b.build())
}

/// The hash generator of the golden vectors and the benchmark:
/// `f32((h32(i, seed) / 2^32 − 0.5) · scale)` for `i` in `[0, length)`.
#[wasm_bindgen(js_name = hashLogits)]
pub fn hash_logits(
    #[wasm_bindgen(unchecked_param_type = "number")] length: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] seed: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] scale: JsValue,
) -> Result<js_sys::Float32Array, JsValue> {
    let n = convert::count("length", &length)?;
    let seed = convert::integer("seed", &seed, 0.0, u32::MAX as f64)? as u32;
    let scale = convert::optional_f64("scale", &scale)?.unwrap_or(8.0);
    let mut out = crate::error::try_zeroed::<f32>(n, "hashed logits")?;
    crate::hash::fill_hash_logits(&mut out, 0, seed, scale);
    Ok(convert::f32_array(&out))
}

/// Labels of the hash generator: `ignoreIndex` for 1 in 10, otherwise a class in `[0, vocab)`.
#[wasm_bindgen(js_name = hashLabels)]
pub fn hash_labels(
    #[wasm_bindgen(unchecked_param_type = "number")] length: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] vocab: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] seed: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number", js_name = ignoreIndex)] ignore_index: JsValue,
) -> Result<js_sys::Int32Array, JsValue> {
    let n = convert::count("length", &length)?;
    let vocab = convert::integer("vocab", &vocab, 1.0, u32::MAX as f64)? as usize;
    let seed = convert::integer("seed", &seed, 0.0, u32::MAX as f64)? as u32;
    let ignore = convert::int32("ignoreIndex", &ignore_index)?;
    let mut out = crate::error::try_zeroed::<i32>(n, "hashed labels")?;
    crate::hash::fill_hash_labels(&mut out, vocab, seed, ignore);
    Ok(convert::i32_array(&out))
}

/// The SIMD instruction set of the loaded wasm build: `"relaxed-simd"` (simd128 with fused
/// multiply-add, picked where the engine supports it) or `"simd128"`.
#[wasm_bindgen(js_name = simdLevel, unchecked_return_type = "\"relaxed-simd\" | \"simd128\"")]
pub fn simd_level() -> String {
    crate::cpu::SIMD_LEVEL.into()
}

/// The losslab version (the crate version).
#[wasm_bindgen]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

/// `log_softmax` over the vocabulary: `log p_c = x_c − lse` for every position, shaped like the
/// logits (soft-capped first with `softcap`). `−log p_c` are the smoothing term's summands.
#[wasm_bindgen(js_name = logSoftmax)]
pub fn log_softmax(
    #[wasm_bindgen(unchecked_param_type = "LogitsInput")] input: JsValue,
    options: Option<LogSoftmaxOptionsArg>,
) -> Result<js_sys::Float32Array, JsValue> {
    let [logits, dims] = convert::fields("input", &input, ["logits", "dims"])?;
    let [b, t, v] = logits_shape(&convert::numbers("dims", &dims)?)?;
    let o: opt::LogSoftmaxOptions =
        convert::options("options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
    if let Some(c) = o.softcap {
        if !(c.is_finite() && c > 0.0) {
            return Err(Error::Option {
                name: "softcap",
                requirement: "a positive finite number",
                got: c.to_string(),
            }
            .into());
        }
    }
    // Validated as crossEntropy validates it (the same message).
    let tempered = loss::CrossEntropy { temperature: o.temperature.unwrap_or(1.0), ..Default::default() };
    tempered.validate(v)?;
    let logits = Logits::from_js(&logits)?;
    check_len("logits", logits.len(), &[b, t, v])?;
    let out = logits.with(|flat| {
        let divided;
        let flat = match tempered.temperature_divisor() {
            Some(t) => {
                let mut out = crate::error::try_zeroed::<f32>(flat.len(), "the divided logits")?;
                loss::analytics::divide_row(flat, t, &mut out);
                divided = out;
                &divided[..]
            }
            None => flat,
        };
        let Ok(view) = ndarray::ArrayView2::from_shape((b * t, v), flat) else {
            unreachable!("length was checked against the shape");
        };
        loss::log_softmax(view, o.softcap, crate::cpu::CpuKernel::Simd)
    })?;
    Ok(convert::f32_array(&out))
}
