// Gradient of the loss with respect to the logits, one invocation per logit:
//
//   g_c = a · [ ((1−ε)·w_y + (ε/V)·W + 2z·lse) · p_c − (ε/V)·w_c − [c = y]·(1−ε)·w_y ] · capʹ_c
//
// with p_c = exp((x_c − m) − ln s) and lse = m + ln s from the row statistics (splitting off m
// keeps p exact for large logits), a = 1 / denominator, z the z-loss scale, W = Σ_c w_c,
// capʹ_c = 1 − (x_c / softcap)² after capping (1 without soft-capping), and g = 0 on rows whose
// label is ignored (target < 0). Unweighted this is a·(p_c − (1−ε)[c = y] − ε/V) plus z-loss.
// Prepended at load time: params.wgsl.

@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> weights: array<f32>;
@group(0) @binding(3) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(4) var<storage, read> targets: array<i32>;
@group(0) @binding(5) var<storage, read_write> grad: array<f32>;

@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) id: vec3<u32>) {
    let c = id.x;
    let row = id.y;
    if (c >= params.vocab) {
        return;
    }
    let i = row * params.vocab + c;
    let y = targets[row];
    if (y < 0) {
        grad[i] = 0.0;
        return;
    }
    let st = stats[row];
    let log_s = log(st.y);
    let lse = st.x + log_s;
    let x = capped(logits[i]);
    let p = exp((x - st.x) - log_s);
    let w_y = weights[u32(y)];
    let scale = params.one_minus_eps * w_y + params.smooth_per_class * params.total_weight + params.z2 * lse;
    var g = scale * p - params.smooth_per_class * weights[c];
    if (c == u32(y)) {
        g -= params.one_minus_eps * w_y;
    }
    g *= params.inv_denominator;
    if (params.has_softcap != 0u) {
        let t = x / params.softcap;
        g *= 1.0 - t * t;
    }
    grad[i] = g;
}
