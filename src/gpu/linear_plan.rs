//! The plain-data half of `linearCrossEntropy` on WebGPU: how many rows one block of logits
//! holds (or why the shape cannot run on the device), and the four matrix products of a block as
//! `matmul.wgsl` reads them. No device here, so native tests check the arithmetic.

use super::{Limits, WORKGROUP};

/// Bytes of one block's logits (and as many again for their gradient): the device's working
/// set stays near `2 · LINEAR_BLOCK_BYTES` beyond the layer's own tensors, whatever `N · V` is.
pub const LINEAR_BLOCK_BYTES: u64 = 32 << 20;
/// The entries of C one matmul workgroup covers in each direction: 8 × 8 invocations
/// (`@workgroup_size(8, 8)`) of 4 × 4 entries each.
pub const MATMUL_TILE: u32 = 32;
/// The matmul kernel's workgroup edge.
pub const MATMUL_GROUP: u32 = 8;
/// Bytes of the `Matmul` uniform (matmul.wgsl).
pub const MATMUL_BYTES: usize = 64;

/// Rows per block for `active` scored rows of `vocab` logits over a hidden size of `hidden`
/// (with the gradients when `grad`), or
/// the reason this device cannot take the call: every tensor the kernels bind (the weight and
/// its gradient `[V, D]`, the scored hidden rows and their gradient `[N, D]`, one block of
/// logits `[R, V]`, the one read-back buffer) must fit the adapter's binding and buffer limits,
/// and every dispatch its workgroup count per dimension.
pub fn linear_rows_per_block(
    active: usize,
    hidden: usize,
    vocab: usize,
    grad: bool,
    limits: Limits,
) -> Result<usize, String> {
    // Offsets and copies are u32 in the kernels and the copy calls.
    let cap = limits.max_storage_binding.min(limits.max_buffer).min(u32::MAX as u64 & !3);
    let bytes = |n: usize, m: usize| (n as u64).saturating_mul(m as u64).saturating_mul(4);
    // Read back in one buffer each: per-row results (7 words a row), and the three gradients.
    let gradients = bytes(active, hidden) + bytes(vocab, hidden) + bytes(vocab, 1);
    let read_back = bytes(active, 7).max(if grad { gradients } else { 0 });
    for (what, b) in [
        ("the weight [V, D]", bytes(vocab, hidden)),
        ("the scored hidden rows [N, D]", bytes(active, hidden)),
        ("one row of V logits", bytes(1, vocab)),
        ("the read-back of the results and gradients", read_back),
    ] {
        if b > cap {
            return Err(format!(
                "{what} ({b} bytes) exceeds the adapter's maxStorageBufferBindingSize / maxBufferSize ({cap} bytes)"
            ));
        }
    }
    let max_groups = limits.max_workgroups_per_dimension as u64;
    for (what, groups) in [
        ("V / 32 (the matmul tiles across the vocabulary)", (vocab as u64).div_ceil(MATMUL_TILE as u64)),
        ("D / 32 (the matmul tiles across the hidden size)", (hidden as u64).div_ceil(MATMUL_TILE as u64)),
        ("V / 256 (the gradient kernel)", (vocab as u64).div_ceil(WORKGROUP as u64)),
    ] {
        if groups > max_groups {
            return Err(format!(
                "{what} needs {groups} workgroups in one dimension, more than the adapter's {max_groups}"
            ));
        }
    }
    let row_bytes = bytes(1, vocab);
    let rows = (cap.min(LINEAR_BLOCK_BYTES.max(row_bytes)) / row_bytes).min(max_groups);
    Ok((rows as usize).min(active).max(1))
}

/// Where an operand's `[i, k]` element lies: `offset + i·row + k·col` (elements).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Operand {
    pub offset: u32,
    pub row: u32,
    pub col: u32,
}

/// One dispatch of matmul.wgsl: `C[m, n] (+)= A[m, k] · B[k, n] (+ bias)`, the sum over k split
/// in `splits` slices of `k_split` whose partial Cs lie `c_split` elements apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Product {
    pub m: u32,
    pub n: u32,
    pub k: u32,
    pub bias: bool,
    pub accumulate: bool,
    pub a: Operand,
    pub b: Operand,
    pub c_offset: u32,
    pub c_row: u32,
    pub splits: u32,
    pub k_split: u32,
    pub c_split: u32,
}

/// Workgroups a product should keep busy before its sum is split (a few per compute unit of a
/// large GPU), and the shortest slice of k worth a workgroup of its own.
const BUSY_GROUPS: u32 = 512;
const MIN_SLICE: u32 = 256;

impl Product {
    /// A product summed over all of k by each workgroup.
    fn whole(m: u32, n: u32, k: u32, a: Operand, b: Operand, c_offset: u32, c_row: u32) -> Self {
        let (bias, accumulate) = (false, false);
        Self { m, n, k, bias, accumulate, a, b, c_offset, c_row, splits: 1, k_split: k, c_split: 0 }
    }

    /// How many slices of k this product's sum should be split in: enough to keep
    /// [`BUSY_GROUPS`] workgroups busy when its output has few tiles, each slice at least
    /// [`MIN_SLICE`] long and a multiple of 16.
    fn split_of(m: u32, n: u32, k: u32) -> (u32, u32) {
        let tiles = m.div_ceil(MATMUL_TILE) * n.div_ceil(MATMUL_TILE);
        let wanted = BUSY_GROUPS.div_ceil(tiles.max(1)).min(k.div_ceil(MIN_SLICE)).max(1);
        let k_split = k.div_ceil(wanted).next_multiple_of(16);
        (k.div_ceil(k_split).max(1), k_split)
    }
}

impl Product {
    /// The `Matmul` uniform, word by word in declaration order.
    pub fn bytes(&self) -> [u8; MATMUL_BYTES] {
        let flags = self.bias as u32 | (self.accumulate as u32) << 1;
        let words: [u32; 16] = [
            self.m,
            self.n,
            self.k,
            flags,
            self.a.offset,
            self.a.row,
            self.a.col,
            0,
            self.b.offset,
            self.b.row,
            self.b.col,
            0,
            self.c_offset,
            self.c_row,
            self.k_split,
            self.c_split,
        ];
        let mut out = [0u8; MATMUL_BYTES];
        for (chunk, w) in out.chunks_exact_mut(4).zip(words) {
            chunk.copy_from_slice(&w.to_le_bytes());
        }
        out
    }

    /// Workgroups in x (columns of C), y (rows of C) and z (slices of k).
    pub fn workgroups(&self) -> (u32, u32, u32) {
        (self.n.div_ceil(MATMUL_TILE), self.m.div_ceil(MATMUL_TILE), self.splits)
    }
}

/// The products of one row block: `rows` scored rows starting at scored row `start`, over a
/// hidden size `d` and a vocabulary `v`. Buffers: `hidden [N, D]`, `weight [V, D]`, the block's
/// `logits` and `dz [rows, V]`, `grad_hidden [N, D]`, `grad_weight [V, D]`, `grad_bias [V]`, and
/// `partial` (the split sums of `dZ · W`, [`BlockProducts::partial_len`] floats).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BlockProducts {
    /// `logits = H_block · Wᵀ (+ b)`.
    pub logits: Product,
    /// `dZ · W`: straight into `grad_hidden[block]`, or, split, into `partial`.
    pub grad_hidden: Product,
    /// With a split: `grad_hidden[block] = 1ᵀ · partial` (A is a buffer holding one 1.0).
    pub sum_partials: Option<Product>,
    /// `grad_weight += dZᵀ · H_block`.
    pub grad_weight: Product,
    /// `grad_bias += 1ᵀ · dZ`.
    pub grad_bias: Product,
}

impl BlockProducts {
    pub fn new(start: usize, rows: usize, d: usize, v: usize, bias: bool) -> Self {
        let (start, rows, d, v) = (start as u32, rows as u32, d as u32, v as u32);
        let block = start * d;
        let plain = |offset, row| Operand { offset, row, col: 1 };
        let ones = Operand { offset: 0, row: 0, col: 0 };
        let (splits, k_split) = Product::split_of(rows, d, v);
        let grad_hidden = match splits {
            1 => Product::whole(rows, d, v, plain(0, v), plain(0, d), block, d),
            _ => Product {
                splits,
                k_split,
                c_split: rows * d,
                ..Product::whole(rows, d, v, plain(0, v), plain(0, d), 0, d)
            },
        };
        // The block's rows of grad_hidden are contiguous: one row of rows·D sums.
        let sum_partials = (splits > 1)
            .then(|| Product::whole(1, rows * d, splits, ones, plain(0, rows * d), block, rows * d));
        Self {
            logits: Product {
                bias,
                ..Product::whole(rows, v, d, plain(block, d), Operand { offset: 0, row: 1, col: d }, 0, v)
            },
            grad_hidden,
            sum_partials,
            grad_weight: Product {
                accumulate: true,
                ..Product::whole(v, d, rows, Operand { offset: 0, row: 1, col: v }, plain(block, d), 0, d)
            },
            grad_bias: Product { accumulate: true, ..Product::whole(1, v, rows, ones, plain(0, v), 0, v) },
        }
    }

    /// Floats of the `partial` buffer this block needs (at least 1: buffers cannot be empty).
    pub fn partial_len(&self) -> usize {
        match self.sum_partials {
            Some(_) => (self.grad_hidden.splits * self.grad_hidden.c_split) as usize,
            None => 1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const DEFAULT: Limits =
        Limits { max_storage_binding: 128 << 20, max_buffer: 256 << 20, max_workgroups_per_dimension: 65535 };

    /// matmul.wgsl's arithmetic on the host, operand addressing included, in f64.
    fn emulate(p: &Product, a: &[f32], b: &[f32], bias: &[f32], c: &mut [f32]) {
        for (z, i, j) in
            (0..p.splits).flat_map(|z| (0..p.m).flat_map(move |i| (0..p.n).map(move |j| (z, i, j))))
        {
            {
                let mut s = 0.0f64;
                for k in z * p.k_split..p.k.min((z + 1) * p.k_split) {
                    let x = a[(p.a.offset + i * p.a.row + k * p.a.col) as usize];
                    let y = b[(p.b.offset + k * p.b.row + j * p.b.col) as usize];
                    s += x as f64 * y as f64;
                }
                let at = (p.c_offset + z * p.c_split + i * p.c_row + j) as usize;
                if p.bias {
                    s += bias[j as usize] as f64;
                }
                if p.accumulate {
                    s += c[at] as f64;
                }
                c[at] = s as f32;
            }
        }
    }

    #[test]
    fn block_products_address_the_layer_tensors() {
        // N = 5 scored rows in blocks of 3 and 2; D = 3, V = 600 (so dZ · W is split in 3);
        // small integers stay exact.
        let (n, d, v) = (5usize, 3usize, 600usize);
        assert_eq!(BlockProducts::new(0, 3, d, v, true).grad_hidden.splits, 3);
        let h: Vec<f32> = (0..n * d).map(|i| (i % 7) as f32 - 3.0).collect();
        let w: Vec<f32> = (0..v * d).map(|i| (i % 5) as f32 - 2.0).collect();
        let bias: Vec<f32> = (0..v).map(|c| (c % 4) as f32 - 1.5).collect();
        let dz_of = |r: usize, c: usize| ((r * 3 + c) % 9) as f32 - 4.0;
        let (mut gh, mut gw, mut gb) = (vec![0.0; n * d], vec![0.0; v * d], vec![0.0; v]);
        for (start, rows) in [(0, 3), (3, 2)] {
            let p = BlockProducts::new(start, rows, d, v, true);
            let mut z = vec![0.0; rows * v];
            emulate(&p.logits, &h, &w, &bias, &mut z);
            for r in 0..rows {
                for c in 0..v {
                    let want: f32 =
                        (0..d).map(|k| h[(start + r) * d + k] * w[c * d + k]).sum::<f32>() + bias[c];
                    assert_eq!(z[r * v + c], want, "logit [{}, {c}]", start + r);
                }
            }
            let dz: Vec<f32> = (0..rows * v).map(|i| dz_of(start + i / v, i % v)).collect();
            match &p.sum_partials {
                None => emulate(&p.grad_hidden, &dz, &w, &[], &mut gh),
                Some(sum) => {
                    let mut partial = vec![0.0; p.partial_len()];
                    emulate(&p.grad_hidden, &dz, &w, &[], &mut partial);
                    emulate(sum, &[1.0], &partial, &[], &mut gh);
                }
            }
            emulate(&p.grad_weight, &dz, &h, &[], &mut gw);
            emulate(&p.grad_bias, &[1.0], &dz, &[], &mut gb);
        }
        for r in 0..n {
            for k in 0..d {
                let want: f32 = (0..v).map(|c| dz_of(r, c) * w[c * d + k]).sum();
                assert_eq!(gh[r * d + k], want, "gradHidden [{r}, {k}]");
            }
        }
        for c in 0..v {
            for k in 0..d {
                let want: f32 = (0..n).map(|r| dz_of(r, c) * h[r * d + k]).sum();
                assert_eq!(gw[c * d + k], want, "gradWeight [{c}, {k}]: both blocks accumulated");
            }
            assert_eq!(gb[c], (0..n).map(|r| dz_of(r, c)).sum::<f32>(), "gradBias [{c}]");
        }
    }

    #[test]
    fn uniform_words_follow_the_declaration() {
        let p = BlockProducts::new(2, 3, 5, 7, true).logits;
        let b = p.bytes();
        let w = |i: usize| u32::from_le_bytes(b[i * 4..i * 4 + 4].try_into().unwrap());
        assert_eq!([w(0), w(1), w(2), w(3)], [3, 7, 5, 1]);
        assert_eq!([w(4), w(5), w(6)], [10, 5, 1], "A: block rows of H");
        assert_eq!([w(8), w(9), w(10)], [0, 1, 5], "B: W read transposed");
        assert_eq!([w(12), w(13), w(14), w(15)], [0, 7, 5, 0], "no split: k_split = k");
        assert_eq!(BlockProducts::new(0, 1, 5, 7, false).grad_weight.bytes()[12..16], [2, 0, 0, 0]);
        assert_eq!(p.workgroups(), (1, 1, 1));
        assert_eq!(BlockProducts::new(0, 40, 5, 32000, false).logits.workgroups(), (1000, 2, 1));
    }

    #[test]
    fn long_sums_over_few_outputs_are_split() {
        // dZ · W of 32 rows × D 4 over V = 262 144: 1 output tile, so 512 slices of 512.
        let p = BlockProducts::new(0, 32, 4, 262_144, false);
        assert_eq!(p.grad_hidden.workgroups(), (1, 1, 512));
        assert_eq!((p.grad_hidden.k_split, p.grad_hidden.c_split), (512, 128));
        assert_eq!(p.partial_len(), 512 * 128);
        let sum = p.sum_partials.unwrap();
        assert_eq!((sum.m, sum.n, sum.k, sum.b.row), (1, 128, 512, 128));
        // Many output tiles already keep the device busy: no split.
        let wide = BlockProducts::new(0, 512, 1024, 32_000, false);
        assert_eq!((wide.grad_hidden.splits, wide.sum_partials, wide.partial_len()), (1, None, 1));
        // A split never makes slices shorter than 256 (and only whole tiles).
        let short = BlockProducts::new(0, 3, 2, 700, false).grad_hidden;
        assert_eq!((short.splits, short.k_split), (3, 240));
    }

    #[test]
    fn blocks_fit_the_budget_and_the_limits() {
        // 32 MiB of logits per block: 262 rows of 32 000.
        assert_eq!(linear_rows_per_block(10_000, 64, 32_000, true, DEFAULT).unwrap(), 262);
        assert_eq!(linear_rows_per_block(100, 64, 32_000, true, DEFAULT).unwrap(), 100, "never more than N");
        // Under a small binding limit the limit, not the budget, bounds a block: 8 MiB / 4 MB.
        let small = Limits { max_storage_binding: 8 << 20, ..DEFAULT };
        assert_eq!(linear_rows_per_block(3, 1, 1_000_000, true, small).unwrap(), 2);
        let tiny = Limits { max_storage_binding: 1 << 20, ..DEFAULT };
        let e = linear_rows_per_block(4, 1024, 512, true, tiny).unwrap_err();
        assert!(e.contains("the weight [V, D]") && e.contains("maxStorageBufferBindingSize"), "{e}");
        let e = linear_rows_per_block(1024, 512, 4, true, tiny).unwrap_err();
        assert!(e.contains("hidden rows"), "{e}");
        // Each fits alone, not all three gradients in one read-back buffer.
        let e = linear_rows_per_block(200, 1024, 200, true, tiny).unwrap_err();
        assert!(e.contains("read-back"), "{e}");
        assert_eq!(linear_rows_per_block(200, 1024, 200, false, tiny).unwrap(), 200, "forward only");
        let few = Limits { max_workgroups_per_dimension: 100, ..DEFAULT };
        let e = linear_rows_per_block(4, 8, 3300, true, few).unwrap_err();
        assert!(e.contains("V / 32") && e.contains("104 workgroups"), "{e}");
        assert_eq!(linear_rows_per_block(1000, 8, 3200, true, few).unwrap(), 100, "a block is one dispatch");
    }
}
