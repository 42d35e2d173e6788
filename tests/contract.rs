//! The error and notes contracts of the core, table-driven: every refusal has its kind
//! (`Error::code`) and a message naming the argument, the bound and the offending value; every
//! edge case that is not an error (NaN, ±inf, ignored or clamped labels) has its PyTorch answer
//! and the notes that explain it. `tests/js/bad-inputs.mjs` holds the same contract as seen from
//! JavaScript; this is its core half, natively and in the browser.

use losslab::cpu::CpuKernel;
use losslab::js::options::{CollateOptions, CrossEntropyOptions, MlmOptions};
use losslab::loss::{
    cross_entropy, cross_entropy_into, CrossEntropy, CrossEntropyOutput, Plan, Reduction, Semantics,
};
use losslab::objectives::{self, mse, sft_labels};
use losslab::padding::{collate, pad_to_target_len, Example};
use losslab::shape::{logits_shape, matrix_shape};
use ndarray::{Array2, ArrayView2, ArrayView3};
use serde_json::json;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const DIMS: [usize; 3] = [2, 3, 4];
/// Uniform logits (loss ln 4 whatever ε) and labels with one ignored position.
const LABELS: [i32; 6] = [0, 1, 2, 3, -100, 1];

fn run_with(
    opts: &CrossEntropy,
    labels: &[i32],
    logits: &[f32],
    dims: [usize; 3],
) -> losslab::Result<CrossEntropyOutput> {
    let [b, t, v] = dims;
    let l = ArrayView3::from_shape((b, t, v), logits).unwrap();
    let y = ArrayView2::from_shape((b, t), labels).unwrap();
    cross_entropy(l, y, opts, CpuKernel::Simd)
}

fn run(opts: &CrossEntropy, labels: &[i32]) -> losslab::Result<CrossEntropyOutput> {
    run_with(opts, labels, &[0.5; 24], DIMS)
}

/// Checks a refusal: its kind, and each fragment in its message.
fn refused(what: &str, result: losslab::Result<impl std::fmt::Debug>, code: &str, fragments: &[&str]) {
    let e = match result {
        Err(e) => e,
        Ok(v) => panic!("{what}: accepted ({v:?}), should be refused with {code}"),
    };
    let msg = e.to_string();
    assert_eq!(e.code(), code, "{what}: kind of {msg:?}");
    for f in fragments {
        assert!(msg.contains(f), "{what}: message {msg:?} should contain {f:?}");
    }
}

fn torch() -> CrossEntropy {
    CrossEntropy { semantics: Semantics::Torch, ..CrossEntropy::default() }
}

type Edit = fn(&mut CrossEntropy);

#[test]
fn every_option_bound_is_refused_with_its_reason() {
    // (what, semantics, edit of the options, kind, message fragments)
    let table: &[(&str, Semantics, Edit, &str, &[&str])] = &[
        (
            "epsilon NaN",
            Semantics::Hf,
            |o| o.epsilon = f64::NAN,
            "option",
            &["epsilon must be a finite number, got NaN"],
        ),
        (
            "epsilon +inf",
            Semantics::Hf,
            |o| o.epsilon = f64::INFINITY,
            "option",
            &["epsilon must be a finite number, got inf"],
        ),
        (
            "epsilon -inf in torch",
            Semantics::Torch,
            |o| o.epsilon = f64::NEG_INFINITY,
            "option",
            &["epsilon must be a finite number"],
        ),
        (
            "epsilon above 1 in torch",
            Semantics::Torch,
            |o| o.epsilon = 1.5,
            "epsilon-out-of-range",
            &["epsilon 1.5 is out of range", "0 <= epsilon <= 1"],
        ),
        (
            "epsilon just above 1 in torch",
            Semantics::Torch,
            |o| o.epsilon = 1.0 + 1e-12,
            "epsilon-out-of-range",
            &["is out of range"],
        ),
        (
            "epsilon below 0 in torch",
            Semantics::Torch,
            |o| o.epsilon = -0.1,
            "epsilon-out-of-range",
            &["epsilon -0.1 is out of range"],
        ),
        (
            "reduction sum in hf",
            Semantics::Hf,
            |o| o.reduction = Reduction::Sum,
            "unsupported",
            &["need semantics \"torch\"", "LabelSmoother always takes the mean"],
        ),
        (
            "reduction none in hf",
            Semantics::Hf,
            |o| o.reduction = Reduction::None,
            "unsupported",
            &["need semantics \"torch\""],
        ),
        (
            "class weights in hf",
            Semantics::Hf,
            |o| o.class_weights = Some(vec![1.0; 4]),
            "unsupported",
            &["classWeights need semantics \"torch\""],
        ),
        (
            "class weights too few",
            Semantics::Torch,
            |o| o.class_weights = Some(vec![1.0; 2]),
            "option",
            &["classWeights must be one weight per class", "2 weights for V = 4"],
        ),
        (
            "class weights too many",
            Semantics::Torch,
            |o| o.class_weights = Some(vec![1.0; 5]),
            "option",
            &["5 weights for V = 4"],
        ),
        (
            "class weight NaN",
            Semantics::Torch,
            |o| o.class_weights = Some(vec![1.0, f32::NAN, 1.0, 1.0]),
            "option",
            &["classWeights must be finite numbers, got NaN"],
        ),
        (
            "class weight +inf",
            Semantics::Torch,
            |o| o.class_weights = Some(vec![1.0, 1.0, f32::INFINITY, 1.0]),
            "option",
            &["classWeights must be finite numbers, got inf"],
        ),
        (
            "class weight -inf",
            Semantics::Torch,
            |o| o.class_weights = Some(vec![f32::NEG_INFINITY, 1.0, 1.0, 1.0]),
            "option",
            &["classWeights must be finite numbers, got -inf"],
        ),
        (
            "numItemsInBatch 0",
            Semantics::Hf,
            |o| o.num_items_in_batch = Some(0.0),
            "option",
            &["numItemsInBatch must be a positive number, got 0"],
        ),
        (
            "numItemsInBatch -0",
            Semantics::Hf,
            |o| o.num_items_in_batch = Some(-0.0),
            "option",
            &["numItemsInBatch must be a positive number"],
        ),
        (
            "numItemsInBatch negative",
            Semantics::Torch,
            |o| o.num_items_in_batch = Some(-3.0),
            "option",
            &["numItemsInBatch must be a positive number, got -3"],
        ),
        (
            "numItemsInBatch NaN",
            Semantics::Hf,
            |o| o.num_items_in_batch = Some(f64::NAN),
            "option",
            &["numItemsInBatch must be a positive number, got NaN"],
        ),
        (
            "numItemsInBatch +inf",
            Semantics::Hf,
            |o| o.num_items_in_batch = Some(f64::INFINITY),
            "option",
            &["numItemsInBatch must be a positive number, got inf"],
        ),
        (
            "zLossScale negative",
            Semantics::Hf,
            |o| o.z_loss_scale = -0.01,
            "option",
            &["zLossScale must be a finite number >= 0, got -0.01"],
        ),
        (
            "zLossScale tiny negative",
            Semantics::Torch,
            |o| o.z_loss_scale = -1e-300,
            "option",
            &["zLossScale must be a finite number >= 0"],
        ),
        (
            "zLossScale -inf",
            Semantics::Hf,
            |o| o.z_loss_scale = f64::NEG_INFINITY,
            "option",
            &["zLossScale must be a finite number >= 0, got -inf"],
        ),
        (
            "zLossScale +inf",
            Semantics::Hf,
            |o| o.z_loss_scale = f64::INFINITY,
            "option",
            &["zLossScale must be a finite number >= 0, got inf"],
        ),
        (
            "zLossScale NaN",
            Semantics::Hf,
            |o| o.z_loss_scale = f64::NAN,
            "option",
            &["zLossScale must be a finite number >= 0, got NaN"],
        ),
        (
            "softcap 0",
            Semantics::Hf,
            |o| o.softcap = Some(0.0),
            "option",
            &["softcap must be a positive finite number, got 0"],
        ),
        (
            "softcap negative",
            Semantics::Hf,
            |o| o.softcap = Some(-5.0),
            "option",
            &["softcap must be a positive finite number, got -5"],
        ),
        (
            "softcap +inf",
            Semantics::Torch,
            |o| o.softcap = Some(f64::INFINITY),
            "option",
            &["softcap must be a positive finite number, got inf"],
        ),
        (
            "softcap NaN",
            Semantics::Hf,
            |o| o.softcap = Some(f64::NAN),
            "option",
            &["softcap must be a positive finite number, got NaN"],
        ),
        (
            "grad with reduction none",
            Semantics::Torch,
            |o| {
                o.reduction = Reduction::None;
                o.grad = true
            },
            "unsupported",
            &["grad: true needs a scalar loss", "reduction \"none\""],
        ),
    ];
    for &(what, semantics, edit, code, fragments) in table {
        let mut o = CrossEntropy { semantics, ..CrossEntropy::default() };
        edit(&mut o);
        refused(what, o.validate(4), code, fragments);
        // The same refusal from a call, before any logit is read.
        refused(what, run(&o, &LABELS), code, fragments);
    }
}

#[test]
fn values_on_the_accepted_side_of_each_bound_run() {
    let table: &[(&str, Semantics, Edit)] = &[
        ("hf epsilon above 1 (LabelSmoother does not check)", Semantics::Hf, |o| o.epsilon = 1.5),
        ("hf epsilon below 0", Semantics::Hf, |o| o.epsilon = -0.1),
        ("torch epsilon 0", Semantics::Torch, |o| o.epsilon = 0.0),
        ("torch epsilon 1", Semantics::Torch, |o| o.epsilon = 1.0),
        ("zLossScale 0", Semantics::Hf, |o| o.z_loss_scale = 0.0),
        ("zLossScale -0", Semantics::Hf, |o| o.z_loss_scale = -0.0),
        ("numItemsInBatch tiny", Semantics::Hf, |o| o.num_items_in_batch = Some(1e-300)),
        ("numItemsInBatch fractional", Semantics::Torch, |o| o.num_items_in_batch = Some(2.5)),
        ("softcap tiny", Semantics::Hf, |o| o.softcap = Some(1e-30)),
        ("class weights with zeros", Semantics::Torch, |o| o.class_weights = Some(vec![0.0, 1.0, 0.0, 2.0])),
        // PyTorch does not check the sign of weights either; they are only required finite.
        ("a negative class weight", Semantics::Torch, |o| o.class_weights = Some(vec![-1.0, 1.0, 1.0, 1.0])),
        ("reduction sum in torch", Semantics::Torch, |o| o.reduction = Reduction::Sum),
        ("reduction none without grad", Semantics::Torch, |o| o.reduction = Reduction::None),
    ];
    for &(what, semantics, edit) in table {
        let mut o = CrossEntropy { semantics, grad: true, ..CrossEntropy::default() };
        edit(&mut o);
        if o.reduction == Reduction::None {
            o.grad = false;
        }
        assert_eq!(o.validate(4), Ok(()), "{what}");
        let r = run(&o, &LABELS).unwrap_or_else(|e| panic!("{what}: {e}"));
        assert_eq!(r.num_active, 5, "{what}");
    }
}

#[test]
fn labels_outside_the_vocabulary_are_refused_with_their_position() {
    refused(
        "label equal to V",
        run(&CrossEntropy::default(), &[0, 1, 4, 3, 0, 1]),
        "label-out-of-range",
        &["label 4 at position 2 is out of range", "[0, 4) (V = 4)", "ignoreIndex (-100)"],
    );
    refused(
        "label i32::MAX in torch",
        run(&torch(), &[0, 1, 2, 3, i32::MAX, 1]),
        "label-out-of-range",
        &["label 2147483647 at position 4"],
    );
    refused(
        "negative label in torch",
        run(&torch(), &[0, -1, 2, 3, 0, 1]),
        "label-out-of-range",
        &["label -1 at position 1"],
    );
    // Once ignoreIndex is 7, -100 is an ordinary (negative) label: torch refuses it.
    let o = CrossEntropy { ignore_index: 7, ..torch() };
    refused(
        "-100 when ignoreIndex is 7",
        run(&o, &LABELS),
        "label-out-of-range",
        &["label -100 at position 4", "ignoreIndex (7)"],
    );
    // With shiftLabels the position is still the label's own index.
    let o = CrossEntropy { shift_labels: true, ..CrossEntropy::default() };
    refused(
        "label V after shifting",
        run(&o, &[0, 1, 9, 3, 0, 1]),
        "label-out-of-range",
        &["label 9 at position 2"],
    );
    // A label that shiftLabels drops (each sequence's first) is never read.
    assert!(run(&o, &[9, 1, 2, 9, 0, 1]).is_ok());
    // hf clamps negative labels instead; the most negative one too.
    let r = run(&CrossEntropy::default(), &[0, i32::MIN, 2, 3, -100, 1]).unwrap();
    assert_eq!(r.num_active, 5);
}

#[test]
fn lengths_that_disagree_with_dims_are_refused() {
    let o = CrossEntropy::default();
    refused(
        "labels too short",
        Plan::new(DIMS, &LABELS[..2], &o),
        "length",
        &["labels has 2 elements but dims [2, 3] need 6"],
    );
    let logits = [0.5f32; 24];
    let l = ArrayView3::from_shape((2, 3, 4), &logits[..]).unwrap();
    let y = ArrayView2::from_shape((2, 3), &LABELS[..]).unwrap();
    let g = CrossEntropy { grad: true, ..o };
    let mut short = vec![0.0f32; 23];
    refused(
        "gradient buffer too short",
        cross_entropy_into(l, y, &g, CpuKernel::Simd, Some(&mut short)),
        "length",
        &["the gradient buffer has 23 elements but dims [2, 3, 4] need 24"],
    );
    refused(
        "grad without a buffer",
        cross_entropy_into(l, y, &g, CpuKernel::Simd, None),
        "unsupported",
        &["grad: true needs somewhere to write the gradient"],
    );
    // Six labels for six positions, but shaped [3, 2]: the shapes are named, not the counts.
    let transposed = ArrayView2::from_shape((3, 2), &LABELS[..]).unwrap();
    refused(
        "labels of the right count in the wrong shape",
        cross_entropy_into(l, transposed, &CrossEntropy::default(), CpuKernel::Simd, None),
        "invalid-argument",
        &["labels have shape [3, 2] but logits of shape [2, 3, 4] need labels of shape [2, 3]"],
    );
}

#[test]
fn dims_are_refused_with_reasons() {
    let table: &[(&[f64], &str, &str)] = &[
        (&[2.0, 3.5, 4.0], "dims", "dims must be non-negative integers below 2^32, got [2.0, 3.5, 4.0]"),
        (&[-2.0, 3.0, 4.0], "dims", "dims must be non-negative integers"),
        (&[f64::NAN, 3.0, 4.0], "dims", "dims must be non-negative integers"),
        (&[4294967296.0, 1.0, 1.0], "dims", "dims must be non-negative integers below 2^32"),
        (&[65536.0, 65536.0, 2.0], "dims", "more than 2^32 elements"),
        (&[24.0], "dims", "dims must be [B, T, V] or [N, V]"),
        (&[1.0, 2.0, 3.0, 4.0], "dims", "dims must be [B, T, V] or [N, V]"),
        (&[0.0, 3.0, 4.0], "dims", "B (batch size) must be at least 1"),
        (&[2.0, 0.0, 4.0], "dims", "T (sequence length) must be at least 1"),
        (&[2.0, 3.0, 0.0], "dims", "V (vocabulary size) must be at least 1"),
        (&[0.0, 4.0], "dims", "N (positions) must be at least 1"),
        (&[4.0, 0.0], "dims", "V (vocabulary size) must be at least 1"),
    ];
    for &(dims, code, fragment) in table {
        refused(&format!("logits dims {dims:?}"), logits_shape(dims), code, &[fragment]);
    }
    assert_eq!(logits_shape(&[7.0, 9.0]), Ok([1, 7, 9]), "[N, V] is one sequence");
    refused("matrix of rank 3", matrix_shape(&[1.0, 2.0, 3.0]), "dims", &["dims must be [rows, columns]"]);
    refused(
        "billions of empty rows",
        matrix_shape(&[2147483648.0, 0.0]),
        "invalid-argument",
        &["beyond one wasm allocation"],
    );
    assert_eq!(matrix_shape(&[3.0, 0.0]), Ok([3, 0]), "empty rows are a valid batch");
}

#[test]
fn js_option_decoding_refuses_what_the_core_cannot_represent() {
    let decode = |v: serde_json::Value| serde_json::from_value::<CrossEntropyOptions>(v).unwrap().into_core();
    let table = [
        (json!({ "ignoreIndex": 1.5 }), "ignoreIndex must be an integer in the Int32 range, got 1.5"),
        (
            json!({ "ignoreIndex": 2147483648.0 }),
            "ignoreIndex must be an integer in the Int32 range, got 2147483648",
        ),
        (json!({ "ignoreIndex": -2147483649.0 }), "ignoreIndex must be an integer in the Int32 range"),
        (json!({ "semantics": "jax" }), "semantics must be \"hf\" or \"torch\", got \"jax\""),
        (json!({ "reduction": "max" }), "reduction must be \"mean\", \"sum\" or \"none\", got \"max\""),
    ];
    for (options, fragment) in table {
        refused(&options.to_string(), decode(options.clone()), "option", &[fragment]);
    }
    for edge in [i32::MIN, i32::MAX, 0] {
        assert_eq!(decode(json!({ "ignoreIndex": edge })).unwrap().ignore_index, i64::from(edge));
    }
    refused(
        "kernel",
        losslab::js::options::cpu_kernel(Some("gpu")),
        "option",
        &["kernel must be \"simd\" or \"scalar\", got \"gpu\""],
    );
    let collate_opts =
        |v: serde_json::Value| serde_json::from_value::<CollateOptions>(v).unwrap().into_core();
    refused(
        "paddingSide",
        collate_opts(json!({ "paddingSide": "up" })),
        "option",
        &["paddingSide must be \"right\" or \"left\", got \"up\""],
    );
    refused(
        "padToMultipleOf 0",
        collate_opts(json!({ "padToMultipleOf": 0 })),
        "option",
        &["padToMultipleOf must be a positive integer, got 0"],
    );
    refused(
        "padToMultipleOf 2.5",
        collate_opts(json!({ "padToMultipleOf": 2.5 })),
        "option",
        &["padToMultipleOf must be a non-negative integer"],
    );
    let mlm_opts = |v: serde_json::Value| serde_json::from_value::<MlmOptions>(v).unwrap().into_core();
    refused(
        "mlm without vocabSize",
        mlm_opts(json!({ "maskTokenId": 3 })),
        "option",
        &["vocabSize must be given"],
    );
    refused(
        "mlm without maskTokenId",
        mlm_opts(json!({ "vocabSize": 30 })),
        "option",
        &["maskTokenId must be given"],
    );
    refused(
        "mlm seed 1.5",
        mlm_opts(json!({ "maskTokenId": 3, "vocabSize": 30, "seed": 1.5 })),
        "option",
        &["seed must be a non-negative safe integer"],
    );
}

#[test]
fn padding_and_objective_refusals() {
    let src = [1, 2, 3];
    let view = ArrayView2::from_shape((1, 3), &src[..]).unwrap();
    refused(
        "padToTargetLen shorter target",
        pad_to_target_len(view, 2, 0),
        "invalid-argument",
        &["source rows have 3 tokens, longer than targetLen 2"],
    );
    let ex = |ids: &[i32], labels: Option<&[i32]>| Example {
        input_ids: ids.to_vec(),
        labels: labels.map(<[i32]>::to_vec),
    };
    refused(
        "collate with mixed labels",
        collate(&[ex(&[1], Some(&[1])), ex(&[2], None)], &Default::default()),
        "invalid-argument",
        &["either every example has labels or none does"],
    );
    refused(
        "collate of nothing",
        collate(&[], &Default::default()),
        "invalid-argument",
        &["at least one example"],
    );
    let ids = Array2::from_elem((2, 4), 5);
    refused(
        "sftLabels with one prompt length for two rows",
        sft_labels(ids.view(), &[1], &Default::default()),
        "length",
        &["promptLens has 1 elements but dims [2] need 2"],
    );
    let mlm = |edit: fn(&mut objectives::MlmOptions)| {
        let mut o = objectives::MlmOptions { mask_token_id: 3, vocab_size: 30, ..Default::default() };
        edit(&mut o);
        objectives::mlm_mask(ids.view(), &o)
    };
    refused(
        "mlm probability 1.5",
        mlm(|o| o.probability = 1.5),
        "option",
        &["probability must be a probability in [0, 1], got 1.5"],
    );
    refused(
        "mlm probability NaN",
        mlm(|o| o.probability = f64::NAN),
        "option",
        &["probability must be a probability in [0, 1]"],
    );
    refused(
        "mlm maskReplaceProb -0.1",
        mlm(|o| o.mask_replace_prob = -0.1),
        "option",
        &["maskReplaceProb must be a probability in [0, 1]"],
    );
    refused(
        "mlm randomReplaceProb 2",
        mlm(|o| o.random_replace_prob = 2.0),
        "option",
        &["randomReplaceProb must be a probability in [0, 1]"],
    );
    refused(
        "mlm shares above 1",
        mlm(|o| {
            o.mask_replace_prob = 0.8;
            o.random_replace_prob = 0.3
        }),
        "option",
        &["maskReplaceProb + randomReplaceProb must be at most 1"],
    );
    refused(
        "mlm vocabSize 0",
        mlm(|o| o.vocab_size = 0),
        "option",
        &["vocabSize must be between 1 and 2^31 - 1, got 0"],
    );
    refused(
        "mse length mismatch",
        mse(&[0.0; 3], &[0.0; 2], Reduction::Mean, false),
        "length",
        &["target has 2 elements but dims [3] need 3"],
    );
    refused(
        "mse grad with none",
        mse(&[0.0; 3], &[0.0; 3], Reduction::None, true),
        "unsupported",
        &["grad: true needs a scalar loss"],
    );
    refused(
        "a buffer beyond one wasm allocation",
        losslab::error::try_zeroed::<f32>(600_000_000, "logits"),
        "out-of-memory",
        &["not enough memory for logits: 2400000000 bytes requested"],
    );
}

/// The notes of a result as `(code, position)`.
fn notes(r: &CrossEntropyOutput) -> Vec<(&'static str, Option<usize>)> {
    r.notes.iter().map(|n| (n.code(), n.position())).collect()
}

fn one_row(logits: &[f32], label: i32, opts: &CrossEntropy) -> CrossEntropyOutput {
    run_with(opts, &[label], logits, [1, 1, logits.len()]).unwrap()
}

#[test]
fn non_finite_logits_give_pytorchs_answer_and_say_why() {
    let hf = CrossEntropy::default();
    let nan = f32::NAN;
    let (inf, ninf) = (f32::INFINITY, f32::NEG_INFINITY);

    let r = one_row(&[1.0, 2.0, 3.0], 0, &hf);
    assert!(
        r.summary.loss.unwrap().is_finite() && r.notes.is_empty(),
        "finite input, no notes: {:?}",
        r.notes
    );

    let r = one_row(&[1.0, nan, 2.0], 0, &hf);
    assert!(r.summary.loss.unwrap().is_nan());
    assert_eq!(notes(&r), [("nan-logit", Some(0))]);
    assert!(r.notes[0].to_string().contains("NaN logit"), "{}", r.notes[0]);

    let r = one_row(&[1.0, inf, 2.0], 0, &hf);
    assert!(r.summary.loss.unwrap().is_nan());
    assert_eq!(notes(&r), [("positive-infinity", Some(0))]);
    assert!(r.notes[0].to_string().contains("+inf logit"));

    // NaN wins over ±inf in the same row.
    let r = one_row(&[nan, inf, ninf], 1, &hf);
    assert_eq!(notes(&r), [("nan-logit", Some(0))]);

    // −inf away from the label: +inf for ε > 0; hf at ε = 0 multiplies it by 0 (NaN); torch at
    // ε = 0 computes no smoothing term (finite). Each says which.
    let row = [1.0, ninf, 2.0];
    type Case = (CrossEntropy, fn(f64) -> bool, &'static str);
    let cases: [Case; 3] = [
        (hf.clone(), |l| l == f64::INFINITY, "epsilon > 0 weighs it in, so the loss is +inf"),
        (CrossEntropy { epsilon: 0.0, ..hf.clone() }, f64::is_nan, "LabelSmoother still adds 0 * inf = NaN"),
        (CrossEntropy { epsilon: 0.0, ..torch() }, f64::is_finite, "PyTorch computes no smoothing term"),
    ];
    for (o, loss_ok, says) in cases {
        let r = one_row(&row, 0, &o);
        let loss = r.summary.loss.unwrap();
        assert!(loss_ok(loss), "{:?} ε={}: loss {loss}", o.semantics, o.epsilon);
        assert!(r.summary.nll.is_finite() && r.summary.smooth == f64::INFINITY);
        assert_eq!(notes(&r), [("negative-infinity", Some(0))]);
        let msg = r.notes[0].to_string();
        assert!(msg.contains("-inf logit") && msg.contains(says), "{msg}");
    }

    // −inf at the label, or a row of nothing but −inf: the label is impossible.
    let r = one_row(&[1.0, ninf, 2.0], 1, &CrossEntropy { epsilon: 0.0, ..torch() });
    assert_eq!(r.summary.loss, Some(f64::INFINITY));
    assert_eq!(notes(&r), [("label-impossible", Some(0))]);
    let r = one_row(&[ninf; 3], 2, &hf);
    assert_eq!(notes(&r), [("label-impossible", Some(0))]);

    // Whatever an ignored row holds, it adds nothing and is not explained.
    let logits = [nan, inf, ninf, 0.0, 1.0, 2.0];
    let r = run_with(&hf, &[-100, 1], &logits, [1, 2, 3]).unwrap();
    assert!(r.summary.loss.unwrap().is_finite() && r.notes.is_empty(), "{:?}", r.notes);
}

#[test]
fn notes_name_positions_after_shifting_and_stop_at_three_per_kind() {
    // Five NaN rows: three notes, for the first three positions.
    let mut logits = vec![0.5f32; 6 * 2];
    for r in 0..5 {
        logits[r * 2 + 1] = f32::NAN;
    }
    let r = run_with(&CrossEntropy::default(), &[0; 6], &logits, [1, 6, 2]).unwrap();
    assert_eq!(notes(&r), [("nan-logit", Some(0)), ("nan-logit", Some(1)), ("nan-logit", Some(2))]);

    // With shiftLabels, position p reads logits row b·T + p and the label after it: in the
    // second sequence (T = 3) logits row 4 is position 1 · 2 + 1 = 3.
    let mut logits = vec![0.5f32; 2 * 3 * 2];
    logits[4 * 2] = f32::INFINITY;
    let o = CrossEntropy { shift_labels: true, ..CrossEntropy::default() };
    let r = run_with(&o, &[0; 6], &logits, [2, 3, 2]).unwrap();
    assert_eq!(notes(&r), [("positive-infinity", Some(3))]);
    // The shifted-away last row of each sequence is never read.
    logits[4 * 2] = 0.5;
    logits[5 * 2] = f32::NAN;
    assert!(run_with(&o, &[0; 6], &logits, [2, 3, 2]).unwrap().notes.is_empty());
}

#[test]
fn empty_active_sets_are_0_over_0_and_say_so() {
    let all_ignored = [-100; 6];
    let r = run(&CrossEntropy::default(), &all_ignored).unwrap();
    assert!(r.summary.loss.unwrap().is_nan() && r.num_active == 0);
    assert_eq!(notes(&r), [("all-ignored", None)]);
    assert!(r.notes[0].to_string().contains("ignoreIndex -100"), "{}", r.notes[0]);

    // A custom ignoreIndex is the one named.
    let o = CrossEntropy { ignore_index: 0, ..torch() };
    let r = run(&o, &[0; 6]).unwrap();
    assert!(r.summary.loss.unwrap().is_nan());
    assert_eq!(notes(&r), [("all-ignored", None)]);
    assert!(r.notes[0].to_string().contains("ignoreIndex 0"));

    // Not a mean over the active tokens: nothing is divided by 0, so no NaN and no note.
    for o in [
        CrossEntropy { num_items_in_batch: Some(8.0), ..CrossEntropy::default() },
        CrossEntropy { reduction: Reduction::Sum, ..torch() },
    ] {
        let r = run(&o, &all_ignored).unwrap();
        assert_eq!(r.summary.loss, Some(0.0), "{o:?}");
        assert!(r.notes.is_empty(), "{o:?}: {:?}", r.notes);
    }

    // shiftLabels with T = 1: no position at all.
    let o = CrossEntropy { shift_labels: true, ..CrossEntropy::default() };
    let r = run_with(&o, &[1, 2], &[0.5; 8], [2, 1, 4]).unwrap();
    assert!(r.summary.loss.unwrap().is_nan() && r.summary.per_token_loss.is_empty());
    assert_eq!(notes(&r), [("no-positions", None)]);

    // Torch weights that are 0 on every active label: Σ w[y] = 0.
    let o = CrossEntropy { class_weights: Some(vec![0.0, 0.0, 1.0, 1.0]), ..torch() };
    let r = run(&o, &[0, 1, 0, -100, 1, 1]).unwrap();
    assert!(r.summary.loss.unwrap().is_nan());
    assert_eq!(notes(&r), [("zero-weight", None)]);
}

#[test]
fn clamped_hf_labels_are_noted_once_at_their_index() {
    // -1 and -7 both become class 0 and count; the note names the first, by its label index.
    let labels = [0, 1, -1, 3, -7, -100];
    let r = run(&CrossEntropy::default(), &labels).unwrap();
    assert_eq!(r.num_active, 5);
    assert_eq!(notes(&r), [("clamped-label", Some(2))]);
    let msg = r.notes[0].to_string();
    assert!(msg.contains("label -1 at index 2") && msg.contains("clamps it to class 0"), "{msg}");
    // The loss is exactly that of class 0 there: with uniform logits, ln 4 per token.
    assert!((r.summary.loss.unwrap() - 4f64.ln()).abs() < 1e-6);

    // After shifting, the index is still the label's own.
    let o = CrossEntropy { shift_labels: true, ..CrossEntropy::default() };
    let r = run(&o, &[-5, 1, 2, 0, -3, 1]).unwrap();
    assert_eq!(notes(&r), [("clamped-label", Some(4))], "the first label of each sequence is dropped");

    // The clamped label comes before the notes about rows.
    let mut logits = [0.5f32; 24];
    logits[4] = f32::NAN; // row 1
    let r = run_with(&CrossEntropy::default(), &[-100, -2, -100, -100, -100, -100], &logits, DIMS).unwrap();
    assert_eq!(notes(&r), [("clamped-label", Some(1)), ("nan-logit", Some(1))]);
}
