//! Plain-words explanations of surprising results: why a loss is NaN or infinite, and which
//! labels LabelSmoother silently reinterpreted. The playground shows them; the API returns them.

use std::fmt;

use super::cross_entropy::{Plan, RowResult};
use super::options::{Reduction, Semantics};

#[derive(Clone, Debug, PartialEq)]
pub enum Note {
    /// `shift_labels` on sequences of length 1: nothing is left to predict.
    NoPositions,
    /// Every label equals ignore_index, so the mean is 0 / 0.
    AllIgnored {
        ignore_index: i64,
    },
    /// Torch class weights of the active labels sum to 0, so the weighted mean is 0 / 0.
    ZeroWeight,
    /// hf semantics: a negative label other than ignore_index became class 0 and counts.
    ClampedLabel {
        position: usize,
        label: i32,
    },
    NanLogit {
        position: usize,
    },
    PositiveInfinity {
        position: usize,
    },
    /// A −inf logit away from the label: −log p = +inf there, so the smoothing sum is +inf.
    NegativeInfinity {
        position: usize,
        epsilon: f64,
        semantics: Semantics,
    },
    /// The label's own logit is −inf (or the row is all −inf): its probability is 0.
    LabelImpossible {
        position: usize,
    },
}

impl Note {
    /// A stable identifier for front ends that phrase notes in their own words.
    pub fn code(&self) -> &'static str {
        match self {
            Note::NoPositions => "no-positions",
            Note::AllIgnored { .. } => "all-ignored",
            Note::ZeroWeight => "zero-weight",
            Note::ClampedLabel { .. } => "clamped-label",
            Note::NanLogit { .. } => "nan-logit",
            Note::PositiveInfinity { .. } => "positive-infinity",
            Note::NegativeInfinity { .. } => "negative-infinity",
            Note::LabelImpossible { .. } => "label-impossible",
        }
    }

    /// The position (after shifting) the note is about, if any.
    pub fn position(&self) -> Option<usize> {
        match *self {
            Note::ClampedLabel { position, .. }
            | Note::NanLogit { position }
            | Note::PositiveInfinity { position }
            | Note::NegativeInfinity { position, .. }
            | Note::LabelImpossible { position } => Some(position),
            _ => None,
        }
    }
}

impl fmt::Display for Note {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Note::NoPositions => write!(
                f,
                "shiftLabels with sequences of length 1 leaves no position to predict: the mean is 0 / 0 = NaN"
            ),
            Note::AllIgnored { ignore_index } => write!(
                f,
                "every label is ignored (equals ignoreIndex {ignore_index}): the mean divides 0 by 0 active tokens = NaN"
            ),
            Note::ZeroWeight => write!(f, "the class weights of the active labels sum to 0: the weighted mean is 0 / 0 = NaN"),
            Note::ClampedLabel { position, label } => write!(
                f,
                "label {label} at index {position} is negative but not ignoreIndex: LabelSmoother clamps it to class 0 and counts it (torch semantics would refuse it)"
            ),
            Note::NanLogit { position } => {
                write!(f, "position {position} has a NaN logit: NaN propagates through logsumexp into the loss")
            }
            Note::PositiveInfinity { position } => write!(
                f,
                "position {position} has a +inf logit: softmax divides inf by inf, so its log-probabilities are NaN"
            ),
            Note::NegativeInfinity { position, epsilon, semantics } => {
                write!(f, "position {position} has a -inf logit: that class has probability 0, so -log p = +inf and the smoothing sum is +inf; ")?;
                match (semantics, *epsilon == 0.0) {
                    (Semantics::Hf, true) => write!(f, "with epsilon = 0 LabelSmoother still adds 0 * inf = NaN"),
                    (Semantics::Torch, true) => {
                        write!(f, "with epsilon = 0 PyTorch computes no smoothing term, so the loss stays finite")
                    }
                    (_, false) => write!(f, "epsilon > 0 weighs it in, so the loss is +inf"),
                }
            }
            Note::LabelImpossible { position } => write!(
                f,
                "position {position}: the label's logit is -inf, so its probability is 0 and its NLL is +inf"
            ),
        }
    }
}

/// At most this many per-position notes of one kind; the first ones say enough.
const PER_KIND: usize = 3;

pub fn explain(plan: &Plan, rows: &[Option<RowResult>]) -> Vec<Note> {
    let o = &plan.opts;
    let mut notes = Vec::new();
    let mean = o.reduction == Reduction::Mean && o.num_items_in_batch.is_none();
    if plan.targets.is_empty() {
        notes.push(Note::NoPositions);
    } else if plan.num_active == 0 && mean {
        notes.push(Note::AllIgnored { ignore_index: o.ignore_index });
    } else if plan.active_weight == 0.0 && mean {
        notes.push(Note::ZeroWeight);
    }
    if let Some((position, label)) = plan.clamped {
        notes.push(Note::ClampedLabel { position, label });
    }
    let mut counts = [0usize; 4];
    let mut push = |kind: usize, note: Note, notes: &mut Vec<Note>| {
        counts[kind] += 1;
        if counts[kind] <= PER_KIND {
            notes.push(note);
        }
    };
    for (position, row) in rows.iter().enumerate() {
        let Some(r) = row else { continue };
        if r.lse.is_nan() || (r.smooth.is_nan() && r.lse.is_finite()) {
            push(0, Note::NanLogit { position }, &mut notes);
        } else if r.lse == f64::INFINITY {
            push(1, Note::PositiveInfinity { position }, &mut notes);
        } else if r.lse == f64::NEG_INFINITY || r.label_logit == f64::NEG_INFINITY {
            push(2, Note::LabelImpossible { position }, &mut notes);
        } else if r.smooth == f64::INFINITY {
            let note = Note::NegativeInfinity { position, epsilon: o.epsilon, semantics: o.semantics };
            push(3, note, &mut notes);
        }
    }
    notes
}
