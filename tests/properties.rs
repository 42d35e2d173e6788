//! Properties that hold for every input, checked on seeded random cases (natively and in the
//! browser): shift invariance, ε = 0 is plain NLL, gradient rows sum to 0, the gradient matches
//! finite differences, and the simd128 kernel agrees with the scalar one.

use losslab::cpu::CpuKernel;
use losslab::loss::{cross_entropy, CrossEntropy, CrossEntropyOutput, Reduction, Semantics};
use losslab::objectives::SplitMix64;
use ndarray::{ArrayView2, ArrayView3};

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

const CASES: u64 = 150;

struct Case {
    dims: [usize; 3],
    logits: Vec<f32>,
    labels: Vec<i32>,
    opts: CrossEntropy,
}

impl Case {
    fn run(&self, kernel: CpuKernel) -> CrossEntropyOutput {
        self.run_with(&self.logits, &self.opts, kernel)
    }

    fn run_with(&self, logits: &[f32], opts: &CrossEntropy, kernel: CpuKernel) -> CrossEntropyOutput {
        let [b, t, v] = self.dims;
        let l = ArrayView3::from_shape((b, t, v), logits).unwrap();
        let y = ArrayView2::from_shape((b, t), &self.labels).unwrap();
        cross_entropy(l, y, opts, kernel).expect("valid case")
    }

    fn loss(&self) -> f64 {
        self.run(CpuKernel::Simd).summary.loss.unwrap()
    }
}

/// A random case: shapes that cross the kernel's 4-lane and 256-element block edges, labels with
/// ~20 % ignored, at least one active label, and every option the plain path has.
fn random_case(seed: u64, plain: bool) -> Case {
    let mut rng = SplitMix64::new(seed);
    let mut pick = |n: u64| (rng.next_u64() % n) as usize;
    let vocabs = [1, 2, 3, 5, 8, 13, 31, 64, 257, 1030];
    let dims = [1 + pick(3), 2 + pick(5), vocabs[pick(vocabs.len() as u64)]];
    let scale = [1.0f32, 8.0, 60.0][pick(3)];
    let n = dims[0] * dims[1];
    let mut rng = SplitMix64::new(seed ^ 0xABCD);
    let logits = (0..n * dims[2]).map(|_| (rng.next_f64() as f32 - 0.5) * scale).collect();
    let mut labels: Vec<i32> = (0..n)
        .map(|_| if rng.next_f64() < 0.2 { -100 } else { (rng.next_u64() % dims[2] as u64) as i32 })
        .collect();
    labels[n - 1] = 0; // active even after shifting
    let mut opts = CrossEntropy { epsilon: rng.next_f64(), grad: true, ..CrossEntropy::default() };
    if !plain {
        opts.shift_labels = rng.next_f64() < 0.5;
        if rng.next_f64() < 0.5 {
            opts.semantics = Semantics::Torch;
            if rng.next_f64() < 0.5 {
                opts.class_weights = Some((0..dims[2]).map(|_| 0.2 + rng.next_f64() as f32).collect());
            }
            if rng.next_f64() < 0.3 {
                opts.reduction = Reduction::Sum;
            }
        }
        if rng.next_f64() < 0.3 {
            opts.z_loss_scale = 1e-2;
        }
        if rng.next_f64() < 0.3 {
            opts.softcap = Some(5.0 + 20.0 * rng.next_f64());
        }
        if rng.next_f64() < 0.3 {
            opts.num_items_in_batch = Some(1.0 + (rng.next_u64() % 9) as f64);
        }
    }
    Case { dims, logits, labels, opts }
}

fn close(got: f64, want: f64, rel: f64) -> bool {
    (got - want).abs() <= rel * want.abs().max(1.0)
}

#[test]
fn adding_a_constant_to_a_row_leaves_the_loss_unchanged() {
    for seed in 0..CASES {
        let mut case = random_case(seed, false);
        case.opts.softcap = None; // soft-capping is not shift-invariant, by design
        case.opts.z_loss_scale = 0.0; // nor is z-loss (it penalises lse itself)
        let before = case.loss();
        let v = case.dims[2];
        for (r, row) in case.logits.chunks_mut(v).enumerate() {
            let c = (r % 7) as f32 - 3.0;
            row.iter_mut().for_each(|x| *x += c);
        }
        let after = case.loss();
        // Adding c re-rounds each f32 logit: up to half an ulp of |x| + |c| per logit.
        assert!(close(after, before, 2e-6), "seed {seed}: {before} → {after}");
    }
}

#[test]
fn epsilon_zero_is_plain_nll() {
    for seed in 0..CASES {
        let mut case = random_case(seed, true);
        case.opts.epsilon = 0.0;
        let got = case.loss();
        let v = case.dims[2];
        let (mut sum, mut count) = (0.0f64, 0usize);
        for (row, &y) in case.logits.chunks(v).zip(&case.labels) {
            if y == -100 {
                continue;
            }
            let m = row.iter().fold(f64::NEG_INFINITY, |a, &x| a.max(x as f64));
            let lse = m + row.iter().map(|&x| (x as f64 - m).exp()).sum::<f64>().ln();
            sum += lse - row[y as usize] as f64;
            count += 1;
        }
        let want = sum / count as f64;
        assert!(close(got, want, 1e-6), "seed {seed}: {got} vs {want}");
    }
}

#[test]
fn every_active_gradient_row_sums_to_zero() {
    for seed in 0..CASES {
        let case = random_case(seed, true);
        let out = case.run(CpuKernel::Simd);
        // The label entry is softmax − (1 − ε)/N, a difference rounded to f32: its rounding,
        // up to 6e-8 of 1/N, bounds the row sum together with the other entries' roundings.
        let label_term = 1.0 / out.num_active as f64;
        for (r, row) in out.grad.unwrap().chunks(case.dims[2]).enumerate() {
            let sum: f64 = row.iter().map(|&x| x as f64).sum();
            let mass: f64 = row.iter().map(|&x| (x as f64).abs()).sum();
            assert!(
                sum.abs() <= 1e-6 * (mass + label_term),
                "seed {seed} row {r}: Σg = {sum} (Σ|g| = {mass})"
            );
        }
    }
}

#[test]
fn gradient_matches_finite_differences() {
    for seed in 0..CASES {
        let case = random_case(seed, false);
        if case.dims[2] > 64 {
            continue; // finite differences of a big row are dominated by rounding
        }
        let grad = case.run(CpuKernel::Scalar).grad.unwrap();
        let max = grad.iter().fold(0.0f32, |a, x| a.max(x.abs())) as f64;
        let mut rng = SplitMix64::new(seed + 99);
        for _ in 0..6 {
            let i = (rng.next_u64() % grad.len() as u64) as usize;
            let (mut plus, mut minus) = (case.logits.clone(), case.logits.clone());
            plus[i] += 1e-2;
            minus[i] -= 1e-2;
            let h = plus[i] as f64 - minus[i] as f64; // the step f32 actually took
            let f = |l: &[f32]| case.run_with(l, &case.opts, CpuKernel::Scalar).summary.loss.unwrap();
            let fd = (f(&plus) - f(&minus)) / h;
            // Central differences err by O(h²) times the third derivative; with soft-capping,
            // z-loss and weights that stays under 2e-3 of the largest gradient here.
            assert!(
                (fd - grad[i] as f64).abs() <= 2e-3 * max.max(1e-3),
                "seed {seed} index {i}: finite difference {fd} vs gradient {} ({:?})",
                grad[i],
                case.opts
            );
        }
    }
}

#[test]
fn simd_kernel_equals_scalar_kernel() {
    for seed in 0..CASES {
        let case = random_case(seed, false);
        let (a, b) = (case.run(CpuKernel::Simd), case.run(CpuKernel::Scalar));
        let (la, lb) = (a.summary.loss.unwrap(), b.summary.loss.unwrap());
        assert!(close(la, lb, 1e-6), "seed {seed}: simd {la} vs scalar {lb}");
        let (ga, gb) = (a.grad.unwrap(), b.grad.unwrap());
        let max = gb.iter().fold(0.0f32, |m, x| m.max(x.abs()));
        for (x, y) in ga.iter().zip(&gb) {
            assert!((x - y).abs() <= 1e-5 * max, "seed {seed}: grad {x} vs {y}");
        }
    }
}
