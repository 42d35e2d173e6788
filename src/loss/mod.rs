//! The loss math on plain slices and ndarray views: no wasm or JS types below this line.

pub mod analytics;
pub mod cross_entropy;
pub mod linear;
pub mod log_softmax;
pub mod notes;

pub mod options;
pub mod stream;

pub use cross_entropy::{
    cross_entropy, cross_entropy_into, Analytics, CrossEntropyOutput, Plan, RowResult, Summary,
};
pub use linear::{linear_cross_entropy, LinearInput, LinearOutput, LinearShape};
pub use log_softmax::log_softmax;
pub use notes::Note;
pub use options::{CrossEntropy, Reduction, Semantics, Stats};
pub use stream::{cross_entropy_streamed, stream_rows, RowStream};
