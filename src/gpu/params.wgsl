// The uniform block both kernels share; src/gpu/mod.rs packs it byte for byte.
struct Params {
    vocab: u32,            // V: logits per row
    rows: u32,             // rows in this chunk
    has_softcap: u32,      // 1: x ← softcap · tanh(x / softcap) before everything
    _pad0: u32,
    softcap: f32,
    inv_denominator: f32,  // a = 1 / (N, Σ w[y], numItemsInBatch or 1)
    one_minus_eps: f32,    // 1 − ε
    smooth_per_class: f32, // ε / V, or 0 where torch skips the smoothing term (ε = 0)
    total_weight: f32,     // W = Σ_c w_c (V without class weights)
    z2: f32,               // 2 · zLossScale
    _pad1: u32,
    _pad2: u32,
}

@group(0) @binding(0) var<uniform> params: Params;

// x ← c · tanh(x / c). The argument is clamped so no implementation overflows inside tanh
// (tanh(±9) is ±1 in f32 anyway).
fn capped(x: f32) -> f32 {
    if (params.has_softcap == 0u) {
        return x;
    }
    return params.softcap * tanh(clamp(x / params.softcap, -9.0, 9.0));
}
