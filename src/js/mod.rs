//! The JavaScript face of losslab: the only module that knows about JS values and wasm-bindgen.
//!
//! `options` (decoding of option objects) is target-independent so native tests and fuzzers
//! can drive it; `convert` and `exports` exist only in the wasm build.

pub mod options;
pub mod train_options;

#[cfg(target_arch = "wasm32")]
pub mod buffer;
#[cfg(target_arch = "wasm32")]
mod convert;
#[cfg(target_arch = "wasm32")]
pub mod engine;
#[cfg(target_arch = "wasm32")]
pub mod exports;
#[cfg(target_arch = "wasm32")]
pub mod linear;
#[cfg(target_arch = "wasm32")]
pub mod split;
#[cfg(all(target_arch = "wasm32", feature = "trainer"))]
pub mod trainer;
