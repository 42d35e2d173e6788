//! Every WGSL kernel parses and validates with naga, and its uniform block is the size the host
//! packs; no GPU needed.
#![cfg(not(target_arch = "wasm32"))]

use losslab::gpu::{shader_source, GRAD_WGSL, PARAMS_BYTES, STATS_WGSL};
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
