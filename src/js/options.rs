//! Decoding of the JS option objects into the core's option structs, strictly: unknown keys and
//! wrong types are refused with the key's name. Target-independent, so tests and fuzzers drive
//! it natively with JSON.

use serde::Deserialize;

use crate::error::{Error, Result};
use crate::loss::{CrossEntropy, Reduction, Semantics};

/// The `options` argument of `crossEntropy`, as JavaScript spells it.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CrossEntropyOptions {
    pub semantics: Option<String>,
    pub epsilon: Option<f64>,
    pub ignore_index: Option<f64>,
    pub shift_labels: Option<bool>,
    pub reduction: Option<String>,
    pub num_items_in_batch: Option<f64>,
    pub class_weights: Option<Vec<f32>>,
    pub z_loss_scale: Option<f64>,
    pub softcap: Option<f64>,
    pub grad: Option<bool>,
}

/// A JS number that must be an integer in i32 range (labels are `Int32Array`s).
pub fn integer(name: &'static str, x: f64) -> Result<i32> {
    if x.fract() == 0.0 && x >= i32::MIN as f64 && x <= i32::MAX as f64 {
        Ok(x as i32)
    } else {
        Err(Error::Option {
            name,
            requirement: "an integer in the Int32 range",
            got: x.to_string(),
        })
    }
}

impl CrossEntropyOptions {
    pub fn into_core(self) -> Result<CrossEntropy> {
        let d = CrossEntropy::default();
        let semantics = match self.semantics.as_deref() {
            None | Some("hf") => Semantics::Hf,
            Some("torch") => Semantics::Torch,
            Some(other) => return Err(choice("semantics", "\"hf\" or \"torch\"", other)),
        };
        let reduction = match self.reduction.as_deref() {
            None | Some("mean") => Reduction::Mean,
            Some("sum") => Reduction::Sum,
            Some("none") => Reduction::None,
            Some(other) => return Err(choice("reduction", "\"mean\", \"sum\" or \"none\"", other)),
        };
        let ignore_index = match self.ignore_index {
            Some(x) => integer("ignoreIndex", x)?.into(),
            None => d.ignore_index,
        };
        Ok(CrossEntropy {
            semantics,
            epsilon: self.epsilon.unwrap_or(d.epsilon),
            ignore_index,
            shift_labels: self.shift_labels.unwrap_or(false),
            reduction,
            num_items_in_batch: self.num_items_in_batch,
            class_weights: self.class_weights,
            z_loss_scale: self.z_loss_scale.unwrap_or(0.0),
            softcap: self.softcap,
            grad: self.grad.unwrap_or(false),
        })
    }
}

fn choice(name: &'static str, requirement: &'static str, got: &str) -> Error {
    Error::Option {
        name,
        requirement,
        got: format!("{got:?}"),
    }
}

/// Wraps a decoder's message (serde names the key and the expected type) as an option error.
pub fn decode_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Parse(format!("invalid {what}: {e}"))
}
