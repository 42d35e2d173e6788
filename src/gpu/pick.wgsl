// Per row of a logits block, what the finishing needs besides the row statistics: the label's
// raw logit x_y (the host soft-caps it as the CPU does) and the row's argmax, the lowest class
// whose (soft-capped) logit equals the maximum m the statistics kernel found:
//
//   picks[row] = (bits of x_y, min { c : capped(x_c) = m })
//
// One workgroup of 256 invocations per row; each scans a strided slice up to its first match and
// the workgroup keeps the smallest. `capped` is the statistics kernel's own function, so the
// comparison with its m is exact. Rows holding NaN or ±inf are finished on the CPU anyway.
// Prepended at load time: params.wgsl.

@group(0) @binding(1) var<storage, read> logits: array<f32>;
@group(0) @binding(2) var<storage, read> stats: array<vec4<f32>>;
@group(0) @binding(3) var<storage, read> targets: array<i32>;
@group(0) @binding(4) var<storage, read_write> picks: array<vec2<u32>>;

var<workgroup> first: atomic<u32>;

@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) group: vec3<u32>, @builtin(local_invocation_index) lid: u32) {
    let row = group.x;
    let base = row * params.vocab;
    let m = stats[row].x;
    if (lid == 0u) {
        atomicStore(&first, 0xffffffffu);
    }
    workgroupBarrier();
    var mine = 0xffffffffu;
    for (var c = lid; c < params.vocab; c += 256u) {
        if (capped(logits[base + c]) == m) {
            mine = c;
            break;
        }
    }
    atomicMin(&first, mine);
    workgroupBarrier();
    if (lid == 0u) {
        let y = u32(max(targets[row], 0));
        picks[row] = vec2<u32>(bitcast<u32>(logits[base + y]), atomicLoad(&first));
    }
}
