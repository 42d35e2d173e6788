//! losslab: label-smoothed cross-entropy exactly as Hugging Face `LabelSmoother` and PyTorch
//! `F.cross_entropy` compute it, the objectives of pre-training and alignment, and the padding
//! utilities of a seq2seq trainer, for native Rust and (through `bindings`) WebAssembly.
//!
//! Layers point one way: `loss`, `objectives`, `padding` (pure math) ← `cpu` kernels ←
//! `engine` (backend choice, GPU row finishing) ← `gpu` (WebGPU dispatch) ← `js` (the only
//! module that knows about JavaScript).

pub mod cpu;
pub mod engine;
pub mod error;
pub mod gpu;
pub mod hash;
pub mod js;
pub mod loss;
pub mod objectives;
pub mod padding;
pub mod shape;
pub mod train;

pub use error::{Error, Result};

// Unit tests also run in headless Chromium, where `cpu` uses real simd128 instructions.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
