//! The one matrix product the model needs, `C = A · B`, with strided operands and a register-
//! blocked f32x4 kernel.
//!
//! Every output element is summed over `k` in increasing order, one product at a time, from 0:
//! the same order as the scalar loop in the tails, so the blocked and scalar paths, native and
//! wasm builds, all give bit-identical results (`F32x4` is lane-exact natively, and no fused
//! multiply-add is used). That is what makes a seeded training run reproduce exactly everywhere.

use crate::cpu::lanes::F32x4;

/// A read-only matrix operand: element `(i, j)` sits at `data[i * row + j * col]`.
#[derive(Clone, Copy)]
pub struct Mat<'a> {
    pub data: &'a [f32],
    pub row: usize,
    pub col: usize,
}

impl<'a> Mat<'a> {
    /// A row-major matrix whose rows are `stride` apart.
    pub fn rows(data: &'a [f32], stride: usize) -> Self {
        Self { data, row: stride, col: 1 }
    }

    /// The transpose of a row-major matrix whose rows are `stride` apart.
    pub fn transposed(data: &'a [f32], stride: usize) -> Self {
        Self { data, row: 1, col: stride }
    }

    #[inline(always)]
    fn at(&self, i: usize, j: usize) -> f32 {
        self.data[i * self.row + j * self.col]
    }
}

/// Rows of the output tile the kernel keeps in registers, and its width in f32.
const TILE_ROWS: usize = 4;
const TILE_COLS: usize = 8;

/// `c[i * ldc + j] = Σ_k a(i, k) · b[k * ldb + j]` for `i < m`, `j < n`: `b` is row-major with
/// rows `ldb` apart (a column slice of a wider matrix is fine), `c` likewise with `ldc`.
///
/// # Panics
/// If an operand is too short for the shapes; checked once here, so the kernel's loads and
/// stores need no bounds checks.
#[allow(clippy::too_many_arguments)]
pub fn gemm(m: usize, n: usize, k: usize, a: Mat, b: &[f32], ldb: usize, c: &mut [f32], ldc: usize) {
    gemm_into::<false>(m, n, k, a, b, ldb, c, ldc);
}

/// As [`gemm`], adding the product to what `c` holds (`c += A · B`): each element starts from its
/// old value and then adds the products over `k` in the same order. The chunked loss accumulates
/// its weight gradient this way without a scratch copy of the output.
#[allow(clippy::too_many_arguments)]
pub fn gemm_acc(m: usize, n: usize, k: usize, a: Mat, b: &[f32], ldb: usize, c: &mut [f32], ldc: usize) {
    gemm_into::<true>(m, n, k, a, b, ldb, c, ldc);
}

#[allow(clippy::too_many_arguments)]
fn gemm_into<const ACC: bool>(
    m: usize,
    n: usize,
    k: usize,
    a: Mat,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    if m == 0 || n == 0 {
        return;
    }
    if k > 0 {
        assert!((m - 1) * a.row + (k - 1) * a.col < a.data.len(), "gemm: a is too short");
        assert!((k - 1) * ldb + n <= b.len(), "gemm: b is too short");
    }
    assert!((m - 1) * ldc + n <= c.len(), "gemm: c is too short");
    let full_cols = n / TILE_COLS * TILE_COLS;
    let full_rows = m / TILE_ROWS * TILE_ROWS;
    for i in (0..full_rows).step_by(TILE_ROWS) {
        for j in (0..full_cols).step_by(TILE_COLS) {
            // SAFETY: i + 3 < m, j + 7 < n and kk < k, within the extents asserted above.
            unsafe { tile::<ACC>(i, j, k, a, b, ldb, c, ldc) };
        }
    }
    // The right edge of the tiled rows, and the rows below them: one element at a time.
    for i in 0..m {
        let cols = if i < full_rows { full_cols..n } else { 0..n };
        for j in cols {
            let mut s = if ACC { c[i * ldc + j] } else { 0.0f32 };
            for kk in 0..k {
                s += a.at(i, kk) * b[kk * ldb + j];
            }
            c[i * ldc + j] = s;
        }
    }
}

/// One 4 × 8 output tile: eight f32x4 accumulators, two loads of `b` and four broadcasts of `a`
/// per `k` (11 live vectors: V8 has 16 vector registers, and a spill costs more than a tile).
///
/// # Safety
/// Rows `i..i + 4` of `a` and of `c`, columns `j..j + 8` of `b` and `c`, and `k` must lie within
/// the operands.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
unsafe fn tile<const ACC: bool>(
    i: usize,
    j: usize,
    k: usize,
    a: Mat,
    b: &[f32],
    ldb: usize,
    c: &mut [f32],
    ldc: usize,
) {
    let zero = F32x4::splat(0.0);
    let mut acc = [[zero; 2]; TILE_ROWS];
    if ACC {
        let cp = c.as_ptr();
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let from = cp.add((i + r) * ldc + j);
            acc_row[0] = F32x4::load(&*(from as *const [f32; 4]));
            acc_row[1] = F32x4::load(&*(from.add(4) as *const [f32; 4]));
        }
    }
    let (ap, bp) = (a.data.as_ptr(), b.as_ptr());
    for kk in 0..k {
        let brow = bp.add(kk * ldb + j);
        let b0 = F32x4::load(&*(brow as *const [f32; 4]));
        let b1 = F32x4::load(&*(brow.add(4) as *const [f32; 4]));
        for (r, acc_row) in acc.iter_mut().enumerate() {
            let x = F32x4::splat(*ap.add((i + r) * a.row + kk * a.col));
            acc_row[0] = acc_row[0] + x * b0;
            acc_row[1] = acc_row[1] + x * b1;
        }
    }
    let cp = c.as_mut_ptr();
    for (r, acc_row) in acc.iter().enumerate() {
        let out = cp.add((i + r) * ldc + j);
        acc_row[0].store(&mut *(out as *mut [f32; 4]));
        acc_row[1].store(&mut *(out.add(4) as *mut [f32; 4]));
    }
}

/// `dst[j * rows + i] = src[i * cols + j]`: the transpose of a row-major `[rows, cols]` matrix.
pub fn transpose(src: &[f32], rows: usize, cols: usize, dst: &mut [f32]) {
    for i in 0..rows {
        for j in 0..cols {
            dst[j * rows + i] = src[i * cols + j];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn naive(m: usize, n: usize, k: usize, a: Mat, b: &[f32], ldb: usize) -> Vec<f32> {
        let mut c = vec![0.0; m * n];
        for i in 0..m {
            for j in 0..n {
                let mut s = 0.0f32;
                for kk in 0..k {
                    s += a.at(i, kk) * b[kk * ldb + j];
                }
                c[i * n + j] = s;
            }
        }
        c
    }

    #[test]
    fn tiled_equals_the_plain_loop_bit_for_bit() {
        let mut rng = crate::objectives::SplitMix64::new(7);
        for &(m, n, k) in &[(1, 1, 1), (4, 8, 3), (5, 9, 7), (13, 67, 16), (64, 192, 64), (3, 4, 0)] {
            let a: Vec<f32> = (0..m * k).map(|_| rng.next_f64() as f32 - 0.5).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.next_f64() as f32 - 0.5).collect();
            for a_mat in [Mat::rows(&a, k), Mat::transposed(&a, m)] {
                let mut c = vec![f32::NAN; m * n];
                gemm(m, n, k, a_mat, &b, n, &mut c, n);
                assert_eq!(c, naive(m, n, k, a_mat, &b, n), "m={m} n={n} k={k}");
            }
        }
    }

    #[test]
    fn accumulating_adds_to_the_output_in_the_same_order() {
        let mut rng = crate::objectives::SplitMix64::new(11);
        for &(m, n, k) in &[(1, 1, 1), (4, 8, 3), (5, 9, 7), (13, 67, 16)] {
            let a: Vec<f32> = (0..m * k).map(|_| rng.next_f64() as f32 - 0.5).collect();
            let b: Vec<f32> = (0..k * n).map(|_| rng.next_f64() as f32 - 0.5).collect();
            let start: Vec<f32> = (0..m * n).map(|_| rng.next_f64() as f32).collect();
            let mut c = start.clone();
            gemm_acc(m, n, k, Mat::rows(&a, k), &b, n, &mut c, n);
            for i in 0..m {
                for j in 0..n {
                    let mut s = start[i * n + j];
                    for kk in 0..k {
                        s += a[i * k + kk] * b[kk * n + j];
                    }
                    assert_eq!(c[i * n + j], s, "m={m} n={n} k={k} ({i}, {j})");
                }
            }
        }
    }

    #[test]
    fn strided_operands_and_output() {
        // A 2 × 3 block of a 4-wide matrix times a 3 × 2 block of a 5-wide one, into a 3-wide c.
        let a = [1., 2., 3., 0., 4., 5., 6., 0.];
        let b = [1., 0., 9., 9., 9., 0., 1., 9., 9., 9., 1., 1., 9., 9., 9.];
        let mut c = [0.0f32; 6];
        gemm(2, 2, 3, Mat::rows(&a, 4), &b, 5, &mut c, 3);
        assert_eq!(c, [4., 5., 0., 10., 11., 0.]);
        let mut t = [0.0; 8];
        transpose(&a, 2, 4, &mut t);
        assert_eq!(t, [1., 4., 2., 5., 3., 6., 0., 0.]);
    }
}
