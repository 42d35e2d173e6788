//! The trainer: runs (pre-training, SFT, SFT without masking) over a model and a dataset, each
//! step scored by losslab's cross-entropy and backpropagated from its closed-form gradient;
//! held-out evaluation, sampling, and the record of every run.

use ndarray::{ArrayView2, ArrayView3};

use super::corpus::{self, Corpus, Language};
use super::data::{Batch, Dataset, Objective, Template, EOS};
use super::model::{Cache, GradScratch, Model, ModelConfig, MAX_VOCAB};
use super::optim::{clip_grad_norm, lr_factor, AdamState, AdamW};
use crate::cpu::CpuKernel;
use crate::error::{Error, Result};
use crate::loss::{cross_entropy_into, CrossEntropy, CrossEntropyOutput, Reduction};
use crate::objectives::SplitMix64;

/// Where the text comes from.
#[derive(Clone, Debug, PartialEq)]
pub enum Source {
    Bundled(Language),
    /// The user's prose and pairs, laid out with `language`'s chat template.
    Own {
        corpus: Corpus,
        language: Language,
    },
}

/// Everything `Trainer::new` needs. The vocabulary size comes from the text.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainerConfig {
    pub source: Source,
    pub context: usize,
    pub layers: usize,
    pub d_model: usize,
    pub heads: usize,
    /// The tokenizer's vocabulary, at most (BPE merges fill what the characters leave);
    /// 0 gives a character tokenizer.
    pub vocab_size: usize,
    pub seed: u64,
}

impl Default for TrainerConfig {
    fn default() -> Self {
        let m = ModelConfig::default();
        Self {
            source: Source::Bundled(Language::En),
            context: m.context,
            layers: m.layers,
            d_model: m.d_model,
            heads: m.heads,
            vocab_size: DEFAULT_VOCAB,
            seed: 0,
        }
    }
}

/// Which weights a run starts from.
#[derive(Clone, Debug, PartialEq)]
pub enum Start {
    /// Where the previous run left them.
    Current,
    /// The seeded initial weights.
    Init,
    /// The weights at the end of the named finished run.
    Run(String),
}

/// Room for every character of the bundled corpora (the Chinese one has ~400) plus merges.
pub const DEFAULT_VOCAB: usize = 512;
pub const MAX_STEPS: usize = 100_000;
pub const MAX_BATCH: usize = 64;
const EVAL_BATCH: usize = 16;

/// One run's settings.
#[derive(Clone, Debug, PartialEq)]
pub struct RunConfig {
    pub name: String,
    pub objective: Objective,
    pub steps: usize,
    pub batch_size: usize,
    pub optimizer: AdamW,
    pub warmup: usize,
    /// Global gradient-norm cap; `None` leaves gradients as they are.
    pub clip: Option<f64>,
    /// Held-out evaluation every this many steps (and always at the end); 0 for only the end.
    pub eval_every: usize,
    /// The loss, as any `crossEntropy` call takes it; the trainer sets `shift_labels` and `grad`.
    pub loss: CrossEntropy,
    pub start: Start,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            name: "pretrain".into(),
            objective: Objective::Clm,
            steps: 400,
            batch_size: 16,
            optimizer: AdamW::default(),
            warmup: 20,
            clip: Some(1.0),
            eval_every: 50,
            loss: CrossEntropy { epsilon: 0.0, ..CrossEntropy::default() },
            start: Start::Current,
        }
    }
}

/// The lesson: pre-training on the prose, then SFT from the pre-trained weights with the prompt
/// masked (only answers scored), and the same SFT with every token scored. Plain cross-entropy
/// unless `epsilon` says otherwise.
pub fn lesson_runs(epsilon: f64) -> Vec<RunConfig> {
    let loss = CrossEntropy { epsilon, ..RunConfig::default().loss };
    let pretrain = RunConfig { name: "pretrain".into(), steps: 400, loss, ..RunConfig::default() };
    let sft = RunConfig {
        name: "sft".into(),
        objective: Objective::Sft,
        steps: 300,
        optimizer: AdamW { lr: 2e-3, ..AdamW::default() },
        start: Start::Run("pretrain".into()),
        ..pretrain.clone()
    };
    let unmasked =
        RunConfig { name: "sft-unmasked".into(), objective: Objective::SftUnmasked, ..sft.clone() };
    vec![pretrain, sft, unmasked]
}

/// The lowest value a label-smoothed loss can take over `vocab` classes: the entropy of the
/// smoothed target `(1 − ε)·onehot + ε/V` (cross-entropy is never below the target's entropy).
pub fn smoothing_floor(epsilon: f64, vocab: usize) -> f64 {
    let v = vocab as f64;
    let (on, off) = (1.0 - epsilon + epsilon / v, epsilon / v);
    let term = |p: f64| if p > 0.0 { -p * p.ln() } else { 0.0 };
    term(on) + (v - 1.0) * term(off)
}

fn bad(name: &'static str, requirement: &'static str, got: impl ToString) -> Error {
    Error::Option { name, requirement, got: got.to_string() }
}

impl RunConfig {
    fn validate(&self, vocab: usize) -> Result<()> {
        if self.name.is_empty() || self.name.chars().count() > 40 {
            return Err(bad("name", "1 to 40 characters", format!("{:?}", self.name)));
        }
        if !(1..=MAX_STEPS).contains(&self.steps) {
            return Err(bad("steps", "an integer in [1, 100000]", self.steps));
        }
        if !(1..=MAX_BATCH).contains(&self.batch_size) {
            return Err(bad("batchSize", "an integer in [1, 64]", self.batch_size));
        }
        let o = &self.optimizer;
        if !(o.lr.is_finite() && o.lr > 0.0 && o.lr <= 1.0) {
            return Err(bad("lr", "a number in (0, 1]", o.lr));
        }
        for (name, b) in [("beta1", o.beta1), ("beta2", o.beta2)] {
            if !(0.0..1.0).contains(&b) {
                return Err(bad(name, "a number in [0, 1)", b));
            }
        }
        if !(o.eps.is_finite() && o.eps > 0.0) {
            return Err(bad("adamEps", "a positive number", o.eps));
        }
        if !(o.weight_decay.is_finite() && (0.0..=1.0).contains(&o.weight_decay)) {
            return Err(bad("weightDecay", "a number in [0, 1]", o.weight_decay));
        }
        if self.warmup > self.steps {
            return Err(bad("warmup", "at most the number of steps", self.warmup));
        }
        if let Some(c) = self.clip {
            if !(c.is_finite() && c > 0.0) {
                return Err(bad("clip", "a positive number (or null for no clipping)", c));
            }
        }
        if self.loss.reduction == Reduction::None {
            return Err(Error::Unsupported(
                "a run needs a scalar loss: reduction \"none\" has no gradient to train on",
            ));
        }
        self.loss.validate(vocab)
    }

    fn loss_options(&self) -> CrossEntropy {
        CrossEntropy { shift_labels: true, grad: true, ..self.loss.clone() }
    }
}

/// Held-out losses at one step, each under the run's loss options.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct EvalPoint {
    pub step: usize,
    /// Pre-training loss: next-token loss over held-out prose.
    pub clm: f64,
    /// SFT loss: held-out pairs, response tokens only.
    pub sft: f64,
    /// Held-out pairs with every token scored, prompt included.
    pub sft_unmasked: f64,
}

/// Model output for one held-out prompt.
#[derive(Clone, Debug, PartialEq)]
pub struct Sample {
    pub step: usize,
    pub prompt: String,
    pub greedy: String,
    pub sampled: String,
}

/// Everything one run recorded.
#[derive(Clone, Debug, PartialEq)]
pub struct RunRecord {
    pub config: RunConfig,
    pub train_loss: Vec<f32>,
    pub lr: Vec<f32>,
    pub grad_norm: Vec<f32>,
    pub evals: Vec<EvalPoint>,
    pub samples: Vec<Sample>,
    /// Per-token held-out losses of the first held-out pair at the run's end.
    pub token_losses: Option<TokenLosses>,
    pub done: bool,
}

struct Active {
    optimizer: AdamState,
    rng: SplitMix64,
}

/// The result of `step`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct StepReport {
    /// Steps taken in the current run so far.
    pub step: usize,
    pub steps: usize,
    pub loss: f64,
    pub done: bool,
}

/// Per-token held-out losses on one example, under CLM and SFT labels.
#[derive(Clone, Debug, PartialEq)]
pub struct TokenLosses {
    /// The example's pieces, one per input position.
    pub pieces: Vec<String>,
    /// Where the response starts (the prompt's length in tokens).
    pub prompt_len: usize,
    /// Loss of predicting token `t + 1` from position `t`, 0 where not scored.
    pub clm: Vec<f32>,
    pub sft: Vec<f32>,
}

/// A model, its data, and the runs it went through.
pub struct Trainer {
    pub model: Model,
    pub data: Dataset,
    pub seed: u64,
    init: Vec<f32>,
    checkpoints: Vec<(String, Vec<f32>)>,
    pub runs: Vec<RunRecord>,
    active: Option<Active>,
    cache: Cache,
    grads: Vec<f32>,
    scratch: GradScratch,
    dlogits: Vec<f32>,
    /// The loss options of the latest run, used by `evaluate` between runs.
    eval_loss: CrossEntropy,
}

impl Trainer {
    pub fn new(config: &TrainerConfig) -> Result<Self> {
        let (corpus, language) = match &config.source {
            Source::Bundled(language) => (corpus::bundled(*language), *language),
            Source::Own { corpus, language } => (corpus.clone(), *language),
        };
        // The model's caps first, so a bad size is named before any text is read.
        let model_config = ModelConfig {
            vocab: 3,
            context: config.context,
            layers: config.layers,
            d_model: config.d_model,
            heads: config.heads,
        };
        model_config.validate()?;
        if config.vocab_size > MAX_VOCAB {
            return Err(bad("vocabSize", "an integer in [0, 512]", config.vocab_size));
        }
        let data =
            Dataset::new(&corpus, Template::for_language(language), config.context, config.vocab_size)?;
        let model = Model::new(ModelConfig { vocab: data.tokenizer.len(), ..model_config }, config.seed)?;
        let init = model.params.clone();
        let grads = vec![0.0; init.len()];
        Ok(Self {
            model,
            data,
            seed: config.seed,
            init,
            checkpoints: Vec::new(),
            runs: Vec::new(),
            active: None,
            cache: Cache::default(),
            grads,
            scratch: GradScratch::default(),
            dlogits: Vec::new(),
            eval_loss: RunConfig::default().loss,
        })
    }

    /// Starts a run: loads its starting weights, a fresh optimiser and schedule, and a batch
    /// stream seeded by the trainer's seed and the run's position.
    pub fn begin_run(&mut self, config: RunConfig) -> Result<()> {
        config.validate(self.model.config.vocab)?;
        if self.runs.iter().any(|r| r.config.name == config.name) {
            return Err(bad("name", "a name no earlier run has", format!("{:?}", config.name)));
        }
        match &config.start {
            Start::Current => {}
            Start::Init => self.model.params.clone_from(&self.init),
            Start::Run(name) => {
                let (_, weights) = self.checkpoints.iter().find(|(n, _)| n == name).ok_or_else(|| {
                    bad("from", "\"current\", \"init\" or the name of a finished run", format!("{name:?}"))
                })?;
                self.model.params.clone_from(weights);
            }
        }
        let run_seed = self.seed ^ (self.runs.len() as u64 + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        self.active = Some(Active {
            optimizer: AdamState::new(self.model.params.len()),
            rng: SplitMix64::new(run_seed),
        });
        self.eval_loss = config.loss.clone();
        self.runs.push(RunRecord {
            config,
            train_loss: Vec::new(),
            lr: Vec::new(),
            grad_norm: Vec::new(),
            evals: Vec::new(),
            samples: Vec::new(),
            token_losses: None,
            done: false,
        });
        Ok(())
    }

    fn current(&self) -> Result<&RunRecord> {
        match (self.runs.last(), &self.active) {
            (Some(run), Some(_)) if !run.done => Ok(run),
            _ => Err(Error::Unsupported("no run in progress: begin a run first")),
        }
    }

    /// The next training batch of the current run.
    pub fn next_batch(&mut self) -> Result<Batch> {
        let run = self.current()?;
        let (objective, size) = (run.config.objective, run.config.batch_size);
        let active = self.active.as_mut().expect("checked by current()");
        self.data.sample(objective, size, &mut active.rng)
    }

    /// Runs up to `n` steps of the current run (fewer if it ends), evaluating at its intervals
    /// and at the end, where it also samples and keeps the weights under the run's name.
    pub fn step(&mut self, n: usize) -> Result<StepReport> {
        let mut report = None;
        for _ in 0..n {
            let batch = self.next_batch()?;
            let r = self.step_on(&batch)?;
            report = Some(r);
            if r.done {
                break;
            }
        }
        match report {
            Some(r) => Ok(r),
            None => {
                let run = self.current()?;
                Ok(StepReport {
                    step: run.train_loss.len(),
                    steps: run.config.steps,
                    loss: f64::NAN,
                    done: false,
                })
            }
        }
    }

    /// One optimiser step of the current run on `batch`: forward, losslab's loss and gradient,
    /// backward, clipping, AdamW at the scheduled rate.
    pub fn step_on(&mut self, batch: &Batch) -> Result<StepReport> {
        let run = self.current()?;
        let (cfg_step, steps) = (run.train_loss.len(), run.config.steps);
        let (opts, adamw, warmup, clip) =
            (run.config.loss_options(), run.config.optimizer, run.config.warmup, run.config.clip);
        let out = self.loss_and_grad(batch, &opts)?;
        let loss = out.summary.loss.unwrap_or(f64::NAN);
        if !loss.is_finite() {
            return Err(Error::Parse(format!(
                "step {}: the loss is {loss}; the run stops here (try a smaller learning rate)",
                cfg_step + 1
            )));
        }
        self.model.backward(&self.cache, &self.dlogits, &mut self.grads, &mut self.scratch);
        let norm = match clip {
            Some(max) => clip_grad_norm(&mut self.grads, max),
            None => self.grads.iter().map(|&g| g as f64 * g as f64).sum::<f64>().sqrt(),
        };
        let lr = adamw.lr * lr_factor(cfg_step, warmup, steps);
        let active = self.active.as_mut().expect("checked by current()");
        adamw.step(&self.model.layout, lr, &mut self.model.params, &self.grads, &mut active.optimizer);

        let run = self.runs.last_mut().expect("checked by current()");
        run.train_loss.push(loss as f32);
        run.lr.push(lr as f32);
        run.grad_norm.push(norm as f32);
        let step = run.train_loss.len();
        let done = step == steps;
        let every = run.config.eval_every;
        if done || (every > 0 && step.is_multiple_of(every)) {
            let point = self.evaluate_at(step)?;
            self.runs.last_mut().expect("a run").evals.push(point);
        }
        if done {
            self.finish_run()?;
        }
        Ok(StepReport { step, steps, loss, done })
    }

    fn finish_run(&mut self) -> Result<()> {
        let step = self.runs.last().map_or(0, |r| r.train_loss.len());
        let samples = self.samples(step)?;
        let token_losses = self.token_losses(0)?;
        let run = self.runs.last_mut().expect("a run");
        run.samples = samples;
        run.token_losses = Some(token_losses);
        run.done = true;
        self.checkpoints.push((run.config.name.clone(), self.model.params.clone()));
        self.active = None;
        Ok(())
    }

    /// Forward pass and losslab's cross-entropy with its gradient (left in `self.dlogits`).
    fn loss_and_grad(&mut self, batch: &Batch, opts: &CrossEntropy) -> Result<CrossEntropyOutput> {
        self.model.forward(&batch.ids, batch.batch, batch.seq, &mut self.cache)?;
        let v = self.model.config.vocab;
        self.dlogits.resize(self.cache.logits.len(), 0.0);
        let logits =
            ArrayView3::from_shape((batch.batch, batch.seq, v), &self.cache.logits).expect("logits shape");
        let labels = ArrayView2::from_shape((batch.batch, batch.seq), &batch.labels).expect("labels shape");
        cross_entropy_into(logits, labels, opts, CpuKernel::Simd, Some(&mut self.dlogits))
    }

    /// The loss of `batches` as one set: each batch divided by the set's total target count, so
    /// the parts add up to the mean over every scored token (the `numItemsInBatch` rule).
    fn set_loss(&mut self, batches: &[Batch], loss: &CrossEntropy) -> Result<f64> {
        let total: usize = batches.iter().map(Batch::num_targets).sum();
        if total == 0 {
            return Ok(f64::NAN);
        }
        let opts = CrossEntropy {
            shift_labels: true,
            grad: false,
            reduction: Reduction::Mean,
            num_items_in_batch: Some(total as f64),
            ..loss.clone()
        };
        let mut sum = 0.0;
        for b in batches {
            self.model.forward(&b.ids, b.batch, b.seq, &mut self.cache)?;
            let logits =
                ArrayView3::from_shape((b.batch, b.seq, self.model.config.vocab), &self.cache.logits)
                    .expect("shape");
            let labels = ArrayView2::from_shape((b.batch, b.seq), &b.labels).expect("shape");
            let out = cross_entropy_into(logits, labels, &opts, CpuKernel::Simd, None)?;
            sum += out.summary.loss.unwrap_or(f64::NAN);
        }
        Ok(sum)
    }

    fn evaluate_at(&mut self, step: usize) -> Result<EvalPoint> {
        let loss = self.eval_loss.clone();
        let at = |t: &mut Self, objective| -> Result<f64> {
            let batches = t.data.heldout(objective, EVAL_BATCH)?;
            t.set_loss(&batches, &loss)
        };
        Ok(EvalPoint {
            step,
            clm: at(self, Objective::Clm)?,
            sft: at(self, Objective::Sft)?,
            sft_unmasked: at(self, Objective::SftUnmasked)?,
        })
    }

    /// Held-out losses of the weights as they are now, under the latest run's loss options.
    pub fn evaluate(&mut self) -> Result<EvalPoint> {
        let step = self.runs.last().map_or(0, |r| r.train_loss.len());
        self.evaluate_at(step)
    }

    /// Per-token held-out losses of one held-out pair, under CLM and SFT labels.
    pub fn token_losses(&mut self, index: usize) -> Result<TokenLosses> {
        let loss = CrossEntropy { shift_labels: true, grad: false, ..self.eval_loss.clone() };
        let per_token = |t: &mut Self, objective| -> Result<Vec<f32>> {
            let b = t.data.heldout_example(index, objective)?;
            t.model.forward(&b.ids, 1, b.seq, &mut t.cache)?;
            let logits =
                ArrayView3::from_shape((1, b.seq, t.model.config.vocab), &t.cache.logits).expect("shape");
            let labels = ArrayView2::from_shape((1, b.seq), &b.labels).expect("shape");
            Ok(cross_entropy_into(logits, labels, &loss, CpuKernel::Simd, None)?.summary.per_token_loss)
        };
        let clm = per_token(self, Objective::Clm)?;
        let sft = per_token(self, Objective::Sft)?;
        let pair = &self.data.heldout_pairs[index];
        let pieces = pair.ids.iter().map(|&id| self.data.tokenizer.decode(&[id])).collect();
        Ok(TokenLosses { pieces, prompt_len: pair.prompt_len, clm, sft })
    }

    /// Continues `prompt` by up to `max_tokens` tokens, stopping at `<eos>`: greedy when
    /// `temperature` is 0, else sampled from softmax(logits / temperature) with `seed`.
    pub fn generate(
        &mut self,
        prompt: &str,
        max_tokens: usize,
        temperature: f64,
        seed: u64,
    ) -> Result<String> {
        if !(temperature.is_finite() && (0.0..=10.0).contains(&temperature)) {
            return Err(bad("temperature", "a number in [0, 10] (0 is greedy)", temperature));
        }
        if max_tokens > 1000 {
            return Err(bad("maxTokens", "an integer in [0, 1000]", max_tokens));
        }
        let mut ids = self.data.tokenizer.encode(prompt);
        if ids.is_empty() {
            ids.push(EOS);
        }
        let start = ids.len();
        let (ctx, v) = (self.model.config.context, self.model.config.vocab);
        let mut rng = SplitMix64::new(seed);
        for _ in 0..max_tokens {
            let window = &ids[ids.len().saturating_sub(ctx)..];
            self.model.forward(window, 1, window.len(), &mut self.cache)?;
            let last = &self.cache.logits[(window.len() - 1) * v..window.len() * v];
            let next = if temperature == 0.0 { argmax(last) } else { sample(last, temperature, &mut rng) };
            if next == EOS {
                break;
            }
            ids.push(next);
        }
        Ok(self.data.tokenizer.decode(&ids[start..]))
    }

    /// Greedy and sampled answers to the first two held-out prompts.
    fn samples(&mut self, step: usize) -> Result<Vec<Sample>> {
        let prompts: Vec<String> =
            self.data.heldout_text.iter().take(2).map(|p| self.data.template.prompt(&p.prompt)).collect();
        let mut out = Vec::new();
        for prompt in prompts {
            let greedy = self.generate(&prompt, 40, 0.0, 0)?;
            let sampled = self.generate(&prompt, 40, 0.8, self.seed)?;
            out.push(Sample { step, prompt, greedy, sampled });
        }
        Ok(out)
    }
}

fn argmax(row: &[f32]) -> i32 {
    let mut best = 0;
    for (i, &x) in row.iter().enumerate() {
        if x > row[best] {
            best = i;
        }
    }
    best as i32
}

fn sample(row: &[f32], temperature: f64, rng: &mut SplitMix64) -> i32 {
    let max = row.iter().fold(f32::NEG_INFINITY, |m, &x| m.max(x)) as f64;
    let weights: Vec<f64> = row.iter().map(|&x| libm::exp((x as f64 - max) / temperature)).collect();
    let mut u = rng.next_f64() * weights.iter().sum::<f64>();
    for (i, w) in weights.iter().enumerate() {
        u -= w;
        if u < 0.0 {
            return i as i32;
        }
    }
    (row.len() - 1) as i32
}
