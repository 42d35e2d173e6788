// One f32 matrix product with strided operands:
//
//   C[i, j] = Σ_k A[i, k] · B[k, j]  (+ bias[j] when flags & 1)  (+ C[i, j] when flags & 2)
//
// with A[i, k] = a[a_offset + i·a_row + k·a_col], B[k, j] = b[b_offset + k·b_row + j·b_col] and
// C[i, j] = c[c_offset + i·c_row + j]. Strides let one kernel serve every product of the linear
// cross-entropy: logits = H · Wᵀ + b (B read transposed), dH = dZ · W, dW += dZᵀ · H (A read
// transposed) and db += 1ᵀ · dZ (A a single 1.0 with zero strides). The sum runs over k in
// order, the bias is added after it, as the CPU path adds it.
//
// Each invocation owns a 4 × 4 block of C in registers (8 loads per 16 multiply-adds, the
// operands' reuse left to the caches); a workgroup of 8 × 8 covers 32 × 32. No workgroup memory
// and no barriers: on SwiftShader, the software adapter the tests run on, a 16 × 16
// workgroup-memory tiling with two barriers per step was ~30× slower than the plain CE kernels
// on the same logits, and the barriers were the cost.
//
// Split K: workgroup z sums only k in [z·k_split, (z + 1)·k_split) and writes its partial C at
// c_offset + z·c_split. dH = dZ · W has few outputs (rows × D) and a long sum (V): without the
// split a handful of invocations would walk all of V alone. The partials are then summed by this
// same kernel (a 1 × splits row of ones times the [splits, rows·D] partials).

struct Matmul {
    m: u32,
    n: u32,
    k: u32,
    flags: u32, // 1: add bias[j]; 2: accumulate into C
    a_offset: u32,
    a_row: u32,
    a_col: u32,
    _pad0: u32,
    b_offset: u32,
    b_row: u32,
    b_col: u32,
    _pad1: u32,
    c_offset: u32,
    c_row: u32,
    k_split: u32, // k per workgroup z (k itself without a split)
    c_split: u32, // elements between the partial Cs of consecutive z (0 without a split)
}

@group(0) @binding(0) var<uniform> mm: Matmul;
@group(0) @binding(1) var<storage, read> a: array<f32>;
@group(0) @binding(2) var<storage, read> b: array<f32>;
@group(0) @binding(3) var<storage, read> bias: array<f32>;
@group(0) @binding(4) var<storage, read_write> c: array<f32>;

// A[i, k], or 0 past the last row.
fn load_a(i: u32, k: u32) -> f32 {
    if (i >= mm.m) {
        return 0.0;
    }
    return a[mm.a_offset + i * mm.a_row + k * mm.a_col];
}

// B[k, j], or 0 past the last column.
fn load_b(k: u32, j: u32) -> f32 {
    if (j >= mm.n) {
        return 0.0;
    }
    return b[mm.b_offset + k * mm.b_row + j * mm.b_col];
}

fn store(i: u32, j: u32, z: u32, value: f32) {
    if (i >= mm.m || j >= mm.n) {
        return;
    }
    let at = mm.c_offset + z * mm.c_split + i * mm.c_row + j;
    var v = value;
    if ((mm.flags & 1u) != 0u) {
        v += bias[j];
    }
    if ((mm.flags & 2u) != 0u) {
        v += c[at];
    }
    c[at] = v;
}

fn store_row(i: u32, j: u32, z: u32, row: vec4<f32>) {
    store(i, j, z, row.x);
    store(i, j + 1u, z, row.y);
    store(i, j + 2u, z, row.z);
    store(i, j + 3u, z, row.w);
}

@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let i = id.y * 4u;
    let j = id.x * 4u;
    if (i >= mm.m || j >= mm.n) {
        return;
    }
    let k_begin = id.z * mm.k_split;
    let k_end = min(mm.k, k_begin + mm.k_split);
    var c0 = vec4<f32>(0.0);
    var c1 = vec4<f32>(0.0);
    var c2 = vec4<f32>(0.0);
    var c3 = vec4<f32>(0.0);
    for (var k = k_begin; k < k_end; k++) {
        let bk = vec4<f32>(load_b(k, j), load_b(k, j + 1u), load_b(k, j + 2u), load_b(k, j + 3u));
        c0 += load_a(i, k) * bk;
        c1 += load_a(i + 1u, k) * bk;
        c2 += load_a(i + 2u, k) * bk;
        c3 += load_a(i + 3u, k) * bk;
    }
    store_row(i, j, id.z, c0);
    store_row(i + 1u, j, id.z, c1);
    store_row(i + 2u, j, id.z, c2);
    store_row(i + 3u, j, id.z, c3);
}
