//! Native timings of `linear_cross_entropy` against materialising the logits with the same GEMM
//! and calling `cross_entropy`, forward and forward + gradients, with each one's peak extra memory.
//!
//! `cargo run --release --example linear_speed [N D V]` (default 2048 256 32000);
//! `... -- --grid` times every row-block × chunk pair of the grid `Blocks::DEFAULT` was chosen from.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicUsize, Ordering::Relaxed};
use std::time::Instant;

use losslab::cpu::CpuKernel;
use losslab::hash::{hash_labels, hash_logits};
use losslab::loss::linear::{linear_cross_entropy_blocked, Blocks};
use losslab::loss::{cross_entropy, CrossEntropy, LinearInput, LinearShape};
use losslab::train::gemm::{gemm, Mat};
use ndarray::{ArrayView2, ArrayView3};

/// The system allocator, counting the bytes live and the most live at once, so each path's peak
/// extra memory is measured rather than estimated.
struct Counting;
static LIVE: AtomicUsize = AtomicUsize::new(0);
static PEAK: AtomicUsize = AtomicUsize::new(0);

unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            let now = LIVE.fetch_add(layout.size(), Relaxed) + layout.size();
            PEAK.fetch_max(now, Relaxed);
        }
        p
    }
    unsafe fn dealloc(&self, p: *mut u8, layout: Layout) {
        System.dealloc(p, layout);
        LIVE.fetch_sub(layout.size(), Relaxed);
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

/// The peak bytes allocated during `f` beyond what was live before it, in MiB.
fn peak_extra_mib(f: impl FnOnce()) -> f64 {
    let before = LIVE.load(Relaxed);
    PEAK.store(before, Relaxed);
    f();
    (PEAK.load(Relaxed) - before) as f64 / (1024.0 * 1024.0)
}

/// The best of `reps` runs, in ms.
fn best_ms(reps: usize, mut f: impl FnMut()) -> f64 {
    (0..reps)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .fold(f64::INFINITY, f64::min)
}

fn mib(floats: usize) -> f64 {
    floats as f64 * 4.0 / (1024.0 * 1024.0)
}

/// The materialised path: `[N, V]` logits from the GEMM, `cross_entropy`, and with the
/// gradient the two products a framework would run (`G · W`, `Gᵀ · H`) and the bias column sums.
fn materialised(shape: LinearShape, input: LinearInput, o: &CrossEntropy) -> f64 {
    let (n, d, v) = (shape.batch * shape.seq, shape.hidden, shape.vocab);
    let (h, w, y) = (input.hidden, input.weight, input.labels);
    let b = input.bias.expect("the timing run has a bias");
    let mut ht = vec![0.0f32; d * n];
    for i in 0..n {
        for k in 0..d {
            ht[k * n + i] = h[i * d + k];
        }
    }
    let mut zt = vec![0.0f32; v * n];
    gemm(v, n, d, Mat::rows(w, d), &ht, n, &mut zt, n);
    let mut z = vec![0.0f32; n * v];
    for i in 0..n {
        for c in 0..v {
            z[i * v + c] = zt[c * n + i] + b[c];
        }
    }
    let x = ArrayView3::from_shape((1, n, v), &z).unwrap();
    let labels = ArrayView2::from_shape((1, n), y).unwrap();
    let out = cross_entropy(x, labels, o, CpuKernel::Simd).unwrap();
    if let Some(g) = &out.grad {
        let mut gh = vec![0.0f32; n * d];
        gemm(n, d, v, Mat::rows(g, v), w, d, &mut gh, d);
        let mut gw = vec![0.0f32; v * d];
        gemm(v, d, n, Mat::transposed(g, v), h, d, &mut gw, d);
        let gb: Vec<f32> = (0..v).map(|c| (0..n).map(|i| g[i * v + c]).sum()).collect();
        std::hint::black_box((gh, gw, gb));
    }
    out.summary.loss.unwrap()
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let grid = args.iter().any(|a| a == "--grid");
    let sizes: Vec<usize> = args.iter().filter_map(|a| a.parse().ok()).collect();
    let [n, d, v] = match sizes[..] {
        [n, d, v] => [n, d, v],
        _ => [2048, 256, 32000],
    };
    let h = hash_logits(n * d, 1, 4.0);
    let w = hash_logits(v * d, 2, 0.25);
    let b = hash_logits(v, 3, 1.0);
    let y = hash_labels(n, v, 4, -100);
    let shape = LinearShape { batch: 1, seq: n, hidden: d, vocab: v };
    let input = LinearInput { hidden: &h, weight: &w, bias: Some(&b), labels: &y };
    let fwd = CrossEntropy::default();
    let bwd = CrossEntropy { grad: true, ..CrossEntropy::default() };
    println!("N {n} × D {d} × V {v} (native, release, one thread)");
    if grid {
        for rows in [16, 32, 64, 128] {
            for chunk in [256, 512, 1024, 2048, 4096] {
                let blocks = Blocks { rows, chunk };
                let run = |o: &CrossEntropy| {
                    best_ms(2, || {
                        std::hint::black_box(
                            linear_cross_entropy_blocked(shape, input, o, CpuKernel::Simd, blocks).unwrap(),
                        );
                    })
                };
                println!(
                    "rows {rows:>4} chunk {chunk:>5}: forward {:>8.1} ms, forward+grad {:>8.1} ms",
                    run(&fwd),
                    run(&bwd)
                );
            }
        }
        return;
    }
    let blocks = Blocks::DEFAULT;
    let mut loss = (0.0, 0.0);
    let lin_fwd = best_ms(3, || {
        loss.0 = linear_cross_entropy_blocked(shape, input, &fwd, CpuKernel::Simd, blocks)
            .unwrap()
            .loss
            .summary
            .loss
            .unwrap();
    });
    let lin_bwd = best_ms(3, || {
        std::hint::black_box(
            linear_cross_entropy_blocked(shape, input, &bwd, CpuKernel::Simd, blocks).unwrap(),
        );
    });
    let mat_fwd = best_ms(3, || loss.1 = materialised(shape, input, &fwd));
    let mat_bwd = best_ms(3, || {
        materialised(shape, input, &bwd);
    });
    println!("loss: chunked {:.9}, materialised {:.9}", loss.0, loss.1);
    println!("linear_cross_entropy {blocks:?}: forward {lin_fwd:.1} ms, forward+grad {lin_bwd:.1} ms");
    println!("materialised + cross_entropy:          forward {mat_fwd:.1} ms, forward+grad {mat_bwd:.1} ms");
    // Measured: every allocation of the call, outputs included (the gradients are 33.4 MiB at
    // 2048 × 256 × 32000; the materialised path also holds Hᵀ, Zᵀ, Z and the logits' gradient).
    let run_lin = |o: &CrossEntropy| {
        std::hint::black_box(linear_cross_entropy_blocked(shape, input, o, CpuKernel::Simd, blocks).unwrap());
    };
    let outputs = mib(n * d + v * d + v);
    println!(
        "peak extra memory, chunked: forward {:.2} MiB; forward+grad {:.2} MiB (of which {outputs:.1} MiB the gradients)",
        peak_extra_mib(|| run_lin(&fwd)),
        peak_extra_mib(|| run_lin(&bwd)),
    );
    println!(
        "peak extra memory, materialised: forward {:.1} MiB; forward+grad {:.1} MiB",
        peak_extra_mib(|| {
            materialised(shape, input, &fwd);
        }),
        peak_extra_mib(|| {
            materialised(shape, input, &bwd);
        }),
    );
}
