//! The lesson, natively: pre-train, then SFT with the prompt masked and without, and print the
//! held-out losses and samples.
//! `cargo run --release --example trainer_lesson [en|zh] [pretrain steps] [sft steps] [epsilon] [sft lr]`
//! (`CTX` and `BATCH` in the environment override the context and batch size).

use losslab::loss::CrossEntropy;
use losslab::train::corpus::Language;
use losslab::train::optim::AdamW;
use losslab::train::trainer::Source;
use losslab::train::{Objective, RunConfig, Start, Trainer, TrainerConfig};

fn arg<T: std::str::FromStr>(i: usize, default: T) -> T {
    std::env::args().nth(i).and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn env<T: std::str::FromStr>(name: &str, default: T) -> T {
    std::env::var(name).ok().and_then(|s| s.parse().ok()).unwrap_or(default)
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let language = if arg(1, String::new()) == "zh" { Language::Zh } else { Language::En };
    let (pre, sft, epsilon, sft_lr) = (arg(2, 400), arg(3, 150), arg(4, 0.0), arg(5, 1e-3));
    let run = RunConfig { batch_size: env("BATCH", RunConfig::default().batch_size), ..RunConfig::default() };
    let loss = CrossEntropy { epsilon, ..run.loss.clone() };
    let config = TrainerConfig {
        source: Source::Bundled(language),
        context: env("CTX", 64),
        ..TrainerConfig::default()
    };
    let mut t = Trainer::new(&config)?;
    let longest =
        t.data.train_pairs.iter().chain(&t.data.heldout_pairs).map(|p| p.ids.len()).max().unwrap_or(0);
    println!("vocab {} params {} longest pair {longest}", t.model.config.vocab, t.model.params.len());
    let start = std::time::Instant::now();
    t.begin_run(RunConfig { name: "pretrain".into(), steps: pre, loss: loss.clone(), ..run.clone() })?;
    t.step(pre)?;
    println!("pretrain {:.1}s {:?}", start.elapsed().as_secs_f64(), t.runs[0].evals.last());
    for (name, objective) in [("sft", Objective::Sft), ("sft-unmasked", Objective::SftUnmasked)] {
        let optimizer = AdamW { lr: sft_lr, ..AdamW::default() };
        let start = Start::Run("pretrain".into());
        t.begin_run(RunConfig {
            name: name.into(),
            objective,
            steps: sft,
            optimizer,
            loss: loss.clone(),
            start,
            ..run.clone()
        })?;
        t.step(sft)?;
        let r = t.runs.last().expect("a run");
        println!("{name} {:?}", r.evals.last());
        for s in &r.samples {
            println!("  {:?} → {:?} / {:?}", s.prompt, s.greedy, s.sampled);
        }
    }
    println!("total {:.1}s", start.elapsed().as_secs_f64());
    Ok(())
}
