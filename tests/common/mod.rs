//! The golden case table and its checks, shared by every Rust runner (native and browser).
#![allow(dead_code)]

use losslab::cpu::CpuKernel;
use losslab::hash::{hash_labels, hash_logits};
use losslab::js::options::CrossEntropyOptions;
use losslab::loss::{cross_entropy, CrossEntropy, CrossEntropyOutput};
use ndarray::{ArrayView2, ArrayView3};
use serde_json::Value;

pub const CASES: &str = include_str!("../golden/cases.json");
pub const OBJECTIVES: &str = include_str!("../golden/objectives.json");

/// The accuracy bar (docs/SEMANTICS.md, "How sums are accumulated").
pub const LOSS_REL: f64 = 1e-6;
pub const GRAD_OF_MAX: f64 = 1e-5;

pub fn cases(section: &str) -> Vec<Value> {
    let all: Value = serde_json::from_str(CASES).expect("cases.json parses");
    all[section].as_array().expect("section is an array").clone()
}

/// A JSON number, or one of the strings the vectors use for non-finite values.
pub fn num(v: &Value) -> f64 {
    match v {
        Value::Number(n) => n.as_f64().unwrap(),
        Value::String(s) if s == "NaN" => f64::NAN,
        Value::String(s) if s == "Infinity" => f64::INFINITY,
        Value::String(s) if s == "-Infinity" => f64::NEG_INFINITY,
        other => panic!("not a number: {other}"),
    }
}

pub fn nums(v: &Value) -> Vec<f64> {
    v.as_array().expect("array").iter().map(num).collect()
}

/// Pairs two slices element by element, first asserting they have the same length: a zip alone
/// would stop at the shorter one and pass a truncated or padded result.
pub fn paired<'a, A, B>(what: &str, got: &'a [A], want: &'a [B]) -> impl Iterator<Item = (&'a A, &'a B)> {
    assert_eq!(got.len(), want.len(), "{what}: {} entries, want {}", got.len(), want.len());
    got.iter().zip(want)
}

/// The number of logits a case describes, `B·T·V`.
pub fn logits_len(case: &Value) -> usize {
    case["dims"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).product()
}

/// Relative error of `got` against `want`, with non-finite values required to match exactly.
/// `floor` keeps values near zero from demanding more than f32 can give.
pub fn rel_err(got: f64, want: f64, floor: f64) -> f64 {
    if !want.is_finite() || !got.is_finite() {
        let same = (want.is_nan() && got.is_nan()) || want == got;
        return if same { 0.0 } else { f64::INFINITY };
    }
    (got - want).abs() / want.abs().max(floor)
}

/// The worst error seen across a run, with where it happened, for the closing report.
#[derive(Default, Debug)]
pub struct Worst {
    pub loss: (f64, String, f64),
    pub grad: (f64, String),
}

impl Worst {
    fn loss(&mut self, err: f64, name: &str, value: f64) {
        if err > self.loss.0 {
            self.loss = (err, name.to_string(), value);
        }
    }
    fn grad(&mut self, err: f64, name: &str) {
        if err > self.grad.0 {
            self.grad = (err, name.to_string());
        }
    }
}

pub struct Input {
    pub dims: [usize; 3],
    pub logits: Vec<f32>,
    pub labels: Vec<i32>,
}

/// The case's inputs: inline, or from the hash generator.
pub fn input(case: &Value) -> Input {
    let d: Vec<usize> =
        case["dims"].as_array().unwrap().iter().map(|x| x.as_u64().unwrap() as usize).collect();
    assert_eq!(d.len(), 3, "golden dims are [B, T, V]");
    let dims = [d[0], d[1], d[2]];
    if let Some(g) = case.get("generator") {
        let seed = g["seed"].as_u64().unwrap() as u32;
        let n = dims[0] * dims[1];
        return Input {
            dims,
            logits: hash_logits(n * dims[2], seed, g["scale"].as_f64().unwrap()),
            labels: hash_labels(n, dims[2], seed, g["ignore"].as_i64().unwrap() as i32),
        };
    }
    let inp = Input {
        dims,
        logits: nums(&case["logits"]).into_iter().map(|x| x as f32).collect(),
        labels: case["labels"].as_array().unwrap().iter().map(|x| x.as_i64().unwrap() as i32).collect(),
    };
    let name = &case["name"];
    assert_eq!(inp.logits.len(), dims.iter().product::<usize>(), "{name}: logits length vs dims");
    assert_eq!(inp.labels.len(), dims[0] * dims[1], "{name}: labels length vs dims");
    inp
}

/// The case's options; a gradient is requested unless the case says `grad: false`.
pub fn options(case: &Value) -> CrossEntropy {
    let mut o = case["options"].clone();
    if o.get("grad").is_none() {
        o["grad"] = Value::Bool(true);
    }
    let parsed: CrossEntropyOptions = serde_json::from_value(o).expect("case options decode");
    parsed.into_core().expect("case options are valid")
}

pub fn run(case: &Value, kernel: CpuKernel) -> losslab::Result<CrossEntropyOutput> {
    let inp = input(case);
    let [b, t, v] = inp.dims;
    let logits = ArrayView3::from_shape((b, t, v), &inp.logits).unwrap();
    let labels = ArrayView2::from_shape((b, t), &inp.labels).unwrap();
    cross_entropy(logits, labels, &options(case), kernel)
}

/// The values a result reports, by the golden file's field names, whichever runner made it.
pub struct Reported {
    pub loss: Option<f64>,
    pub nll: f64,
    pub smooth: f64,
    pub num_active: usize,
    pub per_token_loss: Vec<f64>,
    pub per_token_nll: Vec<f64>,
    pub per_token_smooth: Vec<f64>,
    pub grad: Option<Vec<f32>>,
}

impl From<&CrossEntropyOutput> for Reported {
    fn from(r: &CrossEntropyOutput) -> Self {
        let widen = |v: &[f32]| v.iter().map(|&x| x as f64).collect();
        Reported {
            loss: r.summary.loss,
            nll: r.summary.nll,
            smooth: r.summary.smooth,
            num_active: r.num_active,
            per_token_loss: widen(&r.summary.per_token_loss),
            per_token_nll: widen(&r.summary.per_token_nll),
            per_token_smooth: widen(&r.summary.per_token_smooth),
            grad: r.grad.clone(),
        }
    }
}

/// Checks one result against its case; returns a description of every violation.
pub fn check(case: &Value, got: &Reported, worst: &mut Worst) -> Vec<String> {
    check_within(case, got, worst, LOSS_REL)
}

/// [`check`] with losses and per-token values held to `loss_rel` (the WebGPU bar is 1e-5: its
/// row statistics are f32 sums, its soft-cap an f32 `tanh`).
pub fn check_within(case: &Value, got: &Reported, worst: &mut Worst, loss_rel: f64) -> Vec<String> {
    let name = case["name"].as_str().unwrap();
    let e = &case["expected"];
    let mut bad = Vec::new();
    let scalar = |what: &str, got: f64, want: f64, worst: &mut Worst| {
        let err = rel_err(got, want, 1e-12);
        if what == "loss" {
            worst.loss(err, name, want);
        }
        (err > loss_rel).then(|| format!("{name}: {what} {got} vs {want} (rel err {err:.3e})"))
    };
    match (got.loss, e["loss"].is_null()) {
        (None, true) => {}
        (Some(l), false) => bad.extend(scalar("loss", l, num(&e["loss"]), worst)),
        (l, _) => bad.push(format!("{name}: loss {l:?} vs {}", e["loss"])),
    }
    bad.extend(scalar("nll", got.nll, num(&e["nll"]), worst));
    bad.extend(scalar("smooth", got.smooth, num(&e["smooth"]), worst));
    if got.num_active as u64 != e["numActive"].as_u64().unwrap() {
        bad.push(format!("{name}: numActive {} vs {}", got.num_active, e["numActive"]));
    }
    for (field, values) in [
        ("perTokenLoss", &got.per_token_loss),
        ("perTokenNll", &got.per_token_nll),
        ("perTokenSmooth", &got.per_token_smooth),
    ] {
        let Some(want) = e.get(field) else { continue };
        let want = nums(want);
        if want.len() != values.len() {
            bad.push(format!("{name}: {field} has {} entries, want {}", values.len(), want.len()));
            continue;
        }
        // Per-token values are f32 and nll = lse − x_y: their error scales with lse, not with
        // the (possibly tiny) nll, so values under 1 nat are held to 1e-6 absolute.
        for (i, (&g, &w)) in values.iter().zip(&want).enumerate() {
            if rel_err(g, w, 1.0) > loss_rel {
                bad.push(format!("{name}: {field}[{i}] {g} vs {w}"));
            }
        }
    }
    if let Some(want) = e.get("grad") {
        let want = nums(want);
        match &got.grad {
            None => bad.push(format!("{name}: no gradient returned")),
            Some(g) if g.len() != want.len() => {
                bad.push(format!("{name}: gradient has {} entries, want {}", g.len(), want.len()))
            }
            Some(g) => {
                let max =
                    want.iter().filter(|x| x.is_finite()).fold(0.0f64, |a, x| a.max(x.abs())).max(1e-30);
                let mut err = 0.0f64;
                for (i, (&g, &w)) in g.iter().zip(&want).enumerate() {
                    let ok = if w.is_finite() {
                        (g as f64 - w).abs() <= GRAD_OF_MAX * max
                    } else {
                        rel_err(g as f64, w, 1.0) == 0.0
                    };
                    if w.is_finite() && g.is_finite() {
                        err = err.max((g as f64 - w).abs() / max);
                    }
                    if !ok {
                        bad.push(format!("{name}: grad[{i}] {g} vs {w} (max |g| {max})"));
                        break;
                    }
                }
                worst.grad(err, name);
            }
        }
    }
    if let Some(summary) = e.get("gradSummary") {
        match &got.grad {
            None => bad.push(format!("{name}: no gradient returned")),
            Some(g) if g.len() != logits_len(case) => {
                bad.push(format!("{name}: gradient has {} entries, want {}", g.len(), logits_len(case)))
            }
            Some(g) => bad.extend(check_grad_summary(name, g, summary, worst)),
        }
    }
    bad
}

fn check_grad_summary(name: &str, g: &[f32], s: &Value, worst: &mut Worst) -> Vec<String> {
    let mut bad = Vec::new();
    let max = num(&s["maxAbs"]);
    let tol = GRAD_OF_MAX * max;
    let got_max = g.iter().fold(0.0f64, |a, &x| a.max((x as f64).abs()));
    let got_sum_abs: f64 = g.iter().map(|&x| (x as f64).abs()).sum();
    let got_sum: f64 = g.iter().map(|&x| x as f64).sum();
    if (got_max - max).abs() > tol {
        bad.push(format!("{name}: max |g| {got_max} vs {max}"));
    }
    if rel_err(got_sum_abs, num(&s["sumAbs"]), 1e-12) > 1e-5 {
        bad.push(format!("{name}: sum |g| {got_sum_abs} vs {}", s["sumAbs"]));
    }
    // Σg over each active row is 0; over all rows its error is a few rows' worth of tolerance.
    if (got_sum - num(&s["sum"])).abs() > tol * 10.0 {
        bad.push(format!("{name}: sum g {got_sum} vs {}", s["sum"]));
    }
    let mut err = 0.0f64;
    for pair in s["samples"].as_array().unwrap() {
        let (i, w) = (pair[0].as_u64().unwrap() as usize, num(&pair[1]));
        let d = (g[i] as f64 - w).abs();
        err = err.max(d / max);
        if d > tol {
            bad.push(format!("{name}: grad[{i}] {} vs {w}", g[i]));
        }
    }
    worst.grad(err, name);
    bad
}

/// The fragment an error case's message must contain, by what the case refuses.
pub fn expected_error_fragment(case: &Value) -> &'static str {
    let hint = case["error"].as_str().unwrap();
    if hint.contains("epsilon") {
        "epsilon"
    } else if hint.contains("label") {
        "label"
    } else {
        "out of range"
    }
}

/// Runs the whole cross-entropy table on one kernel and panics with every violation found.
pub fn run_cross_entropy_table(kernel: CpuKernel) -> Worst {
    let mut worst = Worst::default();
    let mut bad = Vec::new();
    let mut ran = 0;
    for case in cases("crossEntropy") {
        let name = case["name"].as_str().unwrap().to_string();
        let result = run(&case, kernel);
        ran += 1;
        match (result, case.get("error")) {
            (Err(e), Some(_)) => {
                let msg = e.to_string();
                let frag = expected_error_fragment(&case);
                if !msg.contains(frag) || !msg.contains("out of range") {
                    bad.push(format!("{name}: message {msg:?} should name {frag:?}"));
                }
            }
            (Err(e), None) => bad.push(format!("{name}: unexpected error {e}")),
            (Ok(_), Some(_)) => bad.push(format!("{name}: should have been refused")),
            (Ok(r), None) => bad.extend(check(&case, &Reported::from(&r), &mut worst)),
        }
    }
    assert!(ran >= 38, "the table has {ran} cases");
    assert!(bad.is_empty(), "{} violations on {}:\n{}", bad.len(), kernel.name(), bad.join("\n"));
    worst
}
