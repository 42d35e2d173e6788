//! The padding utilities of a seq2seq trainer's prediction step, and batch collation with label
//! padding (`DataCollatorForSeq2Seq`). Everything here is integer bookkeeping on `[B, L]` ids.

use ndarray::{s, Array2, ArrayView2};

use crate::error::{Error, Result};

/// A `[rows, cols]` matrix of `fill`, or an `Error` when it would not fit in memory (sizes come
/// from callers: an empty source can still ask for billions of padded rows).
fn try_matrix(rows: usize, cols: usize, fill: i32) -> Result<Array2<i32>> {
    let len = crate::shape::element_count(&[rows, cols])?;
    let data = crate::error::try_filled(len, fill, "the padded matrix")?;
    Ok(Array2::from_shape_vec((rows, cols), data).expect("length matches the shape"))
}

/// `_pad_tensors_to_target_len`: left-pads each row of `src [B, S]` with `pad_id` to
/// `target_len` (`out = pad · ones; out[:, -S:] = src`). `S = 0` gives all padding (PyTorch's
/// `-0:` slice would instead write the whole row); `S > target_len` is refused.
pub fn pad_to_target_len(src: ArrayView2<i32>, target_len: usize, pad_id: i32) -> Result<Array2<i32>> {
    let (rows, len) = src.dim();
    if len > target_len {
        return Err(Error::Parse(format!(
            "source rows have {len} tokens, longer than targetLen {target_len}: left padding cannot shorten them"
        )));
    }
    let mut out = try_matrix(rows, target_len, pad_id)?;
    out.slice_mut(s![.., target_len - len..]).assign(&src);
    Ok(out)
}

/// `prediction_step`'s label alignment: labels shorter than the prompt are left-padded with
/// `pad_id` (not -100) to `prompt_len`; longer ones are truncated to `labels[:, :prompt_len]`.
pub fn align_labels(labels: ArrayView2<i32>, prompt_len: usize, pad_id: i32) -> Result<Array2<i32>> {
    if prompt_len > labels.ncols() {
        pad_to_target_len(labels, prompt_len, pad_id)
    } else {
        Ok(labels.slice(s![.., ..prompt_len]).to_owned())
    }
}

/// `generated_tokens[:, :prompt_len] = pad_id`: generation output begins with the prompt, which
/// this blanks out. A `prompt_len` beyond the row blanks it all.
pub fn mask_prompt(generated: ArrayView2<i32>, prompt_len: usize, pad_id: i32) -> Array2<i32> {
    let mut out = generated.to_owned();
    let upto = prompt_len.min(out.ncols());
    out.slice_mut(s![.., ..upto]).fill(pad_id);
    out
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Side {
    #[default]
    Right,
    Left,
}

/// `DataCollatorForSeq2Seq` settings.
#[derive(Clone, Debug, PartialEq)]
pub struct Collate {
    pub pad_id: i32,
    pub label_pad_id: i32,
    pub side: Side,
    pub pad_to_multiple_of: Option<usize>,
}

impl Default for Collate {
    fn default() -> Self {
        Self { pad_id: 0, label_pad_id: -100, side: Side::Right, pad_to_multiple_of: None }
    }
}

/// One tokenized example; `labels` may be absent (then the batch has none).
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub input_ids: Vec<i32>,
    pub labels: Option<Vec<i32>>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Collated {
    pub input_ids: Array2<i32>,
    /// 1 on real tokens, 0 on padding.
    pub attention_mask: Array2<i32>,
    /// Padded separately to the longest label sequence, with `label_pad_id`.
    pub labels: Option<Array2<i32>>,
}

fn round_up(len: usize, multiple: Option<usize>) -> Result<usize> {
    match multiple {
        Some(m) if m > 0 => len
            .div_ceil(m)
            .checked_mul(m)
            .ok_or_else(|| Error::Parse(format!("padding {len} tokens to a multiple of {m} overflows"))),
        _ => Ok(len),
    }
}

/// Writes `rows` into a `[rows, width]` matrix padded with `pad` on `side`; also returns the mask.
fn pad_rows(rows: &[&[i32]], width: usize, pad: i32, side: Side) -> Result<(Array2<i32>, Array2<i32>)> {
    let mut ids = try_matrix(rows.len(), width, pad)?;
    let mut mask = try_matrix(rows.len(), width, 0)?;
    for (r, row) in rows.iter().enumerate() {
        let start = match side {
            Side::Right => 0,
            Side::Left => width - row.len(),
        };
        ids.slice_mut(s![r, start..start + row.len()]).assign(&ndarray::aview1(row));
        mask.slice_mut(s![r, start..start + row.len()]).fill(1);
    }
    Ok((ids, mask))
}

/// Pads a batch like `DataCollatorForSeq2Seq`: inputs with `pad_id` and a 1/0 attention mask,
/// labels with `label_pad_id` to their own longest length, both rounded up to
/// `pad_to_multiple_of`, on the tokenizer's padding side.
pub fn collate(examples: &[Example], c: &Collate) -> Result<Collated> {
    if examples.is_empty() {
        return Err(Error::Parse("collate needs at least one example".into()));
    }
    let with_labels = examples.iter().filter(|e| e.labels.is_some()).count();
    if with_labels != 0 && with_labels != examples.len() {
        return Err(Error::Parse("either every example has labels or none does".into()));
    }
    let inputs: Vec<&[i32]> = examples.iter().map(|e| &e.input_ids[..]).collect();
    let width = round_up(inputs.iter().map(|r| r.len()).max().unwrap_or(0), c.pad_to_multiple_of)?;
    let (input_ids, attention_mask) = pad_rows(&inputs, width, c.pad_id, c.side)?;
    let labels = if with_labels > 0 {
        let rows: Vec<&[i32]> = examples.iter().filter_map(|e| e.labels.as_deref()).collect();
        let width = round_up(rows.iter().map(|r| r.len()).max().unwrap_or(0), c.pad_to_multiple_of)?;
        Some(pad_rows(&rows, width, c.label_pad_id, c.side)?.0)
    } else {
        None
    };
    Ok(Collated { input_ids, attention_mask, labels })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn generation_appends_on_the_right_so_prompts_pad_left() {
        // Left-padded prompts end at the same column, so every row's next token lands in one
        // column; with right padding the short prompt would continue after its pads.
        let prompts = collate(
            &[
                Example { input_ids: vec![5, 6, 7], labels: None },
                Example { input_ids: vec![8], labels: None },
            ],
            &Collate { side: Side::Left, ..Collate::default() },
        )
        .unwrap();
        assert_eq!(prompts.input_ids, array![[5, 6, 7], [0, 0, 8]]);
        assert_eq!(prompts.attention_mask, array![[1, 1, 1], [0, 0, 1]]);
    }

    #[test]
    fn labels_pad_with_minus_100_to_their_own_length_and_multiple() {
        let c = Collate { pad_to_multiple_of: Some(4), ..Collate::default() };
        let out = collate(
            &[
                Example { input_ids: vec![1, 2], labels: Some(vec![3, 4, 5]) },
                Example { input_ids: vec![1, 2, 3, 4, 5], labels: Some(vec![6]) },
            ],
            &c,
        )
        .unwrap();
        assert_eq!(out.input_ids.dim(), (2, 8));
        assert_eq!(out.labels.unwrap(), array![[3, 4, 5, -100], [6, -100, -100, -100]]);
    }

    #[test]
    fn empty_source_pads_fully() {
        let src = Array2::<i32>::zeros((2, 0));
        assert_eq!(pad_to_target_len(src.view(), 3, 7).unwrap(), Array2::from_elem((2, 3), 7));
    }
}
