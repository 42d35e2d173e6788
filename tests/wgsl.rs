//! Every WGSL kernel parses and validates with naga, and its uniform block is the size the host
//! packs; no GPU needed.
#![cfg(not(target_arch = "wasm32"))]

use losslab::gpu::linear_plan::{MATMUL_BYTES, MATMUL_GROUP, MATMUL_TILE};
use losslab::gpu::{shader_source, GRAD_WGSL, MATMUL_WGSL, PARAMS_BYTES, PICK_WGSL, STATS_WGSL};
use naga::valid::{Capabilities, ValidationFlags, Validator};

fn validate(name: &str, kernel: &str) -> naga::Module {
    let module = naga::front::wgsl::parse_str(&shader_source(kernel))
        .unwrap_or_else(|e| panic!("{name}: {}", e.emit_to_string(&shader_source(kernel))));
    Validator::new(ValidationFlags::all(), Capabilities::empty())
        .validate(&module)
        .unwrap_or_else(|e| panic!("{name}: {e:?}"));
    module
}

fn params_size(module: &naga::Module) -> u32 {
    let (_, global) =
        module.global_variables.iter().find(|(_, g)| g.name.as_deref() == Some("params")).unwrap();
    module.types[global.ty].inner.size(module.to_ctx())
}

#[test]
fn stats_kernel_validates() {
    let m = validate("stats.wgsl", STATS_WGSL);
    assert_eq!(params_size(&m) as usize, PARAMS_BYTES);
    assert_eq!(m.entry_points[0].workgroup_size, [256, 1, 1]);
}

#[test]
fn grad_kernel_validates() {
    let m = validate("grad.wgsl", GRAD_WGSL);
    assert_eq!(params_size(&m) as usize, PARAMS_BYTES);
    assert_eq!(m.entry_points[0].workgroup_size, [256, 1, 1]);
}

#[test]
fn matmul_kernel_validates() {
    // It stands alone (no `Params` block): its own uniform is the size the host packs.
    let module = naga::front::wgsl::parse_str(MATMUL_WGSL)
        .unwrap_or_else(|e| panic!("{}", e.emit_to_string(MATMUL_WGSL)));
    let module_info = Validator::new(ValidationFlags::all(), Capabilities::empty()).validate(&module);
    module_info.unwrap_or_else(|e| panic!("matmul.wgsl: {e:?}"));
    let (_, global) = module.global_variables.iter().find(|(_, g)| g.name.as_deref() == Some("mm")).unwrap();
    assert_eq!(module.types[global.ty].inner.size(module.to_ctx()) as usize, MATMUL_BYTES);
    assert_eq!(module.entry_points[0].workgroup_size, [MATMUL_GROUP, MATMUL_GROUP, 1]);
    assert_eq!(MATMUL_TILE, MATMUL_GROUP * 4, "each invocation owns a 4 × 4 block of C");
}

#[test]
fn pick_kernel_validates() {
    let m = validate("pick.wgsl", PICK_WGSL);
    assert_eq!(params_size(&m) as usize, PARAMS_BYTES);
    assert_eq!(m.entry_points[0].workgroup_size, [256, 1, 1]);
}
