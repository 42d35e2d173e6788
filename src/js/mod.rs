//! The JavaScript face of losslab: the only module that knows about JS values and wasm-bindgen.

pub mod options;
