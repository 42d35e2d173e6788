//! The golden table (PyTorch + transformers) on both CPU kernels; native and in the browser.

mod common;

use losslab::cpu::CpuKernel;

#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cross_entropy_golden_simd() {
    let worst = common::run_cross_entropy_table(CpuKernel::Simd);
    println!("cpu-simd worst: {worst:?}");
}

#[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
#[cfg_attr(not(target_arch = "wasm32"), test)]
fn cross_entropy_golden_scalar() {
    let worst = common::run_cross_entropy_table(CpuKernel::Scalar);
    println!("cpu-scalar worst: {worst:?}");
}
