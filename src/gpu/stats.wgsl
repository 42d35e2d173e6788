// Per-row softmax statistics: one workgroup of 256 invocations per row, one pass over the row.
//
//   m = max_c x_c,   s = Σ_c exp(x_c − m),   d = Σ_c (m − x_c),   dw = Σ_c w_c (m − x_c)
//
// (x soft-capped first when asked). The host turns them into lse = m + ln s and the smoothing
// sum Σ_c (lse − x_c) = V ln s + d: every term of d is ≥ 0, so nothing cancels. Each invocation
// folds a strided slice online (rescaling when its max grows); the workgroup then merges the
// 256 partial states pairwise. NaN and ±inf logits are only counted (by bit pattern, which no
// compiler may assume away): the host recomputes such rows on the CPU with PyTorch's semantics.
// Prepended at load time: params.wgsl.

@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read_write> stats: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read_write> nonfinite: array<u32>;

struct State {
    m: f32,
    s: f32,
    d: f32,
    dw: f32,
    n: f32, // elements folded in
    w: f32, // their total weight
}

fn merge(a: State, b: State) -> State {
    if (a.n == 0.0) {
        return b;
    }
    if (b.n == 0.0) {
        return a;
    }
    let m = max(a.m, b.m);
    return State(
        m,
        a.s * exp(a.m - m) + b.s * exp(b.m - m),
        a.d + a.n * (m - a.m) + b.d + b.n * (m - b.m),
        a.dw + a.w * (m - a.m) + b.dw + b.w * (m - b.m),
        a.n + b.n,
        a.w + b.w,
    );
}

var<workgroup> partial: array<State, 256>;
var<workgroup> bad: atomic<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let row = group.x;
    let base = row * params.vocab;
    var st = State(0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
    var skipped = 0u;
    for (var c = lid; c < params.vocab; c += 256u) {
        let raw = logits[base + c];
        if ((bitcast<u32>(raw) & 0x7fffffffu) >= 0x7f800000u) {
            skipped += 1u;
            continue;
        }
        let x = capped(raw);
        let w = weights[c];
        if (st.n == 0.0) {
            st.m = x;
        } else if (x > st.m) {
            let delta = x - st.m;
            st.s *= exp(-delta);
            st.d += st.n * delta;
            st.dw += st.w * delta;
            st.m = x;
        }
        let gap = st.m - x;
        st.s += exp(-gap);
        st.d += gap;
        st.dw += w * gap;
        st.n += 1.0;
        st.w += w;
    }
    partial[lid] = st;
    if (skipped > 0u) {
        atomicAdd(&bad, skipped);
    }
    workgroupBarrier();
    for (var stride = 128u; stride > 0u; stride >>= 1u) {
        if (lid < stride) {
            partial[lid] = merge(partial[lid], partial[lid + stride]);
        }
        workgroupBarrier();
    }
    if (lid == 0u) {
        let r = partial[0];
        stats[row] = vec4<f32>(r.m, r.s, r.d, r.dw);
        nonfinite[row] = atomicLoad(&bad);
    }
}
