//! Decoding of the trainer's option objects (`Trainer.create`, `beginRun`, `generate`) into the
//! core's configs, strictly, and the serialisable shapes its results take. Target-independent.

use serde::{Deserialize, Serialize};

use super::options::CrossEntropyOptions;
use crate::error::{Error, Result};
use crate::train::corpus::{self, Corpus, Language};
use crate::train::data::{parse_pairs, Objective};
use crate::train::optim::AdamW;
use crate::train::trainer::{
    EvalPoint, RunConfig, RunRecord, Sample, Source, Start, TokenLosses, TrainerConfig,
};

fn choice(name: &'static str, requirement: &'static str, got: &str) -> Error {
    Error::Option { name, requirement, got: format!("{got:?}") }
}

/// A JS number that must be a whole number in `[0, max]`.
fn whole(name: &'static str, x: f64, max: f64) -> Result<usize> {
    if x.fract() == 0.0 && (0.0..=max).contains(&x) {
        Ok(x as usize)
    } else {
        Err(Error::Option { name, requirement: "a whole number", got: x.to_string() })
    }
}

fn language(name: &'static str, s: Option<&str>) -> Result<Language> {
    match s {
        None | Some("en") => Ok(Language::En),
        Some("zh") => Ok(Language::Zh),
        Some(other) => Err(choice(name, "\"en\" or \"zh\"", other)),
    }
}

/// `Trainer.create`'s options. `text` and `pairs` arrive already decoded to strings (bytes are
/// checked as UTF-8 by the bindings).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TrainerOptions {
    pub corpus: Option<String>,
    #[serde(skip)]
    pub text: Option<String>,
    #[serde(skip)]
    pub pairs: Option<String>,
    pub context: Option<f64>,
    pub layers: Option<f64>,
    pub d_model: Option<f64>,
    pub heads: Option<f64>,
    pub vocab_size: Option<f64>,
    pub seed: Option<f64>,
}

/// The keys `TrainerOptions` accepts besides its serde fields (read separately as text or bytes).
pub const TEXT_KEYS: [&str; 2] = ["text", "pairs"];

impl TrainerOptions {
    pub fn into_core(self) -> Result<TrainerConfig> {
        let d = TrainerConfig::default();
        let lang = language("corpus", self.corpus.as_deref())?;
        let source = if self.text.is_none() && self.pairs.is_none() {
            Source::Bundled(lang)
        } else {
            // What the user did not bring comes from the bundled corpus of that language.
            let bundled = corpus::bundled(lang);
            let documents = match self.text {
                Some(t) if t.trim().is_empty() => {
                    return Err(Error::Parse("text is empty: give some prose to pre-train on".into()))
                }
                Some(t) => vec![t],
                None => bundled.documents,
            };
            let pairs = match self.pairs {
                Some(p) => parse_pairs(&p)?,
                None => bundled.pairs,
            };
            Source::Own { corpus: Corpus { documents, pairs }, language: lang }
        };
        let size = |name, x: Option<f64>, default| x.map_or(Ok(default), |x| whole(name, x, 1e6));
        Ok(TrainerConfig {
            source,
            context: size("context", self.context, d.context)?,
            layers: size("layers", self.layers, d.layers)?,
            d_model: size("dModel", self.d_model, d.d_model)?,
            heads: size("heads", self.heads, d.heads)?,
            vocab_size: size("vocabSize", self.vocab_size, d.vocab_size)?,
            seed: self.seed.map_or(Ok(0), |s| whole("seed", s, u32::MAX as f64))? as u64,
        })
    }
}

/// `beginRun`'s options.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RunOptions {
    pub name: Option<String>,
    pub objective: Option<String>,
    pub steps: Option<f64>,
    pub batch_size: Option<f64>,
    pub lr: Option<f64>,
    pub warmup: Option<f64>,
    pub weight_decay: Option<f64>,
    pub beta1: Option<f64>,
    pub beta2: Option<f64>,
    pub adam_eps: Option<f64>,
    /// `null` turns clipping off; absent keeps the default of 1.
    #[serde(default, deserialize_with = "present")]
    pub clip: Option<Option<f64>>,
    pub eval_every: Option<f64>,
    pub loss: Option<CrossEntropyOptions>,
    pub from: Option<String>,
}

fn present<'de, D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Option<Option<f64>>, D::Error> {
    Option::<f64>::deserialize(d).map(Some)
}

impl RunOptions {
    pub fn into_core(self) -> Result<RunConfig> {
        let d = RunConfig::default();
        let objective = match self.objective.as_deref() {
            None | Some("clm") => Objective::Clm,
            Some("sft") => Objective::Sft,
            Some("sft-unmasked") => Objective::SftUnmasked,
            Some(other) => return Err(choice("objective", "\"clm\", \"sft\" or \"sft-unmasked\"", other)),
        };
        let loss = match self.loss {
            None => d.loss.clone(),
            Some(o) => {
                // The trainer owns these: its labels use -100 and are shifted by the loss.
                if o.shift_labels.is_some() || o.grad.is_some() || o.kernel.is_some() {
                    return Err(Error::Unsupported(
                        "loss.shiftLabels, loss.grad and loss.kernel are set by the trainer (labels are shifted, the gradient is always taken)",
                    ));
                }
                if o.ignore_index.is_some_and(|i| i != -100.0) {
                    return Err(Error::Unsupported(
                        "loss.ignoreIndex must be -100: the trainer's labels mark ignored tokens with -100",
                    ));
                }
                // Unlike crossEntropy's default of ε = 0.1, runs default to plain cross-entropy.
                let epsilon = o.epsilon.or(Some(0.0));
                CrossEntropyOptions { epsilon, ..o }.into_core()?
            }
        };
        let name = self.name.unwrap_or_else(|| objective.name().to_string());
        let count =
            |n: &'static str, x: Option<f64>, default: usize| x.map_or(Ok(default), |x| whole(n, x, 1e9));
        let steps = count("steps", self.steps, d.steps)?;
        let adamw = AdamW {
            lr: self.lr.unwrap_or(d.optimizer.lr),
            beta1: self.beta1.unwrap_or(d.optimizer.beta1),
            beta2: self.beta2.unwrap_or(d.optimizer.beta2),
            eps: self.adam_eps.unwrap_or(d.optimizer.eps),
            weight_decay: self.weight_decay.unwrap_or(d.optimizer.weight_decay),
        };
        let start = match self.from.as_deref() {
            None | Some("current") => Start::Current,
            Some("init") => Start::Init,
            Some(run) => Start::Run(run.to_string()),
        };
        Ok(RunConfig {
            name,
            objective,
            steps,
            batch_size: count("batchSize", self.batch_size, d.batch_size)?,
            optimizer: adamw,
            warmup: count("warmup", self.warmup, d.warmup.min(steps / 5))?,
            clip: self.clip.unwrap_or(d.clip),
            eval_every: count("evalEvery", self.eval_every, d.eval_every)?,
            loss,
            start,
        })
    }
}

/// `generate`'s options.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct GenerateOptions {
    pub max_tokens: Option<f64>,
    pub temperature: Option<f64>,
    pub seed: Option<f64>,
    /// Wrap the prompt in the chat template (default true).
    pub chat: Option<bool>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct EvalView {
    pub step: usize,
    pub clm: f64,
    pub sft: f64,
    pub sft_unmasked: f64,
}

impl From<&EvalPoint> for EvalView {
    fn from(e: &EvalPoint) -> Self {
        Self { step: e.step, clm: e.clm, sft: e.sft, sft_unmasked: e.sft_unmasked }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SampleView {
    pub step: usize,
    pub prompt: String,
    pub greedy: String,
    pub sampled: String,
}

impl From<&Sample> for SampleView {
    fn from(s: &Sample) -> Self {
        Self { step: s.step, prompt: s.prompt.clone(), greedy: s.greedy.clone(), sampled: s.sampled.clone() }
    }
}

/// One run as `snapshot()` reports it.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunView {
    pub name: String,
    pub objective: &'static str,
    pub epsilon: f64,
    pub steps: usize,
    pub done: bool,
    pub train_loss: Vec<f32>,
    pub lr: Vec<f32>,
    pub grad_norm: Vec<f32>,
    pub evals: Vec<EvalView>,
    pub samples: Vec<SampleView>,
    pub token_losses: Option<TokenLossesView>,
}

impl From<&RunRecord> for RunView {
    fn from(r: &RunRecord) -> Self {
        Self {
            name: r.config.name.clone(),
            objective: r.config.objective.name(),
            epsilon: r.config.loss.epsilon,
            steps: r.config.steps,
            done: r.done,
            train_loss: r.train_loss.clone(),
            lr: r.lr.clone(),
            grad_norm: r.grad_norm.clone(),
            evals: r.evals.iter().map(EvalView::from).collect(),
            samples: r.samples.iter().map(SampleView::from).collect(),
            token_losses: r.token_losses.clone().map(TokenLossesView::from),
        }
    }
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenLossesView {
    pub pieces: Vec<String>,
    pub prompt_length: usize,
    pub clm: Vec<f32>,
    pub sft: Vec<f32>,
}

impl From<TokenLosses> for TokenLossesView {
    fn from(t: TokenLosses) -> Self {
        Self { pieces: t.pieces, prompt_length: t.prompt_len, clm: t.clm, sft: t.sft }
    }
}

/// A run's settings as `beginRun` takes them back (the lesson's runs, for pages to start).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
pub struct RunOptionsView {
    pub name: String,
    pub objective: &'static str,
    pub steps: usize,
    pub batch_size: usize,
    pub lr: f64,
    pub warmup: usize,
    pub weight_decay: f64,
    pub clip: Option<f64>,
    pub eval_every: usize,
    pub loss: LossView,
    pub from: String,
}

#[derive(Serialize)]
pub struct LossView {
    pub epsilon: f64,
}

impl From<&RunConfig> for RunOptionsView {
    fn from(r: &RunConfig) -> Self {
        Self {
            name: r.name.clone(),
            objective: r.objective.name(),
            steps: r.steps,
            batch_size: r.batch_size,
            lr: r.optimizer.lr,
            warmup: r.warmup,
            weight_decay: r.optimizer.weight_decay,
            clip: r.clip,
            eval_every: r.eval_every,
            loss: LossView { epsilon: r.loss.epsilon },
            from: match &r.start {
                Start::Current => "current".into(),
                Start::Init => "init".into(),
                Start::Run(name) => name.clone(),
            },
        }
    }
}
