//! The objectives the seed contrasts: CLM and SFT label builders, MLM masking (seeded, with the
//! 80/10/10 rule of `DataCollatorForLanguageModeling`), and MSE for regression heads.

use ndarray::{Array2, ArrayView2};

use crate::error::{Error, Result};

/// How label builders treat padding and shifting.
#[derive(Clone, Debug, PartialEq)]
pub struct LabelOptions {
    /// Tokens equal to this id become `ignore_index` (none when `None`).
    pub pad_id: Option<i32>,
    pub ignore_index: i32,
    /// `false`: labels align with inputs and the loss shifts (`shiftLabels: true`), as
    /// `DataCollatorForLanguageModeling`. `true`: `labels[t] = ids[t + 1]`, last position
    /// ignored, as `ForCausalLMLoss` prepares them; then the loss must not shift again.
    pub shift: bool,
}

impl Default for LabelOptions {
    fn default() -> Self {
        Self { pad_id: None, ignore_index: -100, shift: false }
    }
}

fn finish_labels(mut labels: Array2<i32>, o: &LabelOptions) -> Array2<i32> {
    if o.shift {
        let len = labels.ncols();
        for mut row in labels.rows_mut() {
            for t in 0..len {
                row[t] = if t + 1 < len { row[t + 1] } else { o.ignore_index };
            }
        }
    }
    labels
}

/// Pre-training (CLM): every real token is a target; padding is ignored.
pub fn clm_labels(ids: ArrayView2<i32>, o: &LabelOptions) -> Array2<i32> {
    let labels = ids.mapv(|id| if Some(id) == o.pad_id { o.ignore_index } else { id });
    finish_labels(labels, o)
}

/// Alignment (SFT): as CLM, but the first `prompt_lens[b]` real tokens of row `b` (counted from
/// its first non-pad token, so left and right padding both work) are ignored: only the response
/// is learned.
pub fn sft_labels(ids: ArrayView2<i32>, prompt_lens: &[usize], o: &LabelOptions) -> Result<Array2<i32>> {
    if prompt_lens.len() != ids.nrows() {
        return Err(Error::Length {
            name: "promptLens",
            got: prompt_lens.len(),
            dims: vec![ids.nrows()],
            expected: ids.nrows(),
        });
    }
    let mut labels = ids.mapv(|id| if Some(id) == o.pad_id { o.ignore_index } else { id });
    for (mut row, &prompt) in labels.rows_mut().into_iter().zip(prompt_lens) {
        let start = row.iter().position(|&x| x != o.ignore_index || o.pad_id.is_none()).unwrap_or(row.len());
        for x in row.iter_mut().skip(start).take(prompt) {
            *x = o.ignore_index;
        }
    }
    Ok(finish_labels(labels, o))
}

/// `DataCollatorForLanguageModeling(mlm=True)` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct MlmOptions {
    pub mask_token_id: i32,
    pub vocab_size: usize,
    pub probability: f64,
    /// Of the chosen tokens: this share becomes the mask token...
    pub mask_replace_prob: f64,
    /// ...this share a random token, the rest stay unchanged (80 / 10 / 10 by default).
    pub random_replace_prob: f64,
    /// Never chosen: padding, BOS/EOS, the mask token itself.
    pub special_ids: Vec<i32>,
    pub ignore_index: i32,
    pub seed: u64,
}

impl Default for MlmOptions {
    fn default() -> Self {
        Self {
            mask_token_id: 0,
            vocab_size: 1,
            probability: 0.15,
            mask_replace_prob: 0.8,
            random_replace_prob: 0.1,
            special_ids: Vec::new(),
            ignore_index: -100,
            seed: 0,
        }
    }
}

/// What MLM masking did to one batch.
#[derive(Clone, Debug, PartialEq)]
pub struct Masked {
    pub input_ids: Array2<i32>,
    /// The original id where a token was chosen, `ignore_index` elsewhere.
    pub labels: Array2<i32>,
}

/// SplitMix64: tiny, seedable, and the same in every build, so a seed reproduces a masking.
pub struct SplitMix64(u64);

impl SplitMix64 {
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1) with 53 random bits.
    pub fn next_f64(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Chooses `probability` of the non-special tokens; of those, `mask_replace_prob` become the
/// mask token and `random_replace_prob` a random id in `[0, vocab_size)`; the rest stay. Same
/// distribution as Hugging Face's collator; the draws are losslab's own (seeded SplitMix64).
pub fn mlm_mask(ids: ArrayView2<i32>, o: &MlmOptions) -> Result<Masked> {
    let unit = |name: &'static str, p: f64| {
        if (0.0..=1.0).contains(&p) {
            Ok(())
        } else {
            Err(Error::Option { name, requirement: "a probability in [0, 1]", got: p.to_string() })
        }
    };
    unit("probability", o.probability)?;
    unit("maskReplaceProb", o.mask_replace_prob)?;
    unit("randomReplaceProb", o.random_replace_prob)?;
    if o.mask_replace_prob + o.random_replace_prob > 1.0 {
        return Err(Error::Option {
            name: "maskReplaceProb + randomReplaceProb",
            requirement: "at most 1",
            got: (o.mask_replace_prob + o.random_replace_prob).to_string(),
        });
    }
    if o.vocab_size == 0 || o.vocab_size > i32::MAX as usize {
        return Err(Error::Option {
            name: "vocabSize",
            requirement: "between 1 and 2^31 - 1",
            got: o.vocab_size.to_string(),
        });
    }
    let mut rng = SplitMix64::new(o.seed);
    let mut input_ids = ids.to_owned();
    let mut labels = Array2::from_elem(ids.dim(), o.ignore_index);
    // P(random | not replaced by the mask token), so the three shares come out as asked.
    let random_given_not_masked = o.random_replace_prob / (1.0 - o.mask_replace_prob).max(f64::MIN_POSITIVE);
    for (id, label) in input_ids.iter_mut().zip(labels.iter_mut()) {
        let chosen = rng.next_f64() < o.probability;
        if !chosen || o.special_ids.contains(id) {
            continue;
        }
        *label = *id;
        if rng.next_f64() < o.mask_replace_prob {
            *id = o.mask_token_id;
        } else if rng.next_f64() < random_given_not_masked {
            *id = (rng.next_u64() % o.vocab_size as u64) as i32;
        }
    }
    Ok(Masked { input_ids, labels })
}

#[derive(Clone, Debug, PartialEq)]
pub struct MseOutput {
    /// `None` for reduction "none".
    pub loss: Option<f64>,
    pub per_element: Vec<f32>,
    pub grad: Option<Vec<f32>>,
}

/// `F.mse_loss(pred, target, reduction)`: squared errors, their mean or sum, and the gradient
/// with respect to `pred`.
pub fn mse(pred: &[f32], target: &[f32], reduction: crate::loss::Reduction, grad: bool) -> Result<MseOutput> {
    use crate::loss::Reduction;
    if pred.len() != target.len() {
        return Err(Error::Length {
            name: "target",
            got: target.len(),
            dims: vec![pred.len()],
            expected: pred.len(),
        });
    }
    if grad && reduction == Reduction::None {
        return Err(Error::Unsupported(
            "grad: true needs a scalar loss, but reduction \"none\" returns one per element",
        ));
    }
    let per_element: Vec<f32> =
        pred.iter().zip(target).map(|(&p, &t)| ((p as f64 - t as f64).powi(2)) as f32).collect();
    let sum: f64 = pred.iter().zip(target).map(|(&p, &t)| (p as f64 - t as f64).powi(2)).sum();
    let n = pred.len() as f64;
    let (loss, scale) = match reduction {
        Reduction::Mean => (Some(sum / n), 2.0 / n),
        Reduction::Sum => (Some(sum), 2.0),
        Reduction::None => (None, 0.0),
    };
    let grad = grad
        .then(|| pred.iter().zip(target).map(|(&p, &t)| (scale * (p as f64 - t as f64)) as f32).collect());
    Ok(MseOutput { loss, per_element, grad })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn sft_masks_the_prompt_after_left_padding() {
        let ids = array![[0, 0, 5, 6, 7, 8], [5, 6, 7, 8, 9, 0]];
        let o = LabelOptions { pad_id: Some(0), ..LabelOptions::default() };
        let got = sft_labels(ids.view(), &[2, 3], &o).unwrap();
        assert_eq!(got, array![[-100, -100, -100, -100, 7, 8], [-100, -100, -100, 8, 9, -100]]);
    }

    #[test]
    fn clm_shift_matches_for_causal_lm_loss() {
        let ids = array![[1, 2, 3, 0]];
        let o = LabelOptions { pad_id: Some(0), shift: true, ..LabelOptions::default() };
        assert_eq!(clm_labels(ids.view(), &o), array![[2, 3, -100, -100]]);
    }

    #[test]
    fn mlm_follows_the_80_10_10_rule_over_many_tokens() {
        let ids = Array2::from_shape_fn((64, 1024), |(b, t)| ((b * 7 + t * 13) % 1000 + 5) as i32);
        let o = MlmOptions {
            mask_token_id: 3,
            vocab_size: 1005,
            seed: 42,
            special_ids: vec![5],
            ..MlmOptions::default()
        };
        let m = mlm_mask(ids.view(), &o).unwrap();
        let (mut chosen, mut masked, mut kept) = (0usize, 0usize, 0usize);
        for ((&orig, &now), &label) in ids.iter().zip(&m.input_ids).zip(&m.labels) {
            if label == -100 {
                assert_eq!(orig, now, "unchosen tokens stay");
                continue;
            }
            assert_ne!(orig, 5, "special tokens are never chosen");
            assert_eq!(label, orig);
            chosen += 1;
            masked += (now == 3) as usize;
            kept += (now == orig) as usize;
        }
        let total = ids.iter().filter(|&&x| x != 5).count() as f64;
        let share = |k: usize, of: usize| k as f64 / of as f64;
        assert!((share(chosen, total as usize) - 0.15).abs() < 0.01, "{chosen} of {total}");
        assert!((share(masked, chosen) - 0.8).abs() < 0.02, "{masked} of {chosen}");
        // "kept" includes random draws that landed on the original id (1 in 1005).
        assert!((share(kept, chosen) - 0.1).abs() < 0.02, "{kept} of {chosen}");
        assert_eq!(mlm_mask(ids.view(), &o).unwrap(), m, "a seed reproduces the masking");
    }

    #[test]
    fn random_replacements_cover_the_whole_vocabulary_and_nothing_beyond() {
        // Every token chosen and every chosen token randomised: the ids start outside
        // [0, V), so each output id is a draw. Over many seeds each of the V ids must appear
        // (V − 1 included: a draw from [0, V − 1) would never reach it) and none may be ≥ V.
        const V: usize = 5;
        let ids = Array2::from_elem((4, 64), 1000);
        let o = MlmOptions {
            mask_token_id: 3,
            vocab_size: V,
            probability: 1.0,
            mask_replace_prob: 0.0,
            random_replace_prob: 1.0,
            ..MlmOptions::default()
        };
        let mut seen = [0usize; V];
        for seed in 0..50 {
            let m = mlm_mask(ids.view(), &MlmOptions { seed, ..o.clone() }).unwrap();
            assert!(m.labels.iter().all(|&y| y == 1000), "every token is chosen and labelled");
            for &id in &m.input_ids {
                assert!((0..V as i32).contains(&id), "seed {seed}: random id {id} outside [0, {V})");
                seen[id as usize] += 1;
            }
        }
        let draws = 50 * ids.len();
        for (id, &n) in seen.iter().enumerate() {
            let share = n as f64 / draws as f64;
            assert!((share - 1.0 / V as f64).abs() < 0.02, "id {id} drawn {n} times of {draws}");
        }
        // The default 80/10/10 rule draws from the same range.
        let ids = Array2::from_elem((16, 256), 1000);
        let o = MlmOptions { mask_token_id: 0, vocab_size: V, probability: 0.5, ..MlmOptions::default() };
        let m = mlm_mask(ids.view(), &o).unwrap();
        let top = m.input_ids.iter().filter(|&&id| id != 1000).max();
        assert_eq!(top, Some(&(V as i32 - 1)), "the 10 % random share reaches V − 1");
    }

    #[test]
    fn mse_reductions_and_gradient() {
        use crate::loss::Reduction;
        let out = mse(&[1.0, 2.0, 4.0], &[1.0, 0.0, 1.0], Reduction::Mean, true).unwrap();
        assert_eq!(out.loss, Some(13.0 / 3.0));
        assert_eq!(out.grad.unwrap(), vec![0.0, 4.0 / 3.0, 2.0]);
        assert_eq!(mse(&[1.0], &[3.0], Reduction::Sum, false).unwrap().loss, Some(4.0));
    }
}
