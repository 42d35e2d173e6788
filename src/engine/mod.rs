//! The engine's backend-neutral core: which backend runs a call and why (`route`), and how a
//! GPU's per-row statistics become the same result the CPU gives (`finish`). One op, each
//! backend's entry side by side: the CPU driver is `loss::cross_entropy_into`, the GPU's
//! dispatch is `gpu::run` (wasm only); both meet here. `js::engine` only converts values.

pub mod finish;
pub mod route;

pub use finish::{finish_gpu_rows, gpu_label_is_argmax, gpu_row, GpuRowStats, LogitRows};
pub use route::{
    admit, honour_options, route, software_adapter, AdapterInfo, Backend, Calibration, Costs, Request, Route,
    Why,
};
