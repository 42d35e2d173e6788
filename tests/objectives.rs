//! Objectives, collation and the prediction step's padding against transformers and PyTorch
//! (objectives.json from make_objectives.py; the padding table of cases.json from
//! make_cases.py), natively and in the browser. Every case of both files runs, and every array
//! is compared whole: lengths first, then elements.

mod common;

use common::{num, nums, paired, OBJECTIVES};
use losslab::cpu::CpuKernel;
use losslab::loss::{cross_entropy, CrossEntropy, Reduction};
use losslab::objectives::{clm_labels, mse, sft_labels, LabelOptions};
use losslab::padding::{align_labels, collate, mask_prompt, pad_to_target_len, Collate, Example, Side};
use ndarray::{ArrayView2, ArrayView3};
use serde_json::Value;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

fn section(name: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(OBJECTIVES).unwrap();
    all[name].as_array().unwrap().clone()
}

fn ints(v: &Value) -> Vec<i32> {
    v.as_array().unwrap().iter().map(|x| x.as_i64().unwrap() as i32).collect()
}

fn dims2(v: &Value) -> (usize, usize) {
    let d = ints(v);
    assert_eq!(d.len(), 2, "dims {v} are [rows, columns]");
    (d[0] as usize, d[1] as usize)
}

/// A matrix's elements in row-major order.
fn flat(m: &ndarray::Array2<i32>) -> Vec<i32> {
    m.iter().copied().collect()
}

#[test]
fn golden_files_hold_every_section() {
    let all: Value = serde_json::from_str(OBJECTIVES).unwrap();
    for (name, count) in [("collate", 8), ("clm", 3), ("sft", 2), ("mse", 3)] {
        assert_eq!(all[name].as_array().map(Vec::len), Some(count), "objectives.json {name}");
    }
    assert_eq!(common::cases("padding").len(), 12, "cases.json padding");
}

#[test]
fn padding_matches_the_prediction_step() {
    let mut ran = [0usize; 3];
    for c in common::cases("padding") {
        let a = &c["args"];
        let pad = a["padId"].as_i64().unwrap() as i32;
        let (key, fn_index) = match c["fn"].as_str().unwrap() {
            "padToTargetLen" => ("src", 0),
            "alignLabels" => ("labels", 1),
            "maskPrompt" => ("generated", 2),
            other => panic!("unknown padding function {other}"),
        };
        ran[fn_index] += 1;
        let data = ints(&a[key]);
        let dims = dims2(&a["dims"]);
        assert_eq!(data.len(), dims.0 * dims.1, "{c}: input length vs dims");
        let src = ArrayView2::from_shape(dims, &data).unwrap();
        let out = match fn_index {
            0 => pad_to_target_len(src, a["targetLen"].as_u64().unwrap() as usize, pad),
            1 => align_labels(src, a["promptLen"].as_u64().unwrap() as usize, pad),
            _ => Ok(mask_prompt(src, a["promptLen"].as_u64().unwrap() as usize, pad)),
        };
        if c.get("error").is_some() {
            let e = out.expect_err(&c.to_string());
            assert!(e.to_string().contains("longer than targetLen"), "{c}: {e}");
            continue;
        }
        let out = out.unwrap_or_else(|e| panic!("{c}: {e}"));
        let e = &c["expected"];
        assert_eq!(out.dim(), dims2(&e["dims"]), "{c}");
        let want = ints(&e["data"]);
        assert_eq!(want.len(), out.len(), "{c}: expected data length vs dims");
        assert_eq!(flat(&out), want, "{c}");
    }
    assert_eq!(ran, [6, 3, 3], "cases per function");
}

#[test]
fn collate_matches_data_collator_for_seq2seq() {
    let cases = section("collate");
    assert_eq!(cases.len(), 8);
    for c in cases {
        let o = &c["options"];
        let settings = Collate {
            pad_id: o["padId"].as_i64().unwrap() as i32,
            label_pad_id: o["labelPadId"].as_i64().unwrap() as i32,
            side: if o["paddingSide"] == "left" { Side::Left } else { Side::Right },
            pad_to_multiple_of: o.get("padToMultipleOf").map(|m| m.as_u64().unwrap() as usize),
        };
        let examples: Vec<Example> = c["examples"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| Example { input_ids: ints(&e["inputIds"]), labels: Some(ints(&e["labels"])) })
            .collect();
        let out = collate(&examples, &settings).unwrap();
        let e = &c["expected"];
        assert_eq!(out.input_ids.dim(), dims2(&e["dims"]), "{o}");
        assert_eq!(out.input_ids.nrows(), examples.len(), "{o}: one row per example");
        assert_eq!(out.attention_mask.dim(), out.input_ids.dim(), "{o}: mask shaped like the ids");
        assert_eq!(flat(&out.input_ids), ints(&e["inputIds"]), "{o}");
        assert_eq!(flat(&out.attention_mask), ints(&e["attentionMask"]), "{o}");
        let labels = out.labels.unwrap();
        assert_eq!(labels.dim(), dims2(&e["labelDims"]), "{o}");
        assert_eq!(flat(&labels), ints(&e["labels"]), "{o}");
    }
}

#[test]
fn clm_labels_and_loss_match_transformers() {
    for c in section("clm") {
        let d = ints(&c["dims"]);
        let (b, t, v) = (d[0] as usize, d[1] as usize, d[2] as usize);
        let ids = ints(&c["inputIds"]);
        let ids = ArrayView2::from_shape((b, t), &ids).unwrap();
        let pad = Some(c["padId"].as_i64().unwrap() as i32);
        let labels = clm_labels(ids, &LabelOptions { pad_id: pad, ..LabelOptions::default() });
        assert_eq!(labels.dim(), (b, t));
        assert_eq!(flat(&labels), ints(&c["expected"]["labels"]));

        let logits: Vec<f32> = nums(&c["logits"]).into_iter().map(|x| x as f32).collect();
        assert_eq!(logits.len(), b * t * v, "logits length vs dims");
        let logits = ArrayView3::from_shape((b, t, v), &logits).unwrap();
        let want = num(&c["expected"]["loss"]);
        let opts = CrossEntropy {
            epsilon: 0.0,
            shift_labels: true,
            num_items_in_batch: c["numItemsInBatch"].as_f64(),
            ..CrossEntropy::default()
        };
        let got = cross_entropy(logits, labels.view(), &opts, CpuKernel::Simd).unwrap().summary.loss.unwrap();
        assert!((got - want).abs() <= 1e-6 * want, "ForCausalLMLoss {want}, losslab {got}");

        // The other convention: labels shifted by the builder, no shift in the loss.
        let shifted = clm_labels(ids, &LabelOptions { pad_id: pad, shift: true, ..LabelOptions::default() });
        let opts = CrossEntropy { shift_labels: false, ..opts };
        let got =
            cross_entropy(logits, shifted.view(), &opts, CpuKernel::Simd).unwrap().summary.loss.unwrap();
        assert!((got - want).abs() <= 1e-6 * want, "pre-shifted labels: {want} vs {got}");
    }
}

#[test]
fn sft_masks_prompts_like_the_completion_only_recipe() {
    for c in section("sft") {
        let ids = ints(&c["inputIds"]);
        let ids = ArrayView2::from_shape(dims2(&c["dims"]), &ids).unwrap();
        let prompts: Vec<usize> = ints(&c["promptLens"]).into_iter().map(|x| x as usize).collect();
        let o = LabelOptions { pad_id: Some(c["padId"].as_i64().unwrap() as i32), ..LabelOptions::default() };
        let got = sft_labels(ids, &prompts, &o).unwrap();
        assert_eq!(got.dim(), ids.dim());
        assert_eq!(flat(&got), ints(&c["expected"]["labels"]));
    }
}

#[test]
fn mse_matches_torch() {
    for c in section("mse") {
        let f = |k: &str| nums(&c[k]).into_iter().map(|x| x as f32).collect::<Vec<_>>();
        let reduction = match c["reduction"].as_str().unwrap() {
            "sum" => Reduction::Sum,
            "none" => Reduction::None,
            _ => Reduction::Mean,
        };
        let out = mse(&f("pred"), &f("target"), reduction, reduction != Reduction::None).unwrap();
        let e = &c["expected"];
        match out.loss {
            Some(l) => assert!((l - num(&e["loss"])).abs() <= 1e-6 * num(&e["loss"]), "{l} vs {}", e["loss"]),
            None => assert!(e["loss"].is_null()),
        }
        for (g, w) in paired("perElement", &out.per_element, &nums(&e["perElement"])) {
            assert!((*g as f64 - w).abs() <= 1e-6 * w.max(1.0), "perElement {g} vs {w}");
        }
        match (out.grad, e.get("grad")) {
            (Some(grad), Some(want)) => {
                for (g, w) in paired("grad", &grad, &nums(want)) {
                    assert!((*g as f64 - w).abs() <= 1e-6 * w.abs().max(1.0), "grad {g} vs {w}");
                }
            }
            (None, None) => assert_eq!(reduction, Reduction::None),
            (got, want) => panic!("gradient {got:?} vs {want:?}"),
        }
    }
}
