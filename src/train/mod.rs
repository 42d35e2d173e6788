//! The trainer: a tiny GPT-2-shaped language model that learns on losslab's own cross-entropy
//! and its closed-form gradient, with AdamW, a bundled bilingual corpus and a BPE tokenizer trained on it.

pub mod corpus;
pub mod data;
pub mod gemm;
pub mod layers;
pub mod model;
pub mod optim;
pub mod tokenizer;
pub mod trainer;

pub use data::Objective;
pub use trainer::{RunConfig, Start, Trainer, TrainerConfig};
