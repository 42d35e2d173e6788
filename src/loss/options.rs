//! The options of a cross-entropy call, with `LabelSmoother()`'s defaults and their validation.

use crate::error::{Error, Result};

/// Whose semantics to reproduce.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Semantics {
    /// `transformers.trainer_pt_utils.LabelSmoother`: negative labels other than ignore_index
    /// become class 0, no range check on ε, always computes the smoothing term.
    #[default]
    Hf,
    /// `torch.nn.functional.cross_entropy`: class weights, reductions, ε in [0, 1], no smoothing
    /// term at all when ε = 0.
    Torch,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Reduction {
    #[default]
    Mean,
    Sum,
    /// Per-token losses only; `loss` is absent and there is no gradient.
    None,
}

/// Label-smoothed cross-entropy, configured. `Default` is `LabelSmoother()` with ε = 0.1.
#[derive(Clone, Debug, PartialEq)]
pub struct CrossEntropy {
    pub semantics: Semantics,
    pub epsilon: f64,
    pub ignore_index: i64,
    /// Predict token t+1 from position t: drop the last position's logits and the first label.
    pub shift_labels: bool,
    pub reduction: Reduction,
    /// Replaces the number of active tokens as the mean's denominator (gradient accumulation).
    pub num_items_in_batch: Option<f64>,
    pub class_weights: Option<Vec<f32>>,
    /// z-loss: `scale · lse²` per active token, divided by the mean's denominator.
    pub z_loss_scale: f64,
    /// Logit soft-capping `x ← c · tanh(x / c)` before everything else.
    pub softcap: Option<f64>,
    pub grad: bool,
    /// Logits are divided by it (an f32 division, as `logits / T` on a float32 tensor) before
    /// everything else, soft-capping included; 1 skips the division.
    pub temperature: f64,
    /// The per-token statistics to report beyond the loss (each costs one more read of the row).
    pub stats: Stats,
}

/// Opt-in per-token statistics: the forward stays one pass over each row unless one of these
/// is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Stats {
    /// Entropy of softmax(row), in nats.
    pub entropy: bool,
    /// The label's rank: how many classes have a strictly larger logit.
    pub rank: bool,
    /// The row's logsumexp (the z-loss term).
    pub lse: bool,
    /// The argmax, lowest index on ties.
    pub predicted: bool,
}

impl Stats {
    /// The names JavaScript spells them with, in the order the docs list them.
    pub const NAMES: [&'static str; 4] = ["entropy", "rank", "lse", "predicted"];

    /// Whether any statistic needs a second read of the row (the lse comes with the forward).
    pub fn needs_row_scan(self) -> bool {
        self.entropy || self.rank || self.predicted
    }

    pub fn any(self) -> bool {
        self.needs_row_scan() || self.lse
    }
}

impl Default for CrossEntropy {
    fn default() -> Self {
        Self {
            semantics: Semantics::Hf,
            epsilon: 0.1,
            ignore_index: -100,
            shift_labels: false,
            reduction: Reduction::Mean,
            num_items_in_batch: None,
            class_weights: None,
            z_loss_scale: 0.0,
            softcap: None,
            grad: false,
            temperature: 1.0,
            stats: Stats::default(),
        }
    }
}

fn bad(name: &'static str, requirement: &'static str, got: impl ToString) -> Error {
    Error::Option { name, requirement, got: got.to_string() }
}

impl CrossEntropy {
    /// Checks the options against each other and against a vocabulary of `vocab` classes.
    pub fn validate(&self, vocab: usize) -> Result<()> {
        let torch = self.semantics == Semantics::Torch;
        if !self.epsilon.is_finite() {
            return Err(bad("epsilon", "a finite number", self.epsilon));
        }
        if torch && !(0.0..=1.0).contains(&self.epsilon) {
            return Err(Error::EpsilonOutOfRange(self.epsilon));
        }
        if !torch && self.reduction != Reduction::Mean {
            return Err(Error::Unsupported(
                "reduction \"sum\" and \"none\" need semantics \"torch\"; LabelSmoother always takes the mean",
            ));
        }
        if let Some(w) = &self.class_weights {
            if !torch {
                return Err(Error::Unsupported(
                    "classWeights need semantics \"torch\"; LabelSmoother has no weights",
                ));
            }
            if w.len() != vocab {
                return Err(bad(
                    "classWeights",
                    "one weight per class (length V)",
                    format!("{} weights for V = {vocab}", w.len()),
                ));
            }
            if let Some(x) = w.iter().find(|x| !x.is_finite()) {
                return Err(bad("classWeights", "finite numbers", x));
            }
        }
        if let Some(d) = self.num_items_in_batch {
            if !(d.is_finite() && d > 0.0) {
                return Err(bad("numItemsInBatch", "a positive number", d));
            }
        }
        if !(self.z_loss_scale.is_finite() && self.z_loss_scale >= 0.0) {
            return Err(bad("zLossScale", "a finite number >= 0", self.z_loss_scale));
        }
        if let Some(c) = self.softcap {
            if !(c.is_finite() && c > 0.0) {
                return Err(bad("softcap", "a positive finite number", c));
            }
        }
        // Checked as the f32 it becomes: 1e-50 or 1e39 would divide by 0 or by +inf.
        let t32 = self.temperature as f32;
        if !(self.temperature.is_finite() && self.temperature > 0.0 && t32 > 0.0 && t32.is_finite()) {
            return Err(bad("temperature", "a positive finite number (as a float32)", self.temperature));
        }
        if self.grad && self.reduction == Reduction::None {
            return Err(Error::Unsupported(
                "grad: true needs a scalar loss, but reduction \"none\" returns one loss per token (no upstream gradient to contract with)",
            ));
        }
        Ok(())
    }

    /// The weight of the smoothing term in the loss: PyTorch skips the term entirely at ε = 0,
    /// LabelSmoother multiplies it by 0 (so a `+inf` smoothing sum gives NaN).
    pub fn uses_smoothing_term(&self) -> bool {
        self.semantics == Semantics::Hf || self.epsilon != 0.0
    }

    /// The temperature as the f32 the logits are divided by, `None` at 1 (no division, so every
    /// result stays bit-identical to a call without it).
    pub fn temperature_divisor(&self) -> Option<f32> {
        (self.temperature != 1.0).then_some(self.temperature as f32)
    }

    /// Whether rows are rewritten before their statistics (divided by T, soft-capped).
    pub fn transforms_rows(&self) -> bool {
        self.softcap.is_some() || self.temperature_divisor().is_some()
    }
}
