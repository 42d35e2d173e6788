//! `Trainer` for JavaScript: the trainer's wasm build only (cargo feature `trainer`), so pages
//! that do not train never download it. The boundary converts; `crate::train` computes.

use js_sys::{Object, Reflect, Uint8Array};
use serde::Serialize;
use wasm_bindgen::prelude::*;

use super::convert::{self, Builder};
use super::train_options::{
    EvalView, GenerateOptions, RunOptions, RunOptionsView, RunView, TokenLossesView, TrainerOptions,
    TEXT_KEYS,
};
use crate::error::{Error, Result};
use crate::train::data::utf8;
use crate::train::Trainer as Core;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** Options of `Trainer.create`; every field is optional. */
export interface TrainerOptions {
  /** The bundled corpus and chat template: `"en"` (default) or `"zh"`. */
  corpus?: "en" | "zh";
  /** Your own pre-training prose (at most 1,000,000 characters); bytes must be UTF-8. */
  text?: string | Uint8Array;
  /** Your own SFT pairs as JSONL: one `{"prompt": "…", "response": "…"}` per line. */
  pairs?: string | Uint8Array;
  /** Longest sequence, in tokens (characters): 2–256, default 64. */
  context?: number;
  /** Transformer blocks: 1–8, default 2. */
  layers?: number;
  /** Width: 4–256, default 64. */
  dModel?: number;
  /** Attention heads, a divisor of dModel: 1–16, default 4. */
  heads?: number;
  /** At most this many tokens: a BPE tokenizer trained on the text fills what its characters
   *  leave (0–512, default 512); 0 gives a character tokenizer. */
  vocabSize?: number;
  /** Seeds the initial weights and every run's batches (default 0). */
  seed?: number;
}

/** Options of `beginRun`; every field is optional. */
export interface RunOptions {
  /** A unique name (default: the objective's name); later runs can start `from` it. */
  name?: string;
  /** `"clm"` pre-training (default), `"sft"` (prompt masked), `"sft-unmasked"`. */
  objective?: "clm" | "sft" | "sft-unmasked";
  /** Optimiser steps: 1–100000 (default 400). */
  steps?: number;
  /** Sequences per step: 1–64 (default 16). */
  batchSize?: number;
  /** Peak learning rate (default 0.003), reached after `warmup` steps, then cosine decay to 0. */
  lr?: number;
  /** Linear warm-up steps (default min(20, steps / 5)); the first step's rate is 0. */
  warmup?: number;
  /** AdamW's decoupled weight decay on matrices (default 0.01). */
  weightDecay?: number;
  beta1?: number;
  beta2?: number;
  adamEps?: number;
  /** Global gradient-norm cap (default 1); `null` for none. */
  clip?: number | null;
  /** Held-out evaluation every this many steps (default 50; 0 for only at the end). */
  evalEvery?: number;
  /** The loss, as `crossEntropy` takes it (ε defaults to 0 here); labels are shifted by the trainer. */
  loss?: Omit<CrossEntropyOptions, "shiftLabels" | "grad" | "kernel">;
  /** Starting weights: `"current"` (default), `"init"`, or a finished run's name. */
  from?: string;
}

/** Held-out losses, each under the latest run's loss options. */
export interface EvalPoint {
  step: number;
  /** Pre-training loss: next-token loss over held-out prose. */
  clm: number;
  /** SFT loss: held-out pairs, response tokens only (prompt masked with -100). */
  sft: number;
  /** Held-out pairs with every token scored, prompt included. */
  sftUnmasked: number;
}

export interface StepReport { step: number; steps: number; loss: number; done: boolean }

export interface TrainerRun {
  name: string;
  objective: "clm" | "sft" | "sft-unmasked";
  epsilon: number;
  steps: number;
  done: boolean;
  trainLoss: number[];
  lr: number[];
  gradNorm: number[];
  evals: EvalPoint[];
  samples: { step: number; prompt: string; greedy: string; sampled: string }[];
  /** Per-token held-out losses of the first held-out pair at the run's end (as `tokenLosses(0)`). */
  tokenLosses: TokenLosses | null;
}

export interface TokenLosses {
  pieces: string[];
  promptLength: number;
  /** `clm[t]`: the loss of predicting token t+1 from position t under CLM labels (0 where not scored). */
  clm: number[];
  /** The same under SFT labels: only the response's positions are scored. */
  sft: number[];
}

export interface TrainerSnapshot {
  runs: TrainerRun[];
  vocab: string[];
  parameters: number;
  /** How many held-out pairs there are (valid indexes of `tokenLosses`). */
  heldoutPairs: number;
  config: { vocab: number; context: number; layers: number; dModel: number; heads: number; seed: number };
}

export interface GenerateOptions {
  /** At most this many new tokens (default 40, at most 1000); stops at `<eos>`. */
  maxTokens?: number;
  /** 0 (default) is greedy; above 0 samples from softmax(logits / temperature). */
  temperature?: number;
  seed?: number;
  /** Wrap the prompt in the chat template (default true). */
  chat?: boolean;
}
"#;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(typescript_type = "TrainerOptions")]
    pub type TrainerOptionsArg;
    #[wasm_bindgen(typescript_type = "RunOptions")]
    pub type RunOptionsArg;
    #[wasm_bindgen(typescript_type = "GenerateOptions")]
    pub type GenerateOptionsArg;
}

/// A tiny GPT-2-shaped language model that trains on losslab's own loss and gradient.
#[wasm_bindgen]
pub struct Trainer {
    core: Core,
}

fn to_js<T: Serialize>(value: &T) -> JsValue {
    value.serialize(&serde_wasm_bindgen::Serializer::json_compatible()).unwrap_or(JsValue::NULL)
}

/// A string, or bytes that must be UTF-8.
fn text(name: &str, v: &JsValue) -> Result<Option<String>> {
    if v.is_undefined() || v.is_null() {
        return Ok(None);
    }
    if let Some(s) = v.as_string() {
        return Ok(Some(s));
    }
    match v.dyn_ref::<Uint8Array>() {
        Some(bytes) => utf8(name, &bytes.to_vec()).map(Some),
        None => Err(Error::Parse(format!(
            "{name} must be a string or a Uint8Array, got {}",
            convert::describe(v)
        ))),
    }
}

fn trainer_options(v: &JsValue) -> Result<TrainerOptions> {
    if !v.is_object() {
        return convert::options("Trainer options", v);
    }
    // `text` and `pairs` may be bytes, so they are read here; the rest goes through serde.
    let rest = Object::assign(&Object::new(), v.unchecked_ref());
    let mut texts = [None, None];
    for (slot, key) in texts.iter_mut().zip(TEXT_KEYS) {
        let value = Reflect::get(&rest, &key.into()).unwrap_or(JsValue::UNDEFINED);
        *slot = text(key, &value)?;
        let _ = Reflect::delete_property(&rest, &key.into());
    }
    let mut o: TrainerOptions = convert::options("Trainer options", &rest)?;
    [o.text, o.pairs] = texts;
    Ok(o)
}

#[wasm_bindgen]
impl Trainer {
    /// Builds the tokenizer, the train / held-out split and a seeded model. Throws on a bad
    /// size, an empty or oversized text, a JSONL line without "prompt" or "response" (naming
    /// the line), a pair longer than the context, or bytes that are not UTF-8.
    pub fn create(options: Option<TrainerOptionsArg>) -> Result<Trainer, JsValue> {
        let o = trainer_options(&options.map_or(JsValue::UNDEFINED, JsValue::from))?;
        Ok(Trainer { core: Core::new(&o.into_core()?)? })
    }

    /// Starts a run; the previous one must have finished.
    #[wasm_bindgen(js_name = beginRun)]
    pub fn begin_run(&mut self, options: Option<RunOptionsArg>) -> Result<(), JsValue> {
        if self.core.runs.last().is_some_and(|r| !r.done) {
            return Err(Error::Unsupported("a run is in progress: step it to the end first").into());
        }
        let o: RunOptions =
            convert::options("run options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
        Ok(self.core.begin_run(o.into_core()?)?)
    }

    /// Takes up to `n` steps (default 1) of the current run.
    #[wasm_bindgen(unchecked_return_type = "StepReport")]
    pub fn step(&mut self, n: Option<u32>) -> Result<JsValue, JsValue> {
        let r = self.core.step(n.unwrap_or(1) as usize)?;
        Ok(Builder::new()
            .set("step", r.step as f64)
            .set("steps", r.steps as f64)
            .set("loss", r.loss)
            .set("done", r.done)
            .build())
    }

    /// Held-out losses of the current weights.
    #[wasm_bindgen(unchecked_return_type = "EvalPoint")]
    pub fn evaluate(&mut self) -> Result<JsValue, JsValue> {
        Ok(to_js(&EvalView::from(&self.core.evaluate()?)))
    }

    /// Per-token held-out losses of held-out pair `index` (default 0) under CLM labels and SFT
    /// labels: `clm[t]` / `sft[t]` is the loss of predicting token t+1, 0 where not scored.
    #[wasm_bindgen(js_name = tokenLosses, unchecked_return_type = "TokenLosses")]
    pub fn token_losses(&mut self, index: Option<u32>) -> Result<JsValue, JsValue> {
        Ok(to_js(&TokenLossesView::from(self.core.token_losses(index.unwrap_or(0) as usize)?)))
    }

    /// Continues a prompt (wrapped in the chat template unless `chat: false`).
    pub fn generate(
        &mut self,
        prompt: String,
        options: Option<GenerateOptionsArg>,
    ) -> Result<String, JsValue> {
        let o: GenerateOptions =
            convert::options("generate options", &options.map_or(JsValue::UNDEFINED, JsValue::from))?;
        let max_tokens = o.max_tokens.unwrap_or(40.0);
        if max_tokens.fract() != 0.0 || !(0.0..=1000.0).contains(&max_tokens) {
            return Err(Error::Option {
                name: "maxTokens",
                requirement: "an integer in [0, 1000]",
                got: max_tokens.to_string(),
            }
            .into());
        }
        let seed = o.seed.unwrap_or(0.0);
        if seed.fract() != 0.0 || !(0.0..=u32::MAX as f64).contains(&seed) {
            return Err(
                Error::Option { name: "seed", requirement: "a whole number", got: seed.to_string() }.into()
            );
        }
        let text = if o.chat.unwrap_or(true) { self.core.data.template.prompt(&prompt) } else { prompt };
        Ok(self.core.generate(&text, max_tokens as usize, o.temperature.unwrap_or(0.0), seed as u64)?)
    }

    /// Token ids and pieces of a text (unknown characters become `<unk>`).
    #[wasm_bindgen(unchecked_return_type = "{ ids: Int32Array; pieces: string[] }")]
    pub fn tokenize(&self, text: String) -> JsValue {
        let ids = self.core.data.tokenizer.encode(&text);
        let pieces: Vec<String> = ids.iter().map(|&id| self.core.data.tokenizer.decode(&[id])).collect();
        Builder::new().set("ids", convert::i32_array(&ids)).set("pieces", to_js(&pieces)).build()
    }

    /// How a prompt/response pair becomes model input: the templated prompt, the response and
    /// `<eos>` as `inputIds` with their `pieces`, and `labels` as the loss sees them — SFT's
    /// (the prompt is -100) unless `objective` is `"clm"` or `"sft-unmasked"` (every token).
    #[wasm_bindgen(js_name = encodePair, unchecked_return_type = "{ inputIds: Int32Array; labels: Int32Array; pieces: string[]; promptLength: number }")]
    pub fn encode_pair(
        &self,
        prompt: String,
        response: String,
        objective: Option<String>,
    ) -> Result<JsValue, JsValue> {
        let objective = match objective.as_deref() {
            None | Some("sft") => crate::train::Objective::Sft,
            Some("clm") | Some("sft-unmasked") => crate::train::Objective::SftUnmasked,
            Some(other) => {
                return Err(Error::Option {
                    name: "objective",
                    requirement: "\"clm\", \"sft\" or \"sft-unmasked\"",
                    got: format!("{other:?}"),
                }
                .into())
            }
        };
        let (pair, batch) = self.core.data.encode_pair(&prompt, &response, objective)?;
        let pieces: Vec<String> = pair.ids.iter().map(|&id| self.core.data.tokenizer.decode(&[id])).collect();
        Ok(Builder::new()
            .set("inputIds", convert::i32_array(&batch.ids))
            .set("labels", convert::i32_array(&batch.labels))
            .set("pieces", to_js(&pieces))
            .set("promptLength", pair.prompt_len as f64)
            .build())
    }

    /// Every run's curves, evaluations and samples, the vocabulary and the model's size.
    #[wasm_bindgen(unchecked_return_type = "TrainerSnapshot")]
    pub fn snapshot(&self) -> JsValue {
        let c = &self.core.model.config;
        let runs: Vec<RunView> = self.core.runs.iter().map(RunView::from).collect();
        let config = Builder::new()
            .set("vocab", c.vocab as f64)
            .set("context", c.context as f64)
            .set("layers", c.layers as f64)
            .set("dModel", c.d_model as f64)
            .set("heads", c.heads as f64)
            .set("seed", self.core.seed as f64)
            .build();
        Builder::new()
            .set("runs", to_js(&runs))
            .set("vocab", to_js(&self.core.data.tokenizer.pieces()))
            .set("parameters", self.core.model.params.len() as f64)
            .set("heldoutPairs", self.core.data.heldout_pairs.len() as f64)
            .set("config", config)
            .build()
    }

    /// Frees the model's memory; the object is unusable afterwards.
    pub fn dispose(self) {}
}

/// The lesson's three runs, as `beginRun` options: pre-training, then SFT from its weights with
/// the prompt masked, and the same SFT without masking; label smoothing ε (default 0).
#[wasm_bindgen(js_name = lessonRuns, unchecked_return_type = "RunOptions[]")]
pub fn lesson_runs(epsilon: Option<f64>) -> Result<JsValue, JsValue> {
    let epsilon = epsilon.unwrap_or(0.0);
    if !epsilon.is_finite() {
        return Err(Error::Option {
            name: "epsilon",
            requirement: "a finite number",
            got: epsilon.to_string(),
        }
        .into());
    }
    let runs: Vec<RunOptionsView> =
        crate::train::trainer::lesson_runs(epsilon).iter().map(RunOptionsView::from).collect();
    Ok(to_js(&runs))
}

/// The lowest value a label-smoothed loss can reach over `vocab` classes: the entropy of the
/// smoothed target `(1 − ε)·onehot + ε/V`.
#[wasm_bindgen(js_name = labelSmoothingFloor)]
pub fn label_smoothing_floor(epsilon: f64, vocab: u32) -> Result<f64, JsValue> {
    if !(0.0..=1.0).contains(&epsilon) || vocab == 0 {
        return Err(Error::Parse(format!(
            "labelSmoothingFloor needs 0 <= epsilon <= 1 and vocab >= 1, got {epsilon} and {vocab}"
        ))
        .into());
    }
    Ok(crate::train::trainer::smoothing_floor(epsilon, vocab as usize))
}
