//! The engine's backend-neutral core: which backend runs a call and why (`route`), and how a
//! GPU's per-row statistics become the same result the CPU gives (`finish`, and `linear` for
//! `linearCrossEntropy`). One op, each
//! backend's entry side by side: the CPU driver is `loss::cross_entropy_into`, the GPU's
//! dispatch is `gpu::run` (wasm only); both meet here. `js::engine` only converts values.

pub mod finish;
pub mod linear;
pub mod route;

pub use finish::{finish_gpu_rows, gpu_label_is_argmax, gpu_row, GpuRowStats, LogitRows};
pub use linear::{finish_linear_gpu, gather_scored, scored_rows, LinearGpuRows, ScoredRow};
pub use route::{
    admit, gpu_supports, honour_options, route, route_linear, software_adapter, AdapterInfo, Backend,
    Calibration, Costs, Request, Route, Why,
};
