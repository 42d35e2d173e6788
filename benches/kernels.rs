//! Native timings of losslab's CPU kernels, for profiling (`perf record`, flame graphs) what the
//! browser benchmark (`bench/run.mjs`) measures in wasm: `CpuKernel::{Simd, Scalar}` `row_stats`
//! and `softmax_affine`, and `loss::cross_entropy` forward and forward+gradient, on the same
//! hash-generated inputs (seed 101, scale 8, ε = 0.1, 10 % of labels ignored).
//!
//! Natively `Simd` runs the portable lane-exact `F32x4` (what LLVM makes of `[f32; 4]` for the
//! host), not wasm simd128: the per-element work is the same algorithm, the instructions are not.
//! A std-only harness: a warm-up call, then the median of timed runs.
//!
//! `cargo bench --bench kernels -- [--quick] [--runs N] [--shapes 1x128x32000,...] [FILTER]`
//! (FILTER keeps the cases whose name contains it, e.g. `row_stats`).

use std::hint::black_box;
use std::time::{Duration, Instant};

use losslab::cpu::CpuKernel;
use losslab::hash::{hash_labels, hash_logits};
use losslab::loss::{cross_entropy, cross_entropy_into, CrossEntropy};
use ndarray::{ArrayView2, ArrayView3};

const SEED: u32 = 101;
const SCALE: f64 = 8.0;
const IGNORE: i32 = -100;
const DEFAULT_SHAPES: &str = "1x128x32000,4x512x32000,1x2048x32000,1x512x151936";

struct Config {
    shapes: Vec<[usize; 3]>,
    runs: usize,
    budget: Duration,
    filter: Option<String>,
}

fn parse_args() -> Config {
    let mut cfg = Config { shapes: Vec::new(), runs: 7, budget: Duration::from_secs(4), filter: None };
    let mut shapes = DEFAULT_SHAPES.to_string();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            // cargo bench passes --bench to every bench binary.
            "--bench" => {}
            "--quick" => {
                cfg.runs = 3;
                cfg.budget = Duration::from_secs(1);
                shapes = "1x128x32000,4x512x32000".into();
            }
            "--runs" => cfg.runs = args.next().and_then(|v| v.parse().ok()).expect("--runs N"),
            "--shapes" => shapes = args.next().expect("--shapes BxTxV,..."),
            s if s.starts_with("--") => panic!("unknown option {s}"),
            s => cfg.filter = Some(s.to_string()),
        }
    }
    cfg.shapes = shapes
        .split(',')
        .map(|s| {
            let d: Vec<usize> = s.split('x').map(|d| d.trim().parse().expect("shape BxTxV")).collect();
            [d[0], d[1], d[2]]
        })
        .collect();
    cfg
}

struct Timing {
    median: Duration,
    min: Duration,
    runs: usize,
}

/// One warm-up call, then as many timed runs as fit the budget (3 at least, `max_runs` at most).
fn time(max_runs: usize, budget: Duration, mut f: impl FnMut()) -> Timing {
    let t0 = Instant::now();
    f();
    let estimate = t0.elapsed().max(Duration::from_micros(1));
    let fit = (budget.as_secs_f64() / estimate.as_secs_f64()) as usize;
    let runs = fit.clamp(3.min(max_runs), max_runs).max(1);
    let mut samples: Vec<Duration> = (0..runs)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed()
        })
        .collect();
    samples.sort();
    Timing { median: samples[runs / 2], min: samples[0], runs }
}

/// A read ceiling: the f32 sum of every logit in eight independent chains, which LLVM
/// vectorises; the least any loss over these logits must do.
fn read_sum(xs: &[f32]) -> f32 {
    let (chunks, tail) = xs.as_chunks::<32>();
    let mut acc = [0.0f32; 32];
    for c in chunks {
        for (a, x) in acc.iter_mut().zip(c) {
            *a += x;
        }
    }
    acc.iter().sum::<f32>() + tail.iter().sum::<f32>()
}

fn main() {
    let cfg = parse_args();
    let kernels = [("simd", CpuKernel::Simd), ("scalar", CpuKernel::Scalar)];
    println!("| Shape | Case | Median ms | Min ms | Runs | ns / active logit | GB/s of logits |");
    println!("|---|---|---:|---:|---:|---:|---:|");
    for &[b, t, v] in &cfg.shapes {
        let logits = hash_logits(b * t * v, SEED, SCALE);
        let labels = hash_labels(b * t, v, SEED, IGNORE);
        let active: Vec<usize> = (0..b * t).filter(|&r| labels[r] != IGNORE).collect();
        let x3 = ArrayView3::from_shape((b, t, v), &logits).expect("shape");
        let y2 = ArrayView2::from_shape((b, t), &labels).expect("shape");
        let mut grad = vec![0.0f32; logits.len()];
        let row = |r: usize| &logits[r * v..(r + 1) * v];
        let shape = format!("{b}×{t}×{v}");
        let report = |case: &str, timing: Timing, elements: usize| {
            let ms = |d: Duration| d.as_secs_f64() * 1e3;
            println!(
                "| {shape} | {case} | {:.2} | {:.2} | {} | {:.3} | {:.2} |",
                ms(timing.median),
                ms(timing.min),
                timing.runs,
                timing.median.as_secs_f64() * 1e9 / elements as f64,
                (logits.len() * 4) as f64 / timing.median.as_secs_f64() / 1e9,
            );
        };
        let wanted = |case: &str| cfg.filter.as_deref().is_none_or(|f| case.contains(f));
        let active_elements = active.len() * v;

        if wanted("read ceiling") {
            report(
                "read ceiling (f32 sum, all rows)",
                time(cfg.runs, cfg.budget, || {
                    black_box(read_sum(black_box(&logits)));
                }),
                logits.len(),
            );
        }
        for (name, k) in kernels {
            let case = format!("row_stats {name}");
            if wanted(&case) {
                let timing = time(cfg.runs, cfg.budget, || {
                    for &r in &active {
                        black_box(k.row_stats(black_box(row(r))));
                    }
                });
                report(&case, timing, active_elements);
            }
            let case = format!("softmax_affine {name}");
            if wanted(&case) {
                let stats: Vec<_> = active.iter().map(|&r| k.row_stats(row(r))).collect();
                let timing = time(cfg.runs, cfg.budget, || {
                    for (&r, s) in active.iter().zip(&stats) {
                        let log_sum = s.sum_exp.ln() as f32;
                        k.softmax_affine(row(r), s.max, log_sum, 1.0, 0.0, &mut grad[r * v..(r + 1) * v]);
                    }
                    black_box(&grad);
                });
                report(&case, timing, active_elements);
            }
            let case = format!("cross_entropy forward {name}");
            if wanted(&case) {
                let opts = CrossEntropy::default();
                let timing = time(cfg.runs, cfg.budget, || {
                    black_box(cross_entropy(x3, y2, &opts, k).expect("forward"));
                });
                report(&case, timing, active_elements);
            }
            let case = format!("cross_entropy_into forward+gradient {name}");
            if wanted(&case) {
                let opts = CrossEntropy { grad: true, ..CrossEntropy::default() };
                let timing = time(cfg.runs, cfg.budget, || {
                    black_box(cross_entropy_into(x3, y2, &opts, k, Some(&mut grad)).expect("gradient"));
                });
                report(&case, timing, active_elements);
            }
        }
        let case = "cross_entropy forward+gradient simd (allocates the gradient)";
        if wanted(case) {
            let opts = CrossEntropy { grad: true, ..CrossEntropy::default() };
            let timing = time(cfg.runs, cfg.budget, || {
                black_box(cross_entropy(x3, y2, &opts, CpuKernel::Simd).expect("gradient"));
            });
            report(case, timing, active_elements);
        }
    }
}
