//! Cross-entropy over logits that live elsewhere (a JS `Float32Array`): active rows are copied
//! through a cache-sized window in runs, computed while hot, and their gradient rows written back
//! run by run. One read of the caller's memory, no `[rows, V]` allocation. A call can also be
//! computed range of rows by range ([`stream_rows`]), each range in a worker of its own.

use std::ops::Range;

use super::cross_entropy::{cpu_row, CrossEntropyOutput, Plan, RowResult};
use super::options::CrossEntropy;
use crate::cpu::CpuKernel;
use crate::error::{try_zeroed, Result};

/// Floats in the window: 256 KiB, a few rows of a large vocabulary (at least one row).
pub const WINDOW_FLOATS: usize = 64 * 1024;

/// Where a streamed call reads logits and writes the gradient, row runs at a time.
pub trait RowStream {
    /// Copies logits rows `rows` (consecutive, `rows.len() · V` floats) into `out`.
    fn read(&mut self, rows: Range<usize>, out: &mut [f32]);
    /// Writes gradient rows `rows` from `grad`.
    fn write_grad(&mut self, rows: Range<usize>, grad: &[f32]);
    /// Sets gradient rows `rows` to zero (ignored or shifted-away rows). A destination that is
    /// zero already (a fresh array) does nothing.
    fn zero_grad(&mut self, rows: Range<usize>);
}

/// [`cross_entropy_into`](super::cross_entropy_into) reading logits rows through `io`, with the
/// gradient (when `opts.grad`) written through it too, every row of it.
pub fn cross_entropy_streamed(
    shape: [usize; 3],
    labels: &[i32],
    opts: &CrossEntropy,
    kernel: CpuKernel,
    io: &mut impl RowStream,
) -> Result<CrossEntropyOutput> {
    let plan = Plan::new(shape, labels, opts)?;
    let mut rows = vec![None; plan.targets.len()];
    stream_rows(&plan, kernel, io, 0..shape[0] * shape[1], &mut rows)?;
    Ok(plan.output(&rows, kernel.name()))
}

/// The logits rows `logits_rows` of a streamed call: every scored position predicted from a row
/// in that range gets its result in `out[position]`, and with `plan.opts.grad` every gradient
/// row in the range is written (zeros where nothing is scored). Disjoint ranges that cover the
/// logits, reduced by [`Plan::output`], give what one call over all of them gives, bit for bit:
/// how a call is split across workers.
pub fn stream_rows(
    plan: &Plan,
    kernel: CpuKernel,
    io: &mut impl RowStream,
    logits_rows: Range<usize>,
    out: &mut [Option<RowResult>],
) -> Result<()> {
    let v = plan.vocab();
    let opts = &plan.opts;
    let Range { start: first, end } = logits_rows;
    let span = end.saturating_sub(first);
    let window_rows = (WINDOW_FLOATS / v.max(1)).max(1).min(span.max(1));
    let mut window = try_zeroed::<f32>(window_rows * v, "the logits window")?;
    let mut grad =
        if opts.grad { try_zeroed::<f32>(window_rows * v, "the gradient window")? } else { Vec::new() };
    let mut capped = Vec::new();

    // Per logits row of the range: the position scored from it and its class (None: ignored, or
    // no position reads the row).
    let mut scored: Vec<Option<(usize, u32)>> = vec![None; span];
    for (p, target) in plan.targets.iter().enumerate() {
        let row = plan.logits_row(p);
        if (first..end).contains(&row) {
            scored[row - first] = target.map(|class| (p, class));
        }
    }
    let mut r = first;
    while r < end {
        if scored[r - first].is_none() {
            let start = r;
            while r < end && scored[r - first].is_none() {
                r += 1;
            }
            if opts.grad {
                io.zero_grad(start..r);
            }
            continue;
        }
        let start = r;
        while r < end && r - start < window_rows && scored[r - first].is_some() {
            r += 1;
        }
        let run = start..r;
        io.read(run.clone(), &mut window[..run.len() * v]);
        for (i, row) in run.clone().enumerate() {
            let (p, class) = scored[row - first].expect("the run holds scored rows only");
            let g = opts.grad.then(|| &mut grad[i * v..(i + 1) * v]);
            out[p] = Some(cpu_row(plan, class, &window[i * v..(i + 1) * v], &mut capped, kernel, g));
        }
        if opts.grad {
            io.write_grad(run.clone(), &grad[..run.len() * v]);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::loss::{cross_entropy, Reduction, Semantics, Stats};
    use ndarray::{ArrayView2, ArrayView3};
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// Logits and gradient in plain vectors, counting what was read and written.
    struct Slices {
        logits: Vec<f32>,
        grad: Vec<f32>,
        v: usize,
        reads: usize,
    }

    impl RowStream for Slices {
        fn read(&mut self, rows: Range<usize>, out: &mut [f32]) {
            self.reads += rows.len();
            out.copy_from_slice(&self.logits[rows.start * self.v..rows.end * self.v]);
        }
        fn write_grad(&mut self, rows: Range<usize>, grad: &[f32]) {
            self.grad[rows.start * self.v..rows.end * self.v].copy_from_slice(grad);
        }
        fn zero_grad(&mut self, rows: Range<usize>) {
            self.grad[rows.start * self.v..rows.end * self.v].fill(0.0);
        }
    }

    #[test]
    fn streaming_gives_the_resident_result_bit_for_bit() {
        // V large enough for several windows, small enough for one row per window too.
        for v in [7, 5000, WINDOW_FLOATS + 3] {
            let (b, t) = (2, 9);
            let logits = crate::hash::hash_logits(b * t * v, v as u32, 6.0);
            let mut labels = crate::hash::hash_labels(b * t, v, 3, -100);
            labels[4] = -100;
            labels[5] = -100;
            for shift in [false, true] {
                for softcap in [None, Some(15.0)] {
                    let opts = CrossEntropy {
                        semantics: Semantics::Hf,
                        epsilon: 0.1,
                        shift_labels: shift,
                        softcap,
                        grad: true,
                        ..Default::default()
                    };
                    let want = cross_entropy(
                        ArrayView3::from_shape((b, t, v), &logits).unwrap(),
                        ArrayView2::from_shape((b, t), &labels).unwrap(),
                        &opts,
                        CpuKernel::Simd,
                    )
                    .unwrap();
                    let mut io =
                        Slices { logits: logits.clone(), grad: vec![f32::NAN; logits.len()], v, reads: 0 };
                    let got =
                        cross_entropy_streamed([b, t, v], &labels, &opts, CpuKernel::Simd, &mut io).unwrap();
                    assert_eq!(got.summary, want.summary, "V {v} shift {shift} softcap {softcap:?}");
                    assert_eq!(got.notes, want.notes);
                    let bits = |x: &[f32]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
                    let want_grad = want.grad.unwrap();
                    assert_eq!(io.grad.len(), want_grad.len());
                    assert_eq!(
                        bits(&io.grad),
                        bits(&want_grad),
                        "every gradient row written, ignored ones zeroed"
                    );
                    assert_eq!(io.reads, want.num_active, "only scored rows are read, each once");
                }
            }
        }
    }

    #[test]
    fn ranges_of_rows_reduce_to_the_whole_call_bit_for_bit() {
        let (b, t, v) = (3, 7, 900);
        let logits = crate::hash::hash_logits(b * t * v, 11, 6.0);
        let mut labels = crate::hash::hash_labels(b * t, v, 11, -100);
        labels[2] = -100;
        labels[3] = -100;
        let bits = |x: &[f32]| x.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        for shift in [false, true] {
            for (semantics, reduction) in
                [(Semantics::Hf, Reduction::Mean), (Semantics::Torch, Reduction::None)]
            {
                let opts = CrossEntropy {
                    semantics,
                    reduction,
                    epsilon: 0.1,
                    shift_labels: shift,
                    z_loss_scale: 1e-4,
                    grad: reduction != Reduction::None,
                    stats: Stats { entropy: true, rank: true, lse: true, predicted: true },
                    ..Default::default()
                };
                let mut whole =
                    Slices { logits: logits.clone(), grad: vec![f32::NAN; logits.len()], v, reads: 0 };
                let want =
                    cross_entropy_streamed([b, t, v], &labels, &opts, CpuKernel::Simd, &mut whole).unwrap();
                // Uneven ranges, one of them empty, one splitting a sequence.
                for bounds in [vec![0, 21], vec![0, 5, 5, 13, 21], vec![0, 1, 2, 20, 21]] {
                    let plan = Plan::new([b, t, v], &labels, &opts).unwrap();
                    let mut rows = vec![None; plan.targets.len()];
                    let mut io =
                        Slices { logits: logits.clone(), grad: vec![f32::NAN; logits.len()], v, reads: 0 };
                    for w in bounds.windows(2).rev() {
                        stream_rows(&plan, CpuKernel::Simd, &mut io, w[0]..w[1], &mut rows).unwrap();
                    }
                    let got = plan.output(&rows, CpuKernel::Simd.name());
                    let what = format!("shift {shift} {semantics:?} {reduction:?} ranges {bounds:?}");
                    assert_eq!(got.summary, want.summary, "{what}");
                    // Debug prints every float at its shortest exact form, and NaN (ignored rows'
                    // entropy) equal to NaN.
                    assert_eq!(format!("{:?}", got.analytics), format!("{:?}", want.analytics), "{what}");
                    assert_eq!(got.notes, want.notes, "{what}");
                    assert_eq!(bits(&io.grad), bits(&whole.grad), "{what}");
                }
            }
        }
    }
}
