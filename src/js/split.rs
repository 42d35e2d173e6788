//! A cross-entropy call split by logits rows: `crossEntropyRows` computes one range of rows (a
//! worker's share), `crossEntropyFromRows` reduces every range's rows into the call's result,
//! bit for bit what one `crossEntropy` call returns. `CrossEntropyWorkers` is built on the two.

use wasm_bindgen::prelude::*;

use super::buffer::JsRows;
use super::convert;
use super::exports::{result_object, Call};
use super::options as opt;
use crate::error::{Error, Result};
use crate::loss::{self, Plan, RowResult};
use crate::shape::{check_len, logits_shape};

/// Floats per row in a packed range: position, lse, smooth, weighted smooth, label logit,
/// correct (0 or 1), entropy, rank, predicted.
const ROW_FIELDS: usize = 9;

#[wasm_bindgen(typescript_custom_section)]
const TYPES: &str = r#"
/** The labels of a split call, for `crossEntropyFromRows`: `crossEntropy`'s input without the
 *  logits (the ranges hold what was computed from them). */
export interface CrossEntropyRowsInput {
  dims: number[];
  labels: Int32Array;
}
"#;

/// One range of a call split by logits rows: computes the logits rows `[start, end)` of
/// `input` (positions whose logits row lies there; with `shiftLabels`, position t reads row t)
/// and, with `grad`, writes those rows of `input.gradInto` (zeros where nothing is scored).
/// Returns the rows' results packed for `crossEntropyFromRows` (9 numbers per scored row).
/// The options are `crossEntropy`'s; `grad` needs `gradInto` (each range writes its own rows).
#[wasm_bindgen(js_name = crossEntropyRows)]
pub fn cross_entropy_rows(
    #[wasm_bindgen(unchecked_param_type = "CrossEntropyInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CrossEntropyOptions | undefined")] options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] start: JsValue,
    #[wasm_bindgen(unchecked_param_type = "number")] end: JsValue,
) -> Result<js_sys::Float64Array, JsValue> {
    let call = Call::decode(&input, &options)?;
    let rows = call.shape[0] * call.shape[1];
    let (start, end) = (convert::count("start", &start)?, convert::count("end", &end)?);
    if start > end || end > rows {
        return Err(Error::Parse(format!(
            "rows [{start}, {end}) must lie within the {rows} logits rows of dims {:?}",
            call.shape
        ))
        .into());
    }
    if call.options.grad && call.grad_into.is_none() {
        return Err(Error::Parse(
            "crossEntropyRows with grad: true needs gradInto: each range writes its own rows there".into(),
        )
        .into());
    }
    let plan = Plan::new(call.shape, &call.labels, &call.options)?;
    let mut results = vec![None; plan.targets.len()];
    let mut io = JsRows::new(&call.logits, None, call.grad_into.as_ref(), call.shape[2]);
    loss::stream_rows(&plan, call.kernel, &mut io, start..end, &mut results)?;
    let mut packed = Vec::new();
    for (p, r) in results.iter().enumerate() {
        if let Some(r) = r {
            packed.extend_from_slice(&[
                p as f64,
                r.lse,
                r.smooth,
                r.weighted_smooth,
                r.label_logit,
                r.correct as u8 as f64,
                r.entropy,
                r.rank as f64,
                r.predicted as f64,
            ]);
        }
    }
    Ok(convert::f64_array(&packed))
}

/// Reduces the ranges `crossEntropyRows` returned (in any order) into the result one
/// `crossEntropy` call on the same input and options returns, bit for bit. Every scored
/// position must appear in exactly one range. The gradient is wherever the ranges wrote it.
#[wasm_bindgen(js_name = crossEntropyFromRows, unchecked_return_type = "CrossEntropyResult")]
pub fn cross_entropy_from_rows(
    #[wasm_bindgen(unchecked_param_type = "CrossEntropyRowsInput")] input: JsValue,
    #[wasm_bindgen(unchecked_param_type = "CrossEntropyOptions | undefined")] options: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Float64Array[]")] ranges: JsValue,
) -> Result<JsValue, JsValue> {
    let [dims, labels] = convert::fields("input", &input, ["dims", "labels"])?;
    let shape = logits_shape(&convert::numbers("dims", &dims)?)?;
    let o: opt::CrossEntropyOptions = convert::options("options", &options)?;
    let kernel = opt::cpu_kernel(o.kernel.as_deref())?;
    let options = o.into_core()?;
    let labels = convert::i32_vec("labels", &labels)?;
    check_len("labels", labels.len(), &shape[..2])?;
    let plan = Plan::new(shape, &labels, &options)?;
    let rows = unpack(&plan, &ranges)?;
    Ok(result_object(&plan.output(&rows, kernel.name()), None))
}

/// The ranges' rows by position, checked: whole positions that are scored, each once, all there.
fn unpack(plan: &Plan, ranges: &JsValue) -> Result<Vec<Option<RowResult>>> {
    let ranges = ranges.dyn_ref::<js_sys::Array>().ok_or_else(|| {
        Error::Parse(format!("ranges must be an array of Float64Arrays, got {}", convert::describe(ranges)))
    })?;
    let positions = plan.targets.len();
    let mut rows: Vec<Option<RowResult>> = vec![None; positions];
    for (i, range) in ranges.iter().enumerate() {
        let packed = range.dyn_ref::<js_sys::Float64Array>().ok_or_else(|| {
            Error::Parse(format!(
                "ranges[{i}] must be a Float64Array from crossEntropyRows, got {}",
                convert::describe(&range)
            ))
        })?;
        let packed = packed.to_vec();
        if packed.len() % ROW_FIELDS != 0 {
            return Err(Error::Parse(format!(
                "ranges[{i}] has {} numbers, not a multiple of {ROW_FIELDS}: not crossEntropyRows' output",
                packed.len()
            )));
        }
        for f in packed.chunks_exact(ROW_FIELDS) {
            let p = f[0];
            let scored = p.fract() == 0.0
                && p >= 0.0
                && (p as usize) < positions
                && plan.targets[p as usize].is_some();
            if !scored {
                return Err(Error::Parse(format!(
                    "ranges[{i}] holds position {p}, which these labels and options do not score"
                )));
            }
            let slot = &mut rows[p as usize];
            if slot.is_some() {
                return Err(Error::Parse(format!("position {p} appears in two ranges")));
            }
            *slot = Some(RowResult {
                lse: f[1],
                smooth: f[2],
                weighted_smooth: f[3],
                label_logit: f[4],
                correct: f[5] != 0.0,
                entropy: f[6],
                rank: f[7] as u32,
                predicted: f[8] as u32,
            });
        }
    }
    if let Some(p) = (0..positions).find(|&p| plan.targets[p].is_some() && rows[p].is_none()) {
        return Err(Error::Parse(format!(
            "position {p} (logits row {}) is in none of the ranges: they must cover every logits row",
            plan.logits_row(p)
        )));
    }
    Ok(rows)
}
