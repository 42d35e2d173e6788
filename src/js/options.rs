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
    /// Not a PyTorch option: "simd" (default) or "scalar", to compare the two CPU kernels.
    pub kernel: Option<String>,
    /// Divides the logits first, as `F.cross_entropy(logits / T, …)` (default 1).
    pub temperature: Option<f64>,
    /// Per-token statistics to report: any of "entropy", "rank", "lse", "predicted".
    pub stats: Option<Vec<String>>,
}

/// A JS number that must be an integer in i32 range (labels are `Int32Array`s).
pub fn integer(name: &'static str, x: f64) -> Result<i32> {
    if x.fract() == 0.0 && x >= i32::MIN as f64 && x <= i32::MAX as f64 {
        Ok(x as i32)
    } else {
        Err(Error::Option { name, requirement: "an integer in the Int32 range", got: x.to_string() })
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
            temperature: self.temperature.unwrap_or(d.temperature),
            stats: stats(self.stats.as_deref().unwrap_or_default())?,
        })
    }
}

/// The `stats` option: names of per-token statistics, each at most once.
fn stats(names: &[String]) -> Result<crate::loss::Stats> {
    let mut s = crate::loss::Stats::default();
    for name in names {
        let on = match name.as_str() {
            "entropy" => &mut s.entropy,
            "rank" => &mut s.rank,
            "lse" => &mut s.lse,
            "predicted" => &mut s.predicted,
            other => {
                return Err(Error::Option {
                    name: "stats",
                    requirement: "an array of \"entropy\", \"rank\", \"lse\" or \"predicted\"",
                    got: format!("{other:?}"),
                })
            }
        };
        *on = true;
    }
    Ok(s)
}

fn choice(name: &'static str, requirement: &'static str, got: &str) -> Error {
    Error::Option { name, requirement, got: format!("{got:?}") }
}

/// Wraps a decoder's message (serde names the key and the expected type) as an option error.
pub fn decode_error(what: &str, e: impl std::fmt::Display) -> Error {
    Error::Parse(format!("invalid {what}: {e}"))
}

/// `crossEntropy`'s one option beyond PyTorch's: which CPU kernel runs ("simd" by default).
pub fn cpu_kernel(name: Option<&str>) -> Result<crate::cpu::CpuKernel> {
    use crate::cpu::CpuKernel;
    match name {
        None | Some("simd") => Ok(CpuKernel::Simd),
        Some("scalar") => Ok(CpuKernel::Scalar),
        Some(other) => Err(choice("kernel", "\"simd\" or \"scalar\"", other)),
    }
}

fn optional_integer(name: &'static str, x: Option<f64>, default: i32) -> Result<i32> {
    x.map_or(Ok(default), |x| integer(name, x))
}

fn size(name: &'static str, x: f64) -> Result<usize> {
    if x.fract() == 0.0 && (0.0..=u32::MAX as f64).contains(&x) {
        Ok(x as usize)
    } else {
        Err(Error::Option { name, requirement: "a non-negative integer", got: x.to_string() })
    }
}

/// Options of `clmLabels` and `sftLabels`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LabelOptions {
    pub pad_id: Option<f64>,
    pub ignore_index: Option<f64>,
    pub shift: Option<bool>,
}

impl LabelOptions {
    pub fn into_core(self) -> Result<crate::objectives::LabelOptions> {
        Ok(crate::objectives::LabelOptions {
            pad_id: self.pad_id.map(|x| integer("padId", x)).transpose()?,
            ignore_index: optional_integer("ignoreIndex", self.ignore_index, -100)?,
            shift: self.shift.unwrap_or(false),
        })
    }
}

/// Options of `mlmMask`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MlmOptions {
    pub mask_token_id: Option<f64>,
    pub vocab_size: Option<f64>,
    pub probability: Option<f64>,
    pub mask_replace_prob: Option<f64>,
    pub random_replace_prob: Option<f64>,
    pub special_ids: Option<Vec<f64>>,
    pub ignore_index: Option<f64>,
    pub seed: Option<f64>,
}

impl MlmOptions {
    pub fn into_core(self) -> Result<crate::objectives::MlmOptions> {
        let d = crate::objectives::MlmOptions::default();
        let required = |name: &'static str, x: Option<f64>| {
            x.ok_or(Error::Option { name, requirement: "given", got: "undefined".into() })
        };
        let seed = self.seed.unwrap_or(0.0);
        if !(seed.fract() == 0.0 && (0.0..=9_007_199_254_740_991.0).contains(&seed)) {
            return Err(Error::Option {
                name: "seed",
                requirement: "a non-negative safe integer",
                got: seed.to_string(),
            });
        }
        Ok(crate::objectives::MlmOptions {
            mask_token_id: integer("maskTokenId", required("maskTokenId", self.mask_token_id)?)?,
            vocab_size: size("vocabSize", required("vocabSize", self.vocab_size)?)?,
            probability: self.probability.unwrap_or(d.probability),
            mask_replace_prob: self.mask_replace_prob.unwrap_or(d.mask_replace_prob),
            random_replace_prob: self.random_replace_prob.unwrap_or(d.random_replace_prob),
            special_ids: self
                .special_ids
                .unwrap_or_default()
                .into_iter()
                .map(|x| integer("specialIds", x))
                .collect::<Result<_>>()?,
            ignore_index: optional_integer("ignoreIndex", self.ignore_index, -100)?,
            seed: seed as u64,
        })
    }
}

/// Options of `collate`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CollateOptions {
    pub pad_id: Option<f64>,
    pub label_pad_id: Option<f64>,
    pub padding_side: Option<String>,
    pub pad_to_multiple_of: Option<f64>,
}

impl CollateOptions {
    pub fn into_core(self) -> Result<crate::padding::Collate> {
        use crate::padding::Side;
        let side = match self.padding_side.as_deref() {
            None | Some("right") => Side::Right,
            Some("left") => Side::Left,
            Some(other) => return Err(choice("paddingSide", "\"right\" or \"left\"", other)),
        };
        let multiple = match self.pad_to_multiple_of {
            None => None,
            Some(m) if m >= 1.0 => Some(size("padToMultipleOf", m)?),
            Some(m) => {
                return Err(Error::Option {
                    name: "padToMultipleOf",
                    requirement: "a positive integer",
                    got: m.to_string(),
                })
            }
        };
        Ok(crate::padding::Collate {
            pad_id: optional_integer("padId", self.pad_id, 0)?,
            label_pad_id: optional_integer("labelPadId", self.label_pad_id, -100)?,
            side,
            pad_to_multiple_of: multiple,
        })
    }
}

/// Options of `mse`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct MseOptions {
    pub reduction: Option<String>,
    pub grad: Option<bool>,
}

impl MseOptions {
    pub fn into_core(self) -> Result<(Reduction, bool)> {
        let reduction = match self.reduction.as_deref() {
            None | Some("mean") => Reduction::Mean,
            Some("sum") => Reduction::Sum,
            Some("none") => Reduction::None,
            Some(other) => return Err(choice("reduction", "\"mean\", \"sum\" or \"none\"", other)),
        };
        Ok((reduction, self.grad.unwrap_or(false)))
    }
}

/// The field names a struct deserializes from, read off its `Deserialize` impl. Decoders that
/// look fields up by name (serde-wasm-bindgen) never see unknown keys; this lets the caller
/// refuse them against the one list the struct itself defines.
pub fn field_names<T: serde::de::DeserializeOwned>() -> &'static [&'static str] {
    let mut capture = FieldNames(None);
    let _ = T::deserialize(&mut capture);
    capture.0.unwrap_or(&[])
}

struct FieldNames(Option<&'static [&'static str]>);

impl<'de> serde::Deserializer<'de> for &mut FieldNames {
    type Error = serde::de::value::Error;

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        _visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0 = Some(fields);
        Err(serde::de::Error::custom("only the field names were wanted"))
    }

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, _visitor: V) -> Result<V::Value, Self::Error> {
        Err(serde::de::Error::custom("not a struct"))
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf option
        unit unit_struct newtype_struct seq tuple tuple_struct map enum identifier ignored_any
    }
}

/// Refuses keys outside `known`, naming the offending key and the accepted ones.
pub fn check_keys<'a>(what: &str, keys: impl IntoIterator<Item = &'a str>, known: &[&str]) -> Result<()> {
    for key in keys {
        if !known.contains(&key) {
            return Err(Error::Parse(format!(
                "unknown key {key:?} in {what}; expected one of: {}",
                known.join(", ")
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn field_names_come_from_the_struct() {
        let names = field_names::<CrossEntropyOptions>();
        assert!(
            names.contains(&"epsilon") && names.contains(&"numItemsInBatch") && names.contains(&"kernel")
        );
        assert_eq!(names.len(), 13);
        let err = check_keys("options", ["epsilon", "epsilonn"], names).unwrap_err().to_string();
        assert!(
            err.starts_with("unknown key \"epsilonn\" in options; expected one of: semantics, epsilon"),
            "{err}"
        );
    }

    #[test]
    fn temperature_and_stats_decode_and_refuse_with_their_names() {
        let decode = |json: &str| {
            serde_json::from_str::<CrossEntropyOptions>(json).map_err(|e| e.to_string()).and_then(|o| {
                o.into_core().and_then(|c| c.validate(4).map(|()| c)).map_err(|e| e.to_string())
            })
        };
        let o = decode(r#"{"temperature": 2.5, "stats": ["rank", "entropy"]}"#).unwrap();
        assert_eq!(o.temperature, 2.5);
        assert_eq!(o.stats, crate::loss::Stats { rank: true, entropy: true, ..Default::default() });
        assert_eq!(decode("{}").unwrap().temperature, 1.0);
        for t in ["0", "-1", "1e-50", "1e39"] {
            let err = decode(&format!(r#"{{"temperature": {t}}}"#)).unwrap_err();
            assert!(err.starts_with("temperature must be a positive finite number"), "{t}: {err}");
        }
        let err = decode(r#"{"stats": ["entropy", "argmax"]}"#).unwrap_err();
        assert_eq!(err, r#"stats must be an array of "entropy", "rank", "lse" or "predicted", got "argmax""#);
    }
}

/// Options of `Engine.create`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct EngineOptions {
    pub backend: Option<String>,
    /// Lets "auto" calibrate on (and route to) a software adapter instead of skipping it.
    pub allow_software_adapter: Option<bool>,
}

/// Options of `logSoftmax`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LogSoftmaxOptions {
    pub softcap: Option<f64>,
    /// Divides the logits first, as `crossEntropy`'s `temperature` does (default 1).
    pub temperature: Option<f64>,
}
