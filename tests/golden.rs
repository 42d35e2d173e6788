//! The golden table (PyTorch + transformers) on both CPU kernels; native and in the browser.

mod common;

use losslab::cpu::CpuKernel;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;
#[cfg(target_arch = "wasm32")]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

#[test]
fn cross_entropy_golden_simd() {
    let worst = common::run_cross_entropy_table(CpuKernel::Simd);
    println!("cpu-simd worst: {worst:?}");
}

#[test]
fn cross_entropy_golden_scalar() {
    let worst = common::run_cross_entropy_table(CpuKernel::Scalar);
    println!("cpu-scalar worst: {worst:?}");
}
