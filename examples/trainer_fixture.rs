//! Writes `tests/golden/trainer_fixture.json`: a small trainer's seeded initial weights (in
//! PyTorch's names and layouts), the batches of a 30-step CLM run and a 30-step SFT run, and the
//! losses losslab's trainer gets on them. `tests/golden/make_trainer.py` replays the same steps
//! in PyTorch; `tests/trainer.rs` and the JS suites hold both sets of losses.
//!
//! Run: `cargo run --release --example trainer_fixture`

use losslab::train::corpus::Language;
use losslab::train::trainer::{Source, TrainerConfig};
use losslab::train::{Objective, RunConfig, Start, Trainer};
use serde_json::{json, Value};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let config = fixture_config();
    let mut trainer = Trainer::new(&config)?;
    let params: serde_json::Map<String, Value> = trainer
        .model
        .export()
        .into_iter()
        .map(|(name, shape, data)| (name, json!({ "shape": shape, "data": data })))
        .collect();
    let mut runs = Vec::new();
    let mut losses = serde_json::Map::new();
    for run in fixture_runs() {
        let (name, steps) = (run.name.clone(), run.steps);
        trainer.begin_run(run)?;
        let mut batches = Vec::new();
        let mut run_losses = Vec::new();
        for _ in 0..steps {
            let b = trainer.next_batch()?;
            run_losses.push(trainer.step_on(&b)?.loss);
            let rows = |v: &[i32]| v.chunks(b.seq).map(<[i32]>::to_vec).collect::<Vec<_>>();
            batches.push(json!({ "inputIds": rows(&b.ids), "labels": rows(&b.labels) }));
        }
        runs.push(json!({ "name": name, "batches": batches }));
        losses.insert(name, json!(run_losses));
    }
    let c = &trainer.model.config;
    let o = fixture_runs()[0].clone();
    let fixture = json!({
        "generator": "cargo run --release --example trainer_fixture",
        "config": { "vocab": c.vocab, "context": c.context, "layers": c.layers, "dModel": c.d_model, "heads": c.heads, "seed": config.seed, "vocabSize": config.vocab_size },
        "optim": { "lr": o.optimizer.lr, "warmup": o.warmup, "steps": o.steps, "weightDecay": o.optimizer.weight_decay,
                   "beta1": o.optimizer.beta1, "beta2": o.optimizer.beta2, "eps": o.optimizer.eps, "clip": o.clip },
        "epsilon": o.loss.epsilon,
        "params": params,
        "runs": runs,
        "losslab": losses,
    });
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/trainer_fixture.json");
    std::fs::write(path, serde_json::to_string(&fixture)?)?;
    println!("wrote {path}");
    Ok(())
}

/// The fixture's trainer: the bundled English corpus, a model small enough to store.
pub fn fixture_config() -> TrainerConfig {
    TrainerConfig {
        source: Source::Bundled(Language::En),
        context: 64,
        layers: 2,
        d_model: 32,
        heads: 4,
        vocab_size: 128,
        seed: 1234,
    }
}

/// Two runs from the same initial weights: CLM, then SFT with the prompt masked; ε = 0.1.
pub fn fixture_runs() -> Vec<RunConfig> {
    let base = RunConfig {
        steps: 30,
        batch_size: 4,
        warmup: 3,
        eval_every: 0,
        start: Start::Init,
        loss: losslab::loss::CrossEntropy { epsilon: 0.1, ..Default::default() },
        ..RunConfig::default()
    };
    vec![
        RunConfig { name: "clm".into(), objective: Objective::Clm, ..base.clone() },
        RunConfig { name: "sft".into(), objective: Objective::Sft, ..base },
    ]
}
